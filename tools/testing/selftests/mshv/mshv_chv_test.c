// SPDX-License-Identifier: GPL-2.0
/*
 * Cloud Hypervisor's mshv backend and the rust-vmm mshv crates against
 * /dev/mshv, call for call: the ioctls, MSHV_ROOT_HVCALL hypercalls,
 * property codes, register names and values they use, in their order.
 *
 *  - rust_vmm_system: what Mshv::new() and its helpers ask of /dev/mshv:
 *    the device opened O_RDONLY | O_NONBLOCK | O_CLOEXEC, the VMM
 *    capabilities (HvGetPartitionPropertyEx on the root) and host
 *    properties (HvGetPartitionProperty on the root).
 *  - boot_snapshot_restore: Cloud Hypervisor's create path (v2 partition
 *    with the crate's default disabled feature banks, synthetic processor
 *    features, initialize, unimplemented-MSR action, frozen time), its
 *    vCPU set-up for a 64-bit Linux boot (CPUID results, boot MSRs, its
 *    page tables, GDT and registers, FPU, LINT0/LINT1), then a guest run
 *    with the exits it handles (I/O ports through the register page,
 *    MMIO through unmapped GPAs and its instruction emulator's register
 *    reads and writes), a snapshot of every piece of VP state it saves,
 *    and a restore into a new partition that finishes the guest.
 *  - synic_guest: an enlightened guest's view (CPUID leaves, synthetic
 *    MSRs, SIM and SIEF pages) of what the crate's synthetic features
 *    grant, with a message and an event the VMM sends it directly.
 *  - dirty_log_and_devices: its dirty page tracking for live migration
 *    around a guest run; MSI routing, an irqfd and MMIO ioeventfds with
 *    the data match sizes it registers; its NMI, which the boot IDT turns
 *    into a triple fault.
 *
 * Checks that only the simulator makes exact skip on real Hyper-V.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "mshv_util.h"

/* Short names of the properties the steps use. */
#define PROP_TIME_FREEZE	HV_PARTITION_PROPERTY_TIME_FREEZE
#define PROP_REFERENCE_TIME	HV_PARTITION_PROPERTY_REFERENCE_TIME
#define PROP_PHYS_ADDR_WIDTH	HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH
#define PROP_FEATURES0		HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0
#define PROP_FEATURES1		HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1
#define PROP_VMM_CAPABILITIES	HV_PARTITION_PROPERTY_VMM_CAPABILITIES
#define MSR_ACTION_IGNORE	HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO

/*
 * rust-vmm's default disabled feature banks: nothing of bank 0 or 1 but
 * bank 0's reserved bit 63; every xsave feature but XSAVE, XSAVEOPT, AVX,
 * compacted XSAVE and supervisor state.
 */
#define CRATE_DISABLED_BANK0		0x8000000000000000ULL
#define XSAVE_FEAT_XSAVE		0x1ULL
#define XSAVE_FEAT_XSAVEOPT		0x2ULL
#define XSAVE_FEAT_AVX			0x4ULL
#define XSAVE_FEAT_XSAVE_COMP		0x800ULL	/* bit 11 */
#define XSAVE_FEAT_XSAVE_SUPERVISOR	0x1000ULL	/* bit 12 */
#define CRATE_DISABLED_XSAVE		(~(XSAVE_FEAT_XSAVE |		\
					   XSAVE_FEAT_XSAVEOPT |	\
					   XSAVE_FEAT_AVX |		\
					   XSAVE_FEAT_XSAVE_COMP |	\
					   XSAVE_FEAT_XSAVE_SUPERVISOR))

/*
 * The crate's synthetic processor features: hypervisor present, HV#1,
 * partition reference counter, SynIC, synthetic timers, interrupt control,
 * hypercall MSRs, VP index, reference TSC, guest idle, frequency MSRs
 * (bits 0, 1, 3-11), direct synthetic timers (22), TLB flush hypercalls
 * (25), synthetic cluster IPI (26) and VP register access (38).
 */
#define CRATE_SYNTHETIC_FEATURES	0x4006400ffbULL

#define PAGE_4K				4096ULL

/* The guest: 2 MiB of RAM at GPA 0, a device at MMIO_GPA. */
#define GUEST_SIZE			0x200000ULL
#define MMIO_GPA			0x20000000ULL
#define DIRTY_GPA			0x150000ULL

/* Cloud Hypervisor's Linux boot layout (arch/x86_64 layout.rs). */
#define BOOT_GDT_START			0x500ULL
#define BOOT_IDT_START			0x520ULL
#define ZERO_PAGE_START			0x7000ULL
#define BOOT_STACK_POINTER		0x8ff0ULL
#define PML4_START			0x9000ULL
#define PDPTE_START			0xa000ULL
#define PDE_START			0xb000ULL
#define KERNEL_START			0x100000ULL

#define X86_CR0_PE			0x1ULL
#define X86_CR0_PG			0x80000000ULL
#define X86_CR4_PAE			0x20ULL
#define EFER_LME			0x100ULL
#define EFER_LMA			0x400ULL

/* LAPIC state (struct hv_local_interrupt_controller_state) offsets. */
#define LAPIC_LVT_LINT0			140
#define LAPIC_LVT_LINT1			144
#define LAPIC_LVT_CMCI			152
#define LAPIC_ERROR_STATUS		156
#define LAPIC_STATE_SIZE		176
#define APIC_MODE_NMI			0x4
#define APIC_MODE_EXTINT		0x7

/* MSHV_VP_STATE_* types Cloud Hypervisor saves, each in one page. */
#define VP_STATE_COUNT			5

/* I/O ports of the guest program. */
#define SERIAL_PORT			0x3f8
#define SERIAL_IN			0x5aU
/*
 * The guest is done: it halts next. With a local APIC, Hyper-V keeps a
 * halted VP to itself (no HALT message), so the guest says so first.
 */
#define DONE_PORT			0x90
#define MMIO_READ_VALUE			0xcafef00dU
#define MMIO_WRITE_VALUE		0x12345678U
#define STAR_VALUE			0x5566778811223344ULL

/* Leaf 0's vendor the VMM registers: "ChvTestCpuId". */
#define VENDOR_EBX			0x54766843U	/* "ChvT" */
#define VENDOR_EDX			0x43747365U	/* "estC" */
#define VENDOR_ECX			0x64497570U	/* "puId" */

/*
 * The guest, in long mode at KERNEL_START: OUT and IN on the serial port,
 * a 4-byte MMIO write and read, CPUID leaf 0, RDMSR of the PAT, WRMSR of
 * STAR, RDMSR of an MSR no processor has, then reports 0-5 (the IN
 * byte, the MMIO value, CPUID EBX, PAT low, the unimplemented MSR's EAX
 * and EDX), a store to DIRTY_GPA, and HLT.
 */
GUEST_CODE64(guest_prog,
	     "mov $0x3f8, %dx\n\t"
	     "mov $0x43, %al\n\t"			/* mov al, 'C' */
	     "out %al, (%dx)\n\t"
	     "in (%dx), %al\n\t"
	     "mov %eax, %r8d\n\t"
	     "mov $0x20000000, %ebx\n\t"		/* mov ebx, MMIO_GPA */
	     "mov $0x12345678, %ecx\n\t"
	     "mov %ecx, (%rbx)\n\t"			/* mov [rbx], ecx */
	     "mov 0x8(%rbx), %eax\n\t"			/* mov eax, [rbx + 8] */
	     "mov %eax, %r9d\n\t"
	     "xor %eax, %eax\n\t"
	     "xor %ecx, %ecx\n\t"
	     "cpuid\n\t"
	     "mov %ebx, %r10d\n\t"
	     "mov $0x277, %ecx\n\t"
	     "rdmsr\n\t"
	     "mov %eax, %r11d\n\t"
	     "mov $0xc0000081, %ecx\n\t"
	     "mov $0x11223344, %eax\n\t"
	     "mov $0x55667788, %edx\n\t"
	     "wrmsr\n\t"
	     "mov $0x1234, %ecx\n\t"
	     "mov $0xdead, %eax\n\t"
	     "mov %eax, %edx\n\t"
	     "rdmsr\n\t"
	     "mov %eax, %r12d\n\t"
	     "mov %edx, %r13d\n\t"
	     "mov %r8d, %eax\n\t"
	     "guest_report 0\n\t"
	     "mov %r9d, %eax\n\t"
	     "guest_report 1\n\t"
	     "mov %r10d, %eax\n\t"
	     "guest_report 2\n\t"
	     "mov %r11d, %eax\n\t"
	     "guest_report 3\n\t"
	     "mov %r12d, %eax\n\t"
	     "guest_report 4\n\t"
	     "mov %r13d, %eax\n\t"
	     "guest_report 5\n\t"
	     "mov $0x150000, %edi\n\t"			/* mov edi, DIRTY_GPA */
	     "mov %eax, (%rdi)\n\t"			/* mov [rdi], eax */
	     "out %eax, $" GUEST_STR(DONE_PORT) "\n\t"
	     "hlt");

/* The SynIC pages the enlightened guest enables, in its RAM. */
#define GUEST_SIMP			0x180000ULL
#define GUEST_SIEFP			0x181000ULL
#define GUEST_SINT			2
#define GUEST_SINT_VECTOR		0x52
#define POSTED_TYPE			0x00001234U
#define POSTED_PAYLOAD			0xfeedbeefU
#define SIGNALED_FLAG			5

/*
 * An enlightened guest, as Linux on Hyper-V starts: CPUID leaves
 * 0x40000001 and 0x40000003 (EAX, EDX), the guest OS id, the VP index
 * and SVERSION, then its SynIC: SIMP, SIEFP, SCONTROL and SINT2. After
 * report 5 the VMM posts a message to SINT2 and signals one of its event
 * flags; the guest reads the message type, its first payload dword and
 * SINT2's first event flags dword, frees the message slot, and halts.
 */
GUEST_CODE64(synic_prog,
	     "mov $0x40000001, %eax\n\t"
	     "cpuid\n\t"
	     "guest_report 0\n\t"
	     "mov $0x40000003, %eax\n\t"
	     "cpuid\n\t"
	     "guest_report 1\n\t"
	     "mov %edx, %eax\n\t"
	     "guest_report 2\n\t"
	     "mov $0x40000000, %ecx\n\t"		/* mov ecx, GUEST_OS_ID */
	     "mov $0x11112222, %eax\n\t"
	     "mov $0x8100, %edx\n\t"
	     "wrmsr\n\t"
	     "mov $0x40000002, %ecx\n\t"		/* mov ecx, VP_INDEX */
	     "rdmsr\n\t"
	     "guest_report 3\n\t"
	     "mov $0x40000081, %ecx\n\t"		/* mov ecx, SVERSION */
	     "rdmsr\n\t"
	     "guest_report 4\n\t"
	     "xor %edx, %edx\n\t"
	     "mov $0x40000083, %ecx\n\t"		/* mov ecx, SIMP */
	     "mov $0x180001, %eax\n\t"			/* mov eax, GUEST_SIMP | 1 */
	     "wrmsr\n\t"
	     "mov $0x40000082, %ecx\n\t"		/* mov ecx, SIEFP */
	     "mov $0x181001, %eax\n\t"			/* mov eax, GUEST_SIEFP | 1 */
	     "wrmsr\n\t"
	     "mov $0x40000080, %ecx\n\t"		/* mov ecx, SCONTROL */
	     "mov $0x1, %eax\n\t"
	     "wrmsr\n\t"
	     "mov $0x40000092, %ecx\n\t"		/* mov ecx, SINT2 */
	     "mov $0x52, %eax\n\t"
	     "wrmsr\n\t"
	     "guest_report 5\n\t"
	     "mov 0x180200, %eax\n\t"			/* mov eax, [SIMP + 512] */
	     "guest_report 6\n\t"
	     "mov 0x180210, %eax\n\t"			/* mov eax, [SIMP + 528] */
	     "guest_report 7\n\t"
	     "mov 0x181200, %eax\n\t"			/* mov eax, [SIEFP + 512] */
	     "guest_report 8\n\t"
	     "movl $0x0, 0x180200\n\t"			/* mov dword [SIMP + 512], */
	     "lidt 0x2ff0\n\t"				/* lidt [IDT_DESC] */
	     "mov $0x5a5a5a5a, %eax\n\t"
	     "sti\n\t"
	     "nop\n\t"
	     "nop\n\t"
	     "hlt");

/* SINT2's interrupt handler: report 9, then halt for good. */
GUEST_CODE64(sint_handler,
	     "guest_report 9\n\t"
	     "out %eax, $" GUEST_STR(DONE_PORT) "\n\t"
	     "1:\n\t"
	     "hlt\n\t"
	     "jmp 1b");

#define IDT_DESC			0x2ff0ULL
#define IDT_BASE			0x3000ULL
#define SINT_HANDLER			(KERNEL_START + 0x1000)
#define SINT_IRQ_REPORT			9
#define LAPIC_SPURIOUS			16

/* Offsets of the two MMIO instructions in guest_prog. */
#define MMIO_WRITE_INSN			21
#define MMIO_READ_INSN			23

/*
 * The MSRs Cloud Hypervisor saves and restores (mshv-ioctls'
 * get_msr_index_list(): the common, CET shadow stack, SynIC and other
 * lists), as the register names its msr_to_hv_reg_name() gives them.
 */
static const __u32 chv_msr_regs[] = {
	/* common */
	0x00080000, 0x00080001, 0x00080002, 0x00080003,	/* TSC .. APIC base */
	0x00080004, 0x00080005, 0x00080007, 0x00080006,	/* PAT, SYSENTER */
	0x00080008, 0x00080009, 0x0008000A, 0x0008000B,	/* STAR .. SFMASK */
	0x0008000E,					/* MTRR def type */
	0x00080010, 0x00080040, 0x00080011, 0x00080041,	/* MTRR base/mask */
	0x00080012, 0x00080042, 0x00080013, 0x00080043,
	0x00080014, 0x00080044, 0x00080015, 0x00080045,
	0x00080016, 0x00080046, 0x00080017, 0x00080047,
	0x00080070, 0x00080071, 0x00080072,		/* fixed 64K, 16K */
	0x00080073, 0x00080074, 0x00080075, 0x00080076,	/* fixed 4K */
	0x00080077, 0x00080078, 0x00080079, 0x0008007A,
	0x0008007D,					/* DEBUG_CTL */
	0x000A0014,					/* EOM */
	/* CET shadow stack */
	0x0008008C, 0x0008008D, 0x0008008E, 0x0008008F,
	0x00080090, 0x00080091, 0x00080092, 0x00080093,
	/* SynIC: SINT0-15, SCONTROL, SIEFP, SIMP */
	0x000A0000, 0x000A0001, 0x000A0002, 0x000A0003,
	0x000A0004, 0x000A0005, 0x000A0006, 0x000A0007,
	0x000A0008, 0x000A0009, 0x000A000A, 0x000A000B,
	0x000A000C, 0x000A000D, 0x000A000E, 0x000A000F,
	0x000A0010, 0x000A0012, 0x000A0013,
	/* other: U_XSS, TSC_AUX, reference TSC, guest OS id */
	0x0008008B, 0x0008007B, 0x00090017, 0x00090002,
};

#define CHV_MSRS	ARRAY_SIZE(chv_msr_regs)

static_assert(CHV_MSRS == 73, "42 + 8 + 19 + 4 MSRs");

#define STAR_REG	0x00080008U
#define PAT_REG		0x00080004

/* Cloud Hypervisor's boot MSRs (its mshv boot_msr_entries()). */
static const __u32 boot_msr_regs[] = {
	0x00080005, 0x00080007, 0x00080006,	/* SYSENTER CS, ESP, EIP */
	0x00080008, 0x0008000A, 0x00080009,	/* STAR, CSTAR, LSTAR */
	0x00080002, 0x0008000B,			/* KERNEL_GS_BASE, SFMASK */
	0x0008000E,				/* MTRR def type */
};

#define MTRR_ENABLE_WB		0x806ULL	/* MTRRdefType: E, WB */

/* rust-vmm's get_regs()/set_regs() list and get_sregs()/set_sregs(). */
static const __u32 std_regs[] = {
	0x00020000, 0x00020003, 0x00020001, 0x00020002,	/* RAX RBX RCX RDX */
	0x00020006, 0x00020007, 0x00020004, 0x00020005,	/* RSI RDI RSP RBP */
	0x00020008, 0x00020009, 0x0002000A, 0x0002000B,
	0x0002000C, 0x0002000D, 0x0002000E, 0x0002000F,
	HV_X64_REGISTER_RIP, HV_X64_REGISTER_RFLAGS,
};

static const __u32 sregs_get[] = {
	HV_X64_REGISTER_CS, HV_X64_REGISTER_DS, HV_X64_REGISTER_ES,
	HV_X64_REGISTER_FS, HV_X64_REGISTER_GS, HV_X64_REGISTER_SS,
	HV_X64_REGISTER_CR0, HV_X64_REGISTER_CR3, HV_X64_REGISTER_CR4,
	HV_X64_REGISTER_CR8, HV_X64_REGISTER_EFER,
	HV_X64_REGISTER_TR, HV_X64_REGISTER_LDTR, HV_X64_REGISTER_GDTR,
	HV_X64_REGISTER_IDTR, HV_X64_REGISTER_CR2, HV_X64_REGISTER_APIC_BASE,
	HV_REGISTER_PENDING_INTERRUPTION,
};

static const __u32 sregs_set[] = {
	HV_X64_REGISTER_CS, HV_X64_REGISTER_DS, HV_X64_REGISTER_ES,
	HV_X64_REGISTER_FS, HV_X64_REGISTER_GS, HV_X64_REGISTER_SS,
	HV_X64_REGISTER_TR, HV_X64_REGISTER_LDTR, HV_X64_REGISTER_GDTR,
	HV_X64_REGISTER_IDTR,
	HV_X64_REGISTER_CR0, HV_X64_REGISTER_CR2, HV_X64_REGISTER_CR3,
	HV_X64_REGISTER_CR4, HV_X64_REGISTER_CR8, HV_X64_REGISTER_EFER,
	HV_X64_REGISTER_APIC_BASE,
};

static const __u32 event_regs[] = {
	HV_REGISTER_PENDING_INTERRUPTION, HV_REGISTER_INTERRUPT_STATE,
	HV_REGISTER_INTERNAL_ACTIVITY_STATE, HV_REGISTER_PENDING_EVENT0,
	HV_REGISTER_PENDING_EVENT1,
};

static const __u32 debug_regs[] = {
	HV_X64_REGISTER_DR0, HV_X64_REGISTER_DR0 + 1, HV_X64_REGISTER_DR0 + 2,
	HV_X64_REGISTER_DR0 + 3, HV_X64_REGISTER_DR6, HV_X64_REGISTER_DR7,
};

/** struct chv_vcpu_state - what Cloud Hypervisor's state() saves */
struct chv_vcpu_state {
	struct mshv_vp_reg regs[ARRAY_SIZE(std_regs)];
	struct mshv_vp_reg sregs[ARRAY_SIZE(sregs_get)];
	struct mshv_vp_reg xfem;
	struct mshv_vp_reg fpu[26];
	struct mshv_vp_reg events[ARRAY_SIZE(event_regs)];
	struct mshv_vp_reg msrs[CHV_MSRS];
	struct mshv_vp_reg hypercall;
	struct mshv_vp_reg dbg[ARRAY_SIZE(debug_regs)];
	__u8 *vp_states;	/* VP_STATE_COUNT pages */
	__u32 vp_state_size[VP_STATE_COUNT];
};

/** struct chv_vm - one partition as Cloud Hypervisor holds it */
struct chv_vm {
	int pt;
	int vp;
	__u8 *mem;
	struct hv_register_page *rp;
	__u32 vendor_ebx;	/* leaf 0 EBX the VP reports */
};

FIXTURE(chv) {
	int dev;
	struct chv_vm src;
	struct chv_vm dst;
	__u8 *buf;	/* VP_STATE_COUNT + 1 pages */
	int efd[4];
};

static void vm_init(struct chv_vm *vm)
{
	vm->pt = -1;
	vm->vp = -1;
	vm->mem = MAP_FAILED;
	vm->rp = MAP_FAILED;
}

static void vm_close(struct chv_vm *vm)
{
	if (vm->rp != MAP_FAILED)
		munmap(vm->rp, PAGE_4K);
	if (vm->vp >= 0)
		close(vm->vp);
	if (vm->pt >= 0)
		close(vm->pt);
	if (vm->mem != MAP_FAILED)
		munmap(vm->mem, GUEST_SIZE);
	vm_init(vm);
}

FIXTURE_SETUP(chv)
{
	unsigned int i;

	vm_init(&self->src);
	vm_init(&self->dst);
	for (i = 0; i < 4; i++)
		self->efd[i] = -1;
	self->buf = MAP_FAILED;
	/* Mshv::open_with_cloexec(): no access mode, so O_RDONLY. */
	self->dev = open(MSHV_DEV_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (self->dev < 0 && mshv_absent(-errno))
		SKIP(return, "/dev/mshv is not available");
	ASSERT_LE(0, self->dev) TH_LOG("open: %s", strerror(errno));
	self->buf = mmap(NULL, (VP_STATE_COUNT + 1) * PAGE_4K,
			 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(chv)
{
	unsigned int i;

	vm_close(&self->src);
	vm_close(&self->dst);
	for (i = 0; i < 4; i++)
		if (self->efd[i] >= 0)
			close(self->efd[i]);
	if (self->buf != MAP_FAILED)
		munmap(self->buf, (VP_STATE_COUNT + 1) * PAGE_4K);
	if (self->dev >= 0)
		close(self->dev);
}

#define STEP(what)	ksft_print_msg("step: %s\n", what)

static int get_regs(int vp, const __u32 *names, unsigned int n,
		    struct mshv_vp_reg *regs, __u16 *status)
{
	unsigned int i;

	memset(regs, 0, n * sizeof(*regs));
	for (i = 0; i < n; i++)
		regs[i].name = names[i];
	return mshv_vp_get_regs(vp, 0, regs, n, status);
}

/*
 * Mshv::create_vm_with_type(VmType::Normal) and MshvVm::init(): the
 * partition, its synthetic features, initialization, the unimplemented
 * MSR action, frozen time; then the VM's memory and VP 0 with its mapped
 * register page.
 */
static int chv_create_vm(struct __test_metadata *_metadata, int dev,
			 struct chv_vm *vm)
{
	const __u64 disabled[MSHV_NUM_CPU_FEATURES_BANKS] = {
		CRATE_DISABLED_BANK0,
	};
	__u64 value;
	__u16 status;

	do {
		vm->pt = mshv_create_partition_v2(dev,
						  1ULL << MSHV_PT_BIT_LAPIC |
						  1ULL << MSHV_PT_BIT_X2APIC |
						  1ULL << MSHV_PT_BIT_GPA_SUPER_PAGES,
						  disabled, CRATE_DISABLED_XSAVE);
	} while (vm->pt == -EINTR);
	if (vm->pt < 0) {
		TH_LOG("MSHV_CREATE_PARTITION v2: %s", strerror(-vm->pt));
		return vm->pt;
	}
	if (mshv_set_property(vm->pt, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
			      CRATE_SYNTHETIC_FEATURES, &status)) {
		TH_LOG("SYNTHETIC_PROC_FEATURES 0x%llx: status 0x%x",
		       (unsigned long long)CRATE_SYNTHETIC_FEATURES, status);
		return -EINVAL;
	}
	if (mshv_initialize_partition(vm->pt)) {
		TH_LOG("MSHV_INITIALIZE_PARTITION failed");
		return -EINVAL;
	}
	if (mshv_set_property(vm->pt, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
			      MSR_ACTION_IGNORE, &status)) {
		TH_LOG("UNIMPLEMENTED_MSR_ACTION: status 0x%x", status);
		return -EINVAL;
	}
	if (mshv_set_property(vm->pt, PROP_TIME_FREEZE, 1, &status)) {
		TH_LOG("TIME_FREEZE 1: status 0x%x", status);
		return -EINVAL;
	}
	if (mshv_get_property(vm->pt, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
			      &value, &status) ||
	    value != CRATE_SYNTHETIC_FEATURES) {
		TH_LOG("SYNTHETIC_PROC_FEATURES reads 0x%llx, status 0x%x",
		       (unsigned long long)value, status);
		return -EINVAL;
	}

	/* make_user_memory_region(): executable, writable unless readonly */
	vm->mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED)
		return -ENOMEM;
	if (mshv_map_memory(vm->pt, 0, vm->mem, GUEST_SIZE,
			    1 << MSHV_SET_MEM_BIT_EXECUTABLE |
			    1 << MSHV_SET_MEM_BIT_WRITABLE)) {
		TH_LOG("MSHV_SET_GUEST_MEMORY failed");
		return -EINVAL;
	}

	vm->vp = mshv_create_vp(vm->pt, 0);
	if (vm->vp < 0) {
		TH_LOG("MSHV_CREATE_VP: %s", strerror(-vm->vp));
		return vm->vp;
	}
	/* VmFd::create_vcpu() maps the register page if there is one. */
	vm->rp = mmap(NULL, PAGE_4K, PROT_READ | PROT_WRITE, MAP_SHARED,
		      vm->vp, MSHV_VP_MMAP_OFFSET_REGISTERS * PAGE_4K);
	if (vm->rp != MAP_FAILED && !vm->rp->isvalid) {
		munmap(vm->rp, PAGE_4K);
		vm->rp = MAP_FAILED;
	}
	return 0;
}

/* VcpuFd::register_intercept_result_cpuid_entry() */
static int register_cpuid(int vp, __u32 leaf, __u32 subleaf, __u8 specific,
			  __u8 always, const __u32 r[4], __u16 *status)
{
	const __u32 result[8] = { r[0], r[0], r[1], r[1], r[2], r[2], r[3], r[3] };

	return mshv_register_intercept_result(vp, 0, HV_INTERCEPT_TYPE_X64_CPUID,
					      leaf, subleaf, specific, always,
					      result, status);
}

/* VcpuFd::get_cpuid_values(): r = EAX, EBX, ECX, EDX */
static int cpuid_values(int vp, __u32 leaf, __u32 subleaf, __u32 r[4],
			__u16 *status)
{
	return mshv_vp_cpuid_values(vp, 0,
				    HV_GET_VP_CPUID_VALUES_USE_VP_XFEM_XSS |
				    HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED,
				    leaf, subleaf, r, status);
}

/* HvGetVpCpuidValues without the registered results. */
static int cpuid_raw(int vp, __u32 leaf, __u32 r[4], __u16 *status)
{
	return mshv_vp_cpuid_values(vp, 0,
				    HV_GET_VP_CPUID_VALUES_USE_VP_XFEM_XSS,
				    leaf, 0, r, status);
}

static __u64 gdt_entry(__u16 flags, __u32 base, __u32 limit)
{
	return ((__u64)(base & 0xff000000) << 32) |
	       ((__u64)(flags & 0xf0ff) << 40) |
	       ((__u64)(limit & 0x000f0000) << 32) |
	       ((__u64)(base & 0x00ffffff) << 16) | (limit & 0xffff);
}

/* The hv_x64_segment_register of GDT entry @index (limit scaled). */
static void segment_of(__u64 entry, __u16 index, struct mshv_vp_reg *reg)
{
	__u32 limit = (entry & 0xffff) | ((entry >> 32) & 0xf0000);
	__u16 attr = (entry >> 40) & 0xf0ff;

	if (attr & 0x8000)	/* G */
		limit = limit << 12 | 0xfff;
	reg->lo = ((entry >> 16) & 0xffffff) | ((entry >> 32) & 0xff000000);
	reg->hi = MSHV_SEG_HI(limit, index * 8, attr);
}

/*
 * Cloud Hypervisor's vCPU configuration for a 64-bit Linux boot
 * (arch/x86_64 regs.rs, via the mshv backend): CPUID results, boot MSRs,
 * general registers, FPU, the GDT, IDT and page tables in guest memory
 * with the special registers that use them, and the LAPIC's LINT pins.
 */
static void chv_configure_vcpu(struct __test_metadata *_metadata,
			       struct chv_vm *vm, __u8 *lapic)
{
	static const __u32 vendor[4] = { 0x16, VENDOR_EBX, VENDOR_ECX,
					 VENDOR_EDX };
	struct mshv_vp_reg regs[MSHV_VP_REGS_MAX];
	__u64 gdt[4], *pt;
	__u32 r[4], raw[4], size;
	__u16 status;
	unsigned int i, n;

	STEP("set_cpuid2: HvRegisterInterceptResult per leaf");
	ASSERT_EQ(0, register_cpuid(vm->vp, 0, 0, 0, 1, vendor, &status))
		TH_LOG("leaf 0: status 0x%x", status);
	ASSERT_EQ(0, cpuid_values(vm->vp, 1, 0, r, &status))
		TH_LOG("HvGetVpCpuidValues leaf 1: status 0x%x", status);
	/* leaf 1 is registered with always_override, as the crate does */
	ASSERT_EQ(0, register_cpuid(vm->vp, 1, 0, 0, 1, r, &status))
		TH_LOG("leaf 1: status 0x%x", status);
	for (i = 0; i < 2; i++) {
		static const __u32 topo[4] = { 0, 1, 0x100, 0 };
		__u32 t[4];

		memcpy(t, topo, sizeof(t));
		t[2] |= i;
		/* 0xb: subleaf specific, not always overridden */
		ASSERT_EQ(0, register_cpuid(vm->vp, 0xb, i, 1, 0, t, &status))
			TH_LOG("leaf 0xb.%u: status 0x%x", i, status);
	}
	/*
	 * The crate registers each value as its own mask: the bits set in
	 * it are set, the others keep the hypervisor's value.
	 */
	ASSERT_EQ(0, cpuid_raw(vm->vp, 0, raw, &status));
	ASSERT_EQ(0, cpuid_values(vm->vp, 0, 0, r, &status));
	for (i = 1; i < 4; i++)
		EXPECT_EQ(raw[i] | vendor[i], r[i]) TH_LOG("leaf 0 reg %u", i);
	vm->vendor_ebx = r[1];

	STEP("boot MSRs: HvSetVpRegisters");
	memset(regs, 0, sizeof(regs));
	for (n = 0; n < ARRAY_SIZE(boot_msr_regs); n++)
		regs[n].name = boot_msr_regs[n];
	regs[n - 1].lo = MTRR_ENABLE_WB;
	ASSERT_EQ(0, mshv_vp_set_regs(vm->vp, 0, regs, n, &status))
		TH_LOG("boot MSRs: status 0x%x", status);

	STEP("general registers: rflags, rip, rsp, rbp, rsi");
	memset(regs, 0, sizeof(regs));
	for (n = 0; n < ARRAY_SIZE(std_regs); n++)
		regs[n].name = std_regs[n];
	regs[6].lo = BOOT_STACK_POINTER;	/* RSP */
	regs[7].lo = BOOT_STACK_POINTER;	/* RBP */
	regs[4].lo = ZERO_PAGE_START;		/* RSI */
	regs[16].lo = KERNEL_START;		/* RIP */
	regs[17].lo = 0x2;			/* RFLAGS */
	ASSERT_EQ(0, mshv_vp_set_regs(vm->vp, 0, regs, n, &status))
		TH_LOG("set_regs: status 0x%x", status);

	STEP("FPU: fcw 0x37f, mxcsr 0x1f80 (26 registers)");
	memset(regs, 0, sizeof(regs));
	for (n = 0; n < 16; n++)
		regs[n].name = HV_X64_REGISTER_XMM0 + n;
	for (; n < 24; n++)
		regs[n].name = HV_X64_REGISTER_FP_MMX0 + n - 16;
	regs[n].name = HV_X64_REGISTER_FP_CONTROL_STATUS;
	regs[n++].lo = 0x37f;
	regs[n].name = HV_X64_REGISTER_XMM_CONTROL_STATUS;
	regs[n++].hi = 0x1f80;
	ASSERT_EQ(0, mshv_vp_set_regs(vm->vp, 0, regs, n, &status))
		TH_LOG("set_fpu: status 0x%x", status);

	STEP("special registers: GDT, IDT, page tables, long mode");
	ASSERT_EQ(0, get_regs(vm->vp, sregs_get, ARRAY_SIZE(sregs_get), regs, &status))
		TH_LOG("get_sregs: status 0x%x", status);
	gdt[0] = gdt_entry(0, 0, 0);
	gdt[1] = gdt_entry(0xa09b, 0, 0xfffff);
	gdt[2] = gdt_entry(0xc093, 0, 0xfffff);
	gdt[3] = gdt_entry(0x808b, 0, 0xfffff);
	memcpy(vm->mem + BOOT_GDT_START, gdt, sizeof(gdt));
	memset(vm->mem + BOOT_IDT_START, 0, 8);
	pt = (__u64 *)(vm->mem + PML4_START);
	pt[0] = PDPTE_START | 0x3;
	pt = (__u64 *)(vm->mem + PDPTE_START);
	pt[0] = PDE_START | 0x3;
	pt = (__u64 *)(vm->mem + PDE_START);
	for (i = 0; i < 512; i++)
		pt[i] = (__u64)i << 21 | 0x83;
	/* sregs_set order, from the values read (sregs_get order) */
	{
		struct mshv_vp_reg s[ARRAY_SIZE(sregs_set)];
		__u64 cr0 = regs[6].lo, cr4 = regs[8].lo, efer = regs[10].lo;

		memset(s, 0, sizeof(s));
		for (i = 0; i < ARRAY_SIZE(sregs_set); i++)
			s[i].name = sregs_set[i];
		segment_of(gdt[1], 1, &s[0]);		/* CS */
		for (i = 1; i < 6; i++)
			segment_of(gdt[2], 2, &s[i]);	/* DS .. SS */
		segment_of(gdt[3], 3, &s[6]);		/* TR */
		s[7].hi = regs[12].hi;			/* LDTR as read */
		s[7].lo = regs[12].lo;
		/* a table register: limit in bits 63:48, then the base */
		s[8].lo = (__u64)(sizeof(gdt) - 1) << 48;	/* GDTR */
		s[8].hi = BOOT_GDT_START;
		s[9].lo = 7ULL << 48;				/* IDTR */
		s[9].hi = BOOT_IDT_START;
		s[10].lo = cr0 | X86_CR0_PE | X86_CR0_PG;
		s[11].lo = 0;					/* CR2 */
		s[12].lo = PML4_START;				/* CR3 */
		s[13].lo = cr4 | X86_CR4_PAE;
		s[14].lo = 0;					/* CR8 */
		s[15].lo = efer | EFER_LME | EFER_LMA;
		s[16].lo = regs[16].lo;				/* APIC base */
		ASSERT_EQ(0, mshv_vp_set_regs(vm->vp, 0, s, ARRAY_SIZE(s), &status))
			TH_LOG("set_sregs: status 0x%x", status);
	}

	STEP("LAPIC: LINT0 ExtINT, LINT1 NMI (set_lint)");
	size = PAGE_4K;
	ASSERT_EQ(0, mshv_vp_state(vm->vp, MSHV_GET_VP_STATE,
				   MSHV_VP_STATE_LAPIC, lapic, &size));
	*(__u32 *)(lapic + LAPIC_LVT_LINT0) =
		(*(__u32 *)(lapic + LAPIC_LVT_LINT0) & ~0x700U) |
		APIC_MODE_EXTINT << 8;
	*(__u32 *)(lapic + LAPIC_LVT_LINT1) =
		(*(__u32 *)(lapic + LAPIC_LVT_LINT1) & ~0x700U) |
		APIC_MODE_NMI << 8;
	/* the crate's LapicState conversion drops these two */
	*(__u32 *)(lapic + LAPIC_LVT_CMCI) = 0;
	*(__u32 *)(lapic + LAPIC_ERROR_STATUS) = 0;
	memset(lapic + LAPIC_STATE_SIZE, 0, PAGE_4K - LAPIC_STATE_SIZE);
	size = PAGE_4K;
	ASSERT_EQ(0, mshv_vp_state(vm->vp, MSHV_SET_VP_STATE,
				   MSHV_VP_STATE_LAPIC, lapic, &size))
		TH_LOG("set_lapic failed");
}

/* advance_rip_update_rax(): through the register page when there is one */
static void advance_rip_update_rax(struct __test_metadata *_metadata,
				   struct chv_vm *vm, const struct hv_msg *msg,
				   __u64 rax)
{
	__u64 rip = msg->icpt.rip + (msg->icpt.instruction_length & 0xf);
	struct mshv_vp_reg regs[2] = {
		{ .name = HV_X64_REGISTER_RIP, .lo = rip },
		{ .name = HV_X64_REGISTER_RAX, .lo = rax },
	};
	__u16 status;

	if (vm->rp != MAP_FAILED) {
		vm->rp->gprs[0] = rax;
		vm->rp->rip = rip;
		vm->rp->dirty |= HV_X64_REGISTER_CLASS_GENERAL |
				 HV_X64_REGISTER_CLASS_IP;
		return;
	}
	ASSERT_EQ(0, mshv_vp_set_regs(vm->vp, 0, regs, 2, &status))
		TH_LOG("advance RIP: status 0x%x", status);
}

/*
 * The MMIO path of Cloud Hypervisor's instruction emulator: the bytes
 * come from the message; it reads the registers (get_regs, get_sregs),
 * translates other addresses than the message's, and writes all general
 * and special registers back.
 */
static void emulate_mmio(struct __test_metadata *_metadata, struct chv_vm *vm,
			 const struct hv_msg *msg, __u32 *written)
{
	struct mshv_vp_reg regs[ARRAY_SIZE(std_regs)], s[ARRAY_SIZE(sregs_get)];
	struct mshv_vp_reg set[ARRAY_SIZE(sregs_set)];
	struct hv_translate_in tin = {
		.control_flags = HV_TRANSLATE_GVA_VALIDATE_READ |
				 HV_TRANSLATE_GVA_VALIDATE_WRITE,
		.gva_page = msg->mem.gva >> 12,
	};
	struct hv_translate_out tout;
	struct mshv_root_hvcall targs = {
		.code = HVCALL_TRANSLATE_VIRTUAL_ADDRESS,
		.in_sz = sizeof(tin),
		.out_sz = sizeof(tout),
		.in_ptr = (uintptr_t)&tin,
		.out_ptr = (uintptr_t)&tout,
	};
	unsigned int i, len;
	__u16 status;

	len = msg->mem.insn_byte_count;
	ASSERT_LT(0U, len) TH_LOG("no instruction bytes in the message");
	ASSERT_GE(16U, len);
	ASSERT_EQ(MMIO_GPA, msg->mem.gva & ~0xfULL);
	ASSERT_EQ(msg->mem.gva, msg->mem.gpa) TH_LOG("identity map");
	ASSERT_EQ(0, get_regs(vm->vp, std_regs, ARRAY_SIZE(std_regs), regs, &status))
		TH_LOG("emulator get_regs: status 0x%x", status);
	ASSERT_EQ(0, get_regs(vm->vp, sregs_get, ARRAY_SIZE(sregs_get), s, &status))
		TH_LOG("emulator get_sregs: status 0x%x", status);
	/* a second access of the instruction: the emulator translates it */
	ASSERT_EQ(0, mshv_hvcall(vm->vp, &targs))
		TH_LOG("HvTranslateVirtualAddress: status 0x%x", targs.status);
	EXPECT_EQ(msg->mem.gpa >> 12, tout.gpa_page);

	if (msg->mem.insn_bytes[0] == 0x89) {		/* mov [rbx], ecx */
		ASSERT_EQ(0, memcmp(msg->mem.insn_bytes,
				    guest_prog + MMIO_WRITE_INSN, 2));
		ASSERT_EQ(MMIO_GPA, msg->mem.gpa);
		*written = (__u32)regs[2].lo;		/* RCX */
		regs[16].lo += 2;
	} else {					/* mov eax, [rbx+8] */
		ASSERT_EQ(0, memcmp(msg->mem.insn_bytes,
				    guest_prog + MMIO_READ_INSN, 3));
		ASSERT_EQ(MMIO_GPA + 8, msg->mem.gpa);
		regs[0].lo = MMIO_READ_VALUE;
		regs[16].lo += 3;
	}
	ASSERT_EQ(0, mshv_vp_set_regs(vm->vp, 0, regs, ARRAY_SIZE(regs), &status))
		TH_LOG("emulator set_regs: status 0x%x", status);
	/* set_sregs writes every special register back, in long mode */
	for (i = 0; i < ARRAY_SIZE(sregs_set); i++) {
		unsigned int j;

		for (j = 0; j < ARRAY_SIZE(sregs_get); j++)
			if (sregs_get[j] == sregs_set[i])
				set[i] = s[j];
	}
	ASSERT_EQ(0, mshv_vp_set_regs(vm->vp, 0, set, ARRAY_SIZE(set), &status))
		TH_LOG("emulator set_sregs: status 0x%x", status);
}

#define RUN_HALT	1
#define RUN_REPORT	2
#define RUN_SHUTDOWN	3

/*
 * Run until the guest is done (RUN_HALT: it wrote DONE_PORT, or halted
 * in a partition without a local APIC) or sends report @stop_report
 * (RUN_REPORT), storing its reports in @reports.
 */
static int chv_run(struct __test_metadata *_metadata, struct chv_vm *vm,
		   __u32 *reports, int stop_report, __u32 *mmio_written)
{
	struct hv_msg msg;
	int exits, ret, nr;

	for (exits = 0; exits < 64; exits++) {
		ret = mshv_run_vp(vm->vp, &msg);
		if (ret == -EAGAIN || ret == -EINTR)
			continue;
		if (ret)
			return ret;
		switch (msg.header.message_type) {
		case HVMSG_X64_HALT:
			return RUN_HALT;
		case HVMSG_UNRECOVERABLE_EXCEPTION:
			return RUN_SHUTDOWN;
		case HVMSG_X64_IO_PORT_INTERCEPT: {
			__u32 size = msg.io.access_info & 0x7;
			__u64 rax = msg.io.rax;

			EXPECT_EQ(0, msg.io.access_info & 0x18)
				TH_LOG("string or rep I/O");
			if (msg.io.port == SERIAL_PORT) {
				EXPECT_EQ(1U, size);
				if (msg.icpt.access_type == 1) {	/* write */
					EXPECT_EQ('C', (__u8)rax);
				} else {
					rax = ((__u32)rax & ~0xffU) |
					      SERIAL_IN;
				}
				advance_rip_update_rax(_metadata, vm, &msg,
						       rax);
				break;
			}
			if (msg.io.port == DONE_PORT) {
				advance_rip_update_rax(_metadata, vm, &msg,
						       rax);
				return RUN_HALT;
			}
			nr = guest_report_nr(msg.io.port);
			if (nr < 0) {
				TH_LOG("unexpected port 0x%x", msg.io.port);
				return -EINVAL;
			}
			EXPECT_EQ(4U, size);
			reports[nr] = (__u32)rax;
			advance_rip_update_rax(_metadata, vm, &msg, rax);
			if (nr == stop_report)
				return RUN_REPORT;
			break;
		}
		case HVMSG_UNMAPPED_GPA:
			emulate_mmio(_metadata, vm, &msg, mmio_written);
			break;
		default:
			TH_LOG("unexpected exit 0x%x at rip 0x%llx",
			       msg.header.message_type, (unsigned long long)msg.icpt.rip);
			return -EINVAL;
		}
	}
	return -ELOOP;
}

/*
 * VcpuFd::get_all_vp_state_components(): each of the five VP states in a
 * page-sized buffer, the buffer zeroed before each.
 */
static void save_vp_states(struct __test_metadata *_metadata, int vp,
			   __u8 *page, struct chv_vcpu_state *st)
{
	unsigned int i;
	__u32 size;

	for (i = 0; i < VP_STATE_COUNT; i++) {
		memset(page, 0, PAGE_4K);
		size = PAGE_4K;
		ASSERT_EQ(0, mshv_vp_state(vp, MSHV_GET_VP_STATE, i, page,
					   &size))
			TH_LOG("MSHV_GET_VP_STATE type %u: size %u", i, size);
		st->vp_state_size[i] = size;
		memcpy(st->vp_states + i * PAGE_4K, page, PAGE_4K);
	}
}

static void restore_vp_states(struct __test_metadata *_metadata, int vp,
			      __u8 *page, const struct chv_vcpu_state *st)
{
	unsigned int i;
	__u32 size;

	for (i = 0; i < VP_STATE_COUNT; i++) {
		memcpy(page, st->vp_states + i * PAGE_4K, PAGE_4K);
		size = PAGE_4K;
		ASSERT_EQ(0, mshv_vp_state(vp, MSHV_SET_VP_STATE, i, page,
					   &size))
			TH_LOG("MSHV_SET_VP_STATE type %u failed", i);
	}
}

/* MshvVcpu::state(): regs, sregs, xcrs, fpu, events, MSRs, misc, dbg */
static void chv_save(struct __test_metadata *_metadata, int vp, __u8 *page,
		     struct chv_vcpu_state *st)
{
	__u32 fpu_names[26];
	unsigned int i;
	__u16 status;

	ASSERT_EQ(0, get_regs(vp, std_regs, ARRAY_SIZE(std_regs), st->regs, &status))
		TH_LOG("get_regs: status 0x%x", status);
	ASSERT_EQ(0, get_regs(vp, sregs_get, ARRAY_SIZE(sregs_get), st->sregs, &status))
		TH_LOG("get_sregs: status 0x%x", status);
	{
		const __u32 xfem = HV_X64_REGISTER_XFEM;

		ASSERT_EQ(0, get_regs(vp, &xfem, 1, &st->xfem, &status))
			TH_LOG("get_xcrs: status 0x%x", status);
	}
	for (i = 0; i < 16; i++)
		fpu_names[i] = HV_X64_REGISTER_XMM0 + i;
	for (; i < 24; i++)
		fpu_names[i] = HV_X64_REGISTER_FP_MMX0 + i - 16;
	fpu_names[24] = HV_X64_REGISTER_FP_CONTROL_STATUS;
	fpu_names[25] = HV_X64_REGISTER_XMM_CONTROL_STATUS;
	ASSERT_EQ(0, get_regs(vp, fpu_names, 26, st->fpu, &status))
		TH_LOG("get_fpu: status 0x%x", status);
	ASSERT_EQ(0, get_regs(vp, event_regs, ARRAY_SIZE(event_regs), st->events,
			      &status))
		TH_LOG("get_vcpu_events: status 0x%x", status);
	ASSERT_EQ(0, get_regs(vp, chv_msr_regs, CHV_MSRS, st->msrs, &status))
		TH_LOG("get_msrs (%zu registers in one call): status 0x%x",
		       CHV_MSRS, status);
	{
		const __u32 hc = HV_X64_REGISTER_HYPERCALL;

		ASSERT_EQ(0, get_regs(vp, &hc, 1, &st->hypercall, &status))
			TH_LOG("get_misc_regs: status 0x%x", status);
	}
	ASSERT_EQ(0, get_regs(vp, debug_regs, ARRAY_SIZE(debug_regs), st->dbg, &status))
		TH_LOG("get_debug_regs: status 0x%x", status);
	save_vp_states(_metadata, vp, page, st);
}

/*
 * MshvVcpu::set_state(): MSRs, events, regs, sregs, FPU, xcrs, misc (VP
 * 0), dbg, then every VP state.
 */
static void chv_restore(struct __test_metadata *_metadata, int vp,
			__u8 *page, const struct chv_vcpu_state *st)
{
	struct mshv_vp_reg s[ARRAY_SIZE(sregs_set)];
	unsigned int i, j;
	__u16 status;

	ASSERT_EQ(0, mshv_vp_set_regs(vp, 0, st->msrs, CHV_MSRS, &status))
		TH_LOG("set_msrs: status 0x%x", status);
	ASSERT_EQ(0, mshv_vp_set_regs(vp, 0, st->events, ARRAY_SIZE(event_regs),
				      &status))
		TH_LOG("set_vcpu_events: status 0x%x", status);
	ASSERT_EQ(0, mshv_vp_set_regs(vp, 0, st->regs, ARRAY_SIZE(std_regs), &status))
		TH_LOG("set_regs: status 0x%x", status);
	for (i = 0; i < ARRAY_SIZE(sregs_set); i++)
		for (j = 0; j < ARRAY_SIZE(sregs_get); j++)
			if (sregs_get[j] == sregs_set[i])
				s[i] = st->sregs[j];
	ASSERT_EQ(0, mshv_vp_set_regs(vp, 0, s, ARRAY_SIZE(s), &status))
		TH_LOG("set_sregs: status 0x%x", status);
	ASSERT_EQ(0, mshv_vp_set_regs(vp, 0, st->fpu, 26, &status))
		TH_LOG("set_fpu: status 0x%x", status);
	ASSERT_EQ(0, mshv_vp_set_regs(vp, 0, &st->xfem, 1, &status))
		TH_LOG("set_xcrs: status 0x%x", status);
	ASSERT_EQ(0, mshv_vp_set_regs(vp, 0, &st->hypercall, 1, &status))
		TH_LOG("set_misc_regs: status 0x%x", status);
	ASSERT_EQ(0, mshv_vp_set_regs(vp, 0, st->dbg, ARRAY_SIZE(debug_regs), &status))
		TH_LOG("set_debug_regs: status 0x%x", status);
	restore_vp_states(_metadata, vp, page, st);
}

TEST_F(chv, rust_vmm_system)
{
	__u8 caps[PAGE_4K];
	__u64 width;
	__u16 status;
	int ret;

	STEP("Mshv::get_vmm_caps(): HvGetPartitionPropertyEx on the root");
	memset(caps, 0xee, sizeof(caps));
	ret = mshv_get_property_ex(self->dev, PROP_VMM_CAPABILITIES, caps,
				   sizeof(caps), &status);
	/* AccessDenied from an older hypervisor means "no capabilities" */
	if (ret && status == HV_STATUS_ACCESS_DENIED) {
		ksft_print_msg("VMM capabilities: access denied\n");
	} else {
		ASSERT_EQ(0, ret) TH_LOG("status 0x%x", status);
		EXPECT_EQ(1, *(__u16 *)caps) TH_LOG("bank count");
	}

	STEP("Mshv::get_host_partition_property(PHYSICAL_ADDRESS_WIDTH)");
	ASSERT_EQ(0, mshv_get_property(self->dev, PROP_PHYS_ADDR_WIDTH, &width,
				       &status))
		TH_LOG("status 0x%x", status);
	EXPECT_LE(36ULL, width);
	EXPECT_GE(52ULL, width);
}

TEST_F(chv, boot_snapshot_restore)
{
	struct chv_vcpu_state *st;
	__u32 reports[GUEST_REPORTS_MAX], mmio = 0, r[4];
	__u64 ref_time, feat[2], value;
	struct mshv_vp_reg reg;
	__u16 status;
	int ret;

	st = calloc(1, sizeof(*st));
	ASSERT_NE(NULL, st);
	st->vp_states = calloc(VP_STATE_COUNT, PAGE_4K);
	ASSERT_NE(NULL, st->vp_states);

	STEP("create_vm + init, memory, VP 0 (source)");
	ASSERT_EQ(0, chv_create_vm(_metadata, self->dev, &self->src));
	EXPECT_NE(MAP_FAILED, self->src.rp) TH_LOG("no VP register page");

	STEP("partition features for the MSR list (VpFeatures)");
	ASSERT_EQ(0, mshv_get_property(self->src.pt, PROP_FEATURES0, &feat[0],
				       &status));
	ASSERT_EQ(0, mshv_get_property(self->src.pt, PROP_FEATURES1, &feat[1],
				       &status));
	ASSERT_EQ(0, mshv_get_property(self->src.pt,
				       HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
				       &value, &status));
	EXPECT_EQ(0ULL, value & CRATE_DISABLED_XSAVE);

	guest_code_load(self->src.mem, KERNEL_START, guest_prog);
	chv_configure_vcpu(_metadata, &self->src, self->buf);

	STEP("resume: TIME_FREEZE 0, run to the second report");
	ASSERT_EQ(0, mshv_set_property(self->src.pt, PROP_TIME_FREEZE, 0,
				       &status));
	memset(reports, 0, sizeof(reports));
	ret = chv_run(_metadata, &self->src, reports, 1, &mmio);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "the hypervisor cannot run VPs");
	ASSERT_EQ(RUN_REPORT, ret);
	EXPECT_EQ(MMIO_WRITE_VALUE, mmio);
	EXPECT_EQ(SERIAL_IN, reports[0] & 0xff) TH_LOG("IN through RAX");
	EXPECT_EQ(MMIO_READ_VALUE, reports[1]);

	STEP("pause (TIME_FREEZE 1), save the VP and the clock");
	ASSERT_EQ(0, mshv_set_property(self->src.pt, PROP_TIME_FREEZE, 1,
				       &status));
	chv_save(_metadata, self->src.vp, self->buf, st);
	ASSERT_EQ(0, mshv_get_property(self->src.pt, PROP_REFERENCE_TIME,
				       &ref_time, &status));
	/* the guest's WRMSR of STAR shows in the saved MSRs */
	EXPECT_EQ(STAR_VALUE, st->msrs[8].lo) TH_LOG("STAR");
	EXPECT_EQ(STAR_REG, st->msrs[8].name);
	EXPECT_EQ(EFER_LME | EFER_LMA, st->sregs[10].lo & (EFER_LME | EFER_LMA));

	STEP("restore into a new partition: create, memory, VP, set_state");
	ASSERT_EQ(0, chv_create_vm(_metadata, self->dev, &self->dst));
	memcpy(self->dst.mem, self->src.mem, GUEST_SIZE);
	chv_restore(_metadata, self->dst.vp, self->buf, st);
	ASSERT_EQ(0, mshv_set_property(self->dst.pt, PROP_REFERENCE_TIME,
				       ref_time, &status))
		TH_LOG("set_clock: status 0x%x", status);
	/* set_state() does not carry the CPUID results: set_cpuid2 again */
	{
		static const __u32 vendor[4] = { 0x16, VENDOR_EBX, VENDOR_ECX,
						 VENDOR_EDX };

		ASSERT_EQ(0, register_cpuid(self->dst.vp, 0, 0, 0, 1, vendor,
					    &status));
	}
	vm_close(&self->src);

	STEP("resume the restored guest and finish it");
	ASSERT_EQ(0, mshv_set_property(self->dst.pt, PROP_TIME_FREEZE, 0,
				       &status));
	ret = chv_run(_metadata, &self->dst, reports, -1, &mmio);
	ASSERT_EQ(RUN_HALT, ret);
	EXPECT_EQ(self->src.vendor_ebx, reports[2]) TH_LOG("CPUID leaf 0 EBX");
	reg.name = PAT_REG;
	ASSERT_EQ(0, mshv_vp_get_regs(self->dst.vp, 0, &reg, 1, &status));
	EXPECT_EQ((__u32)reg.lo, reports[3]) TH_LOG("RDMSR PAT");
	EXPECT_EQ(0U, reports[4]) TH_LOG("unimplemented MSR, low");
	EXPECT_EQ(0U, reports[5]) TH_LOG("unimplemented MSR, high");
	ASSERT_EQ(0, cpuid_values(self->dst.vp, 0, 0, r, &status));
	EXPECT_EQ(self->src.vendor_ebx, r[1]);
	free(st->vp_states);
	free(st);
}

/*
 * A guest that enables its SynIC the way Linux does on Hyper-V sees the
 * enlightenments the crate's synthetic features grant, and the message
 * and event flag the VMM sends it (HvPostMessageDirect,
 * HvSignalEventDirect, both in the allowlist) in its SIM and SIEF pages,
 * and takes SINT2's interrupt once it enables interrupts; Cloud
 * Hypervisor's snapshot then finds them in the SIMP and SIEFP VP states.
 */
TEST_F(chv, synic_guest)
{
	__u32 reports[GUEST_REPORTS_MAX], mmio = 0, size;
	struct hv_post_message_in pin = { .sint = GUEST_SINT };
	struct hv_signal_event_in sin = { .sint = GUEST_SINT,
				       .flag = SIGNALED_FLAG };
	__u32 msg[64] = { POSTED_TYPE, 8, 0, 0, POSTED_PAYLOAD };
	struct mshv_root_hvcall args = {
		.code = HVCALL_POST_MESSAGE_DIRECT,
		.in_sz = sizeof(pin),
		.in_ptr = (uintptr_t)&pin,
	};
	struct mshv_vp_reg regs[3] = {
		{ .name = 0x00090002 },		/* GUEST_OS_ID */
		{ .name = 0x000A0013 },		/* SIMP */
		{ .name = 0x000A0002 },		/* SINT2 */
	};
	bool sim = sim_present();
	__u64 newly = 0;
	__u16 status;
	int ret;

	ASSERT_EQ(0, chv_create_vm(_metadata, self->dev, &self->src));
	guest_code_load(self->src.mem, KERNEL_START, synic_prog);
	guest_code_load(self->src.mem, SINT_HANDLER, sint_handler);
	/* the IDT the guest loads: a 64-bit interrupt gate for SINT2 */
	*(__u16 *)(self->src.mem + IDT_DESC) = (GUEST_SINT_VECTOR + 1) * 16 - 1;
	*(__u64 *)(self->src.mem + IDT_DESC + 2) = IDT_BASE;
	*(__u64 *)(self->src.mem + IDT_BASE + GUEST_SINT_VECTOR * 16) =
		(SINT_HANDLER & 0xffff) | 0x08ULL << 16 | 0x8e00ULL << 32 |
		((SINT_HANDLER >> 16) & 0xffff) << 48;
	chv_configure_vcpu(_metadata, &self->src, self->buf);
	/* the guest's own APIC set-up: software-enabled, spurious 0xff */
	size = PAGE_4K;
	ASSERT_EQ(0, mshv_vp_state(self->src.vp, MSHV_GET_VP_STATE,
				   MSHV_VP_STATE_LAPIC, self->buf, &size));
	*(__u32 *)(self->buf + LAPIC_SPURIOUS) = 0x1ff;
	ASSERT_EQ(0, mshv_vp_state(self->src.vp, MSHV_SET_VP_STATE,
				   MSHV_VP_STATE_LAPIC, self->buf, &size));
	ASSERT_EQ(0, mshv_set_property(self->src.pt, PROP_TIME_FREEZE, 0,
				       &status));

	STEP("enlightenments: CPUID 0x40000001/3, guest OS id, VP index");
	memset(reports, 0, sizeof(reports));
	ret = chv_run(_metadata, &self->src, reports, 5, &mmio);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "the hypervisor cannot run VPs");
	ASSERT_EQ(RUN_REPORT, ret);
	EXPECT_EQ(0x31237648U, reports[0]) TH_LOG("leaf 0x40000001: Hv#1");
	/* privileges of the crate's access_* features, bits 1-6 and 9-11 */
	EXPECT_EQ(0xe7eU, reports[1] & 0xe7eU)
		TH_LOG("leaf 0x40000003 EAX 0x%x", reports[1]);
	if (sim)
		EXPECT_EQ(0xe7eU, reports[1]);
	/* direct synthetic timers (19), frequency MSRs (8) */
	EXPECT_EQ(0x80100U, reports[2] & 0x80100U)
		TH_LOG("leaf 0x40000003 EDX 0x%x", reports[2]);
	EXPECT_EQ(0U, reports[3]) TH_LOG("VP index");
	EXPECT_EQ(1U, reports[4]) TH_LOG("SVERSION");
	ASSERT_EQ(0, mshv_vp_get_regs(self->src.vp, 0, regs, 3, &status))
		TH_LOG("status 0x%x", status);
	EXPECT_EQ(0x0000810011112222ULL, regs[0].lo) TH_LOG("guest OS id");
	EXPECT_EQ(GUEST_SIMP | 1, regs[1].lo) TH_LOG("SIMP");
	EXPECT_EQ((__u64)GUEST_SINT_VECTOR, regs[2].lo) TH_LOG("SINT2");

	STEP("HvPostMessageDirect and HvSignalEventDirect to SINT2");
	memcpy(pin.message, msg, sizeof(pin.message));
	ASSERT_EQ(0, mshv_hvcall(self->src.vp, &args))
		TH_LOG("HvPostMessageDirect: status 0x%x", args.status);
	args = (struct mshv_root_hvcall){
		.code = HVCALL_SIGNAL_EVENT_DIRECT,
		.in_sz = sizeof(sin),
		.out_sz = sizeof(newly),
		.in_ptr = (uintptr_t)&sin,
		.out_ptr = (uintptr_t)&newly,
	};
	ASSERT_EQ(0, mshv_hvcall(self->src.vp, &args))
		TH_LOG("HvSignalEventDirect: status 0x%x", args.status);
	EXPECT_EQ(1ULL, newly & 0xff);

	STEP("the guest reads them in its SIM and SIEF pages, takes SINT2");
	ret = chv_run(_metadata, &self->src, reports, -1, &mmio);
	ASSERT_EQ(RUN_HALT, ret);
	/* with interrupts on, SINT2's vector reaches the guest */
	EXPECT_EQ(0x5a5a5a5aU, reports[SINT_IRQ_REPORT])
		TH_LOG("no SINT2 interrupt");
	EXPECT_EQ(POSTED_TYPE, reports[6]) TH_LOG("message type");
	EXPECT_EQ(POSTED_PAYLOAD, reports[7]) TH_LOG("payload");
	EXPECT_EQ(1U << SIGNALED_FLAG, reports[8]) TH_LOG("event flags");
	/* an overlay: the RAM beneath the SIM page did not change */
	EXPECT_EQ(0U, *(__u32 *)(self->src.mem + GUEST_SIMP + 512));

	STEP("snapshot: the SIMP and SIEFP VP states");
	size = PAGE_4K;
	ASSERT_EQ(0, mshv_vp_state(self->src.vp, MSHV_GET_VP_STATE,
				   MSHV_VP_STATE_SIMP, self->buf, &size));
	EXPECT_EQ(0U, *(__u32 *)(self->buf + 512))
		TH_LOG("the slot the guest freed");
	EXPECT_EQ(POSTED_PAYLOAD, *(__u32 *)(self->buf + 512 + 16));
	size = PAGE_4K;
	ASSERT_EQ(0, mshv_vp_state(self->src.vp, MSHV_GET_VP_STATE,
				   MSHV_VP_STATE_SIEFP, self->buf, &size));
	EXPECT_EQ(1U << SIGNALED_FLAG, *(__u32 *)(self->buf + 512));
}

/* MshvVm::get_dirty_log(): the dirty bits of @pages pages from GPA 0 */
static int dirty_log(int pt, __u8 op, __u64 *bitmap, __u64 pages)
{
	struct mshv_gpap_access_bitmap args = {
		.access_type = MSHV_GPAP_ACCESS_TYPE_DIRTY,
		.access_op = op,
		.page_count = pages,
		.gpap_base = 0,
		.bitmap_ptr = (uintptr_t)bitmap,
	};

	memset(bitmap, 0, (pages + 7) / 8);
	return mshv_access_bitmap(pt, &args);
}

static bool page_dirty(const __u64 *bitmap, __u64 gpa)
{
	__u64 pfn = gpa >> 12;

	return bitmap[pfn / 64] >> (pfn % 64) & 1;
}

/*
 * Live migration's dirty page tracking (start_dirty_log, get_dirty_log,
 * stop_dirty_log) around a guest run, and the device plumbing Cloud
 * Hypervisor sets up: MSI routing, an irqfd, MMIO ioeventfds without and
 * with 4- and 8-byte data matches.
 */
TEST_F(chv, dirty_log_and_devices)
{
	struct mshv_user_irq_table *table;
	struct mshv_user_irqfd irqfd = {};
	struct mshv_user_ioeventfd io = {};
	__u64 bitmap[GUEST_SIZE / PAGE_4K / 64];
	__u32 reports[GUEST_REPORTS_MAX], mmio = 0;
	const __u64 pages = GUEST_SIZE / PAGE_4K;
	__u16 status;
	unsigned int i;
	int ret;

	ASSERT_EQ(0, chv_create_vm(_metadata, self->dev, &self->src));
	guest_code_load(self->src.mem, KERNEL_START, guest_prog);
	chv_configure_vcpu(_metadata, &self->src, self->buf);

	STEP("set_gsi_routing: two MSI entries");
	table = calloc(1, sizeof(*table) + 2 * sizeof(table->entries[0]));
	ASSERT_NE(NULL, table);
	table->nr = 2;
	for (i = 0; i < 2; i++) {
		table->entries[i].gsi = 24 + i;
		table->entries[i].address_lo = 0xfee00000;
		table->entries[i].data = 0x30 + i;
	}
	ret = ioctl(self->src.pt, MSHV_SET_MSI_ROUTING, table);
	free(table);
	ASSERT_EQ(0, ret) TH_LOG("MSHV_SET_MSI_ROUTING: %s", strerror(errno));

	STEP("register_irqfd (no resample)");
	for (i = 0; i < 4; i++) {
		self->efd[i] = eventfd(0, EFD_NONBLOCK);
		ASSERT_LE(0, self->efd[i]);
	}
	irqfd.fd = self->efd[0];
	irqfd.gsi = 24;
	ASSERT_EQ(0, ioctl(self->src.pt, MSHV_IRQFD, &irqfd))
		TH_LOG("MSHV_IRQFD: %s", strerror(errno));

	STEP("register_ioevent: MMIO, no data match, 4 and 8 bytes");
	for (i = 1; i < 4; i++) {
		static const __u32 len[4] = { 0, 0, 4, 8 };

		memset(&io, 0, sizeof(io));
		io.fd = self->efd[i];
		io.addr = MMIO_GPA + 0x1000 * i;
		io.len = len[i];
		if (len[i]) {
			io.flags = 1 << MSHV_IOEVENTFD_BIT_DATAMATCH;
			io.datamatch = i;
		}
		ASSERT_EQ(0, ioctl(self->src.pt, MSHV_IOEVENTFD, &io))
			TH_LOG("MSHV_IOEVENTFD %u: %s", i, strerror(errno));
	}
	/* unregister_ioevent(): always without a data match */
	memset(&io, 0, sizeof(io));
	io.fd = self->efd[1];
	io.addr = MMIO_GPA + 0x1000;
	io.flags = 1 << MSHV_IOEVENTFD_BIT_DEASSIGN;
	EXPECT_EQ(0, ioctl(self->src.pt, MSHV_IOEVENTFD, &io));
	/* as mainline: a data match ioeventfd needs its own length to go */
	io.fd = self->efd[2];
	io.addr = MMIO_GPA + 0x2000;
	EXPECT_EQ(-1, ioctl(self->src.pt, MSHV_IOEVENTFD, &io));
	EXPECT_EQ(ENOENT, errno);

	STEP("start_dirty_log: GPA_PAGE_ACCESS_TRACKING 1, clear");
	ASSERT_EQ(0, mshv_set_property(self->src.pt,
				       HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
				       1, &status))
		TH_LOG("status 0x%x", status);
	ASSERT_EQ(0, dirty_log(self->src.pt, MSHV_GPAP_ACCESS_OP_CLEAR, bitmap,
			       pages));

	STEP("run the guest; get_dirty_log (clear)");
	ASSERT_EQ(0, mshv_set_property(self->src.pt, PROP_TIME_FREEZE, 0,
				       &status));
	memset(reports, 0, sizeof(reports));
	ret = chv_run(_metadata, &self->src, reports, -1, &mmio);
	if (ret == -EOPNOTSUPP)
		SKIP(return, "the hypervisor cannot run VPs");
	ASSERT_EQ(RUN_HALT, ret);
	ASSERT_EQ(0, dirty_log(self->src.pt, MSHV_GPAP_ACCESS_OP_CLEAR, bitmap,
			       pages));
	EXPECT_TRUE(page_dirty(bitmap, DIRTY_GPA)) TH_LOG("the guest's store");
	EXPECT_FALSE(page_dirty(bitmap, DIRTY_GPA + 0x20000));
	ASSERT_EQ(0, dirty_log(self->src.pt, MSHV_GPAP_ACCESS_OP_CLEAR, bitmap,
			       pages));
	EXPECT_FALSE(page_dirty(bitmap, DIRTY_GPA)) TH_LOG("cleared");

	STEP("stop_dirty_log: set every dirty bit, tracking 0");
	ASSERT_EQ(0, dirty_log(self->src.pt, MSHV_GPAP_ACCESS_OP_SET, bitmap,
			       pages));
	ASSERT_EQ(0, mshv_set_property(self->src.pt,
				       HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
				       0, &status))
		TH_LOG("status 0x%x", status);

	STEP("unregister_irqfd");
	irqfd.flags = 1 << MSHV_IRQFD_BIT_DEASSIGN;
	EXPECT_EQ(0, ioctl(self->src.pt, MSHV_IRQFD, &irqfd));

	/*
	 * MshvVcpu::nmi(): an NMI to the halted VP, whose one-entry IDT
	 * (Cloud Hypervisor's boot IDT) cannot take it: #GP, #DF, then a
	 * triple fault, which Cloud Hypervisor turns into a shutdown.
	 */
	STEP("nmi(): HvAssertVirtualInterrupt, then a triple fault");
	ASSERT_EQ(0, mshv_assert_interrupt(self->src.pt,
					   HV_X64_INTERRUPT_TYPE_NMI, 0, 0, 0,
					   &status))
		TH_LOG("status 0x%x", status);
	ret = chv_run(_metadata, &self->src, reports, -1, &mmio);
	EXPECT_EQ(RUN_SHUTDOWN, ret) TH_LOG("run: %d", ret);
}

TEST_HARNESS_MAIN
