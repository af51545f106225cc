/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the read-only walker over an untrusted image (docs/FUZZING.md).
 *
 * The input chooses a format (any of pt_format_at()), an image size and base, the roots and
 * the image's entries (fuzz/image_input.h), and the VAs to look at. Over that image it runs
 * mm_walk_seek_leaf (with a retained path and afresh), pt_translate, for_each_pt_leaf,
 * walk_page_range and the CLI's translate and dump (tools/ptkit/show_*.c). None may crash,
 * hang or trip a sanitizer; a corrupt image must come back as an error. Cross-checks that
 * abort (a silent wrong answer is a finding too):
 *   - pt_translate and mm_walk_seek_leaf agree on every VA looked at: mapped or not, the
 *     error, the leaf's level, size and raw entry, the PA (a PROT_NONE leaf: the walk stands
 *     on it, translate describes it but faults, and it has no right);
 *   - a seek that reuses the retained path agrees with a fresh one;
 *   - for_each_pt_leaf visits leaves inside the range in strictly increasing VA order;
 *   - walk_page_range's leaves and holes tile the range in order.
 */
#include "image_input.h"

#include <ptkit/walk.h>

#include <stdio.h>
#include <stdlib.h>

#include "../tools/ptkit/cli.h"

/* Bound the work one input can ask for: a table may be linked from many entries (a DAG). */
#define FUZZ_MAX_LEAVES 512
#define FUZZ_MAX_CALLBACKS 2048

static FILE *devnull;

__attribute__((format(printf, 1, 2))) static _Noreturn void bug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fuzz_walk_image: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* What mm_walk_seek_leaf says about va, in pt_translate's terms. */
struct seen {
	int err; /* 0 mapped, -PT_ENOENT, or the walk's error */
	int level;
	uint64_t entry, pa, size;
};

/*
 * A walk that stands on a leaf got there through tables inside memory, none twice on the
 * path, each entry on it a table entry and the leaf a leaf as the format's full decode reads
 * them: what was not must have been reported (-PT_EFAULT, -PT_ELOOP, -PT_EBADENT).
 */
static void check_path(const struct mm_walk_state *st, struct pt_mm *mm)
{
	const struct pt_format *f = mm->fmt;
	const struct pt_mem *m = mm->mem;
	struct pt_entry_info info;

	for (int l = f->levels - 1; l >= st->level; l--) {
		uint64_t tpa = mm_walk_table_pa(st, l), bytes = pt_table_bytes(f, l);

		if (tpa < m->base || tpa - m->base > m->size || m->size - (tpa - m->base) < bytes)
			bug("%s va 0x%llx: level %d table 0x%llx is outside memory", f->name,
			    (unsigned long long)st->va, l, (unsigned long long)tpa);
		for (int k = l + 1; k < f->levels; k++)
			if (st->path[k].table == st->path[l].table)
				bug("%s va 0x%llx: table 0x%llx twice on the path (a loop)",
				    f->name, (unsigned long long)st->va, (unsigned long long)tpa);
		pt_format_decode(f, l == st->level ? st->entry : st->path[l].entry, l, &info);
		if (info.kind != (l == st->level ? PT_ENTRY_LEAF : PT_ENTRY_TABLE))
			bug("%s va 0x%llx: level %d entry 0x%016llx decodes as kind %d (%s)",
			    f->name, (unsigned long long)st->va, l,
			    (unsigned long long)(l == st->level ? st->entry : st->path[l].entry),
			    info.kind, info.why ? info.why : "");
	}
}

static struct seen seek(struct mm_walk_state *st, struct pt_mm *mm, uint64_t va)
{
	struct seen s = { 0 };

	if (mm_walk_seek_leaf(st, mm, va)) {
		check_path(st, mm);
		s.level = st->level;
		s.entry = st->entry;
		s.size = mm_walk_leaf_size(st);
		s.pa = mm_walk_leaf_pa(st) + (va & (s.size - 1));
		if (!mm_walk_path_unchanged(st))
			bug("%s va 0x%llx: path changed in a read-only image", mm->fmt->name,
			    (unsigned long long)va);
		return s;
	}
	s.err = st->err ? st->err : -PT_ENOENT;
	s.level = st->level;
	return s;
}

static bool seen_eq(const struct seen *a, const struct seen *b)
{
	if (a->err != b->err)
		return false;
	if (a->err)
		return a->err != -PT_ENOENT || a->level == b->level;
	return a->level == b->level && a->entry == b->entry && a->pa == b->pa && a->size == b->size;
}

static void show(const char *what, const struct seen *s)
{
	fprintf(stderr, "  %s: err %d level %d entry 0x%016llx pa 0x%llx size 0x%llx\n", what,
		s->err, s->level, (unsigned long long)s->entry, (unsigned long long)s->pa,
		(unsigned long long)s->size);
}

/* One VA: a seek on the retained path, a fresh seek and pt_translate must agree. */
static void check_va(struct fuzz_image *im, struct mm_walk_state *kept, uint64_t va)
{
	struct pt_mm *mm = &im->mm;
	struct mm_walk_state fresh;
	struct pt_translation tr;
	struct seen a, b, t = { 0 };

	a = seek(kept, mm, va);
	mm_walk_init(&fresh, mm);
	b = seek(&fresh, mm, va);
	t.err = pt_translate(mm, va, &tr);
	if (t.err == -PT_ENOENT && tr.size) { /* a PROT_NONE leaf: the walkers see it */
		if (!pt_prot_none(tr.prot))
			bug("%s va 0x%llx: translate faults on a leaf with rights 0x%x",
			    mm->fmt->name, (unsigned long long)va, tr.prot);
		t.err = 0;
	}
	t.level = tr.level;
	if (!t.err) {
		t.entry = tr.entry;
		t.pa = tr.pa;
		t.size = tr.size;
		if (tr.pa - tr.leaf_pa != (va & (tr.size - 1)) ||
		    tr.leaf_va != (va & ~(tr.size - 1)))
			bug("%s va 0x%llx: translation pa 0x%llx is not leaf_pa 0x%llx + offset",
			    mm->fmt->name, (unsigned long long)va, (unsigned long long)tr.pa,
			    (unsigned long long)tr.leaf_pa);
	}
	if (!seen_eq(&a, &b) || !seen_eq(&b, &t)) {
		fprintf(stderr, "fuzz_walk_image: %s va 0x%llx: walkers disagree\n", mm->fmt->name,
			(unsigned long long)va);
		show("seek (retained path)", &a);
		show("seek (fresh)", &b);
		show("pt_translate", &t);
		abort();
	}
	/* The CLI's translate line (with --trace) over the same state. */
	cli_show_translate(devnull, mm, CLI_TREE_BOTH, kept, va, CLI_TR_TRACE);
}

static void check_iteration_in(struct fuzz_image *im, uint64_t start, uint64_t end)
{
	struct pt_mm *mm = &im->mm;
	struct mm_walk_state st, probe;
	uint64_t prev = 0;
	unsigned n = 0;
	bool first = true;

	mm_walk_init(&st, mm);
	mm_walk_init(&probe, mm);
	for_each_pt_leaf (&st, mm, start, end) {
		uint64_t size = mm_walk_leaf_size(&st), lva = mm_walk_leaf_va(&st);

		if (st.va < start || (end && st.va >= end) || (!first && st.va <= prev) ||
		    st.va - lva >= size)
			bug("%s: for_each_pt_leaf [0x%llx, 0x%llx) gave va 0x%llx after 0x%llx",
			    mm->fmt->name, (unsigned long long)start, (unsigned long long)end,
			    (unsigned long long)st.va, (unsigned long long)prev);
		check_path(&st, mm);
		prev = st.va;
		first = false;
		if (n < 16) { /* the first few, fully cross-checked */
			struct seen s = seek(&probe, mm, st.va);

			if (s.err || s.level != st.level || s.entry != st.entry ||
			    s.pa != mm_walk_leaf_pa(&st) + (st.va - lva))
				bug("%s: for_each_pt_leaf leaf at 0x%llx (level %d pa 0x%llx) is "
				    "not what a seek finds (err %d level %d pa 0x%llx)",
				    mm->fmt->name, (unsigned long long)st.va, st.level,
				    (unsigned long long)mm_walk_leaf_pa(&st), s.err, s.level,
				    (unsigned long long)s.pa);
			check_va(im, &probe, st.va);
		}
		(void)mm_walk_prot(&st);
		(void)mm_walk_group_size(&st);
		if (++n >= FUZZ_MAX_LEAVES)
			break;
	}
}

/*
 * for_each_pt_leaf over [start, end): in range, in order, each leaf as pt_translate sees it.
 * At most FUZZ_MAX_RANGE of VA: an image may link one table from every entry above it, and
 * an iteration through empty entries has no callback to stop it, so the range bounds the
 * entries it reads (2^18 4K entries).
 */
#define FUZZ_MAX_RANGE (1ull << 30)

static void check_iteration(struct fuzz_image *im, uint64_t start, uint64_t end)
{
	uint64_t lim = start + FUZZ_MAX_RANGE;

	if (lim < start) /* wrapped: to the end of the half (end 0) */
		lim = 0;
	if (!end || (lim && end > lim) || end < start)
		end = lim;
	check_iteration_in(im, start, end);
}

/* walk_page_range's callbacks must tile [start, end) in order. */
struct tile {
	const char *fmt;
	uint64_t start, end, next;
	unsigned calls;
};

static int tile_step(struct tile *t, uint64_t a, uint64_t b)
{
	if (a != t->next || (b && b <= a) || (t->end && (!b || b > t->end)) || a < t->start)
		bug("%s: walk_page_range [0x%llx, 0x%llx) reported [0x%llx, 0x%llx) where 0x%llx "
		    "was next",
		    t->fmt, (unsigned long long)t->start, (unsigned long long)t->end,
		    (unsigned long long)a, (unsigned long long)b, (unsigned long long)t->next);
	t->next = b;
	return ++t->calls >= FUZZ_MAX_CALLBACKS ? MM_WALK_STOP : MM_WALK_CONTINUE;
}

static int on_leaf(struct mm_walk_state *st, void *priv)
{
	struct tile *t = priv;
	uint64_t e = mm_walk_leaf_va(st) + mm_walk_leaf_size(st);

	if (t->end && (!e || e > t->end))
		e = t->end;
	return tile_step(t, st->va, e);
}

static int on_hole(uint64_t start, uint64_t end, int level, void *priv)
{
	(void)level;
	return tile_step(priv, start, end);
}

static int on_table(struct mm_walk_state *st, void *priv)
{
	struct tile *t = priv;

	(void)st;
	return ++t->calls >= FUZZ_MAX_CALLBACKS ? MM_WALK_STOP : MM_WALK_CONTINUE;
}

static void check_walk_range(struct fuzz_image *im, uint64_t start, uint64_t end)
{
	const struct mm_walk_ops ops = { .leaf_entry = on_leaf,
					 .hole = on_hole,
					 .table_entry = on_table };
	struct tile t = { im->mm.fmt->name, start, end, start, 0 };
	int r = walk_page_range(&im->mm, start, end, &ops, &t);

	if (r > 0)
		bug("%s: walk_page_range returned %d", im->mm.fmt->name, r);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	return devnull ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_image im;
	struct fuzz_reader in = { data, size };
	struct mm_walk_state kept;
	const struct pt_format *f;
	uint64_t start, end;

	if (!fuzz_image_build(&im, &in))
		return 0;
	f = im.mm.fmt;
	mm_walk_init(&kept, &im.mm);
	/* VAs: a few from the input, anywhere (non-canonical ones included) or in a half. */
	for (int i = 0; i < 4; i++)
		check_va(&im, &kept, fuzz_va(f, &in));
	/* A range from the input (end 0: to the end of the half). */
	start = fuzz_va(f, &in);
	end = fuzz_u8(&in) & 1 ? 0 : start + (fuzz_u64(&in) >> (fuzz_u8(&in) & 63));
	check_iteration(&im, start, end);
	check_walk_range(&im, start, end);
	/* Both halves: walk_page_range over all of each (its callbacks bound the work), the
	 * iteration over the first and the last GiB. */
	for (int h = 0; h < 2; h++) {
		uint64_t last = pt_half_last(f, h);

		check_walk_range(&im, f->half_base[h], last + 1);
		check_iteration(&im, f->half_base[h], 0);
		check_iteration(&im, last - (FUZZ_MAX_RANGE - 1), last + 1);
	}
	/*
	 * The CLI's dump: it lists a table reached a second time as shared instead of walking it
	 * again, and resumes past each bad entry, so its work is bounded by the image's tables.
	 */
	{
		uint8_t how = fuzz_u8(&in);
		struct cli_dump_opts o = { .json = how & 1, .wx = how & 2 };

		if (how & 4) {
			o.start = fuzz_u64(&in);
			o.end = o.start + (fuzz_u64(&in) >> (how >> 3));
		}
		cli_show_dump(devnull, &im.mm, im.upper ? CLI_TREE_BOTH : CLI_TREE_LOWER, &o);
	}
	fuzz_image_free(&im);
	return 0;
}
