/* SPDX-License-Identifier: MIT */
/*
 * The CLI's report.c for the fuzz targets: the error lines of tools/ptkit/show_*.c are
 * formatted (so their arguments are still checked by the sanitizers) but not printed.
 * The exiting variants must never be reached from the show code: they abort.
 */
#include "../tools/ptkit/cli.h"

#include <stdarg.h>
#include <stdlib.h>

const char *cli_cmd = "fuzz";

void cli_error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
}

void cli_fail(const char *fmt, ...)
{
	(void)fmt;
	abort();
}

void cli_usage_error(const char *fmt, ...)
{
	(void)fmt;
	abort();
}
