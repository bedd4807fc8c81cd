// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the statistics and tracepoints of /dev/mshv: after a known
 * workload, the driver's counters in debugfs (driver_stats files) and the
 * mshv trace events show exactly what happened:
 *
 * - N OUT round trips through MSHV_RUN_VP give N runs, N I/O exits and,
 *   with the root scheduler, N dispatches (and N hypercalls in all);
 * - K irqfd signals give K injections through the register page and no
 *   hypercall at all, when the hypervisor offers that path;
 * - a partition's life deposits and withdraws memory, as many calls as
 *   the hypervisor counted;
 * - the trace events of those round trips, one each.
 *
 * Everything is skipped when /dev/mshv or the driver's statistics do not
 * exist; the checks against the hypervisor's own counts need the test-only
 * simulator and are skipped on a real Hyper-V root, as are the trace
 * checks without tracefs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mshv_test.h"

#define PAGE_4K		4096
#define GUEST_SIZE	0x10000
#define GUEST_CODE	0x1000
#define VECTOR		0x40
#define GSI		0
#define ROUND_TRIPS	16U
#define IRQFD_SIGNALS	8U

#define MAX_PARTITIONS	64

static const char *const trace_dirs[] = {
	"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
};

/* The events the driver defines, at least. */
static const char *const trace_events[] = {
	"mshv_run_vp_entry", "mshv_run_vp_exit", "mshv_hvcall_dispatch_vp",
	"mshv_handle_gpa_intercept", "mshv_irqfd_inject",
	"mshv_doorbell_signal", "mshv_deposit_memory",
	"mshv_hvcall_withdraw_memory",
};

/* OUT to port 0x80, forever. */
GUEST_CODE16(out_prog,
	     "1:\n\t"
	     "out %al, $0x80\n\t"
	     "jmp 1b");

/* The id of the partition created between two lists of ids, or 0. */
static __u64 new_id(const __u64 *before, int nb, const __u64 *after, int na)
{
	int i, j;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j == nb)
			return after[i];
	}
	return 0;
}

/* Is the hypervisor's scheduler the root's? */
static bool root_scheduler(void)
{
	char buf[32] = "";
	FILE *f = fopen(MSHV_DBG_SCHEDULER, "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strncmp(buf, "root", 4);
}

/* Hypercalls the simulator executed so far. */
static __u64 hv_calls(struct __test_metadata *_metadata)
{
	struct hv_sample s;

	hv_sample(&s);
	EXPECT_TRUE(s.valid);
	return s.calls;
}

static __u64 vp_stat(struct __test_metadata *_metadata, __u64 id,
		     const char *name)
{
	__u64 v = ~0ULL;

	EXPECT_EQ(0, mshv_vp_stat(id, 0, name, &v)) {
		TH_LOG("VP counter %s", name);
	}
	return v;
}

static __u64 pt_stat(struct __test_metadata *_metadata, __u64 id,
		     const char *name)
{
	__u64 v = ~0ULL;

	EXPECT_EQ(0, mshv_pt_stat(id, name, &v)) {
		TH_LOG("partition counter %s", name);
	}
	return v;
}

static __u64 driver_stat(struct __test_metadata *_metadata, const char *name)
{
	__u64 v = ~0ULL;

	EXPECT_EQ(0, mshv_stats_file_read(MSHV_DBG_DIR "/driver_stats", name,
					  &v)) {
		TH_LOG("driver counter %s", name);
	}
	return v;
}

/* A counter of the hypervisor's statistics of the partition or VP 0. */
static __u64 hv_stat(struct __test_metadata *_metadata, __u64 id, bool vp,
		     const char *name)
{
	char path[160];
	__u64 v = ~0ULL;

	snprintf(path, sizeof(path), MSHV_DBG_DIR "/partition/%llu/%sstats",
		 (unsigned long long)id, vp ? "vp/0/" : "");
	EXPECT_EQ(0, mshv_stats_file_read(path, name, &v)) {
		TH_LOG("%s in %s", name, path);
	}
	return v;
}

/*
 * An initialized partition with a local x2APIC, 64 KiB of memory running
 * out_prog in real mode, and VP 0 with its register page mapped.
 */
FIXTURE(stats) {
	int dev;
	int pt;
	int vp;
	__u64 id;
	__u8 *mem;
	struct hv_register_page *rp;
	bool sim;
};

FIXTURE_SETUP(stats)
{
	__u64 before[MAX_PARTITIONS], after[MAX_PARTITIONS];
	struct mshv_create_vp vpargs = { .vp_index = 0 };
	struct stat st;
	int nb, na;

	self->pt = -1;
	self->vp = -1;
	self->mem = MAP_FAILED;
	self->rp = MAP_FAILED;
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	if (stat(MSHV_DBG_DIR "/driver_stats", &st))
		SKIP(return, "no driver statistics in debugfs");
	self->sim = sim_present();

	nb = mshv_partition_ids(before, MAX_PARTITIONS);
	ASSERT_LE(0, nb);
	self->pt = mshv_create_partition(self->dev,
					 (1ULL << MSHV_PT_BIT_LAPIC) |
					 (1ULL << MSHV_PT_BIT_X2APIC), 0);
	ASSERT_LE(0, self->pt);
	ASSERT_EQ(0, mshv_initialize_partition(self->pt));
	na = mshv_partition_ids(after, MAX_PARTITIONS);
	ASSERT_LE(0, na);
	self->id = new_id(before, nb, after, na);
	ASSERT_NE(0ULL, self->id);

	self->mem = guest_mem_alloc(GUEST_SIZE);
	ASSERT_NE(MAP_FAILED, self->mem);
	guest_code_load(self->mem, GUEST_CODE, out_prog);
	ASSERT_EQ(0, guest_mem_map(self->pt, 0, self->mem, GUEST_SIZE));
	self->vp = ioctl(self->pt, MSHV_CREATE_VP, &vpargs);
	ASSERT_LE(0, self->vp);
	self->rp = mmap(NULL, PAGE_4K, PROT_READ | PROT_WRITE, MAP_SHARED,
			self->vp, MSHV_VP_MMAP_OFFSET_REGISTERS * PAGE_4K);
	ASSERT_NE(MAP_FAILED, self->rp);
	ASSERT_EQ(0, guest_real_mode(self->vp, 0, GUEST_CODE, 0));
}

FIXTURE_TEARDOWN(stats)
{
	if (self->rp != MAP_FAILED)
		munmap(self->rp, PAGE_4K);
	if (self->vp >= 0)
		close(self->vp);
	if (self->pt >= 0)
		close(self->pt);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, GUEST_SIZE);
	if (self->dev >= 0)
		close(self->dev);
}

/* @n OUT round trips, the VMM moving RIP through the register page. */
static void round_trips(struct __test_metadata *_metadata, int vp,
			struct hv_register_page *rp, unsigned int n)
{
	__u8 msg[MSHV_RUN_VP_BUF_SZ];
	__u32 type;

	while (n--) {
		ASSERT_EQ(0, ioctl(vp, MSHV_RUN_VP, msg));
		memcpy(&type, msg, sizeof(type));
		ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, type);
		ASSERT_EQ(1, rp->isvalid);
		rp->rip += guest_code_len(out_prog) - 2;
		rp->dirty |= HV_X64_REGISTER_CLASS_IP;
	}
}

TEST_F(stats, round_trips_counted)
{
	__u64 runs, dispatches, io, other, faults, calls = 0, hv_dispatches = 0;
	__u64 n, tmp, hv_io = 0, hv_runs = 0;
	bool root = root_scheduler();

	/* The first run lifts the VP's initial suspension: not counted. */
	round_trips(_metadata, self->vp, self->rp, 1);
	runs = vp_stat(_metadata, self->id, "runs");
	dispatches = vp_stat(_metadata, self->id, "dispatches");
	io = vp_stat(_metadata, self->id, "exits_io_port");
	other = vp_stat(_metadata, self->id, "exits_other");
	faults = vp_stat(_metadata, self->id, "gpa_faults");
	EXPECT_EQ(1ULL, runs);
	EXPECT_EQ(1ULL, io);
	/*
	 * The partition's memory is movable (it is not isolated): the kernel
	 * faults it in, unseen by the VMM.
	 */
	EXPECT_LE(1ULL, faults);
	EXPECT_EQ(0ULL, vp_stat(_metadata, self->id, "exits_unmapped_gpa"));
	if (self->sim) {
		hv_io = hv_stat(_metadata, self->id, true,
				"VpIoInterceptMessages");
		hv_runs = hv_stat(_metadata, self->id, true,
				  "VpLogicalProcessorDispatches");
		calls = hv_calls(_metadata);
		ASSERT_EQ(0, sim_hypercall_time(HVCALL_DISPATCH_VP,
						&hv_dispatches, &tmp));
	}

	round_trips(_metadata, self->vp, self->rp, ROUND_TRIPS);

	EXPECT_EQ(runs + ROUND_TRIPS, vp_stat(_metadata, self->id, "runs"));
	EXPECT_EQ(io + ROUND_TRIPS,
		  vp_stat(_metadata, self->id, "exits_io_port"));
	EXPECT_EQ(other, vp_stat(_metadata, self->id, "exits_other"));
	EXPECT_EQ(faults, vp_stat(_metadata, self->id, "gpa_faults"));
	EXPECT_EQ(dispatches + (root ? ROUND_TRIPS : 0U),
		  vp_stat(_metadata, self->id, "dispatches"));
	if (!self->sim)
		return;
	/* One hypercall per round trip: the dispatch, or the resume. */
	EXPECT_EQ(calls + ROUND_TRIPS, hv_calls(_metadata));
	ASSERT_EQ(0, sim_hypercall_time(HVCALL_DISPATCH_VP, &n, &tmp));
	EXPECT_EQ(hv_dispatches + (root ? ROUND_TRIPS : 0U), n);
	/* The hypervisor's own statistics pages agree. */
	EXPECT_EQ(hv_io + ROUND_TRIPS,
		  hv_stat(_metadata, self->id, true, "VpIoInterceptMessages"));
	if (root)
		EXPECT_EQ(hv_runs + ROUND_TRIPS,
			  hv_stat(_metadata, self->id, true,
				  "VpLogicalProcessorDispatches"));
}

TEST_F(stats, hypervisor_partition_stats)
{
	if (!self->sim)
		SKIP(return, "the counts are the simulator's");
	EXPECT_EQ(self->id, hv_stat(_metadata, self->id, false,
				    "PtPartitionId"));
	EXPECT_EQ(1ULL, hv_stat(_metadata, self->id, false,
				"PtVirtualProcessors"));
	/* The 64 KiB of guest memory, in 4 KiB pages, once faulted in. */
	round_trips(_metadata, self->vp, self->rp, 1);
	EXPECT_LE(1ULL, hv_stat(_metadata, self->id, false, "PtGpaPages"));
	EXPECT_GE(16ULL, hv_stat(_metadata, self->id, false, "PtGpaPages"));
	EXPECT_LT(0ULL, hv_stat(_metadata, self->id, false,
				"PtDepositedPages"));
}

/* Route GSI 0 to VECTOR on APIC 0 and attach an irqfd to it. */
static int irqfd_setup(struct __test_metadata *_metadata, int pt)
{
	int efd = eventfd(0, EFD_CLOEXEC);

	EXPECT_LE(0, efd);
	EXPECT_EQ(0, mshv_route_msi(pt, GSI, VECTOR));
	EXPECT_EQ(0, mshv_irqfd(pt, efd, -1, GSI, 0));
	return efd;
}

TEST_F(stats, irqfd_injections_counted)
{
	__u64 fast, slow, calls = 0, one = 1;
	bool sim_fast = false;
	unsigned int i;
	int efd;

	if (self->sim)
		ASSERT_EQ(0, sim_fast_injection(&sim_fast));
	efd = irqfd_setup(_metadata, self->pt);
	ASSERT_LE(0, efd);
	fast = pt_stat(_metadata, self->id, "irqfd_fast");
	slow = pt_stat(_metadata, self->id, "irqfd_slow");
	if (self->sim)
		calls = hv_calls(_metadata);

	/* The VP does not run: each signal queues (or finds) the vector. */
	for (i = 0; i < IRQFD_SIGNALS; i++)
		ASSERT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));

	EXPECT_EQ(fast + slow + IRQFD_SIGNALS,
		  pt_stat(_metadata, self->id, "irqfd_fast") +
		  pt_stat(_metadata, self->id, "irqfd_slow"));
	if (sim_fast) {
		EXPECT_EQ(fast + IRQFD_SIGNALS,
			  pt_stat(_metadata, self->id, "irqfd_fast"));
		EXPECT_EQ(slow, pt_stat(_metadata, self->id, "irqfd_slow"));
		EXPECT_EQ(calls, hv_calls(_metadata));
	}
	close(efd);
}

TEST_F(stats, deposits_and_withdrawals_counted)
{
	__u64 deposits, withdrawals, pages_in, pages_out, hv_in = 0, hv_out = 0;
	__u64 n;
	int pt;

	deposits = driver_stat(_metadata, "deposits");
	withdrawals = driver_stat(_metadata, "withdrawals");
	pages_in = driver_stat(_metadata, "deposited_pages");
	pages_out = driver_stat(_metadata, "withdrawn_pages");
	if (self->sim) {
		ASSERT_EQ(0, sim_hypercall_count(HVCALL_DEPOSIT_MEMORY, &hv_in));
		ASSERT_EQ(0, sim_hypercall_count(HVCALL_WITHDRAW_MEMORY,
						 &hv_out));
	}

	pt = mshv_create_partition(self->dev, 0, 0);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, mshv_initialize_partition(pt));
	close(pt);

	EXPECT_LT(deposits, driver_stat(_metadata, "deposits"));
	EXPECT_LE(pages_in + MSHV_INIT_DEPOSIT_PAGES,
		  driver_stat(_metadata, "deposited_pages"));
	EXPECT_LT(withdrawals, driver_stat(_metadata, "withdrawals"));
	EXPECT_LT(pages_out, driver_stat(_metadata, "withdrawn_pages"));
	if (!self->sim)
		return;
	/* Every call the hypervisor saw, and no other, was counted. */
	ASSERT_EQ(0, sim_hypercall_count(HVCALL_DEPOSIT_MEMORY, &n));
	EXPECT_EQ(n - hv_in, driver_stat(_metadata, "deposits") - deposits);
	ASSERT_EQ(0, sim_hypercall_count(HVCALL_WITHDRAW_MEMORY, &n));
	EXPECT_EQ(n - hv_out,
		  driver_stat(_metadata, "withdrawals") - withdrawals);
}

/* The tracefs directory, or NULL. */
static const char *tracing_dir(void)
{
	char path[128];
	unsigned int i;
	struct stat st;

	for (i = 0; i < ARRAY_SIZE(trace_dirs); i++) {
		snprintf(path, sizeof(path), "%s/events/mshv", trace_dirs[i]);
		if (!stat(path, &st))
			return trace_dirs[i];
	}
	return NULL;
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* Lines of the trace buffer that contain both @a and @b. */
static unsigned int count_trace(const char *dir, const char *a, const char *b)
{
	char path[192], line[512];
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", dir);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, a) && strstr(line, b))
			n++;
	fclose(f);
	return n;
}

TEST_F(stats, tracepoints)
{
	const char *dir = tracing_dir();
	char path[192];
	unsigned int i;
	struct stat st;

	if (!dir)
		SKIP(return, "no mshv events in tracefs");
	for (i = 0; i < ARRAY_SIZE(trace_events); i++) {
		snprintf(path, sizeof(path), "%s/events/mshv/%s/format", dir,
			 trace_events[i]);
		EXPECT_EQ(0, stat(path, &st)) {
			TH_LOG("%s", path);
		}
	}
	round_trips(_metadata, self->vp, self->rp, 1);

	ASSERT_EQ(0, write_file(dir, "trace", ""));
	ASSERT_EQ(0, write_file(dir, "events/mshv/enable", "1"));
	round_trips(_metadata, self->vp, self->rp, ROUND_TRIPS);
	ASSERT_EQ(0, write_file(dir, "events/mshv/enable", "0"));

	EXPECT_EQ(ROUND_TRIPS, count_trace(dir, "mshv_run_vp_entry:",
					   "vp_index=0"));
	EXPECT_EQ(ROUND_TRIPS, count_trace(dir, "mshv_run_vp_exit:",
					   "hv_message_type=0x80010000 ret=0"));
	EXPECT_EQ(root_scheduler() ? ROUND_TRIPS : 0U,
		  count_trace(dir, "mshv_hvcall_dispatch_vp:", "status=0x0\n"));
	EXPECT_EQ(0U, count_trace(dir, "mshv_handle_gpa_intercept:", ""));
	ASSERT_EQ(0, write_file(dir, "trace", ""));
}

TEST_HARNESS_MAIN
