#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# build + translate: 4K, 2M and 1G leaves, holes (fault + level), flags, --trace, --root1.
. "$(dirname "$0")/lib.sh"

cat >good.spec <<'SPEC'
# user text, 4K pages
map 0x400000 0x200000 16K r,x,user
map 0x600000 0x800000 4M          # two 2M leaves, default flags r,w
map 0x40000000 0x80000000 1G r,w,global pagesize=1G
map 0x1000000 0x2000000 2M r,w pagesize=4K
protect 0x1001000 4K r
unmap 0x1002000 4K
map 0xffff800000000000 0x3000000 8K r,w,x,device
map 0xffff800000200000 0x3200000 4K r,nocache
map 0x2000000 0x4000000 2M r,w,user pagesize=2M
map 3G 0x100000000 2G r
SPEC
run "$PTKIT" build --format x86_64 --base 0x100000 -o img good.spec
expect_rc 0
expect_no_stderr
[ "$(tail -n 1 out)" = "root 0x100000" ] || fail "last stdout line is not 'root 0x100000'"
[ "$(wc -l <out)" -eq 1 ] || fail "x86_64 build printed more than the root line"
size=$(stat -c %s img)
[ $((size % 4096)) -eq 0 ] && [ "$size" -gt 0 ] && [ "$size" -lt $((1 << 20)) ] ||
	fail "image size $size: expected the used extent, a multiple of 4K"

TR=("$PTKIT" translate --format x86_64 --image img --base 0x100000 --root 0x100000)
run "${TR[@]}" 0x400000 0x403fff 0x404000 0x600000 0x9fffff 0x40001234 0x1000000 \
	0x1001000 0x1002000 0xffff800000001000 0xffff800000200010 0x2000fff 0xc0000000 \
	0x13fffffff 0x140000000 0x123456789000 0xffffffffffffffff 0 0x3fffffff
expect_rc 0
expect_no_stderr
cat >expect <<'OUT'
0x400000 0x200000 4K r,x,user
0x403fff 0x203fff 4K r,x,user
0x404000 fault pte
0x600000 0x800000 2M r,w
0x9fffff 0xbfffff 2M r,w
0x40001234 0x80001234 1G r,w,global
0x1000000 0x2000000 4K r,w
0x1001000 0x2001000 4K r
0x1002000 fault pte
0xffff800000001000 0x3001000 4K r,w,x,device
0xffff800000200010 0x3200010 4K r,nocache
0x2000fff 0x4000fff 2M r,w,user
0xc0000000 0x100000000 1G r
0x13fffffff 0x17fffffff 1G r
0x140000000 fault pud
0x123456789000 fault pgd
0xffffffffffffffff fault pgd
0x0 fault pmd
0x3fffffff fault pmd
OUT
expect_stdout expect

# VAs from stdin (none on the command line): the same answers; comments and any spacing.
printf '0x400000 0x403fff\t0x404000 # a comment 0x600000\n\n0x600000  0x9fffff\n0x40001234\n' >vas
run "${TR[@]}" <vas
expect_rc 0
expect_no_stderr
head -n 6 expect >expect6
expect_stdout expect6
# A bad token on stdin: one error line, the others still answered, exit 1.
printf '0x400000 zz 0x404000\n' >vas
run "${TR[@]}" <vas
expect_rc 1
expect_one_error "bad VA 'zz'"
printf '%s\n' '0x400000 0x200000 4K r,x,user' '0x404000 fault pte' >expect2
expect_stdout expect2
# --json: one object per VA, in order.
run "${TR[@]}" --json 0x400000 0x404000
expect_rc 0
cat >expectj <<'OUT'
[
  {"va": "0x400000", "pa": "0x200000", "size": 4096, "level": "pte", "flags": ["r","x","user"]},
  {"va": "0x404000", "fault": "pte"}
]
OUT
expect_stdout expectj
run "${TR[@]}" --json </dev/null
expect_rc 0
printf '[]\n' >expectj
expect_stdout expectj

# The same image, any order, the same answers (the walker's retained path must not leak).
run "${TR[@]}" 0x9fffff 0x400000 0x1002000 0x40001234 0x1001000
expect_rc 0
printf '%s\n' '0x9fffff 0xbfffff 2M r,w' '0x400000 0x200000 4K r,x,user' \
	'0x1002000 fault pte' '0x40001234 0x80001234 1G r,w,global' '0x1001000 0x2001000 4K r' >expect
expect_stdout expect

# --trace: one line per level walked, then the result; entries are the raw 64-bit words.
run "${TR[@]}" --trace 0x400000 0x40001234 0x1002000 0x140000000
expect_rc 0
grep -Eq '^  pgd index 0 entry 0x[0-9a-f]{16} table 0x100000$' out || fail "trace: no pgd line"
[ "$(grep -c '^  ' out)" -eq $((4 + 2 + 4 + 2)) ] || fail "trace: wrong number of level lines"
sed -n 4p out | grep -Eq '^  pte index 0 entry 0x0000000000200005 table 0x[0-9a-f]+$' ||
	fail "trace: 4K text leaf entry should be 0x0000000000200005 (P|US, X allowed)"
sed -n 5p out | grep -qx '0x400000 0x200000 4K r,x,user' || fail "trace: result line"
sed -n 7p out | grep -Eq '^  pud index 1 entry 0x8000000080000183 table 0x' ||
	fail "trace: 1G leaf entry should be 0x8000000080000183 (P|RW|PS|G|XD)"
sed -n 15p out | grep -Eq '^  pud index 5 entry 0x0000000000000000 table 0x' ||
	fail "trace: the empty pud entry of a hole"
tail -n 1 out | grep -qx '0x140000000 fault pud' || fail "trace: hole result"

# Every trace entry is the word stored in the image at table + 8 * index.
grep '^  ' out | while read -r lvl _ idx _ entry _ table; do
	v=$(peek64 img $((table - 0x100000 + 8 * idx)))
	[ "$v" -eq "$((entry))" ] || fail "trace: $lvl entry $entry is not the image word ($v)"
done

# Builds are deterministic and replace the image atomically.
cp img img.first
run "$PTKIT" build --format x86_64 --base 0x100000 -o img good.spec
expect_rc 0
cmp -s img img.first || fail "two builds of one spec differ"

# --size: the image is exactly SIZE bytes; decimal/suffix numbers everywhere.
run "$PTKIT" build --format x86_64 --base 1M --size 64K -o sized.img good.spec
expect_rc 0
[ "$(stat -c %s sized.img)" -eq 65536 ] || fail "--size 64K image is not 65536 bytes"
run "$PTKIT" translate --format x86_64 --image sized.img --base 0x100000 --root 1M 4M 1G
expect_rc 0
printf '%s\n' '0x400000 0x200000 4K r,x,user' '0x40000000 0x80000000 1G r,w,global' >expect
expect_stdout expect

# A spec from stdin, and an image at another base.
run "$PTKIT" build --format x86_64 --base 0x7000000 -o other.img - <good.spec
expect_rc 0
[ "$(tail -n 1 out)" = "root 0x7000000" ] || fail "stdin spec: unexpected root line"

# x86_64 has one root for both halves: an explicit --root1 equal to it changes nothing (another
# is refused: roots.sh).
run "${TR[@]}" --root1 0x100000 0xffff800000001000
expect_rc 0
expect_line '0xffff800000001000 0x3001000 4K r,w,x,device'

# collapse: 512 4K pages become one 2M leaf, then the 2M leaves of the 1G region one 1G leaf
# (arm64: through break-before-make). A table with another PA in it is refused, naming the line.
for fmt in x86_64 arm64-4k-48 riscv-sv48; do
	{
		echo 'map 0x40000000 0x80000000 2M r,w pagesize=4K'
		echo 'collapse 0x40001000'
		echo 'map 0x40200000 0x80200000 1022M r,w pagesize=2M'
		echo 'collapse 0x7fe00000'
	} >collapse.spec
	# The same maps without the collapses: the flags (as the format reports them) must agree.
	for spec in nocol collapse; do
		grep -v '^collapse' collapse.spec >nocol.spec
		run "$PTKIT" build --format "$fmt" --base 0x100000 -o col.img $spec.spec
		expect_rc 0
		root=$(tail -n 1 out | cut -d' ' -f2)
		run "$PTKIT" translate --format "$fmt" --image col.img --base 0x100000 \
			--root "$root" 0x40001234 0x7fffffff
		expect_rc 0
		cp out $spec.out
	done
	[ "$(cut -d' ' -f3 nocol.out | tr '\n' ' ')" = "4K 2M " ] || fail "$fmt: not 4K and 2M leaves"
	awk '{ $3 = "1G"; print }' nocol.out >expect
	expect_stdout expect
done
printf '%s\n' 'map 0x200000 0x400000 1M r,w pagesize=4K' \
	'map 0x300000 0x600000 1M r,w pagesize=4K' 'collapse 0x200000' >collapse.spec
run "$PTKIT" build --format x86_64 --base 0x100000 -o col.img collapse.spec
expect_rc 1
expect_one_error 'collapse.spec:3:' 'collapse 0x200000' 'cannot become one leaf'
printf '%s\n' 'collapse 0x200000' >collapse.spec
run "$PTKIT" build --format x86_64 --base 0x100000 -o col.img collapse.spec
expect_rc 1
expect_one_error 'collapse.spec:1:' 'not mapped by a table of leaves'

echo "PASS [$TEST_NAME]"
