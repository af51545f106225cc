/* SPDX-License-Identifier: MIT */
/*
 * ptkit CLI: every mapping of a tree, consecutive leaves of one level with the same flags and
 * contiguous PAs coalesced into one line (the style of Linux's debugfs page_tables); used by
 * dump and demo. The whole walk finishes before anything is printed, so a corrupt tree gives
 * one error line and no partial dump.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define DUMP_ERR (-1000) /* a callback failed (out of memory); the message is in ctx->msg */

enum range_kind {
	R_MAP,	    /* leaves: pa, prot */
	R_ERROR,    /* an entry the MMU cannot use: why */
	R_SELF_MAP, /* a table entry pointing at a table of its own walk: aux = that table */
	R_SHARED,   /* a table entry pointing at a table already listed: aux, aux2 = its VA */
};

struct range {
	uint64_t start, end; /* end exclusive: 0 when the range reaches 2^64 */
	uint64_t pa;
	uint64_t aux, aux2;
	char *why;
	int level;
	int half;
	uint32_t prot;
	enum range_kind kind;
};

/*
 * Tables already entered (by physical address): the VA where each was first entered and the
 * entry (its physical address) that entered it, so that a walk resumed after a bad entry
 * may enter it again through the same entry without calling it shared.
 */
struct seen_set {
	uint64_t *pa, *va, *from; /* pa 0 is never a key: stored as pa + 1 */
	size_t cap, n;
};

struct dump_ctx {
	struct pt_mm *mm;
	const struct cli_dump_opts *o;
	struct range *r;
	size_t n, cap;
	int half;
	unsigned errors, wx; /* bad entries listed; W+X leaves found */
	uint64_t next_va;    /* where the walk goes on: the end of the last leaf or hole */
	struct seen_set seen;
	char msg[256];
};

static const char *lname(const struct pt_format *fmt, int level)
{
	return level >= 0 && level < fmt->levels && fmt->level_name[level] ? fmt->level_name[level]
									   : "?";
}

static size_t seen_slot(const struct seen_set *s, uint64_t pa)
{
	size_t i = (size_t)(((pa + 1) * 0x9e3779b97f4a7c15ull) >> 20) & (s->cap - 1);

	while (s->pa[i] && s->pa[i] != pa + 1)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static void seen_free(struct seen_set *s)
{
	free(s->pa);
	free(s->va);
	free(s->from);
}

/*
 * Record table pa entered at va through the entry at `from`; false when another entry
 * entered it before (*first: the VA it was entered at then).
 */
static bool seen_add(struct seen_set *s, uint64_t pa, uint64_t va, uint64_t from, uint64_t *first,
		     bool *oom)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct seen_set g = { calloc(cap, 8), calloc(cap, 8), calloc(cap, 8), cap, 0 };

		if (!g.pa || !g.va || !g.from) {
			seen_free(&g);
			*oom = true;
			return true;
		}
		for (size_t k = 0; k < s->cap; k++)
			if (s->pa[k]) {
				size_t j = seen_slot(&g, s->pa[k] - 1);
				g.pa[j] = s->pa[k];
				g.va[j] = s->va[k];
				g.from[j] = s->from[k];
				g.n++;
			}
		seen_free(s);
		*s = g;
	}
	i = seen_slot(s, pa);
	if (s->pa[i]) {
		*first = s->va[i];
		return s->from[i] == from;
	}
	s->pa[i] = pa + 1;
	s->va[i] = va;
	s->from[i] = from;
	s->n++;
	return true;
}

static void seen_clear(struct seen_set *s)
{
	if (s->cap) {
		memset(s->pa, 0, s->cap * 8);
		s->n = 0;
	}
}

static struct range *new_range(struct dump_ctx *c)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct range *r = realloc(c->r, cap * sizeof(*r));
		if (!r) {
			snprintf(c->msg, sizeof(c->msg), "out of memory");
			return NULL;
		}
		c->r = r;
		c->cap = cap;
	}
	memset(&c->r[c->n], 0, sizeof(c->r[0]));
	c->r[c->n].half = c->half;
	return &c->r[c->n++];
}

/* The VA range [start, end) the entry at level covers around va (end 0: 2^64). */
static void entry_span(const struct pt_format *fmt, int level, uint64_t va, uint64_t *start,
		       uint64_t *end)
{
	uint64_t size = pt_level_size(fmt, level);

	*start = va & ~(size - 1);
	*end = *start + size;
}

/*
 * Before the walker descends: a table of the walk's own path (a recursive self-map) or one
 * already listed (shared by two entries, as kernels share fixmap and KASAN tables) is
 * listed once, as such, and not walked again.
 */
static int on_table(struct mm_walk_state *st, void *priv)
{
	struct dump_ctx *c = priv;
	struct pt_entry_info info;
	uint64_t first = 0, start, end;
	bool oom = false, fresh;
	struct range *r;

	pt_format_decode(st->fmt, st->entry, st->level, &info);
	entry_span(st->fmt, st->level, st->va, &start, &end);
	for (int l = st->level; l < st->fmt->levels; l++)
		if (mm_walk_table_pa(st, l) == info.pa) {
			c->next_va = end;
			if (c->o->wx) /* --wx lists W+X leaves only */
				return MM_WALK_SKIP;
			r = new_range(c);
			if (!r)
				return DUMP_ERR;
			*r = (struct range){ .start = start,
					     .end = end,
					     .aux = info.pa,
					     .aux2 = (uint64_t)l,
					     .level = st->level,
					     .half = c->half,
					     .kind = R_SELF_MAP };
			return MM_WALK_SKIP;
		}
	fresh = seen_add(&c->seen, info.pa, start,
			 mm_walk_table_pa(st, st->level) + (uint64_t)mm_walk_index(st, st->level) *
								   (uint64_t)st->fmt->entry_size,
			 &first, &oom);
	if (oom) {
		snprintf(c->msg, sizeof(c->msg), "out of memory");
		return DUMP_ERR;
	}
	if (fresh)
		return MM_WALK_CONTINUE;
	c->next_va = end;
	if (c->o->wx)
		return MM_WALK_SKIP;
	r = new_range(c);
	if (!r)
		return DUMP_ERR;
	*r = (struct range){ .start = start,
			     .end = end,
			     .aux = info.pa,
			     .aux2 = first,
			     .level = st->level,
			     .half = c->half,
			     .kind = R_SHARED };
	return MM_WALK_SKIP;
}

static int on_hole(uint64_t start, uint64_t end, int level, void *priv)
{
	struct dump_ctx *c = priv;

	(void)start, (void)level;
	c->next_va = end;
	return MM_WALK_CONTINUE;
}

static int on_leaf(struct mm_walk_state *st, void *priv)
{
	struct dump_ctx *c = priv;
	uint64_t va = mm_walk_leaf_va(st), pa = mm_walk_leaf_pa(st);
	uint64_t end = va + mm_walk_leaf_size(st);
	struct pt_translation tr;
	struct range *last = c->n ? &c->r[c->n - 1] : NULL, *r;
	int err;

	c->next_va = end;
	/* The effective flags, exactly as translate reports them. */
	err = pt_translate(c->mm, va, &tr);
	if (err && !(err == -PT_ENOENT && tr.size)) /* PROT_NONE: tr says "none,..." */
		tr.prot = mm_walk_prot(st);	    /* reached here by a path translate refuses */
	tr.prot = cli_leaf_prot(st->fmt, tr.prot, st->entry, st->level);
	if (c->o->wx && (!(tr.prot & PT_W) || !(tr.prot & PT_X)))
		return MM_WALK_CONTINUE;
	c->wx += c->o->wx;
	if (last && last->kind == R_MAP && last->half == c->half && last->level == st->level &&
	    last->prot == tr.prot && last->end == va &&
	    last->pa + (last->end - last->start) == pa) {
		last->end = end;
		return MM_WALK_CONTINUE;
	}
	r = new_range(c);
	if (!r)
		return DUMP_ERR;
	*r = (struct range){ .start = va,
			     .end = end,
			     .pa = pa,
			     .level = st->level,
			     .half = c->half,
			     .prot = tr.prot,
			     .kind = R_MAP };
	return MM_WALK_CONTINUE;
}

static void print_text(FILE *out, const struct dump_ctx *c, const struct cli_half *halves,
		       int nhalves)
{
	const struct pt_format *fmt = c->mm->fmt;
	char size[32], prot[128];
	size_t i = 0;

	for (int h = 0; h < nhalves; h++) {
		fprintf(out, "---[ %s ]---\n", halves[h].name);
		for (; i < c->n && c->r[i].half == h; i++) {
			const struct range *r = &c->r[i];

			fprintf(out, "0x%016llx-0x%016llx %5s %s ", (unsigned long long)r->start,
				(unsigned long long)r->end, pt_size_str(r->end - r->start, size),
				lname(fmt, r->level));
			switch (r->kind) {
			case R_MAP:
				fprintf(out, "%s pa 0x%llx\n", pt_prot_str(r->prot, prot),
					(unsigned long long)r->pa);
				break;
			case R_ERROR:
				fprintf(out, "error: %s\n", r->why);
				break;
			case R_SELF_MAP:
				fprintf(out, "self-map: table 0x%llx (%s) is on its own walk\n",
					(unsigned long long)r->aux, lname(fmt, (int)r->aux2));
				break;
			case R_SHARED:
				fprintf(out, "shared: table 0x%llx, listed at 0x%llx\n",
					(unsigned long long)r->aux, (unsigned long long)r->aux2);
				break;
			}
		}
	}
}

static void print_json(FILE *out, const struct dump_ctx *c)
{
	char prot[160];

	fprintf(out, "[");
	for (size_t i = 0; i < c->n; i++) {
		const struct range *r = &c->r[i];

		fprintf(out,
			"%s\n  {\"start\": \"0x%llx\", \"end\": \"0x%llx\", \"size\": %llu, "
			"\"level\": \"%s\", ",
			i ? "," : "", (unsigned long long)r->start, (unsigned long long)r->end,
			(unsigned long long)(r->end - r->start), lname(c->mm->fmt, r->level));
		switch (r->kind) {
		case R_MAP:
			fprintf(out, "\"pa\": \"0x%llx\", \"flags\": %s}",
				(unsigned long long)r->pa, cli_prot_json(r->prot, prot));
			break;
		case R_ERROR:
			fprintf(out, "\"error\": \"%s\"}", r->why);
			break;
		case R_SELF_MAP:
			fprintf(out, "\"self_map\": \"0x%llx\"}", (unsigned long long)r->aux);
			break;
		case R_SHARED:
			fprintf(out, "\"shared_table\": \"0x%llx\", \"listed_at\": \"0x%llx\"}",
				(unsigned long long)r->aux, (unsigned long long)r->aux2);
			break;
		}
	}
	fprintf(out, "%s]\n", c->n ? "\n" : "");
}

/*
 * The walk stopped on a corrupt entry at or after c->next_va: list it (and say it on
 * stderr) and return where the walk goes on, past the entry; false when there is no after.
 */
static bool walk_error(struct dump_ctx *c, int err, uint64_t last, uint64_t *resume)
{
	const struct pt_format *fmt = c->mm->fmt;
	struct mm_walk_state st;
	uint64_t start, end;
	struct range *r;
	char why[256];

	mm_walk_init(&st, c->mm);
	mm_walk_seek_leaf(&st, c->mm, c->next_va);
	if (st.err == err && st.level >= 0) {
		cli_corrupt_reason(&st, err, why, sizeof(why));
		entry_span(fmt, st.level, c->next_va, &start, &end);
	} else { /* not found again: the rest of the half is unreadable */
		snprintf(why, sizeof(why), "%s", pt_strerror(err));
		start = c->next_va;
		end = last + 1;
	}
	if (start < c->next_va)
		start = c->next_va;
	cli_error("0x%llx: %s at %s", (unsigned long long)start, why,
		  lname(fmt, st.err == err ? st.level : fmt->levels - 1));
	c->errors++;
	r = new_range(c);
	if (r) {
		*r = (struct range){ .start = start,
				     .end = end,
				     .level = st.level,
				     .half = c->half,
				     .kind = R_ERROR,
				     .why = strdup(why) };
		if (!r->why)
			c->n--;
	}
	*resume = end;
	return end && end - 1 < last;
}

int cli_show_dump(FILE *out, struct pt_mm *mm, unsigned trees, const struct cli_dump_opts *o)
{
	const struct pt_format *fmt = mm->fmt;
	const struct mm_walk_ops ops = { .leaf_entry = on_leaf,
					 .hole = on_hole,
					 .table_entry = on_table };
	struct dump_ctx c = { .mm = mm, .o = o };
	struct cli_half halves[2];
	int nhalves = cli_va_halves(fmt, trees, halves), ret = 0;

	for (int h = 0; h < nhalves && !ret; h++) {
		uint64_t first = 0, lo = halves[h].start, last = halves[h].last;
		bool oom = false;

		if (!halves[h].tree)
			continue; /* no root: nothing mapped, the header alone is printed */
		if (o->start > lo)
			lo = o->start;
		if (o->end && o->end - 1 < last)
			last = o->end - 1;
		if (lo > last)
			continue;
		/* Each half walks its tree afresh (with --root1 = --root, the same one again). */
		seen_clear(&c.seen);
		seen_add(&c.seen, mm->root[fmt->two_roots ? h : 0], halves[h].start, UINT64_MAX,
			 &first, &oom);
		c.half = h;
		for (uint64_t va = lo;;) {
			int err;

			c.next_va = va;
			err = walk_page_range(mm, va, last + 1, &ops, &c);
			if (!err)
				break;
			if (err == DUMP_ERR || oom) {
				cli_error("%s", oom ? "out of memory" : c.msg);
				ret = 1;
				break;
			}
			if (!walk_error(&c, err, last, &va))
				break;
		}
	}
	if (!ret) {
		if (o->json)
			print_json(out, &c);
		else
			print_text(out, &c, halves, nhalves);
	}
	for (size_t i = 0; i < c.n; i++)
		free(c.r[i].why);
	seen_free(&c.seen);
	free(c.r);
	return ret || c.errors || c.wx ? 1 : 0;
}
