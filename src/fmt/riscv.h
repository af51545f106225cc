/* SPDX-License-Identifier: MIT */
/*
 * RISC-V Sv39, Sv48 and Sv57 page tables: The RISC-V Instruction Set Manual, Volume II:
 * Privileged Architecture, "Supervisor-Level ISA": 4.3.1 (PTE fields, R/W/X encodings),
 * 4.3.2 (the translation algorithm and its page-fault conditions), 4.4 Sv39, 4.5 Sv48,
 * 4.6 Sv57; plus the "Svnapot" (64 KiB NAPOT groups) and "Svpbmt" (page-based memory
 * types) extension chapters. The includer sets RISCV_LEVELS to 3, 4 or 5.
 *
 * Assumes satp.MODE = Sv39/48/57, Svnapot and Svpbmt implemented, little-endian implicit
 * accesses (mstatus.SBE = 0), and no Svadu: leaves are created with A=1, and with D=1 when
 * writable, so hardware that raises a page fault on a clear A/D bit never does for them.
 */
#ifndef PTKIT_FMT_RISCV_H
#define PTKIT_FMT_RISCV_H

#include "fmt/fmt_common.h"

#ifndef RISCV_LEVELS
#error "define RISCV_LEVELS (3, 4 or 5) before including fmt/riscv.h"
#endif

/* PTE bits (4.4.1 figure "Sv39 page table entry"; same layout for Sv48 / Sv57). */
#define RV_V (1ull << 0)	  /* valid */
#define RV_R (1ull << 1)	  /* readable */
#define RV_W (1ull << 2)	  /* writable (reserved without R) */
#define RV_X (1ull << 3)	  /* executable */
#define RV_U (1ull << 4)	  /* user-mode accessible (leaves; reserved in non-leaves) */
#define RV_G (1ull << 5)	  /* global mapping (leaves and non-leaves) */
#define RV_A (1ull << 6)	  /* accessed (leaves; reserved in non-leaves) */
#define RV_D (1ull << 7)	  /* dirty (leaves; reserved in non-leaves) */
#define RV_SW_SPECIAL (1ull << 8) /* RSW bit 8, ignored by hardware: ptkit marks PFN-map leaves */
#define RV_SW_CLEAN (1ull << 9)	  /* RSW bit 9: read-only leaf, clean when made writable */
#define FMT_SW_CLEAN RV_SW_CLEAN
#define RV_RWX (RV_R | RV_W | RV_X)
#define RV_PPN_SHIFT 10 /* PPN, bits 53:10 (44 bits -> 56-bit PA) */
#define RV_PPN_MASK 0x003ffffffffffc00ull
#define RV_RSVD_MASK 0x1fc0000000000000ull /* bits 60:54, reserved: page fault if set */
#define RV_PBMT_SHIFT 61		   /* Svpbmt: PBMT, bits 62:61 */
#define RV_PBMT_MASK (3ull << RV_PBMT_SHIFT)
#define RV_PBMT_PMA 0ull /* attributes of the underlying PMA */
#define RV_PBMT_NC 1ull	 /* non-cacheable, idempotent, weakly ordered main memory */
#define RV_PBMT_IO 2ull	 /* non-cacheable, non-idempotent, strongly ordered I/O */
#define RV_PBMT_RSVD 3ull
#define RV_N (1ull << 63)	/* Svnapot: NAPOT group member */
#define RV_NAPOT_64K_PPN 0x8ull /* Svnapot: ppn[3:0] of a 64 KiB group */
#define RV_NAPOT_PPN_MASK 0xfull
/*
 * A PROT_NONE leaf (types.h pt_prot_none): the leaf with V = 0 and G set. V = 0 faults every
 * access and leaves the other bits to software (4.3.1 "If V is not set, all other bits in
 * the PTE are don't-cares"; 4.3.2 step 3), so they keep the mapping. G is the mark Linux
 * uses (_PAGE_PROT_NONE; older kernels used R), so a PROT_NONE leaf cannot be global.
 */
#define RV_PROTNONE RV_G

#define FMT_LEVELS RISCV_LEVELS
#define FMT_VA_BITS (12 + 9 * RISCV_LEVELS) /* 39, 48 or 57 */
#define FMT_HALF_BITS (FMT_VA_BITS - 1)	    /* bits 63..VA_BITS-1 equal: two halves */
#define FMT_UPPER_BASE (0ull - (1ull << FMT_HALF_BITS))
#define FMT_PA_BITS 56
#define FMT_PKEY_BITS 0
#define FMT_BIG_ENDIAN 0
#define FMT_ELF_MACHINE 243 /* EM_RISCV */
/*
 * Live entries change with one store, splits included: an implementation may use the old
 * or the new PTE until SFENCE.VMA (4.2.1 "Supervisor Memory-Management Fence
 * Instruction"), and the spec names no conflict between translations of different sizes.
 * No FMT_BBM / FMT_BBM_*_MASK / FMT_SPLIT_FLUSH (all 0).
 */
#define FMT_TWO_ROOTS 0 /* satp holds one root for the whole address space */
/* Leaves at every level (4.3.2 step 5), the root included; Svnapot adds 64K at level 0. */
#define RV_K4 (1ull << 12)
#define RV_K64 (1ull << 16)
#define RV_M2 (1ull << 21)
#define RV_G1 (1ull << 30)
#define RV_G512 (1ull << 39)
#define RV_T256 (1ull << 48)
#if RISCV_LEVELS == 3
#define FMT_PAGE_SIZES (RV_K4 | RV_K64 | RV_M2 | RV_G1)
#define FMT_LEVEL_NAMES                                                                            \
	{                                                                                          \
		"L0", "L1", "L2"                                                                   \
	}
#elif RISCV_LEVELS == 4
#define FMT_PAGE_SIZES (RV_K4 | RV_K64 | RV_M2 | RV_G1 | RV_G512)
#define FMT_LEVEL_NAMES                                                                            \
	{                                                                                          \
		"L0", "L1", "L2", "L3"                                                             \
	}
#elif RISCV_LEVELS == 5
#define FMT_PAGE_SIZES (RV_K4 | RV_K64 | RV_M2 | RV_G1 | RV_G512 | RV_T256)
#define FMT_LEVEL_NAMES                                                                            \
	{                                                                                          \
		"L0", "L1", "L2", "L3", "L4"                                                       \
	}
#else
#error "RISCV_LEVELS must be 3 (Sv39), 4 (Sv48) or 5 (Sv57)"
#endif
/* Constant expressions, also used to fill struct pt_format. */
#define FMT_SHIFT_C(level) (12 + 9 * (level))
#define FMT_BITS_C(level) (0 * (level) + 9)
#define FMT_LEAF_OK_C(level) ((level) < RISCV_LEVELS)
#define FMT_CONTIG_C(level) ((level) == 0 ? 16 : 1) /* Svnapot: 16 x 4K = 64K */
/* 4.3.2 step 3: V = 0 is invalid, every other bit ignored; without G not even PROT_NONE. */
#define FMT_VALID_MASK (RV_V | RV_PROTNONE)
/* PPN bits 53:10 hold PA >> 12 (PA = field << 2); a superpage's low PPN bits are not OA. */
#define FMT_LEAF_OA_MASK_C(level) (RV_PPN_MASK & ~((1ull << (RV_PPN_SHIFT + 9 * (level))) - 1))
#define FMT_LEAF_OA_SHL 2
/* The OA is one field: the iteration window's decode is (e & FMT_LEAF_OA_LO_C(l)) << 2. */
#define FMT_LEAF_OA_LO_C(level) FMT_LEAF_OA_MASK_C(level)
#define FMT_LEAF_OA_HI 0ull
#define FMT_LEAF_OA_HI_SHL 0
/* Svnapot: a member's ppn[3:0] is its size (1000: 64K), not OA; other values are reserved. */
#define FMT_LEAF_GROUP_FIXED(e, level)                                                             \
	((level) == 0 && ((e)&RV_N) ? RV_NAPOT_PPN_MASK << RV_PPN_SHIFT : 0ull)

/* Bits 63..VA_BITS-1 must all equal bit VA_BITS-1 (4.4.1, 4.5.1, 4.6.1). */
static inline bool fmt_va_valid(uint64_t va)
{
	int64_t s = (int64_t)va >> (FMT_VA_BITS - 1);
	return s == 0 || s == -1;
}
static inline int fmt_va_half(uint64_t va)
{
	return (int)(va >> 63);
}

static inline uint64_t rv_ppn(uint64_t e)
{
	return (e & RV_PPN_MASK) >> RV_PPN_SHIFT;
}
static inline uint64_t rv_ppn_bits(uint64_t pa)
{
	return (pa >> 12) << RV_PPN_SHIFT;
}
static inline unsigned rv_pbmt(uint64_t e)
{
	return (unsigned)((e & RV_PBMT_MASK) >> RV_PBMT_SHIFT);
}

/*
 * 4.3.2: V=0 is invalid (every other bit ignored). R=W=X=0 points to the next level; at
 * level 0 that is a page fault. Everything else is a leaf, except the reserved encodings:
 * W=1 without R, bits 60:54, PBMT=3, N outside a 64K level-0 leaf (Svnapot), a superpage
 * whose PPN has bits below its size (step 6). In a non-leaf, U/A/D/PBMT/N are reserved
 * and must be zero: ptkit reports them as BAD too (forensic strictness).
 */
#define RV_NONLEAF_RSVD (RV_RSVD_MASK | RV_U | RV_A | RV_D | RV_PBMT_MASK | RV_N)
static inline enum pt_entry_kind rv_leaf_kind(uint64_t e, int level, const char **why);

static inline enum pt_entry_kind fmt_kind(uint64_t e, int level, const char **why)
{
	if (!(e & RV_V))
		return (e & RV_PROTNONE) ? rv_leaf_kind(e, level, why) : PT_ENTRY_EMPTY;
	if (level > 0 && !(e & (RV_RWX | RV_NONLEAF_RSVD))) /* the usual pointer: one test */
		return PT_ENTRY_TABLE;
	if (e & RV_RSVD_MASK) {
		*why = "reserved bits 60:54 set (4.4.1)";
		return PT_ENTRY_BAD;
	}
	if (!(e & RV_RWX)) {
		if (level == 0) {
			*why = "pointer (R=W=X=0) at the last level (4.3.2 step 4)";
			return PT_ENTRY_BAD;
		}
		if (e & (RV_U | RV_A | RV_D)) {
			*why = "U, A or D set in a non-leaf PTE (reserved, 4.3.1)";
			return PT_ENTRY_BAD;
		}
		if (e & RV_PBMT_MASK) {
			*why = "PBMT set in a non-leaf PTE (reserved, Svpbmt)";
			return PT_ENTRY_BAD;
		}
		if (e & RV_N) {
			*why = "N set in a non-leaf PTE (reserved, Svnapot)";
			return PT_ENTRY_BAD;
		}
		return PT_ENTRY_TABLE;
	}
	if ((e & RV_W) && !(e & RV_R)) {
		*why = "W=1 with R=0 (reserved R/W/X encoding, 4.3.1)";
		return PT_ENTRY_BAD;
	}
	return rv_leaf_kind(e, level, why);
}

/* What is left to check of a leaf (a PROT_NONE one too: its fields as a valid leaf's). */
static inline enum pt_entry_kind rv_leaf_kind(uint64_t e, int level, const char **why)
{
	if (e & RV_RSVD_MASK) {
		*why = "reserved bits 60:54 set in a PROT_NONE leaf (4.4.1)";
		return PT_ENTRY_BAD;
	}
	if (rv_pbmt(e) == RV_PBMT_RSVD) {
		*why = "PBMT=3 (reserved, Svpbmt)";
		return PT_ENTRY_BAD;
	}
	if (e & RV_N) {
		if (level != 0) {
			*why = "N set in a superpage leaf (reserved, Svnapot)";
			return PT_ENTRY_BAD;
		}
		if ((rv_ppn(e) & RV_NAPOT_PPN_MASK) != RV_NAPOT_64K_PPN) {
			*why = "N=1 with ppn[3:0] != 1000 (reserved NAPOT size, Svnapot)";
			return PT_ENTRY_BAD;
		}
		return PT_ENTRY_LEAF;
	}
	if (rv_ppn(e) & ((1ull << (9 * level)) - 1)) {
		*why = "misaligned superpage: PPN bits below the page size set (4.3.2 step 6)";
		return PT_ENTRY_BAD;
	}
	return PT_ENTRY_LEAF;
}

static inline uint64_t fmt_table_pa(uint64_t e, int level)
{
	(void)level;
	return rv_ppn(e) << 12;
}

/* Output address of a leaf; a NAPOT member reports its group's 64K-aligned base. */
static inline uint64_t fmt_leaf_pa(uint64_t e, int level)
{
	uint64_t pa = rv_ppn(e) << 12;
	if (e & RV_N)
		return pa & ~(RV_K64 - 1);
	return pa & ~((1ull << FMT_SHIFT_C(level)) - 1);
}

/* Non-leaf PTEs carry only V and the PPN: U/A/D/PBMT/N must be zero (4.3.1). */
static inline uint64_t fmt_make_table(uint64_t pa, int level)
{
	(void)level;
	return rv_ppn_bits(pa) | RV_V;
}

/*
 * W without R is reserved (4.3.1). Execute-only is fine. No R, W or X is a PROT_NONE leaf
 * (V = 0), which cannot be global (G is its mark). One memory type at a time.
 */
static inline int fmt_prot_check(uint32_t prot)
{
	if (pt_prot_none(prot) && (prot & PT_GLOBAL))
		return -PT_EINVAL;
	if ((prot & PT_W) && !(prot & PT_R))
		return -PT_EINVAL;
	if ((prot & PT_DEVICE) && (prot & PT_NOCACHE))
		return -PT_EINVAL;
	return 0;
}

/*
 * A leaf. A is always set and D whenever writable (no Svadu: see the top of this file);
 * PT_YOUNG / PT_DIRTY only add to that. PT_CONTIG at level 0 makes a Svnapot 64K group
 * member: N=1 and ppn[3:0] = 1000, the same encoding in all 16 entries.
 */
static inline uint64_t fmt_make_leaf(uint64_t pa, int level, uint32_t prot, uint32_t pkey)
{
	uint64_t e = rv_ppn_bits(pa) | RV_V | RV_A;
	(void)pkey;
	if (prot & PT_R)
		e |= RV_R;
	if (prot & PT_W)
		e |= RV_W | RV_D;
	if (prot & PT_X)
		e |= RV_X;
	if (prot & PT_USER)
		e |= RV_U;
	if (prot & PT_GLOBAL)
		e |= RV_G;
	if (prot & PT_DIRTY)
		e |= RV_D;
	if (prot & PT_SPECIAL)
		e |= RV_SW_SPECIAL;
	if (prot & PT_DEVICE)
		e |= RV_PBMT_IO << RV_PBMT_SHIFT;
	else if (prot & PT_NOCACHE)
		e |= RV_PBMT_NC << RV_PBMT_SHIFT;
	if ((prot & PT_CONTIG) && FMT_CONTIG_C(level) > 1) {
		e &= ~(RV_NAPOT_PPN_MASK << RV_PPN_SHIFT);
		e |= RV_N | (RV_NAPOT_64K_PPN << RV_PPN_SHIFT);
	}
	if (pt_prot_none(prot))
		e = (e & ~RV_V) | RV_PROTNONE;
	return e;
}

/*
 * Each right and attribute is one PTE bit moved to its PT_* place, the memory type one bit
 * of PBMT without the other (IO = 2: PT_DEVICE, NC = 1: PT_NOCACHE; 3 is reserved): no
 * branch but the group's, so a test of one PT_* bit compiles to a test of its PTE bit.
 */
#define RV_PBMT_BIT0 (RV_PBMT_NC << RV_PBMT_SHIFT)
#define RV_PBMT_BIT1 (RV_PBMT_IO << RV_PBMT_SHIFT)
static inline uint32_t fmt_leaf_prot(uint64_t e, int level)
{
	uint32_t p = (uint32_t)(PT_BIT_MOVE(e, RV_R, PT_R) | PT_BIT_MOVE(e, RV_W, PT_W) |
				PT_BIT_MOVE(e, RV_X, PT_X) | PT_BIT_MOVE(e, RV_U, PT_USER) |
				PT_BIT_MOVE(e, RV_G, PT_GLOBAL) | PT_BIT_MOVE(e, RV_A, PT_YOUNG) |
				PT_BIT_MOVE(e, RV_D, PT_DIRTY) |
				PT_BIT_MOVE(e, RV_SW_SPECIAL, PT_SPECIAL) |
				PT_BIT_MOVE(e & ~(e << 1), RV_PBMT_BIT1, PT_DEVICE) |
				PT_BIT_MOVE(e & ~(e >> 1), RV_PBMT_BIT0, PT_NOCACHE));

	(void)level;
	p &= ~((uint32_t)(~e & RV_V) * (PT_R | PT_W | PT_X | PT_GLOBAL)); /* PROT_NONE */
	if (e & RV_N) /* a test: where only the group matters, it is all that is left */
		p |= PT_CONTIG;
	return p;
}
static inline uint32_t fmt_leaf_pkey(uint64_t e)
{
	(void)e;
	return 0;
}

/*
 * Leaf e with the young / dirty state in want, every other bit kept: A is PT_YOUNG, D is
 * PT_DIRTY (Linux pte_mkold / pte_mkclean clear them). Without Svadu an access to A = 0
 * or a write to D = 0 faults, and software sets them again.
 */
static inline uint64_t fmt_leaf_set_ad(uint64_t e, int level, uint32_t want)
{
	(void)level;
	return (e & ~(RV_A | RV_D)) | ((want & PT_YOUNG) ? RV_A : 0) |
	       ((want & PT_DIRTY) ? RV_D : 0);
}

/* No hierarchical permissions: the leaf alone decides (4.3.2). */
#include "fmt/no_table_rights.h"
#include "fmt/no_mem_attr.h"

/* The entry at `index` of the table that replaces leaf `e` of `level` (same attributes). */
static inline uint64_t fmt_split_leaf(uint64_t e, int level, unsigned index)
{
	uint64_t pa = fmt_leaf_pa(e, level) + ((uint64_t)index << FMT_SHIFT_C(level - 1));
	return (e & ~(RV_PPN_MASK | RV_N)) | rv_ppn_bits(pa);
}

/* PTEs are naturally aligned little-endian 64-bit words, read and written whole (4.3.2). */
static inline uint64_t fmt_load(const uint8_t *p)
{
	return pt_load_le64(p);
}
static inline void fmt_store(uint8_t *p, uint64_t e)
{
	pt_store_le64(p, e);
}

/*
 * The root register satp (privileged spec 10.1.11): MODE in bits 63:60 (8 Sv39, 9 Sv48,
 * 10 Sv57: this format's is FMT_LEVELS + 5), ASID in 59:44, the root's PPN in 43:0. A value
 * with MODE 0 is taken as the root's physical address itself.
 */
static inline int fmt_root_of_reg(uint64_t reg, uint64_t *root, const char **why)
{
	uint64_t mode = reg >> 60;

	if (!mode) {
		*root = reg;
		return 0;
	}
	if (mode != FMT_LEVELS + 5) {
		*why = mode == 8    ? "satp MODE is Sv39, not this format's"
		       : mode == 9  ? "satp MODE is Sv48, not this format's"
		       : mode == 10 ? "satp MODE is Sv57, not this format's"
				    : "satp MODE is none of Sv39, Sv48, Sv57";
		return -PT_EINVAL;
	}
	*root = (reg & 0x00000fffffffffffull) << 12;
	return 0;
}

#include "fmt/cpu_regs.h"
#include "fmt/no_table_reg.h"

/* satp.MODE (bits 63:60, privileged spec 10.1.11) of each mode: 0 Bare, 8 Sv39 ... 10 Sv57. */
static inline int fmt_roots_of_cpu(pt_reg_fn reg, void *ctx, pt_phys_read_fn read, void *rctx,
				   struct pt_cpu_roots *out, const char **why)
{
	uint64_t satp, mode;
	int err;

	(void)read, (void)rctx;
	*out = (struct pt_cpu_roots){ 0 };
	if (!fmt_cpu_reg(reg, ctx, (const char *const[]){ "satp", 0 }, "satp", true, out, &satp,
			 why))
		return -PT_ENOENT;
	mode = satp >> 60;
	if (!mode) {
		*why = "satp.MODE = 0 (Bare): translation is off";
		return -PT_ENOENT;
	}
	if (mode != FMT_LEVELS + 5) {
		*why = mode == 8    ? "satp.MODE = 8: Sv39"
		       : mode == 9  ? "satp.MODE = 9: Sv48"
		       : mode == 10 ? "satp.MODE = 10: Sv57"
				    : "satp.MODE is reserved (none of Bare, Sv39, Sv48, Sv57)";
		return -PT_EINVAL;
	}
	err = fmt_root_of_reg(satp, &out->root[0], why);
	if (err)
		return err;
	out->halves = 1;
	fmt_note_str(out->how, sizeof(out->how), "satp ");
	fmt_note_num(out->how, sizeof(out->how), satp, true);
	return 0;
}

/* A leaf the MMU refuses every access to (PROT_NONE): V = 0, kept as a leaf. */
static inline bool fmt_leaf_none(uint64_t e)
{
	return !(e & RV_V);
}

/*
 * Linux (arch/riscv/kernel/crash_core.c, kernel/crash_core.c): the kernel's root is
 * swapper_pg_dir, a symbol of the kernel image, whose physical address is its VA minus the
 * image's va_kernel_pa_offset. The paging mode is not in the note: satp's is checked by
 * root_of_reg when a register is given.
 */
static inline int fmt_linux_kernel_root(pt_info_fn info, const void *ctx, uint64_t *root,
					const char **why)
{
	uint64_t va, off;

	if (!fmt_linux_pagesize_ok(info, ctx, 12, why))
		return -PT_EINVAL;
	if (!info(ctx, "SYMBOL(swapper_pg_dir)", &va)) {
		*why = "no SYMBOL(swapper_pg_dir)";
		return -PT_ENOENT;
	}
	if (!info(ctx, "NUMBER(va_kernel_pa_offset)", &off)) {
		*why = "no NUMBER(va_kernel_pa_offset)";
		return -PT_ENOENT;
	}
	if (va < off || ((va - off) & 0xfff)) {
		*why = "SYMBOL(swapper_pg_dir) - va_kernel_pa_offset is not a page address";
		return -PT_EBADENT;
	}
	*root = va - off;
	return 0;
}

#endif
