/* SPDX-License-Identifier: MIT */
/*
 * ptkit mm: an address space on top of one table tree — VMAs, a page-frame database
 * (refcounts, pins, folios of any order), get_user_pages (slow, and lockless fast),
 * follow_pfnmap and a VMA-aware walk_page_range. Hosted: pthreads and liburcu.
 *
 * Locking rules (checked: breaking one prints "ptkit mm: CALL: ..." and aborts, where
 * the plain code would deadlock or corrupt):
 *  - One mutex per struct mm, not recursive. These calls take it and drop it before
 *    returning: mm_mmap, mm_munmap, mm_zap, mm_mprotect, mm_split_huge, mm_fini,
 *    mm_fork (the parent's, then the child's),
 *    get_user_pages (and get_user_pages_fast when it falls back to it).
 *  - These hold it while your code runs: mm_walk_vmas (during its callbacks), a fault
 *    handler passed to get_user_pages (during the call), follow_pfnmap_start (until
 *    follow_pfnmap_end, on success only). mm_lock / mm_unlock take it explicitly.
 *  - With the lock held (in those callbacks, between follow_pfnmap_start and _end, or after
 *    mm_lock) call only the lock-held functions — mm_find_vma, mm_map_folio,
 *    mm_fault_default — the walker on mm->pt, and get_user_pages_fast_only. Any call that
 *    takes the lock of the same mm from the same thread aborts; a lock-held function called
 *    without the lock aborts too.
 *  - get_user_pages_fast_only takes no lock: it runs inside an RCU read-side section, and
 *    every table a change unlinks waits for a grace period (liburcu synchronize_rcu, run
 *    with the mm lock held) before it goes back to the table memory. A thread that calls
 *    get_user_pages_fast* must first call mm_rcu_register_thread(). A change that frees
 *    tables called inside an RCU read-side section of your own aborts (it would wait for
 *    itself).
 *  - mm_fini: no other thread may use the mm any more.
 * Errors: every mm_* call that fails (and get_user_pages* when it stops short) says why in
 * mm_last_error(), per thread.
 */
#ifndef PTKIT_MM_H
#define PTKIT_MM_H

#include <pthread.h>

#include "ops.h"
#include "walk.h"

/* ---- page-frame database -------------------------------------------------------------- */

/* What FOLL_PIN adds to a small folio's refcount (Linux GUP_PIN_COUNTING_BIAS). */
#define MM_PIN_BIAS 1024u

enum mm_page_flags {
	MM_PG_HEAD = 1u << 0, /* first frame of an allocated folio; order is valid */
	MM_PG_FREE = 1u << 1, /* first frame of a free buddy block; order is valid */
	MM_PG_FILE = 1u << 2, /* folio belongs to a file-like (shared) mapping */
	/*
	 * Anonymous folio that only one address space maps (Linux PageAnonExclusive, kept per
	 * folio): a write fault makes its read-only leaf writable in place whatever its
	 * refcount, so a pin keeps seeing what the process writes. Set when a fault maps a new
	 * anonymous folio (and when a write fault finds itself its only user); cleared by
	 * mm_fork when it shares the folio. Changed with atomic or / and.
	 */
	MM_PG_ANON_EXCL = 1u << 3,
};

/*
 * The descriptor of a folio (or free buddy block): only heads exist as state, tails are
 * computed (a frame finds its head by pfn arithmetic: the smallest naturally aligned
 * block around it whose head covers it), so a 512G or 256T folio costs one descriptor,
 * not 2^N. refcount, pincount, flags and order are read locklessly by GUP-fast (atomics).
 */
struct mm_page {
	uint32_t refcount; /* allocation/mapping ref + FOLL_GET refs + pins (see MM_PIN_BIAS) */
	uint32_t pincount; /* pins, counted on the head of every folio */
	uint32_t flags;	   /* enum mm_page_flags (atomic) */
	uint32_t order;	   /* folio (or free block) spans 2^order frames */
	uint64_t mapcount; /* frames of the folio mapped by leaves, in every address space */
	uint64_t pfn;	   /* frame index from the region's base (heads and free blocks) */
	struct mm_page *next, *prev; /* buddy free lists (private) */
};

/*
 * The frames [base, base + size) that folios are allocated from (frame = 2^page_shift
 * bytes). Not the table memory: tables live in the struct pt_mem given to mm_init.
 *
 * Sparse: the region is cut into sections of 2^sect_order frames. A block of order
 * >= sect_order is described by one entry of big[] (its section's); smaller blocks by
 * the per-frame array of their section, created the first time a block of that section
 * is split that small (and kept until fini, so lockless readers never see it freed).
 * A terabyte-sized region therefore costs only its big[] array until small folios are
 * carved from it.
 */
struct mm_pfdb {
	uint64_t base, size;
	unsigned page_shift;
	unsigned max_order;    /* largest folio: 2^max_order frames */
	unsigned sect_order;   /* frames per section: 2^sect_order */
	uint64_t nr;	       /* frames */
	uint64_t nr_sect;      /* sections */
	struct mm_page **sect; /* per section: 2^sect_order descriptors, or NULL (atomic) */
	struct mm_page *big;   /* per section: its block of order >= sect_order, if any */
	pthread_mutex_t lock;  /* the buddy allocator (folios may be freed by any thread) */
	struct mm_page *free_head[64];
	uint64_t folios_live, folios_alloced; /* counters (under lock) */
	uint64_t sections_live;		      /* per-frame arrays created (under lock) */
};

/*
 * Describe [base, base+size) at 2^page_shift-byte frames; base and size must be aligned
 * to the largest folio wanted (size a power of two is simplest). Up to 2^48 frames: the
 * PAs are only numbers, no memory backs them. 0, -PT_EINVAL, -PT_ENOMEM.
 */
int mm_pfdb_init(struct mm_pfdb *db, uint64_t base, uint64_t size, unsigned page_shift);
void mm_pfdb_fini(struct mm_pfdb *db);
/* Allocate a folio of 2^order frames, naturally aligned, refcount 1. 0 or -PT_ENOMEM. */
int mm_folio_alloc(struct mm_pfdb *db, unsigned order, uint32_t flags, uint64_t *pa);
/* The descriptor of the folio head containing pa, or NULL (outside, or a free frame). */
struct mm_page *mm_folio_of(struct mm_pfdb *db, uint64_t pa, uint64_t *head_pa);
/* Physical address of a descriptor's frame. */
uint64_t mm_page_pa(const struct mm_pfdb *db, const struct mm_page *pg);
/* Take `refs` references; unconditional (caller already holds one). */
void mm_folio_get(struct mm_page *head, uint32_t refs);
/* Drop `refs` references, freeing the folio when none remain. */
void mm_folio_put(struct mm_pfdb *db, struct mm_page *head, uint32_t refs);
/* Pinned (maybe DMA-pinned, like folio_maybe_dma_pinned)? */
bool mm_folio_pinned(const struct mm_page *head);
/*
 * Splitting a folio into folios of 2^new_order frames, in two steps so the caller can
 * stop between them: prepare allocates what the split needs (0, -PT_EINVAL when new_order
 * is not smaller, -PT_ENOMEM; nothing changes); commit cannot fail. Commit expects the
 * folio frozen (refcount 0: no reference but the mapping's, which the caller took away)
 * and fully mapped; every new folio gets refcount 1 and mapcount 2^new_order.
 */
int mm_folio_split_prepare(struct mm_pfdb *db, struct mm_page *head, unsigned new_order);
void mm_folio_split_commit(struct mm_pfdb *db, struct mm_page *head, unsigned new_order);

/* ---- address space ----------------------------------------------------------------------- */

enum mm_vma_kind {
	MM_VMA_ANON,	/* private: write to a read-only leaf copies the folio (COW) */
	MM_VMA_FILE,	/* shared: write to a read-only leaf makes it writable + dirty */
	MM_VMA_HUGETLB, /* shared, folios of vma->page_size (any leaf size the format has) */
	MM_VMA_PFNMAP,	/* PFN / IO map: leaves marked PT_SPECIAL, no page descriptors */
};

struct mm_vma {
	uint64_t start, end; /* [start, end) */
	enum mm_vma_kind kind;
	uint32_t prot;	    /* PT_R/W/X/USER/... the VMA allows */
	uint64_t page_size; /* folio size faults allocate (PFNMAP: largest leaf used) */
	uint64_t pfn_pa;    /* PFNMAP: physical address mapped at start */
};

struct mm;
/*
 * Fault handler for get_user_pages: make va present (and writable when foll has
 * FOLL_WRITE). Called with the mm lock held. 0, or a negative PT_E* code.
 */
typedef int (*mm_fault_fn)(struct mm *mm, const struct mm_vma *vma, uint64_t va, unsigned foll,
			   void *priv);

struct mm {
	struct pt_mm pt;       /* the tree: changed only under lock */
	struct pt_mm view;     /* immutable copy of pt for lockless readers (gen never moves) */
	struct pt_mem mem;     /* table memory seen by the tree (unlinked tables: see deferred) */
	struct pt_mem *tables; /* the table memory given to mm_init */
	struct mm_pfdb *pfdb;
	pthread_mutex_t lock;
	struct mm_vma *vmas; /* sorted by start, disjoint */
	unsigned nr_vmas, cap_vmas;
	struct {
		uint64_t pa, size;
	} * deferred; /* tables waiting for a grace period */
	unsigned nr_deferred, cap_deferred;
	uint64_t page_size; /* the format's smallest page: GUP's unit */
	/* statistics (faults, grace periods under lock; the gup_fast ones atomic) */
	uint64_t faults, grace_periods, tables_deferred;
	uint64_t gup_fast_pages, gup_fast_backoffs;
	/*
	 * Optional (set after mm_init): invalidate this address space's TLB entries as f
	 * describes (flush_tlb_range). Every change of the tree calls it through its gather,
	 * from inside the change when f->why is not PT_FLUSH_END; always with the mm lock held.
	 * Tables and folios are released only after it returned. tlb_priv is the caller's.
	 */
	void (*tlb_flush)(struct mm *mm, const struct pt_flush *f);
	void *tlb_priv;
	/*
	 * Optional: copy the contents of [src, src+size) to [dst, dst+size) (frames of the
	 * pfdb), called when this address space gets a copy of a page: a copy-on-write fault,
	 * mm_fork's eager copy of a pinned page (the child's hook). The PAs are numbers; only
	 * the caller knows what memory backs them. Lock held.
	 */
	void (*copy_page)(struct mm *mm, uint64_t dst, uint64_t src, uint64_t size);
	/*
	 * Odd while mm_fork write-protects this address space (Linux write_protect_seq):
	 * GUP-fast does not pin then, and drops the pins it took when the count moved meanwhile,
	 * so no pin escapes fork's check for pinned pages.
	 */
	uint64_t write_protect_seq;
};

/*
 * Why the calling thread's last mm_* call failed: err (0: it did not), the address the
 * reason names, a sentence, and the call's name. Per thread and cleared when a call starts,
 * so calls on other threads never change it; valid until this thread's next mm_* call.
 * get_user_pages and its variants record here why they stopped short, also when they
 * return a partial count.
 */
struct mm_error {
	int err;
	uint64_t va;
	const char *why;
	const char *call;
};
const struct mm_error *mm_last_error(void);

/* A folio that cannot be split because someone else holds it: the same code as PT_EBUSY. */
#define MM_EBUSY PT_EBUSY
/* Text for a PT_E* code (positive or negative); the same as pt_strerror. */
const char *mm_strerror(int err);

/* Create an empty address space over table memory `tables` and frames `pfdb`. */
int mm_init(struct mm *mm, const struct pt_format *fmt, struct pt_mem *tables,
	    struct mm_pfdb *pfdb);
/* Unmap everything (dropping folio references), free every table. No reader may run. */
void mm_fini(struct mm *mm);
void mm_lock(struct mm *mm);
void mm_unlock(struct mm *mm);
/* liburcu read-side registration for threads calling get_user_pages_fast(). */
void mm_rcu_register_thread(void);
void mm_rcu_unregister_thread(void);

/*
 * Add a VMA [start, start+size). Nothing is mapped, except for MM_VMA_PFNMAP, which maps
 * [pfn_pa, pfn_pa+size) at once with the largest leaves alignment allows (up to
 * page_size when nonzero). start/size aligned to page_size (default: the format's
 * smallest page). -PT_EINVAL (alignment, size not a leaf size of the format),
 * -PT_EEXIST (overlap), -PT_ENOMEM, -PT_ERANGE.
 */
int mm_mmap(struct mm *mm, const struct mm_vma *vma);
/* Remove the VMAs (or parts of them) in [start, start+size) and everything mapped there. */
int mm_munmap(struct mm *mm, uint64_t start, uint64_t size);
/*
 * Unmap the pages in [start, start+size) but keep the VMAs (MADV_DONTNEED). A huge leaf
 * partly covered is split (its folio stays whole, partly mapped, like Linux's deferred
 * split); -PT_EINVAL when the range cuts a hugetlb page (mm_last_error says so).
 */
int mm_zap(struct mm *mm, uint64_t start, uint64_t size);
/*
 * Change the VMAs' and the present leaves' protection (a clean read-only leaf stays
 * read-only: the next write faults). prot without PT_R, PT_W and PT_X is PROT_NONE: the
 * leaves stay mapped (folio, size, young / dirty kept) but every access faults, and a
 * later mprotect gives them their rights back without a fault-in. All or nothing: first checked
 * (-PT_EINVAL bad prot or a hugetlb page cut; -PT_ENOENT part of the range has no VMA), then the
 * huge leaves straddling the two edges are split (-PT_ENOMEM: those splits are undone), then the
 * change is committed by steps that cannot fail. On error mm_last_error() says what was wrong.
 */
int mm_mprotect(struct mm *mm, uint64_t start, uint64_t size, uint32_t prot);
/*
 * Split the huge folio mapped at va (split_folio): its leaf (a plain huge leaf, or a
 * contiguous / NAPOT group) becomes leaves one step smaller (next level down, or the
 * group's members) and the folio becomes folios of that size, each with its mapping
 * reference. The leaf must map the whole folio. -PT_EINVAL: hugetlb (cannot be split,
 * as in Linux), PFN map, smallest page, or partly mapped folio; -PT_ENOENT: not mapped;
 * -MM_EBUSY: the folio is pinned or has references besides its mapping (GUP-fast
 * readers racing with the split are refused by a refcount freeze); -PT_ENOMEM. On error
 * nothing changed.
 */
int mm_split_huge(struct mm *mm, uint64_t va);
/* The VMA containing va, or NULL. Call with the lock held; valid until it is dropped. */
const struct mm_vma *mm_find_vma(struct mm *mm, uint64_t va);

/*
 * The default fault handler (lock held): an absent page gets a new folio of
 * vma->page_size (anonymous: exclusive), mapped read-only on a read fault (so the first
 * write faults again, like Linux dirty tracking) and writable+dirty on a write fault; a
 * write to a read-only leaf in a writable VMA upgrades it in place (FILE/HUGETLB, and an
 * exclusive anonymous folio whatever its refcount: pins stay valid) or copies it (ANON
 * COW: a folio fork shared, unless the leaf maps all of it and nothing else holds it,
 * which makes it exclusive again). FOLL_UNSHARE does the same without making the leaf
 * writable. -PT_EFAULT when the VMA forbids the access (a write without PT_W;
 * any access to a PROT_NONE VMA).
 */
int mm_fault_default(struct mm *mm, const struct mm_vma *vma, uint64_t va, unsigned foll,
		     void *priv);
/* Map a folio (already allocated, its reference passes to the mapping) at va (lock held). */
int mm_map_folio(struct mm *mm, uint64_t va, uint64_t pa, uint64_t size, uint32_t prot);

/*
 * fork: make child, an address space fresh from mm_init (own table memory, the same
 * format and pfdb, no VMA yet), a copy of parent as Linux's copy_page_range does. The
 * VMAs are copied; every leaf is mapped again at the same size (huge leaves at any level,
 * contiguous / NAPOT groups stay groups). Anonymous pages are shared read-only in both
 * (the parent's writable leaves are write-protected and flushed; the folios stop being
 * exclusive, so the next write in either copies or, for the last user, reuses); an
 * anonymous page the parent has pinned is copied for the child at once, so the parent's
 * leaf stays writable on the pinned page (Linux page_needs_cow_for_dma). File and hugetlb
 * pages are shared as they are (writable stays writable), PFN maps copied as PFN maps.
 * The folios' mapcount counts the child's leaves too. The child keeps the hooks its
 * caller set (tlb_flush, copy_page). Takes both locks (parent first).
 * 0; -PT_EINVAL (child not empty, other format or pfdb), -PT_ENOMEM (tables, frames for
 * a copy, host memory): then the child is empty again (still to be mm_fini'd) and the
 * parent exactly as before. mm_last_error() says why.
 */
int mm_fork(struct mm *child, struct mm *parent);

/* ---- get_user_pages ------------------------------------------------------------------- */

enum mm_foll {
	FOLL_WRITE = 1u << 0,	 /* the caller will write: the leaf must be writable */
	FOLL_GET = 1u << 1,	 /* take a reference per page (default without FOLL_PIN) */
	FOLL_PIN = 1u << 2,	 /* pin (MM_PIN_BIAS / pincount); release with unpin_user_pages */
	FOLL_LONGTERM = 1u << 3, /* long-term pin: refused on PFN maps and shared file writes */
	FOLL_NOFAULT = 1u << 4,	 /* never call the fault handler: stop at the first hole */
	/*
	 * Not for callers: get_user_pages passes it to the fault handler to pin an anonymous
	 * page that is not exclusive (mm_fork shares it): replace it by a private copy, or take
	 * it back when no one else maps it, without making the leaf writable (Linux
	 * FAULT_FLAG_UNSHARE).
	 */
	FOLL_UNSHARE = 1u << 5,
};

/*
 * Reference or pin nr_pages pages from start (units of mm->page_size), writing the PA
 * of each page to pas[]. For each address the leaf is sought; a hole, or a read-only
 * leaf under FOLL_WRITE, goes through `fault` (NULL: mm_fault_default) unless
 * FOLL_NOFAULT; so does, with FOLL_UNSHARE, a read-only leaf of an anonymous page that is
 * not exclusive under FOLL_PIN (a pin is only taken on a page the process owns).
 * All pages of one leaf are taken in one step. pas NULL (and neither
 * FOLL_GET nor FOLL_PIN): fault the pages in only. Returns the number of pages
 * taken (stops early at the first failure), or the error when it is the first page:
 * -PT_EFAULT (no VMA, PFN map, refused access), -PT_EINVAL (bad flags), fault errors.
 *
 * Rights (Linux check_vma_flags and pte_access_permitted), each refusal -PT_EFAULT with
 * the reason in mm_last_error(): FOLL_WRITE needs a VMA with PT_W, any other access a VMA
 * with PT_R (so a PROT_NONE VMA refuses everything); a PROT_NONE leaf (pt_prot_none) is
 * refused, not faulted in again; in a VMA with PT_USER a leaf without PT_USER (a page only
 * the kernel may touch) is refused. A VMA without PT_USER is kernel-style memory: its
 * leaves need not have PT_USER here, but get_user_pages_fast_only refuses them.
 */
long get_user_pages(struct mm *mm, uint64_t start, unsigned long nr_pages, unsigned foll,
		    uint64_t *pas, mm_fault_fn fault, void *priv);
/*
 * Lockless: no lock, no VMA, no fault. Stops at a hole, a special (PFN-map) leaf, a
 * PROT_NONE leaf, a leaf without PT_USER (no VMA to say the address is not user memory:
 * the leaf decides, as Linux's pte_access_permitted), a read-only leaf under FOLL_WRITE,
 * a read-only leaf of a shared (not exclusive) anonymous page under FOLL_PIN (the slow
 * path unshares it first), or when the entry changed under it (references dropped again).
 * FOLL_PIN takes nothing while mm_fork runs, and gives back what it took when a fork ran
 * meanwhile. Returns the pages taken (0..nr_pages).
 */
long get_user_pages_fast_only(struct mm *mm, uint64_t start, unsigned long nr_pages, unsigned foll,
			      uint64_t *pas);
/* get_user_pages_fast_only, then get_user_pages for the rest. */
long get_user_pages_fast(struct mm *mm, uint64_t start, unsigned long nr_pages, unsigned foll,
			 uint64_t *pas, mm_fault_fn fault, void *priv);
/* Release pages taken with FOLL_PIN. */
void unpin_user_pages(struct mm *mm, const uint64_t *pas, unsigned long nr_pages);
/* Release pages taken with FOLL_GET. */
void put_user_pages(struct mm *mm, const uint64_t *pas, unsigned long nr_pages);

/* ---- follow_pfnmap ---------------------------------------------------------------------- */

struct follow_pfnmap_args {
	uint64_t pfn;	    /* frame number of va (units of mm->page_size) */
	uint64_t pa;	    /* physical address of va */
	uint64_t addr_mask; /* ~(leaf size - 1): the whole leaf can be mapped in one step */
	uint32_t prot;	    /* PT_* of the leaf */
	bool writable, special;
};

/*
 * Look up va in a PFN-map VMA: takes the mm lock and keeps it until follow_pfnmap_end.
 * 0 (lock held), -PT_EINVAL (not a PFN map), -PT_ENOENT (not mapped); on error the lock
 * is released.
 */
int follow_pfnmap_start(struct mm *mm, uint64_t va, struct follow_pfnmap_args *args);
void follow_pfnmap_end(struct mm *mm);

/* ---- walking VMAs ------------------------------------------------------------------------ */

struct mm_vma_walk_ops {
	/* Optional: 0 walk this VMA, MM_WALK_SKIP skip it, negative: stop with that error. */
	int (*test_walk)(uint64_t start, uint64_t end, const struct mm_vma *vma, void *priv);
	/* A present leaf at any level (see struct mm_walk_ops). */
	int (*leaf_entry)(struct mm_walk_state *st, const struct mm_vma *vma, void *priv);
	/* [start, end) unmapped; vma NULL (and level -1) for a gap between VMAs. */
	int (*hole)(uint64_t start, uint64_t end, int level, const struct mm_vma *vma, void *priv);
};

/*
 * walk_page_range over the VMAs in [start, end): test_walk per VMA, then leaf_entry and
 * hole in address order. Takes the mm lock. Returns 0 or the first negative value.
 */
int mm_walk_vmas(struct mm *mm, uint64_t start, uint64_t end, const struct mm_vma_walk_ops *ops,
		 void *priv);

#endif
