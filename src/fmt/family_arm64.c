/* SPDX-License-Identifier: MIT */
/* The arm64 formats, in the order `ptkit formats` lists them. */
#include <ptkit/format.h>

extern const struct pt_format pt_format_arm64_4k_39, pt_format_arm64_4k_48, pt_format_arm64_4k_52,
	pt_format_arm64_16k_36, pt_format_arm64_16k_47, pt_format_arm64_16k_52,
	pt_format_arm64_64k_42, pt_format_arm64_64k_48, pt_format_arm64_64k_52;

/* Hidden: reached through src/fmt/registry.c only. */
__attribute__((visibility("hidden"))) const struct pt_format *const pt_family_arm64[] = {
	&pt_format_arm64_4k_39,	 &pt_format_arm64_4k_48,
	&pt_format_arm64_4k_52,	 &pt_format_arm64_16k_36,
	&pt_format_arm64_16k_47, &pt_format_arm64_16k_52,
	&pt_format_arm64_64k_42, &pt_format_arm64_64k_48,
	&pt_format_arm64_64k_52, 0,
};
