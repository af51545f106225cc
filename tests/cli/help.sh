#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --help / -h: usage on stdout, exit 0, for ptkit and every subcommand; `formats` lists x86_64.
. "$(dirname "$0")/lib.sh"

for args in "--help" "-h" "help"; do
	run "$PTKIT" $args
	expect_rc 0
	expect_no_stderr
	grep -q '^usage: ptkit' out || fail "'ptkit $args': no usage line"
	for cmd in formats build translate dump demo verify; do
		grep -q "  $cmd" out || fail "'ptkit $args' does not list $cmd"
	done
done

for cmd in formats build translate dump demo verify; do
	for opt in --help -h; do
		# --help wins over anything else on the line, even bad arguments.
		run "$PTKIT" "$cmd" --format nosuchfmt "$opt"
		expect_rc 0
		expect_no_stderr
		grep -q "^usage: ptkit $cmd" out || fail "'ptkit $cmd $opt': no usage line"
	done
done

# No subcommand: usage on stderr, exit 2.
run "$PTKIT"
expect_rc 2
grep -q '^usage: ptkit' err || fail "ptkit without arguments: no usage on stderr"

# formats: one line per format, name first, x86_64 with its geometry.
run "$PTKIT" formats
expect_rc 0
grep -Eq '^x86_64 +levels 4 +va 48 +pa 52 +leaves 4K/2M/1G ' out || fail "formats: x86_64 line"
[ "$(awk '{print $1}' out | sort | uniq -d | wc -l)" -eq 0 ] || fail "formats: duplicate names"
# The descriptions start in one column, after the widest list of leaf sizes.
[ "$(awk 'match($0, /leaves [^ ]+ +/) { print RSTART + RLENGTH }' out | sort -u | wc -l)" -eq 1 ] ||
	fail "formats: the description column is not aligned"
# formats --halves: the VA ranges of each format, from its geometry.
run "$PTKIT" formats --halves
expect_rc 0
grep -Eq '^x86_64 +lower 0x0-0x7fffffffffff upper 0xffff800000000000-0xffffffffffffffff one-root$' out ||
	fail "formats --halves: x86_64 line"
grep -Eq '^arm64-4k-48 +lower 0x0-0xffffffffffff upper 0xffff000000000000-0xffffffffffffffff two-roots$' out ||
	fail "formats --halves: arm64-4k-48 line"
run "$PTKIT" formats extra
expect_rc 2
expect_one_error extra

echo "PASS [$TEST_NAME]"
