/* SPDX-License-Identifier: MIT */
/* ptkit formats: one line per known page-table format. */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

static const char usage[] =
	"usage: ptkit formats [--halves]\n"
	"\n"
	"One line per format: name, levels, VA bits, PA bits, leaf sizes,\n"
	"description. Use the name with --format.\n"
	"--halves lists instead the VA ranges each format translates:\n"
	"  <name> lower 0x<first>-0x<last> upper 0x<first>-0x<last> <roots>\n"
	"<roots> is 'one-root' or 'two-roots' (the upper half has its own root,\n"
	"--root1).\n";

/* "4K/2M/1G": the leaf sizes of fmt, smallest first; returns its length. */
static int leaf_sizes(const struct pt_format *fmt, char sizes[128])
{
	char one[32];

	sizes[0] = 0;
	for (int b = 0; b < 64; b++) {
		if (!(fmt->page_sizes >> b & 1))
			continue;
		if (*sizes)
			strcat(sizes, "/");
		strcat(sizes, pt_size_str((uint64_t)1 << b, one));
	}
	return (int)strlen(sizes);
}

int cmd_formats(int argc, char **argv)
{
	bool halves = false;
	const struct cli_opt opts[] = { { "--halves", NULL, &halves }, { NULL, NULL, NULL } };
	const char *pos[1];
	const struct pt_format *fmt;
	char sizes[128];
	int width = 0; /* of the leaves column: the descriptions start in one column */

	cli_parse_opts(argc, argv, opts, pos, 0, usage);
	for (unsigned i = 0; (fmt = pt_format_at(i)); i++) {
		int n = leaf_sizes(fmt, sizes);
		width = n > width ? n : width;
	}
	for (unsigned i = 0; (fmt = pt_format_at(i)); i++) {
		if (halves) {
			printf("%-18s lower 0x%" PRIx64 "-0x%" PRIx64 " upper 0x%" PRIx64
			       "-0x%" PRIx64 " %s\n",
			       fmt->name, fmt->half_base[0], pt_half_last(fmt, 0),
			       fmt->half_base[1], pt_half_last(fmt, 1),
			       fmt->two_roots ? "two-roots" : "one-root");
			continue;
		}
		leaf_sizes(fmt, sizes);
		printf("%-18s levels %d  va %2d  pa %2d  leaves %-*s %s\n", fmt->name, fmt->levels,
		       fmt->va_bits, fmt->pa_bits, width, sizes,
		       fmt->description ? fmt->description : "");
	}
	return 0;
}
