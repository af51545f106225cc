// SPDX-License-Identifier: MIT
/*
 * Leaf memory types through the CPU's memory attribute register (pt_format_ops.mem_attr_reg,
 * leaf_mem_type; pt_space_set_mem_attr). Expected values come from the manuals' encodings:
 *   arm64: Arm ARM D8.6 "Memory region attributes" (AttrIndx, bits 4:2, picks byte n of
 *          MAIR_EL1) and the MAIR_EL1 Attr<n> encodings: 0b0000ddxx Device, otherwise
 *          Normal with outer bits 7:4 and inner bits 3:0, 0b0100 Non-cacheable, 0x40
 *          (FEAT_XS) Inner/Outer Non-cacheable, 0xf0 Tagged Normal Write-Back.
 *   x86:   Intel SDM vol. 3A 11.12.3: PAT entry PAT:PCD:PWT (PAT = bit 7 of a 4K PTE, bit 12
 *          of a 2M/1G leaf); IA32_PAT types 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC-.
 * Linux's registers: arm64 MAIR_EL1 0x000000040044ffff (v5.10 on: MT_NORMAL 0, _TAGGED 1,
 * _NC 2, DEVICE_nGnRnE 3, DEVICE_nGnRE 4), before that 0x000000bbff440c0400 (nGnRnE 0,
 * nGnRE 1, GRE 2, NC 3, NORMAL 4, WT 5); x86 IA32_PAT 0x0407050600070106 (WB WC UC- UC WB
 * WP UC- WT).
 */
#include <stdio.h>
#include <string.h>

#include <ptkit/space.h>

#include "check.h"

#define MT (PT_DEVICE | PT_NOCACHE)
#define D PT_DEVICE
#define NC PT_NOCACHE

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Every format: with ptkit's own register value the type is leaf_prot's, for any entry. */
static void own_value_is_leaf_prot(void)
{
	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);
		uint64_t own = 1;
		const char *reg = pt_format_mem_attr_reg(f, &own);
		bool indirect = !strncmp(f->name, "arm64", 5) || !strncmp(f->name, "x86", 3);

		CHECK_EQ(reg != NULL, indirect);
		if (!reg)
			CHECK_EQ(own, 0);
		for (int level = 0; level < f->levels; level++) {
			if (!f->leaf_ok[level])
				continue;
			for (int n = 0; n < 20000; n++) {
				uint64_t e = next_rand();
				uint32_t prot = f->ops.leaf_prot(e, level);

				if (!CHECK_EQ(f->ops.leaf_mem_type(e, level, own), prot & MT))
					fprintf(stderr, "  %s level %d entry 0x%llx\n", f->name,
						level, (unsigned long long)e);
				CHECK_EQ(pt_format_prot_with_mem_attr(f, prot, e, level, own),
					 prot);
			}
		}
	}
}

/* The memory type of an arm64 leaf with AttrIndx idx under mair. */
static uint32_t arm64_type(const struct pt_format *f, unsigned idx, uint64_t mair)
{
	uint64_t e = 0x10000 | 0x3 | 0x400 | ((uint64_t)idx << 2); /* page, AF */

	return f->ops.leaf_mem_type(e, 0, mair);
}

static void arm64_mair(void)
{
	static const struct {
		unsigned byte;
		uint32_t type;
	} attr[] = {
		{ 0x00, D },  /* Device-nGnRnE */
		{ 0x04, D },  /* Device-nGnRE */
		{ 0x08, D },  /* Device-nGRE */
		{ 0x0c, D },  /* Device-GRE */
		{ 0x44, NC }, /* Normal Inner/Outer Non-cacheable */
		{ 0x40, NC }, /* FEAT_XS: Normal Inner/Outer Non-cacheable, XS = 0 */
		{ 0xf4, NC }, /* inner Non-cacheable, outer Write-Back */
		{ 0x4f, 0 },  /* inner Write-Back, outer Non-cacheable */
		{ 0xff, 0 },  /* Normal Write-Back RW-allocate */
		{ 0xbb, 0 },  /* Normal Write-Through */
		{ 0xaa, 0 },  /* Normal Write-Through R-allocate */
		{ 0xee, 0 },  /* Normal Write-Back R-allocate */
		{ 0xf0, 0 },  /* Tagged Normal Write-Back (FEAT_MTE2) */
	};
	static const struct {
		uint64_t mair;
		uint32_t type[8];
	} linux_mair[] = {
		{ 0x000000040044ffffull, { 0, 0, NC, D, D, D, D, D } }, /* v5.10 on, no MTE */
		{ 0x000000040044f0ffull, { 0, 0, NC, D, D, D, D, D } }, /* v5.10 on, MTE */
		{ 0x0000bbff440c0400ull, { D, D, D, NC, 0, 0, D, D } }, /* before v5.10 */
	};

	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);

		if (strncmp(f->name, "arm64", 5))
			continue;
		for (size_t a = 0; a < sizeof(attr) / sizeof(attr[0]); a++)
			for (unsigned idx = 0; idx < 8; idx++) {
				/* The byte at idx, its neighbours another type. */
				uint64_t mair = 0x4444444444444444ull & ~(0xffull << (8 * idx));

				mair |= (uint64_t)attr[a].byte << (8 * idx);
				if (attr[a].type == NC)
					mair ^= 0xbbbbbbbbbbbbbbbbull & ~(0xffull << (8 * idx));
				if (!CHECK_EQ(arm64_type(f, idx, mair), attr[a].type))
					fprintf(stderr, "  %s Attr%u = 0x%02x\n", f->name, idx,
						attr[a].byte);
			}
		for (size_t m = 0; m < sizeof(linux_mair) / sizeof(linux_mair[0]); m++)
			for (unsigned idx = 0; idx < 8; idx++)
				if (!CHECK_EQ(arm64_type(f, idx, linux_mair[m].mair),
					      linux_mair[m].type[idx]))
					fprintf(stderr, "  %s MAIR 0x%llx AttrIndx %u\n", f->name,
						(unsigned long long)linux_mair[m].mair, idx);
		/* ptkit's own MAIR_EL1 is Linux's (v5.10 on, no MTE). */
		uint64_t own;
		CHECK(pt_format_mem_attr_reg(f, &own) &&
		      !strcmp(pt_format_mem_attr_reg(f, 0), "MAIR_EL1"));
		CHECK_EQ(own, linux_mair[0].mair);
	}
}

static void x86_pat(void)
{
	const uint64_t pwt = 1u << 3, pcd = 1u << 4, pat4k = 1u << 7, patbig = 1u << 12;
	const uint64_t linux_pat = 0x0407050600070106ull, power_on = 0x0007040600070406ull;
	static const uint32_t linux_type[8] = { 0, NC, NC, D, 0, 0, NC, 0 };
	static const uint32_t power_on_type[8] = { 0, 0, NC, D, 0, 0, NC, D };

	for (unsigned i = 0; pt_format_at(i); i++) {
		const struct pt_format *f = pt_format_at(i);
		uint64_t own;

		if (strncmp(f->name, "x86", 3))
			continue;
		CHECK(pt_format_mem_attr_reg(f, &own) &&
		      !strcmp(pt_format_mem_attr_reg(f, 0), "IA32_PAT"));
		CHECK_EQ(own, power_on);
		for (unsigned idx = 0; idx < 8; idx++) {
			uint64_t bits = (idx & 1 ? pwt : 0) | (idx & 2 ? pcd : 0);
			uint64_t pte = 0x5000 | 0x1 | bits | (idx & 4 ? pat4k : 0);
			uint64_t pmd = 0x200000 | 0x81 | bits | (idx & 4 ? patbig : 0);

			CHECK_EQ(f->ops.leaf_mem_type(pte, 0, linux_pat), linux_type[idx]);
			CHECK_EQ(f->ops.leaf_mem_type(pmd, 1, linux_pat), linux_type[idx]);
			CHECK_EQ(f->ops.leaf_mem_type(pmd, 2, power_on), power_on_type[idx]);
			/* Bit 12 of a PTE is an address bit, bit 7 of a 2M leaf is PS. */
			CHECK_EQ(f->ops.leaf_mem_type(pte | patbig, 0, linux_pat), linux_type[idx]);
			/* Each type in each entry. */
			for (unsigned t = 0; t < 8; t++) {
				uint64_t one = (0x0606060606060606ull & ~(0xffull << (8 * idx))) |
					       ((uint64_t)t << (8 * idx));
				uint32_t want = t == 0 ? D : t == 1 || t == 7 ? NC : 0;

				if (t == 2 || t == 3)
					continue; /* reserved */
				CHECK_EQ(f->ops.leaf_mem_type(pte, 0, one), want);
			}
		}
	}
}

/* pt_space_set_mem_attr: translate and next_leaf report the register's types. */
static void space(void)
{
	/*
	 * arm64: before v5.10, Linux's AttrIndx 4 (ptkit's device) is Normal, 2 Device-nGRE,
	 * 0 Device-nGnRnE. x86: a PAT of WB everywhere.
	 */
	const uint64_t old_linux = 0x0000bbff440c0400ull, all_wb = 0x0606060606060606ull;
	const uint32_t own_type[3] = { D, NC, 0 }, old_type[3] = { 0, D, D }, wb_type[3] = { 0 };
	const char *names[] = { "arm64-4k-48", "arm64-64k-52", "x86_64", "riscv-sv48" };
	char err[256];

	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		const struct pt_format *f = pt_format_find(names[n]);
		struct pt_space *s;
		struct pt_translation tr;
		struct pt_space_leaf lf;
		uint64_t va;
		bool arm = !strncmp(names[n], "arm64", 5);
		uint64_t pg = f->page_sizes & -f->page_sizes; /* the smallest page */
		char spec[256];

		snprintf(spec, sizeof(spec),
			 "map 0x200000 0x200000 %llu r,w,device\nmap %#llx %#llx %llu r,w,nocache\n"
			 "map %#llx %#llx %llu r,w\n",
			 (unsigned long long)pg, (unsigned long long)(0x200000 + pg),
			 (unsigned long long)(0x200000 + pg), (unsigned long long)pg,
			 (unsigned long long)(0x200000 + 2 * pg),
			 (unsigned long long)(0x200000 + 2 * pg), (unsigned long long)pg);
		if (!CHECK_EQ(pt_space_build(&s, f, spec, 0x40000000, 0, err, sizeof(err)), 0)) {
			fprintf(stderr, "  %s: %s\n", names[n], err);
			continue;
		}
		for (int k = 0; k < 3; k++) {
			CHECK_EQ(pt_space_translate(s, 0x200000 + k * pg, &tr, err, sizeof(err)),
				 0);
			CHECK_EQ(tr.prot & MT, own_type[k]);
		}
		if (strncmp(names[n], "riscv", 5)) {
			const uint32_t *want = arm ? old_type : wb_type;

			CHECK_EQ(pt_space_set_mem_attr(s, arm ? old_linux : all_wb, err,
						       sizeof(err)),
				 0);
			for (int k = 0; k < 3; k++) {
				CHECK_EQ(pt_space_translate(s, 0x200000 + k * pg, &tr, err,
							    sizeof(err)),
					 0);
				CHECK_EQ(tr.prot & MT, want[k]);
				CHECK_EQ(tr.prot & PT_W, PT_W); /* the rights are untouched */
			}
			va = 0x200000;
			for (int k = 0; k < 3; k++) {
				CHECK_EQ(pt_space_next_leaf(s, &va, 0x200000 + 3 * pg, &lf, err,
							    sizeof(err)),
					 1);
				CHECK_EQ(lf.prot & MT, want[k]);
			}
		} else {
			CHECK_EQ(pt_space_set_mem_attr(s, old_linux, err, sizeof(err)), -PT_EINVAL);
			CHECK(strstr(err, "riscv-sv48 has no memory attribute register") != NULL);
			CHECK_EQ(pt_space_translate(s, 0x200000, &tr, err, sizeof(err)), 0);
			CHECK_EQ(tr.prot & MT, D);
		}
		pt_space_close(s);
	}
}

int main(void)
{
	own_value_is_leaf_prot();
	arm64_mair();
	x86_pat();
	space();
	return CHECK_DONE();
}
