// SPDX-License-Identifier: MIT
/*
 * Golden vectors for src/fmt/arm64.h, the nine arm64 VMSAv8-64 stage-1 formats. Every
 * expected bit comes from the Arm ARM (DDI 0487 K.a) chapter D8:
 *   D8.2 "Translation process" (granules, lookup levels, TTBR0/TTBR1 VA ranges),
 *   D8.3 "Translation table descriptor formats" (table/block/page descriptors, OA fields
 *        with FEAT_LPA and FEAT_LPA2, AArch64.BlockDescSupported()),
 *   D8.4 "Memory access control" (AP[2:1], PXN, UXN, APTable, PXNTable, UXNTable),
 *   D8.5 "Hardware updates of the translation tables" (AF, DBM),
 *   D8.6 "Memory region attributes" (AttrIndx, MAIR_EL1, SH),
 *   "The Contiguous bit" (group sizes per granule and level).
 * ptkit's MAIR_EL1 = 0x000000040044ffff (Linux's layout): 0 and 1 Normal WB, 2 Normal NC,
 * 3 Device-nGnRnE, 4 Device-nGnRE, 5-7 0x00 Device-nGnRnE.
 * The vectors are tables; the code below only runs them, in both directions.
 */
#include <string.h>

#include "golden.h"
#include "ptkit/mem.h"
#include "ptkit/ptkit.h"

/* fmt_split_leaf is not exported: reach it through one format's header (4KB, 48-bit). */
#include "fmt/arm64_4k_48.h"

/* Formats, in `ptkit formats` order. */
#define F4_39 (1u << 0)
#define F4_48 (1u << 1)
#define F4_52 (1u << 2)
#define F16_36 (1u << 3)
#define F16_47 (1u << 4)
#define F16_52 (1u << 5)
#define F64_42 (1u << 6)
#define F64_48 (1u << 7)
#define F64_52 (1u << 8)
#define F4N (F4_39 | F4_48)    /* 4KB, 48-bit OA */
#define F16N (F16_36 | F16_47) /* 16KB, 48-bit OA */
#define F64N (F64_42 | F64_48) /* 64KB, 48-bit OA */
#define FLPA2 (F4_52 | F16_52) /* DS = 1: bits 9:8 are OA[51:50], no SH field */
#define FSH (FALL & ~FLPA2)    /* bits 9:8 are SH[1:0] */
#define FALL 0x1ffu

static const char *const names[] = {
	"arm64-4k-39",	"arm64-4k-48",	"arm64-4k-52",	"arm64-16k-36", "arm64-16k-47",
	"arm64-16k-52", "arm64-64k-42", "arm64-64k-48", "arm64-64k-52",
};
#define NFMT 9

/* Descriptor fields (D8.3). */
#define V (1ull << 0)		    /* valid */
#define PAGE 3ull		    /* 0b11 at level 3 */
#define BLOCK 1ull		    /* 0b01 at levels that allow blocks */
#define TABLE 3ull		    /* 0b11 at levels -1..2 */
#define IDX(n) ((uint64_t)(n) << 2) /* AttrIndx[2:0], bits 4:2 (D8.6) */
#define NS (1ull << 5)		    /* ignored in Non-secure stage 1 */
#define AP_EL0 (1ull << 6)	    /* AP[1] (D8.4) */
#define AP_RO (1ull << 7)	    /* AP[2] (D8.4) */
#define ISH (3ull << 8)		    /* SH = 0b11 Inner Shareable (D8.6) */
#define AF (1ull << 10)		    /* D8.5 */
#define NG (1ull << 11)		    /* not global (D8.3) */
#define NT (1ull << 16)		    /* nT, FEAT_BBM (block descriptors) */
#define GP (1ull << 50)		    /* guarded page, FEAT_BTI */
#define DBM (1ull << 51)	    /* D8.5 */
#define CONT (1ull << 52)	    /* Contiguous */
#define PXN (1ull << 53)
#define UXN (1ull << 54)
#define SW55 (1ull << 55) /* software: ptkit PT_SPECIAL */
#define SW56 (1ull << 56) /* software: ptkit dirty while read-only */
#define SW58 (1ull << 58) /* software: ptkit PROT_NONE (with bit 0 clear) */
#define PXNT (1ull << 59) /* PXNTable */
#define UXNT (1ull << 60) /* UXNTable */
#define APT0 (1ull << 61) /* APTable[0]: no EL0 */
#define APT1 (1ull << 62) /* APTable[1]: no write */
#define NST (1ull << 63)  /* NSTable */
#define KNX (UXN | PXN)	  /* kernel, not executable */

#define K4 0x1000ull
#define K16 0x4000ull
#define K64 0x10000ull
#define M2 0x200000ull
#define M32 0x2000000ull
#define M512 0x20000000ull
#define G1 0x40000000ull
#define G64 (1ull << 36)
#define G512 (1ull << 39)
#define T4 (1ull << 42)
#define P48 (1ull << 48)
#define P52 (1ull << 52)

#define WUX (PT_W | PT_USER | PT_X)

/* Leaves that encode_leaf must produce and decode must read back (prot | PT_YOUNG: AF = 1). */
struct leaf_vec {
	unsigned fmts;
	int level;
	uint64_t pa;
	uint32_t prot;
	uint64_t raw;
	const char *arm;
};

static const struct leaf_vec leaf_vecs[] = {
	/* Lower and upper attributes of a page, 48-bit OA formats (SH = Inner Shareable). */
	{ FSH, 0, K64, PT_R, K64 | PAGE | AF | ISH | NG | AP_RO | KNX,
	  "D8.3 page 0b11; AF=1; SH=0b11; nG; AP[2] read-only; kernel page: UXN, PXN" },
	{ FSH, 0, K64, PT_R | PT_W, K64 | PAGE | AF | ISH | NG | KNX, "D8.4 AP[2:1]=00: EL1 RW" },
	{ FSH, 0, K64, PT_R | PT_USER, K64 | PAGE | AF | ISH | NG | AP_EL0 | AP_RO | KNX,
	  "D8.4 AP[2:1]=11: EL1 and EL0 read-only" },
	{ FSH, 0, K64, PT_R | PT_W | PT_USER, K64 | PAGE | AF | ISH | NG | AP_EL0 | KNX,
	  "D8.4 AP[2:1]=01: EL1 and EL0 RW" },
	{ FSH, 0, K64, PT_R | PT_X, K64 | PAGE | AF | ISH | NG | AP_RO | UXN,
	  "D8.4 kernel executable: PXN=0, UXN=1" },
	{ FSH, 0, K64, PT_R | PT_X | PT_USER, K64 | PAGE | AF | ISH | NG | AP_EL0 | AP_RO | PXN,
	  "D8.4 user executable: UXN=0, PXN=1" },
	{ FSH, 0, K64, PT_R | PT_W | PT_X | PT_USER, K64 | PAGE | AF | ISH | NG | AP_EL0 | PXN,
	  "D8.4 user RWX: AP[2:1]=01, UXN=0, PXN=1" },
	{ FSH, 0, K64, PT_R | PT_GLOBAL, K64 | PAGE | AF | ISH | AP_RO | KNX, "D8.3 nG=0: global" },
	{ FSH, 0, K64, PT_R | PT_DEVICE, K64 | PAGE | IDX(4) | AF | ISH | NG | AP_RO | KNX,
	  "D8.6 AttrIndx=4: MAIR Attr4 Device-nGnRE" },
	{ FSH, 0, K64, PT_R | PT_NOCACHE, K64 | PAGE | IDX(2) | AF | ISH | NG | AP_RO | KNX,
	  "D8.6 AttrIndx=2: MAIR Attr2 Normal Non-cacheable" },
	{ FSH, 0, K64, PT_R | PT_W | PT_DIRTY, K64 | PAGE | AF | ISH | NG | KNX | DBM,
	  "D8.5 writable dirty: DBM=1, AP[2]=0" },
	{ FSH, 0, K64, PT_R | PT_DIRTY, K64 | PAGE | AF | ISH | NG | AP_RO | KNX | SW56,
	  "D8.3 read-only dirty: software bit 56 (DBM=0 keeps it read-only)" },
	{ FSH, 0, K64, PT_R | PT_SPECIAL, K64 | PAGE | AF | ISH | NG | AP_RO | KNX | SW55,
	  "D8.3 software bit 55: ptkit PT_SPECIAL" },
	{ FSH, 0, K64, PT_USER, K64 | (PAGE & ~V) | AF | ISH | NG | AP_EL0 | AP_RO | KNX | SW58,
	  "D8.3 invalid descriptor (bit 0 = 0, bits 63:1 ignored): PROT_NONE page, bit 58" },
	{ FSH, 0, K64, PT_R | PT_YOUNG, K64 | PAGE | AF | ISH | NG | AP_RO | KNX,
	  "D8.5 AF=1 whether or not PT_YOUNG was asked for" },
	{ FSH, 0, 0, PT_R | PT_W | PT_GLOBAL, PAGE | AF | ISH | KNX, "D8.3 OA 0" },
	{ FSH, 0, 7 * K64,
	  PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL | PT_DEVICE | PT_DIRTY | PT_SPECIAL,
	  7 * K64 | PAGE | IDX(4) | AF | ISH | AP_EL0 | PXN | DBM | SW55,
	  "D8.3 every attribute of a user page" },
	/* The same with DS = 1: SH comes from TCR_EL1, bits 9:8 are OA[51:50] = 0 here. */
	{ FLPA2, 0, K64, PT_R, K64 | PAGE | AF | NG | AP_RO | KNX, "D8.3 DS=1: no SH in bits 9:8" },
	{ FLPA2, 0, K64, PT_R | PT_W | PT_X | PT_USER, K64 | PAGE | AF | NG | AP_EL0 | PXN,
	  "D8.3 DS=1 user RWX" },
	{ FLPA2, 0, K64, PT_R | PT_NOCACHE | PT_GLOBAL, K64 | PAGE | IDX(2) | AF | AP_RO | KNX,
	  "D8.6 DS=1 AttrIndx=2, global" },

	/* 4KB granule (D8.3: OA[47:12] pages, [47:21] level-2 blocks, [47:30] level-1). */
	{ F4N, 0, K4, PT_R | PT_W, K4 | PAGE | AF | ISH | NG | KNX, "D8.3 4KB page" },
	{ F4N, 0, P48 - K4, PT_R | PT_W | PT_GLOBAL, 0x0000fffffffff000 | PAGE | AF | ISH | KNX,
	  "D8.3 4KB page, max 48-bit OA (bits 47:12)" },
	{ F4N, 1, M2, PT_DIRTY, M2 | AF | ISH | NG | AP_RO | KNX | SW56 | SW58,
	  "D8.3 PROT_NONE block: 0b00 with bit 58, the dirty state kept" },
	{ F4N, 1, M2, PT_R | PT_W, M2 | BLOCK | AF | ISH | NG | KNX,
	  "D8.3 level-2 block 0b01 (2MB)" },
	{ F4N, 1, P48 - M2, PT_R | PT_X, 0x0000ffffffe00000 | BLOCK | AF | ISH | NG | AP_RO | UXN,
	  "D8.3 2MB block, max OA (bits 47:21)" },
	{ F4N, 2, G1, PT_R | PT_W | PT_USER, G1 | BLOCK | AF | ISH | NG | AP_EL0 | KNX,
	  "D8.3 level-1 block (1GB)" },
	{ F4N, 2, P48 - G1, PT_R | PT_DEVICE | PT_GLOBAL,
	  0x0000ffffc0000000 | BLOCK | IDX(4) | AF | ISH | AP_RO | KNX, "D8.3 1GB block, max OA" },

	/* 4KB with FEAT_LPA2 (DS = 1): OA[49:n] in place, OA[51:50] in bits 9:8. */
	{ F4_52, 0, P52 - K4, PT_R | PT_W, 0x0003fffffffff000 | (3ull << 8) | PAGE | AF | NG | KNX,
	  "D8.3 LPA2 page, OA 2^52-4K: bits 49:12 and 9:8 all set" },
	{ F4_52, 0, 1ull << 50, PT_R | PT_W, (1ull << 8) | PAGE | AF | NG | KNX,
	  "D8.3 LPA2 OA[50] in bit 8" },
	{ F4_52, 0, 1ull << 51, PT_R | PT_W, (1ull << 9) | PAGE | AF | NG | KNX,
	  "D8.3 LPA2 OA[51] in bit 9" },
	{ F4_52, 0, (1ull << 49) | (1ull << 48) | K4, PT_R | PT_W,
	  (1ull << 49) | (1ull << 48) | K4 | PAGE | AF | NG | KNX, "D8.3 LPA2 OA[49:48] in place" },
	{ F4_52, 1, (2ull << 50) | M2, PT_R, (2ull << 8) | M2 | BLOCK | AF | NG | AP_RO | KNX,
	  "D8.3 LPA2 2MB block, OA[51:50]=0b10" },
	{ F4_52, 2, P52 - G1, PT_R | PT_W, 0x0003ffffc0000000 | (3ull << 8) | BLOCK | AF | NG | KNX,
	  "D8.3 LPA2 1GB block, max OA" },
	{ F4_52, 3, G512, PT_R | PT_W | PT_GLOBAL, G512 | BLOCK | AF | KNX,
	  "D8.3 LPA2 level-0 block (512GB)" },
	{ F4_52, 3, P52 - G512, PT_R | PT_X,
	  0x0003ff8000000000 | (3ull << 8) | BLOCK | AF | NG | AP_RO | UXN,
	  "D8.3 LPA2 512GB block, max OA (bits 49:39, 9:8)" },

	/* 16KB granule (OA[47:14] pages, [47:25] level-2 blocks). */
	{ F16N, 0, K16, PT_R | PT_W, K16 | PAGE | AF | ISH | NG | KNX, "D8.3 16KB page" },
	{ F16N, 0, P48 - K16, PT_R, 0x0000ffffffffc000 | PAGE | AF | ISH | NG | AP_RO | KNX,
	  "D8.3 16KB page, max OA (bits 47:14)" },
	{ F16N, 1, M32, PT_R | PT_W | PT_USER, M32 | BLOCK | AF | ISH | NG | AP_EL0 | KNX,
	  "D8.3 16KB level-2 block (32MB)" },
	{ F16N, 1, P48 - M32, PT_R, 0x0000fffffe000000 | BLOCK | AF | ISH | NG | AP_RO | KNX,
	  "D8.3 32MB block, max OA (bits 47:25)" },
	/* 16KB with FEAT_LPA2. */
	{ F16_52, 0, P52 - K16, PT_R | PT_W,
	  0x0003ffffffffc000 | (3ull << 8) | PAGE | AF | NG | KNX,
	  "D8.3 LPA2 16KB page, max OA (bits 49:14, 9:8)" },
	{ F16_52, 1, (1ull << 50) | M32, PT_R, (1ull << 8) | M32 | BLOCK | AF | NG | AP_RO | KNX,
	  "D8.3 LPA2 32MB block, OA[50]" },
	{ F16_52, 2, G64, PT_R | PT_W, G64 | BLOCK | AF | NG | KNX,
	  "D8.3 LPA2 level-1 block (64GB)" },
	{ F16_52, 2, P52 - G64, PT_R | PT_W,
	  0x0003fff000000000 | (3ull << 8) | BLOCK | AF | NG | KNX,
	  "D8.3 LPA2 64GB block, max OA (bits 49:36, 9:8)" },

	/* 64KB granule (OA[47:16] pages, [47:29] level-2 blocks). */
	{ F64N, 0, K64, PT_R | PT_W, K64 | PAGE | AF | ISH | NG | KNX, "D8.3 64KB page" },
	{ F64N, 0, P48 - K64, PT_R, 0x0000ffffffff0000 | PAGE | AF | ISH | NG | AP_RO | KNX,
	  "D8.3 64KB page, max OA (bits 47:16)" },
	{ F64N, 1, M512, PT_R | PT_W, M512 | BLOCK | AF | ISH | NG | KNX,
	  "D8.3 64KB level-2 block (512MB)" },
	{ F64N, 1, P48 - M512, PT_R, 0x0000ffffe0000000 | BLOCK | AF | ISH | NG | AP_RO | KNX,
	  "D8.3 512MB block, max OA (bits 47:29)" },
	/* 64KB with FEAT_LPA: OA[51:48] in bits 15:12. */
	{ F64_52, 0, 0x0005000012340000, PT_R | PT_W,
	  0x12340000 | 0x5000 | PAGE | AF | ISH | NG | KNX,
	  "D8.3 LPA 64KB page, OA[51:48]=5 in bits 15:12" },
	{ F64_52, 0, P52 - K64, PT_R | PT_W,
	  0x0000ffffffff0000 | 0xf000 | PAGE | AF | ISH | NG | KNX,
	  "D8.3 LPA max OA: bits 47:16 and 15:12 all set" },
	{ F64_52, 1, (0xaull << 48) | M512, PT_R,
	  M512 | 0xa000 | BLOCK | AF | ISH | NG | AP_RO | KNX,
	  "D8.3 LPA 512MB block, OA[51:48]=0xa" },
	{ F64_52, 2, T4, PT_R | PT_W | PT_GLOBAL, T4 | BLOCK | AF | ISH | KNX,
	  "D8.3 LPA level-1 block (4TB)" },
	{ F64_52, 2, P52 - T4, PT_R | PT_W,
	  0x0000fc0000000000 | 0xf000 | BLOCK | AF | ISH | NG | KNX,
	  "D8.3 LPA 4TB block, max OA (bits 47:42, 15:12)" },
};

/* Leaves only decode can produce: foreign attributes, groups, hardware-updated state. */
struct decode_vec {
	unsigned fmts;
	int level;
	uint64_t raw;
	uint64_t pa;
	uint32_t prot;
	uint32_t contig; /* group entries reported */
	const char *arm;
};

#define KPG(pa) ((pa) | PAGE | ISH) /* page with SH=0b11, no other attribute */

static const struct decode_vec decode_vecs[] = {
	{ FSH, 0, KPG(K64) | AF | AP_RO | KNX, K64, PT_R | PT_YOUNG | PT_GLOBAL, 1,
	  "D8.3 nG=0: global" },
	{ FSH, 0, KPG(K64) | AP_RO | KNX | NG, K64, PT_R, 1, "D8.5 AF=0: not young" },
	{ FSH, 0, KPG(K64) | AF | NG, K64, PT_R | PT_W | PT_X | PT_YOUNG, 1,
	  "D8.4 UXN=PXN=0 kernel page: executable at EL1" },
	{ FSH, 0, KPG(K64) | AF | NG | AP_EL0 | UXN, K64, PT_R | PT_W | PT_USER | PT_YOUNG, 1,
	  "D8.4 user page, UXN=1 PXN=0: not executable by its owner" },
	{ FSH, 0, KPG(K64) | AF | NG | PXN, K64, PT_R | PT_W | PT_YOUNG, 1,
	  "D8.4 kernel page, PXN=1 UXN=0: not executable by its owner" },
	{ FSH, 0, KPG(K64) | AF | NG | AP_RO | KNX | DBM, K64, PT_R | PT_W | PT_YOUNG, 1,
	  "D8.5 DBM=1 AP[2]=1: writable-clean (a write sets AP[2] = 0, or faults without HD)" },
	{ FSH, 0, KPG(K64) | AF | NG | KNX | DBM | SW56, K64, PT_R | PT_W | PT_DIRTY | PT_YOUNG, 1,
	  "D8.5 DBM dirty and software dirty together" },
	{ FSH, 0, KPG(K64) | IDX(1) | AF | NG | KNX, K64, PT_R | PT_W | PT_YOUNG, 1,
	  "D8.6 AttrIndx=1: Attr1 0xff Normal WB (Linux's MT_NORMAL_TAGGED without MTE)" },
	{ FSH, 0, KPG(K64) | IDX(3) | AF | NG | KNX, K64, PT_R | PT_W | PT_DEVICE | PT_YOUNG, 1,
	  "D8.6 AttrIndx=3: Attr3 0x00 Device-nGnRnE" },
	{ FSH, 0, KPG(K64) | IDX(7) | AF | NG | KNX, K64, PT_R | PT_W | PT_DEVICE | PT_YOUNG, 1,
	  "D8.6 AttrIndx=7: Attr7 0x00 Device-nGnRnE" },
	{ FSH, 0, (K64 | PAGE) | AF | NG | KNX, K64, PT_R | PT_W | PT_YOUNG, 1,
	  "D8.6 SH=0b00 Non-shareable is valid" },
	{ FSH, 0, (K64 | PAGE) | (2ull << 8) | AF | NG | KNX, K64, PT_R | PT_W | PT_YOUNG, 1,
	  "D8.6 SH=0b10 Outer Shareable is valid" },
	{ FALL, 0, K64 | PAGE | NS | AF | NG | KNX | (3ull << 57) | GP, K64, PT_R | PT_W | PT_YOUNG,
	  1, "D8.3 NS, GP and software bits 58:57 are ignored" },
	/* The Contiguous bit: the group size per granule and level (SH = 0b00: valid everywhere).
	 */
	{ F4N | F4_52, 0, K4 | PAGE | AF | KNX | CONT, K4,
	  PT_R | PT_W | PT_GLOBAL | PT_YOUNG | PT_CONTIG, 16,
	  "Contiguous bit, 4KB level 3: 16 entries (64KB)" },
	{ F4N | F4_52, 1, M2 | BLOCK | AF | KNX | CONT, M2,
	  PT_R | PT_W | PT_GLOBAL | PT_YOUNG | PT_CONTIG, 16,
	  "Contiguous bit, 4KB level 2: 16 (32MB)" },
	{ F4N | F4_52, 2, G1 | BLOCK | AF | KNX | CONT, G1,
	  PT_R | PT_W | PT_GLOBAL | PT_YOUNG | PT_CONTIG, 16,
	  "Contiguous bit, 4KB level 1: 16 (16GB)" },
	{ F4_52, 3, G512 | BLOCK | AF | KNX | CONT, G512, PT_R | PT_W | PT_GLOBAL | PT_YOUNG, 1,
	  "Contiguous bit on a 512GB level-0 block: no group" },
	{ F16N | F16_52, 0, K16 | PAGE | AF | KNX | CONT, K16,
	  PT_R | PT_W | PT_GLOBAL | PT_YOUNG | PT_CONTIG, 128,
	  "Contiguous bit, 16KB level 3: 128 entries (2MB)" },
	{ F16N | F16_52, 1, M32 | BLOCK | AF | KNX | CONT, M32,
	  PT_R | PT_W | PT_GLOBAL | PT_YOUNG | PT_CONTIG, 32,
	  "Contiguous bit, 16KB level 2: 32 (1GB)" },
	{ F16_52, 2, G64 | BLOCK | AF | KNX | CONT, G64, PT_R | PT_W | PT_GLOBAL | PT_YOUNG, 1,
	  "Contiguous bit on a 64GB level-1 block: no group" },
	{ F64N | F64_52, 0, K64 | PAGE | AF | KNX | CONT, K64,
	  PT_R | PT_W | PT_GLOBAL | PT_YOUNG | PT_CONTIG, 32,
	  "Contiguous bit, 64KB level 3: 32 entries (2MB)" },
	{ F64N | F64_52, 1, M512 | BLOCK | AF | KNX | CONT, M512,
	  PT_R | PT_W | PT_GLOBAL | PT_YOUNG | PT_CONTIG, 32,
	  "Contiguous bit, 64KB level 2: 32 (16GB)" },
	{ F64_52, 2, T4 | BLOCK | AF | KNX | CONT, T4, PT_R | PT_W | PT_GLOBAL | PT_YOUNG, 1,
	  "Contiguous bit on a 4TB level-1 block: no group" },
	/* Attributes with DS = 1 (no SH field). */
	{ FLPA2, 0, K64 | PAGE | AF | NG | AP_EL0 | UXN, K64, PT_R | PT_W | PT_USER | PT_YOUNG, 1,
	  "D8.4 DS=1 user page, UXN=1 PXN=0: not executable by its owner" },
	{ FLPA2, 0, K64 | PAGE | NG | AP_RO | KNX, K64, PT_R, 1, "D8.5 DS=1 AF=0: not young" },
	{ FLPA2, 0, K64 | PAGE | AF | NG | KNX | DBM, K64, PT_R | PT_W | PT_DIRTY | PT_YOUNG, 1,
	  "D8.5 DS=1 DBM=1 AP[2]=0: dirty" },
	{ FLPA2, 0, K64 | PAGE | AF | NG | AP_RO | KNX | DBM, K64, PT_R | PT_W | PT_YOUNG, 1,
	  "D8.5 DS=1 DBM=1 AP[2]=1: writable, clean" },
	{ FLPA2, 0, K64 | PAGE | IDX(4) | AF | KNX | SW55 | SW56 | AP_RO, K64,
	  PT_R | PT_DEVICE | PT_GLOBAL | PT_YOUNG | PT_SPECIAL | PT_DIRTY, 1,
	  "D8.6 DS=1 device, software bits 55 and 56" },
	/* nT (bit 16) may be set in a block descriptor (FEAT_BBM). */
	{ F4N, 1, (M2 | BLOCK | ISH) | NT | AF | KNX, M2, PT_R | PT_W | PT_GLOBAL | PT_YOUNG, 1,
	  "D8.3 nT in a 2MB block" },
	{ F16N, 1, (M32 | BLOCK | ISH) | NT | AF | KNX, M32, PT_R | PT_W | PT_GLOBAL | PT_YOUNG, 1,
	  "D8.3 nT in a 32MB block" },
	{ F64N, 1, (M512 | BLOCK | ISH) | NT | AF | KNX, M512, PT_R | PT_W | PT_GLOBAL | PT_YOUNG,
	  1, "D8.3 nT in a 512MB block" },
	/* With DS = 1, 0b01 in bits 9:8 is OA[50], not the reserved SH encoding. */
	{ FLPA2, 0, K64 | PAGE | (1ull << 8) | AF | KNX, K64 | (1ull << 50),
	  PT_R | PT_W | PT_GLOBAL | PT_YOUNG, 1, "D8.3 DS=1: bits 9:8 = 0b01 is OA[50]" },
	/* Without FEAT_LPA, bits 15:12 of a 64KB page are RES0; with it they are OA[51:48]. */
	{ F64_52, 0, K64 | PAGE | (1ull << 12) | ISH | AF | KNX, K64 | P48,
	  PT_R | PT_W | PT_GLOBAL | PT_YOUNG, 1, "D8.3 LPA bit 12 = OA[48]" },
	{ F4_52, 0, K64 | PAGE | P48 | AF | KNX, K64 | P48, PT_R | PT_W | PT_GLOBAL | PT_YOUNG, 1,
	  "D8.3 LPA2 bit 48 = OA[48]" },
};

/* Table descriptors (D8.3) and the hierarchical attributes they carry (D8.4). */
struct table_vec {
	unsigned fmts;
	int level; /* -1: every level above 0 */
	uint64_t raw;
	uint64_t pa;
	uint32_t allow; /* which of PT_W, PT_USER, PT_X pass */
	const char *arm;
};

static const struct table_vec table_vecs[] = {
	{ FALL, -1, 0x12340000 | TABLE, 0x12340000, WUX, "D8.3 table descriptor 0b11" },
	{ FALL, -1, 0x12340000 | TABLE | APT1, 0x12340000, PT_USER | PT_X,
	  "D8.4 APTable[1]=1: no write below" },
	{ FALL, -1, 0x12340000 | TABLE | APT0, 0x12340000, PT_W | PT_X,
	  "D8.4 APTable[0]=1: no EL0 access below" },
	{ FALL, -1, 0x12340000 | TABLE | APT0 | APT1, 0x12340000, PT_X, "D8.4 APTable=0b11" },
	{ FALL, -1, 0x12340000 | TABLE | UXNT, 0x12340000, WUX,
	  "D8.4 UXNTable alone: EL1 may still execute (ptkit: X passes)" },
	{ FALL, -1, 0x12340000 | TABLE | PXNT, 0x12340000, WUX,
	  "D8.4 PXNTable alone: EL0 may still execute (ptkit: X passes)" },
	{ FALL, -1, 0x12340000 | TABLE | UXNT | PXNT, 0x12340000, PT_W | PT_USER,
	  "D8.4 UXNTable and PXNTable: nothing below executes" },
	{ FALL, -1, 0x12340000 | TABLE | NST | (0xffull << 51), 0x12340000, WUX,
	  "D8.3 NSTable and bits 58:51 ignored" },
	{ FSH, -1, 0x12340000 | TABLE | 0xffc, 0x12340000, WUX, "D8.3 bits 11:2 ignored (DS=0)" },
	{ F4N, -1, 0x0000fffffffff000 | TABLE, 0x0000fffffffff000, WUX,
	  "D8.3 4KB next-level address bits 47:12" },
	{ F16N, -1, 0x0000ffffffffc000 | TABLE, 0x0000ffffffffc000, WUX,
	  "D8.3 16KB next-level address bits 47:14" },
	{ F64N, -1, 0x0000ffffffff0000 | TABLE, 0x0000ffffffff0000, WUX,
	  "D8.3 64KB next-level address bits 47:16" },
	{ F4_52, -1, 0x0003fffffffff000 | (3ull << 8) | TABLE, P52 - K4, WUX,
	  "D8.3 LPA2 next-level address bits 49:12, [51:50] in 9:8" },
	{ F16_52, -1, 0x0003ffffffffc000 | (1ull << 9) | TABLE, 0x0003ffffffffc000 | (1ull << 51),
	  WUX, "D8.3 LPA2 16KB next-level address, [51] in bit 9" },
	{ F64_52, -1, 0x12340000 | 0xf000 | TABLE, 0x000f000012340000, WUX,
	  "D8.3 LPA next-level address [51:48] in bits 15:12" },
};

/* Invalid descriptors: bit 0 clear, every other bit ignored (D8.3); bit 58 clear: no PROT_NONE. */
static const uint64_t empty_raws[] = {
	0x0000000000000000, 0xfbfffffffffffffe, 0x0000000000000002,
	0x0000000012345402, 0x7bf0000000000f7e, 0x8000000000000000,
};

/* Reserved encodings: decode must say BAD, with a reason. */
struct bad_vec {
	unsigned fmts;
	int level;
	uint64_t raw;
	const char *arm;
};

static const struct bad_vec bad_vecs[] = {
	{ FALL, 0, K64 | BLOCK | AF, "D8.3 0b01 at level 3 is reserved" },
	{ FALL, 0, BLOCK, "D8.3 0b01 at level 3, OA 0" },
	{ FALL, 0, 0xfffffffffffffffd, "D8.3 0b01 at level 3, every other bit set" },
	{ F4_48, 3, G512 | BLOCK | AF, "D8.3 no level-0 blocks with 4KB and DS=0" },
	{ F4_52, 4, BLOCK | AF, "D8.3 no level -1 blocks" },
	{ F16_47, 2, G64 | BLOCK | AF, "D8.3 no level-1 blocks with 16KB and DS=0" },
	{ F16_52, 3, BLOCK | AF, "D8.3 no level-0 blocks with 16KB" },
	{ F64_48, 2, T4 | BLOCK | AF, "D8.3 no level-1 blocks with 64KB without FEAT_LPA" },
	{ F4N, 1, M2 | (1ull << 13) | BLOCK | AF | ISH, "D8.3 RES0 bit 13 in a 2MB block" },
	{ F4N, 1, M2 | (1ull << 20) | BLOCK | AF | ISH, "D8.3 RES0 bit 20 in a 2MB block" },
	{ F4N, 2, G1 | (1ull << 29) | BLOCK | AF | ISH, "D8.3 RES0 bit 29 in a 1GB block" },
	{ F4_52, 3, G512 | (1ull << 38) | BLOCK | AF, "D8.3 RES0 bit 38 in a 512GB block" },
	{ F16N, 1, M32 | (1ull << 24) | BLOCK | AF | ISH, "D8.3 RES0 bit 24 in a 32MB block" },
	{ F64N, 1, M512 | (1ull << 28) | BLOCK | AF | ISH, "D8.3 RES0 bit 28 in a 512MB block" },
	{ F64_52, 2, T4 | (1ull << 41) | BLOCK | AF | ISH, "D8.3 RES0 bit 41 in a 4TB block" },
	{ F4N | F16N | F64N, 0, K64 | P48 | PAGE | AF | ISH, "D8.3 RES0 bit 48 (48-bit OA)" },
	{ F4N | F16N | F64N | F64_52, 0, K64 | (1ull << 49) | PAGE | AF | ISH,
	  "D8.3 RES0 bit 49 (no OA[49] in place)" },
	{ F16N | F16_52, 0, K16 | (1ull << 12) | PAGE | AF, "D8.3 16KB page: RES0 bit 12" },
	{ F16N | F16_52, 0, K16 | (1ull << 13) | PAGE | AF, "D8.3 16KB page: RES0 bit 13" },
	{ F64N, 0, K64 | (1ull << 12) | PAGE | AF | ISH,
	  "D8.3 64KB page without LPA: RES0 bit 12" },
	{ F64N, 0, K64 | (1ull << 15) | PAGE | AF | ISH,
	  "D8.3 64KB page without LPA: RES0 bit 15" },
	{ FSH, 0, K64 | (1ull << 8) | PAGE | AF, "D8.6 SH=0b01 is reserved" },
	{ F4N, 1, M2 | (1ull << 8) | BLOCK | AF, "D8.6 SH=0b01 in a block is reserved" },
	{ F4N | F16N | F64N, 1, 0x12340000 | P48 | TABLE,
	  "D8.3 RES0 bit 48 in a table descriptor" },
	{ F16N | F16_52, 1, 0x12340000 | (1ull << 13) | TABLE, "D8.3 16KB table: RES0 bit 13" },
	{ F64N, 1, 0x12340000 | (1ull << 12) | TABLE, "D8.3 64KB table without LPA: RES0 bit 12" },
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
	{ F4_48, 3, 0, PT_R, "no 512GB blocks without LPA2" },
	{ F4_52, 4, 0, PT_R, "no blocks at level -1" },
	{ F16_47, 2, 0, PT_R, "no 64GB blocks without LPA2" },
	{ F16_52, 3, 0, PT_R, "no blocks at 16KB level 0" },
	{ F64_48, 2, 0, PT_R, "no 4TB blocks without FEAT_LPA" },
	{ F4_39, 3, 0, PT_R, "level 3 does not exist in arm64-4k-39" },
	{ F16_36 | F64_42, 2, 0, PT_R, "level 2 does not exist with 2 levels" },
	{ FALL, -1, 0, PT_R, "negative level" },
	{ FALL, 0, 0x800, PT_R, "OA not page-aligned" },
	{ F4N | F4_52, 1, K4, PT_R, "OA not 2MB-aligned" },
	{ F64N | F64_52, 1, M2, PT_R, "OA not 512MB-aligned" },
	{ F4N | F16N | F64N, 0, P48, PT_R, "OA = 2^48 with a 48-bit OA" },
	{ F4_52 | F16_52 | F64_52, 0, P52, PT_R, "OA = 2^52" },
	{ FALL, 0, 1ull << 63, PT_R, "OA bit 63" },
	{ FALL, 0, K64, PT_R | PT_DEVICE | PT_NOCACHE, "Device and Non-cacheable together" },
	{ FALL, 0, K64, PT_R | PT_CONTIG, "PT_CONTIG is reported, never requested" },
	{ FALL, 0, K64, PT_R | (1u << 20), "unknown prot bit" },
};

/* Geometry (D8.2): index bits, level spans, leaves, groups, page sizes, halves. */
struct geo {
	int levels, va, pa;
	uint8_t bits[5];
	uint8_t shift[5];
	bool leaf[5];
	uint16_t contig[5];
	uint64_t sizes;
};

#define S4 (K4 | 0x10000 | M2 | M32 | G1 | (16 * G1))
#define S16 (K16 | M2 | M32 | G1)
#define S64 (K64 | M2 | M512 | (16 * G1))

static const struct geo geos[NFMT] = {
	{ 3, 39, 48, { 9, 9, 9 }, { 12, 21, 30 }, { 1, 1, 1 }, { 16, 16, 16 }, S4 },
	{ 4, 48, 48, { 9, 9, 9, 9 }, { 12, 21, 30, 39 }, { 1, 1, 1, 0 }, { 16, 16, 16, 1 }, S4 },
	{ 5,
	  52,
	  52,
	  { 9, 9, 9, 9, 4 },
	  { 12, 21, 30, 39, 48 },
	  { 1, 1, 1, 1, 0 },
	  { 16, 16, 16, 1, 1 },
	  S4 | G512 },
	{ 2, 36, 48, { 11, 11 }, { 14, 25 }, { 1, 1 }, { 128, 32 }, S16 },
	{ 3, 47, 48, { 11, 11, 11 }, { 14, 25, 36 }, { 1, 1, 0 }, { 128, 32, 1 }, S16 },
	{ 4,
	  52,
	  52,
	  { 11, 11, 11, 5 },
	  { 14, 25, 36, 47 },
	  { 1, 1, 1, 0 },
	  { 128, 32, 1, 1 },
	  S16 | G64 },
	{ 2, 42, 48, { 13, 13 }, { 16, 29 }, { 1, 1 }, { 32, 32 }, S64 },
	{ 3, 48, 48, { 13, 13, 6 }, { 16, 29, 42 }, { 1, 1, 0 }, { 32, 32, 1 }, S64 },
	{ 3, 52, 52, { 13, 13, 10 }, { 16, 29, 42 }, { 1, 1, 1 }, { 32, 32, 1 }, S64 | T4 },
};

static unsigned counts[NFMT][8]; /* vectors run per format and kind */

static void test_geometry(const struct pt_format *f, int fi)
{
	static const char *const lnames[] = { "L3", "L2", "L1", "L0", "L-1" };
	const struct geo *g = &geos[fi];
	int checks = 0;

	CHECK_EQ(f->levels, g->levels);
	CHECK_EQ(f->va_bits, g->va);
	CHECK_EQ(f->pa_bits, g->pa);
	CHECK_EQ(f->entry_size, 8);
	CHECK(!f->big_endian);
	CHECK(f->two_roots);
	CHECK_EQ(f->page_sizes, g->sizes);
	CHECK_EQ(f->half_bits, g->va);
	CHECK_EQ(f->half_base[0], 0);
	CHECK_EQ(f->half_base[1], 0 - (1ull << g->va));
	CHECK_EQ(pt_half_last(f, 0), (1ull << g->va) - 1);
	CHECK_EQ(pt_half_last(f, 1), ~0ull);
	CHECK(f->description != NULL && f->description[0]);
	/* Every level but the top resolves granule - 3 bits; all bits are accounted for. */
	int total = 0;
	for (int l = 0; l < g->levels; l++) {
		CHECK_EQ(f->index_bits[l], g->bits[l]);
		CHECK_EQ(f->shift[l], g->shift[l]);
		CHECK_EQ(f->leaf_ok[l], g->leaf[l]);
		CHECK_EQ(f->contig[l], g->contig[l]);
		CHECK(f->level_name[l] && strcmp(f->level_name[l], lnames[l]) == 0);
		CHECK_EQ(pt_table_bytes(f, l), 8ull << g->bits[l]);
		total += g->bits[l];
		checks += 6;
	}
	CHECK_EQ(total + g->shift[0], g->va);
	for (int l = g->levels; l < PT_MAX_LEVELS; l++) {
		CHECK(!f->leaf_ok[l]);
		CHECK(f->level_name[l] == NULL);
	}
	counts[fi][0] += 13 + checks;
}

static void test_leaf_vecs(const struct pt_format *f, int fi)
{
	for (size_t i = 0; i < N(leaf_vecs); i++) {
		const struct leaf_vec *v = &leaf_vecs[i];
		bool ok;

		if (!(v->fmts & (1u << fi)))
			continue;
		counts[fi][1]++;
		ok = golden_encode(f, v->level, v->pa, v->prot, v->raw);
		ok &= golden_decode_leaf(f, v->level, v->raw, v->pa, v->prot | PT_YOUNG, 0, 1,
					 NULL);
		if (!ok)
			golden_report(f, "leaf vector", v->arm);
	}
}

static void test_decode_vecs(const struct pt_format *f, int fi)
{
	for (size_t i = 0; i < N(decode_vecs); i++) {
		const struct decode_vec *v = &decode_vecs[i];

		if (!(v->fmts & (1u << fi)))
			continue;
		counts[fi][2]++;
		if (!golden_decode_leaf(f, v->level, v->raw, v->pa, v->prot, 0, v->contig, NULL))
			golden_report(f, "decode-only vector", v->arm);
	}
}

static void test_table_vecs(const struct pt_format *f, int fi)
{
	for (size_t i = 0; i < N(table_vecs); i++) {
		const struct table_vec *v = &table_vecs[i];

		if (!(v->fmts & (1u << fi)))
			continue;
		for (int l = 1; l < f->levels; l++) {
			if (v->level >= 0 && v->level != l)
				continue;
			counts[fi][3]++;
			if (!golden_table(f, l, v->raw, v->pa, WUX, v->allow))
				golden_report(f, "table vector", v->arm);
		}
	}
	/* encode_table: 0b11 and the address only; no hierarchical restriction (D8.4). */
	for (int l = 1; l < f->levels; l++) {
		uint64_t top = (1ull << f->pa_bits) - (1ull << f->shift[0]);
		uint64_t pas[] = { 0, 1ull << f->shift[0], 0x12340000, top };
		for (size_t i = 0; i < N(pas); i++) {
			counts[fi][3]++;
			golden_encode_table(f, l, pas[i], V | 2 | APT0 | APT1 | UXNT | PXNT | NST,
					    TABLE, WUX, WUX);
		}
	}
}

static void test_empty_and_bad(const struct pt_format *f, int fi)
{
	counts[fi][4] += golden_empty(f, empty_raws, N(empty_raws));
	for (size_t i = 0; i < N(bad_vecs); i++) {
		const struct bad_vec *v = &bad_vecs[i];

		if (!(v->fmts & (1u << fi)))
			continue;
		counts[fi][5]++;
		if (!golden_bad(f, v->level, v->raw, ""))
			golden_report(f, "reserved-encoding vector", v->arm);
	}
}

static void test_reject_vecs(const struct pt_format *f, int fi)
{
	for (size_t i = 0; i < N(reject_vecs); i++) {
		const struct reject_vec *v = &reject_vecs[i];

		if (!(v->fmts & (1u << fi)))
			continue;
		counts[fi][6]++;
		if (!golden_reject(f, v->level, v->pa, v->prot))
			golden_report(f, "encode_leaf must refuse", v->why);
	}
}

/* Raw entry at `level` that maps va (the walk must reach it). */
static uint64_t raw_at(struct pt_mm *mm, uint64_t va, int level)
{
	struct mm_walk_state st;
	mm_walk_init(&st, mm);
	mm_walk_seek_leaf(&st, mm, va);
	if (!CHECK_EQ(st.level, level))
		return 0;
	return st.entry;
}

static int do_map(struct pt_mm *mm, uint64_t va, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct pt_map_req req = { va, pa, size, prot, 0, 0 };
	struct pt_gather g;
	int r;
	pt_gather_init(&g, mm);
	r = pt_map(mm, &req, &g);
	pt_gather_flush(&g);
	return r;
}

static int do_protect(struct pt_mm *mm, uint64_t va, uint64_t size, uint32_t prot)
{
	struct pt_gather g;
	int r;
	pt_gather_init(&g, mm);
	r = pt_protect(mm, va, size, prot, &g);
	pt_gather_flush(&g);
	return r;
}

static int do_unmap(struct pt_mm *mm, uint64_t va, uint64_t size)
{
	struct pt_gather g;
	int r;
	pt_gather_init(&g, mm);
	r = pt_unmap(mm, va, size, &g);
	pt_gather_flush(&g);
	return r;
}

/*
 * Through the generic operations: a whole aligned group gets the Contiguous bit on every
 * entry; changing part of it rewrites the whole group without the bit (all entries of a
 * group must agree, "The Contiguous bit"); both halves use their own root (TTBR0/TTBR1).
 */
static void test_ops(const struct pt_format *f, int fi)
{
	struct pt_arena a;
	struct pt_mm mm;
	uint32_t prot = PT_R | PT_W | PT_USER;

	if (!CHECK_EQ(pt_arena_init(&a, 0x200000, 64ull << 20), 0))
		return;
	if (!CHECK_EQ(pt_mm_init(&mm, f, &a.mem), 0))
		return;
	CHECK(mm.root[0] != mm.root[1]);
	for (int l = 0; l <= 1; l++) {
		uint64_t span = 1ull << f->shift[l], n = f->contig[l], gsize = span * n;
		uint64_t va = 4 * gsize, pa = 3 * gsize;
		struct pt_translation tr;
		uint64_t e;

		counts[fi][7]++;
		if (!CHECK_EQ(do_map(&mm, va, pa, gsize, prot), 0))
			break;
		for (uint64_t i = 0; i < n; i++) {
			e = raw_at(&mm, va + i * span, l);
			CHECK_EQ(e & CONT, CONT);
			CHECK_EQ(e & ~CONT & ~(uint64_t)0x0003fffffffff300,
				 (l ? BLOCK : PAGE) | AF | NG | AP_EL0 | KNX);
		}
		CHECK_EQ(pt_translate(&mm, va + gsize - 1, &tr), 0);
		CHECK_EQ(tr.pa, pa + gsize - 1);
		CHECK_EQ(tr.group, gsize);
		CHECK_EQ(tr.size, span);
		CHECK_EQ(tr.prot, prot | PT_R | PT_YOUNG | PT_CONTIG);
		/* Protect one entry: the group dissolves, that entry alone becomes read-only. */
		CHECK_EQ(do_protect(&mm, va + span, span, PT_R | PT_USER), 0);
		for (uint64_t i = 0; i < n; i++) {
			uint64_t want;
			e = raw_at(&mm, va + i * span, l);
			CHECK_EQ(f->ops.encode_leaf(pa + i * span, l,
						    i == 1 ? PT_R | PT_USER : prot, &want),
				 0);
			CHECK_EQ(e, want);
		}
		CHECK_EQ(pt_translate(&mm, va + span, &tr), 0);
		CHECK_EQ(tr.group, span);
		/* Unmapping one page of a block splits it: the rest keeps the attributes. */
		if (l == 1) {
			uint64_t page = 1ull << f->shift[0];
			CHECK_EQ(do_unmap(&mm, va + 2 * span, page), 0);
			e = raw_at(&mm, va + 2 * span + page, 0);
			uint64_t want;
			CHECK_EQ(f->ops.encode_leaf(pa + 2 * span + page, 0, prot, &want), 0);
			CHECK_EQ(e, want);
		}
		CHECK_EQ(do_unmap(&mm, va, gsize), 0);
	}
	/* Upper half: the top page, through root[1] only. */
	{
		uint64_t page = 1ull << f->shift[0], va = 0 - page, pa = 5 * page;
		struct pt_translation tr;
		counts[fi][7]++;
		CHECK_EQ(do_map(&mm, va, pa, page, PT_R | PT_X | PT_GLOBAL), 0);
		CHECK_EQ(pt_translate(&mm, ~0ull, &tr), 0);
		CHECK_EQ(tr.pa, pa + page - 1);
		CHECK_EQ(tr.prot, PT_R | PT_X | PT_GLOBAL | PT_YOUNG);
		CHECK_EQ(pt_translate(&mm, (1ull << f->va_bits) - 1, &tr), -PT_ENOENT);
		/* Bits 63:va must be all equal (TBI off): one bit off is a fault. */
		CHECK_EQ(pt_translate(&mm, 1ull << f->va_bits, &tr), -PT_ERANGE);
		CHECK_EQ(pt_translate(&mm, ~0ull ^ (1ull << f->va_bits), &tr), -PT_ERANGE);
		CHECK_EQ(pt_translate(&mm, 0 - (1ull << f->va_bits), &tr), -PT_ENOENT);
		CHECK_EQ(do_map(&mm, 1ull << f->va_bits, 0, page, PT_R), -PT_ERANGE);
		CHECK_EQ(do_unmap(&mm, va, page), 0);
	}
	pt_mm_destroy(&mm);
	CHECK_EQ(a.live, 0);
	pt_arena_fini(&a);
}

/* fmt_split_leaf (arm64-4k-48): same attributes, OA stepped per entry, Contiguous cleared. */
static void test_split(void)
{
	static const struct {
		int level;
		uint64_t e;
		unsigned index;
		uint64_t want;
	} v[] = {
		{ 1, M2 | BLOCK | AF | ISH | NG | AP_EL0 | KNX | CONT, 0,
		  M2 | PAGE | AF | ISH | NG | AP_EL0 | KNX },
		{ 1, M2 | BLOCK | AF | ISH | NG | AP_EL0 | KNX | CONT, 511,
		  (M2 + 511 * K4) | PAGE | AF | ISH | NG | AP_EL0 | KNX },
		{ 2, G1 | BLOCK | IDX(1) | AF | ISH | AP_RO | UXN | SW55 | NT, 3,
		  (G1 + 3 * M2) | BLOCK | IDX(1) | AF | ISH | AP_RO | UXN | SW55 },
		{ 2, G1 | BLOCK | AF | ISH | DBM | CONT | PXN, 511,
		  (G1 + 511 * M2) | BLOCK | AF | ISH | DBM | PXN },
	};
	for (size_t i = 0; i < N(v); i++)
		CHECK_EQ(fmt_split_leaf(v[i].e, v[i].level, v[i].index), v[i].want);
}

int main(void)
{
	const struct pt_format *fmts[NFMT];

	for (int i = 0; i < NFMT; i++) {
		fmts[i] = pt_format_find(names[i]);
		if (!CHECK(fmts[i] != NULL))
			return CHECK_DONE();
	}
	/* Listed together, in this order. */
	for (unsigned i = 0; pt_format_at(i); i++) {
		if (pt_format_at(i) == fmts[0]) {
			for (int k = 0; k < NFMT; k++)
				CHECK(pt_format_at(i + k) == fmts[k]);
			break;
		}
	}
	test_split();
	for (int i = 0; i < NFMT; i++) {
		test_geometry(fmts[i], i);
		test_leaf_vecs(fmts[i], i);
		test_decode_vecs(fmts[i], i);
		test_table_vecs(fmts[i], i);
		test_empty_and_bad(fmts[i], i);
		test_reject_vecs(fmts[i], i);
		test_ops(fmts[i], i);
		printf("%-13s geometry %u, leaf %u, decode %u, table %u, empty %u, bad %u, reject %u, "
		       "ops %u\n",
		       names[i], counts[i][0], counts[i][1], counts[i][2], counts[i][3],
		       counts[i][4], counts[i][5], counts[i][6], counts[i][7]);
	}
	return CHECK_DONE();
}
