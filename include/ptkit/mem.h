/* SPDX-License-Identifier: MIT */
/* ptkit: memory backends (hosted: they use malloc). */
#ifndef PTKIT_MEM_H
#define PTKIT_MEM_H

#include "types.h"

/*
 * An arena of simulated physical memory [base, base+size): tables are allocated inside
 * it, stored bit-exact at their physical addresses, so its bytes are the image.
 *
 * Allocation (mem.alloc): `size` is a power of two up to 1 MiB (tables smaller than 256
 * bytes get a 256-byte block); the block is zeroed and its physical address is aligned to its
 * size (whatever the alignment of base; the gap below is used for smaller blocks). Freed blocks
 * go to a per-size free list (reused first, re-zeroed); otherwise the bump pointer is
 * used, and when that is exhausted a larger free block is split. -PT_ENOMEM when none
 * of these finds room, -PT_EINVAL for a size that is not a power of two or too large.
 * Freeing (mem.free) a block that is not allocated (double free, wrong size, PA outside
 * the arena) prints the culprit and calls abort(): the arena is test infrastructure.
 *
 * Failure injection: every mem.alloc call while fail_at != 0 decrements fail_at; the
 * call that brings it to 0 fails with -PT_ENOMEM (so fail_at = N fails exactly the N-th
 * call from now, 1 = the next one). After an injected failure fail_at is reloaded from
 * fail_every, so fail_every = N keeps failing every N-th call; 0 fails only once.
 *
 * The public counters may be read (and fail_at / fail_every set) by callers; the other
 * fields are private.
 */
struct pt_arena {
	struct pt_mem mem;
	uint64_t high;	     /* highest end offset ever handed out: the image extent */
	uint64_t allocs;     /* successful allocations */
	uint64_t live;	     /* tables currently allocated */
	uint64_t fail_at;    /* see "Failure injection" above; 0 = never */
	uint64_t fail_every; /* reload value of fail_at after an injected failure */
	uint64_t reads;	     /* entry reads observed (when counting is on) */
	/* private */
	uint64_t next;			  /* bump pointer (offset from base) */
	struct pt_arena_free *free_lists; /* per-size free lists and block states */
};

/*
 * Create an arena of `size` zeroed bytes at physical `base` (both multiples of 4K, size below
 * 1 TiB). 0, -PT_EINVAL for bad arguments or -PT_ENOMEM when the host is out of memory.
 */
int pt_arena_init(struct pt_arena *a, uint64_t base, uint64_t size);
/* Release the host memory; tables still allocated are simply dropped. */
void pt_arena_fini(struct pt_arena *a);
/* Count entry reads in a->reads (the walker calls mem.observe); off removes the hook. */
void pt_arena_count_reads(struct pt_arena *a, bool on);

/*
 * A read-only backend over an existing image (bytes[0] is physical address base): alloc,
 * free and observe are NULL, so mutations fail with -PT_EROFS. The bytes are not copied.
 */
void pt_image_mem(struct pt_mem *m, const void *bytes, uint64_t base, uint64_t size);

/*
 * Sparse read-only memory, for dumps: physical memory as non-overlapping segments with
 * holes between them. A segment is host bytes used in place (e.g. a region of an mmap'd
 * ELF core: tables are read where they are, the kernel's page cache keeps them) or read
 * through a callback (e.g. a compressed dump): a table read that way is copied once into
 * a cache and kept until pt_segmem_fini (walk states keep pointers into it). A table
 * pointer into a hole, or straddling one, makes the walk report -PT_EFAULT. mem has table
 * and pa_of set and bytes NULL; mutations fail with -PT_EROFS.
 */
typedef int (*pt_seg_read_fn)(void *ctx, uint64_t pa, void *buf, uint64_t size); /* 0 or -1 */

struct pt_segmem {
	struct pt_mem mem;
	uint64_t tables_read; /* tables copied into the cache (callback segments) */
	uint64_t cache_bytes; /* their bytes */
	/* private */
	struct pt_seg *segs; /* sorted by pa */
	size_t nr_segs, cap_segs;
	struct pt_segcache *cache;
};

struct pt_seg {
	uint64_t pa, size;
	const uint8_t *bytes; /* or NULL: read through read(ctx, ...) */
	pt_seg_read_fn read;
	void *ctx;
};

/* An empty memory. 0 or -PT_ENOMEM. */
int pt_segmem_init(struct pt_segmem *s);
/* Add [pa, pa + size) as the host bytes at `bytes` (not copied; valid until fini). 0,
 * -PT_EINVAL (empty, wraps, NULL), -PT_EEXIST (overlaps a segment), -PT_ENOMEM. */
int pt_segmem_add_bytes(struct pt_segmem *s, uint64_t pa, uint64_t size, const void *bytes);
/* Add [pa, pa + size) read through read(ctx, pa, buf, n) (n bytes at pa, inside it). */
int pt_segmem_add_read(struct pt_segmem *s, uint64_t pa, uint64_t size, pt_seg_read_fn read,
		       void *ctx);
/* Copy size bytes at pa into buf: 0, -PT_EFAULT (part of it is a hole or unreadable). */
int pt_segmem_read(const struct pt_segmem *s, uint64_t pa, void *buf, uint64_t size);
/* The segment holding pa, or NULL. */
const struct pt_seg *pt_segmem_find_(const struct pt_segmem *s, uint64_t pa);
void pt_segmem_fini(struct pt_segmem *s);

#endif
