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
#define HV_STATUS_OPERATION_FAILED		0x0071
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

/* Most pages one HvGetGpaPagesAccessStates call reports (a rep count). */
#define HV_GET_GPA_ACCESS_STATES_MAX	4095

/* The most PFNs one deposit or withdrawal can carry in a 4 KiB page. */
#define HV_DEPOSIT_MAX_PAGES \
	((HV_HYP_PAGE_SIZE - sizeof(struct hv_deposit_memory)) / sizeof(u64))
#define HV_WITHDRAW_MAX_PAGES	(HV_HYP_PAGE_SIZE / sizeof(u64))
/* The most PFNs one HvMapGpaPages call can carry. */
#define HV_MAP_GPA_MAX_PAGES \
	((HV_HYP_PAGE_SIZE - sizeof(struct hv_input_map_gpa_pages)) / sizeof(u64))
/* The most reps of one HvUnmapGpaPages call (as mainline issues them). */
#define HV_UNMAP_GPA_MAX_PAGES		512

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
static_assert(HV_MAP_GPA_MAX_PAGES == 509);
static_assert(HV_DEPOSIT_MAX_PAGES == 511);
static_assert(HV_WITHDRAW_MAX_PAGES == 512);

#endif /* _HYPERV_HVHDK_H */
