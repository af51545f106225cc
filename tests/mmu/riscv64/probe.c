/* SPDX-License-Identifier: MIT */
/* RISC-V (RV64) MMU probe. M-mode part (m_main): open PMP, stamp the test pages, delegate
 * exceptions to S-mode, enable Svpbmt in menvcfg, write satp with the ptkit-built root and
 * drop to S-mode. S-mode part (s_main): for every test VA of the parameter blob perform a
 * supervisor and a user load, store and instruction fetch (sstatus.SUM = MXR = 0) and print
 * what the MMU did, plus the leaf entry as the hardware left it (A/D bits).
 *
 * Output, one line per access (hex without 0x):
 *   A <test> <op> ok <value> <entry>
 *   A <test> <op> fault <scause> <spp> <stval> <sepc> <entry>
 * preceded per test by `T <test> <va> <entry-before>` and followed by `DONE <ntests>`. */
#include <stdint.h>
#include "probe.h"

#define csr_read(csr)                                                                              \
	({                                                                                         \
		uint64_t v_;                                                                       \
		__asm__ volatile("csrr %0, " #csr : "=r"(v_));                                     \
		v_;                                                                                \
	})
#define csr_write(csr, v) __asm__ volatile("csrw " #csr ", %0" : : "r"((uint64_t)(v)) : "memory")

extern uint64_t probe_op(int op, uint64_t addr, int user, uint64_t val);
extern void enter_s(void (*entry)(void)) __attribute__((noreturn));
extern void s_trap(void);
extern volatile uint64_t probe_fault, probe_fault_cause, probe_fault_tval, probe_fault_epc,
	probe_fault_spp;

/* What M-mode found, for the PROBE line (S-mode cannot read misa or menvcfg). */
static volatile uint64_t m_misa, m_satp, m_menvcfg, m_medeleg;

/* ---- M-mode ---------------------------------------------------------------------------- */
static void m_putc(char c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
	while (!(uart[5] & 0x20)) /* LSR.THRE */
		;
	uart[0] = (uint8_t)c;
}
static void m_puts(const char *s, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		m_putc(s[i]);
}
static __attribute__((noreturn)) void m_poweroff(uint64_t code)
{
	volatile uint32_t *t = (volatile uint32_t *)SIFIVE_TEST;
	*t = code ? (uint32_t)(code << 16 | 0x3333) : 0x5555;
	for (;;)
		__asm__ volatile("wfi");
}
static void m_puthex(uint64_t v)
{
	char buf[16];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		m_putc(buf[--n]);
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
	m_puthex(cause);
	m_puts(" mtval ", 7);
	m_puthex(csr_read(mtval));
	m_puts(" mepc ", 6);
	m_puthex(epc);
	m_putc('\n');
	m_poweroff(EXIT_FAIL);
}

static void s_main(void);

void m_main(void)
{
	const volatile uint64_t *p = (const volatile uint64_t *)PARAM_PA;
	uint64_t nstamp, mode, root;

	if (p[0] != PARAM_MAGIC) {
		m_puts("P?\n", 3);
		m_poweroff(EXIT_BADPARAM);
	}
	/* PMP: one NAPOT region over everything, RWX, so that S and U can reach all of it. */
	csr_write(pmpaddr0, ~0ull);
	csr_write(pmpcfg0, 0x1f); /* A = NAPOT, X, W, R */

	/* Stamp: every 8-byte word holds its own PA; a ret at EXEC_OFF of every page. */
	nstamp = p[P_NSTAMP / 8];
	for (uint64_t s = 0; s < nstamp; s++) {
		uint64_t pa = p[P_HDR / 8 + 2 * s], len = p[P_HDR / 8 + 2 * s + 1];
		for (uint64_t a = pa; a < pa + len; a += 8)
			*(volatile uint64_t *)a = (a & 0xfff) == EXEC_OFF ? INSN_RET : a;
	}
	__asm__ volatile("fence rw, rw; fence.i" ::: "memory");

	/* Page faults, access faults, ecall from U etc. go to S-mode (s_trap); ecall from S
	 * (the probe's print/power-off requests) stays in M. No interrupts at all. */
	csr_write(medeleg, (1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) |
				   (1u << 6) | (1u << 7) | (1u << 8) | (1u << 12) | (1u << 13) |
				   (1u << 15));
	csr_write(mideleg, 0);
	csr_write(stvec, (uint64_t)s_trap);
	csr_write(0x30a, csr_read(0x30a) | p[P_MENVCFG / 8]); /* menvcfg: Svpbmt PBMTE */
	mode = p[P_MODE / 8];
	root = p[P_ROOT / 8];
	csr_write(satp, mode << 60 | root >> 12); /* ASID 0 */
	__asm__ volatile("sfence.vma" ::: "memory");
	m_satp = csr_read(satp); /* an unsupported MODE leaves satp unchanged (0) */
	m_menvcfg = csr_read(0x30a);
	m_misa = csr_read(misa);
	m_medeleg = csr_read(medeleg);
	enter_s(s_main);
}

/* ---- S-mode (translation on) ------------------------------------------------------------- */
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
static void putc_(char c)
{
	line[line_n++] = c;
	if (c == '\n' || line_n == sizeof(line))
		flush();
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
static __attribute__((noreturn)) void poweroff(uint64_t code)
{
	register uint64_t a0 __asm__("a0") = code;
	register uint64_t a7 __asm__("a7") = SBI_POWEROFF;
	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	for (;;)
		;
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

static const char *const op_name[6] = { "kl", "ks", "kx", "ul", "us", "ux" };

static void s_main(void)
{
	const volatile uint64_t *p = (const volatile uint64_t *)PARAM_PA;
	uint64_t nstamp = p[P_NSTAMP / 8], ntests = p[P_NTESTS / 8];
	const volatile uint64_t *t = p + P_HDR / 8 + 2 * nstamp;

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
				putdec(probe_fault_cause);
				putc_(' ');
				puthex(probe_fault_spp);
				putc_(' ');
				puthex(probe_fault_tval);
				putc_(' ');
				puthex(probe_fault_epc);
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
	poweroff(EXIT_OK);
}
