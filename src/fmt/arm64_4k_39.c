/* SPDX-License-Identifier: MIT */
/* The generic walker and operations compiled for arm64-4k-39. */
#include "fmt/arm64_4k_39.h"
#define PT_FORMAT_SYM pt_format_arm64_4k_39
#include "ops/instantiate.h"
