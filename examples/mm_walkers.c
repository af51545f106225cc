// SPDX-License-Identifier: MIT
/*
 * Three Linux walkers written with mm_walk_vmas: one leaf_entry callback for every level
 * (no pmd_entry / pud_entry / hugetlb_entry), holes with their level, VMAs via test_walk.
 *   smaps:   bytes mapped per leaf size, per VMA kind
 *   pagemap: the PFN of every page (0 for holes), PFN maps included
 *   mincore: one presence byte per page
 * Exits 1 if any result differs from what was mapped.
 */
#include <stdio.h>
#include <string.h>

#include "ptkit/mem.h"
#include "ptkit/mm.h"

#define PS 0x1000ull
#define M2 0x200000ull
#define G1 0x40000000ull

/* smaps: Rss per leaf size (index log2 of the size). */
struct smaps {
	uint64_t rss[64], pfnmap;
};
static int smaps_leaf(struct mm_walk_state *st, const struct mm_vma *vma, void *p)
{
	struct smaps *s = p;
	uint64_t size = mm_walk_leaf_size(st);
	if (vma->kind == MM_VMA_PFNMAP)
		s->pfnmap += size;
	else
		s->rss[__builtin_ctzll(size)] += size;
	return MM_WALK_CONTINUE;
}

/* pagemap: pfn per page of [base, base + n pages). */
struct pagemap {
	uint64_t base, pfn[1024];
};
static int pagemap_leaf(struct mm_walk_state *st, const struct mm_vma *vma, void *p)
{
	struct pagemap *m = p;
	uint64_t end = mm_walk_leaf_va(st) + mm_walk_leaf_size(st), pa0 = mm_walk_leaf_pa(st);
	(void)vma;
	for (uint64_t va = st->va; va < end && (va - m->base) / PS < 1024; va += PS)
		m->pfn[(va - m->base) / PS] = (pa0 + (va - mm_walk_leaf_va(st))) / PS;
	return MM_WALK_CONTINUE;
}

/* mincore: one byte per page, set by leaves, left 0 by holes. */
struct mincore {
	uint64_t base;
	unsigned char vec[1024];
	unsigned holes;
};
static int mincore_leaf(struct mm_walk_state *st, const struct mm_vma *vma, void *p)
{
	struct mincore *m = p;
	uint64_t end = mm_walk_leaf_va(st) + mm_walk_leaf_size(st);
	(void)vma;
	for (uint64_t va = st->va; va < end && (va - m->base) / PS < 1024; va += PS)
		m->vec[(va - m->base) / PS] = 1;
	return MM_WALK_CONTINUE;
}
static int mincore_hole(uint64_t s, uint64_t e, int level, const struct mm_vma *vma, void *p)
{
	(void)s;
	(void)e;
	(void)level;
	(void)vma;
	((struct mincore *)p)->holes++;
	return MM_WALK_CONTINUE;
}

int main(void)
{
	const struct pt_format *f = pt_format_find("x86_64");
	struct pt_arena a;
	struct mm_pfdb db;
	struct mm mm;
	uint64_t base = 4 * G1, pa;
	int bad = 0;

	if (!f || pt_arena_init(&a, 0x10000000ull, 16ull << 20) ||
	    mm_pfdb_init(&db, 0x100000000ull, 0x100000000ull, 12) || mm_init(&mm, f, &a.mem, &db))
		return 1;
	/* 1G hugetlb, 2M + 4K anon (partly faulted), a 2M PFN map of device memory. */
	struct mm_vma huge = { base, base + G1, MM_VMA_HUGETLB, PT_R | PT_W, G1, 0 };
	struct mm_vma anon = { base + G1, base + G1 + 2 * M2, MM_VMA_ANON, PT_R | PT_W, M2, 0 };
	struct mm_vma small = {
		base + G1 + 2 * M2, base + G1 + 2 * M2 + 8 * PS, MM_VMA_ANON, PT_R | PT_W, 0, 0
	};
	struct mm_vma io = { base + 2 * G1, base + 2 * G1 + M2, MM_VMA_PFNMAP, PT_R | PT_DEVICE, M2,
			     0xfe000000ull };
	if (mm_mmap(&mm, &huge) || mm_mmap(&mm, &anon) || mm_mmap(&mm, &small) || mm_mmap(&mm, &io))
		return 1;
	get_user_pages(&mm, base, 1, 0, NULL, NULL, NULL);		   /* the 1G folio */
	get_user_pages(&mm, base + G1, 1, 0, NULL, NULL, NULL);		   /* one 2M folio */
	get_user_pages(&mm, small.start + 2 * PS, 3, 0, NULL, NULL, NULL); /* three 4K pages */

	struct smaps s;
	memset(&s, 0, sizeof(s));
	struct mm_vma_walk_ops sops = { .leaf_entry = smaps_leaf };
	bad |= mm_walk_vmas(&mm, base, base + 3 * G1, &sops, &s) != 0;
	printf("smaps:   4K %llu KiB, 2M %llu KiB, 1G %llu KiB, PFN map %llu KiB\n",
	       (unsigned long long)s.rss[12] >> 10, (unsigned long long)s.rss[21] >> 10,
	       (unsigned long long)s.rss[30] >> 10, (unsigned long long)s.pfnmap >> 10);
	bad |= s.rss[12] != 3 * PS || s.rss[21] != M2 || s.rss[30] != G1 || s.pfnmap != M2;

	static struct pagemap m;
	m.base = small.start;
	struct mm_vma_walk_ops pops = { .leaf_entry = pagemap_leaf };
	bad |= mm_walk_vmas(&mm, small.start, small.end, &pops, &m) != 0;
	get_user_pages(&mm, small.start + 2 * PS, 1, FOLL_GET, &pa, NULL, NULL);
	printf("pagemap: page 2 -> pfn 0x%llx, page 0 -> %llu\n", (unsigned long long)m.pfn[2],
	       (unsigned long long)m.pfn[0]);
	bad |= m.pfn[2] != pa / PS || m.pfn[0] != 0;
	put_user_pages(&mm, &pa, 1);
	m.base = io.start;
	memset(m.pfn, 0, sizeof(m.pfn));
	bad |= mm_walk_vmas(&mm, io.start, io.end, &pops, &m) != 0;
	bad |= m.pfn[5] != io.pfn_pa / PS + 5;

	static struct mincore c;
	c.base = small.start;
	struct mm_vma_walk_ops cops = { .leaf_entry = mincore_leaf, .hole = mincore_hole };
	bad |= mm_walk_vmas(&mm, small.start, small.end, &cops, &c) != 0;
	printf("mincore: ");
	for (int i = 0; i < 8; i++) {
		printf("%d", c.vec[i]);
		bad |= c.vec[i] != (i >= 2 && i < 5);
	}
	printf(" (%u holes)\n", c.holes);

	mm_fini(&mm);
	bad |= db.folios_live != 0 || a.live != 0;
	mm_pfdb_fini(&db);
	pt_arena_fini(&a);
	printf("%s\n", bad ? "WRONG" : "ok");
	return bad;
}
