/* SPDX-License-Identifier: MIT */
/*
 * The generic pXd helpers of the reference walkers (Linux's linux/pgtable.h part over the
 * arch's asm/pgtable.h): PAGE_SIZE .. PGDIR_MASK, pXd_index, pgd_offset .. pte_offset (and
 * the _e variants from an entry already read, p4d_offset_lockless), pXd_addr_end, the
 * folded p4d of asm-generic/pgtable-nop4d.h when REF_P4D_FOLDED, and the generic p4d_leaf
 * fallback. Shared by ref_tmpl.h (the ref_format workloads) and ref_mm_x86_64.h (the src/mm
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
	return (a >> PGDIR_SHIFT) & (PTRS_PER_TABLE - 1);
}
static inline unsigned long p4d_index(uint64_t a)
{
	return (a >> P4D_SHIFT) & (PTRS_PER_TABLE - 1);
}
static inline unsigned long pud_index(uint64_t a)
{
	return (a >> PUD_SHIFT) & (PTRS_PER_TABLE - 1);
}
static inline unsigned long pmd_index(uint64_t a)
{
	return (a >> PMD_SHIFT) & (PTRS_PER_TABLE - 1);
}
static inline unsigned long pte_index(uint64_t a)
{
	return (a >> PAGE_SHIFT) & (PTRS_PER_TABLE - 1);
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
static inline pud_t *pud_offset(const REF_PXD_MM *mm, p4d_t *p4d, uint64_t a)
{
	return (pud_t *)REF_PXD_VA(mm, p4d_table_pa(READ_ONCE(p4d->p4d))) + pud_index(a);
}
static inline pmd_t *pmd_offset(const REF_PXD_MM *mm, pud_t *pud, uint64_t a)
{
	return (pmd_t *)REF_PXD_VA(mm, pud_table_pa(READ_ONCE(pud->pud))) + pmd_index(a);
}
static inline pte_t *pte_offset(const REF_PXD_MM *mm, pmd_t *pmd, uint64_t a)
{
	return (pte_t *)REF_PXD_VA(mm, pmd_table_pa(READ_ONCE(pmd->pmd))) + pte_index(a);
}
/* Variants taking the already-read entry (pte_offset_map_lockless style). */
static inline pud_t *pud_offset_e(const REF_PXD_MM *mm, uint64_t p4d, uint64_t a)
{
	return (pud_t *)REF_PXD_VA(mm, p4d_table_pa(p4d)) + pud_index(a);
}
static inline pmd_t *pmd_offset_e(const REF_PXD_MM *mm, uint64_t pud, uint64_t a)
{
	return (pmd_t *)REF_PXD_VA(mm, pud_table_pa(pud)) + pmd_index(a);
}
static inline pte_t *pte_offset_e(const REF_PXD_MM *mm, uint64_t pmd, uint64_t a)
{
	return (pte_t *)REF_PXD_VA(mm, pmd_table_pa(pmd)) + pte_index(a);
}

static inline uint64_t pud_addr_end(uint64_t a, uint64_t end)
{
	uint64_t b = (a + PUD_SIZE) & PUD_MASK;
	return b - 1 < end - 1 ? b : end;
}
static inline uint64_t pmd_addr_end(uint64_t a, uint64_t end)
{
	uint64_t b = (a + PMD_SIZE) & PMD_MASK;
	return b - 1 < end - 1 ? b : end;
}

#endif
