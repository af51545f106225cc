/* SPDX-License-Identifier: MIT */
/* x86_64 MMU probe: constants shared by boot.S, probe.c and (by value) scripts/verify.py. */
#ifndef PTKIT_MMU_X86_64_PROBE_H
#define PTKIT_MMU_X86_64_PROBE_H

/* The parameter blob the harness loads with -device loader (little-endian u64s):
 *   0  magic "PTKPRM01"      8  version (1)      16 flags (bit 0: LA57)
 *   24 root (CR3)           32 nstamp           40 ntests          48, 56: reserved
 *   64 nstamp x { pa, len }          (4 KiB aligned, below 4 GiB)
 *   .. ntests x { va, entry_pa, ops } (entry_pa: PA of the leaf entry or 0;
 *                                       ops: bit n = run access n, see OP_*)         */
#define PARAM_PA 0x400000
#define PARAM_MAGIC_LO 0x504b5450 /* "PTKP" */
#define PARAM_MAGIC_HI 0x31304d52 /* "RM01" */
#define P_FLAGS 16
#define P_ROOT 24
#define P_NSTAMP 32
#define P_NTESTS 40
#define P_HDR 64
#define PFLAG_LA57 1

/* Accesses: 0..2 supervisor, 3..5 user; op % 3: 0 load, 1 store, 2 fetch. */
#define OP_KLOAD 0
#define OP_KSTORE 1
#define OP_KEXEC 2
#define OP_ULOAD 3
#define OP_USTORE 4
#define OP_UEXEC 5

/* Every stamped page holds its own physical address in each 8-byte word, except the word
 * at EXEC_OFF whose first byte is 0xc3 (ret): instruction fetches go there. */
#define EXEC_OFF 0xff8

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23
#define SEL_TSS 0x28

#define USER_STACK_TOP 0x200000

/* isa-debug-exit at port 0xf4: QEMU exits with status (value << 1) | 1. */
#define EXIT_PORT 0xf4
#define EXIT_OK 0x10     /* -> 33 */
#define EXIT_FAIL 0x11   /* -> 35 */
#define EXIT_BADPARAM 0x12 /* -> 37 */

#endif
