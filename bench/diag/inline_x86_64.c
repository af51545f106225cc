/* SPDX-License-Identifier: MIT */
#include "fmt/x86_64_4level.h"
#define DIAG_SYM diag_x86_64
#include "inline_tmpl.h"
