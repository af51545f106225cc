/* SPDX-License-Identifier: MIT */
/* ptkit CLI: which VA ranges a format translates, from its geometry alone. */
#include "cli.h"

int cli_va_halves(struct pt_mm *mm, struct cli_half out[2])
{
	const struct pt_format *fmt = mm->fmt;
	int root = fmt->levels - 1;
	int bits = fmt->shift[root] + fmt->index_bits[root];
	/* One root: the tree's VA bits cover both sign-extended halves; two roots: one each. */
	int half_bits = fmt->two_roots ? bits : bits - 1;
	uint64_t half = half_bits >= 64 ? 0 : (uint64_t)1 << half_bits;
	/* The upper half is sign-extended (x86, arm64, riscv) or quadrant 3 (ppc64 radix). */
	const uint64_t upper_starts[] = { -half, 0xc000000000000000ull };
	int n = 0;

	out[n++] = (struct cli_half){ "lower half", 0, half - 1 };
	if (!half || half_bits >= 63)
		return n;
	for (unsigned i = 0; i < sizeof(upper_starts) / sizeof(upper_starts[0]); i++) {
		struct pt_translation tr;
		if (pt_translate(mm, upper_starts[i], &tr) != -PT_ERANGE) {
			out[n++] = (struct cli_half){ "upper half", upper_starts[i],
						      upper_starts[i] + (half - 1) };
			break;
		}
	}
	return n;
}
