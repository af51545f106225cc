/* SPDX-License-Identifier: MIT */
/* What every tests/test_mm_*.c builds: table memory, a frame database, an address space. */
#ifndef PTKIT_TESTS_MM_FIXTURE_H
#define PTKIT_TESTS_MM_FIXTURE_H

#include "check.h"
#include "ptkit/mem.h"
#include "ptkit/mm.h"

/* An arena for the tables, frames [data_base, +data_size), and mm over both. */
static inline bool mm_fx_open(const struct pt_format *f, struct pt_arena *a, struct mm_pfdb *db,
			      struct mm *mm, uint64_t tables_base, uint64_t tables_size,
			      uint64_t data_base, uint64_t data_size)
{
	if (!CHECK_EQ(pt_arena_init(a, tables_base, tables_size), 0) ||
	    !CHECK_EQ(mm_pfdb_init(db, data_base, data_size, f->shift[0]), 0))
		return false;
	return CHECK_EQ(mm_init(mm, f, &a->mem, db), 0);
}

/* Tear it down, checking that every table and every folio was given back. */
static inline void mm_fx_close(struct pt_arena *a, struct mm_pfdb *db, struct mm *mm)
{
	mm_fini(mm);
	CHECK_EQ(a->live, 0);
	CHECK_EQ(db->folios_live, 0);
	mm_pfdb_fini(db);
	pt_arena_fini(a);
}

#endif
