/* SPDX-License-Identifier: MIT */
/* ptkit: the format and roots a CPU's registers select (include/ptkit/space.h). */
#include <stdio.h>
#include <string.h>

#include "space_internal.h"

/* err for an answer of roots_of_cpu: "[name: ]why (registers read)". */
static int cpu_fail(const char *name, int code, const struct pt_cpu_roots *out, const char *why,
		    char *err, size_t len)
{
	const char *sep = name ? ": " : "";

	if (!name)
		name = "";
	if (out->missing)
		return space_fail(code, err, len, "%s%sregister %s is not available%s%s%s", name,
				  sep, out->missing, out->regs[0] ? " (read: " : "", out->regs,
				  out->regs[0] ? ")" : "");
	return space_fail(code, err, len, "%s%s%s%s%s%s", name, sep, why, out->regs[0] ? " (" : "",
			  out->regs, out->regs[0] ? ")" : "");
}

int pt_roots_of_cpu(const struct pt_format *fmt, pt_reg_fn reg, void *ctx, pt_phys_read_fn read,
		    void *rctx, struct pt_cpu_roots *out, char *err, size_t len)
{
	const char *why = "";
	int ret = fmt->ops.roots_of_cpu(reg, ctx, read, rctx, out, &why);

	return ret ? cpu_fail(fmt->name, ret, out, why, err, len) : 0;
}

/* err: "REGS: fmtA, fmtB: why1; fmtC: why2", the formats grouped by their answer. */
static int no_match(const struct pt_format **all, const char **whys, unsigned count,
		    const struct pt_cpu_roots *first, char *err, size_t len)
{
	char buf[1024];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "the registers select no ptkit format (%s)",
				    first->regs);

	for (unsigned i = 0; i < count; i++) {
		bool seen = false;

		for (unsigned j = 0; j < i && !seen; j++)
			seen = !strcmp(whys[j], whys[i]);
		if (seen)
			continue;
		for (unsigned j = i; j < count; j++)
			if (!strcmp(whys[j], whys[i]) && n < sizeof(buf))
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
						      j == i ? (i ? "; " : ": ") : ", ",
						      all[j]->name);
		if (n < sizeof(buf))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, ": %s", whys[i]);
	}
	return space_fail(-PT_EINVAL, err, len, "%s", buf);
}

int pt_formats_of_cpu(uint16_t machine, pt_reg_fn reg, void *ctx, pt_phys_read_fn read, void *rctx,
		      const struct pt_format **fmts, struct pt_cpu_roots *roots, unsigned *n,
		      char *err, size_t len)
{
	const struct pt_format *f, *all[32];
	const char *whys[32];
	struct pt_cpu_roots first = { 0 }, out;
	unsigned count = 0, found = 0, cap = *n;

	*n = 0;
	for (unsigned i = 0; (f = pt_format_at(i)) && count < 32; i++) {
		const char *why = "";
		int ret;

		if (f->elf_machine != machine)
			continue;
		ret = f->ops.roots_of_cpu(reg, ctx, read, rctx, &out, &why);
		if (ret && ret != -PT_EINVAL) /* the CPU's state, not the format's: no name */
			return cpu_fail(NULL, ret, &out, why, err, len);
		if (!count)
			first = out;
		all[count] = f;
		whys[count++] = ret ? why : NULL;
		if (!ret && found < cap) {
			fmts[found] = f;
			roots[found++] = out;
		}
	}
	if (!count)
		return space_fail(-PT_EINVAL, err, len, "no ptkit format is for ELF machine %u",
				  (unsigned)machine);
	*n = found;
	if (found)
		return 0;
	return no_match(all, whys, count, &first, err, len);
}
