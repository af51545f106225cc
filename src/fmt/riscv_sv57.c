/* SPDX-License-Identifier: MIT */
/* The generic walker and operations compiled for RISC-V Sv57. */
#include "fmt/riscv_sv57.h"
#define PT_FORMAT_SYM pt_format_riscv_sv57
#include "ops/instantiate.h"
