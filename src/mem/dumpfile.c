// SPDX-License-Identifier: MIT
/*
 * Memory dumps (include/ptkit/dump.h): recognise the file by its magic, then give the
 * walkers its physical memory — raw files in place, ELF cores as segments (mapped, or read
 * with pread where the file cannot be mapped, as /proc/kcore), kdump-compressed files
 * through kdumpfile.c (the flattened form through flatfile.c's index).
 * ELF facts: the System V ABI (ELF-64 object file format), Linux's <elf.h> note names.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump_internal.h"

int dump_fail(struct pt_dump *d, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->err, sizeof(d->err), fmt, ap);
	va_end(ap);
	return err;
}

bool dump_read_file(const struct pt_dump *d, uint64_t off, void *buf, uint64_t n)
{
	uint8_t *p = buf;

	if (d->map) {
		if (off > d->map_size || d->map_size - off < n)
			return false;
		memcpy(buf, d->map + off, (size_t)n);
		return true;
	}
	while (n) {
		ssize_t got =
			pread(d->fd, p, n > (1u << 30) ? (size_t)1 << 30 : (size_t)n, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return false;
		p += got;
		off += (uint64_t)got;
		n -= (uint64_t)got;
	}
	return true;
}

bool dump_read_at(const struct pt_dump *d, uint64_t off, void *buf, uint64_t n)
{
	return d->flat ? dump_flat_read(d, off, buf, n) : dump_read_file(d, off, buf, n);
}

/* ---- ELF cores ---------------------------------------------------------------------------- */

struct elf_in {
	bool swap; /* the file's byte order is not the host's */
};

static uint16_t e16(const struct elf_in *e, uint16_t v)
{
	return e->swap ? __builtin_bswap16(v) : v;
}
static uint32_t e32(const struct elf_in *e, uint32_t v)
{
	return e->swap ? __builtin_bswap32(v) : v;
}
static uint64_t e64(const struct elf_in *e, uint64_t v)
{
	return e->swap ? __builtin_bswap64(v) : v;
}

/* A segment the file holds as bytes, read with pread (the file cannot be mapped). */
struct file_seg {
	struct pt_dump *d;
	uint64_t pa, off;
};

static int read_file_seg(void *ctx, uint64_t pa, void *buf, uint64_t size)
{
	const struct file_seg *s = ctx;

	return dump_read_at(s->d, s->off + (pa - s->pa), buf, size) ? 0 : -1;
}

/* p_memsz beyond p_filesz: zeros (the ELF ABI's .bss rule, used by some dumpers). */
static int read_zero(void *ctx, uint64_t pa, void *buf, uint64_t size)
{
	(void)ctx;
	(void)pa;
	memset(buf, 0, (size_t)size);
	return 0;
}

/*
 * QEMU's x86 CPU state note ("QEMU", one per CPU; QEMU's target/i386/arch_dump.c): version,
 * size, 16 general registers, rip, rflags, 10 segment descriptors of 24 bytes, then cr[0..4].
 */
#define QEMU_NOTE_CR3 416
#define QEMU_NOTE_CR4 424

void dump_scan_notes(struct pt_dump *d, bool swap, const char *p, uint64_t n)
{
	const struct elf_in ein = { swap }, *e = &ein;
	uint64_t at = 0;

	while (n - at >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr h;
		uint64_t name_sz, desc_sz, desc_at;

		memcpy(&h, p + at, sizeof(h));
		name_sz = e32(e, h.n_namesz);
		desc_sz = e32(e, h.n_descsz);
		desc_at = at + sizeof(h) + ((name_sz + 3) & ~3ull);
		if (desc_at > n || n - desc_at < desc_sz)
			return; /* a truncated note ends the list */
		if (name_sz == sizeof("VMCOREINFO") &&
		    !memcmp(p + at + sizeof(h), "VMCOREINFO", sizeof("VMCOREINFO"))) {
			d->vmcoreinfo = p + desc_at;
			d->vmcoreinfo_len = (size_t)desc_sz;
		}
		if (name_sz == sizeof("QEMU") &&
		    !memcmp(p + at + sizeof(h), "QEMU", sizeof("QEMU")) &&
		    desc_sz >= QEMU_NOTE_CR4 + 8) {
			uint64_t cr3, cr4;

			memcpy(&cr3, p + desc_at + QEMU_NOTE_CR3, 8);
			memcpy(&cr4, p + desc_at + QEMU_NOTE_CR4, 8);
			if (!d->cpus++) {
				d->cpu_cr3 = e64(e, cr3);
				d->cpu_cr4 = e64(e, cr4);
			}
		}
		at = desc_at + ((desc_sz + 3) & ~3ull);
	}
}

static int open_elf(struct pt_dump *d, uint64_t file_size)
{
	unsigned char ident[EI_NIDENT];
	struct elf_in e;
	Elf64_Ehdr eh;
	uint64_t phoff, phnum, phsz, notes = 0;
	int err;

	if (!dump_read_at(d, 0, ident, sizeof(ident)))
		return dump_fail(d, -PT_EBADENT, "truncated ELF header");
	if (ident[EI_CLASS] != ELFCLASS64)
		return dump_fail(d, -PT_EINVAL,
				 "a 32-bit ELF file: ptkit reads 64-bit ELF cores only");
	if (ident[EI_DATA] != ELFDATA2LSB && ident[EI_DATA] != ELFDATA2MSB)
		return dump_fail(d, -PT_EBADENT, "ELF header: unknown byte order %u",
				 ident[EI_DATA]);
	e.swap = (ident[EI_DATA] == ELFDATA2MSB) != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	if (!dump_read_at(d, 0, &eh, sizeof(eh)))
		return dump_fail(d, -PT_EBADENT, "truncated ELF header");
	d->machine = e16(&e, eh.e_machine);
	if (e16(&e, eh.e_type) != ET_CORE)
		return dump_fail(d, -PT_EINVAL, "an ELF file, but not a core dump (e_type %u)",
				 e16(&e, eh.e_type));
	phoff = e64(&e, eh.e_phoff);
	phnum = e16(&e, eh.e_phnum);
	phsz = e16(&e, eh.e_phentsize);
	if (phnum == PN_XNUM) { /* more than 0xfffe headers: the count is in section 0 */
		Elf64_Shdr sh;
		if (!dump_read_at(d, e64(&e, eh.e_shoff), &sh, sizeof(sh)))
			return dump_fail(d, -PT_EBADENT,
					 "ELF: e_phnum is PN_XNUM but section 0 is missing");
		phnum = e32(&e, sh.sh_info);
	}
	if (phsz < sizeof(Elf64_Phdr) || !phnum || phoff > file_size ||
	    (file_size - phoff) / phsz < phnum)
		return dump_fail(d, -PT_EBADENT,
				 "ELF: program headers outside the file (truncated dump?)");
	err = pt_segmem_init(&d->seg);
	if (err)
		return dump_fail(d, err, "out of memory");
	/* Notes first (copied, so they outlive nothing but the dump), then the segments. */
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t i = 0; i < phnum; i++) {
			Elf64_Phdr ph;
			uint64_t off, filesz, memsz, pa;

			if (!dump_read_at(d, phoff + i * phsz, &ph, sizeof(ph)))
				return dump_fail(d, -PT_EBADENT,
						 "ELF: program header %llu unreadable",
						 (unsigned long long)i);
			off = e64(&e, ph.p_offset);
			filesz = e64(&e, ph.p_filesz);
			memsz = e64(&e, ph.p_memsz);
			pa = e64(&e, ph.p_paddr);
			if (pass == 0 && e32(&e, ph.p_type) == PT_NOTE && filesz && !d->notes &&
			    filesz <= (64u << 20)) {
				d->notes = malloc((size_t)filesz);
				if (!d->notes || !dump_read_at(d, off, d->notes, filesz)) {
					free(d->notes);
					d->notes = NULL;
					continue; /* unreadable notes: the memory may still be fine
						   */
				}
				notes = filesz;
				dump_scan_notes(d, e.swap, d->notes, notes);
			}
			if (pass == 0 || e32(&e, ph.p_type) != PT_LOAD || !memsz)
				continue;
			if (off > file_size || file_size - off < filesz)
				return dump_fail(
					d, -PT_EBADENT,
					"ELF: segment %llu (PA 0x%llx) ends past the end of the "
					"file (truncated dump?)",
					(unsigned long long)i, (unsigned long long)pa);
			if (pa == UINT64_MAX || pa + memsz - 1 < pa) { /* kcore: not RAM */
				d->skipped++;
				continue;
			}
			if (filesz) {
				if (d->map) {
					err = pt_segmem_add_bytes(&d->seg, pa, filesz,
								  d->map + off);
				} else {
					struct file_seg *fs = malloc(sizeof(*fs));
					if (!fs)
						return dump_fail(d, -PT_ENOMEM, "out of memory");
					*fs = (struct file_seg){ d, pa, off };
					err = pt_segmem_add_read(&d->seg, pa, filesz, read_file_seg,
								 fs);
					if (err)
						free(fs);
				}
			}
			if (!err && memsz > filesz)
				err = pt_segmem_add_read(&d->seg, pa + filesz, memsz - filesz,
							 read_zero, NULL);
			if (err == -PT_EEXIST) { /* kcore's kernel text repeats RAM */
				d->skipped++;
				continue;
			}
			if (err)
				return dump_fail(d, err, "out of memory");
			d->segments++;
		}
	}
	if (!d->segments)
		return dump_fail(d, -PT_EINVAL,
				 "an ELF core without memory segments (PT_LOAD with a "
				 "physical address)");
	d->mem = &d->seg.mem;
	return 0;
}

/* ---- opening ------------------------------------------------------------------------------ */

const char *pt_dump_kind_name(enum pt_dump_kind kind)
{
	switch (kind) {
	case PT_DUMP_RAW:
		return "raw";
	case PT_DUMP_ELF:
		return "ELF core";
	case PT_DUMP_KDUMP:
		return "kdump-compressed";
	case PT_DUMP_FLAT:
		return "flattened kdump";
	}
	return "?";
}

static enum pt_dump_kind recognise(const uint8_t *head, size_t n)
{
	if (n >= 4 && !memcmp(head, ELFMAG, SELFMAG))
		return PT_DUMP_ELF;
	if (n >= 8 && (!memcmp(head, "KDUMP   ", 8) || !memcmp(head, "DISKDUMP", 8)))
		return PT_DUMP_KDUMP;
	if (n >= 16 && !memcmp(head, "makedumpfile\0\0\0\0", 16))
		return PT_DUMP_FLAT;
	return PT_DUMP_RAW;
}

int pt_dump_open(struct pt_dump *d, const char *path, bool raw, uint64_t raw_base)
{
	uint8_t head[16] = { 0 };
	struct stat st;
	ssize_t got;
	int err;

	memset(d, 0, sizeof(*d));
	d->fd = open(path, O_RDONLY | O_NONBLOCK);
	if (d->fd < 0)
		return dump_fail(d, -PT_EINVAL, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(d->fd, &st) || !S_ISREG(st.st_mode)) {
		err = dump_fail(d, -PT_EINVAL, "'%s' is not a regular file", path);
		goto bad;
	}
	got = pread(d->fd, head, sizeof(head), 0);
	if (got < 0) {
		err = dump_fail(d, -PT_EINVAL, "cannot read '%s': %s", path, strerror(errno));
		goto bad;
	}
	d->kind = recognise(head, (size_t)got);
	if (raw && d->kind != PT_DUMP_RAW) {
		err = dump_fail(
			d, -PT_EINVAL,
			"'%s' is a %s file, not raw memory: drop --base (the dump says where "
			"its memory is)",
			path, pt_dump_kind_name(d->kind));
		goto bad;
	}
	if (!raw && d->kind == PT_DUMP_RAW) {
		err = dump_fail(
			d, -PT_EINVAL,
			"'%s' is not a dump ptkit recognises (ELF core, kdump): if it is raw "
			"physical memory, give --base",
			path);
		goto bad;
	}
	d->map_size = (uint64_t)st.st_size;
	if (d->map_size && d->map_size <= SIZE_MAX) {
		void *p = mmap(NULL, (size_t)d->map_size, PROT_READ, MAP_PRIVATE, d->fd, 0);
		d->map = p == MAP_FAILED ? NULL : p; /* /proc/kcore: read with pread instead */
	}
	if (d->kind == PT_DUMP_RAW) {
		if (!d->map || !d->map_size) {
			err = dump_fail(d, -PT_EINVAL, "'%s' is empty or cannot be mapped", path);
			goto bad;
		}
		if (d->map_size > UINT64_MAX - raw_base) {
			err = dump_fail(d, -PT_ERANGE, "--base 0x%llx: '%s' would end beyond 2^64",
					(unsigned long long)raw_base, path);
			goto bad;
		}
		pt_image_mem(&d->raw, d->map, raw_base, d->map_size);
		d->mem = &d->raw;
		return 0;
	}
	if (d->kind == PT_DUMP_ELF)
		err = open_elf(d, d->map_size);
	else if (d->kind == PT_DUMP_KDUMP || (err = dump_flat_open(d, d->map_size)) == 0)
		err = dump_kdump_open(d, d->flat ? dump_flat_size(d) : d->map_size);
	if (!err)
		return 0;
bad : {
	char why[sizeof(d->err)];
	memcpy(why, d->err, sizeof(why));
	pt_dump_close(d);
	memcpy(d->err, why, sizeof(why));
}
	return err;
}

void pt_dump_close(struct pt_dump *d)
{
	for (size_t i = 0; i < d->seg.nr_segs; i++)
		if (d->seg.segs[i].read == read_file_seg)
			free(d->seg.segs[i].ctx);
	pt_segmem_fini(&d->seg);
	if (d->map)
		munmap((void *)(uintptr_t)d->map, (size_t)d->map_size);
	if (d->fd >= 0)
		close(d->fd);
	free(d->notes);
	dump_kdump_close(d);
	dump_flat_close(d);
	memset(d, 0, sizeof(*d));
	d->fd = -1;
}

bool pt_dump_explain(const struct pt_dump *d, uint64_t pa, uint64_t size, char *buf, size_t len)
{
	return d->kdump && size && dump_kdump_explain(d, pa, size, buf, len);
}

bool pt_dump_cpu_root(const struct pt_dump *d, uint64_t *reg, const char **format)
{
	if (!d->cpus)
		return false;
	*reg = d->cpu_cr3;
	*format = d->cpu_cr4 & (1ull << 12) ? "x86_64-la57" : "x86_64"; /* CR4.LA57 (SDM 2.5) */
	return true;
}

bool pt_dump_vmcoreinfo(const struct pt_dump *d, const char *key, uint64_t *value)
{
	size_t kl = strlen(key);
	const char *p = d->vmcoreinfo, *end = p ? p + d->vmcoreinfo_len : NULL;
	bool hex = !strncmp(key, "SYMBOL(", 7) || !strcmp(key, "KERNELOFFSET");

	while (p && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if ((size_t)(le - p) > kl && !memcmp(p, key, kl) && p[kl] == '=') {
			char num[32], *stop;
			size_t n = (size_t)(le - p) - kl - 1;

			if (!n || n >= sizeof(num))
				return false;
			memcpy(num, p + kl + 1, n);
			num[n] = 0;
			errno = 0;
			*value = strtoull(num, &stop, hex ? 16 : 0);
			return !errno && *stop == 0;
		}
		p = le + 1;
	}
	return false;
}

static bool info_of_dump(const void *ctx, const char *key, uint64_t *value)
{
	return pt_dump_vmcoreinfo(ctx, key, value);
}

int pt_dump_kernel_root(const struct pt_dump *d, const struct pt_format *fmt, uint64_t *root,
			const char **why)
{
	if (!d->vmcoreinfo) {
		*why = "the dump has no VMCOREINFO note";
		return -PT_ENOENT;
	}
	return fmt->ops.linux_kernel_root(info_of_dump, d, root, why);
}
