/* SPDX-License-Identifier: MIT */
/*
 * ptkit demo: build a Linux-like address space (kernel linear map, kernel text, vmalloc with
 * a guard page, a PFN/MMIO map, one user process) in an arena, then dump it and translate
 * sample addresses with the same code as `ptkit dump` and `ptkit translate`; then (with the
 * mm layer) the GUP walk of a hugetlb range and of a PFN range (demo_gup.c).
 *
 * The layout comes from the format's geometry alone — no format is named here: kernel
 * regions at half_base[1] + fractions of the half, user regions in the lower half, leaf
 * sizes picked from fmt->page_sizes (contiguous / NAPOT groups appear wherever pt_map can
 * use them).
 */
#include "cli.h"
#include "demo.h"

#include <stdlib.h>
#include <string.h>

#define K (1ull << 10)
#define M (1ull << 20)
#define G (1ull << 30)

#define DEMO_BASE 0x40000000ull /* tables live in "RAM" at 1G */
#define DEMO_ARENA (16 * M)

enum {
	R_LINEAR,
	R_TEXT,
	R_VMALLOC1,
	R_VMALLOC2,
	R_PFN,
	R_UTEXT,
	R_HEAP,
	R_HEAP_TAIL,
	R_STACK,
	NR_REGIONS
};

struct region {
	const char *name;
	uint64_t va, pa, size;
	uint32_t prot;
	uint64_t page_sizes; /* allowed leaf sizes (bitmap, as pt_map_req) */
};

struct sample {
	uint64_t va;
	int region; /* skipped with its region; -1: a hole */
	const char *what;
};

/* ---- leaf sizes from fmt->page_sizes ---- */

static uint64_t sizes_upto(const struct pt_format *fmt, uint64_t max)
{
	return fmt->page_sizes & ((max << 1) - 1);
}

static uint64_t smallest_from(const struct pt_format *fmt, uint64_t min)
{
	uint64_t s = fmt->page_sizes & ~(min - 1);
	return s ? s & -s : demo_largest_upto(fmt, min);
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static void layout(const struct pt_format *fmt, struct region r[NR_REGIONS], struct sample s[],
		   size_t *nr_samples)
{
	const uint64_t H = 1ull << fmt->half_bits, k = fmt->half_base[1], u = fmt->half_base[0];
	const uint64_t P = fmt->page_sizes & -fmt->page_sizes; /* smallest page */
	const uint64_t huge = smallest_from(fmt, 2 * M);       /* "2M-ish" */
	const uint32_t kern = PT_R | PT_W | PT_GLOBAL, user = PT_R | PT_W | PT_USER;
	uint64_t pfn_leaf, dev_pa, heap_va = align_up(u + 16 * M, huge);
	uint64_t heap_pa = align_up(0x6000000, huge), stack_end = u + H - P;
	size_t n = 0;

	demo_pfn_layout(fmt, &pfn_leaf, &dev_pa);
	/* RAM that does not end on a 1G boundary: 1G-ish leaves, then the tail in smaller ones. */
	r[R_LINEAR] = (struct region){ "kernel linear map", k + H / 2, 0,
				       4 * G + 64 * M,	    kern,      sizes_upto(fmt, G) };
	r[R_TEXT] =
		(struct region){ "kernel text", k + H - 2 * G + 16 * M,	 16 * M,
				 16 * M,	PT_R | PT_X | PT_GLOBAL, sizes_upto(fmt, huge) };
	r[R_VMALLOC1] = (struct region){ "vmalloc", k + H / 4, 0x3000000, 4 * P, kern, P };
	r[R_VMALLOC2] =
		(struct region){ "vmalloc", k + H / 4 + 5 * P, 0x3000000 + 4 * P, 2 * P, kern, P };
	r[R_PFN] = (struct region){ "PFN/MMIO map",   k + 3 * (H / 4),
				    dev_pa,	      pfn_leaf > 2 * G ? pfn_leaf : 2 * G,
				    kern | PT_DEVICE, sizes_upto(fmt, pfn_leaf) };
	r[R_UTEXT] = (struct region){ "user text",	     u + 4 * M, 0x5000000, 16 * P,
				      PT_R | PT_X | PT_USER, P };
	r[R_HEAP] = (struct region){ "user heap", heap_va, heap_pa,
				     3 * huge,	  user,	   sizes_upto(fmt, huge) };
	r[R_HEAP_TAIL] = (struct region){
		"user heap", heap_va + 3 * huge, heap_pa + 3 * huge, huge, user, P
	};
	r[R_STACK] =
		(struct region){ "user stack", stack_end - 33 * P, 0x7000000, 33 * P, user, P };

	s[n++] = (struct sample){ r[R_LINEAR].va + 0x12345678, R_LINEAR, "linear map" };
	s[n++] = (struct sample){ r[R_LINEAR].va + 4 * G + 0x123450, R_LINEAR, "linear map tail" };
	s[n++] = (struct sample){ r[R_TEXT].va + 0x234567, R_TEXT, "kernel text" };
	s[n++] = (struct sample){ r[R_VMALLOC1].va + P + 0x234, R_VMALLOC1, "vmalloc page" };
	s[n++] = (struct sample){ r[R_VMALLOC1].va + 4 * P, R_VMALLOC1, "vmalloc guard page" };
	s[n++] = (struct sample){ r[R_PFN].va + 0x40000010, R_PFN, "MMIO register" };
	s[n++] = (struct sample){ u, -1, "NULL page" };
	s[n++] = (struct sample){ r[R_UTEXT].va + 0x123, R_UTEXT, "user text" };
	s[n++] = (struct sample){ heap_va + 0x234567, R_HEAP, "heap, huge leaf" };
	s[n++] = (struct sample){ heap_va + 3 * huge + 0x100abc, R_HEAP_TAIL, "heap, small page" };
	s[n++] = (struct sample){ stack_end - P + 8, R_STACK, "user stack" };
	s[n++] = (struct sample){ u + 3 * (H / 4), -1, "hole between heap and stack" };
	*nr_samples = n;
}

static const char usage[] =
	"usage: ptkit demo [--format F]\n"
	"\n"
	"Build a Linux-like address space (default format x86_64) laid out from the format's\n"
	"geometry: kernel linear map, kernel text, vmalloc with a guard page, a PFN/MMIO map in\n"
	"the format's largest leaves and a user process; print its dump and the translation of\n"
	"sample addresses, then (with the mm layer) get_user_pages over a hugetlb range and a\n"
	"PFN map.\n";

/* Map one region; false when it does not fit the format (unaligned, non-canonical ...). */
static bool map_region(struct pt_mm *mm, const struct region *r)
{
	struct pt_map_req req = { r->va, r->pa, r->size, r->prot, 0, r->page_sizes };
	struct pt_gather g;
	int err;

	pt_gather_init(&g, mm);
	err = pt_map(mm, &req, &g);
	pt_gather_flush(&g);
	if (err == -PT_EINVAL || err == -PT_ERANGE)
		return false;
	if (err)
		cli_fail("%s at 0x%llx: %s", r->name, (unsigned long long)r->va, pt_strerror(err));
	return true;
}

/*
 * The leaves of a mapped region, by size: "4x1G 2x32M(16x2M contig)". The dump coalesces
 * leaves of one level and does not show contiguous groups; this line does.
 */
static const char *leaf_summary(struct pt_mm *mm, const struct region *r, char *buf, size_t len)
{
	struct leaf_kind {
		uint64_t size, group, count;
	} kinds[8];
	size_t nk = 0, n = 0;
	char a[32], b[32];

	buf[0] = 0;
	for (uint64_t va = r->va; va - r->va < r->size;) {
		struct pt_translation tr;
		uint64_t step;
		size_t i;
		if (pt_translate(mm, va, &tr))
			break;
		step = tr.group > tr.size ? tr.group : tr.size;
		for (i = 0; i < nk; i++)
			if (kinds[i].size == tr.size && kinds[i].group == step)
				break;
		if (i == nk) {
			if (nk == 8)
				break;
			kinds[nk++] = (struct leaf_kind){ tr.size, step, 0 };
		}
		kinds[i].count++;
		va = (va & ~(step - 1)) + step;
		if (!va)
			break;
	}
	for (size_t i = 0; i < nk && n < len; i++) {
		if (kinds[i].group > kinds[i].size)
			n += (size_t)snprintf(buf + n, len - n, "%s%llux%s(%llux%s contig)",
					      i ? " " : "", (unsigned long long)kinds[i].count,
					      pt_size_str(kinds[i].group, a),
					      (unsigned long long)(kinds[i].group / kinds[i].size),
					      pt_size_str(kinds[i].size, b));
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%llux%s", i ? " " : "",
					      (unsigned long long)kinds[i].count,
					      pt_size_str(kinds[i].size, a));
	}
	return buf;
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
	ret = cli_show_translate(f, mm, CLI_TREE_BOTH, st, s->va, 0);
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
	struct region regions[NR_REGIONS];
	struct sample samples[16];
	size_t nr_samples;
	bool mapped[NR_REGIONS];
	struct pt_arena a;
	struct pt_mm mm;
	struct mm_walk_state st;
	char sz[32], prot[128], leaves[160];
	int err;

	cli_parse_opts(argc, argv, opts, pos, 0, usage);
	fmt = cli_format(format);
	layout(fmt, regions, samples, &nr_samples);
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
	printf("\n\nregions (leaves: count x size, contiguous groups with their members):\n");
	for (size_t i = 0; i < NR_REGIONS; i++) {
		const struct region *r = &regions[i];
		mapped[i] = map_region(&mm, r);
		printf("  %-17s 0x%016llx %5s -> pa 0x%-12llx %-17s %s\n", r->name,
		       (unsigned long long)r->va, pt_size_str(r->size, sz),
		       (unsigned long long)r->pa, pt_prot_str(r->prot, prot),
		       mapped[i] ? leaf_summary(&mm, r, leaves, sizeof(leaves))
				 : "(skipped: does not fit)");
	}

	printf("\ndump:\n");
	fflush(stdout);
	if (cli_show_dump(stdout, &mm, CLI_TREE_BOTH, &(struct cli_dump_opts){ 0 })) {
		pt_arena_fini(&a);
		return EXIT_DATA;
	}

	printf("\ntranslate:\n");
	mm_walk_init(&st, &mm);
	for (size_t i = 0; i < nr_samples; i++) {
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
	fflush(stdout);
	return demo_gup(fmt);
}
