/* SPDX-License-Identifier: MIT */
/* ppc64 MMU probe (POWER9, radix), booted by QEMU powernv9 as its firmware: interrupt
 * vectors (every 0x20 bytes from 0x100 to 0x2000, all in real mode), the entry at 0x10,
 * probe_op() and the problem-state stub. */
#include "probe.h"

#define LA(r, sym) lis r, sym@h; ori r, r, sym@l	/* absolute address below 2 GiB */

	.section .text.vectors, "ax"
	.globl _vectors
_vectors:
	.org 0x10			/* powernv: the thread starts here (HV, real mode, BE) */
	b _start

	/* Every interrupt: r3 -> SPRG1, r3 = vector offset, to trap_common. */
	.set vec, 0x100
	.rept (0x2000 - 0x100) / 0x20
	.org vec
	mtspr SPR_SPRG1, 3
	li 3, vec
	b trap_common
	.set vec, vec + 0x20
	.endr

	.text
	.globl _start
_start:
	LA(1, kstack_top)
	li 0, 0
	stdu 0, -128(1)
	LA(2, .TOC.)
	bl probe_main		/* never returns */
	nop
1:	b 1b

/* Interrupts, in real mode with MSR[PR]=0 (MSR[HV] stays 1). During an access (in_test):
 * the sc at user_done is the problem-state stub's way back (result in SPRG1); anything else
 * is recorded in probe_fault*. Either way resume at probe_done in the caller's MSR. */
trap_common:
	LA(4, in_test)
	ld 5, 0(4)
	cmpdi 5, 0
	beq 9f
	mfsrr0 6
	cmpdi 3, 0xc00
	bne 1f
	LA(7, user_done)
	addi 7, 7, 4
	cmpd 6, 7
	bne 1f
	mfspr 3, SPR_SPRG1	/* result of the user access */
	LA(4, probe_fault)
	li 5, 0
	std 5, 0(4)
	b 2f
1:	LA(4, probe_fault)
	li 5, 1
	std 5, 0(4)
	std 3, 8(4)		/* vector */
	mfdsisr 5
	std 5, 16(4)
	mfdar 5
	std 5, 24(4)
	std 6, 32(4)		/* SRR0 */
	mfsrr1 5
	std 5, 40(4)
	li 3, 0
2:	LA(4, kmsr)
	ld 5, 0(4)
	mtsrr1 5
	LA(4, probe_done)
	mtsrr0 4
	rfid
9:	/* unexpected: print and power off, in real mode on the interrupt stack */
	LA(1, istack_top)
	li 0, 0
	stdu 0, -128(1)
	LA(2, .TOC.)
	mfsrr0 4
	mfsrr1 5
	mfdar 6
	mfdsisr 7
	mfspr 8, 314		/* HSRR0 */
	mfspr 9, 315		/* HSRR1 */
	bl trap_unexpected
	nop
8:	b 8b

/* uint64_t probe_op(int op, uint64_t addr, int user, uint64_t val): one access with
 * MSR[PR]=0 (user = 0) or PR=1; op 0 load, 1 store (writes val, the value a load of addr
 * returned, so RAM is unchanged), 2 fetch (calls the blr at addr). Returns the loaded value
 * or 0. An interrupt lands in trap_common, which records it and resumes at probe_done. */
	.globl probe_op
probe_op:
	mflr 0
	std 0, 16(1)
	stdu 1, -128(1)
	LA(7, saved_sp)
	std 1, 0(7)
	LA(7, probe_fault)
	li 8, 0
	std 8, 0(7)
	mfmsr 8
	LA(7, kmsr)
	std 8, 0(7)
	LA(7, in_test)
	li 9, 1
	std 9, 0(7)
	/* Every access walks the tree: rewriting PIDR makes QEMU flush its TLB (otherwise a
	 * fetch could hit a translation a load cached, with the load's permissions, e.g.
	 * execute on a non-idempotent I/O page). */
	mfspr 9, SPR_PIDR
	mtspr SPR_PIDR, 9
	isync
	cmpdi 5, 0
	bne 3f
	cmpdi 3, 0
	beq 1f
	cmpdi 3, 1
	beq 2f
	mtctr 4			/* fetch: the target is a blr */
	bctrl
	li 3, 0
	b probe_done
1:	ld 3, 0(4)
	b probe_done
2:	std 6, 0(4)
	li 3, 0
	b probe_done
3:	LA(7, user_entry)	/* rfid to problem state */
	mtsrr0 7
	ori 8, 8, MSR_PR
	mtsrr1 8
	rfid

	.globl probe_done
probe_done:
	LA(7, in_test)
	li 8, 0
	std 8, 0(7)
	LA(7, saved_sp)
	ld 1, 0(7)
	addi 1, 1, 128
	ld 0, 16(1)
	mtlr 0
	blr

/* The user page (mapped r,x,user by the harness): r3 = op, r4 = address, r6 = value to
 * store; back through the sc at user_done (a fault returns through its own interrupt). */
	.section .user, "ax"
user_entry:
	cmpdi 3, 0
	beq 1f
	cmpdi 3, 1
	beq 2f
	mtctr 4
	bctrl
	li 3, 0
	b user_done
1:	ld 3, 0(4)
	b user_done
2:	std 6, 0(4)
	li 3, 0
user_done:
	sc

	.bss
	.align 4
saved_sp:	.quad 0
in_test:	.quad 0
kmsr:		.quad 0
	.globl probe_fault
probe_fault:	.quad 0, 0, 0, 0, 0, 0	/* flag, vector, DSISR, DAR, SRR0, SRR1 */
	.align 12
	.globl ptab, prtab, part_root, part_pud
ptab:	.skip 4096		/* partition table (PATS = 0: 4 KiB, 256 LPIDs) */
prtab:	.skip 4096		/* process table (PRTS = 0: 4 KiB, 256 PIDs) */
part_pud:	.skip 4096	/* partition-scoped tree of LPID 0: one 1G identity leaf */
	.align 16
part_root:	.skip 65536
kstack:	.skip 16384
kstack_top:
istack:	.skip 8192
istack_top:
