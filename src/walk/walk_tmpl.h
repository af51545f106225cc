/* SPDX-License-Identifier: MIT */
/*
 * The walker, written once and compiled once per format: the includer has included one
 * src/fmt/<format>.h, so every fmt_* call below is a constant-folded inline.
 */
#ifndef PTKIT_WALK_TMPL_H
#define PTKIT_WALK_TMPL_H

#include <ptkit/walk.h>

#define W_TOP (FMT_LEVELS - 1)

static inline int fmt_shift(int level) { return FMT_SHIFT_C(level); }
static inline int fmt_index_bits(int level) { return FMT_BITS_C(level); }
static inline bool fmt_leaf_ok(int level) { return FMT_LEAF_OK_C(level); }
static inline uint32_t fmt_contig(int level) { return FMT_CONTIG_C(level); }
static inline uint64_t w_span(int level) { return 1ull << fmt_shift(level); }
static inline uint64_t w_table_bytes(int level) { return 8ull << fmt_index_bits(level); }
static inline uint32_t w_index(uint64_t va, int level)
{
	return (uint32_t)(va >> fmt_shift(level)) & ((1u << fmt_index_bits(level)) - 1);
}

/* Entries in the group leaf e belongs to (1 unless it carries the contiguous / NAPOT mark). */
static inline uint32_t w_group(uint64_t e, int level)
{
	return (fmt_leaf_prot(e, level) & PT_CONTIG) ? fmt_contig(level) : 1;
}

/* Output address of the leaf entry that maps va (a group's entries may share one encoding). */
static inline uint64_t w_leaf_pa(uint64_t e, int level, uint64_t va)
{
	uint64_t gsize = w_span(level) * w_group(e, level);
	return (fmt_leaf_pa(e, level) & ~(gsize - 1)) + (va & (gsize - 1) & ~(w_span(level) - 1));
}

/* Last address of the half that holds va. */
static inline uint64_t w_half_last(uint64_t va)
{
	return (fmt_va_half(va) ? FMT_UPPER_BASE : 0) + ((1ull << FMT_HALF_BITS) - 1);
}

/* Host pointer to the table at pa for `level`, or NULL when it is not inside mem. */
static inline uint8_t *w_table(const struct pt_mem *m, uint64_t pa, int level)
{
	uint64_t off = pa - m->base;
	if (pa < m->base || off > m->size || m->size - off < w_table_bytes(level))
		return 0;
	return m->bytes + off;
}

/* Read entry idx of the table walked at `level` into the state. */
static inline void w_read(struct mm_walk_state *st, int level, uint32_t idx)
{
	struct mm_walk_level *pl = &st->path[level];
	struct pt_mem *m = st->mm->mem;
	const char *why = 0;
	uint8_t *p = pl->table + (size_t)idx * 8;

	if (m->observe)
		m->observe(m, pl->table_pa + (uint64_t)idx * 8);
	pl->index = idx;
	pl->entry = fmt_load(p);
	st->level = level;
	st->entry = pl->entry;
	st->ptep = p;
	st->kind = fmt_kind(pl->entry, level, &why);
	if (st->kind == PT_ENTRY_BAD)
		st->err = -PT_EBADENT;
}

/* The walk stopped on a leaf: decode what the accessors report, once. */
static inline bool w_at_leaf(struct mm_walk_state *st)
{
	st->pa = w_leaf_pa(st->entry, st->level, st->va);
	st->prot = fmt_leaf_prot(st->entry, st->level);
	return true;
}

/* Make `table_pa` the table of `level`: refuse pointers outside memory or back up the path. */
static inline bool w_enter(struct mm_walk_state *st, int level, uint64_t table_pa)
{
	uint8_t *t = w_table(st->mm->mem, table_pa, level);

	if (!t) {
		st->err = -PT_EFAULT;
		return false;
	}
	for (int k = level + 1; k <= W_TOP; k++) {
		if (st->path[k].table_pa == table_pa) {
			st->err = -PT_ELOOP;
			return false;
		}
	}
	st->path[level].table = t;
	st->path[level].table_pa = table_pa;
	return true;
}

/* From the entry at st->level, follow table entries down to the entry mapping va. */
static inline bool w_descend(struct mm_walk_state *st, uint64_t va)
{
#pragma GCC unroll 6
	for (int l = st->level; l > 0; l--) {
		if (st->kind != PT_ENTRY_TABLE)
			break;
		if (!w_enter(st, l - 1, fmt_table_pa(st->entry, l)))
			return false;
		w_read(st, l - 1, w_index(va, l - 1));
	}
	return st->kind == PT_ENTRY_LEAF && w_at_leaf(st);
}

static bool w_seek(struct mm_walk_state *st, struct pt_mm *mm, uint64_t va)
{
	uint64_t old = st->va;
	int half = FMT_TWO_ROOTS ? fmt_va_half(va) : 0;
	int l = W_TOP;

	st->va = va;
	st->err = 0;
	if (!fmt_va_valid(va)) {
		st->mm = mm;
		st->fmt = mm->fmt;
		st->gen = 0;
		st->level = W_TOP;
		st->kind = PT_ENTRY_EMPTY;
		st->entry = 0;
		st->ptep = 0;
		st->err = -PT_ERANGE;
		return false;
	}
	uint32_t gen = __atomic_load_n(&mm->gen, __ATOMIC_RELAXED);

	if (st->gen == gen && st->mm == mm && st->half == half) {
		/* Deepest retained table whose span also covers va. */
		for (int k = st->level; k < W_TOP; k++) {
			if (!((va ^ old) >> (fmt_shift(k) + fmt_index_bits(k)))) {
				l = k;
				break;
			}
		}
	} else {
		st->mm = mm;
		st->fmt = mm->fmt;
		st->half = half;
	}
	if (l == W_TOP) {
		if (!w_enter(st, W_TOP, mm->root[half])) {
			st->gen = 0;
			st->level = W_TOP;
			st->kind = PT_ENTRY_EMPTY;
			return false;
		}
	}
	st->gen = gen;
	w_read(st, l, w_index(va, l));
	bool leaf = w_descend(st, va);
	if (st->err)
		st->gen = 0;
	return leaf;
}

/*
 * Step to the entry after the current one in address order, at the same level or, when
 * the table ends, at the first level above that has a next entry. False past `last`.
 */
static inline bool w_advance(struct mm_walk_state *st, uint64_t last)
{
	int l = st->level;
	uint64_t va = (st->va & ~(w_span(l) - 1)) + w_span(l);
	uint32_t idx = st->path[l].index + 1;

	while (idx >> fmt_index_bits(l)) {
		if (l == W_TOP)
			return false;
		l++;
		idx = st->path[l].index + 1;
	}
	if (va == 0 || va > last)
		return false;
	st->va = va;
	w_read(st, l, idx);
	return !st->err;
}

/* The path is stale after a mutation: find the current position again. */
static inline void w_refresh(struct mm_walk_state *st)
{
	if (st->gen != __atomic_load_n(&st->mm->gen, __ATOMIC_RELAXED))
		w_seek(st, st->mm, st->va);
}

static bool w_next_leaf(struct mm_walk_state *st, uint64_t end)
{
	uint64_t last = end - 1;
	uint64_t half_last = w_half_last(st->va);

	if (end == 0 || last > half_last)
		last = half_last;
	w_refresh(st);
	while (!st->err && w_advance(st, last)) {
		if (w_descend(st, st->va))
			return true;
	}
	return false;
}

static int w_walk_range(struct pt_mm *mm, uint64_t start, uint64_t end,
			const struct mm_walk_ops *ops, void *priv)
{
	struct mm_walk_state st;
	uint64_t last = end - 1;

	if (end != 0 && end <= start)
		return -PT_EINVAL;
	if (!fmt_va_valid(start) || !fmt_va_valid(last) || fmt_va_half(start) != fmt_va_half(last))
		return -PT_ERANGE;
	/* Start at the root entry, so table_entry sees every table on the way to start. */
	mm_walk_init(&st, mm);
	st.va = start;
	st.half = FMT_TWO_ROOTS ? fmt_va_half(start) : 0;
	if (!w_enter(&st, W_TOP, mm->root[st.half]))
		return st.err;
	st.gen = __atomic_load_n(&mm->gen, __ATOMIC_RELAXED);
	w_read(&st, W_TOP, w_index(start, W_TOP));
	while (!st.err) {
		int l = st.level, r;

		if (st.kind == PT_ENTRY_TABLE) {
			r = ops->table_entry ? ops->table_entry(&st, priv) : MM_WALK_CONTINUE;
			if (r < 0)
				return r;
			if (r == MM_WALK_STOP)
				return 0;
			if (r != MM_WALK_SKIP) {
				if (w_enter(&st, l - 1, fmt_table_pa(st.entry, l)))
					w_read(&st, l - 1, w_index(st.va, l - 1));
				continue;
			}
		} else {
			uint64_t elast = st.va | (w_span(l) - 1);
			r = MM_WALK_CONTINUE;
			if (elast > last)
				elast = last;
			if (st.kind == PT_ENTRY_LEAF && ops->leaf_entry && w_at_leaf(&st))
				r = ops->leaf_entry(&st, priv);
			else if (st.kind == PT_ENTRY_EMPTY && ops->hole)
				r = ops->hole(st.va, elast + 1, l, priv);
			if (r < 0)
				return r;
			if (r == MM_WALK_STOP)
				return 0;
			w_refresh(&st);
			if (r == MM_WALK_SKIP && st.level < W_TOP) {
				/* Stand on the last entry of this table, so the next step leaves it. */
				uint32_t n = 1u << fmt_index_bits(st.level);
				st.va = (st.va & ~(w_span(st.level + 1) - 1)) +
					(uint64_t)(n - 1) * w_span(st.level);
				st.path[st.level].index = n - 1;
			}
		}
		if (!w_advance(&st, last))
			break;
	}
	return st.err;
}

#endif
