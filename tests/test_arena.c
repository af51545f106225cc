// SPDX-License-Identifier: MIT
/* Tests for src/mem/arena.c, src/mem/image.c and pt_strerror. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "ptkit/mem.h"

#define BASE 0x40000000ull

static bool all_zero(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static uint8_t *host(struct pt_arena *a, uint64_t pa)
{
	return a->mem.bytes + (pa - a->mem.base);
}

static void test_init_args(void)
{
	struct pt_arena a;

	CHECK_EQ(pt_arena_init(&a, BASE, 0), -PT_EINVAL);
	CHECK_EQ(pt_arena_init(&a, BASE + 0x800, 0x10000), -PT_EINVAL);
	CHECK_EQ(pt_arena_init(&a, BASE, 0x10800), -PT_EINVAL);
	CHECK_EQ(pt_arena_init(&a, ~0ull & ~0xfffull, 0x2000), -PT_EINVAL);
	CHECK_EQ(pt_arena_init(&a, BASE, 0x10000), 0);
	CHECK_EQ(a.mem.base, BASE);
	CHECK_EQ(a.mem.size, 0x10000);
	CHECK_EQ(a.live, 0);
	CHECK_EQ(a.high, 0);
	CHECK(a.mem.alloc && a.mem.free && !a.mem.observe);
	pt_arena_fini(&a);
}

/*
 * A base aligned only to 4K: every block's physical address is still aligned to its size
 * (64K tables of arm64's 64K granule need it), through the bump pointer, the gap it leaves
 * and the split of a larger free block.
 */
static void test_physical_alignment(void)
{
	for (uint64_t base = 0x1000; base < 0x10000; base += 0x5000) {
		struct pt_arena a;
		uint64_t pa;

		if (!CHECK_EQ(pt_arena_init(&a, base, 8 << 20), 0))
			continue;
		for (int round = 0; round < 3; round++) {
			for (int s = 8; s <= 20; s++) {
				uint64_t size = 1ull << s;
				if (!CHECK_EQ(a.mem.alloc(&a.mem, size, &pa), 0))
					continue;
				CHECK_EQ(pa & (size - 1), 0);
				CHECK(pa >= base && pa + size <= base + (8 << 20));
				if (round == 1) /* freed, then taken again by the next round */
					a.mem.free(&a.mem, pa, size);
			}
		}
		pt_arena_fini(&a);
	}
}

/* Every size from 8 bytes to 64K, allocated twice in mixed order: aligned, zeroed, inside. */
static void test_alignment(void)
{
	struct pt_arena a;
	uint64_t pa[2][14];

	CHECK_EQ(pt_arena_init(&a, BASE, 1 << 20), 0);
	for (int round = 0; round < 2; round++) {
		for (int s = 3; s <= 16; s++) {
			uint64_t size = 1ull << s;
			uint64_t *p = &pa[round][s - 3];

			if (!CHECK_EQ(a.mem.alloc(&a.mem, size, p), 0))
				continue;
			CHECK_EQ(*p & (size - 1), 0);
			CHECK_EQ(*p & 0xff, 0);
			CHECK(*p >= BASE && *p + size <= BASE + (1 << 20));
			CHECK(*p + size <= BASE + a.high);
			CHECK(all_zero(host(&a, *p), size));
			memset(host(&a, *p), 0xa5, size);
		}
	}
	CHECK_EQ(a.live, 28);
	CHECK_EQ(a.allocs, 28);
	/* No two blocks overlap (blocks below 256 bytes take 256). */
	for (int i = 0; i < 28; i++)
		for (int j = i + 1; j < 28; j++) {
			uint64_t pi = pa[i / 14][i % 14], pj = pa[j / 14][j % 14];
			uint64_t si = 1ull << (i % 14 + 3), sj = 1ull << (j % 14 + 3);

			si = si < 256 ? 256 : si;
			sj = sj < 256 ? 256 : sj;
			CHECK(pi + si <= pj || pj + sj <= pi);
		}
	for (int round = 0; round < 2; round++)
		for (int s = 3; s <= 16; s++)
			a.mem.free(&a.mem, pa[round][s - 3], 1ull << s);
	CHECK_EQ(a.live, 0);
	/* Freed blocks are zeroed, so the image holds only live tables. */
	CHECK(all_zero(a.mem.bytes, a.mem.size));
	pt_arena_fini(&a);
}

static void test_reuse_zeroed(void)
{
	struct pt_arena a;
	uint64_t pa, pb, pc;

	CHECK_EQ(pt_arena_init(&a, BASE, 0x10000), 0);
	CHECK_EQ(a.mem.alloc(&a.mem, 4096, &pa), 0);
	CHECK_EQ(a.mem.alloc(&a.mem, 4096, &pb), 0);
	memset(host(&a, pa), 0xff, 4096);
	a.mem.free(&a.mem, pa, 4096);
	CHECK_EQ(a.mem.alloc(&a.mem, 4096, &pc), 0);
	CHECK_EQ(pc, pa); /* the free list is used before the bump pointer */
	CHECK(all_zero(host(&a, pc), 4096));
	CHECK_EQ(a.live, 2);
	CHECK_EQ(a.allocs, 3);
	pt_arena_fini(&a);
}

/* Exhaustion, and splitting of larger free blocks once the bump pointer is used up. */
static void test_exhaustion(void)
{
	struct pt_arena a;
	uint64_t pa[16], x;

	CHECK_EQ(pt_arena_init(&a, BASE, 0x10000), 0);
	for (int i = 0; i < 16; i++)
		CHECK_EQ(a.mem.alloc(&a.mem, 4096, &pa[i]), 0);
	CHECK_EQ(a.high, 0x10000);
	CHECK_EQ(a.mem.alloc(&a.mem, 4096, &x), -PT_ENOMEM);
	CHECK_EQ(a.mem.alloc(&a.mem, 256, &x), -PT_ENOMEM);
	CHECK_EQ(a.live, 16);
	CHECK_EQ(a.allocs, 16);

	a.mem.free(&a.mem, pa[5], 4096);
	for (int i = 0; i < 16; i++) {
		CHECK_EQ(a.mem.alloc(&a.mem, 256, &x), 0);
		CHECK(x >= pa[5] && x < pa[5] + 4096);
		CHECK_EQ(x & 0xff, 0);
	}
	CHECK_EQ(a.mem.alloc(&a.mem, 256, &x), -PT_ENOMEM);
	CHECK_EQ(a.live, 15 + 16);

	/* Unsupported sizes. */
	CHECK_EQ(a.mem.alloc(&a.mem, 0, &x), -PT_EINVAL);
	CHECK_EQ(a.mem.alloc(&a.mem, 3000, &x), -PT_EINVAL);
	CHECK_EQ(a.mem.alloc(&a.mem, 1ull << 21, &x), -PT_EINVAL);
	pt_arena_fini(&a);
}

/* fail_at = N fails exactly the N-th call; fail_every repeats. */
static void test_fail_injection(void)
{
	struct pt_arena a;
	uint64_t x;

	CHECK_EQ(pt_arena_init(&a, BASE, 1 << 20), 0);
	for (int n = 1; n <= 5; n++) {
		uint64_t before = a.allocs;

		a.fail_at = n;
		for (int call = 1; call <= 7; call++) {
			int want = call == n ? -PT_ENOMEM : 0;

			if (!CHECK_EQ(a.mem.alloc(&a.mem, 256, &x), want))
				fprintf(stderr, "  fail_at=%d call=%d\n", n, call);
		}
		CHECK_EQ(a.allocs, before + 6);
		CHECK_EQ(a.fail_at, 0);
	}

	a.fail_at = 2;
	a.fail_every = 3;
	static const int pattern[] = { 0, -PT_ENOMEM, 0, 0, -PT_ENOMEM, 0, 0, -PT_ENOMEM };
	for (unsigned i = 0; i < sizeof(pattern) / sizeof(pattern[0]); i++)
		CHECK_EQ(a.mem.alloc(&a.mem, 4096, &x), pattern[i]);
	a.fail_at = 0;
	CHECK_EQ(a.mem.alloc(&a.mem, 4096, &x), 0);
	pt_arena_fini(&a);
}

/* live counts outstanding tables; high is the highest end offset ever handed out. */
static void test_accounting(void)
{
	struct pt_arena a;
	uint64_t p256, p4k, q256, p64k;

	CHECK_EQ(pt_arena_init(&a, BASE, 1 << 20), 0);
	CHECK_EQ(a.mem.alloc(&a.mem, 256, &p256), 0);
	CHECK_EQ(p256, BASE);
	CHECK_EQ(a.high, 256);
	CHECK_EQ(a.mem.alloc(&a.mem, 4096, &p4k), 0);
	CHECK_EQ(p4k, BASE + 4096);
	CHECK_EQ(a.high, 8192);
	/* The alignment gap [256, 4096) is reused, high does not move. */
	CHECK_EQ(a.mem.alloc(&a.mem, 256, &q256), 0);
	CHECK(q256 > p256 && q256 < p4k);
	CHECK_EQ(a.high, 8192);
	CHECK_EQ(a.live, 3);
	CHECK_EQ(a.mem.alloc(&a.mem, 65536, &p64k), 0);
	CHECK_EQ(p64k, BASE + 65536);
	CHECK_EQ(a.high, 131072);
	a.mem.free(&a.mem, p64k, 65536);
	a.mem.free(&a.mem, q256, 256);
	CHECK_EQ(a.live, 2);
	CHECK_EQ(a.high, 131072); /* high never goes down: it is the image extent */
	a.mem.free(&a.mem, p4k, 4096);
	a.mem.free(&a.mem, p256, 256);
	CHECK_EQ(a.live, 0);
	CHECK_EQ(a.allocs, 4);
	pt_arena_fini(&a);
}

static void test_count_reads(void)
{
	struct pt_arena a;

	CHECK_EQ(pt_arena_init(&a, BASE, 0x1000), 0);
	pt_arena_count_reads(&a, true);
	if (CHECK(a.mem.observe != NULL)) {
		for (int i = 0; i < 3; i++)
			a.mem.observe(&a.mem, BASE + 8 * i);
	}
	CHECK_EQ(a.reads, 3);
	pt_arena_count_reads(&a, false);
	CHECK(a.mem.observe == NULL);
	pt_arena_fini(&a);
}

/* Run fn in a child; true if it died of SIGABRT. */
static bool aborts(void (*fn)(void))
{
	fflush(stderr);
	pid_t pid = fork();

	if (pid == 0) {
		/* The arena names the bad free on stderr: expected here, keep the log clean. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(2);
		fn();
		_exit(0);
	}
	int status = 0;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void double_free(void)
{
	struct pt_arena a;
	uint64_t pa;

	pt_arena_init(&a, BASE, 0x10000);
	a.mem.alloc(&a.mem, 4096, &pa);
	a.mem.free(&a.mem, pa, 4096);
	a.mem.free(&a.mem, pa, 4096);
}

static void free_outside(void)
{
	struct pt_arena a;
	uint64_t pa;

	pt_arena_init(&a, BASE, 0x10000);
	a.mem.alloc(&a.mem, 4096, &pa);
	a.mem.free(&a.mem, BASE + 0x10000, 4096);
}

static void free_below(void)
{
	struct pt_arena a;

	pt_arena_init(&a, BASE, 0x10000);
	a.mem.free(&a.mem, BASE - 0x1000, 4096);
}

static void free_wrong_size(void)
{
	struct pt_arena a;
	uint64_t pa;

	pt_arena_init(&a, BASE, 0x10000);
	a.mem.alloc(&a.mem, 4096, &pa);
	a.mem.free(&a.mem, pa, 512);
}

static void free_ok(void)
{
	struct pt_arena a;
	uint64_t pa;

	pt_arena_init(&a, BASE, 0x10000);
	a.mem.alloc(&a.mem, 4096, &pa);
	a.mem.free(&a.mem, pa, 4096);
	pt_arena_fini(&a);
}

static void test_bad_free_aborts(void)
{
	CHECK(aborts(double_free));
	CHECK(aborts(free_outside));
	CHECK(aborts(free_below));
	CHECK(aborts(free_wrong_size));
	CHECK(!aborts(free_ok));
}

static void test_image_mem(void)
{
	static const uint8_t img[8192];
	struct pt_mem m;

	memset(&m, 0x5a, sizeof(m));
	pt_image_mem(&m, img, 0x1000, sizeof(img));
	CHECK(m.bytes == img);
	CHECK_EQ(m.base, 0x1000);
	CHECK_EQ(m.size, sizeof(img));
	CHECK(!m.table && !m.pa_of);
	CHECK(m.alloc == NULL && m.free == NULL && m.observe == NULL && m.priv == NULL);
}

static void test_strerror(void)
{
	CHECK(strcmp(pt_strerror(-PT_ENOMEM), pt_strerror(PT_ENOMEM)) == 0);
	CHECK(strcmp(pt_strerror(0), "success") == 0);
	for (int e = PT_EINVAL; e <= PT_EBUSY; e++) {
		CHECK(strcmp(pt_strerror(-e), "unknown error") != 0);
		CHECK(strcmp(pt_strerror(-e), pt_strerror(-e - 1)) != 0);
	}
	CHECK(strcmp(pt_strerror(-1000), "unknown error") == 0);
	CHECK(strcmp(pt_strerror((int)0x80000000u), "unknown error") == 0);
}

int main(void)
{
	test_init_args();
	test_alignment();
	test_physical_alignment();
	test_reuse_zeroed();
	test_exhaustion();
	test_fail_injection();
	test_accounting();
	test_count_reads();
	test_bad_free_aborts();
	test_image_mem();
	test_strerror();
	return CHECK_DONE();
}
