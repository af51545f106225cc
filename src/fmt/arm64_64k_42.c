/* SPDX-License-Identifier: MIT */
/* The generic walker and operations compiled for arm64-64k-42. */
#include "fmt/arm64_64k_42.h"
#define PT_FORMAT_SYM pt_format_arm64_64k_42
#include "ops/instantiate.h"
