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
static struct mm_page *folio_span(struct mm *mm, uint64_t pa, uint64_t *n)
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

long get_user_pages(struct mm *mm, uint64_t start, unsigned long nr_pages, unsigned foll,
		    uint64_t *pas, mm_fault_fn fault, void *priv)
{
	const uint64_t ps = mm->page_size;
	bool write = foll & FOLL_WRITE;
	struct mm_walk_state st;
	unsigned long i = 0;
	int err = 0;

	if (!foll_ok(foll) || (start & (ps - 1)) || (!pas && (foll & (FOLL_PIN | FOLL_GET))))
		return -PT_EINVAL;
	if (!(foll & FOLL_PIN) && pas)
		foll |= FOLL_GET;
	if (!fault)
		fault = mm_fault_default;
	mm_lock(mm);
	mm_walk_init(&st, &mm->pt);
	while (i < nr_pages) {
		uint64_t va = start + i * ps;
		const struct mm_vma *vma = mm_find_vma(mm, va);
		uint64_t lva, pa, n;
		struct mm_page *h;
		bool leaf = false;

		if (!vma || vma->kind == MM_VMA_PFNMAP ||
		    ((foll & FOLL_LONGTERM) && write && vma->kind == MM_VMA_FILE)) {
			err = -PT_EFAULT;
			break;
		}
		for (int tries = 0; tries < 4; tries++) {
			leaf = mm_walk_seek_leaf(&st, &mm->pt, va);
			if (st.err || (leaf && mm_walk_is_special(&st))) {
				err = st.err ? st.err : -PT_EFAULT;
				break;
			}
			if (leaf && (!write || mm_walk_is_write(&st)))
				break;
			leaf = false;
			if (foll & FOLL_NOFAULT) {
				err = -PT_EFAULT;
				break;
			}
			mm->faults++;
			err = fault(mm, vma, va, foll, priv);
			if (err)
				break;
			vma = mm_find_vma(mm, va); /* a fault handler may have changed VMAs */
			if (!vma) {
				err = -PT_EFAULT;
				break;
			}
		}
		if (!leaf) {
			if (!err)
				err = -PT_EFAULT;
			break;
		}
		lva = mm_walk_leaf_va(&st);
		pa = mm_walk_leaf_pa(&st) + (va - lva);
		n = (mm__min(lva + mm_walk_leaf_size(&st), vma->end) - va) / ps;
		if (n > nr_pages - i)
			n = nr_pages - i;
		if (n > GUP_STEP) /* a 256T folio has 2^36 pages: keep refcounts in range */
			n = GUP_STEP;
		h = folio_span(mm, pa, &n);
		if (!h) {
			err = -PT_EFAULT;
			break;
		}
		if (pas) {
			grab(h, (uint32_t)n, foll);
			for (uint64_t k = 0; k < n; k++)
				pas[i + k] = pa + k * ps;
		}
		i += n;
	}
	mm_unlock(mm);
	return i ? (long)i : err;
}

long get_user_pages_fast_only(struct mm *mm, uint64_t start, unsigned long nr_pages, unsigned foll,
			      uint64_t *pas)
{
	const uint64_t ps = mm->page_size;
	struct mm_walk_state st;
	unsigned long i = 0;
	uint64_t backoffs = 0;

	if (!foll_ok(foll) || (start & (ps - 1)) || !pas)
		return 0;
	if (!(foll & FOLL_PIN))
		foll |= FOLL_GET;
	mm__rcu_read_lock();
	mm_walk_init(&st, &mm->view);
	while (i < nr_pages) {
		uint64_t va = start + i * ps, lva, pa, n, hpa;
		struct pt_entry_info info;
		struct mm_page *h;
		uint32_t flags;

		if (!mm_walk_seek_leaf(&st, &mm->view, va))
			break;
		pt_format_decode(st.fmt, st.entry, st.level, &info); /* the one read of it */
		if ((info.prot & PT_SPECIAL) || ((foll & FOLL_WRITE) && !(info.prot & PT_W)))
			break;
		lva = mm_walk_leaf_va(&st);
		pa = mm_walk_leaf_pa(&st) + (va - lva);
		n = (lva + mm_walk_leaf_size(&st) - va) / ps;
		if (n > nr_pages - i)
			n = nr_pages - i;
		if (n > GUP_STEP) /* a 256T folio has 2^36 pages: keep refcounts in range */
			n = GUP_STEP;
		h = folio_span(mm, pa, &n);
		if (!h || !try_grab(h, (uint32_t)n, foll))
			break;
		/* With a reference the folio cannot go away: is it still the one we probed? */
		flags = __atomic_load_n(&h->flags, __ATOMIC_ACQUIRE);
		if (mm_folio_of(mm->pfdb, pa, &hpa) != h || !(flags & MM_PG_HEAD) ||
		    ((pa - hpa) >> mm->pfdb->page_shift) + n >
			    (1ull << __atomic_load_n(&h->order, __ATOMIC_RELAXED)) ||
		    ((foll & FOLL_LONGTERM) && (foll & FOLL_WRITE) && (flags & MM_PG_FILE)) ||
		    !mm_walk_path_unchanged(&st)) {
			ungrab(mm, h, (uint32_t)n, foll);
			backoffs++;
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

	if (!foll_ok(foll) || (start & (mm->page_size - 1)) || !pas)
		return -PT_EINVAL;
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
