/* SPDX-License-Identifier: MIT */
/* AArch64 probe glue shared by the harness-driven probe (probe.c) and the freestanding one
 * (../aarch64-fs): serial port, power off, fault record, turning the MMU on. */
#ifndef PTKIT_MMU_AARCH64_ARCH_H
#define PTKIT_MMU_AARCH64_ARCH_H

#include <stdint.h>

#include "../common/common.h"
#include "probe.h"

#define SYSREG_READ(name)                                                                          \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("mrs %0, " #name : "=r"(v_));                                     \
		v_;                                                                                \
	})
#define SYSREG_WRITE(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)))

/* The record of the last faulting probe_op (boot.S). */
extern volatile uint64_t probe_fault, probe_fault_ec, probe_fault_esr, probe_fault_far,
	probe_fault_elr;

/* PSCI SYSTEM_OFF: QEMU exits with status 0 (success is in the output). */
__attribute__((noreturn)) void poweroff(void);

/*
 * Print the PROBE line's CPU part, check that the CPU implements the granule (1 << gshift)
 * and VA size (per half), program MAIR/TCR/TTBR0/TTBR1 (root1 0: no upper half) and turn
 * the EL1&0 stage-1 MMU on (HA = HD = 0, PAN = 0, WXN = 0). A CPU that lacks what is asked
 * for prints `UNSUPPORTED <reason>` and powers off.
 */
void arm_mmu_on(unsigned gshift, unsigned vabits, int pa52, uint64_t root, uint64_t root1);

#endif
