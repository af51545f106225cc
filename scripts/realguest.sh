#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The real-guest check (docs/VERIFICATION.md): boot Debian's own Linux kernel under QEMU with
# a tiny initramfs (tests/realguest/init.c as PID 1), dump the guest's memory as QEMU's
# dump-guest-memory writes it, and compare `ptkit translate` on the dump with QEMU's MMU
# (gva2gpa) on REALGUEST_COUNT VAs per guest (tests/realguest/driver.c).
#
# usage: scripts/realguest.sh [GUEST...]    GUEST: amd64 amd64-la57 arm64 arm64-kpti
#                                           (default: all)
# Environment: REALGUEST_COUNT (VAs per guest, 2000), REALGUEST_MEM (guest MiB, 1024),
# REALGUEST_ACCEL (tcg, or kvm where /dev/kvm is usable), REALGUEST_KEEP=1 (keep the dumps).
# The kernel package is downloaded once into $REALGUEST_DIR (default build-realguest/), a
# foreign architecture's (arm64) from the same Debian pool as the host's kernel, and only its
# vmlinuz and QEMU's fw_cfg driver unpacked (nothing is installed); dumps are written there
# and never committed. Exit 77 (skipped) when it cannot be had.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=${REALGUEST_DIR:-$ROOT/build-realguest}
COUNT=${REALGUEST_COUNT:-2000}
PTKIT=${PTKIT:-$ROOT/build/ptkit}
GUESTS=("$@")
[ ${#GUESTS[@]} -gt 0 ] || GUESTS=(amd64 amd64-la57 arm64 arm64-kpti)
mkdir -p "$W"

[ -x "$PTKIT" ] || { echo "realguest: no $PTKIT (run make first)" >&2; exit 1; }

# The newest Debian kernel image package for ARCH (flavour FLAVOUR, default ARCH), unpacked
# (vmlinuz only) into $W/ARCH/. Apt knows the host architecture's packages only; a foreign
# one's is the same kernel version, fetched from the same pool by its file name.
kernel() {
	local arch=$1 flavour=${2:-$1} host pkg deb
	if [ -f "$W/$arch/vmlinuz" ] && [ -f "$W/$arch/qemu_fw_cfg.ko" ]; then
		echo "$W/$arch/vmlinuz"
		return
	fi
	host=$(dpkg --print-architecture)
	pkg=$(apt-cache depends "linux-image-$host" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	[ -n "$pkg" ] || { echo "realguest: SKIP: no linux-image-$host package known to apt" >&2; exit 77; }
	mkdir -p "$W/$arch"
	if [ "$arch" = "$host" ]; then
		(cd "$W/$arch" && apt-get download "$pkg" >/dev/null 2>&1) ||
			{ echo "realguest: SKIP: cannot download $pkg (no network?)" >&2; exit 77; }
	else
		foreign_kernel "$pkg" "$host" "$arch" "$flavour" || exit 77
	fi
	deb=$(ls "$W/$arch"/linux-image-*.deb | head -n 1)
	# The kernel, and QEMU's fw_cfg driver (its VMCOREINFO goes into QEMU's dumps).
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$W/$arch" --wildcards './boot/vmlinu*' \
		'./lib/modules/*/kernel/drivers/firmware/qemu_fw_cfg.ko*'
	mv "$W/$arch"/boot/vmlinu* "$W/$arch/vmlinuz"
	mv "$W/$arch"/lib/modules/*/kernel/drivers/firmware/qemu_fw_cfg.ko* "$W/$arch/qemu_fw_cfg.ko"
	rm -rf "$W/$arch/boot" "$W/$arch/lib" "$deb"
	echo "$W/$arch/vmlinuz"
}

# foreign_kernel HOSTPKG HOST ARCH FLAVOUR: download into $W/ARCH/ the image package of
# ARCH/FLAVOUR with HOSTPKG's ABI and version, from the pool apt would take HOSTPKG from:
# signed images come from linux-signed-ARCH, unsigned ones from linux itself.
foreign_kernel() {
	local hostpkg=$1 host=$2 arch=$3 flavour=$4 uri pool name src ver
	uri=$(apt-get download --print-uris "$hostpkg" 2>/dev/null | awk -F"'" 'NR == 1 {print $2}')
	[ -n "$uri" ] || { echo "realguest: SKIP: apt has no URI for $hostpkg" >&2; return 1; }
	pool=${uri%/l/*}/l
	ver=${uri%_"$host".deb}
	ver=${ver##*_}
	name=linux-image-${hostpkg#linux-image-}
	name=${name%-"$host"}-$flavour
	for src in "linux-signed-$arch" linux; do
		if curl -fsSL --retry 2 -o "$W/$arch/${name}_${ver}_$arch.deb" \
			"$pool/$src/${name}_${ver}_$arch.deb" 2>/dev/null &&
			dpkg-deb --info "$W/$arch/${name}_${ver}_$arch.deb" >/dev/null 2>&1; then
			return 0
		fi
		rm -f "$W/$arch/${name}_${ver}_$arch.deb"
	done
	echo "realguest: SKIP: cannot download ${name}_${ver}_$arch.deb from $pool (no network?)" >&2
	return 1
}

# cpio_entry NAME MODE RDEVMAJOR RDEVMINOR [FILE]: one "newc" cpio member on stdout.
ino=1
cpio_entry() {
	local name=$1 mode=$2 maj=$3 min=$4 file=${5:-} size=0 pad
	[ -z "$file" ] || size=$(stat -c %s "$file")
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		$ino "$mode" 0 0 1 0 "$size" 0 0 "$maj" "$min" $((${#name} + 1)) 0
	printf '%s\0' "$name"
	pad=$(((4 - (110 + ${#name} + 1) % 4) % 4))
	head -c $pad /dev/zero
	if [ -n "$file" ]; then
		cat "$file"
		head -c $(((4 - size % 4) % 4)) /dev/zero
	fi
	ino=$((ino + 1))
}

# The initramfs for ARCH: /init (static) and /dev/console.
initramfs() {
	local arch=$1 cc=$2
	$cc -static -O2 -o "$W/$arch/init" "$ROOT/tests/realguest/init.c" ||
		{ echo "realguest: SKIP: $cc cannot link a static init (its libc6-dev cross package?)" >&2; exit 77; }
	{
		cpio_entry dev $((0040755)) 0 0
		cpio_entry dev/console $((0020600)) 5 1
		cpio_entry init $((0100755)) 0 0 "$W/$arch/init"
		cpio_entry qemu_fw_cfg.ko $((0100644)) 0 0 "$W/$arch/qemu_fw_cfg.ko"
		cpio_entry TRAILER!!! 0 0 0
	} >"$W/$arch/initrd.cpio"
	echo "$W/$arch/initrd.cpio"
}

# Built aside and renamed: the ctest runs of several guests may build it at the same time.
cc -O2 -Wall -Wextra -Werror -o "$W/driver.$$" "$ROOT/tests/realguest/driver.c" \
	"$ROOT/tests/realguest/gdbstub.c"
mv -f "$W/driver.$$" "$W/driver"
status=0
for g in "${GUESTS[@]}"; do
	machine=
	case $g in
	amd64) arch=amd64 qemu=qemu-system-x86_64 cc=cc format=x86_64 cpu=qemu64 ;;
	amd64-la57) arch=amd64 qemu=qemu-system-x86_64 cc=cc format=x86_64-la57 cpu=qemu64,+la57 ;;
	arm64) arch=arm64 qemu=qemu-system-aarch64 cc=aarch64-linux-gnu-gcc format=arm64-4k-48 \
		cpu=max,pauth-impdef=on machine=virt ;;
	# No E0PD: Debian's kernel runs with KPTI here; at EL0, TTBR1 holds only its trampoline.
	arm64-kpti) arch=arm64 qemu=qemu-system-aarch64 cc=aarch64-linux-gnu-gcc format=arm64-4k-48 \
		cpu=cortex-a72 machine=virt ;;
	*) echo "realguest: unknown guest '$g'" >&2; exit 2 ;;
	esac
	command -v $qemu >/dev/null || { echo "realguest: SKIP: no $qemu" >&2; exit 77; }
	command -v $cc >/dev/null || { echo "realguest: SKIP: no $cc" >&2; exit 77; }
	k=$(kernel $arch) || exit $?
	i=$(initramfs $arch $cc) || exit $?
	mkdir -p "$W/run-$g"
	start=$(date +%s)
	if "$W/driver" --qemu "$(command -v $qemu)" --kernel "$k" --initrd "$i" --cpu "$cpu" \
		${machine:+--machine "$machine"} --format "$format" --ptkit "$PTKIT" \
		--workdir "$W/run-$g" --count "$COUNT" --mem "${REALGUEST_MEM:-1024}" \
		--accel "${REALGUEST_ACCEL:-tcg}"; then
		echo "realguest: $g: PASS in $(($(date +%s) - start)) s"
	else
		echo "realguest: $g: FAIL" >&2
		status=1
	fi
	[ -n "${REALGUEST_KEEP:-}" ] || rm -f "$W/run-$g"/guest.elf "$W/run-$g"/guest.kdump
done
exit $status
