/* SPDX-License-Identifier: MIT */
#define PTKIT_FORMAT "fmt/ppc64_radix_64k.h"
#define STATIC_SYM static_ppc64_radix_64k
#include "static_tmpl.h"
