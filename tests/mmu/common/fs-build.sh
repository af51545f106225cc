#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the freestanding-core probes of one architecture (issue 5, item 4):
#   fs-build.sh ARCH OUTDIR        ARCH: x86_64, aarch64, riscv64 or ppc64
# -> OUTDIR/probe-fs-<format>.elf (x86_64: ELF32 for multiboot; ppc64: also .bin, the raw
# firmware) for every format in FORMATS (default: see below), and
# probe-fs-<format>-inject-pa / -inject-perm for the first one.
# The ptkit core (src/fmt, src/walk, src/ops) is compiled once with the probe's flags
# (toolchain.sh: -ffreestanding -nostdlib, as a kernel would); fs.c drives it;
# ../ARCH-fs/fsprobe.c has the hooks; boot code and glue are ../ARCH's (boot.S, arch.c),
# the layout too unless ../ARCH-fs has a link.ld. FS_REUSE_CORE=1 keeps core objects newer
# than their source (for probe work only: a changed core header is not noticed).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mmu=$(cd "$here/.." && pwd)
top=$(cd "$here/../../.." && pwd)
arch=${1:?usage: fs-build.sh ARCH OUTDIR}
out=${2:?usage: fs-build.sh ARCH OUTDIR}
case $arch in
x86_64) FORMATS=${FORMATS:-x86_64 x86_64-la57} ;;
aarch64)
	FORMATS=${FORMATS:-arm64-4k-48 arm64-4k-39 arm64-4k-52 arm64-16k-36 arm64-16k-47
		arm64-16k-52 arm64-64k-42 arm64-64k-48 arm64-64k-52}
	;;
riscv64) FORMATS=${FORMATS:-riscv-sv48 riscv-sv39 riscv-sv57} ;;
ppc64) FORMATS=${FORMATS:-ppc64-radix-64k ppc64-radix-4k} ;;
esac
. "$here/toolchain.sh"
probe_toolchain "$arch"
CFLAGS="$CFLAGS -I$top/include -I$top/src -I$mmu/$arch"
mkdir -p "$out/core"
# The core, one compiler per CPU: the walker and operations, plus this architecture's
# formats only (registry.c leaves the other families out, as a firmware build would).
case $arch in
x86_64) fam=x86 glob='x86_64*.c' ;;
aarch64) fam=arm64 glob='arm64_*.c' ;;
riscv64) fam=riscv glob='riscv_*.c' ;;
ppc64) fam=ppc64 glob='ppc64_*.c' ;;
esac
for other in x86 arm64 riscv ppc64; do
	[ "$other" = "$fam" ] || CFLAGS="$CFLAGS -DPTKIT_NO_FAMILY_$(echo "$other" | tr a-z A-Z)"
done
# shellcheck disable=SC2086
core=$(cd "$top" && ls src/fmt/$glob src/fmt/family_$fam.c src/fmt/registry.c src/walk/*.c \
	src/ops/*.c)
# shellcheck disable=SC2016
echo "$core" | CC=$CC CFLAGS="$CFLAGS" OUT=$out TOP=$top REUSE=${FS_REUSE_CORE:-} \
	xargs -P "$(nproc 2>/dev/null || echo 2)" -I{} sh -c 'o="$OUT/core/$(echo "$1" | tr / _).o"
		[ -n "$REUSE" ] && [ "$o" -nt "$TOP/$1" ] && exit 0
		$CC $CFLAGS -c -o "$o" "$TOP/$1"' sh {}
objs=
for f in $core; do
	objs="$objs $out/core/$(echo "$f" | tr / _).o"
done
for f in "$mmu/$arch/boot.S" "$mmu/$arch/arch.c" "$here/common.c"; do
	o=$(basename "$f")
	# shellcheck disable=SC2086
	$CC $CFLAGS -c -o "$out/${o%.*}.o" "$f"
done
ld="$mmu/$arch-fs/link.ld"
[ -f "$ld" ] || ld="$mmu/$arch/link.ld"
first=${FORMATS%%[[:space:]]*}
for inj in 0 1 2; do
	case $inj in 0) sfx= ;; 1) sfx=-inject-pa ;; 2) sfx=-inject-perm ;; esac
	# shellcheck disable=SC2086
	$CC $CFLAGS -DFS_INJECT=$inj -c -o "$out/fs$sfx.o" "$here/fs.c"
	for f in $FORMATS; do
		[ "$inj" = 0 ] || [ "$f" = "$first" ] || continue
		# shellcheck disable=SC2086
		$CC $CFLAGS "-DFS_FORMAT=\"$f\"" -c -o "$out/fsprobe-$f.o" "$mmu/$arch-fs/fsprobe.c"
		extra=
		if [ "$arch" = x86_64 ]; then
			# The bootstrap tables and parameters boot.S enters long mode with.
			la57=0
			[ "$f" = x86_64-la57 ] && la57=1
			# shellcheck disable=SC2086
			$CC $CFLAGS -DFS_LA57=$la57 -c -o "$out/fsboot-$f.o" "$mmu/$arch-fs/fsboot.S"
			extra="$out/fsboot-$f.o"
		fi
		# shellcheck disable=SC2086
		probe_link "$arch" "$ld" "$out/probe-fs-$f$sfx" "$out/boot.o" $extra "$out/arch.o" \
			"$out/common.o" "$out/fs$sfx.o" "$out/fsprobe-$f.o" $objs
	done
done
# shellcheck disable=SC2086
echo "$arch-fs: built $out/probe-fs-* for" $FORMATS
