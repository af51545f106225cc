/* SPDX-License-Identifier: MIT */
/*
 * The generic mm code of the hand-written reference walkers, written once for every arch,
 * in the style of Linux's mm/ walkers over the arch pgtable helpers: pgd_offset,
 * p4d_offset, ..., pte_offset, pXd_none, pXd_leaf, pXd_addr_end, one static inline
 * function per level, nested do/while loops, every entry read once with READ_ONCE, no
 * callbacks. Each entry point runs a whole workload with its inner loops inlined. The
 * generic pXd helpers themselves (pXd_index, pXd_offset, pXd_addr_end, the folded p4d)
 * are in ref_pxd.h, shared with ref_mm_x86_64.h.
 *
 * Include an arch pgtable header first (x86_64_pgtable.h, arm64_pgtable.h,
 * riscv_pgtable.h) and define REF_SYM, the exported struct ref_format's name. The arch
 * header provides, as constants or static inline functions of the entry value:
 *   REF_NAME                             the ptkit format name
 *   PAGE_SHIFT PMD_SHIFT PUD_SHIFT P4D_SHIFT PGDIR_SHIFT (a folded level's shift is the
 *                                        level's above, as in the pgtable-nopXd.h headers)
 *   PTRS_PER_TABLE, or PTRS_PER_PGD .. PTRS_PER_PTE where the levels differ
 *   REF_P4D_FOLDED                       defined: p4d folded into the pgd as in
 *                                        asm-generic/pgtable-nop4d.h (4 levels)
 *   REF_PUD_FOLDED                       defined too: pud folded as well, as in
 *                                        pgtable-nopud.h (3 levels)
 *   pgd_none, pgd_table_pa               only when the p4d level is not folded
 *   p4d_none, p4d_table_pa               only when the pud level is not folded
 *   pud_none pmd_none pte_none           empty entry (pte_none also serves the
 *                                        table-is-empty scan: the same test at every level)
 *   pud_leaf pmd_leaf                    huge leaf; REF_HAVE_P4D_LEAF and p4d_leaf,
 *                                        p4d_leaf_pa when the p4d level holds leaves
 *   pud_table_pa pmd_table_pa            next-level table of a table entry
 *   pte_pa pmd_leaf_pa pud_leaf_pa       output address of a leaf
 *   leaf_prot(write, huge), mk_leaf(pa, prot), pte_modify_rw(v, write)
 *   mk_table(pa), or REF_HAVE_LEVEL_MK_TABLE and mk_pgd_table .. mk_pmd_table
 * Every helper takes the entry as stored (for a big-endian format: the raw big-endian
 * word; the arch header converts where it needs the value, as Linux's ppc64 does).
 */
#include "ref_pgtable.h"

#ifndef REF_SYM
#error "define REF_SYM and include an arch pgtable header before ref_tmpl.h"
#endif

#include "ref_pxd.h"

/* ---- seek (follow_page / a software page walk) ------------------------------------- */

static inline bool ref_seek(const struct ref_mm *mm, uint64_t va, uint64_t *pa)
{
	pgd_t *pgd = pgd_offset(mm, va);
	if (pgd_none(READ_ONCE(pgd->pgd)))
		return false;
	p4d_t *p4d = p4d_offset(mm, pgd, va);
	uint64_t p4dv = p4dp_get(p4d);
	if (p4d_none(p4dv))
		return false;
	if (p4d_leaf(p4dv)) {
		*pa = p4d_leaf_pa(p4dv) | (va & ~P4D_MASK);
		return true;
	}
	pud_t *pud = pud_offset_lockless(mm, p4d, p4dv, va);
	uint64_t pudv = READ_ONCE(pud->pud);
	if (pud_none(pudv))
		return false;
	if (pud_leaf(pudv)) {
		*pa = pud_leaf_pa(pudv) | (va & ~PUD_MASK);
		return true;
	}
	pmd_t *pmd = pmd_offset_e(mm, pudv, va);
	uint64_t pmdv = READ_ONCE(pmd->pmd);
	if (pmd_none(pmdv))
		return false;
	if (pmd_leaf(pmdv)) {
		*pa = pmd_leaf_pa(pmdv) | (va & ~PMD_MASK);
		return true;
	}
	pte_t *pte = pte_offset_e(mm, pmdv, va);
	uint64_t ptev = READ_ONCE(pte->pte);
	if (pte_none(ptev))
		return false;
	*pa = pte_pa(ptev) | (va & (PAGE_SIZE - 1));
	return true;
}

static uint64_t ref_seek_many(const struct ref_mm *mm, const uint64_t *va, size_t n,
			      uint64_t *faults)
{
	uint64_t sum = 0, nf = 0, pa;
	for (size_t i = 0; i < n; i++) {
		if (ref_seek(mm, va[i], &pa))
			sum += pa;
		else
			nf++;
	}
	*faults = nf;
	return sum;
}

/* ---- range scan (walk_page_range with the callbacks inlined) ------------------------ */

struct scan_acc {
	uint64_t sum, count;
};

static inline void scan_pte_range(const struct ref_mm *mm, uint64_t pmdv, uint64_t addr,
				  uint64_t end, struct scan_acc *acc)
{
	pte_t *pte = pte_offset_e(mm, pmdv, addr);
	do {
		uint64_t v = READ_ONCE(pte->pte);
		if (!pte_none(v)) {
			acc->count++;
			acc->sum += pte_pa(v);
		}
	} while (pte++, addr += PAGE_SIZE, addr != end);
}

static inline void scan_pmd_range(const struct ref_mm *mm, uint64_t pudv, uint64_t addr,
				  uint64_t end, struct scan_acc *acc)
{
	pmd_t *pmd = pmd_offset_e(mm, pudv, addr);
	uint64_t next;
	do {
		uint64_t v = READ_ONCE(pmd->pmd);
		next = pmd_addr_end(addr, end);
		if (pmd_none(v))
			continue;
		if (pmd_leaf(v)) {
			acc->count++;
			acc->sum += pmd_leaf_pa(v);
			continue;
		}
		scan_pte_range(mm, v, addr, next, acc);
	} while (pmd++, addr = next, addr != end);
}

static inline void scan_pud_range(const struct ref_mm *mm, p4d_t *p4d, uint64_t p4dv, uint64_t addr,
				  uint64_t end, struct scan_acc *acc)
{
	pud_t *pud = pud_offset_lockless(mm, p4d, p4dv, addr);
	uint64_t next;
	do {
		uint64_t v = READ_ONCE(pud->pud);
		next = pud_addr_end(addr, end);
		if (pud_none(v))
			continue;
		if (pud_leaf(v)) {
			acc->count++;
			acc->sum += pud_leaf_pa(v);
			continue;
		}
		scan_pmd_range(mm, v, addr, next, acc);
	} while (pud++, addr = next, addr != end);
}

static inline void scan_p4d_range(const struct ref_mm *mm, pgd_t *pgd, uint64_t addr, uint64_t end,
				  struct scan_acc *acc)
{
	p4d_t *p4d = p4d_offset(mm, pgd, addr);
	uint64_t next;
	do {
		uint64_t v = p4dp_get(p4d);
		next = p4d_addr_end(addr, end);
		if (p4d_none(v))
			continue;
		if (p4d_leaf(v)) {
			acc->count++;
			acc->sum += p4d_leaf_pa(v);
			continue;
		}
		scan_pud_range(mm, p4d, v, addr, next, acc);
	} while (p4d++, addr = next, addr != end);
}

static uint64_t ref_scan(const struct ref_mm *mm, uint64_t addr, uint64_t end, uint64_t *count)
{
	struct scan_acc acc = { 0, 0 };
	pgd_t *pgd = pgd_offset(mm, addr);
	uint64_t next;
	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none(READ_ONCE(pgd->pgd)))
			continue;
		scan_p4d_range(mm, pgd, addr, next, &acc);
	} while (pgd++, addr = next, addr != end);
	*count = acc.count;
	return acc.sum;
}

/* ---- map (vmap_range_noflush / ioremap_page_range with huge-page tries) ------------- */

/*
 * __pXd_alloc + pXd_populate: fill an empty entry with a new zeroed table of `bytes` from
 * the arena, linked by the level's table entry `mk` (mk_pud_table, ...).
 */
static inline int ref_populate(struct ref_mm *mm, uint64_t *entry, uint64_t bytes,
			       uint64_t (*mk)(uint64_t pa))
{
	uint64_t pa;
	if (mm->mem->alloc(mm->mem, bytes, &pa))
		return -PT_ENOMEM;
	WRITE_ONCE(*entry, mk(pa));
	return 0;
}
#ifndef REF_P4D_FOLDED
static inline int p4d_alloc(struct ref_mm *mm, pgd_t *pgd)
{
	return pgd_none(READ_ONCE(pgd->pgd))
		       ? ref_populate(mm, &pgd->pgd, P4D_TABLE_SIZE, mk_pgd_table)
		       : 0;
}
#endif
#ifdef REF_PUD_FOLDED
static inline int pud_alloc(struct ref_mm *mm, p4d_t *p4d)
{
	(void)mm;
	(void)p4d;
	return 0; /* pgtable-nopud.h: the pud is the p4d entry, nothing to allocate */
}
#else
static inline int pud_alloc(struct ref_mm *mm, p4d_t *p4d)
{
	return p4d_none(READ_ONCE(p4d->p4d))
		       ? ref_populate(mm, &p4d->p4d, PUD_TABLE_SIZE, mk_p4d_table)
		       : 0;
}
#endif
static inline int pmd_alloc(struct ref_mm *mm, pud_t *pud)
{
	return pud_none(READ_ONCE(pud->pud))
		       ? ref_populate(mm, &pud->pud, PMD_TABLE_SIZE, mk_pud_table)
		       : 0;
}
static inline int pte_alloc(struct ref_mm *mm, pmd_t *pmd)
{
	return pmd_none(READ_ONCE(pmd->pmd))
		       ? ref_populate(mm, &pmd->pmd, PTE_TABLE_SIZE, mk_pmd_table)
		       : 0;
}

static inline int map_pte_range(struct ref_mm *mm, pmd_t *pmd, uint64_t addr, uint64_t end,
				uint64_t pa, uint64_t prot)
{
	if (pte_alloc(mm, pmd))
		return -PT_ENOMEM;
	pte_t *pte = pte_offset(mm, pmd, addr);
	do {
		if (!pte_none(READ_ONCE(pte->pte)))
			return -PT_EEXIST;
		WRITE_ONCE(pte->pte, mk_leaf(pa, prot));
		pa += PAGE_SIZE;
	} while (pte++, addr += PAGE_SIZE, addr != end);
	return 0;
}

static inline int map_pmd_range(struct ref_mm *mm, pud_t *pud, uint64_t addr, uint64_t end,
				uint64_t pa, uint64_t psize, bool write)
{
	if (pmd_alloc(mm, pud))
		return -PT_ENOMEM;
	pmd_t *pmd = pmd_offset(mm, pud, addr);
	uint64_t next;
	int err;
	do {
		uint64_t v = READ_ONCE(pmd->pmd);
		next = pmd_addr_end(addr, end);
		if (psize >= PMD_SIZE && next - addr == PMD_SIZE && !(pa & ~PMD_MASK)) {
			if (!pmd_none(v))
				return -PT_EEXIST;
			WRITE_ONCE(pmd->pmd, mk_leaf(pa, leaf_prot(write, true)));
		} else {
			if (pmd_leaf(v))
				return -PT_EEXIST;
			err = map_pte_range(mm, pmd, addr, next, pa, leaf_prot(write, false));
			if (err)
				return err;
		}
		pa += next - addr;
	} while (pmd++, addr = next, addr != end);
	return 0;
}

static inline int map_pud_range(struct ref_mm *mm, p4d_t *p4d, uint64_t addr, uint64_t end,
				uint64_t pa, uint64_t psize, bool write)
{
	if (pud_alloc(mm, p4d))
		return -PT_ENOMEM;
	pud_t *pud = pud_offset(mm, p4d, addr);
	uint64_t next;
	int err;
	do {
		uint64_t v = READ_ONCE(pud->pud);
		next = pud_addr_end(addr, end);
		if (psize >= PUD_SIZE && next - addr == PUD_SIZE && !(pa & ~PUD_MASK)) {
			if (!pud_none(v))
				return -PT_EEXIST;
			WRITE_ONCE(pud->pud, mk_leaf(pa, leaf_prot(write, true)));
		} else {
			if (pud_leaf(v))
				return -PT_EEXIST;
			err = map_pmd_range(mm, pud, addr, next, pa, psize, write);
			if (err)
				return err;
		}
		pa += next - addr;
	} while (pud++, addr = next, addr != end);
	return 0;
}

static inline int map_p4d_range(struct ref_mm *mm, pgd_t *pgd, uint64_t addr, uint64_t end,
				uint64_t pa, uint64_t psize, bool write)
{
#ifndef REF_P4D_FOLDED
	if (p4d_alloc(mm, pgd))
		return -PT_ENOMEM;
#endif
	p4d_t *p4d = p4d_offset(mm, pgd, addr);
	uint64_t next;
	int err;
	do {
		next = p4d_addr_end(addr, end);
		if (p4d_leaf(p4dp_get(p4d)))
			return -PT_EEXIST;
		err = map_pud_range(mm, p4d, addr, next, pa, psize, write);
		if (err)
			return err;
		pa += next - addr;
	} while (p4d++, addr = next, addr != end);
	return 0;
}

static int ref_map(struct ref_mm *mm, uint64_t addr, uint64_t pa, uint64_t size, uint64_t psize,
		   bool write)
{
	uint64_t end = addr + size, next;
	pgd_t *pgd = pgd_offset(mm, addr);
	int err;
	do {
		next = pgd_addr_end(addr, end);
		err = map_p4d_range(mm, pgd, addr, next, pa, psize, write);
		if (err)
			return err;
		pa += next - addr;
	} while (pgd++, addr = next, addr != end);
	return 0;
}

/* One 4K page: pXd_alloc at every level, then set_pte (as a fault handler would). */
static inline int ref_map_one(struct ref_mm *mm, uint64_t va, uint64_t pa, uint64_t prot)
{
	pgd_t *pgd = pgd_offset(mm, va);
#ifndef REF_P4D_FOLDED
	if (p4d_alloc(mm, pgd))
		return -PT_ENOMEM;
#endif
	p4d_t *p4d = p4d_offset(mm, pgd, va);
	if (p4d_leaf(p4dp_get(p4d)))
		return -PT_EEXIST;
	if (pud_alloc(mm, p4d))
		return -PT_ENOMEM;
	pud_t *pud = pud_offset(mm, p4d, va);
	if (pud_leaf(READ_ONCE(pud->pud)))
		return -PT_EEXIST;
	if (pmd_alloc(mm, pud))
		return -PT_ENOMEM;
	pmd_t *pmd = pmd_offset(mm, pud, va);
	if (pmd_leaf(READ_ONCE(pmd->pmd)))
		return -PT_EEXIST;
	if (pte_alloc(mm, pmd))
		return -PT_ENOMEM;
	pte_t *pte = pte_offset(mm, pmd, va);
	if (!pte_none(READ_ONCE(pte->pte)))
		return -PT_EEXIST;
	WRITE_ONCE(pte->pte, mk_leaf(pa, prot));
	return 0;
}

static int ref_map_pages(struct ref_mm *mm, const uint64_t *va, size_t n, uint64_t pa_off,
			 bool write)
{
	uint64_t prot = leaf_prot(write, false);
	for (size_t i = 0; i < n; i++) {
		int err = ref_map_one(mm, va[i], va[i] + pa_off, prot);
		if (err)
			return err;
	}
	return 0;
}

/* ---- unmap (vunmap_range + free_pgd_range: free tables the range empties) ----------- */

static inline void tlb_adjust(struct ref_tlb *tlb, uint64_t start, uint64_t end)
{
	if (start < tlb->start)
		tlb->start = start;
	if (end > tlb->end)
		tlb->end = end;
}

static inline bool table_empty(const uint64_t *t, int nr)
{
	for (int i = 0; i < nr; i++)
		if (!pte_none(READ_ONCE(t[i])))
			return false;
	return true;
}

/*
 * After clearing [addr, next) below entry *e (pointing at the table at pa, nr entries):
 * free that table when the range covered all of it (no scan needed, as free_pgd_range
 * knows) or when it is now empty.
 */
static inline void free_child(struct ref_mm *mm, uint64_t *e, uint64_t pa, int nr, uint64_t addr,
			      uint64_t next, uint64_t span, struct ref_tlb *tlb)
{
	if (next - addr != span && !table_empty(ref_va(mm, pa), nr))
		return;
	WRITE_ONCE(*e, 0);
	mm->mem->free(mm->mem, pa, (uint64_t)nr * 8);
	tlb->tables_freed++;
}

static inline void unmap_pte_range(struct ref_mm *mm, uint64_t pmdv, uint64_t addr, uint64_t end,
				   struct ref_tlb *tlb)
{
	pte_t *pte = pte_offset_e(mm, pmdv, addr);
	uint64_t start = addr;
	do {
		if (!pte_none(READ_ONCE(pte->pte)))
			WRITE_ONCE(pte->pte, 0);
	} while (pte++, addr += PAGE_SIZE, addr != end);
	tlb_adjust(tlb, start, end);
}

static inline int unmap_pmd_range(struct ref_mm *mm, uint64_t pudv, uint64_t addr, uint64_t end,
				  struct ref_tlb *tlb)
{
	pmd_t *pmd = pmd_offset_e(mm, pudv, addr);
	uint64_t next;
	do {
		uint64_t v = READ_ONCE(pmd->pmd);
		next = pmd_addr_end(addr, end);
		if (pmd_none(v))
			continue;
		if (pmd_leaf(v)) {
			if (next - addr != PMD_SIZE)
				return -PT_EINVAL; /* splitting is not part of the reference */
			WRITE_ONCE(pmd->pmd, 0);
			tlb_adjust(tlb, addr, next);
			continue;
		}
		unmap_pte_range(mm, v, addr, next, tlb);
		free_child(mm, &pmd->pmd, pmd_table_pa(v), PTRS_PER_PTE, addr, next, PMD_SIZE, tlb);
	} while (pmd++, addr = next, addr != end);
	return 0;
}

static inline int unmap_pud_range(struct ref_mm *mm, p4d_t *p4d, uint64_t p4dv, uint64_t addr,
				  uint64_t end, struct ref_tlb *tlb)
{
	pud_t *pud = pud_offset_lockless(mm, p4d, p4dv, addr);
	uint64_t next;
	do {
		uint64_t v = READ_ONCE(pud->pud);
		next = pud_addr_end(addr, end);
		if (pud_none(v))
			continue;
		if (pud_leaf(v)) {
			if (next - addr != PUD_SIZE)
				return -PT_EINVAL;
			WRITE_ONCE(pud->pud, 0);
			tlb_adjust(tlb, addr, next);
			continue;
		}
		if (unmap_pmd_range(mm, v, addr, next, tlb))
			return -PT_EINVAL;
		free_child(mm, &pud->pud, pud_table_pa(v), PTRS_PER_PMD, addr, next, PUD_SIZE, tlb);
	} while (pud++, addr = next, addr != end);
	return 0;
}

static inline int unmap_p4d_range(struct ref_mm *mm, pgd_t *pgd, uint64_t addr, uint64_t end,
				  struct ref_tlb *tlb)
{
	p4d_t *p4d = p4d_offset(mm, pgd, addr);
	uint64_t next;
	do {
		uint64_t v = p4dp_get(p4d);
		next = p4d_addr_end(addr, end);
		if (p4d_none(v))
			continue;
		if (p4d_leaf(v)) {
			if (next - addr != P4D_SIZE)
				return -PT_EINVAL;
			WRITE_ONCE(p4d->p4d, 0);
			tlb_adjust(tlb, addr, next);
			continue;
		}
		if (unmap_pud_range(mm, p4d, v, addr, next, tlb))
			return -PT_EINVAL;
#ifndef REF_PUD_FOLDED
		free_child(mm, &p4d->p4d, p4d_table_pa(v), PTRS_PER_PUD, addr, next, P4D_SIZE, tlb);
#endif
	} while (p4d++, addr = next, addr != end);
	return 0;
}

static int ref_unmap(struct ref_mm *mm, uint64_t addr, uint64_t size, struct ref_tlb *tlb)
{
	uint64_t end = addr + size, next;
	pgd_t *pgd = pgd_offset(mm, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none(READ_ONCE(pgd->pgd)))
			continue;
		if (unmap_p4d_range(mm, pgd, addr, next, tlb))
			return -PT_EINVAL;
#ifndef REF_P4D_FOLDED
		free_child(mm, &pgd->pgd, pgd_table_pa(READ_ONCE(pgd->pgd)), PTRS_PER_P4D, addr,
			   next, PGDIR_SIZE, tlb);
#endif
	} while (pgd++, addr = next, addr != end);
	return 0;
}

/* ---- protect (change_protection: change_pte_range and friends) --------------------- */

static inline void protect_pte_range(struct ref_mm *mm, uint64_t pmdv, uint64_t addr, uint64_t end,
				     bool write, struct ref_tlb *tlb)
{
	pte_t *pte = pte_offset_e(mm, pmdv, addr);
	bool changed = false;
	uint64_t start = addr;
	do {
		uint64_t v = READ_ONCE(pte->pte);
		if (pte_none(v))
			continue;
		uint64_t nv = pte_modify_rw(v, write);
		if (nv != v) {
			/*
			 * ptep_modify_prot_start / commit: take the entry with an exchange so an
			 * accessed / dirty bit the MMU sets meanwhile is kept, then store the new.
			 */
			v = __atomic_exchange_n(&pte->pte, 0, __ATOMIC_ACQ_REL);
			WRITE_ONCE(pte->pte, pte_modify_rw(v, write));
			changed = true;
		}
	} while (pte++, addr += PAGE_SIZE, addr != end);
	if (changed)
		tlb_adjust(tlb, start, end);
}

static inline int protect_pmd_range(struct ref_mm *mm, uint64_t pudv, uint64_t addr, uint64_t end,
				    bool write, struct ref_tlb *tlb)
{
	pmd_t *pmd = pmd_offset_e(mm, pudv, addr);
	uint64_t next;
	do {
		uint64_t v = READ_ONCE(pmd->pmd);
		next = pmd_addr_end(addr, end);
		if (pmd_none(v))
			continue;
		if (pmd_leaf(v)) {
			if (next - addr != PMD_SIZE)
				return -PT_EINVAL;
			uint64_t nv = pte_modify_rw(v, write);
			if (nv != v) {
				WRITE_ONCE(pmd->pmd, nv);
				tlb_adjust(tlb, addr, next);
			}
			continue;
		}
		protect_pte_range(mm, v, addr, next, write, tlb);
	} while (pmd++, addr = next, addr != end);
	return 0;
}

static inline int protect_pud_range(struct ref_mm *mm, p4d_t *p4d, uint64_t p4dv, uint64_t addr,
				    uint64_t end, bool write, struct ref_tlb *tlb)
{
	pud_t *pud = pud_offset_lockless(mm, p4d, p4dv, addr);
	uint64_t next;
	do {
		uint64_t v = READ_ONCE(pud->pud);
		next = pud_addr_end(addr, end);
		if (pud_none(v))
			continue;
		if (pud_leaf(v)) {
			if (next - addr != PUD_SIZE)
				return -PT_EINVAL;
			uint64_t nv = pte_modify_rw(v, write);
			if (nv != v) {
				WRITE_ONCE(pud->pud, nv);
				tlb_adjust(tlb, addr, next);
			}
			continue;
		}
		if (protect_pmd_range(mm, v, addr, next, write, tlb))
			return -PT_EINVAL;
	} while (pud++, addr = next, addr != end);
	return 0;
}

static int ref_protect(struct ref_mm *mm, uint64_t addr, uint64_t size, bool write,
		       struct ref_tlb *tlb)
{
	uint64_t end = addr + size, next, next4;
	pgd_t *pgd = pgd_offset(mm, addr);
	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none(READ_ONCE(pgd->pgd)))
			continue;
		p4d_t *p4d = p4d_offset(mm, pgd, addr);
		uint64_t a4 = addr;
		do {
			uint64_t v = p4dp_get(p4d);
			next4 = p4d_addr_end(a4, next);
			if (p4d_none(v))
				continue;
			if (p4d_leaf(v)) {
				if (next4 - a4 != P4D_SIZE)
					return -PT_EINVAL;
				uint64_t nv = pte_modify_rw(v, write);
				if (nv != v) {
					WRITE_ONCE(p4d->p4d, nv);
					tlb_adjust(tlb, a4, next4);
				}
				continue;
			}
			if (protect_pud_range(mm, p4d, v, a4, next4, write, tlb))
				return -PT_EINVAL;
		} while (p4d++, a4 = next4, a4 != next);
	} while (pgd++, addr = next, addr != end);
	return 0;
}

/* ---- GUP-fast (mm/gup.c gup_fast_pgd_range and friends) ----------------------------- */

struct gup_acc {
	uint32_t *pins;
	uint64_t pfn_base;
	uint64_t nr;
};

/* record_subpages + try_grab_folio: one reference per 4K page of a huge leaf at leaf_pa. */
static inline void gup_huge(struct gup_acc *g, uint64_t leaf_pa, uint64_t mask, uint64_t addr,
			    uint64_t end)
{
	uint64_t pfn = (leaf_pa + (addr & ~mask)) >> PAGE_SHIFT;
	uint32_t *p = g->pins + (pfn - g->pfn_base);
	uint64_t n = (end - addr) >> PAGE_SHIFT;
	for (uint64_t i = 0; i < n; i++)
		p[i]++;
	g->nr += n;
}

static inline bool gup_pte_range(const struct ref_mm *mm, uint64_t pmdv, uint64_t addr,
				 uint64_t end, struct gup_acc *g)
{
	pte_t *ptep = pte_offset_e(mm, pmdv, addr);
	do {
		uint64_t pte = READ_ONCE(ptep->pte);
		if (pte_none(pte))
			return false;
		g->pins[(pte_pa(pte) >> PAGE_SHIFT) - g->pfn_base]++;
		g->nr++;
	} while (ptep++, addr += PAGE_SIZE, addr != end);
	return true;
}

static inline bool gup_pmd_range(const struct ref_mm *mm, uint64_t pudv, uint64_t addr,
				 uint64_t end, struct gup_acc *g)
{
	pmd_t *pmdp = pmd_offset_e(mm, pudv, addr);
	uint64_t next;
	do {
		uint64_t pmd = READ_ONCE(pmdp->pmd);
		next = pmd_addr_end(addr, end);
		if (pmd_none(pmd))
			return false;
		if (pmd_leaf(pmd))
			gup_huge(g, pmd_leaf_pa(pmd), PMD_MASK, addr, next);
		else if (!gup_pte_range(mm, pmd, addr, next, g))
			return false;
	} while (pmdp++, addr = next, addr != end);
	return true;
}

static inline bool gup_pud_range(const struct ref_mm *mm, p4d_t *p4dp, uint64_t p4d, uint64_t addr,
				 uint64_t end, struct gup_acc *g)
{
	pud_t *pudp = pud_offset_lockless(mm, p4dp, p4d, addr);
	uint64_t next;
	do {
		uint64_t pud = READ_ONCE(pudp->pud);
		next = pud_addr_end(addr, end);
		if (pud_none(pud))
			return false;
		if (pud_leaf(pud))
			gup_huge(g, pud_leaf_pa(pud), PUD_MASK, addr, next);
		else if (!gup_pmd_range(mm, pud, addr, next, g))
			return false;
	} while (pudp++, addr = next, addr != end);
	return true;
}

static uint64_t ref_gup_fast(const struct ref_mm *mm, uint64_t addr, uint64_t end, uint32_t *pins,
			     uint64_t pfn_base)
{
	struct gup_acc g = { pins, pfn_base, 0 };
	pgd_t *pgdp = pgd_offset(mm, addr);
	uint64_t next, next4;
	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none(READ_ONCE(pgdp->pgd)))
			break;
		p4d_t *p4dp = p4d_offset(mm, pgdp, addr);
		uint64_t a4 = addr;
		do {
			uint64_t p4d = p4dp_get(p4dp);
			next4 = p4d_addr_end(a4, next);
			if (p4d_none(p4d))
				return g.nr;
			if (p4d_leaf(p4d))
				gup_huge(&g, p4d_leaf_pa(p4d), P4D_MASK, a4, next4);
			else if (!gup_pud_range(mm, p4dp, p4d, a4, next4, &g))
				return g.nr;
		} while (p4dp++, a4 = next4, a4 != next);
	} while (pgdp++, addr = next, addr != end);
	return g.nr;
}

const struct ref_format REF_SYM = {
	.name = REF_NAME,
	.seek_many = ref_seek_many,
	.scan = ref_scan,
	.map = ref_map,
	.map_pages = ref_map_pages,
	.unmap = ref_unmap,
	.protect = ref_protect,
	.gup_fast = ref_gup_fast,
};
