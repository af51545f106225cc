/* SPDX-License-Identifier: MIT */
/* Reference walkers for RISC-V Sv48. */
#define REF_SYM ref_riscv_sv48
#include "riscv_pgtable.h"
/* the generic mm code after the arch helpers, as linux/pgtable.h after asm/pgtable.h */
#include "ref_tmpl.h"
