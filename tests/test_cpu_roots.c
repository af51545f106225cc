// SPDX-License-Identifier: MIT
/*
 * pt_formats_of_cpu / pt_roots_of_cpu (pt_format_ops.roots_of_cpu): the format and roots a
 * CPU's registers select. Each register state is written from the manuals' encodings:
 *   x86: Intel SDM vol. 3A "Paging Modes and Control Bits": CR0.PG bit 31, CR4.PAE bit 5,
 *        CR4.LA57 bit 12, IA32_EFER.LMA bit 10; CR3 bits 51:12 the root, 11:0 PCID.
 *   arm64: Arm ARM D19 TCR_EL1: T0SZ 5:0, EPD0 7, TG0 15:14 (4K 0, 64K 1, 16K 2), T1SZ
 *        21:16, EPD1 23, TG1 31:30 (16K 1, 4K 2, 64K 3), DS 59; SCTLR_EL1.M bit 0; TTBRn
 *        ASID 63:48, BADDR 47:1, CnP bit 0.
 *   riscv: privileged spec satp: MODE 63:60 (0 Bare, 8 Sv39, 9 Sv48, 10 Sv57), PPN 43:0.
 *   ppc64: Power ISA 3.0B PTCR (PATB, PATS), partition-table entry (HR, PRTB), process-
 *        table entry (RTS, RPDB, RPDS), built in memory here.
 */
#include <string.h>

#include <ptkit/space.h>

#include "check.h"

#define EM_X86_64 62
#define EM_AARCH64 183
#define EM_RISCV 243
#define EM_PPC64 21

/* A CPU state: names and values, NULL-terminated; a name not listed is not available. */
struct cpu {
	const char *name[8];
	uint64_t value[8];
};

static bool cpu_reg(void *ctx, const char *name, uint64_t *value)
{
	const struct cpu *c = ctx;

	for (int i = 0; i < 8 && c->name[i]; i++)
		if (!strcmp(c->name[i], name)) {
			*value = c->value[i];
			return true;
		}
	return false;
}

static const struct pt_format *fmts[8];
static struct pt_cpu_roots roots[8];
static char err[512];

/* pt_formats_of_cpu on c: the code; fmts/roots/err as found, *n the count. */
static int ask(uint16_t machine, struct cpu *c, pt_phys_read_fn read, void *rctx, unsigned *n)
{
	*n = 8;
	err[0] = 0;
	memset(roots, 0, sizeof(roots));
	return pt_formats_of_cpu(machine, cpu_reg, c, read, rctx, fmts, roots, n, err, sizeof(err));
}

/* The registers select exactly `name`, with these roots and halves. */
static void want_one(uint16_t machine, struct cpu *c, const char *name, unsigned halves,
		     uint64_t r0, uint64_t r1, const char *how)
{
	unsigned n;

	if (!CHECK_EQ(ask(machine, c, NULL, NULL, &n), 0) || !CHECK_EQ(n, 1)) {
		fprintf(stderr, "  wanted %s: %s\n", name, err);
		return;
	}
	if (!CHECK(!strcmp(fmts[0]->name, name)))
		fprintf(stderr, "  wanted %s, got %s\n", name, fmts[0]->name);
	CHECK_EQ(roots[0].halves, halves);
	if (halves & 1)
		CHECK_EQ(roots[0].root[0], r0);
	if (halves & 2)
		CHECK_EQ(roots[0].root[1], r1);
	if (how && !CHECK(!strcmp(roots[0].how, how)))
		fprintf(stderr, "  how: '%s', wanted '%s'\n", roots[0].how, how);
}

/* The registers fail with code and an error holding each of the words (NULL-terminated). */
static void want_err(uint16_t machine, struct cpu *c, pt_phys_read_fn read, void *rctx, int code,
		     const char *const *words)
{
	unsigned n;

	CHECK_EQ(ask(machine, c, read, rctx, &n), code);
	for (; *words; words++)
		if (!CHECK(strstr(err, *words)))
			fprintf(stderr, "  '%s' not in: %s\n", *words, err);
}
#define WANT_ERR(m, c, code, ...)                                                                  \
	want_err(m, c, NULL, NULL, code, (const char *const[]){ __VA_ARGS__, NULL })

#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)

static void test_x86(void)
{
	struct cpu c = { { "cr3", "cr0", "cr4", "efer" },
			 { 0x1234005, CR0_PG | 1, CR4_PAE, EFER_LMA | (1 << 8) } };

	want_one(EM_X86_64, &c, "x86_64", 1, 0x1234000, 0, "CR3 0x1234005");
	c.value[2] |= CR4_LA57;
	want_one(EM_X86_64, &c, "x86_64-la57", 1, 0x1234000, 0, "CR3 0x1234005");
	c.name[3] = NULL; /* no EFER: CR0 and CR4 decide */
	want_one(EM_X86_64, &c, "x86_64-la57", 1, 0x1234000, 0, NULL);
	/* Asked for one format: the other mode is named. */
	CHECK_EQ(pt_roots_of_cpu(pt_format_find("x86_64"), cpu_reg, &c, NULL, NULL, &roots[0], err,
				 sizeof(err)),
		 -PT_EINVAL);
	CHECK(strstr(err, "CR4.LA57 = 1: 5-level paging"));
	c.value[2] = CR4_PAE;
	CHECK_EQ(pt_roots_of_cpu(pt_format_find("x86_64-la57"), cpu_reg, &c, NULL, NULL, &roots[0],
				 err, sizeof(err)),
		 -PT_EINVAL);
	CHECK(strstr(err, "CR4.LA57 = 0: 4-level paging"));

	c.value[1] = 0x60000011; /* reset: PG = 0 */
	WANT_ERR(EM_X86_64, &c, -PT_ENOENT, "CR0.PG = 0", "CR0 0x60000011");
	c.value[1] = CR0_PG | 1;
	c.value[2] = 0; /* 32-bit paging */
	WANT_ERR(EM_X86_64, &c, -PT_EINVAL, "x86_64, x86_64-la57: CR4.PAE = 0");
	c.value[2] = CR4_PAE;
	c.name[3] = "efer";
	c.value[3] = 1 << 8; /* LME without LMA: not yet in long mode */
	WANT_ERR(EM_X86_64, &c, -PT_EINVAL, "EFER.LMA = 0");
	c.value[3] = EFER_LMA;
	c.value[0] = 1ull << 55; /* a reserved CR3 bit */
	WANT_ERR(EM_X86_64, &c, -PT_EBADENT, "CR3 bits 60:52");
	c.name[0] = "CR3"; /* only other spellings: missing */
	WANT_ERR(EM_X86_64, &c, -PT_ENOENT, "register cr3 is not available");
	c.name[0] = "cr3";
	c.name[2] = "efer", c.name[3] = NULL;
	WANT_ERR(EM_X86_64, &c, -PT_ENOENT, "register cr4 is not available", "CR3 0x");
}

#define TCR_EPD0 (1ull << 7)
#define TCR_EPD1 (1ull << 23)
#define TCR_DS (1ull << 59)

/* Each arm64 format and the TCR_EL1 fields that select it. */
static const struct {
	const char *name;
	unsigned tg0, tg1, va;
	bool ds;
} arm64[] = {
	{ "arm64-4k-39", 0, 2, 39, false },  { "arm64-4k-48", 0, 2, 48, false },
	{ "arm64-4k-52", 0, 2, 52, true },   { "arm64-16k-36", 2, 1, 36, false },
	{ "arm64-16k-47", 2, 1, 47, false }, { "arm64-16k-52", 2, 1, 52, true },
	{ "arm64-64k-42", 1, 3, 42, false }, { "arm64-64k-48", 1, 3, 48, false },
	{ "arm64-64k-52", 1, 3, 52, false },
};

static uint64_t tcr_of(unsigned i)
{
	uint64_t tsz = 64 - arm64[i].va;

	return tsz | (uint64_t)arm64[i].tg0 << 14 | tsz << 16 | (uint64_t)arm64[i].tg1 << 30 |
	       5ull << 32 | (arm64[i].ds ? TCR_DS : 0) | 0x3500u /* IRGN/ORGN/SH: no say */;
}

static void test_arm64(void)
{
	const uint64_t t0 = 5ull << 48 | 0x40000000 | 1, t1 = 0x80000000; /* ASID, CnP */
	struct cpu c = { { "SCTLR", "TCR_EL1", "TTBR0_EL1", "TTBR1_EL1" },
			 { 0x30d00801, 0, t0, t1 } };
	char how[96];

	snprintf(how, sizeof(how), "TTBR0_EL1 0x%llx, TTBR1_EL1 0x%llx", (unsigned long long)t0,
		 (unsigned long long)t1);
	for (unsigned i = 0; i < sizeof(arm64) / sizeof(arm64[0]); i++) {
		c.value[1] = tcr_of(i);
		/* 52-bit BADDR: TTBR bits 5:2 are BADDR[51:48] (0 here, bit 0 CnP). */
		want_one(EM_AARCH64, &c, arm64[i].name, 3, 0x40000000, 0x80000000, how);
		c.value[1] |= TCR_EPD1;
		want_one(EM_AARCH64, &c, arm64[i].name, 1, 0x40000000, 0, NULL);
		c.value[1] ^= TCR_EPD1 | TCR_EPD0;
		want_one(EM_AARCH64, &c, arm64[i].name, 2, 0, 0x80000000, NULL);
		CHECK(strstr(roots[0].how, "TTBR0_EL1 off (EPD0)"));
	}
	/* SCTLR under its other name, and not at all: the TCR decides alone. */
	c.value[1] = tcr_of(1);
	c.name[0] = "SCTLR_EL1";
	want_one(EM_AARCH64, &c, "arm64-4k-48", 3, 0x40000000, 0x80000000, NULL);
	c.name[0] = "nosuch";
	want_one(EM_AARCH64, &c, "arm64-4k-48", 3, 0x40000000, 0x80000000, NULL);
	c.name[0] = "SCTLR";
	/* The upper half's walks off: its TTBR need not be there. */
	c.name[3] = NULL;
	WANT_ERR(EM_AARCH64, &c, -PT_ENOENT, "register TTBR1_EL1 is not available");
	c.value[1] |= TCR_EPD1;
	want_one(EM_AARCH64, &c, "arm64-4k-48", 1, 0x40000000, 0, NULL);
	c.name[3] = "TTBR1_EL1";

	c.value[0] = 0x30d00800; /* M = 0 */
	WANT_ERR(EM_AARCH64, &c, -PT_ENOENT, "MMU is off (SCTLR_EL1.M = 0)",
		 "SCTLR_EL1 0x30d00800");
	c.value[0] |= 1;
	c.value[1] = tcr_of(1) | TCR_EPD0 | TCR_EPD1;
	WANT_ERR(EM_AARCH64, &c, -PT_ENOENT, "EPD0 = EPD1 = 1");
	/* 4K granule, 44-bit VA: no format; the message groups the formats by answer. */
	c.value[1] = tcr_of(1) + 4 + (4 << 16);
	WANT_ERR(EM_AARCH64, &c, -PT_EINVAL,
		 "TTBR0 4K granule 44-bit VA, TTBR1 4K granule 44-bit VA",
		 "arm64-4k-39, arm64-4k-48, arm64-4k-52: TCR_EL1.T0SZ selects another VA size",
		 "arm64-16k-36, arm64-16k-47, arm64-16k-52, arm64-64k-42, arm64-64k-48, "
		 "arm64-64k-52: TCR_EL1.TG0 selects another granule");
	/* The halves disagree (48-bit lower, 39-bit upper). */
	c.value[1] = (tcr_of(1) & ~(0x3full << 16)) | 25ull << 16;
	WANT_ERR(EM_AARCH64, &c, -PT_EINVAL, "arm64-4k-39, arm64-4k-52: TCR_EL1.T0SZ",
		 "arm64-4k-48: TCR_EL1.T1SZ selects another VA size");
	/* 48-bit VA with FEAT_LPA2 descriptors (DS = 1): the -48 format does not decode them. */
	c.value[1] = tcr_of(1) | TCR_DS;
	WANT_ERR(EM_AARCH64, &c, -PT_EINVAL, "arm64-4k-48: TCR_EL1.DS = 1");
	c.value[1] = tcr_of(2) & ~TCR_DS;
	WANT_ERR(EM_AARCH64, &c, -PT_EINVAL, "arm64-4k-52: TCR_EL1.DS = 0");
	c.name[1] = NULL;
	WANT_ERR(EM_AARCH64, &c, -PT_ENOENT, "register TCR_EL1 is not available");
}

static void test_riscv(void)
{
	static const char *const names[] = { "riscv-sv39", "riscv-sv48", "riscv-sv57" };
	struct cpu c = { { "satp" }, { 0 } };

	for (unsigned m = 8; m <= 10; m++) {
		c.value[0] = (uint64_t)m << 60 | 3ull << 44 | 0x80200; /* ASID 3 */
		want_one(EM_RISCV, &c, names[m - 8], 1, 0x80200000, 0, NULL);
	}
	c.value[0] = 0x80200; /* Bare */
	WANT_ERR(EM_RISCV, &c, -PT_ENOENT, "satp.MODE = 0 (Bare)");
	c.value[0] = 11ull << 60 | 0x80200; /* Sv64: reserved */
	WANT_ERR(EM_RISCV, &c, -PT_EINVAL,
		 "riscv-sv39, riscv-sv48, riscv-sv57: satp.MODE is reserved");
	c.value[0] = 9ull << 60;
	CHECK_EQ(pt_roots_of_cpu(pt_format_find("riscv-sv57"), cpu_reg, &c, NULL, NULL, &roots[0],
				 err, sizeof(err)),
		 -PT_EINVAL);
	CHECK(strstr(err, "satp.MODE = 9: Sv48"));
	c.name[0] = NULL;
	WANT_ERR(EM_RISCV, &c, -PT_ENOENT, "register satp is not available");
}

/* ppc64: partition table at 0x1000, process table at 0x2000, in 16K of big-endian memory. */
static uint8_t mem[0x4000];

static int mem_read(void *ctx, uint64_t pa, void *buf, uint64_t n)
{
	(void)ctx;
	if (pa > sizeof(mem) || sizeof(mem) - pa < n)
		return -1;
	memcpy(buf, mem + pa, n);
	return 0;
}

static void put_be(uint64_t pa, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		mem[pa + (uint64_t)i] = (uint8_t)(v >> (56 - 8 * i));
}

#define RTS52 ((2ull << 61) | (5ull << 5)) /* RTS = 21: 2^52 bytes */

static void test_ppc64(void)
{
	struct cpu c = { { "ptcr", "pid" }, { 0x1000, 1 } };
	unsigned n;

	put_be(0x1000, 1ull << 63 | RTS52 | 0x40000 | 13); /* HR: radix */
	put_be(0x1008, 0x2000);				   /* PRTB, PRTS 0: 256 entries */
	put_be(0x2000, RTS52 | 0x40000 | 13);		   /* PID 0: root 0x40000 */
	put_be(0x2010, RTS52 | 0x50000 | 13);		   /* PID 1: root 0x50000 */
	/* Both page sizes match: the registers cannot tell them apart. */
	if (CHECK_EQ(ask(EM_PPC64, &c, mem_read, NULL, &n), 0) && CHECK_EQ(n, 2)) {
		CHECK(!strcmp(fmts[0]->name, "ppc64-radix-4k"));
		CHECK(!strcmp(fmts[1]->name, "ppc64-radix-64k"));
		for (int i = 0; i < 2; i++) {
			CHECK_EQ(roots[i].halves, 3);
			CHECK_EQ(roots[i].root[0], 0x50000);
			CHECK_EQ(roots[i].root[1], 0x40000);
			CHECK(!strcmp(roots[i].how, "PTCR 0x1000, PIDR 1"));
		}
	}
	/* Room for one: the first, and n says so. */
	n = 1;
	CHECK_EQ(pt_formats_of_cpu(EM_PPC64, cpu_reg, &c, mem_read, NULL, fmts, roots, &n, err,
				   sizeof(err)),
		 0);
	CHECK_EQ(n, 1);
	c.name[1] = "pidr"; /* another spelling */
	c.value[1] = 0;
	if (CHECK_EQ(ask(EM_PPC64, &c, mem_read, NULL, &n), 0))
		CHECK_EQ(roots[0].root[0], 0x40000);
	c.name[1] = "PIDR_nosuch";
	WANT_ERR(EM_PPC64, &c, -PT_ENOENT, "register pid is not available", "PTCR 0x1000");
	c.name[1] = "pid";
	c.value[1] = 2; /* an empty process-table entry */
	want_err(EM_PPC64, &c, mem_read, NULL, -PT_ENOENT,
		 (const char *const[]){ "no tree for this PID", NULL });
	c.value[1] = 1;
	want_err(EM_PPC64, &c, NULL, NULL, -PT_EFAULT, (const char *const[]){ "no reader", NULL });
	put_be(0x1000, RTS52 | 0x40000 | 13); /* HR = 0: hashed page table */
	want_err(EM_PPC64, &c, mem_read, NULL, -PT_EINVAL,
		 (const char *const[]){ "ppc64-radix-4k, ppc64-radix-64k: hashed page table",
					NULL });
	c.value[0] = 0;
	WANT_ERR(EM_PPC64, &c, -PT_ENOENT, "PTCR is 0");
}

int main(void)
{
	struct cpu none = { { NULL }, { 0 } };
	unsigned n;

	test_x86();
	test_arm64();
	test_riscv();
	test_ppc64();
	CHECK_EQ(ask(3 /* EM_386 */, &none, NULL, NULL, &n), -PT_EINVAL);
	CHECK(strstr(err, "no ptkit format is for ELF machine 3"));
	return CHECK_DONE();
}
