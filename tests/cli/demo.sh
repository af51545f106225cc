#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo: exits 0, prints the dump and the sample translations, deterministically; every
# format listed by `ptkit formats` runs its demo without error, with leaves in both halves
# and the leaf sizes its geometry promises; with the mm layer built, the GUP section shows
# a hugetlb range pinned and unpinned and a PFN map refused by GUP but served by
# follow_pfnmap.
. "$(dirname "$0")/lib.sh"

# The mm layer is built (and linked into the CLI) when liburcu was found next to it.
HAVE_MM=0
[ -e "$(dirname "$PTKIT")/libptkit_mm.a" ] && HAVE_MM=1

run "$PTKIT" demo
expect_rc 0
expect_no_stderr
cp out first
for line in \
	'---[ lower half ]---' \
	'---[ upper half ]---' \
	'0xffffc00000000000-0xffffc00100000000    4G pud r,w,global pa 0x0' \
	'0xffffc00100000000-0xffffc00104000000   64M pmd r,w,global pa 0x100000000' \
	'0xffffffff81000000-0xffffffff82000000   16M pmd r,x,global pa 0x1000000' \
	'0xffffe00000000000-0xffffe00080000000    2G pud r,w,global,device pa 0xf000000000' \
	'0x0000000001000000-0x0000000001600000    6M pmd r,w,user pa 0x6000000' \
	'0x0000000001600000-0x0000000001800000    2M pte r,w,user pa 0x6600000' \
	'0x00007ffffffde000-0x00007ffffffff000  132K pte r,w,user pa 0x7000000'; do
	grep -qxF -- "$line" out || fail "demo: no line '$line'"
done
grep -q '^0xffffa00000004000 fault pte  *# vmalloc guard page$' out || fail "demo: guard page"
grep -q '^0x600000000000 fault pgd  *# ' out || fail "demo: hole"
grep -q '^0x7fffffffe008 0x7020008 4K r,w,user  *# user stack$' out || fail "demo: stack"
grep -Eq '^tables [0-9]+, image [0-9]+ bytes$' out || fail "demo: no summary line"

run "$PTKIT" demo --format x86_64
expect_rc 0
cmp -s out first || fail "demo output is not deterministic"

# region_leaves NAME: the leaf summary (last column) of the regions named NAME.
region_leaves() {
	awk -v n="$1" '/^regions/ { on = 1; next } /^$/ { on = 0 }
		on && index($0, "  " n " ") == 1 { print }' out
}
# half_leaves H: the dump lines of the lower (H=lower) or upper (H=upper) half.
half_leaves() {
	awk -v h="---[ $1 half ]---" '$0 == h { on = 1; next } /^---\[|^$/ { on = 0 }
		on && /^0x/ { print }' out
}

"$PTKIT" formats | awk '{print $1}' >names
[ -s names ] || fail "ptkit formats lists nothing"
while read -r f; do
	run "$PTKIT" demo --format "$f"
	expect_rc 0
	expect_no_stderr
	grep -q -- '---\[ lower half \]---' out || fail "demo --format $f: no dump"
	! grep -q 'skipped' out || fail "demo --format $f: a region was skipped"
	[ -n "$(half_leaves lower)" ] || fail "demo --format $f: no leaf in the lower half"
	[ -n "$(half_leaves upper)" ] || fail "demo --format $f: no leaf in the upper half"
	n=$(wc -l <out)
	[ "$n" -le 80 ] || fail "demo --format $f: $n lines, more than 80"
	case "$f" in
	arm64-4k-48)
		region_leaves 'kernel linear map' | grep -q ' 4x1G ' ||
			fail "demo --format $f: linear map not in 1G blocks"
		region_leaves 'kernel linear map' | grep -Eq '[0-9]+x32M\(16x2M contig\)' ||
			fail "demo --format $f: no contiguous 2M range"
		;;
	riscv-sv48)
		region_leaves 'PFN/MMIO map' | grep -q ' 1x512G$' ||
			fail "demo --format $f: PFN map not one 512G leaf"
		half_leaves upper | grep -q ' 512G .*device' ||
			fail "demo --format $f: no 512G leaf in the dump"
		;;
	ppc64-radix-4k)
		region_leaves 'kernel linear map' | grep -q ' 4x1G ' ||
			fail "demo --format $f: no 1G leaves"
		region_leaves 'kernel text' | grep -q ' 8x2M$' ||
			fail "demo --format $f: no 2M leaves"
		;;
	esac
	if [ "$HAVE_MM" = 1 ]; then
		for re in \
			'^get_user_pages \(mm layer' \
			'^  hugetlb VMA 0x[0-9a-f]+ +[0-9]+[KMG], [0-9]+[KMG] folios$' \
			'^  get_user_pages\(0x[0-9a-f]+, 8, PIN\|WRITE\): 8 pinned, 1 fault; pfn ' \
			'^  get_user_pages_fast\(0x[0-9a-f]+, 8, PIN\): 8 pinned, 8 lockless, 0 fault; ' \
			'^  pinned: +[0-9]+[KMG] folio at 0x[0-9a-f]+: pincount 16, .*maybe DMA-pinned$' \
			'on the PFN map: refused \(-PT_EFAULT\); fast path took 0$' \
			'^  follow_pfnmap_start\(0x[0-9a-f]+\): pfn 0x[0-9a-f]+ pa 0x[0-9a-f]+, leaf [0-9]+[KMGT] .*special' \
			'^  after unpin_user_pages: +[0-9]+[KMG] folio at 0x[0-9a-f]+: pincount 0, refcount 1, not pinned$' \
			'^  after mm_fini: folios live 0, tables 0$'; do
			grep -Eq -- "$re" out || fail "demo --format $f: no GUP line /$re/"
		done
	else
		grep -q '^get_user_pages: not built (the mm layer needs liburcu-dev)$' out ||
			fail "demo --format $f: no GUP section nor its 'needs liburcu-dev' line"
	fi
done <names

# The 512G PFN leaf is served by follow_pfnmap in one step.
if [ "$HAVE_MM" = 1 ]; then
	run "$PTKIT" demo --format riscv-sv48
	grep -q 'follow_pfnmap_start.*leaf 512G' out || fail "riscv-sv48: 512G PFN leaf not followed"
fi

echo "PASS [$TEST_NAME]"
