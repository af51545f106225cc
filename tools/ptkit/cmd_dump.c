/* SPDX-License-Identifier: MIT */
/* ptkit dump: every mapping of the tree in an image, coalesced, as text or JSON. */
#include "cli.h"

#include <stdlib.h>

static const char usage[] =
	"usage: ptkit dump --format F --image IMAGE [--base PA] --root PA [--root1 PA] [--json]\n"
	"\n"
	"Lists every mapping, lower half then upper half, consecutive leaves of one level with\n"
	"the same flags and contiguous PAs merged:\n"
	"  0x<start>-0x<end> <size> <level> <flags> pa 0x<pa>\n"
	"IMAGE is an ELF core dump (QEMU dump-guest-memory, a kdump vmcore, /proc/kcore), or\n"
	"raw physical memory starting at --base; a regular file, of which only the tables\n"
	"walked are read.\n"
	"--json prints an array of {start, end, size, level, pa, flags}. A table referenced\n"
	"twice or a pointer outside the image is reported as corruption. --root1 is the\n"
	"upper-half root of arm64 and ppc64 radix: without it nothing is listed there.\n";

int cmd_dump(int argc, char **argv)
{
	const char *format = NULL, *image = NULL, *base = NULL, *root = NULL, *root1 = NULL;
	const char *pos[1];
	bool json = false;
	const struct cli_opt opts[] = { { "--format", &format, NULL }, { "--image", &image, NULL },
					{ "--base", &base, NULL },     { "--root", &root, NULL },
					{ "--root1", &root1, NULL },   { "--json", NULL, &json },
					{ NULL, NULL, NULL } };
	struct cli_tree t;
	int ret;

	cli_parse_opts(argc, argv, opts, pos, 0, usage);
	cli_open_tree(&t, format, image, base, root, root1);
	ret = cli_show_dump(stdout, &t.mm, t.upper, json) ? EXIT_DATA : 0;
	cli_close_tree(&t);
	return ret;
}
