#!/bin/sh
# SPDX-License-Identifier: MIT
# Boot a freestanding-core probe in QEMU (TCG) and check its verdict:
#   fs-run.sh ARCH BUILD_DIR FORMAT [inject-pa|inject-perm]
# BUILD_DIR: where fs-build.sh put the images (built there if missing). Without inject:
# passes when the probe reports 0 disagreements between pt_translate and the MMU. With
# inject: passes when the corrupted prediction is caught. Exit 77 (skipped) when the
# emulated CPU lacks what the format needs (the probe prints UNSUPPORTED).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: fs-run.sh ARCH BUILD_DIR FORMAT [inject-pa|inject-perm]"
arch=${1:?$usage}
dir=${2:?$usage}
fmt=${3:?$usage}
inj=${4:-}
case $inj in '' | inject-pa | inject-perm) ;; *) echo "fs-run.sh: $usage" >&2; exit 2 ;; esac
ext=elf
# QEMU exit status of a probe that powered off after a clean run / after disagreements.
ok_status=0
fail_status=0
case $arch in
x86_64)
	# isa-debug-exit: EXIT_OK 0x10 -> status 33, EXIT_FAIL 0x11 -> 35.
	qemu=qemu-system-x86_64 pkg=qemu-system-x86 ok_status=33 fail_status=35
	set -- -machine pc -cpu max -m 2G -device isa-debug-exit,iobase=0xf4,iosize=0x04
	;;
aarch64)
	qemu=qemu-system-aarch64 pkg=qemu-system-arm
	set -- -machine virt -cpu max -m 3G
	;;
riscv64)
	qemu=qemu-system-riscv64 pkg=qemu-system-misc fail_status=3
	set -- -machine virt -cpu rv64,svnapot=on,svpbmt=on -m 4G -bios none
	;;
ppc64)
	qemu=qemu-system-ppc64 pkg=qemu-system-ppc ext=bin
	set -- -machine powernv9 -m 2G -device ib700 -action watchdog=poweroff
	;;
*)
	echo "fs-run.sh: unknown ARCH $arch (x86_64, aarch64, riscv64, ppc64)" >&2
	exit 2
	;;
esac
img="$dir/probe-fs-$fmt${inj:+-$inj}.$ext"
[ -f "$img" ] || sh "$here/fs-build.sh" "$arch" "$dir"
[ -f "$img" ] || {
	echo "fs-run.sh: no probe for $fmt in $dir (FORMATS of fs-build.sh)" >&2
	exit 1
}
command -v "$qemu" >/dev/null 2>&1 || {
	echo "$qemu not found (scripts/install-deps.sh installs $pkg)" >&2
	exit 1
}
if [ "$arch" = ppc64 ]; then
	set -- "$@" -bios "$img"
else
	set -- "$@" -kernel "$img"
fi
log=$(mktemp "${TMPDIR:-/tmp}/ptkit-fs.XXXXXX")
trap 'rm -f "$log"' EXIT
rc=0
timeout 120 "$qemu" -accel tcg -smp 1 -nodefaults -display none -no-reboot -monitor none \
	-serial "file:$log" "$@" || rc=$?
cat "$log"
name="qemu_fs_$fmt${inj:+ ($inj)}"
if grep -q '^UNSUPPORTED ' "$log"; then
	echo "$name: skipped, QEMU's CPU lacks $(sed -n 's/^UNSUPPORTED //p' "$log")"
	exit 77
fi
summary=$(grep '^SUMMARY ' "$log" || true)
if grep -q '^UNEXPECTED\|^SETUP-FAILED' "$log" || [ -z "$summary" ]; then
	echo "$name: FAIL, the probe did not complete (qemu status $rc)" >&2
	exit 1
fi
if [ -z "$inj" ]; then
	if [ "$rc" = "$ok_status" ] && echo "$summary" | grep -q ' disagreements 0$'; then
		echo "$name: pass"
		exit 0
	fi
	echo "$name: FAIL (qemu status $rc)" >&2
	exit 1
fi
if [ "$rc" = "$fail_status" ] && ! echo "$summary" | grep -q ' disagreements 0$' &&
	grep -q '^MISMATCH ' "$log"; then
	echo "$name: the injected error was caught"
	exit 0
fi
echo "$name: the injected error was NOT caught (qemu status $rc)" >&2
exit 1
