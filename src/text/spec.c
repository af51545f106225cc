/* SPDX-License-Identifier: MIT */
/*
 * ptkit: the build spec language (include/ptkit/spec.h), one command a line:
 *   map VA PA SIZE [FLAGS] [pagesize=SIZE[,SIZE...]]
 *   unmap VA SIZE
 *   protect VA SIZE FLAGS
 *   collapse VA
 * `#` starts a comment. Errors name the offending token.
 */
#include <stdio.h>
#include <string.h>

#include "ptkit/spec.h"

#define MAX_TOKENS 8

static int tokenize(char *line, char **tok)
{
	int n = 0;
	char *save, *hash = strchr(line, '#');

	if (hash)
		*hash = 0;
	for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == MAX_TOKENS)
			return n + 1;
		tok[n++] = t;
	}
	return n;
}

static uint64_t lowest_bit(uint64_t v)
{
	return v & -v;
}

static bool num(const char *what, const char *s, uint64_t *v, char *msg, size_t len)
{
	if (pt_parse_num(s, v))
		return true;
	snprintf(msg, len, "bad number '%s' for %s", s, what);
	return false;
}

static bool page_sizes(const char *s, const struct pt_format *fmt, uint64_t *out, char *msg,
		       size_t len)
{
	char buf[256], sz[32], list[128] = "", *save;
	uint64_t bits = 0;

	for (int b = 0; b < 64; b++)
		if (fmt->page_sizes >> b & 1)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 *list ? " " : "", pt_size_str((uint64_t)1 << b, sz));
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		uint64_t v;
		if (!pt_parse_num(t, &v)) {
			snprintf(msg, len, "bad number '%s' in pagesize=", t);
			return false;
		}
		if (!v || (v & (v - 1)) || !(fmt->page_sizes & v)) {
			snprintf(msg, len, "pagesize=%s: %s is not a page size of %s (%s)", s, t,
				 fmt->name, list);
			return false;
		}
		bits |= v;
	}
	if (!bits) {
		snprintf(msg, len, "pagesize= needs at least one size");
		return false;
	}
	*out = bits;
	return true;
}

static bool flags(const char *s, uint32_t *prot, char *msg, size_t len)
{
	char bad[64];

	if (pt_parse_prot(s, prot, bad))
		return true;
	snprintf(msg, len,
		 "unknown flag '%s' in '%s' (flags: none r w x user global device nocache)", bad,
		 s);
	return false;
}

/* Size non-zero, VA (and PA) and size aligned to the smallest usable page. */
static bool check_range(const struct pt_format *fmt, struct pt_spec_op *op, bool has_pa, char *msg,
			size_t len)
{
	uint64_t align = lowest_bit(op->page_sizes ? op->page_sizes : fmt->page_sizes);
	char a[32], sz[32];

	pt_size_str(align, a);
	if (!op->size) {
		snprintf(msg, len, "size 0: nothing to %s",
			 op->kind == PT_SPEC_MAP     ? "map"
			 : op->kind == PT_SPEC_UNMAP ? "unmap"
						     : "protect");
		return false;
	}
	if (op->va & (align - 1)) {
		snprintf(msg, len, "VA 0x%llx is not aligned to %s", (unsigned long long)op->va, a);
		return false;
	}
	if (has_pa && (op->pa & (align - 1))) {
		snprintf(msg, len, "PA 0x%llx is not aligned to %s", (unsigned long long)op->pa, a);
		return false;
	}
	if (op->size & (align - 1)) {
		snprintf(msg, len, "size %s is not a multiple of %s", pt_size_str(op->size, sz), a);
		return false;
	}
	if (op->va + op->size - 1 < op->va) {
		snprintf(msg, len, "VA 0x%llx + size 0x%llx wraps past 2^64",
			 (unsigned long long)op->va, (unsigned long long)op->size);
		return false;
	}
	if (has_pa && fmt->pa_bits < 64 &&
	    (op->pa >> fmt->pa_bits || ((op->pa + op->size - 1) >> fmt->pa_bits) ||
	     op->pa + op->size - 1 < op->pa)) {
		snprintf(msg, len,
			 "PA 0x%llx + size 0x%llx is beyond the %d-bit physical limit of %s",
			 (unsigned long long)op->pa, (unsigned long long)op->size, fmt->pa_bits,
			 fmt->name);
		return false;
	}
	return true;
}

static int parse_map(char **tok, int n, const struct pt_format *fmt, struct pt_spec_op *op,
		     char *msg, size_t len)
{
	bool have_flags = false, have_sizes = false;

	if (n < 4 || n > 6) {
		snprintf(msg, len,
			 "map needs VA PA SIZE [FLAGS] [pagesize=SIZE,...], got %d argument%s",
			 n - 1, n == 2 ? "" : "s");
		return -1;
	}
	if (!num("VA", tok[1], &op->va, msg, len) || !num("PA", tok[2], &op->pa, msg, len) ||
	    !num("SIZE", tok[3], &op->size, msg, len))
		return -1;
	op->prot = PT_R | PT_W;
	for (int i = 4; i < n; i++) {
		if (!strncmp(tok[i], "pagesize=", 9) && !have_sizes) {
			if (!page_sizes(tok[i] + 9, fmt, &op->page_sizes, msg, len))
				return -1;
			have_sizes = true;
		} else if (strchr(tok[i], '=') || have_flags || have_sizes) {
			snprintf(msg, len, "unexpected '%s' after map VA PA SIZE", tok[i]);
			return -1;
		} else {
			if (!flags(tok[i], &op->prot, msg, len))
				return -1;
			have_flags = true;
		}
	}
	return check_range(fmt, op, true, msg, len) ? 0 : -1;
}

int pt_spec_parse_line(char *line, const struct pt_format *fmt, struct pt_spec_op *op, char *msg,
		       size_t len)
{
	char *tok[MAX_TOKENS];
	int n = tokenize(line, tok);

	*op = (struct pt_spec_op){ 0 };
	if (!n)
		return 0;
	if (n > MAX_TOKENS) {
		snprintf(msg, len, "too many arguments");
		return -1;
	}
	if (!strcmp(tok[0], "map")) {
		op->kind = PT_SPEC_MAP;
		return parse_map(tok, n, fmt, op, msg, len);
	}
	if (!strcmp(tok[0], "unmap")) {
		op->kind = PT_SPEC_UNMAP;
		if (n != 3) {
			snprintf(msg, len, "unmap needs VA SIZE, got %d argument%s", n - 1,
				 n == 2 ? "" : "s");
			return -1;
		}
		if (!num("VA", tok[1], &op->va, msg, len) ||
		    !num("SIZE", tok[2], &op->size, msg, len))
			return -1;
		return check_range(fmt, op, false, msg, len) ? 0 : -1;
	}
	if (!strcmp(tok[0], "protect")) {
		op->kind = PT_SPEC_PROTECT;
		if (n != 4) {
			snprintf(msg, len, "protect needs VA SIZE FLAGS, got %d argument%s", n - 1,
				 n == 2 ? "" : "s");
			return -1;
		}
		if (!num("VA", tok[1], &op->va, msg, len) ||
		    !num("SIZE", tok[2], &op->size, msg, len) ||
		    !flags(tok[3], &op->prot, msg, len))
			return -1;
		return check_range(fmt, op, false, msg, len) ? 0 : -1;
	}
	if (!strcmp(tok[0], "collapse")) {
		op->kind = PT_SPEC_COLLAPSE;
		if (n != 2) {
			snprintf(msg, len, "collapse needs VA, got %d arguments", n - 1);
			return -1;
		}
		return num("VA", tok[1], &op->va, msg, len) ? 0 : -1;
	}
	snprintf(msg, len, "unknown command '%s' (map, unmap, protect, collapse)", tok[0]);
	return -1;
}
