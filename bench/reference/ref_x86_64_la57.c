/* SPDX-License-Identifier: MIT */
/* Reference walkers for x86-64 5-level paging (CR4.LA57). */
#define REF_LEVELS 5
#define REF_SYM ref_x86_64_la57
#include "x86_64_pgtable.h"
/* the generic mm code after the arch helpers, as linux/pgtable.h after asm/pgtable.h */
#include "ref_tmpl.h"
