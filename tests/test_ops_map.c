// SPDX-License-Identifier: MIT
/*
 * Tests for pt_map's errors (src/ops/map_tmpl.h, src/ops/range_tmpl.h): an overlap is
 * -PT_EEXIST at the existing leaf whatever page_sizes asks for, and a request for more
 * tables than the memory holds fails before any table is allocated. Every failure leaves
 * the tables byte for byte as they were.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ptkit/mem.h"
#include "ptkit/ptkit.h"

struct tree {
	const struct pt_format *f;
	struct pt_arena a;
	struct pt_mm mm;
	uint8_t *before;
};

static bool tree_init(struct tree *t, const struct pt_format *f, uint64_t size)
{
	t->f = f;
	t->before = NULL;
	if (!CHECK_EQ(pt_arena_init(&t->a, 0x100000, size), 0))
		return false;
	if (!CHECK_EQ(pt_mm_init(&t->mm, f, &t->a.mem), 0)) {
		pt_arena_fini(&t->a);
		return false;
	}
	return true;
}

static void tree_fini(struct tree *t)
{
	free(t->before);
	pt_arena_fini(&t->a);
}

static int map(struct tree *t, uint64_t va, uint64_t pa, uint64_t size, uint64_t page_sizes,
	       uint64_t *err_va)
{
	struct pt_map_req req = { va, pa, size, PT_R | PT_W, 0, page_sizes };
	struct pt_gather g;
	int err;

	pt_gather_init(&g, &t->mm);
	err = pt_map(&t->mm, &req, &g);
	pt_gather_flush(&g);
	if (err_va)
		*err_va = g.err_va;
	return err;
}

static void snapshot(struct tree *t)
{
	free(t->before);
	t->before = malloc(t->a.mem.size);
	memcpy(t->before, t->a.mem.bytes, t->a.mem.size);
}

static bool unchanged(const struct tree *t)
{
	return t->before && !memcmp(t->before, t->a.mem.bytes, t->a.mem.size);
}

/*
 * For every leaf size s above the smallest (groups included): one small page at s + 1 page,
 * then [s, 2s) with pagesize=s. The small page is in the way: -PT_EEXIST naming it, and
 * the tables unchanged. Without the small page the same request succeeds.
 */
static void test_overlap_with_page_sizes(const struct pt_format *f)
{
	uint64_t small = f->page_sizes & -f->page_sizes;

	for (uint64_t sizes = f->page_sizes & ~small; sizes; sizes &= sizes - 1) {
		uint64_t s = sizes & -sizes, err_va = 0;
		uint64_t va = f->half_base[0] + s;
		struct tree t;

		if (s >= 1ull << f->half_bits >> 1)
			continue;
		if (!tree_init(&t, f, 4 << 20))
			continue;
		CHECK_EQ(map(&t, va, 0, s, s, NULL), 0); /* fits on its own */
		tree_fini(&t);

		if (!tree_init(&t, f, 4 << 20))
			continue;
		CHECK_EQ(map(&t, va + small, 0, small, 0, NULL), 0);
		snapshot(&t);
		if (!CHECK_EQ(map(&t, va, 0, s, s, &err_va), -PT_EEXIST))
			fprintf(stderr, "  %s: pagesize 0x%llx over a 0x%llx page\n", f->name,
				(unsigned long long)s, (unsigned long long)small);
		CHECK_EQ(err_va, va + small);
		CHECK(unchanged(&t));
		tree_fini(&t);
	}
}

/* A request that cannot fit in the memory fails with -PT_ENOMEM and allocates nothing. */
static void test_too_big_fails_first(const struct pt_format *f)
{
	uint64_t small = f->page_sizes & -f->page_sizes;
	uint64_t size = 64ull << 30, allocs;
	struct tree t;

	if (size > 1ull << f->half_bits >> 1 || !tree_init(&t, f, 4 << 20))
		return;
	allocs = t.a.allocs;
	snapshot(&t);
	CHECK_EQ(map(&t, f->half_base[0], 0, size, small, NULL), -PT_ENOMEM);
	if (!CHECK_EQ(t.a.allocs, allocs))
		fprintf(stderr, "  %s: %llu tables allocated before failing\n", f->name,
			(unsigned long long)(t.a.allocs - allocs));
	CHECK(unchanged(&t));
	tree_fini(&t);
}

int main(void)
{
	for (unsigned i = 0; pt_format_at(i); i++) {
		test_overlap_with_page_sizes(pt_format_at(i));
		test_too_big_fails_first(pt_format_at(i));
	}
	return CHECK_DONE();
}
