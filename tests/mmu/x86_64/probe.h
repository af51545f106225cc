/* SPDX-License-Identifier: MIT */
/* x86_64 MMU probe: constants shared by boot.S, probe.c and (by value) scripts/verify.py. */
#ifndef PTKIT_MMU_X86_64_PROBE_H
#define PTKIT_MMU_X86_64_PROBE_H

#include "../common/params.h"

/* The parameter blob the harness loads with -device loader (little-endian u64s; the common
 * words: ../common/params.h): 16 flags (bit 0: LA57), 24 root = CR3, 48 and 56 reserved.
 * Stamped ranges lie below 4 GiB. */
#define PARAM_PA 0x400000
#define PARAM_MAGIC_LO 0x504b5450 /* "PTKP" */
#define PARAM_MAGIC_HI 0x31304d52 /* "RM01" */
#define P_FLAGS 16
#define PFLAG_LA57 1

/* The byte at EXEC_OFF of a stamped page is 0xc3 (ret). */

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23
#define SEL_TSS 0x28

#define USER_STACK_TOP 0x200000

/* isa-debug-exit at port 0xf4: QEMU exits with status (value << 1) | 1. */
#define EXIT_PORT 0xf4
#define EXIT_OK 0x10	   /* -> 33 */
#define EXIT_FAIL 0x11	   /* -> 35 */
#define EXIT_BADPARAM 0x12 /* -> 37 */

#endif
