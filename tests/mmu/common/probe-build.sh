#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the harness-driven MMU probe of one architecture (scripts/verify.py runs it):
#   probe-build.sh ARCH OUTDIR  ->  OUTDIR/probe-ARCH.elf (x86_64: ELF32 for multiboot;
#                                   ppc64: also probe-ppc64.bin, the raw firmware)
# from ../ARCH/{boot.S,probe.c,arch.c,link.ld} and common.c.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
arch=${1:?usage: probe-build.sh ARCH OUTDIR}
out=${2:?usage: probe-build.sh ARCH OUTDIR}
src=$here/../$arch
. "$here/toolchain.sh"
probe_toolchain "$arch"
mkdir -p "$out"
for f in "$src/boot.S" "$src/probe.c" "$src/arch.c" "$here/common.c"; do
	o=$(basename "$f")
	# shellcheck disable=SC2086
	$CC $CFLAGS -c -o "$out/${o%.*}.o" "$f"
done
probe_link "$arch" "$src/link.ld" "$out/probe-$arch" "$out/boot.o" "$out/probe.o" "$out/arch.o" \
	"$out/common.o"
