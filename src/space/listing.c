/* SPDX-License-Identifier: MIT */
/*
 * ptkit: listing a tree item by item, as `ptkit dump` lists it (include/ptkit/space.h).
 * walk_page_range fills a small buffer of items and stops when it is full; the next fill
 * resumes at the VA after the last item (the seen-set lets it enter its path's tables again).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "space_internal.h"

#define LIST_BUF 64
#define LIST_ENOMEM (-1000) /* a callback ran out of memory */

/*
 * Tables already entered (by physical address): the VA where each was first entered and the
 * entry (its physical address) that entered it, so that a walk resumed (after a bad entry, a
 * full buffer) may enter it again through the same entry without calling it shared. Open
 * addressing at most half full: a hostile image costs memory linear in its tables.
 */
struct seen_set {
	uint64_t *pa, *va, *from; /* pa 0 is never a key: stored as pa + 1 */
	size_t cap, n;
};

struct pt_listing {
	struct pt_mm *mm;
	const struct pt_dump *dump;
	unsigned trees;
	uint64_t start, end;
	int half;	  /* the half being listed; 2: done */
	bool in_half;	  /* the half's walk has begun */
	uint64_t va;	  /* where the half's walk goes on */
	uint64_t last;	  /* the half's last VA listed */
	uint64_t next_va; /* during a walk: the end of the last leaf, hole or skipped table */
	struct seen_set seen;
	unsigned n, pos; /* items buffered, items handed out */
	struct pt_space_item buf[LIST_BUF];
};

static size_t seen_slot(const struct seen_set *s, uint64_t pa)
{
	size_t i = (size_t)(((pa + 1) * 0x9e3779b97f4a7c15ull) >> 20) & (s->cap - 1);

	while (s->pa[i] && s->pa[i] != pa + 1)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static void seen_free(struct seen_set *s)
{
	free(s->pa);
	free(s->va);
	free(s->from);
}

/*
 * Record table pa entered at va through the entry at `from`: 1, or 0 when another entry
 * entered it before (*first: the VA it was entered at then), or LIST_ENOMEM.
 */
static int seen_add(struct seen_set *s, uint64_t pa, uint64_t va, uint64_t from, uint64_t *first)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct seen_set g = { calloc(cap, 8), calloc(cap, 8), calloc(cap, 8), cap, 0 };

		if (!g.pa || !g.va || !g.from) {
			seen_free(&g);
			return LIST_ENOMEM;
		}
		for (size_t k = 0; k < s->cap; k++)
			if (s->pa[k]) {
				size_t j = seen_slot(&g, s->pa[k] - 1);

				g.pa[j] = s->pa[k];
				g.va[j] = s->va[k];
				g.from[j] = s->from[k];
				g.n++;
			}
		seen_free(s);
		*s = g;
	}
	i = seen_slot(s, pa);
	if (s->pa[i]) {
		*first = s->va[i];
		return s->from[i] == from;
	}
	s->pa[i] = pa + 1;
	s->va[i] = va;
	s->from[i] = from;
	s->n++;
	return 1;
}

static void seen_clear(struct seen_set *s)
{
	if (s->cap) {
		memset(s->pa, 0, s->cap * 8);
		s->n = 0;
	}
}

/* A zeroed item of the current half at the buffer's end (the callbacks keep room for it). */
static struct pt_space_item *new_item(struct pt_listing *l, int kind, int level, uint64_t start,
				      uint64_t end)
{
	struct pt_space_item *it = &l->buf[l->n++];

	/* Field by field: a memset of the head costs more than the item's stores. */
	it->kind = kind;
	it->half = l->half;
	it->level = level;
	it->table_level = 0;
	it->va = start;
	it->size = end - start;
	it->pa = it->group = it->entry = it->first_va = 0;
	it->prot = 0;
	it->code = 0;
	it->why[0] = 0;
	return it;
}

/* After an item: stop the walk when the buffer is full (the next fill resumes at next_va). */
static int after_item(const struct pt_listing *l, int action)
{
	return l->n == LIST_BUF ? MM_WALK_STOP : action;
}

/*
 * Before the walker descends: a table of the walk's own path (a recursive self-map) or one
 * already listed (shared) is listed once, as such, and not walked again.
 */
static int on_table(struct mm_walk_state *st, void *priv)
{
	struct pt_listing *l = priv;
	const struct pt_format *fmt = st->fmt;
	struct pt_entry_info info;
	struct pt_space_item *it;
	uint64_t size = pt_level_size(fmt, st->level), first = 0;
	uint64_t start = st->va & ~(size - 1), end = start + size;
	int fresh;

	pt_format_decode(fmt, st->entry, st->level, &info);
	for (int lv = st->level; lv < fmt->levels; lv++)
		if (mm_walk_table_pa(st, lv) == info.pa) {
			l->next_va = end;
			it = new_item(l, PT_ITEM_SELF_MAP, st->level, start, end);
			it->pa = info.pa;
			it->table_level = lv;
			return after_item(l, MM_WALK_SKIP);
		}
	fresh = seen_add(&l->seen, info.pa, start,
			 mm_walk_table_pa(st, st->level) +
				 (uint64_t)mm_walk_index(st, st->level) * (uint64_t)fmt->entry_size,
			 &first);
	if (fresh)
		return fresh < 0 ? LIST_ENOMEM : MM_WALK_CONTINUE;
	l->next_va = end;
	it = new_item(l, PT_ITEM_SHARED, st->level, start, end);
	it->pa = info.pa;
	it->first_va = first;
	return after_item(l, MM_WALK_SKIP);
}

static int on_hole(uint64_t start, uint64_t end, int level, void *priv)
{
	struct pt_listing *l = priv;

	(void)start, (void)level;
	l->next_va = end;
	return MM_WALK_CONTINUE;
}

uint32_t space_leaf_rights(struct pt_mm *mm, const struct mm_walk_state *st)
{
	struct pt_translation tr;
	int err = pt_translate(mm, mm_walk_leaf_va(st), &tr);

	/* PROT_NONE: translate faults but describes the leaf ("none,..."). */
	return !err || (err == -PT_ENOENT && tr.size) ? tr.prot : mm_walk_prot(st);
}

static int on_leaf(struct mm_walk_state *st, void *priv)
{
	struct pt_listing *l = priv;
	uint64_t va = mm_walk_leaf_va(st), size = mm_walk_leaf_size(st);
	struct pt_space_item *it = new_item(l, PT_ITEM_LEAF, st->level, va, va + size);

	l->next_va = va + size;
	it->pa = mm_walk_leaf_pa(st);
	it->group = mm_walk_group_size(st);
	it->entry = st->entry;
	it->prot = space_leaf_rights(l->mm, st);
	return after_item(l, MM_WALK_CONTINUE);
}

/*
 * The walk stopped on a corrupt entry (err) at or after l->next_va: list it and move l->va
 * past the VAs it covers; false when nothing of the half is left after it.
 */
static bool corrupt_item(struct pt_listing *l, int err)
{
	const struct pt_format *fmt = l->mm->fmt;
	struct mm_walk_state st;
	struct pt_space_item *it;
	uint64_t start, end;
	int level = fmt->levels - 1;

	mm_walk_init(&st, l->mm);
	mm_walk_seek_leaf(&st, l->mm, l->next_va);
	if (st.err == err && st.level >= 0 && st.level < fmt->levels) {
		uint64_t size = pt_level_size(fmt, st.level);

		level = st.level;
		start = l->next_va & ~(size - 1);
		end = start + size;
	} else { /* not found again: the rest of the half is unreadable */
		start = l->next_va;
		end = l->last + 1;
	}
	if (start < l->next_va)
		start = l->next_va;
	it = new_item(l, PT_ITEM_CORRUPT, level, start, end);
	it->code = err;
	if (st.err == err) {
		it->entry = st.entry;
		pt_corrupt_reason(&st, err, l->dump, it->why, sizeof(it->why));
	} else {
		snprintf(it->why, sizeof(it->why), "%s", pt_strerror(err));
	}
	l->va = end;
	return end && end - 1 < l->last;
}

/* Begin half l->half: false when it has nothing to list. LIST_ENOMEM in *ret. */
static bool begin_half(struct pt_listing *l, int *ret)
{
	const struct pt_format *fmt = l->mm->fmt;
	uint64_t lo = fmt->half_base[l->half], first;

	l->last = pt_half_last(fmt, l->half);
	if (fmt->two_roots && !(l->trees & (1u << l->half)))
		return false; /* no root: nothing mapped */
	if (l->start > lo)
		lo = l->start;
	if (l->end && l->end - 1 < l->last)
		l->last = l->end - 1;
	if (lo > l->last)
		return false;
	/* Each half walks its tree afresh (two roots the same: the same tree again). */
	seen_clear(&l->seen);
	*ret = seen_add(&l->seen, l->mm->root[fmt->two_roots ? l->half : 0],
			fmt->half_base[l->half], UINT64_MAX, &first);
	l->va = lo;
	return *ret > 0;
}

/* Walk on until at least one item is buffered or the listing ends: 0, or LIST_ENOMEM. */
static int fill(struct pt_listing *l)
{
	static const struct mm_walk_ops ops = { .leaf_entry = on_leaf,
						.hole = on_hole,
						.table_entry = on_table };

	l->n = l->pos = 0;
	while (!l->n && l->half < 2) {
		int err, ret = 0;

		if (!l->in_half) {
			l->in_half = begin_half(l, &ret);
			if (ret < 0)
				return ret;
			if (!l->in_half) {
				l->half++;
				continue;
			}
		}
		l->next_va = l->va;
		err = walk_page_range(l->mm, l->va, l->last + 1, &ops, l);
		if (err == LIST_ENOMEM)
			return err;
		if (err ? !corrupt_item(l, err)
			: l->n < LIST_BUF || !l->next_va || l->next_va - 1 >= l->last) {
			l->in_half = false; /* the half is done */
			l->half++;
		} else if (!err) {
			l->va = l->next_va; /* the buffer filled up: go on from there */
		}
	}
	return 0;
}

int pt_listing_open(struct pt_listing **out, struct pt_mm *mm, unsigned trees,
		    const struct pt_dump *d, uint64_t start, uint64_t end)
{
	struct pt_listing *l = calloc(1, sizeof(*l));

	*out = l;
	if (!l)
		return -PT_ENOMEM;
	l->mm = mm;
	l->dump = d;
	l->trees = trees;
	l->start = start;
	l->end = end;
	return 0;
}

int pt_listing_next(struct pt_listing *l, const struct pt_space_item **item)
{
	if (l->pos == l->n) {
		if (fill(l)) {
			l->half = 2; /* the listing cannot go on */
			l->n = l->pos = 0;
			return -PT_ENOMEM;
		}
		if (!l->n)
			return 0;
	}
	*item = &l->buf[l->pos++];
	return 1;
}

void pt_listing_close(struct pt_listing *l)
{
	if (!l)
		return;
	seen_free(&l->seen);
	free(l);
}
