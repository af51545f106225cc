// SPDX-License-Identifier: MIT
/*
 * The init of the real-guest check (scripts/realguest.sh): PID 1 of a Debian kernel booted
 * under QEMU. It maps and touches memory of a few kinds (anonymous 4K pages, a 2M-aligned
 * anonymous region the kernel may back with a huge page, read-only data, its own text),
 * prints where on the console, then spins in user space, so that whenever QEMU stops the
 * CPU, the page-table root it holds is this process's.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char rodata[1 << 16] = { 1 };

int main(void)
{
	size_t small = 8u << 20, huge = 8u << 20;
	uint8_t *a = mmap(NULL, small, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *h = mmap(NULL, huge + (2u << 20), PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile uint64_t spin = 0;
	/* QEMU's fw_cfg driver, when the initramfs has it: it hands the kernel's VMCOREINFO
	 * to QEMU (-device vmcoreinfo), whose dumps then carry the note. */
	int fw = open("/qemu_fw_cfg.ko", O_RDONLY);
	long vmcoreinfo = fw >= 0 ? syscall(SYS_finit_module, fw, "", 0) : -1;

	if (a == MAP_FAILED || h == MAP_FAILED) {
		printf("PTKIT-FAILED mmap\n");
		return 1;
	}
	h = (uint8_t *)(((uintptr_t)h + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1));
	madvise(h, huge, MADV_HUGEPAGE);
	for (size_t i = 0; i < small; i += 4096)
		a[i] = (uint8_t)i;
	memset(h, 0x5a, huge);
	printf("PTKIT-READY anon %p huge %p rodata %p text %p fw_cfg %s\n", (void *)a, (void *)h,
	       (const void *)rodata, (void *)(uintptr_t)main, vmcoreinfo ? "no" : "loaded");
	fflush(stdout);
	for (;;)
		spin++;
}
