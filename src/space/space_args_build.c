/* SPDX-License-Identifier: MIT */
/* ptkit: a build's arena checked (src/space/space_args.h), for pt_space_build and ptkit build. */
#include "space_args.h"

#include "ptkit/spec.h"

/*
 * The arena aligns each table to its size relative to base, and the hardware needs it
 * aligned physically: base must be a multiple of the largest table (4K at least).
 */
static uint64_t granule(const struct pt_format *fmt)
{
	uint64_t g = 4096;

	for (int l = 0; l < fmt->levels; l++)
		if (pt_table_bytes(fmt, l) > g)
			g = pt_table_bytes(fmt, l);
	return g;
}

/*
 * Every table must be addressable by the format: the whole arena [base, base + size) lies
 * below 2^pa_bits (the tables are allocated anywhere in it).
 */
int space_arena_check(const struct pt_format *fmt, uint64_t base, const char *size_text,
		      uint64_t *size_out, struct space_say *say)
{
	const struct space_words *w = say->words;
	uint64_t gran = granule(fmt), limit = fmt->pa_bits < 64 ? 1ull << fmt->pa_bits : 0;
	uint64_t size = SPACE_DEFAULT_ARENA;
	char sz[32], g[32];

	if (base & (gran - 1))
		return space_say_fail(say, -PT_EINVAL, true,
				      "%s 0x%llx: not aligned to the %s granule of %s (its largest "
				      "table)",
				      w->base, (unsigned long long)base, pt_size_str(gran, g),
				      fmt->name);
	if (size_text && !pt_parse_num(size_text, &size))
		return space_say_fail(say, -PT_EINVAL, true, "%s: bad number '%s'", w->size,
				      size_text);
	if (size_text && (!size || (size & 4095)))
		return space_say_fail(say, -PT_EINVAL, true,
				      "%s %s: must be a non-zero multiple of 4K", w->size,
				      size_text);
	pt_size_str(size, sz);
	if (limit && (base >= limit || size > limit - base))
		return space_say_fail(say, -PT_ERANGE, true,
				      "%s 0x%llx %s %s%s: the arena reaches beyond the %d-bit PA "
				      "limit of %s (0x%llx)",
				      w->base, (unsigned long long)base, w->size, sz,
				      size_text ? "" : " (default)", fmt->pa_bits, fmt->name,
				      (unsigned long long)limit);
	if (size > UINT64_MAX - base)
		return space_say_fail(say, -PT_ERANGE, true, "%s 0x%llx %s %s: beyond 2^64",
				      w->base, (unsigned long long)base, w->size, sz);
	*size_out = size;
	return 0;
}
