/* SPDX-License-Identifier: MIT */
/*
 * x86-64 4-level and 5-level paging for the reference walkers, in the style of Linux's
 * arch/x86 pgtable helpers. With 4 levels the p4d level is folded into the pgd exactly as
 * in include/asm-generic/pgtable-nop4d.h (REF_P4D_FOLDED: p4d_offset() returns the pgd
 * entry itself and p4d_addr_end() returns end), so the compiler removes that level.
 *
 * The includer defines REF_LEVELS (4 or 5). Bits from the Intel SDM vol. 3A 4.5
 * (P = 0, RW = 1, US = 2, PS = 7, XD = 63; bit 9 is software-available, Linux's and
 * ptkit's _PAGE_SPECIAL).
 */
#ifndef PTKIT_BENCH_X86_64_PGTABLE_H
#define PTKIT_BENCH_X86_64_PGTABLE_H

#include "ref_pgtable.h"

#ifndef REF_LEVELS
#error "define REF_LEVELS (4 or 5)"
#endif

#define REF_NAME (REF_LEVELS == 5 ? "x86_64-la57" : "x86_64")

#define _PAGE_PRESENT (1ull << 0)
#define _PAGE_RW (1ull << 1)
#define _PAGE_USER (1ull << 2)
#define _PAGE_PSE (1ull << 7)
#define _PAGE_SPECIAL (1ull << 9) /* _PAGE_SOFTW1, as Linux (and ptkit's format) */
#define _PAGE_NX (1ull << 63)
#define PTE_PFN_MASK 0x000ffffffffff000ull
#define _PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER) /* what ptkit links tables with */

#define PAGE_SHIFT 12
#define PMD_SHIFT 21
#define PUD_SHIFT 30
#define P4D_SHIFT 39
#if REF_LEVELS == 5
#define PGDIR_SHIFT 48
#else
#define PGDIR_SHIFT 39
#define REF_P4D_FOLDED 1
#endif
#define PTRS_PER_TABLE 512
#define PMD_PFN_MASK (PTE_PFN_MASK & ~((1ull << PMD_SHIFT) - 1))
#define PUD_PFN_MASK (PTE_PFN_MASK & ~((1ull << PUD_SHIFT) - 1))

/* Empty: P = 0 at every level (the rest of the entry is ignored). */
static inline bool pte_none(uint64_t v)
{
	return !(v & _PAGE_PRESENT);
}
static inline bool pmd_none(uint64_t v)
{
	return !(v & _PAGE_PRESENT);
}
static inline bool pud_none(uint64_t v)
{
	return !(v & _PAGE_PRESENT);
}
static inline bool p4d_none(uint64_t v)
{
	return !(v & _PAGE_PRESENT);
}
#if REF_LEVELS == 5
static inline bool pgd_none(uint64_t v)
{
	return !(v & _PAGE_PRESENT);
}
static inline uint64_t pgd_table_pa(uint64_t v)
{
	return v & PTE_PFN_MASK;
}
#endif

/* 2M and 1G pages: PS = 1 in a PDE / PDPTE (SDM 4.5, tables 4-17 / 4-15). */
static inline bool pud_leaf(uint64_t v)
{
	return (v & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE);
}
static inline bool pmd_leaf(uint64_t v)
{
	return (v & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE);
}

/* Next-level table of a non-leaf entry (pmd_page_paddr and friends). */
static inline uint64_t p4d_table_pa(uint64_t v)
{
	return v & PTE_PFN_MASK;
}
static inline uint64_t pud_table_pa(uint64_t v)
{
	return v & PTE_PFN_MASK;
}
static inline uint64_t pmd_table_pa(uint64_t v)
{
	return v & PTE_PFN_MASK;
}

/* Output address of a leaf. */
static inline uint64_t pte_pa(uint64_t v)
{
	return v & PTE_PFN_MASK;
}
static inline uint64_t pmd_leaf_pa(uint64_t v)
{
	return v & PMD_PFN_MASK;
}
static inline uint64_t pud_leaf_pa(uint64_t v)
{
	return v & PUD_PFN_MASK;
}

/* What ptkit writes for PT_R [| PT_W], kernel, not executable: P, NX, RW, PS for huge. */
static inline uint64_t leaf_prot(bool write, bool huge)
{
	return _PAGE_PRESENT | _PAGE_NX | (write ? _PAGE_RW : 0) | (huge ? _PAGE_PSE : 0);
}
static inline uint64_t mk_leaf(uint64_t pa, uint64_t prot)
{
	return pa | prot;
}
static inline uint64_t mk_table(uint64_t pa)
{
	return pa | _PAGE_TABLE;
}

/* pte_write / pte_special (a leaf at any level: the bits are the same). */
static inline bool pte_write(uint64_t v)
{
	return v & _PAGE_RW;
}
static inline bool pte_special(uint64_t v)
{
	return v & _PAGE_SPECIAL;
}

/* pte_mkwrite / pte_wrprotect, the same at every level. */
static inline uint64_t pte_modify_rw(uint64_t v, bool write)
{
	return write ? v | _PAGE_RW : v & ~_PAGE_RW;
}

#endif
