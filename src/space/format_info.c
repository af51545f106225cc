/* SPDX-License-Identifier: MIT */
/* ptkit: a format's facts and root registers for FFI callers (include/ptkit/space.h). */
#include <string.h>

#include "space_internal.h"

void pt_format_describe(const struct pt_format *fmt, struct pt_format_info *out)
{
	memset(out, 0, sizeof(*out));
	out->name = fmt->name;
	out->description = fmt->description;
	out->levels = fmt->levels;
	out->va_bits = fmt->va_bits;
	out->pa_bits = fmt->pa_bits;
	out->entry_size = fmt->entry_size;
	out->half_bits = fmt->half_bits;
	out->big_endian = fmt->big_endian;
	out->two_roots = fmt->two_roots;
	out->page_sizes = fmt->page_sizes;
	out->half_base[0] = fmt->half_base[0];
	out->half_base[1] = fmt->half_base[1];
	for (int l = 0; l < fmt->levels && l < PT_MAX_LEVELS; l++)
		out->level_name[l] = fmt->level_name[l];
}

int pt_root_of_reg(const struct pt_format *fmt, uint64_t reg, uint64_t *root, char *err, size_t len)
{
	const char *why = "";
	int ret = fmt->ops.root_of_reg(reg, root, &why);

	if (ret)
		return space_fail(ret, err, len, "0x%llx: %s (%s)", (unsigned long long)reg, why,
				  fmt->name);
	return 0;
}

int pt_roots_of_table_reg(const struct pt_format *fmt, uint64_t reg, uint64_t lpid, uint64_t pid,
			  pt_phys_read_fn read, void *ctx, uint64_t roots[2], char *err, size_t len)
{
	struct pt_table_roots out = { 0 };
	const char *why = "";
	int ret = fmt->ops.roots_of_table_reg(reg, lpid, pid, read, ctx, &out, &why);

	if (ret && out.failed)
		return space_fail(ret, err, len,
				  "table register 0x%llx: the process-table entry of PID %llu at "
				  "0x%llx (0x%016llx): %s",
				  (unsigned long long)reg,
				  (unsigned long long)(out.failed == 1 ? pid : 0),
				  (unsigned long long)out.entry_pa[out.failed - 1],
				  (unsigned long long)out.entry[out.failed - 1], why);
	if (ret)
		return space_fail(ret, err, len,
				  "table register 0x%llx (LPID %llu, PID %llu): %s (%s)",
				  (unsigned long long)reg, (unsigned long long)lpid,
				  (unsigned long long)pid, why, fmt->name);
	roots[0] = out.root[0];
	roots[1] = out.root[1];
	return 0;
}
