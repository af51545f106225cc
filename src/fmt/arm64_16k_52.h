/* SPDX-License-Identifier: MIT */
/* arm64 VMSAv8-64 stage 1, 16KB granule, 52-bit VA per half (T0SZ = T1SZ = 12), 52-bit OA:
 * FEAT_LPA2 (TCR_EL1.DS = 1). */
#define ARM64_GRANULE_SHIFT 14
#define ARM64_VA_BITS 52
#define ARM64_PA52 1
#define FMT_NAME "arm64-16k-52"
#define FMT_DESCRIPTION "arm64 stage 1, 16KB granule, 52-bit VA, 52-bit PA (FEAT_LPA2)"
#include "fmt/arm64.h"
