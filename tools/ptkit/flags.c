/* SPDX-License-Identifier: MIT */
/* ptkit CLI: PT_* protection bits as a JSON array, for translate/dump --json. */
#include "cli.h"

#include <string.h>

const char *cli_prot_json(uint32_t prot, char buf[160])
{
	char names[128];
	size_t n = 1;

	pt_prot_str(prot, names);
	strcpy(buf, "[");
	if (strcmp(names, "-"))
		for (char *t = names, *comma; t; t = comma) {
			comma = strchr(t, ',');
			if (comma)
				*comma++ = 0;
			n += (size_t)snprintf(buf + n, 160 - n, "%s\"%s\"", n > 1 ? "," : "", t);
		}
	snprintf(buf + n, 160 - n, "]");
	return buf;
}
