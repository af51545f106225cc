// SPDX-License-Identifier: MIT
/*
 * static_walk: the compile-time single-format API. Kernel, hypervisor and firmware code
 * knows its page-table format at build time; defining PTKIT_FORMAT before including
 * <ptkit/ptkit.h> instantiates the walker for that format in this file, so the calls below
 * (mm_walk_seek_leaf, for_each_pt_leaf, pt_translate, the accessors) are the same source as
 * with the run-time API but inline with constant levels and no indirect call.
 *
 * It maps a 2 MiB leaf and sixteen 4 KiB pages of arm64 (4K granule, 48-bit VA), then
 * checks what the walker reports. Exits non-zero if any answer is unexpected (it also runs
 * as a CTest test).
 */
#define PTKIT_FORMAT "fmt/arm64_4k_48.h"
#include <ptkit/ptkit.h>

#include <inttypes.h>
#include <stdio.h>

#include <ptkit/mem.h>

static int failures;

static void expect(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "static_walk: unexpected: %s\n", what);
		failures++;
	}
}

static int map(struct pt_mm *mm, uint64_t va, uint64_t pa, uint64_t size, uint32_t prot)
{
	struct pt_map_req req = { .va = va, .pa = pa, .size = size, .prot = prot };
	struct pt_gather g;
	int err;

	pt_gather_init(&g, mm);
	err = pt_map(mm, &req, &g); /* the run-time library: only the walker is compiled in */
	pt_gather_flush(&g);
	return err;
}

int main(void)
{
	struct pt_arena arena;
	struct pt_mm mm;
	struct mm_walk_state st;
	struct pt_translation tr;
	uint64_t leaves = 0, bytes = 0;
	int err;

	err = pt_arena_init(&arena, 0x100000, 1 << 20);
	if (!err)
		err = pt_mm_init(&mm, pt_format_find("arm64-4k-48"), &arena.mem);
	if (!err)
		err = map(&mm, 0x40000000, 0x80000000, 2 << 20, PT_R | PT_W);
	if (!err)
		err = map(&mm, 0x40200000, 0x90000000, 16 << 12, PT_R | PT_X | PT_USER);
	if (err) {
		fprintf(stderr, "static_walk: %s\n", pt_strerror(err));
		return 1;
	}

	mm_walk_init(&st, &mm);
	expect(mm_walk_seek_leaf(&st, &mm, 0x40001234), "0x40001234 is mapped");
	expect(mm_walk_leaf_size(&st) == 2 << 20, "a 2 MiB block");
	expect(mm_walk_leaf_pa(&st) == 0x80000000, "at PA 0x80000000");
	expect(mm_walk_is_write(&st) && !mm_walk_is_exec(&st), "read-write, not executable");
	printf("0x40001234: %s leaf, %" PRIu64 " bytes, pa 0x%" PRIx64 "\n",
	       mm_walk_level_name(&st), mm_walk_leaf_size(&st), mm_walk_leaf_pa(&st));

	for_each_pt_leaf (&st, &mm, 0x40000000, 0x40400000) {
		leaves++;
		bytes += mm_walk_leaf_size(&st);
	}
	printf("for_each_pt_leaf: %" PRIu64 " leaves, %" PRIu64 " bytes\n", leaves, bytes);
	expect(leaves == 17 && bytes == (2 << 20) + (16 << 12), "one block and 16 pages");

	expect(pt_translate(&mm, 0x40203010, &tr) == 0, "0x40203010 translates");
	expect(tr.pa == 0x90003010 && tr.size == 4096, "to 0x90003010 in a 4 KiB page");
	expect(pt_translate(&mm, 0x40210000, &tr) == -PT_ENOENT, "0x40210000 faults");

	pt_arena_fini(&arena);
	return failures != 0;
}
