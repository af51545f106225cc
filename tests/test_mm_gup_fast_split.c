// SPDX-License-Identifier: MIT
/*
 * GUP-fast against a split in the window between reading a folio's head and taking its
 * reference (src/mm/gup.c, issue 15 defect 1). The test hook mm__gup_fast_hook runs in
 * that window; here it splits the huge folio (mm_split_huge, from another thread, as a
 * concurrent splitter would) exactly once. Whatever GUP-fast then takes or backs off
 * from, after unpin / put every piece must be back at its mapping's reference (refcount
 * 1, pincount 0, not pinned), a later GUP-fast must pin and unpin the pieces cleanly,
 * and after munmap and mm_fini no folio may be left.
 *
 * Cases: a 64K contiguous (arm64) or NAPOT (riscv) group, whose folio head keeps its
 * descriptor when it becomes an order-0 head (the race that left an order-4 folio with
 * refcount 4294966274), and a 2M leaf, whose head moves to another descriptor (the old
 * one stays frozen: GUP-fast must refuse it). One page at the head, one page inside, the
 * whole folio; FOLL_PIN, FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE and FOLL_GET.
 *
 * Then the same race without the hook, for TSan: readers pin and unpin 64K groups while a
 * writer splits, unmaps and re-faults them; the pins balance and no folio is left.
 * PTKIT_MM_SECONDS sets its duration per format (default 1).
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "mm/mm_internal.h"
#include "ptkit/mem.h"
#include "ptkit/ptkit.h"

#define TABLES_BASE 0x10000000ull
#define TABLES_SIZE (16ull << 20)
#define DATA_BASE 0x100000000ull
#define DATA_SIZE (64ull << 20)
#define MAX_PAGES 512

struct fx {
	struct pt_arena a;
	struct mm_pfdb db;
	struct mm mm;
	uint64_t ps;
};

/* What the hook splits, and how it went (the hook runs on the GUP-fast thread). */
static struct {
	struct mm *mm;
	uint64_t va;
	int calls, err;
	const char *why;
} split_at;

static void *splitter(void *p)
{
	(void)p;
	split_at.err = mm_split_huge(split_at.mm, split_at.va);
	split_at.why = mm_last_error()->why;
	return NULL;
}

static void split_in_window(void)
{
	pthread_t t;

	if (split_at.calls++)
		return;
	if (CHECK_EQ(pthread_create(&t, NULL, splitter, NULL), 0))
		pthread_join(t, NULL);
}

/* Every folio of [pa, pa + size): back to its mapping's reference alone. */
static void check_balanced(struct fx *x, uint64_t pa, uint64_t size, const char *what)
{
	for (uint64_t off = 0; off < size; off += x->ps) {
		uint64_t hpa;
		struct mm_page *h = mm_folio_of(&x->db, pa + off, &hpa);

		if (!CHECK(h != NULL))
			return;
		if (!CHECK_EQ(h->refcount, 1) || !CHECK_EQ(h->pincount, 0) ||
		    !CHECK(!mm_folio_pinned(h))) {
			fprintf(stderr, "  (%s, page 0x%llx)\n", what, (unsigned long long)off);
			return; /* one report per case is enough */
		}
	}
}

static void release(struct fx *x, const uint64_t *pas, long n, unsigned foll)
{
	if (n <= 0)
		return;
	if (foll & FOLL_PIN)
		unpin_user_pages(&x->mm, pas, (unsigned long)n);
	else
		put_user_pages(&x->mm, pas, (unsigned long)n);
}

/* One folio of `size` at va; GUP-fast `pages` pages from page `first`, split in the window. */
static void one(const struct pt_format *f, uint64_t size, uint64_t first, uint64_t pages,
		unsigned foll)
{
	static struct fx x;
	static uint64_t pas[MAX_PAGES];
	uint64_t va, pa, hpa;
	struct mm_vma v;
	struct mm_page *h;
	long got;
	char what[96];

	snprintf(what, sizeof(what), "%s, %llu K folio, pages %llu+%llu, foll 0x%x", f->name,
		 (unsigned long long)(size >> 10), (unsigned long long)first,
		 (unsigned long long)pages, foll);
	memset(&x, 0, sizeof(x));
	x.ps = pt_level_size(f, 0);
	va = 8 * pt_level_size(f, 1);
	if (!CHECK_EQ(pt_arena_init(&x.a, TABLES_BASE, TABLES_SIZE), 0) ||
	    !CHECK_EQ(mm_pfdb_init(&x.db, DATA_BASE, DATA_SIZE, f->shift[0]), 0) ||
	    !CHECK_EQ(mm_init(&x.mm, f, &x.a.mem, &x.db), 0))
		exit(CHECK_DONE());
	v = (struct mm_vma){ .start = va,
			     .end = va + size,
			     .kind = MM_VMA_ANON,
			     .prot = PT_R | PT_W | PT_USER,
			     .page_size = size };
	if (!CHECK_EQ(mm_mmap(&x.mm, &v), 0) ||
	    !CHECK_EQ(get_user_pages(&x.mm, va, size / x.ps, FOLL_WRITE, NULL, NULL, NULL),
		      (long)(size / x.ps)))
		goto out;
	/* One folio of `size` mapped by one leaf or group: the state the split starts from. */
	if (!CHECK_EQ(get_user_pages(&x.mm, va, 1, FOLL_GET, &pa, NULL, NULL), 1))
		goto out;
	put_user_pages(&x.mm, &pa, 1);
	h = mm_folio_of(&x.db, pa, &hpa);
	if (!CHECK(h != NULL) || !CHECK_EQ(hpa, pa) || !CHECK_EQ(x.ps << h->order, size))
		goto out;

	split_at.mm = &x.mm;
	split_at.va = va;
	split_at.calls = 0;
	split_at.err = 1;
	mm__gup_fast_hook = split_in_window;
	got = get_user_pages_fast_only(&x.mm, va + first * x.ps, pages, foll, pas);
	mm__gup_fast_hook = NULL;
	CHECK_EQ(split_at.calls, 1);
	if (!CHECK_EQ(split_at.err, 0)) /* the folio was split, as the race needs */
		fprintf(stderr, "  (%s: %s)\n", what, split_at.why);
	/* Whatever it took is one pin (reference) per page, of the folio it is in now. */
	CHECK(got >= 0 && (uint64_t)got <= pages);
	release(&x, pas, got, foll);
	check_balanced(&x, pa, size, what);

	/* The pieces, pinned and released again without the hook. */
	got = get_user_pages_fast_only(&x.mm, va + first * x.ps, pages, foll, pas);
	CHECK_EQ(got, (long)pages);
	if (got == (long)pages)
		for (uint64_t k = 0; k < pages; k++)
			CHECK(mm_folio_pinned(mm_folio_of(&x.db, pas[k], NULL)) ==
			      ((foll & FOLL_PIN) != 0));
	release(&x, pas, got, foll);
	check_balanced(&x, pa, size, what);

	CHECK_EQ(mm_munmap(&x.mm, va, size), 0);
	if (!CHECK_EQ(x.db.folios_live, 0))
		fprintf(stderr, "  (%s: %llu folios left after munmap)\n", what,
			(unsigned long long)x.db.folios_live);
out:
	mm_fini(&x.mm);
	CHECK_EQ(x.db.folios_live, 0);
	CHECK_EQ(x.a.live, 0);
	mm_pfdb_fini(&x.db);
	pt_arena_fini(&x.a);
}

/* ---- the race without the hook ------------------------------------------------------------ */

#define READERS 2

struct race {
	struct fx x;
	uint64_t va, size;
	int stop;		       /* atomic */
	uint64_t pinned[READERS], bad; /* bad: a pinned page with no pinned folio (writer) */
};

static void *race_reader(void *p)
{
	struct race *r = p;
	static int ids;
	const int id = __atomic_fetch_add(&ids, 1, __ATOMIC_RELAXED) % READERS;
	const uint64_t pages = r->size / r->x.ps;
	uint64_t pas[MAX_PAGES];

	mm_rcu_register_thread();
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		long got = get_user_pages_fast_only(&r->x.mm, r->va, pages, FOLL_PIN, pas);

		for (long k = 0; k < got; k++) {
			struct mm_page *h = mm_folio_of(&r->x.db, pas[k], NULL);
			if (!h || !mm_folio_pinned(h))
				__atomic_fetch_add(&r->bad, 1, __ATOMIC_RELAXED);
		}
		if (got > 0) {
			r->pinned[id] += (uint64_t)got;
			unpin_user_pages(&r->x.mm, pas, (unsigned long)got);
		}
		sched_yield(); /* leave the writer moments without pins */
	}
	mm_rcu_unregister_thread();
	return NULL;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void race(const struct pt_format *f, uint64_t size, double seconds)
{
	static struct race r;
	struct fx *x = &r.x;
	pthread_t t[READERS];
	struct mm_vma v;
	uint64_t splits = 0, rounds = 0, pinned = 0;
	double end;

	memset(&r, 0, sizeof(r));
	x->ps = pt_level_size(f, 0);
	r.va = 8 * pt_level_size(f, 1);
	r.size = size;
	if (!CHECK_EQ(pt_arena_init(&x->a, TABLES_BASE, TABLES_SIZE), 0) ||
	    !CHECK_EQ(mm_pfdb_init(&x->db, DATA_BASE, DATA_SIZE, f->shift[0]), 0) ||
	    !CHECK_EQ(mm_init(&x->mm, f, &x->a.mem, &x->db), 0))
		exit(CHECK_DONE());
	v = (struct mm_vma){ .start = r.va,
			     .end = r.va + size,
			     .kind = MM_VMA_ANON,
			     .prot = PT_R | PT_W | PT_USER,
			     .page_size = size };
	for (unsigned i = 0; i < READERS; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, race_reader, &r), 0);
	end = now() + seconds;
	while (now() < end) {
		if (!CHECK_EQ(mm_mmap(&x->mm, &v), 0))
			break;
		CHECK_EQ(get_user_pages(&x->mm, r.va, size / x->ps, FOLL_WRITE, NULL, NULL, NULL),
			 (long)(size / x->ps));
		for (int k = 0; k < 100; k++) { /* refused while a reader holds a pin */
			int err = mm_split_huge(&x->mm, r.va);

			if (!err) {
				splits++;
				break;
			}
			if (!CHECK_EQ(err, -MM_EBUSY))
				break;
			sched_yield();
		}
		for (int k = 0; k < 10; k++)
			sched_yield(); /* the readers at the pieces */
		CHECK_EQ(mm_munmap(&x->mm, r.va, size), 0);
		rounds++;
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < READERS; i++) {
		pthread_join(t[i], NULL);
		pinned += r.pinned[i];
	}
	CHECK_EQ(r.bad, 0);
	CHECK(pinned > 0);
	CHECK(splits > 0);
	/* Every pin released, every mapping gone: every folio freed. */
	CHECK_EQ(x->db.folios_live, 0);
	mm_fini(&x->mm);
	CHECK_EQ(x->a.live, 0);
	printf("%s %llu K: %llu rounds, %llu splits, %llu pages pinned by GUP-fast, %llu "
	       "back-offs\n",
	       f->name, (unsigned long long)(size >> 10), (unsigned long long)rounds,
	       (unsigned long long)splits, (unsigned long long)pinned,
	       (unsigned long long)x->mm.gup_fast_backoffs);
	mm_pfdb_fini(&x->db);
	pt_arena_fini(&x->a);
}

int main(void)
{
	static const struct {
		const char *fmt;
		uint64_t size;
	} cases[] = {
		{ "arm64-4k-48", 64 << 10 }, /* contiguous group: order 4 -> 0, same head */
		{ "riscv-sv48", 64 << 10 },  /* NAPOT: order 4 -> 0, same head */
		{ "arm64-4k-48", 2 << 20 },  /* block: order 9 -> 0, the head moves */
		{ "x86_64", 2 << 20 },
	};
	const unsigned folls[] = { FOLL_PIN, FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE, FOLL_GET };

	mm_rcu_register_thread();
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct pt_format *f = pt_format_find(cases[c].fmt);
		uint64_t pages;

		if (!CHECK(f != NULL))
			continue;
		pages = cases[c].size / pt_level_size(f, 0);
		for (size_t k = 0; k < sizeof(folls) / sizeof(folls[0]); k++) {
			one(f, cases[c].size, 0, 1, folls[k]);
			one(f, cases[c].size, pages - 1, 1, folls[k]);
			one(f, cases[c].size, 0, pages, folls[k]);
		}
	}
	mm_rcu_unregister_thread();

	{
		const char *env = getenv("PTKIT_MM_SECONDS");
		double seconds = env ? atof(env) : 1;

		race(pt_format_find("arm64-4k-48"), 64 << 10, seconds);
		race(pt_format_find("riscv-sv48"), 64 << 10, seconds);
	}
	return CHECK_DONE();
}
