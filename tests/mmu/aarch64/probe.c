/* SPDX-License-Identifier: MIT */
/* AArch64 MMU probe: stamp RAM with the MMU off, check the CPU implements the granule and
 * VA/PA size, turn on the EL1&0 stage-1 MMU with the ptkit-built roots in TTBR0_EL1 and
 * TTBR1_EL1, then for every test VA of the parameter blob perform an EL1 and an EL0 load,
 * store and instruction fetch and print what the MMU did, plus the leaf descriptor as the
 * hardware left it (AF/DBM: hardware updates are off, see docs/VERIFICATION.md).
 *
 * Output, one line per access (hex without 0x):
 *   A <test> <op> ok <value> <entry>
 *   A <test> <op> fault <EC> <ESR & ESR_MASK> <FAR> <ELR> <entry>
 * preceded per test by `T <test> <va> <entry-before>` and followed by `DONE <ntests>`.
 * A CPU that lacks what the format needs prints `UNSUPPORTED <reason>` and powers off. */
#include <stdint.h>
#include "probe.h"

extern uint64_t probe_op(int op, uint64_t addr, int user, uint64_t val);
extern volatile uint64_t probe_fault, probe_fault_ec, probe_fault_esr, probe_fault_far,
	probe_fault_elr;

#define SYSREG_READ(name)                                                                          \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("mrs %0, " #name : "=r"(v_));                                     \
		v_;                                                                                \
	})
#define SYSREG_WRITE(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)))

static volatile uint32_t *const uart = (volatile uint32_t *)UART_BASE;

static void putc_(char c)
{
	while (uart[0x18 / 4] & (1u << 5)) /* UARTFR.TXFF */
		;
	uart[0] = (uint8_t)c;
}
static void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}
static void puthex(uint64_t v)
{
	char buf[17];
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

/* PSCI SYSTEM_OFF through QEMU's built-in PSCI (conduit HVC on `virt` without EL2/EL3):
 * QEMU exits with status 0. Success is the `DONE` line. */
static __attribute__((noreturn)) void poweroff(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;
	__asm__ volatile("hvc #0" : "+r"(x0) : : "memory");
	for (;;)
		__asm__ volatile("wfi");
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
static uint64_t make_tcr(unsigned gshift, unsigned vabits, int pa52, int have_root1,
			 uint64_t mmfr0, uint64_t mmfr2)
{
	unsigned parange = mmfr0 & 0xf, tgran16 = mmfr0 >> 20 & 0xf, tgran64 = mmfr0 >> 24 & 0xf,
		 tgran4 = mmfr0 >> 28 & 0xf, varange = mmfr2 >> 16 & 0xf;
	uint64_t tsz = 64 - vabits, tg0, tg1, ips, tcr;

	switch (gshift) {
	case 12:
		if (tgran4 == 0xf)
			unsupported("4KB granule (ID_AA64MMFR0_EL1.TGran4 = 0xf)");
		if (pa52 && tgran4 != 1)
			unsupported("FEAT_LPA2 with the 4KB granule (ID_AA64MMFR0_EL1.TGran4 != 1)");
		tg0 = 0, tg1 = 2;
		break;
	case 14:
		if (tgran16 == 0)
			unsupported("16KB granule (ID_AA64MMFR0_EL1.TGran16 = 0)");
		if (pa52 && tgran16 != 2)
			unsupported("FEAT_LPA2 with the 16KB granule (ID_AA64MMFR0_EL1.TGran16 != 2)");
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
		ips = parange; /* every PA the harness uses is below 4 GiB */
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

static const char *const op_name[6] = { "kl", "ks", "kx", "ul", "us", "ux" };

void probe_main(void)
{
	const volatile uint64_t *p = (const volatile uint64_t *)PARAM_PA;
	uint64_t config, nstamp, ntests, root, root1, mmfr0, mmfr1, mmfr2, tcr, sctlr;
	const volatile uint64_t *t;
	unsigned gshift, vabits;
	int pa52;

	if (p[0] != PARAM_MAGIC) {
		puts_("P?\n");
		poweroff();
	}
	config = p[P_CONFIG / 8];
	root = p[P_ROOT / 8];
	root1 = p[P_ROOT1 / 8];
	nstamp = p[P_NSTAMP / 8];
	ntests = p[P_NTESTS / 8];
	gshift = config & 0xff;
	vabits = config >> 8 & 0xff;
	pa52 = config >> 16 & 1;
	t = p + P_HDR / 8 + 2 * nstamp;

	mmfr0 = SYSREG_READ(id_aa64mmfr0_el1);
	mmfr1 = SYSREG_READ(id_aa64mmfr1_el1);
	mmfr2 = SYSREG_READ(id_aa64mmfr2_el1);
	puts_("PROBE aarch64 mmfr0 ");
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

	/* Stamp with the MMU off: each word holds its own PA, a ret at EXEC_OFF of each page. */
	for (uint64_t s = 0; s < nstamp; s++) {
		uint64_t pa = p[P_HDR / 8 + 2 * s], len = p[P_HDR / 8 + 2 * s + 1];
		for (uint64_t a = pa; a < pa + len; a += 8)
			*(volatile uint64_t *)a = a;
		for (uint64_t a = pa; a < pa + len; a += 4096)
			*(volatile uint32_t *)(a + EXEC_OFF) = INSN_RET;
	}
	__asm__ volatile("dsb sy; ic iallu; dsb sy; isb" ::: "memory");

	/* MAIR_EL1 as src/fmt/arm64.h assumes: Attr0 Normal WB, Attr1 Device-nGnRE, Attr2
	 * Normal Non-cacheable. */
	SYSREG_WRITE(mair_el1, 0x00000000004404ffull);
	SYSREG_WRITE(tcr_el1, tcr);
	SYSREG_WRITE(ttbr0_el1, root);
	SYSREG_WRITE(ttbr1_el1, root1);
	__asm__ volatile("isb; tlbi vmalle1; dsb nsh; isb" ::: "memory");
	/* PSTATE.PAN = 0 where FEAT_PAN exists (EL1 may touch EL0 pages), and SPAN = 1 so that
	 * taking an exception to EL1 does not set it. */
	if (mmfr1 >> 20 & 0xf)
		__asm__ volatile("msr S3_0_C4_C2_3, xzr"); /* PAN */
	sctlr = SYSREG_READ(sctlr_el1);
	sctlr |= (1ull << 0) | (1ull << 2) | (1ull << 12) | (1ull << 23); /* M C I SPAN */
	sctlr &= ~((1ull << 1) | (1ull << 19) | (1ull << 24) | (1ull << 25) | /* A WXN E0E EE */
		   (1ull << 35) | (1ull << 36));				  /* BT0 BT1 */
	SYSREG_WRITE(sctlr_el1, sctlr);
	__asm__ volatile("isb" ::: "memory");
	puts_(" tcr ");
	puthex(SYSREG_READ(tcr_el1));
	puts_(" sctlr ");
	puthex(SYSREG_READ(sctlr_el1));
	puts_(" tests ");
	putdec(ntests);
	putc_('\n');

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
			/* A store writes back what a load just read (the stamp), so that even
			 * a store through a wrong translation leaves memory as it was. */
			v = probe_op(op % 3, addr, op >= 3, val);
			if (op % 3 == 0 && !probe_fault)
				val = v;
			puts_("A ");
			putdec(i);
			putc_(' ');
			puts_(op_name[op]);
			if (probe_fault) {
				puts_(" fault ");
				putdec(probe_fault_ec);
				putc_(' ');
				puthex(probe_fault_esr);
				putc_(' ');
				puthex(probe_fault_far);
				putc_(' ');
				puthex(probe_fault_elr);
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
