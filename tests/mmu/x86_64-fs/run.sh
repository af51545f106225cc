#!/bin/sh
# SPDX-License-Identifier: MIT
# Boot the x86_64 freestanding probe in QEMU (TCG, -cpu max) and check its verdict.
#   run.sh BUILD_DIR FORMAT [inject-pa|inject-perm]
# BUILD_DIR: where build.sh put the images (built here if missing). FORMAT: x86_64 or
# x86_64-la57. Without inject: passes when the probe reports 0 disagreements between
# pt_translate and the MMU. With inject: passes when the corrupted prediction is caught.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: run.sh BUILD_DIR FORMAT [inject-pa|inject-perm]}
fmt=${2:?usage: run.sh BUILD_DIR FORMAT [inject-pa|inject-perm]}
inj=${3:-}
case $fmt in x86_64 | x86_64-la57) ;; *) echo "run.sh: unknown format $fmt" >&2; exit 2 ;; esac
img="$dir/probe-fs-$fmt${inj:+-$inj}.elf"
[ -f "$img" ] || sh "$here/build.sh" "$dir"
qemu=$(command -v qemu-system-x86_64) || {
	echo "qemu-system-x86_64 not found (scripts/install-deps.sh installs qemu-system-x86)" >&2
	exit 1
}
log=$(mktemp "${TMPDIR:-/tmp}/ptkit-fs.XXXXXX")
trap 'rm -f "$log"' EXIT
rc=0
timeout 120 "$qemu" -machine pc -cpu max -m 2G -accel tcg -display none -no-reboot \
	-monitor none -serial "file:$log" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-kernel "$img" || rc=$?
cat "$log"
summary=$(grep '^SUMMARY ' "$log" || true)
if [ -z "$inj" ]; then
	# EXIT_OK 0x10 -> QEMU status 33
	if [ "$rc" = 33 ] && echo "$summary" | grep -q ' disagreements 0$'; then
		echo "qemu_fs_$fmt: pass"
		exit 0
	fi
	echo "qemu_fs_$fmt: FAIL (qemu status $rc)" >&2
	exit 1
fi
# EXIT_FAIL 0x11 -> 35, after a complete run that reported the injected disagreements.
if [ "$rc" = 35 ] && [ -n "$summary" ] && grep -q '^MISMATCH ' "$log"; then
	echo "qemu_fs_$fmt ($inj): the injected error was caught"
	exit 0
fi
echo "qemu_fs_$fmt ($inj): the injected error was NOT caught (qemu status $rc)" >&2
exit 1
