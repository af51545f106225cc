/* SPDX-License-Identifier: MIT */
#define PTKIT_FORMAT "fmt/arm64_4k_52.h"
#define STATIC_SYM static_arm64_4k_52
#include "static_tmpl.h"
