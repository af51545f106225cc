/* SPDX-License-Identifier: MIT */
/*
 * Break-before-make: where the format needs it (arm64), a block split into a table and a
 * contiguous group losing its mark must pass through invalid entries that are flushed
 * before the new ones appear. The flush hook looks at the tree at that moment, and the
 * TLB model (tlb_model.h) checks every store and flush.
 */
#include "check.h"
#include "tlb_model.h"
#include <string.h>

#include <ptkit/mem.h>
#include <ptkit/ptkit.h>

struct seen {
	unsigned calls, invalid; /* mid-operation flushes; of them, breaks that saw no mapping */
	unsigned ends;		 /* PT_FLUSH_END flushes */
	unsigned batches;	 /* PT_FLUSH_BATCH flushes */
	struct pt_translation first; /* what `start` translated to at the first call */
	struct pt_flush mid, end;    /* the last of each */
};

/*
 * Every flush from inside an operation says why (issue 14, defect 8): at a break the
 * first address of the range must not translate; at an x86 split it still does.
 */
static void hook(struct pt_gather *g, const struct pt_flush *f)
{
	struct seen *s = g->priv;
	struct pt_translation tr;
	int rc;

	tlb_model_flush(tlb_model_of(g->mm->mem), f);
	if (f->why == PT_FLUSH_END) {
		s->ends++;
		s->end = *f;
		return;
	}
	if (f->why == PT_FLUSH_BATCH) { /* a full batch of tables, unlinked: they go now */
		s->batches++;
		CHECK_EQ(f->nr_free, PT_GATHER_BATCH);
		CHECK(f->table_levels != 0);
		CHECK_EQ(pt_translate(g->mm, f->start, &tr), -PT_ENOENT);
		return;
	}
	s->calls++;
	s->mid = *f;
	rc = pt_translate(g->mm, f->start, &tr);
	CHECK_EQ(rc == -PT_ENOENT, f->why == PT_FLUSH_BREAK);
	CHECK(f->why == PT_FLUSH_BREAK || f->why == PT_FLUSH_SPLIT);
	CHECK_EQ(f->nr_free, 0);
	if (rc == -PT_ENOENT)
		s->invalid++;
	else if (s->calls == 1)
		s->first = tr;
}

static void run(const char *name, bool bbm)
{
	const struct pt_format *f = pt_format_find(name);
	struct pt_arena a;
	struct pt_mm mm;
	struct pt_gather g;
	struct seen s;
	struct tlb_model t;
	struct pt_translation tr;
	uint64_t va = 0x40000000, pa = 0x80000000;

	memset(&s, 0, sizeof(s));
	CHECK(f != NULL);
	CHECK_EQ(pt_arena_init(&a, 0x100000, 16 << 20), 0);
	CHECK_EQ(pt_mm_init(&mm, f, &a.mem), 0);
	tlb_model_attach(&t, &mm);
	pt_gather_init(&g, &mm);
	g.flush = hook;
	g.priv = &s;

	/* A 2M block split by a 4K unmap. */
	struct pt_map_req blk = { .va = va, .pa = pa, .size = 2 << 20, .prot = PT_R | PT_W };
	CHECK_EQ(pt_map(&mm, &blk, &g), 0);
	CHECK_EQ(pt_translate(&mm, va, &tr), 0);
	CHECK_EQ(tr.size, 2 << 20);
	s.calls = s.invalid = 0;
	CHECK_EQ(pt_unmap(&mm, va + 0x1000, 0x1000, &g), 0);
	CHECK_EQ(s.invalid, bbm ? 1 : 0); /* the break flush saw the block gone */
	if (bbm) {			  /* the break is of one level-1 leaf (the block) */
		CHECK_EQ(s.mid.leaf_levels, 1u << 1);
		CHECK_EQ(s.mid.table_levels, 0);
		CHECK_EQ(s.mid.start, va);
		CHECK_EQ(s.mid.last, va + (2 << 20) - 1);
	}
	tlb_model_op_end(&t, &g);
	s.ends = 0;
	pt_gather_flush(&g);
	CHECK_EQ(s.ends, 1); /* the owed flush: the block, and the 4K page removed */
	CHECK_EQ(s.end.leaf_levels, 1u << 1 | 1u << 0);
	CHECK_EQ(s.end.table_levels, 0);
	CHECK_EQ(s.end.nr_free, 0);
	CHECK_EQ(pt_translate(&mm, va, &tr), 0);
	CHECK_EQ(tr.pa, pa);
	CHECK_EQ(pt_translate(&mm, va + 0x1000, &tr), -PT_ENOENT);

	/* A 64K contiguous group (arm64 4K granule) losing its mark to a 4K protect. */
	struct pt_map_req grp = {
		.va = va + (4 << 20), .pa = pa + (4 << 20), .size = 64 << 10, .prot = PT_R | PT_W
	};
	CHECK_EQ(pt_map(&mm, &grp, &g), 0);
	CHECK_EQ(pt_translate(&mm, grp.va, &tr), 0);
	CHECK_EQ(tr.group, bbm ? 64 << 10 : 4 << 10);
	s.calls = s.invalid = 0;
	CHECK_EQ(pt_protect(&mm, grp.va + 0x3000, 0x1000, PT_R, &g), 0);
	CHECK_EQ(s.invalid, bbm ? 1 : 0);
	tlb_model_op_end(&t, &g);
	pt_gather_flush(&g);
	for (uint64_t off = 0; off < (64 << 10); off += 0x1000) {
		CHECK_EQ(pt_translate(&mm, grp.va + off, &tr), 0);
		CHECK_EQ(tr.pa, grp.pa + off);
		CHECK_EQ(tr.group, tr.size); /* no member keeps the mark */
		CHECK_EQ(!!(tr.prot & PT_W), off != 0x3000);
	}

	/* A 2M block made Device (issue 14, defect 1): arm64 breaks, x86 changes in place. */
	struct pt_map_req dev = {
		.va = va + (8 << 20), .pa = pa + (8 << 20), .size = 2 << 20, .prot = PT_R | PT_W
	};
	CHECK_EQ(pt_map(&mm, &dev, &g), 0);
	tlb_model_op_end(&t, &g);
	pt_gather_flush(&g);
	s.calls = s.invalid = 0;
	CHECK_EQ(pt_protect(&mm, dev.va, dev.size, PT_R | PT_W | PT_DEVICE, &g), 0);
	CHECK_EQ(s.calls, bbm ? 1 : 0);
	CHECK_EQ(s.invalid, bbm ? 1 : 0);
	tlb_model_op_end(&t, &g);
	pt_gather_flush(&g);
	CHECK_EQ(pt_translate(&mm, dev.va, &tr), 0);
	CHECK_EQ(tr.size, 2 << 20);
	CHECK(tr.prot & PT_DEVICE);

	/*
	 * One 4K page of a 2M block made read-only (issue 14, defect 3): arm64 breaks the
	 * block; x86 links a table of 4K leaves with the block's attributes, flushes, then
	 * changes the page: at that flush the page is still writable.
	 */
	s.calls = s.invalid = 0;
	s.first.size = 0;
	CHECK_EQ(pt_protect(&mm, dev.va + 0x5000, 0x1000, PT_R | PT_DEVICE, &g), 0);
	CHECK_EQ(s.calls, 1);
	CHECK_EQ(s.invalid, bbm ? 1 : 0);
	if (!bbm) {
		CHECK_EQ(s.first.size, 0x1000);
		CHECK_EQ(s.first.prot & (PT_W | PT_DEVICE), PT_W | PT_DEVICE);
	}
	tlb_model_op_end(&t, &g);
	pt_gather_flush(&g);
	CHECK_EQ(pt_translate(&mm, dev.va + 0x5000, &tr), 0);
	CHECK_EQ(tr.prot & (PT_W | PT_DEVICE), PT_DEVICE);
	CHECK_EQ(pt_translate(&mm, dev.va + 0x6000, &tr), 0);
	CHECK_EQ(tr.prot & (PT_W | PT_DEVICE), PT_W | PT_DEVICE);

	/* Unmapping all of it: emptied tables are unlinked and freed after the END flush. */
	s.calls = s.ends = 0;
	CHECK_EQ(pt_unmap(&mm, va, 16 << 20, &g), 0);
	CHECK_EQ(s.calls, 0);
	tlb_model_op_end(&t, &g);
	pt_gather_flush(&g);
	CHECK_EQ(s.ends, 1);
	CHECK(s.end.nr_free >= 1);
	CHECK(s.end.table_levels & (1u << 1)); /* the level-1 entries that linked 4K tables */
	CHECK_EQ(s.end.leaf_levels, 1u << 0);  /* only 4K leaves were left (the block was split) */

	/* 40 tables of 4K pages unmapped at once: the batch fills, flushes and goes on. */
	struct pt_map_req many = {
		.va = va, .pa = pa, .size = 80 << 20, .prot = PT_R | PT_W, .page_sizes = 0x1000
	};
	CHECK_EQ(pt_map(&mm, &many, &g), 0);
	tlb_model_op_end(&t, &g);
	pt_gather_flush(&g);
	s.calls = s.ends = s.batches = 0;
	CHECK_EQ(pt_unmap(&mm, va, 80 << 20, &g), 0);
	CHECK_EQ(s.batches, 1);
	CHECK_EQ(s.calls, 0);
	tlb_model_op_end(&t, &g);
	pt_gather_flush(&g);
	CHECK_EQ(s.ends, 1);
	CHECK(s.end.nr_free >= 40 - PT_GATHER_BATCH); /* and the emptied tables above */

	tlb_model_detach(&t);
	CHECK_EQ(t.violations, 0);
	pt_mm_destroy(&mm);
	pt_arena_fini(&a);
}

int main(void)
{
	run("arm64-4k-48", true);
	run("x86_64", false); /* no break needed (a split flushes before it changes) */
	return CHECK_DONE();
}
