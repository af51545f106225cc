/* SPDX-License-Identifier: MIT */
/*
 * RISC-V Sv48 for the reference walkers, in the style of Linux's arch/riscv pgtable
 * helpers. Four levels: level 3 = pgd (p4d folded into it, as pgtable-nop4d.h), level 2 =
 * pud, level 1 = pmd, level 0 = pte. Leaves are allowed at every level, the root included
 * (512 GiB), so the p4d level has leaves too (REF_HAVE_P4D_LEAF).
 *
 * Bit layouts from the RISC-V privileged spec, "Supervisor-Level ISA":
 *   4.5.1 Sv48 addressing: VPN[3..0] = VA bits 47:39, 38:30, 29:21, 20:12; PTE bits
 *         V = 0, R = 1, W = 2, X = 3, U = 4, G = 5, A = 6, D = 7, RSW = 9:8,
 *         PPN[3..0] = bits 53:37, 36:28, 27:19, 18:10 (PPN = PA >> 12 in bits 53:10).
 *   4.3.1 (Sv32, referenced by 4.5.1 for the fields): R = W = X = 0 points to the next
 *         level, anything else with V = 1 is a leaf; U, A, D are reserved in non-leaves.
 *   4.3.2 Virtual address translation: V = 0 is invalid whatever the other bits hold; a
 *         leaf at level i > 0 is a superpage whose low PPN fields are zero.
 *
 * What ptkit writes (src/fmt/riscv.h fmt_make_leaf / fmt_make_table) for the bench's
 * requests (PT_R [| PT_W]: kernel, non-global, not executable, normal memory):
 *   table:  PPN | V
 *   leaf:   PPN | V | R | A | (writable: W | D)   (no Svadu: A, and D when writable, preset)
 * and what pt_protect does with write: W flips; D stays (it is kept state), and
 * making a leaf writable also sets D.
 */
#ifndef PTKIT_BENCH_RISCV_PGTABLE_H
#define PTKIT_BENCH_RISCV_PGTABLE_H

#include "ref_pgtable.h"

#define REF_NAME "riscv-sv48"

#define _PAGE_PRESENT (1ull << 0)  /* V */
#define _PAGE_READ (1ull << 1)	   /* R */
#define _PAGE_WRITE (1ull << 2)	   /* W */
#define _PAGE_EXEC (1ull << 3)	   /* X */
#define _PAGE_USER (1ull << 4)	   /* U */
#define _PAGE_GLOBAL (1ull << 5)   /* G */
#define _PAGE_ACCESSED (1ull << 6) /* A */
#define _PAGE_DIRTY (1ull << 7)	   /* D */
#define _PAGE_LEAF (_PAGE_READ | _PAGE_WRITE | _PAGE_EXEC)
#define _PAGE_PFN_SHIFT 10
#define _PAGE_PFN_MASK 0x003ffffffffffc00ull /* PPN, bits 53:10 */
#define _PAGE_TABLE _PAGE_PRESENT

#define PAGE_SHIFT 12
#define PMD_SHIFT 21
#define PUD_SHIFT 30
#define P4D_SHIFT 39
#define PGDIR_SHIFT 39
#define REF_P4D_FOLDED 1
#define REF_HAVE_P4D_LEAF 1
#define PTRS_PER_TABLE 512

/* PA held by the PPN field (__page_val_to_pfn << PAGE_SHIFT). */
static inline uint64_t rv_pte_pa(uint64_t v)
{
	return ((v & _PAGE_PFN_MASK) >> _PAGE_PFN_SHIFT) << PAGE_SHIFT;
}

/* Empty: V = 0 (4.3.2 step 3: every other bit is ignored). */
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

/* Leaf: V = 1 and any of R, W, X (4.3.1). */
static inline bool p4d_leaf(uint64_t v)
{
	return (v & _PAGE_PRESENT) && (v & _PAGE_LEAF);
}
static inline bool pud_leaf(uint64_t v)
{
	return (v & _PAGE_PRESENT) && (v & _PAGE_LEAF);
}
static inline bool pmd_leaf(uint64_t v)
{
	return (v & _PAGE_PRESENT) && (v & _PAGE_LEAF);
}

/* Next-level table of a pointer PTE. */
static inline uint64_t p4d_table_pa(uint64_t v)
{
	return rv_pte_pa(v);
}
static inline uint64_t pud_table_pa(uint64_t v)
{
	return rv_pte_pa(v);
}
static inline uint64_t pmd_table_pa(uint64_t v)
{
	return rv_pte_pa(v);
}

/* Output address of a leaf: a superpage's low PPN fields are zero (4.3.2 step 6). */
static inline uint64_t pte_pa(uint64_t v)
{
	return rv_pte_pa(v);
}
static inline uint64_t pmd_leaf_pa(uint64_t v)
{
	return rv_pte_pa(v);
}
static inline uint64_t pud_leaf_pa(uint64_t v)
{
	return rv_pte_pa(v);
}
static inline uint64_t p4d_leaf_pa(uint64_t v)
{
	return rv_pte_pa(v);
}

/* PAGE_KERNEL(_READ) minus G and X: the same encoding at every level (no size bit). */
static inline uint64_t leaf_prot(bool write, bool huge)
{
	(void)huge;
	return _PAGE_PRESENT | _PAGE_READ | _PAGE_ACCESSED |
	       (write ? _PAGE_WRITE | _PAGE_DIRTY : 0);
}
static inline uint64_t mk_leaf(uint64_t pa, uint64_t prot)
{
	return ((pa >> PAGE_SHIFT) << _PAGE_PFN_SHIFT) | prot;
}
static inline uint64_t mk_table(uint64_t pa)
{
	return ((pa >> PAGE_SHIFT) << _PAGE_PFN_SHIFT) | _PAGE_TABLE;
}

/* pte_wrprotect clears W; pte_mkwrite(pte_mkdirty()) sets W and D (never writable-clean). */
static inline uint64_t pte_modify_rw(uint64_t v, bool write)
{
	return write ? v | _PAGE_WRITE | _PAGE_DIRTY : v & ~_PAGE_WRITE;
}

#endif
