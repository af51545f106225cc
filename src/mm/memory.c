// SPDX-License-Identifier: MIT
/*
 * Mapping folios, zapping what a range maps (folio references dropped after the TLB
 * flush), and the default fault handler: new folios, write upgrades, copy-on-write.
 */
#include <stdlib.h>

#include "mm_internal.h"

int mm_map_folio(struct mm *mm, uint64_t va, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct pt_map_req req = {
		.va = va, .pa = pa, .size = size, .prot = prot, .page_sizes = size
	};
	struct mm_page *head = mm_folio_of(mm->pfdb, pa, NULL);
	struct pt_gather g;
	int err;

	mm__assert_held(mm, "mm_map_folio");
	if (!head)
		return mm__fail(-PT_EINVAL, pa, "map_folio: no folio at pa");
	mm__gather_init(mm, &g);
	err = pt_map(&mm->pt, &req, &g);
	pt_gather_flush(&g);
	if (!err)
		__atomic_fetch_add(&head->mapcount, size >> mm->pfdb->page_shift, __ATOMIC_RELAXED);
	return err;
}

struct zap_rec {
	uint64_t pa, pages;
};

int mm__zap_locked(struct mm *mm, uint64_t start, uint64_t end)
{
	struct mm_walk_state st;
	struct zap_rec *recs = NULL;
	size_t nr = 0, cap = 0;
	struct pt_gather g;
	int err = 0;

	/* What is mapped there, before the tables change (leaves of groups one by one). */
	mm_walk_init(&st, &mm->pt);
	for_each_pt_leaf (&st, &mm->pt, start, end) {
		uint64_t lva = mm_walk_leaf_va(&st), size = mm_walk_leaf_size(&st);
		uint64_t s = mm__max(start, lva), e = mm__min(end, lva + size);

		if (mm_walk_is_special(&st))
			continue;
		if (nr == cap) {
			cap = cap ? 2 * cap : 32;
			void *n = realloc(recs, cap * sizeof(*recs));
			if (!n) {
				free(recs);
				return -PT_ENOMEM;
			}
			recs = n;
		}
		recs[nr].pa = mm_walk_leaf_pa(&st) + (s - lva);
		recs[nr].pages = (e - s) >> mm->pfdb->page_shift;
		nr++;
	}
	if (st.err) {
		free(recs);
		return st.err;
	}
	mm__gather_init(mm, &g);
	err = pt_unmap(&mm->pt, start, end - start, &g);
	pt_gather_flush(&g); /* TLB flushed: now the folios may go (like mmu_gather) */
	if (!err) {
		for (size_t i = 0; i < nr; i++) {
			uint64_t pa = recs[i].pa, left = recs[i].pages;
			while (left) {
				uint64_t hpa;
				struct mm_page *h = mm_folio_of(mm->pfdb, pa, &hpa);
				uint64_t in, n;
				if (!h)
					break;
				in = (1ull << __atomic_load_n(&h->order, __ATOMIC_RELAXED)) -
				     ((pa - hpa) >> mm->pfdb->page_shift);
				n = mm__min(left, in);
				if (__atomic_sub_fetch(&h->mapcount, n, __ATOMIC_RELAXED) == 0)
					mm_folio_put(mm->pfdb, h, 1);
				left -= n;
				pa += n << mm->pfdb->page_shift;
			}
		}
	}
	free(recs);
	mm__sync_tables(mm);
	return err;
}

/* ---- the default fault handler ---------------------------------------------------------- */

static unsigned order_of(const struct mm *mm, uint64_t size)
{
	unsigned o = 0;
	while ((mm->page_size << o) < size)
		o++;
	return o;
}

/*
 * May a write to the read-only leaf [fva, fva+size) at pa go to the anonymous folio h in
 * place? Yes when it is exclusive; a shared one (mm_fork) becomes exclusive again when we
 * are its only user: this leaf maps all of it, no other leaf maps any of it (mapcount
 * counts every address space's leaves) and nothing else holds a reference.
 */
static bool anon_reusable(const struct mm *mm, struct mm_page *h, uint64_t hpa, uint64_t pa,
			  uint64_t size)
{
	uint32_t order = __atomic_load_n(&h->order, __ATOMIC_RELAXED);

	if (__atomic_load_n(&h->flags, __ATOMIC_ACQUIRE) & MM_PG_ANON_EXCL)
		return true;
	if (hpa != pa || size != mm->page_size << order ||
	    __atomic_load_n(&h->mapcount, __ATOMIC_RELAXED) != 1ull << order ||
	    __atomic_load_n(&h->refcount, __ATOMIC_ACQUIRE) != 1)
		return false;
	__atomic_fetch_or(&h->flags, MM_PG_ANON_EXCL, __ATOMIC_RELEASE);
	return true;
}

int mm_fault_default(struct mm *mm, const struct mm_vma *vma, uint64_t va, unsigned foll,
		     void *priv)
{
	bool write = foll & FOLL_WRITE;
	bool unshare = (foll & FOLL_UNSHARE) && !write;
	uint32_t flags = vma->kind == MM_VMA_ANON ? MM_PG_ANON_EXCL : MM_PG_FILE;
	struct mm_walk_state st;
	uint64_t size, fva, pa, new_pa;
	uint32_t prot;
	int err;

	(void)priv;
	mm__assert_held(mm, "mm_fault_default");
	if (vma->kind == MM_VMA_PFNMAP)
		return mm__fail(-PT_EFAULT, va, "fault: a PFN map is never faulted in");
	if (write && !(vma->prot & PT_W))
		return mm__fail(-PT_EFAULT, va, "fault: write to a VMA without PT_W");
	if (pt_prot_none(vma->prot))
		return mm__fail(-PT_EFAULT, va, "fault: access to a PROT_NONE VMA");
	mm_walk_init(&st, &mm->pt);
	if (mm_walk_seek_leaf(&st, &mm->pt, va)) {
		struct mm_page *h;
		uint64_t hpa;

		if ((!write && !unshare) || mm_walk_is_write(&st))
			return 0;
		size = mm_walk_group_size(&st);
		fva = va & ~(size - 1);
		pa = mm_walk_leaf_pa(&st) + (fva - mm_walk_leaf_va(&st));
		/* pt_protect keeps young/dirty; pt_set_accessed sets them (mkyoung, mkdirty) */
		prot = (mm_walk_prot(&st) &
			(PT_PROT_REQUEST & ~(uint32_t)(PT_SPECIAL | PT_YOUNG | PT_DIRTY))) |
		       (write ? PT_W : 0);
		h = mm_folio_of(mm->pfdb, pa, &hpa);
		if (!h)
			return -PT_EFAULT;
		if (vma->kind != MM_VMA_ANON || anon_reusable(mm, h, hpa, pa, size)) {
			/* Shared, or ours alone: write in place (unshare: nothing to do). */
			if (unshare)
				return 0;
			struct pt_gather g;
			mm__gather_init(mm, &g);
			err = pt_protect(&mm->pt, fva, size, prot, &g);
			/* Only the state bits: a format that cannot express them keeps the leaf. */
			if (!err)
				(void)pt_set_accessed(&mm->pt, fva, size, PT_YOUNG | PT_DIRTY, 0,
						      &g);
			pt_gather_flush(&g);
			mm__sync_tables(mm);
			return err;
		}
		/* COW: a new folio, exclusive, replaces the shared one at this leaf. */
		err = mm_folio_alloc(mm->pfdb, order_of(mm, size), flags, &new_pa);
		if (err)
			return err;
		if (mm->copy_page)
			mm->copy_page(mm, new_pa, pa, size);
		pa = new_pa;
		err = mm__zap_locked(mm, fva, fva + size);
		if (!err)
			err = mm_map_folio(mm, fva, pa, size,
					   prot | PT_YOUNG | (write ? PT_DIRTY : 0));
		if (err)
			mm_folio_put(mm->pfdb, mm_folio_of(mm->pfdb, pa, NULL), 1);
		return err;
	}
	if (st.err)
		return st.err;
	prot = vma->prot | PT_YOUNG;
	if (write)
		prot |= PT_DIRTY;
	else
		prot &= ~(uint32_t)PT_W;
	size = vma->page_size;
	for (;;) {
		fva = va & ~(size - 1);
		/* A large folio must fit the VMA (it may have been split by mprotect). */
		if (vma->kind != MM_VMA_HUGETLB && size > mm->page_size &&
		    (fva < vma->start || fva + size > vma->end)) {
			size = mm->page_size;
			continue;
		}
		err = mm_folio_alloc(mm->pfdb, order_of(mm, size), flags, &pa);
		if (err)
			return err;
		err = mm_map_folio(mm, fva, pa, size, prot);
		if (err)
			mm_folio_put(mm->pfdb, mm_folio_of(mm->pfdb, pa, NULL), 1);
		/* Part of the range is mapped by smaller pages: fall back to one page (THP-like).
		 */
		if (err != -PT_EEXIST || vma->kind == MM_VMA_HUGETLB || size == mm->page_size)
			return err;
		size = mm->page_size;
	}
}
