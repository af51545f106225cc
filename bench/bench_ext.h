/* SPDX-License-Identifier: MIT */
/*
 * Workloads defined outside bench/bench.c (bench/bench_mm.c) run through bench.c's own
 * runner: the same interleaved repetitions, medians, callgrind segments, agreement check
 * (digest and aux of ptkit and the reference must be equal) and records (results.json).
 */
#ifndef PTKIT_BENCH_EXT_H
#define PTKIT_BENCH_EXT_H

#include <stdbool.h>
#include <stdint.h>

struct fx; /* bench.c's per-format fixture (opaque here) */
struct pt_format;

/* impl as passed to setup / run (bench.c's IMPL_PTKIT, IMPL_REF). */
enum { BENCH_PTKIT = 0, BENCH_REF = 1 };

struct bench_ext_job {
	const char *name, *unit;
	uint64_t ops; /* operations per run (the ns/op divisor) */
	void *priv;
	/* untimed, before each timed run of impl (may be NULL) */
	void (*setup)(void *priv, int impl);
	/* timed: a digest (and *aux) that must agree between ptkit and the reference */
	uint64_t (*run)(void *priv, int impl, uint64_t *aux);
	/* untimed, after ptkit and the reference ran in a repetition (may be NULL) */
	void (*after)(void *priv);
};

/* xorshift64*: the bench's random addresses (each caller keeps its own state). */
static inline uint64_t bench_rng(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dull;
}

/*
 * What bench.c lends the workloads defined outside it: they call back through these and
 * never into bench.c by name, so the dependency runs one way (bench.c -> bench_mm.c).
 */
struct bench_host {
	/* run one workload for format fixture x (skipped when --only does not list it) */
	void (*run_ext)(struct fx *x, const struct bench_ext_job *j);
	/* does --only (if given) list this workload? */
	bool (*wanted)(const char *workload);
	/* the workload running now (or, outside one, the run) failed a check */
	void (*fail)(const char *what);
};

/* The sizes of this run (bench.c's struct sizes), and the host's callbacks. */
struct bench_env {
	const char *size;   /* "full", "quick", "small", "tiny" */
	uint64_t seeks;	    /* VAs per seek workload */
	uint64_t mixed_gib; /* the mixed space, GiB */
	uint64_t map_bytes; /* map/unmap/GUP range */
	const struct bench_host *host;
};

/* bench_mm.c: the src/mm workloads (GUP, follow_pfnmap) for format f. */
void bench_mm_format(struct fx *x, const struct pt_format *f, const struct bench_env *env);

#endif
