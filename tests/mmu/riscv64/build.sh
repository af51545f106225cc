#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the RISC-V MMU probe: build.sh OUTDIR -> OUTDIR/probe-riscv64.elf (booted by
# qemu-system-riscv64 -machine virt -bios none -kernel, entered in M-mode at 0x80000000).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
CC=${PROBE_CC:-riscv64-linux-gnu-gcc}
command -v "$CC" >/dev/null 2>&1 || {
	echo "build.sh: $CC not found (scripts/install-deps.sh installs gcc-riscv64-linux-gnu)" >&2
	exit 1
}
mkdir -p "$out"
cflags="-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax -O2 -std=c11
	-Wall -Wextra -Werror -ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector
	-fno-asynchronous-unwind-tables"
# shellcheck disable=SC2086
$CC $cflags -c -o "$out/boot.o" "$here/boot.S"
# shellcheck disable=SC2086
$CC $cflags -c -o "$out/probe.o" "$here/probe.c"
# shellcheck disable=SC2086
$CC $cflags -static -no-pie -Wl,-T,"$here/link.ld" -Wl,-z,max-page-size=0x1000 \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-o "$out/probe-riscv64.elf" "$out/boot.o" "$out/probe.o"
