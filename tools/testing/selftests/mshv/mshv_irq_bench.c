// SPDX-License-Identifier: GPL-2.0
/*
 * VP and interrupt benchmark of /dev/mshv, run by "make bench" of the
 * development tree (not by the selftest run). It measures what the driver
 * costs, not the hypervisor: with the simulator, the time it spent in
 * hypercalls, dispatches included (where the guest's instructions are
 * interpreted), is subtracted; on Hyper-V nothing is subtracted and the
 * table says so. Every figure is the minimum and the median of RUNS runs.
 *
 * - The RUN_VP round trip: the guest executes OUT, MSHV_RUN_VP returns the
 *   intercept, and the VMM moves RIP past it through the VP's register
 *   page and runs the VP again: hypercalls per round trip, and its driver
 *   time over that of a null ioctl on the VP's fd (the syscall floor).
 * - An irqfd event on the register-page path: the VMM writes an eventfd,
 *   the driver queues the vector in the VP's register page and wakes the
 *   VP's thread, which runs MSHV_RUN_VP on the other CPU; the guest's
 *   handler counts it. Hypercalls other than the dispatches, and the
 *   driver time of the write, over that of the round trip.
 * - An ioeventfd doorbell: the guest stores to a doorbell address in a
 *   loop; exits to the VMM while the doorbells ring.
 * - The round trip with 1 and with 64 VPs, each on its own thread: the
 *   growth of the driver's CPU time per round trip.
 * - A GPA fault handled in the kernel with 1 and with 1000 regions: the
 *   VMM drops a page of the guest's movable memory, which unmaps it, and
 *   the next round trip faults it in again; its driver time less that of
 *   a round trip without the fault, and how that grows with the regions.
 * - irqfd signals spread over 1 and over 1000 irqfds while another thread
 *   keeps replacing the partition's 4096-entry routing table: the growth
 *   of the driver's time per signal.
 *
 * Counts come from the driver's statistics in debugfs (driver_stats) and
 * the hypervisor's hypercall counts.
 *
 * It prints a table and a one-line summary, and exits with 0 unless it
 * could not run at all: targets are reported, not enforced.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "mshv_bench_table.h"
#include "mshv_util.h"

/* Guest memory: 64 KiB at GPA 0. */
#define GUEST_SIZE	0x10000
#define GUEST_CODE	0x1000
#define GUEST_HANDLER	0x1100
#define GUEST_STACK	0x800
#define GUEST_COUNT	0x500	/* u32: interrupts taken */
#define GUEST_READY	0x600	/* u8: set once STI is next */
#define VECTOR		0x40
#define GSI		0
#define PAGE_4K		4096
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_PARTITIONS	256

/* Operations per run, and runs. */
#define TRIPS		2000
#define PROF_TRIPS	10000
#define NULL_IOCTLS	20000
#define EVENTS		300
#define DOORBELLS	2000
#define SCALE_VPS	64
#define SCALE_TRIPS	100
#define SCALE_IRQFDS	1000
#define SCALE_REGIONS	1000
#define REGION_TRIPS	200
#define FAULT_PAGE	0xf000	/* an unused page of the guest's memory */
#define EXTRA_GFN	0x100	/* the other regions: above 1 MiB */
/* How long the VP may take to halt again after an irqfd event (TCG). */
#define IRQFD_SETTLE_MS	2000
#define IRQFD_SIGNALS	4000
#define MAX_GSIS	4096
#define RUNS		5
/* How long the guest may take to react to one event (TCG, KASAN). */
#define WAIT_NS		(10ULL * 1000000000ULL)

/* Targets. */
#define TARGET_TRIP_FLOOR	1.5
#define TARGET_IRQFD_TRIP	0.2
#define TARGET_SCALE		1.2

/*
 * Real mode: enable the local APIC in x2APIC mode, say it is ready, STI,
 * then HLT forever; the handler counts, writes the x2APIC EOI MSR and
 * returns.
 */
GUEST_CODE16(irq_prog,
	     GUEST_X2APIC_ENABLE
	     "movb $0x1, " GUEST_STR(GUEST_READY) "\n\t"
	     "sti\n\t"
	     "1:\n\t"
	     "hlt\n\t"
	     "jmp 1b");

GUEST_CODE16(irq_handler,
	     "push %eax\n\t"
	     "push %ecx\n\t"
	     "push %edx\n\t"
	     "incl " GUEST_STR(GUEST_COUNT) "\n\t"
	     GUEST_X2APIC_EOI
	     "pop %edx\n\t"
	     "pop %ecx\n\t"
	     "pop %eax\n\t"
	     "iret");

/* Real mode: store AL to DOORBELL_GPA (past guest memory), forever. */
GUEST_CODE16(doorbell_prog,
	     "mov $0x2000, %ax\n\t"
	     "mov %ax, %ds\n\t"
	     "1:\n\t"
	     "mov %al, 0x10\n\t"			/* mov [0x10], al */
	     "jmp 1b");

#define DOORBELL_GPA	0x20010

/* OUT to port 0x80, forever. */
GUEST_CODE16(out_prog,
	     "1:\n\t"
	     "out %al, $0x80\n\t"
	     "jmp 1b");

#define OUT_LEN		2

struct guest {
	int pt;
	__u64 id;
	unsigned int nr_vps;
	int vp[SCALE_VPS];
	struct hv_register_page *rp[SCALE_VPS];
	__u8 *mem;
};

static bool hv_reported = true;

/* ---- Guests ------------------------------------------------------------- */

/*
 * A partition with 64 KiB of memory and @nr_vps VPs at @prog, their
 * register pages mapped; with a local x2APIC if @lapic (then VPs but the
 * first wait for a startup IPI, as on hardware, and do not run).
 */
static int guest_create(int dev, struct guest *g, const __u8 *prog,
			size_t len, unsigned int nr_vps, bool lapic)
{
	__u64 before[MAX_PARTITIONS], after[MAX_PARTITIONS];
	__u32 entry = GUEST_HANDLER;
	unsigned int i;
	int nb, na, j, k;

	memset(g, 0, sizeof(*g));
	g->mem = MAP_FAILED;
	nb = mshv_partition_ids(before, MAX_PARTITIONS);
	g->pt = mshv_create_partition(dev, lapic ?
				      (1ULL << MSHV_PT_BIT_LAPIC) |
				      (1ULL << MSHV_PT_BIT_X2APIC) : 0, 0);
	if (g->pt < 0)
		return g->pt;
	/* Its id, to read its statistics. */
	na = nb < 0 ? -1 : mshv_partition_ids(after, MAX_PARTITIONS);
	for (j = 0; j < na && !g->id; j++) {
		for (k = 0; k < nb && before[k] != after[j]; k++)
			;
		if (k == nb)
			g->id = after[j];
	}
	g->mem = guest_mem_alloc(GUEST_SIZE);
	if (g->mem == MAP_FAILED || mshv_initialize_partition(g->pt))
		return -EIO;
	memset(g->mem, 0, GUEST_CODE);
	memcpy(g->mem + GUEST_CODE, prog, len);
	guest_code_load(g->mem, GUEST_HANDLER, irq_handler);
	memcpy(g->mem + VECTOR * 4, &entry, sizeof(entry));
	if (guest_mem_map(g->pt, 0, g->mem, GUEST_SIZE))
		return -EIO;
	for (i = 0; i < nr_vps; i++) {
		struct mshv_create_vp args = { .vp_index = i };
		void *rp;

		g->vp[i] = ioctl(g->pt, MSHV_CREATE_VP, &args);
		if (g->vp[i] < 0)
			return -errno;
		g->nr_vps++;
		rp = mmap(NULL, PAGE_4K, PROT_READ | PROT_WRITE, MAP_SHARED,
			  g->vp[i], MSHV_VP_MMAP_OFFSET_REGISTERS * PAGE_4K);
		if (rp == MAP_FAILED)
			return -errno;
		g->rp[i] = rp;
		if (guest_real_mode(g->vp[i], i, GUEST_CODE, GUEST_STACK))
			return -EIO;
	}
	return 0;
}

static void guest_destroy(struct guest *g)
{
	unsigned int i;

	for (i = 0; i < g->nr_vps; i++) {
		if (g->rp[i])
			munmap(g->rp[i], PAGE_4K);
		close(g->vp[i]);
	}
	if (g->pt > 0)
		close(g->pt);
	if (g->mem != MAP_FAILED)
		munmap(g->mem, GUEST_SIZE);
}

static __u32 guest_read(const struct guest *g, unsigned int gpa, bool byte)
{
	if (byte)
		return __atomic_load_n(g->mem + gpa, __ATOMIC_ACQUIRE);
	return __atomic_load_n((const __u32 *)(g->mem + gpa), __ATOMIC_ACQUIRE);
}

static bool guest_reaches(const struct guest *g, unsigned int gpa, bool byte,
			  __u32 want)
{
	__u64 end = bench_now_ns() + WAIT_NS;

	while (guest_read(g, gpa, byte) < want) {
		if (bench_now_ns() > end)
			return false;
		sched_yield();
	}
	return true;
}

/* Pin the calling thread to @cpu (modulo the CPUs there are). */
static void pin_to(pthread_t tid, unsigned int cpu)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(n > 0 ? cpu % n : 0, &cpus);
	pthread_setaffinity_np(tid, sizeof(cpus), &cpus);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* ---- The round trip ----------------------------------------------------- */

/*
 * @n OUT round trips of VP @i: the VMM moves RIP past the OUT in the
 * register page. Return 0 or -1.
 */
static int round_trips(struct guest *g, unsigned int i, unsigned int n)
{
	struct hv_register_page *rp = g->rp[i];
	__u8 msg[MSHV_RUN_VP_BUF_SZ];
	__u32 type;

	while (n--) {
		if (ioctl(g->vp[i], MSHV_RUN_VP, msg))
			return -1;
		memcpy(&type, msg, sizeof(type));
		if (type != HVMSG_X64_IO_PORT_INTERCEPT || !rp->isvalid)
			return -1;
		/* The loop's JMP brings the guest back to the OUT. */
		rp->rip += OUT_LEN;
		rp->dirty |= HV_X64_REGISTER_CLASS_IP;
	}
	return 0;
}

static struct bench_result trip, null_ioctl;
static struct bench_prof prof_trip, prof_null, prof_write;

/* The tracefs directory, or NULL. */
static const char *tracing_dir(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[96];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/events/mshv", dirs[i]);
		if (!access(path, F_OK))
			return dirs[i];
	}
	return NULL;
}

static int trace_write(const char *dir, const char *name, const char *text)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	ret = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	close(fd);
	return ret;
}

static const char *const trip_events[] = {
	"mshv_run_vp_entry", "mshv_hvcall_dispatch_vp", "mshv_run_vp_exit",
};

static int trace_events_enable(const char *dir, const char *on)
{
	char name[96];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(trip_events); i++) {
		snprintf(name, sizeof(name), "events/mshv/%s/enable",
			 trip_events[i]);
		if (trace_write(dir, name, on))
			return -1;
	}
	return 0;
}

/*
 * TRIPS round trips with the driver's trace events on, and where a trip's
 * time goes between them, into @note: from MSHV_RUN_VP's entry to the
 * last dispatch's return (the hypervisor's time in it, which the
 * simulator reports, apart), from there to MSHV_RUN_VP's exit, and from
 * the exit to the next entry (the copy of the message out, the return to
 * user space, the VMM, the next ioctl's way in).
 */
static void trace_trips(struct guest *g, char *note, size_t len)
{
	double seg[3] = { 0 }, t, entry = -1, disp = -1, exit_ = -1;
	const char *dir = tracing_dir();
	unsigned int i, n = 0, dispatches = 0;
	struct hv_sample a, b;
	char path[128], line[512];
	FILE *f;

	if (!dir || trace_write(dir, "trace", "") ||
	    trace_events_enable(dir, "1")) {
		snprintf(note, len, "  trace events: not available\n");
		return;
	}
	hv_sample(&a);
	round_trips(g, 0, TRIPS);
	hv_sample(&b);
	trace_events_enable(dir, "0");
	snprintf(path, sizeof(path), "%s/trace", dir);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *ev = strstr(line, ": mshv_"), *ts;

		if (!ev || line[0] == '#')
			continue;
		*ev = '\0';
		ts = strrchr(line, ' ');
		if (!ts)
			continue;
		t = atof(ts + 1) * 1e6;
		for (i = 0; i < ARRAY_SIZE(trip_events); i++)
			if (!strncmp(ev + 2, trip_events[i],
				     strlen(trip_events[i])) &&
			    ev[2 + strlen(trip_events[i])] == ':')
				break;
		if (i == 0) {
			if (exit_ >= 0) {
				seg[2] += t - exit_;
				n++;
			}
			entry = t;
			disp = -1;
			exit_ = -1;
		} else if (i == 1 && entry >= 0) {
			disp = t;
			dispatches++;
		} else if (i == 2 && disp >= 0) {
			seg[0] += disp - entry;
			seg[1] += t - disp;
			exit_ = t;
		}
	}
	if (f)
		fclose(f);
	trace_write(dir, "trace", "");
	if (!n) {
		snprintf(note, len, "  trace events: no complete trip\n");
		return;
	}
	snprintf(note, len,
		 "  trace events, %u trips, us per trip: RUN_VP entry -> last dispatch's return %.1f (hypervisor %.1f, %.2f dispatches), -> RUN_VP exit %.1f, exit -> next entry %.1f (copy out, to user space and back; a null ioctl: %.1f)\n",
		 n, seg[0] / n,
		 a.valid && b.valid ? (b.ns - a.ns) / 1e3 / TRIPS : 0.0,
		 (double)dispatches / (n + 1), seg[1] / n, seg[2] / n,
		 bench_median(null_ioctl.driver_ns, null_ioctl.runs) / 1e3);
}

static void bench_round_trip(int dev)
{
	struct bench_row *calls, *floor;
	struct guest g = { .pt = -1, .mem = MAP_FAILED };
	__u64 d0 = 0, d1 = 0;
	struct hv_sample a, b;
	unsigned int run, i;

	calls = bench_add_row("RUN_VP round trip: hypercalls per trip", "1");
	floor = bench_add_row("RUN_VP round trip driver ns / null ioctl",
			      "<= 1.5");
	bench_result_init(&trip);
	bench_result_init(&null_ioctl);
	if (guest_create(dev, &g, out_prog, guest_code_len(out_prog), 1, false)) {
		snprintf(calls->detail, sizeof(calls->detail), "no guest");
		goto out;
	}
	/* One trip first: the VP's first dispatch is not the steady state. */
	if (round_trips(&g, 0, 1))
		goto out;
	if (g.id)
		mshv_vp_stat(g.id, 0, "dispatches", &d0);
	for (run = 0; run < RUNS; run++) {
		hv_sample(&a);
		if (round_trips(&g, 0, TRIPS))
			goto out;
		hv_sample(&b);
		bench_record(&trip, &a, &b, TRIPS, false);

		hv_sample(&a);
		for (i = 0; i < NULL_IOCTLS; i++)
			ioctl(g.vp[0], _IO(MSHV_IOCTL, 0xff), NULL);
		hv_sample(&b);
		bench_record(&null_ioctl, &a, &b, NULL_IOCTLS, false);
	}
	if (g.id && !mshv_vp_stat(g.id, 0, "dispatches", &d1))
		snprintf(calls->detail, sizeof(calls->detail),
			 "driver_stats: %.2f dispatches/trip",
			 (double)(d1 - d0) / (RUNS * TRIPS));
	/* More runs of each, profiled, for the table's profile. */
	bench_prof_start(&prof_trip, 0, "RUN_VP round trips, the VP's thread");
	if (round_trips(&g, 0, PROF_TRIPS))
		goto out;
	bench_prof_stop(&prof_trip, PROF_TRIPS);
	trace_trips(&g, prof_trip.note, sizeof(prof_trip.note));
	bench_row_add_prof(floor, &prof_trip);
	bench_prof_start(&prof_null, 0, "null ioctls on the VP fd");
	for (i = 0; i < NULL_IOCTLS; i++)
		ioctl(g.vp[0], _IO(MSHV_IOCTL, 0xff), NULL);
	bench_prof_stop(&prof_null, NULL_IOCTLS);
	bench_row_add_prof(floor, &prof_null);
	hv_reported &= trip.hv_valid;
	if (trip.hv_valid) {
		double c = bench_median(trip.calls, trip.runs);

		snprintf(calls->value, sizeof(calls->value), "%.2f", c);
		calls->verdict = c <= 1.000001 ? V_MET : V_NOT_MET;
	}
	bench_set_ratio(floor, bench_median(trip.driver_ns, trip.runs) /
			bench_median(null_ioctl.driver_ns, null_ioctl.runs),
			TARGET_TRIP_FLOOR);
	snprintf(floor->detail, sizeof(floor->detail),
		 "trip %.0f/%.0f ns, ioctl %.0f/%.0f ns (min/med)",
		 bench_min(trip.driver_ns, trip.runs),
		 bench_median(trip.driver_ns, trip.runs),
		 bench_min(null_ioctl.driver_ns, null_ioctl.runs),
		 bench_median(null_ioctl.driver_ns, null_ioctl.runs));
out:
	guest_destroy(&g);
}

/* ---- irqfd -------------------------------------------------------------- */

struct runner {
	int vp;
	int err;
	pid_t tid;
	bool stop;
	bool done;
	unsigned long exits;
};

/* MSHV_RUN_VP until told to stop; count the exits to user space. */
static void *run_thread(void *arg)
{
	struct runner *r = arg;
	__u8 msg[MSHV_RUN_VP_BUF_SZ];

	__atomic_store_n(&r->tid, gettid(), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		if (!ioctl(r->vp, MSHV_RUN_VP, msg)) {
			r->exits++;
			continue;
		}
		if (errno != EINTR) {
			r->err = -errno;
			break;
		}
	}
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static int start_runner(struct runner *r, int vp, pthread_t *tid)
{
	struct sigaction sa = { .sa_handler = on_usr1 };

	memset(r, 0, sizeof(*r));
	r->vp = vp;
	sigaction(SIGUSR1, &sa, NULL);
	if (pthread_create(tid, NULL, run_thread, r))
		return -1;
	/* The VP on CPU 1, the VMM on CPU 0: nothing preempts the write. */
	pin_to(*tid, 1);
	pin_to(pthread_self(), 0);
	return 0;
}

static void stop_runner(struct runner *r, pthread_t tid)
{
	__atomic_store_n(&r->stop, true, __ATOMIC_RELEASE);
	/* Again until it is out: a signal may land just before MSHV_RUN_VP. */
	do {
		pthread_kill(tid, SIGUSR1);
		usleep(10000);
	} while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE));
	pthread_join(tid, NULL);
}

/*
 * Wait until @r's thread sleeps: its VP halted in the hypervisor and the
 * dispatch that ran the interrupt's handler is over, so that the next
 * irqfd event finds the VP out of a dispatch. An event during a dispatch
 * takes the hypercall path, by design. At most IRQFD_SETTLE_MS.
 */
static void runner_wait_asleep(struct runner *r)
{
	char path[64], buf[256], *state;
	unsigned int ms;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat",
		 __atomic_load_n(&r->tid, __ATOMIC_ACQUIRE));
	for (ms = 0; ms < IRQFD_SETTLE_MS; ms++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return;
		buf[n] = 0;
		/* "tid (comm) S ...": the state follows the last ')'. */
		state = strrchr(buf, ')');
		if (state && state[1] == ' ' && state[2] == 'S')
			return;
		usleep(1000);
	}
}

static void bench_irqfd(int dev)
{
	struct {
		struct mshv_user_irq_table head;
		struct mshv_user_irq_entry entry;
	} table = {
		.head.nr = 1,
		.entry = { .gsi = GSI, .address_lo = 0xfee00000,
			   .data = VECTOR },
	};
	struct bench_row *calls = bench_add_row("irqfd event: hypercalls (not dispatches)",
				    "0");
	struct bench_row *ratio = bench_add_row("irqfd event driver ns / round trip's",
				    "<= 0.2");
	struct mshv_user_irqfd irqfd = { .gsi = GSI };
	double ns[RUNS], ncalls[RUNS], med;
	__u64 d0, d1, a0, a1, t0, t1, sum, one = 1, tmp;
	__u64 fast0 = 0, fast1 = 0, slow0 = 0, slow1 = 0;
	struct hv_sample s0, s1;
	struct guest g = { .pt = -1, .mem = MAP_FAILED };
	unsigned int run = 0, i, k, done = 0;
	struct runner r;
	pthread_t tid;
	int efd;

	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0 ||
	    guest_create(dev, &g, irq_prog, guest_code_len(irq_prog), 1, true))
		goto out;
	irqfd.fd = efd;
	if (ioctl(g.pt, MSHV_SET_MSI_ROUTING, &table) ||
	    ioctl(g.pt, MSHV_IRQFD, &irqfd))
		goto out;
	if (start_runner(&r, g.vp[0], &tid))
		goto out;
	if (!guest_reaches(&g, GUEST_READY, true, 1))
		goto stop;
	mshv_pt_stat(g.id, "irqfd_fast", &fast0);
	mshv_pt_stat(g.id, "irqfd_slow", &slow0);
	for (run = 0; run < RUNS; run++) {
		hv_sample(&s0);
		/* One read: the VP's thread dispatches meanwhile. */
		if (sim_hypercalls_but(HVCALL_DISPATCH_VP, &d0) ||
		    sim_hypercall_time(HVCALL_ASSERT_VIRTUAL_INTERRUPT, &tmp,
				       &a0))
			s0.valid = false;
		sum = 0;
		for (i = 0; i < EVENTS; i++) {
			t0 = bench_now_ns();
			if (write(efd, &one, sizeof(one)) != sizeof(one))
				goto stop;
			t1 = bench_now_ns();
			sum += t1 - t0;
			if (!guest_reaches(&g, GUEST_COUNT, false, ++done))
				goto stop;
			runner_wait_asleep(&r);
		}
		hv_sample(&s1);
		if (sim_hypercalls_but(HVCALL_DISPATCH_VP, &d1) ||
		    sim_hypercall_time(HVCALL_ASSERT_VIRTUAL_INTERRUPT, &tmp,
				       &a1))
			s1.valid = false;
		if (s0.valid && s1.valid) {
			/* A slow-path injection's hypercall is not the driver's. */
			sum -= a1 - a0;
			ncalls[run] = (double)(d1 - d0) / EVENTS;
		} else {
			hv_reported = false;
			ncalls[run] = -1;
		}
		ns[run] = (double)sum / EVENTS;
	}
	/*
	 * One more run, profiled. The VMM sleeps while it waits for the
	 * guest, so that the samples, taken on its CPU time, are those of
	 * the writes (and of the sleeps' system calls).
	 */
	bench_prof_start(&prof_write, 0,
			 "irqfd events, the VMM's thread (eventfd writes)");
	for (i = 0; i < EVENTS; i++) {
		if (write(efd, &one, sizeof(one)) != sizeof(one))
			break;
		++done;
		for (k = 0; k < 1000 && guest_read(&g, GUEST_COUNT, false) < done; k++)
			usleep(200);
		runner_wait_asleep(&r);
	}
	bench_prof_stop(&prof_write, i);
	bench_row_add_prof(ratio, &prof_write);
stop:
	stop_runner(&r, tid);
	if (run < RUNS) {
		snprintf(calls->detail, sizeof(calls->detail),
			 "guest stopped after %u events%s", done,
			 r.err ? " (RUN_VP failed)" : "");
		goto out;
	}
	if (ncalls[0] >= 0) {
		med = bench_median(ncalls, RUNS);
		snprintf(calls->value, sizeof(calls->value), "%.2f", med);
		calls->verdict = med == 0 ? V_MET : V_NOT_MET;
	}
	if (!mshv_pt_stat(g.id, "irqfd_fast", &fast1) &&
	    !mshv_pt_stat(g.id, "irqfd_slow", &slow1))
		snprintf(calls->detail, sizeof(calls->detail),
			 "driver_stats: %llu fast, %llu slow of %u",
			 (unsigned long long)(fast1 - fast0),
			 (unsigned long long)(slow1 - slow0), RUNS * EVENTS);
	if (trip.runs) {
		bench_set_ratio(ratio, bench_median(ns, RUNS) /
				bench_median(trip.driver_ns, trip.runs),
				TARGET_IRQFD_TRIP);
		snprintf(ratio->detail, sizeof(ratio->detail),
			 "event %.0f/%.0f ns (min/med)", bench_min(ns, RUNS),
			 bench_median(ns, RUNS));
	}
out:
	guest_destroy(&g);
	if (efd >= 0)
		close(efd);
}

/* ---- ioeventfd ---------------------------------------------------------- */

/* VP 0 of partition @id: its exits to the VMM (driver_stats), ~0 if unknown. */
static __u64 vp_exits(__u64 id)
{
	static const char *const names[] = {
		"exits_io_port", "exits_unmapped_gpa", "exits_gpa_intercept",
		"exits_msr", "exits_cpuid", "exits_halt", "exits_exception",
		"exits_other",
	};
	__u64 sum = 0, v;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!id || mshv_vp_stat(id, 0, names[i], &v))
			return ~0ULL;
		sum += v;
	}
	return sum;
}

/* Add the signals @efd received to @total; false after WAIT_NS of none. */
static bool count_signals(int efd, __u64 *total)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	__u64 count;

	if (poll(&pfd, 1, WAIT_NS / 1000000) != 1 ||
	    read(efd, &count, sizeof(count)) != sizeof(count))
		return false;
	*total += count;
	return true;
}

static void bench_ioeventfd(int dev)
{
	struct bench_row *exits = bench_add_row("ioeventfd doorbell: exits to the VMM",
						"0");
	struct bench_row *cost = bench_add_row("ioeventfd doorbell: driver CPU ns",
					       "-");
	struct mshv_user_ioeventfd io = { .addr = DOORBELL_GPA, .len = 1 };
	struct bench_result res;
	struct hv_sample a, b;
	struct guest g = { .pt = -1, .mem = MAP_FAILED };
	__u64 exits0 = ~0ULL, exits1 = ~0ULL, bells0 = 0, bells1 = 0;
	__u64 total = 0;
	struct runner r;
	pthread_t tid;
	unsigned int run = 0;
	int efd;

	bench_result_init(&res);
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0 ||
	    guest_create(dev, &g, doorbell_prog, guest_code_len(doorbell_prog), 1,
			 false))
		goto out;
	io.fd = efd;
	if (ioctl(g.pt, MSHV_IOEVENTFD, &io))
		goto out;
	if (start_runner(&r, g.vp[0], &tid))
		goto out;
	if (!count_signals(efd, &total))
		goto stop;
	exits0 = vp_exits(g.id);
	mshv_stats_file_read(MSHV_DBG_DIR "/driver_stats", "doorbell_signals",
			     &bells0);
	for (run = 0; run < RUNS; run++) {
		hv_sample(&a);
		for (total = 0; total < DOORBELLS;)
			if (!count_signals(efd, &total))
				goto stop;
		hv_sample(&b);
		bench_record(&res, &a, &b, total, true);
	}
stop:
	stop_runner(&r, tid);
	if (run < RUNS) {
		snprintf(exits->detail, sizeof(exits->detail),
			 "doorbells stopped%s", r.err ? " (RUN_VP failed)" : "");
		goto out;
	}
	exits1 = vp_exits(g.id);
	mshv_stats_file_read(MSHV_DBG_DIR "/driver_stats", "doorbell_signals",
			     &bells1);
	/* The driver's count; the runner's own agrees or the row says so. */
	if (exits0 != ~0ULL && exits1 != ~0ULL) {
		snprintf(exits->value, sizeof(exits->value), "%llu",
			 (unsigned long long)(exits1 - exits0));
		exits->verdict = exits1 != exits0 || r.exits ? V_NOT_MET :
							       V_MET;
	}
	snprintf(exits->detail, sizeof(exits->detail),
		 "%llu doorbell signals (driver_stats), runner saw %lu exits",
		 (unsigned long long)(bells1 - bells0), r.exits);
	snprintf(cost->value, sizeof(cost->value), "%.0f",
		 bench_median(res.driver_ns, res.runs));
	cost->verdict = V_INFO;
	snprintf(cost->detail, sizeof(cost->detail),
		 "min %.0f; both threads, incl. the VMM's poll",
		 bench_min(res.driver_ns, res.runs));
out:
	guest_destroy(&g);
	if (efd >= 0)
		close(efd);
}

/* ---- Scaling with VPs --------------------------------------------------- */

struct scale_arg {
	struct guest *g;
	unsigned int i;
	pthread_barrier_t *start;
	int err;
};

static void *scale_thread(void *p)
{
	struct scale_arg *a = p;

	pthread_barrier_wait(a->start);
	a->err = round_trips(a->g, a->i, SCALE_TRIPS);
	return NULL;
}

/* Why the last scale run failed, for the table. */
static char scale_why[48];

/*
 * Driver CPU ns per round trip with @n VPs on their own threads (0: a run
 * failed), and in *@teardown_ns the driver's time to tear the partition
 * down.
 */
static double scale_cost(int dev, unsigned int n, double *teardown_ns)
{
	struct guest g = { .pt = -1, .mem = MAP_FAILED };
	struct scale_arg args[SCALE_VPS];
	pthread_t tids[SCALE_VPS];
	pthread_barrier_t start;
	struct bench_result res, down;
	struct hv_sample a, b;
	unsigned int run, i;
	bool ok = true;

	bench_result_init(&res);
	if (guest_create(dev, &g, out_prog, guest_code_len(out_prog), n, false)) {
		snprintf(scale_why, sizeof(scale_why), "%u VPs: create: %s", n,
			 strerror(errno));
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (round_trips(&g, i, 1)) {
			snprintf(scale_why, sizeof(scale_why),
				 "%u VPs: VP %u: %s", n, i, strerror(errno));
			goto fail;
		}
	}
	for (run = 0; run < RUNS && ok; run++) {
		pthread_barrier_init(&start, NULL, n + 1);
		for (i = 0; i < n; i++) {
			args[i] = (struct scale_arg){ &g, i, &start, 0 };
			if (pthread_create(&tids[i], NULL, scale_thread,
					   &args[i])) {
				/* Nobody waits at the barrier for them. */
				exit(1);
			}
		}
		hv_sample(&a);
		pthread_barrier_wait(&start);
		for (i = 0; i < n; i++) {
			pthread_join(tids[i], NULL);
			if (args[i].err && ok)
				snprintf(scale_why, sizeof(scale_why),
					 "%u VPs: VP %u failed a trip", n, i);
			ok &= !args[i].err;
		}
		hv_sample(&b);
		pthread_barrier_destroy(&start);
		bench_record(&res, &a, &b, (unsigned long)n * SCALE_TRIPS,
			     true);
	}
	bench_result_init(&down);
	hv_sample(&a);
	guest_destroy(&g);
	hv_sample(&b);
	bench_record(&down, &a, &b, 1, false);
	*teardown_ns = down.driver_ns[0];
	return ok ? bench_median(res.driver_ns, res.runs) : 0;
fail:
	guest_destroy(&g);
	return 0;
}

static void bench_scale_vps(int dev)
{
	struct bench_row *r = bench_add_row("round trip driver CPU, 64 VPs / 1 VP",
					    "<= 1.2");
	struct bench_row *down = bench_add_row("teardown driver time per VP (64 VPs)",
					       "-");
	double one, many, down1 = 0, down64 = 0;

	one = scale_cost(dev, 1, &down1);
	many = scale_cost(dev, SCALE_VPS, &down64);
	if (!one || !many) {
		snprintf(r->detail, sizeof(r->detail), "%s", scale_why);
		return;
	}
	bench_set_ratio(r, many / one, TARGET_SCALE);
	snprintf(r->detail, sizeof(r->detail), "%.0f ns -> %.0f ns (median)",
		 one, many);
	snprintf(down->value, sizeof(down->value), "%.1f us",
		 down64 / SCALE_VPS / 1000);
	down->verdict = V_INFO;
	snprintf(down->detail, sizeof(down->detail),
		 "1 VP %.0f us, 64 VPs %.0f us; one run", down1 / 1000,
		 down64 / 1000);
}

/* ---- Scaling with regions ----------------------------------------------- */

/*
 * driver ns and hypercalls of one round trip of VP 0 (the interval around
 * MSHV_RUN_VP only, less the hypervisor's time), added to @ns and @calls;
 * if @invalidate, the VMM first drops a page of the guest's movable region,
 * which unmaps the region's chunk, so that the trip takes one GPA fault
 * handled in the kernel. Return 0 or -1.
 */
static int timed_trip(struct guest *g, bool invalidate, double *ns,
		      double *calls)
{
	struct hv_sample a, b;
	__u64 t0, t1;

	if (invalidate &&
	    madvise(g->mem + FAULT_PAGE, PAGE_4K, MADV_DONTNEED))
		return -1;
	hv_sample(&a);
	t0 = bench_now_ns();
	if (round_trips(g, 0, 1))
		return -1;
	t1 = bench_now_ns();
	hv_sample(&b);
	*ns += t1 - t0;
	if (a.valid && b.valid) {
		*ns -= b.ns - a.ns;
		*calls += b.calls - a.calls;
	} else {
		hv_reported = false;
	}
	return 0;
}

static struct bench_prof prof_fault;

/*
 * Driver ns of a GPA fault with @n regions: the guest's movable 64 KiB
 * region at 0 and @n - 1 movable 4 KiB regions above 1 MiB. A round trip
 * whose chunk was unmapped less one whose chunk is mapped, interleaved,
 * REGION_TRIPS of each per run; the median of RUNS runs, its minimum in
 * @min, the faults the driver counted per faulting trip in @faults and
 * the hypercalls a fault adds in @calls. Return -1 on failure.
 */
static double fault_cost(int dev, unsigned int n, double *min,
			 double *faults, double *calls)
{
	struct guest g = { .pt = -1, .mem = MAP_FAILED };
	double cost[RUNS], fcalls = 0, pcalls = 0, ret = -1;
	unsigned char *extra = MAP_FAILED;
	unsigned int i, run;
	__u64 f0 = 0, f1 = 0;
	char title[64];

	if (guest_create(dev, &g, out_prog, guest_code_len(out_prog), 1, false))
		goto out;
	if (n > 1) {
		extra = mmap(NULL, (n - 1) * PAGE_4K, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (extra == MAP_FAILED)
			goto out;
		/* Every other page, so that no two regions touch. */
		for (i = 0; i < n - 1; i++)
			if (mshv_map_memory(g.pt, EXTRA_GFN + 2 * i,
					    extra + i * PAGE_4K, PAGE_4K,
					    1 << MSHV_SET_MEM_BIT_WRITABLE))
				goto out;
	}
	/* The first trip faults the code in. */
	if (round_trips(&g, 0, 1) || mshv_vp_stat(g.id, 0, "gpa_faults", &f0))
		goto out;
	for (run = 0; run < RUNS; run++) {
		double fault = 0, plain = 0;

		for (i = 0; i < REGION_TRIPS; i++)
			if (timed_trip(&g, true, &fault, &fcalls) ||
			    timed_trip(&g, false, &plain, &pcalls))
				goto out;
		cost[run] = (fault - plain) / REGION_TRIPS;
	}
	if (mshv_vp_stat(g.id, 0, "gpa_faults", &f1))
		goto out;
	*faults = (double)(f1 - f0) / (RUNS * REGION_TRIPS);
	*calls = (fcalls - pcalls) / (RUNS * REGION_TRIPS);
	*min = bench_min(cost, RUNS);
	ret = bench_median(cost, RUNS);
	if (n == SCALE_REGIONS) {
		double ns = 0, c = 0;

		snprintf(title, sizeof(title),
			 "round trips with a GPA fault, %u regions", n);
		bench_prof_start(&prof_fault, 0, title);
		for (i = 0; i < REGION_TRIPS; i++)
			if (timed_trip(&g, true, &ns, &c))
				break;
		bench_prof_stop(&prof_fault, i);
	}
out:
	if (extra != MAP_FAILED)
		munmap(extra, (n - 1) * PAGE_4K);
	guest_destroy(&g);
	return ret;
}

static void bench_scale_regions(int dev)
{
	struct bench_row *r = bench_add_row("GPA fault driver ns, 1000 regions / 1",
					    "<= 1.2");
	double one, many, min1, min1000, f1, f1000, c1, c1000;

	one = fault_cost(dev, 1, &min1, &f1, &c1);
	many = fault_cost(dev, SCALE_REGIONS, &min1000, &f1000, &c1000);
	if (one <= 0 || many < 0) {
		snprintf(r->detail, sizeof(r->detail),
			 one < 0 || many < 0 ? "a run failed" :
			 "no fault cost measured");
		return;
	}
	bench_set_ratio(r, many / one, TARGET_SCALE);
	bench_row_add_prof(r, &prof_fault);
	snprintf(r->detail, sizeof(r->detail),
		 "%.0f/%.0f -> %.0f/%.0f ns (min/med); %.2f/%.2f faults, %.1f/%.1f hcalls per op",
		 min1, one, min1000, many, f1, f1000, c1, c1000);
}

/* ---- Scaling with irqfds ------------------------------------------------ */

struct churn_arg {
	int pt;
	struct mshv_user_irq_table *table;
	bool stop;
	unsigned long replaced;
};

/* Replace the partition's routing table until told to stop. */
static void *churn_thread(void *p)
{
	struct churn_arg *a = p;

	while (!__atomic_load_n(&a->stop, __ATOMIC_ACQUIRE)) {
		if (ioctl(a->pt, MSHV_SET_MSI_ROUTING, a->table))
			break;
		a->replaced++;
	}
	return NULL;
}

/*
 * Driver ns per irqfd signal, signals spread over @n irqfds (GSIs 0 to
 * @n - 1) of a partition whose 4096-entry routing table another thread
 * replaces meanwhile; 0 on failure. The VP does not run: every vector is
 * the same and stays queued in its register page, so each signal takes
 * the fast path to the end. *@replaced receives the replacements made.
 */
static double irqfd_cost(int dev, unsigned int n, unsigned long *replaced)
{
	struct guest g = { .pt = -1, .mem = MAP_FAILED };
	struct mshv_user_irq_table *table;
	struct churn_arg churn = {};
	double ns[RUNS] = {};
	unsigned int i, run = 0;
	__u64 one = 1, t0, sum;
	pthread_t tid;
	int *efds;

	efds = calloc(n, sizeof(*efds));
	table = calloc(1, sizeof(*table) +
			  MAX_GSIS * sizeof(table->entries[0]));
	if (!efds || !table)
		goto out;
	for (i = 0; i < n; i++)
		efds[i] = -1;
	table->nr = MAX_GSIS;
	for (i = 0; i < MAX_GSIS; i++)
		table->entries[i] = (struct mshv_user_irq_entry){
			.gsi = i, .address_lo = 0xfee00000, .data = VECTOR,
		};
	if (guest_create(dev, &g, irq_prog, guest_code_len(irq_prog), 1, true) ||
	    ioctl(g.pt, MSHV_SET_MSI_ROUTING, table))
		goto out;
	for (i = 0; i < n; i++) {
		struct mshv_user_irqfd irqfd = { .gsi = i };

		efds[i] = eventfd(0, EFD_CLOEXEC);
		irqfd.fd = efds[i];
		if (efds[i] < 0 || ioctl(g.pt, MSHV_IRQFD, &irqfd))
			goto out;
	}
	churn.pt = g.pt;
	churn.table = table;
	if (pthread_create(&tid, NULL, churn_thread, &churn))
		goto out;
	pin_to(tid, 1);
	pin_to(pthread_self(), 0);
	for (run = 0; run < RUNS; run++) {
		sum = 0;
		for (i = 0; i < IRQFD_SIGNALS; i++) {
			t0 = bench_now_ns();
			if (write(efds[i % n], &one, sizeof(one)) !=
			    sizeof(one))
				break;
			sum += bench_now_ns() - t0;
		}
		if (i < IRQFD_SIGNALS)
			break;
		ns[run] = (double)sum / IRQFD_SIGNALS;
	}
	__atomic_store_n(&churn.stop, true, __ATOMIC_RELEASE);
	pthread_join(tid, NULL);
	*replaced = churn.replaced;
out:
	for (i = 0; efds && i < n; i++)
		if (efds[i] >= 0)
			close(efds[i]);
	free(efds);
	free(table);
	guest_destroy(&g);
	return run == RUNS ? bench_median(ns, RUNS) : 0;
}

static void bench_scale_irqfds(int dev)
{
	struct bench_row *r = bench_add_row("irqfd signal driver ns, 1000 irqfds / 1",
					    "<= 1.2");
	unsigned long rep1 = 0, rep1000 = 0;
	struct rlimit rl;
	double one, many;

	/* 1000 eventfds and the rest: more than the default 1024 files. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	one = irqfd_cost(dev, 1, &rep1);
	many = irqfd_cost(dev, SCALE_IRQFDS, &rep1000);
	if (!one || !many) {
		snprintf(r->detail, sizeof(r->detail), "a run failed");
		return;
	}
	bench_set_ratio(r, many / one, TARGET_SCALE);
	snprintf(r->detail, sizeof(r->detail),
		 "%.0f -> %.0f ns; %lu/%lu table replacements", one, many,
		 rep1, rep1000);
}

int main(void)
{
	int dev;

	dev = mshv_open();
	if (dev < 0) {
		fprintf(stderr, "mshv_irq_bench: %s: %s\n", MSHV_DEV_PATH,
			strerror(-dev));
		return 1;
	}
	bench_round_trip(dev);
	bench_irqfd(dev);
	bench_ioeventfd(dev);
	bench_scale_vps(dev);
	bench_scale_regions(dev);
	bench_scale_irqfds(dev);
	close(dev);

	printf("\nmshv_irq_bench: hypervisor %s; %s\n\n",
	       sim_present() ? "mshv_sim" : "Hyper-V",
	       hv_reported ? "driver time = time - hypervisor time" :
	       "the hypervisor reports no time: driver time includes it");
	bench_print_table();
	printf("round trip %.0f ns driver, %.2f hypercalls\n",
	       bench_median(trip.driver_ns, trip.runs),
	       bench_median(trip.calls, trip.runs));
	return 0;
}
