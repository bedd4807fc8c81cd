// SPDX-License-Identifier: GPL-2.0
/*
 * A first look at /dev/mshv: create a child partition, initialize it,
 * read and change some of its properties through MSHV_ROOT_HVCALL, and
 * close it again. Must run as root in a Hyper-V root partition (or with
 * the mshv_sim simulator loaded).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/mshv.h>

/* Hypervisor ABI (TLFS): hypercall codes and partition property codes. */
#define HVCALL_GET_PARTITION_PROPERTY	0x0044
#define HVCALL_SET_PARTITION_PROPERTY	0x0045

#define HV_PROPERTY_UNIMPLEMENTED_MSR_ACTION	0x00050017
#define HV_PROPERTY_MAX_XSAVE_DATA_SIZE		0x00060008
#define HV_PROPERTY_PROCESSOR_CLOCK_FREQUENCY	0x00060009

struct hv_get_property_in {
	__u64 partition_id;	/* filled in by the kernel */
	__u32 code;
	__u32 padding;
};

struct hv_set_property_in {
	__u64 partition_id;	/* filled in by the kernel */
	__u32 code;
	__u32 padding;
	__u64 value;
};

static int get_property(int pt_fd, __u32 code, __u64 *value)
{
	struct hv_get_property_in in = { .code = code };
	struct mshv_root_hvcall call = {
		.code = HVCALL_GET_PARTITION_PROPERTY,
		.in_sz = sizeof(in),
		.out_sz = sizeof(*value),
		.in_ptr = (__u64)(unsigned long)&in,
		.out_ptr = (__u64)(unsigned long)value,
	};

	if (ioctl(pt_fd, MSHV_ROOT_HVCALL, &call)) {
		fprintf(stderr, "get property 0x%x: %s (hv status 0x%x)\n",
			code, strerror(errno), call.status);
		return -1;
	}
	return 0;
}

static int set_property(int pt_fd, __u32 code, __u64 value)
{
	struct hv_set_property_in in = { .code = code, .value = value };
	struct mshv_root_hvcall call = {
		.code = HVCALL_SET_PARTITION_PROPERTY,
		.in_sz = sizeof(in),
		.in_ptr = (__u64)(unsigned long)&in,
	};

	if (ioctl(pt_fd, MSHV_ROOT_HVCALL, &call)) {
		fprintf(stderr, "set property 0x%x: %s (hv status 0x%x)\n",
			code, strerror(errno), call.status);
		return -1;
	}
	return 0;
}

static int show_partition(int pt_fd)
{
	__u64 freq, xsave, action;

	if (get_property(pt_fd, HV_PROPERTY_PROCESSOR_CLOCK_FREQUENCY, &freq) ||
	    get_property(pt_fd, HV_PROPERTY_MAX_XSAVE_DATA_SIZE, &xsave))
		return -1;
	printf("processor clock:     %llu Hz\n", (unsigned long long)freq);
	printf("max xsave data size: %llu bytes\n", (unsigned long long)xsave);

	if (set_property(pt_fd, HV_PROPERTY_UNIMPLEMENTED_MSR_ACTION, 1) ||
	    get_property(pt_fd, HV_PROPERTY_UNIMPLEMENTED_MSR_ACTION, &action))
		return -1;
	printf("unimplemented MSRs:  %s\n",
	       action ? "read as zero" : "raise #GP");
	return 0;
}

int main(void)
{
	struct mshv_create_partition args = {
		.pt_flags = (1 << MSHV_PT_BIT_LAPIC) | (1 << MSHV_PT_BIT_X2APIC),
		.pt_isolation = MSHV_PT_ISOLATION_NONE,
	};
	int mshv_fd, pt_fd, ret = 1;

	mshv_fd = open("/dev/mshv", O_RDWR | O_CLOEXEC);
	if (mshv_fd < 0) {
		perror("open /dev/mshv");
		return 1;
	}
	pt_fd = ioctl(mshv_fd, MSHV_CREATE_PARTITION, &args);
	if (pt_fd < 0) {
		perror("MSHV_CREATE_PARTITION");
		goto close_mshv;
	}
	printf("created a partition with a local x2APIC (fd %d)\n", pt_fd);
	if (ioctl(pt_fd, MSHV_INITIALIZE_PARTITION)) {
		perror("MSHV_INITIALIZE_PARTITION");
		goto close_partition;
	}
	printf("initialized it\n");
	if (show_partition(pt_fd))
		goto close_partition;
	ret = 0;
close_partition:
	close(pt_fd);
	printf("closed it: the hypervisor deleted it and returned its memory\n");
close_mshv:
	close(mshv_fd);
	return ret;
}
