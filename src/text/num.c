/* SPDX-License-Identifier: MIT */
/* ptkit: numbers in specs and on the command line, and byte counts as text. */
#include <stdio.h>

#include "ptkit/spec.h"

static int digit(char c, int base)
{
	int d;
	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return d < base ? d : -1;
}

static int suffix_shift(char c)
{
	switch (c) {
	case 'K':
	case 'k':
		return 10;
	case 'M':
	case 'm':
		return 20;
	case 'G':
	case 'g':
		return 30;
	case 'T':
	case 't':
		return 40;
	default:
		return -1;
	}
}

bool pt_parse_num(const char *s, uint64_t *out)
{
	int base = 10, shift = 0;
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (digit(*s, base) < 0)
		return false;
	for (; *s; s++) {
		int d = digit(*s, base);
		if (d < 0)
			break;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return false; /* overflow */
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (*s) {
		/* Only decimal numbers take a suffix, and only one. */
		if (base != 10 || s[1] || (shift = suffix_shift(*s)) < 0)
			return false;
		if (v > (UINT64_MAX >> shift))
			return false;
		v <<= shift;
	}
	*out = v;
	return true;
}

const char *pt_size_str(uint64_t bytes, char buf[32])
{
	static const char units[] = "KMGTPE";
	int u = -1;

	while (u < 5 && bytes && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, 32, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, 32, "%llu%c", (unsigned long long)bytes, units[u]);
	return buf;
}
