/* SPDX-License-Identifier: MIT */
/*
 * pt_protect over runs of leaves whose accessed / dirty state differs (src/ops/range_tmpl.h
 * edits known leaves in place, a run at a time): on every format, protecting a range in
 * one call must give bit for bit the entries that protecting each page alone gives, keep
 * every leaf's dirty and young state, and a read-only / writable round trip must give the
 * original entries back. The differential test compares rights with the dirty bit masked,
 * so a protect that drops D (RISC-V), DBM / the dirty mark (arm64) or C (ppc64) is caught
 * here.
 *
 * Then pt_set_accessed's clean and age (issue 14, defect 2): clearing PT_DIRTY of a
 * writable arm64 leaf must leave it writable and clean with a write still recorded
 * (AP[2] = 1 with DBM = 1: the MMU, or the fault a write takes without TCR_EL1.HD, makes
 * it AP[2] = 0 again), and clearing PT_YOUNG must give arm64 AF = 0, RISC-V A = 0,
 * ppc64 radix R = 0, with every other bit of the entry kept.
 */
#include "check.h"

#include <ptkit/mem.h>
#include <ptkit/ptkit.h>

#include <string.h>

#define NPAGES 80 /* more than one 16-entry chunk, not a multiple of it */
#define VA0 0x40000000ull
#define PA0 0x100000000ull

struct tree {
	struct pt_arena a;
	struct pt_mm mm;
};

static bool tree_init(struct tree *t, const struct pt_format *f)
{
	return CHECK_EQ(pt_arena_init(&t->a, 0x1000000, 32 << 20), 0) &&
	       CHECK_EQ(pt_mm_init(&t->mm, f, &t->a.mem), 0);
}

/* Base pages, writable, then dirty / clean / young patterns where the format can say so. */
static void fill(struct tree *t, uint64_t pg)
{
	struct pt_gather g;
	struct pt_map_req req = {
		.va = VA0, .pa = PA0, .size = NPAGES * pg, .prot = PT_R | PT_W, .page_sizes = pg
	};

	pt_gather_init(&g, &t->mm);
	CHECK_EQ(pt_map(&t->mm, &req, &g), 0);
	for (unsigned i = 0; i < NPAGES; i++) {
		uint64_t va = VA0 + i * pg;
		/* Refused (-PT_EINVAL, tree unchanged) where the format cannot express it. */
		if (i % 3 == 0)
			(void)pt_set_accessed(&t->mm, va, pg, PT_DIRTY, 0, &g);
		if (i % 5 == 1)
			(void)pt_set_accessed(&t->mm, va, pg, 0, PT_DIRTY, &g);
		if (i % 7 == 2)
			(void)pt_set_accessed(&t->mm, va, pg, 0, PT_YOUNG, &g);
	}
	pt_gather_flush(&g);
}

static void entries(struct tree *t, uint64_t pg, uint64_t *e, uint32_t *prot)
{
	for (unsigned i = 0; i < NPAGES; i++) {
		struct pt_translation tr;
		if (!CHECK_EQ(pt_translate(&t->mm, VA0 + i * pg, &tr), 0))
			continue;
		CHECK_EQ(tr.pa, PA0 + i * pg);
		e[i] = tr.entry;
		prot[i] = tr.prot;
	}
}

static void protect(struct tree *t, uint64_t va, uint64_t size, uint32_t prot)
{
	struct pt_gather g;
	pt_gather_init(&g, &t->mm);
	CHECK_EQ(pt_protect(&t->mm, va, size, prot, &g), 0);
	pt_gather_flush(&g);
}

static void run(const struct pt_format *f)
{
	uint64_t pg = 1ull << f->shift[0];
	uint64_t e0[NPAGES], eb[NPAGES], ep[NPAGES];
	uint32_t p0[NPAGES], pb[NPAGES], pp[NPAGES];
	struct tree batched, paged;
	unsigned bad = 0;

	if (!tree_init(&batched, f) || !tree_init(&paged, f))
		return;
	fill(&batched, pg);
	fill(&paged, pg);
	entries(&batched, pg, e0, p0);

	for (int step = 0; step < 2; step++) {
		uint32_t prot = step == 0 ? PT_R : PT_R | PT_W;

		protect(&batched, VA0, NPAGES * pg, prot);
		for (unsigned i = 0; i < NPAGES; i++)
			protect(&paged, VA0 + i * pg, pg, prot);
		entries(&batched, pg, eb, pb);
		entries(&paged, pg, ep, pp);
		for (unsigned i = 0; i < NPAGES; i++) {
			uint32_t kept = PT_DIRTY | PT_YOUNG;
			bool ok = CHECK_EQ(eb[i], ep[i]);
			ok &= CHECK_EQ(pb[i] & PT_W, prot & PT_W);
			ok &= CHECK_EQ(pb[i] & kept, p0[i] & kept);
			if (!ok && bad++ < 4)
				fprintf(stderr, "  ^ %s: page %u after protect to %s\n", f->name, i,
					step == 0 ? "read-only" : "writable");
		}
	}
	/* Back to writable: the entries the map and the A/D changes made. */
	for (unsigned i = 0; i < NPAGES; i++)
		if (!CHECK_EQ(eb[i], e0[i]) && bad++ < 8)
			fprintf(stderr, "  ^ %s: page %u not restored by the round trip\n", f->name,
				i);
	pt_arena_fini(&batched.a);
	pt_arena_fini(&paged.a);
}

/* The young bit of a leaf of formats that build every leaf young; 0 for the others. */
static uint64_t young_bit(const struct pt_format *f)
{
	if (!strncmp(f->name, "arm64", 5))
		return 1ull << 10; /* AF */
	if (!strncmp(f->name, "riscv", 5))
		return 1ull << 6; /* A */
	if (!strncmp(f->name, "ppc64", 5))
		return 1ull << 8; /* R (ISA bit 55) */
	return 0;
}

static bool leaf_at(struct tree *t, uint64_t va, uint64_t *e, uint32_t *prot)
{
	struct pt_translation tr;
	if (!CHECK_EQ(pt_translate(&t->mm, va, &tr), 0))
		return false;
	*e = tr.entry;
	*prot = tr.prot;
	return true;
}

static int set_ad(struct tree *t, uint64_t va, uint64_t size, uint32_t set, uint32_t clear)
{
	struct pt_gather g;
	int err;
	pt_gather_init(&g, &t->mm);
	err = pt_set_accessed(&t->mm, va, size, set, clear, &g);
	pt_gather_flush(&g);
	return err;
}

static void clean_and_age(const struct pt_format *f)
{
	const uint64_t ap2 = 1ull << 7, dbm = 1ull << 51, young = young_bit(f);
	const bool arm64 = !strncmp(f->name, "arm64", 5);
	uint64_t pg = 1ull << f->shift[0], e0, e1, e2;
	uint32_t p0, p1, p2;
	struct pt_gather g;
	struct pt_map_req req = {
		.va = VA0, .pa = PA0, .size = pg, .prot = PT_R | PT_W, .page_sizes = pg
	};
	struct pt_entry_info info;
	struct tree t;

	if (!young || !tree_init(&t, f))
		return;
	pt_gather_init(&g, &t.mm);
	CHECK_EQ(pt_map(&t.mm, &req, &g), 0);
	pt_gather_flush(&g);
	if (!leaf_at(&t, VA0, &e0, &p0))
		goto out;

	/* Age: the young bit alone goes, and comes back. */
	CHECK(p0 & PT_YOUNG);
	CHECK_EQ(e0 & young, young);
	if (CHECK_EQ(set_ad(&t, VA0, pg, 0, PT_YOUNG), 0) && leaf_at(&t, VA0, &e1, &p1)) {
		if (!CHECK_EQ(e1, e0 & ~young) || !CHECK_EQ(p1, p0 & ~(uint32_t)PT_YOUNG))
			fprintf(stderr, "  ^ %s: clear PT_YOUNG\n", f->name);
		if (CHECK_EQ(set_ad(&t, VA0, pg, PT_YOUNG, 0), 0) && leaf_at(&t, VA0, &e2, &p2))
			if (!CHECK_EQ(e2, e0) || !CHECK_EQ(p2, p0))
				fprintf(stderr, "  ^ %s: set PT_YOUNG again\n", f->name);
	}
	if (!arm64)
		goto out;

	/* Dirty, then clean: writable, clean, AP[2] = 1 with DBM = 1, the rest kept. */
	CHECK_EQ(set_ad(&t, VA0, pg, PT_DIRTY, 0), 0);
	if (!leaf_at(&t, VA0, &e1, &p1))
		goto out;
	CHECK_EQ(e1 & (ap2 | dbm), dbm);
	CHECK_EQ(p1 & (PT_W | PT_DIRTY), PT_W | PT_DIRTY);
	if (CHECK_EQ(set_ad(&t, VA0, pg, 0, PT_DIRTY), 0) && leaf_at(&t, VA0, &e2, &p2)) {
		bool ok = CHECK_EQ(p2 & (PT_W | PT_DIRTY), PT_W);
		ok &= CHECK_EQ(e2 & (ap2 | dbm), ap2 | dbm);
		ok &= CHECK_EQ(e2 & ~(ap2 | dbm), e1 & ~(ap2 | dbm));
		ok &= CHECK_EQ(p2, p1 & ~(uint32_t)PT_DIRTY);
		if (!ok)
			fprintf(stderr, "  ^ %s: clear PT_DIRTY of a writable leaf\n", f->name);
		/* The write the MMU records (AP[2] 1 -> 0) reads back as dirty. */
		pt_format_decode(f, e2 & ~ap2, 0, &info);
		CHECK_EQ(info.prot & (PT_W | PT_DIRTY), PT_W | PT_DIRTY);
		/* mkdirty again: back to the dirty entry */
		if (CHECK_EQ(set_ad(&t, VA0, pg, PT_DIRTY, 0), 0) && leaf_at(&t, VA0, &e2, &p2))
			CHECK_EQ(e2, e1);
	}
	/* Encode-leaf: writable dirty is AP[2] = 0 with DBM = 1 (tests/test_fmt_arm64.c pins
	 * PT_W without PT_DIRTY as AP[2] = 0, DBM = 0: writable without HD, as QEMU checks). */
	if (CHECK_EQ(f->ops.encode_leaf(PA0, 0, PT_R | PT_W | PT_DIRTY, &e1), 0)) {
		CHECK_EQ(e1 & (ap2 | dbm), dbm);
		pt_format_decode(f, e1 | ap2, 0, &info); /* its clean form */
		CHECK_EQ(info.prot & (PT_W | PT_DIRTY), PT_W);
	}
out:
	pt_arena_fini(&t.a);
}

int main(void)
{
	unsigned n = 0;
	for (unsigned i = 0; pt_format_at(i); i++, n++) {
		run(pt_format_at(i));
		clean_and_age(pt_format_at(i));
	}
	CHECK(n >= 16);
	printf("protect with mixed dirty / young leaves: %u formats, %u pages each\n", n, NPAGES);
	return CHECK_DONE();
}
