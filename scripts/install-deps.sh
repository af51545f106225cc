#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian packages ptkit needs, only those that are missing. Silent (and
# offline-safe) when everything is already installed. Later issues extend PTKIT_DEPS
# (qemu-system-*, valgrind, ...); the environment may override it.
set -eu

PTKIT_DEPS=${PTKIT_DEPS:-"gcc cmake make python3 binutils pkgconf qemu-system-x86 liburcu-dev gcc-riscv64-linux-gnu qemu-system-misc gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm gcc-powerpc64-linux-gnu qemu-system-ppc gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross curl zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev groff-base dpkg-dev file abigail-tools doxygen python3-pytest"}

# dpkg -s alone succeeds for removed packages that left config files: read the status.
installed() {
	dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

# Optional: the fuzz targets of make test / make fuzz (docs/FUZZING.md) need clang and its
# libFuzzer runtime. If they cannot be installed, the fuzz build is skipped (a CMake STATUS
# line), so a failure to install them is only a warning. makedumpfile (-R: a second source
# of plain kdump files) and libkdumpfile-dev (a second opinion on them) serve the kdump
# tests, which skip what they need when missing (docs/DUMPS.md). gdb (x86 only in Debian) and
# gdb-multiarch (arm64, RISC-V, ppc64; both with Python) serve the gdb_pt tests of the `pt`
# command (docs/GDB.md), skipped for an architecture no installed gdb supports; gdbserver
# is the stub that is not QEMU's (gdb_pt_not_qemu). lintian checks the Debian packages of
# make deb (deb_contents, docs/PACKAGING.md), which skips it when missing.
PTKIT_OPTIONAL_DEPS=${PTKIT_OPTIONAL_DEPS:-"clang libclang-rt-14-dev makedumpfile libkdumpfile-dev gdb gdb-multiarch gdbserver lintian"}

# --run: only what `make run` (the CLI and its demo) needs beyond gcc, cmake and make: the
# mm layer's liburcu, for the demo's get_user_pages part.
if [ "${1:-}" = --run ]; then
	PTKIT_DEPS=${PTKIT_RUN_DEPS:-"liburcu-dev"}
	PTKIT_OPTIONAL_DEPS=
fi

if ! command -v dpkg >/dev/null 2>&1; then
	# Not Debian: we cannot install, only say what is missing.
	for p in $PTKIT_DEPS; do
		command -v "$p" >/dev/null 2>&1 || echo "install-deps: not a Debian system; please install $p" >&2
	done
	exit 0
fi

missing=
for p in $PTKIT_DEPS; do
	installed "$p" || missing="$missing $p"
done
optional=
for p in $PTKIT_OPTIONAL_DEPS; do
	installed "$p" || optional="$optional $p"
done
[ -n "$missing$optional" ] || exit 0

sudo=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo=sudo
	elif [ -z "$missing" ]; then
		echo "install-deps: optional packages missing:$optional (what needs them is skipped)" >&2
		exit 0
	else
		echo "install-deps: missing packages:$missing (run as root or install sudo)" >&2
		exit 1
	fi
fi

apt_get() {
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get -y -q "$@"
}
if [ -n "$optional" ]; then
	echo "install-deps: installing (optional)$optional"
	# shellcheck disable=SC2086
	if ! apt_get install --no-install-recommends $optional; then
		apt_get update || true
		# shellcheck disable=SC2086
		apt_get install --no-install-recommends $optional ||
			echo "install-deps: could not install$optional: what needs them is skipped" >&2
	fi
fi
[ -n "$missing" ] || exit 0
echo "install-deps: installing$missing"
# shellcheck disable=SC2086
if ! apt_get install --no-install-recommends $missing; then
	# A fresh image has empty package lists: refresh them once and retry.
	apt_get update
	apt_get install --no-install-recommends $missing
fi
