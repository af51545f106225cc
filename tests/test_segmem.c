// SPDX-License-Identifier: MIT
/*
 * Sparse memory (pt_segmem, src/mem/segmem.c) on every format: a random tree is built in
 * an arena, then its bytes are offered again as segments with holes where the arena holds
 * no table — every other 16K piece in place, the others through a read callback — and
 * every walk and translation over them must equal the one over the arena as a plain
 * foreign image: same leaves, same table addresses (mm_walk_table_pa), same errors. Each
 * table read through the callback is read once however often it is walked.
 * Pieces are 16K, so the 64K tables of arm64-64k straddle pieces of both kinds. Then the piece
 * holding one table becomes a hole: exactly the VAs below it fail, with -PT_EFAULT.
 */
#include <string.h>

#include "image_tree.h"

#define ARENA_BASE 0x40000000ull
#define ARENA_SIZE (16ull << 20)
#define PIECE (16ull << 10) /* 64K tables straddle pieces of both kinds */
#define NMAPS 200
#define NVA 4000

static bool same(const struct it_recs *a, const struct it_recs *b)
{
	if (!CHECK_EQ(a->n, b->n))
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!it_same(&a->r[i], &b->r[i])) {
			CHECK_EQ(a->r[i].va, b->r[i].va);
			CHECK_EQ(a->r[i].table_pa, b->r[i].table_pa);
			CHECK_EQ(a->r[i].err, b->r[i].err);
			return false;
		}
	return true;
}

struct src {
	const uint8_t *bytes;
	uint64_t base;
	uint64_t reads;
};

static int read_cb(void *ctx, uint64_t pa, void *buf, uint64_t size)
{
	struct src *s = ctx;

	s->reads++;
	memcpy(buf, s->bytes + (pa - s->base), (size_t)size);
	return 0;
}

/*
 * A piece can be a hole when the 64K block around it is all zero: tables are at most 64K
 * and aligned to their size, so no table with an entry set has a byte there.
 */
static bool piece_used(const uint8_t *arena, uint64_t off)
{
	const uint8_t *p = arena + (off & ~(uint64_t)0xffff);

	for (uint64_t i = 0; i < 0x10000; i++)
		if (p[i])
			return true;
	return false;
}

/* The arena's pieces that hold anything, alternately in place and through the callback. */
static void offer(struct pt_segmem *s, const struct pt_arena *a, struct src *src, uint64_t hole)
{
	CHECK_EQ(pt_segmem_init(s), 0);
	for (uint64_t off = 0, k = 0; off < ARENA_SIZE; off += PIECE) {
		uint64_t pa = ARENA_BASE + off;

		if (!piece_used(a->mem.bytes, off) || pa == hole)
			continue;
		if (k++ & 1)
			CHECK_EQ(pt_segmem_add_read(s, pa, PIECE, read_cb, src), 0);
		else
			CHECK_EQ(pt_segmem_add_bytes(s, pa, PIECE, a->mem.bytes + off), 0);
	}
}

/* Does the walk to va (a leaf in mm) pass through a table in [lo, lo + PIECE)? */
static bool path_in(struct pt_mm *mm, uint64_t va, uint64_t lo)
{
	struct mm_walk_state st;

	mm_walk_init(&st, mm);
	if (!mm_walk_seek_leaf(&st, mm, va))
		return false;
	for (int l = st.level; l < mm->fmt->levels; l++)
		if (mm_walk_table_pa(&st, l) - lo < PIECE)
			return true;
	return false;
}

static void test_format(const struct pt_format *f)
{
	struct pt_arena a;
	struct pt_mm built, img, sp;
	struct pt_mem image;
	struct pt_segmem s;
	struct it_recs want = { 0 }, got = { 0 };
	struct src src;
	uint64_t hole_table = 0;
	unsigned mapped = 0;

	if (!CHECK_EQ(pt_arena_init(&a, ARENA_BASE, ARENA_SIZE), 0))
		return;
	if (!CHECK_EQ(pt_mm_init(&built, f, &a.mem), 0))
		goto out;
	mapped = it_populate(&built, NMAPS);
	CHECK(mapped >= 20);
	pt_image_mem(&image, a.mem.bytes, ARENA_BASE, ARENA_SIZE);
	pt_mm_attach(&img, f, &image, built.root[0], built.root[1]);
	it_walk_all(&img, &want);

	/* The same tree through segments: the same walk, each callback table read once. */
	src = (struct src){ a.mem.bytes, ARENA_BASE, 0 };
	offer(&s, &a, &src, 0);
	pt_mm_attach(&sp, f, &s.mem, built.root[0], built.root[1]);
	it_walk_all(&sp, &got);
	CHECK(same(&want, &got));
	uint64_t once = s.tables_read;
	CHECK(once > 0 && src.reads >= once); /* a straddling table: one read per piece */
	it_walk_all(&sp, &got);
	CHECK_EQ(s.tables_read, once);
	{
		struct pt_map_req req = { .va = f->half_base[0],
					  .size = 1ull << f->shift[0],
					  .prot = PT_R,
					  .page_sizes = 1ull << f->shift[0] };
		struct pt_gather g;

		pt_gather_init(&g, &sp);
		CHECK_EQ(pt_map(&sp, &req, &g), -PT_EROFS);
		pt_gather_flush(&g);
	}
	for (int i = 0; i < NVA; i++) {
		uint64_t va = it_random_va(f, &want);
		struct pt_translation t1, t2;
		int e1 = pt_translate(&img, va, &t1), e2 = pt_translate(&sp, va, &t2);

		if (!CHECK_EQ(e1, e2) || (!e1 && !CHECK_EQ(t1.pa, t2.pa)))
			break;
	}
	pt_segmem_fini(&s);

	/* A hole where one leaf's table lives: that leaf's walk and translation fail. */
	for (size_t i = 0; i < want.n && !hole_table; i++)
		if (want.r[i].level < f->levels - 1 && !want.r[i].err)
			hole_table = want.r[i].table_pa;
	if (CHECK(hole_table)) {
		uint64_t piece = ARENA_BASE + ((hole_table - ARENA_BASE) & ~(PIECE - 1));
		unsigned faults = 0;

		offer(&s, &a, &src, piece);
		pt_mm_attach(&sp, f, &s.mem, built.root[0], built.root[1]);
		for (size_t i = 0; i < want.n; i++) {
			const struct it_rec *r = &want.r[i];
			struct pt_translation t1, t2;
			bool below = path_in(&img, r->va, piece);
			int e1, e2;

			if (r->err)
				continue;
			e1 = pt_translate(&img, r->va, &t1);
			e2 = pt_translate(&sp, r->va, &t2);
			if (below) {
				faults += e2 == -PT_EFAULT;
				CHECK_EQ(e2, -PT_EFAULT);
			} else if (!CHECK_EQ(e1, e2)) {
				break;
			}
		}
		CHECK(faults > 0);
		it_walk_all(&sp, &got);
		bool saw = false;
		for (size_t i = 0; i < got.n; i++)
			saw |= got.r[i].err == -PT_EFAULT;
		CHECK(saw);
		pt_segmem_fini(&s);
	}
	free(want.r);
	free(got.r);
out:
	pt_arena_fini(&a);
}

int main(void)
{
	for (unsigned i = 0; pt_format_at(i); i++) {
		int failed = check_failures;

		test_format(pt_format_at(i));
		if (check_failures != failed)
			fprintf(stderr, "  ^ %s\n", pt_format_at(i)->name);
	}
	return CHECK_DONE();
}
