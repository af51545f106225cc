// SPDX-License-Identifier: MIT
/*
 * Tests for pt_translate (src/ops/translate_tmpl.h) on every format.
 *
 * Random trees in both halves, whose table entries then get random values in every bit the
 * format lets a table entry change without changing what it points to (so the rights of
 * the table levels vary: x86 R/W, U/S, XD; arm64 APTable, UXNTable, PXNTable; plus the
 * bits the hardware ignores there) and whose leaves get the same treatment (memory types,
 * A/D, software bits, protection keys, groups...). Every translation, by the trusted fast
 * path (arena), by the checked path over the same bytes as a foreign image and with every
 * read observed, must equal the one computed here from the format's decode of each entry on
 * the path combined the old way: the leaf's own PT_* bits ANDed with what every table entry
 * above lets through (pt_format_decode(...).prot of a table entry).
 *
 * Then the foreign image is corrupted at random (pointers out of memory, back up the path,
 * into other tables, random bits) and translate must stop exactly where and as the
 * walker's own checked seek does (-PT_EFAULT, -PT_ELOOP, -PT_EBADENT, -PT_ENOENT).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ptkit/mem.h"
#include "ptkit/ptkit.h"

#define ARENA_BASE 0x100000000ull
#define ARENA_SIZE (32ull << 20)
#define NMAPS 300
#define NVA 20000

static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x9e3779b97f4a7c15ull;
}

struct leaf {
	uint64_t va, size;
};

struct fx {
	const struct pt_format *f;
	struct pt_arena a;
	struct pt_mm mm;
	struct leaf leaves[NMAPS];
	int nleaves;
};

static uint8_t *entry_ptr(const struct pt_mem *m, uint64_t table, uint64_t idx)
{
	return m->bytes + (table - m->base) + idx * 8;
}

static uint32_t index_of(const struct pt_format *f, uint64_t va, int level)
{
	return (uint32_t)(va >> f->shift[level]) & ((1u << f->index_bits[level]) - 1);
}

static uint64_t half_span(const struct pt_format *f)
{
	return 1ull << f->half_bits;
}

/*
 * A random VA of half h near the others: at every level one of 8 entries, so
 * the leaves share tables (and the arena stays small).
 */
static uint64_t cluster_va(const struct pt_format *f, int h, int level)
{
	uint64_t va = f->half_base[h] + (rnd() % 8) * (1ull << f->shift[f->levels - 1]);

	if (f->shift[f->levels - 1] >= f->half_bits) /* the root spans the half alone */
		va = f->half_base[h];
	for (int l = f->levels - 2; l >= level; l--)
		va += (rnd() % 8) << f->shift[l];
	return va;
}

/* A decoded entry of the same kind and address, and if a leaf, one the MMU may use. */
static bool same_use(const struct pt_entry_info *d, const struct pt_entry_info *x)
{
	return x->kind == d->kind && x->pa == d->pa &&
	       (x->kind != PT_ENTRY_LEAF || !pt_prot_none(x->prot));
}

/* The bits of e (at level) that can flip alone without changing its kind or address. */
static uint64_t free_bits(const struct pt_format *f, uint64_t e, int level)
{
	struct pt_entry_info d, x;
	uint64_t bits = 0;

	pt_format_decode(f, e, level, &d);
	for (int b = 0; b < 64; b++) {
		pt_format_decode(f, e ^ (1ull << b), level, &x);
		if (same_use(&d, &x))
			bits |= 1ull << b;
	}
	return bits;
}

/*
 * e with a random subset of its free bits flipped, still of its kind and address (and a
 * leaf still one the MMU may use: not PROT_NONE).
 */
static uint64_t scramble(const struct pt_format *f, uint64_t e, int level)
{
	uint64_t bits = free_bits(f, e, level);
	struct pt_entry_info d, x;

	pt_format_decode(f, e, level, &d);
	for (int k = 0; k < 8; k++) {
		uint64_t n = e ^ (bits & rnd());

		pt_format_decode(f, n, level, &x);
		if (same_use(&d, &x))
			return n;
	}
	return e;
}

/* Scramble, each with probability 1/2, the entries of the tree below the level-l table t. */
static void scramble_tree(const struct pt_format *f, const struct pt_mem *m, uint64_t t, int l)
{
	for (uint64_t i = 0; i < 1ull << f->index_bits[l]; i++) {
		uint8_t *p = entry_ptr(m, t, i);
		uint64_t e = pt_entry_load(f, p);
		struct pt_entry_info d;

		pt_format_decode(f, e, l, &d);
		if (d.kind == PT_ENTRY_TABLE && l > 0)
			scramble_tree(f, m, d.pa, l - 1);
		if ((d.kind == PT_ENTRY_TABLE || d.kind == PT_ENTRY_LEAF) && (rnd() & 1))
			pt_entry_store(f, p, scramble(f, e, l));
	}
}

static void populate(struct fx *x)
{
	const struct pt_format *f = x->f;
	static const uint32_t bits[] = { PT_R,	    PT_W,	PT_X,	  PT_USER,  PT_GLOBAL,
					 PT_DEVICE, PT_NOCACHE, PT_YOUNG, PT_DIRTY, PT_SPECIAL };

	for (int i = 0; i < NMAPS; i++) {
		int h = (int)(rnd() & 1), level = (int)(rnd() % (uint64_t)f->levels);
		int other = (int)(rnd() % (uint64_t)f->levels);
		uint64_t size = 1ull << f->shift[level], n = 1, pa;
		uint32_t prot = 0;
		struct pt_gather g;

		if (other < level) /* smaller leaves more often: they fit between the others */
			level = other;
		if (!f->leaf_ok[level])
			continue;
		if (f->contig[level] > 1 && (rnd() & 1))
			n = f->contig[level];
		for (size_t b = 0; b < sizeof(bits) / sizeof(bits[0]); b++)
			if (rnd() & 1)
				prot |= bits[b];
		if (prot & PT_DEVICE) /* one memory type */
			prot &= ~(uint32_t)PT_NOCACHE;
		if (!(prot & PT_X) || (prot & PT_W)) /* riscv: R or X, no W without R */
			prot |= PT_R;
		pa = (rnd() % (1ull << (f->pa_bits - 1))) & ~(n * size - 1);
		struct pt_map_req req = { .va = cluster_va(f, h, level) & ~(n * size - 1),
					  .pa = pa,
					  .size = n * size,
					  .prot = prot,
					  .page_sizes = n * size };
		pt_gather_init(&g, &x->mm);
		if (pt_map(&x->mm, &req, &g) == 0 && x->nleaves < NMAPS)
			x->leaves[x->nleaves++] = (struct leaf){ req.va, req.size };
		pt_gather_flush(&g);
	}
}

/* The translation from the format's decode of every entry on the path (the old way). */
static int expect(const struct pt_mm *mm, uint64_t va, struct pt_translation *tr, int *reads)
{
	const struct pt_format *f = mm->fmt;
	int h = va >= f->half_base[1];
	uint64_t table = mm->root[f->two_roots ? h : 0];
	uint32_t allow = ~0u;

	memset(tr, 0, sizeof(*tr));
	*reads = 0;
	for (int l = f->levels - 1; l >= 0; l--) {
		uint64_t e = pt_entry_load(f, entry_ptr(mm->mem, table, index_of(f, va, l)));
		struct pt_entry_info d;

		++*reads;
		pt_format_decode(f, e, l, &d);
		tr->level = l;
		tr->entry = e;
		if (d.kind == PT_ENTRY_TABLE && l > 0) {
			allow &= d.prot;
			table = d.pa;
			continue;
		}
		if (d.kind != PT_ENTRY_LEAF)
			return d.kind == PT_ENTRY_BAD ? -PT_EBADENT : -PT_ENOENT;
		tr->size = 1ull << f->shift[l];
		tr->group = tr->size * d.contig;
		tr->leaf_va = va & ~(tr->size - 1);
		tr->leaf_pa = (d.pa & ~(tr->group - 1)) + (va & (tr->group - 1) & ~(tr->size - 1));
		tr->pa = tr->leaf_pa + (va & (tr->size - 1));
		tr->prot = d.prot & allow;
		tr->pkey = d.pkey;
		return pt_prot_none(tr->prot) ? -PT_ENOENT : 0; /* PROT_NONE: kept, no access */
	}
	return -PT_ENOENT;
}

static bool same_tr(const struct pt_translation *a, const struct pt_translation *b)
{
	return a->pa == b->pa && a->leaf_va == b->leaf_va && a->leaf_pa == b->leaf_pa &&
	       a->size == b->size && a->group == b->group && a->level == b->level &&
	       a->prot == b->prot && a->pkey == b->pkey && a->entry == b->entry;
}

static void print_tr(const char *what, int r, const struct pt_translation *t)
{
	fprintf(stderr,
		"    %-8s %d: pa 0x%llx leaf 0x%llx/0x%llx size 0x%llx group 0x%llx level %d "
		"prot 0x%x pkey %u entry 0x%016llx\n",
		what, r, (unsigned long long)t->pa, (unsigned long long)t->leaf_va,
		(unsigned long long)t->leaf_pa, (unsigned long long)t->size,
		(unsigned long long)t->group, t->level, t->prot, t->pkey,
		(unsigned long long)t->entry);
}

/* A VA to translate: in or next to a mapped leaf, or anywhere near the others. */
static uint64_t some_va(const struct fx *x)
{
	const struct pt_format *f = x->f;

	if (x->nleaves && (rnd() & 3)) {
		const struct leaf *lf = &x->leaves[rnd() % (uint64_t)x->nleaves];
		return lf->va + rnd() % (2 * lf->size);
	}
	return cluster_va(f, (int)(rnd() & 1), 0) + rnd() % (1ull << f->shift[0]);
}

/* Trusted, foreign and observed translations of random VAs equal the decode's. */
static void test_rights(struct fx *x)
{
	const struct pt_format *f = x->f;
	struct pt_mem img;
	struct pt_mm imm;
	unsigned bad = 0, leaves = 0, restricted = 0;

	pt_image_mem(&img, x->a.mem.bytes, x->a.mem.base, x->a.mem.size);
	pt_mm_attach(&imm, f, &img, x->mm.root[0], x->mm.root[1]);
	for (int i = 0; i < NVA; i++) {
		uint64_t va = some_va(x);
		struct pt_translation want, t[3];
		int reads, r[3], rw;

		if (va - f->half_base[va >= f->half_base[1]] >= half_span(f))
			continue; /* past the end of the half */
		rw = expect(&x->mm, va, &want, &reads);
		r[0] = pt_translate(&x->mm, va, &t[0]);
		r[1] = pt_translate(&imm, va, &t[1]);
		pt_arena_count_reads(&x->a, true);
		x->a.reads = 0;
		r[2] = pt_translate(&x->mm, va, &t[2]);
		pt_arena_count_reads(&x->a, false);
		if (rw == 0) {
			struct pt_entry_info d;

			leaves++;
			pt_format_decode(f, want.entry, want.level, &d);
			restricted += want.prot != d.prot;
		}
		if (r[0] == rw && r[1] == rw && r[2] == rw && same_tr(&t[0], &want) &&
		    same_tr(&t[1], &want) && same_tr(&t[2], &want) && x->a.reads == (uint64_t)reads)
			continue;
		if (bad++ < 5) {
			fprintf(stderr,
				"  %s: translate 0x%llx (%llu reads observed, %d expected):\n",
				f->name, (unsigned long long)va, (unsigned long long)x->a.reads,
				reads);
			print_tr("decode", rw, &want);
			print_tr("trusted", r[0], &t[0]);
			print_tr("foreign", r[1], &t[1]);
			print_tr("observed", r[2], &t[2]);
		}
	}
	CHECK_EQ(bad, 0);
	/* The trees exercise what they should: leaves found, some of them restricted above. */
	CHECK(leaves > NVA / 4);
	if (f->name[0] == 'x' || f->name[0] == 'a')
		CHECK(restricted > leaves / 8);
}

/* A random table entry of the image (level >= 1) and its address, or NULL. */
static uint8_t *some_table_entry(const struct pt_mm *mm, uint64_t va, int *level)
{
	const struct pt_format *f = mm->fmt;
	uint64_t table = mm->root[f->two_roots ? va >= f->half_base[1] : 0];
	int stop = 1 + (int)(rnd() % (uint64_t)(f->levels - 1));

	for (int l = f->levels - 1; l >= 1; l--) {
		uint8_t *p = entry_ptr(mm->mem, table, index_of(f, va, l));
		struct pt_entry_info d;

		pt_format_decode(f, pt_entry_load(f, p), l, &d);
		if (d.kind != PT_ENTRY_TABLE)
			return NULL;
		if (l == stop) {
			*level = l;
			return p;
		}
		table = d.pa;
		if (table < mm->mem->base ||
		    table - mm->mem->base + (8ull << f->index_bits[l - 1]) > mm->mem->size)
			return NULL;
	}
	return NULL;
}

/* Translations of corrupt images that stopped with each error, over every format. */
static unsigned corrupt_errs[PT_EBADENT + 1];

/* On a corrupted foreign image translate stops where and as the walker's seek does. */
static void test_corrupt(struct fx *x)
{
	const struct pt_format *f = x->f;
	uint8_t *copy = malloc(ARENA_SIZE);
	struct pt_mem img;
	struct pt_mm imm;
	unsigned bad = 0, errs[PT_EBADENT + 1] = { 0 };

	if (!CHECK(copy != NULL))
		return;
	memcpy(copy, x->a.mem.bytes, ARENA_SIZE);
	pt_image_mem(&img, copy, x->a.mem.base, ARENA_SIZE);
	pt_mm_attach(&imm, f, &img, x->mm.root[0], x->mm.root[1]);
	for (int i = 0; i < 40; i++) {
		uint64_t va = some_va(x), pa;
		int level;
		uint8_t *p = some_table_entry(&imm, va, &level);

		if (!p)
			continue;
		switch (rnd() % 5) {
		case 0: /* outside memory: below, just past the end, far above */
			pa = (uint64_t[]){ 0x1000, ARENA_BASE + ARENA_SIZE,
					   1ull << (f->pa_bits - 1) }[rnd() % 3];
			break;
		case 1: /* back to the root */
			pa = imm.root[f->two_roots ? va >= f->half_base[1] : 0];
			break;
		case 2: /* to its own table */
			pa = (uint64_t)(p - copy) + ARENA_BASE;
			pa &= ~((8ull << f->index_bits[level]) - 1);
			break;
		case 3: /* anywhere in memory */
			pa = ARENA_BASE + (rnd() % (ARENA_SIZE >> 12) << 12);
			break;
		default: /* random bits */
			pt_entry_store(f, p, pt_entry_load(f, p) ^ (1ull << (rnd() % 64)));
			continue;
		}
		pt_entry_store(f, p, f->ops.encode_table(pa, level));
	}
	for (int i = 0; i < NVA; i++) {
		uint64_t va = some_va(x);
		struct mm_walk_state st;
		struct pt_translation t;
		int r = pt_translate(&imm, va, &t), want;
		bool leaf;

		mm_walk_init(&st, &imm);
		leaf = mm_walk_seek_leaf(&st, &imm, va);
		/* A PROT_NONE leaf (a flipped right may make one): the walk's, not the MMU's. */
		want = leaf	? (pt_prot_none(mm_walk_prot(&st)) ? -PT_ENOENT : 0)
		       : st.err ? st.err
				: -PT_ENOENT;
		errs[-want]++;
		corrupt_errs[-want]++;
		if (r == want && t.level == st.level && t.entry == st.entry &&
		    (!leaf || t.pa == mm_walk_leaf_pa(&st) + (va & (t.size - 1))))
			continue;
		if (bad++ < 5)
			fprintf(stderr,
				"  %s: corrupt image, translate 0x%llx: %d level %d entry 0x%llx, "
				"seek %d level %d entry 0x%llx\n",
				f->name, (unsigned long long)va, r, t.level,
				(unsigned long long)t.entry, want, st.level,
				(unsigned long long)st.entry);
	}
	CHECK_EQ(bad, 0);
	CHECK(errs[0] > NVA / 20); /* translations still go through */
	free(copy);
}

int main(void)
{
	for (unsigned i = 0; pt_format_at(i); i++) {
		struct fx x = { .f = pt_format_at(i) };
		int failed = check_failures;

		if (!CHECK_EQ(pt_arena_init(&x.a, ARENA_BASE, ARENA_SIZE), 0))
			continue;
		if (CHECK_EQ(pt_mm_init(&x.mm, x.f, &x.a.mem), 0)) {
			populate(&x);
			CHECK(x.nleaves >= 10);
			scramble_tree(x.f, &x.a.mem, x.mm.root[0], x.f->levels - 1);
			if (x.f->two_roots)
				scramble_tree(x.f, &x.a.mem, x.mm.root[1], x.f->levels - 1);
			test_rights(&x);
			test_corrupt(&x);
		}
		pt_arena_fini(&x.a); /* the scrambled tree is not destroyed: entries were edited */
		if (check_failures != failed)
			fprintf(stderr, "  ^ %s\n", x.f->name);
	}
	CHECK(corrupt_errs[PT_EFAULT] && corrupt_errs[PT_ELOOP] && corrupt_errs[PT_EBADENT] &&
	      corrupt_errs[PT_ENOENT]);
	return CHECK_DONE();
}
