/* SPDX-License-Identifier: MIT */
/*
 * ptkit demo, second part: the mm layer's get_user_pages over a hugetlb range (one folio of
 * the largest leaf the frame database supports, up to 1G) and over a PFN map in the
 * format's largest leaf: GUP and GUP-fast pin sub-pages of the huge folio, refuse the PFN
 * map, and follow_pfnmap serves it in one step. Needs src/mm (liburcu): without it, one line.
 */
#include "cli.h"
#include "demo.h"

#include <stdlib.h>

#ifndef PTKIT_HAVE_MM

int demo_gup(const struct pt_format *fmt)
{
	(void)fmt;
	printf("\nget_user_pages: not built (the mm layer needs liburcu-dev)\n");
	return 0;
}

#else

#include <ptkit/mm.h>

#define G (1ull << 30)
#define GUP_TABLES 0x40000000ull  /* table memory for the mm, like the demo's arena */
#define GUP_FRAMES 0x100000000ull /* frames for folios: [4G, 4G + 2 hugetlb folios) */
#define NR_PIN 8

static const char *pfns(const struct mm *mm, const uint64_t *pas, long n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (long i = 0; i < n && i < 4 && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s0x%llx", i ? " " : "",
				      (unsigned long long)(pas[i] / mm->page_size));
	if (n > 4 && o < len)
		snprintf(buf + o, len - o, " ...");
	return buf;
}

static void show_folio(struct mm *mm, uint64_t pa, const char *when)
{
	uint64_t head;
	struct mm_page *h = mm_folio_of(mm->pfdb, pa, &head);

	char sz[32];

	if (h)
		printf("  %-24s %s folio at 0x%llx: pincount %u, refcount %u, %s\n", when,
		       pt_size_str(mm->page_size << h->order, sz), (unsigned long long)head,
		       __atomic_load_n(&h->pincount, __ATOMIC_RELAXED),
		       __atomic_load_n(&h->refcount, __ATOMIC_RELAXED),
		       mm_folio_pinned(h) ? "maybe DMA-pinned" : "not pinned");
}

static _Noreturn void gup_fail(const char *what, int err)
{
	cli_fail("get_user_pages demo: %s: %s", what, pt_strerror(err));
}

int demo_gup(const struct pt_format *fmt)
{
	const uint64_t H = 1ull << fmt->half_bits, u = fmt->half_base[0];
	uint64_t P = fmt->page_sizes & -fmt->page_sizes, hs, pfn_leaf, dev_pa;
	uint64_t pas[2 * NR_PIN], fast0, faults0;
	struct follow_pfnmap_args fa;
	struct pt_arena a;
	struct mm_pfdb db;
	struct mm mm;
	char sz[32], sz2[32], buf[128];
	long got, fast;
	int err;

	/* The largest hugetlb folio: a leaf size the format has, at most 1G. */
	hs = demo_largest_upto(fmt, G);
	demo_pfn_layout(fmt, &pfn_leaf, &dev_pa);
	err = pt_arena_init(&a, GUP_TABLES, 16ull << 20);
	if (err)
		gup_fail("table arena", err);
	err = mm_pfdb_init(&db, GUP_FRAMES, 2 * hs, (unsigned)__builtin_ctzll(P));
	if (err)
		gup_fail("frame database", err);
	while ((P << db.max_order) < hs)
		hs = demo_largest_upto(fmt, hs >> 1);
	err = mm_init(&mm, fmt, &a.mem, &db);
	if (err)
		gup_fail("mm_init", err);
	mm_rcu_register_thread();

	const struct mm_vma huge = {
		u + H / 4, u + H / 4 + 2 * hs, MM_VMA_HUGETLB, PT_R | PT_W | PT_USER, hs, 0
	};
	const struct mm_vma io = { u + H / 2,	  u + H / 2 + pfn_leaf,
				   MM_VMA_PFNMAP, PT_R | PT_W | PT_USER | PT_DEVICE,
				   pfn_leaf,	  dev_pa };
	if ((err = mm_mmap(&mm, &huge)))
		gup_fail("mmap hugetlb", err);
	if ((err = mm_mmap(&mm, &io)))
		gup_fail("mmap PFN map", err);

	printf("\nget_user_pages (mm layer, %s pages, frames at 0x%llx):\n",
	       pt_size_str(mm.page_size, sz), (unsigned long long)GUP_FRAMES);
	printf("  hugetlb VMA 0x%016llx %5s, %s folios\n", (unsigned long long)huge.start,
	       pt_size_str(huge.end - huge.start, sz), pt_size_str(hs, sz2));
	printf("  PFN map VMA 0x%016llx %5s -> pa 0x%llx\n", (unsigned long long)io.start,
	       pt_size_str(pfn_leaf, sz), (unsigned long long)dev_pa);

	/* Slow path: faults one huge folio in, pins NR_PIN sub-pages in one step. */
	faults0 = mm.faults;
	got = get_user_pages(&mm, huge.start + 16 * P, NR_PIN, FOLL_PIN | FOLL_WRITE, pas, NULL,
			     NULL);
	if (got != NR_PIN)
		gup_fail("get_user_pages", got < 0 ? (int)got : -PT_EFAULT);
	printf("  get_user_pages(0x%llx, %d, PIN|WRITE): %ld pinned, %llu fault; pfn %s\n",
	       (unsigned long long)(huge.start + 16 * P), NR_PIN, got,
	       (unsigned long long)(mm.faults - faults0), pfns(&mm, pas, got, buf, sizeof(buf)));

	/* Fast path: the same folio, lockless, no fault. */
	fast0 = mm.gup_fast_pages;
	faults0 = mm.faults;
	got = get_user_pages_fast(&mm, huge.start + hs - NR_PIN * P, NR_PIN, FOLL_PIN, pas + NR_PIN,
				  NULL, NULL);
	fast = (long)(__atomic_load_n(&mm.gup_fast_pages, __ATOMIC_RELAXED) - fast0);
	if (got != NR_PIN)
		gup_fail("get_user_pages_fast", got < 0 ? (int)got : -PT_EFAULT);
	printf("  get_user_pages_fast(0x%llx, %d, PIN): %ld pinned, %ld lockless, %llu fault; "
	       "pfn %s\n",
	       (unsigned long long)(huge.start + hs - NR_PIN * P), NR_PIN, got, fast,
	       (unsigned long long)(mm.faults - faults0),
	       pfns(&mm, pas + NR_PIN, got, buf, sizeof(buf)));
	show_folio(&mm, pas[0], "pinned:");

	/* The PFN map: no page descriptors, GUP refuses it; follow_pfnmap serves it. */
	got = get_user_pages(&mm, io.start, 1, FOLL_PIN, pas + 2 * NR_PIN - 1, NULL, NULL);
	fast = get_user_pages_fast_only(&mm, io.start, 1, FOLL_PIN, pas + 2 * NR_PIN - 1);
	printf("  get_user_pages(0x%llx, 1, PIN) on the PFN map: %s; fast path took %ld\n",
	       (unsigned long long)io.start, got == -PT_EFAULT ? "refused (-PT_EFAULT)" : "?",
	       fast);
	if (got >= 0 || fast)
		cli_fail("get_user_pages demo: the PFN map was not refused");
	err = follow_pfnmap_start(&mm, io.start + 0x12345000, &fa);
	if (err)
		gup_fail("follow_pfnmap_start", err);
	follow_pfnmap_end(&mm);
	printf("  follow_pfnmap_start(0x%llx): pfn 0x%llx pa 0x%llx, leaf %s (mask 0x%llx)%s%s\n",
	       (unsigned long long)(io.start + 0x12345000), (unsigned long long)fa.pfn,
	       (unsigned long long)fa.pa, pt_size_str(~fa.addr_mask + 1, sz),
	       (unsigned long long)fa.addr_mask, fa.special ? ", special" : "",
	       fa.writable ? ", writable" : "");

	/* A hugetlb folio is never split (Linux cannot either); the error says why. */
	err = mm_split_huge(&mm, huge.start);
	printf("  mm_split_huge(0x%llx): %s: %s\n", (unsigned long long)huge.start,
	       err == -PT_EINVAL ? "refused (-PT_EINVAL)" : "?",
	       mm_last_error()->why ? mm_last_error()->why : "");
	if (err != -PT_EINVAL)
		cli_fail("get_user_pages demo: a hugetlb folio was not refused a split");

	unpin_user_pages(&mm, pas, 2 * NR_PIN);
	show_folio(&mm, pas[0], "after unpin_user_pages:");
	mm_fini(&mm);
	printf("  after mm_fini: folios live %llu, tables %llu\n",
	       (unsigned long long)db.folios_live, (unsigned long long)a.live);
	mm_rcu_unregister_thread();
	mm_pfdb_fini(&db);
	pt_arena_fini(&a);
	return 0;
}

#endif
