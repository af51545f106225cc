// SPDX-License-Identifier: MIT
/*
 * The mm layer's lock rules and per-thread errors (src/mm/mm.c, include/ptkit/mm.h).
 *
 * Misuse dies loudly: each case runs in a fork()ed child with stderr on a pipe; the parent
 * wants SIGABRT and "ptkit mm: <call>: <reason>" on stderr. An mm_* call made while the
 * thread holds that mm's lock (from an mm_walk_vmas callback, between follow_pfnmap_start
 * and _end, from a fault handler) must die, not hang; a lock-held entry point called
 * without the lock must die. The same calls made by the rules must not die (the control
 * that shows the harness tells the two apart). The children run before this process has
 * any thread of its own.
 *
 * mm_last_error is per thread: two threads fail different calls at the same time and each
 * sees its own reason; a successful call clears the caller's error only; a GUP that stops
 * short (partial count) says why and where, and one that takes nothing returns the error.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "mm_fixture.h"
#include "ptkit/mem.h"
#include "ptkit/mm.h"
#include "ptkit/ptkit.h"

#define TABLES_BASE 0x10000000ull
#define TABLES_SIZE (16ull << 20)
#define DATA_BASE 0x100000000ull
#define DATA_SIZE (64ull << 20)
#define PFN_PA 0x800000000ull

struct fx {
	struct pt_arena a;
	struct mm_pfdb db;
	struct mm mm;
	uint64_t ps;
	uint64_t anon; /* 16 pages, anonymous, the first 4 faulted in */
	uint64_t pfn;  /* 16 pages of a PFN map */
	uint64_t hole; /* no VMA here */
};

static void fx_init(struct fx *x)
{
	const struct pt_format *f = pt_format_find("x86_64");
	struct mm_vma v;

	memset(x, 0, sizeof(*x));
	x->ps = pt_level_size(f, 0);
	x->anon = 0x40000000;
	x->pfn = 0x80000000;
	x->hole = 0xc0000000;
	if (!mm_fx_open(f, &x->a, &x->db, &x->mm, TABLES_BASE, TABLES_SIZE, DATA_BASE, DATA_SIZE))
		exit(CHECK_DONE());
	v = (struct mm_vma){ .start = x->anon,
			     .end = x->anon + 16 * x->ps,
			     .kind = MM_VMA_ANON,
			     .prot = PT_R | PT_W | PT_USER };
	CHECK_EQ(mm_mmap(&x->mm, &v), 0);
	v = (struct mm_vma){ .start = x->pfn,
			     .end = x->pfn + 16 * x->ps,
			     .kind = MM_VMA_PFNMAP,
			     .prot = PT_R | PT_W | PT_USER,
			     .pfn_pa = PFN_PA };
	CHECK_EQ(mm_mmap(&x->mm, &v), 0);
	CHECK_EQ(get_user_pages(&x->mm, x->anon, 4, FOLL_WRITE, NULL, NULL, NULL), 4);
}

static void fx_fini(struct fx *x)
{
	mm_fx_close(&x->a, &x->db, &x->mm);
}

/* ---- misuse dies loudly ----------------------------------------------------------------- */

static struct fx *child_fx; /* the child's own (after fork) */

static int mprotect_from_leaf(struct mm_walk_state *st, const struct mm_vma *vma, void *priv)
{
	(void)vma;
	(void)priv;
	mm_mprotect(&child_fx->mm, mm_walk_leaf_va(st), child_fx->ps, PT_R | PT_USER);
	return MM_WALK_STOP;
}

static void walk_then_mprotect(void)
{
	const struct mm_vma_walk_ops ops = { .leaf_entry = mprotect_from_leaf };
	mm_walk_vmas(&child_fx->mm, child_fx->anon, child_fx->anon + 16 * child_fx->ps, &ops, NULL);
}

static void gup_inside_follow_pfnmap(void)
{
	struct follow_pfnmap_args args;
	uint64_t pa;

	if (follow_pfnmap_start(&child_fx->mm, child_fx->pfn, &args))
		return;
	get_user_pages(&child_fx->mm, child_fx->anon, 1, FOLL_GET, &pa, NULL, NULL);
	follow_pfnmap_end(&child_fx->mm);
}

static void find_vma_unlocked(void)
{
	mm_find_vma(&child_fx->mm, child_fx->anon);
}

static void map_folio_unlocked(void)
{
	uint64_t pa;

	if (!mm_folio_alloc(&child_fx->db, 0, 0, &pa))
		mm_map_folio(&child_fx->mm, child_fx->anon + 8 * child_fx->ps, pa, child_fx->ps,
			     PT_R | PT_USER);
}

static int munmap_fault(struct mm *mm, const struct mm_vma *vma, uint64_t va, unsigned foll,
			void *priv)
{
	(void)vma;
	(void)foll;
	(void)priv;
	return mm_munmap(mm, va, child_fx->ps);
}

static void munmap_from_fault_handler(void)
{
	get_user_pages(&child_fx->mm, child_fx->anon + 8 * child_fx->ps, 1, 0, NULL, munmap_fault,
		       NULL);
}

static void unlock_unlocked(void)
{
	mm_unlock(&child_fx->mm);
}

/* The same calls, as the rules allow them: none may die. */
static int mprotect_elsewhere_from_leaf(struct mm_walk_state *st, const struct mm_vma *vma,
					void *priv)
{
	(void)st;
	(void)vma;
	*(int *)priv += 1;
	return MM_WALK_CONTINUE;
}

static void by_the_rules(void)
{
	const struct mm_vma_walk_ops ops = { .leaf_entry = mprotect_elsewhere_from_leaf };
	struct follow_pfnmap_args args;
	uint64_t pa;
	int leaves = 0;

	if (mm_walk_vmas(&child_fx->mm, child_fx->anon, child_fx->anon + 16 * child_fx->ps, &ops,
			 &leaves) ||
	    leaves != 4)
		_exit(3);
	if (mm_mprotect(&child_fx->mm, child_fx->anon, child_fx->ps, PT_R | PT_USER))
		_exit(4);
	if (follow_pfnmap_start(&child_fx->mm, child_fx->pfn, &args))
		_exit(5);
	follow_pfnmap_end(&child_fx->mm);
	if (get_user_pages(&child_fx->mm, child_fx->anon, 1, FOLL_GET, &pa, NULL, NULL) != 1)
		_exit(6);
	put_user_pages(&child_fx->mm, &pa, 1);
	mm_lock(&child_fx->mm);
	if (!mm_find_vma(&child_fx->mm, child_fx->anon))
		_exit(7);
	mm_unlock(&child_fx->mm);
}

/*
 * Run fn in a child with stderr on a pipe. want_text NULL: the child must exit 0 and say
 * nothing; else it must die of SIGABRT with "ptkit mm: <call>: " and want_text on stderr.
 */
static void in_child(const char *name, void (*fn)(void), const char *call, const char *want_text)
{
	char out[4096], prefix[128];
	size_t len = 0;
	int fds[2], status = 0;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (!CHECK_EQ(pipe(fds), 0))
		return;
	pid = fork();
	if (!CHECK(pid >= 0))
		return;
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		static struct fx x;

		setrlimit(RLIMIT_CORE, &no_core); /* abort() is the expected end: no core */
		close(fds[0]);
		dup2(fds[1], 2);
		close(fds[1]);
		child_fx = &x;
		check_failures = 0; /* the parent's, copied */
		fx_init(&x);
		if (check_failures)
			_exit(2);
		fn();
		_exit(0); /* not fx_fini: after misuse the mm may be in any state */
	}
	close(fds[1]);
	for (;;) {
		ssize_t r = read(fds[0], out + len, sizeof(out) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == sizeof(out) - 1)
			break;
	}
	out[len] = 0;
	close(fds[0]);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	if (!want_text) {
		if (!CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0) || !CHECK_EQ(len, 0))
			fprintf(stderr, "  %s: status 0x%x, stderr: %s\n", name, status, out);
		return;
	}
	snprintf(prefix, sizeof(prefix), "ptkit mm: %s: ", call);
	if (!CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) ||
	    !CHECK(strstr(out, prefix) != NULL) || !CHECK(strstr(out, want_text) != NULL))
		fprintf(stderr, "  %s: status 0x%x, stderr: %s\n", name, status, out);
}

static void test_misuse_dies(void)
{
	static const char nested[] = "already holds the mm lock";
	static const char unlocked[] = "needs the mm lock held";

	in_child("by the rules", by_the_rules, NULL, NULL);
	in_child("mm_mprotect from an mm_walk_vmas callback", walk_then_mprotect, "mm_mprotect",
		 nested);
	in_child("get_user_pages between follow_pfnmap_start and _end", gup_inside_follow_pfnmap,
		 "get_user_pages", nested);
	in_child("mm_munmap from a fault handler", munmap_from_fault_handler, "mm_munmap", nested);
	in_child("mm_find_vma without the lock", find_vma_unlocked, "mm_find_vma", unlocked);
	in_child("mm_map_folio without the lock", map_folio_unlocked, "mm_map_folio", unlocked);
	in_child("mm_unlock without the lock", unlock_unlocked, "mm_unlock", "not held");
}

/* ---- mm_last_error is per thread --------------------------------------------------------- */

#define ROUNDS 200

static struct {
	struct fx *x;
	pthread_barrier_t bar;
	unsigned bad[2];
} two;

static bool is_error(const struct mm_error *e, int err, uint64_t va, const char *call,
		     const char *why_part)
{
	return e->err == err && e->va == va && e->call && !strcmp(e->call, call) && e->why &&
	       strstr(e->why, why_part);
}

/* Thread 0 fails mm_munmap (unaligned), thread 1 mm_mprotect (no VMA), at the same time. */
static void *fail_one(void *p)
{
	const unsigned me = (unsigned)(uintptr_t)p;
	struct fx *x = two.x;

	for (unsigned r = 0; r < ROUNDS; r++) {
		if (me == 0)
			CHECK_EQ(mm_munmap(&x->mm, x->anon + 1, x->ps), -PT_EINVAL);
		else
			CHECK_EQ(mm_mprotect(&x->mm, x->hole, x->ps, PT_R), -PT_ENOENT);
		pthread_barrier_wait(&two.bar); /* both have failed */
		if (me == 0 ? !is_error(mm_last_error(), -PT_EINVAL, x->anon + 1, "mm_munmap",
					"unaligned")
			    : !is_error(mm_last_error(), -PT_ENOENT, x->hole, "mm_mprotect",
					"no VMA"))
			two.bad[me]++;
		pthread_barrier_wait(&two.bar);
		/* Thread 0 succeeds: its error clears, thread 1's stays. */
		if (me == 0 && mm_mprotect(&x->mm, x->anon, x->ps, PT_R | PT_W | PT_USER) == 0 &&
		    mm_last_error()->err != 0)
			two.bad[me]++;
		pthread_barrier_wait(&two.bar);
		if (me == 1 &&
		    !is_error(mm_last_error(), -PT_ENOENT, x->hole, "mm_mprotect", "no VMA"))
			two.bad[me]++;
		pthread_barrier_wait(&two.bar);
	}
	return NULL;
}

static void test_per_thread(struct fx *x)
{
	pthread_t t[2];

	two.x = x;
	pthread_barrier_init(&two.bar, NULL, 2);
	for (unsigned i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, fail_one, (void *)(uintptr_t)i), 0);
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&two.bar);
	CHECK_EQ(two.bad[0], 0);
	CHECK_EQ(two.bad[1], 0);
	/* This thread made no call: it has no error of theirs. */
	CHECK_EQ(mm_last_error()->err, 0);
}

/* ---- GUP that stops short ------------------------------------------------------------------ */

static void test_gup_short(struct fx *x)
{
	struct mm *mm = &x->mm;
	const struct mm_error *e = mm_last_error();
	uint64_t pas[32];
	uint64_t end = x->anon + 16 * x->ps;

	/* The VMA ends after 16 pages: 16 taken, the 17th has no VMA. */
	CHECK_EQ(get_user_pages(mm, x->anon, 20, FOLL_GET, pas, NULL, NULL), 16);
	CHECK(is_error(e, -PT_EFAULT, end, "get_user_pages", "no VMA"));
	put_user_pages(mm, pas, 16);
	/* A success clears it. */
	CHECK_EQ(get_user_pages(mm, x->anon, 2, FOLL_GET, pas, NULL, NULL), 2);
	CHECK_EQ(e->err, 0);
	CHECK(e->why == NULL);
	put_user_pages(mm, pas, 2);

	/* Nothing taken: the error itself, and the reason. */
	CHECK_EQ(get_user_pages(mm, x->hole, 1, FOLL_GET, pas, NULL, NULL), -PT_EFAULT);
	CHECK(is_error(e, -PT_EFAULT, x->hole, "get_user_pages", "no VMA"));
	CHECK_EQ(get_user_pages(mm, x->anon + 1, 1, FOLL_GET, pas, NULL, NULL), -PT_EINVAL);
	CHECK_EQ(e->err, -PT_EINVAL);

	/* FOLL_NOFAULT over pages 16.. of a fresh range: the first hole stops it. */
	CHECK_EQ(mm_zap(mm, x->anon + 2 * x->ps, 14 * x->ps), 0);
	CHECK_EQ(get_user_pages(mm, x->anon, 4, FOLL_GET | FOLL_NOFAULT, pas, NULL, NULL), 2);
	CHECK(is_error(e, -PT_EFAULT, x->anon + 2 * x->ps, "get_user_pages", "FOLL_NOFAULT"));
	put_user_pages(mm, pas, 2);

	/* GUP-fast: no fault, so the same hole stops it; and a success clears the error. */
	CHECK_EQ(get_user_pages_fast_only(mm, x->anon, 4, FOLL_PIN, pas), 2);
	CHECK(is_error(e, -PT_EFAULT, x->anon + 2 * x->ps, "get_user_pages_fast_only",
		       "not mapped"));
	unpin_user_pages(mm, pas, 2);
	CHECK_EQ(get_user_pages_fast_only(mm, x->anon, 2, FOLL_PIN, pas), 2);
	CHECK_EQ(e->err, 0);
	unpin_user_pages(mm, pas, 2);
	/* GUP-fast then the slow path: faults the hole in, stops at the end of the VMA. */
	CHECK_EQ(get_user_pages_fast(mm, x->anon, 20, FOLL_PIN, pas, NULL, NULL), 16);
	CHECK_EQ(e->err, -PT_EFAULT);
	CHECK_EQ(e->va, end);
	unpin_user_pages(mm, pas, 16);
	for (uint64_t k = 0; k < 16; k++) {
		struct mm_page *h = mm_folio_of(&x->db, pas[k], NULL);
		if (CHECK(h != NULL))
			CHECK_EQ(h->refcount, 1);
	}
}

int main(void)
{
	static struct fx x;

	test_misuse_dies(); /* first: no thread of ours exists yet */
	mm_rcu_register_thread();
	fx_init(&x);
	test_per_thread(&x);
	test_gup_short(&x);
	fx_fini(&x);
	mm_rcu_unregister_thread();
	return CHECK_DONE();
}
