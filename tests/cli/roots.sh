#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Formats with a separate upper-half root (arm64 TTBR1, ppc64 radix quadrant 3): build prints
# `root1` then `root`, always; without --root1 the upper half has no tree (translate: its VAs
# fault at the root level; dump: nothing listed there); the lower tree never answers for it.
. "$(dirname "$0")/lib.sh"

# roots FORMAT SPEC: build at 0x100000; $R0 and $R1 are its roots, printed root1 first.
roots() {
	run "$PTKIT" build --format "$1" --base 0x100000 -o img "$2"
	expect_rc 0
	expect_no_stderr
	[ "$(wc -l <out)" -eq 2 ] || fail "build --format $1: expected two lines (root1, root)"
	R1=$(awk 'NR == 1 && $1 == "root1" { print $2 }' out)
	R0=$(awk 'NR == 2 && $1 == "root" { print $2 }' out)
	[ -n "$R1" ] && [ -n "$R0" ] || fail "build --format $1: not 'root1 0x..' then 'root 0x..'"
	[ "$R1" != "$R0" ] || fail "build --format $1: root1 = root"
}

# lines TEXT...: the expected stdout, one argument a line.
lines() {
	printf '%s\n' "$@" >expect
	expect_stdout expect
}

# FORMAT UPPER-VA ROOT-LEVEL LEAF FLAGS (a 64K map is one LEAF-sized translation)
for f in "arm64-4k-48 0xffff000000000000 L0 64K r,w,accessed" \
	"arm64-64k-42 0xfffffc0000000000 L2 64K r,w,accessed" \
	"ppc64-radix-4k 0xc000000000000000 pgd 4K r,w,accessed,dirty" \
	"ppc64-radix-64k 0xc000000000000000 pgd 64K r,w,accessed,dirty"; do
	read -r fmt up top leaf flags <<<"$f"
	hi=$(printf '0x%x' $((up + 0x200000)))
	TR=("$PTKIT" translate --format "$fmt" --image img --base 0x100000)
	DUMP=("$PTKIT" dump --format "$fmt" --image img --base 0x100000)

	# Lower-half mappings only: root1 is printed all the same (an empty upper tree).
	printf 'map 0x0 0x0 64K\nmap 0x200000 0x0 64K\n' >lower.spec
	roots "$fmt" lower.spec
	run "${DUMP[@]}" --root "$R0"
	expect_rc 0
	expect_no_stderr
	grep -q '^---\[ upper half \]---$' out || fail "$fmt dump: no upper half header"
	[ "$(sed -n '/upper half/,$p' out | wc -l)" -eq 1 ] ||
		fail "$fmt dump without --root1: the upper half lists mappings"
	[ "$(grep -c '^0x' out)" -eq 2 ] || fail "$fmt dump: expected the two lower mappings"
	run "${TR[@]}" --root "$R0" "$up" "$hi" 0x0
	expect_rc 0
	lines "$up fault $top" "$hi fault $top" "0x0 0x0 $leaf $flags"
	run "${TR[@]}" --root "$R0" --root1 "$R1" "$up" 0x0
	expect_rc 0
	lines "$up fault $top" "0x0 0x0 $leaf $flags"
	# --root1 = --root (TTBR1 = TTBR0): both halves walk the one tree, dump as translate.
	run "${TR[@]}" --root "$R0" --root1 "$R0" "$hi"
	expect_rc 0
	lines "$hi 0x0 $leaf $flags"
	run "${DUMP[@]}" --root "$R0" --root1 "$R0"
	expect_rc 0
	expect_no_stderr
	[ "$(sed -n '/upper half/,$p' out | grep -c '^0x')" -eq 2 ] ||
		fail "$fmt dump --root1 = --root: the upper half does not list the lower tree"
	# --trace: no level is read for a half without a tree; the result line is unchanged.
	run "${TR[@]}" --root "$R0" --trace "$up"
	expect_rc 0
	[ "$(tail -n 1 out)" = "$up fault $top" ] || fail "$fmt --trace: result line"
	grep -q '^  upper half: no tree' out || fail "$fmt --trace: no 'no tree' line"

	# An upper-half mapping: through --root1 only.
	printf 'map 0x0 0x0 64K\nmap %s 0x50000 64K\n' "$up" >both.spec
	roots "$fmt" both.spec
	run "${TR[@]}" --root "$R0" --root1 "$R1" "$up" 0x0
	expect_rc 0
	lines "$up 0x50000 $leaf $flags" "0x0 0x0 $leaf $flags"
	run "${TR[@]}" --root "$R0" "$up" 0x0
	expect_rc 0
	lines "$up fault $top" "0x0 0x0 $leaf $flags"
	run "${DUMP[@]}" --root "$R0" --root1 "$R1"
	expect_rc 0
	sed -n '/upper half/,$p' out | grep -q "^0x0*${up#0x}-.* pa 0x50000$" ||
		fail "$fmt dump --root1: the upper mapping is not listed"
	run "${DUMP[@]}" --root "$R0"
	expect_rc 0
	[ "$(grep -c '^0x' out)" -eq 1 ] || fail "$fmt dump without --root1: lists the upper tree"
done

# A format with one root: --root1 other than --root is refused, not ignored.
printf 'map 0x1000 0x2000 4K\n' >x86.spec
run "$PTKIT" build --format x86_64 --base 0x100000 -o img x86.spec
expect_rc 0
lines "root 0x100000"
for cmd in translate dump; do
	args=(--format x86_64 --image img --base 0x100000 --root 0x100000 --root1 0x101000)
	if [ $cmd = translate ]; then
		run "$PTKIT" translate "${args[@]}" 0xffff800000000000
	else
		run "$PTKIT" dump "${args[@]}"
	fi
	expect_rc 1
	expect_one_error --root1 x86_64
	[ ! -s out ] || fail "$cmd with --root1 on x86_64: printed an answer"
done

echo "PASS [$TEST_NAME]"
