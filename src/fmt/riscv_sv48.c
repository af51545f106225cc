/* SPDX-License-Identifier: MIT */
/* The generic walker and operations compiled for RISC-V Sv48. */
#include "fmt/riscv_sv48.h"
#define PT_FORMAT_SYM pt_format_riscv_sv48
#include "ops/instantiate.h"
