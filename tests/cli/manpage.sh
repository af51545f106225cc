#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/ptkit.1 renders without warnings, and its SYNOPSIS names every command the CLI's global
# usage lists and every option each command's own usage shows (so the two cannot drift).
# Exit 77 (skipped) when neither man nor groff is installed.
page=$(cd "$(dirname "$0")/../../docs" && pwd)/ptkit.1
. "$(dirname "$0")/lib.sh"
[ -f "$page" ] || fail "no $page"

if command -v groff >/dev/null 2>&1; then
	groff -man -ww -z "$page" 2>warnings || fail "groff failed on ptkit.1"
elif command -v man >/dev/null 2>&1; then
	man --warnings -l "$page" 2>warnings >/dev/null || fail "man failed on ptkit.1"
else
	echo "SKIP [$TEST_NAME]: neither groff nor man is installed"
	exit 77
fi
if [ -s warnings ]; then
	cat warnings >&2
	fail "ptkit.1 renders with warnings (above)"
fi

# The SYNOPSIS as plain text: roff's \- and font escapes dropped.
sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$page" | sed 's/\\-/-/g; s/\\f[BIRP]//g' >synopsis
grep -q 'ptkit help' synopsis || fail "the SYNOPSIS lacks 'ptkit help'"

run "$PTKIT" --help
expect_rc 0
cmds=$(sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p' out)
[ "$(echo "$cmds" | wc -w)" -ge 6 ] || fail "the global usage lists only: $cmds"
nopts=0
for cmd in $cmds; do
	grep -q "^ptkit $cmd\\b" synopsis || fail "the SYNOPSIS lacks 'ptkit $cmd'"
	run "$PTKIT" "$cmd" --help
	expect_rc 0
	# The options of the usage line(s): everything before the first blank line.
	opts=$(sed '/^$/q' out | grep -oE -- '--[a-z0-9][a-z0-9-]*|(^| )-[a-z]\b' | tr -d ' ' | sort -u)
	for opt in $opts; do
		awk -v c="ptkit $cmd" 'index($0, c) == 1 { on = 1; print; next }
			/^ptkit / { on = 0 } on' synopsis | grep -qF -- "$opt" ||
			fail "the SYNOPSIS of 'ptkit $cmd' lacks $opt (its --help shows it)"
		nopts=$((nopts + 1))
	done
done
[ "$nopts" -ge 20 ] || fail "only $nopts options found in the usage strings: the parsing is broken"

echo "PASS [$TEST_NAME] ($(echo "$cmds" | wc -w) commands, $nopts options)"
