/* SPDX-License-Identifier: MIT */
/* AArch64 probe glue: see arch.h. */
#include "arch.h"

static volatile uint32_t *const uart = (volatile uint32_t *)UART_BASE;

void putc_(char c)
{
	while (uart[0x18 / 4] & (1u << 5)) /* UARTFR.TXFF */
		;
	uart[0] = (uint8_t)c;
}

/* PSCI SYSTEM_OFF through QEMU's built-in PSCI (conduit HVC on `virt` without EL2/EL3). */
void poweroff(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;
	__asm__ volatile("hvc #0" : "+r"(x0) : : "memory");
	for (;;)
		__asm__ volatile("wfi");
}

bool probe_faulted(void)
{
	return probe_fault != 0;
}

/* ` <EC> <ESR & ESR_MASK> <FAR> <ELR>` */
void probe_print_fault(void)
{
	putc_(' ');
	putdec(probe_fault_ec);
	putc_(' ');
	puthex(probe_fault_esr);
	putc_(' ');
	puthex(probe_fault_far);
	putc_(' ');
	puthex(probe_fault_elr);
}

/* From the vectors when no access is in progress: a probe bug or a broken map of the probe. */
void probe_unexpected(uint64_t slot, uint64_t esr, uint64_t far, uint64_t elr, uint64_t spsr)
{
	puts_("UNEXPECTED vector ");
	putdec(slot);
	puts_(" esr ");
	puthex(esr);
	puts_(" far ");
	puthex(far);
	puts_(" elr ");
	puthex(elr);
	puts_(" spsr ");
	puthex(spsr);
	putc_('\n');
	poweroff();
}

static __attribute__((noreturn)) void unsupported(const char *why)
{
	puts_("\nUNSUPPORTED "); /* ends the PROBE line */
	puts_(why);
	putc_('\n');
	poweroff();
}

/* TCR_EL1 for the format, or unsupported(). Arm ARM D8.2 / D19 (TCR_EL1, ID_AA64MMFR0_EL1). */
static uint64_t make_tcr(unsigned gshift, unsigned vabits, int pa52, int have_root1, uint64_t mmfr0,
			 uint64_t mmfr2)
{
	unsigned parange = mmfr0 & 0xf, tgran16 = mmfr0 >> 20 & 0xf, tgran64 = mmfr0 >> 24 & 0xf,
		 tgran4 = mmfr0 >> 28 & 0xf, varange = mmfr2 >> 16 & 0xf;
	uint64_t tsz = 64 - vabits, tg0, tg1, ips, tcr;

	switch (gshift) {
	case 12:
		if (tgran4 == 0xf)
			unsupported("4KB granule (ID_AA64MMFR0_EL1.TGran4 = 0xf)");
		if (pa52 && tgran4 != 1)
			unsupported(
				"FEAT_LPA2 with the 4KB granule (ID_AA64MMFR0_EL1.TGran4 != 1)");
		tg0 = 0, tg1 = 2;
		break;
	case 14:
		if (tgran16 == 0)
			unsupported("16KB granule (ID_AA64MMFR0_EL1.TGran16 = 0)");
		if (pa52 && tgran16 != 2)
			unsupported(
				"FEAT_LPA2 with the 16KB granule (ID_AA64MMFR0_EL1.TGran16 != 2)");
		tg0 = 2, tg1 = 1;
		break;
	case 16:
		if (tgran64 == 0xf)
			unsupported("64KB granule (ID_AA64MMFR0_EL1.TGran64 = 0xf)");
		if (pa52 && parange < 6)
			unsupported("FEAT_LPA: 52-bit PA (ID_AA64MMFR0_EL1.PARange < 6)");
		if (vabits > 48 && varange != 1)
			unsupported("FEAT_LVA: 52-bit VA (ID_AA64MMFR2_EL1.VARange != 1)");
		tg0 = 1, tg1 = 3;
		break;
	default:
		unsupported("bad granule in the parameter blob");
	}
	ips = pa52 ? 6 : 5; /* 52 or 48 bits */
	if (ips > parange)
		ips = parange; /* every PA the probes use is below 4 GiB */
	tcr = tsz | (1ull << 8) | (1ull << 10) | (3ull << 12) | (tg0 << 14); /* WB WA, Inner Sh. */
	tcr |= (tsz << 16) | (1ull << 24) | (1ull << 26) | (3ull << 28) | (tg1 << 30);
	if (!have_root1)
		tcr |= 1ull << 23; /* EPD1: no walks for upper-half VAs */
	tcr |= ips << 32;
	/* TBI0 = TBI1 = 0, HA = HD = 0 (no hardware AF/dirty updates), HPD0/1 = 0, E0PD = 0. */
	if (pa52 && gshift != 16)
		tcr |= 1ull << 59; /* DS: FEAT_LPA2 descriptors, 52-bit VA/OA, level -1 */
	return tcr;
}

void arm_mmu_on(unsigned gshift, unsigned vabits, int pa52, uint64_t root, uint64_t root1)
{
	uint64_t mmfr0, mmfr1, mmfr2, tcr, sctlr;

	mmfr0 = SYSREG_READ(id_aa64mmfr0_el1);
	mmfr1 = SYSREG_READ(id_aa64mmfr1_el1);
	mmfr2 = SYSREG_READ(id_aa64mmfr2_el1);
	puts_(" mmfr0 ");
	puthex(mmfr0);
	puts_(" mmfr1 ");
	puthex(mmfr1);
	puts_(" mmfr2 ");
	puthex(mmfr2);
	puts_(" granule ");
	putdec(1u << gshift);
	puts_(" vabits ");
	putdec(vabits);
	puts_(" pa52 ");
	putdec((uint64_t)pa52);
	tcr = make_tcr(gshift, vabits, pa52, root1 != 0, mmfr0, mmfr2);

	/* MAIR_EL1 as src/fmt/arm64.h assumes (ARM64_MAIR, Linux's layout): Attr0/1 Normal WB,
	 * Attr2 Normal Non-cacheable, Attr3 Device-nGnRnE, Attr4 Device-nGnRE. */
	SYSREG_WRITE(mair_el1, 0x000000040044ffffull);
	SYSREG_WRITE(tcr_el1, tcr);
	SYSREG_WRITE(ttbr0_el1, root);
	SYSREG_WRITE(ttbr1_el1, root1);
	__asm__ volatile("isb; tlbi vmalle1; dsb nsh; isb" ::: "memory");
	/* PSTATE.PAN = 0 where FEAT_PAN exists (EL1 may touch EL0 pages), and SPAN = 1 so that
	 * taking an exception to EL1 does not set it. */
	if (mmfr1 >> 20 & 0xf)
		__asm__ volatile("msr S3_0_C4_C2_3, xzr"); /* PAN */
	sctlr = SYSREG_READ(sctlr_el1);
	sctlr |= (1ull << 0) | (1ull << 2) | (1ull << 12) | (1ull << 23);     /* M C I SPAN */
	sctlr &= ~((1ull << 1) | (1ull << 19) | (1ull << 24) | (1ull << 25) | /* A WXN E0E EE */
		   (1ull << 35) | (1ull << 36));			      /* BT0 BT1 */
	SYSREG_WRITE(sctlr_el1, sctlr);
	__asm__ volatile("isb" ::: "memory");
	puts_(" tcr ");
	puthex(SYSREG_READ(tcr_el1));
	puts_(" sctlr ");
	puthex(SYSREG_READ(sctlr_el1));
}
