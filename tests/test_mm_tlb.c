// SPDX-License-Identifier: MIT
/*
 * The mm layer's own operations under the TLB model (tlb_model.h), on every format: the
 * model watches every store to the address space's live tables (pt_mem store hook) and
 * every flush (struct mm.tlb_flush, which each change's gather calls). Read and write
 * faults (small and huge folios), copy-on-write, mprotect that splits a huge leaf, zap and
 * munmap of part of a huge leaf, split_huge, a PFN map, get_user_pages: after each call
 * every translation it removed or weakened must have been flushed (nothing stale left that
 * grants more than the tree), and no store may break the family's rules.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ptkit/mm.h"
#include "tlb_model.h"

#define TABLES_BASE 0x10000000ull
#define TABLES_SIZE (64ull << 20)
#define DATA_BASE 0x100000000ull
#define DATA_SIZE 0x40000000ull

struct fx {
	const struct pt_format *f;
	struct pt_arena a;
	struct mm_pfdb db;
	struct mm mm;
	struct tlb_model t;
	char where[96];
	unsigned calls;
};

static void fx_flush(struct mm *mm, const struct pt_flush *f)
{
	struct fx *x = mm->tlb_priv;

	tlb_model_flush(&x->t, f);
}

/* After an mm call: nothing stale that grants more than the tree (all flushed). */
static void settled(struct fx *x, const char *what, int rc, int want)
{
	struct pt_gather none;

	snprintf(x->where, sizeof(x->where), "%s", what);
	if (!CHECK_EQ(rc, want))
		fprintf(stderr, "%s: %s returned %d (%s)\n", x->f->name, what, rc,
			mm_last_error()->why ? mm_last_error()->why : "");
	pt_gather_init(&none, &x->mm.pt);
	tlb_model_op_end(&x->t, &none);
	x->calls++;
}

static long gup(struct fx *x, uint64_t va, unsigned long pages, unsigned foll)
{
	uint64_t pas[64];
	long n;

	if (pages > 64)
		pages = 64;
	n = get_user_pages(&x->mm, va, pages, foll | FOLL_GET, pas, NULL, NULL);
	if (n > 0)
		put_user_pages(&x->mm, pas, (unsigned long)n);
	return n;
}

static void run(const struct pt_format *f)
{
	struct fx *x = calloc(1, sizeof(*x));
	const uint64_t ps = pt_level_size(f, 0);
	const uint64_t huge =
		f->leaf_ok[1] && pt_level_size(f, 1) <= (32ull << 20) ? pt_level_size(f, 1) : 0;
	const uint64_t anon = 1ull << 32, hva = 1ull << 33, pfn = 1ull << 34;
	uint32_t rw = PT_R | PT_W | PT_USER;
	unsigned long before;

	if (!CHECK(x))
		return;
	x->f = f;
	if (!CHECK_EQ(pt_arena_init(&x->a, TABLES_BASE, TABLES_SIZE), 0) ||
	    !CHECK_EQ(mm_pfdb_init(&x->db, DATA_BASE, DATA_SIZE, f->shift[0]), 0) ||
	    !CHECK_EQ(mm_init(&x->mm, f, &x->a.mem, &x->db), 0))
		goto out;
	tlb_model_attach(&x->t, &x->mm.pt);
	x->t.where = x->where;
	x->mm.tlb_flush = fx_flush;
	x->mm.tlb_priv = x;
	before = x->t.violations;

	/* Small anonymous pages: read fault (read-only), write fault (upgrade), COW. */
	{
		struct mm_vma v = {
			.start = anon, .end = anon + 64 * ps, .kind = MM_VMA_ANON, .prot = rw
		};
		uint64_t pas[8];

		settled(x, "mmap anon", mm_mmap(&x->mm, &v), 0);
		settled(x, "read faults", (int)gup(x, anon, 16, 0), 16);
		settled(x, "write faults", (int)gup(x, anon, 32, FOLL_WRITE), 32);
		settled(x, "mprotect ro", mm_mprotect(&x->mm, anon, 16 * ps, PT_R | PT_USER), 0);
		settled(x, "mprotect rw", mm_mprotect(&x->mm, anon, 16 * ps, rw), 0);
		/* a reference held elsewhere: the next write copies (COW replaces the leaf) */
		CHECK_EQ(get_user_pages(&x->mm, anon, 4, FOLL_GET, pas, NULL, NULL), 4);
		settled(x, "mprotect ro again", mm_mprotect(&x->mm, anon, 4 * ps, PT_R | PT_USER),
			0);
		settled(x, "mprotect rw again", mm_mprotect(&x->mm, anon, 4 * ps, rw), 0);
		settled(x, "COW write faults", (int)gup(x, anon, 4, FOLL_WRITE), 4);
		put_user_pages(&x->mm, pas, 4);
		settled(x, "zap", mm_zap(&x->mm, anon + 8 * ps, 8 * ps), 0);
		settled(x, "munmap part", mm_munmap(&x->mm, anon + 48 * ps, 16 * ps), 0);
		settled(x, "munmap", mm_munmap(&x->mm, anon, 48 * ps), 0);
	}

	/* Huge anonymous folios: fault, mprotect of one page (split), zap part, split_huge. */
	if (huge) {
		struct mm_vma v = { .start = hva,
				    .end = hva + 4 * huge,
				    .kind = MM_VMA_ANON,
				    .prot = rw,
				    .page_size = huge };

		settled(x, "mmap huge", mm_mmap(&x->mm, &v), 0);
		settled(x, "huge write faults", (int)gup(x, hva, 1, FOLL_WRITE), 1);
		settled(x, "huge write faults 2", (int)gup(x, hva + huge, 1, FOLL_WRITE), 1);
		settled(x, "huge write faults 3", (int)gup(x, hva + 2 * huge, 1, FOLL_WRITE), 1);
		settled(x, "mprotect one page of a huge leaf",
			mm_mprotect(&x->mm, hva + ps, ps, PT_R | PT_USER), 0);
		settled(x, "zap part of a huge leaf", mm_zap(&x->mm, hva + huge + ps, ps), 0);
		settled(x, "split_huge", mm_split_huge(&x->mm, hva + 2 * huge), 0);
		settled(x, "munmap huge", mm_munmap(&x->mm, hva, 4 * huge), 0);
	}

	/* A PFN map: mapped at mmap, unmapped by munmap, protected in between. */
	{
		struct mm_vma v = { .start = pfn,
				    .end = pfn + 32 * ps,
				    .kind = MM_VMA_PFNMAP,
				    .prot = rw | PT_DEVICE,
				    .pfn_pa = 0x80000000ull };

		settled(x, "mmap pfnmap", mm_mmap(&x->mm, &v), 0);
		settled(x, "mprotect pfnmap", mm_mprotect(&x->mm, pfn, 8 * ps, PT_R | PT_USER), 0);
		settled(x, "munmap pfnmap", mm_munmap(&x->mm, pfn, 32 * ps), 0);
	}

	printf("%s: %u mm calls, %lu live stores, %lu flushes, %lu checks, violations %lu\n",
	       f->name, x->calls, x->t.live_stores, x->t.flushes, x->t.checks,
	       x->t.violations - before);
	CHECK_EQ(x->t.violations, before);
	CHECK(x->t.flushes > 0);
	tlb_model_detach(&x->t);
out:
	mm_fini(&x->mm);
	CHECK_EQ(x->a.live, 0);
	mm_pfdb_fini(&x->db);
	pt_arena_fini(&x->a);
	free(x);
}

int main(void)
{
	for (unsigned i = 0; pt_format_at(i); i++)
		run(pt_format_at(i));
	return CHECK_DONE();
}
