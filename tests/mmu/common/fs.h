/* SPDX-License-Identifier: MIT */
/*
 * The freestanding-core probes (tests/mmu/<arch>-fs/, issue 5 item 4): the ptkit core,
 * compiled -ffreestanding -nostdlib like a kernel, builds the machine's page tables at boot
 * with pt_map / pt_protect / pt_unmap over a bump allocator; the probe turns the MMU on with
 * them and compares pt_translate with what the MMU does on a kernel and a user load, store
 * and fetch of every test VA. The driver (fs.c) is the same for every architecture: it
 * derives the test layout from the format's descriptor (every leaf size up to
 * fs_arch.max_leaf, contiguous / NAPOT groups included, both halves, the edges of the
 * address space). The architecture (fsprobe.c) supplies the hooks below.
 *
 * Output: `PROBE-FS <format> ...`, one `MISMATCH ...` line per disagreement, then
 *   SUMMARY <format> tests <n> accesses <n> translate-checks <n> disagreements <n>
 * Run by common/fs-run.sh.
 */
#ifndef PTKIT_MMU_FS_H
#define PTKIT_MMU_FS_H

#include <ptkit/format.h>
#include <ptkit/ops.h>

#include "common.h"

/* Physical memory the driver may use (all of it identity mapped by the driver). */
struct fs_arch {
	uint64_t arena_pa, arena_size; /* page tables, from a bump allocator */
	uint64_t win_pa, win_end;      /* RAM for the stamped targets of the test leaves */
	uint64_t max_leaf;	       /* largest leaf / group size tested */
	uint64_t exec_off;	       /* page offset of the return instruction */
	uint32_t insn_ret;	       /* that instruction, stored as a 32-bit word */
	/* After a successful store pt_translate reports PT_DIRTY: the MMU sets the dirty bit
	 * (x86 D) or ptkit sets it on writable leaves (RISC-V D, ppc64 C). Not arm64 with
	 * TCR_EL1.HD = 0, where a writable leaf without DBM has no dirty state at all. */
	bool store_dirties;
};
extern const struct fs_arch fs_arch;

/* Map what the probe itself needs (text, user page, devices) with fs_map(). */
void fs_arch_identity_maps(const struct pt_format *fmt);
/* Make the stamped instructions visible to instruction fetches. */
void fs_arch_sync_icache(void);
/* Turn the MMU on with mm's roots (and print a line saying how). */
void fs_arch_mmu_on(struct pt_mm *mm);
/* TLB invalidation for [start, last] after a live change (the gather's flush hook). */
void fs_arch_flush(struct pt_gather *g, uint64_t start, uint64_t last);
/* May an access of this kind (0 load, 1 store, 2 fetch) at this privilege go through a
 * leaf that pt_translate reports with prot? */
bool fs_arch_allowed(int kind, bool user, uint32_t prot);
/* The last access faulted as expected: rc, tr as pt_translate returned for the VA, addr the
 * accessed address. NULL if the fault record matches, else what differs (*got, *want). */
const char *fs_arch_check_fault(int kind, bool user, int rc, const struct pt_translation *tr,
				uint64_t addr, uint64_t *got, uint64_t *want);
__attribute__((noreturn)) void fs_arch_poweroff(bool ok);

/* For fs_arch_identity_maps: map or stop the probe with SETUP-FAILED. */
void fs_map(uint64_t va, uint64_t pa, uint64_t size, uint32_t prot, uint64_t page_sizes);

/* Run everything for the format called name; does not return. */
__attribute__((noreturn)) void fs_run(const char *name);

#endif
