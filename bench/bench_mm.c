// SPDX-License-Identifier: MIT
/*
 * The src/mm workloads of ptkit_bench (issue 7): GUP and follow_pfnmap measured over the
 * real mm layer (include/ptkit/mm.h), against the per-level references of
 * bench/reference/ref_mm_*.h running on the very same struct mm (same tables, same
 * page-frame database and accounting, same lock / RCU read side).
 *
 * One address space per format, over its own table arena and a 4 GiB frame database:
 *   - three VMAs populated by write faults (get_user_pages with pas NULL, untimed), each
 *     GUP'd over map_bytes (1 GiB full size; the shapes of Linux's gup_test): 4K folios
 *     (anon, 4K leaves), 2M folios (anon THP-like, 2M leaves), one 1G folio (hugetlb,
 *     1G leaf). Per shape four workloads: mm_gup_fast_* (get_user_pages_fast, FOLL_GET),
 *     mm_pin_fast_* (pin_user_pages_fast = FOLL_PIN), mm_gup_* / mm_pin_* (the slow path
 *     get_user_pages under the mm lock; nothing to fault in here, memory is populated);
 *     all with FOLL_WRITE (gup_test's default). Released after every timed run, untimed
 *     (put_user_pages / unpin_user_pages).
 *   - three PFN maps (MM_VMA_PFNMAP, remap_pfn_range-like) of mixed_gib / 2 GiB (32 GiB
 *     full size) with 1G, 2M and 4K leaves; mm_follow_pfnmap_* calls follow_pfnmap_start
 *     / follow_pfnmap_end at `seeks` uniformly random VAs of one map and sums the PFNs.
 *     follow_pfnmap keeps no walk state between calls (each one locks, finds the VMA and
 *     walks from the root), so random VAs measure the per-call cost including the table
 *     cache misses of a map far larger than the caches; an every-2M sweep would only be
 *     kinder to the caches.
 *
 * Checks (a mismatch fails the run): pages taken, the PA of every page (against
 * pt_translate), the refcount and pincount of every folio after each run (exactly what
 * one reference or pin per page adds, src/mm's accounting), everything back to its
 * baseline after the release, GUP-fast taking every page on the fast path without
 * back-off; for follow_pfnmap the PFN sum (against the arithmetic of the map), writable
 * leaves and errors; no table and no folio left after mm_fini.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ptkit/mem.h>
#include <ptkit/mm.h>
#include <ptkit/ptkit.h>

#include "bench_ext.h"
#include "reference/ref_mm.h"

#define K4 0x1000ull
#define M2 0x200000ull
#define G1 0x40000000ull

extern const struct ref_mm_format ref_mm_x86_64, ref_mm_x86_64_la57;
static const struct ref_mm_format *const ref_mm_formats[] = {
	&ref_mm_x86_64,
	&ref_mm_x86_64_la57,
};

#define GUP_VA 0x100000000000ull /* 16 TiB: the GUP VMAs, 1 GiB apart */
#define PFN_VA 0x200000000000ull /* 32 TiB: the PFN maps, 64 GiB apart */
#define PFN_PA 0x40000000000ull	 /* 4 TiB: what they map (no frame descriptors) */
#define PFN_STRIDE (64 * G1)
#define DB_BASE 0x100000000ull /* frames [4 GiB, 8 GiB): the folios */
#define DB_SIZE 0x100000000ull

struct mmfx {
	const struct pt_format *f;
	const struct ref_mm_format *r;
	struct pt_arena a;
	struct mm_pfdb db;
	struct mm mm;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "ptkit_bench: mm: %s: %s\n", what, pt_strerror(err));
	exit(2);
}

static void *xmalloc(size_t n)
{
	void *p = calloc(n ? n : 1, 1);
	if (!p) {
		fprintf(stderr, "ptkit_bench: out of memory\n");
		exit(2);
	}
	return p;
}

/* bench.c's callbacks (bench_ext.h), for the whole of bench_mm_format. */
static const struct bench_host *host;

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t rng(void)
{
	return bench_rng(&rng_state);
}

/* ---- GUP ---------------------------------------------------------------------------------- */

/* One populated range: the expected PA of every page and the folios it covers. */
struct gup_range {
	const char *shape; /* "4k", "2m", "1g" */
	uint64_t va;
	unsigned long n; /* pages */
	uint64_t *want;	 /* PA of page i (pt_translate) */
	size_t nfolio;
	struct mm_page **head; /* folio i ... */
	uint64_t *pages;       /* ... covers this many pages of the range */
	uint32_t *base_ref, *base_pin;
};

struct gup_job {
	struct mmfx *m;
	struct gup_range *r;
	unsigned foll;
	bool fast;
	uint64_t *pas[2];
	long got[2];
	uint64_t fast_pages0, backoffs0; /* mm counters before the pending run */
	int pending;			 /* impl whose references are still held, or -1 */
};

static __attribute__((format(printf, 2, 3))) void gup_fail(int impl, const char *fmt, ...)
{
	char what[160], why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(why, sizeof(why), "%s: %s", impl == BENCH_PTKIT ? "ptkit" : "reference", what);
	host->fail(why);
}

/* What one run of foll over the range adds to folio i: references and pins. */
static void gup_expect(const struct gup_job *g, size_t i, uint32_t *ref, uint32_t *pin)
{
	const struct gup_range *r = g->r;
	uint64_t n = r->pages[i];
	bool pin_ = g->foll & FOLL_PIN;

	*ref = (uint32_t)(pin_ && !r->head[i]->order ? n * MM_PIN_BIAS : n);
	*pin = pin_ ? (uint32_t)n : 0;
}

/* Check what the pending run took, release it (untimed), check the baseline is back. */
static void gup_settle(struct gup_job *g)
{
	const struct gup_range *r = g->r;
	struct mm *mm = &g->m->mm;
	int impl = g->pending;
	bool bad = false;

	if (impl < 0)
		return;
	g->pending = -1;
	if (g->got[impl] != (long)r->n) {
		gup_fail(impl, "took %ld of %lu pages", g->got[impl], r->n);
		bad = true;
	}
	for (unsigned long i = 0; !bad && i < r->n; i++)
		if (g->pas[impl][i] != r->want[i]) {
			gup_fail(impl, "page %lu: PA 0x%llx, expected 0x%llx", i,
				 (unsigned long long)g->pas[impl][i],
				 (unsigned long long)r->want[i]);
			bad = true;
		}
	for (size_t i = 0; !bad && i < r->nfolio; i++) {
		uint32_t ref, pin;
		gup_expect(g, i, &ref, &pin);
		if (r->head[i]->refcount != r->base_ref[i] + ref ||
		    r->head[i]->pincount != r->base_pin[i] + pin) {
			gup_fail(impl,
				 "folio at PA 0x%llx (%llu pages): refcount %u pincount %u, "
				 "expected %u %u",
				 (unsigned long long)mm_page_pa(&g->m->db, r->head[i]),
				 (unsigned long long)r->pages[i], r->head[i]->refcount,
				 r->head[i]->pincount, r->base_ref[i] + ref, r->base_pin[i] + pin);
			bad = true;
		}
	}
	if (!bad && g->fast &&
	    (mm->gup_fast_pages - g->fast_pages0 != r->n ||
	     mm->gup_fast_backoffs != g->backoffs0)) {
		gup_fail(impl, "the fast path took %llu pages with %llu back-offs",
			 (unsigned long long)(mm->gup_fast_pages - g->fast_pages0),
			 (unsigned long long)(mm->gup_fast_backoffs - g->backoffs0));
		bad = true;
	}
	if (g->got[impl] > 0) {
		if (g->foll & FOLL_PIN)
			unpin_user_pages(mm, g->pas[impl], (unsigned long)g->got[impl]);
		else
			put_user_pages(mm, g->pas[impl], (unsigned long)g->got[impl]);
	}
	for (size_t i = 0; i < r->nfolio; i++)
		if (r->head[i]->refcount != r->base_ref[i] ||
		    r->head[i]->pincount != r->base_pin[i]) {
			if (!bad)
				gup_fail(impl, "folio at PA 0x%llx: not back to its baseline",
					 (unsigned long long)mm_page_pa(&g->m->db, r->head[i]));
			bad = true;
			/* Back to the baseline, so one mismatch does not cascade. */
			r->head[i]->refcount = r->base_ref[i];
			r->head[i]->pincount = r->base_pin[i];
		}
}

static void gup_setup(void *p, int impl)
{
	struct gup_job *g = p;

	gup_settle(g);
	memset(g->pas[impl], 0, g->r->n * sizeof(uint64_t));
	g->got[impl] = 0;
	g->fast_pages0 = g->m->mm.gup_fast_pages;
	g->backoffs0 = g->m->mm.gup_fast_backoffs;
	g->pending = impl;
}

static uint64_t gup_run(void *p, int impl, uint64_t *aux)
{
	struct gup_job *g = p;
	struct mm *mm = &g->m->mm;
	const struct ref_mm_format *rf = g->m->r;
	const struct gup_range *r = g->r;
	long n;

	if (impl == BENCH_PTKIT)
		n = g->fast ? get_user_pages_fast(mm, r->va, r->n, g->foll, g->pas[0], NULL, NULL)
			    : get_user_pages(mm, r->va, r->n, g->foll, g->pas[0], NULL, NULL);
	else
		n = g->fast ? rf->gup_fast(mm, r->va, r->n, g->foll, g->pas[1])
			    : rf->gup(mm, r->va, r->n, g->foll, g->pas[1]);
	g->got[impl] = n;
	*aux = 0;
	return (uint64_t)n;
}

static void gup_after(void *p)
{
	gup_settle(p);
}

/* Map a VMA, populate [va, va + n pages) by write faults, record PAs and folios. */
static void gup_populate(struct mmfx *m, struct gup_range *r, const struct mm_vma *v)
{
	struct mm *mm = &m->mm;
	struct pt_translation tr;
	struct mm_page *last = NULL;
	long got;
	int err;

	if ((err = mm_mmap(mm, v)))
		die("mm_mmap", err);
	got = get_user_pages(mm, r->va, r->n, FOLL_WRITE, NULL, NULL, NULL);
	if (got != (long)r->n)
		die("populate", got < 0 ? (int)got : -PT_EFAULT);
	r->want = xmalloc(r->n * sizeof(uint64_t));
	r->head = xmalloc(r->n * sizeof(*r->head));
	r->pages = xmalloc(r->n * sizeof(uint64_t));
	for (unsigned long i = 0; i < r->n; i++) {
		struct mm_page *h;
		if ((err = pt_translate(&mm->pt, r->va + i * K4, &tr)))
			die("pt_translate", err);
		r->want[i] = tr.pa;
		h = mm_folio_of(&m->db, tr.pa, NULL);
		if (!h)
			die("populate: no folio", -PT_EFAULT);
		if (h != last) {
			r->head[r->nfolio] = h;
			r->pages[r->nfolio++] = 0;
			last = h;
		}
		r->pages[r->nfolio - 1]++;
	}
	r->base_ref = xmalloc(r->nfolio * sizeof(uint32_t));
	r->base_pin = xmalloc(r->nfolio * sizeof(uint32_t));
	for (size_t i = 0; i < r->nfolio; i++) {
		r->base_ref[i] = r->head[i]->refcount;
		r->base_pin[i] = r->head[i]->pincount;
	}
}

static void gup_range_free(struct gup_range *r)
{
	free(r->want);
	free(r->head);
	free(r->pages);
	free(r->base_ref);
	free(r->base_pin);
}

/* ---- follow_pfnmap ------------------------------------------------------------------------ */

struct pfn_job {
	struct mmfx *m;
	uint64_t *vas;
	size_t n;
	uint64_t want_sum; /* sum of the PFNs by the map's arithmetic */
	uint64_t sum[2], aux[2];
};

static uint64_t pfn_run(void *p, int impl, uint64_t *aux)
{
	struct pfn_job *j = p;
	struct mm *mm = &j->m->mm;
	uint64_t sum = 0, nw = 0, nerr = 0;

	if (impl == BENCH_PTKIT) {
		struct follow_pfnmap_args args;
		for (size_t i = 0; i < j->n; i++) {
			if (follow_pfnmap_start(mm, j->vas[i], &args)) {
				nerr++;
				continue;
			}
			sum += args.pfn;
			nw += args.writable;
			follow_pfnmap_end(mm);
		}
	} else {
		sum = j->m->r->follow_pfnmap_many(mm, j->vas, j->n, &nw, &nerr);
	}
	j->sum[impl] = sum;
	j->aux[impl] = *aux = nw | nerr << 32;
	return sum;
}

static void pfn_after(void *p)
{
	struct pfn_job *j = p;
	char why[160];

	for (int impl = 0; impl < 2; impl++)
		if (j->sum[impl] != j->want_sum || j->aux[impl] != j->n) {
			snprintf(why, sizeof(why),
				 "%s: PFN sum 0x%llx (expected 0x%llx), %llu writable, %llu errors",
				 impl ? "reference" : "ptkit", (unsigned long long)j->sum[impl],
				 (unsigned long long)j->want_sum,
				 (unsigned long long)(j->aux[impl] & 0xffffffffu),
				 (unsigned long long)(j->aux[impl] >> 32));
			host->fail(why);
		}
}

/* ---- the workload list ---------------------------------------------------------------------- */

static const struct {
	const char *shape;
	enum mm_vma_kind kind;
	uint64_t page_size, vma_min; /* folio size; smallest VMA (a hugetlb page) */
} gup_shapes[] = {
	{ "4k", MM_VMA_ANON, K4, K4 },
	{ "2m", MM_VMA_ANON, M2, M2 },
	{ "1g", MM_VMA_HUGETLB, G1, G1 },
};
static const struct {
	const char *prefix;
	unsigned foll;
	bool fast;
} gup_kinds[] = {
	{ "mm_gup_fast", FOLL_WRITE, true },
	{ "mm_pin_fast", FOLL_WRITE | FOLL_PIN, true },
	{ "mm_gup", FOLL_WRITE, false },
	{ "mm_pin", FOLL_WRITE | FOLL_PIN, false },
};
static const struct {
	const char *name;
	uint64_t leaf;
} pfn_maps[] = {
	{ "mm_follow_pfnmap_1g", G1 },
	{ "mm_follow_pfnmap_2m", M2 },
	{ "mm_follow_pfnmap_4k", K4 },
};
#define NR_SHAPES (sizeof(gup_shapes) / sizeof(gup_shapes[0]))
#define NR_KINDS (sizeof(gup_kinds) / sizeof(gup_kinds[0]))
#define NR_PFN (sizeof(pfn_maps) / sizeof(pfn_maps[0]))

static uint64_t now_s_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bench_mm_format(struct fx *x, const struct pt_format *f, const struct bench_env *env)
{
	const uint64_t gsz = env->map_bytes, pfn_bytes = env->mixed_gib / 2 * G1;
	bool want_shape[NR_SHAPES] = { false }, want_pfn[NR_PFN] = { false }, any = false;
	struct gup_range ranges[NR_SHAPES];
	char name[48];
	uint64_t tables = 4ull << 20, t0 = now_s_ns();
	struct mmfx *m;
	int err;

	host = env->host;
	const struct ref_mm_format *rf = NULL;
	for (size_t i = 0; i < sizeof(ref_mm_formats) / sizeof(ref_mm_formats[0]); i++)
		if (!strcmp(ref_mm_formats[i]->name, f->name))
			rf = ref_mm_formats[i];
	if (!rf)
		return; /* no mm reference for this format yet */
	for (size_t s = 0; s < NR_SHAPES; s++)
		for (size_t k = 0; k < NR_KINDS; k++) {
			snprintf(name, sizeof(name), "%s_%s", gup_kinds[k].prefix,
				 gup_shapes[s].shape);
			want_shape[s] |= host->wanted(name);
		}
	for (size_t p = 0; p < NR_PFN; p++)
		want_pfn[p] = host->wanted(pfn_maps[p].name);
	for (size_t s = 0; s < NR_SHAPES; s++)
		any |= want_shape[s];
	for (size_t p = 0; p < NR_PFN; p++)
		any |= want_pfn[p];
	if (!any)
		return;

	/* Table memory: what the leaves need (4K leaves: 1/512 of the range), plus slack. */
	if (want_shape[0])
		tables += 2 * gsz / 512;
	if (want_shape[1])
		tables += gsz / (256 << 10);
	for (size_t p = 0; p < NR_PFN; p++) {
		uint64_t last = pfn_bytes / (pfn_maps[p].leaf << 9); /* tables holding leaves */
		if (want_pfn[p])
			tables += (last + last / 256 + 4) * K4;
	}
	tables = (tables + K4 - 1) & ~(K4 - 1);
	m = xmalloc(sizeof(*m));
	m->f = f;
	m->r = rf;
	if ((err = pt_arena_init(&m->a, 0x100000, tables)))
		die("pt_arena_init", err);
	memset(m->a.mem.bytes, 0, tables); /* fault it in now, as bench.c does */
	if ((err = mm_pfdb_init(&m->db, DB_BASE, DB_SIZE, 12)))
		die("mm_pfdb_init", err);
	if ((err = mm_init(&m->mm, f, &m->a.mem, &m->db)))
		die("mm_init", err);
	mm_rcu_register_thread();

	memset(ranges, 0, sizeof(ranges));
	for (size_t s = 0; s < NR_SHAPES; s++) {
		uint64_t va = GUP_VA + s * G1;
		uint64_t vsz = gsz > gup_shapes[s].vma_min ? gsz : gup_shapes[s].vma_min;
		struct mm_vma v = { .start = va,
				    .end = va + vsz,
				    .kind = gup_shapes[s].kind,
				    .prot = PT_R | PT_W | PT_USER,
				    .page_size = gup_shapes[s].page_size };
		if (!want_shape[s])
			continue;
		ranges[s] = (struct gup_range){ .shape = gup_shapes[s].shape,
						.va = va,
						.n = (unsigned long)(gsz / K4) };
		gup_populate(m, &ranges[s], &v);
	}
	for (size_t p = 0; p < NR_PFN; p++) {
		struct mm_vma v = { .start = PFN_VA + p * PFN_STRIDE,
				    .end = PFN_VA + p * PFN_STRIDE + pfn_bytes,
				    .kind = MM_VMA_PFNMAP,
				    .prot = PT_R | PT_W | PT_USER,
				    .page_size = pfn_maps[p].leaf,
				    .pfn_pa = PFN_PA + p * PFN_STRIDE };
		if (want_pfn[p] && (err = mm_mmap(&m->mm, &v)))
			die("mm_mmap (PFN map)", err);
	}
	fprintf(stderr,
		"%s: mm space built in %.2f s (%llu tables, %llu folios, %llu KiB of tables)\n",
		f->name, (double)(now_s_ns() - t0) / 1e9, (unsigned long long)m->a.live,
		(unsigned long long)m->db.folios_live, (unsigned long long)(tables >> 10));

	/* GUP: per shape, GUP-fast and pin-fast, then the slow path of both. */
	for (size_t s = 0; s < NR_SHAPES; s++) {
		struct gup_range *r = &ranges[s];
		if (!want_shape[s])
			continue;
		uint64_t *pas[2] = { xmalloc(r->n * 8), xmalloc(r->n * 8) };
		for (size_t k = 0; k < NR_KINDS; k++) {
			struct gup_job g = { .m = m,
					     .r = r,
					     .foll = gup_kinds[k].foll,
					     .fast = gup_kinds[k].fast,
					     .pas = { pas[0], pas[1] },
					     .pending = -1 };
			snprintf(name, sizeof(name), "%s_%s", gup_kinds[k].prefix, r->shape);
			struct bench_ext_job j = { .name = name,
						   .unit = "page",
						   .ops = r->n,
						   .priv = &g,
						   .setup = gup_setup,
						   .run = gup_run,
						   .after = gup_after };
			host->run_ext(x, &j);
		}
		free(pas[0]);
		free(pas[1]);
	}

	/* follow_pfnmap: random VAs of one map. */
	for (size_t p = 0; p < NR_PFN; p++) {
		struct pfn_job pj = { .m = m, .n = env->seeks };
		uint64_t start = PFN_VA + p * PFN_STRIDE, pa = PFN_PA + p * PFN_STRIDE;
		if (!want_pfn[p])
			continue;
		pj.vas = xmalloc(pj.n * sizeof(uint64_t));
		for (size_t i = 0; i < pj.n; i++) {
			pj.vas[i] = start + (rng() % pfn_bytes & ~7ull);
			pj.want_sum += (pa + (pj.vas[i] - start)) >> 12;
		}
		struct bench_ext_job j = { .name = pfn_maps[p].name,
					   .unit = "VA",
					   .ops = pj.n,
					   .priv = &pj,
					   .run = pfn_run,
					   .after = pfn_after };
		host->run_ext(x, &j);
		free(pj.vas);
	}

	mm_rcu_unregister_thread();
	mm_fini(&m->mm);
	if (m->a.live || m->db.folios_live) {
		char why[120];
		snprintf(why, sizeof(why), "%s mm: %llu tables, %llu folios left after mm_fini",
			 f->name, (unsigned long long)m->a.live,
			 (unsigned long long)m->db.folios_live);
		host->fail(why);
	}
	for (size_t s = 0; s < NR_SHAPES; s++)
		gup_range_free(&ranges[s]);
	mm_pfdb_fini(&m->db);
	pt_arena_fini(&m->a);
	free(m);
}
