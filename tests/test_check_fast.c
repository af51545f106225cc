// SPDX-License-Identifier: MIT
/*
 * The fast paths against the formats' full decode, on entries they were not built for
 * (issue 13 item 5): every shortcut of the walker and the range operations (the inline
 * iteration window, the near re-seek, the trusted translate, the leaf runs of map /
 * unmap / protect) must answer what a slow walk through pt_format_decode answers.
 *
 * For every format a tree is built with plain base pages, contiguous / NAPOT groups next
 * to plain pages of the same rights, huge leaves and (where the format has them) groups
 * of huge leaves. Then one entry at a time (a plain page, a group member, a huge leaf, a
 * huge group member) is replaced by each of its 64 one-bit mutants, written raw into the
 * arena: reserved encodings (a riscv Svnapot member whose ppn[3:0] is no longer 1000),
 * a lone contiguous bit, an x86 PAT bit in a 2M leaf, other output addresses, cleared
 * valid bits. Mutants that decode as a table are left out (the arena is trusted: its
 * table pointers are not checked). On each tree the test iterates, seeks (fresh and
 * near), translates, protects, unmaps and maps, and compares every answer with the
 * reference below, which knows nothing but pt_format_decode. Built a second time against
 * the PTKIT_CHECK_FAST core (ctest label checkfast), the same runs also trap on any
 * shortcut that disagrees with the decode of the entry it took.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ptkit/mem.h"
#include "ptkit/ptkit.h"

#define ARENA_BASE 0x100000000ull
#define ARENA_SIZE (16ull << 20)
#define VA0 0x40000000ull
/*
 * pa = va + pa_off: aligned to every group size, and with the two top bits of the format's
 * output address set, so a decode that loses the high OA bits (arm64 LPA2 OA[51:50] in
 * bits 9:8, LPA OA[51:48] in bits 15:12) or mixes them up is caught.
 */
static uint64_t pa_off;

/* ---- the reference: a slow walk through pt_format_decode ------------------------------ */

/* What the tree says about one address. */
struct view {
	int kind; /* enum pt_entry_kind of the entry that stops the walk */
	int level;
	uint64_t entry;
	uint64_t leaf_pa; /* LEAF: output address of the entry (group members: their own part) */
	uint32_t prot;	  /* LEAF: PT_* bits of the entry */
	uint64_t group;	  /* LEAF: bytes of its group (== its size when none) */
};

struct fx {
	struct pt_arena a;
	struct pt_mm mm;
	struct pt_gather g;
	const struct pt_format *f;
	uint64_t pg, tbl; /* base page size; VA span of a level-0 table */
	uint64_t grp0;	  /* first page of the level-0 groups (in pages from VA0), 0: none */
	uint64_t end0;	  /* end of the level-0 region (pages from VA0) */
	uint64_t huge;	  /* VA of the huge leaves (0: level 1 holds none), two of them */
	uint64_t huge_grp, huge_grp_size; /* VA and bytes of a level-1 group (0: none) */
};

static uint64_t span(const struct pt_format *f, int level)
{
	return 1ull << f->shift[level];
}

static uint8_t *host(struct fx *x, uint64_t pa)
{
	return x->a.mem.bytes + (pa - x->a.mem.base);
}

/* Output address of leaf e (decoded as d) of `level` for the entry that maps va. */
static uint64_t ref_leaf_pa(const struct pt_format *f, const struct pt_entry_info *d, int level,
			    uint64_t va)
{
	uint64_t s = span(f, level), gsize = s * d->contig;
	return (d->pa & ~(gsize - 1)) + (va & (gsize - 1) & ~(s - 1));
}

static struct view ref_lookup(struct fx *x, uint64_t va)
{
	const struct pt_format *f = x->f;
	uint64_t table = x->mm.root[0];
	struct view v = { 0 };

	for (int l = f->levels - 1; l >= 0; l--) {
		uint32_t idx = (uint32_t)(va >> f->shift[l]) & ((1u << f->index_bits[l]) - 1);
		uint64_t e = pt_entry_load(f, host(x, table) + (size_t)idx * 8);
		struct pt_entry_info d;

		pt_format_decode(f, e, l, &d);
		v.kind = d.kind;
		v.level = l;
		v.entry = e;
		if (d.kind == PT_ENTRY_TABLE && l > 0) {
			table = d.pa; /* no table mutants: every pointer is one ptkit wrote */
			continue;
		}
		if (d.kind == PT_ENTRY_LEAF) {
			v.leaf_pa = ref_leaf_pa(f, &d, l, va);
			v.prot = d.prot;
			v.group = span(f, l) * d.contig;
		}
		break;
	}
	return v;
}

/* A leaf an iteration reports. */
struct step {
	uint64_t va, pa, group, entry;
	int level;
	uint32_t prot;
};

#define MAX_STEPS 4096

struct steps {
	struct step v[MAX_STEPS];
	int n, err;
};

static void ref_iter_table(struct fx *x, uint64_t table, int l, uint64_t base, uint64_t start,
			   uint64_t last, struct steps *out)
{
	const struct pt_format *f = x->f;
	uint32_t n = 1u << f->index_bits[l];

	for (uint32_t i = 0; i < n && !out->err; i++) {
		uint64_t va = base + (uint64_t)i * span(f, l), elast = va + span(f, l) - 1;
		uint64_t e = pt_entry_load(f, host(x, table) + (size_t)i * 8);
		struct pt_entry_info d;

		if (elast < start || va > last)
			continue;
		pt_format_decode(f, e, l, &d);
		if (d.kind == PT_ENTRY_BAD) {
			out->err = -PT_EBADENT;
		} else if (d.kind == PT_ENTRY_TABLE && l > 0) {
			ref_iter_table(x, d.pa, l - 1, va, start, last, out);
		} else if (d.kind == PT_ENTRY_LEAF && out->n < MAX_STEPS) {
			out->v[out->n++] = (struct step){ va < start ? start : va,
							  ref_leaf_pa(f, &d, l, va),
							  span(f, l) * d.contig,
							  e,
							  l,
							  d.prot };
		}
	}
}

/* Every leaf overlapping [start, end) in address order, up to the first bad entry. */
static void ref_iter(struct fx *x, uint64_t start, uint64_t end, struct steps *out)
{
	out->n = 0;
	out->err = 0;
	ref_iter_table(x, x->mm.root[0], x->f->levels - 1, 0, start, end - 1, out);
}

static void fast_iter(struct fx *x, uint64_t start, uint64_t end, struct steps *out)
{
	struct mm_walk_state st;

	out->n = 0;
	mm_walk_init(&st, &x->mm);
	for_each_pt_leaf (&st, &x->mm, start, end) {
		if (out->n == MAX_STEPS)
			break;
		out->v[out->n++] = (struct step){
			st.va,	  mm_walk_leaf_pa(&st), mm_walk_group_size(&st), st.entry,
			st.level, mm_walk_prot(&st)
		};
	}
	out->err = st.err;
}

/* ---- the trees ----------------------------------------------------------------------- */

static bool map(struct fx *x, uint64_t va, uint64_t size, uint32_t prot, uint64_t page_sizes)
{
	struct pt_map_req req = {
		.va = va, .pa = va + pa_off, .size = size, .prot = prot, .page_sizes = page_sizes
	};
	return CHECK_EQ(pt_map(&x->mm, &req, &x->g), 0);
}

/*
 * Pages [0, 64) of VA0 plain and writable; level-0 groups (the same rights) after them
 * where the format has them, 16 plain user pages after those; two huge leaves and a group
 * of huge leaves where level 1 has them.
 */
static bool fx_build(struct fx *x)
{
	const struct pt_format *f = x->f;
	uint32_t c0 = f->contig[0], c1 = f->contig[1];
	bool ok = true;

	if (!CHECK_EQ(pt_mm_init(&x->mm, f, &x->a.mem), 0))
		return false;
	pt_gather_init(&x->g, &x->mm);
	x->pg = span(f, 0);
	x->tbl = span(f, 1);
	ok &= map(x, VA0, 64 * x->pg, PT_R | PT_W, x->pg);
	x->grp0 = 0;
	x->end0 = 64;
	if (c0 > 1) {
		x->grp0 = (64 + c0 - 1) / c0 * c0;
		ok &= map(x, VA0 + x->grp0 * x->pg, 2 * c0 * x->pg, PT_R | PT_W, c0 * x->pg);
		x->end0 = x->grp0 + 2 * c0;
	}
	ok &= map(x, VA0 + x->end0 * x->pg, 16 * x->pg, PT_R | PT_USER, x->pg);
	x->end0 += 16;
	x->huge = x->huge_grp = x->huge_grp_size = 0;
	if (f->leaf_ok[1]) {
		uint64_t hb = VA0 + (x->end0 * x->pg + x->tbl - 1) / x->tbl * x->tbl + x->tbl;

		x->huge = hb;
		ok &= map(x, hb, 2 * x->tbl, PT_R | PT_X, x->tbl);
		if (c1 > 1) {
			uint64_t gs = c1 * x->tbl;

			x->huge_grp = (hb + 3 * x->tbl + gs - 1) / gs * gs;
			x->huge_grp_size = gs;
			ok &= map(x, x->huge_grp, gs, PT_R | PT_W, gs);
		}
	}
	pt_gather_flush(&x->g);
	return ok;
}

static uint64_t fx_end(const struct fx *x)
{
	if (x->huge_grp)
		return x->huge_grp + x->huge_grp_size;
	if (x->huge)
		return x->huge + 2 * x->tbl;
	return VA0 + x->end0 * x->pg;
}

/* Addresses the checks look at: every base page of the level-0 region, 4 per huge entry. */
#define MAX_SAMPLES 1024

static int samples(const struct fx *x, uint64_t *s)
{
	int n = 0;

	for (uint64_t i = 0; i < x->end0 + 2 && n < MAX_SAMPLES; i++)
		s[n++] = VA0 + i * x->pg + (i & 1) * 8;
	if (x->huge)
		for (uint64_t va = x->huge; va < fx_end(x) && n < MAX_SAMPLES; va += x->tbl / 4)
			s[n++] = va + ((va / (x->tbl / 4)) & 1) * x->pg;
	return n;
}

/* ---- the checks ---------------------------------------------------------------------- */

static const char *cur; /* what is being checked, for failure messages */

static bool same_step(const struct step *a, const struct step *b)
{
	return a->va == b->va && a->pa == b->pa && a->group == b->group && a->entry == b->entry &&
	       a->level == b->level && a->prot == b->prot;
}

static void check_iter(struct fx *x, uint64_t start, uint64_t end)
{
	static struct steps want, got;

	ref_iter(x, start, end, &want);
	fast_iter(x, start, end, &got);
	if (!CHECK_EQ(got.err, want.err) || !CHECK_EQ(got.n, want.n)) {
		fprintf(stderr, "  ^ %s: iteration [0x%llx, 0x%llx)\n", cur,
			(unsigned long long)start, (unsigned long long)end);
		return;
	}
	for (int i = 0; i < got.n; i++) {
		if (!CHECK(same_step(&got.v[i], &want.v[i]))) {
			fprintf(stderr,
				"  ^ %s: iteration step %d: va 0x%llx pa 0x%llx level %d prot 0x%x "
				"group 0x%llx, decode says pa 0x%llx level %d prot 0x%x group 0x%llx\n",
				cur, i, (unsigned long long)got.v[i].va,
				(unsigned long long)got.v[i].pa, got.v[i].level, got.v[i].prot,
				(unsigned long long)got.v[i].group,
				(unsigned long long)want.v[i].pa, want.v[i].level, want.v[i].prot,
				(unsigned long long)want.v[i].group);
			return;
		}
	}
}

/* A seek by st (which may stand near va: the near path) against the reference. */
static bool check_seek(struct fx *x, struct mm_walk_state *st, uint64_t va)
{
	struct view v = ref_lookup(x, va);
	uint64_t from = st->va;
	bool leaf = mm_walk_seek_leaf(st, &x->mm, va);
	bool ok = CHECK_EQ(leaf, v.kind == PT_ENTRY_LEAF) &&
		  CHECK_EQ(st->err, v.kind == PT_ENTRY_BAD ? -PT_EBADENT : 0) &&
		  CHECK_EQ(st->level, v.level) && CHECK_EQ(st->entry, v.entry);

	if (ok && leaf)
		ok = CHECK_EQ(mm_walk_leaf_pa(st), v.leaf_pa) &&
		     CHECK_EQ(mm_walk_prot(st), v.prot) &&
		     CHECK_EQ(mm_walk_group_size(st), v.group);
	if (!ok)
		fprintf(stderr, "  ^ %s: seek 0x%llx (from a state at 0x%llx)\n", cur,
			(unsigned long long)va, (unsigned long long)from);
	return ok;
}

static bool check_translate(struct fx *x, uint64_t va)
{
	struct view v = ref_lookup(x, va);
	struct pt_translation tr;
	int r = pt_translate(&x->mm, va, &tr);
	bool ok = CHECK_EQ(r, v.kind == PT_ENTRY_LEAF && !pt_prot_none(v.prot) ? 0
			      : v.kind == PT_ENTRY_BAD			       ? -PT_EBADENT
									       : -PT_ENOENT) &&
		  CHECK_EQ(tr.level, v.level) && CHECK_EQ(tr.entry, v.entry);

	if (ok && v.kind == PT_ENTRY_LEAF)
		ok = CHECK_EQ(tr.leaf_pa, v.leaf_pa) && CHECK_EQ(tr.prot, v.prot) &&
		     CHECK_EQ(tr.group, v.group);
	if (!ok)
		fprintf(stderr, "  ^ %s: translate 0x%llx\n", cur, (unsigned long long)va);
	return ok;
}

/*
 * Seeks around va (entry size s): forward and backward through its neighbours with one
 * state (each seek near the last), and back and forth between va and each neighbour.
 */
static void check_seeks(struct fx *x, uint64_t va, uint64_t s)
{
	struct mm_walk_state st;
	uint64_t lo = va - 20 * s, hi = va + 20 * s;

	mm_walk_init(&st, &x->mm);
	for (uint64_t a = lo; a <= hi; a += s)
		if (!check_seek(x, &st, a + (a / s % 3) * 8) || !check_translate(x, a))
			return;
	for (uint64_t a = hi; a >= lo; a -= s)
		if (!check_seek(x, &st, a))
			return;
	for (uint64_t a = lo; a <= hi; a += s)
		if (!check_seek(x, &st, a) || !check_seek(x, &st, va + 16) ||
		    !check_seek(x, &st, a + s - 8))
			return;
}

/* The rights a leaf gets from a protect or map with prot, as the format encodes them. */
#define REQ_BITS (PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL | PT_DEVICE | PT_NOCACHE)

static uint32_t encoded_prot(const struct pt_format *f, int level, uint32_t prot)
{
	struct pt_entry_info d;
	uint64_t e;

	if (f->ops.encode_leaf(0, level, prot, &e))
		return ~0u;
	pt_format_decode(f, e, level, &d);
	return d.prot & REQ_BITS;
}

static uint64_t view_pa(const struct view *v, uint64_t va, const struct pt_format *f)
{
	return v->leaf_pa + (va & (span(f, v->level) - 1));
}

enum op { OP_PROTECT, OP_UNMAP, OP_MAP };

/*
 * One operation over [va, va + size) against the reference: the first entry of the range
 * (in address order) that the operation cannot take decides the error, and then nothing
 * changed; else the range holds what was asked and everything else what it held.
 */
static void check_op(struct fx *x, enum op op, uint64_t va, uint64_t size, uint32_t prot)
{
	static uint64_t s[MAX_SAMPLES];
	static struct view before[MAX_SAMPLES];
	const struct pt_format *f = x->f;
	int n = samples(x, s), want = 0, r;
	uint64_t last = va + size - 1;

	for (int i = 0; i < n; i++)
		before[i] = ref_lookup(x, s[i]);
	/* The first entry in the range that fails the operation (whole pages: the samples
	 * hold every base page of the level-0 region and every huge entry). */
	for (uint64_t a = va; a <= last && !want; a += x->pg) {
		struct view v = ref_lookup(x, a);

		if (v.kind == PT_ENTRY_BAD)
			want = -PT_EBADENT;
		else if (op == OP_PROTECT && v.kind == PT_ENTRY_EMPTY)
			want = -PT_ENOENT;
		else if (op == OP_MAP && v.kind == PT_ENTRY_LEAF)
			want = -PT_EEXIST;
		if (v.kind == PT_ENTRY_LEAF || (v.kind == PT_ENTRY_EMPTY && v.level > 0))
			a = (a | (span(f, v.level) - 1)) + 1 - x->pg; /* the rest of the entry */
	}
	if (op == OP_PROTECT) {
		r = pt_protect(&x->mm, va, size, prot, &x->g);
	} else if (op == OP_UNMAP) {
		r = pt_unmap(&x->mm, va, size, &x->g);
	} else {
		struct pt_map_req req = { .va = va, .pa = va + pa_off, .size = size, .prot = prot };
		r = pt_map(&x->mm, &req, &x->g);
	}
	pt_gather_flush(&x->g);
	if (!CHECK_EQ(r, want)) {
		fprintf(stderr, "  ^ %s: op %d over [0x%llx, 0x%llx)\n", cur, op,
			(unsigned long long)va, (unsigned long long)(va + size));
		return;
	}
	for (int i = 0; i < n; i++) {
		struct view v = ref_lookup(x, s[i]), *b = &before[i];
		bool in = s[i] >= va && s[i] <= last, ok;

		if (r || !in) { /* untouched (a group partly in the range may lose its mark) */
			ok = CHECK_EQ(v.kind, b->kind);
			if (ok && r)
				ok = CHECK_EQ(v.entry, b->entry);
			if (ok && v.kind == PT_ENTRY_LEAF)
				ok = CHECK_EQ(view_pa(&v, s[i], f), view_pa(b, s[i], f)) &&
				     CHECK_EQ(v.prot & ~(uint32_t)PT_CONTIG,
					      b->prot & ~(uint32_t)PT_CONTIG);
		} else if (op == OP_UNMAP) {
			ok = CHECK_EQ(v.kind, PT_ENTRY_EMPTY);
		} else {
			ok = CHECK_EQ(v.kind, PT_ENTRY_LEAF) &&
			     CHECK_EQ(view_pa(&v, s[i], f),
				      op == OP_MAP ? s[i] + pa_off : view_pa(b, s[i], f)) &&
			     CHECK_EQ(v.prot & REQ_BITS, encoded_prot(f, v.level, prot));
		}
		if (!ok) {
			fprintf(stderr,
				"  ^ %s: op %d over [0x%llx, 0x%llx) returned %d, at 0x%llx\n", cur,
				op, (unsigned long long)va, (unsigned long long)(va + size), r,
				(unsigned long long)s[i]);
			return;
		}
	}
	check_iter(x, VA0, fx_end(x));
}

/* Everything, on the tree as it stands; `at` (entry size s) is where it was changed. */
static void check_all(struct fx *x, uint64_t at, uint64_t s)
{
	uint64_t end = fx_end(x), pg = x->pg;

	check_iter(x, VA0, end);
	check_iter(x, at - 3 * s + 8, end);
	check_iter(x, at, at + s);
	check_iter(x, VA0 + pg, VA0 + x->end0 * pg - 1);
	check_seeks(x, at, s);
	if (s != pg)
		check_seeks(x, at + s / 2, pg);

	/* A small range around `at` and the whole level-0 region, each op in turn. */
	uint64_t sa = (at & ~(s - 1)) - 2 * s, ss = 5 * s;

	check_op(x, OP_PROTECT, sa, ss, PT_R);
	check_op(x, OP_PROTECT, VA0, x->end0 * pg, PT_R | PT_W | PT_X);
	check_op(x, OP_PROTECT, at & ~(s - 1), s, PT_R | PT_W);
	check_op(x, OP_UNMAP, sa + s, 3 * s, 0);
	check_op(x, OP_MAP, sa + s, 3 * s, PT_R | PT_W);
	check_op(x, OP_UNMAP, VA0 + pg, (x->end0 - 2) * pg, 0);
	check_op(x, OP_MAP, VA0 + pg, (x->end0 - 2) * pg, PT_R);
	if (x->huge)
		check_op(x, OP_UNMAP, x->huge, end - x->huge, 0);
}

/* The entry that maps va, where ptkit built it. */
static uint8_t *entry_at(struct fx *x, uint64_t va, int *level)
{
	struct mm_walk_state st;

	mm_walk_init(&st, &x->mm);
	if (!CHECK(mm_walk_seek_leaf(&st, &x->mm, va)))
		return 0;
	*level = st.level;
	return st.ptep;
}

/* Every one-bit mutant of the entry that maps va, each on a fresh tree. */
static void mutate(struct fx *x, uint64_t va, const char *what)
{
	const struct pt_format *f = x->f;
	static char msg[160];

	for (int b = -1; b < 64; b++) {
		uint8_t *p;
		uint64_t e;
		int level;
		struct pt_entry_info d;

		if (!fx_build(x))
			return;
		p = entry_at(x, va, &level);
		if (!p)
			return;
		e = pt_entry_load(f, p);
		if (b >= 0) { /* b = -1: the tree as built */
			e ^= 1ull << b;
			pt_format_decode(f, e, level, &d);
			if (d.kind == PT_ENTRY_TABLE) {
				pt_mm_destroy(&x->mm);
				continue;
			}
			pt_entry_store(f, p, e);
			pt_mm_bump_gen(&x->mm);
		}
		snprintf(msg, sizeof(msg), "%s: %s 0x%llx, bit %d flipped: 0x%llx", f->name, what,
			 (unsigned long long)va, b, (unsigned long long)e);
		cur = msg;
		check_all(x, va, span(f, level));
		pt_mm_destroy(&x->mm);
		if (!CHECK_EQ(x->a.live, 0))
			return;
	}
}

static void test_format(const struct pt_format *f)
{
	struct fx x;

	memset(&x, 0, sizeof(x));
	x.f = f;
	pa_off = 3ull << (f->pa_bits - 2);
	if (!CHECK_EQ(pt_arena_init(&x.a, ARENA_BASE, ARENA_SIZE), 0))
		return;
	if (fx_build(&x)) { /* the layout, for the addresses below */
		pt_mm_destroy(&x.mm);
		mutate(&x, VA0 + 10 * x.pg, "plain page");
		mutate(&x, VA0 + 63 * x.pg, "last plain page before the groups");
		if (x.grp0) {
			mutate(&x, VA0 + (x.grp0 + 3) * x.pg, "group member");
			mutate(&x, VA0 + x.grp0 * x.pg, "first group member");
		}
		mutate(&x, VA0 + (x.end0 - 5) * x.pg, "user page");
		if (x.huge)
			mutate(&x, x.huge + x.tbl, "huge leaf");
		if (x.huge_grp)
			mutate(&x, x.huge_grp + 5 * x.tbl, "huge group member");
	}
	pt_arena_fini(&x.a);
}

int main(int argc, char **argv)
{
	for (unsigned i = 0; pt_format_at(i); i++)
		if (argc < 2 || !strcmp(argv[1], pt_format_at(i)->name))
			test_format(pt_format_at(i));
	return CHECK_DONE();
}
