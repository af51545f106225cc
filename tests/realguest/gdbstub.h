// SPDX-License-Identifier: MIT
/*
 * Registers of a QEMU guest's current CPU by name, through QEMU's gdbstub (the GDB remote
 * serial protocol): for what the monitor's 'info registers' does not show, such as arm64
 * TTBR0_EL1 / TTBR1_EL1 or the system registers of other architectures.
 */
#ifndef PTKIT_REALGUEST_GDBSTUB_H
#define PTKIT_REALGUEST_GDBSTUB_H

#include <stdbool.h>
#include <stdint.h>

/* Talk to the gdbstub on socket fd (connected); big_endian: the target's byte order. */
void gdb_attach(int fd, bool big_endian);
/* Register name (as the target description spells it, up to 64 bits). */
uint64_t gdb_read_reg(const char *name);
/* Set register name to value. */
void gdb_write_reg(const char *name, uint64_t value);

/* Provided by the program: report an error (printf-style), clean up and exit 1. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
