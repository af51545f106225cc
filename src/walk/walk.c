/* SPDX-License-Identifier: MIT */
/* Format-independent entry points of the walker. */
#include <ptkit/walk.h>

bool mm_walk_first_leaf(struct mm_walk_state *st, struct pt_mm *mm, uint64_t start, uint64_t end)
{
	return mm_walk_first_leaf_(st, mm, start, end);
}

int walk_page_range(struct pt_mm *mm, uint64_t start, uint64_t end, const struct mm_walk_ops *ops,
		    void *priv)
{
	return mm->fmt->ops.walk_range(mm, start, end, ops, priv);
}
