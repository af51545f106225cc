/* SPDX-License-Identifier: MIT */
/*
 * Helpers of fmt_roots_of_cpu (pt_format_ops.roots_of_cpu): read a CPU register by one of
 * its names and note its value in struct pt_cpu_roots's text, without libc (the core is
 * also built freestanding). Included by each format header that defines fmt_roots_of_cpu.
 */
#ifndef PTKIT_FMT_CPU_REGS_H
#define PTKIT_FMT_CPU_REGS_H

#include <ptkit/format.h>
#include <stddef.h>

/* Append s to the NUL-terminated text buf of n bytes, cut where it is full. */
static inline void fmt_note_str(char *buf, size_t n, const char *s)
{
	size_t i = 0;

	while (i + 1 < n && buf[i])
		i++;
	while (i + 1 < n && *s)
		buf[i++] = *s++;
	if (i < n)
		buf[i] = 0;
}

/* Append v: "0x" and hex digits (hex) or decimal digits. */
static inline void fmt_note_num(char *buf, size_t n, uint64_t v, bool hex)
{
	char d[24];
	int i = (int)sizeof(d) - 1;
	unsigned base = hex ? 16 : 10;

	d[i] = 0;
	do {
		d[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (hex) {
		d[--i] = 'x';
		d[--i] = '0';
	}
	fmt_note_str(buf, n, d + i);
}

/* Append "label 0x<v>" to out->regs, after ", " when it holds something already. */
static inline void fmt_note_reg(struct pt_cpu_roots *out, const char *label, uint64_t v)
{
	if (out->regs[0])
		fmt_note_str(out->regs, sizeof(out->regs), ", ");
	fmt_note_str(out->regs, sizeof(out->regs), label);
	fmt_note_str(out->regs, sizeof(out->regs), " ");
	fmt_note_num(out->regs, sizeof(out->regs), v, true);
}

/*
 * The first of names (NULL-terminated, the spellings debuggers use for one register) that
 * the CPU state has, noted in out->regs as label. False when it has none: with required,
 * out->missing is names[0] and *why says so.
 */
static inline bool fmt_cpu_reg(pt_reg_fn reg, void *ctx, const char *const *names,
			       const char *label, bool required, struct pt_cpu_roots *out,
			       uint64_t *v, const char **why)
{
	for (const char *const *n = names; *n; n++) {
		if (reg(ctx, *n, v)) {
			fmt_note_reg(out, label, *v);
			return true;
		}
	}
	if (required) {
		out->missing = names[0];
		*why = "a register the format's roots need is not available";
	}
	return false;
}

#endif
