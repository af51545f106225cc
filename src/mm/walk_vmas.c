// SPDX-License-Identifier: MIT
/* mm_walk_vmas: walk_page_range over the VMAs of an address space. */
#include "mm_internal.h"

struct vw {
	const struct mm_vma_walk_ops *ops;
	const struct mm_vma *vma;
	void *priv;
	bool stopped;
};

static int vw_leaf(struct mm_walk_state *st, void *p)
{
	struct vw *w = p;
	int r = w->ops->leaf_entry(st, w->vma, w->priv);
	w->stopped |= r == MM_WALK_STOP;
	return r;
}

static int vw_hole(uint64_t start, uint64_t end, int level, void *p)
{
	struct vw *w = p;
	int r = w->ops->hole(start, end, level, w->vma, w->priv);
	w->stopped |= r == MM_WALK_STOP;
	return r;
}

int mm_walk_vmas(struct mm *mm, uint64_t start, uint64_t end, const struct mm_vma_walk_ops *ops,
		 void *priv)
{
	struct mm_walk_ops inner = { .leaf_entry = ops->leaf_entry ? vw_leaf : NULL,
				     .hole = ops->hole ? vw_hole : NULL };
	struct vw w = { .ops = ops, .priv = priv };
	uint64_t at = start;
	int r = 0;

	mm__enter(mm, "mm_walk_vmas");
	if (end <= start)
		return mm__leave(mm, mm__fail(-PT_EINVAL, start, "walk: end is not above start"));
	for (;;) {
		const struct mm_vma *v;
		unsigned i = 0;

		while (i < mm->nr_vmas && mm->vmas[i].end <= at) /* first VMA ending above at */
			i++;
		v = i < mm->nr_vmas && mm->vmas[i].start < end ? &mm->vmas[i] : NULL;
		if (!v || v->start > at) {
			uint64_t gend = v ? v->start : end;
			r = ops->hole ? ops->hole(at, gend, -1, NULL, priv) : 0;
			if (r < 0 || r == MM_WALK_STOP || !v)
				break;
			at = gend;
		}
		r = ops->test_walk ? ops->test_walk(at, mm__min(end, v->end), v, priv) : 0;
		if (r < 0 || r == MM_WALK_STOP)
			break;
		if (r != MM_WALK_SKIP) {
			w.vma = v;
			r = walk_page_range(&mm->pt, at, mm__min(end, v->end), &inner, &w);
			if (r < 0 || w.stopped)
				break;
		}
		r = 0;
		at = v->end;
		if (at >= end)
			break;
	}
	return mm__leave(mm, r == MM_WALK_STOP || r == MM_WALK_SKIP ? 0 : r);
}
