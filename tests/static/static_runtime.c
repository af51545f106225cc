/* SPDX-License-Identifier: MIT */
/* The walks of static_body.h through the run-time API. */
#include <ptkit/ptkit.h>

#define STATIC_SYM static_runtime
#define STATIC_NAME NULL
#include "static_body.h"
