/* SPDX-License-Identifier: MIT */
/* AArch64 freestanding probe (issue 5, item 4): ../common/fs.c builds this machine's tables
 * at boot with the ptkit core (FS_FORMAT, e.g. "arm64-4k-48"), with the MMU off; the hooks
 * below turn the EL1&0 MMU on with TTBR0/TTBR1 = the two roots (../aarch64/arch.c) and say
 * what the Arm ARM (D8.4 permissions, D8.5 AF, D19 ESR_EL1) predicts for an access.
 * Boot, vectors and EL0 entry: ../aarch64/boot.S, layout ../aarch64/link.ld. */
#include "../aarch64/arch.h"
#include "../common/fs.h"

#ifndef FS_FORMAT
#error "FS_FORMAT: the format name"
#endif

/* QEMU virt with -m 3G: RAM is 0x40000000..0x100000000. */
const struct fs_arch fs_arch = {
	.arena_pa = 0x41000000,
	.arena_size = 0x02000000,
	.win_pa = 0x50000000,
	.win_end = 0x100000000,
	.max_leaf = 1ull << 30,
	.exec_off = EXEC_OFF,
	.insn_ret = INSN_RET,
	.store_dirties = false, /* TCR_EL1.HD = 0 */
};

void fs_arch_identity_maps(const struct pt_format *fmt)
{
	(void)fmt;
	fs_map(UART_BASE, UART_BASE, 0x10000, PT_R | PT_W | PT_DEVICE, 0);
	fs_map(0x40200000, 0x40200000, 0x100000, PT_R | PT_W | PT_X, 0);   /* kernel */
	fs_map(0x40300000, 0x40300000, 0x10000, PT_R | PT_X | PT_USER, 0); /* user text */
	fs_map(0x40310000, 0x40310000, 0x10000, PT_R | PT_W | PT_USER, 0); /* user stack */
}

void fs_arch_sync_icache(void)
{
	__asm__ volatile("dsb sy; ic iallu; dsb sy; isb" ::: "memory");
}

void fs_arch_mmu_on(struct pt_mm *mm)
{
	const struct pt_format *f = mm->fmt;

	puts_("PROBE aarch64");
	arm_mmu_on(f->shift[0], (unsigned)f->half_bits, f->pa_bits == 52, mm->root[0], mm->root[1]);
	putc_('\n');
}

/* Entries were written with plain stores: make them visible to the walker, then drop
 * every cached translation of the EL1&0 regime. */
void fs_arch_flush(struct pt_gather *g, uint64_t start, uint64_t last)
{
	(void)g;
	(void)start;
	(void)last;
	__asm__ volatile("dsb ishst; tlbi vmalle1is; dsb ish; isb" ::: "memory");
}

/* D8.4 with PAN = 0, WXN = 0: EL0 needs AP[1] (user); a store AP[2] = 0 (w); a fetch UXN = 0
 * at EL0 and PXN = 0 at EL1. ptkit gives user leaves PXN = 1: EL1 never executes them. */
bool fs_arch_allowed(int kind, bool user, uint32_t prot)
{
	if (user && !(prot & PT_USER))
		return false;
	if (kind == 1 && !(prot & PT_W))
		return false;
	if (kind == 2 && (!(prot & PT_X) || (!user && (prot & PT_USER))))
		return false;
	return true;
}

/* ESR_EL1: EC 0x24/0x25 data abort from EL0/EL1, 0x20/0x21 instruction abort; IL; WnR for a
 * store; xFSC 0b0001LL translation fault (level -1: 0b101011), 0b0011LL permission fault.
 * The Arm level of ptkit's level L is 3 - L. FAR_EL1 = the address. */
const char *fs_arch_check_fault(int kind, bool user, int rc, const struct pt_translation *tr,
				uint64_t addr, uint64_t *got, uint64_t *want)
{
	uint64_t ec = (kind == 2 ? 0x20 : 0x24) + (user ? 0 : 1);
	uint64_t syn = (1ull << 25) | (kind == 1 ? 0x40 : 0), fsc = probe_fault_esr & 0x3f;
	int lvl = 3 - tr->level;

	if (probe_fault_ec != ec) {
		*got = probe_fault_ec, *want = ec;
		return "EC vs expected";
	}
	if ((probe_fault_esr & ~0x3full) != syn) {
		*got = probe_fault_esr, *want = syn;
		return "ESR (IL, WnR) vs expected";
	}
	if (probe_fault_far != addr) {
		*got = probe_fault_far, *want = addr;
		return "FAR vs address";
	}
	if (rc == -PT_ERANGE) { /* outside both VA ranges: a translation fault */
		if ((fsc & 0x3c) != 0x4 && fsc != 0x2b) {
			*got = fsc, *want = 0x4;
			return "FSC: expected a translation fault";
		}
		return NULL;
	}
	*want = rc == 0 ? 0xc + (uint64_t)lvl : lvl < 0 ? 0x2b : 0x4 + (uint64_t)lvl;
	if (fsc != *want) {
		*got = fsc;
		return rc == 0 ? "FSC vs permission fault at the leaf level"
			       : "FSC vs translation fault where translate stopped";
	}
	return NULL;
}

void fs_arch_poweroff(bool ok)
{
	(void)ok; /* success is the SUMMARY line (PSCI SYSTEM_OFF has no status) */
	poweroff();
}

void probe_main(void)
{
	fs_run(FS_FORMAT);
}
