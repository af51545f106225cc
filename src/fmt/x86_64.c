/* SPDX-License-Identifier: MIT */
/* The generic walker and operations compiled for x86-64 4-level paging. */
#include "fmt/x86_64_4level.h"
#define PT_FORMAT_SYM pt_format_x86_64
#include "ops/instantiate.h"
