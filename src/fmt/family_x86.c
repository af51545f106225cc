/* SPDX-License-Identifier: MIT */
/* The x86-64 formats, in the order `ptkit formats` lists them. */
#include <ptkit/format.h>

extern const struct pt_format pt_format_x86_64, pt_format_x86_64_la57;

/* Hidden: reached through src/fmt/registry.c only. */
__attribute__((visibility("hidden")))
const struct pt_format *const pt_family_x86[] = { &pt_format_x86_64, &pt_format_x86_64_la57, 0 };
