/* SPDX-License-Identifier: MIT */
/* ptkit translate: translate virtual addresses through the tree in an image, as the MMU would. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: ptkit translate [--format F] --image|--core IMAGE [--base PA]\n"
	"                       [--root PA|kernel [--root1 PA|kernel] | --ptcr REG [--pid N]\n"
	"                       [--lpid N]] [--memattr REG] [--trace] [--json] [VA...]\n"
	"\n"
	"One answer per VA, in order: '0x<va> 0x<pa> <leaf-size> <flags>', '0x<va> fault <level>'\n"
	"or, where the tables are corrupt (a pointer outside memory, a loop, a reserved\n"
	"encoding) or the VA is not canonical, '0x<va> error <level> <why>' (also on stderr;\n"
	"the exit status is then 1, after every VA was answered). Without VA arguments the VAs\n"
	"are read from stdin, whitespace-separated ('#' starts a comment). --json prints an\n"
	"array of {va, pa, size, level, flags} / {va, fault} / {va, error, level} instead.\n"
	"IMAGE is a dump (an ELF core: QEMU dump-guest-memory, a kdump vmcore, /proc/kcore;\n"
	"a kdump-compressed file, also flattened: makedumpfile, QEMU's kdump-* formats), or\n"
	"raw physical memory starting at --base; a regular file ('-': stdin redirected from\n"
	"one), of which only the tables walked are read. --root1 is the upper-half root of\n"
	"arm64 (TTBR1) and ppc64 radix (quadrant 3): without it their upper half has no tree\n"
	"and its VAs fault at the root level. Other formats have one root (--root only).\n"
	"--root may be the root register's value (CR3, TTBR, satp, a radix process-table\n"
	"entry): what is not the table's address is dropped. '--root kernel' is the Linux\n"
	"kernel's root (swapper_pg_dir) as the dump's VMCOREINFO note places it: the upper\n"
	"half's in arm64 and ppc64 radix ('--root1 kernel' with a --root for the lower half).\n"
	"Without --root, a dump that carries CPU state (QEMU's x86 notes) gives CPU 0's, else\n"
	"its kernel's. Without --format, the dump's CPU state or its machine and VMCOREINFO\n"
	"choose (a raw image needs --format). --core is --image.\n"
	"--ptcr (ppc64 radix) takes the PTCR register instead: ptkit reads the partition\n"
	"table's entry for --lpid (default 0; another LPID is a guest, refused) and its process\n"
	"table from the image, and walks the tree of process-table entry --pid (the PIDR value,\n"
	"not a Unix PID; default 0) for the lower half (quadrant 0) and that of PID 0 for the\n"
	"upper half (quadrant 3), and says which it used.\n"
	"--memattr REG: the CPU's memory attribute register (arm64 MAIR_EL1, x86 IA32_PAT)\n"
	"holds REG, not the value ptkit assumes (arm64: Linux's 0x000000040044ffff; x86: the\n"
	"power-on PAT): each leaf's memory type (device, nocache) is then what REG gives it.\n"
	"--trace prints every level walked:\n"
	"'  <level> index <n> entry 0x<entry> table 0x<table-pa>'.\n";

/* The VA arguments; file scope keeps them reachable when an error exits (LeakSanitizer). */
static const char **pos;
static uint64_t *va;

struct answers {
	FILE *out;
	unsigned flags, n;
	int ret;
};

static void answer(struct answers *a, struct cli_tree *t, struct mm_walk_state *st, uint64_t v)
{
	if ((a->flags & CLI_TR_JSON))
		fprintf(a->out, a->n ? ",\n" : "[\n");
	a->n++;
	if (cli_show_translate(a->out, &t->mm, t->trees, st, v, a->flags))
		a->ret = EXIT_DATA;
}

/* VAs from stdin, one token at a time; a token that is no number is an error answer. */
static void answer_stdin(struct answers *a, struct cli_tree *t, struct mm_walk_state *st)
{
	char tok[128];
	int c = 0;

	while (c != EOF) {
		size_t n = 0;

		while ((c = getchar()) != EOF && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
			;
		if (c == '#') { /* a comment, to the end of the line */
			while ((c = getchar()) != EOF && c != '\n')
				;
			continue;
		}
		for (; c != EOF && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '#';
		     c = getchar())
			if (n < sizeof(tok) - 1)
				tok[n++] = (char)c;
		if (c == '#')
			ungetc(c, stdin);
		if (!n)
			continue;
		tok[n] = 0;
		uint64_t v;
		if (n == sizeof(tok) - 1 || !pt_parse_num(tok, &v)) {
			fflush(a->out);
			cli_error("stdin: bad VA '%.40s'", tok);
			a->ret = EXIT_DATA;
			continue;
		}
		answer(a, t, st, v);
	}
}

int cmd_translate(int argc, char **argv)
{
	const char *format = NULL, *image = NULL, *base = NULL;
	struct cli_roots r = { 0 };
	bool trace = false, json = false;
	const struct cli_opt opts[] = { { "--format", &format, NULL },
					{ "--image", &image, NULL },
					{ "--core", &image, NULL },
					{ "--base", &base, NULL },
					CLI_ROOT_OPTS(r),
					{ "--trace", NULL, &trace },
					{ "--json", NULL, &json },
					{ NULL, NULL, NULL } };
	const struct pt_format *fmt;
	struct cli_half halves[2];
	struct cli_tree t;
	struct mm_walk_state st;
	struct answers a = { stdout, 0, 0, 0 };
	int n;

	pos = calloc((size_t)argc + 1, sizeof(*pos));
	va = calloc((size_t)argc + 1, sizeof(*va));
	if (!pos || !va)
		cli_fail("out of memory");
	n = cli_parse_opts(argc, argv, opts, pos, argc, usage);
	/* Every argument is checked before anything is printed. */
	if (format)
		cli_format(format);
	if (trace && json)
		cli_usage_error("--trace and --json: choose one");
	for (int i = 0; i < n; i++)
		if (!pt_parse_num(pos[i], &va[i]))
			cli_usage_error("bad VA '%s'", pos[i]);
	if (!n && image && !strcmp(image, "-"))
		cli_usage_error("no VA arguments and --image -: stdin cannot hold both");
	cli_open_tree(&t, format, image, base, &r);
	fmt = t.fmt;
	for (int i = 0; i < n; i++)
		if (!cli_va_half(halves, cli_va_halves(fmt, CLI_TREE_BOTH, halves), va[i]))
			cli_fail("0x%llx: not a canonical address for %s (%d-bit VA)",
				 (unsigned long long)va[i], fmt->name, fmt->va_bits);

	a.flags = (trace ? CLI_TR_TRACE : 0) | (json ? CLI_TR_JSON : 0);
	mm_walk_init(&st, &t.mm);
	for (int i = 0; i < n; i++)
		answer(&a, &t, &st, va[i]);
	if (!n)
		answer_stdin(&a, &t, &st);
	if (json)
		fprintf(stdout, a.n ? "\n]\n" : "[]\n");
	cli_close_tree(&t);
	free(pos);
	free(va);
	return a.ret;
}
