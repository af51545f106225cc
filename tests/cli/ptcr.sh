#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --ptcr [--pid] [--lpid]: ppc64 radix roots through the partition and process tables in the
# image (PTCR -> partition-table entry LPID -> process table -> entries PID and 0), as Linux
# lays them out on bare metal; hostile tables and other formats give one clear error line.
. "$(dirname "$0")/lib.sh"

# pokebe64 FILE OFFSET VALUE: store a big-endian 64-bit VALUE at byte OFFSET (ppc64 tables).
pokebe64() {
	poke64 "$1" "$2" "$3" be
}

BASE=0x100000
RTS52=$(((2 << 61) | (5 << 5)))
HR=$((1 << 63))
PATB=0x400000 # PATS 0: 4K, 256 LPIDs
PRTB=0x410000 # PRTS 0: 4K, 256 PIDs
PID=42
printf 'map 0x10000 0x50000 64K r,w,user\nmap 0xc000000000000000 0x60000 64K r,w,x\n' >t.spec
run "$PTKIT" build --format ppc64-radix-64k --base $BASE -o img t.spec
expect_rc 0
R1=$(awk '$1 == "root1" { print $2 }' out)
R0=$(awk '$1 == "root" { print $2 }' out)
truncate -s 4M img
pokebe64 img $((PATB - BASE)) $((HR | RTS52 | R1 | 13))
pokebe64 img $((PATB - BASE + 8)) $((HR | PRTB))
pokebe64 img $((PRTB - BASE)) $((RTS52 | R1 | 13))
pokebe64 img $((PRTB - BASE + 16 * PID)) $((RTS52 | R0 | 13))
TR=("$PTKIT" translate --format ppc64-radix-64k --image img --base $BASE)

run "${TR[@]}" --ptcr $PATB --pid $PID 0x10000 0xc000000000000000
expect_rc 0
printf '%s\n' "0x10000 0x50000 64K r,w,user,accessed,dirty" \
	"0xc000000000000000 0x60000 64K r,w,x,accessed,dirty" >expect
expect_stdout expect
expect_one_error "note: --ptcr $PATB: partition-table entry of LPID 0 at $PATB, process table at $PRTB (256 entries): PID $PID's tree (lower half) at $R0, PID 0's (upper half) at $R1"
# The same as --root / --root1 give; dump too.
run "${TR[@]}" --root "$R0" --root1 "$R1" 0x10000 0xc000000000000000
expect_stdout expect
run "$PTKIT" dump --format ppc64-radix-64k --image img --base $BASE --ptcr $PATB --pid $PID
expect_rc 0
grep -q '^0x0*10000-.* pa 0x50000$' out || fail "dump --ptcr: the PID's mapping is not listed"
grep -q '^0xc000000000000000-.* pa 0x60000$' out || fail "dump --ptcr: PID 0's mapping is not listed"
# No --pid: PID 0's tree for both quadrants (PIDR = 0, as the kernel's own threads run):
# quadrant 0 then reaches the kernel's leaf at the same index.
run "${TR[@]}" --ptcr $PATB 0x0 0x10000 0xc000000000000000
expect_rc 0
expect_line "0x0 0x60000 64K r,w,x,accessed,dirty"
expect_line "0x10000 fault pte"
expect_line "0xc000000000000000 0x60000 64K r,w,x,accessed,dirty"

# Hostile tables: one line each, exit 1.
bad() { # EXPECTED-NEEDLE ARGS...
	local needle=$1
	shift
	run "${TR[@]}" "$@" 0x10000
	expect_rc 1
	expect_one_error "$needle"
}
bad "PID 7 at 0x410070 (0x0000000000000000): empty" --ptcr $PATB --pid 7
bad "PID beyond the process table (PRTS too small for it)" --ptcr $PATB --pid 256
bad "PID above 2^20 - 1" --ptcr $PATB --pid 0x100000
bad "LPID beyond the partition table (PATS too small for it)" --ptcr $PATB --lpid 256
bad "the partition-table entry is empty (0): no partition with this LPID" --ptcr $PATB --lpid 1
pokebe64 img $((PATB - BASE + 16 + 8)) $((PRTB))
bad "hashed page table, not radix (partition-table entry HR = 0): ptkit does not walk HPT" --ptcr $PATB --lpid 1
pokebe64 img $((PATB - BASE + 16)) $((HR))
bad "a guest partition" --ptcr $PATB --lpid 1
bad "the partition-table entry is not in the dump's memory" --ptcr 0x7000000
bad "reserved PTCR bits" --ptcr $((PATB | 0x100))
bad "PATS above 24" --ptcr $((PATB | 25))
pokebe64 img $((PATB - BASE)) $((RTS52 | R1 | 13))
bad "hashed page table, not radix" --ptcr $PATB --pid $PID
pokebe64 img $((PATB - BASE)) $((HR | RTS52 | R1 | 13))
pokebe64 img $((PATB - BASE + 8)) $((HR | 0x7000000))
bad "PID $PID at 0x70002a0 (0x0000000000000000): not in the dump's memory" --ptcr $PATB --pid $PID
pokebe64 img $((PATB - BASE + 8)) $((HR | PRTB))
pokebe64 img $((PRTB - BASE + 16 * PID)) $((RTS52 | R0 | 10))
bad "RPDS" --ptcr $PATB --pid $PID
pokebe64 img $((PRTB - BASE + 16 * PID)) $((RTS52 | 0x3000000 | 13))
run "${TR[@]}" --ptcr $PATB --pid $PID 0x10000
expect_rc 1
[ "$(wc -l <err)" -eq 2 ] && grep -q "note: --ptcr" err &&
	grep -q "the PID's tree 0x3000000: outside the image" err ||
	fail "--ptcr: a tree outside the image is not the one error after the note"

# Command-line mistakes: exit 2.
run "${TR[@]}" --ptcr $PATB --root "$R0" 0x10000
expect_rc 2
expect_one_error "--ptcr with --root or --root1"
run "${TR[@]}" --root "$R0" --pid 3 0x10000
expect_rc 2
expect_one_error "--pid without --ptcr"
run "${TR[@]}" --ptcr $PATB --pid x 0x10000
expect_rc 2
expect_one_error "--pid: bad number 'x'"
# Formats whose root register points at the tree: not supported, said so.
printf "map 0x10000 0x50000 4K\n" >x.spec
run "$PTKIT" build --format x86_64 --base $BASE -o x.img x.spec
expect_rc 0
run "$PTKIT" translate --format x86_64 --image x.img --base $BASE --ptcr $BASE 0x10000
expect_rc 1
expect_one_error "not supported by this format" "x86_64"

echo "PASS [$TEST_NAME]"
