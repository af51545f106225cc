/* SPDX-License-Identifier: MIT */
/* x86_64 freestanding probe (issue 5, item 4): boot.S of ../x86_64 enters long mode on the
 * bootstrap tables of fsboot.S (identity map of the first 4 GiB, as a small kernel's early
 * tables would be; 5 levels and CR4.LA57 for x86_64-la57). ../common/fs.c then builds the
 * real tables with the ptkit core (FS_FORMAT) with paging on, and the hooks below load CR3
 * with them and say what the SDM (vol 3 4.6 access rights, 4.7 #PF error code) predicts for
 * an access with CR0.WP = 1, EFER.NXE = 1, SMEP = SMAP = PKE = 0. */
#include "../common/fs.h"
#include "../x86_64/arch.h"

#ifndef FS_FORMAT
#error "FS_FORMAT: the format name"
#endif

/* qemu -m 2G; everything below 4 GiB, so that the bootstrap identity map reaches it. */
const struct fs_arch fs_arch = {
	.arena_pa = 0x800000,
	.arena_size = 0x800000,
	.win_pa = 0x1000000,
	.win_end = 0x80000000,
	.max_leaf = 1ull << 30,
	.exec_off = EXEC_OFF,
	.insn_ret = 0xc3,      /* ret */
	.store_dirties = true, /* the MMU sets D (SDM 4.8) */
};

/* What the probe itself needs (../x86_64/link.ld): kernel, user text, user stack. */
void fs_arch_identity_maps(const struct pt_format *fmt)
{
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	if ((cr4 >> 12 & 1) != (fmt->levels == 5)) {
		puts_("SETUP-FAILED CR4.LA57 does not match the format\n");
		poweroff(EXIT_FAIL);
	}
	fs_map(0x100000, 0x100000, 0xf0000, PT_R | PT_W | PT_X, 0);
	fs_map(0x1f0000, 0x1f0000, 0x1000, PT_R | PT_X | PT_USER, 0);
	fs_map(0x1f8000, 0x1f8000, 0x8000, PT_R | PT_W | PT_USER, 0);
}

void fs_arch_sync_icache(void)
{
	/* x86 keeps instruction fetches coherent with stores (SDM vol 3 11.6). */
}

void fs_arch_mmu_on(struct pt_mm *mm)
{
	uint64_t root = mm->root[0], cr4;

	__asm__ volatile("mov %0, %%cr3" : : "r"(root) : "memory");
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	puts_("PROBE x86_64 cr4 ");
	puthex(cr4);
	print_cpuid();
	putc_('\n');
}

void fs_arch_flush(struct pt_gather *g, uint64_t start, uint64_t last)
{
	uint64_t cr3;
	(void)g;
	if (last - start < 64 * 4096) {
		/* INVLPG also drops every paging-structure cache entry (SDM 4.10.4.1). */
		for (uint64_t va = start & ~0xfffull;; va += 4096) {
			__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
			if (va >= (last & ~0xfffull))
				break;
		}
		return;
	}
	__asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory");
}

/* SDM 4.6 with CR0.WP = 1, NXE = 1, SMEP = SMAP = 0: user accesses need U/S; stores need
 * R/W (supervisor too); fetches need XD = 0. The supervisor may use user pages. */
bool fs_arch_allowed(int kind, bool user, uint32_t prot)
{
	if (user && !(prot & PT_USER))
		return false;
	if (kind == 1 && !(prot & PT_W))
		return false;
	return kind != 2 || (prot & PT_X);
}

/* A non-canonical address: #GP (13). Else #PF (14) with error code P (a protection fault:
 * the VA is mapped), W, U, I (fetch, NXE on), and CR2 = the address. */
const char *fs_arch_check_fault(int kind, bool user, int rc, const struct pt_translation *tr,
				uint64_t addr, uint64_t *got, uint64_t *want)
{
	(void)tr;
	if (rc == -PT_ERANGE) {
		*got = probe_fault_vec, *want = 13;
		return probe_fault_vec == 13 ? NULL : "non-canonical: expected #GP, vec";
	}
	if (probe_fault_vec != 14) {
		*got = probe_fault_vec, *want = 14;
		return "expected #PF, vec";
	}
	*want = (rc == 0 ? 1 : 0) | (kind == 1 ? 2 : 0) | (user ? 4 : 0) | (kind == 2 ? 16 : 0);
	if ((probe_fault_err & 0x17) != *want) {
		*got = probe_fault_err;
		return "#PF error code vs expected";
	}
	if (probe_fault_cr2 != addr) {
		*got = probe_fault_cr2, *want = addr;
		return "cr2 vs address";
	}
	return NULL;
}

void fs_arch_poweroff(bool ok)
{
	poweroff(ok ? EXIT_OK : EXIT_FAIL);
}

void probe_main(void)
{
	setup_cpu();
	fs_run(FS_FORMAT);
}
