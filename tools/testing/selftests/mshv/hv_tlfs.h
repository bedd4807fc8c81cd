/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Values of the Hyper-V Top-Level Functional Specification (TLFS) that the
 * /dev/mshv selftests use: hypercall codes, statuses, partition property
 * codes, register names, message types and hypercall flags. The kernel's
 * uapi (<linux/mshv.h>) carries the ioctl ABI, not these, so they are kept
 * here once for every test.
 */
#ifndef SELFTEST_MSHV_HV_TLFS_H
#define SELFTEST_MSHV_HV_TLFS_H

#include <assert.h>
#include <stddef.h>
#include <linux/types.h>

/* Hypercall codes. */
#define HVCALL_CREATE_PARTITION			0x0040
#define HVCALL_INITIALIZE_PARTITION		0x0041
#define HVCALL_FINALIZE_PARTITION		0x0042
#define HVCALL_DELETE_PARTITION			0x0043
#define HVCALL_GET_PARTITION_PROPERTY		0x0044
#define HVCALL_SET_PARTITION_PROPERTY		0x0045
#define HVCALL_DEPOSIT_MEMORY			0x0048
#define HVCALL_WITHDRAW_MEMORY			0x0049
#define HVCALL_MAP_GPA_PAGES			0x004B
#define HVCALL_UNMAP_GPA_PAGES			0x004C
#define HVCALL_INSTALL_INTERCEPT		0x004D
#define HVCALL_GET_VP_REGISTERS			0x0050
#define HVCALL_SET_VP_REGISTERS			0x0051
#define HVCALL_TRANSLATE_VIRTUAL_ADDRESS	0x0052
#define HVCALL_DELETE_PORT			0x0058
#define HVCALL_DISCONNECT_PORT			0x005B
#define HVCALL_NOTIFY_PORT_RING_EMPTY		0x008B
#define HVCALL_REGISTER_INTERCEPT_RESULT	0x0091
#define HVCALL_ASSERT_VIRTUAL_INTERRUPT		0x0094
#define HVCALL_CREATE_PORT			0x0095
#define HVCALL_CONNECT_PORT			0x0096
#define HVCALL_SIGNAL_EVENT_DIRECT		0x00C0
#define HVCALL_POST_MESSAGE_DIRECT		0x00C1
#define HVCALL_DISPATCH_VP			0x00C2
#define HVCALL_GET_GPA_PAGES_ACCESS_STATES	0x00C9
#define HVCALL_GET_VP_CPUID_VALUES		0x00F4
#define HVCALL_GET_PARTITION_PROPERTY_EX	0x0101

/* Hypercall statuses. */
#define HV_STATUS_SUCCESS			0x0000
#define HV_STATUS_INVALID_HYPERCALL_CODE	0x0002
#define HV_STATUS_INVALID_HYPERCALL_INPUT	0x0003
#define HV_STATUS_INVALID_ALIGNMENT		0x0004
#define HV_STATUS_INVALID_PARAMETER		0x0005
#define HV_STATUS_ACCESS_DENIED			0x0006
#define HV_STATUS_INVALID_PARTITION_STATE	0x0007
#define HV_STATUS_OPERATION_DENIED		0x0008
#define HV_STATUS_UNKNOWN_PROPERTY		0x0009
#define HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE	0x000A
#define HV_STATUS_INSUFFICIENT_MEMORY		0x000B
#define HV_STATUS_INVALID_PARTITION_ID		0x000D
#define HV_STATUS_INVALID_VP_INDEX		0x000E
#define HV_STATUS_NOT_FOUND			0x0010
#define HV_STATUS_INVALID_PORT_ID		0x0011
#define HV_STATUS_INSUFFICIENT_BUFFERS		0x0013
#define HV_STATUS_INVALID_VP_STATE		0x0015
#define HV_STATUS_NO_RESOURCES			0x001D
#define HV_STATUS_INVALID_REGISTER_VALUE	0x0050
#define HV_STATUS_OPERATION_FAILED		0x0071
#define HV_STATUS_TIME_OUT			0x0078
#define HV_STATUS_CALL_PENDING			0x0079

/* Partition property codes. */
#define HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS		0x00010000
#define HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES	0x00010001
#define HV_PARTITION_PROPERTY_SUSPEND			0x00020000
#define HV_PARTITION_PROPERTY_CPU_RESERVE		0x00020001
#define HV_PARTITION_PROPERTY_CPU_CAP			0x00020002
#define HV_PARTITION_PROPERTY_CPU_WEIGHT		0x00020003
#define HV_PARTITION_PROPERTY_CPU_GROUP_ID		0x00020004
#define HV_PARTITION_PROPERTY_INTEGRATED_SCHEDULER_ENABLED	0x00020005
#define HV_PARTITION_PROPERTY_TIME_FREEZE		0x00030003
#define HV_PARTITION_PROPERTY_REFERENCE_TIME		0x00030005
#define HV_PARTITION_PROPERTY_VIRTUAL_TLB_PAGE_COUNT	0x00050000
#define HV_PARTITION_PROPERTY_VSM_CONFIG		0x00050001
#define HV_PARTITION_PROPERTY_ZERO_MEMORY_ON_RESET	0x00050002
#define HV_PARTITION_PROPERTY_PROCESSORS_PER_SOCKET	0x00050003
#define HV_PARTITION_PROPERTY_NESTED_TLB_SIZE		0x00050004
#define HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING	0x00050005
#define HV_PARTITION_PROPERTY_VSM_PERMISSIONS_DIRTY	0x00050006
#define HV_PARTITION_PROPERTY_ISOLATION_STATE		0x0005000C
#define HV_PARTITION_PROPERTY_ISOLATION_CONTROL		0x0005000D
#define HV_PARTITION_PROPERTY_ALLOCATION_ID		0x0005000E
#define HV_PARTITION_PROPERTY_MONITORING_ID		0x0005000F
#define HV_PARTITION_PROPERTY_IMPLEMENTED_PA_BITS	0x00050010
#define HV_PARTITION_PROPERTY_NON_ARCH_CORE_SHARING	0x00050011
#define HV_PARTITION_PROPERTY_HYPERCALL_DOORBELL_PAGE	0x00050012
#define HV_PARTITION_PROPERTY_ISOLATION_POLICY		0x00050014
#define HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION	0x00050017
#define HV_PARTITION_PROPERTY_SEV_VMGEXIT_OFFLOADS	0x00050022
#define HV_PARTITION_PROPERTY_DIAG_BUFFER_CONFIG	0x00050026
#define HV_PARTITION_PROPERTY_GICD_BASE_ADDRESS		0x00050028
#define HV_PARTITION_PROPERTY_PROCESSOR_VENDOR		0x00060000
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES_DEPRECATED	0x00060001
#define HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES	0x00060002
#define HV_PARTITION_PROPERTY_CL_FLUSH_SIZE		0x00060003
#define HV_PARTITION_PROPERTY_ENLIGHTENMENT_MODIFICATIONS	0x00060004
#define HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION	0x00060005
#define HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH	0x00060006
#define HV_PARTITION_PROPERTY_XSAVE_STATES		0x00060007
#define HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE	0x00060008
#define HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY	0x00060009
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0	0x0006000A
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1	0x0006000B
#define HV_PARTITION_PROPERTY_GUEST_OS_ID		0x00070000
#define HV_PARTITION_PROPERTY_VIRTUALIZATION_FEATURES	0x00080000
#define HV_PARTITION_PROPERTY_VMM_CAPABILITIES		0x00090007
#define HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC	0x00090009

/* Architecture-independent register names. */
#define HV_REGISTER_EXPLICIT_SUSPEND		0x00000000
#define HV_REGISTER_INTERCEPT_SUSPEND		0x00000001
#define HV_REGISTER_DISPATCH_SUSPEND		0x00000003
#define HV_REGISTER_INTERNAL_ACTIVITY_STATE	0x00000004
#define HV_REGISTER_PENDING_INTERRUPTION	0x00010002
#define HV_REGISTER_INTERRUPT_STATE		0x00010003
#define HV_REGISTER_PENDING_EVENT0		0x00010004
#define HV_REGISTER_PENDING_EVENT1		0x00010005
#define HV_REGISTER_GUEST_OS_ID			0x00090002
#define HV_REGISTER_VP_INDEX			0x00090003
#define HV_REGISTER_REFERENCE_TSC		0x00090017
#define HV_REGISTER_SINT0			0x000A0000
#define HV_REGISTER_SCONTROL			0x000A0010
#define HV_REGISTER_SIEFP			0x000A0012
#define HV_REGISTER_SIMP			0x000A0013
#define HV_REGISTER_EOM				0x000A0014
#define HV_REGISTER_STIMER0_CONFIG		0x000B0000
#define HV_REGISTER_STIMER0_COUNT		0x000B0001

/* x64 register names. */
#define HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS	0x00010006
#define HV_X64_REGISTER_RAX			0x00020000
#define HV_X64_REGISTER_RCX			0x00020001
#define HV_X64_REGISTER_RDX			0x00020002
#define HV_X64_REGISTER_RBX			0x00020003
#define HV_X64_REGISTER_RSP			0x00020004
#define HV_X64_REGISTER_RIP			0x00020010
#define HV_X64_REGISTER_RFLAGS			0x00020011
#define HV_X64_REGISTER_XMM0			0x00030000
#define HV_X64_REGISTER_FP_MMX0			0x00030010
#define HV_X64_REGISTER_FP_CONTROL_STATUS	0x00030018
#define HV_X64_REGISTER_XMM_CONTROL_STATUS	0x00030019
#define HV_X64_REGISTER_CR0			0x00040000
#define HV_X64_REGISTER_CR2			0x00040001
#define HV_X64_REGISTER_CR3			0x00040002
#define HV_X64_REGISTER_CR4			0x00040003
#define HV_X64_REGISTER_CR8			0x00040004
#define HV_X64_REGISTER_XFEM			0x00040005
#define HV_X64_REGISTER_INTERMEDIATE_CR0	0x00041000
#define HV_X64_REGISTER_INTERMEDIATE_CR4	0x00041003
#define HV_X64_REGISTER_INTERMEDIATE_CR8	0x00041004
#define HV_X64_REGISTER_DR0			0x00050000
#define HV_X64_REGISTER_DR6			0x00050004
#define HV_X64_REGISTER_DR7			0x00050005
#define HV_X64_REGISTER_ES			0x00060000
#define HV_X64_REGISTER_CS			0x00060001
#define HV_X64_REGISTER_SS			0x00060002
#define HV_X64_REGISTER_DS			0x00060003
#define HV_X64_REGISTER_FS			0x00060004
#define HV_X64_REGISTER_GS			0x00060005
#define HV_X64_REGISTER_LDTR			0x00060006
#define HV_X64_REGISTER_TR			0x00060007
#define HV_X64_REGISTER_IDTR			0x00070000
#define HV_X64_REGISTER_GDTR			0x00070001
#define HV_X64_REGISTER_TSC			0x00080000
#define HV_X64_REGISTER_EFER			0x00080001
#define HV_X64_REGISTER_KERNEL_GS_BASE		0x00080002
#define HV_X64_REGISTER_APIC_BASE		0x00080003
#define HV_X64_REGISTER_PAT			0x00080004
#define HV_X64_REGISTER_SYSENTER_CS		0x00080005
#define HV_X64_REGISTER_SYSENTER_EIP		0x00080006
#define HV_X64_REGISTER_SYSENTER_ESP		0x00080007
#define HV_X64_REGISTER_STAR			0x00080008
#define HV_X64_REGISTER_LSTAR			0x00080009
#define HV_X64_REGISTER_CSTAR			0x0008000A
#define HV_X64_REGISTER_SFMASK			0x0008000B
#define HV_X64_REGISTER_MSR_MTRR_CAP		0x0008000D
#define HV_X64_REGISTER_MSR_MTRR_DEF_TYPE	0x0008000E
#define HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0	0x00080010
#define HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0	0x00080040
#define HV_X64_REGISTER_MSR_MTRR_FIX64K00000	0x00080070
#define HV_X64_REGISTER_TSC_AUX			0x0008007B
#define HV_X64_REGISTER_DEBUG_CTL		0x0008007D
#define HV_X64_REGISTER_SPEC_CTRL		0x00080084
#define HV_X64_REGISTER_U_XSS			0x0008008B
#define HV_X64_REGISTER_U_CET			0x0008008C
#define HV_X64_REGISTER_S_CET			0x0008008D
#define HV_X64_REGISTER_SSP			0x0008008E
#define HV_X64_REGISTER_PL0_SSP			0x0008008F
#define HV_X64_REGISTER_INTERRUPT_SSP_TABLE_ADDR	0x00080093
#define HV_X64_REGISTER_TSC_ADJUST		0x00080096
#define HV_X64_REGISTER_HYPERCALL		0x00090001

/* Dirty bits of the VP register page (struct hv_vp_register_page). */
#define HV_X64_REGISTER_CLASS_GENERAL		0x1
#define HV_X64_REGISTER_CLASS_IP		0x2

/* Message types. */
#define HVMSG_UNMAPPED_GPA			0x80000000
#define HVMSG_UNRECOVERABLE_EXCEPTION		0x80000021
#define HVMSG_UNSUPPORTED_FEATURE		0x80000022
#define HVMSG_X64_IO_PORT_INTERCEPT		0x80010000
#define HVMSG_X64_MSR_INTERCEPT			0x80010001
#define HVMSG_X64_CPUID_INTERCEPT		0x80010002
#define HVMSG_X64_HALT				0x80010007

/* Intercept types and access kinds (HvInstallIntercept, intercept messages). */
#define HV_INTERCEPT_TYPE_X64_CPUID		0x00000002
#define HV_INTERCEPT_TYPE_X64_MSR_INDEX		0x0000000C
#define HV_INTERCEPT_ACCESS_READ		0
#define HV_INTERCEPT_ACCESS_WRITE		1
#define HV_INTERCEPT_ACCESS_MASK_READ		1
#define HV_INTERCEPT_ACCESS_MASK_WRITE		2
#define HV_INTERCEPT_ACCESS_MASK_EXECUTE	4

/* Interrupt types and flags (HvAssertVirtualInterrupt, HvSetVpRegisters). */
#define HV_X64_INTERRUPT_TYPE_NMI		4
#define HV_X64_INTERRUPT_TYPE_INIT		5
#define HV_X64_INTERRUPT_TYPE_SIPI		6
#define HV_INTERRUPT_TYPE_FIXED			0
#define HV_INTERRUPT_LEVEL_TRIGGERED		0x1

/* HvTranslateVirtualAddress control flags and result codes. */
#define HV_TRANSLATE_GVA_VALIDATE_READ		0x0001
#define HV_TRANSLATE_GVA_VALIDATE_WRITE		0x0002
#define HV_TRANSLATE_GVA_SUCCESS		0
#define HV_TRANSLATE_GVA_PAGE_NOT_PRESENT	1
#define HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION	2
#define HV_TRANSLATE_GVA_GPA_UNMAPPED		4

/* HvGetVpCpuidValues and HvRegisterInterceptResult. */
#define HV_ANY_VP				0xffffffffU
#define HV_GET_VP_CPUID_VALUES_USE_VP_XFEM_XSS	0x1
#define HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED	0x2
/*
 * Input bytes of HvRegisterInterceptResult for CPUID: 60 (a C struct of it
 * is padded to 64).
 */
#define HV_CPUID_RESULT_IN_SIZE			60

/* Partition property values. */
#define HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO	1ULL
#define HV_X64_PROC_FEATURE0_PAGE_1GB		0x8000ULL	/* bit 15 */
/* VMM capabilities bank 0 bit 4: ASSIGNABLE_SYNTHETIC is there. */
#define HV_VMM_CAP_ASSIGNABLE_SYNTHETIC		0x10ULL

/* Guest pages of 4 KiB in one large (2 MiB) page, and PFNs per map call. */
#define HV_PAGES_PER_LARGE_PAGE			512
#define HV_MAP_GPA_MAX_PAGES			509

/* HV_PARTITION_ID_SELF: the caller's own partition. */
#define HV_PARTITION_ID_SELF			(~0ULL)

/**
 * struct hv_register_page - the start of the VP register page (version 1)
 *	that MSHV_VP_MMAP_OFFSET_REGISTERS maps
 * @version: layout version
 * @isvalid: the hypervisor filled the page at the last intercept
 * @rsvdz: zero
 * @dirty: HV_X64_REGISTER_CLASS_* of the registers the VMM changed
 * @gprs: RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8 to R15
 * @rip: the instruction pointer
 * @rflags: the flags
 */
struct hv_register_page {
	__u16 version;
	__u8 isvalid;
	__u8 rsvdz;
	__u32 dirty;
	__u64 gprs[16];
	__u64 rip;
	__u64 rflags;
};

static_assert(offsetof(struct hv_register_page, rip) == 136, "rip");

/*
 * Hypercall inputs and outputs, and the intercept messages. The layouts
 * need no packing: every field is naturally aligned.
 */

/**
 * struct hv_segment - a segment register (HV_X64_SEGMENT_REGISTER)
 * @base: the base address
 * @limit: the limit
 * @selector: the selector
 * @attributes: the descriptor attributes (type, S, DPL, P, AVL, L, D/B, G)
 */
struct hv_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u16 attributes;
};

/**
 * struct hv_vp_regs_in - HvGetVpRegisters/HvSetVpRegisters input header
 * @partition_id: overwritten by the kernel with the target partition
 * @vp_index: the VP
 * @input_vtl: the VTL, zero
 * @rsvd8: zero
 * @rsvd16: zero
 *
 * The register names (get) or name/value pairs (set) follow it.
 */
struct hv_vp_regs_in {
	__u64 partition_id;
	__u32 vp_index;
	__u8 input_vtl;
	__u8 rsvd8;
	__u16 rsvd16;
};

/**
 * struct hv_get_property_ex_in - HvGetPartitionPropertyEx input
 * @partition_id: overwritten by the kernel with the target partition
 * @property_code: HV_PARTITION_PROPERTY_* code
 * @padding: zero
 * @arg: the property's argument (zero for most)
 */
struct hv_get_property_ex_in {
	__u64 partition_id;
	__u32 property_code;
	__u32 padding;
	__u64 arg;
};

/**
 * struct hv_install_intercept_in - HvInstallIntercept input
 * @partition_id: overwritten by the kernel with the target partition
 * @access_type_mask: HV_INTERCEPT_ACCESS_MASK_*
 * @intercept_type: HV_INTERCEPT_TYPE_*
 * @intercept_parameter: the type's parameter (an MSR index, a port)
 */
struct hv_install_intercept_in {
	__u64 partition_id;
	__u32 access_type_mask;
	__u32 intercept_type;
	__u64 intercept_parameter;
};

/**
 * struct hv_assert_irq_in - HvAssertVirtualInterrupt input
 * @partition_id: overwritten by the kernel with the target partition
 * @interrupt_type: HV_INTERRUPT_TYPE_FIXED or HV_X64_INTERRUPT_TYPE_*
 * @control_flags: HV_INTERRUPT_LEVEL_TRIGGERED; bit 1: logical destination
 * @dest_addr: the destination APIC id
 * @vector: the vector
 * @target_vtl: the VTL, zero
 * @rsvd_z0: zero
 * @rsvd_z1: zero
 */
struct hv_assert_irq_in {
	__u64 partition_id;
	__u32 interrupt_type;
	__u32 control_flags;
	__u64 dest_addr;
	__u32 vector;
	__u8 target_vtl;
	__u8 rsvd_z0;
	__u16 rsvd_z1;
};

/**
 * struct hv_translate_in - HvTranslateVirtualAddress input
 * @partition_id: overwritten by the kernel with the target partition
 * @vp_index: the VP whose paging translates
 * @padding: zero
 * @control_flags: HV_TRANSLATE_GVA_VALIDATE_*
 * @gva_page: the guest virtual page number
 */
struct hv_translate_in {
	__u64 partition_id;
	__u32 vp_index;
	__u32 padding;
	__u64 control_flags;
	__u64 gva_page;
};

/**
 * struct hv_translate_out - HvTranslateVirtualAddress output
 * @result_code: HV_TRANSLATE_GVA_*
 * @cache_type_overlay: the cache type and the overlay-page bit
 * @gpa_page: the guest physical page number
 */
struct hv_translate_out {
	__u32 result_code;
	__u32 cache_type_overlay;
	__u64 gpa_page;
};

/**
 * struct hv_signal_event_in - HvSignalEventDirect input
 * @partition_id: overwritten by the kernel with the target partition
 * @vp_index: the target VP
 * @vtl: the VTL, zero
 * @sint: the synthetic interrupt source
 * @flag: the event flag number
 */
struct hv_signal_event_in {
	__u64 partition_id;
	__u32 vp_index;
	__u8 vtl;
	__u8 sint;
	__u16 flag;
};

/**
 * struct hv_post_message_in - HvPostMessageDirect input
 * @partition_id: overwritten by the kernel with the target partition
 * @vp_index: the target VP
 * @vtl: the VTL, zero
 * @padding: zero
 * @sint: the synthetic interrupt source
 * @message: the message (a struct hv_msg), at offset 20
 * @padding2: zero
 */
struct hv_post_message_in {
	__u64 partition_id;
	__u32 vp_index;
	__u8 vtl;
	__u8 padding[3];
	__u32 sint;
	__u8 message[256];
	__u32 padding2;
};

static_assert(sizeof(struct hv_post_message_in) == 280, "post message");

/**
 * struct hv_msg_header - the SynIC message header
 * @message_type: HVMSG_*
 * @payload_size: bytes of the payload
 * @flags: bit 0: a message is pending behind this one
 * @reserved: zero
 * @sender: the sending port or partition
 */
struct hv_msg_header {
	__u32 message_type;
	__u8 payload_size;
	__u8 flags;
	__u8 reserved[2];
	__u64 sender;
};

/**
 * struct hv_icpt_header - the header every x64 intercept message starts with
 * @vp_index: the VP that stopped
 * @instruction_length: bits 3:0 the length of the instruction; 7:4 CR8
 * @access_type: HV_INTERCEPT_ACCESS_*
 * @execution_state: CPL, CR0.PE, EFER.LMA and more, at the intercept
 * @cs: the code segment
 * @rip: the instruction pointer
 * @rflags: the flags
 */
struct hv_icpt_header {
	__u32 vp_index;
	__u8 instruction_length;
	__u8 access_type;
	__u16 execution_state;
	struct hv_segment cs;
	__u64 rip;
	__u64 rflags;
};

/**
 * struct hv_msg - a SynIC message, as MSHV_RUN_VP returns an intercept
 * @header: the message header
 * @icpt: the intercept header of every intercept message
 * @io: HVMSG_X64_IO_PORT_INTERCEPT: @port, @access_info (bits 2:0 the
 *	size, 3 string, 4 rep), @rax and the instruction's bytes, and for
 *	string I/O the segments and RCX, RSI, RDI
 * @mem: HVMSG_UNMAPPED_GPA and the other memory intercepts: the
 *	addresses and the instruction's bytes
 * @msr: HVMSG_X64_MSR_INTERCEPT: the MSR and EDX:EAX written
 * @cpuid: HVMSG_X64_CPUID_INTERCEPT: the guest's RAX, RCX, RDX, RBX and
 *	the results the hypervisor would return
 * @payload: the raw payload
 */
struct hv_msg {
	struct hv_msg_header header;
	union {
		struct hv_icpt_header icpt;
		struct {
			struct hv_icpt_header h;
			__u16 port;
			__u8 access_info;
			__u8 insn_byte_count;
			__u32 reserved;
			__u64 rax;
			__u8 insn_bytes[16];
			struct hv_segment ds, es;
			__u64 rcx, rsi, rdi;
		} io;
		struct {
			struct hv_icpt_header h;
			__u32 cache_type;
			__u8 insn_byte_count;
			__u8 access_info;
			__u8 tpr;
			__u8 reserved;
			__u64 gva;
			__u64 gpa;
			__u8 insn_bytes[16];
		} mem;
		struct {
			struct hv_icpt_header h;
			__u32 msr;
			__u32 reserved;
			__u64 rdx;
			__u64 rax;
		} msr;
		struct {
			struct hv_icpt_header h;
			__u64 rax, rcx, rdx, rbx;
			__u64 def_rax, def_rcx, def_rdx, def_rbx;
		} cpuid;
		__u8 payload[240];
	};
};

static_assert(sizeof(struct hv_msg) == 256, "hv_message is 256 bytes");
static_assert(offsetof(struct hv_msg, io.rax) == 16 + 48, "rax");
static_assert(offsetof(struct hv_msg, io.rcx) == 16 + 104, "rcx");
static_assert(offsetof(struct hv_msg, mem.gpa) == 16 + 56, "gpa");
static_assert(offsetof(struct hv_msg, mem.insn_bytes) == 16 + 64, "bytes");
static_assert(offsetof(struct hv_msg, cpuid.def_rbx) == 16 + 96, "cpuid");

#endif /* SELFTEST_MSHV_HV_TLFS_H */
