/* SPDX-License-Identifier: MIT */
/* Creating, attaching and destroying a table tree. */
#include <ptkit/ops.h>

#include "ops/table_alloc.h"

int pt_mm_init(struct pt_mm *mm, const struct pt_format *fmt, struct pt_mem *mem)
{
	int top = fmt->levels - 1;
	int err;

	pt_mm_attach(mm, fmt, mem, 0, 0);
	if (!mem->alloc)
		return -PT_EROFS;
	/* A table above the PA limit would be linked through a truncated address. */
	if (!mem->size || mem->base + mem->size - 1 < mem->base ||
	    (fmt->pa_bits < 64 && ((mem->base + mem->size - 1) >> fmt->pa_bits)))
		return -PT_ERANGE;
	err = pt_table_alloc(mem, pt_table_bytes(fmt, top), &mm->root[0]);
	if (err)
		return err;
	mm->root[1] = mm->root[0];
	if (fmt->two_roots) {
		err = pt_table_alloc(mem, pt_table_bytes(fmt, top), &mm->root[1]);
		if (err) {
			mem->free(mem, mm->root[0], pt_table_bytes(fmt, top));
			return err;
		}
	}
	return 0;
}

void pt_mm_attach(struct pt_mm *mm, const struct pt_format *fmt, struct pt_mem *mem, uint64_t root0,
		  uint64_t root1)
{
	mm->fmt = fmt;
	mm->mem = mem;
	mm->root[0] = root0;
	mm->root[1] = root1;
	mm->gen = pt_gen_fresh_();
}

uint64_t pt_gen_fresh_(void)
{
	static uint64_t next_tree; /* tree numbers handed out so far */

	return (__atomic_add_fetch(&next_tree, 1, __ATOMIC_RELAXED) & 0xffffffffu) << 32;
}

/* Free the table at pa (level) and every table below it; depth is bounded by the format. */
static void free_tree(struct pt_mm *mm, uint64_t pa, int level)
{
	const struct pt_format *f = mm->fmt;
	struct pt_mem *m = mm->mem;
	uint64_t bytes = pt_table_bytes(f, level);

	if (pa < m->base || pa - m->base > m->size - bytes)
		return;
	if (level > 0) {
		for (uint64_t off = 0; off < bytes; off += 8) {
			struct pt_entry_info info;
			f->ops.decode(pt_entry_load(f, m->bytes + (pa - m->base) + off), level,
				      &info);
			if (info.kind == PT_ENTRY_TABLE)
				free_tree(mm, info.pa, level - 1);
		}
	}
	m->free(m, pa, bytes);
}

void pt_mm_destroy(struct pt_mm *mm)
{
	int top = mm->fmt->levels - 1;

	if (!mm->mem->free)
		return;
	free_tree(mm, mm->root[0], top);
	if (mm->fmt->two_roots && mm->root[1] != mm->root[0])
		free_tree(mm, mm->root[1], top);
	pt_mm_bump_gen(mm);
}
