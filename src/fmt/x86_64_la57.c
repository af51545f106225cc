/* SPDX-License-Identifier: MIT */
/* The generic walker and operations compiled for x86-64 5-level paging. */
#include "fmt/x86_64_la57.h"
#define PT_FORMAT_SYM pt_format_x86_64_la57
#include "ops/instantiate.h"
