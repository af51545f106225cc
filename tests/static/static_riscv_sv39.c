/* SPDX-License-Identifier: MIT */
#define PTKIT_FORMAT "fmt/riscv_sv39.h"
#define STATIC_SYM static_riscv_sv39
#include "static_tmpl.h"
