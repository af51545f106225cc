/* SPDX-License-Identifier: MIT */
/* ptkit: running build spec lines on a tree (include/ptkit/spec.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptkit/ops.h"
#include "ptkit/spec.h"

static const char *verb(enum pt_spec_kind k)
{
	return k == PT_SPEC_MAP ? "map" : k == PT_SPEC_UNMAP ? "unmap" : "protect";
}

int pt_spec_run(struct pt_mm *mm, const struct pt_spec_op *op, char *msg, size_t len)
{
	const struct pt_format *fmt = mm->fmt;
	struct pt_map_req req = { op->va, op->pa, op->size, op->prot, 0, op->page_sizes };
	struct pt_gather g;
	char prot[128];
	int err;

	if (op->kind == PT_SPEC_NONE)
		return 0;
	pt_gather_init(&g, mm);
	if (op->kind == PT_SPEC_MAP)
		err = pt_map(mm, &req, &g);
	else if (op->kind == PT_SPEC_UNMAP)
		err = pt_unmap(mm, op->va, op->size, &g);
	else if (op->kind == PT_SPEC_COLLAPSE)
		err = pt_collapse(mm, op->va, &g);
	else
		err = pt_protect(mm, op->va, op->size, op->prot, &g);
	pt_gather_flush(&g);

	if (err && op->kind == PT_SPEC_COLLAPSE) {
		snprintf(
			msg, len, "collapse 0x%llx: %s", (unsigned long long)op->va,
			err == -PT_ENOENT
				? "not mapped by a table of leaves (a hole or a table in it)"
			: err == -PT_EINVAL
				? "the table's leaves cannot become one leaf of the level above "
				  "(top level, rights or memory type differ, PAs not contiguous or "
				  "not aligned)"
				: pt_strerror(err));
		return err;
	}
	switch (err) {
	case 0:
		break;
	case -PT_EEXIST:
		snprintf(msg, len, "map 0x%llx: overlaps an existing mapping at 0x%llx",
			 (unsigned long long)op->va, (unsigned long long)g.err_va);
		break;
	case -PT_ERANGE:
		snprintf(msg, len, "VA 0x%llx-0x%llx is not canonical for %s (%d-bit VA)",
			 (unsigned long long)op->va, (unsigned long long)(op->va + op->size - 1),
			 fmt->name, fmt->va_bits);
		break;
	case -PT_ENOENT:
		snprintf(msg, len, "protect 0x%llx: 0x%llx is not mapped",
			 (unsigned long long)op->va, (unsigned long long)g.err_va);
		break;
	case -PT_ENOMEM:
		snprintf(msg, len, "no room for another table");
		break;
	case -PT_EINVAL:
		/* The spec parser checked sizes and alignment: what is left is the flags. */
		snprintf(msg, len, "%s cannot %s 0x%llx with flags %s: %s", fmt->name,
			 verb(op->kind), (unsigned long long)g.err_va, pt_prot_str(op->prot, prot),
			 pt_strerror(err));
		break;
	default:
		snprintf(msg, len, "failed at 0x%llx: %s", (unsigned long long)g.err_va,
			 pt_strerror(err));
	}
	return err;
}

int pt_spec_run_text(struct pt_mm *mm, const char *text, size_t len, unsigned *line, bool *full,
		     char *msg, size_t mlen)
{
	const char *p = text, *end = text + len;
	char *buf = NULL;
	size_t cap = 0;
	int ret = 0;

	*line = 0;
	*full = false;
	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		struct pt_spec_op op;

		++*line;
		if (n + 1 > cap) {
			char *b = realloc(buf, n + 1);

			if (!b) {
				snprintf(msg, mlen, "out of memory");
				ret = -PT_ENOMEM;
				break;
			}
			buf = b;
			cap = n + 1;
		}
		memcpy(buf, p, n);
		buf[n] = 0;
		p += n + 1;
		if (pt_spec_parse_line(buf, mm->fmt, &op, msg, mlen)) {
			ret = -PT_EINVAL;
			break;
		}
		ret = pt_spec_run(mm, &op, msg, mlen);
		*full = ret == -PT_ENOMEM && op.kind != PT_SPEC_COLLAPSE;
	}
	free(buf);
	return ret;
}
