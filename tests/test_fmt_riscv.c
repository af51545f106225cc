// SPDX-License-Identifier: MIT
/*
 * Golden vectors for src/fmt/riscv.h, formats "riscv-sv39", "riscv-sv48", "riscv-sv57".
 * Every expected bit comes from The RISC-V Instruction Set Manual, Volume II: Privileged
 * Architecture, "Supervisor-Level ISA":
 *   4.3.1 PTE fields V R W X U G A D RSW, the R/W/X encoding table (W without R reserved);
 *   4.3.2 the translation algorithm: step 3 (V=0, W without R, reserved bits: page fault),
 *         step 4 (R=W=X=0 points to the next level; at i=0 a page fault), step 6
 *         (misaligned superpage), step 7 (A/D);
 *   4.4.1 Sv39 PTE (PPN bits 53:10, reserved bits 60:54), 4.5.1 Sv48, 4.6.1 Sv57;
 *   "Svnapot" N (bit 63): level-0 leaf with ppn[3:0] = 1000 = 64 KiB, else reserved;
 *   "Svpbmt" PBMT (bits 62:61): 0 PMA, 1 NC, 2 IO, 3 reserved; reserved in non-leaves.
 * ptkit choices checked here too: A=1 in every leaf it creates and D=1 in writable ones
 * (no Svadu), RSW bit 8 = PT_SPECIAL, U/A/D/PBMT/N in a non-leaf are reported BAD.
 * The vectors are tables; the code below only runs them, in both directions.
 */
#include <stdlib.h>
#include <string.h>

#include "golden.h"
#include "ptkit/mem.h"
#include "ptkit/ops.h"
#include "ptkit/walk.h"

/* fmt_make_leaf with PT_CONTIG (NAPOT) is not reachable through encode_leaf: test it here. */
#include "fmt/riscv_sv39.h"

#define S39 1u /* row applies to riscv-sv39 */
#define S48 2u /* riscv-sv48 */
#define S57 4u /* riscv-sv57 */
#define SUP48 (S48 | S57)
#define SALL (S39 | S48 | S57)

#define K4 0x1000ull
#define K64 0x10000ull
#define M2 0x200000ull
#define G1 0x40000000ull
#define G512 0x8000000000ull
#define T256 0x1000000000000ull
#define PA_LIMIT (1ull << 56) /* PPN is 44 bits */

/* Decoded state bits: A is always set, D too when writable. */
#define Y PT_YOUNG
#define YD (PT_YOUNG | PT_DIRTY)

/* Leaves that encode_leaf must produce, and that decode must read back (both directions). */
struct leaf_vec {
	unsigned fmts;
	int level;
	uint64_t pa;
	uint32_t prot;
	uint64_t raw;
	uint32_t decoded; /* prot as decode reports it */
	const char *spec;
};

static const struct leaf_vec leaf_vecs[] = {
	/* 4K leaf at level 0; PPN of pa 0x1000 is 1 -> bits 0x400. */
	{ SALL, 0, K4, PT_R, 0x443, PT_R | Y, "4.3.1 V (bit 0), R (bit 1); ptkit sets A (bit 6)" },
	{ SALL, 0, K4, PT_R | PT_W, 0x4c7, PT_R | PT_W | YD,
	  "4.3.1 W (bit 2); ptkit sets D (bit 7)" },
	{ SALL, 0, K4, PT_X, 0x449, PT_X | Y, "4.3.1 X (bit 3) alone: execute-only page" },
	{ SALL, 0, K4, PT_R | PT_X, 0x44b, PT_R | PT_X | Y, "4.3.1 R|X: read-execute" },
	{ SALL, 0, K4, PT_R | PT_W | PT_X, 0x4cf, PT_R | PT_W | PT_X | YD, "4.3.1 R|W|X" },
	{ SALL, 0, K4, PT_R | PT_USER, 0x453, PT_R | PT_USER | Y, "4.3.1 U (bit 4)" },
	{ SALL, 0, K4, PT_X | PT_USER, 0x459, PT_X | PT_USER | Y, "4.3.1 user execute-only" },
	{ SALL, 0, K4, PT_R | PT_GLOBAL, 0x463, PT_R | PT_GLOBAL | Y, "4.3.1 G (bit 5)" },
	{ SALL, 0, K4, PT_R | PT_YOUNG, 0x443, PT_R | Y, "4.3.1 A (bit 6)" },
	{ SALL, 0, K4, PT_R | PT_DIRTY, 0x4c3, PT_R | YD, "4.3.1 D (bit 7) without W" },
	{ SALL, 0, K4, PT_R | PT_SPECIAL, 0x543, PT_R | PT_SPECIAL | Y,
	  "4.3.1 RSW bit 8, ignored by hardware: ptkit SPECIAL" },
	{ SALL, 0, K4, PT_R | PT_NOCACHE, 0x2000000000000443, PT_R | PT_NOCACHE | Y,
	  "Svpbmt PBMT (bits 62:61) = 1 NC" },
	{ SALL, 0, K4, PT_R | PT_DEVICE, 0x4000000000000443, PT_R | PT_DEVICE | Y,
	  "Svpbmt PBMT (bits 62:61) = 2 IO" },
	{ SALL, 0, K4, 0, 0x460, Y,
	  "PROT_NONE: V=0 (4.3.1: the other bits are don't-cares), G marks it, A kept" },
	{ SALL, 0, K4, PT_USER | PT_DIRTY, 0x4f0, PT_USER | YD, "PROT_NONE keeps U and D" },
	{ SALL, 2, G1, PT_DEVICE, 0x4000000010000060, PT_DEVICE | Y,
	  "PROT_NONE 1G leaf keeps PBMT = IO" },
	{ SALL, 0, 0, PT_R | PT_W, 0x00000000000000c7, PT_R | PT_W | YD, "4.4.1 PA 0" },
	{ SALL, 0, 0x123456789a000, PT_R, 0x000048d159e26843, PT_R | Y, "4.4.1 PPN bits 53:10" },
	{ SALL, 0, PA_LIMIT - K4, PT_R | PT_W | PT_X, 0x003ffffffffffccf, PT_R | PT_W | PT_X | YD,
	  "4.4.1 max PA 2^56-4K: PPN bits 53:10 all set" },
	{ SALL, 0, PA_LIMIT - K4,
	  PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL | PT_DEVICE | PT_YOUNG | PT_DIRTY | PT_SPECIAL,
	  0x403ffffffffffdff,
	  PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL | PT_DEVICE | PT_YOUNG | PT_DIRTY | PT_SPECIAL,
	  "4.4.1 + Svpbmt: every attribute, bit 9 and bits 60:54 stay clear" },
	{ SALL, 0, PA_LIMIT - K4, PT_R | PT_USER | PT_NOCACHE, 0x203ffffffffffc53,
	  PT_R | PT_USER | PT_NOCACHE | Y, "Svpbmt NC, user, max PA" },

	/* 2M superpage at level 1 (4.3.2 step 5: a leaf at i=1). */
	{ SALL, 1, M2, PT_R, 0x0000000000080043, PT_R | Y, "4.4.1 2M leaf, PPN[0] = 0" },
	{ SALL, 1, M2, PT_R | PT_W, 0x00000000000800c7, PT_R | PT_W | YD, "4.4.1 2M R|W" },
	{ SALL, 1, M2, PT_X, 0x0000000000080049, PT_X | Y, "4.4.1 2M execute-only" },
	{ SALL, 1, M2, PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL, 0x00000000000800ff,
	  PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL | YD, "4.4.1 2M V|R|W|X|U|G|A|D" },
	{ SALL, 1, M2, PT_R | PT_DEVICE, 0x4000000000080043, PT_R | PT_DEVICE | Y,
	  "Svpbmt IO, 2M" },
	{ SALL, 1, M2, PT_R | PT_SPECIAL, 0x0000000000080143, PT_R | PT_SPECIAL | Y,
	  "RSW bit 8, 2M" },
	{ SALL, 1, 0, PT_R, 0x0000000000000043, PT_R | Y, "4.4.1 2M at PA 0" },
	{ SALL, 1, PA_LIMIT - M2, PT_R | PT_W, 0x003ffffffff800c7, PT_R | PT_W | YD,
	  "4.4.1 max 2M PA: PPN bits 53:19" },

	/* 1G superpage at level 2: the root of Sv39. */
	{ SALL, 2, G1, PT_R, 0x0000000010000043, PT_R | Y, "4.4.1 1G leaf, PPN[1:0] = 0" },
	{ SALL, 2, G1, PT_R | PT_W | PT_X, 0x00000000100000cf, PT_R | PT_W | PT_X | YD,
	  "1G R|W|X" },
	{ SALL, 2, G1, PT_R | PT_GLOBAL | PT_NOCACHE, 0x2000000010000063,
	  PT_R | PT_GLOBAL | PT_NOCACHE | Y, "Svpbmt NC, global 1G" },
	{ SALL, 2, PA_LIMIT - G1, PT_R, 0x003ffffff0000043, PT_R | Y,
	  "4.4.1 max 1G PA: bits 53:28" },

	/* 512G superpage at level 3: the root of Sv48. */
	{ SUP48, 3, G512, PT_R | PT_W, 0x00000020000000c7, PT_R | PT_W | YD, "4.5.1 512G leaf" },
	{ SUP48, 3, G512, PT_X | PT_USER, 0x0000002000000059, PT_X | PT_USER | Y,
	  "4.5.1 512G user execute-only" },
	{ SUP48, 3, PA_LIMIT - G512,
	  PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL | PT_DEVICE | PT_SPECIAL, 0x403fffe0000001ff,
	  PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL | PT_DEVICE | PT_SPECIAL | YD,
	  "4.5.1 max 512G PA (bits 53:37), every attribute" },

	/* 256T superpage at level 4: the root of Sv57. */
	{ S57, 4, T256, PT_R | PT_W, 0x00004000000000c7, PT_R | PT_W | YD, "4.6.1 256T leaf" },
	{ S57, 4, T256, PT_R | PT_X | PT_GLOBAL, 0x000040000000006b, PT_R | PT_X | PT_GLOBAL | Y,
	  "4.6.1 256T global R|X" },
	{ S57, 4, PA_LIMIT - T256, PT_R, 0x003fc00000000043, PT_R | Y,
	  "4.6.1 max 256T PA (bits 53:46)" },
};

/* Leaves only decode can produce: A/D clear, ignored RSW bit 9, NAPOT members. */
struct decode_leaf_vec {
	int level;
	uint64_t raw;
	uint64_t pa;
	uint32_t prot;
	uint32_t contig;
	const char *spec;
};

static const struct decode_leaf_vec decode_leaf_vecs[] = {
	{ 0, 0x0000000000000403, K4, PT_R, 1, "4.3.1 A clear: not accessed since A was cleared" },
	{ 0, 0x0000000000000487, K4, PT_R | PT_W | PT_DIRTY, 1, "4.3.1 D set, A clear" },
	{ 0, 0x0000000000000407, K4, PT_R | PT_W, 1, "4.3.1 writable, A and D clear" },
	{ 0, 0x0000000000000643, K4, PT_R | Y, 1, "4.3.1 RSW bit 9 ignored" },
	{ 0, 0x00000000000003c7, 0, PT_R | PT_W | YD | PT_SPECIAL, 1,
	  "RSW bits 9:8: bit 8 SPECIAL" },
	{ 1, 0x0000000000080003, M2, PT_R, 1, "4.3.1 2M leaf with A clear" },
	{ 2, 0x0000000010000009, G1, PT_X, 1, "4.3.1 1G execute-only, A clear" },
	/* Svnapot: N=1, level 0, ppn[3:0] = 1000; decode reports the 64K group base. */
	{ 0, 0x8000000000006043, K64, PT_R | Y | PT_CONTIG, 16,
	  "Svnapot 64K, ppn 0x18 -> base 0x10000" },
	{ 0, 0x80000000000060c7, K64, PT_R | PT_W | YD | PT_CONTIG, 16, "Svnapot 64K R|W" },
	{ 0, 0xc000000000006043, K64, PT_R | Y | PT_DEVICE | PT_CONTIG, 16, "Svnapot + Svpbmt IO" },
	{ 0, 0xa000000000006043, K64, PT_R | Y | PT_NOCACHE | PT_CONTIG, 16,
	  "Svnapot + Svpbmt NC" },
	{ 0, 0x803fffffffffe0cf, PA_LIMIT - K64, PT_R | PT_W | PT_X | YD | PT_CONTIG, 16,
	  "Svnapot 64K at the top of PA space" },
	{ 0, 0x8000000000002009, 0, PT_X | PT_CONTIG, 16, "Svnapot at PA 0, ppn 0x8, A clear" },
};

/*
 * Svnapot encoding (fmt_make_leaf with PT_CONTIG at level 0): pa is the entry's own page;
 * every member of a group gets ppn = (pa >> 12 & ~0xf) | 0x8 and N = 1.
 */
struct napot_vec {
	uint64_t pa;
	uint32_t prot;
	uint64_t raw;
	const char *spec;
};

static const struct napot_vec napot_vecs[] = {
	{ 0x10000, PT_R, 0x8000000000006043, "Svnapot first page of the group" },
	{ 0x15000, PT_R, 0x8000000000006043, "Svnapot sixth page: same encoding" },
	{ 0x1f000, PT_R, 0x8000000000006043, "Svnapot last page: same encoding" },
	{ 0x15000, PT_R | PT_W, 0x80000000000060c7, "Svnapot R|W (D set)" },
	{ 0x30000, PT_R | PT_GLOBAL | PT_DEVICE, 0xc00000000000e063, "Svnapot + Svpbmt IO + G" },
	{ 0x0, PT_X, 0x8000000000002049, "Svnapot at PA 0: ppn 0x8" },
	{ PA_LIMIT - K4, PT_R | PT_W | PT_X, 0x803fffffffffe0cf, "Svnapot top of PA space" },
};

/* Non-leaf PTEs (V=1, R=W=X=0) at levels 1..top. */
struct table_vec {
	uint64_t raw;
	uint64_t pa;
	const char *spec;
};

static const struct table_vec table_vecs[] = {
	{ 0x0000000000000001, 0, "4.3.1 pointer to a table at PA 0" },
	{ 0x0000000000000401, K4, "4.3.1 V only: pointer" },
	{ 0x000048d159e26801, 0x123456789a000, "4.4.1 PPN bits 53:10" },
	{ 0x003ffffffffffc01, PA_LIMIT - K4, "4.4.1 max PA" },
	{ 0x0000000000000421, K4, "4.3.1 G (bit 5) in a non-leaf: global subtree" },
	{ 0x0000000000000701, K4, "4.3.1 RSW (bits 9:8) ignored in a non-leaf" },
};

/* Not-valid entries: V=0 makes every other bit ignored (4.3.2 step 3); G=0: no PROT_NONE. */
static const uint64_t empty_raws[] = {
	0x0000000000000000, 0xffffffffffffffde, 0x0000000000000446,
	0x8000000000000000, 0x7fffffffffffffde, 0x1fc0000000000442,
};

/* Reserved encodings: decode must say BAD, with a reason. */
struct bad_vec {
	unsigned fmts;
	int level;
	uint64_t raw;
	const char *spec;
};

static const struct bad_vec bad_vecs[] = {
	/* R/W/X encodings (4.3.1 table): W=1 with R=0 is reserved. */
	{ SALL, 0, 0x0000000000000445, "4.3.1 W without R" },
	{ SALL, 0, 0x000000000000044d, "4.3.1 W|X without R" },
	{ SALL, 1, 0x0000000000080045, "4.3.1 W without R, 2M" },
	{ SALL, 2, 0x000000001000004d, "4.3.1 W|X without R, 1G" },
	{ SUP48, 3, 0x0000002000000005, "4.3.1 W without R, 512G" },
	/* Reserved bits 60:54 (4.4.1): page fault when set, leaf or not. */
	{ SALL, 0, 0x0040000000000443, "4.4.1 reserved bit 54" },
	{ SALL, 0, 0x1000000000000443, "4.4.1 reserved bit 60" },
	{ SALL, 0, 0x1fc0000000000443, "4.4.1 reserved bits 60:54" },
	{ SALL, 2, 0x0200000010000043, "4.4.1 reserved bit 57 in a 1G leaf" },
	{ SALL, 1, 0x0040000000000401, "4.4.1 reserved bit 54 in a non-leaf" },
	/* Svpbmt: PBMT = 3 is reserved; PBMT in a non-leaf is reserved. */
	{ SALL, 0, 0x6000000000000443, "Svpbmt PBMT=3" },
	{ SALL, 1, 0x6000000000080043, "Svpbmt PBMT=3, 2M" },
	{ SALL, 1, 0x2000000000000401, "Svpbmt PBMT=1 (NC) in a non-leaf" },
	{ SALL, 2, 0x4000000000000401, "Svpbmt PBMT=2 (IO) in a non-leaf" },
	/* Svnapot: N only on a level-0 leaf with ppn[3:0] = 1000. */
	{ SALL, 1, 0x8000000000080043, "Svnapot N on a 2M leaf" },
	{ SALL, 1, 0x8000000000082043, "Svnapot N on a 2M leaf with ppn[3:0] = 1000" },
	{ SALL, 2, 0x8000000010000043, "Svnapot N on a 1G leaf" },
	{ SUP48, 3, 0x8000002000000043, "Svnapot N on a 512G leaf" },
	{ S57, 4, 0x8000400000000043, "Svnapot N on a 256T leaf" },
	{ SALL, 0, 0x8000000000004043, "Svnapot ppn[3:0] = 0000" },
	{ SALL, 0, 0x8000000000000443, "Svnapot ppn[3:0] = 0001" },
	{ SALL, 0, 0x8000000000005043, "Svnapot ppn[3:0] = 0100 (would be 32K)" },
	{ SALL, 0, 0x8000000000007043, "Svnapot ppn[3:0] = 1100 (would be 128K)" },
	{ SALL, 0, 0x8000000000007c43, "Svnapot ppn[3:0] = 1111" },
	{ SALL, 1, 0x8000000000000401, "Svnapot N in a non-leaf" },
	{ SALL, 0, 0x8000000000002001, "Svnapot N in a pointer at level 0" },
	/* 4.3.2 step 4: a pointer at level 0. */
	{ SALL, 0, 0x0000000000000001, "4.3.2 pointer (R=W=X=0) at level 0, PA 0" },
	{ SALL, 0, 0x0000000000000401, "4.3.2 pointer at level 0" },
	{ SALL, 0, 0x0000000000000421, "4.3.2 global pointer at level 0" },
	/* 4.3.1: U, A, D are reserved in non-leaf PTEs (ptkit: BAD). */
	{ SALL, 1, 0x0000000000000411, "4.3.1 U in a non-leaf" },
	{ SALL, 1, 0x0000000000000441, "4.3.1 A in a non-leaf" },
	{ SALL, 2, 0x0000000000000481, "4.3.1 D in a non-leaf" },
	{ SUP48, 3, 0x00000000000004f1, "4.3.1 U|A|D in a non-leaf" },
	{ S57, 4, 0x0000000000000441, "4.3.1 A in a non-leaf at the Sv57 root" },
	/* 4.3.2 step 6: superpage with PPN bits below its size set. */
	{ SALL, 1, 0x0000000000080443, "4.3.2 misaligned 2M: ppn[0] bit 0" },
	{ SALL, 1, 0x0000000000040043, "4.3.2 misaligned 2M: ppn[0] bit 8" },
	{ SALL, 2, 0x0000000010080043, "4.3.2 misaligned 1G: ppn[1] bit 0" },
	{ SALL, 2, 0x0000000010000443, "4.3.2 misaligned 1G: ppn[0] bit 0" },
	{ SUP48, 3, 0x0000003000000043, "4.3.2 misaligned 512G: ppn[2] bit 8" },
	{ S57, 4, 0x0000600000000043, "4.3.2 misaligned 256T: ppn[3] bit 8" },
	{ S57, 4, 0x0000400000000443, "4.3.2 misaligned 256T: ppn[0] bit 0" },
};

/* Requests encode_leaf must refuse with -PT_EINVAL. */
struct reject_vec {
	unsigned fmts;
	int level;
	uint64_t pa;
	uint32_t prot;
	const char *why;
};

static const struct reject_vec reject_vecs[] = {
	{ S39, 3, 0, PT_R, "level 3 does not exist in Sv39" },
	{ S48, 4, 0, PT_R, "level 4 does not exist in Sv48" },
	{ S57, 5, 0, PT_R, "level 5 does not exist in Sv57" },
	{ SALL, -1, 0, PT_R, "negative level" },
	{ SALL, 0, K4, PT_W, "W without R is reserved (4.3.1)" },
	{ SALL, 0, K4, PT_W | PT_X, "W|X without R is reserved (4.3.1)" },
	{ SALL, 1, M2, PT_W | PT_USER, "W without R, 2M" },
	{ SALL, 0, K4, PT_USER | PT_GLOBAL, "PROT_NONE cannot be global: G is its mark" },
	{ SALL, 2, G1, PT_GLOBAL, "PROT_NONE global, 1G" },
	{ SALL, 0, K4, PT_R | PT_DEVICE | PT_NOCACHE, "DEVICE and NOCACHE together" },
	{ SALL, 0, 0x1800, PT_R, "PA not 4K-aligned" },
	{ SALL, 1, K4, PT_R, "PA not 2M-aligned" },
	{ SALL, 2, M2, PT_R, "PA not 1G-aligned" },
	{ SUP48, 3, G1, PT_R, "PA not 512G-aligned" },
	{ S57, 4, G512, PT_R, "PA not 256T-aligned" },
	{ SALL, 0, PA_LIMIT, PT_R, "PA = 2^56" },
	{ SALL, 2, PA_LIMIT, PT_R, "1G PA = 2^56" },
	{ SALL, 0, 1ull << 63, PT_R, "PA bit 63" },
	{ SALL, 0, K4, PT_R | PT_CONTIG, "PT_CONTIG is reported, never requested" },
	{ SALL, 0, K4, PT_R | (1u << 20), "unknown prot bit" },
};

static unsigned fmt_bit(const struct pt_format *f)
{
	return f->levels == 5 ? S57 : f->levels == 4 ? S48 : S39;
}

/* Vectors run per format, for the report at the end. */
static unsigned long counts[3];

static void test_leaf_vecs(const struct pt_format *f, unsigned long *n)
{
	for (size_t i = 0; i < N(leaf_vecs); i++) {
		const struct leaf_vec *v = &leaf_vecs[i];
		struct pt_entry_info info;
		bool ok;

		if (!(v->fmts & fmt_bit(f)))
			continue;
		++*n;
		ok = golden_encode(f, v->level, v->pa, v->prot, v->raw);
		ok &= golden_decode_leaf(f, v->level, v->raw, v->pa, v->decoded, 0, 1, &info);
		/* Re-encoding what decode reports gives the same entry. */
		ok &= golden_encode(f, v->level, info.pa, info.prot, v->raw);
		if (!ok)
			golden_report(f, "leaf vector", v->spec);
	}
}

static void test_decode_leaf_vecs(const struct pt_format *f, unsigned long *n)
{
	for (size_t i = 0; i < N(decode_leaf_vecs); i++) {
		const struct decode_leaf_vec *v = &decode_leaf_vecs[i];

		++*n;
		if (!golden_decode_leaf(f, v->level, v->raw, v->pa, v->prot, 0, v->contig, NULL))
			golden_report(f, "decode-only leaf vector", v->spec);
	}
}

/* NAPOT encode through the header (identical in all three formats), decode through f. */
static void test_napot_vecs(const struct pt_format *f, unsigned long *n)
{
	for (size_t i = 0; i < N(napot_vecs); i++) {
		const struct napot_vec *v = &napot_vecs[i];
		struct pt_entry_info info;
		uint64_t e = fmt_make_leaf(v->pa, 0, v->prot | PT_CONTIG, 0);
		bool ok = true;

		++*n;
		ok &= CHECK_EQ(e, v->raw);
		pt_format_decode(f, v->raw, 0, &info);
		ok &= CHECK_EQ(info.kind, PT_ENTRY_LEAF);
		ok &= CHECK_EQ(info.pa, v->pa & ~(K64 - 1));
		ok &= CHECK(info.prot & PT_CONTIG);
		ok &= CHECK_EQ(info.contig, 16);
		/* Splitting never happens at level 0, but a 2M split never yields NAPOT members. */
		ok &= CHECK(!(fmt_split_leaf(0x00000000000800c7, 1, (unsigned)i) & RV_N));
		if (!ok)
			golden_report(f, "NAPOT vector", v->spec);
	}
}

static void test_table_vecs(const struct pt_format *f, unsigned long *n)
{
	/* No hierarchical permissions: a table allows everything (~0). */
	for (int l = 1; l < f->levels; l++) {
		for (size_t i = 0; i < N(table_vecs); i++) {
			const struct table_vec *v = &table_vecs[i];

			++*n;
			if (!golden_table(f, l, v->raw, v->pa, ~0u, ~0u))
				golden_report(f, "table vector", v->spec);
		}
		/* encode_table: V and the PPN, nothing else (4.3.1). */
		uint64_t pas[] = { 0, K4, 0x123456789a000, PA_LIMIT - K4 };
		for (size_t i = 0; i < N(pas); i++, ++*n)
			golden_encode_table(f, l, pas[i], ~0ull, (pas[i] >> 2) | 1, ~0u, ~0u);
	}
}

static void test_empty_and_bad(const struct pt_format *f, unsigned long *n)
{
	*n += golden_empty(f, empty_raws, N(empty_raws));
	for (size_t i = 0; i < N(bad_vecs); i++) {
		const struct bad_vec *v = &bad_vecs[i];

		if (!(v->fmts & fmt_bit(f)))
			continue;
		++*n;
		if (!golden_bad(f, v->level, v->raw, ""))
			golden_report(f, "reserved-encoding vector", v->spec);
	}
}

static void test_reject_vecs(const struct pt_format *f, unsigned long *n)
{
	for (size_t i = 0; i < N(reject_vecs); i++) {
		const struct reject_vec *v = &reject_vecs[i];

		if (!(v->fmts & fmt_bit(f)))
			continue;
		++*n;
		if (!golden_reject(f, v->level, v->pa, v->prot))
			golden_report(f, "encode_leaf must refuse", v->why);
	}
}

/* Geometry: 4.4 Sv39 (3 levels), 4.5 Sv48 (4), 4.6 Sv57 (5); 9 index bits, 4K tables. */
struct geometry {
	const char *name;
	int levels, va_bits;
	uint64_t page_sizes, upper_base;
};

static const struct geometry geometries[] = {
	{ "riscv-sv39", 3, 39, K4 | K64 | M2 | G1, 0xffffffc000000000ull },
	{ "riscv-sv48", 4, 48, K4 | K64 | M2 | G1 | G512, 0xffff800000000000ull },
	{ "riscv-sv57", 5, 57, K4 | K64 | M2 | G1 | G512 | T256, 0xff00000000000000ull },
};

static void test_geometry(const struct pt_format *f, const struct geometry *g, unsigned long *n)
{
	static const char *const names[] = { "L0", "L1", "L2", "L3", "L4" };

	++*n;
	CHECK_EQ(f->levels, g->levels);
	CHECK_EQ(f->va_bits, g->va_bits);
	CHECK_EQ(f->pa_bits, 56);
	CHECK_EQ(f->entry_size, 8);
	CHECK(!f->big_endian);
	CHECK(!f->two_roots);
	CHECK_EQ(f->page_sizes, g->page_sizes);
	CHECK_EQ(f->half_bits, g->va_bits - 1);
	CHECK_EQ(f->half_base[0], 0);
	CHECK_EQ(f->half_base[1], g->upper_base);
	CHECK_EQ(pt_half_last(f, 0), (1ull << (g->va_bits - 1)) - 1);
	CHECK_EQ(pt_half_last(f, 1), ~0ull);
	CHECK(f->description != NULL && f->description[0]);
	for (int l = 0; l < g->levels; l++) {
		CHECK_EQ(f->shift[l], 12 + 9 * l);
		CHECK_EQ(f->index_bits[l], 9);
		CHECK(f->leaf_ok[l]); /* leaves at every level, the root included */
		CHECK_EQ(f->contig[l], l == 0 ? 16 : 1);
		CHECK(f->level_name[l] != NULL && strcmp(f->level_name[l], names[l]) == 0);
		CHECK_EQ(pt_table_bytes(f, l), 4096);
		CHECK_EQ(pt_level_size(f, l), 1ull << (12 + 9 * l));
	}
	for (int l = g->levels; l < PT_MAX_LEVELS; l++)
		CHECK(!f->leaf_ok[l]);
}

/* ---- through the generic operations ---------------------------------------------------- */

struct fx {
	const struct pt_format *f;
	struct pt_arena a;
	struct pt_mm mm;
};

static bool fx_init(struct fx *x, const struct pt_format *f)
{
	x->f = f;
	if (!CHECK_EQ(pt_arena_init(&x->a, 0x80000000ull, 1ull << 20), 0))
		return false;
	return CHECK_EQ(pt_mm_init(&x->mm, f, &x->a.mem), 0);
}

static void fx_fini(struct fx *x)
{
	pt_mm_destroy(&x->mm);
	CHECK_EQ(x->a.live, 0);
	pt_arena_fini(&x->a);
}

static int fx_map(struct fx *x, uint64_t va, uint64_t pa, uint64_t size, uint32_t prot,
		  uint64_t page_sizes)
{
	struct pt_map_req req = { va, pa, size, prot, 0, page_sizes };
	struct pt_gather g;
	int r;
	pt_gather_init(&g, &x->mm);
	r = pt_map(&x->mm, &req, &g);
	pt_gather_flush(&g);
	return r;
}

static int fx_unmap(struct fx *x, uint64_t va, uint64_t size)
{
	struct pt_gather g;
	int r;
	pt_gather_init(&g, &x->mm);
	r = pt_unmap(&x->mm, va, size, &g);
	pt_gather_flush(&g);
	return r;
}

static int fx_protect(struct fx *x, uint64_t va, uint64_t size, uint32_t prot)
{
	struct pt_gather g;
	int r;
	pt_gather_init(&g, &x->mm);
	r = pt_protect(&x->mm, va, size, prot, &g);
	pt_gather_flush(&g);
	return r;
}

/* The raw entry mapping va (0 when none). */
static uint64_t fx_raw(struct fx *x, uint64_t va)
{
	struct mm_walk_state st;
	mm_walk_init(&st, &x->mm);
	return mm_walk_seek_leaf(&st, &x->mm, va) ? st.entry : 0;
}

/* Overwrite the entry at `level` on the walk to va; returns the old entry. */
static uint64_t fx_poke(struct fx *x, uint64_t va, int level, uint64_t raw)
{
	struct mm_walk_state st;
	uint64_t old = 0;
	uint8_t *p;

	mm_walk_init(&st, &x->mm);
	mm_walk_seek_leaf(&st, &x->mm, va);
	if (!CHECK(st.level <= level))
		return 0;
	p = st.path[level].table + (size_t)mm_walk_index(&st, level) * 8;
	memcpy(&old, p, 8); /* tests run on little-endian hosts, like the format */
	memcpy(p, &raw, 8);
	x->mm.gen++;
	return old;
}

/* A leaf in the root table, in the lower half, at the top of the upper half. */
static void test_root_leaves(const struct pt_format *f, unsigned long *n)
{
	struct fx x;
	struct pt_translation tr;
	struct mm_walk_state st;
	int top = f->levels - 1;
	uint64_t span = pt_level_size(f, top);
	uint64_t up = pt_half_last(f, 1) - span + 1; /* last root entry */

	if (!fx_init(&x, f))
		return;
	*n += 1;
	CHECK_EQ(fx_map(&x, span, span, span, PT_R | PT_W, 0), 0);
	CHECK_EQ(fx_map(&x, f->half_base[1], 2 * span, span, PT_R | PT_X | PT_GLOBAL, 0), 0);
	CHECK_EQ(fx_map(&x, up, 3 * span, span, PT_R | PT_SPECIAL | PT_DEVICE, 0), 0);
	CHECK_EQ(x.a.live, 1); /* only the root: every mapping is one root-level leaf */

	CHECK_EQ(pt_translate(&x.mm, span + 0x123456789ull % span, &tr), 0);
	CHECK_EQ(tr.pa, span + 0x123456789ull % span);
	CHECK_EQ(tr.level, top);
	CHECK_EQ(tr.size, span);
	CHECK_EQ(tr.group, span);
	CHECK_EQ(tr.entry, (span >> 2) | 0xc7);
	CHECK_EQ(tr.prot, PT_R | PT_W | YD);

	CHECK_EQ(pt_translate(&x.mm, f->half_base[1] + 0x1234, &tr), 0);
	CHECK_EQ(tr.pa, 2 * span + 0x1234);
	CHECK_EQ(tr.level, top);
	CHECK_EQ(tr.entry, ((2 * span) >> 2) | 0x6b);

	CHECK_EQ(pt_translate(&x.mm, ~0ull, &tr), 0);
	CHECK_EQ(tr.pa, 4 * span - 1);
	CHECK_EQ(tr.prot, PT_R | PT_SPECIAL | PT_DEVICE | Y);
	CHECK_EQ(tr.entry, 0x4000000000000000ull | ((3 * span) >> 2) | 0x143);

	mm_walk_init(&st, &x.mm);
	CHECK(mm_walk_seek_leaf(&st, &x.mm, up));
	CHECK(strcmp(mm_walk_level_name(&st), f->level_name[top]) == 0);
	CHECK_EQ(mm_walk_leaf_size(&st), span);

	/* Holes, the non-canonical gap, and map refusals there. */
	CHECK_EQ(pt_translate(&x.mm, 0, &tr), -PT_ENOENT);
	CHECK_EQ(tr.level, top);
	CHECK_EQ(pt_translate(&x.mm, f->half_base[1] - 1, &tr), -PT_ERANGE);
	CHECK_EQ(pt_translate(&x.mm, pt_half_last(f, 0) + 1, &tr), -PT_ERANGE);
	CHECK_EQ(fx_map(&x, pt_half_last(f, 0) + 1, 0, K4, PT_R, 0), -PT_ERANGE);
	CHECK_EQ(fx_map(&x, pt_half_last(f, 0) - K4 + 1, 0, 2 * K4, PT_R, 0), -PT_ERANGE);
	CHECK_EQ(fx_map(&x, 0, PA_LIMIT - K4, 2 * K4, PT_R, 0), -PT_ERANGE);
	CHECK_EQ(fx_map(&x, 0, 0, K4, PT_W, 0), -PT_EINVAL);
	CHECK_EQ(fx_map(&x, 0, 0, K4, PT_USER | PT_GLOBAL, 0), -PT_EINVAL);

	/* Part of a root leaf: split down to 4K at the edge, back to one table per level. */
	CHECK_EQ(fx_unmap(&x, span, K4), 0);
	CHECK_EQ(pt_translate(&x.mm, span, &tr), -PT_ENOENT);
	CHECK_EQ(tr.level, 0);
	CHECK_EQ(pt_translate(&x.mm, span + K4, &tr), 0);
	CHECK_EQ(tr.pa, span + K4);
	CHECK_EQ(tr.level, 0);
	CHECK_EQ(pt_translate(&x.mm, 2 * span - 1, &tr), 0);
	CHECK_EQ(tr.level, top - 1);
	CHECK_EQ(tr.entry, ((2 * span - pt_level_size(f, top - 1)) >> 2) | 0xc7);
	CHECK_EQ(x.a.live, (uint64_t)f->levels);
	fx_fini(&x);
}

/* Svnapot through map / protect / unmap: used automatically, kept consistent. */
static void test_napot_ops(const struct pt_format *f, unsigned long *n)
{
	struct fx x;
	struct pt_translation tr;

	if (!fx_init(&x, f))
		return;
	*n += 1;
	/* 64K-aligned VA and PA: one group of 16 identical entries. */
	CHECK_EQ(fx_map(&x, 0x10000, 0x30000, K64, PT_R | PT_W, 0), 0);
	for (uint64_t va = 0x10000; va < 0x20000; va += K4)
		CHECK_EQ(fx_raw(&x, va), 0x800000000000e0c7);
	CHECK_EQ(pt_translate(&x.mm, 0x15123, &tr), 0);
	CHECK_EQ(tr.pa, 0x35123);
	CHECK_EQ(tr.size, K4);
	CHECK_EQ(tr.group, K64);
	CHECK_EQ(tr.leaf_pa, 0x35000);
	CHECK_EQ(tr.prot, PT_R | PT_W | YD | PT_CONTIG);

	/* PA not 64K-aligned, or page_sizes without 64K: plain 4K entries. */
	CHECK_EQ(fx_map(&x, 0x20000, 0x41000, K64, PT_R, 0), 0);
	CHECK_EQ(fx_raw(&x, 0x20000), (0x41000 >> 2) | 0x43);
	CHECK_EQ(fx_raw(&x, 0x2f000), (0x50000 >> 2) | 0x43);
	CHECK_EQ(fx_map(&x, 0x40000, 0x40000, K64, PT_R, K4), 0);
	CHECK_EQ(fx_raw(&x, 0x40000), (0x40000 >> 2) | 0x43);
	/* 64K only: two groups. */
	CHECK_EQ(fx_map(&x, 0x60000, 0x80000, 2 * K64, PT_R | PT_X, K64), 0);
	CHECK_EQ(fx_raw(&x, 0x60000), 0x800000000002204b);
	CHECK_EQ(fx_raw(&x, 0x7f000), 0x800000000002604b);

	/* Protect the whole group: it stays one group, D stays set. */
	CHECK_EQ(fx_protect(&x, 0x10000, K64, PT_R | PT_X), 0);
	for (uint64_t va = 0x10000; va < 0x20000; va += K4)
		CHECK_EQ(fx_raw(&x, va), 0x800000000000e0cb);
	/* Unmap one page: the other 15 become plain entries with their own PPN. */
	CHECK_EQ(fx_unmap(&x, 0x12000, K4), 0);
	CHECK_EQ(fx_raw(&x, 0x12000), 0);
	CHECK_EQ(fx_raw(&x, 0x10000), (0x30000 >> 2) | 0xcb);
	CHECK_EQ(fx_raw(&x, 0x13000), (0x33000 >> 2) | 0xcb);
	CHECK_EQ(fx_raw(&x, 0x1f000), (0x3f000 >> 2) | 0xcb);
	CHECK_EQ(pt_translate(&x.mm, 0x1f008, &tr), 0);
	CHECK_EQ(tr.pa, 0x3f008);
	CHECK_EQ(tr.group, K4);
	/* Protect half of a group: the group dissolves, then half is re-protected. */
	CHECK_EQ(fx_protect(&x, 0x60000, 8 * K4, PT_R), 0);
	CHECK_EQ(fx_raw(&x, 0x60000), (0x80000 >> 2) | 0x43);
	CHECK_EQ(fx_raw(&x, 0x68000), (0x88000 >> 2) | 0x4b);
	CHECK_EQ(fx_raw(&x, 0x70000), 0x800000000002604b);
	fx_fini(&x);
}

/* Corrupt entries in a tree: clear errors, nothing changed by a refused mutation. */
static void test_corrupt(const struct pt_format *f, unsigned long *n)
{
	static const struct {
		int level; /* where the poked entry sits: 0 = the 4K leaf, 1 = its parent */
		uint64_t raw;
	} pokes[] = {
		{ 0, 0x0000000000000445 }, /* W without R */
		{ 0, 0x6000000000000443 }, /* PBMT = 3 */
		{ 0, 0x8000000000004043 }, /* NAPOT ppn[3:0] = 0 */
		{ 0, 0x0000000000000401 }, /* pointer at level 0 */
		{ 0, 0x0080000000000443 }, /* bit 55 */
		{ 1, 0x0000000000080443 }, /* misaligned 2M */
		{ 1, 0x8000000000000401 }, /* N in a non-leaf */
	};
	struct fx x;
	struct pt_translation tr;

	if (!fx_init(&x, f))
		return;
	CHECK_EQ(fx_map(&x, 0x7000, 0x7000, K4, PT_R | PT_W, 0), 0);
	for (size_t i = 0; i < N(pokes); i++) {
		uint64_t va = 0x7000, live = x.a.live;
		uint64_t old = fx_poke(&x, va, pokes[i].level, pokes[i].raw);
		uint8_t *before = malloc(x.a.high);

		if (!CHECK(before != NULL))
			break;
		memcpy(before, x.a.mem.bytes, x.a.high);

		++*n;
		CHECK_EQ(pt_translate(&x.mm, va, &tr), -PT_EBADENT);
		CHECK_EQ(tr.level, pokes[i].level);
		CHECK_EQ(fx_unmap(&x, va, K4), -PT_EBADENT);
		CHECK_EQ(fx_protect(&x, va, K4, PT_R), -PT_EBADENT);
		CHECK_EQ(fx_map(&x, va, 0, K4, PT_R, 0), -PT_EBADENT);
		CHECK_EQ(x.a.live, live);
		CHECK(memcmp(before, x.a.mem.bytes, x.a.high) == 0);
		free(before);
		CHECK_EQ(fx_poke(&x, va, pokes[i].level, old), pokes[i].raw);
		if (!CHECK_EQ(pt_translate(&x.mm, va, &tr), 0))
			break;
		CHECK_EQ(tr.entry, (0x7000 >> 2) | 0xc7);
	}
	fx_fini(&x);
}

static void test_registry(void)
{
	const char *const bad[] = { "riscv",	   "riscv-sv",	 "riscv-sv3", "riscv-sv32",
				    "riscv-sv390", "RISCV-SV39", "sv39",      "riscv-sv64" };
	for (size_t i = 0; i < N(geometries); i++) {
		const struct pt_format *f = pt_format_find(geometries[i].name);
		CHECK(f != NULL && strcmp(f->name, geometries[i].name) == 0);
	}
	for (size_t i = 0; i < N(bad); i++)
		CHECK(pt_format_find(bad[i]) == NULL);
}

int main(void)
{
	test_registry();
	for (size_t i = 0; i < N(geometries); i++) {
		const struct pt_format *f = pt_format_find(geometries[i].name);
		unsigned long *n = &counts[i];

		if (!CHECK(f != NULL))
			continue;
		test_geometry(f, &geometries[i], n);
		test_leaf_vecs(f, n);
		test_decode_leaf_vecs(f, n);
		test_napot_vecs(f, n);
		test_table_vecs(f, n);
		test_empty_and_bad(f, n);
		test_reject_vecs(f, n);
		test_root_leaves(f, n);
		test_napot_ops(f, n);
		test_corrupt(f, n);
		printf("%s: %lu vectors and scenarios\n", f->name, *n);
	}
	return CHECK_DONE();
}
