/* SPDX-License-Identifier: MIT */
/*
 * image_input.h: how fuzz_walk_image reads its input (and fuzz/make_seeds.c writes it).
 * Every read past the end of the input gives 0, so any byte string is an input.
 *
 *   u8  format      index into pt_format_at(), modulo the number of formats
 *   u8  flags       bit 0: a separate upper-half root (two-root formats); bit 1 / 2: root /
 *                   root1 is the raw u64 below, not a table slot; bit 3: base is raw
 *   u8  tables      the image holds 1 + tables % 8 tables of the format's largest size
 *   u64 base        physical address of image byte 0 (4K aligned, inside the PA limit
 *                   unless flag 3)
 *   u64 root, root1 slot of a root-sized table in the image (or raw, flags 1 / 2)
 *   u8  records     then that many (modulo 65) 11-byte records writing one entry each:
 *       u8 kind, u16 slot (entry index in the image, modulo the entries), u64 v:
 *       kind 0: the entry is v (host order, stored in the format's order)
 *       kind 1: a table entry at level 1 + v[63:56] % (levels - 1) pointing to table
 *               v[15:0] (in tables of the level below, modulo how many fit)
 *       kind 2: a leaf at level v[63:56] % levels, PA v[39:0] << 12 (aligned down to the
 *               leaf size), rights v[55:40] & PT_PROT_REQUEST (encode_leaf; raw v if it fails)
 *       kind 3: the entry is xored with v
 *   then whatever the target reads (VAs: fuzz_va).
 */
#ifndef PTKIT_FUZZ_IMAGE_INPUT_H
#define PTKIT_FUZZ_IMAGE_INPUT_H

#include <ptkit/mem.h>
#include <ptkit/ptkit.h>

#include <stdlib.h>

struct fuzz_reader {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_reader *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static inline uint64_t fuzz_uint(struct fuzz_reader *r, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)fuzz_u8(r) << (8 * i);
	return v;
}

static inline uint16_t fuzz_u16(struct fuzz_reader *r)
{
	return (uint16_t)fuzz_uint(r, 2);
}

static inline uint64_t fuzz_u64(struct fuzz_reader *r)
{
	return fuzz_uint(r, 8);
}

static inline unsigned fuzz_nformats(void)
{
	unsigned n = 0;

	while (pt_format_at(n))
		n++;
	return n;
}

/* The largest table of the format (the image is made of tables of this size). */
static inline uint64_t fuzz_max_table(const struct pt_format *f)
{
	uint64_t m = 0;

	for (int l = 0; l < f->levels; l++)
		if (pt_table_bytes(f, l) > m)
			m = pt_table_bytes(f, l);
	return m;
}

/* A VA: anywhere (non-canonical ones too), in one of the halves, or low. */
static inline uint64_t fuzz_va(const struct pt_format *f, struct fuzz_reader *r)
{
	uint8_t sel = fuzz_u8(r);
	uint64_t v = fuzz_u64(r), span = ((uint64_t)1 << f->half_bits) - 1;

	switch (sel % 4) {
	case 0:
		return v;
	case 1:
		return f->half_base[0] + (v & span);
	case 2:
		return f->half_base[1] + (v & span);
	default:
		return f->half_base[0] + (v & span & 0xffffffffull);
	}
}

struct fuzz_image {
	struct pt_mem mem;
	struct pt_mm mm;
	uint8_t *bytes;
	bool upper; /* the upper half has a tree (as the CLI's --root1) */
};

static inline uint64_t fuzz_root(const struct pt_format *f, uint64_t base, uint64_t size, bool raw,
				 uint64_t v)
{
	uint64_t rb = pt_table_bytes(f, f->levels - 1);

	return raw ? v : base + v % (size / rb) * rb;
}

/* Build the image the input describes. false: the input is too short to say. */
static inline bool fuzz_image_build(struct fuzz_image *im, struct fuzz_reader *r)
{
	const struct pt_format *f;
	uint8_t flags, nrec;
	uint64_t size, base, root, root1, nent, pa_lim;

	if (r->n < 3)
		return false;
	f = pt_format_at(fuzz_u8(r) % fuzz_nformats());
	flags = fuzz_u8(r);
	size = (1 + fuzz_u8(r) % 8) * fuzz_max_table(f);
	base = fuzz_u64(r);
	pa_lim = f->pa_bits < 64 ? (uint64_t)1 << f->pa_bits : 0;
	if (flags & 8)
		base &= ~4095ull;
	else if ((base = (base << 12) & (pa_lim - 1)) && pa_lim && base > pa_lim - size)
		base = pa_lim - size;
	if (size - 1 > UINT64_MAX - base) /* the image may end at 2^64, not beyond (the CLI) */
		base = 0 - size;
	root = fuzz_root(f, base, size, flags & 2, fuzz_u64(r));
	root1 = fuzz_root(f, base, size, flags & 4, fuzz_u64(r));
	if (!f->two_roots || !(flags & 1))
		root1 = root;
	im->upper = !f->two_roots || (flags & 1);
	im->bytes = calloc(1, size);
	if (!im->bytes)
		abort();
	pt_image_mem(&im->mem, im->bytes, base, size);
	pt_mm_attach(&im->mm, f, &im->mem, root, root1);

	nent = size / 8;
	nrec = fuzz_u8(r) % 65;
	for (unsigned i = 0; i < nrec; i++) {
		uint8_t kind = fuzz_u8(r);
		uint8_t *p = im->bytes + fuzz_u16(r) % nent * 8;
		uint64_t v = fuzz_u64(r), e = v;
		int level = (int)(v >> 56);

		switch (kind % 4) {
		case 1:
			if (f->levels > 1) {
				uint64_t tb;

				level = 1 + level % (f->levels - 1);
				tb = pt_table_bytes(f, level - 1);
				e = f->ops.encode_table(base + (v & 0xffff) % (size / tb) * tb,
							level);
			}
			break;
		case 2:
			level %= f->levels;
			if (f->ops.encode_leaf(((v & 0xffffffffffull) << 12) & (pa_lim - 1) &
						       ~(pt_level_size(f, level) - 1),
					       level, (uint32_t)(v >> 40) & PT_PROT_REQUEST, &e))
				e = v;
			break;
		case 3:
			e = v ^ pt_entry_load(f, p);
			break;
		default:
			break;
		}
		pt_entry_store(f, p, e);
	}
	return true;
}

static inline void fuzz_image_free(struct fuzz_image *im)
{
	free(im->bytes);
	im->bytes = NULL;
}

#endif
