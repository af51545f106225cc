// SPDX-License-Identifier: MIT
/*
 * The listing (src/space/listing.c) through pt_space_next_item: an x86-64 tree of N 4K
 * leaves and a 1G leaf, with one entry patched after them as tests/cli/corrupt.sh patches
 * it: a second pgd entry sharing the first's pud table, a pmd entry pointing back at the
 * pud (a self-map), a pmd entry with reserved bits. For N around every multiple of the
 * listing's buffer, the items must be the N leaves, the patched entry's item and the 1G
 * leaf, in that order: an item that falls at a buffer's end is neither lost nor repeated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ptkit/ptkit.h"
#include "ptkit/space.h"

#define BASE 0x100000ull
#define OA 0x000ffffffffff000ull /* x86-64 table address bits (SDM vol. 3 4.5, table 4-15) */

struct img {
	uint8_t *bytes;
	uint64_t size;
};

static int img_read(void *ctx, uint64_t pa, void *buf, uint64_t n)
{
	struct img *m = ctx;

	if (pa < BASE || pa - BASE > m->size || m->size - (pa - BASE) < n)
		return -1;
	memcpy(buf, m->bytes + (pa - BASE), n);
	return 0;
}

static uint64_t *entry(struct img *m, uint64_t table, unsigned i)
{
	return (uint64_t *)(m->bytes + (table - BASE)) + i;
}

enum patch { SHARED, SELF_MAP, BAD };

/* Whether item it is the k-th of the tree with n leaves and the patch (pud: its pud table). */
static bool expected(const struct pt_space_item *it, unsigned k, unsigned n, enum patch p,
		     uint64_t pud)
{
	if (k < n) /* the 4K leaves */
		return it->kind == PT_ITEM_LEAF && it->va == k * 4096ull && it->size == 4096 &&
		       it->pa == 0x200000 + k * 4096ull && it->level == 0;
	if (k == (p == SHARED ? n : n + 1)) /* the 1G leaf: before the shared pgd entry */
		return it->kind == PT_ITEM_LEAF && it->va == 0x40000000 && it->pa == 0x80000000 &&
		       it->size == 1ull << 30 && it->level == 2;
	if (p == SHARED)
		return k == n + 1 && it->kind == PT_ITEM_SHARED && it->va == 1ull << 39 &&
		       it->size == 1ull << 39 && it->level == 3 && it->pa == pud && !it->first_va;
	if (k != n)
		return false;
	if (p == SELF_MAP)
		return it->kind == PT_ITEM_SELF_MAP && it->va == 0x200000 && it->size == 0x200000 &&
		       it->level == 1 && it->pa == pud && it->table_level == 2;
	return it->kind == PT_ITEM_CORRUPT && it->va == 0x200000 && it->size == 0x200000 &&
	       it->level == 1 && it->code == -PT_EBADENT && it->entry == 0x2087 &&
	       !strncmp(it->why, "bad entry 0x0000000000002087 (", 30);
}

/* The items of the tree with n leaves and the patch, checked in order. */
static void one(const struct pt_format *x86, unsigned n, enum patch p)
{
	char spec[128], err[256];
	struct pt_space *s, *r;
	struct pt_space_item it;
	const uint8_t *bytes;
	uint64_t base, size, roots[2], va = 0, pgd, pud, pmd;
	struct img m;
	unsigned k = 0;
	int ret;

	snprintf(spec, sizeof(spec),
		 "map 0x40000000 0x80000000 1G pagesize=1G\nmap 0 0x200000 0x%x pagesize=4K\n",
		 n * 4096);
	if (!CHECK_EQ(pt_space_build(&s, x86, spec, BASE, 1 << 20, err, sizeof(err)), 0)) {
		printf("%s\n", err);
		return;
	}
	pt_space_image(s, &bytes, &base, &size);
	pt_space_roots(s, roots);
	m = (struct img){ malloc(size), size };
	memcpy(m.bytes, bytes, size);
	pgd = roots[0];
	pud = *entry(&m, pgd, 0) & OA;
	pmd = *entry(&m, pud, 0) & OA;
	if (p == SHARED)
		*entry(&m, pgd, 1) = *entry(&m, pgd, 0);
	else if (p == SELF_MAP)
		*entry(&m, pmd, 1) = pud | 0x7;
	else
		*entry(&m, pmd, 1) = 0x2000 | 0x80 | 0x7; /* a 2M leaf with reserved bit 13 */
	CHECK_EQ(pt_space_from_reader(&r, x86, img_read, &m, pgd, false, 0, err, sizeof(err)), 0);
	while ((ret = pt_space_next_item(r, &va, 0, &it, err, sizeof(err))) == 1) {
		if (!CHECK(expected(&it, k, n, p, pud)))
			printf("n %u patch %d: item %u: kind %d va 0x%llx size 0x%llx why %s\n", n,
			       p, k, it.kind, (unsigned long long)it.va,
			       (unsigned long long)it.size, it.why);
		k++;
	}
	CHECK_EQ(ret, 0);
	CHECK_EQ(k, n + 2);
	pt_space_close(r);
	pt_space_close(s);
	free(m.bytes);
}

int main(void)
{
	const struct pt_format *x86 = pt_format_find("x86_64");

	for (unsigned n = 1; n <= 100; n++)
		for (int p = SHARED; p <= BAD; p++)
			one(x86, n, p);
	return CHECK_DONE();
}
