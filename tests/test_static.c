// SPDX-License-Identifier: MIT
/*
 * The compile-time single-format API (include/ptkit/static.h) against the run-time API:
 * the same walks (tests/static/static_body.h) compiled once per format with PTKIT_FORMAT
 * and once without must report exactly the same seeks, translations, for_each_pt_leaf
 * iterations (with break and continue in the body) and walk_page_range leaves and holes,
 * on a random tree of every leaf size in both halves of every format.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ptkit/mem.h"
#include "ptkit/ptkit.h"
#include "static/static_api.h"

#define NVA 3000
#define MAXREC 200000

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

#define STATIC_ENTRY(sym) &sym,
static const struct static_api *const apis[] = { STATIC_FORMATS(STATIC_ENTRY) };

static const struct static_api *api_for(const struct pt_format *f)
{
	for (size_t i = 0; i < sizeof(apis) / sizeof(apis[0]); i++)
		if (!strcmp(apis[i]->name, f->name))
			return apis[i];
	return NULL;
}

/* Random leaves of every size (groups included) in a window of each half. */
static uint64_t populate(struct pt_mm *mm, uint64_t window)
{
	const struct pt_format *f = mm->fmt;
	uint64_t mapped = 0;

	for (int h = 0; h < 2; h++) {
		for (uint64_t sizes = f->page_sizes; sizes; sizes &= sizes - 1) {
			uint64_t s = sizes & -sizes;

			if (s > window / 4)
				continue;
			for (int k = 0; k < 6; k++) {
				struct pt_gather g;
				uint64_t off = (rnd() % (window / s)) * s;
				uint32_t prot = PT_R | (rnd() & 1 ? PT_W : 0) |
						(rnd() & 1 ? PT_USER : 0) | (rnd() & 1 ? PT_X : 0);
				/* Every other leaf high: the OA bits above 2^48 / 2^50. */
				uint64_t hi = k & 1 ? 3ull << (f->pa_bits - 2) : 0;
				struct pt_map_req req = { f->half_base[h] + off,
							  hi + (rnd() % 64) * s % (1ull << 40),
							  s,
							  prot,
							  0,
							  s };

				pt_gather_init(&g, mm);
				if (pt_map(mm, &req, &g) == 0)
					mapped++;
				pt_gather_flush(&g);
			}
		}
		/*
		 * A dense run of base pages in one table whose rights change every 4 pages,
		 * with holes: the iteration window must stop at each change (its attribute and
		 * valid masks in the entries' stored byte order).
		 */
		for (uint64_t i = 0; i < 48; i++) {
			const uint64_t pg = 1ull << f->shift[0];
			struct pt_gather g;
			struct pt_map_req req = { f->half_base[h] + window / 2 + i * pg,
						  (1ull << 32) + i * pg,
						  pg,
						  PT_R | ((i / 4) & 1 ? PT_W : 0) |
							  ((i / 8) & 1 ? PT_USER : 0),
						  0,
						  pg };

			if (i % 11 == 10)
				continue;
			pt_gather_init(&g, mm);
			if (pt_map(mm, &req, &g) == 0)
				mapped++;
			pt_gather_flush(&g);
		}
	}
	return mapped;
}

static bool same(const char *what, const struct pt_format *f, const struct static_rec *a, size_t na,
		 const struct static_rec *b, size_t nb)
{
	if (!CHECK_EQ(na, nb)) {
		fprintf(stderr, "  %s %s: %zu records at run time, %zu compiled\n", f->name, what,
			na, nb);
		return false;
	}
	for (size_t i = 0; i < na; i++) {
		if (memcmp(&a[i], &b[i], sizeof(a[i]))) {
			CHECK(!"records differ");
			fprintf(stderr, "  %s %s record %zu:", f->name, what, i);
			for (int k = 0; k < 8; k++)
				fprintf(stderr, " %llx/%llx", (unsigned long long)a[i].v[k],
					(unsigned long long)b[i].v[k]);
			fprintf(stderr, "\n");
			return false;
		}
	}
	return true;
}

static void test_format(const struct pt_format *f, struct static_rec *ra, struct static_rec *rb,
			uint64_t *va)
{
	const struct static_api *s = api_for(f), *r = &static_runtime;
	struct pt_arena a;
	struct pt_mm mm;
	uint64_t window = 1ull << (f->half_bits < 44 ? f->half_bits - 2 : 42);
	size_t na, nb, leaves = 0;

	if (!CHECK(s != NULL) || !CHECK_EQ(pt_arena_init(&a, 0x100000, 64 << 20), 0))
		return;
	if (!CHECK_EQ(pt_mm_init(&mm, f, &a.mem), 0))
		goto out;
	CHECK(populate(&mm, window) > 20);

	/* VAs: half inside leaves the run-time scan finds, some non-canonical, some near. */
	na = r->scan(&mm, f->half_base[0], f->half_base[0] + window, MAXREC, ra, MAXREC);
	nb = r->scan(&mm, f->half_base[1], f->half_base[1] + window, MAXREC, ra + na, MAXREC - na);
	na += nb;
	for (size_t i = 0; i < NVA; i++) {
		const struct static_rec *l = &ra[rnd() % na];

		va[i] = f->half_base[rnd() & 1] + rnd() % window;
		if (i & 1 && l->v[0] != ~0ull) /* inside a leaf: leaf_va + offset < size */
			va[i] = l->v[3] + rnd() % l->v[5];
		if (i % 97 == 0)
			va[i] = rnd();
		if (i % 5 == 1)
			va[i] = va[i - 1] + 0x1000;
	}
	na = r->seek(&mm, va, NVA, ra);
	nb = s->seek(&mm, va, NVA, rb);
	same("seek", f, ra, na, rb, nb);
	for (size_t i = 0; i < na; i++)
		leaves += ra[i].v[0] & 1;
	CHECK(leaves > NVA / 3); /* the comparison saw leaves */

	na = r->translate(&mm, va, NVA, ra);
	nb = s->translate(&mm, va, NVA, rb);
	same("translate", f, ra, na, rb, nb);

	for (int h = 0; h < 2; h++) {
		uint64_t start = f->half_base[h], end = start + window;

		na = r->scan(&mm, start, end, MAXREC, ra, MAXREC);
		nb = s->scan(&mm, start, end, MAXREC, rb, MAXREC);
		if (same("scan", f, ra, na, rb, nb))
			CHECK(na > 5);
		na = r->scan(&mm, start, end, 7, ra, MAXREC); /* break after 7 */
		nb = s->scan(&mm, start, end, 7, rb, MAXREC);
		same("scan with break", f, ra, na, rb, nb);
		CHECK_EQ(ra[na - 1].v[1], 8); /* the 8th leaf broke the loop */
		na = r->walk(&mm, start, end, ra, MAXREC);
		nb = s->walk(&mm, start, end, rb, MAXREC);
		same("walk_page_range", f, ra, na, rb, nb);
	}
out:
	pt_arena_fini(&a);
}

/* PTKIT_STATIC_CHECK: a tree of another format is refused, not walked. */
static void test_wrong_format(uint64_t *va, struct static_rec *rb)
{
	struct pt_arena a;
	struct pt_mm mm;

	if (!CHECK_EQ(pt_arena_init(&a, 0x100000, 1 << 20), 0))
		return;
	if (CHECK_EQ(pt_mm_init(&mm, pt_format_find("riscv-sv48"), &a.mem), 0)) {
		va[0] = 0x1000;
		static_x86_64.translate(&mm, va, 1, rb);
		CHECK_EQ(rb[0].v[0], -PT_EINVAL);
		static_x86_64.seek(&mm, va, 1, rb);
		CHECK_EQ((uint32_t)(rb[0].v[0] >> 8), (uint32_t)-PT_EINVAL);
	}
	pt_arena_fini(&a);
}

int main(void)
{
	struct static_rec *ra = malloc(MAXREC * sizeof(*ra)), *rb = malloc(MAXREC * sizeof(*rb));
	uint64_t *va = malloc(NVA * sizeof(*va));

	for (unsigned i = 0; pt_format_at(i); i++)
		test_format(pt_format_at(i), ra, rb, va);
	test_wrong_format(va, rb);
	free(ra);
	free(rb);
	free(va);
	return CHECK_DONE();
}
