/* SPDX-License-Identifier: MIT */
/* Reference walkers for arm64 stage 1, 64KB granule, 48-bit VA, 48-bit OA (3 levels). */
#define REF_ARM64_PAGE_SHIFT 16
#define REF_ARM64_VA_BITS 48
#define REF_ARM64_LPA2 0
#define REF_NAME "arm64-64k-48"
#define REF_SYM ref_arm64_64k_48
#include "arm64_pgtable.h"
/* the generic mm code after the arch helpers, as linux/pgtable.h after asm/pgtable.h */
#include "ref_tmpl.h"
