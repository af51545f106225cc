// SPDX-License-Identifier: MIT
/* The address space object: creation, teardown, its lock, and why a call failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm_internal.h"

int mm_init(struct mm *mm, const struct pt_format *fmt, struct pt_mem *tables, struct mm_pfdb *pfdb)
{
	int err;

	memset(mm, 0, sizeof(*mm));
	if (!tables->alloc || (1ull << pfdb->page_shift) != pt_level_size(fmt, 0))
		return -PT_EINVAL;
	mm->pfdb = pfdb;
	mm->page_size = pt_level_size(fmt, 0);
	mm__tables_init(mm, tables);
	err = pt_mm_init(&mm->pt, fmt, &mm->mem);
	if (err)
		return err;
	mm->view = mm->pt;
	pthread_mutex_init(&mm->lock, NULL);
	return 0;
}

void mm_fini(struct mm *mm)
{
	mm__enter(mm, "mm_fini");
	for (unsigned i = 0; i < mm->nr_vmas; i++)
		mm__zap_locked(mm, mm->vmas[i].start, mm->vmas[i].end);
	pt_mm_destroy(&mm->pt);
	mm__sync_tables(mm);
	mm__leave(mm, 0);
	pthread_mutex_destroy(&mm->lock);
	free(mm->vmas);
	free(mm->deferred);
	mm->vmas = NULL;
	mm->deferred = NULL;
	mm->nr_vmas = mm->cap_vmas = mm->nr_deferred = mm->cap_deferred = 0;
}

/*
 * The lock rules (include/ptkit/mm.h) are checked on every entry: each thread keeps the
 * address spaces whose lock it holds, so a call that would wait for a lock its own thread
 * holds (an mm_* call from an mm_walk_vmas callback, between follow_pfnmap_start and _end,
 * or from a fault handler) stops the program with a message instead of hanging it.
 */
#define MM_HELD_MAX 8
static _Thread_local struct {
	const struct mm *held[MM_HELD_MAX];
	unsigned nr_held;
	const char *call; /* the mm_* call running on this thread (for its error) */
	struct mm_error last;
} mm_self;

_Noreturn void mm__die(const char *call, const char *what)
{
	fprintf(stderr, "ptkit mm: %s: %s\n", call, what);
	abort();
}

bool mm__held(const struct mm *mm)
{
	for (unsigned i = 0; i < mm_self.nr_held; i++)
		if (mm_self.held[i] == mm)
			return true;
	return false;
}

static void lock_as(struct mm *mm, const char *call)
{
	if (mm__held(mm))
		mm__die(call,
			"this thread already holds the mm lock (a call from an mm_walk_vmas "
			"callback, between follow_pfnmap_start and _end, or from a fault handler?)");
	if (mm_self.nr_held == MM_HELD_MAX)
		mm__die(call, "this thread holds too many mm locks");
	pthread_mutex_lock(&mm->lock);
	mm_self.held[mm_self.nr_held++] = mm;
}

static void unlock_as(struct mm *mm, const char *call)
{
	for (unsigned i = mm_self.nr_held; i-- > 0;)
		if (mm_self.held[i] == mm) {
			mm_self.held[i] = mm_self.held[--mm_self.nr_held];
			pthread_mutex_unlock(&mm->lock);
			return;
		}
	mm__die(call, "the mm lock is not held by this thread");
}

void mm_lock(struct mm *mm)
{
	lock_as(mm, "mm_lock");
}

void mm_unlock(struct mm *mm)
{
	unlock_as(mm, "mm_unlock");
}

void mm__enter(struct mm *mm, const char *call)
{
	mm__begin(call);
	lock_as(mm, call);
}

int mm__leave(struct mm *mm, int err)
{
	unlock_as(mm, mm_self.call ? mm_self.call : "mm");
	return mm__end(err);
}

void mm__begin(const char *call)
{
	mm_self.call = call;
	mm_self.last = (struct mm_error){ 0 };
}

int mm__end(int err)
{
	if (err < 0 && !mm_self.last.err)
		mm__fail(err, 0, pt_strerror(err));
	return err;
}

void mm__assert_held(const struct mm *mm, const char *call)
{
	if (!mm__held(mm))
		mm__die(call,
			"needs the mm lock held by the calling thread (mm_lock, or a callback "
			"that runs under it)");
}

int mm__fail(int err, uint64_t va, const char *why)
{
	mm_self.last.err = err;
	mm_self.last.va = va;
	mm_self.last.why = why;
	mm_self.last.call = mm_self.call;
	return err;
}

const struct mm_error *mm_last_error(void)
{
	return &mm_self.last;
}

const char *mm_strerror(int err)
{
	return pt_strerror(err);
}
