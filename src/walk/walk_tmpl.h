/* SPDX-License-Identifier: MIT */
/*
 * The walker, written once and compiled once per format: the includer has included one
 * src/fmt/<format>.h, so every fmt_* call below is a constant-folded inline.
 */
#ifndef PTKIT_WALK_TMPL_H
#define PTKIT_WALK_TMPL_H

#include <ptkit/walk.h>

#define W_TOP (FMT_LEVELS - 1)
#ifndef FMT_LEAF_GROUP_FIXED /* optional fact (src/fmt/fmt_common.h) */
#define FMT_LEAF_GROUP_FIXED(e, level) (0 * (e) * (uint64_t)(level))
#endif
#define W_INLINE static inline __attribute__((always_inline))

/*
 * Per-level specialisation: `W_LEVEL_SWITCH(level, W_CASE)` expands W_CASE(K, L) for
 * K = 0..5 as the body of `case K:` with L = K as a compile-time constant (clamped to a
 * level of the format; cases K >= FMT_LEVELS are never taken), so every fmt_* fact about
 * the level folds (shift, index bits, leaf_ok, kind tests) in an always-inline body. The
 * levels stay generic: nothing here knows what any level of any format is.
 */
#define W_LVL_(L) ((L) < FMT_LEVELS ? (L) : 0)
#define W_LEVEL_SWITCH(level, W_CASE)                                                              \
	switch (level) {                                                                           \
		W_CASE(0, W_LVL_(0))                                                               \
		W_CASE(1, W_LVL_(1))                                                               \
		W_CASE(2, W_LVL_(2))                                                               \
		W_CASE(3, W_LVL_(3))                                                               \
		W_CASE(4, W_LVL_(4))                                                               \
		W_CASE(5, W_LVL_(5))                                                               \
	default:                                                                                   \
		__builtin_unreachable();                                                           \
	}
_Static_assert(PT_MAX_LEVELS <= 6, "W_LEVEL_SWITCH covers six levels");

static inline int fmt_shift(int level)
{
	return FMT_SHIFT_C(level);
}
static inline int fmt_index_bits(int level)
{
	return FMT_BITS_C(level);
}
static inline bool fmt_leaf_ok(int level)
{
	return FMT_LEAF_OK_C(level);
}
static inline uint32_t fmt_contig(int level)
{
	return FMT_CONTIG_C(level);
}
static inline uint64_t w_span(int level)
{
	return 1ull << fmt_shift(level);
}
static inline uint64_t w_table_bytes(int level)
{
	return 8ull << fmt_index_bits(level);
}
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

/* Physical address of the byte at host pointer p in m. */
static inline uint64_t w_pa_of(const struct pt_mem *m, const uint8_t *p)
{
	if (m->pa_of)
		return m->pa_of(m, p);
	return (uint64_t)(p - m->bytes) + m->base;
}

/* Host pointer to the table at pa for `level` in flat memory (bytes[]), or NULL: outside. */
static inline uint8_t *w_table_flat(const struct pt_mem *m, uint64_t pa, int level)
{
	uint64_t off = pa - m->base;
	if (pa < m->base || off > m->size || m->size - off < w_table_bytes(level))
		return 0;
	return m->bytes + off;
}

/* Host pointer to the table at pa for `level`, or NULL when it is not inside mem. */
static inline uint8_t *w_table(const struct pt_mem *m, uint64_t pa, int level)
{
	if (m->table) /* sparse memory: never trusted, so only checked walks come here */
		return (uint8_t *)(uintptr_t)m->table(m, pa, w_table_bytes(level));
	return w_table_flat(m, pa, level);
}

#include "walk/check_fast.h"

/* Read entry idx of the table walked at `level` into the state. */
static inline void w_read(struct mm_walk_state *st, int level, uint32_t idx)
{
	struct mm_walk_level *pl = &st->path[level];
	struct pt_mem *m = st->mm->mem;
	const char *why = 0;
	uint8_t *p = pl->table + (size_t)idx * 8;

	if (m->observe)
		m->observe(m, w_pa_of(m, p));
	pl->entry = fmt_load(p);
	st->level = level;
	st->entry = pl->entry;
	st->ptep = p;
	st->kind = fmt_kind(pl->entry, level, &why);
	st->pa = 0; /* set by w_at_leaf when this is a leaf */
	if (st->kind == PT_ENTRY_BAD)
		st->err = -PT_EBADENT;
}

/* The walk stopped on a leaf: decode what the accessors report, once. */
W_INLINE bool w_at_leaf(struct mm_walk_state *st)
{
	st->pa = w_leaf_pa(st->entry, st->level, st->va);
	st->prot = fmt_leaf_prot(st->entry, st->level);
	return true;
}

/*
 * Make `table_pa` the table of `level` in trusted memory (no pointer can be corrupt);
 * `host` is m->bytes - m->base, the host address of physical address 0.
 */
W_INLINE uint8_t *w_enter_trusted(struct mm_walk_state *st, const struct pt_mem *m, int level,
				  uint64_t table_pa, uintptr_t host)
{
	uint8_t *t = (uint8_t *)(host + (uintptr_t)table_pa);

	(void)m;
	W_CHECK_TRUSTED(m, level, table_pa, t);
	W_CHECK_NO_LOOP(st, level, t);
	st->path[level].table = t;
	return t;
}

static inline uintptr_t w_host(const struct pt_mem *m)
{
	return (uintptr_t)m->bytes - (uintptr_t)m->base;
}

/*
 * Make `table_pa` (in m) the table of `level`: its host pointer, or NULL (st->err) for a
 * pointer outside memory or back up the path.
 */
W_INLINE uint8_t *w_enter_m(struct mm_walk_state *st, const struct pt_mem *m, int level,
			    uint64_t table_pa)
{
	uint8_t *t;

	if (m->trusted) /* ptkit built every table in m */
		return w_enter_trusted(st, m, level, table_pa, w_host(m));
	t = w_table(m, table_pa, level);
	if (!t) {
		st->err = -PT_EFAULT;
		return 0;
	}
	for (int k = level + 1; k <= W_TOP; k++) {
		if (st->path[k].table == t) {
			st->err = -PT_ELOOP;
			return 0;
		}
	}
	st->path[level].table = t;
	return t;
}

static inline bool w_enter(struct mm_walk_state *st, int level, uint64_t table_pa)
{
	return w_enter_m(st, st->mm->mem, level, table_pa) != 0;
}

/*
 * The seek's descent: from the level-L table on the path, read the entry mapping va and
 * follow table entries down, with the table, entry and kind in registers; each level's
 * path slot is written as it is walked, the rest of the state once, where it stops.
 */
W_INLINE bool w_descend_c(struct mm_walk_state *st, const int L, uint64_t va, const bool plain)
{
	struct pt_mem *m = st->mm->mem;
	void (*observe)(struct pt_mem *, uint64_t) = plain ? 0 : m->observe;
	const uintptr_t host = plain ? w_host(m) : 0;
	uint8_t *t = st->path[L].table, *p = 0;
	uint64_t e = 0;
	int kind = PT_ENTRY_EMPTY, l;
	const char *why = 0;

#pragma GCC unroll 6
	for (l = L; l >= 0; l--) {
		struct mm_walk_level *pl = &st->path[l];
		uint32_t idx = w_index(va, l);

		p = t + (size_t)idx * 8;
		if (observe)
			observe(m, w_pa_of(m, p));
		e = fmt_load(p);
		kind = fmt_kind(e, l, &why);
		if (kind == PT_ENTRY_LEAF) { /* l is a constant here: the leaf's facts fold */
			st->level = l;
			st->entry = e;
			st->ptep = p;
			st->kind = kind;
			st->pa = w_leaf_pa(e, l, va);
			st->prot = MM_WALK_PROT_LAZY;
			return true;
		}
		if (kind != PT_ENTRY_TABLE || l == 0)
			break;
		pl->entry = e; /* the stop's own slot keeps only its table (struct mm_walk_state) */
		if (plain) {   /* trusted memory, unobserved: no pointer check, no hook */
			t = w_enter_trusted(st, m, l - 1, fmt_table_pa(e, l), host);
			continue;
		}
		t = w_enter_m(st, m, l - 1, fmt_table_pa(e, l));
		if (!t)
			break; /* st->err: the state stands on the table entry */
	}
	st->level = l;
	st->entry = e;
	st->ptep = p;
	st->kind = kind;
	st->pa = 0; /* a leaf returned in the loop */
	if (kind == PT_ENTRY_BAD)
		st->err = -PT_EBADENT;
	return false;
}

/*
 * The level from which a seek of va descends: the deepest retained table whose span also
 * covers va (a chain of constant compares on va ^ old, but not below the level the last
 * walk reached) when the state's path is current (its generation is mm's: the same tree,
 * unchanged), else the root (and the state is made st's for mm and the half).
 */
W_INLINE int w_retained_level(struct mm_walk_state *st, struct pt_mm *mm, uint64_t va, uint64_t old,
			      int half, uint64_t gen)
{
	int l = W_TOP;

	if (st->gen == gen && st->half == half && (unsigned)st->level < W_TOP) {
		uint64_t diff = va ^ old;

#pragma GCC unroll 6
		for (int k = 0; k < W_TOP; k++) {
			if (!(diff >> (fmt_shift(k) + fmt_index_bits(k)))) {
				l = k;
				break;
			}
		}
		if (l < st->level)
			l = st->level;
	} else {
		st->mm = mm;
		st->fmt = mm->fmt;
		st->half = half;
	}
	return l;
}

/*
 * The seek in memory ptkit built (trusted) with reads not observed and a canonical va:
 * no pointer checks, no hooks, nothing else to keep live, so it stays a small function
 * (no callee-saved registers on x86_64).
 */
static __attribute__((noinline)) bool w_seek_plain(struct mm_walk_state *st, struct pt_mm *mm,
						   uint64_t va)
{
	uint64_t old = st->va;
	int half = FMT_TWO_ROOTS ? fmt_va_half(va) : 0;
	uint64_t gen = __atomic_load_n(&mm->gen, __ATOMIC_RELAXED);
	int l;

	st->va = va;
	st->err = 0;
	st->fast_last = 0;
	l = w_retained_level(st, mm, va, old, half, gen);
	if (l == W_TOP)
		w_enter_trusted(st, mm->mem, W_TOP, mm->root[half], w_host(mm->mem));
	st->gen = gen;
#define W_SEEK_CASE(K, L)                                                                          \
	case K:                                                                                    \
		if (w_descend_c(st, L, va, true))                                                  \
			return true;                                                               \
		break;
	W_LEVEL_SWITCH(l, W_SEEK_CASE)
#undef W_SEEK_CASE
	if (st->err) /* a reserved encoding ptkit never writes, written by someone else */
		st->gen = 0;
	return false;
}

static __attribute__((noinline)) bool w_seek_slow(struct mm_walk_state *st, struct pt_mm *mm,
						  uint64_t va)
{
	uint64_t old = st->va;
	int half = FMT_TWO_ROOTS ? fmt_va_half(va) : 0;
	int l = W_TOP;

	st->va = va;
	st->err = 0;
	st->fast_last = 0;
	if (!fmt_va_valid(va)) {
		st->mm = mm;
		st->fmt = mm->fmt;
		st->gen = 0;
		st->level = W_TOP;
		st->kind = PT_ENTRY_EMPTY;
		st->entry = 0;
		st->pa = 0;
		st->ptep = 0;
		st->err = -PT_ERANGE;
		return false;
	}
	uint64_t gen = __atomic_load_n(&mm->gen, __ATOMIC_RELAXED);

	l = w_retained_level(st, mm, va, old, half, gen);
	if (l == W_TOP) {
		if (!w_enter(st, W_TOP, mm->root[half])) {
			st->gen = 0;
			st->level = W_TOP;
			st->kind = PT_ENTRY_EMPTY;
			st->pa = 0;
			return false;
		}
	}
	st->gen = gen;
	bool leaf;
#define W_SEEK_CASE(K, L)                                                                          \
	case K:                                                                                    \
		leaf = w_descend_c(st, L, va, false);                                              \
		break;
	W_LEVEL_SWITCH(l, W_SEEK_CASE)
#undef W_SEEK_CASE
	if (st->err)
		st->gen = 0;
	return leaf;
}

/* The general seek: the plain one when memory and va allow it, else the checked one. */
static inline bool w_seek_far(struct mm_walk_state *st, struct pt_mm *mm, uint64_t va)
{
	const struct pt_mem *m = mm->mem;

	if (m->trusted && !m->observe && fmt_va_valid(va))
		return w_seek_plain(st, mm, va);
	return w_seek_slow(st, mm, va);
}

/*
 * The re-seek of an address close to the leaf the state stands on (within the span of a
 * lowest-level table, so in the same table at the leaf's level), nothing changed
 * (mm->gen), reads not observed: one entry read, no decode when its attributes are the
 * leaf's (for a group member, also the OA bits its group encoding fixes). Anything else
 * (far away, other attributes, the OA not in place, an observed read) is the general
 * seek's; the first test is the distance, so a far seek pays one compare.
 */
W_INLINE bool w_seek_near_c(struct mm_walk_state *st, struct pt_mm *mm, const int L, uint64_t va)
{
	struct mm_walk_level *pl = &st->path[L];
	const uint64_t oa = FMT_LEAF_OA_MASK_C(L);
	const uint32_t idx = w_index(va, L);
	uint8_t *p;
	uint64_t e;

	if (!oa || mm->mem->observe)
		return w_seek_slow(st, mm, va);
	p = pl->table + (size_t)idx * 8;
	e = fmt_load(p);
	/*
	 * The attributes decide the kind (FMT_LEAF_OA_MASK_C), and for a group member the OA
	 * bits its group encoding fixes: the same as the leaf's, a leaf.
	 */
	if ((e ^ st->entry) & (~oa | FMT_LEAF_GROUP_FIXED(st->entry, L)))
		return w_seek_far(st, mm, va);
	W_CHECK_NEAR_LEAF(e, L);
	st->va = va;
	st->entry = e;
	st->ptep = p;
	st->err = 0;
	st->fast_last = 0;
	st->pa = w_leaf_pa(e, L, va);
	st->prot = MM_WALK_PROT_LAZY;
	return true;
}

static bool w_seek(struct mm_walk_state *st, struct pt_mm *mm, uint64_t va)
{
	/* Generations never repeat across trees: the same one is the same tree (struct pt_mm). */
	if (((va ^ st->va) >> (fmt_shift(0) + fmt_index_bits(0))) || st->kind != PT_ENTRY_LEAF ||
	    st->gen != __atomic_load_n(&mm->gen, __ATOMIC_RELAXED))
		return w_seek_far(st, mm, va);
#define W_NEAR_CASE(K, L)                                                                          \
	case K:                                                                                    \
		return w_seek_near_c(st, mm, L, va);
	if ((unsigned)st->level >= FMT_LEVELS)
		return w_seek_slow(st, mm, va);
	W_LEVEL_SWITCH(st->level, W_NEAR_CASE)
#undef W_NEAR_CASE
}

/*
 * Step to the entry after the current one in address order, at the same level or, when
 * the table ends, at the first level above that has a next entry. False past `last`.
 */
static inline bool w_advance(struct mm_walk_state *st, uint64_t last)
{
	int l = st->level;
	uint64_t va = (st->va & ~(w_span(l) - 1)) + w_span(l);
	uint32_t idx = w_index(st->va, l) + 1;

	while (idx >> fmt_index_bits(l)) {
		if (l == W_TOP)
			return false;
		l++;
		idx = w_index(st->va, l) + 1;
	}
	if (va == 0 || va > last)
		return false;
	st->va = va;
	w_read(st, l, idx);
	return !st->err;
}

enum { W_FOUND, W_END, W_UP, W_DOWN };

#define W_HOST_BE (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
/* The window's entries are stored in the other byte order (compared as stored, swapped to
 * decode); a plain window needs neither that nor a second OA field (struct mm_walk_state). */
#define W_WIN_SWAP (FMT_BIG_ENDIAN != W_HOST_BE)
#define W_WIN_PLAIN (!W_WIN_SWAP && !FMT_LEAF_OA_HI)

/* The format's kind of window and its decode, for the inline steps (<ptkit/walk.h>). */
static const struct mm_walk_wfmt_ w_wfmt = {
	.ext = !W_WIN_PLAIN,
	.swap = W_WIN_SWAP,
	.hi_shl = FMT_LEAF_OA_HI_SHL,
	.hi = FMT_LEAF_OA_HI,
};

/* v (host order) as the table stores it. */
static inline uint64_t w_stored(uint64_t v)
{
	return W_WIN_SWAP ? __builtin_bswap64(v) : v;
}

/* The window's decode of a plain level-L leaf e (host order): its output address. */
static inline uint64_t w_window_pa(uint64_t e, int L)
{
	uint64_t lo = (e & FMT_LEAF_OA_LO_C(L)) << FMT_LEAF_OA_SHL;

	return lo | (e & FMT_LEAF_OA_HI) << FMT_LEAF_OA_HI_SHL;
}

/*
 * The iteration stands on leaf idx (first address va) of the level-L table t: open the
 * window mm_walk_next_leaf steps through inline (see struct mm_walk_state), unless the
 * format's OA has no two-field form at L, reads are observed, or the leaf is a group
 * member (its PA is not its own entry's).
 */
W_INLINE void w_window(struct mm_walk_state *st, const int L, uint8_t *t, uint32_t idx, uint64_t va,
		       uint64_t last, uint64_t end, bool observed)
{
	const uint32_t n = 1u << fmt_index_bits(L);
	const uint64_t oa = FMT_LEAF_OA_LO_C(L);
	uint64_t left = (last - va) >> fmt_shift(L); /* entries after idx starting <= last */

	if (!oa || observed || (st->prot & PT_CONTIG)) {
		st->fast_last = 0;
		return;
	}
	if (left > n - 1 - idx)
		left = n - 1 - idx;
	if (W_WIN_PLAIN) {
		st->fast_last = t + (size_t)(idx + left) * 8;
		st->fast_xlast = 0;
	} else {
		st->fast_last = t + (size_t)idx * 8;
		st->fast_xlast = t + (size_t)(idx + left) * 8;
	}
	st->fast_end = end;
	st->fast_span = w_span(L);
	st->fast_ref = w_stored(st->entry);
	st->fast_valid = w_stored(FMT_VALID_MASK);
	st->fast_oa_mask = oa;
	st->fast_attr_mask = w_stored(~(oa | FMT_LEAF_OA_HI));
	st->fast_oa_shl = FMT_LEAF_OA_SHL;
	W_CHECK_WINDOW(st, L);
}

/*
 * The same-table fast path of an iteration: scan the level-L table from entry *idx (first
 * address *va) for the next non-empty entry starting at or below last, with the table
 * pointer, index and address in registers and the state written once, when something is
 * found. W_FOUND: a leaf (the state stands on it); W_END: past last, or the image is
 * corrupt (st->err); W_DOWN: a table, entered (*idx = 0 in it); W_UP: the table ended.
 */
W_INLINE int w_scan(struct mm_walk_state *st, const int L, uint32_t *pidx, uint64_t *pva,
		    uint64_t last, uint64_t end)
{
	struct mm_walk_level *pl = &st->path[L];
	struct pt_mem *m = st->mm->mem;
	void (*observe)(struct pt_mem *, uint64_t) = m->observe;
	uint8_t *t = pl->table;
	const uint32_t n = 1u << fmt_index_bits(L);
	uint32_t idx = *pidx;
	uint64_t va = *pva;

	for (; idx < n; idx++, va += w_span(L)) {
		uint8_t *p = t + (size_t)idx * 8;
		const char *why = 0;
		uint64_t e;
		int kind;

		if (va > last)
			return W_END;
		if (observe)
			observe(m, w_pa_of(m, p));
		e = fmt_load(p);
		kind = fmt_kind(e, L, &why);
		if (kind == PT_ENTRY_EMPTY || (L == 0 && kind == PT_ENTRY_TABLE))
			continue;
		pl->entry = e;
		st->level = L;
		st->entry = e;
		st->ptep = p;
		st->kind = kind;
		st->va = va;
		if (kind == PT_ENTRY_LEAF) {
			w_at_leaf(st);
			w_window(st, L, t, idx, va, last, end, observe != 0);
			return W_FOUND;
		}
		st->pa = 0;
		if (kind == PT_ENTRY_BAD) {
			st->err = -PT_EBADENT;
			return W_END;
		}
		if (!w_enter(st, L - 1, fmt_table_pa(e, L)))
			return W_END;
		*pidx = 0;
		*pva = va;
		return W_DOWN;
	}
	*pidx = idx;
	*pva = va;
	return W_UP;
}

/* From entry idx (address va) of the level-l table on the path: the next leaf <= last. */
static bool w_scan_from(struct mm_walk_state *st, int l, uint32_t idx, uint64_t va, uint64_t last,
			uint64_t end)
{
	for (;;) {
		int r;

		while (idx >> fmt_index_bits(l)) { /* the table ended: the next entry above */
			if (l == W_TOP)
				return false;
			l++;
			idx = w_index(st->va, l) + 1; /* st->va: the entry the path holds */
		}
#define W_SCAN_CASE(K, L)                                                                          \
	case K:                                                                                    \
		r = w_scan(st, L, &idx, &va, last, end);                                           \
		break;
		W_LEVEL_SWITCH(l, W_SCAN_CASE)
#undef W_SCAN_CASE
		if (r == W_FOUND)
			return true;
		if (r == W_END)
			return false;
		if (r == W_DOWN)
			l--;
	}
}

/*
 * After a callback changed the tables (mm->gen moved), a walk goes on strictly after what
 * it already reported, whatever the tables hold there now: the end of the entry it stands
 * on (a leaf or a hole; a huge leaf split since then is not reported again in pieces), or
 * with MM_WALK_SKIP the end of that entry's table as it was. 0 when that wraps.
 */
static inline uint64_t w_after(const struct mm_walk_state *st)
{
	if ((unsigned)st->level >= FMT_LEVELS) /* no position: start again where it is */
		return st->va;
	return (st->va | (w_span(st->level) - 1)) + 1;
}
static inline uint64_t w_after_table(const struct mm_walk_state *st)
{
	if ((unsigned)st->level >= W_TOP) /* the root table: the rest of the entry */
		return w_after(st);
	return (st->va | (w_span(st->level + 1) - 1)) + 1;
}

/*
 * Iteration (for_each_pt_leaf, walk_page_range with a leaf callback only) after the tables
 * changed: seek `next` afresh from the root. W_FOUND: a leaf holds it (st->va is next, also
 * when the leaf, a collapsed one say, starts before it); W_END: nothing left, or the image
 * is corrupt (st->err); W_UP: the state stands on the empty entry that holds next, the scan
 * goes on after it. Only taken when mm->gen moved, so it stays out of line.
 */
static __attribute__((noinline, cold)) int w_resume(struct mm_walk_state *st, uint64_t next,
						    uint64_t last)
{
	if (next == 0 || next > last)
		return W_END;
	if (w_seek(st, st->mm, next)) {
		st->prot = fmt_leaf_prot(st->entry, st->level);
		return W_FOUND;
	}
	return st->err ? W_END : W_UP;
}

static bool w_next_scan(struct mm_walk_state *st, uint64_t end)
{
	uint64_t last = end - 1;
	uint64_t half_last = w_half_last(st->va);
	int l;

	if (end == 0 || last > half_last)
		last = half_last;
	st->fast_last = 0;
	if (st->gen != __atomic_load_n(&st->mm->gen, __ATOMIC_RELAXED)) {
		int r = w_resume(st, w_after(st), last);

		if (r != W_UP)
			return r == W_FOUND;
	}
	if (st->err)
		return false;
	l = st->level;
	/* The entry the state stands on holds st->va. */
	return w_scan_from(st, l, w_index(st->va, l) + 1, (st->va & ~(w_span(l) - 1)) + w_span(l),
			   last, end);
}

/*
 * The format's next_leaf (struct pt_format), the run-time API's slow path: it also steps
 * the extended windows the run-time inline steps leave to it, with the format's decode.
 */
static bool w_next_leaf(struct mm_walk_state *st, uint64_t end)
{
	if (W_WIN_PLAIN)
		return w_next_scan(st, end);
	return mm_walk_next_leaf_(st, end, w_next_scan, &w_wfmt);
}

/* The lowest level whose table spans both a and b (W_TOP: only the root does). */
static inline int w_meet(uint64_t a, uint64_t b)
{
	for (int k = 0; k < W_TOP; k++)
		if (!((a ^ b) >> (fmt_shift(k) + fmt_index_bits(k))))
			return k;
	return W_TOP;
}

/*
 * The range walk after the tables changed: stand on the entry that holds va, read afresh
 * from the root, going no lower than level `stop`. The tables above `stop` on the way are
 * the ones table_entry already saw (they span what was reported), so it is not called for
 * them again; the entry where this stops is handled by the walk as any other (table_entry
 * for a table, leaf_entry with st->va == va for a leaf that starts before va, a hole from
 * va). Only taken when mm->gen moved. False: the image is corrupt (st->err).
 */
static __attribute__((noinline, cold)) bool w_relocate(struct mm_walk_state *st, uint64_t va,
						       int stop)
{
	struct pt_mm *mm = st->mm;

	st->va = va;
	st->fast_last = 0;
	st->gen = __atomic_load_n(&mm->gen, __ATOMIC_RELAXED);
	if (!w_enter_m(st, mm->mem, W_TOP, mm->root[st->half]))
		return false;
	for (int l = W_TOP;; l--) {
		w_read(st, l, w_index(va, l));
		if (st->err || l <= stop || l == 0 || st->kind != PT_ENTRY_TABLE)
			return !st->err;
		if (!w_enter_m(st, mm->mem, l - 1, fmt_table_pa(st->entry, l)))
			return false;
	}
}

/*
 * The range walk after a callback changed the tables: go on at `next` (0: past the end of
 * the address space), on the entry of the lowest table that also spans what was reported.
 * False: the walk is over (past last, or st->err).
 */
static __attribute__((noinline, cold)) bool w_walk_on(struct mm_walk_state *st, uint64_t next,
						      uint64_t last)
{
	if (next == 0 || next > last)
		return false;
	return w_relocate(st, next, w_meet(st->va, next));
}

/*
 * walk_page_range when only leaves are wanted: the iteration's same-table scan, one
 * callback per leaf (a function of its own, so the range walk around it does not move
 * its loop).
 */
static __attribute__((noinline)) int w_walk_leaves(struct mm_walk_state *st, uint64_t start,
						   uint64_t end, const struct mm_walk_ops *ops,
						   void *priv)
{
	struct pt_mm *mm = st->mm;
	bool more = w_seek(st, mm, start);

	if (!more && !st->err)
		more = w_next_scan(st, end);
	while (more) {
		int r = ops->leaf_entry ? ops->leaf_entry(st, priv) : MM_WALK_CONTINUE;

		if (r < 0)
			return r;
		if (r == MM_WALK_STOP)
			return 0;
		if (r == MM_WALK_SKIP) {
			st->fast_last = 0;
			if (st->gen != __atomic_load_n(&mm->gen, __ATOMIC_RELAXED)) {
				/*
				 * The callback changed the tables (the leaf and its table may be
				 * gone): stand on the last address of the leaf's table as it was,
				 * w_next_scan goes on after it.
				 */
				st->va = w_after_table(st) - 1;
			} else if (st->level < W_TOP) {
				/* Stand on the table's last entry: the next step leaves it. */
				uint32_t n = 1u << fmt_index_bits(st->level);
				st->va = (st->va & ~(w_span(st->level + 1) - 1)) +
					 (uint64_t)(n - 1) * w_span(st->level);
			}
		}
		more = mm_walk_next_leaf_(st, end, w_next_scan, &w_wfmt);
	}
	return st->err;
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
	mm_walk_init(&st, mm);
	if (!ops->hole && !ops->table_entry) {
		return w_walk_leaves(&st, start, end, ops, priv);
	}
	/* Start at the root entry, so table_entry sees every table on the way to start. */
	st.va = start;
	st.half = FMT_TWO_ROOTS ? fmt_va_half(start) : 0;
	if (!w_enter(&st, W_TOP, mm->root[st.half]))
		return st.err;
	st.gen = __atomic_load_n(&mm->gen, __ATOMIC_RELAXED);
	w_read(&st, W_TOP, w_index(start, W_TOP));
	while (!st.err) {
		int l = st.level, r;

		if (st.kind == PT_ENTRY_TABLE) {
			r = MM_WALK_CONTINUE;
			if (ops->table_entry) {
				r = ops->table_entry(&st, priv);
				if (r < 0)
					return r;
				if (r == MM_WALK_STOP)
					return 0;
				if (st.gen != __atomic_load_n(&mm->gen, __ATOMIC_RELAXED)) {
					/*
					 * The callback changed the tables: the entry may point
					 * elsewhere now (or at a freed table). Read it again, and
					 * below it (CONTINUE) or go on after it (SKIP).
					 */
					if (r == MM_WALK_SKIP ? !w_walk_on(&st, w_after(&st), last)
							      : !w_relocate(&st, st.va, l - 1))
						break;
					continue;
				}
			}
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
			if (st.gen != __atomic_load_n(&mm->gen, __ATOMIC_RELAXED)) {
				/*
				 * The callback changed the tables: go on strictly after what was
				 * reported (or after the leaf's table as it was, for SKIP), in
				 * whatever the tables hold there now: the rest of an entry that
				 * became empty is a hole, the rest of a leaf that grew over it is
				 * reported from there, a split leaf is not reported again.
				 */
				if (!w_walk_on(&st,
					       r == MM_WALK_SKIP ? w_after_table(&st) : elast + 1,
					       last))
					break;
				continue;
			}
			if (r == MM_WALK_SKIP && st.level < W_TOP) {
				/* Stand on the last entry of this table, so the next step leaves
				 * it. */
				uint32_t n = 1u << fmt_index_bits(st.level);
				st.va = (st.va & ~(w_span(st.level + 1) - 1)) +
					(uint64_t)(n - 1) * w_span(st.level);
			}
		}
		if (!w_advance(&st, last))
			break;
	}
	return st.err;
}

#endif
