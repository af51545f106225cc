/* SPDX-License-Identifier: MIT */
/* Taking a table from the memory backend, checked against the pt_mem contract. */
#ifndef PTKIT_TABLE_ALLOC_H
#define PTKIT_TABLE_ALLOC_H

#include <ptkit/types.h>

/*
 * A zeroed table of `bytes` bytes from m->alloc. A block outside [base, base + size) or not
 * aligned to its size (an MMU reads a misaligned table at the wrong address) is handed back
 * and reported: -PT_EFAULT or -PT_EINVAL. Otherwise what m->alloc returned.
 */
static inline int pt_table_alloc(struct pt_mem *m, uint64_t bytes, uint64_t *pa)
{
	int err = m->alloc(m, bytes, pa);

	if (err)
		return err < 0 ? err : -err;
	if (*pa < m->base || *pa - m->base > m->size || m->size - (*pa - m->base) < bytes) {
		m->free(m, *pa, bytes);
		return -PT_EFAULT;
	}
	if (*pa & (bytes - 1)) {
		m->free(m, *pa, bytes);
		return -PT_EINVAL;
	}
	return 0;
}

#endif
