// SPDX-License-Identifier: MIT
/*
 * The real-guest check (scripts/realguest.sh, docs/VERIFICATION.md): boot a Debian kernel
 * under QEMU with tests/realguest/init.c as PID 1, stop the CPU while that process runs,
 * take the page-table root from the CPU registers and the memory with dump-guest-memory,
 * then ask `ptkit translate` and QEMU's own MMU code (the gva2gpa monitor command) about
 * the same VAs — inside every mapping `ptkit dump` lists and at random in both halves —
 * and fail on any difference. QEMU is driven through QMP on a unix socket.
 *
 * usage: realguest_driver --qemu BIN --kernel VMLINUZ --initrd CPIO --format F --ptkit PATH
 *                         --workdir DIR [--cpu MODEL] [--machine M] [--count N] [--seed S]
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *opt_qemu, *opt_kernel, *opt_initrd, *opt_format, *opt_ptkit, *opt_dir;
static const char *opt_cpu = "max", *opt_machine = NULL;
static unsigned opt_count = 2000;
static uint64_t rng = 0x853c49e6748fea9bull;
static pid_t qemu_pid;
static FILE *qmp;

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "realguest: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (qemu_pid > 0)
		kill(qemu_pid, SIGKILL);
	exit(1);
}

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static char *path_in(const char *name)
{
	static char buf[8][512];
	static int k;
	char *p = buf[k++ & 7];

	snprintf(p, 512, "%s/%s", opt_dir, name);
	return p;
}

static void start_qemu(void)
{
	const char *argv[40];
	int n = 0;
	char serial[600], qmpopt[600];

	snprintf(serial, sizeof(serial), "file:%s", path_in("console.log"));
	snprintf(qmpopt, sizeof(qmpopt), "unix:%s,server=on,wait=off", path_in("qmp.sock"));
	unlink(path_in("qmp.sock"));
	unlink(path_in("console.log")); /* an old READY line must not count */
	argv[n++] = opt_qemu;
	if (opt_machine) {
		argv[n++] = "-M";
		argv[n++] = opt_machine;
	}
	argv[n++] = "-cpu";
	argv[n++] = opt_cpu;
	argv[n++] = "-m";
	argv[n++] = "1024";
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-no-reboot";
	argv[n++] = "-serial";
	argv[n++] = serial;
	argv[n++] = "-qmp";
	argv[n++] = qmpopt;
	argv[n++] = "-kernel";
	argv[n++] = opt_kernel;
	argv[n++] = "-initrd";
	argv[n++] = opt_initrd;
	argv[n++] = "-append";
	argv[n++] = "console=ttyS0 console=ttyAMA0 console=hvc0 panic=-1 loglevel=4";
	argv[n] = NULL;
	qemu_pid = fork();
	if (qemu_pid < 0)
		die("fork: %s", strerror(errno));
	if (!qemu_pid) {
		execv(opt_qemu, (char *const *)argv);
		_exit(127);
	}
}

static void console_tail(void)
{
	char cmd[700];

	snprintf(cmd, sizeof(cmd), "tail -n 20 '%s' >&2", path_in("console.log"));
	if (system(cmd) != 0)
		fprintf(stderr, "(no console output)\n");
}

/* Wait for the init's READY line; it also says where its mappings are. */
static void wait_ready(char *line, size_t len)
{
	for (int i = 0; i < 1200; i++) {
		FILE *f = fopen(path_in("console.log"), "r");
		int st;

		if (f) {
			while (fgets(line, (int)len, f))
				if (strstr(line, "PTKIT-READY")) {
					fclose(f);
					return;
				}
			fclose(f);
		}
		if (waitpid(qemu_pid, &st, WNOHANG) == qemu_pid) {
			qemu_pid = 0;
			console_tail();
			die("QEMU exited before the guest was ready");
		}
		usleep(250000);
	}
	console_tail();
	die("the guest was not ready after 300 s");
}

static void qmp_connect(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path_in("qmp.sock"));
	for (int i = 0; i < 100; i++) {
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a))) {
			qmp = fdopen(fd, "r+");
			return;
		}
		usleep(100000);
	}
	die("cannot connect to QMP at %s", a.sun_path);
}

/* Send a command, return its response line ("return" or "error"; events skipped). */
static char *qmp_cmd(const char *fmt, ...)
{
	static char line[1 << 16];
	va_list ap;

	va_start(ap, fmt);
	vfprintf(qmp, fmt, ap);
	va_end(ap);
	fputc('\n', qmp);
	fflush(qmp);
	while (fgets(line, sizeof(line), qmp))
		if (strstr(line, "\"return\"") || strstr(line, "\"error\""))
			return line;
	die("QMP connection closed");
	return NULL;
}

/* An HMP command's output (the "return" string, JSON escapes left in). */
static char *hmp(const char *cmd)
{
	char *r = qmp_cmd("{\"execute\": \"human-monitor-command\", \"arguments\": "
			  "{\"command-line\": \"%s\"}}",
			  cmd);
	char *s = strstr(r, "\"return\": \"");

	if (!s)
		die("HMP '%s': %s", cmd, r);
	return s + 11;
}

/* The page-table root register as ptkit's --root takes it. */
static uint64_t root_register(void)
{
	char *regs = hmp("info registers"), *p;
	uint64_t v;

	if ((p = strstr(regs, "CR3=")) && sscanf(p + 4, "%" SCNx64, &v) == 1)
		return v; /* as the CPU holds it: ptkit drops PCID / PWT / PCD itself */
	die("no page-table root in 'info registers'");
	return 0;
}

struct range {
	uint64_t start, end;
};

static struct range *ranges;
static size_t nranges;

static void read_dump(const char *cmd)
{
	char line[512];
	FILE *p = popen(cmd, "r");
	size_t cap = 0;

	if (!p)
		die("cannot run %s", cmd);
	while (fgets(line, sizeof(line), p)) {
		unsigned long long s, e;
		if (sscanf(line, "0x%llx-0x%llx", &s, &e) != 2 || !strstr(line, " pa 0x"))
			continue; /* leaves only: shared tables and self-maps are not sampled here */
		if (nranges == cap) {
			cap = cap ? 2 * cap : 1024;
			ranges = realloc(ranges, cap * sizeof(*ranges));
			if (!ranges)
				die("out of memory");
		}
		ranges[nranges++] = (struct range){ s, e };
	}
	if (pclose(p) != 0)
		fprintf(stderr, "realguest: note: ptkit dump reported problems (its listing is used "
				"as far as it goes)\n");
	if (!nranges)
		die("ptkit dump listed no mapping");
}

int main(int argc, char **argv)
{
	char ready[512], cmd[2048];
	uint64_t root, hints[4] = { 0 }, *vas;
	FILE *in;
	unsigned bad = 0, mapped = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];
		if (!strcmp(o, "--qemu"))
			opt_qemu = v;
		else if (!strcmp(o, "--kernel"))
			opt_kernel = v;
		else if (!strcmp(o, "--initrd"))
			opt_initrd = v;
		else if (!strcmp(o, "--format"))
			opt_format = v;
		else if (!strcmp(o, "--ptkit"))
			opt_ptkit = v;
		else if (!strcmp(o, "--workdir"))
			opt_dir = v;
		else if (!strcmp(o, "--cpu"))
			opt_cpu = v;
		else if (!strcmp(o, "--machine"))
			opt_machine = v;
		else if (!strcmp(o, "--count"))
			opt_count = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(o, "--seed"))
			rng ^= strtoull(v, NULL, 0) * 0x9e3779b97f4a7c15ull;
		else
			die("unknown option %s", o);
	}
	if (!opt_qemu || !opt_kernel || !opt_initrd || !opt_format || !opt_ptkit || !opt_dir)
		die("usage: see the comment at the top of tests/realguest/driver.c");

	start_qemu();
	wait_ready(ready, sizeof(ready));
	qmp_connect();
	qmp_cmd("{\"execute\": \"qmp_capabilities\"}");
	qmp_cmd("{\"execute\": \"stop\"}");
	root = root_register();
	{
		char *r = strstr(ready, "anon ");
		if (!r || sscanf(r, "anon %" SCNx64 " huge %" SCNx64 " rodata %" SCNx64
				    " text %" SCNx64,
				 &hints[0], &hints[1], &hints[2], &hints[3]) != 4)
			die("cannot read the guest's READY line: %s", ready);
	}
	printf("realguest: %s: guest ready, root 0x%" PRIx64 "\n", opt_format, root);
	qmp_cmd("{\"execute\": \"dump-guest-memory\", \"arguments\": {\"paging\": false, "
		"\"protocol\": \"file:%s\"}}",
		path_in("guest.elf"));
	qmp_cmd("{\"execute\": \"dump-guest-memory\", \"arguments\": {\"paging\": false, "
		"\"protocol\": \"file:%s\", \"format\": \"kdump-zlib\"}}",
		path_in("guest.kdump"));

	/* Without --root, ptkit takes CPU 0's CR3 from the dump's QEMU notes: the same table. */
	snprintf(cmd, sizeof(cmd),
		 "%s translate --format %s --image %s 0 2>&1 >/dev/null | grep -q 'the root table at "
		 "0x%" PRIx64 ", from CPU 0'",
		 opt_ptkit, opt_format, path_in("guest.elf"), root & UINT64_C(0x000ffffffffff000));
	if (system(cmd) != 0)
		die("ptkit did not take the root from the dump's CPU state");

	snprintf(cmd, sizeof(cmd), "%s dump --format %s --image %s --root 0x%" PRIx64 " 2>&1",
		 opt_ptkit, opt_format, path_in("guest.elf"), root);
	read_dump(cmd);

	/* VAs: inside listed mappings, near the init's own, and anywhere. */
	vas = calloc(opt_count, sizeof(*vas));
	in = fopen(path_in("vas.txt"), "w");
	if (!vas || !in)
		die("out of memory / cannot write vas.txt");
	for (unsigned i = 0; i < opt_count; i++) {
		uint64_t v;
		unsigned kind = (unsigned)(rnd() % 4);

		if (kind < 2) {
			const struct range *r = &ranges[rnd() % nranges];
			v = r->start + rnd() % (r->end - r->start);
		} else if (kind == 2) {
			v = hints[rnd() % 4] + (rnd() % (64u << 20)) - (32u << 20);
		} else {
			v = rnd() & 0x00007fffffffffffull; /* lower half ... */
			if (rnd() & 1)
				v |= 0xffff800000000000ull; /* ... or upper */
		}
		vas[i] = v & ~7ull;
		fprintf(in, "0x%" PRIx64 "\n", vas[i]);
	}
	fclose(in);
	/*
	 * The kdump-compressed dump (QEMU writes it flattened) must give the ELF dump's answers
	 * on every VA, byte for byte: with the roots given (R), and without them unless the ELF
	 * dump has no root in its notes (exit 2; x86 has CPU 0's CR3), from the kdump's notes.
	 */
	{
		char e[512], k[512], v[512], eo[512], ko[512], en[512], sh[8192];

		snprintf(e, sizeof(e), "%s", path_in("guest.elf"));
		snprintf(k, sizeof(k), "%s", path_in("guest.kdump"));
		snprintf(v, sizeof(v), "%s", path_in("vas.txt"));
		snprintf(eo, sizeof(eo), "%s", path_in("elf.out"));
		snprintf(ko, sizeof(ko), "%s", path_in("kdump.out"));
		snprintf(en, sizeof(en), "%s", path_in("elf-noroot.out"));
		snprintf(sh, sizeof(sh),
			 "P='%s translate --format %s'; R='--root 0x%" PRIx64 "';"
			 " $P $R --image %s <%s >%s 2>/dev/null; $P $R --image %s <%s >%s"
			 " 2>/dev/null; cmp -s %s %s || exit 1; $P --image %s <%s >%s 2>/dev/null;"
			 " [ $? = 2 ] || $P --image %s <%s 2>/dev/null | cmp -s - %s",
			 opt_ptkit, opt_format, root, e, v, eo, k, v, ko, eo, ko, e, v, en, k, v,
			 en);
		if (system(sh) != 0)
			die("ptkit translate on the kdump-compressed dump differs from the ELF "
			    "dump's (%s, %s)",
			    eo, ko);
	}
	printf("realguest: %s: kdump-compressed dump: the ELF dump's %u answers\n", opt_format,
	       opt_count);
	snprintf(cmd, sizeof(cmd), "%s translate --format %s --image %s --root 0x%" PRIx64 " <%s",
		 opt_ptkit, opt_format, path_in("guest.elf"), root, path_in("vas.txt"));
	in = popen(cmd, "r");
	if (!in)
		die("cannot run %s", cmd);
	for (unsigned i = 0; i < opt_count; i++) {
		char line[512], q[160], *g;
		unsigned long long va, pa = 0;
		bool ours, theirs;
		uint64_t qpa = 0;

		if (!fgets(line, sizeof(line), in))
			die("ptkit translate stopped after %u answers", i);
		if (sscanf(line, "0x%llx", &va) != 1 || va != vas[i])
			die("ptkit translate answered out of order: %s", line);
		/* An error answer (a corrupt walk) is no translation; QEMU's must say the same. */
		ours = sscanf(line, "0x%llx 0x%llx", &va, &pa) == 2;
		snprintf(q, sizeof(q), "gva2gpa 0x%" PRIx64, vas[i]);
		g = hmp(q);
		theirs = !strncmp(g, "gpa: 0x", 7) && sscanf(g + 7, "%" SCNx64, &qpa) == 1;
		if (!theirs && strncmp(g, "Unmapped", 8))
			die("gva2gpa 0x%" PRIx64 ": unexpected answer %.80s", vas[i], g);
		mapped += theirs;
		if (ours != theirs || (ours && pa != qpa)) {
			if (bad++ < 20)
				fprintf(stderr, "MISMATCH 0x%" PRIx64 ": ptkit '%.*s' QEMU '%.40s'\n",
					vas[i], (int)strcspn(line, "\n"), line, g);
		}
	}
	pclose(in);
	qmp_cmd("{\"execute\": \"quit\"}");
	waitpid(qemu_pid, NULL, 0);
	qemu_pid = 0;
	printf("realguest: %s: %u VAs (%u mapped, %zu mappings listed by ptkit dump): %u "
	       "mismatches\n",
	       opt_format, opt_count, mapped, nranges, bad);
	return bad ? 1 : 0;
}
