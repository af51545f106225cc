/* SPDX-License-Identifier: MIT */
/* arm64 VMSAv8-64 stage 1, 16KB granule, 36-bit VA per half (T0SZ = T1SZ = 28), 48-bit OA. */
#define ARM64_GRANULE_SHIFT 14
#define ARM64_VA_BITS 36
#define ARM64_PA52 0
#define FMT_NAME "arm64-16k-36"
#define FMT_DESCRIPTION "arm64 stage 1, 16KB granule, 36-bit VA, 48-bit PA"
#include "fmt/arm64.h"
