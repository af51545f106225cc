/* SPDX-License-Identifier: MIT */
/*
 * Making a leaf again through the format hooks, for the generic edits (split_leaf.c,
 * collapse.c): encode_leaf makes a young leaf; leaf_set_ad then gives it exactly the young
 * / dirty state prot asks for (an old leaf; a clean writable one). Made dirty first, then
 * cleaned, a leaf keeps the format's dirty tracking (arm64: DBM = 1, AP[2] = 1), which one
 * encoded clean may not have (arm64: a writable leaf without DBM).
 * A leaf is remade the way that reproduces it bit for bit, and its pieces (split) or the
 * leaf that replaces it (collapse) are made the same way, so the state and the way the
 * format tracks it are kept.
 */
#ifndef PTKIT_OPS_LEAF_MAKE_H
#define PTKIT_OPS_LEAF_MAKE_H

#include <ptkit/ops.h>
#include <ptkit/walk.h>

/*
 * How a leaf is made: by encode_leaf alone; with leaf_set_ad after it; or encoded young
 * and dirty, then leaf_set_ad.
 */
enum pt_make { PT_MAKE_PLAIN, PT_MAKE_AD, PT_MAKE_AD_DIRTY, PT_MAKE_WAYS };

/* The leaf mapping pa at level with prot (PT_YOUNG / PT_DIRTY included), made `how`. */
static inline int pt_leaf_make(const struct pt_format *f, uint64_t pa, int level, uint32_t prot,
			       enum pt_make how, uint64_t *e)
{
	const uint32_t ad = PT_YOUNG | PT_DIRTY;

	if (f->ops.encode_leaf(pa, level, how == PT_MAKE_AD_DIRTY ? prot | ad : prot, e))
		return -PT_EINVAL;
	if (how != PT_MAKE_PLAIN)
		*e = f->ops.leaf_set_ad(*e, level, prot & (PT_YOUNG | PT_DIRTY));
	return 0;
}

/* How leaf e (mapping pa at level, decoded prot) is made again bit for bit; -PT_EINVAL: not. */
static inline int pt_leaf_remake(const struct pt_format *f, uint64_t e, uint64_t pa, int level,
				 uint32_t prot, enum pt_make *how)
{
	uint64_t x;

	for (int h = PT_MAKE_PLAIN; h < PT_MAKE_WAYS; h++) {
		if (!pt_leaf_make(f, pa, level, prot, (enum pt_make)h, &x) && x == e) {
			*how = (enum pt_make)h;
			return 0;
		}
	}
	return -PT_EINVAL;
}

/*
 * The leaf mapping pa at level that decodes as exactly prot (a plain leaf, no key), made
 * `how` first, else the other ways in order; -PT_EINVAL when none reads back.
 */
static inline int pt_leaf_make_exact(const struct pt_format *f, uint64_t pa, int level,
				     uint32_t prot, enum pt_make how, uint64_t *e)
{
	for (int i = -1; i < PT_MAKE_WAYS; i++) {
		struct pt_entry_info b;
		enum pt_make h = i < 0 ? how : (enum pt_make)i;

		if (pt_leaf_make(f, pa, level, prot, h, e))
			continue;
		pt_format_decode(f, *e, level, &b);
		if (b.kind == PT_ENTRY_LEAF && b.pa == pa && b.prot == prot && !b.pkey &&
		    b.contig == 1)
			return 0;
	}
	return -PT_EINVAL;
}

/* Store entry e at p (host order) in mm's tables, telling mem->store first when set. */
static inline void pt_leaf_put(struct pt_mm *mm, uint8_t *p, uint64_t e)
{
	struct pt_mem *m = mm->mem;

	if (m->store)
		m->store(m, m->base + (uint64_t)(p - m->bytes), e);
	pt_entry_store(mm->fmt, p, e);
}

/*
 * The leaf that maps va, sought for an edit of mm: 0 with st on it, -PT_EROFS (memory
 * without an allocator), or the walk's error (-PT_ENOENT: not mapped) with g->err_va set.
 */
static inline int pt_leaf_seek_edit(struct pt_mm *mm, uint64_t va, struct pt_gather *g,
				    struct mm_walk_state *st)
{
	if (!mm->mem->alloc)
		return -PT_EROFS;
	mm_walk_init(st, mm);
	if (mm_walk_seek_leaf(st, mm, va))
		return 0;
	g->err_va = va;
	return st->err ? st->err : -PT_ENOENT;
}

#endif
