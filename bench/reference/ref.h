/* SPDX-License-Identifier: MIT */
/*
 * The interface every hand-written reference walker exports to bench/bench.c.
 *
 * A reference is what a careful kernel engineer writes for one MMU format: per-level
 * pgd/p4d/pud/pmd/pte functions, nested loops with pXd_addr_end(), everything static
 * inline, no callbacks, compiled with the same flags as ptkit. It reads and writes the
 * very same tables in the same arena (host pointer = bytes + (pa - base)) and takes its
 * tables from the same allocator (mem->alloc / mem->free).
 *
 * Each entry point below runs a whole workload (its inner loops inlined), so the
 * reference pays no call per page; ptkit is driven through its public API.
 *
 * The loops are written once in ref_tmpl.h (Linux's generic mm code) over an arch header's
 * pXd_* helpers (x86_64_pgtable.h, arm64_pgtable.h, riscv_pgtable.h, ppc64_pgtable.h:
 * Linux's asm/pgtable.h). Adding a format: one file bench/reference/ref_<format>.c that
 * defines REF_SYM (and the arch header's parameters), includes its arch header and then
 * ref_tmpl.h, giving a `const struct ref_format ref_<format>`, and one line in
 * bench/bench.c's ref_formats[].
 *
 * "Page" below is the format's smallest page, PAGE_SIZE (4K, or 64K for arm64-64k-48 and
 * ppc64-radix-64k).
 */
#ifndef PTKIT_BENCH_REF_H
#define PTKIT_BENCH_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ptkit/types.h>

/* One tree as the reference sees it: a root and the memory it lives in. */
struct ref_mm {
	struct pt_mem *mem;
	uint64_t root;
};

/* TLB range owed after a mutation (what Linux's mmu_gather tracks). */
struct ref_tlb {
	uint64_t start, end; /* [start, end), start > end: nothing to flush */
	uint64_t tables_freed;
};

struct ref_format {
	const char *name; /* the ptkit format name it mirrors */
	/* Translate each va: returns the sum of the PAs found; *faults counts unmapped VAs. */
	uint64_t (*seek_many)(const struct ref_mm *mm, const uint64_t *va, size_t n,
			      uint64_t *faults);
	/* Sum of the start PAs of every present leaf overlapping [start, end); *count leaves. */
	uint64_t (*scan)(const struct ref_mm *mm, uint64_t start, uint64_t end, uint64_t *count);
	/*
	 * Map [va, va+size) -> pa with leaves of page_size (a page, or a pmd / pud leaf size)
	 * into an empty range, writable or read-only, not executable. 0, or -PT_EEXIST /
	 * -PT_ENOMEM.
	 */
	int (*map)(struct ref_mm *mm, uint64_t va, uint64_t pa, uint64_t size, uint64_t page_size,
		   bool write);
	/* Map one page at each va[i] -> va[i] + pa_off. 0, or the first error. */
	int (*map_pages)(struct ref_mm *mm, const uint64_t *va, size_t n, uint64_t pa_off,
			 bool write);
	/* Clear every leaf in [va, va+size) (whole leaves only), free tables that empty. */
	int (*unmap)(struct ref_mm *mm, uint64_t va, uint64_t size, struct ref_tlb *tlb);
	/* Set or clear write permission on every leaf in [va, va+size) (whole leaves only). */
	int (*protect)(struct ref_mm *mm, uint64_t va, uint64_t size, bool write,
		       struct ref_tlb *tlb);
	/*
	 * GUP-fast: for every page of [start, end) take a reference, pins[pfn - pfn_base]++
	 * (pfn = PA >> PAGE_SHIFT).
	 * Returns pages pinned; stops (like gup_fast) at the first hole.
	 */
	uint64_t (*gup_fast)(const struct ref_mm *mm, uint64_t start, uint64_t end, uint32_t *pins,
			     uint64_t pfn_base);
};

#endif
