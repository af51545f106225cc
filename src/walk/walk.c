/* SPDX-License-Identifier: MIT */
/* Format-independent parts of the walker: accessors and the range-walk entry points. */
#include <ptkit/walk.h>

static struct pt_entry_info decode(const struct mm_walk_state *st)
{
	struct pt_entry_info info;
	st->fmt->ops.decode(st->entry, st->level, &info);
	return info;
}

static bool leaf_has(const struct mm_walk_state *st, uint32_t bit)
{
	struct pt_entry_info info;
	if (st->kind != PT_ENTRY_LEAF)
		return false;
	info = decode(st);
	return (info.prot & bit) != 0;
}

bool mm_walk_is_present(const struct mm_walk_state *st) { return st->kind == PT_ENTRY_TABLE || st->kind == PT_ENTRY_LEAF; }
bool mm_walk_is_leaf(const struct mm_walk_state *st) { return st->kind == PT_ENTRY_LEAF; }
bool mm_walk_is_write(const struct mm_walk_state *st) { return leaf_has(st, PT_W); }
bool mm_walk_is_exec(const struct mm_walk_state *st) { return leaf_has(st, PT_X); }
bool mm_walk_is_user(const struct mm_walk_state *st) { return leaf_has(st, PT_USER); }
bool mm_walk_is_dirty(const struct mm_walk_state *st) { return leaf_has(st, PT_DIRTY); }
bool mm_walk_is_young(const struct mm_walk_state *st) { return leaf_has(st, PT_YOUNG); }
bool mm_walk_is_global(const struct mm_walk_state *st) { return leaf_has(st, PT_GLOBAL); }
bool mm_walk_is_special(const struct mm_walk_state *st) { return leaf_has(st, PT_SPECIAL); }

uint32_t mm_walk_prot(const struct mm_walk_state *st)
{
	return st->kind == PT_ENTRY_LEAF ? decode(st).prot : 0;
}

uint64_t mm_walk_leaf_size(const struct mm_walk_state *st) { return pt_level_size(st->fmt, st->level); }

uint64_t mm_walk_group_size(const struct mm_walk_state *st)
{
	return mm_walk_leaf_size(st) * (st->kind == PT_ENTRY_LEAF ? decode(st).contig : 1);
}

uint64_t mm_walk_leaf_va(const struct mm_walk_state *st) { return st->va & ~(mm_walk_leaf_size(st) - 1); }

uint64_t mm_walk_leaf_pa(const struct mm_walk_state *st)
{
	struct pt_entry_info info;
	uint64_t size = mm_walk_leaf_size(st), gsize;

	if (st->kind != PT_ENTRY_LEAF)
		return 0;
	info = decode(st);
	gsize = size * info.contig;
	return (info.pa & ~(gsize - 1)) + (st->va & (gsize - 1) & ~(size - 1));
}

const char *mm_walk_level_name(const struct mm_walk_state *st) { return st->fmt->level_name[st->level]; }

bool mm_walk_first_leaf(struct mm_walk_state *st, struct pt_mm *mm, uint64_t start, uint64_t end)
{
	if (end && end <= start)
		return false;
	if (mm_walk_seek_leaf(st, mm, start))
		return true;
	if (st->err)
		return false;
	return mm_walk_next_leaf(st, end);
}

int walk_page_range(struct pt_mm *mm, uint64_t start, uint64_t end, const struct mm_walk_ops *ops,
		    void *priv)
{
	return mm->fmt->ops.walk_range(mm, start, end, ops, priv);
}
