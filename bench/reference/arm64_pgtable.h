/* SPDX-License-Identifier: MIT */
/*
 * arm64 VMSAv8-64 stage 1, 4KB granule, 48-bit VA (T0SZ = 16), 48-bit OA, for the
 * reference walkers, in the style of Linux's arch/arm64 pgtable helpers. Four lookup
 * levels: Arm level 0 = pgd (p4d folded into it, as pgtable-nop4d.h), level 1 = pud,
 * level 2 = pmd, level 3 = pte.
 *
 * Bit layouts from the Arm ARM (DDI 0487), chapter D8 "The AArch64 Virtual Memory System
 * Architecture":
 *   D8.2  Translation process: 4KB granule, 9 bits per level, 48-bit VA -> 4 levels
 *         starting at level 0; TTBR0_EL1 translates [0, 2^48).
 *   D8.3  Translation table descriptor formats: bit 0 valid; bits 1:0 = 0b11 table
 *         (levels 0-2) or page (level 3), 0b01 block (levels 1-2 with the 4KB granule,
 *         AArch64.BlockDescSupported()); next-level table address / OA in bits 47:12
 *         (47:21 for a level-2 block, 47:30 for a level-1 block) with a 48-bit OA; nG = 11.
 *   D8.4  Memory access control: AP[2] = bit 7 (1: read-only), AP[1] = bit 6 (EL0 access),
 *         PXN = bit 53, UXN = bit 54.
 *   D8.5  Hardware updates: AF = bit 10, DBM = bit 51.
 *   D8.6  Memory region attributes: AttrIndx = bits 4:2 (MAIR_EL1 index), SH = bits 9:8.
 *
 * What ptkit writes (src/fmt/arm64.h fmt_make_leaf / fmt_make_table) for the bench's
 * requests (PT_R [| PT_W]: kernel, non-global, not executable, normal memory):
 *   table:  OA | 0b11 (no APTable/XNTable bits)
 *   leaf:   OA | valid | (page: type bit 1) | AttrIndx 0 | SH = 0b11 | AF | nG | PXN | UXN
 *           | (read-only: AP[2])
 * and what pt_protect does with write: AP[2] flips; a dirty leaf keeps its dirtiness in
 * DBM while writable and in software bit 56 while read-only (the Linux convention).
 */
#ifndef PTKIT_BENCH_ARM64_PGTABLE_H
#define PTKIT_BENCH_ARM64_PGTABLE_H

#include "ref_pgtable.h"

#define REF_NAME "arm64-4k-48"

#define PTE_VALID (1ull << 0)		     /* D8.3 */
#define PTE_TYPE_MASK (3ull << 0)	     /* D8.3: descriptor type, bits 1:0 */
#define PTE_TYPE_PAGE (3ull << 0)	     /* level 3 page */
#define PMD_TYPE_TABLE (3ull << 0)	     /* levels 0-2 table */
#define PMD_TYPE_SECT (1ull << 0)	     /* levels 1-2 block */
#define PTE_TABLE_BIT (1ull << 1)	     /* what tells a page from a block */
#define PTE_ATTRINDX(i) ((uint64_t)(i) << 2) /* D8.6: MAIR_EL1 index; 0 = Normal WB */
#define PTE_USER (1ull << 6)		     /* D8.4: AP[1] */
#define PTE_RDONLY (1ull << 7)		     /* D8.4: AP[2] */
#define PTE_SHARED (3ull << 8)		     /* D8.6: SH = 0b11, Inner Shareable */
#define PTE_AF (1ull << 10)		     /* D8.5: Access flag */
#define PTE_NG (1ull << 11)		     /* D8.3: not global */
#define PTE_DBM (1ull << 51)		     /* D8.5: Dirty Bit Modifier */
#define PTE_PXN (1ull << 53)		     /* D8.4: privileged execute-never */
#define PTE_UXN (1ull << 54)		     /* D8.4: unprivileged execute-never */
#define PTE_SW_DIRTY (1ull << 56)	     /* D8.3 software bits 58:55: ptkit's read-only dirty */
#define PTE_ADDR_MASK 0x0000fffffffff000ull  /* D8.3: OA / table address, bits 47:12 */

#define PAGE_SHIFT 12
#define PMD_SHIFT 21
#define PUD_SHIFT 30
#define P4D_SHIFT 39
#define PGDIR_SHIFT 39
#define REF_P4D_FOLDED 1
#define PTRS_PER_TABLE 512
#define PMD_ADDR_MASK (PTE_ADDR_MASK & ~((1ull << PMD_SHIFT) - 1)) /* bits 47:21 */
#define PUD_ADDR_MASK (PTE_ADDR_MASK & ~((1ull << PUD_SHIFT) - 1)) /* bits 47:30 */

/* Empty: bit 0 clear is an invalid descriptor whatever the other bits hold (D8.3). */
static inline bool pte_none(uint64_t v)
{
	return !(v & PTE_VALID);
}
static inline bool pmd_none(uint64_t v)
{
	return !(v & PTE_VALID);
}
static inline bool pud_none(uint64_t v)
{
	return !(v & PTE_VALID);
}
static inline bool p4d_none(uint64_t v)
{
	return !(v & PTE_VALID);
}

/* Block descriptor (pmd_sect / pud_sect): bits 1:0 = 0b01 at levels 1 and 2 (D8.3). */
static inline bool pud_leaf(uint64_t v)
{
	return (v & PTE_TYPE_MASK) == PMD_TYPE_SECT;
}
static inline bool pmd_leaf(uint64_t v)
{
	return (v & PTE_TYPE_MASK) == PMD_TYPE_SECT;
}

/* Next-level table address of a table descriptor (pXd_page_paddr). */
static inline uint64_t p4d_table_pa(uint64_t v)
{
	return v & PTE_ADDR_MASK;
}
static inline uint64_t pud_table_pa(uint64_t v)
{
	return v & PTE_ADDR_MASK;
}
static inline uint64_t pmd_table_pa(uint64_t v)
{
	return v & PTE_ADDR_MASK;
}

/* OA of a page / block descriptor. */
static inline uint64_t pte_pa(uint64_t v)
{
	return v & PTE_ADDR_MASK;
}
static inline uint64_t pmd_leaf_pa(uint64_t v)
{
	return v & PMD_ADDR_MASK;
}
static inline uint64_t pud_leaf_pa(uint64_t v)
{
	return v & PUD_ADDR_MASK;
}

/* PAGE_KERNEL(_RO), non-global, execute-never at both ELs; a block has type 0b01. */
static inline uint64_t leaf_prot(bool write, bool huge)
{
	return PTE_VALID | (huge ? 0 : PTE_TABLE_BIT) | PTE_ATTRINDX(0) | PTE_SHARED | PTE_AF |
	       PTE_NG | PTE_PXN | PTE_UXN | (write ? 0 : PTE_RDONLY);
}
static inline uint64_t mk_leaf(uint64_t pa, uint64_t prot)
{
	return pa | prot;
}
static inline uint64_t mk_table(uint64_t pa)
{
	return pa | PMD_TYPE_TABLE;
}

/*
 * pte_wrprotect / pte_mkwrite, the same for pages and blocks (D8.4 AP[2], D8.5 DBM).
 * Dirty is DBM with AP[2] = 0 (hardware dirty) or software bit 56 (ptkit's read-only
 * dirty, Linux's PTE_DIRTY): wrprotect moves hardware dirty to the software bit and sets
 * AP[2]; mkwrite clears AP[2] and turns any dirtiness back into DBM. A clean leaf has
 * neither DBM nor the software bit (as ptkit writes it): only AP[2] changes.
 */
static inline uint64_t pte_modify_dirty(uint64_t v, bool write)
{
	bool dirty = (v & (PTE_DBM | PTE_RDONLY)) == PTE_DBM || (v & PTE_SW_DIRTY);
	v &= ~(PTE_DBM | PTE_SW_DIRTY | PTE_RDONLY);
	if (write)
		return v | (dirty ? PTE_DBM : 0);
	return v | PTE_RDONLY | (dirty ? PTE_SW_DIRTY : 0);
}
static inline uint64_t pte_wrprotect(uint64_t v)
{
	if (__builtin_expect(!!(v & (PTE_DBM | PTE_SW_DIRTY)), 0))
		return pte_modify_dirty(v, false);
	return v | PTE_RDONLY;
}
static inline uint64_t pte_mkwrite(uint64_t v)
{
	if (__builtin_expect(!!(v & (PTE_DBM | PTE_SW_DIRTY)), 0))
		return pte_modify_dirty(v, true);
	return v & ~PTE_RDONLY;
}
static inline uint64_t pte_modify_rw(uint64_t v, bool write)
{
	return write ? pte_mkwrite(v) : pte_wrprotect(v);
}

#endif
