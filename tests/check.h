/* SPDX-License-Identifier: MIT */
/*
 * check.h: the assertions every test uses. A failed check prints file:line, the
 * expression and (CHECK_EQ) both values, counts the failure and carries on, so one run
 * shows every broken case. Both macros return whether the check passed, for bailing out:
 *
 *	#include "check.h"
 *	int main(void)
 *	{
 *		CHECK(pt_format_find("x86_64") != NULL);
 *		if (!CHECK_EQ(pt_map(&mm, &req, &g), 0))
 *			return CHECK_DONE();
 *		return CHECK_DONE(); // 0 if every check passed, 1 otherwise
 *	}
 *
 * CHECK_EQ compares as uint64_t (pointers, enums, negative error codes are fine) and
 * prints both values in hex and as signed decimals.
 */
#ifndef PTKIT_TESTS_CHECK_H
#define PTKIT_TESTS_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

static int check_failures;

static inline bool check_true(bool ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n", file, line, expr);
		check_failures++;
	}
	return ok;
}

static inline bool check_eq(uint64_t a, uint64_t b, const char *ea, const char *eb,
			    const char *file, int line)
{
	if (a != b) {
		fprintf(stderr, "%s:%d: CHECK_EQ(%s, %s) failed: 0x%llx (%lld) != 0x%llx (%lld)\n",
			file, line, ea, eb, (unsigned long long)a, (long long)a,
			(unsigned long long)b, (long long)b);
		check_failures++;
	}
	return a == b;
}

/* Fail unless cond is true. */
#define CHECK(cond) check_true((cond) ? true : false, #cond, __FILE__, __LINE__)
/* Fail unless a == b (as uint64_t). */
#define CHECK_EQ(a, b) check_eq((uint64_t)(a), (uint64_t)(b), #a, #b, __FILE__, __LINE__)
/* Exit status for main(): 0 when every check passed, else 1 (after a summary line). */
#define CHECK_DONE()                                                                               \
	(check_failures                                                                            \
		 ? (fprintf(stderr, "%s: %d check(s) failed\n", __FILE__, check_failures), 1)      \
		 : 0)

#endif
