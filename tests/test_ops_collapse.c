/* SPDX-License-Identifier: MIT */
/*
 * pt_collapse (src/ops/collapse.c), for every format and every level whose table may
 * become a leaf of the level above: a region mapped with the small leaves (plain, and as
 * contiguous / NAPOT group members where the format has groups) collapses into one leaf
 * that translates every sampled address to the same PA with the same rights, the table
 * is freed after the flush, and pt_split_leaf gives the same entries back. Every refusal
 * (rights differ, a hole, OA not contiguous, OA misaligned, a table inside, a reserved
 * entry, the top level, not mapped) returns its code and leaves the arena byte-identical.
 * Everything runs under the TLB model (tlb_model.h), which must see no violation: on arm64
 * that takes the break (clear, flush, then the leaf: the flush hook also checks that the
 * range is unmapped while it runs); on x86 the one-store replacement is a page size change
 * with the same frame and attributes. Last, random trees are collapsed to a fixpoint.
 */
#include "check.h"
#include "model.h"
#include "tlb_model.h"

#include <ptkit/mem.h>
#include <ptkit/ptkit.h>

#define ARENA_BASE 0x200000ull
#define ARENA_SIZE (16ull << 20)
#define AD (PT_YOUNG | PT_DIRTY)

/* What ran, per format (a case that does not fit the format's VA / PA space is skipped). */
static unsigned long n_plain, n_groups, n_ad, n_refused, n_chain, n_top, n_skipped;
static unsigned long n_sweep_ok, n_sweep_refused;

struct ctx {
	const struct pt_format *f;
	struct pt_arena a;
	struct pt_mm mm;
	struct tlb_model t;
	char where[128];
	unsigned flushes, flushed_invalid; /* flush hook calls; with the flushed range unmapped */
};

static bool ctx_init(struct ctx *c, const struct pt_format *f, const char *what, int level)
{
	memset(c, 0, sizeof(*c));
	c->f = f;
	if (!CHECK_EQ(pt_arena_init(&c->a, ARENA_BASE, ARENA_SIZE), 0))
		return false;
	if (!CHECK_EQ(pt_mm_init(&c->mm, f, &c->a.mem), 0)) {
		pt_arena_fini(&c->a);
		return false;
	}
	tlb_model_attach(&c->t, &c->mm);
	snprintf(c->where, sizeof(c->where), "%s, level %d", what, level);
	c->t.where = c->where;
	return true;
}

/* Tear down; returns the TLB model's violations. */
static unsigned long ctx_fini(struct ctx *c)
{
	unsigned long v = c->t.violations;

	tlb_model_detach(&c->t);
	pt_mm_destroy(&c->mm);
	pt_arena_fini(&c->a);
	return v;
}

static void gather(struct ctx *c, struct pt_gather *g)
{
	pt_gather_init(g, &c->mm);
	tlb_model_gather(&c->t, g);
}

static void done(struct ctx *c, struct pt_gather *g)
{
	tlb_model_op_end(&c->t, g);
	pt_gather_flush(g);
}

static int map(struct ctx *c, uint64_t va, uint64_t pa, uint64_t size, uint32_t prot,
	       uint64_t page_sizes)
{
	struct pt_map_req req = {
		.va = va, .pa = pa, .size = size, .prot = prot, .page_sizes = page_sizes
	};
	struct pt_gather g;
	int r;

	gather(c, &g);
	r = pt_map(&c->mm, &req, &g);
	done(c, &g);
	return r;
}

/* The model's flush, noting whether the range's first address translates at that moment. */
static void collapse_flush(struct pt_gather *g, const struct pt_flush *f)
{
	struct ctx *c = g->priv;
	struct pt_translation tr;

	tlb_model_flush(&c->t, f);
	c->flushes++;
	if (pt_translate(g->mm, f->start, &tr) == -PT_ENOENT) {
		c->flushed_invalid++;
		CHECK_EQ(f->why, PT_FLUSH_BREAK);
	}
	/* The walk entry that linked the collapsed table goes too (issue 14, defect 8). */
	CHECK(f->table_levels != 0);
}

/*
 * Whether the MMU can add nothing to the leaves of [va, va + size): each young, and dirty
 * or read-only. Otherwise a collapse breaks first on every format, to read their final
 * young / dirty state once nothing reaches them.
 */
static bool settled(struct pt_mm *mm, uint64_t va, uint64_t size)
{
	struct mm_walk_state st;
	bool ok = true;

	mm_walk_init(&st, mm);
	for_each_pt_leaf (&st, mm, va, va + size) {
		uint32_t p = mm_walk_prot(&st);

		ok &= (p & PT_YOUNG) && ((p & PT_DIRTY) || !(p & PT_W));
	}
	return ok;
}

static int collapse(struct ctx *c, uint64_t va, struct pt_gather *g)
{
	int r;

	gather(c, g);
	g->flush = collapse_flush;
	g->priv = c;
	c->flushes = c->flushed_invalid = 0;
	r = pt_collapse(&c->mm, va, g);
	done(c, g);
	return r;
}

/* prot as the format stores it (what translate reports for a fresh mapping). */
static uint32_t norm(const struct pt_format *f, uint32_t prot)
{
	struct pt_entry_info info;
	uint64_t e;

	if (f->ops.encode_leaf(0, 0, prot, &e))
		return 0;
	pt_format_decode(f, e, 0, &info);
	return info.prot;
}

/* Where a level-`level` table may collapse: its leaves at va, mapping pa (big-aligned). */
static bool place(const struct pt_format *f, int level, uint64_t *va, uint64_t *pa)
{
	uint64_t big = pt_level_size(f, level + 1);

	*va = big;
	*pa = 2 * big;
	return (big << 1) <= (1ull << f->half_bits) && f->pa_bits < 64 &&
	       4 * big <= (1ull << f->pa_bits);
}

/* Sample offsets in a big leaf of n small ones. */
static unsigned samples(uint64_t span, uint32_t n, uint64_t *off)
{
	off[0] = 0;
	off[1] = span;
	off[2] = (uint64_t)(n / 2 + 3) * span;
	off[3] = (uint64_t)(n - 1) * span;
	return 4;
}

/* A byte copy of the image so far, to compare after a refusal. */
struct snap {
	uint8_t *bytes;
	uint64_t len;
};

static void snap_take(struct ctx *c, struct snap *s)
{
	s->len = c->a.high;
	s->bytes = malloc(s->len ? s->len : 1);
	if (!s->bytes)
		abort();
	memcpy(s->bytes, c->a.mem.bytes, s->len);
}

static bool snap_same(struct ctx *c, struct snap *s)
{
	bool same = c->a.high == s->len && !memcmp(s->bytes, c->a.mem.bytes, s->len);

	free(s->bytes);
	return same;
}

/*
 * Collapse of a table of plain leaves (groups: members of groups) at `level`: one leaf of
 * the level above, same PA and rights at every sample, the table freed, split back.
 */
static unsigned long good(const struct pt_format *f, int level, bool groups)
{
	struct ctx c;
	struct pt_gather g;
	struct pt_translation tr, before[4];
	uint64_t span = pt_level_size(f, level), big = pt_level_size(f, level + 1), va, pa, off[4];
	uint64_t sizes = span, live;
	bool brk;
	uint32_t n = 1u << f->index_bits[level], prot = norm(f, PT_R | PT_W | PT_USER);
	unsigned ns = samples(span, n, off);

	if (groups)
		sizes |= span * f->contig[level];
	if (!place(f, level, &va, &pa)) {
		n_skipped++;
		return 0;
	}
	if (!ctx_init(&c, f, groups ? "groups" : "plain", level))
		return 0;
	*(groups ? &n_groups : &n_plain) += 1;
	if (!CHECK_EQ(map(&c, va, pa, big, prot, sizes), 0))
		return ctx_fini(&c);
	for (unsigned i = 0; i < ns; i++) {
		CHECK_EQ(pt_translate(&c.mm, va + off[i], &before[i]), 0);
		CHECK_EQ(before[i].size, span);
		CHECK_EQ(before[i].group, groups ? span * f->contig[level] : span);
	}
	live = c.a.live;
	brk = f->bbm || !settled(&c.mm, va, big);
	if (!CHECK_EQ(collapse(&c, va + off[2], &g), 0)) {
		fprintf(stderr, "%s level %d%s: collapse refused\n", f->name, level,
			groups ? " (groups)" : "");
		return ctx_fini(&c);
	}
	CHECK_EQ(g.tables_freed, 1);
	CHECK_EQ(c.a.live, live - 1);
	CHECK_EQ(g.flushes, brk ? 2 : 1); /* the break, then the gather's flush */
	CHECK_EQ(c.flushes, brk ? 2 : 1);
	CHECK_EQ(c.flushed_invalid, brk ? 1 : 0); /* the break flush saw the range unmapped */
	for (unsigned i = 0; i < ns; i++) {
		struct mm_walk_state st;

		CHECK_EQ(pt_translate(&c.mm, va + off[i], &tr), 0);
		CHECK_EQ(tr.pa, pa + off[i]);
		CHECK_EQ(tr.size, big);
		CHECK_EQ(tr.group, big);
		CHECK_EQ(tr.level, level + 1);
		CHECK_EQ(tr.prot & ~(uint32_t)PT_CONTIG, before[i].prot & ~(uint32_t)PT_CONTIG);
		mm_walk_init(&st, &c.mm);
		CHECK(mm_walk_seek_leaf(&st, &c.mm, va + off[i]));
		CHECK_EQ(st.level, level + 1);
		CHECK_EQ(mm_walk_leaf_size(&st), big);
		CHECK_EQ(mm_walk_leaf_pa(&st), pa);
		CHECK_EQ(mm_walk_leaf_va(&st), va);
	}
	/* Split after collapse: the same leaves again (plain ones: the same entries). */
	gather(&c, &g);
	CHECK_EQ(pt_split_leaf(&c.mm, va, &g, NULL), 0);
	done(&c, &g);
	for (unsigned i = 0; i < ns; i++) {
		CHECK_EQ(pt_translate(&c.mm, va + off[i], &tr), 0);
		CHECK_EQ(tr.pa, pa + off[i]);
		CHECK_EQ(tr.size, span);
		CHECK_EQ(tr.prot & ~(uint32_t)PT_CONTIG, before[i].prot & ~(uint32_t)PT_CONTIG);
		if (!groups)
			CHECK_EQ(tr.entry, before[i].entry);
	}
	/* And once more: split and collapse are each other's inverse. */
	CHECK_EQ(collapse(&c, va, &g), 0);
	CHECK_EQ(pt_translate(&c.mm, va + big - 1, &tr), 0);
	CHECK_EQ(tr.size, big);
	return ctx_fini(&c);
}

/* Young / dirty of one small leaf end up in the big one (ORed). */
static unsigned long young_dirty(const struct pt_format *f, int level)
{
	struct ctx c;
	struct pt_gather g;
	struct pt_translation tr;
	uint64_t span = pt_level_size(f, level), big = pt_level_size(f, level + 1), va, pa;
	uint32_t prot = norm(f, PT_R | PT_W) & ~(uint32_t)AD, want;
	int r;

	if (!place(f, level, &va, &pa) || !ctx_init(&c, f, "young/dirty", level))
		return 0;
	n_ad++;
	CHECK_EQ(map(&c, va, pa, big, prot, span), 0);
	CHECK_EQ(pt_translate(&c.mm, va, &tr), 0);
	want = tr.prot & AD;
	gather(&c, &g);
	r = pt_set_accessed(&c.mm, va + 5 * span, span, AD, 0, &g);
	done(&c, &g);
	if (r == 0) { /* the format can show both on this leaf */
		CHECK_EQ(pt_translate(&c.mm, va + 5 * span, &tr), 0);
		want |= tr.prot & AD;
	}
	CHECK_EQ(collapse(&c, va, &g), 0);
	CHECK_EQ(pt_translate(&c.mm, va, &tr), 0);
	CHECK_EQ(tr.size, big);
	CHECK_EQ(tr.prot & AD, want);
	return ctx_fini(&c);
}

/* An entry value the format decodes as reserved at level, or 0 if none is found. */
static uint64_t bad_entry(const struct pt_format *f, int level)
{
	struct pt_entry_info d;

	for (int k = 0; k < 64; k++) {
		uint64_t cand[3] = { ~0ull >> k, ~0ull << k, (1ull << k) | 3 };

		for (int j = 0; j < 3; j++) {
			pt_format_decode(f, cand[j], level, &d);
			if (d.kind == PT_ENTRY_BAD)
				return cand[j];
		}
	}
	return 0;
}

enum refusal {
	R_RIGHTS,   /* one entry with other rights */
	R_HOLE,	    /* one entry unmapped */
	R_OA,	    /* two halves mapping different PAs */
	R_ALIGN,    /* the OA not aligned to the big leaf */
	R_TABLE,    /* one entry a table */
	R_BAD,	    /* one entry reserved */
	R_UPPER,    /* the table entry above takes write permission away (x86 R/W, arm64 APTable) */
	R_UNMAPPED, /* va not mapped */
	R_COUNT
};

static const char *const refusal_name[R_COUNT] = { "rights", "hole",	 "oa",	  "align",
						   "table",  "reserved", "upper", "unmapped" };

/* Set up refusal r at level; collapse must fail with its code and change no byte. */
static unsigned long refuse(const struct pt_format *f, int level, enum refusal r)
{
	struct ctx c;
	struct pt_gather g;
	struct snap s;
	struct pt_translation tr;
	uint64_t span = pt_level_size(f, level), big = pt_level_size(f, level + 1), va, pa;
	uint32_t prot = norm(f, PT_R | PT_W), want = (uint32_t)-PT_EINVAL;
	uint64_t bad = 0;
	uint8_t *slot = NULL;
	int err;

	if (r == R_TABLE && (level == 0 || !f->leaf_ok[level - 1]))
		return 0;
	if (r == R_BAD && !(bad = bad_entry(f, level))) {
		n_skipped++;
		return 0;
	}
	if (!place(f, level, &va, &pa)) {
		n_skipped++;
		return 0;
	}
	if (!ctx_init(&c, f, refusal_name[r], level))
		return 0;
	n_refused++;
	switch (r) {
	case R_RIGHTS:
		CHECK_EQ(map(&c, va, pa, big, prot, span), 0);
		gather(&c, &g);
		CHECK_EQ(pt_protect(&c.mm, va + 3 * span, span, PT_R, &g), 0);
		done(&c, &g);
		break;
	case R_HOLE:
		CHECK_EQ(map(&c, va, pa, big, prot, span), 0);
		gather(&c, &g);
		CHECK_EQ(pt_unmap(&c.mm, va + 5 * span, span, &g), 0);
		done(&c, &g);
		want = (uint32_t)-PT_ENOENT;
		break;
	case R_OA:
		CHECK_EQ(map(&c, va, pa, big / 2, prot, span), 0);
		CHECK_EQ(map(&c, va + big / 2, pa + big + big / 2, big / 2, prot, span), 0);
		break;
	case R_ALIGN:
		CHECK_EQ(map(&c, va, pa + span, big, prot, span), 0);
		break;
	case R_TABLE:
		CHECK_EQ(map(&c, va, pa, big - span, prot, span), 0);
		CHECK_EQ(map(&c, va + big - span, pa + big - span, span, prot,
			     pt_level_size(f, level - 1)),
			 0);
		want = (uint32_t)-PT_ENOENT;
		break;
	case R_BAD:
		CHECK_EQ(map(&c, va, pa, big, prot, span), 0);
		CHECK_EQ(pt_translate(&c.mm, va, &tr), 0);
		{
			struct mm_walk_state st;

			mm_walk_init(&st, &c.mm);
			CHECK(mm_walk_seek_leaf(&st, &c.mm, va));
			slot = st.ptep + 7 * f->entry_size;
			pt_entry_store(f, slot, bad); /* not through the model: a corrupt image */
		}
		want = (uint32_t)-PT_EBADENT;
		break;
	case R_UPPER:
		CHECK_EQ(map(&c, va, pa, big, prot, span), 0);
		{
			struct mm_walk_state st;
			struct pt_entry_info d, x;
			uint64_t e;

			mm_walk_init(&st, &c.mm);
			CHECK(mm_walk_seek_leaf(&st, &c.mm, va));
			slot = st.path[level + 1].table +
			       (size_t)mm_walk_index(&st, level + 1) * f->entry_size;
			e = pt_entry_load(f, slot);
			pt_format_decode(f, e, level + 1, &d);
			/* The one-bit change of the table entry that takes PT_W away, if any. */
			for (int b = 0; b < 64 && !bad; b++) {
				pt_format_decode(f, e ^ (1ull << b), level + 1, &x);
				if (x.kind == PT_ENTRY_TABLE && x.pa == d.pa && (d.prot & PT_W) &&
				    !(x.prot & PT_W))
					bad = e ^ (1ull << b);
			}
			if (!bad) { /* the format's table entries carry no rights */
				n_skipped++;
				n_refused--;
				slot = NULL;
				return ctx_fini(&c);
			}
			pt_entry_store(f, slot, bad); /* not through the model: a foreign image */
			bad = e;		      /* what to put back */
		}
		break;
	case R_UNMAPPED:
		want = (uint32_t)-PT_ENOENT;
		break;
	default:
		break;
	}
	snap_take(&c, &s);
	gather(&c, &g);
	err = pt_collapse(&c.mm, va, &g);
	CHECK(!g.pending && !g.nr_free && !g.flushes);
	CHECK_EQ(g.err_va, va);
	tlb_model_op_end(&c.t, &g);
	pt_gather_flush(&g);
	if (!CHECK_EQ((uint32_t)err, want))
		fprintf(stderr, "%s level %d: refusal %s\n", f->name, level, refusal_name[r]);
	if (!CHECK(snap_same(&c, &s)))
		fprintf(stderr, "%s level %d: refusal %s changed the tables\n", f->name, level,
			refusal_name[r]);
	if (slot)
		pt_entry_store(f, slot, r == R_UPPER ? bad : 0);
	return ctx_fini(&c);
}

/* The top: a leaf at the highest leaf level has no level above to go to. */
static unsigned long top(const struct pt_format *f)
{
	struct ctx c;
	struct pt_gather g;
	struct snap s;
	int h = f->levels - 1;
	uint64_t size;

	while (h > 0 && !f->leaf_ok[h])
		h--;
	size = pt_level_size(f, h);
	if (2 * size > (1ull << f->half_bits) || 2 * size > (1ull << f->pa_bits) ||
	    !ctx_init(&c, f, "top", h))
		return 0;
	n_top++;
	CHECK_EQ(map(&c, size, size, size, norm(f, PT_R), size), 0);
	snap_take(&c, &s);
	CHECK_EQ(collapse(&c, size, &g), -PT_EINVAL);
	CHECK(snap_same(&c, &s));
	return ctx_fini(&c);
}

/*
 * Repeat to go higher: a level-(l+1) table of level-l tables collapses table by table into
 * level-(l+1) leaves, then into one level-(l+2) leaf. Only where it fits the arena.
 */
static unsigned long chain(const struct pt_format *f, int level)
{
	struct ctx c;
	struct pt_gather g;
	struct pt_translation tr;
	uint64_t mid = pt_level_size(f, level + 1), big, va, pa;
	uint32_t n = 1u << f->index_bits[level + 1];

	if (level + 2 >= f->levels || !f->leaf_ok[level + 2] ||
	    (uint64_t)n * pt_table_bytes(f, level) > ARENA_SIZE / 4 ||
	    !place(f, level + 1, &va, &pa) || !ctx_init(&c, f, "chain", level))
		return 0;
	big = pt_level_size(f, level + 2);
	n_chain++;
	CHECK_EQ(map(&c, va, pa, big, norm(f, PT_R | PT_X), pt_level_size(f, level)), 0);
	for (uint32_t i = 0; i < n; i++)
		if (!CHECK_EQ(collapse(&c, va + i * mid, &g), 0))
			break;
	CHECK_EQ(pt_translate(&c.mm, va + big - 1, &tr), 0);
	CHECK_EQ(tr.size, mid);
	CHECK_EQ(collapse(&c, va + big / 3, &g), 0);
	CHECK_EQ(pt_translate(&c.mm, va + big / 3, &tr), 0);
	CHECK_EQ(tr.size, big);
	CHECK_EQ(tr.pa, pa + big / 3);
	CHECK_EQ(c.a.live, 1 + (f->two_roots ? 1 : 0) + (f->levels - 2 - (level + 1)));
	return ctx_fini(&c);
}

/* The upper half (arm64 TTBR1, ppc64 quadrant 3, x86 / RISC-V sign-extended VAs) too. */
static unsigned long upper(const struct pt_format *f)
{
	struct ctx c;
	struct pt_gather g;
	struct pt_translation tr;
	uint64_t span = pt_level_size(f, 0), big = pt_level_size(f, 1);
	uint64_t va = f->half_base[1] + 4 * big, pa = 8 * big;

	if (!f->leaf_ok[1] || 8 * big > (1ull << f->half_bits) || !ctx_init(&c, f, "upper half", 0))
		return 0;
	CHECK_EQ(map(&c, va, pa, big, norm(f, PT_R | PT_W), span), 0);
	CHECK_EQ(collapse(&c, va + 7 * span, &g), 0);
	CHECK_EQ(g.tables_freed, 1);
	CHECK_EQ(pt_translate(&c.mm, va + 7 * span + 5, &tr), 0);
	CHECK_EQ(tr.pa, pa + 7 * span + 5);
	CHECK_EQ(tr.size, big);
	return ctx_fini(&c);
}

/* The window's translations, normalized (young / dirty left out: collapse ORs them). */
static struct model window(struct ctx *c, uint64_t va, uint64_t size)
{
	struct model m = { 0 };

	CHECK_EQ(model_from_tree(&m, &c->mm, va, va + size - 1, PT_PROT_REQUEST & ~(uint32_t)AD),
		 0);
	model_normalize(&m);
	return m;
}

static bool model_same(const struct model *x, const struct model *y)
{
	if (x->n != y->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (!iv_eq(&x->v[i], &y->v[i]))
			return false;
	return true;
}

/*
 * A random tree: level-1 sized regions mapped with the small leaves (some as group members,
 * some with a PA off by one page, three kinds of rights), single pages protected or unmapped.
 * Then pt_collapse on every table until none collapses: a success keeps every translation
 * of the window, a refusal is -PT_ENOENT / -PT_EINVAL and changes no byte.
 */
static unsigned long sweep(const struct pt_format *f, uint64_t seed)
{
	struct ctx c;
	struct pt_gather g;
	uint64_t span = pt_level_size(f, 0), mid = pt_level_size(f, 1), w = 8 * mid, va, pa;
	uint32_t prots[3] = { PT_R | PT_W, PT_R, PT_R | PT_X };
	bool more = true;

	seed = seed * 0x9e3779b97f4a7c15ull + 1;
	va = 16 * mid;
	pa = 64 * mid;
	if (!f->leaf_ok[1] || 2 * va > (1ull << f->half_bits) || 2 * pa > (1ull << f->pa_bits) ||
	    !ctx_init(&c, f, "sweep", 0))
		return 0;
	for (uint64_t i = 0; i < 8; i++) {
		uint64_t r = rnd(&seed), sizes = span, off = 0;

		if (r % 8 == 0)
			continue; /* a hole */
		if (f->contig[0] > 1 && (r >> 3) % 3 == 0)
			sizes |= span * f->contig[0];
		if ((r >> 5) % 6 == 0)
			off = span * f->contig[0]; /* not aligned to mid */
		if (!CHECK_EQ(map(&c, va + i * mid, pa + i * mid + off, mid, prots[(r >> 8) % 3],
				  sizes),
			      0))
			fprintf(stderr, "%s: map 0x%llx -> 0x%llx prot 0x%x sizes 0x%llx\n",
				f->name, (unsigned long long)(va + i * mid),
				(unsigned long long)(pa + i * mid + off), prots[(r >> 8) % 3],
				(unsigned long long)sizes);
		if ((r >> 10) % 4 == 0) {
			uint64_t p = va + i * mid + (r >> 12) % (mid / span) * span;

			gather(&c, &g);
			if ((r >> 40) % 2)
				pt_protect(&c.mm, p, span, PT_R | PT_USER, &g);
			else
				pt_unmap(&c.mm, p, span, &g);
			done(&c, &g);
		}
	}
	while (more) {
		more = false;
		{
			for (uint64_t at = va; at < va + w; at += mid) {
				uint64_t x = at + rnd(&seed) % (mid / span) * span;
				struct model before = window(&c, va, w), after;
				struct snap sn;
				int r;

				snap_take(&c, &sn);
				r = collapse(&c, x, &g);
				after = window(&c, va, w);
				CHECK(model_same(&before, &after));
				if (r) {
					CHECK(r == -PT_ENOENT || r == -PT_EINVAL);
					CHECK(snap_same(&c, &sn));
					n_sweep_refused++;
				} else {
					free(sn.bytes);
					n_sweep_ok++;
					more = true;
				}
				free(before.v);
				free(after.v);
			}
		}
	}
	return ctx_fini(&c);
}

int main(void)
{
	unsigned long total = 0;

	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);
		unsigned long v = 0, pairs = 0;

		n_plain = n_groups = n_ad = n_refused = n_chain = n_top = n_skipped = 0;
		n_sweep_ok = n_sweep_refused = 0;

		for (int l = 0; l + 1 < f->levels; l++) {
			if (!f->leaf_ok[l] || !f->leaf_ok[l + 1])
				continue;
			pairs++;
			for (int r = 0; r < R_COUNT; r++)
				v += refuse(f, l, (enum refusal)r);
			v += good(f, l, false);
			if (f->contig[l] > 1)
				v += good(f, l, true);
			v += young_dirty(f, l);
			v += chain(f, l);
		}
		v += top(f);
		v += upper(f);
		for (uint64_t seed = 1; seed <= 6; seed++)
			v += sweep(f, seed);
		printf("%s: %lu levels collapse: %lu plain, %lu of groups, %lu young/dirty, %lu "
		       "chains, %lu refusals, %lu top, %lu skipped; random trees: %lu collapsed, %lu "
		       "refused; TLB model violations %lu\n",
		       f->name, pairs, n_plain, n_groups, n_ad, n_chain, n_refused, n_top,
		       n_skipped, n_sweep_ok, n_sweep_refused, v);
		total += v;
	}
	CHECK_EQ(total, 0);
	return CHECK_DONE();
}
