/* SPDX-License-Identifier: MIT */
/*
 * ptkit: the build spec language (what `ptkit build` reads), and the numbers and flag
 * names it shares with the CLI and the Python package. Hosted (snprintf). One command a
 * line, '#' starts a comment:
 *   map VA PA SIZE [FLAGS] [pagesize=SIZE[,SIZE...]]
 *   unmap VA SIZE
 *   protect VA SIZE FLAGS
 *   collapse VA
 * Numbers: 0x.. hex, or decimal with an optional K/M/G/T suffix. FLAGS: a comma list of
 * none r w x user global device nocache (default r,w).
 */
#ifndef PTKIT_SPEC_H
#define PTKIT_SPEC_H

#include "format.h"

/* Parse hex `0x..` or decimal with an optional K/M/G/T suffix (binary). false if bad. */
bool pt_parse_num(const char *s, uint64_t *out);
/* A byte count as the largest exact unit: 4096 -> "4K", 3 << 30 -> "3G". Returns buf. */
const char *pt_size_str(uint64_t bytes, char buf[32]);

/*
 * Parse a comma list of none r w x user global device nocache into PT_* bits. false with
 * bad naming the token that is not a flag ("none" when it comes with r, w or x).
 */
bool pt_parse_prot(const char *s, uint32_t *prot, char bad[64]);
/*
 * PT_* bits as text: "none" first for a PROT_NONE leaf, then r,w,x,user,global,device,
 * nocache,accessed,dirty in that order; "-" if none of them. Returns buf.
 */
const char *pt_prot_str(uint32_t prot, char buf[128]);

enum pt_spec_kind { PT_SPEC_NONE, PT_SPEC_MAP, PT_SPEC_UNMAP, PT_SPEC_PROTECT, PT_SPEC_COLLAPSE };

/* One parsed spec line. */
struct pt_spec_op {
	enum pt_spec_kind kind; /* PT_SPEC_NONE: blank line or comment */
	uint64_t va, pa, size;
	uint32_t prot;
	uint64_t page_sizes; /* map: allowed leaf sizes, 0 = any */
};

/*
 * Parse one spec line (modified in place) and check what the format alone decides: numbers,
 * flags, page sizes, alignment, size 0, the PA limit. 0, or -1 with the reason in msg
 * ("bad number 'x' for VA", "unknown command 'mop' (map, unmap, protect, collapse)").
 */
int pt_spec_parse_line(char *line, const struct pt_format *fmt, struct pt_spec_op *op, char *msg,
		       size_t len);

/*
 * Run one parsed line on mm (map, unmap, protect or collapse; the TLB flush is a no-op).
 * 0, or the operation's negative PT_E* code with msg saying why ("map 0x1000: overlaps an
 * existing mapping at 0x1000"); -PT_ENOMEM (mm's memory is full) with msg "no room for
 * another table".
 */
int pt_spec_run(struct pt_mm *mm, const struct pt_spec_op *op, char *msg, size_t len);

/*
 * Parse and run every line of text[0, len) on mm, stopping at the first that fails: 0, or
 * -PT_EINVAL (the line does not parse) / the operation's negative PT_E* code, with *line its
 * number (from 1) and msg why. *full: the line failed for want of room for another table
 * (-PT_ENOMEM of map, unmap or protect), which callers word as their memory's size.
 */
int pt_spec_run_text(struct pt_mm *mm, const char *text, size_t len, unsigned *line, bool *full,
		     char *msg, size_t mlen);

#endif
