// SPDX-License-Identifier: MIT
/*
 * The address space: table memory whose frees wait for an RCU grace period, VMAs (a
 * sorted array), mmap / munmap / zap / mprotect, and the default fault handler.
 */
#include <stdlib.h>
#include <string.h>
#include <urcu/urcu-memb.h>

#include "mm_internal.h"

/* ---- RCU ------------------------------------------------------------------------------- */

void mm_rcu_register_thread(void) { urcu_memb_register_thread(); }
void mm_rcu_unregister_thread(void) { urcu_memb_unregister_thread(); }
void mm__rcu_read_lock(void) { urcu_memb_read_lock(); }

void mm__rcu_read_unlock(struct mm *mm)
{
	MM_TSAN_RELEASE(&mm->view);
	urcu_memb_read_unlock();
}

/* ---- table memory: allocation passes through, frees are deferred ----------------------- */

/*
 * A new table is zeroed by the allocator with plain stores; a lockless reader reaches it
 * through the parent entry, which the walker reads with a relaxed (not acquire) load.
 * Re-zero it here with single-copy-atomic stores so a reader that sees the new link
 * reads only atomically written entries (and ThreadSanitizer agrees). See the report:
 * the core walker should load entries with acquire/consume ordering instead.
 */
static int mem_alloc(struct pt_mem *mem, uint64_t size, uint64_t *pa)
{
	struct mm *mm = mem->priv;
	int err = mm->tables->alloc(mm->tables, size, pa);

	if (!err) {
		uint64_t *t = (uint64_t *)(void *)(mem->bytes + (*pa - mem->base));
		for (uint64_t i = 0; i < size / 8; i++)
			__atomic_store_n(&t[i], 0, __ATOMIC_RELAXED);
	}
	return err;
}

static void mem_free(struct pt_mem *mem, uint64_t pa, uint64_t size)
{
	struct mm *mm = mem->priv;

	if (mm->nr_deferred == mm->cap_deferred) {
		unsigned cap = mm->cap_deferred ? 2 * mm->cap_deferred : 64;
		void *n = realloc(mm->deferred, cap * sizeof(*mm->deferred));
		if (!n) { /* no room to defer: wait for readers now */
			urcu_memb_synchronize_rcu();
			MM_TSAN_ACQUIRE(&mm->view);
			mm->tables->free(mm->tables, pa, size);
			return;
		}
		mm->deferred = n;
		mm->cap_deferred = cap;
	}
	mm->deferred[mm->nr_deferred].pa = pa;
	mm->deferred[mm->nr_deferred].size = size;
	mm->nr_deferred++;
	mm->tables_deferred++;
}

void mm__sync_tables(struct mm *mm)
{
	if (!mm->nr_deferred)
		return;
	urcu_memb_synchronize_rcu();
	MM_TSAN_ACQUIRE(&mm->view);
	mm->grace_periods++;
	for (unsigned i = 0; i < mm->nr_deferred; i++)
		mm->tables->free(mm->tables, mm->deferred[i].pa, mm->deferred[i].size);
	mm->nr_deferred = 0;
}

int mm_init(struct mm *mm, const struct pt_format *fmt, struct pt_mem *tables,
	    struct mm_pfdb *pfdb)
{
	int err;

	memset(mm, 0, sizeof(*mm));
	if (!tables->alloc || (1ull << pfdb->page_shift) != pt_level_size(fmt, 0))
		return -PT_EINVAL;
	mm->tables = tables;
	mm->pfdb = pfdb;
	mm->page_size = pt_level_size(fmt, 0);
	mm->mem = *tables;
	mm->mem.alloc = mem_alloc;
	mm->mem.free = mem_free;
	mm->mem.observe = NULL;
	mm->mem.priv = mm;
	err = pt_mm_init(&mm->pt, fmt, &mm->mem);
	if (err)
		return err;
	mm->view = mm->pt;
	pthread_mutex_init(&mm->lock, NULL);
	return 0;
}

void mm_fini(struct mm *mm)
{
	mm_lock(mm);
	for (unsigned i = 0; i < mm->nr_vmas; i++)
		mm__zap_locked(mm, mm->vmas[i].start, mm->vmas[i].end);
	pt_mm_destroy(&mm->pt);
	mm__sync_tables(mm);
	mm_unlock(mm);
	pthread_mutex_destroy(&mm->lock);
	free(mm->vmas);
	free(mm->deferred);
	mm->vmas = NULL;
	mm->deferred = NULL;
	mm->nr_vmas = mm->cap_vmas = mm->nr_deferred = mm->cap_deferred = 0;
}

void mm_lock(struct mm *mm) { pthread_mutex_lock(&mm->lock); }
void mm_unlock(struct mm *mm) { pthread_mutex_unlock(&mm->lock); }

/* ---- VMAs ------------------------------------------------------------------------------ */

/* Index of the first VMA ending above va. */
static unsigned vma_index(const struct mm *mm, uint64_t va)
{
	unsigned lo = 0, hi = mm->nr_vmas;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (mm->vmas[mid].end <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct mm_vma *mm_find_vma(struct mm *mm, uint64_t va)
{
	unsigned i = vma_index(mm, va);
	return i < mm->nr_vmas && mm->vmas[i].start <= va ? &mm->vmas[i] : NULL;
}

static int vma_insert(struct mm *mm, unsigned at, const struct mm_vma *v)
{
	if (mm->nr_vmas == mm->cap_vmas) {
		unsigned cap = mm->cap_vmas ? 2 * mm->cap_vmas : 16;
		struct mm_vma *n = realloc(mm->vmas, cap * sizeof(*n));
		if (!n)
			return -PT_ENOMEM;
		mm->vmas = n;
		mm->cap_vmas = cap;
	}
	memmove(&mm->vmas[at + 1], &mm->vmas[at], (mm->nr_vmas - at) * sizeof(*v));
	mm->vmas[at] = *v;
	mm->nr_vmas++;
	return 0;
}

/* Make va a VMA boundary. -PT_EINVAL when va would cut a hugetlb page. */
static int vma_split(struct mm *mm, uint64_t va)
{
	unsigned i = vma_index(mm, va);
	struct mm_vma hi;

	if (i >= mm->nr_vmas || mm->vmas[i].start >= va)
		return 0;
	if (mm->vmas[i].kind == MM_VMA_HUGETLB && (va & (mm->vmas[i].page_size - 1)))
		return -PT_EINVAL;
	hi = mm->vmas[i];
	hi.pfn_pa += va - hi.start;
	hi.start = va;
	if (vma_insert(mm, i + 1, &hi))
		return -PT_ENOMEM;
	mm->vmas[i].end = va;
	return 0;
}

/* Merge neighbours that touch and agree in everything (like vma_merge after mprotect). */
static void vma_merge(struct mm *mm)
{
	unsigned out = 0;

	for (unsigned i = 0; i < mm->nr_vmas; i++) {
		struct mm_vma *p = out ? &mm->vmas[out - 1] : NULL, *v = &mm->vmas[i];
		if (p && p->end == v->start && p->kind == v->kind && p->prot == v->prot &&
		    p->page_size == v->page_size && p->pfn_pa + (p->end - p->start) == v->pfn_pa) {
			p->end = v->end;
			continue;
		}
		mm->vmas[out++] = *v;
	}
	mm->nr_vmas = out;
}

static bool range_ok(const struct mm *mm, uint64_t start, uint64_t size)
{
	return size && start + size > start && !((start | size) & (mm->page_size - 1));
}

/* ---- mapping folios and zapping --------------------------------------------------------- */

int mm_map_folio(struct mm *mm, uint64_t va, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct pt_map_req req = { .va = va, .pa = pa, .size = size, .prot = prot,
				  .page_sizes = size };
	struct mm_page *head = mm_folio_of(mm->pfdb, pa, NULL);
	struct pt_gather g;
	int err;

	if (!head)
		return -PT_EINVAL;
	pt_gather_init(&g, &mm->pt);
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
	for_each_pt_leaf(&st, &mm->pt, start, end) {
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
	pt_gather_init(&g, &mm->pt);
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

/* ---- mmap, munmap, zap, mprotect -------------------------------------------------------- */

int mm_mmap(struct mm *mm, const struct mm_vma *vma)
{
	const struct pt_format *f = mm->pt.fmt;
	struct mm_vma v = *vma;
	int err = 0;
	unsigned i;

	if (!v.page_size)
		v.page_size = mm->page_size;
	if (!(f->page_sizes & v.page_size) || (v.page_size & (v.page_size - 1)) ||
	    !range_ok(mm, v.start, v.end - v.start) || ((v.start | v.end) & (v.page_size - 1)))
		return -PT_EINVAL;
	if (v.kind != MM_VMA_PFNMAP &&
	    v.page_size > (mm->page_size << mm->pfdb->max_order))
		return -PT_EINVAL; /* no folio that large in the frame database */
	if (v.kind == MM_VMA_PFNMAP && (v.pfn_pa & (mm->page_size - 1)))
		return -PT_EINVAL;
	mm_lock(mm);
	i = vma_index(mm, v.start);
	if (i < mm->nr_vmas && mm->vmas[i].start < v.end) {
		err = -PT_EEXIST;
	} else if (v.kind == MM_VMA_PFNMAP) {
		/* remap_pfn_range: every leaf at once, special, as large as allowed. */
		struct pt_map_req req = { .va = v.start, .pa = v.pfn_pa, .size = v.end - v.start,
					  .prot = v.prot | PT_SPECIAL,
					  .page_sizes = f->page_sizes & ((v.page_size << 1) - 1) };
		struct pt_gather g;
		pt_gather_init(&g, &mm->pt);
		err = pt_map(&mm->pt, &req, &g);
		pt_gather_flush(&g);
		if (!err && (err = vma_insert(mm, i, &v))) {
			pt_gather_init(&g, &mm->pt);
			pt_unmap(&mm->pt, v.start, v.end - v.start, &g);
			pt_gather_flush(&g);
			mm__sync_tables(mm);
		}
	} else {
		err = vma_insert(mm, i, &v);
	}
	mm_unlock(mm);
	return err;
}

int mm_zap(struct mm *mm, uint64_t start, uint64_t size)
{
	int err;

	if (!range_ok(mm, start, size))
		return -PT_EINVAL;
	mm_lock(mm);
	err = mm__zap_locked(mm, start, start + size);
	mm_unlock(mm);
	return err;
}

int mm_munmap(struct mm *mm, uint64_t start, uint64_t size)
{
	uint64_t end = start + size;
	unsigned i, j;
	int err;

	if (!range_ok(mm, start, size))
		return -PT_EINVAL;
	mm_lock(mm);
	err = vma_split(mm, start);
	if (!err)
		err = vma_split(mm, end);
	if (!err)
		err = mm__zap_locked(mm, start, end);
	if (!err) {
		i = vma_index(mm, start);
		for (j = i; j < mm->nr_vmas && mm->vmas[j].end <= end; j++)
			;
		memmove(&mm->vmas[i], &mm->vmas[j], (mm->nr_vmas - j) * sizeof(*mm->vmas));
		mm->nr_vmas -= j - i;
	}
	mm_unlock(mm);
	return err;
}

int mm_mprotect(struct mm *mm, uint64_t start, uint64_t size, uint32_t prot)
{
	uint64_t end = start + size;
	struct mm_walk_state st;
	int err;

	if (!range_ok(mm, start, size) || (prot & ~(uint32_t)PT_PROT_REQUEST))
		return -PT_EINVAL;
	mm_lock(mm);
	err = vma_split(mm, start);
	if (!err)
		err = vma_split(mm, end);
	for (unsigned i = vma_index(mm, start); !err && i < mm->nr_vmas && mm->vmas[i].start < end; i++)
		mm->vmas[i].prot = prot & ~(uint32_t)(PT_SPECIAL | PT_YOUNG | PT_DIRTY);
	/* Leaf by leaf (holes are fine); a clean read-only leaf stays read-only. */
	for (bool more = !err && mm_walk_first_leaf(&st, &mm->pt, start, end); more;
	     more = mm_walk_next_leaf(&st, end)) {
		uint64_t lva = mm_walk_leaf_va(&st), gsize = mm_walk_group_size(&st);
		uint64_t gva = st.va & ~(gsize - 1);
		uint64_t s = mm__max(start, gsize > mm_walk_leaf_size(&st) ? gva : lva);
		uint64_t e = mm__min(end, (s & ~(gsize - 1)) + gsize);
		uint32_t p = prot & ~(uint32_t)(PT_SPECIAL | PT_YOUNG | PT_DIRTY);
		struct pt_gather g;

		if (!mm_walk_is_write(&st))
			p &= ~(uint32_t)PT_W;
		pt_gather_init(&g, &mm->pt);
		err = pt_protect(&mm->pt, s, e - s, p, &g);
		pt_gather_flush(&g);
		/* continue after this leaf (or group): the walk re-seeks after the mutation */
		st.va = e - 1;
		if (err || e >= end)
			break;
	}
	vma_merge(mm);
	mm__sync_tables(mm);
	mm_unlock(mm);
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

int mm_fault_default(struct mm *mm, const struct mm_vma *vma, uint64_t va, unsigned foll,
		     void *priv)
{
	bool write = foll & FOLL_WRITE;
	uint32_t flags = vma->kind == MM_VMA_ANON ? 0 : MM_PG_FILE;
	struct mm_walk_state st;
	uint64_t size, fva, pa;
	uint32_t prot;
	int err;

	(void)priv;
	if (vma->kind == MM_VMA_PFNMAP || (write && !(vma->prot & PT_W)))
		return -PT_EFAULT;
	mm_walk_init(&st, &mm->pt);
	if (mm_walk_seek_leaf(&st, &mm->pt, va)) {
		struct mm_page *h;
		uint64_t hpa;

		if (!write || mm_walk_is_write(&st))
			return 0;
		size = mm_walk_group_size(&st);
		fva = va & ~(size - 1);
		pa = mm_walk_leaf_pa(&st) + (fva - mm_walk_leaf_va(&st));
		/* pt_protect keeps young/dirty but cannot set them (see the report: core gap) */
		prot = (mm_walk_prot(&st) &
			(PT_PROT_REQUEST & ~(uint32_t)(PT_SPECIAL | PT_YOUNG | PT_DIRTY))) | PT_W;
		h = mm_folio_of(mm->pfdb, pa, &hpa);
		if (!h)
			return -PT_EFAULT;
		if (vma->kind != MM_VMA_ANON ||
		    (__atomic_load_n(&h->refcount, __ATOMIC_RELAXED) == 1 &&
		     __atomic_load_n(&h->mapcount, __ATOMIC_RELAXED) == 1ull << h->order)) {
			/* Shared, or ours alone: write in place. */
			struct pt_gather g;
			pt_gather_init(&g, &mm->pt);
			err = pt_protect(&mm->pt, fva, size, prot, &g);
			pt_gather_flush(&g);
			mm__sync_tables(mm);
			return err;
		}
		/* COW: a new folio replaces the shared one at this leaf. */
		err = mm_folio_alloc(mm->pfdb, order_of(mm, size), flags, &pa);
		if (err)
			return err;
		err = mm__zap_locked(mm, fva, fva + size);
		if (!err)
			err = mm_map_folio(mm, fva, pa, size, prot | PT_YOUNG | PT_DIRTY);
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
		/* Part of the range is mapped by smaller pages: fall back to one page (THP-like). */
		if (err != -PT_EEXIST || vma->kind == MM_VMA_HUGETLB || size == mm->page_size)
			return err;
		size = mm->page_size;
	}
}
