/* SPDX-License-Identifier: MIT */
/*
 * PROT_NONE leaves (types.h pt_prot_none) on every format and every leaf level: encode_leaf
 * takes a prot without R/W/X and decode gives it back (a LEAF, never BAD, same PA, the other
 * attributes kept, no right); pt_protect makes one of a mapped leaf and gives the rights
 * back; pt_translate says the MMU faults on it (-PT_ENOENT) while still describing it; the
 * walker sees it as a leaf; pt_split_leaf splits it into PROT_NONE pieces; pt_unmap
 * removes it. The per-format encodings are in src/fmt/<format>.h (docs/formats/).
 */
#include "check.h"

#include <ptkit/mem.h>
#include <ptkit/ptkit.h>

#include <string.h>

#define KEEP (PT_USER | PT_DEVICE | PT_NOCACHE | PT_SPECIAL | PT_DIRTY)

static unsigned long n_codec, n_tree;

static void test_codec(const struct pt_format *f, int level)
{
	static const uint32_t prots[] = { 0,
					  PT_USER,
					  PT_USER | PT_DIRTY,
					  PT_USER | PT_YOUNG | PT_DIRTY,
					  PT_USER | PT_NOCACHE,
					  PT_DEVICE,
					  PT_USER | PT_SPECIAL };
	const uint64_t pa = pt_level_size(f, level);

	for (size_t i = 0; i < sizeof(prots) / sizeof(prots[0]); i++) {
		struct pt_entry_info info, rd;
		uint64_t e, r;

		if (!CHECK_EQ(f->ops.encode_leaf(pa, level, prots[i], &e), 0)) {
			fprintf(stderr, "  ^ %s level %d prot 0x%x\n", f->name, level, prots[i]);
			continue;
		}
		pt_format_decode(f, e, level, &info);
		CHECK_EQ(info.kind, PT_ENTRY_LEAF);
		CHECK_EQ(info.pa, pa);
		CHECK(pt_prot_none(info.prot));
		CHECK(!(info.prot & PT_GLOBAL));
		if (!CHECK_EQ(info.prot & KEEP, prots[i] & KEEP))
			fprintf(stderr, "  ^ %s level %d prot 0x%x decoded 0x%x\n", f->name, level,
				prots[i], info.prot);
		/* The same request with read is another, readable leaf. */
		CHECK_EQ(f->ops.encode_leaf(pa, level, prots[i] | PT_R, &r), 0);
		pt_format_decode(f, r, level, &rd);
		CHECK(r != e && (rd.prot & PT_R));
		n_codec++;
	}
}

static void test_tree(const struct pt_format *f, int level)
{
	const uint64_t size = pt_level_size(f, level), va = 4 * size, pa = 2 * size;
	struct pt_map_req req = {
		.va = va, .pa = pa, .size = size, .prot = PT_R | PT_W | PT_USER, .page_sizes = size
	};
	struct pt_translation tr;
	struct mm_walk_state st;
	struct pt_entry_info info;
	struct pt_arena a;
	struct pt_gather g;
	struct pt_mm mm;

	if (!CHECK_EQ(pt_arena_init(&a, 0x1000000, 16 << 20), 0) ||
	    !CHECK_EQ(pt_mm_init(&mm, f, &a.mem), 0))
		return;
	pt_gather_init(&g, &mm);
	CHECK_EQ(pt_map(&mm, &req, &g), 0);
	CHECK_EQ(pt_protect(&mm, va, size, PT_USER, &g), 0);
	pt_gather_flush(&g);

	/* Kept, but not for the MMU. */
	CHECK_EQ(pt_translate(&mm, va + size / 2, &tr), -PT_ENOENT);
	CHECK_EQ(tr.level, level);
	CHECK_EQ(tr.size, size);
	CHECK_EQ(tr.leaf_pa, pa);
	CHECK(pt_prot_none(tr.prot) && (tr.prot & PT_USER));
	pt_format_decode(f, tr.entry, level, &info);
	CHECK_EQ(info.kind, PT_ENTRY_LEAF);
	mm_walk_init(&st, &mm);
	CHECK(mm_walk_seek_leaf(&st, &mm, va + size / 2));
	CHECK(mm_walk_is_leaf(&st) && mm_walk_is_present(&st));
	CHECK(pt_prot_none(mm_walk_prot(&st)));
	CHECK_EQ(mm_walk_leaf_pa(&st), pa);

	/* The rights back. */
	pt_gather_init(&g, &mm);
	CHECK_EQ(pt_protect(&mm, va, size, PT_R | PT_W | PT_USER, &g), 0);
	pt_gather_flush(&g);
	CHECK_EQ(pt_translate(&mm, va + size / 2, &tr), 0);
	CHECK_EQ(tr.pa, pa + size / 2);
	CHECK((tr.prot & (PT_R | PT_W | PT_USER)) == (PT_R | PT_W | PT_USER));

	/* A PROT_NONE leaf split: PROT_NONE pieces of the same frames. */
	pt_gather_init(&g, &mm);
	CHECK_EQ(pt_protect(&mm, va, size, PT_USER, &g), 0);
	if (level > 0) {
		struct pt_split_undo u;
		const uint64_t at = va + size - 1;

		if (CHECK_EQ(pt_split_leaf(&mm, at, &g, &u), 0)) {
			CHECK_EQ(pt_translate(&mm, at, &tr), -PT_ENOENT);
			CHECK(tr.size < size && pt_prot_none(tr.prot));
			CHECK_EQ(tr.leaf_pa, pa + size - tr.size);
			CHECK_EQ(pt_translate(&mm, va, &tr), -PT_ENOENT);
			CHECK_EQ(tr.leaf_pa, pa);
		} else {
			fprintf(stderr, "  ^ %s: split of a PROT_NONE leaf at level %d\n", f->name,
				level);
		}
	}
	CHECK_EQ(pt_unmap(&mm, va, size, &g), 0);
	pt_gather_flush(&g);
	CHECK_EQ(pt_translate(&mm, va, &tr), -PT_ENOENT);
	CHECK_EQ(tr.size, 0);
	pt_mm_destroy(&mm);
	CHECK_EQ(a.live, 0);
	pt_arena_fini(&a);
	n_tree++;
}

int main(void)
{
	unsigned formats = 0;

	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);

		for (int l = 0; l < f->levels; l++) {
			if (!f->leaf_ok[l])
				continue;
			test_codec(f, l);
			if (pt_level_size(f, l) <= (1ull << 30))
				test_tree(f, l);
		}
		formats++;
	}
	printf("test_ops_protnone: %u formats, %lu encodings, %lu leaves through map / protect / "
	       "split / unmap\n",
	       formats, n_codec, n_tree);
	return CHECK_DONE();
}
