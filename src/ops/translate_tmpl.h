/* SPDX-License-Identifier: MIT */
/*
 * pt_translate for one format: one descent from the root with the table, the entry and the
 * rights of the tables passed in registers, every level a compile-time constant; the leaf's
 * rights are decoded once, there (fmt_leaf_prot_in: the tables' raw rights folded in).
 */
#include "walk/walk_tmpl.h"

#include <ptkit/ops.h>

/* The walk stopped at `level` on entry e, which is no leaf: tr says where, err why. */
W_INLINE int o_no_leaf(struct pt_translation *tr, uint64_t e, int level, int err)
{
	tr->pa = tr->leaf_pa = tr->leaf_va = 0;
	tr->size = tr->group = 0;
	tr->prot = tr->pkey = 0;
	tr->level = level;
	tr->entry = e;
	return err;
}

/*
 * Fill tr for leaf e at level L mapping va, below tables whose fmt_table_rights OR to
 * `rights`. A group member's output address is its group's, plus va's offset in the group.
 * A PROT_NONE leaf is described the same way, but does not translate: -PT_ENOENT.
 */
W_INLINE int o_leaf(struct pt_translation *tr, uint64_t e, const int L, uint64_t va,
		    uint64_t rights)
{
	const uint64_t size = w_span(L);
	const uint32_t prot = fmt_leaf_prot_in(e, L, rights);
	uint64_t gsize = size, leaf_pa = fmt_leaf_pa(e, L);

	/* Table rights never take PT_CONTIG away: the leaf's own group. */
	if (FMT_CONTIG_C(L) > 1 && (prot & PT_CONTIG)) {
		gsize = size * FMT_CONTIG_C(L);
		leaf_pa = (leaf_pa & ~(gsize - 1)) + (va & (gsize - 1) & ~(size - 1));
	}
	tr->pa = leaf_pa + (va & (size - 1));
	tr->leaf_va = va & ~(size - 1);
	tr->leaf_pa = leaf_pa;
	tr->size = size;
	tr->group = gsize;
	tr->level = L;
	tr->prot = prot;
	tr->pkey = fmt_leaf_pkey(e);
	tr->entry = e;
	return fmt_leaf_none(e) ? -PT_ENOENT : 0; /* kept, but the MMU faults */
}

/* How a descent reads memory. */
enum {
	O_TRUSTED,  /* memory ptkit built, reads not observed, va canonical: no checks, no hook */
	O_FOREIGN,  /* an image (not trusted), reads not observed: every table pointer checked */
	O_OBSERVED, /* reads observed; table pointers checked unless memory is trusted */
	O_SPARSE,   /* sparse memory (pt_mem.table): every table pointer through the hook */
};

/*
 * The descent from the root to the entry that maps va (canonical), read `how`. A checked
 * table pointer must lead inside memory (-PT_EFAULT) and not to a table already on the
 * path (-PT_ELOOP); the path's table addresses are locals, so the loop check is a compare
 * per table above. Memory's fields are read once, before the entry loads (which acquire:
 * no later read of them could move above one).
 */
W_INLINE int o_descend(struct pt_mm *mm, uint64_t va, struct pt_translation *tr, const int how)
{
	const struct pt_mem mem = *mm->mem; /* w_table() on the copy: fields in registers */
	const bool check = how != O_TRUSTED && (how != O_OBSERVED || !mem.trusted);
	const uintptr_t host = (uintptr_t)mem.bytes - (uintptr_t)mem.base;
	uint64_t tpa[FMT_LEVELS]; /* the table walked at each level (the loop check) */
	uint64_t rights = 0;
	const uint8_t *t;

	tpa[W_TOP] = mm->root[FMT_TWO_ROOTS ? fmt_va_half(va) : 0];
	if (check) {
		t = how == O_FOREIGN ? w_table_flat(&mem, tpa[W_TOP], W_TOP)
				     : w_table(mm->mem, tpa[W_TOP], W_TOP);
		if (!t)
			return o_no_leaf(tr, 0, W_TOP, -PT_EFAULT);
	} else {
		t = (const uint8_t *)(host + (uintptr_t)tpa[W_TOP]);
		W_CHECK_TRUSTED(&mem, W_TOP, tpa[W_TOP], t);
	}
#pragma GCC unroll 6
	for (int l = W_TOP; l >= 0; l--) {
		const uint32_t idx = w_index(va, l);
		const char *why = 0;
		uint64_t e;
		int kind;

		if (how == O_OBSERVED)
			mem.observe(mm->mem, tpa[l] + (uint64_t)idx * 8);
		e = fmt_load(t + (size_t)idx * 8);
		kind = fmt_kind(e, l, &why);
		if (kind == PT_ENTRY_LEAF)
			return o_leaf(tr, e, l, va, rights);
		if (kind != PT_ENTRY_TABLE || l == 0)
			return o_no_leaf(tr, e, l, kind == PT_ENTRY_BAD ? -PT_EBADENT : -PT_ENOENT);
		rights |= fmt_table_rights(e, l);
		tpa[l - 1] = fmt_table_pa(e, l);
		if (!check) {
			t = (const uint8_t *)(host + (uintptr_t)tpa[l - 1]);
			W_CHECK_TRUSTED(&mem, l - 1, tpa[l - 1], t);
			continue;
		}
		t = how == O_FOREIGN ? w_table_flat(&mem, tpa[l - 1], l - 1)
				     : w_table(mm->mem, tpa[l - 1], l - 1);
		if (!t)
			return o_no_leaf(tr, e, l, -PT_EFAULT);
		for (int k = l; k <= W_TOP; k++)
			if (tpa[k] == tpa[l - 1])
				return o_no_leaf(tr, e, l, -PT_ELOOP);
	}
	return -PT_ENOENT; /* not reached: level 0 always stops */
}

/* Observed reads: the hook is a call, so this one keeps what it needs across calls. */
static __attribute__((noinline)) int o_translate_observed(struct pt_mm *mm, uint64_t va,
							  struct pt_translation *tr)
{
	return o_descend(mm, va, tr, O_OBSERVED);
}

/* Sparse memory (dumps): each table through the memory's hook, a call. */
static __attribute__((noinline)) int o_translate_sparse(struct pt_mm *mm, uint64_t va,
							struct pt_translation *tr)
{
	return o_descend(mm, va, tr, O_SPARSE);
}

/* Foreign images, observed reads, non-canonical VAs: out of the fast path's way. */
static __attribute__((noinline)) int o_translate_checked(struct pt_mm *mm, uint64_t va,
							 struct pt_translation *tr)
{
	if (!fmt_va_valid(va))
		return o_no_leaf(tr, 0, W_TOP, -PT_ERANGE);
	if (mm->mem->observe)
		return o_translate_observed(mm, va, tr);
	if (mm->mem->table)
		return o_translate_sparse(mm, va, tr);
	return o_descend(mm, va, tr, O_FOREIGN);
}

/*
 * pt_translate. inlined: compiled into the caller (the compile-time API, <ptkit/static.h>):
 * then the checked path fills a copy, so the address of the caller's tr never escapes and
 * the stores to the fields the caller never reads go away. Else the checked path is a tail
 * call, and the fast path keeps nothing on the stack but what its registers cannot hold.
 */
W_INLINE int o_translate_c(struct pt_mm *mm, uint64_t va, struct pt_translation *tr,
			   const bool inlined)
{
	const struct pt_mem *m = mm->mem;
	struct pt_translation t;
	int r;

	if (m->trusted && !m->observe && fmt_va_valid(va))
		return o_descend(mm, va, tr, O_TRUSTED);
	if (!inlined)
		return o_translate_checked(mm, va, tr);
	r = o_translate_checked(mm, va, &t);
	*tr = t;
	return r;
}

static int o_translate(struct pt_mm *mm, uint64_t va, struct pt_translation *tr)
{
	return o_translate_c(mm, va, tr, false);
}
