// SPDX-License-Identifier: MIT
/* mm_split_huge: a huge folio and its leaf become folios and leaves one step smaller. */
#include "mm_internal.h"

int mm_split_huge(struct mm *mm, uint64_t va)
{
	const struct pt_format *f = mm->pt.fmt;
	const struct mm_vma *vma;
	struct mm_walk_state st;
	struct mm_page *h;
	struct pt_gather g;
	uint64_t lsize, gsize, gpa, hpa, new_size;
	unsigned new_order = 0;
	uint32_t one = 1;
	int err;

	mm__enter(mm, "mm_split_huge");
	vma = mm_find_vma(mm, va);
	if (!vma) {
		err = mm__fail(-PT_ENOENT, va, "split: no VMA");
		goto out;
	}
	if (vma->kind == MM_VMA_HUGETLB || vma->kind == MM_VMA_PFNMAP) {
		err = mm__fail(-PT_EINVAL, va,
			       vma->kind == MM_VMA_HUGETLB ? "split: hugetlb folios cannot be split"
							   : "split: a PFN map has no folio");
		goto out;
	}
	mm_walk_init(&st, &mm->pt);
	if (!mm_walk_seek_leaf(&st, &mm->pt, va)) {
		err = mm__fail(st.err ? st.err : -PT_ENOENT, va, "split: not mapped");
		goto out;
	}
	lsize = mm_walk_leaf_size(&st);
	gsize = mm_walk_group_size(&st);
	gpa = mm_walk_leaf_pa(&st) - ((st.va & ~(lsize - 1)) & (gsize - 1));
	if (gsize > lsize)
		new_size = lsize; /* a group: its members become folios */
	else if (st.level > 0 && f->leaf_ok[st.level - 1])
		new_size = pt_level_size(f, st.level - 1);
	else {
		err = mm__fail(-PT_EINVAL, va, "split: the leaf is already the smallest page");
		goto out;
	}
	h = mm_folio_of(mm->pfdb, gpa, &hpa);
	if (!h || hpa != gpa || (mm->page_size << h->order) != gsize ||
	    __atomic_load_n(&h->mapcount, __ATOMIC_RELAXED) != 1ull << h->order) {
		err = mm__fail(-PT_EINVAL, va, "split: the leaf does not map one whole folio");
		goto out;
	}
	while ((mm->page_size << new_order) < new_size)
		new_order++;
	if (mm_folio_pinned(h)) {
		err = mm__fail(-MM_EBUSY, va, "split: the folio is pinned");
		goto out;
	}
	err = mm_folio_split_prepare(mm->pfdb, h, new_order);
	if (err) {
		mm__fail(err, va, "split: no memory for the frame descriptors");
		goto out;
	}
	/* Freeze (refcount 1 -> 0): GUP-fast's try-get now fails instead of racing us. */
	if (!__atomic_compare_exchange_n(&h->refcount, &one, 0, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED)) {
		err = mm__fail(-MM_EBUSY, va,
			       "split: the folio has references besides its mapping");
		goto out;
	}
	mm__gather_init(mm, &g);
	err = pt_split_leaf(&mm->pt, va, &g, NULL);
	if (err) {
		__atomic_store_n(&h->refcount, 1, __ATOMIC_RELEASE);
		mm__fail(err, va, "split: cannot split the leaf");
	} else {
		mm_folio_split_commit(mm->pfdb, h, new_order);
	}
	pt_gather_flush(&g);
	mm__sync_tables(mm);
out:
	return mm__leave(mm, err);
}
