/* SPDX-License-Identifier: MIT */
/*
 * ptkit verify: check ptkit-built tables against a real MMU (QEMU's emulated CPU, or KVM).
 *
 * The campaign itself (random and edge-case specs, `ptkit build`, `ptkit translate --trace`,
 * the bare-metal probe in QEMU, the comparison of every access) is scripts/verify.py of the
 * source tree; this subcommand checks the arguments and what the campaign needs (the
 * script, python3, the QEMU system emulator and the compiler of the probe), then runs the
 * script with this binary as its --ptkit. The source tree is $PTKIT_SOURCE_DIR, else the
 * one this file was compiled from, else the directory above the binary's.
 */
#include "cli.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: ptkit verify --format F --count N [--seed S] [--accel tcg|kvm] [--workdir DIR]\n"
	"\n"
	"Check tables ptkit builds against a real MMU: generate N test VAs (random and edge\n"
	"cases) for format F, build the image, boot the bare-metal probe of tests/mmu/ in QEMU\n"
	"with it, and compare every kernel/user load, store and fetch with `ptkit translate`:\n"
	"same PA, same fault, same permission verdict, same accessed/dirty bits. Any difference\n"
	"prints the VA, the walk trace and both verdicts. Runs scripts/verify.py of the source\n"
	"tree (PTKIT_SOURCE_DIR overrides where that is) with this binary.\n"
	"\n"
	"  --count N      test VAs (1 to 100000; default 200)\n"
	"  --seed S       random seed (default: from the clock, printed)\n"
	"  --accel A      tcg (default) or kvm (x86_64 formats only)\n"
	"  --workdir DIR  keep spec, image, parameters and probe output there\n"
	"\n"
	"Exit status: 0 no disagreement, 1 disagreements or a broken run (missing QEMU,\n"
	"compiler or script included), 2 bad arguments, 77 skipped (e.g. no /dev/kvm).\n";

/* What a campaign for a format needs beyond python3: QEMU and the probe's compiler. */
static const struct {
	const char *prefix, *qemu, *qemu_pkg, *cc, *cc_pkg, *probe;
} arches[] = {
	{ "x86_64", "qemu-system-x86_64", "qemu-system-x86", "gcc", "gcc", "x86_64" },
	{ "arm64-", "qemu-system-aarch64", "qemu-system-arm", "aarch64-linux-gnu-gcc",
	  "gcc-aarch64-linux-gnu", "aarch64" },
	{ "riscv-", "qemu-system-riscv64", "qemu-system-misc", "riscv64-linux-gnu-gcc",
	  "gcc-riscv64-linux-gnu", "riscv64" },
	{ "ppc64-", "qemu-system-ppc64", "qemu-system-ppc", "powerpc64-linux-gnu-gcc",
	  "gcc-powerpc64-linux-gnu", "ppc64" },
};

/* Is name an executable in $PATH? */
static bool in_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	while (path && *path) {
		size_t n = strcspn(path, ":");
		if (n &&
		    (size_t)snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name) <
			    sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* dir + "/" + rel exists? Then fill out with it. */
static bool try_path(char *out, size_t len, const char *dir, size_t dlen, const char *rel)
{
	if ((size_t)snprintf(out, len, "%.*s/%s", (int)dlen, dir, rel) >= len)
		return false;
	return access(out, R_OK) == 0;
}

/* The source tree's root holding rel, or exit 1 saying where it was looked for. */
static void find_source(char *out, size_t len, const char *rel, char *root, size_t rlen)
{
	const char *env = getenv("PTKIT_SOURCE_DIR");
	const char *self = __FILE__, *cut = strstr(self, "tools/ptkit/cmd_verify.c");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		if (!try_path(out, len, env, strlen(env), rel))
			cli_fail("%s not found under PTKIT_SOURCE_DIR=%s", rel, env);
		snprintf(root, rlen, "%s", env);
		return;
	}
	/* The tree this binary was built from (CMake compiles with absolute paths). */
	if (cut && cut > self && try_path(out, len, self, (size_t)(cut - self - 1), rel)) {
		snprintf(root, rlen, "%.*s", (int)(cut - self - 1), self);
		return;
	}
	/* A binary in a build directory inside the tree, or in bin/ next to scripts/. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = 0;
			if (try_path(out, len, exe, strlen(exe), rel)) {
				snprintf(root, rlen, "%s", exe);
				return;
			}
		}
	}
	cli_fail("%s of the ptkit source tree not found (set PTKIT_SOURCE_DIR)", rel);
}

int cmd_verify(int argc, char **argv)
{
	const char *format = NULL, *count = NULL, *seed = NULL, *accel = NULL, *workdir = NULL;
	const struct cli_opt opts[] = {
		{ "--format", &format, NULL },	 { "--count", &count, NULL },
		{ "--seed", &seed, NULL },	 { "--accel", &accel, NULL },
		{ "--workdir", &workdir, NULL }, { NULL, NULL, NULL },
	};
	const char *pos[1], *args[16];
	char script[PATH_MAX], probe[PATH_MAX], root[PATH_MAX], exe[PATH_MAX], rel[64];
	char count_dec[24] = "200", seed_dec[24];
	const struct pt_format *fmt;
	unsigned a, n = 0;
	uint64_t v;
	ssize_t len;

	cli_parse_opts(argc, argv, opts, pos, 0, usage);
	fmt = cli_format(format);
	if (count) {
		v = cli_num_opt("--count", count);
		if (v < 1 || v > 100000)
			cli_usage_error("--count %s: must be 1 to 100000", count);
		snprintf(count_dec, sizeof(count_dec), "%llu", (unsigned long long)v);
	}
	/* The script takes decimal numbers only: pass ours (0x.., K/M suffixes) as such. */
	if (seed)
		snprintf(seed_dec, sizeof(seed_dec), "%llu",
			 (unsigned long long)cli_num_opt("--seed", seed));
	if (accel && strcmp(accel, "tcg") && strcmp(accel, "kvm"))
		cli_usage_error("--accel '%s': tcg or kvm", accel);
	for (a = 0; a < sizeof(arches) / sizeof(arches[0]); a++)
		if (!strncmp(fmt->name, arches[a].prefix, strlen(arches[a].prefix)))
			break;
	if (a == sizeof(arches) / sizeof(arches[0]))
		cli_fail("no QEMU probe for format %s", fmt->name);
	if (accel && !strcmp(accel, "kvm") && a != 0)
		cli_usage_error("--accel kvm: only the x86_64 formats run under KVM here");

	find_source(script, sizeof(script), "scripts/verify.py", root, sizeof(root));
	snprintf(rel, sizeof(rel), "tests/mmu/%s/probe.c", arches[a].probe);
	if (!try_path(probe, sizeof(probe), root, strlen(root), rel))
		cli_fail("the %s probe (%s) is missing from the source tree %s", arches[a].probe,
			 rel, root);
	if (!in_path("python3"))
		cli_fail("python3 not found: scripts/verify.py needs it");
	if (!in_path(arches[a].qemu))
		cli_fail("%s not found (scripts/install-deps.sh installs %s)", arches[a].qemu,
			 arches[a].qemu_pkg);
	if (!in_path(arches[a].cc))
		cli_fail("%s not found: the %s probe cannot be built (scripts/install-deps.sh "
			 "installs %s)",
			 arches[a].cc, arches[a].probe, arches[a].cc_pkg);
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		cli_fail("cannot find this binary's path (/proc/self/exe)");
	exe[len] = 0;

	args[n++] = "python3";
	args[n++] = script;
	args[n++] = "--ptkit";
	args[n++] = exe;
	args[n++] = "--format";
	args[n++] = fmt->name;
	args[n++] = "--count";
	args[n++] = count_dec;
	if (seed) {
		args[n++] = "--seed";
		args[n++] = seed_dec;
	}
	if (accel) {
		args[n++] = "--accel";
		args[n++] = accel;
	}
	if (workdir) {
		args[n++] = "--workdir";
		args[n++] = workdir;
	}
	args[n] = NULL;
	fflush(stdout);
	execvp("python3", (char *const *)args);
	cli_fail("cannot run python3 %s", script);
}
