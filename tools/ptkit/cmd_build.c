/* SPDX-License-Identifier: MIT */
/*
 * ptkit build: run a spec against an empty tree in an arena at --base and write the arena
 * as IMAGE. Nothing is written unless every line succeeded; IMAGE is replaced atomically.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: ptkit build --format F --base PA [--size BYTES] -o IMAGE SPEC\n"
	"\n"
	"Build page tables from SPEC ('-' = stdin) in simulated physical memory at PA and write\n"
	"it to IMAGE (byte i = physical address PA+i; replaced atomically, and only if it is a\n"
	"regular file, never a link or device). Prints 'root 0x..' as the last line;\n"
	"formats with a separate upper-half root (arm64 TTBR1, ppc64 radix quadrant 3) print\n"
	"'root1 0x..' before it, always (an empty tree if SPEC maps nothing there).\n"
	"Without --size the arena is 1G and the image ends after the last table. The arena\n"
	"[PA, PA+SIZE) must lie below the format's PA limit ('ptkit formats'), and PA be a\n"
	"multiple of its granule, the largest table (4K; 16K, 64K for arm64-16k-*, -64k-*;\n"
	"64K for ppc64 radix, whose root table is 64K).\n"
	"\n"
	"SPEC (at most 64M), one command a line, '#' comments:\n"
	"  map VA PA SIZE [FLAGS] [pagesize=SIZE[,SIZE...]]\n"
	"  unmap VA SIZE\n"
	"  protect VA SIZE FLAGS\n"
	"  collapse VA     the table holding VA's leaf becomes one leaf of the level above\n"
	"Numbers: 0x.. hex, or decimal with optional K/M/G/T. FLAGS: comma list of\n"
	"r w x user global device nocache (default r,w); none (no r, w or x): PROT_NONE, the\n"
	"leaf kept but every access faults.\n";

struct build {
	const char *spec;
	unsigned line;
	bool sized;
	uint64_t size;
	struct pt_mm mm;
};

static _Noreturn void line_fail(const struct build *b, const char *why)
{
	cli_fail("%s:%u: %s", b->spec, b->line, why);
}

static _Noreturn void too_small(const struct build *b)
{
	char sz[32];

	if (b->sized)
		cli_fail("%s:%u: image too small: --size %s has no room for another table", b->spec,
			 b->line, pt_size_str(b->size, sz));
	cli_fail("%s:%u: image too small: the default %s arena is full (use --size)", b->spec,
		 b->line, pt_size_str(b->size, sz));
}

int cmd_build(int argc, char **argv)
{
	const char *format = NULL, *base_s = NULL, *size_s = NULL, *out = NULL, *pos[1];
	const struct cli_opt opts[] = { { "--format", &format, NULL }, { "--base", &base_s, NULL },
					{ "--size", &size_s, NULL },   { "-o", &out, NULL },
					{ "--output", &out, NULL },    { NULL, NULL, NULL } };
	struct build b = { 0 };
	struct pt_arena a;
	const struct pt_format *fmt;
	struct space_say say;
	uint64_t base, spec_len, img_len;
	char sz[32], why[256];
	uint8_t *spec;
	char msg[256];
	bool full;
	int err, npos;

	npos = cli_parse_opts(argc, argv, opts, pos, 1, usage);
	fmt = cli_format(format);
	base = cli_num_opt("--base", base_s);
	b.sized = size_s != NULL;
	cli_say(&say, why, sizeof(why));
	if (space_arena_check(fmt, base, size_s, &b.size, &say))
		cli_said(&say);
	if (!out)
		cli_usage_error("missing -o IMAGE");
	if (npos < 1)
		cli_usage_error("missing SPEC file");
	b.spec = pos[0];

	spec = cli_read_spec(b.spec, &spec_len);
	if (memchr(spec, 0, spec_len))
		cli_fail("%s: not a text file", b.spec);

	err = pt_arena_init(&a, base, b.size);
	if (err)
		cli_fail("cannot create the arena (--base 0x%llx --size %s): %s%s",
			 (unsigned long long)base, pt_size_str(b.size, sz), pt_strerror(err),
			 err == -PT_EINVAL ? ": an arena must be smaller than 1T" : "");
	err = pt_mm_init(&b.mm, fmt, &a.mem);
	if (err == -PT_ENOMEM)
		cli_fail("image too small: --size %s has no room for the root table",
			 size_s ? size_s : "(default)");
	if (err)
		cli_fail("cannot create the tree: %s", pt_strerror(err));

	err = pt_spec_run_text(&b.mm, (const char *)spec, spec_len, &b.line, &full, msg,
			       sizeof(msg));
	if (err && full)
		too_small(&b);
	if (err)
		line_fail(&b, msg);

	img_len = b.sized ? b.size : (a.high + 4095) & ~4095ull;
	err = cli_write_atomic(out, a.mem.bytes, img_len);
	if (!err) {
		/* Both roots always: an empty upper tree is still the tree for TTBR1/quadrant 3. */
		if (fmt->two_roots)
			printf("root1 0x%llx\n", (unsigned long long)b.mm.root[1]);
		printf("root 0x%llx\n", (unsigned long long)b.mm.root[0]);
	}
	pt_arena_fini(&a);
	free(spec);
	return err ? EXIT_DATA : 0;
}
