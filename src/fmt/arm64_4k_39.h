/* SPDX-License-Identifier: MIT */
/* arm64 VMSAv8-64 stage 1, 4KB granule, 39-bit VA per half (T0SZ = T1SZ = 25), 48-bit OA. */
#define ARM64_GRANULE_SHIFT 12
#define ARM64_VA_BITS 39
#define ARM64_PA52 0
#define FMT_NAME "arm64-4k-39"
#define FMT_DESCRIPTION "arm64 stage 1, 4KB granule, 39-bit VA, 48-bit PA"
#include "fmt/arm64.h"
