/* SPDX-License-Identifier: MIT */
/* The ppc64 formats, in the order `ptkit formats` lists them. */
#include <ptkit/format.h>

const struct pt_format *const pt_family_ppc64[] = {0};
