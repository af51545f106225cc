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
 *                         [--mem MB] [--accel tcg|kvm]
 * --cpu "" leaves the machine's default CPU.
 *
 * What differs between guests (where the roots come from, which VAs exist, what the CPU
 * must be for QEMU to answer) is one entry of `guests` below, chosen by the format.
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
static const char *opt_mem = "1024", *opt_accel = "tcg";
static bool opt_vmcoreinfo; /* the guest's, set before QEMU starts */
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
	char serial[600], qmpopt[600], gdbopt[600];

	snprintf(serial, sizeof(serial), "file:%s", path_in("console.log"));
	snprintf(qmpopt, sizeof(qmpopt), "unix:%s,server=on,wait=off", path_in("qmp.sock"));
	snprintf(gdbopt, sizeof(gdbopt), "unix:%s,server=on,wait=off", path_in("gdb.sock"));
	unlink(path_in("qmp.sock"));
	unlink(path_in("gdb.sock"));
	unlink(path_in("console.log")); /* an old READY line must not count */
	argv[n++] = opt_qemu;
	if (opt_machine) {
		argv[n++] = "-M";
		argv[n++] = opt_machine;
	}
	if (opt_cpu[0]) {
		argv[n++] = "-cpu";
		argv[n++] = opt_cpu;
	}
	argv[n++] = "-m";
	argv[n++] = opt_mem;
	argv[n++] = "-accel";
	argv[n++] = opt_accel;
	argv[n++] = "-display";
	argv[n++] = "none";
	argv[n++] = "-no-reboot";
	argv[n++] = "-serial";
	argv[n++] = serial;
	argv[n++] = "-qmp";
	argv[n++] = qmpopt;
	argv[n++] = "-gdb";
	argv[n++] = gdbopt;
	if (opt_vmcoreinfo) {
		argv[n++] =
			"-device"; /* the guest's fw_cfg driver gives it the kernel's VMCOREINFO */
		argv[n++] = "vmcoreinfo";
	}
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

/* The register `name` ("PTCR", "MSR") as HMP `info registers` prints it on ppc. */
static uint64_t hmp_ppc_reg(const char *name)
{
	char *regs = hmp("info registers"), key[32], *p;
	uint64_t v;

	snprintf(key, sizeof(key), "%s ", name);
	for (p = regs; (p = strstr(p, key)); p++)
		/* At a line start (JSON "\\n") or after a space: not the end of "HMSR". */
		if ((p == regs || p[-1] == ' ' || (p - regs >= 2 && !memcmp(p - 2, "\\n", 2))) &&
		    sscanf(p + strlen(key), "%" SCNx64, &v) == 1)
			return v;
	die("no %s in 'info registers'", name);
	return 0;
}

/*
 * QEMU's gdbstub (GDB remote serial protocol on the unix socket of -gdb), for registers HMP
 * does not print (ppc: PIDR). Register numbers come from the target description
 * (qXfer:features:read), counted as GDB does: in document order, a regnum attribute
 * restarting the count. Reading the description is also what makes QEMU answer `p`.
 * Never `g`: QEMU 7.2 asserts on it for POWER9. Connected on first use, once the CPU is
 * stopped for good: QEMU notifies a connected client of every stop.
 */
static FILE *gdb;

static void gdb_connect(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path_in("gdb.sock"));
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)))
		die("cannot connect to the gdbstub at %s: %s", a.sun_path, strerror(errno));
	gdb = fdopen(fd, "r+");
	if (!gdb)
		die("fdopen: %s", strerror(errno));
}

/* Send one packet, return the reply's body (static buffer, NUL-terminated). */
static char *gdb_req(const char *body)
{
	static char reply[1 << 16];
	unsigned sum = 0;
	size_t n = 0;
	int c;

	for (const char *p = body; *p; p++)
		sum += (unsigned char)*p;
	if (!gdb)
		gdb_connect();
	fprintf(gdb, "$%s#%02x", body, sum & 0xff);
	fflush(gdb);
	do { /* skipping stop notifications ('T05...'), which none of our requests get */
		n = 0;
		while ((c = fgetc(gdb)) != EOF && c != '$')
			; /* the '+' acknowledging ours */
		while ((c = fgetc(gdb)) != EOF && c != '#')
			if (n < sizeof(reply) - 1)
				reply[n++] = (char)c;
		if (c == EOF || fgetc(gdb) == EOF || fgetc(gdb) == EOF)
			die("gdbstub: connection closed (request %.40s)", body);
		reply[n] = 0;
		fputc('+', gdb);
		fflush(gdb);
	} while (reply[0] == 'T' || reply[0] == 'S');
	return reply;
}

/* The whole of feature document `name` (malloc'd). */
static char *gdb_xfer(const char *name)
{
	size_t len = 0;
	char *doc = NULL, req[256];

	for (;;) {
		char *r;
		size_t n;

		snprintf(req, sizeof(req), "qXfer:features:read:%s:%zx,fff", name, len);
		r = gdb_req(req);
		if (r[0] != 'm' && r[0] != 'l')
			die("gdbstub: cannot read %s: '%.40s'", name, r);
		n = strlen(r + 1);
		doc = realloc(doc, len + n + 1);
		if (!doc)
			die("out of memory");
		memcpy(doc + len, r + 1, n + 1);
		len += n;
		if (r[0] == 'l')
			return doc;
	}
}

/* Number register `name` in document doc, counting from *next; -1 if it is not there. */
static int gdb_find_reg(const char *doc, const char *name, int *next)
{
	for (const char *p = doc; (p = strstr(p, "<reg ")); p++) {
		const char *end = strchr(p, '>'), *a;
		char want[80];

		if (!end)
			break;
		a = strstr(p, "regnum=\"");
		if (a && a < end)
			*next = atoi(a + 8);
		snprintf(want, sizeof(want), "name=\"%s\"", name);
		a = strstr(p, want);
		if (a && a < end)
			return *next;
		(*next)++;
	}
	return -1;
}

static int gdb_regnum(const char *name)
{
	char *top, *p;
	int next = 0, n = -1;

	gdb_req("qSupported:xmlRegisters=i386;qXfer:features:read+");
	top = gdb_xfer("target.xml");
	for (p = top; n < 0 && (p = strstr(p, "href=\"")); p++) {
		char file[128];
		char *doc;

		if (sscanf(p + 6, "%127[^\"]", file) != 1)
			break;
		doc = gdb_xfer(file);
		n = gdb_find_reg(doc, name, &next);
		free(doc);
	}
	if (n < 0)
		n = gdb_find_reg(top, name, &next);
	free(top);
	if (n < 0)
		die("gdbstub: no register '%s' in the target description", name);
	return n;
}

/* Register n's 8 bytes, in the byte order they come in (little: QEMU swaps for MSR[LE]). */
static uint64_t gdb_read_reg(int n, bool little)
{
	char req[32], *r;
	uint64_t v = 0;

	snprintf(req, sizeof(req), "p%x", n);
	r = gdb_req(req);
	if (strlen(r) != 16)
		die("gdbstub: register %d: '%.40s'", n, r);
	for (int i = 0; i < 8; i++) {
		unsigned b;
		if (sscanf(r + 2 * i, "%2x", &b) != 1)
			die("gdbstub: register %d: '%.40s'", n, r);
		v |= (uint64_t)b << (little ? 8 * i : 56 - 8 * i);
	}
	return v;
}

static void gdb_write_reg(int n, uint64_t v, bool little)
{
	char req[64];
	int k = snprintf(req, sizeof(req), "P%x=", n);

	for (int i = 0; i < 8; i++)
		k += snprintf(req + k, sizeof(req) - (size_t)k, "%02x",
			      (unsigned)(v >> (little ? 8 * i : 56 - 8 * i)) & 0xff);
	if (strcmp(gdb_req(req), "OK"))
		die("gdbstub: cannot write register %d", n);
}

/* ---- what differs between guests ---- */

#define MSR_PR (1ull << 14) /* ppc: problem state (user mode) */
#define MSR_LE 1ull

/* x86: CR3, as the CPU holds it (ptkit drops PCID / PWT / PCD itself). */
static void roots_x86(char *opts, size_t len)
{
	snprintf(opts, len, "--root 0x%" PRIx64, root_register());
}

/*
 * ppc64 radix on bare metal (powernv): PTCR from HMP, PIDR from the gdbstub; ptkit finds
 * both trees through the partition and process tables in the dump.
 */
static void roots_ppc(char *opts, size_t len)
{
	uint64_t ptcr, msr, pid;

	/* The init spins in user space, but a stop may land in an interrupt: run on a little. */
	for (int i = 0; !((msr = hmp_ppc_reg("MSR")) & MSR_PR); i++) {
		if (i == 200)
			die("ppc: the CPU stopped in the kernel 200 times (MSR 0x%" PRIx64 ")",
			    msr);
		qmp_cmd("{\"execute\": \"cont\"}");
		usleep(20000);
		qmp_cmd("{\"execute\": \"stop\"}");
	}
	ptcr = hmp_ppc_reg("PTCR");
	pid = gdb_read_reg(gdb_regnum("pid"), msr & MSR_LE);
	printf("realguest: ppc: stopped in user mode (MSR 0x%" PRIx64 "), PIDR %" PRIu64 "\n", msr,
	       pid);
	snprintf(opts, len, "--ptcr 0x%" PRIx64 " --pid %" PRIu64, ptcr, pid);
}

/*
 * ppc: QEMU's gva2gpa checks the access with the CPU's current privilege, so in user mode
 * every kernel (privileged) page is "Unmapped". After the user half was compared, clear
 * MSR[PR] through the gdbstub (the guest never runs again) so that kernel VAs are answered.
 */
static void kernel_mode_ppc(void)
{
	uint64_t msr = hmp_ppc_reg("MSR");
	int n = gdb_regnum("msr");

	gdb_write_reg(n, msr & ~MSR_PR, msr & MSR_LE);
	if (hmp_ppc_reg("MSR") != (msr & ~MSR_PR))
		die("ppc: MSR[PR] could not be cleared through the gdbstub");
}

struct guest {
	const char *format_prefix; /* the ptkit formats it applies to */
	/* The VAs sampled at random in each half: base | (random & mask). */
	uint64_t half_base[2], half_mask[2];
	bool cpu_root_note; /* the ELF dump's CPU notes give the root (ptkit, no --root) */
	bool vmcoreinfo;    /* QEMU's vmcoreinfo device (fw_cfg): --root kernel is checked */
	void (*roots)(char *opts, size_t len); /* ptkit's root options */
	void (*upper_mode)(void);	       /* before the upper half is asked of QEMU, or NULL */
};

static const struct guest guests[] = {
	{ .format_prefix = "x86_64",
	  .half_base = { 0, 0xffff800000000000ull },
	  .half_mask = { 0x00007fffffffffffull, 0x00007fffffffffffull },
	  .cpu_root_note = true,
	  .vmcoreinfo = true,
	  .roots = roots_x86 },
	/* Quadrant 0 (user, up to Linux's 4 PiB) and quadrant 3 (kernel: EA bits 61:52 zero). */
	{ .format_prefix = "ppc64-radix",
	  .half_base = { 0, 0xc000000000000000ull },
	  .half_mask = { 0x000fffffffffffffull, 0x000fffffffffffffull },
	  .roots = roots_ppc,
	  .upper_mode = kernel_mode_ppc },
};

static const struct guest *guest_of(const char *format)
{
	for (size_t i = 0; i < sizeof(guests) / sizeof(guests[0]); i++)
		if (!strncmp(format, guests[i].format_prefix, strlen(guests[i].format_prefix)))
			return &guests[i];
	die("no guest description for format %s", format);
	return NULL;
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
			continue; /* leaves only: shared tables and self-maps are not sampled here
				   */
		if (nranges == cap) {
			cap = cap ? 2 * cap : 1024;
			ranges = realloc(ranges, cap * sizeof(*ranges));
			if (!ranges)
				die("out of memory");
		}
		ranges[nranges++] = (struct range){ s, e };
	}
	if (pclose(p) != 0)
		fprintf(stderr,
			"realguest: note: ptkit dump reported problems (its listing is used "
			"as far as it goes)\n");
	if (!nranges)
		die("ptkit dump listed no mapping");
}

/*
 * The kernel's root from the dump's VMCOREINFO (--root kernel): every VA of the half the
 * kernel's tree serves must get the answer the process's root gave (checked against QEMU).
 */
static void check_kernel_root(const uint64_t *vas, char **answers, uint64_t upper_base)
{
	char cmd[2048], line[512];
	unsigned same = 0, n = 0;
	FILE *in;

	snprintf(cmd, sizeof(cmd),
		 "%s translate --core %s --root kernel <%s 2>%s && grep -q 'swapper_pg_dir from "
		 "the dump.s VMCOREINFO' %s",
		 opt_ptkit, path_in("guest.elf"), path_in("vas.txt"), path_in("kernel.err"),
		 path_in("kernel.err"));
	in = popen(cmd, "r");
	if (!in)
		die("cannot run %s", cmd);
	for (unsigned i = 0; i < opt_count && fgets(line, sizeof(line), in); i++) {
		if (vas[i] < upper_base)
			continue;
		n++;
		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line, answers[i]))
			same++;
		else if (n - same <= 10)
			fprintf(stderr, "KERNEL-ROOT MISMATCH: '%.*s' vs '%.*s'\n",
				(int)strcspn(line, "\n"), line, (int)strcspn(answers[i], "\n"),
				answers[i]);
	}
	if (pclose(in) != 0) {
		snprintf(cmd, sizeof(cmd), "cat '%s' >&2", path_in("kernel.err"));
		if (system(cmd) != 0)
			fprintf(stderr, "(no stderr)\n");
		die("ptkit translate --root kernel failed (no VMCOREINFO in the dump?)");
	}
	printf("realguest: %s: --root kernel (VMCOREINFO): %u of %u upper-half VAs answered as "
	       "with the CPU's root\n",
	       opt_format, same, n);
	if (same != n || !n)
		die("the kernel's root from VMCOREINFO disagrees");
}

int main(int argc, char **argv)
{
	char ready[512], cmd[2048], roots[256], **answers;
	uint64_t hints[4] = { 0 }, *vas;
	const struct guest *g;
	FILE *in;
	unsigned bad = 0, mapped = 0, upper = 0;

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
		else if (!strcmp(o, "--mem"))
			opt_mem = v;
		else if (!strcmp(o, "--accel"))
			opt_accel = v;
		else if (!strcmp(o, "--count"))
			opt_count = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(o, "--seed"))
			rng ^= strtoull(v, NULL, 0) * 0x9e3779b97f4a7c15ull;
		else
			die("unknown option %s", o);
	}
	if (!opt_qemu || !opt_kernel || !opt_initrd || !opt_format || !opt_ptkit || !opt_dir)
		die("usage: see the comment at the top of tests/realguest/driver.c");

	g = guest_of(opt_format);
	opt_vmcoreinfo = g->vmcoreinfo; /* powernv has no fw_cfg for the device */
	start_qemu();
	wait_ready(ready, sizeof(ready));
	qmp_connect();
	qmp_cmd("{\"execute\": \"qmp_capabilities\"}");
	qmp_cmd("{\"execute\": \"stop\"}");
	g->roots(roots, sizeof(roots));
	{
		char *r = strstr(ready, "anon ");
		if (!r ||
		    sscanf(r, "anon %" SCNx64 " huge %" SCNx64 " rodata %" SCNx64 " text %" SCNx64,
			   &hints[0], &hints[1], &hints[2], &hints[3]) != 4)
			die("cannot read the guest's READY line: %s", ready);
	}
	printf("realguest: %s: guest ready, roots: %s\n", opt_format, roots);
	qmp_cmd("{\"execute\": \"dump-guest-memory\", \"arguments\": {\"paging\": false, "
		"\"protocol\": \"file:%s\"}}",
		path_in("guest.elf"));
	qmp_cmd("{\"execute\": \"dump-guest-memory\", \"arguments\": {\"paging\": false, "
		"\"protocol\": \"file:%s\", \"format\": \"kdump-zlib\"}}",
		path_in("guest.kdump"));

	/* A kdump-compressed dump: refused by name until ptkit reads it (never misread). */
	snprintf(cmd, sizeof(cmd),
		 "%s translate --format %s --image %s %s"
		 " 0 2>&1 | grep -q \"kdump.*cannot read yet\"",
		 opt_ptkit, opt_format, path_in("guest.kdump"), roots);
	if (system(cmd) != 0)
		die("ptkit did not refuse the kdump-compressed dump by name");

	/*
	 * Without --root, ptkit takes CPU 0's CR3 from the dump's QEMU notes: the same table;
	 * without --format, CR4.LA57 gives the format: the same one.
	 */
	if (g->cpu_root_note) {
		snprintf(cmd, sizeof(cmd),
			 "%s translate --core %s 0 2>&1 >/dev/null | tr '\\n' ' ' | grep -q 'no "
			 "--format: %s, from CPU 0.*the root table at 0x%" PRIx64 ", from CPU 0'",
			 opt_ptkit, path_in("guest.elf"), opt_format,
			 root_register() & UINT64_C(0x000ffffffffff000));
		if (system(cmd) != 0)
			die("ptkit did not take the format and root from the dump's CPU state");
	}

	snprintf(cmd, sizeof(cmd), "%s dump --format %s --image %s %s 2>&1", opt_ptkit, opt_format,
		 path_in("guest.elf"), roots);
	read_dump(cmd);

	/* VAs: inside listed mappings, near the init's own, and anywhere in either half. */
	vas = calloc(opt_count, sizeof(*vas));
	answers = calloc(opt_count, sizeof(*answers));
	in = fopen(path_in("vas.txt"), "w");
	if (!vas || !answers || !in)
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
			int h = (int)(rnd() & 1);
			v = g->half_base[h] | (rnd() & g->half_mask[h]);
		}
		vas[i] = v & ~7ull;
		fprintf(in, "0x%" PRIx64 "\n", vas[i]);
	}
	fclose(in);
	snprintf(cmd, sizeof(cmd), "%s translate --format %s --image %s %s <%s", opt_ptkit,
		 opt_format, path_in("guest.elf"), roots, path_in("vas.txt"));
	in = popen(cmd, "r");
	if (!in)
		die("cannot run %s", cmd);
	for (unsigned i = 0; i < opt_count; i++) {
		char line[512];
		unsigned long long va;

		if (!fgets(line, sizeof(line), in))
			die("ptkit translate stopped after %u answers", i);
		if (sscanf(line, "0x%llx", &va) != 1 || va != vas[i])
			die("ptkit translate answered out of order: %s", line);
		line[strcspn(line, "\n")] = 0;
		answers[i] = strdup(line);
		if (!answers[i])
			die("out of memory");
	}
	pclose(in);
	/* QEMU's answers, the lower half first (the CPU as stopped), then the upper half. */
	for (int h = 0; h < 2; h++) {
		if (h == 1 && g->upper_mode)
			g->upper_mode();
		for (unsigned i = 0; i < opt_count; i++) {
			char q[160], *gq;
			unsigned long long va, pa = 0;
			bool ours, theirs;
			uint64_t qpa = 0;

			if ((vas[i] >= g->half_base[1]) != h)
				continue;
			/* An error answer (a corrupt walk) is no translation; QEMU's must say so
			 * too. */
			ours = sscanf(answers[i], "0x%llx 0x%llx", &va, &pa) == 2;
			snprintf(q, sizeof(q), "gva2gpa 0x%" PRIx64, vas[i]);
			gq = hmp(q);
			theirs =
				!strncmp(gq, "gpa: 0x", 7) && sscanf(gq + 7, "%" SCNx64, &qpa) == 1;
			if (!theirs && strncmp(gq, "Unmapped", 8))
				die("gva2gpa 0x%" PRIx64 ": unexpected answer %.80s", vas[i], gq);
			mapped += theirs;
			upper += theirs && h;
			if (ours != theirs || (ours && pa != qpa)) {
				if (bad++ < 20)
					fprintf(stderr,
						"MISMATCH 0x%" PRIx64 ": ptkit '%s' QEMU '%.*s'\n",
						vas[i], answers[i], (int)strcspn(gq, "\\\""), gq);
			}
		}
	}
	if (g->vmcoreinfo)
		check_kernel_root(vas, answers, g->half_base[1]);
	qmp_cmd("{\"execute\": \"quit\"}");
	waitpid(qemu_pid, NULL, 0);
	qemu_pid = 0;
	printf("realguest: %s: %u VAs (%u mapped, %u of them in the upper half; %zu mappings "
	       "listed by ptkit dump): %u mismatches\n",
	       opt_format, opt_count, mapped, upper, nranges, bad);
	return bad ? 1 : 0;
}
