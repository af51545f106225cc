#!/bin/sh
# SPDX-License-Identifier: MIT
# CTest deb_contents and deb_install (label deb, cmake/package.cmake): the Debian packages
# of `make deb` as apt would see them.
#
# deb_contents (always; no root): `make deb` into WORK_DIR/build (at -O0: packaging is what
# is checked), then
#   - exactly ptkit_VERSION_ARCH.deb and libptkit-dev_VERSION_ARCH.deb;
#   - every file `cmake --install` puts under /usr is in exactly one of them, and each holds
#     what it must (ptkit: CLI, libptkit.so.MAJOR, man page, completion; libptkit-dev:
#     headers incl. ptkit/internal, archives, libptkit.so, ptkit.pc, CMake package; both a
#     copyright file), the libraries in the Debian libdir (lib/MULTIARCH);
#   - control fields: names, version, architecture, Maintainer with an address, Section,
#     Description; ptkit Depends on the package of every library its ELF files need, its
#     shlibs names libptkit.so.MAJOR; libptkit-dev Depends on ptkit (= VERSION);
#   - both unpacked into one tree pass tests/install/install_consume.sh there;
#   - lintian reports no error and no warning the packages do not override (skipped, exit
#     77, without lintian).
# deb_install (only as root with CI=true or PTKIT_DEB_INSTALL=1, else skipped: it changes
# /usr): apt-get install both .debs, run the installed ptkit, install_consume.sh on /usr
# (pkg-config and find_package with the system's default paths), then apt-get purge both and
# check that none of their files is left.
#
# usage: deb.sh contents|install SOURCE_DIR BUILD_DIR WORK_DIR
# environment: CMAKE, CPACK, VERSION, MAJOR, HAS_MM (ON/OFF), CC. Exit 77 (skipped) without
# dpkg-deb, dpkg-shlibdeps, file, cpack, make (deb_contents), or as above (deb_install).
set -eu

mode=$1
src=$2
build=$3
work=$4
CMAKE=${CMAKE:-cmake}
CPACK=${CPACK:-cpack}
VERSION=${VERSION:?}
MAJOR=${MAJOR:?}
HAS_MM=${HAS_MM:-OFF}

fail() {
	echo "deb_$mode: $*" >&2
	exit 1
}
skip() {
	echo "deb_$mode: $*: skipped"
	exit 77
}
for tool in dpkg-deb dpkg-shlibdeps dpkg-architecture file make "$CPACK"; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not found (scripts/install-deps.sh: dpkg-dev file)"
done
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=lib/$multiarch
debs=$work/build/deb
run=ptkit_${VERSION}_$arch.deb
dev=libptkit-dev_${VERSION}_$arch.deb

# install_consume.sh on an installed tree ROOT/usr.
consume() {
	INSTALLED=$1/usr LIBDIR=$libdir MANDIR=share/man DATADIR=share MAJOR=$MAJOR HAS_MM=$HAS_MM \
		CONSUMER_FLAGS='' CMAKE=$CMAKE sh "$src/tests/install/install_consume.sh" "$src" "$build" \
		"$work/consume_$2" || fail "install_consume.sh fails on the packages ($2)"
}

if [ "$mode" = install ]; then
	if [ ! -f "$debs/$run" ] || [ ! -f "$debs/$dev" ]; then
		skip "no packages (deb_contents did not make them)"
	fi
	if [ "${CI:-}" != true ] && [ "${PTKIT_DEB_INSTALL:-}" != 1 ]; then
		skip "installs into /usr: only with CI=true or PTKIT_DEB_INSTALL=1"
	fi
	[ "$(id -u)" -eq 0 ] || skip "apt-get install needs root"
	for p in ptkit libptkit-dev; do
		! dpkg -s "$p" >/dev/null 2>&1 || skip "package $p is installed already: left alone"
	done
	[ ! -e /usr/include/ptkit ] || skip "/usr/include/ptkit exists (not from a package): left alone"

	purge() {
		DEBIAN_FRONTEND=noninteractive apt-get remove -y -q --purge ptkit libptkit-dev \
			>"$work/purge.log" 2>&1
	}
	trap 'purge || true' EXIT
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"$debs/$run" "$debs/$dev" >"$work/apt.log" 2>&1 ||
		{ cat "$work/apt.log" >&2; fail "apt-get install ./$run ./$dev failed"; }
	for p in ptkit libptkit-dev; do
		dpkg -s "$p" | grep -q '^Status: install ok installed' || fail "$p is not installed"
	done
	[ "$(/usr/bin/ptkit --version)" = "ptkit $VERSION" ] || fail "installed ptkit --version"
	/usr/bin/ptkit formats >"$work/formats.out" 2>&1 || fail "installed ptkit formats failed"
	grep -q x86_64 "$work/formats.out" || fail "installed ptkit formats lists no x86_64"
	/usr/bin/ptkit demo >"$work/demo.out" 2>&1 || { cat "$work/demo.out" >&2; fail "installed ptkit demo failed"; }
	ldconfig -p | grep -q "libptkit\.so\.$MAJOR " || fail "ldconfig does not know libptkit.so.$MAJOR"
	consume "" system

	files=$(dpkg -L ptkit libptkit-dev | grep -v '^/\.$' | sort -u)
	trap - EXIT
	purge || { cat "$work/purge.log" >&2; fail "apt-get remove --purge failed"; }
	for p in ptkit libptkit-dev; do
		! dpkg -L "$p" >/dev/null 2>&1 || fail "$p still known to dpkg after the purge"
	done
	# The packages' files are gone; of their directories only those other packages own stay.
	for f in $files; do
		if [ -d "$f" ] && [ ! -L "$f" ]; then
			[ -n "$(dpkg -S "$f" 2>/dev/null)" ] || fail "$f left behind after the purge"
		else
			if [ -e "$f" ] || [ -L "$f" ]; then fail "$f left behind after the purge"; fi
		fi
	done
	[ ! -e /usr/include/ptkit ] || fail "/usr/include/ptkit left behind after the purge"
	echo "deb_install: $run and $dev installed with apt-get, used, purged ($(echo "$files" | wc -l) paths gone)"
	exit 0
fi

# --- deb_contents -----------------------------------------------------------------------
rm -rf "$work"
mkdir -p "$work"
# A make of its own, not the jobserver of a make that runs CTest.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$src" deb "BUILD_DEB=$work/build" \
	DEB_BUILD_TYPE=None JOBS=2 "CMAKE=$CMAKE" "CPACK=$CPACK" >"$work/make.log" 2>&1 ||
	{ tail -40 "$work/make.log" >&2; fail "make deb failed"; }
got=$(for f in "$debs"/*.deb; do echo "${f##*/}"; done | sort | tr '\n' ' ')
[ "$got" = "$dev $run " ] || fail "make deb made '$got', not '$dev $run'"

# Paths (./usr/...) of a package, directories without their trailing /.
paths() {
	dpkg-deb --fsys-tarfile "$debs/$1" | tar -t | sed 's|/$||' | sort
}
paths "$run" >"$work/run.list"
paths "$dev" >"$work/dev.list"
DESTDIR=$work/all "$CMAKE" --install "$work/build" --prefix /usr >"$work/install.log" 2>&1 ||
	fail "cmake --install of the deb build failed"
(cd "$work/all" && find . ! -type d | sort) >"$work/install.list"
[ -s "$work/install.list" ] || fail "cmake --install installed nothing"
while read -r f; do
	n=$(cat "$work/run.list" "$work/dev.list" | grep -cxF "$f") || true
	[ "$n" -eq 1 ] || fail "${f#.} is installed but in $n of the packages, not 1 (an install() without COMPONENT runtime/dev?)"
done <"$work/install.list"
outside=$(cat "$work/run.list" "$work/dev.list" | grep -vx '\.' | grep -v '^\./usr\(/\|$\)') || true
[ -z "$outside" ] || fail "files outside /usr: $outside"

has() { # has run|dev PATH...
	list=$1
	shift
	for f in "$@"; do
		grep -qxF ".$f" "$work/$list.list" || fail "the $list package lacks $f"
	done
}
lacks() { # lacks run|dev PATH...
	list=$1
	shift
	for f in "$@"; do
		! grep -qxF ".$f" "$work/$list.list" || fail "the $list package should not hold $f"
	done
}
L=/usr/$libdir
has run /usr/bin/ptkit "$L/libptkit.so.$MAJOR" "$L/libptkit.so.$VERSION" \
	/usr/share/man/man1/ptkit.1 /usr/share/bash-completion/completions/ptkit \
	/usr/share/doc/ptkit/copyright
lacks run "$L/libptkit.so" /usr/include/ptkit "$L/pkgconfig/ptkit.pc"
headers=$(for h in "$src"/include/ptkit/*.h; do echo "${h##*/}"; done)
[ "$HAS_MM" = ON ] || headers=$(echo "$headers" | grep -v '^mm\.h$')
internal=$(cd "$src/src" && ls fmt/*.h ops/*.h walk/*.h)
archives="libptkit.a libptkit_core.a libptkit_hosted.a"
[ "$HAS_MM" = OFF ] || archives="$archives libptkit_mm.a"
# shellcheck disable=SC2046 # word lists
has dev $(for h in $headers; do echo "/usr/include/ptkit/$h"; done) \
	$(for h in $internal; do echo "/usr/include/ptkit/internal/$h"; done) \
	$(for a in $archives; do echo "$L/$a"; done) "$L/libptkit.so" "$L/pkgconfig/ptkit.pc" \
	"$L/cmake/ptkit/ptkit-config.cmake" "$L/cmake/ptkit/ptkit-config-version.cmake" \
	"$L/cmake/ptkit/ptkit-targets.cmake" /usr/share/doc/libptkit-dev/copyright
lacks dev /usr/bin/ptkit "$L/libptkit.so.$MAJOR"

# --- control fields -----------------------------------------------------------------------
field() { # field DEB NAME
	dpkg-deb -f "$debs/$1" "$2"
}
for deb in $run $dev; do
	[ "$(field "$deb" Package)" = "${deb%%_*}" ] || fail "$deb: Package is '$(field "$deb" Package)'"
	[ "$(field "$deb" Version)" = "$VERSION" ] || fail "$deb: Version is not $VERSION"
	[ "$(field "$deb" Architecture)" = "$arch" ] || fail "$deb: Architecture is not $arch"
	field "$deb" Maintainer | grep -q '^[^<]\+ <[^@>]\+@[^>]\+>$' ||
		fail "$deb: Maintainer '$(field "$deb" Maintainer)' is not 'Name <address>'"
	[ -n "$(field "$deb" Section)" ] || fail "$deb: no Section"
	[ "$(field "$deb" Description | wc -l)" -ge 2 ] || fail "$deb: no long Description"
	dpkg-deb --fsys-tarfile "$debs/$deb" |
		tar -xO "./usr/share/doc/${deb%%_*}/copyright" >"$work/copyright" ||
		fail "$deb: no copyright file"
	grep -q '^License: Expat$' "$work/copyright" || fail "$deb: copyright names no License"
	grep -q "Permission is hereby granted" "$work/copyright" || fail "$deb: copyright lacks LICENSE's text"
done
field "$dev" Depends | tr ',' '\n' | grep -qx " *ptkit (= $VERSION)" ||
	fail "$dev: Depends '$(field "$dev" Depends)' lacks 'ptkit (= $VERSION)'"
# ptkit's Depends: for each library its ELF files need, a package that holds that library.
mkdir -p "$work/root"
dpkg-deb -x "$debs/$run" "$work/root"
dpkg-deb -x "$debs/$dev" "$work/root"
depends=$(field "$run" Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//')
for elf in "$work/root/usr/bin/ptkit" "$work/root$L/libptkit.so.$VERSION"; do
	for need in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		owners=$(dpkg -S "*/$need" 2>/dev/null | sed 's/: .*//; s/, /\n/g' | sed 's/:.*//')
		ok=
		for o in $owners; do
			echo "$depends" | grep -qxF "$o" && ok=1
		done
		[ -n "$ok" ] || fail "$run: Depends '$(field "$run" Depends)' has none of '$owners' for $need"
	done
done
dpkg-deb --ctrl-tarfile "$debs/$run" | tar -xO ./shlibs >"$work/shlibs" || fail "$run: no shlibs"
grep -qx "libptkit $MAJOR ptkit.*" "$work/shlibs" || fail "$run: shlibs '$(cat "$work/shlibs")'"

# --- the packages' files, unpacked, used as an installed library --------------------------
consume "$work/root" unpacked

# --- lintian: no error, no warning but those a package overrides (usr/share/lintian/overrides/
# PACKAGE, each with its reason), and no override left that matches nothing.
summary="deb_contents: $run ($(wc -l <"$work/run.list") paths), $dev ($(wc -l <"$work/dev.list") paths), Depends: $(field "$run" Depends)"
command -v lintian >/dev/null 2>&1 || {
	echo "$summary"
	skip "lintian not found (scripts/install-deps.sh installs it): the packages' other checks passed"
}
lintian --fail-on error,warning --display-info --show-overrides --tag-display-limit 0 \
	"$debs"/*.deb >"$work/lintian.log" 2>&1 || {
	grep '^[EW]:' "$work/lintian.log" >&2 || cat "$work/lintian.log" >&2
	fail "lintian reports the errors or warnings above (all its output: $work/lintian.log)"
}
! grep ': unused-override\|: mismatched-override' "$work/lintian.log" >&2 ||
	fail "a lintian override above matches nothing: drop it"
echo "$summary; lintian: $(grep -c '^E:' "$work/lintian.log") errors," \
	"$(grep -c '^W:' "$work/lintian.log") warnings, $(grep -c '^O:' "$work/lintian.log") overridden"
