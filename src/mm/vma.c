// SPDX-License-Identifier: MIT
/* The VMAs of an address space: a sorted array of disjoint ranges (lock held). */
#include <stdlib.h>
#include <string.h>

#include "mm_internal.h"

/* Index of the first VMA ending above va. */
unsigned mm__vma_index(const struct mm *mm, uint64_t va)
{
	unsigned lo = 0, hi = mm->nr_vmas;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (mm->vmas[mid].end <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct mm_vma *mm_find_vma(struct mm *mm, uint64_t va)
{
	unsigned i;

	mm__assert_held(mm, "mm_find_vma");
	i = mm__vma_index(mm, va);
	return i < mm->nr_vmas && mm->vmas[i].start <= va ? &mm->vmas[i] : NULL;
}

int mm__vma_insert(struct mm *mm, unsigned at, const struct mm_vma *v)
{
	if (mm->nr_vmas == mm->cap_vmas) {
		unsigned cap = mm->cap_vmas ? 2 * mm->cap_vmas : 16;
		struct mm_vma *n = realloc(mm->vmas, cap * sizeof(*n));
		if (!n)
			return -PT_ENOMEM;
		mm->vmas = n;
		mm->cap_vmas = cap;
	}
	memmove(&mm->vmas[at + 1], &mm->vmas[at], (mm->nr_vmas - at) * sizeof(*v));
	mm->vmas[at] = *v;
	mm->nr_vmas++;
	return 0;
}

/* Make va a VMA boundary. -PT_EINVAL when va would cut a hugetlb page. */
int mm__vma_split(struct mm *mm, uint64_t va)
{
	unsigned i = mm__vma_index(mm, va);
	struct mm_vma hi;

	if (i >= mm->nr_vmas || mm->vmas[i].start >= va)
		return 0;
	if (mm->vmas[i].kind == MM_VMA_HUGETLB && (va & (mm->vmas[i].page_size - 1)))
		return mm__fail(-PT_EINVAL, va, "the range cuts a hugetlb page");
	hi = mm->vmas[i];
	hi.pfn_pa += va - hi.start;
	hi.start = va;
	if (mm__vma_insert(mm, i + 1, &hi))
		return mm__fail(-PT_ENOMEM, va, "no memory for the VMA array");
	mm->vmas[i].end = va;
	return 0;
}

/* Merge neighbours that touch and agree in everything (like vma_merge after mprotect). */
void mm__vma_merge(struct mm *mm)
{
	unsigned out = 0;

	for (unsigned i = 0; i < mm->nr_vmas; i++) {
		struct mm_vma *p = out ? &mm->vmas[out - 1] : NULL, *v = &mm->vmas[i];
		if (p && p->end == v->start && p->kind == v->kind && p->prot == v->prot &&
		    p->page_size == v->page_size && p->pfn_pa + (p->end - p->start) == v->pfn_pa) {
			p->end = v->end;
			continue;
		}
		mm->vmas[out++] = *v;
	}
	mm->nr_vmas = out;
}

bool mm__range_ok(const struct mm *mm, uint64_t start, uint64_t size)
{
	return size && start + size > start && !((start | size) & (mm->page_size - 1));
}

/* -PT_EINVAL when boundary b falls inside a hugetlb page of the VMA containing it. */
int mm__hugetlb_cut(struct mm *mm, uint64_t b)
{
	const struct mm_vma *v = mm_find_vma(mm, b);

	if (v && v->kind == MM_VMA_HUGETLB && (b & (v->page_size - 1)))
		return mm__fail(-PT_EINVAL, b, "the range cuts a hugetlb page");
	return 0;
}

int mm__vma_reserve(struct mm *mm, unsigned more)
{
	if (mm->nr_vmas + more > mm->cap_vmas) {
		unsigned cap = mm->cap_vmas ? 2 * mm->cap_vmas : 16;
		struct mm_vma *n;
		while (cap < mm->nr_vmas + more)
			cap *= 2;
		n = realloc(mm->vmas, cap * sizeof(*n));
		if (!n)
			return -PT_ENOMEM;
		mm->vmas = n;
		mm->cap_vmas = cap;
	}
	return 0;
}
