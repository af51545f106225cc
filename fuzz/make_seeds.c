/* SPDX-License-Identifier: MIT */
/*
 * Seed inputs for the fuzz targets, for every format: make_seeds DIR writes
 * DIR/walk_image/<format>-<n> (fuzz/image_input.h: small trees that ptkit built, so the
 * fuzzer starts from real entries) and DIR/ops_sequence/<format>-<n> (short operation
 * sequences, fuzz/fuzz_ops_sequence.c). Run by the fuzz_seeds test and by `make fuzz`.
 */
#include <ptkit/mem.h>
#include <ptkit/ptkit.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image_input.h"

struct buf {
	uint8_t b[4096];
	size_t n;
};

static void put(struct buf *o, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes && o->n < sizeof(o->b); i++)
		o->b[o->n++] = (uint8_t)(v >> (8 * i));
}

static void save(const char *dir, const char *sub, const char *name, int n, const struct buf *o)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0777) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/%s/%s-%d", dir, sub, name, n);
	fp = fopen(path, "wb");
	if (!fp || fwrite(o->b, 1, o->n, fp) != o->n || fclose(fp)) {
		perror(path);
		exit(1);
	}
}

static void map(struct pt_mm *mm, uint64_t va, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct pt_map_req req = { .va = va, .pa = pa, .size = size, .prot = prot };
	struct pt_gather g;

	pt_gather_init(&g, mm);
	pt_map(mm, &req, &g); /* best effort: a seed is only a starting point */
	pt_gather_flush(&g);
}

/* A tree ptkit built (a page, a run of pages, the largest leaf below the root, the upper
 * half), written as an image input with VAs that hit it. */
static void walk_seed(const char *dir, unsigned idx, int variant)
{
	const struct pt_format *f = pt_format_at(idx);
	uint64_t tb = fuzz_max_table(f), size = 8 * tb, base = 1ull << 30, page = 0, big = 0;
	uint64_t lo = f->half_base[0] + (1ull << 30), hi = f->half_base[1] + (1ull << 30);
	uint32_t prot = PT_R | PT_W | (variant ? PT_X | PT_USER : 0);
	struct pt_arena a;
	struct pt_mm mm;
	struct buf o = { .n = 0 };
	unsigned nrec = 0;
	size_t nrec_at;

	if (pt_arena_init(&a, base, size) || pt_mm_init(&mm, f, &a.mem)) {
		fprintf(stderr, "%s: no arena\n", f->name);
		exit(1);
	}
	for (int b = 0; b < 64; b++)
		if ((f->page_sizes >> b) & 1) {
			if (!page)
				page = 1ull << b;
		}
	for (int l = 1; l < f->levels - 1; l++)
		if (f->leaf_ok[l] && pt_level_size(f, l) <= (1ull << 30))
			big = pt_level_size(f, l);
	map(&mm, lo, 0x40000000, page, prot);
	map(&mm, lo + 4 * page, 0x40100000, 3 * page, prot | PT_GLOBAL);
	if (big && variant)
		map(&mm, lo + big, 0x80000000 & ~(big - 1), big, prot);
	map(&mm, hi, 0x50000000, page, PT_R);

	put(&o, idx, 1);
	put(&o, f->two_roots ? 1 : 0, 1); /* flags: a separate upper root */
	put(&o, 7, 1);			  /* 8 tables */
	put(&o, base >> 12, 8);
	put(&o, (mm.root[0] - base) / pt_table_bytes(f, f->levels - 1), 8);
	put(&o, (mm.root[1] - base) / pt_table_bytes(f, f->levels - 1), 8);
	nrec_at = o.n;
	put(&o, 0, 1);
	for (uint64_t off = 0; off < size && nrec < 64; off += 8) {
		uint64_t e = pt_entry_load(f, a.mem.bytes + off);

		if (!e)
			continue;
		put(&o, 0, 1); /* raw */
		put(&o, off / 8, 2);
		put(&o, e, 8);
		nrec++;
	}
	o.b[nrec_at] = (uint8_t)nrec;
	/* Four VAs: the page, the run, the block, the upper half. */
	put(&o, 1, 1);
	put(&o, lo + 0x123, 8);
	put(&o, 1, 1);
	put(&o, lo + 5 * page, 8);
	put(&o, 1, 1);
	put(&o, lo + big + 8, 8);
	put(&o, 2, 1);
	put(&o, hi + 0x10, 8);
	/* The range: around the lower mappings. */
	put(&o, 1, 1);
	put(&o, lo - page, 8);
	put(&o, 0, 1);
	put(&o, 1ull << 40, 8);
	put(&o, 8, 1);
	put(&o, variant, 1); /* dump: text / JSON */
	save(dir, "walk_image", f->name, variant, &o);
	pt_mm_destroy(&mm);
	pt_arena_fini(&a);
}

/* One 16-byte operation of fuzz_ops_sequence. */
static void op(struct buf *o, int kind, int flags, int fail, int sclass, int count, uint32_t va,
	       int pa, int rights, int extra, int off)
{
	put(o, kind, 1);
	put(o, flags, 1);
	put(o, fail, 2);
	put(o, sclass, 1);
	put(o, count, 1);
	put(o, va, 4);
	put(o, pa, 2);
	put(o, rights, 1);
	put(o, extra, 1);
	put(o, off, 2);
}

static void ops_seed(const char *dir, unsigned idx, int variant)
{
	const struct pt_format *f = pt_format_at(idx);
	struct buf o = { .n = 0 };
	int sc = variant; /* size class: the page, then the next size */

	put(&o, idx, 1);
	op(&o, 0, 1, 0, sc, 5, 3, 7, 0x11, 0, 0);     /* map */
	op(&o, 0, 1, 0x2, 0, 3, 64, 9, 0x03, 0, 0);   /* map, 2nd allocation fails */
	op(&o, 2, 1, 0, 0, 1, 4, 0, 0x25, 0, 0);      /* protect a page */
	op(&o, 3, 0x81, 0, sc, 1, 3, 0, 0, 2, 0);     /* split, undo */
	op(&o, 3, 1, 0x1, sc, 1, 3, 0, 0, 5, 0);      /* split, allocation fails */
	op(&o, 4, 1, 0, sc, 2, 3, 0, 0, 0x13, 0);     /* set young, clear dirty */
	op(&o, 1, 0x11, 0, sc, 1, 3, 0, 0, 0, 0x25);  /* unmap, unaligned */
	op(&o, 0, 2, 0, sc + 1, 1, 1, 0, 0x19, 0, 0); /* map a large leaf at the top */
	op(&o, 1, 1, 0, sc, 9, 0, 0, 0, 0, 0);	      /* unmap all */
	save(dir, "ops_sequence", f->name, variant, &o);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_seeds DIR\n");
		return 2;
	}
	if (mkdir(argv[1], 0777) && errno != EEXIST) {
		perror(argv[1]);
		return 1;
	}
	for (unsigned i = 0; pt_format_at(i); i++)
		for (int v = 0; v < 2; v++) {
			walk_seed(argv[1], i, v);
			ops_seed(argv[1], i, v);
		}
	return 0;
}
