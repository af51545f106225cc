/* SPDX-License-Identifier: MIT */
/* Shared code of the bare-metal MMU probes: see common.h. */
#include "common.h"

const char *const op_name[6] = { "kl", "ks", "kx", "ul", "us", "ux" };

void puts_(const char *s)
{
	while (*s)
		putc_(*s++);
}

void puthex_to(void (*out)(char), uint64_t v)
{
	char buf[16];
	int n = 0;
	do {
		buf[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		out(buf[--n]);
}

void puthex(uint64_t v)
{
	puthex_to(putc_, v);
}

void putdec(uint64_t v)
{
	char buf[20];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc_(buf[--n]);
}

void probe_run_tests(const volatile uint64_t *t, uint64_t ntests, uint64_t exec_off)
{
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
			uint64_t addr = op % 3 == 2 ? (va & ~0xfffull) | exec_off : va;
			uint64_t v;

			if (!(ops >> op & 1))
				continue;
			v = probe_op(op % 3, addr, op >= 3, val);
			if (op % 3 == 0 && !probe_faulted())
				val = v;
			puts_("A ");
			putdec(i);
			putc_(' ');
			puts_(op_name[op]);
			if (probe_faulted()) {
				puts_(" fault");
				probe_print_fault();
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
}
