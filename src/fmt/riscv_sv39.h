/* SPDX-License-Identifier: MIT */
/* RISC-V Sv39: 3 levels, 39-bit VA, 56-bit PA (privileged spec 4.4). */
#define RISCV_LEVELS 3
#define FMT_NAME "riscv-sv39"
#define FMT_DESCRIPTION "RISC-V Sv39, 3 levels, 39-bit VA, 56-bit PA, Svnapot 64K, Svpbmt"
#include "fmt/riscv.h"
