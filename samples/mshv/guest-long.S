/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 64-bit long-mode guest for mshv-vmm, for one or more VPs:
 *
 *   mshv-vmm -c 2 -e 832040 long guest-long.bin
 *
 * Linked for address 0x8000, where mshv-vmm loads it and starts every VP
 * in long mode, with paging on (the first 1 GiB identity-mapped), flat
 * segments, RSP at the top of the VP's own stack and RBX = the VP's index.
 * Each VP greets on the serial port COM1, computes the 30th Fibonacci
 * number, prints it in decimal, reports it on the result port and halts.
 * The VPs share the code and nothing else: all they write is on their
 * stacks.
 */

#define COM1		0x3f8		/* transmitter holding register */
#define COM1_LSR	(COM1 + 5)	/* line status register */
#define LSR_THRE	0x20		/* ready for the next character */
#define RESULT_PORT	0x501		/* the VMM checks what is written here */

	.code64
	.text
	.globl	_start
_start:
	leaq	hello(%rip), %rsi
	call	puts
	movq	%rbx, %rax
	call	putdec
	leaq	in_long_mode(%rip), %rsi
	call	puts

	/* RAX = F(30), with F(0) = 0, F(1) = 1, F(n) = F(n - 1) + F(n - 2) */
	xorl	%eax, %eax		/* RAX = F(0) */
	movl	$1, %edx		/* RDX = F(1) */
	movl	$30, %ecx
1:	movq	%rax, %r8		/* RAX, RDX = F(i), F(i + 1) ... */
	addq	%rdx, %r8
	movq	%rdx, %rax
	movq	%r8, %rdx		/* ... becomes F(i + 1), F(i + 2) */
	loop	1b			/* RCX = RCX - 1; again if not 0 */
	movq	%rax, %rdi

	leaq	vp(%rip), %rsi
	call	puts
	movq	%rbx, %rax
	call	putdec
	leaq	fib_is(%rip), %rsi
	call	puts
	movq	%rdi, %rax
	call	putdec
	movb	$'\n', %al
	call	putc

	movw	$RESULT_PORT, %dx
	movl	%edi, %eax
	outl	%eax, %dx
2:	hlt
	jmp	2b

/* Send the character in AL to COM1, once the transmitter can take it. */
putc:
	pushq	%rdx
	pushq	%rax
	movw	$COM1_LSR, %dx
1:	inb	%dx, %al
	testb	$LSR_THRE, %al
	jz	1b
	popq	%rax
	movw	$COM1, %dx
	outb	%al, %dx
	popq	%rdx
	ret

/* Send the NUL-terminated string at RSI to COM1. */
puts:
	pushq	%rax
	pushq	%rsi
1:	movb	(%rsi), %al
	testb	%al, %al
	jz	2f
	call	putc
	incq	%rsi
	jmp	1b
2:	popq	%rsi
	popq	%rax
	ret

/*
 * Send RAX to COM1 in decimal. Dividing by 10 gives the digits from the
 * last to the first: they wait on the stack, to be popped in order.
 */
putdec:
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	movl	$10, %ecx
	xorl	%esi, %esi		/* number of digits on the stack */
1:	xorl	%edx, %edx
	divq	%rcx			/* RAX = RDX:RAX / 10, RDX = remainder */
	pushq	%rdx
	incl	%esi
	testq	%rax, %rax
	jnz	1b
2:	popq	%rax
	addb	$'0', %al
	call	putc
	decl	%esi
	jnz	2b
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	ret

hello:
	.asciz	"Hello from VP "
in_long_mode:
	.asciz	" in 64-bit long mode\n"
vp:
	.asciz	"VP "
fib_is:
	.asciz	": Fibonacci number 30 = "
