// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the /dev/mshv selftests. Every function returns 0 (or a file
 * descriptor) on success and a negative errno on failure, so that callers
 * can compare results against the errno the driver contract promises.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mshv_util.h"

/* Large enough for the simulator's "hypercalls" file. */
#define SIM_FILE_MAX	8192

/**
 * mshv_open() - open /dev/mshv
 *
 * Return: a file descriptor, or a negative errno.
 */
int mshv_open(void)
{
	int fd = open(MSHV_DEV_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/**
 * mshv_absent() - does an error from mshv_open() mean "nothing to test"?
 * @err: negative errno returned by mshv_open()
 *
 * The device node is missing when the driver is not loaded or the kernel
 * does not run as a Hyper-V root partition; opening it needs root.
 *
 * Return: true if the tests should be skipped.
 */
bool mshv_absent(int err)
{
	return err == -ENOENT || err == -ENODEV || err == -ENXIO ||
	       err == -EACCES || err == -EPERM;
}

/**
 * mshv_create_partition() - issue MSHV_CREATE_PARTITION
 * @dev: /dev/mshv file descriptor
 * @flags: pt_flags
 * @isolation: pt_isolation
 *
 * Return: the partition file descriptor, or a negative errno.
 */
int mshv_create_partition(int dev, __u64 flags, __u64 isolation)
{
	struct mshv_create_partition args = {
		.pt_flags = flags,
		.pt_isolation = isolation,
	};
	int fd = ioctl(dev, MSHV_CREATE_PARTITION, &args);

	return fd < 0 ? -errno : fd;
}

/**
 * mshv_initialize_partition() - issue MSHV_INITIALIZE_PARTITION
 * @pt: partition file descriptor
 *
 * Return: 0 or a negative errno.
 */
int mshv_initialize_partition(int pt)
{
	return ioctl(pt, MSHV_INITIALIZE_PARTITION) < 0 ? -errno : 0;
}

/**
 * mshv_fd_name() - read the /proc/self/fd link of a file descriptor
 * @fd: file descriptor
 * @buf: receives the NUL-terminated link target
 * @len: size of @buf
 *
 * Return: 0 or a negative errno (-ENAMETOOLONG if @buf is too small).
 */
int mshv_fd_name(int fd, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, len);
	if (n < 0)
		return -errno;
	if ((size_t)n >= len)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

/**
 * mshv_hvcall() - issue MSHV_ROOT_HVCALL
 * @fd: partition (or device) file descriptor
 * @args: the request; status and reps are updated by the kernel
 *
 * Return: 0 or a negative errno.
 */
int mshv_hvcall(int fd, struct mshv_root_hvcall *args)
{
	return ioctl(fd, MSHV_ROOT_HVCALL, args) < 0 ? -errno : 0;
}

/**
 * mshv_get_property_args() - build a valid HvGetPartitionProperty request
 * @args: request to fill
 * @in: input buffer to fill
 * @out: output buffer, cleared
 * @code: HV_PARTITION_PROPERTY_* code
 */
void mshv_get_property_args(struct mshv_root_hvcall *args,
			    struct hv_get_property_in *in, __u64 *out,
			    __u32 code)
{
	memset(in, 0, sizeof(*in));
	in->property_code = code;
	*out = 0;

	memset(args, 0, sizeof(*args));
	args->code = HVCALL_GET_PARTITION_PROPERTY;
	args->in_sz = sizeof(*in);
	args->out_sz = sizeof(*out);
	args->in_ptr = (uintptr_t)in;
	args->out_ptr = (uintptr_t)out;
}

/**
 * mshv_set_property_args() - build a valid HvSetPartitionProperty request
 * @args: request to fill
 * @in: input buffer to fill
 * @code: HV_PARTITION_PROPERTY_* code
 * @value: new property value
 */
void mshv_set_property_args(struct mshv_root_hvcall *args,
			    struct hv_set_property_in *in, __u32 code,
			    __u64 value)
{
	memset(in, 0, sizeof(*in));
	in->property_code = code;
	in->property_value = value;

	memset(args, 0, sizeof(*args));
	args->code = HVCALL_SET_PARTITION_PROPERTY;
	args->in_sz = sizeof(*in);
	args->in_ptr = (uintptr_t)in;
}

/**
 * mshv_get_property() - read a partition property through MSHV_ROOT_HVCALL
 * @pt: partition file descriptor
 * @code: HV_PARTITION_PROPERTY_* code
 * @value: receives the value on success
 * @status: if not NULL, receives the hypervisor status
 *
 * Return: 0 or a negative errno.
 */
int mshv_get_property(int pt, __u32 code, __u64 *value, __u16 *status)
{
	struct mshv_root_hvcall args;
	struct hv_get_property_in in;
	__u64 out;
	int ret;

	mshv_get_property_args(&args, &in, &out, code);
	ret = mshv_hvcall(pt, &args);
	if (status)
		*status = args.status;
	if (!ret)
		*value = out;
	return ret;
}

/**
 * mshv_set_property() - write a partition property through MSHV_ROOT_HVCALL
 * @pt: partition file descriptor
 * @code: HV_PARTITION_PROPERTY_* code
 * @value: new value
 * @status: if not NULL, receives the hypervisor status
 *
 * Return: 0 or a negative errno.
 */
int mshv_set_property(int pt, __u32 code, __u64 value, __u16 *status)
{
	struct mshv_root_hvcall args;
	struct hv_set_property_in in;
	int ret;

	mshv_set_property_args(&args, &in, code, value);
	ret = mshv_hvcall(pt, &args);
	if (status)
		*status = args.status;
	return ret;
}

/**
 * sim_present() - is the hypervisor simulator loaded?
 *
 * Needs debugfs mounted at /sys/kernel/debug.
 *
 * Return: true if the simulator's debugfs directory exists.
 */
bool sim_present(void)
{
	struct stat st;

	return !stat(MSHV_SIM_DIR, &st) && S_ISDIR(st.st_mode);
}

static int sim_path(char *buf, size_t len, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", MSHV_SIM_DIR, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Read a whole simulator file into @buf as a NUL-terminated string. */
static int sim_read_file(const char *name, char *buf, size_t len)
{
	char path[128];
	size_t used = 0;
	ssize_t n;
	int fd, ret;

	ret = sim_path(path, sizeof(path), name);
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = read(fd, buf + used, len - 1 - used);
		if (n > 0)
			used += n;
	} while (n > 0 && used < len - 1);
	ret = n < 0 ? -errno : 0;
	close(fd);
	buf[used] = '\0';
	return ret;
}

/**
 * sim_read_u64() - read a numeric simulator file
 * @name: file name in the simulator's debugfs directory
 * @val: receives the value (decimal or 0x-prefixed hexadecimal)
 *
 * Return: 0 or a negative errno.
 */
int sim_read_u64(const char *name, __u64 *val)
{
	char buf[64], *end;
	unsigned long long v;
	int ret;

	ret = sim_read_file(name, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	v = strtoull(buf, &end, 0);
	if (errno)
		return -errno;
	if (end == buf || (*end && *end != '\n'))
		return -EINVAL;
	*val = v;
	return 0;
}

/**
 * sim_write() - write a string to a simulator file
 * @name: file name in the simulator's debugfs directory
 * @text: what to write, in one write() call
 *
 * Return: 0 or a negative errno.
 */
int sim_write(const char *name, const char *text)
{
	size_t len = strlen(text);
	char path[128];
	ssize_t n;
	int fd, ret;

	ret = sim_path(path, sizeof(path), name);
	if (ret)
		return ret;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	close(fd);
	return ret;
}

/**
 * sim_set_knob() - set one of the simulator's numeric tunables
 * @name: "create_pages", "init_pages" or "max_reps"
 * @val: new value
 *
 * Return: 0 or a negative errno.
 */
int sim_set_knob(const char *name, __u64 val)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)val);
	return sim_write(name, buf);
}

/**
 * sim_fault() - make a future hypercall fail
 * @code: hypercall code
 * @nth: which of the next calls of @code fails (1: the very next one)
 * @status: HV_STATUS_* the failing call returns, without side effects
 *
 * Return: 0 or a negative errno.
 */
int sim_fault(unsigned int code, unsigned int nth, unsigned int status)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "0x%x %u 0x%x\n", code, nth, status);
	return sim_write("fault", buf);
}

/**
 * sim_fault_clear() - disarm every armed fault
 *
 * Return: 0 or a negative errno.
 */
int sim_fault_clear(void)
{
	return sim_write("fault", "clear\n");
}

/**
 * sim_hypercall_count() - how often the simulator saw a hypercall code
 * @code: hypercall code
 * @count: receives the number of calls since the simulator was loaded
 *	(0 if the code was never seen)
 *
 * Return: 0 or a negative errno.
 */
int sim_hypercall_count(unsigned int code, __u64 *count)
{
	char *buf, *line, *save = NULL;
	unsigned long long n;
	unsigned int c;
	int ret;

	buf = malloc(SIM_FILE_MAX);
	if (!buf)
		return -ENOMEM;
	ret = sim_read_file("hypercalls", buf, SIM_FILE_MAX);
	if (ret)
		goto free_buf;

	*count = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%x %llu", &c, &n) != 2) {
			ret = -EINVAL;
			break;
		}
		if (c == code) {
			*count = n;
			break;
		}
	}
free_buf:
	free(buf);
	return ret;
}

/**
 * sim_read_counts() - read the simulator's partition and page counters
 * @counts: receives the counters
 *
 * Return: 0 or a negative errno.
 */
int sim_read_counts(struct sim_counts *counts)
{
	int ret;

	ret = sim_read_u64("partitions", &counts->partitions);
	if (!ret)
		ret = sim_read_u64("deposited_pages", &counts->deposited_pages);
	if (!ret)
		ret = sim_read_u64("root_pool_pages", &counts->root_pool_pages);
	if (!ret)
		ret = sim_read_u64("leaked_pages", &counts->leaked_pages);
	return ret;
}

/**
 * sim_save_knobs() - read the simulator's tunables
 * @knobs: receives the current values
 *
 * Return: 0 or a negative errno.
 */
int sim_save_knobs(struct sim_knobs *knobs)
{
	int ret;

	ret = sim_read_u64("create_pages", &knobs->create_pages);
	if (!ret)
		ret = sim_read_u64("init_pages", &knobs->init_pages);
	if (!ret)
		ret = sim_read_u64("max_reps", &knobs->max_reps);
	return ret;
}

/**
 * sim_restore_knobs() - write back tunables saved by sim_save_knobs()
 * @knobs: the saved values
 *
 * Every knob is written even if an earlier write fails.
 *
 * Return: 0 or the first negative errno.
 */
int sim_restore_knobs(const struct sim_knobs *knobs)
{
	int ret, err;

	ret = sim_set_knob("create_pages", knobs->create_pages);
	err = sim_set_knob("init_pages", knobs->init_pages);
	if (!ret)
		ret = err;
	err = sim_set_knob("max_reps", knobs->max_reps);
	if (!ret)
		ret = err;
	return ret;
}
