/* SPDX-License-Identifier: MIT */
/* ptkit CLI: which VA ranges a format translates, from its geometry alone. */
#include "cli.h"

int cli_va_halves(const struct pt_format *fmt, unsigned trees, struct cli_half out[2])
{
	out[0] = (struct cli_half){ "lower half", fmt->half_base[0], pt_half_last(fmt, 0),
				    (trees & CLI_TREE_LOWER) || !fmt->two_roots };
	out[1] = (struct cli_half){ "upper half", fmt->half_base[1], pt_half_last(fmt, 1),
				    (trees & CLI_TREE_UPPER) || !fmt->two_roots };
	return 2;
}

const struct cli_half *cli_va_half(const struct cli_half *h, int n, uint64_t va)
{
	for (int i = 0; i < n; i++)
		if (va >= h[i].start && va <= h[i].last)
			return &h[i];
	return NULL;
}
