/* SPDX-License-Identifier: MIT */
/* ptkit CLI: --format/--image/--base/--root, shared by translate and dump. */
#include "cli.h"

#include <string.h>

const struct pt_format *cli_format(const char *name)
{
	const struct pt_format *fmt;

	if (!name)
		cli_usage_error("missing --format");
	fmt = pt_format_find(name);
	if (!fmt)
		cli_usage_error("--format: unknown format '%s' (see 'ptkit formats')", name);
	return fmt;
}

uint64_t cli_num_opt(const char *opt, const char *val)
{
	uint64_t v;

	if (!val)
		cli_usage_error("missing %s", opt);
	if (!cli_parse_num(val, &v))
		cli_usage_error("%s: bad number '%s'", opt, val);
	return v;
}

/*
 * A root table is aligned to its size, like every other table (TTBRn_EL1 BADDR bits below
 * the table size are RES0; radix tables are aligned to their size, docs/formats/ppc64.md):
 * sub-page arm64 roots to theirs, 64K roots (arm64 64K granule, ppc64 radix) to 64K. A
 * root that is not would be read by ptkit at an address the MMU does not use.
 */
static void check_root(const struct cli_tree *t, const char *opt, uint64_t root)
{
	const struct pt_format *fmt = t->fmt;
	const struct pt_mem *m = t->dump.mem;
	uint64_t base = m->base, size = m->size, bytes = pt_table_bytes(fmt, fmt->levels - 1);
	char sz[32];

	if (root & (bytes - 1))
		cli_fail("%s 0x%llx: not aligned to %s, the size of the root table of %s", opt,
			 (unsigned long long)root, cli_size_str(bytes, sz), fmt->name);
	/* The root register holds pa_bits of address: a root past them is none the MMU uses. */
	if (fmt->pa_bits < 64 && (root >> fmt->pa_bits || bytes > (1ull << fmt->pa_bits) - root))
		cli_fail("%s 0x%llx: beyond the %d-bit PA limit of %s", opt,
			 (unsigned long long)root, fmt->pa_bits, fmt->name);
	if (m->table) {
		char why[256];

		if (m->table(m, root, bytes))
			return;
		if (pt_dump_explain(&t->dump, root, bytes, why, sizeof(why)))
			cli_fail("%s 0x%llx: the root table cannot be read: %s", opt,
				 (unsigned long long)root, why);
		cli_fail("%s 0x%llx: the %s file's memory does not hold the %llu-byte root table",
			 opt, (unsigned long long)root, pt_dump_kind_name(t->dump.kind),
			 (unsigned long long)bytes);
	}
	if (root < base || root - base >= size)
		cli_fail("%s 0x%llx: outside the image [0x%llx, 0x%llx)", opt,
			 (unsigned long long)root, (unsigned long long)base,
			 (unsigned long long)(base + size));
	if (size - (root - base) < bytes)
		cli_fail(
			"image too small: %s 0x%llx needs a %llu-byte root table, the image ends at "
			"0x%llx",
			opt, (unsigned long long)root, (unsigned long long)bytes,
			(unsigned long long)(base + size));
}

/*
 * The root table in --root's value, which may be the format's root register as the CPU holds
 * it (CR3 with a PCID, TTBR with an ASID, satp with MODE and ASID, a radix process-table
 * entry): the bits that are not the address are dropped, and said so on stderr.
 */
static uint64_t root_value(const struct pt_format *fmt, const char *opt, const char *val)
{
	uint64_t reg = cli_num_opt(opt, val), root;
	const char *why = "";

	if (fmt->ops.root_of_reg(reg, &root, &why))
		cli_fail("%s %s: %s (%s)", opt, val, why, fmt->name);
	if (root != reg)
		cli_note("%s %s: the root table at 0x%llx (the rest of the %s register value "
			 "ignored)",
			 opt, val, (unsigned long long)root, fmt->name);
	return root;
}

/* No --root: the dump's first CPU's root register, when the dump gives it. */
static uint64_t root_from_dump(const struct cli_tree *t)
{
	const char *want;
	uint64_t reg, root;
	const char *why = "";

	if (!pt_dump_cpu_root(&t->dump, &reg, &want))
		cli_usage_error("missing --root (the %s has no CPU state to take it from)",
				pt_dump_kind_name(t->dump.kind));
	if (strcmp(want, t->fmt->name))
		cli_fail(
			"--format %s: the dump's CPU 0 uses %s paging (CR4.LA57 = %d): --format %s",
			t->fmt->name, want[6] ? "5-level" : "4-level", want[6] != 0, want);
	if (t->fmt->ops.root_of_reg(reg, &root, &why))
		cli_fail("the dump's CPU 0 root register 0x%llx: %s", (unsigned long long)reg, why);
	cli_note("no --root: the root table at 0x%llx, from CPU 0's CR3 0x%llx in the dump (%u "
		 "CPU%s)",
		 (unsigned long long)root, (unsigned long long)reg, t->dump.cpus,
		 t->dump.cpus == 1 ? "" : "s");
	return root;
}

void cli_open_tree(struct cli_tree *t, const char *format, const char *image, const char *base,
		   const char *root, const char *root1)
{
	uint64_t b = 0, r0 = 0, r1;
	int err;

	t->fmt = cli_format(format);
	if (!image)
		cli_usage_error("missing --image");
	if (base)
		b = cli_num_opt("--base", base);
	if (b & 4095)
		cli_fail("--base 0x%llx: not aligned to 4K", (unsigned long long)b);
	if (root)
		r0 = root_value(t->fmt, "--root", root);
	if (root1 && !root)
		cli_usage_error("--root1 without --root");
	r1 = root1 ? root_value(t->fmt, "--root1", root1) : r0;
	if (!t->fmt->two_roots && r1 != r0)
		cli_fail("--root1 0x%llx: %s has one root for both halves (give --root only)",
			 (unsigned long long)r1, t->fmt->name);
	/* A two-root format without --root1: the upper half has no tree (never the lower one). */
	t->upper = root1 || !t->fmt->two_roots;

	err = pt_dump_open(&t->dump, cli_check_image_file(image), base != NULL, b);
	if (err)
		cli_fail("%s", t->dump.err);
	cli_dump = &t->dump;
	if (!root)
		r0 = r1 = root_from_dump(t);
	check_root(t, "--root", r0);
	if (root1)
		check_root(t, "--root1", r1);
	pt_mm_attach(&t->mm, t->fmt, t->dump.mem, r0, r1);
}

void cli_close_tree(struct cli_tree *t)
{
	cli_dump = NULL;
	pt_dump_close(&t->dump);
}
