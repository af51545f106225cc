/* SPDX-License-Identifier: MIT */
/* mm_walk_path_unchanged: re-read a retained walk path (lockless readers' re-check). */
#include <ptkit/walk.h>

bool mm_walk_path_unchanged(const struct mm_walk_state *st)
{
	const struct pt_format *f = st->fmt;

	if (!st->gen || !st->ptep || st->level < 0 || st->level >= f->levels)
		return false;
	for (int l = f->levels - 1; l > st->level; l--) {
		const struct mm_walk_level *pl = &st->path[l];

		if (!pl->table ||
		    pt_entry_load(f, pl->table + (size_t)mm_walk_index(st, l) * f->entry_size) !=
			    pl->entry)
			return false;
	}
	return pt_entry_load(f, st->ptep) == st->entry;
}
