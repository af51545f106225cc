#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What build, translate and dump read and write: a spec is read up to a limit (64M), an image
# must be a regular file (it is mapped, never read whole), so /dev/zero, a pipe or a device
# is one clear error line, not memory exhaustion; -o replaces only a regular file, through a
# short temporary name, so any valid file name works.
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
# image_refused KIND IMAGE (stdin as the caller redirects it): translate and dump.
image_refused() {
	local kind=$1 im=$2
	limited "$PTKIT" translate --format x86_64 --base 0x100000 --root 0x100000 --image "$im" \
		0x1000
	expect_rc 1
	expect_one_error "'$im'" 'not a regular file' "$kind"
	[ ! -s out ] || fail "translate --image $im: printed an answer"
	limited "$PTKIT" dump --format x86_64 --base 0x100000 --root 0x100000 --image "$im"
	expect_rc 1
	expect_one_error "'$im'" 'not a regular file' "$kind"
	[ ! -s out ] || fail "dump --image $im: printed an answer"
}
image_refused 'character device' /dev/zero
image_refused 'character device' /dev/null
image_refused directory .
image_refused pipe <(cat img)
image_refused pipe - < <(cat img)
# A regular file, also as stdin redirected from it: mapped.
for im in img -; do
	run "$PTKIT" translate --format x86_64 --base 0x100000 --root 0x100000 --image "$im" \
		0x1000 <img
	expect_rc 0
	expect_line '0x1000 0x2000 4K r,w'
done

# 3. -o: anything but a regular file is refused, named, and left as it was.
printf 'target\n' >target
ln -s target link
mkfifo fifo
mkdir dir
out_refused() { # out_refused PATH KIND
	limited "$PTKIT" build --format x86_64 --base 0x100000 -o "$1" good.spec
	expect_rc 1
	expect_one_error "'$1'" "$2" 'regular file'
	[ ! -s out ] || fail "-o $1: printed a root"
}
out_refused link 'symbolic link'
[ -L link ] && [ "$(cat target)" = target ] || fail "-o link: the link or its target changed"
out_refused fifo pipe
[ -p fifo ] || fail "-o fifo: the pipe was replaced"
out_refused dir directory
if [ "$(id -u)" = 0 ] && mknod null c 1 3 2>/dev/null; then
	out_refused null 'character device'
	[ -c null ] || fail "-o null: the device node was replaced"
fi
if compgen -G '.ptkit.*' >/dev/null; then
	fail "-o refused: temporary file left behind"
fi

# A 250-character name (valid: NAME_MAX is 255) works; the image gets the umask's mode.
long=$(printf 'i%.0s' {1..250})
(
	umask 022
	run "$PTKIT" build --format x86_64 --base 0x100000 -o "$long" good.spec
	expect_rc 0
	expect_no_stderr
	cmp -s img "$long" || fail "-o <250 characters>: another image"
	[ "$(stat -c %a "$long")" = 644 ] || fail "-o: mode $(stat -c %a "$long"), not 644 (umask 022)"
)
# Replacing an existing regular file, also through a path with a directory.
mkdir -p d
printf 'old\n' >d/x.img
run "$PTKIT" build --format x86_64 --base 0x100000 -o d/x.img good.spec
expect_rc 0
cmp -s img d/x.img || fail "-o d/x.img: not replaced by the image"
[ "$(ls -A d)" = x.img ] || fail "-o d/x.img: something else left in d/"
run "$PTKIT" build --format x86_64 --base 0x100000 -o nodir/x.img good.spec
expect_rc 1
expect_one_error "'nodir/x.img'"

echo "PASS [$TEST_NAME]"
