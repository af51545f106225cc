/* SPDX-License-Identifier: MIT */
/* ptkit dump: every mapping of the tree in an image, coalesced, as text or JSON. */
#include "cli.h"

#include <stdlib.h>

static const char usage[] =
	"usage: ptkit dump [--format F] --image|--core IMAGE [--base PA]\n"
	"                  [--root PA|kernel [--root1 PA|kernel] | --ptcr REG [--pid N]\n"
	"                  [--lpid N]] [--memattr REG] [--start VA] [--end VA] [--wx] [--json]\n"
	"\n"
	"Lists every mapping, lower half then upper half, consecutive leaves of one level with\n"
	"the same flags and contiguous PAs merged:\n"
	"  0x<start>-0x<end> <size> <level> <flags> pa 0x<pa>\n"
	"An entry the MMU cannot use (a reserved encoding, a table pointer outside memory) is\n"
	"listed where it is as '... <level> error: <why>' (and said on stderr; the exit status is\n"
	"then 1), and the listing goes on after it. A table entry pointing at a table of its own\n"
	"walk is listed as 'self-map', one pointing at a table already listed as 'shared'\n"
	"(neither is walked again). --start/--end limit the listing to [start, end). --wx lists\n"
	"only leaves both writable and executable, and exits 1 when there are any (the W+X\n"
	"check of Linux's ptdump). --json prints an array of {start, end, size, level, pa,\n"
	"flags} ({..., error} / {..., self_map} / {..., shared_table, listed_at}) instead.\n"
	"IMAGE is a dump (an ELF core: QEMU dump-guest-memory, a kdump vmcore, /proc/kcore;\n"
	"a kdump-compressed file, also flattened: makedumpfile, QEMU's kdump-* formats), or\n"
	"raw physical memory starting at --base; a regular file, of which only the tables\n"
	"walked are read. --root1 is the upper-half root of arm64 and ppc64 radix: without it\n"
	"nothing is listed there. --root may be the root register's value or 'kernel'; without\n"
	"it, a dump that carries CPU state (QEMU's x86 notes) gives CPU 0's, else its Linux\n"
	"kernel's from VMCOREINFO, and --format may be left to the dump (see 'ptkit translate\n"
	"--help'). --ptcr (ppc64 radix): both roots from the partition and process tables.\n"
	"--memattr REG: memory types through this MAIR_EL1 / IA32_PAT (see 'ptkit translate\n"
	"--help').\n";

int cmd_dump(int argc, char **argv)
{
	const char *format = NULL, *image = NULL, *base = NULL;
	const char *start = NULL, *end = NULL;
	struct cli_roots r = { 0 };
	const char *pos[1];
	struct cli_dump_opts o = { 0 };
	const struct cli_opt opts[] = { { "--format", &format, NULL },
					{ "--image", &image, NULL },
					{ "--core", &image, NULL },
					{ "--base", &base, NULL },
					CLI_ROOT_OPTS(r),
					{ "--json", NULL, &o.json },
					{ "--wx", NULL, &o.wx },
					{ "--start", &start, NULL },
					{ "--end", &end, NULL },
					{ NULL, NULL, NULL } };
	struct cli_tree t;
	int ret;

	cli_parse_opts(argc, argv, opts, pos, 0, usage);
	if (start)
		o.start = cli_num_opt("--start", start);
	if (end)
		o.end = cli_num_opt("--end", end);
	if (end && o.end <= o.start)
		cli_usage_error("--end 0x%llx: not above --start", (unsigned long long)o.end);
	cli_open_tree(&t, format, image, base, &r);
	ret = cli_show_dump(stdout, &t.mm, t.trees, &o) ? EXIT_DATA : 0;
	cli_close_tree(&t);
	return ret;
}
