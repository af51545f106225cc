/* SPDX-License-Identifier: MIT */
/* ptkit demo: leaf sizes from a format's page_sizes, and the PFN map's place (demo.h). */
#include "demo.h"

uint64_t demo_largest_upto(const struct pt_format *fmt, uint64_t max)
{
	uint64_t s = fmt->page_sizes & ((max << 1) - 1);

	return s ? 1ull << (63 - __builtin_clzll(s)) : 0;
}

void demo_pfn_layout(const struct pt_format *fmt, uint64_t *leaf, uint64_t *pa)
{
	*leaf = demo_largest_upto(fmt, (1ull << fmt->half_bits) / 4);
	*pa = (0xf000000000ull + *leaf - 1) & ~(*leaf - 1);
}
