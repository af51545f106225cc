/* SPDX-License-Identifier: MIT */
/* ptkit: the level-agnostic walker (struct mm_walk_state and its accessors). */
#ifndef PTKIT_WALK_H
#define PTKIT_WALK_H

#include "format.h"

/*
 * One level of the retained path: the table walked at that level and the entry the walk
 * read in it (what a re-check compares against). The entry's index and the table's
 * physical address follow from them and st->va: mm_walk_index(), mm_walk_table_pa().
 */
struct mm_walk_level {
	uint8_t *table; /* host pointer to the table */
	uint64_t entry; /* raw entry read at mm_walk_index(st, level) */
};

/*
 * Where a walk stands. After mm_walk_seek_leaf() or a step of for_each_pt_leaf():
 * `level` is the level of `entry` (the leaf, or the empty / bad entry that stopped the
 * walk), `ptep` points at it and path[l] for every l >= level holds the table walked at
 * level l, with the entry read in it for every l > level (at `level` itself the entry is
 * `entry`: an iteration steps through a table without rewriting its path slot). Every
 * table on the path holds va's entry, so indexes are not stored (mm_walk_index()). The
 * path lets the next seek restart from the deepest shared table.
 */
struct mm_walk_state {
	struct pt_mm *mm;
	const struct pt_format *fmt;
	uint64_t va;	/* the address sought (iteration: the first address of the leaf in range) */
	int level;	/* level of `entry` */
	int kind;	/* enum pt_entry_kind of `entry` */
	int err;	/* 0, or -PT_EFAULT / -PT_ELOOP / -PT_EBADENT when the image is corrupt */
	uint64_t entry; /* raw entry */
	uint64_t
		pa; /* leaf: output address of the leaf entry (decoded once, at the leaf); else 0 */
	uint32_t prot; /* leaf: PT_* bits of the entry itself, or MM_WALK_PROT_LAZY */
	uint8_t *ptep; /* host pointer to it */
	uint64_t gen;  /* mm->gen the path was read under; 0 = no path */
	int half;      /* which root: 0 lower, 1 upper half */
	struct mm_walk_level path[PT_MAX_LEVELS];
	/*
	 * Iteration window, set by the format's next_leaf when it lands on a leaf: the entries
	 * after ptep up to the window's last one (same table, starting below the `end` it was
	 * computed for) are stepped inline by mm_walk_next_leaf when they are empty (no
	 * fast_valid bit) or leaves whose attribute bits (fast_attr_mask) are those of the leaf
	 * it opened on (fast_ref), so kind, level and prot stay what the format decoded. The
	 * compare is on the entries as stored (fast_ref and the masks in the table's byte
	 * order). Two kinds, so that the common one pays nothing for the other: a plain window
	 * (entries in host order, the OA one field: a stepped leaf e is at (e & fast_oa_mask) <<
	 * fast_oa_shl) ends at fast_last and is stepped by the generic inline code from these
	 * fields; an extended one (the OA in two fields, or entries stored in the other byte
	 * order) ends at fast_xlast, fast_last is then ptep (no plain step), and only code
	 * compiled for the format steps it (its decode is constants: struct mm_walk_wfmt_), in
	 * the run-time API the format's next_leaf. fast_last NULL: no window of either kind.
	 */
	const uint8_t *fast_last;
	const uint8_t *fast_xlast;
	uint64_t fast_end;
	uint64_t fast_span;
	uint64_t fast_ref;
	uint64_t fast_valid;
	uint64_t fast_oa_mask;
	uint64_t fast_attr_mask;
	uint32_t fast_oa_shl;
};

/* Start with no retained path. */
static inline void mm_walk_init(struct mm_walk_state *st, struct pt_mm *mm)
{
	st->mm = mm;
	st->fmt = mm->fmt;
	st->gen = 0;
	st->err = 0;
	st->level = mm->fmt->levels - 1;
	st->kind = PT_ENTRY_EMPTY;
	st->entry = 0;
	st->pa = 0;
	st->ptep = 0;
	st->va = 0;
	st->half = 0;
	st->fast_last = 0;
	st->fast_xlast = 0;
}

/* mm_walk_state.prot of a leaf whose rights are decoded when an accessor asks. */
#define MM_WALK_PROT_LAZY (1u << 31)

/* What a walk_page_range callback asks for next. Negative values are errors and stop. */
enum mm_walk_action {
	MM_WALK_CONTINUE = 0,
	MM_WALK_SKIP = 1, /* table_entry: do not descend; leaf_entry: skip the rest of this table */
	MM_WALK_STOP = 2, /* end the walk, walk_page_range returns 0 */
};

struct mm_walk_ops {
	/*
	 * A present leaf (any level) overlapping the range; st->va is max(start, leaf start),
	 * or after a callback changed the tables, the first address not yet reported.
	 */
	int (*leaf_entry)(struct mm_walk_state *st, void *priv);
	/* [start, end) has no mapping; `level` is where the empty entry was found. */
	int (*hole)(uint64_t start, uint64_t end, int level, void *priv);
	/* Optional: about to descend into the table referenced at st->level. */
	int (*table_entry)(struct mm_walk_state *st, void *priv);
};

#ifdef PTKIT_CHECK_FAST
/*
 * The debug build that cross-checks every shortcut (src/walk/check_fast.h): the window
 * step took entry e (mapping va) for a leaf like the state's, at output address pa (its
 * in-place OA), or (leaf false) for an empty entry. The format's full decode must agree.
 */
static inline void mm_walk_check_step_(const struct mm_walk_state *st, uint64_t e, uint64_t va,
				       uint64_t pa, bool leaf)
{
	uint64_t size = (uint64_t)1 << st->fmt->shift[st->level], gsize;
	struct pt_entry_info d;

	st->fmt->ops.decode(e, st->level, &d);
	gsize = size * d.contig;
	if (leaf ? d.kind != PT_ENTRY_LEAF || d.prot != st->prot ||
			    (d.pa & ~(gsize - 1)) + (va & (gsize - 1) & ~(size - 1)) != pa
		 : d.kind != PT_ENTRY_EMPTY)
		__builtin_trap(); /* the iteration window's attribute compare was wrong */
}
#define MM_WALK_CHECK_STEP_(st, e, va, pa, leaf) mm_walk_check_step_(st, e, va, pa, leaf)
#else
#define MM_WALK_CHECK_STEP_(st, e, va, pa, leaf) ((void)0)
#endif

/*
 * What the window steps know of the format when they are compiled for one (the templates,
 * the compile-time API): a constant, so only its kind of window is compiled, its decode
 * folded. NULL in the run-time API: plain windows only. Not an API.
 */
struct mm_walk_wfmt_ {
	bool ext;	 /* extended windows (fast_xlast), never plain ones */
	bool swap;	 /* the entries are stored in the other byte order */
	uint32_t hi_shl; /* the second OA field of e (host order): (e & hi) << hi_shl */
	uint64_t hi;
};

/*
 * The window's inline steps (not an API): from the entry at *pp (address *pva), up to
 * `last`, skip empty entries and stop on the next leaf with the window's attributes: the
 * state stands on it, *pp and *pva with it (true). False at anything else (another table,
 * kind or attributes, the end of the window): the caller takes the slow path. The compare
 * is on the stored entry, so an empty one costs no byte swap. The decode multiplies by
 * 1 << shift (mul, hi_mul), so the step needs no shift-count register; ext: the
 * extended one.
 */
static inline __attribute__((always_inline)) bool
mm_walk_window_step_(struct mm_walk_state *st, const uint8_t **pp, uint64_t *pva,
		     const uint8_t *last, uint64_t span, uint64_t ref, uint64_t attr,
		     uint64_t valid, uint64_t oa, uint64_t mul, bool ext, uint64_t hi,
		     uint64_t hi_mul, bool swap)
{
	const uint8_t *p = *pp;
	uint64_t va = *pva;

	do {
		uint64_t e, pa;

		p += 8;
		va += span;
		/* Only leaves are stepped here (no table is followed): a relaxed read. */
		e = __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_RELAXED);
		if ((e ^ ref) & attr) {
			if (!(e & valid)) { /* empty */
				MM_WALK_CHECK_STEP_(st, ext && swap ? __builtin_bswap64(e) : e, va,
						    0, false);
				continue;
			}
			break;
		}
		if (ext && swap)
			e = __builtin_bswap64(e);
		pa = (e & oa) * mul;
		if (ext)
			pa |= (e & hi) * hi_mul;
		MM_WALK_CHECK_STEP_(st, e, va, pa, true);
		*pp = p;
		*pva = va;
		st->ptep = (uint8_t *)(uintptr_t)p;
		st->va = va;
		st->entry = e;
		st->pa = pa;
		return true;
	} while (p < last);
	return false;
}

/*
 * The inline part of mm_walk_next_leaf: step through the window the last call left (see
 * struct mm_walk_state) while nothing changed the tables (mm->gen), and call `slow` (the
 * format's next_leaf, when NULL) for anything else: another table, another kind or
 * attributes, the end of the window, an extended window in the run-time API (w NULL; see
 * struct mm_walk_wfmt_). Not an API: use mm_walk_next_leaf / for_each_pt_leaf.
 */
static inline __attribute__((always_inline)) bool
mm_walk_next_leaf_(struct mm_walk_state *st, uint64_t end,
		   bool (*slow)(struct mm_walk_state *, uint64_t), const struct mm_walk_wfmt_ *w)
{
	const bool ext = w && w->ext, swap = ext && w->swap;
	const uint8_t *p = st->ptep, *last = ext ? st->fast_xlast : st->fast_last;
	uint64_t va = st->va;

	/* The fields are read as the steps need them: most calls take one step. */
	if ((!ext || st->fast_last) && p < last && end == st->fast_end &&
	    st->gen == __atomic_load_n(&st->mm->gen, __ATOMIC_RELAXED)) {
		do {
			uint64_t e, pa;

			p += 8;
			va += st->fast_span;
			/* Only leaves are stepped here (no table is followed): a relaxed read. */
			e = __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_RELAXED);
			if ((e ^ st->fast_ref) & st->fast_attr_mask) {
				if (!(e & st->fast_valid)) { /* empty */
					MM_WALK_CHECK_STEP_(st, swap ? __builtin_bswap64(e) : e, va,
							    0, false);
					continue;
				}
				break;
			}
			if (swap)
				e = __builtin_bswap64(e);
			pa = (e & st->fast_oa_mask) << st->fast_oa_shl;
			if (ext)
				pa |= (e & w->hi) << w->hi_shl;
			MM_WALK_CHECK_STEP_(st, e, va, pa, true);
			st->ptep = (uint8_t *)(uintptr_t)p;
			st->va = va;
			st->entry = e;
			st->pa = pa;
			return true;
		} while (p < (ext ? st->fast_xlast : st->fast_last));
	}
	return slow ? slow(st, end) : st->fmt->ops.next_leaf(st, end);
}

#ifdef PTKIT_FORMAT
/*
 * The compile-time single-format API (docs/USER_GUIDE.md, "One format, known at build
 * time"): the walker is instantiated in this translation unit for PTKIT_FORMAT, and the
 * functions below call it directly, with constant levels and no indirect call.
 */
#include "static.h"
#else
/*
 * Walk to the entry that maps `va`. Returns true when a present leaf maps it; otherwise
 * st->level tells where the walk stopped and st->err says whether the image is corrupt
 * (-PT_ERANGE for a non-canonical VA). Reuses the retained path of the previous seek.
 */
static inline bool mm_walk_seek_leaf(struct mm_walk_state *st, struct pt_mm *mm, uint64_t va)
{
	return mm->fmt->ops.seek(st, mm, va);
}

/*
 * Move to the next present leaf that starts below `end` (exclusive; 0 means the end of the
 * half). Returns false when there is none or the image is corrupt (st->err).
 */
static inline bool mm_walk_next_leaf(struct mm_walk_state *st, uint64_t end)
{
	return mm_walk_next_leaf_(st, end, 0, 0);
}

/* Seek the first present leaf overlapping [start, end). */
bool mm_walk_first_leaf(struct mm_walk_state *st, struct pt_mm *mm, uint64_t start, uint64_t end);

/*
 * Walk [start, end) calling ops for every leaf and hole in address order. Returns 0, the
 * first negative value a callback returned, or a corrupt-image error (-PT_EFAULT ...).
 * A callback may change the tables (mm->gen): the walk then goes on strictly after what
 * it reported (after the leaf's table as it was, for MM_WALK_SKIP), in the tables as they
 * are now, so leaves and holes still tile the range less what was skipped; after a
 * table_entry callback changed them, the entry is read again before the walk descends.
 */
int walk_page_range(struct pt_mm *mm, uint64_t start, uint64_t end, const struct mm_walk_ops *ops,
		    void *priv);

/* Format facts the accessors need (not an API). */
static inline uint32_t mm_walk_leaf_prot_(const struct mm_walk_state *st)
{
	return st->fmt->ops.leaf_prot(st->entry, st->level);
}
static inline int mm_walk_shift_(const struct mm_walk_state *st, int level)
{
	return st->fmt->shift[level];
}
static inline uint32_t mm_walk_contig_(const struct mm_walk_state *st, int level)
{
	return st->fmt->contig[level];
}
#endif

/* The body of mm_walk_first_leaf, over whichever seek and step this translation unit has. */
static inline bool mm_walk_first_leaf_(struct mm_walk_state *st, struct pt_mm *mm, uint64_t start,
				       uint64_t end)
{
	if (end && end <= start)
		return false;
	if (mm_walk_seek_leaf(st, mm, start))
		return true;
	if (st->err)
		return false;
	return mm_walk_next_leaf(st, end);
}
#ifdef PTKIT_FORMAT
static inline bool mm_walk_first_leaf(struct mm_walk_state *st, struct pt_mm *mm, uint64_t start,
				      uint64_t end)
{
	return mm_walk_first_leaf_(st, mm, start, end);
}
#endif

/*
 * The window step's compile-time knowledge of the format (struct mm_walk_wfmt_): the
 * compile-time API's, else none.
 */
#ifndef MM_WALK_WFMT_
#define MM_WALK_WFMT_ ((const struct mm_walk_wfmt_ *)0)
#endif

/*
 * for_each_pt_leaf's cursor (not an API): the iteration window of the state (see struct
 * mm_walk_state) copied into locals once per table, so the loop steps through the table in
 * registers and writes back only what the accessors read (ptep, va, entry, pa). last /
 * xlast: the end of a plain / extended window (at most p: none). Only a cursor compiled
 * for the format (MM_WALK_WFMT_) steps an extended window; the run-time one leaves it to
 * mm_walk_next_leaf (the format's next_leaf), so its own loop is the plain one alone.
 * `in` is true while the body runs: still true after the inner loop, the body left with
 * break.
 */
struct mm_walk_cursor_ {
	bool more, in;
	const uint8_t *p, *last, *xlast;
	uint64_t va, span, ref, attr, valid, oa, mul;
	uint64_t gen;
	const uint64_t *genp;
};

/*
 * The window's valid mask and OA multiplier: constants with the compile-time API, unless
 * its windows are extended (the masks are then in stored byte order: the state's).
 */
#ifdef PTKIT_FORMAT
#define MM_WALK_WIN_VALID_(st) (MM_WALK_WFMT_->ext ? (st)->fast_valid : (uint64_t)FMT_VALID_MASK)
#define MM_WALK_WIN_MUL_(st)                                                                       \
	(MM_WALK_WFMT_->ext ? 1ull << (st)->fast_oa_shl : 1ull << FMT_LEAF_OA_SHL)
#else
#define MM_WALK_WIN_VALID_(st) ((st)->fast_valid)
#define MM_WALK_WIN_MUL_(st) (1ull << (st)->fast_oa_shl)
#endif

static inline __attribute__((always_inline)) void
mm_walk_cursor_load_(const struct mm_walk_state *st, struct mm_walk_cursor_ *c)
{
	const struct mm_walk_wfmt_ *w = MM_WALK_WFMT_;

	c->p = st->ptep;
	c->va = st->va;
	c->last = st->fast_last;
	c->xlast = c->p;
	/* No window (another table next, or none at this level), or one left to next_leaf. */
	if (!c->last || (!w && st->fast_xlast)) {
		c->last = c->p;
		return;
	}
	if (w && w->ext)
		c->xlast = st->fast_xlast;
	c->span = st->fast_span;
	c->ref = st->fast_ref;
	c->attr = st->fast_attr_mask;
	c->valid = MM_WALK_WIN_VALID_(st);
	c->oa = st->fast_oa_mask;
	c->mul = MM_WALK_WIN_MUL_(st);
	c->gen = st->gen;
	c->genp = &st->mm->gen;
}

static inline __attribute__((always_inline)) struct mm_walk_cursor_
mm_walk_cursor_first_(struct mm_walk_state *st, struct pt_mm *mm, uint64_t start, uint64_t end)
{
	struct mm_walk_cursor_ c;

	c.in = false;
	c.more = mm_walk_first_leaf(st, mm, start, end);
	if (c.more)
		mm_walk_cursor_load_(st, &c);
	return c;
}

/*
 * One step inside the window while nothing changed the tables: true on the next leaf (the
 * state written), false when the window holds none (the state still on the last leaf).
 */
static inline __attribute__((always_inline)) bool mm_walk_cursor_step_(struct mm_walk_state *st,
								       struct mm_walk_cursor_ *c)
{
	const struct mm_walk_wfmt_ *w = MM_WALK_WFMT_;

	if (w && w->ext)
		return c->p < c->xlast && __atomic_load_n(c->genp, __ATOMIC_RELAXED) == c->gen &&
		       mm_walk_window_step_(st, &c->p, &c->va, c->xlast, c->span, c->ref, c->attr,
					    c->valid, c->oa, c->mul, true, w->hi, 1ull << w->hi_shl,
					    w->swap);
	return c->p < c->last && __atomic_load_n(c->genp, __ATOMIC_RELAXED) == c->gen &&
	       mm_walk_window_step_(st, &c->p, &c->va, c->last, c->span, c->ref, c->attr, c->valid,
				    c->oa, c->mul, false, 0, 0, false);
}

/*
 * The window is done: the slow path goes on after the leaf the state stands on (st->ptep,
 * st->va) and opens the next window (for an extended window, the run-time cursor leaves
 * the stepping to mm_walk_next_leaf); nothing more after a break.
 */
static inline __attribute__((always_inline)) void
mm_walk_cursor_next_(struct mm_walk_state *st, struct mm_walk_cursor_ *c, uint64_t end)
{
	const struct mm_walk_wfmt_ *w = MM_WALK_WFMT_;

	if (c->in) { /* the body left with break */
		c->more = false;
		return;
	}
	if (w || !st->fast_xlast)
		st->fast_last = 0;
	c->more = mm_walk_next_leaf(st, end);
	if (c->more)
		mm_walk_cursor_load_(st, c);
}

/*
 * Callback-free iteration over every present leaf overlapping [start, end). st must have
 * been set up with mm_walk_init() once; its retained path is then reused. The loop body
 * may change the tables (mm->gen): the next step then goes on strictly after the leaf it
 * was given (a leaf it split is not visited again in pieces; a leaf that now covers the
 * next address is visited with st->va there), so no address is visited twice. break and
 * continue behave as in any loop (the inner loop steps through one table's window).
 */
#define for_each_pt_leaf(st, mm, start, end)                                                       \
	for (struct mm_walk_cursor_ pt_cur_ = mm_walk_cursor_first_((st), (mm), (start), (end));   \
	     pt_cur_.more; mm_walk_cursor_next_((st), &pt_cur_, (end)))                            \
		for (pt_cur_.in = true; pt_cur_.in;                                                \
		     pt_cur_.in = mm_walk_cursor_step_((st), &pt_cur_))

/*
 * Accessors: they describe the leaf the walk stands on. The output address is decoded when
 * the walk gets there; the rights are decoded by an iteration (it needs them anyway) and
 * on demand after a seek (st->prot == MM_WALK_PROT_LAZY), so a seek that only wants the
 * address does not pay for them.
 */
static inline bool mm_walk_is_leaf(const struct mm_walk_state *st)
{
	return st->kind == PT_ENTRY_LEAF;
}
static inline bool mm_walk_is_present(const struct mm_walk_state *st)
{
	return st->kind == PT_ENTRY_TABLE || st->kind == PT_ENTRY_LEAF;
}
/*
 * PT_* bits of the leaf entry itself (not combined with higher levels); 0 if no leaf. A
 * PROT_NONE leaf (kept, but the MMU faults every access) has none of PT_R, PT_W, PT_X.
 */
static inline uint32_t mm_walk_prot(const struct mm_walk_state *st)
{
	if (st->kind != PT_ENTRY_LEAF)
		return 0;
	if (st->prot & MM_WALK_PROT_LAZY)
		return mm_walk_leaf_prot_(st);
	return st->prot;
}
static inline bool mm_walk_is_write(const struct mm_walk_state *st)
{
	return mm_walk_prot(st) & PT_W;
}
static inline bool mm_walk_is_exec(const struct mm_walk_state *st)
{
	return mm_walk_prot(st) & PT_X;
}
static inline bool mm_walk_is_user(const struct mm_walk_state *st)
{
	return mm_walk_prot(st) & PT_USER;
}
static inline bool mm_walk_is_dirty(const struct mm_walk_state *st)
{
	return mm_walk_prot(st) & PT_DIRTY;
}
static inline bool mm_walk_is_young(const struct mm_walk_state *st)
{
	return mm_walk_prot(st) & PT_YOUNG;
}
static inline bool mm_walk_is_global(const struct mm_walk_state *st)
{
	return mm_walk_prot(st) & PT_GLOBAL;
}
static inline bool mm_walk_is_special(const struct mm_walk_state *st)
{
	return mm_walk_prot(st) & PT_SPECIAL;
}
/* Bytes mapped by one entry at st->level (a leaf, or the hole an empty entry leaves). */
static inline uint64_t mm_walk_leaf_size(const struct mm_walk_state *st)
{
	return (uint64_t)1 << mm_walk_shift_(st, st->level);
}
/* Bytes of the contiguous / NAPOT group the leaf belongs to (== leaf size if none). */
static inline uint64_t mm_walk_group_size(const struct mm_walk_state *st)
{
	return mm_walk_leaf_size(st) *
	       ((mm_walk_prot(st) & PT_CONTIG) ? mm_walk_contig_(st, st->level) : 1);
}
/* Virtual address of the start of the leaf. */
static inline uint64_t mm_walk_leaf_va(const struct mm_walk_state *st)
{
	return st->va & ~(mm_walk_leaf_size(st) - 1);
}
/* Physical address of the start of the leaf; 0 if the walk is not on a leaf. */
static inline uint64_t mm_walk_leaf_pa(const struct mm_walk_state *st)
{
	return st->pa; /* every walk that stops off a leaf sets it to 0 */
}
/* Index of st->va's entry in the table the walk holds at `level` (level >= st->level). */
static inline uint32_t mm_walk_index(const struct mm_walk_state *st, int level)
{
	return (uint32_t)(st->va >> mm_walk_shift_(st, level)) &
	       ((1u << st->fmt->index_bits[level]) - 1);
}
/* Physical address of the table the walk holds at `level` (level >= st->level). */
static inline uint64_t mm_walk_table_pa(const struct mm_walk_state *st, int level)
{
	const struct pt_mem *m = st->mm->mem;

	if (m->pa_of)
		return m->pa_of(m, st->path[level].table);
	return (uint64_t)(st->path[level].table - m->bytes) + m->base;
}
/* Architecture name of st->level ("pte", "pmd", ... for x86). */
static inline const char *mm_walk_level_name(const struct mm_walk_state *st)
{
	return st->fmt->level_name[st->level];
}

/*
 * Re-read every entry on st's retained path (root to leaf) and the entry at st->ptep:
 * true when all still hold what the walk read, false when any changed or st has no path
 * (never sought, or the seek failed). For lockless readers: read once, act, re-check.
 * Example: if (mm_walk_seek_leaf(&st, mm, va) && grab(...) && !mm_walk_path_unchanged(&st))
 *		back_off(...);
 */
bool mm_walk_path_unchanged(const struct mm_walk_state *st);

#endif
