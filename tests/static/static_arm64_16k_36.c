/* SPDX-License-Identifier: MIT */
#define PTKIT_FORMAT "fmt/arm64_16k_36.h"
#define STATIC_SYM static_arm64_16k_36
#include "static_tmpl.h"
