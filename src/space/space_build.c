/* SPDX-License-Identifier: MIT */
/* ptkit: a pt_space built from a spec in an arena (include/ptkit/space.h). */
#include <stdlib.h>
#include <string.h>

#include "ptkit/spec.h"
#include "space_internal.h"

#define DEFAULT_ARENA (1ull << 30)

/* The largest table of fmt: the arena aligns tables relative to base. */
static uint64_t granule(const struct pt_format *fmt)
{
	uint64_t g = 4096;

	for (int l = 0; l < fmt->levels; l++)
		if (pt_table_bytes(fmt, l) > g)
			g = pt_table_bytes(fmt, l);
	return g;
}

static int check_args(const struct pt_format *fmt, uint64_t base, uint64_t size, bool sized,
		      char *err, size_t len)
{
	uint64_t gran = granule(fmt), limit = fmt->pa_bits < 64 ? 1ull << fmt->pa_bits : 0;
	char sz[32], g[32];

	pt_size_str(size, sz);
	if (base & (gran - 1))
		return space_fail(-PT_EINVAL, err, len,
				  "base 0x%llx: not aligned to the %s granule of %s (its largest "
				  "table)",
				  (unsigned long long)base, pt_size_str(gran, g), fmt->name);
	if (sized && (size & 4095))
		return space_fail(-PT_EINVAL, err, len,
				  "size %llu: must be a non-zero multiple of 4K",
				  (unsigned long long)size);
	if (limit && (base >= limit || size > limit - base))
		return space_fail(-PT_ERANGE, err, len,
				  "base 0x%llx size %s%s: the arena reaches beyond the %d-bit PA "
				  "limit of %s (0x%llx)",
				  (unsigned long long)base, sz, sized ? "" : " (default)",
				  fmt->pa_bits, fmt->name, (unsigned long long)limit);
	if (size > UINT64_MAX - base)
		return space_fail(-PT_ERANGE, err, len, "base 0x%llx size %s: beyond 2^64",
				  (unsigned long long)base, sz);
	return 0;
}

/* Run every line of spec; 0 or the first failing line's code, err "line N: why". */
static int run_spec(struct pt_space *s, const char *spec, uint64_t size, bool sized, char *err,
		    size_t len)
{
	char *text = strdup(spec), *line, *next;
	unsigned n = 0;
	int ret = 0;

	if (!text)
		return space_fail(-PT_ENOMEM, err, len, "out of memory");
	for (line = text; line && !ret; line = next) {
		struct pt_spec_op op;
		char msg[256], sz[32];

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		n++;
		if (pt_spec_parse_line(line, s->fmt, &op, msg, sizeof(msg))) {
			ret = space_fail(-PT_EINVAL, err, len, "line %u: %s", n, msg);
			break;
		}
		ret = pt_spec_run(&s->mm, &op, msg, sizeof(msg));
		if (ret == -PT_ENOMEM && op.kind != PT_SPEC_COLLAPSE)
			space_fail(
				ret, err, len,
				"line %u: image too small: the %s%s arena has no room for another "
				"table",
				n, pt_size_str(size, sz), sized ? "" : " (default)");
		else if (ret)
			space_fail(ret, err, len, "line %u: %s", n, msg);
	}
	free(text);
	return ret;
}

int pt_space_build(struct pt_space **out, const struct pt_format *fmt, const char *spec,
		   uint64_t base, uint64_t size, char *err, size_t len)
{
	const bool sized = size != 0;
	struct pt_space *s;
	char sz[32];
	int ret;

	*out = NULL;
	if (!sized)
		size = DEFAULT_ARENA;
	ret = check_args(fmt, base, size, sized, err, len);
	if (ret)
		return ret;
	s = space_new(SPACE_BUILT, err, len);
	if (!s)
		return -PT_ENOMEM;
	s->fmt = fmt;
	ret = pt_arena_init(&s->arena, base, size);
	if (ret) {
		free(s);
		return space_fail(ret, err, len,
				  "cannot create the arena (base 0x%llx size %s): %s%s",
				  (unsigned long long)base, pt_size_str(size, sz), pt_strerror(ret),
				  ret == -PT_EINVAL ? ": an arena must be smaller than 1T" : "");
	}
	ret = pt_mm_init(&s->mm, fmt, &s->arena.mem);
	if (ret) {
		space_fail(ret, err, len, "%s",
			   ret == -PT_ENOMEM ? "image too small: no room for the root table"
					     : pt_strerror(ret));
		pt_space_close(s);
		return ret;
	}
	s->trees = SPACE_BOTH;
	ret = run_spec(s, spec, size, sized, err, len);
	if (ret) {
		pt_space_close(s);
		return ret;
	}
	s->image_size = sized ? size : (s->arena.high + 4095) & ~4095ull;
	mm_walk_init(&s->st, &s->mm);
	*out = s;
	return 0;
}
