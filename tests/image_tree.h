/* SPDX-License-Identifier: MIT */
/*
 * A random tree in an arena for the image tests (test_segmem, test_dumpfile): leaves of
 * several levels clustered so that they share tables, and every leaf of both halves
 * recorded as a walk over an image of the tree sees it.
 */
#ifndef PTKIT_TESTS_IMAGE_TREE_H
#define PTKIT_TESTS_IMAGE_TREE_H

#include <stdlib.h>

#include "check.h"
#include "ptkit/mem.h"
#include "ptkit/ptkit.h"

static uint64_t it_rng = 0x9e3779b97f4a7c15ull;
static inline uint64_t it_rnd(void)
{
	it_rng ^= it_rng >> 12;
	it_rng ^= it_rng << 25;
	it_rng ^= it_rng >> 27;
	return it_rng * 0x2545f4914f6cdd1dull;
}

struct it_rec {
	uint64_t va, pa, size, table_pa;
	uint32_t prot;
	int level, err;
};

struct it_recs {
	struct it_rec *r;
	size_t n, cap;
};

static inline void it_add(struct it_recs *rs, const struct it_rec *r)
{
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? 2 * rs->cap : 256;
		rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
		if (!rs->r)
			abort();
	}
	rs->r[rs->n++] = *r;
}

/* Every leaf of both halves (and where a walk stopped on an error), in order. */
static inline void it_walk_all(struct pt_mm *mm, struct it_recs *rs)
{
	const struct pt_format *f = mm->fmt;
	struct mm_walk_state st;

	rs->n = 0;
	for (int h = 0; h < 2; h++) {
		uint64_t start = f->half_base[h], end = start + (1ull << f->half_bits);

		mm_walk_init(&st, mm);
		for_each_pt_leaf (&st, mm, start, end) {
			struct it_rec r = { mm_walk_leaf_va(&st),
					    mm_walk_leaf_pa(&st),
					    mm_walk_leaf_size(&st),
					    mm_walk_table_pa(&st, st.level),
					    mm_walk_prot(&st),
					    st.level,
					    0 };
			it_add(rs, &r);
		}
		if (st.err) {
			struct it_rec r = { st.va, 0, 0, 0, 0, st.level, st.err };
			it_add(rs, &r);
		}
	}
}

static inline bool it_same(const struct it_rec *a, const struct it_rec *b)
{
	return a->va == b->va && a->pa == b->pa && a->size == b->size &&
	       a->table_pa == b->table_pa && a->prot == b->prot && a->level == b->level &&
	       a->err == b->err;
}

/* A VA inside a recorded leaf half of the time, anywhere in a half otherwise. */
static inline uint64_t it_random_va(const struct pt_format *f, const struct it_recs *leaves)
{
	if (leaves->n && (it_rnd() & 1)) {
		const struct it_rec *r = &leaves->r[it_rnd() % leaves->n];
		return r->va + (it_rnd() % r->size);
	}
	int h = (int)(it_rnd() & 1);
	return f->half_base[h] + (it_rnd() & ((1ull << f->half_bits) - 1));
}

/* Try n random leaves (mostly of the smallest size) in mm; how many were mapped. */
static inline unsigned it_populate(struct pt_mm *mm, int n)
{
	const struct pt_format *f = mm->fmt;
	unsigned mapped = 0;

	for (int i = 0; i < n; i++) {
		int level = (int)(it_rnd() % (uint64_t)f->levels);

		if (level > 1 && (it_rnd() & 3))
			level = 0;
		if (!f->leaf_ok[level])
			continue;
		uint64_t size = 1ull << f->shift[level], span = 1ull << f->half_bits;
		uint64_t off = ((it_rnd() % 256) * size) % span;
		struct pt_map_req req = { .va = f->half_base[it_rnd() & 1] + (off & ~(size - 1)),
					  .pa = (it_rnd() & ((1ull << (f->pa_bits - 1)) - 1)) &
						~(size - 1),
					  .size = size,
					  .prot = PT_R | (it_rnd() & 1 ? PT_W : 0),
					  .page_sizes = size };
		struct pt_gather g;

		pt_gather_init(&g, mm);
		mapped += pt_map(mm, &req, &g) == 0;
		pt_gather_flush(&g);
	}
	return mapped;
}

#endif
