/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest programs of the /dev/mshv selftests, and their set-up
 * (mshv_guest.c).
 *
 * A guest program is assembly source in the test file: GUEST_CODE16(),
 * GUEST_CODE32() or GUEST_CODE64() has the compiler assemble it, for the
 * processor mode the VP runs it in, into the read-only section
 * .rodata.mshv_guest of the test binary, between the symbols NAME (its
 * first byte) and NAME_end. The test copies it into guest memory with
 * guest_code_load() and runs it with MSHV_RUN_VP.
 *
 * The code runs at the guest address the test copies it to, not where the
 * host sees it: branches between its own labels are relative and work
 * anywhere, but an absolute guest address (a data word, an interrupt
 * handler) must be written as a number, never as a label.
 */
#ifndef SELFTEST_MSHV_GUEST_H
#define SELFTEST_MSHV_GUEST_H

#include <string.h>
#include <linux/types.h>

#define __GUEST_CODE(name, mode, insns)					\
	extern const __u8 name[], name##_end[];				\
	asm(".pushsection .rodata.mshv_guest, \"a\"\n"			\
	    mode "\n"							\
	    #name ":\n\t"						\
	    insns "\n"							\
	    #name "_end:\n"						\
	    ".code64\n"							\
	    ".popsection\n")

/* Real-mode (or virtual-8086) code. */
#define GUEST_CODE16(name, insns)	__GUEST_CODE(name, ".code16", insns)
/* 32-bit protected-mode code. */
#define GUEST_CODE32(name, insns)	__GUEST_CODE(name, ".code32", insns)
/* 64-bit (long mode) code. */
#define GUEST_CODE64(name, insns)	__GUEST_CODE(name, ".code64", insns)

/* A macro's value as a string, for an operand: "cmp $" GUEST_STR(N) ", %ax". */
#define __GUEST_STR(x)		#x
#define GUEST_STR(x)		__GUEST_STR(x)

/*
 * Guest code fragments, real mode: switch the local APIC to x2APIC mode
 * (IA32_APIC_BASE: EN | EXTD), and also software-enable it (x2APIC SVR:
 * enabled, spurious vector 0xff). Both clobber EAX, ECX and EDX.
 */
#define GUEST_X2APIC_MODE						\
	"mov $0x1b, %ecx\n\t"			/* IA32_APIC_BASE */	\
	"rdmsr\n\t"							\
	"or $0xc00, %ax\n\t"			/* EN | EXTD */		\
	"wrmsr\n\t"
#define GUEST_X2APIC_ENABLE						\
	GUEST_X2APIC_MODE						\
	"mov $0x80f, %ecx\n\t"			/* x2APIC SVR */	\
	"mov $0x1ff, %eax\n\t"						\
	"xor %edx, %edx\n\t"						\
	"wrmsr\n\t"

/*
 * Guest code fragment, any mode: signal the end of the interrupt being
 * handled (a write of 0 to the x2APIC EOI register). Clobbers EAX, ECX
 * and EDX.
 */
#define GUEST_X2APIC_EOI						\
	"mov $0x80b, %ecx\n\t"			/* x2APIC EOI */	\
	"xor %eax, %eax\n\t"						\
	"xor %edx, %edx\n\t"						\
	"wrmsr\n\t"

/* Bytes of the guest program @name. */
#define guest_code_len(name)	((size_t)((name##_end) - (name)))

static inline void __guest_code_load(void *mem, size_t off,
				     const __u8 *start, const __u8 *end)
{
	memcpy((__u8 *)mem + off, start, end - start);
}

/* Copy the guest program @name to offset @off of guest memory @mem. */
#define guest_code_load(mem, off, name)					\
	__guest_code_load(mem, off, name, name##_end)

/*
 * Result reporting. A guest program reports its result number N (0 to
 * GUEST_REPORTS_MAX - 1) by writing EAX to I/O port GUEST_REPORT_PORT + N,
 * with the assembler macro "guest_report N" this header defines for the
 * programs after it. The VMM sees an I/O port intercept: guest_report_nr()
 * of its port gives N, RAX the value; the VMM moves RIP past the OUT.
 */
#define GUEST_REPORT_PORT	0x80
#define GUEST_REPORTS_MAX	16

#define __GUEST_REPORT_MACRO						\
	".macro guest_report nr\n\t"					\
	"out %eax, $(" GUEST_STR(GUEST_REPORT_PORT) " + \\nr)\n"		\
	".endm"
asm(__GUEST_REPORT_MACRO);

/* The number of the report on I/O port @port, or -1 if it is none. */
static inline int guest_report_nr(unsigned int port)
{
	if (port < GUEST_REPORT_PORT ||
	    port >= GUEST_REPORT_PORT + GUEST_REPORTS_MAX)
		return -1;
	return port - GUEST_REPORT_PORT;
}

/* The HLT instruction: what guest_mem_alloc() fills guest memory with. */
#define GUEST_HLT		0xf4

/* Attributes of a real-mode CS: present, code, readable, accessed. */
#define GUEST_REAL_MODE_CS_ATTR	0x9b

void *guest_mem_alloc(size_t size);
int guest_mem_map(int pt, __u64 gfn, void *mem, size_t size);
int guest_real_mode(int fd, __u32 vp_index, __u64 rip, __u64 rsp);

#endif /* SELFTEST_MSHV_GUEST_H */
