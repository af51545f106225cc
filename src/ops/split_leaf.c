/* SPDX-License-Identifier: MIT */
/*
 * pt_split_leaf / pt_split_leaf_undo: one step of splitting a leaf, for every format
 * through the format hooks (no per-format code). Always break-before-make: the old entry
 * is cleared and its range flushed before the new one is written, which every MMU
 * accepts (arm64 requires it for block -> table and contiguous-bit changes).
 */
#include <ptkit/ops.h>
#include <ptkit/walk.h>

#include "ops/leaf_make.h"
#include "ops/table_alloc.h"

/* Invalidate now the entries of what that map [first, last] (the break). */
static void brk(struct pt_gather *g, uint64_t first, uint64_t last, uint64_t what)
{
	pt_gather_now(g, first, last, PT_FLUSH_BREAK, what);
}

/* The same leaf without its group mark, or -PT_EINVAL if the format cannot make it. */
static int plain_member(const struct pt_format *f, uint64_t e, int level, uint64_t pa,
			uint64_t *out)
{
	struct pt_entry_info a;

	pt_format_decode(f, e, level, &a);
	if (a.kind != PT_ENTRY_LEAF || !(a.prot & PT_CONTIG) || a.pkey)
		return -PT_EINVAL;
	return pt_leaf_make_exact(f, pa, level, a.prot & ~(uint32_t)PT_CONTIG, PT_MAKE_PLAIN, out);
}

static int ungroup(struct pt_mm *mm, const struct mm_walk_state *st,
		   const struct pt_entry_info *info, struct pt_gather *g, struct pt_split_undo *u)
{
	const struct pt_format *f = mm->fmt;
	int level = st->level;
	uint32_t n = f->contig[level];
	uint64_t span = pt_level_size(f, level), gsize = span * n;
	uint64_t gva = st->va & ~(gsize - 1), gpa = info->pa & ~(gsize - 1);
	uint8_t *first = st->ptep - (size_t)((st->va >> f->shift[level]) % n) * f->entry_size;
	uint64_t ne[PT_SPLIT_MAX_GROUP];

	if (n < 2 || n > PT_SPLIT_MAX_GROUP)
		return -PT_EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		u->old[i] = pt_entry_load(f, first + (size_t)i * f->entry_size);
		if (plain_member(f, u->old[i], level, gpa + i * span, &ne[i]))
			return -PT_EINVAL;
	}
	for (uint32_t i = 0; i < n; i++)
		pt_leaf_put(mm, first + (size_t)i * f->entry_size, 0);
	brk(g, gva, gva + gsize - 1, PT_GATHER_LEAF(level));
	for (uint32_t i = 0; i < n; i++)
		pt_leaf_put(mm, first + (size_t)i * f->entry_size, ne[i]);
	pt_gather_range(g, gva, gva + gsize - 1, PT_GATHER_LEAF(level));
	u->ptep = first;
	u->va = gva;
	u->level = level;
	u->n = n;
	u->table_pa = 0;
	return 0;
}

static int to_table(struct pt_mm *mm, const struct mm_walk_state *st,
		    const struct pt_entry_info *info, struct pt_gather *g, struct pt_split_undo *u)
{
	const struct pt_format *f = mm->fmt;
	struct pt_mem *m = mm->mem;
	int level = st->level, c = level - 1, err;
	uint64_t span = pt_level_size(f, level), cspan, lva = st->va & ~(span - 1);
	uint64_t e, tpa, bytes;
	uint32_t nent;
	uint8_t *t;
	enum pt_make how;
	struct pt_entry_info b;

	if (level == 0 || !f->leaf_ok[c] || info->pkey)
		return -PT_EINVAL;
	/*
	 * Only a leaf the hooks make again bit for bit (young / dirty state included) can be
	 * split without losing bits; its pieces are made the same way.
	 */
	if (pt_leaf_remake(f, st->entry, info->pa, level, info->prot, &how))
		return -PT_EINVAL;
	cspan = pt_level_size(f, c);
	nent = 1u << f->index_bits[c];
	bytes = pt_table_bytes(f, c);
	if (pt_leaf_make(f, info->pa, c, info->prot, how, &e))
		return -PT_EINVAL;
	pt_format_decode(f, e, c, &b);
	if (b.kind != PT_ENTRY_LEAF || b.prot != info->prot)
		return -PT_EINVAL;
	err = pt_table_alloc(m, bytes, &tpa);
	if (err)
		return err;
	t = m->bytes + (tpa - m->base);
	for (uint32_t i = 0; i < nent; i++) {
		pt_leaf_make(f, info->pa + i * cspan, c, info->prot, how, &e); /* checked above */
		pt_leaf_put(mm, t + (size_t)i * f->entry_size, e);
	}
	u->old[0] = st->entry;
	pt_leaf_put(mm, st->ptep, 0);
	brk(g, lva, lva + span - 1, PT_GATHER_LEAF(level));
	pt_leaf_put(mm, st->ptep, f->ops.encode_table(tpa, level));
	pt_gather_range(g, lva, lva + span - 1, PT_GATHER_LEAF(level));
	g->tables_alloced++;
	u->ptep = st->ptep;
	u->va = lva;
	u->level = level;
	u->n = 1;
	u->table_pa = tpa;
	return 0;
}

int pt_split_leaf(struct pt_mm *mm, uint64_t va, struct pt_gather *g, struct pt_split_undo *undo)
{
	struct pt_split_undo local;
	struct pt_split_undo *u = undo ? undo : &local;
	struct mm_walk_state st;
	struct pt_entry_info info;
	int err;

	err = pt_leaf_seek_edit(mm, va, g, &st);
	if (err)
		return err;
	pt_format_decode(mm->fmt, st.entry, st.level, &info);
	if (info.prot & PT_CONTIG)
		err = ungroup(mm, &st, &info, g, u);
	else
		err = to_table(mm, &st, &info, g, u);
	if (err) {
		g->err_va = va;
		return err;
	}
	pt_mm_bump_gen(mm);
	return 0;
}

void pt_split_leaf_undo(struct pt_mm *mm, const struct pt_split_undo *undo, struct pt_gather *g)
{
	const struct pt_format *f = mm->fmt;
	uint64_t span = pt_level_size(f, undo->level), last = undo->va + undo->n * span - 1;
	/* What goes: a group's leaves, or a table (link and leaves) that had replaced a leaf. */
	uint64_t what = undo->n == 1
				? PT_GATHER_TABLE(undo->level) | PT_GATHER_LEAF(undo->level - 1)
				: PT_GATHER_LEAF(undo->level);

	for (uint32_t i = 0; i < undo->n; i++)
		pt_leaf_put(mm, undo->ptep + (size_t)i * f->entry_size, 0);
	brk(g, undo->va, last, what);
	for (uint32_t i = 0; i < undo->n; i++)
		pt_leaf_put(mm, undo->ptep + (size_t)i * f->entry_size, undo->old[i]);
	pt_gather_range(g, undo->va, last, what);
	if (undo->n == 1) /* a leaf had become a table */
		pt_gather_free(g, undo->table_pa, pt_table_bytes(f, undo->level - 1));
	pt_mm_bump_gen(mm);
}
