// SPDX-License-Identifier: GPL-2.0
/*
 * mshv-vmm: a small virtual machine monitor on /dev/mshv.
 *
 *   mshv-vmm [-c VPS] [-e VALUE] real|long GUEST.bin
 *
 * It runs a flat guest binary on VPS virtual processors (VPs) of a new
 * child partition, in 16-bit real mode or in 64-bit long mode, and
 * emulates the two devices the guest programs of this directory use: the
 * transmitter of a 16550 serial port (COM1), whose output goes to stdout,
 * and a "result" port on which a guest reports the value it computed. With
 * -e, every VP must report VALUE.
 *
 * The steps are those of any VMM on /dev/mshv:
 *  1. open /dev/mshv, create a partition (MSHV_CREATE_PARTITION) and
 *     initialize it (MSHV_INITIALIZE_PARTITION);
 *  2. back the guest's physical memory with anonymous memory of this
 *     process (MSHV_SET_GUEST_MEMORY) and load the program into it;
 *  3. create the VPs (MSHV_CREATE_VP) and set their registers with the
 *     HvSetVpRegisters hypercall (MSHV_ROOT_HVCALL on the VP);
 *  4. run each VP on a thread of its own: MSHV_RUN_VP returns when the VP
 *     stops at an intercept, described by a hypervisor message. The VMM
 *     handles it (here: emulates the port access and moves RIP past the
 *     instruction) and runs the VP again, until the VP reports its result.
 *     (A guest that halts afterwards with interrupts disabled is not seen
 *     again: with local APICs the hypervisor handles HLT itself.)
 *
 * Guest physical memory, 2 MiB at address 0:
 *
 *   0x1000  GDT                      \
 *   0x2000  page map level 4          | long mode only: the first 1 GiB
 *   0x3000  page directory pointers   | identity-mapped with 2 MiB pages
 *   0x4000  page directory           /
 *   0x6000  stacks, 1 KiB per VP, VP 0's just below the program
 *   0x8000  the guest program (GUEST_LOAD_ADDR), entered with
 *           RBX = VP index and RSP = top of the VP's stack
 *
 * Must run as root in a Hyper-V root partition, or with the mshv_sim
 * hypervisor simulator loaded.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/mshv.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- Hypervisor ABI (Hyper-V TLFS) ------------------------------------- */

#define HVCALL_SET_VP_REGISTERS		0x0051

/* Register names */
#define HV_REGISTER_INTERNAL_ACTIVITY_STATE	0x00000004
#define HV_X64_REGISTER_RAX		0x00020000
#define HV_X64_REGISTER_RBX		0x00020003
#define HV_X64_REGISTER_RSP		0x00020004
#define HV_X64_REGISTER_RIP		0x00020010
#define HV_X64_REGISTER_RFLAGS		0x00020011
#define HV_X64_REGISTER_CR0		0x00040000
#define HV_X64_REGISTER_CR3		0x00040002
#define HV_X64_REGISTER_CR4		0x00040003
#define HV_X64_REGISTER_ES		0x00060000
#define HV_X64_REGISTER_CS		0x00060001
#define HV_X64_REGISTER_SS		0x00060002
#define HV_X64_REGISTER_DS		0x00060003
#define HV_X64_REGISTER_FS		0x00060004
#define HV_X64_REGISTER_GS		0x00060005
#define HV_X64_REGISTER_IDTR		0x00070000
#define HV_X64_REGISTER_GDTR		0x00070001
#define HV_X64_REGISTER_EFER		0x00080001

/* Types of the messages MSHV_RUN_VP returns */
#define HVMSG_UNMAPPED_GPA		0x80000000
#define HVMSG_GPA_INTERCEPT		0x80000001
#define HVMSG_INVALID_VP_REGISTER_VALUE	0x80000020
#define HVMSG_UNRECOVERABLE_EXCEPTION	0x80000021
#define HVMSG_UNSUPPORTED_FEATURE	0x80000022
#define HVMSG_X64_IO_PORT_INTERCEPT	0x80010000
#define HVMSG_X64_MSR_INTERCEPT		0x80010001
#define HVMSG_X64_CPUID_INTERCEPT	0x80010002
#define HVMSG_X64_EXCEPTION_INTERCEPT	0x80010003
#define HVMSG_X64_HALT			0x80010007

/* hv_intercept_header.access_type */
#define HV_ACCESS_READ			0
#define HV_ACCESS_WRITE			1
#define HV_ACCESS_EXECUTE		2

/* hv_intercept_header.instruction_length: the length is in bits 3:0 */
#define HV_INSTRUCTION_LENGTH_MASK	0x0f

/* hv_io_message.access_info */
#define HV_IO_ACCESS_SIZE_MASK		0x07	/* 1, 2 or 4 bytes */
#define HV_IO_STRING_OP			0x08	/* INS, OUTS */
#define HV_IO_REP_PREFIX		0x10

/* hv_exception_message.exception_info */
#define HV_EXCEPTION_ERROR_CODE_VALID	0x01

/*
 * A segment register: the hidden part the processor loads from a
 * descriptor. The attributes are bits 40-47 and 52-55 of the descriptor:
 * type:4 S:1 DPL:2 P:1, 4 bits unused, AVL:1 L:1 D/B:1 G:1.
 */
struct hv_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u16 attributes;
};

#define SEG_ATTR_G			0x8000	/* limit counts 4 KiB pages */
#define SEG_ATTRS_REAL_CODE		0x009b	/* present, code, read, accessed */
#define SEG_ATTRS_REAL_DATA		0x0093	/* present, data, write, accessed */

/* A descriptor-table register: GDTR or IDTR. */
struct hv_table {
	__u16 pad[3];
	__u16 limit;
	__u64 base;
};

/* A register name and its 128-bit value, as HvSetVpRegisters takes them. */
struct hv_reg_assoc {
	__u32 name;
	__u32 reserved1;
	__u64 reserved2;
	union {
		__u64 reg64;
		struct hv_segment segment;
		struct hv_table table;
	} value;
};

/* The input of HvSetVpRegisters: this header, then the registers. */
struct hv_set_vp_registers_in {
	__u64 partition_id;	/* filled in by the kernel */
	__u32 vp_index;
	__u8 input_vtl;
	__u8 reserved[3];
};

/* The start of every x64 intercept message. */
struct hv_intercept_header {
	__u32 vp_index;
	__u8 instruction_length;	/* and CR8 in bits 7:4 */
	__u8 access_type;		/* HV_ACCESS_* */
	__u16 execution_state;
	struct hv_segment cs;
	__u64 rip;			/* of the intercepted instruction */
	__u64 rflags;
};

/* HVMSG_X64_IO_PORT_INTERCEPT: an IN or OUT instruction */
struct hv_io_message {
	struct hv_intercept_header header;
	__u16 port;
	__u8 access_info;		/* HV_IO_* */
	__u8 instruction_byte_count;
	__u32 reserved;
	__u64 rax;			/* OUT writes its low bytes */
	__u8 instruction_bytes[16];
	struct hv_segment ds;
	struct hv_segment es;
	__u64 rcx;
	__u64 rsi;
	__u64 rdi;
};

/* HVMSG_UNMAPPED_GPA, HVMSG_GPA_INTERCEPT: a memory access */
struct hv_memory_message {
	struct hv_intercept_header header;
	__u32 cache_type;
	__u8 instruction_byte_count;
	__u8 access_info;
	__u8 tpr_priority;
	__u8 reserved;
	__u64 guest_virtual_address;
	__u64 guest_physical_address;
	__u8 instruction_bytes[16];
};

/* HVMSG_X64_MSR_INTERCEPT: RDMSR or WRMSR */
struct hv_msr_message {
	struct hv_intercept_header header;
	__u32 msr;
	__u32 reserved;
	__u64 rdx;
	__u64 rax;
};

/* HVMSG_X64_CPUID_INTERCEPT */
struct hv_cpuid_message {
	struct hv_intercept_header header;
	__u64 rax, rcx, rdx, rbx;
	__u64 default_rax, default_rcx, default_rdx, default_rbx;
};

/* HVMSG_X64_EXCEPTION_INTERCEPT */
struct hv_exception_message {
	struct hv_intercept_header header;
	__u16 vector;
	__u8 exception_info;		/* HV_EXCEPTION_* */
	__u8 instruction_byte_count;
	__u32 error_code;
	__u64 exception_parameter;	/* CR2 of a page fault */
	__u64 reserved;
	__u8 instruction_bytes[16];
	struct hv_segment ds;
	struct hv_segment ss;
	__u64 gprs[16];
};

/* HVMSG_UNSUPPORTED_FEATURE */
struct hv_unsupported_message {
	__u32 vp_index;
	__u32 feature_code;
	__u64 feature_parameter;
};

/* What MSHV_RUN_VP returns: a 16-byte header and a 240-byte payload. */
struct hv_message {
	struct {
		__u32 type;		/* HVMSG_* */
		__u8 payload_size;
		__u8 flags;
		__u8 reserved[2];
		__u64 sender;
	} header;
	union {
		struct hv_intercept_header intercept;
		struct hv_io_message io;
		struct hv_memory_message memory;
		struct hv_msr_message msr;
		struct hv_cpuid_message cpuid;
		struct hv_exception_message exception;
		struct hv_unsupported_message unsupported;
		__u8 payload[240];
	};
};

/* Every field is naturally aligned, so no packing is needed. */
static_assert(sizeof(struct hv_reg_assoc) == 32, "register association");
static_assert(sizeof(struct hv_set_vp_registers_in) == 16, "registers in");
static_assert(sizeof(struct hv_intercept_header) == 40, "intercept header");
static_assert(offsetof(struct hv_io_message, rax) == 48, "io message");
static_assert(offsetof(struct hv_memory_message, guest_physical_address) ==
	      56, "memory message");
static_assert(sizeof(struct hv_exception_message) == 240, "exception");
static_assert(sizeof(struct hv_message) == MSHV_RUN_VP_BUF_SZ, "message");

/* ---- x86 architecture --------------------------------------------------- */

#define X86_CR0_PE		0x00000001ULL	/* protection enable */
#define X86_CR0_MP		0x00000002ULL	/* monitor coprocessor */
#define X86_CR0_ET		0x00000010ULL	/* extension type, always 1 */
#define X86_CR0_NE		0x00000020ULL	/* native FPU errors */
#define X86_CR0_WP		0x00010000ULL	/* write protect in ring 0 */
#define X86_CR0_PG		0x80000000ULL	/* paging */
#define X86_CR4_PAE		0x00000020ULL	/* 64-bit page table entries */
#define X86_EFER_LME		0x00000100ULL	/* long mode enable */
#define X86_EFER_LMA		0x00000400ULL	/* long mode active */
#define X86_RFLAGS_FIXED	0x00000002ULL	/* bit 1 always reads as 1 */

#define PTE_PRESENT		0x001ULL
#define PTE_WRITABLE		0x002ULL
#define PTE_LARGE		0x080ULL	/* a 2 MiB page, in a PD entry */

#define GDT_CODE64		0x08
#define GDT_DATA		0x10

/*
 * The GDT of a long-mode guest: flat segments of 4 GiB at base 0, at
 * privilege level 0. The VMM loads CS and the data segment registers from
 * these descriptors; the guest needs them if it reloads a segment register.
 */
static const __u64 long_mode_gdt[] = {
	0,			/* the null descriptor */
	0x00af9b000000ffffULL,	/* GDT_CODE64: G L P S, execute/read */
	0x00cf93000000ffffULL,	/* GDT_DATA: G D/B P S, read/write */
};

/* ---- The guest -------------------------------------------------------- */

#define GUEST_MEM_SIZE		0x200000ULL	/* 2 MiB */
#define GDT_ADDR		0x1000
#define PML4_ADDR		0x2000
#define PDPT_ADDR		0x3000
#define PD_ADDR			0x4000
#define LARGE_PAGE_SIZE		0x200000ULL
#define STACK_SIZE		0x400
#define MAX_VPS			8	/* stacks from 0x6000 to 0x8000 */
#define GUEST_LOAD_ADDR		0x8000	/* as the guest programs are linked */
#define REAL_MODE_LIMIT		0x10000	/* CS:IP and DS:SI reach 64 KiB */

/* Ports of the emulated devices */
#define COM1_BASE		0x3f8
#define COM1_THR		(COM1_BASE + 0)	/* transmitter holding (write) */
#define COM1_LSR		(COM1_BASE + 5)	/* line status (read) */
#define COM1_LAST		(COM1_BASE + 7)
#define LSR_THRE		0x20	/* transmitter holding register empty */
#define LSR_TEMT		0x40	/* transmitter empty */
#define RESULT_PORT		0x501	/* 32-bit OUT: the guest's result */

#define LINE_LEN		160	/* serial output is printed by line */

enum guest_mode {
	MODE_REAL,
	MODE_LONG,
};

struct vm;

/**
 * struct vp - a virtual processor and the thread that runs it
 * @vm: the VM it belongs to
 * @index: VP index in the partition
 * @fd: VP file descriptor, or -1
 * @thread: the thread that runs it
 * @done: the thread has finished (under vm->lock)
 * @has_result: it wrote @result to the result port
 * @result: the value it reported
 * @line: serial output not yet printed
 * @line_len: bytes in @line
 */
struct vp {
	struct vm *vm;
	unsigned int index;
	int fd;
	pthread_t thread;
	bool done;
	bool has_result;
	__u32 result;
	char line[LINE_LEN];
	size_t line_len;
};

/**
 * struct vm - the partition and its VPs
 * @mode: the mode the VPs start in
 * @nr_vps: number of VPs
 * @check: @expected was given (-e)
 * @expected: the result every VP must report
 * @mshv_fd: /dev/mshv, or -1
 * @pt_fd: partition file descriptor, or -1
 * @mem: guest memory in this process, or MAP_FAILED
 * @vps: the VPs, or NULL
 * @lock: protects @running, @failed and each vp->done
 * @changed: signalled when @running or @failed changes
 * @running: VP threads not yet finished
 * @failed: a VP stopped with an error: the others are stopped too
 */
struct vm {
	enum guest_mode mode;
	unsigned int nr_vps;
	bool check;
	__u32 expected;
	int mshv_fd;
	int pt_fd;
	__u8 *mem;
	struct vp *vps;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned int running;
	bool failed;
};

/* ---- Output ------------------------------------------------------------ */

/* Serializes all output, so that lines of different VPs never mix. */
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;

static void vprint(FILE *f, const struct vp *vp, const char *fmt, va_list ap)
{
	pthread_mutex_lock(&output_lock);
	fflush(stdout);
	fputs("mshv-vmm: ", f);
	if (vp)
		fprintf(f, "VP %u: ", vp->index);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	fflush(f);
	pthread_mutex_unlock(&output_lock);
}

/* Print a line about @vp (or the VM, if NULL) on stdout. */
static void log_info(const struct vp *vp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(stdout, vp, fmt, ap);
	va_end(ap);
}

/* Print an error about @vp (or the VM, if NULL) on stderr. */
static void log_error(const struct vp *vp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(stderr, vp, fmt, ap);
	va_end(ap);
}

/* Print what the guest sent to the serial port since the last line. */
static void serial_flush(struct vp *vp)
{
	if (!vp->line_len)
		return;
	pthread_mutex_lock(&output_lock);
	fwrite(vp->line, 1, vp->line_len, stdout);
	if (vp->line[vp->line_len - 1] != '\n')
		fputc('\n', stdout);
	fflush(stdout);
	pthread_mutex_unlock(&output_lock);
	vp->line_len = 0;
}

/* A character the guest wrote to COM1: printed once its line is complete. */
static void serial_putc(struct vp *vp, char c)
{
	vp->line[vp->line_len++] = c;
	if (c == '\n' || vp->line_len == sizeof(vp->line))
		serial_flush(vp);
}

/* ---- Registers ---------------------------------------------------------- */

#define REG64(reg, val)		{ .name = (reg), .value.reg64 = (val) }
#define REG_SEGMENT(reg, seg)	{ .name = (reg), .value.segment = (seg) }
#define REG_TABLE(reg, b, l)	\
	{ .name = (reg), .value.table = { .base = (b), .limit = (l) } }

/*
 * In a partition with local APICs, every VP but VP 0 (the bootstrap
 * processor) starts waiting for INIT and a startup IPI, as on a real
 * machine. A VMM that sets up such a VP's state itself starts it by
 * clearing the VP's internal activity state, after its registers.
 */
#define START_VP	REG64(HV_REGISTER_INTERNAL_ACTIVITY_STATE, 0)

#define MAX_REGS	20

/*
 * Set @n registers of @vp with one HvSetVpRegisters hypercall, a "rep"
 * hypercall with one rep per register. Passed through MSHV_ROOT_HVCALL on
 * the VP's file descriptor, whose partition the kernel fills in.
 */
static int set_regs(struct vp *vp, const struct hv_reg_assoc *regs,
		    unsigned int n)
{
	struct {
		struct hv_set_vp_registers_in hdr;
		struct hv_reg_assoc regs[MAX_REGS];
	} in;
	struct mshv_root_hvcall call = {
		.code = HVCALL_SET_VP_REGISTERS,
		.reps = n,
		.in_sz = sizeof(in.hdr) + n * sizeof(*regs),
		.in_ptr = (__u64)(uintptr_t)&in,
	};

	assert(n <= MAX_REGS);
	memset(&in, 0, sizeof(in));
	in.hdr.vp_index = vp->index;
	memcpy(in.regs, regs, n * sizeof(*regs));
	if (ioctl(vp->fd, MSHV_ROOT_HVCALL, &call)) {
		log_error(vp, "HvSetVpRegisters: %s (hypervisor status 0x%x)",
			  strerror(errno), call.status);
		return -1;
	}
	return 0;
}

/* The top of @vp's stack: the stacks lie below the program. */
static __u64 stack_top(const struct vp *vp)
{
	return GUEST_LOAD_ADDR - vp->index * STACK_SIZE;
}

/*
 * 16-bit real mode: the VP starts at the reset vector (CS base 0xffff0000,
 * IP 0xfff0); move it to 0000:GUEST_LOAD_ADDR, with every segment at base
 * 0. An IDT limit of 0 turns any exception into a triple fault, which the
 * hypervisor reports, rather than a jump through an empty vector table.
 */
static int setup_real_mode(struct vp *vp)
{
	const struct hv_segment code = {
		.limit = 0xffff,
		.attributes = SEG_ATTRS_REAL_CODE,
	};
	const struct hv_segment data = {
		.limit = 0xffff,
		.attributes = SEG_ATTRS_REAL_DATA,
	};
	const struct hv_reg_assoc regs[] = {
		REG_SEGMENT(HV_X64_REGISTER_CS, code),
		REG_SEGMENT(HV_X64_REGISTER_DS, data),
		REG_SEGMENT(HV_X64_REGISTER_ES, data),
		REG_SEGMENT(HV_X64_REGISTER_FS, data),
		REG_SEGMENT(HV_X64_REGISTER_GS, data),
		REG_SEGMENT(HV_X64_REGISTER_SS, data),
		REG_TABLE(HV_X64_REGISTER_IDTR, 0, 0),
		REG64(HV_X64_REGISTER_RFLAGS, X86_RFLAGS_FIXED),
		REG64(HV_X64_REGISTER_RSP, stack_top(vp)),
		REG64(HV_X64_REGISTER_RBX, vp->index),
		REG64(HV_X64_REGISTER_RIP, GUEST_LOAD_ADDR),
		START_VP,
	};

	return set_regs(vp, regs, ARRAY_SIZE(regs));
}

/* The segment register a VP would load from long_mode_gdt[@selector]. */
static struct hv_segment gdt_segment(__u16 selector)
{
	__u64 desc = long_mode_gdt[selector / 8];
	struct hv_segment seg = {
		.base = ((desc >> 16) & 0xffffff) | ((desc >> 56) << 24),
		.limit = (desc & 0xffff) | ((desc >> 32) & 0xf0000),
		.selector = selector,
		.attributes = (desc >> 40) & 0xf0ff,
	};

	if (seg.attributes & SEG_ATTR_G)
		seg.limit = (seg.limit << 12) | 0xfff;
	return seg;
}

/*
 * Write what every long-mode VP shares into guest memory: the GDT, and
 * page tables that map the first 1 GiB of addresses to the same physical
 * addresses with 2 MiB pages (only the first 2 MiB is memory; an access
 * above it stops the VP with an unmapped-GPA intercept).
 */
static void build_long_mode_tables(__u8 *mem)
{
	__u64 *pml4 = (__u64 *)(mem + PML4_ADDR);
	__u64 *pdpt = (__u64 *)(mem + PDPT_ADDR);
	__u64 *pd = (__u64 *)(mem + PD_ADDR);
	unsigned int i;

	memcpy(mem + GDT_ADDR, long_mode_gdt, sizeof(long_mode_gdt));
	pml4[0] = PDPT_ADDR | PTE_PRESENT | PTE_WRITABLE;
	pdpt[0] = PD_ADDR | PTE_PRESENT | PTE_WRITABLE;
	for (i = 0; i < 512; i++)
		pd[i] = (i * LARGE_PAGE_SIZE) | PTE_PRESENT | PTE_WRITABLE |
			PTE_LARGE;
}

/*
 * 64-bit long mode, as a boot loader would leave it: paging on with the
 * tables above, EFER.LMA set, CS a 64-bit code segment, flat data
 * segments. CR0 comes last, as paging is switched on once everything it
 * needs is in place. TR and LDTR keep their reset values, which are valid
 * in long mode; the IDT limit of 0 makes any exception a triple fault.
 */
static int setup_long_mode(struct vp *vp)
{
	const struct hv_segment code = gdt_segment(GDT_CODE64);
	const struct hv_segment data = gdt_segment(GDT_DATA);
	const struct hv_reg_assoc regs[] = {
		REG_SEGMENT(HV_X64_REGISTER_CS, code),
		REG_SEGMENT(HV_X64_REGISTER_DS, data),
		REG_SEGMENT(HV_X64_REGISTER_ES, data),
		REG_SEGMENT(HV_X64_REGISTER_FS, data),
		REG_SEGMENT(HV_X64_REGISTER_GS, data),
		REG_SEGMENT(HV_X64_REGISTER_SS, data),
		REG_TABLE(HV_X64_REGISTER_GDTR, GDT_ADDR,
			  sizeof(long_mode_gdt) - 1),
		REG_TABLE(HV_X64_REGISTER_IDTR, 0, 0),
		REG64(HV_X64_REGISTER_CR3, PML4_ADDR),
		REG64(HV_X64_REGISTER_CR4, X86_CR4_PAE),
		REG64(HV_X64_REGISTER_EFER, X86_EFER_LME | X86_EFER_LMA),
		REG64(HV_X64_REGISTER_CR0, X86_CR0_PE | X86_CR0_MP |
			X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG),
		REG64(HV_X64_REGISTER_RFLAGS, X86_RFLAGS_FIXED),
		REG64(HV_X64_REGISTER_RSP, stack_top(vp)),
		REG64(HV_X64_REGISTER_RBX, vp->index),
		REG64(HV_X64_REGISTER_RIP, GUEST_LOAD_ADDR),
		START_VP,
	};

	return set_regs(vp, regs, ARRAY_SIZE(regs));
}

/* ---- Port I/O ----------------------------------------------------------- */

/* The guest wrote @value to the result port. */
static void report_result(struct vp *vp, __u32 value)
{
	const struct vm *vm = vp->vm;

	vp->result = value;
	vp->has_result = true;
	if (!vm->check)
		log_info(vp, "reported %u", value);
	else if (value == vm->expected)
		log_info(vp, "reported %u, as expected", value);
	else
		log_error(vp, "reported %u, expected %u", value, vm->expected);
}

/*
 * OUT of @size bytes of @value to @port: 0, 1 if it was the VP's result
 * (its last act), -1 on error.
 */
static int port_out(struct vp *vp, __u16 port, unsigned int size,
		    __u32 value)
{
	if (port == COM1_THR) {
		serial_putc(vp, value & 0xff);
		return 0;
	}
	if (port >= COM1_BASE && port <= COM1_LAST)
		return 0;	/* the other UART registers ignore writes */
	if (port == RESULT_PORT && size == 4) {
		report_result(vp, value);
		return 1;
	}
	log_error(vp, "OUT of %u byte(s) to port 0x%x: no such device", size,
		  port);
	return -1;
}

/* IN of @size bytes from @port: the value read in @value. */
static int port_in(struct vp *vp, __u16 port, unsigned int size,
		   __u32 *value)
{
	if (port == COM1_LSR) {
		*value = LSR_THRE | LSR_TEMT;	/* always ready */
		return 0;
	}
	if (port >= COM1_BASE && port <= COM1_LAST) {
		*value = 0;
		return 0;
	}
	log_error(vp, "IN of %u byte(s) from port 0x%x: no such device", size,
		  port);
	return -1;
}

/*
 * Emulate the IN or OUT instruction that stopped @vp, and complete it as
 * the processor would: move RIP past it and, for IN, put the value read in
 * AL, AX or EAX. Return 0, 1 once the VP reported its result, or -1.
 */
static int handle_io(struct vp *vp, const struct hv_io_message *io)
{
	const struct hv_intercept_header *h = &io->header;
	unsigned int size = io->access_info & HV_IO_ACCESS_SIZE_MASK;
	unsigned int len = h->instruction_length & HV_INSTRUCTION_LENGTH_MASK;
	struct hv_reg_assoc regs[] = {
		REG64(HV_X64_REGISTER_RIP, h->rip + len),
		REG64(HV_X64_REGISTER_RAX, io->rax),
	};
	__u32 value;
	int ret;

	if (io->access_info & (HV_IO_STRING_OP | HV_IO_REP_PREFIX)) {
		log_error(vp, "string I/O (INS/OUTS) on port 0x%x at RIP 0x%llx is not emulated",
			  io->port, (unsigned long long)h->rip);
		return -1;
	}
	if (h->access_type == HV_ACCESS_WRITE) {
		ret = port_out(vp, io->port, size, io->rax);
		if (ret < 0 || set_regs(vp, regs, 1))	/* RIP only */
			return -1;
		return ret;
	}

	if (port_in(vp, io->port, size, &value))
		return -1;
	if (size == 1)
		regs[1].value.reg64 = (io->rax & ~0xffULL) | (value & 0xff);
	else if (size == 2)
		regs[1].value.reg64 = (io->rax & ~0xffffULL) | (value & 0xffff);
	else
		regs[1].value.reg64 = value;	/* writing EAX clears 63:32 */
	return set_regs(vp, regs, 2);
}

/* ---- Running the VPs ----------------------------------------------------- */

static const char *access_name(__u8 access_type)
{
	switch (access_type) {
	case HV_ACCESS_READ:
		return "read";
	case HV_ACCESS_WRITE:
		return "write";
	case HV_ACCESS_EXECUTE:
		return "execute";
	default:
		return "access";
	}
}

/* Describe a message this VMM does not handle: it stops the VP. */
static void report_intercept(struct vp *vp, const struct hv_message *msg)
{
	const struct hv_intercept_header *h = &msg->intercept;
	unsigned long long rip = h->rip;

	switch (msg->header.type) {
	case HVMSG_UNMAPPED_GPA:
	case HVMSG_GPA_INTERCEPT:
		log_error(vp, "%s of %s guest physical address 0x%llx at RIP 0x%llx",
			  access_name(h->access_type),
			  msg->header.type == HVMSG_UNMAPPED_GPA ?
			  "unmapped" : "protected",
			  (unsigned long long)msg->memory.guest_physical_address,
			  rip);
		break;
	case HVMSG_X64_CPUID_INTERCEPT:
		log_error(vp, "CPUID leaf 0x%llx at RIP 0x%llx intercepted",
			  (unsigned long long)msg->cpuid.rax, rip);
		break;
	case HVMSG_X64_MSR_INTERCEPT:
		log_error(vp, "%s of MSR 0x%x at RIP 0x%llx intercepted",
			  h->access_type == HV_ACCESS_WRITE ? "WRMSR" : "RDMSR",
			  msg->msr.msr, rip);
		break;
	case HVMSG_X64_EXCEPTION_INTERCEPT:
		if (msg->exception.exception_info &
		    HV_EXCEPTION_ERROR_CODE_VALID)
			log_error(vp, "exception %u (error code 0x%x) at RIP 0x%llx",
				  msg->exception.vector,
				  msg->exception.error_code, rip);
		else
			log_error(vp, "exception %u at RIP 0x%llx",
				  msg->exception.vector, rip);
		break;
	case HVMSG_UNRECOVERABLE_EXCEPTION:
		log_error(vp, "unrecoverable exception (triple fault) at RIP 0x%llx",
			  rip);
		break;
	case HVMSG_UNSUPPORTED_FEATURE:
		log_error(vp, "unsupported feature %u (parameter 0x%llx)",
			  msg->unsupported.feature_code,
			  (unsigned long long)msg->unsupported.feature_parameter);
		break;
	case HVMSG_INVALID_VP_REGISTER_VALUE:
		log_error(vp, "the hypervisor found an invalid register value");
		break;
	default:
		log_error(vp, "unexpected message type 0x%x", msg->header.type);
		break;
	}
}

static bool vm_failed(struct vm *vm)
{
	bool failed;

	pthread_mutex_lock(&vm->lock);
	failed = vm->failed;
	pthread_mutex_unlock(&vm->lock);
	return failed;
}

/*
 * Run @vp until it reports its result or halts (0), or fails (-1).
 * MSHV_RUN_VP returns with the message of the intercept that stopped the
 * VP; the VP stays stopped until the next MSHV_RUN_VP, so registers set
 * in between take effect.
 */
static int run_vp(struct vp *vp)
{
	struct hv_message msg;

	for (;;) {
		if (vm_failed(vp->vm)) {
			log_error(vp, "stopped: another VP failed");
			return -1;
		}
		if (ioctl(vp->fd, MSHV_RUN_VP, &msg)) {
			if (errno == EINTR)
				continue;
			log_error(vp, "MSHV_RUN_VP: %s", strerror(errno));
			return -1;
		}
		switch (msg.header.type) {
		case HVMSG_X64_IO_PORT_INTERCEPT:
			switch (handle_io(vp, &msg.io)) {
			case 0:
				break;
			case 1:
				return 0;
			default:
				return -1;
			}
			break;
		case HVMSG_X64_HALT:
			return 0;
		default:
			report_intercept(vp, &msg);
			return -1;
		}
	}
}

static void *vp_thread(void *arg)
{
	struct vp *vp = arg;
	struct vm *vm = vp->vm;
	int ret;

	ret = run_vp(vp);
	serial_flush(vp);
	if (!ret)
		log_info(vp, "finished");

	pthread_mutex_lock(&vm->lock);
	if (ret)
		vm->failed = true;
	vp->done = true;
	vm->running--;
	pthread_cond_signal(&vm->changed);
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}

/* SIGUSR1 only interrupts MSHV_RUN_VP (EINTR): see wait_for_vps(). */
static void kick_handler(int sig)
{
	(void)sig;
}

static int install_kick_handler(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	/* No SA_RESTART: the ioctl must return. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL)) {
		log_error(NULL, "sigaction: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Wait for the first @started VP threads. Once a VP has failed, the others
 * are stopped: a signal makes their MSHV_RUN_VP return. A signal that
 * arrives just before a thread enters MSHV_RUN_VP does not interrupt it,
 * so the signal is repeated until every thread has finished.
 */
static void wait_for_vps(struct vm *vm, unsigned int started)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	unsigned int i;

	pthread_mutex_lock(&vm->lock);
	while (vm->running) {
		if (!vm->failed) {
			pthread_cond_wait(&vm->changed, &vm->lock);
			continue;
		}
		for (i = 0; i < started; i++)
			if (!vm->vps[i].done)
				pthread_kill(vm->vps[i].thread, SIGUSR1);
		pthread_mutex_unlock(&vm->lock);
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&vm->lock);
	}
	pthread_mutex_unlock(&vm->lock);

	for (i = 0; i < started; i++)
		pthread_join(vm->vps[i].thread, NULL);
}

/* Start one thread per VP; return how many were started. */
static unsigned int start_vps(struct vm *vm)
{
	unsigned int i;
	int err;

	for (i = 0; i < vm->nr_vps; i++) {
		pthread_mutex_lock(&vm->lock);
		vm->running++;
		pthread_mutex_unlock(&vm->lock);
		err = pthread_create(&vm->vps[i].thread, NULL, vp_thread,
				     &vm->vps[i]);
		if (err) {
			log_error(&vm->vps[i], "pthread_create: %s",
				  strerror(err));
			pthread_mutex_lock(&vm->lock);
			vm->running--;
			vm->failed = true;
			pthread_mutex_unlock(&vm->lock);
			break;
		}
	}
	return i;
}

/* After every VP finished: did each report the value expected? */
static int check_results(const struct vm *vm)
{
	const struct vp *vp;
	int ret = 0;

	if (!vm->check) {
		log_info(NULL, "every VP finished");
		return 0;
	}
	for (vp = vm->vps; vp < vm->vps + vm->nr_vps; vp++) {
		if (!vp->has_result) {
			log_error(vp, "finished without reporting a result");
			ret = -1;
		} else if (vp->result != vm->expected) {
			ret = -1;	/* reported by report_result() */
		}
	}
	if (!ret)
		log_info(NULL, "every VP finished with the expected result");
	return ret;
}

/* ---- Setting up the VM --------------------------------------------------- */

static int create_partition(struct vm *vm)
{
	struct mshv_create_partition args = {
		.pt_flags = 1 << MSHV_PT_BIT_LAPIC,
		.pt_isolation = MSHV_PT_ISOLATION_NONE,
	};

	vm->mshv_fd = open("/dev/mshv", O_RDWR | O_CLOEXEC);
	if (vm->mshv_fd < 0) {
		log_error(NULL, "open /dev/mshv: %s", strerror(errno));
		return -1;
	}
	vm->pt_fd = ioctl(vm->mshv_fd, MSHV_CREATE_PARTITION, &args);
	if (vm->pt_fd < 0) {
		log_error(NULL, "MSHV_CREATE_PARTITION: %s", strerror(errno));
		return -1;
	}
	if (ioctl(vm->pt_fd, MSHV_INITIALIZE_PARTITION)) {
		log_error(NULL, "MSHV_INITIALIZE_PARTITION: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Copy the program in @path to GUEST_LOAD_ADDR; return its size or -1. */
static long load_program(struct vm *vm, const char *path)
{
	size_t max = vm->mode == MODE_REAL ? REAL_MODE_LIMIT : GUEST_MEM_SIZE;
	size_t room = max - GUEST_LOAD_ADDR, size;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		log_error(NULL, "%s: %s", path, strerror(errno));
		return -1;
	}
	size = fread(vm->mem + GUEST_LOAD_ADDR, 1, room, f);
	if (ferror(f)) {
		log_error(NULL, "%s: read error", path);
		size = 0;
	} else if (size == room && fgetc(f) != EOF) {
		log_error(NULL, "%s: larger than the %zu bytes at 0x%x", path,
			  room, GUEST_LOAD_ADDR);
		size = 0;
	} else if (!size) {
		log_error(NULL, "%s: empty", path);
	}
	fclose(f);
	return size ? (long)size : -1;
}

/*
 * Guest memory: anonymous memory of this process, mapped at guest
 * physical address 0, readable, writable and executable by the guest.
 */
static int setup_memory(struct vm *vm, const char *path)
{
	struct mshv_user_mem_region region = {
		.size = GUEST_MEM_SIZE,
		.guest_pfn = 0,
		.flags = (1 << MSHV_SET_MEM_BIT_WRITABLE) |
			 (1 << MSHV_SET_MEM_BIT_EXECUTABLE),
	};
	long size;

	vm->mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->mem == MAP_FAILED) {
		log_error(NULL, "mmap: %s", strerror(errno));
		return -1;
	}
	size = load_program(vm, path);
	if (size < 0)
		return -1;
	if (vm->mode == MODE_LONG)
		build_long_mode_tables(vm->mem);

	region.userspace_addr = (__u64)(uintptr_t)vm->mem;
	if (ioctl(vm->pt_fd, MSHV_SET_GUEST_MEMORY, &region)) {
		log_error(NULL, "MSHV_SET_GUEST_MEMORY: %s", strerror(errno));
		return -1;
	}
	log_info(NULL, "loaded %s (%ld bytes) at 0x%x; %u VP%s in %s", path,
		 size, GUEST_LOAD_ADDR, vm->nr_vps, vm->nr_vps == 1 ? "" : "s",
		 vm->mode == MODE_REAL ? "16-bit real mode" : "64-bit long mode");
	return 0;
}

static int create_vps(struct vm *vm)
{
	struct mshv_create_vp args;
	struct vp *vp;

	vm->vps = calloc(vm->nr_vps, sizeof(*vm->vps));
	if (!vm->vps) {
		log_error(NULL, "out of memory");
		return -1;
	}
	for (vp = vm->vps; vp < vm->vps + vm->nr_vps; vp++) {
		vp->vm = vm;
		vp->index = vp - vm->vps;
		vp->fd = -1;
	}
	for (vp = vm->vps; vp < vm->vps + vm->nr_vps; vp++) {
		args.vp_index = vp->index;
		vp->fd = ioctl(vm->pt_fd, MSHV_CREATE_VP, &args);
		if (vp->fd < 0) {
			log_error(vp, "MSHV_CREATE_VP: %s", strerror(errno));
			return -1;
		}
		if (vm->mode == MODE_REAL ? setup_real_mode(vp) :
		    setup_long_mode(vp))
			return -1;
	}
	return 0;
}

/* Undo whatever was set up; the partition goes away with its last fd. */
static void destroy_vm(struct vm *vm)
{
	unsigned int i;

	if (vm->vps) {
		for (i = 0; i < vm->nr_vps; i++)
			if (vm->vps[i].fd >= 0)
				close(vm->vps[i].fd);
		free(vm->vps);
	}
	if (vm->pt_fd >= 0)
		close(vm->pt_fd);
	if (vm->mem != MAP_FAILED)
		munmap(vm->mem, GUEST_MEM_SIZE);
	if (vm->mshv_fd >= 0)
		close(vm->mshv_fd);
	pthread_cond_destroy(&vm->changed);
	pthread_mutex_destroy(&vm->lock);
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: mshv-vmm [-c VPS] [-e VALUE] real|long GUEST.bin\n"
		"  real       start in 16-bit real mode at 0000:%04x\n"
		"  long       start in 64-bit long mode at 0x%x\n"
		"  -c VPS     run VPS virtual processors (1 to %u, default 1)\n"
		"  -e VALUE   every VP must report VALUE on port 0x%x\n",
		GUEST_LOAD_ADDR, GUEST_LOAD_ADDR, MAX_VPS, RESULT_PORT);
}

static int parse_args(int argc, char **argv, struct vm *vm,
		      const char **path)
{
	unsigned long val;
	char *end;
	int opt;

	while ((opt = getopt(argc, argv, "c:e:h")) != -1) {
		switch (opt) {
		case 'c':
			val = strtoul(optarg, &end, 0);
			if (*end || !val || val > MAX_VPS)
				return -1;
			vm->nr_vps = val;
			break;
		case 'e':
			errno = 0;
			val = strtoul(optarg, &end, 0);
			if (*end || errno || val > UINT32_MAX)
				return -1;
			vm->check = true;
			vm->expected = val;
			break;
		default:
			return -1;
		}
	}
	if (argc - optind != 2)
		return -1;
	if (!strcmp(argv[optind], "real"))
		vm->mode = MODE_REAL;
	else if (!strcmp(argv[optind], "long"))
		vm->mode = MODE_LONG;
	else
		return -1;
	*path = argv[optind + 1];
	return 0;
}

int main(int argc, char **argv)
{
	struct vm vm = {
		.nr_vps = 1,
		.mshv_fd = -1,
		.pt_fd = -1,
		.mem = MAP_FAILED,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.changed = PTHREAD_COND_INITIALIZER,
	};
	unsigned int started;
	const char *path;
	int ret = 1;

	if (parse_args(argc, argv, &vm, &path)) {
		print_usage();
		return 1;
	}
	/* Each line as soon as it is complete, even into a pipe or file. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (install_kick_handler() || create_partition(&vm) ||
	    setup_memory(&vm, path) || create_vps(&vm))
		goto out;

	started = start_vps(&vm);
	wait_for_vps(&vm, started);
	if (!vm.failed && !check_results(&vm))
		ret = 0;
out:
	destroy_vm(&vm);
	return ret;
}
