/* SPDX-License-Identifier: MIT */
/*
 * Tests that run `ptkit translate` (PTKIT_CLI, the CLI's path) on the files they write and
 * compare its answers: the VAs of a tree's leaves, with or without the tree's roots.
 */
#ifndef PTKIT_TEST_CLI_TRANSLATE_H
#define PTKIT_TEST_CLI_TRANSLATE_H

#include <stdbool.h>
#include <stdio.h>

#include "image_tree.h"

enum { TR_ROOTS = 1, TR_NO_FORMAT = 2 };

/*
 * `ptkit translate` of the first 200 leaves' VAs on image `args` (with --root/--root1 the
 * tree's when TR_ROOTS, without --format when TR_NO_FORMAT), stderr to err_to ("/dev/null"
 * or a file): its stdout (static), or NULL when it exits non-zero.
 */
static inline char *cli_translate_leaves(const struct pt_mm *mm, const char *args,
					 const struct it_recs *leaves, unsigned how,
					 const char *err_to)
{
	static char cmd[1 << 16], out[1 << 18];
	int len = how & TR_NO_FORMAT
			  ? snprintf(cmd, sizeof(cmd), "%s translate %s", PTKIT_CLI, args)
			  : snprintf(cmd, sizeof(cmd), "%s translate --format %s %s", PTKIT_CLI,
				     mm->fmt->name, args);
	size_t got;
	FILE *p;

	if (how & TR_ROOTS)
		len += snprintf(cmd + len, sizeof(cmd) - (size_t)len, " --root 0x%llx",
				(unsigned long long)mm->root[0]);
	if ((how & TR_ROOTS) && mm->fmt->two_roots)
		len += snprintf(cmd + len, sizeof(cmd) - (size_t)len, " --root1 0x%llx",
				(unsigned long long)mm->root[1]);
	for (size_t i = 0; i < leaves->n && i < 200 && len < (int)sizeof(cmd) - 64; i++)
		if (!leaves->r[i].err)
			len += snprintf(cmd + len, sizeof(cmd) - (size_t)len, " 0x%llx",
					(unsigned long long)leaves->r[i].va);
	snprintf(cmd + len, sizeof(cmd) - (size_t)len, " 2>%s", err_to);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	got = fread(out, 1, sizeof(out) - 1, p);
	out[got] = 0;
	return pclose(p) == 0 ? out : NULL;
}

#endif
