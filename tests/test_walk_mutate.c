// SPDX-License-Identifier: MIT
/*
 * Walks whose callbacks change the tables (src/walk/walk_tmpl.h), on every format:
 * walk_page_range (leaf callback only, and with hole and table_entry callbacks) and
 * for_each_pt_leaf. After a callback changes the tables, the walk resumes strictly after
 * what it already reported, so leaves and holes still tile the range (every address
 * reported once, no gap) when a callback splits a huge leaf, collapses small leaves into a
 * huge one, maps into a reported hole or unmaps; MM_WALK_SKIP after the callback unmapped
 * its leaf skips the rest of that leaf's table and no more; a table_entry callback that
 * changes the tables is not followed into the table it freed. Every leaf and hole a walk
 * reports is checked against pt_translate when it is reported.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ptkit/mem.h"
#include "ptkit/ptkit.h"

#define ARENA_BASE 0x100000000ull
#define ARENA_SIZE (8ull << 20)

struct fx {
	struct pt_arena a;
	struct pt_mm mm;
	const struct pt_format *f;
};

static bool fx_init(struct fx *x, const struct pt_format *f)
{
	memset(x, 0, sizeof(*x));
	x->f = f;
	if (!CHECK_EQ(pt_arena_init(&x->a, ARENA_BASE, ARENA_SIZE), 0))
		return false;
	if (!CHECK_EQ(pt_mm_init(&x->mm, f, &x->a.mem), 0)) {
		pt_arena_fini(&x->a);
		return false;
	}
	return true;
}

static void fx_fini(struct fx *x)
{
	pt_mm_destroy(&x->mm);
	CHECK_EQ(x->a.live, 0);
	pt_arena_fini(&x->a);
}

/* VA span of one entry at level l, and of a whole table at level l. */
static uint64_t span(const struct pt_format *f, int l)
{
	return pt_level_size(f, l);
}
static uint64_t tspan(const struct pt_format *f, int l)
{
	return span(f, l) << f->index_bits[l];
}

/* [va, va + size) mapped to the same PA (identity) with leaves of exactly `leaf` bytes. */
static bool map_leaves(struct fx *x, uint64_t va, uint64_t size, uint64_t leaf)
{
	struct pt_gather g;
	struct pt_map_req req = {
		.va = va, .pa = va, .size = size, .prot = PT_R | PT_W, .page_sizes = leaf
	};
	int err;

	pt_gather_init(&g, &x->mm);
	err = pt_map(&x->mm, &req, &g);
	pt_gather_flush(&g);
	if (!CHECK_EQ(err, 0))
		fprintf(stderr, "  ^ %s: map va 0x%llx size 0x%llx leaf 0x%llx\n", x->f->name,
			(unsigned long long)va, (unsigned long long)size, (unsigned long long)leaf);
	return !err;
}

static void unmap(struct fx *x, uint64_t va, uint64_t size)
{
	struct pt_gather g;

	pt_gather_init(&g, &x->mm);
	CHECK_EQ(pt_unmap(&x->mm, va, size, &g), 0);
	pt_gather_flush(&g);
}

static void protect(struct fx *x, uint64_t va, uint64_t size, uint32_t prot)
{
	struct pt_gather g;

	pt_gather_init(&g, &x->mm);
	CHECK_EQ(pt_protect(&x->mm, va, size, prot, &g), 0);
	pt_gather_flush(&g);
}

/* ---- recording what a walk reports -------------------------------------------------- */

struct seg {
	uint64_t first, last; /* the part of the range reported */
	uint64_t lva;	      /* leaf: its first address */
	int level;
	bool leaf;
};

#define MAX_SEGS (1 << 16)
static struct seg seg_buf[MAX_SEGS];

struct rec;
typedef int (*leaf_fn)(struct rec *r, struct mm_walk_state *st);
typedef int (*hole_fn)(struct rec *r, uint64_t start, uint64_t end, int level);
typedef int (*table_fn)(struct rec *r, struct mm_walk_state *st);

struct rec {
	struct fx *x;
	const char *what;
	uint64_t start, last;
	struct seg *s;
	int n;
	bool full; /* seg_buf overflowed: the walk was stopped */
	int leaves, holes;
	/* The mutation each callback makes (NULL: none) and its parameters. */
	leaf_fn on_leaf;
	hole_fn on_hole;
	table_fn on_table;
	uint64_t a, b;
	int level;
	int done;
};

static void rec_init(struct rec *r, struct fx *x, const char *what, uint64_t start, uint64_t end)
{
	memset(r, 0, sizeof(*r));
	r->x = x;
	r->what = what;
	r->start = start;
	r->last = end - 1;
	r->s = seg_buf;
}

static bool rec_push(struct rec *r, struct seg s)
{
	if (r->n == MAX_SEGS) {
		r->full = true;
		return false;
	}
	r->s[r->n++] = s;
	return true;
}

static int rec_leaf(struct mm_walk_state *st, void *priv)
{
	struct rec *r = priv;
	uint64_t size = mm_walk_leaf_size(st), lva = mm_walk_leaf_va(st);
	uint64_t llast = lva + size - 1;
	struct pt_translation tr;

	r->leaves++;
	CHECK_EQ(st->kind, PT_ENTRY_LEAF);
	CHECK(st->va >= r->start && st->va <= r->last);
	/* What the walk reports is what the tables hold now. */
	if (!CHECK_EQ(pt_translate(&r->x->mm, st->va, &tr), 0) ||
	    !CHECK_EQ(tr.pa, mm_walk_leaf_pa(st) + (st->va - lva)) ||
	    !CHECK_EQ(tr.level, st->level))
		fprintf(stderr, "  ^ %s: %s: leaf reported at 0x%llx level %d\n", r->x->f->name,
			r->what, (unsigned long long)st->va, st->level);
	if (!rec_push(r, (struct seg){ st->va, llast < r->last ? llast : r->last, lva, st->level,
				       true }))
		return MM_WALK_STOP;
	return r->on_leaf ? r->on_leaf(r, st) : MM_WALK_CONTINUE;
}

static int rec_hole(uint64_t start, uint64_t end, int level, void *priv)
{
	struct rec *r = priv;
	struct pt_translation tr;

	r->holes++;
	if (!CHECK(end > start) || !CHECK_EQ(pt_translate(&r->x->mm, start, &tr), -PT_ENOENT) ||
	    !CHECK_EQ(pt_translate(&r->x->mm, end - 1, &tr), -PT_ENOENT))
		fprintf(stderr, "  ^ %s: %s: hole reported [0x%llx, 0x%llx) level %d\n",
			r->x->f->name, r->what, (unsigned long long)start, (unsigned long long)end,
			level);
	if (!rec_push(r, (struct seg){ start, end - 1, 0, level, false }))
		return MM_WALK_STOP;
	return r->on_hole ? r->on_hole(r, start, end, level) : MM_WALK_CONTINUE;
}

static int rec_table(struct mm_walk_state *st, void *priv)
{
	struct rec *r = priv;

	CHECK_EQ(st->kind, PT_ENTRY_TABLE);
	return r->on_table ? r->on_table(r, st) : MM_WALK_CONTINUE;
}

/* Which walk: walk_page_range with only a leaf callback, or with all three; the iterator. */
enum walker { W_LEAVES, W_FULL, W_ITER };
static const char *const walker_name[] = { "walk_page_range(leaf)", "walk_page_range(all)",
					   "for_each_pt_leaf" };

static int run(struct rec *r, enum walker w)
{
	static const struct mm_walk_ops leaves_only = { rec_leaf, 0, 0 };
	static const struct mm_walk_ops all = { rec_leaf, rec_hole, rec_table };
	struct pt_mm *mm = &r->x->mm;
	struct mm_walk_state st;

	switch (w) {
	case W_LEAVES:
		return walk_page_range(mm, r->start, r->last + 1, &leaves_only, r);
	case W_FULL:
		return walk_page_range(mm, r->start, r->last + 1, &all, r);
	case W_ITER:
		mm_walk_init(&st, mm);
		for_each_pt_leaf (&st, mm, r->start, r->last + 1)
			if (rec_leaf(&st, r) != MM_WALK_CONTINUE)
				break;
		return st.err;
	}
	return -1;
}

/*
 * The segments are strictly increasing and do not overlap; with `tile` they cover
 * [start, last] exactly (the sum of their spans is the range).
 */
static bool check_segs(const struct rec *r, bool tile)
{
	uint64_t covered = 0;
	bool ok = CHECK(!r->full) && CHECK(r->n > 0);

	if (ok && tile)
		ok &= CHECK_EQ(r->s[0].first, r->start);
	for (int i = 0; i < r->n && ok; i++) {
		const struct seg *s = &r->s[i];

		ok &= CHECK(s->first <= s->last);
		ok &= CHECK(s->first >= r->start && s->last <= r->last);
		if (i > 0 && tile)
			ok &= CHECK_EQ(s->first, r->s[i - 1].last + 1);
		else if (i > 0)
			ok &= CHECK(s->first > r->s[i - 1].last);
		covered += s->last - s->first + 1;
		if (!ok)
			fprintf(stderr, "  ^ segment %d of %d: [0x%llx, 0x%llx] level %d %s\n", i,
				r->n, (unsigned long long)s->first, (unsigned long long)s->last,
				s->level, s->leaf ? "leaf" : "hole");
	}
	if (ok && tile) {
		ok &= CHECK_EQ(r->s[r->n - 1].last, r->last);
		ok &= CHECK_EQ(covered, r->last - r->start + 1);
	}
	if (!ok)
		fprintf(stderr, "  ^ %s: %s: [0x%llx, 0x%llx]\n", r->x->f->name, r->what,
			(unsigned long long)r->start, (unsigned long long)r->last);
	return ok;
}

/* The leaves reported start at want[0..n) (in order). */
static bool check_leaf_vas(const struct rec *r, const uint64_t *want, int n)
{
	int k = 0;
	bool ok = true;

	for (int i = 0; i < r->n && ok; i++) {
		if (!r->s[i].leaf)
			continue;
		ok &= CHECK(k < n) && CHECK_EQ(r->s[i].lva, want[k]);
		k++;
	}
	ok &= CHECK_EQ(k, n);
	if (!ok)
		fprintf(stderr, "  ^ %s: %s: leaves reported\n", r->x->f->name, r->what);
	return ok;
}

/* The first segment starting at or after va; NULL if none. */
static const struct seg *seg_from(const struct rec *r, uint64_t va)
{
	for (int i = 0; i < r->n; i++)
		if (r->s[i].first >= va)
			return &r->s[i];
	return 0;
}

/* ---- a callback splits the huge leaf it was given -------------------------------------- */

/* pt_protect of the leaf's first base page: splits it down to the smallest leaves. */
static int split_first_page(struct rec *r, struct mm_walk_state *st)
{
	if (st->level == r->level) {
		protect(r->x, mm_walk_leaf_va(st), span(r->x->f, 0), PT_R);
		r->done++;
	}
	return MM_WALK_CONTINUE;
}

static void test_split(const struct pt_format *f)
{
	const uint64_t pg = span(f, 0);

	for (int l = 1; l < f->levels; l++) {
		const uint64_t s = span(f, l), va = 2 * s;
		const uint64_t ranges[2][2] = { { va, va + 3 * s },
						{ va + 3 * pg, va + 3 * s - 5 * pg } };

		if (!f->leaf_ok[l] || va + 3 * s - 1 > pt_half_last(f, 0))
			continue;
		for (int k = 0; k < 2; k++) {
			for (int w = W_LEAVES; w <= W_ITER; w++) {
				struct fx x;
				struct rec r;

				if (!fx_init(&x, f))
					return;
				if (map_leaves(&x, va, 3 * s, s)) {
					rec_init(&r, &x, walker_name[w], ranges[k][0],
						 ranges[k][1]);
					r.on_leaf = split_first_page;
					r.level = l;
					CHECK_EQ(run(&r, w), 0);
					/* Each huge leaf once (split after it was reported),
					 * nothing of its pieces: one leaf callback per huge leaf.
					 */
					if (!check_segs(&r, true) || !CHECK_EQ(r.leaves, 3) ||
					    !CHECK_EQ(r.done, 3))
						fprintf(stderr, "  ^ %s: %s: level %d split\n",
							f->name, r.what, l);
				}
				fx_fini(&x);
			}
		}
	}
}

/* ---- a callback collapses the small leaves after it into one huge leaf ------------------ */

/* The first leaf: unmap the level-`level` span it starts and map one huge leaf there. */
static int collapse(struct rec *r, struct mm_walk_state *st)
{
	if (!r->done++) {
		unmap(r->x, r->a, span(r->x->f, r->level));
		map_leaves(r->x, r->a, span(r->x->f, r->level), span(r->x->f, r->level));
	}
	(void)st;
	return MM_WALK_CONTINUE;
}

static void test_collapse(const struct pt_format *f)
{
	const uint64_t pg = span(f, 0);

	for (int l = 1; l < f->levels; l++) {
		const uint64_t s = span(f, l), small = span(f, l - 1), va = 2 * s;
		const uint64_t starts[2] = { va, va + 3 * pg };

		if (!f->leaf_ok[l] || !f->leaf_ok[l - 1] || va + 2 * s - 1 > pt_half_last(f, 0))
			continue;
		for (int k = 0; k < 2; k++) {
			for (int w = W_LEAVES; w <= W_ITER; w++) {
				struct fx x;
				struct rec r;
				const uint64_t fl = starts[k] & ~(small - 1); /* first leaf */
				const struct seg *huge;

				if (!fx_init(&x, f))
					return;
				if (map_leaves(&x, va, 2 * s, small)) {
					rec_init(&r, &x, walker_name[w], starts[k], va + 2 * s);
					r.on_leaf = collapse;
					r.a = va;
					r.level = l;
					CHECK_EQ(run(&r, w), 0);
					/*
					 * The first small leaf, then the huge leaf from the end of
					 * it (st->va inside the leaf), then the small leaves of the
					 * next span.
					 */
					huge = seg_from(&r, fl + small);
					if (!check_segs(&r, true) ||
					    !CHECK_EQ(r.leaves, 2 + (1 << f->index_bits[l - 1])) ||
					    !CHECK(huge && huge->leaf && huge->level == l &&
						   huge->first == fl + small && huge->lva == va))
						fprintf(stderr, "  ^ %s: %s: level %d collapse\n",
							f->name, r.what, l);
				}
				fx_fini(&x);
			}
		}
	}
}

/* ---- callbacks that unmap -------------------------------------------------------------- */

/* Unmap [leaf start, leaf start + r->a) (every leaf when r->b, else the first one only). */
static int unmap_from_leaf(struct rec *r, struct mm_walk_state *st)
{
	if (r->b || !r->done++)
		unmap(r->x, mm_walk_leaf_va(st), r->a);
	return MM_WALK_CONTINUE;
}

static void test_unmap(const struct pt_format *f)
{
	for (int l = 0; l + 1 < f->levels; l++) {
		const uint64_t s = span(f, l), t = tspan(f, l), x0 = 2 * t;
		/* Leaves 1, 2, 5 of table A, leaves 0, 3 of the next table B. */
		const uint64_t vas[5] = { x0 + s, x0 + 2 * s, x0 + 5 * s, x0 + t, x0 + t + 3 * s };
		/* What the callback unmaps from the start of its leaf, and what is then seen. */
		const struct {
			uint64_t size;
			bool each;
			int n, want[5]; /* indexes into vas */
		} cases[] = {
			/* Each leaf unmaps itself (A is freed at its last leaf, then B). */
			{ s, true, 5, { 0, 1, 2, 3, 4 } },
			/* The first leaf unmaps itself and the rest of A: A is freed. */
			{ t - s, false, 3, { 0, 3, 4 } },
			/* ... and B's first leaf. */
			{ t, false, 2, { 0, 4 } },
		};

		if (!f->leaf_ok[l] || x0 + 2 * t - 1 > pt_half_last(f, 0))
			continue;
		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			for (int w = W_LEAVES; w <= W_ITER; w++) {
				struct fx x;
				struct rec r;
				uint64_t want[5];
				bool ok = true;

				if (!fx_init(&x, f))
					return;
				for (int i = 0; i < 5; i++)
					ok &= map_leaves(&x, vas[i], s, s);
				if (ok) {
					rec_init(&r, &x, walker_name[w], x0, x0 + 2 * t);
					r.on_leaf = unmap_from_leaf;
					r.a = cases[c].size;
					r.b = cases[c].each;
					CHECK_EQ(run(&r, w), 0);
					for (int i = 0; i < cases[c].n; i++)
						want[i] = vas[cases[c].want[i]];
					if (!check_segs(&r, w == W_FULL) ||
					    !check_leaf_vas(&r, want, cases[c].n))
						fprintf(stderr,
							"  ^ %s: %s: level %d unmap case %zu\n",
							f->name, r.what, l, c);
				}
				fx_fini(&x);
			}
		}
	}
}

/* ---- a hole callback maps into the hole it was given ----------------------------------- */

/* The first hole: map its first three base pages (when it has room) and its last one. */
static int map_into_hole(struct rec *r, uint64_t start, uint64_t end, int level)
{
	const uint64_t pg = span(r->x->f, 0);

	(void)level;
	if (r->done++)
		return MM_WALK_CONTINUE;
	if (end - start >= 4 * pg)
		map_leaves(r->x, start, 3 * pg, pg);
	map_leaves(r->x, end - pg, pg, pg);
	r->a = start;
	r->b = end;
	return MM_WALK_CONTINUE;
}

static void test_hole_map(const struct pt_format *f)
{
	const uint64_t pg = span(f, 0);

	/* The first hole is an empty entry at level l: the top, ..., a single base page. */
	for (int l = f->levels - 1; l >= 0; l--) {
		const uint64_t x0 = 2 * (l < f->levels - 1 ? tspan(f, l) : span(f, l));
		struct fx x;
		struct rec r;
		const struct seg *next;
		int pre = 0;

		if (x0 + span(f, l) + pg - 1 > pt_half_last(f, 0))
			continue;
		if (!fx_init(&x, f))
			return;
		if (l < f->levels - 1) { /* a page in the next entry: the path down to level l */
			map_leaves(&x, x0 + span(f, l), pg, pg);
			pre = 1;
		}
		rec_init(&r, &x, "walk_page_range(all)", x0, x0 + span(f, l) + pg);
		r.on_hole = map_into_hole;
		CHECK_EQ(run(&r, W_FULL), 0);
		/* Nothing reported again inside the hole: the walk goes on at its end. */
		next = seg_from(&r, r.a + 1);
		if (!check_segs(&r, true) || !CHECK_EQ(r.leaves, pre) ||
		    !CHECK(r.a == x0 && r.b == x0 + span(f, l) && next && next->first == r.b))
			fprintf(stderr, "  ^ %s: map into a level-%d hole\n", f->name, l);
		fx_fini(&x);
	}
}

/* ---- MM_WALK_SKIP from a leaf the callback unmapped ---------------------------------------- */

/* Leaf r->a: unmap it when r->b, then skip the rest of its table. */
static int skip_at(struct rec *r, struct mm_walk_state *st)
{
	if (mm_walk_leaf_va(st) != r->a)
		return MM_WALK_CONTINUE;
	if (r->b)
		unmap(r->x, r->a, mm_walk_leaf_size(st));
	r->done++;
	return MM_WALK_SKIP;
}

static void test_skip_unmapped(const struct pt_format *f)
{
	for (int l = 0; l + 1 < f->levels; l++) {
		const uint64_t s = span(f, l), t = tspan(f, l), x0 = 2 * t;
		/* a (and a2) in table A, b and c in the next table B of the same parent. */
		const uint64_t a = x0 + s, a2 = x0 + 3 * s, b = x0 + t, c = x0 + t + 2 * s;

		if (!f->leaf_ok[l] || x0 + 2 * t - 1 > pt_half_last(f, 0))
			continue;
		for (int v = 0; v < 3;
		     v++) { /* a unmapped (A freed); a kept; a unmapped, a2 kept */
			for (int w = W_LEAVES; w <= W_FULL; w++) {
				struct fx x;
				struct rec r;
				const uint64_t want[3] = { a, b, c };
				const struct seg *after;

				if (!fx_init(&x, f))
					return;
				if (map_leaves(&x, a, s, s) &&
				    (v < 2 || map_leaves(&x, a2, s, s)) &&
				    map_leaves(&x, b, s, s) && map_leaves(&x, c, s, s)) {
					rec_init(&r, &x, walker_name[w], x0, x0 + 2 * t);
					r.on_leaf = skip_at;
					r.a = a;
					r.b = v != 1;
					CHECK_EQ(run(&r, w), 0);
					/* a2 is skipped; B is not: the walk goes on at its start.
					 */
					after = seg_from(&r, a + s);
					if (!CHECK_EQ(r.done, 1) || !check_segs(&r, false) ||
					    !check_leaf_vas(&r, want, 3) ||
					    !CHECK(after && after->first == b))
						fprintf(stderr,
							"  ^ %s: %s: level %d SKIP, variant %d\n",
							f->name, r.what, l, v);
				}
				fx_fini(&x);
			}
		}
	}
}

/* ---- a table_entry callback that changes the tables --------------------------------------- */

/*
 * The level-1 entry at r->a: unmap its span (its table is freed) and, per r->level, map
 * a base page in the next entry (a new table: the freed one, reused) and continue (0),
 * the same and skip (1), or map one huge leaf in its place and continue (2).
 */
static int table_mutate(struct rec *r, struct mm_walk_state *st)
{
	const struct pt_format *f = r->x->f;
	uint64_t s1 = span(f, 1);

	if (st->level != 1 || (st->va & ~(s1 - 1)) != r->a || r->done++)
		return MM_WALK_CONTINUE;
	unmap(r->x, r->a, s1);
	if (r->level == 2) {
		map_leaves(r->x, r->a, s1, s1);
		return MM_WALK_CONTINUE;
	}
	map_leaves(r->x, r->a + s1, span(f, 0), span(f, 0));
	return r->level ? MM_WALK_SKIP : MM_WALK_CONTINUE;
}

static void test_table_mutate(const struct pt_format *f)
{
	const uint64_t pg = span(f, 0), s1 = span(f, 1), y = 8 * s1;

	if (y + 4 * s1 - 1 > pt_half_last(f, 0))
		return;
	for (int v = 0; v < 3; v++) {
		struct fx x;
		struct rec r;
		int failed = check_failures;

		if (v == 2 && !f->leaf_ok[1])
			continue;
		if (!fx_init(&x, f))
			return;
		/* Two base pages under the level-1 entry at y; one more keeps its table alive. */
		map_leaves(&x, y, pg, pg);
		map_leaves(&x, y + 7 * pg, pg, pg);
		map_leaves(&x, y + 3 * s1, pg, pg);
		rec_init(&r, &x, "walk_page_range(all)", y, y + 4 * s1);
		r.on_table = table_mutate;
		r.a = y;
		r.level = v;
		CHECK_EQ(run(&r, W_FULL), 0);
		{
			const uint64_t want[2][2] = { { y + s1, y + 3 * s1 }, { y, y + 3 * s1 } };

			CHECK_EQ(r.done, 1);
			check_segs(&r, v != 1);
			check_leaf_vas(&r, want[v == 2], 2);
			if (check_failures != failed)
				fprintf(stderr, "  ^ %s: table_entry mutation, variant %d\n",
					f->name, v);
		}
		fx_fini(&x);
	}
}

int main(void)
{
	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);

		test_split(f);
		test_collapse(f);
		test_unmap(f);
		test_hole_map(f);
		test_skip_unmapped(f);
		test_table_mutate(f);
	}
	return CHECK_DONE();
}
