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

void mm_rcu_register_thread(void)
{
	urcu_memb_register_thread();
}
void mm_rcu_unregister_thread(void)
{
	urcu_memb_unregister_thread();
}
void mm__rcu_read_lock(void)
{
	urcu_memb_read_lock();
}

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

/* Never-linked tables (a failed mutation's spares) and mm_fini's teardown: no reader. */
static void mem_free(struct pt_mem *mem, uint64_t pa, uint64_t size)
{
	struct mm *mm = mem->priv;

	mm->tables->free(mm->tables, pa, size);
}

/*
 * The gather's deferred-free hook: tables unlinked by a mutation wait here until the
 * next mm__sync_tables() has waited for a grace period (call_rcu in spirit; batched so
 * one synchronize_rcu covers every table of a call).
 */
static void defer_table(struct pt_gather *g, uint64_t pa, uint64_t size)
{
	struct mm *mm = g->priv;

	if (mm->nr_deferred == mm->cap_deferred) {
		unsigned cap = mm->cap_deferred ? 2 * mm->cap_deferred : 64;
		void *n = realloc(mm->deferred, cap * sizeof(*mm->deferred));
		if (!n) { /* no room to defer: wait for readers now */
			urcu_memb_synchronize_rcu();
			MM_TSAN_ACQUIRE(&mm->view);
			mm->grace_periods++;
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

/* The gather's flush hook: the address space's own (struct mm.tlb_flush). */
static void tlb_flush(struct pt_gather *g, const struct pt_flush *f)
{
	struct mm *mm = g->priv;

	if (mm->tlb_flush)
		mm->tlb_flush(mm, f);
}

void mm__gather_init(struct mm *mm, struct pt_gather *g)
{
	pt_gather_init(g, &mm->pt);
	g->flush = tlb_flush;
	g->free_table = defer_table;
	g->priv = mm;
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

int mm_init(struct mm *mm, const struct pt_format *fmt, struct pt_mem *tables, struct mm_pfdb *pfdb)
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

void mm_lock(struct mm *mm)
{
	pthread_mutex_lock(&mm->lock);
}
void mm_unlock(struct mm *mm)
{
	pthread_mutex_unlock(&mm->lock);
}

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

/* Record why a call fails (read back through mm->why) and return err. */
static int fail(struct mm *mm, int err, uint64_t va, const char *why)
{
	mm->why = why;
	mm->why_va = va;
	return err;
}

const char *mm_strerror(int err)
{
	return pt_strerror(err);
}

/* -PT_EINVAL when boundary b falls inside a hugetlb page of the VMA containing it. */
static int hugetlb_cut(struct mm *mm, uint64_t b)
{
	const struct mm_vma *v = mm_find_vma(mm, b);

	if (v && v->kind == MM_VMA_HUGETLB && (b & (v->page_size - 1)))
		return fail(mm, -PT_EINVAL, b, "the range cuts a hugetlb page");
	return 0;
}

/* ---- mapping folios and zapping --------------------------------------------------------- */

int mm_map_folio(struct mm *mm, uint64_t va, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct pt_map_req req = {
		.va = va, .pa = pa, .size = size, .prot = prot, .page_sizes = size
	};
	struct mm_page *head = mm_folio_of(mm->pfdb, pa, NULL);
	struct pt_gather g;
	int err;

	if (!head)
		return -PT_EINVAL;
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
	if (v.kind != MM_VMA_PFNMAP && v.page_size > (mm->page_size << mm->pfdb->max_order))
		return -PT_EINVAL; /* no folio that large in the frame database */
	if (v.kind == MM_VMA_PFNMAP && (v.pfn_pa & (mm->page_size - 1)))
		return -PT_EINVAL;
	mm_lock(mm);
	i = vma_index(mm, v.start);
	if (i < mm->nr_vmas && mm->vmas[i].start < v.end) {
		err = -PT_EEXIST;
	} else if (v.kind == MM_VMA_PFNMAP) {
		/* remap_pfn_range: every leaf at once, special, as large as allowed. */
		struct pt_map_req req = { .va = v.start,
					  .pa = v.pfn_pa,
					  .size = v.end - v.start,
					  .prot = v.prot | PT_SPECIAL,
					  .page_sizes = f->page_sizes & ((v.page_size << 1) - 1) };
		struct pt_gather g;
		mm__gather_init(mm, &g);
		err = pt_map(&mm->pt, &req, &g);
		pt_gather_flush(&g);
		if (!err && (err = vma_insert(mm, i, &v))) {
			mm__gather_init(mm, &g);
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

	mm_lock(mm);
	err = range_ok(mm, start, size)
		      ? 0
		      : fail(mm, -PT_EINVAL, start, "zap: unaligned or empty range");
	if (!err)
		err = hugetlb_cut(mm, start);
	if (!err)
		err = hugetlb_cut(mm, start + size);
	if (!err)
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

/* The splits mprotect's prepare step made, undone in reverse when a later one fails. */
#define MM_MAX_SPLITS (2 * (PT_MAX_LEVELS + 1))
struct split_log {
	unsigned n;
	struct pt_split_undo u[MM_MAX_SPLITS];
};

/* Make b a boundary of leaves and groups: split what straddles it, logging each step. */
static int split_at(struct mm *mm, uint64_t b, struct pt_gather *g, struct split_log *log)
{
	struct mm_walk_state st;

	for (;;) {
		mm_walk_init(&st, &mm->pt);
		if (!mm_walk_seek_leaf(&st, &mm->pt, b))
			return st.err == -PT_ERANGE ? 0 : st.err; /* a hole (or past the half) */
		if (!(b & (mm_walk_group_size(&st) - 1)))
			return 0;
		if (log->n == MM_MAX_SPLITS)
			return -PT_EINVAL; /* cannot happen: each step goes one level down */
		int err = pt_split_leaf(&mm->pt, b, g, &log->u[log->n]);
		if (err)
			return err;
		log->n++;
	}
}

static int vma_reserve(struct mm *mm, unsigned more)
{
	if (mm->nr_vmas + more > mm->cap_vmas) {
		unsigned cap = mm->cap_vmas ? 2 * mm->cap_vmas : 16;
		struct mm_vma *n;
		while (cap < mm->nr_vmas + more)
			cap *= 2;
		n = realloc(mm->vmas, cap * sizeof(*n));
		if (!n)
			return -PT_ENOMEM;
		mm->vmas = n;
		mm->cap_vmas = cap;
	}
	return 0;
}

/* Check: every byte of [start, end) has a VMA; no hugetlb page is cut; prot encodes. */
static int mprotect_check(struct mm *mm, uint64_t start, uint64_t end, uint32_t prot)
{
	uint64_t e;
	uint64_t at = start;
	int err;

	if (mm->pt.fmt->ops.encode_leaf(0, 0, prot, &e))
		return fail(mm, -PT_EINVAL, start, "mprotect: the format cannot encode prot");
	for (unsigned i = vma_index(mm, start); at < end; i++) {
		if (i >= mm->nr_vmas || mm->vmas[i].start > at)
			return fail(mm, -PT_ENOENT, at, "mprotect: part of the range has no VMA");
		at = mm->vmas[i].end;
	}
	err = hugetlb_cut(mm, start);
	return err ? err : hugetlb_cut(mm, end);
}

int mm_mprotect(struct mm *mm, uint64_t start, uint64_t size, uint32_t prot)
{
	const uint32_t p = prot & ~(uint32_t)(PT_SPECIAL | PT_YOUNG | PT_DIRTY);
	uint64_t end = start + size;
	struct split_log *log;
	struct mm_walk_state st;
	struct pt_gather g;
	int err;

	log = malloc(sizeof(*log));
	mm_lock(mm);
	if (!range_ok(mm, start, size) || (prot & ~(uint32_t)PT_PROT_REQUEST))
		err = fail(mm, -PT_EINVAL, start, "mprotect: unaligned range or unknown prot bits");
	else if (!log)
		err = fail(mm, -PT_ENOMEM, start, "mprotect: out of memory");
	else
		err = mprotect_check(mm, start, end, p);
	if (log)
		log->n = 0;
	if (!err && vma_reserve(mm, 2))
		err = fail(mm, -PT_ENOMEM, start, "mprotect: no memory for the VMA array");
	/* Prepare: split the leaves straddling the edges (translation unchanged). */
	mm__gather_init(mm, &g);
	if (!err) {
		err = split_at(mm, start, &g, log);
		if (!err)
			err = split_at(mm, end, &g, log);
		if (err) {
			while (log->n)
				pt_split_leaf_undo(&mm->pt, &log->u[--log->n], &g);
			fail(mm, err, g.err_va, "mprotect: cannot split a huge leaf at an edge");
		}
	}
	/* Commit: cannot fail (capacity reserved, every leaf in range fully covered). */
	if (!err) {
		(void)vma_split(mm, start); /* capacity reserved, hugetlb cuts refused: no error */
		(void)vma_split(mm, end);
		for (unsigned i = vma_index(mm, start); i < mm->nr_vmas && mm->vmas[i].start < end;
		     i++)
			mm->vmas[i].prot = p;
		mm_walk_init(&st, &mm->pt);
		for (bool more = mm_walk_first_leaf(&st, &mm->pt, start, end); more;
		     more = mm_walk_next_leaf(&st, end)) {
			uint64_t gsize = mm_walk_group_size(&st), gva = st.va & ~(gsize - 1);
			uint32_t lp = mm_walk_is_write(&st) ? p : p & ~(uint32_t)PT_W;
			int e2 = pt_protect(&mm->pt, gva, gsize, lp, &g);

			if (e2 && !err) /* a broken promise of the core: report, go on */
				err = fail(mm, e2, gva, "mprotect: commit step failed (bug)");
			st.va = gva + gsize - 1; /* the walk re-seeks after the mutation */
			if (gva + gsize >= end)
				break;
		}
		vma_merge(mm);
	}
	pt_gather_flush(&g);
	mm__sync_tables(mm);
	mm_unlock(mm);
	free(log);
	return err;
}

/* ---- splitting a huge folio ------------------------------------------------------------- */

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

	mm_lock(mm);
	vma = mm_find_vma(mm, va);
	if (!vma) {
		err = fail(mm, -PT_ENOENT, va, "split: no VMA");
		goto out;
	}
	if (vma->kind == MM_VMA_HUGETLB || vma->kind == MM_VMA_PFNMAP) {
		err = fail(mm, -PT_EINVAL, va,
			   vma->kind == MM_VMA_HUGETLB ? "split: hugetlb folios cannot be split"
						       : "split: a PFN map has no folio");
		goto out;
	}
	mm_walk_init(&st, &mm->pt);
	if (!mm_walk_seek_leaf(&st, &mm->pt, va)) {
		err = fail(mm, st.err ? st.err : -PT_ENOENT, va, "split: not mapped");
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
		err = fail(mm, -PT_EINVAL, va, "split: the leaf is already the smallest page");
		goto out;
	}
	h = mm_folio_of(mm->pfdb, gpa, &hpa);
	if (!h || hpa != gpa || (mm->page_size << h->order) != gsize ||
	    __atomic_load_n(&h->mapcount, __ATOMIC_RELAXED) != 1ull << h->order) {
		err = fail(mm, -PT_EINVAL, va, "split: the leaf does not map one whole folio");
		goto out;
	}
	while ((mm->page_size << new_order) < new_size)
		new_order++;
	if (mm_folio_pinned(h)) {
		err = fail(mm, -MM_EBUSY, va, "split: the folio is pinned");
		goto out;
	}
	err = mm_folio_split_prepare(mm->pfdb, h, new_order);
	if (err) {
		fail(mm, err, va, "split: no memory for the frame descriptors");
		goto out;
	}
	/* Freeze (refcount 1 -> 0): GUP-fast's try-get now fails instead of racing us. */
	if (!__atomic_compare_exchange_n(&h->refcount, &one, 0, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED)) {
		err = fail(mm, -MM_EBUSY, va,
			   "split: the folio has references besides its mapping");
		goto out;
	}
	mm__gather_init(mm, &g);
	err = pt_split_leaf(&mm->pt, va, &g, NULL);
	if (err) {
		__atomic_store_n(&h->refcount, 1, __ATOMIC_RELEASE);
		fail(mm, err, va, "split: cannot split the leaf");
	} else {
		mm_folio_split_commit(mm->pfdb, h, new_order);
	}
	pt_gather_flush(&g);
	mm__sync_tables(mm);
out:
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
		/* pt_protect keeps young/dirty; pt_set_accessed sets them (mkyoung, mkdirty) */
		prot = (mm_walk_prot(&st) &
			(PT_PROT_REQUEST & ~(uint32_t)(PT_SPECIAL | PT_YOUNG | PT_DIRTY))) |
		       PT_W;
		h = mm_folio_of(mm->pfdb, pa, &hpa);
		if (!h)
			return -PT_EFAULT;
		if (vma->kind != MM_VMA_ANON ||
		    (__atomic_load_n(&h->refcount, __ATOMIC_RELAXED) == 1 &&
		     __atomic_load_n(&h->mapcount, __ATOMIC_RELAXED) == 1ull << h->order)) {
			/* Shared, or ours alone: write in place. */
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
		/* Part of the range is mapped by smaller pages: fall back to one page (THP-like).
		 */
		if (err != -PT_EEXIST || vma->kind == MM_VMA_HUGETLB || size == mm->page_size)
			return err;
		size = mm->page_size;
	}
}
