/* SPDX-License-Identifier: MIT */
/*
 * What a format header (src/fmt/<format>.h) provides. The walker and operations are
 * compiled against exactly this, once per format (src/ops/instantiate.h); nothing outside
 * src/fmt knows anything about a particular architecture or level.
 *
 * Constants:
 *   FMT_NAME, FMT_DESCRIPTION   the run-time name and one-line description
 *   FMT_LEVELS                  number of levels; level 0 maps the smallest pages
 *   FMT_VA_BITS, FMT_PA_BITS    VA bits translated, output-address limit (bits)
 *   FMT_HALF_BITS               each half spans 2^FMT_HALF_BITS bytes of VA
 *   FMT_UPPER_BASE              first VA of the upper half (lower half starts at 0)
 *   FMT_TWO_ROOTS               1: the upper half has its own root (arm64 TTBR1, ppc64 q3)
 *   FMT_PKEY_BITS               width of the protection key (0: none)
 *   FMT_BIG_ENDIAN              entries are stored big-endian
 *   FMT_ELF_MACHINE             the architecture's ELF e_machine (ELF core dumps say it)
 *   FMT_BBM                     1: replacing a valid leaf by a table (split) or a table by
 *                               a leaf (collapse), or changing the contiguous mark, needs
 *                               break-before-make (optional, 0); struct pt_format's bbm
 *   FMT_BBM_ATTR_MASK           optional (0): bits of a valid leaf whose change makes a
 *                               live rewrite need break-before-make (invalid, TLB flush,
 *                               then the new entry) instead of one store
 *   FMT_BBM_CLEAR_MASK          optional (0): bits whose clearing needs it (arm64 nG)
 *   FMT_BBM_GROUP_MASK          optional (0): bits of a contiguous / NAPOT group member
 *                               whose change needs it (the members must stay identical)
 *   FMT_SPLIT_FLUSH             optional (0): 1: a leaf may be replaced in place by a table
 *                               of leaves with the same attributes, but a TLB flush must
 *                               come before any of them changes its attributes (x86)
 *   FMT_PAGE_SIZES              bitmap of leaf sizes, contiguous group sizes included
 *   FMT_SHIFT_C(l), FMT_BITS_C(l), FMT_LEAF_OK_C(l), FMT_CONTIG_C(l)
 *                               constant expressions per level: log2 of an entry's VA span,
 *                               log2 of the entries in a table, whether leaves are allowed,
 *                               entries in a contiguous group (1: none)
 *   FMT_LEVEL_NAMES             {"pte", ...} from level 0 up
 *   FMT_VALID_MASK              an entry with none of these bits set is EMPTY at every level
 *   FMT_LEAF_OA_MASK_C(l), FMT_LEAF_OA_SHL
 *                               the bits of a level-l leaf that hold its output address in
 *                               place: pa = (e & mask) << SHL, and for a prot without
 *                               PT_CONTIG fmt_make_leaf(pa, l, prot, pkey) ==
 *                               fmt_make_leaf(0, l, prot, pkey) | ((pa >> SHL) & mask).
 *                               fmt_kind, fmt_leaf_prot and fmt_leaf_pkey never look at these
 *                               bits (reserved low bits of a huge leaf are not in the mask)
 *                               except FMT_LEAF_GROUP_FIXED(e, l) in a group member, so two
 *                               plain leaves that differ only there have the same kind and
 *                               attributes. 0 when the OA is not held in place at level l
 *                               (the fast paths that rely on it are then not used).
 *   FMT_LEAF_OA_LO_C(l), FMT_LEAF_OA_HI, FMT_LEAF_OA_HI_SHL
 *                               the OA of a plain level-l leaf as at most two fields of the
 *                               host-order entry e: fmt_leaf_pa(e, l) ==
 *                               (e & LO_C(l)) << FMT_LEAF_OA_SHL | (e & HI) << HI_SHL (arm64
 *                               LPA2: OA[51:50] in bits 9:8, HI_SHL 42). The same rule as for
 *                               FMT_LEAF_OA_MASK_C holds for the bits of LO_C(l) | HI: kind,
 *                               attributes and pkey never depend on them (but for
 *                               FMT_LEAF_GROUP_FIXED), so the iteration window compares the
 *                               rest (as stored: byte-swapped masks for a foreign-endian
 *                               format) and decodes a stepped leaf with this formula.
 *                               FMT_LEAF_OA_MASK_C(l) is LO_C(l) when HI is 0 and the OA is
 *                               in place. LO_C(l) 0: no such form at level l (no window).
 *   FMT_LEAF_GROUP_FIXED(e, l)  optional (0): for a level-l group member e, the bits inside
 *                               FMT_LEAF_OA_MASK_C(l) that its group encoding fixes, the same
 *                               in every member, and that fmt_kind decodes (riscv Svnapot: the
 *                               NAPOT size in ppn[3:0]); 0 for a leaf of no group. A leaf that
 *                               differs from e only in the OA mask less these bits has e's
 *                               kind. A cheap expression of e's bits: no decode.
 * Inline functions (e: the entry as a host integer, level: 0 = smallest pages):
 *   fmt_load(p), fmt_store(p, e)          whole-entry access in the format's byte order
 *   fmt_va_valid(va), fmt_va_half(va)     canonical check; 0 lower / 1 upper half
 *   fmt_kind(e, level, &why)              EMPTY / TABLE / LEAF / BAD (why: reserved rule)
 *   fmt_table_pa(e, level), fmt_leaf_pa(e, level)
 *   fmt_make_table(pa, level)             table entry pointing at a table of level-1
 *   fmt_make_leaf(pa, level, prot, pkey)  leaf; prot may carry PT_CONTIG (group member;
 *                                         pa is the entry's own page)
 *   fmt_prot_check(prot)                  0, or -PT_EINVAL when prot cannot be encoded
 *   fmt_leaf_prot(e, level)               PT_* bits of a leaf, PT_CONTIG for group members
 *   fmt_leaf_pkey(e)
 *   fmt_table_allow(e, level)             PT_* bits a table entry lets through (~0: all);
 *                                         it only ever takes PT_R, PT_W, PT_X, PT_USER away
 *   fmt_table_rights(e, level)            the same restrictions as raw bits, OR-combined over
 *                                         the tables above a leaf (a cheap expression of e;
 *                                         0 where tables carry no rights)
 *   fmt_leaf_prot_in(e, level, rights)    fmt_leaf_prot(e, level) of a leaf below tables whose
 *                                         fmt_table_rights OR to `rights`: equal to
 *                                         fmt_leaf_prot(e, level) & fmt_table_allow(t, lt) of
 *                                         every such table entry t (rights 0: fmt_leaf_prot)
 *                                         (a format whose tables carry no permissions
 *                                         includes fmt/no_table_rights.h for these three)
 *   fmt_split_leaf(e, level, i)           entry i of the table that replaces leaf e, same
 *                                         attributes, never a group member
 *   fmt_root_of_reg(reg, &root, &why)     the root table in a root register's value
 *   fmt_roots_of_table_reg(reg, lpid, pid, read, ctx, &out, &why)
 *                                         both roots through tables of roots in memory (ppc64
 *                                         PTCR); formats without them include
 *                                         fmt/no_table_reg.h
 *   fmt_roots_of_cpu(reg, ctx, read, rctx, &out, &why)
 *                                         whether a CPU's registers select this format, and
 *                                         its roots (fmt/cpu_regs.h has the helpers)
 */
#ifndef PTKIT_FMT_COMMON_H
#define PTKIT_FMT_COMMON_H

#include <ptkit/types.h>

/*
 * Bit `from` of x moved to bit `to` (both one-bit masks, constants), every other bit
 * cleared: one shift and one AND, so a decode built of these has no branch.
 */
#define PT_BIT_MOVE(x, from, to)                                                                   \
	((from) >= (to) ? ((uint64_t)(x) / ((from) >= (to) ? (from) / (to) : 1)) & (to)            \
			: ((uint64_t)(x) * ((to) / (from))) & (to))

/* M(i), M(i + 1), ... as an initializer list: a decode table the compiler fills. */
#define PT_LUT_4(M, i) M(i), M((i) + 1), M((i) + 2), M((i) + 3)
#define PT_LUT_16(M, i)                                                                            \
	PT_LUT_4(M, i), PT_LUT_4(M, (i) + 4), PT_LUT_4(M, (i) + 8), PT_LUT_4(M, (i) + 12)
#define PT_LUT_64(M, i)                                                                            \
	PT_LUT_16(M, i), PT_LUT_16(M, (i) + 16), PT_LUT_16(M, (i) + 32), PT_LUT_16(M, (i) + 48)
#define PT_LUT_256(M, i)                                                                           \
	PT_LUT_64(M, i), PT_LUT_64(M, (i) + 64), PT_LUT_64(M, (i) + 128), PT_LUT_64(M, (i) + 192)
#define PT_LUT_512(M, i) PT_LUT_256(M, i), PT_LUT_256(M, (i) + 256)
#define PT_LUT_1024(M, i) PT_LUT_512(M, i), PT_LUT_512(M, (i) + 512)

/*
 * One single-copy-atomic access per entry, so lockless readers never see a torn entry.
 * Loads acquire and stores release: a reader that sees a new table entry also sees the
 * table's contents written before it was linked (free on x86; ldar on arm64).
 */
static inline uint64_t pt_load_raw64(const uint8_t *p)
{
	return __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_ACQUIRE);
}
static inline void pt_store_raw64(uint8_t *p, uint64_t v)
{
	__atomic_store_n((uint64_t *)(void *)p, v, __ATOMIC_RELEASE);
}

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
static inline uint64_t pt_load_le64(const uint8_t *p)
{
	return pt_load_raw64(p);
}
static inline void pt_store_le64(uint8_t *p, uint64_t v)
{
	pt_store_raw64(p, v);
}
static inline uint64_t pt_load_be64(const uint8_t *p)
{
	return __builtin_bswap64(pt_load_raw64(p));
}
static inline void pt_store_be64(uint8_t *p, uint64_t v)
{
	pt_store_raw64(p, __builtin_bswap64(v));
}
#else
static inline uint64_t pt_load_be64(const uint8_t *p)
{
	return pt_load_raw64(p);
}
static inline void pt_store_be64(uint8_t *p, uint64_t v)
{
	pt_store_raw64(p, v);
}
static inline uint64_t pt_load_le64(const uint8_t *p)
{
	return __builtin_bswap64(pt_load_raw64(p));
}
static inline void pt_store_le64(uint8_t *p, uint64_t v)
{
	pt_store_raw64(p, __builtin_bswap64(v));
}
#endif

/*
 * Linux's VMCOREINFO note (kernel/crash_core.c writes "PAGESIZE=%ld"): a kernel whose page
 * size is not the format's smallest page (2^shift0 bytes) does not use the format.
 */
static inline bool fmt_linux_pagesize_ok(pt_info_fn info, const void *ctx, int shift0,
					 const char **why)
{
	uint64_t ps;

	if (info(ctx, "PAGESIZE", &ps) && ps != 1ull << shift0) {
		*why = "the kernel's PAGESIZE is not this format's page size";
		return false;
	}
	return true;
}

#endif
