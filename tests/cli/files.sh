#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What build, translate and dump read and write: a spec is read up to a limit (64M), an image
# must be a regular file (it is mapped, never read whole), so /dev/zero, a pipe or a device
# is one clear error line, not memory exhaustion.
. "$(dirname "$0")/lib.sh"

# limited CMD...: run it under a time limit (an unbounded read would run until killed).
limited() {
	run timeout 10 "$@"
	[ "$rc" -ne 124 ] || fail "'$*' did not finish in 10 s"
}

printf 'map 0x1000 0x2000 4K\n' >good.spec
run "$PTKIT" build --format x86_64 --base 0x100000 -o img good.spec
expect_rc 0

# 1. A spec larger than 64M: refused naming the file and the limit, no image.
limited "$PTKIT" build --format x86_64 --base 0x100000 -o zero.img /dev/zero
expect_rc 1
expect_one_error "'/dev/zero'" 64M
[ ! -e zero.img ] || fail "spec /dev/zero: an image was created"
limited "$PTKIT" build --format x86_64 --base 0x100000 -o zero.img - </dev/zero
expect_rc 1
expect_one_error "'-'" 64M
{
	cat good.spec
	head -c $((64 << 20)) /dev/zero | tr '\0' '#'
} >big.spec
limited "$PTKIT" build --format x86_64 --base 0x100000 -o zero.img big.spec
expect_rc 1
expect_one_error "'big.spec'" 64M
[ ! -e zero.img ] || fail "a 64M+ spec: an image was created"
# A spec from a pipe below the limit is fine.
run "$PTKIT" build --format x86_64 --base 0x100000 -o pipe.img - < <(cat good.spec)
expect_rc 0
cmp -s img pipe.img || fail "spec from a pipe: another image"

# 2. An image that is not a regular file: refused naming it and what it is, nothing printed.
for cmd in "translate 0x1000" dump; do
	for im in /dev/zero /dev/null "<(cat img)" "- <img" "- < <(cat img)" .; do
		# shellcheck disable=SC2086
		eval limited '"$PTKIT"' ${cmd%% *} --format x86_64 --base 0x100000 --root 0x100000 \
			--image $im $([ "$cmd" = dump ] || echo "${cmd#* }")
		case $im in
		"- <img")
			# stdin redirected from the regular file: mapped like the file itself.
			expect_rc 0
			continue
			;;
		esac
		expect_rc 1
		expect_one_error 'not a regular file'
		[ ! -s out ] || fail "$cmd --image $im: printed an answer"
	done
done
run "$PTKIT" translate --format x86_64 --base 0x100000 --root 0x100000 --image img 0x1000
expect_rc 0
expect_line '0x1000 0x2000 4K r,w'

echo "PASS [$TEST_NAME]"
