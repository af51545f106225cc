/* SPDX-License-Identifier: MIT */
/* x86_64 MMU probe, long-mode part: for every test VA of the parameter blob, perform a
 * supervisor and a user load, store and instruction fetch through the ptkit-built tables
 * and print what the MMU did, plus the leaf entry as the hardware left it (A/D bits).
 *
 * Output, one line per access (hex without 0x; ../common/common.c):
 *   A <test> <op> ok <value> <entry>
 *   A <test> <op> fault <vector> <error-code> <cr2> <rip> <entry>
 * preceded per test by `T <test> <va> <entry-before>` and followed by `DONE <ntests>`. */
#include "arch.h"

void probe_main(void)
{
	const volatile uint64_t *p = (const volatile uint64_t *)PARAM_PA;
	uint64_t nstamp = p[P_NSTAMP / 8], ntests = p[P_NTESTS / 8];
	uint64_t cr0, cr3, cr4;

	setup_cpu();
	__asm__ volatile("mov %%cr0, %0; mov %%cr3, %1; mov %%cr4, %2"
			 : "=r"(cr0), "=r"(cr3), "=r"(cr4));
	puts_("PROBE x86_64 cr0 ");
	puthex(cr0);
	puts_(" cr3 ");
	puthex(cr3);
	puts_(" cr4 ");
	puthex(cr4);
	puts_(" tests ");
	putdec(ntests);
	print_cpuid();
	putc_('\n');
	probe_run_tests(p + P_HDR / 8 + 2 * nstamp, ntests, EXEC_OFF);
	poweroff(EXIT_OK);
}
