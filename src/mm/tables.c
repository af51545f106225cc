// SPDX-License-Identifier: MIT
/*
 * Table memory of an address space: allocation passes through (re-zeroed atomically),
 * frees of unlinked tables wait for an RCU grace period; the gather that connects a
 * change of the tree to them and to the address space's TLB flush.
 */
#include <stdlib.h>
#include <urcu/urcu-memb.h>

#include "mm_internal.h"

/* ---- RCU ------------------------------------------------------------------------------- */

void mm_rcu_register_thread(void)
{
	urcu_memb_register_thread();
}
void mm_rcu_unregister_thread(void)
{
	urcu_memb_unregister_thread();
}
void mm__rcu_read_lock(void)
{
	urcu_memb_read_lock();
}

void mm__rcu_read_unlock(struct mm *mm)
{
	MM_TSAN_RELEASE(&mm->view);
	urcu_memb_read_unlock();
}

/*
 * A new table passes through as the allocator made it: zeroed with plain stores, it is
 * linked by a release store of its parent entry, and lockless readers follow table
 * entries only with acquire loads (pt_load_raw64 under fmt_load, pt_entry_load; the
 * walker's relaxed loads step through leaves of a table it already reached), so a reader
 * that sees the link sees the zeroes.
 */
static int mem_alloc(struct pt_mem *mem, uint64_t size, uint64_t *pa)
{
	struct mm *mm = mem->priv;

	return mm->tables->alloc(mm->tables, size, pa);
}

/* Never-linked tables (a failed mutation's spares) and mm_fini's teardown: no reader. */
static void mem_free(struct pt_mem *mem, uint64_t pa, uint64_t size)
{
	struct mm *mm = mem->priv;

	mm->tables->free(mm->tables, pa, size);
}

/* A grace period waited for inside a read-side section would never end. */
static void grace_period_allowed(void)
{
	if (urcu_memb_read_ongoing())
		mm__die("mm", "a change that frees tables was called inside an RCU read-side "
			      "section (it waits for a grace period)");
}

/*
 * The gather's deferred-free hook: tables unlinked by a mutation wait here until the
 * next mm__sync_tables() has waited for a grace period (call_rcu in spirit; batched so
 * one synchronize_rcu covers every table of a call).
 */
static void defer_table(struct pt_gather *g, uint64_t pa, uint64_t size)
{
	struct mm *mm = g->priv;

	if (mm->nr_deferred == mm->cap_deferred) {
		unsigned cap = mm->cap_deferred ? 2 * mm->cap_deferred : 64;
		void *n = realloc(mm->deferred, cap * sizeof(*mm->deferred));
		if (!n) { /* no room to defer: wait for readers now */
			grace_period_allowed();
			urcu_memb_synchronize_rcu();
			MM_TSAN_ACQUIRE(&mm->view);
			mm->grace_periods++;
			mm->tables->free(mm->tables, pa, size);
			return;
		}
		mm->deferred = n;
		mm->cap_deferred = cap;
	}
	mm->deferred[mm->nr_deferred].pa = pa;
	mm->deferred[mm->nr_deferred].size = size;
	mm->nr_deferred++;
	mm->tables_deferred++;
}

/* The gather's flush hook: the address space's own (struct mm.tlb_flush). */
static void tlb_flush(struct pt_gather *g, const struct pt_flush *f)
{
	struct mm *mm = g->priv;

	if (mm->tlb_flush)
		mm->tlb_flush(mm, f);
}

void mm__gather_init(struct mm *mm, struct pt_gather *g)
{
	pt_gather_init(g, &mm->pt);
	g->flush = tlb_flush;
	g->free_table = defer_table;
	g->priv = mm;
}

void mm__sync_tables(struct mm *mm)
{
	if (!mm->nr_deferred)
		return;
	grace_period_allowed();
	urcu_memb_synchronize_rcu();
	MM_TSAN_ACQUIRE(&mm->view);
	mm->grace_periods++;
	for (unsigned i = 0; i < mm->nr_deferred; i++)
		mm->tables->free(mm->tables, mm->deferred[i].pa, mm->deferred[i].size);
	mm->nr_deferred = 0;
}

void mm__tables_init(struct mm *mm, struct pt_mem *tables)
{
	mm->tables = tables;
	mm->mem = *tables;
	mm->mem.alloc = mem_alloc;
	mm->mem.free = mem_free;
	mm->mem.observe = NULL;
	mm->mem.priv = mm;
}
