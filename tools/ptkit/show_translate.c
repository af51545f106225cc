/* SPDX-License-Identifier: MIT */
/* ptkit CLI: one translate result line (and its --trace lines); used by translate and demo. */
#include "cli.h"

static const char *level_name(const struct pt_format *fmt, int level)
{
	if (level < 0 || level >= fmt->levels || !fmt->level_name[level])
		return "?";
	return fmt->level_name[level];
}

const struct pt_dump *cli_dump;
bool cli_mem_attr_set;
uint64_t cli_mem_attr;

uint32_t cli_leaf_prot(const struct pt_format *fmt, uint32_t prot, uint64_t entry, int level)
{
	return cli_mem_attr_set
		       ? pt_format_prot_with_mem_attr(fmt, prot, entry, level, cli_mem_attr)
		       : prot;
}

void cli_corrupt_reason(const struct mm_walk_state *st, int err, char *buf, size_t len)
{
	pt_corrupt_reason(st, err, cli_dump, buf, len);
}

/* One answer: a text line, or a JSON object (no separator: the caller prints those). */
static void answer(FILE *out, unsigned flags, uint64_t va, const char *text, const char *json)
{
	if (flags & CLI_TR_JSON)
		fprintf(out, "  {\"va\": \"0x%llx\", %s}", (unsigned long long)va, json);
	else
		fprintf(out, "0x%llx %s\n", (unsigned long long)va, text);
}

/* va could not be translated: its answer, and the same on stderr. */
static int error(FILE *out, unsigned flags, uint64_t va, const char *level, const char *why)
{
	char text[400], json[400];

	snprintf(text, sizeof(text), "error %s %s", level, why);
	snprintf(json, sizeof(json), "\"error\": \"%s\", \"level\": \"%s\"", why, level);
	answer(out, flags, va, text, json);
	fflush(out);
	cli_error("0x%llx: %s at %s", (unsigned long long)va, why, level);
	return 1;
}

int cli_show_translate(FILE *out, struct pt_mm *mm, unsigned trees, struct mm_walk_state *st,
		       uint64_t va, unsigned flags)
{
	const struct pt_format *fmt = mm->fmt;
	const bool trace = flags & CLI_TR_TRACE;
	struct pt_translation tr = { 0 };
	struct cli_half halves[2];
	const struct cli_half *half;
	char size[32], prot[160], why[256], text[400], json[400];
	const char *lname;
	int err;

	half = cli_va_half(halves, cli_va_halves(fmt, trees, halves), va);
	if (!half) {
		snprintf(why, sizeof(why), "not a canonical address for %s (%d-bit VA)", fmt->name,
			 fmt->va_bits);
		return error(out, flags, va, "-", why);
	}
	/* A half without a root: nothing to read, the MMU faults on its first level. */
	if (!half->tree) {
		if (trace)
			fprintf(out, "  %s: no tree (no %s)\n", half->name,
				half == &halves[0] ? "--root" : "--root1");
		lname = level_name(fmt, fmt->levels - 1);
		snprintf(text, sizeof(text), "fault %s", lname);
		snprintf(json, sizeof(json), "\"fault\": \"%s\"", lname);
		answer(out, flags, va, text, json);
		return 0;
	}

	mm_walk_seek_leaf(st, mm, va);
	if (trace)
		for (int l = fmt->levels - 1; l >= st->level && l >= 0; l--)
			fprintf(out, "  %s index %u entry 0x%016llx table 0x%llx\n",
				level_name(fmt, l), mm_walk_index(st, l),
				(unsigned long long)(l == st->level ? st->entry
								    : st->path[l].entry),
				(unsigned long long)mm_walk_table_pa(st, l));

	err = pt_translate(mm, va, &tr);
	if (tr.size)
		tr.prot = cli_leaf_prot(fmt, tr.prot, tr.entry, tr.level);
	lname = level_name(fmt, tr.level);
	switch (err) {
	case 0:
		pt_size_str(tr.group > tr.size ? tr.group : tr.size, size);
		snprintf(text, sizeof(text), "0x%llx %s %s", (unsigned long long)tr.pa, size,
			 pt_prot_str(tr.prot, prot));
		snprintf(json, sizeof(json),
			 "\"pa\": \"0x%llx\", \"size\": %llu, \"level\": \"%s\", \"flags\": %s",
			 (unsigned long long)tr.pa,
			 (unsigned long long)(tr.group > tr.size ? tr.group : tr.size), lname,
			 cli_prot_json(tr.prot, prot));
		answer(out, flags, va, text, json);
		return 0;
	case -PT_ENOENT:
		snprintf(text, sizeof(text), "fault %s", lname);
		snprintf(json, sizeof(json), "\"fault\": \"%s\"", lname);
		answer(out, flags, va, text, json);
		return 0;
	default:
		cli_corrupt_reason(st, err, why, sizeof(why));
		return error(out, flags, va, lname, why);
	}
}
