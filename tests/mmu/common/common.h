/* SPDX-License-Identifier: MIT */
/* What every bare-metal MMU probe shares (tests/mmu/<arch>/, tests/mmu/<arch>-fs/): text
 * output on the serial port and the access loop of the harness-driven probes. The
 * architecture supplies the character output, the access itself (boot.S) and the record
 * of the last fault. */
#ifndef PTKIT_MMU_COMMON_H
#define PTKIT_MMU_COMMON_H

#include <stdbool.h>
#include <stdint.h>

/* From the architecture (arch.c): one character to the serial port. */
void putc_(char c);
/* Hex (no 0x) and decimal numbers, strings: through putc_. */
void puts_(const char *s);
void puthex(uint64_t v);
/* The same through another character output (e.g. RISC-V M-mode's own UART access). */
void puthex_to(void (*out)(char), uint64_t v);
void putdec(uint64_t v);

/* The six accesses of a test VA: 0..2 kernel, 3..5 user; op % 3: 0 load, 1 store, 2 fetch. */
extern const char *const op_name[6];

/* From boot.S: one access at addr (a store writes val); the loaded value or 0. A fault is
 * caught by the exception handler and recorded (probe_faulted / probe_print_fault). */
uint64_t probe_op(int op, uint64_t addr, int user, uint64_t val);
/* From arch.c: did the last probe_op fault; print its record (` <f1> <f2> ...`). */
bool probe_faulted(void);
void probe_print_fault(void);

/*
 * The harness-driven probes (scripts/verify.py): for each of ntests records { va,
 * entry_pa, ops } at t, the accesses that ops selects, printed as
 *   T <test> <va> <entry-before>
 *   A <test> <op> ok <value> <entry>    |    A <test> <op> fault <record> <entry>
 * then `DONE <ntests>`. exec_off: page offset of the instruction a fetch calls. A store
 * writes back what the load before it read, so memory is left as it was.
 */
void probe_run_tests(const volatile uint64_t *t, uint64_t ntests, uint64_t exec_off);

#endif
