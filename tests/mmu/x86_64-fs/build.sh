#!/bin/sh
# SPDX-License-Identifier: MIT
# Build the x86_64 freestanding probe: build.sh OUTDIR ->
#   OUTDIR/probe-fs-x86_64.elf, OUTDIR/probe-fs-x86_64-la57.elf   (ELF32, multiboot)
#   and the same with -inject-pa / -inject-perm (the comparison must notice those)
# It links the ptkit core (src/fmt, src/walk, src/ops) compiled as a kernel would, with the
# boot, exception and user-mode code of ../x86_64 (boot.S unchanged; probe.c's helpers
# are included by fsprobe.c).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
out=${1:?usage: build.sh OUTDIR}
CC=${PROBE_CC:-gcc}
OBJCOPY=${PROBE_OBJCOPY:-objcopy}
NM=${PROBE_NM:-nm}
mkdir -p "$out/core"
cflags="-m64 -O2 -std=c11 -Wall -Wextra -Werror -ffreestanding -nostdlib -fno-pic -fno-pie
	-mno-red-zone -mno-sse -mgeneral-regs-only -fno-stack-protector
	-fno-asynchronous-unwind-tables -fcf-protection=none -mcmodel=small
	-I$top/include -I$top/src -I$top/tests/mmu/x86_64"
# The core, one compiler per CPU.
# shellcheck disable=SC2016
(cd "$top" && ls src/fmt/*.c src/walk/*.c src/ops/*.c) |
	CC=$CC CFLAGS="$cflags" OUT=$out TOP=$top xargs -P "$(nproc 2>/dev/null || echo 2)" -I{} \
	sh -c 'o="$OUT/core/$(echo "$1" | tr / _).o"; $CC $CFLAGS -c -o "$o" "$TOP/$1"' sh {}
objs=
for f in $(cd "$top" && ls src/fmt/*.c src/walk/*.c src/ops/*.c); do
	objs="$objs $out/core/$(echo "$f" | tr / _).o"
done
# shellcheck disable=SC2086
$CC $cflags -c -o "$out/boot.o" "$top/tests/mmu/x86_64/boot.S"
for la57 in 0 1; do
	# shellcheck disable=SC2086
	$CC $cflags -DFS_LA57=$la57 -c -o "$out/fsboot-$la57.o" "$here/fsboot.S"
done
# Images: probe-fs-<format>[-inject-pa|-inject-perm].elf
for inj in 0 1 2; do
	case $inj in 0) sfx= ;; 1) sfx=-inject-pa ;; 2) sfx=-inject-perm ;; esac
	# shellcheck disable=SC2086
	$CC $cflags -DFS_INJECT=$inj -c -o "$out/fsprobe$sfx.o" "$here/fsprobe.c"
	for v in x86_64 x86_64-la57; do
		la57=0
		[ "$v" = x86_64-la57 ] && la57=1
		# shellcheck disable=SC2086
		$CC $cflags -static -no-pie -Wl,-T,"$here/link.ld" -Wl,-z,max-page-size=0x1000 \
			-Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
			-o "$out/probe-fs-$v$sfx.elf64" "$out/boot.o" "$out/fsboot-$la57.o" \
			"$out/fsprobe$sfx.o" $objs
		# QEMU's multiboot loader takes ELF32 only: same segments, 32-bit container.
		$OBJCOPY -O elf32-i386 "$out/probe-fs-$v$sfx.elf64" "$out/probe-fs-$v$sfx.elf"
	done
done
# Did gcc ask the core for libc symbols (memset/memcpy for struct copies...)? fsprobe.c
# supplies memset/memcpy/memmove/memcmp as a kernel would; record what the core needed.
# shellcheck disable=SC2086
$CC -nostdlib -r -o "$out/core.o" $objs
$NM -u "$out/core.o" | awk '{print $NF}' > "$out/core-undefined.txt"
echo "x86_64-fs: built $out/probe-fs-*.elf; core needs from outside: $(tr '\n' ' ' < "$out/core-undefined.txt")"
