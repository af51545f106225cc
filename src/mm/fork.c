// SPDX-License-Identifier: MIT
/*
 * mm_fork: copy an address space leaf by leaf (Linux copy_page_range). All or nothing:
 * first the child is built while the parent's tables stay untouched (each leaf recorded),
 * then the parent's shared anonymous leaves are write-protected by steps that cannot fail.
 */
#include <stdlib.h>
#include <string.h>

#include "mm_internal.h"

/* One leaf (or group) of the parent, as the child maps it. */
struct fork_rec {
	uint64_t va, size;
	struct mm_page *child_head; /* the folio the child's leaf maps; NULL: PFN map */
	struct mm_page *shared;	    /* anon folio now shared: not exclusive at commit */
	uint32_t wrprotect;	    /* nonzero: the parent's leaf becomes these rights */
};

struct fork_ctx {
	struct mm *child, *parent;
	struct pt_gather g; /* the child's */
	struct fork_rec *recs;
	size_t nr, cap;
};

static unsigned order_of(const struct mm *mm, uint64_t size)
{
	unsigned o = 0;
	while ((mm->page_size << o) < size)
		o++;
	return o;
}

static int fork_leaf(struct fork_ctx *c, const struct mm_vma *vma, struct mm_walk_state *st)
{
	struct mm *parent = c->parent, *child = c->child;
	const uint64_t size = mm_walk_group_size(st), va = st->va & ~(size - 1);
	const uint32_t prot = mm_walk_prot(st);
	const uint32_t rights = prot & PT_PROT_REQUEST & ~(uint32_t)(PT_YOUNG | PT_DIRTY);
	struct fork_rec r = { .va = va, .size = size };
	struct pt_map_req req = { .va = va,
				  .pa = mm_walk_leaf_pa(st) - (mm_walk_leaf_va(st) - va),
				  .size = size,
				  .prot = prot & PT_PROT_REQUEST,
				  .page_sizes = size };
	uint64_t frames = size >> parent->pfdb->page_shift;
	int err;

	if (c->nr == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct fork_rec *n = realloc(c->recs, cap * sizeof(*n));
		if (!n)
			return mm__fail(-PT_ENOMEM, va, "fork: no memory for the leaf records");
		c->recs = n;
		c->cap = cap;
	}
	if (!(prot & PT_SPECIAL)) {
		r.child_head = mm_folio_of(parent->pfdb, req.pa, NULL);
		if (!r.child_head)
			return mm__fail(-PT_EFAULT, va, "fork: a leaf maps no folio");
	}
	if (r.child_head && vma->kind == MM_VMA_ANON) {
		uint32_t flags = __atomic_load_n(&r.child_head->flags, __ATOMIC_ACQUIRE);

		if ((flags & MM_PG_ANON_EXCL) && mm_folio_pinned(r.child_head)) {
			/* Pinned: the parent keeps the page (and its writable leaf), the child a
			 * copy. */
			uint64_t pa;

			err = mm_folio_alloc(parent->pfdb, order_of(parent, size), MM_PG_ANON_EXCL,
					     &pa);
			if (err)
				return mm__fail(err, va, "fork: no frames to copy a pinned page");
			if (child->copy_page)
				child->copy_page(child, pa, req.pa, size);
			req.pa = pa;
			r.child_head = mm_folio_of(parent->pfdb, pa, NULL);
		} else {
			r.shared = r.child_head;
			req.prot &= ~(uint32_t)PT_W;
			if (prot & PT_W)
				r.wrprotect = rights & ~(uint32_t)PT_W;
		}
	}
	err = pt_map(&child->pt, &req, &c->g);
	if (err) {
		if (r.child_head && !r.shared && vma->kind == MM_VMA_ANON)
			mm_folio_put(parent->pfdb, r.child_head, 1); /* the copy */
		return mm__fail(err, va, "fork: cannot map the leaf in the child");
	}
	if (r.child_head)
		__atomic_fetch_add(&r.child_head->mapcount, frames, __ATOMIC_RELAXED);
	c->recs[c->nr++] = r;
	if (r.child_head && !r.shared && vma->kind == MM_VMA_ANON)
		return 0; /* a fresh copy */
	/* Otherwise the child's leaf starts old (Linux copy_present_pte), and clean where the
	 * mapping is shared (the parent's leaf keeps the write-back). */
	err = pt_set_accessed(
		&child->pt, va, size, 0,
		PT_YOUNG | (vma->kind == MM_VMA_FILE || vma->kind == MM_VMA_HUGETLB ? PT_DIRTY : 0),
		&c->g);
	return err ? mm__fail(err, va, "fork: cannot make the child's leaf old") : 0;
}

/* Take back what the child got: its leaves, the folios' mapcounts, the copies. */
static void fork_undo(struct fork_ctx *c)
{
	struct mm *child = c->child;

	for (unsigned i = 0; i < child->nr_vmas; i++)
		(void)pt_unmap(&child->pt, child->vmas[i].start,
			       child->vmas[i].end - child->vmas[i].start, &c->g);
	pt_gather_flush(&c->g);
	for (size_t i = 0; i < c->nr; i++) {
		struct mm_page *h = c->recs[i].child_head;
		uint64_t frames = c->recs[i].size >> child->pfdb->page_shift;

		if (h && __atomic_sub_fetch(&h->mapcount, frames, __ATOMIC_RELAXED) == 0)
			mm_folio_put(child->pfdb, h, 1);
	}
	child->nr_vmas = 0;
	mm__sync_tables(child);
}

/* The parent's side, which cannot fail: shared folios lose exclusivity, leaves lose W. */
static int fork_commit(struct fork_ctx *c)
{
	struct mm *parent = c->parent;
	struct pt_gather g;
	int err = 0;

	mm__gather_init(parent, &g);
	for (size_t i = 0; i < c->nr; i++) {
		const struct fork_rec *r = &c->recs[i];

		if (r->shared)
			__atomic_fetch_and(&r->shared->flags, ~(uint32_t)MM_PG_ANON_EXCL,
					   __ATOMIC_RELEASE);
		/* A whole leaf or group: nothing to split, nothing to allocate. */
		if (r->wrprotect) {
			int e = pt_protect(&parent->pt, r->va, r->size, r->wrprotect, &g);
			if (e && !err)
				err = mm__fail(e, r->va, "fork: write-protect failed (bug)");
		}
	}
	pt_gather_flush(&g);
	mm__sync_tables(parent);
	return err;
}

int mm_fork(struct mm *child, struct mm *parent)
{
	struct fork_ctx c = { .child = child, .parent = parent };
	struct mm_walk_state st;
	int err = 0;

	mm__enter(parent, "mm_fork");
	if (child == parent || child->pfdb != parent->pfdb || child->pt.fmt != parent->pt.fmt ||
	    child->nr_vmas)
		return mm__leave(parent, mm__fail(-PT_EINVAL, 0,
						  "fork: the child must be a new address space of "
						  "the same format and frames"));
	mm_lock(child);
	/*
	 * From here GUP-fast pins nothing, or gives back what it took: its last step is a
	 * read-modify-write of this count (gup.c). Ours either comes after it, and then we see
	 * its pins, or before, and then it sees the count move.
	 */
	__atomic_fetch_add(&parent->write_protect_seq, 1, __ATOMIC_ACQ_REL);
	if (mm__vma_reserve(child, parent->nr_vmas))
		err = mm__fail(-PT_ENOMEM, 0, "fork: no memory for the VMA array");
	else if (parent->nr_vmas) {
		memcpy(child->vmas, parent->vmas, parent->nr_vmas * sizeof(*child->vmas));
		child->nr_vmas = parent->nr_vmas;
	}
	mm__gather_init(child, &c.g);
	mm_walk_init(&st, &parent->pt);
	for (unsigned i = 0; !err && i < parent->nr_vmas; i++) {
		const struct mm_vma *v = &parent->vmas[i];
		uint64_t done = v->start;

		for_each_pt_leaf (&st, &parent->pt, v->start, v->end) {
			if (st.va < done) /* another member of a group already copied */
				continue;
			err = fork_leaf(&c, v, &st);
			if (err)
				break;
			done = (st.va & ~(mm_walk_group_size(&st) - 1)) + mm_walk_group_size(&st);
		}
		if (!err && st.err)
			err = mm__fail(st.err, v->start, "fork: the walk failed");
	}
	if (err)
		fork_undo(&c);
	else {
		pt_gather_flush(&c.g);
		err = fork_commit(&c);
	}
	__atomic_fetch_add(&parent->write_protect_seq, 1, __ATOMIC_RELEASE);
	free(c.recs);
	mm_unlock(child);
	return mm__leave(parent, err);
}
