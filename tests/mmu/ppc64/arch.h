/* SPDX-License-Identifier: MIT */
/* ppc64 (POWER9 radix) probe glue shared by the harness-driven probe (probe.c) and the
 * freestanding one (../ppc64-fs): serial port and power off through the LPC bus, the fault
 * record, and turning radix translation on with two trees. */
#ifndef PTKIT_MMU_PPC64_ARCH_H
#define PTKIT_MMU_PPC64_ARCH_H

#include <stdint.h>

#include "../common/common.h"
#include "probe.h"

#define mfspr(n)                                                                                   \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("mfspr %0, %1" : "=r"(v_) : "i"(n));                              \
		v_;                                                                                \
	})
#define mtspr(n, v) __asm__ volatile("mtspr %0, %1" : : "i"(n), "r"((uint64_t)(v)) : "memory")

static inline uint64_t mfmsr(void)
{
	uint64_t v;
	__asm__ volatile("mfmsr %0" : "=r"(v));
	return v;
}
static inline void mtmsrd(uint64_t v)
{
	__asm__ volatile("mtmsrd %0; isync" : : "r"(v) : "memory");
}

/* The record of the last faulting probe_op (boot.S): flag, vector, DSISR, DAR, SRR0, SRR1. */
extern volatile uint64_t probe_fault[6];

/* ib700 watchdog with a 0 s timeout: QEMU powers off (-action watchdog=poweroff), status 0. */
__attribute__((noreturn)) void poweroff(void);

/*
 * Partition table entry 0 (host radix, the process table), process table (PID 0: root1,
 * the kernel tree for quadrant 3, if not 0; PID PROBE_PID: root, quadrant 0), PTCR,
 * LPCR[HR|UPRT], PIDR = PROBE_PID, AMR = IAMR = 0, then MSR[IR|DR] on.
 */
void radix_on(uint64_t root, uint64_t root1);
/* ` pvr <PVR> msr <MSR> lpcr <LPCR> ptcr <PTCR> pidr <PIDR>`, for the PROBE line. */
void radix_print_state(void);

#endif
