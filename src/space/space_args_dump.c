/* SPDX-License-Identifier: MIT */
/*
 * ptkit: a dump's format and roots chosen and checked (src/space/space_args.h), for
 * pt_space_open_dump and `ptkit translate` / `ptkit dump`: what is chosen without being
 * given goes to the notes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ptkit/ptkit.h"
#include "ptkit/spec.h"
#include "space_args.h"

static void say_note(struct space_say *say, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say_note(struct space_say *say, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	say->note(say->ctx, line);
}

int space_raw_check(bool has_fmt, bool raw, uint64_t base, struct space_say *say)
{
	if (raw && (base & 4095))
		return space_say_fail(say, -PT_EINVAL, false, "%s 0x%llx: not aligned to 4K",
				      say->words->base, (unsigned long long)base);
	if (raw && !has_fmt)
		return space_say_fail(say, -PT_EINVAL, true,
				      "%s (a raw image does not say which it is)",
				      say->words->no_format);
	return 0;
}

/* No format: the one the dump's CPU state pins down, or the one its VMCOREINFO fits. */
static int format_of_dump(const struct pt_dump *d, const struct pt_format **out,
			  struct space_say *say)
{
	const char *nof = say->words->no_format, *want, *why;
	const struct pt_format *f, *found = NULL;
	char names[512] = "";
	uint64_t reg, root;
	unsigned n = 0;

	if (pt_dump_cpu_root(d, &reg, &want)) {
		*out = pt_format_find(want);
		if (!*out)
			return space_say_fail(say, -PT_EINVAL, false,
					      "the dump's CPU uses %s, unknown", want);
		say_note(say, "no %s: %s, from CPU 0's paging mode in the dump", say->words->format,
			 want);
		return 0;
	}
	if (!d->machine || !d->vmcoreinfo)
		return space_say_fail(say, -PT_EINVAL, true,
				      "%s (the %s says neither its CPU state nor its kernel's "
				      "paging)",
				      nof, pt_dump_kind_name(d->kind));
	for (unsigned i = 0; (f = pt_format_at(i)); i++) {
		if (f->elf_machine != d->machine || pt_dump_kernel_root(d, f, &root, &why))
			continue;
		if (strlen(names) + strlen(f->name) + 3 < sizeof(names))
			strcat(strcat(names, n ? ", " : ""), f->name);
		found = f;
		n++;
	}
	if (n > 1)
		return space_say_fail(say, -PT_EINVAL, true, "%s: the dump's kernel fits %s", nof,
				      names);
	if (!n)
		return space_say_fail(say, -PT_EINVAL, true,
				      "%s (no format of the dump's machine, ELF e_machine %u, fits "
				      "what its VMCOREINFO says)",
				      nof, d->machine);
	say_note(say, "no %s: %s, the one format of the dump's machine its VMCOREINFO fits",
		 say->words->format, found->name);
	*out = found;
	return 0;
}

int space_dump_format(const struct pt_dump *d, const struct pt_format **fmt, struct space_say *say)
{
	if (!*fmt)
		return format_of_dump(d, fmt, say);
	if (d->machine && d->machine != (*fmt)->elf_machine)
		return space_say_fail(
			say, -PT_EINVAL, false,
			"%s %s: the dump is of another architecture (ELF e_machine %u)",
			say->words->format, (*fmt)->name, d->machine);
	return 0;
}

/*
 * The Linux kernel's root from the dump's VMCOREINFO: a two-root format's upper half's,
 * both halves' otherwise. opt: the option that asked for it ("--root"), NULL: no root given.
 */
static int kernel_root(const struct pt_dump *d, const struct pt_format *fmt, const char *opt,
		       uint64_t *root, struct space_say *say)
{
	const char *why = "";
	char how[64];
	int ret = pt_dump_kernel_root(d, fmt, root, &why);

	if (opt)
		snprintf(how, sizeof(how), "%s kernel", opt);
	else
		snprintf(how, sizeof(how), "no %s", say->words->root);
	if (ret == -PT_ENOENT && !d->vmcoreinfo)
		return space_say_fail(say, ret, true, "%s: the %s has no VMCOREINFO note%s", how,
				      pt_dump_kind_name(d->kind),
				      opt ? "" : " nor CPU state to take the root from");
	if (ret)
		return space_say_fail(say, ret, false, "%s: the dump's VMCOREINFO: %s (%s)", how,
				      why, fmt->name);
	say_note(say,
		 "%s: the root table at 0x%llx, the kernel's swapper_pg_dir from the dump's "
		 "VMCOREINFO%s",
		 how, (unsigned long long)*root, fmt->two_roots ? " (the upper half's)" : "");
	return 0;
}

/* No root: the dump's first CPU's root register, or else the kernel's root. */
static int root_from_dump(const struct pt_dump *d, const struct pt_format *fmt, uint64_t *root,
			  unsigned *trees, struct space_say *say)
{
	const char *want, *why = "", *opt = say->words->format;
	uint64_t reg;

	if (!pt_dump_cpu_root(d, &reg, &want)) {
		if (fmt->two_roots)
			*trees = SPACE_UPPER;
		return kernel_root(d, fmt, NULL, root, say);
	}
	if (strcmp(want, fmt->name))
		return space_say_fail(
			say, -PT_EINVAL, false,
			"%s %s: the dump's CPU 0 uses %s paging (CR4.LA57 = %d): %s %s", opt,
			fmt->name, want[6] ? "5-level" : "4-level", want[6] != 0, opt, want);
	if (fmt->ops.root_of_reg(reg, root, &why))
		return space_say_fail(say, -PT_EINVAL, false,
				      "the dump's CPU 0 root register 0x%llx: %s",
				      (unsigned long long)reg, why);
	say_note(say,
		 "no %s: the root table at 0x%llx, from CPU 0's CR3 0x%llx in the dump (%u CPU%s)",
		 say->words->root, (unsigned long long)*root, (unsigned long long)reg, d->cpus,
		 d->cpus == 1 ? "" : "s");
	return 0;
}

/*
 * The root table in a root option's value, which may be the format's root register as the
 * CPU holds it (CR3 with a PCID, TTBR with an ASID, satp with MODE and ASID, a radix
 * process-table entry): the bits that are not the address are dropped, and noted.
 */
static int root_value(const struct pt_format *fmt, const char *opt, const char *val, uint64_t *root,
		      struct space_say *say)
{
	const char *why = "";
	uint64_t reg;

	if (!pt_parse_num(val, &reg))
		return space_say_fail(say, -PT_EINVAL, true, "%s: bad number '%s'", opt, val);
	if (fmt->ops.root_of_reg(reg, root, &why))
		return space_say_fail(say, -PT_EINVAL, false, "%s %s: %s (%s)", opt, val, why,
				      fmt->name);
	if (*root != reg)
		say_note(say,
			 "%s %s: the root table at 0x%llx (the rest of the %s register value "
			 "ignored)",
			 opt, val, (unsigned long long)*root, fmt->name);
	return 0;
}

/* root and root1 as given (see space_dump_roots), unchecked. */
static int choose_roots(const struct pt_dump *d, const struct pt_format *fmt, const char *root,
			const char *root1, uint64_t r[2], unsigned *trees, struct space_say *say)
{
	const char *o0 = say->words->root, *o1 = say->words->root1;
	const bool two = fmt->two_roots;
	const bool k0 = root && !strcmp(root, "kernel"), k1 = root1 && !strcmp(root1, "kernel");
	int ret;

	*trees = SPACE_BOTH;
	if (root1 && !root)
		return space_say_fail(say, -PT_EINVAL, true, "%s without %s", o1, o0);
	if (!root) {
		ret = root_from_dump(d, fmt, &r[0], trees, say);
		r[1] = r[0];
		return ret;
	}
	if (k0) {
		if (root1)
			return space_say_fail(say, -PT_EINVAL, true,
					      "%s kernel with %s: give the lower half's root as %s "
					      "and %s kernel",
					      o0, o1, o0, o1);
		if (two)
			*trees = SPACE_UPPER;
		ret = kernel_root(d, fmt, o0, &r[0], say);
		r[1] = r[0];
		return ret;
	}
	ret = root_value(fmt, o0, root, &r[0], say);
	if (ret)
		return ret;
	if (!root1) {
		r[1] = r[0];
		if (two)
			*trees = SPACE_LOWER;
		return 0;
	}
	if (k1 && !two)
		return space_say_fail(say, -PT_EINVAL, true,
				      "%s kernel: %s has one root for both halves (%s kernel)", o1,
				      fmt->name, o0);
	ret = k1 ? kernel_root(d, fmt, o1, &r[1], say) : root_value(fmt, o1, root1, &r[1], say);
	if (!ret && !two && r[1] != r[0])
		return space_say_fail(say, -PT_EINVAL, false,
				      "%s 0x%llx: %s has one root for both halves (give %s only)",
				      o1, (unsigned long long)r[1], fmt->name, o0);
	return ret;
}

int space_dump_roots(const struct pt_dump *d, const struct pt_format *fmt, const char *root,
		     const char *root1, uint64_t r[2], unsigned *trees, struct space_say *say)
{
	const char *o0 = say->words->root;
	int ret = choose_roots(d, fmt, root, root1, r, trees, say);

	if (ret)
		return ret;
	say->usage = false; /* a root given that is no root table: the data's fault */
	if (*trees & SPACE_LOWER)
		ret = space_root_check(fmt, d->mem, d, o0, r[0], say->err, say->len);
	if (!ret && (r[1] != r[0] || !(*trees & SPACE_LOWER)))
		ret = space_root_check(fmt, d->mem, d, root1 ? say->words->root1 : o0, r[1],
				       say->err, say->len);
	return ret;
}

/*
 * A root table is aligned to its size, like every other table (TTBRn_EL1 BADDR bits below
 * the table size are RES0; radix tables are aligned to their size, docs/formats/ppc64.md):
 * sub-page arm64 roots to theirs, 64K roots (arm64 64K granule, ppc64 radix) to 64K. A
 * root that is not would be read by ptkit at an address the MMU does not use.
 */
int space_root_check(const struct pt_format *fmt, const struct pt_mem *m, const struct pt_dump *d,
		     const char *what, uint64_t root, char *err, size_t len)
{
	struct space_say say = { .err = err, .len = len };
	uint64_t bytes = pt_table_bytes(fmt, fmt->levels - 1);
	char sz[32], why[256];

	if (root & (bytes - 1))
		return space_say_fail(
			&say, -PT_EINVAL, false,
			"%s 0x%llx: not aligned to %s, the size of the root table of %s", what,
			(unsigned long long)root, pt_size_str(bytes, sz), fmt->name);
	/* The root register holds pa_bits of address: a root past them is none the MMU uses. */
	if (fmt->pa_bits < 64 && (root >> fmt->pa_bits || bytes > (1ull << fmt->pa_bits) - root))
		return space_say_fail(&say, -PT_ERANGE, false,
				      "%s 0x%llx: beyond the %d-bit PA limit of %s", what,
				      (unsigned long long)root, fmt->pa_bits, fmt->name);
	if (m->table) {
		if (m->table(m, root, bytes))
			return 0;
		if (d && pt_dump_explain(d, root, bytes, why, sizeof(why)))
			return space_say_fail(&say, -PT_EFAULT, false,
					      "%s 0x%llx: the root table cannot be read: %s", what,
					      (unsigned long long)root, why);
		if (d)
			return space_say_fail(&say, -PT_EFAULT, false,
					      "%s 0x%llx: the %s file's memory does not hold the "
					      "%llu-byte root table",
					      what, (unsigned long long)root,
					      pt_dump_kind_name(d->kind),
					      (unsigned long long)bytes);
		return space_say_fail(&say, -PT_EFAULT, false,
				      "%s 0x%llx: the %llu-byte root table cannot be read (the "
				      "reader has no memory there)",
				      what, (unsigned long long)root, (unsigned long long)bytes);
	}
	if (root < m->base || root - m->base >= m->size)
		return space_say_fail(&say, -PT_EFAULT, false,
				      "%s 0x%llx: outside the image [0x%llx, 0x%llx)", what,
				      (unsigned long long)root, (unsigned long long)m->base,
				      (unsigned long long)(m->base + m->size));
	if (m->size - (root - m->base) < bytes)
		return space_say_fail(
			&say, -PT_EFAULT, false,
			"image too small: %s 0x%llx needs a %llu-byte root table, the "
			"image ends at 0x%llx",
			what, (unsigned long long)root, (unsigned long long)bytes,
			(unsigned long long)(m->base + m->size));
	return 0;
}
