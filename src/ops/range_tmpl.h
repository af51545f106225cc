/* SPDX-License-Identifier: MIT */
/*
 * The one loop behind map, unmap and protect, compiled once per format.
 *
 * Every mutation runs it twice: a dry pass that validates the whole request and counts
 * the tables it needs per level without writing anything, then (once those tables are
 * allocated) a commit pass that cannot fail. So a failing call leaves the tree as it was.
 * New tables are filled before they are linked, so a lockless reader sees either the old
 * entry or a complete new subtree.
 */
#ifndef PTKIT_RANGE_TMPL_H
#define PTKIT_RANGE_TMPL_H

#include <ptkit/ops.h>

#include "ops/table_alloc.h"
#include "walk/walk_tmpl.h"

enum r_op { R_MAP, R_UNMAP, R_PROTECT };

#define R_NO_TABLE (~0ull)

struct r_ctx {
	struct pt_mm *mm;
	struct pt_gather *g;
	enum r_op op;
	bool dry;
	int err;
	uint64_t err_va;
	uint64_t pa_off; /* map: pa - va */
	uint32_t prot, pkey;
	uint64_t page_sizes;
	/* mem->store (instrumentation), read once per operation */
	void (*store)(struct pt_mem *mem, uint64_t pa, uint64_t e);
	uint64_t need[PT_MAX_LEVELS]; /* dry pass: tables to allocate per level */
	uint64_t pool[PT_MAX_LEVELS]; /* allocated tables, linked through their first word */
};

static inline void r_fail(struct r_ctx *c, int err, uint64_t va)
{
	c->err = err;
	c->err_va = va;
}

/* Owe a flush of [first, last], where leaves of level changed. */
W_INLINE void r_flush_range(struct r_ctx *c, uint64_t first, uint64_t last, int level)
{
	pt_gather_range(c->g, first, last, PT_GATHER_LEAF(level));
}

/*
 * Tell the store hook about n entries from p about to become e, e + step, ... (each at
 * its own address) before they are stored with plain fmt_store: the unrolled store loops
 * stay free of branches and calls.
 */
static inline void r_hook_n(void (*hook)(struct pt_mem *, uint64_t, uint64_t), struct pt_mem *m,
			    const uint8_t *p, int n, uint64_t e, uint64_t step, uint64_t keep)
{
#pragma GCC unroll 1
	for (int i = 0; i < n; i++, e += step)
		hook(m, m->base + (uint64_t)(p + (size_t)i * 8 - m->bytes),
		     (fmt_load(p + (size_t)i * 8) & keep) | e);
}

/* Store entry e at p, telling the store hook first (see struct pt_mem) when there is one. */
W_INLINE void r_store_h(void (*hook)(struct pt_mem *, uint64_t, uint64_t), struct pt_mem *m,
			uint8_t *p, uint64_t e)
{
	if (hook)
		hook(m, m->base + (uint64_t)(p - m->bytes), e);
	fmt_store(p, e);
}

W_INLINE void r_store(const struct r_ctx *c, uint8_t *p, uint64_t e)
{
	r_store_h(c->store, c->mm->mem, p, e);
}

/* x in the format's byte order, as a host word (and back). */
#define R_RAW(x) (FMT_BIG_ENDIAN != W_HOST_BE ? __builtin_bswap64(x) : (x))

/*
 * Live leaves change by exchange or compare-and-swap, never by a load and a plain store:
 * an MMU with hardware accessed / dirty management may set those bits in between (x86 A/D,
 * arm64 AF and DBM's AP[2], RISC-V Svadu, Power R/C), and what it set must not be lost
 * (Linux: ptep_get_and_clear, ptep_modify_prot_start / commit, pmdp_invalidate). The
 * store hook is told before every attempt.
 */

/* The entry at p becomes e; returns what it held last. */
W_INLINE uint64_t r_xchg(const struct r_ctx *c, uint8_t *p, uint64_t e)
{
	struct pt_mem *m = c->mm->mem;

	if (c->store)
		c->store(m, m->base + (uint64_t)(p - m->bytes), e);
	return R_RAW(__atomic_exchange_n((uint64_t *)(void *)p, R_RAW(e), __ATOMIC_ACQ_REL));
}

/* The entry at p becomes e if it still holds *old; if not, *old is what it holds now. */
W_INLINE bool r_cas_h(void (*hook)(struct pt_mem *, uint64_t, uint64_t), struct pt_mem *m,
		      uint8_t *p, uint64_t *old, uint64_t e)
{
	uint64_t raw = R_RAW(*old);

	if (hook)
		hook(m, m->base + (uint64_t)(p - m->bytes), e);
	if (__atomic_compare_exchange_n((uint64_t *)(void *)p, &raw, R_RAW(e), false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return true;
	*old = R_RAW(raw);
	return false;
}

W_INLINE bool r_cas(const struct r_ctx *c, uint8_t *p, uint64_t *old, uint64_t e)
{
	return r_cas_h(c->store, c->mm->mem, p, old, e);
}

/* Entry idx of a table; a NULL table is one the dry pass imagines: empty, or split from src. */
W_INLINE uint64_t r_entry(const uint8_t *table, uint64_t src, int level, uint32_t idx)
{
	if (table)
		return fmt_load(table + (size_t)idx * 8);
	return src ? fmt_split_leaf(src, level + 1, idx) : 0;
}

/* A new table for `level`: counted in the dry pass, taken from the pool in the commit. */
static inline uint8_t *r_new_table(struct r_ctx *c, int level, uint64_t *pa)
{
	uint8_t *t;
	if (level < 0) { /* unreachable (level 0 entries are never split or given a table) */
		*pa = R_NO_TABLE;
		c->err = -PT_EINVAL;
		return 0;
	}
	if (c->dry) {
		c->need[level]++;
		*pa = R_NO_TABLE;
		return 0;
	}
	*pa = c->pool[level];
	t = w_table(c->mm->mem, *pa, level);
	c->pool[level] = pt_load_raw64(t);
	pt_store_raw64(t, 0);
	c->g->tables_alloced++;
	return t;
}

static inline bool r_table_empty(const uint8_t *t, int level)
{
	uint32_t n = 1u << fmt_index_bits(level);
	for (uint32_t i = 0; i < n; i++) {
		const char *why = 0;
		if (fmt_kind(fmt_load(t + (size_t)i * 8), level, &why) != PT_ENTRY_EMPTY)
			return false;
	}
	return true;
}

static void r_level(struct r_ctx *c, int level, uint8_t *table, uint64_t src, uint64_t va,
		    uint64_t last);

/* Recurse into the existing table that entry e (at level) points to. */
static inline uint8_t *r_child(struct r_ctx *c, uint64_t e, int level, uint64_t va, uint64_t last,
			       uint64_t *child_pa)
{
	uint8_t *child;
	*child_pa = fmt_table_pa(e, level);
	child = w_table(c->mm->mem, *child_pa, level - 1);
	if (!child) {
		r_fail(c, -PT_EFAULT, va);
		return 0;
	}
	r_level(c, level - 1, child, 0, va, last);
	return child;
}

#ifndef FMT_BBM
#define FMT_BBM 0
#endif
#ifndef FMT_BBM_ATTR_MASK
#define FMT_BBM_ATTR_MASK 0ull
#endif
#ifndef FMT_BBM_CLEAR_MASK
#define FMT_BBM_CLEAR_MASK 0ull
#endif
#ifndef FMT_BBM_GROUP_MASK
#define FMT_BBM_GROUP_MASK 0ull
#endif
#ifndef FMT_SPLIT_FLUSH
#define FMT_SPLIT_FLUSH 0
#endif
#define R_MAX_GROUP 128 /* largest contiguous group of any format (arm64 16K L3) */
/* Some live leaf rewrite of this format may need break-before-make. */
#define R_BBM_LEAF ((FMT_BBM_ATTR_MASK | FMT_BBM_CLEAR_MASK | FMT_BBM_GROUP_MASK) != 0)

/*
 * Whether valid leaf o (at level) may not become valid leaf n with one store, but needs
 * break-before-make (see FMT_BBM_ATTR_MASK in fmt/fmt_common.h). Constant false for the
 * formats that need no break.
 */
W_INLINE bool r_needs_break(uint64_t o, uint64_t n, int level)
{
	uint64_t d = o ^ n;

	return (d & FMT_BBM_ATTR_MASK) || (o & ~n & FMT_BBM_CLEAR_MASK) ||
	       ((d & FMT_BBM_GROUP_MASK) && w_group(o, level) > 1);
}

/*
 * Break-before-make: the leaves (of level) mapping [first, last] were just invalidated;
 * flush them now (why: PT_FLUSH_BREAK, or PT_FLUSH_SPLIT after an x86 split).
 */
static inline void r_break(struct r_ctx *c, uint64_t first, uint64_t last, int level,
			   enum pt_flush_why why)
{
	pt_gather_now(c->g, first, last, why, PT_GATHER_LEAF(level));
}

/* Fill table child (level - 1) with the leaves that together map what leaf e does. */
W_INLINE void r_fill(const struct r_ctx *c, uint8_t *child, uint64_t e, int level)
{
	uint32_t n = 1u << fmt_index_bits(level - 1);

	for (uint32_t i = 0; i < n; i++)
		r_store(c, child + (size_t)i * 8, fmt_split_leaf(e, level, i));
}

/*
 * Replace leaf e (entry idx of table, at level) by a table of smaller leaves with the same
 * attributes, then apply the operation to [va, last] inside it. Where the format needs
 * break-before-make (FMT_BBM), the leaf is exchanged for an invalid entry and flushed
 * first, and the table is built from the leaf as the MMU left it (its accessed / dirty
 * state included), changed, then linked. Elsewhere the table of unchanged leaves replaces
 * the leaf by compare-and-swap (rebuilt if the MMU changed the leaf meanwhile), so the
 * mapping never goes away; the change follows in the linked table, after a flush where the
 * format lets the old leaf and the new table coexist only while they agree
 * (FMT_SPLIT_FLUSH, for a protect).
 */
W_INLINE void r_split(struct r_ctx *c, int level, uint8_t *table, uint32_t idx, uint64_t e,
		      uint64_t va, uint64_t last)
{
	uint64_t child_pa;
	uint8_t *child = r_new_table(c, level - 1, &child_pa);
	uint64_t base = va & ~(w_span(level) - 1), blast = base + w_span(level) - 1;
	uint8_t *p = table ? table + (size_t)idx * 8 : 0;

	if (c->dry) {
		r_level(c, level - 1, child, e, va, last);
		return;
	}
	if (FMT_BBM) {
		e = r_xchg(c, p, 0);
		r_break(c, base, blast, level, PT_FLUSH_BREAK);
		r_fill(c, child, e, level);
		r_level(c, level - 1, child, 0, va, last);
		r_store(c, p, fmt_make_table(child_pa, level));
	} else {
		do
			r_fill(c, child, e, level);
		while (!r_cas(c, p, &e, fmt_make_table(child_pa, level)));
		if (FMT_SPLIT_FLUSH && c->op == R_PROTECT)
			r_break(c, base, blast, level, PT_FLUSH_SPLIT);
		r_level(c, level - 1, child, 0, va, last);
	}
	r_flush_range(c, base, blast, level);
}

static inline bool r_size_ok(const struct r_ctx *c, uint64_t size)
{
	return !c->page_sizes || (c->page_sizes & size);
}

/* Entry i of `table` (level) gets a leaf for va with attributes prot. */
W_INLINE void r_set_leaf(struct r_ctx *c, uint8_t *table, uint32_t i, int level, uint64_t va,
			 uint32_t prot)
{
	r_store(c, table + (size_t)i * 8, fmt_make_leaf(va + c->pa_off, level, prot, c->pkey));
}

/*
 * Map a whole contiguous / NAPOT group starting at entry idx when the format has groups
 * at this level and alignment, length, page_sizes and emptiness allow. Returns the
 * entries written, 0 when no group fits.
 */
W_INLINE uint32_t r_map_group(struct r_ctx *c, int level, uint8_t *table, uint32_t idx, uint64_t va,
			      uint64_t last)
{
	uint32_t n = fmt_contig(level);
	uint64_t gsize = w_span(level) * n;

	if (n == 1 || idx % n || last - va < gsize - 1 || ((va + c->pa_off) & (gsize - 1)) ||
	    !r_size_ok(c, gsize))
		return 0;
	for (uint32_t i = 0; table && i < n; i++) {
		const char *why = 0;
		if (fmt_kind(fmt_load(table + (size_t)(idx + i) * 8), level, &why) !=
		    PT_ENTRY_EMPTY)
			return 0;
	}
	for (uint32_t i = 0; !c->dry && i < n; i++)
		r_set_leaf(c, table, idx + i, level, va + i * w_span(level), c->prot | PT_CONTIG);
	return n;
}

W_INLINE uint32_t r_map_entry(struct r_ctx *c, int level, uint8_t *table, uint32_t idx, uint64_t e,
			      int kind, uint64_t va, uint64_t last, uint64_t op_last, bool full)
{
	uint64_t child_pa;
	uint8_t *child;
	uint32_t n;

	if (kind == PT_ENTRY_LEAF || kind == PT_ENTRY_BAD) {
		r_fail(c, kind == PT_ENTRY_BAD ? -PT_EBADENT : -PT_EEXIST, va);
		return 1;
	}
	if (kind == PT_ENTRY_EMPTY && full && fmt_leaf_ok(level) &&
	    !((va + c->pa_off) & (w_span(level) - 1))) {
		n = r_map_group(c, level, table, idx, va, op_last);
		if (n)
			return n;
		if (r_size_ok(c, w_span(level))) {
			if (!c->dry)
				r_set_leaf(c, table, idx, level, va, c->prot);
			return 1;
		}
	}
	if (level == 0) {
		r_fail(c, -PT_EINVAL, va); /* no allowed page size fits */
		return 1;
	}
	if (kind == PT_ENTRY_TABLE) {
		r_child(c, e, level, va, last, &child_pa);
		return 1;
	}
	child = r_new_table(c, level - 1, &child_pa);
	r_level(c, level - 1, child, 0, va, last);
	if (!c->dry)
		r_store(c, table + (size_t)idx * 8, fmt_make_table(child_pa, level));
	return 1;
}

/* The attributes protect keeps: state bits, the PFN-map mark and group membership. */
#define R_KEEP (PT_YOUNG | PT_DIRTY | PT_SPECIAL | PT_CONTIG)

#ifndef FMT_LEAF_KEEP
#ifndef FMT_SW_CLEAN
#define FMT_SW_CLEAN 0ull
#endif
/*
 * ne, which fmt_make_leaf just made to replace leaf old, with the young / dirty state of
 * old that encoding alone cannot say (an old leaf; a clean writable one): young always,
 * dirty while the leaf stays writable. A clean writable leaf made read-only carries
 * FMT_SW_CLEAN, so made writable again it is clean, not the format's default (dirty).
 */
static inline uint64_t fmt_leaf_keep(uint64_t old, uint64_t ne, int level)
{
	const uint32_t op = fmt_leaf_prot(old, level), np = fmt_leaf_prot(ne, level);
	const bool clean = !(op & PT_DIRTY) && ((op & PT_W) || (old & FMT_SW_CLEAN));
	uint32_t want = (np & PT_DIRTY) | (op & PT_YOUNG);

	if ((np & PT_W) && clean)
		want &= ~(uint32_t)PT_DIRTY;
	if (want != (np & (PT_YOUNG | PT_DIRTY)))
		ne = fmt_leaf_set_ad(ne, level, want);
	return (np & PT_W) || !clean ? ne : ne | FMT_SW_CLEAN;
}
#endif

/* Leaf e (mapping va) with the protection being applied. */
W_INLINE uint64_t r_reprotect(const struct r_ctx *c, uint64_t e, int level, uint64_t va)
{
	return fmt_leaf_keep(e,
			     fmt_make_leaf(w_leaf_pa(e, level, va), level,
					   c->prot | (fmt_leaf_prot(e, level) & R_KEEP),
					   fmt_leaf_pkey(e)),
			     level);
}

/* Entry e of `level` is a member of a group of n entries: a leaf that carries the mark. */
static inline bool r_member(uint64_t e, int level, uint32_t n)
{
	const char *why = 0;
	return fmt_kind(e, level, &why) == PT_ENTRY_LEAF && w_group(e, level) == n;
}

/* Unmap the live leaf at p (mapping va), telling g->unmapped what it held last. */
W_INLINE void r_clear(struct r_ctx *c, uint8_t *p, int level, uint64_t va)
{
	struct pt_gather *g = c->g;
	uint64_t o;

	if (!g->unmapped) { /* nobody asks what it held: the MMU's last update goes with it */
		r_store(c, p, 0);
		return;
	}
	o = r_xchg(c, p, 0);
	g->unmapped(g, va, w_span(level), w_leaf_pa(o, level, va), fmt_leaf_prot(o, level));
}

/*
 * Give the live leaf at p (mapping va, holding cur) the protection being applied, in
 * place: ne is what cur becomes; recomputed from what the MMU left while a
 * compare-and-swap finds the entry changed.
 */
W_INLINE void r_reprotect_at(struct r_ctx *c, uint8_t *p, int level, uint64_t va, uint64_t cur,
			     uint64_t ne)
{
	while (!r_cas(c, p, &cur, ne))
		ne = r_reprotect(c, cur, level, va);
}

/* Group member e (mapping va) as a plain leaf, its other attributes and state kept. */
W_INLINE uint64_t r_ungrouped(uint64_t e, int level, uint64_t va)
{
	return fmt_leaf_keep(e,
			     fmt_make_leaf(w_leaf_pa(e, level, va), level,
					   fmt_leaf_prot(e, level) & ~(uint32_t)PT_CONTIG,
					   fmt_leaf_pkey(e)),
			     level);
}

/*
 * Leaf e at entry idx belongs to a group of n > 1 entries. When [va, op_last] covers the
 * whole group and every entry of it is a member, unmap or protect all of it at once and
 * return n. Otherwise the group can no longer stay one: rewrite its members without the
 * mark and return 0. The entries of its aligned block that are no members (a corrupt or
 * foreign tree: empty, tables, bad entries, leaves without the mark) are left as they are,
 * for the caller to handle one by one.
 */
W_INLINE uint32_t r_group(struct r_ctx *c, int level, uint8_t *table, uint32_t idx, uint32_t n,
			  uint64_t va, uint64_t op_last)
{
	uint64_t span = w_span(level), gsize = span * n;
	uint64_t gbase = va & ~(gsize - 1);
	uint32_t first = idx - (uint32_t)((va - gbase) / span), members = 0;
	uint8_t *g0 = table + (size_t)first * 8;

	for (uint32_t i = 0; i < n; i++)
		members += r_member(fmt_load(g0 + (size_t)i * 8), level, n);
	if (members == n && va == gbase && op_last - va >= gsize - 1) {
		uint64_t ne[R_BBM_LEAF ? R_MAX_GROUP : 1], ol[R_BBM_LEAF ? R_MAX_GROUP : 1];
		bool brk = false;

		if (c->dry)
			return n;
		if (c->op == R_UNMAP) {
			for (uint32_t i = 0; i < n; i++)
				r_clear(c, g0 + (size_t)i * 8, level, gbase + i * span);
			r_flush_range(c, gbase, gbase + gsize - 1, level);
			return n;
		}
		/* Break first when some member may not change in place (FMT_BBM_*_MASK). */
		for (uint32_t i = 0; R_BBM_LEAF && i < n; i++) {
			ol[i] = fmt_load(g0 + (size_t)i * 8);
			ne[i] = r_reprotect(c, ol[i], level, gbase + i * span);
			brk |= r_needs_break(ol[i], ne[i], level);
		}
		if (R_BBM_LEAF && brk) {
			for (uint32_t i = 0; i < n; i++) {
				uint64_t o = r_xchg(c, g0 + (size_t)i * 8, 0);

				if (o != ol[i]) /* the MMU changed its A/D meanwhile */
					ne[i] = r_reprotect(c, o, level, gbase + i * span);
			}
			r_break(c, gbase, gbase + gsize - 1, level, PT_FLUSH_BREAK);
			for (uint32_t i = 0; i < n; i++)
				r_store(c, g0 + (size_t)i * 8, ne[i]);
		} else {
			for (uint32_t i = 0; i < n; i++) {
				uint8_t *p = g0 + (size_t)i * 8;
				uint64_t e = fmt_load(p);

				r_reprotect_at(c, p, level, gbase + i * span, e,
					       r_reprotect(c, e, level, gbase + i * span));
			}
		}
		r_flush_range(c, gbase, gbase + gsize - 1, level);
		return n;
	}
	if (c->dry)
		return 0;
	{
		uint64_t old[FMT_BBM ? R_MAX_GROUP : 1];
		/* Break: every member invalid and flushed before any is rewritten. */
		for (uint32_t i = 0; FMT_BBM && i < n; i++) {
			old[i] = fmt_load(g0 + (size_t)i * 8);
			if (r_member(old[i], level, n))
				old[i] = r_xchg(c, g0 + (size_t)i * 8, 0);
		}
		if (FMT_BBM)
			r_break(c, gbase, gbase + gsize - 1, level, PT_FLUSH_BREAK);
		for (uint32_t i = 0; i < n; i++) {
			uint8_t *p = g0 + (size_t)i * 8;
			uint64_t ei = FMT_BBM ? old[i] : fmt_load(p);
			uint64_t vi = gbase + i * span;

			if (!r_member(ei, level, n))
				continue;
			if (FMT_BBM)
				r_store(c, p, r_ungrouped(ei, level, vi));
			else
				while (!r_cas(c, p, &ei, r_ungrouped(ei, level, vi)))
					;
		}
	}
	r_flush_range(c, gbase, gbase + gsize - 1, level);
	return 0;
}

/*
 * Leaf e at entry idx becomes ne (0: unmapped) over [va, last]: a whole group at once, a
 * partly covered leaf through a split, a fully covered one in place. Returns entries done.
 */
W_INLINE uint32_t r_change_leaf(struct r_ctx *c, int level, uint8_t *table, uint32_t idx,
				uint64_t e, uint64_t ne, uint64_t va, uint64_t last,
				uint64_t op_last, bool full)
{
	uint32_t n = w_group(e, level);

	if (n > 1 && table && (n = r_group(c, level, table, idx, n, va, op_last)))
		return n;
	if (!full) {
		r_split(c, level, table, idx, e, va, last);
	} else if (!c->dry) {
		uint8_t *p = table + (size_t)idx * 8;
		uint64_t cur = fmt_load(p);

		if (!ne) {
			r_clear(c, p, level, va);
		} else {
			if (cur != e) /* ungrouped just now */
				ne = r_reprotect(c, cur, level, va);
			if (r_needs_break(cur, ne, level)) {
				uint64_t o = r_xchg(c, p, 0);

				r_break(c, va, last, level, PT_FLUSH_BREAK);
				r_store(c, p, o == cur ? ne : r_reprotect(c, o, level, va));
			} else {
				r_reprotect_at(c, p, level, va, cur, ne);
			}
		}
		r_flush_range(c, va, last, level);
	}
	return 1;
}

W_INLINE uint32_t r_unmap_entry(struct r_ctx *c, int level, uint8_t *table, uint32_t idx,
				uint64_t e, int kind, uint64_t va, uint64_t last, uint64_t op_last,
				bool full)
{
	uint64_t child_pa;
	uint8_t *child;

	if (kind == PT_ENTRY_EMPTY)
		return 1;
	if (kind == PT_ENTRY_BAD) {
		r_fail(c, -PT_EBADENT, va);
		return 1;
	}
	if (kind == PT_ENTRY_LEAF) {
		if (c->dry && full) /* nothing to check, split or count: the commit clears it */
			return 1;
		return r_change_leaf(c, level, table, idx, e, 0, va, last, op_last, full);
	}
	child = r_child(c, e, level, va, last, &child_pa);
	/* A fully covered child was emptied entry by entry just now: no need to scan it. */
	if (!c->dry && child && (full || r_table_empty(child, level - 1))) {
		r_store(c, table + (size_t)idx * 8, 0);
		pt_gather_range(c->g, va, last, PT_GATHER_TABLE(level));
		pt_gather_free(c->g, child_pa, w_table_bytes(level - 1));
	}
	return 1;
}

W_INLINE uint32_t r_protect_entry(struct r_ctx *c, int level, uint8_t *table, uint32_t idx,
				  uint64_t e, int kind, uint64_t va, uint64_t last,
				  uint64_t op_last, bool full)
{
	uint64_t child_pa, ne;

	if (kind == PT_ENTRY_EMPTY || kind == PT_ENTRY_BAD) {
		r_fail(c, kind == PT_ENTRY_BAD ? -PT_EBADENT : -PT_ENOENT, va);
		return 1;
	}
	if (kind == PT_ENTRY_TABLE) {
		r_child(c, e, level, va, last, &child_pa);
		return 1;
	}
	if (c->dry && full) /* a fully covered leaf cannot fail or need a table */
		return 1;
	ne = r_reprotect(c, e, level, va);
	if (ne == e)
		return 1;
	return r_change_leaf(c, level, table, idx, e, ne, va, last, op_last, full);
}

/*
 * An attribute word (entry & ~FMT_LEAF_OA_MASK_C) no entry has: a bit of the OA field.
 * When the OA is not in place (mask 0), 0, and r_same also asks for a valid bit.
 */
#define R_NO_ATTR(oa) ((oa) & (0 - (oa)))

/* Entry e has the attribute word a of a plain leaf seen before (so: the same kind). */
W_INLINE bool r_same(uint64_t e, uint64_t oa, uint64_t a)
{
	return (e & ~oa) == a && (oa || (e & FMT_VALID_MASK));
}

/* Entries tested at once by the leaf run (an OR of differences, one branch). */
#define R_CHUNK 16

/* Two entries as stored; may alias anything, 8-byte aligned (entries are). */
typedef uint64_t r_v2 __attribute__((vector_size(16), may_alias, aligned(8)));

/*
 * Whether the R_CHUNK entries at p all have attribute word a (oa != 0, a not R_NO_ATTR).
 * Plain, wide loads: writers are serialised (only this thread stores to the tables, the
 * lockless readers only load), so reading without atomics races with nothing.
 */
W_INLINE bool r_chunk_same(const uint8_t *p, uint64_t oa, uint64_t a)
{
	const uint64_t ra = R_RAW(a);
	r_v2 d = { 0, 0 };

#pragma GCC unroll 16
	for (int i = 0; i < R_CHUNK / 2; i++)
		d |= *(const r_v2 *)(const void *)(p + (size_t)i * 16) ^ (r_v2) { ra, ra };
	return !((d[0] | d[1]) & R_RAW(~oa));
}

/* Whether the R_CHUNK entries at p are all empty (no valid bit: see r_chunk_same). */
W_INLINE bool r_chunk_empty(const uint8_t *p)
{
	r_v2 d = { 0, 0 };

#pragma GCC unroll 16
	for (int i = 0; i < R_CHUNK / 2; i++)
		d |= *(const r_v2 *)(const void *)(p + (size_t)i * 16);
	return !((d[0] | d[1]) & R_RAW((uint64_t)FMT_VALID_MASK));
}

/*
 * The common case of one table, in a tight loop: a run of entries each fully covered by
 * [va, last] that the general loop below would handle as single ordinary leaves (map: an
 * empty entry gets a leaf of this level; unmap: a leaf is cleared, an empty entry skipped;
 * protect: a leaf gets the new rights). Per entry, only what differs between entries is
 * computed: map ORs the output address into a leaf template made once per table; unmap
 * and protect decode an entry only when its attributes (everything but the OA bits, see
 * FMT_LEAF_OA_MASK_C) differ from those of the last plain leaf, since the attributes decide
 * the kind, the group membership and, for protect, the new attributes: such leaves are
 * cleared or edited in place, R_CHUNK at a time when the attributes repeat. Stops at the
 * first entry that needs more (a table, a group, a hole for protect, a non-empty entry for
 * map) and leaves it to the general loop. The dry pass only checks (what could fail is a
 * bad entry, and what stops the run). Returns true when it reached `last`.
 */
W_INLINE bool r_leaf_run(struct r_ctx *c, const enum r_op op, const int level, uint8_t *table,
			 uint32_t *pidx, uint64_t *pva, uint64_t last)
{
	const uint64_t span = w_span(level), oa = FMT_LEAF_OA_MASK_C(level);
	const uint32_t n = 1u << fmt_index_bits(level);
	const bool dry = c->dry, ends = (last & (span - 1)) == span - 1;
	const uint64_t va0 = *pva;
	void (*const hook)(struct pt_mem *, uint64_t, uint64_t) = c->store;
	struct pt_mem *const m = c->mm->mem;
	uint32_t idx = *pidx;
	uint64_t tmpl = 0, leaf = R_NO_ATTR(oa), nleaf = 0;
	bool brk = false; /* protect: leaf -> nleaf needs break-before-make */
	/* Fully covered entries from idx on: up to last, within the table. */
	uint64_t full = ((last - va0) >> fmt_shift(level)) + ends, cnt = n - idx, k;
	uint8_t *const p0 = table + (size_t)idx * 8, *p = p0, *end, *first = 0, *flast = 0;

	if (op == R_MAP) {
		if (!r_size_ok(c, span) || (c->pa_off & (span - 1)) ||
		    (fmt_contig(level) > 1 && r_size_ok(c, span * fmt_contig(level))))
			return false;
		tmpl = fmt_make_leaf(0, level, c->prot, c->pkey);
	}
	if (cnt > full)
		cnt = full;
	end = p0 + cnt * 8;
	if (op == R_MAP) {
		const uint64_t out = va0 + c->pa_off, step = span >> FMT_LEAF_OA_SHL;
		uint64_t e = tmpl | ((out >> FMT_LEAF_OA_SHL) & oa);
		/*
		 * The leaves differ only in the OA, one step apart: add the step, when no
		 * entry of the run carries out of the OA field (checked at its last entry).
		 */
		bool add = !(tmpl & oa) && cnt &&
			   (e + (cnt - 1) * step ==
			    (tmpl | (((out + (cnt - 1) * span) >> FMT_LEAF_OA_SHL) & oa)));

		while (add && end - p >= R_CHUNK * 8 && r_chunk_empty(p)) {
			R_CHECK_MAP_CHUNK(c, level, p, e, step,
					  out + (uint64_t)(p - p0) / 8 * span);
			if (!dry) {
				if (hook)
					r_hook_n(hook, m, p, R_CHUNK, e, step, 0);
#pragma GCC unroll 16
				for (int i = 0; i < R_CHUNK; i++, e += step)
					fmt_store(p + (size_t)i * 8, e);
			}
			p += R_CHUNK * 8;
		}
		for (uint64_t o = out + (uint64_t)(p - p0) / 8 * span; p < end; p += 8, o += span) {
			if (fmt_load(p) & FMT_VALID_MASK) /* maybe not empty: the general loop */
				break;
			R_CHECK_MAP(c, level, p, tmpl | ((o >> FMT_LEAF_OA_SHL) & oa), o);
			if (!dry)
				r_store_h(hook, m, p, tmpl | ((o >> FMT_LEAF_OA_SHL) & oa));
		}
		goto out;
	}
	while (p < end) {
		uint8_t *lim = end;

		if (R_BBM_LEAF && brk) {
			/*
			 * The known leaves from p on, all at once: invalid (the other bits kept,
			 * as Linux's pmd_mkinvalid does), one flush, then the new attributes. A
			 * leaf the MMU changed meanwhile ends the run (decoded again below).
			 */
			uint8_t *q = p;

			for (; q < end; q += 8) {
				uint64_t e = fmt_load(q);

				if (!r_same(e, oa, leaf))
					break;
				R_CHECK_LEAF(c, op, level, e, oa, nleaf,
					     va0 + (uint64_t)(q - p0) / 8 * span);
				if (!r_cas_h(hook, m, q, &e, e & ~(uint64_t)FMT_VALID_MASK))
					break;
			}
			if (q != p) {
				r_break(c, va0 + (uint64_t)(p - p0) / 8 * span,
					va0 + (uint64_t)(q - p0) / 8 * span - 1, level,
					PT_FLUSH_BREAK);
				for (; p < q; p += 8)
					r_store_h(hook, m, p, (fmt_load(p) & oa) | nleaf);
				flast = q - 8;
				continue;
			}
		}

		if (oa && end - p >= R_CHUNK * 8) {
			if (leaf != R_NO_ATTR(oa) && r_chunk_same(p, oa, leaf)) {
				R_CHECK_CHUNK(c, op, level, p, oa, nleaf,
					      va0 + (uint64_t)(p - p0) / 8 * span);
				/* R_CHUNK leaves of the known attributes */
				if (!dry && op == R_UNMAP) {
					if (hook)
						r_hook_n(hook, m, p, R_CHUNK, 0, 0, 0);
#pragma GCC unroll 16
					for (int i = 0; i < R_CHUNK; i++, p += 8)
						fmt_store(p, 0);
					flast = p - 8;
				} else if (!dry && nleaf != leaf) {
					/* One compare-and-swap each; a leaf the MMU changed
					 * meanwhile stops the chunk (decoded again below). */
					uint8_t *const c0 = p;

#pragma GCC unroll 16
					for (int i = 0; i < R_CHUNK; i++, p += 8) {
						uint64_t e = fmt_load(p);

						if (!r_cas_h(hook, m, p, &e, (e & oa) | nleaf))
							break;
					}
					if (p != c0)
						flast = p - 8;
				} else {
					p += R_CHUNK * 8;
				}
				continue;
			}
			lim = p + R_CHUNK * 8;
		}
		/* One by one up to lim: decode where the attributes change. */
		for (; p < lim; p += 8) {
			uint64_t e = fmt_load(p);
			const char *why = 0;

			if (r_same(e, oa, leaf)) {
				R_CHECK_LEAF(c, op, level, e, oa, nleaf,
					     va0 + (uint64_t)(p - p0) / 8 * span);
				if (dry || (op == R_PROTECT && nleaf == leaf))
					continue;
				if (R_BBM_LEAF && brk)
					break; /* the run above handles it */
				if (op == R_UNMAP) {
					r_store_h(hook, m, p, 0);
				} else if (!r_cas_h(hook, m, p, &e, (e & oa) | nleaf)) {
					p -= 8; /* the MMU changed it: again, decoded */
					continue;
				}
				flast = p;
				continue;
			}
			if (!(e & FMT_VALID_MASK)) { /* empty */
				R_CHECK_EMPTY(e, level);
				if (op == R_PROTECT)
					goto out;
				continue;
			}
			if (fmt_kind(e, level, &why) != PT_ENTRY_LEAF ||
			    (fmt_contig(level) > 1 && w_group(e, level) > 1))
				goto out;
			leaf = e & ~oa;
			if (op == R_PROTECT && !dry) {
				nleaf = r_reprotect(c, e, level,
						    va0 + (uint64_t)(p - p0) / 8 * span) &
					~oa;
				brk = R_BBM_LEAF && r_needs_break(leaf, nleaf, level);
			}
			/* Every change comes after a decode: the first change is this leaf's. */
			if (!dry && !first && (op == R_UNMAP || nleaf != leaf))
				first = p;
			p -= 8; /* again, now as a known leaf */
		}
	}
out:
	if (first)
		r_flush_range(c, va0 + (uint64_t)(first - p0) / 8 * span,
			      va0 + (uint64_t)(flast - p0) / 8 * span + span - 1, level);
	k = (uint64_t)(p - p0) / 8;
	if (k == full && ends)
		return true; /* va may have wrapped past the top: not used */
	*pidx = idx + (uint32_t)k;
	*pva = va0 + k * span;
	return false;
}

/* One table of the range loop; op and level are compile-time constants (see r_level). */
W_INLINE void r_level_c(struct r_ctx *c, const enum r_op op, const int level, uint8_t *table,
			uint64_t src, uint64_t va, uint64_t last)
{
	uint64_t span = w_span(level);
	uint32_t idx = w_index(va, level);
	/* The leaf run needs entries in place and, for map and protect, the OA in place. */
	const bool run = fmt_leaf_ok(level) &&
			 (op == R_UNMAP ? !c->g->unmapped : FMT_LEAF_OA_MASK_C(level) != 0);

	/* Imagined empty bottom tables need nothing more: mapping into them cannot fail. */
	if (c->dry && !table && !src && level == 0 && op == R_MAP && r_size_ok(c, span))
		return;
	for (;;) {
		if (run && table && !(va & (span - 1))) {
			if (r_leaf_run(c, op, level, table, &idx, &va, last))
				return;
		}
		uint64_t elast = (va & ~(span - 1)) + span - 1;
		uint64_t e_last = elast < last ? elast : last;
		bool full = !(va & (span - 1)) && e_last == elast;
		uint64_t e = r_entry(table, src, level, idx);
		const char *why = 0;
		int kind = fmt_kind(e, level, &why);
		uint32_t n;

		if (op == R_MAP)
			n = r_map_entry(c, level, table, idx, e, kind, va, e_last, last, full);
		else if (op == R_UNMAP)
			n = r_unmap_entry(c, level, table, idx, e, kind, va, e_last, last, full);
		else
			n = r_protect_entry(c, level, table, idx, e, kind, va, e_last, last, full);
		if (n > 1)
			e_last = (va & ~(span - 1)) + n * span - 1;
		if (c->err || e_last == last)
			return;
		va = e_last + 1;
		idx += n;
	}
}

/* Dispatch once per table to the copy of r_level_c specialised for (op, level). */
static void r_level(struct r_ctx *c, int level, uint8_t *table, uint64_t src, uint64_t va,
		    uint64_t last)
{
#define R_MAP_CASE(K, L)                                                                           \
	case K:                                                                                    \
		r_level_c(c, R_MAP, L, table, src, va, last);                                      \
		return;
#define R_UNMAP_CASE(K, L)                                                                         \
	case K:                                                                                    \
		r_level_c(c, R_UNMAP, L, table, src, va, last);                                    \
		return;
#define R_PROTECT_CASE(K, L)                                                                       \
	case K:                                                                                    \
		r_level_c(c, R_PROTECT, L, table, src, va, last);                                  \
		return;
	if (c->op == R_MAP) {
		W_LEVEL_SWITCH(level, R_MAP_CASE)
	} else if (c->op == R_UNMAP) {
		W_LEVEL_SWITCH(level, R_UNMAP_CASE)
	} else {
		W_LEVEL_SWITCH(level, R_PROTECT_CASE)
	}
#undef R_MAP_CASE
#undef R_UNMAP_CASE
#undef R_PROTECT_CASE
}

static void r_pool_release(struct r_ctx *c)
{
	struct pt_mem *m = c->mm->mem;
	for (int l = 0; l < FMT_LEVELS; l++) {
		while (c->pool[l] != R_NO_TABLE) {
			uint64_t pa = c->pool[l];
			c->pool[l] = pt_load_raw64(w_table(m, pa, l));
			m->free(m, pa, w_table_bytes(l));
		}
	}
}

/*
 * pt_map of one smallest page (a fault handler's request) in one walk down. Where the path
 * ends in an empty entry, the missing tables are allocated first (on failure nothing was
 * written: -PT_ENOMEM), filled bottom-up and linked by one store into the existing table,
 * as the commit pass would. Returns false, having changed nothing, when the general
 * dry-pass/commit loop must decide: a leaf or a bad entry on the way, a non-empty target,
 * a table outside memory, page sizes that exclude the smallest.
 */
static bool r_map_one(struct r_ctx *c, uint8_t *root, uint64_t va)
{
	struct pt_mem *m = c->mm->mem;
	uint64_t pa[FMT_LEVELS];
	uint8_t *t = root, *link = 0, *p;
	int miss = -1; /* the tables of levels miss..0 do not exist yet */
	const char *why = 0;

	if (!r_size_ok(c, w_span(0)))
		return false;
#pragma GCC unroll 6
	for (int l = W_TOP; l > 0; l--) {
		uint64_t e;
		int kind;

		p = t + (size_t)w_index(va, l) * 8;
		e = fmt_load(p);
		kind = fmt_kind(e, l, &why);
		if (kind == PT_ENTRY_EMPTY) {
			link = p;
			miss = l - 1;
			break;
		}
		if (kind != PT_ENTRY_TABLE)
			return false;
		if (m->trusted) { /* ptkit built every table in m */
			t = m->bytes + (fmt_table_pa(e, l) - m->base);
			W_CHECK_TRUSTED(m, l - 1, fmt_table_pa(e, l), t);
		} else if (!(t = w_table(m, fmt_table_pa(e, l), l - 1)))
			return false;
	}
	if (miss < 0) {
		p = t + (size_t)w_index(va, 0) * 8;
		if (fmt_kind(fmt_load(p), 0, &why) != PT_ENTRY_EMPTY)
			return false;
		r_store(c, p, fmt_make_leaf(va + c->pa_off, 0, c->prot, c->pkey));
		return true;
	}
	for (int l = 0; l <= miss; l++) {
		int err = pt_table_alloc(m, w_table_bytes(l), &pa[l]);
		if (err) {
			while (l-- > 0)
				m->free(m, pa[l], w_table_bytes(l));
			r_fail(c, err, va);
			return true;
		}
	}
	t = w_table(m, pa[0], 0);
	r_store(c, t + (size_t)w_index(va, 0) * 8,
		fmt_make_leaf(va + c->pa_off, 0, c->prot, c->pkey));
	for (int l = 1; l <= miss; l++) {
		t = w_table(m, pa[l], l);
		r_store(c, t + (size_t)w_index(va, l) * 8, fmt_make_table(pa[l - 1], l));
	}
	r_store(c, link, fmt_make_table(pa[miss], miss + 1));
	c->g->tables_alloced += (uint64_t)miss + 1;
	return true;
}

/*
 * The map's dry pass found no allowed page size for some part of [va, last]. When a leaf
 * is already mapped in the range (say pagesize= asks for a 2M leaf where a table of 4K
 * pages stands), the request overlaps it: -PT_EEXIST at that leaf, as for any overlap.
 */
static void r_blame_overlap(struct r_ctx *c, uint64_t va, uint64_t last)
{
	struct mm_walk_state st;

	mm_walk_init(&st, c->mm);
	if (mm_walk_first_leaf(&st, c->mm, va, last + 1))
		r_fail(c, -PT_EEXIST, st.va);
}

/* Bytes of the tables the dry pass counted. */
static uint64_t r_need_bytes(const struct r_ctx *c)
{
	uint64_t bytes = 0;

	for (int l = 0; l < FMT_LEVELS; l++)
		bytes += c->need[l] * w_table_bytes(l);
	return bytes;
}

/* Dry pass, allocation, commit pass over [va, va + size). */
static int r_run(struct r_ctx *c, uint64_t va, uint64_t size)
{
	struct pt_mm *mm = c->mm;
	struct pt_mem *m = mm->mem;
	uint64_t last = va + size - 1;
	uint8_t *root;

	if (!m->alloc)
		return r_fail(c, -PT_EROFS, va), c->err;
	if (!size || last < va || ((va | size) & (w_span(0) - 1)))
		return r_fail(c, -PT_EINVAL, va), c->err;
	if (!fmt_va_valid(va) || !fmt_va_valid(last) || fmt_va_half(va) != fmt_va_half(last))
		return r_fail(c, -PT_ERANGE, fmt_va_valid(va) ? last : va), c->err;
	root = w_table(m, mm->root[FMT_TWO_ROOTS ? fmt_va_half(va) : 0], W_TOP);
	if (!root)
		return r_fail(c, -PT_EFAULT, va), c->err;
	if (c->op == R_MAP && size == w_span(0) && r_map_one(c, root, va)) {
		if (!c->err)
			pt_mm_bump_gen(mm);
		return c->err;
	}

	for (int l = 0; l < FMT_LEVELS; l++)
		c->need[l] = 0;
	c->dry = true;
	r_level(c, W_TOP, root, 0, va, last);
	if (c->err == -PT_EINVAL && c->op == R_MAP)
		r_blame_overlap(c, va, last);
	if (c->err)
		return c->err;
	if (r_need_bytes(c) > m->size) /* cannot fit: say so before zeroing any of it */
		return r_fail(c, -PT_ENOMEM, va), c->err;

	for (int l = 0; l < FMT_LEVELS; l++)
		c->pool[l] = R_NO_TABLE;
	for (int l = 0; l < FMT_LEVELS; l++) {
		for (uint64_t i = 0; i < c->need[l]; i++) {
			uint64_t pa;
			int err = pt_table_alloc(m, w_table_bytes(l), &pa);
			if (err) {
				r_pool_release(c);
				return r_fail(c, err, va), c->err;
			}
			pt_store_raw64(w_table(m, pa, l), c->pool[l]);
			c->pool[l] = pa;
		}
	}

	c->dry = false;
	r_level(c, W_TOP, root, 0, va, last);
	r_pool_release(c); /* empty unless the two passes disagreed */
	pt_mm_bump_gen(mm);
	return c->err;
}

static inline void r_init(struct r_ctx *c, struct pt_mm *mm, struct pt_gather *g, enum r_op op)
{
	c->mm = mm;
	c->g = g;
	c->op = op;
	c->dry = true;
	c->err = 0;
	c->err_va = 0;
	c->pa_off = 0;
	c->prot = 0;
	c->pkey = 0;
	c->store = mm->mem->store;
	c->page_sizes = 0; /* need[] and pool[] are set by r_run when it gets there */
}

static inline int r_finish(struct r_ctx *c)
{
	if (c->err)
		c->g->err_va = c->err_va;
	return c->err;
}

static inline int r_prot_valid(uint32_t prot)
{
	if (prot & ~(uint32_t)PT_PROT_REQUEST)
		return -PT_EINVAL;
	return fmt_prot_check(prot);
}

#endif
