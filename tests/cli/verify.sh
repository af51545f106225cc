#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ptkit verify: bad arguments are one stderr line and exit 2; a missing QEMU, probe compiler,
# python3 or scripts/verify.py is one clear line and exit 1; a small real campaign agrees
# with QEMU (where qemu-system-x86_64 is installed).
. "$(dirname "$0")/lib.sh"

run "$PTKIT" verify --help
expect_rc 0
expect_no_stderr
grep -q '^usage: ptkit verify' out || fail "verify --help: no usage line"

bad() { # bad NEEDLE ARGS...: exit 2, one line naming NEEDLE
	local needle=$1
	shift
	run "$PTKIT" verify "$@"
	expect_rc 2
	expect_one_error "$needle"
}
bad --format
bad --format --count 10
bad nosuchfmt --format nosuchfmt
bad --count --format x86_64 --count 0
bad --count --format x86_64 --count 100001
bad abc --format x86_64 --count abc
bad --seed --format x86_64 --seed -1
bad hvf --format x86_64 --accel hvf
bad kvm --format riscv-sv39 --accel kvm
bad extra --format x86_64 extra
bad --frobnicate --format x86_64 --frobnicate
bad --count --format x86_64 --count

# What the campaign needs, missing: exit 1 before anything runs.
mkdir -p "$T/bin" "$T/bin2"
ln -s "$(command -v python3)" "$T/bin/python3"
run env PATH="$T/bin" "$PTKIT" verify --format ppc64-radix-64k --count 5
expect_rc 1
expect_one_error qemu-system-ppc64 install-deps.sh
ln -s /bin/true "$T/bin/qemu-system-aarch64"
run env PATH="$T/bin" "$PTKIT" verify --format arm64-4k-48 --count 5
expect_rc 1
expect_one_error aarch64-linux-gnu-gcc probe
run env PATH="$T/bin2" "$PTKIT" verify --format x86_64 --count 5
expect_rc 1
expect_one_error python3
run env PTKIT_SOURCE_DIR="$T" "$PTKIT" verify --format x86_64 --count 5
expect_rc 1
expect_one_error scripts/verify.py PTKIT_SOURCE_DIR

# A real campaign, small: every access agrees (numbers in ptkit's syntax reach the script).
if command -v qemu-system-x86_64 >/dev/null; then
	run "$PTKIT" verify --format x86_64 --count 0x20 --seed 5 --workdir "$T/w"
	expect_rc 0
	grep -q '(tcg, seed 5): 32 VAs .* 0 disagreements' out || fail "verify: no clean summary"
	[ -n "$(ls -A "$T/w")" ] || fail "verify: nothing kept in --workdir"
else
	echo "qemu-system-x86_64 not installed: the real campaign is not run here"
fi

echo "PASS [$TEST_NAME]"
