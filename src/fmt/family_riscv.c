/* SPDX-License-Identifier: MIT */
/* The riscv formats, in the order `ptkit formats` lists them. */
#include <ptkit/format.h>

const struct pt_format *const pt_family_riscv[] = {0};
