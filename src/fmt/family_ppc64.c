/* SPDX-License-Identifier: MIT */
/* The ppc64 formats, in the order `ptkit formats` lists them. */
#include <ptkit/format.h>

extern const struct pt_format pt_format_ppc64_radix_4k, pt_format_ppc64_radix_64k;

/* Hidden: reached through src/fmt/registry.c only. */
__attribute__((visibility("hidden")))
const struct pt_format *const pt_family_ppc64[] = { &pt_format_ppc64_radix_4k,
						    &pt_format_ppc64_radix_64k, 0 };
