/* SPDX-License-Identifier: MIT */
/* The generic walker and operations compiled for arm64-4k-48. */
#include "fmt/arm64_4k_48.h"
#define PT_FORMAT_SYM pt_format_arm64_4k_48
#include "ops/instantiate.h"
