/* SPDX-License-Identifier: MIT */
#include "fmt/x86_64_la57.h"
#define DIAG_SYM diag_x86_64_la57
#include "inline_tmpl.h"
