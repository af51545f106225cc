/* SPDX-License-Identifier: MIT */
/* ptkit CLI: what the subcommand files share (hosted code: stdio, malloc). */
#ifndef PTKIT_CLI_H
#define PTKIT_CLI_H

#include <ptkit/dump.h>
#include <ptkit/mem.h>
#include <ptkit/ptkit.h>
#include <ptkit/space.h>
#include <ptkit/spec.h>
#include <stdio.h>

#include "space/space_args.h" /* library-internal: the CLI links the archives */

/* Exit statuses: 0 success, 1 bad input data or corrupt image, 2 bad command line. */
enum { EXIT_DATA = 1, EXIT_USAGE = 2 };

/* ---- flags.c: PT_* protection bits as JSON (numbers, sizes, flags as text: <ptkit/spec.h>) ----
 */

/* pt_prot_str's names (<ptkit/spec.h>), as a JSON array of strings. */
const char *cli_prot_json(uint32_t prot, char buf[160]);

/* ---- opts.c: command-line options ---- */

struct cli_opt {
	const char *name; /* "--format", "-o" */
	const char **val; /* for options with a value */
	bool *flag;	  /* for switches */
};

/*
 * Parse argv[1..] (argv[0] is the subcommand name). Accepts `--opt VAL` and `--opt=VAL`;
 * positional arguments go to pos[]. Returns the number of positional arguments, or exits
 * 2 on an unknown option / missing value. --help / -h print `usage` and exit 0.
 */
int cli_parse_opts(int argc, char **argv, const struct cli_opt *opts, const char **pos, int max_pos,
		   const char *usage);

/* ---- report.c: one-line errors ---- */

extern const char *cli_cmd; /* current subcommand, for messages */
/* "ptkit CMD: msg (try 'ptkit CMD --help')" on stderr, exit 2. */
_Noreturn void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "ptkit CMD: msg" on stderr, exit 1. */
_Noreturn void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same line as cli_fail, without exiting. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "ptkit CMD: note: msg" on stderr: something the user should know, not an error. */
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- image.c: spec and image files ---- */

/* The largest spec build reads (a larger one, e.g. /dev/zero, is refused). */
#define CLI_SPEC_MAX ((size_t)64 << 20)

/* Read a spec ('-': stdin), NUL-terminated, at most CLI_SPEC_MAX bytes; exits 1 on failure. */
uint8_t *cli_read_spec(const char *path, uint64_t *size);
/*
 * The path to open for image `path` ('-': stdin, which must be redirected from a file):
 * exits 1 naming the problem when it is not a non-empty regular file.
 */
const char *cli_check_image_file(const char *path);
void cli_unmap_image(const uint8_t *bytes, uint64_t size);
/*
 * Write a temporary file next to path (.ptkit.XXXXXX), then rename it to path: an image is
 * never left half written. path must not exist or be a regular file (a link, device or pipe
 * is refused, untouched). 0, or -1 after printing the error line.
 */
int cli_write_atomic(const char *path, const uint8_t *bytes, uint64_t size);

/* ---- args.c: options shared by translate and dump ---- */

/* --format, --base, --root, --root1 parsed; the image attached read-only. */
struct cli_tree {
	const struct pt_format *fmt;
	struct pt_dump dump; /* the image: raw memory from --base, or a dump */
	struct pt_mm mm;
	unsigned trees; /* CLI_TREE_*: the halves that have a tree */
};

/* The CLI's option names and notes (cli_note) for the checks of space_args.h, errors in err. */
void cli_say(struct space_say *say, char *err, size_t len);
/* Exit with say's error: 2 when the command line is wrong (say->usage), else 1. */
_Noreturn void cli_said(const struct space_say *say);
/* Look a format up by name; exits 2 naming --format when unknown or missing. */
const struct pt_format *cli_format(const char *name);
/* Parse a required numeric option value; exits 2 naming the option. */
uint64_t cli_num_opt(const char *opt, const char *val);
/* The options naming the roots (NULL: not given): --root [--root1], or --ptcr [--pid] [--lpid]. */
struct cli_roots {
	const char *root, *root1, *ptcr, *pid, *lpid;
	const char
		*memattr; /* --memattr: the memory attribute register (not a root, but read too) */
};
/* Their entries in a struct cli_opt array. */
#define CLI_ROOT_OPTS(r)                                                                           \
	{ "--root", &(r).root, NULL }, { "--root1", &(r).root1, NULL },                            \
		{ "--ptcr", &(r).ptcr, NULL }, { "--pid", &(r).pid, NULL },                        \
		{ "--lpid", &(r).lpid, NULL },                                                     \
	{                                                                                          \
		"--memattr", &(r).memattr, NULL                                                    \
	}
/*
 * Load IMAGE and attach the tree at r->root. r->root1 is the upper-half root of a two-root
 * format, without which its upper half has no tree; a one-root format refuses a root1 other
 * than root. r->ptcr instead finds both through the tables in memory it points at (formats
 * with such a register: ppc64 radix), for process r->pid (default 0) of partition r->lpid
 * (default 0), and says which it used. r->root "kernel" is the Linux kernel's root from the
 * dump's VMCOREINFO; without any root option, the dump's CPU state or VMCOREINFO gives it.
 * format NULL: the dump chooses. Exits on error.
 */
void cli_open_tree(struct cli_tree *t, const char *format, const char *image, const char *base,
		   const struct cli_roots *r);
/* Unmap the image. */
void cli_close_tree(struct cli_tree *t);

/* ---- halves.c: the VA ranges a format translates ---- */

/* Which halves of a two-root format have a tree (a one-root format's both always do). */
enum { CLI_TREE_LOWER = SPACE_LOWER, CLI_TREE_UPPER = SPACE_UPPER, CLI_TREE_BOTH = SPACE_BOTH };

struct cli_half {
	const char *name; /* "lower half" / "upper half" */
	uint64_t start;
	uint64_t last; /* inclusive end */
	bool tree;     /* false: no root for this half (two-root format, a root not given) */
};
/* The lower and upper half of fmt; returns how many. trees: CLI_TREE_* (two-root formats). */
int cli_va_halves(const struct pt_format *fmt, unsigned trees, struct cli_half out[2]);
/* The half of h[0..n) holding va, or NULL: the format does not translate va (not canonical). */
const struct cli_half *cli_va_half(const struct cli_half *h, int n, uint64_t va);

/* ---- show.c: translate and dump output, shared by translate/dump/demo ---- */

enum { CLI_TR_TRACE = 1, CLI_TR_JSON = 2 };
/*
 * Translate va and print its answer: '0x<va> 0x<pa> <size> <flags>', '0x<va> fault <level>'
 * or '0x<va> error <level> <why>' (a corrupt tree, a non-canonical VA: also on stderr);
 * with CLI_TR_JSON a JSON object instead (no separator), with CLI_TR_TRACE the levels
 * walked before it. upper as for cli_va_halves (a VA of a half without a tree faults at
 * the root level). Returns 0, or 1 for an error answer.
 */
int cli_show_translate(FILE *out, struct pt_mm *mm, unsigned trees, struct mm_walk_state *st,
		       uint64_t va, unsigned flags);
/* Why a walk of a corrupt tree stopped (err), with the details st has when st->err == err. */
void cli_corrupt_reason(const struct mm_walk_state *st, int err, char *buf, size_t len);
/* The dump being read (cli_open_tree sets it): its words for what it cannot give. */
extern const struct pt_dump *cli_dump;
/* --memattr (cli_open_tree sets it): the memory attribute register leaves' types go through. */
extern bool cli_mem_attr_set;
extern uint64_t cli_mem_attr;
/* A leaf's effective PT_* bits prot with its memory type as --memattr gives it. */
uint32_t cli_leaf_prot(const struct pt_format *fmt, uint32_t prot, uint64_t entry, int level);
struct cli_dump_opts {
	bool json;
	bool wx;	     /* only the leaves both writable and executable */
	uint64_t start, end; /* the VAs listed: [start, end), end 0: no limit */
};
/*
 * Print every mapping in [o->start, o->end), coalesced (nothing for a half without a tree,
 * upper as for cli_va_halves), with entries the MMU cannot use listed where they are (and
 * said on stderr), tables on their own walk listed as self-maps and tables reached a second
 * time as shared (neither walked again). 1 when an entry was bad (or, with o->wx, when
 * a W+X leaf was found), else 0.
 */
int cli_show_dump(FILE *out, struct pt_mm *mm, unsigned trees, const struct cli_dump_opts *o);

/* ---- subcommands ---- */

int cmd_formats(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_translate(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_verify(int argc, char **argv);

#endif
