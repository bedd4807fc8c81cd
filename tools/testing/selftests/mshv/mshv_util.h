/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the /dev/mshv selftests: opening the device, creating
 * partitions, MSHV_ROOT_HVCALL property requests, guest memory ioctls, the
 * driver's debugfs statistics, and access to the debugfs files of the
 * test-only hypervisor simulator (CONFIG_MSHV_SIM).
 */
#ifndef SELFTEST_MSHV_UTIL_H
#define SELFTEST_MSHV_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <linux/types.h>
#include <linux/mshv.h>

#include "hv_tlfs.h"
#include "mshv_guest.h"

#define MSHV_DEV_PATH		"/dev/mshv"
#define MSHV_SIM_DIR		"/sys/kernel/debug/mshv_sim"
#define MSHV_DBG_PARTITIONS	"/sys/kernel/debug/mshv/partitions"
#define MSHV_DBG_SCHEDULER	"/sys/kernel/debug/mshv/scheduler"
#define MSHV_DBG_PIN_MEMORY	"/sys/kernel/debug/mshv/pin_memory"
#define MSHV_DBG_DIR		"/sys/kernel/debug/mshv"

/* Clock frequency the simulator reports for every partition. */
#define SIM_CLOCK_FREQUENCY			2500000000ULL

/* Pages the driver deposits before its first HvInitializePartition. */
#define MSHV_INIT_DEPOSIT_PAGES			208

/**
 * struct hv_get_property_in - HvGetPartitionProperty input
 * @partition_id: overwritten by the kernel with the target partition
 * @property_code: HV_PARTITION_PROPERTY_* code
 * @padding: zero
 *
 * The output is a single __u64 holding the property value.
 */
struct hv_get_property_in {
	__u64 partition_id;
	__u32 property_code;
	__u32 padding;
};

/**
 * struct hv_set_property_in - HvSetPartitionProperty input
 * @partition_id: overwritten by the kernel with the target partition
 * @property_code: HV_PARTITION_PROPERTY_* code
 * @padding: zero
 * @property_value: new value of the property
 */
struct hv_set_property_in {
	__u64 partition_id;
	__u32 property_code;
	__u32 padding;
	__u64 property_value;
};

/**
 * struct sim_counts - the simulator's page and partition counters
 * @partitions: live child partitions
 * @deposited_pages: pages held in the pools of all child partitions
 * @root_pool_pages: pages held in the root partition's pool
 * @leaked_pages: pages still in a child's pool when it was deleted
 */
struct sim_counts {
	__u64 partitions;
	__u64 deposited_pages;
	__u64 root_pool_pages;
	__u64 leaked_pages;
};

/**
 * struct sim_knobs - the simulator's tunables, saved to be restored later
 * @create_pages: root-pool pages HvCreatePartition consumes
 * @init_pages: pool pages HvInitializePartition needs
 * @max_reps: most reps completed per rep hypercall (0: no limit)
 */
struct sim_knobs {
	__u64 create_pages;
	__u64 init_pages;
	__u64 max_reps;
};

/**
 * struct sim_gpa_map - one partition's line of the simulator's "gpa_map"
 * @mapped: 4 KiB pages mapped with some access (a large entry counts 512)
 * @large: large (2 MiB) entries
 * @noaccess: 4 KiB pages mapped without any access
 * @slat: pool pages the simulated SLAT uses
 * @intercepts: GPA intercepts raised by guest accesses
 */
struct sim_gpa_map {
	__u64 mapped;
	__u64 large;
	__u64 noaccess;
	__u64 slat;
	__u64 intercepts;
};

/**
 * struct mshv_dbg_stats - one partition's line of the driver's debugfs
 *	"partitions" file
 * @regions: guest memory regions
 * @pinned_pages: pages pinned for pinned regions
 * @movable_pages: pages of movable regions mapped with access
 * @tracking_bytes: memory the driver uses to track the regions
 */
struct mshv_dbg_stats {
	__u64 regions;
	__u64 pinned_pages;
	__u64 movable_pages;
	__u64 tracking_bytes;
};

/**
 * struct hv_sample - the hypervisor's time and hypercalls at one moment
 * @valid: the hypervisor reports them: the simulator does, through its
 *	"hv_time" file; Hyper-V does not, and then a benchmark's driver time
 *	includes the hypervisor's
 * @ns: nanoseconds the hypervisor spent so far (hypercalls, dispatches,
 *	its own scheduler, synthetic MSR accesses)
 * @calls: hypercalls so far
 * @wall: CLOCK_MONOTONIC nanoseconds when the sample was taken
 * @cpu: CLOCK_PROCESS_CPUTIME_ID nanoseconds (all threads) at that time
 */
struct hv_sample {
	bool valid;
	__u64 ns;
	__u64 calls;
	__u64 wall;
	__u64 cpu;
};

/* Largest number of runs a struct bench_result keeps. */
#define BENCH_MAX_RUNS	16

/**
 * struct bench_result - per-operation figures of several timed runs
 * @runs: runs recorded
 * @wall_ns: wall nanoseconds per operation of each run
 * @driver_ns: wall (or CPU) minus hypervisor nanoseconds per operation of
 *	each run
 * @calls: hypercalls per operation of each run
 * @hv_valid: every run had the hypervisor's figures
 */
struct bench_result {
	unsigned int runs;
	double wall_ns[BENCH_MAX_RUNS];
	double driver_ns[BENCH_MAX_RUNS];
	double calls[BENCH_MAX_RUNS];
	bool hv_valid;
};

/* Largest LEN of one simulated guest access. */
#define SIM_GUEST_ACCESS_MAX	4096

int mshv_open(void);
bool mshv_absent(int err);
int mshv_create_partition(int dev, __u64 flags, __u64 isolation);
int mshv_initialize_partition(int pt);
int mshv_fd_name(int fd, char *buf, size_t len);
long mshv_thp_kb(const void *addr);

/* A process sharing the caller's address space, see mshv_spawn_same_mm(). */
struct mshv_child {
	pid_t pid;
	void *stack;
};

int mshv_spawn_same_mm(struct mshv_child *child, int (*fn)(void *),
		       void *arg);
int mshv_reap(struct mshv_child *child, int *wstatus);

int mshv_hvcall(int fd, struct mshv_root_hvcall *args);
void mshv_get_property_args(struct mshv_root_hvcall *args,
			    struct hv_get_property_in *in, __u64 *out,
			    __u32 code);
void mshv_set_property_args(struct mshv_root_hvcall *args,
			    struct hv_set_property_in *in, __u32 code,
			    __u64 value);
int mshv_get_property(int pt, __u32 code, __u64 *value, __u16 *status);
int mshv_set_property(int pt, __u32 code, __u64 value, __u16 *status);

int mshv_map_memory(int pt, __u64 guest_pfn, const void *addr, __u64 size,
		    __u8 flags);
int mshv_unmap_memory(int pt, __u64 guest_pfn, const void *addr, __u64 size);
int mshv_access_bitmap(int pt, struct mshv_gpap_access_bitmap *args);

bool mshv_pin_memory_present(void);
int mshv_pin_memory(__u64 id);
int mshv_create_partition_mem(int dev, __u64 flags, bool pinned, __u64 *id);

bool mshv_dbg_present(void);
int mshv_dbg_stats(__u64 id, struct mshv_dbg_stats *stats);
int mshv_partition_ids(__u64 *ids, unsigned int max);
int mshv_stats_file_read(const char *path, const char *name, __u64 *val);
int mshv_pt_stat(__u64 id, const char *name, __u64 *val);
int mshv_vp_stat(__u64 id, unsigned int vp, const char *name, __u64 *val);

bool sim_present(void);
int sim_read_u64(const char *name, __u64 *val);
int sim_write(const char *name, const char *text);
int sim_set_knob(const char *name, __u64 val);
int sim_fault(unsigned int code, unsigned int nth, unsigned int status);
int sim_fault_clear(void);
int sim_hypercall_count(unsigned int code, __u64 *count);
int sim_fast_injection(bool *fast);
int mshv_root_scheduler(bool *root);
int sim_read_counts(struct sim_counts *counts);
int sim_save_knobs(struct sim_knobs *knobs);
int sim_restore_knobs(const struct sim_knobs *knobs);
int sim_gpa_map(__u64 id, struct sim_gpa_map *map);
int sim_partition_ids(__u64 *ids, unsigned int max);
int sim_guest_access(__u64 id, __u64 gpa, unsigned int len, char op,
		     unsigned char byte, char *result, size_t size);
int sim_pin_baseline(const void *addr, __u64 size, __u64 *ns);
int sim_hypercall_time(unsigned int code, __u64 *calls, __u64 *ns);
int sim_hypercalls_but(unsigned int code, __u64 *calls);

__u64 bench_now_ns(void);
void hv_sample(struct hv_sample *s);
void bench_result_init(struct bench_result *r);
void bench_record(struct bench_result *r, const struct hv_sample *begin,
		  const struct hv_sample *end, unsigned long ops, bool cpu);
double bench_min(const double *v, unsigned int n);
double bench_median(const double *v, unsigned int n);

/*
 * ---- VMM-style helpers: v2 partitions, VPs, registers, VP state -------
 */

/*
 * Most registers one mshv_vp_get_regs()/mshv_vp_set_regs() call takes: as
 * many 32-byte register associations as one input page holds after the
 * 16-byte header (VMMs save all their MSRs in one call).
 */
#define MSHV_VP_REGS_MAX			126

/**
 * struct mshv_vp_reg - a register name and its 128-bit value, as
 *	HvGetVpRegisters returns and HvSetVpRegisters takes it
 * @name: HV_*_REGISTER_* name
 * @rsvd1: zero
 * @rsvd2: zero
 * @lo: bits 63:0 of the value (a segment's base)
 * @hi: bits 127:64 (a segment's limit, selector << 32, attributes << 48)
 */
struct mshv_vp_reg {
	__u32 name;
	__u32 rsvd1;
	__u64 rsvd2;
	__u64 lo;
	__u64 hi;
};

/* The value of a segment register in struct mshv_vp_reg.hi. */
#define MSHV_SEG_HI(limit, sel, attr) \
	((__u64)(limit) | (__u64)(sel) << 32 | (__u64)(attr) << 48)

int mshv_create_partition_v2(int dev, __u64 flags,
			     const __u64 disabled[MSHV_NUM_CPU_FEATURES_BANKS],
			     __u64 disabled_xsave);
int mshv_get_property_ex(int fd, __u32 code, void *out, __u16 out_sz,
			 __u16 *status);
int mshv_create_vp(int pt, __u32 index);
int mshv_run_vp(int vp, void *msg);
int mshv_vp_set_regs(int fd, __u32 vp_index, const struct mshv_vp_reg *regs,
		     unsigned int n, __u16 *status);
int mshv_vp_get_regs(int fd, __u32 vp_index, struct mshv_vp_reg *regs,
		     unsigned int n, __u16 *status);
int mshv_vp_set_reg64(int fd, __u32 vp_index, __u32 name, __u64 value);
int mshv_vp_get_reg64(int fd, __u32 vp_index, __u32 name, __u64 *value);
int mshv_vp_state(int vp, unsigned long ioc, __u8 type, void *buf,
		  __u32 *size);

/**
 * struct mshv_vp_run - one MSHV_RUN_VP on a thread, see mshv_vp_run_thread()
 * @vp: the VP file descriptor
 * @err: 0 or the negative errno of the run
 * @msg: the intercept message
 */
struct mshv_vp_run {
	int vp;
	int err;
	struct hv_msg msg;
};

void *mshv_vp_run_thread(void *arg);

int mshv_install_intercept(int pt, __u32 type, __u32 mask, __u64 param);
int mshv_assert_interrupt(int pt, __u32 type, __u32 flags, __u64 dest,
			  __u32 vector, __u16 *status);

/* The MSI address of APIC id 0, physical destination. */
#define MSHV_MSI_ADDR				0xfee00000U

int mshv_route_msi(int pt, __u32 gsi, __u32 data);
int mshv_irqfd(int pt, int fd, int resamplefd, __u32 gsi, __u32 flags);
int mshv_ioeventfd(int pt, int fd, __u64 addr, __u32 len, __u64 datamatch,
		   __u32 flags);

int mshv_register_intercept_result(int fd, __u32 vp_index, __u32 type,
				   __u32 leaf, __u32 subleaf,
				   __u8 subleaf_specific, __u8 always_override,
				   const __u32 result[8], __u16 *status);
int mshv_vp_cpuid_values(int fd, __u32 vp_index, __u32 flags, __u32 leaf,
			 __u32 subleaf, __u32 out[4], __u16 *status);

#endif /* SELFTEST_MSHV_UTIL_H */
