/* SPDX-License-Identifier: MIT */
/* struct pt_gather: what a mutation owes the TLB and the allocator. */
#include <ptkit/ops.h>

void pt_gather_init(struct pt_gather *g, struct pt_mm *mm)
{
	g->mm = mm;
	g->pending = false;
	g->start = g->last = 0;
	g->nr_free = 0;
	g->flush = 0;
	g->free_table = 0;
	g->priv = 0;
	g->err_va = 0;
	g->tables_alloced = g->tables_freed = g->flushes = 0;
}

void pt_gather_flush(struct pt_gather *g)
{
	struct pt_mem *m = g->mm->mem;

	if (g->pending) {
		if (g->flush)
			g->flush(g, g->start, g->last);
		g->flushes++;
		g->pending = false;
	}
	/* TLB clean: the tables may go now (or, with free_table, after readers left them). */
	for (unsigned i = 0; i < g->nr_free; i++) {
		if (g->free_table)
			g->free_table(g, g->free[i].pa, g->free[i].size);
		else
			m->free(m, g->free[i].pa, g->free[i].size);
	}
	g->tables_freed += g->nr_free;
	g->nr_free = 0;
}

void pt_gather_free(struct pt_gather *g, uint64_t pa, uint64_t size)
{
	if (g->nr_free == PT_GATHER_BATCH)
		pt_gather_flush(g);
	g->free[g->nr_free].pa = pa;
	g->free[g->nr_free].size = size;
	g->nr_free++;
}

void pt_gather_range(struct pt_gather *g, uint64_t first, uint64_t last)
{
	if (!g->pending || first < g->start)
		g->start = first;
	if (!g->pending || last > g->last)
		g->last = last;
	g->pending = true;
}
