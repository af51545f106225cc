// SPDX-License-Identifier: MIT
/* mmap, munmap and zap (MADV_DONTNEED): adding and removing VMAs and what they map. */
#include <string.h>

#include "mm_internal.h"

int mm_mmap(struct mm *mm, const struct mm_vma *vma)
{
	const struct pt_format *f = mm->pt.fmt;
	struct mm_vma v = *vma;
	int err = 0;
	unsigned i;

	if (!v.page_size)
		v.page_size = mm->page_size;
	mm__enter(mm, "mm_mmap");
	if (!(f->page_sizes & v.page_size) || (v.page_size & (v.page_size - 1)))
		return mm__leave(mm, mm__fail(-PT_EINVAL, v.start,
					      "mmap: page_size is not a leaf size of the format"));
	if (!mm__range_ok(mm, v.start, v.end - v.start) || ((v.start | v.end) & (v.page_size - 1)))
		return mm__leave(mm, mm__fail(-PT_EINVAL, v.start,
					      "mmap: empty range, or not aligned to page_size"));
	if (v.kind != MM_VMA_PFNMAP && v.page_size > (mm->page_size << mm->pfdb->max_order))
		return mm__leave(mm, mm__fail(-PT_EINVAL, v.start,
					      "mmap: page_size is above the frame database's "
					      "largest folio"));
	if (v.kind == MM_VMA_PFNMAP && (v.pfn_pa & (mm->page_size - 1)))
		return mm__leave(
			mm, mm__fail(-PT_EINVAL, v.pfn_pa, "mmap: pfn_pa is not page aligned"));
	i = mm__vma_index(mm, v.start);
	if (i < mm->nr_vmas && mm->vmas[i].start < v.end) {
		err = mm__fail(-PT_EEXIST, mm__max(v.start, mm->vmas[i].start),
			       "mmap: the range overlaps a VMA");
	} else if (v.kind == MM_VMA_PFNMAP) {
		/* remap_pfn_range: every leaf at once, special, as large as allowed. */
		struct pt_map_req req = { .va = v.start,
					  .pa = v.pfn_pa,
					  .size = v.end - v.start,
					  .prot = v.prot | PT_SPECIAL,
					  .page_sizes = f->page_sizes & ((v.page_size << 1) - 1) };
		struct pt_gather g;
		mm__gather_init(mm, &g);
		err = pt_map(&mm->pt, &req, &g);
		pt_gather_flush(&g);
		if (!err && (err = mm__vma_insert(mm, i, &v))) {
			mm__gather_init(mm, &g);
			pt_unmap(&mm->pt, v.start, v.end - v.start, &g);
			pt_gather_flush(&g);
			mm__sync_tables(mm);
		}
	} else {
		err = mm__vma_insert(mm, i, &v);
	}
	return mm__leave(mm, err);
}

int mm_zap(struct mm *mm, uint64_t start, uint64_t size)
{
	int err;

	mm__enter(mm, "mm_zap");
	err = mm__range_ok(mm, start, size)
		      ? 0
		      : mm__fail(-PT_EINVAL, start, "zap: unaligned or empty range");
	if (!err)
		err = mm__hugetlb_cut(mm, start);
	if (!err)
		err = mm__hugetlb_cut(mm, start + size);
	if (!err)
		err = mm__zap_locked(mm, start, start + size);
	return mm__leave(mm, err);
}

int mm_munmap(struct mm *mm, uint64_t start, uint64_t size)
{
	uint64_t end = start + size;
	unsigned i, j;
	int err;

	mm__enter(mm, "mm_munmap");
	if (!mm__range_ok(mm, start, size))
		return mm__leave(mm,
				 mm__fail(-PT_EINVAL, start, "munmap: unaligned or empty range"));
	err = mm__vma_split(mm, start);
	if (!err)
		err = mm__vma_split(mm, end);
	if (!err)
		err = mm__zap_locked(mm, start, end);
	if (!err) {
		i = mm__vma_index(mm, start);
		for (j = i; j < mm->nr_vmas && mm->vmas[j].end <= end; j++)
			;
		memmove(&mm->vmas[i], &mm->vmas[j], (mm->nr_vmas - j) * sizeof(*mm->vmas));
		mm->nr_vmas -= j - i;
	}
	return mm__leave(mm, err);
}
