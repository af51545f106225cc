// SPDX-License-Identifier: MIT
/*
 * mprotect: all or nothing — check, split the huge leaves straddling the edges (undone
 * on failure), then commit by steps that cannot fail.
 */
#include <stdlib.h>

#include "mm_internal.h"

/* The splits mprotect's prepare step made, undone in reverse when a later one fails. */
#define MM_MAX_SPLITS (2 * (PT_MAX_LEVELS + 1))
struct split_log {
	unsigned n;
	struct pt_split_undo u[MM_MAX_SPLITS];
};

/* Make b a boundary of leaves and groups: split what straddles it, logging each step. */
static int split_at(struct mm *mm, uint64_t b, struct pt_gather *g, struct split_log *log)
{
	struct mm_walk_state st;

	for (;;) {
		mm_walk_init(&st, &mm->pt);
		if (!mm_walk_seek_leaf(&st, &mm->pt, b))
			return st.err == -PT_ERANGE ? 0 : st.err; /* a hole (or past the half) */
		if (!(b & (mm_walk_group_size(&st) - 1)))
			return 0;
		if (log->n == MM_MAX_SPLITS)
			return -PT_EINVAL; /* cannot happen: each step goes one level down */
		int err = pt_split_leaf(&mm->pt, b, g, &log->u[log->n]);
		if (err)
			return err;
		log->n++;
	}
}

/* Check: every byte of [start, end) has a VMA; no hugetlb page is cut; prot encodes. */
static int mprotect_check(struct mm *mm, uint64_t start, uint64_t end, uint32_t prot)
{
	uint64_t e;
	uint64_t at = start;
	int err;

	if (mm->pt.fmt->ops.encode_leaf(0, 0, prot, &e))
		return mm__fail(-PT_EINVAL, start, "mprotect: the format cannot encode prot");
	for (unsigned i = mm__vma_index(mm, start); at < end; i++) {
		if (i >= mm->nr_vmas || mm->vmas[i].start > at)
			return mm__fail(-PT_ENOENT, at, "mprotect: part of the range has no VMA");
		at = mm->vmas[i].end;
	}
	err = mm__hugetlb_cut(mm, start);
	return err ? err : mm__hugetlb_cut(mm, end);
}

int mm_mprotect(struct mm *mm, uint64_t start, uint64_t size, uint32_t prot)
{
	const uint32_t p = prot & ~(uint32_t)(PT_SPECIAL | PT_YOUNG | PT_DIRTY);
	uint64_t end = start + size;
	struct split_log *log;
	struct mm_walk_state st;
	struct pt_gather g;
	int err;

	log = malloc(sizeof(*log));
	mm__enter(mm, "mm_mprotect");
	if (!mm__range_ok(mm, start, size) || (prot & ~(uint32_t)PT_PROT_REQUEST))
		err = mm__fail(-PT_EINVAL, start, "mprotect: unaligned range or unknown prot bits");
	else if (!log)
		err = mm__fail(-PT_ENOMEM, start, "mprotect: out of memory");
	else
		err = mprotect_check(mm, start, end, p);
	if (log)
		log->n = 0;
	if (!err && mm__vma_reserve(mm, 2))
		err = mm__fail(-PT_ENOMEM, start, "mprotect: no memory for the VMA array");
	/* Prepare: split the leaves straddling the edges (translation unchanged). */
	mm__gather_init(mm, &g);
	if (!err) {
		err = split_at(mm, start, &g, log);
		if (!err)
			err = split_at(mm, end, &g, log);
		if (err) {
			while (log->n)
				pt_split_leaf_undo(&mm->pt, &log->u[--log->n], &g);
			mm__fail(err, g.err_va, "mprotect: cannot split a huge leaf at an edge");
		}
	}
	/* Commit: cannot fail (capacity reserved, every leaf in range fully covered). */
	if (!err) {
		(void)mm__vma_split(mm,
				    start); /* capacity reserved, hugetlb cuts refused: no error */
		(void)mm__vma_split(mm, end);
		for (unsigned i = mm__vma_index(mm, start);
		     i < mm->nr_vmas && mm->vmas[i].start < end; i++)
			mm->vmas[i].prot = p;
		mm_walk_init(&st, &mm->pt);
		for (bool more = mm_walk_first_leaf(&st, &mm->pt, start, end); more;
		     more = mm_walk_next_leaf(&st, end)) {
			uint64_t gsize = mm_walk_group_size(&st), gva = st.va & ~(gsize - 1);
			uint32_t lp = mm_walk_is_write(&st) ? p : p & ~(uint32_t)PT_W;
			int e2 = pt_protect(&mm->pt, gva, gsize, lp, &g);

			if (e2 && !err) /* a broken promise of the core: report, go on */
				err = mm__fail(e2, gva, "mprotect: commit step failed (bug)");
			st.va = gva + gsize - 1; /* the walk re-seeks after the mutation */
			if (gva + gsize >= end)
				break;
		}
		mm__vma_merge(mm);
	}
	pt_gather_flush(&g);
	mm__sync_tables(mm);
	free(log);
	return mm__leave(mm, err);
}
