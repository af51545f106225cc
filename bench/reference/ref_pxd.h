/* SPDX-License-Identifier: MIT */
/*
 * The generic pXd helpers of the reference walkers (Linux's linux/pgtable.h part over the
 * arch's asm/pgtable.h): PAGE_SIZE .. PGDIR_MASK, PTRS_PER_PGD .. PTRS_PER_PTE and the
 * table sizes, pXd_index, pgd_offset .. pte_offset (and the _e variants from an entry
 * already read, p4d_offset_lockless / pud_offset_lockless), pXd_addr_end, the folded p4d of
 * asm-generic/pgtable-nop4d.h when REF_P4D_FOLDED, the folded pud of pgtable-nopud.h when
 * REF_PUD_FOLDED too (3 levels), the generic p4d_leaf fallback and the per-level table
 * entries (mk_pgd_table .. mk_pmd_table, all mk_table unless the arch has its own).
 * Shared by ref_tmpl.h (the ref_format workloads) and ref_mm_x86_64.h (the src/mm
 * references).
 *
 * Include an arch pgtable header first (see ref_tmpl.h for what it provides). The helpers
 * take a `const REF_PXD_MM *mm` with a `root` member and reach a table through
 * REF_PXD_VA(mm, pa); unless the includer defines both, they are struct ref_mm and ref_va()
 * of ref_pgtable.h.
 */
#ifndef PTKIT_BENCH_REF_PXD_H
#define PTKIT_BENCH_REF_PXD_H

#include "ref_pgtable.h"

#ifndef PAGE_SHIFT
#error "include an arch pgtable header before ref_pxd.h"
#endif
#ifndef REF_PXD_MM
#define REF_PXD_MM struct ref_mm
#define REF_PXD_VA ref_va
#endif

#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define PMD_SIZE (1ull << PMD_SHIFT)
#define PUD_SIZE (1ull << PUD_SHIFT)
#define P4D_SIZE (1ull << P4D_SHIFT)
#define PGDIR_SIZE (1ull << PGDIR_SHIFT)
#define PMD_MASK (~(PMD_SIZE - 1))
#define PUD_MASK (~(PUD_SIZE - 1))
#define P4D_MASK (~(P4D_SIZE - 1))
#define PGDIR_MASK (~(PGDIR_SIZE - 1))

/*
 * Entries per table at each level (Linux's PTRS_PER_PXD): PTRS_PER_TABLE everywhere unless
 * the arch says otherwise (a smaller root: arm64 with fewer VA bits; ppc64 radix: 13/9/9/5
 * index bits). A table is PTRS_PER_PXD 8-byte entries (the root may be smaller than a page
 * and a ppc64 64K-page PTE table is 256 bytes); tables are allocated and freed at that size.
 */
#ifndef PTRS_PER_PGD
#define PTRS_PER_PGD PTRS_PER_TABLE
#endif
#ifndef PTRS_PER_P4D
#ifdef REF_P4D_FOLDED
#define PTRS_PER_P4D 1 /* pgtable-nop4d.h */
#else
#define PTRS_PER_P4D PTRS_PER_TABLE
#endif
#endif
#ifndef PTRS_PER_PUD
#ifdef REF_PUD_FOLDED
#define PTRS_PER_PUD 1 /* pgtable-nopud.h */
#else
#define PTRS_PER_PUD PTRS_PER_TABLE
#endif
#endif
#ifndef PTRS_PER_PMD
#define PTRS_PER_PMD PTRS_PER_TABLE
#endif
#ifndef PTRS_PER_PTE
#define PTRS_PER_PTE PTRS_PER_TABLE
#endif
#define P4D_TABLE_SIZE (PTRS_PER_P4D * 8ull)
#define PUD_TABLE_SIZE (PTRS_PER_PUD * 8ull)
#define PMD_TABLE_SIZE (PTRS_PER_PMD * 8ull)
#define PTE_TABLE_SIZE (PTRS_PER_PTE * 8ull)

#if defined(REF_PUD_FOLDED) && !defined(REF_P4D_FOLDED)
#error "a folded pud (pgtable-nopud.h) folds the p4d too"
#endif

/*
 * The entry a pXd_populate writes: a pgd entry pointing at a p4d table, a p4d entry at a
 * pud table, ... The same mk_table at every level unless the arch needs the level (ppc64
 * radix: the next table's size is in the entry).
 */
#ifndef REF_HAVE_LEVEL_MK_TABLE
static inline uint64_t mk_pgd_table(uint64_t pa)
{
	return mk_table(pa);
}
static inline uint64_t mk_p4d_table(uint64_t pa)
{
	return mk_table(pa);
}
static inline uint64_t mk_pud_table(uint64_t pa)
{
	return mk_table(pa);
}
static inline uint64_t mk_pmd_table(uint64_t pa)
{
	return mk_table(pa);
}
#endif

/* No p4d leaves unless the arch has them (Linux's generic p4d_leaf fallback). */
#ifndef REF_HAVE_P4D_LEAF
static inline bool p4d_leaf(uint64_t v)
{
	(void)v;
	return false;
}
static inline uint64_t p4d_leaf_pa(uint64_t v)
{
	(void)v;
	return 0;
}
#endif

static inline unsigned long pgd_index(uint64_t a)
{
	return (a >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1);
}
static inline unsigned long p4d_index(uint64_t a)
{
	return (a >> P4D_SHIFT) & (PTRS_PER_P4D - 1);
}
static inline unsigned long pud_index(uint64_t a)
{
	return (a >> PUD_SHIFT) & (PTRS_PER_PUD - 1);
}
static inline unsigned long pmd_index(uint64_t a)
{
	return (a >> PMD_SHIFT) & (PTRS_PER_PMD - 1);
}
static inline unsigned long pte_index(uint64_t a)
{
	return (a >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
}

static inline pgd_t *pgd_offset(const REF_PXD_MM *mm, uint64_t a)
{
	return (pgd_t *)REF_PXD_VA(mm, mm->root) + pgd_index(a);
}
static inline uint64_t pgd_addr_end(uint64_t a, uint64_t end)
{
	uint64_t b = (a + PGDIR_SIZE) & PGDIR_MASK;
	return b - 1 < end - 1 ? b : end;
}
#ifdef REF_P4D_FOLDED
/* Folded p4d (pgtable-nop4d.h): the pgd entry is the p4d entry. */
static inline p4d_t *p4d_offset(const REF_PXD_MM *mm, pgd_t *pgd, uint64_t a)
{
	(void)mm;
	(void)a;
	return (p4d_t *)pgd;
}
static inline p4d_t *p4d_offset_lockless(const REF_PXD_MM *mm, pgd_t *pgd, uint64_t pgdv,
					 uint64_t a)
{
	(void)mm;
	(void)pgdv;
	(void)a;
	return (p4d_t *)pgd;
}
static inline bool pgd_none(uint64_t v)
{
	(void)v;
	return false;
}
static inline uint64_t p4d_addr_end(uint64_t a, uint64_t end)
{
	(void)a;
	return end;
}
#else
static inline p4d_t *p4d_offset(const REF_PXD_MM *mm, pgd_t *pgd, uint64_t a)
{
	return (p4d_t *)REF_PXD_VA(mm, pgd_table_pa(READ_ONCE(pgd->pgd))) + p4d_index(a);
}
/* p4d_offset_lockless: from the pgd entry already read (GUP-fast reads each entry once). */
static inline p4d_t *p4d_offset_lockless(const REF_PXD_MM *mm, pgd_t *pgd, uint64_t pgdv,
					 uint64_t a)
{
	(void)pgd;
	return (p4d_t *)REF_PXD_VA(mm, pgd_table_pa(pgdv)) + p4d_index(a);
}
static inline uint64_t p4d_addr_end(uint64_t a, uint64_t end)
{
	uint64_t b = (a + P4D_SIZE) & P4D_MASK;
	return b - 1 < end - 1 ? b : end;
}
#endif
#ifdef REF_PUD_FOLDED
/*
 * Folded pud (pgtable-nopud.h, 3 levels): the p4d entry (itself the pgd entry) is the pud
 * entry, so the p4d level's tests are constant and the arch's pud_none / pud_leaf decide on
 * the root entry; the pud loop runs once per p4d entry (pud_addr_end returns end). The
 * entry is read there, once: p4dp_get reads nothing (a relaxed atomic load whose value is
 * unused is not removed by the compiler, and the folded p4d's would be a second dead one).
 */
static inline uint64_t p4dp_get(p4d_t *p4d)
{
	(void)p4d;
	return 0;
}
static inline bool p4d_none(uint64_t v)
{
	(void)v;
	return false;
}
static inline pud_t *pud_offset(const REF_PXD_MM *mm, p4d_t *p4d, uint64_t a)
{
	(void)mm;
	(void)a;
	return (pud_t *)p4d;
}
static inline pud_t *pud_offset_lockless(const REF_PXD_MM *mm, p4d_t *p4d, uint64_t p4dv,
					 uint64_t a)
{
	(void)mm;
	(void)p4dv;
	(void)a;
	return (pud_t *)p4d;
}
static inline uint64_t pud_addr_end(uint64_t a, uint64_t end)
{
	(void)a;
	return end;
}
#else
/* p4dp_get: the p4d entry, read once (Linux's generic p4dp_get is READ_ONCE(*p4dp)). */
static inline uint64_t p4dp_get(p4d_t *p4d)
{
	return READ_ONCE(p4d->p4d);
}
static inline pud_t *pud_offset(const REF_PXD_MM *mm, p4d_t *p4d, uint64_t a)
{
	return (pud_t *)REF_PXD_VA(mm, p4d_table_pa(READ_ONCE(p4d->p4d))) + pud_index(a);
}
/* Variant taking the already-read entry (pte_offset_map_lockless style). */
static inline pud_t *pud_offset_e(const REF_PXD_MM *mm, uint64_t p4d, uint64_t a)
{
	return (pud_t *)REF_PXD_VA(mm, p4d_table_pa(p4d)) + pud_index(a);
}
/* pud_offset_lockless: the pud entry for the p4d entry p4dv already read from *p4d. */
static inline pud_t *pud_offset_lockless(const REF_PXD_MM *mm, p4d_t *p4d, uint64_t p4dv,
					 uint64_t a)
{
	(void)p4d;
	return pud_offset_e(mm, p4dv, a);
}
static inline uint64_t pud_addr_end(uint64_t a, uint64_t end)
{
	uint64_t b = (a + PUD_SIZE) & PUD_MASK;
	return b - 1 < end - 1 ? b : end;
}
#endif
static inline pmd_t *pmd_offset(const REF_PXD_MM *mm, pud_t *pud, uint64_t a)
{
	return (pmd_t *)REF_PXD_VA(mm, pud_table_pa(READ_ONCE(pud->pud))) + pmd_index(a);
}
static inline pte_t *pte_offset(const REF_PXD_MM *mm, pmd_t *pmd, uint64_t a)
{
	return (pte_t *)REF_PXD_VA(mm, pmd_table_pa(READ_ONCE(pmd->pmd))) + pte_index(a);
}
/* Variants taking the already-read entry (pte_offset_map_lockless style). */
static inline pmd_t *pmd_offset_e(const REF_PXD_MM *mm, uint64_t pud, uint64_t a)
{
	return (pmd_t *)REF_PXD_VA(mm, pud_table_pa(pud)) + pmd_index(a);
}
static inline pte_t *pte_offset_e(const REF_PXD_MM *mm, uint64_t pmd, uint64_t a)
{
	return (pte_t *)REF_PXD_VA(mm, pmd_table_pa(pmd)) + pte_index(a);
}

static inline uint64_t pmd_addr_end(uint64_t a, uint64_t end)
{
	uint64_t b = (a + PMD_SIZE) & PMD_MASK;
	return b - 1 < end - 1 ? b : end;
}

#endif
