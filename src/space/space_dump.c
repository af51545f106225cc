/* SPDX-License-Identifier: MIT */
/*
 * ptkit: a pt_space over a dump file (include/ptkit/space.h), its format and roots chosen
 * as `ptkit translate` chooses them (tools/ptkit/args.c): what it chose by itself goes to
 * the notes.
 */
#include <stdlib.h>
#include <string.h>

#include "ptkit/spec.h"
#include "space_internal.h"

/* The Linux kernel's root from the dump's VMCOREINFO (a two-root format: its upper half's). */
static int kernel_root(struct pt_space *s, const char *how, uint64_t *root, char *err, size_t len)
{
	const char *why = "";
	int ret = pt_dump_kernel_root(&s->dump, s->fmt, root, &why);

	if (ret == -PT_ENOENT && !s->dump.vmcoreinfo)
		return space_fail(ret, err, len, "%s: the %s has no VMCOREINFO note%s", how,
				  pt_dump_kind_name(s->dump.kind),
				  strcmp(how, "no root") ? ""
							 : " nor CPU state to take the root from");
	if (ret)
		return space_fail(ret, err, len, "%s: the dump's VMCOREINFO: %s (%s)", how, why,
				  s->fmt->name);
	space_note(s,
		   "%s: the root table at 0x%llx, the kernel's swapper_pg_dir from the dump's "
		   "VMCOREINFO%s",
		   how, (unsigned long long)*root, s->fmt->two_roots ? " (the upper half's)" : "");
	return 0;
}

/* No root: the dump's first CPU's root register, or else the kernel's root. */
static int root_from_dump(struct pt_space *s, uint64_t *root, char *err, size_t len)
{
	const char *want, *why = "";
	uint64_t reg;

	if (!pt_dump_cpu_root(&s->dump, &reg, &want)) {
		if (s->fmt->two_roots)
			s->trees = SPACE_UPPER;
		return kernel_root(s, "no root", root, err, len);
	}
	if (strcmp(want, s->fmt->name))
		return space_fail(-PT_EINVAL, err, len,
				  "format %s: the dump's CPU 0 uses %s paging (CR4.LA57 = %d): "
				  "format %s",
				  s->fmt->name, want[6] ? "5-level" : "4-level", want[6] != 0,
				  want);
	if (s->fmt->ops.root_of_reg(reg, root, &why))
		return space_fail(-PT_EINVAL, err, len, "the dump's CPU 0 root register 0x%llx: %s",
				  (unsigned long long)reg, why);
	space_note(
		s,
		"no root: the root table at 0x%llx, from CPU 0's CR3 0x%llx in the dump (%u CPU%s)",
		(unsigned long long)*root, (unsigned long long)reg, s->dump.cpus,
		s->dump.cpus == 1 ? "" : "s");
	return 0;
}

/* No format: the one the dump's CPU state pins down, or the one its VMCOREINFO fits. */
static int format_of_dump(struct pt_space *s, char *err, size_t len)
{
	const struct pt_format *f, *found = NULL;
	char names[512] = "";
	const char *want, *why;
	uint64_t reg, root;
	unsigned n = 0;

	if (pt_dump_cpu_root(&s->dump, &reg, &want)) {
		s->fmt = pt_format_find(want);
		if (!s->fmt)
			return space_fail(-PT_EINVAL, err, len, "the dump's CPU uses %s, unknown",
					  want);
		space_note(s, "no format: %s, from CPU 0's paging mode in the dump", want);
		return 0;
	}
	if (!s->dump.machine || !s->dump.vmcoreinfo)
		return space_fail(-PT_EINVAL, err, len,
				  "no format given (the %s says neither its CPU state nor its "
				  "kernel's paging)",
				  pt_dump_kind_name(s->dump.kind));
	for (unsigned i = 0; (f = pt_format_at(i)); i++) {
		if (f->elf_machine != s->dump.machine ||
		    pt_dump_kernel_root(&s->dump, f, &root, &why))
			continue;
		if (strlen(names) + strlen(f->name) + 3 < sizeof(names))
			strcat(strcat(names, n ? ", " : ""), f->name);
		found = f;
		n++;
	}
	if (n > 1)
		return space_fail(-PT_EINVAL, err, len,
				  "no format given: the dump's kernel fits %s", names);
	if (!n)
		return space_fail(-PT_EINVAL, err, len,
				  "no format given (no format of the dump's machine, ELF e_machine "
				  "%u, fits what its VMCOREINFO says)",
				  s->dump.machine);
	space_note(s, "no format: %s, the one format of the dump's machine its VMCOREINFO fits",
		   found->name);
	s->fmt = found;
	return 0;
}

/* A root given as a number: a root register's value, what is not the address dropped. */
static int root_value(struct pt_space *s, const char *what, const char *val, uint64_t *root,
		      char *err, size_t len)
{
	const char *why = "";
	uint64_t reg;

	if (!pt_parse_num(val, &reg))
		return space_fail(-PT_EINVAL, err, len, "%s: bad number '%s'", what, val);
	if (s->fmt->ops.root_of_reg(reg, root, &why))
		return space_fail(-PT_EINVAL, err, len, "%s %s: %s (%s)", what, val, why,
				  s->fmt->name);
	if (*root != reg)
		space_note(s,
			   "%s %s: the root table at 0x%llx (the rest of the %s register value "
			   "ignored)",
			   what, val, (unsigned long long)*root, s->fmt->name);
	return 0;
}

/* root / root1 as `ptkit translate --root / --root1` take them. */
static int choose_roots(struct pt_space *s, const char *root, const char *root1, uint64_t r[2],
			char *err, size_t len)
{
	const bool two = s->fmt->two_roots;
	const bool k0 = root && !strcmp(root, "kernel"), k1 = root1 && !strcmp(root1, "kernel");
	int ret;

	s->trees = SPACE_BOTH;
	if (root1 && !root)
		return space_fail(-PT_EINVAL, err, len, "root1 without root");
	if (!root) {
		ret = root_from_dump(s, &r[0], err, len);
		r[1] = r[0];
		return ret;
	}
	if (k0) {
		if (root1)
			return space_fail(-PT_EINVAL, err, len,
					  "root kernel with root1: give the lower half's root as "
					  "root and root1 kernel");
		if (two)
			s->trees = SPACE_UPPER;
		ret = kernel_root(s, "root kernel", &r[0], err, len);
		r[1] = r[0];
		return ret;
	}
	ret = root_value(s, "root", root, &r[0], err, len);
	if (ret)
		return ret;
	if (!root1) {
		r[1] = r[0];
		if (two)
			s->trees = SPACE_LOWER;
		return 0;
	}
	if (k1 && !two)
		return space_fail(-PT_EINVAL, err, len,
				  "root1 kernel: %s has one root for both halves (root kernel)",
				  s->fmt->name);
	ret = k1 ? kernel_root(s, "root1 kernel", &r[1], err, len)
		 : root_value(s, "root1", root1, &r[1], err, len);
	if (!ret && !two && r[1] != r[0])
		return space_fail(-PT_EINVAL, err, len,
				  "root1 0x%llx: %s has one root for both halves (give root only)",
				  (unsigned long long)r[1], s->fmt->name);
	return ret;
}

static int open_dump(struct pt_space *s, const char *path, const struct pt_format *fmt, bool raw,
		     uint64_t raw_base, const char *root, const char *root1, char *err, size_t len)
{
	uint64_t r[2];
	int ret;

	if (raw && !fmt)
		return space_fail(-PT_EINVAL, err, len,
				  "no format given (a raw image does not say which it is)");
	if (raw && (raw_base & 4095))
		return space_fail(-PT_EINVAL, err, len, "base 0x%llx: not aligned to 4K",
				  (unsigned long long)raw_base);
	ret = pt_dump_open(&s->dump, path, raw, raw_base);
	if (ret)
		return space_fail(ret, err, len, "%s", s->dump.err);
	s->kind = SPACE_DUMP; /* from here on, close closes the dump */
	s->fmt = fmt;
	if (!fmt) {
		ret = format_of_dump(s, err, len);
		if (ret)
			return ret;
	} else if (s->dump.machine && s->dump.machine != fmt->elf_machine) {
		return space_fail(
			-PT_EINVAL, err, len,
			"format %s: the dump is of another architecture (ELF e_machine %u)",
			fmt->name, s->dump.machine);
	}
	pt_mm_attach(&s->mm, s->fmt, s->dump.mem, 0, 0);
	ret = choose_roots(s, root, root1, r, err, len);
	if (ret)
		return ret;
	if (s->trees & SPACE_LOWER)
		ret = space_check_root(s, "root", r[0], err, len);
	if (!ret && (r[1] != r[0] || !(s->trees & SPACE_LOWER)))
		ret = space_check_root(s, root1 ? "root1" : "root", r[1], err, len);
	if (ret)
		return ret;
	pt_mm_attach(&s->mm, s->fmt, s->dump.mem, r[0], r[1]);
	mm_walk_init(&s->st, &s->mm);
	return 0;
}

int pt_space_open_dump(struct pt_space **out, const char *path, const struct pt_format *fmt,
		       bool raw, uint64_t raw_base, const char *root, const char *root1, char *err,
		       size_t len)
{
	struct pt_space *s = space_new(0, err, len); /* a kind once the dump is open */
	int ret;

	*out = NULL;
	if (!s)
		return -PT_ENOMEM;
	ret = open_dump(s, path, fmt, raw, raw_base, root, root1, err, len);
	if (ret) {
		if (s->kind == SPACE_DUMP)
			pt_dump_close(&s->dump);
		free(s);
		return ret;
	}
	*out = s;
	return 0;
}
