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

#define DUMP_ERR (-1000) /* a callback found corruption; the message is in ctx->msg */

struct range {
	uint64_t start, end; /* end exclusive: 0 when the range reaches 2^64 */
	uint64_t pa;
	int level;
	int half;
	uint32_t prot;
};

struct dump_ctx {
	struct pt_mm *mm;
	struct range *r;
	size_t n, cap;
	int half;
	uint64_t next_va; /* where the walk goes on: the end of the last leaf or hole */
	uint8_t *seen;	  /* bitmap of table pages already referenced, by (pa - base) / gran */
	uint64_t gran;
	/* The entry (parent table, index) through which the table at each level was entered. */
	struct {
		uint64_t parent_pa;
		uint32_t index;
		bool valid;
	} via[PT_MAX_LEVELS];
	char msg[256];
};

static const char *lname(const struct pt_format *fmt, int level)
{
	return level >= 0 && level < fmt->levels && fmt->level_name[level] ? fmt->level_name[level]
									   : "?";
}

/* Mark the table at pa seen; false (with ctx->msg set) when it is outside or seen twice. */
static bool visit_table(struct dump_ctx *c, uint64_t pa, int level, const char *from)
{
	const struct pt_mem *mem = c->mm->mem;
	uint64_t bytes = pt_table_bytes(c->mm->fmt, level), bit;

	if (pa < mem->base || pa - mem->base >= mem->size || mem->size - (pa - mem->base) < bytes) {
		snprintf(c->msg, sizeof(c->msg), "table pointer 0x%llx outside the image at %s",
			 (unsigned long long)pa, from);
		return false;
	}
	bit = (pa - mem->base) / c->gran;
	if (c->seen[bit / 8] & (1u << (bit % 8))) {
		snprintf(c->msg, sizeof(c->msg), "table 0x%llx referenced twice (again at %s)",
			 (unsigned long long)pa, from);
		return false;
	}
	c->seen[bit / 8] |= (uint8_t)(1u << (bit % 8));
	return true;
}

static const char *where(const struct mm_walk_state *st, int level, char *buf, size_t len)
{
	snprintf(buf, len, "%s index %u of table 0x%llx", lname(st->fmt, level),
		 mm_walk_index(st, level), (unsigned long long)mm_walk_table_pa(st, level));
	return buf;
}

/*
 * Mark every table on the walk's current path that was entered through a different entry
 * than last time. Working from the path (not only from table_entry callbacks) also covers
 * the tables the walk's first seek descended through.
 */
static bool visit_path(struct dump_ctx *c, const struct mm_walk_state *st)
{
	char from[96];

	for (int l = st->fmt->levels - 2; l >= st->level; l--) {
		uint64_t up_pa = mm_walk_table_pa(st, l + 1);
		uint32_t up_index = mm_walk_index(st, l + 1);
		if (c->via[l].valid && c->via[l].parent_pa == up_pa && c->via[l].index == up_index)
			continue;
		c->via[l].valid = true;
		c->via[l].parent_pa = up_pa;
		c->via[l].index = up_index;
		if (!visit_table(c, mm_walk_table_pa(st, l), l, where(st, l + 1, from, sizeof(from))))
			return false;
	}
	return true;
}

/* Before the walker descends: name an out-of-image pointer with its place in the tree. */
static int on_table(struct mm_walk_state *st, void *priv)
{
	struct dump_ctx *c = priv;
	const struct pt_mem *mem = c->mm->mem;
	uint64_t bytes = pt_table_bytes(st->fmt, st->level - 1);
	struct pt_entry_info info;
	char from[96];

	if (!visit_path(c, st))
		return DUMP_ERR;
	pt_format_decode(st->fmt, st->entry, st->level, &info);
	if (info.pa < mem->base || info.pa - mem->base >= mem->size ||
	    mem->size - (info.pa - mem->base) < bytes) {
		snprintf(c->msg, sizeof(c->msg), "table pointer 0x%llx outside the image at %s",
			 (unsigned long long)info.pa, where(st, st->level, from, sizeof(from)));
		return DUMP_ERR;
	}
	return MM_WALK_CONTINUE;
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
	struct range *last = c->n ? &c->r[c->n - 1] : NULL;
	int err;

	c->next_va = end;
	if (!visit_path(c, st))
		return DUMP_ERR;
	/* The effective flags, exactly as translate reports them. */
	err = pt_translate(c->mm, va, &tr);
	if (err == -PT_ENOENT && tr.size) /* a PROT_NONE leaf: listed, flags "none,..." */
		err = 0;
	if (err) {
		snprintf(c->msg, sizeof(c->msg), "0x%llx: %s at %s", (unsigned long long)va,
			 pt_strerror(err), lname(st->fmt, st->level));
		return DUMP_ERR;
	}
	if (last && last->half == c->half && last->level == st->level && last->prot == tr.prot &&
	    last->end == va && last->pa + (last->end - last->start) == pa) {
		last->end = end;
		return MM_WALK_CONTINUE;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct range *r = realloc(c->r, cap * sizeof(*r));
		if (!r) {
			snprintf(c->msg, sizeof(c->msg), "out of memory");
			return DUMP_ERR;
		}
		c->r = r;
		c->cap = cap;
	}
	c->r[c->n++] = (struct range){ va, end, pa, st->level, c->half, tr.prot };
	return MM_WALK_CONTINUE;
}

static void print_text(FILE *out, const struct dump_ctx *c, const struct cli_half *halves,
		       int nhalves)
{
	char size[32], prot[128];
	size_t i = 0;

	for (int h = 0; h < nhalves; h++) {
		fprintf(out, "---[ %s ]---\n", halves[h].name);
		for (; i < c->n && c->r[i].half == h; i++) {
			const struct range *r = &c->r[i];
			fprintf(out, "0x%016llx-0x%016llx %5s %s %s pa 0x%llx\n",
				(unsigned long long)r->start, (unsigned long long)r->end,
				cli_size_str(r->end - r->start, size), lname(c->mm->fmt, r->level),
				cli_prot_str(r->prot, prot), (unsigned long long)r->pa);
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
			"\"level\": \"%s\", \"pa\": \"0x%llx\", \"flags\": %s}",
			i ? "," : "", (unsigned long long)r->start, (unsigned long long)r->end,
			(unsigned long long)(r->end - r->start), lname(c->mm->fmt, r->level),
			(unsigned long long)r->pa, cli_prot_json(r->prot, prot));
	}
	fprintf(out, "%s]\n", c->n ? "\n" : "");
}

/* The walker stopped on a corrupt entry at or after c->next_va: seek it again to name it. */
static void walk_error(struct dump_ctx *c, int err, const struct cli_half *half)
{
	struct mm_walk_state st;
	char why[256];

	mm_walk_init(&st, c->mm);
	mm_walk_seek_leaf(&st, c->mm, c->next_va);
	if (st.err == err) {
		cli_corrupt_reason(&st, err, why, sizeof(why));
		cli_error("0x%llx: %s at %s", (unsigned long long)c->next_va, why,
			  lname(c->mm->fmt, st.level));
	} else {
		cli_error("%s: %s after 0x%llx", half->name, pt_strerror(err),
			  (unsigned long long)c->next_va);
	}
}

int cli_show_dump(FILE *out, struct pt_mm *mm, bool upper, bool json)
{
	const struct pt_format *fmt = mm->fmt;
	const struct mm_walk_ops ops = { .leaf_entry = on_leaf,
					 .hole = on_hole,
					 .table_entry = on_table };
	struct dump_ctx c = { .mm = mm };
	struct cli_half halves[2];
	int nhalves = cli_va_halves(fmt, upper, halves), ret = 0;
	size_t seen_bytes;

	/* Tables are at least as aligned as the smallest one (sub-page roots included). */
	c.gran = 4096;
	for (int l = 0; l < fmt->levels; l++)
		if (pt_table_bytes(fmt, l) < c.gran)
			c.gran = pt_table_bytes(fmt, l);
	seen_bytes = mm->mem->size / c.gran / 8 + 1;
	c.seen = calloc(seen_bytes, 1);
	if (!c.seen) {
		cli_error("out of memory");
		return 1;
	}
	if (!visit_table(&c, mm->root[0], fmt->levels - 1, "--root") ||
	    (halves[1].tree && mm->root[1] != mm->root[0] &&
	     !visit_table(&c, mm->root[1], fmt->levels - 1, "--root1"))) {
		cli_error("%s", c.msg);
		ret = 1;
	}
	for (int h = 0; h < nhalves && !ret; h++) {
		int err;
		if (!halves[h].tree)
			continue; /* no root: nothing mapped, the header alone is printed */
		if (h && fmt->two_roots && mm->root[1] == mm->root[0]) {
			/* --root1 = --root: the upper half walks the same tree again, afresh. */
			memset(c.seen, 0, seen_bytes);
			memset(c.via, 0, sizeof(c.via));
			visit_table(&c, mm->root[1], fmt->levels - 1, "--root1");
		}
		c.half = h;
		c.next_va = halves[h].start;
		err = walk_page_range(mm, halves[h].start, halves[h].last + 1, &ops, &c);
		if (err) {
			if (err == DUMP_ERR)
				cli_error("%s", c.msg);
			else
				walk_error(&c, err, &halves[h]);
			ret = 1;
		}
	}
	if (!ret) {
		if (json)
			print_json(out, &c);
		else
			print_text(out, &c, halves, nhalves);
	}
	free(c.seen);
	free(c.r);
	return ret;
}
