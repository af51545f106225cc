/* SPDX-License-Identifier: MIT */
/* The generic walker and operations compiled for RISC-V Sv39. */
#include "fmt/riscv_sv39.h"
#define PT_FORMAT_SYM pt_format_riscv_sv39
#include "ops/instantiate.h"
