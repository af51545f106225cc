// SPDX-License-Identifier: MIT
/* follow_pfnmap_start/end: the PFN, protection and leaf mask of a PFN-map address. */
#include "mm_internal.h"

int follow_pfnmap_start(struct mm *mm, uint64_t va, struct follow_pfnmap_args *args)
{
	const struct mm_vma *vma;
	struct mm_walk_state st;
	uint64_t size;
	uint32_t prot;

	mm__enter(mm, "follow_pfnmap_start");
	vma = mm_find_vma(mm, va);
	if (!vma || vma->kind != MM_VMA_PFNMAP)
		return mm__leave(mm, mm__fail(-PT_EINVAL, va,
					      vma ? "follow_pfnmap: not a PFN map"
						  : "follow_pfnmap: no VMA"));
	mm_walk_init(&st, &mm->pt);
	if (!mm_walk_seek_leaf(&st, &mm->pt, va))
		return mm__leave(mm, mm__fail(st.err ? st.err : -PT_ENOENT, va,
					      st.err ? "follow_pfnmap: the walk failed"
						     : "follow_pfnmap: not mapped"));
	size = mm_walk_leaf_size(&st);
	args->pa = mm_walk_leaf_pa(&st) + (va & (size - 1));
	args->pfn = args->pa >> mm->pfdb->page_shift;
	args->addr_mask = ~(size - 1);
	prot = mm_walk_prot(&st); /* the rights, decoded once */
	args->prot = prot;
	args->writable = prot & PT_W;
	args->special = prot & PT_SPECIAL;
	return 0; /* the lock stays held until follow_pfnmap_end */
}

void follow_pfnmap_end(struct mm *mm)
{
	mm__begin("follow_pfnmap_end");
	mm__leave(mm, 0);
}
