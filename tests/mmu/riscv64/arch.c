/* SPDX-License-Identifier: MIT */
/* RISC-V probe glue: see arch.h. */
#include "arch.h"

volatile uint64_t m_misa, m_menvcfg, m_medeleg;

/* ---- M-mode ---------------------------------------------------------------------------- */
static void m_putc(char c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	while (!(uart[5] & 0x20)) /* LSR.THRE */
		;
	uart[0] = (uint8_t)c;
}
void m_puts(const char *s, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		m_putc(s[i]);
}
void m_poweroff(uint64_t code)
{
	volatile uint32_t *t = (volatile uint32_t *)SIFIVE_TEST;
	*t = code ? (uint32_t)(code << 16 | 0x3333) : 0x5555;
	for (;;)
		__asm__ volatile("wfi");
}

/* Frame: x1..x31 at index n (see m_trap in boot.S). */
void m_trap_c(uint64_t *x)
{
	uint64_t cause = csr_read(mcause), epc = csr_read(mepc);

	if (cause == 9) { /* ecall from S-mode */
		if (x[17] == SBI_PUTS)
			m_puts((const char *)x[10], x[11]);
		else if (x[17] == SBI_POWEROFF)
			m_poweroff(x[10]);
		csr_write(mepc, epc + 4);
		return;
	}
	m_puts("UNEXPECTED M-mode trap mcause ", 30);
	puthex_to(m_putc, cause);
	m_puts(" mtval ", 7);
	puthex_to(m_putc, csr_read(mtval));
	m_puts(" mepc ", 6);
	puthex_to(m_putc, epc);
	m_putc('\n');
	m_poweroff(EXIT_FAIL);
}

void m_setup(uint64_t menvcfg)
{
	/* PMP: one NAPOT region over everything, RWX, so that S and U can reach all of it. */
	csr_write(pmpaddr0, ~0ull);
	csr_write(pmpcfg0, 0x1f); /* A = NAPOT, X, W, R */
	/* Page faults, access faults, ecall from U etc. go to S-mode (s_trap); ecall from S
	 * (the probe's print/power-off requests) stays in M. No interrupts at all. */
	csr_write(medeleg, (1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) |
				   (1u << 6) | (1u << 7) | (1u << 8) | (1u << 12) | (1u << 13) |
				   (1u << 15));
	csr_write(mideleg, 0);
	csr_write(stvec, (uint64_t)s_trap);
	csr_write(0x30a, csr_read(0x30a) | menvcfg); /* menvcfg: Svpbmt PBMTE */
	csr_write(satp, 0);
	m_menvcfg = csr_read(0x30a);
	m_misa = csr_read(misa);
	m_medeleg = csr_read(medeleg);
}

/* ---- S-mode ------------------------------------------------------------------------------ */
static char line[256];
static unsigned line_n;

static void flush(void)
{
	register uint64_t a0 __asm__("a0") = (uint64_t)line;
	register uint64_t a1 __asm__("a1") = line_n;
	register uint64_t a7 __asm__("a7") = SBI_PUTS;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a7) : "memory");
	line_n = 0;
}

void putc_(char c)
{
	line[line_n++] = c;
	if (c == '\n' || line_n == sizeof(line))
		flush();
}

void poweroff(uint64_t code)
{
	register uint64_t a0 __asm__("a0") = code;
	register uint64_t a7 __asm__("a7") = SBI_POWEROFF;
	if (line_n)
		flush();
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	for (;;)
		;
}

bool probe_faulted(void)
{
	return probe_fault != 0;
}

/* ` <scause> <spp> <stval> <sepc>` */
void probe_print_fault(void)
{
	putc_(' ');
	putdec(probe_fault_cause);
	putc_(' ');
	puthex(probe_fault_spp);
	putc_(' ');
	puthex(probe_fault_tval);
	putc_(' ');
	puthex(probe_fault_epc);
}

/* Called from s_trap when no access is in progress: a probe bug or a broken map of the
 * probe itself. */
void s_unexpected(uint64_t cause, uint64_t tval, uint64_t epc)
{
	line_n = 0;
	puts_("UNEXPECTED S-mode trap scause ");
	puthex(cause);
	puts_(" stval ");
	puthex(tval);
	puts_(" sepc ");
	puthex(epc);
	putc_('\n');
	poweroff(EXIT_FAIL);
}
