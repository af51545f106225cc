/* SPDX-License-Identifier: MIT */
/* x86_64 MMU probe, long-mode part: for every test VA of the parameter blob, perform a
 * supervisor and a user load, store and instruction fetch through the ptkit-built tables
 * and print what the MMU did, plus the leaf entry as the hardware left it (A/D bits).
 *
 * Output, one line per access (hex without 0x):
 *   A <test> <op> ok <value> <entry>
 *   A <test> <op> fault <vector> <error-code> <cr2> <rip> <entry>
 * preceded per test by `T <test> <va> <entry-before>` and followed by `DONE <ntests>`. */
#include <stdint.h>
#include "probe.h"

extern uint64_t probe_op(int op, uint64_t addr, int user, uint64_t val);
extern volatile uint64_t probe_fault, probe_fault_vec, probe_fault_err, probe_fault_rip,
	probe_fault_cr2;
extern const uint64_t isr_table[32];
extern char istack_top[];
extern uint64_t gdt[];

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static void putc_(char c)
{
	outb(0x3f8, (uint8_t)c);
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

static __attribute__((noreturn)) void poweroff(uint32_t code)
{
	outl(EXIT_PORT, code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Called from isr_common when no access is in progress: a probe bug or a broken map of
 * the probe itself. */
void probe_unexpected(const uint64_t *frame)
{
	uint64_t cr2;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	puts_("UNEXPECTED vector ");
	putdec(frame[0]);
	puts_(" error ");
	puthex(frame[1]);
	puts_(" rip ");
	puthex(frame[2]);
	puts_(" cr2 ");
	puthex(cr2);
	putc_('\n');
	poweroff(EXIT_FAIL);
}

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
};
static struct idt_gate idt[256] __attribute__((aligned(16)));

struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp0, rsp1, rsp2, reserved1, ist[7], reserved2;
	uint16_t reserved3, iomap;
};
static struct tss64 tss __attribute__((aligned(16)));

static void set_gate(int n, uint64_t handler, uint8_t type)
{
	idt[n].off0 = (uint16_t)handler;
	idt[n].sel = SEL_KCODE;
	idt[n].ist = 0;
	idt[n].type = type;
	idt[n].off1 = (uint16_t)(handler >> 16);
	idt[n].off2 = (uint32_t)(handler >> 32);
	idt[n].zero = 0;
}

static void setup_cpu(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} idtr;
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;

	for (int i = 0; i < 32; i++)
		set_gate(i, isr_table[i], 0x8e); /* present, DPL 0, interrupt gate */
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint64_t)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr));

	tss.rsp0 = (uint64_t)istack_top;
	tss.iomap = sizeof(tss);
	gdt[SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
			   (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[SEL_TSS / 8 + 1] = base >> 32;
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)SEL_TSS));
}

static const char *const op_name[6] = { "kl", "ks", "kx", "ul", "us", "ux" };

void probe_main(void)
{
	const volatile uint64_t *p = (const volatile uint64_t *)PARAM_PA;
	uint64_t nstamp = p[P_NSTAMP / 8], ntests = p[P_NTESTS / 8];
	const volatile uint64_t *t = p + P_HDR / 8 + 2 * nstamp;
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
	{
		/* What this CPU supports changes the verdict (e.g. a 1G leaf is a reserved-bit
		 * fault without CPUID.80000001H:EDX.Page1GB). */
		uint32_t a, b, c, d;
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
		puts_(" page1gb ");
		putdec(d >> 26 & 1);
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7u), "c"(0));
		puts_(" la57 ");
		putdec(c >> 16 & 1);
	}
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
				putdec(probe_fault_vec);
				putc_(' ');
				puthex(probe_fault_err);
				putc_(' ');
				puthex(probe_fault_cr2);
				putc_(' ');
				puthex(probe_fault_rip);
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
