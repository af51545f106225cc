/* SPDX-License-Identifier: MIT */
/*
 * The table-rights facts of a format whose table entries carry no permissions (riscv,
 * ppc64 radix): the leaf alone decides. Included by such a format header after its
 * fmt_leaf_prot.
 */
#ifndef PTKIT_FMT_NO_TABLE_RIGHTS_H
#define PTKIT_FMT_NO_TABLE_RIGHTS_H

static inline uint32_t fmt_table_allow(uint64_t e, int level)
{
	(void)e;
	(void)level;
	return ~0u;
}

static inline uint64_t fmt_table_rights(uint64_t e, int level)
{
	(void)e;
	(void)level;
	return 0;
}

static inline uint32_t fmt_leaf_prot_in(uint64_t e, int level, uint64_t rights)
{
	(void)rights;
	return fmt_leaf_prot(e, level);
}

#endif
