/* SPDX-License-Identifier: MIT */
/* Public entry points of the operations: dispatch to the format's compiled copy. */
#include <ptkit/ops.h>

int pt_map(struct pt_mm *mm, const struct pt_map_req *req, struct pt_gather *g)
{
	return mm->fmt->ops.map(mm, req, g);
}

int pt_unmap(struct pt_mm *mm, uint64_t va, uint64_t size, struct pt_gather *g)
{
	return mm->fmt->ops.unmap(mm, va, size, g);
}

int pt_protect(struct pt_mm *mm, uint64_t va, uint64_t size, uint32_t prot, struct pt_gather *g)
{
	return mm->fmt->ops.protect(mm, va, size, prot, g);
}

int pt_translate(struct pt_mm *mm, uint64_t va, struct pt_translation *tr)
{
	return mm->fmt->ops.translate(mm, va, tr);
}

const char *pt_format_mem_attr_reg(const struct pt_format *f, uint64_t *own)
{
	uint64_t v;

	return f->ops.mem_attr_reg(own ? own : &v);
}
