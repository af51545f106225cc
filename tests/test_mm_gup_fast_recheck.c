// SPDX-License-Identifier: MIT
/*
 * GUP-fast's re-check after the grab (src/mm/gup.c), checked the way Linux relies on it
 * (fork's write-protect + folio_maybe_dma_pinned handshake): a writer write-protects a
 * page's leaf and then, after a full barrier, asks whether the folio is pinned; readers
 * pin with FOLL_PIN | FOLL_WRITE locklessly. The reader pins, then re-reads the leaf; the
 * writer changes the leaf, then reads the pin. One of them must see the other: when the
 * writer saw no pin, no FOLL_WRITE pin may succeed while the leaf stays read-only. A
 * GUP-fast that does not re-read the leaf after pinning breaks this when a reader is
 * preempted between its read of the entry and its pin (more readers than cores make that
 * common enough). PTKIT_MM_SECONDS sets the duration per format (default 1).
 */
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "ptkit/mem.h"
#include "ptkit/mm.h"
#include "ptkit/ptkit.h"

#define TABLES_BASE 0x10000000ull
#define TABLES_SIZE (16ull << 20)
#define DATA_BASE 0x100000000ull
#define DATA_SIZE (64ull << 20)
#define PAGES 4
#define READERS 3

struct shared {
	struct mm mm;
	struct mm_pfdb db;
	uint64_t region, ps;
	uint64_t ro_va; /* atomic: the page the writer made read-only and saw unpinned, or 0 */
	int stop;	/* atomic */
	uint64_t fence; /* the writer's barrier */
	uint64_t bad[READERS], pinned[READERS], protects, unpinned;
};

struct reader_arg {
	struct shared *s;
	unsigned id;
};

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *reader(void *p)
{
	struct reader_arg *a = p;
	struct shared *s = a->s;
	uint64_t seed = 7 + a->id, pa;

	mm_rcu_register_thread();
	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t va = s->region + ((seed >> 33) % PAGES) * s->ps;

		if (get_user_pages_fast_only(&s->mm, va, 1, FOLL_PIN | FOLL_WRITE, &pa) != 1)
			continue;
		/* Pinned for writing: the writer cannot have seen this page unpinned and
		 * read-only, and still be holding it read-only. */
		if (__atomic_load_n(&s->ro_va, __ATOMIC_ACQUIRE) == va)
			s->bad[a->id]++;
		s->pinned[a->id]++;
		unpin_user_pages(&s->mm, &pa, 1);
	}
	mm_rcu_unregister_thread();
	return NULL;
}

static void protect(struct shared *s, uint64_t va, uint32_t prot)
{
	struct pt_gather g;

	pt_gather_init(&g, &s->mm.pt);
	CHECK_EQ(pt_protect(&s->mm.pt, va, s->ps, prot, &g), 0);
	pt_gather_flush(&g);
}

static void run(const struct pt_format *f, double seconds)
{
	struct shared *s = calloc(1, sizeof(*s));
	struct reader_arg args[READERS];
	pthread_t t[READERS];
	struct pt_arena a;
	struct mm_vma v;
	uint64_t r = 12345, bad = 0, pinned = 0;
	double end;

	s->ps = pt_level_size(f, 0);
	s->region = 64 * pt_level_size(f, 1);
	if (!CHECK_EQ(pt_arena_init(&a, TABLES_BASE, TABLES_SIZE), 0) ||
	    !CHECK_EQ(mm_pfdb_init(&s->db, DATA_BASE, DATA_SIZE, f->shift[0]), 0) ||
	    !CHECK_EQ(mm_init(&s->mm, f, &a.mem, &s->db), 0))
		exit(CHECK_DONE());
	v = (struct mm_vma){ .start = s->region,
			     .end = s->region + PAGES * s->ps,
			     .kind = MM_VMA_FILE,
			     .prot = PT_R | PT_W | PT_USER,
			     .page_size = s->ps };
	CHECK_EQ(mm_mmap(&s->mm, &v), 0);
	CHECK_EQ(get_user_pages(&s->mm, s->region, PAGES, FOLL_WRITE, NULL, NULL, NULL), PAGES);

	mm_rcu_register_thread();
	for (unsigned i = 0; i < READERS; i++) {
		args[i] = (struct reader_arg){ s, i };
		pthread_create(&t[i], NULL, reader, &args[i]);
	}
	end = now() + seconds;
	while (now() < end) {
		uint64_t va, pa;
		struct mm_walk_state st;

		r = r * 6364136223846793005ull + 1442695040888963407ull;
		va = s->region + ((r >> 33) % PAGES) * s->ps;
		mm_lock(&s->mm);
		protect(s, va, PT_R | PT_USER); /* write-protect the leaf ... */
		/* a full barrier (smp_mb; a locked RMW, as TSan has no fences) */
		__atomic_fetch_add(&s->fence, 1, __ATOMIC_SEQ_CST);
		mm_walk_init(&st, &s->mm.pt);
		if (CHECK(mm_walk_seek_leaf(&st, &s->mm.pt, va))) {
			pa = mm_walk_leaf_pa(&st);
			/* ... then look for pins (folio_maybe_dma_pinned) */
			if (!mm_folio_pinned(mm_folio_of(&s->db, pa, NULL))) {
				__atomic_store_n(&s->ro_va, va, __ATOMIC_RELEASE);
				for (int k = 0; k < 4; k++)
					sched_yield(); /* let readers run into it */
				__atomic_store_n(&s->ro_va, 0, __ATOMIC_RELEASE);
				s->unpinned++;
			}
		}
		protect(s, va, PT_R | PT_W | PT_USER);
		mm_unlock(&s->mm);
		s->protects++;
	}
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < READERS; i++) {
		pthread_join(t[i], NULL);
		bad += s->bad[i];
		pinned += s->pinned[i];
	}
	mm_rcu_unregister_thread();

	CHECK_EQ(bad, 0);
	CHECK(pinned > 0);
	CHECK(s->unpinned > 0);
	printf("%s: %llu write-protects (%llu seen unpinned), %llu pages pinned by GUP-fast, "
	       "%llu back-offs, %llu pinned for writing while read-only\n",
	       f->name, (unsigned long long)s->protects, (unsigned long long)s->unpinned,
	       (unsigned long long)pinned, (unsigned long long)s->mm.gup_fast_backoffs,
	       (unsigned long long)bad);
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
	const char *names[] = { "x86_64", "arm64-4k-48" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct pt_format *f = pt_format_find(names[i]);
		if (f)
			run(f, seconds / 2);
	}
	return CHECK_DONE();
}
