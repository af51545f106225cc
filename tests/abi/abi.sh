#!/bin/sh
# SPDX-License-Identifier: MIT
# libptkit.so's ABI against the release's (docs/ABI.md; cmake/abi.cmake runs this).
#   abi.sh check    SRC LIB WORKDIR   the test abi_check: fails on an incompatible change
#   abi.sh baseline SRC LIB WORKDIR   make abi-baseline: write SRC/abi/<SONAME>.abi
# LIB is libptkit.so with full DWARF (target ptkit_abi). The ABI is the exported functions
# and the types of include/ptkit/ they reach, as libabigail's abidw describes it.
set -eu
mode=$1 src=$2 lib=$3 work=$4

# Exit status 77: CTest's SKIP_RETURN_CODE for abi_check.
need() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "abi: $1 not found (Debian package abigail-tools: scripts/install-deps.sh)" >&2
	[ "$mode" = check ] && exit 77
	exit 1
}
need abidw
need abidiff

# Only what a user of the headers sees (--headers-dir, --drop-private-types); nothing of
# the machine that built it (paths, DT_NEEDED), so that the file only changes with the ABI.
# --exported-interfaces-only: without it, libabigail 2.2's abidw left 33 of the 75 exported
# functions (pt_map among them) without their declaration, so their types went unchecked.
dump() {
	abidw --exported-interfaces-only --drop-private-types --headers-dir "$src/include/ptkit" \
		--no-corpus-path --no-comp-dir-path --short-locs --no-elf-needed \
		--type-id-style hash --out-file "$2" "$1"
}
# The attribute $2 of the corpus element of abidw's file $1.
corpus_attr() {
	sed -n "s/^<abi-corpus .*$2='\([^']*\)'.*/\1/p" "$1" | head -n 1
}

# The baseline is the whole library's: with the mm layer, which needs liburcu-dev.
if [ "${PTKIT_HAS_MM:-ON}" != ON ]; then
	echo "abi: this build has no mm layer (liburcu-dev missing): its ABI is not the release's"
	[ "$mode" = check ] && exit 77
	exit 1
fi

mkdir -p "$work"
cur=$work/current.abi
dump "$lib" "$cur"
soname=$(corpus_attr "$cur" soname)
[ -n "$soname" ] || { echo "abi: $lib has no SONAME" >&2; exit 1; }
base=$src/abi/$soname.abi

if [ "$mode" = baseline ]; then
	# One baseline: the current release's. A new SONAME replaces the old one's.
	mkdir -p "$src/abi"
	for f in "$src"/abi/*.abi; do
		[ -e "$f" ] && [ "$f" != "$base" ] && rm -v "$f"
	done
	cp "$cur" "$base"
	echo "abi: wrote $base ($(grep -c '<elf-symbol ' "$base") functions): commit it with the release"
	exit 0
fi
[ "$mode" = check ] || { echo "abi: unknown mode $mode" >&2; exit 2; }

if [ ! -f "$base" ]; then
	old=
	for f in "$src"/abi/*.abi; do
		[ -e "$f" ] && old="$old${old:+ }$(basename "$f" .abi)"
	done
	if [ -n "$old" ]; then
		# A new SONAME is a new ABI: nothing to be compatible with. Skipped, not passed,
		# so that the missing baseline shows until it is written.
		echo "abi: new SONAME $soname (the baseline is for $old):" \
			"regenerate the baseline with make abi-baseline"
		exit 77
	fi
	echo "abi: no baseline abi/$soname.abi: write it with make abi-baseline" >&2
	exit 1
fi
arch=$(corpus_attr "$cur" architecture)
if [ "$arch" != "$(corpus_attr "$base" architecture)" ]; then
	echo "abi: the baseline is for $(corpus_attr "$base" architecture), this build $arch: skipped"
	exit 77
fi

# abidiff's exit status is a bit set: 1 error, 2 usage error, 4 ABI change, 8 incompatible
# ABI change (a function removed, ...). With --no-added-syms an addition is no change, so
# any bit fails: a removed or changed function, a public type whose layout changed.
diff_fails() {
	st=0
	abidiff --no-added-syms "$@" >"$work/abidiff.txt" 2>&1 || st=$?
	[ "$st" -ne 0 ]
}

# Structs only the library allocates (callers reach them through const pointers from
# pt_format_find / pt_format_at, never copy or embed one) may grow at their end: new format
# operations are appended to struct pt_format_ops, the last member of struct pt_format. The
# fresh description is compared with these structs cut back to the baseline's size: members
# past the baseline's end are dropped, every member within it is still compared.
LIBRARY_OWNED="pt_format pt_format_ops"
# grow_at_end BASE IN OUT: IN with LIBRARY_OWNED structs cut to their size in BASE.
grow_at_end() {
	awk -v owned=" $LIBRARY_OWNED " '
	FNR == 1 { file++ }
	/<class-decl name=/ {
		name = $0; sub(/.*<class-decl name=./, "", name); sub(/[^a-z_0-9].*/, "", name)
		cls = index(owned, " " name " ") ? name : ""
	}
	file == 1 { if (cls != "" && /<class-decl /) { sz = $0; sub(/.*size-in-bits=./, "", sz)
			sub(/[^0-9].*/, "", sz); size[cls] = sz }
		next }
	cls != "" && /<class-decl / && (cls in size) { sub(/size-in-bits=.[0-9]*./, "size-in-bits=\047" size[cls] "\047") }
	cls != "" && /<data-member / && (cls in size) { off = $0; sub(/.*layout-offset-in-bits=./, "", off)
		sub(/[^0-9].*/, "", off); drop = off + 0 >= size[cls] + 0 }
	/<\/class-decl>/ { cls = "" }
	!drop { print }
	/<\/data-member>/ { drop = 0 }
	' "$1" "$2" >"$3"
}

# First the checker itself: this build's ABI with the second member of struct
# pt_translation moved (offset 64 -> 32 bits) must fail: proof that a layout change is seen.
bad=$work/selftest.abi
awk 'm == 0 && /<class-decl name=.pt_translation. / { m = 1 }
     m == 1 && /<\/class-decl>/ { m = 0 }
     m == 1 && /layout-offset-in-bits=.64./ { sub(/=.64./, "=\04732\047"); m = 2 }
     { print }' "$cur" >"$bad"
if cmp -s "$cur" "$bad"; then
	echo "abi: self-test: no member at offset 64 in struct pt_translation to move" \
		"(update the self-test in tests/abi/abi.sh)" >&2
	exit 1
fi
# Bit 4 or 8, not an error (1, 2): abidiff read both and saw the change.
if ! diff_fails "$cur" "$bad" || [ $((st & 12)) -eq 0 ]; then
	echo "abi: self-test: abidiff did not report pt_translation's changed layout" >&2
	cat "$work/abidiff.txt" >&2
	exit 1
fi

# ... and the cut: a member of pt_format_ops moved (offset 64 -> 32) must still fail.
awk 'm == 0 && /<class-decl name=.pt_format_ops. / { m = 1 }
     m == 1 && /<\/class-decl>/ { m = 0 }
     m == 1 && /layout-offset-in-bits=.64./ { sub(/=.64./, "=\04732\047"); m = 2 }
     { print }' "$cur" >"$bad.in"
grow_at_end "$base" "$bad.in" "$bad"
if ! diff_fails "$base" "$bad" || [ $((st & 12)) -eq 0 ]; then
	echo "abi: self-test: a moved member of pt_format_ops passed the grow-at-end cut" >&2
	cat "$work/abidiff.txt" >&2
	exit 1
fi
grow_at_end "$base" "$cur" "$work/cut.abi"
cur=$work/cut.abi

if diff_fails "$base" "$cur"; then
	echo "abi: $soname changed incompatibly against abi/$soname.abi (exit $st):"
	cat "$work/abidiff.txt"
	echo "abi: keep the old ABI, or bump PTKIT_VERSION_MAJOR (include/ptkit/version.h) and" \
		"the node in cmake/ptkit.map, then make abi-baseline (docs/ABI.md)"
	exit 1
fi
# Compatible: show what was added, if anything.
abidiff "$base" "$cur" >"$work/abidiff.txt" 2>&1 || true
added=$(sed -n 's/.*Functions changes summary:.*, \([0-9]*\) Added.*/\1/p' "$work/abidiff.txt")
echo "abi: $soname compatible with abi/$soname.abi ($(grep -c '<elf-symbol ' "$base")" \
	"functions; ${added:-0} added since)"
[ "${added:-0}" = 0 ] || cat "$work/abidiff.txt"
