// SPDX-License-Identifier: MIT
/*
 * Tests for src/mm (address space, page-frame database, GUP, follow_pfnmap,
 * mm_walk_vmas) on every format and every leaf size it has: hugetlb folios at every
 * level that allows leaves (root included: riscv 1G/512G/256T, arm64 64K-52 4T; checked
 * level by level), contiguous hugetlb groups (arm64 16G), PFN maps at every level
 * (refused by GUP and GUP-fast, served by follow_pfnmap), write on read-only leaves
 * through the fault handler (in place for shared and exclusive anon), and pins that balance.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mm_fixture.h"
#include "ptkit/mem.h"
#include "ptkit/mm.h"
#include "ptkit/ptkit.h"

#define TABLES_BASE 0x10000000ull
#define TABLES_SIZE (64ull << 20)
/*
 * Frames: [size, 2 * size) with size = max(4G, 4 x the format's largest leaf), so two
 * folios of every leaf size fit (256T on riscv-sv57: the PAs are numbers, only the
 * folio heads have descriptors).
 */
#define DATA_MIN 0x100000000ull

struct fx {
	const struct pt_format *f;
	struct pt_arena a;
	struct mm_pfdb db;
	struct mm mm;
	uint64_t ps; /* smallest page */
	unsigned faults;
	uint32_t hugetlb_levels; /* bit l: a hugetlb folio was mapped by a leaf at level l */
};

static uint64_t largest_leaf(const struct pt_format *f)
{
	uint64_t big = 0;
	for (int b = 0; b < 64; b++)
		if (f->page_sizes & (1ull << b))
			big = 1ull << b;
	return big;
}

static bool fx_init(struct fx *x, const struct pt_format *f)
{
	memset(x, 0, sizeof(*x));
	x->f = f;
	x->ps = pt_level_size(f, 0);
	uint64_t data = 4 * largest_leaf(f) > DATA_MIN ? 4 * largest_leaf(f) : DATA_MIN;
	return mm_fx_open(f, &x->a, &x->db, &x->mm, TABLES_BASE, TABLES_SIZE, data, data);
}

static void fx_fini(struct fx *x)
{
	mm_fx_close(&x->a, &x->db, &x->mm);
}

/* Counts its calls, then does what the default handler does. */
static int counting_fault(struct mm *mm, const struct mm_vma *vma, uint64_t va, unsigned foll,
			  void *priv)
{
	((struct fx *)priv)->faults++;
	return mm_fault_default(mm, vma, va, foll, priv);
}

/* Is `size` one entry at some leaf level (not only a contiguous group)? */
static bool entry_size(const struct pt_format *f, uint64_t size)
{
	for (int l = 0; l < f->levels; l++)
		if (f->leaf_ok[l] && pt_level_size(f, l) == size)
			return true;
	return false;
}

static struct mm_page *head_of(struct fx *x, uint64_t pa)
{
	return mm_folio_of(&x->db, pa, NULL);
}

static unsigned long n_hugetlb, n_pfnmap, n_cow, n_root;

/* A hugetlb VMA of two folios of `size`: GUP, GUP-fast, pins, write on read-only. */
static void test_hugetlb(struct fx *x, uint64_t size)
{
	struct mm *mm = &x->mm;
	uint64_t va = 2 * size, pas[4], pas2[4];
	struct mm_vma v = { .start = va,
			    .end = va + 2 * size,
			    .kind = MM_VMA_HUGETLB,
			    .prot = PT_R | PT_W | PT_USER,
			    .page_size = size };
	/* the last k pages of folio 0 and the first k of folio 1 */
	uint64_t k = size > x->ps ? 2 : 1, start = va + size - k * x->ps;
	struct mm_page *h0, *h1;
	long n;

	if (!CHECK_EQ(mm_mmap(mm, &v), 0))
		return;
	n = get_user_pages(mm, start, 2 * k, FOLL_PIN | FOLL_WRITE, pas, counting_fault, x);
	if (!CHECK_EQ(n, 2 * k))
		goto out;
	CHECK_EQ(pas[k - 1], pas[0] + (k - 1) * x->ps);
	CHECK_EQ(pas[2 * k - 1], pas[k] + (k - 1) * x->ps);
	CHECK_EQ(pas[0] & (size - 1), size - k * x->ps); /* the right sub-pages of the folio */
	CHECK_EQ(pas[k] & (size - 1), 0);
	h0 = head_of(x, pas[0]);
	h1 = head_of(x, pas[k]);
	if (!CHECK(h0 && h1 && h0 != h1))
		goto out;
	CHECK_EQ(mm_page_pa(&x->db, h0), pas[0] & ~(size - 1));
	CHECK_EQ(h0->pincount, k);
	CHECK(mm_folio_pinned(h0) && mm_folio_pinned(h1));
	CHECK_EQ(h0->refcount, size == x->ps ? 1 + MM_PIN_BIAS : 1 + k);
	CHECK_EQ(h0->mapcount, size / x->ps);
	{ /* one leaf (or one contiguous group) maps the whole folio: at which level? */
		struct mm_walk_state st;
		mm_walk_init(&st, &mm->pt);
		if (CHECK(mm_walk_seek_leaf(&st, &mm->pt, start)) &&
		    CHECK_EQ(mm_walk_group_size(&st), size))
			x->hugetlb_levels |= 1u << st.level;
	}

	/* GUP-fast sees the same pages, without faulting. */
	unsigned faults = x->faults;
	n = get_user_pages_fast_only(mm, start, 2 * k, FOLL_PIN | FOLL_WRITE, pas2);
	CHECK_EQ(n, 2 * k);
	CHECK(!memcmp(pas, pas2, 2 * k * sizeof(pas[0])));
	CHECK_EQ(h1->pincount, 2 * k);
	unpin_user_pages(mm, pas2, (unsigned long)n);
	unpin_user_pages(mm, pas, 2 * k);
	CHECK_EQ(x->faults, faults);
	CHECK_EQ(h0->pincount, 0);
	CHECK_EQ(h1->pincount, 0);
	CHECK_EQ(h0->refcount, 1);
	CHECK_EQ(h1->refcount, 1);
	CHECK(!mm_folio_pinned(h0));

	/* Read fault maps read-only; FOLL_WRITE then goes through the fault handler. */
	CHECK_EQ(mm_zap(mm, va, 2 * size), 0);
	CHECK_EQ(x->db.folios_live, 0);
	n = get_user_pages(mm, va, 1, FOLL_GET, pas, counting_fault, x);
	CHECK_EQ(n, 1);
	CHECK_EQ(get_user_pages_fast_only(mm, va, 1, FOLL_GET | FOLL_WRITE, pas2), 0);
	faults = x->faults;
	n = get_user_pages(mm, va, 1, FOLL_GET | FOLL_WRITE, pas2, counting_fault, x);
	if (!CHECK_EQ(n, 1))
		fprintf(stderr, "  ^ %s hugetlb 0x%llx\n", x->f->name, (unsigned long long)size);
	CHECK_EQ(x->faults, faults + 1);
	CHECK_EQ(pas2[0], pas[0]); /* shared: made writable in place */
	CHECK_EQ(get_user_pages_fast_only(mm, va, 1, FOLL_GET | FOLL_WRITE, pas2 + 1), 1);
	put_user_pages(mm, pas, 1);
	put_user_pages(mm, pas2, 2);
	CHECK_EQ(head_of(x, pas[0])->refcount, 1);
	n_hugetlb++;
out:
	CHECK_EQ(mm_munmap(mm, va, 2 * size), 0);
	CHECK_EQ(x->db.folios_live, 0);
}

/* A PFN map of one leaf of `size`: GUP refuses it, follow_pfnmap serves it. */
static void test_pfnmap(struct fx *x, uint64_t size)
{
	struct mm *mm = &x->mm;
	uint64_t va = 2 * size, pas[2];
	uint64_t pa = size < (1ull << (x->f->pa_bits - 1)) ? size : 0;
	struct mm_vma v = { .start = va,
			    .end = va + size,
			    .kind = MM_VMA_PFNMAP,
			    .prot = PT_R | PT_W | PT_USER | PT_DEVICE,
			    .page_size = size,
			    .pfn_pa = pa };
	struct follow_pfnmap_args args;
	uint64_t off = size - x->ps;

	if (!CHECK_EQ(mm_mmap(mm, &v), 0)) {
		fprintf(stderr, "  ^ %s pfnmap size 0x%llx\n", x->f->name,
			(unsigned long long)size);
		return;
	}
	CHECK_EQ(get_user_pages(mm, va, 1, FOLL_GET, pas, NULL, NULL), -PT_EFAULT);
	CHECK_EQ(get_user_pages(mm, va, 1, FOLL_PIN | FOLL_LONGTERM, pas, NULL, NULL), -PT_EFAULT);
	CHECK_EQ(get_user_pages_fast_only(mm, va, 1, FOLL_PIN, pas), 0);
	CHECK_EQ(get_user_pages_fast(mm, va, 1, FOLL_PIN, pas, NULL, NULL), -PT_EFAULT);
	if (CHECK_EQ(follow_pfnmap_start(mm, va + off, &args), 0)) {
		CHECK_EQ(args.pa, pa + off);
		CHECK_EQ(args.pfn, (pa + off) >> x->f->shift[0]);
		CHECK(args.special && args.writable);
		CHECK(args.prot & PT_DEVICE);
		if (entry_size(x->f, size))
			CHECK_EQ(~args.addr_mask + 1, size); /* the whole leaf in one step */
		else
			CHECK(~args.addr_mask + 1 < size); /* a contiguous group of entries */
		follow_pfnmap_end(mm);
	}
	n_pfnmap++;
	CHECK_EQ(mm_munmap(mm, va, size), 0);
}

/*
 * Anon private memory: the folio a fault mapped is exclusive, so a write fault reuses it
 * even with a second reference held (copies are for what mm_fork shares: test_mm_fork.c).
 */
static void test_anon_cow(struct fx *x)
{
	struct mm *mm = &x->mm;
	uint64_t va = 64 * x->ps, pa_old, pa_new;
	struct mm_vma v = { .start = va,
			    .end = va + 4 * x->ps,
			    .kind = MM_VMA_ANON,
			    .prot = PT_R | PT_W | PT_USER };
	struct mm_page *old;

	CHECK_EQ(mm_mmap(mm, &v), 0);
	CHECK_EQ(get_user_pages(mm, va, 1, FOLL_GET, &pa_old, NULL, NULL), 1);
	old = head_of(x, pa_old);
	CHECK_EQ(old->refcount, 2);
	CHECK_EQ(get_user_pages(mm, va, 1, FOLL_PIN | FOLL_WRITE, &pa_new, NULL, NULL), 1);
	CHECK_EQ(pa_new, pa_old);
	CHECK_EQ(old->refcount, 2 + MM_PIN_BIAS);
	CHECK_EQ(old->mapcount, 1);
	put_user_pages(mm, &pa_old, 1);
	CHECK_EQ(x->db.folios_live, 1);
	unpin_user_pages(mm, &pa_new, 1);
	/* Without another reference the write happens in place. */
	CHECK_EQ(get_user_pages(mm, va + x->ps, 1, FOLL_NOFAULT | FOLL_GET, &pa_old, NULL, NULL),
		 -PT_EFAULT);
	CHECK_EQ(get_user_pages(mm, va + x->ps, 1, FOLL_PIN, &pa_old, NULL, NULL), 1);
	unpin_user_pages(mm, &pa_old, 1);
	CHECK_EQ(get_user_pages(mm, va + x->ps, 1, FOLL_PIN | FOLL_WRITE, &pa_new, NULL, NULL), 1);
	CHECK_EQ(pa_new, pa_old);
	unpin_user_pages(mm, &pa_new, 1);
	/* No VMA, bad flags, write to a read-only VMA. */
	CHECK_EQ(get_user_pages(mm, va - x->ps, 1, FOLL_GET, &pa_old, NULL, NULL), -PT_EFAULT);
	CHECK_EQ(get_user_pages(mm, va, 1, FOLL_GET | FOLL_PIN, &pa_old, NULL, NULL), -PT_EINVAL);
	CHECK_EQ(mm_mprotect(mm, va, 4 * x->ps, PT_R | PT_USER), 0);
	CHECK_EQ(get_user_pages(mm, va, 1, FOLL_PIN | FOLL_WRITE, &pa_new, NULL, NULL), -PT_EFAULT);
	CHECK_EQ(get_user_pages_fast_only(mm, va, 1, FOLL_PIN | FOLL_WRITE, &pa_new), 0);
	CHECK_EQ(mm_munmap(mm, va, 4 * x->ps), 0);
	CHECK_EQ(x->db.folios_live, 0);
	n_cow++;
}

/* mm_walk_vmas: gaps, test_walk skipping, holes and leaves of any size in order. */
struct walk_log {
	uint64_t next; /* every callback must start where the previous ended */
	unsigned leaves, holes, gaps, skipped;
	bool ordered;
};

static int wl_test(uint64_t start, uint64_t end, const struct mm_vma *vma, void *p)
{
	struct walk_log *w = p;
	(void)start;
	if (vma->kind == MM_VMA_PFNMAP) {
		w->skipped++;
		w->ordered &= w->next == start;
		w->next = end;
		return MM_WALK_SKIP;
	}
	return 0;
}

static int wl_leaf(struct mm_walk_state *st, const struct mm_vma *vma, void *p)
{
	struct walk_log *w = p;
	uint64_t end = mm_walk_leaf_va(st) + mm_walk_leaf_size(st);
	w->leaves++;
	w->ordered &= w->next == st->va && st->va >= vma->start;
	w->next = end < vma->end ? end : vma->end;
	return 0;
}

static int wl_hole(uint64_t start, uint64_t end, int level, const struct mm_vma *vma, void *p)
{
	struct walk_log *w = p;
	(void)level;
	if (vma)
		w->holes++;
	else
		w->gaps++;
	w->ordered &= w->next == start;
	w->next = end;
	return 0;
}

static void test_walk_vmas(struct fx *x, uint64_t big)
{
	struct mm *mm = &x->mm;
	uint64_t base = 4 * big, pa;
	struct mm_vma h = { .start = base,
			    .end = base + 2 * big,
			    .kind = MM_VMA_HUGETLB,
			    .prot = PT_R | PT_W,
			    .page_size = big };
	struct mm_vma p = { .start = base + 3 * big,
			    .end = base + 4 * big,
			    .kind = MM_VMA_PFNMAP,
			    .prot = PT_R,
			    .page_size = big,
			    .pfn_pa = big };
	struct mm_vma a = { .start = base + 5 * big,
			    .end = base + 5 * big + 8 * x->ps,
			    .kind = MM_VMA_ANON,
			    .prot = PT_R | PT_W };
	struct mm_vma_walk_ops ops = { .test_walk = wl_test,
				       .leaf_entry = wl_leaf,
				       .hole = wl_hole };
	struct walk_log w = { .next = base, .ordered = true };

	CHECK_EQ(mm_mmap(mm, &h), 0);
	CHECK_EQ(mm_mmap(mm, &p), 0);
	CHECK_EQ(mm_mmap(mm, &a), 0);
	CHECK_EQ(get_user_pages(mm, base + big, 1, 0, NULL, NULL, NULL), 1); /* fault in only */
	CHECK_EQ(get_user_pages(mm, a.start + 2 * x->ps, 1, FOLL_PIN, &pa, NULL, NULL), 1);
	CHECK_EQ(mm_walk_vmas(mm, base, a.end, &ops, &w), 0);
	CHECK(w.ordered);
	CHECK_EQ(w.next, a.end);
	CHECK(w.leaves >= 2); /* a contiguous group is walked entry by entry */
	CHECK_EQ(w.skipped, 1);
	CHECK_EQ(w.gaps, 2);
	CHECK(w.holes >= 2);
	unpin_user_pages(mm, &pa, 1);
	CHECK_EQ(mm_munmap(mm, base, 6 * big), 0);
	CHECK_EQ(mm->nr_vmas, 0);
}

int main(void)
{
	unsigned formats = 0;

	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);
		struct fx x;
		uint64_t largest_folio = 0;

		if (!fx_init(&x, f))
			return CHECK_DONE();
		for (int b = 0; b < 64; b++) {
			uint64_t size = 1ull << b;
			if (!(f->page_sizes & size))
				continue;
			if (CHECK(size <= (x.ps << x.db.max_order))) {
				test_hugetlb(&x, size);
				largest_folio = size;
			}
			test_pfnmap(&x, size);
		}
		/* hugetlb at every level that may hold leaves, the root included */
		for (int l = 0; l < f->levels; l++) {
			if (f->leaf_ok[l] && !CHECK(x.hugetlb_levels & (1u << l)))
				fprintf(stderr, "  ^ %s: no hugetlb folio at level %d\n", f->name,
					l);
			if (f->leaf_ok[l] && l == f->levels - 1)
				n_root++;
		}
		test_anon_cow(&x);
		test_walk_vmas(&x, largest_folio);
		fx_fini(&x);
		formats++;
	}
	printf("test_mm_gup: %u formats, %lu hugetlb sizes (%lu formats with root-level "
	       "hugetlb), %lu PFN-map sizes, %lu COW runs\n",
	       formats, n_hugetlb, n_root, n_pfnmap, n_cow);
	return CHECK_DONE();
}
