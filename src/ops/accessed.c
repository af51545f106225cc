/* SPDX-License-Identifier: MIT */
/*
 * pt_set_accessed: mkyoung / mkdirty / clear-young / clear-dirty on whole leaves, for
 * every format through the format hooks. The bits young and dirty touch are found by
 * encoding the same leaf with and without them (encode_leaf), so no format is named
 * here; a result the format's decode does not read back as asked is refused.
 */
#include <ptkit/ops.h>
#include <ptkit/walk.h>

#define AD (PT_YOUNG | PT_DIRTY)

/*
 * The entry e (a leaf at level) with young/dirty as in want: its other bits kept, the
 * bits encode_leaf uses for young/dirty replaced. -PT_EINVAL if decode disagrees.
 */
static int with_ad(const struct pt_format *f, uint64_t e, int level, uint32_t want, uint64_t *mask,
		   uint64_t *bits)
{
	struct pt_entry_info a, b;
	uint32_t base;
	uint64_t enc[4];

	pt_format_decode(f, e, level, &a);
	if (a.kind != PT_ENTRY_LEAF)
		return -PT_EINVAL;
	base = a.prot & ~(uint32_t)(AD | PT_CONTIG);
	for (unsigned i = 0; i < 4; i++) {
		uint32_t p = base | ((i & 1) ? PT_YOUNG : 0) | ((i & 2) ? PT_DIRTY : 0);
		/* pa: the leaf's own frame (group members differ only below the group size) */
		if (f->ops.encode_leaf(a.pa & ~(pt_level_size(f, level) - 1), level, p, &enc[i]))
			return -PT_EINVAL;
	}
	*mask = (enc[0] ^ enc[1]) | (enc[0] ^ enc[2]) | (enc[0] ^ enc[3]);
	*bits = enc[((want & PT_YOUNG) ? 1 : 0) | ((want & PT_DIRTY) ? 2 : 0)] & *mask;
	pt_format_decode(f, (e & ~*mask) | *bits, level, &b);
	if (b.kind != PT_ENTRY_LEAF || b.pa != a.pa || b.pkey != a.pkey ||
	    b.prot != ((a.prot & ~(uint32_t)AD) | want))
		return -PT_EINVAL;
	return 0;
}

int pt_set_accessed(struct pt_mm *mm, uint64_t va, uint64_t size, uint32_t set, uint32_t clear,
		    struct pt_gather *g)
{
	const struct pt_format *f = mm->fmt;
	struct mm_walk_state st;
	bool changed = false;

	if ((set | clear) & ~(uint32_t)AD || (set & clear) || !size || va + size - 1 < va) {
		g->err_va = va;
		return -PT_EINVAL;
	}
	if (!mm->mem->alloc)
		return -PT_EROFS;
	/* Pass 0 checks every leaf, pass 1 writes: a refused leaf leaves the tree untouched. */
	for (int pass = 0; pass < 2; pass++) {
		mm_walk_init(&st, mm);
		for_each_pt_leaf (&st, mm, va, va + size) {
			uint32_t prot = mm_walk_prot(&st), want = ((prot & AD) & ~clear) | set;
			uint64_t mask, bits, old, ne;

			if (want == (prot & AD))
				continue;
			if (with_ad(f, st.entry, st.level, want, &mask, &bits)) {
				g->err_va = mm_walk_leaf_va(&st);
				return -PT_EINVAL;
			}
			if (!pass)
				continue;
			/* CAS: hardware may set A/D meanwhile; keep what it set, apply ours. */
			old = pt_entry_order(f, st.entry);
			do {
				ne = pt_entry_order(f, (pt_entry_order(f, old) & ~mask) | bits);
				if (mm->mem->store)
					mm->mem->store(mm->mem,
						       mm->mem->base +
							       (uint64_t)(st.ptep - mm->mem->bytes),
						       pt_entry_order(f, ne));
			} while (!__atomic_compare_exchange_n((uint64_t *)(void *)st.ptep, &old, ne,
							      false, __ATOMIC_ACQ_REL,
							      __ATOMIC_ACQUIRE));
			changed = true;
			if (clear) /* a TLB may cache the young / dirty state: it must go */
				pt_gather_range(g, mm_walk_leaf_va(&st),
						mm_walk_leaf_va(&st) + mm_walk_leaf_size(&st) - 1);
		}
		if (st.err) {
			g->err_va = st.va;
			return st.err;
		}
	}
	if (changed)
		pt_mm_bump_gen(mm);
	return 0;
}
