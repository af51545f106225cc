// SPDX-License-Identifier: MIT
/* Read-only memory backend over an existing image (see include/ptkit/mem.h). */
#include "ptkit/mem.h"

void pt_image_mem(struct pt_mem *m, const void *bytes, uint64_t base, uint64_t size)
{
	/* struct pt_mem has no const variant; alloc == NULL marks it read-only. */
	m->bytes = (uint8_t *)(uintptr_t)bytes;
	m->base = base;
	m->size = size;
	m->alloc = NULL;
	m->free = NULL;
	m->observe = NULL;
	m->store = NULL;
	m->table = NULL;
	m->pa_of = NULL;
	m->priv = NULL;
	m->trusted = false; /* a foreign image: check every table pointer */
}
