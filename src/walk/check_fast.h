/* SPDX-License-Identifier: MIT */
/*
 * PTKIT_CHECK_FAST (CMake option PTKIT_CHECK_FAST, off by default): a debug build in which
 * every shortcut of the walker and the operations is cross-checked against the format's
 * full decode of the entry it took the shortcut on, and a disagreement is a
 * __builtin_trap(). Without the option every macro below is nothing, so the hot code
 * compiles exactly as before. Included by src/walk/walk_tmpl.h after the format header:
 * the helpers use the template's fmt_* and w_* functions. The inline iteration window of
 * <ptkit/walk.h> has its own check there (MM_WALK_CHECK_STEP_), written against the
 * run-time format, since that header is compiled outside the templates too.
 *
 * The shortcuts and what is checked:
 *   w_seek_near_c     an entry with the standing leaf's attributes is taken as a leaf:
 *                     fmt_kind says LEAF.
 *   w_window          the window's decode (w_window_pa: one or two OA fields) of the leaf
 *                     it opens on is its decoded address, the leaf is no group member, and
 *                     the stored-order copy the steps compare with is what ptep holds.
 *   trusted descent   (w_enter_trusted, o_translate_trusted, r_map_one) a table pointer is
 *                     followed without checks: it lies inside memory and not back up the path.
 *   r_leaf_run        an entry with the attributes of the last decoded plain leaf is such a
 *                     leaf (kind LEAF, no group) and protect's in-place edit (e & mask) |
 *                     nleaf is what r_reprotect makes of it; an entry without a valid bit is
 *                     EMPTY; map's leaf (template | OA, or the last one plus a step) is
 *                     fmt_make_leaf of its address.
 */
#ifndef PTKIT_CHECK_FAST_H
#define PTKIT_CHECK_FAST_H

#ifdef PTKIT_CHECK_FAST

#define W_CHECK(cond)                                                                              \
	do {                                                                                       \
		if (!(cond))                                                                       \
			__builtin_trap();                                                          \
	} while (0)

static inline int w_check_kind(uint64_t e, int level)
{
	const char *why = 0;
	return fmt_kind(e, level, &why);
}

/* A leaf of `level` that belongs to no contiguous / NAPOT group. */
static inline bool w_check_plain_leaf(uint64_t e, int level)
{
	return w_check_kind(e, level) == PT_ENTRY_LEAF && w_group(e, level) == 1;
}

/* Near re-seek: e was taken as a leaf because its attributes are the standing leaf's. */
#define W_CHECK_NEAR_LEAF(e, L) W_CHECK(w_check_kind((e), (L)) == PT_ENTRY_LEAF)

/*
 * The iteration window opens on st's leaf: the window's decode is the full one, no group,
 * and the steps compare with the entry as ptep stores it.
 */
#define W_CHECK_WINDOW(st, L)                                                                      \
	W_CHECK(w_check_plain_leaf((st)->entry, (L)) &&                                            \
		w_window_pa((st)->entry, (L)) == (st)->pa &&                                       \
		(st)->fast_ref == *(const uint64_t *)(const void *)(st)->ptep)

/* A trusted table pointer (no checks): the level-`level` table at pa lies in m (at t). */
#define W_CHECK_TRUSTED(m, level, pa, t) W_CHECK(w_table((m), (pa), (level)) == (t))

/* ... and is not one of the tables above it on st's path (a loop). */
#define W_CHECK_NO_LOOP(st, level, t)                                                              \
	do {                                                                                       \
		for (int k_ = (level) + 1; k_ <= W_TOP; k_++)                                      \
			W_CHECK((st)->path[k_].table != (t));                                      \
	} while (0)

/* Leaf run: e was taken as EMPTY because it has no valid bit. */
#define R_CHECK_EMPTY(e, level) W_CHECK(w_check_kind((e), (level)) == PT_ENTRY_EMPTY)

/*
 * Leaf run: e (mapping va) was taken as a plain leaf because its attribute word is that
 * of the last decoded one; protect (commit pass) rewrites it as (e & oa) | nleaf.
 */
#define R_CHECK_LEAF(c, op, level, e, oa, nleaf, va)                                               \
	W_CHECK(w_check_plain_leaf((e), (level)) &&                                                \
		((op) != R_PROTECT || (c)->dry ||                                                  \
		 (((e) & (oa)) | (nleaf)) == r_reprotect((c), (e), (level), (va))))

/* The same for R_CHUNK entries at p (the vector compare), the first mapping va. */
#define R_CHECK_CHUNK(c, op, level, p, oa, nleaf, va)                                              \
	do {                                                                                       \
		for (int i_ = 0; i_ < R_CHUNK; i_++)                                               \
			R_CHECK_LEAF((c), (op), (level), fmt_load((p) + (size_t)i_ * 8), (oa),     \
				     (nleaf), (va) + (uint64_t)i_ * w_span(level));                \
	} while (0)

/* Map's leaf run: the entry at p was empty, and e is the leaf for output address out. */
#define R_CHECK_MAP(c, level, p, e, out)                                                           \
	W_CHECK(w_check_kind(fmt_load(p), (level)) == PT_ENTRY_EMPTY &&                            \
		(e) == fmt_make_leaf((out), (level), (c)->prot, (c)->pkey))

/* Map's R_CHUNK-entry run from p: all empty, and (commit) leaf i is e + i * step. */
#define R_CHECK_MAP_CHUNK(c, level, p, e, step, out)                                               \
	do {                                                                                       \
		for (int i_ = 0; i_ < R_CHUNK; i_++)                                               \
			W_CHECK(w_check_kind(fmt_load((p) + (size_t)i_ * 8), (level)) ==           \
					PT_ENTRY_EMPTY &&                                          \
				((c)->dry ||                                                       \
				 (e) + (uint64_t)i_ * (step) ==                                    \
					 fmt_make_leaf((out) + (uint64_t)i_ * w_span(level),       \
						       (level), (c)->prot, (c)->pkey)));           \
	} while (0)

#else

#define W_CHECK_NEAR_LEAF(e, L) ((void)0)
#define W_CHECK_WINDOW(st, L) ((void)0)
#define W_CHECK_TRUSTED(m, level, pa, t) ((void)0)
#define W_CHECK_NO_LOOP(st, level, t) ((void)0)
#define R_CHECK_EMPTY(e, level) ((void)0)
#define R_CHECK_LEAF(c, op, level, e, oa, nleaf, va) ((void)0)
#define R_CHECK_CHUNK(c, op, level, p, oa, nleaf, va) ((void)0)
#define R_CHECK_MAP(c, level, p, e, out) ((void)0)
#define R_CHECK_MAP_CHUNK(c, level, p, e, step, out) ((void)0)

#endif

#endif
