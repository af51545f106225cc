// SPDX-License-Identifier: MIT
/*
 * The pt_space handle (include/ptkit/space.h, src/space/) on every format: a tree built from
 * a spec must be the tree pt_map builds from the same requests (same image bytes, same
 * roots), its leaves (pt_space_next_leaf) must tile what pt_translate says of every byte
 * they cover, and the same image read back through a callback or as a raw file must give
 * the same leaves. Then every way of failing (bad spec line, bad base, unreadable root,
 * missing file, non-canonical VA, corrupt entry) returns its code, a message naming the
 * culprit and no handle; under ASan, LeakSanitizer checks that each failure frees all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ptkit/mem.h"
#include "ptkit/ptkit.h"
#include "ptkit/space.h"
#include "ptkit/spec.h"

#define BASE 0x100000ull
#define SIZE (8ull << 20)

struct img {
	const uint8_t *bytes;
	uint64_t base, size, reads;
};

static int img_read(void *ctx, uint64_t pa, void *buf, uint64_t n)
{
	struct img *m = ctx;

	m->reads++;
	if (pa < m->base || pa - m->base > m->size || m->size - (pa - m->base) < n)
		return -1;
	memcpy(buf, m->bytes + (pa - m->base), n);
	return 0;
}

/* One map line per page size up to 1G, in both halves: VA slot i GiB, PA slot i GiB. */
static void make_spec(const struct pt_format *f, char *spec, size_t len)
{
	size_t n = 0;
	int slot = 1;

	spec[0] = 0;
	for (int b = 0; b <= 30; b++) {
		if (!(f->page_sizes >> b & 1))
			continue;
		for (int h = 0; h < 2; h++, slot++)
			n += (size_t)snprintf(
				spec + n, len - n, "map 0x%llx 0x%llx 0x%llx %s pagesize=0x%llx\n",
				(unsigned long long)(f->half_base[h] + ((uint64_t)slot << 30)),
				(unsigned long long)((uint64_t)slot << 30),
				(unsigned long long)(1ull << b), h ? "r,w" : "r,x,user",
				(unsigned long long)(1ull << b));
	}
}

/* The leaves of s, each checked against pt_space_translate; returns how many. */
static unsigned leaves(struct pt_space *s, struct pt_space_leaf *out, unsigned max)
{
	uint64_t va = 0;
	unsigned n = 0;
	char err[256];
	struct pt_space_leaf lf;
	int r;

	while ((r = pt_space_next_leaf(s, &va, 0, &lf, err, sizeof(err))) == 1) {
		struct pt_translation tr;

		if (!CHECK(n < max))
			break;
		out[n++] = lf;
		CHECK_EQ(pt_space_translate(s, lf.va + lf.size - 1, &tr, err, sizeof(err)), 0);
		CHECK_EQ(tr.pa, lf.pa + lf.size - 1);
		CHECK_EQ(tr.prot, lf.prot);
		CHECK_EQ(tr.entry, lf.entry);
		if (!va)
			break; /* the leaf ends at 2^64 */
	}
	CHECK_EQ(r == 1 ? 0 : r, 0);
	return n;
}

static void one_format(const struct pt_format *f)
{
	static struct pt_space_leaf a[4096], b[4096];
	char spec[4096], err[256], path[] = "/tmp/test_space.XXXXXX";
	struct pt_space *s, *r, *d;
	struct pt_arena arena;
	struct pt_mm mm;
	const uint8_t *bytes;
	uint64_t base, size, roots[2];
	unsigned na, nb;
	FILE *fp;
	int fd;

	make_spec(f, spec, sizeof(spec));
	if (!CHECK_EQ(pt_space_build(&s, f, spec, BASE, SIZE, err, sizeof(err)), 0)) {
		fprintf(stderr, "%s: %s\n", f->name, err);
		return;
	}
	/* The same requests through pt_map: the same bytes. */
	CHECK_EQ(pt_arena_init(&arena, BASE, SIZE), 0);
	CHECK_EQ(pt_mm_init(&mm, f, &arena.mem), 0);
	{
		char *copy = strdup(spec), *line, *next;

		for (line = copy; line && *line; line = next) {
			struct pt_spec_op op;

			next = strchr(line, '\n');
			*next++ = 0;
			CHECK_EQ(pt_spec_parse_line(line, f, &op, err, sizeof(err)), 0);
			CHECK_EQ(pt_spec_run(&mm, &op, err, sizeof(err)), 0);
		}
		free(copy);
	}
	CHECK_EQ(pt_space_image(s, &bytes, &base, &size), 0);
	CHECK_EQ(base, BASE);
	CHECK_EQ(size, SIZE);
	CHECK(!memcmp(bytes, arena.mem.bytes, SIZE));
	CHECK_EQ(pt_space_roots(s, roots), 3);
	CHECK_EQ(roots[0], mm.root[0]);
	CHECK_EQ(roots[1], mm.root[1]);
	pt_arena_fini(&arena);

	na = leaves(s, a, 4096);
	CHECK(na >= 2);

	/* Read back through a callback: the same leaves, each table read once. */
	{
		struct img m = { bytes, base, size, 0 };

		CHECK_EQ(pt_space_from_reader(&r, f, img_read, &m, roots[0], true, roots[1], err,
					      sizeof(err)),
			 0);
		nb = leaves(r, b, 4096);
		CHECK_EQ(nb, na);
		CHECK(!memcmp(a, b, na * sizeof(a[0])));
		CHECK(m.reads > 0);
		pt_space_close(r);
	}
	/* As a raw file. */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	fp = fdopen(fd, "wb");
	CHECK_EQ(fwrite(bytes, 1, size, fp), size);
	fclose(fp);
	{
		char r0[32], r1[32];

		snprintf(r0, sizeof(r0), "0x%llx", (unsigned long long)roots[0]);
		snprintf(r1, sizeof(r1), "0x%llx", (unsigned long long)roots[1]);
		if (CHECK_EQ(pt_space_open_dump(&d, path, f, true, base, r0,
						f->two_roots ? r1 : NULL, err, sizeof(err)),
			     0)) {
			nb = leaves(d, b, 4096);
			CHECK_EQ(nb, na);
			CHECK(!memcmp(a, b, na * sizeof(a[0])));
			CHECK_EQ(pt_space_image(d, &bytes, &base, &size), -PT_EINVAL);
			pt_space_close(d);
		} else {
			fprintf(stderr, "%s: %s\n", f->name, err);
		}
	}
	unlink(path);
	pt_space_close(s);
}

/* A failing call: code, no handle, err containing want. */
/* (s is read after the call: an argument would be read in any order with it.) */
static void fails(int got, int code, struct pt_space *const *s, const char *err, const char *want)
{
	CHECK_EQ(got, code);
	if (!CHECK(*s == NULL))
		fprintf(stderr, "  (%s)\n", want);
	if (!CHECK(strstr(err, want) != NULL))
		fprintf(stderr, "  message '%s' lacks '%s'\n", err, want);
}

static void failures(void)
{
	const struct pt_format *x86 = pt_format_find("x86_64");
	struct pt_space *s = (struct pt_space *)1;
	struct pt_translation tr;
	char err[256];
	uint64_t root = 0;
	struct img none = { NULL, 0, 0, 0 };

	fails(pt_space_build(&s, x86, "map 0 0 4K\nmap 0x1000 0 4K q\n", BASE, SIZE, err,
			     sizeof(err)),
	      -PT_EINVAL, &s, err, "line 2: unknown flag 'q'");
	s = (struct pt_space *)1;
	fails(pt_space_build(&s, x86, "map 0 0 4K\nmap 0 0x1000 4K\n", BASE, SIZE, err,
			     sizeof(err)),
	      -PT_EEXIST, &s, err, "line 2: map 0x0: overlaps");
	fails(pt_space_build(&s, x86, "map 0 0 16M pagesize=4K\n", BASE, 16 << 10, err,
			     sizeof(err)),
	      -PT_ENOMEM, &s, err, "line 1: image too small");
	fails(pt_space_build(&s, x86, "", BASE + 0x800, SIZE, err, sizeof(err)), -PT_EINVAL, &s,
	      err, "not aligned to the 4K granule");
	fails(pt_space_from_reader(&s, x86, img_read, &none, 0x1000, false, 0, err, sizeof(err)),
	      -PT_EFAULT, &s, err, "root 0x1000: the 4096-byte root table cannot be read");
	fails(pt_space_open_dump(&s, "/nonexistent/core", x86, false, 0, NULL, NULL, err,
				 sizeof(err)),
	      -PT_EINVAL, &s, err, "/nonexistent/core");
	fails(pt_space_open_dump(&s, "/dev/null", NULL, true, 0, "0x1000", NULL, err, sizeof(err)),
	      -PT_EINVAL, &s, err, "no format given");
	CHECK_EQ(pt_root_of_reg(x86, 0x1234005, &root, err, sizeof(err)), 0);
	CHECK_EQ(root, 0x1234000);

	/* A non-canonical VA, a fault, a corrupt entry (PS in a PML4 entry: reserved). */
	if (CHECK_EQ(pt_space_build(&s, x86, "map 0x200000 0 4K\n", BASE, SIZE, err, sizeof(err)),
		     0)) {
		const uint8_t *bytes;
		uint64_t base, size, roots[2], e;

		CHECK_EQ(pt_space_translate(s, 1ull << 47, &tr, err, sizeof(err)), -PT_ERANGE);
		CHECK(strstr(err, "not a canonical address") != NULL);
		CHECK_EQ(pt_space_translate(s, 0x201000, &tr, err, sizeof(err)), -PT_ENOENT);
		CHECK_EQ(tr.level, 0);
		pt_space_image(s, &bytes, &base, &size);
		pt_space_roots(s, roots);
		memcpy(&e, bytes + (roots[0] - base), 8);
		e |= 1ull << 7;
		memcpy((uint8_t *)bytes + (roots[0] - base), &e, 8); /* the arena is ours */
		pt_space_close(s);
	}
	/* pt_space_translate on the corrupt one through a reader. */
	{
		static uint8_t mem[SIZE];
		struct img m = { mem, BASE, SIZE, 0 };
		uint64_t pml4e = 0x103000 | 1 | 1ull << 7;

		memcpy(mem, &pml4e, 8); /* root at BASE */
		if (CHECK_EQ(pt_space_from_reader(&s, x86, img_read, &m, BASE, false, 0, err,
						  sizeof(err)),
			     0)) {
			uint64_t va = 0;
			struct pt_space_leaf lf;

			CHECK_EQ(pt_space_translate(s, 0x1000, &tr, err, sizeof(err)), -PT_EBADENT);
			CHECK(strstr(err, "bad entry 0x0000000000103081") != NULL);
			CHECK(strstr(err, "at pgd") != NULL);
			CHECK_EQ(pt_space_next_leaf(s, &va, 0, &lf, err, sizeof(err)), -PT_EBADENT);
			pt_space_close(s);
		}
	}
}

int main(void)
{
	const struct pt_format *f;

	for (unsigned i = 0; (f = pt_format_at(i)); i++)
		one_format(f);
	failures();
	return CHECK_DONE();
}
