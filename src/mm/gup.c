// SPDX-License-Identifier: MIT
/*
 * get_user_pages: the slow path (mm lock, VMA checks, fault handler) and the lockless
 * fast path (RCU, no VMA, read once / grab / re-check / back off), plus their release.
 *
 * Accounting follows Linux's try_grab_folio: FOLL_GET adds one reference per page;
 * FOLL_PIN adds MM_PIN_BIAS per page to an order-0 folio's refcount, and one reference
 * per page plus one pincount per page to a large folio. pincount is kept for every folio
 * so tests can check that pins balance. GUP-fast cannot know the order before it holds a
 * reference (a split may change it), so it takes plain references first and turns them
 * into a pin once the folio is known to hold the pages (Linux's try_grab_folio_fast).
 */
#include "mm_internal.h"

void (*mm__gup_fast_hook)(void);

/* Most pages taken from one leaf in one step (references are 32-bit). */
#define GUP_STEP (1u << 16)

static void release(struct mm *mm, const uint64_t *pas, unsigned long nr, unsigned foll);

static bool foll_ok(unsigned foll)
{
	return !((foll & FOLL_GET) && (foll & FOLL_PIN)) &&
	       !((foll & FOLL_LONGTERM) && !(foll & FOLL_PIN));
}

/*
 * The references n pages of a folio hold (see above). Its order must be settled: the
 * caller holds the mm lock with the pages mapped, or references on the folio (a split
 * needs the lock and a refcount freeze, which fails while anyone holds one).
 */
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

/*
 * folio_try_get: n plain references, only while the folio is allocated (refcount above
 * zero: neither free nor frozen by a split). Nothing else of the head is read: until a
 * reference is held its order may change. Acquire (seq_cst): make_head stores the
 * refcount last, so a reference on a new head sees all of it.
 */
static bool try_get(struct mm_page *head, uint32_t n)
{
	uint32_t r;

	if (__builtin_expect(mm__gup_fast_hook != NULL, 0))
		mm__gup_fast_hook();
	r = __atomic_load_n(&head->refcount, __ATOMIC_RELAXED);
	do {
		if (!r)
			return false;
	} while (!__atomic_compare_exchange_n(&head->refcount, &r, r + n, true, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	return true;
}

/*
 * Turn try_get's n references into what foll takes (grab_refs), on a folio that was
 * checked to hold the pages. Full barriers: GUP-fast re-reads the leaf after this, so a
 * writer that changes the leaf and then looks for pins either sees this pin or has its
 * change seen.
 */
static void try_grab(struct mm_page *head, uint32_t n, unsigned foll)
{
	uint32_t more = grab_refs(head, n, foll) - n;

	if (more)
		__atomic_fetch_add(&head->refcount, more, __ATOMIC_SEQ_CST);
	if (foll & FOLL_PIN)
		__atomic_fetch_add(&head->pincount, n, __ATOMIC_SEQ_CST);
}

/* What grab or try_get + try_grab took for n pages (the order is settled: see grab_refs). */
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

/*
 * Pinning the read-only leaf of an anonymous page that is not exclusive (mm_fork shares
 * it): it must become this address space's own first, or the next write fault would copy
 * it away from the pin (Linux gup_must_unshare). A writable leaf is always exclusive.
 */
static bool must_unshare(unsigned foll, uint32_t prot, uint32_t page_flags)
{
	return (foll & FOLL_PIN) && !(prot & PT_W) &&
	       !(page_flags & (MM_PG_FILE | MM_PG_ANON_EXCL));
}

static bool must_unshare_at(struct mm *mm, const struct mm_vma *vma, const struct mm_walk_state *st,
			    uint64_t va, uint32_t prot, unsigned foll)
{
	struct mm_page *h;

	if (vma->kind != MM_VMA_ANON || !must_unshare(foll, prot, 0))
		return false;
	h = mm_folio_of(mm->pfdb, mm_walk_leaf_pa(st) + (va - mm_walk_leaf_va(st)), NULL);
	return h && must_unshare(foll, prot, __atomic_load_n(&h->flags, __ATOMIC_ACQUIRE));
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
			bool unshare;

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
			unshare = leaf && must_unshare_at(mm, vma, &st, va, prot, foll);
			if (leaf && (!write || (prot & PT_W)) && !unshare)
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
			err = fault(mm, vma, va, unshare ? foll | FOLL_UNSHARE : foll, priv);
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
	uint64_t backoffs = 0, fork_seq = 0;
	uint32_t lprot = 0;

	mm__begin("get_user_pages_fast_only");
	if (!foll_ok(foll) || (start & (ps - 1)) || !pas) {
		mm__fail(-PT_EINVAL, start, "gup: bad flags, unaligned start or no pas");
		return 0;
	}
	if (!(foll & FOLL_PIN))
		foll |= FOLL_GET;
	else if ((fork_seq = __atomic_load_n(&mm->write_protect_seq, __ATOMIC_ACQUIRE)) & 1) {
		mm__fail(-PT_EBUSY, start, "gup-fast: mm_fork is write-protecting the pages");
		return 0;
	}
	mm__rcu_read_lock();
	mm_walk_init(&st, &mm->view);
	while (i < nr_pages) {
		uint64_t va = start + i * ps, pa, n;
		struct mm_page *h;
		uint32_t flags;
		bool same = false, held;

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
			lprot = prot;
		}
		pa = l.pa + (va - l.va);
		n = (l.va + l.size - va) >> db->page_shift;
		if (n > nr_pages - i)
			n = nr_pages - i;
		if (n > GUP_STEP) /* a 256T folio has 2^36 pages: keep refcounts in range */
			n = GUP_STEP;
		h = folio_span(mm, pa, &n);
		if (!h || !try_get(h, (uint32_t)n)) {
			mm__fail(-PT_EBUSY, va,
				 h ? "gup-fast: the folio is being freed or split"
				   : "gup-fast: the leaf maps no folio");
			break;
		}
		/*
		 * With a reference the folio can be neither freed nor split (its refcount freeze
		 * fails): is it still a folio holding all n pages? Its own head, order and frame
		 * say so (Linux: folio == page_folio(page)), no second search. Only then does its
		 * order say what a pin adds; the leaf is re-read after the pin.
		 */
		flags = __atomic_load_n(&h->flags, __ATOMIC_ACQUIRE);
		held = (flags & MM_PG_HEAD) && folio_holds(db, h, pa, n) &&
		       !((foll & FOLL_LONGTERM) && (foll & FOLL_WRITE) && (flags & MM_PG_FILE));
		if (held)
			try_grab(h, (uint32_t)n, foll);
		if (!held || !gup_fast_leaf_unchanged(&st)) {
			if (held)
				ungrab(mm, h, (uint32_t)n, foll);
			else
				mm_folio_put(mm->pfdb, h, (uint32_t)n); /* try_get's, no more */
			backoffs++;
			mm__fail(-PT_EBUSY, va,
				 "gup-fast: the entry or the folio changed (backed off)");
			break;
		}
		if (must_unshare(foll, lprot, flags)) {
			ungrab(mm, h, (uint32_t)n, foll);
			mm__fail(-PT_EFAULT, va,
				 "gup-fast: pinning a shared anonymous page needs the slow path");
			break;
		}
		for (uint64_t k = 0; k < n; k++)
			pas[i + k] = pa + k * ps;
		i += n;
	}
	mm__rcu_read_unlock(mm);
	/*
	 * A fork began after fork_seq was read: it may have shared what we pinned. Read with a
	 * read-modify-write, so that a fork whose own one comes later sees our pins (mm_fork).
	 */
	if ((foll & FOLL_PIN) && i &&
	    __atomic_fetch_add(&mm->write_protect_seq, 0, __ATOMIC_ACQ_REL) != fork_seq) {
		release(mm, pas, i, foll);
		i = 0;
		mm__fail(-PT_EBUSY, start, "gup-fast: mm_fork ran meanwhile (pins given back)");
	}
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

/*
 * A folio the caller pinned or holds references on cannot be split (mm_split_huge refuses
 * pinned folios and its refcount freeze fails) nor freed: the head and order found now
 * are the ones the pages were taken from.
 */
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
