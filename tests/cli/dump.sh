#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# dump: consecutive leaves of one level, same flags, contiguous PA coalesce; --json agrees.
. "$(dirname "$0")/lib.sh"

cat >spec <<'SPEC'
map 0x400000 0x200000 16K r,x,user
map 0x404000 0x204000 8K r,x,user      # continues the line above
map 0x406000 0x300000 4K r,x,user      # PA not contiguous: new line
map 0x600000 0x800000 4M               # two 2M leaves
map 0xa00000 0xc00000 2M               # continues them
map 0xc00000 0x5000000 2M r,w pagesize=4K  # same flags, contiguous VA, other level
map 0x1000000 0x2000000 64K
protect 0x1004000 8K r                 # splits the 64K run in three
map 1G 0x80000000 2G r,w,global
map 0xffff888000000000 0x0 4G r,w,global
map 0xffffffff81000000 0x1000000 4M r,x,global
SPEC
run "$PTKIT" build --format x86_64 --base 0x100000 -o img spec
expect_rc 0
ROOT=$(tail -n 1 out | cut -d' ' -f2)
DUMP=("$PTKIT" dump --format x86_64 --image img --base 0x100000 --root "$ROOT")

run "${DUMP[@]}"
expect_rc 0
expect_no_stderr
cat >expect <<'OUT'
---[ lower half ]---
0x0000000000400000-0x0000000000406000   24K pte r,x,user pa 0x200000
0x0000000000406000-0x0000000000407000    4K pte r,x,user pa 0x300000
0x0000000000600000-0x0000000000c00000    6M pmd r,w pa 0x800000
0x0000000000c00000-0x0000000000e00000    2M pte r,w pa 0x5000000
0x0000000001000000-0x0000000001004000   16K pte r,w pa 0x2000000
0x0000000001004000-0x0000000001006000    8K pte r pa 0x2004000
0x0000000001006000-0x0000000001010000   40K pte r,w pa 0x2006000
0x0000000040000000-0x00000000c0000000    2G pud r,w,global pa 0x80000000
---[ upper half ]---
0xffff888000000000-0xffff888100000000    4G pud r,w,global pa 0x0
0xffffffff81000000-0xffffffff81400000    4M pmd r,x,global pa 0x1000000
OUT
expect_stdout expect

# Every dumped range translates, at its first and last byte, to what dump says.
grep '^0x' expect | while read -r range _ _ flags _ pa; do
	start=$((${range%-*})) end=$((0x${range#*-0x}))
	run "$PTKIT" translate --format x86_64 --image img --base 0x100000 --root "$ROOT" \
		"$(printf '0x%x' "$start")" "$(printf '0x%x' "$((end - 1))")"
	[ "$rc" -eq 0 ] || fail "translate of dumped range $range failed"
	read -r _ pa0 _ f0 < <(sed -n 1p out)
	read -r _ pa1 _ f1 < <(sed -n 2p out)
	[ "$((pa0))" -eq "$((pa))" ] || fail "$range: translate gives $pa0, dump $pa"
	[ "$((pa1))" -eq "$((pa + end - 1 - start))" ] || fail "$range: last byte at $pa1"
	[ "$f0" = "$flags" ] && [ "$f1" = "$flags" ] || fail "$range: flags $f0/$f1 vs $flags"
done

run "${DUMP[@]}" --json
expect_rc 0
expect_no_stderr
[ "$(head -c 1 out)" = "[" ] || fail "--json: not an array"
[ "$(grep -c '"start"' out)" -eq 10 ] || fail "--json: expected 10 objects"
grep -qF '{"start": "0x600000", "end": "0xc00000", "size": 6291456, "level": "pmd", "pa": "0x800000", "flags": ["r","w"]}' out ||
	fail "--json: the 6M pmd run"
grep -qF '{"start": "0xffff888000000000", "end": "0xffff888100000000", "size": 4294967296, "level": "pud", "pa": "0x0", "flags": ["r","w","global"]}' out ||
	fail "--json: the 4G direct map"
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); assert len(a) == 10' out ||
		fail "--json: not valid JSON"
fi

# An empty tree: both headers, nothing else; JSON: an empty array.
printf '# nothing\n' >empty.spec
run "$PTKIT" build --format x86_64 --base 0 -o empty.img empty.spec
expect_rc 0
run "$PTKIT" dump --format x86_64 --image empty.img --base 0 --root 0
expect_rc 0
printf -- '---[ lower half ]---\n---[ upper half ]---\n' >expect
expect_stdout expect
run "$PTKIT" dump --format x86_64 --image empty.img --base 0 --root 0 --json
expect_rc 0
printf '[]\n' >expect
expect_stdout expect

# --start/--end: only the leaves in [start, end) are listed.
run "${DUMP[@]}" --start 0x600000 --end 0x1005000
expect_rc 0
printf '%s\n' '---[ lower half ]---' \
	'0x0000000000600000-0x0000000000c00000    6M pmd r,w pa 0x800000' \
	'0x0000000000c00000-0x0000000000e00000    2M pte r,w pa 0x5000000' \
	'0x0000000001000000-0x0000000001004000   16K pte r,w pa 0x2000000' \
	'0x0000000001004000-0x0000000001005000    4K pte r pa 0x2004000' \
	'---[ upper half ]---' >expect_range
expect_stdout expect_range
run "${DUMP[@]}" --start 0x2000 --end 0x1000
expect_rc 2

# --wx: no writable and executable leaf here (exit 0); then one (exit 1, listed alone).
run "${DUMP[@]}" --wx
expect_rc 0
printf '%s\n' '---[ lower half ]---' '---[ upper half ]---' >expect_wx
expect_stdout expect_wx
printf 'map 0x400000 0x200000 4K r,w,x\nmap 0x401000 0x201000 4K r,x\n' >wx.spec
run "$PTKIT" build --format x86_64 --base 0x100000 -o wx.img wx.spec
expect_rc 0
run "$PTKIT" dump --format x86_64 --image wx.img --base 0x100000 --root 0x100000 --wx
expect_rc 1
printf '%s\n' '---[ lower half ]---' \
	'0x0000000000400000-0x0000000000401000    4K pte r,w,x pa 0x200000' \
	'---[ upper half ]---' >expect_wx
expect_stdout expect_wx

echo "PASS [$TEST_NAME]"
