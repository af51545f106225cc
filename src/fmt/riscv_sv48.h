/* SPDX-License-Identifier: MIT */
/* RISC-V Sv48: 4 levels, 48-bit VA, 56-bit PA (privileged spec 4.5). */
#define RISCV_LEVELS 4
#define FMT_NAME "riscv-sv48"
#define FMT_DESCRIPTION "RISC-V Sv48, 4 levels, 48-bit VA, 56-bit PA, Svnapot 64K, Svpbmt"
#include "fmt/riscv.h"
