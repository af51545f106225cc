/* SPDX-License-Identifier: MIT */
/*
 * ppc64 radix (Power ISA v3.0B Book III 5.7.10 "Radix Tree Translation") for the reference
 * walkers, in the style of Linux's arch/powerpc/include/asm/book3s/64 pgtable helpers. The
 * includer defines REF_PPC64_PAGE_SHIFT (16: 64K base pages, index bits 13/9/9/5 from the
 * root down; 12: 4K pages, 13/9/9/9) and REF_NAME. Four levels as Linux has them on
 * book3s64: pgd (p4d folded into it, as pgtable-nop4d.h), pud, pmd, pte; leaves at the pte
 * (base page), pmd (2M) and pud (1G) levels, never at the pgd (no 512G pages).
 *
 * Entries are big-endian doublewords (5.7.10.2), stored as Linux's __be64 pte_t. As Linux
 * does, every helper below takes the entry as stored: a flag test compares the raw word
 * with a constant byte-swapped at compile time (pte_raw(pte) & cpu_to_be64(_PAGE_PRESENT)),
 * and only the address fields and new entries pay be64_to_cpu / cpu_to_be64 (a byte swap on
 * this little-endian host; ptkit swaps every entry it loads or stores).
 *
 * Fields (ISA bit b = host bit 63 - b; the same facts as src/fmt/ppc64_radix.h and
 * docs/formats/ppc64.md):
 *   both    V = ISA 0 (valid; V = 0 is invalid whatever the rest holds), L = ISA 1 (leaf)
 *   PDE     NLB = ISA 4:55 (next table's real address, aligned to its size),
 *           NLS = ISA 59:63 (log2 of the next table's entries)
 *   PTE     RPN = ISA 8:51 (real address bits 55:12; a 2M / 1G / 64K leaf has the bits
 *           below its size clear), R = ISA 55, C = ISA 56, EAA = ISA 60:63
 *           (privileged, read, read/write, execute)
 *
 * What ptkit writes (src/fmt/ppc64_radix.h fmt_make_leaf / fmt_make_table) for the bench's
 * requests (PT_R [| PT_W]: kernel, not executable, normal memory):
 *   table:  V | NLB | NLS (the index bits of the table it points at)
 *   leaf:   V | L | RPN | R | privileged | read | (writable: read/write | C)
 * Linux's PAGE_KERNEL has the same R (_PAGE_ACCESSED) and C (_PAGE_DIRTY) preset. What
 * pt_protect does with write: the read/write bit flips; C is kept (dirty state).
 */
#ifndef PTKIT_BENCH_PPC64_PGTABLE_H
#define PTKIT_BENCH_PPC64_PGTABLE_H

#include "ref_pgtable.h"

#if !defined(REF_PPC64_PAGE_SHIFT) || !defined(REF_NAME) ||                                        \
	(REF_PPC64_PAGE_SHIFT != 12 && REF_PPC64_PAGE_SHIFT != 16)
#error "define REF_PPC64_PAGE_SHIFT (12 or 16) and REF_NAME"
#endif

/* be64_to_cpu / cpu_to_be64 (their own inverse); on constants they fold at compile time. */
static inline uint64_t be64_to_cpu(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}
#define cpu_to_be64(v) be64_to_cpu(v)

#define _PAGE_PRESENT (1ull << 63)	   /* ISA 0: V */
#define _PAGE_PTE (1ull << 62)		   /* ISA 1: L, a leaf */
#define _PAGE_ACCESSED (1ull << 8)	   /* ISA 55: R */
#define _PAGE_DIRTY (1ull << 7)		   /* ISA 56: C */
#define _PAGE_PRIVILEGED (1ull << 3)	   /* ISA 60 */
#define _PAGE_READ (1ull << 2)		   /* ISA 61 */
#define _PAGE_WRITE (1ull << 1)		   /* ISA 62: read/write */
#define _PAGE_EXEC (1ull << 0)		   /* ISA 63 */
#define PTE_RPN_MASK 0x00fffffffffff000ull /* ISA 8:51: RA bits 55:12 */
#define PDE_NLB_MASK 0x0fffffffffffff00ull /* ISA 4:55 */
#define PAGE_SHIFT REF_PPC64_PAGE_SHIFT
#define RADIX_PTE_INDEX_SIZE (21 - PAGE_SHIFT) /* 5 (64K) or 9 (4K): a pmd entry maps 2M */
#define RADIX_PMD_INDEX_SIZE 9
#define RADIX_PUD_INDEX_SIZE 9
#define RADIX_PGD_INDEX_SIZE 13

#define PMD_SHIFT (PAGE_SHIFT + RADIX_PTE_INDEX_SIZE)  /* 21 */
#define PUD_SHIFT (PMD_SHIFT + RADIX_PMD_INDEX_SIZE)   /* 30 */
#define PGDIR_SHIFT (PUD_SHIFT + RADIX_PUD_INDEX_SIZE) /* 39 */
#define P4D_SHIFT PGDIR_SHIFT
#define REF_P4D_FOLDED 1
#define PTRS_PER_PTE (1 << RADIX_PTE_INDEX_SIZE)
#define PTRS_PER_PMD (1 << RADIX_PMD_INDEX_SIZE)
#define PTRS_PER_PUD (1 << RADIX_PUD_INDEX_SIZE)
#define PTRS_PER_PGD (1 << RADIX_PGD_INDEX_SIZE)

/* Empty: V = 0 (5.7.10.2); tested on the stored word. */
static inline bool pte_none(uint64_t raw)
{
	return !(raw & cpu_to_be64(_PAGE_PRESENT));
}
static inline bool pmd_none(uint64_t raw)
{
	return !(raw & cpu_to_be64(_PAGE_PRESENT));
}
static inline bool pud_none(uint64_t raw)
{
	return !(raw & cpu_to_be64(_PAGE_PRESENT));
}
static inline bool p4d_none(uint64_t raw)
{
	return !(raw & cpu_to_be64(_PAGE_PRESENT));
}

/* pmd_leaf / pud_leaf: L = 1 (Linux: pmd_raw(pmd) & cpu_to_be64(_PAGE_PTE)). */
static inline bool pud_leaf(uint64_t raw)
{
	return raw & cpu_to_be64(_PAGE_PTE);
}
static inline bool pmd_leaf(uint64_t raw)
{
	return raw & cpu_to_be64(_PAGE_PTE);
}

/* Next-level table of a directory entry: NLB (pXd_page_vaddr). */
static inline uint64_t p4d_table_pa(uint64_t raw)
{
	return be64_to_cpu(raw) & PDE_NLB_MASK;
}
static inline uint64_t pud_table_pa(uint64_t raw)
{
	return be64_to_cpu(raw) & PDE_NLB_MASK;
}
static inline uint64_t pmd_table_pa(uint64_t raw)
{
	return be64_to_cpu(raw) & PDE_NLB_MASK;
}

/* Real address of a leaf: RPN above the page offset (pte_pfn << PAGE_SHIFT). */
static inline uint64_t pte_pa(uint64_t raw)
{
	return be64_to_cpu(raw) & PTE_RPN_MASK & ~((1ull << PAGE_SHIFT) - 1);
}
static inline uint64_t pmd_leaf_pa(uint64_t raw)
{
	return be64_to_cpu(raw) & PTE_RPN_MASK & ~((1ull << PMD_SHIFT) - 1);
}
static inline uint64_t pud_leaf_pa(uint64_t raw)
{
	return be64_to_cpu(raw) & PTE_RPN_MASK & ~((1ull << PUD_SHIFT) - 1);
}

/* PAGE_KERNEL(_RO) without execute, in host order; the same at every level (L = 1). */
static inline uint64_t leaf_prot(bool write, bool huge)
{
	(void)huge;
	return _PAGE_PRESENT | _PAGE_PTE | _PAGE_ACCESSED | _PAGE_PRIVILEGED | _PAGE_READ |
	       (write ? _PAGE_WRITE | _PAGE_DIRTY : 0);
}
/* pfn_pte: the stored entry (__pte converts with cpu_to_be64). */
static inline uint64_t mk_leaf(uint64_t pa, uint64_t prot)
{
	return cpu_to_be64(pa | prot);
}

/*
 * pXd_populate: a directory entry carries the next table's size (NLS = its index bits), so
 * each level links its own (Linux's P4D_VAL_BITS .. PMD_VAL_BITS). No mk_pgd_table: the
 * p4d is folded, the root entry is the p4d entry.
 */
#define REF_HAVE_LEVEL_MK_TABLE 1
static inline uint64_t mk_p4d_table(uint64_t pa) /* root entry -> pud table */
{
	return cpu_to_be64(_PAGE_PRESENT | pa | RADIX_PUD_INDEX_SIZE);
}
static inline uint64_t mk_pud_table(uint64_t pa) /* -> pmd table */
{
	return cpu_to_be64(_PAGE_PRESENT | pa | RADIX_PMD_INDEX_SIZE);
}
static inline uint64_t mk_pmd_table(uint64_t pa) /* -> pte table */
{
	return cpu_to_be64(_PAGE_PRESENT | pa | RADIX_PTE_INDEX_SIZE);
}

/*
 * pte_mkwrite / pte_wrprotect on the stored word, the same at every level: only the
 * read/write bit; C stays (the leaves the bench makes are created writable, so dirty).
 */
static inline uint64_t pte_modify_rw(uint64_t raw, bool write)
{
	return write ? raw | cpu_to_be64(_PAGE_WRITE) : raw & ~cpu_to_be64(_PAGE_WRITE);
}

#endif
