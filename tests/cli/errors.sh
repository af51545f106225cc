#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every bad input of the CLI contract: exit status != 0, exactly one line on stderr naming
# the line / argument, and the output image neither created nor modified.
. "$(dirname "$0")/lib.sh"

BUILD=("$PTKIT" build --format x86_64 --base 0x100000)

# bad_spec LINE 'SPEC TEXT' NEEDLE... [-- EXTRA BUILD ARGS]
bad_spec() {
	local line=$1 text=$2 extra=()
	shift 2
	local needles=()
	while [ $# -gt 0 ]; do
		if [ "$1" = -- ]; then
			shift
			extra=("$@")
			break
		fi
		needles+=("$1")
		shift
	done
	printf '%b\n' "$text" >bad.spec

	# The image exists: it must keep its content.
	printf 'precious image content\n' >img
	cp img img.orig
	run "${BUILD[@]}" "${extra[@]}" -o img bad.spec
	expect_rc 1
	expect_one_error "bad.spec:$line:" "${needles[@]}"
	cmp -s img img.orig || fail "spec '$text': the existing image was modified"

	# No image yet: none may be created, and no temporary file left behind.
	rm -f img
	run "${BUILD[@]}" "${extra[@]}" -o img bad.spec
	expect_rc 1
	expect_one_error "bad.spec:$line:" "${needles[@]}"
	[ ! -e img ] || fail "spec '$text': an image was created"
	if compgen -G '.ptkit.*' >/dev/null || compgen -G 'img.tmp*' >/dev/null; then
		fail "spec '$text': temporary file left behind"
	fi
}

bad_spec 1 'map 0x1000 0x2000 12Q' "'12Q'"
bad_spec 1 'map 0x1000 0x2000 0x1000K' "'0x1000K'"
bad_spec 3 '# comment\n\nmapp 0x1000 0x2000 4K' "'mapp'"
bad_spec 1 'map 0x1000 0x2000 4K r,q' "'q'"
bad_spec 1 'map 0x1000 0x2000 4K r foo' "'foo'"
bad_spec 1 'map 0x1000' 'map needs'
bad_spec 1 'unmap 0x1000 zz' "'zz'"
bad_spec 1 'protect 0x1000 4K' 'protect needs'
bad_spec 1 'map 0x1001 0x2000 4K' '0x1001' 'aligned to 4K'
bad_spec 1 'map 0x1000 0x2001 4K' '0x2001' 'aligned to 4K'
bad_spec 1 'map 0x1000 0x2000 5000' 'size' 'multiple of 4K'
bad_spec 1 'map 0x1000 0x0 2M pagesize=2M' '0x1000' 'aligned to 2M'
bad_spec 1 'map 0x0 0x0 2M pagesize=8K' 'pagesize=8K'
bad_spec 1 'map 0x1000 0x0 0' 'size 0'
bad_spec 1 'unmap 0x1000 0' 'size 0'
bad_spec 2 'map 0x200000 0x0 2M\nmap 0x201000 0x5000 4K' 'overlaps an existing mapping' '0x201000'
bad_spec 3 'map 0x1000 0x0 4K\nmap 0x400000 0x0 4K\nmap 0x0 0x0 1G' 'overlaps an existing mapping at 0x1000'
bad_spec 1 'map 0x1000 0x10000000000000 4K' 'PA 0x10000000000000' '52-bit'
bad_spec 1 'map 0x1000 0xffffffffff000 8K' 'PA 0xffffffffff000' '52-bit'
bad_spec 1 'map 0x800000000000 0x0 4K' '0x800000000000' 'not canonical'
bad_spec 1 'map 0x7ffffffff000 0x0 8K' '0x7ffffffff000' 'not canonical'
bad_spec 2 'map 0x1000 0x0 4K\nmap 0x8000000000 0x0 4K' 'image too small' '--size' -- --size 16K
bad_spec 1 'map 0x1000 0x0 4K' 'image too small' '--size' -- --size 4K
bad_spec 1 'protect 0x1000 4K r' '0x1000' 'not mapped'
bad_spec 2 'map 0x1000 0x0 4K\nprotect 0x1000 8K r' '0x2000' 'not mapped'
bad_spec 1 'map 0x1000 0x0 4K r,device,nocache' 'device,nocache'

# Command-line errors: exit 2, one line naming the argument, no image.
printf 'map 0x1000 0x2000 4K\n' >good.spec
bad_args() {
	local needle=$1
	shift
	rm -f img
	run "$PTKIT" "$@"
	expect_rc 2
	expect_one_error "$needle"
	[ ! -e img ] || fail "'$*': an image was created"
}
bad_args --format build --base 0x100000 -o img good.spec
bad_args nosuchfmt build --format nosuchfmt --base 0x100000 -o img good.spec
bad_args --base build --format x86_64 -o img good.spec
bad_args --base build --format x86_64 --base 12Q -o img good.spec
bad_args --base build --format x86_64 --base 0x1001 -o img good.spec
bad_args --size build --format x86_64 --base 0x100000 --size 5000 -o img good.spec
bad_args -o build --format x86_64 --base 0x100000 good.spec
bad_args SPEC build --format x86_64 --base 0x100000 -o img
bad_args --frob build --frob --format x86_64 --base 0x100000 -o img good.spec
bad_args frobnicate frobnicate
bad_args --root translate --format x86_64 --image good.spec --base 0 0x1000
bad_args "'xyz'" translate --format x86_64 --image good.spec --base 0 --root 0 xyz
bad_args --image dump --format x86_64 --base 0 --root 0
bad_args nosuchfmt demo --format nosuchfmt

# A spec that cannot be read: exit 1, names the file.
rm -f img
run "$PTKIT" build --format x86_64 --base 0x100000 -o img missing.spec
expect_rc 1
expect_one_error missing.spec
[ ! -e img ] || fail "missing spec: an image was created"

# Control characters in a user string (path, option, token) are escaped: still one line, no
# raw control byte on the terminal. ctl RC NEEDLE ARGS...
ctl() {
	local want=$1 needle=$2
	shift 2
	run "$PTKIT" "$@"
	expect_rc "$want"
	expect_one_error "$needle"
	! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' err || fail "'$*': raw control byte on stderr"
}
ctl 1 "'no\nsuch.spec'" build --format x86_64 --base 0x100000 -o img $'no\nsuch.spec'
ctl 2 "'x86\n64'" build --format $'x86\n64' --base 0x100000 -o img good.spec
ctl 2 "'--fr\nob'" build $'--fr\nob' --format x86_64 --base 0x100000 -o img good.spec
ctl 2 "'0x1\x1b[31m'" translate --format x86_64 --image img --base 0 --root 0 $'0x1\e[31m'
ctl 1 "'no\tdir/" build --format x86_64 --base 0x100000 -o $'no\tdir/img' good.spec
ctl 1 "'no\rimg'" dump --format x86_64 --image $'no\rimg' --base 0 --root 0
printf 'map 0x1000 0x2000 4K r,\001w\n' >ctl.spec
ctl 1 "'\x01w'" build --format x86_64 --base 0x100000 -o img ctl.spec

# translate / dump of an image that does not fit the arguments: exit 1, one line.
root=$("$PTKIT" build --format x86_64 --base 0x100000 -o img good.spec | tail -n 1)
[ "$root" = "root 0x100000" ] || fail "unexpected root line '$root'"
bad_image() {
	local needle=$1
	shift
	for cmd in translate dump; do
		if [ $cmd = translate ]; then
			run "$PTKIT" translate --format x86_64 "$@" 0x1000
		else
			run "$PTKIT" dump --format x86_64 "$@"
		fi
		expect_rc 1
		expect_one_error "$needle"
	done
}
bad_image reserved --image img --base 0x100000 --root 0x0010000000100000
bad_image --root --image img --base 0x100000 --root 0x0
bad_image --root --image img --base 0x100000 --root 0x900000
bad_image --root1 --image img --base 0x100000 --root 0x100000 --root1 0x900000
bad_image --base --image img --base 0x100800 --root 0x100800
bad_image nothere.img --image nothere.img --base 0x100000 --root 0x100000
head -c 2048 img >short.img
bad_image 'image too small' --image short.img --base 0x100000 --root 0x100000
: >empty.img
bad_image empty --image empty.img --base 0x100000 --root 0x100000

# A non-canonical VA: every VA is checked first, so nothing is printed but one error line
# naming it, wherever it is on the line (the edges of each half are canonical).
for va in 0x800000000000 0xffff7fffffffffff 0x8000000000000000; do
	run "$PTKIT" translate --format x86_64 --image img --base 0x100000 --root 0x100000 \
		0x1000 0x7fffffffffff 0xffff800000000000 "$va" 0x2000
	expect_rc 1
	expect_one_error "$va" canonical
	[ ! -s out ] || fail "translate printed answers before the non-canonical $va"
done
# ppc64 radix: quadrants 1 and 2, and EA bits 61:52, are not translated.
"$PTKIT" build --format ppc64-radix-4k --base 0x100000 -o ppc.img good.spec >/dev/null
for va in 0x4000000000000000 0x8000000000001000 0xc010000000000000 0x10000000000000; do
	run "$PTKIT" translate --format ppc64-radix-4k --image ppc.img --base 0x100000 \
		--root 0x100000 --root1 0x110000 0x1000 0xc000000000000000 "$va"
	expect_rc 1
	expect_one_error "$va" canonical
	[ ! -s out ] || fail "ppc64 translate printed answers before the non-canonical $va"
done

echo "PASS [$TEST_NAME]"
