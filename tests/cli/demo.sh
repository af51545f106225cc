#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo: exits 0, prints the dump and the sample translations, deterministically; every
# format listed by `ptkit formats` runs its demo without error.
. "$(dirname "$0")/lib.sh"

run "$PTKIT" demo
expect_rc 0
expect_no_stderr
cp out first
for line in \
	'---[ lower half ]---' \
	'---[ upper half ]---' \
	'0xffff888000000000-0xffff888100000000    4G pud r,w,global pa 0x0' \
	'0xffffffff81000000-0xffffffff82000000   16M pmd r,x,global pa 0x1000000' \
	'0xffffd00000000000-0xffffd00080000000    2G pud r,w,global,device pa 0xf000000000' \
	'0x0000000001000000-0x0000000001600000    6M pmd r,w,user pa 0x6000000' \
	'0x0000000001600000-0x0000000001800000    2M pte r,w,user pa 0x6600000' \
	'0x00007ffffffde000-0x00007ffffffff000  132K pte r,w,user pa 0x7000000'; do
	expect_line "$line"
done
grep -q '^0xffffc90000004000 fault pte  *# vmalloc guard page$' out || fail "demo: guard page"
grep -q '^0x600000000000 fault pgd  *# ' out || fail "demo: hole"
grep -q '^0x7fffffffe008 0x7020008 4K r,w,user  *# user stack$' out || fail "demo: stack"
grep -Eq '^tables [0-9]+, image [0-9]+ bytes$' out || fail "demo: no summary line"

run "$PTKIT" demo --format x86_64
expect_rc 0
cmp -s out first || fail "demo output is not deterministic"

"$PTKIT" formats | awk '{print $1}' >names
while read -r f; do
	run "$PTKIT" demo --format "$f"
	expect_rc 0
	expect_no_stderr
	grep -q -- '---\[ lower half \]---' out || fail "demo --format $f: no dump"
done <names

echo "PASS [$TEST_NAME]"
