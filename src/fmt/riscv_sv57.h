/* SPDX-License-Identifier: MIT */
/* RISC-V Sv57: 5 levels, 57-bit VA, 56-bit PA (privileged spec 4.6). */
#define RISCV_LEVELS 5
#define FMT_NAME "riscv-sv57"
#define FMT_DESCRIPTION "RISC-V Sv57, 5 levels, 57-bit VA, 56-bit PA, Svnapot 64K, Svpbmt"
#include "fmt/riscv.h"
