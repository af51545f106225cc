// SPDX-License-Identifier: MIT
/*
 * src/space/space_args_*.c, the one implementation of the arena, format and root checks that
 * pt_space and the CLI share: each case runs with the CLI's option names and with pt_space's,
 * and must give the expected CLI message, code, usage flag (the CLI's exit 2 against 1) and
 * notes, and the same message and notes in pt_space's words ("--root" -> "root",
 * "missing --format" -> "no format given").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ptkit/ptkit.h"
#include "ptkit/space.h"
#include "space/space_args.h"

#define BASE 0x100000ull

static const struct space_words cli = { "--format", "--root", "--root1",
					"--base",   "--size", "missing --format" };
static const struct space_words api = {
	"format", "root", "root1", "base", "size", "no format given"
};

struct said {
	struct space_say say;
	char err[512], notes[1024];
};

static void note(void *ctx, const char *line)
{
	struct said *s = ctx;

	strcat(strcat(s->notes, line), "\n");
}

static void said_init(struct said *s, const struct space_words *w)
{
	memset(s, 0, sizeof(*s));
	s->say = (struct space_say){ w, note, s, s->err, sizeof(s->err), false };
}

/* The CLI's words turned into pt_space's. */
static void api_words(const char *in, char *out, size_t len)
{
	size_t n = 0;

	for (const char *p = in; *p && n + 16 < len;) {
		if (!strncmp(p, "missing --format", 16)) {
			n += (size_t)snprintf(out + n, len - n, "no format given");
			p += 16;
		} else if (!strncmp(p, "--", 2)) {
			p += 2;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = 0;
}

/* Both runs agree: code, usage, message and notes (in their own words). */
static void same(const struct said *c, const struct said *a, int rc, int ra, const char *what)
{
	char want[1024];

	CHECK_EQ(ra, rc);
	CHECK_EQ(a->say.usage, c->say.usage);
	api_words(c->err, want, sizeof(want));
	if (!CHECK(!strcmp(a->err, want)))
		fprintf(stderr, "  %s: '%s' != '%s'\n", what, a->err, want);
	api_words(c->notes, want, sizeof(want));
	if (!CHECK(!strcmp(a->notes, want)))
		fprintf(stderr, "  %s: notes '%s' != '%s'\n", what, a->notes, want);
}

static void expect(const struct said *c, int ret, int code, bool usage, const char *msg,
		   const char *what)
{
	CHECK_EQ(ret, code);
	if (code)
		CHECK_EQ(c->say.usage, usage);
	if (!CHECK(!strcmp(code ? c->err : c->notes, msg)))
		fprintf(stderr, "  %s: '%s', expected '%s'\n", what, code ? c->err : c->notes, msg);
}

struct arena_case {
	const char *fmt;
	uint64_t base;
	const char *size; /* as given, NULL: the default */
	int code;
	uint64_t want_size; /* code 0: the size */
	const char *msg;
};

static const struct arena_case arena_cases[] = {
	{ "x86_64", BASE, NULL, 0, 1ull << 30, "" },
	{ "x86_64", BASE, "16K", 0, 16384, "" },
	{ "x86_64", 0x1001, NULL, -PT_EINVAL, 0,
	  "--base 0x1001: not aligned to the 4K granule of x86_64 (its largest table)" },
	{ "arm64-64k-48", 0x1000, "qq", -PT_EINVAL, 0,
	  "--base 0x1000: not aligned to the 64K granule of arm64-64k-48 (its largest table)" },
	{ "ppc64-radix-4k", 0x10000, "qq", -PT_EINVAL, 0, "--size: bad number 'qq'" },
	{ "x86_64", BASE, "0", -PT_EINVAL, 0, "--size 0: must be a non-zero multiple of 4K" },
	{ "x86_64", BASE, "0x1001", -PT_EINVAL, 0,
	  "--size 0x1001: must be a non-zero multiple of 4K" },
	{ "x86_64", 0x10000000000000, NULL, -PT_ERANGE, 0,
	  "--base 0x10000000000000 --size 1G (default): the arena reaches beyond the 52-bit PA "
	  "limit of x86_64 (0x10000000000000)" },
	{ "arm64-4k-48", 0xffffff000000, "32M", -PT_ERANGE, 0,
	  "--base 0xffffff000000 --size 32M: the arena reaches beyond the 48-bit PA limit of "
	  "arm64-4k-48 (0x1000000000000)" },
};

static void arena_checks(void)
{
	for (size_t i = 0; i < sizeof(arena_cases) / sizeof(arena_cases[0]); i++) {
		const struct arena_case *k = &arena_cases[i];
		const struct pt_format *f = pt_format_find(k->fmt);
		struct said c, a;
		uint64_t sc = 0, sa = 0;
		int rc, ra;

		said_init(&c, &cli);
		said_init(&a, &api);
		rc = space_arena_check(f, k->base, k->size, &sc, &c.say);
		ra = space_arena_check(f, k->base, k->size, &sa, &a.say);
		expect(&c, rc, k->code, true, k->msg, k->msg);
		same(&c, &a, rc, ra, k->msg);
		if (!k->code)
			CHECK_EQ(sc, k->want_size);
	}
}

/* A raw image of fmt's tree with leaves in both halves: its path in path, its roots. */
static bool raw_image(const struct pt_format *f, char path[64], uint64_t roots[2])
{
	char spec[256], err[256];
	const uint8_t *bytes;
	uint64_t base, size;
	struct pt_space *s;
	FILE *fp;
	int fd;

	snprintf(spec, sizeof(spec), "map 0x1000 0x2000 4K\nmap 0x%llx 0x3000 4K\n",
		 (unsigned long long)f->half_base[1] + 0x1000);
	if (!CHECK_EQ(pt_space_build(&s, f, spec, BASE, 1 << 20, err, sizeof(err)), 0))
		return false;
	pt_space_roots(s, roots);
	pt_space_image(s, &bytes, &base, &size);
	strcpy(path, "/tmp/test_space_args.XXXXXX");
	fd = mkstemp(path);
	fp = CHECK(fd >= 0) ? fdopen(fd, "wb") : NULL;
	CHECK(fp && fwrite(bytes, 1, size, fp) == size);
	if (fp)
		fclose(fp);
	pt_space_close(s);
	return fp != NULL;
}

struct root_case {
	const char *fmt;
	const char *root, *root1; /* "R0" / "R1": the built roots, "R0+8": plus 8 */
	int code;
	bool usage;
	unsigned trees;	 /* code 0: the halves with a tree */
	const char *msg; /* the CLI's error, or its notes when code is 0 ("R0": the root) */
};

static const struct root_case root_cases[] = {
	{ "x86_64", NULL, NULL, -PT_ENOENT, true, 0,
	  "no --root: the raw has no VMCOREINFO note nor CPU state to take the root from" },
	{ "x86_64", NULL, "R0", -PT_EINVAL, true, 0, "--root1 without --root" },
	{ "x86_64", "kernel", "R0", -PT_EINVAL, true, 0,
	  "--root kernel with --root1: give the lower half's root as --root and --root1 kernel" },
	{ "x86_64", "kernel", NULL, -PT_ENOENT, true, 0,
	  "--root kernel: the raw has no VMCOREINFO note" },
	{ "x86_64", "zz", NULL, -PT_EINVAL, true, 0, "--root: bad number 'zz'" },
	{ "x86_64", "R0", "kernel", -PT_EINVAL, true, 0,
	  "--root1 kernel: x86_64 has one root for both halves (--root kernel)" },
	{ "x86_64", "R0", "0x900000", -PT_EINVAL, false, 0,
	  "--root1 0x900000: x86_64 has one root for both halves (give --root only)" },
	{ "x86_64", "R0", "R0", 0, false, SPACE_BOTH, "" },
	{ "x86_64", "R0+8", NULL, 0, false, SPACE_BOTH,
	  "--root R0+8: the root table at R0 (the rest of the x86_64 register value ignored)\n" },
	{ "x86_64", "0x900000", NULL, -PT_EFAULT, false, 0,
	  "--root 0x900000: outside the image [0x100000, 0x200000)" },
	{ "arm64-4k-48", "R0+8", NULL, -PT_EINVAL, false, 0,
	  "--root R0+8: not aligned to 4K, the size of the root table of arm64-4k-48" },
	{ "arm64-4k-48", "R0", NULL, 0, false, SPACE_LOWER, "" },
	{ "arm64-4k-48", "R0", "R1", 0, false, SPACE_BOTH, "" },
	{ "arm64-4k-48", "R0", "0x200000", -PT_EFAULT, false, 0,
	  "--root1 0x200000: outside the image [0x100000, 0x200000)" },
};

/* s with "R0" / "R1" / "R0+8" replaced by the numbers. */
static const char *subst(const char *s, const uint64_t roots[2], char *buf, size_t len)
{
	const char *p = s ? strstr(s, "R") : NULL;
	size_t n = 0;

	if (!p)
		return s;
	for (p = s; *p && n + 24 < len;) {
		if (p[0] == 'R' && (p[1] == '0' || p[1] == '1')) {
			uint64_t v = roots[p[1] - '0'];

			p += 2;
			if (!strncmp(p, "+8", 2)) {
				v += 8;
				p += 2;
			}
			n += (size_t)snprintf(buf + n, len - n, "0x%llx", (unsigned long long)v);
		} else {
			buf[n++] = *p++;
		}
	}
	buf[n] = 0;
	return buf;
}

static void root_checks(void)
{
	for (size_t i = 0; i < sizeof(root_cases) / sizeof(root_cases[0]); i++) {
		const struct root_case *k = &root_cases[i];
		const struct pt_format *f = pt_format_find(k->fmt);
		char path[64], b0[64], b1[64], bm[512];
		const char *r0, *r1, *msg;
		uint64_t roots[2], rc_r[2], ra_r[2];
		unsigned tc = 0, ta = 0;
		struct pt_dump d;
		struct said c, a;
		int rc, ra;

		if (!raw_image(f, path, roots))
			continue;
		r0 = subst(k->root, roots, b0, sizeof(b0));
		r1 = subst(k->root1, roots, b1, sizeof(b1));
		msg = subst(k->msg, roots, bm, sizeof(bm));
		if (CHECK_EQ(pt_dump_open(&d, path, true, BASE), 0)) {
			said_init(&c, &cli);
			said_init(&a, &api);
			rc = space_dump_roots(&d, f, r0, r1, rc_r, &tc, &c.say);
			ra = space_dump_roots(&d, f, r0, r1, ra_r, &ta, &a.say);
			expect(&c, rc, k->code, k->usage, msg, msg);
			same(&c, &a, rc, ra, msg);
			if (!k->code) {
				CHECK_EQ(tc, k->trees);
				CHECK_EQ(ta, tc);
				CHECK_EQ(rc_r[0], roots[0]);
				CHECK_EQ(rc_r[1], k->trees == SPACE_BOTH && f->two_roots
							  ? roots[1]
							  : roots[0]);
			}
			pt_dump_close(&d);
		}
		unlink(path);
	}
}

/* A raw dump: no format is an error of the arguments, as is a misaligned base (of the data). */
static void raw_checks(void)
{
	const struct pt_format *f = pt_format_find("x86_64"), *got = NULL;
	uint64_t roots[2];
	struct pt_dump d;
	struct said c, a;
	char path[64];
	int rc, ra;

	said_init(&c, &cli);
	said_init(&a, &api);
	rc = space_raw_check(true, true, BASE + 0x800, &c.say);
	ra = space_raw_check(true, true, BASE + 0x800, &a.say);
	expect(&c, rc, -PT_EINVAL, false, "--base 0x100800: not aligned to 4K", "base");
	same(&c, &a, rc, ra, "base");
	said_init(&c, &cli);
	said_init(&a, &api);
	rc = space_raw_check(false, true, BASE, &c.say);
	ra = space_raw_check(false, true, BASE, &a.say);
	expect(&c, rc, -PT_EINVAL, true, "missing --format (a raw image does not say which it is)",
	       "format");
	same(&c, &a, rc, ra, "format");
	CHECK_EQ(space_raw_check(false, false, 0, &c.say), 0);

	if (!raw_image(f, path, roots))
		return;
	if (CHECK_EQ(pt_dump_open(&d, path, true, BASE), 0)) {
		said_init(&c, &cli);
		said_init(&a, &api);
		rc = space_dump_format(&d, &got, &c.say);
		ra = space_dump_format(&d, &got, &a.say);
		expect(&c, rc, -PT_EINVAL, true,
		       "missing --format (the raw says neither its CPU state nor its kernel's paging)",
		       "no format");
		same(&c, &a, rc, ra, "no format");
		got = f;
		CHECK_EQ(space_dump_format(&d, &got, &c.say), 0);
		CHECK_EQ(got, f);
		pt_dump_close(&d);
	}
	unlink(path);
}

int main(void)
{
	arena_checks();
	root_checks();
	raw_checks();
	return CHECK_DONE();
}
