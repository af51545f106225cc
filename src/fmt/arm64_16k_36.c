/* SPDX-License-Identifier: MIT */
/* The generic walker and operations compiled for arm64-16k-36. */
#include "fmt/arm64_16k_36.h"
#define PT_FORMAT_SYM pt_format_arm64_16k_36
#include "ops/instantiate.h"
