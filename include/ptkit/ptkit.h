/* SPDX-License-Identifier: MIT */
/* ptkit: everything, for convenience. */
#ifndef PTKIT_H
#define PTKIT_H
#include "format.h"
#include "ops.h"
#include "types.h"
#include "version.h"
#include "walk.h"
#endif
