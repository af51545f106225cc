/* SPDX-License-Identifier: MIT */
/* x86_64 MMU probe: multiboot (v1) entry in 32-bit protected mode, RAM stamping with
 * paging off, long mode with the ptkit-built root in CR3, exception and user-mode glue. */
#include "probe.h"

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0
#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_PGE (1 << 7)
#define CR4_LA57 (1 << 12)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.section .text.boot32, "ax"
	.code32
	.globl _start32
_start32:
	cli
	cld
	mov $kstack_top, %esp
	mov $PARAM_PA, %esi
	cmpl $PARAM_MAGIC_LO, (%esi)
	jne bad_params
	cmpl $PARAM_MAGIC_HI, 4(%esi)
	jne bad_params

	/* Stamp: every 8-byte word of each range holds its own physical address. */
	mov P_NSTAMP(%esi), %ecx
	lea P_HDR(%esi), %ebx
1:	test %ecx, %ecx
	jz 4f
	mov (%ebx), %edi
	mov 8(%ebx), %edx
	test %edx, %edx
	jz 3f
2:	mov %edi, (%edi)
	movl $0, 4(%edi)
	add $8, %edi
	sub $8, %edx
	jnz 2b
	/* ... and a ret at EXEC_OFF of every page. */
	mov (%ebx), %edi
	mov 8(%ebx), %edx
5:	movb $0xc3, EXEC_OFF(%edi)
	add $0x1000, %edi
	sub $0x1000, %edx
	ja 5b
3:	add $16, %ebx
	dec %ecx
	jmp 1b

4:	/* Long mode on the harness's tables: they identity map this code. */
	mov %cr4, %eax
	or $(CR4_PAE | CR4_PGE), %eax
	testl $PFLAG_LA57, P_FLAGS(%esi)
	jz 6f
	or $CR4_LA57, %eax	/* only settable while paging is off */
6:	mov %eax, %cr4
	mov P_ROOT(%esi), %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $(EFER_LME | EFER_NXE), %eax
	wrmsr
	lgdt gdt_ptr
	mov %cr0, %eax
	or $(CR0_PE | CR0_WP | CR0_PG), %eax
	mov %eax, %cr0
	ljmp $SEL_KCODE, $start64

bad_params:
	mov $0x3f8, %dx
	mov $'P', %al
	out %al, %dx
	mov $'?', %al
	out %al, %dx
	mov $'\n', %al
	out %al, %dx
	mov $EXIT_PORT, %dx
	mov $EXIT_BADPARAM, %eax
	out %eax, %dx
	hlt

	.code64
	.text
start64:
	mov $SEL_KDATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	mov $kstack_top, %rsp
	movq $0, in_test(%rip)
	call probe_main
	/* not reached: probe_main powers off */
7:	hlt
	jmp 7b

/* uint64_t probe_op(int op, uint64_t addr, int user, uint64_t val): one access, 0 =
 * supervisor; a store writes val (the value a load of addr returned, so RAM is unchanged).
 * Returns the loaded value (loads) or 0; a fault lands in isr_common, which records it in
 * probe_fault and resumes at probe_done with the stack of this call. */
	.globl probe_op
probe_op:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, saved_rsp(%rip)
	movq $0, probe_fault(%rip)
	movq $1, in_test(%rip)
	test %edx, %edx
	jnz 3f
	cmp $0, %edi
	je 1f
	cmp $1, %edi
	je 2f
	call *%rsi		/* fetch: the target is a ret */
	xor %eax, %eax
	jmp probe_done
1:	mov (%rsi), %rax
	jmp probe_done
2:	mov %rcx, (%rsi)
	xor %eax, %eax
	jmp probe_done
3:	pushq $SEL_UDATA
	pushq $USER_STACK_TOP
	pushq $0x2		/* RFLAGS: IF=0 */
	pushq $SEL_UCODE
	pushq $user_entry
	iretq
probe_done:
	movq $0, in_test(%rip)
	mov saved_rsp(%rip), %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

/* Exceptions 0..31. */
.macro ISR_NOERR n
isr\n:	pushq $0
	pushq $\n
	jmp isr_common
.endm
.macro ISR_ERR n
isr\n:	pushq $\n
	jmp isr_common
.endm
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31

isr_common:
	/* stack: vector, error, rip, cs, rflags, rsp, ss */
	cmpq $0, in_test(%rip)
	je 1f
	/* The user stub ends every access with ud2 at user_done: that #UD is the way back
	 * (int $0x80 raised a spurious #UD under some hosts' KVM). %rax: the result. */
	cmpq $6, (%rsp)
	jne 3f
	push %rax
	lea user_done(%rip), %rax
	cmp %rax, 24(%rsp)
	pop %rax
	jne 3f
	movq $0, probe_fault(%rip)
	jmp probe_done
3:	mov (%rsp), %rax
	mov %rax, probe_fault_vec(%rip)
	mov 8(%rsp), %rax
	mov %rax, probe_fault_err(%rip)
	mov 16(%rsp), %rax
	mov %rax, probe_fault_rip(%rip)
	mov %cr2, %rax
	mov %rax, probe_fault_cr2(%rip)
	movq $1, probe_fault(%rip)
	xor %eax, %eax
	jmp probe_done
1:	mov %rsp, %rdi
	and $-16, %rsp
	call probe_unexpected	/* prints and powers off */
2:	hlt
	jmp 2b

	.section .rodata
	.align 8
	.globl isr_table
isr_table:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr\n
	.endr

/* The user page (mapped r,x,user by the harness): rdi = op (0 load, 1 store, 2 fetch),
 * rsi = address, rcx = value to store; returns to the kernel through the #UD of ud2 at
 * user_done (a fault returns through its own exception). */
	.section .user, "ax"
user_entry:
	xor %eax, %eax
	cmp $0, %edi
	je 1f
	cmp $1, %edi
	je 2f
	call *%rsi
	jmp user_done
1:	mov (%rsi), %rax
	jmp user_done
2:	mov %rcx, (%rsi)
user_done:
	ud2

	.data
	.align 8
	.globl gdt
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08 kernel code, 64-bit */
	.quad 0x00cf92000000ffff	/* 0x10 kernel data */
	.quad 0x00cff2000000ffff	/* 0x18 user data (DPL 3) */
	.quad 0x00affa000000ffff	/* 0x20 user code, 64-bit (DPL 3) */
	.quad 0, 0			/* 0x28 TSS, filled by probe_main */
gdt_end:
	.align 8
	.word 0, 0, 0
gdt_ptr:
	.word gdt_end - gdt - 1
	.quad gdt

	.bss
	.align 16
saved_rsp:	.quad 0
in_test:	.quad 0
	.globl probe_fault, probe_fault_vec, probe_fault_err, probe_fault_rip, probe_fault_cr2
probe_fault:	.quad 0
probe_fault_vec:	.quad 0
probe_fault_err:	.quad 0
probe_fault_rip:	.quad 0
probe_fault_cr2:	.quad 0
	.align 4096
kstack:	.skip 16384
kstack_top:
	.globl istack_top
istack:	.skip 16384
istack_top:
