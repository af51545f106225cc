// SPDX-License-Identifier: MIT
/*
 * translate_one: map 2 MiB of x86_64 kernel direct map and look at it three ways.
 *
 *   1. mm_walk_seek_leaf() + accessors: the walker's view of one address;
 *   2. for_each_pt_leaf(): every leaf in a range, no callbacks;
 *   3. pt_translate(): what the MMU would do.
 *
 * Exits non-zero if any answer is not the expected one (it also runs as a CTest test).
 */
#include <inttypes.h>
#include <stdio.h>

#include <ptkit/mem.h>
#include <ptkit/ptkit.h>

#define VA UINT64_C(0xffff888000000000) /* Linux x86_64 direct map */
#define PA UINT64_C(0x40000000)		/* 1 GiB: 2 MiB aligned, so one 2 MiB leaf */
#define SIZE (UINT64_C(2) << 20)

static int failures;

static void expect(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "translate_one: unexpected: %s\n", what);
		failures++;
	}
}

int main(void)
{
	struct pt_arena arena;
	struct pt_mm mm;
	struct pt_gather g;
	int err;

	/* Simulated physical memory for the tables: 1 MiB at PA 0x100000. */
	err = pt_arena_init(&arena, 0x100000, 1 << 20);
	if (err) {
		fprintf(stderr, "pt_arena_init: %s\n", pt_strerror(err));
		return 1;
	}
	const struct pt_format *fmt = pt_format_find("x86_64");
	if (!fmt) {
		fprintf(stderr, "no x86_64 format\n");
		return 1;
	}
	err = pt_mm_init(&mm, fmt, &arena.mem);
	if (err) {
		fprintf(stderr, "pt_mm_init: %s\n", pt_strerror(err));
		return 1;
	}

	struct pt_map_req req = { .va = VA, .pa = PA, .size = SIZE, .prot = PT_R | PT_W };
	pt_gather_init(&g, &mm);
	err = pt_map(&mm, &req, &g);
	pt_gather_flush(&g);
	if (err) {
		fprintf(stderr, "pt_map at 0x%" PRIx64 ": %s\n", g.err_va, pt_strerror(err));
		return 1;
	}
	printf("root 0x%" PRIx64 ", %" PRIu64 " tables\n", mm.root[0], arena.live);

	/* 1. Seek the leaf that maps one address. */
	struct mm_walk_state st;
	mm_walk_init(&st, &mm);
	bool found = mm_walk_seek_leaf(&st, &mm, VA + 0x1234);
	printf("seek 0x%" PRIx64 ": %s leaf at level %d (%s), size 0x%" PRIx64 ", pa 0x%" PRIx64
	       ", %s\n",
	       VA + 0x1234, found ? "present" : "no", st.level, mm_walk_level_name(&st),
	       found ? mm_walk_leaf_size(&st) : 0, found ? mm_walk_leaf_pa(&st) : 0,
	       found && mm_walk_is_write(&st) ? "writable" : "read-only");
	expect(found, "seek finds the leaf");
	expect(found && mm_walk_leaf_size(&st) == SIZE, "a 2 MiB leaf");
	expect(found && mm_walk_leaf_pa(&st) == PA, "leaf PA");
	expect(found && mm_walk_is_write(&st), "leaf writable");
	expect(found && !mm_walk_is_exec(&st), "leaf not executable");

	/* 2. Every leaf in a 4 MiB window: exactly the one we mapped. */
	int leaves = 0;
	for_each_pt_leaf (&st, &mm, VA - SIZE, VA + 2 * SIZE) {
		printf("leaf 0x%" PRIx64 " -> 0x%" PRIx64 " size 0x%" PRIx64 " %s\n",
		       mm_walk_leaf_va(&st), mm_walk_leaf_pa(&st), mm_walk_leaf_size(&st),
		       mm_walk_is_write(&st) ? "rw" : "r");
		expect(mm_walk_leaf_va(&st) == VA && mm_walk_leaf_size(&st) == SIZE,
		       "iterated leaf");
		leaves++;
	}
	expect(st.err == 0, "iteration without error");
	expect(leaves == 1, "one leaf in the window");

	/* 3. Translate as the MMU would: inside the leaf, and just past it. */
	struct pt_translation tr;
	err = pt_translate(&mm, VA + 0x1234, &tr);
	printf("translate 0x%" PRIx64 ": %s pa 0x%" PRIx64 " size 0x%" PRIx64 "\n", VA + 0x1234,
	       err ? pt_strerror(err) : "ok", tr.pa, tr.size);
	expect(err == 0 && tr.pa == PA + 0x1234 && tr.size == SIZE, "translate inside");
	expect(err == 0 && (tr.prot & PT_W) && !(tr.prot & PT_X), "translate prot");
	err = pt_translate(&mm, VA + SIZE, &tr);
	printf("translate 0x%" PRIx64 ": %s\n", VA + SIZE, err ? pt_strerror(err) : "ok");
	expect(err == -PT_ENOENT, "translate past the end faults");

	pt_mm_destroy(&mm);
	expect(arena.live == 0, "every table freed");
	pt_arena_fini(&arena);
	if (failures)
		fprintf(stderr, "translate_one: %d unexpected result(s)\n", failures);
	return failures ? 1 : 0;
}
