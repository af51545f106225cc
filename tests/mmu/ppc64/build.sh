#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the ppc64 MMU probe: build.sh OUTDIR -> OUTDIR/probe-ppc64.bin (raw image booted by
# qemu-system-ppc64 -machine powernv9 -bios, at real address 0, entered at 0x10 in
# hypervisor mode) and OUTDIR/probe-ppc64.elf (for objdump).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
CC=${PROBE_CC:-powerpc64-linux-gnu-gcc}
OBJCOPY=${PROBE_OBJCOPY:-powerpc64-linux-gnu-objcopy}
command -v "$CC" >/dev/null 2>&1 || {
	echo "build.sh: $CC not found (scripts/install-deps.sh installs gcc-powerpc64-linux-gnu)" >&2
	exit 1
}
mkdir -p "$out"
cflags="-mbig-endian -mcpu=power9 -m64 -O2 -std=c11 -Wall -Wextra -Werror -ffreestanding
	-nostdlib -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables
	-msoft-float -mno-altivec -mno-vsx -mcmodel=medium"
# shellcheck disable=SC2086
$CC $cflags -c -o "$out/boot.o" "$here/boot.S"
# shellcheck disable=SC2086
$CC $cflags -c -o "$out/probe.o" "$here/probe.c"
# shellcheck disable=SC2086
$CC $cflags -static -no-pie -Wl,-T,"$here/link.ld" -Wl,-z,max-page-size=0x1000 \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
	-o "$out/probe-ppc64.elf" "$out/boot.o" "$out/probe.o"
$OBJCOPY -O binary "$out/probe-ppc64.elf" "$out/probe-ppc64.bin"
