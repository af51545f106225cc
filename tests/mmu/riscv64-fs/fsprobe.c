/* SPDX-License-Identifier: MIT */
/* RISC-V freestanding probe (issue 5, item 4): M-mode only opens PMP, delegates traps and
 * enables Svpbmt (../riscv64/arch.c), then ../common/fs.c runs in S-mode with satp = Bare
 * and builds the tables with the ptkit core (FS_FORMAT, e.g. "riscv-sv48"), Svnapot 64K
 * groups included; the hooks below write satp and say what the privileged spec (4.3.1,
 * 4.3.2 with sstatus.SUM = MXR = 0) predicts for an access. Boot, traps and U-mode entry:
 * ../riscv64/boot.S, layout ../riscv64/link.ld. QEMU: -cpu rv64,svnapot=on,svpbmt=on. */
#include "../common/fs.h"
#include "../riscv64/arch.h"

#ifndef FS_FORMAT
#error "FS_FORMAT: the format name"
#endif

#define MENVCFG_PBMTE (1ull << 62)

/* QEMU virt with -m 4G: DRAM is 0x80000000..0x180000000. */
const struct fs_arch fs_arch = {
	.arena_pa = 0x81000000,
	.arena_size = 0x02000000,
	.win_pa = 0x88000000,
	.win_end = 0x180000000,
	.max_leaf = 1ull << 30,
	.exec_off = EXEC_OFF,
	.insn_ret = INSN_RET,
	.store_dirties = true, /* ptkit sets D on writable leaves */
};

void fs_arch_identity_maps(const struct pt_format *fmt)
{
	(void)fmt;
	fs_map(0x80000000, 0x80000000, 0xf0000, PT_R | PT_W | PT_X, 0);	  /* M/S text, data */
	fs_map(0x800f0000, 0x800f0000, 0x1000, PT_R | PT_X | PT_USER, 0); /* user text */
}

void fs_arch_sync_icache(void)
{
	__asm__ volatile("fence rw, rw; fence.i" ::: "memory");
}

void fs_arch_mmu_on(struct pt_mm *mm)
{
	uint64_t mode = (uint64_t)mm->fmt->levels + 5; /* Sv39 8, Sv48 9, Sv57 10 */
	uint64_t satp;

	csr_write(satp, mode << 60 | mm->root[0] >> 12); /* ASID 0 */
	__asm__ volatile("sfence.vma" ::: "memory");
	satp = csr_read(satp);
	puts_("PROBE riscv64 satp ");
	puthex(satp);
	puts_(" menvcfg ");
	puthex(m_menvcfg);
	puts_(" misa ");
	puthex(m_misa);
	puts_(" sstatus ");
	puthex(csr_read(sstatus));
	putc_('\n');
	if (satp >> 60 != mode) { /* a MODE the CPU lacks leaves satp unchanged */
		puts_("UNSUPPORTED satp MODE ");
		putdec(mode);
		putc_('\n');
		poweroff(EXIT_OK);
	}
}

void fs_arch_flush(struct pt_gather *g, uint64_t start, uint64_t last)
{
	(void)g;
	(void)start;
	(void)last;
	__asm__ volatile("sfence.vma" ::: "memory");
}

/* 4.3.2 with SUM = MXR = 0: U-mode needs U = 1, S-mode U = 0 (no S access to user pages,
 * no S fetch from them ever); a load needs R, a store W, a fetch X. A and D are set by
 * ptkit (and would be by QEMU): they never fault here. */
bool fs_arch_allowed(int kind, bool user, uint32_t prot)
{
	static const uint32_t need[3] = { PT_R, PT_W, PT_X };
	return user == !!(prot & PT_USER) && (prot & need[kind]);
}

/* scause 13 load / 15 store-AMO / 12 instruction page fault, taken from the access's mode
 * (sstatus.SPP), stval = the address. A non-canonical VA is a page fault too (4.3.1 /
 * 4.4.1: bits 63..VA must equal bit VA-1). */
const char *fs_arch_check_fault(int kind, bool user, int rc, const struct pt_translation *tr,
				uint64_t addr, uint64_t *got, uint64_t *want)
{
	static const uint64_t cause[3] = { 13, 15, 12 };
	(void)rc;
	(void)tr;
	if (probe_fault_cause != cause[kind]) {
		*got = probe_fault_cause, *want = cause[kind];
		return "scause vs expected page fault";
	}
	if (probe_fault_spp != (user ? 0u : 1u)) {
		*got = probe_fault_spp, *want = user ? 0 : 1;
		return "sstatus.SPP vs access mode";
	}
	if (probe_fault_tval != addr) {
		*got = probe_fault_tval, *want = addr;
		return "stval vs address";
	}
	return NULL;
}

void fs_arch_poweroff(bool ok)
{
	poweroff(ok ? EXIT_OK : EXIT_FAIL);
}

static void fs_s_main(void)
{
	fs_run(FS_FORMAT);
}

void m_main(void)
{
	m_setup(MENVCFG_PBMTE);
	enter_s(fs_s_main);
}
