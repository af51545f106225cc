/* SPDX-License-Identifier: MIT */
/* Diagnostic variants of ptkit's walker compiled into the benchmark (see inline_tmpl.h). */
#ifndef PTKIT_BENCH_DIAG_H
#define PTKIT_BENCH_DIAG_H

#include <ptkit/types.h>

struct diag_format {
	const char *name;
	uint64_t (*scan)(struct pt_mm *mm, uint64_t start, uint64_t end, uint64_t *count);
	uint64_t (*seek_many)(struct pt_mm *mm, const uint64_t *va, size_t n, uint64_t *faults);
};

#endif
