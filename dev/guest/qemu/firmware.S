/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 64 KiB firmware image for QEMU's -bios: the processor starts at the
 * reset vector (CS base 0xffff0000, IP 0xfff0) in 16-bit real mode, and CS
 * keeps that base for the whole run, so offsets in the image are offsets
 * in CS. It sums 1..100 in a RAM cell (QEMU's RAM slot), prints on COM1
 * and ends QEMU through isa-debug-exit (iobase 0xf4) with exit status
 * (FW_DONE << 1) | 1 = 99.
 */
#include "com1.h"

#define DEBUG_EXIT	0xf4
#define FW_DONE		0x31
#define FW_BAD		0x3e
#define RAM_CELL	0x500
#define STACK_TOP	0x7000

	.code16
	.text
	.globl _start
_start:
	cli
	cld
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %ss
	mov	$STACK_TOP, %sp

	mov	$hello, %si
	call	puts

	/* 1 + 2 + ... + 100, kept in a RAM cell. */
	movw	$0, RAM_CELL
	mov	$100, %cx
1:	add	%cx, RAM_CELL
	loop	1b

	mov	$sum, %si
	call	puts
	mov	RAM_CELL, %ax
	call	putdec
	mov	$crlf, %si
	call	puts

	/* QEMU exits after the write; the processor stops (see stop). */
	mov	$FW_DONE, %al
	cmpw	$5050, RAM_CELL
	je	2f
	mov	$FW_BAD, %al
2:	out	%al, $DEBUG_EXIT
	jmp	stop

/*
 * stop: end the processor for good, once QEMU has been asked to exit.
 * QEMU 11's vCPU thread stops only when MSHV_RUN_VP returns to its vCPU
 * loop: with an error (EINTR, after the signal QEMU kicks it with) or an
 * unrecoverable exception. An intercept it handles itself, such as the
 * OUT that asked it to exit, runs the VP again at once, and its kick
 * ends MSHV_RUN_VP only if it arrives during the call: one that comes
 * while the thread handles the OUT is taken in user space and lost, and
 * a VP that then spins with no intercept holds the thread in MSHV_RUN_VP
 * for ever. So shut the processor down instead: a breakpoint through an
 * empty interrupt vector table is a triple fault, which ends every
 * MSHV_RUN_VP with HVMSG_UNRECOVERABLE_EXCEPTION, and QEMU's vCPU loop
 * then sees its stop request, however late the kick came.
 */
stop:
	lidt	%cs:no_ivt
	int3
	jmp	stop

no_ivt:	.word	0			/* limit 0: no vector fits */
	.long	0

/* putdec: print %ax in decimal. */
putdec:
	mov	$10, %bx
	xor	%cx, %cx
1:	xor	%dx, %dx
	div	%bx
	push	%dx
	inc	%cx
	test	%ax, %ax
	jnz	1b
2:	pop	%ax
	add	$'0', %al
	call	putc
	loop	2b
	ret

/* puts: print the NUL-terminated string at %cs:%si. */
puts:
	mov	%cs:(%si), %al
	test	%al, %al
	jz	1f
	call	putc
	inc	%si
	jmp	puts
1:	ret

/* putc: print %al on COM1 (com1.h). */
	com1_putc

hello:	.asciz	"mshv qemu firmware: running from the reset vector\r\n"
sum:	.asciz	"mshv qemu firmware: sum of 1..100 in RAM: "
crlf:	.asciz	"\r\n"

	.org	0xfff0
reset:
	jmp	_start
	.org	0x10000
