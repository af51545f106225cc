/* SPDX-License-Identifier: MIT */
/* Reference walkers for ppc64 radix with 64K base pages (index bits 13/9/9/5, big-endian). */
#define REF_PPC64_PAGE_SHIFT 16
#define REF_NAME "ppc64-radix-64k"
#define REF_SYM ref_ppc64_radix_64k
#include "ppc64_pgtable.h"
/* the generic mm code after the arch helpers, as linux/pgtable.h after asm/pgtable.h */
#include "ref_tmpl.h"
