#!/bin/sh
# SPDX-License-Identifier: MIT
# The freestanding core check (CTest: freestanding_core).
#
# Compiles every core source (src/fmt, src/walk, src/ops) as a kernel or firmware would
# (-ffreestanding -nostdlib -fno-builtin, -O2, warnings are errors), links them into one
# relocatable object with `-nostdlib -r` and fails if that object needs any symbol from
# outside (`nm -u`): not even memset/memcpy, which gcc may emit for struct copies, zero
# initialisers or loops it recognises. Also fails if a core file includes a header other
# than <stdint.h>, <stddef.h>, <stdbool.h> (DESIGN.md, "Layers").
#
# usage: scripts/freestanding-check.sh [SOURCE_DIR [WORK_DIR]]    (CC, NM from the environment)
set -eu

src=${1:-$(cd "$(dirname "$0")/.." && pwd)}
work=${2:-${TMPDIR:-/tmp}/ptkit-freestanding.$$}
CC=${CC:-gcc}
NM=${NM:-nm}
CFLAGS="-std=c11 -O2 -ffreestanding -nostdlib -fno-builtin -fno-stack-protector
	-Wall -Wextra -Werror -I$src/include -I$src/src"

rm -rf "$work"
mkdir -p "$work"

files=$(cd "$src" && ls src/fmt/*.c src/walk/*.c src/ops/*.c 2>/dev/null || true)
if [ -z "$files" ]; then
	echo "freestanding_core: no core sources" >&2
	exit 1
fi

fail=0
# System headers: only the three the core may use (our own headers, found under include/
# or src/, may be included with <> too).
bad=
for f in $(cd "$src" && ls src/fmt/* src/walk/* src/ops/* 2>/dev/null); do
	for h in $(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*<([^>]*)>.*/\1/p' "$src/$f"); do
		case $h in
		stdint.h | stddef.h | stdbool.h) continue ;;
		esac
		[ -f "$src/include/$h" ] || [ -f "$src/src/$h" ] || bad="$bad
  $f: <$h>"
	done
done
if [ -n "$bad" ]; then
	echo "freestanding_core: core includes a header beyond stdint/stddef/stdbool:$bad" >&2
	fail=1
fi

objs=
for f in $files; do
	o="$work/$(echo "$f" | tr / _).o"
	# shellcheck disable=SC2086
	if ! $CC $CFLAGS -c "$src/$f" -o "$o"; then
		echo "freestanding_core: $f does not compile freestanding" >&2
		fail=1
		continue
	fi
	objs="$objs $o"
done
[ "$fail" = 0 ] || exit 1

# shellcheck disable=SC2086
$CC -nostdlib -r -o "$work/core.o" $objs
undef=$($NM -u "$work/core.o")
if [ -n "$undef" ]; then
	echo "freestanding_core: the core needs symbols it does not define:" >&2
	echo "$undef" >&2
	for s in $($NM -u "$work/core.o" | awk '{print $NF}'); do
		echo "  $s used by:" >&2
		for o in $objs; do
			$NM -u "$o" | awk '{print $NF}' | grep -qx "$s" && echo "    $(basename "$o" .o)" >&2 || true
		done
	done
	exit 1
fi
n=$(echo "$files" | wc -w)
echo "freestanding_core: $n core source(s) build with -ffreestanding -nostdlib, no undefined symbols"
rm -rf "$work"
