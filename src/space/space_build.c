/* SPDX-License-Identifier: MIT */
/* ptkit: a pt_space built from a spec in an arena (include/ptkit/space.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptkit/spec.h"
#include "space_internal.h"

/* Run every line of spec; 0 or the first failing line's code, err "line N: why". */
static int run_spec(struct pt_space *s, const char *spec, uint64_t size, bool sized, char *err,
		    size_t len)
{
	char msg[256], sz[32];
	unsigned line;
	bool full;
	int ret = pt_spec_run_text(&s->mm, spec, strlen(spec), &line, &full, msg, sizeof(msg));

	if (!ret)
		return 0;
	if (full)
		return space_fail(
			ret, err, len,
			"line %u: image too small: the %s%s arena has no room for another "
			"table",
			line, pt_size_str(size, sz), sized ? "" : " (default)");
	return space_fail(ret, err, len, "line %u: %s", line, msg);
}

int pt_space_build(struct pt_space **out, const struct pt_format *fmt, const char *spec,
		   uint64_t base, uint64_t size, char *err, size_t len)
{
	const bool sized = size != 0;
	struct space_say say = { .words = &space_api_words, .err = err, .len = len };
	struct pt_space *s;
	char sz[32], given[24];
	int ret;

	*out = NULL;
	snprintf(given, sizeof(given), "%llu", (unsigned long long)size);
	ret = space_arena_check(fmt, base, sized ? given : NULL, &size, &say);
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
