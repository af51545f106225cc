/* SPDX-License-Identifier: MIT */
/*
 * The read-only walks ptkit runs in the bench, written once against the public API. bench.c
 * compiles them with the run-time API (mm->fmt's function table); bench/static/<format>.c
 * compiles the very same text with PTKIT_FORMAT, the compile-time single-format API (the
 * static_* rows). The includer has included <ptkit/ptkit.h>.
 */
#ifndef PTKIT_BENCH_PK_WALKS_H
#define PTKIT_BENCH_PK_WALKS_H

static uint64_t pk_seek_many(struct pt_mm *mm, const uint64_t *va, size_t n, uint64_t *faults)
{
	struct mm_walk_state st;
	uint64_t sum = 0, nf = 0;
	mm_walk_init(&st, mm);
	for (size_t i = 0; i < n; i++) {
		if (mm_walk_seek_leaf(&st, mm, va[i]))
			sum += mm_walk_leaf_pa(&st) + (va[i] & (mm_walk_leaf_size(&st) - 1));
		else
			nf++;
	}
	*faults = nf;
	return sum;
}

static uint64_t pk_translate_many(struct pt_mm *mm, const uint64_t *va, size_t n, uint64_t *faults)
{
	struct pt_translation tr;
	uint64_t sum = 0, nf = 0;
	for (size_t i = 0; i < n; i++) {
		if (pt_translate(mm, va[i], &tr) == 0)
			sum += tr.pa;
		else
			nf++;
	}
	*faults = nf;
	return sum;
}

static uint64_t pk_scan_leaf(struct pt_mm *mm, uint64_t start, uint64_t end, uint64_t *count)
{
	struct mm_walk_state st;
	uint64_t sum = 0, n = 0;
	mm_walk_init(&st, mm);
	for_each_pt_leaf (&st, mm, start, end) {
		n++;
		sum += mm_walk_leaf_pa(&st);
	}
	*count = n;
	return sum;
}

struct scan_priv {
	uint64_t sum, count;
};

static int scan_leaf_cb(struct mm_walk_state *st, void *priv)
{
	struct scan_priv *p = priv;
	p->count++;
	p->sum += mm_walk_leaf_pa(st);
	return MM_WALK_CONTINUE;
}

static uint64_t pk_scan_walk(struct pt_mm *mm, uint64_t start, uint64_t end, uint64_t *count)
{
	static const struct mm_walk_ops ops = { .leaf_entry = scan_leaf_cb };
	struct scan_priv p = { 0, 0 };
	if (walk_page_range(mm, start, end, &ops, &p))
		return ~0ull;
	*count = p.count;
	return p.sum;
}

#endif
