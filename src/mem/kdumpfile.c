// SPDX-License-Identifier: MIT
/*
 * kdump-compressed files (makedumpfile's format, also QEMU's dump-guest-memory kdump-*),
 * read through dump_read_at so the flattened form is read the same way. Layout facts from
 * makedumpfile's IMPLEMENTATION notes and diskdump_mod.h, and QEMU's include/sysemu/dump.h:
 *
 *   block 0            disk_dump_header: signature "KDUMP   " (or "DISKDUMP"), then in the
 *                      dumped machine's byte order header_version, utsname, ..., block_size
 *                      (the page size), sub_hdr_size, bitmap_blocks, max_mapnr
 *   block 1            kdump_sub_header (sub_hdr_size blocks): phys_base, dump_level, split,
 *                      offsets and sizes of VMCOREINFO and the ELF notes, max_mapnr_64 (v6+)
 *   then               bitmap_blocks blocks: the 1st bitmap (PFNs that are memory), then the
 *                      2nd (PFNs dumped); bit pfn % 8 of byte pfn / 8
 *   then               one page_desc (offset, size, flags, page_flags: 24 bytes) per dumped
 *                      PFN, in PFN order; flags name the codec (none: the page as it is)
 *
 * Memory is one pt_segmem segment from the first PFN of the 1st bitmap to its last; a page
 * is read (and decompressed) when a table on it is, through a small cache of pages, and
 * pt_segmem keeps the tables. A PFN outside the 1st bitmap is no memory; one of the 1st
 * bitmap missing from the 2nd was excluded (makedumpfile's dump level): reading either
 * fails, and pt_dump_explain names the PFN and why. Neither is ever read as zeros.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_internal.h"

/* disk_dump_header of a 64-bit machine (timeval of 16 bytes); 32-bit machines' differ. */
#define DH_VERSION 8
#define DH_MACHINE (12 + 4 * 65) /* utsname.machine: the 5th of 6 fields of 65 bytes */
#define DH_BLOCK_SIZE 428
#define DH_SUB_HDR_SIZE 432
#define DH_BITMAP_BLOCKS 436
#define DH_MAX_MAPNR 440
#define DH_SIZE 464
#define DH32_BLOCK_SIZE 416 /* the same header of a 32-bit machine (timeval of 8 bytes) */
/* kdump_sub_header of a 64-bit machine. */
#define SH_DUMP_LEVEL 8
#define SH_SPLIT 12
#define SH_START_PFN 16
#define SH_END_PFN 24
#define SH_OFFSET_VMCOREINFO 32
#define SH_SIZE_VMCOREINFO 40
#define SH_OFFSET_NOTE 48
#define SH_SIZE_NOTE 56
#define SH_MAX_MAPNR_64 96
#define SH_SIZE 104
#define PAGE_DESC 24

#define KD_CACHE 64		  /* decompressed pages kept */
#define KD_NOTES_MAX (64u << 20)  /* larger note areas are not read */
#define KD_BITMAPS_MAX (1u << 20) /* of a flattened file whose bitmaps are gaps */

struct kd_slot {
	uint64_t pfn; /* UINT64_MAX: empty */
	uint8_t *page;
};

struct pt_kdump {
	struct pt_dump *d;
	bool swap;
	uint32_t page;	    /* block_size: the dumped machine's page size */
	uint64_t max_mapnr; /* PFNs the bitmaps describe */
	uint8_t *bm1, *bm2; /* the bitmaps (bm2 == bm1 for a diskdump file with one) */
	uint64_t *rank;	    /* dumped PFNs below pfn 4096 * i */
	uint64_t desc_off;  /* file offset of the page descriptors */
	int dump_level;
	bool split;
	uint64_t start_pfn, end_pfn; /* a split dump's part */
	char *vmcoreinfo;	     /* the VMCOREINFO area, when the notes lack it */
	uint8_t *data;		     /* one page's data as stored */
	struct kd_slot cache[KD_CACHE];
	unsigned next; /* the slot to refill */
	char why[200]; /* why the last page that could not be read could not */
};

static uint32_t k32(const struct pt_kdump *k, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return k->swap ? __builtin_bswap32(v) : v;
}

static uint64_t k64(const struct pt_kdump *k, const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return k->swap ? __builtin_bswap64(v) : v;
}

static bool bit(const uint8_t *bm, uint64_t pfn)
{
	return bm[pfn >> 3] >> (pfn & 7) & 1;
}

static unsigned pop8(uint8_t b)
{
	return (unsigned)__builtin_popcount(b);
}

/* Dumped PFNs below pfn: the index of pfn's page descriptor when pfn is dumped. */
static uint64_t rank(const struct pt_kdump *k, uint64_t pfn)
{
	uint64_t n = k->rank[pfn >> 12], at = (pfn >> 12) << 9, end = pfn >> 3;

	for (; at + 8 <= end; at += 8) {
		uint64_t w;
		memcpy(&w, k->bm2 + at, 8); /* byte order does not change a count */
		n += (uint64_t)__builtin_popcountll(w);
	}
	for (; at < end; at++)
		n += pop8(k->bm2[at]);
	return n + pop8(k->bm2[end] & ((1u << (pfn & 7)) - 1));
}

__attribute__((format(printf, 3, 4))) static const uint8_t *why(struct pt_kdump *k, uint64_t pfn,
								const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(k->why, sizeof(k->why), "PFN 0x%llx: ", (unsigned long long)pfn);

	va_start(ap, fmt);
	vsnprintf(k->why + n, sizeof(k->why) - (size_t)n, fmt, ap);
	va_end(ap);
	return NULL;
}

/* The page at pfn, decompressed; NULL with k->why set when it cannot be had. */
static const uint8_t *kd_page(struct pt_kdump *k, uint64_t pfn)
{
	const char *kind = pt_dump_kind_name(k->d->kind);
	uint8_t desc[PAGE_DESC];
	uint64_t at, off;
	uint32_t size, codec;
	struct kd_slot *s;

	for (unsigned i = 0; i < KD_CACHE; i++)
		if (k->cache[i].pfn == pfn)
			return k->cache[i].page;
	if (pfn >= k->max_mapnr)
		return why(k, pfn, "beyond the %s dump's memory (max_mapnr 0x%llx)", kind,
			   (unsigned long long)k->max_mapnr);
	if (!bit(k->bm1, pfn))
		return why(k, pfn, "not memory the %s dump describes (not in its 1st bitmap)",
			   kind);
	if (!bit(k->bm2, pfn) && k->split)
		return why(k, pfn,
			   "not in this part of a split %s dump (it holds PFNs 0x%llx to 0x%llx, "
			   "dump level %d)",
			   kind, (unsigned long long)k->start_pfn, (unsigned long long)k->end_pfn,
			   k->dump_level);
	if (!bit(k->bm2, pfn))
		return why(k, pfn,
			   "excluded from the %s dump (dump level %d): its contents are not in the "
			   "file",
			   kind, k->dump_level);
	at = k->desc_off + rank(k, pfn) * PAGE_DESC;
	if (!dump_read_at(k->d, at, desc, sizeof(desc)))
		return why(k, pfn,
			   "its page descriptor at file offset 0x%llx is past the end of the file "
			   "(truncated dump?)",
			   (unsigned long long)at);
	off = k64(k, desc);
	size = k32(k, desc + 8);
	codec = k32(k, desc + 12) & KDUMP_CODECS;
	if (codec & (codec - 1))
		return why(k, pfn, "page descriptor flags 0x%x name more than one codec",
			   k32(k, desc + 12));
	if (!size || size > k->page || (!codec && size != k->page))
		return why(k, pfn, "page descriptor says %u bytes of %s data for a %u-byte page",
			   size, codec ? kdump_codec_name(codec) : "uncompressed", k->page);
	if (!dump_read_at(k->d, off, k->data, size))
		return why(k, pfn,
			   "its %u bytes of page data at file offset 0x%llx are past the end of "
			   "the file (truncated dump?)",
			   size, (unsigned long long)off);
	s = &k->cache[k->next];
	k->next = (k->next + 1) % KD_CACHE;
	s->pfn = UINT64_MAX;
	if (!codec) {
		memcpy(s->page, k->data, k->page);
	} else {
		char w[160];
		if (kdump_decompress(codec, k->data, size, s->page, k->page, w, sizeof(w)))
			return why(k, pfn, "%s (file offset 0x%llx)", w, (unsigned long long)off);
	}
	s->pfn = pfn;
	k->d->pages_read++;
	return s->page;
}

/* pt_segmem's read callback: [pa, pa + size) inside one run of memory PFNs. */
static int kd_read(void *ctx, uint64_t pa, void *buf, uint64_t size)
{
	struct pt_kdump *k = ctx;
	uint8_t *p = buf;

	while (size) {
		uint64_t in = pa % k->page, n = k->page - in < size ? k->page - in : size;
		const uint8_t *page = kd_page(k, pa / k->page);

		if (!page)
			return -1;
		memcpy(p, page + in, (size_t)n);
		p += n;
		pa += n;
		size -= n;
	}
	return 0;
}

/* The bitmaps, their rank index and one segment per run of memory PFNs. */
static int kd_memory(struct pt_dump *d, struct pt_kdump *k, uint64_t bm_off, uint64_t bm_bytes,
		     bool two)
{
	uint64_t bytes = (k->max_mapnr + 7) / 8, runs = 0, first = 0, end = 0;
	bool in = false;
	int err;

	k->bm1 = calloc(1, (size_t)bytes + 1);
	k->bm2 = two ? calloc(1, (size_t)bytes + 1) : k->bm1;
	k->rank = calloc((size_t)(k->max_mapnr >> 12) + 1, sizeof(*k->rank));
	if (!k->bm1 || !k->bm2 || !k->rank)
		return dump_fail(d, -PT_ENOMEM, "out of memory for the bitmaps of %llu PFNs",
				 (unsigned long long)k->max_mapnr);
	if (!dump_read_at(d, bm_off, k->bm1, bytes) ||
	    (two && !dump_read_at(d, bm_off + bm_bytes / 2, k->bm2, bytes)))
		return dump_fail(d, -PT_EBADENT,
				 "%s: the bitmaps (%llu bytes at file offset 0x%llx) run past the "
				 "end of the file (truncated dump?)",
				 pt_dump_kind_name(d->kind), (unsigned long long)bm_bytes,
				 (unsigned long long)bm_off);
	if (k->max_mapnr & 7) { /* bits past max_mapnr are no PFNs */
		k->bm1[bytes - 1] &= (uint8_t)((1u << (k->max_mapnr & 7)) - 1);
		k->bm2[bytes - 1] &= (uint8_t)((1u << (k->max_mapnr & 7)) - 1);
	}
	for (uint64_t i = 1; i <= k->max_mapnr >> 12; i++) {
		uint64_t n = k->rank[i - 1];
		for (uint64_t b = (i - 1) << 9; b < i << 9; b++)
			n += pop8(k->bm2[b]);
		k->rank[i] = n;
	}
	for (uint64_t pfn = 0; pfn <= k->max_mapnr; pfn++) {
		bool on = pfn < k->max_mapnr && bit(k->bm1, pfn);

		if (!(pfn & 7) && pfn + 8 <= k->max_mapnr && k->bm1[pfn >> 3] == (in ? 0xff : 0)) {
			pfn += 7; /* a byte without a change */
			continue;
		}
		if (on && !in && !runs++)
			first = pfn;
		if (!on && in)
			end = pfn;
		in = on;
	}
	if (!runs)
		return dump_fail(d, -PT_EINVAL, "%s: the dump holds no memory (empty 1st bitmap)",
				 pt_dump_kind_name(d->kind));
	/* One segment from the first memory page to the last: kd_read fails on the others. */
	err = pt_segmem_add_read(&d->seg, first * k->page, (end - first) * k->page, kd_read, k);
	if (err)
		return dump_fail(d, err, "out of memory");
	d->segments = runs;
	return 0;
}

/* The ELF notes and VMCOREINFO named by the sub-header (header_version 3 and 4 on). */
static void kd_notes(struct pt_dump *d, struct pt_kdump *k, const uint8_t *sh, int version)
{
	uint64_t off, size;

	if (version >= 4) {
		off = k64(k, sh + SH_OFFSET_NOTE);
		size = k64(k, sh + SH_SIZE_NOTE);
		if (size && size <= KD_NOTES_MAX && size <= d->map_size &&
		    (d->notes = malloc((size_t)size))) {
			if (dump_read_at(d, off, d->notes, size)) /* unreadable: no notes */
				dump_scan_notes(d, k->swap, d->notes, size);
		}
	}
	if (version >= 3 && !d->vmcoreinfo) {
		off = k64(k, sh + SH_OFFSET_VMCOREINFO);
		size = k64(k, sh + SH_SIZE_VMCOREINFO);
		if (size && size <= KD_NOTES_MAX && size <= d->map_size &&
		    (k->vmcoreinfo = malloc((size_t)size)) &&
		    dump_read_at(d, off, k->vmcoreinfo, size)) {
			d->vmcoreinfo = k->vmcoreinfo;
			d->vmcoreinfo_len = (size_t)size;
		}
	}
}

/* The ELF e_machine of utsname.machine, as Linux names its architectures; 0: another. */
static uint16_t elf_machine(const char *m)
{
	static const struct {
		const char *name;
		uint16_t em;
	} known[] = { { "x86_64", EM_X86_64 }, { "aarch64", EM_AARCH64 }, { "ppc64le", EM_PPC64 },
		      { "ppc64", EM_PPC64 },   { "riscv64", EM_RISCV },	  { "s390x", EM_S390 } };

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(m, known[i].name))
			return known[i].em;
	return 0;
}

static bool sane_block(uint32_t b)
{
	return b >= 512 && b <= (1u << 20) && !(b & (b - 1));
}

int dump_kdump_open(struct pt_dump *d, uint64_t file_size)
{
	const char *kind = pt_dump_kind_name(d->kind);
	struct pt_kdump *k = calloc(1, sizeof(*k));
	uint8_t h[DH_SIZE], sh[SH_SIZE] = { 0 };
	char machine[66] = { 0 }; /* utsname.machine */
	uint64_t sub_blocks, bm_blocks, bm_off, bm_bytes;
	uint32_t version;
	bool kdump;

	if (!k)
		return dump_fail(d, -PT_ENOMEM, "out of memory");
	d->kdump = k;
	k->d = d;
	for (unsigned i = 0; i < KD_CACHE; i++)
		k->cache[i].pfn = UINT64_MAX;
	if (!dump_read_at(d, 0, h, sizeof(h)))
		return dump_fail(d, -PT_EBADENT, "%s: truncated header", kind);
	kdump = !memcmp(h, "KDUMP   ", 8);
	if (!kdump && memcmp(h, "DISKDUMP", 8))
		return dump_fail(d, -PT_EBADENT,
				 "%s: the file it holds is not a kdump-compressed dump (no KDUMP "
				 "or DISKDUMP signature)",
				 kind);
	/* The header is in the dumped machine's byte order: the one giving a small version. */
	version = k32(k, h + DH_VERSION);
	if (version == 0 || version > 255) {
		k->swap = true;
		version = k32(k, h + DH_VERSION);
	}
	if (version == 0 || version > 255)
		return dump_fail(d, -PT_EBADENT, "%s: header_version 0x%x is none ptkit knows",
				 kind, k32(k, h + DH_VERSION));
	memcpy(machine, h + DH_MACHINE, 65);
	d->machine = elf_machine(machine);
	k->page = k32(k, h + DH_BLOCK_SIZE);
	if (!sane_block(k->page)) {
		if (sane_block(k32(k, h + DH32_BLOCK_SIZE)))
			return dump_fail(d, -PT_EINVAL,
					 "%s: the dump of a 32-bit machine ('%s'): ptkit reads "
					 "64-bit machines' dumps only",
					 kind, machine);
		return dump_fail(d, -PT_EBADENT,
				 "%s: block_size %u is not a page size (a power of two from 512 to "
				 "1M)",
				 kind, k->page);
	}
	sub_blocks = k32(k, h + DH_SUB_HDR_SIZE);
	bm_blocks = k32(k, h + DH_BITMAP_BLOCKS);
	k->max_mapnr = k32(k, h + DH_MAX_MAPNR);
	if (kdump && sub_blocks) {
		if (!dump_read_at(d, k->page, sh, sizeof(sh)))
			return dump_fail(d, -PT_EBADENT, "%s: truncated sub-header", kind);
		if (version >= 2)
			k->dump_level = (int)k32(k, sh + SH_DUMP_LEVEL);
		if (version >= 3 && k32(k, sh + SH_SPLIT)) {
			k->split = true;
			k->start_pfn = k64(k, sh + SH_START_PFN);
			k->end_pfn = k64(k, sh + SH_END_PFN);
		}
		if (version >= 6 && k64(k, sh + SH_MAX_MAPNR_64))
			k->max_mapnr = k64(k, sh + SH_MAX_MAPNR_64);
	}
	/*
	 * Bitmaps are read into memory: no larger than the file on disk (d->map_size), or than
	 * KD_BITMAPS_MAX where a flattened file left their zeros out (a small hostile file
	 * cannot ask for gigabytes).
	 */
	bm_off = (1 + sub_blocks) * k->page;
	bm_bytes = bm_blocks * k->page;
	if (!bm_blocks || bm_off > file_size || bm_bytes > file_size - bm_off ||
	    bm_bytes > (d->map_size > KD_BITMAPS_MAX ? d->map_size : KD_BITMAPS_MAX))
		return dump_fail(d, -PT_EBADENT,
				 "%s: the bitmaps (%llu blocks of %u bytes after %llu sub-header "
				 "blocks) run past the end of the file (truncated dump?)",
				 kind, (unsigned long long)bm_blocks, k->page,
				 (unsigned long long)sub_blocks);
	if (!k->max_mapnr || (k->max_mapnr + 7) / 8 > bm_bytes ||
	    k->max_mapnr > UINT64_MAX / k->page)
		return dump_fail(d, -PT_EBADENT,
				 "%s: max_mapnr 0x%llx does not fit the bitmaps (%llu bytes)", kind,
				 (unsigned long long)k->max_mapnr, (unsigned long long)bm_bytes);
	k->desc_off = bm_off + bm_bytes;
	k->data = malloc(k->page);
	for (unsigned i = 0; i < KD_CACHE && k->data; i++)
		if (!(k->cache[i].page = malloc(k->page)))
			return dump_fail(d, -PT_ENOMEM, "out of memory");
	if (!k->data || pt_segmem_init(&d->seg))
		return dump_fail(d, -PT_ENOMEM, "out of memory");
	/* Two bitmaps when they fit (makedumpfile's always); an old diskdump file has one. */
	{
		int err = kd_memory(d, k, bm_off, bm_bytes, (k->max_mapnr + 7) / 8 <= bm_bytes / 2);
		if (err)
			return err;
	}
	kd_notes(d, k, sh, kdump ? (int)version : 0);
	d->mem = &d->seg.mem;
	return 0;
}

bool dump_kdump_explain(const struct pt_dump *d, uint64_t pa, uint64_t size, char *buf, size_t len)
{
	struct pt_kdump *k = d->kdump;
	uint64_t last = (pa + (size - 1 < UINT64_MAX - pa ? size - 1 : UINT64_MAX - pa)) / k->page;

	for (uint64_t pfn = pa / k->page; pfn <= last; pfn++)
		if (!kd_page(k, pfn)) {
			snprintf(buf, len, "%s", k->why);
			return true;
		}
	return false;
}

void dump_kdump_close(struct pt_dump *d)
{
	struct pt_kdump *k = d->kdump;

	if (!k)
		return;
	for (unsigned i = 0; i < KD_CACHE; i++)
		free(k->cache[i].page);
	if (k->bm2 != k->bm1)
		free(k->bm2);
	free(k->bm1);
	free(k->rank);
	free(k->data);
	free(k->vmcoreinfo);
	free(k);
	d->kdump = NULL;
}
