#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the x86_64 MMU probe: build.sh OUTDIR -> OUTDIR/probe-x86_64.elf (ELF32, multiboot).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
CC=${PROBE_CC:-gcc}
OBJCOPY=${PROBE_OBJCOPY:-objcopy}
mkdir -p "$out"
cflags="-m64 -O2 -std=c11 -Wall -Wextra -Werror -ffreestanding -nostdlib -fno-pic -fno-pie
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables
	-fcf-protection=none -mcmodel=small"
# shellcheck disable=SC2086
$CC $cflags -c -o "$out/boot.o" "$here/boot.S"
# shellcheck disable=SC2086
$CC $cflags -c -o "$out/probe.o" "$here/probe.c"
# shellcheck disable=SC2086
$CC $cflags -static -no-pie -Wl,-T,"$here/link.ld" -Wl,-z,max-page-size=0x1000 \
	-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -o "$out/probe-x86_64.elf64" "$out/boot.o" "$out/probe.o"
# QEMU's multiboot loader takes ELF32 only: same segments, 32-bit container.
$OBJCOPY -O elf32-i386 "$out/probe-x86_64.elf64" "$out/probe-x86_64.elf"
