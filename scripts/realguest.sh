#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The real-guest check (docs/VERIFICATION.md): boot Debian's own Linux kernel under QEMU with
# a tiny initramfs (tests/realguest/init.c as PID 1), dump the guest's memory as QEMU's
# dump-guest-memory writes it, and compare `ptkit translate` on the dump with QEMU's MMU
# (gva2gpa) on REALGUEST_COUNT VAs per guest (tests/realguest/driver.c).
#
# usage: scripts/realguest.sh [GUEST...]    GUEST: amd64 amd64-la57 ppc64el (default: all)
# Environment: REALGUEST_COUNT (VAs per guest, 2000), REALGUEST_MEM (guest MiB, 1024),
# REALGUEST_ACCEL (tcg, or kvm where /dev/kvm is usable), REALGUEST_KEEP=1 (keep the dumps).
# The kernel package is downloaded once into $REALGUEST_DIR (default build-realguest/);
# dumps are written there and never committed. Exit 77 (skipped) when it cannot be had.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=${REALGUEST_DIR:-$ROOT/build-realguest}
COUNT=${REALGUEST_COUNT:-2000}
PTKIT=${PTKIT:-$ROOT/build/ptkit}
GUESTS=("$@")
[ ${#GUESTS[@]} -gt 0 ] || GUESTS=(amd64 amd64-la57 ppc64el)
mkdir -p "$W"

[ -x "$PTKIT" ] || { echo "realguest: no $PTKIT (run make first)" >&2; exit 1; }

# The newest Debian kernel image package for ARCH, unpacked (vmlinuz only) into $W/ARCH/.
kernel() {
	local arch=$1 pkg deb
	if [ -f "$W/$arch/vmlinuz" ] && [ -f "$W/$arch/qemu_fw_cfg.ko" ]; then
		echo "$W/$arch/vmlinuz"
		return
	fi
	pkg=$(apt-cache depends "linux-image-$arch" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	[ -n "$pkg" ] || { echo "realguest: SKIP: no linux-image-$arch package known to apt" >&2; exit 77; }
	mkdir -p "$W/$arch"
	(cd "$W/$arch" && apt-get download "$pkg" >/dev/null 2>&1) ||
		{ echo "realguest: SKIP: cannot download $pkg (no network?)" >&2; exit 77; }
	deb=$(ls "$W/$arch"/linux-image-*.deb | head -n 1)
	# The kernel, and QEMU's fw_cfg driver (its VMCOREINFO goes into QEMU's dumps).
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$W/$arch" --wildcards './boot/vmlinu*' \
		'./lib/modules/*/kernel/drivers/firmware/qemu_fw_cfg.ko*'
	mv "$W/$arch"/boot/vmlinu* "$W/$arch/vmlinuz"
	mv "$W/$arch"/lib/modules/*/kernel/drivers/firmware/qemu_fw_cfg.ko* "$W/$arch/qemu_fw_cfg.ko"
	rm -rf "$W/$arch/boot" "$W/$arch/lib" "$deb"
	echo "$W/$arch/vmlinuz"
}

# Debian's kernel image for a foreign ARCH (flavour FLAVOUR), unpacked (vmlinux or vmlinuz)
# into $W/ARCH/ and not installed: the machine's dpkg architectures stay as they are. The
# version is the one apt knows for this machine's own linux-image-<host arch>, fetched with
# curl from the same mirror's pool, where Debian's unsigned `linux` source package puts every
# architecture's image.
foreign_kernel() {
	local arch=$1 flavour=$2 host hpkg url deb
	if [ -f "$W/$arch/vmlinuz" ]; then
		echo "$W/$arch/vmlinuz"
		return
	fi
	host=$(dpkg --print-architecture)
	hpkg=$(apt-cache depends "linux-image-$host" 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	[ -n "$hpkg" ] || { echo "realguest: SKIP: no linux-image-$host package known to apt" >&2; exit 77; }
	url=$(apt-get download --print-uris "$hpkg" 2>/dev/null | awk '{gsub("\047", "", $1); print $1; exit}')
	[ -n "$url" ] || { echo "realguest: SKIP: apt gives no URL for $hpkg" >&2; exit 77; }
	url=$(echo "$url" | sed -e "s|/linux-signed-$host/|/linux/|" \
		-e "s|-$host\(_[^_]*_\)$host\.deb\$|-$flavour\1$arch.deb|")
	mkdir -p "$W/$arch"
	deb="$W/$arch/kernel.deb"
	curl -sfL -o "$deb" "$url" ||
		{ echo "realguest: SKIP: cannot download $url (no network?)" >&2; rm -f "$deb"; exit 77; }
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$W/$arch" --wildcards './boot/vmlinu*'
	mv "$W/$arch"/boot/vmlinu* "$W/$arch/vmlinuz"
	rm -rf "$W/$arch/boot" "$deb"
	echo "$W/$arch/vmlinuz"
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
	$cc -static -O2 -o "$W/$arch/init" "$ROOT/tests/realguest/init.c"
	{
		cpio_entry dev $((0040755)) 0 0
		cpio_entry dev/console $((0020600)) 5 1
		cpio_entry init $((0100755)) 0 0 "$W/$arch/init"
		if [ -f "$W/$arch/qemu_fw_cfg.ko" ]; then # amd64 only: powernv has no fw_cfg
			cpio_entry qemu_fw_cfg.ko $((0100644)) 0 0 "$W/$arch/qemu_fw_cfg.ko"
		fi
		cpio_entry TRAILER!!! 0 0 0
	} >"$W/$arch/initrd.cpio"
	echo "$W/$arch/initrd.cpio"
}

# One driver binary per run: ctest runs realguest_amd64 and realguest_ppc64el in parallel in
# the same $W, and one must not execute the other's half-written file.
DRIVER="$W/driver.$$"
trap 'rm -f "$DRIVER"' EXIT
cc -O2 -Wall -Wextra -Werror -o "$DRIVER" "$ROOT/tests/realguest/driver.c"
status=0
for g in "${GUESTS[@]}"; do
	case $g in
	amd64) arch=amd64 qemu=qemu-system-x86_64 cc=cc format=x86_64 cpu=qemu64 machine= ;;
	amd64-la57) arch=amd64 qemu=qemu-system-x86_64 cc=cc format=x86_64-la57 cpu=qemu64,+la57 machine= ;;
	# Bare-metal POWER9 (skiboot from QEMU's own files): the kernel sets PTCR itself, radix,
	# 64K pages (Debian's powerpc64le flavour).
	ppc64el) arch=ppc64el qemu=qemu-system-ppc64 cc=powerpc64le-linux-gnu-gcc format=ppc64-radix-64k cpu= machine=powernv9 ;;
	*) echo "realguest: unknown guest '$g'" >&2; exit 2 ;;
	esac
	command -v $qemu >/dev/null || { echo "realguest: SKIP: no $qemu" >&2; exit 77; }
	command -v $cc >/dev/null || { echo "realguest: SKIP: no $cc (scripts/install-deps.sh)" >&2; exit 77; }
	if [ $arch = amd64 ]; then
		k=$(kernel $arch) || exit $?
	else
		k=$(foreign_kernel $arch powerpc64le) || exit $?
	fi
	i=$(initramfs $arch $cc)
	mkdir -p "$W/run-$g"
	start=$(date +%s)
	if "$DRIVER" --qemu "$(command -v $qemu)" --kernel "$k" --initrd "$i" --cpu "$cpu" \
		--format "$format" --ptkit "$PTKIT" --workdir "$W/run-$g" --count "$COUNT" \
		--mem "${REALGUEST_MEM:-1024}" --accel "${REALGUEST_ACCEL:-tcg}" \
		${machine:+--machine "$machine"}; then
		echo "realguest: $g: PASS in $(($(date +%s) - start)) s"
	else
		echo "realguest: $g: FAIL" >&2
		status=1
	fi
	[ -n "${REALGUEST_KEEP:-}" ] || rm -f "$W/run-$g"/guest.elf "$W/run-$g"/guest.kdump
done
exit $status
