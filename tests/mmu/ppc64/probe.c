/* SPDX-License-Identifier: MIT */
/* ppc64 MMU probe (POWER9 radix, QEMU powernv9, hypervisor mode). probe_main (real mode):
 * stamp the test pages, turn radix translation on with the two ptkit-built trees
 * (arch.c: radix_on). Then, for every test VA of the parameter blob, a privileged and a
 * problem-state load, store and instruction fetch, printing what the MMU did, plus the leaf
 * entry as the hardware left it (R/C bits). The UART is reached with MSR[DR] off.
 *
 * Output, one line per access (hex without 0x; ../common/common.c):
 *   A <test> <op> ok <value> <entry>
 *   A <test> <op> fault <vector> <bits> <address> <srr0> <entry>
 * bits: DSISR for a data storage interrupt (0x300), SRR1 & 0x783f0000 for an instruction
 * storage interrupt (0x400); address: DAR, or SRR0 for 0x400. Preceded per test by
 * `T <test> <va> <entry-before>` and followed by `DONE <ntests>`. */
#include "arch.h"

void probe_main(void)
{
	const volatile uint64_t *p = (const volatile uint64_t *)PARAM_PA;
	uint64_t nstamp, ntests;

	if (p[0] != PARAM_MAGIC) {
		puts_("P?\n");
		poweroff();
	}
	nstamp = p[P_NSTAMP / 8];
	ntests = p[P_NTESTS / 8];

	/* Stamp: every 8-byte word holds its own PA; a blr at EXEC_OFF of every page. */
	for (uint64_t s = 0; s < nstamp; s++) {
		uint64_t pa = p[P_HDR / 8 + 2 * s], len = p[P_HDR / 8 + 2 * s + 1];
		for (uint64_t a = pa; a < pa + len; a += 8)
			*(volatile uint64_t *)a =
				(a & 0xfff) == EXEC_OFF ? (uint64_t)INSN_BLR << 32 : a;
	}
	__asm__ volatile("sync; icbi 0,%0; isync" : : "r"(0) : "memory");

	radix_on(p[P_ROOT / 8], p[P_ROOT1 / 8]);

	puts_("PROBE ppc64");
	radix_print_state();
	puts_(" config ");
	puthex(p[P_CONFIG / 8]);
	puts_(" tests ");
	putdec(ntests);
	putc_('\n');
	probe_run_tests(p + P_HDR / 8 + 2 * nstamp, ntests, EXEC_OFF);
	poweroff();
}
