/* SPDX-License-Identifier: MIT */
/* ptkit: struct pt_space (include/ptkit/space.h), shared by the files of src/space only. */
#ifndef PTKIT_SPACE_INTERNAL_H
#define PTKIT_SPACE_INTERNAL_H

#include <stdarg.h>

#include "ptkit/dump.h"
#include "ptkit/mem.h"
#include "ptkit/space.h"
#include "ptkit/walk.h"
#include "space_args.h"

enum space_kind { SPACE_BUILT = 1, SPACE_DUMP, SPACE_READER };

struct pt_space {
	enum space_kind kind;
	const struct pt_format *fmt;
	struct pt_mm mm;
	unsigned trees; /* SPACE_*: the halves that have a tree */
	struct pt_arena arena;
	uint64_t image_size; /* built: the image's length */
	struct pt_dump dump;
	struct pt_segmem seg;
	struct mm_walk_state st; /* kept between calls: seeks reuse its path */
	bool corrupt;		 /* the last translate / next_leaf stopped on a corrupt entry: */
	uint64_t corrupt_start, corrupt_end; /* the VAs it covers (end 0: 2^64) */
	int corrupt_level;
	struct pt_listing *list; /* pt_space_next_item's listing, going on at list_va */
	uint64_t list_va, list_end;
	bool mem_attr_set; /* leaves' memory types go through mem_attr (pt_space_set_mem_attr) */
	uint64_t mem_attr;
	char notes[1024];
};

/* What pt_space's messages call its arguments ("format", "root", ...). */
extern const struct space_words space_api_words;

/* A zeroed space of kind, or NULL with err "out of memory". */
struct pt_space *space_new(enum space_kind kind, char *err, size_t len);
/* printf into err; returns code. */
int space_fail(int code, char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * The effective PT_* bits of the leaf st stands on, exactly as pt_translate reports them
 * (the tables' rights folded in; a PROT_NONE leaf "none,..."); the leaf's own bits where
 * translate refuses the path.
 */
uint32_t space_leaf_rights(struct pt_mm *mm, const struct mm_walk_state *st);
/* A leaf's effective PT_* bits prot with the memory type s's memory attribute register gives. */
uint32_t space_leaf_prot(const struct pt_space *s, uint32_t prot, uint64_t entry, int level);
/* Append one line to s->notes. */
void space_note(struct pt_space *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#endif
