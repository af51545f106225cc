// SPDX-License-Identifier: MIT
/*
 * Copy-on-write against pins (src/mm/memory.c mm_fault_default, src/mm/gup.c), on every
 * format: a page pinned with FOLL_PIN | FOLL_LONGTERM must stay the page the address space
 * maps through every later write fault, small and huge (issue 15, defect 2). An anonymous
 * folio a fault mapped is exclusive to its address space: a write fault on its read-only
 * leaf makes the leaf writable in place, whatever its refcount (pins, FOLL_GET references).
 * What fork shares (not exclusive) is in test_mm_fork.c.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mm_fixture.h"
#include "ptkit/mem.h"
#include "ptkit/mm.h"
#include "ptkit/ptkit.h"

#define TABLES_BASE 0x10000000ull
#define TABLES_SIZE (64ull << 20)
#define DATA_BASE 0x100000000ull
#define DATA_SIZE 0x100000000ull

struct fx {
	const struct pt_format *f;
	struct pt_arena a;
	struct mm_pfdb db;
	struct mm mm;
	uint64_t ps, huge;
};

static unsigned long n_runs, n_moved; /* write faults that replaced a pinned page */

static bool fx_init(struct fx *x, const struct pt_format *f)
{
	memset(x, 0, sizeof(*x));
	x->f = f;
	x->ps = pt_level_size(f, 0);
	x->huge = f->leaf_ok[1] && pt_level_size(f, 1) <= (512ull << 20) ? pt_level_size(f, 1) : 0;
	return mm_fx_open(f, &x->a, &x->db, &x->mm, TABLES_BASE, TABLES_SIZE, DATA_BASE, DATA_SIZE);
}

static void fx_fini(struct fx *x)
{
	mm_fx_close(&x->a, &x->db, &x->mm);
}

/* The PA va translates to, and whether the leaf is writable (0: not mapped). */
static uint64_t pa_at(struct fx *x, uint64_t va, bool *w)
{
	struct mm_walk_state st;

	mm_walk_init(&st, &x->mm.pt);
	if (!mm_walk_seek_leaf(&st, &x->mm.pt, va))
		return 0;
	if (w)
		*w = mm_walk_is_write(&st);
	return mm_walk_leaf_pa(&st) + (va - mm_walk_leaf_va(&st));
}

/* Make [va, va+size) read-only leaves in a writable VMA (a clean read-only leaf stays so). */
static void write_protect(struct fx *x, uint64_t va, uint64_t size, uint64_t at)
{
	bool w = true;

	CHECK_EQ(mm_mprotect(&x->mm, va, size, PT_R | PT_USER), 0);
	CHECK_EQ(mm_mprotect(&x->mm, va, size, PT_R | PT_W | PT_USER), 0);
	CHECK(pa_at(x, at, &w) && !w);
}

static bool same_page(struct fx *x, uint64_t va, uint64_t pinned, const char *how)
{
	bool w = false;
	uint64_t now = pa_at(x, va, &w);

	if (now == pinned && w)
		return true;
	n_moved += now != pinned;
	fprintf(stderr, "%s: %s: va 0x%llx maps 0x%llx (%s), pinned 0x%llx\n", x->f->name, how,
		(unsigned long long)va, (unsigned long long)now, w ? "rw" : "ro",
		(unsigned long long)pinned);
	check_failures++;
	return false;
}

/* A long-term write pin of an anonymous page, then write faults: the leaf keeps the page. */
static void test_pin_then_write(struct fx *x, uint64_t page_size)
{
	struct mm *mm = &x->mm;
	uint64_t va = 4 * (page_size > x->ps ? page_size : 64 * x->ps), pa, pa2;
	uint64_t size = page_size > x->ps ? page_size : 4 * x->ps;
	uint64_t at = va + (page_size > x->ps ? page_size - x->ps : x->ps); /* a tail page */
	struct mm_vma v = { .start = va,
			    .end = va + size,
			    .kind = MM_VMA_ANON,
			    .prot = PT_R | PT_W | PT_USER,
			    .page_size = page_size };
	const unsigned pin = FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE;
	struct mm_page *h;
	uint32_t ref;

	if (!CHECK_EQ(mm_mmap(mm, &v), 0))
		return;
	if (!CHECK_EQ(get_user_pages(mm, at, 1, pin, &pa, NULL, NULL), 1))
		goto out;
	h = mm_folio_of(&x->db, pa, NULL);
	ref = h->refcount;
	CHECK(mm_folio_pinned(h));

	/* The slow path's write fault (get_user_pages FOLL_WRITE). */
	write_protect(x, va, size, at);
	CHECK_EQ(get_user_pages(mm, at, 1, FOLL_WRITE, NULL, NULL, NULL), 1);
	same_page(x, at, pa, "get_user_pages(FOLL_WRITE) after a long-term pin");

	/* The fault handler called directly. */
	write_protect(x, va, size, at);
	mm_lock(mm);
	CHECK_EQ(mm_fault_default(mm, mm_find_vma(mm, at), at, FOLL_WRITE, NULL), 0);
	mm_unlock(mm);
	same_page(x, at, pa, "mm_fault_default(FOLL_WRITE) after a long-term pin");

	/* A second pin through GUP-fast finds the writable leaf and the same page. */
	CHECK_EQ(get_user_pages_fast(mm, at, 1, pin, &pa2, NULL, NULL), 1);
	CHECK_EQ(pa2, pa);
	unpin_user_pages(mm, &pa2, 1);
	CHECK_EQ(h->refcount, ref);

	/* A read-only pin of a read-faulted page: the page is ours alone, the write reuses it. */
	unpin_user_pages(mm, &pa, 1);
	CHECK_EQ(mm_zap(mm, va, size), 0);
	CHECK_EQ(get_user_pages(mm, at, 1, FOLL_PIN | FOLL_LONGTERM, &pa, NULL, NULL), 1);
	CHECK_EQ(get_user_pages(mm, at, 1, FOLL_WRITE, NULL, NULL, NULL), 1);
	same_page(x, at, pa, "write after a read-only long-term pin");
	unpin_user_pages(mm, &pa, 1);

	/* A FOLL_GET reference does not make the write copy either (the page is exclusive). */
	write_protect(x, va, size, at);
	CHECK_EQ(get_user_pages(mm, at, 1, FOLL_GET, &pa, NULL, NULL), 1);
	CHECK_EQ(get_user_pages(mm, at, 1, FOLL_WRITE, NULL, NULL, NULL), 1);
	same_page(x, at, pa, "write with a FOLL_GET reference held");
	put_user_pages(mm, &pa, 1);
	h = mm_folio_of(&x->db, pa, NULL);
	CHECK(h && h->refcount == 1 && h->pincount == 0);
out:
	CHECK_EQ(mm_munmap(mm, va, size), 0);
	CHECK_EQ(x->db.folios_live, 0);
	n_runs++;
}

int main(void)
{
	for (unsigned i = 0; pt_format_at(i); i++) {
		struct fx *x = malloc(sizeof(*x));

		if (!CHECK(x) || !fx_init(x, pt_format_at(i)))
			return CHECK_DONE();
		test_pin_then_write(x, x->ps);
		if (x->huge)
			test_pin_then_write(x, x->huge);
		fx_fini(x);
		free(x);
	}
	printf("%lu runs, %lu pinned pages replaced by a write fault\n", n_runs, n_moved);
	return CHECK_DONE();
}
