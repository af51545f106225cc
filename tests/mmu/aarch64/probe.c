/* SPDX-License-Identifier: MIT */
/* AArch64 MMU probe: stamp RAM with the MMU off, check the CPU implements the granule and
 * VA/PA size, turn on the EL1&0 stage-1 MMU with the ptkit-built roots in TTBR0_EL1 and
 * TTBR1_EL1, then for every test VA of the parameter blob perform an EL1 and an EL0 load,
 * store and instruction fetch and print what the MMU did, plus the leaf descriptor as the
 * hardware left it (AF/DBM: hardware updates are off, see docs/VERIFICATION.md).
 *
 * Output, one line per access (hex without 0x; ../common/common.c):
 *   A <test> <op> ok <value> <entry>
 *   A <test> <op> fault <EC> <ESR & ESR_MASK> <FAR> <ELR> <entry>
 * preceded per test by `T <test> <va> <entry-before>` and followed by `DONE <ntests>`.
 * A CPU that lacks what the format needs prints `UNSUPPORTED <reason>` and powers off. */
#include "arch.h"

void probe_main(void)
{
	const volatile uint64_t *p = (const volatile uint64_t *)PARAM_PA;
	uint64_t config, nstamp, ntests;

	if (p[0] != PARAM_MAGIC) {
		puts_("P?\n");
		poweroff();
	}
	config = p[P_CONFIG / 8];
	nstamp = p[P_NSTAMP / 8];
	ntests = p[P_NTESTS / 8];

	/* Stamp with the MMU off: each word holds its own PA, a ret at EXEC_OFF of each page. */
	for (uint64_t s = 0; s < nstamp; s++) {
		uint64_t pa = p[P_HDR / 8 + 2 * s], len = p[P_HDR / 8 + 2 * s + 1];
		for (uint64_t a = pa; a < pa + len; a += 8)
			*(volatile uint64_t *)a = a;
		for (uint64_t a = pa; a < pa + len; a += 4096)
			*(volatile uint32_t *)(a + EXEC_OFF) = INSN_RET;
	}
	__asm__ volatile("dsb sy; ic iallu; dsb sy; isb" ::: "memory");

	puts_("PROBE aarch64");
	arm_mmu_on(config & 0xff, config >> 8 & 0xff, config >> 16 & 1, p[P_ROOT / 8],
		   p[P_ROOT1 / 8]);
	puts_(" tests ");
	putdec(ntests);
	putc_('\n');
	probe_run_tests(p + P_HDR / 8 + 2 * nstamp, ntests, EXEC_OFF);
	poweroff();
}
