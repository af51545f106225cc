// SPDX-License-Identifier: MIT
/*
 * The arena: simulated physical memory for table trees (see include/ptkit/mem.h).
 *
 * Blocks are powers of two from 256 bytes (one granule) to 1 MiB, aligned to their size as
 * physical addresses (a 64K table needs a 64K-aligned PA whatever the arena's base).
 * Book-keeping lives outside the image, so the arena bytes are exactly the tables: one
 * state byte per granule (is a block of class c allocated / free here) and one free-list
 * link per granule. Freed blocks are zeroed when freed (the image holds no stale tables)
 * and again when reused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptkit/mem.h"

#define GRANULE_SHIFT 8
#define MAX_SHIFT 20
#define NR_CLASSES (MAX_SHIFT - GRANULE_SHIFT + 1)
#define MAX_GRANULES (1ull << 32) /* links are 32-bit: 1 TiB of arena */

/* state[] values: 0 = nothing starts here; else flag | class. */
#define ST_LIVE 0x40
#define ST_FREE 0x80
#define ST_CLASS 0x3f

#define NO_LINK UINT32_MAX

struct pt_arena_free {
	uint32_t head[NR_CLASSES]; /* first free granule of each class, or NO_LINK */
	uint32_t *link;		   /* link[g]: next free block of the same class */
	uint8_t *state;		   /* per granule */
};

static struct pt_arena *arena_of(struct pt_mem *mem)
{
	return mem->priv;
}

/* Size class of a table of `size` bytes, or -1 if unsupported. */
static int size_class(uint64_t size)
{
	if (size == 0 || (size & (size - 1)) || size > (1ull << MAX_SHIFT))
		return -1;
	int shift = 0;
	while ((1ull << shift) < size)
		shift++;
	return shift <= GRANULE_SHIFT ? 0 : shift - GRANULE_SHIFT;
}

static uint64_t class_bytes(int c)
{
	return 1ull << (c + GRANULE_SHIFT);
}

static void push_free(struct pt_arena_free *f, int c, uint64_t off)
{
	uint32_t g = (uint32_t)(off >> GRANULE_SHIFT);

	f->state[g] = ST_FREE | c;
	f->link[g] = f->head[c];
	f->head[c] = g;
}

static bool pop_free(struct pt_arena_free *f, int c, uint64_t *off)
{
	uint32_t g = f->head[c];

	if (g == NO_LINK)
		return false;
	f->head[c] = f->link[g];
	f->link[g] = NO_LINK;
	f->state[g] = 0;
	*off = (uint64_t)g << GRANULE_SHIFT;
	return true;
}

/* Hand [off, end) back as the largest blocks aligned at their PA (gap left by alignment). */
static void free_range(struct pt_arena_free *f, uint64_t base, uint64_t off, uint64_t end)
{
	while (off < end) {
		int c = NR_CLASSES - 1;

		while (c > 0 &&
		       (((base + off) & (class_bytes(c) - 1)) || off + class_bytes(c) > end))
			c--;
		push_free(f, c, off);
		off += class_bytes(c);
	}
}

/* Find room for a class-c block: free list, bump pointer, then split a larger block. */
static bool find_block(struct pt_arena *a, int c, uint64_t *off)
{
	struct pt_arena_free *f = a->free_lists;
	uint64_t bytes = class_bytes(c);

	if (pop_free(f, c, off))
		return true;

	uint64_t base = a->mem.base;
	uint64_t start = ((base + a->next + bytes - 1) & ~(bytes - 1)) - base;
	if (start >= a->next && start <= a->mem.size && a->mem.size - start >= bytes) {
		free_range(f, base, a->next, start);
		a->next = start + bytes;
		*off = start;
		return true;
	}

	for (int big = c + 1; big < NR_CLASSES; big++) {
		uint64_t blk;

		if (!pop_free(f, big, &blk))
			continue;
		/* Keep the first piece, give back the halves above it. */
		for (int h = big - 1; h >= c; h--)
			push_free(f, h, blk + class_bytes(h));
		*off = blk;
		return true;
	}
	return false;
}

static int arena_alloc(struct pt_mem *mem, uint64_t size, uint64_t *pa)
{
	struct pt_arena *a = arena_of(mem);
	int c = size_class(size);
	uint64_t off;

	if (c < 0)
		return -PT_EINVAL;
	if (a->fail_at && --a->fail_at == 0) {
		a->fail_at = a->fail_every;
		return -PT_ENOMEM;
	}
	if (!find_block(a, c, &off))
		return -PT_ENOMEM;

	memset(mem->bytes + off, 0, class_bytes(c));
	a->free_lists->state[off >> GRANULE_SHIFT] = ST_LIVE | c;
	if (off + class_bytes(c) > a->high)
		a->high = off + class_bytes(c);
	a->allocs++;
	a->live++;
	*pa = mem->base + off;
	return 0;
}

static void arena_free(struct pt_mem *mem, uint64_t pa, uint64_t size)
{
	struct pt_arena *a = arena_of(mem);
	int c = size_class(size);
	uint64_t off = pa - mem->base;
	const char *why = NULL;

	if (c < 0)
		why = "bad size";
	else if (pa < mem->base || off >= mem->size || (pa & (class_bytes(c) - 1)))
		why = "address outside the arena or misaligned";
	else if (a->free_lists->state[off >> GRANULE_SHIFT] != (ST_LIVE | c))
		why = (a->free_lists->state[off >> GRANULE_SHIFT] & ST_LIVE)
			      ? "wrong size"
			      : "double free or never allocated";
	if (why) {
		fprintf(stderr, "pt_arena: free(pa=0x%llx, size=0x%llx): %s\n",
			(unsigned long long)pa, (unsigned long long)size, why);
		abort();
	}
	memset(mem->bytes + off, 0, class_bytes(c));
	push_free(a->free_lists, c, off);
	a->live--;
}

static void arena_observe(struct pt_mem *mem, uint64_t pa)
{
	(void)pa;
	arena_of(mem)->reads++;
}

int pt_arena_init(struct pt_arena *a, uint64_t base, uint64_t size)
{
	memset(a, 0, sizeof(*a));
	if (size == 0 || (size & 0xfff) || (base & 0xfff) || base + size < base ||
	    (size >> GRANULE_SHIFT) > MAX_GRANULES - 1)
		return -PT_EINVAL;

	uint64_t granules = size >> GRANULE_SHIFT;
	struct pt_arena_free *f = calloc(1, sizeof(*f));
	uint8_t *bytes = calloc(1, size);

	if (f) {
		f->link = malloc(granules * sizeof(*f->link));
		f->state = calloc(granules, 1);
	}
	if (!f || !bytes || !f->link || !f->state) {
		if (f) {
			free(f->link);
			free(f->state);
		}
		free(f);
		free(bytes);
		return -PT_ENOMEM;
	}
	for (int c = 0; c < NR_CLASSES; c++)
		f->head[c] = NO_LINK;
	memset(f->link, 0xff, granules * sizeof(*f->link));

	a->mem.bytes = bytes;
	a->mem.base = base;
	a->mem.size = size;
	a->mem.alloc = arena_alloc;
	a->mem.free = arena_free;
	a->mem.priv = a;
	a->mem.trusted = true; /* only ptkit writes these tables */
	a->free_lists = f;
	return 0;
}

void pt_arena_fini(struct pt_arena *a)
{
	if (a->free_lists) {
		free(a->free_lists->link);
		free(a->free_lists->state);
		free(a->free_lists);
	}
	free(a->mem.bytes);
	memset(a, 0, sizeof(*a));
}

void pt_arena_count_reads(struct pt_arena *a, bool on)
{
	a->mem.observe = on ? arena_observe : NULL;
}
