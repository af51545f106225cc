/* SPDX-License-Identifier: MIT */
/* The driver of the freestanding-core probes: see fs.h. */
#include "fs.h"

/* FS_INJECT (the -inject-pa / -inject-perm images): corrupt the prediction on purpose, so
 * the tests can show that the comparison notices a wrong PA or a wrong write permission. */
#ifndef FS_INJECT
#define FS_INJECT 0
#endif

/* gcc may emit calls to these for struct copies and zeroing even with -ffreestanding; a
 * kernel supplies them, so does the probe. */
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
/* __builtin_bswap64 of the big-endian formats, on a CPU without a byte-reverse instruction
 * (rv64imac): libgcc's helper, which a kernel also supplies itself. */
uint64_t __bswapdi2(uint64_t v);
uint64_t __bswapdi2(uint64_t v)
{
	uint64_t r = 0;
	for (int i = 0; i < 8; i++, v >>= 8)
		r = r << 8 | (v & 0xff);
	return r;
}
int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

#define NONE (~0ull)
#define RWXU (PT_R | PT_W | PT_X | PT_USER)
#define SLOT (1ull << 32) /* VA distance between the windows of two leaf sizes */

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
static uint64_t nerr, naccess, ncheck, nok, nfault, nadcheck;

static __attribute__((noreturn)) void fail_op(const char *what, int rc, uint64_t va)
{
	puts_("SETUP-FAILED ");
	puts_(what);
	puts_(" rc ");
	puts_(pt_strerror(rc));
	puts_(" va ");
	puthex(va);
	putc_('\n');
	fs_arch_poweroff(false);
}

static void flush_hook(struct pt_gather *g, const struct pt_flush *f)
{
	fs_arch_flush(g, f->start, f->last);
}

void fs_map(uint64_t va, uint64_t pa, uint64_t size, uint32_t prot, uint64_t sizes)
{
	struct pt_gather g;
	struct pt_map_req r = {
		.va = va, .pa = pa, .size = size, .prot = prot, .page_sizes = sizes
	};
	int rc;
	pt_gather_init(&g, &mm);
	g.flush = flush_hook;
	rc = pt_map(&mm, &r, &g);
	pt_gather_flush(&g);
	if (rc)
		fail_op("pt_map", rc, va);
}

static void fs_protect(uint64_t va, uint64_t size, uint32_t prot)
{
	struct pt_gather g;
	int rc;
	pt_gather_init(&g, &mm);
	g.flush = flush_hook;
	rc = pt_protect(&mm, va, size, prot, &g);
	pt_gather_flush(&g);
	if (rc)
		fail_op("pt_protect", rc, va);
}

static void fs_unmap(uint64_t va, uint64_t size)
{
	struct pt_gather g;
	int rc;
	pt_gather_init(&g, &mm);
	g.flush = flush_hook;
	rc = pt_unmap(&mm, va, size, &g);
	pt_gather_flush(&g);
	if (rc)
		fail_op("pt_unmap", rc, va);
}

/* Every 8-byte word of a stamped 4K page holds its own PA; the return instruction sits at
 * exec_off. Done with the MMU off (or identity mapped): PA == address. */
static void stamp(uint64_t pa)
{
	uint64_t page = pa & ~0xfffull;
	volatile uint64_t *w = (volatile uint64_t *)page;
	for (unsigned i = 0; i < 512; i++)
		w[i] = page + 8 * i;
	*(volatile uint32_t *)(page + fs_arch.exec_off) = fs_arch.insn_ret;
}

/* A test VA with the PA and permissions it should have in phase A and B (NONE: a hole). */
struct test {
	uint64_t va, pa[2];
	uint32_t prot[2];
	const char *what;
	int rc_before;
	struct pt_translation before;
};
#define MAX_TESTS 224
static struct test tests[MAX_TESTS];
static unsigned ntests;

static struct test *add(const char *what, uint64_t va, uint64_t pa, uint32_t prot)
{
	struct test *t;
	if (ntests == MAX_TESTS)
		fail_op("too many tests", 0, va);
	t = &tests[ntests++];
	t->what = what;
	t->va = va;
	t->pa[0] = t->pa[1] = pa;
	t->prot[0] = t->prot[1] = prot;
	if (pa != NONE)
		stamp(pa);
	return t;
}

/* Phase B of t: the PA / permissions after the live changes. */
static void then(struct test *t, uint64_t pa, uint32_t prot)
{
	t->pa[1] = pa;
	t->prot[1] = prot;
	if (pa != NONE)
		stamp(pa);
}

static void mismatch(int phase, const struct test *t, const char *op, const char *msg, uint64_t a,
		     uint64_t b)
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

/* pt_translate of t->va against what the layout intends; returns rc, fills tr. */
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
	} else if ((tr->prot & RWXU) != t->prot[phase]) {
		mismatch(phase, t, "translate", "prot vs intended", tr->prot & RWXU,
			 t->prot[phase]);
	}
	return rc;
}

/* Accessed/dirty after the accesses of t (ok_mask: the kinds that went through): every
 * leaf reports PT_YOUNG once an access used it (x86: the MMU set A; the other formats: ptkit
 * builds leaves young, and the arm64 MMU would fault on AF = 0), PT_DIRTY once a store did
 * (where fs_arch.store_dirties). */
static void ad_check(int phase, const struct test *t, unsigned ok_mask)
{
	struct pt_translation tr;

	if (!ok_mask || pt_translate(&mm, t->va, &tr))
		return;
	nadcheck++;
	if (!(tr.prot & PT_YOUNG))
		mismatch(phase, t, "a/d", "not accessed after a successful access, prot", tr.prot,
			 tr.entry);
	if (fs_arch.store_dirties && (ok_mask & 2) && !(tr.prot & PT_DIRTY))
		mismatch(phase, t, "a/d", "not dirty after a successful store, prot", tr.prot,
			 tr.entry);
}

/* Run the six accesses of t and compare each with what pt_translate predicts. */
static void access_check(int phase, const struct test *t, int rc,
			 const struct pt_translation *tr_in)
{
	struct pt_translation trc = *tr_in, *tr = &trc;
	uint64_t val = 0;
	unsigned ok_mask = 0; /* bit kind: an access of that kind went through */

	if (FS_INJECT == 1 && rc == 0)
		tr->pa += 8;
	if (FS_INJECT == 2 && rc == 0)
		tr->prot ^= PT_W;
	for (int op = 0; op < 6; op++) {
		int kind = op % 3;
		bool user = op >= 3, allowed = false, faulted;
		uint64_t addr = kind == 2 ? (t->va & ~0xfffull) | fs_arch.exec_off : t->va;
		uint64_t v, got = 0, want = 0;
		const char *why;

		if (rc == 0)
			allowed = fs_arch_allowed(kind, user, tr->prot);
		else if (rc != -PT_ENOENT && rc != -PT_ERANGE) {
			mismatch(phase, t, op_name[op], "translate error", (uint64_t)-rc, 0);
			continue;
		}
		v = probe_op(kind, addr, user, val);
		faulted = probe_faulted();
		naccess++;
		if (kind == 0 && !faulted)
			val = v;
		if (faulted)
			nfault++;
		else
			nok++, ok_mask |= 1u << kind;
		if (allowed) {
			if (faulted)
				mismatch(phase, t, op_name[op], "translate allows, MMU faults prot",
					 tr->prot, 0);
			else if (kind == 0 && v != tr->pa)
				mismatch(phase, t, op_name[op], "loaded stamp vs translate pa", v,
					 tr->pa);
			continue;
		}
		if (!faulted) {
			mismatch(phase, t, op_name[op], "translate faults, MMU allows (value)", v,
				 rc == 0 ? tr->prot : (uint64_t)-rc);
			continue;
		}
		why = fs_arch_check_fault(kind, user, rc, tr, addr, &got, &want);
		if (why)
			mismatch(phase, t, op_name[op], why, got, want);
	}
	ad_check(phase, t, ok_mask);
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

/* Leaf sizes tested: every size the format has (contiguous / NAPOT groups included) up to
 * fs_arch.max_leaf, smallest first; how many leaves were reached through each. */
#define MAX_SIZES 12
static uint64_t sizes[MAX_SIZES], nleaf[MAX_SIZES];
static unsigned nsizes;

static void count_leaf(const struct pt_translation *tr)
{
	for (unsigned i = 0; i < nsizes; i++)
		if (tr->group == sizes[i])
			nleaf[i]++;
}

/* Stamped targets come from the top of [win_pa, win_end) down, aligned to their size. */
static uint64_t pa_cursor;

static uint64_t alloc_pa(uint64_t size, uint64_t align)
{
	uint64_t pa;
	if (pa_cursor < size)
		return NONE;
	pa = (pa_cursor - size) & ~(align - 1);
	if (pa < fs_arch.win_pa)
		return NONE;
	pa_cursor = pa;
	return pa;
}

/* The windows: for a leaf size s, n leaves of s at VA `va` (lower half, kernel r,w,x) and
 * one leaf at `uva` (upper half, alternately kernel r,w and user r,x), both to PA `pa`.
 * Pages 1..7 of the changed leaf (from offset m) get other permissions or a hole (this
 * splits it); phase B splits another leaf live (the page at offset `split`). For the
 * smallest size the window is 12 pages and "the changed leaf" is the whole window. */
struct window {
	uint64_t s, n, va, uva, pa, m, split;
};
static struct window wins[MAX_SIZES];

static void plan(void)
{
	uint64_t page;

	for (unsigned b = 0; b < 64; b++) {
		uint64_t s = 1ull << b;
		if ((fmt->page_sizes & s) && s <= fs_arch.max_leaf && nsizes < MAX_SIZES)
			sizes[nsizes++] = s;
	}
	page = sizes[0];
	pa_cursor = fs_arch.win_end;
	/* Largest first, so that alignment wastes little. */
	for (unsigned i = nsizes; i-- > 0;) {
		struct window *w = &wins[i];
		w->s = sizes[i];
		w->n = w->s == page ? 12 : 2;
		w->pa = alloc_pa(w->n * w->s, w->s);
		if (w->pa == NONE && w->s > page) {
			w->n = 1;
			w->pa = alloc_pa(w->s, w->s);
		}
		w->va = fmt->half_base[0] + (1ull << (fmt->half_bits - 1)) + (i + 1) * SLOT;
		w->uva = fmt->half_base[1] + (1ull << (fmt->half_bits - 1)) + (i + 1) * SLOT;
		w->m = w->s == page ? 0 : (w->n - 1) * w->s;
		w->split = w->s == page ? 10 * page : w->s - page;
		if (w->pa == NONE) {
			puts_("SKIP leaf size 0x");
			puthex(w->s);
			puts_(": no room in RAM\n");
			w->n = 0;
		}
	}
}

/* Page-granular changes of pages 1..7 of the changed leaf (phase A). */
static const struct {
	const char *what;
	uint32_t prot; /* 0: unmapped */
} changes[] = {
	{ "ro", PT_R },
	{ "nx", PT_R | PT_W },
	{ "hole", 0 },
	{ "user-rwx", RWXU },
	{ "user-ro", PT_R | PT_USER },
	{ "user-rx", PT_R | PT_X | PT_USER },
	{ "kern-rx", PT_R | PT_X },
};
#define NCHANGES (sizeof(changes) / sizeof(changes[0]))

static void build(void)
{
	uint64_t page = sizes[0], top_lo, lo_up, top, pa;
	const uint32_t rwx = PT_R | PT_W | PT_X;
	struct test *t;

	for (unsigned i = 0; i < nsizes; i++) {
		struct window *w = &wins[i];
		uint32_t uprot = i & 1 ? PT_R | PT_X | PT_USER : PT_R | PT_W;

		if (!w->n)
			continue;
		fs_map(w->va, w->pa, w->n * w->s, rwx, w->s);
		fs_map(w->uva, w->pa, w->s, uprot, w->s);
		for (unsigned c = 0; c < NCHANGES; c++) {
			uint64_t va = w->va + w->m + (c + 1) * page;
			if (changes[c].prot)
				fs_protect(va, page, changes[c].prot);
			else
				fs_unmap(va, page);
		}
	}
	/* The edges: VA 0, the last page of the lower half, the first and the last page of
	 * the upper half, the first VA beyond the lower half (not canonical / outside both
	 * ranges) and the last page before the upper half. */
	top_lo = pt_half_last(fmt, 0) & ~(page - 1);
	lo_up = fmt->half_base[1];
	top = pt_half_last(fmt, 1) & ~(page - 1);
	pa = alloc_pa(3 * page, page);
	if (pa == NONE)
		fail_op("no RAM for the edge pages", 0, 0);
	fs_map(top_lo, pa, page, RWXU, 0);
	fs_map(lo_up, pa + page, page, PT_R | PT_W, 0);
	fs_map(top, pa + 2 * page, page, PT_R | PT_X, 0);

	add("null", 0, NONE, 0);
	add("lower-last", top_lo + page - 0x10, pa + page - 0x10, RWXU);
	t = add("upper-first", lo_up + 0x10, pa + page + 0x10, PT_R | PT_W);
	then(t, pa + page + 0x10, PT_R);
	add("upper-last", top + page - 0x20, pa + 3 * page - 0x20, PT_R | PT_X);
	if (pt_half_last(fmt, 0) + 1 != lo_up) {
		add("beyond-lower", pt_half_last(fmt, 0) + 1, NONE, 0);
		add("before-upper", lo_up - 0x1000, NONE, 0);
	}

	for (unsigned i = 0; i < nsizes; i++) {
		struct window *w = &wins[i];
		uint64_t s = w->s, len = w->n * s, m = w->m, off;
		uint32_t uprot = i & 1 ? PT_R | PT_X | PT_USER : PT_R | PT_W;
		struct test *last;

		if (!w->n)
			continue;
		add("win-before", w->va - 0x1000 + 0x18, NONE, 0);
		add("win-first", w->va + 0x10, w->pa + 0x10, rwx);
		t = add("win-leaf0-last", w->va + s - 0x10, w->pa + s - 0x10, rwx);
		if (s > page)
			add("win-leaf0-mid", w->va + s / 2 + 0x28, w->pa + s / 2 + 0x28, rwx);
		if (m)
			add("win-m", w->va + m + 0x30, w->pa + m + 0x30, rwx);
		for (unsigned c = 0; c < NCHANGES; c++) {
			struct test *ct;
			off = m + (c + 1) * page + 0x40 + 8 * c;
			ct = add(changes[c].what, w->va + off, changes[c].prot ? w->pa + off : NONE,
				 changes[c].prot);
			if (c == 0 || c == 2) /* phase B: r,w (read-only) and mapped again (hole) */
				then(ct, w->pa + off, PT_R | PT_W);
		}
		off = m + (NCHANGES + 1) * page + 0x48;
		add("after-changes", w->va + off, w->pa + off, rwx);
		last = add("win-last", w->va + len - 0x10, w->pa + len - 0x10, rwx);
		/* Phase B unmaps the page at `split`. */
		if (s > page) {
			then(t, NONE, 0);
			if (w->n == 1)
				then(last, NONE, 0);
		} else {
			then(add("win-split", w->va + w->split + 0x50, w->pa + w->split + 0x50,
				 rwx),
			     NONE, 0);
		}
		add("win-end", w->va + len + 0x10, NONE, 0);
		add("up-first", w->uva + 0x10, w->pa + 0x10, uprot);
		if (s > page)
			add("up-mid", w->uva + s / 2 + 0x58, w->pa + s / 2 + 0x58, uprot);
		add("up-last", w->uva + s - 0x10, w->pa + s - 0x10, uprot);
		add("up-end", w->uva + s + 0x10, NONE, 0);
	}
	fs_arch_sync_icache();
}

/* Phase B: live changes with the MMU on, the TLB invalidated through the gather hook. */
static void change_live(void)
{
	uint64_t page = sizes[0];

	fs_protect(fmt->half_base[1], page, PT_R);
	for (unsigned i = 0; i < nsizes; i++) {
		struct window *w = &wins[i];

		if (!w->n)
			continue;
		fs_unmap(w->va + w->split, page); /* splits a leaf (s > page) */
		fs_protect(w->va + w->m + page, page, PT_R | PT_W);
		fs_map(w->va + w->m + 3 * page, w->pa + w->m + 3 * page, page, PT_R | PT_W, 0);
	}
}

void fs_run(const char *name)
{
	int rc;

	fmt = pt_format_find(name);
	puts_("PROBE-FS ");
	puts_(name);
	putc_('\n');
	if (!fmt)
		fail_op("unknown format", 0, 0);
	mem.bytes = (uint8_t *)(uintptr_t)fs_arch.arena_pa; /* identity: PA == address */
	mem.base = fs_arch.arena_pa;
	mem.size = fs_arch.arena_size;
	mem.alloc = bump_alloc;
	mem.free = bump_free;
	rc = pt_mm_init(&mm, fmt, &mem);
	if (rc)
		fail_op("pt_mm_init", rc, 0);

	fs_arch_identity_maps(fmt);
	fs_map(fs_arch.arena_pa, fs_arch.arena_pa, fs_arch.arena_size, PT_R | PT_W, 0);
	plan();
	build();

	/* Before the MMU is on: pt_translate with physical addressing. */
	for (unsigned i = 0; i < ntests; i++)
		tests[i].rc_before = translate_check(0, &tests[i], &tests[i].before);

	fs_arch_mmu_on(&mm);
	puts_("MMU on: root ");
	puthex(mm.root[0]);
	puts_(" root1 ");
	puthex(mm.root[1]);
	puts_(" table-bytes ");
	puthex(arena_next);
	puts_(" tests ");
	putdec(ntests);
	putc_('\n');

	for (int phase = 0; phase < 2; phase++) {
		if (phase == 1)
			change_live();
		for (unsigned i = 0; i < ntests; i++) {
			struct test *t = &tests[i];
			struct pt_translation tr;
			int r = translate_check(phase, t, &tr);
			if (phase == 0 && !same_translation(t->rc_before, &t->before, r, &tr))
				mismatch(0, t, "translate", "before/after MMU on (pa, prot)",
					 t->before.pa, tr.pa);
			if (r == 0)
				count_leaf(&tr);
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
	puts_(" fault ");
	putdec(nfault);
	puts_(" a/d-checks ");
	putdec(nadcheck);
	puts_(" leaves");
	for (unsigned i = 0; i < nsizes; i++) {
		puts_(" 0x");
		puthex(sizes[i]);
		putc_(':');
		putdec(nleaf[i]);
	}
	puts_(" table-bytes 0x");
	puthex(arena_next);
	puts_(" freed ");
	putdec(arena_freed);
	putc_('\n');
	fs_arch_poweroff(nerr == 0);
}
