/* SPDX-License-Identifier: MIT */
#define PTKIT_FORMAT "fmt/x86_64_la57.h"
#define STATIC_SYM static_x86_64_la57
#include "static_tmpl.h"
