/* SPDX-License-Identifier: MIT */
#define PTKIT_FORMAT "fmt/x86_64_4level.h"
#define STATIC_SYM static_x86_64
#include "static_tmpl.h"
