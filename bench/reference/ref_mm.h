/* SPDX-License-Identifier: MIT */
/*
 * The interface of the hand-written per-level references for the src/mm workloads
 * (bench/bench_mm.c). Same rules as ref.h: Linux-style pgd_offset .. pte_offset, pXd_leaf,
 * nested loops, everything static inline, each entry point one whole workload. They run
 * on the very same struct mm as ptkit: the same tables (mm->pt / mm->view), the same
 * page-frame database and the same accounting (mm_folio_of, mm_folio_get and the
 * refcount / pincount atomics of src/mm/gup.c), the same mm lock and RCU read side.
 *
 * Adding a format: bench/reference/mm_<format>.c defining a `const struct ref_mm_format
 * ref_mm_<format>` and one line in bench/bench_mm.c's ref_mm_formats[].
 */
#ifndef PTKIT_BENCH_REF_MM_H
#define PTKIT_BENCH_REF_MM_H

#include <stddef.h>
#include <stdint.h>

#include <ptkit/mm.h>

struct ref_mm_format {
	const char *name; /* the ptkit format name it mirrors */
	/*
	 * get_user_pages_fast (FOLL_GET, or FOLL_PIN = pin_user_pages_fast): the lockless
	 * gup_fast_pgd_range walk of mm->view under the RCU read side, then the slow path
	 * below for what it left. Returns pages taken, or a negative PT_E* code.
	 */
	long (*gup_fast)(struct mm *mm, uint64_t start, unsigned long nr_pages, unsigned foll,
			 uint64_t *pas);
	/*
	 * get_user_pages / pin_user_pages: __get_user_pages under the mm lock, the VMA
	 * looked up once per VMA, follow_page_mask from the root per page (per leaf for huge
	 * leaves), a hole or a read-only leaf under FOLL_WRITE faulted in by
	 * mm_fault_default. Returns pages taken, or a negative PT_E* code.
	 */
	long (*gup)(struct mm *mm, uint64_t start, unsigned long nr_pages, unsigned foll,
		    uint64_t *pas);
	/*
	 * follow_pfnmap_start/end for each va[i] (lock, VMA lookup, per-level seek, unlock):
	 * returns the sum of the PFNs; *writable counts writable leaves, *errors the VAs
	 * that are not in a PFN map or not mapped.
	 */
	uint64_t (*follow_pfnmap_many)(struct mm *mm, const uint64_t *va, size_t n,
				       uint64_t *writable, uint64_t *errors);
};

#endif
