/* SPDX-License-Identifier: MIT */
/* RISC-V (RV64) MMU probe. M-mode part (m_main): open PMP, stamp the test pages, delegate
 * exceptions to S-mode, enable Svpbmt in menvcfg, write satp with the ptkit-built root and
 * drop to S-mode. S-mode part (s_main): for every test VA of the parameter blob perform a
 * supervisor and a user load, store and instruction fetch (sstatus.SUM = MXR = 0) and print
 * what the MMU did, plus the leaf entry as the hardware left it (A/D bits).
 *
 * Output, one line per access (hex without 0x; ../common/common.c):
 *   A <test> <op> ok <value> <entry>
 *   A <test> <op> fault <scause> <spp> <stval> <sepc> <entry>
 * preceded per test by `T <test> <va> <entry-before>` and followed by `DONE <ntests>`. */
#include "arch.h"

static volatile uint64_t m_satp;

static void s_main(void);

void m_main(void)
{
	const volatile uint64_t *p = (const volatile uint64_t *)PARAM_PA;
	uint64_t nstamp, mode, root;

	if (p[0] != PARAM_MAGIC) {
		m_puts("P?\n", 3);
		m_poweroff(EXIT_BADPARAM);
	}
	m_setup(p[P_MENVCFG / 8]);

	/* Stamp: every 8-byte word holds its own PA; a ret at EXEC_OFF of every page. */
	nstamp = p[P_NSTAMP / 8];
	for (uint64_t s = 0; s < nstamp; s++) {
		uint64_t pa = p[P_HDR / 8 + 2 * s], len = p[P_HDR / 8 + 2 * s + 1];
		for (uint64_t a = pa; a < pa + len; a += 8)
			*(volatile uint64_t *)a = (a & 0xfff) == EXEC_OFF ? INSN_RET : a;
	}
	__asm__ volatile("fence rw, rw; fence.i" ::: "memory");

	mode = p[P_MODE / 8];
	root = p[P_ROOT / 8];
	csr_write(satp, mode << 60 | root >> 12); /* ASID 0 */
	__asm__ volatile("sfence.vma" ::: "memory");
	m_satp = csr_read(satp); /* an unsupported MODE leaves satp unchanged (0) */
	enter_s(s_main);
}

static void s_main(void)
{
	const volatile uint64_t *p = (const volatile uint64_t *)PARAM_PA;
	uint64_t nstamp = p[P_NSTAMP / 8], ntests = p[P_NTESTS / 8];

	puts_("PROBE riscv64 satp ");
	puthex(m_satp);
	puts_(" menvcfg ");
	puthex(m_menvcfg);
	puts_(" misa ");
	puthex(m_misa);
	puts_(" medeleg ");
	puthex(m_medeleg);
	puts_(" sstatus ");
	puthex(csr_read(sstatus));
	puts_(" tests ");
	putdec(ntests);
	putc_('\n');
	probe_run_tests(p + P_HDR / 8 + 2 * nstamp, ntests, EXEC_OFF);
	poweroff(EXIT_OK);
}
