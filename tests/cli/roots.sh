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

# Root register values: --root may be the register as the CPU holds it; what is not the
# table's address is dropped (a note on stderr says so) and the answers are the same.
printf 'map 0x10000 0x50000 64K r,w\n' >reg.spec
# reg_root FORMAT BASE VALUE: the tree built at BASE, translated through --root VALUE.
reg_root() {
	run "$PTKIT" build --format "$1" --base "$2" -o reg.img reg.spec
	expect_rc 0
	local root
	root=$(awk '$1 == "root" { print $2 }' out)
	run "$PTKIT" translate --format "$1" --image reg.img --base "$2" --root "$root" 0x100000
	expect_rc 0
	cp out reg.expect
	run "$PTKIT" translate --format "$1" --image reg.img --base "$2" --root "$3" 0x100000
	expect_rc 0
	expect_stdout reg.expect
	expect_one_error "note: --root $3: the root table at $root"
}
reg_root x86_64 0x100000 0x100005                  # CR3 with PCID 5
reg_root x86_64-la57 0x100000 0x6000000000100018   # LAM bits, PWT/PCD
reg_root arm64-4k-48 0x100000 0x002a000000100001   # TTBR: ASID 0x2a, CnP
reg_root arm64-64k-52 0x1000000000000 0x0003000000000004 # BADDR[51:48] = 1 in bits 5:2
reg_root riscv-sv48 0x100000 0x9000700000000100    # satp: Sv48, ASID 7, PPN 0x100
reg_root ppc64-radix-64k 0x100000 0x40000000001000ad # PRTE: RTS 21, RPDS 13 (as Linux)
# Values that do not fit the format: exit 1, one line naming what.
run "$PTKIT" translate --format x86_64 --image reg.img --base 0x100000 --root 0x0010000000100000 0x10000
expect_rc 1
expect_one_error '--root 0x0010000000100000' 'reserved'
run "$PTKIT" build --format riscv-sv39 --base 0x100000 -o reg.img reg.spec
run "$PTKIT" translate --format riscv-sv39 --image reg.img --base 0x100000 --root 0x9000000000000100 0x10000
expect_rc 1
expect_one_error 'Sv48, not this format'
run "$PTKIT" build --format ppc64-radix-64k --base 0x100000 -o reg.img reg.spec
run "$PTKIT" translate --format ppc64-radix-64k --image reg.img --base 0x100000 --root 0x40000000001000a9 0x10000
expect_rc 1
expect_one_error 'RPDS'
run "$PTKIT" translate --format ppc64-radix-64k --image reg.img --base 0x100000 --root 0x40000000001000aa 0x10000
expect_rc 1
expect_one_error 'RPDS'

echo "PASS [$TEST_NAME]"
