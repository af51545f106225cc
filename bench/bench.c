// SPDX-License-Identifier: MIT
/*
 * ptkit_bench: ptkit against hand-written per-level reference walkers (bench/reference/)
 * and against the physical limit (a plain loop over the same number of entry bytes), in
 * one process, interleaved, several repetitions; medians and ratios. Every workload
 * checks that ptkit and the reference computed the same thing (sums of PAs, pin
 * counts, or the resulting tables entry by entry) and the process exits non-zero if one
 * did not: a benchmark that does not check proves nothing.
 *
 *   ptkit_bench [--quick|--tiny|--small] [--reps N] [--format F[,F]] [--only W[,W]]
 *               [--json PATH] [--ir PATH] [--list]
 *
 * --tiny is the CTest mode (agreement only, timing ignored); --small is the callgrind
 * size. Under valgrind --tool=callgrind every measured segment is bracketed by
 * CALLGRIND_ZERO_STATS / CALLGRIND_DUMP_STATS_AT("<workload>/<impl>/<ops>"), so one run
 * yields per-segment instruction counts (scripts/bench.sh turns them into instructions per
 * operation in a TSV, "format workload impl ir_per_op", and passes it back with --ir).
 *
 * Workloads that name a page size use the format's own sizes (struct fx_sizes): on the 4K
 * formats scan_leaf_4k, gup_fast_2m, map_2m, ... as always; on arm64-64k-48 scan_leaf_64k,
 * gup_fast_512m, map_512m ...; on ppc64-radix-64k scan_leaf_64k, map_2m, ...
 *
 * ptkit is driven only through its public API (include/ptkit), exactly as a user would.
 * The gup_fast_* rows here are table-only (for_each_pt_leaf plus the same pin loop as the
 * reference); GUP, GUP-fast and follow_pfnmap over the real src/mm layer are the mm_*
 * rows of bench_mm.c, run through run_job by bench_run_ext, lent to it in struct bench_host
 * (bench_ext.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ptkit/mem.h>
#include <ptkit/ptkit.h>

#include "bench_ext.h"
#include "reference/ref.h"
#include "static/static.h"

#ifdef PTKIT_BENCH_CALLGRIND
#include <valgrind/callgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#endif

#define K4 0x1000ull
#define M2 0x200000ull
#define G1 0x40000000ull

/* ---- the formats: add a line per reference ------------------------------------------- */

extern const struct ref_format ref_x86_64, ref_x86_64_la57, ref_arm64_4k_48, ref_riscv_sv48;
extern const struct ref_format ref_arm64_64k_48, ref_arm64_4k_52, ref_ppc64_radix_64k;
static const struct ref_format *const ref_formats[] = {
	&ref_x86_64,	      /* 4 levels, p4d folded */
	&ref_x86_64_la57,     /* 5 levels */
	&ref_arm64_4k_48,     /* 4 levels, p4d folded */
	&ref_riscv_sv48,      /* p4d folded, leaves at every level */
	&ref_arm64_64k_48,    /* 64K pages, 3 levels (p4d, pud folded), 512M blocks */
	&ref_arm64_4k_52,     /* FEAT_LPA2: 5 levels, OA[51:50] in bits 9:8 */
	&ref_ppc64_radix_64k, /* big-endian entries, 13/9/9/5 index bits */
};
#define NR_FORMATS (sizeof(ref_formats) / sizeof(ref_formats[0]))

/* The same walks through the compile-time single-format API (bench/static). */
#define STATIC_FIND(sym) &sym,
static const struct static_walks *const static_formats[] = { BENCH_STATIC_FORMATS(STATIC_FIND) };

static const struct static_walks *static_find(const char *name)
{
	for (size_t i = 0; i < sizeof(static_formats) / sizeof(static_formats[0]); i++)
		if (!strcmp(static_formats[i]->name, name))
			return static_formats[i];
	return 0;
}

/* ---- sizes --------------------------------------------------------------------------- */

struct sizes {
	const char *name;
	uint64_t seeks;	      /* VAs per seek workload */
	uint64_t mixed_gib;   /* the mixed space (multiple of 8 for every region kind) */
	uint64_t map_bytes;   /* map/unmap/protect/GUP range */
	uint64_t rand_maps;   /* single-page maps at random addresses */
	uint64_t arena_bytes; /* simulated physical memory per format */
	int reps;
};

static const struct sizes SIZES_FULL = { "full", 1u << 20, 64, G1, 100000, 256ull << 20, 7 };
static const struct sizes SIZES_QUICK = { "quick", 1u << 18,	 16, 256ull << 20,
					  20000,   128ull << 20, 5 };
static const struct sizes SIZES_SMALL = {
	"small", 1u << 16, 8, 64ull << 20, 10000, 96ull << 20, 1
};
static const struct sizes SIZES_TINY = { "tiny", 1u << 12, 8, 8ull << 20, 2000, 64ull << 20, 2 };
static struct sizes S;

/* ---- helpers ------------------------------------------------------------------------- */

static int failures;

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		fprintf(stderr, "ptkit_bench: CHECK FAILED: " __VA_ARGS__);                        \
		fputc('\n', stderr);                                                               \
		failures++;                                                                        \
	} while (0)

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rng(void)
{
	return bench_rng(&rng_state);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);
	if (!p) {
		fprintf(stderr, "ptkit_bench: out of memory\n");
		exit(2);
	}
	return p;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- generic table inspection (through the format's decode, any format) ------------- */

static uint64_t entry_at(const struct pt_format *f, struct pt_mem *m, uint64_t table, uint64_t i)
{
	uint64_t v;
	memcpy(&v, m->bytes + (table - m->base) + i * 8, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return f->big_endian ? __builtin_bswap64(v) : v;
#else
	return f->big_endian ? v : __builtin_bswap64(v);
#endif
}

/*
 * Do two trees map the same? Leaves and empty entries must be identical bit for bit,
 * table entries identical apart from the table address (tables may sit anywhere).
 */
static bool tree_equal(const struct pt_format *f, struct pt_mem *m, uint64_t ta, uint64_t tb,
		       int level, uint64_t va, char *why, size_t whylen)
{
	uint64_t n = 1ull << f->index_bits[level];
	for (uint64_t i = 0; i < n; i++) {
		uint64_t ea = entry_at(f, m, ta, i), eb = entry_at(f, m, tb, i);
		uint64_t v = va + (i << f->shift[level]);
		struct pt_entry_info ia, ib;
		f->ops.decode(ea, level, &ia);
		f->ops.decode(eb, level, &ib);
		if (ia.kind != ib.kind || (ia.kind != PT_ENTRY_TABLE && ea != eb) ||
		    (ia.kind == PT_ENTRY_TABLE &&
		     (ea ^ f->ops.encode_table(ia.pa, level)) !=
			     (eb ^ f->ops.encode_table(ib.pa, level)))) {
			snprintf(why, whylen,
				 "%s entry for va 0x%llx: ptkit 0x%016llx, reference 0x%016llx",
				 f->level_name[level], (unsigned long long)v,
				 (unsigned long long)ea, (unsigned long long)eb);
			return false;
		}
		if (ia.kind == PT_ENTRY_TABLE &&
		    !tree_equal(f, m, ia.pa, ib.pa, level - 1, v, why, whylen))
			return false;
	}
	return true;
}

/* Entries a walk of [start, last] reads: every entry of every table it enters. */
static uint64_t entries_in(const struct pt_format *f, struct pt_mem *m, uint64_t table, int level,
			   uint64_t start, uint64_t last)
{
	uint64_t span = 1ull << f->shift[level], mask = (1ull << f->index_bits[level]) - 1, n = 0;
	for (uint64_t va = start;;) {
		uint64_t elast = (va | (span - 1)) < last ? (va | (span - 1)) : last;
		struct pt_entry_info info;
		f->ops.decode(entry_at(f, m, table, (va >> f->shift[level]) & mask), level, &info);
		n++;
		if (info.kind == PT_ENTRY_TABLE)
			n += entries_in(f, m, info.pa, level - 1, va, elast);
		if (elast == last)
			return n;
		va = elast + 1;
	}
}

/* ---- per-format fixture ---------------------------------------------------------------- */

/*
 * The leaf sizes a format's workloads use. pg: the smallest page (level 0: 4K, or 64K on
 * the 64K-granule formats); mid: the next leaf size (level 1: 2M, 512M on arm64-64k-48);
 * big: the one above it when level 2 holds leaves (1G), else mid again (arm64-64k-48 has
 * no 4T blocks without FEAT_LPA). The mixed space is made of regions of `region` bytes (1
 * GiB, or 4 mid leaves when that is more). Row names use the sizes' labels: scan_leaf_4k,
 * map_2m, ... are the names they always had on the 4K formats, scan_leaf_64k, map_512m ...
 * on the others.
 */
struct fx_sizes {
	uint64_t pg, mid, big, region;
	unsigned pg_shift;
	char pg_name[24], mid_name[24], big_name[24];
};

struct fx {
	const struct pt_format *f;
	const struct ref_format *r;
	struct pt_arena a;
	struct pt_mm mixed; /* the 64 GiB mixed space, read by seek / scan / GUP */
	uint64_t va_base, pa_base;
	struct fx_sizes z;
};

static void size_name(char *buf, size_t n, uint64_t size)
{
	static const char unit[] = "kmgt";
	int u = 0;
	size >>= 10;
	while (size >= 1024 && !(size & 1023) && u < 3) {
		size >>= 10;
		u++;
	}
	snprintf(buf, n, "%llu%c", (unsigned long long)size, unit[u]);
}

static void fx_sizes_init(struct fx *x)
{
	const struct pt_format *f = x->f;
	struct fx_sizes *z = &x->z;
	z->pg_shift = f->shift[0];
	z->pg = 1ull << f->shift[0];
	z->mid = 1ull << f->shift[1];
	z->big = f->levels > 2 && f->leaf_ok[2] ? 1ull << f->shift[2] : z->mid;
	z->region = 4 * z->mid > G1 ? 4 * z->mid : G1;
	size_name(z->pg_name, sizeof(z->pg_name), z->pg);
	size_name(z->mid_name, sizeof(z->mid_name), z->mid);
	size_name(z->big_name, sizeof(z->big_name), z->big);
}

/*
 * Does the format keep high output-address bits out of place (arm64 FEAT_LPA2: OA[51:50] in
 * bits 9:8)? Then the bench's PAs get bit 51 set, so that ptkit and the reference both have
 * to decode the split field for the agreement checks to pass (the other formats' PAs stay
 * where they were, from 256 GiB up, below 2^40).
 */
static bool oa_split(const struct pt_format *f)
{
	uint64_t e0, hi, lo;
	if (f->pa_bits < 52 || f->ops.encode_leaf(0, 0, PT_R, &e0) ||
	    f->ops.encode_leaf(1ull << 51, 0, PT_R, &hi) ||
	    f->ops.encode_leaf(1ull << 20, 0, PT_R, &lo) || hi == e0 || lo == e0)
		return false;
	/* A PA held in place, or shifted as a whole (RISC-V's PPN), moves both bits alike. */
	return __builtin_ctzll(hi ^ e0) - 51 != __builtin_ctzll(lo ^ e0) - 20;
}

/* Region kinds of the mixed space, repeated every 8 regions (8 GiB with 1 GiB regions). */
enum { RG_1G, RG_2M, RG_4K, RG_MIX, RG_HOLE };
static const int region_kind[8] = { RG_1G, RG_2M, RG_4K, RG_MIX, RG_1G, RG_2M, RG_MIX, RG_HOLE };

static uint64_t pa_of(const struct fx *x, uint64_t va)
{
	return va - x->va_base + x->pa_base;
}

static int ptkit_map(struct pt_mm *mm, uint64_t va, uint64_t pa, uint64_t size, uint64_t psize,
		     bool write)
{
	struct pt_gather g;
	struct pt_map_req req = { .va = va,
				  .pa = pa,
				  .size = size,
				  .prot = PT_R | (write ? PT_W : 0),
				  .page_sizes = psize };
	pt_gather_init(&g, mm);
	int err = pt_map(mm, &req, &g);
	pt_gather_flush(&g);
	return err;
}

static void must(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "ptkit_bench: %s: %s\n", what, pt_strerror(err));
		exit(2);
	}
}

/*
 * Regions of big leaves (1G), mid leaves (2M), pages (4K); MIX: per mid-sized chunk a mid
 * leaf, pages, a hole, half pages half hole. (Sizes of the 4K formats in parentheses; see
 * struct fx_sizes for the others.)
 */
static void build_mixed(struct fx *x)
{
	const struct fx_sizes *z = &x->z;
	must(pt_mm_init(&x->mixed, x->f, &x->a.mem), "pt_mm_init");
	for (uint64_t r = 0; r < S.mixed_gib * G1 / z->region; r++) {
		uint64_t va = x->va_base + r * z->region, R = z->region;
		switch (region_kind[r % 8]) {
		case RG_1G:
			must(ptkit_map(&x->mixed, va, pa_of(x, va), R, z->big, true), "map big");
			break;
		case RG_2M:
			must(ptkit_map(&x->mixed, va, pa_of(x, va), R, z->mid, true), "map mid");
			break;
		case RG_4K:
			must(ptkit_map(&x->mixed, va, pa_of(x, va), R, z->pg, true), "map pages");
			break;
		case RG_MIX:
			for (uint64_t c = 0; c < R / z->mid; c++) {
				uint64_t v = va + c * z->mid, m = z->mid;
				if (c % 4 == 0)
					must(ptkit_map(&x->mixed, v, pa_of(x, v), m, m, true),
					     "mix mid");
				else if (c % 4 == 1)
					must(ptkit_map(&x->mixed, v, pa_of(x, v), m, z->pg, true),
					     "mix pages");
				else if (c % 4 == 3)
					must(ptkit_map(&x->mixed, v, pa_of(x, v), m / 2, z->pg,
						       true),
					     "mix pages/2");
			}
			break;
		}
	}
}

static struct ref_mm ref_of(struct pt_mm *mm)
{
	return (struct ref_mm){ mm->mem, mm->root[0] };
}

/* ---- ptkit sides of the workloads (public API only) ---------------------------------- */

#include "static/pk_walks.h"

/* pins[] has one counter per smallest page (2^sh bytes): a constant, as in the reference. */
static inline __attribute__((always_inline)) uint64_t pk_gup_fast_sh(struct pt_mm *mm,
								     uint64_t start, uint64_t end,
								     uint32_t *pins,
								     uint64_t pfn_base, unsigned sh)
{
	struct mm_walk_state st;
	uint64_t nr = 0, expect = start;
	mm_walk_init(&st, mm);
	for_each_pt_leaf (&st, mm, start, end) {
		uint64_t size = mm_walk_leaf_size(&st);
		uint64_t lva = mm_walk_leaf_va(&st);
		uint64_t lo = lva > start ? lva : start, hi = lva + size < end ? lva + size : end;
		if (lo != expect)
			break; /* a hole: gup_fast stops */
		uint32_t *p = pins + ((mm_walk_leaf_pa(&st) + (lo - lva)) >> sh) - pfn_base;
		uint64_t n = (hi - lo) >> sh;
		for (uint64_t i = 0; i < n; i++)
			p[i]++;
		nr += n;
		expect = hi;
	}
	return nr;
}

/* One copy per page shift, each compiled like a single-format caller's (no dispatch inside). */
static __attribute__((noinline)) uint64_t
pk_gup_fast_4k(struct pt_mm *mm, uint64_t start, uint64_t end, uint32_t *pins, uint64_t pfn_base)
{
	return pk_gup_fast_sh(mm, start, end, pins, pfn_base, 12);
}
static __attribute__((noinline)) uint64_t
pk_gup_fast_64k(struct pt_mm *mm, uint64_t start, uint64_t end, uint32_t *pins, uint64_t pfn_base)
{
	return pk_gup_fast_sh(mm, start, end, pins, pfn_base, 16);
}

/* ---- the physical limit: plain loops over the same number of entry bytes ------------- */

static __attribute__((noinline)) uint64_t limit_read(const uint64_t *b, size_t n)
{
	uint64_t s = 0;
	for (size_t i = 0; i < n; i++)
		s += b[i] & 0x000ffffffffff000ull;
	return s;
}

static __attribute__((noinline)) void limit_write(uint64_t *b, size_t n, uint64_t pa)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (pa + (i << 12)) | 0x8000000000000003ull;
}

static __attribute__((noinline)) void limit_clear(uint64_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = 0;
}

static __attribute__((noinline)) void limit_rmw(uint64_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] ^= 2;
}

static __attribute__((noinline)) void limit_pin(const uint64_t *b, size_t n, uint32_t *pins,
						uint64_t pages_per_entry)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t *p = pins + i * pages_per_entry;
		(void)b[i];
		for (uint64_t k = 0; k < pages_per_entry; k++)
			p[k]++;
	}
}

/* ---- results --------------------------------------------------------------------------- */

enum { IMPL_PTKIT, IMPL_REF, IMPL_LIMIT, NR_IMPL };
static const char *const impl_name[NR_IMPL] = { "ptkit", "ref", "limit" };

struct record {
	char format[32], workload[40], unit[8];
	uint64_t ops;
	double ns[NR_IMPL];   /* median per op; < 0: not measured */
	double ir[NR_IMPL];   /* callgrind instructions per op; < 0: unknown */
	double target_limit;  /* ptkit/limit target, 0: none */
	double batch_speedup; /* map_4k_by_page only: page-by-page / batched */
	bool ok;
	bool diag;
	char note[160];
};

#define MAX_RECORDS 256
static struct record records[MAX_RECORDS];
static int nr_records;

/* Instruction counts read back from --ir: format, workload, impl, instructions per op. */
struct ir_row {
	char format[32], workload[40], impl[8];
	double ir;
};
static struct ir_row *ir_rows;
static int nr_ir_rows;

static void load_ir(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[256];
	if (!fp) {
		fprintf(stderr, "ptkit_bench: --ir %s: %s\n", path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), fp)) {
		struct ir_row r;
		if (sscanf(line, "%31s %39s %7s %lf", r.format, r.workload, r.impl, &r.ir) != 4)
			continue;
		ir_rows = realloc(ir_rows, sizeof(*ir_rows) * (size_t)(nr_ir_rows + 1));
		if (!ir_rows)
			exit(2);
		ir_rows[nr_ir_rows++] = r;
	}
	fclose(fp);
}

static double find_ir(const char *format, const char *workload, const char *impl)
{
	for (int i = 0; i < nr_ir_rows; i++)
		if (!strcmp(ir_rows[i].format, format) && !strcmp(ir_rows[i].workload, workload) &&
		    !strcmp(ir_rows[i].impl, impl))
			return ir_rows[i].ir;
	return -1;
}

/* ---- a workload and the runner ------------------------------------------------------- */

struct job;
struct job {
	const char *name, *unit;
	uint64_t ops; /* operations per run (the ns/op divisor) */
	double target_limit;
	struct fx *x;
	/* untimed, before each timed run of impl (may be NULL) */
	void (*setup)(struct job *j, int impl);
	/* timed: returns a digest that must agree between ptkit and the reference */
	uint64_t (*run)(struct job *j, int impl);
	/* untimed, after ptkit and the reference ran in a repetition: extra checks, cleanup */
	void (*after)(struct job *j);
	/* parameters */
	uint64_t va, size, psize;
	const uint64_t *vas;
	size_t nva;
	struct pt_mm *rd;   /* tree read by both (seek, scan, GUP) */
	struct pt_mm mm[2]; /* trees written by ptkit [0] and the reference [1] */
	uint32_t *pins[2];
	uint64_t pfn_base;
	uint64_t *lbuf;	     /* limit buffer */
	size_t ln;	     /* entries in it */
	uint64_t limit_kind; /* which limit loop */
	uint64_t aux[2];     /* second result (faults, leaf count, tables freed) */
	int rep;
	bool write;
	uint64_t (*pk_read)(struct pt_mm *, const uint64_t *, size_t, uint64_t *);
	uint64_t (*pk_scan)(struct pt_mm *, uint64_t, uint64_t, uint64_t *);
	bool fail_noted;
	bool diag; /* diagnostic variant (not ptkit's public API): no targets */
	char note[160];
};

enum { LIM_NONE, LIM_READ, LIM_WRITE, LIM_CLEAR, LIM_RMW, LIM_PIN };

static const char *only_list, *format_list;

static bool listed(const char *list, const char *name)
{
	if (!list)
		return true;
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == 0))
			return true;
	return false;
}

static uint64_t run_limit(struct job *j)
{
	switch (j->limit_kind) {
	case LIM_READ:
		return limit_read(j->lbuf, j->ln);
	case LIM_WRITE:
		limit_write(j->lbuf, j->ln, j->x->pa_base);
		return 0;
	case LIM_CLEAR:
		limit_clear(j->lbuf, j->ln);
		return 0;
	case LIM_RMW:
		limit_rmw(j->lbuf, j->ln);
		return 0;
	case LIM_PIN:
		limit_pin(j->lbuf, j->ln, j->pins[0],
			  (j->size >> j->x->z.pg_shift) / (j->ln ? j->ln : 1));
		return 0;
	}
	return 0;
}

static void job_fail(struct job *j, const char *what)
{
	FAIL("%s %s: %s", j->x->f->name, j->name, what);
	if (!j->fail_noted)
		snprintf(j->note, sizeof(j->note), "MISMATCH: %.*s", (int)sizeof(j->note) - 11,
			 what);
	j->fail_noted = true;
}

static void run_job(struct job *j)
{
	uint64_t t[NR_IMPL][64];
	int reps = S.reps > 64 ? 64 : S.reps;
	char label[96];

	if (!listed(only_list, j->name))
		return;
	if (j->limit_kind != LIM_NONE && j->ln && !j->lbuf) {
		j->lbuf = xcalloc(j->ln, 8);
		limit_write(j->lbuf, j->ln, j->x->pa_base);
	}
	for (int rep = 0; rep < reps; rep++) {
		uint64_t digest[2] = { 0, 0 };
		j->rep = rep;
		for (int k = 0; k < NR_IMPL; k++) {
			/* The limit first (its buffers may alias the checked ones, e.g. pins), then
			 * ptkit and the reference, alternating which goes first. */
			int impl = k == 0 ? IMPL_LIMIT : ((k - 1) ^ (rep & 1));
			if (impl == IMPL_LIMIT && j->limit_kind == LIM_NONE)
				continue;
			if (impl != IMPL_LIMIT && j->setup)
				j->setup(j, impl);
			snprintf(label, sizeof(label), "%s/%s/%llu", j->name, impl_name[impl],
				 (unsigned long long)j->ops);
			if (RUNNING_ON_VALGRIND)
				CALLGRIND_ZERO_STATS;
			uint64_t t0 = now_ns();
			uint64_t d = impl == IMPL_LIMIT ? run_limit(j) : j->run(j, impl);
			uint64_t t1 = now_ns();
			if (RUNNING_ON_VALGRIND && rep == 0)
				CALLGRIND_DUMP_STATS_AT(label);
			t[impl][rep] = t1 - t0;
			if (impl != IMPL_LIMIT)
				digest[impl] = d;
		}
		if (digest[0] != digest[1] || j->aux[0] != j->aux[1]) {
			char why[160];
			snprintf(why, sizeof(why), "ptkit %llx/%llu, reference %llx/%llu (rep %d)",
				 (unsigned long long)digest[0], (unsigned long long)j->aux[0],
				 (unsigned long long)digest[1], (unsigned long long)j->aux[1], rep);
			job_fail(j, why);
		}
		if (j->after)
			j->after(j);
	}

	struct record *r = &records[nr_records < MAX_RECORDS - 1 ? nr_records++ : nr_records];
	memset(r, 0, sizeof(*r));
	snprintf(r->format, sizeof(r->format), "%s", j->x->f->name);
	snprintf(r->workload, sizeof(r->workload), "%s", j->name);
	snprintf(r->unit, sizeof(r->unit), "%s", j->unit);
	r->ops = j->ops;
	r->target_limit = j->target_limit;
	r->ok = !j->fail_noted;
	r->diag = j->diag;
	snprintf(r->note, sizeof(r->note), "%s", j->note);
	for (int i = 0; i < NR_IMPL; i++) {
		r->ns[i] = -1;
		if (i != IMPL_LIMIT || j->limit_kind != LIM_NONE)
			r->ns[i] = (double)median(t[i], reps) / (double)(j->ops ? j->ops : 1);
		r->ir[i] = find_ir(r->format, r->workload, impl_name[i]);
	}
	free(j->lbuf);
	j->lbuf = 0;
	fprintf(stderr, "  %-12s %-18s ptkit %9.2f  ref %9.2f  ns/%s%s\n", r->format, r->workload,
		r->ns[0], r->ns[1], r->unit, r->ok ? "" : "  MISMATCH");
}

/* ---- workloads of other files (bench_ext.h: bench_mm.c) through run_job -------------- */

#ifdef PTKIT_BENCH_MM

_Static_assert((int)BENCH_PTKIT == (int)IMPL_PTKIT && (int)BENCH_REF == (int)IMPL_REF,
	       "bench_ext.h impl numbers");
static const struct bench_ext_job *ext;
static struct job *ext_job;

static void ext_setup(struct job *j, int impl)
{
	(void)j;
	if (ext->setup)
		ext->setup(ext->priv, impl);
}

static uint64_t ext_run(struct job *j, int impl)
{
	return ext->run(ext->priv, impl, &j->aux[impl]);
}

static void ext_after(struct job *j)
{
	(void)j;
	if (ext->after)
		ext->after(ext->priv);
}

static void bench_run_ext(struct fx *x, const struct bench_ext_job *e)
{
	struct job j = { .x = x,
			 .name = e->name,
			 .unit = e->unit,
			 .ops = e->ops,
			 .setup = ext_setup,
			 .run = ext_run,
			 .after = ext_after };
	ext = e;
	ext_job = &j;
	run_job(&j);
	ext = NULL;
	ext_job = NULL;
}

static bool bench_wanted(const char *workload)
{
	return listed(only_list, workload);
}

static void bench_ext_fail(const char *what)
{
	if (ext_job)
		job_fail(ext_job, what);
	else
		FAIL("%s", what);
}

static const struct bench_host bench_host = { bench_run_ext, bench_wanted, bench_ext_fail };
#endif

/* ---- workloads: reads ---------------------------------------------------------------- */

static uint64_t run_seek(struct job *j, int impl)
{
	struct ref_mm rm = ref_of(j->rd);
	if (impl == IMPL_PTKIT)
		return j->pk_read(j->rd, j->vas, j->nva, &j->aux[0]);
	return j->x->r->seek_many(&rm, j->vas, j->nva, &j->aux[1]);
}

static uint64_t run_scan(struct job *j, int impl)
{
	struct ref_mm rm = ref_of(j->rd);
	if (impl == IMPL_PTKIT)
		return j->pk_scan(j->rd, j->va, j->va + j->size, &j->aux[0]);
	return j->x->r->scan(&rm, j->va, j->va + j->size, &j->aux[1]);
}

static void setup_gup(struct job *j, int impl)
{
	memset(j->pins[impl], 0, (j->size >> j->x->z.pg_shift) * sizeof(uint32_t));
}

static uint64_t run_gup(struct job *j, int impl)
{
	struct ref_mm rm = ref_of(j->rd);
	if (impl == IMPL_PTKIT)
		return (j->x->z.pg_shift == 12 ? pk_gup_fast_4k : pk_gup_fast_64k)(
			j->rd, j->va, j->va + j->size, j->pins[0], j->pfn_base);
	return j->x->r->gup_fast(&rm, j->va, j->va + j->size, j->pins[1], j->pfn_base);
}

static void after_gup(struct job *j)
{
	uint64_t n = j->size >> j->x->z.pg_shift;
	if (memcmp(j->pins[0], j->pins[1], n * sizeof(uint32_t)))
		job_fail(j, "pin counts differ");
	for (uint64_t i = 0; i < n; i++)
		if (j->pins[0][i] != 1) {
			job_fail(j, "a page was not pinned exactly once");
			break;
		}
}

/* ---- workloads: mutations ------------------------------------------------------------ */

static void check_trees(struct job *j)
{
	char why[160];
	const struct pt_format *f = j->x->f;
	if (!tree_equal(f, &j->x->a.mem, j->mm[0].root[0], j->mm[1].root[0], f->levels - 1, 0, why,
			sizeof(why)))
		job_fail(j, why);
}

static void fresh_tree(struct job *j, int impl)
{
	must(pt_mm_init(&j->mm[impl], j->x->f, &j->x->a.mem), "pt_mm_init");
}

static void drop_trees(struct job *j)
{
	pt_mm_destroy(&j->mm[0]);
	pt_mm_destroy(&j->mm[1]);
}

static uint64_t run_map(struct job *j, int impl)
{
	uint64_t pa = pa_of(j->x, j->va);
	struct ref_mm rm = ref_of(&j->mm[1]);
	if (impl == IMPL_PTKIT)
		return (uint64_t)ptkit_map(&j->mm[0], j->va, pa, j->size, j->psize, true);
	return (uint64_t)j->x->r->map(&rm, j->va, pa, j->size, j->psize, true);
}

static void after_map(struct job *j)
{
	check_trees(j);
	drop_trees(j);
}

static uint64_t run_map_pages(struct job *j, int impl)
{
	uint64_t off = j->x->pa_base - j->x->va_base;
	struct ref_mm rm = ref_of(&j->mm[1]);
	if (impl == IMPL_REF)
		return (uint64_t)j->x->r->map_pages(&rm, j->vas, j->nva, off, true);
	struct pt_gather g;
	struct pt_map_req req = { .size = j->x->z.pg, .prot = PT_R | PT_W };
	int err = 0;
	pt_gather_init(&g, &j->mm[0]);
	for (size_t i = 0; i < j->nva && !err; i++) {
		req.va = j->vas[i];
		req.pa = j->vas[i] + off;
		err = pt_map(&j->mm[0], &req, &g);
	}
	pt_gather_flush(&g);
	return (uint64_t)err;
}

static void setup_mapped(struct job *j, int impl)
{
	fresh_tree(j, impl);
	must(ptkit_map(&j->mm[impl], j->va, pa_of(j->x, j->va), j->size, j->psize, true),
	     "prefill");
}

static uint64_t run_unmap(struct job *j, int impl)
{
	if (impl == IMPL_PTKIT) {
		struct pt_gather g;
		pt_gather_init(&g, &j->mm[0]);
		int err = pt_unmap(&j->mm[0], j->va, j->size, &g);
		pt_gather_flush(&g);
		j->aux[0] = g.tables_freed;
		return (uint64_t)err;
	}
	struct ref_mm rm = ref_of(&j->mm[1]);
	struct ref_tlb tlb = { ~0ull, 0, 0 };
	int err = j->x->r->unmap(&rm, j->va, j->size, &tlb);
	j->aux[1] = tlb.tables_freed;
	return (uint64_t)err;
}

static uint64_t run_protect(struct job *j, int impl)
{
	bool w = j->rep & 1; /* rep 0: RW -> RO, rep 1: back to RW, ... */
	if (impl == IMPL_PTKIT) {
		struct pt_gather g;
		pt_gather_init(&g, &j->mm[0]);
		int err = pt_protect(&j->mm[0], j->va, j->size, PT_R | (w ? PT_W : 0), &g);
		pt_gather_flush(&g);
		return (uint64_t)err;
	}
	struct ref_mm rm = ref_of(&j->mm[1]);
	struct ref_tlb tlb = { ~0ull, 0, 0 };
	return (uint64_t)j->x->r->protect(&rm, j->va, j->size, w, &tlb);
}

/* ---- the workload list ------------------------------------------------------------------- */

static uint64_t *random_vas(const struct fx *x, uint64_t n, uint64_t span)
{
	uint64_t *v = xcalloc(n, 8);
	for (uint64_t i = 0; i < n; i++)
		v[i] = x->va_base + (rng() % span & ~7ull);
	return v;
}

/* Entries a range of `size` bytes touches at levels lo..min(2, root - 1) (the limit loops). */
static uint64_t range_entries(const struct pt_format *f, uint64_t size, int lo)
{
	uint64_t n = 0;
	for (int l = lo; l <= 2 && l < f->levels - 1; l++)
		n += (size + pt_level_size(f, l) - 1) >> f->shift[l];
	return n;
}

static void bench_format(struct fx *x)
{
	const struct pt_format *f = x->f;
	const struct fx_sizes *z = &x->z;
	uint64_t mixed = S.mixed_gib * G1, R = z->region;
	struct pt_mem *m = &x->a.mem;
	struct job j;
	uint64_t t0 = now_ns();
	char n_scan_leaf[40], n_static_scan[48], n_scan_walk[40], n_gup[3][40], n_map_pg[40],
		n_map_mid[40], n_unmap_pg[40], n_unmap_mid[40], n_protect[40], n_map_random[40],
		n_by_page[40];

	snprintf(n_scan_leaf, sizeof(n_scan_leaf), "scan_leaf_%s", z->pg_name);
	snprintf(n_scan_walk, sizeof(n_scan_walk), "scan_walk_%s", z->pg_name);
	snprintf(n_gup[0], sizeof(n_gup[0]), "gup_fast_%s", z->pg_name);
	snprintf(n_gup[1], sizeof(n_gup[1]), "gup_fast_%s", z->mid_name);
	snprintf(n_gup[2], sizeof(n_gup[2]), "gup_fast_%s", z->big_name);
	snprintf(n_map_pg, sizeof(n_map_pg), "map_%s", z->pg_name);
	snprintf(n_map_mid, sizeof(n_map_mid), "map_%s", z->mid_name);
	snprintf(n_unmap_pg, sizeof(n_unmap_pg), "unmap_%s", z->pg_name);
	snprintf(n_unmap_mid, sizeof(n_unmap_mid), "unmap_%s", z->mid_name);
	snprintf(n_protect, sizeof(n_protect), "protect_%s", z->pg_name);
	snprintf(n_map_random, sizeof(n_map_random), "map_random_%s", z->pg_name);
	snprintf(n_by_page, sizeof(n_by_page), "map_%s_by_page", z->pg_name);

	build_mixed(x);
	fprintf(stderr, "%s: mixed space of %llu GiB built in %.2f s (%llu tables)\n", f->name,
		(unsigned long long)S.mixed_gib, (double)(now_ns() - t0) / 1e9,
		(unsigned long long)x->a.live);

#define JOB(...) (j = (struct job){ .x = x, .rd = &x->mixed, __VA_ARGS__ }, run_job(&j))

	/*
	 * Seek: random over the mixed space; sequential (one VA per page) from the page region
	 * on, wrapping within the mixed space (which only 64K pages reach: 2^20 of them span 64
	 * GiB, 4K pages 4 GiB).
	 */
	uint64_t *rv = random_vas(x, S.seeks, mixed);
	uint64_t *sv = xcalloc(S.seeks, 8);
	for (uint64_t i = 0; i < S.seeks; i++)
		sv[i] = x->va_base + (2 * R + i * z->pg) % mixed + (i * 8 & (z->pg - 8));
	JOB(.name = "seek_random", .unit = "VA", .ops = S.seeks, .run = run_seek, .vas = rv,
	    .nva = S.seeks, .pk_read = pk_seek_many);
	JOB(.name = "translate_random", .unit = "VA", .ops = S.seeks, .run = run_seek, .vas = rv,
	    .nva = S.seeks, .pk_read = pk_translate_many);
	JOB(.name = "seek_seq", .unit = "VA", .ops = S.seeks, .run = run_seek, .vas = sv,
	    .nva = S.seeks, .pk_read = pk_seek_many);
	/*
	 * The same translations over the same bytes as a foreign image (pt_image_mem: not
	 * trusted, every table pointer checked, loops refused); the reference walks them too.
	 */
	if (listed(only_list, "translate_foreign")) {
		struct pt_mem img;
		struct pt_mm foreign;

		pt_image_mem(&img, m->bytes, m->base, m->size);
		pt_mm_attach(&foreign, f, &img, x->mixed.root[0], x->mixed.root[1]);
		j = (struct job){ .x = x,
				  .rd = &foreign,
				  .name = "translate_foreign",
				  .unit = "VA",
				  .ops = S.seeks,
				  .run = run_seek,
				  .vas = rv,
				  .nva = S.seeks,
				  .pk_read = pk_translate_many };
		run_job(&j);
	}
	const struct static_walks *sw = static_find(f->name);
	if (sw) {
		JOB(.name = "static_seek_random", .unit = "VA", .ops = S.seeks, .run = run_seek,
		    .vas = rv, .nva = S.seeks, .pk_read = sw->seek_many);
		JOB(.name = "static_translate_random", .unit = "VA", .ops = S.seeks,
		    .run = run_seek, .vas = rv, .nva = S.seeks, .pk_read = sw->translate_many);
		JOB(.name = "static_seek_seq", .unit = "VA", .ops = S.seeks, .run = run_seek,
		    .vas = sv, .nva = S.seeks, .pk_read = sw->seek_many);
	}
	free(rv);
	free(sv);

	/* Scan: one region of smallest pages (region 2) and the whole mixed space. */
	uint64_t top = (uint64_t)f->levels - 1;
	uint64_t e4k = entries_in(f, m, x->mixed.root[0], (int)top, x->va_base + 2 * R,
				  x->va_base + 3 * R - 1);
	uint64_t emix =
		entries_in(f, m, x->mixed.root[0], (int)top, x->va_base, x->va_base + mixed - 1);
	JOB(.name = n_scan_leaf, .unit = "leaf", .ops = R / z->pg, .run = run_scan,
	    .va = x->va_base + 2 * R, .size = R, .pk_scan = pk_scan_leaf, .limit_kind = LIM_READ,
	    .ln = e4k, .target_limit = 1.5);
	JOB(.name = n_scan_walk, .unit = "leaf", .ops = R / z->pg, .run = run_scan,
	    .va = x->va_base + 2 * R, .size = R, .pk_scan = pk_scan_walk, .limit_kind = LIM_READ,
	    .ln = e4k, .target_limit = 1.5);
	uint64_t nmix = 0;
	{
		struct ref_mm rm = ref_of(&x->mixed);
		x->r->scan(&rm, x->va_base, x->va_base + mixed, &nmix);
	}
	if (sw) {
		snprintf(n_static_scan, sizeof(n_static_scan), "static_%s", n_scan_leaf);
		JOB(.name = n_static_scan, .unit = "leaf", .ops = R / z->pg, .run = run_scan,
		    .va = x->va_base + 2 * R, .size = R, .pk_scan = sw->scan_leaf,
		    .limit_kind = LIM_READ, .ln = e4k, .target_limit = 1.5);
	}
	JOB(.name = "scan_leaf_mixed", .unit = "leaf", .ops = nmix, .run = run_scan,
	    .va = x->va_base, .size = mixed, .pk_scan = pk_scan_leaf, .limit_kind = LIM_READ,
	    .ln = emix, .target_limit = 1.5);
	JOB(.name = "scan_walk_mixed", .unit = "leaf", .ops = nmix, .run = run_scan,
	    .va = x->va_base, .size = mixed, .pk_scan = pk_scan_walk, .limit_kind = LIM_READ,
	    .ln = emix, .target_limit = 1.5);
	if (sw)
		JOB(.name = "static_scan_leaf_mixed", .unit = "leaf", .ops = nmix, .run = run_scan,
		    .va = x->va_base, .size = mixed, .pk_scan = sw->scan_leaf,
		    .limit_kind = LIM_READ, .ln = emix, .target_limit = 1.5);

	/*
	 * GUP-fast over regions 2 (pages), 1 (mid leaves), 0 (big leaves; not when big is mid,
	 * that row would repeat the mid one). Unit: a smallest page (one pin counter each).
	 */
	uint64_t gsz = S.map_bytes;
	uint32_t *pins[2] = { xcalloc(gsz >> z->pg_shift, 4), xcalloc(gsz >> z->pg_shift, 4) };
	const struct {
		uint64_t region, leaf;
	} gups[] = { { 2, z->pg }, { 1, z->mid }, { 0, z->big } };
	for (int i = 0; i < 3; i++) {
		uint64_t va = x->va_base + gups[i].region * R;
		uint64_t nleaf = gsz / gups[i].leaf ? gsz / gups[i].leaf : 1;
		if (i == 2 && z->big == z->mid)
			break;
		JOB(.name = n_gup[i], .unit = "page", .ops = gsz >> z->pg_shift, .setup = setup_gup,
		    .run = run_gup, .after = after_gup, .va = va, .size = gsz,
		    .pins = { pins[0], pins[1] }, .pfn_base = pa_of(x, va) >> z->pg_shift,
		    .limit_kind = LIM_PIN, .ln = nleaf);
	}
	free(pins[0]);
	free(pins[1]);

	/*
	 * Map / unmap map_bytes as pages into an empty tree, and as many mid leaves as map_2m
	 * maps on the 4K formats (map_bytes / 2M of them: 256 GiB of 512M blocks at full size on
	 * arm64-64k-48); protect map_bytes of pages.
	 */
	uint64_t mb = S.map_bytes, mbm = mb / M2 * z->mid;
	uint64_t e4 = range_entries(f, mb, 0), e2 = range_entries(f, mbm, 1);
	JOB(.name = n_map_pg, .unit = "page", .ops = mb / z->pg, .setup = fresh_tree,
	    .run = run_map, .after = after_map, .va = x->va_base, .size = mb, .psize = z->pg,
	    .limit_kind = LIM_WRITE, .ln = e4, .target_limit = 3);
	JOB(.name = n_map_mid, .unit = "leaf", .ops = mbm / z->mid, .setup = fresh_tree,
	    .run = run_map, .after = after_map, .va = x->va_base, .size = mbm, .psize = z->mid,
	    .limit_kind = LIM_WRITE, .ln = e2);
	JOB(.name = n_unmap_pg, .unit = "page", .ops = mb / z->pg, .setup = setup_mapped,
	    .run = run_unmap, .after = after_map, .va = x->va_base, .size = mb, .psize = z->pg,
	    .limit_kind = LIM_CLEAR, .ln = e4, .target_limit = 3);
	JOB(.name = n_unmap_mid, .unit = "leaf", .ops = mbm / z->mid, .setup = setup_mapped,
	    .run = run_unmap, .after = after_map, .va = x->va_base, .size = mbm, .psize = z->mid,
	    .limit_kind = LIM_CLEAR, .ln = e2);

	/* Protect: both trees built once, every repetition flips RW <-> RO. */
	if (listed(only_list, n_protect)) {
		j = (struct job){ .x = x,
				  .name = n_protect,
				  .unit = "page",
				  .ops = mb / z->pg,
				  .run = run_protect,
				  .after = check_trees,
				  .va = x->va_base,
				  .size = mb,
				  .psize = z->pg,
				  .limit_kind = LIM_RMW,
				  .ln = e4 };
		setup_mapped(&j, 0);
		setup_mapped(&j, 1);
		run_job(&j);
		drop_trees(&j);
	}

	/* One page at a time: random pages among 2^20 (4 GiB of 4K pages), and map_bytes page
	 * by page. */
	uint64_t npg = 4 * G1 / K4;
	uint64_t *mv = xcalloc(S.rand_maps, 8);
	for (uint64_t i = 0; i < S.rand_maps; i++) /* odd multiplier mod 2^20: distinct pages */
		mv[i] = x->va_base + ((i * 0x9e3779b1ull) % npg) * z->pg;
	JOB(.name = n_map_random, .unit = "page", .ops = S.rand_maps, .setup = fresh_tree,
	    .run = run_map_pages, .after = after_map, .vas = mv, .nva = S.rand_maps);
	free(mv);
	uint64_t *pv = xcalloc(mb / z->pg, 8);
	for (uint64_t i = 0; i < mb / z->pg; i++)
		pv[i] = x->va_base + i * z->pg;
	JOB(.name = n_by_page, .unit = "page", .ops = mb / z->pg, .setup = fresh_tree,
	    .run = run_map_pages, .after = after_map, .vas = pv, .nva = mb / z->pg,
	    .limit_kind = LIM_WRITE, .ln = e4);
	free(pv);
#undef JOB

	pt_mm_destroy(&x->mixed);
	if (x->a.live != 0)
		FAIL("%s: %llu tables leaked", f->name, (unsigned long long)x->a.live);
}

/* ---- output -------------------------------------------------------------------------- */

static void fmt_ratio(char *buf, size_t n, double a, double b)
{
	if (a < 0 || b <= 0)
		snprintf(buf, n, "%s", "-");
	else
		snprintf(buf, n, "%.2f", a / b);
}

static void fmt_ns(char *buf, size_t n, double v)
{
	if (v < 0)
		snprintf(buf, n, "%s", "-");
	else
		snprintf(buf, n, "%.2f", v);
}

/* map_<page>_by_page against map_<page> (the batched map of the same pages). */
static void batch_speedups(void)
{
	for (int i = 0; i < nr_records; i++) {
		const char *w = records[i].workload;
		size_t n = strlen(w);
		if (n < 9 || strcmp(w + n - 8, "_by_page"))
			continue;
		for (int k = 0; k < nr_records; k++)
			if (strlen(records[k].workload) == n - 8 &&
			    !strncmp(records[k].workload, w, n - 8) &&
			    !strcmp(records[k].format, records[i].format) && records[k].ns[0] > 0)
				records[i].batch_speedup = records[i].ns[0] / records[k].ns[0];
	}
}

static void print_table(void)
{
	printf("\n%-12s %-24s %6s %10s %10s %10s %9s %9s %9s  %s\n", "format", "workload", "unit",
	       "ptkit ns", "ref ns", "limit ns", "pk/ref", "pk/limit", "Ir pk/ref", "check");
	for (int i = 0; i < nr_records; i++) {
		struct record *r = &records[i];
		char a[16], b[16], c[16], d[16], e[16], g[16];
		fmt_ns(a, sizeof(a), r->ns[0]);
		fmt_ns(b, sizeof(b), r->ns[1]);
		fmt_ns(c, sizeof(c), r->ns[2]);
		fmt_ratio(d, sizeof(d), r->ns[0], r->ns[1]);
		fmt_ratio(e, sizeof(e), r->ns[0], r->ns[2]);
		fmt_ratio(g, sizeof(g), r->ir[0], r->ir[1]);
		printf("%-12s %-24s %6s %10s %10s %10s %9s %9s %9s  %s", r->format, r->workload,
		       r->unit, a, b, c, d, e, g, r->ok ? "agree" : "MISMATCH");
		if (r->batch_speedup > 0)
			printf("  (batched map %.1fx faster)", r->batch_speedup);
		printf("\n");
	}
}

static void json_num(FILE *fp, const char *key, double v, bool last)
{
	if (v < 0)
		fprintf(fp, "\"%s\": null%s", key, last ? "" : ", ");
	else
		fprintf(fp, "\"%s\": %.4f%s", key, v, last ? "" : ", ");
}

static int write_json(const char *path)
{
	FILE *fp = fopen(path, "w");
	if (!fp) {
		fprintf(stderr, "ptkit_bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(fp, "{\n  \"size\": \"%s\", \"reps\": %d,\n  \"records\": [\n", S.name, S.reps);
	for (int i = 0; i < nr_records; i++) {
		struct record *r = &records[i];
		fprintf(fp,
			"    {\"format\": \"%s\", \"workload\": \"%s\", \"unit\": \"%s\", \"ops\": %llu, ",
			r->format, r->workload, r->unit, (unsigned long long)r->ops);
		json_num(fp, "ptkit_ns", r->ns[0], false);
		json_num(fp, "ref_ns", r->ns[1], false);
		json_num(fp, "limit_ns", r->ns[2], false);
		json_num(fp, "ratio_ref", r->ns[1] > 0 ? r->ns[0] / r->ns[1] : -1, false);
		json_num(fp, "ratio_limit", r->ns[2] > 0 ? r->ns[0] / r->ns[2] : -1, false);
		json_num(fp, "target_limit", r->target_limit > 0 ? r->target_limit : -1, false);
		json_num(fp, "ptkit_ir", r->ir[0], false);
		json_num(fp, "ref_ir", r->ir[1], false);
		json_num(fp, "limit_ir", r->ir[2], false);
		json_num(fp, "ir_ratio", r->ir[0] >= 0 && r->ir[1] > 0 ? r->ir[0] / r->ir[1] : -1,
			 false);
		json_num(fp, "batch_speedup", r->batch_speedup > 0 ? r->batch_speedup : -1, false);
		fprintf(fp, "\"diagnostic\": %s, ", r->diag ? "true" : "false");
		fprintf(fp, "\"agree\": %s, \"note\": \"%s\"}%s\n", r->ok ? "true" : "false",
			r->note, i + 1 < nr_records ? "," : "");
	}
	fprintf(fp, "  ]\n}\n");
	fclose(fp);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: ptkit_bench [--quick|--tiny|--small] [--reps N] [--format F[,F]] "
			"[--only W[,W]] [--json PATH] [--ir PATH] [--list]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *json = 0, *ir = 0;
	int reps = 0;
	const char *q = getenv("BENCH_QUICK");

	S = (q && *q && strcmp(q, "0")) ? SIZES_QUICK : SIZES_FULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--quick"))
			S = SIZES_QUICK;
		else if (!strcmp(a, "--tiny"))
			S = SIZES_TINY;
		else if (!strcmp(a, "--small"))
			S = SIZES_SMALL;
		else if (!strcmp(a, "--full"))
			S = SIZES_FULL;
		else if (!strcmp(a, "--reps") && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (!strcmp(a, "--format") && i + 1 < argc)
			format_list = argv[++i];
		else if (!strcmp(a, "--only") && i + 1 < argc)
			only_list = argv[++i];
		else if (!strcmp(a, "--json") && i + 1 < argc)
			json = argv[++i];
		else if (!strcmp(a, "--ir") && i + 1 < argc)
			ir = argv[++i];
		else if (!strcmp(a, "--list")) {
			for (size_t k = 0; k < NR_FORMATS; k++)
				printf("%s\n", ref_formats[k]->name);
			return 0;
		} else
			usage();
	}
	if (reps > 0)
		S.reps = reps;
	if (ir)
		load_ir(ir);

	for (size_t k = 0; k < NR_FORMATS; k++) {
		struct fx x;
		if (!listed(format_list, ref_formats[k]->name))
			continue;
		memset(&x, 0, sizeof(x));
		x.r = ref_formats[k];
		x.f = pt_format_find(x.r->name);
		if (!x.f) {
			fprintf(stderr, "ptkit_bench: ptkit has no format %s\n", x.r->name);
			failures++;
			continue;
		}
		x.va_base = 0x100000000000ull; /* 16 TiB: 512 GiB aligned, lower half */
		x.pa_base = 0x4000000000ull;   /* 256 GiB */
		if (oa_split(x.f))
			x.pa_base |= 1ull << 51; /* both sides must decode the split OA field */
		fx_sizes_init(&x);
		must(pt_arena_init(&x.a, 0x100000, S.arena_bytes), "pt_arena_init");
		/* Fault every page in now, so no workload pays the kernel's first touch. */
		memset(x.a.mem.bytes, 0, S.arena_bytes);
		bench_format(&x);
#ifdef PTKIT_BENCH_MM
		bench_mm_format(&x, x.f,
				&(struct bench_env){ S.name, S.seeks, S.mixed_gib, S.map_bytes,
						     &bench_host });
#endif
		pt_arena_fini(&x.a);
	}
	batch_speedups();
	print_table();
	if (json && write_json(json))
		return 2;
	if (failures) {
		fprintf(stderr, "ptkit_bench: %d check(s) failed\n", failures);
		return 1;
	}
	printf("\nptkit and the reference agree on every workload (%s sizes, %d reps).\n", S.name,
	       S.reps);
	return 0;
}
