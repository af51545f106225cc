/* SPDX-License-Identifier: MIT */
/*
 * arm64 VMSAv8-64 stage 1 for the reference walkers, in the style of Linux's arch/arm64
 * pgtable helpers, for one granule / VA size / OA size chosen by the includer:
 *
 *   REF_ARM64_PAGE_SHIFT  12 (4KB granule) or 16 (64KB granule)
 *   REF_ARM64_VA_BITS     48 or 52 (each half; T0SZ = 64 - VA bits)
 *   REF_ARM64_LPA2        1: FEAT_LPA2 (TCR_EL1.DS = 1, 4KB granule), 52-bit OA; 0: 48-bit OA
 *   REF_NAME              the ptkit format name
 *
 * Levels as Linux counts them (ARM64_HW_PGTABLE_LEVELS): each level resolves PAGE_SHIFT - 3
 * VA bits, the root what is left, so
 *   arm64-4k-48:  4 levels, Arm L0 = pgd (p4d folded into it, as pgtable-nop4d.h),
 *                 L1 = pud, L2 = pmd, L3 = pte;
 *   arm64-64k-48: 3 levels, Arm L1 = pgd (64 entries; p4d and pud folded into it, as
 *                 pgtable-nopud.h), L2 = pmd, L3 = pte;
 *   arm64-4k-52:  5 levels, Arm L-1 = pgd (16 entries), L0 = p4d, L1 = pud, L2 = pmd,
 *                 L3 = pte. Linux folds the extra level at run time when the CPU lacks LPA2
 *                 (pgtable_l5_enabled()); here it is compiled in, as the x86-64 la57
 *                 reference does, which only makes the reference cheaper.
 *
 * Bit layouts from the Arm ARM (DDI 0487), chapter D8 "The AArch64 Virtual Memory System
 * Architecture" (the same facts as src/fmt/arm64.h and docs/formats/arm64.md):
 *   D8.2  Translation process: granules, levels, TTBR0_EL1 translates [0, 2^VA bits).
 *   D8.3  Descriptor formats: bit 0 valid; bits 1:0 = 0b11 table (levels -1..2) or page
 *         (level 3), 0b01 block (AArch64.BlockDescSupported(): 4KB at levels 1 and 2, and
 *         level 0 only with DS = 1; 64KB at level 2, level 1 only with FEAT_LPA); nG = 11.
 *         Output / next-table address: 48-bit OA in bits 47:n (n = the granule for tables
 *         and pages, the block size for blocks; 64KB: bits 15:12 RES0); with LPA2, OA[49:n]
 *         in bits 49:n and OA[51:50] in bits 9:8 (which then hold no SH).
 *   D8.4  Memory access control: AP[2] = bit 7 (read-only), AP[1] = bit 6 (EL0 access),
 *         PXN = bit 53, UXN = bit 54.
 *   D8.5  Hardware updates: AF = bit 10, DBM = bit 51.
 *   D8.6  Memory region attributes: AttrIndx = bits 4:2 (MAIR_EL1 index), SH = bits 9:8
 *         (DS = 0 only; with DS = 1 shareability comes from TCR_EL1.SHn).
 *   "The Contiguous bit" (bit 52): a member of a group of 16 (4KB) or 32 (64KB) entries is
 *         still a complete page / block descriptor with its own OA, so these per-entry
 *         walkers read it as any other entry (Linux's generic walkers do the same); the
 *         bench maps with one page size at a time, which never makes groups.
 *
 * Blocks at Arm level 0 (512G, 4KB + LPA2) are architecturally allowed, but Linux's arm64
 * has no p4d_leaf (it never makes them) and the bench maps none, so the p4d level here
 * holds only tables (the generic p4d_leaf fallback, as for x86-64 la57). The 64KB granule
 * without FEAT_LPA has no level 1 blocks: pud_sect is false, as Linux has it for
 * CONFIG_ARM64_64K_PAGES (the pud is folded into the pgd there anyway).
 *
 * What ptkit writes (src/fmt/arm64.h fmt_make_leaf / fmt_make_table) for the bench's
 * requests (PT_R [| PT_W]: kernel, non-global, not executable, normal memory):
 *   table:  OA | 0b11 (no APTable/XNTable bits)
 *   leaf:   OA | valid | (page: type bit 1) | AttrIndx 0 | (DS = 0: SH = 0b11) | AF | nG
 *           | PXN | UXN | (read-only: AP[2])
 * and what pt_protect does with write: AP[2] flips; a dirty leaf keeps its dirtiness in
 * DBM while writable and in software bit 56 while read-only (the Linux convention).
 */
#ifndef PTKIT_BENCH_ARM64_PGTABLE_H
#define PTKIT_BENCH_ARM64_PGTABLE_H

#include "ref_pgtable.h"

#if !defined(REF_ARM64_PAGE_SHIFT) || !defined(REF_ARM64_VA_BITS) || !defined(REF_ARM64_LPA2) ||   \
	!defined(REF_NAME)
#error "define REF_ARM64_PAGE_SHIFT, REF_ARM64_VA_BITS, REF_ARM64_LPA2 and REF_NAME"
#endif
#if REF_ARM64_LPA2 && REF_ARM64_PAGE_SHIFT != 12
#error "FEAT_LPA2 is modelled for the 4KB granule only"
#endif
#if REF_ARM64_VA_BITS > 48 && !REF_ARM64_LPA2
#error "52-bit VA needs FEAT_LPA2 here"
#endif

#define PTE_VALID (1ull << 0)		     /* D8.3 */
#define PTE_TYPE_MASK (3ull << 0)	     /* D8.3: descriptor type, bits 1:0 */
#define PTE_TYPE_PAGE (3ull << 0)	     /* level 3 page */
#define PMD_TYPE_TABLE (3ull << 0)	     /* levels -1..2 table */
#define PMD_TYPE_SECT (1ull << 0)	     /* block */
#define PTE_TABLE_BIT (1ull << 1)	     /* what tells a page from a block */
#define PTE_ATTRINDX(i) ((uint64_t)(i) << 2) /* D8.6: MAIR_EL1 index; 0 = Normal WB */
#define PTE_USER (1ull << 6)		     /* D8.4: AP[1] */
#define PTE_RDONLY (1ull << 7)		     /* D8.4: AP[2] */
#define PTE_SHARED (3ull << 8)		     /* D8.6: SH = 0b11, Inner Shareable (DS = 0) */
#define PTE_AF (1ull << 10)		     /* D8.5: Access flag */
#define PTE_NG (1ull << 11)		     /* D8.3: not global */
#define PTE_DBM (1ull << 51)		     /* D8.5: Dirty Bit Modifier */
#define PTE_CONT (1ull << 52)		     /* the Contiguous bit (never set by the bench) */
#define PTE_PXN (1ull << 53)		     /* D8.4: privileged execute-never */
#define PTE_UXN (1ull << 54)		     /* D8.4: unprivileged execute-never */
#define PTE_SW_DIRTY (1ull << 56)	     /* D8.3 software bits 58:55: ptkit's read-only dirty */

#define PAGE_SHIFT REF_ARM64_PAGE_SHIFT
#define REF_ARM64_STRIDE (PAGE_SHIFT - 3) /* VA bits per level: 9 or 13 */
#define REF_ARM64_LEVELS ((REF_ARM64_VA_BITS - 4) / REF_ARM64_STRIDE)
#define REF_ARM64_LEVEL_SHIFT(n) (REF_ARM64_STRIDE * (4 - (n)) + 3) /* Arm level n */

/*
 * Address fields (D8.3). LOW: the bits holding OA[47:PAGE_SHIFT] (LPA2: OA[49:12]) in place;
 * HIGH: OA[51:50] in bits 9:8 (LPA2 only), moved up by PTE_ADDR_HIGH_SHIFT.
 */
#if REF_ARM64_LPA2
#define PTE_ADDR_LOW (((1ull << 50) - 1) & ~((1ull << PAGE_SHIFT) - 1)) /* bits 49:12 */
#define PTE_ADDR_HIGH (3ull << 8)					/* OA[51:50] */
#define PTE_ADDR_HIGH_SHIFT 42
#else
#define PTE_ADDR_LOW (((1ull << 48) - 1) & ~((1ull << PAGE_SHIFT) - 1)) /* bits 47:n */
#define PTE_ADDR_HIGH 0ull
#define PTE_ADDR_HIGH_SHIFT 0
#endif

#define PMD_SHIFT REF_ARM64_LEVEL_SHIFT(2)
#define PGDIR_SHIFT REF_ARM64_LEVEL_SHIFT(4 - REF_ARM64_LEVELS)
#if REF_ARM64_LEVELS == 5
#define PUD_SHIFT REF_ARM64_LEVEL_SHIFT(1)
#define P4D_SHIFT REF_ARM64_LEVEL_SHIFT(0)
#elif REF_ARM64_LEVELS == 4
#define PUD_SHIFT REF_ARM64_LEVEL_SHIFT(1)
#define P4D_SHIFT PGDIR_SHIFT
#define REF_P4D_FOLDED 1
#elif REF_ARM64_LEVELS == 3
#define PUD_SHIFT PGDIR_SHIFT
#define P4D_SHIFT PGDIR_SHIFT
#define REF_P4D_FOLDED 1
#define REF_PUD_FOLDED 1
#else
#error "unsupported arm64 geometry"
#endif
#define PTRS_PER_TABLE (1 << REF_ARM64_STRIDE)
#define PTRS_PER_PGD (1 << (REF_ARM64_VA_BITS - PGDIR_SHIFT))
/* Level 1 blocks: 4KB granule (1G); not with the 64KB granule without FEAT_LPA (D8.3). */
#define REF_ARM64_PUD_SECT (PAGE_SHIFT == 12)

/* __pte_to_phys: the OA / next-table address of a descriptor (D8.3). */
static inline uint64_t arm64_pte_to_phys(uint64_t v)
{
	return (v & PTE_ADDR_LOW) | ((v & PTE_ADDR_HIGH) << PTE_ADDR_HIGH_SHIFT);
}
/*
 * __phys_to_pte_val: the descriptor bits of an OA aligned to the granule (or more). A
 * 48-bit OA is already in place; with LPA2, OA[51:50] moves down to bits 9:8.
 */
static inline uint64_t arm64_phys_to_pte(uint64_t pa)
{
#if REF_ARM64_LPA2
	return (pa | (pa >> PTE_ADDR_HIGH_SHIFT)) & (PTE_ADDR_LOW | PTE_ADDR_HIGH);
#else
	return pa;
#endif
}

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
#ifndef REF_PUD_FOLDED
static inline bool p4d_none(uint64_t v)
{
	return !(v & PTE_VALID);
}
#endif
#ifndef REF_P4D_FOLDED
static inline bool pgd_none(uint64_t v)
{
	return !(v & PTE_VALID);
}
#endif

/* Block descriptor (pmd_sect / pud_sect): bits 1:0 = 0b01 (D8.3). */
static inline bool pud_leaf(uint64_t v)
{
	return REF_ARM64_PUD_SECT && (v & PTE_TYPE_MASK) == PMD_TYPE_SECT;
}
static inline bool pmd_leaf(uint64_t v)
{
	return (v & PTE_TYPE_MASK) == PMD_TYPE_SECT;
}

/* Next-level table address of a table descriptor (pXd_page_paddr). */
#ifndef REF_P4D_FOLDED
static inline uint64_t pgd_table_pa(uint64_t v)
{
	return arm64_pte_to_phys(v);
}
#endif
#ifndef REF_PUD_FOLDED
static inline uint64_t p4d_table_pa(uint64_t v)
{
	return arm64_pte_to_phys(v);
}
#endif
static inline uint64_t pud_table_pa(uint64_t v)
{
	return arm64_pte_to_phys(v);
}
static inline uint64_t pmd_table_pa(uint64_t v)
{
	return arm64_pte_to_phys(v);
}

/* OA of a page / block descriptor (pte_pfn, pmd_pfn, pud_pfn: the OA, size-aligned). */
static inline uint64_t pte_pa(uint64_t v)
{
	return arm64_pte_to_phys(v);
}
static inline uint64_t pmd_leaf_pa(uint64_t v)
{
	return arm64_pte_to_phys(v) & ~((1ull << PMD_SHIFT) - 1);
}
static inline uint64_t pud_leaf_pa(uint64_t v)
{
	return arm64_pte_to_phys(v) & ~((1ull << PUD_SHIFT) - 1);
}

/*
 * PAGE_KERNEL(_RO), non-global, execute-never at both ELs; a block has type 0b01. With
 * DS = 1 bits 9:8 are OA[51:50], so no SH (Linux's PTE_MAYBE_SHARED is 0 with LPA2).
 */
static inline uint64_t leaf_prot(bool write, bool huge)
{
	return PTE_VALID | (huge ? 0 : PTE_TABLE_BIT) | PTE_ATTRINDX(0) |
	       (REF_ARM64_LPA2 ? 0 : PTE_SHARED) | PTE_AF | PTE_NG | PTE_PXN | PTE_UXN |
	       (write ? 0 : PTE_RDONLY);
}
static inline uint64_t mk_leaf(uint64_t pa, uint64_t prot)
{
	return arm64_phys_to_pte(pa) | prot;
}
static inline uint64_t mk_table(uint64_t pa)
{
	return arm64_phys_to_pte(pa) | PMD_TYPE_TABLE;
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
