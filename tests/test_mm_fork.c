// SPDX-License-Identifier: MIT
/*
 * mm_fork (src/mm/fork.c) and copy-on-write after it (src/mm/memory.c, src/mm/gup.c), on
 * every format:
 *  - levels: every leaf size up to 1G (huge leaves at every level, contiguous / NAPOT
 *    groups) is mapped again at the same level and group size in the child; anonymous
 *    pages shared read-only, hugetlb and file shared writable, PFN maps copied special;
 *    writes then copy in one space and reuse in the other;
 *  - pinned: a pinned exclusive page is copied for the child at fork, the parent's leaf
 *    stays writable on it; pinning a shared page unshares it (GUP-fast refuses);
 *  - enomem: every injected table allocation failure leaves the child empty and the parent
 *    bit for bit as before (leaves and folio counters; the parent allocates nothing);
 *  - tlb: the parent's write-protect is flushed (tests/tlb_model.h);
 *  - random: a differential check against a model of which page (identity and contents)
 *    every space maps after random writes, reads, pins, zaps, forks and exits;
 *  - concurrent: forks, writes and exits against a thread pinning with GUP-fast
 *    (FOLL_PIN | FOLL_WRITE): every pinned page is still what the parent maps (run under
 *    TSan as test_mm_fork_tsan). PTKIT_MM_SECONDS sets its duration (default 1).
 * Every folio's refcount / mapcount is checked, and everything is freed at the end.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "ptkit/mm.h"
#include "tlb_model.h"

#define TABLES_BASE 0x10000000ull
#define TABLES_SIZE (32ull << 20)
#define DATA_BASE (1ull << 36)
#define DATA_SIZE (1ull << 36)
#define PFN_PA (1ull << 40)
#define MAXSP 4 /* address spaces alive at once: a parent, children, grandchildren */

/* ---- page contents: the frames are numbers, so the test keeps what "is" in them -------- */

#define CONTENT_SLOTS (1u << 16)
static struct {
	uint64_t pa, tok;
} content[CONTENT_SLOTS];
static pthread_mutex_t content_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t *content_slot(uint64_t pa)
{
	uint32_t i = (uint32_t)((pa >> 12) * 0x9e3779b97f4a7c15ull >> 48) & (CONTENT_SLOTS - 1);

	while (content[i].pa && content[i].pa != pa)
		i = (i + 1) & (CONTENT_SLOTS - 1);
	content[i].pa = pa;
	return &content[i].tok;
}

static void content_set(uint64_t pa, uint64_t tok)
{
	pthread_mutex_lock(&content_lock);
	*content_slot(pa) = tok;
	pthread_mutex_unlock(&content_lock);
}

static uint64_t content_get(uint64_t pa)
{
	uint64_t t;

	pthread_mutex_lock(&content_lock);
	t = *content_slot(pa);
	pthread_mutex_unlock(&content_lock);
	return t;
}

static unsigned long n_copies;

static void copy_hook(struct mm *mm, uint64_t dst, uint64_t src, uint64_t size)
{
	for (uint64_t off = 0; off < size && off < 16 * mm->page_size; off += mm->page_size)
		content_set(dst + off, content_get(src + off));
	__atomic_fetch_add(&n_copies, 1, __ATOMIC_RELAXED);
}

/* ---- the fixture: one pfdb, up to MAXSP address spaces with their own table memory ------ */

struct fx {
	const struct pt_format *f;
	struct mm_pfdb db;
	struct pt_arena a[MAXSP];
	struct mm mm[MAXSP];
	bool live[MAXSP];
	uint64_t ps;
};

static bool fx_init(struct fx *x, const struct pt_format *f)
{
	memset(x, 0, sizeof(*x));
	memset(content, 0, sizeof(content));
	x->f = f;
	x->ps = pt_level_size(f, 0);
	for (int i = 0; i < MAXSP; i++)
		if (!CHECK_EQ(pt_arena_init(&x->a[i], TABLES_BASE + i * TABLES_SIZE, TABLES_SIZE),
			      0))
			return false;
	return CHECK_EQ(mm_pfdb_init(&x->db, DATA_BASE, DATA_SIZE, f->shift[0]), 0);
}

static bool sp_new(struct fx *x, int i)
{
	if (!CHECK_EQ(mm_init(&x->mm[i], x->f, &x->a[i].mem, &x->db), 0))
		return false;
	x->mm[i].copy_page = copy_hook;
	x->live[i] = true;
	return true;
}

static void sp_end(struct fx *x, int i)
{
	mm_fini(&x->mm[i]);
	CHECK_EQ(x->a[i].live, 0);
	x->live[i] = false;
}

static void fx_fini(struct fx *x)
{
	for (int i = 0; i < MAXSP; i++) {
		if (x->live[i])
			sp_end(x, i);
		pt_arena_fini(&x->a[i]);
	}
	CHECK_EQ(x->db.folios_live, 0);
	mm_pfdb_fini(&x->db);
}

struct leaf {
	uint64_t pa, gsize;
	uint32_t prot;
	int level;
};

/* The leaf mapping va in mm (pa: of va itself); false when none. */
static bool leaf_at(struct mm *mm, uint64_t va, struct leaf *l)
{
	struct mm_walk_state st;

	mm_walk_init(&st, &mm->pt);
	if (!mm_walk_seek_leaf(&st, &mm->pt, va))
		return false;
	l->pa = mm_walk_leaf_pa(&st) + (va - mm_walk_leaf_va(&st));
	l->gsize = mm_walk_group_size(&st);
	l->prot = mm_walk_prot(&st);
	l->level = st.level;
	return true;
}

/* A write (or read) by the process at va: the fault path, then the PA it reached. */
static uint64_t touch(struct mm *mm, uint64_t va, bool write)
{
	uint64_t pa = 0;

	if (!CHECK_EQ(
		    get_user_pages(mm, va, 1, FOLL_GET | (write ? FOLL_WRITE : 0), &pa, NULL, NULL),
		    1)) {
		fprintf(stderr, "  ^ %s at 0x%llx: %s\n", mm->pt.fmt->name, (unsigned long long)va,
			mm_last_error()->why ? mm_last_error()->why : "");
		return 0;
	}
	put_user_pages(mm, &pa, 1);
	return pa;
}

static struct mm_page *head(struct fx *x, uint64_t pa)
{
	return mm_folio_of(&x->db, pa, NULL);
}

static bool excl(const struct mm_page *h)
{
	return __atomic_load_n(&h->flags, __ATOMIC_RELAXED) & MM_PG_ANON_EXCL;
}

static unsigned long n_levels, n_groups, n_pinned, n_failures, n_random, n_conc;

/* ---- every leaf size: kept at its level and group size, shared as its kind says ---------- */

static void test_levels(struct fx *x, uint64_t size)
{
	struct mm *p = &x->mm[0], *c = &x->mm[1];
	const uint32_t rw = PT_R | PT_W | PT_USER;
	const uint64_t anon = 2 * size, htlb = 4 * size, pfn = 6 * size, file = 8 * size;
	struct mm_vma va = { anon, anon + 2 * size, MM_VMA_ANON, rw, size, 0 };
	struct mm_vma vh = { htlb, htlb + size, MM_VMA_HUGETLB, rw, size, 0 };
	struct mm_vma vp = { pfn, pfn + size, MM_VMA_PFNMAP, rw | PT_DEVICE, size, PFN_PA };
	struct mm_vma vf = { file, file + size, MM_VMA_FILE, rw, size, 0 };
	const uint64_t vas[] = { anon, anon + size, htlb, pfn, file };
	struct leaf lp[5], lc[5];
	uint64_t frames = size / x->ps, pa;

	if (!sp_new(x, 0) || !sp_new(x, 1))
		return;
	if (!CHECK_EQ(mm_mmap(p, &va), 0) || !CHECK_EQ(mm_mmap(p, &vh), 0) ||
	    !CHECK_EQ(mm_mmap(p, &vp), 0) || !CHECK_EQ(mm_mmap(p, &vf), 0))
		goto out;
	touch(p, file, true);
	touch(p, anon, true);
	touch(p, anon + size, true);
	touch(p, htlb, true);
	if (!CHECK_EQ(mm_fork(c, p), 0))
		goto out;
	CHECK_EQ(c->nr_vmas, 4);
	for (int i = 0; i < 5; i++) {
		uint64_t v = vas[i] + size - x->ps; /* the last page of the leaf or group */
		struct mm_page *h;

		if (!CHECK(leaf_at(p, v, &lp[i])) || !CHECK(leaf_at(c, v, &lc[i])))
			goto out;
		CHECK_EQ(lc[i].pa, lp[i].pa);
		CHECK_EQ(lc[i].level, lp[i].level);
		CHECK_EQ(lc[i].gsize, lp[i].gsize);
		CHECK_EQ(lc[i].gsize, size);
		/* Linux copy_present_pte: the child's leaf is old; a shared mapping's is clean,
		 * a private one keeps its dirty bit (the data is the parent's either way). */
		CHECK(!(lc[i].prot & PT_YOUNG));
		if (i == 2 || i == 4)
			CHECK((lp[i].prot & PT_DIRTY) && !(lc[i].prot & PT_DIRTY));
		else if (i < 2)
			CHECK_EQ(lc[i].prot & PT_DIRTY, lp[i].prot & PT_DIRTY);
		if (i == 3) { /* PFN map: special in both, no descriptor touched */
			CHECK((lp[i].prot & lc[i].prot & PT_SPECIAL) && (lc[i].prot & PT_W));
			CHECK(!head(x, lp[i].pa));
			continue;
		}
		h = head(x, lp[i].pa);
		if (!CHECK(h))
			continue;
		CHECK_EQ(h->refcount, 1);
		CHECK_EQ(h->mapcount, 2 * frames);
		if (i < 2) { /* anon: read-only in both, no longer exclusive */
			CHECK(!(lp[i].prot & PT_W) && !(lc[i].prot & PT_W));
			CHECK(!excl(h));
		} else { /* hugetlb, file: shared writable */
			CHECK((lp[i].prot & PT_W) && (lc[i].prot & PT_W));
		}
	}
	/* Unit 0: the child writes first (copy), then the parent (reuse: its only user). */
	content_set(lp[0].pa - (size - x->ps), 0x11);
	pa = touch(c, anon, true);
	CHECK(pa != lp[0].pa - (size - x->ps));
	CHECK_EQ(content_get(pa), 0x11); /* the copy has the contents */
	CHECK(leaf_at(c, anon, &lc[0]) && (lc[0].prot & PT_W) && lc[0].gsize == size);
	CHECK(leaf_at(p, anon, &lp[0]) && !(lp[0].prot & PT_W));
	CHECK_EQ(head(x, lp[0].pa)->mapcount, frames);
	CHECK_EQ(touch(p, anon, true), lp[0].pa);
	CHECK(excl(head(x, lp[0].pa)));
	/* Unit 1 the other way round. */
	pa = touch(p, anon + size, true);
	CHECK(pa != lp[1].pa - (size - x->ps));
	CHECK(leaf_at(p, anon + size, &lp[1]) && lp[1].gsize == size);
	CHECK_EQ(touch(c, anon + size, true), lc[1].pa - (size - x->ps));
	/* Hugetlb: a write in the child goes to the shared page. */
	CHECK_EQ(touch(c, htlb, true), lp[2].pa - (size - x->ps));
	CHECK_EQ(touch(c, file, true), lp[4].pa - (size - x->ps));
	n_levels++;
	n_groups += size != pt_level_size(x->f, lp[0].level);
out:
	sp_end(x, 1);
	sp_end(x, 0);
	CHECK_EQ(x->db.folios_live, 0);
}

/* ---- pins: copied eagerly at fork; pinning a shared page unshares it --------------------- */

static void test_pinned(struct fx *x, uint64_t size)
{
	struct mm *p = &x->mm[0], *c = &x->mm[1];
	const uint64_t base = 8 * size;
	struct mm_vma v = { base, base + 4 * size, MM_VMA_ANON, PT_R | PT_W | PT_USER, size, 0 };
	const unsigned pin = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;
	uint64_t pinned, pa, pa2, shared;
	struct leaf l;

	if (!sp_new(x, 0) || !sp_new(x, 1))
		return;
	if (!CHECK_EQ(mm_mmap(p, &v), 0))
		goto out;
	for (uint64_t u = 0; u < 4; u++)
		touch(p, base + u * size, true);
	if (!CHECK_EQ(get_user_pages(p, base + size, 1, pin, &pinned, NULL, NULL), 1))
		goto out;
	content_set(pinned, 0x22);
	shared = touch(p, base, false);
	if (!CHECK_EQ(mm_fork(c, p), 0))
		goto out;
	/* The pinned unit: the parent keeps it writable, the child has a copy. */
	CHECK(leaf_at(p, base + size, &l) && l.pa == pinned && (l.prot & PT_W));
	CHECK(excl(head(x, pinned)));
	CHECK(leaf_at(c, base + size, &l) && l.pa != pinned && (l.prot & PT_W) && l.gsize == size);
	CHECK_EQ(content_get(l.pa), 0x22);
	CHECK_EQ(head(x, l.pa)->mapcount, size / x->ps);
	CHECK_EQ(head(x, pinned)->mapcount, size / x->ps);
	CHECK_EQ(touch(p, base + size, true), pinned);
	/* While a fork write-protects (the count odd), GUP-fast pins nothing; references are fine.
	 */
	p->write_protect_seq++;
	CHECK_EQ(get_user_pages_fast_only(p, base + size, 1, FOLL_PIN, &pa), 0);
	CHECK(mm_last_error()->why && strstr(mm_last_error()->why, "mm_fork"));
	CHECK_EQ(get_user_pages_fast_only(p, base + size, 1, FOLL_GET, &pa), 1);
	put_user_pages(p, &pa, 1);
	p->write_protect_seq++;
	CHECK_EQ(get_user_pages_fast_only(p, base + size, 1, FOLL_PIN, &pa), 1);
	unpin_user_pages(p, &pa, 1);
	/* A shared unit: GUP-fast will not pin it; the slow path copies it for the parent. */
	CHECK_EQ(get_user_pages_fast_only(p, base, 1, FOLL_PIN, &pa), 0);
	CHECK_EQ(get_user_pages_fast_only(p, base, 1, FOLL_GET, &pa), 1); /* a reference is fine */
	CHECK_EQ(pa, shared);
	put_user_pages(p, &pa, 1);
	CHECK_EQ(get_user_pages(p, base, 1, FOLL_PIN | FOLL_NOFAULT, &pa, NULL, NULL), -PT_EFAULT);
	CHECK_EQ(get_user_pages_fast(p, base, 1, FOLL_PIN | FOLL_LONGTERM, &pa, NULL, NULL), 1);
	CHECK(pa != shared);
	CHECK(leaf_at(p, base, &l) && l.pa == pa && !(l.prot & PT_W)); /* unshared, read-only */
	CHECK(excl(head(x, pa)));
	CHECK(leaf_at(c, base, &l) && l.pa == shared);
	CHECK_EQ(touch(p, base, true), pa); /* the write reuses the pinned page */
	CHECK_EQ(get_user_pages_fast_only(p, base, 1, FOLL_PIN | FOLL_WRITE, &pa2), 1);
	CHECK_EQ(pa2, pa);
	unpin_user_pages(p, &pa2, 1);
	unpin_user_pages(p, &pa, 1);
	/* The child is now the only user of the old page: its write takes it back. */
	CHECK_EQ(touch(c, base, true), shared);
	CHECK(excl(head(x, shared)));
	/* A second fork while the pin is held: again a copy, the parent keeps its page. */
	sp_end(x, 1);
	sp_new(x, 1);
	CHECK_EQ(mm_fork(c, p), 0);
	CHECK(leaf_at(p, base + size, &l) && l.pa == pinned && (l.prot & PT_W));
	CHECK(leaf_at(c, base + size, &l) && l.pa != pinned);
	unpin_user_pages(p, &pinned, 1);
	CHECK(head(x, pinned) && head(x, pinned)->refcount == 1);
	n_pinned++;
out:
	sp_end(x, 1);
	sp_end(x, 0);
	CHECK_EQ(x->db.folios_live, 0);
}

/* ---- all or nothing: injected table allocation failures in the child ---------------------- */

struct psnap {
	size_t n;
	uint64_t va[256], entry[256], refcount[256], mapcount[256], flags[256];
};

static void psnap_take(struct fx *x, struct mm *mm, struct psnap *s)
{
	struct mm_walk_state st;

	s->n = 0;
	mm_walk_init(&st, &mm->pt);
	for (unsigned i = 0; i < mm->nr_vmas; i++)
		for_each_pt_leaf (&st, &mm->pt, mm->vmas[i].start, mm->vmas[i].end) {
			struct mm_page *h = head(x, mm_walk_leaf_pa(&st));

			if (s->n == 256)
				break;
			s->va[s->n] = st.va;
			s->entry[s->n] = st.entry;
			s->refcount[s->n] = h ? h->refcount : 0;
			s->mapcount[s->n] = h ? h->mapcount : 0;
			s->flags[s->n] = h ? h->flags : 0;
			s->n++;
		}
}

static bool psnap_same(const struct psnap *a, const struct psnap *b)
{
	return a->n == b->n && !memcmp(a->va, b->va, a->n * 8) &&
	       !memcmp(a->entry, b->entry, a->n * 8) &&
	       !memcmp(a->refcount, b->refcount, a->n * 8) &&
	       !memcmp(a->mapcount, b->mapcount, a->n * 8) && !memcmp(a->flags, b->flags, a->n * 8);
}

static void test_enomem(struct fx *x, uint64_t huge)
{
	static struct psnap before, after;
	struct mm *p = &x->mm[0], *c = &x->mm[1];
	const uint32_t rw = PT_R | PT_W | PT_USER;
	const uint64_t h = huge ? huge : 16 * x->ps, base = 16 * h;
	/* the first address under another root entry: a path of tables of its own */
	const uint64_t far = ((base + 5 * h) | (pt_level_size(x->f, x->f->levels - 1) - 1)) + 1;
	struct mm_vma vs[] = {
		{ base, base + 8 * x->ps, MM_VMA_ANON, rw, 0, 0 },
		{ base + h, base + 3 * h, MM_VMA_ANON, rw, huge, 0 },
		{ base + 3 * h, base + 4 * h, MM_VMA_HUGETLB, rw, huge, 0 },
		{ base + 4 * h, base + 5 * h, MM_VMA_PFNMAP, rw, 0, PFN_PA },
		{ far, far + x->ps, MM_VMA_ANON, rw, 0, 0 },
	};
	uint64_t pin, roots;
	unsigned failures = 0;
	int err = -1;

	if (!sp_new(x, 0) || !sp_new(x, 1))
		return;
	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ(mm_mmap(p, &vs[i]), 0);
	for (uint64_t va = base; va < base + 8 * x->ps; va += x->ps)
		touch(p, va, va != base); /* one read-only page */
	touch(p, base + h, true);
	touch(p, base + 2 * h, true);
	touch(p, base + 3 * h, true);
	touch(p, far, true);
	CHECK_EQ(get_user_pages(p, base + x->ps, 1, FOLL_PIN | FOLL_WRITE, &pin, NULL, NULL), 1);
	psnap_take(x, p, &before);
	roots = x->a[1].live;
	for (uint64_t k = 1; k < 200; k++) {
		x->a[1].fail_at = k;
		x->a[0].fail_at = 1; /* the parent must not allocate at all */
		err = mm_fork(c, p);
		CHECK_EQ(x->a[0].fail_at, 1);
		x->a[0].fail_at = x->a[1].fail_at = 0;
		if (!err)
			break;
		failures++;
		psnap_take(x, p, &after);
		if (!CHECK_EQ(err, -PT_ENOMEM) || !CHECK(psnap_same(&before, &after)) ||
		    !CHECK_EQ(c->nr_vmas, 0) || !CHECK_EQ(x->a[1].live, roots)) {
			fprintf(stderr, "  ^ %s: fork with fail_at=%llu\n", x->f->name,
				(unsigned long long)k);
			break;
		}
	}
	CHECK_EQ(err, 0);
	if (!CHECK(failures >= 2))
		fprintf(stderr, "  ^ %s: %u failures\n", x->f->name, failures);
	n_failures += failures;
	{ /* the child as a whole afterwards: the same leaves, the same translation */
		static struct psnap cs;
		psnap_take(x, c, &cs);
		psnap_take(x, p, &after);
		CHECK_EQ(cs.n, after.n);
		for (size_t i = 0; i < cs.n && i < after.n; i++)
			CHECK_EQ(cs.va[i], after.va[i]);
	}
	unpin_user_pages(p, &pin, 1);
	sp_end(x, 1);
	sp_end(x, 0);
	CHECK_EQ(x->db.folios_live, 0);
}

/* ---- the parent's write-protect is flushed (TLB model) ------------------------------------ */

static void tlb_hook(struct mm *mm, const struct pt_flush *f)
{
	tlb_model_flush(mm->tlb_priv, f);
}

static void test_tlb(struct fx *x, uint64_t huge)
{
	struct mm *p = &x->mm[0], *c = &x->mm[1];
	struct tlb_model *t = calloc(1, sizeof(*t));
	const uint64_t h = huge ? huge : 16 * x->ps, base = 8 * h;
	struct mm_vma v1 = { base, base + 16 * x->ps, MM_VMA_ANON, PT_R | PT_W | PT_USER, 0, 0 };
	struct mm_vma v2 = { base + h, base + 2 * h, MM_VMA_ANON, PT_R | PT_W | PT_USER, huge, 0 };
	struct pt_gather none;
	unsigned long flushes;

	if (!CHECK(t) || !sp_new(x, 0) || !sp_new(x, 1))
		goto out;
	CHECK_EQ(mm_mmap(p, &v1), 0);
	CHECK_EQ(mm_mmap(p, &v2), 0);
	for (uint64_t va = base; va < base + 16 * x->ps; va += x->ps)
		touch(p, va, true);
	touch(p, base + h, true);
	tlb_model_attach(t, &p->pt);
	p->tlb_flush = tlb_hook;
	p->tlb_priv = t;
	flushes = t->flushes;
	CHECK_EQ(mm_fork(c, p), 0);
	pt_gather_init(&none, &p->pt);
	tlb_model_op_end(t, &none); /* no stale writable translation left */
	CHECK(t->flushes > flushes);
	CHECK_EQ(t->violations, 0);
	/* The model can tell: write-protect one more leaf without a flush. */
	{
		struct pt_gather g;
		touch(p, base, true); /* a copy: writable (and flushed) */
		t->where = "negative control";
		t->reported = TLB_MAX_REPORT; /* expected: not printed */
		mm_lock(p);
		pt_gather_init(&g, &p->pt);
		CHECK_EQ(pt_protect(&p->pt, base, x->ps, PT_R | PT_USER, &g), 0);
		tlb_model_op_end(t, &none);
		CHECK(t->violations > 0);
		t->violations = 0;
		pt_gather_flush(&g); /* no flush hook on this gather: the model stays stale */
		mm_unlock(p);
		t->where = NULL;
		t->reported = 0;
	}
	p->tlb_flush = NULL;
	tlb_model_detach(t);
out:
	sp_end(x, 1);
	sp_end(x, 0);
	free(t);
	CHECK_EQ(x->db.folios_live, 0);
}

/* ---- differential: random writes, reads, pins, zaps, forks and exits against a model ---- */

#define NU 12

struct model {
	uint64_t id[MAXSP][NU];	 /* which page a space maps at unit u (0: none) */
	uint64_t tok[MAXSP][NU]; /* what it holds (0: never written) */
	uint64_t ids, toks;
};

static bool shared_elsewhere(const struct model *m, const struct fx *x, int s, unsigned u)
{
	for (int t = 0; t < MAXSP; t++)
		if (t != s && x->live[t] && m->id[t][u] == m->id[s][u])
			return true;
	return false;
}

static bool model_check(struct fx *x, struct model *m, uint64_t base, uint64_t unit)
{
	bool ok = true;

	for (int s = 0; s < MAXSP; s++)
		for (unsigned u = 0; s < MAXSP && x->live[s] && u < NU; u++) {
			struct leaf l, o;
			unsigned sharers = 1;
			struct mm_page *h;
			bool mapped = leaf_at(&x->mm[s], base + u * unit, &l);

			ok &= CHECK_EQ(mapped, m->id[s][u] != 0);
			if (!mapped || !m->id[s][u])
				continue;
			ok &= CHECK_EQ(l.gsize, unit);
			if (m->tok[s][u])
				ok &= CHECK_EQ(content_get(l.pa), m->tok[s][u]);
			for (int t = 0; t < MAXSP; t++) {
				if (t == s || !x->live[t] || !m->id[t][u] ||
				    !leaf_at(&x->mm[t], base + u * unit, &o))
					continue;
				ok &= CHECK_EQ(o.pa == l.pa, m->id[t][u] == m->id[s][u]);
				sharers += m->id[t][u] == m->id[s][u];
			}
			h = head(x, l.pa);
			if (!CHECK(h))
				return false;
			ok &= CHECK_EQ(h->refcount, 1);
			ok &= CHECK_EQ(h->mapcount, sharers * (unit / x->ps));
			if (sharers > 1) /* shared: read-only everywhere, not exclusive */
				ok &= CHECK(!(l.prot & PT_W) && !excl(h));
			if (l.prot & PT_W)
				ok &= CHECK(excl(h));
		}
	return ok;
}

static void test_random(struct fx *x, uint64_t unit, uint64_t seed)
{
	struct model *m = calloc(1, sizeof(*m));
	const uint64_t base = 32 * unit;
	struct mm_vma v = { base, base + NU * unit, MM_VMA_ANON, PT_R | PT_W | PT_USER, unit, 0 };
	int steps;

	if (!CHECK(m) || !sp_new(x, 0) || !CHECK_EQ(mm_mmap(&x->mm[0], &v), 0))
		goto out;
	for (steps = 0; steps < 300; steps++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t r = seed >> 24;
		int s = (int)((r >> 8) % MAXSP), t;
		unsigned u = (unsigned)((r >> 12) % NU), op = (unsigned)(r % 100);
		uint64_t va = base + u * unit, pa;

		if (!x->live[s])
			s = 0;
		if (op < 40) { /* write */
			if (!m->id[s][u] || shared_elsewhere(m, x, s, u))
				m->id[s][u] = ++m->ids;
			m->tok[s][u] = ++m->toks;
			pa = touch(&x->mm[s], va, true);
			content_set(pa, m->tok[s][u]);
		} else if (op < 60) { /* read */
			if (!m->id[s][u]) {
				m->id[s][u] = ++m->ids;
				m->tok[s][u] = 0;
			}
			touch(&x->mm[s], va, false);
		} else if (op < 68) { /* pin (no write) and unpin: unshares */
			if (!m->id[s][u])
				m->id[s][u] = ++m->ids, m->tok[s][u] = 0;
			else if (shared_elsewhere(m, x, s, u))
				m->id[s][u] = ++m->ids;
			if (CHECK_EQ(get_user_pages_fast(&x->mm[s], va, 1, FOLL_PIN, &pa, NULL,
							 NULL),
				     1))
				unpin_user_pages(&x->mm[s], &pa, 1);
		} else if (op < 78) { /* zap */
			CHECK_EQ(mm_zap(&x->mm[s], va, unit), 0);
			m->id[s][u] = m->tok[s][u] = 0;
		} else if (op < 92) { /* fork into a free slot */
			for (t = 1; t < MAXSP && x->live[t]; t++)
				;
			if (t == MAXSP || !sp_new(x, t))
				continue;
			if (!CHECK_EQ(mm_fork(&x->mm[t], &x->mm[s]), 0))
				break;
			memcpy(m->id[t], m->id[s], sizeof(m->id[t]));
			memcpy(m->tok[t], m->tok[s], sizeof(m->tok[t]));
		} else if (s) { /* exit */
			sp_end(x, s);
			memset(m->id[s], 0, sizeof(m->id[s]));
		}
		if (!model_check(x, m, base, unit)) {
			fprintf(stderr, "  ^ %s unit 0x%llx: step %d (op %u, space %d, unit %u)\n",
				x->f->name, (unsigned long long)unit, steps, op, s, u);
			break;
		}
	}
	n_random++;
out:
	for (int s = MAXSP - 1; s >= 0; s--)
		if (x->live[s])
			sp_end(x, s);
	CHECK_EQ(x->db.folios_live, 0);
	free(m);
}

/* ---- fork and COW against a thread that pins with GUP-fast -------------------------------- */

#define CPAGES 32

struct conc {
	struct fx *x;
	uint64_t base;
	int stop;
	uint64_t pins, bad, fast;
};

static void *pinner(void *arg)
{
	struct conc *k = arg;
	struct mm *p = &k->x->mm[0];
	uint64_t seed = 99, pa, now;

	mm_rcu_register_thread();
	while (!__atomic_load_n(&k->stop, __ATOMIC_ACQUIRE)) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t va = k->base + ((seed >> 33) % CPAGES) * k->x->ps;

		if (get_user_pages_fast_only(p, va, 1, FOLL_PIN | FOLL_WRITE, &pa) == 1)
			k->fast++;
		else if (get_user_pages_fast(p, va, 1, FOLL_PIN | FOLL_WRITE, &pa, NULL, NULL) !=
			 1) {
			k->bad++;
			continue;
		}
		/* While pinned, whatever forks and writes happen: the parent maps this page. */
		now = 0;
		if (get_user_pages(p, va, 1, FOLL_GET | FOLL_WRITE, &now, NULL, NULL) == 1)
			put_user_pages(p, &now, 1);
		if (now != pa)
			k->bad++;
		k->pins++;
		unpin_user_pages(p, &pa, 1);
	}
	mm_rcu_unregister_thread();
	return NULL;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void test_concurrent(struct fx *x, double seconds)
{
	struct conc k = { .x = x, .base = 64 * x->ps };
	struct mm_vma v = { k.base, k.base + CPAGES * x->ps, MM_VMA_ANON, PT_R | PT_W | PT_USER, 0,
			    0 };
	uint64_t r = 7, forks = 0;
	pthread_t th;
	double end;

	if (!sp_new(x, 0) || !CHECK_EQ(mm_mmap(&x->mm[0], &v), 0))
		return;
	for (unsigned i = 0; i < CPAGES; i++)
		touch(&x->mm[0], k.base + i * x->ps, true);
	mm_rcu_register_thread();
	pthread_create(&th, NULL, pinner, &k);
	end = now_s() + seconds;
	while (now_s() < end) {
		if (!sp_new(x, 1) || !CHECK_EQ(mm_fork(&x->mm[1], &x->mm[0]), 0))
			break;
		forks++;
		for (int i = 0; i < 8; i++) {
			r = r * 6364136223846793005ull + 1442695040888963407ull;
			uint64_t va = k.base + ((r >> 33) % CPAGES) * x->ps;
			touch(&x->mm[(r >> 20) & 1], va, (r >> 21) & 1);
		}
		sp_end(x, 1);
	}
	__atomic_store_n(&k.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	mm_rcu_unregister_thread();
	CHECK_EQ(k.bad, 0);
	CHECK(k.pins > 0 && forks > 0);
	for (unsigned i = 0; i < CPAGES; i++) { /* pins balanced: only the mapping's reference */
		struct leaf l;
		if (CHECK(leaf_at(&x->mm[0], k.base + i * x->ps, &l)))
			CHECK(head(x, l.pa)->refcount == 1 && head(x, l.pa)->pincount == 0);
	}
	printf("%s: %llu forks against %llu pins (%llu by GUP-fast alone)\n", x->f->name,
	       (unsigned long long)forks, (unsigned long long)k.pins, (unsigned long long)k.fast);
	n_conc++;
	sp_end(x, 0);
	CHECK_EQ(x->db.folios_live, 0);
}

int main(void)
{
	const char *env = getenv("PTKIT_MM_SECONDS");
	double seconds = env ? atof(env) : 1.0;
	const char *conc[] = { "x86_64", "ppc64-radix-4k", "riscv-sv39", "arm64-4k-48" };

	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);
		struct fx *x = malloc(sizeof(*x));
		uint64_t huge = 0;

		if (!CHECK(x) || !fx_init(x, f))
			return CHECK_DONE();
		for (int l = 1; l < f->levels && !huge; l++)
			if (f->leaf_ok[l] && pt_level_size(f, l) <= (32ull << 20))
				huge = pt_level_size(f, l);
		for (int b = 0; b <= 30; b++) /* every leaf and group size up to 1G */
			if (f->page_sizes & (1ull << b))
				test_levels(x, 1ull << b);
		test_pinned(x, x->ps);
		if (huge)
			test_pinned(x, huge);
		test_enomem(x, huge);
		test_tlb(x, huge);
		test_random(x, x->ps, 1 + i);
		if (huge)
			test_random(x, huge, 100 + i);
		for (unsigned c = 0; c < sizeof(conc) / sizeof(conc[0]); c++)
			if (!strcmp(conc[c], f->name))
				test_concurrent(x, seconds / 4);
		fx_fini(x);
		free(x);
	}
	printf("fork: %lu leaf sizes (%lu groups), %lu pinned, %lu injected failures, %lu random "
	       "runs, %lu concurrent runs, %lu page copies\n",
	       n_levels, n_groups, n_pinned, n_failures, n_random, n_conc, n_copies);
	return CHECK_DONE();
}
