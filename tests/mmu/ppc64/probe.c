/* SPDX-License-Identifier: MIT */
/* ppc64 MMU probe (POWER9 radix, QEMU powernv9, hypervisor mode). probe_main (real mode):
 * stamp the test pages, build a partition table (entry 0: host radix, process table) and a
 * process table (PID 0: the kernel tree `root1` for quadrant 3, PID 1: the process tree
 * `root` for quadrant 0), set PTCR, LPCR[HR|UPRT], PIDR = 1, AMR = IAMR = 0 and turn on
 * MSR[IR|DR]. Then, for every test VA of the parameter blob, a privileged and a
 * problem-state load, store and instruction fetch, printing what the MMU did, plus the leaf
 * entry as the hardware left it (R/C bits). The UART is reached with MSR[DR] off.
 *
 * Output, one line per access (hex without 0x):
 *   A <test> <op> ok <value> <entry>
 *   A <test> <op> fault <vector> <bits> <address> <srr0> <entry>
 * bits: DSISR for a data storage interrupt (0x300), SRR1 & 0x783f0000 for an instruction
 * storage interrupt (0x400); address: DAR, or SRR0 for 0x400. Preceded per test by
 * `T <test> <va> <entry-before>` and followed by `DONE <ntests>`. */
#include <stdint.h>
#include "probe.h"

extern uint64_t probe_op(int op, uint64_t addr, int user, uint64_t val);
extern volatile uint64_t probe_fault[6];
extern uint64_t ptab[512], prtab[512], part_root[8192], part_pud[512];

#define mfspr(n)                                                                                   \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("mfspr %0, %1" : "=r"(v_) : "i"(n));                              \
		v_;                                                                                \
	})
#define mtspr(n, v) __asm__ volatile("mtspr %0, %1" : : "i"(n), "r"((uint64_t)(v)) : "memory")

static inline uint64_t mfmsr(void)
{
	uint64_t v;
	__asm__ volatile("mfmsr %0" : "=r"(v));
	return v;
}
static inline void mtmsrd(uint64_t v)
{
	__asm__ volatile("mtmsrd %0; isync" : : "r"(v) : "memory");
}

/* I/O on the LPC bus, with data relocation off (real addresses). */
static void io_out(uint64_t port, uint8_t v)
{
	uint64_t msr = mfmsr();
	if (msr & MSR_DR)
		mtmsrd(msr & ~(uint64_t)MSR_DR);
	*(volatile uint8_t *)(LPC_IO + port) = v;
	__asm__ volatile("sync" ::: "memory");
	if (msr & MSR_DR)
		mtmsrd(msr);
}
static uint8_t io_in(uint64_t port)
{
	uint64_t msr = mfmsr();
	uint8_t v;
	if (msr & MSR_DR)
		mtmsrd(msr & ~(uint64_t)MSR_DR);
	v = *(volatile uint8_t *)(LPC_IO + port);
	if (msr & MSR_DR)
		mtmsrd(msr);
	return v;
}

static void putc_(char c)
{
	while (!(io_in(UART_PORT + 5) & 0x20)) /* LSR.THRE */
		;
	io_out(UART_PORT, (uint8_t)c);
}
static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}
static void puthex(uint64_t v)
{
	char buf[16];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		putc_(buf[--n]);
}
static void putdec(uint64_t v)
{
	char buf[21];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc_(buf[--n]);
}
static __attribute__((noreturn)) void poweroff(void)
{
	io_out(IB700_PORT, 15); /* ib700 watchdog, 0 s: QEMU powers off (-action watchdog=poweroff) */
	for (;;)
		;
}

void trap_unexpected(uint64_t vec, uint64_t srr0, uint64_t srr1, uint64_t dar, uint64_t dsisr,
		     uint64_t hsrr0, uint64_t hsrr1)
{
	puts_("UNEXPECTED interrupt 0x");
	puthex(vec);
	puts_(" srr0 ");
	puthex(srr0);
	puts_(" srr1 ");
	puthex(srr1);
	puts_(" dar ");
	puthex(dar);
	puts_(" dsisr ");
	puthex(dsisr);
	puts_(" hsrr0 ");
	puthex(hsrr0);
	puts_(" hsrr1 ");
	puthex(hsrr1);
	putc_('\n');
	poweroff();
}

static const char *const op_name[6] = { "kl", "ks", "kx", "ul", "us", "ux" };

/* Radix tree size field for a 52-bit EA (RTS = 52 - 31 = 0b10101: ISA bits 1:2 and 56:58),
 * and the root table's 13 index bits (RPDS). */
#define RTS52 ((2ull << 61) | (5ull << 5))
#define PATE0_HR (1ull << 63)

void probe_main(void)
{
	const volatile uint64_t *p = (const volatile uint64_t *)PARAM_PA;
	uint64_t nstamp, ntests, root, root1;
	const volatile uint64_t *t;

	if (p[0] != PARAM_MAGIC) {
		puts_("P?\n");
		poweroff();
	}
	nstamp = p[P_NSTAMP / 8];
	ntests = p[P_NTESTS / 8];
	root = p[P_ROOT / 8];
	root1 = p[P_ROOT1 / 8];

	/* Stamp: every 8-byte word holds its own PA; a blr at EXEC_OFF of every page. */
	for (uint64_t s = 0; s < nstamp; s++) {
		uint64_t pa = p[P_HDR / 8 + 2 * s], len = p[P_HDR / 8 + 2 * s + 1];
		for (uint64_t a = pa; a < pa + len; a += 8)
			*(volatile uint64_t *)a =
				(a & 0xfff) == EXEC_OFF ? (uint64_t)INSN_BLR << 32 : a;
	}
	__asm__ volatile("sync; icbi 0,%0; isync" : : "r"(0) : "memory");

	/* Partition table entry 0 (the host, LPID 0): HR = radix; doubleword 1 = process
	 * table. In HV mode QEMU and the ISA use only its process table; the radix root in
	 * doubleword 0 would be the partition-scoped tree of a guest (unused for LPID 0). */
	/* QEMU translates the process table's address through the partition-scoped tree of
	 * doubleword 0 even for LPID 0 in HV mode: give it an identity 1G leaf over the
	 * probe (root: 13 index bits, level 2 table: one 1G leaf, R=C=1, privileged r/w). */
	part_pud[0] = (1ull << 63) | (1ull << 62) | 0 | (1ull << 8) | (1ull << 7) | 0x8 | 0x4 |
		      0x2;
	part_root[0] = (1ull << 63) | (uint64_t)part_pud | 9;
	ptab[0] = PATE0_HR | RTS52 | (uint64_t)part_root | 13;
	ptab[1] = (uint64_t)prtab | 0; /* PRTS = 0: 4 KiB */
	/* Process table: PID 0 -> quadrant 3 (kernel tree), PID 1 -> quadrant 0. */
	if (root1)
		prtab[0] = RTS52 | root1 | 13;
	prtab[2 * PROBE_PID] = RTS52 | root | 13;
	__asm__ volatile("ptesync" ::: "memory");
	mtspr(SPR_LPIDR, 0);
	mtspr(SPR_PTCR, (uint64_t)ptab | 0); /* PATS = 0 */
	mtspr(SPR_LPCR, LPCR_HR | LPCR_UPRT);
	mtspr(SPR_PIDR, PROBE_PID);
	mtspr(SPR_AMR, 0);
	mtspr(SPR_IAMR, 0);
	/* No tlbie: nothing was cached (QEMU 7.2 also rejects tlbie RIC=2 PRS=1 R=1 as an
	 * illegal instruction, and flushes its TLB on PTCR, LPCR and PIDR writes). */
	__asm__ volatile("isync; ptesync" ::: "memory");
	mtmsrd(mfmsr() | MSR_IR | MSR_DR);

	puts_("PROBE ppc64 pvr ");
	puthex(mfspr(SPR_PVR));
	puts_(" msr ");
	puthex(mfmsr());
	puts_(" lpcr ");
	puthex(mfspr(SPR_LPCR));
	puts_(" ptcr ");
	puthex(mfspr(SPR_PTCR));
	puts_(" pidr ");
	puthex(mfspr(SPR_PIDR));
	puts_(" config ");
	puthex(p[P_CONFIG / 8]);
	puts_(" tests ");
	putdec(ntests);
	putc_('\n');

	t = p + P_HDR / 8 + 2 * nstamp;
	for (uint64_t i = 0; i < ntests; i++, t += 3) {
		uint64_t va = t[0], epa = t[1], ops = t[2], val = 0;
		const volatile uint64_t *entry = (const volatile uint64_t *)epa;

		puts_("T ");
		putdec(i);
		putc_(' ');
		puthex(va);
		putc_(' ');
		puthex(epa ? *entry : 0);
		putc_('\n');
		for (int op = 0; op < 6; op++) {
			uint64_t addr = op % 3 == 2 ? (va & ~0xfffull) | EXEC_OFF : va;
			uint64_t v;

			if (!(ops >> op & 1))
				continue;
			v = probe_op(op % 3, addr, op >= 3, val);
			if (op % 3 == 0 && !probe_fault[0])
				val = v;
			puts_("A ");
			putdec(i);
			putc_(' ');
			puts_(op_name[op]);
			if (probe_fault[0]) {
				uint64_t vec = probe_fault[1];
				puts_(" fault ");
				putdec(vec);
				putc_(' ');
				puthex(vec == 0x400 ? probe_fault[5] & 0x783f0000 : probe_fault[2]);
				putc_(' ');
				puthex(vec == 0x400 ? probe_fault[4] : probe_fault[3]);
				putc_(' ');
				puthex(probe_fault[4]);
			} else {
				puts_(" ok ");
				puthex(v);
			}
			putc_(' ');
			puthex(epa ? *entry : 0);
			putc_('\n');
		}
	}
	puts_("DONE ");
	putdec(ntests);
	putc_('\n');
	poweroff();
}
