/* SPDX-License-Identifier: MIT */
/* x86_64 probe glue shared by the harness-driven probe (probe.c) and the freestanding one
 * (../x86_64-fs): COM1, isa-debug-exit, IDT/TSS, the fault record. */
#ifndef PTKIT_MMU_X86_64_ARCH_H
#define PTKIT_MMU_X86_64_ARCH_H

#include <stdint.h>

#include "../common/common.h"
#include "probe.h"

/* The record of the last faulting probe_op (boot.S). */
extern volatile uint64_t probe_fault, probe_fault_vec, probe_fault_err, probe_fault_rip,
	probe_fault_cr2;

/* isa-debug-exit: QEMU exits with status (code << 1) | 1 (EXIT_OK -> 33). */
__attribute__((noreturn)) void poweroff(uint32_t code);

/* IDT for the 32 exception vectors (boot.S's isr_table), TSS with the ring-0 stack. */
void setup_cpu(void);

/* CPUID.80000001H:EDX.Page1GB and CPUID.7:ECX.LA57, for the PROBE line. */
void print_cpuid(void);

#endif
