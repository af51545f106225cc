/* SPDX-License-Identifier: MIT */
/* pt_translate for one format: seek, then combine the rights of every level. */
#include "walk/walk_tmpl.h"

#include <ptkit/ops.h>

static int o_translate(struct pt_mm *mm, uint64_t va, struct pt_translation *tr)
{
	struct mm_walk_state st;
	uint32_t allow = ~0u;
	uint64_t size;

	mm_walk_init(&st, mm);
	tr->entry = 0;
	tr->pa = tr->leaf_pa = tr->leaf_va = 0;
	tr->size = tr->group = 0;
	tr->prot = tr->pkey = 0;
	if (!w_seek(&st, mm, va)) {
		tr->level = st.level;
		tr->entry = st.entry;
		return st.err ? st.err : -PT_ENOENT;
	}
	for (int l = W_TOP; l > st.level; l--)
		allow &= fmt_table_allow(st.path[l].entry, l);
	size = w_span(st.level);
	tr->level = st.level;
	tr->entry = st.entry;
	tr->size = size;
	tr->group = size * w_group(st.entry, st.level);
	tr->leaf_pa = w_leaf_pa(st.entry, st.level, va);
	tr->leaf_va = va & ~(size - 1);
	tr->pa = tr->leaf_pa + (va & (size - 1));
	tr->prot = fmt_leaf_prot(st.entry, st.level) & allow;
	tr->pkey = fmt_leaf_pkey(st.entry);
	return 0;
}
