/* SPDX-License-Identifier: MIT */
/* ptkit: PT_* protection bits as the comma lists of specs and of translate/dump. */
#include <stdio.h>
#include <string.h>

#include "ptkit/spec.h"

static const struct {
	const char *name;
	uint32_t bit;
	bool request; /* may appear in a spec */
} prot_names[] = {
	{ "none", 0, true }, /* no r, w or x: PROT_NONE (types.h pt_prot_none) */
	{ "r", PT_R, true },
	{ "w", PT_W, true },
	{ "x", PT_X, true },
	{ "user", PT_USER, true },
	{ "global", PT_GLOBAL, true },
	{ "device", PT_DEVICE, true },
	{ "nocache", PT_NOCACHE, true },
	{ "accessed", PT_YOUNG, false },
	{ "dirty", PT_DIRTY, false },
};
#define NR_PROT_NAMES (sizeof(prot_names) / sizeof(prot_names[0]))

bool pt_parse_prot(const char *s, uint32_t *prot, char bad[64])
{
	uint32_t p = 0;
	bool none = false;

	for (;;) {
		size_t len = strcspn(s, ",");
		size_t i;
		for (i = 0; i < NR_PROT_NAMES; i++)
			if (prot_names[i].request && strlen(prot_names[i].name) == len &&
			    !strncmp(prot_names[i].name, s, len))
				break;
		if (i == NR_PROT_NAMES) {
			snprintf(bad, 64, "%.*s", (int)len, s);
			return false;
		}
		p |= prot_names[i].bit;
		none |= !prot_names[i].bit;
		if (!s[len])
			break;
		s += len + 1;
	}
	if (none && !pt_prot_none(p)) {
		snprintf(bad, 64, "none"); /* with r, w or x */
		return false;
	}
	*prot = p;
	return true;
}

const char *pt_prot_str(uint32_t prot, char buf[128])
{
	size_t n = 0;

	buf[0] = 0;
	if (pt_prot_none(prot)) /* kept, every access faults */
		n = (size_t)snprintf(buf, 128, "none");
	for (size_t i = 0; i < NR_PROT_NAMES; i++)
		if (prot & prot_names[i].bit)
			n += (size_t)snprintf(buf + n, 128 - n, "%s%s", n ? "," : "",
					      prot_names[i].name);
	if (!n)
		strcpy(buf, "-");
	return buf;
}
