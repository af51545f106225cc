/* SPDX-License-Identifier: MIT */
/*
 * What the dump readers of src/mem share (include/ptkit/dump.h): dumpfile.c recognises the
 * file and reads ELF cores; flatfile.c indexes the flattened form; kdumpfile.c reads
 * kdump-compressed files through dump_read_at, so the same code serves both; decompress.c
 * holds the page codecs ptkit was built with.
 */
#ifndef PTKIT_DUMP_INTERNAL_H
#define PTKIT_DUMP_INTERNAL_H

#include <stdarg.h>

#include "ptkit/dump.h"

/* Set d->err from fmt and return err. */
int dump_fail(struct pt_dump *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* n bytes at offset off of the file as stored on disk (mapped or pread): false if short. */
bool dump_read_file(const struct pt_dump *d, uint64_t off, void *buf, uint64_t n);
/* n bytes at offset off of the dump file it holds: the flattened form through its index. */
bool dump_read_at(const struct pt_dump *d, uint64_t off, void *buf, uint64_t n);
/* Scan ELF notes [p, p + n) in the given byte order for VMCOREINFO and QEMU's CPU state. */
void dump_scan_notes(struct pt_dump *d, bool swap, const char *p, uint64_t n);

/* The size of the dump file the flattened file holds (its last record's end). */
uint64_t dump_flat_size(const struct pt_dump *d);
/* Index the records of the flattened file of file_size bytes (d->flat), or fail naming why. */
int dump_flat_open(struct pt_dump *d, uint64_t file_size);
/* Copy the flattened file's bytes [off, off + n) of the dump it holds; gaps read as zeros. */
bool dump_flat_read(const struct pt_dump *d, uint64_t off, void *buf, uint64_t n);
void dump_flat_close(struct pt_dump *d);

/* Read the kdump-compressed file of file_size bytes: d->mem, notes, d->kdump. */
int dump_kdump_open(struct pt_dump *d, uint64_t file_size);
bool dump_kdump_explain(const struct pt_dump *d, uint64_t pa, uint64_t size, char *buf, size_t len);
void dump_kdump_close(struct pt_dump *d);

/* The page codecs: DUMP_DH_COMPRESSED_* flags of makedumpfile's page descriptors. */
enum {
	KDUMP_ZLIB = 0x1,
	KDUMP_LZO = 0x2,
	KDUMP_SNAPPY = 0x4,
	KDUMP_ZSTD = 0x20,
	KDUMP_CODECS = KDUMP_ZLIB | KDUMP_LZO | KDUMP_SNAPPY | KDUMP_ZSTD,
};
/* "zlib", "lzo", "snappy", "zstd" for one codec flag. */
const char *kdump_codec_name(unsigned codec);
/*
 * Decompress in[0..in_n) into out (out_n bytes, the page size): 0, or -1 with why filled
 * (codec not built in: names the Debian package; data corrupt or of the wrong size).
 */
int kdump_decompress(unsigned codec, const void *in, size_t in_n, void *out, size_t out_n,
		     char *why, size_t why_n);

#endif
