/* SPDX-License-Identifier: MIT */
#define PTKIT_FORMAT "fmt/riscv_sv57.h"
#define STATIC_SYM static_riscv_sv57
#include "static_tmpl.h"
