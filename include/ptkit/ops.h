/* SPDX-License-Identifier: MIT */
/* ptkit: operations on a table tree — map, unmap, protect, translate. */
#ifndef PTKIT_OPS_H
#define PTKIT_OPS_H

#include "format.h"

#define PT_GATHER_BATCH 32

/* Why the gather's flush hook is called (struct pt_flush.why). */
enum pt_flush_why {
	/*
	 * pt_gather_flush(): the operations before it are complete (or, after a failed one,
	 * exactly undone); the gathered tables are freed once the hook returns.
	 */
	PT_FLUSH_END = 0,
	/*
	 * Inside an operation, the "break" of break-before-make: every entry that maps
	 * [start, last] was just made invalid (its other bits kept) and its new value is
	 * written once the hook returns, so the hook must finish the invalidation (TLBI and
	 * DSB on arm64) before it returns. Lockless readers find no mapping there meanwhile.
	 */
	PT_FLUSH_BREAK = 1,
	/*
	 * Inside an operation (formats with FMT_SPLIT_FLUSH: x86): the leaf mapping
	 * [start, last] was just replaced by a table of smaller leaves with the same
	 * attributes and output addresses; they change once the hook returns.
	 */
	PT_FLUSH_SPLIT = 2,
	/*
	 * Inside an operation: PT_GATHER_BATCH tables were gathered, so the TLB is flushed
	 * for what was changed so far and the tables are freed before the operation goes on.
	 * Entries already changed hold their final values; the rest still hold their old ones.
	 */
	PT_FLUSH_BATCH = 3,
};

/*
 * One flush, as the hook receives it. The tree is never half-updated at a call: every
 * entry holds its old value, its final value or (PT_FLUSH_BREAK, in [start, last]) an
 * invalid one, and every linked table is complete.
 */
struct pt_flush {
	uint64_t start, last; /* VA range, inclusive */
	enum pt_flush_why why;
	/*
	 * Bit l set: leaf entries of level l (0 = smallest pages) in the range were changed or
	 * removed — the TLB invalidation's level hint / stride (arm64 TTL, TLBI range). 0 when
	 * only table entries changed.
	 */
	uint32_t leaf_levels;
	/*
	 * Bit l set: table entries of level l were removed or replaced (an emptied table
	 * unlinked, a table collapsed into a leaf), so cached walk entries (x86
	 * paging-structure caches, arm64 walk caches: TLBI VAE rather than VALE) must go too.
	 */
	uint32_t table_levels;
	/* Tables freed once the hook returns (PT_FLUSH_END, PT_FLUSH_BATCH). */
	unsigned nr_free;
};

/*
 * What a mutation leaves to do: the VA range whose TLB entries must go and the tables to
 * free once they have. Tables are freed in pt_gather_flush(), after the flush hook ran:
 * through mem->free, or, when free_table is set, handed to that hook, which must free
 * them later, once no lockless reader can still be on them (e.g. call_rcu). Tables a
 * failed mutation allocated but never linked go straight back to mem->free.
 */
struct pt_gather {
	struct pt_mm *mm;
	bool pending; /* a TLB flush of [start, last] is owed */
	uint64_t start, last;
	uint32_t leaf_levels, table_levels; /* of the owed flush: see struct pt_flush */
	unsigned nr_free;
	struct {
		uint64_t pa, size;
	} free[PT_GATHER_BATCH];
	/*
	 * Optional: invalidate the TLB entries f describes before returning. Called by
	 * pt_gather_flush (PT_FLUSH_END) and from inside operations (f->why says why).
	 */
	void (*flush)(struct pt_gather *g, const struct pt_flush *f);
	/*
	 * Optional deferred free (freestanding builds, lockless readers): receives every
	 * gathered table after the flush instead of mem->free; frees it after a grace period.
	 */
	void (*free_table)(struct pt_gather *g, uint64_t pa, uint64_t size);
	/*
	 * Optional: told about every leaf pt_unmap removes (each member of a group, each
	 * smaller leaf of a split one), with the value it held last: taken by an atomic
	 * exchange, so prot's PT_YOUNG / PT_DIRTY include what the MMU set until the end (as
	 * Linux's zap reads ptep_get_and_clear for folio_mark_dirty). Setting it turns off the
	 * unmap's batched fast path.
	 */
	void (*unmapped)(struct pt_gather *g, uint64_t va, uint64_t size, uint64_t pa,
			 uint32_t prot);
	void *priv;
	/* Filled in by a failing call: the VA it stopped at. */
	uint64_t err_va;
	/* Counters, for tests and statistics. */
	uint64_t tables_alloced, tables_freed, flushes;
};

/* Prepare a gather for mutations of mm. */
void pt_gather_init(struct pt_gather *g, struct pt_mm *mm);
/* Flush the TLB range (PT_FLUSH_END) and free the gathered tables. */
void pt_gather_flush(struct pt_gather *g);
/* Queue a table for freeing after the next flush (flushes first when the batch is full). */
void pt_gather_free(struct pt_gather *g, uint64_t pa, uint64_t size);

/* Flags of pt_gather_range: what changed in the range. */
#define PT_GATHER_LEAF(level) (1ull << (level))		/* leaf entries of level */
#define PT_GATHER_TABLE(level) (1ull << (32 + (level))) /* table entries of level */

/*
 * Owe a TLB flush of [first, last] (inclusive), merged with what is already owed; what:
 * PT_GATHER_LEAF / PT_GATHER_TABLE of the levels whose entries changed there.
 */
static inline void pt_gather_range(struct pt_gather *g, uint64_t first, uint64_t last,
				   uint64_t what)
{
	if (!g->pending || first < g->start)
		g->start = first;
	if (!g->pending || last > g->last)
		g->last = last;
	g->leaf_levels |= (uint32_t)what;
	g->table_levels |= (uint32_t)(what >> 32);
	g->pending = true;
}

/*
 * Flush [first, last] now, from inside an operation (why: PT_FLUSH_BREAK or
 * PT_FLUSH_SPLIT; what as for pt_gather_range). Owes nothing afterwards for it.
 */
void pt_gather_now(struct pt_gather *g, uint64_t first, uint64_t last, enum pt_flush_why why,
		   uint64_t what);

/* A map request. page_sizes: bitmap of allowed leaf sizes (bit n = 2^n bytes), 0 = any. */
struct pt_map_req {
	uint64_t va, pa, size;
	uint32_t prot; /* PT_* bits */
	uint32_t pkey;
	uint64_t page_sizes;
};

/*
 * Create an empty tree (and the upper-half root where the format has one) in mem.
 * Returns 0, -PT_ENOMEM, -PT_EROFS, or -PT_ERANGE when [mem->base, mem->base + mem->size)
 * reaches beyond the format's PA limit (2^pa_bits): every table must be addressable by
 * the entries that link it. Tables mem->alloc returns outside mem or not aligned to their
 * size are refused here and in every operation (-PT_EFAULT, -PT_EINVAL).
 */
int pt_mm_init(struct pt_mm *mm, const struct pt_format *fmt, struct pt_mem *mem);
/* Describe an existing tree (e.g. in an image): no allocation, nothing checked yet. */
void pt_mm_attach(struct pt_mm *mm, const struct pt_format *fmt, struct pt_mem *mem, uint64_t root0,
		  uint64_t root1);
/* Free every table of the tree, roots included. */
void pt_mm_destroy(struct pt_mm *mm);

/*
 * Map [va, va+size) to [pa, pa+size) with the largest leaves that alignment, size and
 * req->page_sizes allow. On failure (-PT_EINVAL, -PT_ERANGE, -PT_EEXIST, -PT_ENOMEM ...)
 * the tables are exactly as before and g->err_va names the offending address.
 */
int pt_map(struct pt_mm *mm, const struct pt_map_req *req, struct pt_gather *g);

/*
 * Remove every mapping in [va, va+size), splitting huge leaves that are partly covered
 * and freeing tables that become empty. Holes are fine. Atomic like pt_map.
 */
int pt_unmap(struct pt_mm *mm, uint64_t va, uint64_t size, struct pt_gather *g);

/*
 * Set the permissions of [va, va+size) to prot (PT_R/W/X/USER/GLOBAL/DEVICE/NOCACHE),
 * splitting partly covered huge leaves. -PT_ENOENT if part of the range is unmapped.
 * Atomic like pt_map.
 */
int pt_protect(struct pt_mm *mm, uint64_t va, uint64_t size, uint32_t prot, struct pt_gather *g);

/* Result of pt_translate. */
struct pt_translation {
	uint64_t pa;	  /* physical address of va */
	uint64_t leaf_va; /* start of the leaf */
	uint64_t leaf_pa;
	uint64_t size;	/* leaf size */
	uint64_t group; /* contiguous group size (== size if none) */
	int level;	/* leaf level, or the level where the walk stopped */
	uint32_t prot;	/* effective permissions: leaf combined with every table level */
	uint32_t pkey;
	uint64_t entry; /* raw leaf entry */
};

/*
 * Translate va as the MMU would. 0 when mapped; -PT_ENOENT when not (tr->level: where
 * the walk stopped; a PROT_NONE leaf, which every access faults on, also gives -PT_ENOENT,
 * with tr describing it: tr->size != 0, pt_prot_none(tr->prot)); -PT_ERANGE for a
 * non-canonical VA; -PT_EFAULT/-PT_ELOOP/-PT_EBADENT for a corrupt tree.
 */
#ifndef PTKIT_FORMAT /* else <ptkit/static.h> instantiates it */
int pt_translate(struct pt_mm *mm, uint64_t va, struct pt_translation *tr);
#endif

/* ---- generic leaf edits (src/ops/split_leaf.c, collapse.c, accessed.c) -------------- *
 * Written once for every format through the format hooks (decode / encode_leaf /
 * encode_table / leaf_set_ad) rather than the per-format templates. They rewrite a leaf
 * only when the hooks can make it again bit for bit, young / dirty state included
 * (otherwise -PT_EINVAL: e.g. an x86 leaf with a protection key, which encode_leaf does
 * not take).
 */

/* Largest contiguous / NAPOT group a split may have to rewrite (arm64 16K level 0). */
#define PT_SPLIT_MAX_GROUP 128

/* What pt_split_leaf changed, so pt_split_leaf_undo can put it back without allocating. */
struct pt_split_undo {
	uint8_t *ptep; /* first entry rewritten */
	uint64_t va;   /* VA it maps */
	int level;
	uint32_t n;	   /* entries rewritten: 1 (a leaf became a table) or a whole group */
	uint64_t table_pa; /* the new table (n == 1) */
	uint64_t old[PT_SPLIT_MAX_GROUP];
};

/*
 * One step of splitting the leaf that maps va: a member of a contiguous / NAPOT group
 * first loses the group (every member rewritten as a plain leaf); a plain leaf becomes a
 * table of leaves one level down with the same attributes. The TLB range is added to g.
 * 0; -PT_ENOENT (va not mapped), -PT_EINVAL (level 0, level below holds no leaves, or a
 * leaf encode_leaf cannot reproduce), -PT_ENOMEM; on error nothing changed. undo may be
 * NULL.
 */
int pt_split_leaf(struct pt_mm *mm, uint64_t va, struct pt_gather *g, struct pt_split_undo *undo);
/* Put back what one pt_split_leaf did (its table goes to g's free list). Cannot fail. */
void pt_split_leaf_undo(struct pt_mm *mm, const struct pt_split_undo *undo, struct pt_gather *g);

/*
 * One step of collapsing (src/ops/collapse.c; khugepaged's collapse, the inverse of a
 * pt_split_leaf step): the table that holds va's leaf becomes ONE leaf of the level above,
 * when every entry is a leaf, the output addresses run contiguously from an address
 * aligned to the new leaf's size, and the attributes (PT_* rights, memory type, GLOBAL,
 * SPECIAL, protection key) are equal; repeat to go higher. Contiguous / NAPOT group members
 * collapse too: the mark is ignored in the compare and the new leaf has none. Young and
 * dirty are ORed (as Linux's collapse: young if any was). Every leaf must survive: a plain
 * one as encode_leaf (then leaf_set_ad, for an old or clean one) makes it bit for bit, a
 * group member with the attributes of its plain form (pt_split_leaf's rules), so no key,
 * no unknown bit; and the table entry above must not take rights from them (x86 R/W, U/S,
 * XD; arm64 APTable / XNTable in a table entry). Where the format needs it (pt_format.bbm:
 * arm64), and wherever the MMU could still set young / dirty in the old leaves (one old,
 * or writable and clean), the entry above is cleared and its range flushed (PT_FLUSH_BREAK)
 * before the leaf is stored, and young / dirty are read again after that flush; otherwise
 * the leaf replaces the entry in one store. The range is added to g and the table queued
 * on it (freed after the flush).
 * 0; -PT_ENOENT (va not mapped, or its table holds a hole or a table), -PT_EINVAL (top
 * level, no leaf at the level above, attributes differ, OA not contiguous or not aligned,
 * a leaf that would lose bits, a restricting table entry), -PT_EBADENT (a reserved entry
 * in the table), -PT_EROFS; on error nothing changed and g->err_va is va.
 */
int pt_collapse(struct pt_mm *mm, uint64_t va, struct pt_gather *g);

/*
 * Set and clear the accessed / dirty state (set, clear: PT_YOUNG and/or PT_DIRTY) of
 * every leaf overlapping [va, va+size) — whole leaves: the bits are per leaf — like
 * Linux's pte_mkyoung / pte_mkdirty / test-and-clear-young for an aging walker. Holes
 * are skipped. Each entry is updated with compare-and-swap (a concurrent hardware A/D
 * update is not lost) and the range is added to g. The format says how (its leaf_set_ad):
 * young is arm64 AF, RISC-V A, ppc64 radix R; a clean writable arm64 leaf is AP[2] = 1
 * with DBM = 1 (Linux pte_mkclean: still writable, the next write sets AP[2] = 0, or
 * faults without TCR_EL1.HD); without hardware A/D management an access to an old leaf
 * or a write to a clean one faults, for the caller to set the bit again. pt_protect keeps
 * the state. Validated first: -PT_EINVAL for other bits, or when the format's decode
 * does not read the result back as asked; then nothing changed and g->err_va names the
 * leaf. Setting needs no TLB flush; clearing adds the leaf's range to g.
 */
int pt_set_accessed(struct pt_mm *mm, uint64_t va, uint64_t size, uint32_t set, uint32_t clear,
		    struct pt_gather *g);

#endif
