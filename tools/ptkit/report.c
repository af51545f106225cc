/* SPDX-License-Identifier: MIT */
/*
 * ptkit CLI: every error is exactly one line on stderr, prefixed by the subcommand. Messages
 * echo user strings (paths, option values, spec tokens): their control characters are
 * escaped here, for every error path at once, so a newline in a file name cannot split the
 * line and an escape sequence cannot reach the terminal.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>

const char *cli_cmd = "";

/* s with control characters as \n \r \t or \xHH (C0 and DEL; other bytes as they are). */
static void put_escaped(const char *s, FILE *f)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void vline(const char *fmt, va_list ap, const char *tail)
{
	char small[512], *msg = small;
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n >= (int)sizeof(small)) {
		msg = malloc((size_t)n + 1);
		if (msg)
			vsnprintf(msg, (size_t)n + 1, fmt, again);
		else
			msg = small; /* truncated, still one line */
	}
	va_end(again);
	fprintf(stderr, "ptkit%s%s: ", *cli_cmd ? " " : "", cli_cmd);
	put_escaped(n < 0 ? fmt : msg, stderr);
	fprintf(stderr, "%s\n", tail);
	if (msg != small)
		free(msg);
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

void cli_note(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cli_error("note: %s", buf);
}
