/* SPDX-License-Identifier: MIT */
/*
 * diff_engine.h: random map/unmap/protect sequences on a real tree, each step checked
 * against the interval model of model.h. Used by the differential test and, with
 * allocation failures injected at every allocation point, by the atomicity test.
 */
#ifndef PTKIT_TESTS_DIFF_ENGINE_H
#define PTKIT_TESTS_DIFF_ENGINE_H

#include "check.h"
#include "model.h"
#include "tlb_model.h"

#define DIFF_PROT_MASK (PT_R | PT_W | PT_X | PT_USER | PT_GLOBAL | PT_DEVICE | PT_NOCACHE)
#define DIFF_WINDOWS 3
#define DIFF_WINDOW_SIZE (4ull << 30)
#ifndef DIFF_ARENA_SIZE /* the fuzz target (fuzz/fuzz_ops_sequence.c) wants a smaller one */
#define DIFF_ARENA_SIZE (256ull << 20)
#endif

struct diff {
	const struct pt_format *f;
	struct pt_arena a;
	struct pt_mm mm;
	struct model m;
	uint64_t seed;
	uint64_t win[DIFF_WINDOWS]; /* window bases: around a root-entry boundary, low, top */
	bool inject;		    /* fail every allocation point of every step first */
	struct tlb_model *tlb;	    /* optional (diff_tlb): every step checked by the TLB model */
	/* statistics */
	unsigned long steps, ok, expected_fail, injected;
	unsigned long edits, edits_done; /* split / collapse / set_accessed steps; succeeded */
};

static inline void diff_init(struct diff *d, const struct pt_format *f, uint64_t seed, bool inject)
{
	int top = f->levels - 1;
	memset(d, 0, sizeof(*d));
	d->f = f;
	d->seed = seed * 0x9e3779b97f4a7c15ull + 1;
	d->inject = inject;
	/* Around a root-entry boundary (when one fits in the half), low, and the half's top. */
	d->win[0] = f->shift[top] < f->half_bits && (1ull << f->shift[top]) >= DIFF_WINDOW_SIZE
			    ? (1ull << f->shift[top]) - DIFF_WINDOW_SIZE / 2
			    : 8ull << 30;
	d->win[1] = 1ull << 30;
	d->win[2] = pt_half_last(f, 1) - DIFF_WINDOW_SIZE + 1;
	if (pt_arena_init(&d->a, 0x200000, DIFF_ARENA_SIZE) || pt_mm_init(&d->mm, f, &d->a.mem))
		abort();
}

/* Check every step with a TLB model (tlb_model.h) from now on. */
static inline void diff_tlb(struct diff *d, struct tlb_model *t)
{
	tlb_model_attach(t, &d->mm);
	d->tlb = t;
}

static inline void diff_fini(struct diff *d)
{
	if (d->tlb)
		tlb_model_detach(d->tlb);
	pt_mm_destroy(&d->mm);
	CHECK_EQ(d->a.live, 0);
	pt_arena_fini(&d->a);
	free(d->m.v);
}

/* A snapshot of every byte ever handed out, to prove a failed call changed nothing. */
struct snap {
	uint8_t *bytes;
	uint64_t n, live;
};

static inline void snap_take(struct diff *d, struct snap *s)
{
	s->n = d->a.high;
	s->live = d->a.live;
	s->bytes = malloc(s->n ? s->n : 1);
	memcpy(s->bytes, d->a.mem.bytes, s->n);
}

static inline bool snap_same(struct diff *d, struct snap *s)
{
	bool same = d->a.live == s->live && !memcmp(s->bytes, d->a.mem.bytes, s->n);
	free(s->bytes);
	return same;
}

/*
 * OP_SPLIT (pt_split_leaf), OP_COLLAPSE (pt_collapse) and OP_AGE (pt_set_accessed) keep
 * every translation: the model does not change. Whether they succeed depends on the
 * tree's shape, which the model does not know: any of their refusals is accepted, if it
 * left the tables as they were.
 */
enum diff_op { OP_MAP, OP_UNMAP, OP_PROTECT, OP_SPLIT, OP_COLLAPSE, OP_AGE };
#define DIFF_ANY 1 /* diff_expect: the model cannot tell the result */

struct diff_step {
	enum diff_op op;
	struct pt_map_req req;
};

/* A protection as the format stores it: what decoding its own encoding gives back. */
static inline uint32_t diff_normal_prot(const struct pt_format *f, uint32_t prot)
{
	uint64_t e;
	struct pt_entry_info info;
	if (f->ops.encode_leaf(0, 0, prot, &e))
		abort();
	pt_format_decode(f, e, 0, &info);
	return info.prot & DIFF_PROT_MASK;
}

/* Leaf (and group) sizes of the format up to 1G, smallest first. */
static inline unsigned diff_sizes(const struct pt_format *f, uint64_t *out)
{
	unsigned n = 0;
	for (int b = 0; b <= 30; b++)
		if ((f->page_sizes >> b) & 1)
			out[n++] = 1ull << b;
	return n;
}

static inline uint32_t diff_rand_prot(struct diff *d)
{
	uint64_t r = rnd(&d->seed);
	uint32_t p = PT_R;
	if (r & 1)
		p |= PT_W;
	if (r & 2)
		p |= PT_X;
	if (r & 4)
		p |= PT_USER;
	if (r & 8)
		p |= PT_GLOBAL;
	if ((r >> 4) % 8 == 0)
		p |= PT_DEVICE;
	else if ((r >> 4) % 8 == 1)
		p |= PT_NOCACHE;
	return diff_normal_prot(d->f, p);
}

static inline struct diff_step diff_rand_step(struct diff *d)
{
	struct diff_step s;
	uint64_t r = rnd(&d->seed) % 10, g, base, va, n, pa;
	uint64_t wbase = d->win[rnd(&d->seed) % DIFF_WINDOWS];
	uint64_t pick = rnd(&d->seed) % 20;

	memset(&s, 0, sizeof(s));
	s.op = r < 5 ? OP_MAP : r < 7 ? OP_UNMAP : r < 9 ? OP_PROTECT : OP_SPLIT + (pick % 3);
	uint64_t sizes[31], pg;
	unsigned ns = diff_sizes(d->f, sizes);
	/* Mostly the smallest page, then each larger size less often. */
	unsigned k = pick < 8 ? 0 : 1 + (unsigned)(rnd(&d->seed) % (ns > 1 ? ns - 1 : 1));
	pg = sizes[0];
	g = sizes[k < ns ? k : ns - 1];
	va = wbase + rnd(&d->seed) % (DIFF_WINDOW_SIZE / g) * g;
	if (g > pg && rnd(&d->seed) % 4 == 0)
		va += rnd(&d->seed) % 512 * pg % g;
	n = 1 + rnd(&d->seed) % (g == pg ? 64 : g < (64ull << 20) ? 8 : 2);
	base = wbase + DIFF_WINDOW_SIZE - va; /* room left in the window */
	s.req.va = va;
	s.req.size = n * g < base ? n * g : base;
	if (rnd(&d->seed) % 5 == 0) {
		uint64_t cut = rnd(&d->seed) % 16 * pg;
		if (cut < s.req.size)
			s.req.size -= cut;
	}
	/* PA congruent to the VA modulo 1G most of the time, so huge leaves are possible. */
	pa = (rnd(&d->seed) % 4096) << 30;
	if (rnd(&d->seed) % 10 < 7)
		pa |= va & ((1ull << 30) - 1);
	else if (s.req.size > (64ull << 20)) /* big and 2M-congruent: 2M leaves */
		pa |= ((rnd(&d->seed) % 512) << 21) | (va & ((1ull << 21) - 1));
	else
		pa |= (rnd(&d->seed) % (1ull << 18)) * pg % (1ull << 30);
	s.req.pa = pa;
	s.req.prot = diff_rand_prot(d);
	r = rnd(&d->seed) % 10;
	/* Sometimes only the smallest page, or the two smallest sizes, are allowed. */
	s.req.page_sizes = r == 0 ? pg : r == 1 && ns > 1 ? pg | sizes[1] : 0;
	if (s.req.size > (64ull << 20) && s.req.page_sizes == pg)
		s.req.page_sizes = 0; /* keep the tree small enough to compare every step */
	return s;
}

/* PT_YOUNG for bit 0 of r, PT_DIRTY for bit 1. */
static inline uint32_t diff_age_bits(uint64_t r)
{
	return (r & 1 ? PT_YOUNG : 0) | (r & 2 ? PT_DIRTY : 0);
}

static inline int diff_apply(struct diff *d, const struct diff_step *s)
{
	struct pt_gather g;
	int r;
	pt_gather_init(&g, &d->mm);
	if (d->tlb)
		tlb_model_gather(d->tlb, &g);
	if (s->op == OP_MAP)
		r = pt_map(&d->mm, &s->req, &g);
	else if (s->op == OP_UNMAP)
		r = pt_unmap(&d->mm, s->req.va, s->req.size, &g);
	else if (s->op == OP_PROTECT)
		r = pt_protect(&d->mm, s->req.va, s->req.size, s->req.prot, &g);
	else if (s->op == OP_SPLIT)
		r = pt_split_leaf(&d->mm, s->req.va, &g, NULL);
	else if (s->op == OP_COLLAPSE)
		r = pt_collapse(&d->mm, s->req.va, &g);
	else /* young / dirty set or cleared, as bits 12-15 of the random PA say */
		r = pt_set_accessed(
			&d->mm, s->req.va, s->req.size, diff_age_bits(s->req.pa >> 12),
			diff_age_bits(s->req.pa >> 14) & ~diff_age_bits(s->req.pa >> 12), &g);
	if (d->tlb)
		tlb_model_op_end(d->tlb, &g);
	pt_gather_flush(&g);
	return r;
}

/* What the model says the step returns, and the model after it. */
static inline int diff_expect(struct diff *d, const struct diff_step *s)
{
	uint64_t last = s->req.va + s->req.size - 1;
	uint64_t covered;

	if (s->op >= OP_SPLIT)
		return DIFF_ANY;
	covered = model_covered(&d->m, s->req.va, last);
	if (s->op == OP_MAP) {
		if (covered)
			return -PT_EEXIST;
		model_push(&d->m, (struct iv){ s->req.va, last, s->req.pa, s->req.prot });
	} else if (s->op == OP_UNMAP) {
		model_cut(&d->m, s->req.va, last);
	} else {
		struct model part = { 0 };
		if (covered != s->req.size)
			return -PT_ENOENT;
		for (size_t i = 0; i < d->m.n; i++) {
			struct iv x = d->m.v[i];
			uint64_t a = x.va > s->req.va ? x.va : s->req.va;
			uint64_t b = x.last < last ? x.last : last;
			if (a <= b)
				model_push(&part,
					   (struct iv){ a, b, x.pa + (a - x.va), s->req.prot });
		}
		model_cut(&d->m, s->req.va, last);
		for (size_t i = 0; i < part.n; i++)
			model_push(&d->m, part.v[i]);
		free(part.v);
	}
	model_normalize(&d->m);
	return 0;
}

/* After a successful map: no leaf could have been one level larger. */
static inline bool diff_check_largest(struct diff *d, const struct diff_step *s)
{
	struct mm_walk_state st;
	uint64_t last = s->req.va + s->req.size - 1;
	bool ok = true;

	mm_walk_init(&st, &d->mm);
	for_each_pt_leaf (&st, &d->mm, s->req.va, last + 1) {
		int up = st.level + 1;
		uint64_t span, base;
		uint64_t gsize = pt_level_size(d->f, st.level) * d->f->contig[st.level];
		uint64_t gbase = st.va & ~(gsize - 1);

		/* A contiguous group must be used wherever one fits. */
		if (gsize > pt_level_size(d->f, st.level) && mm_walk_group_size(&st) != gsize &&
		    (!s->req.page_sizes || (s->req.page_sizes & gsize)) && gbase >= s->req.va &&
		    gbase + gsize - 1 <= last && !((gbase - s->req.va + s->req.pa) & (gsize - 1))) {
			fprintf(stderr,
				"leaf at 0x%llx is not in a contiguous group but one fits\n",
				(unsigned long long)st.va);
			ok = false;
			break;
		}
		if (up >= d->f->levels || !d->f->leaf_ok[up])
			continue;
		if (s->req.page_sizes && !((s->req.page_sizes >> d->f->shift[up]) & 1))
			continue;
		span = pt_level_size(d->f, up);
		base = st.va & ~(span - 1);
		if (base >= s->req.va && base + span - 1 <= last &&
		    !((base - s->req.va + s->req.pa) & (span - 1))) {
			fprintf(stderr, "leaf at 0x%llx is level %d but level %d fits\n",
				(unsigned long long)st.va, st.level, up);
			ok = false;
			break;
		}
	}
	return ok;
}

/* Compare the whole tree with the model, its structure, and a few translations. */
static inline bool diff_check_tree(struct diff *d)
{
	struct model t = { 0 };
	bool ok = true;
	long tables;

	for (int w = 0; w < DIFF_WINDOWS; w++)
		if (model_from_tree(&t, &d->mm, d->win[w], d->win[w] + DIFF_WINDOW_SIZE - 1,
				    DIFF_PROT_MASK))
			ok = false;
	model_normalize(&t);
	size_t i = 0;
	while (i < t.n && i < d->m.n && iv_eq(&t.v[i], &d->m.v[i]))
		i++;
	if (i != t.n || i != d->m.n) {
		fprintf(stderr, "tree (%zu intervals) != model (%zu) from #%zu", t.n, d->m.n, i);
		if (i < t.n)
			fprintf(stderr, " tree 0x%llx-0x%llx pa 0x%llx prot 0x%x",
				(unsigned long long)t.v[i].va, (unsigned long long)t.v[i].last,
				(unsigned long long)t.v[i].pa, t.v[i].prot);
		if (i < d->m.n)
			fprintf(stderr, " model 0x%llx-0x%llx pa 0x%llx prot 0x%x",
				(unsigned long long)d->m.v[i].va,
				(unsigned long long)d->m.v[i].last,
				(unsigned long long)d->m.v[i].pa, d->m.v[i].prot);
		fprintf(stderr, "\n");
		ok = false;
	}
	free(t.v);
	tables = tree_tables(&d->mm, d->mm.root[0], d->f->levels - 1, true);
	if (d->f->two_roots && d->mm.root[1] != d->mm.root[0])
		tables += tree_tables(&d->mm, d->mm.root[1], d->f->levels - 1, true);
	if (tables < 0 || (uint64_t)tables != d->a.live) {
		fprintf(stderr, "reachable tables %ld != live %llu\n", tables,
			(unsigned long long)d->a.live);
		ok = false;
	}
	for (int i = 0; i < 8; i++) {
		uint64_t va = d->win[rnd(&d->seed) % DIFF_WINDOWS] +
			      (rnd(&d->seed) % (DIFF_WINDOW_SIZE >> 12) << 12) +
			      (rnd(&d->seed) & 0xfff);
		struct pt_translation tr;
		int r = pt_translate(&d->mm, va, &tr);
		size_t k;
		for (k = 0; k < d->m.n; k++)
			if (d->m.v[k].va <= va && va <= d->m.v[k].last)
				break;
		if (k == d->m.n) {
			ok &= CHECK_EQ(r, -PT_ENOENT);
		} else {
			ok &= CHECK_EQ(r, 0);
			ok &= CHECK_EQ(tr.pa, d->m.v[k].pa + (va - d->m.v[k].va));
			ok &= CHECK_EQ(tr.prot & DIFF_PROT_MASK, d->m.v[k].prot);
		}
	}
	return ok;
}

/*
 * Fail the step at every allocation point in turn: each failure must leave the tables
 * untouched. The first attempt that gets through is the real step; its result in *got.
 */
static inline bool diff_inject(struct diff *d, const struct diff_step *s, int *got)
{
	for (uint64_t n = 1;; n++) {
		struct snap sn;
		snap_take(d, &sn);
		d->a.fail_at = n;
		*got = diff_apply(d, s);
		d->a.fail_at = 0;
		if (*got != -PT_ENOMEM) {
			free(sn.bytes);
			return true;
		}
		d->injected++;
		if (!snap_same(d, &sn)) {
			fprintf(stderr, "allocation failure %llu of step %lu changed the tables\n",
				(unsigned long long)n, d->steps);
			return false;
		}
	}
}

/* One random step, checked. False on the first disagreement. */
static inline bool diff_step(struct diff *d)
{
	struct diff_step s = diff_rand_step(d);
	int want, got;
	struct snap sn;
	unsigned long tlb_bad = d->tlb ? d->tlb->violations : 0;

	d->steps++;
	want = diff_expect(d, &s);
	if (want == DIFF_ANY) {
		d->edits++;
		snap_take(d, &sn);
		if (d->inject) { /* every allocation failure first (each checked), then the step */
			if (!diff_inject(d, &s, &got))
				return false;
		} else {
			got = diff_apply(d, &s);
		}
		if (!got) {
			free(sn.bytes);
		} else if (!snap_same(d, &sn)) {
			fprintf(stderr, "%s step %lu: refused edit %d (%d) changed the tables\n",
				d->f->name, d->steps, s.op, got);
			return false;
		}
		if (!got)
			d->edits_done++;
		else if (!CHECK(got == -PT_EINVAL || got == -PT_ENOENT))
			fprintf(stderr, "%s step %lu: edit %d returned %d\n", d->f->name, d->steps,
				s.op, got);
		want = got;
	} else if (d->inject && !want) {
		/* Every allocation point fails first; the last attempt is the real step. */
		if (!diff_inject(d, &s, &got))
			return false;
	} else if (want) {
		snap_take(d, &sn);
		got = diff_apply(d, &s);
		if (!snap_same(d, &sn)) {
			fprintf(stderr, "failed step changed the tables\n");
			return false;
		}
	} else {
		got = diff_apply(d, &s);
	}
	if (!CHECK_EQ(got, want)) {
		fprintf(stderr, "%s step %lu: op %d va 0x%llx size 0x%llx pa 0x%llx\n", d->f->name,
			d->steps, s.op, (unsigned long long)s.req.va,
			(unsigned long long)s.req.size, (unsigned long long)s.req.pa);
		return false;
	}
	if (d->tlb && d->tlb->violations != tlb_bad && d->tlb->reported <= TLB_MAX_REPORT)
		fprintf(stderr, "%s step %lu (TLB model): op %d va 0x%llx size 0x%llx prot 0x%x\n",
			d->f->name, d->steps, s.op, (unsigned long long)s.req.va,
			(unsigned long long)s.req.size, s.req.prot);
	if (got)
		d->expected_fail++;
	else
		d->ok++;
	if (!got && s.op == OP_MAP && !diff_check_largest(d, &s))
		return false;
	if (!diff_check_tree(d)) {
		fprintf(stderr, "%s step %lu: op %d va 0x%llx size 0x%llx pa 0x%llx prot 0x%x\n",
			d->f->name, d->steps, s.op, (unsigned long long)s.req.va,
			(unsigned long long)s.req.size, (unsigned long long)s.req.pa, s.req.prot);
		return false;
	}
	return true;
}

/* Unmap every window: only the roots may be left. */
static inline bool diff_drain(struct diff *d)
{
	struct pt_gather g;
	bool ok = true;
	pt_gather_init(&g, &d->mm);
	if (d->tlb)
		tlb_model_gather(d->tlb, &g);
	for (int w = 0; w < DIFF_WINDOWS; w++)
		ok &= CHECK_EQ(pt_unmap(&d->mm, d->win[w], DIFF_WINDOW_SIZE, &g), 0);
	if (d->tlb)
		tlb_model_op_end(d->tlb, &g);
	pt_gather_flush(&g);
	ok &= CHECK_EQ(d->a.live, d->f->two_roots ? 2 : 1);
	d->m.n = 0;
	return ok;
}

#endif
