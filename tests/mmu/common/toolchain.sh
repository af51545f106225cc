# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# Sourced by the probe build scripts (probe-build.sh, fs-build.sh): `probe_toolchain ARCH`
# sets CC, OBJCOPY, CFLAGS (freestanding, warnings are errors) and LDFLAGS for the bare-metal
# probes of ARCH (x86_64, aarch64, riscv64, ppc64), or exits with one line on stderr.
# PROBE_CC / PROBE_OBJCOPY override the compiler and objcopy.
probe_toolchain()
{
	case $1 in
	x86_64)
		CC=${PROBE_CC:-gcc} OBJCOPY=${PROBE_OBJCOPY:-objcopy} pkg=gcc
		CFLAGS="-m64 -mno-red-zone -mno-sse -mgeneral-regs-only -fcf-protection=none
			-mcmodel=small"
		;;
	aarch64)
		CC=${PROBE_CC:-aarch64-linux-gnu-gcc} OBJCOPY=${PROBE_OBJCOPY:-aarch64-linux-gnu-objcopy}
		pkg=gcc-aarch64-linux-gnu
		# -mno-outline-atomics: the core's compare-and-swap inline, not libgcc's __aarch64_cas*
		CFLAGS="-mgeneral-regs-only -mstrict-align -mbranch-protection=none -mcmodel=small
			-mno-outline-atomics"
		;;
	riscv64)
		CC=${PROBE_CC:-riscv64-linux-gnu-gcc} OBJCOPY=${PROBE_OBJCOPY:-riscv64-linux-gnu-objcopy}
		pkg=gcc-riscv64-linux-gnu
		CFLAGS="-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -mno-relax"
		;;
	ppc64)
		CC=${PROBE_CC:-powerpc64-linux-gnu-gcc}
		OBJCOPY=${PROBE_OBJCOPY:-powerpc64-linux-gnu-objcopy} pkg=gcc-powerpc64-linux-gnu
		CFLAGS="-mbig-endian -mcpu=power9 -m64 -msoft-float -mno-altivec -mno-vsx
			-mcmodel=medium"
		;;
	*)
		echo "probe_toolchain: unknown ARCH $1 (x86_64, aarch64, riscv64, ppc64)" >&2
		exit 2
		;;
	esac
	command -v "$CC" >/dev/null 2>&1 || {
		echo "$CC not found (scripts/install-deps.sh installs $pkg)" >&2
		exit 1
	}
	CFLAGS="$CFLAGS -O2 -std=c11 -Wall -Wextra -Werror -ffreestanding -nostdlib -fno-pic
		-fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables"
	LDFLAGS="-static -no-pie -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none
		-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments"
}

# probe_link ARCH LD OUT OBJ...: link OUT.elf with the linker script LD; x86_64: the ELF32
# container QEMU's multiboot loader takes (same segments); ppc64: also OUT.bin, the raw
# firmware image for -bios.
probe_link()
{
	pl_arch=$1 pl_ld=$2 pl_out=$3
	shift 3
	# shellcheck disable=SC2086
	$CC $CFLAGS $LDFLAGS -Wl,-T,"$pl_ld" -o "$pl_out.elf" "$@"
	case $pl_arch in
	x86_64)
		mv "$pl_out.elf" "$pl_out.elf64"
		$OBJCOPY -O elf32-i386 "$pl_out.elf64" "$pl_out.elf"
		;;
	ppc64)
		$OBJCOPY -O binary "$pl_out.elf" "$pl_out.bin"
		;;
	esac
}
