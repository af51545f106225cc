/* SPDX-License-Identifier: MIT */
/* ptkit CLI: which VA ranges a format translates, from its geometry alone. */
#include "cli.h"

int cli_va_halves(struct pt_mm *mm, struct cli_half out[2])
{
	const struct pt_format *fmt = mm->fmt;

	out[0] = (struct cli_half){ "lower half", fmt->half_base[0], pt_half_last(fmt, 0) };
	out[1] = (struct cli_half){ "upper half", fmt->half_base[1], pt_half_last(fmt, 1) };
	return 2;
}
