#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `ptkit help CMD` prints exactly what `ptkit CMD --help` prints, for every command the global
# usage lists; `ptkit help` is the global usage; an unknown or extra argument is exit 2.
. "$(dirname "$0")/lib.sh"

run "$PTKIT" --help
expect_rc 0
cp out global
# The commands: the indented first words of the global usage.
cmds=$(sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p' global)
[ "$(echo "$cmds" | wc -w)" -ge 6 ] || fail "the global usage lists only: $cmds"

for cmd in $cmds; do
	run "$PTKIT" "$cmd" --help
	expect_rc 0
	expect_no_stderr
	cp out "own_$cmd"
	head -n 1 "own_$cmd" | grep -q "^usage: ptkit $cmd\\b" ||
		fail "'ptkit $cmd --help' does not start with 'usage: ptkit $cmd'"
	run "$PTKIT" help "$cmd"
	expect_rc 0
	expect_no_stderr
	expect_stdout "own_$cmd"
done

for args in "help" "help --help" "help -h"; do
	# shellcheck disable=SC2086 # word list
	run "$PTKIT" $args
	expect_rc 0
	expect_no_stderr
	expect_stdout global
done
grep -q "ptkit help COMMAND" global || fail "the global usage does not mention 'ptkit help COMMAND'"

run "$PTKIT" help nosuch
expect_rc 2
[ ! -s out ] || fail "'ptkit help nosuch' printed on stdout"
expect_one_error "unknown command 'nosuch'"

run "$PTKIT" help dump extra
expect_rc 2
expect_one_error "unexpected argument 'extra'"

echo "PASS [$TEST_NAME]"
