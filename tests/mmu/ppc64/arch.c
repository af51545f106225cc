/* SPDX-License-Identifier: MIT */
/* ppc64 probe glue: see arch.h. */
#include "arch.h"

extern uint64_t ptab[512], prtab[512], part_root[8192], part_pud[512];

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

void putc_(char c)
{
	while (!(io_in(UART_PORT + 5) & 0x20)) /* LSR.THRE */
		;
	io_out(UART_PORT, (uint8_t)c);
}

void poweroff(void)
{
	io_out(IB700_PORT, 15);
	for (;;)
		;
}

bool probe_faulted(void)
{
	return probe_fault[0] != 0;
}

/* ` <vector> <bits> <address> <srr0>`: bits = DSISR for a data storage interrupt (0x300),
 * SRR1 & 0x783f0000 for an instruction storage interrupt (0x400); address = DAR, or SRR0
 * for 0x400. */
void probe_print_fault(void)
{
	uint64_t vec = probe_fault[1];
	putc_(' ');
	putdec(vec);
	putc_(' ');
	puthex(vec == 0x400 ? probe_fault[5] & 0x783f0000 : probe_fault[2]);
	putc_(' ');
	puthex(vec == 0x400 ? probe_fault[4] : probe_fault[3]);
	putc_(' ');
	puthex(probe_fault[4]);
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

/* Radix tree size field for a 52-bit EA (RTS = 52 - 31 = 0b10101: ISA bits 1:2 and 56:58),
 * and the root table's 13 index bits (RPDS). */
#define RTS52 ((2ull << 61) | (5ull << 5))
#define PATE0_HR (1ull << 63)

void radix_on(uint64_t root, uint64_t root1)
{
	/* Partition table entry 0 (the host, LPID 0): HR = radix; doubleword 1 = process
	 * table. In HV mode QEMU and the ISA use only its process table; the radix root in
	 * doubleword 0 would be the partition-scoped tree of a guest (unused for LPID 0). */
	/* QEMU translates the process table's address through the partition-scoped tree of
	 * doubleword 0 even for LPID 0 in HV mode: give it an identity 1G leaf over the
	 * probe (root: 13 index bits, level 2 table: one 1G leaf, R=C=1, privileged r/w). */
	part_pud[0] = (1ull << 63) | (1ull << 62) | 0 | (1ull << 8) | (1ull << 7) | 0x8 | 0x4 | 0x2;
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
}

void radix_print_state(void)
{
	puts_(" pvr ");
	puthex(mfspr(SPR_PVR));
	puts_(" msr ");
	puthex(mfmsr());
	puts_(" lpcr ");
	puthex(mfspr(SPR_LPCR));
	puts_(" ptcr ");
	puthex(mfspr(SPR_PTCR));
	puts_(" pidr ");
	puthex(mfspr(SPR_PIDR));
}
