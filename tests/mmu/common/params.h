/* SPDX-License-Identifier: MIT */
/* What the parameter blobs of all harness-driven probes share (each <arch>/probe.h gives
 * its own layout of the words 16..63 and includes this; scripts/verify.py writes the blob):
 *   0 magic "PTKPRM01"   8 version (1)   24 root   32 nstamp   40 ntests
 *   64 nstamp x { pa, len }          (4 KiB aligned)
 *   .. ntests x { va, entry_pa, ops } (entry_pa: PA of the leaf entry or 0;
 *                                       ops: bit n = run access n, see OP_*)
 * Included by assembler too: definitions only. */
#ifndef PTKIT_MMU_COMMON_PARAMS_H
#define PTKIT_MMU_COMMON_PARAMS_H

#define P_ROOT 24
#define P_NSTAMP 32
#define P_NTESTS 40
#define P_HDR 64

/* Accesses: 0..2 kernel, 3..5 user; op % 3: 0 load, 1 store, 2 fetch. */
#define OP_KLOAD 0
#define OP_KSTORE 1
#define OP_KEXEC 2
#define OP_ULOAD 3
#define OP_USTORE 4
#define OP_UEXEC 5

/* Every stamped 4 KiB page holds its own physical address in each 8-byte word, except the
 * word at EXEC_OFF, which holds the architecture's return instruction: fetches go there. */
#define EXEC_OFF 0xff8

#endif
