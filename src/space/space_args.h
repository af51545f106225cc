/* SPDX-License-Identifier: MIT */
/*
 * ptkit: the checks and choices behind a tree's arguments (a build's arena; a dump's format
 * and roots), written once for pt_space (include/ptkit/space.h) and the CLI (tools/ptkit,
 * which links the archives): the caller names its options, and learns whether a failure is
 * its arguments' or the dump's. Library-internal: not in libptkit.so's exports.
 */
#ifndef PTKIT_SPACE_ARGS_H
#define PTKIT_SPACE_ARGS_H

#include "ptkit/dump.h"
#include "ptkit/format.h"
#include "ptkit/mem.h"

/* Which halves of a two-root format have a tree (a one-root format's both always do). */
enum { SPACE_LOWER = 1, SPACE_UPPER = 2, SPACE_BOTH = 3 };

/* A build's arena when no size is given (the image then ends after the last table). */
#define SPACE_DEFAULT_ARENA (1ull << 30)

/* What the caller calls its arguments in messages: the CLI "--format", pt_space "format". */
struct space_words {
	const char *format, *root, *root1, *base, *size;
	const char *no_format; /* the error's start when a format is needed: "missing --format" */
};

/* Where a check's words, notes and error go. */
struct space_say {
	const struct space_words *words;
	void (*note)(void *ctx, const char *line); /* one line: what was chosen, not given */
	void *ctx;
	char *err; /* the error message, err[0..len) */
	size_t len;
	bool usage; /* set with an error: the arguments are wrong (the CLI's exit 2), not the data
		     */
};

/* printf the error into say->err, say->usage = usage; returns code. */
int space_say_fail(struct space_say *say, int code, bool usage, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * A build's arena: its size from size_text (a number, a non-zero multiple of 4K; NULL:
 * SPACE_DEFAULT_ARENA) into *size; base a multiple of fmt's largest table; [base, base +
 * size) below fmt's PA limit and 2^64. 0, or a negative PT_E* code.
 */
int space_arena_check(const struct pt_format *fmt, uint64_t base, const char *size_text,
		      uint64_t *size, struct space_say *say);
/* Raw memory at base (raw): base aligned to 4K, and a format given (has_fmt). */
int space_raw_check(bool has_fmt, bool raw, uint64_t base, struct space_say *say);
/*
 * The format of dump d: *fmt when given (it must be of the dump's machine), else the one the
 * dump's CPU state or VMCOREINFO pins down (noted). 0, or a negative PT_E* code.
 */
int space_dump_format(const struct pt_dump *d, const struct pt_format **fmt, struct space_say *say);
/*
 * The roots r[0] (lower half) and r[1] (upper half) of fmt's tree in dump d, from root and
 * root1 (NULL: not given) as `ptkit translate --root / --root1` take them: a root register's
 * value, or "kernel" for the kernel's root from VMCOREINFO; no root: the dump's CPU 0, else
 * its kernel (noted). *trees: the SPACE_* halves that have one. Each root is checked
 * (space_root_check). 0, or a negative PT_E* code.
 */
int space_dump_roots(const struct pt_dump *d, const struct pt_format *fmt, const char *root,
		     const char *root1, uint64_t r[2], unsigned *trees, struct space_say *say);
/*
 * A root table address in m: aligned to the root table, below the PA limit, readable. what
 * names it ("--root"); d: the dump m is of, which may know why memory is missing (NULL: m is
 * a reader's). 0, or a negative PT_E* code with err saying why.
 */
int space_root_check(const struct pt_format *fmt, const struct pt_mem *m, const struct pt_dump *d,
		     const char *what, uint64_t root, char *err, size_t len);

#endif
