/* SPDX-License-Identifier: MIT */
/*
 * What every arch pgtable header of the references shares (the part of Linux's
 * pgtable-types / compiler.h they need): the pXd_t entry types, READ_ONCE / WRITE_ONCE and
 * the arena's host mapping. An arch header (x86_64_pgtable.h, arm64_pgtable.h,
 * riscv_pgtable.h, ppc64_pgtable.h) includes this, defines its bits and pXd_* helpers, and is
 * followed by ref_tmpl.h, the generic mm code written once.
 */
#ifndef PTKIT_BENCH_REF_PGTABLE_H
#define PTKIT_BENCH_REF_PGTABLE_H

#include "ref.h"

typedef struct {
	uint64_t pgd;
} pgd_t;
typedef struct {
	uint64_t p4d;
} p4d_t;
typedef struct {
	uint64_t pud;
} pud_t;
typedef struct {
	uint64_t pmd;
} pmd_t;
typedef struct {
	uint64_t pte;
} pte_t;

/*
 * Whole-entry single-copy-atomic accesses, as READ_ONCE / WRITE_ONCE (plain loads and
 * stores on the host). They move the entry as stored: for a big-endian format (ppc64 radix)
 * the arch header's helpers take and return the stored word and convert where they need
 * a value (be64_to_cpu), as Linux's __be64 pte_t does.
 */
#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static inline void *ref_va(const struct ref_mm *mm, uint64_t pa)
{
	return mm->mem->bytes + (pa - mm->mem->base);
}

#endif
