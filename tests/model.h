/* SPDX-License-Identifier: MIT */
/*
 * model.h: the reference the operation tests compare against — a sorted list of
 * intervals [va, end) -> pa with a protection, plus helpers that read a real tree back
 * into the same shape and check its structural invariants.
 */
#ifndef PTKIT_TESTS_MODEL_H
#define PTKIT_TESTS_MODEL_H

#include <ptkit/mem.h>
#include <ptkit/ptkit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct iv {
	uint64_t va, last, pa; /* inclusive last: the top of the address space is usable */
	uint32_t prot;
};

struct model {
	struct iv *v;
	size_t n, cap;
};

static inline void model_push(struct model *m, struct iv x)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		if (!m->v)
			abort();
	}
	m->v[m->n++] = x;
}

/* Remove [va, last] from the model, keeping the parts of intervals outside it. */
static inline void model_cut(struct model *m, uint64_t va, uint64_t last)
{
	struct model out = { 0 };
	for (size_t i = 0; i < m->n; i++) {
		struct iv x = m->v[i];
		if (x.last < va || x.va > last) {
			model_push(&out, x);
			continue;
		}
		if (x.va < va)
			model_push(&out, (struct iv){ x.va, va - 1, x.pa, x.prot });
		if (x.last > last)
			model_push(&out, (struct iv){ last + 1, x.last, x.pa + (last + 1 - x.va),
						      x.prot });
	}
	free(m->v);
	*m = out;
}

static inline bool iv_eq(const struct iv *x, const struct iv *y)
{
	return x->va == y->va && x->last == y->last && x->pa == y->pa && x->prot == y->prot;
}

static int iv_cmp(const void *a, const void *b)
{
	const struct iv *x = a, *y = b;
	return x->va < y->va ? -1 : x->va > y->va;
}

/* Sort and merge neighbours with contiguous PA and equal protection. */
static inline void model_normalize(struct model *m)
{
	size_t k = 0;
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), iv_cmp);
	for (size_t i = 0; i < m->n; i++) {
		if (k && m->v[k - 1].last + 1 == m->v[i].va && m->v[k - 1].last != ~0ull &&
		    m->v[k - 1].pa + (m->v[k - 1].last - m->v[k - 1].va + 1) == m->v[i].pa &&
		    m->v[k - 1].prot == m->v[i].prot)
			m->v[k - 1].last = m->v[i].last;
		else
			m->v[k++] = m->v[i];
	}
	m->n = k;
}

/* Bytes of [va, last] the model maps. */
static inline uint64_t model_covered(const struct model *m, uint64_t va, uint64_t last)
{
	uint64_t n = 0;
	for (size_t i = 0; i < m->n; i++) {
		uint64_t s = m->v[i].va > va ? m->v[i].va : va;
		uint64_t e = m->v[i].last < last ? m->v[i].last : last;
		if (s <= e)
			n += e - s + 1;
	}
	return n;
}

/* Read every leaf of [start, last] back into a model (not normalized). */
static inline int model_from_tree(struct model *out, struct pt_mm *mm, uint64_t start,
				  uint64_t last, uint32_t prot_mask)
{
	struct mm_walk_state st;
	mm_walk_init(&st, mm);
	for_each_pt_leaf (&st, mm, start, last + 1) {
		uint64_t size = mm_walk_leaf_size(&st);
		uint64_t lva = mm_walk_leaf_va(&st);
		model_push(out, (struct iv){ lva, lva + size - 1, mm_walk_leaf_pa(&st),
					     mm_walk_prot(&st) & prot_mask });
	}
	return st.err;
}

/*
 * Structure of the tree under `table_pa` (level): count tables, and fail on an empty
 * non-root table (unmap must free them). Returns the number of tables, or -1.
 */
static inline long tree_tables(struct pt_mm *mm, uint64_t table_pa, int level, bool root)
{
	const struct pt_format *f = mm->fmt;
	struct pt_mem *m = mm->mem;
	uint64_t bytes = pt_table_bytes(f, level);
	long n = 1;
	unsigned present = 0;

	if (table_pa < m->base || table_pa - m->base + bytes > m->size)
		return -1;
	for (uint64_t off = 0; off < bytes; off += 8) {
		uint64_t e = pt_entry_load(f, m->bytes + (table_pa - m->base) + off);
		struct pt_entry_info info;
		pt_format_decode(f, e, level, &info);
		if (info.kind == PT_ENTRY_BAD)
			return -1;
		if (info.kind != PT_ENTRY_EMPTY)
			present++;
		if (info.kind == PT_ENTRY_TABLE) {
			long c = tree_tables(mm, info.pa, level - 1, false);
			if (c < 0)
				return -1;
			n += c;
		}
	}
	if (!root && !present) {
		fprintf(stderr, "empty table at 0x%llx level %d was not freed\n",
			(unsigned long long)table_pa, level);
		return -1;
	}
	return n;
}

/* A small deterministic PRNG (xorshift64*). */
static inline uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

#endif
