/* SPDX-License-Identifier: MIT */
/* ppc64 (POWER9, radix) MMU probe: constants shared by boot.S, probe.c and (by value)
 * scripts/verify.py. */
#ifndef PTKIT_MMU_PPC64_PROBE_H
#define PTKIT_MMU_PPC64_PROBE_H

#include "../common/params.h"

/* The parameter blob the harness loads with -device loader (BIG-endian u64s; the common
 * words: ../common/params.h): 16 config (page shift: 12 or 16), 24 root = the process tree
 * (quadrant 0, PID 1), 48 root1 = the kernel tree (quadrant 3, PID 0; 0 = none). */
#define PARAM_PA 0x400000
#define PARAM_MAGIC 0x50544b50524d3031 /* "PTKPRM01" read big-endian */
#define P_CONFIG 16
#define P_ROOT1 48

/* The word at EXEC_OFF of a stamped page starts with `blr`. */
#define INSN_BLR 0x4e800020

/* The PID the process tree (quadrant 0) is installed under. */
#define PROBE_PID 1

/* powernv9 devices, real addresses (LPC bus of chip 0: ISA I/O space at LPCM + 0xd0010000). */
#define LPC_IO 0x00060300d0010000ull
#define UART_PORT 0x3f8
#define IB700_PORT                                                                                 \
	0x443 /* ib700 watchdog: writing 15 arms a 0 s timeout (-action watchdog=poweroff) */

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
