/* SPDX-License-Identifier: MIT */
/* ptkit CLI: every error is exactly one line on stderr, prefixed by the subcommand. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>

const char *cli_cmd = "";

static void vline(const char *fmt, va_list ap, const char *tail)
{
	fprintf(stderr, "ptkit%s%s: ", *cli_cmd ? " " : "", cli_cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "%s\n", tail);
}

void cli_usage_error(const char *fmt, ...)
{
	char tail[96];
	va_list ap;

	snprintf(tail, sizeof(tail), " (try 'ptkit%s%s --help')", *cli_cmd ? " " : "", cli_cmd);
	va_start(ap, fmt);
	vline(fmt, ap, tail);
	va_end(ap);
	exit(EXIT_USAGE);
}

void cli_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(fmt, ap, "");
	va_end(ap);
	exit(EXIT_DATA);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(fmt, ap, "");
	va_end(ap);
}
