/* SPDX-License-Identifier: MIT */
/*
 * x86-64 4-level and 5-level paging: Intel SDM vol. 3A, ch. 4.5 "4-level paging and
 * 5-level paging" (tables 4-14 .. 4-20). The includer sets X86_PAGING_LEVELS to 4 or 5.
 * Assumes CR0.WP=1, EFER.NXE=1, CR4.PKE=1, MAXPHYADDR=52 and the power-on PAT MSR (leaf
 * memory types under another PAT: fmt_leaf_mem_type).
 */
#ifndef PTKIT_FMT_X86_64_H
#define PTKIT_FMT_X86_64_H

#include "fmt/fmt_common.h"

#ifndef X86_PAGING_LEVELS
#error "define X86_PAGING_LEVELS (4 or 5) before including fmt/x86_64.h"
#endif

/* Bits of a paging-structure entry (SDM tables 4-15 .. 4-20). */
#define X86_P (1ull << 0)	   /* present */
#define X86_RW (1ull << 1)	   /* writes allowed */
#define X86_US (1ull << 2)	   /* user-mode accesses allowed */
#define X86_PWT (1ull << 3)	   /* page-level write-through */
#define X86_PCD (1ull << 4)	   /* page-level cache disable */
#define X86_A (1ull << 5)	   /* accessed */
#define X86_D (1ull << 6)	   /* dirty (leaves only) */
#define X86_PS (1ull << 7)	   /* page size: leaf at PDPTE/PDE; reserved in PML4E/PML5E */
#define X86_PAT4K (1ull << 7)	   /* PAT bit of a 4K PTE (same position as PS) */
#define X86_G (1ull << 8)	   /* global (leaves only) */
#define X86_SW_SPECIAL (1ull << 9) /* ignored by hardware: ptkit marks PFN-map leaves */
#define X86_PATBIG (1ull << 12)	   /* PAT bit of a 2M/1G leaf */
#define X86_PKEY_SHIFT 59	   /* protection key, bits 62:59 */
#define X86_PKEY_MASK (0xfull << X86_PKEY_SHIFT)
#define X86_XD (1ull << 63)		    /* execute disable */
#define X86_ADDR_MASK 0x000ffffffffff000ull /* bits 51:12, MAXPHYADDR = 52 */
/*
 * A PROT_NONE leaf (types.h pt_prot_none): the leaf with P = 0 and G set. With P = 0 the
 * processor ignores bits 63:1 and every access faults (SDM 4.5.4, tables 4-15 .. 4-20
 * "Present"; 4.7 "Page-Fault Exceptions"), so the other bits keep the mapping; G is the
 * mark Linux uses too (_PAGE_PROTNONE), so a Linux image reads the same. A PROT_NONE leaf
 * cannot be global.
 */
#define X86_PROTNONE X86_G

#define FMT_LEVELS X86_PAGING_LEVELS
#define FMT_VA_BITS (12 + 9 * X86_PAGING_LEVELS) /* 48 or 57 */
#define FMT_HALF_BITS (FMT_VA_BITS - 1)		 /* each canonical half spans 2^47 / 2^56 */
#define FMT_UPPER_BASE (0ull - (1ull << FMT_HALF_BITS))
#define FMT_PA_BITS 52
#define FMT_PAGE_SIZES ((1ull << 12) | (1ull << 21) | (1ull << 30)) /* 4K, 2M, 1G */
#define FMT_PKEY_BITS 4
#define FMT_BIG_ENDIAN 0
#define FMT_ELF_MACHINE 62 /* EM_X86_64 */
#define FMT_TWO_ROOTS 0
/*
 * Live entries change with one store: the TLB may keep the old translation until INVLPG
 * (SDM 4.10.4.3 "Optional Invalidation"), never two that conflict, except when the page
 * size changes: "software ... should not write to a paging-structure entry in a way that
 * would change, for any linear address, both the page size and either the page frame,
 * access rights, or other attributes" (SDM 4.10.4.2 "Recommended Invalidation"). So a
 * split links a table of leaves with the old attributes, flushes, then changes them
 * (Linux __split_large_page); no break-before-make. A collapse (a table of leaves with one
 * set of attributes and contiguous frames replaced by one large leaf) changes only the page
 * size for every address: one store too (Linux cpa_collapse_large_pages).
 */
#define FMT_SPLIT_FLUSH 1
/* Constant expressions, also used to fill struct pt_format. */
#define FMT_SHIFT_C(level) (12 + 9 * (level))
#define FMT_BITS_C(level) (0 * (level) + 9)
/* PS=1 is a leaf in a PDPTE (1G) or PDE (2M); every PTE is a 4K leaf (SDM 4.5.4). */
#define FMT_LEAF_OK_C(level) ((level) <= 2)
#define FMT_CONTIG_C(level) (0 * (level) + 1) /* no contiguous-group hint */
/* P = 0: not present, every other bit ignored (SDM 4.5.4); without G not even PROT_NONE. */
#define FMT_VALID_MASK (X86_P | X86_PROTNONE)
/* A leaf's address bits 51:n are the output address in place (SDM tables 4-16, 4-18, 4-20). */
#define FMT_LEAF_OA_MASK_C(level) (X86_ADDR_MASK & ~((1ull << FMT_SHIFT_C(level)) - 1))
#define FMT_LEAF_OA_SHL 0
/* The OA is one field: the iteration window's decode is (e & FMT_LEAF_OA_LO_C(l)). */
#define FMT_LEAF_OA_LO_C(level) FMT_LEAF_OA_MASK_C(level)
#define FMT_LEAF_OA_HI 0ull
#define FMT_LEAF_OA_HI_SHL 0
#if X86_PAGING_LEVELS == 5
#define FMT_LEVEL_NAMES                                                                            \
	{                                                                                          \
		"pte", "pmd", "pud", "p4d", "pgd"                                                  \
	}
#else
#define FMT_LEVEL_NAMES                                                                            \
	{                                                                                          \
		"pte", "pmd", "pud", "pgd"                                                         \
	}
#endif

/* Canonical: bits 63..VA_BITS-1 all equal (SDM 3.3.7.1). Half 1 is the upper half. */
static inline bool fmt_va_valid(uint64_t va)
{
	int64_t s = (int64_t)va >> (FMT_VA_BITS - 1);
	return s == 0 || s == -1;
}
static inline int fmt_va_half(uint64_t va)
{
	return (int)(va >> 63);
}

/* Mask of the output-address bits of a leaf at `level`. */
static inline uint64_t x86_leaf_addr_mask(int level)
{
	return X86_ADDR_MASK & ~((1ull << FMT_SHIFT_C(level)) - 1);
}
static inline uint64_t x86_pat_bit(int level)
{
	return level ? X86_PATBIG : X86_PAT4K;
}

static inline enum pt_entry_kind fmt_kind(uint64_t e, int level, const char **why)
{
	if (!(e & X86_P)) {
		/* Not present; a PROT_NONE leaf if it has the mark and a leaf's shape. */
		if (!(e & X86_PROTNONE) || !FMT_LEAF_OK_C(level) || (level && !(e & X86_PS)))
			return PT_ENTRY_EMPTY;
	}
	if (level == 0)
		return PT_ENTRY_LEAF;
	if (!(e & X86_PS))
		return PT_ENTRY_TABLE;
	if (!FMT_LEAF_OK_C(level)) {
		*why = "PS set in a PML4E/PML5E (reserved, SDM 4.5.4)";
		return PT_ENTRY_BAD;
	}
	/* 2M/1G leaves: address bits below the page size, except PAT (bit 12), are reserved. */
	if (e & ((1ull << FMT_SHIFT_C(level)) - 1) & X86_ADDR_MASK & ~X86_PATBIG) {
		*why = level == 1 ? "reserved bits 20:13 set in a 2M PDE (SDM table 4-18)"
				  : "reserved bits 29:13 set in a 1G PDPTE (SDM table 4-16)";
		return PT_ENTRY_BAD;
	}
	return PT_ENTRY_LEAF;
}

static inline uint64_t fmt_table_pa(uint64_t e, int level)
{
	(void)level;
	return e & X86_ADDR_MASK;
}
static inline uint64_t fmt_leaf_pa(uint64_t e, int level)
{
	return e & x86_leaf_addr_mask(level);
}

/* Tables are created permissive: the leaf decides (SDM 4.6: rights combine across levels). */
static inline uint64_t fmt_make_table(uint64_t pa, int level)
{
	(void)level;
	return pa | X86_P | X86_RW | X86_US;
}

/*
 * Present means readable: write-only or execute-only asks for read too. No R, W or X is a
 * PROT_NONE leaf, which cannot be global (G is its mark).
 */
static inline int fmt_prot_check(uint32_t prot)
{
	if ((prot & PT_DEVICE) && (prot & PT_NOCACHE))
		return -PT_EINVAL;
	if (pt_prot_none(prot) && (prot & PT_GLOBAL))
		return -PT_EINVAL;
	return 0;
}

/*
 * Memory types (SDM 11.12.3): a leaf's PAT:PCD:PWT picks an entry of IA32_PAT, whose type
 * (bits 2:0 of the entry's byte, SDM table 11-10) ptkit reports as UC (0) PT_DEVICE; UC- (7)
 * and WC (1), uncached normal memory, PT_NOCACHE; WT (4), WP (5), WB (6) cacheable. 2 and
 * 3 are reserved (WRMSR faults on them).
 */
#define X86_PAT_POWER_ON 0x0007040600070406ull /* SDM 11.12.4: WB WT UC- UC WB WT UC- UC */
#define X86_PAT_TYPE(pat, i) ((unsigned)((pat) >> (8 * (i))) & 7u)
#define X86_PAT_TYPE_PROT(t) ((t) == 0 ? PT_DEVICE : (t) == 1 || (t) == 7 ? PT_NOCACHE : 0)
_Static_assert(X86_PAT_TYPE_PROT(X86_PAT_TYPE(X86_PAT_POWER_ON, 3)) == PT_DEVICE &&
		       X86_PAT_TYPE_PROT(X86_PAT_TYPE(X86_PAT_POWER_ON, 2)) == PT_NOCACHE &&
		       (X86_PAT_POWER_ON >> 32) == (X86_PAT_POWER_ON & 0xffffffffu),
	       "power-on PAT: PCD+PWT is UC, PCD UC-, and the PAT bit changes nothing");

/* PAT index = PAT:PCD:PWT; power-on PAT: 2 = UC-, 3 = UC. */
static inline uint64_t x86_memtype_bits(uint32_t prot)
{
	if (prot & PT_DEVICE)
		return X86_PCD | X86_PWT;
	if (prot & PT_NOCACHE)
		return X86_PCD;
	return 0;
}

static inline uint64_t fmt_make_leaf(uint64_t pa, int level, uint32_t prot, uint32_t pkey)
{
	uint64_t e = pa | X86_P | x86_memtype_bits(prot);
	if (level)
		e |= X86_PS;
	if (prot & PT_W)
		e |= X86_RW;
	if (prot & PT_USER)
		e |= X86_US;
	if (!(prot & PT_X))
		e |= X86_XD;
	if (prot & PT_GLOBAL)
		e |= X86_G;
	if (prot & PT_YOUNG)
		e |= X86_A;
	if (prot & PT_DIRTY)
		e |= X86_D;
	if (prot & PT_SPECIAL)
		e |= X86_SW_SPECIAL;
	if (pt_prot_none(prot))
		e = (e & ~X86_P) | X86_PROTNONE;
	return e | ((uint64_t)(pkey & 0xf) << X86_PKEY_SHIFT);
}

/*
 * PT_* bits of a leaf from its bits 9:0 (P, R/W, U/S, PWT, PCD, A, D, PAT or PS, G,
 * software bit 9), whatever the level: each right or attribute is one bit moved to its PT_*
 * place. P = 0 is a PROT_NONE leaf: no right, and G is its mark, not PT_GLOBAL.
 * The memory type is the power-on PAT's entry PCD:PWT: the PAT bit picks between entries
 * the power-on PAT makes the same.
 */
#define X86_PROT_LO(i)                                                                             \
	(uint16_t)(((i)&X86_P ? PT_R | PT_BIT_MOVE(i, X86_RW, PT_W) |                              \
					PT_BIT_MOVE(i, X86_G, PT_GLOBAL)                           \
			      : 0) |                                                               \
		   PT_BIT_MOVE(i, X86_US, PT_USER) | PT_BIT_MOVE(i, X86_A, PT_YOUNG) |             \
		   PT_BIT_MOVE(i, X86_D, PT_DIRTY) | PT_BIT_MOVE(i, X86_SW_SPECIAL, PT_SPECIAL) |  \
		   X86_PAT_TYPE_PROT(X86_PAT_TYPE(X86_PAT_POWER_ON, ((i) >> 3) & 3)))
_Static_assert(X86_PWT == 1ull << 3 && X86_PCD == 1ull << 4,
	       "X86_PROT_LO: PCD:PWT is (i >> 3) & 3");
static const uint16_t x86_prot_lo[1024] = { PT_LUT_1024(X86_PROT_LO, 0) };

/* A table lookup and execute permission (P set, XD clear): no branch. */
static inline uint32_t fmt_leaf_prot(uint64_t e, int level)
{
	(void)level;
	return x86_prot_lo[e & 0x3ff] | (uint32_t)PT_BIT_MOVE(~e & (e << 63), X86_XD, PT_X);
}
static inline uint32_t fmt_leaf_pkey(uint64_t e)
{
	return (uint32_t)((e & X86_PKEY_MASK) >> X86_PKEY_SHIFT);
}

static inline const char *fmt_mem_attr_reg(uint64_t *own)
{
	*own = X86_PAT_POWER_ON;
	return "IA32_PAT";
}

/*
 * The memory type of leaf e under IA32_PAT = pat: entry PAT:PCD:PWT, the PAT bit being bit 7
 * of a 4K PTE and bit 12 of a 2M/1G leaf.
 */
static inline uint32_t fmt_leaf_mem_type(uint64_t e, int level, uint64_t pat)
{
	unsigned i = ((e & (level ? X86_PATBIG : X86_PAT4K)) ? 4u : 0u) |
		     ((e & X86_PCD) ? 2u : 0u) | ((e & X86_PWT) ? 1u : 0u);
	unsigned type = X86_PAT_TYPE(pat, i);

	return X86_PAT_TYPE_PROT(type);
}

/* Leaf e with the young / dirty state in want, every other bit kept: A and D (SDM 4.8). */
static inline uint64_t fmt_leaf_set_ad(uint64_t e, int level, uint32_t want)
{
	(void)level;
	return (e & ~(X86_A | X86_D)) | ((want & PT_YOUNG) ? X86_A : 0) |
	       ((want & PT_DIRTY) ? X86_D : 0);
}

/* What a table entry lets through to the leaves below it (SDM 4.6.1). */
static inline uint32_t fmt_table_allow(uint64_t e, int level)
{
	(void)level;
	uint32_t allow = ~(uint32_t)(PT_W | PT_USER | PT_X);
	if (e & X86_RW)
		allow |= PT_W;
	if (e & X86_US)
		allow |= PT_USER;
	if (!(e & X86_XD))
		allow |= PT_X;
	return allow;
}

/*
 * The same as raw bits for a walk to OR over the tables above a leaf: R/W and U/S inverted
 * (set: read-only / supervisor-only below), XD as it is. The other bits are noise that
 * fmt_leaf_prot_in ignores.
 */
static inline uint64_t fmt_table_rights(uint64_t e, int level)
{
	(void)level;
	return e ^ (X86_RW | X86_US);
}

/* Leaf e below tables with rights r: R/W and U/S ANDed with the tables', XD ORed (SDM 4.6.1). */
static inline uint32_t fmt_leaf_prot_in(uint64_t e, int level, uint64_t r)
{
	return fmt_leaf_prot((e & ~(r & (X86_RW | X86_US))) | (r & X86_XD), level);
}

/* The entry at `index` of the table that replaces leaf `e` of `level` (same attributes). */
static inline uint64_t fmt_split_leaf(uint64_t e, int level, unsigned index)
{
	int child = level - 1;
	uint64_t attrs = e & ~x86_leaf_addr_mask(level) & ~X86_PS & ~X86_PATBIG;
	uint64_t pa = fmt_leaf_pa(e, level) + ((uint64_t)index << FMT_SHIFT_C(child));
	if (e & X86_PATBIG)
		attrs |= x86_pat_bit(child);
	return pa | attrs | (child ? X86_PS : 0);
}

/* Entries are little-endian 64-bit words, read and written whole (SDM 4.10.4 / 8.1.1). */
static inline uint64_t fmt_load(const uint8_t *p)
{
	return pt_load_le64(p);
}
static inline void fmt_store(uint8_t *p, uint64_t e)
{
	pt_store_le64(p, e);
}

/*
 * The root register CR3 (SDM vol. 3A 4.5, tables 4-12 and 4-13): bits 51:12 hold the table's
 * address; bits 11:0 are the PCID (CR4.PCIDE = 1) or PWT/PCD, bits 62:61 LAM_U57/LAM_U48,
 * bit 63 exists only in the value written (no flush). Bits 60:52 are reserved.
 */
static inline int fmt_root_of_reg(uint64_t reg, uint64_t *root, const char **why)
{
	if (reg & 0x1ff0000000000000ull) {
		*why = "CR3 bits 60:52 are reserved";
		return -PT_EBADENT;
	}
	*root = reg & 0x000ffffffffff000ull;
	return 0;
}

#include "fmt/cpu_regs.h"
#include "fmt/no_table_reg.h"

/*
 * The CPU's paging mode (Intel SDM vol. 3A, "Paging Modes and Control Bits"): paging is on
 * with CR0.PG (bit 31); CR4.PAE (bit 5) = 1 and IA32_EFER.LMA (bit 10) = 1 make it 4-level
 * paging, or 5-level with CR4.LA57 (bit 12) = 1; CR3 holds the root. The names are QEMU
 * gdbstub's (gdb-xml/i386-64bit.xml); EFER is checked when the CPU state has it.
 */
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_LA57 (1ull << 12)
#define X86_EFER_LMA (1ull << 10)

static inline int fmt_roots_of_cpu(pt_reg_fn reg, void *ctx, pt_phys_read_fn read, void *rctx,
				   struct pt_cpu_roots *out, const char **why)
{
	uint64_t cr3, cr0, cr4, efer;
	int err;

	(void)read, (void)rctx;
	*out = (struct pt_cpu_roots){ 0 };
	if (!fmt_cpu_reg(reg, ctx, (const char *const[]){ "cr3", 0 }, "CR3", true, out, &cr3,
			 why) ||
	    !fmt_cpu_reg(reg, ctx, (const char *const[]){ "cr0", 0 }, "CR0", true, out, &cr0,
			 why) ||
	    !fmt_cpu_reg(reg, ctx, (const char *const[]){ "cr4", 0 }, "CR4", true, out, &cr4, why))
		return -PT_ENOENT;
	if (!(cr0 & X86_CR0_PG)) {
		*why = "CR0.PG = 0: paging is off";
		return -PT_ENOENT;
	}
	if (!(cr4 & X86_CR4_PAE)) {
		*why = "CR4.PAE = 0: 32-bit paging, not 4- or 5-level";
		return -PT_EINVAL;
	}
	if (fmt_cpu_reg(reg, ctx, (const char *const[]){ "efer", 0 }, "EFER", false, out, &efer,
			why) &&
	    !(efer & X86_EFER_LMA)) {
		*why = "IA32_EFER.LMA = 0: 32-bit PAE paging, not 4- or 5-level";
		return -PT_EINVAL;
	}
	if (((cr4 & X86_CR4_LA57) != 0) != (FMT_LEVELS == 5)) {
		*why = cr4 & X86_CR4_LA57 ? "CR4.LA57 = 1: 5-level paging"
					  : "CR4.LA57 = 0: 4-level paging";
		return -PT_EINVAL;
	}
	err = fmt_root_of_reg(cr3, &out->root[0], why);
	if (err)
		return err;
	out->halves = 1;
	fmt_note_str(out->how, sizeof(out->how), "CR3 ");
	fmt_note_num(out->how, sizeof(out->how), cr3, true);
	return 0;
}

/* A leaf the MMU refuses every access to (PROT_NONE: fmt_leaf_prot has no R, W, X): P = 0. */
static inline bool fmt_leaf_none(uint64_t e)
{
	return !(e & X86_P);
}

/*
 * Linux (arch/x86/kernel/crash_core_64.c, kernel/crash_core.c): the kernel's root is
 * init_top_pgt (also written as swapper_pg_dir), a symbol of the kernel image, which is
 * mapped from __START_KERNEL_map (0xffffffff80000000) at phys_base; KASLR's offset is in the
 * symbol's value already. NUMBER(pgtable_l5_enabled) says whether CR4.LA57 is set.
 */
static inline int fmt_linux_kernel_root(pt_info_fn info, const void *ctx, uint64_t *root,
					const char **why)
{
	const uint64_t image = 0xffffffff80000000ull;
	uint64_t va, phys_base, l5;

	if (!fmt_linux_pagesize_ok(info, ctx, 12, why))
		return -PT_EINVAL;
	if (info(ctx, "NUMBER(pgtable_l5_enabled)", &l5) && (l5 != 0) != (FMT_LEVELS == 5)) {
		*why = l5 ? "the kernel uses 5-level paging (NUMBER(pgtable_l5_enabled)=1): "
			    "use x86_64-la57"
			  : "the kernel uses 4-level paging (NUMBER(pgtable_l5_enabled)=0): "
			    "use x86_64";
		return -PT_EINVAL;
	}
	if (!info(ctx, "SYMBOL(init_top_pgt)", &va) && !info(ctx, "SYMBOL(swapper_pg_dir)", &va)) {
		*why = "no SYMBOL(init_top_pgt) or SYMBOL(swapper_pg_dir)";
		return -PT_ENOENT;
	}
	if (!info(ctx, "NUMBER(phys_base)", &phys_base)) {
		*why = "no NUMBER(phys_base)";
		return -PT_ENOENT;
	}
	if (va < image || (va & 0xfff)) {
		*why = "SYMBOL(init_top_pgt) is not a page of the kernel image";
		return -PT_EBADENT;
	}
	*root = va - image + phys_base;
	return 0;
}

#endif
