/* SPDX-License-Identifier: MIT */
/*
 * ptkit CLI: every mapping of a tree, consecutive leaves of one level with the same flags and
 * contiguous PAs coalesced into one line (the style of Linux's debugfs page_tables); used by
 * dump and demo. The items come from the library's listing (pt_listing_next, <ptkit/space.h>);
 * the whole listing is read before anything is printed.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* A line of the dump: a listing item, leaves coalesced (size: up to end, 0 at 2^64). */
struct dump_ctx {
	const struct pt_format *fmt;
	struct pt_space_item *r;
	size_t n, cap;
	unsigned errors, wx; /* bad entries listed; W+X leaves found */
};

static const char *lname(const struct pt_format *fmt, int level)
{
	return level >= 0 && level < fmt->levels && fmt->level_name[level] ? fmt->level_name[level]
									   : "?";
}

static uint64_t item_end(const struct pt_space_item *r)
{
	return r->va + r->size;
}

/* Add item it to the dump, or grow the leaf line before it: false when out of memory. */
static bool add(struct dump_ctx *c, const struct pt_space_item *it)
{
	struct pt_space_item *last = c->n ? &c->r[c->n - 1] : NULL;

	if (it->kind == PT_ITEM_LEAF && last && last->kind == PT_ITEM_LEAF &&
	    last->half == it->half && last->level == it->level && last->prot == it->prot &&
	    item_end(last) == it->va && last->pa + last->size == it->pa) {
		last->size += it->size;
		return true;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct pt_space_item *r = realloc(c->r, cap * sizeof(*r));

		if (!r)
			return false;
		c->r = r;
		c->cap = cap;
	}
	c->r[c->n++] = *it;
	return true;
}

static void print_text(FILE *out, const struct dump_ctx *c, const struct cli_half *halves,
		       int nhalves)
{
	const struct pt_format *fmt = c->fmt;
	char size[32], prot[128];
	size_t i = 0;

	for (int h = 0; h < nhalves; h++) {
		fprintf(out, "---[ %s ]---\n", halves[h].name);
		for (; i < c->n && c->r[i].half == h; i++) {
			const struct pt_space_item *r = &c->r[i];

			fprintf(out, "0x%016llx-0x%016llx %5s %s ", (unsigned long long)r->va,
				(unsigned long long)item_end(r), pt_size_str(r->size, size),
				lname(fmt, r->level));
			switch (r->kind) {
			case PT_ITEM_LEAF:
				fprintf(out, "%s pa 0x%llx\n", pt_prot_str(r->prot, prot),
					(unsigned long long)r->pa);
				break;
			case PT_ITEM_CORRUPT:
				fprintf(out, "error: %s\n", r->why);
				break;
			case PT_ITEM_SELF_MAP:
				fprintf(out, "self-map: table 0x%llx (%s) is on its own walk\n",
					(unsigned long long)r->pa, lname(fmt, r->table_level));
				break;
			case PT_ITEM_SHARED:
				fprintf(out, "shared: table 0x%llx, listed at 0x%llx\n",
					(unsigned long long)r->pa, (unsigned long long)r->first_va);
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
		const struct pt_space_item *r = &c->r[i];

		fprintf(out,
			"%s\n  {\"start\": \"0x%llx\", \"end\": \"0x%llx\", \"size\": %llu, "
			"\"level\": \"%s\", ",
			i ? "," : "", (unsigned long long)r->va, (unsigned long long)item_end(r),
			(unsigned long long)r->size, lname(c->fmt, r->level));
		switch (r->kind) {
		case PT_ITEM_LEAF:
			fprintf(out, "\"pa\": \"0x%llx\", \"flags\": %s}",
				(unsigned long long)r->pa, cli_prot_json(r->prot, prot));
			break;
		case PT_ITEM_CORRUPT:
			fprintf(out, "\"error\": \"%s\"}", r->why);
			break;
		case PT_ITEM_SELF_MAP:
			fprintf(out, "\"self_map\": \"0x%llx\"}", (unsigned long long)r->pa);
			break;
		case PT_ITEM_SHARED:
			fprintf(out, "\"shared_table\": \"0x%llx\", \"listed_at\": \"0x%llx\"}",
				(unsigned long long)r->pa, (unsigned long long)r->first_va);
			break;
		}
	}
	fprintf(out, "%s]\n", c->n ? "\n" : "");
}

/* Whether the dump lists it: with --wx only W+X leaves (and bad entries). */
static bool listed(const struct cli_dump_opts *o, const struct pt_space_item *it)
{
	if (!o->wx || it->kind == PT_ITEM_CORRUPT)
		return true;
	return it->kind == PT_ITEM_LEAF && (it->prot & PT_W) && (it->prot & PT_X);
}

int cli_show_dump(FILE *out, struct pt_mm *mm, unsigned trees, const struct cli_dump_opts *o)
{
	const struct pt_format *fmt = mm->fmt;
	struct dump_ctx c = { .fmt = fmt };
	struct cli_half halves[2];
	int nhalves = cli_va_halves(fmt, trees, halves), ret;
	struct pt_listing *l;
	const struct pt_space_item *it;
	struct pt_space_item typed;

	ret = pt_listing_open(&l, mm, trees, cli_dump, o->start, o->end);
	while (!ret && (ret = pt_listing_next(l, &it)) == 1) {
		if (it->kind == PT_ITEM_LEAF && cli_mem_attr_set) { /* its type as --memattr says */
			typed = *it;
			typed.prot = cli_leaf_prot(fmt, it->prot, it->entry, it->level);
			it = &typed;
		}
		if (!listed(o, it)) {
			ret = 0;
			continue;
		}
		if (it->kind == PT_ITEM_CORRUPT) {
			cli_error("0x%llx: %s at %s", (unsigned long long)it->va, it->why,
				  lname(fmt, it->level));
			c.errors++;
		}
		c.wx += o->wx && it->kind == PT_ITEM_LEAF;
		ret = add(&c, it) ? 0 : -PT_ENOMEM;
	}
	pt_listing_close(l);
	if (ret)
		cli_error("out of memory");
	else if (o->json)
		print_json(out, &c);
	else
		print_text(out, &c, halves, nhalves);
	free(c.r);
	return ret || c.errors || c.wx ? 1 : 0;
}
