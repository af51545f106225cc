#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the AArch64 MMU probe: build.sh OUTDIR -> OUTDIR/probe-aarch64.elf
# (Debian's gcc-aarch64-linux-gnu; override with PROBE_CC).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
CC=${PROBE_CC:-aarch64-linux-gnu-gcc}
mkdir -p "$out"
cflags="-O2 -std=c11 -Wall -Wextra -Werror -ffreestanding -nostdlib -fno-pic -fno-pie
	-mgeneral-regs-only -mstrict-align -fno-stack-protector -fno-asynchronous-unwind-tables
	-mbranch-protection=none -mcmodel=small"
# shellcheck disable=SC2086
$CC $cflags -c -o "$out/boot.o" "$here/boot.S"
# shellcheck disable=SC2086
$CC $cflags -c -o "$out/probe.o" "$here/probe.c"
# shellcheck disable=SC2086
$CC $cflags -static -no-pie -Wl,-T,"$here/link.ld" -Wl,-z,max-page-size=0x1000 \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-o "$out/probe-aarch64.elf" "$out/boot.o" "$out/probe.o"
