// SPDX-License-Identifier: MIT
/*
 * Dump files (src/mem/dumpfile.c) on every format: a random tree is written as an ELF core
 * — PT_LOAD segments for the parts of the arena that hold tables, holes between them, a
 * segment without a physical address and one repeating another (as /proc/kcore has), one
 * whose p_memsz runs past its file data, and a VMCOREINFO note — and every translation
 * through pt_dump_open's memory must equal the one over the raw arena. Then what must be
 * refused is: a truncated core, a 32-bit or non-core ELF file, kdump-compressed and
 * flattened files whose headers are zeros (tests/test_kdumpfile.c reads real ones), raw
 * memory without a base and a dump given a base, each with an error that names it. With the
 * CLI built (PTKIT_CLI), `ptkit translate` on the ELF core must print what it prints for the
 * raw image (on ppc64 radix also with the roots found through the partition and process
 * tables in the core: --ptcr), and refuse the core given --base.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image_tree.h"
#include "ptkit/dump.h"

#define ARENA_BASE 0x80000000ull
#define ARENA_SIZE (16ull << 20)
#define PIECE (64ull << 10)
#define NMAPS 200
#define NVA 3000
#define PTCR_PID 5 /* ppc64: the process whose tree is root[0] */

static char dir[] = "/tmp/ptkit-dumpfile.XXXXXX";

struct elf_out {
	FILE *f;
	bool swap;
};

static uint16_t o16(const struct elf_out *o, uint16_t v)
{
	return o->swap ? __builtin_bswap16(v) : v;
}
static uint32_t o32(const struct elf_out *o, uint32_t v)
{
	return o->swap ? __builtin_bswap32(v) : v;
}
static uint64_t o64(const struct elf_out *o, uint64_t v)
{
	return o->swap ? __builtin_bswap64(v) : v;
}

struct seg {
	uint64_t pa, filesz, memsz;
	const uint8_t *data;
};

static const char vmcoreinfo[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"
				 "SYMBOL(swapper_pg_dir)=ffffffff82a0a000\n"
				 "NUMBER(phys_base)=16777216\nKERNELOFFSET=1a000000\n"
				 "NUMBER(PHYS_OFFSET)=0x40000000\n";

/* The VMCOREINFO note write_core writes, and the ELF e_machine of the core. */
static const char *note_text = vmcoreinfo;
static uint16_t core_machine = EM_X86_64;

/* When set, write_core adds QEMU's x86 CPU state note (CR3 at 416, CR4 at 424) with these. */
static bool qemu_note;
static uint64_t qemu_cr3, qemu_cr4;

/* An ELF core of segs (p_paddr UINT64_MAX: a segment without one) and a VMCOREINFO note. */
static void write_core(const char *path, const struct seg *segs, int n, bool swap, uint16_t type,
		       uint64_t cut)
{
	struct elf_out o = { fopen(path, "wb"), swap };
	const uint64_t le = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
	Elf64_Ehdr eh = { 0 };
	const size_t note_len = strlen(note_text);
	Elf64_Nhdr nh = { o32(&o, sizeof("VMCOREINFO")), o32(&o, (uint32_t)note_len), 0 };
	Elf64_Nhdr qh = { o32(&o, sizeof("QEMU")), o32(&o, 440), 0 };
	uint8_t qdesc[440] = { 0 };
	uint64_t note_sz = sizeof(nh) + 12 + ((note_len + 3) & ~3ull) +
			   (qemu_note ? sizeof(qh) + 8 + sizeof(qdesc) : 0);
	uint64_t off = sizeof(eh) + (uint64_t)(n + 1) * sizeof(Elf64_Phdr);
	uint64_t data_at = (off + note_sz + 4095) & ~4095ull;

	if (!CHECK(o.f))
		return;
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = (le != swap) ? ELFDATA2LSB : ELFDATA2MSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = o16(&o, type);
	eh.e_machine = o16(&o, core_machine);
	eh.e_version = o32(&o, EV_CURRENT);
	eh.e_phoff = o64(&o, sizeof(eh));
	eh.e_ehsize = o16(&o, sizeof(eh));
	eh.e_phentsize = o16(&o, sizeof(Elf64_Phdr));
	eh.e_phnum = o16(&o, (uint16_t)(n + 1));
	fwrite(&eh, sizeof(eh), 1, o.f);
	Elf64_Phdr note = { .p_type = o32(&o, PT_NOTE),
			    .p_offset = o64(&o, off),
			    .p_filesz = o64(&o, note_sz) };
	fwrite(&note, sizeof(note), 1, o.f);
	for (int i = 0, at = 0; i < n; i++) {
		Elf64_Phdr ph = { .p_type = o32(&o, PT_LOAD),
				  .p_offset = o64(&o, data_at + (uint64_t)at),
				  .p_paddr = o64(&o, segs[i].pa),
				  .p_filesz = o64(&o, segs[i].filesz),
				  .p_memsz = o64(&o, segs[i].memsz) };
		fwrite(&ph, sizeof(ph), 1, o.f);
		at += (int)segs[i].filesz;
	}
	fwrite(&nh, sizeof(nh), 1, o.f);
	fwrite("VMCOREINFO\0\0", 12, 1, o.f);
	fwrite(note_text, note_len, 1, o.f);
	for (size_t k = note_len; k & 3; k++)
		fputc(0, o.f);
	if (qemu_note) {
		uint64_t cr3 = o64(&o, qemu_cr3), cr4 = o64(&o, qemu_cr4);

		memcpy(qdesc + 416, &cr3, 8);
		memcpy(qdesc + 424, &cr4, 8);
		fwrite(&qh, sizeof(qh), 1, o.f);
		fwrite("QEMU\0\0\0\0", 8, 1, o.f);
		fwrite(qdesc, sizeof(qdesc), 1, o.f);
	}
	fseek(o.f, (long)data_at, SEEK_SET);
	for (int i = 0; i < n; i++)
		fwrite(segs[i].data, 1, segs[i].filesz, o.f);
	fclose(o.f);
	if (cut && truncate(path, (off_t)cut))
		CHECK(!"truncate");
}

static bool piece_used(const uint8_t *p)
{
	for (uint64_t i = 0; i < PIECE; i++)
		if (p[i])
			return true;
	return false;
}

/* The arena's runs of used pieces as segments, plus the kcore-like extras. */
static int arena_segs(const struct pt_arena *a, struct seg *segs, int max)
{
	int n = 0;

	for (uint64_t off = 0; off < ARENA_SIZE && n < max - 3; off += PIECE) {
		if (!piece_used(a->mem.bytes + off))
			continue;
		if (n && segs[n - 1].pa + segs[n - 1].filesz == ARENA_BASE + off) {
			segs[n - 1].filesz += PIECE;
			segs[n - 1].memsz += PIECE;
			continue;
		}
		segs[n++] = (struct seg){ ARENA_BASE + off, PIECE, PIECE, a->mem.bytes + off };
	}
	/* No physical address (kcore's vmalloc); a repeat of the first (kcore's text). */
	segs[n++] = (struct seg){ UINT64_MAX, PIECE, PIECE, a->mem.bytes };
	segs[n] = segs[0];
	segs[n++].filesz = segs[0].filesz < PIECE ? segs[0].filesz : PIECE;
	segs[n - 1].memsz = segs[n - 1].filesz;
	/* Past the arena: file data, then zeros to the end of p_memsz. */
	segs[n++] = (struct seg){ ARENA_BASE + ARENA_SIZE, 4096, 3 * 4096, a->mem.bytes };
	return n;
}

static void translate_same(struct pt_mm *want, struct pt_mm *got, const struct it_recs *leaves)
{
	for (int i = 0; i < NVA; i++) {
		uint64_t va = it_random_va(want->fmt, leaves);
		struct pt_translation t1, t2;
		int e1 = pt_translate(want, va, &t1), e2 = pt_translate(got, va, &t2);

		if (!CHECK_EQ(e1, e2) || (!e1 && !CHECK_EQ(t1.pa, t2.pa)))
			return;
	}
}

static void expect_refused(const char *path, bool raw, int err, const char *needle)
{
	struct pt_dump d;
	int e = pt_dump_open(&d, path, raw, ARENA_BASE);

	CHECK_EQ(e, err);
	if (!CHECK(strstr(d.err, needle)))
		fprintf(stderr, "  error was: %s\n", d.err);
	CHECK(!d.mem);
}

#ifdef PTKIT_CLI
#include "cli_translate.h"

static char *cli_translate(const struct pt_mm *mm, const char *args, const struct it_recs *leaves,
			   unsigned how)
{
	return cli_translate_leaves(mm, args, leaves, how, "/dev/null");
}

static void test_cli(const struct pt_mm *mm, const char *raw, const char *core,
		     const struct it_recs *leaves, uint64_t ptcr)
{
	char args[512], *a, *b;

	snprintf(args, sizeof(args), "--image %s --base 0x%llx", raw,
		 (unsigned long long)ARENA_BASE);
	a = cli_translate(mm, args, leaves, TR_ROOTS);
	if (!CHECK(a))
		return;
	a = strdup(a);
	snprintf(args, sizeof(args), "--image %s", core);
	b = cli_translate(mm, args, leaves, TR_ROOTS);
	if (CHECK(b))
		CHECK(!strcmp(a, b));
	/* Without --root: x86 cores carry CPU 0's CR3 (QEMU's note), the others nothing. */
	b = cli_translate(mm, args, leaves, 0);
	if (!strncmp(mm->fmt->name, "x86_64", 6) && CHECK(b))
		CHECK(!strcmp(a, b));
	else if (strncmp(mm->fmt->name, "x86_64", 6))
		CHECK(!b);
	/* ppc64: both roots through the partition and process tables in the core. */
	if (ptcr) {
		snprintf(args, sizeof(args), "--image %s --ptcr 0x%llx --pid %d", core,
			 (unsigned long long)ptcr, PTCR_PID);
		b = cli_translate(mm, args, leaves, 0);
		if (CHECK(b))
			CHECK(!strcmp(a, b));
	}
	free(a);
	snprintf(args, sizeof(args), "--image %s --base 0", core); /* the 2024 misreading */
	CHECK(!cli_translate(mm, args, leaves, TR_ROOTS));
}
#endif

/*
 * ppc64 radix: a partition table (entry 0, HR) and a process table (PID 0: root1, PID
 * PTCR_PID: root) in the arena, as Linux lays them out; the PTCR value, or 0 on failure.
 */
static uint64_t ppc_tables(struct pt_arena *a, const struct pt_mm *mm)
{
	const uint64_t rts52 = (2ull << 61) | (5ull << 5), rpds = mm->fmt->index_bits[3];
	uint64_t patb, prtb, e[4];

	if (!CHECK_EQ(a->mem.alloc(&a->mem, 4096, &patb), 0) ||
	    !CHECK_EQ(a->mem.alloc(&a->mem, 4096, &prtb), 0))
		return 0;
	e[0] = (1ull << 63) | rts52 | mm->root[1] | rpds;
	e[1] = prtb;
	e[2] = rts52 | mm->root[1] | rpds;
	e[3] = rts52 | mm->root[0] | rpds;
	for (int i = 0; i < 8; i++) {
		uint8_t *base = a->mem.bytes - a->mem.base;
		int sh = 56 - 8 * i;

		base[patb + (uint64_t)i] = (uint8_t)(e[0] >> sh);
		base[patb + 8 + (uint64_t)i] = (uint8_t)(e[1] >> sh);
		base[prtb + (uint64_t)i] = (uint8_t)(e[2] >> sh);
		base[prtb + 16 * PTCR_PID + (uint64_t)i] = (uint8_t)(e[3] >> sh);
	}
	return patb;
}

/*
 * The VMCOREINFO a Linux kernel using f would write, its swapper_pg_dir being the tree's
 * kernel root (the upper half's in a two-root format), as each architecture's
 * arch_crash_save_vmcoreinfo words it. without: a key left out ("" for none).
 */
static void linux_note(const struct pt_format *f, const struct pt_mm *mm, const char *without,
		       char *buf, size_t n)
{
	const uint64_t root = mm->root[f->two_roots], page = 1ull << f->shift[0];
	const uint64_t image = 0xffffffff80000000ull, voff = 0xffff7fff88000000ull;
	int len =
		snprintf(buf, n, "OSRELEASE=6.1.0-test\nPAGESIZE=%llu\n", (unsigned long long)page);

	switch (f->elf_machine) {
	case EM_X86_64: /* phys_base: the image loaded 16M below the root's page */
		len += snprintf(buf + len, n - (size_t)len,
				"SYMBOL(swapper_pg_dir)=%llx\nSYMBOL(init_top_pgt)=%llx\n"
				"NUMBER(phys_base)=%llu\nNUMBER(pgtable_l5_enabled)=%d\n"
				"KERNELOFFSET=1a000000\n",
				(unsigned long long)(image + (16u << 20)),
				(unsigned long long)(image + (16u << 20)),
				(unsigned long long)(root - (16u << 20)), f->levels == 5);
		break;
	case EM_AARCH64:
		len += snprintf(buf + len, n - (size_t)len,
				"SYMBOL(swapper_pg_dir)=%llx\nNUMBER(VA_BITS)=%d\n"
				"NUMBER(kimage_voffset)=0x%llx\nNUMBER(PHYS_OFFSET)=0x40000000\n"
				"NUMBER(TCR_EL1_T1SZ)=0x%x\n",
				(unsigned long long)(root + voff), f->va_bits,
				(unsigned long long)voff, 64 - f->va_bits);
		break;
	case EM_RISCV:
		len += snprintf(buf + len, n - (size_t)len,
				"SYMBOL(swapper_pg_dir)=%llx\nNUMBER(va_kernel_pa_offset)=0x%llx\n",
				(unsigned long long)(root + voff), (unsigned long long)voff);
		break;
	case EM_PPC64:
		len += snprintf(buf + len, n - (size_t)len,
				"SYMBOL(swapper_pg_dir)=%llx\nNUMBER(RADIX_MMU)=1\n",
				(unsigned long long)(0xc000000000000000ull + root));
		break;
	}
	/* Leave the key out: its line goes. */
	for (char *k; *without && (k = strstr(buf, without));) {
		char *nl = strchr(k, '\n');
		memmove(k, nl + 1, strlen(nl + 1) + 1);
	}
}

/* The kernel's root from VMCOREINFO: found for f, refused (by name) for its siblings. */
static void test_kernel_root(const struct pt_format *f, const struct pt_mm *built,
			     const struct seg *segs, int n, const struct it_recs *leaves)
{
	char path[160], text[1024], args[256];
	const char *why = "";
	struct pt_dump d;
	uint64_t root = 0;
	unsigned fit = 0;

	snprintf(path, sizeof(path), "%s/%s.vmcore", dir, f->name);
	linux_note(f, built, "", text, sizeof(text));
	note_text = text;
	write_core(path, segs, n, false, ET_CORE, 0);
	if (!CHECK_EQ(pt_dump_open(&d, path, false, 0), 0))
		goto out;
	CHECK_EQ(d.machine, f->elf_machine);
	if (CHECK_EQ(pt_dump_kernel_root(&d, f, &root, &why), 0))
		CHECK_EQ(root, built->root[f->two_roots]);
	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *g = pt_format_at(i);
		uint64_t r;

		if (g->elf_machine != f->elf_machine)
			continue;
		why = NULL;
		if (!pt_dump_kernel_root(&d, g, &r, &why))
			fit++;
		else
			CHECK(why && *why);
	}
	/* The note pins the format down, but for riscv, whose kernel does not say its mode. */
	CHECK_EQ(fit, f->elf_machine == EM_RISCV ? 3u : 1u);
	pt_dump_close(&d);

	/* Without the symbol: no root, and the key named. */
	linux_note(f, built, "SYMBOL(swapper_pg_dir)", text, sizeof(text));
	if (f->elf_machine == EM_X86_64) /* x86 falls back to init_top_pgt: drop that too */
		linux_note(f, built, "SYMBOL(", text, sizeof(text));
	write_core(path, segs, n, false, ET_CORE, 0);
	if (CHECK_EQ(pt_dump_open(&d, path, false, 0), 0)) {
		CHECK_EQ(pt_dump_kernel_root(&d, f, &root, &why), -PT_ENOENT);
		CHECK(strstr(why, "swapper_pg_dir"));
		pt_dump_close(&d);
	}
#ifdef PTKIT_CLI
	/* The CLI: no --root (and no --format where the note pins it) is the kernel's tree. */
	linux_note(f, built, "", text, sizeof(text));
	write_core(path, segs, n, false, ET_CORE, 0);
	{
		char *want, *got, *w, *g;

		snprintf(args, sizeof(args), "--core %s", path);
		want = cli_translate(built, args, leaves, TR_ROOTS);
		if (!CHECK(want))
			goto out;
		want = strdup(want);
		got = cli_translate(built, args, leaves,
				    f->elf_machine == EM_RISCV ? 0 : TR_NO_FORMAT);
		if (!CHECK(got))
			goto free_want;
		/* Line by line: a two-root format's lower half has no tree now (it faults). */
		for (w = want, g = got; *w && *g;) {
			size_t wl = strcspn(w, "\n"), gl = strcspn(g, "\n");
			unsigned long long va = strtoull(w, NULL, 16);

			if (f->two_roots && va < f->half_base[1])
				CHECK(strstr(g, " fault ") && strstr(g, " fault ") < g + gl);
			else if (!CHECK(wl == gl && !memcmp(w, g, wl)))
				fprintf(stderr, "  want %.*s\n  got  %.*s\n", (int)wl, w, (int)gl,
					g);
			w += wl + (w[wl] == '\n');
			g += gl + (g[gl] == '\n');
		}
		CHECK(!*w && !*g);
		if (f->two_roots) { /* --root1 kernel with the lower root: both trees again */
			snprintf(args, sizeof(args), "--core %s --root 0x%llx --root1 kernel", path,
				 (unsigned long long)built->root[0]);
			got = cli_translate(built, args, leaves, 0);
			if (CHECK(got))
				CHECK(!strcmp(got, want));
		}
free_want:
		free(want);
	}
#endif
out:
	note_text = vmcoreinfo;
	if (getenv("PTKIT_KEEP"))
		fprintf(stderr, "kept %s\n", path);
	else
		unlink(path);
}

static void test_format(const struct pt_format *f, bool swap)
{
	char core[128], raw[128];
	struct pt_arena a;
	struct pt_mm built, img, dm;
	struct pt_mem image;
	struct pt_dump d;
	struct it_recs leaves = { 0 }, got = { 0 };
	struct seg segs[64];
	uint64_t ptcr = 0;
	int n;

	if (!CHECK_EQ(pt_arena_init(&a, ARENA_BASE, ARENA_SIZE), 0))
		return;
	if (!CHECK_EQ(pt_mm_init(&built, f, &a.mem), 0))
		goto out;
	CHECK(it_populate(&built, NMAPS) >= 20);
	pt_image_mem(&image, a.mem.bytes, ARENA_BASE, ARENA_SIZE);
	pt_mm_attach(&img, f, &image, built.root[0], built.root[1]);
	it_walk_all(&img, &leaves);

	if (!strncmp(f->name, "ppc64", 5))
		ptcr = ppc_tables(&a, &built);
	snprintf(core, sizeof(core), "%s/%s.core", dir, f->name);
	n = arena_segs(&a, segs, 64);
	/* x86: the CPU state of QEMU's notes, CR3 with a PCID, CR4.LA57 as the format is. */
	qemu_note = !strncmp(f->name, "x86_64", 6);
	core_machine = f->elf_machine;
	qemu_cr3 = built.root[0] | 0x5;
	qemu_cr4 = f->levels == 5 ? 1ull << 12 : 0;
	write_core(core, segs, n, swap, ET_CORE, 0);
	qemu_note = false;
	if (!CHECK_EQ(pt_dump_open(&d, core, false, 0), 0)) {
		fprintf(stderr, "  %s\n", d.err);
		goto out;
	}
	CHECK_EQ(d.kind, PT_DUMP_ELF);
	CHECK_EQ(d.segments, (uint64_t)n - 2);
	CHECK_EQ(d.skipped, 2);
	{
		uint64_t reg = 0;
		const char *name = NULL;
		bool has = pt_dump_cpu_root(&d, &reg, &name);

		CHECK_EQ(has, !strncmp(f->name, "x86_64", 6));
		if (has)
			CHECK(reg == (built.root[0] | 0x5) && !strcmp(name, f->name));
	}
	pt_mm_attach(&dm, f, d.mem, built.root[0], built.root[1]);
	it_walk_all(&dm, &got);
	if (CHECK_EQ(got.n, leaves.n))
		for (size_t i = 0; i < got.n; i++)
			if (!CHECK(it_same(&got.r[i], &leaves.r[i])))
				break;
	translate_same(&img, &dm, &leaves);
	{
		uint8_t tail[3 * 4096], zeros[2 * 4096] = { 0 };
		CHECK_EQ(pt_segmem_read(&d.seg, ARENA_BASE + ARENA_SIZE, tail, sizeof(tail)), 0);
		CHECK(!memcmp(tail, a.mem.bytes, 4096) && !memcmp(tail + 4096, zeros, 8192));
		CHECK_EQ(pt_segmem_read(&d.seg, ARENA_BASE + ARENA_SIZE + 3 * 4096, tail, 1),
			 -PT_EFAULT);
	}
	{
		uint64_t v = 0;
		CHECK(pt_dump_vmcoreinfo(&d, "SYMBOL(swapper_pg_dir)", &v) &&
		      v == 0xffffffff82a0a000ull);
		CHECK(pt_dump_vmcoreinfo(&d, "NUMBER(phys_base)", &v) && v == 16777216);
		CHECK(pt_dump_vmcoreinfo(&d, "KERNELOFFSET", &v) && v == 0x1a000000);
		CHECK(pt_dump_vmcoreinfo(&d, "NUMBER(PHYS_OFFSET)", &v) && v == 0x40000000);
		CHECK(!pt_dump_vmcoreinfo(&d, "SYMBOL(init_top_pgt)", &v));
		CHECK(!pt_dump_vmcoreinfo(&d, "OSRELEASE", &v)); /* not a number */
	}
	pt_dump_close(&d);

	snprintf(raw, sizeof(raw), "%s/%s.raw", dir, f->name);
	{
		FILE *r = fopen(raw, "wb");
		if (CHECK(r)) {
			fwrite(a.mem.bytes, 1, ARENA_SIZE, r);
			fclose(r);
		}
	}
#ifdef PTKIT_CLI
	if (!swap)
		test_cli(&built, raw, core, &leaves, ptcr);
#endif
	if (!swap)
		test_kernel_root(f, &built, segs, n, &leaves);
	unlink(core);
	unlink(raw);
out:
	free(leaves.r);
	free(got.r);
	pt_arena_fini(&a);
}

static void write_file(const char *path, const void *head, size_t n, size_t total)
{
	FILE *f = fopen(path, "wb");

	if (!CHECK(f))
		return;
	fwrite(head, 1, n, f);
	for (size_t i = n; i < total; i++)
		fputc(0, f);
	fclose(f);
}

static void test_refused(void)
{
	static uint8_t mem[3 * PIECE];
	struct seg segs[2] = { { ARENA_BASE, PIECE, PIECE, mem },
			       { ARENA_BASE + 2 * PIECE, PIECE, PIECE, mem + PIECE } };
	char p[160];
	uint8_t head[64] = { 0 };

	snprintf(p, sizeof(p), "%s/cut.core", dir);
	write_core(p, segs, 2, false, ET_CORE, 4096 + PIECE + 100);
	expect_refused(p, false, -PT_EBADENT, "truncated");
	write_core(p, segs, 2, false, ET_EXEC, 0);
	expect_refused(p, false, -PT_EINVAL, "not a core dump");
	write_core(p, segs, 2, false, ET_CORE, 0);
	expect_refused(p, true, -PT_EINVAL, "drop --base");
	{
		struct pt_dump d;
		if (CHECK_EQ(pt_dump_open(&d, p, false, 0), 0)) {
			uint8_t b;
			CHECK_EQ(pt_segmem_read(&d.seg, ARENA_BASE + PIECE, &b, 1), -PT_EFAULT);
			CHECK(d.mem->table(d.mem, ARENA_BASE + PIECE - 4096, 8192) == NULL);
			CHECK(d.mem->table(d.mem, ARENA_BASE, 4096) != NULL);
			pt_dump_close(&d);
		}
	}
	write_core(p, segs, 0, false, ET_CORE, 0);
	expect_refused(p, false, -PT_EINVAL, "without memory segments");

	memcpy(head, ELFMAG, SELFMAG);
	head[EI_CLASS] = ELFCLASS32;
	write_file(p, head, sizeof(head), 4096);
	expect_refused(p, false, -PT_EINVAL, "32-bit");
	write_file(p, "KDUMP   ", 8, 8192);
	expect_refused(p, false, -PT_EBADENT, "kdump-compressed: header_version 0x0");
	write_file(p, "DISKDUMP", 8, 8192);
	expect_refused(p, false, -PT_EBADENT, "kdump-compressed: header_version 0x0");
	write_file(p, "makedumpfile\0\0\0\0", 16, 8192);
	expect_refused(p, false, -PT_EBADENT, "flattened kdump: header type 0 version 0");
	write_file(p, "\x01\x02", 2, 8192);
	expect_refused(p, false, -PT_EINVAL, "give --base");
	{
		struct pt_dump d;
		if (CHECK_EQ(pt_dump_open(&d, p, true, 0x1000), 0)) {
			CHECK_EQ(d.kind, PT_DUMP_RAW);
			CHECK_EQ(d.mem->base, 0x1000);
			CHECK_EQ(d.mem->size, 8192);
			pt_dump_close(&d);
		}
	}
	unlink(p);
	snprintf(p, sizeof(p), "%s/missing", dir);
	expect_refused(p, true, -PT_EINVAL, "cannot open");
	expect_refused(dir, true, -PT_EINVAL, "not a regular file");
}

int main(void)
{
	if (!CHECK(mkdtemp(dir)))
		return CHECK_DONE();
	for (unsigned i = 0; pt_format_at(i); i++) {
		int failed = check_failures;

		test_format(pt_format_at(i), false);
		if (check_failures != failed)
			fprintf(stderr, "  ^ %s\n", pt_format_at(i)->name);
	}
	test_format(pt_format_find("x86_64"), true); /* a big-endian ELF header */
	test_refused();
	rmdir(dir);
	return CHECK_DONE();
}
