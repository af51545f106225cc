/* SPDX-License-Identifier: MIT */
#define PTKIT_FORMAT "fmt/arm64_16k_47.h"
#define STATIC_SYM static_arm64_16k_47
#include "static_tmpl.h"
