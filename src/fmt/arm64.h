/* SPDX-License-Identifier: MIT */
/*
 * arm64 VMSAv8-64 stage-1 translation tables (EL1&0 regime): Arm ARM (DDI 0487) chapter D8
 * "The AArch64 Virtual Memory System Architecture". One header for every granule, VA size
 * and output-address size; the includer sets
 *
 *   ARM64_GRANULE_SHIFT   12 (4KB), 14 (16KB) or 16 (64KB) translation granule
 *   ARM64_VA_BITS         bits of VA each half translates (64 - TnSZ)
 *   ARM64_PA52            1: 52-bit output addresses. 4KB/16KB: FEAT_LPA2 with TCR_EL1.DS=1
 *                         (also allows 52-bit VA and the extra block levels); 64KB: FEAT_LPA
 *                         (+ FEAT_LVA for 52-bit VA). 0: 48-bit OA (TCR_EL1.IPS = 0b101).
 *
 * Sections cited (DDI 0487 K.a; the titles are stable across editions, numbers move):
 *   D8.2  "Translation process": granules, lookup levels, VA ranges (TTBR0/TTBR1), OA size
 *   D8.3  "Translation table descriptor formats": table, block and page descriptors, OA
 *         fields with FEAT_LPA / FEAT_LPA2; pseudocode AArch64.BlockDescSupported()
 *   D8.4  "Memory access control": AP[2:1], PXN, UXN, APTable, PXNTable, UXNTable
 *   D8.5  "Hardware updates of the translation tables": AF, DBM
 *   D8.6  "Memory region attributes": AttrIndx -> MAIR_EL1, SH
 *   "The Contiguous bit" (D8, TLB section): group sizes per granule and level
 *
 * What ptkit assumes about the system registers (docs/formats/arm64.md):
 *   MAIR_EL1 = 0x000000040044ffff (ARM64_MAIR), Linux's layout (so that a Linux kernel's
 *   tables read right by default): Attr0 = Attr1 = 0xff Normal Inner/Outer Write-Back
 *   RW-allocate (Linux's MT_NORMAL and, without MTE, MT_NORMAL_TAGGED), Attr2 = 0x44 Normal
 *   Inner/Outer Non-cacheable, Attr3 = 0x00 Device-nGnRnE, Attr4 = 0x04 Device-nGnRE,
 *   Attr5-7 = 0x00. Leaf memory types under another MAIR_EL1: fmt_leaf_mem_type.
 *   TCR_EL1: TBI0 = TBI1 = 0 (no top-byte ignore); HA = HD = 0 is fine (every leaf ptkit
 *   maps has AF = 1 and writable leaves have AP[2] = 0; only pt_set_accessed's clear of
 *   PT_YOUNG / PT_DIRTY makes AF = 0 or writable-clean AP[2] = 1 with DBM = 1, which then
 *   fault on access / write for software to set again); HPD0 = HPD1 = 0; with DS = 1,
 *   SH0/SH1 = 0b11 (Inner Shareable: the descriptors' bits 9:8 hold OA[51:50] instead).
 *
 * ptkit level 0 is Arm lookup level 3 (the page level); the root is Arm level
 * 4 - ptkit levels (level -1 for the 5-level 4KB/52-bit format).
 */
#ifndef PTKIT_FMT_ARM64_H
#define PTKIT_FMT_ARM64_H

#include "fmt/fmt_common.h"

#if !defined(ARM64_GRANULE_SHIFT) || !defined(ARM64_VA_BITS) || !defined(ARM64_PA52)
#error "define ARM64_GRANULE_SHIFT, ARM64_VA_BITS and ARM64_PA52 before including fmt/arm64.h"
#endif
#if ARM64_GRANULE_SHIFT != 12 && ARM64_GRANULE_SHIFT != 14 && ARM64_GRANULE_SHIFT != 16
#error "ARM64_GRANULE_SHIFT must be 12, 14 or 16"
#endif
#if ARM64_VA_BITS > 48 && !ARM64_PA52
#error "52-bit VA needs FEAT_LPA2 (4KB/16KB) or FEAT_LVA (64KB): set ARM64_PA52"
#endif

/*
 * Geometry (D8.2 "Translation process"): each table is one
 * granule of 8-byte descriptors, so a level resolves GRANULE_SHIFT - 3 bits of VA; the top
 * level resolves what is left (fewer bits: a smaller, size-aligned root table).
 */
#define ARM64_STRIDE (ARM64_GRANULE_SHIFT - 3) /* 9, 11, 13 */
#define ARM64_LEVELS ((ARM64_VA_BITS - ARM64_GRANULE_SHIFT + ARM64_STRIDE - 1) / ARM64_STRIDE)
#define ARM64_TOP_BITS (ARM64_VA_BITS - ARM64_GRANULE_SHIFT - ARM64_STRIDE * (ARM64_LEVELS - 1))
#define ARM64_4K (ARM64_GRANULE_SHIFT == 12)
#define ARM64_16K (ARM64_GRANULE_SHIFT == 14)
#define ARM64_64K (ARM64_GRANULE_SHIFT == 16)
#define ARM64_LPA2 (ARM64_PA52 && !ARM64_64K) /* OA[51:50] in bits 9:8 (D8.3, DS = 1) */
#define ARM64_LPA (ARM64_PA52 && ARM64_64K)   /* OA[51:48] in bits 15:12 (FEAT_LPA) */

/* The memory attributes ptkit puts in MAIR_EL1 (D8.6 "Memory region attributes"). */
#define ARM64_MAIR 0x000000040044ffffull
#define ARM64_ATTR_NORMAL 0u  /* Attr0 0xff: Normal, Inner/Outer WB non-transient RW-alloc */
#define ARM64_ATTR_NOCACHE 2u /* Attr2 0x44: Normal, Inner/Outer Non-cacheable (PT_NOCACHE) */
#define ARM64_ATTR_DEVICE 4u  /* Attr4 0x04: Device-nGnRE (PT_DEVICE) */

/*
 * The memory type of MAIR_EL1 attribute byte a (MAIR_EL1 Attr<n> encodings): 0b0000ddxx is
 * Device (PT_DEVICE); otherwise Normal with the outer type in bits 7:4 and the inner in 3:0,
 * inner 0b0100 being Non-cacheable (PT_NOCACHE), as is 0x40 (FEAT_XS: Inner/Outer
 * Non-cacheable); everything else (Write-Back, Write-Through, 0xf0 Tagged) cacheable.
 */
#define ARM64_ATTR_TYPE(a)                                                                         \
	(((a)&0xf0) == 0 ? PT_DEVICE : ((a)&0x0f) == 0x04 || (a) == 0x40 ? PT_NOCACHE : 0)
#define ARM64_MAIR_ATTR(mair, i) ((unsigned)((mair) >> (8 * (i))) & 0xffu)
_Static_assert(ARM64_ATTR_TYPE(ARM64_MAIR_ATTR(ARM64_MAIR, ARM64_ATTR_NORMAL)) == 0 &&
		       ARM64_ATTR_TYPE(ARM64_MAIR_ATTR(ARM64_MAIR, ARM64_ATTR_NOCACHE)) ==
			       PT_NOCACHE &&
		       ARM64_ATTR_TYPE(ARM64_MAIR_ATTR(ARM64_MAIR, ARM64_ATTR_DEVICE)) == PT_DEVICE,
	       "ARM64_ATTR_* index the memory types ARM64_MAIR gives them");

/*
 * Descriptor bits, D8.3 "Translation table descriptor formats" (table descriptors: next-level
 * address + hierarchical attributes; block and page descriptors: OA + lower/upper attributes).
 */
#define ARM64_VALID (1ull << 0) /* D8.3: bit 0 = 0: invalid (fault) descriptor */
#define ARM64_TYPE (1ull << 1)	/* D8.3: 1 = table (levels -1..2) or page (level 3) */
#define ARM64_ATTRIDX_SHIFT 2	/* D8.6: AttrIndx[2:0], bits 4:2, indexes MAIR_EL1 */
#define ARM64_ATTRIDX_MASK (7ull << ARM64_ATTRIDX_SHIFT)
#define ARM64_NS (1ull << 5)  /* D8.3: NS, ignored for Non-secure stage 1: unused */
#define ARM64_AP1 (1ull << 6) /* D8.4: AP[1] = 1: EL0 access allowed (PT_USER) */
#define ARM64_AP2 (1ull << 7) /* D8.4: AP[2] = 1: read-only at every EL (!PT_W) */
#define ARM64_SH_SHIFT 8      /* D8.6: SH[1:0], bits 9:8 (without LPA2) */
#define ARM64_SH_MASK (3ull << ARM64_SH_SHIFT)
#define ARM64_SH_INNER (3ull << ARM64_SH_SHIFT) /* 0b11 Inner Shareable; 0b01 reserved */
#define ARM64_SH_RESERVED (1ull << ARM64_SH_SHIFT)
#define ARM64_AF (1ull << 10)	      /* D8.5: Access flag: AF = 0 faults without HA */
#define ARM64_NG (1ull << 11)	      /* D8.3: not global: ASID-tagged (!PT_GLOBAL) */
#define ARM64_NT (1ull << 16)	      /* D8.3: nT (FEAT_BBM) in block descriptors */
#define ARM64_GP (1ull << 50)	      /* D8.3: GP (FEAT_BTI): guarded page, ignored */
#define ARM64_DBM (1ull << 51)	      /* D8.5: Dirty Bit Modifier (FEAT_HAFDBS) */
#define ARM64_CONT (1ull << 52)	      /* "The Contiguous bit": one of a group of entries */
#define ARM64_PXN (1ull << 53)	      /* D8.4: privileged (EL1) execute-never */
#define ARM64_UXN (1ull << 54)	      /* D8.4: unprivileged (EL0) execute-never */
#define ARM64_SW_SPECIAL (1ull << 55) /* D8.3: bits 58:55 software use: PT_SPECIAL */
#define ARM64_SW_DIRTY (1ull << 56)   /* software use: dirty, while the leaf is read-only */
#define ARM64_SW_DBM (1ull << 57)     /* software use: read-only, DBM-managed when writable */
/*
 * A PROT_NONE leaf (types.h pt_prot_none): the page or block descriptor with bit 0 clear
 * and software bit 58 set. An invalid descriptor faults every access and the hardware
 * ignores its bits 63:1 (D8.3, "Invalid descriptors"), so they keep the mapping whole (nG,
 * AP, AttrIndx, ...). Linux used the same bit (PTE_PROT_NONE) until 2024; it now marks nG
 * (PTE_PRESENT_INVALID), which ptkit needs for PT_GLOBAL.
 */
#define ARM64_SW_PROTNONE (1ull << 58)
/* Table descriptors: hierarchical attributes (D8.4, hierarchical control), D8.3. */
#define ARM64_PXNTABLE (1ull << 59) /* no EL1 execution anywhere below */
#define ARM64_UXNTABLE (1ull << 60) /* no EL0 execution anywhere below */
#define ARM64_APTABLE0 (1ull << 61) /* APTable[0]: no EL0 access below */
#define ARM64_APTABLE1 (1ull << 62) /* APTable[1]: no write access below */
#define ARM64_NSTABLE (1ull << 63)  /* ignored for Non-secure stage 1 */

/*
 * Output-address fields (D8.3; D8.2 output address size):
 *   48-bit OA:        OA[47:n] in bits 47:n; bits 49:48 RES0.
 *   4KB/16KB + LPA2:  OA[49:n] in bits 49:n, OA[51:50] in bits 9:8.
 *   64KB + LPA:       OA[47:n] in bits 47:n, OA[51:48] in bits 15:12; bits 49:48 RES0.
 * n is the granule shift for tables and pages, the block size for blocks.
 */
#define ARM64_OA_FIELD_TOP (ARM64_LPA2 ? 50 : 48) /* first bit above the in-place OA field */
#define ARM64_OA_FIELD ((1ull << ARM64_OA_FIELD_TOP) - (1ull << ARM64_GRANULE_SHIFT))
#define ARM64_OA_HI_LPA2 (3ull << 8)   /* OA[51:50] (4KB/16KB, DS = 1) */
#define ARM64_OA_HI_LPA (0xfull << 12) /* OA[51:48] (64KB, FEAT_LPA) */
#define ARM64_OA_HI (ARM64_LPA2 ? ARM64_OA_HI_LPA2 : ARM64_LPA ? ARM64_OA_HI_LPA : 0)
/* RES0 in every valid descriptor of this format: OA[49:48] without LPA2, and the bits
 * between 12 and the granule that no OA field uses (16KB: 13:12; 64KB without LPA: 15:12). */
#define ARM64_RES0_ALL                                                                             \
	((ARM64_LPA2 ? 0 : 3ull << 48) |                                                           \
	 (((1ull << ARM64_GRANULE_SHIFT) - (1ull << 12)) & ~(uint64_t)ARM64_OA_HI))

#define FMT_LEVELS ARM64_LEVELS
#define FMT_VA_BITS ARM64_VA_BITS
#define FMT_PA_BITS (ARM64_PA52 ? 52 : 48)
/* Two halves (D8.2, VA ranges): TTBR0_EL1 translates [0, 2^va), TTBR1_EL1
 * [2^64 - 2^va, 2^64). Bits 63:va must all equal bit 63 (TBI off), else a fault. */
#define FMT_HALF_BITS ARM64_VA_BITS
#define FMT_UPPER_BASE (0ull - (1ull << ARM64_VA_BITS))
#define FMT_TWO_ROOTS 1
/*
 * Break-before-make (D8.16.1 "Using break-before-make when updating translation table
 * entries"; "TLB maintenance requirements and the properties of TLB entries"): a live valid
 * entry becomes invalid, the TLB is invalidated, then the new entry is written, whenever
 * the change would let the TLB hold two translations of one VA that differ in block size (a
 * block becoming a table, or a table becoming a block), the Contiguous bit, the output
 * address, the memory type (AttrIndx: Normal <-> Device, cacheability) or shareability
 * (SH), or whenever nG goes from 1 to 0 (a global entry next to the ASID-tagged one).
 * Permissions (AP, PXN, UXN), AF, DBM and the software bits change in place (Linux
 * pgattr_change_is_safe). The members of a contiguous group must stay identical but for AF
 * and the dirty state ("The Contiguous bit": a TLB entry for the group may come from any
 * member), so changing anything else of a live group also breaks first (Linux unfolds a
 * contpte block to change its permissions).
 */
#define FMT_BBM 1
#define FMT_BBM_ATTR_MASK                                                                          \
	(ARM64_ATTRIDX_MASK | ARM64_SH_MASK | ARM64_CONT | ARM64_OA_FIELD | ARM64_OA_HI)
#define FMT_BBM_CLEAR_MASK ARM64_NG
#define FMT_BBM_GROUP_MASK (~(ARM64_AF | ARM64_DBM | ARM64_SW_DIRTY))
#define FMT_PKEY_BITS 0	    /* stage-1 permission indirection/overlays (FEAT_S1PIE/POE) not used */
#define FMT_BIG_ENDIAN 0    /* SCTLR_EL1.EE = 0: little-endian table walks */
#define FMT_ELF_MACHINE 183 /* EM_AARCH64 */

/* Constant expressions, also used to fill struct pt_format. */
#define FMT_SHIFT_C(level) (ARM64_GRANULE_SHIFT + ARM64_STRIDE * (level))
#define FMT_BITS_C(level) ((level) == ARM64_LEVELS - 1 ? ARM64_TOP_BITS : ARM64_STRIDE)
/*
 * Where block descriptors are allowed (D8.3, pseudocode AArch64.BlockDescSupported()):
 *   4KB:  Arm level 2 (2MB), level 1 (1GB), level 0 (512GB) only with DS = 1 (LPA2);
 *   16KB: Arm level 2 (32MB), level 1 (64GB) only with DS = 1 (LPA2);
 *   64KB: Arm level 2 (512MB), level 1 (4TB) only with 52-bit OA (FEAT_LPA).
 * Level 3 always holds pages. ptkit level l is Arm level 3 - l.
 */
#define ARM64_ARM_L1_BLOCKS (ARM64_4K || ARM64_PA52)
#define ARM64_ARM_L0_BLOCKS (ARM64_4K && ARM64_PA52)
#define FMT_LEAF_OK_C(level)                                                                       \
	((level) <= 1 || ((level) == 2 && ARM64_ARM_L1_BLOCKS) ||                                  \
	 ((level) == 3 && ARM64_ARM_L0_BLOCKS))
/*
 * Contiguous groups ("The Contiguous bit"), entries per group:
 *   4KB:  16 at level 3 (64KB), level 2 (32MB), level 1 (16GB);
 *   16KB: 128 at level 3 (2MB), 32 at level 2 (1GB);
 *   64KB: 32 at level 3 (2MB), 32 at level 2 (16GB).
 */
#define ARM64_CONTIG_LOG2(level)                                                                   \
	(ARM64_4K    ? ((level) <= 2 ? 4 : 0)                                                      \
	 : ARM64_16K ? ((level) == 0   ? 7                                                         \
			: (level) == 1 ? 5                                                         \
				       : 0)                                                        \
		     : ((level) <= 1 ? 5 : 0))
#define FMT_CONTIG_C(level) (1 << ARM64_CONTIG_LOG2(level))
/* D8.3: bit 0 = 0 is an invalid descriptor whatever the other bits hold (bit 58: PROT_NONE). */
#define FMT_VALID_MASK (ARM64_VALID | ARM64_SW_PROTNONE)
/*
 * A leaf's OA (D8.3, the output-address fields above): OA[47:n] (LPA2: OA[49:n]) in bits
 * 47:n (49:n), and with LPA2 / LPA the top of the OA in low bits, OA[51:50] in bits 9:8
 * (<< 42) or OA[51:48] in bits 15:12 (<< 36). n is the leaf's size: a block's bits below it
 * are RES0 or nT, never OA. In place (one field) only without LPA / LPA2.
 */
#define FMT_LEAF_OA_LO_C(level) ((1ull << ARM64_OA_FIELD_TOP) - (1ull << FMT_SHIFT_C(level)))
#define FMT_LEAF_OA_HI ARM64_OA_HI
#define FMT_LEAF_OA_HI_SHL (ARM64_LPA2 ? 50 - 8 : ARM64_LPA ? 48 - 12 : 0)
#define FMT_LEAF_OA_MASK_C(level) (ARM64_OA_HI ? 0ull : FMT_LEAF_OA_LO_C(level))
#define FMT_LEAF_OA_SHL 0

/* Leaf and group sizes of level l (0 when the level does not exist or holds no leaves). */
#define ARM64_LEVEL_SIZES(l)                                                                       \
	((l) < ARM64_LEVELS && FMT_LEAF_OK_C(l)                                                    \
		 ? (1ull << FMT_SHIFT_C(l)) | (1ull << (FMT_SHIFT_C(l) + ARM64_CONTIG_LOG2(l)))    \
		 : 0ull)
#define FMT_PAGE_SIZES                                                                             \
	(ARM64_LEVEL_SIZES(0) | ARM64_LEVEL_SIZES(1) | ARM64_LEVEL_SIZES(2) | ARM64_LEVEL_SIZES(3))

#if ARM64_LEVELS == 2
#define FMT_LEVEL_NAMES                                                                            \
	{                                                                                          \
		"L3", "L2"                                                                         \
	}
#elif ARM64_LEVELS == 3
#define FMT_LEVEL_NAMES                                                                            \
	{                                                                                          \
		"L3", "L2", "L1"                                                                   \
	}
#elif ARM64_LEVELS == 4
#define FMT_LEVEL_NAMES                                                                            \
	{                                                                                          \
		"L3", "L2", "L1", "L0"                                                             \
	}
#elif ARM64_LEVELS == 5
#define FMT_LEVEL_NAMES                                                                            \
	{                                                                                          \
		"L3", "L2", "L1", "L0", "L-1"                                                      \
	}
#else
#error "unsupported arm64 geometry"
#endif

/* Bits 63:va all equal: 0 selects TTBR0, 1 TTBR1 (D8.2, TBI disabled). */
static inline bool fmt_va_valid(uint64_t va)
{
	int64_t s = (int64_t)va >> ARM64_VA_BITS;
	return s == 0 || s == -1;
}
static inline int fmt_va_half(uint64_t va)
{
	return (int)(va >> 63);
}

/* In-place OA bits of an entry whose OA is aligned to 2^shift. */
static inline uint64_t arm64_oa_field(int shift)
{
	return ARM64_OA_FIELD & ~((1ull << shift) - 1);
}

/* Descriptor bits of OA `pa` aligned to 2^shift (D8.3). */
static inline uint64_t arm64_oa_encode(uint64_t pa, int shift)
{
	uint64_t e = pa & arm64_oa_field(shift);
	if (ARM64_LPA2)
		e |= ((pa >> 50) & 3) << 8;
	if (ARM64_LPA)
		e |= ((pa >> 48) & 0xf) << 12;
	return e;
}

/* OA held by an entry whose OA is aligned to 2^shift. */
static inline uint64_t arm64_oa_decode(uint64_t e, int shift)
{
	uint64_t pa = e & arm64_oa_field(shift);
	if (ARM64_LPA2)
		pa |= ((e >> 8) & 3) << 50;
	if (ARM64_LPA)
		pa |= ((e >> 12) & 0xf) << 48;
	return pa;
}

static inline enum pt_entry_kind fmt_kind(uint64_t e, int level, const char **why)
{
	uint64_t res0 = ARM64_RES0_ALL;

	if (!(e & ARM64_VALID)) {
		/* Invalid; a PROT_NONE leaf if it has the mark and a page's or block's shape. */
		if (!(e & ARM64_SW_PROTNONE) || !FMT_LEAF_OK_C(level) ||
		    !(e & ARM64_TYPE) != (level > 0))
			return PT_ENTRY_EMPTY;
	}
	if (level > 0 && (e & ARM64_TYPE)) {
		if (e & res0) {
			*why = "RES0 address bits set in a table descriptor (D8.3)";
			return PT_ENTRY_BAD;
		}
		return PT_ENTRY_TABLE;
	}
	if (level == 0 && !(e & ARM64_TYPE)) {
		*why = "descriptor type 0b01 at level 3 is reserved (D8.3)";
		return PT_ENTRY_BAD;
	}
	if (!FMT_LEAF_OK_C(level)) {
		*why = "block descriptor at a level that holds no blocks (D8.3, AArch64.BlockDescSupported)";
		return PT_ENTRY_BAD;
	}
	/* Block: bits between the granule and the block size are RES0, except nT (bit 16). */
	if (level > 0)
		res0 |= arm64_oa_field(ARM64_GRANULE_SHIFT) & ~arm64_oa_field(FMT_SHIFT_C(level)) &
			~ARM64_NT;
	if (e & res0) {
		*why = level ? "RES0 address bits set in a block descriptor (D8.3)"
			     : "RES0 address bits set in a page descriptor (D8.3)";
		return PT_ENTRY_BAD;
	}
	if (!ARM64_LPA2 && (e & ARM64_SH_MASK) == ARM64_SH_RESERVED) {
		*why = "SH = 0b01 is reserved (D8.6)";
		return PT_ENTRY_BAD;
	}
	return PT_ENTRY_LEAF;
}

static inline uint64_t fmt_table_pa(uint64_t e, int level)
{
	(void)level;
	return arm64_oa_decode(e, ARM64_GRANULE_SHIFT);
}
static inline uint64_t fmt_leaf_pa(uint64_t e, int level)
{
	return arm64_oa_decode(e, FMT_SHIFT_C(level));
}

/* Tables are created permissive (no APTable/XNTable bits): the leaf decides (D8.4). */
static inline uint64_t fmt_make_table(uint64_t pa, int level)
{
	(void)level;
	return arm64_oa_encode(pa, ARM64_GRANULE_SHIFT) | ARM64_TYPE | ARM64_VALID;
}

/* One memory type per leaf: Device and Non-cacheable are exclusive. */
static inline int fmt_prot_check(uint32_t prot)
{
	if ((prot & PT_DEVICE) && (prot & PT_NOCACHE))
		return -PT_EINVAL;
	return 0;
}

/*
 * A leaf (D8.3). Always AF = 1 (D8.5: without FEAT_HAFDBS an access to AF = 0 faults).
 * Execute permission is for the level that owns the page: user pages get UXN = !PT_X and
 * always PXN = 1 (the kernel never runs user code), kernel pages PXN = !PT_X and UXN = 1.
 * Dirty (D8.5, the Linux convention for DBM): a writable dirty leaf has DBM = 1 with
 * AP[2] = 0; a read-only dirty leaf keeps the state in software bit 56.
 */
static inline uint64_t fmt_make_leaf(uint64_t pa, int level, uint32_t prot, uint32_t pkey)
{
	uint64_t e = arm64_oa_encode(pa, FMT_SHIFT_C(level)) | ARM64_VALID | ARM64_AF;
	uint64_t attr = (prot & PT_DEVICE)    ? ARM64_ATTR_DEVICE
			: (prot & PT_NOCACHE) ? ARM64_ATTR_NOCACHE
					      : ARM64_ATTR_NORMAL;

	(void)pkey;
	if (level == 0)
		e |= ARM64_TYPE; /* page descriptor 0b11; a block is 0b01 */
	e |= attr << ARM64_ATTRIDX_SHIFT;
	if (!ARM64_LPA2)
		e |= ARM64_SH_INNER; /* with DS = 1 shareability comes from TCR_EL1.SHn */
	if (prot & PT_USER)
		e |= ARM64_AP1 | ARM64_PXN | ((prot & PT_X) ? 0 : ARM64_UXN);
	else
		e |= ARM64_UXN | ((prot & PT_X) ? 0 : ARM64_PXN);
	if (!(prot & PT_W))
		e |= ARM64_AP2;
	if (!(prot & PT_GLOBAL))
		e |= ARM64_NG;
	if (prot & PT_DIRTY)
		e |= (prot & PT_W) ? ARM64_DBM : ARM64_SW_DIRTY;
	if (prot & PT_SPECIAL)
		e |= ARM64_SW_SPECIAL;
	if ((prot & PT_CONTIG) && FMT_CONTIG_C(level) > 1)
		e |= ARM64_CONT;
	if (pt_prot_none(prot))
		e = (e & ~ARM64_VALID) | ARM64_SW_PROTNONE;
	return e;
}

/*
 * Leaf ne, which fmt_make_leaf just made to replace leaf old (pt_protect), with what of
 * old's state encoding cannot say (Linux pte_modify keeps the same): AF, and whether the
 * dirty state is managed with DBM. A DBM-managed leaf (DBM = 1, or read-only with software
 * bit 57) stays so: made read-only it keeps bit 57, made writable it is dirty with
 * AP[2] = 0 or clean with AP[2] = 1, both with DBM = 1; so a write after a clean, a
 * read-only and a writable protect is still recorded.
 */
#define FMT_LEAF_KEEP 1
static inline uint64_t fmt_leaf_keep(uint64_t old, uint64_t ne, int level)
{
	const bool managed = (old & ARM64_DBM) || ((old & ARM64_AP2) && (old & ARM64_SW_DBM));
	bool dirty;

	(void)level;
	ne = (ne & ~ARM64_AF) | (old & ARM64_AF);
	if (!managed)
		return ne;
	if ((ne & ARM64_AP2) && !(ne & ARM64_DBM)) /* read-only */
		return ne | ARM64_SW_DBM;
	/* writable: fmt_make_leaf gave DBM = 1 exactly when the caller kept PT_DIRTY */
	dirty = (ne & ARM64_DBM) != 0;
	return (ne & ~(ARM64_AP2 | ARM64_SW_DIRTY | ARM64_SW_DBM)) | ARM64_DBM |
	       (dirty ? 0 : ARM64_AP2);
}

/*
 * A leaf's PT_* bits, from two tables the compiler builds (no branch): bits 11:2 (AttrIndx,
 * NS, AP[2:1], SH, AF, nG) give PT_R, PT_W, PT_USER, PT_GLOBAL, PT_YOUNG and the memory
 * type; AP[2:1] with bits 56:51 (DBM, PXN, UXN, software 55 and 56) PT_X, PT_DIRTY and
 * PT_SPECIAL.
 *
 * Execute permission is for the level that owns the page (AP[1]: EL0): UXN for a user
 * page, PXN for a kernel page. Writable: AP[2] = 0, or DBM = 1 (D8.5: DBM with AP[2] = 1
 * is writable-clean; a write sets AP[2] = 0 under TCR_EL1.HD = 1 and faults without it,
 * for software to do the same: Linux pte_write() is DBM). Dirty: DBM with AP[2] = 0, or
 * software bit 56.
 * The memory type is what ARM64_MAIR gives the leaf's AttrIndx.
 */
#define ARM64_ATTR_OF(e) (((e)&ARM64_ATTRIDX_MASK) >> ARM64_ATTRIDX_SHIFT)
#define ARM64_XN_OF(e) (((e)&ARM64_AP1) ? ARM64_UXN : ARM64_PXN) /* the owner's execute-never */
#define ARM64_LO_E(i) ((uint64_t)(i) << 2)			 /* the entry bits of index i */
#define ARM64_PROT_LO(i)                                                                           \
	(uint16_t)(PT_R | PT_BIT_MOVE(~ARM64_LO_E(i), ARM64_AP2, PT_W) |                           \
		   PT_BIT_MOVE(ARM64_LO_E(i), ARM64_AP1, PT_USER) |                                \
		   PT_BIT_MOVE(~ARM64_LO_E(i), ARM64_NG, PT_GLOBAL) |                              \
		   PT_BIT_MOVE(ARM64_LO_E(i), ARM64_AF, PT_YOUNG) |                                \
		   ARM64_ATTR_TYPE(ARM64_MAIR_ATTR(ARM64_MAIR, ARM64_ATTR_OF(ARM64_LO_E(i)))))
#define ARM64_HI_E(i) ((((uint64_t)(i)&0x3f) << 51) | ((uint64_t)(i) & (ARM64_AP1 | ARM64_AP2)))
#define ARM64_PROT_HI(i)                                                                           \
	(uint16_t)((ARM64_HI_E(i) & ARM64_XN_OF(ARM64_HI_E(i)) ? 0 : PT_X) |                       \
		   PT_BIT_MOVE(ARM64_HI_E(i), ARM64_DBM, PT_W) |                                   \
		   ((ARM64_HI_E(i) & (ARM64_DBM | ARM64_AP2)) == ARM64_DBM ? PT_DIRTY : 0) |       \
		   PT_BIT_MOVE(ARM64_HI_E(i), ARM64_SW_DIRTY, PT_DIRTY) |                          \
		   PT_BIT_MOVE(ARM64_HI_E(i), ARM64_SW_SPECIAL, PT_SPECIAL))
static const uint16_t arm64_prot_lo[1024] = { PT_LUT_1024(ARM64_PROT_LO, 0) };
static const uint16_t arm64_prot_hi[256] = { PT_LUT_256(ARM64_PROT_HI, 0) };
_Static_assert(ARM64_DBM == 1ull << 51 && ARM64_SW_DIRTY == 1ull << 56 && ARM64_AP1 == 1ull << 6 &&
		       ARM64_AP2 == 1ull << 7,
	       "arm64_prot_hi's index: bits 56:51 and AP[2:1]");

static inline uint32_t fmt_leaf_prot(uint64_t e, int level)
{
	uint32_t p = (arm64_prot_lo[(e >> 2) & 0x3ff] |
		      arm64_prot_hi[((e >> 51) & 0x3f) | (e & (ARM64_AP1 | ARM64_AP2))]) &
		     (PT_CONTIG - 1); /* (no table has it: the compiler learns so) */

	p &= ~((uint32_t)(~e & ARM64_VALID) * (PT_R | PT_W | PT_X)); /* PROT_NONE: no right */

	/* The Contiguous bit outside the tables, so a test of PT_CONTIG reads no table. */
	if ((e & ARM64_CONT) && FMT_CONTIG_C(level) > 1)
		p |= PT_CONTIG;
	return p;
}
static inline uint32_t fmt_leaf_pkey(uint64_t e)
{
	(void)e;
	return 0;
}

static inline const char *fmt_mem_attr_reg(uint64_t *own)
{
	*own = ARM64_MAIR;
	return "MAIR_EL1";
}

/* The memory type of leaf e when MAIR_EL1 holds mair: its AttrIndx's byte (D8.6). */
static inline uint32_t fmt_leaf_mem_type(uint64_t e, int level, uint64_t mair)
{
	(void)level;
	return ARM64_ATTR_TYPE(ARM64_MAIR_ATTR(mair, ARM64_ATTR_OF(e)));
}

/*
 * Leaf e with the young / dirty state in want (PT_YOUNG, PT_DIRTY), every other bit kept
 * (D8.5; Linux pte_mkyoung / pte_mkold / pte_mkdirty / pte_mkclean). Young is AF: AF = 0
 * faults without TCR_EL1.HA, and software sets it again. A writable leaf is dirty with
 * AP[2] = 0 and DBM = 1, clean with AP[2] = 1 and DBM = 1: the next write sets AP[2] = 0
 * (HD = 1) or faults for software to make it dirty (HD = 0), so no write goes unrecorded.
 * A read-only leaf keeps the state in software bit 56. The dirty bits change only when
 * the dirty state does.
 */
static inline uint64_t fmt_leaf_set_ad(uint64_t e, int level, uint32_t want)
{
	const bool dirty_as_asked = !(fmt_leaf_prot(e, level) & PT_DIRTY) == !(want & PT_DIRTY);

	e = (want & PT_YOUNG) ? e | ARM64_AF : e & ~ARM64_AF;
	if (dirty_as_asked) /* a writable leaf without DBM stays as it is */
		return e;
	if (!(e & ARM64_AP2) || (e & ARM64_DBM)) /* writable */
		return (e & ~(ARM64_AP2 | ARM64_SW_DIRTY)) | ARM64_DBM |
		       ((want & PT_DIRTY) ? 0 : ARM64_AP2);
	return (want & PT_DIRTY) ? e | ARM64_SW_DIRTY : e & ~ARM64_SW_DIRTY;
}

/*
 * What a table descriptor lets through (D8.4, hierarchical control of data access
 * permissions and of instruction execution). APTable[1] removes write, APTable[0]
 * EL0 access. UXNTable/PXNTable forbid execution at EL0/EL1 only, and PT_X is execution at
 * the leaf's own privilege, which this entry cannot see: PT_X is let through unless both
 * are set (exact for the usual layouts, where user leaves sit under tables without
 * UXNTable and kernel leaves under tables without PXNTable). NSTable is ignored.
 */
static inline uint32_t fmt_table_allow(uint64_t e, int level)
{
	uint32_t allow = ~(uint32_t)(PT_W | PT_USER | PT_X);

	(void)level;
	if (!(e & ARM64_APTABLE1))
		allow |= PT_W;
	if (!(e & ARM64_APTABLE0))
		allow |= PT_USER;
	if ((e & (ARM64_UXNTABLE | ARM64_PXNTABLE)) != (ARM64_UXNTABLE | ARM64_PXNTABLE))
		allow |= PT_X;
	return allow;
}

/*
 * The same as raw bits for a walk to OR over the tables above a leaf: APTable[1] and
 * APTable[0] as they are, and in the PXNTable position PXNTable AND UXNTable of this one
 * entry (PT_X goes only where one entry has both). The other bits are noise that
 * fmt_leaf_prot_in ignores.
 */
static inline uint64_t fmt_table_rights(uint64_t e, int level)
{
	_Static_assert(ARM64_UXNTABLE == ARM64_PXNTABLE << 1, "UXNTable sits just above PXNTable");
	(void)level;
	return e & ((e >> 1) | ~ARM64_PXNTABLE);
}

static inline uint32_t fmt_leaf_prot_in(uint64_t e, int level, uint64_t r)
{
	uint32_t deny = (uint32_t)(PT_BIT_MOVE(r, ARM64_APTABLE1, PT_W) |
				   PT_BIT_MOVE(r, ARM64_APTABLE0, PT_USER) |
				   PT_BIT_MOVE(r, ARM64_PXNTABLE, PT_X));

	return fmt_leaf_prot(e, level) & ~deny;
}

/*
 * Entry `index` of the table that replaces leaf e of `level`: same attributes, never a
 * member of a contiguous group (the Contiguous bit is cleared).
 */
static inline uint64_t fmt_split_leaf(uint64_t e, int level, unsigned index)
{
	int child = level - 1;
	uint64_t oa_bits = arm64_oa_field(ARM64_GRANULE_SHIFT) | ARM64_OA_HI;
	uint64_t attrs = e & ~oa_bits & ~ARM64_CONT & ~ARM64_TYPE & ~ARM64_NT;
	uint64_t pa = fmt_leaf_pa(e, level) + ((uint64_t)index << FMT_SHIFT_C(child));

	return arm64_oa_encode(pa, FMT_SHIFT_C(child)) | attrs | (child ? 0 : ARM64_TYPE);
}

/* Descriptors are little-endian 64-bit words, single-copy atomic (D8.2, B2.2.1). */
static inline uint64_t fmt_load(const uint8_t *p)
{
	return pt_load_le64(p);
}
static inline void fmt_store(uint8_t *p, uint64_t e)
{
	pt_store_le64(p, e);
}

/*
 * The root register TTBRn_EL1 (D19.2, TTBR0_EL1/TTBR1_EL1): ASID in bits 63:48, BADDR in 47:1,
 * CnP in bit 0; with 52-bit output addresses BADDR[51:48] sits in bits 5:2 (FEAT_LPA, and
 * FEAT_LPA2 with TCR_EL1.DS = 1), the table being then at least 64-byte aligned. There a
 * value with bits 63:52 and 5:2 clear is taken as the table's address itself (the form
 * ptkit prints): a TTBR whose ASID is below 16 and whose table is below 2^48 reads the same.
 */
/*
 * The root in a TTBRn_EL1 value (D19 "TTBR0_EL1"): ASID in bits 63:48, BADDR[47:1] in 47:1
 * (CnP in bit 0); with 52-bit output addresses BADDR[51:48] sits in bits 5:2 and the table
 * is at least 64-byte aligned.
 */
static inline uint64_t arm64_ttbr_baddr(uint64_t reg)
{
	if (!ARM64_PA52)
		return reg & 0x0000fffffffffffeull;
	return (reg & 0x0000ffffffffffc0ull) | ((reg >> 2 & 0xf) << 48);
}

static inline int fmt_root_of_reg(uint64_t reg, uint64_t *root, const char **why)
{
	(void)why;
	if (!ARM64_PA52)
		*root = reg & 0x0000fffffffffffeull;
	else if (!(reg & 0xfff000000000003cull))
		*root = reg & ~1ull;
	else
		*root = arm64_ttbr_baddr(reg);
	return 0;
}

#include "fmt/cpu_regs.h"
#include "fmt/no_table_reg.h"

/*
 * Which tables the EL1&0 regime walks (D19 "TCR_EL1", "SCTLR_EL1"; D8.2): SCTLR_EL1.M (bit
 * 0) turns the stage-1 MMU on. TCR_EL1 per half n (TTBR0: lower, TTBR1: upper): TnSZ (bits
 * 5:0, 21:16; the half translates 64 - TnSZ bits), EPDn (bits 7, 23: no walks), TGn (bits
 * 15:14: 0 4KB, 1 64KB, 2 16KB; bits 31:30: 1 16KB, 2 4KB, 3 64KB); DS (bit 59, 4KB/16KB:
 * FEAT_LPA2 descriptors). QEMU's gdbstub calls SCTLR_EL1 "SCTLR"; when it is not
 * available the TCR_EL1 decides alone.
 */
#define ARM64_TCR_EPD(h) (1ull << ((h) ? 23 : 7))
#define ARM64_TCR_TSZ(tcr, h) ((tcr) >> ((h) ? 16 : 0) & 0x3f)
#define ARM64_TCR_TG(tcr, h) ((tcr) >> ((h) ? 30 : 14) & 3)
#define ARM64_TCR_DS (1ull << 59)
/* log2 of the granule a TGn value selects, 0: reserved. */
static inline int arm64_tg_shift(uint64_t tg, int h)
{
	static const uint8_t shift[2][4] = { { 12, 16, 14, 0 }, { 0, 14, 12, 16 } };
	return shift[h][tg];
}

static inline void arm64_note_tcr(struct pt_cpu_roots *out, uint64_t tcr)
{
	char *b = out->regs;
	size_t n = sizeof(out->regs);

	fmt_note_str(b, n, " (");
	for (int h = 0; h < 2; h++) {
		int g = arm64_tg_shift(ARM64_TCR_TG(tcr, h), h);

		fmt_note_str(b, n, h ? ", TTBR1 " : "TTBR0 ");
		if (tcr & ARM64_TCR_EPD(h)) {
			fmt_note_str(b, n, h ? "off: EPD1" : "off: EPD0");
			continue;
		}
		fmt_note_str(b, n,
			     g == 12   ? "4K"
			     : g == 14 ? "16K"
			     : g == 16 ? "64K"
				       : "reserved TG");
		fmt_note_str(b, n, " granule ");
		fmt_note_num(b, n, 64 - ARM64_TCR_TSZ(tcr, h), false);
		fmt_note_str(b, n, "-bit VA");
	}
	fmt_note_str(b, n, tcr & ARM64_TCR_DS ? ", DS 1)" : ")");
}

static inline int fmt_roots_of_cpu(pt_reg_fn reg, void *ctx, pt_phys_read_fn read, void *rctx,
				   struct pt_cpu_roots *out, const char **why)
{
	static const char *const ttbr[2][2] = { { "TTBR0_EL1", 0 }, { "TTBR1_EL1", 0 } };
	uint64_t sctlr, tcr, t;

	(void)read, (void)rctx;
	*out = (struct pt_cpu_roots){ 0 };
	if (fmt_cpu_reg(reg, ctx, (const char *const[]){ "SCTLR", "SCTLR_EL1", 0 }, "SCTLR_EL1",
			false, out, &sctlr, why) &&
	    !(sctlr & 1)) {
		*why = "the EL1&0 MMU is off (SCTLR_EL1.M = 0)";
		return -PT_ENOENT;
	}
	if (!fmt_cpu_reg(reg, ctx, (const char *const[]){ "TCR_EL1", "TCR", 0 }, "TCR_EL1", true,
			 out, &tcr, why))
		return -PT_ENOENT;
	arm64_note_tcr(out, tcr);
	if ((tcr & ARM64_TCR_EPD(0)) && (tcr & ARM64_TCR_EPD(1))) {
		*why = "TCR_EL1.EPD0 = EPD1 = 1: no half is translated";
		return -PT_ENOENT;
	}
	for (int h = 0; h < 2; h++) {
		if (tcr & ARM64_TCR_EPD(h))
			continue;
		if (arm64_tg_shift(ARM64_TCR_TG(tcr, h), h) != ARM64_GRANULE_SHIFT) {
			*why = h ? "TCR_EL1.TG1 selects another granule"
				 : "TCR_EL1.TG0 selects another granule";
			return -PT_EINVAL;
		}
		if (64 - ARM64_TCR_TSZ(tcr, h) != ARM64_VA_BITS) {
			*why = h ? "TCR_EL1.T1SZ selects another VA size"
				 : "TCR_EL1.T0SZ selects another VA size";
			return -PT_EINVAL;
		}
	}
	if (!ARM64_64K && ((tcr & ARM64_TCR_DS) != 0) != (ARM64_LPA2 != 0)) {
		*why = ARM64_LPA2
			       ? "TCR_EL1.DS = 0: no FEAT_LPA2 descriptors (52-bit formats use them)"
			       : "TCR_EL1.DS = 1: FEAT_LPA2 descriptors (only the 52-bit formats use them)";
		return -PT_EINVAL;
	}
	for (int h = 0; h < 2; h++) {
		if (h)
			fmt_note_str(out->how, sizeof(out->how), ", ");
		fmt_note_str(out->how, sizeof(out->how), ttbr[h][0]);
		if (tcr & ARM64_TCR_EPD(h)) {
			fmt_note_str(out->how, sizeof(out->how), h ? " off (EPD1)" : " off (EPD0)");
			continue;
		}
		if (!fmt_cpu_reg(reg, ctx, ttbr[h], ttbr[h][0], true, out, &t, why))
			return -PT_ENOENT;
		fmt_note_str(out->how, sizeof(out->how), " ");
		fmt_note_num(out->how, sizeof(out->how), t, true);
		out->root[h] = arm64_ttbr_baddr(t);
		out->halves |= 1u << h;
	}
	return 0;
}

/* A leaf the MMU refuses every access to (PROT_NONE): an invalid descriptor kept as a leaf. */
static inline bool fmt_leaf_none(uint64_t e)
{
	return !(e & ARM64_VALID);
}

/*
 * Linux (arch/arm64/kernel/crash_core.c, kernel/crash_core.c): the kernel's root is
 * swapper_pg_dir, TTBR1_EL1's table, a symbol of the kernel image whose physical address is
 * its VA minus kimage_voffset. The VA size of TTBR1 is 64 - TCR_EL1.T1SZ (VA_BITS in older
 * kernels) and the granule the kernel's PAGESIZE.
 */
static inline int fmt_linux_kernel_root(pt_info_fn info, const void *ctx, uint64_t *root,
					const char **why)
{
	uint64_t va, voff, t1sz, vabits;

	if (!fmt_linux_pagesize_ok(info, ctx, ARM64_GRANULE_SHIFT, why))
		return -PT_EINVAL;
	if (info(ctx, "NUMBER(TCR_EL1_T1SZ)", &t1sz))
		vabits = 64 - t1sz;
	else if (!info(ctx, "NUMBER(VA_BITS)", &vabits))
		vabits = ARM64_VA_BITS;
	if (vabits != ARM64_VA_BITS) {
		*why = "the kernel's VA size (64 - TCR_EL1.T1SZ, or VA_BITS) is not this format's";
		return -PT_EINVAL;
	}
	if (!info(ctx, "SYMBOL(swapper_pg_dir)", &va)) {
		*why = "no SYMBOL(swapper_pg_dir)";
		return -PT_ENOENT;
	}
	if (!info(ctx, "NUMBER(kimage_voffset)", &voff)) {
		*why = "no NUMBER(kimage_voffset)";
		return -PT_ENOENT;
	}
	if (va < voff) {
		*why = "SYMBOL(swapper_pg_dir) is below kimage_voffset";
		return -PT_EBADENT;
	}
	*root = va - voff;
	return 0;
}

#endif
