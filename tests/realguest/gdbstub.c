// SPDX-License-Identifier: MIT
/*
 * The GDB remote serial protocol, as much as reading and writing a register by name takes
 * (tests/realguest/gdbstub.h): packets '$payload#checksum' acknowledged with '+', the
 * register numbers from qXfer:features:read (target.xml and the files it includes, numbered
 * one after the other or by their regnum attribute; QEMU generates the file of the system
 * registers), values in the target's byte order.
 */
#include "gdbstub.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int gdb_fd = -1;
static bool gdb_big_endian;

static void gdb_write(const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(gdb_fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("gdbstub: write: %s", strerror(errno));
		buf += n;
		len -= (size_t)n;
	}
}

/* The next byte from the stub, EOF when it closed the connection. */
static int gdb_getc(void)
{
	static char buf[4096];
	static size_t len, at;

	if (at == len) {
		ssize_t n;
		do
			n = read(gdb_fd, buf, sizeof(buf));
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return EOF;
		len = (size_t)n;
		at = 0;
	}
	return (unsigned char)buf[at++];
}

static void gdb_send(const char *payload)
{
	char pkt[1100];
	unsigned sum = 0;
	int n;

	for (const char *c = payload; *c; c++)
		sum += (unsigned char)*c;
	n = snprintf(pkt, sizeof(pkt), "$%s#%02x", payload, sum & 0xff);
	if (n < 0 || (size_t)n >= sizeof(pkt))
		die("gdbstub: packet too long: %.40s", payload);
	gdb_write(pkt, (size_t)n);
}

/* The next packet's payload (run-length and '}' escapes undone), acknowledged. */
static char *gdb_recv(void)
{
	static char buf[1 << 17];
	size_t n = 0;
	int c;

	while ((c = gdb_getc()) != '$')
		if (c == EOF)
			die("gdbstub connection closed");
	while ((c = gdb_getc()) != '#') {
		if (c == EOF)
			die("gdbstub connection closed");
		if (c == '}') {
			c = gdb_getc() ^ 0x20;
		} else if (c == '*' && n) { /* the previous character, (next - 29) more times */
			for (int k = gdb_getc() - 29; k > 0 && n < sizeof(buf) - 1; k--, n++)
				buf[n] = buf[n - 1];
			continue;
		}
		if (n < sizeof(buf) - 1)
			buf[n++] = (char)c;
	}
	gdb_getc(); /* the checksum: the stream is a local socket */
	gdb_getc();
	gdb_write("+", 1);
	buf[n] = 0;
	return buf;
}

/* Send a command and return its reply; stop replies QEMU sends on its own are skipped. */
static char *gdb_cmd(const char *fmt, ...)
{
	char pkt[1024], *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pkt, sizeof(pkt), fmt, ap);
	va_end(ap);
	gdb_send(pkt);
	do
		r = gdb_recv();
	while (r[0] == 'T' || (r[0] == 'S' && strlen(r) == 3));
	return r;
}

void gdb_attach(int fd, bool big_endian)
{
	gdb_fd = fd;
	gdb_big_endian = big_endian;
	gdb_cmd("qSupported:xmlRegisters=%s", "i386;arm;aarch64;powerpc");
}

/* A whole target-description document, malloc'd. */
static char *gdb_xfer(const char *annex)
{
	size_t len = 0;
	char *doc = calloc(1, 1);

	for (;;) {
		char *r = gdb_cmd("qXfer:features:read:%s:%zx,ffb", annex, len);
		size_t n = strlen(r + 1);

		if (r[0] != 'm' && r[0] != 'l')
			die("gdbstub: cannot read %s: '%.40s'", annex, r);
		doc = realloc(doc, len + n + 1);
		if (!doc)
			die("out of memory");
		memcpy(doc + len, r + 1, n + 1);
		len += n;
		if (r[0] == 'l' || !n)
			return doc;
	}
}

/* The value of attribute `attr` in the tag starting at tag, into out (empty if absent). */
static void xml_attr(const char *tag, const char *attr, char *out, size_t len)
{
	const char *end = strchr(tag, '>'), *p = tag;
	size_t alen = strlen(attr);

	*out = 0;
	while ((p = strstr(p, attr)) && (!end || p < end)) {
		if (p[-1] == ' ' && p[alen] == '=' && p[alen + 1] == '"') {
			snprintf(out, len, "%.*s", (int)strcspn(p + alen + 2, "\""), p + alen + 2);
			return;
		}
		p += alen;
	}
}

/*
 * Look for register `name` in the document `annex` and the files it includes, numbering
 * registers as GDB does (one after the other, or from a regnum attribute); *next is the
 * number the next register gets. The register's number, or -1.
 */
static int gdb_find_reg(const char *annex, const char *name, int *next, int *bits)
{
	char *doc = gdb_xfer(annex), val[128];
	int found = -1;

	for (char *t = doc; found < 0 && (t = strchr(t, '<')); t++) {
		if (!strncmp(t, "<xi:include ", 12)) {
			xml_attr(t, "href", val, sizeof(val));
			found = gdb_find_reg(val, name, next, bits);
		} else if (!strncmp(t, "<reg ", 5)) {
			xml_attr(t, "regnum", val, sizeof(val));
			if (*val)
				*next = atoi(val);
			xml_attr(t, "bitsize", val, sizeof(val));
			*bits = atoi(val);
			xml_attr(t, "name", val, sizeof(val));
			if (!strcmp(val, name))
				found = *next;
			(*next)++;
		}
	}
	free(doc);
	return found;
}

static int gdb_regnum(const char *name, int *bits)
{
	int next = 0, n;

	n = gdb_find_reg("target.xml", name, &next, bits);
	if (n < 0)
		die("gdbstub: no register %s in the target description", name);
	if (*bits <= 0 || *bits > 64)
		die("gdbstub: register %s has %d bits", name, *bits);
	return n;
}

/* Register `name` of the current CPU, read through the gdbstub. */
uint64_t gdb_read_reg(const char *name)
{
	int bits, n = gdb_regnum(name, &bits), bytes = bits / 8;
	char *r = gdb_cmd("p%x", n);
	uint64_t v = 0;

	if ((int)strlen(r) != 2 * bytes)
		die("gdbstub: reading %s (register %d): '%.40s'", name, n, r);
	for (int i = 0; i < bytes; i++) {
		unsigned b;
		int at = gdb_big_endian ? i : bytes - 1 - i; /* most significant byte first */
		if (sscanf(r + 2 * at, "%2x", &b) != 1)
			die("gdbstub: reading %s: '%.40s'", name, r);
		v = v << 8 | b;
	}
	return v;
}

/* Set register `name` of the current CPU through the gdbstub. */
void gdb_write_reg(const char *name, uint64_t v)
{
	int bits, n = gdb_regnum(name, &bits), bytes = bits / 8;
	char hex[17] = "", *r;

	for (int i = 0; i < bytes; i++) {
		int shift = 8 * (gdb_big_endian ? bytes - 1 - i : i);
		snprintf(hex + 2 * i, 3, "%02x", (unsigned)(v >> shift) & 0xff);
	}
	r = gdb_cmd("P%x=%s", n, hex);
	if (strcmp(r, "OK"))
		die("gdbstub: writing %s (register %d): '%.40s'", name, n, r);
}
