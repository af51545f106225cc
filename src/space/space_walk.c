/* SPDX-License-Identifier: MIT */
/* ptkit: translating and listing leaves of a pt_space (include/ptkit/space.h). */
#include <stdio.h>

#include "space_internal.h"

static const char *lname(const struct pt_format *fmt, int level)
{
	return level >= 0 && level < fmt->levels && fmt->level_name[level] ? fmt->level_name[level]
									   : "?";
}

/* The half (0, 1) holding va, or -1 when fmt does not translate va. */
static int half_of(const struct pt_format *fmt, uint64_t va)
{
	for (int h = 0; h < 2; h++)
		if (va >= fmt->half_base[h] && va <= pt_half_last(fmt, h))
			return h;
	return -1;
}

static bool has_tree(const struct pt_space *s, int h)
{
	return !s->fmt->two_roots || (s->trees & (1u << h));
}

/*
 * Remember what the corrupt entry the walk s->st stopped on (code) covers, from va on: its
 * entry's span, or the rest of the half up to last when the walk has no level for it.
 */
static void corrupt_span(struct pt_space *s, uint64_t va, uint64_t last, int code)
{
	const struct mm_walk_state *st = &s->st;

	s->corrupt = true;
	s->corrupt_start = va;
	s->corrupt_end = last + 1;
	s->corrupt_level = s->fmt->levels - 1;
	if (st->err == code && st->level >= 0 && st->level < s->fmt->levels) {
		uint64_t size = pt_level_size(s->fmt, st->level);
		uint64_t first = st->va & ~(size - 1), end = first + size;

		s->corrupt_level = st->level;
		if (first > va)
			s->corrupt_start = first;
		if (end - 1 < last)
			s->corrupt_end = end;
	}
}

bool pt_space_corrupt_span(const struct pt_space *s, uint64_t *start, uint64_t *end, int *level)
{
	if (!s->corrupt)
		return false;
	*start = s->corrupt_start;
	*end = s->corrupt_end;
	*level = s->corrupt_level;
	return true;
}

/*
 * A reader space's words for a walk stopped (code) on table entry `entry` at level whose
 * table its read callback has no memory for; false (why untouched) for anything else.
 */
static bool reader_reason(const struct pt_space *s, int code, uint64_t entry, int level, char *why,
			  size_t len)
{
	struct pt_entry_info info;

	if (s->kind != SPACE_READER || code != -PT_EFAULT || level < 0 || level >= s->fmt->levels)
		return false;
	pt_format_decode(s->fmt, entry, level, &info);
	if (info.kind != PT_ENTRY_TABLE)
		return false;
	snprintf(why, len, "table pointer 0x%llx: the reader has no memory there",
		 (unsigned long long)info.pa);
	return true;
}

/* err for the corrupt walk s->st stopped on (code): "0x<va>: why at <level>". */
static int corrupt(struct pt_space *s, uint64_t va, int code, char *err, size_t len)
{
	const struct mm_walk_state *st = &s->st;
	char why[256];

	if (st->err != code || !reader_reason(s, code, st->entry, st->level, why, sizeof(why)))
		pt_corrupt_reason(st, code, s->kind == SPACE_DUMP ? &s->dump : NULL, why,
				  sizeof(why));
	return space_fail(code, err, len, "0x%llx: %s at %s", (unsigned long long)va, why,
			  lname(s->fmt, st->err == code ? st->level : s->fmt->levels - 1));
}

int pt_space_translate(struct pt_space *s, uint64_t va, struct pt_translation *tr, char *err,
		       size_t len)
{
	const struct pt_format *fmt = s->fmt;
	int h = half_of(fmt, va), ret;

	*tr = (struct pt_translation){ 0 };
	s->corrupt = false;
	if (h < 0) {
		tr->level = -1;
		return space_fail(-PT_ERANGE, err, len,
				  "0x%llx: not a canonical address for %s (%d-bit VA)",
				  (unsigned long long)va, fmt->name, fmt->va_bits);
	}
	if (!has_tree(s, h)) { /* no root: the MMU faults on the first level */
		tr->level = fmt->levels - 1;
		return space_fail(-PT_ENOENT, err, len, "0x%llx: not mapped (no %s root)",
				  (unsigned long long)va, h ? "upper-half" : "lower-half");
	}
	ret = pt_translate(&s->mm, va, tr);
	if (tr->size) /* a leaf, PROT_NONE ones too */
		tr->prot = space_leaf_prot(s, tr->prot, tr->entry, tr->level);
	if (!ret)
		return 0;
	if (ret == -PT_ENOENT)
		return space_fail(ret, err, len, "0x%llx: not mapped (fault at %s)",
				  (unsigned long long)va, lname(fmt, tr->level));
	mm_walk_seek_leaf(&s->st, &s->mm, va);
	corrupt_span(s, va, pt_half_last(fmt, h), ret);
	return corrupt(s, va, ret, err, len);
}

/* Fill leaf from the leaf s->st stands on. */
static void fill_leaf(struct pt_space *s, struct pt_space_leaf *leaf)
{
	const struct mm_walk_state *st = &s->st;

	leaf->va = mm_walk_leaf_va(st);
	leaf->pa = mm_walk_leaf_pa(st);
	leaf->size = mm_walk_leaf_size(st);
	leaf->group = mm_walk_group_size(st);
	leaf->entry = st->entry;
	leaf->level = st->level;
	leaf->prot = space_leaf_prot(s, space_leaf_rights(&s->mm, st), st->entry, st->level);
}

int pt_space_next_leaf(struct pt_space *s, uint64_t *va, uint64_t end, struct pt_space_leaf *leaf,
		       char *err, size_t len)
{
	const struct pt_format *fmt = s->fmt;

	s->corrupt = false;
	for (int h = 0; h < 2; h++) {
		uint64_t lo = fmt->half_base[h], last = pt_half_last(fmt, h);

		if (!has_tree(s, h))
			continue;
		if (*va > lo)
			lo = *va;
		if (end && end - 1 < last)
			last = end - 1;
		if (lo > last)
			continue;
		if (mm_walk_first_leaf(&s->st, &s->mm, lo, last + 1)) {
			fill_leaf(s, leaf);
			*va = leaf->va + leaf->size;
			return 1;
		}
		if (s->st.err) {
			corrupt_span(s, lo, last, s->st.err);
			return corrupt(s, s->corrupt_start, s->st.err, err, len);
		}
	}
	return 0;
}

void pt_space_list_reset(struct pt_space *s)
{
	pt_listing_close(s->list);
	s->list = NULL;
}

int pt_space_next_item(struct pt_space *s, uint64_t *va, uint64_t end, struct pt_space_item *item,
		       char *err, size_t len)
{
	const struct pt_space_item *it;
	int ret;

	if (!s->list || s->list_va != *va || s->list_end != end) {
		pt_space_list_reset(s);
		ret = pt_listing_open(&s->list, &s->mm, s->trees,
				      s->kind == SPACE_DUMP ? &s->dump : NULL, *va, end);
		if (ret)
			return space_fail(ret, err, len, "out of memory");
		s->list_end = end;
	}
	ret = pt_listing_next(s->list, &it);
	if (ret <= 0) { /* the end (or a listing that cannot go on): the next call starts anew */
		pt_space_list_reset(s);
		return ret ? space_fail(ret, err, len, "out of memory") : 0;
	}
	*item = *it;
	if (item->kind == PT_ITEM_LEAF)
		item->prot = space_leaf_prot(s, item->prot, item->entry, item->level);
	if (item->kind == PT_ITEM_CORRUPT && item->entry)
		reader_reason(s, item->code, item->entry, item->level, item->why,
			      sizeof(item->why));
	*va = s->list_va = item->va + item->size;
	if (!*va) /* nothing comes after 2^64 */
		pt_space_list_reset(s);
	return 1;
}
