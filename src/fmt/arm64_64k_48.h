/* SPDX-License-Identifier: MIT */
/* arm64 VMSAv8-64 stage 1, 64KB granule, 48-bit VA per half (T0SZ = T1SZ = 16), 48-bit OA. */
#define ARM64_GRANULE_SHIFT 16
#define ARM64_VA_BITS 48
#define ARM64_PA52 0
#define FMT_NAME "arm64-64k-48"
#define FMT_DESCRIPTION "arm64 stage 1, 64KB granule, 48-bit VA, 48-bit PA"
#include "fmt/arm64.h"
