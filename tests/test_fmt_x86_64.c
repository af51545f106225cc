// SPDX-License-Identifier: MIT
/*
 * Golden vectors for src/fmt/x86_64.h, formats "x86_64" (4-level) and "x86_64-la57"
 * (5-level). Every expected bit comes from the Intel SDM vol. 3A:
 *   4.5 tables 4-14 (PML5E), 4-15 (PML4E), 4-16 (PDPTE, 1G page), 4-17 (PDPTE -> PD),
 *       4-18 (PDE, 2M page), 4-19 (PDE -> PT), 4-20 (PTE, 4K page);
 *   11.12.3 tables 11-11 (PAT index = PAT:PCD:PWT) and 11-12 (power-on PAT:
 *       0 WB, 1 WT, 2 UC-, 3 UC, 4 WB, 5 WT, 6 UC-, 7 UC).
 * The vectors are tables; the code below only runs them, in both directions.
 */
#include <string.h>

#include "golden.h"

#define F4 1u /* row applies to x86_64 */
#define F5 2u /* row applies to x86_64-la57 */
#define FB (F4 | F5)

#define K4 0x1000ull
#define M2 0x200000ull
#define G1 0x40000000ull
#define PA_LIMIT (1ull << 52) /* MAXPHYADDR = 52 */
#define XD (1ull << 63)

/* Leaves that encode_leaf must produce, and that decode must read back (both directions). */
struct leaf_vec {
	int level;
	uint64_t pa;
	uint32_t prot;
	uint64_t raw;
	const char *sdm;
};

static const struct leaf_vec leaf_vecs[] = {
	/* 4K PTE, table 4-20. Bit 7 is PAT here, never PS. */
	{ 0, 0x1000, PT_R, XD | 0x1000 | 0x001, "4-20 P (bit 0); XD (bit 63) without PT_X" },
	{ 0, 0x1000, PT_R | PT_W, XD | 0x1000 | 0x003, "4-20 R/W (bit 1)" },
	{ 0, 0x1000, PT_R | PT_USER, XD | 0x1000 | 0x005, "4-20 U/S (bit 2)" },
	{ 0, 0x1000, PT_R | PT_X, 0x1000 | 0x001, "4-20 XD (bit 63) clear with PT_X" },
	{ 0, 0x1000, PT_R | PT_DEVICE, XD | 0x1000 | 0x019,
	  "4-20 PCD|PWT (bits 4,3): PAT index 3 = UC (11.12.3)" },
	{ 0, 0x1000, PT_R | PT_NOCACHE, XD | 0x1000 | 0x011,
	  "4-20 PCD (bit 4): PAT index 2 = UC- (11.12.3)" },
	{ 0, 0x1000, PT_R | PT_YOUNG, XD | 0x1000 | 0x021, "4-20 A (bit 5)" },
	{ 0, 0x1000, PT_R | PT_DIRTY, XD | 0x1000 | 0x041, "4-20 D (bit 6)" },
	{ 0, 0x1000, PT_R | PT_GLOBAL, XD | 0x1000 | 0x101, "4-20 G (bit 8)" },
	{ 0, 0x1000, PT_USER, XD | 0x1000 | 0x104,
	  "4-20 P = 0 (4.5.4: bits 63:1 ignored): PROT_NONE, G (bit 8) its mark" },
	{ 1, M2, PT_USER | PT_DIRTY, XD | M2 | 0x1c4, "4-18 PROT_NONE 2M: PS and D kept, P = 0" },
	{ 0, 0x1000, PT_R | PT_SPECIAL, XD | 0x1000 | 0x201, "4-20 bit 9 ignored: ptkit SPECIAL" },
	{ 0, 0, PT_R | PT_W, XD | 0x003, "4-20 PA 0" },
	{ 0, 0x123456789a000, PT_R, XD | 0x123456789a000 | 0x001, "4-20 address bits 51:12" },
	{ 0, PA_LIMIT - K4, PT_R | PT_W | PT_X, 0x000ffffffffff003,
	  "4-20 max PA 2^52-4K: address bits 51:12 all set" },
	{ 0, PA_LIMIT - K4,
	  PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL | PT_DEVICE | PT_YOUNG | PT_DIRTY | PT_SPECIAL,
	  0x000ffffffffff37f, "4-20 every attribute; bit 7 (PAT) stays clear" },
	{ 0, PA_LIMIT - K4, PT_R | PT_NOCACHE | PT_USER, XD | 0x000ffffffffff015, "4-20 UC- user" },

	/* 2M PDE, table 4-18: PS (bit 7) set. */
	{ 1, M2, PT_R, XD | M2 | 0x081, "4-18 P, PS (bit 7)" },
	{ 1, M2, PT_R | PT_W, XD | M2 | 0x083, "4-18 R/W" },
	{ 1, M2, PT_R | PT_USER, XD | M2 | 0x085, "4-18 U/S" },
	{ 1, M2, PT_R | PT_X, M2 | 0x081, "4-18 XD clear" },
	{ 1, M2, PT_R | PT_DEVICE, XD | M2 | 0x099, "4-18 PCD|PWT: PAT index 3 = UC" },
	{ 1, M2, PT_R | PT_NOCACHE, XD | M2 | 0x091, "4-18 PCD: PAT index 2 = UC-" },
	{ 1, M2, PT_R | PT_YOUNG, XD | M2 | 0x0a1, "4-18 A (bit 5)" },
	{ 1, M2, PT_R | PT_DIRTY, XD | M2 | 0x0c1, "4-18 D (bit 6)" },
	{ 1, M2, PT_R | PT_GLOBAL, XD | M2 | 0x181, "4-18 G (bit 8)" },
	{ 1, M2, PT_R | PT_SPECIAL, XD | M2 | 0x281, "4-18 bit 9 ignored: ptkit SPECIAL" },
	{ 1, 0, PT_R, XD | 0x081, "4-18 PA 0" },
	{ 1, PA_LIMIT - M2, PT_R | PT_W | PT_X, 0x000fffffffe00083,
	  "4-18 max PA 2^52-2M: address bits 51:21" },
	{ 1, PA_LIMIT - M2,
	  PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL | PT_DEVICE | PT_YOUNG | PT_DIRTY | PT_SPECIAL,
	  0x000fffffffe003ff, "4-18 every attribute; PAT (bit 12) stays clear" },

	/* 1G PDPTE, table 4-16: PS (bit 7) set. */
	{ 2, G1, PT_R, XD | G1 | 0x081, "4-16 P, PS (bit 7)" },
	{ 2, G1, PT_R | PT_W, XD | G1 | 0x083, "4-16 R/W" },
	{ 2, G1, PT_R | PT_USER, XD | G1 | 0x085, "4-16 U/S" },
	{ 2, G1, PT_R | PT_X, G1 | 0x081, "4-16 XD clear" },
	{ 2, G1, PT_R | PT_DEVICE, XD | G1 | 0x099, "4-16 PCD|PWT: PAT index 3 = UC" },
	{ 2, G1, PT_R | PT_NOCACHE, XD | G1 | 0x091, "4-16 PCD: PAT index 2 = UC-" },
	{ 2, G1, PT_R | PT_YOUNG, XD | G1 | 0x0a1, "4-16 A (bit 5)" },
	{ 2, G1, PT_R | PT_DIRTY, XD | G1 | 0x0c1, "4-16 D (bit 6)" },
	{ 2, G1, PT_R | PT_GLOBAL, XD | G1 | 0x181, "4-16 G (bit 8)" },
	{ 2, G1, PT_R | PT_SPECIAL, XD | G1 | 0x281, "4-16 bit 9 ignored: ptkit SPECIAL" },
	{ 2, PA_LIMIT - G1, PT_R | PT_W | PT_X, 0x000fffffc0000083,
	  "4-16 max PA 2^52-1G: address bits 51:30" },
	{ 2, PA_LIMIT - G1,
	  PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL | PT_NOCACHE | PT_YOUNG | PT_DIRTY | PT_SPECIAL,
	  0x000fffffc00003f7, "4-16 every attribute, UC-" },
};

/* Leaves only decode can produce: PAT bit, protection keys, ignored bits. */
struct decode_leaf_vec {
	int level;
	uint64_t raw;
	uint64_t pa;
	uint32_t prot;
	uint32_t pkey;
	const char *sdm;
};

static const struct decode_leaf_vec decode_leaf_vecs[] = {
	{ 0, 0x1000 | 0x124, 0x1000, PT_USER | PT_YOUNG, 0,
	  "4.5.4 PROT_NONE with XD clear (as Linux makes it): no right, not even PT_X" },
	/* PAT index = PAT:PCD:PWT, power-on PAT (11.12.3, tables 11-11, 11-12). */
	{ 0, XD | 0x1000 | 0x009, 0x1000, PT_R, 0, "11-12 4K PWT: index 1 = WT" },
	{ 0, XD | 0x1000 | 0x081, 0x1000, PT_R, 0, "4-20 PAT (bit 7): index 4 = WB" },
	{ 0, XD | 0x1000 | 0x089, 0x1000, PT_R, 0, "4-20 PAT|PWT: index 5 = WT" },
	{ 0, XD | 0x1000 | 0x091, 0x1000, PT_R | PT_NOCACHE, 0, "4-20 PAT|PCD: index 6 = UC-" },
	{ 0, XD | 0x1000 | 0x099, 0x1000, PT_R | PT_DEVICE, 0, "4-20 PAT|PCD|PWT: index 7 = UC" },
	{ 1, XD | M2 | 0x1081, M2, PT_R, 0, "4-18 PAT (bit 12) is not reserved: index 4 = WB" },
	{ 1, XD | M2 | 0x1089, M2, PT_R, 0, "4-18 PAT|PWT: index 5 = WT" },
	{ 1, XD | M2 | 0x1091, M2, PT_R | PT_NOCACHE, 0, "4-18 PAT|PCD: index 6 = UC-" },
	{ 1, XD | M2 | 0x1099, M2, PT_R | PT_DEVICE, 0, "4-18 PAT|PCD|PWT: index 7 = UC" },
	{ 1, XD | M2 | 0x0089, M2, PT_R, 0, "4-18 PWT: index 1 = WT" },
	{ 2, XD | G1 | 0x1081, G1, PT_R, 0, "4-16 PAT (bit 12) is not reserved: index 4 = WB" },
	{ 2, XD | G1 | 0x1089, G1, PT_R, 0, "4-16 PAT|PWT: index 5 = WT" },
	{ 2, XD | G1 | 0x1091, G1, PT_R | PT_NOCACHE, 0, "4-16 PAT|PCD: index 6 = UC-" },
	{ 2, XD | G1 | 0x1099, G1, PT_R | PT_DEVICE, 0, "4-16 PAT|PCD|PWT: index 7 = UC" },
	{ 1, XD | (PA_LIMIT - M2) | 0x1081, PA_LIMIT - M2, PT_R, 0, "4-18 max PA with PAT set" },
	{ 2, XD | (PA_LIMIT - G1) | 0x1081, PA_LIMIT - G1, PT_R, 0, "4-16 max PA with PAT set" },
	/* Protection keys, bits 62:59 (CR4.PKE=1). */
	{ 0, XD | (0xfull << 59) | 0x1000 | 0x001, 0x1000, PT_R, 15, "4-20 PK bits 62:59 = 15" },
	{ 0, (5ull << 59) | 0x1000 | 0x003, 0x1000, PT_R | PT_W | PT_X, 5, "4-20 PK = 5" },
	{ 0, XD | (1ull << 59) | 0x1000 | 0x001, 0x1000, PT_R, 1, "4-20 PK bit 59" },
	{ 0, XD | (8ull << 59) | 0x1000 | 0x001, 0x1000, PT_R, 8, "4-20 PK bit 62" },
	{ 1, XD | (0xaull << 59) | M2 | 0x081, M2, PT_R, 10, "4-18 PK = 10" },
	{ 2, XD | (0x3ull << 59) | G1 | 0x085, G1, PT_R | PT_USER, 3, "4-16 PK = 3" },
	/* Ignored bits: 11:9 except ptkit's bit 9, and 58:52. */
	{ 0, XD | (0x7full << 52) | 0x1000 | 0x001, 0x1000, PT_R, 0, "4-20 bits 58:52 ignored" },
	{ 0, XD | 0x1000 | 0xc01, 0x1000, PT_R, 0, "4-20 bits 11:10 ignored" },
	{ 1, XD | (0x7full << 52) | M2 | 0xc81, M2, PT_R, 0, "4-18 bits 58:52, 11:10 ignored" },
	{ 2, XD | (0x7full << 52) | G1 | 0xc81, G1, PT_R, 0, "4-16 bits 58:52, 11:10 ignored" },
};

/* Entries that reference a table (PS=0 at levels 1..top). */
struct table_vec {
	unsigned fmts;
	int level;
	uint64_t raw;
	uint64_t pa;
	uint32_t allow; /* which of PT_W, PT_USER, PT_X the entry lets through (SDM 4.6) */
	const char *sdm;
};

#define WUX (PT_W | PT_USER | PT_X)

static const struct table_vec table_vecs[] = {
	{ FB, 1, 0x0000000012345007, 0x12345000, WUX, "4-19 PDE -> PT" },
	{ FB, 2, 0x0000000012345007, 0x12345000, WUX, "4-17 PDPTE -> PD" },
	{ FB, 3, 0x0000000012345007, 0x12345000, WUX, "4-15 PML4E -> PDPT" },
	{ F5, 4, 0x0000000012345007, 0x12345000, WUX, "4-14 PML5E -> PML4" },
	{ FB, 1, 0x000ffffffffff007, 0x000ffffffffff000, WUX, "4-19 max PA (bits 51:12)" },
	{ FB, 2, 0x000ffffffffff007, 0x000ffffffffff000, WUX, "4-17 max PA" },
	{ FB, 3, 0x000ffffffffff007, 0x000ffffffffff000, WUX, "4-15 max PA" },
	{ F5, 4, 0x000ffffffffff007, 0x000ffffffffff000, WUX, "4-14 max PA" },
	/* Bits 20:12 set in a PDE/PDPTE with PS=0 are address bits, not reserved. */
	{ FB, 1, 0x0000000000001001, 0x1000, PT_X, "4-19 read-only supervisor, XD clear" },
	{ FB, 2, 0x00000000001ff001 | XD, 0x1ff000, 0, "4-17 XD, R/W=0, U/S=0" },
	{ FB, 1, XD | 0x5000 | 0x027, 0x5000, PT_W | PT_USER, "4-19 XD blocks exec below" },
	{ FB, 3, (0x7full << 52) | 0x5000 | 0x003, 0x5000, PT_W | PT_X, "4-15 bits 58:52 ignored" },
	{ F5, 4, XD | 0x5000 | 0x025, 0x5000, PT_USER, "4-14 R/W=0, XD" },
	{ FB, 1, 0x5000 | 0x107, 0x5000, WUX, "4-19 bit 8 ignored in a non-leaf" },
};

/* Not-present entries: P=0 makes every other bit ignored (SDM 4.5.4); G=0: no PROT_NONE. */
static const uint64_t empty_raws[] = {
	0x0000000000000000, 0xfffffffffffffefe, 0x0000000000000080,
	0x8000000000001082, 0x000ffffffffff0fe, 0x7ff0000000000000,
};

/* Reserved encodings: decode must say BAD, with a reason. */
struct bad_vec {
	unsigned fmts;
	int level;
	uint64_t raw;
	const char *sdm;
};

static const struct bad_vec bad_vecs[] = {
	{ FB, 3, 0x0000000000000081, "4-15 PS (bit 7) reserved in a PML4E" },
	{ FB, 3, 0x0000000040000087, "4-15 PS in a PML4E, 1G-aligned address" },
	{ FB, 3, XD | 0x000ffffffffff0e7, "4-15 PS in a PML4E with every other bit" },
	{ F5, 4, 0x0000000000000081, "4-14 PS (bit 7) reserved in a PML5E" },
	{ F5, 4, 0x0000000040000087, "4-14 PS in a PML5E, 1G-aligned address" },
	{ FB, 1, XD | M2 | (1ull << 13) | 0x081, "4-18 reserved bit 13 in a 2M PDE" },
	{ FB, 1, XD | M2 | (1ull << 20) | 0x081, "4-18 reserved bit 20 in a 2M PDE" },
	{ FB, 1, XD | M2 | 0x1fe000 | 0x081, "4-18 reserved bits 20:13 in a 2M PDE" },
	{ FB, 1, XD | M2 | (1ull << 16) | 0x1081, "4-18 reserved bit 16 with PAT set" },
	{ FB, 2, XD | G1 | (1ull << 13) | 0x081, "4-16 reserved bit 13 in a 1G PDPTE" },
	{ FB, 2, XD | G1 | (1ull << 21) | 0x081, "4-16 reserved bit 21 in a 1G PDPTE" },
	{ FB, 2, XD | G1 | (1ull << 29) | 0x081, "4-16 reserved bit 29 in a 1G PDPTE" },
	{ FB, 2, XD | G1 | 0x3fffe000 | 0x1081, "4-16 reserved bits 29:13 in a 1G PDPTE" },
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
	{ FB, 3, 0, PT_R, "no leaves in a PML4E (4-15)" },
	{ FB, 3, 1ull << 39, PT_R | PT_W, "no 512G leaves in a PML4E (4-15)" },
	{ F5, 4, 0, PT_R, "no leaves in a PML5E (4-14)" },
	{ F4, 4, 0, PT_R, "level 4 does not exist on 4-level paging" },
	{ F5, 5, 0, PT_R, "level 5 does not exist on 5-level paging" },
	{ FB, -1, 0, PT_R, "negative level" },
	{ FB, 0, 0x1800, PT_R, "PA not 4K-aligned" },
	{ FB, 0, 0x1001, PT_R, "PA not 4K-aligned (bit 0)" },
	{ FB, 1, 0x1000, PT_R, "PA not 2M-aligned" },
	{ FB, 1, M2 + 0x100000, PT_R, "PA not 2M-aligned (bit 20)" },
	{ FB, 2, M2, PT_R, "PA not 1G-aligned" },
	{ FB, 2, G1 + 0x20000000, PT_R, "PA not 1G-aligned (bit 29)" },
	{ FB, 0, PA_LIMIT, PT_R, "PA = 2^52 (MAXPHYADDR)" },
	{ FB, 1, PA_LIMIT, PT_R, "2M PA = 2^52" },
	{ FB, 2, PA_LIMIT, PT_R, "1G PA = 2^52" },
	{ FB, 0, 1ull << 63, PT_R, "PA bit 63" },
	{ FB, 2, ~(G1 - 1), PT_R, "1G PA all high bits" },
	{ FB, 0, 0x1000, PT_R | PT_DEVICE | PT_NOCACHE, "DEVICE and NOCACHE together" },
	{ FB, 1, M2, PT_DEVICE | PT_NOCACHE, "DEVICE and NOCACHE together (2M)" },
	{ FB, 2, G1, PT_R | PT_W | PT_DEVICE | PT_NOCACHE, "DEVICE and NOCACHE together (1G)" },
	{ FB, 0, 0x1000, PT_R | (1u << 20), "unknown prot bit" },
};

static unsigned fmt_bit(const struct pt_format *f)
{
	return f->levels == 5 ? F5 : F4;
}

static void test_leaf_vecs(const struct pt_format *f)
{
	for (size_t i = 0; i < N(leaf_vecs); i++) {
		const struct leaf_vec *v = &leaf_vecs[i];
		bool ok = golden_encode(f, v->level, v->pa, v->prot, v->raw);

		ok &= golden_decode_leaf(f, v->level, v->raw, v->pa, v->prot, 0, 1, NULL);
		if (!ok)
			golden_report(f, "leaf vector", v->sdm);
	}
}

static void test_decode_leaf_vecs(const struct pt_format *f)
{
	for (size_t i = 0; i < N(decode_leaf_vecs); i++) {
		const struct decode_leaf_vec *v = &decode_leaf_vecs[i];

		if (!golden_decode_leaf(f, v->level, v->raw, v->pa, v->prot, v->pkey, 1, NULL))
			golden_report(f, "decode-only leaf vector", v->sdm);
	}
}

static void test_table_vecs(const struct pt_format *f)
{
	for (size_t i = 0; i < N(table_vecs); i++) {
		const struct table_vec *v = &table_vecs[i];

		if ((v->fmts & fmt_bit(f)) &&
		    !golden_table(f, v->level, v->raw, v->pa, WUX, v->allow))
			golden_report(f, "table vector", v->sdm);
	}
	/* encode_table: P|R/W|U/S, the leaf alone decides the rights (SDM 4.6). */
	for (int l = 1; l < f->levels; l++) {
		uint64_t pas[] = { 0, 0x1000, 0x12345000, PA_LIMIT - K4 };
		for (size_t i = 0; i < N(pas); i++)
			golden_encode_table(f, l, pas[i], ~0ull, pas[i] | 0x7, WUX, WUX);
	}
}

static void test_empty_and_bad(const struct pt_format *f)
{
	golden_empty(f, empty_raws, N(empty_raws));
	for (size_t i = 0; i < N(bad_vecs); i++) {
		const struct bad_vec *v = &bad_vecs[i];

		if ((v->fmts & fmt_bit(f)) && !golden_bad(f, v->level, v->raw, ""))
			golden_report(f, "reserved-encoding vector", v->sdm);
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

/* Geometry (SDM 4.5: 9 index bits per level, 4K pages, 2M/1G leaves at PDE/PDPTE). */
static void test_geometry(const struct pt_format *f, int levels)
{
	static const char *const names5[] = { "pte", "pmd", "pud", "p4d", "pgd" };
	static const char *const names4[] = { "pte", "pmd", "pud", "pgd" };
	const char *const *names = levels == 5 ? names5 : names4;

	CHECK_EQ(f->levels, levels);
	CHECK_EQ(f->va_bits, levels == 5 ? 57 : 48);
	CHECK_EQ(f->pa_bits, 52);
	CHECK_EQ(f->entry_size, 8);
	CHECK(!f->big_endian);
	CHECK(!f->two_roots);
	CHECK_EQ(f->page_sizes, K4 | M2 | G1);
	CHECK(f->description != NULL && f->description[0]);
	for (int l = 0; l < levels; l++) {
		CHECK_EQ(f->shift[l], 12 + 9 * l);
		CHECK_EQ(f->index_bits[l], 9);
		CHECK_EQ(f->leaf_ok[l], l <= 2);
		CHECK(f->level_name[l] != NULL && strcmp(f->level_name[l], names[l]) == 0);
		CHECK_EQ(pt_table_bytes(f, l), 4096);
		CHECK_EQ(pt_level_size(f, l), 1ull << (12 + 9 * l));
	}
	for (int l = levels; l < PT_MAX_LEVELS; l++)
		CHECK(!f->leaf_ok[l]);
}

static void test_registry(void)
{
	const struct pt_format *f4 = pt_format_find("x86_64");
	const struct pt_format *f5 = pt_format_find("x86_64-la57");
	int seen4 = 0, seen5 = 0;
	unsigned i;

	CHECK(f4 != NULL);
	CHECK(f5 != NULL);
	CHECK(f4 != f5);
	CHECK(f4 && strcmp(f4->name, "x86_64") == 0);
	CHECK(f5 && strcmp(f5->name, "x86_64-la57") == 0);
	CHECK(pt_format_find("x86") == NULL);
	CHECK(pt_format_find("x86_64-") == NULL);
	CHECK(pt_format_find("x86_64-la5") == NULL);
	CHECK(pt_format_find("x86_64-la577") == NULL);
	CHECK(pt_format_find("X86_64") == NULL);
	CHECK(pt_format_find("") == NULL);
	CHECK(pt_format_find("no-such-format") == NULL);
	for (i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);

		CHECK(pt_format_find(f->name) == f);
		seen4 += f == f4;
		seen5 += f == f5;
		CHECK(i < 64);
		if (i >= 64)
			break;
	}
	CHECK_EQ(seen4, 1);
	CHECK_EQ(seen5, 1);
	CHECK(pt_format_at(i) == NULL);
	CHECK(pt_format_at(i + 1) == NULL);
	CHECK(pt_format_at(~0u) == NULL);
}

int main(void)
{
	const struct pt_format *f4 = pt_format_find("x86_64");
	const struct pt_format *f5 = pt_format_find("x86_64-la57");

	test_registry();
	if (!CHECK(f4 && f5))
		return CHECK_DONE();
	test_geometry(f4, 4);
	test_geometry(f5, 5);
	const struct pt_format *fmts[] = { f4, f5 };
	for (size_t i = 0; i < N(fmts); i++) {
		test_leaf_vecs(fmts[i]);
		test_decode_leaf_vecs(fmts[i]);
		test_table_vecs(fmts[i]);
		test_empty_and_bad(fmts[i]);
		test_reject_vecs(fmts[i]);
	}
	return CHECK_DONE();
}
