/* SPDX-License-Identifier: MIT */
/* Reference walkers for x86-64 4-level paging (p4d folded into the pgd). */
#define REF_LEVELS 4
#define REF_SYM ref_x86_64
#include "x86_64_pgtable.h"
/* the generic mm code after the arch helpers, as linux/pgtable.h after asm/pgtable.h */
#include "ref_tmpl.h"
