# SPDX-License-Identifier: MIT
# Helpers for the CLI tests: source it, with the ptkit binary as $1 of the script.
set -euo pipefail

PTKIT=${1:?usage: $0 path/to/ptkit}
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "${TMPDIR:-/tmp}/ptkit-$TEST_NAME.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"

fail() {
	echo "FAIL [$TEST_NAME]: $*" >&2
	if [ -f "$T/out" ]; then
		echo "--- stdout:" >&2
		head -n 40 "$T/out" >&2
	fi
	if [ -f "$T/err" ]; then
		echo "--- stderr:" >&2
		head -n 20 "$T/err" >&2
	fi
	exit 1
}

# run CMD...: run it, stdout in $T/out, stderr in $T/err, exit status in $rc.
run() {
	set +e
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	if [ "$rc" -ge 128 ]; then
		fail "crashed (status $rc): $*"
	fi
}

expect_rc() {
	[ "$rc" -eq "$1" ] || fail "expected exit status $1, got $rc"
}

# expect_one_error NEEDLE...: stderr is exactly one line containing every NEEDLE.
expect_one_error() {
	local n
	n=$(wc -l <"$T/err")
	[ "$n" -eq 1 ] || fail "expected exactly one line on stderr, got $n"
	for needle in "$@"; do
		grep -qF -- "$needle" "$T/err" || fail "stderr does not mention '$needle'"
	done
}

expect_no_stderr() {
	[ ! -s "$T/err" ] || fail "unexpected stderr"
}

# expect_stdout FILE: stdout is exactly FILE's content.
expect_stdout() {
	if ! diff -u "$1" "$T/out" >"$T/diff"; then
		cat "$T/diff" >&2
		fail "stdout differs from the expected output (diff above)"
	fi
}

# expect_line 'LINE': stdout has this exact line.
expect_line() {
	grep -qxF -- "$1" "$T/out" || fail "stdout lacks the line '$1'"
}

# poke64 FILE OFFSET VALUE [be]: store a 64-bit VALUE at byte OFFSET, little-endian (or
# big-endian with "be").
poke64() {
	local file=$1 off=$2 v=$3 bytes="" i order="0 1 2 3 4 5 6 7"
	[ "${4:-}" = be ] && order="7 6 5 4 3 2 1 0"
	for i in $order; do
		bytes+=$(printf '\\x%02x' $(((v >> (8 * i)) & 0xff)))
	done
	printf "$bytes" | dd of="$file" bs=1 seek="$off" count=8 conv=notrunc status=none
}

# peek64 FILE OFFSET: print the little-endian 64-bit value at OFFSET (signed decimal, as bash computes).
peek64() {
	od -An -td8 -j "$2" -N 8 "$1" | tr -d ' '
}
