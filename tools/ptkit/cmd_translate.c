/* SPDX-License-Identifier: MIT */
/* ptkit translate: translate virtual addresses through the tree in an image, as the MMU would. */
#include "cli.h"

#include <stdlib.h>

static const char usage[] =
	"usage: ptkit translate --format F --image IMAGE [--base PA] --root PA [--root1 PA]\n"
	"                       [--trace] VA...\n"
	"\n"
	"One line per VA: '0x<va> 0x<pa> <leaf-size> <flags>' or '0x<va> fault <level>'.\n"
	"IMAGE is an ELF core dump (QEMU dump-guest-memory, a kdump vmcore, /proc/kcore), or\n"
	"raw physical memory starting at --base; a regular file ('-': stdin redirected from\n"
	"one), of which only the tables walked are read. --root1 is the\n"
	"upper-half root of arm64 (TTBR1) and ppc64 radix (quadrant 3): without it their upper\n"
	"half has no tree and its VAs fault at the root level. Other formats have one root\n"
	"(--root only). --trace prints every level walked:\n"
	"'  <level> index <n> entry 0x<entry> table 0x<table-pa>'.\n";

/* The VA arguments; file scope keeps them reachable when an error exits (LeakSanitizer). */
static const char **pos;
static uint64_t *va;

int cmd_translate(int argc, char **argv)
{
	const char *format = NULL, *image = NULL, *base = NULL, *root = NULL, *root1 = NULL;
	bool trace = false;
	const struct cli_opt opts[] = { { "--format", &format, NULL }, { "--image", &image, NULL },
					{ "--base", &base, NULL },     { "--root", &root, NULL },
					{ "--root1", &root1, NULL },   { "--trace", NULL, &trace },
					{ NULL, NULL, NULL } };
	const struct pt_format *fmt;
	struct cli_half halves[2];
	struct cli_tree t;
	struct mm_walk_state st;
	int n, ret = 0;

	pos = calloc((size_t)argc + 1, sizeof(*pos));
	va = calloc((size_t)argc + 1, sizeof(*va));
	if (!pos || !va)
		cli_fail("out of memory");
	n = cli_parse_opts(argc, argv, opts, pos, argc, usage);
	/* Every argument is checked before anything is printed. */
	fmt = cli_format(format);
	for (int i = 0; i < n; i++)
		if (!cli_parse_num(pos[i], &va[i]))
			cli_usage_error("bad VA '%s'", pos[i]);
	if (!n)
		cli_usage_error("missing VA");
	for (int i = 0; i < n; i++)
		if (!cli_va_half(halves, cli_va_halves(fmt, true, halves), va[i]))
			cli_fail("0x%llx: not a canonical address for %s (%d-bit VA)",
				 (unsigned long long)va[i], fmt->name, fmt->va_bits);
	cli_open_tree(&t, format, image, base, root, root1);

	mm_walk_init(&st, &t.mm);
	for (int i = 0; i < n && !ret; i++)
		ret = cli_show_translate(stdout, &t.mm, t.upper, &st, va[i], trace) ? EXIT_DATA : 0;
	cli_close_tree(&t);
	free(pos);
	free(va);
	return ret;
}
