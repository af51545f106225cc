// SPDX-License-Identifier: MIT
/*
 * PROT_NONE and GUP rights (issue 15, defect 3), on every format: mm_mprotect to PROT_NONE
 * keeps each leaf (same folio, size, dirty state) but the MMU may no longer use it
 * (pt_translate faults, the leaf's prot has no R/W/X); both GUP paths refuse it with a
 * reason; mprotect back restores access without a new folio; munmap releases the folio.
 * Also the VMA checks of the slow path (src/mm/gup.c, Linux check_vma_flags), the leaf's
 * user bit (Linux pte_access_permitted) and mm_fault_default in a PROT_NONE VMA
 * (src/mm/memory.c).
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

#define RW_USER (PT_R | PT_W | PT_USER)

struct fx {
	const struct pt_format *f;
	struct pt_arena a;
	struct mm_pfdb db;
	struct mm mm;
	uint64_t ps, huge;
};

static bool fx_init(struct fx *x, const struct pt_format *f)
{
	memset(x, 0, sizeof(*x));
	x->f = f;
	x->ps = pt_level_size(f, 0);
	x->huge = f->leaf_ok[1] && pt_level_size(f, 1) <= (1ull << 30) ? pt_level_size(f, 1) : 0;
	return mm_fx_open(f, &x->a, &x->db, &x->mm, TABLES_BASE, TABLES_SIZE, DATA_BASE, DATA_SIZE);
}

static void fx_fini(struct fx *x)
{
	mm_fx_close(&x->a, &x->db, &x->mm);
}

static unsigned long n_refusals;

/* The last mm call failed with err and a reason that contains `what`. */
static bool refused(const char *f, int err, const char *what)
{
	const struct mm_error *e = mm_last_error();
	bool ok = e->err == err && e->why && strstr(e->why, what);

	if (!ok)
		fprintf(stderr, "  %s: wanted %d \"%s\", last error %d \"%s\" (%s)\n", f, err, what,
			e->err, e->why ? e->why : "(none)", e->call ? e->call : "?");
	n_refusals += ok;
	return ok;
}

/* The leaf at va: its PA, size and prot (false: none). */
static bool leaf_at(struct fx *x, uint64_t va, uint64_t *pa, uint64_t *size, uint32_t *prot)
{
	struct mm_walk_state st;

	mm_walk_init(&st, &x->mm.pt);
	if (!mm_walk_seek_leaf(&st, &x->mm.pt, va))
		return false;
	*pa = mm_walk_leaf_pa(&st) + (va - mm_walk_leaf_va(&st));
	*size = mm_walk_leaf_size(&st);
	*prot = mm_walk_prot(&st);
	return true;
}

/* Both GUP paths refuse [va, va + n pages) with a reason naming what. */
static void gup_refused(struct fx *x, uint64_t va, unsigned long n, unsigned foll, const char *slow,
			const char *fast)
{
	struct mm *mm = &x->mm;
	uint64_t pas[4];

	CHECK_EQ(get_user_pages(mm, va, n, foll, pas, NULL, NULL), -PT_EFAULT);
	CHECK(refused(x->f->name, -PT_EFAULT, slow));
	CHECK_EQ(get_user_pages_fast_only(mm, va, n, foll, pas), 0);
	CHECK(refused(x->f->name, -PT_EFAULT, fast));
	CHECK_EQ(get_user_pages_fast(mm, va, n, foll, pas, NULL, NULL), -PT_EFAULT);
}

/*
 * Four written pages, mprotect PROT_NONE, refused, back to read-write: the same folios
 * throughout, none added.
 */
static void test_protnone_pages(struct fx *x)
{
	struct mm *mm = &x->mm;
	const uint64_t va = 8 * (x->huge ? x->huge : 1ull << 21);
	struct mm_vma v = {
		.start = va, .end = va + 4 * x->ps, .kind = MM_VMA_ANON, .prot = RW_USER
	};
	uint64_t pa0, pa, size, size0, pas[4];
	struct pt_translation tr;
	uint32_t prot;
	uint64_t live;

	CHECK_EQ(mm_mmap(mm, &v), 0);
	CHECK_EQ(get_user_pages(mm, va, 4, FOLL_WRITE, NULL, NULL, NULL), 4);
	live = x->db.folios_live;
	if (!CHECK(leaf_at(x, va + x->ps, &pa0, &size0, &prot)))
		return;
	CHECK(prot & PT_DIRTY);

	/* PROT_NONE: accepted by every format, the leaf kept but no longer usable. */
	if (!CHECK_EQ(mm_mprotect(mm, va, 4 * x->ps, PT_USER), 0)) {
		fprintf(stderr, "  ^ %s: mprotect PROT_NONE: %s\n", x->f->name,
			mm_last_error()->why ? mm_last_error()->why : "?");
		mm_munmap(mm, va, 4 * x->ps);
		return;
	}
	if (CHECK(leaf_at(x, va + x->ps, &pa, &size, &prot))) {
		CHECK_EQ(pa, pa0);
		CHECK_EQ(size, size0);
		CHECK(pt_prot_none(prot));
		CHECK(prot & PT_USER);
		CHECK(prot & PT_DIRTY); /* the dirty state survives PROT_NONE */
	}
	CHECK_EQ(pt_translate(&mm->pt, va + x->ps, &tr), -PT_ENOENT);
	CHECK_EQ(tr.leaf_pa, pa0);
	CHECK(tr.size == size0 && pt_prot_none(tr.prot));
	CHECK_EQ(x->db.folios_live, live);

	/* Both paths, read and write, get and pin: the VMA refuses first (slow path). */
	gup_refused(x, va, 2, 0, "without PT_R", "PROT_NONE leaf");
	gup_refused(x, va + x->ps, 1, FOLL_PIN, "without PT_R", "PROT_NONE leaf");
	gup_refused(x, va, 1, FOLL_WRITE | FOLL_PIN, "without PT_W", "PROT_NONE leaf");
	CHECK_EQ(get_user_pages(mm, va, 1, 0, NULL, NULL, NULL), -PT_EFAULT); /* fault-in */
	CHECK(refused(x->f->name, -PT_EFAULT, "without PT_R"));
	/* The fault handler itself refuses a PROT_NONE VMA. */
	mm_lock(mm);
	CHECK_EQ(mm_fault_default(mm, mm_find_vma(mm, va), va, 0, NULL), -PT_EFAULT);
	mm_unlock(mm);
	CHECK(refused(x->f->name, -PT_EFAULT, "PROT_NONE VMA"));

	/* A PROT_NONE leaf in a readable VMA (pt_protect behind the VMA's back): the leaf check. */
	{
		struct pt_gather g;

		CHECK_EQ(mm_mprotect(mm, va, 4 * x->ps, RW_USER), 0);
		pt_gather_init(&g, &mm->pt);
		CHECK_EQ(pt_protect(&mm->pt, va, x->ps, PT_USER, &g), 0);
		pt_gather_flush(&g);
		gup_refused(x, va, 1, 0, "PROT_NONE leaf", "PROT_NONE leaf");
		/* A supervisor-only leaf in a user VMA. */
		pt_gather_init(&g, &mm->pt);
		CHECK_EQ(pt_protect(&mm->pt, va, x->ps, PT_R, &g), 0);
		pt_gather_flush(&g);
		gup_refused(x, va, 1, FOLL_PIN, "supervisor-only", "supervisor-only");
	}

	/* Back to read-write: the same folio at once, no fault-in, no new folio. */
	CHECK_EQ(mm_mprotect(mm, va, 4 * x->ps, PT_USER), 0);
	CHECK_EQ(mm_mprotect(mm, va, 4 * x->ps, RW_USER), 0);
	CHECK_EQ(pt_translate(&mm->pt, va + x->ps, &tr), 0);
	CHECK_EQ(tr.pa, pa0);
	CHECK(tr.prot & PT_R);
	CHECK_EQ(get_user_pages_fast_only(mm, va + x->ps, 1, FOLL_PIN, pas), 1);
	CHECK_EQ(pas[0], pa0);
	unpin_user_pages(mm, pas, 1);
	CHECK_EQ(get_user_pages(mm, va, 4, FOLL_PIN | FOLL_WRITE, pas, NULL, NULL), 4);
	CHECK_EQ(pas[1], pa0);
	unpin_user_pages(mm, pas, 4);
	CHECK_EQ(x->db.folios_live, live);

	/* munmap of a PROT_NONE range gives the folios back (fx_fini checks folios_live). */
	CHECK_EQ(mm_mprotect(mm, va, 4 * x->ps, PT_USER), 0);
	CHECK_EQ(mm_munmap(mm, va, 4 * x->ps), 0);
	CHECK_EQ(x->db.folios_live, 0);
}

/*
 * A huge folio: PROT_NONE keeps the huge leaf; giving half of it its rights back splits
 * a PROT_NONE leaf (both halves keep the folio's frames).
 */
static void test_protnone_huge(struct fx *x)
{
	struct mm *mm = &x->mm;
	const uint64_t H = x->huge, va = 16 * H;
	struct mm_vma v = {
		.start = va, .end = va + H, .kind = MM_VMA_ANON, .prot = RW_USER, .page_size = H
	};
	uint64_t pa0, pa, size, pas[1];
	uint32_t prot;

	CHECK_EQ(mm_mmap(mm, &v), 0);
	/*
	 * A read fault: a written read-only arm64 leaf keeps DBM management in software bit 57,
	 * which encode_leaf cannot make, so pt_split_leaf refuses it (PROT_NONE or not).
	 */
	CHECK_EQ(get_user_pages(mm, va, 1, 0, NULL, NULL, NULL), 1);
	if (!CHECK(leaf_at(x, va, &pa0, &size, &prot)) || !CHECK_EQ(size, H))
		goto out;
	if (!CHECK_EQ(mm_mprotect(mm, va, H, PT_USER), 0))
		goto out;
	CHECK(leaf_at(x, va + H - x->ps, &pa, &size, &prot));
	CHECK_EQ(size, H);
	CHECK_EQ(pa, pa0 + H - x->ps);
	CHECK(pt_prot_none(prot));
	gup_refused(x, va + H / 2, 1, 0, "without PT_R", "PROT_NONE leaf");
	/* The upper half back: a PROT_NONE huge leaf split at the edge. */
	if (!CHECK_EQ(mm_mprotect(mm, va + H / 2, H / 2, PT_R | PT_USER), 0)) {
		fprintf(stderr, "  ^ %s: %s\n", x->f->name,
			mm_last_error()->why ? mm_last_error()->why : "?");
		goto out;
	}
	CHECK(leaf_at(x, va, &pa, &size, &prot) && pt_prot_none(prot) && pa == pa0);
	CHECK(leaf_at(x, va + H / 2, &pa, &size, &prot) && (prot & PT_R) && pa == pa0 + H / 2);
	CHECK_EQ(get_user_pages_fast_only(mm, va + H / 2, 1, FOLL_GET, pas), 1);
	CHECK_EQ(pas[0], pa0 + H / 2);
	put_user_pages(mm, pas, 1);
	gup_refused(x, va, 1, 0, "without PT_R", "PROT_NONE leaf");
out:
	CHECK_EQ(mm_munmap(mm, va, H), 0);
	CHECK_EQ(x->db.folios_live, 0);
}

/* A VMA without PT_W refuses FOLL_WRITE before any fault; kernel-style VMAs and GUP-fast. */
static void test_vma_rights(struct fx *x)
{
	struct mm *mm = &x->mm;
	const uint64_t va = 24 * (x->huge ? x->huge : 1ull << 21);
	struct mm_vma ro = {
		.start = va, .end = va + 2 * x->ps, .kind = MM_VMA_FILE, .prot = PT_R | PT_USER
	};
	struct mm_vma k = { .start = va + 4 * x->ps,
			    .end = va + 6 * x->ps,
			    .kind = MM_VMA_FILE,
			    .prot = PT_R | PT_W };
	uint64_t pas[2];
	uint64_t faults;

	CHECK_EQ(mm_mmap(mm, &ro), 0);
	CHECK_EQ(mm_mmap(mm, &k), 0);
	faults = mm->faults;
	CHECK_EQ(get_user_pages(mm, va, 1, FOLL_WRITE | FOLL_PIN, pas, NULL, NULL), -PT_EFAULT);
	CHECK(refused(x->f->name, -PT_EFAULT, "write to a VMA without PT_W"));
	CHECK_EQ(mm->faults, faults); /* refused by the VMA check, not by the fault handler */
	CHECK_EQ(get_user_pages(mm, va, 2, FOLL_PIN, pas, NULL, NULL), 2);
	unpin_user_pages(mm, pas, 2);
	/* Kernel-style VMA (no PT_USER): the slow path serves it, GUP-fast cannot tell. */
	CHECK_EQ(get_user_pages(mm, k.start, 2, FOLL_PIN | FOLL_WRITE, pas, NULL, NULL), 2);
	unpin_user_pages(mm, pas, 2);
	CHECK_EQ(get_user_pages_fast_only(mm, k.start, 1, FOLL_PIN, pas), 0);
	CHECK(refused(x->f->name, -PT_EFAULT, "supervisor-only"));
	CHECK_EQ(get_user_pages_fast(mm, k.start, 1, FOLL_PIN, pas, NULL, NULL), 1);
	unpin_user_pages(mm, pas, 1);
	CHECK_EQ(mm_munmap(mm, va, 6 * x->ps), 0);
	CHECK_EQ(x->db.folios_live, 0);
}

int main(void)
{
	unsigned formats = 0;

	mm_rcu_register_thread();
	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);
		struct fx x;

		if (!fx_init(&x, f))
			return CHECK_DONE();
		test_protnone_pages(&x);
		if (x.huge)
			test_protnone_huge(&x);
		test_vma_rights(&x);
		fx_fini(&x);
		formats++;
	}
	printf("test_mm_protnone: %u formats, %lu refusals with the expected reason\n", formats,
	       n_refusals);
	return CHECK_DONE();
}
