/* SPDX-License-Identifier: MIT */
/* AArch64 MMU probe: entry at EL1 (QEMU `virt` without virtualization/secure starts an ELF
 * -kernel there), the exception vectors and the EL1/EL0 access glue. probe.c does the rest. */
#include "probe.h"

#define EC_SVC64 0x15

	.section .text.boot, "ax"
	.globl _start
_start:
	msr daifset, #0xf
	msr spsel, #1
	ldr x0, =kstack_top
	mov sp, x0
	ldr x0, =vectors
	msr vbar_el1, x0
	isb
	adr x15, in_test
	str xzr, [x15]
	bl probe_main
	/* not reached: probe_main powers off */
1:	wfi
	b 1b

	.text
/* uint64_t probe_op(int op, uint64_t addr, int user, uint64_t val): one access; user = 0: at
 * EL1, 1: at EL0. A store writes val (the value a load of addr returned, so RAM is left as it
 * was). Returns the loaded value (loads) or 0. A fault lands in the vectors, which record it
 * in probe_fault* and resume at probe_done with the stack of this call. */
	.globl probe_op
probe_op:
	stp x19, x20, [sp, #-96]!
	stp x21, x22, [sp, #16]
	stp x23, x24, [sp, #32]
	stp x25, x26, [sp, #48]
	stp x27, x28, [sp, #64]
	stp x29, x30, [sp, #80]
	mov x9, sp
	adr x15, saved_sp
	str x9, [x15]
	adr x15, probe_fault
	str xzr, [x15]
	mov x9, #1
	adr x15, in_test
	str x9, [x15]
	cbnz w2, 3f
	cmp w0, #0
	b.eq 1f
	cmp w0, #1
	b.eq 2f
	blr x1			/* fetch: the target is a ret */
	mov x0, #0
	b probe_done
1:	ldr x0, [x1]
	b probe_done
2:	str x3, [x1]
	mov x0, #0
	b probe_done
3:	ldr x9, =user_entry
	msr elr_el1, x9
	mov x9, #0x3c0		/* SPSR: EL0t, DAIF masked */
	msr spsr_el1, x9
	ldr x9, =USER_STACK_TOP
	msr sp_el0, x9
	isb
	eret			/* x0 = op, x1 = addr, x3 = val go along */
	.globl probe_done
probe_done:
	adr x15, in_test
	str xzr, [x15]
	ldr x9, saved_sp
	mov sp, x9
	ldp x21, x22, [sp, #16]
	ldp x23, x24, [sp, #32]
	ldp x25, x26, [sp, #48]
	ldp x27, x28, [sp, #64]
	ldp x29, x30, [sp, #80]
	ldp x19, x20, [sp], #96
	ret

/* Synchronous exception while an access is in progress (x10 = 1: taken from EL0). An SVC
 * from EL0 is the user stub's way back (x0: the result). Anything else is the fault under
 * test: record EC, ESR, FAR, ELR and resume the probe. */
sync_in_test:
	mrs x9, esr_el1
	lsr x11, x9, #26
	cbz x10, 1f
	cmp x11, #EC_SVC64
	b.ne 1f
	adr x15, probe_fault
	str xzr, [x15]
	b probe_done
1:	adr x15, probe_fault_ec
	str x11, [x15]
	ldr x12, =ESR_MASK
	and x12, x9, x12
	adr x15, probe_fault_esr
	str x12, [x15]
	mrs x12, far_el1
	adr x15, probe_fault_far
	str x12, [x15]
	mrs x12, elr_el1
	adr x15, probe_fault_elr
	str x12, [x15]
	mov x12, #1
	adr x15, probe_fault
	str x12, [x15]
	mov x0, #0
	b probe_done

/* Anything else: print (probe_unexpected) and power off. x0 = vector slot. */
unexpected:
	ldr x9, =estack_top
	mov sp, x9
	mrs x1, esr_el1
	mrs x2, far_el1
	mrs x3, elr_el1
	mrs x4, spsr_el1
	bl probe_unexpected
2:	wfi
	b 2b

.macro VENTRY slot, kind
	.align 7
	.if \kind == 0
	mov x0, #\slot
	b unexpected
	.else
	ldr x9, in_test
	cbz x9, 9f
	mov x10, #(\kind - 1)
	b sync_in_test
9:	mov x0, #\slot
	b unexpected
	.endif
.endm

	.align 11
	.globl vectors
vectors:
	VENTRY 0, 0		/* current EL, SP_EL0: sync */
	VENTRY 1, 0
	VENTRY 2, 0
	VENTRY 3, 0
	VENTRY 4, 1		/* current EL, SP_ELx: sync (EL1 accesses) */
	VENTRY 5, 0
	VENTRY 6, 0
	VENTRY 7, 0
	VENTRY 8, 2		/* lower EL, AArch64: sync (EL0 accesses, SVC) */
	VENTRY 9, 0
	VENTRY 10, 0
	VENTRY 11, 0
	VENTRY 12, 0		/* lower EL, AArch32 */
	VENTRY 13, 0
	VENTRY 14, 0
	VENTRY 15, 0

	.ltorg

/* The user page (mapped r,x,user by the harness): x0 = op (0 load, 1 store, 2 fetch),
 * x1 = address, x3 = value to store; returns to EL1 with svc (x0: the loaded value). A
 * fault returns through its own exception. */
	.section .user, "ax"
user_entry:
	cmp x0, #0
	b.eq 1f
	cmp x0, #1
	b.eq 2f
	blr x1
	mov x0, #0
	svc #0
1:	ldr x0, [x1]
	svc #0
2:	str x3, [x1]
	mov x0, #0
	svc #0

	.data
	.align 3
saved_sp:	.quad 0
in_test:	.quad 0
	.globl probe_fault, probe_fault_ec, probe_fault_esr, probe_fault_far, probe_fault_elr
probe_fault:	.quad 0
probe_fault_ec:	.quad 0
probe_fault_esr:	.quad 0
probe_fault_far:	.quad 0
probe_fault_elr:	.quad 0

	.bss
	.align 12
kstack:	.skip 16384
kstack_top:
estack:	.skip 8192
estack_top:
