/* SPDX-License-Identifier: MIT */
/*
 * Diagnostic only (not a ptkit API): the generic walker template (src/walk/walk_tmpl.h,
 * the library's own source) compiled straight into the benchmark for one format and
 * driven without the run-time dispatch (pt_format.ops function pointers): the seek is
 * w_seek, the scan the same inline window step as mm_walk_next_leaf with w_next_leaf as
 * its direct (not indirect) slow path. The gap between this and the public-API numbers is
 * the cost of dispatch; the gap between this and the reference is the cost of the walker
 * itself. The includer includes one src/fmt/<format>.h and defines DIAG_SYM.
 */
#pragma GCC diagnostic ignored "-Wunused-function"

#include "walk/walk_tmpl.h"

#include "diag.h"

static uint64_t d_scan(struct pt_mm *mm, uint64_t start, uint64_t end, uint64_t *count)
{
	struct mm_walk_state st;
	uint64_t sum = 0, n = 0;
	bool more;

	mm_walk_init(&st, mm);
	more = w_seek(&st, mm, start);
	if (!more && !st.err)
		more = w_next_leaf(&st, end);
	while (more) {
		n++;
		sum += st.pa;
		more = mm_walk_next_leaf_(&st, end, w_next_leaf);
	}
	*count = n;
	return sum;
}

static uint64_t d_seek_many(struct pt_mm *mm, const uint64_t *va, size_t nva, uint64_t *faults)
{
	struct mm_walk_state st;
	uint64_t sum = 0, nf = 0;

	mm_walk_init(&st, mm);
	for (size_t i = 0; i < nva; i++) {
		if (w_seek(&st, mm, va[i]))
			sum += st.pa + (va[i] & (w_span(st.level) - 1));
		else
			nf++;
	}
	*faults = nf;
	return sum;
}

const struct diag_format DIAG_SYM = {
	.name = FMT_NAME,
	.scan = d_scan,
	.seek_many = d_seek_many,
};
