/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private interfaces of the /dev/mshv root partition driver: the partition
 * object and the hypercall layer (mshv_root_hv_call.c) used by the ioctl
 * layer (mshv_root_main.c) and by the KUnit tests.
 *
 * Locking. A lock may be taken while the ones above it in this list are
 * held, never the other way round:
 *
 *   mshv_partitions_lock	the driver's list of partitions (debugfs); a
 *				leaf: nothing is taken under it
 *   vp_mutex			a VP fd's ioctls (MSHV_RUN_VP: the GPA fault
 *				path below runs under it); never held with
 *				pt_mutex
 *   pt_mutex			a partition fd's ioctls; the region tree's
 *				shape, the ioeventfd and port lists
 *   pt_resamplers_lock		irqfd resamplers (under pt_mutex when an
 *				irqfd is assigned)
 *   mmap_lock			of the VMM's mm: taken under pt_mutex to pin
 *				or check guest memory, under vp_mutex to fault
 *				it in; MMU notifiers run under it
 *   movable.lock		a movable region's mapping in the hypervisor;
 *				under mmap_lock in the invalidation callback;
 *				only hypercalls are made under it, never an
 *				allocation or a user fault
 *   eventfd wait queue lock	irqfd wake-ups run under it, IRQs off
 *   pt_irqfds_lock		a partition's irqfd list; spinlock, IRQs off
 *   pt_regions_lock		the region tree, for lookups without
 *				pt_mutex; spinlock, innermost of the driver's
 *   (the hypervisor)		a hypercall may be made under any of the
 *				above (the simulator's own lock nests here)
 *
 * Lock-free: the SynIC handler runs in hard IRQ context and looks
 * partitions, VPs, resamplers and doorbell ports up under RCU only
 * (mshv_partition_find_rcu(), the partition's pt_vps, pt_resamplers and
 * the doorbell xarray). Regions are reference-counted: a VP thread that
 * faults a region in holds a reference and no lock while it waits for
 * user memory, so removing a region under pt_mutex never waits for it.
 */
#ifndef _MSHV_ROOT_H
#define _MSHV_ROOT_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <uapi/linux/mshv.h>
#include <asm/hyperv-tlfs.h>
#include <hyperv/hv_proc.h>

/* Pages deposited into a new partition before HvInitializePartition. */
#define MSHV_INIT_DEPOSIT_PAGES		208

/* Pages pinned with one pin_user_pages_fast() call. */
#define MSHV_PIN_BATCH			4096
/* Guest page frames lie below 2^52 bytes, the hypervisor's GPA limit. */
#define MSHV_GFN_LIMIT			BIT_ULL(52 - HV_HYP_PAGE_SHIFT)
/* Guest pages in one large (2 MiB) hypervisor mapping. */
#define MSHV_LARGE_PAGES		512
/* Guest pages in the 1 GiB range one SLAT pool page covers. */
#define MSHV_GIB_PAGES			(1ULL << (30 - HV_HYP_PAGE_SHIFT))
/* Most MSI routes of a partition, and the bound of their GSIs. */
#define MSHV_MAX_GUEST_IRQS		4096
/* Virtual processors of a partition: mshv_create_vp.vp_index bound. */
#define MSHV_MAX_VPS			256

struct hv_output_dispatch_vp;
struct hv_stats_page;
union hv_stats_object_identity;
struct mshv_irq_table;
struct hv_partition_creation_properties;
struct hv_vp_state_data;
struct page;
struct mshv_vp;

/**
 * struct mshv_async_call - a partition's hypercall that may complete later
 * @armed: a caller issues or waits for the call and takes its completion
 *	message; claimed with a cmpxchg by the SynIC handler
 * @outstanding: a call returned HV_STATUS_CALL_PENDING and its completion
 *	was not taken yet, because its caller was killed while waiting;
 *	protected by the partition's pt_mutex
 * @status: the final status, written by the SynIC handler before it
 *	completes @done
 * @done: completed once for each completion message an armed call gets
 */
struct mshv_async_call {
	atomic_t armed;
	bool outstanding;
	u64 status;
	struct completion done;
};

/**
 * enum mshv_pt_stat - the driver's counters of a partition
 * @MSHV_PT_STAT_IRQFD_FAST: irqfd interrupts queued in a VP's register
 *	page, without a hypercall
 * @MSHV_PT_STAT_IRQFD_SLOW: irqfd interrupts raised with
 *	HvAssertVirtualInterrupt
 * @MSHV_PT_STAT_ASYNC_COMPLETIONS: completions of asynchronous hypercalls
 *	(HVMSG_ASYNC_CALL_COMPLETION) taken by a waiting call
 * @MSHV_PT_STAT_NR: number of counters
 *
 * Shown in debugfs, see Documentation/virt/mshv/stats.rst.
 */
enum mshv_pt_stat {
	MSHV_PT_STAT_IRQFD_FAST,
	MSHV_PT_STAT_IRQFD_SLOW,
	MSHV_PT_STAT_ASYNC_COMPLETIONS,
	MSHV_PT_STAT_NR
};

/**
 * enum mshv_vp_stat - the driver's counters of a VP
 * @MSHV_VP_STAT_RUNS: MSHV_RUN_VP calls
 * @MSHV_VP_STAT_DISPATCHES: HvDispatchVp calls (root scheduler)
 * @MSHV_VP_STAT_GPA_FAULTS: GPA intercepts handled in the kernel (a
 *	movable region's pages faulted in and mapped), not seen by the VMM
 * @MSHV_VP_STAT_EXIT_IO_PORT: MSHV_RUN_VP returned an I/O port intercept
 * @MSHV_VP_STAT_EXIT_UNMAPPED_GPA: ... an unmapped-GPA intercept
 * @MSHV_VP_STAT_EXIT_GPA_INTERCEPT: ... a GPA access intercept
 * @MSHV_VP_STAT_EXIT_MSR: ... an MSR intercept
 * @MSHV_VP_STAT_EXIT_CPUID: ... a CPUID intercept
 * @MSHV_VP_STAT_EXIT_HALT: ... a halt
 * @MSHV_VP_STAT_EXIT_EXCEPTION: ... an exception intercept
 * @MSHV_VP_STAT_EXIT_OTHER: ... another message
 * @MSHV_VP_STAT_NR: number of counters
 *
 * Shown in debugfs, see Documentation/virt/mshv/stats.rst.
 */
enum mshv_vp_stat {
	MSHV_VP_STAT_RUNS,
	MSHV_VP_STAT_DISPATCHES,
	MSHV_VP_STAT_GPA_FAULTS,
	MSHV_VP_STAT_EXIT_IO_PORT,
	MSHV_VP_STAT_EXIT_UNMAPPED_GPA,
	MSHV_VP_STAT_EXIT_GPA_INTERCEPT,
	MSHV_VP_STAT_EXIT_MSR,
	MSHV_VP_STAT_EXIT_CPUID,
	MSHV_VP_STAT_EXIT_HALT,
	MSHV_VP_STAT_EXIT_EXCEPTION,
	MSHV_VP_STAT_EXIT_OTHER,
	MSHV_VP_STAT_NR
};

/* Statistics areas the driver maps: HV_STATS_AREA_SELF and _PARENT. */
#define MSHV_STATS_AREAS		2

/**
 * struct mshv_hv_stats - the hypervisor's statistics pages of an object
 * @area: each area's page as mapped in the root, or NULL if not mapped
 * @overlay: the root's page the hypervisor overlays for each area
 *	(HvMapStatsPage2), or NULL when the hypervisor provided the page
 */
struct mshv_hv_stats {
	struct hv_stats_page *area[MSHV_STATS_AREAS];
	struct page *overlay[MSHV_STATS_AREAS];
};

/**
 * struct mshv_partition - a child partition
 * @pt_ref: references: one for the partition fd, one for each VP fd; the
 *	partition is torn down when the last one goes
 * @pt_id: the hypervisor's identifier of the partition; set at creation
 * @pt_mutex: serialises the ioctls of the partition fd and protects
 *	@pt_initialized, @pt_nr_regions, @pt_vps and @pt_ioeventfds; held
 *	while regions are added and removed
 * @pt_initialized: HvInitializePartition has succeeded
 * @pt_super_pages: created with GPA super pages: guest memory may be mapped
 *	with large (2 MiB) pages; set at creation
 * @pt_pin_memory: new memory regions are pinned rather than movable; set
 *	at creation for a partition that needs it (see
 *	mshv_partition_needs_pinning()), or through debugfs while the
 *	partition has no region; under @pt_mutex
 * @pt_regions_lock: protects the shape of @pt_regions, so that the GPA fault
 *	handler can look a region up without @pt_mutex
 * @pt_regions: memory regions by guest page frame (struct mshv_mem_region),
 *	never overlapping; changed with both @pt_mutex and @pt_regions_lock
 * @pt_nr_regions: number of regions in @pt_regions
 * @pt_pinned_pages: guest pages of pinned regions (pinned in the root)
 * @pt_movable_mapped: pages of movable regions currently mapped accessible
 * @pt_tracking_bytes: kernel memory used to track the regions
 * @pt_node: entry in the driver's list of partitions (debugfs), under the
 *	list's own mutex
 * @pt_vps: the partition's virtual processors (struct mshv_vp), by VP
 *	index; an entry is stored once, when the VP is created, and erased
 *	with the partition. Looked up under RCU by the SynIC handler.
 * @pt_irq_table: the MSI routing table (struct mshv_irq_table), or NULL;
 *	replaced under @pt_mutex, read under RCU
 * @pt_irqfds_lock: protects @pt_irqfds; taken in eventfd wake-ups, with
 *	IRQs off
 * @pt_irqfds: the partition's active irqfds (struct mshv_irqfd)
 * @pt_resamplers_lock: serialises changes to @pt_resamplers and to the
 *	resamplers' lists of irqfds
 * @pt_resamplers: resamplers of level-triggered irqfds, an RCU list read
 *	by the SynIC handler
 * @pt_ioeventfds: the partition's ioeventfds (struct mshv_ioeventfd);
 *	under @pt_mutex
 * @pt_ports_left: removed ioeventfds whose doorbell port the hypervisor
 *	kept, for the teardown to delete; under @pt_mutex
 * @pt_rcu: frees the partition after a grace period, so that the SynIC
 *	handler may look it up under RCU
 * @pt_async: the asynchronous HvSetPartitionProperty of MSHV_ROOT_HVCALL;
 *	one at a time, under @pt_mutex
 * @pt_mm: the address space of the process that created the partition,
 *	held with mmgrab(); only that address space may issue ioctls on the
 *	partition's fd and its VPs' fds; set at creation
 * @pt_stats: the driver's counters (enum mshv_pt_stat), atomic
 * @pt_debugfs: the partition's debugfs directory, or NULL; set after
 *	creation, removed before the teardown
 * @pt_vp_debugfs: its "vp" subdirectory, or NULL
 * @pt_hv_stats: the hypervisor's statistics pages of the partition,
 *	mapped with its debugfs directory
 */
struct mshv_partition {
	refcount_t pt_ref;
	u64 pt_id;
	struct mutex pt_mutex;	/* ioctls; protects pt_initialized */
	bool pt_initialized;
	bool pt_super_pages;
	bool pt_pin_memory;
	spinlock_t pt_regions_lock;	/* protects pt_regions' tree */
	struct rb_root pt_regions;
	unsigned int pt_nr_regions;
	atomic64_t pt_pinned_pages;
	atomic64_t pt_movable_mapped;
	atomic64_t pt_tracking_bytes;
	struct list_head pt_node;
	struct xarray pt_vps;
	struct mshv_irq_table __rcu *pt_irq_table;
	spinlock_t pt_irqfds_lock;	/* protects pt_irqfds */
	struct list_head pt_irqfds;
	struct mutex pt_resamplers_lock;	/* changes to pt_resamplers */
	struct list_head pt_resamplers;
	struct list_head pt_ioeventfds;
	struct list_head pt_ports_left;
	struct rcu_head pt_rcu;
	struct mshv_async_call pt_async;
	struct mm_struct *pt_mm;
	atomic64_t pt_stats[MSHV_PT_STAT_NR];
	struct dentry *pt_debugfs;
	struct dentry *pt_vp_debugfs;
	struct mshv_hv_stats pt_hv_stats;
};

/**
 * struct mshv_lapic_irq - an interrupt for a partition's local APICs
 * @vector: the vector
 * @dest: destination APIC id, or logical destination
 * @type: delivery mode, HV_X64_INTERRUPT_TYPE_*
 * @level: level-triggered
 * @logical: @dest is a logical destination
 */
struct mshv_lapic_irq {
	u32 vector;
	u32 dest;
	u32 type;
	bool level;
	bool logical;
};

/**
 * struct mshv_vp - a virtual processor of a child partition
 * @vp_partition: its partition; each VP fd holds a reference to it
 * @vp_index: the VP's index in the partition
 * @vp_mutex: serialises the VP fd's ioctls and protects
 *	@vp_intercept_suspended
 * @vp_register_page: the hypervisor's register page for the VP, mapped
 *	in the root
 * @vp_intercept_msg_page: the hypervisor's intercept message page for the
 *	VP, mapped in the root; holds a struct hv_message
 * @vp_intercept_suspended: the last dispatch stopped at an intercept,
 *	which suspended the VP until the next dispatch lifts it
 * @vp_kicked: the hypervisor signalled the VP: with its own scheduler,
 *	it stopped at an intercept; with the root's, it became runnable.
 *	Set by the SynIC handler, cleared by MSHV_RUN_VP before it resumes
 *	or dispatches the VP
 * @vp_run_wq: where MSHV_RUN_VP waits for @vp_kicked, or for vectors
 *	queued in the register page
 * @vp_dispatching: with the root scheduler, MSHV_RUN_VP is about to issue
 *	or is inside HvDispatchVp, which may not scan the vectors queued in
 *	the register page from now on; written by the thread running the
 *	VP, read locklessly by the interrupt fast path (see
 *	mshv_vp_inject_fast())
 * @vp_rcu: frees the VP after a grace period (see struct mshv_partition)
 * @vp_stats: the driver's counters (enum mshv_vp_stat); written under
 *	@vp_mutex with WRITE_ONCE(), read locklessly
 * @vp_hv_stats: the hypervisor's statistics pages of the VP, mapped with
 *	its debugfs directory
 */
struct mshv_vp {
	struct mshv_partition *vp_partition;
	u32 vp_index;
	struct mutex vp_mutex;	/* VP ioctls; protects vp_intercept_suspended */
	struct page *vp_register_page;
	struct page *vp_intercept_msg_page;
	bool vp_intercept_suspended;
	bool vp_kicked;
	wait_queue_head_t vp_run_wq;
	bool vp_dispatching;
	struct rcu_head vp_rcu;
	u64 vp_stats[MSHV_VP_STAT_NR];
	struct mshv_hv_stats vp_hv_stats;
};

/* Count one event of @vp; the caller holds its vp_mutex. */
static inline void mshv_vp_stat_inc(struct mshv_vp *vp, enum mshv_vp_stat i)
{
	WRITE_ONCE(vp->vp_stats[i], vp->vp_stats[i] + 1);
}

/* Count one event of @pt; any context. */
static inline void mshv_pt_stat_inc(struct mshv_partition *pt,
				    enum mshv_pt_stat i)
{
	atomic64_inc(&pt->pt_stats[i]);
}

/* How a region's memory is held. */
enum mshv_region_type {
	MSHV_REGION_PINNED,
	MSHV_REGION_MOVABLE,
};

/**
 * struct mshv_pinned - state of a pinned region
 * @runs: physically contiguous runs of pinned pages, in guest order;
 *	each packs a PFN and a length (see mshv_run_pack())
 * @nr_runs: number of entries used in @runs
 * @max_runs: number of entries allocated in @runs
 */
struct mshv_pinned {
	u64 *runs;
	unsigned long nr_runs;
	unsigned long max_runs;
};

/**
 * struct mshv_movable - state of a movable (not pinned) region
 * @mni: notifier of changes to the backing user memory
 * @lock: serialises fault-in, invalidation and unmapping of the region;
 *	protects @chunks and the region's mapping in the hypervisor. Never
 *	held while memory is allocated or user memory is faulted in, since
 *	the invalidation callback takes it from reclaim.
 * @chunks: bitmap of the region's 2 MiB GPA chunks whose pages are mapped
 *	in the hypervisor (the others are not mapped at all); chunk 0 starts
 *	at the 2 MiB boundary at or below the region's first page
 * @large: bitmap of the mapped chunks that are mapped as one large page;
 *	in the same allocation as @chunks
 * @lost_dirty: bitmap of the writable chunks that an invalidation
 *	unmapped: the hypervisor forgot their accessed and dirty bits with
 *	the mapping, so MSHV_GET_GPAP_ACCESS_BITMAP
 *	reports every page of such a chunk accessed and dirty until a dirty
 *	query that clears covers the whole chunk. Same allocation; atomic
 *	bit operations: set under @lock, tested and cleared under the
 *	partition's pt_mutex.
 * @removed: the region was taken out of its partition and unmapped; a
 *	fault-in that still holds a reference maps nothing any more. Set
 *	under @lock, read under it (and locklessly as a hint)
 */
struct mshv_movable {
	struct mmu_interval_notifier mni;
	struct mutex lock;	/* fault-in vs invalidation; protects chunks */
	unsigned long *chunks;
	unsigned long *large;
	unsigned long *lost_dirty;
	bool removed;
};

/**
 * struct mshv_mem_region - guest memory backed by the VMM's memory
 * @node: entry in the partition's region tree
 * @refs: references: the tree's (kept by whoever takes the region out of
 *	the tree until it is out of the hypervisor too), and one per holder
 *	from mshv_region_lookup(); the last one frees the region
 * @partition: the partition the region belongs to
 * @start_gfn: first guest page frame
 * @nr_pages: number of guest pages
 * @start_uaddr: user address backing @start_gfn
 * @hv_map_flags: HV_MAP_GPA_* access flags of accessible mappings
 * @writable: the guest may write the region
 * @type: how the memory is held
 * @tracking_bytes: kernel memory used to track the region
 * @pinned: state of a MSHV_REGION_PINNED region
 * @movable: state of a MSHV_REGION_MOVABLE region
 * @locked_mm: a pinned region's pages are charged to this address space's
 *	locked_vm (RLIMIT_MEMLOCK), held with mmgrab(); NULL when nothing is
 *	charged
 */
struct mshv_mem_region {
	struct rb_node node;
	struct kref refs;
	struct mshv_partition *partition;
	u64 start_gfn;
	u64 nr_pages;
	u64 start_uaddr;
	u32 hv_map_flags;
	bool writable;
	enum mshv_region_type type;
	size_t tracking_bytes;
	union {
		struct mshv_pinned pinned;
		struct mshv_movable movable;
	};
	struct mm_struct *locked_mm;
};

/**
 * struct mshv_extent - guest pages that are mapped by one kind of rep
 * @gfn: first guest page frame
 * @pfn: first page frame backing it
 * @nr_pages: number of pages; MSHV_LARGE_PAGES for a large extent
 * @large: mapped by one large-page rep
 */
struct mshv_extent {
	u64 gfn;
	u64 pfn;
	u64 nr_pages;
	bool large;
};

/**
 * struct mshv_extent_iter - walks a region as the hypervisor maps it
 * @region: the region
 * @gfn: next guest page frame
 * @end: guest page frame after the last one walked
 * @run: pinned regions: index of the run holding @gfn
 * @run_off: pinned regions: pages of that run before @gfn
 */
struct mshv_extent_iter {
	const struct mshv_mem_region *region;
	u64 gfn;
	u64 end;
	unsigned long run;
	u64 run_off;
};

/**
 * struct mshv_passthru_call - a hypercall issued for user space
 * @partition_id: target partition; replaces the first 8 bytes of the
 *	input and receives the deposits if the hypervisor runs out of memory
 * @code: hypercall code of a memory-based (not fast) hypercall
 * @reps: number of reps of a rep hypercall; 0 for a simple one
 * @in_sz: size of @input in bytes, 8 to HV_HYP_PAGE_SIZE
 * @out_sz: size of @output in bytes, at most HV_HYP_PAGE_SIZE; 0 when
 *	@output is NULL
 * @input: kernel copy of the input parameters
 * @output: kernel buffer that receives the output on success, or NULL
 * @async: the hypervisor may answer HV_STATUS_CALL_PENDING and post the
 *	final status in a completion message, which is waited for; NULL for
 *	a call that always completes at once
 * @status: out: result value of the last hypercall issued (for an
 *	asynchronous call: its final status)
 * @wait_err: out: -EINTR if the caller was killed while it waited for an
 *	asynchronous call, else 0
 */
struct mshv_passthru_call {
	u64 partition_id;
	u16 code;
	u16 reps;
	u16 in_sz;
	u16 out_sz;
	const void *input;
	void *output;
	struct mshv_async_call *async;
	u64 status;
	int wait_err;
};

/* mshv_root_hv_call.c */
int mshv_hvcall_create_partition(u64 flags,
				 const struct hv_partition_creation_properties *props,
				 u64 *partition_id);
int mshv_hvcall_initialize_partition(u64 partition_id);
int mshv_hvcall_finalize_partition(u64 partition_id);
int mshv_hvcall_delete_partition(u64 partition_id);
int mshv_hvcall_get_partition_property(u64 partition_id, u32 code,
				       u64 *value);
int mshv_hvcall_set_partition_property(u64 partition_id, u32 code,
				       u64 value);
int mshv_hvcall_passthru(struct mshv_passthru_call *call);
void mshv_async_call_init(struct mshv_async_call *ac);
bool mshv_async_call_complete(struct mshv_async_call *ac, u64 status);
u64 mshv_hvcall_map_gpa_pages(u64 partition_id, u64 gfn, u32 flags,
			      const u64 *pfns, unsigned int count);
int mshv_hvcall_map_gpa_pages_deposit(u64 partition_id, u64 gfn, u32 flags,
				      const u64 *pfns, unsigned int count);
int mshv_hvcall_unmap_gpa_pages(u64 partition_id, u64 gfn, u32 flags,
				unsigned int count);
int mshv_hvcall_get_gpa_access_states(u64 partition_id, u64 gfn, u64 flags,
				      unsigned int count, u8 *states,
				      unsigned int *done);
int mshv_hvcall_get_scheduler_type(u32 *type);
int mshv_hvcall_get_vmm_caps(u64 *caps);
int mshv_hvcall_map_stats_page(u32 type,
			       const union hv_stats_object_identity *identity,
			       struct page *overlay,
			       struct hv_stats_page **stats);
int mshv_hvcall_unmap_stats_page(u32 type,
				 const union hv_stats_object_identity *identity);
int mshv_hvcall_delete_vp(u64 partition_id, u32 vp_index);
int mshv_hvcall_assert_interrupt(u64 partition_id,
				 const struct mshv_lapic_irq *irq);
int mshv_hvcall_create_doorbell_port(u64 partition_id, u32 port_id);
int mshv_hvcall_connect_doorbell(u64 partition_id, u32 port_id, u64 gpa,
				 u64 value, u64 flags);
int mshv_hvcall_disconnect_doorbell(u64 partition_id, u32 port_id);
int mshv_hvcall_delete_port(u32 port_id);
int mshv_hvcall_notify_port_ring_empty(u32 sint_index);
int mshv_hvcall_map_vp_state_page(u64 partition_id, u32 vp_index, u16 type,
				  u64 *pfn);
int mshv_hvcall_unmap_vp_state_page(u64 partition_id, u32 vp_index,
				    u16 type);
int mshv_dispatch_pages_alloc(void);
void mshv_dispatch_pages_free(void);
int mshv_hvcall_dispatch_vp(u64 partition_id, u32 vp_index, u32 flags,
			    struct hv_output_dispatch_vp *out);
int mshv_hvcall_set_vp_reg64(u64 partition_id, u32 vp_index,
			     const u32 *names, const u64 *values,
			     unsigned int count);
int mshv_hvcall_get_vp_reg64(u64 partition_id, u32 vp_index, u32 name,
			     u64 *value);
int mshv_hvcall_vp_state(u64 partition_id, u32 vp_index,
			 const struct hv_vp_state_data *data,
			 struct page **pages, unsigned int nr_pages,
			 void *bytes, u32 nr_bytes, bool set);

/* mshv_vp.c */
long mshv_partition_ioctl_create_vp(struct mshv_partition *pt,
				    void __user *arg);
void mshv_partition_release_vps(struct mshv_partition *pt);
void mshv_vp_kick(u64 partition_id, u32 vp_index);
void mshv_partition_kick_vps(u64 partition_id);
void mshv_kick_all_vps(void);
int mshv_vp_inject_fast(struct mshv_partition *pt,
			const struct mshv_lapic_irq *irq);
#if IS_ENABLED(CONFIG_KUNIT)
int mshv_vectors_add(u64 *word, u8 vector);
bool mshv_vectors_remove(u64 *word, u8 vector);
#endif

/* mshv_synic.c */
struct hv_vp_signal_bitset_scheduler_message;
struct hv_synic_event_ring;
struct hv_vp_signal_pair_scheduler_message;
int mshv_synic_init(void);
void mshv_synic_exit(void);

/**
 * enum mshv_ring_drain - how a drain of a doorbell event ring ended
 * @MSHV_RING_EMPTY: the ring is empty and unmasked
 * @MSHV_RING_MORE: the budget ran out; the ring stays masked
 * @MSHV_RING_RETRY: the hypervisor refused to refill the overflowed ring;
 *	it stays masked and marked full
 */
enum mshv_ring_drain {
	MSHV_RING_EMPTY,
	MSHV_RING_MORE,
	MSHV_RING_RETRY,
};

#if IS_ENABLED(CONFIG_KUNIT)
int mshv_synic_bitset_vps(const struct hv_vp_signal_bitset_scheduler_message *msg,
			  unsigned long *vps);
enum mshv_ring_drain
mshv_synic_drain_ring(struct hv_synic_event_ring *ring, unsigned int *tail,
		      unsigned int budget);
void
mshv_synic_vp_signals(const struct hv_vp_signal_pair_scheduler_message *pair);
#endif

/* mshv_root_main.c */
extern u32 mshv_scheduler_type;
extern bool mshv_fast_injection;
void mshv_partition_put(struct mshv_partition *pt);
struct mshv_partition *mshv_partition_find_rcu(u64 partition_id);
long mshv_ioctl_root_hvcall(struct mshv_partition *pt, bool pt_fd,
			    struct mshv_root_hvcall __user *user_args);
void mshv_partition_async_complete(u64 partition_id, u64 status);

/* mshv_irq.c */
bool mshv_partition_irq_route(struct mshv_partition *pt, u32 gsi,
			      struct mshv_lapic_irq *irq);
long mshv_partition_ioctl_set_msi_routing(struct mshv_partition *pt,
					  struct mshv_user_irq_table __user *user_table);
void mshv_partition_release_irq_table(struct mshv_partition *pt);
#if IS_ENABLED(CONFIG_KUNIT)
void mshv_msi_to_irq(u32 address_lo, u32 data, struct mshv_lapic_irq *irq);
struct mshv_irq_table *
mshv_irq_table_build(const struct mshv_user_irq_entry *entries, u32 nr);
void mshv_irq_table_free(struct mshv_irq_table *table);
bool mshv_irq_table_lookup(const struct mshv_irq_table *table, u32 gsi,
			   struct mshv_lapic_irq *irq);
#endif

/* mshv_eventfd.c */
long mshv_partition_ioctl_irqfd(struct mshv_partition *pt,
				struct mshv_user_irqfd __user *user_args);
void mshv_partition_release_irqfds(struct mshv_partition *pt);
void mshv_irqfd_eoi(u64 partition_id, u32 vector);
long mshv_partition_ioctl_ioeventfd(struct mshv_partition *pt,
				    struct mshv_user_ioeventfd __user *user_args);
void mshv_partition_release_ioeventfds(struct mshv_partition *pt);
void mshv_partition_release_ports(struct mshv_partition *pt);
void mshv_doorbell_ring(u32 port_id);
int mshv_irqfd_init(void);
void mshv_irqfd_exit(void);

/* mshv_regions.c */
int mshv_region_handle_gpa_fault(struct mshv_partition *pt, u64 gfn,
				 bool write);
int mshv_partition_map_region(struct mshv_partition *pt,
			      const struct mshv_user_mem_region *mem,
			      bool movable);
int mshv_partition_unmap_region(struct mshv_partition *pt,
				const struct mshv_user_mem_region *mem);
void mshv_partition_release_regions(struct mshv_partition *pt);
void mshv_partition_unmap_kept_regions(struct mshv_partition *pt);
void mshv_partition_release_kept_regions(struct mshv_partition *pt,
					 bool deleted);
void mshv_partition_add_lost_dirty(struct mshv_partition *pt, u64 gfn,
				   unsigned int count, u8 *states, bool consume);
void mshv_partition_regions_init(struct mshv_partition *pt);
#if IS_ENABLED(CONFIG_KUNIT)
u64 mshv_run_pack(u64 pfn, u64 nr_pages);
u64 mshv_run_pfn(u64 run);
u64 mshv_run_len(u64 run);
int mshv_runs_add(struct mshv_pinned *pinned, u64 pfn, u64 nr_pages);
int mshv_runs_append(struct mshv_pinned *pinned, struct page *const *pages,
		     unsigned int count);
void mshv_extent_iter_init(struct mshv_extent_iter *it,
			   const struct mshv_mem_region *region, u64 gfn,
			   u64 nr_pages);
bool mshv_extent_next(struct mshv_extent_iter *it, struct mshv_extent *ext);
u64 mshv_region_slat_pages(const struct mshv_mem_region *region);
int mshv_region_map_pinned(struct mshv_mem_region *region);
int mshv_region_unmap_range(struct mshv_mem_region *region, u64 gfn,
			    u64 nr_pages);
struct mshv_mem_region *mshv_region_lookup(struct mshv_partition *pt,
					   u64 gfn);
void mshv_region_put(struct mshv_mem_region *region);
int mshv_region_insert(struct mshv_partition *pt,
		       struct mshv_mem_region *region);
#endif

/* Statistics in debugfs (mshv_stats.c) */
void mshv_stats_init(struct dentry *root);
void mshv_stats_exit(void);
void mshv_stats_partition_add(struct mshv_partition *pt);
void mshv_stats_partition_remove(struct mshv_partition *pt);
void mshv_stats_vp_add(struct mshv_vp *vp);
u64 mshv_doorbell_signals(void);
extern u64 mshv_vmm_caps;

#endif /* _MSHV_ROOT_H */
