/* SPDX-License-Identifier: MIT */
/* RISC-V (RV64) MMU probe: constants shared by boot.S, probe.c and (by value)
 * scripts/verify.py. */
#ifndef PTKIT_MMU_RISCV64_PROBE_H
#define PTKIT_MMU_RISCV64_PROBE_H

#include "../common/params.h"

/* The parameter blob the harness loads with -device loader (little-endian u64s; the common
 * words: ../common/params.h): 16 satp MODE (8 Sv39, 9 Sv48, 10 Sv57), 24 root PA, 48
 * menvcfg bits to set (PBMTE, bit 62), 56 reserved. */
#define PARAM_PA 0x80400000
#define PARAM_MAGIC 0x31304d52504b5450 /* "PTKPRM01" */
#define P_MODE 16
#define P_MENVCFG 48

/* The word at EXEC_OFF of a stamped page: `ret` (jalr x0, 0(ra)). */
#define INSN_RET 0x00008067

/* Machine-mode services, requested from S-mode with ecall (a7 = service). */
#define SBI_PUTS 1     /* a0 = string (identity mapped), a1 = length */
#define SBI_POWEROFF 2 /* a0 = exit code for QEMU */

/* Devices of QEMU's virt machine (physical addresses, used from M-mode only). */
#define UART_BASE 0x10000000
#define SIFIVE_TEST 0x100000
/* sifive_test: 0x5555 = pass (QEMU exits 0), (code << 16) | 0x3333 = fail (exits code). */
#define EXIT_OK 0
#define EXIT_FAIL 3
#define EXIT_BADPARAM 5

#endif
