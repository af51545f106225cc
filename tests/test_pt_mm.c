// SPDX-License-Identifier: MIT
/*
 * Tests for src/ops/pt_mm.c and the table allocation contract (src/ops/table_alloc.h):
 * a tree only in memory every table address of which the format can encode, and tables
 * aligned to their size whatever the memory's base.
 */
#include <string.h>

#include "check.h"
#include "ptkit/mem.h"
#include "ptkit/ptkit.h"

static uint64_t pa_limit(const struct pt_format *f)
{
	return 1ull << f->pa_bits;
}

/* Memory at or across 2^pa_bits: refused before anything is allocated. */
static void test_pa_limit(const struct pt_format *f)
{
	const uint64_t bases[] = { pa_limit(f), pa_limit(f) - 0x10000, pa_limit(f) + 0x100000 };

	for (unsigned i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		struct pt_arena a;
		struct pt_mm mm;

		if (!CHECK_EQ(pt_arena_init(&a, bases[i], 1 << 20), 0))
			continue;
		if (!CHECK_EQ(pt_mm_init(&mm, f, &a.mem), -PT_ERANGE))
			fprintf(stderr, "  %s: arena at 0x%llx\n", f->name,
				(unsigned long long)bases[i]);
		CHECK_EQ(a.allocs, 0);
		pt_arena_fini(&a);
	}
}

/* Memory that ends exactly at the limit works, and its tables translate. */
static void test_below_limit(const struct pt_format *f)
{
	struct pt_arena a;
	struct pt_mm mm;
	struct pt_gather g;
	struct pt_translation tr;
	uint64_t small = f->page_sizes & -f->page_sizes;
	struct pt_map_req req = {
		f->half_base[0] + 7 * small, 5 * small, small, PT_R | PT_W, 0, 0
	};

	if (!CHECK_EQ(pt_arena_init(&a, pa_limit(f) - (4 << 20), 4 << 20), 0))
		return;
	if (CHECK_EQ(pt_mm_init(&mm, f, &a.mem), 0)) {
		pt_gather_init(&g, &mm);
		CHECK_EQ(pt_map(&mm, &req, &g), 0);
		pt_gather_flush(&g);
		if (CHECK_EQ(pt_translate(&mm, req.va + 8, &tr), 0))
			CHECK_EQ(tr.pa, req.pa + 8);
	}
	pt_arena_fini(&a);
}

/*
 * Memory at a base aligned only to 4K (0x1000): every table, the root included, is aligned
 * to its size, so the walk reads the tables the entries name. One page at the bottom of
 * each level's range forces a table at every level.
 */
static void test_unaligned_base(const struct pt_format *f)
{
	struct pt_arena a;
	struct pt_mm mm;
	struct pt_gather g;
	struct pt_translation tr;
	uint64_t small = f->page_sizes & -f->page_sizes;

	if (!CHECK_EQ(pt_arena_init(&a, 0x1000, 16 << 20), 0))
		return;
	if (!CHECK_EQ(pt_mm_init(&mm, f, &a.mem), 0))
		goto out;
	for (int h = 0; h < (f->two_roots ? 2 : 1); h++)
		CHECK_EQ(mm.root[h] & (pt_table_bytes(f, f->levels - 1) - 1), 0);
	for (int l = 0; l < f->levels; l++) {
		uint64_t va = f->half_base[0] + ((uint64_t)1 << f->shift[l]);
		struct pt_map_req req = { va, 9 * small, small, PT_R | PT_W, 0, 0 };

		pt_gather_init(&g, &mm);
		if (!CHECK_EQ(pt_map(&mm, &req, &g), 0))
			continue;
		pt_gather_flush(&g);
		if (!CHECK_EQ(pt_translate(&mm, va + 16, &tr), 0)) {
			fprintf(stderr, "  %s: va 0x%llx after a base of 0x1000\n", f->name,
				(unsigned long long)va);
			continue;
		}
		CHECK_EQ(tr.pa, req.pa + 16);
	}
out:
	pt_arena_fini(&a);
}

/* A backend that breaks the pt_mem contract: its blocks are misplaced by `skew`. */
struct skewed {
	struct pt_mem mem;
	uint8_t buf[1 << 18];
	uint64_t skew;
	int frees;
};

static int skewed_alloc(struct pt_mem *m, uint64_t size, uint64_t *pa)
{
	struct skewed *s = m->priv;

	if (size > 0x10000)
		return -PT_ENOMEM;
	*pa = m->base + 0x10000 + s->skew;
	return 0;
}

static void skewed_free(struct pt_mem *m, uint64_t pa, uint64_t size)
{
	struct skewed *s = m->priv;

	(void)pa;
	(void)size;
	s->frees++;
}

static void test_bad_backend(const struct pt_format *f)
{
	static struct skewed s;
	uint64_t root_bytes = pt_table_bytes(f, f->levels - 1);
	const struct {
		uint64_t skew;
		int err;
	} cases[] = { { root_bytes / 2, -PT_EINVAL }, { sizeof(s.buf), -PT_EFAULT }, { 0, 0 } };

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pt_mm mm;

		memset(&s, 0, sizeof(s));
		s.mem = (struct pt_mem){ .bytes = s.buf,
					 .base = 0x40000000,
					 .size = sizeof(s.buf),
					 .alloc = skewed_alloc,
					 .free = skewed_free,
					 .priv = &s };
		s.skew = cases[i].skew;
		if (f->two_roots && !cases[i].err)
			continue; /* the toy backend has room for one root only */
		CHECK_EQ(pt_mm_init(&mm, f, &s.mem), cases[i].err);
		CHECK_EQ(s.frees, cases[i].err ? 1 : 0); /* a refused block is handed back */
	}
}

int main(void)
{
	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);

		test_pa_limit(f);
		test_below_limit(f);
		test_unaligned_base(f);
		test_bad_backend(f);
	}
	return CHECK_DONE();
}
