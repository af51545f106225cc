/* SPDX-License-Identifier: MIT */
/* src/mm references (GUP, GUP-fast, follow_pfnmap) for x86-64 5-level paging (LA57). */
#define REF_LEVELS 5
#define REF_MM_SYM ref_mm_x86_64_la57
#include "ref_mm_x86_64.h"
