#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hostile arguments: an arena the format cannot address or align (build: exit 2, no image
# written), a root the MMU could not use (translate, dump: exit 1, nothing printed); always
# one line on stderr naming the argument.
. "$(dirname "$0")/lib.sh"

printf 'map 0x1000 0x2000 4K\nmap 0x0 0x0 4K\n' >two.spec
printf 'map 0x1000 0x2000 4K\n' >one.spec
printf 'map 0x0 0x0 64K\n' >64k.spec

# refused NEEDLE... -- BUILD ARGS (without -o): exit 2, one line naming every NEEDLE, an
# existing image untouched, no image created.
refused() {
	local needles=()
	while [ "$1" != -- ]; do
		needles+=("$1")
		shift
	done
	shift
	printf 'precious image content\n' >img
	cp img img.orig
	run "$PTKIT" build "$@" -o img
	expect_rc 2
	expect_one_error "${needles[@]}"
	[ ! -s out ] || fail "'build $*': printed a root"
	cmp -s img img.orig || fail "'build $*': the existing image was modified"
	rm -f img
	run "$PTKIT" build "$@" -o img
	expect_rc 2
	expect_one_error "${needles[@]}"
	[ ! -e img ] || fail "'build $*': an image was created"
}

# built FORMAT BASE SIZE SPEC: the build succeeds; $ROOT is its root.
built() {
	run "$PTKIT" build --format "$1" --base "$2" --size "$3" -o img "$4"
	expect_rc 0
	expect_no_stderr
	ROOT=$(awk '$1 == "root" { print $2 }' out)
	[ -n "$ROOT" ] || fail "build --format $1 --base $2: no root line"
}

# 1. The arena [base, base + size) must lie below the format's PA limit (2^pa_bits).
refused --base 0x10000000000000 x86_64 52-bit -- --format x86_64 --base 0x10000000000000 two.spec
refused --base 0x10000000000000 x86_64 52-bit -- --format x86_64 --base 0x10000000000000 one.spec
refused --base 0x1000000000000 arm64-4k-48 48-bit -- \
	--format arm64-4k-48 --base 0x1000000000000 two.spec
refused --base 0xfffffc0001000 --size 1G x86_64 -- --format x86_64 --base 0xfffffc0001000 two.spec
refused --base 0xffffff000000 --size 32M arm64-4k-48 -- \
	--format arm64-4k-48 --base 0xffffff000000 --size 32M two.spec
refused --base 0xffffffffffff000 riscv-sv39 56-bit -- \
	--format riscv-sv39 --base 0xffffffffffff000 --size 4K one.spec
# An arena the arena allocator cannot hold (1T or more): the message names --size.
for size in 1T 2T; do
	rm -f img
	run "$PTKIT" build --format x86_64 --base 0 --size $size -o img one.spec
	expect_rc 1
	expect_one_error "--size $size" 'smaller than 1T'
	[ ! -e img ] || fail "--size $size: an image was created"
done
# The last arena that fits: it ends exactly at the limit, and its tables translate.
for f in x86_64:52 arm64-4k-48:48 riscv-sv48:56; do
	fmt=${f%:*} base=$(printf '0x%x' $(((1 << ${f#*:}) - (16 << 20))))
	built "$fmt" "$base" 16M two.spec
	run "$PTKIT" translate --format "$fmt" --image img --base "$base" --root "$ROOT" 0x1000
	expect_rc 0
	grep -q '^0x1000 0x2000 4K ' out || fail "$fmt at $base: 0x1000 does not translate"
done

# 2. --base aligned to the format's granule (its largest table): 16K/64K tables must be
#    physically aligned to their size, as the hardware reads them.
refused --base 0x1000 '64K granule' arm64-64k-48 -- \
	--format arm64-64k-48 --base 0x1000 --size 2M 64k.spec
refused --base 0x8000 '64K granule' arm64-64k-42 -- --format arm64-64k-42 --base 0x8000 64k.spec
refused --base 0x3000 '16K granule' arm64-16k-47 -- --format arm64-16k-47 --base 0x3000 64k.spec
refused --base 0x1000 '64K granule' ppc64-radix-4k -- --format ppc64-radix-4k --base 0x1000 one.spec
refused --base 0x4000 '64K granule' ppc64-radix-64k -- \
	--format ppc64-radix-64k --base 0x4000 64k.spec
refused --base 0x1001 '4K granule' x86_64 -- --format x86_64 --base 0x1001 one.spec
# Aligned: the tables are where the walk finds them.
for f in arm64-64k-48:0x10000 arm64-16k-47:0x4000 ppc64-radix-4k:0x30000 arm64-4k-48:0x1000; do
	built "${f%:*}" "${f#*:}" 2M 64k.spec
	run "$PTKIT" translate --format "${f%:*}" --image img --base "${f#*:}" --root "$ROOT" \
		0x0 0xfff0
	expect_rc 0
	grep -q '^0x0 0x0 ' out && grep -q '^0xfff0 0xfff0 ' out ||
		fail "${f%:*} at ${f#*:}: the 64K mapping does not translate"
done

# 3. translate/dump: a root must be aligned to the size of its table, as TTBR / the process
#    table entry require (the hardware ignores the low bits): exit 1, one line, nothing printed.
for f in ppc64-radix-4k:0x101000 arm64-64k-42:0x108000; do
	built "${f%:*}" 0x100000 1M 64k.spec
	for cmd in translate dump; do
		args=(--format "${f%:*}" --image img --base 0x100000)
		if [ $cmd = translate ]; then
			run "$PTKIT" translate "${args[@]}" --root "${f#*:}" 0x1000
		else
			run "$PTKIT" dump "${args[@]}" --root "${f#*:}"
		fi
		expect_rc 1
		expect_one_error "--root ${f#*:}" 'aligned to 64K'
		[ ! -s out ] || fail "$cmd ${f%:*} --root ${f#*:}: printed an answer"
	done
done

# 4. translate/dump: a root at or beyond the PA limit is no root the MMU can use (its register
#    holds fewer bits), even in an image placed there: exit 1, one line, nothing printed.
#    (A riscv-sv39 root holds 1G leaves: moved past the limit, it would still answer.)
printf 'map 0x40000000 0x0 1G r,w pagesize=1G\n' >1g.spec
built riscv-sv39 0x100000 4K 1g.spec
for cmd in translate dump; do
	args=(--format riscv-sv39 --image img --base 0x100000000000000 --root 0x100000000000000)
	if [ $cmd = translate ]; then
		run "$PTKIT" translate "${args[@]}" 0x40000000
	else
		run "$PTKIT" dump "${args[@]}"
	fi
	expect_rc 1
	expect_one_error '--root 0x100000000000000' 56-bit riscv-sv39
	[ ! -s out ] || fail "$cmd of a root beyond the PA limit: printed an answer"
done

echo "PASS [$TEST_NAME]"
