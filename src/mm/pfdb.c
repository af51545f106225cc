// SPDX-License-Identifier: MIT
/*
 * The page-frame database: one struct mm_page per frame, a buddy allocator for folios of
 * any order, and the reference / pin accounting GUP uses (see include/ptkit/mm.h).
 *
 * Only block heads carry state (flags != 0); a frame finds its head by pfn arithmetic:
 * the smallest naturally aligned block around it whose first frame is a head covering
 * it. Heads are published with release stores and read with acquire loads, so the
 * lockless GUP-fast path can probe them; it validates what it found after taking a
 * reference (a folio with a reference cannot be freed).
 */
#include <stdlib.h>
#include <string.h>

#include "ptkit/mm.h"

#define NONE UINT32_MAX

static uint32_t ld(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static void st32(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

static void list_push(struct mm_pfdb *db, unsigned o, uint32_t i)
{
	struct mm_page *p = &db->pages[i];

	p->prev = NONE;
	p->next = db->free_head[o];
	if (p->next != NONE)
		db->pages[p->next].prev = i;
	db->free_head[o] = i;
	__atomic_store_n(&p->order, o, __ATOMIC_RELAXED);
	st32(&p->flags, MM_PG_FREE);
}

static void list_del(struct mm_pfdb *db, unsigned o, uint32_t i)
{
	struct mm_page *p = &db->pages[i];

	if (p->prev != NONE)
		db->pages[p->prev].next = p->next;
	else
		db->free_head[o] = p->next;
	if (p->next != NONE)
		db->pages[p->next].prev = p->prev;
	st32(&p->flags, 0);
}

int mm_pfdb_init(struct mm_pfdb *db, uint64_t base, uint64_t size, unsigned page_shift)
{
	uint64_t nr = size >> page_shift;

	memset(db, 0, sizeof(*db));
	if (page_shift < 12 || page_shift > 30 || !nr || nr >= NONE ||
	    ((base | size) & ((1ull << page_shift) - 1)))
		return -PT_EINVAL;
	db->pages = calloc(nr, sizeof(*db->pages));
	if (!db->pages)
		return -PT_ENOMEM;
	db->base = base;
	db->size = size;
	db->page_shift = page_shift;
	db->nr = nr;
	while (db->max_order < 31 && (2ull << db->max_order) <= nr &&
	       !((base >> page_shift) & ((2ull << db->max_order) - 1)))
		db->max_order++;
	for (unsigned o = 0; o < 64; o++)
		db->free_head[o] = NONE;
	/* Carve the region into the largest naturally aligned blocks. */
	for (uint64_t i = 0; i < nr;) {
		unsigned o = db->max_order;
		while (o && ((i & ((1ull << o) - 1)) || i + (1ull << o) > nr))
			o--;
		list_push(db, o, (uint32_t)i);
		i += 1ull << o;
	}
	pthread_mutex_init(&db->lock, NULL);
	return 0;
}

void mm_pfdb_fini(struct mm_pfdb *db)
{
	if (db->pages)
		pthread_mutex_destroy(&db->lock);
	free(db->pages);
	memset(db, 0, sizeof(*db));
}

int mm_folio_alloc(struct mm_pfdb *db, unsigned order, uint32_t flags, uint64_t *pa)
{
	unsigned o = order;
	uint32_t i;
	struct mm_page *p;

	if (order > db->max_order)
		return -PT_ENOMEM;
	pthread_mutex_lock(&db->lock);
	while (o <= db->max_order && db->free_head[o] == NONE)
		o++;
	if (o > db->max_order) {
		pthread_mutex_unlock(&db->lock);
		return -PT_ENOMEM;
	}
	i = db->free_head[o];
	list_del(db, o, i);
	while (o > order) { /* keep the lower half, free the upper */
		o--;
		list_push(db, o, i + (1u << o));
	}
	p = &db->pages[i];
	__atomic_store_n(&p->refcount, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&p->pincount, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->mapcount, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&p->order, order, __ATOMIC_RELAXED);
	st32(&p->flags, MM_PG_HEAD | (flags & ~(uint32_t)(MM_PG_HEAD | MM_PG_FREE)));
	db->folios_live++;
	db->folios_alloced++;
	pthread_mutex_unlock(&db->lock);
	*pa = db->base + ((uint64_t)i << db->page_shift);
	return 0;
}

static void folio_free(struct mm_pfdb *db, struct mm_page *head)
{
	uint32_t i = (uint32_t)(head - db->pages);
	unsigned o = head->order;

	pthread_mutex_lock(&db->lock);
	st32(&head->flags, 0);
	while (o < db->max_order) {
		uint32_t b = i ^ (1u << o);
		if (b >= db->nr || ld(&db->pages[b].flags) != MM_PG_FREE || db->pages[b].order != o)
			break;
		list_del(db, o, b);
		if (b < i)
			i = b;
		o++;
	}
	list_push(db, o, i);
	db->folios_live--;
	pthread_mutex_unlock(&db->lock);
}

struct mm_page *mm_folio_of(struct mm_pfdb *db, uint64_t pa, uint64_t *head_pa)
{
	uint64_t idx;

	if (pa < db->base || pa - db->base >= db->size)
		return NULL;
	idx = (pa - db->base) >> db->page_shift;
	for (unsigned o = 0; o <= db->max_order; o++) {
		uint64_t c = idx & ~((1ull << o) - 1);
		struct mm_page *p = &db->pages[c];
		uint32_t f = ld(&p->flags);
		uint32_t ord;

		if (!(f & (MM_PG_HEAD | MM_PG_FREE)))
			continue;
		ord = __atomic_load_n(&p->order, __ATOMIC_RELAXED);
		if (ord > db->max_order || c + (1ull << ord) <= idx)
			continue;
		if (!(f & MM_PG_HEAD))
			return NULL;
		if (head_pa)
			*head_pa = db->base + (c << db->page_shift);
		return p;
	}
	return NULL;
}

uint64_t mm_page_pa(const struct mm_pfdb *db, const struct mm_page *pg)
{
	return db->base + ((uint64_t)(pg - db->pages) << db->page_shift);
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
