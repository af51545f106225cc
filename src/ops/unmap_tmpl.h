/* SPDX-License-Identifier: MIT */
/* pt_unmap for one format: the shared range loop with R_UNMAP. */
#include "ops/range_tmpl.h"

static int o_unmap(struct pt_mm *mm, uint64_t va, uint64_t size, struct pt_gather *g)
{
	struct r_ctx c;

	r_init(&c, mm, g, R_UNMAP);
	r_run(&c, va, size);
	return r_finish(&c);
}
