/* SPDX-License-Identifier: MIT */
/* ppc64 (POWER9, radix) MMU probe: constants shared by boot.S, probe.c and (by value)
 * scripts/verify.py. */
#ifndef PTKIT_MMU_PPC64_PROBE_H
#define PTKIT_MMU_PPC64_PROBE_H

/* The parameter blob the harness loads with -device loader (BIG-endian u64s):
 *   0  magic "PTKPRM01"      8  version (1)      16 config (page shift: 12 or 16)
 *   24 root PA (process tree, quadrant 0, PID 1)  32 nstamp           40 ntests
 *   48 root1 PA (kernel tree, quadrant 3, PID 0; 0 = none)           56 reserved
 *   64 nstamp x { pa, len }          (4 KiB aligned)
 *   .. ntests x { va, entry_pa, ops } (entry_pa: PA of the leaf entry or 0;
 *                                       ops: bit n = run access n, see OP_*)         */
#define PARAM_PA 0x400000
#define PARAM_MAGIC 0x50544b50524d3031 /* "PTKPRM01" read big-endian */
#define P_CONFIG 16
#define P_ROOT 24
#define P_NSTAMP 32
#define P_NTESTS 40
#define P_ROOT1 48
#define P_HDR 64

/* Accesses: 0..2 privileged (MSR[PR]=0), 3..5 problem state (PR=1); op % 3: 0 load,
 * 1 store, 2 fetch. */
#define OP_KLOAD 0
#define OP_KSTORE 1
#define OP_KEXEC 2
#define OP_ULOAD 3
#define OP_USTORE 4
#define OP_UEXEC 5

/* Every stamped page holds its own physical address in each 8-byte word, except the word
 * at EXEC_OFF, which starts with `blr` (0x4e800020): fetches go there. */
#define EXEC_OFF 0xff8
#define INSN_BLR 0x4e800020

/* The PID the process tree (quadrant 0) is installed under. */
#define PROBE_PID 1

/* powernv9 devices, real addresses (LPC bus of chip 0: ISA I/O space at LPCM + 0xd0010000). */
#define LPC_IO 0x00060300d0010000ull
#define UART_PORT 0x3f8
#define IB700_PORT 0x443 /* ib700 watchdog: writing 15 arms a 0 s timeout (-action watchdog=poweroff) */

/* MSR and SPR bits (Power ISA 3.0B; host bit numbers). */
#define MSR_PR 0x4000
#define MSR_IR 0x20
#define MSR_DR 0x10
#define SPR_SRR0 26
#define SPR_SRR1 27
#define SPR_DAR 19
#define SPR_DSISR 18
#define SPR_SPRG1 273
#define SPR_PIDR 48
#define SPR_LPCR 318
#define SPR_LPIDR 319
#define SPR_PTCR 464
#define SPR_AMR 13
#define SPR_IAMR 61
#define SPR_PVR 287
#define LPCR_UPRT (1ull << 22) /* ISA 41: use the process table */
#define LPCR_HR (1ull << 20)   /* ISA 43: host radix */

#endif
