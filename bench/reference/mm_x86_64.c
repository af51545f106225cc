/* SPDX-License-Identifier: MIT */
/* src/mm references (GUP, GUP-fast, follow_pfnmap) for x86-64 4-level paging. */
#define REF_LEVELS 4
#define REF_MM_SYM ref_mm_x86_64
#include "ref_mm_x86_64.h"
