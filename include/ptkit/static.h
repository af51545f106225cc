/* SPDX-License-Identifier: MIT */
/*
 * ptkit's compile-time single-format API. Not included directly: define PTKIT_FORMAT as
 * the header of one format before including <ptkit/ptkit.h> (or <ptkit/walk.h>):
 *
 *	#define PTKIT_FORMAT "fmt/x86_64_4level.h"
 *	#include <ptkit/ptkit.h>
 *
 * Then mm_walk_seek_leaf, mm_walk_next_leaf, mm_walk_first_leaf, for_each_pt_leaf,
 * walk_page_range, pt_translate and the mm_walk_* accessors of this translation unit are
 * the library's own walker templates (src/walk, src/ops) instantiated here for that
 * format: levels are constants, nothing goes through struct pt_format's function table.
 * Everything else (pt_map, pt_mm_init, ...) is the run-time library, as without it.
 *
 * Rules: every pt_mm these functions see must be of that format (the run-time API checks
 * nothing either; PTKIT_STATIC_CHECK makes a mismatch fail with -PT_EINVAL instead); one
 * format per translation unit; the translation unit's names starting with fmt_, w_ and o_
 * belong to the templates. The header of each format is listed in docs/USER_GUIDE.md ("One
 * format, known at build time"); the include path needs the library's src/ directory (once
 * installed: include/ptkit/internal, which `pkg-config --cflags ptkit` and ptkit::ptkit add).
 */
#ifndef PTKIT_STATIC_H
#define PTKIT_STATIC_H

#ifndef PTKIT_FORMAT
#error "define PTKIT_FORMAT (a format header, e.g. \"fmt/x86_64_4level.h\") first"
#endif

#include PTKIT_FORMAT

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "ops/translate_tmpl.h"
#include "walk/walk_tmpl.h"
#pragma GCC diagnostic pop

#ifdef PTKIT_STATIC_CHECK
/* mm is of the format this translation unit was built for (names compared). */
static inline bool pt_static_format_ok(const struct pt_mm *mm)
{
	const char *a = mm->fmt->name, *b = FMT_NAME;

	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}
#define PT_STATIC_CHECK(mm, fail)                                                                  \
	do {                                                                                       \
		if (!pt_static_format_ok(mm)) {                                                    \
			fail;                                                                      \
		}                                                                                  \
	} while (0)
#else
#define PT_STATIC_CHECK(mm, fail)                                                                  \
	do {                                                                                       \
	} while (0)
#endif

static inline bool mm_walk_seek_leaf(struct mm_walk_state *st, struct pt_mm *mm, uint64_t va)
{
	PT_STATIC_CHECK(mm, st->err = -PT_EINVAL; st->gen = 0; return false);
	return w_seek(st, mm, va);
}

static inline bool mm_walk_next_leaf(struct mm_walk_state *st, uint64_t end)
{
	return mm_walk_next_leaf_(st, end, w_next_scan, &w_wfmt);
}

/* for_each_pt_leaf's steps know the format's kind of window and its decode (<ptkit/walk.h>). */
#define MM_WALK_WFMT_ (&w_wfmt)

static inline int walk_page_range(struct pt_mm *mm, uint64_t start, uint64_t end,
				  const struct mm_walk_ops *ops, void *priv)
{
	PT_STATIC_CHECK(mm, return -PT_EINVAL);
	return w_walk_range(mm, start, end, ops, priv);
}

static inline int pt_translate(struct pt_mm *mm, uint64_t va, struct pt_translation *tr)
{
	PT_STATIC_CHECK(mm, *tr = (struct pt_translation){ 0 }; return -PT_EINVAL);
	return o_translate_c(mm, va, tr, true);
}

static inline uint32_t mm_walk_leaf_prot_(const struct mm_walk_state *st)
{
	return fmt_leaf_prot(st->entry, st->level);
}
static inline int mm_walk_shift_(const struct mm_walk_state *st, int level)
{
	(void)st;
	return FMT_SHIFT_C(level);
}
static inline uint32_t mm_walk_contig_(const struct mm_walk_state *st, int level)
{
	(void)st;
	return FMT_CONTIG_C(level);
}

#endif
