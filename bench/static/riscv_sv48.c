/* SPDX-License-Identifier: MIT */
#define PTKIT_FORMAT "fmt/riscv_sv48.h"
#define STATIC_SYM static_riscv_sv48
#include "static_tmpl.h"
