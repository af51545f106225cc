/* SPDX-License-Identifier: MIT */
/* ptkit: the pt_space handle (include/ptkit/space.h): creation, accessors, close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptkit/spec.h"
#include "space_internal.h"

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

int space_check_root(struct pt_space *s, const char *what, uint64_t root, char *err, size_t len)
{
	const struct pt_format *fmt = s->fmt;
	const struct pt_mem *m = s->mm.mem;
	uint64_t bytes = pt_table_bytes(fmt, fmt->levels - 1);
	char sz[32], why[256];

	if (root & (bytes - 1))
		return space_fail(-PT_EINVAL, err, len,
				  "%s 0x%llx: not aligned to %s, the size of the root table of %s",
				  what, (unsigned long long)root, pt_size_str(bytes, sz),
				  fmt->name);
	if (fmt->pa_bits < 64 && (root >> fmt->pa_bits || bytes > (1ull << fmt->pa_bits) - root))
		return space_fail(-PT_ERANGE, err, len,
				  "%s 0x%llx: beyond the %d-bit PA limit of %s", what,
				  (unsigned long long)root, fmt->pa_bits, fmt->name);
	if (m->table) {
		if (m->table(m, root, bytes))
			return 0;
		if (s->kind == SPACE_DUMP &&
		    pt_dump_explain(&s->dump, root, bytes, why, sizeof(why)))
			return space_fail(-PT_EFAULT, err, len,
					  "%s 0x%llx: the root table cannot be read: %s", what,
					  (unsigned long long)root, why);
		if (s->kind == SPACE_DUMP)
			return space_fail(-PT_EFAULT, err, len,
					  "%s 0x%llx: the %s file's memory does not hold the "
					  "%llu-byte root table",
					  what, (unsigned long long)root,
					  pt_dump_kind_name(s->dump.kind),
					  (unsigned long long)bytes);
		return space_fail(-PT_EFAULT, err, len,
				  "%s 0x%llx: the %llu-byte root table cannot be read (the reader "
				  "has no memory there)",
				  what, (unsigned long long)root, (unsigned long long)bytes);
	}
	if (root < m->base || root - m->base >= m->size)
		return space_fail(-PT_EFAULT, err, len,
				  "%s 0x%llx: outside the image [0x%llx, 0x%llx)", what,
				  (unsigned long long)root, (unsigned long long)m->base,
				  (unsigned long long)(m->base + m->size));
	if (m->size - (root - m->base) < bytes)
		return space_fail(-PT_EFAULT, err, len,
				  "image too small: %s 0x%llx needs a %llu-byte root table, the "
				  "image ends at 0x%llx",
				  what, (unsigned long long)root, (unsigned long long)bytes,
				  (unsigned long long)(m->base + m->size));
	return 0;
}

void pt_space_close(struct pt_space *s)
{
	if (!s)
		return;
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

const char *pt_space_notes(const struct pt_space *s)
{
	return s->notes;
}
