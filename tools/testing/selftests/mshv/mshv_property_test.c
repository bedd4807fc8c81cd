// SPDX-License-Identifier: GPL-2.0
/*
 * Partition properties through MSHV_ROOT_HVCALL: every x64 property code,
 * read and written on a child partition before and after
 * MSHV_INITIALIZE_PARTITION, and read on the root through /dev/mshv, with
 * the hypervisor status each call returns.
 *
 * The rules (who may write what, and when) hold on Hyper-V and on the
 * simulator. The values only the simulator defines (its processor's
 * feature bits) are compared with its debugfs files, and skipped when it
 * is not there.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "mshv_test.h"

/* Short names of the property codes (hv_tlfs.h) the table uses. */
#define PROP_SUSPEND			HV_PARTITION_PROPERTY_SUSPEND
#define PROP_CPU_RESERVE		HV_PARTITION_PROPERTY_CPU_RESERVE
#define PROP_CPU_CAP			HV_PARTITION_PROPERTY_CPU_CAP
#define PROP_CPU_WEIGHT			HV_PARTITION_PROPERTY_CPU_WEIGHT
#define PROP_CPU_GROUP_ID		HV_PARTITION_PROPERTY_CPU_GROUP_ID
#define PROP_INTEGRATED_SCHEDULER_ENABLED	HV_PARTITION_PROPERTY_INTEGRATED_SCHEDULER_ENABLED
#define PROP_TIME_FREEZE		HV_PARTITION_PROPERTY_TIME_FREEZE
#define PROP_REFERENCE_TIME		HV_PARTITION_PROPERTY_REFERENCE_TIME
#define PROP_VIRTUAL_TLB_PAGE_COUNT	HV_PARTITION_PROPERTY_VIRTUAL_TLB_PAGE_COUNT
#define PROP_VSM_CONFIG			HV_PARTITION_PROPERTY_VSM_CONFIG
#define PROP_ZERO_MEMORY_ON_RESET	HV_PARTITION_PROPERTY_ZERO_MEMORY_ON_RESET
#define PROP_PROCESSORS_PER_SOCKET	HV_PARTITION_PROPERTY_PROCESSORS_PER_SOCKET
#define PROP_NESTED_TLB_SIZE		HV_PARTITION_PROPERTY_NESTED_TLB_SIZE
#define PROP_VSM_PERMISSIONS_DIRTY	HV_PARTITION_PROPERTY_VSM_PERMISSIONS_DIRTY
#define PROP_ISOLATION_STATE		HV_PARTITION_PROPERTY_ISOLATION_STATE
#define PROP_ISOLATION_CONTROL		HV_PARTITION_PROPERTY_ISOLATION_CONTROL
#define PROP_ALLOCATION_ID		HV_PARTITION_PROPERTY_ALLOCATION_ID
#define PROP_MONITORING_ID		HV_PARTITION_PROPERTY_MONITORING_ID
#define PROP_IMPLEMENTED_PA_BITS	HV_PARTITION_PROPERTY_IMPLEMENTED_PA_BITS
#define PROP_NON_ARCH_CORE_SHARING	HV_PARTITION_PROPERTY_NON_ARCH_CORE_SHARING
#define PROP_HYPERCALL_DOORBELL_PAGE	HV_PARTITION_PROPERTY_HYPERCALL_DOORBELL_PAGE
#define PROP_ISOLATION_POLICY		HV_PARTITION_PROPERTY_ISOLATION_POLICY
#define PROP_SEV_VMGEXIT_OFFLOADS	HV_PARTITION_PROPERTY_SEV_VMGEXIT_OFFLOADS
#define PROP_DIAG_BUFFER_CONFIG		HV_PARTITION_PROPERTY_DIAG_BUFFER_CONFIG
#define PROP_GICD_BASE_ADDRESS		HV_PARTITION_PROPERTY_GICD_BASE_ADDRESS
#define PROP_PROCESSOR_VENDOR		HV_PARTITION_PROPERTY_PROCESSOR_VENDOR
#define PROP_PROCESSOR_FEATURES_DEPRECATED	HV_PARTITION_PROPERTY_PROCESSOR_FEATURES_DEPRECATED
#define PROP_CL_FLUSH_SIZE		HV_PARTITION_PROPERTY_CL_FLUSH_SIZE
#define PROP_ENLIGHTENMENT_MODIFICATIONS	HV_PARTITION_PROPERTY_ENLIGHTENMENT_MODIFICATIONS
#define PROP_COMPATIBILITY_VERSION	HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION
#define PROP_PHYSICAL_ADDRESS_WIDTH	HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH
#define PROP_PROCESSOR_FEATURES0	HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0
#define PROP_PROCESSOR_FEATURES1	HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1
#define PROP_GUEST_OS_ID		HV_PARTITION_PROPERTY_GUEST_OS_ID
#define PROP_VIRTUALIZATION_FEATURES	HV_PARTITION_PROPERTY_VIRTUALIZATION_FEATURES
#define PROP_VMM_CAPABILITIES		HV_PARTITION_PROPERTY_VMM_CAPABILITIES
#define PROP_ASSIGNABLE_SYNTHETIC	HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC

/* Synthetic processor features 54-63 are reserved. */
#define SYNTHETIC_RESERVED		(0x3ffULL << 54)

/* What a parent may do with a property of a child. */
enum prop_access {
	RO,		/* read only: writes fail with ACCESS_DENIED */
	EARLY,		/* written before MSHV_INITIALIZE_PARTITION only */
	LATE,		/* written after MSHV_INITIALIZE_PARTITION only */
};

/**
 * struct prop_case - a property code and its rule
 * @code: HV_PARTITION_PROPERTY_* code
 * @name: for the log
 * @access: enum prop_access
 * @value: a value a write may give it (writable properties); KEEP: the
 *	value it has
 */
struct prop_case {
	__u32 code;
	const char *name;
	enum prop_access access;
	__u64 value;
};

#define KEEP		(~0ULL)
#define P(c, a, v)	{ c, #c, a, v }

static const struct prop_case props[] = {
	P(HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, EARLY, KEEP),
	P(HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, EARLY, 0x3),
	P(PROP_SUSPEND, LATE, 0),
	P(PROP_CPU_RESERVE, LATE, 0),
	P(PROP_CPU_CAP, LATE, 0),
	P(PROP_CPU_WEIGHT, LATE, 100),
	P(PROP_CPU_GROUP_ID, LATE, 0),
	P(PROP_INTEGRATED_SCHEDULER_ENABLED, RO, 0),
	P(PROP_TIME_FREEZE, LATE, 0),
	P(PROP_VIRTUAL_TLB_PAGE_COUNT, LATE, 0),
	P(PROP_VSM_CONFIG, RO, 0),
	P(PROP_ZERO_MEMORY_ON_RESET, LATE, 1),
	P(PROP_PROCESSORS_PER_SOCKET, LATE, 4),
	P(PROP_NESTED_TLB_SIZE, LATE, 0),
	P(HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING, LATE, 1),
	P(PROP_VSM_PERMISSIONS_DIRTY, RO, 0),
	P(PROP_ISOLATION_STATE, RO, 0),
	P(PROP_ISOLATION_CONTROL, RO, 0),
	P(PROP_ALLOCATION_ID, LATE, 0),
	P(PROP_MONITORING_ID, LATE, 0),
	P(PROP_IMPLEMENTED_PA_BITS, RO, 0),
	P(PROP_NON_ARCH_CORE_SHARING, RO, 0),
	P(PROP_HYPERCALL_DOORBELL_PAGE, EARLY, 0),
	P(PROP_ISOLATION_POLICY, RO, 0),
	P(HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, LATE, 1),
	P(PROP_SEV_VMGEXIT_OFFLOADS, RO, 0),
	P(PROP_DIAG_BUFFER_CONFIG, EARLY, 0),
	P(PROP_PROCESSOR_VENDOR, RO, 0),
	P(HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES, RO, 0),
	P(PROP_CL_FLUSH_SIZE, RO, 0),
	P(PROP_ENLIGHTENMENT_MODIFICATIONS, LATE, 0),
	P(PROP_COMPATIBILITY_VERSION, RO, 0),
	P(PROP_PHYSICAL_ADDRESS_WIDTH, EARLY, 40),
	P(HV_PARTITION_PROPERTY_XSAVE_STATES, RO, 0),
	P(HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE, RO, 0),
	P(HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY, RO, 0),
	P(PROP_PROCESSOR_FEATURES0, RO, 0),
	P(PROP_PROCESSOR_FEATURES1, RO, 0),
	P(PROP_GUEST_OS_ID, RO, 0),
	P(PROP_VIRTUALIZATION_FEATURES, RO, 0),
};

/* Codes the simulator does not know on x64: ARM64's, and retired ones. */
static const __u32 sim_unknown[] = {
	PROP_GICD_BASE_ADDRESS,
	PROP_PROCESSOR_FEATURES_DEPRECATED,
};

/* Properties VMMs read from the root before they create a partition. */
static const __u32 root_reads[] = {
	HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
	PROP_PROCESSOR_VENDOR,
	PROP_PROCESSOR_FEATURES0,
	PROP_PROCESSOR_FEATURES1,
	HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
	HV_PARTITION_PROPERTY_XSAVE_STATES,
	HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
	HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY,
	PROP_CL_FLUSH_SIZE,
	PROP_PHYSICAL_ADDRESS_WIDTH,
};

/* A code no hypervisor knows. */
#define PROP_UNKNOWN				0x00012345

static int get_status(int fd, __u32 code, __u64 *value, __u16 *status)
{
	*status = 0xffff;
	return mshv_get_property(fd, code, value, status);
}

static int set_status(int fd, __u32 code, __u64 value, __u16 *status)
{
	*status = 0xffff;
	return mshv_set_property(fd, code, value, status);
}

/* HvGetPartitionPropertyEx of a 64-bit property through @fd. */
static int get_ex(int fd, __u32 code, __u64 *value, __u16 *status)
{
	__u64 out[2] = { 0, 0 };
	int ret = mshv_get_property_ex(fd, code, out, sizeof(out), status);

	*value = out[0];
	return ret;
}

static int create_v2(int dev, __u64 bank0, __u64 bank1, __u64 xsave)
{
	struct mshv_create_partition_v2 args;
	int fd;

	memset(&args, 0, sizeof(args));
	args.pt_flags = (1ULL << MSHV_PT_BIT_LAPIC) |
			(1ULL << MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES);
	args.pt_num_cpu_fbanks = MSHV_NUM_CPU_FEATURES_BANKS;
	args.pt_cpu_fbanks[0] = bank0;
	args.pt_cpu_fbanks[1] = bank1;
	args.pt_disabled_xsave = xsave;
	fd = ioctl(dev, MSHV_CREATE_PARTITION, &args);
	return fd < 0 ? -errno : fd;
}

FIXTURE(prop) {
	int dev;
	int pt;
};

FIXTURE_SETUP(prop)
{
	self->pt = -1;
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	self->pt = mshv_create_partition(self->dev, 1ULL << MSHV_PT_BIT_LAPIC,
					 MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, self->pt);
}

FIXTURE_TEARDOWN(prop)
{
	if (self->pt >= 0)
		close(self->pt);
	if (self->dev >= 0)
		close(self->dev);
}

/*
 * Write every property of a child before and after initialization: early
 * ones take a write only before, the others only after
 * (HV_STATUS_INVALID_PARTITION_STATE otherwise), read-only ones never
 * (HV_STATUS_ACCESS_DENIED); a refused write changes nothing.
 */
static void check_writes(struct __test_metadata *_metadata, int pt,
			 bool initialized, bool sim)
{
	const struct prop_case *p;
	__u64 before, after, value;
	unsigned int i;
	__u16 status;
	__u16 want;
	int ret;

	for (i = 0; i < ARRAY_SIZE(props); i++) {
		p = &props[i];
		ret = get_status(pt, p->code, &before, &status);
		if (!sim && status == HV_STATUS_UNKNOWN_PROPERTY) {
			TH_LOG("%s: not known to this hypervisor", p->name);
			continue;
		}
		ASSERT_EQ(0, ret) TH_LOG("%s: status %#x", p->name, status);
		EXPECT_EQ(HV_STATUS_SUCCESS, status);

		if (p->access == RO)
			want = HV_STATUS_ACCESS_DENIED;
		else if ((p->access == EARLY) == !initialized)
			want = HV_STATUS_SUCCESS;
		else
			want = HV_STATUS_INVALID_PARTITION_STATE;
		if (p->access == RO)
			value = before + 1;
		else if (p->value == KEEP)
			value = before;
		else
			value = p->value;
		ret = set_status(pt, p->code, value, &status);
		EXPECT_EQ(want, status)
			TH_LOG("%s %s initialization", p->name,
			       initialized ? "after" : "before");
		EXPECT_EQ(want == HV_STATUS_SUCCESS, ret == 0)
			TH_LOG("%s: ret %d", p->name, ret);
		if (want == HV_STATUS_ACCESS_DENIED)
			EXPECT_EQ(-EACCES, ret);
		if (want == HV_STATUS_INVALID_PARTITION_STATE)
			EXPECT_EQ(-EBADFD, ret);

		ASSERT_EQ(0, get_status(pt, p->code, &after, &status));
		EXPECT_EQ(want == HV_STATUS_SUCCESS ? value : before, after)
			TH_LOG("%s", p->name);
	}
}

TEST_F(prop, child_before_and_after_initialize)
{
	bool sim = sim_present();
	__u64 value;
	unsigned int i;
	__u16 status;

	check_writes(_metadata, self->pt, false, sim);
	ASSERT_EQ(0, mshv_initialize_partition(self->pt));
	check_writes(_metadata, self->pt, true, sim);

	/* Unknown codes, both ways, in both calls. */
	EXPECT_EQ(-EINVAL, get_status(self->pt, PROP_UNKNOWN, &value,
				      &status));
	EXPECT_EQ(HV_STATUS_UNKNOWN_PROPERTY, status);
	EXPECT_EQ(-EINVAL, set_status(self->pt, PROP_UNKNOWN, 0, &status));
	EXPECT_EQ(HV_STATUS_UNKNOWN_PROPERTY, status);
	EXPECT_EQ(-EINVAL, get_ex(self->pt, PROP_UNKNOWN, &value, &status));
	EXPECT_EQ(HV_STATUS_UNKNOWN_PROPERTY, status);
	if (!sim)
		return;
	for (i = 0; i < ARRAY_SIZE(sim_unknown); i++) {
		EXPECT_EQ(-EINVAL, get_status(self->pt, sim_unknown[i], &value,
					      &status));
		EXPECT_EQ(HV_STATUS_UNKNOWN_PROPERTY, status)
			TH_LOG("code %#x", sim_unknown[i]);
	}
}

/*
 * The root's properties, read through /dev/mshv with both calls the
 * passthrough allows there; writing is not allowed on /dev/mshv.
 */
TEST_F(prop, root_on_device)
{
	__u64 value, ex, sim_value;
	unsigned int i;
	__u16 status;

	for (i = 0; i < ARRAY_SIZE(root_reads); i++) {
		ASSERT_EQ(0, get_status(self->dev, root_reads[i], &value,
					&status))
			TH_LOG("code %#x: status %#x", root_reads[i], status);
		EXPECT_EQ(HV_STATUS_SUCCESS, status);
		ASSERT_EQ(0, get_ex(self->dev, root_reads[i], &ex, &status))
			TH_LOG("code %#x: status %#x", root_reads[i], status);
		EXPECT_EQ(value, ex) TH_LOG("code %#x", root_reads[i]);
	}
	EXPECT_EQ(-EINVAL, set_status(self->dev, PROP_TIME_FREEZE, 1,
				      &status));
	EXPECT_EQ(0, status);

	/* The root has every property a child has. */
	for (i = 0; i < ARRAY_SIZE(props); i++) {
		get_status(self->dev, props[i].code, &value, &status);
		if (!sim_present() && status == HV_STATUS_UNKNOWN_PROPERTY) {
			TH_LOG("%s: not known to this hypervisor", props[i].name);
			continue;
		}
		EXPECT_EQ(HV_STATUS_SUCCESS, status) TH_LOG("%s", props[i].name);
	}
	ASSERT_EQ(0, get_status(self->dev, PROP_REFERENCE_TIME, &value,
				&status));
	EXPECT_NE(0ULL, value);

	if (!sim_present())
		return;
	ASSERT_EQ(0, get_status(self->dev, PROP_PROCESSOR_FEATURES0, &value,
				&status));
	ASSERT_EQ(0, sim_read_u64("processor_features0", &sim_value));
	EXPECT_EQ(sim_value, value);
	ASSERT_EQ(0, get_status(self->dev, PROP_PROCESSOR_FEATURES1, &value,
				&status));
	ASSERT_EQ(0, sim_read_u64("processor_features1", &sim_value));
	EXPECT_EQ(sim_value, value);
	ASSERT_EQ(0, get_status(self->dev,
				HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
				&value, &status));
	ASSERT_EQ(0, sim_read_u64("processor_xsave_features", &sim_value));
	EXPECT_EQ(sim_value, value);
	/* The simulated processor has the legacy xsave components only. */
	ASSERT_EQ(0, get_status(self->dev, HV_PARTITION_PROPERTY_XSAVE_STATES,
				&value, &status));
	EXPECT_EQ(0x3ULL, value);
	ASSERT_EQ(0, get_status(self->dev,
				HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
				&value, &status));
	EXPECT_EQ(512ULL + 64, value);
}

/*
 * A child has at most the root's processor features less those its
 * creation disabled; on the simulator, exactly those.
 */
TEST_F(prop, child_features_from_root)
{
	__u64 root[2], xroot, child[2], xchild, disabled[2];
	bool sim = sim_present();
	unsigned int bank;
	__u16 status;
	int pt;

	for (bank = 0; bank < 2; bank++)
		ASSERT_EQ(0, get_status(self->dev,
					PROP_PROCESSOR_FEATURES0 + bank,
					&root[bank], &status));
	ASSERT_EQ(0, get_status(self->dev,
				HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
				&xroot, &status));

	/* Disable the lowest feature the root has in each bank. */
	for (bank = 0; bank < 2; bank++)
		disabled[bank] = root[bank] & -root[bank];
	pt = create_v2(self->dev, disabled[0], disabled[1], xroot);
	ASSERT_LE(0, pt);
	for (bank = 0; bank < 2; bank++) {
		ASSERT_EQ(0, get_status(pt, PROP_PROCESSOR_FEATURES0 + bank,
					&child[bank], &status));
		EXPECT_EQ(0ULL, child[bank] & ~(root[bank] & ~disabled[bank]))
			TH_LOG("bank %u", bank);
		if (sim)
			EXPECT_EQ(root[bank] & ~disabled[bank], child[bank]);
	}
	ASSERT_EQ(0, get_status(pt,
				HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
				&xchild, &status));
	EXPECT_EQ(0ULL, xchild);
	close(pt);

	/* Nothing disabled: on the simulator, the root's processor. */
	pt = create_v2(self->dev, 0, 0, 0);
	ASSERT_LE(0, pt);
	for (bank = 0; bank < 2; bank++) {
		ASSERT_EQ(0, get_status(pt, PROP_PROCESSOR_FEATURES0 + bank,
					&child[bank], &status));
		EXPECT_EQ(0ULL, child[bank] & ~root[bank]);
		if (sim)
			EXPECT_EQ(root[bank], child[bank]);
	}
	close(pt);
}

/*
 * The root's assignable synthetic processor features, an extended
 * property the VMM capabilities announce: read on /dev/mshv with
 * HvGetPartitionPropertyEx only, never written, and the bound of what a
 * child's SYNTHETIC_PROC_FEATURES may hold.
 */
TEST_F(prop, assignable_synthetic_features)
{
	struct {
		__u16 bank_count;
		__u16 reserved[3];
		__u64 bank0;
	} caps;
	__u64 assignable, value, outside;
	__u16 status;
	int ret;

	ret = mshv_get_property_ex(self->dev, PROP_VMM_CAPABILITIES, &caps,
				   sizeof(caps), &status);
	if (ret || !(caps.bank0 & HV_VMM_CAP_ASSIGNABLE_SYNTHETIC)) {
		EXPECT_FALSE(sim_present())
			TH_LOG("the simulator announces the property");
		SKIP(return, "no assignable synthetic features announced");
	}
	ASSERT_EQ(0, get_ex(self->dev, PROP_ASSIGNABLE_SYNTHETIC, &assignable,
			    &status))
		TH_LOG("status %#x", status);
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	EXPECT_EQ(0x3ULL, assignable & 0x3ULL);	/* present, "Hv#1" */
	EXPECT_EQ(0ULL, assignable & SYNTHETIC_RESERVED);

	/* Read-only, on a child as on the root. */
	EXPECT_EQ(-EACCES, set_status(self->pt, PROP_ASSIGNABLE_SYNTHETIC, 0,
				      &status));
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED, status);

	/* A child may be given all of them... */
	ASSERT_EQ(0, set_status(self->pt,
				HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
				assignable, &status))
		TH_LOG("status %#x", status);
	ASSERT_EQ(0, get_status(self->pt,
				HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
				&value, &status));
	EXPECT_EQ(assignable, value);

	/* ...and no other feature. */
	outside = ~assignable & ~SYNTHETIC_RESERVED;
	if (!outside)
		return;
	outside &= -outside;
	EXPECT_NE(0, set_status(self->pt,
				HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
				assignable | outside, &status))
		TH_LOG("feature %#llx", (unsigned long long)outside);
	if (sim_present())
		EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	ASSERT_EQ(0, get_status(self->pt,
				HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
				&value, &status));
	EXPECT_EQ(assignable, value);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_nsec = ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* The reference time stands still while the partition's time is frozen. */
TEST_F(prop, time_freeze)
{
	__u64 t1, t2, t3;
	__u16 status;

	ASSERT_EQ(0, mshv_initialize_partition(self->pt));
	ASSERT_EQ(0, get_status(self->pt, PROP_REFERENCE_TIME, &t1, &status));
	sleep_ms(5);
	ASSERT_EQ(0, get_status(self->pt, PROP_REFERENCE_TIME, &t2, &status));
	EXPECT_LT(t1, t2);

	/* The simulator only sets the reference time while it is frozen. */
	if (sim_present()) {
		EXPECT_EQ(-EBADFD, set_status(self->pt, PROP_REFERENCE_TIME, 0,
					      &status));
		EXPECT_EQ(HV_STATUS_INVALID_PARTITION_STATE, status);
	}

	ASSERT_EQ(0, set_status(self->pt, PROP_TIME_FREEZE, 1, &status));
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	ASSERT_EQ(0, get_status(self->pt, PROP_REFERENCE_TIME, &t1, &status));
	sleep_ms(5);
	ASSERT_EQ(0, get_status(self->pt, PROP_REFERENCE_TIME, &t2, &status));
	EXPECT_EQ(t1, t2);

	ASSERT_EQ(0, set_status(self->pt, PROP_TIME_FREEZE, 0, &status));
	sleep_ms(5);
	ASSERT_EQ(0, get_status(self->pt, PROP_REFERENCE_TIME, &t3, &status));
	EXPECT_LT(t2, t3);
	/* 5 ms in 100 ns units; and it did not jump over the frozen time. */
	EXPECT_LE(t2 + 50000, t3);
	EXPECT_GT(t2 + 10 * 1000 * 1000 * 10ULL, t3);
}

TEST_HARNESS_MAIN
