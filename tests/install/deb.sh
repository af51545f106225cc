#!/bin/sh
# SPDX-License-Identifier: MIT
# CTest deb_contents and deb_install (label deb, cmake/package.cmake): the Debian packages
# of `make deb` as apt would see them.
#
# deb_contents (always; no root): `make deb` into WORK_DIR/build (at -O0, without Debian's
# build flags: packaging is what is checked), then
#   - exactly libptkitMAJOR_VERSION_ARCH.deb, ptkit_…, libptkit-dev_… and
#     python3-ptkit_VERSION_all.deb;
#   - every file `cmake --install` puts under /usr is in exactly one of them, and each holds
#     what it must (libptkitMAJOR: libptkit.so.MAJOR and its real file; ptkit: CLI, gzipped
#     man page, completion; libptkit-dev: headers incl. ptkit/internal, archives,
#     libptkit.so, ptkit.pc, CMake package; python3-ptkit: the Python package, gdb's
#     command; each: copyright and changelog.gz), the libraries in lib/MULTIARCH;
#   - control fields: names, version, architecture, Maintainer with an address, Section,
#     Description; Depends of libptkitMAJOR and ptkit name the package of every library
#     their ELF files need; libptkitMAJOR's shlibs and ldconfig trigger, no maintainer
#     scripts; libptkit-dev Depends on libptkitMAJOR (= VERSION), python3-ptkit on python3
#     and libptkitMAJOR (>= VERSION) and byte-compiles in postinst, cleans in prerm;
#   - all four unpacked into one tree pass tests/install/install_consume.sh there, and
#     dpkg-shlibdeps, as CPack runs it, gives a program built there against libptkit.so.MAJOR
#     the Depends libptkitMAJOR (>= VERSION);
#   - lintian reports no error and no warning the packages do not override (skipped, exit
#     77, without lintian).
# deb_install (only as root with CI=true or PTKIT_DEB_INSTALL=1, else skipped: it changes
# /usr): apt-get install the four .debs, run the installed ptkit, install_consume.sh on /usr
# (pkg-config, find_package and import ptkit with the system's default paths), gdb's pt
# command if gdb is there, then apt-get purge them and check that none of their files is
# left.
#
# usage: deb.sh contents|install SOURCE_DIR BUILD_DIR WORK_DIR
# environment: CMAKE, CPACK, LINTIAN, VERSION, MAJOR, HAS_MM (ON/OFF), CC. Exit 77 (skipped) without
# dpkg-deb, dpkg-shlibdeps, file, cpack, make, and (after every other check) lintian
# (deb_contents), or as above (deb_install).
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
libpkg=libptkit$MAJOR
packages="$libpkg ptkit libptkit-dev python3-ptkit"
lib=${libpkg}_${VERSION}_$arch.deb
run=ptkit_${VERSION}_$arch.deb
dev=libptkit-dev_${VERSION}_$arch.deb
py=python3-ptkit_${VERSION}_all.deb
all_debs="$lib $run $dev $py"

# install_consume.sh on an installed tree ROOT/usr.
consume() {
	DEB=1 INSTALLED=$1/usr LIBDIR=$libdir MANDIR=share/man DATADIR=share MAJOR=$MAJOR \
		HAS_MM=$HAS_MM CONSUMER_FLAGS='' CMAKE=$CMAKE sh "$src/tests/install/install_consume.sh" \
		"$src" "$build" "$work/consume_$2" || fail "install_consume.sh fails on the packages ($2)"
}

if [ "$mode" = install ]; then
	for d in $all_debs; do
		[ -f "$debs/$d" ] || skip "no $d (deb_contents did not make it)"
	done
	if [ "${CI:-}" != true ] && [ "${PTKIT_DEB_INSTALL:-}" != 1 ]; then
		skip "installs into /usr: only with CI=true or PTKIT_DEB_INSTALL=1"
	fi
	[ "$(id -u)" -eq 0 ] || skip "apt-get install needs root"
	for p in $packages; do
		! dpkg -s "$p" >/dev/null 2>&1 || skip "package $p is installed already: left alone"
	done
	for f in /usr/include/ptkit /usr/lib/python3/dist-packages/ptkit /usr/share/ptkit; do
		[ ! -e "$f" ] || skip "$f exists (not from a package): left alone"
	done

	purge() {
		# shellcheck disable=SC2086 # a list of names
		DEBIAN_FRONTEND=noninteractive apt-get remove -y -q --purge $packages \
			>"$work/purge.log" 2>&1
	}
	trap 'purge || true' EXIT
	# shellcheck disable=SC2046 # a list of paths
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$(for d in $all_debs; do echo "$debs/$d"; done) >"$work/apt.log" 2>&1 ||
		{ cat "$work/apt.log" >&2; fail "apt-get install of $all_debs failed"; }
	for p in $packages; do
		dpkg -s "$p" | grep -q '^Status: install ok installed' || fail "$p is not installed"
	done
	[ "$(/usr/bin/ptkit --version)" = "ptkit $VERSION" ] || fail "installed ptkit --version"
	/usr/bin/ptkit formats >"$work/formats.out" 2>&1 || fail "installed ptkit formats failed"
	grep -q x86_64 "$work/formats.out" || fail "installed ptkit formats lists no x86_64"
	/usr/bin/ptkit demo >"$work/demo.out" 2>&1 || { cat "$work/demo.out" >&2; fail "installed ptkit demo failed"; }
	ldconfig -p | grep -q "libptkit\.so\.$MAJOR " || fail "ldconfig does not know libptkit.so.$MAJOR"
	# python3-ptkit's postinst byte-compiled it (its prerm must clean that up).
	ls /usr/lib/python3/dist-packages/ptkit/__pycache__/*.pyc >/dev/null 2>&1 ||
		fail "python3-ptkit's postinst did not byte-compile the package"
	consume "" system
	gdbs=
	if command -v gdb >/dev/null 2>&1; then
		gdb -nx -batch -ex 'source /usr/share/ptkit/gdb/ptkit-gdb.py' -ex 'help pt' \
			>"$work/gdb.out" 2>&1 || { cat "$work/gdb.out" >&2; fail "gdb cannot source the installed pt command"; }
		if ! grep -q '^Walk the live page tables' "$work/gdb.out" ||
			grep -qi 'error\|traceback' "$work/gdb.out"; then
			cat "$work/gdb.out" >&2
			fail "gdb's help pt after sourcing the installed command"
		fi
		gdbs=", gdb's pt loaded"
	fi

	# shellcheck disable=SC2086 # a list of names
	files=$(dpkg -L $packages | grep -v '^/\.$' | sort -u)
	trap - EXIT
	purge || { cat "$work/purge.log" >&2; fail "apt-get remove --purge failed"; }
	for p in $packages; do
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
	for f in /usr/include/ptkit /usr/lib/python3/dist-packages/ptkit /usr/share/ptkit; do
		[ ! -e "$f" ] || fail "$f left behind after the purge"
	done
	! ldconfig -p | grep -q "libptkit\.so\.$MAJOR " || fail "ldconfig still knows libptkit.so.$MAJOR"
	echo "deb_install: $all_debs installed with apt-get, used$gdbs, purged ($(echo "$files" | wc -l) paths gone)"
	exit 0
fi

# --- deb_contents -----------------------------------------------------------------------
rm -rf "$work"
mkdir -p "$work"
# A make of its own, not the jobserver of a make that runs CTest.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$src" deb "BUILD_DEB=$work/build" \
	DEB_BUILD_TYPE=None DEB_CFLAGS= DEB_LDFLAGS= JOBS=2 "CMAKE=$CMAKE" "CPACK=$CPACK" \
	>"$work/make.log" 2>&1 || { tail -40 "$work/make.log" >&2; fail "make deb failed"; }
got=$(for f in "$debs"/*.deb; do echo "${f##*/}"; done | sort | tr '\n' ' ')
want=$(for d in $all_debs; do echo "$d"; done | sort | tr '\n' ' ')
[ "$got" = "$want" ] || fail "make deb made '$got', not '$want'"

# Paths (./usr/...) of a package, directories without their trailing /.
paths() {
	dpkg-deb --fsys-tarfile "$debs/$1" | tar -t | sed 's|/$||' | sort
}
for d in $all_debs; do
	paths "$d" >"$work/${d%%_*}.list"
done
DESTDIR=$work/all "$CMAKE" --install "$work/build" --prefix /usr >"$work/install.log" 2>&1 ||
	fail "cmake --install of the deb build failed"
(cd "$work/all" && find . ! -type d | sort) >"$work/install.list"
[ -s "$work/install.list" ] || fail "cmake --install installed nothing"
while read -r f; do
	n=$(for p in $packages; do cat "$work/$p.list"; done | grep -cxF "$f") || true
	[ "$n" -eq 1 ] || fail "${f#.} is installed but in $n of the packages, not 1 (an install() without COMPONENT lib/runtime/dev/python?)"
done <"$work/install.list"
outside=$(for p in $packages; do cat "$work/$p.list"; done | grep -vx '\.' | grep -v '^\./usr\(/\|$\)') || true
[ -z "$outside" ] || fail "files outside /usr: $outside"

has() { # has PACKAGE PATH...
	p=$1
	shift
	for f in "$@"; do
		grep -qxF ".$f" "$work/$p.list" || fail "$p lacks $f"
	done
}
lacks() { # lacks PACKAGE PATH...
	p=$1
	shift
	for f in "$@"; do
		! grep -qxF ".$f" "$work/$p.list" || fail "$p should not hold $f"
	done
}
L=/usr/$libdir
P=/usr/lib/python3/dist-packages/ptkit
for p in $packages; do
	has "$p" "/usr/share/doc/$p/copyright" "/usr/share/doc/$p/changelog.gz"
done
has "$libpkg" "$L/libptkit.so.$MAJOR" "$L/libptkit.so.$VERSION"
[ "$(grep -c '^\./usr/\(bin\|include\|share/man\)' "$work/$libpkg.list")" -eq 0 ] ||
	fail "$libpkg holds more than the library"
has ptkit /usr/bin/ptkit /usr/share/man/man1/ptkit.1.gz /usr/share/bash-completion/completions/ptkit
lacks ptkit "$L/libptkit.so.$MAJOR" "$L/libptkit.so" /usr/include/ptkit "$L/pkgconfig/ptkit.pc" \
	/usr/share/man/man1/ptkit.1 "$P"
headers=$(for h in "$src"/include/ptkit/*.h; do echo "${h##*/}"; done)
[ "$HAS_MM" = ON ] || headers=$(echo "$headers" | grep -v '^mm\.h$')
internal=$(cd "$src/src" && ls fmt/*.h ops/*.h walk/*.h)
archives="libptkit.a libptkit_core.a libptkit_hosted.a"
[ "$HAS_MM" = OFF ] || archives="$archives libptkit_mm.a"
# shellcheck disable=SC2046 # word lists
has libptkit-dev $(for h in $headers; do echo "/usr/include/ptkit/$h"; done) \
	$(for h in $internal; do echo "/usr/include/ptkit/internal/$h"; done) \
	$(for a in $archives; do echo "$L/$a"; done) "$L/libptkit.so" "$L/pkgconfig/ptkit.pc" \
	"$L/cmake/ptkit/ptkit-config.cmake" "$L/cmake/ptkit/ptkit-config-version.cmake" \
	"$L/cmake/ptkit/ptkit-targets.cmake"
lacks libptkit-dev /usr/bin/ptkit "$L/libptkit.so.$MAJOR"
# shellcheck disable=SC2046 # word lists
has python3-ptkit $(cd "$src/python" && for f in ptkit/*.py; do echo "/usr/lib/python3/dist-packages/$f"; done) \
	/usr/share/ptkit/gdb/ptkit-gdb.py
lacks python3-ptkit "$P/_installed.py" "$L/libptkit.so.$MAJOR"

# --- control fields -----------------------------------------------------------------------
field() { # field DEB NAME
	dpkg-deb -f "$debs/$1" "$2"
}
control() { # control DEB FILE: the file of the control archive, or nothing
	dpkg-deb --ctrl-tarfile "$debs/$1" | tar -xO "./$2" 2>/dev/null || true
}
for deb in $all_debs; do
	p=${deb%%_*}
	a=${deb##*_}
	[ "$(field "$deb" Package)" = "$p" ] || fail "$deb: Package is '$(field "$deb" Package)'"
	[ "$(field "$deb" Version)" = "$VERSION" ] || fail "$deb: Version is not $VERSION"
	[ "$(field "$deb" Architecture)" = "${a%.deb}" ] || fail "$deb: Architecture is not ${a%.deb}"
	field "$deb" Maintainer | grep -q '^[^<]\+ <[^@>]\+@[^>]\+>$' ||
		fail "$deb: Maintainer '$(field "$deb" Maintainer)' is not 'Name <address>'"
	[ -n "$(field "$deb" Section)" ] || fail "$deb: no Section"
	[ "$(field "$deb" Priority)" = optional ] || fail "$deb: Priority is not optional"
	[ "$(field "$deb" Description | wc -l)" -ge 2 ] || fail "$deb: no long Description"
	dpkg-deb --fsys-tarfile "$debs/$deb" |
		tar -xO "./usr/share/doc/$p/copyright" >"$work/copyright" ||
		fail "$deb: no copyright file"
	grep -q '^License: Expat$' "$work/copyright" || fail "$deb: copyright names no License"
	grep -q "Permission is hereby granted" "$work/copyright" || fail "$deb: copyright lacks LICENSE's text"
	top=$(dpkg-deb --fsys-tarfile "$debs/$deb" | tar -xO "./usr/share/doc/$p/changelog.gz" |
		gzip -dc | head -n 1) || fail "$deb: no changelog.gz"
	case $top in
	"ptkit ($VERSION) "*) ;;
	*) fail "$deb: changelog.gz begins '$top', not with version $VERSION (cmake/deb/changelog)" ;;
	esac
done
# The package of each library, for Depends. The packages' own: libptkit.so.MAJOR is libptkit0's.
owners() { # owners SONAME
	case $1 in
	"libptkit.so.$MAJOR") echo "$libpkg" ;;
	*) dpkg -S "*/$1" 2>/dev/null | sed 's/: .*//; s/, /\n/g' | sed 's/:.*//' ;;
	esac
}
depends_of() { # depends_of DEB: package names of Depends, one a line
	field "$1" Depends | tr ',' '\n' | sed 's/^ *//; s/ .*//'
}
mkdir -p "$work/root"
for d in $all_debs; do
	dpkg-deb -x "$debs/$d" "$work/root"
done
# libptkit0 and ptkit: Depends has, for each library their ELF files need, a package holding it.
for pair in "$lib:$L/libptkit.so.$VERSION" "$run:/usr/bin/ptkit"; do
	deb=${pair%%:*}
	elf=$work/root${pair#*:}
	depends=$(depends_of "$deb")
	for need in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		ok=
		for o in $(owners "$need"); do
			echo "$depends" | grep -qxF "$o" && ok=1
		done
		[ -n "$ok" ] || fail "$deb: Depends '$(field "$deb" Depends)' has none of '$(owners "$need")' for $need"
	done
done
field "$dev" Depends | tr ',' '\n' | grep -qx " *$libpkg (= $VERSION)" ||
	fail "$dev: Depends '$(field "$dev" Depends)' lacks '$libpkg (= $VERSION)'"
for d in "python3:any" "$libpkg (>= $VERSION)"; do
	field "$py" Depends | tr ',' '\n' | sed 's/^ *//' | grep -qxF "$d" ||
		fail "$py: Depends '$(field "$py" Depends)' lacks '$d'"
done
[ "$(control "$lib" shlibs)" = "libptkit $MAJOR $libpkg (>= $VERSION)" ] ||
	fail "$lib: shlibs is '$(control "$lib" shlibs)', not 'libptkit $MAJOR $libpkg (>= $VERSION)'"
[ "$(control "$lib" triggers)" = "activate-noawait ldconfig" ] ||
	fail "$lib: triggers is '$(control "$lib" triggers)', not the ldconfig trigger"
for deb in $lib $run $dev; do
	for s in preinst postinst prerm postrm; do
		[ -z "$(control "$deb" $s)" ] || fail "$deb has a $s (ldconfig runs from the trigger)"
	done
done
control "$py" postinst | grep -q 'py3compile -p python3-ptkit' || fail "$py: postinst does not py3compile"
control "$py" prerm | grep -q 'py3clean -p python3-ptkit' || fail "$py: prerm does not py3clean"

# --- the packages' files, unpacked, used as an installed library --------------------------
consume "$work/root" unpacked
# A program that links libptkit.so.MAJOR (an example consume just built with pkg-config),
# put through dpkg-shlibdeps as CPack runs it on a package's ELF files, gets
# libptkitMAJOR (>= VERSION): the library's shlibs reach the packages' Depends. (The CLI
# links the archives, so ptkit's Depends has no libptkitMAJOR.)
shdir=$(sed -n 's/^set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "\(.*\)")$/\1/p' \
	"$work/build/CPackConfig.cmake")
[ -n "$shdir" ] || fail "CPackConfig.cmake sets no CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS"
mkdir -p "$work/shlibdeps/debian" "$work/shlibdeps/DEBIAN" "$work/shlibdeps/usr/bin"
: >"$work/shlibdeps/debian/control"
cp "$work/consume_unpacked/pc_translate_one" "$work/shlibdeps/usr/bin/" ||
	fail "no example linked against libptkit.so.$MAJOR"
shlibdeps=$(cd "$work/shlibdeps" && dpkg-shlibdeps "-l$shdir" --ignore-missing-info -O \
	usr/bin/pc_translate_one 2>"$work/shlibdeps.log") ||
	{ cat "$work/shlibdeps.log" >&2; fail "dpkg-shlibdeps failed on a program linking libptkit.so.$MAJOR"; }
echo "${shlibdeps#shlibs:Depends=}" | tr ',' '\n' | sed 's/^ *//' | grep -qxF "$libpkg (>= $VERSION)" ||
	fail "dpkg-shlibdeps gives a program linking libptkit.so.$MAJOR '$shlibdeps', without $libpkg (>= $VERSION)"

# --- lintian: no error, no warning but those a package overrides (usr/share/lintian/overrides/
# PACKAGE, each with its reason), and no override left that matches nothing.
summary="deb_contents: $(for p in $packages; do printf '%s (%s paths) ' "$p" "$(wc -l <"$work/$p.list")"; done)"
summary="${summary}ptkit Depends: $(field "$run" Depends)"
LINTIAN=${LINTIAN:-lintian}
command -v "$LINTIAN" >/dev/null 2>&1 || {
	echo "$summary"
	skip "lintian not found (scripts/install-deps.sh installs it): the packages' other checks passed"
}
# shellcheck disable=SC2046 # a list of paths
"$LINTIAN" --fail-on error,warning --display-info --show-overrides --tag-display-limit 0 \
	$(for d in $all_debs; do echo "$debs/$d"; done) >"$work/lintian.log" 2>&1 || {
	grep '^[EW]:' "$work/lintian.log" >&2 || cat "$work/lintian.log" >&2
	fail "lintian reports the errors or warnings above (all its output: $work/lintian.log)"
}
! grep ': unused-override\|: mismatched-override' "$work/lintian.log" >&2 ||
	fail "a lintian override above matches nothing: drop it"
echo "$summary; lintian: $(grep -c '^E:' "$work/lintian.log") errors," \
	"$(grep -c '^W:' "$work/lintian.log") warnings, $(grep -c '^O:' "$work/lintian.log") overridden," \
	"$(grep -c '^I:' "$work/lintian.log") info"
