/* SPDX-License-Identifier: MIT */
/*
 * The bench's walks (pk_walks.h) through the compile-time API of PTKIT_FORMAT: the same
 * source as the run-time rows, instantiated for one format. The includer defines
 * PTKIT_FORMAT and STATIC_SYM.
 */
#pragma GCC diagnostic ignored "-Wunused-function"
#include <ptkit/ptkit.h>

#include "pk_walks.h"
#include "static.h"

const struct static_walks STATIC_SYM = {
	.name = FMT_NAME,
	.seek_many = pk_seek_many,
	.translate_many = pk_translate_many,
	.scan_leaf = pk_scan_leaf,
};
