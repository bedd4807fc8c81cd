/* SPDX-License-Identifier: GPL-2.0 */
/*
 * COM1 output for the QEMU guest programs (firmware.S, bootdisk.S), which
 * print through QEMU's 16550 UART at the legacy address in 16-bit code.
 */
#ifndef MSHV_QEMU_GUEST_COM1_H
#define MSHV_QEMU_GUEST_COM1_H

#define COM1		0x3f8
#define COM1_LSR	(COM1 + 5)	/* line status register */
#define COM1_LSR_THRE	0x20		/* transmitter holding register empty */

/*
 * putc: print %al on COM1 once its transmitter holding register is
 * empty; %ax and %dx are preserved. Expands to the routine, labelled
 * putc, where the program instantiates it.
 */
.macro com1_putc
putc:
	push	%dx
	push	%ax
	mov	$COM1_LSR, %dx
1:	in	%dx, %al
	test	$COM1_LSR_THRE, %al
	jz	1b
	pop	%ax
	mov	$COM1, %dx
	out	%al, %dx
	pop	%dx
	ret
.endm

#endif /* MSHV_QEMU_GUEST_COM1_H */
