/* SPDX-License-Identifier: MIT */
/* pt_map for one format: validate, then the shared range loop with R_MAP. */
#include "ops/range_tmpl.h"

static int o_map(struct pt_mm *mm, const struct pt_map_req *req, struct pt_gather *g)
{
	struct r_ctx c;
	uint64_t pa_last = req->pa + req->size - 1;

	r_init(&c, mm, g, R_MAP);
	c.prot = req->prot;
	c.pkey = req->pkey;
	c.page_sizes = req->page_sizes;
	c.pa_off = req->pa - req->va;
	if (r_prot_valid(req->prot) || (req->pa & (w_span(0) - 1)) ||
	    (req->page_sizes & ~FMT_PAGE_SIZES) ||
	    (FMT_PKEY_BITS < 32 && (req->pkey >> FMT_PKEY_BITS)))
		r_fail(&c, -PT_EINVAL, req->va);
	else if (req->size && (pa_last < req->pa || (FMT_PA_BITS < 64 && (pa_last >> FMT_PA_BITS))))
		r_fail(&c, -PT_ERANGE, req->va);
	else
		r_run(&c, req->va, req->size);
	return r_finish(&c);
}
