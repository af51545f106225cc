/* SPDX-License-Identifier: MIT */
/* x86_64 freestanding probe (issue 5, item 4): the ptkit core, compiled -ffreestanding
 * -nostdlib like a kernel, builds this machine's page tables at boot with pt_map /
 * pt_protect / pt_unmap over a bump allocator in identity-mapped RAM; the probe then
 * loads CR3 with that root and, for every test VA, compares pt_translate (run here,
 * before and after the switch) with what the MMU really does on a supervisor and a user
 * load, store and instruction fetch. A second phase mutates the live tables (TLB flushed
 * through the gather's flush hook) and checks again.
 *
 * Boot, exceptions, user mode and serial output come from ../x86_64 (boot.S unchanged,
 * probe.c's helpers included below with its probe_main renamed away).
 *
 * Output: `PROBE-FS <format> ...`, one `MISMATCH ...` line per disagreement, then
 *   SUMMARY <format> tests <n> accesses <n> translate-checks <n> disagreements <n>
 * and isa-debug-exit with EXIT_OK (0 disagreements) or EXIT_FAIL. Run by run.sh. */
#include <ptkit/format.h>
#include <ptkit/ops.h>

#define probe_main probe_main_param_blob /* the harness-driven main, unused here */
#include "../x86_64/probe.c"
#undef probe_main

/* gcc may emit calls to these for struct copies and zeroing even with -ffreestanding;
 * a kernel supplies them, so does the probe (build.sh records whether the core used them). */
void *memset(void *d, int c, size_t n)
{
	volatile uint8_t *p = d;
	while (n--)
		*p++ = (uint8_t)c;
	return d;
}
void *memcpy(void *d, const void *s, size_t n)
{
	volatile uint8_t *p = d;
	const uint8_t *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}
void *memmove(void *d, const void *s, size_t n)
{
	volatile uint8_t *p = d;
	const uint8_t *q = s;
	if (p < q) {
		while (n--)
			*p++ = *q++;
	} else {
		while (n--)
			p[n] = q[n];
	}
	return d;
}
int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

/* Physical RAM (qemu -m 2G): the probe at 1 MiB, its tables from a bump allocator over
 * [ARENA_PA, +ARENA_SIZE), stamped windows elsewhere. Everything below 4 GiB, so the
 * bootstrap identity map (fsboot.S) reaches it all with paging on. */
#define ARENA_PA 0x800000ull
#define ARENA_SIZE 0x800000ull
#define PA_4K 0x01000000ull  /* lower 4K window: 16 pages */
#define PA_U4K 0x01100000ull /* upper 4K window: 4 pages */
#define PA_MISC 0x01200000ull /* single pages */
#define PA_2M 0x02000000ull  /* lower 2M window: 3 x 2M */
#define PA_U2M 0x02800000ull /* upper 2M window: 2 x 2M */
#define PA_1G 0x40000000ull  /* lower 1G window */
#define NONE (~0ull)

static uint64_t arena_next, arena_freed;

static int bump_alloc(struct pt_mem *m, uint64_t size, uint64_t *pa)
{
	uint64_t off = (arena_next + size - 1) & ~(size - 1);
	if (size == 0 || (size & (size - 1)) || off + size > m->size)
		return -PT_ENOMEM;
	for (uint64_t i = 0; i < size; i += 8)
		*(volatile uint64_t *)(m->bytes + off + i) = 0;
	arena_next = off + size;
	*pa = m->base + off;
	return 0;
}

/* A boot-time allocator never gives tables back; count them. */
static void bump_free(struct pt_mem *m, uint64_t pa, uint64_t size)
{
	(void)m;
	(void)pa;
	(void)size;
	arena_freed++;
}

static struct pt_mem mem;
static struct pt_mm mm;
static const struct pt_format *fmt;
static uint64_t nerr, naccess, ncheck, nok, npf, ngp, nleaf[3];

static void reload_cr3(struct pt_gather *g, uint64_t start, uint64_t last)
{
	uint64_t cr3;
	(void)g;
	if (last - start < 64 * 4096) {
		/* INVLPG also drops every paging-structure cache entry (SDM 4.10.4.1). */
		for (uint64_t va = start & ~0xfffull;; va += 4096) {
			__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
			if (va >= (last & ~0xfffull))
				break;
		}
		return;
	}
	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory");
}

static void fail_op(const char *what, int rc, uint64_t va)
{
	puts_("SETUP-FAILED ");
	puts_(what);
	puts_(" rc ");
	puts_(pt_strerror(rc));
	puts_(" va ");
	puthex(va);
	putc_('\n');
	poweroff(EXIT_FAIL);
}

static void do_map(uint64_t va, uint64_t pa, uint64_t size, uint32_t prot, uint64_t sizes)
{
	struct pt_gather g;
	struct pt_map_req r = { .va = va, .pa = pa, .size = size, .prot = prot, .page_sizes = sizes };
	int rc;
	pt_gather_init(&g, &mm);
	g.flush = reload_cr3;
	rc = pt_map(&mm, &r, &g);
	pt_gather_flush(&g);
	if (rc)
		fail_op("pt_map", rc, va);
}

static void do_protect(uint64_t va, uint64_t size, uint32_t prot)
{
	struct pt_gather g;
	int rc;
	pt_gather_init(&g, &mm);
	g.flush = reload_cr3;
	rc = pt_protect(&mm, va, size, prot, &g);
	pt_gather_flush(&g);
	if (rc)
		fail_op("pt_protect", rc, va);
}

static void do_unmap(uint64_t va, uint64_t size)
{
	struct pt_gather g;
	int rc;
	pt_gather_init(&g, &mm);
	g.flush = reload_cr3;
	rc = pt_unmap(&mm, va, size, &g);
	pt_gather_flush(&g);
	if (rc)
		fail_op("pt_unmap", rc, va);
}

/* Every 8-byte word of a stamped page holds its own PA; the byte at EXEC_OFF is a ret. */
static void stamp(uint64_t pa)
{
	volatile uint64_t *w = (volatile uint64_t *)(pa & ~0xfffull);
	for (unsigned i = 0; i < 512; i++)
		w[i] = (pa & ~0xfffull) + 8 * i;
	*(volatile uint8_t *)((pa & ~0xfffull) + EXEC_OFF) = 0xc3;
}

/* A test VA with the PA it should reach in phase A and B (NONE: not mapped). */
struct test {
	uint64_t va, pa[2];
	const char *what;
	int rc_before;
	struct pt_translation before;
};
#define MAX_TESTS 96
static struct test tests[MAX_TESTS];
static unsigned ntests;

static void add(const char *what, uint64_t va, uint64_t pa_a, uint64_t pa_b)
{
	struct test *t;
	if (ntests == MAX_TESTS)
		fail_op("too many tests", 0, va);
	t = &tests[ntests++];
	t->what = what;
	t->va = va;
	t->pa[0] = pa_a;
	t->pa[1] = pa_b;
	if (pa_a != NONE)
		stamp(pa_a);
	if (pa_b != NONE)
		stamp(pa_b);
}

#define RWXU (PT_R | PT_W | PT_X | PT_USER)

static void mismatch(int phase, const struct test *t, const char *op, const char *msg,
		     uint64_t a, uint64_t b)
{
	nerr++;
	puts_("MISMATCH phase ");
	putc_((char)('A' + phase));
	puts_(" ");
	puts_(t->what);
	puts_(" va ");
	puthex(t->va);
	puts_(" ");
	puts_(op);
	puts_(": ");
	puts_(msg);
	puts_(" ");
	puthex(a);
	puts_(" vs ");
	puthex(b);
	putc_('\n');
}

/* pt_translate of va compared with the intended PA; returns rc, fills tr. */
static int translate_check(int phase, const struct test *t, struct pt_translation *tr)
{
	int rc = pt_translate(&mm, t->va, tr);
	ncheck++;
	if (t->pa[phase] == NONE) {
		if (rc == 0)
			mismatch(phase, t, "translate", "mapped-but-intended-hole pa", tr->pa, 0);
	} else if (rc != 0) {
		mismatch(phase, t, "translate", "hole-but-intended-pa rc", (uint64_t)-rc,
			 t->pa[phase]);
	} else if (tr->pa != t->pa[phase]) {
		mismatch(phase, t, "translate", "pa vs intended", tr->pa, t->pa[phase]);
	}
	return rc;
}

/* FS_INJECT (build.sh's -inject-pa / -inject-perm images): corrupt the prediction on
 * purpose, so the tests can show that the comparison notices a wrong PA or permission. */
#ifndef FS_INJECT
#define FS_INJECT 0
#endif

/* Run the six accesses of t and compare each with what pt_translate predicts. */
static void access_check(int phase, const struct test *t, int rc,
			 const struct pt_translation *tr_in)
{
	struct pt_translation trc = *tr_in, *tr = &trc;
	uint64_t val = 0;

	if (FS_INJECT == 1 && rc == 0)
		tr->pa += 8;
	if (FS_INJECT == 2 && rc == 0)
		tr->prot ^= PT_W;
	for (int op = 0; op < 6; op++) {
		int kind = op % 3, user = op >= 3;
		uint64_t addr = kind == 2 ? (t->va & ~0xfffull) | EXEC_OFF : t->va;
		bool canon = rc != -PT_ERANGE, allowed = false;
		uint64_t v;

		if (rc == 0) {
			allowed = (!user || (tr->prot & PT_USER)) && (kind != 1 || (tr->prot & PT_W)) &&
				  (kind != 2 || (tr->prot & PT_X));
		} else if (rc != -PT_ENOENT && rc != -PT_ERANGE) {
			mismatch(phase, t, op_name[op], "translate error", (uint64_t)-rc, 0);
			continue;
		}
		v = probe_op(kind, addr, user, val);
		naccess++;
		if (kind == 0 && !probe_fault)
			val = v;
		if (!probe_fault)
			nok++;
		else if (probe_fault_vec == 14)
			npf++;
		else if (probe_fault_vec == 13)
			ngp++;
		if (allowed) {
			if (probe_fault) {
				mismatch(phase, t, op_name[op], "translate allows, MMU faults vec/err",
					 probe_fault_vec, probe_fault_err);
			} else if (kind == 0 && v != tr->pa) {
				mismatch(phase, t, op_name[op], "loaded stamp vs translate pa", v, tr->pa);
			}
			continue;
		}
		if (!probe_fault) {
			mismatch(phase, t, op_name[op], "translate faults, MMU allows (value)", v,
				 rc == 0 ? tr->prot : (uint64_t)-rc);
			continue;
		}
		if (!canon) {
			if (probe_fault_vec != 13)
				mismatch(phase, t, op_name[op], "non-canonical: expected #GP, vec",
					 probe_fault_vec, 13);
			continue;
		}
		/* #PF error code: P (present, protection fault), W, U, I (fetch, NXE on). */
		uint64_t want = (rc == 0 ? 1 : 0) | (kind == 1 ? 2 : 0) | (user ? 4 : 0) |
				(kind == 2 ? 16 : 0);
		if (probe_fault_vec != 14)
			mismatch(phase, t, op_name[op], "expected #PF, vec", probe_fault_vec, 14);
		else if ((probe_fault_err & 0x17) != want)
			mismatch(phase, t, op_name[op], "#PF error code vs expected", probe_fault_err,
				 want);
		else if (probe_fault_cr2 != addr)
			mismatch(phase, t, op_name[op], "cr2 vs address", probe_fault_cr2, addr);
	}
}

static bool same_translation(int ra, const struct pt_translation *a, int rb,
			     const struct pt_translation *b)
{
	if (ra != rb)
		return false;
	if (ra != 0)
		return true;
	return a->pa == b->pa && a->size == b->size && a->level == b->level &&
	       (a->prot & RWXU) == (b->prot & RWXU);
}

void probe_main(void)
{
	uint64_t cr4, U, L4K, L2M, L1G, U4K, U2M, top_lo, top;
	bool la57;
	int rc;

	setup_cpu();
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	la57 = cr4 >> 12 & 1;
	fmt = pt_format_find(la57 ? "x86_64-la57" : "x86_64");
	puts_("PROBE-FS ");
	puts_(fmt ? fmt->name : "?");
	{
		uint32_t a, b, c, d;
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
		puts_(" page1gb ");
		putdec(d >> 26 & 1);
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7u), "c"(0));
		puts_(" la57 ");
		putdec(c >> 16 & 1);
	}
	putc_('\n');
	if (!fmt)
		poweroff(EXIT_FAIL);

	mem.bytes = (uint8_t *)ARENA_PA; /* identity: the tables' PA is their address */
	mem.base = ARENA_PA;
	mem.size = ARENA_SIZE;
	mem.alloc = bump_alloc;
	mem.free = bump_free;
	rc = pt_mm_init(&mm, fmt, &mem);
	if (rc)
		fail_op("pt_mm_init", rc, 0);

	U = fmt->half_base[1];
	L4K = 0x0000040000000000ull;
	L2M = 0x0000050000000000ull;
	L1G = 0x0000060000000000ull;
	U4K = U + 0x0000400000000000ull;
	U2M = U + 0x0000600000000000ull;
	top_lo = pt_half_last(fmt, 0) & ~0xfffull;
	top = 0xfffffffffffff000ull;

	/* What the probe itself needs (boot.S, ../x86_64/link.ld layout) and its tables. */
	do_map(0x100000, 0x100000, 0xf0000, PT_R | PT_W | PT_X, 0);
	do_map(0x1f0000, 0x1f0000, 0x1000, PT_R | PT_X | PT_USER, 0);
	do_map(0x1f8000, 0x1f8000, 0x8000, PT_R | PT_W | PT_USER, 0);
	do_map(ARENA_PA, ARENA_PA, ARENA_SIZE, PT_R | PT_W, 0);
	/* Stamped windows: 4K, 2M and 1G leaves in the lower half, 4K and 2M plus a 1G
	 * direct map of PA 0 in the upper half, the lowest upper and highest VAs. */
	do_map(L4K, PA_4K, 16 * 0x1000, PT_R | PT_W | PT_X, 1ull << 12);
	do_map(L2M, PA_2M, 3 * 0x200000, PT_R | PT_W | PT_X, 1ull << 21);
	do_map(L1G, PA_1G, 0x40000000, PT_R | PT_W | PT_X, 1ull << 30);
	do_map(U, 0, 0x40000000, PT_R | PT_W, 0);
	do_map(U + 0x200000000ull, PA_1G, 0x40000000, PT_R | PT_X | PT_USER, 1ull << 30); /* stays 1G */
	do_map(U4K, PA_U4K, 4 * 0x1000, PT_R | PT_W | PT_X | PT_USER, 1ull << 12);
	do_map(U2M, PA_U2M, 2 * 0x200000, PT_R | PT_X, 1ull << 21);
	do_map(0x1000, PA_MISC, 0x1000, PT_R, 0);
	do_map(top_lo, PA_MISC + 0x1000, 0x1000, PT_R | PT_W | PT_USER, 0);
	do_map(top, PA_MISC + 0x2000, 0x1000, PT_R | PT_W, 0);
	/* Permission changes and holes, several of them splitting huge leaves. */
	do_protect(L4K + 3 * 0x1000, 0x1000, PT_R | PT_X);            /* read-only */
	do_protect(L4K + 5 * 0x1000, 0x1000, PT_R | PT_W);            /* no-exec */
	do_unmap(L4K + 7 * 0x1000, 0x1000);                           /* hole */
	do_protect(L4K + 9 * 0x1000, 0x1000, PT_R | PT_W | PT_X | PT_USER); /* user */
	do_protect(L2M + 0x200000 + 0x5000, 0x1000, PT_R);            /* split 2M, read-only */
	do_unmap(L2M + 0x400000 + 0x1ff000, 0x1000);                  /* split 2M, hole */
	do_protect(L1G + 0x200000, 0x200000, PT_R | PT_W);           /* split 1G, no-exec 2M */
	do_unmap(L1G + 0x10000000 + 0x3000, 0x1000);                  /* split 1G and 2M, hole */
	do_protect(U + PA_4K, 0x1000, PT_R);                          /* split 1G direct map */
	do_protect(U4K + 0x2000, 0x1000, PT_R | PT_USER);             /* user read-only */

	/* The tests: VA, intended PA in phase A and in phase B (after the live mutations). */
	add("null", 0x0, NONE, NONE);
	add("low-ro", 0x1000 + 0x18, PA_MISC + 0x18, PA_MISC + 0x18);
	for (unsigned i = 0; i < 16; i++) {
		uint64_t pa = PA_4K + i * 0x1000 + 8 * i;
		add("4k", L4K + i * 0x1000 + 8 * i, i == 7 ? NONE : pa, i == 7 ? pa : pa);
	}
	add("2m-a0", L2M, PA_2M, PA_2M);
	add("2m-a1", L2M + 0x1008, PA_2M + 0x1008, NONE);
	add("2m-a-last", L2M + 0x1ffff0, PA_2M + 0x1ffff0, PA_2M + 0x1ffff0);
	add("2m-b-ro", L2M + 0x205010, PA_2M + 0x205010, PA_2M + 0x205010);
	add("2m-b-next", L2M + 0x206010, PA_2M + 0x206010, PA_2M + 0x206010);
	add("2m-b-prev", L2M + 0x204ff0, PA_2M + 0x204ff0, PA_2M + 0x204ff0);
	add("2m-c-0", L2M + 0x400000, PA_2M + 0x400000, PA_2M + 0x400000);
	add("2m-c-hole", L2M + 0x5ff100, NONE, NONE);
	add("2m-end", L2M + 0x600000, NONE, NONE);
	add("1g-0", L1G, PA_1G, PA_1G);
	add("1g-nx", L1G + 0x200000 + 0x123450, PA_1G + 0x323450, PA_1G + 0x323450);
	add("1g-nx-end", L1G + 0x3ffff0, PA_1G + 0x3ffff0, PA_1G + 0x3ffff0);
	add("1g-hole", L1G + 0x10003008, NONE, NONE);
	add("1g-hole-next", L1G + 0x10004008, PA_1G + 0x10004008, PA_1G + 0x10004008);
	add("1g-user-b", L1G + 0x20000000, PA_1G + 0x20000000, PA_1G + 0x20000000);
	add("1g-mid", L1G + 0x2abcd000, PA_1G + 0x2abcd000, PA_1G + 0x2abcd000);
	add("1g-last", L1G + 0x3ffffff0, PA_1G + 0x3ffffff0, PA_1G + 0x3ffffff0);
	add("1g-end", L1G + 0x40000000, NONE, NONE);
	add("upper-first", U + 0x10, 0x10, 0x10);
	add("upper-direct-4k", U + PA_4K + 0x20, PA_4K + 0x20, PA_4K + 0x20);
	add("upper-direct-ro", U + PA_4K + 0x1000 - 0x10, PA_4K + 0xff0, PA_4K + 0xff0);
	add("upper-direct-1g", U + PA_1G - 0x10, PA_1G - 0x10, PA_1G - 0x10);
	add("upper-end", U + PA_1G, NONE, NONE);
	add("u1g-0", U + 0x200000000ull + 0x10, PA_1G + 0x10, PA_1G + 0x10);
	add("u1g-mid", U + 0x200000000ull + 0x2abcd018, PA_1G + 0x2abcd018, PA_1G + 0x2abcd018);
	add("u1g-last", U + 0x23ffffff0ull, PA_1G + 0x3ffffff0, PA_1G + 0x3ffffff0);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t pa = PA_U4K + i * 0x1000 + 0x100;
		add("u4k", U4K + i * 0x1000 + 0x100, pa, i == 1 ? NONE : pa);
	}
	add("u2m-0", U2M + 0x8, PA_U2M + 0x8, PA_U2M + 0x8);
	add("u2m-1", U2M + 0x3ffff0, PA_U2M + 0x3ffff0, PA_U2M + 0x3ffff0);
	add("top-lower", top_lo + 0xfe0, PA_MISC + 0x1fe0, PA_MISC + 0x1fe0);
	add("top", top + 0xff0, PA_MISC + 0x2ff0, PA_MISC + 0x2ff0);
	add("48bit-edge", 0x0000800000000000ull, NONE, NONE); /* non-canonical in 4-level */
	add("noncanonical", pt_half_last(fmt, 0) + 1, NONE, NONE);
	add("noncanonical-hi", U - 0x1000, NONE, NONE);

	/* Before the switch: pt_translate under the bootstrap tables. */
	for (unsigned i = 0; i < ntests; i++)
		tests[i].rc_before = translate_check(0, &tests[i], &tests[i].before);

	/* Turn on our tables. */
	{
		uint64_t root = mm.root[0];
		__asm__ volatile("mov %0, %%cr3" : : "r"(root) : "memory");
		puts_("CR3 ");
		puthex(root);
		puts_(" tables ");
		putdec(arena_next / 4096);
		puts_(" pages freed ");
		putdec(arena_freed);
		putc_('\n');
	}

	for (int phase = 0; phase < 2; phase++) {
		if (phase == 1) {
			/* Live mutations, the TLB flushed through the gather hook. */
			do_protect(L4K, 0x1000, PT_R);
			do_map(L4K + 7 * 0x1000, PA_4K + 7 * 0x1000, 0x1000, PT_R | PT_W, 0);
			do_unmap(L2M + 0x1000, 0x1000);                         /* split 2M */
			do_unmap(U4K + 0x1000, 0x1000);
			do_protect(L1G + 0x20000000, 0x1000, PT_R | PT_USER);   /* split 2M of 1G */
			do_protect(U2M + 0x200000, 0x200000, PT_R | PT_W | PT_X);
		}
		for (unsigned i = 0; i < ntests; i++) {
			struct test *t = &tests[i];
			struct pt_translation tr;
			int r = translate_check(phase, t, &tr);
			if (phase == 0 && !same_translation(t->rc_before, &t->before, r, &tr))
				mismatch(0, t, "translate", "before/after CR3 switch (pa, prot)",
					 t->before.pa, tr.pa);
			if (r == 0)
				nleaf[tr.size == 1ull << 30 ? 2 : tr.size == 1ull << 21 ? 1 : 0]++;
			access_check(phase, t, r, &tr);
		}
		puts_("PHASE ");
		putc_((char)('A' + phase));
		puts_(" done, disagreements so far ");
		putdec(nerr);
		putc_('\n');
	}

	puts_("SUMMARY ");
	puts_(fmt->name);
	puts_(" tests ");
	putdec(ntests);
	puts_(" accesses ");
	putdec(naccess);
	puts_(" translate-checks ");
	putdec(ncheck);
	puts_(" disagreements ");
	putdec(nerr);
	putc_('\n');
	puts_("OUTCOMES ok ");
	putdec(nok);
	puts_(" page-fault ");
	putdec(npf);
	puts_(" general-protection ");
	putdec(ngp);
	puts_(" leaves-4k/2m/1g ");
	putdec(nleaf[0]);
	putc_('/');
	putdec(nleaf[1]);
	putc_('/');
	putdec(nleaf[2]);
	puts_(" table-pages ");
	putdec(arena_next / 4096);
	puts_(" freed ");
	putdec(arena_freed);
	putc_('\n');
	poweroff(nerr ? EXIT_FAIL : EXIT_OK);
}
