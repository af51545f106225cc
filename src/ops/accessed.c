/* SPDX-License-Identifier: MIT */
/*
 * pt_set_accessed: mkyoung / mkdirty / clear-young / clear-dirty on whole leaves, for
 * every format through the format hooks. Which bits say young and dirty, and what a clean
 * writable leaf looks like, is the format's leaf_set_ad fact, so no format is named here;
 * a result the format's decode does not read back as asked is refused.
 */
#include <ptkit/ops.h>
#include <ptkit/walk.h>

#define AD (PT_YOUNG | PT_DIRTY)

/* The young / dirty state leaf e gets: its own with clear taken away and set added. */
static uint32_t want_of(const struct pt_format *f, uint64_t e, int level, uint32_t set,
			uint32_t clear)
{
	return ((f->ops.leaf_prot(e, level) & AD) & ~clear) | set;
}

/* The entry e (a leaf at level) with young/dirty as in want, in *ne. -PT_EINVAL if the
 * format's decode does not read it back as the same leaf with that state. */
static int with_ad(const struct pt_format *f, uint64_t e, int level, uint32_t want, uint64_t *ne)
{
	struct pt_entry_info a, b;

	pt_format_decode(f, e, level, &a);
	if (a.kind != PT_ENTRY_LEAF)
		return -PT_EINVAL;
	*ne = f->ops.leaf_set_ad(e, level, want);
	pt_format_decode(f, *ne, level, &b);
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
			uint64_t old, ne;

			if (want == (prot & AD))
				continue;
			if (with_ad(f, st.entry, st.level, want, &ne)) {
				g->err_va = mm_walk_leaf_va(&st);
				return -PT_EINVAL;
			}
			if (!pass)
				continue;
			/* CAS: hardware may set A/D meanwhile; keep what it set, apply ours. */
			old = pt_entry_order(f, st.entry);
			do {
				uint64_t e = pt_entry_order(f, old);

				ne = pt_entry_order(
					f, f->ops.leaf_set_ad(e, st.level,
							      want_of(f, e, st.level, set, clear)));
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
						mm_walk_leaf_va(&st) + mm_walk_leaf_size(&st) - 1,
						PT_GATHER_LEAF(st.level));
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
