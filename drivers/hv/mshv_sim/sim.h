/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private interface of mshv_sim, a test-only software model of the Hyper-V
 * partition management hypercalls. partition.c implements the
 * hypervisor, memory.c the GPA map (SLAT) of child partitions,
 * vp.c their virtual processors, lapic.c the VPs' local
 * APICs, main.c plugs one instance into the hypervisor seam and
 * debugfs, and sim_kunit.c drives private instances directly.
 */
#ifndef _MSHV_SIM_H
#define _MSHV_SIM_H

#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <hyperv/hvhdk.h>

#include "x86.h"

struct irq_work;
struct mshv_sim_async;
struct page;
struct task_struct;

/* Most faults that may be armed at the same time. */
#define MSHV_SIM_MAX_FAULTS		16
/* Most distinct hypercall codes whose calls are counted. */
#define MSHV_SIM_MAX_COUNTED_CODES	64
/* Number of entries in the partition property table (property.c). */
#define MSHV_SIM_NR_PROPERTIES		41

#define MSHV_SIM_DEFAULT_CREATE_PAGES	4
#define MSHV_SIM_DEFAULT_INIT_PAGES	216
#define MSHV_SIM_DEFAULT_MAX_REPS	0
#define MSHV_SIM_DEFAULT_VP_PAGES	8
#define MSHV_SIM_DEFAULT_LP_PAGES	2
#define MSHV_SIM_DEFAULT_SCHEDULER	HV_SCHEDULER_TYPE_ROOT
/* VMM capabilities reported to the root at first. */
#define MSHV_SIM_DEFAULT_VMM_CAPS	(HV_VMM_CAP_MAP_GPA_PRESERVE_ADJUSTABLE | \
				 HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES)

/* Virtual processors of one partition: vp_index is below this. */
#define MSHV_SIM_MAX_VPS		256
/* Logical processors of the simulated machine: lp_index is below this. */
#define MSHV_SIM_MAX_LPS		256
/* Instructions HvDispatchVp executes before it lets other CPUs in. */
#define MSHV_SIM_DISPATCH_BUDGET	2048
/*
 * A root interrupt ends a VP's run: the simulator looks for one every
 * MSHV_SIM_ROOT_IRQ_POLL instructions of a budget, after its first
 * MSHV_SIM_ROOT_IRQ_MIN_RUN (a pause-loop window, defined below).
 */
#define MSHV_SIM_ROOT_IRQ_POLL		64
#define MSHV_SIM_ROOT_IRQ_MIN_RUN	MSHV_SIM_PLE_WINDOW
/*
 * Pause-loop exiting: PAUSEs at most MSHV_SIM_PLE_GAP instructions apart
 * form a spin loop; one that has spun for MSHV_SIM_PLE_WINDOW
 * instructions gives up the rest of the VP's time slice.
 */
#define MSHV_SIM_PLE_GAP		32
#define MSHV_SIM_PLE_WINDOW		256
/* Longest HvDispatchVp when the root asks for no time slice (10 ms). */
#define MSHV_SIM_DEFAULT_TIME_SLICE_NS	(10 * NSEC_PER_MSEC)
/* Most intercepts installed in one partition. */
#define MSHV_SIM_MAX_INTERCEPTS		32

/* Guest page frames the SLAT can map: GPAs lie below 2^52 bytes. */
#define MSHV_SIM_GPA_LIMIT_PFN		BIT_ULL(52 - 12)

/**
 * enum mshv_sim_pt_state - life cycle of a simulated child partition
 * @MSHV_SIM_PT_CREATED: HvCreatePartition succeeded
 * @MSHV_SIM_PT_INITIALIZED: HvInitializePartition succeeded
 * @MSHV_SIM_PT_FINALIZED: HvFinalizePartition succeeded; may be deleted
 */
enum mshv_sim_pt_state {
	MSHV_SIM_PT_CREATED,
	MSHV_SIM_PT_INITIALIZED,
	MSHV_SIM_PT_FINALIZED,
};

/**
 * enum mshv_sim_knob - tunables of a simulator instance
 * @MSHV_SIM_KNOB_CREATE_PAGES: free root-pool pages HvCreatePartition needs
 * @MSHV_SIM_KNOB_INIT_PAGES: free child-pool pages HvInitializePartition needs
 * @MSHV_SIM_KNOB_MAX_REPS: most reps completed per rep hypercall (0: no limit)
 * @MSHV_SIM_KNOB_VP_PAGES: free child-pool pages HvCreateVp needs
 * @MSHV_SIM_KNOB_SCHEDULER: the scheduler type HvGetSystemProperty reports
 * @MSHV_SIM_KNOB_VMM_CAPS: the HV_VMM_CAP_* bits HvGetPartitionPropertyEx
 *	reports for the root
 * @MSHV_SIM_KNOB_ASYNC_MS: when not 0, HvSetPartitionProperty returns
 *	HV_STATUS_CALL_PENDING and completes this many milliseconds later
 * @MSHV_SIM_KNOB_FAST_INJECTION: 1 to report
 *	HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE to the root, 0 not to
 * @MSHV_SIM_KNOB_SIGNAL_BITSET: 1 to tell the root scheduler that a VP
 *	can run with HVMSG_SCHEDULER_VP_SIGNAL_BITSET, 0 with
 *	HVMSG_SCHEDULER_VP_SIGNAL_PAIR
 * @MSHV_SIM_KNOB_LP_PAGES: free root-pool pages HvAddLogicalProcessor needs
 *	(HvCreateVp for one of the root's own VPs needs
 *	MSHV_SIM_KNOB_VP_PAGES, also from the root pool)
 * @MSHV_SIM_NR_KNOBS: number of knobs
 */
enum mshv_sim_knob {
	MSHV_SIM_KNOB_CREATE_PAGES,
	MSHV_SIM_KNOB_INIT_PAGES,
	MSHV_SIM_KNOB_MAX_REPS,
	MSHV_SIM_KNOB_VP_PAGES,
	MSHV_SIM_KNOB_SCHEDULER,
	MSHV_SIM_KNOB_VMM_CAPS,
	MSHV_SIM_KNOB_ASYNC_MS,
	MSHV_SIM_KNOB_FAST_INJECTION,
	MSHV_SIM_KNOB_SIGNAL_BITSET,
	MSHV_SIM_KNOB_LP_PAGES,
	MSHV_SIM_NR_KNOBS,
};

/**
 * struct mshv_sim_pool - memory deposited into a partition
 * @pages: the held pages, linked through a header stored in each page
 * @nr_pages: number of pages on @pages
 * @nr_in_use: how many of them the simulated hypervisor is using; the
 *	other @nr_pages - @nr_in_use are free and may be withdrawn
 */
struct mshv_sim_pool {
	struct list_head pages;
	u64 nr_pages;
	u64 nr_in_use;
};

/**
 * struct mshv_sim_slat - the GPA map (SLAT) of a child partition
 * @small: 4 KiB entries, indexed by guest page frame number
 * @large: 2 MiB entries, indexed by guest page frame number / 512; a 2 MiB
 *	range holds either one large entry or 4 KiB entries, never both
 * @nr_mapped: 4 KiB pages mapped with some access (a large entry: 512)
 * @nr_noaccess: 4 KiB pages mapped with no access (a large entry: 512)
 * @nr_large: large entries, whatever their access
 * @nr_tables: 2 MiB ranges holding 4 KiB entries (one pool page each)
 * @nr_dirs: 1 GiB ranges holding any entry (one pool page each)
 * @intercepts: guest accesses that stopped at this partition's SLAT
 *
 * Entries are xarray value entries (see memory.c). The simulator
 * lock protects all of it; the xarrays' own locks are taken inside the
 * xarray calls and nest within it. Memory for the xarrays is allocated
 * with GFP_ATOMIC, while the pool pages the hypervisor would use for the
 * same tables are only counted: @nr_tables + @nr_dirs pages of the pool
 * are in use on behalf of the SLAT.
 */
struct mshv_sim_slat {
	struct xarray small;
	struct xarray large;
	u64 nr_mapped;
	u64 nr_noaccess;
	u64 nr_large;
	u64 nr_tables;
	u64 nr_dirs;
	u64 intercepts;
};

/* Statistics areas modelled: HV_STATS_AREA_SELF and HV_STATS_AREA_PARENT. */
#define MSHV_SIM_STATS_AREAS		2
/* 4 KiB pages in one large (2 MiB) page. */
#define HV_PAGES_PER_LARGE		512

/**
 * struct mshv_sim_stats_obj - the statistics pages of a partition or VP
 * @area: where each area's counters are (struct hv_stats_page data),
 *	NULL while it is not mapped
 * @own: the simulator's page behind an area mapped with HvMapStatsPage,
 *	NULL for one the root provided with HvMapStatsPage2
 */
struct mshv_sim_stats_obj {
	u64 *area[MSHV_SIM_STATS_AREAS];
	struct page *own[MSHV_SIM_STATS_AREAS];
};

/**
 * struct mshv_sim_intercept - an intercept a partition's parent installed
 * @type: HV_INTERCEPT_TYPE_*
 * @access_mask: HV_INTERCEPT_ACCESS_MASK_* accesses it covers
 * @parameter: the port, leaf, MSR or vector it is for
 */
struct mshv_sim_intercept {
	u32 type;
	u32 access_mask;
	u64 parameter;
};

/*
 * Most CPUID results registered for one VP, and for all VPs of a
 * partition (HV_ANY_VP): QEMU 11 registers 86 for each VP (64 of them for
 * the subleaves of leaf 0xd).
 */
#define MSHV_SIM_MAX_CPUID_RESULTS	256

/**
 * struct mshv_sim_cpuid_result - a CPUID result a partition's parent
 *	registered (HvRegisterInterceptResult)
 * @vp_index: the VP it is for, or HV_ANY_VP
 * @leaf: the leaf (EAX)
 * @subleaf: the subleaf (ECX), if @subleaf_specific
 * @subleaf_specific: only subleaf @subleaf is meant
 * @always_override: as registered (the simulator applies every result)
 * @value: EAX, EBX, ECX, EDX bits
 * @mask: per register, the bits of @value that replace the default
 */
struct mshv_sim_cpuid_result {
	u32 vp_index;
	u32 leaf;
	u32 subleaf;
	bool subleaf_specific;
	bool always_override;
	u32 value[4];
	u32 mask[4];
};

/**
 * struct mshv_sim_cpuid_table - the CPUID results registered for one VP
 * @results: the results, allocated as they come; NULL while there is none
 * @nr: used entries of @results
 * @size: allocated entries of @results
 */
struct mshv_sim_cpuid_table {
	struct mshv_sim_cpuid_result *results;
	unsigned int nr;
	unsigned int size;
};

/**
 * struct mshv_sim_partition - one simulated partition
 * @id: partition id; HV_PARTITION_ID_SELF for the root partition
 * @state: life-cycle state (children only)
 * @flags: HV_PARTITION_CREATION_FLAG_* given at creation
 * @isolation: isolation properties given at creation
 * @compat_version: compatibility version given at creation
 * @props: stored property values, indexed like the property table of
 *	property.c (computed properties ignore their entry)
 * @proc_features: the processor feature banks of the partition's VPs:
 *	the simulated processor's for the root, for a child the root's less
 *	those its creation disabled
 * @xsave_features: the xsave features, likewise
 * @time_frozen: HV_PARTITION_PROPERTY_TIME_FREEZE, 0 or 1
 * @ref_time_frozen: the reference time (100 ns units) while @time_frozen
 * @ref_time_base_ns: ktime_get_ns() when the reference time was 0, had it
 *	never stood still; valid while !@time_frozen
 * @ref_tsc_sequence: the tsc_sequence last written to a reference TSC page
 * @pool: the partition's memory pool
 * @root_pages: root-pool pages in use on behalf of this partition
 * @init_pages: pages of @pool put in use by HvInitializePartition
 * @slat: the GPA map (children only)
 * @vps: virtual processors (struct mshv_sim_vp), keyed by VP index
 * @nr_vps: number of entries in @vps
 * @intercepts: intercepts installed by HvInstallIntercept
 * @nr_intercepts: used entries of @intercepts
 * @connections: the partition's connections to ports (struct
 *	mshv_sim_connection, see port.c), by connection id
 * @async: the asynchronous HvSetPartitionProperty call; allocated by the
 *	first one, NULL before
 * @cpuid_results: CPUID results registered by HvRegisterInterceptResult
 *	for every VP (HV_ANY_VP); each VP holds its own
 * @nr_cpuid_results: used entries of @cpuid_results
 * @stats: the partition's statistics pages (stats.c)
 */
struct mshv_sim_partition {
	u64 id;
	enum mshv_sim_pt_state state;
	u64 flags;
	u64 isolation;
	u32 compat_version;
	u64 props[MSHV_SIM_NR_PROPERTIES];
	u64 proc_features[HV_PARTITION_PROCESSOR_FEATURES_BANKS];
	u64 xsave_features;
	u64 time_frozen;
	u64 ref_time_frozen;
	u64 ref_time_base_ns;
	u32 ref_tsc_sequence;
	struct mshv_sim_pool pool;
	u64 root_pages;
	u64 init_pages;
	struct mshv_sim_slat slat;
	struct xarray vps;
	unsigned int nr_vps;
	struct mshv_sim_intercept intercepts[MSHV_SIM_MAX_INTERCEPTS];
	unsigned int nr_intercepts;
	struct xarray connections;
	struct mshv_sim_async *async;
	struct mshv_sim_cpuid_result cpuid_results[MSHV_SIM_MAX_CPUID_RESULTS];
	unsigned int nr_cpuid_results;
	struct mshv_sim_stats_obj stats;
};

/* Synthetic interrupt sources of one SynIC. */
#define MSHV_SIM_SINT_COUNT		16
/* Payload bytes of the messages the simulator posts to the root. */
#define MSHV_SIM_SINT_PAYLOAD		240

/**
 * struct mshv_sim_sint_msg - a message for the root's SINT0
 * @node: entry in a CPU's list of messages waiting for the slot; empty
 *	when not waiting
 * @type: HVMSG_* type
 * @sender: the header's sender (a partition id)
 * @size: bytes of @payload used
 * @payload: the payload
 *
 * Embedded in the object the message is about (a VP), so posting never
 * allocates: a message waits for the slot at most once.
 */
struct mshv_sim_sint_msg {
	struct list_head node;
	u32 type;
	u64 sender;
	u8 size;
	u8 payload[MSHV_SIM_SINT_PAYLOAD];
};

/**
 * struct mshv_sim_async - a partition's asynchronous HvSetPartitionProperty
 * @pending: the call returned HV_STATUS_CALL_PENDING and is not complete
 * @code: the property it sets
 * @value: the value it sets
 * @msg: its HVMSG_ASYNC_CALL_COMPLETION, while it waits for the root's
 *	SINT0 slot
 *
 * sim->lock protects it.
 */
struct mshv_sim_async {
	bool pending;
	u32 code;
	u64 value;
	struct mshv_sim_sint_msg msg;
};

/**
 * struct mshv_sim_synic - the root partition's SynIC on one CPU
 * @sim: the instance
 * @cpu: the CPU
 * @scontrol: HV_MSR_SCONTROL
 * @simp: HV_MSR_SIMP: enable bit and the GPA of @page, which the
 *	simulator chose (the root cannot move it)
 * @siefp: HV_MSR_SIEFP, kept only
 * @sirbp: HV_MSR_SIRBP: enable bit and the GPA of @rings, which the
 *	simulator chose
 * @sint: HV_MSR_SINT0 to SINT15
 * @page: the message page
 * @rings: the event ring page (struct hv_synic_event_ring_page)
 * @ring_head: per SINT, the next entry of its ring the simulator fills
 * @waiting: messages waiting for SINT0's slot (struct mshv_sim_sint_msg)
 * @notify: per SINT, the HVMSG_SYNIC_SINT_INTERCEPT saying that its
 *	event ring has entries, while it waits for SINT0's slot
 * @irq: raises the SynIC interrupt on @cpu
 */
struct mshv_sim_synic {
	struct mshv_sim *sim;
	unsigned int cpu;
	u64 scontrol;
	u64 simp;
	u64 siefp;
	u64 sirbp;
	u64 sint[MSHV_SIM_SINT_COUNT];
	struct page *page;
	struct page *rings;
	u8 ring_head[MSHV_SIM_SINT_COUNT];
	struct list_head waiting;
	struct mshv_sim_sint_msg notify[MSHV_SIM_SINT_COUNT];
	struct irq_work irq;
};

/**
 * struct mshv_sim_fault - an armed fault
 * @code: hypercall code the fault applies to
 * @status: HV_STATUS_* value returned when it fires
 * @remaining: calls of @code left until it fires (1: the next one)
 */
struct mshv_sim_fault {
	u16 code;
	u16 status;
	u32 remaining;
};

/**
 * struct mshv_sim_call_count - calls of one hypercall code and their time
 * @code: hypercall code
 * @calls: calls seen since the instance was created
 * @ns: nanoseconds spent in them, from entry to return (waiting for the
 *	instance's lock included), since the instance was created
 */
struct mshv_sim_call_count {
	u16 code;
	u64 calls;
	u64 ns;
};

/**
 * struct mshv_sim_hv_time - where the simulated hypervisor spent its time
 * @hypercall_ns: nanoseconds in hypercalls (HvDispatchVp included)
 * @hypercalls: hypercalls executed
 * @sched_ns: nanoseconds its own scheduler spent running VPs
 * @sched_runs: budgets its own scheduler ran
 * @msr_ns: nanoseconds in accesses to the root's synthetic MSRs
 * @msr_accesses: accesses to the root's synthetic MSRs
 *
 * The time the root partition would not spend in its own kernel on a real
 * hypervisor. Benchmarks subtract it from the time they measure to obtain
 * the driver's share.
 */
struct mshv_sim_hv_time {
	u64 hypercall_ns;
	u64 hypercalls;
	u64 sched_ns;
	u64 sched_runs;
	u64 msr_ns;
	u64 msr_accesses;
};

/**
 * struct mshv_sim - one simulated hypervisor
 * @lock: protects the fields below up to @knobs. A spinlock taken with
 *	IRQs saved, because hypercalls arrive with IRQs disabled; nothing
 *	under it sleeps and allocations under it use GFP_ATOMIC.
 * @partitions: child partitions (struct mshv_sim_partition), keyed by id
 * @next_id: next partition id to try (cyclic allocation, no early reuse)
 * @nr_partitions: number of entries in @partitions
 * @root: the root partition: its pool and properties
 * @child_pages: pages held in all child pools together
 * @leaked: pages left in child pools when the child was deleted; kept here
 *	(linked like pool pages) until the instance is destroyed
 * @nr_leaked: number of pages on @leaked
 * @mapped_pages: 4 KiB pages mapped in all child SLATs, any access
 * @nr_vps: live virtual processors of all partitions
 * @state_pages: VP state pages allocated and not yet freed
 * @state_pfns: the page frames of those pages, so that HvMapGpaPages can
 *	refuse them as guest memory; own lock, changed under @lock
 * @calls: per-code call counters, sorted by code
 * @nr_codes: used entries of @calls
 * @hv_time: time spent in hypercalls, in the simulator's own scheduler and
 *	in synthetic MSR accesses (see struct mshv_sim_hv_time)
 * @faults: armed faults, in the order they were armed
 * @nr_faults: used entries of @faults
 * @synic: the root's SynIC, one per possible CPU (by CPU number)
 * @runnable: VPs the hypervisor's scheduler may run (struct mshv_sim_vp)
 * @nr_runnable: number of entries on @runnable
 * @ports: the root's ports (struct mshv_sim_port, see port.c),
 *	by port id
 * @nr_ports: number of entries in @ports
 * @nr_connections: connections of all partitions to ports
 * @doorbells: guest writes that rang a doorbell
 * @scanned_vectors: vectors taken from VPs' register pages by dispatches
 *	that scanned them
 * @lps: logical processors the root added (HvAddLogicalProcessor); the
 *	boot processor, 0, is there from the start
 * @lp_apic_ids: APIC id of each logical processor in @lps
 * @root_vps: the root's own virtual processors (HvCreateVp on
 *	HV_PARTITION_ID_SELF); VP 0 is there from the start
 * @knobs: enum mshv_sim_knob values. Single words written and read
 *	with WRITE_ONCE()/READ_ONCE(), so no lock; a hypercall reads each
 *	knob it needs once.
 * @handler: the root's SynIC handler (see hv_sim_ops.set_handler);
 *	READ_ONCE()/WRITE_ONCE(), no lock
 * @sched_task: the thread that runs VPs when the simulator, not the root,
 *	schedules them; NULL for an instance without one (KUnit)
 * @sched_wq: where @sched_task waits for a runnable VP
 * @async_work: completes the pending asynchronous calls of all partitions
 * @stimer: fires at the earliest expiration of all VPs' synthetic timers
 *	(stimer.c); its callback takes @lock
 */
struct mshv_sim {
	/* Guards the fields below up to @knobs; see the description above. */
	spinlock_t lock;
	struct xarray partitions;
	u32 next_id;
	u64 nr_partitions;
	struct mshv_sim_partition root;
	u64 child_pages;
	struct list_head leaked;
	u64 nr_leaked;
	u64 mapped_pages;
	u64 nr_vps;
	u64 state_pages;
	struct xarray state_pfns;
	struct mshv_sim_call_count calls[MSHV_SIM_MAX_COUNTED_CODES];
	unsigned int nr_codes;
	struct mshv_sim_hv_time hv_time;
	struct mshv_sim_fault faults[MSHV_SIM_MAX_FAULTS];
	unsigned int nr_faults;
	struct mshv_sim_synic *synic;
	struct list_head runnable;
	unsigned int nr_runnable;
	struct xarray ports;
	u64 nr_ports;
	u64 nr_connections;
	u64 doorbells;
	u64 scanned_vectors;
	DECLARE_BITMAP(lps, MSHV_SIM_MAX_LPS);
	u32 lp_apic_ids[MSHV_SIM_MAX_LPS];
	DECLARE_BITMAP(root_vps, MSHV_SIM_MAX_LPS);
	u32 knobs[MSHV_SIM_NR_KNOBS];
	/* Not guarded by @lock. */
	void (*handler)(void);
	struct task_struct *sched_task;
	wait_queue_head_t sched_wq;
	struct delayed_work async_work;
	struct hrtimer stimer;
};

/**
 * struct mshv_sim_stats - a consistent snapshot of an instance's counters
 * @partitions: live child partitions
 * @deposited_pages: pages held in all child pools
 * @root_pool_pages: pages held in the root pool
 * @root_pool_in_use: root-pool pages used by live partitions
 * @leaked_pages: pages left in child pools at deletion
 * @mapped_pages: 4 KiB pages mapped in all child SLATs, any access
 * @vps: live virtual processors of all partitions
 * @state_pages: VP state pages the simulator allocated and still holds
 * @ports: ports the root created and did not delete
 * @connections: connections of all partitions to ports
 * @doorbells: guest writes that rang a doorbell
 * @scanned_vectors: vectors taken from VPs' register pages
 * @lps: logical processors of the machine, the boot processor included
 * @root_vps: the root's own virtual processors
 */
struct mshv_sim_stats {
	u64 partitions;
	u64 deposited_pages;
	u64 root_pool_pages;
	u64 root_pool_in_use;
	u64 leaked_pages;
	u64 mapped_pages;
	u64 vps;
	u64 state_pages;
	u64 ports;
	u64 connections;
	u64 doorbells;
	u64 scanned_vectors;
	u64 lps;
	u64 root_vps;
};

/**
 * struct mshv_sim_pt_info - a snapshot of one partition
 * @state: life-cycle state
 * @flags: creation flags
 * @pool_pages: pages held in its pool
 * @pool_in_use: pages of the pool in use
 */
struct mshv_sim_pt_info {
	enum mshv_sim_pt_state state;
	u64 flags;
	u64 pool_pages;
	u64 pool_in_use;
};

/**
 * struct mshv_sim_slat_info - a snapshot of one child partition's SLAT
 * @id: partition id
 * @mapped_pages: 4 KiB pages mapped with some access (large entry: 512)
 * @large_entries: 2 MiB entries, whatever their access
 * @noaccess_pages: 4 KiB pages mapped with no access (large entry: 512)
 * @slat_pages: pool pages in use for the SLAT
 * @intercepts: guest accesses that stopped at the SLAT
 */
struct mshv_sim_slat_info {
	u64 id;
	u64 mapped_pages;
	u64 large_entries;
	u64 noaccess_pages;
	u64 slat_pages;
	u64 intercepts;
};

/**
 * struct mshv_sim_gpa_entry - how one guest page is mapped
 * @pfn: the root's page frame that backs it
 * @access: HV_MAP_GPA_READABLE, _WRITABLE, _KERNEL_EXECUTABLE and
 *	_USER_EXECUTABLE bits it was mapped with; 0 for a no-access mapping
 * @state: HV_GPA_PAGE_ACCESSED and HV_GPA_PAGE_DIRTY bits (for a page of
 *	a large entry: those of the whole entry)
 * @large: the page belongs to a 2 MiB entry
 */
struct mshv_sim_gpa_entry {
	u64 pfn;
	u32 access;
	u8 state;
	bool large;
};

/**
 * struct mshv_sim_call - one decoded hypercall
 * @code: call code
 * @fast: register-based (fast) call
 * @rep_count: reps requested
 * @rep_start: index of the first rep to execute
 * @reps_done: reps completed so far, counted from 0 (>= @rep_start once
 *	the control word is valid)
 * @varhead: size of the variable header, in 8-byte units
 * @fast_input: first register operand of a fast call
 * @in: mapped input buffer of a memory call
 * @out: mapped output buffer of a memory call, if the call has output
 */
struct mshv_sim_call {
	u16 code;
	bool fast;
	u16 rep_count;
	u16 rep_start;
	u16 reps_done;
	u16 varhead;
	u64 fast_input;
	void *in;
	void *out;
};

/*
 * The page-sized states HvGetVpState and HvSetVpState transfer through
 * page frames; the index is the type without HV_GET_SET_VP_STATE_TYPE_PFN.
 */
enum {
	MSHV_SIM_VP_STATE_LAPIC,
	MSHV_SIM_VP_STATE_XSAVE,
	MSHV_SIM_VP_STATE_SIMP,
	MSHV_SIM_VP_STATE_SIEFP,
	MSHV_SIM_VP_NR_STATES,
};

/* Processor clock (HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY), Hz */
#define MSHV_SIM_CLOCK_FREQUENCY	2500000000ULL
/*
 * The local APIC timer's rate, Hz, that HV_X64_MSR_APIC_FREQUENCY reports.
 * The TLFS gives no value, and the simulator runs no APIC timer (see
 * simulator.rst): this is an assumed rate, so that a guest which reads
 * the MSR instead of calibrating gets a plausible one.
 */
#define MSHV_SIM_APIC_FREQUENCY		200000000ULL

/* Vectors of a local APIC, and its version and SVR reset values. */
#define MSHV_SIM_APIC_VECTORS		256
#define MSHV_SIM_APIC_VERSION		0x00050014	/* 6 LVT entries */
#define MSHV_SIM_APIC_SPURIOUS		0xff

/**
 * struct mshv_sim_lapic - the virtual local APIC of a VP
 * @irr: interrupt request register: vectors accepted and not delivered
 * @isr: in-service register: vectors delivered and not ended by an EOI
 * @tmr: trigger mode register: the level-triggered vectors of @irr/@isr
 * @tpr: task priority register; CR8 is its bits 7:4 (see
 *	mshv_sim_lapic_tpr())
 * @svr: spurious-interrupt vector register; bit 8 enables the APIC
 * @ldr: logical destination register (xAPIC; x2APIC derives it from the
 *	APIC id)
 * @dfr: destination format register (xAPIC)
 * @icr_low: bits 31:0 of the interrupt command register, as last written
 * @icr_high: bits 63:32 of the interrupt command register
 * @halted: the VP executed HLT with interrupts enabled and waits inside
 *	the hypervisor for an interrupt (HV_INTERNAL_ACTIVITY_HALT_SUSPEND)
 * @blocked: with the root scheduler, HvDispatchVp returned BLOCKED
 *	(the VP was halted, waited for a startup IPI or was suspended); the
 *	root is owed a scheduler signal when it can run
 * @nmi_pending: an NMI was accepted and not yet delivered
 * @extint_vector: the ExtINT waiting for delivery (VP 0 only), or -1
 * @extint_acked: an ExtINT was delivered and HvClearVirtualInterrupt has
 *	not reported it yet (VP 0 only)
 * @eoi_queue: level-triggered vectors the guest ended that are still to
 *	be reported to the root, one message each
 * @signal: the HVMSG_SCHEDULER_VP_SIGNAL_PAIR message announcing that
 *	the VP can run again, while it waits for the root's SINT0 slot
 * @eoi: the HVMSG_X64_APIC_EOI message reporting a level-triggered EOI,
 *	while it waits for the root's SINT0 slot
 *
 * Only the VPs of partitions created with
 * HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED use it. Like the rest of the
 * VP, sim->lock protects it.
 */
struct mshv_sim_lapic {
	DECLARE_BITMAP(irr, MSHV_SIM_APIC_VECTORS);
	DECLARE_BITMAP(isr, MSHV_SIM_APIC_VECTORS);
	DECLARE_BITMAP(tmr, MSHV_SIM_APIC_VECTORS);
	u32 tpr;
	u32 svr;
	u32 ldr;
	u32 dfr;
	u32 icr_low;
	u32 icr_high;
	bool halted;
	bool blocked;
	bool nmi_pending;
	s16 extint_vector;
	bool extint_acked;
	DECLARE_BITMAP(eoi_queue, MSHV_SIM_APIC_VECTORS);
	struct mshv_sim_sint_msg signal;
	struct mshv_sim_sint_msg eoi;
};

/* Variable-range and fixed-range MTRRs of a VP */
#define MSHV_SIM_MTRR_VARIABLE		8
#define MSHV_SIM_MTRR_FIXED		11

/**
 * struct mshv_sim_vp_msrs - the MSRs and synthetic registers of a VP that
 *	the interpreter does not use itself; stored and returned
 * @tsc_aux: IA32_TSC_AUX
 * @tsc_adjust: IA32_TSC_ADJUST
 * @kernel_gs_base: IA32_KERNEL_GS_BASE
 * @sysenter_cs: IA32_SYSENTER_CS
 * @sysenter_eip: IA32_SYSENTER_EIP
 * @sysenter_esp: IA32_SYSENTER_ESP
 * @star: IA32_STAR
 * @lstar: IA32_LSTAR
 * @cstar: IA32_CSTAR
 * @sfmask: IA32_FMASK
 * @mtrr_def_type: IA32_MTRR_DEF_TYPE
 * @mtrr_base: IA32_MTRR_PHYSBASE0-7
 * @mtrr_mask: IA32_MTRR_PHYSMASK0-7
 * @mtrr_fixed: the fixed-range MTRRs, 64K_00000 first, 4K_F8000 last
 * @spec_ctrl: IA32_SPEC_CTRL
 * @xss: IA32_XSS (HV_X64_REGISTER_U_XSS)
 * @debug_ctl: IA32_DEBUGCTL
 * @u_cet: IA32_U_CET
 * @s_cet: IA32_S_CET
 * @ssp: the shadow stack pointer
 * @pl_ssp: IA32_PL0_SSP to IA32_PL3_SSP
 * @ssp_table: IA32_INTERRUPT_SSP_TABLE_ADDR
 * @intermediate_cr0: HV_X64_REGISTER_INTERMEDIATE_CR0
 * @intermediate_cr4: HV_X64_REGISTER_INTERMEDIATE_CR4
 * @intermediate_cr8: HV_X64_REGISTER_INTERMEDIATE_CR8
 * @hypercall: HV_X64_MSR_HYPERCALL (the hypercall page, vpsynic.c)
 * @guest_os_id: HV_X64_MSR_GUEST_OS_ID
 * @reference_tsc: HV_X64_MSR_REFERENCE_TSC (the TSC page, vpsynic.c)
 * @scontrol: the guest's SynIC control
 * @siefp: the guest's SIEFP
 * @simp: the guest's SIMP
 * @sint: the guest's SINT0-15
 */
struct mshv_sim_vp_msrs {
	u64 tsc_aux;
	u64 tsc_adjust;
	u64 kernel_gs_base;
	u64 sysenter_cs;
	u64 sysenter_eip;
	u64 sysenter_esp;
	u64 star;
	u64 lstar;
	u64 cstar;
	u64 sfmask;
	u64 mtrr_def_type;
	u64 mtrr_base[MSHV_SIM_MTRR_VARIABLE];
	u64 mtrr_mask[MSHV_SIM_MTRR_VARIABLE];
	u64 mtrr_fixed[MSHV_SIM_MTRR_FIXED];
	u64 spec_ctrl;
	u64 xss;
	u64 debug_ctl;
	u64 u_cet;
	u64 s_cet;
	u64 ssp;
	u64 pl_ssp[4];
	u64 ssp_table;
	u64 intermediate_cr0;
	u64 intermediate_cr4;
	u64 intermediate_cr8;
	u64 hypercall;
	u64 guest_os_id;
	u64 reference_tsc;
	u64 scontrol;
	u64 siefp;
	u64 simp;
	u64 sint[MSHV_SIM_SINT_COUNT];
};

/**
 * struct mshv_sim_vp_fpu - the x87, MMX and SSE registers of a VP, as
 *	128-bit register values (low quadword first); stored and returned,
 *	the interpreter executes no FPU or SSE instruction
 * @xmm: XMM0-15
 * @fp_mmx: ST0-7 / MM0-7
 * @fp_control_status: FCW, FSW, abridged FTW, FOP, FIP
 * @xmm_control_status: FDP; MXCSR and MXCSR_MASK in the high quadword
 */
struct mshv_sim_vp_fpu {
	u64 xmm[16][2];
	u64 fp_mmx[8][2];
	u64 fp_control_status[2];
	u64 xmm_control_status[2];
};

/**
 * struct mshv_sim_vp - one simulated virtual processor
 * @index: VP index in its partition
 * @cpu: the architectural state the interpreter runs on
 * @explicit_suspend: HV_REGISTER_EXPLICIT_SUSPEND
 * @intercept_suspend: HV_REGISTER_INTERCEPT_SUSPEND; set when an
 *	intercept is posted, cleared by the root when it dispatches again
 * @dispatch_suspend: HV_REGISTER_DISPATCH_SUSPEND
 * @pending_interruption: HV_REGISTER_PENDING_INTERRUPTION, injected
 *	before the VP's next instruction
 * @pending_event: HV_REGISTER_PENDING_EVENT0 and 1 (kept, not acted on)
 * @deliverability: HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS: the NMI
 *	and interrupt notifications are acted on, the rest kept
 * @startup_suspend: the VP waits for a startup IPI
 *	(HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND)
 * @idle_suspend: HV_INTERNAL_ACTIVITY_IDLE_SUSPEND (kept, not acted on)
 * @apic_base: IA32_APIC_BASE
 * @pat: IA32_PAT
 * @tsc: the time stamp counter's value at @tsc_ns; it counts at
 *	MSHV_SIM_CLOCK_FREQUENCY from there
 * @tsc_ns: ktime_get_ns() when @tsc was last written (or the VP reset)
 * @msrs: the other MSRs and the synthetic registers
 * @fpu: the x87, MMX and SSE registers
 * @pages: state pages shared with the root, by HV_VP_STATE_PAGE_*
 * @pool_pages: pages of the partition's pool in use for this VP
 * @state: page-sized state HvSetVpState stored, by MSHV_SIM_VP_STATE_*;
 *	NULL while it has its reset value
 * @stimers: the synthetic timers' state
 * @stimer_expiry: reference time of each enabled timer's next expiration
 * @pt: the VP's partition
 * @sim: the instance the VP belongs to
 * @run_node: entry in sim->runnable while the simulator's scheduler may
 *	run the VP; empty otherwise
 * @notify: the HVMSG_OPAQUE_INTERCEPT announcing the VP's intercept to
 *	the root, while it waits for the root's SINT0 slot
 * @lapic: the virtual local APIC (see struct mshv_sim_lapic)
 * @cpuid: the CPUID results registered for this VP
 * @dispatched: HvDispatchVp runs the VP, on some CPU
 * @stats: the VP's statistics pages (stats.c)
 *
 * sim->lock protects all of it.
 */
struct mshv_sim_vp {
	u32 index;
	struct mshv_sim_x86_cpu cpu;
	u64 explicit_suspend;
	u64 intercept_suspend;
	u64 dispatch_suspend;
	u64 pending_interruption;
	u64 pending_event[2][2];
	u64 deliverability;
	bool startup_suspend;
	bool idle_suspend;
	u64 apic_base;
	u64 pat;
	u64 tsc;
	u64 tsc_ns;
	struct mshv_sim_vp_msrs msrs;
	struct mshv_sim_vp_fpu fpu;
	struct page *pages[HV_VP_STATE_PAGE_COUNT];
	u64 pool_pages;
	void *state[MSHV_SIM_VP_NR_STATES];
	struct hv_synthetic_timers_state stimers;
	u64 stimer_expiry[HV_SYNIC_STIMER_COUNT];
	struct mshv_sim_partition *pt;
	struct mshv_sim *sim;
	struct list_head run_node;
	struct mshv_sim_sint_msg notify;
	struct mshv_sim_lapic lapic;
	struct mshv_sim_cpuid_table cpuid;
	bool dispatched;
	struct mshv_sim_stats_obj stats;
};

/* Statistics pages, stats.c; callers hold sim->lock. */
void mshv_sim_stat_add(struct mshv_sim_stats_obj *obj, unsigned int index,
		       u64 delta);
void mshv_sim_stats_after_call(struct mshv_sim *sim,
			       const struct mshv_sim_call *call);
void mshv_sim_stats_release(struct mshv_sim_stats_obj *obj);
u16 mshv_sim_map_stats_page(struct mshv_sim *sim, struct mshv_sim_call *call);
u16 mshv_sim_map_stats_page2(struct mshv_sim *sim, struct mshv_sim_call *call);
u16 mshv_sim_unmap_stats_page(struct mshv_sim *sim,
			      struct mshv_sim_call *call);

/**
 * enum mshv_sim_lapic_kind - what mshv_sim_lapic_next() has for the VP
 * @MSHV_SIM_LAPIC_FIXED: a fixed or lowest priority vector of the IRR
 * @MSHV_SIM_LAPIC_NMI: a non-maskable interrupt
 * @MSHV_SIM_LAPIC_EXTINT: an ExtINT (from the root's 8259 model)
 */
enum mshv_sim_lapic_kind {
	MSHV_SIM_LAPIC_FIXED,
	MSHV_SIM_LAPIC_NMI,
	MSHV_SIM_LAPIC_EXTINT,
};

/* The vector an NMI is delivered through */
#define MSHV_SIM_NMI_VECTOR		2

/* Shared by the files of the simulator; callers hold sim->lock. */
struct mshv_sim_partition *mshv_sim_find(struct mshv_sim *sim, u64 id,
					 bool self_ok);
unsigned int mshv_sim_rep_end(const struct mshv_sim *sim,
			      const struct mshv_sim_call *call);
u64 mshv_sim_pool_free(const struct mshv_sim_pool *pool);
bool mshv_sim_page_held(const struct mshv_sim *sim, struct page *page);

/* Partition properties, property.c; callers hold sim->lock. */
int mshv_sim_property_index(u32 code);
void mshv_sim_props_init(struct mshv_sim_partition *pt,
			 const struct mshv_sim_partition *root,
			 const struct hv_partition_creation_properties *cr);
u64 mshv_sim_property(const struct mshv_sim_partition *pt, u32 code);
u16 mshv_sim_property_check(const struct mshv_sim *sim,
			    const struct mshv_sim_partition *pt, u32 code);
u16 mshv_sim_property_write(struct mshv_sim *sim,
			    struct mshv_sim_partition *pt, u32 code, u64 value);
u16 mshv_sim_get_property(struct mshv_sim *sim, struct mshv_sim_call *call);
u16 mshv_sim_get_property_ex(struct mshv_sim *sim, struct mshv_sim_call *call);
u64 mshv_sim_processor_features(const struct mshv_sim_partition *pt,
				unsigned int bank);
u64 mshv_sim_xsave_features(const struct mshv_sim_partition *pt);
u64 mshv_sim_reference_time(const struct mshv_sim_partition *pt);

/* Hypercall handlers of memory.c; called with sim->lock held. */
u16 mshv_sim_map_gpa_pages(struct mshv_sim *sim, struct mshv_sim_call *call);
u16 mshv_sim_unmap_gpa_pages(struct mshv_sim *sim,
			     struct mshv_sim_call *call);
u16 mshv_sim_get_gpa_access_states(struct mshv_sim *sim,
				   struct mshv_sim_call *call);

/* Guest memory as a running VP sees it, memory.c */
int mshv_sim_slat_access(struct mshv_sim_partition *pt, u64 gpa, void *buf,
			 u32 len, enum mshv_sim_access acc,
			 struct mshv_sim_gpa_fault *fault);
bool mshv_sim_slat_query(struct mshv_sim_partition *pt, u64 gfn, u32 *access);

/*
 * The allowlisted calls of translate.c, cpuid.c and vpsynic.c; called with
 * sim->lock held.
 */
u16 mshv_sim_target_vp(struct mshv_sim *sim, u64 pt_id, u32 vp_index,
		       struct mshv_sim_partition **ptp,
		       struct mshv_sim_vp **vpp);
u16 mshv_sim_translate_virtual_address(struct mshv_sim *sim,
				       struct mshv_sim_call *call);
u16 mshv_sim_register_intercept_result(struct mshv_sim *sim,
				       struct mshv_sim_call *call);
u16 mshv_sim_get_vp_cpuid_values(struct mshv_sim *sim,
				 struct mshv_sim_call *call);
void mshv_sim_vp_cpuid_values(const struct mshv_sim_vp *vp, u32 leaf,
			      u32 subleaf, bool registered, u32 regs[4]);
void mshv_sim_cpuid(const struct mshv_sim_vp *vp, u32 leaf, u32 *eax,
		    u32 *ebx, u32 *ecx, u32 *edx);
void mshv_sim_vp_load_page(struct mshv_sim_vp *vp);

/* The guest's synthetic interface and the direct SynIC, vpsynic.c */
void mshv_sim_hv_cpuid(const struct mshv_sim_partition *pt, u32 leaf,
		       u32 regs[4]);
int mshv_sim_vp_synthetic_msr(struct mshv_sim_vp *vp, u32 index, bool write,
			      u64 *value);
void *mshv_sim_vp_synic_page(struct mshv_sim_vp *vp, unsigned int idx);
void mshv_sim_vp_ref_tsc_update(struct mshv_sim_vp *vp);
void mshv_sim_vp_hypercall_page(struct mshv_sim_vp *vp);
void mshv_sim_vp_hypercall(struct mshv_sim_vp *vp);
void mshv_sim_pt_ref_tsc_update(struct mshv_sim_partition *pt);
u64 mshv_sim_vp_tsc(const struct mshv_sim_vp *vp);
void mshv_sim_vp_sint_raise(struct mshv_sim_vp *vp, u32 sint, u64 page_reg);

/* Synthetic timers, stimer.c; callers hold sim->lock unless noted. */
void mshv_sim_stimer_write(struct mshv_sim_vp *vp, u32 name);
void mshv_sim_stimer_restart(struct mshv_sim_vp *vp);
u64 mshv_sim_stimer_poll(struct mshv_sim_vp *vp);
void mshv_sim_stimer_rearm(struct mshv_sim *sim);
void mshv_sim_stimer_init(struct mshv_sim *sim);
void mshv_sim_stimer_stop(struct mshv_sim *sim);	/* no lock */

bool mshv_sim_vp_synic_access(struct mshv_sim_vp *vp, u64 gpa, void *buf,
			      u32 len, bool write);
u16 mshv_sim_signal_event_direct(struct mshv_sim *sim,
				 struct mshv_sim_call *call);
u16 mshv_sim_post_message_direct(struct mshv_sim *sim,
				 struct mshv_sim_call *call);

/* Hypercall handlers of vp.c; called with sim->lock held. */
u16 mshv_sim_create_vp(struct mshv_sim *sim, struct mshv_sim_call *call);
u16 mshv_sim_add_logical_processor(struct mshv_sim *sim,
				   struct mshv_sim_call *call);
u16 mshv_sim_delete_vp(struct mshv_sim *sim, struct mshv_sim_call *call);
u16 mshv_sim_get_vp_registers(struct mshv_sim *sim,
			      struct mshv_sim_call *call);
u16 mshv_sim_set_vp_registers(struct mshv_sim *sim,
			      struct mshv_sim_call *call);
u16 mshv_sim_map_vp_state_page(struct mshv_sim *sim,
			       struct mshv_sim_call *call);
u16 mshv_sim_unmap_vp_state_page(struct mshv_sim *sim,
				 struct mshv_sim_call *call);
u16 mshv_sim_install_intercept(struct mshv_sim *sim,
			       struct mshv_sim_call *call);
u16 mshv_sim_dispatch_vp(struct mshv_sim *sim, struct mshv_sim_call *call);
u16 mshv_sim_get_vp_state(struct mshv_sim *sim, struct mshv_sim_call *call);
u16 mshv_sim_set_vp_state(struct mshv_sim *sim, struct mshv_sim_call *call);

/* The register file and the INIT/SIPI protocol, vp.c */
u16 mshv_sim_vp_get_reg(struct mshv_sim_vp *vp, u32 name,
			union hv_register_value *val);
u16 mshv_sim_vp_set_reg(struct mshv_sim_vp *vp, u32 name,
			const union hv_register_value *val);
void mshv_sim_vp_init_signal(struct mshv_sim_vp *vp);
bool mshv_sim_vp_startup(struct mshv_sim_vp *vp, u8 vector);

/* VP life cycle, vp.c */
void mshv_sim_vps_init(struct mshv_sim_partition *pt);
void mshv_sim_vps_release(struct mshv_sim *sim,
			  struct mshv_sim_partition *pt);

/* SLAT life cycle, memory.c */
void mshv_sim_slat_init(struct mshv_sim_slat *slat);
void mshv_sim_slat_release(struct mshv_sim *sim,
			   struct mshv_sim_partition *pt);
void mshv_sim_slat_free(struct mshv_sim_slat *slat);

/* The root's SynIC, synic.c; callers hold sim->lock. */
int mshv_sim_synic_init(struct mshv_sim *sim);
void mshv_sim_synic_free(struct mshv_sim *sim);
void mshv_sim_synic_post(struct mshv_sim *sim, struct mshv_sim_sint_msg *msg);
void mshv_sim_synic_cancel(struct mshv_sim_sint_msg *msg);
u64 mshv_sim_get_msr(struct mshv_sim *sim, unsigned int reg);
void mshv_sim_set_msr(struct mshv_sim *sim, unsigned int reg, u64 value);
void mshv_sim_set_handler(struct mshv_sim *sim, void (*handler)(void));

/* Ports and doorbells, port.c; callers hold sim->lock. */
u16 mshv_sim_create_port(struct mshv_sim *sim, struct mshv_sim_call *call);
u16 mshv_sim_connect_port(struct mshv_sim *sim, struct mshv_sim_call *call);
u16 mshv_sim_disconnect_port(struct mshv_sim *sim,
			     struct mshv_sim_call *call);
u16 mshv_sim_delete_port(struct mshv_sim *sim, struct mshv_sim_call *call);
u16 mshv_sim_notify_port_ring_empty(struct mshv_sim *sim,
				    struct mshv_sim_call *call);
bool mshv_sim_doorbell_write(struct mshv_sim *sim,
			     struct mshv_sim_partition *pt, u64 gpa,
			     const void *buf, u32 len);
void mshv_sim_synic_rings_reset(struct mshv_sim_synic *synic);
void mshv_sim_connections_release(struct mshv_sim *sim,
				  struct mshv_sim_partition *pt);
void mshv_sim_ports_release(struct mshv_sim *sim);

/* The virtual local APIC, lapic.c; callers hold sim->lock. */
bool mshv_sim_lapic_active(const struct mshv_sim_vp *vp);
void mshv_sim_lapic_reset(struct mshv_sim_vp *vp);
u32 mshv_sim_lapic_ppr(struct mshv_sim_vp *vp);
int mshv_sim_lapic_next(struct mshv_sim_vp *vp, enum mshv_sim_lapic_kind *kind);
void mshv_sim_lapic_ack(struct mshv_sim_vp *vp, enum mshv_sim_lapic_kind kind,
			u8 vector);
bool mshv_sim_lapic_accept(struct mshv_sim_vp *vp, u8 vector, bool level);
void mshv_sim_lapic_wake(struct mshv_sim_vp *vp);
u16 mshv_sim_assert_virtual_interrupt(struct mshv_sim *sim,
				      struct mshv_sim_call *call);
u16 mshv_sim_clear_virtual_interrupt(struct mshv_sim *sim,
				     struct mshv_sim_call *call);
int mshv_sim_lapic_set_base(struct mshv_sim_vp *vp, u64 value);
void mshv_sim_lapic_scan(struct mshv_sim_vp *vp);
bool mshv_sim_lapic_halt(struct mshv_sim_vp *vp);
bool mshv_sim_lapic_blocked(const struct mshv_sim_vp *vp);
void mshv_sim_lapic_dispatch_blocked(struct mshv_sim_vp *vp);
bool mshv_sim_lapic_take_eoi(struct mshv_sim_vp *vp,
			     struct hv_x64_apic_eoi_message *eoi);
bool mshv_sim_lapic_mmio(struct mshv_sim_vp *vp, u64 gpa, void *buf, u32 len,
			 bool write);
int mshv_sim_lapic_msr(struct mshv_sim_vp *vp, u32 index, bool write,
		       u64 *value);
void mshv_sim_lapic_save(struct mshv_sim_vp *vp,
			 struct hv_local_interrupt_controller_state *state);
void mshv_sim_lapic_restore(struct mshv_sim_vp *vp,
			    const struct hv_local_interrupt_controller_state *state);

/* The hypervisor's own scheduler, vp.c */
bool mshv_sim_hv_scheduler(const struct mshv_sim *sim);
void mshv_sim_vp_sched_update(struct mshv_sim *sim, struct mshv_sim_vp *vp);
int mshv_sim_sched_start(struct mshv_sim *sim);
void mshv_sim_sched_stop(struct mshv_sim *sim);

struct mshv_sim *mshv_sim_create(void);
unsigned long mshv_sim_destroy(struct mshv_sim *sim);
u64 mshv_sim_hypercall(struct mshv_sim *sim, u64 control, u64 input,
		       u64 output);

void mshv_sim_get_stats(struct mshv_sim *sim, struct mshv_sim_stats *stats);
int mshv_sim_get_partition_info(struct mshv_sim *sim, u64 id,
				struct mshv_sim_pt_info *info);
u64 mshv_sim_call_count(struct mshv_sim *sim, u16 code);
void mshv_sim_get_hv_time(struct mshv_sim *sim, struct mshv_sim_hv_time *t);
unsigned int mshv_sim_get_call_counts(struct mshv_sim *sim,
				      struct mshv_sim_call_count *counts,
				      unsigned int max);

int mshv_sim_fault_arm(struct mshv_sim *sim, u32 code, u32 nth, u32 status);
void mshv_sim_fault_clear(struct mshv_sim *sim);
unsigned int mshv_sim_get_faults(struct mshv_sim *sim,
				 struct mshv_sim_fault *faults,
				 unsigned int max);

int mshv_sim_guest_access(struct mshv_sim *sim, u64 pt_id, u64 gpa, void *buf,
			  u32 len, enum mshv_sim_access acc,
			  struct mshv_sim_gpa_fault *fault);
int mshv_sim_lookup_gpa(struct mshv_sim *sim, u64 pt_id, u64 gfn,
			struct mshv_sim_gpa_entry *entry);
int mshv_sim_next_slat_info(struct mshv_sim *sim, u64 min_id,
			    struct mshv_sim_slat_info *info);

u32 mshv_sim_get_knob(struct mshv_sim *sim, enum mshv_sim_knob knob);
void mshv_sim_set_knob(struct mshv_sim *sim, enum mshv_sim_knob knob,
		       u32 value);

/**
 * enum mshv_sim_trace_kind - what a trace record describes
 * @MSHV_SIM_TRACE_CALL: a hypercall
 * @MSHV_SIM_TRACE_MSG: an intercept message posted to a VP
 */
enum mshv_sim_trace_kind {
	MSHV_SIM_TRACE_CALL = 1,
	MSHV_SIM_TRACE_MSG,
};

/**
 * struct mshv_sim_trace_rec - one record of the trace (see trace.c)
 * @seq: sequence number, from 1; 0 marks an unused slot
 * @kind: enum mshv_sim_trace_kind
 * @code: hypercall code (CALL)
 * @status: status the call returned (CALL)
 * @reps: reps completed (CALL)
 * @rep_count: reps requested (CALL)
 * @msg_type: message type (MSG)
 * @vp: VP index (MSG)
 * @partition: partition id (MSG)
 * @words: the first bytes of the input (CALL; the two operands of a fast
 *	call or of a call stopped before its input was mapped) or of the
 *	message payload (MSG)
 */
struct mshv_sim_trace_rec {
	u64 seq;
	u8 kind;
	u16 code;
	u16 status;
	u16 reps;
	u16 rep_count;
	u32 msg_type;
	u32 vp;
	u64 partition;
	u64 words[6];
};

struct dentry;

void mshv_sim_trace_call(const struct mshv_sim_call *call, u64 input,
			 u64 output, u16 status);
void mshv_sim_trace_msg(const struct mshv_sim_vp *vp,
			const struct hv_message *msg);
unsigned int mshv_sim_trace_get(struct mshv_sim_trace_rec *out,
				unsigned int max);
int mshv_sim_trace_set(bool on, bool clear);
void mshv_sim_trace_free(void);
void mshv_sim_trace_debugfs(struct dentry *dir);

#endif /* _MSHV_SIM_H */
