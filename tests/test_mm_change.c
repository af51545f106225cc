// SPDX-License-Identifier: MIT
/*
 * Changing an address space, on every format: mm_mprotect all-or-nothing under injected
 * allocation failures (src/mm/mm.c), mm_split_huge with its refcount / pin rules
 * (src/mm/mm.c, src/mm/pfdb.c, src/ops/split_leaf.c), young / dirty through
 * pt_set_accessed (src/ops/accessed.c), the gather's deferred-free hook
 * (src/ops/gather.c) and mm_walk_path_unchanged (src/walk/walk_path.c).
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
#define DATA_SIZE 0x100000000ull /* 4G of frames: folios up to 1G are enough here */

struct fx {
	const struct pt_format *f;
	struct pt_arena a;
	struct mm_pfdb db;
	struct mm mm;
	uint64_t ps, huge; /* smallest page, smallest huge leaf (level 1) */
};

static bool fx_init(struct fx *x, const struct pt_format *f)
{
	memset(x, 0, sizeof(*x));
	x->f = f;
	x->ps = pt_level_size(f, 0);
	x->huge = f->leaf_ok[1] ? pt_level_size(f, 1) : 0;
	return mm_fx_open(f, &x->a, &x->db, &x->mm, TABLES_BASE, TABLES_SIZE, DATA_BASE, DATA_SIZE);
}

static void fx_fini(struct fx *x)
{
	mm_fx_close(&x->a, &x->db, &x->mm);
}

/* ---- snapshots: every leaf entry (raw), the VMAs, the live tables ---------------------- */

struct snap {
	size_t n;
	uint64_t va[4096], entry[4096];
	int level[4096];
	unsigned nr_vmas;
	struct mm_vma vmas[16];
	uint64_t tables;
};

static void snap_take(struct fx *x, struct snap *s, uint64_t start, uint64_t end)
{
	struct mm_walk_state st;

	s->n = 0;
	mm_walk_init(&st, &x->mm.pt);
	for_each_pt_leaf (&st, &x->mm.pt, start, end) {
		if (s->n < 4096) {
			s->va[s->n] = mm_walk_leaf_va(&st);
			s->entry[s->n] = st.entry;
			s->level[s->n] = st.level;
		}
		s->n++;
	}
	s->nr_vmas = x->mm.nr_vmas < 16 ? x->mm.nr_vmas : 16;
	memcpy(s->vmas, x->mm.vmas, s->nr_vmas * sizeof(s->vmas[0]));
	s->tables = x->a.live;
}

static bool snap_same(const struct snap *a, const struct snap *b)
{
	if (a->n != b->n || a->nr_vmas != b->nr_vmas || a->tables != b->tables)
		return false;
	for (size_t i = 0; i < a->n && i < 4096; i++)
		if (a->va[i] != b->va[i] || a->entry[i] != b->entry[i] ||
		    a->level[i] != b->level[i])
			return false;
	return !memcmp(a->vmas, b->vmas, a->nr_vmas * sizeof(a->vmas[0]));
}

static uint32_t prot_at(struct fx *x, uint64_t va)
{
	struct mm_walk_state st;
	mm_walk_init(&st, &x->mm.pt);
	return mm_walk_seek_leaf(&st, &x->mm.pt, va) ? mm_walk_prot(&st) : 0;
}

static uint64_t leaf_size_at(struct fx *x, uint64_t va)
{
	struct mm_walk_state st;
	mm_walk_init(&st, &x->mm.pt);
	return mm_walk_seek_leaf(&st, &x->mm.pt, va) ? mm_walk_group_size(&st) : 0;
}

/* ---- mprotect: all or nothing ------------------------------------------------------------ */

static unsigned long n_mprotect_failures;

/*
 * Two huge folios side by side, mprotect from inside the first to inside the second: the
 * prepare step splits both edge leaves (at least two tables). Every injected allocation
 * failure must leave leaves, VMAs and the table count exactly as before.
 */
static void test_mprotect_atomic(struct fx *x)
{
	static struct snap before, after;
	struct mm *mm = &x->mm;
	uint64_t H = x->huge, va = 4 * H, pa;
	struct mm_vma v = { .start = va,
			    .end = va + 2 * H,
			    .kind = MM_VMA_FILE,
			    .prot = PT_R | PT_W | PT_USER,
			    .page_size = H };
	uint64_t s = va + x->ps, e = va + 2 * H - x->ps;
	unsigned failures = 0;
	int err = -1;

	CHECK_EQ(mm_mmap(mm, &v), 0);
	CHECK_EQ(get_user_pages(mm, va, 2 * H / x->ps, FOLL_WRITE, NULL, NULL, NULL),
		 (long)(2 * H / x->ps));
	CHECK_EQ(leaf_size_at(x, va), H);
	/* Bad requests change nothing either. */
	snap_take(x, &before, va, va + 2 * H);
	CHECK_EQ(mm_mprotect(mm, va - x->ps, 2 * x->ps, PT_R), -PT_ENOENT); /* no VMA below */
	CHECK(mm_last_error()->why && strstr(mm_last_error()->why, "no VMA"));
	CHECK_EQ(mm_mprotect(mm, s, x->ps, PT_R | PT_CONTIG), -PT_EINVAL);
	if (x->f->ops.encode_leaf(0, 0, PT_R | PT_DEVICE | PT_NOCACHE, &pa))
		CHECK_EQ(mm_mprotect(mm, s, x->ps, PT_R | PT_DEVICE | PT_NOCACHE), -PT_EINVAL);
	snap_take(x, &after, va, va + 2 * H);
	CHECK(snap_same(&before, &after));

	for (uint64_t k = 1; k < 64; k++) {
		x->a.fail_at = k;
		err = mm_mprotect(mm, s, e - s, PT_R | PT_USER);
		x->a.fail_at = 0;
		if (!err)
			break;
		failures++;
		snap_take(x, &after, va, va + 2 * H);
		if (!CHECK_EQ(err, -PT_ENOMEM) || !CHECK(snap_same(&before, &after))) {
			fprintf(stderr, "  ^ %s: mprotect with fail_at=%llu\n", x->f->name,
				(unsigned long long)k);
			break;
		}
	}
	CHECK_EQ(err, 0);
	CHECK(failures >= 2); /* both edges needed a table */
	n_mprotect_failures += failures;
	/* The result: [s, e) read-only, the pages outside still writable, VMAs split in 3. */
	CHECK(!(prot_at(x, s) & PT_W) && !(prot_at(x, e - x->ps) & PT_W));
	CHECK(!(prot_at(x, va + H) & PT_W));
	CHECK(prot_at(x, va) & PT_W);
	CHECK(prot_at(x, e) & PT_W);
	CHECK_EQ(leaf_size_at(x, va), x->ps);
	CHECK_EQ(mm->nr_vmas, 3);
	/* Back: the VMAs merge again (the leaves stay split). */
	CHECK_EQ(mm_mprotect(mm, s, e - s, PT_R | PT_W | PT_USER), 0);
	CHECK_EQ(mm->nr_vmas, 1);
	CHECK(!(prot_at(x, s) & PT_W)); /* clean read-only leaves stay read-only */
	/* A hugetlb page cannot be cut by mprotect or zap. */
	CHECK_EQ(mm_munmap(mm, va, 2 * H), 0);
	v.kind = MM_VMA_HUGETLB;
	CHECK_EQ(mm_mmap(mm, &v), 0);
	CHECK_EQ(get_user_pages(mm, va, 1, FOLL_WRITE, NULL, NULL, NULL), 1);
	snap_take(x, &before, va, va + 2 * H);
	CHECK_EQ(mm_mprotect(mm, va, H / 2, PT_R), -PT_EINVAL);
	CHECK(mm_last_error()->why && strstr(mm_last_error()->why, "hugetlb"));
	CHECK_EQ(mm_zap(mm, va + x->ps, x->ps), -PT_EINVAL);
	snap_take(x, &after, va, va + 2 * H);
	CHECK(snap_same(&before, &after));
	CHECK_EQ(mm_mprotect(mm, va, H, PT_R | PT_USER), 0); /* whole pages are fine */
	CHECK_EQ(mm_munmap(mm, va, 2 * H), 0);
	CHECK_EQ(x->db.folios_live, 0);
}

/*
 * Leaves the core made by splitting (a partial zap of a leaf two levels up) can be split
 * again by mprotect's prepare step: fmt_split_leaf and encode_leaf agree bit for bit.
 */
static void test_mprotect_after_zap(struct fx *x)
{
	const struct pt_format *f = x->f;
	struct mm *mm = &x->mm;
	uint64_t B, H = x->huge, va, s;
	struct mm_vma v = { .kind = MM_VMA_FILE, .prot = PT_R | PT_W | PT_USER };

	if (f->levels < 3 || !f->leaf_ok[2] || pt_level_size(f, 2) > (1ull << 30))
		return;
	B = pt_level_size(f, 2);
	va = 4 * B;
	v.start = va;
	v.end = va + B;
	v.page_size = B;
	CHECK_EQ(mm_mmap(mm, &v), 0);
	CHECK_EQ(get_user_pages(mm, va, 1, FOLL_WRITE, NULL, NULL, NULL), 1);
	CHECK_EQ(mm_zap(mm, va, x->ps), 0); /* the core splits B into H leaves, one into pages */
	CHECK_EQ(leaf_size_at(x, va + H), H);
	s = va + H + x->ps;
	if (!CHECK_EQ(mm_mprotect(mm, s, x->ps, PT_R | PT_USER), 0))
		fprintf(stderr, "  ^ %s: %s\n", f->name,
			mm_last_error()->why ? mm_last_error()->why : "");
	CHECK(!(prot_at(x, s) & PT_W));
	CHECK(prot_at(x, s + x->ps) & PT_W);
	CHECK_EQ(mm_munmap(mm, va, B), 0);
	CHECK_EQ(x->db.folios_live, 0);
}

/* A contiguous / NAPOT group cut by mprotect: the prepare step un-groups it. */
static void test_mprotect_group(struct fx *x)
{
	const struct pt_format *f = x->f;
	struct mm *mm = &x->mm;
	uint64_t G = x->ps * f->contig[0], va = 64 * G;
	struct mm_vma v = { .start = va,
			    .end = va + G,
			    .kind = MM_VMA_FILE,
			    .prot = PT_R | PT_W | PT_USER,
			    .page_size = G };

	if (f->contig[0] < 2)
		return;
	CHECK_EQ(mm_mmap(mm, &v), 0);
	CHECK_EQ(get_user_pages(mm, va, 1, FOLL_WRITE, NULL, NULL, NULL), 1);
	CHECK_EQ(leaf_size_at(x, va), G);
	CHECK_EQ(mm_mprotect(mm, va + 2 * x->ps, x->ps, PT_R | PT_USER), 0);
	CHECK_EQ(leaf_size_at(x, va), x->ps); /* no longer a group */
	CHECK(!(prot_at(x, va + 2 * x->ps) & PT_W));
	CHECK(prot_at(x, va + 3 * x->ps) & PT_W);
	CHECK(prot_at(x, va + x->ps) & PT_W);
	CHECK_EQ(mm_munmap(mm, va, G), 0);
	CHECK_EQ(x->db.folios_live, 0);
}

/* ---- split ------------------------------------------------------------------------------ */

static unsigned long n_splits;

/* Split a folio of `size` mapped by one leaf or group; pinned / referenced: -MM_EBUSY. */
static void test_split(struct fx *x, uint64_t size, enum mm_vma_kind kind)
{
	static struct snap before, after;
	struct mm *mm = &x->mm;
	uint64_t va = 4 * size, pa, hpa, live, small;
	struct mm_vma v = { .start = va,
			    .end = va + size,
			    .kind = kind,
			    .prot = PT_R | PT_W | PT_USER,
			    .page_size = size };
	struct mm_page *h;
	int err = -1;

	if (!CHECK_EQ(mm_mmap(mm, &v), 0))
		return;
	CHECK_EQ(get_user_pages(mm, va + size - x->ps, 1, FOLL_WRITE | FOLL_PIN, &pa, NULL, NULL),
		 1);
	if (!CHECK_EQ(leaf_size_at(x, va), size))
		goto out;
	h = mm_folio_of(&x->db, pa, &hpa);
	snap_take(x, &before, va, va + size);
	CHECK_EQ(mm_split_huge(mm, va), -MM_EBUSY); /* pinned */
	CHECK(mm_last_error()->why && strstr(mm_last_error()->why, "pinned"));
	unpin_user_pages(mm, &pa, 1);
	CHECK_EQ(get_user_pages(mm, va, 1, FOLL_GET, &pa, NULL, NULL), 1);
	CHECK_EQ(mm_split_huge(mm, va), -MM_EBUSY); /* a FOLL_GET reference */
	put_user_pages(mm, &pa, 1);
	snap_take(x, &after, va, va + size);
	CHECK(snap_same(&before, &after));
	CHECK_EQ(h->refcount, 1);

	live = x->db.folios_live;
	for (uint64_t k = 1; k < 8 && err; k++) { /* the table the split needs can fail */
		x->a.fail_at = k;
		err = mm_split_huge(mm, va);
		x->a.fail_at = 0;
		if (err) {
			snap_take(x, &after, va, va + size);
			CHECK_EQ(err, -PT_ENOMEM);
			CHECK(snap_same(&before, &after));
			CHECK_EQ(h->refcount, 1);
			CHECK_EQ(x->db.folios_live, live);
		}
	}
	if (!CHECK_EQ(err, 0))
		goto out;
	small = leaf_size_at(x, va);
	CHECK(small < size);
	CHECK_EQ(x->db.folios_live, live - 1 + size / small);
	/* Every piece is its own folio now: head at the piece, mapping reference, mapped. */
	for (uint64_t off = 0; off < size; off += small) {
		struct mm_page *p = mm_folio_of(&x->db, hpa + off, &pa);
		if (!CHECK(p) || !CHECK_EQ(pa, hpa + off) || !CHECK_EQ(p->refcount, 1) ||
		    !CHECK_EQ(p->mapcount, small / x->ps) || !CHECK_EQ(x->ps << p->order, small))
			break;
		if (off + small < size && off > 2 * small) /* first, second and last are enough */
			off = size - 2 * small;
	}
	/* GUP across a piece boundary; pins land on the pieces and balance. */
	{
		uint64_t pas[2];
		CHECK_EQ(get_user_pages_fast(mm, va + small - x->ps, 2, FOLL_PIN | FOLL_WRITE, pas,
					     NULL, NULL),
			 2);
		CHECK_EQ(pas[0], hpa + small - x->ps);
		CHECK_EQ(mm_folio_of(&x->db, pas[0], NULL)->pincount, 1);
		CHECK_EQ(mm_folio_of(&x->db, pas[1], NULL)->pincount, 1);
		unpin_user_pages(mm, pas, 2);
	}
	n_splits++;
out:
	CHECK_EQ(mm_munmap(mm, va, size), 0);
	CHECK_EQ(x->db.folios_live, 0);
}

static void test_split_refused(struct fx *x)
{
	struct mm *mm = &x->mm;
	uint64_t H = x->huge, va = 4 * H;
	struct mm_vma h = { .start = va,
			    .end = va + H,
			    .kind = MM_VMA_HUGETLB,
			    .prot = PT_R | PT_W | PT_USER,
			    .page_size = H };
	struct mm_vma p = { .start = va + H,
			    .end = va + 2 * H,
			    .kind = MM_VMA_PFNMAP,
			    .prot = PT_R | PT_USER,
			    .page_size = H,
			    .pfn_pa = H };
	struct mm_vma a = { .start = va + 2 * H,
			    .end = va + 3 * H,
			    .kind = MM_VMA_ANON,
			    .prot = PT_R | PT_W | PT_USER };

	CHECK_EQ(mm_mmap(mm, &h), 0);
	CHECK_EQ(mm_mmap(mm, &p), 0);
	CHECK_EQ(mm_mmap(mm, &a), 0);
	CHECK_EQ(get_user_pages(mm, va, 1, FOLL_WRITE, NULL, NULL, NULL), 1);
	CHECK_EQ(get_user_pages(mm, a.start, 1, FOLL_WRITE, NULL, NULL, NULL), 1);
	CHECK_EQ(mm_split_huge(mm, va), -PT_EINVAL);
	CHECK(mm_last_error()->why && strstr(mm_last_error()->why, "hugetlb"));
	CHECK_EQ(leaf_size_at(x, va), H);
	CHECK_EQ(mm_split_huge(mm, va + H), -PT_EINVAL);
	CHECK(mm_last_error()->why && strstr(mm_last_error()->why, "PFN"));
	CHECK_EQ(mm_split_huge(mm, a.start), -PT_EINVAL); /* the smallest page */
	CHECK_EQ(mm_split_huge(mm, a.start + x->ps), -PT_ENOENT);
	CHECK_EQ(mm_split_huge(mm, va + 3 * H), -PT_ENOENT);
	CHECK_EQ(mm_munmap(mm, va, 3 * H), 0);
	CHECK_EQ(x->db.folios_live, 0);
}

/* ---- young / dirty ----------------------------------------------------------------------- */

static unsigned long n_ad_done, n_ad_refused;

/* Can the format hold a leaf with `prot` (encode_leaf, then leaf_set_ad for young/dirty)
 * whose decode reads back `prot`'s young/dirty? */
static bool expressible(const struct pt_format *f, uint32_t prot)
{
	struct pt_entry_info info;
	uint64_t e;
	if (f->ops.encode_leaf(0, 0, prot & ~(uint32_t)(PT_YOUNG | PT_DIRTY), &e))
		return false;
	pt_format_decode(f, f->ops.leaf_set_ad(e, 0, prot & (PT_YOUNG | PT_DIRTY)), 0, &info);
	return (info.prot & (PT_YOUNG | PT_DIRTY)) == (prot & (PT_YOUNG | PT_DIRTY));
}

static void test_accessed(struct fx *x)
{
	static struct snap before, after;
	struct mm *mm = &x->mm;
	uint64_t va = 16 * x->huge;
	struct mm_vma v = { .start = va,
			    .end = va + 4 * x->ps,
			    .kind = MM_VMA_FILE,
			    .prot = PT_R | PT_W | PT_USER };
	const uint32_t ro = PT_R | PT_USER, rw = PT_R | PT_W | PT_USER;
	struct pt_gather g;
	int err;

	CHECK_EQ(mm_mmap(mm, &v), 0);
	/* A read fault maps read-only, young, clean; a write fault writable, dirty. */
	CHECK_EQ(get_user_pages(mm, va, 2, 0, NULL, NULL, NULL), 2);
	CHECK_EQ(get_user_pages(mm, va + 2 * x->ps, 1, FOLL_WRITE, NULL, NULL, NULL), 1);
	CHECK(prot_at(x, va) & PT_YOUNG);
	CHECK(prot_at(x, va + 2 * x->ps) & PT_DIRTY);
	/* mkdirty on [va, va + 2 pages): read-only dirty */
	pt_gather_init(&g, &mm->pt);
	err = pt_set_accessed(&mm->pt, va, 2 * x->ps, PT_DIRTY, 0, &g);
	CHECK_EQ(err, expressible(x->f, ro | PT_YOUNG | PT_DIRTY) ? 0 : -PT_EINVAL);
	if (!err)
		CHECK((prot_at(x, va + x->ps) & (PT_DIRTY | PT_W)) == PT_DIRTY);
	pt_gather_flush(&g);
	/* clear dirty on all three: refused as a whole where a writable leaf cannot be clean */
	snap_take(x, &before, va, va + 4 * x->ps);
	pt_gather_init(&g, &mm->pt);
	err = pt_set_accessed(&mm->pt, va, 3 * x->ps, 0, PT_DIRTY, &g);
	if (expressible(x->f, ro | PT_YOUNG) && expressible(x->f, rw | PT_YOUNG)) {
		CHECK_EQ(err, 0);
		CHECK(!(prot_at(x, va) & PT_DIRTY) && !(prot_at(x, va + 2 * x->ps) & PT_DIRTY));
		CHECK(prot_at(x, va + 2 * x->ps) & PT_W);
		CHECK_EQ(pt_set_accessed(&mm->pt, va, 3 * x->ps, PT_DIRTY, 0, &g), 0);
		CHECK(prot_at(x, va + 2 * x->ps) & PT_DIRTY);
	} else {
		CHECK_EQ(err, -PT_EINVAL);
		if (expressible(x->f, ro | PT_YOUNG)) /* the first two were fine: undone */
			CHECK_EQ(g.err_va, va + 2 * x->ps);
		snap_take(x, &after, va, va + 4 * x->ps);
		CHECK(snap_same(&before, &after));
	}
	pt_gather_flush(&g);
	/* clear young on everything (an aging walker): only where the format can say A=0 */
	snap_take(x, &before, va, va + 4 * x->ps);
	pt_gather_init(&g, &mm->pt);
	err = pt_set_accessed(&mm->pt, va, 4 * x->ps, 0, PT_YOUNG, &g);
	if (expressible(x->f, ro) && expressible(x->f, rw | PT_DIRTY) &&
	    expressible(x->f, ro | PT_DIRTY)) {
		CHECK_EQ(err, 0);
		CHECK(!(prot_at(x, va) & PT_YOUNG) && !(prot_at(x, va + 2 * x->ps) & PT_YOUNG));
		CHECK(prot_at(x, va + 2 * x->ps) & PT_DIRTY); /* the rest is kept */
		CHECK(g.pending && g.start == va && g.last == va + 3 * x->ps - 1);
		CHECK_EQ(pt_set_accessed(&mm->pt, va, x->ps, PT_YOUNG, 0, &g), 0); /* mkyoung */
		CHECK(prot_at(x, va) & PT_YOUNG);
		n_ad_done++;
	} else {
		CHECK_EQ(err, -PT_EINVAL);
		CHECK_EQ(g.err_va, va);
		snap_take(x, &after, va, va + 4 * x->ps);
		CHECK(snap_same(&before, &after));
		n_ad_refused++;
	}
	pt_gather_flush(&g);
	CHECK_EQ(pt_set_accessed(&mm->pt, va, x->ps, PT_W, 0, &g), -PT_EINVAL);
	CHECK_EQ(pt_set_accessed(&mm->pt, va, x->ps, PT_DIRTY, PT_DIRTY, &g), -PT_EINVAL);
	/* A write fault on a read-only leaf of a shared mapping makes it writable and dirty. */
	CHECK_EQ(get_user_pages(mm, va + x->ps, 1, FOLL_WRITE, NULL, NULL, NULL), 1);
	if (expressible(x->f, rw | PT_YOUNG | PT_DIRTY))
		CHECK((prot_at(x, va + x->ps) & (PT_W | PT_DIRTY)) == (PT_W | PT_DIRTY));
	CHECK_EQ(mm_munmap(mm, va, 4 * x->ps), 0);
}

/* ---- the gather's deferred free, and re-checking a walk path ---------------------------- */

struct deferred {
	unsigned n;
	uint64_t pa[64], size[64];
};

static void keep_table(struct pt_gather *g, uint64_t pa, uint64_t size)
{
	struct deferred *d = g->priv;
	if (CHECK(d->n < 64)) {
		d->pa[d->n] = pa;
		d->size[d->n] = size;
		d->n++;
	}
}

static void test_gather_hook(struct fx *x)
{
	struct pt_mm pt;
	struct pt_map_req req = { .va = 8 * x->huge, .pa = 0, .size = x->ps, .prot = PT_R };
	struct deferred d = { 0 };
	struct pt_gather g;
	struct mm_walk_state st;
	uint64_t live0 = x->a.live, live;

	if (!CHECK_EQ(pt_mm_init(&pt, x->f, &x->a.mem), 0))
		return;
	pt_gather_init(&g, &pt);
	CHECK_EQ(pt_map(&pt, &req, &g), 0);
	pt_gather_flush(&g);
	mm_walk_init(&st, &pt);
	CHECK(mm_walk_seek_leaf(&st, &pt, req.va));
	CHECK(mm_walk_path_unchanged(&st));
	live = x->a.live;
	CHECK(live > live0 + 1); /* root plus the tables down to the page */

	pt_gather_init(&g, &pt);
	g.free_table = keep_table;
	g.priv = &d;
	CHECK_EQ(pt_unmap(&pt, req.va, req.size, &g), 0);
	CHECK(!mm_walk_path_unchanged(&st)); /* the entry below the root went */
	pt_gather_flush(&g);
	CHECK_EQ(d.n, live - live0 - (x->f->two_roots ? 2 : 1)); /* every table but the roots */
	CHECK_EQ(x->a.live, live);				 /* handed over, not freed */
	for (unsigned i = 0; i < d.n; i++)
		x->a.mem.free(&x->a.mem, d.pa[i], d.size[i]);
	CHECK_EQ(x->a.live, live - d.n);

	/* Path re-check: a change of the leaf alone is seen too. */
	pt_gather_init(&g, &pt);
	CHECK_EQ(pt_map(&pt, &req, &g), 0);
	mm_walk_init(&st, &pt);
	CHECK(!mm_walk_path_unchanged(&st)); /* no path yet */
	CHECK(mm_walk_seek_leaf(&st, &pt, req.va));
	CHECK(mm_walk_path_unchanged(&st));
	CHECK_EQ(pt_protect(&pt, req.va, req.size, PT_R | PT_W, &g), 0);
	CHECK(!mm_walk_path_unchanged(&st));
	pt_gather_flush(&g);
	pt_mm_destroy(&pt);
	CHECK_EQ(x->a.live, live0);
}

/* pt_split_leaf breaks before it makes (the flush hook sees the entry gone), keeps the
 * translation, and pt_split_leaf_undo puts back the very same entries. */
struct bbm {
	struct pt_mm *pt;
	uint64_t va;
	unsigned breaks, makes;
};

static void bbm_flush(struct pt_gather *g, const struct pt_flush *f)
{
	struct bbm *b = g->priv;
	struct mm_walk_state st;

	if (f->start > b->va || b->va > f->last)
		return;
	mm_walk_init(&st, b->pt);
	if (mm_walk_seek_leaf(&st, b->pt, b->va))
		b->makes++;
	else
		b->breaks++;
}

static void test_split_leaf(struct fx *x, uint64_t size)
{
	struct pt_mm pt;
	uint64_t va = 8 * size, pa = 2 * size;
	struct pt_map_req req = {
		.va = va, .pa = pa, .size = size, .prot = PT_R | PT_W, .page_sizes = size
	};
	struct bbm b = { .pt = &pt, .va = va + size - x->ps };
	struct pt_split_undo *u = malloc(sizeof(*u));
	struct pt_translation t0, t1;
	struct mm_walk_state st;
	struct pt_gather g;
	uint64_t e0, live;

	if (!CHECK(u) || !CHECK_EQ(pt_mm_init(&pt, x->f, &x->a.mem), 0)) {
		free(u);
		return;
	}
	pt_gather_init(&g, &pt);
	CHECK_EQ(pt_map(&pt, &req, &g), 0);
	pt_gather_flush(&g);
	CHECK_EQ(pt_translate(&pt, b.va, &t0), 0);
	CHECK_EQ(t0.group, size);
	e0 = t0.entry;
	live = x->a.live;
	pt_gather_init(&g, &pt);
	g.flush = bbm_flush;
	g.priv = &b;
	if (!CHECK_EQ(pt_split_leaf(&pt, b.va, &g, u), 0))
		goto out;
	CHECK_EQ(b.breaks, 1);
	CHECK_EQ(b.makes, 0);
	CHECK_EQ(pt_translate(&pt, b.va, &t1), 0);
	CHECK_EQ(t1.pa, t0.pa);
	CHECK(t1.group < size);
	CHECK_EQ(t1.prot & ~(uint32_t)PT_CONTIG, t0.prot & ~(uint32_t)PT_CONTIG);
	CHECK_EQ(x->a.live, live + (size == t0.size)); /* a table, or a group rewritten */
	pt_split_leaf_undo(&pt, u, &g);
	CHECK_EQ(b.breaks, 2);
	pt_gather_flush(&g); /* the TLB flush "makes": the leaf is there again */
	CHECK_EQ(b.makes, 1);
	CHECK_EQ(x->a.live, live);
	CHECK_EQ(pt_translate(&pt, b.va, &t1), 0);
	CHECK_EQ(t1.entry, e0);
	CHECK_EQ(t1.group, size);
	mm_walk_init(&st, &pt);
	for (uint64_t v = va; v < va + size; v += t0.size) /* every member as it was */
		if (CHECK(mm_walk_seek_leaf(&st, &pt, v)))
			CHECK_EQ(mm_walk_leaf_pa(&st), pa + (v - va));
	CHECK_EQ(pt_split_leaf(&pt, va + size, &g, NULL), -PT_ENOENT);
out:
	pt_gather_init(&g, &pt);
	CHECK_EQ(pt_unmap(&pt, va, size, &g), 0);
	pt_gather_flush(&g);
	pt_mm_destroy(&pt);
	free(u);
}

int main(void)
{
	unsigned formats = 0;

	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);
		struct fx x;

		if (!fx_init(&x, f))
			return CHECK_DONE();
		test_gather_hook(&x);
		if (x.huge)
			test_split_leaf(&x, x.huge);
		if (f->contig[0] > 1)
			test_split_leaf(&x, x.ps * f->contig[0]);
		test_accessed(&x);
		if (x.huge) {
			test_mprotect_atomic(&x);
			test_split_refused(&x);
			for (int l = 1; l < f->levels; l++) /* every huge leaf up to 1G */
				if (f->leaf_ok[l] && pt_level_size(f, l) <= (1ull << 30))
					test_split(&x, pt_level_size(f, l), MM_VMA_ANON);
			if (f->contig[0] > 1)
				test_split(&x, x.ps * f->contig[0], MM_VMA_FILE);
		}
		test_mprotect_group(&x);
		test_mprotect_after_zap(&x);
		fx_fini(&x);
		formats++;
	}
	printf("test_mm_change: %u formats, %lu injected mprotect failures undone, %lu folio "
	       "splits, young cleared on %lu formats (refused on %lu)\n",
	       formats, n_mprotect_failures, n_splits, n_ad_done, n_ad_refused);
	return CHECK_DONE();
}
