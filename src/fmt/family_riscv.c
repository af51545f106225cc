/* SPDX-License-Identifier: MIT */
/* The riscv formats, in the order `ptkit formats` lists them. */
#include <ptkit/format.h>

extern const struct pt_format pt_format_riscv_sv39, pt_format_riscv_sv48, pt_format_riscv_sv57;

/* Hidden: reached through src/fmt/registry.c only. */
__attribute__((visibility("hidden")))
const struct pt_format *const pt_family_riscv[] = { &pt_format_riscv_sv39, &pt_format_riscv_sv48,
						    &pt_format_riscv_sv57, 0 };
