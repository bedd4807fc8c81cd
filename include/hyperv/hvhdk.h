/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hyper-V hypervisor interface definitions used by a root partition to
 * manage child partitions (the "host" side of the TLFS). The guest-side
 * definitions live in <asm-generic/hyperv-tlfs.h>; this header only adds
 * what that file lacks. Layouts follow the Hypervisor Top Level Functional
 * Specification exactly: every structure here is read or written by the
 * hypervisor, so their sizes are asserted at the end of this file.
 */
#ifndef _HYPERV_HVHDK_H
#define _HYPERV_HVHDK_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <asm/hyperv-tlfs.h>

/* Hypercall codes not defined by <asm-generic/hyperv-tlfs.h>. */
#define HVCALL_CREATE_PARTITION			0x0040
#define HVCALL_INITIALIZE_PARTITION		0x0041
#define HVCALL_FINALIZE_PARTITION		0x0042
#define HVCALL_DELETE_PARTITION			0x0043
#define HVCALL_GET_PARTITION_PROPERTY		0x0044
#define HVCALL_SET_PARTITION_PROPERTY		0x0045
#define HVCALL_WITHDRAW_MEMORY			0x0049
#define HVCALL_MAP_GPA_PAGES			0x004B
#define HVCALL_UNMAP_GPA_PAGES			0x004C
#define HVCALL_GET_GPA_PAGES_ACCESS_STATES	0x00C9
#define HVCALL_GET_PARTITION_PROPERTY_EX	0x0101

/* Hypercall status codes not defined by <asm-generic/hyperv-tlfs.h>. */
#define HV_STATUS_INVALID_PARTITION_STATE	0x0007
#define HV_STATUS_UNKNOWN_PROPERTY		0x0009
#define HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE	0x000A
#define HV_STATUS_INVALID_PARTITION_ID		0x000D
#define HV_STATUS_INVALID_VP_INDEX		0x000E
#define HV_STATUS_NOT_FOUND			0x0010
#define HV_STATUS_INVALID_VP_STATE		0x0015
#define HV_STATUS_NO_RESOURCES			0x001D
#define HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED 0x0020
#define HV_STATUS_INVALID_LP_INDEX		0x0041
#define HV_STATUS_INVALID_REGISTER_VALUE	0x0050
#define HV_STATUS_NOT_ACKNOWLEDGED		0x0014
#define HV_STATUS_OPERATION_FAILED		0x0071
#define HV_STATUS_INSUFFICIENT_ROOT_MEMORY	0x0073
#define HV_STATUS_INSUFFICIENT_CONTIGUOUS_MEMORY 0x0075
#define HV_STATUS_INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY 0x0083
#define HV_STATUS_CALL_PENDING			0x0079

/* Partition creation flags (HvCreatePartition input "flags"). */
#define HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST		BIT_ULL(0)
#define HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE BIT_ULL(1)
#define HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED	BIT_ULL(4)
#define HV_PARTITION_CREATION_FLAG_EXO_PARTITION		BIT_ULL(8)
#define HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED		BIT_ULL(13)
#define HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED BIT_ULL(19)
#define HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE		BIT_ULL(22)

/* Compatibility version passed to HvCreatePartition (Windows 21H2). */
#define HV_COMPATIBILITY_21_H2			0x0609

#define HV_PARTITION_PROCESSOR_FEATURES_BANKS	2

/* Isolation types carried in hv_partition_isolation_properties. */
#define HV_PARTITION_ISOLATION_TYPE_NONE	0
#define HV_PARTITION_ISOLATION_TYPE_VBS		1
#define HV_PARTITION_ISOLATION_TYPE_SNP		2
#define HV_PARTITION_ISOLATION_TYPE_TDX		3
#define HV_PARTITION_ISOLATION_TYPE_MASK	GENMASK_ULL(4, 0)
#define HV_PARTITION_ISOLATION_HOST_TYPE_MASK	GENMASK_ULL(6, 5)

/* Partition property codes (HvGet/SetPartitionProperty). */
#define HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS		0x00010000
#define HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES	0x00010001
#define HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING	0x00050005
#define HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION	0x00050017
#define HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES	0x00060002
#define HV_PARTITION_PROPERTY_XSAVE_STATES		0x00060007
#define HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE	0x00060008
#define HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY	0x00060009
/* Read with HvGetPartitionPropertyEx, for the root itself. */
#define HV_PARTITION_PROPERTY_VMM_CAPABILITIES		0x00090007
/*
 * Also HvGetPartitionPropertyEx on the root, when the VMM capabilities
 * announce it (HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES): the
 * HV_SYNTHETIC_PROC_FEATURE_* bits the hypervisor can give a child, a u64.
 */
#define HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES 0x00090009

/*
 * The other x64 partition property codes (hv_partition_property_code of
 * the TLFS; the ones above are not repeated).
 */
#define HV_PARTITION_PROPERTY_SUSPEND			0x00020000
#define HV_PARTITION_PROPERTY_CPU_RESERVE		0x00020001
#define HV_PARTITION_PROPERTY_CPU_CAP			0x00020002
#define HV_PARTITION_PROPERTY_CPU_WEIGHT		0x00020003
#define HV_PARTITION_PROPERTY_CPU_GROUP_ID		0x00020004
#define HV_PARTITION_PROPERTY_INTEGRATED_SCHEDULER_ENABLED 0x00020005
#define HV_PARTITION_PROPERTY_TIME_FREEZE		0x00030003
#define HV_PARTITION_PROPERTY_REFERENCE_TIME		0x00030005
#define HV_PARTITION_PROPERTY_DEBUG_CHANNEL_ID		0x00040000
#define HV_PARTITION_PROPERTY_VIRTUAL_TLB_PAGE_COUNT	0x00050000
#define HV_PARTITION_PROPERTY_VSM_CONFIG		0x00050001
#define HV_PARTITION_PROPERTY_ZERO_MEMORY_ON_RESET	0x00050002
#define HV_PARTITION_PROPERTY_PROCESSORS_PER_SOCKET	0x00050003
#define HV_PARTITION_PROPERTY_NESTED_TLB_SIZE		0x00050004
#define HV_PARTITION_PROPERTY_VSM_PERMISSIONS_DIRTY_SINCE_LAST_QUERY 0x00050006
#define HV_PARTITION_PROPERTY_SGX_LAUNCH_CONTROL_CONFIG	0x00050007
#define HV_PARTITION_PROPERTY_DEFAULT_SGX_LAUNCH_CONTROL0 0x00050008
#define HV_PARTITION_PROPERTY_DEFAULT_SGX_LAUNCH_CONTROL3 0x0005000B
#define HV_PARTITION_PROPERTY_ISOLATION_STATE		0x0005000C
#define HV_PARTITION_PROPERTY_ISOLATION_CONTROL		0x0005000D
#define HV_PARTITION_PROPERTY_ALLOCATION_ID		0x0005000E
#define HV_PARTITION_PROPERTY_MONITORING_ID		0x0005000F
#define HV_PARTITION_PROPERTY_IMPLEMENTED_PHYSICAL_ADDRESS_BITS 0x00050010
#define HV_PARTITION_PROPERTY_NON_ARCHITECTURAL_CORE_SHARING 0x00050011
#define HV_PARTITION_PROPERTY_HYPERCALL_DOORBELL_PAGE	0x00050012
#define HV_PARTITION_PROPERTY_ISOLATION_POLICY		0x00050014
#define HV_PARTITION_PROPERTY_SEV_VMGEXIT_OFFLOADS	0x00050022
#define HV_PARTITION_PROPERTY_PARTITION_DIAG_BUFFER_CONFIG 0x00050026
#define HV_PARTITION_PROPERTY_GICD_BASE_ADDRESS		0x00050028
#define HV_PARTITION_PROPERTY_GITS_TRANSLATER_BASE_ADDRESS 0x00050029
#define HV_PARTITION_PROPERTY_PROCESSOR_VENDOR		0x00060000
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES_DEPRECATED 0x00060001
#define HV_PARTITION_PROPERTY_PROCESSOR_CL_FLUSH_SIZE	0x00060003
#define HV_PARTITION_PROPERTY_ENLIGHTENMENT_MODIFICATIONS 0x00060004
#define HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION	0x00060005
#define HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH	0x00060006
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0	0x0006000A
#define HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1	0x0006000B
#define HV_PARTITION_PROPERTY_GUEST_OS_ID		0x00070000
#define HV_PARTITION_PROPERTY_PROCESSOR_VIRTUALIZATION_FEATURES 0x00080000

/* Values of HV_PARTITION_PROPERTY_PROCESSOR_VENDOR. */
#define HV_PROCESSOR_VENDOR_AMD				0x0000
#define HV_PROCESSOR_VENDOR_INTEL			0x0001
#define HV_PROCESSOR_VENDOR_HYGON			0x0002

/* Values of HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION. */
#define HV_UNIMPLEMENTED_MSR_ACTION_FAULT		0
#define HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO 1

/*
 * Bits of the processor feature banks (HV_PARTITION_PROPERTY_PROCESSOR_
 * FEATURES0 and 1, and the features disabled at creation), by bank.
 */
#define HV_X64_PROC_FEATURE0_SSE3			BIT_ULL(0)
#define HV_X64_PROC_FEATURE0_LAHF_SAHF			BIT_ULL(1)
#define HV_X64_PROC_FEATURE0_POPCNT			BIT_ULL(7)
#define HV_X64_PROC_FEATURE0_CMPXCHG16B			BIT_ULL(8)
#define HV_X64_PROC_FEATURE0_PAGE_1GB			BIT_ULL(15)
#define HV_X64_PROC_FEATURE0_SMEP			BIT_ULL(23)
#define HV_X64_PROC_FEATURE0_SMAP			BIT_ULL(35)
#define HV_X64_PROC_FEATURE0_RESERVED			BIT_ULL(63)
#define HV_X64_PROC_FEATURE1_TSC_INVARIANT		BIT_ULL(1)
#define HV_X64_PROC_FEATURE1_LA57			BIT_ULL(4)

/* Bits of HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES. */
#define HV_X64_XSAVE_FEATURE_XSAVE			BIT_ULL(0)
#define HV_X64_XSAVE_FEATURE_XSAVEOPT			BIT_ULL(1)
#define HV_X64_XSAVE_FEATURE_AVX			BIT_ULL(2)

/* Bits of HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES (bank 0). */
#define HV_SYNTHETIC_PROC_FEATURE_HYPERVISOR_PRESENT	BIT_ULL(0)
#define HV_SYNTHETIC_PROC_FEATURE_HV1			BIT_ULL(1)
#define HV_SYNTHETIC_PROC_FEATURE_ACCESS_VP_RUN_TIME_REG	BIT_ULL(2)
#define HV_SYNTHETIC_PROC_FEATURE_ACCESS_PARTITION_REFERENCE_COUNTER BIT_ULL(3)
#define HV_SYNTHETIC_PROC_FEATURE_ACCESS_SYNIC_REGS	BIT_ULL(4)
#define HV_SYNTHETIC_PROC_FEATURE_ACCESS_SYNTHETIC_TIMER_REGS BIT_ULL(5)
#define HV_SYNTHETIC_PROC_FEATURE_ACCESS_INTR_CTRL_REGS	BIT_ULL(6)
#define HV_SYNTHETIC_PROC_FEATURE_ACCESS_HYPERCALL_REGS	BIT_ULL(7)
#define HV_SYNTHETIC_PROC_FEATURE_ACCESS_VP_INDEX	BIT_ULL(8)
#define HV_SYNTHETIC_PROC_FEATURE_ACCESS_PARTITION_REFERENCE_TSC BIT_ULL(9)
#define HV_SYNTHETIC_PROC_FEATURE_ACCESS_GUEST_IDLE_REG	BIT_ULL(10)
#define HV_SYNTHETIC_PROC_FEATURE_ACCESS_FREQUENCY_REGS	BIT_ULL(11)
#define HV_SYNTHETIC_PROC_FEATURE_DIRECT_SYNTHETIC_TIMERS BIT_ULL(22)
#define HV_SYNTHETIC_PROC_FEATURE_TB_FLUSH_HYPERCALLS	BIT_ULL(25)
#define HV_SYNTHETIC_PROC_FEATURE_SYNTHETIC_CLUSTER_IPI	BIT_ULL(26)
#define HV_SYNTHETIC_PROC_FEATURE_ACCESS_VP_REGS	BIT_ULL(38)
/*
 * Bits 2 to 11 (the access_* features) grant the partition privileges of
 * the same names, bits 0 to 11 of the privilege mask the guest reads in
 * CPUID leaf 0x40000003 EAX, two places lower for bits 2 to 8.
 */
#define HV_SYNTHETIC_PROC_FEATURES_PRIVILEGES_LOW	GENMASK_ULL(8, 2)
#define HV_SYNTHETIC_PROC_FEATURES_PRIVILEGES_HIGH	GENMASK_ULL(11, 9)
/* Bits 54 to 63 are reserved. */
#define HV_SYNTHETIC_PROC_FEATURES_RESERVED		GENMASK_ULL(63, 54)

/* Bits of bank 0 of struct hv_partition_property_vmm_capabilities. */
#define HV_VMM_CAP_MAP_GPA_PRESERVE_ADJUSTABLE		BIT_ULL(0)
#define HV_VMM_CAP_PROVIDE_OVERLAY_GPFN			BIT_ULL(1)
#define HV_VMM_CAP_VP_AFFINITY_PROPERTY			BIT_ULL(2)
#define HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES	BIT_ULL(4)
#define HV_VMM_CAP_INTEGRATED_SCHEDULER			BIT_ULL(6)

/**
 * struct hv_partition_creation_properties - features hidden from a child
 * @disabled_processor_features: processor feature banks to disable
 * @disabled_processor_xsave_features: xsave features to disable
 */
struct hv_partition_creation_properties {
	u64 disabled_processor_features[HV_PARTITION_PROCESSOR_FEATURES_BANKS];
	u64 disabled_processor_xsave_features;
} __packed;

/**
 * struct hv_input_create_partition - HvCreatePartition input (56 bytes)
 * @flags: HV_PARTITION_CREATION_FLAG_* bits
 * @proximity_domain_info: NUMA placement hint
 * @compatibility_version: interface version the parent was written for
 * @padding: reserved, zero
 * @partition_creation_properties: features disabled for the child
 * @isolation_properties: isolation type, host type and shared GPA boundary
 */
struct hv_input_create_partition {
	u64 flags;
	struct hv_proximity_domain_info proximity_domain_info;
	u32 compatibility_version;
	u32 padding;
	struct hv_partition_creation_properties partition_creation_properties;
	u64 isolation_properties;
} __packed;

/**
 * struct hv_output_create_partition - HvCreatePartition output
 * @partition_id: identifier of the new partition
 */
struct hv_output_create_partition {
	u64 partition_id;
} __packed;

/**
 * struct hv_input_get_partition_property - HvGetPartitionProperty input
 * @partition_id: partition to query
 * @property_code: HV_PARTITION_PROPERTY_* code
 * @padding: reserved, zero
 */
struct hv_input_get_partition_property {
	u64 partition_id;
	u32 property_code;
	u32 padding;
} __packed;

/**
 * struct hv_output_get_partition_property - HvGetPartitionProperty output
 * @property_value: current value of the property
 */
struct hv_output_get_partition_property {
	u64 property_value;
} __packed;

/**
 * struct hv_input_get_partition_property_ex - HvGetPartitionPropertyEx
 *	input
 * @partition_id: the partition, or HV_PARTITION_ID_SELF
 * @property_code: HV_PARTITION_PROPERTY_* code
 * @padding: reserved, zero
 * @arg: argument of properties that take one (a VP index...); else zero
 */
struct hv_input_get_partition_property_ex {
	u64 partition_id;
	u32 property_code;
	u32 padding;
	u64 arg;
} __packed;

/**
 * struct hv_partition_property_vmm_capabilities - the
 *	HV_PARTITION_PROPERTY_VMM_CAPABILITIES value, the start of the
 *	HvGetPartitionPropertyEx output
 * @bank_count: number of 64-bit banks of capability bits that follow
 * @reserved: reserved
 * @bank0: the first bank: HV_VMM_CAP_* bits
 */
struct hv_partition_property_vmm_capabilities {
	u16 bank_count;
	u16 reserved[3];
	u64 bank0;
} __packed;

/**
 * struct hv_input_set_partition_property - HvSetPartitionProperty input
 * @partition_id: partition to change
 * @property_code: HV_PARTITION_PROPERTY_* code
 * @padding: reserved, zero
 * @property_value: new value
 */
struct hv_input_set_partition_property {
	u64 partition_id;
	u32 property_code;
	u32 padding;
	u64 property_value;
} __packed;

/**
 * struct hv_input_withdraw_memory - HvWithdrawMemory input
 * @partition_id: partition whose pool is drained
 * @proximity_domain_info: preferred NUMA node of the returned pages
 *
 * The output page is an array of u64 PFNs; the rep count is the capacity.
 */
struct hv_input_withdraw_memory {
	u64 partition_id;
	struct hv_proximity_domain_info proximity_domain_info;
} __packed;

/* Access granted by a GPA mapping (HvMapGpaPages "map_flags"). */
#define HV_MAP_GPA_READABLE		BIT(0)
#define HV_MAP_GPA_WRITABLE		BIT(1)
#define HV_MAP_GPA_KERNEL_EXECUTABLE	BIT(2)
#define HV_MAP_GPA_USER_EXECUTABLE	BIT(3)
#define HV_MAP_GPA_EXECUTABLE		(HV_MAP_GPA_KERNEL_EXECUTABLE | \
					 HV_MAP_GPA_USER_EXECUTABLE)
#define HV_MAP_GPA_ADJUSTABLE		BIT(15)
#define HV_MAP_GPA_NO_ACCESS		BIT(16)
#define HV_MAP_GPA_NOT_CACHED		BIT(21)
/* Each PFN in the list is the first of 512 contiguous ones (2 MiB). */
#define HV_MAP_GPA_LARGE_PAGE		BIT(31)

/* HvUnmapGpaPages "unmap_flags". */
#define HV_UNMAP_GPA_LARGE_PAGE		BIT(1)

/* Pages of 4 KiB in one large (2 MiB) GPA page. */
#define HV_PAGES_PER_LARGE_PAGE		512

/**
 * struct hv_input_map_gpa_pages - HvMapGpaPages input (rep hypercall)
 * @target_partition_id: partition whose GPA space is changed
 * @target_gpa_base: first guest page frame mapped; with
 *	HV_MAP_GPA_LARGE_PAGE a multiple of 512
 * @map_flags: HV_MAP_GPA_* access and page-size flags
 * @padding: reserved, zero
 * @source_gpa_page_list: one rep each: the root's page frame that backs
 *	target_gpa_base + rep (times 512 with HV_MAP_GPA_LARGE_PAGE)
 */
struct hv_input_map_gpa_pages {
	u64 target_partition_id;
	u64 target_gpa_base;
	u32 map_flags;
	u32 padding;
	u64 source_gpa_page_list[];
} __packed;

/**
 * struct hv_input_unmap_gpa_pages - HvUnmapGpaPages input (rep hypercall)
 * @target_partition_id: partition whose GPA space is changed
 * @target_gpa_base: first guest page frame unmapped
 * @unmap_flags: HV_UNMAP_GPA_* flags; with HV_UNMAP_GPA_LARGE_PAGE each
 *	rep unmaps 512 pages
 * @padding: reserved, zero
 *
 * Each rep unmaps one page (or large page), target_gpa_base + rep.
 */
struct hv_input_unmap_gpa_pages {
	u64 target_partition_id;
	u64 target_gpa_base;
	u32 unmap_flags;
	u32 padding;
} __packed;

/* Bits of hv_input_get_gpa_pages_access_states.flags. */
#define HV_GPA_ACCESS_STATE_CLEAR_ACCESSED	BIT_ULL(0)
#define HV_GPA_ACCESS_STATE_SET_ACCESSED	BIT_ULL(1)
#define HV_GPA_ACCESS_STATE_CLEAR_DIRTY		BIT_ULL(2)
#define HV_GPA_ACCESS_STATE_SET_DIRTY		BIT_ULL(3)

/* Bits of each output byte of HvGetGpaPagesAccessStates. */
#define HV_GPA_PAGE_ACCESSED		BIT(0)
#define HV_GPA_PAGE_DIRTY		BIT(1)

/**
 * struct hv_input_get_gpa_pages_access_states - input of the rep
 *	hypercall HvGetGpaPagesAccessStates
 * @partition_id: partition whose pages are queried
 * @flags: HV_GPA_ACCESS_STATE_* changes applied after each page's state
 *	is read
 * @hv_gpa_page_number: first guest page frame; rep i reports page
 *	hv_gpa_page_number + i in output byte i
 */
struct hv_input_get_gpa_pages_access_states {
	u64 partition_id;
	u64 flags;
	u64 hv_gpa_page_number;
} __packed;

/* Most reps of one rep hypercall: the control word's 12-bit rep count. */
#define HV_REP_COUNT_MAX		4095

/* Most pages one HvGetGpaPagesAccessStates call reports (a rep count). */
#define HV_GET_GPA_ACCESS_STATES_MAX	4095

/* ---- Virtual processors ------------------------------------------------ */

/*
 * Hypercall codes for virtual processors (HvCreateVp, HvGetVpRegisters and
 * HvSetVpRegisters are in <asm-generic/hyperv-tlfs.h>), and the other
 * codes MSHV_ROOT_HVCALL may pass through.
 */
#define HVCALL_INSTALL_INTERCEPT		0x004D
#define HVCALL_DELETE_VP			0x004F
#define HVCALL_TRANSLATE_VIRTUAL_ADDRESS	0x0052
#define HVCALL_CLEAR_VIRTUAL_INTERRUPT		0x0056
#define HVCALL_REGISTER_INTERCEPT_RESULT	0x0091
#define HVCALL_ASSERT_VIRTUAL_INTERRUPT		0x0094
#define HVCALL_SIGNAL_EVENT_DIRECT		0x00C0
#define HVCALL_POST_MESSAGE_DIRECT		0x00C1
#define HVCALL_DISPATCH_VP			0x00C2
#define HVCALL_GET_VP_CPUID_VALUES		0x00F4
#define HVCALL_MAP_VP_STATE_PAGE		0x00E1
#define HVCALL_UNMAP_VP_STATE_PAGE		0x00E2

/* Synthetic registers that control how a virtual processor runs. */
#define HV_REGISTER_EXPLICIT_SUSPEND		0x00000000
#define HV_REGISTER_INTERCEPT_SUSPEND		0x00000001
#define HV_REGISTER_DISPATCH_SUSPEND		0x00000003
#define HV_REGISTER_PENDING_INTERRUPTION	0x00010002
#define HV_REGISTER_INTERRUPT_STATE		0x00010003

/* x64 architectural registers, by their TLFS names. */
#define HV_X64_REGISTER_RAX		0x00020000	/* up to R15: +15 */
#define HV_X64_REGISTER_R15		0x0002000F
#define HV_X64_REGISTER_RIP		0x00020010
#define HV_X64_REGISTER_RFLAGS		0x00020011
#define HV_X64_REGISTER_CR0		0x00040000
#define HV_X64_REGISTER_CR2		0x00040001
#define HV_X64_REGISTER_CR3		0x00040002
#define HV_X64_REGISTER_CR4		0x00040003
#define HV_X64_REGISTER_CR8		0x00040004
#define HV_X64_REGISTER_ES		0x00060000	/* CS SS DS FS GS: +1..5 */
#define HV_X64_REGISTER_GS		0x00060005
#define HV_X64_REGISTER_LDTR		0x00060006
#define HV_X64_REGISTER_TR		0x00060007
#define HV_X64_REGISTER_IDTR		0x00070000
#define HV_X64_REGISTER_GDTR		0x00070001
#define HV_X64_REGISTER_TSC		0x00080000
#define HV_X64_REGISTER_EFER		0x00080001
#define HV_X64_REGISTER_APIC_BASE	0x00080003
#define HV_X64_REGISTER_PAT		0x00080004

/*
 * The rest of the x64 register file a parent reads and writes with
 * HvGetVpRegisters and HvSetVpRegisters: the VP's activity and event
 * registers, vector and floating-point state, debug registers, MSRs and
 * the Hyper-V synthetic MSRs. Where a name has a number, the next ones
 * follow it (XMM1 = XMM0 + 1, ..., SINTn = HV_REGISTER_SINT0 + n).
 */
#define HV_REGISTER_INTERNAL_ACTIVITY_STATE		0x00000004
#define HV_REGISTER_PENDING_EVENT0			0x00010004
#define HV_REGISTER_PENDING_EVENT1			0x00010005
#define HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS	0x00010006
#define HV_X64_REGISTER_XMM0				0x00030000
#define HV_X64_REGISTER_FP_MMX0				0x00030010
#define HV_X64_REGISTER_FP_CONTROL_STATUS		0x00030018
#define HV_X64_REGISTER_XMM_CONTROL_STATUS		0x00030019
#define HV_X64_REGISTER_XFEM				0x00040005
#define HV_X64_REGISTER_INTERMEDIATE_CR0		0x00041000
#define HV_X64_REGISTER_INTERMEDIATE_CR4		0x00041003
#define HV_X64_REGISTER_INTERMEDIATE_CR8		0x00041004
#define HV_X64_REGISTER_DR0				0x00050000
#define HV_X64_REGISTER_DR3				0x00050003
#define HV_X64_REGISTER_DR6				0x00050004
#define HV_X64_REGISTER_DR7				0x00050005
#define HV_X64_REGISTER_KERNEL_GS_BASE			0x00080002
#define HV_X64_REGISTER_SYSENTER_CS			0x00080005
#define HV_X64_REGISTER_SYSENTER_EIP			0x00080006
#define HV_X64_REGISTER_SYSENTER_ESP			0x00080007
#define HV_X64_REGISTER_STAR				0x00080008
#define HV_X64_REGISTER_LSTAR				0x00080009
#define HV_X64_REGISTER_CSTAR				0x0008000A
#define HV_X64_REGISTER_SFMASK				0x0008000B
#define HV_X64_REGISTER_MSR_MTRR_CAP			0x0008000D
#define HV_X64_REGISTER_MSR_MTRR_DEF_TYPE		0x0008000E
#define HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0		0x00080010
#define HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0		0x00080040
#define HV_X64_REGISTER_MSR_MTRR_FIX64K00000		0x00080070
#define HV_X64_REGISTER_MSR_MTRR_FIX4KF8000		0x0008007A
#define HV_X64_REGISTER_TSC_AUX				0x0008007B
#define HV_X64_REGISTER_DEBUG_CTL			0x0008007D
#define HV_X64_REGISTER_SPEC_CTRL			0x00080084
#define HV_X64_REGISTER_U_XSS				0x0008008B
#define HV_X64_REGISTER_U_CET				0x0008008C
#define HV_X64_REGISTER_S_CET				0x0008008D
#define HV_X64_REGISTER_SSP				0x0008008E
#define HV_X64_REGISTER_PL0_SSP				0x0008008F
#define HV_X64_REGISTER_INTERRUPT_SSP_TABLE_ADDR	0x00080093
#define HV_X64_REGISTER_TSC_ADJUST			0x00080096
#define HV_X64_REGISTER_HYPERCALL			0x00090001

/* HV_REGISTER_INTERNAL_ACTIVITY_STATE bits */
#define HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND	BIT_ULL(0)
#define HV_INTERNAL_ACTIVITY_HALT_SUSPEND	BIT_ULL(1)
#define HV_INTERNAL_ACTIVITY_IDLE_SUSPEND	BIT_ULL(2)

/* HV_REGISTER_INTERRUPT_STATE bits (x64) */
#define HV_X64_INTERRUPT_STATE_SHADOW		BIT_ULL(0)
#define HV_X64_INTERRUPT_STATE_NMI_MASKED	BIT_ULL(1)

/**
 * union hv_register_value - the 128-bit value of a virtual processor
 *	register
 * @reg128: the whole value, as two quadwords (low first)
 * @reg64: a 64-bit register
 * @reg32: a 32-bit register
 * @segment: a segment register
 * @table: a descriptor-table register (GDTR, IDTR)
 */
union hv_register_value {
	struct {
		u64 low;
		u64 high;
	} reg128;
	u64 reg64;
	u32 reg32;
	struct hv_x64_segment_register segment;
	struct hv_x64_table_register table;
} __packed;

/**
 * struct hv_register_assoc - a register name and its value
 * @name: HV_REGISTER_* or HV_X64_REGISTER_* name
 * @reserved1: reserved, zero
 * @reserved2: reserved, zero
 * @value: the value
 */
struct hv_register_assoc {
	u32 name;
	u32 reserved1;
	u64 reserved2;
	union hv_register_value value;
} __packed;

/**
 * struct hv_input_get_vp_registers - HvGetVpRegisters input (rep)
 * @partition_id: the partition
 * @vp_index: the virtual processor
 * @input_vtl: virtual trust level; 0 for the VP's own level
 * @rsvd_z8: reserved, zero
 * @rsvd_z16: reserved, zero
 * @names: one rep each: the register whose value is output rep i, as
 *	a union hv_register_value
 */
struct hv_input_get_vp_registers {
	u64 partition_id;
	u32 vp_index;
	u8 input_vtl;
	u8 rsvd_z8;
	u16 rsvd_z16;
	u32 names[];
} __packed;

/**
 * struct hv_input_set_vp_registers - HvSetVpRegisters input (rep)
 * @partition_id: the partition
 * @vp_index: the virtual processor
 * @input_vtl: virtual trust level; 0 for the VP's own level
 * @rsvd_z8: reserved, zero
 * @rsvd_z16: reserved, zero
 * @elements: one rep each: a register and its new value
 */
struct hv_input_set_vp_registers {
	u64 partition_id;
	u32 vp_index;
	u8 input_vtl;
	u8 rsvd_z8;
	u16 rsvd_z16;
	struct hv_register_assoc elements[];
} __packed;

/**
 * struct hv_input_create_vp - HvCreateVp input
 * @partition_id: the partition
 * @vp_index: index of the new virtual processor
 * @padding: reserved, zero
 * @subnode_type: NUMA subnode kind; 0 for none
 * @subnode_id: NUMA subnode; 0 for none
 * @proximity_domain_info: NUMA node of the VP's hypervisor memory
 * @flags: creation flags: 0 for a child's VP; for one of the root's own
 *	VPs, the index of the logical processor it belongs to
 */
struct hv_input_create_vp {
	u64 partition_id;
	u32 vp_index;
	u8 padding[3];
	u8 subnode_type;
	u64 subnode_id;
	struct hv_proximity_domain_info proximity_domain_info;
	u64 flags;
} __packed;

/**
 * struct hv_input_delete_vp - HvDeleteVp input
 * @partition_id: the partition
 * @vp_index: the virtual processor
 * @reserved: reserved, zero
 */
struct hv_input_delete_vp {
	u64 partition_id;
	u32 vp_index;
	u8 reserved[4];
} __packed;

/* Kinds of state page the hypervisor shares with the root, per VP. */
#define HV_VP_STATE_PAGE_REGISTERS		0
#define HV_VP_STATE_PAGE_INTERCEPT_MESSAGE	1
#define HV_VP_STATE_PAGE_GHCB			2
#define HV_VP_STATE_PAGE_COUNT			3

/* hv_input_map_vp_state_page.flags: the caller provides the page. */
#define HV_MAP_VP_STATE_PAGE_LOCATION_PROVIDED	BIT(0)

/**
 * struct hv_input_map_vp_state_page - HvMapVpStatePage input
 * @partition_id: the partition
 * @vp_index: the virtual processor
 * @type: HV_VP_STATE_PAGE_*
 * @input_vtl: virtual trust level; 0 for the VP's own level
 * @flags: HV_MAP_VP_STATE_PAGE_* flags
 * @requested_map_location: the page frame to use, with
 *	HV_MAP_VP_STATE_PAGE_LOCATION_PROVIDED
 */
struct hv_input_map_vp_state_page {
	u64 partition_id;
	u32 vp_index;
	u16 type;
	u8 input_vtl;
	u8 flags;
	u64 requested_map_location;
} __packed;

/**
 * struct hv_output_map_vp_state_page - HvMapVpStatePage output
 * @map_location: page frame of the state page in the root's memory
 */
struct hv_output_map_vp_state_page {
	u64 map_location;
} __packed;

/**
 * struct hv_input_unmap_vp_state_page - HvUnmapVpStatePage input
 * @partition_id: the partition
 * @vp_index: the virtual processor
 * @type: HV_VP_STATE_PAGE_*
 * @input_vtl: virtual trust level; 0 for the VP's own level
 * @reserved: reserved, zero
 */
struct hv_input_unmap_vp_state_page {
	u64 partition_id;
	u32 vp_index;
	u16 type;
	u8 input_vtl;
	u8 reserved;
} __packed;

/* hv_interrupt_control.flags bits (x64) */
#define HV_INTERRUPT_CONTROL_LEVEL_TRIGGERED	BIT(0)
#define HV_INTERRUPT_CONTROL_LOGICAL_DEST	BIT(1)

/**
 * struct hv_interrupt_control - how an asserted interrupt is delivered
 * @interrupt_type: enum hv_interrupt_type
 * @flags: HV_INTERRUPT_CONTROL_* bits; the others are reserved, zero
 */
struct hv_interrupt_control {
	u32 interrupt_type;
	u32 flags;
} __packed;

/**
 * struct hv_input_assert_virtual_interrupt - HvAssertVirtualInterrupt input
 * @partition_id: the target partition
 * @control: type, trigger mode and destination mode
 * @dest_addr: the destination APIC id (physical) or logical destination
 * @vector: the vector
 * @target_vtl: the target virtual trust level
 * @rsvd_z0: reserved, zero
 * @rsvd_z1: reserved, zero
 */
struct hv_input_assert_virtual_interrupt {
	u64 partition_id;
	struct hv_interrupt_control control;
	u64 dest_addr;
	u32 vector;
	u8 target_vtl;
	u8 rsvd_z0;
	u16 rsvd_z1;
} __packed;

/*
 * CPUID 0x40000003 ECX: HvDispatchVp takes the vectors the root queues in
 * the register page (interrupt_vectors) when asked to scan them.
 */
#define HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE	BIT(9)

/* hv_input_dispatch_vp.flags */
#define HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND	BIT(0)
#define HV_DISPATCH_VP_FLAG_ENABLE_CALLER_INTERRUPTS	BIT(1)
#define HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION	BIT(6)

/* hv_output_dispatch_vp.dispatch_state */
#define HV_VP_DISPATCH_STATE_INVALID	0
#define HV_VP_DISPATCH_STATE_BLOCKED	1
#define HV_VP_DISPATCH_STATE_READY	2

/* hv_output_dispatch_vp.dispatch_event; 0: the time slice ended */
#define HV_VP_DISPATCH_EVENT_NONE	0
#define HV_VP_DISPATCH_EVENT_SUSPEND	1
#define HV_VP_DISPATCH_EVENT_INTERCEPT	2

/**
 * struct hv_input_dispatch_vp - HvDispatchVp input
 * @partition_id: the partition
 * @vp_index: the virtual processor
 * @flags: HV_DISPATCH_VP_FLAG_* flags
 * @time_slice: longest run, in 100 ns units; 0 for the default
 * @spec_ctrl: the caller's speculation control value, if asked
 */
struct hv_input_dispatch_vp {
	u64 partition_id;
	u32 vp_index;
	u32 flags;
	u64 time_slice;
	u64 spec_ctrl;
} __packed;

/**
 * struct hv_output_dispatch_vp - HvDispatchVp output
 * @dispatch_state: HV_VP_DISPATCH_STATE_*
 * @dispatch_event: HV_VP_DISPATCH_EVENT_*, why the VP stopped
 */
struct hv_output_dispatch_vp {
	u32 dispatch_state;
	u32 dispatch_event;
} __packed;

/* Intercept kinds of HvInstallIntercept. */
#define HV_INTERCEPT_TYPE_X64_IO_PORT		0x00000000
#define HV_INTERCEPT_TYPE_X64_MSR		0x00000001
#define HV_INTERCEPT_TYPE_X64_CPUID		0x00000002
#define HV_INTERCEPT_TYPE_EXCEPTION		0x00000003
#define HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID	0x00000006
#define HV_INTERCEPT_TYPE_X64_MSR_INDEX		0x0000000C

/* Access kinds of an intercept; also hv_x64_intercept_message_header. */
#define HV_INTERCEPT_ACCESS_READ		0
#define HV_INTERCEPT_ACCESS_WRITE		1
#define HV_INTERCEPT_ACCESS_EXECUTE		2
#define HV_INTERCEPT_ACCESS_MASK_READ		BIT(0)
#define HV_INTERCEPT_ACCESS_MASK_WRITE		BIT(1)
#define HV_INTERCEPT_ACCESS_MASK_EXECUTE	BIT(2)

/**
 * struct hv_input_install_intercept - HvInstallIntercept input
 * @partition_id: the partition
 * @access_type_mask: HV_INTERCEPT_ACCESS_MASK_* accesses intercepted
 * @intercept_type: HV_INTERCEPT_TYPE_*
 * @intercept_parameter: the port, CPUID leaf, MSR index or exception
 *	vector the intercept is for, by @intercept_type
 */
struct hv_input_install_intercept {
	u64 partition_id;
	u32 access_type_mask;
	u32 intercept_type;
	u64 intercept_parameter;
} __packed;

/* HvTranslateVirtualAddress: control flags (HV_TRANSLATE_GVA_*) */
#define HV_TRANSLATE_GVA_VALIDATE_READ		0x0001
#define HV_TRANSLATE_GVA_VALIDATE_WRITE		0x0002
#define HV_TRANSLATE_GVA_VALIDATE_EXECUTE	0x0004
#define HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT	0x0008
#define HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS	0x0010
#define HV_TRANSLATE_GVA_TLB_FLUSH_INHIBIT	0x0020
#define HV_TRANSLATE_GVA_SUPERVISOR_ACCESS	0x0040
#define HV_TRANSLATE_GVA_USER_ACCESS		0x0080
#define HV_TRANSLATE_GVA_ENFORCE_SMAP		0x0100
#define HV_TRANSLATE_GVA_OVERRIDE_SMAP		0x0200
#define HV_TRANSLATE_GVA_SHADOW_STACK		0x0400
#define HV_TRANSLATE_GVA_INPUT_VTL_MASK		GENMASK_ULL(63, 56)

/* HvTranslateVirtualAddress: result codes (hv_translate_gva_result) */
#define HV_TRANSLATE_GVA_SUCCESS			0
#define HV_TRANSLATE_GVA_PAGE_NOT_PRESENT		1
#define HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION		2
#define HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS	3
#define HV_TRANSLATE_GVA_GPA_UNMAPPED			4
#define HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS		5
#define HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS		6
#define HV_TRANSLATE_GVA_GPA_ILLEGAL_OVERLAY_ACCESS	7
#define HV_TRANSLATE_GVA_INTERCEPT			8
#define HV_TRANSLATE_GVA_GPA_UNACCEPTED			9

/* Memory types (HV_CACHE_TYPE) */
#define HV_CACHE_TYPE_UNCACHED			0
#define HV_CACHE_TYPE_WRITE_COMBINING		1
#define HV_CACHE_TYPE_WRITE_THROUGH		4
#define HV_CACHE_TYPE_WRITE_PROTECTED		5
#define HV_CACHE_TYPE_WRITE_BACK		6

/**
 * struct hv_input_translate_virtual_address - HvTranslateVirtualAddress
 *	input
 * @partition_id: the partition
 * @vp_index: the VP whose paging state translates
 * @padding: reserved, zero
 * @control_flags: HV_TRANSLATE_GVA_* flags; the input VTL in bits 63:56
 * @gva_page: the guest virtual page number to translate
 */
struct hv_input_translate_virtual_address {
	u64 partition_id;
	u32 vp_index;
	u32 padding;
	u64 control_flags;
	u64 gva_page;
} __packed;

/**
 * union hv_translate_gva_result - the outcome of a translation
 * @as_uint64: the whole value
 * @result_code: HV_TRANSLATE_GVA_* result code
 * @cache_type: HV_CACHE_TYPE_* of the page (success only)
 * @overlay_page: the page is an overlay page of the hypervisor
 * @reserved: zero
 */
union hv_translate_gva_result {
	u64 as_uint64;
	struct {
		u32 result_code;
		u32 cache_type : 8;
		u32 overlay_page : 1;
		u32 reserved : 23;
	} __packed;
};

/**
 * struct hv_output_translate_virtual_address - HvTranslateVirtualAddress
 *	output
 * @translation_result: the outcome
 * @gpa_page: the guest physical page: the translation on success, the
 *	page that could not be accessed for a HV_TRANSLATE_GVA_GPA_* result
 */
struct hv_output_translate_virtual_address {
	union hv_translate_gva_result translation_result;
	u64 gpa_page;
} __packed;

/* HvRegisterInterceptResult: any VP of the partition */
#define HV_ANY_VP				0xFFFFFFFF

/**
 * struct hv_register_x64_cpuid_result_parameters - a CPUID result
 * @input: the CPUID leaf the result is for
 * @input.eax: the leaf
 * @input.ecx: the subleaf, if @input.subleaf_specific
 * @input.subleaf_specific: 1 if only subleaf @input.ecx is meant
 * @input.always_override: 1 to override the result in every case
 * @input.padding: reserved, zero
 * @result: the registers: in each, the bits set in its mask are replaced
 *	by those of its value
 * @result.eax: EAX bits
 * @result.eax_mask: EAX bits replaced
 * @result.ebx: EBX bits
 * @result.ebx_mask: EBX bits replaced
 * @result.ecx: ECX bits
 * @result.ecx_mask: ECX bits replaced
 * @result.edx: EDX bits
 * @result.edx_mask: EDX bits replaced
 */
struct hv_register_x64_cpuid_result_parameters {
	struct {
		u32 eax;
		u32 ecx;
		u8 subleaf_specific;
		u8 always_override;
		u16 padding;
	} __packed input;
	struct {
		u32 eax;
		u32 eax_mask;
		u32 ebx;
		u32 ebx_mask;
		u32 ecx;
		u32 ecx_mask;
		u32 edx;
		u32 edx_mask;
	} __packed result;
} __packed;

/**
 * struct hv_register_x64_msr_result_parameters - an MSR access result
 * @msr_index: the MSR
 * @access_type: HV_INTERCEPT_ACCESS_* of the access
 * @action: what the hypervisor does on the access
 */
struct hv_register_x64_msr_result_parameters {
	u32 msr_index;
	u32 access_type;
	u32 action;
} __packed;

/**
 * union hv_register_intercept_result_parameters - a result, by type
 * @cpuid: for HV_INTERCEPT_TYPE_X64_CPUID
 * @msr: for HV_INTERCEPT_TYPE_X64_MSR
 */
union hv_register_intercept_result_parameters {
	struct hv_register_x64_cpuid_result_parameters cpuid;
	struct hv_register_x64_msr_result_parameters msr;
} __packed;

/**
 * struct hv_input_register_intercept_result - HvRegisterInterceptResult
 *	input
 * @partition_id: the partition
 * @vp_index: the VP the result is for, or HV_ANY_VP
 * @intercept_type: HV_INTERCEPT_TYPE_*
 * @parameters: the result
 */
struct hv_input_register_intercept_result {
	u64 partition_id;
	u32 vp_index;
	u32 intercept_type;
	union hv_register_intercept_result_parameters parameters;
} __packed;

/* HvGetVpCpuidValues flags */
#define HV_GET_VP_CPUID_VALUES_USE_VP_XFEM_XSS		BIT(0)
#define HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES	BIT(1)

/**
 * struct hv_cpuid_leaf_info - one rep of HvGetVpCpuidValues
 * @eax: the leaf
 * @ecx: the subleaf
 * @xfem: the XCR0 value leaf 0xD is answered for
 * @xss: the IA32_XSS value leaf 0xD is answered for
 */
struct hv_cpuid_leaf_info {
	u32 eax;
	u32 ecx;
	u64 xfem;
	u64 xss;
} __packed;

/**
 * struct hv_input_get_vp_cpuid_values - HvGetVpCpuidValues input header
 * @partition_id: the partition
 * @vp_index: the VP
 * @flags: HV_GET_VP_CPUID_VALUES_* flags
 * @reserved: zero
 * @padding: zero
 * @cpuid_leaf_info: one leaf per rep
 */
struct hv_input_get_vp_cpuid_values {
	u64 partition_id;
	u32 vp_index;
	u32 flags;
	u32 reserved;
	u32 padding;
	struct hv_cpuid_leaf_info cpuid_leaf_info[];
} __packed;

/**
 * struct hv_output_get_vp_cpuid_values - one rep of HvGetVpCpuidValues
 *	output
 * @eax: EAX
 * @ebx: EBX
 * @ecx: ECX
 * @edx: EDX
 */
struct hv_output_get_vp_cpuid_values {
	u32 eax;
	u32 ebx;
	u32 ecx;
	u32 edx;
} __packed;

/**
 * struct hv_input_signal_event_direct - HvSignalEventDirect input
 * @target_partition: the partition
 * @target_vp: the VP whose SynIC is signalled
 * @target_vtl: its VTL
 * @target_sint: the SINT
 * @flag_number: the event flag of the SINT set
 */
struct hv_input_signal_event_direct {
	u64 target_partition;
	u32 target_vp;
	u8 target_vtl;
	u8 target_sint;
	u16 flag_number;
} __packed;

/**
 * struct hv_output_signal_event_direct - HvSignalEventDirect output
 * @newly_signaled: 1 if the flag was clear before the call
 * @reserved: zero
 */
struct hv_output_signal_event_direct {
	u8 newly_signaled;
	u8 reserved[7];
} __packed;

/**
 * struct hv_input_post_message_direct - HvPostMessageDirect input
 * @partition_id: the partition
 * @vp_index: the VP whose SynIC receives the message
 * @vtl: its VTL
 * @padding: zero
 * @sint_index: the SINT
 * @message: the message (struct hv_message)
 * @padding2: zero
 */
struct hv_input_post_message_direct {
	u64 partition_id;
	u32 vp_index;
	u8 vtl;
	u8 padding[3];
	u32 sint_index;
	u8 message[HV_MESSAGE_SIZE];
	u32 padding2;
} __packed;

static_assert(sizeof(struct hv_input_translate_virtual_address) == 32);
static_assert(sizeof(struct hv_output_translate_virtual_address) == 16);
static_assert(sizeof(struct hv_register_x64_cpuid_result_parameters) == 44);
static_assert(sizeof(struct hv_input_register_intercept_result) == 60);
static_assert(sizeof(struct hv_input_get_vp_cpuid_values) == 24);
static_assert(sizeof(struct hv_cpuid_leaf_info) == 24);
static_assert(sizeof(struct hv_input_signal_event_direct) == 16);
static_assert(sizeof(struct hv_output_signal_event_direct) == 8);
static_assert(sizeof(struct hv_input_post_message_direct) == 280);

/* VP state transfers (HvGetVpState, HvSetVpState) */
#define HVCALL_GET_VP_STATE			0x00E3
#define HVCALL_SET_VP_STATE			0x00E4

/* The state is transferred through page frames listed in the input. */
#define HV_GET_SET_VP_STATE_TYPE_PFN		BIT(31)
#define HV_GET_SET_VP_STATE_LAPIC_STATE		(0 | HV_GET_SET_VP_STATE_TYPE_PFN)
#define HV_GET_SET_VP_STATE_XSAVE		(1 | HV_GET_SET_VP_STATE_TYPE_PFN)
#define HV_GET_SET_VP_STATE_SIM_PAGE		(2 | HV_GET_SET_VP_STATE_TYPE_PFN)
#define HV_GET_SET_VP_STATE_SIEF_PAGE		(3 | HV_GET_SET_VP_STATE_TYPE_PFN)
#define HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS	4

/**
 * struct hv_vp_state_data - what HvGetVpState/HvSetVpState transfer
 * @type: HV_GET_SET_VP_STATE_*
 * @rsvd: reserved, zero
 * @xsave_flags: for XSAVE: flags, zero
 * @xsave_states: for XSAVE: the xsave components (XCR0 bits) wanted
 */
struct hv_vp_state_data {
	u32 type;
	u32 rsvd;
	u64 xsave_flags;
	u64 xsave_states;
} __packed;

/**
 * struct hv_input_get_vp_state - HvGetVpState input; the variable header
 *	is the page frame list, one 8-byte unit per frame
 * @partition_id: the partition
 * @vp_index: the virtual processor
 * @input_vtl: virtual trust level; 0 for the VP's own level
 * @rsvd0: reserved, zero
 * @rsvd1: reserved, zero
 * @state_data: what to read
 * @output_data_pfns: for a PFN type: the pages that receive the state
 */
struct hv_input_get_vp_state {
	u64 partition_id;
	u32 vp_index;
	u8 input_vtl;
	u8 rsvd0;
	u16 rsvd1;
	struct hv_vp_state_data state_data;
	u64 output_data_pfns[];
} __packed;

/**
 * struct hv_stimer_state - one synthetic timer's state
 * @flags: bit 0: an expiration message is pending
 * @resvd: reserved
 * @config: HV_REGISTER_STIMERn_CONFIG
 * @count: HV_REGISTER_STIMERn_COUNT
 * @adjustment: time adjustment
 * @undelivered_exp_time: expiration time of the pending message
 */
struct hv_stimer_state {
	u32 flags;
	u32 resvd;
	u64 config;
	u64 count;
	u64 adjustment;
	u64 undelivered_exp_time;
} __packed;

/**
 * struct hv_synthetic_timers_state - the VP's synthetic timers
 *	(HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS, transferred inline)
 * @timers: the four timers
 * @reserved: reserved
 */
struct hv_synthetic_timers_state {
	struct hv_stimer_state timers[HV_SYNIC_STIMER_COUNT];
	u64 reserved[5];
} __packed;

/**
 * struct hv_input_set_vp_state - HvSetVpState input; the variable header
 *	is the page frame list, or the state itself, in 8-byte units
 * @partition_id: the partition
 * @vp_index: the virtual processor
 * @input_vtl: virtual trust level; 0 for the VP's own level
 * @rsvd0: reserved, zero
 * @rsvd1: reserved, zero
 * @state_data: what to write
 * @data: for a PFN type: the page frames holding the state (u64 each);
 *	otherwise the state's bytes
 */
struct hv_input_set_vp_state {
	u64 partition_id;
	u32 vp_index;
	u8 input_vtl;
	u8 rsvd0;
	u16 rsvd1;
	struct hv_vp_state_data state_data;
	u64 data[];
} __packed;

/**
 * struct hv_local_interrupt_controller_state - a VP's local APIC, as
 *	HV_GET_SET_VP_STATE_LAPIC_STATE transfers it (at the start of its page)
 * @apic_id: APIC ID register
 * @apic_version: version register
 * @apic_ldr: logical destination register
 * @apic_dfr: destination format register
 * @apic_spurious: spurious interrupt vector register
 * @apic_isr: in-service register
 * @apic_tmr: trigger mode register
 * @apic_irr: interrupt request register
 * @apic_esr: error status register
 * @apic_icr_high: interrupt command register, high half
 * @apic_icr_low: interrupt command register, low half
 * @apic_lvt_timer: LVT timer
 * @apic_lvt_thermal: LVT thermal sensor
 * @apic_lvt_perfmon: LVT performance counters
 * @apic_lvt_lint0: LVT LINT0
 * @apic_lvt_lint1: LVT LINT1
 * @apic_lvt_error: LVT error
 * @apic_lvt_cmci: LVT corrected machine check
 * @apic_error_status: error status
 * @apic_initial_count: timer initial count
 * @apic_counter_value: timer current count
 * @apic_divide_configuration: timer divide configuration
 * @apic_remote_read: remote read register
 */
struct hv_local_interrupt_controller_state {
	u32 apic_id;
	u32 apic_version;
	u32 apic_ldr;
	u32 apic_dfr;
	u32 apic_spurious;
	u32 apic_isr[8];
	u32 apic_tmr[8];
	u32 apic_irr[8];
	u32 apic_esr;
	u32 apic_icr_high;
	u32 apic_icr_low;
	u32 apic_lvt_timer;
	u32 apic_lvt_thermal;
	u32 apic_lvt_perfmon;
	u32 apic_lvt_lint0;
	u32 apic_lvt_lint1;
	u32 apic_lvt_error;
	u32 apic_lvt_cmci;
	u32 apic_error_status;
	u32 apic_initial_count;
	u32 apic_counter_value;
	u32 apic_divide_configuration;
	u32 apic_remote_read;
} __packed;

/* System properties (HvGetSystemProperty) */
#define HVCALL_GET_SYSTEM_PROPERTY		0x007B
#define HV_SYSTEM_PROPERTY_SCHEDULER_TYPE	15

/* Values of the scheduler type property */
#define HV_SCHEDULER_TYPE_LP			1	/* classic, no SMT */
#define HV_SCHEDULER_TYPE_LP_SMT		2	/* classic, SMT */
#define HV_SCHEDULER_TYPE_CORE_SMT		3	/* core scheduler */
#define HV_SCHEDULER_TYPE_ROOT			4	/* the root schedules */

/**
 * struct hv_input_get_system_property - HvGetSystemProperty input
 * @property_id: HV_SYSTEM_PROPERTY_*
 * @reserved: reserved, zero
 * @argument: argument of properties that take one; zero otherwise
 */
struct hv_input_get_system_property {
	u32 property_id;
	u32 reserved;
	u64 argument;
} __packed;

/**
 * struct hv_output_get_system_property - HvGetSystemProperty output
 * @scheduler_type: for HV_SYSTEM_PROPERTY_SCHEDULER_TYPE
 */
struct hv_output_get_system_property {
	u32 scheduler_type;
} __packed;

/* Message types of the x64 intercepts the root receives. */
#define HVMSG_X64_APIC_EOI			0x80010004
#define HVMSG_X64_HALT				0x80010007
#define HVMSG_X64_INTERRUPTION_DELIVERABLE	0x80010008

/*
 * Interruption types (HV_REGISTER_PENDING_INTERRUPTION bits 3:1, and what
 * an HVMSG_X64_INTERRUPTION_DELIVERABLE message says can be delivered).
 */
#define HV_X64_PENDING_INTERRUPT		0
#define HV_X64_PENDING_NMI			2
#define HV_X64_PENDING_EXCEPTION		3

/**
 * struct hv_x64_apic_eoi_message - HVMSG_X64_APIC_EOI: the guest ended a
 *	level-triggered interrupt; the message header's sender is the
 *	partition id
 * @vp_index: the virtual processor that wrote the EOI
 * @interrupt_vector: the vector it ended
 */
struct hv_x64_apic_eoi_message {
	u32 vp_index;
	u32 interrupt_vector;
} __packed;

/*
 * With the root scheduler, the hypervisor tells the root that VPs which
 * HvDispatchVp returned BLOCKED can run again with this message on SINT0.
 */
#define HVMSG_SCHEDULER_VP_SIGNAL_PAIR		0x80000101
#define HV_SCHEDULER_MESSAGE_PAIR_COUNT		19

/**
 * struct hv_vp_signal_pair_scheduler_message - HVMSG_SCHEDULER_VP_SIGNAL_PAIR
 * @overflow_count: signals lost because the message was full
 * @vp_count: used entries of @partition_ids and @vp_indexes
 * @reserved1: reserved, zero
 * @partition_ids: partition of each signalled VP
 * @vp_indexes: index of each signalled VP
 * @reserved2: reserved, zero
 */
struct hv_vp_signal_pair_scheduler_message {
	u32 overflow_count;
	u8 vp_count;
	u8 reserved1[3];
	u64 partition_ids[HV_SCHEDULER_MESSAGE_PAIR_COUNT];
	u32 vp_indexes[HV_SCHEDULER_MESSAGE_PAIR_COUNT];
	u32 reserved2;
} __packed;

/*
 * A hypercall that returned HV_STATUS_CALL_PENDING ended: the hypervisor
 * posts this message on the root's SINT0 with the call's final status.
 */
#define HVMSG_ASYNC_CALL_COMPLETION		0x80000070

/**
 * struct hv_async_call_completion_message - HVMSG_ASYNC_CALL_COMPLETION
 * @partition_id: the partition the completed call was for
 * @status: the call's final HV_STATUS_* value
 * @completion_count: completions the hypervisor has posted
 * @sub_status: detail of @status, call specific
 */
struct hv_async_call_completion_message {
	u64 partition_id;
	u32 status;
	u32 completion_count;
	u64 sub_status;
} __packed;

/*
 * With the root scheduler, the hypervisor may also name the VPs of one
 * partition that can run again as a sparse VP set.
 */
#define HVMSG_SCHEDULER_VP_SIGNAL_BITSET	0x80000100
/* Banks of 64 VPs a bitset message has room for: 1024 VPs. */
#define HV_SCHEDULER_BITSET_BANKS		16

/**
 * struct hv_vp_signal_bitset_scheduler_message - a VP set signal
 * @partition_id: the partition of the signalled VPs
 * @overflow_count: signals the hypervisor could not post (lost)
 * @vp_count: number of VPs in the set
 * @reserved: reserved, zero
 * @format: HV_GENERIC_SET_SPARSE_4K
 * @valid_bank_mask: bit n set: a word of @bank_contents covers VPs 64n to
 *	64n + 63
 * @bank_contents: one word per bit set in @valid_bank_mask, in order of
 *	the bits; its bit b stands for VP 64n + b
 */
struct hv_vp_signal_bitset_scheduler_message {
	u64 partition_id;
	u32 overflow_count;
	u16 vp_count;
	u16 reserved;
	u64 format;
	u64 valid_bank_mask;
	u64 bank_contents[HV_SCHEDULER_BITSET_BANKS];
} __packed;

/*
 * With the hypervisor's scheduler, the root learns that a VP stopped at an
 * intercept from this message on its SINT0; the intercept itself is in the
 * VP's intercept message page.
 */
#define HVMSG_OPAQUE_INTERCEPT			0x8000003F

/* The root partition's SINT for intercept and scheduler messages. */
#define HV_SYNIC_INTERCEPTION_SINT_INDEX	0

/**
 * struct hv_opaque_intercept_message - HVMSG_OPAQUE_INTERCEPT; the
 *	message header's sender is the partition id
 * @vp_index: the virtual processor that stopped
 */
struct hv_opaque_intercept_message {
	u32 vp_index;
} __packed;

/* hv_x64_intercept_message_header.execution_state bits */
#define HV_X64_EXEC_STATE_CPL			GENMASK(1, 0)
#define HV_X64_EXEC_STATE_CR0_PE		BIT(2)
#define HV_X64_EXEC_STATE_CR0_AM		BIT(3)
#define HV_X64_EXEC_STATE_EFER_LMA		BIT(4)
#define HV_X64_EXEC_STATE_INTERRUPT_SHADOW	BIT(12)

/**
 * struct hv_x64_intercept_message_header - start of every x64 intercept
 *	message payload
 * @vp_index: the virtual processor that stopped
 * @instruction_length: bits 3:0: length of the intercepted instruction;
 *	bits 7:4: CR8
 * @intercept_access_type: HV_INTERCEPT_ACCESS_*
 * @execution_state: HV_X64_EXEC_STATE_* bits
 * @cs: CS at the intercept
 * @rip: RIP of the intercepted instruction
 * @rflags: RFLAGS at the intercept
 */
struct hv_x64_intercept_message_header {
	u32 vp_index;
	u8 instruction_length;
	u8 intercept_access_type;
	u16 execution_state;
	struct hv_x64_segment_register cs;
	u64 rip;
	u64 rflags;
} __packed;

/* hv_x64_io_port_intercept_message.access_info bits */
#define HV_X64_IO_ACCESS_SIZE			GENMASK(2, 0)
#define HV_X64_IO_STRING_OP			BIT(3)
#define HV_X64_IO_REP_PREFIX			BIT(4)

/**
 * struct hv_x64_io_port_intercept_message - HVMSG_X64_IO_PORT_INTERCEPT
 * @header: common header; the access type is read (IN) or write (OUT)
 * @port_number: the port
 * @access_info: HV_X64_IO_* bits; the size is 1, 2 or 4 bytes
 * @instruction_byte_count: valid bytes in @instruction_bytes
 * @reserved: reserved
 * @rax: RAX; for OUT, the value written is in its low bytes
 * @instruction_bytes: the instruction
 * @ds: DS
 * @es: ES
 * @rcx: RCX
 * @rsi: RSI
 * @rdi: RDI
 */
struct hv_x64_io_port_intercept_message {
	struct hv_x64_intercept_message_header header;
	u16 port_number;
	u8 access_info;
	u8 instruction_byte_count;
	u32 reserved;
	u64 rax;
	u8 instruction_bytes[16];
	struct hv_x64_segment_register ds;
	struct hv_x64_segment_register es;
	u64 rcx;
	u64 rsi;
	u64 rdi;
} __packed;

/* hv_x64_memory_intercept_message.memory_access_info bits */
#define HV_X64_MEMORY_GVA_VALID			BIT(0)
#define HV_X64_MEMORY_GVA_GPA_VALID		BIT(1)

/**
 * struct hv_x64_memory_intercept_message - HVMSG_UNMAPPED_GPA and
 *	HVMSG_GPA_INTERCEPT
 * @header: common header; the access type is read, write or execute
 * @cache_type: memory type of the access
 * @instruction_byte_count: valid bytes in @instruction_bytes
 * @memory_access_info: HV_X64_MEMORY_* bits
 * @tpr_priority: task priority
 * @reserved1: reserved
 * @guest_virtual_address: linear address accessed, if GVA_VALID
 * @guest_physical_address: guest physical address accessed
 * @instruction_bytes: the instruction
 */
struct hv_x64_memory_intercept_message {
	struct hv_x64_intercept_message_header header;
	u32 cache_type;
	u8 instruction_byte_count;
	u8 memory_access_info;
	u8 tpr_priority;
	u8 reserved1;
	u64 guest_virtual_address;
	u64 guest_physical_address;
	u8 instruction_bytes[16];
} __packed;

/**
 * struct hv_x64_msr_intercept_message - HVMSG_X64_MSR_INTERCEPT
 * @header: common header; read for RDMSR, write for WRMSR
 * @msr_number: ECX
 * @reserved: reserved
 * @rdx: RDX
 * @rax: RAX
 */
struct hv_x64_msr_intercept_message {
	struct hv_x64_intercept_message_header header;
	u32 msr_number;
	u32 reserved;
	u64 rdx;
	u64 rax;
} __packed;

/**
 * struct hv_x64_interruption_deliverable_message -
 *	HVMSG_X64_INTERRUPTION_DELIVERABLE: the VP can now take what the
 *	root asked in HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS to know
 * @header: common header
 * @deliverable_type: HV_X64_PENDING_INTERRUPT or HV_X64_PENDING_NMI
 * @rsvd: reserved
 */
struct hv_x64_interruption_deliverable_message {
	struct hv_x64_intercept_message_header header;
	u32 deliverable_type;
	u32 rsvd;
} __packed;

/**
 * struct hv_x64_cpuid_intercept_message - HVMSG_X64_CPUID_INTERCEPT
 * @header: common header
 * @rax: RAX (the leaf)
 * @rcx: RCX (the subleaf)
 * @rdx: RDX
 * @rbx: RBX
 * @default_result_rax: what the hypervisor would return in RAX
 * @default_result_rcx: ... in RCX
 * @default_result_rdx: ... in RDX
 * @default_result_rbx: ... in RBX
 */
struct hv_x64_cpuid_intercept_message {
	struct hv_x64_intercept_message_header header;
	u64 rax;
	u64 rcx;
	u64 rdx;
	u64 rbx;
	u64 default_result_rax;
	u64 default_result_rcx;
	u64 default_result_rdx;
	u64 default_result_rbx;
} __packed;

/* hv_x64_exception_intercept_message.exception_info bits */
#define HV_X64_EXCEPTION_ERROR_CODE_VALID	BIT(0)
#define HV_X64_EXCEPTION_SOFTWARE		BIT(1)

/**
 * struct hv_x64_exception_intercept_message - HVMSG_X64_EXCEPTION_INTERCEPT
 * @header: common header
 * @exception_vector: the vector
 * @exception_info: HV_X64_EXCEPTION_* bits
 * @instruction_byte_count: valid bytes in @instruction_bytes
 * @error_code: the error code, if ERROR_CODE_VALID
 * @exception_parameter: CR2 for a page fault
 * @reserved: reserved
 * @instruction_bytes: the instruction
 * @ds: DS
 * @ss: SS
 * @gprs: RAX to R15, in encoding order
 */
struct hv_x64_exception_intercept_message {
	struct hv_x64_intercept_message_header header;
	u16 exception_vector;
	u8 exception_info;
	u8 instruction_byte_count;
	u32 error_code;
	u64 exception_parameter;
	u64 reserved;
	u8 instruction_bytes[16];
	struct hv_x64_segment_register ds;
	struct hv_x64_segment_register ss;
	u64 gprs[16];
} __packed;

/* hv_unsupported_feature_message.feature_code */
#define HV_UNSUPPORTED_FEATURE_INTERCEPT	1

/**
 * struct hv_unsupported_feature_message - HVMSG_UNSUPPORTED_FEATURE
 * @vp_index: the virtual processor that stopped
 * @feature_code: HV_UNSUPPORTED_FEATURE_*
 * @feature_parameter: detail of the feature
 */
struct hv_unsupported_feature_message {
	u32 vp_index;
	u32 feature_code;
	u64 feature_parameter;
} __packed;

/* The register page layout version this header describes. */
#define HV_VP_REGISTER_PAGE_VERSION_1		1

/* hv_vp_register_page.dirty: register classes the root changed */
#define HV_X64_REGISTER_CLASS_GENERAL		BIT(0)
#define HV_X64_REGISTER_CLASS_IP		BIT(1)
#define HV_X64_REGISTER_CLASS_XMM		BIT(2)
#define HV_X64_REGISTER_CLASS_SEGMENT		BIT(3)
#define HV_X64_REGISTER_CLASS_FLAGS		BIT(4)

/* Most vectors the root may queue in hv_vp_register_page. */
#define HV_VP_REGISTER_PAGE_MAX_VECTORS		7

/**
 * struct hv_vp_register_page - the register page the hypervisor shares
 *	with the root for each VP (HV_VP_STATE_PAGE_REGISTERS)
 * @version: HV_VP_REGISTER_PAGE_VERSION_1
 * @isvalid: the hypervisor filled the page at the last intercept
 * @rsvdz: reserved, zero
 * @dirty: HV_X64_REGISTER_CLASS_* the root changed in the page; the
 *	hypervisor loads them before it runs the VP again
 * @gp_registers: RAX to R15, in encoding order
 * @rip: RIP
 * @rflags: RFLAGS
 * @reserved: reserved
 * @xmm: XMM0 to XMM5, as low and high quadwords
 * @segment: ES, CS, SS, DS, FS, GS
 * @cr0: CR0
 * @cr3: CR3
 * @cr4: CR4
 * @cr8: CR8
 * @efer: EFER
 * @dr7: DR7
 * @pending_interruption: HV_REGISTER_PENDING_INTERRUPTION
 * @interrupt_state: HV_REGISTER_INTERRUPT_STATE
 * @instruction_emulation_hints: emulation hints
 * @xfem: XFEM
 * @reserved1: reserved
 * @interrupt_vector_count: vectors queued in @interrupt_vectors
 * @interrupt_vectors: vectors the root asks to inject at dispatch
 */
struct hv_vp_register_page {
	u16 version;
	u8 isvalid;
	u8 rsvdz;
	u32 dirty;
	u64 gp_registers[16];
	u64 rip;
	u64 rflags;
	u64 reserved;
	u64 xmm[6][2];
	struct hv_x64_segment_register segment[6];
	u64 cr0;
	u64 cr3;
	u64 cr4;
	u64 cr8;
	u64 efer;
	u64 dr7;
	u64 pending_interruption;
	u64 interrupt_state;
	u64 instruction_emulation_hints;
	u64 xfem;
	u8 reserved1[256];
	u8 interrupt_vector_count;
	u8 interrupt_vectors[HV_VP_REGISTER_PAGE_MAX_VECTORS];
} __packed;

/* The most PFNs one deposit or withdrawal can carry in a 4 KiB page. */
#define HV_DEPOSIT_MAX_PAGES \
	((HV_HYP_PAGE_SIZE - sizeof(struct hv_deposit_memory)) / sizeof(u64))
#define HV_WITHDRAW_MAX_PAGES	(HV_HYP_PAGE_SIZE / sizeof(u64))
/* The most PFNs one HvMapGpaPages call can carry. */
#define HV_MAP_GPA_MAX_PAGES \
	((HV_HYP_PAGE_SIZE - sizeof(struct hv_input_map_gpa_pages)) / sizeof(u64))
/* The most reps of one HvUnmapGpaPages call (as mainline issues them). */
#define HV_UNMAP_GPA_MAX_PAGES		512

/* ---- Ports and doorbells ------------------------------------------------ */

#define HVCALL_DELETE_PORT			0x0058
#define HVCALL_DISCONNECT_PORT			0x005B
#define HVCALL_NOTIFY_PORT_RING_EMPTY		0x008B
#define HVCALL_CREATE_PORT			0x0095
#define HVCALL_CONNECT_PORT			0x0096

/* A port or connection id is 24 bits wide; 0 is not used. */
#define HV_PORT_ID_MAX				0xFFFFFF
/* The port type of a doorbell: a guest write signals the port. */
#define HV_PORT_TYPE_DOORBELL			4
/* A port whose signals may go to any of the root's processors. */
#define HV_ANY_VP				0xFFFFFFFF

/* hv_connection_info.doorbell_flags: how a write must look to match. */
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK	GENMASK_ULL(2, 0)
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_ANY	0
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_BYTE	1
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_WORD	2
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_DWORD	3
#define HV_DOORBELL_FLAG_TRIGGER_SIZE_QWORD	4
#define HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE	BIT_ULL(31)

/**
 * struct hv_port_info - what a port is, as HvCreatePort takes it
 * @port_type: HV_PORT_TYPE_*
 * @reserved: reserved, zero
 * @target_sint: doorbell: the SINT of the port's owner that is signalled
 * @target_vp: doorbell: the VP (in the root: processor) signalled, or
 *	HV_ANY_VP
 * @rsvdz: reserved, zero
 */
struct hv_port_info {
	u32 port_type;
	u32 reserved;
	u32 target_sint;
	u32 target_vp;
	u64 rsvdz;
} __packed;

/**
 * struct hv_input_create_port - HvCreatePort input
 * @port_partition_id: the partition that owns the port
 * @port_id: the port's id, chosen by the caller
 * @port_vtl: VTL of the port, 0
 * @min_connection_vtl: lowest VTL that may connect, 0
 * @reserved: reserved, zero
 * @connection_partition_id: the partition that may connect to the port
 * @port_info: the port's type and target
 * @proximity_domain_info: NUMA hint for the port's memory; zero for none
 */
struct hv_input_create_port {
	u64 port_partition_id;
	u32 port_id;
	u8 port_vtl;
	u8 min_connection_vtl;
	u16 reserved;
	u64 connection_partition_id;
	struct hv_port_info port_info;
	struct hv_proximity_domain_info proximity_domain_info;
} __packed;

/**
 * struct hv_connection_info - what a connection is, as HvConnectPort
 *	takes it
 * @port_type: HV_PORT_TYPE_*; that of the port
 * @reserved: reserved, zero
 * @doorbell_gpa: doorbell: the guest physical address watched
 * @trigger_value: doorbell: the value a write must have, unless
 *	HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE is set
 * @doorbell_flags: doorbell: HV_DOORBELL_FLAG_* bits
 */
struct hv_connection_info {
	u32 port_type;
	u32 reserved;
	u64 doorbell_gpa;
	u64 trigger_value;
	u64 doorbell_flags;
} __packed;

/**
 * struct hv_input_connect_port - HvConnectPort input
 * @connection_partition_id: the partition the connection belongs to
 * @connection_id: the connection's id, chosen by the caller
 * @connection_vtl: VTL of the connection, 0
 * @reserved1: reserved, zero
 * @port_partition_id: the partition that owns the port
 * @port_id: the port connected to
 * @reserved2: reserved, zero
 * @connection_info: the connection's type and trigger
 * @proximity_domain_info: NUMA hint; zero for none
 */
struct hv_input_connect_port {
	u64 connection_partition_id;
	u32 connection_id;
	u8 connection_vtl;
	u8 reserved1[3];
	u64 port_partition_id;
	u32 port_id;
	u32 reserved2;
	struct hv_connection_info connection_info;
	struct hv_proximity_domain_info proximity_domain_info;
} __packed;

/* hv_input_disconnect_port.flags: the connection is a doorbell. */
#define HV_DISCONNECT_PORT_IS_DOORBELL		BIT(0)

/**
 * struct hv_input_disconnect_port - HvDisconnectPort input
 * @connection_partition_id: the partition the connection belongs to
 * @connection_id: the connection
 * @flags: HV_DISCONNECT_PORT_* bits
 */
struct hv_input_disconnect_port {
	u64 connection_partition_id;
	u32 connection_id;
	u32 flags;
} __packed;

/**
 * struct hv_input_delete_port - HvDeletePort input
 * @port_partition_id: the partition that owns the port
 * @port_id: the port
 * @reserved: reserved, zero
 */
struct hv_input_delete_port {
	u64 port_partition_id;
	u32 port_id;
	u32 reserved;
} __packed;

/**
 * struct hv_input_notify_port_ring_empty - HvNotifyPortRingEmpty input
 *	(a fast call: one register)
 * @sint_index: the SINT whose event ring the root emptied
 * @reserved: reserved, zero
 */
struct hv_input_notify_port_ring_empty {
	u32 sint_index;
	u32 reserved;
} __packed;

/*
 * The root's SINT for doorbells. It is programmed "as intercept": a
 * doorbell signal puts the port id into this SINT's event ring and, unless
 * the ring's signal_masked byte is set, posts HVMSG_SYNIC_SINT_INTERCEPT
 * naming the SINT in the root's SINT0 slot.
 */
#define HV_SYNIC_DOORBELL_SINT_INDEX		5
#define HVMSG_SYNIC_SINT_INTERCEPT		0x80000061
/* hv_synic_sint bit: the SINT's signals arrive as SINT0 messages. */
#define HV_SYNIC_SINT_AS_INTERCEPT		BIT_ULL(19)

/**
 * struct hv_notification_message_payload - HVMSG_SYNIC_SINT_INTERCEPT
 * @sint_index: the SINT that was signalled
 */
struct hv_notification_message_payload {
	u32 sint_index;
} __packed;

#ifndef HV_X64_MSR_SIRBP
/* The SynIC event ring base page MSR: enable bit and page GPA. */
#define HV_X64_MSR_SIRBP			0x40000085
#endif
#ifndef HV_MSR_SIRBP
#define HV_MSR_SIRBP				HV_X64_MSR_SIRBP
#endif
#define HV_SYNIC_SIRBP_ENABLE			BIT_ULL(0)

#define HV_SYNIC_EVENT_RING_MESSAGE_COUNT	63

/**
 * struct hv_synic_event_ring - one SINT's ring of signalled port ids
 * @signal_masked: set by the hypervisor when it notifies the root; while
 *	set, new entries raise no notification. The root clears it once
 *	it has emptied the ring.
 * @ring_full: set by the hypervisor when a signal found no free entry;
 *	the root clears it and calls HvNotifyPortRingEmpty
 * @reserved: reserved, zero
 * @data: the ring: non-zero entries are port ids, which the root consumes
 *	in order and zeroes
 */
struct hv_synic_event_ring {
	u8 signal_masked;
	u8 ring_full;
	u16 reserved;
	u32 data[HV_SYNIC_EVENT_RING_MESSAGE_COUNT];
} __packed;

/**
 * struct hv_synic_event_ring_page - the page SIRBP points to
 * @sint_event_ring: a ring per SINT
 */
struct hv_synic_event_ring_page {
	struct hv_synic_event_ring sint_event_ring[HV_SYNIC_SINT_COUNT];
};

/* Statistics pages: the hypervisor's counters, shared with the root. */
#define HVCALL_MAP_STATS_PAGE			0x006C
#define HVCALL_UNMAP_STATS_PAGE			0x006D
#define HVCALL_MAP_STATS_PAGE2			0x0131

/**
 * enum hv_stats_object_type - what a statistics page counts
 * @HV_STATS_OBJECT_HYPERVISOR: the hypervisor as a whole
 * @HV_STATS_OBJECT_LOGICAL_PROCESSOR: a logical processor
 * @HV_STATS_OBJECT_PARTITION: a partition
 * @HV_STATS_OBJECT_VP: a virtual processor
 */
enum hv_stats_object_type {
	HV_STATS_OBJECT_HYPERVISOR		= 0x00000001,
	HV_STATS_OBJECT_LOGICAL_PROCESSOR	= 0x00000002,
	HV_STATS_OBJECT_PARTITION		= 0x00010001,
	HV_STATS_OBJECT_VP			= 0x00010002,
};

/**
 * enum hv_stats_area_type - which copy of an object's counters
 * @HV_STATS_AREA_SELF: the counters the object's own partition may see
 * @HV_STATS_AREA_PARENT: the counters its parent (the root) sees
 * @HV_STATS_AREA_INTERNAL: the hypervisor's own
 */
enum hv_stats_area_type {
	HV_STATS_AREA_SELF	= 0,
	HV_STATS_AREA_PARENT	= 1,
	HV_STATS_AREA_INTERNAL	= 2,
};

/**
 * union hv_stats_object_identity - the object of a statistics page
 * @hv: the hypervisor; @hv.stats_area_type is the area
 * @hv.reserved: zero
 * @hv.stats_area_type: HV_STATS_AREA_*
 * @lp: a logical processor, by index
 * @lp.lp_index: its index
 * @lp.reserved: zero
 * @lp.stats_area_type: HV_STATS_AREA_*
 * @partition: a partition, by id
 * @partition.partition_id: its id
 * @partition.reserved: zero
 * @partition.stats_area_type: HV_STATS_AREA_*
 * @vp: a virtual processor
 * @vp.partition_id: its partition's id
 * @vp.vp_index: its index
 * @vp.flags: zero
 * @vp.reserved: zero
 * @vp.stats_area_type: HV_STATS_AREA_*
 */
union hv_stats_object_identity {
	struct {
		u8 reserved[15];
		u8 stats_area_type;
	} __packed hv;
	struct {
		u32 lp_index;
		u8 reserved[11];
		u8 stats_area_type;
	} __packed lp;
	struct {
		u64 partition_id;
		u8 reserved[7];
		u8 stats_area_type;
	} __packed partition;
	struct {
		u64 partition_id;
		u32 vp_index;
		u16 flags;
		u8 reserved;
		u8 stats_area_type;
	} __packed vp;
};

/**
 * struct hv_input_map_stats_page - HvMapStatsPage input
 * @type: HV_STATS_OBJECT_*
 * @padding: zero
 * @identity: the object and area
 */
struct hv_input_map_stats_page {
	u32 type;
	u32 padding;
	union hv_stats_object_identity identity;
} __packed;

/**
 * struct hv_output_map_stats_page - HvMapStatsPage output
 * @map_location: page frame number of the hypervisor's statistics page,
 *	which the root may read
 */
struct hv_output_map_stats_page {
	u64 map_location;
} __packed;

/**
 * struct hv_input_map_stats_page2 - HvMapStatsPage2 input
 * @type: HV_STATS_OBJECT_*
 * @padding: zero
 * @identity: the object and area
 * @map_location: page frame number of a page of the root's, which the
 *	hypervisor overlays with the statistics page until it is unmapped
 */
struct hv_input_map_stats_page2 {
	u32 type;
	u32 padding;
	union hv_stats_object_identity identity;
	u64 map_location;
} __packed;

/**
 * struct hv_input_unmap_stats_page - HvUnmapStatsPage input
 * @type: HV_STATS_OBJECT_*
 * @padding: zero
 * @identity: the object and area
 */
struct hv_input_unmap_stats_page {
	u32 type;
	u32 padding;
	union hv_stats_object_identity identity;
} __packed;

/**
 * struct hv_stats_page - a statistics page: counters by index
 * @data: the counters (HV_STATS_PT_* and HV_STATS_VP_* on x86-64)
 */
struct hv_stats_page {
	u64 data[HV_HYP_PAGE_SIZE / sizeof(u64)];
};

/* Partition counters (HV_PROCESS_COUNTER), x86-64 indexes. */
#define HV_STATS_PT_VIRTUAL_PROCESSORS		1
#define HV_STATS_PT_DEPOSITED_PAGES		5
#define HV_STATS_PT_GPA_PAGES			6
#define HV_STATS_PT_GPA_PAGES_4K		10
#define HV_STATS_PT_GPA_PAGES_2M		11
#define HV_STATS_PT_PARTITION_ID		26

/* VP counters (HV_THREAD_COUNTER), x86-64 indexes; times in 100 ns. */
#define HV_STATS_VP_TOTAL_RUN_TIME		1
#define HV_STATS_VP_HYPERVISOR_RUN_TIME		2
#define HV_STATS_VP_IO_INSTRUCTIONS		13
#define HV_STATS_VP_HLT_INSTRUCTIONS		15
#define HV_STATS_VP_CPUID_INSTRUCTIONS		19
#define HV_STATS_VP_MSR_ACCESSES		21
#define HV_STATS_VP_IO_INTERCEPT_MESSAGES	40
#define HV_STATS_VP_MEMORY_INTERCEPT_MESSAGES	41
#define HV_STATS_VP_OTHER_MESSAGES		43
#define HV_STATS_VP_LOGICAL_PROCESSOR_DISPATCHES 74
#define HV_STATS_VP_ROOT_DISPATCH_THREAD_BLOCKED 202

static_assert(sizeof(union hv_stats_object_identity) == 16);
static_assert(sizeof(struct hv_input_map_stats_page) == 24);
static_assert(sizeof(struct hv_output_map_stats_page) == 8);
static_assert(sizeof(struct hv_input_map_stats_page2) == 32);
static_assert(sizeof(struct hv_input_unmap_stats_page) == 24);
static_assert(sizeof(struct hv_stats_page) == HV_HYP_PAGE_SIZE);

/* The hypervisor reads and writes these exactly as laid out here. */
static_assert(sizeof(struct hv_deposit_memory) == 8);
static_assert(sizeof(struct hv_input_create_partition) == 56);
static_assert(sizeof(struct hv_output_create_partition) == 8);
static_assert(sizeof(struct hv_input_get_partition_property) == 16);
static_assert(sizeof(struct hv_output_get_partition_property) == 8);
static_assert(sizeof(struct hv_input_set_partition_property) == 24);
static_assert(sizeof(struct hv_input_withdraw_memory) == 16);
static_assert(sizeof(struct hv_input_map_gpa_pages) == 24);
static_assert(sizeof(struct hv_input_unmap_gpa_pages) == 24);
static_assert(sizeof(struct hv_input_get_gpa_pages_access_states) == 24);
static_assert(sizeof(union hv_register_value) == 16);
static_assert(sizeof(struct hv_register_assoc) == 32);
static_assert(sizeof(struct hv_input_get_vp_registers) == 16);
static_assert(sizeof(struct hv_input_set_vp_registers) == 16);
static_assert(sizeof(struct hv_input_create_vp) == 40);
static_assert(sizeof(struct hv_input_delete_vp) == 16);
static_assert(sizeof(struct hv_input_map_vp_state_page) == 24);
static_assert(sizeof(struct hv_input_unmap_vp_state_page) == 16);
static_assert(sizeof(struct hv_input_dispatch_vp) == 32);
static_assert(sizeof(struct hv_output_dispatch_vp) == 8);
static_assert(sizeof(struct hv_input_install_intercept) == 24);
static_assert(sizeof(struct hv_x64_intercept_message_header) == 40);
static_assert(sizeof(struct hv_opaque_intercept_message) == 4);
static_assert(sizeof(struct hv_x64_apic_eoi_message) == 8);
static_assert(sizeof(struct hv_input_get_partition_property_ex) == 24);
static_assert(offsetof(struct hv_partition_property_vmm_capabilities,
		       bank0) == 8);
static_assert(sizeof(struct hv_vp_signal_pair_scheduler_message) == 240);
static_assert(offsetof(struct hv_vp_signal_pair_scheduler_message,
		       vp_indexes) == 160);
static_assert(sizeof(struct hv_input_assert_virtual_interrupt) == 32);
static_assert(sizeof(struct hv_x64_io_port_intercept_message) == 128);
static_assert(sizeof(struct hv_x64_interruption_deliverable_message) == 48);
static_assert(offsetof(struct hv_x64_io_port_intercept_message, rax) == 48);
static_assert(offsetof(struct hv_x64_io_port_intercept_message, rcx) == 104);
static_assert(sizeof(struct hv_x64_memory_intercept_message) == 80);
static_assert(offsetof(struct hv_x64_memory_intercept_message,
		       guest_physical_address) == 56);
static_assert(sizeof(struct hv_x64_msr_intercept_message) == 64);
static_assert(sizeof(struct hv_x64_cpuid_intercept_message) == 104);
static_assert(sizeof(struct hv_x64_exception_intercept_message) == 240);
static_assert(offsetof(struct hv_x64_exception_intercept_message, gprs) == 112);
static_assert(sizeof(struct hv_vp_register_page) == 696);
static_assert(sizeof(struct hv_vp_state_data) == 24);
static_assert(sizeof(struct hv_input_get_system_property) == 16);
static_assert(sizeof(struct hv_input_get_vp_state) == 40);
static_assert(sizeof(struct hv_input_set_vp_state) == 40);
static_assert(sizeof(struct hv_synthetic_timers_state) == 200);
static_assert(sizeof(struct hv_local_interrupt_controller_state) == 176);
static_assert(offsetof(struct hv_vp_register_page, rip) == 136);
static_assert(offsetof(struct hv_vp_register_page, xmm) == 160);
static_assert(offsetof(struct hv_vp_register_page, segment) == 256);
static_assert(offsetof(struct hv_vp_register_page, cr0) == 352);
static_assert(offsetof(struct hv_vp_register_page, xfem) == 424);
static_assert(offsetof(struct hv_vp_register_page, interrupt_vector_count) == 688);
static_assert(sizeof(struct hv_input_create_port) == 56);
static_assert(offsetof(struct hv_input_create_port, port_info) == 24);
static_assert(sizeof(struct hv_input_connect_port) == 72);
static_assert(offsetof(struct hv_input_connect_port, connection_info) == 32);
static_assert(sizeof(struct hv_input_disconnect_port) == 16);
static_assert(sizeof(struct hv_input_delete_port) == 16);
static_assert(sizeof(struct hv_input_notify_port_ring_empty) == 8);
static_assert(sizeof(struct hv_synic_event_ring) == 256);
static_assert(sizeof(struct hv_synic_event_ring_page) == HV_HYP_PAGE_SIZE);
static_assert(sizeof(struct hv_async_call_completion_message) == 24);
static_assert(sizeof(struct hv_vp_signal_bitset_scheduler_message) == 160);
static_assert(HV_MAP_GPA_MAX_PAGES == 509);
static_assert(HV_DEPOSIT_MAX_PAGES == 511);
static_assert(HV_WITHDRAW_MAX_PAGES == 512);

#endif /* _HYPERV_HVHDK_H */
