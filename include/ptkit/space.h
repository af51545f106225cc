/* SPDX-License-Identifier: MIT */
/*
 * ptkit: one page-table tree with the memory it lives in, behind an opaque handle, for
 * callers that cannot use the library's structures (the Python package, any FFI): a tree
 * built from a spec (<ptkit/spec.h>) in an arena, a tree in a dump file (<ptkit/dump.h>),
 * or a tree in memory read through a callback (a debugger's). Every call returns an int
 * code (0, or a negative PT_E* code) and, on failure, a message naming what is wrong in
 * err[0..len) (the CLI's words). Hosted.
 */
#ifndef PTKIT_SPACE_H
#define PTKIT_SPACE_H

#include "format.h"
#include "mem.h"
#include "ops.h"

struct pt_space;

/* A format's facts as plain fields (struct pt_format without its function table). */
struct pt_format_info {
	const char *name, *description;
	int levels, va_bits, pa_bits, entry_size, half_bits;
	bool big_endian, two_roots;
	uint64_t page_sizes; /* bit n set: 2^n-byte leaves */
	uint64_t half_base[2];
	const char *level_name[PT_MAX_LEVELS];
};

/* Fill out with fmt's facts. */
void pt_format_describe(const struct pt_format *fmt, struct pt_format_info *out);

/*
 * The root table's address in a value of fmt's root register (CR3, TTBRn_EL1, satp, a radix
 * process-table entry): 0, or a negative PT_E* code with err saying what does not fit.
 */
int pt_root_of_reg(const struct pt_format *fmt, uint64_t reg, uint64_t *root, char *err,
		   size_t len);
/*
 * Both roots (roots[0] lower half: PID pid's, roots[1] upper half: PID 0's) from a register
 * pointing at tables of roots (ppc64 PTCR), the tables read through read(ctx, ...): 0, or a
 * negative PT_E* code with err saying why (formats without such a register: -PT_EINVAL).
 */
int pt_roots_of_table_reg(const struct pt_format *fmt, uint64_t reg, uint64_t lpid, uint64_t pid,
			  pt_phys_read_fn read, void *ctx, uint64_t roots[2], char *err,
			  size_t len);

/*
 * Whether the CPU whose registers reg(ctx, name, &value) answers translates with fmt
 * (fmt->ops.roots_of_cpu), and its roots in *out. read(rctx, ...) reads the tables of roots
 * a register may point at (ppc64 PTCR), NULL for the other formats. 0, or a negative PT_E*
 * code (-PT_EINVAL: the registers select another format; -PT_ENOENT: translation is off or
 * a register is missing) with err naming the register and field and the values read.
 */
int pt_roots_of_cpu(const struct pt_format *fmt, pt_reg_fn reg, void *ctx, pt_phys_read_fn read,
		    void *rctx, struct pt_cpu_roots *out, char *err, size_t len);
/*
 * The formats of ELF machine `machine` (EM_X86_64 62, EM_AARCH64 183, EM_RISCV 243, EM_PPC64
 * 21) that the CPU's registers select, asking each as pt_roots_of_cpu does: up to *n of them
 * in fmts[] with their roots in roots[], *n set to how many. More than one when no register
 * tells them apart (ppc64 radix 4K / 64K pages: the caller picks, e.g. the first whose tree
 * walks without a corrupt entry). 0 with *n >= 1, or a negative PT_E* code with err saying
 * what each format found wrong, which register is missing or why translation is off.
 */
int pt_formats_of_cpu(uint16_t machine, pt_reg_fn reg, void *ctx, pt_phys_read_fn read, void *rctx,
		      const struct pt_format **fmts, struct pt_cpu_roots *roots, unsigned *n,
		      char *err, size_t len);

/*
 * Build a tree from spec (NUL-terminated text, <ptkit/spec.h>) in an arena of size bytes at
 * physical base (size 0: 1G, and the image ends after the last table). 0 with *out set, or
 * a negative PT_E* code with err naming the bad argument or "line N: why".
 */
int pt_space_build(struct pt_space **out, const struct pt_format *fmt, const char *spec,
		   uint64_t base, uint64_t size, char *err, size_t len);
/*
 * Open a dump file (or, with raw, raw memory from raw_base) and attach its tree, as
 * `ptkit translate` does: fmt NULL lets the dump choose; root NULL takes the dump's CPU
 * state or else its kernel's root, "kernel" the kernel's root from VMCOREINFO, otherwise a
 * number (a root register's value); root1 the upper-half root of a two-root format (without
 * it that half has no tree). 0 with *out set, or a negative PT_E* code with err saying why.
 */
int pt_space_open_dump(struct pt_space **out, const char *path, const struct pt_format *fmt,
		       bool raw, uint64_t raw_base, const char *root, const char *root1, char *err,
		       size_t len);
/*
 * A tree in memory read through read(ctx, pa, buf, n) (0, or -1: no memory there), every
 * table read once and kept. root is the root table's address; has_root1: root1 is the
 * upper-half root of a two-root format (without it that half has no tree; a one-root format
 * takes only root1 == root). 0 with *out set, or a negative PT_E* code (the root table
 * cannot be read, misaligned, beyond the PA limit) with err saying why.
 */
int pt_space_from_reader(struct pt_space **out, const struct pt_format *fmt, pt_seg_read_fn read,
			 void *ctx, uint64_t root, bool has_root1, uint64_t root1, char *err,
			 size_t len);
/* Free the space and its memory (the dump file is closed). NULL is fine. */
void pt_space_close(struct pt_space *s);

/* The space's format. */
const struct pt_format *pt_space_format(const struct pt_space *s);
/* Its roots (lower, upper half) and which halves have a tree (bit 0 lower, bit 1 upper). */
unsigned pt_space_roots(const struct pt_space *s, uint64_t roots[2]);
/*
 * A built space's image: its bytes (valid until close), their physical base and length.
 * -PT_EINVAL for a space that was not built.
 */
int pt_space_image(const struct pt_space *s, const uint8_t **bytes, uint64_t *base, uint64_t *size);
/*
 * Leaves' memory types (PT_DEVICE, PT_NOCACHE) from here on as the CPU's memory attribute
 * register holding value gives them (pt_format_mem_attr_reg: arm64 MAIR_EL1, x86 IA32_PAT)
 * rather than as the value ptkit assumes. -PT_EINVAL, err saying so, for a format without
 * such a register.
 */
int pt_space_set_mem_attr(struct pt_space *s, uint64_t value, char *err, size_t len);
/* What opening the space chose by itself (format, roots), one line each; "" if nothing. */
const char *pt_space_notes(const struct pt_space *s);

/*
 * Translate va as the MMU would (tr as pt_translate fills it). 0; -PT_ENOENT when not
 * mapped (tr->level: where the walk stopped; a PROT_NONE leaf too, with tr->size set);
 * -PT_ERANGE for a non-canonical VA; -PT_EFAULT / -PT_ELOOP / -PT_EBADENT for a corrupt
 * tree, err naming the entry ("0x1000: bad entry 0x... (why) at pte").
 */
int pt_space_translate(struct pt_space *s, uint64_t va, struct pt_translation *tr, char *err,
		       size_t len);

/* A leaf, as pt_space_next_leaf reports it. */
struct pt_space_leaf {
	uint64_t va, pa; /* the leaf's first VA and its output address */
	uint64_t size;	 /* the leaf's size */
	uint64_t group;	 /* its contiguous / NAPOT group's size (== size if none) */
	uint64_t entry;	 /* the raw leaf entry */
	uint32_t prot;	 /* effective PT_* bits, as pt_space_translate reports them */
	int level;
};

/*
 * The first leaf overlapping [*va, end) (end 0: 2^64) in the halves that have a tree, in
 * address order; *va is moved to the end of that leaf (0 when it ends at 2^64). 1 with
 * *leaf filled, 0 when there is none, or a negative PT_E* code for a corrupt tree with err
 * naming the entry.
 */
int pt_space_next_leaf(struct pt_space *s, uint64_t *va, uint64_t end, struct pt_space_leaf *leaf,
		       char *err, size_t len);
/*
 * After pt_space_translate or pt_space_next_leaf failed on a corrupt tree: the VAs the
 * corrupt entry covers, [*start, *end) (*end 0: up to 2^64; the rest of the half when the
 * walk cannot say which entry), and its level. A listing goes on at *end, as `ptkit dump`
 * does. false when the last of those calls found no corrupt entry.
 */
bool pt_space_corrupt_span(const struct pt_space *s, uint64_t *start, uint64_t *end, int *level);

/*
 * ---- Listing a tree: what `ptkit dump` lists, item by item ----
 *
 * Every leaf in address order, half by half (the lower half first), and where the MMU could
 * not go on, what stopped it: an entry it cannot use (listed, and the listing goes on after
 * the VAs that entry covers), a table entry pointing at a table of its own walk (a recursive
 * self-map, as Windows keeps one) or at a table already listed (shared, as kernels share
 * fixmap tables). Neither of the last two is walked again, so a hostile image cannot make a
 * listing explode; each half walks its tree afresh.
 */
enum pt_item_kind {
	PT_ITEM_LEAF = 1, /* a leaf entry: [va, va + size) maps to pa */
	PT_ITEM_CORRUPT,  /* an entry the MMU cannot use: code, why */
	PT_ITEM_SELF_MAP, /* a table entry pointing at the table of its walk at table_level */
	PT_ITEM_SHARED,	  /* a table entry pointing at a table listed before, at first_va */
};

/* One item of a listing (pt_listing_next, pt_space_next_item). */
struct pt_space_item {
	int kind;	   /* enum pt_item_kind */
	int half;	   /* 0 lower, 1 upper half */
	int level;	   /* the entry's level */
	int table_level;   /* SELF_MAP: the level the table is walked at */
	uint64_t va, size; /* the VAs it covers, [va, va + size) (va + size 0: up to 2^64) */
	uint64_t pa;	   /* LEAF: the output address; SELF_MAP, SHARED: the table's address */
	uint64_t group;	   /* LEAF: its contiguous / NAPOT group's size (== size if none) */
	uint64_t entry;	   /* LEAF: the raw leaf entry; CORRUPT: the bad entry (0: unknown) */
	uint64_t first_va; /* SHARED: the VA where the table was listed first */
	uint32_t prot;	   /* LEAF: effective PT_* bits, as pt_translate / pt_space_translate */
	int code;	   /* CORRUPT: the negative PT_E* code */
	char why[256];	   /* CORRUPT: what is wrong, in pt_corrupt_reason's words */
};

struct pt_dump;
struct pt_listing;
/*
 * A listing of mm's tree over [start, end) (end 0: up to 2^64). trees: the halves that
 * have a root (bit 0 lower, bit 1 upper; a one-root format's both always do); d (may be
 * NULL) the dump mm's memory comes from, which may know why memory is missing. 0 with *out
 * set, or -PT_ENOMEM.
 */
int pt_listing_open(struct pt_listing **out, struct pt_mm *mm, unsigned trees,
		    const struct pt_dump *d, uint64_t start, uint64_t end);
/*
 * The next item of the listing: 1 with *item pointing at it (valid until the next call or
 * pt_listing_close), 0 at the end, or -PT_ENOMEM (the listing cannot go on). Walks ahead a
 * few dozen items at a time, not from the root per item.
 */
int pt_listing_next(struct pt_listing *l, const struct pt_space_item **item);
/* Free the listing. NULL is fine. */
void pt_listing_close(struct pt_listing *l);

/*
 * The space's listing from *va up to end (end 0: 2^64), one item per call: 1 with *item
 * filled and *va moved to its end (0 when it ends at 2^64), 0 when there is none left, or
 * -PT_ENOMEM with err saying so. Called again with the *va it returned and the same end,
 * the listing goes on where it stood (tables listed before stay listed); with any other *va
 * or end, or after pt_space_list_reset, a new listing starts at *va. One listing at a time.
 */
int pt_space_next_item(struct pt_space *s, uint64_t *va, uint64_t end, struct pt_space_item *item,
		       char *err, size_t len);
/* End the space's listing: the next pt_space_next_item starts a new one. */
void pt_space_list_reset(struct pt_space *s);

/*
 * Why a walk of a corrupt tree stopped (err: its PT_E* code), with the details st has when
 * st->err == err; d (may be NULL) is the dump being read, which may know why memory is
 * missing. What `ptkit translate` and `ptkit dump` print.
 */
struct mm_walk_state;
void pt_corrupt_reason(const struct mm_walk_state *st, int err, const struct pt_dump *d, char *buf,
		       size_t len);

#endif
