/* SPDX-License-Identifier: MIT */
/*
 * fmt_mem_attr_reg / fmt_leaf_mem_type of a format whose leaves hold their memory type
 * themselves (riscv Svpbmt PBMT, ppc64 radix ATT): no register to go through. Included by
 * such a format header after its fmt_leaf_prot.
 */
#ifndef PTKIT_FMT_NO_MEM_ATTR_H
#define PTKIT_FMT_NO_MEM_ATTR_H

static inline const char *fmt_mem_attr_reg(uint64_t *own)
{
	*own = 0;
	return 0;
}

static inline uint32_t fmt_leaf_mem_type(uint64_t e, int level, uint64_t attr)
{
	(void)attr;
	return fmt_leaf_prot(e, level) & (PT_DEVICE | PT_NOCACHE);
}

#endif
