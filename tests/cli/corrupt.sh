#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# translate and dump of hand-corrupted images: an error line and exit 1, never a crash;
# translate answers every VA, the corrupt ones with an error answer; dump lists the bad entry
# where it is and goes on; a table on its own walk is a self-map, one reached twice shared.
. "$(dirname "$0")/lib.sh"

BASE=$((0x100000))
cat >spec <<'SPEC'
map 0x1000 0x0 4K
map 0x40000000 0x80000000 1G r,w pagesize=1G
SPEC
run "$PTKIT" build --format x86_64 --base 0x100000 -o good.img spec
expect_rc 0
ROOT=$(tail -n 1 out | cut -d' ' -f2)

TR=(translate --format x86_64 --image img --base 0x100000 --root "$ROOT")
DUMP=(dump --format x86_64 --image img --base 0x100000 --root "$ROOT")

# Addresses of the tables on the walk of 0x1000, from --trace: pgd pud pmd pte.
run "$PTKIT" translate --format x86_64 --image good.img --base 0x100000 --root "$ROOT" \
	--trace 0x1000
expect_rc 0
mapfile -t TABLES < <(awk '/^  /{print $7}' out)
[ "${#TABLES[@]}" -eq 4 ] || fail "expected 4 trace lines for 0x1000"
PGD=$((TABLES[0])) PUD=$((TABLES[1])) PMD=$((TABLES[2]))
pgd0=$(peek64 good.img $((PGD - BASE)))
pud0=$(peek64 good.img $((PUD - BASE)))
pmd0=$(peek64 good.img $((PMD - BASE)))

# corrupt NAME OFFSET VALUE: a fresh copy of the good image with one entry replaced.
corrupt() {
	cp good.img img
	poke64 img "$1" "$2"
}

# expect_translate_error NEEDLE...: translate of 0x400000000000 (untouched), 0x1000,
# 0x400000000000 answers all three, 0x1000 with an error answer and one error line naming it.
expect_translate_error() {
	run "$PTKIT" "${TR[@]}" 0x400000000000 0x1000 0x400000000000
	expect_rc 1
	expect_one_error "ptkit translate: 0x1000: " "$@"
	[ "$(wc -l <out)" -eq 3 ] || fail "translate: expected 3 answers"
	[ "$(sed -n '1p;3p' out)" = $'0x400000000000 fault pgd\n0x400000000000 fault pgd' ] ||
		fail "translate: the VAs around the corrupt one are not answered"
	sed -n 2p out | grep -q '^0x1000 error ' || fail "translate: no error answer for 0x1000"
}

# expect_corrupt NEEDLE...: translate as above; dump lists the 1G leaf beside the bad entry,
# the bad entry as an error line, says it once on stderr, and exits 1.
expect_corrupt() {
	expect_translate_error "$@"
	run "$PTKIT" "${DUMP[@]}"
	expect_rc 1
	[ "$(wc -l <err)" -eq 1 ] || fail "dump: expected one error line"
	grep -q ' error: ' out || fail "dump: the bad entry is not listed"
}

# expect_self_map TABLE LEAF NEEDLE...: translate refuses the loop; dump lists it as a
# self-map and exits 0; LEAF=1: the 1G leaf (another pud entry) is still listed.
expect_self_map() {
	local table=$1 leaf=$2
	shift 2
	expect_translate_error "$@"
	run "$PTKIT" "${DUMP[@]}"
	expect_rc 0
	expect_no_stderr
	grep -q "self-map: table $(printf '0x%x' "$table") " out || fail "dump: no self-map line"
	[ "$leaf" = 0 ] || grep -q '^0x0000000040000000-0x0000000080000000 .* pa 0x80000000$' out ||
		fail "dump: the 1G leaf is missing beside the self-map"
}

# 1. The pgd entry points outside the image.
corrupt $((PGD - BASE)) $((0x7f000000 | 0x7))
expect_corrupt 'outside the image' 'at pgd'

# 2. The pud entry points to the last bytes of the image (a table would run past its end).
size=$(stat -c %s good.img)
corrupt $((PUD - BASE)) $(((BASE + size) | 0x7))
expect_corrupt 'outside the image' 'at pud'

# 3. A self loop: the pgd entry points to the pgd itself (a recursive self-map).
corrupt $((PGD - BASE)) $((PGD | 0x7))
expect_self_map "$PGD" 0 'loop' 'at pgd'

# 4. A longer loop: the pmd entry points back to the pud.
corrupt $((PMD - BASE)) $((PUD | 0x7))
expect_self_map "$PUD" 1 'loop' 'at pmd'

# 5. The reserved PS bit (bit 7) in a pgd (PML4) entry.
corrupt $((PGD - BASE)) $((pgd0 | 0x80))
expect_corrupt 'bad entry' 'at pgd'

# 6. Reserved address bits in a 1G leaf (bit 13 of a PDPTE with PS=1).
pud1=$(peek64 good.img $((PUD - BASE + 8)))
corrupt $((PUD - BASE + 8)) $((pud1 | 0x2000))
run "$PTKIT" "${TR[@]}" 0x40000000
expect_rc 1
expect_one_error '0x40000000' 'bad entry' 'at pud'

# 7. Two pgd entries share one pud table: fine for the MMU; dump lists the second as shared
#    (not walked twice: a hostile image cannot make the listing explode).
corrupt $((PGD - BASE + 8)) "$pgd0"
run "$PTKIT" "${TR[@]}" 0x8000001000
expect_rc 0
expect_line '0x8000001000 0x0 4K r,w'
run "$PTKIT" "${DUMP[@]}"
expect_rc 0
expect_no_stderr
expect_line "0x0000008000000000-0x0000010000000000  512G pgd shared: table $(printf '0x%x' "$PUD"), listed at 0x0"
run "$PTKIT" "${DUMP[@]}" --wx # no W+X leaf: shared tables are not W+X findings
expect_rc 0
[ "$(grep -c '^0x' out)" -eq 0 ] || fail "dump --wx listed more than W+X leaves"

# 7b. A bad entry between good ones: listed in place, the mappings after it still listed.
corrupt $((PUD - BASE)) $((pud0 | 0x2000 | 0x80))
run "$PTKIT" "${DUMP[@]}"
expect_rc 1
expect_one_error '0x0: ' 'at pud'
grep -q '^0x0000000000000000-0x0000000040000000    1G pud error: bad entry ' out ||
	fail "dump: the bad pud entry is not listed in place"
expect_line '0x0000000040000000-0x0000000080000000    1G pud r,w pa 0x80000000'
run "$PTKIT" "${DUMP[@]}" --json
expect_rc 1
grep -q '"level": "pud", "error": "bad entry' out || fail "dump --json: no error object"

# 8. Garbage: every entry on the walk replaced by awkward values; no crash, one error line
#    at most, exit status 0 or 1.
for off in $((PGD - BASE)) $((PUD - BASE)) $((PMD - BASE)) $((PUD - BASE + 8)); do
	for v in -1 1 3 0x83 $((BASE | 1)) $((BASE + size - 8 | 1)) 0x7ffffffffffff001 \
		$((pmd0 ^ 0x80)) $((pud0 | 0x80)) $((0xfffffffffffff000 | 1)); do
		corrupt "$off" "$((v))"
		for cmd in "${TR[*]} 0x1000 0x40000000 0x40001000" "${DUMP[*]}" "${DUMP[*]} --json"; do
			# shellcheck disable=SC2086
			run "$PTKIT" $cmd
			[ "$rc" -le 1 ] || fail "'$cmd' on entry 0x$(printf %x "$v") at $off: status $rc"
			[ "$(wc -l <err)" -le 3 ] || fail "'$cmd': more than one error line per VA"
		done
	done
done

echo "PASS [$TEST_NAME]"
