/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16-bit real-mode guest for mshv-vmm:
 *
 *   mshv-vmm -e 338350 real guest-real.bin
 *
 * Linked for address 0x8000, where mshv-vmm loads it and starts every VP
 * with CS = DS = ES = SS = 0, IP = 0x8000, SP at the top of the VP's own
 * stack and EBX = the VP's index. It greets on the serial port COM1,
 * computes the sum of the squares of 1 to 100, prints it in decimal,
 * reports it on the result port and halts.
 *
 * Real-mode code can use the 32-bit registers: the assembler puts an
 * operand-size prefix before each instruction that does.
 */

#define COM1		0x3f8		/* transmitter holding register */
#define COM1_LSR	(COM1 + 5)	/* line status register */
#define LSR_THRE	0x20		/* ready for the next character */
#define RESULT_PORT	0x501		/* the VMM checks what is written here */

	.code16
	.text
	.globl	_start
_start:
	movw	$hello, %si
	call	puts
	movl	%ebx, %eax
	call	putdec
	movw	$in_real_mode, %si
	call	puts

	/* EDI = 1 * 1 + 2 * 2 + ... + 100 * 100 */
	xorl	%edi, %edi
	movl	$100, %ecx
1:	movl	%ecx, %eax
	mull	%ecx			/* EDX:EAX = ECX * ECX */
	addl	%eax, %edi
	loop	1b			/* CX = CX - 1; again if not 0 */

	movw	$vp, %si
	call	puts
	movl	%ebx, %eax
	call	putdec
	movw	$sum_is, %si
	call	puts
	movl	%edi, %eax
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
	pushw	%dx
	pushw	%ax
	movw	$COM1_LSR, %dx
1:	inb	%dx, %al
	testb	$LSR_THRE, %al
	jz	1b
	popw	%ax
	movw	$COM1, %dx
	outb	%al, %dx
	popw	%dx
	ret

/* Send the NUL-terminated string at DS:SI to COM1. */
puts:
	pushw	%ax
	pushw	%si
1:	movb	(%si), %al
	testb	%al, %al
	jz	2f
	call	putc
	incw	%si
	jmp	1b
2:	popw	%si
	popw	%ax
	ret

/*
 * Send EAX to COM1 in decimal. Dividing by 10 gives the digits from the
 * last to the first: they wait on the stack, to be popped in order.
 */
putdec:
	pushl	%eax
	pushl	%ecx
	pushl	%edx
	pushw	%si
	movl	$10, %ecx
	xorw	%si, %si		/* number of digits on the stack */
1:	xorl	%edx, %edx
	divl	%ecx			/* EAX = EDX:EAX / 10, EDX = remainder */
	pushw	%dx
	incw	%si
	testl	%eax, %eax
	jnz	1b
2:	popw	%ax
	addb	$'0', %al
	call	putc
	decw	%si
	jnz	2b
	popw	%si
	popl	%edx
	popl	%ecx
	popl	%eax
	ret

hello:
	.asciz	"Hello from VP "
in_real_mode:
	.asciz	" in 16-bit real mode\n"
vp:
	.asciz	"VP "
sum_is:
	.asciz	": 1^2 + 2^2 + ... + 100^2 = "
