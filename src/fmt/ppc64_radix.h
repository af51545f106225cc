/* SPDX-License-Identifier: MIT */
/*
 * Power ISA v3.0B Book III radix tree translation (5.7.10, figures "Radix Tree Page
 * Directory Entry" and "Radix Tree Page Table Entry"), as used by Linux on POWER9/10 for
 * quadrant 0 (process tree, PID) and quadrant 3 (kernel tree, PID 0).
 *
 * The includer sets PPC64_RADIX_PAGE_SHIFT to 12 (4K base pages: 13/9/9/9 index bits from
 * the root down) or 16 (64K base pages: 13/9/9/5). Either way an entry at level 1 maps 2M
 * and at level 2 maps 1G; the root (level 3) entry spans 512G and is never a leaf.
 *
 * Entries are 64-bit BIG-ENDIAN doublewords. The ISA numbers bits from the most
 * significant end (bit 0 = MSB); the code uses host integers, so ISA bit b is host bit
 * 63 - b. Each field below gives both.
 *
 * Choices ptkit makes (docs/formats/ppc64.md):
 *  - PT_GLOBAL has no bit: quadrant-3 (kernel) translations are shared by construction
 *    (PID 0), so it is ignored on encode and never reported.
 *  - New leaves get R=1 always and C=1 when writable, as Linux does (_PAGE_BASE has
 *    _PAGE_ACCESSED, PAGE_KERNEL has _PAGE_DIRTY), so the MMU never has to update R/C.
 *  - PT_SPECIAL lives in software bit ISA 53 (host bit 10), Linux's _PAGE_SPECIAL.
 *  - Write implies read (EAA "read/write" grants both); PROT_NONE-style leaves (no EAA
 *    access bit) decode as a leaf without PT_R.
 *  - Real addresses are limited to 56 bits (Linux _RPAGE_PA_MAX): RPN bit ISA 7 (host 56)
 *    set in a leaf is reported as BAD, like the reserved bits.
 */
#ifndef PTKIT_FMT_PPC64_RADIX_H
#define PTKIT_FMT_PPC64_RADIX_H

#include "fmt/fmt_common.h"
#include <ptkit/format.h>

#if !defined(PPC64_RADIX_PAGE_SHIFT) ||                                                            \
	(PPC64_RADIX_PAGE_SHIFT != 12 && PPC64_RADIX_PAGE_SHIFT != 16)
#error "define PPC64_RADIX_PAGE_SHIFT (12 or 16) before including fmt/ppc64_radix.h"
#endif

/* Both kinds of entry (5.7.10.2). */
#define PPC_V (1ull << 63) /* ISA 0: valid */
#define PPC_L (1ull << 62) /* ISA 1: leaf (PTE) rather than a directory entry (PDE) */

/* Page directory entry (PDE, L=0). */
#define PPC_PDE_NLB 0x0fffffffffffff00ull  /* ISA 4:55, next level base (real address) */
#define PPC_PDE_NLS 0x1full		   /* ISA 59:63, next level size = log2(entries) */
#define PPC_PDE_RSVD 0x30000000000000e0ull /* ISA 2:3 and 56:58 */

/* Page table entry (PTE, L=1). */
#define PPC_SW0 (1ull << 61)		   /* ISA 2: software (Linux _PAGE_INVALID) */
#define PPC_PTE_RSVD 0x1e00000000000040ull /* ISA 3:6 and 57: reserved */
#define PPC_PTE_RA_HI (1ull << 56)	   /* ISA 7: RPN bit beyond a 56-bit real address */
#define PPC_PTE_RPN 0x00fffffffffff000ull  /* ISA 8:51: real page number, RA bits 55:12 */
#define PPC_SW_SPECIAL (1ull << 10)	   /* ISA 53: software, ptkit/Linux SPECIAL */
#define PPC_SW_CLEAN (1ull << 9)	   /* ISA 54: software: read-only, clean when writable */
#define FMT_SW_CLEAN PPC_SW_CLEAN
#define PPC_R (1ull << 8)	 /* ISA 55: reference */
#define PPC_C (1ull << 7)	 /* ISA 56: change */
#define PPC_ATT 0x30ull		 /* ISA 58:59: storage attributes (5.7.10.2) */
#define PPC_ATT_NORMAL 0x00ull	 /* 0b00 normal memory */
#define PPC_ATT_SAO 0x10ull	 /* 0b01 strong access ordering (normal) */
#define PPC_ATT_NI_IO 0x20ull	 /* 0b10 non-idempotent I/O: guarded, CI */
#define PPC_ATT_TOL_IO 0x30ull	 /* 0b11 tolerant I/O: cache inhibited */
#define PPC_EAA_PRIV (1ull << 3) /* ISA 60: privileged access only */
#define PPC_EAA_R (1ull << 2)	 /* ISA 61: read */
#define PPC_EAA_RW (1ull << 1)	 /* ISA 62: read/write */
#define PPC_EAA_X (1ull << 0)	 /* ISA 63: execute */

#define PPC_PAGE_SHIFT PPC64_RADIX_PAGE_SHIFT
#define PPC_PTE_BITS (21 - PPC_PAGE_SHIFT) /* 9 (4K) or 5 (64K): a level-1 entry maps 2M */

#define FMT_LEVELS 4
#define FMT_VA_BITS 52	 /* EA bits 51:0 of a quadrant */
#define FMT_HALF_BITS 52 /* quadrant 0: 0x0000..., quadrant 3: 0xc000... */
#define FMT_UPPER_BASE 0xc000000000000000ull
#define FMT_PA_BITS 56
#define FMT_PAGE_SIZES ((1ull << PPC_PAGE_SHIFT) | (1ull << 21) | (1ull << 30))
#define FMT_PKEY_BITS 0
#define FMT_BIG_ENDIAN 1
#define FMT_ELF_MACHINE 21 /* EM_PPC64 */
/*
 * Live entries change with one store: the old translation may be used until tlbie and
 * ptesync (Book III, "Translation Lookaside Buffer" management for radix). ptkit knows of
 * no conflict rule between translations of different sizes here (docs/LIVE_TABLES.md: an
 * open point). No FMT_BBM / FMT_BBM_*_MASK / FMT_SPLIT_FLUSH (all 0).
 */
#define FMT_TWO_ROOTS 1 /* root: process tree (quadrant 0); root1: kernel tree (quadrant 3) */
/* Constant expressions, also used to fill struct pt_format. */
#define FMT_SHIFT_C(level) ((level) == 0 ? PPC_PAGE_SHIFT : 12 + 9 * (level))
#define FMT_BITS_C(level) ((level) == 0 ? PPC_PTE_BITS : (level) == 3 ? 13 : 9)
#define FMT_LEAF_OK_C(level) ((level) <= 2) /* page sizes: base, 2M, 1G (5.7.10.2) */
#define FMT_CONTIG_C(level) (0 * (level) + 1)
/* 5.7.10.2: V = 0 is invalid. */
#define FMT_VALID_MASK PPC_V
/* RPN: RA bits 55:n in place. */
#define FMT_LEAF_OA_MASK_C(level) (PPC_PTE_RPN & ~((1ull << FMT_SHIFT_C(level)) - 1))
#define FMT_LEAF_OA_SHL 0
/* The RPN is one field (of the host-order value: the entries are stored big-endian). */
#define FMT_LEAF_OA_LO_C(level) FMT_LEAF_OA_MASK_C(level)
#define FMT_LEAF_OA_HI 0ull
#define FMT_LEAF_OA_HI_SHL 0
#define FMT_LEVEL_NAMES                                                                            \
	{                                                                                          \
		"pte", "pmd", "pud", "pgd"                                                         \
	}

/*
 * EA bits 63:62 select the quadrant (5.7.10.1): 0 and 3 are the trees ptkit builds; EA
 * bits 61:52 must be 0 (else segment interrupt).
 */
static inline bool fmt_va_valid(uint64_t va)
{
	uint64_t q = va >> 62;
	return (q == 0 || q == 3) && !(va & 0x3ff0000000000000ull);
}
static inline int fmt_va_half(uint64_t va)
{
	return (int)(va >> 62) == 3;
}

/* Real-address bits of a leaf at `level`: RPN above the page offset. */
static inline uint64_t ppc_leaf_addr_mask(int level)
{
	return PPC_PTE_RPN & ~((1ull << FMT_SHIFT_C(level)) - 1);
}

/* The bits of a level-l PDE that must be 0 or NLS: reserved, NLS, NLB below the table size. */
#define PPC_PDE_FIXED(level)                                                                       \
	(PPC_PDE_RSVD | PPC_PDE_NLS | (PPC_PDE_NLB & ((8ull << FMT_BITS_C((level)-1)) - 1)))

static inline enum pt_entry_kind fmt_kind(uint64_t e, int level, const char **why)
{
	if (!(e & PPC_V))
		return PT_ENTRY_EMPTY;
	/* The usual PDE: one test (the checks below, for anything else, say the same). */
	if (level > 0 && (e & (PPC_L | PPC_PDE_FIXED(level))) == (uint64_t)FMT_BITS_C(level - 1))
		return PT_ENTRY_TABLE;
	if (e & PPC_L) {
		if (!FMT_LEAF_OK_C(level)) {
			*why = "leaf (L=1) in a PGD entry: no 512G pages (ISA 5.7.10.2)";
			return PT_ENTRY_BAD;
		}
		if (e & PPC_PTE_RSVD) {
			*why = "reserved bits 3:6 or 57 set in a PTE (ISA 5.7.10.2)";
			return PT_ENTRY_BAD;
		}
		if (e & PPC_PTE_RA_HI) {
			*why = "RPN bit 7 set: real address beyond 2^56";
			return PT_ENTRY_BAD;
		}
		if (e & PPC_PTE_RPN & ~ppc_leaf_addr_mask(level)) {
			*why = level == 1   ? "RPN of a 2M leaf not 2M-aligned"
			       : level == 2 ? "RPN of a 1G leaf not 1G-aligned"
					    : "RPN of a 64K leaf not 64K-aligned";
			return PT_ENTRY_BAD;
		}
		return PT_ENTRY_LEAF;
	}
	if (level == 0) {
		*why = "L=0 in a PTE: the last level holds only leaves (ISA 5.7.10.2)";
		return PT_ENTRY_BAD;
	}
	if (e & PPC_PDE_RSVD) {
		*why = "reserved bits 2:3 or 56:58 set in a PDE (ISA 5.7.10.2)";
		return PT_ENTRY_BAD;
	}
	if ((e & PPC_PDE_NLS) != (uint64_t)FMT_BITS_C(level - 1)) {
		*why = "NLS does not match the geometry";
		return PT_ENTRY_BAD;
	}
	if (e & PPC_PDE_NLB & ((8ull << FMT_BITS_C(level - 1)) - 1)) {
		*why = "NLB not aligned to the size of the next-level table";
		return PT_ENTRY_BAD;
	}
	return PT_ENTRY_TABLE;
}

static inline uint64_t fmt_table_pa(uint64_t e, int level)
{
	(void)level;
	return e & PPC_PDE_NLB;
}
static inline uint64_t fmt_leaf_pa(uint64_t e, int level)
{
	return e & ppc_leaf_addr_mask(level);
}

/* PDE pointing at a table of level-1: NLS = that table's index bits. */
static inline uint64_t fmt_make_table(uint64_t pa, int level)
{
	return PPC_V | (pa & PPC_PDE_NLB) | (uint64_t)FMT_BITS_C(level - 1);
}

/* Device and non-cacheable are two values of one ATT field. */
static inline int fmt_prot_check(uint32_t prot)
{
	if ((prot & PT_DEVICE) && (prot & PT_NOCACHE))
		return -PT_EINVAL;
	return 0;
}

static inline uint64_t fmt_make_leaf(uint64_t pa, int level, uint32_t prot, uint32_t pkey)
{
	uint64_t e = PPC_V | PPC_L | PPC_R | pa;
	(void)level;
	(void)pkey;
	if (prot & PT_DEVICE)
		e |= PPC_ATT_NI_IO;
	else if (prot & PT_NOCACHE)
		e |= PPC_ATT_TOL_IO;
	if (!(prot & PT_USER))
		e |= PPC_EAA_PRIV;
	if (prot & (PT_R | PT_W))
		e |= PPC_EAA_R; /* write implies read, as in Linux's _PAGE_RW */
	if (prot & PT_W)
		e |= PPC_EAA_RW | PPC_C;
	if (prot & PT_X)
		e |= PPC_EAA_X;
	if (prot & PT_DIRTY)
		e |= PPC_C;
	if (prot & PT_SPECIAL)
		e |= PPC_SW_SPECIAL;
	return e; /* PT_GLOBAL: no bit (quadrant 3 is shared by construction) */
}

/*
 * A leaf's PT_* bits: bits 8:0 (EAA, ATT, C, R) through a table the compiler builds, the
 * software bit moved: no branch. Write implies read; SAO (ATT 0b01) is ordinary cacheable
 * memory (no PT_* bit).
 */
#define PPC_PROT_LO(i)                                                                             \
	(uint16_t)(((i) & (PPC_EAA_R | PPC_EAA_RW) ? PT_R : 0) |                                   \
		   PT_BIT_MOVE(i, PPC_EAA_RW, PT_W) | PT_BIT_MOVE(i, PPC_EAA_X, PT_X) |            \
		   PT_BIT_MOVE(~(uint64_t)(i), PPC_EAA_PRIV, PT_USER) |                            \
		   PT_BIT_MOVE(i, PPC_R, PT_YOUNG) | PT_BIT_MOVE(i, PPC_C, PT_DIRTY) |             \
		   (((i)&PPC_ATT) == PPC_ATT_NI_IO ? PT_DEVICE : 0) |                              \
		   (((i)&PPC_ATT) == PPC_ATT_TOL_IO ? PT_NOCACHE : 0))
static const uint16_t ppc_prot_lo[512] = { PT_LUT_512(PPC_PROT_LO, 0) };

static inline uint32_t fmt_leaf_prot(uint64_t e, int level)
{
	(void)level;
	return ppc_prot_lo[e & 0x1ff] | (uint32_t)PT_BIT_MOVE(e, PPC_SW_SPECIAL, PT_SPECIAL);
}
static inline uint32_t fmt_leaf_pkey(uint64_t e)
{
	(void)e;
	return 0;
}

/*
 * Leaf e with the young / dirty state in want, every other bit kept: R (reference) is
 * PT_YOUNG, C (change) PT_DIRTY (Linux pte_mkold / pte_mkclean clear them).
 */
static inline uint64_t fmt_leaf_set_ad(uint64_t e, int level, uint32_t want)
{
	(void)level;
	return (e & ~(PPC_R | PPC_C)) | ((want & PT_YOUNG) ? PPC_R : 0) |
	       ((want & PT_DIRTY) ? PPC_C : 0);
}

/* Radix directory entries carry no permissions: the leaf alone decides. */
#include "fmt/no_table_rights.h"
#include "fmt/no_mem_attr.h"

/* Entry `index` of the table replacing leaf e: same attribute bits, smaller pages. */
static inline uint64_t fmt_split_leaf(uint64_t e, int level, unsigned index)
{
	uint64_t pa = fmt_leaf_pa(e, level) + ((uint64_t)index << FMT_SHIFT_C(level - 1));
	return (e & ~PPC_PTE_RPN) | pa;
}

/* Entries are big-endian doublewords, read and written whole (5.7.10.2). */
static inline uint64_t fmt_load(const uint8_t *p)
{
	return pt_load_be64(p);
}
static inline void fmt_store(uint8_t *p, uint64_t e)
{
	pt_store_be64(p, e);
}

/*
 * A radix tree's root as a process-table entry gives it (doubleword 0, Power ISA 3.0B Book
 * III, "Process Table Entry"): RTS in ISA bits 1:2 and 56:58 (host 62:61 and 7:5; the tree
 * translates 2^(RTS+31) bytes), RPDB (the root's real address) in ISA 4:55 (host 59:8),
 * RPDS in ISA 59:63 (host 4:0; the root is 2^(RPDS+3) bytes: RPDS is log2 of its entries, as
 * NLS in a PDE, 13 in Linux's entries and QEMU's walk). bare: a value whose RTS and
 * RPDS are 0 is the root's address itself (a user's --root), else it is an empty entry.
 */
#define PPC_RTS_RPDS 0x60000000000000ffull /* host 62:61, 7:5 (RTS) and 4:0 (RPDS) */
#define PPC_RPDB 0x0fffffffffffff00ull

static inline int ppc_root_of_entry(uint64_t e, bool bare, uint64_t *root, const char **why)
{
	uint64_t rpds = e & 0x1f, rts = ((e >> 61 & 3) << 3) | (e >> 5 & 7);

	if (!bare && !e) {
		*why = "empty (0): no tree for this PID";
		return -PT_ENOENT;
	}
	if ((!bare || (e & PPC_RTS_RPDS)) && rpds != (uint64_t)FMT_BITS_C(FMT_LEVELS - 1)) {
		*why = "the entry's RPDS is not the size of this format's root table";
		return -PT_EINVAL;
	}
	if ((!bare || (e & PPC_RTS_RPDS)) && rts + 31 != (uint64_t)FMT_VA_BITS) {
		*why = "the entry's RTS is not this format's address size";
		return -PT_EINVAL;
	}
	*root = e & PPC_RPDB;
	return 0;
}

static inline int fmt_root_of_reg(uint64_t reg, uint64_t *root, const char **why)
{
	return ppc_root_of_entry(reg, true, root, why);
}

/*
 * The trees a PTCR value leads to (Power ISA 3.0B Book III, "Partition Table Control
 * Register", "Partition Table Entry", "Process Table Entry"; Linux's struct patb_entry and
 * prtb_entry store them the same way).
 * PTCR: PATB, the partition table's real address, in ISA bits 4:51 (host 59:12); PATS in
 * ISA 59:63 (host 4:0), the table being 2^(12+PATS) bytes with PATS <= 24; the rest is
 * reserved. Each table entry is two big-endian doublewords (16 bytes).
 * Partition-table entry, doubleword 0: HR (ISA 0, host 63) = the partition translates with
 * radix trees (0: with the hashed page table). Doubleword 1: PRTB, the process table's
 * address, in ISA 4:51 (host 59:12), PRTS in ISA 59:63, the table being 2^(12+PRTS) bytes.
 * Process-table entry, doubleword 0: a tree as ppc_root_of_entry reads it.
 * With LPID 0 (the hypervisor, or a bare-metal OS) quadrant 0 is translated by the tree of
 * the PID in PIDR and quadrant 3 by that of PID 0 ("Radix Tree Translation", the quadrant
 * table). Another LPID is a guest: its PRTB and trees are guest real addresses, which only
 * its partition-scoped tree (doubleword 0) turns into real ones; ptkit does not walk that.
 */
#define PPC_PTCR_RSVD 0xf000000000000fe0ull /* ISA 0:3 and 52:58 */
#define PPC_TBL_BASE 0x0ffffffffffff000ull  /* PATB / PRTB: ISA 4:51 */
#define PPC_TBL_SIZE 0x1full		    /* PATS / PRTS: ISA 59:63 */
#define PPC_PATE0_HR (1ull << 63)	    /* ISA 0: host radix */
#define PPC_LPID_MAX 0xfffull		    /* LPIDR holds 12 bits */
#define PPC_PID_MAX 0xfffffull		    /* PIDR holds 20 bits */

/* Doubleword 0 and 1 of the 16-byte table entry at pa; false where memory has none. */
static inline bool ppc_read_entry(pt_phys_read_fn read, void *ctx, uint64_t pa, uint64_t dw[2])
{
	uint8_t b[16];

	if (read(ctx, pa, b, 16))
		return false;
	dw[0] = pt_load_be64(b);
	dw[1] = pt_load_be64(b + 8);
	return true;
}

static inline int fmt_roots_of_table_reg(uint64_t ptcr, uint64_t lpid, uint64_t pid,
					 pt_phys_read_fn read, void *ctx,
					 struct pt_table_roots *out, const char **why)
{
	uint64_t pate[2], prte[2], prts;
	uint64_t ids[2] = { pid, 0 };

	*out = (struct pt_table_roots){ 0 };

	if (ptcr & PPC_PTCR_RSVD) {
		*why = "reserved PTCR bits (ISA 0:3, 52:58) set: not a PTCR value";
		return -PT_EINVAL;
	}
	if ((ptcr & PPC_TBL_SIZE) > 24) {
		*why = "PATS above 24 (the partition table is at most 2^36 bytes)";
		return -PT_EINVAL;
	}
	if (lpid > PPC_LPID_MAX || pid > PPC_PID_MAX) {
		*why = lpid > PPC_LPID_MAX ? "LPID above 4095 (LPIDR holds 12 bits)"
					   : "PID above 2^20 - 1 (PIDR holds 20 bits)";
		return -PT_ERANGE;
	}
	if (lpid >= 1ull << (8 + (ptcr & PPC_TBL_SIZE))) {
		*why = "LPID beyond the partition table (PATS too small for it)";
		return -PT_ERANGE;
	}
	out->part_entry_pa = (ptcr & PPC_TBL_BASE) + 16 * lpid;
	if (!ppc_read_entry(read, ctx, out->part_entry_pa, pate)) {
		*why = "the partition-table entry is not in the dump's memory";
		return -PT_EFAULT;
	}
	if (!pate[0] && !pate[1]) {
		*why = "the partition-table entry is empty (0): no partition with this LPID";
		return -PT_ENOENT;
	}
	if (!(pate[0] & PPC_PATE0_HR)) {
		*why = "hashed page table, not radix (partition-table entry HR = 0): ptkit does not "
		       "walk HPT";
		return -PT_EINVAL;
	}
	if (lpid) {
		*why = "a guest partition: its process table and trees are at guest real addresses, "
		       "which ptkit does not translate (dump the guest's memory and give --root)";
		return -PT_EINVAL;
	}
	prts = pate[1] & PPC_TBL_SIZE;
	if (prts > 24) {
		*why = "PRTS above 24 in the partition-table entry (the process table is at most "
		       "2^36 bytes)";
		return -PT_EBADENT;
	}
	out->proc_table_pa = pate[1] & PPC_TBL_BASE;
	out->proc_table_count = 1ull << (8 + prts);
	if (pid >= out->proc_table_count) {
		*why = "PID beyond the process table (PRTS too small for it)";
		return -PT_ERANGE;
	}
	for (int h = 0; h < 2; h++) {
		int err;

		out->entry_pa[h] = out->proc_table_pa + 16 * ids[h];
		if (!ppc_read_entry(read, ctx, out->entry_pa[h], prte)) {
			*why = "not in the dump's memory";
			out->failed = h + 1;
			return -PT_EFAULT;
		}
		out->entry[h] = prte[0];
		err = ppc_root_of_entry(prte[0], false, &out->root[h], why);
		if (err) {
			out->failed = h + 1;
			return err;
		}
	}
	return 0;
}

#include "fmt/cpu_regs.h"

/*
 * The roots a CPU in radix mode (LPID 0: the hypervisor or a bare-metal OS) walks: PTCR's
 * partition table and PIDR's process-table entry (fmt_roots_of_table_reg). The page size is
 * in the tree (the NLS of the PDEs above the leaves), in no register: the 4K and 64K formats
 * both answer 0. QEMU's gdbstub names them "ptcr" and "pid".
 */
static inline int fmt_roots_of_cpu(pt_reg_fn reg, void *ctx, pt_phys_read_fn read, void *rctx,
				   struct pt_cpu_roots *out, const char **why)
{
	struct pt_table_roots tr;
	uint64_t ptcr, pid;
	int err;

	*out = (struct pt_cpu_roots){ 0 };
	if (!fmt_cpu_reg(reg, ctx, (const char *const[]){ "ptcr", "PTCR", 0 }, "PTCR", true, out,
			 &ptcr, why) ||
	    !fmt_cpu_reg(reg, ctx, (const char *const[]){ "pid", "pidr", "PIDR", 0 }, "PIDR", true,
			 out, &pid, why))
		return -PT_ENOENT;
	if (!ptcr) {
		*why = "PTCR is 0: no partition table, the radix MMU is not set up";
		return -PT_ENOENT;
	}
	if (!read) {
		*why = "the partition and process tables are in memory and no reader was given";
		return -PT_EFAULT;
	}
	err = fmt_roots_of_table_reg(ptcr, 0, pid, read, rctx, &tr, why);
	if (err)
		return err;
	out->root[0] = tr.root[0];
	out->root[1] = tr.root[1];
	out->halves = 3;
	fmt_note_str(out->how, sizeof(out->how), "PTCR ");
	fmt_note_num(out->how, sizeof(out->how), ptcr, true);
	fmt_note_str(out->how, sizeof(out->how), ", PIDR ");
	fmt_note_num(out->how, sizeof(out->how), pid, false);
	return 0;
}

/* A leaf the MMU refuses every access to (PROT_NONE): no EAA read, read/write or execute. */
static inline bool fmt_leaf_none(uint64_t e)
{
	return !(e & (PPC_EAA_R | PPC_EAA_RW | PPC_EAA_X));
}

/*
 * Linux (arch/powerpc/kexec/core.c, kernel/crash_core.c): the kernel's root is
 * swapper_pg_dir, the quadrant-3 tree (process-table entry 0), reached through the linear
 * map from PAGE_OFFSET 0xc000000000000000 at real address 0. NUMBER(RADIX_MMU) = 0 means the
 * kernel used the hashed page table, which has no radix tree.
 */
static inline int fmt_linux_kernel_root(pt_info_fn info, const void *ctx, uint64_t *root,
					const char **why)
{
	const uint64_t linear = 0xc000000000000000ull;
	uint64_t va, radix;

	if (!fmt_linux_pagesize_ok(info, ctx, PPC64_RADIX_PAGE_SHIFT, why))
		return -PT_EINVAL;
	if (info(ctx, "NUMBER(RADIX_MMU)", &radix) && !radix) {
		*why = "the kernel uses the hashed page table (NUMBER(RADIX_MMU)=0), not radix";
		return -PT_EINVAL;
	}
	if (!info(ctx, "SYMBOL(swapper_pg_dir)", &va)) {
		*why = "no SYMBOL(swapper_pg_dir)";
		return -PT_ENOENT;
	}
	if (va < linear || va - linear >= 1ull << FMT_PA_BITS ||
	    ((va - linear) & ((1ull << FMT_BITS_C(FMT_LEVELS - 1)) * 8 - 1))) {
		*why = "SYMBOL(swapper_pg_dir) is not an aligned root table in the linear map";
		return -PT_EBADENT;
	}
	*root = va - linear;
	return 0;
}

#endif
