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

static const struct space_words words = { .format = "--format",
					  .root = "--root",
					  .root1 = "--root1",
					  .base = "--base",
					  .size = "--size",
					  .no_format = "missing --format" };

static void note(void *ctx, const char *line)
{
	(void)ctx;
	cli_note("%s", line);
}

void cli_say(struct space_say *say, char *err, size_t len)
{
	*say = (struct space_say){ &words, note, NULL, err, len, false };
}

_Noreturn void cli_said(const struct space_say *say)
{
	if (say->usage)
		cli_usage_error("%s", say->err);
	cli_fail("%s", say->err);
}

/* A root the tables of --ptcr gave: exits 1 naming what when it is no root table. */
static void check_root(const struct cli_tree *t, const char *what, uint64_t root)
{
	char err[512];

	if (space_root_check(t->fmt, t->dump.mem, &t->dump, what, root, err, sizeof(err)))
		cli_fail("%s", err);
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
	struct space_say say;
	uint64_t b = 0, roots[2];
	char err[1024];

	cli_say(&say, err, sizeof(err));
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

	t->fmt = format ? cli_format(format) : NULL;
	if (!image)
		cli_usage_error("missing --image (or --core)");
	if (base)
		b = cli_num_opt("--base", base);
	if (space_raw_check(format != NULL, base != NULL, b, &say))
		cli_said(&say);

	if (pt_dump_open(&t->dump, cli_check_image_file(image), base != NULL, b))
		cli_fail("%s", t->dump.err);
	cli_dump = &t->dump;
	if (space_dump_format(&t->dump, &t->fmt, &say))
		cli_said(&say);
	if (r->ptcr) {
		roots_from_table_reg(t, r, roots);
		t->trees = CLI_TREE_BOTH;
		check_root(t, "the PID's tree", roots[0]);
		check_root(t, "PID 0's tree", roots[1]);
	} else if (space_dump_roots(&t->dump, t->fmt, r->root, r->root1, roots, &t->trees, &say)) {
		cli_said(&say);
	}
	pt_mm_attach(&t->mm, t->fmt, t->dump.mem, roots[0], roots[1]);
	if (r->memattr) {
		cli_mem_attr = cli_num_opt("--memattr", r->memattr);
		if (!pt_format_mem_attr_reg(t->fmt, NULL))
			cli_usage_error(
				"--memattr: %s has no memory attribute register (its leaves "
				"hold their memory type themselves)",
				t->fmt->name);
		cli_mem_attr_set = true;
	}
}

void cli_close_tree(struct cli_tree *t)
{
	cli_dump = NULL;
	pt_dump_close(&t->dump);
}
