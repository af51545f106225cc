/* SPDX-License-Identifier: MIT */
/*
 * tlb_model.h: a software TLB for the tests. It sees every entry store an operation makes
 * to a live table (the pt_mem store hook), every TLB flush (the gather's flush hook) and
 * every table freed (it wraps mem->free), and checks the rules no emulator shows:
 *
 *   - A maximal TLB: every translation (leaf) and every walk entry (table entry) that was
 *     valid in a live table at any moment since the last flush of its VA is taken to be
 *     cached, as a CPU that walks all the time may have done. The current tree is always
 *     cached; what a store replaced stays cached ("stale") until a flush of its range.
 *   - At every store of a valid leaf (or the link of a table, whose leaves then become
 *     reachable), the new translation is checked against every cached translation of the
 *     same VA (stale ones, and the other members of a contiguous / NAPOT group) with the
 *     rules of the format's family (tlb_rules below: arm64 break-before-make, x86 "no page
 *     size change together with an attribute change").
 *   - A table freed while it is still linked, or while a cached walk entry still points
 *     at it: an error.
 *   - A flush removes only the cached entries of the levels it names (struct pt_flush:
 *     leaf_levels, table_levels), as an invalidation with a level hint may.
 *   - At the end of an operation (tlb_model_op_end, before pt_gather_flush), every stale
 *     translation that grants more than the current tree (a removed mapping, other OA or
 *     memory type, rights or accessed/dirty state taken away) must be covered by the
 *     flush the gather owes: no cached translation outlives the operation that removed it.
 *
 * The rules are kept here, per family, from the manuals (not read from the library: the
 * model checks the library's own facts). Entries are read through the format's decode
 * only. Limits: stores into tables that are no longer linked are not modelled (ptkit makes
 * none), nor a second CPU's ASIDs; one model per pt_mem at a time.
 *
 *	struct tlb_model t;
 *	tlb_model_attach(&t, &mm);	// after pt_mm_init
 *	pt_gather_init(&g, &mm);
 *	tlb_model_gather(&t, &g);	// g.flush = the model's flush
 *	pt_protect(&mm, va, size, prot, &g);
 *	tlb_model_op_end(&t, &g);
 *	pt_gather_flush(&g);
 *	tlb_model_detach(&t);		// before pt_mm_destroy
 *	CHECK_EQ(t.violations, 0);
 */
#ifndef PTKIT_TESTS_TLB_MODEL_H
#define PTKIT_TESTS_TLB_MODEL_H

#include <ptkit/mem.h>
#include <ptkit/ptkit.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * What two cached translations of one VA (an older one and a newer one) may not differ
 * in, per family. Arm ARM D8.16.1 "Using break-before-make when updating translation
 * table entries" (and "TLB maintenance requirements and the properties of TLB entries"):
 * size (block vs page, the Contiguous bit), OA, memory type and shareability, and nG
 * going 1 -> 0; and the members of a contiguous group agree in everything but the
 * accessed / dirty state ("The Contiguous bit"; Linux unfolds a contpte block to change
 * its permissions). Intel SDM vol. 3A 4.10.4.2 "Recommended Invalidation": no write that
 * changes both the page size and the page frame, access rights or other attributes.
 * RISC-V (privileged ISA, SFENCE.VMA) and Power ISA radix (tlbie) state no such conflict
 * rule: an old translation may be used until the fence; only the all-format rules apply.
 */
struct tlb_rules {
	const char *family;	    /* prefix of the format name */
	bool same_size;		    /* leaf size x group size must agree */
	bool same_oa;		    /* the output address must agree */
	uint32_t same_attrs;	    /* PT_* bits that must agree */
	bool no_global_gain;	    /* older non-global, newer global: forbidden */
	uint32_t size_change_attrs; /* sizes differ: these PT_* bits, pkey and OA must agree */
	uint32_t group_attrs;	    /* either is a group member: these PT_* bits must agree */
};

#define TLB_RIGHTS (PT_W | PT_X | PT_USER | PT_GLOBAL)
#define TLB_MEMTYPE (PT_DEVICE | PT_NOCACHE)

static const struct tlb_rules tlb_rules_table[] = {
	{ "arm64", true, true, TLB_MEMTYPE | PT_CONTIG, true, 0, TLB_RIGHTS | TLB_MEMTYPE },
	{ "x86_64", false, false, 0, false, TLB_RIGHTS | TLB_MEMTYPE, 0 },
	{ "riscv", false, false, 0, false, 0, 0 },
	{ "ppc64", false, false, 0, false, 0, 0 },
};

/* A cached translation (leaf) or walk entry (table entry). */
struct tlb_ent {
	uint64_t va, last; /* VA range it translates */
	uint64_t oa;	   /* leaf: PA of va; walk entry: the table it points to */
	uint32_t prot, pkey;
	int level;
	bool walk;
	uint64_t raw;
	unsigned long seq; /* store number that made it stale */
};

/* Per 256-byte granule of the table memory: the table it belongs to, while linked. */
struct tlb_tab {
	uint64_t va;  /* VA of the table's entry 0 */
	uint32_t own; /* 1 + granule index of the table's first granule; 0: none */
	int8_t level;
	bool linked;
};

#define TLB_GRANULE 8
#define TLB_MAX_REPORT 12

struct tlb_model {
	struct pt_mm *mm;
	struct pt_mem *mem;
	const struct tlb_rules *rules;
	void (*free)(struct pt_mem *mem, uint64_t pa, uint64_t size); /* the wrapped free */
	struct tlb_tab *tab;
	uint64_t ngran;
	struct tlb_ent *stale;
	size_t nstale, cap;
	/* statistics and results */
	unsigned long stores, live_stores, flushes, checks, violations, reported;
	const char *where; /* what the test is doing, for messages */
};

static struct tlb_model *tlb_models[4];

static inline struct tlb_model *tlb_model_of(const struct pt_mem *m)
{
	for (unsigned i = 0; i < 4; i++)
		if (tlb_models[i] && tlb_models[i]->mem == m)
			return tlb_models[i];
	return NULL;
}

__attribute__((format(printf, 2, 3))) static inline void tlb_fail(struct tlb_model *t,
								  const char *fmt, ...)
{
	va_list ap;

	t->violations++;
	if (t->reported++ >= TLB_MAX_REPORT)
		return;
	fprintf(stderr, "tlb model [%s%s%s]: ", t->mm->fmt->name, t->where ? ", " : "",
		t->where ? t->where : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static inline struct tlb_tab *tlb_tab_at(struct tlb_model *t, uint64_t pa)
{
	uint64_t g = (pa - t->mem->base) >> TLB_GRANULE;
	struct tlb_tab *x;

	if (pa < t->mem->base || g >= t->ngran || !t->tab[g].own)
		return NULL;
	x = &t->tab[t->tab[g].own - 1];
	return x->linked ? x : NULL;
}

static inline uint64_t tlb_load(struct tlb_model *t, uint64_t pa)
{
	return pt_entry_load(t->mm->fmt, t->mem->bytes + (pa - t->mem->base));
}

/* VA of entry idx of a table at `level` whose entry 0 maps va0 (a root: sign / half). */
static inline uint64_t tlb_slot_va(const struct pt_format *f, uint64_t va0, int level, uint64_t idx,
				   bool root, int half)
{
	uint64_t off = idx << f->shift[level];

	if (!root)
		return va0 + off;
	if (f->two_roots)
		return f->half_base[half] + off;
	return (off >> f->half_bits) ? f->half_base[1] + (off - (1ull << f->half_bits)) : off;
}

/* The cached form of entry e at `level` mapping slot VA va. False if not valid. */
static inline bool tlb_ent_of(const struct pt_format *f, uint64_t e, int level, uint64_t va,
			      struct tlb_ent *x)
{
	struct pt_entry_info info;
	uint64_t size;

	pt_format_decode(f, e, level, &info);
	if (info.kind != PT_ENTRY_LEAF && info.kind != PT_ENTRY_TABLE)
		return false;
	size = pt_level_size(f, level) * (info.kind == PT_ENTRY_LEAF ? info.contig : 1);
	x->va = va & ~(size - 1);
	x->last = x->va + size - 1;
	x->walk = info.kind == PT_ENTRY_TABLE;
	x->oa = x->walk ? info.pa : info.pa & ~(size - 1);
	x->prot = info.prot;
	x->pkey = info.pkey;
	x->level = level;
	x->raw = e;
	x->seq = 0;
	return true;
}

/* Why the newer translation n may not be cached together with the older one o, or NULL. */
static inline const char *tlb_conflict(const struct tlb_rules *r, const struct tlb_ent *o,
				       const struct tlb_ent *n)
{
	uint64_t v = o->va > n->va ? o->va : n->va;
	bool same_size = o->last - o->va == n->last - n->va;
	bool same_oa = o->oa + (v - o->va) == n->oa + (v - n->va);

	if (r->same_size && !same_size)
		return (o->prot ^ n->prot) & PT_CONTIG ? "contiguous bit changed"
						       : "page/block size changed";
	if (r->same_oa && !same_oa)
		return "output address changed";
	if ((o->prot ^ n->prot) & r->same_attrs & TLB_MEMTYPE)
		return "memory type changed";
	if ((o->prot ^ n->prot) & r->same_attrs)
		return "contiguous bit changed";
	if (r->no_global_gain && !(o->prot & PT_GLOBAL) && (n->prot & PT_GLOBAL))
		return "nG 1 -> 0";
	if (((o->prot | n->prot) & PT_CONTIG) && ((o->prot ^ n->prot) & r->group_attrs))
		return "attributes of a contiguous group member changed";
	if (!same_size && r->size_change_attrs &&
	    (!same_oa || o->pkey != n->pkey || ((o->prot ^ n->prot) & r->size_change_attrs)))
		return "attributes changed together with the page size";
	return NULL;
}

static inline void tlb_check(struct tlb_model *t, const struct tlb_ent *o, const struct tlb_ent *n,
			     const char *what)
{
	const char *why;

	t->checks++;
	if (o->walk || n->walk || o->last < n->va || n->last < o->va)
		return;
	why = tlb_conflict(t->rules, o, n);
	if (why)
		tlb_fail(t,
			 "store %lu: %s: new leaf va 0x%llx size 0x%llx oa 0x%llx prot 0x%x "
			 "(entry 0x%llx) while the TLB may hold va 0x%llx size 0x%llx oa 0x%llx "
			 "prot 0x%x (entry 0x%llx, %s): %s without a break and a flush",
			 t->stores, what, (unsigned long long)n->va,
			 (unsigned long long)(n->last - n->va + 1), (unsigned long long)n->oa,
			 n->prot, (unsigned long long)n->raw, (unsigned long long)o->va,
			 (unsigned long long)(o->last - o->va + 1), (unsigned long long)o->oa,
			 o->prot, (unsigned long long)o->raw, o->seq ? "stale" : "current", why);
}

/* New cached translation n: check it against every stale one. */
static inline void tlb_check_stale(struct tlb_model *t, const struct tlb_ent *n, const char *what)
{
	for (size_t i = 0; i < t->nstale; i++)
		tlb_check(t, &t->stale[i], n, what);
}

static inline void tlb_push(struct tlb_model *t, const struct tlb_ent *x)
{
	if (t->nstale == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 256;
		t->stale = realloc(t->stale, t->cap * sizeof(*t->stale));
		if (!t->stale)
			abort();
	}
	t->stale[t->nstale] = *x;
	t->stale[t->nstale].seq = t->stores;
	t->nstale++;
}

/*
 * Table at pa (level, entry 0 at va0) becomes linked (link) or unlinked: mark its
 * granules; linking checks every leaf below against the stale translations, unlinking
 * makes every entry below stale (the TLB may still hold them).
 */
static inline void tlb_subtree(struct tlb_model *t, uint64_t pa, int level, uint64_t va0, bool root,
			       int half, bool link)
{
	const struct pt_format *f = t->mm->fmt;
	uint64_t bytes = pt_table_bytes(f, level), g0 = (pa - t->mem->base) >> TLB_GRANULE;
	uint64_t ng = (bytes + (1u << TLB_GRANULE) - 1) >> TLB_GRANULE;

	if (pa < t->mem->base || g0 + ng > t->ngran)
		return;
	for (uint64_t g = 0; g < ng; g++) {
		t->tab[g0 + g].own = (uint32_t)(g0 + 1);
		t->tab[g0 + g].linked = false;
	}
	t->tab[g0].va = root ? 0 : va0;
	t->tab[g0].level = (int8_t)level;
	t->tab[g0].linked = link;
	for (uint64_t i = 0; i < bytes / 8; i++) {
		struct tlb_ent x;
		uint64_t va = tlb_slot_va(f, va0, level, i, root, half);

		if (!tlb_ent_of(f, tlb_load(t, pa + i * 8), level, va, &x))
			continue;
		if (x.walk)
			tlb_subtree(t, x.oa, level - 1, va, false, half, link);
		if (!link)
			tlb_push(t, &x);
		else if (!x.walk)
			tlb_check_stale(t, &x, "table linked");
	}
}

/* The slot at pa: its table's level and the VA it maps. False if not in a linked table. */
static inline bool tlb_slot(struct tlb_model *t, uint64_t pa, int *level, uint64_t *va,
			    uint64_t *table_pa)
{
	const struct pt_format *f = t->mm->fmt;
	struct tlb_tab *x = tlb_tab_at(t, pa);
	uint64_t tpa;
	bool root;
	int half = 0;

	if (!x)
		return false;
	tpa = t->mem->base + ((uint64_t)(x - t->tab) << TLB_GRANULE);
	root = x->level == f->levels - 1;
	if (root && f->two_roots && tpa == t->mm->root[1] && t->mm->root[1] != t->mm->root[0])
		half = 1;
	*level = x->level;
	*table_pa = tpa;
	*va = tlb_slot_va(f, x->va, x->level, (pa - tpa) / 8, root, half);
	return true;
}

static inline void tlb_store_hook(struct pt_mem *m, uint64_t pa, uint64_t e)
{
	struct tlb_model *t = tlb_model_of(m);
	const struct pt_format *f;
	struct tlb_ent o, n;
	uint64_t va, tpa, old;
	int level;
	bool ov, nv;

	if (!t)
		return;
	f = t->mm->fmt;
	t->stores++;
	if (!tlb_slot(t, pa, &level, &va, &tpa))
		return; /* a table not linked yet: no CPU can see it */
	t->live_stores++;
	old = tlb_load(t, pa);
	if (old == e)
		return;
	ov = tlb_ent_of(f, old, level, va, &o);
	nv = tlb_ent_of(f, e, level, va, &n);
	if (ov) { /* the TLB may keep it until a flush */
		if (o.walk) {
			uint64_t root_va = va; /* the subtree's entries go stale with it */
			tlb_subtree(t, o.oa, level - 1, root_va, false, 0, false);
		}
		tlb_push(t, &o);
	}
	if (!nv)
		return;
	if (n.walk) {
		tlb_subtree(t, n.oa, level - 1, va, false, 0, true);
		return;
	}
	tlb_check_stale(t, &n, "leaf stored");
	/* The other members of its aligned group block, as they are now. */
	if (f->contig[level] > 1) {
		uint64_t gn = f->contig[level], i0 = (pa - tpa) / 8 / gn * gn;
		uint64_t span = pt_level_size(f, level);

		for (uint64_t i = i0; i < i0 + gn; i++) {
			struct tlb_ent c;
			uint64_t cva = (va & ~(span * gn - 1)) + (i - i0) * span;

			if (tpa + i * 8 == pa ||
			    !tlb_ent_of(f, tlb_load(t, tpa + i * 8), level, cva, &c))
				continue;
			tlb_check(t, &c, &n, "leaf stored next to a group member");
		}
	}
}

/*
 * Whether a flush of [start, last] that names leaf_levels / table_levels (struct pt_flush)
 * removes cached entry s. Taken at its word, as a TLB invalidation with a level hint is
 * (arm64 TTL: an entry of another level may survive; TLBI VALE keeps walk entries).
 */
static inline bool tlb_covers(const struct tlb_ent *s, uint64_t start, uint64_t last,
			      uint32_t leaf_levels, uint32_t table_levels)
{
	return s->va <= last && s->last >= start &&
	       (((s->walk ? table_levels : leaf_levels) >> s->level) & 1);
}

/* Invalidate what f describes: every cached entry it covers goes. */
static inline void tlb_model_flush(struct tlb_model *t, const struct pt_flush *f)
{
	size_t k = 0;

	t->flushes++;
	for (size_t i = 0; i < t->nstale; i++)
		if (!tlb_covers(&t->stale[i], f->start, f->last, f->leaf_levels, f->table_levels))
			t->stale[k++] = t->stale[i];
	t->nstale = k;
}

static inline void tlb_flush_hook(struct pt_gather *g, const struct pt_flush *f)
{
	struct tlb_model *t = tlb_model_of(g->mm->mem);

	if (t)
		tlb_model_flush(t, f);
}

static inline void tlb_free_hook(struct pt_mem *m, uint64_t pa, uint64_t size)
{
	struct tlb_model *t = tlb_model_of(m);

	if (t) {
		uint64_t g0 = (pa - m->base) >> TLB_GRANULE;

		if (tlb_tab_at(t, pa))
			tlb_fail(t, "table 0x%llx freed while it is still linked",
				 (unsigned long long)pa);
		for (size_t i = 0; i < t->nstale; i++)
			if (t->stale[i].walk && t->stale[i].oa == pa)
				tlb_fail(t,
					 "table 0x%llx freed while a cached walk entry (va "
					 "0x%llx level %d) still points at it",
					 (unsigned long long)pa, (unsigned long long)t->stale[i].va,
					 t->stale[i].level);
		for (uint64_t g = 0; g < (size + (1u << TLB_GRANULE) - 1) >> TLB_GRANULE; g++)
			if (g0 + g < t->ngran)
				t->tab[g0 + g].own = 0;
		t->free(m, pa, size);
		return;
	}
}

/* Start modelling mm (a tree built by ptkit in an arena): everything reachable is live. */
static inline void tlb_model_attach(struct tlb_model *t, struct pt_mm *mm)
{
	const struct pt_format *f = mm->fmt;
	unsigned i;

	memset(t, 0, sizeof(*t));
	t->mm = mm;
	t->mem = mm->mem;
	for (i = 0; i < sizeof(tlb_rules_table) / sizeof(tlb_rules_table[0]); i++)
		if (!strncmp(f->name, tlb_rules_table[i].family, strlen(tlb_rules_table[i].family)))
			t->rules = &tlb_rules_table[i];
	if (!t->rules)
		abort();
	t->ngran = mm->mem->size >> TLB_GRANULE;
	t->tab = calloc(t->ngran ? t->ngran : 1, sizeof(*t->tab));
	if (!t->tab)
		abort();
	for (i = 0; i < 4 && tlb_models[i]; i++)
		;
	if (i == 4)
		abort();
	tlb_models[i] = t;
	for (int h = 0; h < (f->two_roots && mm->root[1] != mm->root[0] ? 2 : 1); h++)
		tlb_subtree(t, mm->root[h], f->levels - 1, 0, true, h, true);
	t->free = mm->mem->free;
	mm->mem->free = tlb_free_hook;
	mm->mem->store = tlb_store_hook;
}

static inline void tlb_model_detach(struct tlb_model *t)
{
	for (unsigned i = 0; i < 4; i++)
		if (tlb_models[i] == t)
			tlb_models[i] = NULL;
	t->mem->free = t->free;
	t->mem->store = NULL;
	free(t->tab);
	free(t->stale);
	t->tab = NULL;
	t->stale = NULL;
	t->nstale = 0;
}

/* Route g's flushes through the model. */
static inline void tlb_model_gather(struct tlb_model *t, struct pt_gather *g)
{
	(void)t;
	g->flush = tlb_flush_hook;
}

/*
 * Whether stale translation s grants nothing the current tree does not: every VA of it
 * maps the same PA with the same memory type, at least s's rights and accessed / dirty
 * state. Such an entry may stay cached (a spurious fault at worst).
 */
static inline bool tlb_harmless(struct tlb_model *t, const struct tlb_ent *s)
{
	const uint32_t keep = TLB_RIGHTS | PT_YOUNG | PT_DIRTY;
	struct mm_walk_state st;
	uint64_t next = s->va;

	if (s->walk)
		return false;
	mm_walk_init(&st, t->mm);
	for_each_pt_leaf (&st, t->mm, s->va, s->last + 1) {
		uint64_t lva = mm_walk_leaf_va(&st), v = lva > s->va ? lva : s->va;
		uint32_t p = mm_walk_prot(&st);

		if (lva > next || mm_walk_leaf_pa(&st) + (v - lva) != s->oa + (v - s->va) ||
		    ((p ^ s->prot) & TLB_MEMTYPE) || (s->prot & keep & ~p))
			return false;
		next = lva + mm_walk_leaf_size(&st);
		if (!next || next > s->last)
			return !st.err;
	}
	return false;
}

/* An operation returned: every stale translation that matters is in the flush g owes. */
static inline void tlb_model_op_end(struct tlb_model *t, const struct pt_gather *g)
{
	for (size_t i = 0; i < t->nstale; i++) {
		const struct tlb_ent *s = &t->stale[i];

		if (g->pending && tlb_covers(s, g->start, g->last, g->leaf_levels, g->table_levels))
			continue;
		if (tlb_harmless(t, s))
			continue;
		tlb_fail(t,
			 "cached %s va 0x%llx size 0x%llx oa 0x%llx prot 0x%x (replaced by store "
			 "%lu) outlives the operation: no flush owed for it",
			 s->walk ? "walk entry" : "translation", (unsigned long long)s->va,
			 (unsigned long long)(s->last - s->va + 1), (unsigned long long)s->oa,
			 s->prot, s->seq);
	}
}

#endif
