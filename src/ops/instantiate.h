/* SPDX-License-Identifier: MIT */
/*
 * Compile every generic walker and operation for the format whose header was included
 * just before, and define it as `const struct pt_format PT_FORMAT_SYM` (hidden: callers of
 * libptkit.so reach the formats through pt_format_find / pt_format_at).
 */
#include "ops/codec_tmpl.h"
#include "ops/map_tmpl.h"
#include "ops/protect_tmpl.h"
#include "ops/translate_tmpl.h"
#include "ops/unmap_tmpl.h"

#define I_LVL(m, l) ((l) < FMT_LEVELS ? m(l) : 0)
#define I_ALL(m)                                                                                   \
	{                                                                                          \
		I_LVL(m, 0), I_LVL(m, 1), I_LVL(m, 2), I_LVL(m, 3), I_LVL(m, 4), I_LVL(m, 5)       \
	}

/* r_group's break-before-make buffer holds the largest contiguous group of any level. */
_Static_assert(I_LVL(FMT_CONTIG_C, 0) <= R_MAX_GROUP && I_LVL(FMT_CONTIG_C, 1) <= R_MAX_GROUP &&
		       I_LVL(FMT_CONTIG_C, 2) <= R_MAX_GROUP &&
		       I_LVL(FMT_CONTIG_C, 3) <= R_MAX_GROUP &&
		       I_LVL(FMT_CONTIG_C, 4) <= R_MAX_GROUP &&
		       I_LVL(FMT_CONTIG_C, 5) <= R_MAX_GROUP,
	       "a contiguous group is larger than R_MAX_GROUP");

__attribute__((visibility("hidden"))) const struct pt_format PT_FORMAT_SYM = {
	.name = FMT_NAME,
	.description = FMT_DESCRIPTION,
	.levels = FMT_LEVELS,
	.va_bits = FMT_VA_BITS,
	.pa_bits = FMT_PA_BITS,
	.entry_size = 8,
	.big_endian = FMT_BIG_ENDIAN,
	.elf_machine = FMT_ELF_MACHINE,
	.two_roots = FMT_TWO_ROOTS,
	.bbm = FMT_BBM,
	.page_sizes = FMT_PAGE_SIZES,
	.half_bits = FMT_HALF_BITS,
	.half_base = {0, FMT_UPPER_BASE},
	.contig = I_ALL(FMT_CONTIG_C),
	.shift = I_ALL(FMT_SHIFT_C),
	.index_bits = I_ALL(FMT_BITS_C),
	.leaf_ok = I_ALL(FMT_LEAF_OK_C),
	.level_name = FMT_LEVEL_NAMES,
	.ops =
		{
			.seek = w_seek,
			.next_leaf = w_next_leaf,
			.walk_range = w_walk_range,
			.map = o_map,
			.unmap = o_unmap,
			.protect = o_protect,
			.translate = o_translate,
			.decode = o_decode,
			.leaf_prot = o_leaf_prot,
			.encode_leaf = o_encode_leaf,
			.leaf_set_ad = o_leaf_set_ad,
			.encode_table = o_encode_table,
			.root_of_reg = fmt_root_of_reg,
			.roots_of_table_reg = fmt_roots_of_table_reg,
			.linux_kernel_root = fmt_linux_kernel_root,
			.roots_of_cpu = fmt_roots_of_cpu,
			.mem_attr_reg = fmt_mem_attr_reg,
			.leaf_mem_type = fmt_leaf_mem_type,
		},
};
