// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the interrupt and event ioctls of a /dev/mshv partition:
 * MSHV_SET_MSI_ROUTING, MSHV_IRQFD and MSHV_IOEVENTFD, their error cases,
 * and teardown in any order.
 *
 * Everything is skipped when /dev/mshv does not exist. The tests that count
 * the interrupts raised (the hypervisor's HvAssertVirtualInterrupt calls,
 * plus the vectors queued in the VP's register page when the driver uses
 * it) read the test-only hypervisor simulator's debugfs files and are
 * skipped on a real Hyper-V root.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mshv_test.h"

/* The ABI VMMs are built against (mainline Linux). */
static_assert(MSHV_IRQFD == 0x4010B803, "MSHV_IRQFD");
static_assert(MSHV_IOEVENTFD == 0x4020B804, "MSHV_IOEVENTFD");
static_assert(MSHV_SET_MSI_ROUTING == 0x4008B805, "MSHV_SET_MSI_ROUTING");
static_assert(sizeof(struct mshv_user_irq_entry) == 16, "irq entry");
static_assert(offsetof(struct mshv_user_irq_table, entries) == 8,
	      "irq table");
static_assert(offsetof(struct mshv_user_ioeventfd, rsvd) == 28,
	      "ioeventfd");

#define MAX_GUEST_IRQS	4096
/* Register page: the count of vectors queued for the next dispatch. */
#define REG_PAGE_VECTOR_COUNT	688

/* MSI data: vector @v, fixed delivery, edge or level-triggered. */
#define MSI_EDGE(v)	(v)
#define MSI_LEVEL(v)	((v) | 1u << 15 | 1u << 14)

static struct mshv_user_irq_table *table_alloc(unsigned int nr)
{
	struct mshv_user_irq_table *t;

	t = calloc(1, sizeof(*t) + nr * sizeof(t->entries[0]));
	if (t)
		t->nr = nr;
	return t;
}

static int set_routing(int pt, const struct mshv_user_irq_table *t)
{
	return ioctl(pt, MSHV_SET_MSI_ROUTING, t) < 0 ? -errno : 0;
}

/* Route @gsi (and only it) with MSI data @data. */
enum {
	DEASSIGN = 1 << MSHV_IRQFD_BIT_DEASSIGN,
	RESAMPLE = 1 << MSHV_IRQFD_BIT_RESAMPLE,
};

/* An initialized partition with a local APIC and VP 0 (APIC id 0). */
FIXTURE(irq) {
	int dev;
	int pt;
	int vp;
	int efd;
	bool sim;
	__u8 *rp;
};

FIXTURE_SETUP(irq)
{
	struct mshv_create_vp vp = { .vp_index = 0 };

	self->pt = -1;
	self->vp = -1;
	self->efd = -1;
	self->rp = MAP_FAILED;
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	self->pt = mshv_create_partition(self->dev,
					 1ULL << MSHV_PT_BIT_LAPIC, 0);
	ASSERT_LE(0, self->pt);
	ASSERT_EQ(0, mshv_initialize_partition(self->pt));
	self->vp = ioctl(self->pt, MSHV_CREATE_VP, &vp);
	ASSERT_LE(0, self->vp);
	self->efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_LE(0, self->efd);
	self->sim = sim_present();
	self->rp = mmap(NULL, getpagesize(), PROT_READ, MAP_SHARED, self->vp,
			MSHV_VP_MMAP_OFFSET_REGISTERS * getpagesize());
	ASSERT_NE(MAP_FAILED, self->rp);
}

FIXTURE_TEARDOWN(irq)
{
	if (self->rp != MAP_FAILED)
		munmap(self->rp, getpagesize());
	if (self->efd >= 0)
		close(self->efd);
	if (self->vp >= 0)
		close(self->vp);
	if (self->pt >= 0)
		close(self->pt);
	if (self->dev >= 0)
		close(self->dev);
}

/*
 * Interrupts raised so far for the VP, which never runs here: the
 * HvAssertVirtualInterrupt calls plus the vectors queued in its register
 * page. Skip without the simulator.
 */
static bool raised(struct __test_metadata *_metadata, bool sim,
		   const __u8 *rp, __u64 *n)
{
	if (!sim)
		SKIP(return false, "needs the hypervisor simulator");
	EXPECT_EQ(0, sim_hypercall_count(HVCALL_ASSERT_VIRTUAL_INTERRUPT, n));
	*n += __atomic_load_n(rp + REG_PAGE_VECTOR_COUNT, __ATOMIC_RELAXED);
	return true;
}

static void signal_efd(struct __test_metadata *_metadata, int efd)
{
	__u64 one = 1;

	ASSERT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
}

TEST_F(irq, routing_empty_and_full)
{
	struct mshv_user_irq_table *t = table_alloc(MAX_GUEST_IRQS);
	unsigned int i;

	ASSERT_NE(NULL, t);
	t->nr = 0;
	EXPECT_EQ(0, set_routing(self->pt, t));
	t->nr = MAX_GUEST_IRQS;
	for (i = 0; i < MAX_GUEST_IRQS; i++)
		t->entries[i] = (struct mshv_user_irq_entry){
			.gsi = MAX_GUEST_IRQS - 1 - i,
			.address_lo = MSHV_MSI_ADDR,
			.data = MSI_EDGE(0x20 + i % 200),
		};
	EXPECT_EQ(0, set_routing(self->pt, t));
	t->nr = 0;
	EXPECT_EQ(0, set_routing(self->pt, t));
	free(t);
}

TEST_F(irq, routing_bad_tables)
{
	struct mshv_user_irq_table *t = table_alloc(MAX_GUEST_IRQS + 1);

	ASSERT_NE(NULL, t);
	/* Too many entries. */
	EXPECT_EQ(-EINVAL, set_routing(self->pt, t));

	t->nr = 2;
	t->entries[0] = (struct mshv_user_irq_entry){
		.gsi = 1, .address_lo = MSHV_MSI_ADDR, .data = MSI_EDGE(0x30),
	};
	t->entries[1] = (struct mshv_user_irq_entry){
		.gsi = 2, .address_lo = MSHV_MSI_ADDR, .data = MSI_EDGE(0x31),
	};
	EXPECT_EQ(0, set_routing(self->pt, t));

	t->rsvd = 1;
	EXPECT_EQ(-EINVAL, set_routing(self->pt, t));
	t->rsvd = 0;
	t->entries[1].gsi = MAX_GUEST_IRQS;
	EXPECT_EQ(-EINVAL, set_routing(self->pt, t));
	t->entries[1].gsi = 1;		/* the same GSI twice */
	EXPECT_EQ(-EINVAL, set_routing(self->pt, t));
	t->entries[0].gsi = 0;
	t->entries[1].gsi = 0;		/* GSI 0 twice */
	EXPECT_EQ(-EINVAL, set_routing(self->pt, t));
	t->entries[1].gsi = 2;
	t->entries[1].address_hi = 1;	/* no extended destination ids */
	EXPECT_EQ(-EINVAL, set_routing(self->pt, t));
	free(t);
}

/* The header or the entries out of reach: EFAULT. */
TEST_F(irq, routing_bad_pointer)
{
	long psz = getpagesize();
	struct mshv_user_irq_table *t;
	char *p;

	p = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + psz, psz, PROT_NONE));
	/* The header is readable, its entries are not. */
	t = (void *)(p + psz - sizeof(*t));
	t->nr = 1;
	t->rsvd = 0;
	EXPECT_EQ(-EFAULT, set_routing(self->pt, t));
	EXPECT_EQ(-EFAULT, set_routing(self->pt, (void *)(p + psz)));
	munmap(p, 2 * psz);
}

/* A failed update leaves the table that was there. */
TEST_F(irq, routing_failed_update_keeps_table)
{
	struct mshv_user_irq_table *t = table_alloc(2);
	int rfd = eventfd(0, EFD_CLOEXEC);

	ASSERT_NE(NULL, t);
	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, mshv_route_msi(self->pt, 5, MSI_LEVEL(0x40)));
	t->entries[0] = (struct mshv_user_irq_entry){
		.gsi = 5, .address_lo = MSHV_MSI_ADDR, .data = MSI_EDGE(0x41),
	};
	t->entries[1] = t->entries[0];
	EXPECT_EQ(-EINVAL, set_routing(self->pt, t));
	/* GSI 5 is still level-triggered: it can be resampled. */
	EXPECT_EQ(0, mshv_irqfd(self->pt, self->efd, rfd, 5, RESAMPLE));
	close(rfd);
	free(t);
}

TEST_F(irq, irqfd_bad_args)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	struct mshv_user_irqfd args = { .fd = self->efd };

	ASSERT_LE(0, null);
	EXPECT_EQ(-EINVAL, mshv_irqfd(self->pt, self->efd, -1, 0, 1u << 2));
	EXPECT_EQ(-EINVAL, mshv_irqfd(self->pt, self->efd, -1, 0, 0x80000000u));
	EXPECT_EQ(-EBADF, mshv_irqfd(self->pt, -1, -1, 0, 0));
	EXPECT_EQ(-EBADF, mshv_irqfd(self->pt, 1000000, -1, 0, 0));
	/* Not an eventfd. */
	EXPECT_EQ(-EINVAL, mshv_irqfd(self->pt, null, -1, 0, 0));
	EXPECT_EQ(-EINVAL, mshv_irqfd(self->pt, self->pt, -1, 0, 0));
	EXPECT_EQ(-EBADF, mshv_irqfd(self->pt, -1, -1, 0, DEASSIGN));
	EXPECT_EQ(-EINVAL, mshv_irqfd(self->pt, null, -1, 0, DEASSIGN));
	EXPECT_EQ(-1, ioctl(self->pt, MSHV_IRQFD, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* The same through the VP-less /dev/mshv fd: not its ioctl. */
	EXPECT_EQ(-1, ioctl(self->dev, MSHV_IRQFD, &args));
	EXPECT_EQ(ENOTTY, errno);
	close(null);
}

/* One irqfd per eventfd and partition; deassign frees it for reuse. */
TEST_F(irq, irqfd_assign_deassign)
{
	int other = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, other);
	EXPECT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 3, 0));
	EXPECT_EQ(-EBUSY, mshv_irqfd(self->pt, self->efd, -1, 3, 0));
	EXPECT_EQ(-EBUSY, mshv_irqfd(self->pt, self->efd, -1, 4, 0));
	EXPECT_EQ(0, mshv_irqfd(self->pt, other, -1, 3, 0));
	/* The wrong GSI deassigns nothing, and that is not an error. */
	EXPECT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 4, DEASSIGN));
	EXPECT_EQ(-EBUSY, mshv_irqfd(self->pt, self->efd, -1, 4, 0));
	EXPECT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 3, DEASSIGN));
	EXPECT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 4, 0));
	EXPECT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 4, DEASSIGN));
	EXPECT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 4, DEASSIGN));
	close(other);
}

TEST_F(irq, resample_needs_level_route)
{
	int rfd = eventfd(0, EFD_CLOEXEC);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, rfd);
	ASSERT_LE(0, null);
	/* No route. */
	EXPECT_EQ(-EINVAL, mshv_irqfd(self->pt, self->efd, rfd, 9, RESAMPLE));
	/* An edge-triggered route. */
	ASSERT_EQ(0, mshv_route_msi(self->pt, 9, MSI_EDGE(0x50)));
	EXPECT_EQ(-EINVAL, mshv_irqfd(self->pt, self->efd, rfd, 9, RESAMPLE));
	/* A level-triggered one, and a bad resample fd. */
	ASSERT_EQ(0, mshv_route_msi(self->pt, 9, MSI_LEVEL(0x50)));
	EXPECT_EQ(-EBADF, mshv_irqfd(self->pt, self->efd, -1, 9, RESAMPLE));
	EXPECT_EQ(-EINVAL, mshv_irqfd(self->pt, self->efd, null, 9, RESAMPLE));
	EXPECT_EQ(0, mshv_irqfd(self->pt, self->efd, rfd, 9, RESAMPLE));
	/* Without RESAMPLE the resample fd is not looked at. */
	EXPECT_EQ(0, mshv_irqfd(self->pt, rfd, -1, 9, 0));
	EXPECT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 9, DEASSIGN));
	EXPECT_EQ(0, mshv_irqfd(self->pt, rfd, -1, 9, DEASSIGN));
	close(null);
	close(rfd);
}

/*
 * Each signal of a routed GSI raises its interrupt; unrouted, nothing. In
 * the register page a vector is queued once until the VP takes it, so two
 * signals there raise it once.
 */
TEST_F(irq, irqfd_asserts_routed_gsi)
{
	__u64 before, after;
	bool fast;

	if (!raised(_metadata, self->sim, self->rp, &before))
		return;
	ASSERT_EQ(0, sim_fast_injection(&fast));
	ASSERT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 12, 0));
	signal_efd(_metadata, self->efd);
	ASSERT_TRUE(raised(_metadata, self->sim, self->rp, &after));
	EXPECT_EQ(before, after);

	ASSERT_EQ(0, mshv_route_msi(self->pt, 12, MSI_EDGE(0x61)));
	signal_efd(_metadata, self->efd);
	signal_efd(_metadata, self->efd);
	ASSERT_TRUE(raised(_metadata, self->sim, self->rp, &after));
	EXPECT_EQ(before + (fast ? 1 : 2), after);

	/* Routes are looked up at each signal: none any more. */
	ASSERT_EQ(0, mshv_route_msi(self->pt, 13, MSI_EDGE(0x61)));
	signal_efd(_metadata, self->efd);
	ASSERT_TRUE(raised(_metadata, self->sim, self->rp, &before));
	EXPECT_EQ(after, before);

	/* Deassigned: nothing either. */
	ASSERT_EQ(0, mshv_route_msi(self->pt, 12, MSI_EDGE(0x61)));
	ASSERT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 12, DEASSIGN));
	signal_efd(_metadata, self->efd);
	ASSERT_TRUE(raised(_metadata, self->sim, self->rp, &after));
	EXPECT_EQ(before, after);
}

/* A count already in the eventfd at assignment raises the interrupt. */
TEST_F(irq, irqfd_pending_at_assign)
{
	__u64 before, after;

	if (!raised(_metadata, self->sim, self->rp, &before))
		return;
	ASSERT_EQ(0, mshv_route_msi(self->pt, 1, MSI_EDGE(0x62)));
	signal_efd(_metadata, self->efd);
	ASSERT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 1, 0));
	ASSERT_TRUE(raised(_metadata, self->sim, self->rp, &after));
	EXPECT_EQ(before + 1, after);
}

struct signaller {
	int efd;
	bool stop;	/* __atomic accesses */
	unsigned long writes;
};

static void *signal_loop(void *arg)
{
	struct signaller *s = arg;
	__u64 one = 1;

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		if (write(s->efd, &one, sizeof(one)) != sizeof(one))
			break;
		s->writes++;
	}
	return NULL;
}

/*
 * Teardown while another thread signals: routing replaced, irqfd
 * deassigned and assigned, and the partition closed, all during the
 * signals. The kernel must report nothing (the test run checks the log).
 */
TEST_F(irq, teardown_while_signalling)
{
	struct signaller s = { .efd = self->efd };
	pthread_t thread;
	int i;

	ASSERT_EQ(0, mshv_route_msi(self->pt, 2, MSI_EDGE(0x63)));
	ASSERT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 2, 0));
	ASSERT_EQ(0, pthread_create(&thread, NULL, signal_loop, &s));
	for (i = 0; i < 50; i++) {
		ASSERT_EQ(0, mshv_route_msi(self->pt, 2, MSI_EDGE(0x63 + i % 2)));
		ASSERT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 2, DEASSIGN));
		ASSERT_EQ(0, mshv_irqfd(self->pt, self->efd, -1, 2, 0));
	}
	close(self->pt);
	self->pt = -1;
	usleep(10000);
	__atomic_store_n(&s.stop, true, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);
	EXPECT_LT(0UL, s.writes);
}

/* The eventfd is closed while signalled, then the partition. */
TEST_F(irq, eventfd_closed_while_signalling)
{
	int rfd = eventfd(0, EFD_CLOEXEC);
	struct signaller s;
	pthread_t thread;
	int fd;

	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, mshv_route_msi(self->pt, 7, MSI_LEVEL(0x64)));
	fd = dup(self->efd);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mshv_irqfd(self->pt, self->efd, rfd, 7, RESAMPLE));
	s = (struct signaller){ .efd = fd };
	ASSERT_EQ(0, pthread_create(&thread, NULL, signal_loop, &s));
	usleep(1000);
	/* The last reference to the eventfd goes with the thread's fd. */
	close(self->efd);
	self->efd = -1;
	close(rfd);
	usleep(1000);
	__atomic_store_n(&s.stop, true, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);
	close(fd);
	EXPECT_EQ(0, mshv_route_msi(self->pt, 7, MSI_LEVEL(0x64)));
}

/* ---- MSHV_IOEVENTFD ----------------------------------------------------- */

enum {
	DATAMATCH = 1 << MSHV_IOEVENTFD_BIT_DATAMATCH,
	PIO = 1 << MSHV_IOEVENTFD_BIT_PIO,
	IO_DEASSIGN = 1 << MSHV_IOEVENTFD_BIT_DEASSIGN,
};

/* The simulator's doorbell ports and connections. */
static void doorbells(struct __test_metadata *_metadata, __u64 *ports,
		      __u64 *conns)
{
	ASSERT_EQ(0, sim_read_u64("ports", ports));
	ASSERT_EQ(0, sim_read_u64("connections", conns));
}

TEST_F(irq, ioeventfd_bad_args)
{
	struct mshv_user_ioeventfd args = { .fd = self->efd, .len = 4 };
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	__u64 addr = 0xfe000000;

	ASSERT_LE(0, null);
	EXPECT_EQ(-EINVAL, mshv_ioeventfd(self->pt, self->efd, addr, 4, 0, 1u << 3));
	EXPECT_EQ(-EINVAL, mshv_ioeventfd(self->pt, self->efd, addr, 4, 0,
					  0x80000000u));
	args.rsvd[3] = 1;
	EXPECT_EQ(-1, ioctl(self->pt, MSHV_IOEVENTFD, &args));
	EXPECT_EQ(EINVAL, errno);
	/* Port I/O is not supported, not even to deassign. */
	EXPECT_EQ(-EOPNOTSUPP, mshv_ioeventfd(self->pt, self->efd, 0x80, 1, 0,
					      PIO));
	EXPECT_EQ(-EOPNOTSUPP, mshv_ioeventfd(self->pt, self->efd, 0x80, 1, 0,
					      PIO | IO_DEASSIGN));
	EXPECT_EQ(-EINVAL, mshv_ioeventfd(self->pt, self->efd, addr, 3, 0, 0));
	EXPECT_EQ(-EINVAL, mshv_ioeventfd(self->pt, self->efd, addr, 16, 0, 0));
	EXPECT_EQ(-EINVAL, mshv_ioeventfd(self->pt, self->efd, ~0ULL - 3, 8, 0, 0));
	EXPECT_EQ(-EBADF, mshv_ioeventfd(self->pt, -1, addr, 4, 0, 0));
	EXPECT_EQ(-EINVAL, mshv_ioeventfd(self->pt, null, addr, 4, 0, 0));
	EXPECT_EQ(-ENOENT, mshv_ioeventfd(self->pt, self->efd, addr, 4, 0,
					  IO_DEASSIGN));
	EXPECT_EQ(-EBADF, mshv_ioeventfd(self->pt, -1, addr, 4, 0, IO_DEASSIGN));
	EXPECT_EQ(-1, ioctl(self->pt, MSHV_IOEVENTFD, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->dev, MSHV_IOEVENTFD, &args));
	EXPECT_EQ(ENOTTY, errno);
	close(null);
}

/*
 * Two ioeventfds collide when they have the same address and length and
 * either matches any value or both match the same one; deassign must
 * name the ioeventfd exactly.
 */
TEST_F(irq, ioeventfd_assign_deassign)
{
	__u64 addr = 0xfe001000;
	int other = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, other);
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, self->efd, addr, 4, 7, DATAMATCH));
	EXPECT_EQ(-EEXIST, mshv_ioeventfd(self->pt, other, addr, 4, 7, DATAMATCH));
	EXPECT_EQ(-EEXIST, mshv_ioeventfd(self->pt, other, addr, 4, 0, 0));
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, other, addr, 4, 8, DATAMATCH));
	/* Another length, an overlapping address: no collision. */
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, other, addr, 2, 7, DATAMATCH));
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, other, addr + 2, 4, 7, DATAMATCH));
	/* The same eventfd at another address. */
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, self->efd, addr + 8, 0, 0, 0));
	EXPECT_EQ(-EEXIST, mshv_ioeventfd(self->pt, other, addr + 8, 0, 5,
					  DATAMATCH));

	/* Deassign: every field must match. */
	EXPECT_EQ(-ENOENT, mshv_ioeventfd(self->pt, other, addr, 4, 7,
					  DATAMATCH | IO_DEASSIGN));
	EXPECT_EQ(-ENOENT, mshv_ioeventfd(self->pt, self->efd, addr, 4, 7,
					  IO_DEASSIGN));
	EXPECT_EQ(-ENOENT, mshv_ioeventfd(self->pt, self->efd, addr, 2, 7,
					  DATAMATCH | IO_DEASSIGN));
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, self->efd, addr, 4, 7,
				    DATAMATCH | IO_DEASSIGN));
	EXPECT_EQ(-ENOENT, mshv_ioeventfd(self->pt, self->efd, addr, 4, 7,
					  DATAMATCH | IO_DEASSIGN));
	/* A wildcard is deassigned whatever datamatch says. */
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, self->efd, addr + 8, 0, 99,
				    IO_DEASSIGN));
	/* The freed slot can be taken again. */
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, self->efd, addr, 4, 7, DATAMATCH));
	close(other);
}

/* Each ioeventfd is a doorbell port; closing the partition removes all. */
TEST_F(irq, ioeventfd_ports_released)
{
	__u64 ports0, conns0, ports, conns;
	int i;

	if (!self->sim)
		SKIP(return, "needs the hypervisor simulator");
	doorbells(_metadata, &ports0, &conns0);
	for (i = 0; i < 8; i++)
		ASSERT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe002000 + 8 * i,
					    8, i, DATAMATCH));
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0 + 8, ports);
	EXPECT_EQ(conns0 + 8, conns);
	ASSERT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe002000, 8, 0,
				    DATAMATCH | IO_DEASSIGN));
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0 + 7, ports);
	EXPECT_EQ(conns0 + 7, conns);

	close(self->pt);
	self->pt = -1;
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0, ports);
	EXPECT_EQ(conns0, conns);
}

/*
 * A hypervisor short of memory for a port or a connection gets a deposit
 * and the call is retried; a connection that fails takes its port with it.
 */
TEST_F(irq, ioeventfd_hypercall_failures)
{
	__u64 ports0, conns0, ports, conns;

	if (!self->sim)
		SKIP(return, "needs the hypervisor simulator");
	doorbells(_metadata, &ports0, &conns0);
	ASSERT_EQ(0, sim_fault(HVCALL_CREATE_PORT, 1,
			       HV_STATUS_INSUFFICIENT_MEMORY));
	ASSERT_EQ(0, sim_fault(HVCALL_CONNECT_PORT, 1,
			       HV_STATUS_INSUFFICIENT_MEMORY));
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe003000, 4, 0, 0));
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0 + 1, ports);
	EXPECT_EQ(conns0 + 1, conns);

	ASSERT_EQ(0, sim_fault(HVCALL_CONNECT_PORT, 1,
			       HV_STATUS_INVALID_PARAMETER));
	EXPECT_EQ(-EINVAL, mshv_ioeventfd(self->pt, self->efd, 0xfe003008, 4, 0,
					  0));
	ASSERT_EQ(0, sim_fault(HVCALL_CREATE_PORT, 1,
			       HV_STATUS_ACCESS_DENIED));
	EXPECT_EQ(-EACCES, mshv_ioeventfd(self->pt, self->efd, 0xfe003008, 4, 0,
					  0));
	ASSERT_EQ(0, sim_fault_clear());
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0 + 1, ports);
	EXPECT_EQ(conns0 + 1, conns);
	/* Nothing was left behind: the address is free. */
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe003008, 4, 0, 0));
}

/* Attempts the driver makes of each hypercall that removes a doorbell. */
#define DOORBELL_REMOVE_TRIES	3

/* Fail the next @tries calls of hypercall @code with @status. */
static void fail_calls(struct __test_metadata *_metadata, unsigned int code,
		       unsigned int tries, unsigned int status)
{
	unsigned int i;

	for (i = 1; i <= tries; i++)
		ASSERT_EQ(0, sim_fault(code, i, status));
}

/* Close the partition fd @pt and VP fd @vp: the partition is torn down. */
static void close_partition(int *pt, int *vp, __u8 **rp)
{
	munmap(*rp, getpagesize());
	*rp = MAP_FAILED;
	close(*vp);
	*vp = -1;
	if (*pt >= 0)
		close(*pt);
	*pt = -1;
}

/*
 * A port the hypervisor refuses to delete once is deleted by the retry. A
 * port it keeps refusing stays in the hypervisor, with its id, which the
 * driver does not use again, until the partition is deleted: then the
 * driver deletes it. Deassign still removes the ioeventfd, a failed
 * assignment still fails cleanly, and the address can be used again.
 */
TEST_F(irq, ioeventfd_port_delete_fails)
{
	__u64 ports0, conns0, ports, conns;

	if (!self->sim)
		SKIP(return, "needs the hypervisor simulator");
	doorbells(_metadata, &ports0, &conns0);
	ASSERT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe005000, 4, 0, 0));
	ASSERT_EQ(0, sim_fault(HVCALL_DELETE_PORT, 1,
			       HV_STATUS_ACCESS_DENIED));
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe005000, 4, 0,
				    IO_DEASSIGN));
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0, ports);
	EXPECT_EQ(conns0, conns);

	ASSERT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe005000, 4, 0, 0));
	fail_calls(_metadata, HVCALL_DELETE_PORT, DOORBELL_REMOVE_TRIES,
		   HV_STATUS_ACCESS_DENIED);
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe005000, 4, 0,
				    IO_DEASSIGN));
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0 + 1, ports);
	EXPECT_EQ(conns0, conns);

	ASSERT_EQ(0, sim_fault(HVCALL_CONNECT_PORT, 1,
			       HV_STATUS_INVALID_PARAMETER));
	fail_calls(_metadata, HVCALL_DELETE_PORT, DOORBELL_REMOVE_TRIES,
		   HV_STATUS_ACCESS_DENIED);
	EXPECT_EQ(-EINVAL, mshv_ioeventfd(self->pt, self->efd, 0xfe005000, 4, 0,
					  0));
	ASSERT_EQ(0, sim_fault_clear());
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0 + 2, ports);
	EXPECT_EQ(conns0, conns);

	EXPECT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe005000, 4, 0, 0));
	/* The VP fd keeps the partition, and the ports it left. */
	close(self->pt);
	self->pt = -1;
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0 + 2, ports);
	EXPECT_EQ(conns0, conns);
	close_partition(&self->pt, &self->vp, &self->rp);
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0, ports);
	EXPECT_EQ(conns0, conns);
}

/*
 * A doorbell the hypervisor refuses to disconnect once is disconnected by
 * the retry. One it keeps connected keeps its port too until the
 * partition is deleted, at deassign as at close; then both are gone.
 */
TEST_F(irq, ioeventfd_disconnect_fails)
{
	__u64 ports0, conns0, ports, conns;

	if (!self->sim)
		SKIP(return, "needs the hypervisor simulator");
	doorbells(_metadata, &ports0, &conns0);
	ASSERT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe006000, 4, 0, 0));
	ASSERT_EQ(0, sim_fault(HVCALL_DISCONNECT_PORT, 1,
			       HV_STATUS_ACCESS_DENIED));
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe006000, 4, 0,
				    IO_DEASSIGN));
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0, ports);
	EXPECT_EQ(conns0, conns);

	ASSERT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe006000, 4, 0, 0));
	fail_calls(_metadata, HVCALL_DISCONNECT_PORT, DOORBELL_REMOVE_TRIES,
		   HV_STATUS_ACCESS_DENIED);
	EXPECT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe006000, 4, 0,
				    IO_DEASSIGN));
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0 + 1, ports);
	EXPECT_EQ(conns0 + 1, conns);

	/* At close too. */
	ASSERT_EQ(0, mshv_ioeventfd(self->pt, self->efd, 0xfe006008, 4, 0, 0));
	fail_calls(_metadata, HVCALL_DISCONNECT_PORT, DOORBELL_REMOVE_TRIES,
		   HV_STATUS_ACCESS_DENIED);
	close(self->pt);
	self->pt = -1;
	ASSERT_EQ(0, sim_fault_clear());
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0 + 2, ports);
	EXPECT_EQ(conns0 + 2, conns);

	close_partition(&self->pt, &self->vp, &self->rp);
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0, ports);
	EXPECT_EQ(conns0, conns);
}

/*
 * The ioeventfd holds its eventfd: closing the fd first changes nothing,
 * and the partition's release still removes the doorbell.
 */
TEST_F(irq, ioeventfd_eventfd_closed_first)
{
	__u64 ports0 = 0, conns0 = 0, ports, conns;
	int fd = eventfd(0, EFD_CLOEXEC);

	ASSERT_LE(0, fd);
	if (self->sim)
		doorbells(_metadata, &ports0, &conns0);
	ASSERT_EQ(0, mshv_ioeventfd(self->pt, fd, 0xfe004000, 1, 0, 0));
	close(fd);
	EXPECT_EQ(-EEXIST, mshv_ioeventfd(self->pt, self->efd, 0xfe004000, 1, 0,
					  0));
	close(self->pt);
	self->pt = -1;
	if (!self->sim)
		return;
	doorbells(_metadata, &ports, &conns);
	EXPECT_EQ(ports0, ports);
	EXPECT_EQ(conns0, conns);
}

TEST_HARNESS_MAIN
