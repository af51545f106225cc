/* SPDX-License-Identifier: MIT */
/*
 * ptkit CLI: reading specs (bounded), checking image files before they are opened, and
 * replacing output images atomically.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uint8_t *cli_read_spec(const char *path, uint64_t *size)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 1 << 16, n = 0;
	uint8_t *buf;
	char sz[32];

	if (!f)
		cli_fail("cannot open '%s': %s", path, strerror(errno));
	buf = malloc(cap + 1);
	for (;;) {
		size_t got;
		if (!buf)
			cli_fail("'%s': out of memory", path);
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		if (n > CLI_SPEC_MAX) { /* read one byte past the limit, no more */
			free(buf);
			cli_fail("spec '%s': larger than %s, the limit for a spec", path,
				 pt_size_str(CLI_SPEC_MAX, sz));
		}
		cap = cap * 2 < CLI_SPEC_MAX + 1 ? cap * 2 : CLI_SPEC_MAX + 1;
		{
			uint8_t *nb = realloc(buf, cap + 1);

			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	if (ferror(f)) {
		free(buf);
		cli_fail("cannot read '%s': %s", path, strerror(errno));
	}
	if (f != stdin)
		fclose(f);
	buf[n] = 0;
	*size = n;
	return buf;
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m)    ? "a directory"
	       : S_ISCHR(m)  ? "a character device"
	       : S_ISBLK(m)  ? "a block device"
	       : S_ISFIFO(m) ? "a pipe"
	       : S_ISSOCK(m) ? "a socket"
	       : S_ISLNK(m)  ? "a symbolic link"
			     : "not a regular file";
}

const char *cli_check_image_file(const char *path)
{
	struct stat st;
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_NONBLOCK) : STDIN_FILENO;

	if (fd < 0)
		cli_fail("cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st))
		cli_fail("cannot read '%s': %s", path, strerror(errno));
	if (fd != STDIN_FILENO)
		close(fd);
	if (!S_ISREG(st.st_mode))
		cli_fail("image '%s' is not a regular file (%s): copy the memory to a file first",
			 path, file_kind(st.st_mode));
	if (!st.st_size)
		cli_fail("image '%s' is empty", path);
	return strcmp(path, "-") ? path : "/dev/stdin";
}

/* Write all n bytes to fd; 0, or -1 with errno set. */
static int write_all(int fd, const uint8_t *p, uint64_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n < (1u << 30) ? (size_t)n : (size_t)1 << 30);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (uint64_t)w;
	}
	return 0;
}

int cli_write_atomic(const char *path, const uint8_t *bytes, uint64_t size)
{
	static const char name[] = ".ptkit.XXXXXX";
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	struct stat st;
	mode_t mask;
	char *tmp;
	int fd;

	/* Replace a file, never what a name points to: a link, a device, a pipe. */
	if (!lstat(path, &st) && !S_ISREG(st.st_mode)) {
		cli_error("-o '%s' is %s: only a regular file is replaced", path,
			  file_kind(st.st_mode));
		return -1;
	}
	/* A short temporary name next to it, so that any valid name works and rename is atomic. */
	tmp = malloc(dlen + sizeof(name));
	if (!tmp) {
		cli_error("'%s': out of memory", path);
		return -1;
	}
	memcpy(tmp, path, dlen);
	memcpy(tmp + dlen, name, sizeof(name));
	fd = mkstemp(tmp);
	if (fd < 0) {
		cli_error("cannot create '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) || write_all(fd, bytes, size) || fsync(fd)) {
		cli_error("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (close(fd) || rename(tmp, path)) {
		cli_error("cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
