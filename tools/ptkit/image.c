/* SPDX-License-Identifier: MIT */
/* ptkit CLI: reading image files whole, and replacing them atomically. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_read_file(const char *path, uint8_t **bytes, uint64_t *size)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf;

	if (!f)
		cli_fail("cannot open '%s': %s", path, strerror(errno));
	buf = malloc(cap);
	for (;;) {
		size_t got;
		if (!buf)
			cli_fail("'%s': out of memory", path);
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		cap *= 2;
		buf = realloc(buf, cap);
	}
	if (ferror(f))
		cli_fail("cannot read '%s': %s", path, strerror(errno));
	if (f != stdin)
		fclose(f);
	*bytes = buf;
	*size = n;
}

int cli_write_atomic(const char *path, const uint8_t *bytes, uint64_t size)
{
	size_t len = strlen(path) + 32;
	char *tmp = malloc(len);
	FILE *f;

	if (!tmp) {
		cli_error("'%s': out of memory", path);
		return -1;
	}
	snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "wb");
	if (!f) {
		cli_error("cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fwrite(bytes, 1, size, f) != size || fflush(f) || fsync(fileno(f))) {
		cli_error("cannot write '%s': %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (fclose(f) || rename(tmp, path)) {
		cli_error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
