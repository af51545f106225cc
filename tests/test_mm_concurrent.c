// SPDX-License-Identifier: MIT
/*
 * GUP-fast against a concurrent writer (src/mm/gup.c, src/mm/mm.c): a reader thread
 * pins and unpins pages locklessly while a writer zaps, re-faults, splits the mapping
 * (mprotect of one page inside a huge leaf), splits the folio (mm_split_huge, refused
 * while pinned), ages the leaves (pt_set_accessed) and COW-replaces the same range for a
 * bounded time.
 * Checked: every page GUP-fast returned was a pinned page of a live folio (no torn or
 * stale entry), the pins balance to zero, every folio and table is freed at the end.
 * Meant to run under TSan (test_mm_concurrent_tsan) and ASan (_asan) too.
 * PTKIT_MM_SECONDS sets the duration per format (default 1).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "ptkit/mem.h"
#include "ptkit/mm.h"
#include "ptkit/ptkit.h"

#define TABLES_BASE 0x10000000ull
#define TABLES_SIZE (64ull << 20)
#define DATA_BASE 0x100000000ull
#define DATA_SIZE (1ull << 30)
#define BATCH 16

struct shared {
	struct mm mm;
	struct mm_pfdb db;
	uint64_t region, huge, ps;
	int stop;	       /* atomic */
	uint64_t pinned, bad;  /* reader results, read after join */
	uint64_t splits, busy; /* writer: folio splits done / refused (pinned) */
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *reader(void *p)
{
	struct shared *s = p;
	uint64_t pas[BATCH], seed = 1;

	mm_rcu_register_thread();
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t pages = s->huge / s->ps;
		uint64_t off = ((seed >> 33) % (2 * pages - BATCH)) * s->ps;
		long n = get_user_pages_fast_only(&s->mm, s->region + off, BATCH, FOLL_PIN, pas);

		for (long i = 0; i < n; i++) {
			uint64_t hpa;
			struct mm_page *h = mm_folio_of(&s->db, pas[i], &hpa);
			/* We hold a pin: the folio must be live, pinned and contain the page. */
			if (!h || !__atomic_load_n(&h->pincount, __ATOMIC_RELAXED) ||
			    (i && pas[i] != pas[i - 1] + s->ps &&
			     mm_folio_of(&s->db, pas[i - 1], NULL) == h))
				s->bad++;
		}
		s->pinned += (uint64_t)n;
		unpin_user_pages(&s->mm, pas, (unsigned long)n);
	}
	mm_rcu_unregister_thread();
	return NULL;
}

static void writer_step(struct shared *s, uint64_t r)
{
	struct mm *mm = &s->mm;
	uint64_t which = s->region + (r & 1) * s->huge; /* one of two huge folios */
	uint64_t page = which + ((r >> 8) % (s->huge / s->ps)) * s->ps;
	uint64_t pa;

	switch ((r >> 1) % 6) {
	case 0: /* unmap: frees the folio (after the readers' references) and tables */
		CHECK_EQ(mm_zap(mm, which, s->huge), 0);
		break;
	case 1: /* split the huge leaf: one page read-only, then writable again */
		if (mm_mprotect(mm, page, s->ps, PT_R | PT_USER) == 0)
			CHECK_EQ(mm_mprotect(mm, page, s->ps, PT_R | PT_W | PT_USER), 0);
		break;
	case 2: /* fault back in (write: a new folio, or the read-only leaf made writable) */
		if (get_user_pages(mm, page, 1, FOLL_PIN | FOLL_WRITE, &pa, NULL, NULL) == 1)
			unpin_user_pages(mm, &pa, 1);
		break;
	case 3: /* fault in the whole huge range (page by page where the VMA was split) */
		get_user_pages(mm, which, s->huge / s->ps, FOLL_WRITE, NULL, NULL, NULL);
		break;
	case 4: { /* split the folio: refused while a reader holds a pin or a reference */
		int err = mm_split_huge(mm, which);
		if (err == 0)
			s->splits++;
		else if (err == -MM_EBUSY)
			s->busy++;
		else if (err != -PT_EINVAL && err != -PT_ENOENT)
			CHECK_EQ(err, 0);
		break;
	}
	default: { /* an aging walker: clear young (where the format can), else mkdirty */
		struct pt_gather g;
		mm_lock(mm);
		pt_gather_init(&g, &mm->pt);
		if (pt_set_accessed(&mm->pt, which, s->huge, 0, PT_YOUNG, &g) == -PT_EINVAL)
			CHECK_EQ(pt_set_accessed(&mm->pt, which, s->huge, PT_DIRTY, 0, &g), 0);
		pt_gather_flush(&g);
		mm_unlock(mm);
		break;
	}
	}
}

static void run(const struct pt_format *f, double seconds)
{
	struct shared *s = calloc(1, sizeof(*s));
	struct pt_arena a;
	struct mm_vma v, keep;
	pthread_t t;
	uint64_t r = 12345, steps = 0, pa;
	double end;

	s->ps = pt_level_size(f, 0);
	s->huge = 0;
	for (int l = 1; l < f->levels && !s->huge; l++) /* the smallest huge leaf */
		if (f->leaf_ok[l])
			s->huge = pt_level_size(f, l);
	s->region = 8 * s->huge;
	if (!CHECK_EQ(pt_arena_init(&a, TABLES_BASE, TABLES_SIZE), 0) ||
	    !CHECK_EQ(mm_pfdb_init(&s->db, DATA_BASE, DATA_SIZE, f->shift[0]), 0) ||
	    !CHECK_EQ(mm_init(&s->mm, f, &a.mem, &s->db), 0))
		exit(CHECK_DONE());
	v = (struct mm_vma){ .start = s->region,
			     .end = s->region + 2 * s->huge,
			     .kind = MM_VMA_FILE,
			     .prot = PT_R | PT_W | PT_USER,
			     .page_size = s->huge };
	/* A page next to it keeps the upper tables alive: new tables are only ever whole
	 * bottom tables written entry by entry (see the report on TSan and memset). */
	keep = (struct mm_vma){ .start = s->region + 2 * s->huge,
				.end = s->region + 2 * s->huge + s->ps,
				.kind = MM_VMA_ANON,
				.prot = PT_R | PT_W | PT_USER };
	CHECK_EQ(mm_mmap(&s->mm, &v), 0);
	CHECK_EQ(mm_mmap(&s->mm, &keep), 0);
	CHECK_EQ(get_user_pages(&s->mm, keep.start, 1, FOLL_GET | FOLL_WRITE, &pa, NULL, NULL), 1);
	put_user_pages(&s->mm, &pa, 1);
	CHECK_EQ(get_user_pages(&s->mm, s->region, 2 * s->huge / s->ps, FOLL_PIN | FOLL_WRITE, NULL,
				NULL, NULL),
		 -PT_EINVAL); /* PIN needs pas */
	CHECK_EQ(get_user_pages(&s->mm, s->region, 2 * s->huge / s->ps, FOLL_WRITE, NULL, NULL,
				NULL),
		 2 * s->huge / s->ps); /* fault in only */

	mm_rcu_register_thread();
	pthread_create(&t, NULL, reader, s);
	end = now() + seconds;
	while (now() < end) {
		r = r * 6364136223846793005ull + 1442695040888963407ull;
		writer_step(s, r >> 20);
		steps++;
	}
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	mm_rcu_unregister_thread();

	CHECK_EQ(s->bad, 0);
	CHECK(s->pinned > 0);
	/* Pins balance: every folio still mapped holds only its mapping reference. */
	for (uint64_t va = s->region; va < s->region + 2 * s->huge; va += s->ps) {
		struct follow_pfnmap_args unused;
		struct mm_walk_state st;
		(void)unused;
		mm_walk_init(&st, &s->mm.pt);
		if (mm_walk_seek_leaf(&st, &s->mm.pt, va)) {
			struct mm_page *h = mm_folio_of(&s->db, mm_walk_leaf_pa(&st), NULL);
			if (!CHECK(h) || !CHECK_EQ(h->pincount, 0) || !CHECK_EQ(h->refcount, 1))
				break;
		}
	}
	CHECK(s->splits > 0);
	printf("%s: %llu writer steps, %llu folio splits (%llu refused: busy), %llu pages "
	       "pinned by GUP-fast, %llu back-offs, %llu grace periods, %llu tables freed "
	       "through RCU\n",
	       f->name, (unsigned long long)steps, (unsigned long long)s->splits,
	       (unsigned long long)s->busy, (unsigned long long)s->pinned,
	       (unsigned long long)s->mm.gup_fast_backoffs, (unsigned long long)s->mm.grace_periods,
	       (unsigned long long)s->mm.tables_deferred);
	mm_fini(&s->mm);
	CHECK_EQ(s->db.folios_live, 0);
	CHECK_EQ(a.live, 0);
	mm_pfdb_fini(&s->db);
	pt_arena_fini(&a);
	free(s);
}

int main(void)
{
	const char *env = getenv("PTKIT_MM_SECONDS");
	double seconds = env ? atof(env) : 1.0;
	/* little- and big-endian entries; arm64: every split breaks before it makes */
	const char *names[] = { "x86_64", "ppc64-radix-4k", "riscv-sv39", "arm64-4k-48" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct pt_format *f = pt_format_find(names[i]);
		if (f)
			run(f, seconds / 2);
	}
	return CHECK_DONE();
}
