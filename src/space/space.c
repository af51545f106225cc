/* SPDX-License-Identifier: MIT */
/* ptkit: the pt_space handle (include/ptkit/space.h): creation, accessors, close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptkit/spec.h"
#include "space_internal.h"

const struct space_words space_api_words = { .format = "format",
					     .root = "root",
					     .root1 = "root1",
					     .base = "base",
					     .size = "size",
					     .no_format = "no format given" };

struct pt_space *space_new(enum space_kind kind, char *err, size_t len)
{
	struct pt_space *s = calloc(1, sizeof(*s));

	if (!s)
		space_fail(-PT_ENOMEM, err, len, "out of memory");
	else
		s->kind = kind;
	return s;
}

int space_fail(int code, char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return code;
}

void space_note(struct pt_space *s, const char *fmt, ...)
{
	size_t n = strlen(s->notes);
	va_list ap;

	if (n + 2 >= sizeof(s->notes))
		return;
	va_start(ap, fmt);
	vsnprintf(s->notes + n, sizeof(s->notes) - n - 1, fmt, ap);
	va_end(ap);
	strcat(s->notes, "\n");
}

int space_say_fail(struct space_say *say, int code, bool usage, const char *fmt, ...)
{
	va_list ap;

	say->usage = usage;
	if (say->err && say->len) {
		va_start(ap, fmt);
		vsnprintf(say->err, say->len, fmt, ap);
		va_end(ap);
	}
	return code;
}

void pt_space_close(struct pt_space *s)
{
	if (!s)
		return;
	pt_listing_close(s->list);
	if (s->kind == SPACE_BUILT)
		pt_arena_fini(&s->arena);
	else if (s->kind == SPACE_DUMP)
		pt_dump_close(&s->dump);
	else
		pt_segmem_fini(&s->seg);
	free(s);
}

const struct pt_format *pt_space_format(const struct pt_space *s)
{
	return s->fmt;
}

unsigned pt_space_roots(const struct pt_space *s, uint64_t roots[2])
{
	roots[0] = s->mm.root[0];
	roots[1] = s->mm.root[1];
	return s->fmt->two_roots ? s->trees : SPACE_BOTH;
}

int pt_space_image(const struct pt_space *s, const uint8_t **bytes, uint64_t *base, uint64_t *size)
{
	if (s->kind != SPACE_BUILT)
		return -PT_EINVAL;
	*bytes = s->arena.mem.bytes;
	*base = s->arena.mem.base;
	*size = s->image_size;
	return 0;
}

int pt_space_set_mem_attr(struct pt_space *s, uint64_t value, char *err, size_t len)
{
	if (!pt_format_mem_attr_reg(s->fmt, NULL))
		return space_fail(
			-PT_EINVAL, err, len,
			"%s has no memory attribute register: its leaves hold their memory "
			"type themselves",
			s->fmt->name);
	s->mem_attr = value;
	s->mem_attr_set = true;
	return 0;
}

uint32_t space_leaf_prot(const struct pt_space *s, uint32_t prot, uint64_t entry, int level)
{
	return s->mem_attr_set
		       ? pt_format_prot_with_mem_attr(s->fmt, prot, entry, level, s->mem_attr)
		       : prot;
}

const char *pt_space_notes(const struct pt_space *s)
{
	return s->notes;
}
