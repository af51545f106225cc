/* SPDX-License-Identifier: MIT */
/* ppc64 radix, 4K base pages: Power ISA v3.0B Book III 5.7.10, index bits 13/9/9/9. */
#define PPC64_RADIX_PAGE_SHIFT 12
#define FMT_NAME "ppc64-radix-4k"
#define FMT_DESCRIPTION "Power ISA 3.0 radix, 4K pages, 52-bit EA per quadrant, 56-bit RA"
#include "fmt/ppc64_radix.h"
