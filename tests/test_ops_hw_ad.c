/* SPDX-License-Identifier: MIT */
/*
 * Hardware accessed / dirty updates during an operation (issue 14, defect 4). An MMU with
 * hardware A/D management writes a leaf behind ptkit's back: it sets the accessed bit and,
 * on a write through a writable leaf, the dirty bit. Here a simulated MMU does so at the
 * worst moment, between ptkit's read of an entry and its store to it (the pt_mem store
 * hook runs in that window), once per live leaf. Every update must survive: protect keeps
 * young / dirty (as Linux's ptep_modify_prot_start/commit), a split copies them into the
 * smaller leaves (as pmdp_invalidate's returned value does), and unmap reports each leaf
 * with the state it had last (as ptep_get_and_clear does for zap's folio_mark_dirty).
 *
 * The MMU's bits are taken from the manuals, per family, not from the library: x86 A (5)
 * and D (6), D only with R/W (SDM vol. 3A 4.8); arm64 AF (10) and, with DBM (51) set,
 * AP[2] (7) cleared by a write (Arm ARM D8.5 "Hardware management of the dirty state");
 * RISC-V A (6) and D (7), D only with W (2) (Svadu); Power radix R (bit 8 from the
 * right) and C (7), C only with the read/write EAA bit (1) (ISA 3.0 book III 5.7.10).
 */
#include "check.h"

#include <ptkit/mem.h>
#include <ptkit/ptkit.h>
#include <stdlib.h>
#include <string.h>

#define AD (PT_YOUNG | PT_DIRTY)

/* The leaves the simulated MMU may touch, by entry address: level + 1 (0: none). */
struct hw {
	const struct pt_format *f;
	struct pt_arena a;
	struct pt_mm mm;
	int8_t *leaf;	  /* per 8-byte slot of the arena */
	unsigned touched; /* leaves the MMU updated */
	uint64_t poke;	  /* PA of a leaf the MMU writes at ptkit's next store, wherever it is */
	/* unmap: what the gather reported */
	unsigned reported, reported_ad;
};

static struct hw *cur;

/* e (host order), a leaf, as the MMU leaves it after a write access. */
static uint64_t hw_write(const char *name, uint64_t e)
{
	if (!strncmp(name, "x86", 3))
		return e | (1ull << 5) | (e & (1ull << 1) ? 1ull << 6 : 0);
	if (!strncmp(name, "arm64", 5))
		return (e | (1ull << 10)) & ~(e >> 51 & 1 ? 1ull << 7 : 0);
	if (!strncmp(name, "riscv", 5))
		return e | (1ull << 6) | (e & (1ull << 2) ? 1ull << 7 : 0);
	return e | (1ull << 8) | (e & (1ull << 1) ? 1ull << 7 : 0); /* ppc64 radix */
}

/* The store hook: just before ptkit stores to a live leaf, the MMU writes through it. */
static void hw_store(struct pt_mem *m, uint64_t pa, uint64_t e)
{
	struct hw *h = cur;
	uint64_t slot = (pa - m->base) / 8, old, ne;
	uint8_t *p = m->bytes + (pa - m->base);

	(void)e;
	if (h && h->poke) { /* through a walk entry cached before the store */
		uint8_t *q = m->bytes + (h->poke - m->base);

		pt_entry_store(h->f, q, hw_write(h->f->name, pt_entry_load(h->f, q)));
		h->poke = 0;
		h->touched++;
	}
	if (!h || !h->leaf[slot])
		return;
	old = pt_entry_load(h->f, p);
	ne = hw_write(h->f->name, old);
	h->leaf[slot] = 0; /* once */
	if (ne != old) {
		pt_entry_store(h->f, p, ne);
		h->touched++;
	}
}

/* Mark every leaf in [va, va + size) as one the MMU will write. */
static void arm_leaves(struct hw *h, uint64_t va, uint64_t size)
{
	struct mm_walk_state st;

	memset(h->leaf, 0, h->a.mem.size / 8);
	mm_walk_init(&st, &h->mm);
	for_each_pt_leaf (&st, &h->mm, va, va + size)
		h->leaf[(st.ptep - h->a.mem.bytes) / 8] = (int8_t)(st.level + 1);
	h->touched = 0;
}

/* Every leaf in [va, va + size) is young and dirty; returns how many leaves there are. */
static unsigned all_young_dirty(struct hw *h, uint64_t va, uint64_t size, const char *what)
{
	struct mm_walk_state st;
	unsigned n = 0, bad = 0;

	mm_walk_init(&st, &h->mm);
	for_each_pt_leaf (&st, &h->mm, va, va + size) {
		n++;
		if ((mm_walk_prot(&st) & AD) != AD && !bad++)
			fprintf(stderr, "%s: %s: leaf va 0x%llx lost the MMU's A/D (prot 0x%x)\n",
				h->f->name, what, (unsigned long long)mm_walk_leaf_va(&st),
				mm_walk_prot(&st));
	}
	CHECK_EQ(st.err, 0);
	CHECK_EQ(bad, 0);
	return n;
}

static void on_unmapped(struct pt_gather *g, uint64_t va, uint64_t size, uint64_t pa, uint32_t prot)
{
	struct hw *h = g->priv;

	(void)va;
	(void)size;
	(void)pa;
	h->reported++;
	h->reported_ad += (prot & AD) == AD;
}

/* Make the leaves of [va, va + size) old and clean again. */
static void clean(struct hw *h, uint64_t va, uint64_t size)
{
	struct pt_gather g;

	pt_gather_init(&g, &h->mm);
	CHECK_EQ(pt_set_accessed(&h->mm, va, size, 0, AD, &g), 0);
	pt_gather_flush(&g);
}

static int op(struct hw *h, int kind, uint64_t va, uint64_t size, uint32_t prot)
{
	struct pt_gather g;
	int r;

	pt_gather_init(&g, &h->mm);
	g.priv = h;
	g.unmapped = on_unmapped;
	cur = h;
	if (kind == 'p')
		r = pt_protect(&h->mm, va, size, prot, &g);
	else
		r = pt_unmap(&h->mm, va, size, &g);
	cur = NULL;
	pt_gather_flush(&g);
	return r;
}

/*
 * Map [va, va + size) with leaves of `page` bytes whose dirty state the MMU tracks (asked
 * for with PT_DIRTY: on arm64 that is DBM; without it a writable leaf is AP[2] = 0, DBM = 0,
 * whose writes no hardware records), then make them old and clean.
 */
static bool map_clean(struct hw *h, uint64_t va, uint64_t size, uint64_t page, uint32_t prot)
{
	struct pt_map_req req = { .va = va,
				  .pa = va + (1ull << 30),
				  .size = size,
				  .prot = prot | PT_DIRTY,
				  .page_sizes = page };
	struct mm_walk_state st;
	struct pt_gather g;

	pt_gather_init(&g, &h->mm);
	if (!CHECK_EQ(pt_map(&h->mm, &req, &g), 0) ||
	    !CHECK_EQ(pt_set_accessed(&h->mm, va, size, 0, AD, &g), 0))
		return false;
	pt_gather_flush(&g);
	mm_walk_init(&st, &h->mm);
	for_each_pt_leaf (&st, &h->mm, va, va + size)
		if (!CHECK_EQ(mm_walk_prot(&st) & AD, 0))
			return false;
	return true;
}

/* [va, va + size) unmapped, then mapped again with old, clean leaves of `page` bytes. */
static bool remap_clean(struct hw *h, uint64_t va, uint64_t size, uint64_t page)
{
	return CHECK_EQ(op(h, 'u', va, size, 0), 0) && map_clean(h, va, size, page, PT_R | PT_W);
}

static void run(const struct pt_format *f)
{
	struct hw h = { .f = f };
	const uint64_t page = pt_level_size(f, 0), big = pt_level_size(f, 1);
	const uint64_t va = 1ull << 31, len = 32 * page;
	uint32_t rw = PT_R | PT_W, rwx = rw | PT_X;
	unsigned n;

	if (!CHECK_EQ(pt_arena_init(&h.a, 0x100000, 32 << 20), 0))
		return;
	h.leaf = calloc(h.a.mem.size / 8, 1);
	h.a.mem.store = hw_store;
	if (!CHECK(h.leaf) || !CHECK_EQ(pt_mm_init(&h.mm, f, &h.a.mem), 0))
		goto out;

	/* Protect in place: more rights (the leaf-run path and its chunks). */
	if (!map_clean(&h, va, len, page, rw))
		goto out;
	arm_leaves(&h, va, len);
	CHECK_EQ(op(&h, 'p', va, len, rwx), 0);
	CHECK_EQ(h.touched, 32);
	n = all_young_dirty(&h, va, len, "protect rw -> rwx");
	CHECK_EQ(n, 32);

	/* Protect that needs break-before-make on arm64 (memory type) or none elsewhere. */
	clean(&h, va, len);
	arm_leaves(&h, va, len);
	CHECK_EQ(op(&h, 'p', va, len, rw | PT_DEVICE), 0);
	all_young_dirty(&h, va, len, "protect to Device");

	/* Read-only: the dirty state stays (dirty read-only), young too. */
	CHECK_EQ(op(&h, 'p', va, len, rw), 0);
	clean(&h, va, len);
	arm_leaves(&h, va, len);
	CHECK_EQ(op(&h, 'p', va, len, PT_R), 0);
	all_young_dirty(&h, va, len, "protect to read-only");

	/* Unmap: every leaf is reported with the state the MMU left it in. */
	CHECK_EQ(op(&h, 'p', va, len, rw), 0);
	clean(&h, va, len);
	arm_leaves(&h, va, len);
	h.reported = h.reported_ad = 0;
	CHECK_EQ(op(&h, 'u', va, len, 0), 0);
	CHECK_EQ(h.reported, 32);
	CHECK_EQ(h.reported_ad, 32);

	/* A split: one page of a clean huge leaf changes; the rest inherit the MMU's A/D. */
	if (f->leaf_ok[1] && big <= (8ull << 20)) {
		const uint64_t hva = 1ull << 32;

		if (!map_clean(&h, hva, big, big, rw))
			goto out;
		arm_leaves(&h, hva, big);
		CHECK_EQ(op(&h, 'p', hva + page, page, PT_R), 0);
		CHECK_EQ(h.touched, 1);
		n = all_young_dirty(&h, hva, big, "split by protect");
		CHECK(n > 1);
		/* and by unmap: the page removed is reported young and dirty too */
		if (!remap_clean(&h, hva, big, big))
			goto out;
		arm_leaves(&h, hva, big);
		h.reported = h.reported_ad = 0;
		CHECK_EQ(op(&h, 'u', hva + page, page, 0), 0);
		CHECK(h.reported >= 1);
		CHECK_EQ(h.reported_ad, h.reported);
		all_young_dirty(&h, hva, big, "split by unmap");

		/*
		 * pt_split_leaf and pt_collapse of old, clean leaves: the pieces and the big
		 * leaf keep the state, tracked as before (issue 14: they refused such leaves
		 * on arm64, RISC-V and ppc64, whose encode_leaf makes only young leaves).
		 */
		if (!remap_clean(&h, hva, big, big))
			goto out;
		{
			struct pt_gather g;
			struct mm_walk_state st;
			unsigned n = 0;

			pt_gather_init(&g, &h.mm);
			CHECK_EQ(pt_split_leaf(&h.mm, hva, &g, NULL), 0);
			CHECK_EQ(pt_collapse(&h.mm, hva, &g), 0);
			CHECK_EQ(pt_split_leaf(&h.mm, hva, &g, NULL), 0);
			pt_gather_flush(&g);
			mm_walk_init(&st, &h.mm);
			for_each_pt_leaf (&st, &h.mm, hva, hva + big) {
				n++;
				CHECK_EQ(mm_walk_prot(&st) & (AD | PT_W), PT_W);
			}
			CHECK(n > 1);
			/* still tracked: the MMU's write makes each dirty */
			arm_leaves(&h, hva, big);
			CHECK_EQ(op(&h, 'p', hva, big, rwx), 0);
			all_young_dirty(&h, hva, big, "split of a clean leaf, then protect");
		}

		/*
		 * Collapse: the MMU writes one small leaf through a walk entry it cached before
		 * ptkit's store to the entry above; the big leaf must show it.
		 */
		if (!remap_clean(&h, hva, big, page))
			goto out;
		{
			struct mm_walk_state st;
			struct pt_translation tr;
			struct pt_gather g;
			int rc;

			mm_walk_init(&st, &h.mm);
			if (!CHECK(mm_walk_seek_leaf(&st, &h.mm, hva + 5 * page)))
				goto out;
			h.poke = h.a.mem.base + (uint64_t)(st.ptep - h.a.mem.bytes);
			h.touched = 0;
			cur = &h;
			pt_gather_init(&g, &h.mm);
			rc = pt_collapse(&h.mm, hva, &g);
			pt_gather_flush(&g);
			cur = NULL;
			CHECK_EQ(rc, 0);
			CHECK_EQ(h.touched, 1);
			CHECK_EQ(pt_translate(&h.mm, hva, &tr), 0);
			CHECK_EQ(tr.size, big);
			if (!CHECK_EQ(tr.prot & AD, AD))
				fprintf(stderr, "%s: collapse lost the MMU's A/D\n", f->name);
		}
	}
out:
	pt_mm_destroy(&h.mm);
	pt_arena_fini(&h.a);
	free(h.leaf);
}

int main(void)
{
	for (unsigned i = 0; pt_format_at(i); i++)
		run(pt_format_at(i));
	return CHECK_DONE();
}
