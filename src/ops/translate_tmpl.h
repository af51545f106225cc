/* SPDX-License-Identifier: MIT */
/* pt_translate for one format: seek, then combine the rights of every level. */
#include "walk/walk_tmpl.h"

#include <ptkit/ops.h>

/* Fill tr for leaf e at `level` mapping va, with the rights `allow` of the tables above. */
W_INLINE void o_translation(struct pt_translation *tr, uint64_t e, int level, uint64_t va,
			    uint32_t allow)
{
	uint64_t size = w_span(level);

	tr->level = level;
	tr->entry = e;
	tr->size = size;
	tr->group = size * w_group(e, level);
	tr->leaf_pa = w_leaf_pa(e, level, va);
	tr->leaf_va = va & ~(size - 1);
	tr->pa = tr->leaf_pa + (va & (size - 1));
	tr->prot = fmt_leaf_prot(e, level) & allow;
	tr->pkey = fmt_leaf_pkey(e);
}

/*
 * A tree ptkit built (trusted memory, reads not observed): one walk from the root with
 * the table, entry and rights in registers, every level a compile-time constant. The
 * answer is the general path's, which a foreign image still takes (it checks pointers).
 */
W_INLINE int o_translate_trusted(struct pt_mm *mm, uint64_t va, struct pt_translation *tr)
{
	const struct pt_mem *m = mm->mem;
	const uint8_t *t = m->bytes + (mm->root[FMT_TWO_ROOTS ? fmt_va_half(va) : 0] - m->base);
	uint32_t allow = ~0u;
	const char *why = 0;

#pragma GCC unroll 6
	for (int l = W_TOP; l >= 0; l--) {
		uint64_t e = fmt_load(t + (size_t)w_index(va, l) * 8);
		int kind = fmt_kind(e, l, &why);

		if (kind == PT_ENTRY_TABLE && l > 0) {
			allow &= fmt_table_allow(e, l);
			t = m->bytes + (fmt_table_pa(e, l) - m->base);
			W_CHECK_TRUSTED(m, l - 1, fmt_table_pa(e, l), t);
			continue;
		}
		if (kind != PT_ENTRY_LEAF) {
			tr->pa = tr->leaf_pa = tr->leaf_va = 0;
			tr->size = tr->group = 0;
			tr->prot = tr->pkey = 0;
			tr->level = l;
			tr->entry = e;
			return kind == PT_ENTRY_BAD ? -PT_EBADENT : -PT_ENOENT;
		}
		o_translation(tr, e, l, va, allow);
		return 0;
	}
	return -PT_ENOENT; /* not reached: level 0 always stops */
}

static int o_translate(struct pt_mm *mm, uint64_t va, struct pt_translation *tr)
{
	struct mm_walk_state st;
	uint32_t allow = ~0u;

	if (mm->mem->trusted && !mm->mem->observe && fmt_va_valid(va))
		return o_translate_trusted(mm, va, tr);
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
#define O_LEAF_CASE(K, L)                                                                          \
	case K:                                                                                    \
		o_translation(tr, st.entry, L, va, allow);                                         \
		break;
	W_LEVEL_SWITCH(st.level, O_LEAF_CASE)
#undef O_LEAF_CASE
	return 0;
}
