/* SPDX-License-Identifier: MIT */
/* RISC-V (RV64) MMU probe: constants shared by boot.S, probe.c and (by value)
 * scripts/verify.py. */
#ifndef PTKIT_MMU_RISCV64_PROBE_H
#define PTKIT_MMU_RISCV64_PROBE_H

/* The parameter blob the harness loads with -device loader (little-endian u64s):
 *   0  magic "PTKPRM01"      8  version (1)      16 satp MODE (8 Sv39, 9 Sv48, 10 Sv57)
 *   24 root PA               32 nstamp           40 ntests
 *   48 menvcfg bits to set (PBMTE, bit 62)       56 reserved
 *   64 nstamp x { pa, len }          (4 KiB aligned)
 *   .. ntests x { va, entry_pa, ops } (entry_pa: PA of the leaf entry or 0;
 *                                       ops: bit n = run access n, see OP_*)         */
#define PARAM_PA 0x80400000
#define PARAM_MAGIC 0x31304d52504b5450 /* "PTKPRM01" */
#define P_MODE 16
#define P_ROOT 24
#define P_NSTAMP 32
#define P_NTESTS 40
#define P_MENVCFG 48
#define P_HDR 64

/* Accesses: 0..2 supervisor, 3..5 user; op % 3: 0 load, 1 store, 2 fetch. */
#define OP_KLOAD 0
#define OP_KSTORE 1
#define OP_KEXEC 2
#define OP_ULOAD 3
#define OP_USTORE 4
#define OP_UEXEC 5

/* Every stamped page holds its own physical address in each 8-byte word, except the word
 * at EXEC_OFF, which holds `ret` (jalr x0, 0(ra) = 0x00008067): fetches go there. */
#define EXEC_OFF 0xff8
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
