/* SPDX-License-Identifier: MIT */
#define PTKIT_FORMAT "fmt/arm64_64k_42.h"
#define STATIC_SYM static_arm64_64k_42
#include "static_tmpl.h"
