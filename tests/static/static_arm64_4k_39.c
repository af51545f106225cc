/* SPDX-License-Identifier: MIT */
#define PTKIT_FORMAT "fmt/arm64_4k_39.h"
#define STATIC_SYM static_arm64_4k_39
#include "static_tmpl.h"
