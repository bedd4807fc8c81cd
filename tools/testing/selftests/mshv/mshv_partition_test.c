// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the partition ioctls of /dev/mshv: MSHV_CREATE_PARTITION,
 * MSHV_INITIALIZE_PARTITION and MSHV_ROOT_HVCALL, their error paths, and
 * the page accounting of partition teardown.
 *
 * Everything is skipped when /dev/mshv does not exist. The "sim" tests read
 * and steer the test-only hypervisor simulator through its debugfs files
 * (/sys/kernel/debug/mshv_sim) and are skipped on a real Hyper-V root.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mshv_test.h"

/* A property code no hypervisor defines. */
#define UNKNOWN_PROPERTY	0xdead0000u

/* Partitions created and torn down by the many_partitions test. */
#define MANY_CYCLES		200
#define MANY_HELD		16

/*
 * Map a page that user space can never access. It stays mapped so that no
 * later allocation can make the address valid.
 */
static void *inaccessible_page(void)
{
	void *p = mmap(NULL, getpagesize(), PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Return a pointer @len bytes before the end of a readable page that is
 * followed by an inaccessible one, so that a @len + n byte access faults
 * part-way through.
 */
static void *page_tail(size_t len)
{
	long psz = getpagesize();
	char *p = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + psz, psz, PROT_NONE)) {
		munmap(p, 2 * psz);
		return NULL;
	}
	memset(p, 0, psz);
	return p + psz - len;
}

/* Create, optionally initialize, and close one partition. */
static void cycle_partition(struct __test_metadata *_metadata, int dev,
			    bool initialize)
{
	int pt = mshv_create_partition(dev, 0, MSHV_PT_ISOLATION_NONE);

	ASSERT_LE(0, pt);
	if (initialize)
		ASSERT_EQ(0, mshv_initialize_partition(pt));
	ASSERT_EQ(0, close(pt));
}

/* Each of the @n ioctl commands @cmds must fail on @fd with ENOTTY. */
static void expect_enotty(struct __test_metadata *_metadata, int fd,
			  const unsigned long *cmds, unsigned int n)
{
	__u64 arg[8] = { 0 };
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ret = ioctl(fd, cmds[i], arg);
		EXPECT_EQ(-1, ret) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
		close_valid(ret);
	}
}

/*
 * Check that the simulator is back where @base was taken: no partition and
 * no child pool page left behind, nothing leaked, and the root pool got back
 * at least what HvCreatePartition took from it.
 */
static void expect_sim_at_base(struct __test_metadata *_metadata,
			       const struct sim_counts *base)
{
	struct sim_counts now;

	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_EQ(base->partitions, now.partitions);
	EXPECT_EQ(base->deposited_pages, now.deposited_pages);
	EXPECT_EQ(base->leaked_pages, now.leaked_pages);
	EXPECT_LE(base->root_pool_pages, now.root_pool_pages);
}

/* Calls of hypercall @code the simulator has seen so far. */
static __u64 hypercalls(struct __test_metadata *_metadata, unsigned int code)
{
	__u64 count = 0;

	ASSERT_EQ(0, sim_hypercall_count(code, &count));
	return count;
}

/* /dev/mshv itself. */
FIXTURE(mshv) {
	int dev;
};

FIXTURE_SETUP(mshv)
{
	mshv_open_or_skip(_metadata, &self->dev);
}

FIXTURE_TEARDOWN(mshv)
{
	close(self->dev);
}

TEST_F(mshv, create_unknown_flags)
{
	unsigned int bit;
	int pt;

	for (bit = MSHV_PT_BIT_COUNT; bit < 64; bit++) {
		pt = mshv_create_partition(self->dev, 1ULL << bit,
					   MSHV_PT_ISOLATION_NONE);
		EXPECT_EQ(-EINVAL, pt) TH_LOG("pt_flags bit %u", bit);
		close_valid(pt);
	}

	/* Valid bits do not make an unknown one acceptable. */
	pt = mshv_create_partition(self->dev,
				   MSHV_PT_FLAGS_MASK | 1ULL << MSHV_PT_BIT_COUNT,
				   MSHV_PT_ISOLATION_NONE);
	EXPECT_EQ(-EINVAL, pt);
	close_valid(pt);

	pt = mshv_create_partition(self->dev, ~0ULL, MSHV_PT_ISOLATION_NONE);
	EXPECT_EQ(-EINVAL, pt);
	close_valid(pt);
}

TEST_F(mshv, create_bad_isolation)
{
	static const __u64 bad[] = { MSHV_PT_ISOLATION_COUNT, 2, 1ULL << 63,
				     ~0ULL };
	unsigned int i;
	int pt;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		pt = mshv_create_partition(self->dev, 0, bad[i]);
		EXPECT_EQ(-EINVAL, pt)
			TH_LOG("pt_isolation %#llx", (unsigned long long)bad[i]);
		close_valid(pt);

		pt = mshv_create_partition(self->dev, MSHV_PT_FLAGS_MASK,
					   bad[i]);
		EXPECT_EQ(-EINVAL, pt)
			TH_LOG("pt_isolation %#llx", (unsigned long long)bad[i]);
		close_valid(pt);
	}
}

TEST_F(mshv, create_bad_pointer)
{
	void *bad_page = inaccessible_page();
	void *tail = page_tail(8);
	int pt;

	ASSERT_NE(NULL, bad_page);
	ASSERT_NE(NULL, tail);

	pt = ioctl(self->dev, MSHV_CREATE_PARTITION, NULL);
	EXPECT_EQ(-1, pt);
	EXPECT_EQ(EFAULT, errno);
	close_valid(pt);

	pt = ioctl(self->dev, MSHV_CREATE_PARTITION, bad_page);
	EXPECT_EQ(-1, pt);
	EXPECT_EQ(EFAULT, errno);
	close_valid(pt);

	/* pt_flags readable (and valid), pt_isolation not. */
	pt = ioctl(self->dev, MSHV_CREATE_PARTITION, tail);
	EXPECT_EQ(-1, pt);
	EXPECT_EQ(EFAULT, errno);
	close_valid(pt);
}

TEST_F(mshv, unknown_ioctl)
{
	static const unsigned long cmds[] = {
		_IO(MSHV_IOCTL, 0x3f),
		_IOWR(MSHV_IOCTL, 0x7f, __u64),
		/* MSHV_CREATE_PARTITION's number with another size */
		_IOW(MSHV_IOCTL, 0x00, __u64),
		/* a partition ioctl, not valid on the device */
		MSHV_INITIALIZE_PARTITION,
		/* KVM_CREATE_VM */
		_IO(0xAE, 0x01),
	};

	expect_enotty(_metadata, self->dev, cmds, ARRAY_SIZE(cmds));
}

/* The driver runs only with the root scheduler, and says so. */
TEST_F(mshv, scheduler_is_root)
{
	char buf[32] = "";
	FILE *f;

	f = fopen("/sys/kernel/debug/mshv/scheduler", "r");
	if (!f)
		SKIP(return, "no driver debugfs");
	ASSERT_NE(NULL, fgets(buf, sizeof(buf), f));
	fclose(f);
	EXPECT_STREQ("root\n", buf);
}

/* MSHV_ROOT_HVCALL on /dev/mshv reads the root's own properties. */
TEST_F(mshv, hvcall_on_device)
{
	struct hv_set_property_in set_in;
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	__u64 out;

	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	in.partition_id = 12345;	/* replaced by HV_PARTITION_ID_SELF */
	ASSERT_EQ(0, mshv_hvcall(self->dev, &args));
	EXPECT_EQ(HV_STATUS_SUCCESS, args.status);
	EXPECT_NE(0ULL, out);
	if (sim_present())
		EXPECT_EQ(SIM_CLOCK_FREQUENCY, out);

	/* Nothing else: no writes, no other hypercall. */
	mshv_set_property_args(&args, &set_in,
			       HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
			       0);
	EXPECT_EQ(-EINVAL, mshv_hvcall(self->dev, &args));
	EXPECT_EQ(0, args.status);
}

/* Read a "%#llx" number from a debugfs file of the driver. */
static int read_dbg_u64(const char *path, __u64 *val)
{
	unsigned long long v;
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return -errno;
	n = fscanf(f, "%llx", &v);
	fclose(f);
	if (n != 1)
		return -EINVAL;
	*val = v;
	return 0;
}

/*
 * The root's VMM capabilities, as a VMM reads them (HvGetPartitionPropertyEx
 * through MSHV_ROOT_HVCALL on /dev/mshv), are what the driver read at load
 * time and, under the simulator, what its vmm_caps knob says.
 */
TEST_F(mshv, vmm_capabilities)
{
	struct {
		__u64 partition_id;
		__u32 property_code;
		__u32 padding;
		__u64 arg;
	} in = { .property_code = HV_PARTITION_PROPERTY_VMM_CAPABILITIES };
	struct {
		__u16 bank_count;
		__u16 reserved[3];
		__u64 bank0;
	} out = {};
	struct mshv_root_hvcall args = {
		.code = HVCALL_GET_PARTITION_PROPERTY_EX,
		.in_sz = sizeof(in),
		.out_sz = sizeof(out),
		.in_ptr = (uintptr_t)&in,
		.out_ptr = (uintptr_t)&out,
	};
	__u64 driver = 0, knob = 0;
	int ret;

	ret = mshv_hvcall(self->dev, &args);
	if (args.status == HV_STATUS_INVALID_HYPERCALL_CODE ||
	    args.status == HV_STATUS_UNKNOWN_PROPERTY)
		SKIP(return, "the hypervisor has no VMM capabilities");
	ASSERT_EQ(0, ret);
	ASSERT_LE(1, out.bank_count);
	if (read_dbg_u64("/sys/kernel/debug/mshv/vmm_capabilities", &driver))
		SKIP(return, "no driver debugfs");
	EXPECT_EQ(out.bank0, driver);
	if (sim_present()) {
		ASSERT_EQ(0, sim_read_u64("vmm_caps", &knob));
		EXPECT_EQ(knob, out.bank0);
	}
}

/* The v2 argument: its extra fields are checked only with its flag. */
TEST_F(mshv, create_v2)
{
	struct mshv_create_partition_v2 args;
	int pt;

	memset(&args, 0, sizeof(args));
	args.pt_flags = 1ULL << MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES;
	args.pt_num_cpu_fbanks = MSHV_NUM_CPU_FEATURES_BANKS;
	pt = ioctl(self->dev, MSHV_CREATE_PARTITION, &args);
	EXPECT_LE(0, pt);
	close_valid(pt);

	args.pt_num_cpu_fbanks = 1;
	EXPECT_EQ(-1, ioctl(self->dev, MSHV_CREATE_PARTITION, &args));
	EXPECT_EQ(EINVAL, errno);
	args.pt_num_cpu_fbanks = MSHV_NUM_CPU_FEATURES_BANKS;
	args.pt_rsvd[5] = 1;
	EXPECT_EQ(-1, ioctl(self->dev, MSHV_CREATE_PARTITION, &args));
	EXPECT_EQ(EINVAL, errno);
	args.pt_rsvd[5] = 0;
	args.pt_rsvd1[1] = 1;
	EXPECT_EQ(-1, ioctl(self->dev, MSHV_CREATE_PARTITION, &args));
	EXPECT_EQ(EINVAL, errno);

	/* Without the flag, the same garbage after 16 bytes is not read. */
	args.pt_flags = 0;
	args.pt_num_cpu_fbanks = 7;
	pt = ioctl(self->dev, MSHV_CREATE_PARTITION, &args);
	EXPECT_LE(0, pt);
	close_valid(pt);
}

/*
 * Only the address space that created a partition may use it, as with
 * KVM: a child after fork() (or any process the fds are passed to) gets
 * EIO from every ioctl of the partition fd and of its VP fds, and the
 * creator is not disturbed.
 */
TEST_F(mshv, other_address_space_eio)
{
	struct mshv_create_vp create = { .vp_index = 0 };
	struct mshv_run_vp run;
	__u64 value;
	__u16 status;
	int pt, vp, wstatus;
	pid_t pid;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, mshv_initialize_partition(pt));
	vp = ioctl(pt, MSHV_CREATE_VP, &create);
	ASSERT_LE(0, vp);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int bad = 0;

		if (ioctl(pt, MSHV_CREATE_VP, &create) != -1 || errno != EIO)
			bad |= 1;
		if (mshv_get_property(pt, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
				      &value, &status) != -EIO)
			bad |= 2;
		if (ioctl(vp, MSHV_RUN_VP, &run) != -1 || errno != EIO)
			bad |= 4;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &wstatus, 0));
	ASSERT_TRUE(WIFEXITED(wstatus));
	EXPECT_EQ(0, WEXITSTATUS(wstatus));

	EXPECT_EQ(0, mshv_get_property(pt, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
				       &value, &status));
	close(vp);
	close(pt);
}

/* MSHV_CREATE_PARTITION with each valid flag combination. */
FIXTURE(pt_flags) {
	int dev;
	int pt;
};

FIXTURE_VARIANT(pt_flags) {
	__u64 flags;
};

FIXTURE_VARIANT_ADD(pt_flags, none) {
	.flags = 0,
};

FIXTURE_VARIANT_ADD(pt_flags, lapic) {
	.flags = 1ULL << MSHV_PT_BIT_LAPIC,
};

FIXTURE_VARIANT_ADD(pt_flags, x2apic) {
	.flags = 1ULL << MSHV_PT_BIT_X2APIC,
};

FIXTURE_VARIANT_ADD(pt_flags, gpa_super_pages) {
	.flags = 1ULL << MSHV_PT_BIT_GPA_SUPER_PAGES,
};

FIXTURE_VARIANT_ADD(pt_flags, nested) {
	.flags = 1ULL << MSHV_PT_BIT_NESTED_VIRTUALIZATION,
};

FIXTURE_VARIANT_ADD(pt_flags, smt) {
	.flags = 1ULL << MSHV_PT_BIT_SMT_ENABLED_GUEST,
};

FIXTURE_VARIANT_ADD(pt_flags, all) {
	.flags = MSHV_PT_FLAGS_MASK,
};

FIXTURE_SETUP(pt_flags)
{
	self->pt = -1;
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	self->pt = mshv_create_partition(self->dev, variant->flags,
					 MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, self->pt);
}

FIXTURE_TEARDOWN(pt_flags)
{
	close_valid(self->pt);
	close(self->dev);
}

TEST_F(pt_flags, create_cloexec)
{
	int fdflags = fcntl(self->pt, F_GETFD);

	ASSERT_LE(0, fdflags);
	EXPECT_TRUE(fdflags & FD_CLOEXEC);
}

TEST_F(pt_flags, create_fd_name)
{
	char name[256];
	int ret;

	ret = mshv_fd_name(self->pt, name, sizeof(name));
	if (ret == -ENOENT && access("/proc/self/fd", F_OK))
		SKIP(return, "/proc is not mounted");
	ASSERT_EQ(0, ret);
	EXPECT_NE(NULL, strstr(name, "mshv_partition")) TH_LOG("%s", name);
}

TEST_F(pt_flags, create_initialize)
{
	EXPECT_EQ(0, mshv_initialize_partition(self->pt));
}

/* A created, not yet initialized partition. */
FIXTURE(partition) {
	int dev;
	int pt;
};

FIXTURE_SETUP(partition)
{
	self->pt = -1;
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	self->pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, self->pt);
}

FIXTURE_TEARDOWN(partition)
{
	close_valid(self->pt);
	close(self->dev);
}

TEST_F(partition, initialize)
{
	EXPECT_EQ(0, mshv_initialize_partition(self->pt));
}

/* As in mainline, initializing an initialized partition succeeds. */
TEST_F(partition, initialize_twice)
{
	ASSERT_EQ(0, mshv_initialize_partition(self->pt));
	EXPECT_EQ(0, mshv_initialize_partition(self->pt));
}

TEST_F(partition, unknown_ioctl)
{
	static const unsigned long cmds[] = {
		_IO(MSHV_IOCTL, 0x3f),
		_IOWR(MSHV_IOCTL, 0x7f, __u64),
		/* MSHV_ROOT_HVCALL's number with another size */
		_IOWR(MSHV_IOCTL, 0x07, __u64),
		/* a device ioctl, not valid on a partition */
		MSHV_CREATE_PARTITION,
		/* KVM_CREATE_VM */
		_IO(0xAE, 0x01),
	};

	expect_enotty(_metadata, self->pt, cmds, ARRAY_SIZE(cmds));
}

/* Properties can be read before MSHV_INITIALIZE_PARTITION. */
TEST_F(partition, hvcall_before_initialize)
{
	__u16 status = 0xffff;
	__u64 freq = 0;

	ASSERT_EQ(0, mshv_get_property(self->pt,
				       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY,
				       &freq, &status));
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	EXPECT_NE(0ULL, freq);
	if (sim_present())
		EXPECT_EQ(SIM_CLOCK_FREQUENCY, freq);
}

/* MSHV_ROOT_HVCALL on an initialized partition. */
FIXTURE(hvcall) {
	int dev;
	int pt;
};

FIXTURE_SETUP(hvcall)
{
	self->pt = -1;
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	self->pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, self->pt);
	ASSERT_EQ(0, mshv_initialize_partition(self->pt));
}

FIXTURE_TEARDOWN(hvcall)
{
	close_valid(self->pt);
	close(self->dev);
}

TEST_F(hvcall, get_clock_frequency)
{
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	__u64 out;

	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	ASSERT_EQ(0, mshv_hvcall(self->pt, &args));
	EXPECT_EQ(HV_STATUS_SUCCESS, args.status);
	EXPECT_EQ(0, args.reps);
	EXPECT_NE(0ULL, out);
	if (sim_present())
		EXPECT_EQ(SIM_CLOCK_FREQUENCY, out);
}

TEST_F(hvcall, set_get_round_trip)
{
	const __u32 prop = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION;
	__u16 status;
	__u64 val;

	ASSERT_EQ(0, mshv_set_property(self->pt, prop, 1, &status));
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	ASSERT_EQ(0, mshv_get_property(self->pt, prop, &val, NULL));
	EXPECT_EQ(1ULL, val);

	ASSERT_EQ(0, mshv_set_property(self->pt, prop, 0, &status));
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	ASSERT_EQ(0, mshv_get_property(self->pt, prop, &val, NULL));
	EXPECT_EQ(0ULL, val);
}

TEST_F(hvcall, set_read_only_property)
{
	const __u32 prop = HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY;
	__u64 before, after;
	__u16 status = 0;

	ASSERT_EQ(0, mshv_get_property(self->pt, prop, &before, NULL));
	EXPECT_EQ(-EACCES, mshv_set_property(self->pt, prop, before + 1,
					     &status));
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED, status);
	ASSERT_EQ(0, mshv_get_property(self->pt, prop, &after, NULL));
	EXPECT_EQ(before, after);
}

/* A failed call copies the status back but leaves the output alone. */
TEST_F(hvcall, get_unknown_property)
{
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	__u64 out;

	mshv_get_property_args(&args, &in, &out, UNKNOWN_PROPERTY);
	out = 0xa5a5a5a5a5a5a5a5ULL;
	EXPECT_EQ(-EINVAL, mshv_hvcall(self->pt, &args));
	EXPECT_EQ(HV_STATUS_UNKNOWN_PROPERTY, args.status);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, out);
}

TEST_F(hvcall, set_value_out_of_range)
{
	static const __u32 props[] = {
		HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
		HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
	};
	__u64 before, after;
	unsigned int i;
	__u16 status;

	for (i = 0; i < ARRAY_SIZE(props); i++) {
		ASSERT_EQ(0, mshv_get_property(self->pt, props[i], &before,
					       NULL));
		status = 0;
		EXPECT_EQ(-EINVAL, mshv_set_property(self->pt, props[i], 2,
						     &status))
			TH_LOG("property %#x", props[i]);
		EXPECT_EQ(HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE, status)
			TH_LOG("property %#x", props[i]);
		ASSERT_EQ(0, mshv_get_property(self->pt, props[i], &after,
					       NULL));
		EXPECT_EQ(before, after);
	}
}

/* Only Get/SetPartitionProperty may be passed through. */
TEST_F(hvcall, code_not_allowed)
{
	static const __u16 codes[] = {
		0x0000,
		HVCALL_CREATE_PARTITION,
		HVCALL_INITIALIZE_PARTITION,
		HVCALL_FINALIZE_PARTITION,
		HVCALL_DELETE_PARTITION,
		HVCALL_DEPOSIT_MEMORY,
		HVCALL_WITHDRAW_MEMORY,
		HVCALL_MAP_GPA_PAGES,
		HVCALL_UNMAP_GPA_PAGES,
		0xffff,
	};
	static __u64 in[4096 / 8], out[4096 / 8];
	struct mshv_root_hvcall args;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		memset(&args, 0, sizeof(args));
		args.code = codes[i];
		args.in_sz = sizeof(in);
		args.out_sz = sizeof(out);
		args.in_ptr = (uintptr_t)in;
		args.out_ptr = (uintptr_t)out;
		EXPECT_EQ(-EINVAL, mshv_hvcall(self->pt, &args))
			TH_LOG("code %#x", codes[i]);
	}
}

TEST_F(hvcall, status_not_zero)
{
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	__u64 out;

	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	args.status = 1;
	EXPECT_EQ(-EINVAL, mshv_hvcall(self->pt, &args));
}

TEST_F(hvcall, rsvd_not_zero)
{
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	unsigned int i;
	__u64 out;

	for (i = 0; i < sizeof(args.rsvd); i++) {
		mshv_get_property_args(&args, &in, &out,
				       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
		args.rsvd[i] = 0x80;
		EXPECT_EQ(-EINVAL, mshv_hvcall(self->pt, &args))
			TH_LOG("rsvd[%u]", i);
	}
}

TEST_F(hvcall, in_sz_too_small)
{
	static const __u16 sizes[] = { 0, 1, 7 };
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	unsigned int i;
	__u64 out;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		mshv_get_property_args(&args, &in, &out,
				       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
		args.in_sz = sizes[i];
		EXPECT_EQ(-EINVAL, mshv_hvcall(self->pt, &args))
			TH_LOG("in_sz %u", sizes[i]);
	}
}

TEST_F(hvcall, in_sz_too_large)
{
	static const __u16 sizes[] = { 4097, 8192, 0xffff };
	static __u64 in[65536 / 8];
	struct mshv_root_hvcall args;
	struct hv_get_property_in *get = (void *)in;
	unsigned int i;
	__u64 out;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		mshv_get_property_args(&args, get, &out,
				       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
		args.in_sz = sizes[i];
		EXPECT_EQ(-EINVAL, mshv_hvcall(self->pt, &args))
			TH_LOG("in_sz %u", sizes[i]);
	}
}

TEST_F(hvcall, in_ptr_null)
{
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	__u64 out;

	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	args.in_ptr = 0;
	EXPECT_EQ(-EINVAL, mshv_hvcall(self->pt, &args));
}

TEST_F(hvcall, out_sz_zero)
{
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	__u64 out;

	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	args.out_sz = 0;
	EXPECT_EQ(-EINVAL, mshv_hvcall(self->pt, &args));
}

TEST_F(hvcall, out_sz_too_large)
{
	static const __u16 sizes[] = { 4097, 8192, 0xffff };
	static __u64 out[65536 / 8];
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		mshv_get_property_args(&args, &in, out,
				       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
		args.out_sz = sizes[i];
		EXPECT_EQ(-EINVAL, mshv_hvcall(self->pt, &args))
			TH_LOG("out_sz %u", sizes[i]);
	}
}

/*
 * Get/SetPartitionProperty are not rep hypercalls. As in mainline, the
 * driver issues a rep call when asked for reps and the hypervisor refuses
 * it: its status comes back.
 */
TEST_F(hvcall, reps_on_simple_call)
{
	struct mshv_root_hvcall args;
	struct hv_get_property_in get;
	struct hv_set_property_in set;
	__u64 out;

	mshv_get_property_args(&args, &get, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	args.reps = 1;
	EXPECT_EQ(-EINVAL, mshv_hvcall(self->pt, &args));
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT, args.status);
	EXPECT_EQ(0, args.reps);

	mshv_set_property_args(&args, &set,
			       HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, 0);
	args.reps = 1;
	EXPECT_EQ(-EINVAL, mshv_hvcall(self->pt, &args));
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT, args.status);
}

TEST_F(hvcall, bad_arg_pointer)
{
	void *bad_page = inaccessible_page();
	void *tail = page_tail(16);

	ASSERT_NE(NULL, bad_page);
	ASSERT_NE(NULL, tail);

	EXPECT_EQ(-1, ioctl(self->pt, MSHV_ROOT_HVCALL, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->pt, MSHV_ROOT_HVCALL, bad_page));
	EXPECT_EQ(EFAULT, errno);
	/* The first half of the struct is readable, in_ptr/out_ptr are not. */
	EXPECT_EQ(-1, ioctl(self->pt, MSHV_ROOT_HVCALL, tail));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(hvcall, bad_in_ptr)
{
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	void *bad_page = inaccessible_page();
	void *tail = page_tail(8);
	__u64 out;

	ASSERT_NE(NULL, bad_page);
	ASSERT_NE(NULL, tail);

	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	args.in_ptr = 8;
	EXPECT_EQ(-EFAULT, mshv_hvcall(self->pt, &args));

	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	args.in_ptr = (uintptr_t)bad_page;
	EXPECT_EQ(-EFAULT, mshv_hvcall(self->pt, &args));

	/* Only the first 8 of the 16 input bytes are readable. */
	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	args.in_ptr = (uintptr_t)tail;
	EXPECT_EQ(-EFAULT, mshv_hvcall(self->pt, &args));
}

TEST_F(hvcall, bad_out_ptr)
{
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	void *bad_page = inaccessible_page();
	__u64 out;

	ASSERT_NE(NULL, bad_page);

	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	args.out_ptr = 8;
	EXPECT_EQ(-EFAULT, mshv_hvcall(self->pt, &args));

	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	args.out_ptr = (uintptr_t)bad_page;
	EXPECT_EQ(-EFAULT, mshv_hvcall(self->pt, &args));
}

/*
 * Whatever the caller puts in the first 8 bytes of the input, the call goes
 * to the partition behind the fd: set a value on the child, then read it
 * back with a garbage id and with HV_PARTITION_ID_SELF (the root).
 */
TEST_F(hvcall, partition_id_overwritten)
{
	static const __u64 ids[] = { 0xdeadbeefdeadbeefULL, HV_PARTITION_ID_SELF,
				     0 };
	const __u32 prop = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION;
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	unsigned int i;
	__u64 out;

	ASSERT_EQ(0, mshv_set_property(self->pt, prop, 1, NULL));

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		mshv_get_property_args(&args, &in, &out, prop);
		in.partition_id = ids[i];
		EXPECT_EQ(0, mshv_hvcall(self->pt, &args))
			TH_LOG("partition id %#llx", (unsigned long long)ids[i]);
		EXPECT_EQ(HV_STATUS_SUCCESS, args.status);
		EXPECT_EQ(1ULL, out);
	}
}

/*
 * The simulator's tunables as they were when the program started. Every sim
 * test starts from them and puts them back, and so does the program at exit:
 * with this harness an ASSERT failure in a TEST_F() can skip the fixture
 * teardown, and a fault or knob left behind must not break the next test.
 */
static struct sim_knobs start_knobs;
static bool start_knobs_saved;

static void sim_reset(void)
{
	sim_fault_clear();
	sim_restore_knobs(&start_knobs);
}

/* Tests that read and steer the hypervisor simulator. */
FIXTURE(sim) {
	int dev;
	struct sim_counts base;
};

FIXTURE_SETUP(sim)
{
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	if (!sim_present())
		SKIP(return, "%s not found (needs mshv_sim and debugfs)",
		     MSHV_SIM_DIR);
	ASSERT_TRUE(start_knobs_saved);
	ASSERT_EQ(0, sim_fault_clear());
	ASSERT_EQ(0, sim_restore_knobs(&start_knobs));
	ASSERT_EQ(0, sim_read_counts(&self->base));
}

FIXTURE_TEARDOWN(sim)
{
	EXPECT_EQ(0, sim_fault_clear());
	EXPECT_EQ(0, sim_restore_knobs(&start_knobs));
	close(self->dev);
}

TEST_F(sim, create_close)
{
	struct sim_counts now;
	int pt;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_EQ(self->base.partitions + 1, now.partitions);

	ASSERT_EQ(0, close(pt));
	expect_sim_at_base(_metadata, &self->base);
}

TEST_F(sim, create_initialize_close)
{
	struct sim_counts now;
	int pt;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, mshv_initialize_partition(pt));
	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_EQ(self->base.partitions + 1, now.partitions);
	EXPECT_LE(self->base.deposited_pages + start_knobs.init_pages,
		  now.deposited_pages);

	ASSERT_EQ(0, close(pt));
	expect_sim_at_base(_metadata, &self->base);
	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_EQ(0ULL, now.leaked_pages);
}

/* Invalid MSHV_CREATE_PARTITION arguments never reach the hypervisor. */
TEST_F(sim, create_rejected_early)
{
	__u64 creates = hypercalls(_metadata, HVCALL_CREATE_PARTITION);
	int pt;

	pt = mshv_create_partition(self->dev, 1ULL << MSHV_PT_BIT_COUNT,
				   MSHV_PT_ISOLATION_NONE);
	EXPECT_EQ(-EINVAL, pt);
	close_valid(pt);
	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_COUNT);
	EXPECT_EQ(-EINVAL, pt);
	close_valid(pt);
	pt = ioctl(self->dev, MSHV_CREATE_PARTITION, NULL);
	EXPECT_EQ(-1, pt);
	EXPECT_EQ(EFAULT, errno);
	close_valid(pt);

	EXPECT_EQ(creates, hypercalls(_metadata, HVCALL_CREATE_PARTITION));
	expect_sim_at_base(_metadata, &self->base);
}

/* Rejected MSHV_ROOT_HVCALL requests never reach the hypervisor. */
TEST_F(sim, hvcall_rejected_early)
{
	static const __u16 codes[] = {
		HVCALL_CREATE_PARTITION,
		HVCALL_INITIALIZE_PARTITION,
		HVCALL_FINALIZE_PARTITION,
		HVCALL_DELETE_PARTITION,
		HVCALL_GET_PARTITION_PROPERTY,
		HVCALL_SET_PARTITION_PROPERTY,
		HVCALL_DEPOSIT_MEMORY,
		HVCALL_WITHDRAW_MEMORY,
	};
	__u64 before[ARRAY_SIZE(codes)];
	static __u64 buf[4096 / 8];
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	unsigned int i;
	__u64 out;
	int pt;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, mshv_initialize_partition(pt));
	for (i = 0; i < ARRAY_SIZE(codes); i++)
		before[i] = hypercalls(_metadata, codes[i]);

	/* Codes outside the allowlist. */
	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		if (codes[i] == HVCALL_GET_PARTITION_PROPERTY ||
		    codes[i] == HVCALL_SET_PARTITION_PROPERTY)
			continue;
		memset(&args, 0, sizeof(args));
		args.code = codes[i];
		args.in_sz = sizeof(buf);
		args.in_ptr = (uintptr_t)buf;
		EXPECT_EQ(-EINVAL, mshv_hvcall(pt, &args))
			TH_LOG("code %#x", codes[i]);
	}

	/*
	 * Malformed requests for an allowed code: more reps than a control
	 * word holds, reserved bytes.
	 */
	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	args.reps = 4096;
	EXPECT_EQ(-EINVAL, mshv_hvcall(pt, &args));
	EXPECT_EQ(0, args.status);
	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	args.rsvd[5] = 1;
	EXPECT_EQ(-EINVAL, mshv_hvcall(pt, &args));
	mshv_get_property_args(&args, &in, &out,
			       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
	args.in_ptr = 8;
	EXPECT_EQ(-EFAULT, mshv_hvcall(pt, &args));

	for (i = 0; i < ARRAY_SIZE(codes); i++) {
		EXPECT_EQ(before[i], hypercalls(_metadata, codes[i]))
			TH_LOG("code %#x", codes[i]);
	}

	ASSERT_EQ(0, close(pt));
	expect_sim_at_base(_metadata, &self->base);
}

TEST_F_TIMEOUT(sim, many_partitions, 300)
{
	struct sim_counts now;
	int pts[MANY_HELD];
	unsigned int i;

	for (i = 0; i < MANY_CYCLES; i++) {
		cycle_partition(_metadata, self->dev, true);
		/* Every fourth round also closes one never initialized. */
		if (i % 4 == 3)
			cycle_partition(_metadata, self->dev, false);
	}
	expect_sim_at_base(_metadata, &self->base);

	for (i = 0; i < MANY_HELD; i++) {
		pts[i] = mshv_create_partition(self->dev, 0,
					       MSHV_PT_ISOLATION_NONE);
		ASSERT_LE(0, pts[i]);
		if (i % 2 == 0)
			ASSERT_EQ(0, mshv_initialize_partition(pts[i]));
	}
	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_EQ(self->base.partitions + MANY_HELD, now.partitions);
	EXPECT_LE(self->base.deposited_pages +
		  MANY_HELD / 2 * start_knobs.init_pages, now.deposited_pages);
	for (i = 0; i < MANY_HELD; i++)
		EXPECT_EQ(0, close(pts[i]));

	expect_sim_at_base(_metadata, &self->base);
	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_EQ(0ULL, now.leaked_pages);
}

/*
 * HvInitializePartition needs well over the driver's first deposit (more
 * than five further 8-page deposits): the driver must deposit again and
 * retry, more than once.
 */
TEST_F(sim, initialize_deposit_retry)
{
	const __u64 need = MSHV_INIT_DEPOSIT_PAGES + 41;
	__u64 deposits, inits;
	struct sim_counts now;
	int pt;

	ASSERT_EQ(0, sim_set_knob("init_pages", need));
	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	deposits = hypercalls(_metadata, HVCALL_DEPOSIT_MEMORY);
	inits = hypercalls(_metadata, HVCALL_INITIALIZE_PARTITION);

	ASSERT_EQ(0, mshv_initialize_partition(pt));
	EXPECT_LT(deposits + 1, hypercalls(_metadata, HVCALL_DEPOSIT_MEMORY));
	EXPECT_LT(inits + 1, hypercalls(_metadata, HVCALL_INITIALIZE_PARTITION));
	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_LE(self->base.deposited_pages + need, now.deposited_pages);

	ASSERT_EQ(0, close(pt));
	expect_sim_at_base(_metadata, &self->base);
}

/*
 * The simulator completes at most 3 reps per deposit or withdrawal: the
 * driver must continue partially completed rep hypercalls, both when it
 * deposits and when it takes the pages back at close.
 */
TEST_F(sim, partial_rep_completion)
{
	const __u64 max_reps = 3;
	__u64 deposits, withdrawals, held;
	struct sim_counts now;
	int pt;

	ASSERT_EQ(0, sim_set_knob("max_reps", max_reps));
	deposits = hypercalls(_metadata, HVCALL_DEPOSIT_MEMORY);
	withdrawals = hypercalls(_metadata, HVCALL_WITHDRAW_MEMORY);

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, mshv_initialize_partition(pt));
	EXPECT_LE(deposits + (MSHV_INIT_DEPOSIT_PAGES + max_reps - 1) / max_reps,
		  hypercalls(_metadata, HVCALL_DEPOSIT_MEMORY));
	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_LE(self->base.deposited_pages + start_knobs.init_pages,
		  now.deposited_pages);
	held = now.deposited_pages - self->base.deposited_pages;

	ASSERT_EQ(0, close(pt));
	EXPECT_LE(withdrawals + (held + max_reps - 1) / max_reps,
		  hypercalls(_metadata, HVCALL_WITHDRAW_MEMORY));
	expect_sim_at_base(_metadata, &self->base);
}

TEST_F(sim, fault_create_operation_denied)
{
	struct sim_counts now;
	int pt;

	ASSERT_EQ(0, sim_fault(HVCALL_CREATE_PARTITION, 1,
			       HV_STATUS_OPERATION_DENIED));
	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	EXPECT_EQ(-EACCES, pt);
	close_valid(pt);
	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_EQ(self->base.partitions, now.partitions);
	EXPECT_EQ(self->base.deposited_pages, now.deposited_pages);

	/* The fault fired once; the next create works. */
	cycle_partition(_metadata, self->dev, true);
	expect_sim_at_base(_metadata, &self->base);
}

TEST_F(sim, fault_create_invalid_parameter)
{
	int pt;

	ASSERT_EQ(0, sim_fault(HVCALL_CREATE_PARTITION, 1,
			       HV_STATUS_INVALID_PARAMETER));
	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	EXPECT_EQ(-EINVAL, pt);
	close_valid(pt);
	expect_sim_at_base(_metadata, &self->base);
}

/* HV_STATUS_INSUFFICIENT_MEMORY from create: deposit to the root, retry. */
TEST_F(sim, fault_create_insufficient_memory)
{
	__u64 creates = hypercalls(_metadata, HVCALL_CREATE_PARTITION);
	__u64 deposits = hypercalls(_metadata, HVCALL_DEPOSIT_MEMORY);
	int pt;

	ASSERT_EQ(0, sim_fault(HVCALL_CREATE_PARTITION, 1,
			       HV_STATUS_INSUFFICIENT_MEMORY));
	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	EXPECT_LE(creates + 2, hypercalls(_metadata, HVCALL_CREATE_PARTITION));
	EXPECT_LE(deposits + 1, hypercalls(_metadata, HVCALL_DEPOSIT_MEMORY));

	ASSERT_EQ(0, close(pt));
	expect_sim_at_base(_metadata, &self->base);
}

/* A failed HvInitializePartition leaves the partition usable. */
TEST_F(sim, fault_initialize_denied)
{
	struct sim_counts now;
	int pt;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, sim_fault(HVCALL_INITIALIZE_PARTITION, 1,
			       HV_STATUS_OPERATION_DENIED));
	EXPECT_EQ(-EACCES, mshv_initialize_partition(pt));
	/* The pages deposited for the failed attempt are back already. */
	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_EQ(self->base.deposited_pages, now.deposited_pages);
	EXPECT_EQ(0, mshv_initialize_partition(pt));

	ASSERT_EQ(0, close(pt));
	expect_sim_at_base(_metadata, &self->base);
}

/* A failed deposit fails the initialize and leaves nothing behind. */
TEST_F(sim, fault_deposit_during_initialize)
{
	struct sim_counts now;
	int pt;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, sim_fault(HVCALL_DEPOSIT_MEMORY, 1,
			       HV_STATUS_INVALID_PARAMETER));
	EXPECT_EQ(-EINVAL, mshv_initialize_partition(pt));
	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_EQ(self->base.deposited_pages, now.deposited_pages);

	ASSERT_EQ(0, close(pt));
	expect_sim_at_base(_metadata, &self->base);
}

/* The same, but the partition is initialized after the failure. */
TEST_F(sim, fault_deposit_then_initialize)
{
	int pt;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, sim_fault(HVCALL_DEPOSIT_MEMORY, 1,
			       HV_STATUS_INVALID_PARAMETER));
	EXPECT_EQ(-EINVAL, mshv_initialize_partition(pt));
	EXPECT_EQ(0, mshv_initialize_partition(pt));

	ASSERT_EQ(0, close(pt));
	expect_sim_at_base(_metadata, &self->base);
}

/* HV_STATUS_INSUFFICIENT_MEMORY from a passthrough call: deposit, retry. */
TEST_F(sim, fault_hvcall_insufficient_memory)
{
	const __u32 prop = HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY;
	__u64 deposits, gets, freq = 0;
	__u16 status = 0xffff;
	int pt;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, mshv_initialize_partition(pt));
	deposits = hypercalls(_metadata, HVCALL_DEPOSIT_MEMORY);
	gets = hypercalls(_metadata, HVCALL_GET_PARTITION_PROPERTY);

	ASSERT_EQ(0, sim_fault(HVCALL_GET_PARTITION_PROPERTY, 1,
			       HV_STATUS_INSUFFICIENT_MEMORY));
	EXPECT_EQ(0, mshv_get_property(pt, prop, &freq, &status));
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	EXPECT_EQ(SIM_CLOCK_FREQUENCY, freq);
	EXPECT_LE(deposits + 1, hypercalls(_metadata, HVCALL_DEPOSIT_MEMORY));
	EXPECT_LE(gets + 2, hypercalls(_metadata, HVCALL_GET_PARTITION_PROPERTY));

	ASSERT_EQ(0, close(pt));
	expect_sim_at_base(_metadata, &self->base);
}

/*
 * Each hypervisor status reaches user space as the errno of the driver
 * contract, with the status copied back and the output left alone.
 */
TEST_F(sim, fault_hvcall_status_to_errno)
{
	static const struct {
		__u16 status;
		int err;
	} map[] = {
		{ HV_STATUS_INVALID_HYPERCALL_CODE,	EOPNOTSUPP },
		{ HV_STATUS_INVALID_HYPERCALL_INPUT,	EINVAL },
		{ HV_STATUS_INVALID_ALIGNMENT,		EINVAL },
		{ HV_STATUS_INVALID_PARAMETER,		EINVAL },
		{ HV_STATUS_ACCESS_DENIED,		EACCES },
		{ HV_STATUS_INVALID_PARTITION_STATE,	EBADFD },
		{ HV_STATUS_OPERATION_DENIED,		EACCES },
		{ HV_STATUS_UNKNOWN_PROPERTY,		EINVAL },
		{ HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE, EINVAL },
		{ HV_STATUS_INVALID_PARTITION_ID,	EINVAL },
		{ HV_STATUS_INVALID_VP_INDEX,		EINVAL },
		{ HV_STATUS_NOT_FOUND,			ENOENT },
		{ HV_STATUS_INSUFFICIENT_BUFFERS,	ENOMEM },
		{ HV_STATUS_INVALID_VP_STATE,		EBADFD },
		{ HV_STATUS_NO_RESOURCES,		ENOMEM },
		{ HV_STATUS_INVALID_REGISTER_VALUE,	EINVAL },
		{ HV_STATUS_TIME_OUT,			ETIMEDOUT },
		{ HV_STATUS_INVALID_PORT_ID,		EIO },
		{ HV_STATUS_OPERATION_FAILED,		EIO },
	};
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	unsigned int i;
	__u64 out;
	int pt;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, mshv_initialize_partition(pt));

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		ASSERT_EQ(0, sim_fault(HVCALL_GET_PARTITION_PROPERTY, 1,
				       map[i].status));
		mshv_get_property_args(&args, &in, &out,
				       HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY);
		out = 0x5a5a5a5a5a5a5a5aULL;
		EXPECT_EQ(-map[i].err, mshv_hvcall(pt, &args))
			TH_LOG("status %#x", map[i].status);
		EXPECT_EQ(map[i].status, args.status);
		EXPECT_EQ(0x5a5a5a5a5a5a5a5aULL, out)
			TH_LOG("status %#x", map[i].status);
	}

	ASSERT_EQ(0, close(pt));
	expect_sim_at_base(_metadata, &self->base);
}

/*
 * A teardown hypercall failed while the partition fd was closed; close()
 * cannot report that. Deleting a partition whose pool still holds pages
 * would hand those pages to the hypervisor for good (the simulator counts
 * them in leaked_pages), so leaked_pages must not move. Two outcomes are
 * correct:
 * - the driver retried the failed call, got every page back and deleted the
 *   partition: all counters are back at their baseline;
 * - the driver gave up and left the partition alive: one more partition than
 *   before, still holding at least @min_held pages that the hypervisor owns
 *   (so the driver must not have freed them).
 */
static void expect_deleted_or_kept(struct __test_metadata *_metadata,
				   const struct sim_counts *base,
				   __u64 min_held)
{
	struct sim_counts now;

	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_EQ(base->leaked_pages, now.leaked_pages);
	if (now.partitions == base->partitions) {
		EXPECT_EQ(base->deposited_pages, now.deposited_pages);
	} else {
		EXPECT_EQ(base->partitions + 1, now.partitions);
		EXPECT_LE(base->deposited_pages + min_held,
			  now.deposited_pages);
	}
}

/*
 * HvFinalizePartition fails at close. Without finalize, the pages that
 * HvInitializePartition put "in use" stay in use: HvWithdrawMemory cannot
 * return them and the simulator refuses HvDeletePartition
 * (HV_STATUS_INVALID_PARTITION_STATE). Unless the driver retries the
 * finalize, the partition stays alive in the simulator holding at least
 * init_pages pages. Either way nothing may be counted as leaked.
 */
TEST_F(sim, fault_finalize_at_close)
{
	int pt;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, mshv_initialize_partition(pt));
	ASSERT_EQ(0, sim_fault(HVCALL_FINALIZE_PARTITION, 1,
			       HV_STATUS_INVALID_PARAMETER));
	ASSERT_EQ(0, close(pt));

	expect_deleted_or_kept(_metadata, &self->base, start_knobs.init_pages);
}

/*
 * The first HvWithdrawMemory at close fails, before any page came back.
 * Unless the driver retries, it must keep the partition (and all its pages)
 * alive rather than delete it with a full pool.
 */
TEST_F(sim, fault_withdraw_at_close)
{
	int pt;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, mshv_initialize_partition(pt));
	ASSERT_EQ(0, sim_fault(HVCALL_WITHDRAW_MEMORY, 1,
			       HV_STATUS_INVALID_PARAMETER));
	ASSERT_EQ(0, close(pt));

	expect_deleted_or_kept(_metadata, &self->base, start_knobs.init_pages);
}

/*
 * The first HvWithdrawMemory at close answers HV_STATUS_NO_RESOURCES with
 * no page, as an empty pool would, though the pool is full: the driver
 * must ask again and take every page back before it deletes the
 * partition, so that nothing is leaked.
 */
TEST_F(sim, fault_withdraw_no_resources_at_close)
{
	int pt;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, mshv_initialize_partition(pt));
	ASSERT_EQ(0, sim_fault(HVCALL_WITHDRAW_MEMORY, 1,
			       HV_STATUS_NO_RESOURCES));
	ASSERT_EQ(0, close(pt));

	expect_sim_at_base(_metadata, &self->base);
}

/*
 * Asynchronous HvSetPartitionProperty: the simulator's async_property_ms
 * knob makes the call return HV_STATUS_CALL_PENDING and complete that many
 * milliseconds later with a completion message on the root's SINT0.
 */
#define ASYNC_MS		200
/* The call a killed waiter leaves pending completes this much later. */
#define ASYNC_KILLED_MS		2000

FIXTURE(async) {
	int dev;
	int pt;
	struct sim_counts base;
};

FIXTURE_SETUP(async)
{
	self->pt = -1;
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	if (!sim_present())
		SKIP(return, "%s not found (needs mshv_sim and debugfs)",
		     MSHV_SIM_DIR);
	if (sim_set_knob("async_property_ms", ASYNC_MS))
		SKIP(return, "the simulator has no async_property_ms knob");
	ASSERT_EQ(0, sim_read_counts(&self->base));
	self->pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, self->pt);
	ASSERT_EQ(0, mshv_initialize_partition(self->pt));
}

FIXTURE_TEARDOWN(async)
{
	if (self->pt >= 0) {
		close(self->pt);
		expect_sim_at_base(_metadata, &self->base);
	}
	if (sim_present())
		sim_set_knob("async_property_ms", 0);
	close(self->dev);
}

static __u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* The call returns once the hypervisor completed it, with the value set. */
TEST_F(async, set_get_round_trip)
{
	const __u32 prop = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION;
	__u64 start, val = 0;
	__u16 status;

	start = now_ms();
	status = 0xffff;
	ASSERT_EQ(0, mshv_set_property(self->pt, prop, 1, &status));
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	EXPECT_LE(start + ASYNC_MS, now_ms());
	ASSERT_EQ(0, mshv_get_property(self->pt, prop, &val, NULL));
	EXPECT_EQ(1ULL, val);

	status = 0xffff;
	ASSERT_EQ(0, mshv_set_property(self->pt, prop, 0, &status));
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	ASSERT_EQ(0, mshv_get_property(self->pt, prop, &val, NULL));
	EXPECT_EQ(0ULL, val);
}

/* A call that fails at completion fails with the completion's status. */
TEST_F(async, completion_status_to_errno)
{
	const __u32 prop = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION;
	const __u32 ro = HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY;
	__u64 before, after;
	__u16 status;

	ASSERT_EQ(0, mshv_get_property(self->pt, prop, &before, NULL));
	status = 0;
	EXPECT_EQ(-EINVAL, mshv_set_property(self->pt, prop, 2, &status));
	EXPECT_EQ(HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE, status);
	ASSERT_EQ(0, mshv_get_property(self->pt, prop, &after, NULL));
	EXPECT_EQ(before, after);

	ASSERT_EQ(0, mshv_get_property(self->pt, ro, &before, NULL));
	status = 0;
	EXPECT_EQ(-EACCES, mshv_set_property(self->pt, ro, before + 1,
					     &status));
	EXPECT_EQ(HV_STATUS_ACCESS_DENIED, status);

	status = 0;
	EXPECT_EQ(-EINVAL, mshv_set_property(self->pt, UNKNOWN_PROPERTY, 0,
					     &status));
	EXPECT_EQ(HV_STATUS_UNKNOWN_PROPERTY, status);
}

/* Only the partition fd may issue a call that can complete later. */
TEST_F(async, not_on_vp_fd)
{
	const __u32 prop = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION;
	struct mshv_create_vp vp_args = { .vp_index = 0 };
	struct mshv_root_hvcall args;
	struct hv_set_property_in in;
	__u64 val;
	int vp;

	vp = ioctl(self->pt, MSHV_CREATE_VP, &vp_args);
	ASSERT_LE(0, vp);
	mshv_set_property_args(&args, &in, prop, 1);
	EXPECT_EQ(-EINVAL, mshv_hvcall(vp, &args));
	EXPECT_EQ(0, args.status);
	ASSERT_EQ(0, close(vp));
	ASSERT_EQ(0, mshv_get_property(self->pt, prop, &val, NULL));
	EXPECT_EQ(0ULL, val);
}

struct async_child {
	int pt;
	__u32 prop;
};

/* A process that sets a property to 1, and is killed while it waits. */
static int async_child_main(void *data)
{
	const struct async_child *c = data;

	return mshv_set_property(c->pt, c->prop, 1, NULL) ? 1 : 0;
}

/*
 * A process killed while it waits for the completion leaves the call
 * pending in the hypervisor. The partition's next call must not take that
 * call's completion for its own: it waits for it first, so that when it
 * returns its own value is set.
 */
TEST_F_TIMEOUT(async, killed_waiter, 60)
{
	const __u32 prop = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION;
	struct async_child c = { .pt = self->pt, .prop = prop };
	__u64 start, val = 0;
	struct mshv_child child;
	int wstatus;

	ASSERT_EQ(0, sim_set_knob("async_property_ms", ASYNC_KILLED_MS));
	ASSERT_EQ(0, mshv_spawn_same_mm(&child, async_child_main, &c));

	/* Let the child issue the call and start waiting. */
	usleep(ASYNC_KILLED_MS * 1000 / 4);
	ASSERT_EQ(0, kill(child.pid, SIGKILL));
	ASSERT_EQ(0, mshv_reap(&child, &wstatus));
	ASSERT_TRUE(WIFSIGNALED(wstatus));

	ASSERT_EQ(0, sim_set_knob("async_property_ms", ASYNC_MS));
	start = now_ms();
	ASSERT_EQ(0, mshv_set_property(self->pt, prop, 0, NULL));
	/* The killed child's call completed first, then this one. */
	EXPECT_LE(start + ASYNC_MS, now_ms());
	ASSERT_EQ(0, mshv_get_property(self->pt, prop, &val, NULL));
	EXPECT_EQ(0ULL, val);
}

/* Closing the partition while its call is pending leaves nothing behind. */
TEST_F(async, close_while_pending)
{
	const __u32 prop = HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION;
	struct async_child c = { .pt = self->pt, .prop = prop };
	struct mshv_child child;
	int wstatus;

	ASSERT_EQ(0, sim_set_knob("async_property_ms", ASYNC_KILLED_MS));
	ASSERT_EQ(0, mshv_spawn_same_mm(&child, async_child_main, &c));

	usleep(ASYNC_KILLED_MS * 1000 / 4);
	ASSERT_EQ(0, kill(child.pid, SIGKILL));
	ASSERT_EQ(0, mshv_reap(&child, &wstatus));
	ASSERT_TRUE(WIFSIGNALED(wstatus));
	ASSERT_EQ(0, close(self->pt));
	self->pt = -1;
	expect_sim_at_base(_metadata, &self->base);
	/* The completion of the deleted partition's call comes and goes. */
	usleep(ASYNC_KILLED_MS * 1000);
}

int main(int argc, char **argv)
{
	if (sim_present() && !sim_save_knobs(&start_knobs)) {
		start_knobs_saved = true;
		atexit(sim_reset);
	}
	return test_harness_run(argc, argv);
}
