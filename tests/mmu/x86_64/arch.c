/* SPDX-License-Identifier: MIT */
/* x86_64 probe glue: see arch.h. */
#include "arch.h"

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

void putc_(char c)
{
	outb(0x3f8, (uint8_t)c);
}

void poweroff(uint32_t code)
{
	outl(EXIT_PORT, code);
	for (;;)
		__asm__ volatile("cli; hlt");
}

bool probe_faulted(void)
{
	return probe_fault != 0;
}

/* ` <vector> <error-code> <cr2> <rip>` */
void probe_print_fault(void)
{
	putc_(' ');
	putdec(probe_fault_vec);
	putc_(' ');
	puthex(probe_fault_err);
	putc_(' ');
	puthex(probe_fault_cr2);
	putc_(' ');
	puthex(probe_fault_rip);
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

void setup_cpu(void)
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

void print_cpuid(void)
{
	/* What this CPU supports changes the verdict (e.g. a 1G leaf is a reserved-bit fault
	 * without CPUID.80000001H:EDX.Page1GB). */
	uint32_t a, b, c, d;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u), "c"(0));
	puts_(" page1gb ");
	putdec(d >> 26 & 1);
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7u), "c"(0));
	puts_(" la57 ");
	putdec(c >> 16 & 1);
}
