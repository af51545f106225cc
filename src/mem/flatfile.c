// SPDX-License-Identifier: MIT
/*
 * The flattened form of a kdump-compressed file (makedumpfile -F, QEMU 7.2's
 * dump-guest-memory kdump-*): a 4096-byte header ("makedumpfile", then type and version,
 * big-endian int64, both 1), then records — offset and size (big-endian int64) and size
 * bytes that belong at that offset of the dump file — ending with a record of offset -1.
 * The records are indexed once (sorted by offset) and reads go through the index; bytes
 * no record wrote read as zeros, as in the file `makedumpfile -R` would write. Records that
 * overlap, run past the end of the file or lack the end marker are reported.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump_internal.h"

#define FLAT_HEADER 4096
#define FLAT_MAX_OFFSET (1ull << 62) /* no dump file is larger */

struct flat_rec {
	uint64_t off, size, pos; /* [off, off + size) of the dump is at pos of the flat file */
};

struct pt_flat {
	struct flat_rec *r; /* sorted by off, no overlaps */
	size_t n;
	uint64_t size; /* the end of the last record */
};

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* A record header, read with pread: indexing touches every record, and a mapping would
 * then hold the whole file in this process's memory. */
static bool read_head(const struct pt_dump *d, uint64_t pos, uint8_t *buf, size_t n)
{
	ssize_t got;

	do
		got = pread(d->fd, buf, n, (off_t)pos);
	while (got < 0 && errno == EINTR);
	return got == (ssize_t)n;
}

static int by_off(const void *a, const void *b)
{
	const struct flat_rec *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

int dump_flat_open(struct pt_dump *d, uint64_t file_size)
{
	struct pt_flat *f = calloc(1, sizeof(*f));
	uint8_t h[32];
	uint64_t pos = FLAT_HEADER;
	size_t cap = 0;

	if (!f)
		return dump_fail(d, -PT_ENOMEM, "out of memory");
	d->flat = f;
	if (!dump_read_file(d, 0, h, sizeof(h)) || file_size < FLAT_HEADER)
		return dump_fail(d, -PT_EBADENT, "flattened kdump: truncated header");
	if (be64(h + 16) != 1 || be64(h + 24) != 1)
		return dump_fail(d, -PT_EBADENT,
				 "flattened kdump: header type %llu version %llu (ptkit reads type "
				 "1 version 1)",
				 (unsigned long long)be64(h + 16),
				 (unsigned long long)be64(h + 24));
	for (;;) {
		uint8_t rh[16];
		uint64_t off, size;

		if (!read_head(d, pos, rh, sizeof(rh)))
			return dump_fail(d, -PT_EBADENT,
					 "flattened kdump: the file ends at 0x%llx without the end "
					 "marker (truncated?)",
					 (unsigned long long)file_size);
		off = be64(rh);
		size = be64(rh + 8);
		pos += sizeof(rh);
		if (off == UINT64_MAX)
			break;
		if (off >= FLAT_MAX_OFFSET || size >= FLAT_MAX_OFFSET - off)
			return dump_fail(d, -PT_EBADENT,
					 "flattened kdump: record at file offset 0x%llx: offset "
					 "0x%llx size 0x%llx out of range",
					 (unsigned long long)(pos - sizeof(rh)),
					 (unsigned long long)off, (unsigned long long)size);
		if (size > file_size - pos)
			return dump_fail(d, -PT_EBADENT,
					 "flattened kdump: record at file offset 0x%llx: its %llu "
					 "bytes run past the end of the file (truncated?)",
					 (unsigned long long)(pos - sizeof(rh)),
					 (unsigned long long)size);
		if (size) {
			if (f->n == cap) {
				size_t c = cap ? 2 * cap : 256;
				void *q = realloc(f->r, c * sizeof(*f->r));
				if (!q)
					return dump_fail(d, -PT_ENOMEM, "out of memory");
				f->r = q;
				cap = c;
			}
			f->r[f->n++] = (struct flat_rec){ off, size, pos };
		}
		pos += size;
	}
	if (!f->n)
		return dump_fail(d, -PT_EBADENT, "flattened kdump: no records");
	qsort(f->r, f->n, sizeof(*f->r), by_off);
	for (size_t i = 1; i < f->n; i++)
		if (f->r[i - 1].off + f->r[i - 1].size > f->r[i].off)
			return dump_fail(d, -PT_EBADENT,
					 "flattened kdump: records at file offsets 0x%llx and "
					 "0x%llx overlap (both write offset 0x%llx)",
					 (unsigned long long)f->r[i - 1].pos - 16,
					 (unsigned long long)f->r[i].pos - 16,
					 (unsigned long long)f->r[i].off);
	f->size = f->r[f->n - 1].off + f->r[f->n - 1].size;
	return 0;
}

uint64_t dump_flat_size(const struct pt_dump *d)
{
	return d->flat->size;
}

bool dump_flat_read(const struct pt_dump *d, uint64_t off, void *buf, uint64_t n)
{
	const struct pt_flat *f = d->flat;
	uint8_t *p = buf;
	size_t lo = 0, hi = f->n;

	if (off > f->size || f->size - off < n)
		return false;
	while (lo < hi) { /* the first record ending above off */
		size_t mid = (lo + hi) / 2;
		if (f->r[mid].off + f->r[mid].size <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (n) {
		const struct flat_rec *r = &f->r[lo]; /* lo < f->n: off is below f->size */
		uint64_t k;

		if (off < r->off) { /* a gap: what no record wrote */
			k = r->off - off < n ? r->off - off : n;
			memset(p, 0, (size_t)k);
		} else {
			k = r->off + r->size - off < n ? r->off + r->size - off : n;
			if (!dump_read_file(d, r->pos + (off - r->off), p, k))
				return false;
			lo++;
		}
		p += k;
		off += k;
		n -= k;
	}
	return true;
}

void dump_flat_close(struct pt_dump *d)
{
	if (d->flat)
		free(d->flat->r);
	free(d->flat);
	d->flat = NULL;
}
