/* SPDX-License-Identifier: MIT */
/*
 * ptkit demo: build a Linux-like x86-64 address space (kernel direct map, kernel text,
 * vmalloc with a guard page, a PFN/MMIO map, one user process) in an arena, then dump it and
 * translate sample addresses with the same code as `ptkit dump` and `ptkit translate`.
 * Other formats get the same regions; those that do not fit the format are skipped.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define K (1ull << 10)
#define M (1ull << 20)
#define G (1ull << 30)

#define DEMO_BASE 0x40000000ull /* tables live in "RAM" at 1G */
#define DEMO_ARENA (16 * M)

static const struct region {
	const char *name;
	uint64_t va, pa, size;
	uint32_t prot;
	uint64_t pagesize; /* preferred leaf size; ignored where the format has none */
} regions[] = {
	{ "kernel direct map", 0xffff888000000000ull, 0, 4 * G, PT_R | PT_W | PT_GLOBAL, G },
	{ "kernel text", 0xffffffff81000000ull, 0x1000000, 16 * M, PT_R | PT_X | PT_GLOBAL, 2 * M },
	{ "vmalloc", 0xffffc90000000000ull, 0x3000000, 16 * K, PT_R | PT_W | PT_GLOBAL, 4 * K },
	{ "vmalloc", 0xffffc90000005000ull, 0x3004000, 8 * K, PT_R | PT_W | PT_GLOBAL, 4 * K },
	{ "PFN/MMIO map", 0xffffd00000000000ull, 0xf000000000ull, 2 * G,
	  PT_R | PT_W | PT_DEVICE | PT_GLOBAL, G },
	{ "user text", 0x400000, 0x5000000, 64 * K, PT_R | PT_X | PT_USER, 4 * K },
	{ "user heap", 0x1000000, 0x6000000, 6 * M, PT_R | PT_W | PT_USER, 2 * M },
	{ "user heap", 0x1600000, 0x6600000, 2 * M, PT_R | PT_W | PT_USER, 4 * K },
	{ "user stack", 0x7ffffffff000ull - 132 * K, 0x7000000, 132 * K, PT_R | PT_W | PT_USER,
	  4 * K },
};
#define NR_REGIONS (sizeof(regions) / sizeof(regions[0]))

static const struct sample {
	uint64_t va;
	int region; /* skipped with its region; -1: a hole */
	const char *what;
} samples[] = {
	{ 0xffff888012345678ull, 0, "direct map, 1G leaf" },
	{ 0xffffffff81234567ull, 1, "kernel text, 2M leaf" },
	{ 0xffffc90000001234ull, 2, "vmalloc page" },
	{ 0xffffc90000004000ull, 2, "vmalloc guard page" },
	{ 0xffffd00040000010ull, 4, "MMIO register" },
	{ 0x0, -1, "NULL page" },
	{ 0x400123, 5, "user text" },
	{ 0x1234567, 6, "heap, 2M leaf" },
	{ 0x1700abc, 7, "heap, 4K leaf" },
	{ 0x7fffffffe008ull, 8, "user stack" },
	{ 0x600000000000ull, -1, "hole between heap and stack" },
};
#define NR_SAMPLES (sizeof(samples) / sizeof(samples[0]))

static const char usage[] =
	"usage: ptkit demo [--format F]\n"
	"\n"
	"Build a Linux-like address space (default format x86_64): kernel direct map, kernel\n"
	"text, vmalloc with a guard page, a PFN/MMIO map and a user process; print its dump and\n"
	"the translation of sample addresses.\n";

/* Map one region; false when it does not fit the format (unaligned, non-canonical ...). */
static bool map_region(struct pt_mm *mm, const struct region *r)
{
	struct pt_map_req req = { r->va, r->pa, r->size, r->prot, 0, 0 };
	struct pt_gather g;
	int err;

	if (mm->fmt->page_sizes & r->pagesize)
		req.page_sizes = r->pagesize;
	pt_gather_init(&g, mm);
	err = pt_map(mm, &req, &g);
	pt_gather_flush(&g);
	if (err == -PT_EINVAL || err == -PT_ERANGE)
		return false;
	if (err)
		cli_fail("%s at 0x%llx: %s", r->name, (unsigned long long)r->va, pt_strerror(err));
	return true;
}

/* The translate line for va, followed by a comment saying what it is. */
static int show_sample(struct pt_mm *mm, struct mm_walk_state *st, const struct sample *s)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	int ret;

	if (!f)
		cli_fail("out of memory");
	ret = cli_show_translate(f, mm, st, s->va, false);
	fclose(f);
	if (len && line[len - 1] == '\n')
		line[--len] = 0;
	if (!ret)
		printf("%-48s # %s\n", line, s->what);
	free(line);
	return ret;
}

int cmd_demo(int argc, char **argv)
{
	const char *format = "x86_64", *pos[1];
	const struct cli_opt opts[] = { { "--format", &format, NULL }, { NULL, NULL, NULL } };
	const struct pt_format *fmt;
	bool mapped[NR_REGIONS];
	struct pt_arena a;
	struct pt_mm mm;
	struct mm_walk_state st;
	char sz[32], prot[128];
	int err;

	cli_parse_opts(argc, argv, opts, pos, 0, usage);
	fmt = cli_format(format);
	err = pt_arena_init(&a, DEMO_BASE, DEMO_ARENA);
	if (!err)
		err = pt_mm_init(&mm, fmt, &a.mem);
	if (err)
		cli_fail("cannot create the tree: %s", pt_strerror(err));

	printf("ptkit demo: a Linux-like address space in %s (%s)\n", fmt->name,
	       fmt->description ? fmt->description : "");
	printf("tables in an arena at 0x%llx, root 0x%llx", (unsigned long long)DEMO_BASE,
	       (unsigned long long)mm.root[0]);
	if (mm.root[1] != mm.root[0])
		printf(", root1 0x%llx", (unsigned long long)mm.root[1]);
	printf("\n\nregions:\n");
	for (size_t i = 0; i < NR_REGIONS; i++) {
		const struct region *r = &regions[i];
		mapped[i] = map_region(&mm, r);
		printf("  %-18s 0x%016llx %5s -> pa 0x%-12llx %s%s\n", r->name,
		       (unsigned long long)r->va, cli_size_str(r->size, sz),
		       (unsigned long long)r->pa, cli_prot_str(r->prot, prot),
		       mapped[i] ? "" : "  (skipped: does not fit)");
	}

	printf("\ndump:\n");
	fflush(stdout);
	if (cli_show_dump(stdout, &mm, false)) {
		pt_arena_fini(&a);
		return EXIT_DATA;
	}

	printf("\ntranslate:\n");
	mm_walk_init(&st, &mm);
	for (size_t i = 0; i < NR_SAMPLES; i++) {
		const struct sample *s = &samples[i];
		struct pt_translation tr;
		if ((s->region >= 0 && !mapped[s->region]) ||
		    pt_translate(&mm, s->va, &tr) == -PT_ERANGE)
			continue;
		if (show_sample(&mm, &st, s)) {
			pt_arena_fini(&a);
			return EXIT_DATA;
		}
	}

	printf("\ntables %llu, image %llu bytes\n", (unsigned long long)a.live,
	       (unsigned long long)((a.high + 4095) & ~4095ull));
	pt_arena_fini(&a);
	return 0;
}
