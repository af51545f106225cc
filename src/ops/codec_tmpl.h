/* SPDX-License-Identifier: MIT */
/* Entry decode/encode for one format, exposed for tools and golden-vector tests. */
#include "walk/walk_tmpl.h"

static void o_decode(uint64_t e, int level, struct pt_entry_info *info)
{
	const char *why = 0;

	info->kind = fmt_kind(e, level, &why);
	info->why = why;
	info->pa = 0;
	info->prot = 0;
	info->pkey = 0;
	info->contig = 1;
	if (info->kind == PT_ENTRY_TABLE) {
		info->pa = fmt_table_pa(e, level);
		info->prot = fmt_table_allow(e, level);
	} else if (info->kind == PT_ENTRY_LEAF) {
		info->pa = fmt_leaf_pa(e, level);
		info->prot = fmt_leaf_prot(e, level);
		info->pkey = fmt_leaf_pkey(e);
		info->contig = w_group(e, level);
	}
}

static uint32_t o_leaf_prot(uint64_t e, int level)
{
	uint32_t p = 0;
#define O_PROT_CASE(K, L)                                                                          \
	case K:                                                                                    \
		p = fmt_leaf_prot(e, L);                                                           \
		break;
	W_LEVEL_SWITCH(level, O_PROT_CASE)
#undef O_PROT_CASE
	return p;
}

static int o_encode_leaf(uint64_t pa, int level, uint32_t prot, uint64_t *entry)
{
	if (level < 0 || level >= FMT_LEVELS || !fmt_leaf_ok(level) || (pa & (w_span(level) - 1)) ||
	    (FMT_PA_BITS < 64 && (pa >> FMT_PA_BITS)) || (prot & ~(uint32_t)PT_PROT_REQUEST) ||
	    fmt_prot_check(prot))
		return -PT_EINVAL;
	*entry = fmt_make_leaf(pa, level, prot, 0);
	return 0;
}

static uint64_t o_leaf_set_ad(uint64_t e, int level, uint32_t want)
{
	return fmt_leaf_set_ad(e, level, want);
}

static uint64_t o_encode_table(uint64_t pa, int level)
{
	return fmt_make_table(pa, level);
}
