/* SPDX-License-Identifier: MIT */
/* x86_64 freestanding probe: what ../x86_64/boot.S expects at PARAM_PA, built into the
 * image instead of loaded by the harness, plus the bootstrap page tables it enters long
 * mode with (identity map of the first 4 GiB with 2M pages, as a small kernel's early
 * boot tables would be). No stamp ranges and no tests: ../common/fs.c builds the tables
 * with pt_map and stamps RAM, fsprobe.c switches CR3. FS_LA57=1: the same with a 5-level
 * bootstrap root and CR4.LA57 (only settable while paging is off). */
#include "probe.h"

#ifndef FS_LA57
#define FS_LA57 0
#endif

	.section .params, "a"
	.long PARAM_MAGIC_LO, PARAM_MAGIC_HI
	.quad 1				/* version */
#if FS_LA57
	.quad PFLAG_LA57		/* flags */
	.quad boot_pml5			/* root */
#else
	.quad 0
	.quad boot_pml4
#endif
	.quad 0				/* nstamp */
	.quad 0				/* ntests */
	.quad 0, 0

	.data
	.align 4096
	.globl boot_pml5, boot_pml4
boot_pml5:
	.quad boot_pml4 + 3		/* present, writable */
	.fill 511, 8, 0
boot_pml4:
	.quad boot_pdpt + 3
	.fill 511, 8, 0
boot_pdpt:
	.quad boot_pd + 3, boot_pd + 0x1003, boot_pd + 0x2003, boot_pd + 0x3003
	.fill 508, 8, 0
boot_pd:
	.set i, 0
	.rept 2048
	.quad (i << 21) | 0x83		/* present, writable, 2M */
	.set i, i + 1
	.endr
