/* SPDX-License-Identifier: MIT */
/* x86-64 4-level paging: SDM vol. 3A 4.5, 48-bit linear addresses. */
#define X86_PAGING_LEVELS 4
#define FMT_NAME "x86_64"
#define FMT_DESCRIPTION "x86-64 4-level paging, 48-bit VA, 52-bit PA"
#include "fmt/x86_64.h"
