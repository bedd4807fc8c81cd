// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of virtual processors on /dev/mshv: MSHV_CREATE_VP, the VP fd's
 * MSHV_ROOT_HVCALL (VP registers), mmap of the register and intercept
 * message pages, and MSHV_RUN_VP with small real-mode guest programs that
 * stop at I/O, halt, CPUID, MSR and unmapped-memory intercepts.
 *
 * Everything is skipped when /dev/mshv does not exist. The checks that
 * read the hypervisor simulator's state (/sys/kernel/debug/mshv_sim) are
 * skipped on a real Hyper-V root; the rest is what a VMM sees from the
 * hypervisor there too.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "mshv_test.h"

/* Guest memory: 64 KiB at GPA 0, the program at GPA 0x1000. */
#define GUEST_SIZE			0x10000
#define GUEST_CODE			0x1000ULL
#define PAGE_4K				4096
#define PAGES_OF(bytes)			((__u64)(bytes) / PAGE_4K)

/* A partition with no VP yet. */
FIXTURE(vp) {
	int dev;
	int pt;
};

FIXTURE_SETUP(vp)
{
	self->pt = -1;
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	self->pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, self->pt);
	ASSERT_EQ(0, mshv_initialize_partition(self->pt));
}

FIXTURE_TEARDOWN(vp)
{
	if (self->pt >= 0)
		close(self->pt);
	close(self->dev);
}

TEST_F(vp, create_bounds)
{
	int fd;

	EXPECT_EQ(-EINVAL, mshv_create_vp(self->pt, 256));
	EXPECT_EQ(-EINVAL, mshv_create_vp(self->pt, 0xffffffff));
	fd = mshv_create_vp(self->pt, 255);
	ASSERT_LE(0, fd);
	close(fd);
	fd = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, fd);
	close(fd);
}

TEST_F(vp, create_duplicate)
{
	int fd, fd2;

	fd = mshv_create_vp(self->pt, 3);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EEXIST, mshv_create_vp(self->pt, 3));
	close(fd);
	/* Closing the fd does not free the index. */
	EXPECT_EQ(-EEXIST, mshv_create_vp(self->pt, 3));
	fd2 = mshv_create_vp(self->pt, 4);
	EXPECT_LE(0, fd2);
	if (fd2 >= 0)
		close(fd2);
}

TEST_F(vp, create_before_initialize)
{
	int pt, fd;

	pt = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, pt);
	fd = mshv_create_vp(pt, 0);
	EXPECT_EQ(-EBADFD, fd);
	if (fd >= 0)
		close(fd);
	/* The failure left nothing: the index works once initialized. */
	ASSERT_EQ(0, mshv_initialize_partition(pt));
	fd = mshv_create_vp(pt, 0);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	close(pt);
}

TEST_F(vp, create_bad_pointer)
{
	EXPECT_EQ(-1, ioctl(self->pt, MSHV_CREATE_VP, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(vp, fd_name_and_cloexec)
{
	char name[64];
	int fd;

	fd = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mshv_fd_name(fd, name, sizeof(name)));
	EXPECT_STREQ("anon_inode:mshv_vp", name);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(-1, ioctl(fd, MSHV_INITIALIZE_PARTITION));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

/* The VP keeps its partition alive after the partition fd is closed. */
TEST_F(vp, outlives_partition_fd)
{
	__u64 rip = 0;
	int fd;

	fd = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, fd);
	close(self->pt);
	self->pt = -1;
	EXPECT_EQ(0, mshv_vp_set_reg64(fd, 0, HV_X64_REGISTER_RIP, 0x1234));
	EXPECT_EQ(0, mshv_vp_get_reg64(fd, 0, HV_X64_REGISTER_RIP, &rip));
	EXPECT_EQ(0x1234ULL, rip);
	close(fd);
}

TEST_F(vp, reset_state)
{
	struct mshv_vp_reg regs[] = {
		{ .name = HV_X64_REGISTER_RIP }, { .name = HV_X64_REGISTER_CS },
		{ .name = HV_X64_REGISTER_CR0 },
		{ .name = HV_X64_REGISTER_RFLAGS },
	};
	struct hv_segment cs;
	__u16 status;
	int fd;

	fd = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mshv_vp_get_regs(fd, 0, regs, 4, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(0xfff0ULL, regs[0].lo);
	memcpy(&cs, &regs[1].lo, sizeof(cs));
	EXPECT_EQ(0xf000, cs.selector);
	EXPECT_EQ(0xffff0000, cs.base);
	EXPECT_EQ(0xffffULL, cs.limit);
	EXPECT_EQ(0ULL, regs[2].lo & 1);		/* real mode */
	EXPECT_EQ(2ULL, regs[3].lo);
	close(fd);
}

TEST_F(vp, registers_round_trip)
{
	struct mshv_vp_reg regs[18], out[18];
	unsigned int i;
	__u16 status;
	int fd;

	fd = mshv_create_vp(self->pt, 1);
	ASSERT_LE(0, fd);
	memset(regs, 0, sizeof(regs));
	for (i = 0; i < 16; i++) {
		regs[i].name = HV_X64_REGISTER_RAX + i;
		regs[i].lo = 0x1111111111111111ULL * (i + 1);
	}
	regs[16].name = HV_X64_REGISTER_RIP;
	regs[16].lo = 0x7000;
	regs[17].name = HV_X64_REGISTER_DS;
	regs[17].lo = 0x12340;
	regs[17].hi = MSHV_SEG_HI(0xffff, 0x1234, 0x93);
	ASSERT_EQ(0, mshv_vp_set_regs(fd, 1, regs, 18, &status));
	EXPECT_EQ(0, status);

	memset(out, 0xa5, sizeof(out));
	for (i = 0; i < 18; i++)
		out[i].name = regs[i].name;
	ASSERT_EQ(0, mshv_vp_get_regs(fd, 1, out, 18, &status));
	for (i = 0; i < 18; i++) {
		EXPECT_EQ(regs[i].lo, out[i].lo) TH_LOG("reg %u", i);
		EXPECT_EQ(regs[i].hi, out[i].hi) TH_LOG("reg %u", i);
	}
	close(fd);
}

TEST_F(vp, registers_bad_requests)
{
	struct mshv_vp_reg reg = { .name = 0x0badbad0 };
	struct mshv_root_hvcall args;
	__u64 out[1][2];
	__u16 status = 0;
	__u8 in[64] = {};
	int fd;

	fd = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, fd);
	/* An unknown register: the hypervisor refuses it. */
	EXPECT_EQ(-EINVAL, mshv_vp_get_regs(fd, 0, &reg, 1, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	/* A VP that does not exist. */
	reg.name = HV_X64_REGISTER_RIP;
	EXPECT_EQ(-EINVAL, mshv_vp_get_regs(fd, 7, &reg, 1, &status));
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX, status);
	/*
	 * A rep hypercall needs reps, a simple one must have none: the
	 * driver passes the rep count on and the hypervisor refuses it.
	 */
	memset(&args, 0, sizeof(args));
	args.code = HVCALL_GET_VP_REGISTERS;
	args.in_sz = sizeof(in);
	args.in_ptr = (uintptr_t)in;
	args.out_sz = sizeof(out);
	args.out_ptr = (uintptr_t)out;
	EXPECT_EQ(-EINVAL, mshv_hvcall(fd, &args));
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT, args.status);
	args.code = HVCALL_INSTALL_INTERCEPT;
	args.reps = 1;
	args.status = 0;
	args.out_sz = 0;
	args.out_ptr = 0;
	EXPECT_EQ(-EINVAL, mshv_hvcall(fd, &args));
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT, args.status);
	close(fd);
}

TEST_F(vp, mmap_pages)
{
	struct hv_register_page *rp;
	void *p;
	int fd;

	fd = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mshv_vp_set_reg64(fd, 0, HV_X64_REGISTER_RAX, 0xabcdef));

	rp = mmap(NULL, PAGE_4K, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  MSHV_VP_MMAP_OFFSET_REGISTERS * PAGE_4K);
	ASSERT_NE(MAP_FAILED, rp);
	EXPECT_EQ(1, rp->version);
	EXPECT_EQ(1, rp->isvalid);
	EXPECT_EQ(0xfff0ULL, rp->rip);
	EXPECT_EQ(0xabcdefULL, rp->gprs[0]);
	munmap(rp, PAGE_4K);

	p = mmap(NULL, PAGE_4K, PROT_READ, MAP_SHARED, fd,
		 MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE * PAGE_4K);
	EXPECT_NE(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, PAGE_4K);

	/* No GHCB page for an unencrypted partition. */
	p = mmap(NULL, PAGE_4K, PROT_READ, MAP_SHARED, fd,
		 MSHV_VP_MMAP_OFFSET_GHCB * PAGE_4K);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENODEV, errno);
	/* An offset that names no state page at all. */
	p = mmap(NULL, PAGE_4K, PROT_READ, MAP_SHARED, fd,
		 MSHV_VP_MMAP_OFFSET_COUNT * PAGE_4K);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, PAGE_4K, PROT_READ, MAP_SHARED, fd, 64 * PAGE_4K);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 2 * PAGE_4K, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* A page-aligned buffer for VP state, filled with @fill. */
static void *state_buf(size_t size, int fill)
{
	void *buf = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (buf == MAP_FAILED)
		return NULL;
	memset(buf, fill, size);
	return buf;
}

TEST_F(vp, state_sizes_and_errors)
{
	static const __u32 sizes[MSHV_VP_STATE_COUNT] = {
		[MSHV_VP_STATE_LAPIC] = 4096,
		[MSHV_VP_STATE_SIMP] = 4096,
		[MSHV_VP_STATE_SIEFP] = 4096,
		[MSHV_VP_STATE_SYNTHETIC_TIMERS] = 200,
	};
	struct mshv_get_set_vp_state args;
	__u8 *buf = state_buf(16 * PAGE_4K, 0);
	unsigned int type;
	__u32 size;
	int fd;

	ASSERT_NE(NULL, buf);
	fd = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, fd);
	for (type = 0; type < MSHV_VP_STATE_COUNT; type++) {
		size = 0;
		EXPECT_EQ(-EINVAL, mshv_vp_state(fd, MSHV_GET_VP_STATE, type, buf,
						 &size));
		/* The xsave size is the hypervisor's choice. */
		EXPECT_TRUE(sizes[type] ? size == sizes[type] : size > 0)
			TH_LOG("type %u: size %u", type, size);
		/* Unaligned buffers are refused. */
		size = 8 * PAGE_4K;
		EXPECT_EQ(-EINVAL, mshv_vp_state(fd, MSHV_GET_VP_STATE, type,
						 buf + 8, &size));
	}
	size = 8 * PAGE_4K;
	EXPECT_EQ(-EINVAL, mshv_vp_state(fd, MSHV_GET_VP_STATE, MSHV_VP_STATE_COUNT,
					 buf, &size));
	memset(&args, 0, sizeof(args));
	args.rsvd[2] = 1;
	args.buf_sz = 8 * PAGE_4K;
	args.buf_ptr = (uintptr_t)buf;
	EXPECT_EQ(-1, ioctl(fd, MSHV_SET_VP_STATE, &args));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
	munmap(buf, 16 * PAGE_4K);
}

/* Offsets in the hypervisor's local APIC state (TLFS layout). */
#define LAPIC_ID		0
#define LAPIC_SPURIOUS		16
#define LAPIC_LVT_LINT0		(20 + 3 * 32 + 12 + 12)

TEST_F(vp, lapic_round_trip)
{
	__u32 *lapic = state_buf(PAGE_4K, 0xa5);
	__u32 *back = state_buf(PAGE_4K, 0x5a);
	__u32 size = PAGE_4K;
	int fd;

	ASSERT_NE(NULL, lapic);
	ASSERT_NE(NULL, back);
	fd = mshv_create_vp(self->pt, 3);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mshv_vp_state(fd, MSHV_GET_VP_STATE, MSHV_VP_STATE_LAPIC,
				   lapic, &size));
	EXPECT_EQ((__u32)PAGE_4K, size);
	/* The simulator puts the VP index in the APIC ID. */
	EXPECT_TRUE(!sim_present() || lapic[LAPIC_ID / 4] == 3U << 24);

	lapic[LAPIC_SPURIOUS / 4] = 0x1ff;		/* APIC enabled */
	lapic[LAPIC_LVT_LINT0 / 4] = 0x700;		/* ExtINT */
	ASSERT_EQ(0, mshv_vp_state(fd, MSHV_SET_VP_STATE, MSHV_VP_STATE_LAPIC,
				   lapic, &size));
	ASSERT_EQ(0, mshv_vp_state(fd, MSHV_GET_VP_STATE, MSHV_VP_STATE_LAPIC,
				   back, &size));
	EXPECT_EQ(0x1ffU, back[LAPIC_SPURIOUS / 4]);
	EXPECT_EQ(0x700U, back[LAPIC_LVT_LINT0 / 4]);
	EXPECT_EQ(lapic[LAPIC_ID / 4], back[LAPIC_ID / 4]);
	close(fd);
	munmap(lapic, PAGE_4K);
	munmap(back, PAGE_4K);
}

TEST_F(vp, timers_and_xsave_round_trip)
{
	__u64 *timers = state_buf(PAGE_4K, 0);
	__u8 *xsave = state_buf(16 * PAGE_4K, 0);
	__u8 *back = state_buf(16 * PAGE_4K, 0x5a);
	__u32 size = PAGE_4K, xsize = 16 * PAGE_4K;
	int fd;

	ASSERT_NE(NULL, timers);
	ASSERT_NE(NULL, xsave);
	ASSERT_NE(NULL, back);
	fd = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, fd);

	/* Timer 1 (40 bytes each): config at byte 48, count at 56. */
	timers[6] = 0x10003;
	timers[7] = 1000000;
	ASSERT_EQ(0, mshv_vp_state(fd, MSHV_SET_VP_STATE,
				   MSHV_VP_STATE_SYNTHETIC_TIMERS, timers, &size));
	EXPECT_EQ(200U, size);
	memset(timers, 0, PAGE_4K);
	ASSERT_EQ(0, mshv_vp_state(fd, MSHV_GET_VP_STATE,
				   MSHV_VP_STATE_SYNTHETIC_TIMERS, timers, &size));
	EXPECT_EQ(0x10003ULL, timers[6]);
	EXPECT_EQ(1000000ULL, timers[7]);

	ASSERT_EQ(0, mshv_vp_state(fd, MSHV_GET_VP_STATE, MSHV_VP_STATE_XSAVE,
				   xsave, &xsize));
	ASSERT_LE(512U + 64U, xsize);
	EXPECT_EQ(0x37f, xsave[0] | xsave[1] << 8);	/* FCW after reset */
	xsave[0] = 0x7f;
	ASSERT_EQ(0, mshv_vp_state(fd, MSHV_SET_VP_STATE, MSHV_VP_STATE_XSAVE,
				   xsave, &xsize));
	ASSERT_EQ(0, mshv_vp_state(fd, MSHV_GET_VP_STATE, MSHV_VP_STATE_XSAVE,
				   back, &xsize));
	EXPECT_EQ(0, memcmp(xsave, back, xsize));
	close(fd);
	munmap(timers, PAGE_4K);
	munmap(xsave, 16 * PAGE_4K);
	munmap(back, 16 * PAGE_4K);
}

/*
 * A partition with 64 KiB of guest memory and VP 0 in real mode; the
 * memory is pinned, or movable and faulted in by MSHV_RUN_VP.
 */
FIXTURE(guest) {
	int dev;
	int pt;
	int vp;
	__u8 *mem;
};

FIXTURE_VARIANT(guest) {
	bool movable;
};

FIXTURE_VARIANT_ADD(guest, pinned) {
	.movable = false,
};

FIXTURE_VARIANT_ADD(guest, movable) {
	.movable = true,
};

FIXTURE_SETUP(guest)
{
	self->pt = -1;
	self->vp = -1;
	self->mem = MAP_FAILED;
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	if (!variant->movable && !mshv_pin_memory_present())
		SKIP(return, "pinned memory cannot be chosen");
	self->pt = mshv_create_partition_mem(self->dev, 0, !variant->movable,
					     NULL);
	ASSERT_LE(0, self->pt);
	ASSERT_EQ(0, mshv_initialize_partition(self->pt));
	self->vp = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, self->vp);
	if (!mshv_vp_runs_or_skip(_metadata, self->vp))
		return;

	self->mem = guest_mem_alloc(GUEST_SIZE);
	ASSERT_NE(MAP_FAILED, self->mem);
	ASSERT_EQ(0, guest_mem_map(self->pt, 0, self->mem, GUEST_SIZE));
	ASSERT_EQ(0, guest_real_mode(self->vp, 0, GUEST_CODE, 0));
}

FIXTURE_TEARDOWN(guest)
{
	if (self->vp >= 0)
		close(self->vp);
	if (self->pt >= 0)
		close(self->pt);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, GUEST_SIZE);
	close(self->dev);
}

/* mov dx, 0x3f8; mov al, 'H'; out dx, al; hlt */
GUEST_CODE16(prog_out,
	     "mov $0x3f8, %dx\n\t"
	     "mov $0x48, %al\n\t"
	     "out %al, (%dx)\n\t"
	     "hlt");

TEST_F(guest, io_out_then_halt)
{
	struct hv_msg msg;
	__u64 rip = 0;

	guest_code_load(self->mem, GUEST_CODE, prog_out);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg.header.message_type);
	EXPECT_EQ(0ULL, msg.io.h.vp_index);
	EXPECT_EQ((__u64)(GUEST_CODE + 5), msg.io.h.rip);
	EXPECT_EQ(1, msg.io.h.instruction_length & 0xf);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_WRITE, msg.io.h.access_type);
	EXPECT_EQ(0x3f8, msg.io.port);
	EXPECT_EQ(1, msg.io.access_info & 7);	/* one byte, not a string */
	EXPECT_EQ(0, msg.io.access_info & ~7);
	EXPECT_EQ((__u64)'H', msg.io.rax & 0xff);
	EXPECT_LE(1, msg.io.insn_byte_count);
	EXPECT_EQ(0xee, msg.io.insn_bytes[0]);
	EXPECT_EQ(0, msg.io.h.execution_state & 0x4);	/* CR0.PE clear */

	/* The VMM completes the OUT by moving RIP past it. */
	ASSERT_EQ(0, mshv_vp_set_reg64(self->vp, 0, HV_X64_REGISTER_RIP,
				       msg.io.h.rip + 1));
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	EXPECT_EQ(HVMSG_X64_HALT, msg.header.message_type);
	EXPECT_EQ((__u64)(GUEST_CODE + 7), msg.icpt.rip);
	ASSERT_EQ(0, mshv_vp_get_reg64(self->vp, 0, HV_X64_REGISTER_RIP, &rip));
	EXPECT_EQ((__u64)(GUEST_CODE + 7), rip);
}

/* Movable memory is mapped by the run that needs it, not before. */
TEST_F(guest, memory_mapped_by_run)
{
	struct mshv_dbg_stats stats;
	struct hv_msg msg;
	__u64 id;

	if (!mshv_dbg_present())
		SKIP(return, "no driver statistics in debugfs");
	ASSERT_EQ(1, mshv_partition_ids(&id, 1));
	guest_code_load(self->mem, GUEST_CODE, prog_out);
	ASSERT_EQ(0, mshv_dbg_stats(id, &stats));
	EXPECT_EQ(0ULL, stats.movable_pages);
	EXPECT_EQ(variant->movable ? 0 : PAGES_OF(GUEST_SIZE),
		  stats.pinned_pages);

	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg.header.message_type);
	ASSERT_EQ(0, mshv_dbg_stats(id, &stats));
	EXPECT_EQ(variant->movable ? PAGES_OF(GUEST_SIZE) : 0,
		  stats.movable_pages);
}

/* Re-entry without moving RIP repeats the instruction. */
TEST_F(guest, io_reentry_repeats)
{
	struct hv_msg msg;

	guest_code_load(self->mem, GUEST_CODE, prog_out);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg.header.message_type);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg.header.message_type);
	EXPECT_EQ((__u64)(GUEST_CODE + 5), msg.io.h.rip);
}

/* The register page, with the IP class marked dirty, moves RIP too. */
TEST_F(guest, register_page_advance)
{
	struct hv_register_page *rp;
	struct hv_msg msg;

	guest_code_load(self->mem, GUEST_CODE, prog_out);
	rp = mmap(NULL, PAGE_4K, PROT_READ | PROT_WRITE, MAP_SHARED, self->vp,
		  MSHV_VP_MMAP_OFFSET_REGISTERS * PAGE_4K);
	ASSERT_NE(MAP_FAILED, rp);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg.header.message_type);
	ASSERT_EQ(1, rp->isvalid);
	EXPECT_EQ((__u64)(GUEST_CODE + 5), rp->rip);
	EXPECT_EQ((__u64)'H', rp->gprs[0] & 0xff);
	EXPECT_EQ(0x3f8ULL, rp->gprs[2] & 0xffff);

	rp->rip += 1;
	rp->dirty |= HV_X64_REGISTER_CLASS_IP;
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	EXPECT_EQ(HVMSG_X64_HALT, msg.header.message_type);
	EXPECT_EQ((__u64)(GUEST_CODE + 7), rp->rip);
	munmap(rp, PAGE_4K);
}

GUEST_CODE16(io_in_code,
	     "in $0x71, %al\n\t"
	     "hlt");

/* in al, 0x71; hlt */
TEST_F(guest, io_in)
{
	struct hv_msg msg;

	guest_code_load(self->mem, GUEST_CODE, io_in_code);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg.header.message_type);
	EXPECT_EQ(0x71, msg.io.port);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_READ, msg.io.h.access_type);
	EXPECT_EQ(2, msg.io.h.instruction_length & 0xf);
}

GUEST_CODE16(unmapped_gpa_write_code,
	     "mov $0x2000, %ax\n\t"
	     "mov %ax, %ds\n\t"
	     "mov %al, 0x10\n\t"
	     "hlt");

/* mov ax, 0x2000; mov ds, ax; mov [0x10], al; hlt: GPA 0x20010 */
TEST_F(guest, unmapped_gpa_write)
{
	struct hv_msg msg;

	guest_code_load(self->mem, GUEST_CODE, unmapped_gpa_write_code);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_UNMAPPED_GPA, msg.header.message_type);
	EXPECT_EQ(0x20010ULL, msg.mem.gpa);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_WRITE, msg.mem.h.access_type);
	EXPECT_EQ((__u64)(GUEST_CODE + 5), msg.mem.h.rip);
	EXPECT_EQ(3, msg.mem.h.instruction_length & 0xf);
	EXPECT_LE(3, msg.mem.insn_byte_count);
	EXPECT_EQ(0xa2, msg.mem.insn_bytes[0]);
	EXPECT_EQ(0x10, msg.mem.insn_bytes[1]);
}

/* Guest memory the tests below add at GPA 0x80000, out of GUEST_SIZE. */
#define EXTRA_GFN			0x80ULL

/* mov ax, 0x8000; mov ds, ax; mov al, [0]; hlt: reads GPA 0x80000. */
GUEST_CODE16(prog_read_extra,
	     "mov $0x8000, %ax\n\t"
	     "mov %ax, %ds\n\t"
	     "mov 0x0, %al\n\t"
	     "hlt");

/*
 * A partition like the fixture's, with its own VP 0 in real mode running
 * @prog from its own HLT-filled memory; pinned or movable memory.
 */
static int other_guest(struct __test_metadata *_metadata, int dev,
		       bool movable, __u8 *mem, const __u8 *prog, size_t len,
		       int *vp)
{
	int pt;

	pt = mshv_create_partition_mem(dev, 0, !movable, NULL);
	if (pt < 0)
		return pt;
	EXPECT_EQ(0, mshv_initialize_partition(pt));
	*vp = mshv_create_vp(pt, 0);
	EXPECT_LE(0, *vp);
	memset(mem, GUEST_HLT, GUEST_SIZE);
	memcpy(mem + GUEST_CODE, prog, len);
	EXPECT_EQ(0, guest_mem_map(pt, 0, mem, GUEST_SIZE));
	EXPECT_EQ(0, guest_real_mode(*vp, 0, GUEST_CODE, 0));
	return pt;
}

/*
 * A VP's register and intercept message pages belong to the hypervisor:
 * mapped in the VMM through the VP fd, they are still refused as guest
 * memory, of the VP's own partition or of any other. A pinned region of
 * them fails with EACCES (HV_STATUS_ACCESS_DENIED); a movable one is
 * registered, but the guest's access to it stays an unmapped-GPA
 * intercept for the VMM instead of reaching the page.
 */
TEST_F(guest, state_pages_are_not_guest_memory)
{
	static const unsigned int offsets[] = {
		MSHV_VP_MMAP_OFFSET_REGISTERS,
		MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE,
	};
	int pts[2] = { self->pt, -1 }, vps[2] = { self->vp, -1 };
	__u8 *other_mem;
	struct hv_msg msg;
	unsigned int i, j;
	void *page;
	int ret;

	guest_code_load(self->mem, GUEST_CODE, prog_read_extra);
	other_mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, other_mem);
	pts[1] = other_guest(_metadata, self->dev, variant->movable,
			     other_mem, prog_read_extra,
			     guest_code_len(prog_read_extra), &vps[1]);
	ASSERT_LE(0, pts[1]);

	for (i = 0; i < 2; i++) {
		/* The state pages of the fixture's VP, in either partition. */
		page = mmap(NULL, PAGE_4K, PROT_READ | PROT_WRITE, MAP_SHARED,
			    self->vp, offsets[i] * PAGE_4K);
		ASSERT_NE(MAP_FAILED, page);
		for (j = 0; j < 2; j++) {
			ret = mshv_map_memory(pts[j], EXTRA_GFN, page, PAGE_4K,
					      1 << MSHV_SET_MEM_BIT_WRITABLE);
			if (!variant->movable) {
				EXPECT_EQ(-EACCES, ret)
					TH_LOG("page %u, partition %u", i, j);
				continue;
			}
			ASSERT_EQ(0, ret);
			ASSERT_EQ(0, mshv_run_vp(vps[j], &msg));
			EXPECT_EQ(HVMSG_UNMAPPED_GPA, msg.header.message_type)
				TH_LOG("page %u, partition %u: message %#x",
				       i, j, msg.header.message_type);
			EXPECT_EQ(EXTRA_GFN * PAGE_4K, msg.mem.gpa);
			EXPECT_EQ(0, mshv_unmap_memory(pts[j], EXTRA_GFN, page,
						       PAGE_4K));
		}
		munmap(page, PAGE_4K);
	}
	close(vps[1]);
	close(pts[1]);
	munmap(other_mem, GUEST_SIZE);
}

/*
 * Unmapping a movable region while a VP faults it in, with the fault held
 * by the VMM's userfaultfd, returns at once, and does not wait for the
 * VP; once the VMM resolves the fault, the VP's fault-in finds the region
 * gone, maps nothing, and the access reaches the VMM as an unmapped-GPA
 * intercept. Nothing is freed under the fault (KASAN) and nothing leaks
 * (kmemleak), which the test run checks in the kernel log.
 */
TEST_F(guest, unmap_during_userfaultfd_fault)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_zeropage zero = { .mode = 0 };
	struct mshv_dbg_stats before, after = { 0 };
	struct mshv_vp_run r = { .vp = self->vp, .err = 1 };
	struct uffd_msg umsg;
	struct pollfd pfd;
	struct timespec t0, t1;
	size_t size = 16 * PAGE_4K;
	pthread_t tid;
	__u64 id = 0;
	__u8 *extra;
	int uffd;

	if (!variant->movable)
		SKIP(return, "pinned memory is faulted in when it is added");
	/* A kernel without CONFIG_USERFAULTFD, or a caller it refuses. */
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	extra = mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, extra);
	reg.range.start = (uintptr_t)extra;
	reg.range.len = size;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, mshv_map_memory(self->pt, EXTRA_GFN, extra, size,
				     1 << MSHV_SET_MEM_BIT_WRITABLE));
	if (mshv_dbg_present() && mshv_partition_ids(&id, 1) == 1)
		ASSERT_EQ(0, mshv_dbg_stats(id, &before));

	guest_code_load(self->mem, GUEST_CODE, prog_read_extra);
	ASSERT_EQ(0, pthread_create(&tid, NULL, mshv_vp_run_thread, &r));

	/* The VP's fault-in reaches the VMM's userfaultfd, and waits. */
	pfd.fd = uffd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	ASSERT_EQ((ssize_t)sizeof(umsg), read(uffd, &umsg, sizeof(umsg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, umsg.event);
	EXPECT_EQ((__u64)(uintptr_t)extra, umsg.arg.pagefault.address);

	/* The region goes while the fault is held: no wait for the VP. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	EXPECT_EQ(0, mshv_unmap_memory(self->pt, EXTRA_GFN, extra, size));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	EXPECT_GT(5, t1.tv_sec - t0.tv_sec);
	EXPECT_EQ(1, r.err);	/* the VP still waits for its fault */
	if (id) {
		ASSERT_EQ(0, mshv_dbg_stats(id, &after));
		EXPECT_EQ(before.regions - 1, after.regions);
	}

	/* Resolve the fault (and any that follow for the same range). */
	zero.range.start = (uintptr_t)extra;
	zero.range.len = size;
	EXPECT_EQ(0, ioctl(uffd, UFFDIO_ZEROPAGE, &zero));
	ASSERT_EQ(0, pthread_join(tid, NULL));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(HVMSG_UNMAPPED_GPA, r.msg.header.message_type);
	EXPECT_EQ(EXTRA_GFN * PAGE_4K, r.msg.mem.gpa);
	/* Only the guest's own memory was mapped, none of the region's. */
	if (id) {
		ASSERT_EQ(0, mshv_dbg_stats(id, &after));
		EXPECT_EQ(PAGES_OF(GUEST_SIZE), after.movable_pages);
	}
	close(uffd);
	munmap(extra, size);
}

GUEST_CODE16(cpuid_answered_then_intercepted_code,
	     "mov $0x40000000, %eax\n\t"
	     "cpuid\n\t"
	     "out %al, $0x80\n\t"
	     "hlt");

/* cpuid; out 0x80, al (with EAX from CPUID leaf 0x40000000) */
TEST_F(guest, cpuid_answered_then_intercepted)
{
	struct hv_msg msg;
	__u64 rbx = 0;

	guest_code_load(self->mem, GUEST_CODE, cpuid_answered_then_intercepted_code);
	/* Without an intercept the hypervisor answers CPUID itself. */
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg.header.message_type);
	EXPECT_EQ((__u64)(GUEST_CODE + 8), msg.io.h.rip);
	ASSERT_EQ(0, mshv_vp_get_reg64(self->vp, 0, HV_X64_REGISTER_RBX, &rbx));
	EXPECT_EQ(0x7263694dULL, (__u32)rbx);	/* "Micr" */

	ASSERT_EQ(0, mshv_install_intercept(self->pt, HV_INTERCEPT_TYPE_X64_CPUID,
					    HV_INTERCEPT_ACCESS_MASK_EXECUTE,
				       0x40000000));
	ASSERT_EQ(0, mshv_vp_set_reg64(self->vp, 0, HV_X64_REGISTER_RIP, GUEST_CODE));
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_CPUID_INTERCEPT, msg.header.message_type);
	EXPECT_EQ((__u64)(GUEST_CODE + 6), msg.cpuid.h.rip);
	EXPECT_EQ(2, msg.cpuid.h.instruction_length & 0xf);
	EXPECT_EQ(0x40000000ULL, msg.cpuid.rax);
	EXPECT_EQ(0x7263694dULL, msg.cpuid.def_rbx);
}

GUEST_CODE16(msr_intercept_code,
	     "mov $0x12345, %ecx\n\t"
	     "rdmsr\n\t"
	     "hlt");

/* mov ecx, 0x12345; rdmsr */
TEST_F(guest, msr_intercept)
{
	struct hv_msg msg;

	guest_code_load(self->mem, GUEST_CODE, msr_intercept_code);
	ASSERT_EQ(0, mshv_install_intercept(self->pt,
					    HV_INTERCEPT_TYPE_X64_MSR_INDEX,
				       HV_INTERCEPT_ACCESS_MASK_READ |
				       HV_INTERCEPT_ACCESS_MASK_WRITE,
				       0x12345));
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_MSR_INTERCEPT, msg.header.message_type);
	EXPECT_EQ(0x12345ULL, msg.msr.msr);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_READ, msg.msr.h.access_type);
	EXPECT_EQ((__u64)(GUEST_CODE + 6), msg.msr.h.rip);
	EXPECT_EQ(2, msg.msr.h.instruction_length & 0xf);
}

static void on_alarm(int sig)
{
}

/* Spin until the VMM stops the VP; or halt. */
GUEST_CODE16(spin_code,
	     "1:\n\t"
	     "jmp 1b");

GUEST_CODE16(hlt_code,
	     "hlt");

/* jmp $: a signal ends MSHV_RUN_VP with EINTR. */
TEST_F(guest, signal_interrupts_run)
{
	struct itimerval it = { .it_value.tv_usec = 200000 };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct hv_msg msg;

	guest_code_load(self->mem, GUEST_CODE, spin_code);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_EQ(-EINTR, mshv_run_vp(self->vp, &msg));
	signal(SIGALRM, SIG_DFL);

	/* The VP runs on afterwards. */
	guest_code_load(self->mem, GUEST_CODE, hlt_code);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	EXPECT_EQ(HVMSG_X64_HALT, msg.header.message_type);
}

static int run_vp_main(void *data)
{
	struct hv_msg msg;

	mshv_run_vp(*(int *)data, &msg);
	return 0;
}

/* A process killed in MSHV_RUN_VP leaves nothing behind. */
TEST_F(guest, sigkill_during_run)
{
	struct timespec ts = { .tv_nsec = 300000000 };
	struct sim_counts before, after;
	__u64 vps = 0, pages = 0;
	struct mshv_child child;
	int status;

	guest_code_load(self->mem, GUEST_CODE, spin_code);
	if (sim_present())
		ASSERT_EQ(0, sim_read_counts(&before));
	/* The child shares the fds; only its run is killed. */
	ASSERT_EQ(0, mshv_spawn_same_mm(&child, run_vp_main, &self->vp));
	nanosleep(&ts, NULL);
	ASSERT_EQ(0, kill(child.pid, SIGKILL));
	ASSERT_EQ(0, mshv_reap(&child, &status));
	EXPECT_TRUE(WIFSIGNALED(status));

	close(self->vp);
	self->vp = -1;
	close(self->pt);
	self->pt = -1;
	if (!sim_present())
		SKIP(return, "needs the hypervisor simulator");
	ASSERT_EQ(0, sim_read_counts(&after));
	EXPECT_EQ(before.partitions - 1, after.partitions);
	EXPECT_EQ(0ULL, after.leaked_pages - before.leaked_pages);
	ASSERT_EQ(0, sim_read_u64("vps", &vps));
	ASSERT_EQ(0, sim_read_u64("state_pages", &pages));
	EXPECT_EQ(0ULL, vps);
	EXPECT_EQ(0ULL, pages);
}

/*
 * Long mode: identity paging of the first 2 MiB (one large page), a
 * 64-bit code segment. The tables live in guest memory at LM_PML4.
 */
#define LM_PML4				0x8000ULL
#define LM_PDPT				0x9000ULL
#define LM_PD				0xa000ULL
#define LM_DATA				0x3000ULL
#define PTE_P				0x1ULL
#define PTE_W				0x2ULL
#define PTE_PS				0x80ULL
#define CR0_PE_ET_PG			0x80000011ULL
#define CR4_PAE				0x20ULL
#define EFER_LME_LMA			0x500ULL
#define SEG_CODE64			0xa09b	/* P, S, execute/read, L */
#define SEG_DATA			0xc093	/* P, S, read/write, D/B, G */
#define EXEC_STATE_CR0_PE		0x4
#define EXEC_STATE_EFER_LMA		0x10

static void put64(__u8 *mem, __u64 gpa, __u64 value)
{
	memcpy(mem + gpa, &value, sizeof(value));
}

static int enter_long_mode(int vp, __u8 *mem, __u64 rip)
{
	static const __u32 data_segs[] = {
		HV_X64_REGISTER_DS, HV_X64_REGISTER_ES, HV_X64_REGISTER_SS,
	};
	struct mshv_vp_reg regs[9];
	unsigned int i, n = 0;

	put64(mem, LM_PML4, LM_PDPT | PTE_P | PTE_W);
	put64(mem, LM_PDPT, LM_PD | PTE_P | PTE_W);
	put64(mem, LM_PD, PTE_P | PTE_W | PTE_PS);	/* 0-2 MiB */

	memset(regs, 0, sizeof(regs));
	regs[n].name = HV_X64_REGISTER_CR3;
	regs[n++].lo = LM_PML4;
	regs[n].name = HV_X64_REGISTER_CR4;
	regs[n++].lo = CR4_PAE;
	regs[n].name = HV_X64_REGISTER_EFER;
	regs[n++].lo = EFER_LME_LMA;
	regs[n].name = HV_X64_REGISTER_CR0;
	regs[n++].lo = CR0_PE_ET_PG;
	regs[n].name = HV_X64_REGISTER_CS;
	regs[n++].hi = MSHV_SEG_HI(0xffffffff, 0x8, SEG_CODE64);
	for (i = 0; i < ARRAY_SIZE(data_segs); i++) {
		regs[n].name = data_segs[i];
		regs[n++].hi = MSHV_SEG_HI(0xffffffff, 0x10, SEG_DATA);
	}
	regs[n].name = HV_X64_REGISTER_RIP;
	regs[n++].lo = rip;
	return mshv_vp_set_regs(vp, 0, regs, n, NULL);
}

/*
 * mov rax, 0x1122334455667788; mov [LM_DATA], rax; shr rax, 32;
 * mov edx, 0x3f8; out dx, eax; mov byte [0x100000], 1; hlt
 */
GUEST_CODE64(prog_long,
	     "movabs $0x1122334455667788, %rax\n\t"
	     "mov %rax, 0x3000\n\t"
	     "shr $0x20, %rax\n\t"
	     "mov $0x3f8, %edx\n\t"
	     "out %eax, (%dx)\n\t"
	     "movb $0x1, 0x100000\n\t"
	     "hlt");

TEST_F(guest, long_mode_io_memory_halt)
{
	struct hv_msg msg;
	__u64 value;

	guest_code_load(self->mem, GUEST_CODE, prog_long);
	ASSERT_EQ(0, enter_long_mode(self->vp, self->mem, GUEST_CODE));

	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg.header.message_type);
	EXPECT_EQ((__u64)(GUEST_CODE + 27), msg.io.h.rip);
	EXPECT_EQ(1, msg.io.h.instruction_length & 0xf);
	EXPECT_EQ(EXEC_STATE_CR0_PE | EXEC_STATE_EFER_LMA,
		  msg.io.h.execution_state &
		  (EXEC_STATE_CR0_PE | EXEC_STATE_EFER_LMA));
	EXPECT_EQ(SEG_CODE64, msg.io.h.cs.attributes);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_WRITE, msg.io.h.access_type);
	EXPECT_EQ(0x3f8, msg.io.port);
	EXPECT_EQ(4, msg.io.access_info & 7);
	EXPECT_EQ(0x11223344ULL, msg.io.rax);
	memcpy(&value, self->mem + LM_DATA, sizeof(value));
	EXPECT_EQ(0x1122334455667788ULL, value);

	/* The store beyond guest memory stops at the SLAT, with its GVA. */
	ASSERT_EQ(0, mshv_vp_set_reg64(self->vp, 0, HV_X64_REGISTER_RIP,
				       msg.io.h.rip + 1));
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_UNMAPPED_GPA, msg.header.message_type);
	EXPECT_EQ(0x100000ULL, msg.mem.gpa);
	EXPECT_EQ(0x100000ULL, msg.mem.gva);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_WRITE, msg.mem.h.access_type);
	EXPECT_EQ((__u64)(GUEST_CODE + 28), msg.mem.h.rip);
	EXPECT_EQ(8, msg.mem.h.instruction_length & 0xf);
	EXPECT_EQ(0xc6, msg.mem.insn_bytes[0]);

	/* The VMM emulates the store and moves on to HLT. */
	ASSERT_EQ(0, mshv_vp_set_reg64(self->vp, 0, HV_X64_REGISTER_RIP,
				       msg.mem.h.rip + 8));
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	EXPECT_EQ(HVMSG_X64_HALT, msg.header.message_type);
	EXPECT_EQ((__u64)(GUEST_CODE + guest_code_len(prog_long)), msg.icpt.rip);
}

/*
 * Several VPs running on several threads: each runs
 * "xor ax, ax; L: out 0x80, al; inc ax; cmp ax, OUTS; jne L; hlt" from its
 * own copy, and its thread completes every OUT.
 */
#define VP_THREADS			4
#define VP_OUTS				50

struct vp_thread {
	int vp;
	int outs;
	int bad;
	int halted;
	int err;
};

static void *vp_thread_run(void *arg)
{
	struct vp_thread *t = arg;
	struct hv_msg msg;

	for (;;) {
		t->err = mshv_run_vp(t->vp, &msg);
		if (t->err)
			return NULL;
		if (msg.header.message_type == HVMSG_X64_HALT) {
			t->halted = 1;
			return NULL;
		}
		if (msg.header.message_type != HVMSG_X64_IO_PORT_INTERCEPT ||
		    msg.io.port != 0x80 || (msg.io.rax & 0xff) != (__u64)t->outs) {
			t->bad++;
			return NULL;
		}
		t->outs++;
		t->err = mshv_vp_set_reg64(t->vp, msg.io.h.vp_index,
					   HV_X64_REGISTER_RIP,
				   msg.io.h.rip +
				   (msg.io.h.instruction_length & 0xf));
		if (t->err)
			return NULL;
	}
}

GUEST_CODE16(vps_on_threads_code,
	     "xor %ax, %ax\n\t"
	     "1:\n\t"
	     "out %al, $0x80\n\t"
	     "inc %ax\n\t"
	     "cmp $" GUEST_STR(VP_OUTS) ", %ax\n\t"
	     "jne 1b\n\t"
	     "hlt");

TEST_F(guest, vps_on_threads)
{
	struct vp_thread t[VP_THREADS];
	pthread_t tid[VP_THREADS];
	int i;

	memset(t, 0, sizeof(t));
	for (i = 0; i < VP_THREADS; i++) {
		__u64 code = GUEST_CODE + i * 0x100;

		guest_code_load(self->mem, code, vps_on_threads_code);
		t[i].vp = i ? mshv_create_vp(self->pt, i) : self->vp;
		ASSERT_LE(0, t[i].vp);
		ASSERT_EQ(0, guest_real_mode(t[i].vp, i, code, 0));
	}
	for (i = 0; i < VP_THREADS; i++)
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, vp_thread_run,
					    &t[i]));
	for (i = 0; i < VP_THREADS; i++)
		ASSERT_EQ(0, pthread_join(tid[i], NULL));
	for (i = 0; i < VP_THREADS; i++) {
		EXPECT_EQ(0, t[i].err);
		EXPECT_EQ(0, t[i].bad);
		EXPECT_EQ(VP_OUTS, t[i].outs);
		EXPECT_EQ(1, t[i].halted);
		if (i)
			close(t[i].vp);
	}
}

GUEST_CODE64(long_mode_cpuid_msr_code,
	     "mov $0x40000000, %eax\n\t"
	     "cpuid\n\t"
	     "mov $0x12345, %ecx\n\t"
	     "rdmsr\n\t"
	     "hlt");

/*
 * Long mode: mov eax, 0x40000000; cpuid; mov ecx, 0x12345; rdmsr; hlt.
 * The hypervisor answers CPUID; the MSR is intercepted.
 */
TEST_F(guest, long_mode_cpuid_msr)
{
	struct hv_msg msg;
	__u64 rbx = 0;

	guest_code_load(self->mem, GUEST_CODE, long_mode_cpuid_msr_code);
	ASSERT_EQ(0, enter_long_mode(self->vp, self->mem, GUEST_CODE));
	ASSERT_EQ(0, mshv_install_intercept(self->pt,
					    HV_INTERCEPT_TYPE_X64_MSR_INDEX,
				       HV_INTERCEPT_ACCESS_MASK_READ, 0x12345));
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_MSR_INTERCEPT, msg.header.message_type);
	EXPECT_EQ(0x12345ULL, msg.msr.msr);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_READ, msg.msr.h.access_type);
	EXPECT_EQ((__u64)(GUEST_CODE + 12), msg.msr.h.rip);
	EXPECT_EQ(2, msg.msr.h.instruction_length & 0xf);
	EXPECT_EQ(EXEC_STATE_EFER_LMA,
		  msg.msr.h.execution_state & EXEC_STATE_EFER_LMA);
	ASSERT_EQ(0, mshv_vp_get_reg64(self->vp, 0, HV_X64_REGISTER_RBX, &rbx));
	EXPECT_EQ(0x7263694dULL, rbx);	/* "Micr", upper half cleared */
}

GUEST_CODE16(unsupported_instruction_code,
	     "fninit\n\t"
	     "hlt");

/* fninit (x87): an instruction the hypervisor cannot run for the guest. */
TEST_F(guest, unsupported_instruction)
{
	struct hv_msg msg;
	__u32 vp_index, code;
	__u64 param;

	if (!sim_present())
		SKIP(return, "real processors run x87 instructions");
	guest_code_load(self->mem, GUEST_CODE, unsupported_instruction_code);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_UNSUPPORTED_FEATURE, msg.header.message_type);
	memcpy(&vp_index, msg.payload, 4);
	memcpy(&code, msg.payload + 4, 4);
	memcpy(&param, msg.payload + 8, 8);
	EXPECT_EQ(0U, vp_index);
	EXPECT_EQ(1U, code);		/* intercept: the instruction bytes */
	EXPECT_EQ(0xe3dbULL, param & 0xffff);
}

static void on_usr1(int sig)
{
}

struct spinner {
	int vp;
	int runs;
	int last_err;
};

/* Run a VP that never stops until the VP fd is gone. */
static void *spinner_run(void *arg)
{
	struct spinner *s = arg;
	struct hv_msg msg;

	for (;;) {
		s->last_err = mshv_run_vp(s->vp, &msg);
		s->runs++;
		if (s->last_err == -EBADF)
			return NULL;
	}
}

/*
 * Closing every fd of a partition while a thread runs its VP: the run
 * goes on until a signal ends it, then the partition goes away.
 */
TEST_F(guest, teardown_while_running)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct timespec ts = { .tv_nsec = 200000000 };
	struct sim_counts before, after;
	struct spinner s = { .vp = self->vp };
	pthread_t tid;
	int i;

	guest_code_load(self->mem, GUEST_CODE, spin_code);
	if (sim_present())
		ASSERT_EQ(0, sim_read_counts(&before));
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&tid, NULL, spinner_run, &s));
	nanosleep(&ts, NULL);
	close(self->pt);
	self->pt = -1;
	close(self->vp);
	self->vp = -1;
	/* Interrupt the run until the thread sees the fd is gone. */
	for (i = 0; i < 100 && pthread_tryjoin_np(tid, NULL); i++) {
		pthread_kill(tid, SIGUSR1);
		nanosleep(&ts, NULL);
	}
	ASSERT_LT(i, 100);
	signal(SIGUSR1, SIG_DFL);
	EXPECT_EQ(-EBADF, s.last_err);
	EXPECT_LE(2, s.runs);
	if (!sim_present())
		SKIP(return, "needs the hypervisor simulator");
	ASSERT_EQ(0, sim_read_counts(&after));
	EXPECT_EQ(before.partitions - 1, after.partitions);
	EXPECT_EQ(0ULL, after.leaked_pages - before.leaked_pages);
}

/*
 * HvDispatchVp calls the simulator saw over @ms milliseconds, or -1
 * without the simulator.
 */
static long long dispatches_during(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };
	__u64 before, after;

	if (sim_hypercall_count(HVCALL_DISPATCH_VP, &before))
		return -1;
	nanosleep(&ts, NULL);
	if (sim_hypercall_count(HVCALL_DISPATCH_VP, &after))
		return -1;
	return after - before;
}

/** struct bg_run - one MSHV_RUN_VP on a thread of its own */
struct bg_run {
	int vp;
	int err;
	bool done;
	pid_t tid;
	struct rseq *rseq;
	struct hv_msg msg;
};

static void *bg_run_thread(void *arg)
{
	struct bg_run *r = arg;

	if (__rseq_size)
		r->rseq = (struct rseq *)((char *)__builtin_thread_pointer() +
					  __rseq_offset);
	__atomic_store_n(&r->tid, gettid(), __ATOMIC_RELEASE);
	r->err = mshv_run_vp(r->vp, &r->msg);
	__atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static bool bg_done(struct bg_run *r)
{
	return __atomic_load_n(&r->done, __ATOMIC_ACQUIRE);
}

/* End a run that is still going with a signal; its error. */
static int bg_stop(pthread_t tid, struct bg_run *r)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	int i;

	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; pthread_tryjoin_np(tid, NULL); i++) {
		pthread_kill(tid, SIGUSR1);
		usleep(100000);
	}
	signal(SIGUSR1, SIG_DFL);
	return r->err;
}

/* Wait for a run to end; if it does not in 30 s, stop it and fail. */
static bool bg_join(pthread_t tid, struct bg_run *r)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 30;
	if (!pthread_timedjoin_np(tid, NULL, &ts))
		return true;
	bg_stop(tid, r);
	return false;
}

GUEST_CODE16(suspended_vp_sleeps_code,
	     "out %al, $0x10\n\t"
	     "hlt");

/*
 * A VP the VMM suspended (HV_REGISTER_DISPATCH_SUSPEND, and explicitly,
 * which MSHV_RUN_VP lifts) is not dispatched while it stays suspended:
 * MSHV_RUN_VP sleeps, with at most one dispatch over a second, and runs
 * the VP once the suspension is lifted.
 */
TEST_F(guest, suspended_vp_sleeps)
{
	/* out 0x10, al; hlt */
	struct bg_run r = { .vp = self->vp };
	struct timespec ts = { .tv_nsec = 200000000 };
	long long n;
	pthread_t tid;

	guest_code_load(self->mem, GUEST_CODE, suspended_vp_sleeps_code);
	ASSERT_EQ(0, mshv_vp_set_reg64(self->vp, 0, HV_REGISTER_DISPATCH_SUSPEND, 1));
	ASSERT_EQ(0, mshv_vp_set_reg64(self->vp, 0, HV_REGISTER_EXPLICIT_SUSPEND, 1));
	ASSERT_EQ(0, pthread_create(&tid, NULL, bg_run_thread, &r));
	nanosleep(&ts, NULL);
	n = dispatches_during(1000);
	EXPECT_FALSE(bg_done(&r));
	if (n >= 0)
		EXPECT_GE(1, n);

	ASSERT_EQ(0, mshv_vp_set_reg64(self->vp, 0, HV_REGISTER_DISPATCH_SUSPEND, 0));
	ASSERT_TRUE(bg_join(tid, &r));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, r.msg.header.message_type);
	EXPECT_EQ(0x10, r.msg.io.port);
	if (n < 0)
		SKIP(return, "dispatches are counted by the simulator only");
}

/*
 * The work the kernel owes a thread before it returns to user space is
 * done before each dispatch, without leaving MSHV_RUN_VP: a thread
 * registered with rseq that is moved to another CPU while its VP spins
 * sees its rseq CPU number updated while the run goes on. Only a signal
 * ends the run. With the root scheduler only: with the hypervisor's, the
 * thread sleeps while the VP runs.
 */
TEST_F(guest, entry_work_during_run)
{
	struct bg_run r = { .vp = self->vp };
	pthread_attr_t attr;
	cpu_set_t cpus;
	pthread_t tid;
	bool root;
	int i;

	if (mshv_root_scheduler(&root) || !root)
		SKIP(return, "needs the root scheduler");
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two CPUs");
	if (!__rseq_size)
		SKIP(return, "the C library did not register rseq");

	guest_code_load(self->mem, GUEST_CODE, spin_code);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	ASSERT_EQ(0, pthread_attr_init(&attr));
	ASSERT_EQ(0, pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus));
	ASSERT_EQ(0, pthread_create(&tid, &attr, bg_run_thread, &r));
	pthread_attr_destroy(&attr);
	for (i = 0; i < 1000 && !__atomic_load_n(&r.tid, __ATOMIC_ACQUIRE);
	     i++)
		usleep(1000);
	ASSERT_NE(0, r.tid);
	usleep(200000);
	ASSERT_FALSE(bg_done(&r));
	EXPECT_EQ(0U, __atomic_load_n(&r.rseq->cpu_id, __ATOMIC_RELAXED));

	CPU_ZERO(&cpus);
	CPU_SET(1, &cpus);
	ASSERT_EQ(0, sched_setaffinity(r.tid, sizeof(cpus), &cpus));
	for (i = 0; i < 5000; i++) {
		if (__atomic_load_n(&r.rseq->cpu_id, __ATOMIC_RELAXED) == 1)
			break;
		usleep(1000);
	}
	EXPECT_EQ(1U, __atomic_load_n(&r.rseq->cpu_id, __ATOMIC_RELAXED));
	EXPECT_FALSE(bg_done(&r));

	EXPECT_EQ(-EINTR, bg_stop(tid, &r));
}

/* Read (and clear) the dirty bits of the 16 guest pages. */
static int dirty_bits(int pt, __u8 op, __u16 *bits)
{
	struct mshv_gpap_access_bitmap args = {
		.access_type = MSHV_GPAP_ACCESS_TYPE_DIRTY,
		.access_op = op,
		.page_count = PAGES_OF(GUEST_SIZE),
		.bitmap_ptr = (uintptr_t)bits,
	};

	*bits = 0;
	return mshv_access_bitmap(pt, &args);
}

GUEST_CODE16(dirty_survives_invalidation_code,
	     "mov $0x500, %ax\n\t"
	     "mov %ax, %ds\n\t"
	     "movb $0x1, 0x0\n\t"
	     "hlt");

/*
 * mov ax, 0x500; mov ds, ax; mov byte [0], 1; hlt: the guest dirties page
 * 5. Then the VMM's mapping of the backing changes. For movable memory
 * the kernel takes the guest's mapping away with the hypervisor's dirty
 * bits, for pinned memory the guest keeps it; either way the page must
 * still be reported dirty, once.
 */
TEST_F(guest, dirty_survives_invalidation)
{
	struct hv_msg msg;
	__u16 bits;

	ASSERT_EQ(0, mshv_set_property(self->pt,
				       HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
				       1, NULL));
	guest_code_load(self->mem, GUEST_CODE, dirty_survives_invalidation_code);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_HALT, msg.header.message_type);
	EXPECT_EQ(1, self->mem[0x5000]);

	/* Any change of the backing's mapping invalidates the region. */
	ASSERT_EQ(0, madvise(self->mem + 0xf000, PAGE_4K, MADV_DONTNEED));
	ASSERT_EQ(0, dirty_bits(self->pt, MSHV_GPAP_ACCESS_OP_CLEAR, &bits));
	EXPECT_EQ(1 << 5, bits & (1 << 5));
	ASSERT_EQ(0, dirty_bits(self->pt, MSHV_GPAP_ACCESS_OP_NOOP, &bits));
	EXPECT_EQ(0, bits);
}

GUEST_CODE16(io_rep_outsb_code,
	     "mov $0x2000, %si\n\t"
	     "mov $0x3, %cx\n\t"
	     "mov $0x3f8, %dx\n\t"
	     "rep outsb %ds:(%si), (%dx)\n\t"
	     "hlt");

/*
 * mov si, 0x2000; mov cx, 3; mov dx, 0x3f8; rep outsb; hlt: a string I/O
 * intercept carries what the VMM needs to emulate it.
 */
TEST_F(guest, io_rep_outsb)
{
	struct hv_msg msg;

	guest_code_load(self->mem, GUEST_CODE, io_rep_outsb_code);
	memcpy(self->mem + 0x2000, "abc", 3);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg.header.message_type);
	EXPECT_EQ(0x3f8, msg.io.port);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_WRITE, msg.io.h.access_type);
	EXPECT_EQ(0x19, msg.io.access_info);	/* size 1, string, rep */
	EXPECT_EQ((__u64)(GUEST_CODE + 9), msg.io.h.rip);
	EXPECT_EQ(2, msg.io.h.instruction_length & 0xf);
	EXPECT_EQ(3ULL, msg.io.rcx & 0xffff);
	EXPECT_EQ(0x2000ULL, msg.io.rsi & 0xffff);
	EXPECT_EQ(0xf3, msg.io.insn_bytes[0]);
	EXPECT_EQ(0x6e, msg.io.insn_bytes[1]);
}

GUEST_CODE16(dirty_in_second_region_code,
	     "mov $0x1000, %ax\n\t"
	     "mov %ax, %ds\n\t"
	     "movb $0x1, 0x2000\n\t"
	     "hlt");

/*
 * mov ax, 0x1000; mov ds, ax; mov byte [0x2000], 1; hlt: the guest dirties
 * GPA 0x12000, in a second region mapped at 0x10000. A dirty query from
 * GPA 0, across both regions, reports that page and no other, whether or
 * not the second region's mapping was taken away in between.
 */
TEST_F(guest, dirty_in_second_region)
{
	struct mshv_gpap_access_bitmap args = {
		.access_type = MSHV_GPAP_ACCESS_TYPE_DIRTY,
		.access_op = MSHV_GPAP_ACCESS_OP_CLEAR,
		.page_count = 2 * PAGES_OF(GUEST_SIZE),
	};
	struct hv_msg msg;
	__u32 bits = 0;
	__u8 *mem2;

	mem2 = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem2);
	ASSERT_EQ(0, mshv_map_memory(self->pt, PAGES_OF(GUEST_SIZE), mem2,
				     GUEST_SIZE,
				     1 << MSHV_SET_MEM_BIT_WRITABLE));
	ASSERT_EQ(0, mshv_set_property(self->pt,
				       HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
				       1, NULL));
	guest_code_load(self->mem, GUEST_CODE, dirty_in_second_region_code);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_HALT, msg.header.message_type);
	EXPECT_EQ(1, mem2[0x2000]);

	ASSERT_EQ(0, madvise(mem2 + 0xf000, PAGE_4K, MADV_DONTNEED));
	args.bitmap_ptr = (uintptr_t)&bits;
	ASSERT_EQ(0, mshv_access_bitmap(self->pt, &args));
	EXPECT_EQ(0U, bits & 0xffff);		/* the first region */
	EXPECT_EQ(1U << 0x12, bits & (1U << 0x12));
	munmap(mem2, GUEST_SIZE);
}

/* ---- Guest interrupts through the virtual local APIC --------------------- */

/* Where the interrupt test program keeps its state, and its handler. */
#define IRQ_COUNT			0x500	/* u16: interrupts taken */
#define IRQ_TARGET			0x502	/* u16: stop after this many */
#define IRQ_READY			0x600	/* u8: set once STI is next */
#define IRQ_HANDLER			0x1100
#define IRQ_STACK			0x800
#define IRQ_VECTOR_EDGE			0x40
#define IRQ_VECTOR_LEVEL		0x41
/* How long the guest may take to react (TCG, KASAN). */
#define IRQ_WAIT_MS			30000

/*
 * Real mode: switch the local APIC to x2APIC mode and enable it, say it
 * is ready, STI, then HLT until IRQ_COUNT reaches IRQ_TARGET; then write
 * port 0x80, which the VMM sees (a hypervisor with local APICs handles
 * HLT itself, even with interrupts disabled). The handler counts, writes
 * the x2APIC EOI MSR and returns, keeping the registers it uses.
 */
GUEST_CODE16(irq_prog,
	     GUEST_X2APIC_ENABLE
	     "movb $0x1, " GUEST_STR(IRQ_READY) "\n\t"
	     "sti\n\t"
	     "1:\n\t"
	     "hlt\n\t"
	     "mov " GUEST_STR(IRQ_COUNT) ", %ax\n\t"
	     "cmp " GUEST_STR(IRQ_TARGET) ", %ax\n\t"
	     "jb 1b\n\t"
	     "out %al, $0x80");

GUEST_CODE16(irq_handler,
	     "push %eax\n\t"
	     "push %ecx\n\t"
	     "push %edx\n\t"
	     "incw " GUEST_STR(IRQ_COUNT) "\n\t"
	     GUEST_X2APIC_EOI
	     "pop %edx\n\t"
	     "pop %ecx\n\t"
	     "pop %eax\n\t"
	     "iret");

/*
 * A partition with local x2APICs, 64 KiB of memory and VP 0 in real mode
 * at irq_prog, whose IVT sends both test vectors to irq_handler.
 */
FIXTURE(irq) {
	int dev;
	int pt;
	int vp;
	__u8 *mem;
};

FIXTURE_SETUP(irq)
{
	__u32 entry = IRQ_HANDLER;	/* segment 0 */

	self->pt = -1;
	self->vp = -1;
	self->mem = MAP_FAILED;
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	self->pt = mshv_create_partition(self->dev,
					 (1 << MSHV_PT_BIT_LAPIC) |
					 (1 << MSHV_PT_BIT_X2APIC),
					 MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, self->pt);
	ASSERT_EQ(0, mshv_initialize_partition(self->pt));
	self->vp = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, self->vp);
	if (!mshv_vp_runs_or_skip(_metadata, self->vp))
		return;

	self->mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	guest_code_load(self->mem, GUEST_CODE, irq_prog);
	guest_code_load(self->mem, IRQ_HANDLER, irq_handler);
	memcpy(self->mem + IRQ_VECTOR_EDGE * 4, &entry, sizeof(entry));
	memcpy(self->mem + IRQ_VECTOR_LEVEL * 4, &entry, sizeof(entry));
	ASSERT_EQ(0, guest_mem_map(self->pt, 0, self->mem, GUEST_SIZE));
	ASSERT_EQ(0, guest_real_mode(self->vp, 0, GUEST_CODE, IRQ_STACK));
}

FIXTURE_TEARDOWN(irq)
{
	if (self->vp >= 0)
		close(self->vp);
	if (self->pt >= 0)
		close(self->pt);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, GUEST_SIZE);
	close(self->dev);
}

/* HvAssertVirtualInterrupt of a fixed interrupt to VP 0 (APIC id 0). */
static int assert_irq(int pt, __u32 vector, bool level, __u16 *status)
{
	return mshv_assert_interrupt(pt, HV_INTERRUPT_TYPE_FIXED,
				     level ? HV_INTERRUPT_LEVEL_TRIGGERED : 0,
				     0, vector, status);
}

/* Wait until the guest's byte or word at @gpa is at least @want. */
static bool guest_reaches(const __u8 *mem, __u64 gpa, unsigned int size,
			  unsigned int want)
{
	struct timespec ts = { .tv_nsec = 1000000 };
	unsigned int ms, val;

	for (ms = 0; ms < IRQ_WAIT_MS; ms++) {
		val = size == 1 ? __atomic_load_n(mem + gpa, __ATOMIC_ACQUIRE) :
		      __atomic_load_n((const __u16 *)(mem + gpa),
				      __ATOMIC_ACQUIRE);
		if (val >= want)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/*
 * Wait for the run on @tid to end; if it does not in time, interrupt it
 * (the run then ends with -EINTR) and return false.
 */
static bool irq_join(pthread_t tid)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct timespec ts;
	int i;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += IRQ_WAIT_MS / 1000;
	if (!pthread_timedjoin_np(tid, NULL, &ts))
		return true;
	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; pthread_tryjoin_np(tid, NULL); i++) {
		pthread_kill(tid, SIGUSR1);
		usleep(100000);
	}
	signal(SIGUSR1, SIG_DFL);
	return false;
}

/*
 * The VP halts with interrupts enabled and runs only when an interrupt
 * comes: each one asserted through MSHV_ROOT_HVCALL is counted once by
 * the guest's handler, while MSHV_RUN_VP waits on another thread, until
 * the guest reaches its target and stops with a HLT the VMM sees.
 */
TEST_F(irq, fixed_interrupts_counted)
{
	const unsigned int n = 5;
	struct mshv_vp_run r = { .vp = self->vp };
	unsigned int i;
	pthread_t tid;
	__u16 status;

	self->mem[IRQ_TARGET] = n;
	ASSERT_EQ(0, pthread_create(&tid, NULL, mshv_vp_run_thread, &r));
	EXPECT_TRUE(guest_reaches(self->mem, IRQ_READY, 1, 1));
	for (i = 1; i <= n && !_metadata->exit_code; i++) {
		EXPECT_EQ(0, assert_irq(self->pt, IRQ_VECTOR_EDGE, false,
					&status));
		EXPECT_EQ(HV_STATUS_SUCCESS, status);
		EXPECT_TRUE(guest_reaches(self->mem, IRQ_COUNT, 2, i))
			TH_LOG("interrupt %u was not taken", i);
	}
	ASSERT_TRUE(irq_join(tid));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, r.msg.header.message_type);
	EXPECT_EQ(n, *(__u16 *)(self->mem + IRQ_COUNT));
}

/*
 * A VP halted with interrupts enabled is not dispatched again until an
 * interrupt wakes it: over a second, MSHV_RUN_VP dispatches it at most
 * once, then the interrupt asserted through MSHV_ROOT_HVCALL runs it.
 */
TEST_F(irq, halted_vp_sleeps)
{
	struct timespec ts = { .tv_nsec = 200000000 };
	struct mshv_vp_run r = { .vp = self->vp };
	pthread_t tid;
	__u16 status;
	long long n;

	self->mem[IRQ_TARGET] = 1;
	ASSERT_EQ(0, pthread_create(&tid, NULL, mshv_vp_run_thread, &r));
	EXPECT_TRUE(guest_reaches(self->mem, IRQ_READY, 1, 1));
	nanosleep(&ts, NULL);
	n = dispatches_during(1000);
	if (n >= 0)
		EXPECT_GE(1, n);
	EXPECT_EQ(0, *(__u16 *)(self->mem + IRQ_COUNT));

	EXPECT_EQ(0, assert_irq(self->pt, IRQ_VECTOR_EDGE, false, &status));
	EXPECT_EQ(HV_STATUS_SUCCESS, status);
	ASSERT_TRUE(irq_join(tid));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, r.msg.header.message_type);
	EXPECT_EQ(1, *(__u16 *)(self->mem + IRQ_COUNT));
	if (n < 0)
		SKIP(return, "dispatches are counted by the simulator only");
}

/* Route @gsi to @vector on APIC 0, edge- or level-triggered. */
static int route_gsi(int pt, __u32 gsi, __u32 vector, bool level)
{
	return mshv_route_msi(pt, gsi, vector | (level ? 3 << 14 : 0));
}

static int assign_irqfd(int pt, int fd, int resamplefd, __u32 gsi)
{
	return mshv_irqfd(pt, fd, resamplefd, gsi,
			  resamplefd >= 0 ? 1 << MSHV_IRQFD_BIT_RESAMPLE : 0);
}

/* Wait until @fd (an eventfd) is signalled; return its count, or 0. */
static __u64 eventfd_wait(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	__u64 count = 0;

	if (poll(&pfd, 1, IRQ_WAIT_MS) == 1 &&
	    read(fd, &count, sizeof(count)) != sizeof(count))
		count = 0;
	return count;
}

/*
 * Each write to an irqfd raises the interrupt its GSI is routed to, with
 * no VMM exit: the guest counts every one while MSHV_RUN_VP waits.
 */
TEST_F(irq, irqfd_interrupts_counted)
{
	const unsigned int n = 5;
	struct mshv_vp_run r = { .vp = self->vp };
	int efd = eventfd(0, EFD_CLOEXEC);
	__u64 one = 1;
	unsigned int i;
	pthread_t tid;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, route_gsi(self->pt, 3, IRQ_VECTOR_EDGE, false));
	ASSERT_EQ(0, assign_irqfd(self->pt, efd, -1, 3));
	self->mem[IRQ_TARGET] = n;
	ASSERT_EQ(0, pthread_create(&tid, NULL, mshv_vp_run_thread, &r));
	EXPECT_TRUE(guest_reaches(self->mem, IRQ_READY, 1, 1));
	for (i = 1; i <= n && !_metadata->exit_code; i++) {
		EXPECT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
		EXPECT_TRUE(guest_reaches(self->mem, IRQ_COUNT, 2, i))
			TH_LOG("interrupt %u was not taken", i);
	}
	ASSERT_TRUE(irq_join(tid));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, r.msg.header.message_type);
	EXPECT_EQ(n, *(__u16 *)(self->mem + IRQ_COUNT));
	close(efd);
}

/*
 * A level-triggered interrupt raised through a resampling irqfd: when the
 * guest ends it (EOI), the hypervisor tells the root with an APIC EOI
 * message on the root's SINT0, the VP goes on running, and the driver
 * signals the resample eventfd.
 */
TEST_F(irq, resample_on_level_eoi)
{
	struct mshv_vp_run r = { .vp = self->vp };
	int efd = eventfd(0, EFD_CLOEXEC);
	int rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	__u64 one = 1;
	pthread_t tid;

	ASSERT_LE(0, efd);
	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, route_gsi(self->pt, 4, IRQ_VECTOR_LEVEL, true));
	ASSERT_EQ(0, assign_irqfd(self->pt, efd, rfd, 4));
	self->mem[IRQ_TARGET] = 1;
	ASSERT_EQ(0, pthread_create(&tid, NULL, mshv_vp_run_thread, &r));
	EXPECT_TRUE(guest_reaches(self->mem, IRQ_READY, 1, 1));
	EXPECT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
	ASSERT_TRUE(irq_join(tid));
	ASSERT_EQ(0, r.err);
	/* The EOI did not stop the VP: it ran on to its final HLT. */
	EXPECT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, r.msg.header.message_type);
	EXPECT_EQ(1, *(__u16 *)(self->mem + IRQ_COUNT));
	EXPECT_EQ(1ULL, eventfd_wait(rfd));
	close(rfd);
	close(efd);
}

/* An edge-triggered interrupt is not resampled: the EOI signals nothing. */
TEST_F(irq, no_resample_on_edge_eoi)
{
	struct mshv_vp_run r = { .vp = self->vp };
	int rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	int efd = eventfd(0, EFD_CLOEXEC);
	int edge = eventfd(0, EFD_CLOEXEC);
	__u64 one = 1, count;
	pthread_t tid;

	ASSERT_LE(0, rfd);
	ASSERT_LE(0, efd);
	ASSERT_LE(0, edge);
	/* GSI 4 resamples vector IRQ_VECTOR_LEVEL; GSI 5 is edge. */
	ASSERT_EQ(0, route_gsi(self->pt, 4, IRQ_VECTOR_LEVEL, true));
	ASSERT_EQ(0, assign_irqfd(self->pt, efd, rfd, 4));
	ASSERT_EQ(0, route_gsi(self->pt, 5, IRQ_VECTOR_EDGE, false));
	ASSERT_EQ(0, assign_irqfd(self->pt, edge, -1, 5));
	self->mem[IRQ_TARGET] = 1;
	ASSERT_EQ(0, pthread_create(&tid, NULL, mshv_vp_run_thread, &r));
	EXPECT_TRUE(guest_reaches(self->mem, IRQ_READY, 1, 1));
	EXPECT_EQ((ssize_t)sizeof(one), write(edge, &one, sizeof(one)));
	ASSERT_TRUE(irq_join(tid));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, r.msg.header.message_type);
	EXPECT_EQ(1, *(__u16 *)(self->mem + IRQ_COUNT));
	EXPECT_EQ(-1, read(rfd, &count, sizeof(count)));
	EXPECT_EQ(EAGAIN, errno);
	close(edge);
	close(efd);
	close(rfd);
}

/* A second handler: counts in IRQ_COUNT and in IRQ_COUNT2. */
#define IRQ_COUNT2			0x504	/* u16 */
#define IRQ_HANDLER2			0x1200
#define IRQ_VECTOR_OTHER		0x42

GUEST_CODE16(irq_handler2,
	     "push %eax\n\t"
	     "push %ecx\n\t"
	     "push %edx\n\t"
	     "incw " GUEST_STR(IRQ_COUNT) "\n\t"
	     "incw " GUEST_STR(IRQ_COUNT2) "\n\t"
	     GUEST_X2APIC_EOI
	     "pop %edx\n\t"
	     "pop %ecx\n\t"
	     "pop %eax\n\t"
	     "iret");

/*
 * An irqfd follows its GSI's route: after MSHV_SET_MSI_ROUTING moves the
 * GSI to another vector, the next signal raises that vector, which the
 * guest counts with its other handler; a route removed raises nothing.
 */
TEST_F(irq, irqfd_follows_routing_update)
{
	struct mshv_vp_run r = { .vp = self->vp };
	int efd = eventfd(0, EFD_CLOEXEC);
	__u32 entry = IRQ_HANDLER2;
	__u64 one = 1;
	pthread_t tid;

	ASSERT_LE(0, efd);
	guest_code_load(self->mem, IRQ_HANDLER2, irq_handler2);
	memcpy(self->mem + IRQ_VECTOR_OTHER * 4, &entry, sizeof(entry));
	ASSERT_EQ(0, route_gsi(self->pt, 6, IRQ_VECTOR_EDGE, false));
	ASSERT_EQ(0, assign_irqfd(self->pt, efd, -1, 6));
	self->mem[IRQ_TARGET] = 3;
	ASSERT_EQ(0, pthread_create(&tid, NULL, mshv_vp_run_thread, &r));
	EXPECT_TRUE(guest_reaches(self->mem, IRQ_READY, 1, 1));

	EXPECT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
	EXPECT_TRUE(guest_reaches(self->mem, IRQ_COUNT, 2, 1));
	EXPECT_EQ(0, *(__u16 *)(self->mem + IRQ_COUNT2));

	ASSERT_EQ(0, route_gsi(self->pt, 6, IRQ_VECTOR_OTHER, false));
	EXPECT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
	EXPECT_TRUE(guest_reaches(self->mem, IRQ_COUNT2, 2, 1));
	EXPECT_EQ(2, *(__u16 *)(self->mem + IRQ_COUNT));

	/* GSI 6 no longer routed: the signal is dropped. */
	ASSERT_EQ(0, route_gsi(self->pt, 7, IRQ_VECTOR_EDGE, false));
	EXPECT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
	usleep(200000);
	EXPECT_EQ(2, *(__u16 *)(self->mem + IRQ_COUNT));

	ASSERT_EQ(0, route_gsi(self->pt, 6, IRQ_VECTOR_OTHER, false));
	EXPECT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
	ASSERT_TRUE(irq_join(tid));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, r.msg.header.message_type);
	EXPECT_EQ(3, *(__u16 *)(self->mem + IRQ_COUNT));
	EXPECT_EQ(2, *(__u16 *)(self->mem + IRQ_COUNT2));
	close(efd);
}

/* Register page: the count of queued vectors, then up to seven vectors. */
#define REG_PAGE_VECTORS		688

/** struct inject_counts - how interrupts reached the simulated hypervisor */
struct inject_counts {
	__u64 scanned;
	__u64 asserted;
};

/*
 * Read the simulator's count of vectors taken from register pages and of
 * HvAssertVirtualInterrupt calls, and whether the driver uses the register
 * page. Return 0, or -ENOENT when not running on a simulator that counts
 * them.
 */
static int inject_counts(struct inject_counts *c, bool *fast)
{
	if (sim_fast_injection(fast) ||
	    sim_read_u64("scanned_vectors", &c->scanned) ||
	    sim_hypercall_count(HVCALL_ASSERT_VIRTUAL_INTERRUPT, &c->asserted))
		return -ENOENT;
	return 0;
}

/*
 * irqfd writes while the VP waits halted: with the root scheduler and a
 * hypervisor that offers it, the driver queues the vectors in the
 * register page and the dispatch takes them (an interrupt that meets the
 * VP inside a dispatch goes by hypercall instead); otherwise every one is
 * asserted by hypercall. Either way each interrupt arrives once.
 */
TEST_F(irq, irqfd_fast_path)
{
	const unsigned int n = 5;
	struct mshv_vp_run r = { .vp = self->vp };
	int efd = eventfd(0, EFD_CLOEXEC);
	struct inject_counts before, after;
	__u64 one = 1, scanned, asserted;
	unsigned int i;
	pthread_t tid;
	bool fast;

	ASSERT_LE(0, efd);
	if (inject_counts(&before, &fast))
		SKIP(return, "the simulator's injection counters are missing");
	ASSERT_EQ(0, route_gsi(self->pt, 3, IRQ_VECTOR_EDGE, false));
	ASSERT_EQ(0, assign_irqfd(self->pt, efd, -1, 3));
	self->mem[IRQ_TARGET] = n;
	ASSERT_EQ(0, pthread_create(&tid, NULL, mshv_vp_run_thread, &r));
	EXPECT_TRUE(guest_reaches(self->mem, IRQ_READY, 1, 1));
	for (i = 1; i <= n && !_metadata->exit_code; i++) {
		/* Let the VP halt and MSHV_RUN_VP wait. */
		usleep(20000);
		EXPECT_EQ((ssize_t)sizeof(one), write(efd, &one, sizeof(one)));
		EXPECT_TRUE(guest_reaches(self->mem, IRQ_COUNT, 2, i))
			TH_LOG("interrupt %u was not taken", i);
	}
	ASSERT_TRUE(irq_join(tid));
	ASSERT_EQ(0, r.err);
	EXPECT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, r.msg.header.message_type);
	EXPECT_EQ(n, *(__u16 *)(self->mem + IRQ_COUNT));
	close(efd);

	ASSERT_EQ(0, inject_counts(&after, &fast));
	scanned = after.scanned - before.scanned;
	asserted = after.asserted - before.asserted;
	TH_LOG("%s: %llu by register page, %llu by hypercall",
	       fast ? "fast path" : "slow path", scanned, asserted);
	EXPECT_EQ(n, scanned + asserted);
	/* Some, but not necessarily all, went through the register page. */
	EXPECT_EQ(fast, scanned != 0);
}

/* Route GSIs 6, 7 and 8 as this test wants; GSI 9 has no route. */
static int route_declined(int pt)
{
	struct {
		struct mshv_user_irq_table head;
		struct mshv_user_irq_entry entry[3];
	} table = {
		.head.nr = 3,
		.entry = {
			/* Vector 0: not an interrupt a VP can take. */
			{ .gsi = 6, .address_lo = 0xfee00000, .data = 0 },
			/* APIC id 5: no such VP. */
			{ .gsi = 7, .address_lo = 0xfee05000,
			  .data = IRQ_VECTOR_EDGE },
			/* Logical destination 1. */
			{ .gsi = 8, .address_lo = 0xfee01004,
			  .data = IRQ_VECTOR_EDGE },
		},
	};

	return ioctl(pt, MSHV_SET_MSI_ROUTING, &table) ? -errno : 0;
}

/*
 * The register page is never used for an interrupt it cannot carry: vector
 * 0, a destination that is no VP, a logical destination. Those go to the
 * hypervisor by hypercall, which refuses or delivers them; a GSI with no
 * route raises nothing at all.
 */
TEST_F(irq, irqfd_fast_path_declined)
{
	struct inject_counts before, after;
	__u64 one = 1;
	int efd[4], i;
	__u8 *rp;
	bool fast;

	if (inject_counts(&before, &fast))
		SKIP(return, "the simulator's injection counters are missing");
	ASSERT_EQ(0, route_declined(self->pt));
	for (i = 0; i < 4; i++) {
		efd[i] = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, efd[i]);
		ASSERT_EQ(0, assign_irqfd(self->pt, efd[i], -1, 6 + i));
	}
	for (i = 0; i < 4; i++)
		EXPECT_EQ((ssize_t)sizeof(one),
			  write(efd[i], &one, sizeof(one)));
	ASSERT_EQ(0, inject_counts(&after, &fast));
	EXPECT_EQ(before.scanned, after.scanned);
	EXPECT_EQ(before.asserted + 3, after.asserted);
	/* Nothing was left queued in the register page either. */
	rp = mmap(NULL, PAGE_4K, PROT_READ, MAP_SHARED, self->vp,
		  MSHV_VP_MMAP_OFFSET_REGISTERS * PAGE_4K);
	ASSERT_NE(MAP_FAILED, rp);
	EXPECT_EQ(0ULL, *(__u64 *)(rp + REG_PAGE_VECTORS));
	munmap(rp, PAGE_4K);
	for (i = 0; i < 4; i++)
		close(efd[i]);
}

/* Vectors 0-15 cannot be asserted; nothing reaches the guest. */
TEST_F(irq, assert_bad_vector)
{
	__u16 status = 0;

	EXPECT_EQ(-EINVAL, assert_irq(self->pt, 15, false, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(0, *(__u16 *)(self->mem + IRQ_COUNT));
}

/* ---- Doorbells: guest writes that signal an ioeventfd ------------------ */

#define DB_BASE				0x100000ULL	/* unmapped */

/*
 * Long mode, stores of 1, 2, 4 and 8 bytes and one more of 4 bytes to
 * five addresses past guest memory, then HLT:
 * mov byte [DB_BASE + 0x10], 0x11; mov word [DB_BASE + 0x20], 0x2222;
 * mov dword [DB_BASE + 0x30], 0x33333333; mov rax, 0x4444444444444444;
 * mov [DB_BASE + 0x40], rax; mov dword [DB_BASE + 0x50], 0x55; hlt
 */
GUEST_CODE64(prog_doorbells,
	     "movb $0x11, 0x100010\n\t"
	     "movw $0x2222, 0x100020\n\t"
	     "movl $0x33333333, 0x100030\n\t"
	     "movabs $0x4444444444444444, %rax\n\t"
	     "mov %rax, 0x100040\n\t"
	     "movl $0x55, 0x100050\n\t"
	     "hlt");

/* Offsets in prog_doorbells of the stores, and their lengths. */
static const struct {
	__u8 off;
	__u8 insn_len;
} db_stores[] = { { 0, 8 }, { 8, 10 }, { 18, 11 }, { 39, 8 }, { 47, 11 } };

static int assign_ioeventfd(int pt, int fd, __u64 addr, __u32 len,
			    bool datamatch, __u64 value, bool deassign)
{
	return mshv_ioeventfd(pt, fd, addr, len, value,
			      (datamatch ? 1 << MSHV_IOEVENTFD_BIT_DATAMATCH : 0) |
			      (deassign ? 1 << MSHV_IOEVENTFD_BIT_DEASSIGN : 0));
}

/*
 * Every store rings a doorbell: each ioeventfd is signalled once and the
 * VP runs to its HLT without a single exit to the VMM.
 */
TEST_F(guest, ioeventfd_signalled_without_exit)
{
	static const struct {
		__u64 gpa;
		__u32 len;
		bool datamatch;
		__u64 value;
	} db[] = {
		{ DB_BASE + 0x10, 1, false, 0 },
		{ DB_BASE + 0x20, 2, true, 0x2222 },
		{ DB_BASE + 0x30, 4, true, 0x33333333 },
		{ DB_BASE + 0x40, 8, true, 0x4444444444444444ULL },
		{ DB_BASE + 0x50, 0, false, 0 },	/* any length */
	};
	__u64 rang0 = 0, rang;
	int fds[ARRAY_SIZE(db)];
	struct hv_msg msg;
	unsigned int i;

	if (sim_present())
		ASSERT_EQ(0, sim_read_u64("doorbells", &rang0));
	for (i = 0; i < ARRAY_SIZE(db); i++) {
		fds[i] = eventfd(0, EFD_CLOEXEC);
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, assign_ioeventfd(self->pt, fds[i], db[i].gpa,
					      db[i].len, db[i].datamatch,
					      db[i].value, false));
	}
	guest_code_load(self->mem, GUEST_CODE, prog_doorbells);
	ASSERT_EQ(0, enter_long_mode(self->vp, self->mem, GUEST_CODE));

	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	EXPECT_EQ(HVMSG_X64_HALT, msg.header.message_type);
	EXPECT_EQ((__u64)(GUEST_CODE + guest_code_len(prog_doorbells)), msg.icpt.rip);
	for (i = 0; i < ARRAY_SIZE(db); i++)
		EXPECT_EQ(1ULL, eventfd_wait(fds[i]))
			TH_LOG("doorbell %u was not signalled", i);
	if (sim_present()) {
		ASSERT_EQ(0, sim_read_u64("doorbells", &rang));
		EXPECT_EQ(rang0 + ARRAY_SIZE(db), rang);
	}
	for (i = 0; i < ARRAY_SIZE(db); i++)
		close(fds[i]);
}

/* A store the doorbell does not match stops the VP like any other. */
static void expect_store_exit(struct __test_metadata *_metadata, int vp,
			      unsigned int store, __u64 gpa)
{
	struct hv_msg msg;

	ASSERT_EQ(0, mshv_run_vp(vp, &msg));
	ASSERT_EQ(HVMSG_UNMAPPED_GPA, msg.header.message_type);
	EXPECT_EQ(gpa, msg.mem.gpa);
	EXPECT_EQ(HV_INTERCEPT_ACCESS_WRITE, msg.mem.h.access_type);
	EXPECT_EQ(GUEST_CODE + db_stores[store].off, msg.mem.h.rip);
	/* The VMM emulates the store. */
	ASSERT_EQ(0, mshv_vp_set_reg64(vp, 0, HV_X64_REGISTER_RIP,
				       msg.mem.h.rip + db_stores[store].insn_len));
}

/*
 * Stores of another length or value than a doorbell's, or to a doorbell
 * that was deassigned, reach the VMM, and signal nothing.
 */
TEST_F(guest, ioeventfd_mismatch_exits)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct hv_msg msg;
	__u64 count;

	ASSERT_LE(0, efd);
	/* A 2-byte doorbell where a byte is stored. */
	ASSERT_EQ(0, assign_ioeventfd(self->pt, efd, DB_BASE + 0x10, 2, false,
				      0, false));
	/* Another value than the one stored. */
	ASSERT_EQ(0, assign_ioeventfd(self->pt, efd, DB_BASE + 0x20, 2, true,
				      0x2223, false));
	/* Assigned and deassigned. */
	ASSERT_EQ(0, assign_ioeventfd(self->pt, efd, DB_BASE + 0x30, 4, false,
				      0, false));
	ASSERT_EQ(0, assign_ioeventfd(self->pt, efd, DB_BASE + 0x30, 4, false,
				      0, true));
	guest_code_load(self->mem, GUEST_CODE, prog_doorbells);
	ASSERT_EQ(0, enter_long_mode(self->vp, self->mem, GUEST_CODE));

	expect_store_exit(_metadata, self->vp, 0, DB_BASE + 0x10);
	expect_store_exit(_metadata, self->vp, 1, DB_BASE + 0x20);
	expect_store_exit(_metadata, self->vp, 2, DB_BASE + 0x30);
	expect_store_exit(_metadata, self->vp, 3, DB_BASE + 0x40);
	expect_store_exit(_metadata, self->vp, 4, DB_BASE + 0x50);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	EXPECT_EQ(HVMSG_X64_HALT, msg.header.message_type);
	EXPECT_EQ(-1, read(efd, &count, sizeof(count)));
	EXPECT_EQ(EAGAIN, errno);
	close(efd);
}

/*
 * mov ecx, 100; 1: mov dword [DB_BASE + 0x60], ecx; dec ecx; jnz 1b; hlt:
 * more doorbell signals in a row than an event ring holds (63).
 */
GUEST_CODE64(prog_doorbell_burst,
	     "mov $0x64, %ecx\n\t"
	     "1:\n\t"
	     "mov %ecx, 0x100060\n\t"
	     "dec %ecx\n\t"
	     "jne 1b\n\t"
	     "hlt");

/*
 * A burst of doorbell writes overflows the event ring: the driver asks
 * the hypervisor for the signals it could not queue, and the guest runs
 * on to its HLT. Signals of the same doorbell may be merged, but those
 * that overflowed are not lost: with the simulator, which merges every
 * signal that finds the ring full, the eventfd counts at least 63 + 1
 * (exactly that when the burst runs in one dispatch).
 */
TEST_F(guest, ioeventfd_ring_overflow)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	__u64 notify0 = 0, notify, count, more;
	bool sim = sim_present();
	struct hv_msg msg;

	ASSERT_LE(0, efd);
	if (sim)
		ASSERT_EQ(0, sim_hypercall_count(HVCALL_NOTIFY_PORT_RING_EMPTY,
						 &notify0));
	ASSERT_EQ(0, assign_ioeventfd(self->pt, efd, DB_BASE + 0x60, 4, false,
				      0, false));
	guest_code_load(self->mem, GUEST_CODE, prog_doorbell_burst);
	ASSERT_EQ(0, enter_long_mode(self->vp, self->mem, GUEST_CODE));
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	EXPECT_EQ(HVMSG_X64_HALT, msg.header.message_type);

	count = eventfd_wait(efd);
	usleep(100000);
	if (read(efd, &more, sizeof(more)) == sizeof(more))
		count += more;
	EXPECT_LE(1ULL, count);
	EXPECT_GE(100ULL, count);
	if (!sim)
		goto out;
	EXPECT_LE(64ULL, count);
	ASSERT_EQ(0, sim_hypercall_count(HVCALL_NOTIFY_PORT_RING_EMPTY,
					 &notify));
	EXPECT_LT(notify0, notify);
out:
	close(efd);
}

/*
 * The hypervisor refuses the driver's first request to refill the
 * overflowed event ring (HvNotifyPortRingEmpty). The ring must recover:
 * the driver asks again, and the signal that waited in the hypervisor
 * still reaches the eventfd, with no further doorbell write to carry it.
 */
TEST_F(guest, ioeventfd_ring_refill_fails)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	__u64 notify0, notify, count = 0, more;
	struct hv_msg msg;
	int i;

	ASSERT_LE(0, efd);
	if (!sim_present())
		SKIP(goto out, "needs the hypervisor simulator");
	ASSERT_EQ(0, sim_hypercall_count(HVCALL_NOTIFY_PORT_RING_EMPTY,
					 &notify0));
	ASSERT_EQ(0, sim_fault(HVCALL_NOTIFY_PORT_RING_EMPTY, 1,
			       HV_STATUS_INSUFFICIENT_BUFFERS));
	ASSERT_EQ(0, assign_ioeventfd(self->pt, efd, DB_BASE + 0x60, 4, false,
				      0, false));
	guest_code_load(self->mem, GUEST_CODE, prog_doorbell_burst);
	ASSERT_EQ(0, enter_long_mode(self->vp, self->mem, GUEST_CODE));
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	EXPECT_EQ(HVMSG_X64_HALT, msg.header.message_type);

	/*
	 * 63 signals fill the ring; the 64th waits for the refill. A root
	 * interrupt may end a dispatch in the middle of the burst, and the
	 * rest of it then signals through the ring the root drained: wait
	 * for the refill request the driver retries too, not only for the
	 * signals.
	 */
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, sim_hypercall_count(HVCALL_NOTIFY_PORT_RING_EMPTY,
						 &notify));
		if (count >= 64 && notify >= notify0 + 2)
			break;
		if (read(efd, &more, sizeof(more)) == sizeof(more))
			count += more;
		else
			usleep(50000);
	}
	EXPECT_LE(64ULL, count)
		TH_LOG("%llu signals, %llu refill requests", count,
		       notify - notify0);
	EXPECT_LE(notify0 + 2, notify);
	sim_fault_clear();
out:
	close(efd);
}

/* Real mode: store AL to GPA 0x20010 (a doorbell) forever. */
GUEST_CODE16(prog_doorbell_loop,
	     "mov $0x2000, %ax\n\t"
	     "mov %ax, %ds\n\t"
	     "1:\n\t"
	     "mov %al, 0x10\n\t"			/* mov [0x10], al */
	     "jmp 1b");

/** struct loop_run - runs a VP that stores to a doorbell, on a thread */
struct loop_run {
	int vp;
	int err;
	bool stop;		/* __atomic accesses */
	unsigned long exits;	/* stores that reached the VMM */
	struct hv_msg msg;
};

/*
 * Run the VP until told to stop; a store that is no doorbell's (while it
 * is being replaced) reaches the VMM, which completes it.
 */
static void *loop_run_thread(void *arg)
{
	struct loop_run *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		r->err = mshv_run_vp(r->vp, &r->msg);
		if (r->err ||
		    r->msg.header.message_type != HVMSG_UNMAPPED_GPA ||
		    r->msg.mem.gpa != 0x20010)
			break;
		__atomic_add_fetch(&r->exits, 1, __ATOMIC_RELAXED);
		r->err = mshv_vp_set_reg64(r->vp, 0, HV_X64_REGISTER_RIP,
					   r->msg.mem.h.rip + 3);
		if (r->err)
			break;
	}
	return NULL;
}

/*
 * Doorbells removed and added while the guest rings them from another
 * thread: each new doorbell is signalled again. Then the partition fd is
 * closed under the running VP: its doorbells go, and the stores reach
 * the VMM instead of the eventfd. The kernel must report nothing (the
 * test run checks its log), and no port is left in the hypervisor.
 */
TEST_F(guest, ioeventfd_teardown_while_ringing)
{
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct loop_run r = { .vp = self->vp };
	bool sim = sim_present();
	__u64 ports0 = 0, ports, c;
	unsigned long exits;
	pthread_t tid;
	int i;

	ASSERT_LE(0, efd);
	if (sim)
		ASSERT_EQ(0, sim_read_u64("ports", &ports0));
	guest_code_load(self->mem, GUEST_CODE, prog_doorbell_loop);
	ASSERT_EQ(0, assign_ioeventfd(self->pt, efd, 0x20010, 1, false, 0,
				      false));
	ASSERT_EQ(0, pthread_create(&tid, NULL, loop_run_thread, &r));
	EXPECT_LT(0ULL, eventfd_wait(efd));
	for (i = 0; i < 5 && !_metadata->exit_code; i++) {
		ASSERT_EQ(0, assign_ioeventfd(self->pt, efd, 0x20010, 1, false,
					      0, true));
		ASSERT_EQ(0, assign_ioeventfd(self->pt, efd, 0x20010, 1, false,
					      0, false));
		/* What came before the deassign, then the new doorbell. */
		eventfd_wait(efd);
		EXPECT_LT(0ULL, eventfd_wait(efd))
			TH_LOG("doorbell %d was not signalled", i);
	}
	/* The VP fd keeps the partition; its doorbells go with the fd. */
	close(self->pt);
	self->pt = -1;
	usleep(50000);
	if (read(efd, &c, sizeof(c)) != sizeof(c))
		c = 0;
	exits = __atomic_load_n(&r.exits, __ATOMIC_RELAXED);
	usleep(100000);
	/* The guest goes on storing, and nothing signals the eventfd. */
	EXPECT_EQ(-1, read(efd, &c, sizeof(c)));
	EXPECT_EQ(EAGAIN, errno);
	__atomic_store_n(&r.stop, true, __ATOMIC_RELAXED);
	ASSERT_TRUE(irq_join(tid));
	EXPECT_EQ(0, r.err);
	EXPECT_LT(exits, __atomic_load_n(&r.exits, __ATOMIC_RELAXED));
	if (sim) {
		ASSERT_EQ(0, sim_read_u64("ports", &ports));
		EXPECT_EQ(ports0, ports);
	}
	close(efd);
}

/* ---- The rest of the allowlist: translation, CPUID, direct SynIC ------ */

/** struct hv_cpuid_values_in - HvGetVpCpuidValues header and 2 leaves */
struct hv_cpuid_values_in {
	__u64 partition_id;
	__u32 vp_index;
	__u32 flags;
	__u32 reserved;
	__u32 padding;
	struct {
		__u32 eax;
		__u32 ecx;
		__u64 xfem;
		__u64 xss;
	} leaf[2];
};

/* 60 bytes of input; the compiler pads the struct to 64. */
static_assert(sizeof(struct hv_cpuid_values_in) == 24 + 2 * 24, "cpuid in");

/* HvTranslateVirtualAddress of @gva on VP @index; the ioctl's result. */
static int translate_on(int vp, __u32 index, __u64 gva, __u64 flags,
			struct hv_translate_out *out, __u16 *status)
{
	struct hv_translate_in in = {
		.vp_index = index,
		.control_flags = flags,
		.gva_page = gva >> 12,
	};
	struct mshv_root_hvcall args = {
		.code = HVCALL_TRANSLATE_VIRTUAL_ADDRESS,
		.in_sz = sizeof(in),
		.out_sz = sizeof(*out),
		.in_ptr = (uintptr_t)&in,
		.out_ptr = (uintptr_t)out,
	};
	int ret;

	memset(out, 0xee, sizeof(*out));
	ret = mshv_hvcall(vp, &args);
	*status = args.status;
	return ret;
}

static int translate(int vp, __u64 gva, __u64 flags,
		     struct hv_translate_out *out, __u16 *status)
{
	return translate_on(vp, 0, gva, flags, out, status);
}

/* Expect @gva to translate with @flags to @result (and GPA page @gfn). */
static void expect_translation(struct __test_metadata *_metadata, int vp,
			       __u64 gva, __u64 flags, __u32 result, __u64 gfn)
{
	struct hv_translate_out out;
	__u16 status;

	ASSERT_EQ(0, translate(vp, gva, flags, &out, &status))
		TH_LOG("gva %#llx", (unsigned long long)gva);
	EXPECT_EQ(0, status);
	EXPECT_EQ(result, out.result_code)
		TH_LOG("gva %#llx", (unsigned long long)gva);
	if (result == HV_TRANSLATE_GVA_SUCCESS ||
	    result == HV_TRANSLATE_GVA_GPA_UNMAPPED)
		EXPECT_EQ(gfn, out.gpa_page)
			TH_LOG("gva %#llx", (unsigned long long)gva);
}

/*
 * 4-level paging built in guest memory: PML4 0x2000, PDPT 0x3000, PD
 * 0x4000 (PD[1]: a 2 MiB page at GPA 0), PT 0x5000: PT[6] maps GPA 0x6000,
 * PT[1] maps it read-only, PT[8] maps GPA 0x20000, beyond guest memory.
 */
TEST_F(guest, translate_gva)
{
	static const __u64 entries[][2] = {
		{ 0x2000, 0x3007 }, { 0x3000, 0x4007 }, { 0x4000, 0x5007 },
		{ 0x4008, 0x0087 }, { 0x5030, 0x6007 }, { 0x5008, 0x6005 },
		{ 0x5040, 0x20007 },
	};
	struct mshv_vp_reg regs[5];
	struct hv_translate_out out;
	struct hv_msg msg;
	unsigned int i;
	__u16 status;

	/* Run once (HLT) so that movable memory is faulted in. */
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_HALT, msg.header.message_type);

	memset(self->mem + 0x2000, 0, 0x4000);
	for (i = 0; i < ARRAY_SIZE(entries); i++)
		memcpy(self->mem + entries[i][0], &entries[i][1], 8);
	memset(regs, 0, sizeof(regs));
	regs[0].name = HV_X64_REGISTER_CR0;
	regs[0].lo = 0x80010011;		/* PG, WP, ET, PE */
	regs[1].name = HV_X64_REGISTER_CR3;
	regs[1].lo = 0x2000;
	regs[2].name = HV_X64_REGISTER_CR4;
	regs[2].lo = 0x20;			/* PAE */
	regs[3].name = HV_X64_REGISTER_EFER;
	regs[3].lo = 0xd00;			/* LME, LMA, NXE */
	regs[4].name = HV_X64_REGISTER_CS;
	regs[4].hi = MSHV_SEG_HI(0xffffffff, 8, 0xa09b);
	ASSERT_EQ(0, mshv_vp_set_regs(self->vp, 0, regs, 5, NULL));

	expect_translation(_metadata, self->vp, 0x6000,
			   HV_TRANSLATE_GVA_VALIDATE_READ |
			   HV_TRANSLATE_GVA_VALIDATE_WRITE,
			   HV_TRANSLATE_GVA_SUCCESS, 6);
	expect_translation(_metadata, self->vp, 0x206123, 0,
			   HV_TRANSLATE_GVA_SUCCESS, 6);
	expect_translation(_metadata, self->vp, 0x1000,
			   HV_TRANSLATE_GVA_VALIDATE_READ,
			   HV_TRANSLATE_GVA_SUCCESS, 6);
	expect_translation(_metadata, self->vp, 0x1000,
			   HV_TRANSLATE_GVA_VALIDATE_WRITE,
			   HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION, 0);
	expect_translation(_metadata, self->vp, 0x7000,
			   HV_TRANSLATE_GVA_VALIDATE_READ,
			   HV_TRANSLATE_GVA_PAGE_NOT_PRESENT, 0);
	expect_translation(_metadata, self->vp, 0x8000,
			   HV_TRANSLATE_GVA_VALIDATE_READ,
			   HV_TRANSLATE_GVA_GPA_UNMAPPED, 0x20);

	/* Control flags that do not exist; a VP that does not exist. */
	EXPECT_EQ(-EINVAL, translate(self->vp, 0x6000, 1ULL << 20, &out,
				     &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, translate_on(self->vp, 3, 0x6000, 0, &out,
					&status));
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX, status);
}

static int register_result(int fd, __u32 vp_index, __u32 type, __u32 leaf,
			   const __u32 result[8], __u8 subleaf_specific,
			   __u16 *status)
{
	return mshv_register_intercept_result(fd, vp_index, type, leaf, 0,
					      subleaf_specific, 1, result,
					      status);
}

static int register_cpuid_result(int fd, __u32 vp_index, __u32 leaf,
				 const __u32 result[8], __u8 subleaf_specific,
				 __u16 *status)
{
	return register_result(fd, vp_index, HV_INTERCEPT_TYPE_X64_CPUID, leaf,
			       result, subleaf_specific, status);
}

/* HvGetVpCpuidValues of leaves @leaf0 and @leaf1 of VP @vp_index. */
static int cpuid_values(int fd, __u32 vp_index, __u32 flags, __u32 leaf0,
			__u32 leaf1, __u16 reps, __u32 (*out)[4],
			__u16 *status)
{
	struct hv_cpuid_values_in in = {
		.vp_index = vp_index,
		.flags = flags,
		.leaf = { { .eax = leaf0 }, { .eax = leaf1 } },
	};
	struct mshv_root_hvcall args = {
		.code = HVCALL_GET_VP_CPUID_VALUES,
		.reps = reps,
		.in_sz = sizeof(in),
		.out_sz = 2 * 16,
		.in_ptr = (uintptr_t)&in,
		.out_ptr = (uintptr_t)out,
	};
	int ret;

	memset(out, 0xee, 2 * 16);
	ret = mshv_hvcall(fd, &args);
	*status = args.status;
	if (!ret && args.reps != reps)
		return -EIO;
	return ret;
}

/*
 * A registered CPUID result changes what the guest's CPUID returns, what
 * HvGetVpCpuidValues reports with registered values applied, and the
 * default result of a CPUID intercept.
 */
TEST_F(guest, cpuid_registered_result)
{
	/* EAX bits 15:8 become 0x12; EBX becomes "Simu". */
	static const __u32 result[8] = {
		0x1200, 0xff00, 0x756d6953, 0xffffffff, 0, 0, 0, 0,
	};
	__u32 out[2][4], plain_eax;
	struct hv_msg msg;
	__u64 rax = 0, rbx = 0;
	__u16 status;

	ASSERT_EQ(0, cpuid_values(self->vp, 0, 0, 0x40000000, 0, 2, out,
				  &status));
	plain_eax = out[0][0];
	EXPECT_EQ(0x7263694dU, out[0][1]);	/* "Micr" */

	ASSERT_EQ(0, register_cpuid_result(self->pt, HV_ANY_VP, 0x40000000,
					   result, 0, &status));
	EXPECT_EQ(0, status);

	guest_code_load(self->mem, GUEST_CODE, cpuid_answered_then_intercepted_code);
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg.header.message_type);
	ASSERT_EQ(0, mshv_vp_get_reg64(self->vp, 0, HV_X64_REGISTER_RAX, &rax));
	ASSERT_EQ(0, mshv_vp_get_reg64(self->vp, 0, HV_X64_REGISTER_RBX, &rbx));
	EXPECT_EQ(0x756d6953U, (__u32)rbx);
	EXPECT_EQ((plain_eax & ~0xff00U) | 0x1200U, (__u32)rax);

	ASSERT_EQ(0, cpuid_values(self->vp, 0,
				  HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED,
				  0x40000000, 0, 2, out, &status));
	EXPECT_EQ(0x756d6953U, out[0][1]);
	ASSERT_EQ(0, cpuid_values(self->vp, 0, 0, 0x40000000, 0, 2, out,
				  &status));
	EXPECT_EQ(0x7263694dU, out[0][1]);

	/* The intercept's default result is the registered one. */
	ASSERT_EQ(0, mshv_install_intercept(self->pt, HV_INTERCEPT_TYPE_X64_CPUID,
					    HV_INTERCEPT_ACCESS_MASK_EXECUTE,
				       0x40000000));
	ASSERT_EQ(0, mshv_vp_set_reg64(self->vp, 0, HV_X64_REGISTER_RIP, GUEST_CODE));
	ASSERT_EQ(0, mshv_run_vp(self->vp, &msg));
	ASSERT_EQ(HVMSG_X64_CPUID_INTERCEPT, msg.header.message_type);
	EXPECT_EQ(0x756d6953ULL, msg.cpuid.def_rbx);

	/* Bad requests: an unknown intercept type, a flag of 2, no VP 7. */
	EXPECT_EQ(-EINVAL, register_result(self->pt, HV_ANY_VP, 0x7f, 1,
					   result, 0, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, register_cpuid_result(self->pt, HV_ANY_VP, 1,
						 result, 2, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, register_cpuid_result(self->pt, 7, 1, result, 0,
						 &status));
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX, status);
}

/* HvGetVpCpuidValues: a rep call; the hypervisor checks its input. */
TEST_F(vp, get_vp_cpuid_values)
{
	__u32 out[2][4];
	__u16 status;
	int fd;

	fd = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, cpuid_values(fd, 0, 0, 0, 0x40000000, 2, out, &status));
	EXPECT_EQ(0, status);
	EXPECT_LE(1U, out[0][0]);		/* leaf 1 exists */
	EXPECT_EQ(0x7263694dU, out[1][1]);	/* "Micr" */
	EXPECT_EQ(0x666f736fU, out[1][2]);	/* "osof" */

	/* Without reps the hypervisor refuses the rep call. */
	EXPECT_EQ(-EINVAL, cpuid_values(fd, 0, 0, 0, 0, 0, out, &status));
	EXPECT_EQ(HV_STATUS_INVALID_HYPERCALL_INPUT, status);
	EXPECT_EQ(-EINVAL, cpuid_values(fd, 0, 1U << 7, 0, 0, 1, out,
					&status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, cpuid_values(fd, 9, 0, 0, 0, 1, out, &status));
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX, status);
	close(fd);
}

/*
 * HvGetVpCpuidValues follows the processor features of the partition:
 * features its creator disabled (1 GiB pages, bank 0 bit 15; SMEP, bank 0
 * bit 23) are gone from CPUID leaves 0x80000001 and 7.
 */
TEST_F(vp, cpuid_values_follow_disabled_features)
{
	struct mshv_create_partition_v2 args = {
		.pt_flags = 1ULL << MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES,
		.pt_num_cpu_fbanks = MSHV_NUM_CPU_FEATURES_BANKS,
		.pt_cpu_fbanks = { (1ULL << 15) | (1ULL << 23) },
	};
	__u32 plain[2][4], masked[2][4];
	int fd, pt, fd2;
	__u16 status;

	fd = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, cpuid_values(fd, 0, 0, 0x80000001, 7, 2, plain,
				  &status));
	pt = ioctl(self->dev, MSHV_CREATE_PARTITION, &args);
	ASSERT_LE(0, pt);
	ASSERT_EQ(0, mshv_initialize_partition(pt));
	fd2 = mshv_create_vp(pt, 0);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, cpuid_values(fd2, 0, 0, 0x80000001, 7, 2, masked,
				  &status));
	EXPECT_EQ(0U, masked[0][3] & (1U << 26));	/* 1 GiB pages */
	EXPECT_EQ(0U, masked[1][1] & (1U << 7));	/* SMEP */
	/* The rest of the leaves is the same. */
	EXPECT_EQ(plain[0][3] & ~(1U << 26), masked[0][3]);
	EXPECT_EQ(plain[1][1] & ~(1U << 7), masked[1][1]);
	if (sim_present()) {
		/* The simulated processor has both. */
		EXPECT_NE(0U, plain[0][3] & (1U << 26));
		EXPECT_NE(0U, plain[1][1] & (1U << 7));
	}
	close(fd2);
	close(pt);
	close(fd);
}

static int signal_event(int fd, __u32 vp_index, __u8 sint, __u16 flag,
			__u8 *newly, __u16 *status)
{
	struct hv_signal_event_in in = {
		.vp_index = vp_index,
		.sint = sint,
		.flag = flag,
	};
	__u64 out = ~0ULL;
	struct mshv_root_hvcall args = {
		.code = HVCALL_SIGNAL_EVENT_DIRECT,
		.in_sz = sizeof(in),
		.out_sz = sizeof(out),
		.in_ptr = (uintptr_t)&in,
		.out_ptr = (uintptr_t)&out,
	};
	int ret;

	ret = mshv_hvcall(fd, &args);
	*newly = out & 0xff;
	*status = args.status;
	return ret;
}

/*
 * HvSignalEventDirect sets an event flag of a SINT in the VP's SIEF page
 * and says whether it was newly set. The simulator's child SynIC counts
 * as enabled; on Hyper-V the guest would have to enable it first, so
 * there only the refusals are checked.
 */
TEST_F(vp, signal_event_direct)
{
	__u8 newly = 0xee, *buf = state_buf(PAGE_4K, 0);
	__u32 size = PAGE_4K;
	__u16 status;
	int fd;

	ASSERT_NE(NULL, buf);
	fd = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, signal_event(fd, 0, 16, 0, &newly, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, signal_event(fd, 0, 2, 2048, &newly, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, signal_event(fd, 4, 2, 5, &newly, &status));
	EXPECT_EQ(HV_STATUS_INVALID_VP_INDEX, status);
	if (!sim_present()) {
		close(fd);
		SKIP(return, "the child's SynIC is the guest's to enable");
	}

	ASSERT_EQ(0, signal_event(fd, 0, 2, 13, &newly, &status));
	EXPECT_EQ(1, newly);
	ASSERT_EQ(0, signal_event(fd, 0, 2, 13, &newly, &status));
	EXPECT_EQ(0, newly);
	ASSERT_EQ(0, mshv_vp_state(fd, MSHV_GET_VP_STATE, MSHV_VP_STATE_SIEFP, buf,
				   &size));
	EXPECT_EQ(1 << 5, buf[2 * 256 + 1]);	/* SINT 2, flag 13 */
	EXPECT_EQ(0, buf[2 * 256]);
	EXPECT_EQ(0, buf[3 * 256 + 1]);
	close(fd);
	munmap(buf, PAGE_4K);
}

static int post_message(int fd, __u32 sint, __u32 type, __u8 size,
			__u64 word, __u16 *status)
{
	struct hv_post_message_in in = { .sint = sint };
	struct mshv_root_hvcall args = {
		.code = HVCALL_POST_MESSAGE_DIRECT,
		.in_sz = sizeof(in),
		.in_ptr = (uintptr_t)&in,
	};
	struct hv_msg msg = {};
	int ret;

	msg.header.message_type = type;
	msg.header.payload_size = size;
	memcpy(msg.payload, &word, sizeof(word));
	memcpy(in.message, &msg, sizeof(msg));
	ret = mshv_hvcall(fd, &args);
	*status = args.status;
	return ret;
}

/*
 * HvPostMessageDirect puts a message in a SINT's slot of the VP's SIM
 * page; a slot still full is busy. As for events, only the refusals are
 * checked on Hyper-V.
 */
TEST_F(vp, post_message_direct)
{
	__u8 *buf = state_buf(PAGE_4K, 0);
	__u32 size = PAGE_4K;
	struct hv_msg *slot;
	__u16 status;
	int fd;

	ASSERT_NE(NULL, buf);
	fd = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, post_message(fd, 16, 1, 8, 0, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, post_message(fd, 3, 1, 241, 0, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	EXPECT_EQ(-EINVAL, post_message(fd, 3, 0, 8, 0, &status));
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER, status);
	if (!sim_present()) {
		close(fd);
		SKIP(return, "the child's SynIC is the guest's to enable");
	}

	ASSERT_EQ(0, post_message(fd, 3, 0x1234, 8, 0xfeedf00dULL, &status));
	EXPECT_EQ(0, status);
	EXPECT_EQ(-ENOMEM, post_message(fd, 3, 0x1235, 8, 1, &status));
	EXPECT_EQ(HV_STATUS_INSUFFICIENT_BUFFERS, status);
	ASSERT_EQ(0, mshv_vp_state(fd, MSHV_GET_VP_STATE, MSHV_VP_STATE_SIMP, buf,
				   &size));
	slot = (struct hv_msg *)buf + 3;
	EXPECT_EQ(0x1234U, slot->header.message_type);
	EXPECT_EQ(8, slot->header.payload_size);
	EXPECT_EQ(1, slot->header.flags & 1);	/* message pending */
	EXPECT_EQ(0xfeedf00dU, *(__u32 *)slot->payload);
	EXPECT_EQ(0U, ((struct hv_msg *)buf + 2)->header.message_type);
	close(fd);
	munmap(buf, PAGE_4K);
}

TEST_HARNESS_MAIN
