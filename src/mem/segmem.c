// SPDX-License-Identifier: MIT
/*
 * Sparse read-only memory (see include/ptkit/mem.h): segments of host bytes, used in
 * place, or read through a callback into a table cache that keeps every table it read
 * until fini (walk states hold pointers into it, so nothing is ever evicted).
 */
#include <stdlib.h>
#include <string.h>

#include "ptkit/mem.h"

/* Cached tables: copies in chunks, found by (pa, size) through an open-addressed hash. */
struct seg_entry {
	uint64_t pa, size;
	const uint8_t *copy;
};

struct seg_chunk {
	uint8_t *base;
	size_t used, cap;
	size_t first, nr; /* its tables: entries[first .. first + nr), in address order */
};

struct pt_segcache {
	struct seg_entry *entries; /* in allocation order */
	size_t nr, cap;
	size_t *hash; /* index + 1 into entries, 0 = empty; size a power of two */
	size_t hash_cap;
	struct seg_chunk *chunks; /* sorted by base */
	size_t nr_chunks, cap_chunks;
};

#define CHUNK_BYTES (1u << 20)

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return true;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return false;
	*p = q;
	*cap = n;
	return true;
}

static size_t hash_of(uint64_t pa, uint64_t size)
{
	uint64_t h = (pa ^ (size << 52)) * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 17);
}

static const struct seg_entry *cache_find(const struct pt_segcache *c, uint64_t pa, uint64_t size)
{
	if (!c->hash_cap)
		return NULL;
	for (size_t i = hash_of(pa, size) & (c->hash_cap - 1);; i = (i + 1) & (c->hash_cap - 1)) {
		size_t k = c->hash[i];
		if (!k)
			return NULL;
		if (c->entries[k - 1].pa == pa && c->entries[k - 1].size == size)
			return &c->entries[k - 1];
	}
}

static void hash_put(struct pt_segcache *c, size_t k)
{
	const struct seg_entry *e = &c->entries[k];
	size_t i = hash_of(e->pa, e->size) & (c->hash_cap - 1);

	while (c->hash[i])
		i = (i + 1) & (c->hash_cap - 1);
	c->hash[i] = k + 1;
}

static bool hash_grow(struct pt_segcache *c)
{
	size_t cap = c->hash_cap ? 2 * c->hash_cap : 1024;
	size_t *h;

	if (c->nr * 2 < c->hash_cap)
		return true;
	h = calloc(cap, sizeof(*h));
	if (!h)
		return false;
	free(c->hash);
	c->hash = h;
	c->hash_cap = cap;
	for (size_t k = 0; k < c->nr; k++)
		hash_put(c, k);
	return true;
}

/* Room for size bytes in the newest chunk, or in a new one; NULL: out of memory. */
static uint8_t *cache_room(struct pt_segcache *c, uint64_t size)
{
	struct seg_chunk *last = c->nr_chunks ? &c->chunks[c->nr_chunks - 1] : NULL;
	struct seg_chunk n = { 0 };

	if (last && last->cap - last->used >= size)
		return last->base + last->used;
	if (!grow((void **)&c->chunks, &c->cap_chunks, c->nr_chunks + 1, sizeof(n)))
		return NULL;
	n.cap = size > CHUNK_BYTES ? (size_t)size : CHUNK_BYTES;
	n.base = malloc(n.cap);
	if (!n.base)
		return NULL;
	n.first = c->nr;
	c->chunks[c->nr_chunks++] = n;
	return n.base;
}

/* The segment holding pa, or NULL. */
const struct pt_seg *pt_segmem_find_(const struct pt_segmem *s, uint64_t pa)
{
	size_t lo = 0, hi = s->nr_segs;

	while (lo < hi) { /* the first segment ending above pa */
		size_t mid = (lo + hi) / 2;
		if (s->segs[mid].pa + s->segs[mid].size <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nr_segs && s->segs[lo].pa <= pa ? &s->segs[lo] : NULL;
}

/* Copy [pa, pa + size) from the segments into buf; false when part of it is not backed. */
static bool seg_copy(const struct pt_segmem *s, uint64_t pa, uint64_t size, uint8_t *buf)
{
	while (size) {
		const struct pt_seg *g = pt_segmem_find_(s, pa);
		uint64_t n;

		if (!g)
			return false;
		n = g->pa + g->size - pa;
		if (n > size)
			n = size;
		if (g->bytes)
			memcpy(buf, g->bytes + (pa - g->pa), (size_t)n);
		else if (g->read(g->ctx, pa, buf, n))
			return false;
		pa += n;
		buf += n;
		size -= n;
	}
	return true;
}

static const uint8_t *seg_table(const struct pt_mem *m, uint64_t pa, uint64_t size)
{
	struct pt_segmem *s = m->priv;
	struct pt_segcache *c = s->cache;
	const struct pt_seg *g = pt_segmem_find_(s, pa);
	const struct seg_entry *hit;
	uint8_t *copy;

	if (!g || pa + size < pa)
		return NULL;
	if (g->bytes && pa + size <= g->pa + g->size)
		return g->bytes + (pa - g->pa); /* in place */
	hit = cache_find(c, pa, size);
	if (hit)
		return hit->copy;
	if (!grow((void **)&c->entries, &c->cap, c->nr + 1, sizeof(*c->entries)) || !hash_grow(c) ||
	    !(copy = cache_room(c, size)))
		return NULL; /* out of host memory: reported like an unbacked table */
	if (!seg_copy(s, pa, size, copy))
		return NULL;
	c->chunks[c->nr_chunks - 1].used += (size_t)((size + 7) & ~7ull);
	c->chunks[c->nr_chunks - 1].nr++;
	c->entries[c->nr] = (struct seg_entry){ pa, size, copy };
	hash_put(c, c->nr++);
	s->tables_read++;
	s->cache_bytes += size;
	return copy;
}

static uint64_t seg_pa_of(const struct pt_mem *m, const uint8_t *p)
{
	const struct pt_segmem *s = m->priv;
	const struct pt_segcache *c = s->cache;

	for (size_t i = 0; i < s->nr_segs; i++) {
		const struct pt_seg *g = &s->segs[i];
		if (g->bytes && p >= g->bytes && (uint64_t)(p - g->bytes) < g->size)
			return g->pa + (uint64_t)(p - g->bytes);
	}
	for (size_t k = 0; k < c->nr_chunks; k++) {
		const struct seg_chunk *ch = &c->chunks[k];
		size_t lo = ch->first, hi = ch->first + ch->nr;

		if (p < ch->base || p >= ch->base + ch->used)
			continue;
		while (hi - lo > 1) { /* the last table starting at or below p */
			size_t mid = (lo + hi) / 2;
			if (c->entries[mid].copy <= p)
				lo = mid;
			else
				hi = mid;
		}
		return c->entries[lo].pa + (uint64_t)(p - c->entries[lo].copy);
	}
	return 0;
}

int pt_segmem_init(struct pt_segmem *s)
{
	memset(s, 0, sizeof(*s));
	s->cache = calloc(1, sizeof(*s->cache));
	if (!s->cache)
		return -PT_ENOMEM;
	s->mem.table = seg_table;
	s->mem.pa_of = seg_pa_of;
	s->mem.priv = s;
	return 0;
}

static int seg_add(struct pt_segmem *s, const struct pt_seg *n)
{
	size_t at;

	if (!n->size || n->pa + n->size - 1 < n->pa)
		return -PT_EINVAL;
	for (at = s->nr_segs; at && s->segs[at - 1].pa > n->pa; at--)
		;
	if ((at && s->segs[at - 1].pa + s->segs[at - 1].size > n->pa) ||
	    (at < s->nr_segs && n->pa + n->size > s->segs[at].pa))
		return -PT_EEXIST;
	if (!grow((void **)&s->segs, &s->cap_segs, s->nr_segs + 1, sizeof(*n)))
		return -PT_ENOMEM;
	memmove(&s->segs[at + 1], &s->segs[at], (s->nr_segs - at) * sizeof(*n));
	s->segs[at] = *n;
	s->nr_segs++;
	s->mem.base = s->segs[0].pa;
	s->mem.size = s->segs[s->nr_segs - 1].pa + s->segs[s->nr_segs - 1].size - s->mem.base;
	return 0;
}

int pt_segmem_add_bytes(struct pt_segmem *s, uint64_t pa, uint64_t size, const void *bytes)
{
	struct pt_seg n = { pa, size, bytes, NULL, NULL };

	return bytes ? seg_add(s, &n) : -PT_EINVAL;
}

int pt_segmem_add_read(struct pt_segmem *s, uint64_t pa, uint64_t size, pt_seg_read_fn read,
		       void *ctx)
{
	struct pt_seg n = { pa, size, NULL, read, ctx };

	return read ? seg_add(s, &n) : -PT_EINVAL;
}

int pt_segmem_read(const struct pt_segmem *s, uint64_t pa, void *buf, uint64_t size)
{
	if (pa + size < pa)
		return -PT_ERANGE;
	return seg_copy(s, pa, size, buf) ? 0 : -PT_EFAULT;
}

void pt_segmem_fini(struct pt_segmem *s)
{
	struct pt_segcache *c = s->cache;

	if (c) {
		for (size_t k = 0; k < c->nr_chunks; k++)
			free(c->chunks[k].base);
		free(c->chunks);
		free(c->entries);
		free(c->hash);
		free(c);
	}
	free(s->segs);
	memset(s, 0, sizeof(*s));
}
