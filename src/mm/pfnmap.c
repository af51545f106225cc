// SPDX-License-Identifier: MIT
/* follow_pfnmap_start/end: the PFN, protection and leaf mask of a PFN-map address. */
#include "mm_internal.h"

int follow_pfnmap_start(struct mm *mm, uint64_t va, struct follow_pfnmap_args *args)
{
	const struct mm_vma *vma;
	struct mm_walk_state st;
	uint64_t size;
	uint32_t prot;

	mm_lock(mm);
	vma = mm_find_vma(mm, va);
	if (!vma || vma->kind != MM_VMA_PFNMAP) {
		mm_unlock(mm);
		return -PT_EINVAL;
	}
	mm_walk_init(&st, &mm->pt);
	if (!mm_walk_seek_leaf(&st, &mm->pt, va)) {
		mm_unlock(mm);
		return st.err ? st.err : -PT_ENOENT;
	}
	size = mm_walk_leaf_size(&st);
	args->pa = mm_walk_leaf_pa(&st) + (va & (size - 1));
	args->pfn = args->pa >> mm->pfdb->page_shift;
	args->addr_mask = ~(size - 1);
	prot = mm_walk_prot(&st); /* the rights, decoded once */
	args->prot = prot;
	args->writable = prot & PT_W;
	args->special = prot & PT_SPECIAL;
	return 0;
}

void follow_pfnmap_end(struct mm *mm)
{
	mm_unlock(mm);
}
