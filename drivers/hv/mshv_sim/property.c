// SPDX-License-Identifier: GPL-2.0
/*
 * Partition properties of mshv_sim: HvGetPartitionProperty,
 * HvSetPartitionProperty and HvGetPartitionPropertyEx.
 *
 * Every x64 property code of the TLFS has an entry in one table, which
 * says who may read and write it and when:
 *  - all of them may be read, of the root (HV_PARTITION_ID_SELF) and of
 *    every child, in any state but finalized;
 *  - a writable one may be written only on a child, an "early" one only
 *    between HvCreatePartition and HvInitializePartition, the others only
 *    after HvInitializePartition (HV_STATUS_INVALID_PARTITION_STATE
 *    otherwise);
 *  - a read-only one, or any on the root, refuses writes with
 *    HV_STATUS_ACCESS_DENIED; codes not in the table (the ARM64 ones and
 *    those the TLFS retired) get HV_STATUS_UNKNOWN_PROPERTY.
 *
 * The processor properties describe the processor mshv_sim models, the
 * x86 interpreter of x86.c, not the host's: the root has what the
 * interpreter executes, and a child what the root has less what its
 * creation disabled.
 *
 * The reference time of a partition runs from its creation in 100 ns
 * units and stands still while its TIME_FREEZE property is set; it is
 * what the guest reads from HV_X64_MSR_TIME_REF_COUNT.
 *
 * Called with the instance lock held; nothing here sleeps.
 */
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/timekeeping.h>
#include <kunit/visibility.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

/*
 * The simulated processor. Bank 0: LAHF/SAHF in 64-bit mode, 1 GiB pages,
 * SMEP and SMAP are what the interpreter implements of the features the
 * banks describe; it has no x87, SSE or AVX, no XSAVE, no POPCNT,
 * CMPXCHG16B, RDTSCP or RDRAND. Bank 1: 5-level paging (its TSC does not
 * count on its own, so it is not invariant).
 */
#define MSHV_SIM_PROC_FEATURES0						\
	(HV_X64_PROC_FEATURE0_LAHF_SAHF | HV_X64_PROC_FEATURE0_PAGE_1GB | \
	 HV_X64_PROC_FEATURE0_SMEP | HV_X64_PROC_FEATURE0_SMAP)
#define MSHV_SIM_PROC_FEATURES1		HV_X64_PROC_FEATURE1_LA57
#define MSHV_SIM_XSAVE_FEATURES		0ULL

/* xsave components: x87 and SSE are always there, AVX with the feature. */
#define MSHV_SIM_XSTATE_LEGACY		(BIT_ULL(0) | BIT_ULL(1))
#define MSHV_SIM_XSTATE_AVX		BIT_ULL(2)
/* Legacy region and xsave header; the AVX component adds 256 bytes. */
#define MSHV_SIM_XSAVE_LEGACY_SIZE	(512 + 64)
#define MSHV_SIM_XSAVE_AVX_SIZE		256

/* MSHV_SIM_CLOCK_FREQUENCY (sim.h) is also the TSC's rate. */
/* CLFLUSH line size in 8-byte units, as CPUID.1:EBX[15:8] gives it. */
#define MSHV_SIM_CL_FLUSH_SIZE		8
/* The SLAT maps GPAs below 2^52: that is the physical address width. */
#define MSHV_SIM_PHYS_ADDR_WIDTH	(ilog2(MSHV_SIM_GPA_LIMIT_PFN) + 12)
/* The narrowest physical address width a child may be given. */
#define MSHV_SIM_MIN_PHYS_ADDR_WIDTH	32

/* Privileges a simulated partition has (CPUID 0x40000003 layout). */
#define MSHV_SIM_PRIVILEGE_FLAGS				\
	(HV_MSR_VP_RUNTIME_AVAILABLE | HV_MSR_TIME_REF_COUNT_AVAILABLE | \
	 HV_MSR_SYNIC_AVAILABLE | HV_MSR_SYNTIMER_AVAILABLE |	\
	 HV_MSR_APIC_ACCESS_AVAILABLE | HV_MSR_HYPERCALL_AVAILABLE | \
	 HV_MSR_VP_INDEX_AVAILABLE | HV_MSR_REFERENCE_TSC_AVAILABLE | \
	 HV_ACCESS_FREQUENCY_MSRS)

/*
 * The synthetic processor features mshv_sim can give a child
 * (HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES). Modelled:
 * the "Hv#1" interface, the reference counter, the SynIC and synthetic
 * timer registers (direct mode too), the hypercall registers, the VP
 * index and the reference TSC page (vpsynic.c). Accepted though what they
 * grant is not modelled, because Hyper-V gives them to every child and
 * the VMMs that exist set them: the APIC access and guest idle MSRs, the
 * frequency MSRs, and the flush, cluster IPI and VP register hypercalls.
 * A guest that uses those finds an unimplemented MSR or hypercall.
 */
#define MSHV_SIM_SYNTHETIC_MODELLED					\
	(HV_SYNTHETIC_PROC_FEATURE_HYPERVISOR_PRESENT |			\
	 HV_SYNTHETIC_PROC_FEATURE_HV1 |				\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_PARTITION_REFERENCE_COUNTER |	\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_SYNIC_REGS |			\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_SYNTHETIC_TIMER_REGS |	\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_HYPERCALL_REGS |		\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_VP_INDEX |			\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_PARTITION_REFERENCE_TSC |	\
	 HV_SYNTHETIC_PROC_FEATURE_DIRECT_SYNTHETIC_TIMERS)
#define MSHV_SIM_SYNTHETIC_UNMODELLED					\
	(HV_SYNTHETIC_PROC_FEATURE_ACCESS_INTR_CTRL_REGS |		\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_GUEST_IDLE_REG |		\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_FREQUENCY_REGS |		\
	 HV_SYNTHETIC_PROC_FEATURE_TB_FLUSH_HYPERCALLS |		\
	 HV_SYNTHETIC_PROC_FEATURE_SYNTHETIC_CLUSTER_IPI |		\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_VP_REGS)
#define MSHV_SIM_ASSIGNABLE_SYNTHETIC					\
	(MSHV_SIM_SYNTHETIC_MODELLED | MSHV_SIM_SYNTHETIC_UNMODELLED)

/* Default relative weight of a partition's processors. */
#define MSHV_SIM_CPU_WEIGHT_DEFAULT	100
#define MSHV_SIM_CPU_WEIGHT_MAX		10000

/* struct mshv_sim_property.flags */
#define MSHV_SIM_PROP_SET	BIT(0)	/* a parent may write it on a child */
#define MSHV_SIM_PROP_EARLY	BIT(1)	/* before HvInitializePartition only */

/**
 * struct mshv_sim_property - a partition property
 * @code: HV_PARTITION_PROPERTY_* code
 * @flags: MSHV_SIM_PROP_* flags; no MSHV_SIM_PROP_SET: read-only
 * @max: largest value a write may give it, when @set is NULL
 * @initial: the value of a new partition, when @get is NULL
 * @get: computes the value; NULL: the stored one
 * @set: checks and applies a write of a writable property, whose stored
 *	value is *@stored; NULL: a value up to @max is stored
 */
struct mshv_sim_property {
	u32 code;
	u8 flags;
	u64 max;
	u64 initial;
	u64 (*get)(const struct mshv_sim_partition *pt);
	u16 (*set)(struct mshv_sim_partition *pt, u64 *stored, u64 value);
};

/* ---- The processor ---------------------------------------------------- */

/**
 * mshv_sim_processor_features() - a processor feature bank of a partition
 * @pt: the partition (the root or a child)
 * @bank: bank number, below HV_PARTITION_PROCESSOR_FEATURES_BANKS
 *
 * What HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0 + @bank reports: the
 * features of the simulated processor the partition's VPs have.
 *
 * Return: the bank, or 0 for a bank number out of range.
 */
u64 mshv_sim_processor_features(const struct mshv_sim_partition *pt,
				unsigned int bank)
{
	if (bank >= HV_PARTITION_PROCESSOR_FEATURES_BANKS)
		return 0;
	return pt->proc_features[bank];
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_processor_features);

/**
 * mshv_sim_xsave_features() - the xsave features of a partition
 * @pt: the partition
 *
 * Return: HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES of @pt.
 */
u64 mshv_sim_xsave_features(const struct mshv_sim_partition *pt)
{
	return pt->xsave_features;
}

static u64 mshv_sim_xsave_states(const struct mshv_sim_partition *pt)
{
	u64 states = MSHV_SIM_XSTATE_LEGACY;

	if (pt->xsave_features & HV_X64_XSAVE_FEATURE_AVX)
		states |= MSHV_SIM_XSTATE_AVX;
	return states;
}

static u64 mshv_sim_xsave_size(const struct mshv_sim_partition *pt)
{
	u64 size = MSHV_SIM_XSAVE_LEGACY_SIZE;

	if (mshv_sim_xsave_states(pt) & MSHV_SIM_XSTATE_AVX)
		size += MSHV_SIM_XSAVE_AVX_SIZE;
	return size;
}

static u64 mshv_sim_get_features0(const struct mshv_sim_partition *pt)
{
	return pt->proc_features[0];
}

static u64 mshv_sim_get_features1(const struct mshv_sim_partition *pt)
{
	return pt->proc_features[1];
}

static u64 mshv_sim_get_vendor(const struct mshv_sim_partition *pt)
{
	/* A family 6 processor, with Intel's 64-bit semantics. */
	return HV_PROCESSOR_VENDOR_INTEL;
}

static u64 mshv_sim_get_compat(const struct mshv_sim_partition *pt)
{
	return pt->compat_version;
}

static u64 mshv_sim_get_addr_bits(const struct mshv_sim_partition *pt)
{
	return MSHV_SIM_PHYS_ADDR_WIDTH;
}

/* ---- Time ------------------------------------------------------------- */

/**
 * mshv_sim_reference_time() - a partition's reference time
 * @pt: the partition
 *
 * Context: sim->lock held.
 * Return: 100 ns units since @pt was created, less the time it was frozen.
 */
u64 mshv_sim_reference_time(const struct mshv_sim_partition *pt)
{
	if (pt->time_frozen)
		return pt->ref_time_frozen;
	return div_u64(ktime_get_ns() - pt->ref_time_base_ns, 100);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_reference_time);

static u64 mshv_sim_get_time_freeze(const struct mshv_sim_partition *pt)
{
	return pt->time_frozen;
}

static u16 mshv_sim_set_time_freeze(struct mshv_sim_partition *pt,
				    u64 *stored, u64 value)
{
	if (value > 1)
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	if (value == pt->time_frozen)
		return HV_STATUS_SUCCESS;
	if (value) {
		pt->ref_time_frozen = mshv_sim_reference_time(pt);
	} else {
		/* Time goes on from where it stood. */
		pt->ref_time_base_ns = ktime_get_ns() -
				       pt->ref_time_frozen * 100;
	}
	pt->time_frozen = value;
	return HV_STATUS_SUCCESS;
}

/* The reference time may be changed while it stands still. */
static u16 mshv_sim_set_reference_time(struct mshv_sim_partition *pt,
				       u64 *stored, u64 value)
{
	if (!pt->time_frozen)
		return HV_STATUS_INVALID_PARTITION_STATE;
	pt->ref_time_frozen = value;
	return HV_STATUS_SUCCESS;
}

/* ---- Writes with rules of their own ------------------------------------ */

/* Privileges may be taken away, not added. */
static u16 mshv_sim_set_privileges(struct mshv_sim_partition *pt,
				   u64 *stored, u64 value)
{
	if (value & ~MSHV_SIM_PRIVILEGE_FLAGS)
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	*stored = value;
	return HV_STATUS_SUCCESS;
}

/*
 * Reserved bits are out of range; a feature the hypervisor cannot assign
 * (not in ASSIGNABLE_SYNTHETIC_PROC_FEATURES) is an invalid parameter.
 */
static u16 mshv_sim_set_synthetic(struct mshv_sim_partition *pt,
				  u64 *stored, u64 value)
{
	if (value & HV_SYNTHETIC_PROC_FEATURES_RESERVED)
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	if (value & ~MSHV_SIM_ASSIGNABLE_SYNTHETIC)
		return HV_STATUS_INVALID_PARAMETER;
	*stored = value;
	return HV_STATUS_SUCCESS;
}

/* A child's guest physical address space may be narrower than the root's. */
static u16 mshv_sim_set_addr_width(struct mshv_sim_partition *pt,
				   u64 *stored, u64 value)
{
	if (value < MSHV_SIM_MIN_PHYS_ADDR_WIDTH ||
	    value > MSHV_SIM_PHYS_ADDR_WIDTH)
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	*stored = value;
	return HV_STATUS_SUCCESS;
}

static u16 mshv_sim_set_cpu_weight(struct mshv_sim_partition *pt,
				   u64 *stored, u64 value)
{
	if (!value || value > MSHV_SIM_CPU_WEIGHT_MAX)
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	*stored = value;
	return HV_STATUS_SUCCESS;
}

/* ---- The table --------------------------------------------------------- */

#define RO(c, v)	{ .code = (c), .initial = (v) }
#define RO_GET(c, f)	{ .code = (c), .get = (f) }
#define RW(c, m, v)	{ .code = (c), .flags = MSHV_SIM_PROP_SET, \
			  .max = (m), .initial = (v) }
#define RW_EARLY(c, m, v) { .code = (c), \
			  .flags = MSHV_SIM_PROP_SET | MSHV_SIM_PROP_EARLY, \
			  .max = (m), .initial = (v) }

static const struct mshv_sim_property mshv_sim_properties[] = {
	/* Privilege properties */
	{ .code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
	  .flags = MSHV_SIM_PROP_SET | MSHV_SIM_PROP_EARLY,
	  .initial = MSHV_SIM_PRIVILEGE_FLAGS,
	  .set = mshv_sim_set_privileges },
	{ .code = HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
	  .flags = MSHV_SIM_PROP_SET | MSHV_SIM_PROP_EARLY,
	  .set = mshv_sim_set_synthetic },

	/* Scheduling properties: kept, the root schedules the VPs */
	RW(HV_PARTITION_PROPERTY_SUSPEND, 1, 0),
	RW(HV_PARTITION_PROPERTY_CPU_RESERVE, U64_MAX, 0),
	RW(HV_PARTITION_PROPERTY_CPU_CAP, U64_MAX, 0),
	{ .code = HV_PARTITION_PROPERTY_CPU_WEIGHT,
	  .flags = MSHV_SIM_PROP_SET,
	  .initial = MSHV_SIM_CPU_WEIGHT_DEFAULT,
	  .set = mshv_sim_set_cpu_weight },
	RW(HV_PARTITION_PROPERTY_CPU_GROUP_ID, U64_MAX, 0),
	RO(HV_PARTITION_PROPERTY_INTEGRATED_SCHEDULER_ENABLED, 0),

	/* Time properties */
	{ .code = HV_PARTITION_PROPERTY_TIME_FREEZE,
	  .flags = MSHV_SIM_PROP_SET,
	  .get = mshv_sim_get_time_freeze,
	  .set = mshv_sim_set_time_freeze },
	{ .code = HV_PARTITION_PROPERTY_REFERENCE_TIME,
	  .flags = MSHV_SIM_PROP_SET,
	  .get = mshv_sim_reference_time,
	  .set = mshv_sim_set_reference_time },

	/* Resource properties */
	RW(HV_PARTITION_PROPERTY_VIRTUAL_TLB_PAGE_COUNT, U64_MAX, 0),
	RO(HV_PARTITION_PROPERTY_VSM_CONFIG, 0),
	RW(HV_PARTITION_PROPERTY_ZERO_MEMORY_ON_RESET, 1, 0),
	RW(HV_PARTITION_PROPERTY_PROCESSORS_PER_SOCKET, MSHV_SIM_MAX_VPS,
	   MSHV_SIM_MAX_VPS),
	RW(HV_PARTITION_PROPERTY_NESTED_TLB_SIZE, U64_MAX, 0),
	RW(HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING, 1, 0),
	RO(HV_PARTITION_PROPERTY_VSM_PERMISSIONS_DIRTY_SINCE_LAST_QUERY, 0),
	RO(HV_PARTITION_PROPERTY_ISOLATION_STATE, 0),
	RO(HV_PARTITION_PROPERTY_ISOLATION_CONTROL, 0),
	RW(HV_PARTITION_PROPERTY_ALLOCATION_ID, U64_MAX, 0),
	RW(HV_PARTITION_PROPERTY_MONITORING_ID, U64_MAX, 0),
	RO_GET(HV_PARTITION_PROPERTY_IMPLEMENTED_PHYSICAL_ADDRESS_BITS,
	       mshv_sim_get_addr_bits),
	RO(HV_PARTITION_PROPERTY_NON_ARCHITECTURAL_CORE_SHARING, 0),
	RW_EARLY(HV_PARTITION_PROPERTY_HYPERCALL_DOORBELL_PAGE, U64_MAX, 0),
	RO(HV_PARTITION_PROPERTY_ISOLATION_POLICY, 0),
	RW(HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
	   HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO,
	   HV_UNIMPLEMENTED_MSR_ACTION_FAULT),
	RO(HV_PARTITION_PROPERTY_SEV_VMGEXIT_OFFLOADS, 0),
	RW_EARLY(HV_PARTITION_PROPERTY_PARTITION_DIAG_BUFFER_CONFIG, U64_MAX,
		 0),

	/* Compatibility properties */
	RO_GET(HV_PARTITION_PROPERTY_PROCESSOR_VENDOR, mshv_sim_get_vendor),
	RO_GET(HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
	       mshv_sim_xsave_features),
	RO(HV_PARTITION_PROPERTY_PROCESSOR_CL_FLUSH_SIZE,
	   MSHV_SIM_CL_FLUSH_SIZE),
	RW(HV_PARTITION_PROPERTY_ENLIGHTENMENT_MODIFICATIONS, U64_MAX, 0),
	RO_GET(HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION,
	       mshv_sim_get_compat),
	{ .code = HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH,
	  .flags = MSHV_SIM_PROP_SET | MSHV_SIM_PROP_EARLY,
	  .initial = MSHV_SIM_PHYS_ADDR_WIDTH,
	  .set = mshv_sim_set_addr_width },
	RO_GET(HV_PARTITION_PROPERTY_XSAVE_STATES, mshv_sim_xsave_states),
	RO_GET(HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE, mshv_sim_xsave_size),
	RO(HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY,
	   MSHV_SIM_CLOCK_FREQUENCY),
	RO_GET(HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0,
	       mshv_sim_get_features0),
	RO_GET(HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1,
	       mshv_sim_get_features1),

	/* Guest software properties: no guest OS id MSR is simulated */
	RO(HV_PARTITION_PROPERTY_GUEST_OS_ID, 0),

	/* Nested virtualization properties: no VMX */
	RO(HV_PARTITION_PROPERTY_PROCESSOR_VIRTUALIZATION_FEATURES, 0),
};

static_assert(ARRAY_SIZE(mshv_sim_properties) == MSHV_SIM_NR_PROPERTIES);

/**
 * mshv_sim_property_index() - where a property is in the table
 * @code: HV_PARTITION_PROPERTY_* code
 *
 * Return: the index into struct mshv_sim_partition.props, or -ENOENT.
 */
int mshv_sim_property_index(u32 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mshv_sim_properties); i++)
		if (mshv_sim_properties[i].code == code)
			return i;
	return -ENOENT;
}

/**
 * mshv_sim_props_init() - give a new partition its properties
 * @pt: the partition; its creation time is now
 * @root: the root partition, whose processor a child inherits; NULL when
 *	@pt is the root
 * @cr: what HvCreatePartition disabled (children only)
 */
void mshv_sim_props_init(struct mshv_sim_partition *pt,
			 const struct mshv_sim_partition *root,
			 const struct hv_partition_creation_properties *cr)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mshv_sim_properties); i++)
		pt->props[i] = mshv_sim_properties[i].initial;
	if (!root) {
		pt->proc_features[0] = MSHV_SIM_PROC_FEATURES0;
		pt->proc_features[1] = MSHV_SIM_PROC_FEATURES1;
		pt->xsave_features = MSHV_SIM_XSAVE_FEATURES;
		pt->compat_version = HV_COMPATIBILITY_21_H2;
	} else {
		for (i = 0; i < HV_PARTITION_PROCESSOR_FEATURES_BANKS; i++)
			pt->proc_features[i] = root->proc_features[i] &
				~cr->disabled_processor_features[i];
		pt->xsave_features = root->xsave_features &
				     ~cr->disabled_processor_xsave_features;
	}
	pt->time_frozen = 0;
	pt->ref_time_frozen = 0;
	pt->ref_time_base_ns = ktime_get_ns();
}

static u64 mshv_sim_prop_value(const struct mshv_sim_partition *pt, int idx)
{
	const struct mshv_sim_property *prop = &mshv_sim_properties[idx];

	return prop->get ? prop->get(pt) : pt->props[idx];
}

/**
 * mshv_sim_property() - the value of a partition property
 * @pt: the partition
 * @code: HV_PARTITION_PROPERTY_* code
 *
 * Return: the value, or 0 for a property the simulator does not know.
 */
u64 mshv_sim_property(const struct mshv_sim_partition *pt, u32 code)
{
	int idx = mshv_sim_property_index(code);

	return idx < 0 ? 0 : mshv_sim_prop_value(pt, idx);
}

static bool mshv_sim_pt_is_root(const struct mshv_sim *sim,
				const struct mshv_sim_partition *pt)
{
	return pt == &sim->root;
}

/*
 * Read property @code of @pt into @value: the rules of the hypercalls
 * that read a 64-bit property.
 */
static u16 mshv_sim_property_read(const struct mshv_sim *sim,
				  const struct mshv_sim_partition *pt,
				  u32 code, u64 *value)
{
	int idx;

	if (!mshv_sim_pt_is_root(sim, pt) && pt->state == MSHV_SIM_PT_FINALIZED)
		return HV_STATUS_INVALID_PARTITION_STATE;
	idx = mshv_sim_property_index(code);
	if (idx < 0)
		return HV_STATUS_UNKNOWN_PROPERTY;
	*value = mshv_sim_prop_value(pt, idx);
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_property_check() - may property @code of @pt be written now?
 * @sim: the instance
 * @pt: the partition
 * @code: HV_PARTITION_PROPERTY_* code
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_SUCCESS, or why the write must fail whatever the
 * value.
 */
u16 mshv_sim_property_check(const struct mshv_sim *sim,
			    const struct mshv_sim_partition *pt, u32 code)
{
	const struct mshv_sim_property *prop;
	int idx;

	/* The extended properties describe the hypervisor: read-only. */
	if (code == HV_PARTITION_PROPERTY_VMM_CAPABILITIES ||
	    code == HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES)
		return HV_STATUS_ACCESS_DENIED;
	idx = mshv_sim_property_index(code);
	if (idx < 0)
		return HV_STATUS_UNKNOWN_PROPERTY;
	prop = &mshv_sim_properties[idx];
	/* The root's properties describe the machine: nobody changes them. */
	if (!(prop->flags & MSHV_SIM_PROP_SET) || mshv_sim_pt_is_root(sim, pt))
		return HV_STATUS_ACCESS_DENIED;
	if (prop->flags & MSHV_SIM_PROP_EARLY) {
		if (pt->state != MSHV_SIM_PT_CREATED)
			return HV_STATUS_INVALID_PARTITION_STATE;
	} else if (pt->state != MSHV_SIM_PT_INITIALIZED) {
		return HV_STATUS_INVALID_PARTITION_STATE;
	}
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_property_write() - write property @code of @pt
 * @sim: the instance
 * @pt: the partition
 * @code: HV_PARTITION_PROPERTY_* code
 * @value: the new value
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result; the property is unchanged unless it is
 * HV_STATUS_SUCCESS.
 */
u16 mshv_sim_property_write(struct mshv_sim *sim,
			    struct mshv_sim_partition *pt, u32 code, u64 value)
{
	const struct mshv_sim_property *prop;
	u16 status;
	int idx;

	status = mshv_sim_property_check(sim, pt, code);
	if (status)
		return status;
	idx = mshv_sim_property_index(code);
	prop = &mshv_sim_properties[idx];
	if (prop->set) {
		status = prop->set(pt, &pt->props[idx], value);
		/* Its synthetic timers and TSC pages follow its time. */
		if (!status && (code == HV_PARTITION_PROPERTY_TIME_FREEZE ||
				code == HV_PARTITION_PROPERTY_REFERENCE_TIME)) {
			mshv_sim_stimer_rearm(sim);
			mshv_sim_pt_ref_tsc_update(pt);
		}
		return status;
	}
	if (value > prop->max)
		return HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE;
	pt->props[idx] = value;
	return HV_STATUS_SUCCESS;
}

/* ---- Hypercalls --------------------------------------------------------- */

/**
 * mshv_sim_get_property() - HvGetPartitionProperty
 * @sim: the instance
 * @call: the decoded call
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_get_property(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_get_partition_property *in = call->in;
	struct hv_output_get_partition_property *out = call->out;
	struct mshv_sim_partition *pt;

	if (in->padding)
		return HV_STATUS_INVALID_PARAMETER;
	pt = mshv_sim_find(sim, in->partition_id, true);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	return mshv_sim_property_read(sim, pt, in->property_code,
				      &out->property_value);
}

/**
 * mshv_sim_get_property_ex() - HvGetPartitionPropertyEx
 * @sim: the instance
 * @call: the decoded call
 *
 * The 64-bit properties, written as a u64 at the start of the output, and
 * for the root itself HV_PARTITION_PROPERTY_VMM_CAPABILITIES (one bank,
 * from the vmm_caps knob) and, when those announce it,
 * HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES (a u64). No
 * property the simulator has takes the argument, which is ignored.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_get_property_ex(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_get_partition_property_ex *in = call->in;
	struct hv_partition_property_vmm_capabilities *caps = call->out;
	struct mshv_sim_partition *pt;
	u64 *value = call->out;

	if (in->padding)
		return HV_STATUS_INVALID_PARAMETER;
	pt = mshv_sim_find(sim, in->partition_id, true);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (in->property_code == HV_PARTITION_PROPERTY_VMM_CAPABILITIES) {
		if (!mshv_sim_pt_is_root(sim, pt))
			return HV_STATUS_UNKNOWN_PROPERTY;
		caps->bank_count = 1;
		caps->bank0 = READ_ONCE(sim->knobs[MSHV_SIM_KNOB_VMM_CAPS]);
		return HV_STATUS_SUCCESS;
	}
	if (in->property_code ==
	    HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES) {
		if (!mshv_sim_pt_is_root(sim, pt) ||
		    !(READ_ONCE(sim->knobs[MSHV_SIM_KNOB_VMM_CAPS]) &
		      HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES))
			return HV_STATUS_UNKNOWN_PROPERTY;
		*value = MSHV_SIM_ASSIGNABLE_SYNTHETIC;
		return HV_STATUS_SUCCESS;
	}
	return mshv_sim_property_read(sim, pt, in->property_code, value);
}
