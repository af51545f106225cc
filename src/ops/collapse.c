/* SPDX-License-Identifier: MIT */
/*
 * pt_collapse: one step of collapsing a table of leaves into one leaf of the level above
 * (Linux khugepaged's collapse, the inverse of a pt_split_leaf step), for every format
 * through the format hooks (no per-format code). Prepare, then commit: every entry is
 * checked and the new leaf encoded and decoded back before anything is stored. The
 * commit is the format's fact: where a leaf <-> table change needs break-before-make
 * (pt_format.bbm, arm64) the table entry is cleared and its range flushed before the leaf
 * is stored; elsewhere the leaf replaces it with one store (every address keeps its
 * frame and attributes, only the page size changes). Either way the old table goes to the
 * gather, freed only after the TLB flush (walk caches may still point at it).
 */
#include <ptkit/ops.h>
#include <ptkit/walk.h>

#include "ops/leaf_make.h"

#define AD (PT_YOUNG | PT_DIRTY)
/* What a table entry may take away from the leaves below it (fmt_table_allow). */
#define TABLE_RIGHTS (PT_R | PT_W | PT_X | PT_USER)

/*
 * Leaf e (decoded: d) at level, mapping pa: 0 if collapsing loses none of its bits, with
 * *how the way the hooks make it (leaf_make.h). A plain leaf must be made again bit for
 * bit (pt_split_leaf's rule); a group member, which encode_leaf does not make, must keep
 * every attribute in its plain form (the rule pt_split_leaf applies when it ungroups).
 */
static int leaf_kept(const struct pt_format *f, uint64_t e, const struct pt_entry_info *d,
		     int level, uint64_t pa, enum pt_make *how)
{
	uint64_t x;

	if (d->pkey)
		return -PT_EINVAL; /* encode_leaf takes no protection key */
	if (!(d->prot & PT_CONTIG))
		return pt_leaf_remake(f, e, pa, level, d->prot, how);
	*how = PT_MAKE_PLAIN;
	return pt_leaf_make_exact(f, pa, level, d->prot & ~(uint32_t)PT_CONTIG, PT_MAKE_PLAIN, &x);
}

/* What pt_collapse checked and will store. */
struct plan {
	uint8_t *t, *upp; /* the table of leaves; the entry above that links it */
	uint64_t tpa, va, size;
	int level;	  /* the table's level */
	uint32_t ad;	  /* young / dirty of the leaves, ORed */
	enum pt_make how; /* how the leaves are made: the new one is made so too */
	bool settled;	  /* every leaf young, and dirty or read-only: the MMU can add nothing */
	uint64_t leaf[4]; /* the new leaf for each young / dirty state ad | extra */
	bool leaf_ok[4];
};

/* Index of an accessed / dirty state in plan.leaf. */
static unsigned ad_slot(uint32_t ad)
{
	return ((ad & PT_YOUNG) ? 1u : 0u) | ((ad & PT_DIRTY) ? 2u : 0u);
}

/* The prepare phase: every check, nothing stored. */
static int prepare(struct pt_mm *mm, const struct mm_walk_state *st, struct plan *p)
{
	const struct pt_format *f = mm->fmt;
	int level = st->level, up = level + 1;
	uint64_t span = pt_level_size(f, level), big, pa0, g0;
	uint32_t n, ref, ad = 0;
	bool settled = true;
	enum pt_make how;
	struct pt_entry_info d, u;
	bool hole = false;

	if (up >= f->levels || !f->leaf_ok[up])
		return -PT_EINVAL;
	n = 1u << f->index_bits[level];
	big = pt_level_size(f, up);
	if (span * n != big)
		return -PT_EINVAL;
	p->how = PT_MAKE_PLAIN;
	p->t = st->path[level].table;
	p->tpa = mm_walk_table_pa(st, level);
	p->upp = st->path[up].table + (size_t)mm_walk_index(st, up) * f->entry_size;
	p->va = st->va & ~(big - 1);
	p->size = big;
	p->level = level;
	/* Every entry a leaf: a reserved one is a corrupt tree, a hole or a table no leaf. */
	for (uint32_t i = 0; i < n; i++) {
		pt_format_decode(f, pt_entry_load(f, p->t + (size_t)i * f->entry_size), level, &d);
		if (d.kind == PT_ENTRY_BAD)
			return -PT_EBADENT;
		if (d.kind != PT_ENTRY_LEAF)
			hole = true;
	}
	if (hole)
		return -PT_ENOENT;
	/* One set of attributes; output addresses contiguous from a pa0 aligned to big. */
	pt_format_decode(f, pt_entry_load(f, p->t), level, &d);
	ref = d.prot & ~(uint32_t)(PT_CONTIG | AD);
	g0 = span * d.contig;
	pa0 = d.pa & ~(g0 - 1);
	if (pa0 & (big - 1))
		return -PT_EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t e = pt_entry_load(f, p->t + (size_t)i * f->entry_size), gs, pa;

		pt_format_decode(f, e, level, &d);
		gs = span * d.contig; /* a member's OA: its group's base + its place (walker) */
		pa = (d.pa & ~(gs - 1)) + (((uint64_t)i * span) & (gs - 1));
		if (pa != pa0 + (uint64_t)i * span ||
		    (d.prot & ~(uint32_t)(PT_CONTIG | AD)) != ref ||
		    leaf_kept(f, e, &d, level, pa, &how))
			return -PT_EINVAL;
		if (how > p->how)
			p->how = how;
		ad |= d.prot & AD;
		settled &= (d.prot & PT_YOUNG) && ((d.prot & PT_DIRTY) || !(d.prot & PT_W));
	}
	/* The entry above must not take rights from the leaves: the new leaf replaces it. */
	pt_format_decode(f, pt_entry_load(f, p->upp), up, &u);
	if (u.kind != PT_ENTRY_TABLE || u.pa != p->tpa)
		return -PT_EINVAL;
	if (ref & TABLE_RIGHTS & ~u.prot)
		return -PT_EINVAL;
	/* The new leaf, and the same with more young / dirty (hardware may set them meanwhile). */
	p->ad = ad;
	p->settled = settled;
	for (uint32_t x = 0; x < 4; x++)
		p->leaf_ok[x] = false;
	for (uint32_t x = 0; x < 4; x++) {
		uint32_t a = ad | ((x & 1) ? PT_YOUNG : 0) | ((x & 2) ? PT_DIRTY : 0);

		p->leaf_ok[ad_slot(a)] =
			!pt_leaf_make_exact(f, pa0, up, ref | a, p->how, &p->leaf[ad_slot(a)]);
	}
	return p->leaf_ok[ad_slot(ad)] ? 0 : -PT_EINVAL;
}

/* The commit phase: cannot fail. */
static void commit(struct pt_mm *mm, struct plan *p, struct pt_gather *g)
{
	const struct pt_format *f = mm->fmt;
	uint64_t last = p->va + p->size - 1;
	/* What goes from the TLB: the table's leaves and the walk entry that linked it. */
	const uint64_t what = PT_GATHER_LEAF(p->level) | PT_GATHER_TABLE(p->level + 1);

	/*
	 * Break first where the format needs it, and wherever the MMU could still set young /
	 * dirty in the old leaves (through cached walk entries, until the flush): read them
	 * once nothing reaches them (khugepaged's pmdp_collapse_flush does the same).
	 */
	if (f->bbm || !p->settled) {
		uint32_t ad = p->ad, n = 1u << f->index_bits[p->level];

		pt_leaf_put(mm, p->upp, 0);
		pt_gather_now(g, p->va, last, PT_FLUSH_BREAK, what);
		/* Unreachable and flushed now: take young / dirty the hardware set since. */
		for (uint32_t i = 0; i < n; i++)
			ad |= f->ops.leaf_prot(pt_entry_load(f, p->t + (size_t)i * f->entry_size),
					       p->level) &
			      AD;
		pt_leaf_put(mm, p->upp, p->leaf[ad_slot(p->leaf_ok[ad_slot(ad)] ? ad : p->ad)]);
	} else {
		pt_leaf_put(mm, p->upp, p->leaf[ad_slot(p->ad)]);
	}
	pt_gather_range(g, p->va, last, what);
	pt_gather_free(g, p->tpa, pt_table_bytes(f, p->level));
	pt_mm_bump_gen(mm);
}

int pt_collapse(struct pt_mm *mm, uint64_t va, struct pt_gather *g)
{
	struct mm_walk_state st;
	struct plan p;
	int err;

	err = pt_leaf_seek_edit(mm, va, g, &st);
	if (err)
		return err;
	err = prepare(mm, &st, &p);
	if (err) {
		g->err_va = va;
		return err;
	}
	commit(mm, &p, g);
	return 0;
}
