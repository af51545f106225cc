/* SPDX-License-Identifier: MIT */
/*
 * The operations under the TLB model (tlb_model.h), for every format: first fixed
 * scenarios on every leaf and group size (protect that changes the memory type, makes a
 * leaf global, splits a leaf while changing its rights or memory type, unmap), then a short
 * random op sequence of the differential engine. Every store to a live table, every flush
 * and every freed table is checked against the format family's rules. PTKIT_TLB_STEPS
 * scales the random part (default 60 steps per format; the differential test
 * itself is the long run).
 */
#include "diff_engine.h"

struct scen {
	const struct pt_format *f;
	struct pt_arena a;
	struct pt_mm mm;
	struct tlb_model t;
	char where[160];
};

/* One operation through a gather whose flushes the model sees. */
static int scen_op(struct scen *s, int op, uint64_t va, uint64_t size, uint32_t prot, uint64_t pa,
		   uint64_t page_sizes)
{
	struct pt_gather g;
	struct pt_map_req req = {
		.va = va, .pa = pa, .size = size, .prot = prot, .page_sizes = page_sizes
	};
	int r;

	pt_gather_init(&g, &s->mm);
	tlb_model_gather(&s->t, &g);
	if (op == OP_MAP)
		r = pt_map(&s->mm, &req, &g);
	else if (op == OP_UNMAP)
		r = pt_unmap(&s->mm, va, size, &g);
	else
		r = pt_protect(&s->mm, va, size, prot, &g);
	tlb_model_op_end(&s->t, &g);
	pt_gather_flush(&g);
	return r;
}

/*
 * A mapping of two leaves of `size` (a leaf or a contiguous group) at va, then the live
 * changes an OS makes to it. Returns the violations the model saw.
 */
static unsigned long scenario(struct scen *s, uint64_t size, uint64_t page)
{
	const struct pt_format *f = s->f;
	uint64_t va = 1ull << 31, pa = 1ull << 32, len = 2 * size;
	unsigned long before = s->t.violations;
	uint32_t rw = diff_normal_prot(f, PT_R | PT_W);
	uint32_t dev = diff_normal_prot(f, PT_R | PT_W | PT_DEVICE);
	uint32_t nc = diff_normal_prot(f, PT_R | PT_W | PT_NOCACHE);
	uint32_t glob = diff_normal_prot(f, PT_R | PT_W | PT_DEVICE | PT_GLOBAL);
	uint32_t ro = diff_normal_prot(f, PT_R);

	if (len > (4ull << 30))
		return 0;
	snprintf(s->where, sizeof(s->where), "leaves of 0x%llx", (unsigned long long)size);
	s->t.where = s->where;
	CHECK_EQ(scen_op(s, OP_MAP, va, len, rw, pa, size), 0);
	CHECK_EQ(scen_op(s, OP_PROTECT, va, len, dev, 0, 0), 0);  /* Normal -> Device */
	CHECK_EQ(scen_op(s, OP_PROTECT, va, len, glob, 0, 0), 0); /* nG 1 -> 0 */
	CHECK_EQ(scen_op(s, OP_PROTECT, va, len, rw, 0, 0), 0);	  /* back: Device -> Normal */
	if (size > page) {
		/* One page of the first leaf: a split together with a change. */
		CHECK_EQ(scen_op(s, OP_PROTECT, va + page, page, ro, 0, 0), 0);
		/* One page of the second leaf to another memory type. */
		CHECK_EQ(scen_op(s, OP_PROTECT, va + size + page, page, nc, 0, 0), 0);
		/* One page of the first leaf unmapped. */
		CHECK_EQ(scen_op(s, OP_UNMAP, va + 2 * page, page, 0, 0, 0), 0);
	}
	CHECK_EQ(scen_op(s, OP_UNMAP, va, len, 0, 0, 0), 0);
	s->t.where = NULL;
	return s->t.violations - before;
}

static unsigned long scenarios(const struct pt_format *f)
{
	struct scen s;
	unsigned long bad = 0;
	uint64_t page = 0;

	memset(&s, 0, sizeof(s));
	s.f = f;
	if (!CHECK_EQ(pt_arena_init(&s.a, 0x200000, 64ull << 20), 0) ||
	    !CHECK_EQ(pt_mm_init(&s.mm, f, &s.a.mem), 0))
		return 1;
	tlb_model_attach(&s.t, &s.mm);
	for (int b = 0; b < 64; b++) {
		if (!((f->page_sizes >> b) & 1))
			continue;
		if (!page)
			page = 1ull << b;
		bad += scenario(&s, 1ull << b, page);
	}
	/* A run of small pages (the leaf run of the range loop), no groups. */
	snprintf(s.where, sizeof(s.where), "a run of 0x%llx pages", (unsigned long long)page);
	s.t.where = s.where;
	{
		unsigned long before = s.t.violations;
		uint64_t va = 3ull << 30, len = 64 * page;

		CHECK_EQ(scen_op(&s, OP_MAP, va, len, diff_normal_prot(f, PT_R | PT_W), 1ull << 33,
				 page),
			 0);
		CHECK_EQ(scen_op(&s, OP_PROTECT, va, len,
				 diff_normal_prot(f, PT_R | PT_W | PT_NOCACHE), 0, 0),
			 0);
		CHECK_EQ(scen_op(&s, OP_PROTECT, va, len,
				 diff_normal_prot(f, PT_R | PT_NOCACHE | PT_GLOBAL), 0, 0),
			 0);
		CHECK_EQ(scen_op(&s, OP_UNMAP, va, len, 0, 0, 0), 0);
		bad += s.t.violations - before;
	}
	tlb_model_detach(&s.t);
	pt_mm_destroy(&s.mm);
	pt_arena_fini(&s.a);
	return bad;
}

static unsigned long random_ops(const struct pt_format *f, unsigned long steps)
{
	struct diff d;
	struct tlb_model t;

	diff_init(&d, f, 1, false);
	diff_tlb(&d, &t);
	for (unsigned long k = 0; k < steps; k++) {
		if (k % 100 == 99 && !CHECK(diff_drain(&d)))
			break;
		if (!diff_step(&d)) {
			fprintf(stderr, "%s failed at step %lu\n", f->name, d.steps);
			break;
		}
	}
	CHECK(diff_drain(&d));
	printf("%s: %lu random steps, %lu live stores, %lu flushes, %lu checks\n", f->name, d.steps,
	       t.live_stores, t.flushes, t.checks);
	diff_fini(&d);
	return t.violations;
}

int main(void)
{
	unsigned long steps =
		getenv("PTKIT_TLB_STEPS") ? strtoul(getenv("PTKIT_TLB_STEPS"), 0, 0) : 60;
	unsigned long total = 0;

	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);
		unsigned long a = scenarios(f), b = random_ops(f, steps);

		printf("%s: TLB model violations: %lu in the scenarios, %lu in the random steps\n",
		       f->name, a, b);
		total += a + b;
	}
	printf("TLB model: %lu violations in all\n", total);
	CHECK_EQ(total, 0);
	return CHECK_DONE();
}
