/* SPDX-License-Identifier: MIT */
/* struct pt_gather: what a mutation owes the TLB and the allocator. */
#include <ptkit/ops.h>

void pt_gather_init(struct pt_gather *g, struct pt_mm *mm)
{
	g->mm = mm;
	g->pending = false;
	g->start = g->last = 0;
	g->leaf_levels = g->table_levels = 0;
	g->nr_free = 0;
	g->flush = 0;
	g->free_table = 0;
	g->unmapped = 0;
	g->priv = 0;
	g->err_va = 0;
	g->tables_alloced = g->tables_freed = g->flushes = 0;
}

static void flush_owed(struct pt_gather *g, enum pt_flush_why why)
{
	if (g->pending) {
		const struct pt_flush f = { .start = g->start,
					    .last = g->last,
					    .why = why,
					    .leaf_levels = g->leaf_levels,
					    .table_levels = g->table_levels,
					    .nr_free = g->nr_free };

		if (g->flush)
			g->flush(g, &f);
		g->flushes++;
		g->pending = false;
		g->leaf_levels = g->table_levels = 0;
	}
}

/* Free the gathered tables (the TLB no longer holds walks through them). */
static void free_gathered(struct pt_gather *g)
{
	struct pt_mem *m = g->mm->mem;

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

void pt_gather_flush(struct pt_gather *g)
{
	flush_owed(g, PT_FLUSH_END);
	free_gathered(g);
}

void pt_gather_free(struct pt_gather *g, uint64_t pa, uint64_t size)
{
	if (g->nr_free == PT_GATHER_BATCH) {
		flush_owed(g, PT_FLUSH_BATCH);
		free_gathered(g);
	}
	g->free[g->nr_free].pa = pa;
	g->free[g->nr_free].size = size;
	g->nr_free++;
}

void pt_gather_now(struct pt_gather *g, uint64_t first, uint64_t last, enum pt_flush_why why,
		   uint64_t what)
{
	const struct pt_flush f = { .start = first,
				    .last = last,
				    .why = why,
				    .leaf_levels = (uint32_t)what,
				    .table_levels = (uint32_t)(what >> 32),
				    .nr_free = 0 };

	if (g->flush)
		g->flush(g, &f);
	g->flushes++;
}
