/* SPDX-License-Identifier: MIT */
/*
 * Seed inputs for the fuzz targets, for every format: make_seeds DIR writes
 * DIR/walk_image/<format>-<n> (fuzz/image_input.h: small trees that ptkit built, so the
 * fuzzer starts from real entries) and DIR/ops_sequence/<format>-<n> (short operation
 * sequences, fuzz/fuzz_ops_sequence.c) and DIR/dump_file/<kind>-<n> (small dump files of an
 * x86_64 tree: a kdump-compressed file in both byte orders, its flattened form and an ELF
 * core, fuzz/fuzz_dump_file.c). Run by the fuzz_seeds test and by `make fuzz`.
 */
#include <ptkit/mem.h>
#include <ptkit/ptkit.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image_input.h"

#ifdef PTKIT_HAVE_ZLIB
#include <zlib.h>
#endif

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

/* ---- dump files ---- */

#define DP 512	    /* the kdump files' block (page) size: small seeds */
#define DMEM 0x6000 /* their memory: [0, DMEM) */
#define DNPFN (DMEM / DP)

struct dbuf {
	uint8_t b[1 << 16];
	size_t n;
	bool be;
};

static void dput(struct dbuf *o, size_t at, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes && at + (size_t)i < sizeof(o->b); i++)
		o->b[at + (size_t)i] = (uint8_t)(v >> (8 * (o->be ? bytes - 1 - i : i)));
	if (at + (size_t)bytes > o->n)
		o->n = at + (size_t)bytes;
}

static void dbytes(struct dbuf *o, size_t at, const void *p, size_t n)
{
	if (at + n > sizeof(o->b))
		return;
	memcpy(o->b + at, p, n);
	if (at + n > o->n)
		o->n = at + n;
}

static void dsave(const char *dir, const char *name, int n, const struct dbuf *o)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/dump_file", dir);
	if (mkdir(path, 0777) && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/dump_file/%s-%d", dir, name, n);
	fp = fopen(path, "wb");
	if (!fp || fwrite(o->b, 1, o->n, fp) != o->n || fclose(fp)) {
		perror(path);
		exit(1);
	}
}

/* x86_64: root 0x1000 -> 0x2000 -> 0x3000 -> PT 0x4000 (VA 0x1000 -> 0x5000), 2M leaf. */
static void dump_memory(uint8_t *m)
{
	const uint64_t e[][2] = { { 0x1000, 0x2003 },
				  { 0x2000, 0x3003 },
				  { 0x3000, 0x4003 },
				  { 0x3008, 0x200083 },
				  { 0x4008, 0x5003 } };

	memset(m, 0, DMEM);
	for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++)
		memcpy(m + e[i][0], &e[i][1], 8); /* little-endian host: x86 entries */
	for (int i = 0; i < 0x1000; i++)
		m[0x5000 + i] = (uint8_t)(i * 7);
}

/* An ELF note (name, type 0, desc of n bytes, zeros but for CR3 at 416) at at; its end. */
static size_t dnote(struct dbuf *o, size_t at, const char *name, const void *desc, uint32_t n)
{
	uint32_t nsz = (uint32_t)strlen(name) + 1;

	dput(o, at, nsz, 4);
	dput(o, at + 4, n, 4);
	dput(o, at + 8, 0, 4);
	dbytes(o, at + 12, name, nsz);
	at += 12 + ((nsz + 3) & ~3u);
	dbytes(o, at, desc, n);
	return at + ((n + 3) & ~3u);
}

static void kdump_seed(struct dbuf *o, bool be)
{
	static const char info[] = "OSRELEASE=6.1.0\nSYMBOL(swapper_pg_dir)=ffffffff82a0a000\n";
	uint8_t mem[DMEM], qemu[440] = { 0 };
	size_t notes = DP + 104, end, desc, data, zero;
	unsigned k = 0, sub;

	memset(o, 0, sizeof(*o));
	o->be = be;
	dump_memory(mem);
	end = dnote(o, notes, "QEMU", qemu, sizeof(qemu));
	dput(o, notes + 20 + 416, 0x1000, 8); /* CR3 in the note's desc */
	end = dnote(o, end, "VMCOREINFO", info, sizeof(info) - 1);
	sub = (unsigned)((end - DP + DP - 1) / DP);
	dbytes(o, 0, "KDUMP   ", 8);
	dput(o, 8, 6, 4);
	dbytes(o, 12 + 4 * 65, "x86_64", 6);
	dput(o, 428, DP, 4);
	dput(o, 432, sub, 4);
	dput(o, 436, 2, 4);
	dput(o, 440, DNPFN, 4);
	dput(o, 460, 1, 4);
	dput(o, DP + 8, 31, 4);
	dput(o, DP + 48, notes, 8);
	dput(o, DP + 56, end - notes, 8);
	dput(o, DP + 96, DNPFN, 8);
	for (unsigned pfn = 0; pfn < DNPFN; pfn++) { /* all memory; the last page excluded */
		o->b[(1 + sub) * DP + pfn / 8] |= (uint8_t)(1u << (pfn % 8));
		if (pfn + 1 < DNPFN)
			o->b[(2 + sub) * DP + pfn / 8] |= (uint8_t)(1u << (pfn % 8));
	}
	desc = (3 + sub) * DP;
	zero = data = desc + (DNPFN - 1) * 24;
	data += DP;
	for (unsigned pfn = 0; pfn + 1 < DNPFN; pfn++, k++) {
		const uint8_t *p = mem + pfn * DP;
		uint8_t z[2 * DP];
		unsigned long zn = sizeof(z);
		bool empty = true;

		for (int i = 0; i < DP; i++)
			empty &= !p[i];
		dput(o, desc + k * 24, empty ? zero : data, 8);
		dput(o, desc + k * 24 + 8, DP, 4);
		if (empty)
			continue;
#ifdef PTKIT_HAVE_ZLIB
		if (pfn % 2 && compress2(z, &zn, p, DP, 6) == Z_OK && zn < DP) {
			dput(o, desc + k * 24 + 8, zn, 4);
			dput(o, desc + k * 24 + 12, 1, 4);
			dbytes(o, data, z, zn);
			data += zn;
			continue;
		}
#endif
		(void)z;
		(void)zn;
		dbytes(o, data, p, DP);
		data += DP;
	}
}

/* The flattened form of in: header, pieces of at most 700 bytes, all-zero ones left out. */
static void flat_seed(struct dbuf *o, const struct dbuf *in)
{
	size_t at = 4096;

	memset(o, 0, sizeof(*o));
	o->be = true;
	dbytes(o, 0, "makedumpfile", 12);
	dput(o, 16, 1, 8);
	dput(o, 24, 1, 8);
	for (size_t off = 0; off < in->n; off += 700) {
		size_t n = in->n - off < 700 ? in->n - off : 700;
		bool zero = off + n < in->n;

		for (size_t i = 0; i < n && zero; i++)
			zero = !in->b[off + i];
		if (zero)
			continue;
		dput(o, at, off, 8);
		dput(o, at + 8, n, 8);
		dbytes(o, at + 16, in->b + off, n);
		at += 16 + n;
	}
	dput(o, at, UINT64_MAX, 8);
	dput(o, at + 8, UINT64_MAX, 8);
}

/* The same memory as an ELF core: one PT_LOAD, the QEMU note. */
static void elf_seed(struct dbuf *o)
{
	uint8_t mem[DMEM], qemu[440] = { 0 };
	size_t notes = 64 + 2 * 56, end;

	memset(o, 0, sizeof(*o));
	dump_memory(mem);
	dbytes(o, 0, "\177ELF\2\1\1", 7);
	dput(o, 16, 4, 2);  /* ET_CORE */
	dput(o, 18, 62, 2); /* EM_X86_64 */
	dput(o, 20, 1, 4);
	dput(o, 32, 64, 8); /* e_phoff */
	dput(o, 52, 64, 2);
	dput(o, 54, 56, 2);
	dput(o, 56, 2, 2);
	end = dnote(o, notes, "QEMU", qemu, sizeof(qemu));
	dput(o, notes + 20 + 416, 0x1000, 8);
	dput(o, 64, 4, 4); /* PT_NOTE */
	dput(o, 64 + 8, notes, 8);
	dput(o, 64 + 32, end - notes, 8);
	dput(o, 120, 1, 4); /* PT_LOAD */
	dput(o, 120 + 8, 4096, 8);
	dput(o, 120 + 24, 0, 8);
	dput(o, 120 + 32, DMEM, 8);
	dput(o, 120 + 40, DMEM, 8);
	dbytes(o, 4096, mem, DMEM);
}

static void dump_seeds(const char *dir)
{
	static struct dbuf k, f;

	for (int be = 0; be < 2; be++) {
		kdump_seed(&k, be);
		dsave(dir, "kdump", be, &k);
		flat_seed(&f, &k);
		dsave(dir, "flat", be, &f);
	}
	elf_seed(&k);
	dsave(dir, "elf", 0, &k);
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
	dump_seeds(argv[1]);
	return 0;
}
