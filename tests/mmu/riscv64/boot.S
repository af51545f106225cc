/* SPDX-License-Identifier: MIT */
/* RISC-V (RV64) MMU probe: M-mode entry (QEMU virt, -bios none), the M-mode trap handler
 * that serves the probe's two ecalls (print, power off), and the S-mode side: the trap
 * handler that records page faults, probe_op() and the user-mode stub. */
#include "probe.h"

#define MSTATUS_MPP_MASK (3 << 11)
#define MSTATUS_MPP_S (1 << 11)
#define SSTATUS_SPP (1 << 8)

	.section .text.boot, "ax"
	.globl _start
_start:
	csrw mie, zero
	csrw satp, zero
	la t0, m_trap
	csrw mtvec, t0
	la t0, mstack_top
	csrw mscratch, t0
	la sp, kstack_top
	call m_main		/* sets up PMP, stamps RAM, turns on satp; calls enter_s */
1:	wfi
	j 1b

/* void enter_s(void (*entry)(void)): continue at entry in S-mode, on the kernel stack. */
	.globl enter_s
enter_s:
	li t0, MSTATUS_MPP_MASK
	csrc mstatus, t0
	li t0, MSTATUS_MPP_S
	csrs mstatus, t0
	csrw mepc, a0
	la sp, kstack_top
	mret

/* M-mode traps: ecalls from S (print, power off) and anything unexpected. The frame holds
 * x1..x31 at 8 * n. */
	.align 4
m_trap:
	csrrw sp, mscratch, sp
	addi sp, sp, -256
	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd x\n, (8 * \n)(sp)
	.endr
	mv a0, sp
	call m_trap_c
	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld x\n, (8 * \n)(sp)
	.endr
	addi sp, sp, 256
	csrrw sp, mscratch, sp
	mret

	.text
/* uint64_t probe_op(int op, uint64_t addr, int user, uint64_t val): one access in S-mode
 * (user = 0) or U-mode; op 0 load, 1 store (writes val, the value a load of addr returned,
 * so RAM is unchanged), 2 fetch (calls the `ret` at addr). Returns the loaded value or 0.
 * A trap lands in s_trap, which records it in probe_fault* and resumes at probe_done with
 * the stack of this call. */
	.globl probe_op
probe_op:
	addi sp, sp, -112
	sd ra, 0(sp)
	sd s0, 8(sp)
	sd s1, 16(sp)
	sd s2, 24(sp)
	sd s3, 32(sp)
	sd s4, 40(sp)
	sd s5, 48(sp)
	sd s6, 56(sp)
	sd s7, 64(sp)
	sd s8, 72(sp)
	sd s9, 80(sp)
	sd s10, 88(sp)
	sd s11, 96(sp)
	la t0, saved_sp
	sd sp, 0(t0)
	la t0, probe_fault
	sd zero, 0(t0)
	la t0, in_test
	li t1, 1
	sd t1, 0(t0)
	bnez a2, 3f
	li t0, 1
	beqz a0, 1f
	beq a0, t0, 2f
	jalr ra, 0(a1)		/* fetch: the target is a ret */
	li a0, 0
	j probe_done
1:	ld a0, 0(a1)
	j probe_done
2:	sd a3, 0(a1)
	li a0, 0
	j probe_done
3:	li t0, SSTATUS_SPP	/* sret to U-mode at user_entry */
	csrc sstatus, t0
	la t0, user_entry
	csrw sepc, t0
	sret

probe_done:
	la t0, in_test
	sd zero, 0(t0)
	la t0, saved_sp
	ld sp, 0(t0)
	ld ra, 0(sp)
	ld s0, 8(sp)
	ld s1, 16(sp)
	ld s2, 24(sp)
	ld s3, 32(sp)
	ld s4, 40(sp)
	ld s5, 48(sp)
	ld s6, 56(sp)
	ld s7, 64(sp)
	ld s8, 72(sp)
	ld s9, 80(sp)
	ld s10, 88(sp)
	ld s11, 96(sp)
	addi sp, sp, 112
	ret

/* S-mode traps (page faults are delegated by medeleg). During an access: the ecall at
 * user_done is the user stub's way back (a0: result); anything else is recorded. */
	.align 4
	.globl s_trap
s_trap:
	la t0, in_test
	ld t1, 0(t0)
	beqz t1, 9f
	csrr t2, scause
	li t3, 8		/* environment call from U-mode */
	bne t2, t3, 1f
	csrr t4, sepc
	la t5, user_done
	bne t4, t5, 1f
	la t0, probe_fault
	sd zero, 0(t0)
	j probe_done
1:	la t0, probe_fault_cause
	sd t2, 0(t0)
	csrr t1, stval
	la t0, probe_fault_tval
	sd t1, 0(t0)
	csrr t1, sepc
	la t0, probe_fault_epc
	sd t1, 0(t0)
	csrr t1, sstatus
	srli t1, t1, 8		/* SPP: the trap came from S (1) or U (0) */
	andi t1, t1, 1
	la t0, probe_fault_spp
	sd t1, 0(t0)
	la t0, probe_fault
	li t1, 1
	sd t1, 0(t0)
	li a0, 0
	j probe_done
9:	la sp, istack_top
	csrr a0, scause
	csrr a1, stval
	csrr a2, sepc
	call s_unexpected	/* prints and powers off */
8:	j 8b

/* The user page (mapped r,x,user by the harness): a0 = op (0 load, 1 store, 2 fetch),
 * a1 = address, a3 = value to store; returns to S-mode through the ecall at user_done (a
 * fault returns through its own trap). */
	.section .user, "ax"
user_entry:
	li t0, 1
	beqz a0, 1f
	beq a0, t0, 2f
	jalr ra, 0(a1)
	li a0, 0
	j user_done
1:	ld a0, 0(a1)
	j user_done
2:	sd a3, 0(a1)
	li a0, 0
user_done:
	ecall

	.bss
	.align 4
saved_sp:	.quad 0
in_test:	.quad 0
	.globl probe_fault, probe_fault_cause, probe_fault_tval, probe_fault_epc, probe_fault_spp
probe_fault:	.quad 0
probe_fault_cause:	.quad 0
probe_fault_tval:	.quad 0
probe_fault_epc:	.quad 0
probe_fault_spp:	.quad 0
	.align 12
kstack:	.skip 16384
kstack_top:
istack:	.skip 8192
istack_top:
mstack:	.skip 8192
mstack_top:
