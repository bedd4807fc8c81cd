/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A disk for SeaBIOS: a boot sector that the BIOS loads at 0x7c00 and a
 * second sector that the boot sector reads with INT 13h. The second sector
 * counts the enabled processors of the BIOS's MP table (an AP is there
 * only once it ran the BIOS's startup code after INIT/SIPI), prints the
 * count on COM1 and ends QEMU through isa-debug-exit (iobase 0xf4) with
 * exit status (BOOT_DONE << 1) | 1 = 101; a failed disk read exits with 125.
 */
#include "com1.h"

#define DEBUG_EXIT	0xf4
#define BOOT_DONE	0x32
#define BOOT_BAD	0x3e
#define STAGE2		0x7e00
#define MP_FLOAT_SIG	0x5f504d5f	/* "_MP_" */

	.code16
	.text
	.globl _start
_start:
	ljmp	$0, $1f
1:	cli
	cld
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$0x7c00, %sp
	push	%dx			/* the BIOS's boot drive number */

	mov	$loaded, %si
	call	puts

	/* Read sector 2 (CHS 0/0/2) of the boot drive to STAGE2. */
	pop	%dx
	mov	$0x0201, %ax
	mov	$0x0002, %cx
	xor	%dh, %dh
	mov	$STAGE2, %bx
	int	$0x13
	jc	1f
	cmpl	$0x32656761, stage2_magic
	jne	1f
	jmp	stage2
1:	mov	$readfail, %si
	call	puts
	mov	$BOOT_BAD, %al
	out	%al, $DEBUG_EXIT
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

/* puts: print the NUL-terminated string at %ds:%si. */
puts:
	lodsb
	test	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

/* putc: print %al on COM1 (com1.h). */
	com1_putc

loaded:	 .asciz	"mshv qemu boot sector: loaded by the BIOS at 0x7c00\r\n"
readfail: .asciz "mshv qemu boot sector: INT 13h read failed\r\n"

	.org	510
	.word	0xaa55

/* Sector 2, at STAGE2. */
stage2:
	mov	$read_ok, %si
	call	puts

	/* The MP floating pointer: on a 16-byte boundary of 0xf0000-0xfffff. */
	mov	$0xf000, %ax
	mov	%ax, %es
	xor	%di, %di
1:	cmpl	$MP_FLOAT_SIG, %es:(%di)
	je	2f
	add	$16, %di
	jnz	1b
	mov	$no_mp, %si
	jmp	9f
2:	mov	%es:4(%di), %eax	/* physical address of the table */
	cmp	$0x100000 - 0x2c, %eax
	jae	8f
	mov	%ax, %bx
	and	$0xf, %bx
	shr	$4, %eax
	mov	%ax, %es
	cmpl	$0x504d4350, %es:(%bx)	/* "PCMP" */
	jne	8f
	mov	%es:0x22(%bx), %cx	/* entry count */
	add	$0x2c, %bx
	xor	%dx, %dx		/* enabled processors */
3:	jcxz	5f
	cmpb	$0, %es:(%bx)
	jne	4f
	testb	$1, %es:3(%bx)
	jz	31f
	inc	%dx
31:	add	$20, %bx
	dec	%cx
	jmp	3b
4:	add	$8, %bx
	dec	%cx
	jmp	3b
5:	mov	$cpus, %si
	call	puts
	mov	%dl, %al
	add	$'0', %al
	call	putc
	mov	$crlf, %si
	call	puts
	mov	$BOOT_DONE, %al
	out	%al, $DEBUG_EXIT
	jmp	stop
8:	mov	$bad_mp, %si
9:	call	puts
	mov	$BOOT_BAD, %al
	out	%al, $DEBUG_EXIT
	jmp	stop

read_ok: .asciz	"mshv qemu boot sector: read sector 2 through INT 13h\r\n"
cpus:	.asciz	"mshv qemu boot sector: processors in the BIOS's MP table: "
crlf:	.asciz	"\r\n"
no_mp:	.asciz	"mshv qemu boot sector: no MP table\r\n"
bad_mp:	.asciz	"mshv qemu boot sector: MP table out of reach\r\n"

	.org	1020
stage2_magic:
	.ascii	"age2"
