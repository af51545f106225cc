/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: pt_dump_open on an untrusted file (docs/FUZZING.md). The input is the
 * file itself — an ELF core, a kdump-compressed file or its flattened form (the seeds are
 * small ones of each, fuzz/make_seeds.c) — written to a memfd and opened by its
 * /proc/self/fd path, as the CLI opens a dump. A file pt_dump_open refuses must come with a
 * reason and no memory. One it accepts is read: a few pages across its memory (each page it
 * cannot give explained by pt_dump_explain), its VMCOREINFO looked up, and a walk of up to
 * 512 leaves from the root its CPU notes give (x86_64 at the memory's base otherwise), in
 * the lower half. None may crash, hang or trip a sanitizer.
 */
#define _GNU_SOURCE
#include <ptkit/dump.h>
#include <ptkit/ptkit.h>
#include <ptkit/walk.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_MAX_LEAVES 512

static void bug(const char *what)
{
	fprintf(stderr, "fuzz_dump_file: %s\n", what);
	abort();
}

static void read_some(struct pt_dump *d)
{
	const struct pt_mem *m = d->mem;
	uint8_t buf[4096];
	char why[256];

	for (uint64_t i = 0; i < 16; i++) {
		uint64_t pa = m->base + (m->size ? (i * 0x9e3779b97f4a7c15ull) % m->size : 0);

		pa &= ~4095ull;
		if (pt_segmem_read(&d->seg, pa, buf, sizeof(buf)) &&
		    pt_dump_explain(d, pa, sizeof(buf), why, sizeof(why)) && !why[0])
			bug("an empty explanation");
	}
}

static void walk(struct pt_dump *d)
{
	const struct pt_format *f = pt_format_find("x86_64");
	uint64_t reg = d->mem->base, root;
	const char *name = NULL, *why = "";
	struct mm_walk_state st;
	struct pt_mm mm;
	unsigned n = 0;

	if (pt_dump_cpu_root(d, &reg, &name))
		f = pt_format_find(name);
	if (!f)
		bug("pt_dump_cpu_root named no format");
	if (f->ops.root_of_reg(reg, &root, &why))
		return;
	pt_mm_attach(&mm, f, d->mem, root & ~4095ull, root & ~4095ull);
	mm_walk_init(&st, &mm);
	for_each_pt_leaf (&st, &mm, f->half_base[0], f->half_base[0] + (1ull << f->half_bits))
		if (++n >= FUZZ_MAX_LEAVES)
			break;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct pt_dump d;
	uint64_t v;

	if (fd < 0) {
		fd = memfd_create("fuzz_dump_file", 0);
		if (fd < 0)
			bug("memfd_create failed");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		bug("cannot write the input to the memfd");
	if (pt_dump_open(&d, path, false, 0)) {
		if (!d.err[0] || d.mem)
			bug("a refusal without a reason, or with memory");
		return 0;
	}
	read_some(&d);
	pt_dump_vmcoreinfo(&d, "SYMBOL(swapper_pg_dir)", &v);
	walk(&d);
	pt_dump_close(&d);
	return 0;
}
