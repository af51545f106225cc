/* SPDX-License-Identifier: MIT */
/*
 * ptkit: a pt_space over a dump file (include/ptkit/space.h), its format and roots chosen
 * as `ptkit translate` chooses them (src/space/space_args.h): what it chose by itself goes
 * to the notes.
 */
#include <stdlib.h>

#include "space_internal.h"

static void note(void *ctx, const char *line)
{
	space_note(ctx, "%s", line);
}

static int open_dump(struct pt_space *s, const char *path, const struct pt_format *fmt, bool raw,
		     uint64_t raw_base, const char *root, const char *root1, char *err, size_t len)
{
	struct space_say say = { &space_api_words, note, s, err, len, false };
	uint64_t r[2];
	int ret = space_raw_check(fmt != NULL, raw, raw_base, &say);

	if (ret)
		return ret;
	ret = pt_dump_open(&s->dump, path, raw, raw_base);
	if (ret)
		return space_fail(ret, err, len, "%s", s->dump.err);
	s->kind = SPACE_DUMP; /* from here on, close closes the dump */
	s->fmt = fmt;
	ret = space_dump_format(&s->dump, &s->fmt, &say);
	if (!ret)
		ret = space_dump_roots(&s->dump, s->fmt, root, root1, r, &s->trees, &say);
	if (ret)
		return ret;
	pt_mm_attach(&s->mm, s->fmt, s->dump.mem, r[0], r[1]);
	mm_walk_init(&s->st, &s->mm);
	return 0;
}

int pt_space_open_dump(struct pt_space **out, const char *path, const struct pt_format *fmt,
		       bool raw, uint64_t raw_base, const char *root, const char *root1, char *err,
		       size_t len)
{
	struct pt_space *s = space_new(0, err, len); /* a kind once the dump is open */
	int ret;

	*out = NULL;
	if (!s)
		return -PT_ENOMEM;
	ret = open_dump(s, path, fmt, raw, raw_base, root, root1, err, len);
	if (ret) {
		if (s->kind == SPACE_DUMP)
			pt_dump_close(&s->dump);
		free(s);
		return ret;
	}
	*out = s;
	return 0;
}
