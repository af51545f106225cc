#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --memattr: leaves' memory types through the CPU's MAIR_EL1 / IA32_PAT (Arm ARM D8.6 and
# the MAIR_EL1 Attr<n> encodings; Intel SDM 11.12.3), for translate and dump; refused, naming
# why, where a format has no such register or the value is no number.
. "$(dirname "$0")/lib.sh"

cat >spec <<'SPEC'
map 0x200000 0x200000 4K r,w,device
map 0x201000 0x201000 4K r,w,nocache
map 0x202000 0x202000 4K r,w
SPEC

# arm64: ptkit writes AttrIndx 4 (device), 2 (nocache), 0. Linux's MAIR_EL1 before v5.10
# (0x0000bbff440c0400): byte 4 0xff Normal, byte 2 0x0c Device-nGRE, byte 0 0x00 Device.
run "$PTKIT" build --format arm64-4k-48 --base 0x100000 -o arm.img spec
expect_rc 0
root1=$(sed -n 's/^root1 //p' out) root=$(sed -n 's/^root //p' out)
TR=("$PTKIT" translate --format arm64-4k-48 --image arm.img --base 0x100000 --root "$root"
	--root1 "$root1")
run "${TR[@]}" 0x200000 0x201000 0x202000
expect_rc 0
printf '%s\n' '0x200000 0x200000 4K r,w,device,accessed' '0x201000 0x201000 4K r,w,nocache,accessed' '0x202000 0x202000 4K r,w,accessed' >want
expect_stdout want
# ptkit's own value (Linux's current layout) changes nothing.
run "${TR[@]}" --memattr 0x000000040044ffff 0x200000 0x201000 0x202000
printf '%s\n' '0x200000 0x200000 4K r,w,device,accessed' '0x201000 0x201000 4K r,w,nocache,accessed' '0x202000 0x202000 4K r,w,accessed' >want
expect_stdout want
run "${TR[@]}" --memattr 0x0000bbff440c0400 0x200000 0x201000 0x202000
expect_rc 0
expect_no_stderr
printf '%s\n' '0x200000 0x200000 4K r,w,accessed' '0x201000 0x201000 4K r,w,device,accessed' '0x202000 0x202000 4K r,w,device,accessed' >want
expect_stdout want
run "${TR[@]}" --memattr 0x0000bbff440c0400 --json 0x200000
grep -qF '"flags": ["r","w","accessed"]' out || fail "--json: --memattr not applied: $(cat out)"
run "$PTKIT" dump --format arm64-4k-48 --image arm.img --base 0x100000 --root "$root" \
	--root1 "$root1" --memattr 0x0000bbff440c0400
expect_rc 0
expect_line '0x0000000000200000-0x0000000000201000    4K L3 r,w,accessed pa 0x200000'
expect_line '0x0000000000201000-0x0000000000203000    8K L3 r,w,device,accessed pa 0x201000'

# x86: PCD:PWT 3 is ptkit's device, 2 its nocache; a PAT with WB in 3 and WC in 2.
run "$PTKIT" build --format x86_64 --base 0x100000 -o x86.img spec
expect_rc 0
TX=("$PTKIT" translate --format x86_64 --image x86.img --base 0x100000 --root 0x100000)
run "${TX[@]}" --memattr 0x0007040606010406 0x200000 0x201000 0x202000
expect_rc 0
printf '%s\n' '0x200000 0x200000 4K r,w' '0x201000 0x201000 4K r,w,nocache' '0x202000 0x202000 4K r,w' >want
expect_stdout want

# Refused: a format whose leaves carry their type, a value that is no number.
run "$PTKIT" build --format riscv-sv48 --base 0x100000 -o rv.img spec
expect_rc 0
root=$(sed -n 's/^root //p' out)
run "$PTKIT" translate --format riscv-sv48 --image rv.img --base 0x100000 --root "$root" \
	--memattr 0 0x200000
expect_rc 2
grep -q -- '--memattr: riscv-sv48 has no memory attribute register' err ||
	fail "riscv --memattr: $(cat err)"
run "${TX[@]}" --memattr pat 0x200000
expect_rc 2
grep -q -- '--memattr' err || fail "--memattr pat: $(cat err)"
echo "PASS [$TEST_NAME]"
