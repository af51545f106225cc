/* SPDX-License-Identifier: MIT */
/*
 * ptkit: opening memory dumps (hosted). A file is recognised by its contents, never by its
 * name: an ELF core (QEMU dump-guest-memory, kdump ELF vmcores, /proc/vmcore, /proc/kcore)
 * becomes sparse memory from its PT_LOAD segments (include/ptkit/mem.h, pt_segmem); a
 * kdump-compressed file (makedumpfile, QEMU dump-guest-memory kdump-*), plain or in the
 * flattened form, becomes sparse memory from its bitmaps: pages are decompressed on demand
 * (zlib, lzo, snappy, zstd: each only when ptkit was built with it), and a page the dump
 * excluded (makedumpfile's dump level) is an error naming its PFN, never zeros. Anything
 * else is raw physical memory, and only when the caller says where it starts (--base). A
 * file ptkit cannot read is an error naming what it is, never memory read the wrong way.
 */
#ifndef PTKIT_DUMP_H
#define PTKIT_DUMP_H

#include <stdbool.h>
#include <stddef.h>

#include "format.h"
#include "mem.h"

enum pt_dump_kind {
	PT_DUMP_RAW = 1, /* raw physical memory from a given base */
	PT_DUMP_ELF,	 /* ELF core: PT_LOAD segments at their p_paddr */
	PT_DUMP_KDUMP,	 /* kdump-compressed (makedumpfile, QEMU dump-guest-memory kdump-*) */
	PT_DUMP_FLAT,	 /* its flattened form (makedumpfile -F, QEMU 7.2 dump-guest-memory) */
};

struct pt_dump {
	enum pt_dump_kind kind;
	struct pt_mem *mem;	/* what the walkers read (attach a tree to it) */
	uint64_t segments;	/* ELF: PT_LOAD segments used; kdump: runs of memory PFNs */
	uint64_t skipped;	/* ELF: segments without a physical address, or repeating one */
	const char *vmcoreinfo; /* the VMCOREINFO note's text (not NUL-terminated), or NULL */
	size_t vmcoreinfo_len;
	uint16_t machine; /* the dumped machine's ELF e_machine (EM_X86_64, ...; kdump: from
			     utsname.machine), 0: unknown */
	unsigned cpus;	  /* CPUs whose state the notes give (QEMU's x86 notes) */
	uint64_t cpu_cr3, cpu_cr4; /* the first one's */
	uint64_t pages_read;	   /* kdump: pages read from the file (decompressed) so far */
	char err[256];		   /* why pt_dump_open failed */
	/* private */
	struct pt_mem raw;
	struct pt_segmem seg;
	const uint8_t *map; /* the whole file, when it can be mapped */
	uint64_t map_size;
	int fd;
	char *notes;		/* the PT_NOTE segments (kdump: the note area), copied */
	struct pt_flat *flat;	/* flattened: where each piece of the kdump file is */
	struct pt_kdump *kdump; /* kdump-compressed: bitmaps, page cache */
};

/*
 * Open `path`. ELF and kdump files are recognised by their magic; any other file is raw
 * memory at raw_base when `raw` is set (the caller was told where it starts), and an
 * error otherwise. With `raw` set, a recognised dump is an error too (the dump says where
 * its memory is): the caller's idea of the file is wrong. 0, or a negative PT_E* code with
 * d->err saying what is wrong (a truncated or inconsistent ELF, kdump or flattened file is
 * -PT_EBADENT; a 32-bit machine's kdump file -PT_EINVAL).
 */
int pt_dump_open(struct pt_dump *d, const char *path, bool raw, uint64_t raw_base);
void pt_dump_close(struct pt_dump *d);
/* "raw", "ELF core", "kdump-compressed", "flattened kdump". */
const char *pt_dump_kind_name(enum pt_dump_kind kind);
/*
 * Why the dump's memory cannot give [pa, pa + size) (a table), in words for an error message
 * about its first page that cannot be read ("PFN 0x1234: excluded from the kdump-compressed
 * dump (dump level 31): ...", "PFN 0x1234: zlib data of 812 bytes decompresses to 2048
 * bytes, not a page of 4096 (file offset 0x5000)"): true and buf filled when the dump knows
 * more than "outside memory", false otherwise.
 */
bool pt_dump_explain(const struct pt_dump *d, uint64_t pa, uint64_t size, char *buf, size_t len);
/*
 * The page-table root register of the dump's first CPU, as the notes give it (QEMU's x86
 * CPU state: CR3), with the name of the format it selects (CR4.LA57: "x86_64-la57", else
 * "x86_64"). false when the dump carries no CPU state ptkit reads.
 */
bool pt_dump_cpu_root(const struct pt_dump *d, uint64_t *reg, const char **format);
/*
 * Look `key` up in the VMCOREINFO note ("SYMBOL(swapper_pg_dir)", "NUMBER(phys_base)",
 * "KERNELOFFSET", "PAGESIZE", ...): its value as a number (hex for SYMBOL and KERNELOFFSET,
 * decimal otherwise, as the kernel writes them). false when absent or not a number.
 */
bool pt_dump_vmcoreinfo(const struct pt_dump *d, const char *key, uint64_t *value);

/*
 * The root table of the Linux kernel in the dump, for format fmt, from the VMCOREINFO note
 * (fmt->ops.linux_kernel_root): 0, or -PT_ENOENT when the dump has no VMCOREINFO note or the
 * note lacks a key, another negative PT_E* code when the kernel does not use fmt; *why says
 * which.
 */
int pt_dump_kernel_root(const struct pt_dump *d, const struct pt_format *fmt, uint64_t *root,
			const char **why);

#endif
