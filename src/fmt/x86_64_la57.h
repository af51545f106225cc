/* SPDX-License-Identifier: MIT */
/* x86-64 5-level paging (CR4.LA57=1): SDM vol. 3A 4.5, 57-bit linear addresses. */
#define X86_PAGING_LEVELS 5
#define FMT_NAME "x86_64-la57"
#define FMT_DESCRIPTION "x86-64 5-level paging (LA57), 57-bit VA, 52-bit PA"
#include "fmt/x86_64.h"
