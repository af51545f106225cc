/* SPDX-License-Identifier: MIT */
/* AArch64 MMU probe: constants shared by boot.S, probe.c and (by value) scripts/verify.py. */
#ifndef PTKIT_MMU_AARCH64_PROBE_H
#define PTKIT_MMU_AARCH64_PROBE_H

/* Memory map of QEMU's `virt` machine that the probe relies on (see link.ld):
 *   0x09000000  PL011 UART (identity mapped as device by the harness)
 *   0x40000000  RAM; QEMU puts the DTB here (below the probe)
 *   0x40200000  probe kernel text/data/bss/stacks (1 MiB)
 *   0x40300000  user text (64 KiB), 0x40310000 user stack (64 KiB)
 *   0x40400000  parameter blob (up to 4 MiB), 0x41000000 page tables (ptkit build --base) */
#define UART_BASE 0x09000000
#define USER_STACK_TOP 0x40320000

#include "../common/params.h"

/* The parameter blob the harness loads with -device loader (little-endian u64s; the common
 * words: ../common/params.h): 16 config: bits 7:0 granule shift (12/14/16), bits 15:8 VA
 * bits per half, bit 16: 52-bit OA; 24 root = TTBR0_EL1; 48 root1 = TTBR1_EL1 (0: none). */
#define PARAM_PA 0x40400000
#define PARAM_MAGIC 0x31304d52504b5450 /* "PTKPRM01" */
#define P_CONFIG 16
#define P_ROOT1 48

/* The low half of the word at EXEC_OFF of a stamped page: `ret`. */
#define INSN_RET 0xd65f03c0

/* What the probe prints for a fault: EC, and ESR_EL1 & ESR_MASK (IL, FnV, EA, CM, S1PTW,
 * WnR, xFSC: ISV and the instruction syndrome are IMPLEMENTATION DEFINED at EL1). */
#define ESR_MASK 0x020007ff

#define PSCI_SYSTEM_OFF 0x84000008

#endif
