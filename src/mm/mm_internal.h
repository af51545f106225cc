/* SPDX-License-Identifier: MIT */
/* Shared by the files of src/mm: lock-held helpers and the RCU / TSan glue. */
#ifndef PTKIT_MM_INTERNAL_H
#define PTKIT_MM_INTERNAL_H

#include "ptkit/mm.h"

#if defined(__SANITIZE_THREAD__)
#define MM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MM_TSAN 1
#endif
#endif

/*
 * liburcu's grace periods are invisible to ThreadSanitizer (the library is not
 * instrumented): a reader releases this token before rcu_read_unlock, the writer
 * acquires it after synchronize_rcu, which is exactly the ordering RCU guarantees.
 */
#ifdef MM_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define MM_TSAN_RELEASE(p) __tsan_release(p)
#define MM_TSAN_ACQUIRE(p) __tsan_acquire(p)
#else
#define MM_TSAN_RELEASE(p) ((void)(p))
#define MM_TSAN_ACQUIRE(p) ((void)(p))
#endif

/*
 * Everything declared below is the library's own: not exported from libptkit.so. (Not
 * the TSan runtime's functions above: hidden, they would have to be defined here.)
 */
#pragma GCC visibility push(hidden)

/* Tables: the table memory the tree sees (frees deferred past a grace period). */
void mm__tables_init(struct mm *mm, struct pt_mem *tables);

/*
 * Every public call that takes the lock: mm__enter (clears the thread's last error, locks;
 * dies when the thread already holds this mm's lock), mm__leave (unlocks, returns err
 * after making sure a failure has a reason). Without the lock: mm__begin / mm__end.
 */
void mm__enter(struct mm *mm, const char *call);
int mm__leave(struct mm *mm, int err);
void mm__begin(const char *call);
int mm__end(int err);
bool mm__held(const struct mm *mm);
/* Report a broken locking rule on stderr and abort. */
_Noreturn void mm__die(const char *call, const char *what);
/* Dies unless the calling thread holds mm's lock (the lock-held entry points). */
void mm__assert_held(const struct mm *mm, const char *call);
/* Record why the running call fails (mm_last_error) and return err. */
int mm__fail(int err, uint64_t va, const char *why);

/* VMAs (vma.c; lock held). */
unsigned mm__vma_index(const struct mm *mm, uint64_t va); /* first VMA ending above va */
int mm__vma_insert(struct mm *mm, unsigned at, const struct mm_vma *v);
int mm__vma_split(struct mm *mm, uint64_t va); /* make va a VMA boundary */
void mm__vma_merge(struct mm *mm);
int mm__vma_reserve(struct mm *mm, unsigned more);
bool mm__range_ok(const struct mm *mm, uint64_t start, uint64_t size);
int mm__hugetlb_cut(struct mm *mm, uint64_t b);

void mm__rcu_read_lock(void);
void mm__rcu_read_unlock(struct mm *mm);

/* A gather whose freed tables wait for a grace period (free_table hook; lock held). */
void mm__gather_init(struct mm *mm, struct pt_gather *g);
/* Free the tables the tree gave back, after one grace period (lock held). */
void mm__sync_tables(struct mm *mm);
/* Unmap [start, end), dropping the folio mappings (lock held; VMAs untouched). */
int mm__zap_locked(struct mm *mm, uint64_t start, uint64_t end);

/*
 * Tests only: when set, GUP-fast calls it between reading a folio's head (its order
 * included) and taking its reference, the window a concurrent split or free can use.
 * Set it before any GUP-fast runs; NULL costs one predictable branch.
 */
extern void (*mm__gup_fast_hook)(void);

static inline uint64_t mm__min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}
static inline uint64_t mm__max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

#pragma GCC visibility pop

#endif
