/* SPDX-License-Identifier: MIT */
/* ppc64 freestanding probe (issue 5, item 4): the firmware of QEMU powernv9 (POWER9,
 * hypervisor real mode, big-endian). ../common/fs.c builds both radix trees with the ptkit
 * core (FS_FORMAT, e.g. "ppc64-radix-64k") in real mode; the hooks below install them
 * (../ppc64/arch.c: quadrant 0 through PID 1, quadrant 3 through PID 0), turn MSR[IR|DR]
 * on and say what Power ISA 3.0B (6.7.10.3 radix EAA, 6.5.3/6.5.5 DSI/ISI causes) predicts
 * for an access. Boot, vectors and problem-state entry: ../ppc64/boot.S; layout: link.ld. */
#include "../common/fs.h"
#include "../ppc64/arch.h"

#ifndef FS_FORMAT
#error "FS_FORMAT: the format name"
#endif

#define DSISR_NOPTE 0x40000000 /* no translation */
#define DSISR_PROT 0x08000000  /* access not permitted */
#define DSISR_STORE 0x02000000
#define SRR1_NOPTE 0x40000000
#define SRR1_GUARD 0x10000000 /* no-execute or guarded (or not permitted) */

/* QEMU powernv9 with -m 2G: RAM is 0..0x80000000 (the device tree sits at 16 MiB). */
const struct fs_arch fs_arch = {
	.arena_pa = 0x2000000,
	.arena_size = 0x2000000,
	.win_pa = 0x8000000,
	.win_end = 0x80000000,
	.max_leaf = 1ull << 30,
	.exec_off = EXEC_OFF,
	.insn_ret = INSN_BLR,
	.store_dirties = true, /* ptkit sets C on writable leaves */
};

void fs_arch_identity_maps(const struct pt_format *fmt)
{
	(void)fmt;
	/* ./link.ld */
	fs_map(0x10000, 0x10000, 0x1e0000, PT_R | PT_W | PT_X, 0);     /* text, data, bss */
	fs_map(0x1f0000, 0x1f0000, 0x10000, PT_R | PT_X | PT_USER, 0); /* user text */
}

void fs_arch_sync_icache(void)
{
	/* QEMU's TCG drops translated code on stores to it; architecturally this wants a
	 * dcbst/icbi per line, which the harness-driven probe does not do either. */
	__asm__ volatile("sync; icbi 0,%0; isync" : : "r"(0) : "memory");
}

void fs_arch_mmu_on(struct pt_mm *mm)
{
	radix_on(mm->root[0], mm->root[1]);
	puts_("PROBE ppc64");
	radix_print_state();
	putc_('\n');
}

/* Entries were written with plain stores: ptesync orders them before later walks. QEMU
 * flushes its TLB when PIDR is written (probe_op does so before every access too);
 * architecturally this is a tlbie of the range. */
void fs_arch_flush(struct pt_gather *g, uint64_t start, uint64_t last)
{
	(void)g;
	(void)start;
	(void)last;
	__asm__ volatile("ptesync" ::: "memory");
	mtspr(SPR_PIDR, mfspr(SPR_PIDR));
	__asm__ volatile("isync" ::: "memory");
}

/* 6.7.10.3 with AMR = IAMR = 0 (as QEMU 7.2 implements it): problem state needs a
 * non-privileged page (user); a load needs read, a store read/write, a fetch execute and
 * not the non-idempotent I/O attribute; privileged accesses may use user pages. */
bool fs_arch_allowed(int kind, bool user, uint32_t prot)
{
	static const uint32_t need[3] = { PT_R, PT_W, PT_X };
	if (user && !(prot & PT_USER))
		return false;
	if (kind == 2 && (prot & PT_DEVICE))
		return false;
	return prot & need[kind];
}

/* Data: vector 0x300, DSISR = no-translation or not-permitted (+ store), DAR = address.
 * Fetch: 0x400, SRR1 bits = no-translation, or "no-execute or guarded" for any denied
 * fetch, SRR0 = address. An EA outside the tree (bits 52..61 not 0, or quadrant 1/2 in
 * HV mode): a segment interrupt, 0x380 / 0x480. */
const char *fs_arch_check_fault(int kind, bool user, int rc, const struct pt_translation *tr,
				uint64_t addr, uint64_t *got, uint64_t *want)
{
	uint64_t vec = probe_fault[1], bits, where;
	(void)user;
	(void)tr;
	if (rc == -PT_ERANGE) {
		*want = kind == 2 ? 0x480 : 0x380;
		if (vec != *want) {
			*got = vec;
			return "vector vs segment interrupt";
		}
		return NULL;
	}
	*want = kind == 2 ? 0x400 : 0x300;
	if (vec != *want) {
		*got = vec;
		return "vector vs storage interrupt";
	}
	bits = kind == 2 ? probe_fault[5] & 0x783f0000 : probe_fault[2];
	where = kind == 2 ? probe_fault[4] : probe_fault[3];
	if (kind == 2)
		*want = rc == 0 ? SRR1_GUARD : SRR1_NOPTE;
	else
		*want = (rc == 0 ? DSISR_PROT : DSISR_NOPTE) | (kind == 1 ? DSISR_STORE : 0);
	if (bits != *want) {
		*got = bits;
		return kind == 2 ? "SRR1 cause bits vs expected" : "DSISR vs expected";
	}
	if (where != addr) {
		*got = where, *want = addr;
		return kind == 2 ? "SRR0 vs address" : "DAR vs address";
	}
	return NULL;
}

void fs_arch_poweroff(bool ok)
{
	(void)ok; /* success is the SUMMARY line (the watchdog power-off has no status) */
	poweroff();
}

void probe_main(void)
{
	fs_run(FS_FORMAT);
}
