/* SPDX-License-Identifier: MIT */
#define PTKIT_FORMAT "fmt/arm64_64k_48.h"
#define STATIC_SYM static_arm64_64k_48
#include "static_tmpl.h"
