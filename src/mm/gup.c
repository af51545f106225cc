// SPDX-License-Identifier: MIT
/*
 * get_user_pages: the slow path (mm lock, VMA checks, fault handler) and the lockless
 * fast path (RCU, no VMA, read once / grab / re-check / back off), plus their release.
 *
 * Accounting follows Linux's try_grab_folio: FOLL_GET adds one reference per page;
 * FOLL_PIN adds MM_PIN_BIAS per page to an order-0 folio's refcount, and one reference
 * per page plus one pincount per page to a large folio. pincount is kept for every folio
 * so tests can check that pins balance.
 */
#include "mm_internal.h"

/* Most pages taken from one leaf in one step (references are 32-bit). */
#define GUP_STEP (1u << 16)

static bool foll_ok(unsigned foll)
{
	return !((foll & FOLL_GET) && (foll & FOLL_PIN)) &&
	       !((foll & FOLL_LONGTERM) && !(foll & FOLL_PIN));
}

static uint32_t grab_refs(const struct mm_page *head, uint32_t n, unsigned foll)
{
	if ((foll & FOLL_PIN) && !__atomic_load_n(&head->order, __ATOMIC_RELAXED))
		return n * MM_PIN_BIAS;
	return n;
}

static void grab(struct mm_page *head, uint32_t n, unsigned foll)
{
	mm_folio_get(head, grab_refs(head, n, foll));
	if (foll & FOLL_PIN)
		__atomic_fetch_add(&head->pincount, n, __ATOMIC_RELAXED);
}

/* folio_try_get: only while the folio is still allocated (refcount above zero). */
static bool try_grab(struct mm_page *head, uint32_t n, unsigned foll)
{
	uint32_t refs = grab_refs(head, n, foll);
	uint32_t r = __atomic_load_n(&head->refcount, __ATOMIC_RELAXED);

	do {
		if (!r)
			return false;
	} while (!__atomic_compare_exchange_n(&head->refcount, &r, r + refs, true, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	if (foll & FOLL_PIN)
		__atomic_fetch_add(&head->pincount, n, __ATOMIC_RELAXED);
	return true;
}

static void ungrab(struct mm *mm, struct mm_page *head, uint32_t n, unsigned foll)
{
	uint32_t refs = grab_refs(head, n, foll);
	if (foll & FOLL_PIN)
		__atomic_fetch_sub(&head->pincount, n, __ATOMIC_RELAXED);
	mm_folio_put(mm->pfdb, head, refs);
}

/* Pages [pa, pa + n pages) clipped to the folio holding pa; its head, or NULL. */
static inline __attribute__((always_inline)) struct mm_page *folio_span(struct mm *mm, uint64_t pa,
									uint64_t *n)
{
	uint64_t hpa;
	struct mm_page *h = mm_folio_of(mm->pfdb, pa, &hpa);
	if (h) {
		uint64_t left = (1ull << __atomic_load_n(&h->order, __ATOMIC_RELAXED)) -
				((pa - hpa) >> mm->pfdb->page_shift);
		if (*n > left)
			*n = left;
	}
	return h;
}

/* The first address after the request (0: it reaches the end of the address space). */
static uint64_t gup_end(uint64_t start, unsigned long nr_pages, uint64_t ps)
{
	return nr_pages <= (UINT64_MAX - start) / ps ? start + nr_pages * ps : 0;
}

/* The leaf a GUP step takes pages from: its first address, size and output address. */
struct gup_leaf {
	uint64_t va, size, pa;
};

static inline void gup_leaf_of(const struct mm_walk_state *st, struct gup_leaf *l)
{
	l->size = mm_walk_leaf_size(st);
	l->va = st->va & ~(l->size - 1);
	l->pa = st->pa; /* the walk stands on a leaf: mm_walk_leaf_pa without the test */
}

/*
 * The leaf mapping va when the iteration reaches it from leaf l, where st stands: more of
 * l (a folio or GUP_STEP ended the last step inside it: *same), or the next present leaf
 * when it starts exactly at va. false: va is in a hole (or the walk must seek).
 */
static inline bool gup_step_to(struct mm_walk_state *st, const struct gup_leaf *l, uint64_t va,
			       uint64_t end, bool *same)
{
	*same = va - l->va < l->size;
	return *same || (mm_walk_next_leaf(st, end) && st->va == va);
}

long get_user_pages(struct mm *mm, uint64_t start, unsigned long nr_pages, unsigned foll,
		    uint64_t *pas, mm_fault_fn fault, void *priv)
{
	const uint64_t ps = mm->page_size;
	const uint64_t end = gup_end(start, nr_pages, ps);
	const unsigned shift = mm->pfdb->page_shift; /* ps == 1 << shift (mm_init) */
	bool write = foll & FOLL_WRITE;
	const struct mm_vma *vma = NULL;
	struct gup_leaf l = { 0, 0, 0 };
	struct mm_walk_state st;
	unsigned long i = 0;
	bool on = false; /* st stands on the last leaf taken, reached without a fault */
	int err = 0;

	mm__enter(mm, "get_user_pages");
	if (!foll_ok(foll) || (start & (ps - 1)) || (!pas && (foll & (FOLL_PIN | FOLL_GET))))
		return mm__leave(mm, mm__fail(-PT_EINVAL, start,
					      foll_ok(foll) && !(start & (ps - 1))
						      ? "gup: FOLL_GET/FOLL_PIN without pas"
						      : "gup: bad flags or unaligned start"));
	if (!(foll & FOLL_PIN) && pas)
		foll |= FOLL_GET;
	if (!fault)
		fault = mm_fault_default;
	mm_walk_init(&st, &mm->pt);
	while (i < nr_pages) {
		uint64_t va = start + i * ps;
		uint64_t pa, n;
		struct mm_page *h;
		bool leaf, same = false, faulted = false;

		if (!vma || va >= vma->end) { /* find_vma once per VMA, as Linux */
			vma = mm_find_vma(mm, va);
			if (!vma || vma->kind == MM_VMA_PFNMAP ||
			    ((foll & FOLL_LONGTERM) && write && vma->kind == MM_VMA_FILE)) {
				err = mm__fail(
					-PT_EFAULT, va,
					!vma ? "gup: no VMA"
					: vma->kind == MM_VMA_PFNMAP
						? "gup: a PFN map has no pages"
						: "gup: long-term write pin of a shared file "
						  "mapping");
				break;
			}
			if (!(vma->prot & (write ? PT_W : PT_R))) { /* Linux check_vma_flags */
				err = mm__fail(
					-PT_EFAULT, va,
					write ? "gup: write to a VMA without PT_W"
					      : "gup: read of a VMA without PT_R (PROT_NONE)");
				break;
			}
		}
		/*
		 * Step through the table from the last leaf; seek (from the retained path) after a
		 * hole or a fault, so faulting in a range never rescans what lies ahead.
		 */
		leaf = on && gup_step_to(&st, &l, va, end, &same);
		if (!leaf)
			leaf = mm_walk_seek_leaf(&st, &mm->pt, va);
		for (int faults = 0; !same;) {
			uint32_t prot = leaf ? mm_walk_prot(&st) : 0; /* the rights, decoded once */

			if (st.err || (prot & PT_SPECIAL)) {
				err = mm__fail(st.err ? st.err : -PT_EFAULT, va,
					       st.err ? "gup: the walk failed"
						      : "gup: a special leaf");
				break;
			}
			if (leaf &&
			    (pt_prot_none(prot) || ((vma->prot & PT_USER) && !(prot & PT_USER)))) {
				err = mm__fail(
					-PT_EFAULT, va,
					pt_prot_none(prot)
						? "gup: a PROT_NONE leaf"
						: "gup: a supervisor-only leaf in a user VMA");
				leaf = false; /* nothing taken from it */
				break;
			}
			if (leaf && (!write || (prot & PT_W)))
				break;
			leaf = false;
			if ((foll & FOLL_NOFAULT) || faults++ == 4) {
				err = mm__fail(
					-PT_EFAULT, va,
					(foll & FOLL_NOFAULT)
						? "gup: not mapped (or read-only) and FOLL_NOFAULT"
						: "gup: the fault handler did not make the page "
						  "present");
				break;
			}
			mm->faults++;
			faulted = true;
			err = fault(mm, vma, va, foll, priv);
			if (err) {
				if (!mm_last_error()->err)
					mm__fail(err, va, "gup: the fault handler failed");
				break;
			}
			vma = mm_find_vma(mm, va); /* a fault handler may have changed VMAs */
			if (!vma) {
				err = mm__fail(-PT_EFAULT, va,
					       "gup: the fault handler removed the VMA");
				break;
			}
			leaf = mm_walk_seek_leaf(&st, &mm->pt, va);
		}
		if (!leaf) {
			if (!err)
				err = mm__fail(-PT_EFAULT, va, "gup: not mapped");
			break;
		}
		if (!same)
			gup_leaf_of(&st, &l);
		pa = l.pa + (va - l.va);
		n = (mm__min(l.va + l.size, vma->end) - va) >> shift;
		if (n > nr_pages - i)
			n = nr_pages - i;
		if (n > GUP_STEP) /* a 256T folio has 2^36 pages: keep refcounts in range */
			n = GUP_STEP;
		h = folio_span(mm, pa, &n);
		if (!h) {
			err = mm__fail(-PT_EFAULT, pa, "gup: the leaf maps no folio");
			break;
		}
		if (pas) {
			grab(h, (uint32_t)n, foll);
			for (uint64_t k = 0; k < n; k++)
				pas[i + k] = pa + k * ps;
		}
		i += n;
		on = !faulted;
		if (faulted)
			vma = NULL; /* the handler may have changed it: check the next one again */
	}
	mm__leave(mm, err);
	return i ? (long)i : err;
}

/*
 * GUP-fast's re-check after the grab, Linux's gup_fast_pte_range: the leaf entry and the
 * entry of the table above it (the pmd of a pte) still hold what the walk read. Narrower
 * than mm_walk_path_unchanged (no re-read from the root), and enough because of how the
 * writers change a tree under the mm lock and free its tables:
 *  - A table they unlink waits for a grace period before its memory is reused
 *    (mm__sync_tables), and the whole read / grab / re-check runs inside one RCU read-side
 *    section: the entries re-read here are in the tables this walk went through, unlinked
 *    perhaps but never recycled, so they show what the writers last stored in them.
 *  - Writers clear bottom-up: pt_unmap clears every leaf, then a table entry only once
 *    the table below it has been emptied entry by entry, and the folios lose the mapping's
 *    reference only after that (mm__zap_locked). Splits, mprotect, aging and COW rewrite
 *    the leaf entry itself. So an unmap, split, or free anywhere on the path changes the
 *    leaf entry before the page can go.
 *  - The one change that leaves the leaf's own table intact is replacing the table entry
 *    that points at it (pt_split_leaf_undo: a huge leaf back in place of the table of its
 *    pieces): that is the entry above, re-read too.
 * Both unchanged after the reference was taken: the leaf still mapped the page then, and
 * any later change has to get past our reference (the folio outlives a zap; a split's
 * refcount freeze fails).
 */
static inline bool gup_fast_leaf_unchanged(const struct mm_walk_state *st)
{
	const struct pt_format *f = st->fmt;
	const int up = st->level + 1;
	const struct mm_walk_level *pl;

	if (pt_entry_load(f, st->ptep) != st->entry)
		return false;
	if (up >= f->levels)
		return true;
	pl = &st->path[up];
	return pt_entry_load(f, pl->table + (size_t)mm_walk_index(st, up) * f->entry_size) ==
	       pl->entry;
}

/*
 * A head (its flags read with acquire, so its pfn and order are the ones published with
 * them) whose folio holds the n pages from pa. Only asked with a reference held.
 */
static inline bool folio_holds(const struct mm_pfdb *db, const struct mm_page *h, uint64_t pa,
			       uint64_t n)
{
	uint64_t off = ((pa - db->base) >> db->page_shift) - h->pfn; /* wraps below the head */
	uint64_t size = 1ull << __atomic_load_n(&h->order, __ATOMIC_RELAXED);

	return off < size && n <= size - off;
}

long get_user_pages_fast_only(struct mm *mm, uint64_t start, unsigned long nr_pages, unsigned foll,
			      uint64_t *pas)
{
	const uint64_t ps = mm->page_size;
	const uint64_t end = gup_end(start, nr_pages, ps);
	const struct mm_pfdb *db = mm->pfdb;
	struct gup_leaf l = { 0, 0, 0 };
	struct mm_walk_state st;
	unsigned long i = 0;
	uint64_t backoffs = 0;

	mm__begin("get_user_pages_fast_only");
	if (!foll_ok(foll) || (start & (ps - 1)) || !pas) {
		mm__fail(-PT_EINVAL, start, "gup: bad flags, unaligned start or no pas");
		return 0;
	}
	if (!(foll & FOLL_PIN))
		foll |= FOLL_GET;
	mm__rcu_read_lock();
	mm_walk_init(&st, &mm->view);
	while (i < nr_pages) {
		uint64_t va = start + i * ps, pa, n;
		struct mm_page *h;
		uint32_t flags;
		bool same = false;

		/* The first leaf by a seek, the next ones by stepping the table (read once). */
		if (i ? !gup_step_to(&st, &l, va, end, &same)
		      : !mm_walk_seek_leaf(&st, &mm->view, va)) {
			mm__fail(st.err ? st.err : -PT_EFAULT, va,
				 st.err ? "gup-fast: the walk failed" : "gup-fast: not mapped");
			break;
		}
		if (!same) {
			uint32_t prot = mm_walk_prot(&st); /* decoded once per leaf */

			/* No VMA here: the leaf alone decides (Linux pte_access_permitted). */
			if ((prot & PT_SPECIAL) || pt_prot_none(prot) || !(prot & PT_USER) ||
			    ((foll & FOLL_WRITE) && !(prot & PT_W))) {
				mm__fail(-PT_EFAULT, va,
					 (prot & PT_SPECIAL)  ? "gup-fast: a special leaf"
					 : pt_prot_none(prot) ? "gup-fast: a PROT_NONE leaf"
					 : !(prot & PT_USER)
						 ? "gup-fast: a supervisor-only leaf"
						 : "gup-fast: read-only under FOLL_WRITE");
				break;
			}
			gup_leaf_of(&st, &l);
		}
		pa = l.pa + (va - l.va);
		n = (l.va + l.size - va) >> db->page_shift;
		if (n > nr_pages - i)
			n = nr_pages - i;
		if (n > GUP_STEP) /* a 256T folio has 2^36 pages: keep refcounts in range */
			n = GUP_STEP;
		h = folio_span(mm, pa, &n);
		if (!h || !try_grab(h, (uint32_t)n, foll)) {
			mm__fail(-PT_EBUSY, va,
				 h ? "gup-fast: the folio is being freed or split"
				   : "gup-fast: the leaf maps no folio");
			break;
		}
		/*
		 * With a reference the folio can be neither freed nor split (its refcount freeze
		 * fails): is it still a folio holding all n pages? Its own head, order and frame
		 * say so (Linux: folio == page_folio(page)), no second search.
		 */
		flags = __atomic_load_n(&h->flags, __ATOMIC_ACQUIRE);
		if (!(flags & MM_PG_HEAD) || !folio_holds(db, h, pa, n) ||
		    ((foll & FOLL_LONGTERM) && (foll & FOLL_WRITE) && (flags & MM_PG_FILE)) ||
		    !gup_fast_leaf_unchanged(&st)) {
			ungrab(mm, h, (uint32_t)n, foll);
			backoffs++;
			mm__fail(-PT_EBUSY, va,
				 "gup-fast: the entry or the folio changed (backed off)");
			break;
		}
		for (uint64_t k = 0; k < n; k++)
			pas[i + k] = pa + k * ps;
		i += n;
	}
	mm__rcu_read_unlock(mm);
	__atomic_fetch_add(&mm->gup_fast_pages, i, __ATOMIC_RELAXED);
	__atomic_fetch_add(&mm->gup_fast_backoffs, backoffs, __ATOMIC_RELAXED);
	return (long)i;
}

long get_user_pages_fast(struct mm *mm, uint64_t start, unsigned long nr_pages, unsigned foll,
			 uint64_t *pas, mm_fault_fn fault, void *priv)
{
	long got, more;

	mm__begin("get_user_pages_fast");
	if (!foll_ok(foll) || (start & (mm->page_size - 1)) || !pas)
		return mm__fail(-PT_EINVAL, start, "gup: bad flags, unaligned start or no pas");
	got = get_user_pages_fast_only(mm, start, nr_pages, foll, pas);
	if ((unsigned long)got == nr_pages)
		return got;
	more = get_user_pages(mm, start + (uint64_t)got * mm->page_size, nr_pages - got, foll,
			      pas + got, fault, priv);
	if (more < 0)
		return got ? got : more;
	return got + more;
}

static void release(struct mm *mm, const uint64_t *pas, unsigned long nr, unsigned foll)
{
	unsigned long i = 0;

	while (i < nr) {
		uint64_t hpa, n = 1;
		struct mm_page *h = mm_folio_of(mm->pfdb, pas[i], &hpa);
		uint64_t end;

		if (!h) {
			i++;
			continue;
		}
		end = hpa +
		      ((uint64_t)mm->page_size << __atomic_load_n(&h->order, __ATOMIC_RELAXED));
		while (i + n < nr && pas[i + n] >= hpa && pas[i + n] < end)
			n++;
		ungrab(mm, h, (uint32_t)n, foll);
		i += n;
	}
}

void unpin_user_pages(struct mm *mm, const uint64_t *pas, unsigned long nr_pages)
{
	release(mm, pas, nr_pages, FOLL_PIN);
}

void put_user_pages(struct mm *mm, const uint64_t *pas, unsigned long nr_pages)
{
	release(mm, pas, nr_pages, FOLL_GET);
}
