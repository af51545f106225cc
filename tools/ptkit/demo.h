/* SPDX-License-Identifier: MIT */
/*
 * ptkit demo's parts: cmd_demo.c (the tree and its translations) calls demo_gup.c (the mm
 * layer's GUP walks); both take their leaf sizes and the PFN map's place from
 * demo_layout.c, so neither calls back into the other.
 */
#ifndef PTKIT_CLI_DEMO_H
#define PTKIT_CLI_DEMO_H

#include <stdint.h>

#include "ptkit/format.h"

/* The largest leaf size of fmt not above max (0: none). */
uint64_t demo_largest_upto(const struct pt_format *fmt, uint64_t max);
/* Where the demo's PFN map goes: its leaf size and its physical address. */
void demo_pfn_layout(const struct pt_format *fmt, uint64_t *leaf, uint64_t *pa);
/* The GUP part of the demo for fmt; 0, or 1 on a failed check. */
int demo_gup(const struct pt_format *fmt);

#endif
