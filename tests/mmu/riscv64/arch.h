/* SPDX-License-Identifier: MIT */
/* RISC-V probe glue shared by the harness-driven probe (probe.c) and the freestanding one
 * (../riscv64-fs): M-mode setup and services (print, power off), the S-mode side of the
 * serial output, the fault record. */
#ifndef PTKIT_MMU_RISCV64_ARCH_H
#define PTKIT_MMU_RISCV64_ARCH_H

#include <stdint.h>

#include "../common/common.h"
#include "probe.h"

#define csr_read(csr)                                                                              \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("csrr %0, " #csr : "=r"(v_));                                     \
		v_;                                                                                \
	})
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" : : "r"((uint64_t)(v)) : "memory")

/* boot.S */
extern void enter_s(void (*entry)(void)) __attribute__((noreturn));
extern void s_trap(void);
extern volatile uint64_t probe_fault, probe_fault_cause, probe_fault_tval, probe_fault_epc,
	probe_fault_spp;

/* What M-mode found, for the PROBE line (S-mode cannot read misa, menvcfg, medeleg). */
extern volatile uint64_t m_misa, m_menvcfg, m_medeleg;

/* M-mode: n bytes of s to the UART; power off (sifive_test: 0 = QEMU exits 0). */
void m_puts(const char *s, uint64_t n);
__attribute__((noreturn)) void m_poweroff(uint64_t code);

/* M-mode: open PMP over everything, delegate exceptions to S-mode (s_trap), set menvcfg
 * bits (Svpbmt PBMTE), satp = 0. */
void m_setup(uint64_t menvcfg);

/* S-mode: power off through the M-mode service (sifive_test: code 0 = QEMU exits 0). */
__attribute__((noreturn)) void poweroff(uint64_t code);

#endif
