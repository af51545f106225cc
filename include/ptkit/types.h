/* SPDX-License-Identifier: MIT */
/* ptkit: basic types shared by every layer. Freestanding: stdint/stddef/stdbool only. */
#ifndef PTKIT_TYPES_H
#define PTKIT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest table tree of any format (arm64 LPA2 4K: levels -1..3, numbered 4..0 here). */
#define PT_MAX_LEVELS 6

/* Error codes: every failing call returns one of these, negated (e.g. -PT_ENOMEM). */
enum pt_error {
	PT_OK = 0,
	PT_EINVAL = 1,	/* malformed request: unaligned, zero size, bad flags */
	PT_ENOMEM = 2,	/* the table allocator failed */
	PT_EEXIST = 3,	/* map over an address that is already mapped */
	PT_ENOENT = 4,	/* protect of an address that is not mapped */
	PT_ERANGE = 5,	/* VA not canonical / beyond the format, PA beyond its limit */
	PT_EFAULT = 6,	/* a table pointer leads outside the memory backend */
	PT_ELOOP = 7,	/* a table pointer leads back to a table on its own path */
	PT_EBADENT = 8, /* an entry uses a reserved encoding */
	PT_EROFS = 9,	/* mutation on a read-only backend */
	PT_EBUSY = 10,	/* the page or folio is pinned or referenced (mm_split_huge) */
};

/* Short text for an error code (positive or negative). */
const char *pt_strerror(int err);

/* Permissions and attributes of a mapping, format independent. */
enum pt_prot_bits {
	PT_R = 1u << 0,
	PT_W = 1u << 1,
	PT_X = 1u << 2,
	PT_USER = 1u << 3,
	PT_GLOBAL = 1u << 4,
	PT_DEVICE = 1u << 5,  /* device memory / uncached strongly ordered */
	PT_NOCACHE = 1u << 6, /* normal non-cacheable (x86: UC-) */
	PT_YOUNG = 1u << 7,   /* accessed bit set */
	PT_DIRTY = 1u << 8,   /* dirty bit set */
	PT_SPECIAL = 1u << 9, /* software bit: PFN map, no page descriptor */
	PT_CONTIG = 1u << 10, /* reported only: the leaf is one of a contiguous / NAPOT group */
};
/* Bits a caller may ask for when mapping or protecting. */
#define PT_PROT_REQUEST                                                                            \
	(PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL | PT_DEVICE | PT_NOCACHE | PT_YOUNG | PT_DIRTY | \
	 PT_SPECIAL)

/*
 * A PROT_NONE leaf: a request without PT_R, PT_W and PT_X maps one, and a leaf decodes so.
 * The format keeps it as a mapping (output address, size and the other attributes), but
 * the MMU faults every access to it (docs/formats/: the encoding per format); walks and
 * the mm layer see it as a leaf, pt_translate reports it as not translated.
 */
static inline bool pt_prot_none(uint32_t prot)
{
	return !(prot & (PT_R | PT_W | PT_X));
}

/* What an entry is. */
enum pt_entry_kind {
	PT_ENTRY_EMPTY = 0, /* not present */
	PT_ENTRY_TABLE = 1, /* points to a next-level table */
	PT_ENTRY_LEAF = 2,  /* maps an output address (page or block) */
	PT_ENTRY_BAD = 3,   /* reserved encoding */
};

/*
 * Where tables live: physical address PA is host byte bytes[PA - base] for PA in
 * [base, base + size). alloc/free are NULL for read-only memory. observe, when set, is
 * called with the physical address of every entry the walker reads (for instrumentation).
 * Sparse read-only memory (a dump with holes, read on demand) sets table and pa_of
 * instead of bytes.
 */
struct pt_mem {
	uint8_t *bytes;
	uint64_t base;
	uint64_t size;
	/* Allocate a zeroed table of `size` bytes aligned to `size`; 0 or -PT_ENOMEM. */
	int (*alloc)(struct pt_mem *mem, uint64_t size, uint64_t *pa);
	/* Give a table back (called only after the gather flushed the TLB). */
	void (*free)(struct pt_mem *mem, uint64_t pa, uint64_t size);
	void (*observe)(struct pt_mem *mem, uint64_t pa);
	/*
	 * Optional, for instrumentation (the tests' TLB model, tests/tlb_model.h): called just
	 * before every entry store an operation makes (map, unmap, protect, split, set_accessed),
	 * with the entry's physical address and the value it is about to hold (host order);
	 * the entry still holds the old value. A compare-and-swap that finds the entry changed
	 * (the MMU set accessed / dirty) is retried, and the hook called again. Unset, it costs
	 * one predictable branch per store.
	 */
	void (*store)(struct pt_mem *mem, uint64_t pa, uint64_t e);
	/*
	 * Optional, for sparse read-only memory (pt_segmem, include/ptkit/mem.h): the host copy
	 * of the table of `size` bytes at pa, or NULL when [pa, pa + size) is not all backed
	 * (the walk reports -PT_EFAULT). When set, the walkers use it for every table pointer
	 * instead of bytes[] (alloc must be NULL, trusted false); the copy must stay valid and
	 * unchanged while the memory lives. mem may be a copy of the struct: use mem->priv.
	 * pa_of is the inverse: the physical address of host byte p of a returned table.
	 */
	const uint8_t *(*table)(const struct pt_mem *mem, uint64_t pa, uint64_t size);
	uint64_t (*pa_of)(const struct pt_mem *mem, const uint8_t *p);
	void *priv;
	/*
	 * Every table reachable from a root was built by ptkit in this memory (pt_arena_init
	 * sets it): the walker may skip the corrupt-image checks on table pointers (outside
	 * memory: -PT_EFAULT, back up the path: -PT_ELOOP). Leave false for foreign images.
	 */
	bool trusted;
};

struct pt_format;

/*
 * One page-table tree (or pair of trees, for formats with a separate upper-half root):
 * the unit every walker and operation works on. gen changes on every mutation, so a
 * cached walk state knows when its retained path went stale. Generations never repeat
 * across trees (the high half is a tree number handed out once per pt_mm_init /
 * pt_mm_attach in the process), so a state's gen also says which tree its path is in.
 */
struct pt_mm {
	const struct pt_format *fmt;
	struct pt_mem *mem;
	uint64_t root[2]; /* root[1]: upper-half root where the format has one, else == root[0] */
	uint64_t gen;	  /* tree number << 32 | changes; never 0 */
};

/* A fresh generation number (a new tree number, change count 0). Not an API. */
uint64_t pt_gen_fresh_(void);

/* A new generation: every retained walk path of mm is stale. Readers may be lockless. */
static inline void pt_mm_bump_gen(struct pt_mm *mm)
{
	uint64_t g = __atomic_load_n(&mm->gen, __ATOMIC_RELAXED) + 1;

	if (!(uint32_t)g) /* 2^32 changes: a new tree number rather than another tree's */
		g = pt_gen_fresh_();
	__atomic_store_n(&mm->gen, g, __ATOMIC_RELAXED);
}

/* Answers one key of a key=value note (Linux VMCOREINFO): its value, or false when absent. */
typedef bool (*pt_info_fn)(const void *ctx, const char *key, uint64_t *value);

#endif
