/* SPDX-License-Identifier: MIT */
/*
 * golden.h: one check per kind of golden vector, shared by the tests/test_fmt_*.c files.
 * The vectors (raw entries written from the manuals) stay in each format's test; these
 * helpers only say what "decodes as a leaf", "encodes to", "is a table", "is empty", "is
 * reserved" and "is refused" mean, the same way for every format. Each returns whether
 * every check passed (a failure has already been counted and printed by check.h).
 */
#ifndef PTKIT_TESTS_GOLDEN_H
#define PTKIT_TESTS_GOLDEN_H

#include <ptkit/format.h>
#include <ptkit/types.h>
#include <string.h>

#include "check.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The line printed under a failed check: which format, which vector, which manual section. */
static inline void golden_report(const struct pt_format *f, const char *what, const char *ref)
{
	fprintf(stderr, "  ^ %s %s: %s\n", f->name, what, ref);
}

/* encode_leaf(pa, level, prot) succeeds and gives exactly `raw`. */
static inline bool golden_encode(const struct pt_format *f, int level, uint64_t pa, uint32_t prot,
				 uint64_t raw)
{
	uint64_t e = 0xdeadbeefull;
	bool ok = CHECK_EQ(f->ops.encode_leaf(pa, level, prot, &e), 0);

	ok &= CHECK_EQ(e, raw);
	return ok;
}

/* `raw` at `level` decodes as a present leaf with exactly these fields and no reason. */
static inline bool golden_decode_leaf(const struct pt_format *f, int level, uint64_t raw,
				      uint64_t pa, uint32_t prot, uint32_t pkey, unsigned contig,
				      struct pt_entry_info *out)
{
	struct pt_entry_info info;
	bool ok = true;

	memset(&info, 0x5a, sizeof(info));
	pt_format_decode(f, raw, level, &info);
	ok &= CHECK_EQ(info.kind, PT_ENTRY_LEAF);
	ok &= CHECK_EQ(info.pa, pa);
	ok &= CHECK_EQ(info.prot, prot);
	ok &= CHECK_EQ(info.pkey, pkey);
	ok &= CHECK_EQ(info.contig, contig);
	ok &= CHECK(info.why == NULL);
	if (out)
		*out = info;
	return ok;
}

/* `raw` at `level` decodes as a table at `pa` whose rights, masked by `mask`, are `allow`. */
static inline bool golden_table(const struct pt_format *f, int level, uint64_t raw, uint64_t pa,
				uint32_t mask, uint32_t allow)
{
	struct pt_entry_info info;
	bool ok = true;

	memset(&info, 0x5a, sizeof(info));
	pt_format_decode(f, raw, level, &info);
	ok &= CHECK_EQ(info.kind, PT_ENTRY_TABLE);
	ok &= CHECK_EQ(info.pa, pa);
	ok &= CHECK_EQ(info.prot & mask, allow);
	ok &= CHECK(info.why == NULL);
	return ok;
}

/*
 * encode_table(pa, level) sets exactly `want` under `raw_mask` and decodes back as a table
 * at pa with rights `allow` under `mask`.
 */
static inline bool golden_encode_table(const struct pt_format *f, int level, uint64_t pa,
				       uint64_t raw_mask, uint64_t want, uint32_t mask,
				       uint32_t allow)
{
	uint64_t e = f->ops.encode_table(pa, level);
	bool ok = CHECK_EQ(e & raw_mask, want);

	ok &= golden_table(f, level, e, pa, mask, allow);
	if (!ok)
		fprintf(stderr, "  ^ %s encode_table level %d pa 0x%llx\n", f->name, level,
			(unsigned long long)pa);
	return ok;
}

/* Every raw value in raws[] is an empty entry at every level. Returns the checks run. */
static inline unsigned golden_empty(const struct pt_format *f, const uint64_t *raws, size_t n)
{
	unsigned runs = 0;

	for (int l = 0; l < f->levels; l++) {
		for (size_t i = 0; i < n; i++, runs++) {
			struct pt_entry_info info;

			memset(&info, 0x5a, sizeof(info));
			pt_format_decode(f, raws[i], l, &info);
			if (!CHECK_EQ(info.kind, PT_ENTRY_EMPTY))
				fprintf(stderr, "  ^ %s level %d raw 0x%llx\n", f->name, l,
					(unsigned long long)raws[i]);
			CHECK(info.why == NULL);
		}
	}
	return runs;
}

/* `raw` at `level` is a reserved encoding: BAD, with a reason containing `why` ("" = any). */
static inline bool golden_bad(const struct pt_format *f, int level, uint64_t raw, const char *why)
{
	struct pt_entry_info info;
	bool ok = true;

	memset(&info, 0, sizeof(info));
	pt_format_decode(f, raw, level, &info);
	ok &= CHECK_EQ(info.kind, PT_ENTRY_BAD);
	ok &= CHECK(info.why != NULL && info.why[0] != 0 && strstr(info.why, why) != NULL);
	if (!ok && info.why)
		fprintf(stderr, "    reason: %s\n", info.why);
	return ok;
}

/* encode_leaf refuses (pa, level, prot) with -PT_EINVAL. */
static inline bool golden_reject(const struct pt_format *f, int level, uint64_t pa, uint32_t prot)
{
	uint64_t e = 0;

	return CHECK_EQ(f->ops.encode_leaf(pa, level, prot, &e), -PT_EINVAL);
}

#endif
