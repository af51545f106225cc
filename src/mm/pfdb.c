// SPDX-License-Identifier: MIT
/*
 * The page-frame database: a sparse set of block descriptors (folio heads and free buddy
 * blocks; tails are computed), a buddy allocator for folios of any order, folio split,
 * and the reference / pin accounting GUP uses (see include/ptkit/mm.h).
 *
 * Where a block's descriptor lives depends only on (index, order): order >= sect_order
 * -> big[index >> sect_order], else sect[index >> sect_order][index & mask]. A frame finds
 * its head by trying every order from 0 up (the naturally aligned block of that order
 * around it): the first descriptor found that is a head or free block covering the frame
 * is it. Descriptors are published with release stores and read with acquire loads, so
 * the lockless GUP-fast path can probe them: a head's flags (what a probe reads first) and
 * then its refcount (what GUP-fast's try-get reads first) are stored last. GUP-fast
 * validates what it found after taking a reference (a folio with a reference cannot be
 * freed or split).
 */
#include <stdlib.h>
#include <string.h>

#include "ptkit/mm.h"

static uint32_t ld(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static void st32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static struct mm_page *sect_of(const struct mm_pfdb *db, uint64_t idx)
{
	return __atomic_load_n(&db->sect[idx >> db->sect_order], __ATOMIC_ACQUIRE);
}

/* The descriptor of the block (idx, order), or NULL: a small block of an absent section. */
static struct mm_page *desc(const struct mm_pfdb *db, uint64_t idx, unsigned order)
{
	struct mm_page *s;

	if (order >= db->sect_order)
		return &db->big[idx >> db->sect_order];
	s = sect_of(db, idx);
	return s ? &s[idx & ((1ull << db->sect_order) - 1)] : NULL;
}

/* Make sure the blocks of order < sect_order around idx have descriptors (lock held). */
static int sect_need(struct mm_pfdb *db, uint64_t idx, unsigned order)
{
	struct mm_page *s;

	if (order >= db->sect_order || sect_of(db, idx))
		return 0;
	s = calloc(1ull << db->sect_order, sizeof(*s));
	if (!s)
		return -PT_ENOMEM;
	__atomic_store_n(&db->sect[idx >> db->sect_order], s, __ATOMIC_RELEASE);
	db->sections_live++;
	return 0;
}

static void list_push(struct mm_pfdb *db, unsigned o, uint64_t idx)
{
	struct mm_page *p = desc(db, idx, o); /* the caller made its section exist */

	p->pfn = idx;
	p->prev = NULL;
	p->next = db->free_head[o];
	if (p->next)
		p->next->prev = p;
	db->free_head[o] = p;
	__atomic_store_n(&p->order, o, __ATOMIC_RELAXED);
	st32(&p->flags, MM_PG_FREE);
}

static void list_del(struct mm_pfdb *db, unsigned o, struct mm_page *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		db->free_head[o] = p->next;
	if (p->next)
		p->next->prev = p->prev;
	st32(&p->flags, 0);
}

static unsigned log2_ceil(uint64_t n)
{
	unsigned b = 0;
	while (b < 63 && (1ull << b) < n)
		b++;
	return b;
}

int mm_pfdb_init(struct mm_pfdb *db, uint64_t base, uint64_t size, unsigned page_shift)
{
	uint64_t nr = page_shift < 64 ? size >> page_shift : 0;

	memset(db, 0, sizeof(*db));
	if (page_shift < 12 || page_shift > 30 || !nr || nr > (1ull << 48) || base + size < base ||
	    ((base | size) & ((1ull << page_shift) - 1)))
		return -PT_EINVAL;
	db->base = base;
	db->size = size;
	db->page_shift = page_shift;
	db->nr = nr;
	while (db->max_order < 62 && (2ull << db->max_order) <= nr &&
	       !((base >> page_shift) & ((2ull << db->max_order) - 1)))
		db->max_order++;
	/* At most 2^18 sections; a section's per-frame array at least 512 descriptors. */
	db->sect_order = log2_ceil(nr) > 18 + 9 ? log2_ceil(nr) - 18 : 9;
	db->nr_sect = ((nr - 1) >> db->sect_order) + 1;
	db->sect = calloc(db->nr_sect, sizeof(*db->sect));
	db->big = calloc(db->nr_sect, sizeof(*db->big));
	if (!db->sect || !db->big) {
		mm_pfdb_fini(db);
		return -PT_ENOMEM;
	}
	/* Carve the region into the largest naturally aligned blocks. */
	for (uint64_t i = 0; i < nr;) {
		unsigned o = db->max_order;
		while (o && ((i & ((1ull << o) - 1)) || i + (1ull << o) > nr))
			o--;
		if (sect_need(db, i, o)) {
			mm_pfdb_fini(db);
			return -PT_ENOMEM;
		}
		list_push(db, o, i);
		i += 1ull << o;
	}
	pthread_mutex_init(&db->lock, NULL);
	return 0;
}

void mm_pfdb_fini(struct mm_pfdb *db)
{
	if (db->nr && db->sect && db->big)
		pthread_mutex_destroy(&db->lock);
	for (uint64_t s = 0; db->sect && s < db->nr_sect; s++)
		free(db->sect[s]);
	free(db->sect);
	free(db->big);
	memset(db, 0, sizeof(*db));
}

/* Turn the free block at p (idx) into a folio head of `order` (lock held). */
static void make_head(struct mm_pfdb *db, struct mm_page *p, uint64_t idx, unsigned order,
		      uint32_t flags, uint32_t refs, uint64_t mapped)
{
	p->pfn = idx;
	__atomic_store_n(&p->pincount, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->mapcount, mapped, __ATOMIC_RELAXED);
	__atomic_store_n(&p->order, order, __ATOMIC_RELAXED);
	/* Last, with release: flags (a probe starts there), refcount (a try-get starts there). */
	st32(&p->flags, MM_PG_HEAD | (flags & ~(uint32_t)(MM_PG_HEAD | MM_PG_FREE)));
	st32(&p->refcount, refs);
	(void)db;
}

int mm_folio_alloc(struct mm_pfdb *db, unsigned order, uint32_t flags, uint64_t *pa)
{
	unsigned o = order;
	uint64_t i;
	struct mm_page *p;

	if (order > db->max_order)
		return -PT_ENOMEM;
	pthread_mutex_lock(&db->lock);
	while (o <= db->max_order && !db->free_head[o])
		o++;
	if (o > db->max_order || sect_need(db, db->free_head[o]->pfn, order)) {
		pthread_mutex_unlock(&db->lock);
		return -PT_ENOMEM;
	}
	p = db->free_head[o];
	i = p->pfn;
	list_del(db, o, p);
	while (o > order) { /* keep the lower half, free the upper */
		o--;
		list_push(db, o, i + (1ull << o));
	}
	make_head(db, desc(db, i, order), i, order, flags, 1, 0);
	db->folios_live++;
	db->folios_alloced++;
	pthread_mutex_unlock(&db->lock);
	*pa = db->base + (i << db->page_shift);
	return 0;
}

static void folio_free(struct mm_pfdb *db, struct mm_page *head)
{
	uint64_t i = head->pfn;
	unsigned o = head->order;

	pthread_mutex_lock(&db->lock);
	st32(&head->flags, 0);
	while (o < db->max_order) {
		uint64_t b = i ^ (1ull << o);
		struct mm_page *bp = b < db->nr ? desc(db, b, o) : NULL;
		if (!bp || ld(&bp->flags) != MM_PG_FREE || bp->order != o || bp->pfn != b)
			break;
		list_del(db, o, bp);
		if (b < i)
			i = b;
		o++;
	}
	list_push(db, o, i);
	db->folios_live--;
	pthread_mutex_unlock(&db->lock);
}

/* mm_folio_of from order 0 up: the first head or free block covering frame idx. */
static struct mm_page *folio_search(struct mm_pfdb *db, uint64_t idx, uint64_t *head_pa)
{
	for (unsigned o = 0; o <= db->max_order; o++) {
		uint64_t c = idx & ~((1ull << o) - 1);
		struct mm_page *p = desc(db, c, o);
		uint32_t f, ord;

		if (!p) { /* no per-frame array: no block smaller than a section here */
			o = db->sect_order - 1;
			continue;
		}
		f = ld(&p->flags);
		if (!(f & (MM_PG_HEAD | MM_PG_FREE)))
			continue;
		ord = __atomic_load_n(&p->order, __ATOMIC_RELAXED);
		if (ord > db->max_order || ord < o || c + (1ull << ord) <= idx ||
		    (ord >= db->sect_order) != (o >= db->sect_order))
			continue;
		if (!(f & MM_PG_HEAD))
			return NULL;
		if (head_pa)
			*head_pa = db->base + (c << db->page_shift);
		return p;
	}
	return NULL;
}

struct mm_page *mm_folio_of(struct mm_pfdb *db, uint64_t pa, uint64_t *head_pa)
{
	uint64_t idx;
	struct mm_page *s;

	if (pa < db->base || pa - db->base >= db->size)
		return NULL;
	idx = (pa - db->base) >> db->page_shift;
	/*
	 * The search's first step, inline: the frame's own descriptor heads a small folio
	 * (every order-0 folio, the head frame of the others). Anything else: the search.
	 */
	s = sect_of(db, idx);
	if (s) {
		struct mm_page *p = &s[idx & ((1ull << db->sect_order) - 1)];

		if (ld(&p->flags) & MM_PG_HEAD) {
			uint32_t ord = __atomic_load_n(&p->order, __ATOMIC_RELAXED);

			if (ord < db->sect_order && ord <= db->max_order) {
				if (head_pa)
					*head_pa = db->base + (idx << db->page_shift);
				return p;
			}
		}
	}
	return folio_search(db, idx, head_pa);
}

uint64_t mm_page_pa(const struct mm_pfdb *db, const struct mm_page *pg)
{
	return db->base + (pg->pfn << db->page_shift);
}

void mm_folio_get(struct mm_page *head, uint32_t refs)
{
	__atomic_fetch_add(&head->refcount, refs, __ATOMIC_RELAXED);
}

void mm_folio_put(struct mm_pfdb *db, struct mm_page *head, uint32_t refs)
{
	if (__atomic_sub_fetch(&head->refcount, refs, __ATOMIC_ACQ_REL) == 0)
		folio_free(db, head);
}

bool mm_folio_pinned(const struct mm_page *head)
{
	if (__atomic_load_n(&head->order, __ATOMIC_RELAXED))
		return __atomic_load_n(&head->pincount, __ATOMIC_RELAXED) > 0;
	return __atomic_load_n(&head->refcount, __ATOMIC_RELAXED) >= MM_PIN_BIAS;
}

int mm_folio_split_prepare(struct mm_pfdb *db, struct mm_page *head, unsigned new_order)
{
	int err;

	if (new_order >= __atomic_load_n(&head->order, __ATOMIC_RELAXED))
		return -PT_EINVAL;
	/* Every section the pieces fall in needs its per-frame array (kept on failure). */
	pthread_mutex_lock(&db->lock);
	err = 0;
	for (uint64_t i = head->pfn, end = i + (1ull << head->order); !err && i < end;
	     i += 1ull << db->sect_order)
		err = sect_need(db, i, new_order);
	pthread_mutex_unlock(&db->lock);
	return err;
}

void mm_folio_split_commit(struct mm_pfdb *db, struct mm_page *head, unsigned new_order)
{
	uint64_t i = head->pfn, n = 1ull << (head->order - new_order);
	uint64_t each = 1ull << new_order;
	uint32_t flags = ld(&head->flags);

	pthread_mutex_lock(&db->lock);
	/* Tails first, the old head last: a prober sees the old folio or a new one. */
	for (uint64_t k = n; k-- > 0;) {
		struct mm_page *p = desc(db, i + k * each, new_order);
		if (k == 0 && p != head)
			st32(&head->flags, 0); /* big[] head -> per-frame head */
		make_head(db, p, i + k * each, new_order, flags, 1, each);
	}
	db->folios_live += n - 1;
	db->folios_alloced += n - 1;
	pthread_mutex_unlock(&db->lock);
}
