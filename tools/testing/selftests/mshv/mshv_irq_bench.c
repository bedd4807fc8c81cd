// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt and event benchmark of /dev/mshv, run by "make bench" of the
 * development tree (not by the selftest run). It compares the ways a VMM
 * and its guest exchange an event without a return to user space with the
 * round trip through user space, as ratios of their rates:
 *
 * - irqfd: the VMM writes an eventfd, the driver raises the interrupt the
 *   eventfd's GSI is routed to, and the guest's handler counts it, while
 *   MSHV_RUN_VP waits on another thread;
 * - ioeventfd: the guest stores to a doorbell address in a loop, and the
 *   VMM counts the signals its eventfd receives, while MSHV_RUN_VP runs
 *   the guest on another thread;
 * - the round trip through user space: the guest executes OUT, MSHV_RUN_VP
 *   returns the intercept, and the VMM moves RIP past the instruction and
 *   runs the VP again.
 *
 * It prints a table and a one-line summary, and exits with 0 unless it
 * could not run at all.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mshv_util.h"

#define HVCALL_SET_VP_REGISTERS		0x0051
#define HV_X64_REGISTER_RSP		0x00020004
#define HV_X64_REGISTER_RIP		0x00020010
#define HV_X64_REGISTER_CS		0x00060001
#define HVMSG_X64_IO_PORT_INTERCEPT	0x80010000

/* Guest memory: 64 KiB at GPA 0. */
#define GUEST_SIZE	0x10000
#define GUEST_CODE	0x1000
#define GUEST_HANDLER	0x1100
#define GUEST_STACK	0x800
#define GUEST_COUNT	0x500	/* u32: interrupts taken */
#define GUEST_READY	0x600	/* u8: set once STI is next */
#define VECTOR		0x40
#define GSI		0

/* Events timed in each run, and runs; the fastest run counts. */
#define EVENTS		2000
#define RUNS		3
/* How long the guest may take to react to one event (TCG, KASAN). */
#define WAIT_NS		(10ULL * 1000000000ULL)

/* HvSetVpRegisters input with room for three registers. */
struct set_regs_in {
	__u64 partition_id;
	__u32 vp_index;
	__u32 rsvd;
	struct {
		__u32 name;
		__u32 rsvd1;
		__u64 rsvd2;
		__u64 value[2];
	} reg[3];
};

/*
 * Real mode: enable the local APIC in x2APIC mode, say it is ready, STI,
 * then HLT forever; the handler counts, writes the x2APIC EOI MSR and
 * returns.
 */
static const __u8 irq_prog[] = {
	0x66, 0xb9, 0x1b, 0x00, 0x00, 0x00,	/* mov ecx, IA32_APIC_BASE */
	0x0f, 0x32,				/* rdmsr */
	0x0d, 0x00, 0x0c,			/* or ax, EN | EXTD */
	0x0f, 0x30,				/* wrmsr */
	0x66, 0xb9, 0x0f, 0x08, 0x00, 0x00,	/* mov ecx, x2APIC SVR */
	0x66, 0xb8, 0xff, 0x01, 0x00, 0x00,	/* mov eax, 0x1ff */
	0x66, 0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x30,				/* wrmsr */
	0xc6, 0x06, 0x00, 0x06, 0x01,		/* mov byte [GUEST_READY], 1 */
	0xfb,					/* sti */
	0xf4,					/* 1: hlt */
	0xeb, 0xfd,				/* jmp 1b */
};

static const __u8 irq_handler[] = {
	0x66, 0x50, 0x66, 0x51, 0x66, 0x52,	/* push eax, ecx, edx */
	0x66, 0xff, 0x06, 0x00, 0x05,		/* inc dword [GUEST_COUNT] */
	0x66, 0xb9, 0x0b, 0x08, 0x00, 0x00,	/* mov ecx, x2APIC EOI */
	0x66, 0x31, 0xc0,			/* xor eax, eax */
	0x66, 0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x30,				/* wrmsr */
	0x66, 0x5a, 0x66, 0x59, 0x66, 0x58,	/* pop edx, ecx, eax */
	0xcf,					/* iret */
};

/* Real mode: store AL to DOORBELL_GPA (past guest memory), forever. */
static const __u8 doorbell_prog[] = {
	0xb8, 0x00, 0x20,			/* mov ax, 0x2000 */
	0x8e, 0xd8,				/* mov ds, ax */
	0xa2, 0x10, 0x00,			/* 1: mov [0x10], al */
	0xeb, 0xfb,				/* jmp 1b */
};

#define DOORBELL_GPA	0x20010

/* OUT to port 0x80, forever. */
static const __u8 out_prog[] = {
	0xe6, 0x80,				/* 1: out 0x80, al */
	0xeb, 0xfc,				/* jmp 1b */
};

struct guest {
	int pt;
	int vp;
	__u8 *mem;
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int set_regs(int vp, __u64 rip, __u64 rsp, unsigned int n)
{
	struct set_regs_in in = {
		.reg = {
			{ .name = HV_X64_REGISTER_RIP, .value = { rip } },
			{ .name = HV_X64_REGISTER_RSP, .value = { rsp } },
			/* Real-mode CS 0: base 0, limit 0xffff, code. */
			{ .name = HV_X64_REGISTER_CS,
			  .value = { 0, 0xffffULL | 0x9bULL << 48 } },
		},
	};
	struct mshv_root_hvcall args = {
		.code = HVCALL_SET_VP_REGISTERS,
		.reps = n,
		.in_sz = 16 + n * sizeof(in.reg[0]),
		.in_ptr = (uintptr_t)&in,
	};

	return mshv_hvcall(vp, &args);
}

/* A partition with a local x2APIC, 64 KiB of memory and VP 0 at @prog. */
static int guest_create(int dev, struct guest *g, const __u8 *prog,
			size_t len)
{
	struct mshv_create_vp vp = { .vp_index = 0 };
	__u32 entry = GUEST_HANDLER;

	g->vp = -1;
	g->mem = MAP_FAILED;
	g->pt = mshv_create_partition(dev, (1ULL << MSHV_PT_BIT_LAPIC) |
				      (1ULL << MSHV_PT_BIT_X2APIC), 0);
	if (g->pt < 0)
		return g->pt;
	g->mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->mem == MAP_FAILED || mshv_initialize_partition(g->pt))
		return -EIO;
	memset(g->mem, 0xf4, GUEST_SIZE);
	memset(g->mem, 0, GUEST_CODE);
	memcpy(g->mem + GUEST_CODE, prog, len);
	memcpy(g->mem + GUEST_HANDLER, irq_handler, sizeof(irq_handler));
	memcpy(g->mem + VECTOR * 4, &entry, sizeof(entry));
	if (mshv_map_memory(g->pt, 0, g->mem, GUEST_SIZE,
			    (1 << MSHV_SET_MEM_BIT_WRITABLE) |
			    (1 << MSHV_SET_MEM_BIT_EXECUTABLE)))
		return -EIO;
	g->vp = ioctl(g->pt, MSHV_CREATE_VP, &vp);
	if (g->vp < 0)
		return -errno;
	return set_regs(g->vp, GUEST_CODE, GUEST_STACK, 3);
}

static void guest_destroy(struct guest *g)
{
	if (g->vp >= 0)
		close(g->vp);
	if (g->pt >= 0)
		close(g->pt);
	if (g->mem != MAP_FAILED)
		munmap(g->mem, GUEST_SIZE);
}

/* The guest's u32 at @gpa, or its byte if @byte. */
static __u32 guest_read(const struct guest *g, unsigned int gpa, bool byte)
{
	if (byte)
		return __atomic_load_n(g->mem + gpa, __ATOMIC_ACQUIRE);
	return __atomic_load_n((const __u32 *)(g->mem + gpa), __ATOMIC_ACQUIRE);
}

/* Wait until the guest's u32 (or byte) at @gpa reaches @want. */
static bool guest_reaches(const struct guest *g, unsigned int gpa, bool byte,
			  __u32 want)
{
	__u64 end = now_ns() + WAIT_NS;

	while (guest_read(g, gpa, byte) < want) {
		if (now_ns() > end)
			return false;
		/* The VP's thread may share this CPU. */
		sched_yield();
	}
	return true;
}

struct runner {
	int vp;
	int err;
};

/* MSHV_RUN_VP until the run is interrupted (the VP only ever halts). */
static void *run_thread(void *arg)
{
	struct runner *r = arg;
	__u8 msg[MSHV_RUN_VP_BUF_SZ];

	r->err = ioctl(r->vp, MSHV_RUN_VP, msg) ? -errno : 0;
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* Pin the calling thread and @tid to the CPU the caller runs on. */
static void same_cpu(pthread_t tid)
{
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	pthread_setaffinity_np(tid, sizeof(cpus), &cpus);
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
}

/* Nanoseconds per irqfd event, fastest of RUNS; 0 on failure. */
static __u64 time_irqfd(int dev)
{
	struct {
		struct mshv_user_irq_table head;
		struct mshv_user_irq_entry entry;
	} table = {
		.head.nr = 1,
		.entry = { .gsi = GSI, .address_lo = 0xfee00000,
			   .data = VECTOR },
	};
	struct mshv_user_irqfd irqfd = { .gsi = GSI };
	struct sigaction sa = { .sa_handler = on_usr1 };
	__u64 one = 1, best = 0, t;
	struct runner r = {};
	struct guest g = { .pt = -1, .vp = -1, .mem = MAP_FAILED };
	pthread_t tid;
	unsigned int i, run = 0, done = 0;
	int efd;

	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0 || guest_create(dev, &g, irq_prog, sizeof(irq_prog)))
		goto out;
	irqfd.fd = efd;
	if (ioctl(g.pt, MSHV_SET_MSI_ROUTING, &table) ||
	    ioctl(g.pt, MSHV_IRQFD, &irqfd))
		goto out;
	r.vp = g.vp;
	sigaction(SIGUSR1, &sa, NULL);
	if (pthread_create(&tid, NULL, run_thread, &r))
		goto out;
	/*
	 * Both threads on one CPU: what is measured is the path from the
	 * eventfd to the guest, not how long an idle CPU takes to wake up
	 * (milliseconds for a vCPU under TCG).
	 */
	same_cpu(tid);
	if (!guest_reaches(&g, GUEST_READY, true, 1))
		goto stop;
	for (run = 0; run < RUNS; run++) {
		t = now_ns();
		for (i = 0; i < EVENTS; i++) {
			if (write(efd, &one, sizeof(one)) != sizeof(one) ||
			    !guest_reaches(&g, GUEST_COUNT, false, ++done))
				goto stop;
		}
		t = now_ns() - t;
		if (!best || t < best)
			best = t;
	}
stop:
	if (run < RUNS)
		best = 0;
	pthread_kill(tid, SIGUSR1);
	pthread_join(tid, NULL);
out:
	guest_destroy(&g);
	if (efd >= 0)
		close(efd);
	return best / EVENTS;
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

/* Nanoseconds per ioeventfd signal, fastest of RUNS; 0 on failure. */
static __u64 time_ioeventfd(int dev)
{
	struct mshv_user_ioeventfd io = { .addr = DOORBELL_GPA, .len = 1 };
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct guest g = { .pt = -1, .vp = -1, .mem = MAP_FAILED };
	__u64 best = 0, t, total;
	struct runner r = {};
	unsigned int run = 0;
	pthread_t tid;
	int efd;

	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0 ||
	    guest_create(dev, &g, doorbell_prog, sizeof(doorbell_prog)))
		goto out;
	io.fd = efd;
	if (ioctl(g.pt, MSHV_IOEVENTFD, &io))
		goto out;
	r.vp = g.vp;
	sigaction(SIGUSR1, &sa, NULL);
	if (pthread_create(&tid, NULL, run_thread, &r))
		goto out;
	/* As for irqfds: no idle CPU to wake up on either side. */
	same_cpu(tid);
	total = 0;
	if (!count_signals(efd, &total))
		goto stop;
	for (run = 0; run < RUNS; run++) {
		t = now_ns();
		for (total = 0; total < EVENTS;)
			if (!count_signals(efd, &total))
				goto stop;
		t = now_ns() - t;
		/* Per signal counted: the last read may bring more. */
		t = t * EVENTS / total;
		if (!best || t < best)
			best = t;
	}
stop:
	if (run < RUNS)
		best = 0;
	pthread_kill(tid, SIGUSR1);
	pthread_join(tid, NULL);
out:
	guest_destroy(&g);
	if (efd >= 0)
		close(efd);
	return best / EVENTS;
}

/* Nanoseconds per OUT round trip through MSHV_RUN_VP; 0 on failure. */
static __u64 time_round_trip(int dev)
{
	__u8 msg[MSHV_RUN_VP_BUF_SZ];
	unsigned int i, run = 0;
	__u64 best = 0, t;
	struct guest g = { .pt = -1, .vp = -1, .mem = MAP_FAILED };
	__u32 type;

	if (guest_create(dev, &g, out_prog, sizeof(out_prog)))
		goto out;
	for (run = 0; run < RUNS; run++) {
		t = now_ns();
		for (i = 0; i < EVENTS; i++) {
			if (ioctl(g.vp, MSHV_RUN_VP, msg))
				goto out;
			memcpy(&type, msg, sizeof(type));
			if (type != HVMSG_X64_IO_PORT_INTERCEPT ||
			    set_regs(g.vp, GUEST_CODE + 2, GUEST_STACK, 1))
				goto out;
			/* The loop's JMP brings the guest back to the OUT. */
		}
		t = now_ns() - t;
		if (!best || t < best)
			best = t;
	}
out:
	if (run < RUNS)
		best = 0;
	guest_destroy(&g);
	return best / EVENTS;
}

int main(void)
{
	__u64 irqfd_ns, io_ns, trip_ns;
	double ratio = 0, io_ratio = 0;
	int dev;

	dev = mshv_open();
	if (dev < 0) {
		fprintf(stderr, "mshv_irq_bench: %s: %s\n", MSHV_DEV_PATH,
			strerror(-dev));
		return 1;
	}
	irqfd_ns = time_irqfd(dev);
	io_ns = time_ioeventfd(dev);
	trip_ns = time_round_trip(dev);
	close(dev);
	if (irqfd_ns && trip_ns)
		ratio = (double)trip_ns / irqfd_ns;
	if (io_ns && trip_ns)
		io_ratio = (double)trip_ns / io_ns;

	printf("\n%-48s %-12s %s\n", "measurement", "value", "detail");
	printf("%-48s %-12.0f %s\n", "irqfd events per second",
	       irqfd_ns ? 1e9 / irqfd_ns : 0, "");
	printf("%-48s %-12.0f %s\n", "ioeventfd signals per second",
	       io_ns ? 1e9 / io_ns : 0, "guest stores to a doorbell");
	printf("%-48s %-12.0f %s\n", "OUT round trips through MSHV_RUN_VP per s",
	       trip_ns ? 1e9 / trip_ns : 0, "RUN_VP + HvSetVpRegisters");
	printf("%-48s %-12.3f %s\n", "irqfd rate / round-trip rate", ratio,
	       "higher is better");
	printf("%-48s %-12.3f %s\n", "ioeventfd rate / round-trip rate",
	       io_ratio, "higher is better");
	printf("\nsummary: irqfd/round-trip rate %.3f, ioeventfd/round-trip rate %.3f ",
	       ratio, io_ratio);
	printf("(irqfd %.0f/s, ioeventfd %.0f/s, RUN_VP round trip %.0f/s)\n",
	       irqfd_ns ? 1e9 / irqfd_ns : 0, io_ns ? 1e9 / io_ns : 0,
	       trip_ns ? 1e9 / trip_ns : 0);
	return irqfd_ns && io_ns && trip_ns ? 0 : 1;
}
