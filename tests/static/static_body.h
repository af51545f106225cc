/* SPDX-License-Identifier: MIT */
/*
 * The walks of struct static_api, written once against the public names. The includer
 * has included <ptkit/ptkit.h> (with or without PTKIT_FORMAT) and defines STATIC_SYM and
 * STATIC_NAME.
 */
#include "static_api.h"

static void leaf_rec(const struct mm_walk_state *st, uint64_t tag, struct static_rec *r)
{
	*r = (struct static_rec){ { tag, st->va, (uint64_t)st->level, mm_walk_leaf_va(st),
				    mm_walk_leaf_pa(st), mm_walk_leaf_size(st),
				    mm_walk_group_size(st), mm_walk_prot(st) } };
}

static size_t s_seek(struct pt_mm *mm, const uint64_t *va, size_t n, struct static_rec *out)
{
	struct mm_walk_state st;

	mm_walk_init(&st, mm);
	for (size_t i = 0; i < n; i++) {
		bool ok = mm_walk_seek_leaf(&st, mm, va[i]);

		leaf_rec(&st, ok, &out[i]);
		out[i].v[0] |= (uint64_t)(uint32_t)st.err << 8;
		out[i].v[0] |= (uint64_t)(mm_walk_is_write(&st) | mm_walk_is_user(&st) << 1 |
					  mm_walk_is_exec(&st) << 2 | mm_walk_is_present(&st) << 3)
			       << 40;
	}
	return n;
}

static size_t s_translate(struct pt_mm *mm, const uint64_t *va, size_t n, struct static_rec *out)
{
	for (size_t i = 0; i < n; i++) {
		struct pt_translation tr;
		int err = pt_translate(mm, va[i], &tr);

		out[i] = (struct static_rec){ { (uint64_t)err, tr.pa, tr.leaf_va, tr.leaf_pa,
						tr.size, tr.group,
						(uint64_t)tr.level << 32 | tr.prot, tr.entry } };
	}
	return n;
}

static size_t s_scan(struct pt_mm *mm, uint64_t start, uint64_t end, size_t stop,
		     struct static_rec *out, size_t max)
{
	struct mm_walk_state st;
	size_t n = 0, seen = 0;

	mm_walk_init(&st, mm);
	for_each_pt_leaf (&st, mm, start, end) {
		if (++seen > stop)
			break;
		if (seen % 3 == 0)
			continue;
		if (n < max)
			leaf_rec(&st, seen, &out[n++]);
	}
	if (n < max)
		out[n++] = (struct static_rec){ { ~0ull, seen, (uint64_t)(uint32_t)st.err } };
	return n;
}

struct s_walk_acc {
	struct static_rec *out;
	size_t n, max;
};

static int s_walk_leaf(struct mm_walk_state *st, void *priv)
{
	struct s_walk_acc *a = priv;

	if (a->n < a->max)
		leaf_rec(st, 1, &a->out[a->n++]);
	return MM_WALK_CONTINUE;
}

static int s_walk_hole(uint64_t start, uint64_t end, int level, void *priv)
{
	struct s_walk_acc *a = priv;

	if (a->n < a->max)
		a->out[a->n++] = (struct static_rec){ { 2, start, end, (uint64_t)level } };
	return MM_WALK_CONTINUE;
}

static size_t s_walk(struct pt_mm *mm, uint64_t start, uint64_t end, struct static_rec *out,
		     size_t max)
{
	const struct mm_walk_ops ops = { .leaf_entry = s_walk_leaf, .hole = s_walk_hole };
	struct s_walk_acc a = { out, 0, max };
	int err = walk_page_range(mm, start, end, &ops, &a);

	if (a.n < max)
		out[a.n++] = (struct static_rec){ { ~0ull, (uint64_t)err } };
	return a.n;
}

const struct static_api STATIC_SYM = {
	.name = STATIC_NAME,
	.seek = s_seek,
	.translate = s_translate,
	.scan = s_scan,
	.walk = s_walk,
};
