/* SPDX-License-Identifier: MIT */
/* ptkit: MMU formats, looked up at run time by name. */
#ifndef PTKIT_FORMAT_H
#define PTKIT_FORMAT_H

#include "types.h"

struct mm_walk_state;
struct pt_gather;
struct pt_translation;
struct pt_map_req;
struct mm_walk_ops;

/* Decoded entry: what pt_format_decode() reports. */
struct pt_entry_info {
	enum pt_entry_kind kind;
	uint64_t pa;	 /* next table (TABLE) or output address (LEAF) */
	uint32_t prot;	 /* PT_* bits the entry grants on its own (LEAF) or allows (TABLE) */
	uint32_t pkey;	 /* protection key (x86), 0 where the format has none */
	uint32_t contig; /* entries in this leaf's contiguous / NAPOT group, 1 if none */
	const char *why; /* PT_ENTRY_BAD: which reserved encoding */
};

/* Read n bytes of physical memory at pa into buf: 0, or -1 where the memory has none. */
typedef int (*pt_phys_read_fn)(void *ctx, uint64_t pa, void *buf, uint64_t n);

/* Where a table register led (pt_format_ops.roots_of_table_reg). */
struct pt_table_roots {
	uint64_t root[2];	/* the lower half's tree (the PID's), the upper half's (PID 0's) */
	uint64_t entry_pa[2];	/* the process-table entries they came from */
	uint64_t part_entry_pa; /* the partition-table entry read */
	uint64_t proc_table_pa; /* the process table */
	uint64_t proc_table_count; /* its entries */
	uint64_t entry[2];	   /* their doublewords 0 */
	int failed; /* on an error: 1 in the PID's entry, 2 in PID 0's, 0 before them */
};

/* A CPU register by name (QEMU gdbstub names: "cr3", "TTBR0_EL1", "satp", "ptcr"): its value
 * in *value, or false when the CPU state has no such register. */
typedef bool (*pt_reg_fn)(void *ctx, const char *name, uint64_t *value);

/* Where a CPU's registers put the roots (pt_format_ops.roots_of_cpu). */
struct pt_cpu_roots {
	uint64_t root[2];    /* the lower half's root, the upper half's (two-root formats) */
	unsigned halves;     /* bit 0: the lower half is translated (root[0]), bit 1: the upper */
	const char *missing; /* on an error: the register that is not available, else NULL */
	char how[96];	     /* the registers the roots came from: "CR3 0x1000" */
	char regs[224];	     /* every register read and what its fields select, for messages */
};

/*
 * Per-format entry points, all generated from the same generic source specialised at
 * compile time for one format. The public functions in walk.h and ops.h dispatch here.
 */
struct pt_format_ops {
	bool (*seek)(struct mm_walk_state *st, struct pt_mm *mm, uint64_t va);
	bool (*next_leaf)(struct mm_walk_state *st, uint64_t end);
	int (*walk_range)(struct pt_mm *mm, uint64_t start, uint64_t end,
			  const struct mm_walk_ops *ops, void *priv);
	int (*map)(struct pt_mm *mm, const struct pt_map_req *req, struct pt_gather *g);
	int (*unmap)(struct pt_mm *mm, uint64_t va, uint64_t size, struct pt_gather *g);
	int (*protect)(struct pt_mm *mm, uint64_t va, uint64_t size, uint32_t prot,
		       struct pt_gather *g);
	int (*translate)(struct pt_mm *mm, uint64_t va, struct pt_translation *tr);
	void (*decode)(uint64_t entry, int level, struct pt_entry_info *info);
	uint32_t (*leaf_prot)(uint64_t entry, int level); /* PT_* bits of a leaf entry */
	int (*encode_leaf)(uint64_t pa, int level, uint32_t prot, uint64_t *entry);
	/* Leaf entry with young / dirty (PT_YOUNG | PT_DIRTY) as in want, the rest kept. */
	uint64_t (*leaf_set_ad)(uint64_t entry, int level, uint32_t want);
	uint64_t (*encode_table)(uint64_t pa, int level);
	/*
	 * The root table's physical address in a value of the format's root register (x86 CR3,
	 * arm64 TTBRn_EL1, riscv satp, a ppc64 process-table entry): the bits that are not the
	 * address (PCID, ASID, MODE, sizes) are dropped or checked. 0, or a negative PT_E* code
	 * with *why saying what does not fit the format.
	 */
	int (*root_of_reg)(uint64_t reg, uint64_t *root, const char **why);
	/*
	 * Both roots from a register that points at tables of roots rather than at a tree
	 * (ppc64 PTCR: partition table, entry `lpid`, then its process table, entries `pid`
	 * and 0), the tables read through read(ctx, ...). 0, or a negative PT_E* code with
	 * *why saying what is wrong; formats without such a register answer -PT_EINVAL "not
	 * supported by this format".
	 */
	int (*roots_of_table_reg)(uint64_t reg, uint64_t lpid, uint64_t pid, pt_phys_read_fn read,
				  void *ctx, struct pt_table_roots *out, const char **why);
	/*
	 * The root table of a Linux kernel that uses this format, from what its VMCOREINFO note
	 * says (info answers keys such as "SYMBOL(swapper_pg_dir)"): swapper_pg_dir's physical
	 * address, after checking that the kernel's paging is this format's (levels, VA size,
	 * radix). A two-root format's kernel root is its upper half's. 0, or a negative PT_E*
	 * code with *why naming the missing key or the mismatch.
	 */
	int (*linux_kernel_root)(pt_info_fn info, const void *ctx, uint64_t *root,
				 const char **why);
	/*
	 * Whether a CPU translates with this format, from its registers read through
	 * reg(ctx, ...) (and, for tables of roots, memory through read(rctx, ...)): 0 with the
	 * roots in *out; -PT_EINVAL: the registers select another format; -PT_ENOENT:
	 * translation is off, or out->missing names a register that is not available; another
	 * negative PT_E* code when the tables of roots are wrong. *why says which field of which
	 * register decided; out->regs holds the values read. Formats a register cannot tell
	 * apart (ppc64 radix 4K / 64K pages) all answer 0.
	 */
	int (*roots_of_cpu)(pt_reg_fn reg, void *ctx, pt_phys_read_fn read, void *rctx,
			    struct pt_cpu_roots *out, const char **why);
	/*
	 * The memory attribute register a leaf's memory type goes through (x86 IA32_PAT,
	 * arm64 MAIR_EL1): its name, with the value ptkit's own leaves assume in *own; NULL for
	 * a format whose leaves hold their memory type themselves (riscv Svpbmt, ppc64 ATT).
	 */
	const char *(*mem_attr_reg)(uint64_t *own);
	/*
	 * A leaf's memory type (PT_DEVICE, PT_NOCACHE or 0: normal cacheable) when the memory
	 * attribute register holds attr (ignored by formats without one). With attr = *own of
	 * mem_attr_reg, the type leaf_prot reports.
	 */
	uint32_t (*leaf_mem_type)(uint64_t entry, int level, uint64_t attr);
};

/* A hardware page-table format. Level 0 holds the smallest pages; the root is levels-1. */
struct pt_format {
	const char *name;
	const char *description;
	int levels;
	int va_bits;	/* bits translated per half */
	int pa_bits;	/* output address limit */
	int entry_size; /* bytes */
	bool big_endian;
	uint16_t elf_machine; /* the architecture's ELF e_machine (EM_X86_64, EM_AARCH64, ...) */
	bool two_roots;	      /* separate root for the upper half (arm64 TTBR1, ppc64 quadrant 3) */
	bool bbm; /* a leaf <-> table change of a live entry needs break-before-make (FMT_BBM) */
	uint64_t page_sizes;   /* bit n set: 2^n-byte leaves exist (contiguous groups included) */
	int half_bits;	       /* each half spans 2^half_bits bytes of VA */
	uint64_t half_base[2]; /* first VA of the lower and of the upper half */
	uint8_t shift[PT_MAX_LEVELS];	   /* log2 of the VA span of one entry at each level */
	uint8_t index_bits[PT_MAX_LEVELS]; /* log2 of the entries in a table at each level */
	bool leaf_ok[PT_MAX_LEVELS];	   /* level may hold leaves */
	uint16_t contig[PT_MAX_LEVELS]; /* entries in a contiguous group at each level (1: none) */
	const char *level_name[PT_MAX_LEVELS];
	struct pt_format_ops ops;
};

/* The format called `name` (see `ptkit formats`), or NULL. */
const struct pt_format *pt_format_find(const char *name);
/* The i-th known format, or NULL past the end: for listing. */
const struct pt_format *pt_format_at(unsigned i);

/* Decode a raw entry found at `level`. */
static inline void pt_format_decode(const struct pt_format *f, uint64_t entry, int level,
				    struct pt_entry_info *info)
{
	f->ops.decode(entry, level, info);
}

/*
 * The memory attribute register of f ("MAIR_EL1", "IA32_PAT") and the value ptkit's own
 * leaves assume (*own, may be NULL); NULL when f's leaves carry their memory type themselves.
 */
const char *pt_format_mem_attr_reg(const struct pt_format *f, uint64_t *own);

/*
 * prot (the PT_* bits of leaf `entry` at level) with its memory type (PT_DEVICE,
 * PT_NOCACHE) as it is when f's memory attribute register holds attr rather than the value
 * ptkit assumes.
 */
static inline uint32_t pt_format_prot_with_mem_attr(const struct pt_format *f, uint32_t prot,
						    uint64_t entry, int level, uint64_t attr)
{
	return (prot & ~(uint32_t)(PT_DEVICE | PT_NOCACHE)) |
	       f->ops.leaf_mem_type(entry, level, attr);
}

/* An entry between host order and the format's memory order (each is the other's inverse). */
static inline uint64_t pt_entry_order(const struct pt_format *f, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return f->big_endian ? __builtin_bswap64(v) : v;
#else
	return f->big_endian ? v : __builtin_bswap64(v);
#endif
}

/* The entry at host address p, in host order: one single-copy-atomic 8-byte load. */
static inline uint64_t pt_entry_load(const struct pt_format *f, const uint8_t *p)
{
	return pt_entry_order(f,
			      __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_ACQUIRE));
}

/* Store v (host order) as the entry at p: one single-copy-atomic 8-byte release store. */
static inline void pt_entry_store(const struct pt_format *f, uint8_t *p, uint64_t v)
{
	__atomic_store_n((uint64_t *)(void *)p, pt_entry_order(f, v), __ATOMIC_RELEASE);
}

/* Bytes of one table at `level`. */
static inline uint64_t pt_table_bytes(const struct pt_format *f, int level)
{
	return (uint64_t)f->entry_size << f->index_bits[level];
}

/* Last VA of half h (0 lower, 1 upper). */
static inline uint64_t pt_half_last(const struct pt_format *f, int h)
{
	return f->half_base[h] + (((uint64_t)1 << f->half_bits) - 1);
}

/* VA span of one entry at `level`. */
static inline uint64_t pt_level_size(const struct pt_format *f, int level)
{
	return (uint64_t)1 << f->shift[level];
}

#endif
