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
	if (!pt_parse_num(val, &v))
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
			 (unsigned long long)root, pt_size_str(bytes, sz), fmt->name);
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

/*
 * The Linux kernel's root table, from the dump's VMCOREINFO note: a two-root format's upper
 * half's, both halves' otherwise.
 */
static uint64_t root_of_kernel(struct cli_tree *t, const char *how)
{
	uint64_t root;
	const char *why = "";
	int err = pt_dump_kernel_root(&t->dump, t->fmt, &root, &why);

	if (err == -PT_ENOENT && !t->dump.vmcoreinfo)
		cli_usage_error(
			"%s: the %s has no VMCOREINFO note%s", how, pt_dump_kind_name(t->dump.kind),
			strcmp(how, "no --root") ? "" : " nor CPU state to take the root from");
	if (err)
		cli_fail("%s: the dump's VMCOREINFO: %s (%s)", how, why, t->fmt->name);
	cli_note("%s: the root table at 0x%llx, the kernel's swapper_pg_dir from the dump's "
		 "VMCOREINFO%s",
		 how, (unsigned long long)root, t->fmt->two_roots ? " (the upper half's)" : "");
	return root;
}

/* No --root: the dump's first CPU's root register, or else the kernel's root. */
static uint64_t root_from_dump(struct cli_tree *t)
{
	const char *want;
	uint64_t reg, root;
	const char *why = "";

	if (!pt_dump_cpu_root(&t->dump, &reg, &want)) {
		if (t->fmt->two_roots)
			t->trees = CLI_TREE_UPPER;
		return root_of_kernel(t, "no --root");
	}
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

/*
 * No --format: the one the dump pins down, from its CPU state, or else the only format of
 * the dump's machine that fits what its VMCOREINFO says.
 */
static const struct pt_format *format_of_dump(const struct cli_tree *t)
{
	const struct pt_format *f, *found = NULL;
	char names[512] = "";
	const char *want, *why;
	uint64_t reg, root;
	unsigned n = 0;

	if (pt_dump_cpu_root(&t->dump, &reg, &want)) {
		cli_note("no --format: %s, from CPU 0's paging mode in the dump", want);
		return cli_format(want);
	}
	if (!t->dump.machine || !t->dump.vmcoreinfo)
		cli_usage_error("missing --format (the %s says neither its CPU state nor its "
				"kernel's paging)",
				pt_dump_kind_name(t->dump.kind));
	for (unsigned i = 0; (f = pt_format_at(i)); i++) {
		if (f->elf_machine != t->dump.machine ||
		    pt_dump_kernel_root(&t->dump, f, &root, &why))
			continue;
		if (strlen(names) + strlen(f->name) + 3 < sizeof(names))
			strcat(strcat(names, n ? ", " : ""), f->name);
		found = f;
		n++;
	}
	if (n > 1)
		cli_usage_error("missing --format: the dump's kernel fits %s", names);
	if (!n)
		cli_usage_error("missing --format (no format of the dump's machine, ELF e_machine "
				"%u, fits what its VMCOREINFO says)",
				t->dump.machine);
	cli_note("no --format: %s, the one format of the dump's machine its VMCOREINFO fits",
		 found->name);
	return found;
}

/*
 * --root and --root1: a root register's value, or "kernel" for the Linux kernel's root from
 * the dump's VMCOREINFO; without --root, the dump's CPU 0 or its kernel. A two-root format
 * without a root for a half has no tree there.
 */
static void choose_roots(struct cli_tree *t, const char *root, const char *root1, uint64_t *r0,
			 uint64_t *r1)
{
	const bool two = t->fmt->two_roots;
	const bool k0 = root && !strcmp(root, "kernel"), k1 = root1 && !strcmp(root1, "kernel");

	t->trees = CLI_TREE_BOTH;
	if (root1 && !root)
		cli_usage_error("--root1 without --root");
	if (!root) {
		*r0 = *r1 = root_from_dump(t);
		return;
	}
	if (k0) {
		if (root1)
			cli_usage_error("--root kernel with --root1: give the lower half's root as "
					"--root and --root1 kernel");
		if (two)
			t->trees = CLI_TREE_UPPER;
		*r0 = *r1 = root_of_kernel(t, "--root kernel");
		return;
	}
	*r0 = root_value(t->fmt, "--root", root);
	if (!root1) {
		*r1 = *r0;
		if (two)
			t->trees = CLI_TREE_LOWER;
		return;
	}
	if (k1 && !two)
		cli_usage_error("--root1 kernel: %s has one root for both halves (--root kernel)",
				t->fmt->name);
	*r1 = k1 ? root_of_kernel(t, "--root1 kernel") : root_value(t->fmt, "--root1", root1);
	if (!two && *r1 != *r0)
		cli_fail("--root1 0x%llx: %s has one root for both halves (give --root only)",
			 (unsigned long long)*r1, t->fmt->name);
}

/* n bytes of the memory m (a struct pt_mem) at pa, for roots_of_table_reg. */
static int mem_read(void *ctx, uint64_t pa, void *buf, uint64_t n)
{
	const struct pt_mem *m = ctx;
	const uint8_t *p;

	if (m->table) {
		p = m->table(m, pa, n);
		if (!p)
			return -1;
	} else {
		if (pa < m->base || pa - m->base >= m->size || m->size - (pa - m->base) < n)
			return -1;
		p = m->bytes + (pa - m->base);
	}
	memcpy(buf, p, n);
	return 0;
}

/* --ptcr: both roots through the tables it points at, read from the dump; said on stderr. */
static void roots_from_table_reg(const struct cli_tree *t, const struct cli_roots *r,
				 uint64_t roots[2])
{
	uint64_t reg = cli_num_opt("--ptcr", r->ptcr);
	uint64_t pid = r->pid ? cli_num_opt("--pid", r->pid) : 0;
	uint64_t lpid = r->lpid ? cli_num_opt("--lpid", r->lpid) : 0;
	struct pt_table_roots out = { 0 };
	const char *why = "";

	if (t->fmt->ops.roots_of_table_reg(reg, lpid, pid, mem_read, t->dump.mem, &out, &why)) {
		if (out.failed)
			cli_fail("--ptcr %s: the process-table entry of PID %llu at 0x%llx "
				 "(0x%016llx): %s",
				 r->ptcr, (unsigned long long)(out.failed == 1 ? pid : 0),
				 (unsigned long long)out.entry_pa[out.failed - 1],
				 (unsigned long long)out.entry[out.failed - 1], why);
		cli_fail("--ptcr %s (LPID %llu, PID %llu): %s (%s)", r->ptcr,
			 (unsigned long long)lpid, (unsigned long long)pid, why, t->fmt->name);
	}
	cli_note("--ptcr %s: partition-table entry of LPID %llu at 0x%llx, process table at "
		 "0x%llx (%llu entries): PID %llu's tree (lower half) at 0x%llx, PID 0's (upper "
		 "half) at 0x%llx",
		 r->ptcr, (unsigned long long)lpid, (unsigned long long)out.part_entry_pa,
		 (unsigned long long)out.proc_table_pa, (unsigned long long)out.proc_table_count,
		 (unsigned long long)pid, (unsigned long long)out.root[0],
		 (unsigned long long)out.root[1]);
	roots[0] = out.root[0];
	roots[1] = out.root[1];
}

void cli_open_tree(struct cli_tree *t, const char *format, const char *image, const char *base,
		   const struct cli_roots *r)
{
	uint64_t b = 0, r0, r1;
	int err;

	if (r->ptcr && (r->root || r->root1))
		cli_usage_error(
			"--ptcr with --root or --root1: give one (--ptcr finds both roots)");
	if ((r->pid || r->lpid) && !r->ptcr)
		cli_usage_error("%s without --ptcr", r->pid ? "--pid" : "--lpid");
	if (r->ptcr) {
		cli_num_opt("--ptcr", r->ptcr);
		if (r->pid)
			cli_num_opt("--pid", r->pid);
		if (r->lpid)
			cli_num_opt("--lpid", r->lpid);
	}

	if (format)
		t->fmt = cli_format(format);
	if (!image)
		cli_usage_error("missing --image (or --core)");
	if (base)
		b = cli_num_opt("--base", base);
	if (b & 4095)
		cli_fail("--base 0x%llx: not aligned to 4K", (unsigned long long)b);
	if (!format && base)
		cli_usage_error("missing --format (a raw image does not say which it is)");

	err = pt_dump_open(&t->dump, cli_check_image_file(image), base != NULL, b);
	if (err)
		cli_fail("%s", t->dump.err);
	cli_dump = &t->dump;
	if (!format)
		t->fmt = format_of_dump(t);
	else if (t->dump.machine && t->dump.machine != t->fmt->elf_machine)
		cli_fail("--format %s: the dump is of another architecture (ELF e_machine %u)",
			 t->fmt->name, t->dump.machine);
	if (r->ptcr) {
		uint64_t roots[2];

		roots_from_table_reg(t, r, roots);
		r0 = roots[0];
		r1 = roots[1];
		t->trees = CLI_TREE_BOTH;
		check_root(t, "the PID's tree", r0);
		check_root(t, "PID 0's tree", r1);
	} else {
		choose_roots(t, r->root, r->root1, &r0, &r1);
		if (t->trees & CLI_TREE_LOWER)
			check_root(t, "--root", r0);
		if (r1 != r0 || !(t->trees & CLI_TREE_LOWER))
			check_root(t, r->root1 ? "--root1" : "--root", r1);
	}
	pt_mm_attach(&t->mm, t->fmt, t->dump.mem, r0, r1);
}

void cli_close_tree(struct cli_tree *t)
{
	cli_dump = NULL;
	pt_dump_close(&t->dump);
}
