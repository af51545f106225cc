/* SPDX-License-Identifier: MIT */
/* ptkit CLI: `--opt VAL`, `--opt=VAL`, switches and positional arguments. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

int cli_parse_opts(int argc, char **argv, const struct cli_opt *opts, const char **pos, int max_pos,
		   const char *usage)
{
	int npos = 0;
	bool only_pos = false;

	/* --help wins over everything else on the line, even arguments that are wrong. */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			exit(0);
		}
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct cli_opt *o;
		const char *eq;
		size_t len;

		if (only_pos || arg[0] != '-' || !arg[1]) {
			if (npos == max_pos)
				cli_usage_error("unexpected argument '%s'", arg);
			pos[npos++] = arg;
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_pos = true;
			continue;
		}
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg) : strlen(arg);
		for (o = opts; o->name; o++)
			if (strlen(o->name) == len && !strncmp(o->name, arg, len))
				break;
		if (!o->name)
			cli_usage_error("unknown option '%.*s'", (int)len, arg);
		if (o->flag) {
			if (eq)
				cli_usage_error("option %s takes no value", o->name);
			*o->flag = true;
		} else if (eq) {
			*o->val = eq + 1;
		} else {
			if (i + 1 >= argc)
				cli_usage_error("option %s needs a value", o->name);
			*o->val = argv[++i];
		}
	}
	return npos;
}
