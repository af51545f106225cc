/* SPDX-License-Identifier: MIT */
/* ptkit: a pt_space over memory read through a callback (include/ptkit/space.h). */
#include <stdlib.h>

#include "space_internal.h"

int pt_space_from_reader(struct pt_space **out, const struct pt_format *fmt, pt_seg_read_fn read,
			 void *ctx, uint64_t root, bool has_root1, uint64_t root1, char *err,
			 size_t len)
{
	/* All of the format's physical address space, read on demand. */
	uint64_t end = fmt->pa_bits < 64 ? 1ull << fmt->pa_bits : UINT64_MAX;
	struct pt_space *s;
	int ret;

	*out = NULL;
	if (has_root1 && !fmt->two_roots && root1 != root)
		return space_fail(-PT_EINVAL, err, len,
				  "root1 0x%llx: %s has one root for both halves (give root only)",
				  (unsigned long long)root1, fmt->name);
	s = space_new(SPACE_READER, err, len);
	if (!s)
		return -PT_ENOMEM;
	s->fmt = fmt;
	ret = pt_segmem_init(&s->seg);
	if (!ret)
		ret = pt_segmem_add_read(&s->seg, 0, end, read, ctx);
	if (ret) {
		free(s);
		return space_fail(ret, err, len, "cannot set up the memory: %s", pt_strerror(ret));
	}
	pt_mm_attach(&s->mm, fmt, &s->seg.mem, root, has_root1 ? root1 : root);
	s->trees = !fmt->two_roots || has_root1 ? SPACE_BOTH : SPACE_LOWER;
	ret = space_root_check(fmt, s->mm.mem, NULL, "root", root, err, len);
	if (!ret && has_root1 && root1 != root)
		ret = space_root_check(fmt, s->mm.mem, NULL, "root1", root1, err, len);
	if (ret) {
		pt_space_close(s);
		return ret;
	}
	mm_walk_init(&s->st, &s->mm);
	*out = s;
	return 0;
}
