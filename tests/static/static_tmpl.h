/* SPDX-License-Identifier: MIT */
/* The walks of static_body.h through the compile-time API of PTKIT_FORMAT. */
#define PTKIT_STATIC_CHECK
#include <ptkit/ptkit.h>

#define STATIC_NAME FMT_NAME
#include "static_body.h"
