// SPDX-License-Identifier: MIT
/*
 * Golden vectors for src/fmt/ppc64_radix.h, formats "ppc64-radix-4k" (index bits 13/9/9/9)
 * and "ppc64-radix-64k" (13/9/9/5). Every expected bit comes from the Power ISA v3.0B
 * Book III, 5.7.10 "Radix Tree Translation":
 *   5.7.10.1 quadrants (EA bits 0:1) and EA bits 2:11 that must be zero;
 *   5.7.10.2 figures "Radix Tree Page Directory Entry" (V 0, L 1, NLB 4:55, NLS 59:63)
 *            and "Radix Tree Page Table Entry" (V 0, L 1, SW 2, RPN 7:51, SW 52:54,
 *            R 55, C 56, ATT 58:59, EAA 60:63: privileged, read, read/write, execute);
 *   5.7.10.2 storage attributes ATT: 0b00 normal, 0b01 SAO, 0b10 non-idempotent I/O,
 *            0b11 tolerant I/O.
 * ISA bit b (0 = most significant) is host bit 63 - b. Entries are big-endian
 * doublewords: each vector also gives the 8 bytes in memory order, and the tree tests
 * check them in a real arena. ptkit's own choices (R preset, C preset when writable,
 * SPECIAL in SW bit 53, PT_GLOBAL ignored) are documented in docs/formats/ppc64.md.
 */
#include <string.h>

#include "golden.h"
#include "model.h"

#define F4K 1u	/* row applies to ppc64-radix-4k */
#define F64K 2u /* row applies to ppc64-radix-64k */
#define FB (F4K | F64K)

#define K4 0x1000ull
#define K64 0x10000ull
#define P64K 0x10000ull /* a base-page-aligned PA for both formats */
#define M2 0x200000ull
#define G1 0x40000000ull
#define PA_LIMIT (1ull << 56) /* 56-bit real addresses (Linux _RPAGE_PA_MAX) */
#define Q3 0xc000000000000000ull

/* Leaves encode_leaf must produce (raw and memory bytes) and decode must read back. */
struct leaf_vec {
	unsigned fmts;
	int level;
	uint64_t pa;
	uint32_t prot;	/* requested */
	uint64_t raw;	/* host value */
	uint8_t mem[8]; /* the same entry as stored in memory (big-endian) */
	uint32_t back;	/* what decode reports: R preset, C preset when writable */
	const char *isa;
};

static const struct leaf_vec leaf_vecs[] = {
	{ FB,
	  0,
	  P64K,
	  PT_R,
	  0xc00000000001010c,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x0c },
	  PT_R | PT_YOUNG,
	  "V, L, R; EAA 0b1100: privileged (60) + read (61)" },
	{ FB,
	  0,
	  P64K,
	  PT_R | PT_W,
	  0xc00000000001018e,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x8e },
	  PT_R | PT_W | PT_YOUNG | PT_DIRTY,
	  "EAA read/write (62); C (56) preset when writable" },
	{ FB,
	  0,
	  P64K,
	  PT_R | PT_USER,
	  0xc000000000010104,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x04 },
	  PT_R | PT_USER | PT_YOUNG,
	  "EAA privileged (60) clear: problem state may access" },
	{ FB,
	  0,
	  P64K,
	  PT_R | PT_X,
	  0xc00000000001010d,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x0d },
	  PT_R | PT_X | PT_YOUNG,
	  "EAA execute (63)" },
	{ FB,
	  0,
	  P64K,
	  PT_X,
	  0xc000000000010109,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x09 },
	  PT_X | PT_YOUNG,
	  "EAA execute only" },
	{ FB,
	  0,
	  P64K,
	  PT_W,
	  0xc00000000001018e,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x8e },
	  PT_R | PT_W | PT_YOUNG | PT_DIRTY,
	  "PT_W alone: read (61) set too, write implies read" },
	{ FB,
	  0,
	  P64K,
	  0,
	  0xc000000000010108,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x08 },
	  PT_YOUNG,
	  "EAA privileged, no access (Linux PAGE_NONE)" },
	{ FB,
	  0,
	  P64K,
	  PT_R | PT_DEVICE,
	  0xc00000000001012c,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x2c },
	  PT_R | PT_DEVICE | PT_YOUNG,
	  "ATT (58:59) 0b10 non-idempotent I/O" },
	{ FB,
	  0,
	  P64K,
	  PT_R | PT_NOCACHE,
	  0xc00000000001013c,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x3c },
	  PT_R | PT_NOCACHE | PT_YOUNG,
	  "ATT 0b11 tolerant I/O (cache inhibited)" },
	{ FB,
	  0,
	  P64K,
	  PT_R | PT_YOUNG,
	  0xc00000000001010c,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x0c },
	  PT_R | PT_YOUNG,
	  "R (55) reference" },
	{ FB,
	  0,
	  P64K,
	  PT_R | PT_DIRTY,
	  0xc00000000001018c,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x8c },
	  PT_R | PT_YOUNG | PT_DIRTY,
	  "C (56) change" },
	{ FB,
	  0,
	  P64K,
	  PT_R | PT_SPECIAL,
	  0xc00000000001050c,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x05, 0x0c },
	  PT_R | PT_YOUNG | PT_SPECIAL,
	  "SW (53): Linux _PAGE_SPECIAL" },
	{ FB,
	  0,
	  P64K,
	  PT_R | PT_GLOBAL,
	  0xc00000000001010c,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x0c },
	  PT_R | PT_YOUNG,
	  "no global bit: PT_GLOBAL ignored" },
	{ FB,
	  0,
	  0,
	  PT_R | PT_W,
	  0xc00000000000018e,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x8e },
	  PT_R | PT_W | PT_YOUNG | PT_DIRTY,
	  "RPN 0" },
	{ F4K,
	  0,
	  0x1000,
	  PT_R | PT_W | PT_USER,
	  0xc000000000001186,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x86 },
	  PT_R | PT_W | PT_USER | PT_YOUNG | PT_DIRTY,
	  "4K: RPN bit 51 (RA bit 12)" },
	{ F4K,
	  0,
	  0x123456789a000,
	  PT_R | PT_W | PT_X | PT_USER | PT_DEVICE | PT_YOUNG | PT_DIRTY | PT_SPECIAL,
	  0xc00123456789a5a7,
	  { 0xc0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xa5, 0xa7 },
	  PT_R | PT_W | PT_X | PT_USER | PT_DEVICE | PT_YOUNG | PT_DIRTY | PT_SPECIAL,
	  "4K: every attribute, RPN 8:51" },
	{ F4K,
	  0,
	  PA_LIMIT - K4,
	  PT_R,
	  0xc0fffffffffff10c,
	  { 0xc0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf1, 0x0c },
	  PT_R | PT_YOUNG,
	  "4K: max RA 2^56-4K, RPN 8:51 all set" },
	{ F64K,
	  0,
	  PA_LIMIT - K64,
	  PT_R,
	  0xc0ffffffffff010c,
	  { 0xc0, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x0c },
	  PT_R | PT_YOUNG,
	  "64K: max RA 2^56-64K" },
	{ F64K,
	  0,
	  0x123456789a0000,
	  PT_R | PT_W | PT_X | PT_USER | PT_NOCACHE | PT_SPECIAL,
	  0xc0123456789a05b7,
	  { 0xc0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0x05, 0xb7 },
	  PT_R | PT_W | PT_X | PT_USER | PT_NOCACHE | PT_YOUNG | PT_DIRTY | PT_SPECIAL,
	  "64K: every attribute, tolerant I/O" },
	{ FB,
	  1,
	  M2,
	  PT_R,
	  0xc00000000020010c,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x20, 0x01, 0x0c },
	  PT_R | PT_YOUNG,
	  "2M leaf in a PMD: L (1) set" },
	{ FB,
	  1,
	  M2,
	  PT_R | PT_W | PT_X | PT_USER,
	  0xc000000000200187,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x20, 0x01, 0x87 },
	  PT_R | PT_W | PT_X | PT_USER | PT_YOUNG | PT_DIRTY,
	  "2M: EAA user rwx" },
	{ FB,
	  1,
	  M2,
	  PT_R | PT_NOCACHE,
	  0xc00000000020013c,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x20, 0x01, 0x3c },
	  PT_R | PT_NOCACHE | PT_YOUNG,
	  "2M: ATT tolerant I/O" },
	{ FB,
	  1,
	  M2,
	  PT_R | PT_DEVICE | PT_SPECIAL,
	  0xc00000000020052c,
	  { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x20, 0x05, 0x2c },
	  PT_R | PT_DEVICE | PT_YOUNG | PT_SPECIAL,
	  "2M: ATT non-idempotent I/O, SW 53" },
	{ FB,
	  1,
	  PA_LIMIT - M2,
	  PT_R,
	  0xc0ffffffffe0010c,
	  { 0xc0, 0xff, 0xff, 0xff, 0xff, 0xe0, 0x01, 0x0c },
	  PT_R | PT_YOUNG,
	  "2M: max RA 2^56-2M" },
	{ FB,
	  2,
	  G1,
	  PT_R,
	  0xc00000004000010c,
	  { 0xc0, 0x00, 0x00, 0x00, 0x40, 0x00, 0x01, 0x0c },
	  PT_R | PT_YOUNG,
	  "1G leaf in a PUD" },
	{ FB,
	  2,
	  G1,
	  PT_R | PT_W | PT_X | PT_USER | PT_NOCACHE | PT_SPECIAL,
	  0xc0000000400005b7,
	  { 0xc0, 0x00, 0x00, 0x00, 0x40, 0x00, 0x05, 0xb7 },
	  PT_R | PT_W | PT_X | PT_USER | PT_NOCACHE | PT_YOUNG | PT_DIRTY | PT_SPECIAL,
	  "1G: every attribute" },
	{ FB,
	  2,
	  G1,
	  PT_X | PT_DEVICE,
	  0xc000000040000129,
	  { 0xc0, 0x00, 0x00, 0x00, 0x40, 0x00, 0x01, 0x29 },
	  PT_X | PT_DEVICE | PT_YOUNG,
	  "1G: privileged execute-only, NI I/O" },
	{ FB,
	  2,
	  PA_LIMIT - G1,
	  PT_R | PT_W,
	  0xc0ffffffc000018e,
	  { 0xc0, 0xff, 0xff, 0xff, 0xc0, 0x00, 0x01, 0x8e },
	  PT_R | PT_W | PT_YOUNG | PT_DIRTY,
	  "1G: max RA 2^56-1G" },
};

/* Leaves only decode can produce: SAO, R/C clear, ignored software bits. */
struct decode_leaf_vec {
	unsigned fmts;
	int level;
	uint64_t raw;
	uint64_t pa;
	uint32_t prot;
	const char *isa;
};

static const struct decode_leaf_vec decode_leaf_vecs[] = {
	{ FB, 0, 0xc00000000001011cull, P64K, PT_R | PT_YOUNG,
	  "ATT 0b01 SAO: cacheable, no PT_* bit" },
	{ FB, 0, 0xc00000000001000cull, P64K, PT_R, "R (55) and C (56) clear" },
	{ FB, 0, 0xc00000000001008cull, P64K, PT_R | PT_DIRTY, "C without R" },
	{ FB, 0, 0xc00000000001010aull, P64K, PT_R | PT_W | PT_YOUNG,
	  "EAA read/write grants read" },
	{ FB, 0, 0xe00000000001010cull, P64K, PT_R | PT_YOUNG,
	  "SW (2) ignored (Linux _PAGE_INVALID)" },
	{ FB, 0, 0xc00000000001090cull, P64K, PT_R | PT_YOUNG, "SW (52) ignored" },
	{ FB, 0, 0xc00000000001030cull, P64K, PT_R | PT_YOUNG, "SW (54) ignored" },
	{ FB, 0, 0xc000000000010107ull, P64K, PT_R | PT_W | PT_X | PT_USER | PT_YOUNG,
	  "EAA 0b0111: user rwx, C clear" },
	{ FB, 1, 0xc00000000020011cull, M2, PT_R | PT_YOUNG, "2M, ATT SAO" },
	{ FB, 2, 0xe000000040000f0cull, G1, PT_R | PT_YOUNG | PT_SPECIAL,
	  "1G, SW 2 and 52:54 all set" },
};

/* Page directory entries (L=0). NLS = index bits of the next level, NLB its address. */
struct table_vec {
	unsigned fmts;
	int level;
	uint64_t raw;
	uint64_t pa;
	const char *isa;
};

static const struct table_vec table_vecs[] = {
	{ F4K, 1, 0x8000000012345009ull, 0x12345000, "PMD -> PTE table: NLS 9 (4K table)" },
	{ F64K, 1, 0x8000000012345105ull, 0x12345100, "PMD -> PTE table: NLS 5 (256-byte table)" },
	{ F64K, 1, 0x8000000012345005ull, 0x12345000, "PMD -> PTE table, 4K-aligned NLB" },
	{ FB, 2, 0x8000000012345009ull, 0x12345000, "PUD -> PMD table: NLS 9" },
	{ FB, 3, 0x8000000012345009ull, 0x12345000, "PGD -> PUD table: NLS 9" },
	{ F4K, 1, 0x8ffffffffffff009ull, 0x0ffffffffffff000ull, "NLB 4:55, max 4K-aligned" },
	{ F64K, 1, 0x8fffffffffffff05ull, 0x0fffffffffffff00ull,
	  "NLB 4:55 all set (256-byte aligned)" },
	{ FB, 3, 0x8ffffffffffff009ull, 0x0ffffffffffff000ull, "PGD: NLB max" },
	{ FB, 2, 0x8000000000000009ull, 0, "NLB 0" },
};

/* Invalid entries (V=0): every other bit is ignored. */
static const uint64_t empty_raws[] = {
	0x0000000000000000ull, 0x7fffffffffffffffull, 0x4000000000000000ull,
	0x400000000001018eull, 0x0000000012345009ull, 0x2000000000000000ull,
};

/* Encodings the MMU rejects (or ptkit cannot represent): decode says BAD with a reason. */
struct bad_vec {
	unsigned fmts;
	int level;
	uint64_t raw;
	const char *why; /* substring of the reason */
	const char *isa;
};

static const struct bad_vec bad_vecs[] = {
	{ FB, 3, 0xc00000000000010cull, "PGD", "L=1 in the root: no 512G pages" },
	{ FB, 3, 0xc00000800000018eull, "PGD", "L=1 in the root, 512G-aligned RPN" },
	{ FB, 0, 0x8000000012345009ull, "L=0", "L=0 at the last level" },
	{ FB, 0, 0x8000000000000000ull, "L=0", "V alone at the last level" },
	{ F4K, 1, 0x8000000012345005ull, "NLS", "PMD NLS 5 on 4K pages (PTE table has 9 bits)" },
	{ F64K, 1, 0x8000000012345009ull, "NLS", "PMD NLS 9 on 64K pages (PTE table has 5 bits)" },
	{ FB, 2, 0x800000001234500dull, "NLS", "PUD NLS 13" },
	{ FB, 3, 0x8000000012345000ull, "NLS", "PGD NLS 0" },
	{ FB, 3, 0x800000001234501full, "NLS", "PGD NLS 31" },
	{ F4K, 1, 0x8000000012345109ull, "aligned", "NLB bit 55 in a 4K-table pointer" },
	{ FB, 2, 0x8000000012345809ull, "aligned", "NLB bit 52: table not 4K-aligned" },
	{ FB, 3, 0x8000000012345f09ull, "aligned", "NLB bits 52:55" },
	{ FB, 2, 0xa000000012345009ull, "reserved", "PDE bit 2 reserved" },
	{ FB, 2, 0x9000000012345009ull, "reserved", "PDE bit 3 reserved" },
	{ FB, 3, 0x8000000012345089ull, "reserved", "PDE bit 56 reserved" },
	{ FB, 1, 0x8000000012345029ull, "reserved", "PDE bit 58 reserved" },
	{ FB, 1, 0xc00000000020110cull, "2M", "2M leaf, RPN bit 51 (RA bit 12)" },
	{ FB, 1, 0xc00000000021010cull, "2M", "2M leaf, RA bit 16" },
	{ FB, 1, 0xc0000000003f010cull, "2M", "2M leaf, RA bits 16:20" },
	{ FB, 2, 0xc00000004020010cull, "1G", "1G leaf, RA bit 21" },
	{ FB, 2, 0xc00000007ffff10cull, "1G", "1G leaf, RA bits 12:29" },
	{ F64K, 0, 0xc00000000001110cull, "64K", "64K leaf, RA bit 12" },
	{ F64K, 0, 0xc00000000000f10cull, "64K", "64K leaf, RA bits 12:15" },
	{ FB, 0, 0xd00000000001010cull, "reserved", "PTE bit 3 reserved" },
	{ FB, 1, 0xc20000000020010cull, "reserved", "PTE bit 6 reserved" },
	{ FB, 2, 0xc00000004000014cull, "reserved", "PTE bit 57 reserved" },
	{ FB, 0, 0xc10000000001010cull, "2^56", "RPN bit 7: RA beyond 56 bits" },
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
	{ FB, 3, 0, PT_R, "no leaves in the PGD" },
	{ FB, 3, 1ull << 39, PT_R | PT_W, "no 512G leaves" },
	{ FB, 4, 0, PT_R, "level 4 does not exist" },
	{ FB, -1, 0, PT_R, "negative level" },
	{ F4K, 0, 0x1800, PT_R, "PA not 4K-aligned" },
	{ F64K, 0, 0x1000, PT_R, "PA not 64K-aligned" },
	{ F64K, 0, 0x18000, PT_R, "PA not 64K-aligned (bit 15)" },
	{ FB, 1, 0x10000, PT_R, "PA not 2M-aligned" },
	{ FB, 2, M2, PT_R, "PA not 1G-aligned" },
	{ FB, 0, PA_LIMIT, PT_R, "PA = 2^56" },
	{ FB, 1, PA_LIMIT, PT_R, "2M PA = 2^56" },
	{ FB, 2, 1ull << 60, PT_R, "1G PA = 2^60" },
	{ FB, 0, P64K, PT_R | PT_DEVICE | PT_NOCACHE, "DEVICE and NOCACHE: one ATT field" },
	{ FB, 2, G1, PT_DEVICE | PT_NOCACHE, "DEVICE and NOCACHE (1G)" },
	{ FB, 0, P64K, PT_R | (1u << 20), "unknown prot bit" },
};

static const struct pt_format *f4k, *f64k;

static unsigned fmt_bit(const struct pt_format *f)
{
	return f == f4k ? F4K : F64K;
}

static uint64_t load_be(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void test_leaf_vecs(const struct pt_format *f)
{
	for (size_t i = 0; i < N(leaf_vecs); i++) {
		const struct leaf_vec *v = &leaf_vecs[i];
		struct pt_entry_info info;
		bool ok;

		if (!(v->fmts & fmt_bit(f)))
			continue;
		ok = golden_encode(f, v->level, v->pa, v->prot, v->raw);
		ok &= CHECK_EQ(load_be(v->mem), v->raw); /* the table is self-consistent */
		ok &= golden_decode_leaf(f, v->level, v->raw, v->pa, v->back, 0, 1, &info);
		/* What decode reports encodes to the same entry. */
		ok &= golden_encode(f, v->level, info.pa, info.prot, v->raw);
		if (!ok)
			golden_report(f, "leaf vector", v->isa);
	}
}

static void test_decode_leaf_vecs(const struct pt_format *f)
{
	for (size_t i = 0; i < N(decode_leaf_vecs); i++) {
		const struct decode_leaf_vec *v = &decode_leaf_vecs[i];

		if ((v->fmts & fmt_bit(f)) &&
		    !golden_decode_leaf(f, v->level, v->raw, v->pa, v->prot, 0, 1, NULL))
			golden_report(f, "decode-only leaf vector", v->isa);
	}
}

static void test_table_vecs(const struct pt_format *f)
{
	/* No hierarchical permissions: a table allows everything (~0). */
	for (size_t i = 0; i < N(table_vecs); i++) {
		const struct table_vec *v = &table_vecs[i];

		if ((v->fmts & fmt_bit(f)) && !golden_table(f, v->level, v->raw, v->pa, ~0u, ~0u))
			golden_report(f, "table vector", v->isa);
	}
	/* encode_table: V | NLB | NLS of the next level, nothing else. */
	for (int l = 1; l < f->levels; l++) {
		uint64_t pas[] = { 0, 0x10000, 0x12345000, 0x0ffffffffffff000ull };
		for (size_t i = 0; i < N(pas); i++)
			golden_encode_table(f, l, pas[i], ~0ull,
					    0x8000000000000000ull | pas[i] | f->index_bits[l - 1],
					    ~0u, ~0u);
	}
}

static void test_empty_and_bad(const struct pt_format *f)
{
	golden_empty(f, empty_raws, N(empty_raws));
	for (size_t i = 0; i < N(bad_vecs); i++) {
		const struct bad_vec *v = &bad_vecs[i];

		if ((v->fmts & fmt_bit(f)) && !golden_bad(f, v->level, v->raw, v->why))
			golden_report(f, "reserved-encoding vector", v->isa);
	}
}

static void test_reject_vecs(const struct pt_format *f)
{
	for (size_t i = 0; i < N(reject_vecs); i++) {
		const struct reject_vec *v = &reject_vecs[i];

		if ((v->fmts & fmt_bit(f)) && !golden_reject(f, v->level, v->pa, v->prot))
			golden_report(f, "encode_leaf must refuse", v->why);
	}
}

/* Geometry: 5.7.10.2 with Linux's radix tree sizes (PGD 13 bits, PUD/PMD 9, PTE 9 or 5). */
static void test_geometry(const struct pt_format *f, int page_shift)
{
	static const char *const names[] = { "pte", "pmd", "pud", "pgd" };
	const int shift[] = { page_shift, 21, 30, 39 };
	const int bits[] = { 21 - page_shift, 9, 9, 13 };

	CHECK_EQ(f->levels, 4);
	CHECK_EQ(f->va_bits, 52);
	CHECK_EQ(f->pa_bits, 56);
	CHECK_EQ(f->entry_size, 8);
	CHECK(f->big_endian);
	CHECK(f->two_roots);
	CHECK_EQ(f->page_sizes, (1ull << page_shift) | M2 | G1);
	CHECK_EQ(f->half_bits, 52);
	CHECK_EQ(f->half_base[0], 0);
	CHECK_EQ(f->half_base[1], Q3);
	CHECK_EQ(pt_half_last(f, 0), 0x000fffffffffffffull);
	CHECK_EQ(pt_half_last(f, 1), 0xc00fffffffffffffull);
	CHECK(f->description != NULL && f->description[0]);
	for (int l = 0; l < 4; l++) {
		CHECK_EQ(f->shift[l], shift[l]);
		CHECK_EQ(f->index_bits[l], bits[l]);
		CHECK_EQ(f->leaf_ok[l], l <= 2);
		CHECK_EQ(f->contig[l], 1);
		CHECK(f->level_name[l] != NULL && strcmp(f->level_name[l], names[l]) == 0);
		CHECK_EQ(pt_level_size(f, l), 1ull << shift[l]);
	}
	CHECK_EQ(f->shift[3] + f->index_bits[3], 52); /* the root covers a whole quadrant */
	CHECK_EQ(pt_table_bytes(f, 0), page_shift == 12 ? 4096 : 256);
	CHECK_EQ(pt_table_bytes(f, 1), 4096);
	CHECK_EQ(pt_table_bytes(f, 2), 4096);
	CHECK_EQ(pt_table_bytes(f, 3), 65536);
	for (int l = 4; l < PT_MAX_LEVELS; l++)
		CHECK(!f->leaf_ok[l]);
}

static void test_registry(void)
{
	CHECK(pt_format_find("ppc64-radix") == NULL);
	CHECK(pt_format_find("ppc64-radix-4") == NULL);
	CHECK(pt_format_find("ppc64-radix-64") == NULL);
	CHECK(pt_format_find("PPC64-RADIX-4K") == NULL);
	CHECK(f4k != f64k);
	CHECK(strcmp(f4k->name, "ppc64-radix-4k") == 0);
	CHECK(strcmp(f64k->name, "ppc64-radix-64k") == 0);
}

/* ---- the format inside a real tree: memory byte order, both roots, VA checks ---- */

struct tree {
	struct pt_arena a;
	struct pt_mm mm;
};

static bool tree_init(struct tree *t, const struct pt_format *f)
{
	if (!CHECK_EQ(pt_arena_init(&t->a, 0x100000, 64ull << 20), 0))
		return false;
	return CHECK_EQ(pt_mm_init(&t->mm, f, &t->a.mem), 0);
}

static void tree_fini(struct tree *t)
{
	pt_mm_destroy(&t->mm);
	CHECK_EQ(t->a.live, 0);
	pt_arena_fini(&t->a);
}

static int map1(struct tree *t, uint64_t va, uint64_t pa, uint64_t size, uint32_t prot,
		uint64_t page_sizes)
{
	struct pt_map_req req = {
		.va = va, .pa = pa, .size = size, .prot = prot, .page_sizes = page_sizes
	};
	struct pt_gather g;
	int r;

	pt_gather_init(&g, &t->mm);
	r = pt_map(&t->mm, &req, &g);
	pt_gather_flush(&g);
	return r;
}

/* Every leaf vector, written by pt_map: the bytes in the arena are the vector's mem[]. */
static void test_leaf_bytes_in_memory(const struct pt_format *f)
{
	for (size_t i = 0; i < N(leaf_vecs); i++) {
		const struct leaf_vec *v = &leaf_vecs[i];
		uint64_t size = pt_level_size(f, v->level);
		uint64_t va = (i & 1 ? Q3 : 0) + 4 * G1 + size * 3;
		struct mm_walk_state st;
		struct tree t;
		bool ok = true;

		if (!(v->fmts & fmt_bit(f)) || !tree_init(&t, f))
			continue;
		ok &= CHECK_EQ(map1(&t, va, v->pa, size, v->prot, size), 0);
		mm_walk_init(&st, &t.mm);
		ok &= CHECK(mm_walk_seek_leaf(&st, &t.mm, va));
		ok &= CHECK_EQ(st.level, v->level);
		ok &= CHECK_EQ(st.half, (int)(i & 1));
		ok &= CHECK(st.ptep != NULL && memcmp(st.ptep, v->mem, 8) == 0);
		ok &= CHECK_EQ(st.entry, v->raw);
		if (!ok)
			golden_report(f, "leaf bytes written by pt_map", v->isa);
		tree_fini(&t);
	}
}

/* Directory entries in memory, the two roots, and what a split leaves behind. */
static void test_tree(const struct pt_format *f, int page_shift)
{
	uint64_t page = 1ull << page_shift;
	struct pt_translation tr;
	struct mm_walk_state st;
	struct pt_gather g;
	struct tree t;

	if (!tree_init(&t, f))
		return;
	CHECK(t.mm.root[0] != t.mm.root[1]);
	CHECK_EQ(t.a.live, 2);
	/* A base page in quadrant 3 lands in root1 only; every PDE carries the right NLS. */
	CHECK_EQ(map1(&t, Q3 + 0x1234ull * page, 0x40000000ull, page, PT_R | PT_W, 0), 0);
	mm_walk_init(&st, &t.mm);
	CHECK(mm_walk_seek_leaf(&st, &t.mm, Q3 + 0x1234ull * page));
	CHECK_EQ(st.level, 0);
	CHECK_EQ(mm_walk_table_pa(&st, 3), t.mm.root[1]);
	for (int l = 3; l >= 1; l--) {
		uint64_t e = st.path[l].entry;
		const uint8_t *p = st.path[l].table + mm_walk_index(&st, l) * 8;
		CHECK_EQ(e >> 63, 1);
		CHECK_EQ((e >> 62) & 1, 0);
		CHECK_EQ(e & 0x1f, f->index_bits[l - 1]);
		CHECK_EQ(e & 0x0fffffffffffff00ull, mm_walk_table_pa(&st, l - 1));
		CHECK_EQ(load_be(p), e); /* stored big-endian */
		CHECK_EQ(p[0], 0x80);
	}
	CHECK_EQ(pt_translate(&t.mm, 0x1234ull * page, &tr), -PT_ENOENT); /* quadrant 0 empty */
	CHECK_EQ(pt_translate(&t.mm, Q3 + 0x1234ull * page + 8, &tr), 0);
	CHECK_EQ(tr.pa, 0x40000008ull);
	CHECK_EQ(tr.prot, PT_R | PT_W | PT_YOUNG | PT_DIRTY);

	/* Quadrants 1 and 2 and EA bits 2:11 are not translated by either tree. */
	{
		const uint64_t bad[] = { 0x4000000000000000ull, 0x8000000000000000ull,
					 0x0010000000000000ull, 0xc010000000000000ull,
					 0x2000000000000000ull, 0xffffffffffff0000ull };
		for (size_t i = 0; i < N(bad); i++) {
			CHECK_EQ(pt_translate(&t.mm, bad[i], &tr), -PT_ERANGE);
			CHECK_EQ(map1(&t, bad[i], 0, page, PT_R, 0), -PT_ERANGE);
		}
		CHECK_EQ(map1(&t, 0x000ffffffff00000ull, 0, 1ull << 20, PT_R, 0), 0);
		CHECK_EQ(map1(&t, 0xc00ffffffff00000ull, 0, 1ull << 20, PT_R, 0), 0);
		CHECK_EQ(map1(&t, 0x000fffffffff0000ull, 0, 0x20000, PT_R, 0), -PT_ERANGE);
	}

	/* A 1G leaf split by unmapping one base page: 2M and base leaves, same attributes. */
	CHECK_EQ(map1(&t, 4 * G1, 7 * G1, G1, PT_R | PT_X | PT_USER | PT_NOCACHE, 0), 0);
	CHECK_EQ(pt_translate(&t.mm, 4 * G1, &tr), 0);
	CHECK_EQ(tr.level, 2);
	CHECK_EQ(tr.entry, 0xc0000001c0000135ull);
	pt_gather_init(&g, &t.mm);
	CHECK_EQ(pt_unmap(&t.mm, 4 * G1 + page, page, &g), 0);
	pt_gather_flush(&g);
	CHECK_EQ(pt_translate(&t.mm, 4 * G1, &tr), 0);
	CHECK_EQ(tr.level, 0);
	CHECK_EQ(tr.entry, 0xc0000001c0000135ull);
	CHECK_EQ(pt_translate(&t.mm, 4 * G1 + page, &tr), -PT_ENOENT);
	CHECK_EQ(pt_translate(&t.mm, 4 * G1 + 2 * page, &tr), 0);
	CHECK_EQ(tr.entry, 0xc0000001c0000135ull + 2 * page);
	CHECK_EQ(pt_translate(&t.mm, 4 * G1 + M2, &tr), 0);
	CHECK_EQ(tr.level, 1);
	CHECK_EQ(tr.entry, 0xc0000001c0200135ull);
	tree_fini(&t);
}

/* Corrupt directory entries in an image: clear errors, never a wrong translation. */
static void test_corrupt(const struct pt_format *f, int page_shift)
{
	uint64_t page = 1ull << page_shift;
	struct pt_translation tr;
	struct mm_walk_state st;
	struct tree t;
	uint8_t *pmd_entry;
	uint8_t saved[8];

	if (!tree_init(&t, f))
		return;
	CHECK_EQ(map1(&t, 3 * page, 0x5000000, page, PT_R, 0), 0);
	mm_walk_init(&st, &t.mm);
	CHECK(mm_walk_seek_leaf(&st, &t.mm, 3 * page));
	pmd_entry = st.path[1].table + mm_walk_index(&st, 1) * 8;
	memcpy(saved, pmd_entry, 8);

	pmd_entry[7] =
		(uint8_t)((pmd_entry[7] & ~0x1f) | (page_shift == 12 ? 5 : 9)); /* other NLS */
	CHECK_EQ(pt_translate(&t.mm, 3 * page, &tr), -PT_EBADENT);
	CHECK_EQ(tr.level, 1);
	memcpy(pmd_entry, saved, 8);
	pmd_entry[0] |= 0x40; /* L=1 turns the PDE into a 2M leaf with low RA bits: BAD */
	CHECK_EQ(pt_translate(&t.mm, 3 * page, &tr), -PT_EBADENT);
	memcpy(pmd_entry, saved, 8);
	/* A PDE pointing back at the root: a loop, not a hang. */
	{
		uint64_t e = 0x8000000000000000ull | t.mm.root[0] | f->index_bits[0];
		for (int i = 0; i < 8; i++)
			pmd_entry[i] = (uint8_t)(e >> (56 - 8 * i));
	}
	CHECK(pt_translate(&t.mm, 3 * page, &tr) < 0);
	memcpy(pmd_entry, saved, 8);
	CHECK_EQ(pt_translate(&t.mm, 3 * page, &tr), 0);
	CHECK_EQ(tr.pa, 0x5000000);
	tree_fini(&t);
}

/* ---- PTCR: partition table -> process table -> roots (fmt_roots_of_table_reg) ---- */

#define RTS52 ((2ull << 61) | (5ull << 5)) /* RTS = 52 - 31, ISA bits 1:2 and 56:58 */
#define PATE0_HR (1ull << 63)
#define TBL_PID 7

static void store_be(struct pt_arena *a, uint64_t pa, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		a->mem.bytes[pa - a->mem.base + (uint64_t)i] = (uint8_t)(v >> (56 - 8 * i));
}

static int arena_read(void *ctx, uint64_t pa, void *buf, uint64_t n)
{
	const struct pt_arena *a = ctx;

	if (pa < a->mem.base || pa - a->mem.base >= a->mem.size ||
	    a->mem.size - (pa - a->mem.base) < n)
		return -1;
	memcpy(buf, a->mem.bytes + (pa - a->mem.base), n);
	return 0;
}

/* Roots for (ptcr, lpid, pid) through the arena; the error code, *out and *why as found. */
static int table_roots(const struct pt_format *f, struct tree *t, uint64_t ptcr, uint64_t lpid,
		       uint64_t pid, struct pt_table_roots *out, const char **why)
{
	*why = "";
	return f->ops.roots_of_table_reg(ptcr, lpid, pid, arena_read, &t->a, out, why);
}

static void test_table_reg(const struct pt_format *f, int page_shift)
{
	uint64_t page = 1ull << page_shift, patb, prtb, ptcr, rpds = f->index_bits[3];
	struct pt_table_roots out;
	struct pt_translation tr;
	const char *why;
	struct tree t;

	if (!tree_init(&t, f))
		return;
	CHECK_EQ(map1(&t, 5 * page, 0x5000000, page, PT_R | PT_USER, 0), 0);
	CHECK_EQ(map1(&t, Q3 + 9 * page, 0x9000000, page, PT_R | PT_W, 0), 0);
	/* The tables as Linux lays them out: 4K each (PATS = PRTS = 0: 256 entries). */
	if (!CHECK_EQ(t.a.mem.alloc(&t.a.mem, 4096, &patb), 0) ||
	    !CHECK_EQ(t.a.mem.alloc(&t.a.mem, 4096, &prtb), 0))
		return;
	store_be(&t.a, patb, PATE0_HR | RTS52 | t.mm.root[1] | rpds);
	store_be(&t.a, patb + 8, (1ull << 63) | prtb | 0); /* GR, PRTB, PRTS = 0 */
	store_be(&t.a, prtb, RTS52 | t.mm.root[1] | rpds);
	store_be(&t.a, prtb + 16 * TBL_PID, RTS52 | t.mm.root[0] | rpds);
	ptcr = patb | 0;

	CHECK_EQ(table_roots(f, &t, ptcr, 0, TBL_PID, &out, &why), 0);
	CHECK_EQ(out.root[0], t.mm.root[0]);
	CHECK_EQ(out.root[1], t.mm.root[1]);
	CHECK_EQ(out.part_entry_pa, patb);
	CHECK_EQ(out.proc_table_pa, prtb);
	CHECK_EQ(out.proc_table_count, 256);
	CHECK_EQ(out.entry_pa[0], prtb + 16 * TBL_PID);
	CHECK_EQ(out.entry_pa[1], prtb);
	/* The entry as --root: RPDS is log2 of the root's entries (13), as Linux writes it. */
	CHECK_EQ(f->ops.root_of_reg(RTS52 | t.mm.root[0] | rpds, &out.root[0], &why), 0);
	CHECK_EQ(out.root[0], t.mm.root[0]);
	CHECK_EQ(f->ops.root_of_reg(RTS52 | t.mm.root[0] | (rpds - 3), &out.root[0], &why),
		 -PT_EINVAL);
	/* The roots found walk the trees built: quadrant 0 through PID 7's, 3 through PID 0's. */
	{
		struct pt_mm mm;

		pt_mm_attach(&mm, f, &t.a.mem, out.root[0], out.root[1]);
		CHECK_EQ(pt_translate(&mm, 5 * page + 3, &tr), 0);
		CHECK_EQ(tr.pa, 0x5000003);
		CHECK_EQ(pt_translate(&mm, Q3 + 9 * page, &tr), 0);
		CHECK_EQ(tr.pa, 0x9000000);
	}
	/* PID 0: the kernel's tree for both quadrants. */
	CHECK_EQ(table_roots(f, &t, ptcr, 0, 0, &out, &why), 0);
	CHECK_EQ(out.root[0], t.mm.root[1]);
	CHECK_EQ(out.root[1], t.mm.root[1]);

	/* A PID whose entry is 0, or beyond PRTS; then the same PID with a larger PRTS. */
	CHECK_EQ(table_roots(f, &t, ptcr, 0, 3, &out, &why), -PT_ENOENT);
	CHECK_EQ(out.failed, 1);
	CHECK_EQ(out.entry_pa[0], prtb + 48);
	CHECK(strstr(why, "empty") != NULL);
	CHECK_EQ(table_roots(f, &t, ptcr, 0, 256, &out, &why), -PT_ERANGE);
	CHECK(strstr(why, "PRTS") != NULL);
	CHECK_EQ(table_roots(f, &t, ptcr, 0, 1ull << 20, &out, &why), -PT_ERANGE);
	store_be(&t.a, patb + 8, prtb | 1);
	CHECK_EQ(table_roots(f, &t, ptcr, 0, 256, &out, &why), -PT_ENOENT); /* next 4K: zeros */
	CHECK_EQ(out.proc_table_count, 512);
	store_be(&t.a, patb + 8, prtb | 25);
	CHECK_EQ(table_roots(f, &t, ptcr, 0, TBL_PID, &out, &why), -PT_EBADENT);
	/* A process table outside memory. */
	store_be(&t.a, patb + 8, 0x0ffffffffffff000ull);
	CHECK_EQ(table_roots(f, &t, ptcr, 0, TBL_PID, &out, &why), -PT_EFAULT);
	CHECK_EQ(out.failed, 1);
	store_be(&t.a, patb + 8, prtb);

	/* Process-table entries for another tree geometry. */
	store_be(&t.a, prtb + 16 * TBL_PID, RTS52 | t.mm.root[0] | (rpds - 1));
	CHECK_EQ(table_roots(f, &t, ptcr, 0, TBL_PID, &out, &why), -PT_EINVAL);
	CHECK(strstr(why, "RPDS") != NULL);
	store_be(&t.a, prtb + 16 * TBL_PID, (2ull << 61) | t.mm.root[0] | rpds); /* RTS 16 */
	CHECK_EQ(table_roots(f, &t, ptcr, 0, TBL_PID, &out, &why), -PT_EINVAL);
	CHECK(strstr(why, "RTS") != NULL);
	store_be(&t.a, prtb, 0); /* PID 0 without a tree */
	CHECK_EQ(table_roots(f, &t, ptcr, 0, 0, &out, &why), -PT_ENOENT);
	CHECK_EQ(out.failed, 1);
	store_be(&t.a, prtb + 16 * TBL_PID, RTS52 | t.mm.root[0] | rpds);
	CHECK_EQ(table_roots(f, &t, ptcr, 0, TBL_PID, &out, &why), -PT_ENOENT);
	CHECK_EQ(out.failed, 2);
	store_be(&t.a, prtb, RTS52 | t.mm.root[1] | rpds);
	CHECK_EQ(table_roots(f, &t, ptcr, 0, TBL_PID, &out, &why), 0);

	/* The partition table: HPT, LPID bounds, a guest, outside memory, PTCR bits. */
	store_be(&t.a, patb, RTS52 | t.mm.root[1] | rpds); /* HR = 0 */
	CHECK_EQ(table_roots(f, &t, ptcr, 0, TBL_PID, &out, &why), -PT_EINVAL);
	CHECK(strstr(why, "hashed page table, not radix") != NULL);
	CHECK(strstr(why, "does not walk HPT") != NULL);
	store_be(&t.a, patb, PATE0_HR | RTS52 | t.mm.root[1] | rpds);
	CHECK_EQ(table_roots(f, &t, ptcr, 256, TBL_PID, &out, &why), -PT_ERANGE);
	CHECK(strstr(why, "PATS") != NULL);
	CHECK_EQ(table_roots(f, &t, ptcr, 1, TBL_PID, &out, &why), -PT_ENOENT);
	CHECK(strstr(why, "no partition with this LPID") != NULL);
	store_be(&t.a, patb + 16 * 2 + 8, prtb); /* HR = 0, a process table: HPT */
	CHECK_EQ(table_roots(f, &t, ptcr, 2, TBL_PID, &out, &why), -PT_EINVAL);
	CHECK(strstr(why, "hashed page table") != NULL);
	CHECK_EQ(table_roots(f, &t, ptcr, 4096, TBL_PID, &out, &why), -PT_ERANGE);
	store_be(&t.a, patb + 16, PATE0_HR);
	CHECK_EQ(table_roots(f, &t, ptcr, 1, TBL_PID, &out, &why), -PT_EINVAL);
	CHECK(strstr(why, "guest") != NULL);
	CHECK_EQ(out.part_entry_pa, patb + 16);
	CHECK_EQ(table_roots(f, &t, 0x0ffffffffffff000ull, 0, 0, &out, &why), -PT_EFAULT);
	CHECK_EQ(out.failed, 0);
	CHECK_EQ(table_roots(f, &t, ptcr | (1ull << 60), 0, 0, &out, &why), -PT_EINVAL);
	CHECK_EQ(table_roots(f, &t, ptcr | 0x20, 0, 0, &out, &why), -PT_EINVAL);
	CHECK(strstr(why, "reserved") != NULL);
	CHECK_EQ(table_roots(f, &t, ptcr | 25, 0, 0, &out, &why), -PT_EINVAL);
	CHECK(strstr(why, "PATS") != NULL);
	t.a.mem.free(&t.a.mem, patb, 4096);
	t.a.mem.free(&t.a.mem, prtb, 4096);
	tree_fini(&t);
}

/* Formats whose root register points at the tree: no tables of roots, said so. */
static void test_no_table_reg(void)
{
	const char *names[] = { "x86_64", "arm64-4k-48", "riscv-sv39" };

	for (size_t i = 0; i < N(names); i++) {
		const struct pt_format *f = pt_format_find(names[i]);
		struct pt_table_roots out;
		const char *why = "";

		if (!CHECK(f != NULL))
			continue;
		CHECK_EQ(f->ops.roots_of_table_reg(0x1000, 0, 0, arena_read, NULL, &out, &why),
			 -PT_EINVAL);
		CHECK(strstr(why, "not supported by this format") != NULL);
	}
}

int main(void)
{
	f4k = pt_format_find("ppc64-radix-4k");
	f64k = pt_format_find("ppc64-radix-64k");
	if (!CHECK(f4k && f64k))
		return CHECK_DONE();
	test_registry();
	test_geometry(f4k, 12);
	test_geometry(f64k, 16);
	const struct pt_format *fmts[] = { f4k, f64k };
	const int shifts[] = { 12, 16 };
	for (size_t i = 0; i < N(fmts); i++) {
		test_leaf_vecs(fmts[i]);
		test_decode_leaf_vecs(fmts[i]);
		test_table_vecs(fmts[i]);
		test_empty_and_bad(fmts[i]);
		test_reject_vecs(fmts[i]);
		test_leaf_bytes_in_memory(fmts[i]);
		test_tree(fmts[i], shifts[i]);
		test_corrupt(fmts[i], shifts[i]);
		test_table_reg(fmts[i], shifts[i]);
	}
	test_no_table_reg();
	return CHECK_DONE();
}
