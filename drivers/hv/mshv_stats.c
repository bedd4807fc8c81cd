// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics of the Hyper-V root partition driver in debugfs, laid out as
 * the hypervisor's statistics are (Documentation/virt/mshv/stats.rst):
 *
 *   mshv/driver_stats                              driver-wide counters
 *   mshv/partition/<id>/driver_stats               a partition's counters
 *   mshv/partition/<id>/vp/<index>/driver_stats    a VP's counters
 *   mshv/partition/<id>/stats                      the hypervisor's
 *   mshv/partition/<id>/vp/<index>/stats           the hypervisor's
 *
 * Each file has one "Name: value" line per counter. The driver's counters
 * are cheap enough to be always on: a VP's are plain words written by the
 * thread that runs it, a partition's are atomic. The hypervisor's are read
 * from its statistics pages, which the driver maps for as long as the
 * object's directory exists: with HvMapStatsPage2 over a page of the
 * root's when the hypervisor offers that (HV_VMM_CAP_PROVIDE_OVERLAY_GPFN),
 * else with HvMapStatsPage.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/xarray.h>
#include <hyperv/hv_proc.h>
#include <hyperv/hvhdk.h>

#include "mshv_root.h"

/**
 * struct mshv_hv_counter - a named counter of a statistics page
 * @index: its index in struct hv_stats_page
 * @name: its name
 */
struct mshv_hv_counter {
	u16 index;
	const char *name;
};

/* The partition counters shown (HV_PROCESS_COUNTER, x86-64 indexes). */
static const struct mshv_hv_counter mshv_hv_pt_counters[] = {
	{ 1, "PtVirtualProcessors" },
	{ 3, "PtTlbSize" },
	{ 4, "PtAddressSpaces" },
	{ 5, "PtDepositedPages" },
	{ 6, "PtGpaPages" },
	{ 7, "PtGpaSpaceModifications" },
	{ 10, "PtGpaPages4K" },
	{ 11, "PtGpaPages2M" },
	{ 12, "PtGpaPages1G" },
	{ 18, "PtAttachedDevices" },
	{ 19, "PtDeviceInterruptMappings" },
	{ 25, "PtSkippedTimerTicks" },
	{ 26, "PtPartitionId" },
	{ 31, "PtPagesShattered" },
	{ 32, "PtPagesRecombined" },
};

/* The VP counters shown (HV_THREAD_COUNTER, x86-64 indexes). */
static const struct mshv_hv_counter mshv_hv_vp_counters[] = {
	{ 1, "VpTotalRunTime" },
	{ 2, "VpHypervisorRunTime" },
	{ 3, "VpRemoteNodeRunTime" },
	{ 4, "VpNormalizedRunTime" },
	{ 5, "VpIdealCpu" },
	{ 7, "VpHypercallsCount" },
	{ 8, "VpHypercallsTime" },
	{ 9, "VpPageInvalidationsCount" },
	{ 10, "VpPageInvalidationsTime" },
	{ 11, "VpControlRegisterAccessesCount" },
	{ 12, "VpControlRegisterAccessesTime" },
	{ 13, "VpIoInstructionsCount" },
	{ 14, "VpIoInstructionsTime" },
	{ 15, "VpHltInstructionsCount" },
	{ 16, "VpHltInstructionsTime" },
	{ 17, "VpMwaitInstructionsCount" },
	{ 18, "VpMwaitInstructionsTime" },
	{ 19, "VpCpuidInstructionsCount" },
	{ 20, "VpCpuidInstructionsTime" },
	{ 21, "VpMsrAccessesCount" },
	{ 22, "VpMsrAccessesTime" },
	{ 23, "VpOtherInterceptsCount" },
	{ 24, "VpOtherInterceptsTime" },
	{ 25, "VpExternalInterruptsCount" },
	{ 26, "VpExternalInterruptsTime" },
	{ 27, "VpPendingInterruptsCount" },
	{ 28, "VpPendingInterruptsTime" },
	{ 29, "VpEmulatedInstructionsCount" },
	{ 30, "VpEmulatedInstructionsTime" },
	{ 33, "VpPageFaultInterceptsCount" },
	{ 34, "VpPageFaultInterceptsTime" },
	{ 40, "VpIoInterceptMessages" },
	{ 41, "VpMemoryInterceptMessages" },
	{ 42, "VpApicEoiAccesses" },
	{ 43, "VpOtherMessages" },
	{ 58, "VpSyntheticInterrupts" },
	{ 59, "VpVirtualInterrupts" },
	{ 60, "VpApicIpisSent" },
	{ 62, "VpGpaSpaceHypercalls" },
	{ 65, "VpOtherHypercalls" },
	{ 69, "VpVirtualProcessorHypercalls" },
	{ 70, "VpHardwareInterrupts" },
	{ 71, "VpNestedPageFaultInterceptsCount" },
	{ 72, "VpNestedPageFaultInterceptsTime" },
	{ 74, "VpLogicalProcessorDispatches" },
	{ 75, "VpWaitingForCpuTime" },
	{ 198, "VpDepositHypercalls" },
	{ 202, "VpRootDispatchThreadBlocked" },
};

static const char *const mshv_pt_stat_names[MSHV_PT_STAT_NR] = {
	[MSHV_PT_STAT_IRQFD_FAST] = "irqfd_fast",
	[MSHV_PT_STAT_IRQFD_SLOW] = "irqfd_slow",
	[MSHV_PT_STAT_ASYNC_COMPLETIONS] = "async_completions",
};

static const char *const mshv_vp_stat_names[MSHV_VP_STAT_NR] = {
	[MSHV_VP_STAT_RUNS] = "runs",
	[MSHV_VP_STAT_DISPATCHES] = "dispatches",
	[MSHV_VP_STAT_GPA_FAULTS] = "gpa_faults",
	[MSHV_VP_STAT_EXIT_IO_PORT] = "exits_io_port",
	[MSHV_VP_STAT_EXIT_UNMAPPED_GPA] = "exits_unmapped_gpa",
	[MSHV_VP_STAT_EXIT_GPA_INTERCEPT] = "exits_gpa_intercept",
	[MSHV_VP_STAT_EXIT_MSR] = "exits_msr",
	[MSHV_VP_STAT_EXIT_CPUID] = "exits_cpuid",
	[MSHV_VP_STAT_EXIT_HALT] = "exits_halt",
	[MSHV_VP_STAT_EXIT_EXCEPTION] = "exits_exception",
	[MSHV_VP_STAT_EXIT_OTHER] = "exits_other",
};

/* mshv/partition, or NULL; set at init, removed at exit. */
static struct dentry *mshv_stats_partitions;

static void mshv_stats_line(struct seq_file *m, const char *name, u64 value)
{
	seq_printf(m, "%-24s: %llu\n", name, value);
}

static int mshv_driver_stats_show(struct seq_file *m, void *unused)
{
	struct hv_proc_stats st;

	hv_proc_get_stats(&st);
	mshv_stats_line(m, "deposits", st.deposits);
	mshv_stats_line(m, "deposited_pages", st.deposited_pages);
	mshv_stats_line(m, "withdrawals", st.withdrawals);
	mshv_stats_line(m, "withdrawn_pages", st.withdrawn_pages);
	mshv_stats_line(m, "doorbell_signals", mshv_doorbell_signals());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_driver_stats);

static int mshv_pt_driver_stats_show(struct seq_file *m, void *unused)
{
	struct mshv_partition *pt = m->private;
	unsigned int i;

	for (i = 0; i < MSHV_PT_STAT_NR; i++)
		mshv_stats_line(m, mshv_pt_stat_names[i],
				atomic64_read(&pt->pt_stats[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_pt_driver_stats);

static int mshv_vp_driver_stats_show(struct seq_file *m, void *unused)
{
	struct mshv_vp *vp = m->private;
	unsigned int i;

	for (i = 0; i < MSHV_VP_STAT_NR; i++)
		mshv_stats_line(m, mshv_vp_stat_names[i],
				READ_ONCE(vp->vp_stats[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_vp_driver_stats);

/*
 * A counter of the hypervisor's pages: the PARENT area's value, which is
 * the more privileged one, or the SELF area's where the PARENT area has 0
 * or is not mapped.
 */
static u64 mshv_hv_counter(const struct mshv_hv_stats *st, unsigned int i)
{
	const struct hv_stats_page *self = st->area[HV_STATS_AREA_SELF];
	const struct hv_stats_page *parent = st->area[HV_STATS_AREA_PARENT];
	u64 v = parent ? READ_ONCE(parent->data[i]) : 0;

	if (!v && self)
		v = READ_ONCE(self->data[i]);
	return v;
}

static void mshv_hv_stats_show(struct seq_file *m,
			       const struct mshv_hv_stats *st,
			       const struct mshv_hv_counter *c, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		seq_printf(m, "%-40s: %llu\n", c[i].name,
			   mshv_hv_counter(st, c[i].index));
}

static int mshv_pt_hv_stats_show(struct seq_file *m, void *unused)
{
	struct mshv_partition *pt = m->private;

	mshv_hv_stats_show(m, &pt->pt_hv_stats, mshv_hv_pt_counters,
			   ARRAY_SIZE(mshv_hv_pt_counters));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_pt_hv_stats);

static int mshv_vp_hv_stats_show(struct seq_file *m, void *unused)
{
	struct mshv_vp *vp = m->private;

	mshv_hv_stats_show(m, &vp->vp_hv_stats, mshv_hv_vp_counters,
			   ARRAY_SIZE(mshv_hv_vp_counters));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_vp_hv_stats);

/* The identity of @area of a partition (@vp_index < 0) or of a VP. */
static void mshv_stats_identity(union hv_stats_object_identity *id,
				u64 pt_id, int vp_index, unsigned int area)
{
	memset(id, 0, sizeof(*id));
	if (vp_index < 0) {
		id->partition.partition_id = pt_id;
		id->partition.stats_area_type = area;
	} else {
		id->vp.partition_id = pt_id;
		id->vp.vp_index = vp_index;
		id->vp.stats_area_type = area;
	}
}

/*
 * Map the SELF and PARENT statistics of a partition (@vp_index < 0) or of
 * a VP into @st. An area the hypervisor does not have stays unmapped;
 * true if any was mapped.
 */
static bool mshv_hv_stats_map(struct mshv_hv_stats *st, u64 pt_id,
			      int vp_index)
{
	u32 type = vp_index < 0 ? HV_STATS_OBJECT_PARTITION :
				  HV_STATS_OBJECT_VP;
	bool overlay = mshv_vmm_caps & HV_VMM_CAP_PROVIDE_OVERLAY_GPFN;
	union hv_stats_object_identity id;
	unsigned int area;
	struct page *page;

	for (area = 0; area < MSHV_STATS_AREAS; area++) {
		page = NULL;
		if (overlay) {
			page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
			if (!page)
				continue;
		}
		mshv_stats_identity(&id, pt_id, vp_index, area);
		if (mshv_hvcall_map_stats_page(type, &id, page,
					       &st->area[area])) {
			if (page)
				__free_page(page);
			st->area[area] = NULL;
			continue;
		}
		st->overlay[area] = page;
	}
	return st->area[HV_STATS_AREA_SELF] || st->area[HV_STATS_AREA_PARENT];
}

static void mshv_hv_stats_unmap(struct mshv_hv_stats *st, u64 pt_id,
				int vp_index)
{
	u32 type = vp_index < 0 ? HV_STATS_OBJECT_PARTITION :
				  HV_STATS_OBJECT_VP;
	union hv_stats_object_identity id;
	unsigned int area;

	for (area = 0; area < MSHV_STATS_AREAS; area++) {
		if (!st->area[area])
			continue;
		mshv_stats_identity(&id, pt_id, vp_index, area);
		/* A page the hypervisor kept is not the root's to free. */
		if (!mshv_hvcall_unmap_stats_page(type, &id) &&
		    st->overlay[area])
			__free_page(st->overlay[area]);
		st->area[area] = NULL;
		st->overlay[area] = NULL;
	}
}

/**
 * mshv_stats_init() - create the driver's statistics in debugfs
 * @root: the driver's debugfs directory
 *
 * debugfs is a debugging aid: a failure leaves the statistics out and is
 * not the driver's.
 */
void mshv_stats_init(struct dentry *root)
{
	struct dentry *dir;

	debugfs_create_file("driver_stats", 0400, root, NULL,
			    &mshv_driver_stats_fops);
	dir = debugfs_create_dir("partition", root);
	if (!IS_ERR(dir))
		mshv_stats_partitions = dir;
}

/**
 * mshv_stats_exit() - forget the statistics' directory
 *
 * The caller removes the driver's debugfs directory recursively.
 */
void mshv_stats_exit(void)
{
	mshv_stats_partitions = NULL;
}

/**
 * mshv_stats_partition_add() - show a new partition's statistics
 * @pt: the partition, created in the hypervisor
 *
 * Context: process context.
 */
void mshv_stats_partition_add(struct mshv_partition *pt)
{
	struct dentry *dir, *vps;
	char name[24];

	if (!mshv_stats_partitions)
		return;
	snprintf(name, sizeof(name), "%llu", pt->pt_id);
	dir = debugfs_create_dir(name, mshv_stats_partitions);
	if (IS_ERR(dir))
		return;
	vps = debugfs_create_dir("vp", dir);
	if (IS_ERR(vps)) {
		debugfs_remove_recursive(dir);
		return;
	}
	debugfs_create_file("driver_stats", 0400, dir, pt,
			    &mshv_pt_driver_stats_fops);
	if (mshv_hv_stats_map(&pt->pt_hv_stats, pt->pt_id, -1))
		debugfs_create_file("stats", 0400, dir, pt,
				    &mshv_pt_hv_stats_fops);
	pt->pt_vp_debugfs = vps;
	pt->pt_debugfs = dir;
}

/**
 * mshv_stats_partition_remove() - remove a partition's statistics
 * @pt: the partition, whose teardown begins
 *
 * Returns once no reader of its files or of its VPs' is left, with the
 * hypervisor's statistics pages of the partition and its VPs unmapped.
 *
 * Context: process context.
 */
void mshv_stats_partition_remove(struct mshv_partition *pt)
{
	unsigned long index;
	struct mshv_vp *vp;

	debugfs_remove_recursive(pt->pt_debugfs);
	pt->pt_debugfs = NULL;
	pt->pt_vp_debugfs = NULL;
	/* Nobody reads them any more; the objects still exist. */
	xa_for_each(&pt->pt_vps, index, vp)
		mshv_hv_stats_unmap(&vp->vp_hv_stats, pt->pt_id, vp->vp_index);
	mshv_hv_stats_unmap(&pt->pt_hv_stats, pt->pt_id, -1);
}

/**
 * mshv_stats_vp_add() - show a new VP's statistics
 * @vp: the VP; it lives as long as its partition
 *
 * Context: process context; the partition's pt_mutex held.
 */
void mshv_stats_vp_add(struct mshv_vp *vp)
{
	struct dentry *dir;
	char name[12];

	if (!vp->vp_partition->pt_vp_debugfs)
		return;
	snprintf(name, sizeof(name), "%u", vp->vp_index);
	dir = debugfs_create_dir(name, vp->vp_partition->pt_vp_debugfs);
	if (IS_ERR(dir))
		return;
	debugfs_create_file("driver_stats", 0400, dir, vp,
			    &mshv_vp_driver_stats_fops);
	if (mshv_hv_stats_map(&vp->vp_hv_stats, vp->vp_partition->pt_id,
			      vp->vp_index))
		debugfs_create_file("stats", 0400, dir, vp,
				    &mshv_vp_hv_stats_fops);
}
