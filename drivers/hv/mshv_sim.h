/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private interface of mshv_sim, a test-only software model of the Hyper-V
 * partition management hypercalls. mshv_sim_partition.c implements the
 * hypervisor, mshv_sim_main.c plugs one instance into the hypervisor seam
 * and debugfs, and mshv_sim_kunit.c drives private instances directly.
 */
#ifndef _MSHV_SIM_H
#define _MSHV_SIM_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

/* Most faults that may be armed at the same time. */
#define MSHV_SIM_MAX_FAULTS		16
/* Most distinct hypercall codes whose calls are counted. */
#define MSHV_SIM_MAX_COUNTED_CODES	64
/* Number of entries in the simulated partition property table. */
#define MSHV_SIM_NR_PROPERTIES		8

#define MSHV_SIM_DEFAULT_CREATE_PAGES	4
#define MSHV_SIM_DEFAULT_INIT_PAGES	216
#define MSHV_SIM_DEFAULT_MAX_REPS	0

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
 * @MSHV_SIM_NR_KNOBS: number of knobs
 */
enum mshv_sim_knob {
	MSHV_SIM_KNOB_CREATE_PAGES,
	MSHV_SIM_KNOB_INIT_PAGES,
	MSHV_SIM_KNOB_MAX_REPS,
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
 * struct mshv_sim_partition - one simulated partition
 * @id: partition id; HV_PARTITION_ID_SELF for the root partition
 * @state: life-cycle state (children only)
 * @flags: HV_PARTITION_CREATION_FLAG_* given at creation
 * @isolation: isolation properties given at creation
 * @compat_version: compatibility version given at creation
 * @props: property values, indexed like the simulator's property table
 * @pool: the partition's memory pool
 * @root_pages: root-pool pages in use on behalf of this partition
 * @init_pages: pages of @pool put in use by HvInitializePartition
 */
struct mshv_sim_partition {
	u64 id;
	enum mshv_sim_pt_state state;
	u64 flags;
	u64 isolation;
	u32 compat_version;
	u64 props[MSHV_SIM_NR_PROPERTIES];
	struct mshv_sim_pool pool;
	u64 root_pages;
	u64 init_pages;
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
 * struct mshv_sim_call_count - number of calls of one hypercall code
 * @code: hypercall code
 * @calls: calls seen since the instance was created
 */
struct mshv_sim_call_count {
	u16 code;
	u64 calls;
};

/**
 * struct mshv_sim - one simulated hypervisor
 * @lock: protects every field below except @knobs. A spinlock taken with
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
 * @calls: per-code call counters, sorted by code
 * @nr_codes: used entries of @calls
 * @faults: armed faults, in the order they were armed
 * @nr_faults: used entries of @faults
 * @knobs: enum mshv_sim_knob values. Single words written and read
 *	with WRITE_ONCE()/READ_ONCE(), so no lock; a hypercall reads each
 *	knob it needs once.
 */
struct mshv_sim {
	/* Guards all fields below but @knobs; see the description above. */
	spinlock_t lock;
	struct xarray partitions;
	u32 next_id;
	u64 nr_partitions;
	struct mshv_sim_partition root;
	u64 child_pages;
	struct list_head leaked;
	u64 nr_leaked;
	struct mshv_sim_call_count calls[MSHV_SIM_MAX_COUNTED_CODES];
	unsigned int nr_codes;
	struct mshv_sim_fault faults[MSHV_SIM_MAX_FAULTS];
	unsigned int nr_faults;
	u32 knobs[MSHV_SIM_NR_KNOBS];
};

/**
 * struct mshv_sim_stats - a consistent snapshot of an instance's counters
 * @partitions: live child partitions
 * @deposited_pages: pages held in all child pools
 * @root_pool_pages: pages held in the root pool
 * @root_pool_in_use: root-pool pages used by live partitions
 * @leaked_pages: pages left in child pools at deletion
 */
struct mshv_sim_stats {
	u64 partitions;
	u64 deposited_pages;
	u64 root_pool_pages;
	u64 root_pool_in_use;
	u64 leaked_pages;
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

struct mshv_sim *mshv_sim_create(void);
unsigned long mshv_sim_destroy(struct mshv_sim *sim);
u64 mshv_sim_hypercall(struct mshv_sim *sim, u64 control, u64 input,
		       u64 output);

void mshv_sim_get_stats(struct mshv_sim *sim, struct mshv_sim_stats *stats);
int mshv_sim_get_partition_info(struct mshv_sim *sim, u64 id,
				struct mshv_sim_pt_info *info);
u64 mshv_sim_call_count(struct mshv_sim *sim, u16 code);
unsigned int mshv_sim_get_call_counts(struct mshv_sim *sim,
				      struct mshv_sim_call_count *counts,
				      unsigned int max);

int mshv_sim_fault_arm(struct mshv_sim *sim, u32 code, u32 nth, u32 status);
void mshv_sim_fault_clear(struct mshv_sim *sim);
unsigned int mshv_sim_get_faults(struct mshv_sim *sim,
				 struct mshv_sim_fault *faults,
				 unsigned int max);

u32 mshv_sim_get_knob(struct mshv_sim *sim, enum mshv_sim_knob knob);
void mshv_sim_set_knob(struct mshv_sim *sim, enum mshv_sim_knob knob,
		       u32 value);

#endif /* _MSHV_SIM_H */
