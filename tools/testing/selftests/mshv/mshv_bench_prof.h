/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A sampling profile of one thread for the /dev/mshv benchmarks: the
 * kernel's cpu-clock software event samples the instruction pointer every
 * BENCH_PROF_PERIOD_NS of the thread's CPU time (perf_event_open(2), no
 * tool and no kernel option beyond CONFIG_PERF_EVENTS), and the samples
 * are attributed to the symbols of /proc/kallsyms: the driver (mshv_root),
 * the hypervisor simulator (mshv_sim), the kernel's debugging checks
 * (KASAN, lockdep, stack traces), the rest of the kernel, and user space.
 */
#ifndef SELFTEST_MSHV_BENCH_PROF_H
#define SELFTEST_MSHV_BENCH_PROF_H

#include <linux/types.h>

/* CPU time between two samples. */
#define BENCH_PROF_PERIOD_NS	20000ULL

/**
 * struct bench_prof - one profile of a thread
 * @title: what ran while it was taken
 * @fd: the perf event, -1 when there is none
 * @ring: the event's sample buffer, its control page first
 * @ring_len: length of @ring
 * @ips: the instruction pointers sampled
 * @nr_ips: entries of @ips
 * @lost: samples the kernel could not store
 * @cpu_ns: the thread's CPU time while the profile was taken
 * @wall_ns: wall time while the profile was taken
 * @resumed_ns: when it was last resumed
 * @ops: operations run meanwhile, for the per-operation figures
 * @err: why there is no profile (a negative errno), or 0
 * @note: more figures of the run, printed with the profile
 */
struct bench_prof {
	char title[96];
	int fd;
	void *ring;
	size_t ring_len;
	__u64 *ips;
	unsigned int nr_ips;
	__u64 lost;
	__u64 cpu_ns;
	__u64 wall_ns;
	__u64 resumed_ns;
	unsigned long ops;
	int err;
	char note[512];
};

int bench_prof_start(struct bench_prof *p, int tid, const char *title);
void bench_prof_pause(struct bench_prof *p);
void bench_prof_resume(struct bench_prof *p);
void bench_prof_stop(struct bench_prof *p, unsigned long ops);
void bench_prof_print(const struct bench_prof *p, unsigned int top);
void bench_prof_free(struct bench_prof *p);

#endif /* SELFTEST_MSHV_BENCH_PROF_H */
