/* SPDX-License-Identifier: MIT */
/* arm64 VMSAv8-64 stage 1, 64KB granule, 52-bit VA per half (T0SZ = T1SZ = 12), 52-bit OA: FEAT_LPA
 * + FEAT_LVA. */
#define ARM64_GRANULE_SHIFT 16
#define ARM64_VA_BITS 52
#define ARM64_PA52 1
#define FMT_NAME "arm64-64k-52"
#define FMT_DESCRIPTION "arm64 stage 1, 64KB granule, 52-bit VA, 52-bit PA (FEAT_LPA, FEAT_LVA)"
#include "fmt/arm64.h"
