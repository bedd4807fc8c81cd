// SPDX-License-Identifier: GPL-2.0
/*
 * Sampling profiles of one thread for the /dev/mshv benchmarks; see
 * mshv_bench_prof.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "mshv_bench_prof.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Pages of sample records: 16 bytes each, 262144 samples. */
#define PROF_DATA_PAGES	1024

/* The parts a sample is attributed to. */
enum prof_part { P_DRIVER, P_HV, P_DEBUG, P_KERNEL, P_USER, P_NR };

static const char * const part_names[P_NR] = {
	[P_DRIVER] = "driver (mshv_root)",
	[P_HV] = "hypervisor (mshv_sim)",
	[P_DEBUG] = "KASAN/lockdep/debug",
	[P_KERNEL] = "other kernel",
	[P_USER] = "user",
};

/*
 * Symbol prefixes of the kernel's debugging checks, which a production
 * kernel does not run: KASAN, lockdep, the stack traces both save, UBSAN,
 * kmemleak, debug objects and list debugging.
 */
static const char * const debug_prefixes[] = {
	"kasan", "__kasan", "__asan", "check_region", "lock_acquire",
	"lock_release", "__lock_acquire", "__lock_release", "lock_acquired",
	"lock_is_held", "lockdep", "__lockdep", "debug_lockdep", "mark_lock",
	"mark_usage", "mark_held_locks", "validate_chain", "check_prev",
	"check_noncircular", "check_irq_usage", "lookup_chain_cache",
	"add_chain_cache", "hlock_class", "look_up_lock_class",
	"register_lock_class", "__bfs", "stack_trace", "arch_stack_walk",
	"unwind", "__unwind", "orc_", "__orc", "kernel_text_address",
	"__kernel_text_address", "stack_depot", "__stack_depot",
	"filter_irq_stacks", "ubsan", "__ubsan", "kmemleak", "debug_object",
	"__debug_object", "__list_add_valid", "__list_del_entry_valid",
	"trace_hardirqs", "lockdep_hardirqs", "lockdep_softirqs",
	"rcu_lockdep", "rcu_read_lock_held", "rcu_read_lock_sched_held",
	"debug_smp_processor_id", "check_preemption_disabled",
	"__might_sleep", "__might_resched", "__might_fault",
};

struct ksym {
	__u64 addr;
	char name[64];
	char module[24];
};

static struct ksym *ksyms;
static unsigned int nr_ksyms;

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The kernel's and the modules' text symbols, sorted by address. */
static int ksyms_load(void)
{
	unsigned int cap = 0;
	char line[256];
	struct ksym *s;
	FILE *f;

	if (ksyms)
		return 0;
	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type, name[64], module[24] = "";

		if (sscanf(line, "%llx %c %63s [%23[^]]]", &addr, &type, name,
			   module) < 3 || !addr)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (nr_ksyms == cap) {
			cap = cap ? 2 * cap : 16384;
			s = realloc(ksyms, cap * sizeof(*s));
			if (!s)
				break;
			ksyms = s;
		}
		s = &ksyms[nr_ksyms++];
		s->addr = addr;
		snprintf(s->name, sizeof(s->name), "%s", name);
		snprintf(s->module, sizeof(s->module), "%s", module);
	}
	fclose(f);
	if (!nr_ksyms)
		return -ENOENT;
	qsort(ksyms, nr_ksyms, sizeof(*ksyms), ksym_cmp);
	return 0;
}

/* The symbol @ip is in, or NULL (user space, or no addresses shown). */
static const struct ksym *ksym_find(__u64 ip)
{
	unsigned int lo = 0, hi = nr_ksyms;

	if (!nr_ksyms || ip < ksyms[0].addr)
		return NULL;
	while (hi - lo > 1) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (ksyms[mid].addr <= ip)
			lo = mid;
		else
			hi = mid;
	}
	return &ksyms[lo];
}

static enum prof_part prof_part_of(__u64 ip, const struct ksym *s)
{
	unsigned int i;

	if (!(ip >> 63))
		return P_USER;
	if (!s)
		return P_KERNEL;
	if (!strcmp(s->module, "mshv_root"))
		return P_DRIVER;
	if (!strcmp(s->module, "mshv_sim"))
		return P_HV;
	for (i = 0; i < ARRAY_SIZE(debug_prefixes); i++)
		if (!strncmp(s->name, debug_prefixes[i],
			     strlen(debug_prefixes[i])))
			return P_DEBUG;
	return P_KERNEL;
}

static __u64 prof_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/**
 * bench_prof_start() - start sampling a thread
 * @p: the profile
 * @tid: the thread, 0 for the calling one
 * @title: what runs meanwhile
 *
 * Return: 0, or a negative errno (also kept in @p->err, and then
 * bench_prof_print() says why there is no profile).
 */
int bench_prof_start(struct bench_prof *p, int tid, const char *title)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = BENCH_PROF_PERIOD_NS,
		.sample_type = PERF_SAMPLE_IP,
		.disabled = 1,
		.exclude_hv = 1,
	};
	long page = sysconf(_SC_PAGESIZE);

	memset(p, 0, sizeof(*p));
	snprintf(p->title, sizeof(p->title), "%s", title);
	p->fd = -1;
	p->ring = MAP_FAILED;
	p->err = ksyms_load();
	if (p->err)
		return p->err;
	p->fd = syscall(__NR_perf_event_open, &attr, tid, -1, -1,
			PERF_FLAG_FD_CLOEXEC);
	if (p->fd < 0) {
		p->err = -errno;
		return p->err;
	}
	p->ring_len = (1 + PROF_DATA_PAGES) * page;
	p->ring = mmap(NULL, p->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       p->fd, 0);
	if (p->ring == MAP_FAILED) {
		p->err = -errno;
		close(p->fd);
		p->fd = -1;
		return p->err;
	}
	bench_prof_resume(p);
	return 0;
}

/**
 * bench_prof_pause() - stop sampling for a while
 * @p: the profile, started
 *
 * Neither the samples nor the CPU and wall time count what runs until
 * bench_prof_resume().
 */
void bench_prof_pause(struct bench_prof *p)
{
	if (p->fd < 0)
		return;
	ioctl(p->fd, PERF_EVENT_IOC_DISABLE, 0);
	p->wall_ns += prof_now_ns() - p->resumed_ns;
}

/**
 * bench_prof_resume() - sample again after bench_prof_pause()
 * @p: the profile, paused
 */
void bench_prof_resume(struct bench_prof *p)
{
	if (p->fd < 0)
		return;
	p->resumed_ns = prof_now_ns();
	ioctl(p->fd, PERF_EVENT_IOC_ENABLE, 0);
}

/* Copy @len bytes at offset @off of the circular data area @data. */
static void ring_copy(void *dst, const char *data, __u64 size, __u64 off,
		      size_t len)
{
	size_t first;

	off %= size;
	first = size - off < len ? size - off : len;
	memcpy(dst, data + off, first);
	memcpy((char *)dst + first, data, len - first);
}

/**
 * bench_prof_stop() - stop sampling and keep the samples
 * @p: the profile, started
 * @ops: operations run while it was taken
 */
void bench_prof_stop(struct bench_prof *p, unsigned long ops)
{
	struct perf_event_mmap_page *mp = p->ring;
	__u64 page = sysconf(_SC_PAGESIZE);
	struct perf_event_header hdr;
	__u64 head, off, size, val;
	const char *data;

	if (p->fd < 0)
		return;
	bench_prof_pause(p);
	p->ops = ops;
	if (read(p->fd, &val, sizeof(val)) == sizeof(val))
		p->cpu_ns = val;
	head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
	/* Kernels before 4.1 leave the data area's place unsaid. */
	size = mp->data_size ? mp->data_size : p->ring_len - page;
	data = (const char *)p->ring + (mp->data_offset ? mp->data_offset :
					page);
	p->ips = calloc(size / sizeof(hdr) + 1, sizeof(*p->ips));
	for (off = 0; p->ips && off + sizeof(hdr) <= head; off += hdr.size) {
		ring_copy(&hdr, data, size, off, sizeof(hdr));
		if (hdr.size < sizeof(hdr))
			break;
		if (hdr.type == PERF_RECORD_SAMPLE) {
			ring_copy(&val, data, size, off + sizeof(hdr),
				  sizeof(val));
			p->ips[p->nr_ips++] = val;
		} else if (hdr.type == PERF_RECORD_LOST) {
			ring_copy(&val, data, size, off + 2 * sizeof(hdr),
				  sizeof(val));
			p->lost += val;
		}
	}
	munmap(p->ring, p->ring_len);
	p->ring = MAP_FAILED;
	close(p->fd);
	p->fd = -1;
}

struct prof_entry {
	const struct ksym *sym;
	unsigned int count;
};

static int entry_cmp(const void *a, const void *b)
{
	const struct prof_entry *x = a, *y = b;

	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static int ip_cmp(const void *a, const void *b)
{
	const __u64 *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/**
 * bench_prof_print() - print a profile: its parts and its top symbols
 * @p: the profile, stopped
 * @top: how many symbols to list
 */
void bench_prof_print(const struct bench_prof *p, unsigned int top)
{
	unsigned int part[P_NR] = { 0 }, i, n = 0;
	struct prof_entry *e;
	double per_op;

	printf("profile: %s\n", p->title);
	if (p->note[0])
		printf("%s", p->note);
	if (p->err || !p->nr_ips) {
		printf("  no samples (%s)\n",
		       p->err ? strerror(-p->err) : "nothing ran");
		return;
	}
	per_op = p->ops ? 1.0 / p->ops : 0;
	printf("  %u samples, %llu lost; CPU %.0f us, wall %.0f us",
	       p->nr_ips, (unsigned long long)p->lost, p->cpu_ns / 1e3,
	       p->wall_ns / 1e3);
	if (p->ops)
		printf(" (per op: CPU %.1f us, wall %.1f us)",
		       p->cpu_ns * per_op / 1e3, p->wall_ns * per_op / 1e3);
	printf("\n");
	qsort(p->ips, p->nr_ips, sizeof(*p->ips), ip_cmp);
	e = calloc(p->nr_ips, sizeof(*e));
	if (!e)
		return;
	for (i = 0; i < p->nr_ips; i++) {
		const struct ksym *s = p->ips[i] >> 63 ?
				       ksym_find(p->ips[i]) : NULL;

		part[prof_part_of(p->ips[i], s)]++;
		if (n && e[n - 1].sym == s)
			e[n - 1].count++;
		else
			e[n++] = (struct prof_entry){ .sym = s, .count = 1 };
	}
	qsort(e, n, sizeof(*e), entry_cmp);
	printf("  by part:");
	for (i = 0; i < P_NR; i++)
		printf("%s %s %.1f%%", i ? "," : "", part_names[i],
		       100.0 * part[i] / p->nr_ips);
	printf("\n");
	for (i = 0; i < n && i < top && e[i].count; i++)
		printf("  %5.1f%%  %s%s%s%s\n", 100.0 * e[i].count / p->nr_ips,
		       e[i].sym ? e[i].sym->name : "[user]",
		       e[i].sym && e[i].sym->module[0] ? " [" : "",
		       e[i].sym ? e[i].sym->module : "",
		       e[i].sym && e[i].sym->module[0] ? "]" : "");
	free(e);
}

/* Free what a profile holds. */
void bench_prof_free(struct bench_prof *p)
{
	free(p->ips);
	p->ips = NULL;
	p->nr_ips = 0;
}
