/* SPDX-License-Identifier: MIT */
/*
 * fmt_roots_of_table_reg of a format whose root register points at the tree itself (x86 CR3,
 * arm64 TTBRn, riscv satp): there are no tables of roots to read. Included by such a format
 * header.
 */
#ifndef PTKIT_FMT_NO_TABLE_REG_H
#define PTKIT_FMT_NO_TABLE_REG_H

#include <ptkit/format.h>

static inline int fmt_roots_of_table_reg(uint64_t reg, uint64_t lpid, uint64_t pid,
					 pt_phys_read_fn read, void *ctx,
					 struct pt_table_roots *out, const char **why)
{
	(void)reg, (void)lpid, (void)pid, (void)read, (void)ctx, (void)out;
	*why = "not supported by this format: its root register points at the tree itself";
	return -PT_EINVAL;
}

#endif
