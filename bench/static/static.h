/* SPDX-License-Identifier: MIT */
/* bench/static: pk_walks.h compiled with the compile-time single-format API, per format. */
#ifndef PTKIT_BENCH_STATIC_H
#define PTKIT_BENCH_STATIC_H

#include <ptkit/types.h>

struct static_walks {
	const char *name;
	uint64_t (*seek_many)(struct pt_mm *mm, const uint64_t *va, size_t n, uint64_t *faults);
	uint64_t (*translate_many)(struct pt_mm *mm, const uint64_t *va, size_t n,
				   uint64_t *faults);
	uint64_t (*scan_leaf)(struct pt_mm *mm, uint64_t start, uint64_t end, uint64_t *count);
};

#define BENCH_STATIC_FORMATS(X)                                                                    \
	X(static_x86_64)                                                                           \
	X(static_x86_64_la57)                                                                      \
	X(static_arm64_4k_48)                                                                      \
	X(static_riscv_sv48)                                                                       \
	X(static_arm64_64k_48)                                                                     \
	X(static_arm64_4k_52)                                                                      \
	X(static_ppc64_radix_64k)

#define BENCH_STATIC_DECLARE(sym) extern const struct static_walks sym;
BENCH_STATIC_FORMATS(BENCH_STATIC_DECLARE)

#endif
