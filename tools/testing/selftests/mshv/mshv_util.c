// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the /dev/mshv selftests. Every function returns 0 (or a file
 * descriptor) on success and a negative errno on failure, so that callers
 * can compare results against the errno the driver contract promises.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* clone() */
#endif
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mshv_util.h"

/* Stack of a process started by mshv_spawn_same_mm(). */
#define CHILD_STACK_SIZE	(256 * 1024)

/* Large enough for the simulator's "hypercalls" file. */
#define SIM_FILE_MAX	8192

/* Large enough for a statistics table of a few hundred partitions. */
#define TABLE_FILE_MAX	65536

/* Most columns of a statistics table. */
#define TABLE_MAX_COLS	16

#define ARRAY_SIZE_UTIL(a)	(sizeof(a) / sizeof((a)[0]))

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
 * mshv_thp_kb() - transparent huge pages of a mapping
 * @addr: the start of the mapping
 *
 * Return: the kilobytes of its AnonHugePages in /proc/self/smaps, or -1.
 */
long mshv_thp_kb(const void *addr)
{
	char line[256], want[32];
	bool in_vma = false;
	long kb = -1;
	FILE *f;

	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -1;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)(uintptr_t)addr);
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, want, strlen(want))) {
			in_vma = true;
			continue;
		}
		if (in_vma && sscanf(line, "AnonHugePages: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
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
	/* The v2 layout, read in full only with CPU_AND_XSAVE_FEATURES. */
	struct mshv_create_partition_v2 args = {
		.pt_flags = flags,
		.pt_isolation = isolation,
		.pt_num_cpu_fbanks = MSHV_NUM_CPU_FEATURES_BANKS,
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

/* Read a whole file into @buf as a NUL-terminated string. */
static int read_path(const char *path, char *buf, size_t len)
{
	size_t used = 0;
	ssize_t n;
	int fd, ret;

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

/* Write @text to the file at @path in one write() call. */
static int write_path(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, ret = 0;

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

/* Read a whole simulator file into @buf as a NUL-terminated string. */
static int sim_read_file(const char *name, char *buf, size_t len)
{
	char path[128];
	int ret;

	ret = sim_path(path, sizeof(path), name);
	if (ret)
		return ret;
	return read_path(path, buf, len);
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
	char path[128];
	int ret;

	ret = sim_path(path, sizeof(path), name);
	if (ret)
		return ret;
	return write_path(path, text);
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

static int sim_hypercalls_sum(unsigned int code, bool but, __u64 *calls,
			      __u64 *ns);

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
	__u64 ns;

	return sim_hypercalls_sum(code, false, count, &ns);
}

/**
 * sim_fast_injection() - does the driver raise irqfd interrupts through
 *	the VPs' register pages?
 * @fast: receives the answer
 *
 * It does when the simulator offers it (its fast_injection knob, which
 * the driver read when it loaded) and the root schedules the VPs.
 *
 * Return: 0, or a negative errno without the simulator or the driver's
 * debugfs.
 */
int sim_fast_injection(bool *fast)
{
	char sched[32];
	__u64 knob;
	int ret;

	ret = sim_read_u64("fast_injection", &knob);
	if (ret)
		return ret;
	ret = read_path(MSHV_DBG_SCHEDULER, sched, sizeof(sched));
	if (ret)
		return ret;
	*fast = knob && !strcmp(sched, "root\n");
	return 0;
}

/**
 * mshv_root_scheduler() - does the root schedule the VPs?
 * @root: receives the answer: MSHV_RUN_VP dispatches the VP on the
 *	calling thread
 *
 * Return: 0, or a negative errno without the driver's debugfs.
 */
int mshv_root_scheduler(bool *root)
{
	char sched[32];
	int ret;

	ret = read_path(MSHV_DBG_SCHEDULER, sched, sizeof(sched));
	if (ret)
		return ret;
	*root = !strcmp(sched, "root\n");
	return 0;
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

/**
 * mshv_map_memory() - map guest memory with MSHV_SET_GUEST_MEMORY
 * @pt: partition file descriptor
 * @guest_pfn: first guest page frame
 * @addr: start of the VMM memory that backs it
 * @size: length in bytes
 * @flags: 1 << MSHV_SET_MEM_BIT_* (without UNMAP)
 *
 * Return: 0 or a negative errno.
 */
int mshv_map_memory(int pt, __u64 guest_pfn, const void *addr, __u64 size,
		    __u8 flags)
{
	struct mshv_user_mem_region region = {
		.size = size,
		.guest_pfn = guest_pfn,
		.userspace_addr = (uintptr_t)addr,
		.flags = flags,
	};

	return ioctl(pt, MSHV_SET_GUEST_MEMORY, &region) < 0 ? -errno : 0;
}

/**
 * mshv_unmap_memory() - remove a guest memory region
 * @pt: partition file descriptor
 * @guest_pfn: first guest page frame of the region
 * @addr: start of the VMM memory of the region
 * @size: length of the region in bytes
 *
 * Return: 0 or a negative errno.
 */
int mshv_unmap_memory(int pt, __u64 guest_pfn, const void *addr, __u64 size)
{
	return mshv_map_memory(pt, guest_pfn, addr, size,
			       1 << MSHV_SET_MEM_BIT_UNMAP);
}

/**
 * mshv_access_bitmap() - issue MSHV_GET_GPAP_ACCESS_BITMAP
 * @pt: partition file descriptor
 * @args: the request; page_count is updated by the kernel
 *
 * Return: 0 or a negative errno.
 */
int mshv_access_bitmap(int pt, struct mshv_gpap_access_bitmap *args)
{
	return ioctl(pt, MSHV_GET_GPAP_ACCESS_BITMAP, args) < 0 ? -errno : 0;
}

/**
 * mshv_pin_memory_present() - can any partition be made to pin its memory?
 *
 * Return: true if the driver's debugfs "pin_memory" file can be written.
 */
bool mshv_pin_memory_present(void)
{
	return !access(MSHV_DBG_PIN_MEMORY, W_OK);
}

/**
 * mshv_pin_memory() - make a partition pin the guest memory it is given
 * @id: hypervisor id of the partition, which must have no memory yet
 *
 * Partitions get movable memory unless they need it pinned (isolated
 * partitions); the driver's debugfs lets a test choose pinned memory for
 * any partition.
 *
 * Return: 0, -ENOENT for an unknown partition, -EBUSY if it has memory
 * regions, or another negative errno.
 */
int mshv_pin_memory(__u64 id)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)id);
	return write_path(MSHV_DBG_PIN_MEMORY, buf);
}

/**
 * mshv_create_partition_mem() - create a partition with pinned or movable
 *	memory
 * @dev: /dev/mshv file descriptor
 * @flags: pt_flags, as for mshv_create_partition()
 * @pinned: pin the partition's guest memory (see mshv_pin_memory())
 * @id: receives the partition's hypervisor id if not NULL; 0 when the
 *	lists of partitions are not available
 *
 * Return: the partition file descriptor, or a negative errno: -EOPNOTSUPP
 * if pinned memory was asked for and cannot be chosen.
 */
int mshv_create_partition_mem(int dev, __u64 flags, bool pinned, __u64 *id)
{
	__u64 before[64], after[64], found = 0;
	int nb = -1, na, i, j, pt, ret;

	if (pinned && !mshv_pin_memory_present())
		return -EOPNOTSUPP;
	if (pinned || id) {
		nb = mshv_partition_ids(before, 64);
		if (nb < 0 && pinned)
			return nb;
	}
	pt = mshv_create_partition(dev, flags, MSHV_PT_ISOLATION_NONE);
	if (pt < 0 || nb < 0)
		goto out;
	na = mshv_partition_ids(after, 64);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j == nb)
			found = after[i];
	}
	if (pinned) {
		ret = found ? mshv_pin_memory(found) : -ENOENT;
		if (ret) {
			close(pt);
			return ret;
		}
	}
out:
	if (id)
		*id = found;
	return pt;
}

/*
 * Split @line into at most @max whitespace-separated words, in place.
 * Returns the number of words.
 */
static unsigned int split_words(char *line, char **words, unsigned int max)
{
	unsigned int n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(line, " \t", &save); w && n < max;
	     w = strtok_r(NULL, " \t", &save))
		words[n++] = w;
	return n;
}

static int parse_u64(const char *s, __u64 *val)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return -EINVAL;
	*val = v;
	return 0;
}

/**
 * struct table_col - a column of a statistics table and where it goes
 * @name: the column's name in the header line (any case)
 * @off: offset of its __u64 in the structure table_row() fills
 */
struct table_col {
	const char *name;
	size_t off;
};

/*
 * Read the statistics table at @path (a header line naming the columns,
 * then one line per partition whose first column is the partition id) and
 * store the columns @cols of the line of partition @id in the structure
 * @out, each as a __u64 at the offset its column gives.
 */
static int table_row(const char *path, __u64 id,
		     const struct table_col *cols, unsigned int ncols,
		     void *out)
{
	char *buf, *line, *save = NULL, *words[TABLE_MAX_COLS];
	int idx[TABLE_MAX_COLS];
	unsigned int i, j, nw;
	bool header = true;
	__u64 v;
	int ret;

	if (ncols > TABLE_MAX_COLS)
		return -EINVAL;
	buf = malloc(TABLE_FILE_MAX);
	if (!buf)
		return -ENOMEM;
	ret = read_path(path, buf, TABLE_FILE_MAX);
	if (ret)
		goto out;

	ret = -ENOENT;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		nw = split_words(line, words, TABLE_MAX_COLS);
		if (!nw)
			continue;
		if (header) {
			header = false;
			for (i = 0; i < ncols; i++) {
				idx[i] = -1;
				for (j = 0; j < nw; j++)
					if (!strcasecmp(words[j], cols[i].name))
						idx[i] = j;
				if (idx[i] < 0) {
					ret = -EINVAL;
					goto out;
				}
			}
			continue;
		}
		if (parse_u64(words[0], &v) || v != id)
			continue;
		for (i = 0; i < ncols; i++) {
			if ((unsigned int)idx[i] >= nw ||
			    parse_u64(words[idx[i]], &v)) {
				ret = -EINVAL;
				goto out;
			}
			memcpy((char *)out + cols[i].off, &v, sizeof(v));
		}
		ret = 0;
		break;
	}
out:
	free(buf);
	return ret;
}

/*
 * Fill @ids with the partition ids (first column, after the header line)
 * of the table at @path. Returns their number or a negative errno.
 */
static int table_ids(const char *path, __u64 *ids, unsigned int max)
{
	char *buf, *line, *save = NULL, *words[1];
	bool header = true;
	unsigned int n = 0;
	int ret;

	buf = malloc(TABLE_FILE_MAX);
	if (!buf)
		return -ENOMEM;
	ret = read_path(path, buf, TABLE_FILE_MAX);
	if (ret)
		goto out;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!split_words(line, words, 1))
			continue;
		if (header) {
			header = false;
			continue;
		}
		if (n == max) {
			ret = -E2BIG;
			goto out;
		}
		if (parse_u64(words[0], &ids[n])) {
			ret = -EINVAL;
			goto out;
		}
		n++;
	}
	ret = n;
out:
	free(buf);
	return ret;
}

/**
 * mshv_dbg_present() - does the driver publish its debugfs statistics?
 *
 * Return: true if /sys/kernel/debug/mshv/partitions can be read.
 */
bool mshv_dbg_present(void)
{
	return !access(MSHV_DBG_PARTITIONS, R_OK);
}

/**
 * mshv_dbg_stats() - read the driver's memory statistics of a partition
 * @id: hypervisor id of the partition
 * @stats: receives the statistics
 *
 * Return: 0, -ENOENT if the driver does not list @id, or a negative errno.
 */
int mshv_dbg_stats(__u64 id, struct mshv_dbg_stats *stats)
{
	static const struct table_col cols[] = {
		{ "REGIONS", offsetof(struct mshv_dbg_stats, regions) },
		{ "PINNED_PAGES", offsetof(struct mshv_dbg_stats, pinned_pages) },
		{ "MOVABLE_PAGES", offsetof(struct mshv_dbg_stats, movable_pages) },
		{ "TRACKING_BYTES",
		  offsetof(struct mshv_dbg_stats, tracking_bytes) },
	};

	return table_row(MSHV_DBG_PARTITIONS, id, cols, ARRAY_SIZE_UTIL(cols),
			 stats);
}

/**
 * mshv_partition_ids() - list the ids of the live child partitions
 * @ids: receives the ids
 * @max: size of @ids
 *
 * Uses the simulator's "gpa_map" when it is there, else the driver's
 * debugfs statistics.
 *
 * Return: the number of ids, or a negative errno.
 */
int mshv_partition_ids(__u64 *ids, unsigned int max)
{
	if (sim_present())
		return sim_partition_ids(ids, max);
	return table_ids(MSHV_DBG_PARTITIONS, ids, max);
}

/**
 * sim_gpa_map() - read a partition's line of the simulator's "gpa_map"
 * @id: hypervisor id of the partition
 * @map: receives the counters
 *
 * Return: 0, -ENOENT if the simulator does not list @id, or a negative
 * errno.
 */
int sim_gpa_map(__u64 id, struct sim_gpa_map *map)
{
	static const struct table_col cols[] = {
		{ "MAPPED", offsetof(struct sim_gpa_map, mapped) },
		{ "LARGE", offsetof(struct sim_gpa_map, large) },
		{ "NOACCESS", offsetof(struct sim_gpa_map, noaccess) },
		{ "SLAT", offsetof(struct sim_gpa_map, slat) },
		{ "INTERCEPTS", offsetof(struct sim_gpa_map, intercepts) },
	};

	return table_row(MSHV_SIM_DIR "/gpa_map", id, cols,
			 ARRAY_SIZE_UTIL(cols), map);
}

/**
 * sim_partition_ids() - list the child partitions the simulator knows
 * @ids: receives the ids, from "gpa_map"
 * @max: size of @ids
 *
 * Return: the number of ids, or a negative errno.
 */
int sim_partition_ids(__u64 *ids, unsigned int max)
{
	return table_ids(MSHV_SIM_DIR "/gpa_map", ids, max);
}

/**
 * sim_guest_access() - make the simulated guest access its memory
 * @id: hypervisor id of the partition
 * @gpa: guest physical address of the first byte
 * @len: bytes to access, 1 to SIM_GUEST_ACCESS_MAX
 * @op: 'r' (read), 'w' (write) or 'x' (instruction fetch)
 * @byte: the value written to every byte, for 'w'
 * @result: receives the outcome, without the trailing newline: "ok",
 *	"ok HEX" or "intercept 0xGPA OP REASON"
 * @size: size of @result; 2 * @len + 4 is enough
 *
 * Return: 0 if the simulator performed the request (whatever its outcome)
 * or a negative errno.
 */
int sim_guest_access(__u64 id, __u64 gpa, unsigned int len, char op,
		     unsigned char byte, char *result, size_t size)
{
	char cmd[96];
	size_t n;
	int ret;

	if (op == 'w')
		snprintf(cmd, sizeof(cmd), "%llu 0x%llx %u w 0x%x\n",
			 (unsigned long long)id, (unsigned long long)gpa, len,
			 byte);
	else
		snprintf(cmd, sizeof(cmd), "%llu 0x%llx %u %c\n",
			 (unsigned long long)id, (unsigned long long)gpa, len,
			 op);
	ret = sim_write("guest_access", cmd);
	if (ret)
		return ret;
	ret = sim_read_file("guest_access", result, size);
	if (ret)
		return ret;
	n = strlen(result);
	while (n && isspace((unsigned char)result[n - 1]))
		result[--n] = '\0';
	return 0;
}

/**
 * sim_pin_baseline() - time pinning a range, as the driver pins memory
 * @addr: start of the range, in the caller's memory
 * @size: length in bytes
 * @ns: receives the nanoseconds the simulator took to pin it
 *
 * Return: 0 or a negative errno.
 */
int sim_pin_baseline(const void *addr, __u64 size, __u64 *ns)
{
	char cmd[64];
	int ret;

	snprintf(cmd, sizeof(cmd), "0x%llx %llu\n",
		 (unsigned long long)(uintptr_t)addr,
		 (unsigned long long)size);
	ret = sim_write("pin_baseline", cmd);
	if (ret)
		return ret;
	return sim_read_u64("pin_baseline", ns);
}

/**
 * mshv_spawn_same_mm() - run @fn(@arg) in a new process of the same mm
 * @child: receives the process, for mshv_reap()
 * @fn: what the process runs; its return value is the exit status
 * @arg: argument of @fn
 *
 * Only the address space that created a partition may use it, so a test
 * that needs a process of its own to kill while it uses a partition
 * (SIGKILL during a call) cannot fork(): the new process shares the
 * caller's address space and file descriptors (CLONE_VM), but SIGKILL
 * ends it alone.
 *
 * Return: 0 or a negative errno.
 */
int mshv_spawn_same_mm(struct mshv_child *child, int (*fn)(void *),
		       void *arg)
{
	child->stack = malloc(CHILD_STACK_SIZE);
	if (!child->stack)
		return -ENOMEM;
	child->pid = clone(fn, (char *)child->stack + CHILD_STACK_SIZE,
			   CLONE_VM | SIGCHLD, arg);
	if (child->pid < 0) {
		free(child->stack);
		return -errno;
	}
	return 0;
}

/**
 * mshv_reap() - wait for a process of mshv_spawn_same_mm() to end
 * @child: the process
 * @wstatus: receives its wait status
 *
 * Return: 0 or a negative errno.
 */
int mshv_reap(struct mshv_child *child, int *wstatus)
{
	if (waitpid(child->pid, wstatus, 0) != child->pid)
		return -errno;
	free(child->stack);
	child->stack = NULL;
	return 0;
}

/* ---- VMM-style helpers: v2 partitions, VPs, registers, VP state ------- */

/**
 * mshv_create_partition_v2() - MSHV_CREATE_PARTITION with feature banks
 * @dev: /dev/mshv file descriptor
 * @flags: 1 << MSHV_PT_BIT_* bits; MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES is
 *	added
 * @disabled: the processor feature banks to hide from the partition
 * @disabled_xsave: the xsave features to hide
 *
 * Return: a partition file descriptor, or a negative errno.
 */
int mshv_create_partition_v2(int dev, __u64 flags,
			     const __u64 disabled[MSHV_NUM_CPU_FEATURES_BANKS],
			     __u64 disabled_xsave)
{
	struct mshv_create_partition_v2 args;
	unsigned int i;
	int fd;

	memset(&args, 0, sizeof(args));
	args.pt_flags = flags | 1ULL << MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES;
	args.pt_isolation = MSHV_PT_ISOLATION_NONE;
	args.pt_num_cpu_fbanks = MSHV_NUM_CPU_FEATURES_BANKS;
	for (i = 0; i < MSHV_NUM_CPU_FEATURES_BANKS; i++)
		args.pt_cpu_fbanks[i] = disabled[i];
	args.pt_disabled_xsave = disabled_xsave;
	fd = ioctl(dev, MSHV_CREATE_PARTITION, &args);
	return fd < 0 ? -errno : fd;
}

/**
 * mshv_get_property_ex() - HvGetPartitionPropertyEx through @fd
 * @fd: partition file descriptor, or /dev/mshv for the root itself
 * @code: HV_PARTITION_PROPERTY_* code
 * @out: output buffer, cleared first
 * @out_sz: its size in bytes
 * @status: if not NULL, receives the hypervisor status
 *
 * Return: 0 or a negative errno.
 */
int mshv_get_property_ex(int fd, __u32 code, void *out, __u16 out_sz,
			 __u16 *status)
{
	struct hv_get_property_ex_in in = { .property_code = code };
	struct mshv_root_hvcall args = {
		.code = HVCALL_GET_PARTITION_PROPERTY_EX,
		.in_sz = sizeof(in),
		.out_sz = out_sz,
		.in_ptr = (uintptr_t)&in,
		.out_ptr = (uintptr_t)out,
	};
	int ret;

	memset(out, 0, out_sz);
	ret = mshv_hvcall(fd, &args);
	if (status)
		*status = args.status;
	return ret;
}

/**
 * mshv_create_vp() - MSHV_CREATE_VP
 * @pt: partition file descriptor
 * @index: VP index
 *
 * Return: a VP file descriptor, or a negative errno.
 */
int mshv_create_vp(int pt, __u32 index)
{
	struct mshv_create_vp args = { .vp_index = index };
	int fd = ioctl(pt, MSHV_CREATE_VP, &args);

	return fd < 0 ? -errno : fd;
}

/**
 * mshv_run_vp() - MSHV_RUN_VP
 * @vp: VP file descriptor
 * @msg: receives the intercept message, MSHV_RUN_VP_BUF_SZ bytes
 *
 * Return: 0 or a negative errno.
 */
int mshv_run_vp(int vp, void *msg)
{
	return ioctl(vp, MSHV_RUN_VP, msg) < 0 ? -errno : 0;
}

/**
 * mshv_vp_set_regs() - HvSetVpRegisters of @n registers
 * @fd: VP (or partition) file descriptor
 * @vp_index: the VP
 * @regs: names and values
 * @n: number of registers, at most MSHV_VP_REGS_MAX
 * @status: if not NULL, receives the hypervisor status
 *
 * Return: 0, -E2BIG if @n is too large, or the ioctl's negative errno.
 */
int mshv_vp_set_regs(int fd, __u32 vp_index, const struct mshv_vp_reg *regs,
		     unsigned int n, __u16 *status)
{
	__u64 in[(sizeof(struct hv_vp_regs_in) +
		  MSHV_VP_REGS_MAX * sizeof(*regs)) / sizeof(__u64)];
	struct hv_vp_regs_in *hdr = (struct hv_vp_regs_in *)in;
	struct mshv_root_hvcall args = {
		.code = HVCALL_SET_VP_REGISTERS,
		.reps = n,
		.in_sz = sizeof(*hdr) + n * sizeof(*regs),
		.in_ptr = (uintptr_t)in,
	};
	int ret;

	if (n > MSHV_VP_REGS_MAX)
		return -E2BIG;
	memset(in, 0, sizeof(in));
	hdr->vp_index = vp_index;
	memcpy(hdr + 1, regs, n * sizeof(*regs));
	ret = mshv_hvcall(fd, &args);
	if (status)
		*status = args.status;
	return ret;
}

/**
 * mshv_vp_get_regs() - HvGetVpRegisters of @n registers
 * @fd: VP (or partition) file descriptor
 * @vp_index: the VP
 * @regs: in: the names; out: the values (@lo, @hi) of the registers read
 * @n: number of registers, at most MSHV_VP_REGS_MAX
 * @status: if not NULL, receives the hypervisor status
 *
 * Return: 0, -E2BIG if @n is too large, or the ioctl's negative errno.
 */
int mshv_vp_get_regs(int fd, __u32 vp_index, struct mshv_vp_reg *regs,
		     unsigned int n, __u16 *status)
{
	__u64 in[(sizeof(struct hv_vp_regs_in) +
		  MSHV_VP_REGS_MAX * sizeof(__u32)) / sizeof(__u64)];
	struct hv_vp_regs_in *hdr = (struct hv_vp_regs_in *)in;
	__u32 *names = (__u32 *)(hdr + 1);
	__u64 out[MSHV_VP_REGS_MAX][2];
	struct mshv_root_hvcall args = {
		.code = HVCALL_GET_VP_REGISTERS,
		.reps = n,
		.in_sz = sizeof(*hdr) + n * sizeof(__u32),
		.out_sz = n * sizeof(out[0]),
		.in_ptr = (uintptr_t)in,
		.out_ptr = (uintptr_t)out,
	};
	unsigned int i;
	int ret;

	if (n > MSHV_VP_REGS_MAX)
		return -E2BIG;
	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	hdr->vp_index = vp_index;
	for (i = 0; i < n; i++)
		names[i] = regs[i].name;
	ret = mshv_hvcall(fd, &args);
	if (status)
		*status = args.status;
	for (i = 0; i < args.reps && i < n; i++) {
		regs[i].lo = out[i][0];
		regs[i].hi = out[i][1];
	}
	return ret;
}

/**
 * mshv_vp_set_reg64() - HvSetVpRegisters of one 64-bit register
 * @fd: VP (or partition) file descriptor
 * @vp_index: the VP
 * @name: HV_*_REGISTER_* name
 * @value: the value; bits 127:64 are zero
 *
 * Return: 0 or the ioctl's negative errno.
 */
int mshv_vp_set_reg64(int fd, __u32 vp_index, __u32 name, __u64 value)
{
	struct mshv_vp_reg reg = { .name = name, .lo = value };

	return mshv_vp_set_regs(fd, vp_index, &reg, 1, NULL);
}

/**
 * mshv_vp_get_reg64() - HvGetVpRegisters of one 64-bit register
 * @fd: VP (or partition) file descriptor
 * @vp_index: the VP
 * @name: HV_*_REGISTER_* name
 * @value: receives bits 63:0 of the value (0 if the call fails)
 *
 * Return: 0 or the ioctl's negative errno.
 */
int mshv_vp_get_reg64(int fd, __u32 vp_index, __u32 name, __u64 *value)
{
	struct mshv_vp_reg reg = { .name = name };
	int ret;

	ret = mshv_vp_get_regs(fd, vp_index, &reg, 1, NULL);
	*value = reg.lo;
	return ret;
}

/**
 * mshv_install_intercept() - HvInstallIntercept
 * @pt: partition file descriptor
 * @type: HV_INTERCEPT_TYPE_*
 * @mask: HV_INTERCEPT_ACCESS_MASK_* of the accesses to intercept
 * @param: the type's parameter (an MSR index, a port)
 *
 * Return: 0 or the ioctl's negative errno.
 */
int mshv_install_intercept(int pt, __u32 type, __u32 mask, __u64 param)
{
	struct hv_install_intercept_in in = {
		.access_type_mask = mask,
		.intercept_type = type,
		.intercept_parameter = param,
	};
	struct mshv_root_hvcall args = {
		.code = HVCALL_INSTALL_INTERCEPT,
		.in_sz = sizeof(in),
		.in_ptr = (uintptr_t)&in,
	};

	return mshv_hvcall(pt, &args);
}

/**
 * mshv_assert_interrupt() - HvAssertVirtualInterrupt
 * @pt: partition file descriptor
 * @type: HV_INTERRUPT_TYPE_FIXED or HV_X64_INTERRUPT_TYPE_*
 * @flags: HV_INTERRUPT_LEVEL_TRIGGERED, or 0
 * @dest: the destination APIC id
 * @vector: the vector
 * @status: if not NULL, receives the hypervisor status
 *
 * Return: 0 or the ioctl's negative errno.
 */
int mshv_assert_interrupt(int pt, __u32 type, __u32 flags, __u64 dest,
			  __u32 vector, __u16 *status)
{
	struct hv_assert_irq_in in = {
		.interrupt_type = type,
		.control_flags = flags,
		.dest_addr = dest,
		.vector = vector,
	};
	struct mshv_root_hvcall args = {
		.code = HVCALL_ASSERT_VIRTUAL_INTERRUPT,
		.in_sz = sizeof(in),
		.in_ptr = (uintptr_t)&in,
	};
	int ret = mshv_hvcall(pt, &args);

	if (status)
		*status = args.status;
	return ret;
}

/**
 * mshv_vp_run_thread() - MSHV_RUN_VP once, as a thread's start routine
 * @arg: the struct mshv_vp_run: @vp in, @err and @msg out
 *
 * For pthread_create(), when a test runs a VP while it does something
 * else (runs another VP, signals an irqfd, closes the partition).
 *
 * Return: NULL.
 */
void *mshv_vp_run_thread(void *arg)
{
	struct mshv_vp_run *run = arg;

	run->err = mshv_run_vp(run->vp, &run->msg);
	return NULL;
}

/**
 * mshv_route_msi() - MSHV_SET_MSI_ROUTING with one route to APIC id 0
 * @pt: partition file descriptor
 * @gsi: the GSI
 * @data: the MSI data: the vector, and bits 15:14 set for a level-triggered
 *	asserted interrupt
 *
 * Return: 0 or a negative errno.
 */
int mshv_route_msi(int pt, __u32 gsi, __u32 data)
{
	struct {
		struct mshv_user_irq_table head;
		struct mshv_user_irq_entry entry;
	} table = {
		.head.nr = 1,
		.entry = { .gsi = gsi, .address_lo = MSHV_MSI_ADDR,
			   .data = data },
	};

	return ioctl(pt, MSHV_SET_MSI_ROUTING, &table) < 0 ? -errno : 0;
}

/**
 * mshv_irqfd() - MSHV_IRQFD
 * @pt: partition file descriptor
 * @fd: the eventfd
 * @resamplefd: the resample eventfd, or -1
 * @gsi: the GSI
 * @flags: MSHV_IRQFD_BIT_* flags
 *
 * Return: 0 or a negative errno.
 */
int mshv_irqfd(int pt, int fd, int resamplefd, __u32 gsi, __u32 flags)
{
	struct mshv_user_irqfd args = {
		.fd = fd,
		.resamplefd = resamplefd,
		.gsi = gsi,
		.flags = flags,
	};

	return ioctl(pt, MSHV_IRQFD, &args) < 0 ? -errno : 0;
}

/**
 * mshv_ioeventfd() - MSHV_IOEVENTFD
 * @pt: partition file descriptor
 * @fd: the eventfd
 * @addr: the guest physical address or I/O port
 * @len: bytes of the access: 0 (any), 1, 2, 4 or 8
 * @datamatch: the value to match, with MSHV_IOEVENTFD_BIT_DATAMATCH
 * @flags: MSHV_IOEVENTFD_BIT_* flags
 *
 * Return: 0 or a negative errno.
 */
int mshv_ioeventfd(int pt, int fd, __u64 addr, __u32 len, __u64 datamatch,
		   __u32 flags)
{
	struct mshv_user_ioeventfd args = {
		.datamatch = datamatch,
		.addr = addr,
		.len = len,
		.fd = fd,
		.flags = flags,
	};

	return ioctl(pt, MSHV_IOEVENTFD, &args) < 0 ? -errno : 0;
}

/**
 * mshv_vp_state() - MSHV_GET_VP_STATE or MSHV_SET_VP_STATE
 * @vp: VP file descriptor
 * @ioc: MSHV_GET_VP_STATE or MSHV_SET_VP_STATE
 * @type: MSHV_VP_STATE_* type
 * @buf: page-aligned buffer
 * @size: in: the buffer's size; out: the state's size
 *
 * Return: 0 or a negative errno.
 */
int mshv_vp_state(int vp, unsigned long ioc, __u8 type, void *buf,
		  __u32 *size)
{
	struct mshv_get_set_vp_state args = {
		.type = type,
		.buf_sz = *size,
		.buf_ptr = (uintptr_t)buf,
	};
	int ret = ioctl(vp, ioc, &args);

	*size = args.buf_sz;
	return ret < 0 ? -errno : 0;
}

/*
 * Add up the calls and nanoseconds of the simulator's "hypercalls" file
 * (one line per code: code, calls, nanoseconds) over the line of @code,
 * or, if @but, over every other line.
 */
static int sim_hypercalls_sum(unsigned int code, bool but, __u64 *calls,
			      __u64 *ns)
{
	char *buf, *line, *save = NULL;
	unsigned long long n, t;
	unsigned int c;
	int ret;

	buf = malloc(SIM_FILE_MAX);
	if (!buf)
		return -ENOMEM;
	ret = sim_read_file("hypercalls", buf, SIM_FILE_MAX);
	if (ret)
		goto free_buf;

	*calls = 0;
	*ns = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%x %llu %llu", &c, &n, &t) != 3) {
			ret = -EINVAL;
			break;
		}
		if (but ? c != code : c == code) {
			*calls += n;
			*ns += t;
		}
	}
free_buf:
	free(buf);
	return ret;
}

/**
 * sim_hypercall_time() - calls of one hypercall code and their time
 * @code: hypercall code
 * @calls: receives the calls since the simulator was loaded
 * @ns: receives the nanoseconds the simulator spent in them
 *
 * Return: 0 (both 0 if the code was never seen) or a negative errno.
 */
int sim_hypercall_time(unsigned int code, __u64 *calls, __u64 *ns)
{
	return sim_hypercalls_sum(code, false, calls, ns);
}

/**
 * sim_hypercalls_but() - hypercalls of every code but one, in one read
 * @code: the hypercall code left out
 * @calls: receives the calls since the simulator was loaded
 *
 * Return: 0 or a negative errno.
 */
int sim_hypercalls_but(unsigned int code, __u64 *calls)
{
	__u64 ns;

	return sim_hypercalls_sum(code, true, calls, &ns);
}

/**
 * bench_now_ns() - CLOCK_MONOTONIC in nanoseconds
 *
 * Return: the time.
 */
__u64 bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/**
 * hv_sample() - take the hypervisor's time and hypercall count, and the time
 * @s: receives them; @s->valid is false when the hypervisor does not
 *	report them (Hyper-V) or they could not be read
 *
 * The wall time is taken last. Between two samples the wall time thus
 * includes one read of the simulator's file (a few microseconds), which a
 * run of many operations makes negligible.
 */
void hv_sample(struct hv_sample *s)
{
	char buf[512], *line, *save = NULL;
	unsigned long long v;
	bool ns = false, calls = false;
	struct timespec ts;
	char name[32];

	memset(s, 0, sizeof(*s));
	if (sim_present() && !sim_read_file("hv_time", buf, sizeof(buf))) {
		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (sscanf(line, "%31s %llu", name, &v) != 2)
				continue;
			if (!strcmp(name, "total_ns")) {
				s->ns = v;
				ns = true;
			} else if (!strcmp(name, "hypercalls")) {
				s->calls = v;
				calls = true;
			}
		}
		s->valid = ns && calls;
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	s->cpu = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	s->wall = bench_now_ns();
}

/**
 * bench_result_init() - empty a result
 * @r: the result
 */
void bench_result_init(struct bench_result *r)
{
	memset(r, 0, sizeof(*r));
	r->hv_valid = true;
}

/**
 * bench_record() - add one run of @ops operations to a result
 * @r: the result; a run beyond BENCH_MAX_RUNS is dropped
 * @begin: hv_sample() taken before the run
 * @end: sample taken after it
 * @ops: operations the run did (at least 1)
 * @cpu: measure the process's CPU time (all its threads) instead of the
 *	wall time: for runs whose threads wait for each other or run on
 *	several CPUs
 */
void bench_record(struct bench_result *r, const struct hv_sample *begin,
		  const struct hv_sample *end, unsigned long ops, bool cpu)
{
	double wall, hv = 0, calls = 0;

	if (r->runs >= BENCH_MAX_RUNS || !ops)
		return;
	if (cpu)
		wall = (double)(end->cpu - begin->cpu);
	else
		wall = (double)(end->wall - begin->wall);
	if (begin->valid && end->valid) {
		hv = (double)(end->ns - begin->ns);
		calls = (double)(end->calls - begin->calls);
	} else {
		r->hv_valid = false;
	}
	r->wall_ns[r->runs] = wall / ops;
	r->driver_ns[r->runs] = (wall - hv) / ops;
	r->calls[r->runs] = calls / ops;
	r->runs++;
}

/**
 * bench_min() - the smallest of @n values
 * @v: the values
 * @n: how many (0 gives 0)
 *
 * Return: the minimum.
 */
double bench_min(const double *v, unsigned int n)
{
	double m = n ? v[0] : 0;
	unsigned int i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/**
 * bench_median() - the median of @n values
 * @v: the values (not changed)
 * @n: how many, at most BENCH_MAX_RUNS (0 gives 0)
 *
 * Return: the median (the mean of the middle two for an even @n).
 */
double bench_median(const double *v, unsigned int n)
{
	double sorted[BENCH_MAX_RUNS];

	if (!n || n > BENCH_MAX_RUNS)
		return 0;
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), bench_cmp_double);
	return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/**
 * mshv_stats_file_read() - one counter of a "Name: value" statistics file
 * @path: the file, such as MSHV_DBG_DIR "/driver_stats"
 * @name: the counter's name
 * @val: receives its value
 *
 * Return: 0, -ENOENT if the file or the counter does not exist, or a
 * negative errno.
 */
int mshv_stats_file_read(const char *path, const char *name, __u64 *val)
{
	char line[256], key[128];
	unsigned long long v;
	int ret = -ENOENT;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s : %llu", key, &v) != 2)
			continue;
		if (!strcmp(key, name)) {
			*val = v;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/**
 * mshv_pt_stat() - a counter of a partition's driver_stats
 * @id: the partition's id
 * @name: the counter
 * @val: receives its value
 *
 * Return: 0 or a negative errno.
 */
int mshv_pt_stat(__u64 id, const char *name, __u64 *val)
{
	char path[128];

	snprintf(path, sizeof(path), MSHV_DBG_DIR "/partition/%llu/driver_stats",
		 (unsigned long long)id);
	return mshv_stats_file_read(path, name, val);
}

/**
 * mshv_vp_stat() - a counter of a VP's driver_stats
 * @id: the partition's id
 * @vp: the VP's index
 * @name: the counter
 * @val: receives its value
 *
 * Return: 0 or a negative errno.
 */
int mshv_vp_stat(__u64 id, unsigned int vp, const char *name, __u64 *val)
{
	char path[160];

	snprintf(path, sizeof(path),
		 MSHV_DBG_DIR "/partition/%llu/vp/%u/driver_stats",
		 (unsigned long long)id, vp);
	return mshv_stats_file_read(path, name, val);
}

/**
 * struct hv_cpuid_result_in - HvRegisterInterceptResult input for CPUID
 * @partition_id: overwritten by the kernel
 * @vp_index: the VP, or HV_ANY_VP
 * @intercept_type: HV_INTERCEPT_TYPE_X64_CPUID
 * @eax: the leaf
 * @ecx: the subleaf, if @subleaf_specific
 * @subleaf_specific: the result is for @ecx only
 * @always_override: the result replaces the processor's
 * @padding: zero
 * @result: EAX, its mask, EBX, its mask, ECX, its mask, EDX, its mask
 *
 * HV_CPUID_RESULT_IN_SIZE bytes are sent; the C struct is padded to 64.
 */
struct hv_cpuid_result_in {
	__u64 partition_id;
	__u32 vp_index;
	__u32 intercept_type;
	__u32 eax;
	__u32 ecx;
	__u8 subleaf_specific;
	__u8 always_override;
	__u16 padding;
	__u32 result[8];
};

static_assert(offsetof(struct hv_cpuid_result_in, result) == 28, "result");

/**
 * mshv_register_intercept_result() - HvRegisterInterceptResult for a leaf
 * @fd: partition (or VP) file descriptor
 * @vp_index: the VP, or HV_ANY_VP
 * @type: the intercept type (HV_INTERCEPT_TYPE_X64_CPUID for a valid call)
 * @leaf: the CPUID leaf
 * @subleaf: the subleaf, used if @subleaf_specific
 * @subleaf_specific: the result is for @subleaf only
 * @always_override: the result replaces what the processor reports
 * @result: EAX, its mask, EBX, its mask, ECX, its mask, EDX, its mask
 * @status: receives the hypercall status
 *
 * Return: 0 or a negative errno.
 */
int mshv_register_intercept_result(int fd, __u32 vp_index, __u32 type,
				   __u32 leaf, __u32 subleaf,
				   __u8 subleaf_specific, __u8 always_override,
				   const __u32 result[8], __u16 *status)
{
	struct hv_cpuid_result_in in = {
		.vp_index = vp_index,
		.intercept_type = type,
		.eax = leaf,
		.ecx = subleaf,
		.subleaf_specific = subleaf_specific,
		.always_override = always_override,
	};
	struct mshv_root_hvcall args = {
		.code = HVCALL_REGISTER_INTERCEPT_RESULT,
		.in_sz = HV_CPUID_RESULT_IN_SIZE,
		.in_ptr = (uintptr_t)&in,
	};
	int ret;

	memcpy(in.result, result, sizeof(in.result));
	ret = mshv_hvcall(fd, &args);
	if (status)
		*status = args.status;
	return ret;
}

/**
 * struct hv_cpuid_leaf_in - HvGetVpCpuidValues input with one leaf
 * @partition_id: overwritten by the kernel
 * @vp_index: the VP
 * @flags: HV_GET_VP_CPUID_VALUES_*
 * @reserved: zero
 * @padding: zero
 * @eax: the leaf
 * @ecx: the subleaf
 * @xfem: XCR0 to compute the leaf with, unless the VP's is used
 * @xss: IA32_XSS likewise
 */
struct hv_cpuid_leaf_in {
	__u64 partition_id;
	__u32 vp_index;
	__u32 flags;
	__u32 reserved;
	__u32 padding;
	__u32 eax;
	__u32 ecx;
	__u64 xfem;
	__u64 xss;
};

static_assert(sizeof(struct hv_cpuid_leaf_in) == 48, "cpuid input");

/**
 * mshv_vp_cpuid_values() - HvGetVpCpuidValues of one leaf
 * @fd: VP (or partition) file descriptor
 * @vp_index: the VP
 * @flags: HV_GET_VP_CPUID_VALUES_*
 * @leaf: the leaf
 * @subleaf: the subleaf
 * @out: receives EAX, EBX, ECX, EDX (0xee bytes if the call fails)
 * @status: receives the hypercall status
 *
 * Return: 0 or a negative errno.
 */
int mshv_vp_cpuid_values(int fd, __u32 vp_index, __u32 flags, __u32 leaf,
			 __u32 subleaf, __u32 out[4], __u16 *status)
{
	struct hv_cpuid_leaf_in in = {
		.vp_index = vp_index,
		.flags = flags,
		.eax = leaf,
		.ecx = subleaf,
	};
	struct mshv_root_hvcall args = {
		.code = HVCALL_GET_VP_CPUID_VALUES,
		.reps = 1,
		.in_sz = sizeof(in),
		.out_sz = 4 * sizeof(__u32),
		.in_ptr = (uintptr_t)&in,
		.out_ptr = (uintptr_t)out,
	};
	int ret;

	memset(out, 0xee, 4 * sizeof(__u32));
	ret = mshv_hvcall(fd, &args);
	if (status)
		*status = args.status;
	return ret;
}
