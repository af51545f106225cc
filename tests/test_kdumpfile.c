// SPDX-License-Identifier: MIT
/*
 * kdump-compressed dumps (src/mem/kdumpfile.c, flatfile.c, decompress.c) on every format: a
 * random tree is written by a small writer here as a kdump-compressed file — pages stored
 * raw, compressed with every codec this build has, the all-zero ones sharing one stored
 * page (as QEMU does), some zero pages excluded, pages below the arena not memory at all,
 * CPU and VMCOREINFO notes — once as a plain file and once flattened (records in shuffled
 * order, all-zero pieces left out), little- and big-endian. Every walk and translation
 * through pt_dump_open's memory must equal the one over the raw arena; a second walk reads
 * no page again. With libkdumpfile-dev, libkdumpfile must read every page of the plain
 * files as ptkit does and libaddrxlat translate the x86_64 trees' VAs as ptkit does. Then
 * hostile or unusual files: a truncated header, bitmaps past the end, a page descriptor or
 * page data past the end, a page that decompresses to the wrong size or not at all, two
 * codec flags, a PFN inside the memory that is no memory, the old DISKDUMP signature, a
 * split dump's part, a 32-bit machine's header, flattened records out of range, overlapping
 * or without the end marker: each a clear error (or the right memory), never a crash. With
 * the CLI built (PTKIT_CLI), `ptkit translate` on both files prints what it prints for the
 * raw image, and names the PFN of a table it cannot read. With PTKIT_QEMU_DUMPS set (by
 * scripts/kdump-qemu.sh) to a directory holding QEMU's g.elf and z.flat (and other kdump-*
 * files, and makedumpfile -R's z.kdump), every page of those is compared with the ELF's.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#ifdef PTKIT_HAVE_LZO
#include <lzo/lzo1x.h>
#endif
#ifdef PTKIT_HAVE_SNAPPY
#include <snappy-c.h>
#endif
#ifdef PTKIT_HAVE_ZSTD
#include <zstd.h>
#endif

#ifdef PTKIT_HAVE_LIBKDUMPFILE
#include <fcntl.h>
#include <libkdumpfile/kdumpfile.h>
#endif

#include "image_tree.h"
#include "ptkit/dump.h"

#define ARENA_BASE 0x80000000ull
#define ARENA_SIZE (16ull << 20)
#define NMAPS 200
#define NVA 2000

static char dir[] = "/tmp/ptkit-kdumpfile.XXXXXX";

static const char vmcoreinfo[] = "OSRELEASE=6.1.0-test\n"
				 "SYMBOL(swapper_pg_dir)=ffffffff82a0a000\n"
				 "NUMBER(phys_base)=16777216\n";

/* ---- the writer ----------------------------------------------------------------------- */

struct kw {
	uint8_t *buf; /* the dump file */
	uint64_t len, cap;
	bool swap;
	uint32_t page;
	uint64_t *desc_at; /* per arena page: its descriptor's offset, 0 when excluded */
	uint64_t excluded; /* the first excluded PFN */
	uint64_t bm_at;	   /* the 1st bitmap's offset */
	unsigned codecs_used;
};

struct kopt {
	bool swap;
	uint32_t page;
	bool vmcoreinfo_note; /* VMCOREINFO as an ELF note, else through offset_vmcoreinfo */
	bool qemu_note;
	uint64_t cr3, cr4;
	const char *machine; /* utsname.machine */
};

static void put(struct kw *w, uint64_t off, const void *p, uint64_t n)
{
	if (off + n > w->cap) {
		while (off + n > w->cap)
			w->cap = w->cap ? 2 * w->cap : 1 << 20;
		w->buf = realloc(w->buf, w->cap);
		if (!w->buf)
			abort();
	}
	if (off > w->len)
		memset(w->buf + w->len, 0, off - w->len);
	memcpy(w->buf + off, p, n);
	if (off + n > w->len)
		w->len = off + n;
}

static void put32(struct kw *w, uint64_t off, uint32_t v)
{
	v = w->swap ? __builtin_bswap32(v) : v;
	put(w, off, &v, 4);
}

static void put64(struct kw *w, uint64_t off, uint64_t v)
{
	v = w->swap ? __builtin_bswap64(v) : v;
	put(w, off, &v, 8);
}

/* An ELF note (name, type 0, desc) at off; returns its end. */
static uint64_t put_note(struct kw *w, uint64_t off, const char *name, const void *desc, uint32_t n)
{
	uint32_t name_sz = (uint32_t)strlen(name) + 1;

	put32(w, off, name_sz);
	put32(w, off + 4, n);
	put32(w, off + 8, 0);
	put(w, off + 12, name, name_sz);
	off += 12 + ((name_sz + 3) & ~3u);
	put(w, off, desc, n);
	return off + ((n + 3) & ~3u);
}

static bool is_zero(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Compress p with codec k (0 zlib, 1 lzo, 2 snappy, 3 zstd): size, 0 when not built in. */
static size_t compress_page(int k, const uint8_t *p, uint32_t n, uint8_t *out, size_t cap,
			    uint32_t *flag)
{
	switch (k) {
	case 0: {
		uLongf got = (uLongf)cap;
		*flag = 0x1;
		return compress2(out, &got, p, n, 6) == Z_OK ? (size_t)got : 0;
	}
#ifdef PTKIT_HAVE_LZO
	case 1: {
		static uint8_t wrk[LZO1X_1_MEM_COMPRESS];
		lzo_uint got = cap;
		*flag = 0x2;
		return lzo_init() == LZO_E_OK && lzo1x_1_compress(p, n, out, &got, wrk) == LZO_E_OK
			       ? (size_t)got
			       : 0;
	}
#endif
#ifdef PTKIT_HAVE_SNAPPY
	case 2: {
		size_t got = cap;
		*flag = 0x4;
		return snappy_compress((const char *)p, n, (char *)out, &got) == SNAPPY_OK ? got
											   : 0;
	}
#endif
#ifdef PTKIT_HAVE_ZSTD
	case 3: {
		size_t got = ZSTD_compress(out, cap, p, n, 3);
		*flag = 0x20;
		return ZSTD_isError(got) ? 0 : got;
	}
#endif
	}
	return 0;
}

/*
 * mem [ARENA_BASE, ARENA_BASE + ARENA_SIZE) as a kdump-compressed file: PFNs below the arena
 * are not memory; zero pages past `high` are excluded every other one.
 */
static void kdump_write(struct kw *w, const uint8_t *mem, uint64_t high, const struct kopt *o)
{
	const uint32_t P = o->page;
	const uint64_t first = ARENA_BASE / P, max_mapnr = (ARENA_BASE + ARENA_SIZE) / P;
	const uint64_t bm = ((max_mapnr + 7) / 8 + P - 1) / P * P; /* bytes of one bitmap */
	uint64_t notes_at = P + 104, notes_end, sub_blocks, bm_at, desc_at, data_at, zero_at;
	uint64_t ndump = 0, k = 0;
	uint8_t *bitmap = calloc(1, 2 * bm), *cbuf = malloc(2 * P + 64);
	uint8_t qdesc[440] = { 0 };
	char machine[65] = { 0 };

	memset(w, 0, sizeof(*w));
	w->swap = o->swap;
	w->page = P;
	w->desc_at = calloc(ARENA_SIZE / P, sizeof(*w->desc_at));
	if (!bitmap || !cbuf || !w->desc_at)
		abort();
	/* Notes after the sub-header, as QEMU writes them. */
	notes_end = notes_at;
	if (o->qemu_note) {
		uint64_t cr3 = w->swap ? __builtin_bswap64(o->cr3) : o->cr3;
		uint64_t cr4 = w->swap ? __builtin_bswap64(o->cr4) : o->cr4;
		memcpy(qdesc + 416, &cr3, 8);
		memcpy(qdesc + 424, &cr4, 8);
		notes_end = put_note(w, notes_end, "QEMU", qdesc, sizeof(qdesc));
	}
	if (o->vmcoreinfo_note)
		notes_end =
			put_note(w, notes_end, "VMCOREINFO", vmcoreinfo, sizeof(vmcoreinfo) - 1);
	else
		put(w, notes_end, vmcoreinfo, sizeof(vmcoreinfo) - 1);
	sub_blocks = (notes_end + sizeof(vmcoreinfo) - P + P - 1) / P;
	bm_at = (1 + sub_blocks) * P;
	desc_at = bm_at + 2 * bm;
	/* Which pages are memory (1st bitmap) and dumped (2nd). */
	for (uint64_t pfn = first; pfn < max_mapnr; pfn++) {
		const uint8_t *p = mem + (pfn - first) * P;
		bool dumped = !((pfn - first) * P >= high && is_zero(p, P) && (pfn & 1));

		bitmap[pfn / 8] |= (uint8_t)(1u << (pfn % 8));
		if (dumped) {
			bitmap[bm + pfn / 8] |= (uint8_t)(1u << (pfn % 8));
			ndump++;
		} else if (!w->excluded) {
			w->excluded = pfn;
		}
	}
	put(w, bm_at, bitmap, 2 * bm);
	w->bm_at = bm_at;
	zero_at = data_at = desc_at + ndump * 24;
	memset(cbuf, 0, P);
	put(w, data_at, cbuf, P); /* the one stored zero page */
	data_at += P;
	for (uint64_t pfn = first; pfn < max_mapnr; pfn++) {
		const uint8_t *p = mem + (pfn - first) * P;
		uint64_t d = desc_at + k * 24;
		uint32_t flag = 0;
		size_t n = 0;

		if (!(bitmap[bm + pfn / 8] >> (pfn % 8) & 1))
			continue;
		w->desc_at[pfn - first] = d;
		k++;
		if (is_zero(p, P)) {
			put64(w, d, zero_at);
			put32(w, d + 8, P);
			put32(w, d + 12, 0);
			put64(w, d + 16, 0);
			continue;
		}
		if (pfn % 5) /* every fifth page stored as it is */
			n = compress_page((int)(pfn % 4), p, P, cbuf, 2 * P + 64, &flag);
		if (!n || n >= P) {
			n = P;
			flag = 0;
			memcpy(cbuf, p, P);
		}
		w->codecs_used |= flag;
		put(w, data_at, cbuf, n);
		put64(w, d, data_at);
		put32(w, d + 8, (uint32_t)n);
		put32(w, d + 12, flag);
		put64(w, d + 16, 0);
		data_at += n;
	}
	/* The headers, last (as makedumpfile does). */
	put(w, 0, "KDUMP   ", 8);
	put32(w, 8, 6);
	strncpy(machine, o->machine ? o->machine : "x86_64", sizeof(machine) - 1);
	put(w, 12 + 4 * 65, machine, sizeof(machine));
	put32(w, 424, 1);
	put32(w, 428, P);
	put32(w, 432, (uint32_t)sub_blocks);
	put32(w, 436, (uint32_t)(2 * bm / P));
	put32(w, 440, (uint32_t)max_mapnr);
	put32(w, 460, 1);
	put64(w, P + 0, 0);  /* phys_base */
	put32(w, P + 8, 31); /* dump_level */
	put32(w, P + 12, 0); /* split */
	put64(w, P + 32, o->vmcoreinfo_note ? 0 : notes_end);
	put64(w, P + 40, o->vmcoreinfo_note ? 0 : sizeof(vmcoreinfo) - 1);
	put64(w, P + 48, notes_at);
	put64(w, P + 56, notes_end - notes_at);
	put64(w, P + 96, max_mapnr); /* max_mapnr_64 */
	free(bitmap);
	free(cbuf);
}

/* Point pfn's descriptor at new data appended to the file. */
static void redirect(struct kw *w, uint64_t pfn, uint64_t off, const void *p, uint32_t n,
		     uint32_t flag)
{
	uint64_t d = w->desc_at[pfn - ARENA_BASE / w->page];

	if (!CHECK(d))
		return;
	if (p) {
		off = w->len;
		put(w, off, p, n);
	}
	put64(w, d, off);
	put32(w, d + 8, n);
	put32(w, d + 12, flag);
}

static void write_bytes(const char *path, const void *p, uint64_t n)
{
	FILE *f = fopen(path, "wb");

	if (!CHECK(f))
		return;
	CHECK_EQ(fwrite(p, 1, n, f), n);
	fclose(f);
}

static void be64_put(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* The flattened form of buf: pieces in shuffled order, all-zero ones mostly left out. */
static void write_flat(const char *path, const uint8_t *buf, uint64_t len)
{
	struct piece {
		uint64_t off, n;
	} *pc = NULL;
	size_t np = 0, cap = 0;
	uint8_t head[4096] = "makedumpfile", rh[16];
	FILE *f = fopen(path, "wb");

	if (!CHECK(f))
		return;
	for (uint64_t off = 0; off < len;) {
		uint64_t n = 1 + it_rnd() % 9000;
		if (n > len - off)
			n = len - off;
		if (np == cap) {
			cap = cap ? 2 * cap : 1024;
			pc = realloc(pc, cap * sizeof(*pc));
			if (!pc)
				abort();
		}
		if (off + n == len || !is_zero(buf + off, n) || (it_rnd() & 3) == 0)
			pc[np++] = (struct piece){ off, n };
		off += n;
	}
	for (size_t i = np - 1; i > 0; i--) {
		size_t j = (size_t)(it_rnd() % (i + 1));
		struct piece t = pc[i];
		pc[i] = pc[j];
		pc[j] = t;
	}
	be64_put(head + 16, 1);
	be64_put(head + 24, 1);
	fwrite(head, 1, sizeof(head), f);
	for (size_t i = 0; i < np; i++) {
		be64_put(rh, pc[i].off);
		be64_put(rh + 8, pc[i].n);
		fwrite(rh, 1, 16, f);
		fwrite(buf + pc[i].off, 1, pc[i].n, f);
	}
	be64_put(rh, UINT64_MAX);
	be64_put(rh + 8, UINT64_MAX);
	fwrite(rh, 1, 16, f);
	fclose(f);
	free(pc);
}

/* ---- checks --------------------------------------------------------------------------- */

static void expect_refused(const char *path, int err, const char *needle)
{
	struct pt_dump d;
	int e = pt_dump_open(&d, path, false, 0);

	CHECK_EQ(e, err);
	if (!CHECK(strstr(d.err, needle)))
		fprintf(stderr, "  error was: %s (wanted '%s')\n", d.err, needle);
	CHECK(!d.mem);
	if (!e)
		pt_dump_close(&d);
}

/* pa cannot be read and pt_dump_explain says so with needle. */
static void expect_unreadable(struct pt_dump *d, uint64_t pa, const char *needle)
{
	uint8_t b[8];
	char why[256] = "";

	CHECK_EQ(pt_segmem_read(&d->seg, pa, b, sizeof(b)), -PT_EFAULT);
	CHECK(!d->mem->table(d->mem, pa & ~4095ull, 4096));
	if (!CHECK(pt_dump_explain(d, pa, 8, why, sizeof(why)) && strstr(why, needle)))
		fprintf(stderr, "  explanation was: '%s' (wanted '%s')\n", why, needle);
}

#ifdef PTKIT_CLI
#include "cli_translate.h"

/* `ptkit translate` of the leaves' VAs: its stdout, or NULL (exit != 0); stderr to a file. */
static char *cli_translate(const struct pt_mm *mm, const char *args, const struct it_recs *leaves,
			   bool root)
{
	char err[160];

	snprintf(err, sizeof(err), "%s/stderr", dir);
	return cli_translate_leaves(mm, args, leaves, root ? TR_ROOTS : 0, err);
}

static bool stderr_has(const char *needle)
{
	char path[160], text[4096] = "";
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/stderr", dir);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	if (!strstr(text, needle)) {
		fprintf(stderr, "  CLI stderr was: %s (wanted '%s')\n", text, needle);
		return false;
	}
	return true;
}

static void test_cli(const struct pt_mm *mm, const char *raw, const char *kdump, const char *flat,
		     const struct it_recs *leaves, uint64_t excluded)
{
	const char *files[2] = { kdump, flat };
	char args[512], *want, *got;

	snprintf(args, sizeof(args), "--image %s --base 0x%llx", raw,
		 (unsigned long long)ARENA_BASE);
	want = cli_translate(mm, args, leaves, true);
	if (!CHECK(want))
		return;
	want = strdup(want);
	for (int i = 0; i < 2; i++) {
		snprintf(args, sizeof(args), "--image %s", files[i]);
		got = cli_translate(mm, args, leaves, true);
		if (CHECK(got))
			CHECK(!strcmp(want, got));
		/* Without --root: the QEMU CPU note gives x86's CR3. */
		if (!strncmp(mm->fmt->name, "x86_64", 6)) {
			got = cli_translate(mm, args, leaves, false);
			if (CHECK(got))
				CHECK(!strcmp(want, got) && stderr_has("from CPU 0's CR3"));
		}
	}
	free(want);
	if (!mm->fmt->two_roots && excluded) { /* a root on an excluded page: named */
		struct pt_mm x = *mm;
		x.root[0] = x.root[1] = excluded * 4096;
		snprintf(args, sizeof(args), "--image %s", kdump);
		if (pt_table_bytes(mm->fmt, mm->fmt->levels - 1) <= 4096) {
			CHECK(!cli_translate(&x, args, leaves, true));
			CHECK(stderr_has("excluded from the kdump-compressed dump"));
		}
	}
}
#endif

static void same_memory(struct pt_mm *img, struct pt_dump *d, const struct pt_format *f,
			const struct pt_mm *built, const struct it_recs *leaves,
			const struct pt_arena *a)
{
	struct pt_mm dm;
	struct it_recs got = { 0 };
	uint64_t first_read;

	pt_mm_attach(&dm, f, d->mem, built->root[0], built->root[1]);
	it_walk_all(&dm, &got);
	if (CHECK_EQ(got.n, leaves->n))
		for (size_t i = 0; i < got.n; i++)
			if (!CHECK(it_same(&got.r[i], &leaves->r[i])))
				break;
	first_read = d->pages_read;
	CHECK(first_read <= a->high / 4096 + 1);
	it_walk_all(&dm, &got); /* every table is in pt_segmem's cache now */
	CHECK_EQ(d->pages_read, first_read);
	for (int i = 0; i < NVA; i++) {
		uint64_t va = it_random_va(f, leaves);
		struct pt_translation t1, t2;
		int e1 = pt_translate(img, va, &t1), e2 = pt_translate(&dm, va, &t2);

		if (!CHECK_EQ(e1, e2) || (!e1 && !CHECK_EQ(t1.pa, t2.pa)))
			break;
	}
	/* Every byte of the arena that was dumped reads back. */
	for (uint64_t off = 0; off < ARENA_SIZE; off += 1 << 20) {
		static uint8_t b[1 << 20];
		if (pt_segmem_read(&d->seg, ARENA_BASE + off, b, sizeof(b)) == 0)
			CHECK(!memcmp(b, a->mem.bytes + off, sizeof(b)));
		else
			CHECK(off + sizeof(b) > a->high); /* only where zero pages were excluded */
	}
	free(got.r);
}

#ifdef PTKIT_HAVE_LIBKDUMPFILE
static unsigned lkd_files; /* files libkdumpfile agreed on */
static unsigned lax_vas;   /* VAs libaddrxlat translated as ptkit does */

/*
 * libaddrxlat's translation of VAs (x86_64 4- and 5-level only: its page-table method with
 * the X86_64 entry format, reading through libkdumpfile) must be pt_translate's on the raw
 * arena: the same PA, or no translation from both.
 */
static void addrxlat_opinion(kdump_ctx_t *ctx, struct pt_mm *img, const struct it_recs *leaves)
{
	const struct pt_format *f = img->fmt;
	addrxlat_ctx_t *ax = NULL;
	addrxlat_meth_t meth = { .kind = ADDRXLAT_PGT, .target_as = ADDRXLAT_MACHPHYSADDR };

	if (strncmp(f->name, "x86_64", 6) ||
	    !CHECK_EQ(kdump_get_addrxlat(ctx, &ax, NULL), KDUMP_OK))
		return;
	meth.param.pgt.root.addr = img->root[0];
	meth.param.pgt.root.as = ADDRXLAT_MACHPHYSADDR;
	meth.param.pgt.pf.pte_format = ADDRXLAT_PTE_X86_64;
	meth.param.pgt.pf.nfields = (unsigned short)(f->levels + 1);
	meth.param.pgt.pf.fieldsz[0] = 12;
	for (int l = 1; l <= f->levels; l++)
		meth.param.pgt.pf.fieldsz[l] = 9;
	for (int i = 0; i < 500; i++) {
		uint64_t va = it_random_va(f, leaves);
		addrxlat_step_t step = { .ctx = ax, .sys = NULL, .meth = &meth };
		struct pt_translation t;
		int e = pt_translate(img, va, &t);
		addrxlat_status st;

		step.base.addr = va;
		step.base.as = ADDRXLAT_KVADDR;
		st = addrxlat_walk(&step);
		if (!CHECK_EQ(st == ADDRXLAT_OK, e == 0) ||
		    (!e && !CHECK_EQ(step.base.addr, t.pa))) {
			fprintf(stderr, "  %s VA 0x%llx: libaddrxlat %d (%s), ptkit %d\n", f->name,
				(unsigned long long)va, st, st ? addrxlat_ctx_get_err(ax) : "", e);
			break;
		}
		lax_vas++;
	}
	addrxlat_ctx_decref(ax);
}

/*
 * libkdumpfile's reads of the pages [start, end) of path must be ptkit's: the same bytes, or
 * an error from both (libkdumpfile: KDUMP_ERR_NODATA for a page not in the dump).
 */
static void second_opinion(const char *path, const struct pt_dump *d, uint64_t start, uint64_t end,
			   uint32_t page, struct pt_mm *img, const struct it_recs *leaves)
{
	static uint8_t a[65536], b[65536];
	kdump_ctx_t *ctx = kdump_new();
	int fd = open(path, O_RDONLY);
	uint64_t same = 0;

	if (!CHECK(ctx) || !CHECK(fd >= 0))
		goto out;
	if (kdump_open_fd(ctx, fd) != KDUMP_OK) {
		printf("libkdumpfile cannot open %s: %s (no second opinion)\n", path,
		       kdump_get_err(ctx));
		goto out;
	}
	for (uint64_t pa = start; pa < end; pa += page) {
		size_t n = page;
		kdump_status st = kdump_read(ctx, KDUMP_MACHPHYSADDR, pa, a, &n);
		int e = pt_segmem_read(&d->seg, pa, b, page);

		if (!CHECK_EQ(st == KDUMP_OK, e == 0) || (!e && !CHECK(!memcmp(a, b, page)))) {
			fprintf(stderr, "  %s PA 0x%llx: libkdumpfile %d (%s), ptkit %d\n", path,
				(unsigned long long)pa, st, st ? kdump_get_err(ctx) : "", e);
			break;
		}
		same++;
	}
	lkd_files += same == (end - start) / page;
	if (img)
		addrxlat_opinion(ctx, img, leaves);
out:
	if (fd >= 0)
		close(fd);
	if (ctx)
		kdump_free(ctx);
}
#endif

static void check_notes(const struct pt_dump *d, const struct pt_format *f, uint64_t cr3)
{
	uint64_t reg = 0, v = 0;
	const char *name = NULL;
	bool has = pt_dump_cpu_root(d, &reg, &name);

	CHECK_EQ(has, !strncmp(f->name, "x86_64", 6));
	if (has)
		CHECK(reg == cr3 && !strcmp(name, f->name));
	CHECK(pt_dump_vmcoreinfo(d, "SYMBOL(swapper_pg_dir)", &v) && v == 0xffffffff82a0a000ull);
	CHECK(pt_dump_vmcoreinfo(d, "NUMBER(phys_base)", &v) && v == 16777216);
}

static void test_format(const struct pt_format *f, bool swap)
{
	char kd[128], flat[128], raw[128];
	struct pt_arena a;
	struct pt_mm built, img;
	struct pt_mem image;
	struct it_recs leaves = { 0 };
	struct kw w;
	struct kopt o = { .swap = swap,
			  .page = strstr(f->name, "64k") ? 65536 : 4096,
			  .vmcoreinfo_note = !swap,
			  .machine = !strncmp(f->name, "arm64", 5)   ? "aarch64"
				     : !strncmp(f->name, "riscv", 5) ? "riscv64"
				     : !strncmp(f->name, "ppc64", 5) ? (swap ? "ppc64" : "ppc64le")
								     : "x86_64" };

	if (!CHECK_EQ(pt_arena_init(&a, ARENA_BASE, ARENA_SIZE), 0))
		return;
	if (!CHECK_EQ(pt_mm_init(&built, f, &a.mem), 0))
		goto out;
	CHECK(it_populate(&built, NMAPS) >= 20);
	pt_image_mem(&image, a.mem.bytes, ARENA_BASE, ARENA_SIZE);
	pt_mm_attach(&img, f, &image, built.root[0], built.root[1]);
	it_walk_all(&img, &leaves);

	o.qemu_note = !strncmp(f->name, "x86_64", 6);
	o.cr3 = built.root[0] | 0x5;
	o.cr4 = f->levels == 5 ? 1ull << 12 : 0;
	kdump_write(&w, a.mem.bytes, a.high, &o);
	snprintf(kd, sizeof(kd), "%s/%s.kdump", dir, f->name);
	snprintf(flat, sizeof(flat), "%s/%s.flat", dir, f->name);
	write_bytes(kd, w.buf, w.len);
	write_flat(flat, w.buf, w.len);
	for (int form = 0; form < 2; form++) {
		struct pt_dump d;

		if (!CHECK_EQ(pt_dump_open(&d, form ? flat : kd, false, 0), 0)) {
			fprintf(stderr, "  %s\n", d.err);
			continue;
		}
		CHECK_EQ(d.kind, form ? PT_DUMP_FLAT : PT_DUMP_KDUMP);
		CHECK_EQ(d.segments, 1);	     /* one run: the arena */
		CHECK_EQ(d.machine, f->elf_machine); /* from utsname.machine */
		check_notes(&d, f, o.cr3);
		same_memory(&img, &d, f, &built, &leaves, &a);
#ifdef PTKIT_HAVE_LIBKDUMPFILE /* 0.5.1 does not read the flattened form */
		if (!form)
			second_opinion(kd, &d, ARENA_BASE - 4 * o.page,
				       ARENA_BASE + ARENA_SIZE + 4 * o.page, o.page,
				       swap ? NULL : &img, &leaves); /* x86 entries are LE */
#endif
		if (w.excluded)
			expect_unreadable(&d, w.excluded * o.page, "excluded");
		expect_unreadable(&d, ARENA_BASE + ARENA_SIZE, "beyond");
		{
			uint8_t b;
			char why[256];
			CHECK_EQ(pt_segmem_read(&d.seg, ARENA_BASE - 1, &b, 1), -PT_EFAULT);
			CHECK(pt_dump_explain(&d, ARENA_BASE - 1, 1, why, sizeof(why)) &&
			      strstr(why, "not memory"));
			CHECK(!pt_dump_explain(&d, ARENA_BASE, 4096, why, sizeof(why)));
		}
		pt_dump_close(&d);
	}
	snprintf(raw, sizeof(raw), "%s/%s.raw", dir, f->name);
	write_bytes(raw, a.mem.bytes, ARENA_SIZE);
#ifdef PTKIT_CLI
	if (!swap)
		test_cli(&built, raw, kd, flat, &leaves, o.page == 4096 ? w.excluded : 0);
#endif
	unlink(kd);
	unlink(flat);
	unlink(raw);
	free(w.buf);
	free(w.desc_at);
out:
	free(leaves.r);
	pt_arena_fini(&a);
}

/* ---- hostile files -------------------------------------------------------------------- */

/* A tree on x86_64, written; each case mutates a copy. */
static void test_hostile(void)
{
	const struct pt_format *f = pt_format_find("x86_64");
	struct kopt o = { .page = 4096, .vmcoreinfo_note = true };
	struct pt_arena a;
	struct pt_mm built;
	struct pt_dump d;
	struct kw w;
	char p[160];
	uint64_t root_pfn;

	if (!CHECK_EQ(pt_arena_init(&a, ARENA_BASE, ARENA_SIZE), 0))
		return;
	if (!CHECK_EQ(pt_mm_init(&built, f, &a.mem), 0))
		goto out;
	it_populate(&built, 50);
	root_pfn = built.root[0] / 4096;
	kdump_write(&w, a.mem.bytes, a.high, &o);
	snprintf(p, sizeof(p), "%s/hostile", dir);
#ifdef PTKIT_CLI
	{ /* a page table (not the root) whose page data is past the end: the CLI names it */
		struct pt_mem image;
		struct pt_mm img;
		struct it_recs leaves = { 0 };
		struct kw c = w;

		pt_image_mem(&image, a.mem.bytes, ARENA_BASE, ARENA_SIZE);
		pt_mm_attach(&img, f, &image, built.root[0], built.root[1]);
		it_walk_all(&img, &leaves);
		c.buf = malloc(w.len);
		memcpy(c.buf, w.buf, w.len);
		if (CHECK(leaves.n) && CHECK(leaves.r[0].table_pa / 4096 != root_pfn)) {
			char args[256];
			struct it_recs one = { leaves.r, 1, 1 };

			redirect(&c, leaves.r[0].table_pa / 4096, c.len + 4096, NULL, 100, 1);
			write_bytes(p, c.buf, c.len);
			snprintf(args, sizeof(args), "--image %s", p);
			/* exit 1: an error answer, naming the PFN and what is wrong */
			CHECK(!cli_translate(&built, args, &one, true));
			CHECK(stderr_has("past the end of the file"));
			CHECK(stderr_has("PFN 0x"));
		}
		free(c.buf);
		free(leaves.r);
	}
#endif

	write_bytes(p, w.buf, 300);
	expect_refused(p, -PT_EBADENT, "truncated header");
	write_bytes(p, w.buf, 4096 + 104 + 500);
	expect_refused(p, -PT_EBADENT, "bitmaps");
	{ /* bitmap_blocks far past the end */
		struct kw c = w;
		c.buf = malloc(w.len);
		memcpy(c.buf, w.buf, w.len);
		put32(&c, 436, 0x7fffffff);
		write_bytes(p, c.buf, c.len);
		expect_refused(p, -PT_EBADENT, "run past the end of the file");
		put32(&c, 436, 2); /* too small for max_mapnr */
		write_bytes(p, c.buf, c.len);
		expect_refused(p, -PT_EBADENT, "max_mapnr");
		memcpy(c.buf, w.buf, w.len);
		put32(&c, 8, 0x12345678);
		write_bytes(p, c.buf, c.len);
		expect_refused(p, -PT_EBADENT, "header_version");
		memcpy(c.buf, w.buf, w.len);
		put32(&c, 428, 0); /* block_size where a 32-bit machine's header has it */
		put32(&c, 416, 4096);
		write_bytes(p, c.buf, c.len);
		expect_refused(p, -PT_EINVAL, "32-bit machine");
		put32(&c, 416, 1000);
		write_bytes(p, c.buf, c.len);
		expect_refused(p, -PT_EBADENT, "block_size");
		free(c.buf);
	}
	{ /* a PFN inside the memory's span that is no memory (cleared in the 1st bitmap) */
		struct kw c = w;
		uint8_t byte;

		c.buf = malloc(w.len);
		memcpy(c.buf, w.buf, w.len);
		byte = c.buf[c.bm_at + w.excluded / 8] & (uint8_t) ~(1u << (w.excluded % 8));
		put(&c, c.bm_at + w.excluded / 8, &byte, 1);
		write_bytes(p, c.buf, c.len);
		if (CHECK(w.excluded) && CHECK_EQ(pt_dump_open(&d, p, false, 0), 0)) {
			CHECK_EQ(d.segments, 2);
			expect_unreadable(&d, w.excluded * 4096, "not memory");
			expect_unreadable(&d, (w.excluded + 2) * 4096, "excluded");
			pt_dump_close(&d);
		}
		free(c.buf);
	}
	{ /* the older "DISKDUMP" signature: no kdump sub-header read, the same memory */
		struct kw c = w;
		uint8_t page[4096];

		c.buf = malloc(w.len);
		memcpy(c.buf, w.buf, w.len);
		put(&c, 0, "DISKDUMP", 8);
		write_bytes(p, c.buf, c.len);
		if (CHECK_EQ(pt_dump_open(&d, p, false, 0), 0)) {
			CHECK_EQ(d.kind, PT_DUMP_KDUMP);
			CHECK(!d.vmcoreinfo && !d.cpus);
			CHECK_EQ(pt_segmem_read(&d.seg, built.root[0], page, sizeof(page)), 0);
			CHECK(!memcmp(page, a.mem.bytes + (built.root[0] - ARENA_BASE), 4096));
			pt_dump_close(&d);
		}
		free(c.buf);
	}
	{ /* one part of a split dump: what it does not hold is named as such */
		struct kw c = w;

		c.buf = malloc(w.len);
		memcpy(c.buf, w.buf, w.len);
		put32(&c, 4096 + 12, 1);
		put64(&c, 4096 + 16, ARENA_BASE / 4096);
		put64(&c, 4096 + 24, w.excluded);
		write_bytes(p, c.buf, c.len);
		if (CHECK_EQ(pt_dump_open(&d, p, false, 0), 0)) {
			expect_unreadable(&d, w.excluded * 4096, "not in this part of a split");
			pt_dump_close(&d);
		}
		free(c.buf);
	}
	/* Page-level damage: the file opens, the page is an error naming its PFN. */
	for (int k = 0; k < 5; k++) {
		struct kw c = w;
		uint8_t z[4096], half[4096];
		uLongf zn = sizeof(z);
		const char *needle[] = { "past the end of the file", "decompresses to 2048",
					 "does not decompress", "more than one codec",
					 "for a 4096-byte page" };

		c.buf = malloc(w.cap);
		memcpy(c.buf, w.buf, w.len);
		memset(half, 0x5a, sizeof(half));
		if (!CHECK_EQ(compress2(z, &zn, half, 2048, 6), Z_OK))
			break;
		if (k == 0)
			redirect(&c, root_pfn, c.len + 4096, NULL, 100, 1);
		else if (k == 1)
			redirect(&c, root_pfn, 0, z, (uint32_t)zn, 1);
		else if (k == 2)
			redirect(&c, root_pfn, 0, half, 100, 1);
		else if (k == 3)
			redirect(&c, root_pfn, 0, z, (uint32_t)zn, 3);
		else
			redirect(&c, root_pfn, 0, half, 100, 0);
		write_bytes(p, c.buf, c.len);
		if (CHECK_EQ(pt_dump_open(&d, p, false, 0), 0)) {
			struct pt_mm dm;
			struct pt_translation t;

			expect_unreadable(&d, built.root[0], needle[k]);
			pt_mm_attach(&dm, f, d.mem, built.root[0], built.root[1]);
			CHECK_EQ(pt_translate(&dm, 0x1000, &t), -PT_EFAULT);
			pt_dump_close(&d);
		}
		if (k == 0) { /* the same in the flattened form */
			write_flat(p, c.buf, c.len);
			if (CHECK_EQ(pt_dump_open(&d, p, false, 0), 0)) {
				expect_unreadable(&d, built.root[0], needle[k]);
				pt_dump_close(&d);
			}
		}
		free(c.buf);
	}
	/* Flattened damage. */
	{
		uint8_t f[4096 + 3 * 16 + 200] = "makedumpfile";
		uint8_t *r = f + 4096;

		be64_put(f + 16, 1);
		be64_put(f + 24, 1);
		be64_put(r, 0); /* a record larger than the file */
		be64_put(r + 8, 1 << 20);
		write_bytes(p, f, sizeof(f));
		expect_refused(p, -PT_EBADENT, "run past the end of the file");
		be64_put(r, (uint64_t)-5); /* a negative offset */
		be64_put(r + 8, 8);
		write_bytes(p, f, sizeof(f));
		expect_refused(p, -PT_EBADENT, "out of range");
		be64_put(r, 0); /* two records writing the same bytes */
		be64_put(r + 8, 100);
		be64_put(r + 116, 50);
		be64_put(r + 124, 8);
		be64_put(r + 140, UINT64_MAX);
		be64_put(r + 148, UINT64_MAX);
		write_bytes(p, f, 4096 + 156);
		expect_refused(p, -PT_EBADENT, "overlap");
		write_bytes(p, f, 4096 + 140); /* no end marker */
		expect_refused(p, -PT_EBADENT, "without the end marker");
		be64_put(r + 116, 1000); /* well-formed, but not a kdump file inside */
		write_bytes(p, f, 4096 + 156);
		expect_refused(p, -PT_EBADENT, "no KDUMP or DISKDUMP signature");
		be64_put(f + 16, 2);
		write_bytes(p, f, sizeof(f));
		expect_refused(p, -PT_EBADENT, "type 2");
		write_bytes(p, f, 100);
		expect_refused(p, -PT_EBADENT, "truncated header");
	}
	unlink(p);
	free(w.buf);
	free(w.desc_at);
out:
	pt_arena_fini(&a);
}

/* QEMU's own files (scripts/kdump-qemu.sh sets PTKIT_QEMU_DUMPS): every page the same. */
static void test_qemu_files(void)
{
	const char *qd = getenv("PTKIT_QEMU_DUMPS");
	const char *names[] = { "z.flat", "z.kdump", "lzo.flat", "snappy.flat", "zstd.flat" };
	char path[512];
	struct pt_dump elf;

	if (!qd)
		return;
	snprintf(path, sizeof(path), "%s/g.elf", qd);
	if (!CHECK_EQ(pt_dump_open(&elf, path, false, 0), 0))
		return;
	for (int i = 0; i < 5; i++) {
		struct pt_dump d;
		static uint8_t a[4096], b[4096];
		uint64_t pages = 0, nonzero = 0;

		snprintf(path, sizeof(path), "%s/%s", qd, names[i]);
		if (i && access(path, R_OK))
			continue; /* only what this QEMU (and makedumpfile) could write */
		if (!CHECK_EQ(pt_dump_open(&d, path, false, 0), 0)) {
			fprintf(stderr, "  %s\n", d.err);
			continue;
		}
		CHECK_EQ(d.kind, i == 1 ? PT_DUMP_KDUMP : PT_DUMP_FLAT);
		CHECK_EQ(d.cpus, elf.cpus);
		CHECK_EQ(d.cpu_cr3, elf.cpu_cr3);
		for (size_t s = 0; s < elf.seg.nr_segs; s++) {
			const struct pt_seg *g = &elf.seg.segs[s];
			for (uint64_t pa = g->pa; pa + 4096 <= g->pa + g->size; pa += 4096) {
				if (!CHECK_EQ(pt_segmem_read(&elf.seg, pa, a, 4096), 0) ||
				    !CHECK_EQ(pt_segmem_read(&d.seg, pa, b, 4096), 0) ||
				    !CHECK(!memcmp(a, b, 4096)))
					break;
				pages++;
				nonzero += !is_zero(a, 4096);
			}
#ifdef PTKIT_HAVE_LIBKDUMPFILE
			if (i == 1) /* the plain file (libkdumpfile 0.5.1 cannot read flattened) */
				second_opinion(path, &d, g->pa, g->pa + (g->size & ~4095ull), 4096,
					       NULL, NULL);
#endif
		}
		CHECK(pages > 1000 && nonzero > 0);
		printf("QEMU %s: %llu pages (%llu not zero) identical to the ELF dump's\n",
		       names[i], (unsigned long long)pages, (unsigned long long)nonzero);
		pt_dump_close(&d);
	}
	pt_dump_close(&elf);
}

int main(void)
{
	if (!CHECK(mkdtemp(dir)))
		return CHECK_DONE();
	for (unsigned i = 0; pt_format_at(i); i++) {
		int failed = check_failures;

		test_format(pt_format_at(i), false);
		if (check_failures != failed)
			fprintf(stderr, "  ^ %s\n", pt_format_at(i)->name);
	}
	test_format(pt_format_find("x86_64"), true); /* a big-endian dump */
	test_format(pt_format_find("ppc64-radix-64k"), true);
	test_hostile();
	test_qemu_files();
	{
		char path[160];
		snprintf(path, sizeof(path), "%s/stderr", dir);
		unlink(path); /* the CLI's, if it ran */
	}
#ifdef PTKIT_HAVE_LIBKDUMPFILE
	printf("libkdumpfile read %u files page for page as ptkit does; libaddrxlat translated "
	       "%u VAs as ptkit does\n",
	       lkd_files, lax_vas);
	CHECK(lkd_files > 0 && lax_vas > 0);
#endif
	rmdir(dir);
	return CHECK_DONE();
}
