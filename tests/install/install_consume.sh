#!/bin/sh
# SPDX-License-Identifier: MIT
# CTest install_consume (cmake/install.cmake): install the build into a temporary prefix as
# `cmake --install --prefix` does, then use it as a stranger would:
#   - every file of the install set is there; libptkit.so.MAJOR carries its SONAME; the man
#     page and the bash completion are the tree's, and the completion runs the installed CLI;
#   - every installed public header compiles on its own;
#   - the shared library exports only names the installed headers declare, all in the
#     version node PTKIT_MAJOR (no o_/w_/cli_/mm__ internals);
#   - examples/*.c build out of tree twice, with `pkg-config --cflags --libs ptkit` and with
#     a CMake project using find_package(ptkit) + ptkit::ptkit, both against libptkit.so;
#   - they run (LD_LIBRARY_PATH for the pkg-config ones) and print what the in-tree build
#     of the same example prints; pt_version(), PTKIT_VERSION_STRING, the .pc's version and
#     `ptkit --version` agree.
#
# usage: install_consume.sh SOURCE_DIR BUILD_DIR WORK_DIR
# With INSTALLED=PREFIX nothing is installed: what is already in PREFIX is checked (the
# Debian packages, tests/install/deb.sh); under /usr without search paths (PKG_CONFIG_PATH,
# LD_LIBRARY_PATH, CMAKE_PREFIX_PATH), as the system's own must find it.
# DEB=1: PREFIX is Debian's packages (man page gzipped, no ptkit/_installed.py).
# environment: CC, CMAKE, LIBDIR, MANDIR, DATADIR (CMAKE_INSTALL_*), HAS_MM (ON/OFF), MAJOR
# (the SONAME number), CONSUMER_FLAGS (the build's sanitizer flags: a consumer of an ASan
# library is an ASan program). Exit 77 (skipped) without pkg-config.
set -eu

src=$1
build=$2
work=$3
CC=${CC:-cc}
CMAKE=${CMAKE:-cmake}
LIBDIR=${LIBDIR:-lib}
MANDIR=${MANDIR:-share/man}
DATADIR=${DATADIR:-share}
HAS_MM=${HAS_MM:-OFF}
MAJOR=${MAJOR:?}
CONSUMER_FLAGS=${CONSUMER_FLAGS:-}

fail() {
	echo "install_consume: $*" >&2
	exit 1
}
if ! command -v pkg-config >/dev/null 2>&1; then
	echo "install_consume: pkg-config not found (scripts/install-deps.sh installs pkgconf): skipped"
	exit 77
fi

rm -rf "$work"
mkdir -p "$work"
if [ -n "${INSTALLED:-}" ]; then
	prefix=$INSTALLED
else
	prefix=$work/prefix
	"$CMAKE" --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
		{ cat "$work/install.log" >&2; fail "cmake --install failed (is everything built?)"; }
fi
lib=$prefix/$LIBDIR
search=$lib
[ "$prefix" != /usr ] || search=

# --- the install set -------------------------------------------------------------------
headers=$(for h in "$src"/include/ptkit/*.h; do basename "$h"; done)
[ "$HAS_MM" = ON ] || headers=$(echo "$headers" | grep -v '^mm\.h$')
for f in bin/ptkit "$LIBDIR/libptkit.so" "$LIBDIR/libptkit.so.$MAJOR" \
	"$LIBDIR/libptkit.a" "$LIBDIR/libptkit_core.a" "$LIBDIR/libptkit_hosted.a" \
	"$LIBDIR/pkgconfig/ptkit.pc" \
	"$LIBDIR/cmake/ptkit/ptkit-config.cmake" "$LIBDIR/cmake/ptkit/ptkit-config-version.cmake" \
	$(for h in $headers; do echo "include/ptkit/$h"; done); do
	[ -e "$prefix/$f" ] || fail "not installed: $f"
done
[ "$HAS_MM" = OFF ] || [ -e "$lib/libptkit_mm.a" ] || fail "not installed: libptkit_mm.a"
# The CLI's man page and bash completion: the files of the tree, and the completion works
# with the installed ptkit found on PATH.
# A Debian package's man page is gzipped (DEB=1).
if [ "${DEB:-}" = 1 ]; then
	gzip -dc "$prefix/$MANDIR/man1/ptkit.1.gz" 2>/dev/null | cmp -s "$src/docs/ptkit.1" - ||
		fail "not installed: $MANDIR/man1/ptkit.1.gz"
else
	cmp -s "$src/docs/ptkit.1" "$prefix/$MANDIR/man1/ptkit.1" ||
		fail "not installed: $MANDIR/man1/ptkit.1"
fi
completion=$prefix/$DATADIR/bash-completion/completions/ptkit
cmp -s "$src/completions/ptkit.bash" "$completion" ||
	fail "not installed: $DATADIR/bash-completion/completions/ptkit"
if command -v bash >/dev/null 2>&1; then
	got=$(PATH="$prefix/bin:$PATH" bash -c '. "$1"; COMP_WORDS=(ptkit dump --format x86_64-l)
		COMP_CWORD=3; _ptkit; echo "${COMPREPLY[*]}"' sh "$completion") ||
		fail "the installed completion fails in bash"
	[ "$got" = x86_64-la57 ] || fail "installed 'ptkit dump --format x86_64-l<TAB>' gives '$got'"
fi
soname=$(readelf -d "$lib/libptkit.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libptkit.so.$MAJOR" ] || fail "SONAME is '$soname', not libptkit.so.$MAJOR"

export PKG_CONFIG_PATH="${search:+$search/pkgconfig}"
pc_cflags=$(pkg-config --cflags ptkit) || fail "pkg-config --cflags ptkit failed"
pc_libs=$(pkg-config --libs ptkit) || fail "pkg-config --libs ptkit failed"
# shellcheck disable=SC2086 # the flags are word lists
cc_consumer() {
	$CC -std=c11 -Wall -Wextra -Werror $CONSUMER_FLAGS "$@"
}

# --- each public header on its own (static.h through walk.h, with a format chosen) -------
for h in $headers; do
	if [ "$h" = static.h ]; then
		printf '#define PTKIT_FORMAT "fmt/x86_64_4level.h"\n#include <ptkit/walk.h>\n'
	else
		printf '#include <ptkit/%s>\n' "$h"
	fi >"$work/h.c"
	# shellcheck disable=SC2086
	cc_consumer $pc_cflags -c "$work/h.c" -o "$work/h.o" 2>"$work/h.log" ||
		{ cat "$work/h.log" >&2; fail "installed <ptkit/$h> does not compile on its own"; }
done

# --- the exported symbols ----------------------------------------------------------------
nm -D --defined-only "$lib/libptkit.so" >"$work/exports.txt"
[ -s "$work/exports.txt" ] || fail "libptkit.so exports nothing"
nexp=0
while read -r _ type name; do
	case $type in A) continue ;; esac # the version node itself
	sym=${name%%@*}
	[ "$name" = "$sym@@PTKIT_$MAJOR" ] || fail "$name: not in version node PTKIT_$MAJOR"
	case $sym in
	o_* | w_* | r_* | fmt_* | cli_* | mm__* | pt_family_*)
		fail "libptkit.so exports the internal symbol $sym" ;;
	esac
	# The format objects (pt_format_x86_64, ...) are reached through pt_format_find.
	case $type:$sym in
	[!T]:pt_format_*) fail "libptkit.so exports the format object $sym" ;;
	esac
	grep -qw "$sym" "$prefix"/include/ptkit/*.h ||
		fail "libptkit.so exports $sym, which no installed header declares"
	nexp=$((nexp + 1))
done <"$work/exports.txt"
for sym in pt_version pt_strerror pt_format_find pt_mm_init pt_map pt_translate; do
	grep -q " $sym@@" "$work/exports.txt" || fail "libptkit.so does not export $sym"
done

# --- the version, four ways ---------------------------------------------------------------
cat >"$work/version.c" <<'C'
#include <ptkit/ptkit.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
	printf("%s\n", pt_version());
	return strcmp(pt_version(), PTKIT_VERSION_STRING) != 0;
}
C
# shellcheck disable=SC2086
cc_consumer "$work/version.c" $pc_cflags $pc_libs -o "$work/version" ||
	fail "a program calling pt_version() does not build with pkg-config's flags"
v=$(LD_LIBRARY_PATH=$search "$work/version") || fail "pt_version() differs from PTKIT_VERSION_STRING"
[ "$v" = "$(pkg-config --modversion ptkit)" ] || fail "pt_version() '$v' differs from ptkit.pc"
[ "$("$prefix/bin/ptkit" --version)" = "ptkit $v" ] || fail "ptkit --version does not say $v"

# --- examples/*.c out of tree: pkg-config, then find_package --------------------------------
examples=
for f in "$src"/examples/*.c; do
	name=$(basename "$f" .c)
	case $name in mm_*) [ "$HAS_MM" = ON ] || continue ;; esac
	examples="$examples $name"
	# shellcheck disable=SC2086
	cc_consumer "$f" $pc_cflags $pc_libs -o "$work/pc_$name" 2>"$work/pc_$name.log" ||
		{ cat "$work/pc_$name.log" >&2; fail "examples/$name.c does not build with pkg-config"; }
	readelf -d "$work/pc_$name" | grep -q "NEEDED.*\[libptkit\.so\.$MAJOR\]" ||
		fail "pc_$name does not link libptkit.so.$MAJOR"
done
[ -n "$examples" ] || fail "no examples/*.c"
# Static: libptkit.a and pkg-config --static's Libs.private are all a program needs.
pc_static=$(pkg-config --static --libs ptkit | sed 's/-lptkit\b/-l:libptkit.a/') ||
	fail "pkg-config --static --libs ptkit failed"
for name in $examples; do
	# shellcheck disable=SC2086
	cc_consumer "$src/examples/$name.c" $pc_cflags $pc_static -o "$work/st_$name" \
		2>"$work/st_$name.log" ||
		{ cat "$work/st_$name.log" >&2; fail "examples/$name.c does not link libptkit.a with pkg-config --static"; }
	! readelf -d "$work/st_$name" | grep -q "NEEDED.*libptkit" ||
		fail "st_$name needs libptkit.so though linked with libptkit.a"
done

mkdir -p "$work/consumer"
cat >"$work/consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(ptkit_consumer C)
find_package(ptkit $MAJOR REQUIRED)
foreach(name $examples)
  add_executable(\${name} $src/examples/\${name}.c)
  target_link_libraries(\${name} PRIVATE ptkit::ptkit)
endforeach()
CMAKE
"$CMAKE" -S "$work/consumer" -B "$work/consumer/build" "-DCMAKE_PREFIX_PATH=${search:+$prefix}" \
	"-DCMAKE_C_COMPILER=$CC" "-DCMAKE_C_FLAGS=$CONSUMER_FLAGS" \
	>"$work/consumer.log" 2>&1 || { cat "$work/consumer.log" >&2; fail "find_package(ptkit) failed"; }
"$CMAKE" --build "$work/consumer/build" -j 2 >>"$work/consumer.log" 2>&1 ||
	{ cat "$work/consumer.log" >&2; fail "examples do not build against ptkit::ptkit"; }

for name in $examples; do
	LD_LIBRARY_PATH=$search "$work/pc_$name" >"$work/pc_$name.out" 2>&1 ||
		{ cat "$work/pc_$name.out" >&2; fail "pc_$name (pkg-config build) failed"; }
	LD_LIBRARY_PATH=$search "$work/consumer/build/$name" >"$work/cm_$name.out" 2>&1 ||
		{ cat "$work/cm_$name.out" >&2; fail "$name (find_package build) failed"; }
	[ -s "$work/pc_$name.out" ] || fail "$name printed nothing"
	"$work/st_$name" >"$work/st_$name.out" 2>&1 || { cat "$work/st_$name.out" >&2; fail "st_$name (libptkit.a) failed"; }
	cmp -s "$work/pc_$name.out" "$work/st_$name.out" ||
		fail "$name prints differently linked with libptkit.a and with libptkit.so"
	cmp -s "$work/pc_$name.out" "$work/cm_$name.out" ||
		fail "$name prints differently built with pkg-config and with find_package"
	if [ -x "$build/examples/$name" ]; then
		"$build/examples/$name" >"$work/tree_$name.out" 2>&1 || fail "in-tree $name failed"
		cmp -s "$work/pc_$name.out" "$work/tree_$name.out" ||
			fail "$name prints differently against the installed library and in the tree"
	fi
done
# --- the Python package: import ptkit from the prefix, with the installed library -----------
pydir=$prefix/${PYTHON_DIR:-lib/python3/dist-packages}
[ -f "$pydir/ptkit/__init__.py" ] || fail "not installed: ${PYTHON_DIR:-lib/python3/dist-packages}/ptkit"
# _installed.py (where make install put the library) is there unless Debian's python3-ptkit
# (DEB=1), which finds the library through the dynamic loader: in /usr without help.
pyenv=
if [ "${DEB:-}" = 1 ]; then
	[ ! -e "$pydir/ptkit/_installed.py" ] || fail "a Debian package has ptkit/_installed.py"
	pyenv=${search:+LD_LIBRARY_PATH=$search}
else
	[ -f "$pydir/ptkit/_installed.py" ] || fail "not installed: ptkit/_installed.py"
fi
py=
for p in /usr/bin/python3 python3; do
	if "$p" -c '' >/dev/null 2>&1; then
		py=$p
		break
	fi
done
if [ -n "$py" ]; then
	preload=
	case " $CONSUMER_FLAGS " in # an ASan library needs the ASan runtime first in python
	*-fsanitize=address*) preload=$($CC -print-file-name=libasan.so) ;;
	esac
	# The library loaded is the one /proc/self/maps shows (ctypes may name it by its SONAME).
	got=$(cd "$work" && env -u PTKIT_LIBRARY PYTHONPATH="$pydir" PYTHONDONTWRITEBYTECODE=1 ${pyenv:+"$pyenv"} \
		${preload:+LD_PRELOAD=$preload ASAN_OPTIONS=detect_leaks=0} "$py" -c '
import os, ptkit
t = ptkit.Tables.build("x86_64", "map 0x400000 0x200000 2M r,x,user")
lib = sorted({l.split()[-1] for l in open("/proc/self/maps") if "/libptkit.so" in l})
print(",".join(os.path.realpath(p) for p in lib), ptkit.__version__, ptkit.format_translation(t.translate(0x401234)))
') || fail "import ptkit from the installed prefix failed"
	[ "$got" = "$(realpath "$lib/libptkit.so.$MAJOR") $v 0x401234 0x201234 2M r,x,user" ] ||
		fail "installed ptkit: '$got' (not the installed library, or a wrong answer)"
else
	echo "install_consume: no python3: the Python package's import not checked"
fi

echo "install_consume: $nexp exported symbols, examples:$examples (pkg-config, pkg-config --static and find_package), version $v, python: ${py:-none}"
