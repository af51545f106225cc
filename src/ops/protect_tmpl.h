/* SPDX-License-Identifier: MIT */
/* pt_protect for one format: the shared range loop with R_PROTECT. */
#include "ops/range_tmpl.h"

static int o_protect(struct pt_mm *mm, uint64_t va, uint64_t size, uint32_t prot,
		     struct pt_gather *g)
{
	struct r_ctx c;

	r_init(&c, mm, g, R_PROTECT);
	c.prot = prot;
	if (r_prot_valid(prot) || (prot & (PT_YOUNG | PT_DIRTY | PT_SPECIAL)))
		r_fail(&c, -PT_EINVAL, va);
	else
		r_run(&c, va, size);
	return r_finish(&c);
}
