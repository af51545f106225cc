/* SPDX-License-Identifier: MIT */
/*
 * What tests/test_static.c compares: the same walks (static_body.h) compiled once against
 * the run-time API and once per format against the compile-time API (static_<format>.c).
 */
#ifndef PTKIT_TESTS_STATIC_API_H
#define PTKIT_TESTS_STATIC_API_H

#include <stddef.h>
#include <stdint.h>

struct pt_mm;

/* One observation: what a walk reported, field by field. */
struct static_rec {
	uint64_t v[8];
};

struct static_api {
	const char *name; /* FMT_NAME of the instantiation, NULL for the run-time API */
	/* mm_walk_seek_leaf + accessors at each va (one state, so re-seeks reuse its path). */
	size_t (*seek)(struct pt_mm *mm, const uint64_t *va, size_t n, struct static_rec *out);
	/* pt_translate at each va. */
	size_t (*translate)(struct pt_mm *mm, const uint64_t *va, size_t n, struct static_rec *out);
	/* for_each_pt_leaf over [start, end); the body `continue`s past every third leaf and
	 * `break`s after `stop` leaves. */
	size_t (*scan)(struct pt_mm *mm, uint64_t start, uint64_t end, size_t stop,
		       struct static_rec *out, size_t max);
	/* walk_page_range over [start, end) with leaf and hole callbacks. */
	size_t (*walk)(struct pt_mm *mm, uint64_t start, uint64_t end, struct static_rec *out,
		       size_t max);
};

#define STATIC_FORMATS(X)                                                                          \
	X(static_x86_64)                                                                           \
	X(static_x86_64_la57)                                                                      \
	X(static_arm64_4k_39)                                                                      \
	X(static_arm64_4k_48)                                                                      \
	X(static_arm64_4k_52)                                                                      \
	X(static_arm64_16k_36)                                                                     \
	X(static_arm64_16k_47)                                                                     \
	X(static_arm64_16k_52)                                                                     \
	X(static_arm64_64k_42)                                                                     \
	X(static_arm64_64k_48)                                                                     \
	X(static_arm64_64k_52)                                                                     \
	X(static_riscv_sv39)                                                                       \
	X(static_riscv_sv48)                                                                       \
	X(static_riscv_sv57)                                                                       \
	X(static_ppc64_radix_4k)                                                                   \
	X(static_ppc64_radix_64k)

#define STATIC_DECLARE(sym) extern const struct static_api sym;
STATIC_FORMATS(STATIC_DECLARE)
extern const struct static_api static_runtime;

#endif
