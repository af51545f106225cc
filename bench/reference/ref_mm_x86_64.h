/* SPDX-License-Identifier: MIT */
/*
 * Hand-written references for the src/mm workloads on x86-64 4-level and 5-level paging,
 * in the shape of Linux mm/gup.c and mm/memory.c:
 *   - GUP-fast: gup_fast_pgd_range .. gup_fast_pte_range / gup_fast_pmd_leaf /
 *     gup_fast_pud_leaf over mm->view under the RCU read side (the same one ptkit's
 *     get_user_pages_fast_only uses): read each entry once, grab the folio
 *     (try_grab_folio_fast: folio_ref_try_add, pincount), re-check folio and entries,
 *     back off on a change; then the slow path for the rest.
 *   - GUP (slow): __get_user_pages under the mm lock: find_vma once per VMA,
 *     follow_page_mask from the pgd for every page (every leaf when huge), faultin_page
 *     through mm_fault_default, one grab per leaf.
 *   - follow_pfnmap_start/end: lock, VMA lookup, per-level seek to the leaf, pfn and
 *     writable, unlock.
 * References and pins are taken exactly as src/mm/gup.c takes them (mm_folio_of,
 * mm_folio_get / mm_folio_put, the refcount and pincount atomics, MM_PIN_BIAS for
 * order-0 folios, at most 2^16 pages per grab), so the two leave identical counts.
 *
 * The pgtable helpers are the ones the ref_format references use: the pXd_t types and
 * READ_ONCE of ref_pgtable.h, the x86 bits and pXd_none / pXd_leaf / pXd_*_pa of
 * x86_64_pgtable.h and the generic pXd_offset / pXd_addr_end of ref_pxd.h, instantiated
 * over struct rmm (the arena's bytes and base cached by value: no pt_mem load per level).
 * The includer defines
 * REF_LEVELS (4: p4d folded as in pgtable-nop4d.h, or 5) and REF_MM_SYM.
 */
#include "mm/mm_internal.h"
#include "ref_mm.h"
#include "x86_64_pgtable.h"

/* Most pages taken from one folio in one grab (src/mm/gup.c GUP_STEP: 32-bit refcounts). */
#define REF_GUP_STEP (1u << 16)

/* One tree: host pointer of a table = bytes + (pa - base). */
struct rmm {
	uint8_t *bytes;
	uint64_t base, root;
};

static inline struct rmm rmm_of(const struct pt_mm *t)
{
	return (struct rmm){ t->mem->bytes, t->mem->base, t->root[0] };
}

static inline void *rmm_va(const struct rmm *rm, uint64_t pa)
{
	return rm->bytes + (pa - rm->base);
}

#define REF_PXD_MM struct rmm
#define REF_PXD_VA rmm_va
#include "ref_pxd.h"

/* ---- folio accounting: exactly src/mm/gup.c's --------------------------------------- */

static inline bool ref_foll_ok(unsigned foll)
{
	return !((foll & FOLL_GET) && (foll & FOLL_PIN)) &&
	       !((foll & FOLL_LONGTERM) && !(foll & FOLL_PIN));
}

static inline uint32_t ref_grab_refs(const struct mm_page *h, uint32_t n, unsigned foll)
{
	if ((foll & FOLL_PIN) && !__atomic_load_n(&h->order, __ATOMIC_RELAXED))
		return n * MM_PIN_BIAS;
	return n;
}

/* try_grab_folio: the caller holds the mm lock, the leaf holds a reference. */
static inline void ref_grab(struct mm_page *h, uint32_t n, unsigned foll)
{
	mm_folio_get(h, ref_grab_refs(h, n, foll));
	if (foll & FOLL_PIN)
		__atomic_fetch_add(&h->pincount, n, __ATOMIC_RELAXED);
}

/* try_grab_folio_fast: folio_ref_try_add, only while the folio is allocated. */
static inline bool ref_try_grab(struct mm_page *h, uint32_t n, unsigned foll)
{
	uint32_t refs = ref_grab_refs(h, n, foll);
	uint32_t r = __atomic_load_n(&h->refcount, __ATOMIC_RELAXED);

	do {
		if (!r)
			return false;
	} while (!__atomic_compare_exchange_n(&h->refcount, &r, r + refs, true, __ATOMIC_SEQ_CST,
					      __ATOMIC_RELAXED));
	if (foll & FOLL_PIN)
		__atomic_fetch_add(&h->pincount, n, __ATOMIC_RELAXED);
	return true;
}

/* gup_put_folio */
static inline void ref_ungrab(struct mm *mm, struct mm_page *h, uint32_t n, unsigned foll)
{
	uint32_t refs = ref_grab_refs(h, n, foll);
	if (foll & FOLL_PIN)
		__atomic_fetch_sub(&h->pincount, n, __ATOMIC_RELAXED);
	mm_folio_put(mm->pfdb, h, refs);
}

/* The PA of each of n pages from pa (through a local pointer: no reload per store). */
static inline void record_subpages(uint64_t *out, uint64_t pa, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		out[i] = pa + (i << PAGE_SHIFT);
}

/* ---- GUP-fast (gup_fast_pgd_range and friends) ----------------------------------------- */

struct gup_ctx {
	struct mm *mm;
	struct rmm rm;
	unsigned foll;
	uint64_t *pas;
	unsigned long nr;
	uint64_t backoffs;
};

/*
 * The pages [pa, pa + n pages) of one present leaf: record_subpages + try_grab_folio_fast
 * per folio they fall in (one grab for a leaf that maps one folio), then the re-checks of
 * gup_fast_pte_range / gup_fast_pmd_leaf: the page's folio is still the one grabbed, and
 * the leaf entry (and for a PTE its pmd) did not change. false: stop here.
 */
static inline bool gup_fast_leaf(struct gup_ctx *g, uint64_t pa, uint64_t n, const uint64_t *leafp,
				 uint64_t leaf, const uint64_t *pmdp, uint64_t pmd)
{
	struct mm_pfdb *db = g->mm->pfdb;

	while (n) {
		uint64_t hpa, hpa2, k = n, left;
		struct mm_page *h = mm_folio_of(db, pa, &hpa); /* page_folio */
		uint32_t flags, order;

		if (!h)
			return false;
		order = __atomic_load_n(&h->order, __ATOMIC_RELAXED);
		left = (1ull << order) - ((pa - hpa) >> PAGE_SHIFT);
		if (k > left)
			k = left;
		if (k > REF_GUP_STEP)
			k = REF_GUP_STEP;
		if (!ref_try_grab(h, (uint32_t)k, g->foll))
			return false;
		flags = __atomic_load_n(&h->flags, __ATOMIC_ACQUIRE);
		if (mm_folio_of(db, pa, &hpa2) != h || !(flags & MM_PG_HEAD) ||
		    ((pa - hpa2) >> PAGE_SHIFT) + k >
			    (1ull << __atomic_load_n(&h->order, __ATOMIC_RELAXED)) ||
		    ((g->foll & FOLL_LONGTERM) && (g->foll & FOLL_WRITE) && (flags & MM_PG_FILE)) ||
		    READ_ONCE(*leafp) != leaf || (pmdp && READ_ONCE(*pmdp) != pmd)) {
			ref_ungrab(g->mm, h, (uint32_t)k, g->foll);
			g->backoffs++;
			return false;
		}
		record_subpages(g->pas + g->nr, pa, k);
		g->nr += k;
		pa += k << PAGE_SHIFT;
		n -= k;
	}
	return true;
}

/* pte_special, pte_access_permitted(pte, write) */
static inline bool gup_fast_leaf_ok(const struct gup_ctx *g, uint64_t e)
{
	return !pte_special(e) && (!(g->foll & FOLL_WRITE) || pte_write(e));
}

static inline bool gup_fast_pte_range(struct gup_ctx *g, pmd_t *pmdp, uint64_t pmd, uint64_t addr,
				      uint64_t end)
{
	pte_t *ptep = pte_offset_e(&g->rm, pmd, addr);
	do {
		uint64_t pte = READ_ONCE(ptep->pte);
		if (pte_none(pte) || !gup_fast_leaf_ok(g, pte) ||
		    !gup_fast_leaf(g, pte_pa(pte), 1, &ptep->pte, pte, &pmdp->pmd, pmd))
			return false;
	} while (ptep++, addr += PAGE_SIZE, addr != end);
	return true;
}

static inline bool gup_fast_pmd_range(struct gup_ctx *g, uint64_t pud, uint64_t addr, uint64_t end)
{
	pmd_t *pmdp = pmd_offset_e(&g->rm, pud, addr);
	uint64_t next;
	do {
		uint64_t pmd = READ_ONCE(pmdp->pmd);
		next = pmd_addr_end(addr, end);
		if (pmd_none(pmd))
			return false;
		if (pmd_leaf(pmd)) { /* gup_fast_pmd_leaf */
			if (!gup_fast_leaf_ok(g, pmd) ||
			    !gup_fast_leaf(g, pmd_leaf_pa(pmd) + (addr & ~PMD_MASK),
					   (next - addr) >> PAGE_SHIFT, &pmdp->pmd, pmd, NULL, 0))
				return false;
		} else if (!gup_fast_pte_range(g, pmdp, pmd, addr, next)) {
			return false;
		}
	} while (pmdp++, addr = next, addr != end);
	return true;
}

static inline bool gup_fast_pud_range(struct gup_ctx *g, uint64_t p4d, uint64_t addr, uint64_t end)
{
	pud_t *pudp = pud_offset_e(&g->rm, p4d, addr);
	uint64_t next;
	do {
		uint64_t pud = READ_ONCE(pudp->pud);
		next = pud_addr_end(addr, end);
		if (pud_none(pud))
			return false;
		if (pud_leaf(pud)) { /* gup_fast_pud_leaf */
			if (!gup_fast_leaf_ok(g, pud) ||
			    !gup_fast_leaf(g, pud_leaf_pa(pud) + (addr & ~PUD_MASK),
					   (next - addr) >> PAGE_SHIFT, &pudp->pud, pud, NULL, 0))
				return false;
		} else if (!gup_fast_pmd_range(g, pud, addr, next)) {
			return false;
		}
	} while (pudp++, addr = next, addr != end);
	return true;
}

static inline void gup_fast_pgd_range(struct gup_ctx *g, uint64_t addr, uint64_t end)
{
	pgd_t *pgdp = pgd_offset(&g->rm, addr);
	uint64_t next, next4;
	do {
		uint64_t pgd = READ_ONCE(pgdp->pgd);
		next = pgd_addr_end(addr, end);
		if (pgd_none(pgd))
			return;
		p4d_t *p4dp = p4d_offset_lockless(&g->rm, pgdp, pgd, addr);
		uint64_t a4 = addr;
		do {
			uint64_t p4d = READ_ONCE(p4dp->p4d);
			next4 = p4d_addr_end(a4, next);
			if (p4d_none(p4d) || !gup_fast_pud_range(g, p4d, a4, next4))
				return;
		} while (p4dp++, a4 = next4, a4 != next);
	} while (pgdp++, addr = next, addr != end);
}

/* ---- GUP slow path (__get_user_pages, follow_page_mask) -------------------------------- */

/* follow_page_mask: the present leaf mapping va; its entry, the PA of va, its size. */
static inline bool follow_page_mask(const struct rmm *rm, uint64_t va, uint64_t *entry,
				    uint64_t *pa, uint64_t *size)
{
	pgd_t *pgd = pgd_offset(rm, va);
	uint64_t pgdv = READ_ONCE(pgd->pgd);
	if (pgd_none(pgdv))
		return false;
	p4d_t *p4d = p4d_offset_lockless(rm, pgd, pgdv, va);
	uint64_t p4dv = READ_ONCE(p4d->p4d);
	if (p4d_none(p4dv))
		return false;
	pud_t *pud = pud_offset_e(rm, p4dv, va);
	uint64_t pudv = READ_ONCE(pud->pud);
	if (pud_none(pudv))
		return false;
	if (pud_leaf(pudv)) {
		*entry = pudv;
		*pa = pud_leaf_pa(pudv) | (va & ~PUD_MASK);
		*size = PUD_SIZE;
		return true;
	}
	pmd_t *pmd = pmd_offset_e(rm, pudv, va);
	uint64_t pmdv = READ_ONCE(pmd->pmd);
	if (pmd_none(pmdv))
		return false;
	if (pmd_leaf(pmdv)) {
		*entry = pmdv;
		*pa = pmd_leaf_pa(pmdv) | (va & ~PMD_MASK);
		*size = PMD_SIZE;
		return true;
	}
	pte_t *pte = pte_offset_e(rm, pmdv, va);
	uint64_t ptev = READ_ONCE(pte->pte);
	if (pte_none(ptev))
		return false;
	*entry = ptev;
	*pa = pte_pa(ptev);
	*size = PAGE_SIZE;
	return true;
}

static long ref_gup(struct mm *mm, uint64_t start, unsigned long nr_pages, unsigned foll,
		    uint64_t *pas)
{
	const bool write = foll & FOLL_WRITE;
	const struct mm_vma *vma = NULL;
	unsigned long i = 0;
	struct rmm rm;
	int err = 0;

	if (!ref_foll_ok(foll) || (start & (PAGE_SIZE - 1)) ||
	    (!pas && (foll & (FOLL_PIN | FOLL_GET))))
		return -PT_EINVAL;
	if (!(foll & FOLL_PIN) && pas)
		foll |= FOLL_GET;
	mm_lock(mm);
	rm = rmm_of(&mm->pt);
	while (i < nr_pages) {
		uint64_t va = start + i * PAGE_SIZE, e, pa, size, n, hpa, left;
		struct mm_page *h;
		int faults = 0;

		if (!vma || va >= vma->end) { /* find_vma: once per VMA */
			vma = mm_find_vma(mm, va);
			if (!vma || vma->kind == MM_VMA_PFNMAP ||
			    ((foll & FOLL_LONGTERM) && write && vma->kind == MM_VMA_FILE)) {
				err = -PT_EFAULT;
				break;
			}
		}
		for (;;) {
			bool leaf = follow_page_mask(&rm, va, &e, &pa, &size);
			if (leaf && pte_special(e)) {
				err = -PT_EFAULT;
				break;
			}
			if (leaf && (!write || pte_write(e)))
				break;
			if ((foll & FOLL_NOFAULT) || faults++ == 4) {
				err = -PT_EFAULT;
				break;
			}
			mm->faults++; /* faultin_page */
			err = mm_fault_default(mm, vma, va, foll, NULL);
			if (err)
				break;
			vma = mm_find_vma(mm, va); /* the handler may have changed VMAs */
			if (!vma) {
				err = -PT_EFAULT;
				break;
			}
		}
		if (err)
			break;
		/* page_increm: the rest of the leaf, within the VMA and the request */
		n = ((va | (size - 1)) + 1 < vma->end ? (va | (size - 1)) + 1 : vma->end) - va;
		n >>= PAGE_SHIFT;
		if (n > nr_pages - i)
			n = nr_pages - i;
		if (n > REF_GUP_STEP)
			n = REF_GUP_STEP;
		h = mm_folio_of(mm->pfdb, pa, &hpa);
		if (!h) {
			err = -PT_EFAULT;
			break;
		}
		left = (1ull << __atomic_load_n(&h->order, __ATOMIC_RELAXED)) -
		       ((pa - hpa) >> PAGE_SHIFT);
		if (n > left)
			n = left;
		if (pas) {
			ref_grab(h, (uint32_t)n, foll);
			record_subpages(pas + i, pa, n);
		}
		i += n;
	}
	mm_unlock(mm);
	return i ? (long)i : err;
}

static long ref_gup_fast(struct mm *mm, uint64_t start, unsigned long nr_pages, unsigned foll,
			 uint64_t *pas)
{
	struct gup_ctx g = { mm, rmm_of(&mm->view), foll, pas, 0, 0 };
	long more;

	if (!ref_foll_ok(foll) || (start & (PAGE_SIZE - 1)) || !pas)
		return -PT_EINVAL;
	if (!(foll & FOLL_PIN))
		g.foll |= FOLL_GET;
	if (nr_pages) {
		mm__rcu_read_lock();
		gup_fast_pgd_range(&g, start, start + nr_pages * PAGE_SIZE);
		mm__rcu_read_unlock(mm);
	}
	__atomic_fetch_add(&mm->gup_fast_pages, g.nr, __ATOMIC_RELAXED);
	__atomic_fetch_add(&mm->gup_fast_backoffs, g.backoffs, __ATOMIC_RELAXED);
	if (g.nr == nr_pages)
		return (long)g.nr;
	more = ref_gup(mm, start + g.nr * PAGE_SIZE, nr_pages - g.nr, foll, pas + g.nr);
	if (more < 0)
		return g.nr ? (long)g.nr : more;
	return (long)g.nr + more;
}

/* ---- follow_pfnmap_start / follow_pfnmap_end -------------------------------------------- */

static uint64_t ref_follow_pfnmap_many(struct mm *mm, const uint64_t *va, size_t n,
				       uint64_t *writable, uint64_t *errors)
{
	uint64_t sum = 0, nw = 0, nerr = 0;

	for (size_t i = 0; i < n; i++) {
		const struct mm_vma *vma;
		uint64_t e, pa, size;

		mm_lock(mm);
		vma = mm_find_vma(mm, va[i]);
		if (vma && vma->kind == MM_VMA_PFNMAP) {
			struct rmm rm = rmm_of(&mm->pt);
			if (follow_page_mask(&rm, va[i], &e, &pa, &size)) {
				sum += pa >> PAGE_SHIFT;
				nw += pte_write(e);
			} else {
				nerr++;
			}
		} else {
			nerr++;
		}
		mm_unlock(mm);
	}
	*writable = nw;
	*errors = nerr;
	return sum;
}

const struct ref_mm_format REF_MM_SYM = {
	.name = REF_NAME,
	.gup_fast = ref_gup_fast,
	.gup = ref_gup,
	.follow_pfnmap_many = ref_follow_pfnmap_many,
};
