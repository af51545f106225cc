/* SPDX-License-Identifier: MIT */
/* The generic walker and operations compiled for ppc64 radix with 64K base pages. */
#include "fmt/ppc64_radix_64k.h"
#define PT_FORMAT_SYM pt_format_ppc64_radix_64k
#include "ops/instantiate.h"
