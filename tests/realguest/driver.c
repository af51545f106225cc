// SPDX-License-Identifier: MIT
/*
 * The real-guest check (scripts/realguest.sh, docs/VERIFICATION.md): boot a Debian kernel
 * under QEMU with tests/realguest/init.c as PID 1, stop the CPU while that process runs,
 * take the page-table root from the CPU registers and the memory with dump-guest-memory,
 * then ask `ptkit translate` and QEMU's own MMU code (the gva2gpa monitor command) about
 * the same VAs — inside every mapping `ptkit dump` lists and at random in both halves —
 * and fail on any difference. QEMU is driven through QMP on a unix socket; registers the
 * monitor does not show (arm64 TTBR0/1_EL1, ppc PIDR) are read through QEMU's gdbstub. What
 * differs between architectures (where the roots come from and how ptkit is given them,
 * whether the dump names one, the CPU state gva2gpa is asked from) is one row of the
 * arches[] table.
 *
 * usage: realguest_driver --qemu BIN --kernel VMLINUZ --initrd CPIO --format F --ptkit PATH
 *                         --workdir DIR [--cpu MODEL] [--machine M] [--count N] [--seed S]
 *                         [--mem MB] [--accel tcg|kvm]
 * --cpu "" leaves the machine's default CPU.
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

#include "gdbstub.h"

static const char *opt_qemu, *opt_kernel, *opt_initrd, *opt_format, *opt_ptkit, *opt_dir;
static const char *opt_cpu = "max", *opt_machine = NULL;
static const char *opt_mem = "1024", *opt_accel = "tcg";
static bool kernel_root_differs; /* the CPU's upper-half root is not the kernel's (KPTI) */
static bool opt_vmcoreinfo;	 /* QEMU's -device vmcoreinfo, where the machine has fw_cfg */
static unsigned opt_count = 2000;
static uint64_t rng = 0x853c49e6748fea9bull;
static pid_t qemu_pid;
/* Two streams on one socket: a single "r+" stream must not switch from reading to writing
 * without a seek (C11 7.21.5.3), which a socket cannot do, and buffered replies can be lost. */
static FILE *qmp_in, *qmp_out;

_Noreturn void die(const char *fmt, ...)
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
	if (opt_vmcoreinfo) { /* the guest's fw_cfg driver gives it the kernel's VMCOREINFO */
		argv[n++] = "-device";
		argv[n++] = "vmcoreinfo";
	}
	argv[n++] = "-gdb";
	argv[n++] = gdbopt;
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

/* A connection to QEMU's unix socket `name` in the work directory. */
static int unix_connect(const char *name)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path_in(name));
	for (int i = 0; i < 100; i++) {
		if (!connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return fd;
		usleep(100000);
	}
	die("cannot connect to %s", a.sun_path);
}

static void qmp_connect(void)
{
	int fd = unix_connect("qmp.sock"), fd2 = dup(fd);

	qmp_in = fdopen(fd, "r");
	qmp_out = fd2 < 0 ? NULL : fdopen(fd2, "w");
	if (!qmp_in || !qmp_out)
		die("QMP socket: %s", strerror(errno));
}

/* Send a command, return its response line ("return" or "error"; events skipped). */
static char *qmp_cmd(const char *fmt, ...)
{
	static char line[1 << 16];
	va_list ap;

	va_start(ap, fmt);
	vfprintf(qmp_out, fmt, ap);
	va_end(ap);
	fputc('\n', qmp_out);
	fflush(qmp_out);
	while (fgets(line, sizeof(line), qmp_in))
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

/* The format's VA halves, as `ptkit formats --halves` lists them. */
static struct {
	uint64_t first[2], last[2];
	bool two_roots;
} halves;

/* x86: CR3 from the monitor, as the CPU holds it (ptkit drops PCID / PWT / PCD itself). */
static void roots_x86(uint64_t root[2])
{
	char *regs = hmp("info registers"), *p;

	if ((p = strstr(regs, "CR3=")) && sscanf(p + 4, "%" SCNx64, &root[0]) == 1)
		return;
	die("no page-table root in 'info registers'");
}

/* arm64: TTBR0_EL1 and TTBR1_EL1, which the monitor does not show (ptkit drops ASID / CnP). */
static void roots_arm64(uint64_t root[2])
{
	gdb_attach(unix_connect("gdb.sock"), false);
	root[0] = gdb_read_reg("TTBR0_EL1");
	root[1] = gdb_read_reg("TTBR1_EL1");
}

/* Run cmd through the shell; its exit status (-1 when it did not exit). */
static int shell(const char *cmd)
{
	int st = system(cmd);

	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * QEMU's x86 ELF notes carry CR3 and CR4: without --root, ptkit takes CPU 0's CR3, the same
 * table; without --format, CR4.LA57 gives the format, the same one.
 */
static void auto_root_from_notes(const uint64_t root[2])
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "%s translate --core %s 0 2>&1 >/dev/null | tr '\\n' ' ' | grep -q 'no --format: "
		 "%s, from CPU 0.*the root table at 0x%" PRIx64 ", from CPU 0'",
		 opt_ptkit, path_in("guest.elf"), opt_format,
		 root[0] & UINT64_C(0x000ffffffffff000));
	if (shell(cmd) != 0)
		die("ptkit did not take the format and root from the dump's CPU state");
}

/*
 * QEMU's arm64 ELF notes carry no TTBR. Without --root, ptkit takes the kernel's root from
 * a VMCOREINFO note (there when the guest's fw_cfg driver met -device vmcoreinfo): it must
 * be TTBR1's table, unless TTBR1 holds KPTI's trampoline (an odd, user ASID: TCR_EL1.A1 puts
 * the ASID in TTBR1, bits 63:48). Without the note, ptkit must fail and ask for --root.
 */
static void auto_root_arm64(const uint64_t root[2])
{
	char cmd[2048], line[512];
	uint64_t table1 = root[1] & UINT64_C(0x0000fffffffff000), kernel = 0;
	bool vmcoreinfo = false;
	int rc;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s translate --format %s --image %s 0x%" PRIx64 " >%s 2>&1",
		 opt_ptkit, opt_format, path_in("guest.elf"), halves.first[1],
		 path_in("noroot.txt"));
	rc = shell(cmd);
	if (!(f = fopen(path_in("noroot.txt"), "r")))
		die("cannot read %s", path_in("noroot.txt"));
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "the root table at 0x");
		if (p && strstr(line, "swapper_pg_dir from the dump's VMCOREINFO"))
			vmcoreinfo = sscanf(p + 18, "0x%" SCNx64, &kernel) == 1;
	}
	fclose(f);
	if (!vmcoreinfo) {
		snprintf(cmd, sizeof(cmd), "grep -q -- '--root' %s", path_in("noroot.txt"));
		if (rc == 0 || shell(cmd) != 0)
			die("ptkit on an arm64 dump without CPU roots nor VMCOREINFO, given no --root, "
			    "did not fail asking for --root");
		printf("realguest: %s: no VMCOREINFO: ptkit asks for --root\n", opt_format);
	} else if (kernel == table1) {
		printf("realguest: %s: no --root: VMCOREINFO's swapper_pg_dir 0x%" PRIx64
		       ", TTBR1's table\n",
		       opt_format, kernel);
	} else if (root[1] >> 48 & 1) {
		kernel_root_differs = true;
		printf("realguest: %s: no --root: VMCOREINFO's swapper_pg_dir 0x%" PRIx64
		       " (TTBR1 holds KPTI's trampoline 0x%" PRIx64 ")\n",
		       opt_format, kernel, table1);
	} else {
		die("ptkit's root from VMCOREINFO 0x%" PRIx64 " is not TTBR1's table 0x%" PRIx64,
		    kernel, table1);
	}
}

/*
 * QEMU's gva2gpa walks with the permissions of the CPU's current regime: stopped at EL0,
 * kernel pages read as unmapped; at EL1 with PSTATE.PAN set, user pages do. Asked from EL1
 * with PAN clear, every valid leaf is readable, which is what ptkit answers; PSTATE is put
 * back afterwards. QEMU's gdb register cpsr has the SPSR_EL1 layout (DDI 0487): M[3:0]
 * 0b0101 is EL1h, PAN is bit 22. The same view serves both halves.
 */
static void view_arm64_el1(int half)
{
	static uint64_t cpsr;

	if (half < 0) {
		gdb_write_reg("cpsr", cpsr);
		return;
	}
	if (half > 0)
		return;
	cpsr = gdb_read_reg("cpsr");
	printf("realguest: %s: CPU stopped at EL%u, PAN %u; gva2gpa asked from EL1 without PAN\n",
	       opt_format, (unsigned)(cpsr >> 2 & 3), (unsigned)(cpsr >> 22 & 1));
	gdb_write_reg("cpsr", (cpsr & ~(UINT64_C(0xf) | UINT64_C(1) << 22)) | 5);
}

#define MSR_PR (UINT64_C(1) << 14) /* ppc: problem state (user mode) */
#define MSR_LE UINT64_C(1)	   /* ppc: little-endian mode */

/* ppc: register `name` ("PTCR", "MSR") as HMP 'info registers' prints it. */
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
}

/*
 * ppc64 radix on bare metal (powernv): no register holds a tree, so ptkit is given what the
 * MMU uses, PTCR (from the monitor) and PIDR (from the gdbstub: the monitor does not show
 * it), and finds both trees through the partition and process tables in the dump. PIDR is
 * the init's only while the init runs: a stop that lands in the kernel (an interrupt) is
 * resumed for a moment until MSR[PR] says user mode. The gdbstub is attached after that
 * (QEMU tells a connected client of every stop), in the byte order MSR[LE] gives.
 */
static void roots_ppc(uint64_t reg[2])
{
	uint64_t msr;

	for (int i = 0; !((msr = hmp_ppc_reg("MSR")) & MSR_PR); i++) {
		if (i == 200)
			die("ppc: the CPU stopped in the kernel 200 times (MSR 0x%" PRIx64 ")",
			    msr);
		qmp_cmd("{\"execute\": \"cont\"}");
		usleep(20000);
		qmp_cmd("{\"execute\": \"stop\"}");
	}
	reg[0] = hmp_ppc_reg("PTCR");
	gdb_attach(unix_connect("gdb.sock"), !(msr & MSR_LE));
	if (gdb_read_reg("msr") != msr)
		die("ppc: the gdbstub's MSR 0x%" PRIx64 " is not the monitor's 0x%" PRIx64,
		    gdb_read_reg("msr"), msr);
	reg[1] = gdb_read_reg("pid");
	printf("realguest: %s: stopped in user mode (MSR 0x%" PRIx64 "), PIDR %" PRIu64 "\n",
	       opt_format, msr, reg[1]);
}

static void root_opts_ppc(const uint64_t reg[2], char *opts, size_t len)
{
	snprintf(opts, len, "--ptcr 0x%" PRIx64 " --pid %" PRIu64, reg[0], reg[1]);
}

/*
 * QEMU's ppc dumps carry neither a root register ptkit reads nor VMCOREINFO (powernv has no
 * fw_cfg, and qemu-system-ppc64 no vmcoreinfo device): given no root, ptkit must fail
 * asking for one.
 */
static void auto_root_ppc(const uint64_t reg[2])
{
	char cmd[2048];

	(void)reg;
	snprintf(cmd, sizeof(cmd),
		 "%s translate --format %s --image %s 0x%" PRIx64 " >%s 2>&1; test $? = 2 && "
		 "grep -q -- 'no --root: .*no VMCOREINFO' %s",
		 opt_ptkit, opt_format, path_in("guest.elf"), halves.first[1],
		 path_in("noroot.txt"), path_in("noroot.txt"));
	if (shell(cmd) != 0)
		die("ptkit on a powernv dump (no CPU roots, no VMCOREINFO), given no root, did not "
		    "fail asking for --root (%s)",
		    path_in("noroot.txt"));
	printf("realguest: %s: no CPU roots nor VMCOREINFO in a powernv dump: ptkit asks for "
	       "--root\n",
	       opt_format);
}

/*
 * ppc: QEMU's gva2gpa checks the access with the CPU's privilege (MSR[PR]), so in user
 * mode every kernel page is "Unmapped" to it. Quadrant 0 is asked as stopped (user mode,
 * the init's PID); before quadrant 3, MSR[PR] is cleared through the gdbstub; MSR is put
 * back afterwards.
 */
static void view_ppc_kernel(int half)
{
	static uint64_t msr;

	if (half == 0)
		return;
	if (half < 0) {
		gdb_write_reg("msr", msr);
		return;
	}
	msr = gdb_read_reg("msr");
	gdb_write_reg("msr", msr & ~MSR_PR);
	if (hmp_ppc_reg("MSR") != (msr & ~MSR_PR))
		die("ppc: MSR[PR] could not be cleared through the gdbstub");
	printf("realguest: %s: quadrant 3 asked of gva2gpa with MSR[PR] cleared\n", opt_format);
}

/* What differs between the guests' architectures, by format name prefix. */
static const struct arch {
	const char *prefix;
	void (*roots)(uint64_t reg[2]); /* the root registers, as the CPU holds them */
	/* ptkit's options for them, or NULL: --root (and --root1 on a two-root format) */
	void (*root_opts)(const uint64_t reg[2], char *opts, size_t len);
	void (*check_auto_root)(const uint64_t reg[2]); /* ptkit on the ELF dump without roots */
	/* Before gva2gpa is asked about half 0 or 1, and (-1) after: NULL, the CPU as stopped */
	void (*mmu_view)(int half);
	bool vmcoreinfo; /* the machine has fw_cfg for -device vmcoreinfo: --root kernel */
	/* The memory attribute register leaves' types go through, read with the gdbstub after
	 * roots (NULL: none, or the gdbstub does not show it: x86's IA32_PAT). */
	const char *mem_attr_reg;
} arches[] = {
	{ "x86_64", roots_x86, NULL, auto_root_from_notes, NULL, true, NULL },
	{ "arm64-", roots_arm64, NULL, auto_root_arm64, view_arm64_el1, true, "MAIR_EL1" },
	{ "ppc64-radix", roots_ppc, root_opts_ppc, auto_root_ppc, view_ppc_kernel, false, NULL },
};

static const struct arch *arch_of(const char *format)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strncmp(format, arches[i].prefix, strlen(arches[i].prefix)))
			return &arches[i];
	die("no real-guest support for format %s", format);
}

/* Fill halves for opt_format. */
static void read_halves(void)
{
	char cmd[600], line[512], name[64], roots[16];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s formats --halves", opt_ptkit);
	if (!(p = popen(cmd, "r")))
		die("cannot run %s", cmd);
	while (fgets(line, sizeof(line), p))
		if (sscanf(line,
			   "%63s lower 0x%" SCNx64 "-0x%" SCNx64 " upper 0x%" SCNx64 "-0x%" SCNx64
			   " %15s",
			   name, &halves.first[0], &halves.last[0], &halves.first[1],
			   &halves.last[1], roots) == 6 &&
		    !strcmp(name, opt_format)) {
			halves.two_roots = !strcmp(roots, "two-roots");
			pclose(p);
			return;
		}
	pclose(p);
	die("'%s' does not list format %s", cmd, opt_format);
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

/* The guest's RAM: the ELF dump's PT_LOAD segments (physical address, size). */
static struct range ram[64];
static size_t nram;

static uint64_t elf_word(const unsigned char *p, int n, bool be)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[be ? n - 1 - i : i] << (8 * i);
	return v;
}

static void read_ram(const char *elf)
{
	unsigned char eh[64], ph[56];
	FILE *f = fopen(elf, "rb");
	bool be;

	if (!f || fread(eh, 1, sizeof(eh), f) != sizeof(eh) || memcmp(eh, "\177ELF", 4) ||
	    eh[4] != 2)
		die("%s: not an ELF64 file", elf);
	be = eh[5] == 2;
	for (uint64_t i = 0, n = elf_word(eh + 56, 2, be); i < n; i++) {
		if (fseek(f, (long)(elf_word(eh + 32, 8, be) + i * elf_word(eh + 54, 2, be)),
			  SEEK_SET) ||
		    fread(ph, 1, sizeof(ph), f) != sizeof(ph))
			die("%s: cannot read program header %" PRIu64, elf, i);
		if (elf_word(ph, 4, be) == 1 && nram < sizeof(ram) / sizeof(ram[0])) { /* PT_LOAD */
			uint64_t pa = elf_word(ph + 24, 8, be), size = elf_word(ph + 40, 8, be);
			ram[nram++] = (struct range){ pa, pa + size };
		}
	}
	fclose(f);
	if (!nram)
		die("%s: no PT_LOAD segment", elf);
}

static bool in_ram(uint64_t pa, uint64_t size)
{
	for (size_t i = 0; i < nram; i++)
		if (pa < ram[i].end && pa + size > ram[i].start)
			return true;
	return false;
}

/*
 * Leaves' memory types against what the kernel mapped: every leaf ptkit calls device (an
 * MMIO mapping: ioremap) must lie outside RAM, and there must be some (the UART, the
 * interrupt controller). Where the CPU's memory attribute register can be read (arm64
 * MAIR_EL1), `ptkit dump` without --memattr must print exactly what it prints with the
 * register's value: ptkit's default reads this kernel's tables right. roots "": the dump's
 * own (VMCOREINFO's kernel root).
 */
static void check_mem_types(const struct arch *arch, const char *roots)
{
	char cmd[2048], line[512];
	unsigned dev_out = 0, dev_in = 0;
	FILE *p;

	read_ram(path_in("guest.elf"));
	snprintf(cmd, sizeof(cmd), "%s dump --format %s --image %s %s >%s 2>/dev/null", opt_ptkit,
		 opt_format, path_in("guest.elf"), roots, path_in("dump-default.txt"));
	if (shell(cmd) < 0)
		die("cannot run %s", cmd);
	if (arch->mem_attr_reg) {
		uint64_t attr = gdb_read_reg(arch->mem_attr_reg);

		snprintf(cmd, sizeof(cmd),
			 "%s dump --format %s --image %s %s --memattr 0x%" PRIx64
			 " 2>/dev/null | cmp -s - %s",
			 opt_ptkit, opt_format, path_in("guest.elf"), roots, attr,
			 path_in("dump-default.txt"));
		if (shell(cmd) != 0)
			die("ptkit dump with --memattr 0x%" PRIx64 " (the CPU's %s) differs from "
			    "its default (%s)",
			    attr, arch->mem_attr_reg, path_in("dump-default.txt"));
		printf("realguest: %s: %s 0x%" PRIx64 ": ptkit dump lists the same memory types "
		       "without --memattr\n",
		       opt_format, arch->mem_attr_reg, attr);
	}
	if (!(p = fopen(path_in("dump-default.txt"), "r")))
		die("cannot read %s", path_in("dump-default.txt"));
	while (fgets(line, sizeof(line), p)) {
		unsigned long long s, e, pa;
		char size[32], level[32], flags[256];

		if (sscanf(line, "0x%llx-0x%llx %31s %31s %255s pa 0x%llx", &s, &e, size, level,
			   flags, &pa) != 6)
			continue;
		if (!strstr(flags, "device"))
			continue;
		if (in_ram(pa, e - s)) {
			if (dev_in++ < 5)
				fprintf(stderr, "DEVICE LEAF IN RAM: %s", line);
		} else {
			dev_out++;
		}
	}
	fclose(p);
	printf("realguest: %s: %u device mappings outside RAM, %u in RAM (%zu RAM ranges)\n",
	       opt_format, dev_out, dev_in, nram);
	if (dev_in || !dev_out)
		die("memory types: %s", dev_in ? "device mappings of RAM" : "no device mapping");
}

/*
 * The kernel's root from the dump's VMCOREINFO (--root kernel): every VA of the half the
 * kernel's tree serves must get the answer the process's root gave (checked against QEMU).
 */
static void check_kernel_root(const uint64_t *vas, char **answers)
{
	char cmd[2048], line[512];
	unsigned same = 0, n = 0;
	FILE *in;

	if (kernel_root_differs) {
		printf("realguest: %s: --root kernel not compared (the CPU's upper-half root is "
		       "KPTI's trampoline)\n",
		       opt_format);
		return;
	}
	if (!opt_vmcoreinfo) {
		printf("realguest: %s: --root kernel not checked (no fw_cfg on this machine for "
		       "-device vmcoreinfo: the dump has no VMCOREINFO)\n",
		       opt_format);
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "%s translate --core %s --root kernel <%s 2>%s && grep -q 'swapper_pg_dir from "
		 "the dump.s VMCOREINFO' %s",
		 opt_ptkit, path_in("guest.elf"), path_in("vas.txt"), path_in("kernel.err"),
		 path_in("kernel.err"));
	in = popen(cmd, "r");
	if (!in)
		die("cannot run %s", cmd);
	for (unsigned i = 0; i < opt_count && fgets(line, sizeof(line), in); i++) {
		if (vas[i] < halves.first[1])
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
	char ready[512], cmd[2048], roots[128];
	uint64_t roots_reg[2] = { 0 }, hints[4] = { 0 }, *vas;
	const struct arch *arch;
	FILE *in;
	char **answers;
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
	setvbuf(stdout, NULL, _IOLBF, 0); /* in order with ptkit's and QEMU's lines */
	if (!opt_qemu || !opt_kernel || !opt_initrd || !opt_format || !opt_ptkit || !opt_dir)
		die("usage: see the comment at the top of tests/realguest/driver.c");
	arch = arch_of(opt_format);
	opt_vmcoreinfo = arch->vmcoreinfo;
	read_halves();

	start_qemu();
	wait_ready(ready, sizeof(ready));
	qmp_connect();
	qmp_cmd("{\"execute\": \"qmp_capabilities\"}");
	qmp_cmd("{\"execute\": \"stop\"}");
	arch->roots(roots_reg);
	if (arch->root_opts)
		arch->root_opts(roots_reg, roots, sizeof(roots));
	else if (halves.two_roots)
		snprintf(roots, sizeof(roots), "--root 0x%" PRIx64 " --root1 0x%" PRIx64,
			 roots_reg[0], roots_reg[1]);
	else
		snprintf(roots, sizeof(roots), "--root 0x%" PRIx64, roots_reg[0]);
	{
		char *r = strstr(ready, "anon ");
		if (!r ||
		    sscanf(r, "anon %" SCNx64 " huge %" SCNx64 " rodata %" SCNx64 " text %" SCNx64,
			   &hints[0], &hints[1], &hints[2], &hints[3]) != 4)
			die("cannot read the guest's READY line: %s", ready);
	}
	printf("realguest: %s: guest ready, %s\n", opt_format, roots);
	qmp_cmd("{\"execute\": \"dump-guest-memory\", \"arguments\": {\"paging\": false, "
		"\"protocol\": \"file:%s\"}}",
		path_in("guest.elf"));
	qmp_cmd("{\"execute\": \"dump-guest-memory\", \"arguments\": {\"paging\": false, "
		"\"protocol\": \"file:%s\", \"format\": \"kdump-zlib\"}}",
		path_in("guest.kdump"));

	/* Without --root: the root the dump names, or a clear refusal where it names none. */
	arch->check_auto_root(roots_reg);

	snprintf(cmd, sizeof(cmd), "%s dump --format %s --image %s %s 2>&1", opt_ptkit, opt_format,
		 path_in("guest.elf"), roots);
	read_dump(cmd);

	/* VAs: inside listed mappings, near the init's own, and anywhere. */
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
			int h = (int)(rnd() & 1); /* lower or upper half */
			v = halves.first[h] + rnd() % (halves.last[h] - halves.first[h] + 1);
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
			 "P='%s translate --format %s'; R='%s';"
			 " $P $R --image %s <%s >%s 2>/dev/null; $P $R --image %s <%s >%s"
			 " 2>/dev/null; cmp -s %s %s || exit 1; $P --image %s <%s >%s 2>/dev/null;"
			 " [ $? = 2 ] || $P --image %s <%s 2>/dev/null | cmp -s - %s",
			 opt_ptkit, opt_format, roots, e, v, eo, k, v, ko, eo, ko, e, v, en, k, v,
			 en);
		if (system(sh) != 0)
			die("ptkit translate on the kdump-compressed dump differs from the ELF "
			    "dump's (%s, %s)",
			    eo, ko);
	}
	printf("realguest: %s: kdump-compressed dump: the ELF dump's %u answers\n", opt_format,
	       opt_count);
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
		if (!(answers[i] = strdup(line)))
			die("out of memory");
	}
	pclose(in);
	/* QEMU's answers: the lower half's VAs, then the upper half's (each in its view). */
	for (int h = 0; h < 2; h++) {
		if (arch->mmu_view)
			arch->mmu_view(h);
		for (unsigned i = 0; i < opt_count; i++) {
			char q[160], *g;
			unsigned long long va, pa = 0;
			bool ours, theirs;
			uint64_t qpa = 0;

			if ((vas[i] >= halves.first[1]) != h)
				continue;
			/* An error answer (a corrupt walk) is no translation; QEMU's must say
			 * the same. */
			ours = sscanf(answers[i], "0x%llx 0x%llx", &va, &pa) == 2;
			snprintf(q, sizeof(q), "gva2gpa 0x%" PRIx64, vas[i]);
			g = hmp(q);
			theirs = !strncmp(g, "gpa: 0x", 7) && sscanf(g + 7, "%" SCNx64, &qpa) == 1;
			if (!theirs && strncmp(g, "Unmapped", 8))
				die("gva2gpa 0x%" PRIx64 ": unexpected answer %.80s", vas[i], g);
			mapped += theirs;
			upper += theirs && h;
			if ((ours != theirs || (ours && pa != qpa)) && bad++ < 20)
				fprintf(stderr, "MISMATCH 0x%" PRIx64 ": ptkit '%s' QEMU '%.*s'\n",
					vas[i], answers[i], (int)strcspn(g, "\\\""), g);
		}
	}
	if (arch->mmu_view)
		arch->mmu_view(-1);
	check_kernel_root(vas, answers);
	/* KPTI: TTBR1 holds the trampoline; the kernel's mappings are VMCOREINFO's root's. */
	check_mem_types(arch, kernel_root_differs ? "" : roots);
	qmp_cmd("{\"execute\": \"quit\"}");
	waitpid(qemu_pid, NULL, 0);
	qemu_pid = 0;
	printf("realguest: %s: %u VAs (%u mapped, %u of them in the upper half; %zu mappings "
	       "listed by ptkit dump): %u mismatches\n",
	       opt_format, opt_count, mapped, upper, nranges, bad);
	for (unsigned i = 0; i < opt_count; i++)
		free(answers[i]);
	free(answers);
	free(vas);
	free(ranges);
	return bad ? 1 : 0;
}
