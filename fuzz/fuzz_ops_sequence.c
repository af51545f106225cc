/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: operation sequences on a fresh tree (docs/FUZZING.md).
 *
 * The input chooses a format, then up to FUZZ_MAX_OPS operations — pt_map, pt_unmap,
 * pt_protect, pt_split_leaf (and its undo), pt_set_accessed, pt_collapse — each with the
 * allocations it makes failing as the input says. Every step is checked as
 * tests/test_ops_differential.c checks its random ones, with the same engine (tests/diff_engine.h):
 * the interval model (tests/model.h) predicts the result and the mappings after it; a failed call
 * must leave the tables byte-identical (a snapshot of the arena); the TLB model (tests/tlb_model.h)
 * sees every store, flush and freed table. Any disagreement aborts.
 *
 * Input: u8 format (modulo the number of formats), then 16-byte operations:
 *   u8 op, u8 flags, u16 fail (bit k: the k-th allocation of this operation fails),
 *   u8 size class, u8 count, u32 VA (in units of the size), u16 PA, u8 rights, u8 extra,
 *   u16 offset.
 */
#define DIFF_ARENA_SIZE (16ull << 20)
#include "diff_engine.h"

#define FUZZ_MAX_OPS 48

enum fuzz_op {
	FUZZ_MAP,
	FUZZ_UNMAP,
	FUZZ_PROTECT,
	FUZZ_SPLIT,
	FUZZ_ACCESSED,
	FUZZ_COLLAPSE,
	FUZZ_NR_OPS
};

/* The allocation hook: fails the allocations the current operation's mask names. */
static int (*arena_alloc)(struct pt_mem *mem, uint64_t size, uint64_t *pa);
static uint16_t fail_mask;
static unsigned alloc_calls;
static bool alloc_failed; /* an allocation failed in this operation (injected or real) */

static int fuzz_alloc(struct pt_mem *mem, uint64_t size, uint64_t *pa)
{
	unsigned k = alloc_calls++;
	int r;

	if (k < 16 && (fail_mask >> k) & 1) {
		alloc_failed = true;
		return -PT_ENOMEM;
	}
	r = arena_alloc(mem, size, pa);
	if (r)
		alloc_failed = true;
	return r;
}

static void op_begin(uint16_t mask)
{
	fail_mask = mask;
	alloc_calls = 0;
	alloc_failed = false;
}

/* Allocations succeed again (alloc_failed still tells about the operation). */
static void op_end(void)
{
	fail_mask = 0;
}

struct fuzz_reader {
	const uint8_t *p;
	size_t n;
};

static uint64_t rd(struct fuzz_reader *r, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes && r->n; i++, r->p++, r->n--)
		v |= (uint64_t)*r->p << (8 * i);
	return v;
}

/* One decoded operation. */
struct fuzz_step {
	enum fuzz_op op;
	struct pt_map_req req; /* va, size, pa, prot, page_sizes */
	uint16_t fail;
	uint8_t flags, extra;
};

static _Noreturn void bug(struct diff *d, const struct fuzz_step *s, const char *what)
{
	fprintf(stderr,
		"fuzz_ops_sequence: %s step %lu: %s (op %d va 0x%llx size 0x%llx pa 0x%llx prot "
		"0x%x page_sizes 0x%llx fail 0x%x)\n",
		d->f->name, d->steps, what, s->op, (unsigned long long)s->req.va,
		(unsigned long long)s->req.size, (unsigned long long)s->req.pa, s->req.prot,
		(unsigned long long)s->req.page_sizes, s->fail);
	abort();
}

/* Decode 16 input bytes into an operation inside one of the engine's windows. */
static struct fuzz_step decode_step(struct diff *d, struct fuzz_reader *in)
{
	struct fuzz_step s;
	uint64_t sizes[31], g, pg, wbase, room;
	unsigned ns = diff_sizes(d->f, sizes), n;
	uint8_t rights;
	uint16_t pa16, off;

	memset(&s, 0, sizeof(s));
	s.op = (enum fuzz_op)(rd(in, 1) % FUZZ_NR_OPS);
	s.flags = (uint8_t)rd(in, 1);
	s.fail = (uint16_t)rd(in, 2);
	g = sizes[rd(in, 1) % ns];
	pg = sizes[0];
	n = (unsigned)rd(in, 1);
	wbase = d->win[s.flags % DIFF_WINDOWS];
	s.req.va = wbase + rd(in, 4) % (DIFF_WINDOW_SIZE / g) * g;
	pa16 = (uint16_t)rd(in, 2);
	rights = (uint8_t)rd(in, 1);
	s.extra = (uint8_t)rd(in, 1);
	off = (uint16_t)rd(in, 2);
	if (g > pg && (s.flags & 0x10)) /* not aligned to the size class */
		s.req.va += off % 512 * pg % g;
	n = 1 + n % (g == pg ? 64 : g < (64ull << 20) ? 8 : 2);
	room = wbase + DIFF_WINDOW_SIZE - s.req.va;
	s.req.size = (uint64_t)n * g < room ? (uint64_t)n * g : room;
	if ((s.flags & 0x20) && (uint64_t)(off >> 9) * pg < s.req.size)
		s.req.size -= (uint64_t)(off >> 9) * pg;
	/* PA congruent to the VA modulo 1G (huge leaves possible) or modulo the page. */
	s.req.pa = (uint64_t)(pa16 % 4096) << 30;
	if (s.flags & 0x40)
		s.req.pa |= (uint64_t)(pa16 >> 4) * pg % (1ull << 30);
	else
		s.req.pa |= s.req.va & ((1ull << 30) - 1);
	s.req.prot = PT_R | (rights & 1 ? PT_W : 0) | (rights & 2 ? PT_X : 0) |
		     (rights & 4 ? PT_USER : 0) | (rights & 8 ? PT_GLOBAL : 0) |
		     ((rights >> 4) % 8 == 0   ? PT_DEVICE
		      : (rights >> 4) % 8 == 1 ? PT_NOCACHE
					       : 0);
	s.req.prot = diff_normal_prot(d->f, s.req.prot);
	switch ((s.flags >> 2) & 3) {
	case 1:
		s.req.page_sizes = pg;
		break;
	case 2:
		s.req.page_sizes = ns > 1 ? pg | sizes[1] : 0;
		break;
	default:
		s.req.page_sizes = 0;
	}
	/*
	 * Keep the tree small: at most 512 leaves of the smallest size per operation, when only
	 * that size is allowed or the PA rules out larger leaves (the TLB model's checks grow
	 * with the square of the entries an operation rewrites).
	 */
	if ((s.req.page_sizes == pg || (s.flags & 0x40)) && s.req.size > 512 * pg)
		s.req.size = 512 * pg;
	return s;
}

static void check_tlb(struct diff *d, const struct fuzz_step *s, unsigned long before)
{
	if (d->tlb->violations != before)
		bug(d, s, "TLB model violation");
}

static void check_tree(struct diff *d, const struct fuzz_step *s)
{
	if (!diff_check_tree(d) || check_failures)
		bug(d, s, "tree differs from the model");
}

/* map / unmap / protect: the model's answer, or -PT_ENOMEM with nothing changed. */
static void step_range(struct diff *d, const struct fuzz_step *s)
{
	static const enum diff_op ops[] = { OP_MAP, OP_UNMAP, OP_PROTECT };
	struct diff_step ds = { ops[s->op], s->req };
	struct model saved = { 0 };
	struct snap sn;
	int want, got;

	for (size_t i = 0; i < d->m.n; i++)
		model_push(&saved, d->m.v[i]);
	want = diff_expect(d, &ds);
	snap_take(d, &sn);
	op_begin(s->fail);
	got = diff_apply(d, &ds);
	op_end();
	if (got == want && !got) {
		free(sn.bytes);
	} else if (got == want || (got == -PT_ENOMEM && alloc_failed)) {
		if (!snap_same(d, &sn))
			bug(d, s, "a failed call changed the tables");
		if (got != want) { /* back to the model before the step */
			free(d->m.v);
			d->m = saved;
			saved.v = NULL;
		}
	} else {
		fprintf(stderr, "returned %d, the model says %d\n", got, want);
		free(sn.bytes);
		bug(d, s, "wrong result");
	}
	free(saved.v);
	if (!got && s->op == FUZZ_MAP && !diff_check_largest(d, &ds))
		bug(d, s, "a leaf could have been larger");
}

/* One gather through the TLB model around a call. */
static void gather_begin(struct diff *d, struct pt_gather *g)
{
	pt_gather_init(g, &d->mm);
	tlb_model_gather(d->tlb, g);
}

static void gather_end(struct diff *d, struct pt_gather *g)
{
	tlb_model_op_end(d->tlb, g);
	pt_gather_flush(g);
}

/*
 * Split (undo given) or collapse at va through the TLB model, with the step's allocation
 * failures; a refusal must leave the tables byte-identical.
 */
static int edit_at(struct diff *d, const struct fuzz_step *s, uint64_t va,
		   struct pt_split_undo *undo)
{
	struct pt_gather g;
	struct snap sn;
	int r;

	snap_take(d, &sn);
	gather_begin(d, &g);
	op_begin(s->fail);
	r = undo ? pt_split_leaf(&d->mm, va, &g, undo) : pt_collapse(&d->mm, va, &g);
	op_end();
	gather_end(d, &g);
	if (!r)
		free(sn.bytes);
	else if (!snap_same(d, &sn))
		bug(d, s,
		    undo ? "a failed split changed the tables"
			 : "a failed collapse changed the tables");
	return r;
}

/* Split the leaf mapping a VA of the range (and maybe undo it): the mappings stay. */
static void step_split(struct diff *d, const struct fuzz_step *s)
{
	uint64_t va = s->req.va + (s->extra % 16) * (s->req.size / 16);
	struct pt_split_undo undo;
	struct pt_gather g;
	int r = edit_at(d, s, va, &undo);

	if (r) {
		if (r == -PT_ENOENT ? model_covered(&d->m, va, va) != 0
				    : r != -PT_EINVAL && !(r == -PT_ENOMEM && alloc_failed))
			bug(d, s, "wrong split result");
		return;
	}
	if (!model_covered(&d->m, va, va))
		bug(d, s, "split of an unmapped VA succeeded");
	if (s->flags & 0x80) {
		check_tree(d, s);
		gather_begin(d, &g);
		pt_split_leaf_undo(&d->mm, &undo, &g);
		gather_end(d, &g);
	}
}

/*
 * Collapse the table holding the leaf of a VA of the range into one leaf of the level
 * above: the mappings stay (check_tree), one table fewer; a refusal changes nothing.
 */
static void step_collapse(struct diff *d, const struct fuzz_step *s)
{
	uint64_t va = s->req.va + (s->extra % 16) * (s->req.size / 16);
	uint64_t live = d->a.live;
	int r = edit_at(d, s, va, NULL);

	if (r) { /* not mapped by a table of leaves, or they cannot become one */
		if (r != -PT_ENOENT && r != -PT_EINVAL)
			bug(d, s, "wrong collapse result");
		return;
	}
	if (!model_covered(&d->m, va, va))
		bug(d, s, "collapse of an unmapped VA succeeded");
	if (d->a.live != live - 1)
		bug(d, s, "collapse did not free exactly one table");
}

/* Set / clear accessed and dirty: the mappings stay, the leaves show the new state. */
static void step_accessed(struct diff *d, const struct fuzz_step *s)
{
	const uint32_t ad = PT_YOUNG | PT_DIRTY;
	uint32_t set = s->extra & ad, clear = (uint32_t)(s->extra >> 4) << 7 & ad;
	struct mm_walk_state st;
	struct pt_gather g;
	struct snap sn;
	int r;

	if ((s->extra & 0x0f) == 0x0f)
		set |= PT_W; /* not a bit pt_set_accessed takes: -PT_EINVAL */
	snap_take(d, &sn);
	gather_begin(d, &g);
	op_begin(s->fail);
	r = pt_set_accessed(&d->mm, s->req.va, s->req.size, set, clear, &g);
	op_end();
	gather_end(d, &g);
	if (r) {
		if (!snap_same(d, &sn))
			bug(d, s, "a failed set_accessed changed the tables");
		if (r != -PT_EINVAL)
			bug(d, s, "wrong set_accessed result");
		return;
	}
	free(sn.bytes);
	if (set & PT_W)
		bug(d, s, "set_accessed took PT_W");
	mm_walk_init(&st, &d->mm);
	for_each_pt_leaf (&st, &d->mm, s->req.va, s->req.va + s->req.size) {
		uint32_t p = mm_walk_prot(&st);

		if ((set & ~clear & ~p) || (clear & ~set & p))
			bug(d, s, "a leaf does not show the accessed / dirty state asked for");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_reader in = { data, size };
	struct tlb_model t;
	struct diff d;
	unsigned nf = 0;

	if (size < 1)
		return 0;
	while (pt_format_at(nf))
		nf++;
	diff_init(&d, pt_format_at((unsigned)rd(&in, 1) % nf), 1, false);
	diff_tlb(&d, &t);
	arena_alloc = d.a.mem.alloc;
	d.a.mem.alloc = fuzz_alloc;
	for (int k = 0; k < FUZZ_MAX_OPS && in.n; k++) {
		struct fuzz_step s = decode_step(&d, &in);
		unsigned long before = t.violations;

		d.steps++;
		switch (s.op) {
		case FUZZ_SPLIT:
			step_split(&d, &s);
			break;
		case FUZZ_ACCESSED:
			step_accessed(&d, &s);
			break;
		case FUZZ_COLLAPSE:
			step_collapse(&d, &s);
			break;
		default:
			step_range(&d, &s);
			break;
		}
		check_tlb(&d, &s, before);
		check_tree(&d, &s);
	}
	if (!diff_drain(&d) || check_failures)
		abort();
	d.a.mem.alloc = arena_alloc;
	diff_fini(&d);
	if (check_failures)
		abort();
	return 0;
}
