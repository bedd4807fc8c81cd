// SPDX-License-Identifier: GPL-2.0
/*
 * The register file of a virtual processor, through HvGetVpRegisters and
 * HvSetVpRegisters passed through MSHV_ROOT_HVCALL on the VP's file
 * descriptor: every x64 register name the root uses is written and read
 * back, values the register cannot hold (reserved bits, fixed bits, bits
 * beyond its size) are refused and leave it as it was, names that are not
 * registers and read-only registers are refused, and a new VP's reset
 * values and start-up state are those of Hyper-V.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mshv_test.h"

#define PAGE_4K			4096
#define NONCANONICAL		0x0000800000000000ULL
#define KERNEL_ADDR		0xffffffff81000000ULL
#define RESET_PAT		0x0007040600070406ULL

/** struct hv_reg_value - a 128-bit register value, low quadword first */
struct hv_reg_value {
	__u64 lo;
	__u64 hi;
};

/* The most registers one call here passes */
#define MAX_REGS	64

/**
 * struct reg_case - one register of the table
 * @name: its name
 * @good: a value it holds and returns
 * @bad: values it refuses (the first @nr_bad)
 * @nr_bad: how many of @bad are meant
 */
struct reg_case {
	__u32 name;
	struct hv_reg_value good;
	struct hv_reg_value bad[2];
	unsigned int nr_bad;
};

#define V(l)		{ .lo = (l) }
#define V2(l, h)	{ .lo = (l), .hi = (h) }
#define REG(n, g)	{ .name = (n), .good = V(g) }
#define REG_BAD(n, g, b) \
	{ .name = (n), .good = V(g), .bad = { V(b) }, .nr_bad = 1 }
#define REG_BAD2(n, g, b1, b2) \
	{ .name = (n), .good = V(g), .bad = { V(b1), V(b2) }, .nr_bad = 2 }

/* The registers whose name and values the table spells out */
static const struct reg_case reg_cases[] = {
	REG(HV_X64_REGISTER_RIP, 0x1234),
	REG_BAD2(HV_X64_REGISTER_RFLAGS, 0x202, 0, 0x8002),
	REG_BAD2(HV_X64_REGISTER_CR0, 0x80000033, 0x80000000, 1ULL << 32),
	REG(HV_X64_REGISTER_CR2, 0xdeadbeef000ULL),
	REG_BAD(HV_X64_REGISTER_CR3, 0x1000, 1ULL << 63),
	REG_BAD(HV_X64_REGISTER_CR4, 0x20, 1ULL << 32),
	REG_BAD(HV_X64_REGISTER_CR8, 5, 0x10),
	REG_BAD2(HV_X64_REGISTER_XFEM, 3, 0, 5),
	REG_BAD(HV_X64_REGISTER_EFER, 0x801, 2),
	REG(HV_X64_REGISTER_INTERMEDIATE_CR0, 0x11),
	REG(HV_X64_REGISTER_INTERMEDIATE_CR4, 0x20),
	REG(HV_X64_REGISTER_INTERMEDIATE_CR8, 3),
	REG(HV_X64_REGISTER_DR0 + 0, 0x1000),
	REG(HV_X64_REGISTER_DR0 + 1, 0x2000),
	REG(HV_X64_REGISTER_DR0 + 2, KERNEL_ADDR),
	REG(HV_X64_REGISTER_DR0 + 3, 0x4000),
	REG_BAD(HV_X64_REGISTER_DR6, 0xffff0ff1, 1ULL << 32),
	REG_BAD2(HV_X64_REGISTER_DR7, 0x401, 0, 0x400 | 1ULL << 32),
	REG_BAD(HV_X64_REGISTER_TSC_AUX, 7, 1ULL << 32),
	REG(HV_X64_REGISTER_TSC_ADJUST, 0x1000),
	REG_BAD(HV_X64_REGISTER_APIC_BASE, 0xfee00900, 0xfee00901),
	REG_BAD(HV_X64_REGISTER_PAT, 0x0606060606060606ULL,
		0x0202020202020202ULL),
	REG_BAD(HV_X64_REGISTER_SYSENTER_CS, 0x10, 1ULL << 32),
	REG_BAD(HV_X64_REGISTER_SYSENTER_EIP, KERNEL_ADDR, NONCANONICAL),
	REG_BAD(HV_X64_REGISTER_SYSENTER_ESP, KERNEL_ADDR + 8, NONCANONICAL),
	REG(HV_X64_REGISTER_STAR, 0x0023001000000000ULL),
	REG_BAD(HV_X64_REGISTER_LSTAR, KERNEL_ADDR + 16, NONCANONICAL),
	REG_BAD(HV_X64_REGISTER_CSTAR, KERNEL_ADDR + 24, NONCANONICAL),
	REG_BAD(HV_X64_REGISTER_SFMASK, 0x47700, 1ULL << 32),
	REG_BAD(HV_X64_REGISTER_KERNEL_GS_BASE, KERNEL_ADDR + 32,
		NONCANONICAL),
	REG_BAD2(HV_X64_REGISTER_MSR_MTRR_DEF_TYPE, 0xc06, 2, 0x106),
	REG_BAD(HV_X64_REGISTER_SPEC_CTRL, 1, 1ULL << 63),
	REG_BAD(HV_X64_REGISTER_U_XSS, 0, 1),
	REG_BAD(HV_X64_REGISTER_DEBUG_CTL, 1, 1ULL << 63),
	REG_BAD(HV_X64_REGISTER_U_CET, 1, 0x40),
	REG_BAD(HV_X64_REGISTER_S_CET, 1, 0x40),
	REG_BAD2(HV_X64_REGISTER_SSP, KERNEL_ADDR + 0x1000, KERNEL_ADDR + 3,
		 NONCANONICAL),
	REG_BAD(HV_X64_REGISTER_INTERRUPT_SSP_TABLE_ADDR, KERNEL_ADDR + 0x2000,
		NONCANONICAL),
	REG_BAD(HV_X64_REGISTER_HYPERCALL, 0x5000, 4),
	REG(HV_REGISTER_GUEST_OS_ID, 0x8100000000000000ULL),
	REG_BAD(HV_REGISTER_REFERENCE_TSC, 0x6000, 2),
	REG_BAD(HV_REGISTER_SCONTROL, 1, 2),
	REG_BAD(HV_REGISTER_SIEFP, 0x7000, 2),
	REG_BAD(HV_REGISTER_SIMP, 0x8000, 2),
	/* exception 14 with error code 2 pending; type 1 is not a type */
	REG_BAD2(HV_REGISTER_PENDING_INTERRUPTION, 0x2000e0017ULL, 0x3, 0x400),
	REG_BAD(HV_REGISTER_INTERRUPT_STATE, 3, 4),
	REG_BAD(HV_REGISTER_INTERNAL_ACTIVITY_STATE, 0, 8),
	REG_BAD(HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS, 3, 1ULL << 6),
	REG_BAD(HV_REGISTER_EXPLICIT_SUSPEND, 1, 2),
	REG_BAD(HV_REGISTER_INTERCEPT_SUSPEND, 0, 2),
	REG_BAD(HV_REGISTER_DISPATCH_SUSPEND, 0, 2),
	{ .name = HV_X64_REGISTER_FP_CONTROL_STATUS, .good = V2(0x37f, 0x1000) },
	{ .name = HV_X64_REGISTER_XMM_CONTROL_STATUS,
	  .good = V2(0x2000, 0x1f80 | 0xffffULL << 32),
	  .bad = { V2(0, 1 << 16) }, .nr_bad = 1 },
	{ .name = HV_REGISTER_PENDING_EVENT0, .good = V2(0xe0030, 0x1000) },
	{ .name = HV_REGISTER_PENDING_EVENT1, .good = V2(0, 0x2000) },
};

/* Names that are not registers of an x64 VP */
static const __u32 bad_names[] = {
	0x00020012,			/* past RFLAGS */
	0x00040006,			/* past XFEM */
	0x00050006,			/* past DR7 */
	0x00070002,			/* past GDTR */
	0x0008FFFF,
	0xFFFFFFFF,
};

static int regs_call(int vp, __u16 code, __u32 index, const void *elems,
		     size_t elem_size, unsigned int n, void *out,
		     __u16 *status, __u16 *reps)
{
	__u64 in[PAGE_4K / sizeof(__u64)];
	struct hv_vp_regs_in *hdr = (struct hv_vp_regs_in *)in;
	struct mshv_root_hvcall args = {
		.code = code,
		.reps = n,
		.in_sz = sizeof(*hdr) + n * elem_size,
		.in_ptr = (uintptr_t)in,
	};
	int ret;

	if (out) {
		args.out_sz = n * sizeof(struct hv_reg_value);
		args.out_ptr = (uintptr_t)out;
	}
	memset(in, 0, sizeof(in));
	hdr->vp_index = index;
	memcpy(hdr + 1, elems, n * elem_size);
	ret = mshv_hvcall(vp, &args);
	/* Refused by the driver, not issued: no status of the hypervisor. */
	*status = ret && !args.status ? 0xffff : args.status;
	if (reps)
		*reps = args.reps;
	return ret;
}

/* HvSetVpRegisters of @n registers; the hypervisor status. */
static __u16 set_regs(int vp, __u32 index, const struct mshv_vp_reg *regs,
		      unsigned int n, __u16 *reps)
{
	__u16 status = 0xffff;

	regs_call(vp, HVCALL_SET_VP_REGISTERS, index, regs, sizeof(*regs), n,
		  NULL, &status, reps);
	return status;
}

/* HvGetVpRegisters of @n registers; the hypervisor status. */
static __u16 get_regs(int vp, __u32 index, const __u32 *names,
		      unsigned int n, struct hv_reg_value *values, __u16 *reps)
{
	__u16 status = 0xffff;

	memset(values, 0xa5, n * sizeof(*values));
	regs_call(vp, HVCALL_GET_VP_REGISTERS, index, names, sizeof(*names), n,
		  values, &status, reps);
	return status;
}

static __u16 set_reg(int vp, __u32 index, __u32 name, struct hv_reg_value v)
{
	struct mshv_vp_reg reg = { .name = name, .lo = v.lo, .hi = v.hi };

	return set_regs(vp, index, &reg, 1, NULL);
}

static __u16 get_reg(int vp, __u32 index, __u32 name, struct hv_reg_value *v)
{
	return get_regs(vp, index, &name, 1, v, NULL);
}

/*
 * Set @c's good value and read it back; set each bad value, which must be
 * refused and leave the good one.
 */
static void check_case(struct __test_metadata *_metadata, int vp,
		       const struct reg_case *c)
{
	struct hv_reg_value got;
	unsigned int i;

	ASSERT_EQ(HV_STATUS_SUCCESS, set_reg(vp, 0, c->name, c->good))
		TH_LOG("set register 0x%x", c->name);
	ASSERT_EQ(HV_STATUS_SUCCESS, get_reg(vp, 0, c->name, &got));
	EXPECT_EQ(c->good.lo, got.lo) TH_LOG("register 0x%x", c->name);
	EXPECT_EQ(c->good.hi, got.hi) TH_LOG("register 0x%x", c->name);
	for (i = 0; i < c->nr_bad; i++) {
		EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
			  set_reg(vp, 0, c->name, c->bad[i]))
			TH_LOG("register 0x%x, bad value %u", c->name, i);
		ASSERT_EQ(HV_STATUS_SUCCESS, get_reg(vp, 0, c->name, &got));
		EXPECT_EQ(c->good.lo, got.lo) TH_LOG("register 0x%x", c->name);
		EXPECT_EQ(c->good.hi, got.hi) TH_LOG("register 0x%x", c->name);
	}
}

/* A partition with local x2APICs and VP 0, not running. */
FIXTURE(regs) {
	int dev;
	int pt;
	int vp;
};

FIXTURE_SETUP(regs)
{
	self->pt = -1;
	self->vp = -1;
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
}

FIXTURE_TEARDOWN(regs)
{
	if (self->vp >= 0)
		close(self->vp);
	if (self->pt >= 0)
		close(self->pt);
	if (self->dev >= 0)
		close(self->dev);
}

/* The registers the table spells out, one at a time. */
TEST_F(regs, table)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reg_cases); i++)
		check_case(_metadata, self->vp, &reg_cases[i]);
}

/*
 * The numbered families: the general purpose, XMM and x87/MMX registers,
 * the variable and fixed MTRRs, the shadow stack pointers, the SINTs and
 * the synthetic timers, all set in one call and read back in one.
 */
TEST_F(regs, families)
{
	static struct mshv_vp_reg regs[MAX_REGS];
	struct hv_reg_value got[MAX_REGS];
	__u32 names[MAX_REGS];
	unsigned int i, n;
	__u16 reps;
	int round;

	for (round = 0; round < 2; round++) {
		n = 0;
		memset(regs, 0, sizeof(regs));
		if (!round) {
			for (i = 0; i < 16; i++) {
				regs[n].name = HV_X64_REGISTER_RAX + i;
				regs[n++].lo = 0x1111111111111111ULL *
						     (i + 1);
			}
			for (i = 0; i < 16; i++) {
				regs[n].name = HV_X64_REGISTER_XMM0 + i;
				regs[n].lo = 0x0101010101010101ULL * i;
				regs[n++].hi = ~0ULL - i;
			}
			for (i = 0; i < 8; i++) {
				regs[n].name = HV_X64_REGISTER_FP_MMX0 + i;
				regs[n].lo = 0x8000000000000000ULL | i;
				regs[n++].hi = 0x3fff + i;
			}
		} else {
			for (i = 0; i < 8; i++) {
				regs[n].name = HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0 + i;
				regs[n++].lo = 0x80000006ULL +
						     i * 0x10000000ULL;
				regs[n].name = HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0 + i;
				regs[n++].lo = 0xff0000800ULL;
			}
			for (i = 0; i < 11; i++) {
				regs[n].name = HV_X64_REGISTER_MSR_MTRR_FIX64K00000 + i;
				regs[n++].lo = i & 1 ?
						     0x0504010006050401ULL :
						     0x0606060606060606ULL;
			}
			for (i = 0; i < 4; i++) {
				regs[n].name = HV_X64_REGISTER_PL0_SSP + i;
				regs[n++].lo = KERNEL_ADDR + i * 0x100;
			}
			for (i = 0; i < 16; i++) {
				regs[n].name = HV_REGISTER_SINT0 + i;
				regs[n++].lo = 0x10020 + i;
			}
			for (i = 0; i < 4; i++) {
				regs[n].name = HV_REGISTER_STIMER0_CONFIG + 2 * i;
				regs[n++].lo = (0x40 + i) << 4 | 2 << 16;
				regs[n].name = HV_REGISTER_STIMER0_COUNT + 2 * i;
				regs[n++].lo = 1000000 * (i + 1);
			}
		}
		ASSERT_GE((unsigned int)MAX_REGS, n);
		ASSERT_EQ(HV_STATUS_SUCCESS, set_regs(self->vp, 0, regs, n,
						      &reps));
		EXPECT_EQ(n, (unsigned int)reps);
		for (i = 0; i < n; i++)
			names[i] = regs[i].name;
		ASSERT_EQ(HV_STATUS_SUCCESS, get_regs(self->vp, 0, names, n,
						      got, &reps));
		EXPECT_EQ(n, (unsigned int)reps);
		for (i = 0; i < n; i++) {
			EXPECT_EQ(regs[i].lo, got[i].lo)
				TH_LOG("register 0x%x", names[i]);
			EXPECT_EQ(regs[i].hi, got[i].hi)
				TH_LOG("register 0x%x", names[i]);
		}
	}
}

/* Segment and descriptor-table registers keep every field. */
TEST_F(regs, segments_and_tables)
{
	struct hv_reg_value v, got;
	unsigned int i;

	for (i = 0; i <= HV_X64_REGISTER_TR - HV_X64_REGISTER_ES; i++) {
		/* base; limit, selector, attributes */
		v.lo = 0x12340000ULL + i;
		v.hi = 0xffffULL | (0x10ULL + i * 8) << 32 | 0x93ULL << 48;
		ASSERT_EQ(HV_STATUS_SUCCESS,
			  set_reg(self->vp, 0, HV_X64_REGISTER_ES + i, v));
		ASSERT_EQ(HV_STATUS_SUCCESS,
			  get_reg(self->vp, 0, HV_X64_REGISTER_ES + i, &got));
		EXPECT_EQ(v.lo, got.lo);
		EXPECT_EQ(v.hi, got.hi);
	}
	/* pad[3], limit; base */
	v.lo = 0x00ffULL << 48;
	v.hi = KERNEL_ADDR;
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(HV_STATUS_SUCCESS,
			  set_reg(self->vp, 0, HV_X64_REGISTER_IDTR + i, v));
		ASSERT_EQ(HV_STATUS_SUCCESS,
			  get_reg(self->vp, 0, HV_X64_REGISTER_IDTR + i, &got));
		EXPECT_EQ(v.lo, got.lo);
		EXPECT_EQ(v.hi, got.hi);
	}
}

/*
 * Refused: names that are not registers (for reads and writes), writes to
 * read-only registers, and a 64-bit register given bits past 64.
 */
TEST_F(regs, refused)
{
	struct hv_reg_value v = { .lo = 1 }, got;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_names); i++) {
		EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
			  get_reg(self->vp, 0, bad_names[i], &got))
			TH_LOG("name 0x%x", bad_names[i]);
		EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
			  set_reg(self->vp, 0, bad_names[i], v))
			TH_LOG("name 0x%x", bad_names[i]);
	}

	/* MTRRcap and the VP index are read-only. */
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(self->vp, 0, HV_X64_REGISTER_MSR_MTRR_CAP, &got));
	EXPECT_EQ(8ULL, got.lo & 0xff);		/* variable ranges */
	EXPECT_NE(0ULL, got.lo & (1 << 8));	/* fixed ranges */
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  set_reg(self->vp, 0, HV_X64_REGISTER_MSR_MTRR_CAP, got));
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(self->vp, 0, HV_REGISTER_VP_INDEX, &got));
	EXPECT_EQ(0ULL, got.lo);
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  set_reg(self->vp, 0, HV_REGISTER_VP_INDEX, v));

	/* RAX holds 64 bits. */
	v.hi = 1;
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  set_reg(self->vp, 0, HV_X64_REGISTER_RAX, v));

	/* EOM is write-only: it takes any value and reads 0. */
	v.hi = 0;
	EXPECT_EQ(HV_STATUS_SUCCESS, set_reg(self->vp, 0, HV_REGISTER_EOM, v));
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(self->vp, 0, HV_REGISTER_EOM, &got));
	EXPECT_EQ(0ULL, got.lo);
}

/* A rep call stops at the first refused register: earlier ones are set. */
TEST_F(regs, rep_stops_at_refused)
{
	struct mshv_vp_reg regs[3] = {
		{ .name = HV_X64_REGISTER_RIP, .lo = 0x4321 },
		{ .name = HV_X64_REGISTER_CR8, .lo = 0x10 },
		{ .name = HV_X64_REGISTER_STAR, .lo = 0x55 },
	};
	__u32 names[3] = {
		HV_X64_REGISTER_RIP, 0x00040006, HV_X64_REGISTER_STAR,
	};
	struct hv_reg_value got[3];
	__u16 reps = 0;

	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  set_regs(self->vp, 0, regs, 3, &reps));
	EXPECT_EQ(1U, (unsigned int)reps);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(self->vp, 0, HV_X64_REGISTER_RIP, &got[0]));
	EXPECT_EQ(0x4321ULL, got[0].lo);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(self->vp, 0, HV_X64_REGISTER_STAR, &got[0]));
	EXPECT_NE(0x55ULL, got[0].lo);

	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  get_regs(self->vp, 0, names, 3, got, &reps));
	EXPECT_EQ(1U, (unsigned int)reps);
}

/* The partition's file descriptor reaches the same register file. */
TEST_F(regs, through_partition_fd)
{
	struct hv_reg_value v = { .lo = 0x0023001000000000ULL }, got;

	ASSERT_EQ(HV_STATUS_SUCCESS,
		  set_reg(self->pt, 0, HV_X64_REGISTER_STAR, v));
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(self->vp, 0, HV_X64_REGISTER_STAR, &got));
	EXPECT_EQ(v.lo, got.lo);
	v.lo = 0x7;
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  set_reg(self->vp, 0, HV_X64_REGISTER_TSC_AUX, v));
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(self->pt, 0, HV_X64_REGISTER_TSC_AUX, &got));
	EXPECT_EQ(v.lo, got.lo);
	EXPECT_EQ(HV_STATUS_INVALID_PARAMETER,
		  get_reg(self->pt, 0, 0x00040006, &got));
}

/* A new VP: explicitly suspended, with the architectural reset values. */
TEST_F(regs, reset_values)
{
	static const struct {
		__u32 name;
		__u64 value;
	} want[] = {
		{ HV_REGISTER_EXPLICIT_SUSPEND, 1 },
		{ HV_REGISTER_INTERCEPT_SUSPEND, 0 },
		{ HV_REGISTER_INTERNAL_ACTIVITY_STATE, 0 },	/* the BSP */
		{ HV_X64_REGISTER_RIP, 0xfff0 },
		{ HV_X64_REGISTER_RFLAGS, 2 },
		{ HV_X64_REGISTER_DR6, 0xffff0ff0 },
		{ HV_X64_REGISTER_DR7, 0x400 },
		{ HV_X64_REGISTER_XFEM, 1 },
		{ HV_X64_REGISTER_EFER, 0 },
		{ HV_X64_REGISTER_PAT, RESET_PAT },
		{ HV_X64_REGISTER_MSR_MTRR_DEF_TYPE, 0 },
		{ HV_REGISTER_SINT0, 1 << 16 },		/* masked */
		{ HV_REGISTER_SINT0 + 15, 1 << 16 },
	};
	struct hv_reg_value got, cs;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		ASSERT_EQ(HV_STATUS_SUCCESS,
			  get_reg(self->vp, 0, want[i].name, &got));
		EXPECT_EQ(want[i].value, got.lo)
			TH_LOG("register 0x%x", want[i].name);
	}
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(self->vp, 0, HV_X64_REGISTER_APIC_BASE, &got));
	EXPECT_EQ(0xfee00900ULL, got.lo & ~0x400ULL);	/* enabled, BSP */
	ASSERT_EQ(HV_STATUS_SUCCESS, get_reg(self->vp, 0, HV_X64_REGISTER_CS,
					     &cs));
	EXPECT_EQ(0xffff0000ULL, cs.lo);		/* base */
	EXPECT_EQ(0xf000ULL, (cs.hi >> 32) & 0xffff);	/* selector */
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(self->vp, 0, HV_X64_REGISTER_FP_CONTROL_STATUS,
			  &got));
	EXPECT_EQ(0x37fULL, got.lo & 0xffff);		/* FCW */
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(self->vp, 0, HV_X64_REGISTER_XMM_CONTROL_STATUS,
			  &got));
	EXPECT_EQ(0x1f80ULL, got.hi & 0xffffffff);	/* MXCSR */
}

/*
 * With local APICs, an application processor waits for a startup IPI
 * until the root lifts the wait; without, every VP starts at the reset
 * vector.
 */
TEST_F(regs, ap_waits_for_sipi)
{
	struct hv_reg_value got, zero = {};
	int ap, plain, vp;

	ap = mshv_create_vp(self->pt, 1);
	ASSERT_LE(0, ap);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(ap, 1, HV_REGISTER_INTERNAL_ACTIVITY_STATE, &got));
	EXPECT_EQ(1ULL, got.lo);			/* startup suspend */
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(ap, 1, HV_X64_REGISTER_APIC_BASE, &got));
	EXPECT_EQ(0ULL, got.lo & 0x100);		/* not the BSP */
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(ap, 1, HV_REGISTER_EXPLICIT_SUSPEND, &got));
	EXPECT_EQ(1ULL, got.lo);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  set_reg(ap, 1, HV_REGISTER_INTERNAL_ACTIVITY_STATE, zero));
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(ap, 1, HV_REGISTER_INTERNAL_ACTIVITY_STATE, &got));
	EXPECT_EQ(0ULL, got.lo);
	close(ap);

	plain = mshv_create_partition(self->dev, 0, MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, plain);
	ASSERT_EQ(0, mshv_initialize_partition(plain));
	vp = mshv_create_vp(plain, 1);
	ASSERT_LE(0, vp);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(vp, 1, HV_REGISTER_INTERNAL_ACTIVITY_STATE, &got));
	EXPECT_EQ(0ULL, got.lo);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(vp, 1, HV_REGISTER_EXPLICIT_SUSPEND, &got));
	EXPECT_EQ(1ULL, got.lo);
	close(vp);
	close(plain);
}

/* ---- Start-up of application processors --------------------------------- */

#define GUEST_SIZE	0x10000
#define BSP_CODE	0x1000
#define AP_PAGE		2		/* the SIPI vector: code at 0x2000 */
#define AP_PORT		0x81

/*
 * The bootstrap processor, real mode: enable the x2APIC, send INIT and a
 * startup IPI for page AP_PAGE to APIC id 1 through the ICR, write port
 * 0x80 (a hypervisor with local APICs handles even HLT with interrupts off
 * itself: the VMM would not see it).
 */
GUEST_CODE16(bsp_prog,
	     GUEST_X2APIC_MODE
	     "mov $0x830, %ecx\n\t"			/* mov ecx, x2APIC ICR */
	     "mov $0x4500, %eax\n\t"			/* mov eax, INIT, assert */
	     "mov $0x1, %edx\n\t"			/* mov edx, APIC id 1 */
	     "wrmsr\n\t"
	     "mov $(0x4600 | " GUEST_STR(AP_PAGE) "), %eax\n\t"	/* SIPI */
	     "wrmsr\n\t"
	     "out %al, $0x80");

/* An application processor: report CS on port AP_PORT. */
GUEST_CODE16(ap_prog,
	     "mov %cs, %ax\n\t"
	     "out %ax, $" GUEST_STR(AP_PORT) "\n\t"
	     "hlt");

/* A partition with local x2APICs, 64 KiB of memory, VP 0 and VP 1. */
FIXTURE(startup) {
	int dev;
	int pt;
	int bsp;
	int ap;
	__u8 *mem;
};

FIXTURE_SETUP(startup)
{
	self->pt = -1;
	self->bsp = -1;
	self->ap = -1;
	self->mem = MAP_FAILED;
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	self->pt = mshv_create_partition(self->dev,
					 (1 << MSHV_PT_BIT_LAPIC) |
					 (1 << MSHV_PT_BIT_X2APIC),
					 MSHV_PT_ISOLATION_NONE);
	ASSERT_LE(0, self->pt);
	ASSERT_EQ(0, mshv_initialize_partition(self->pt));
	self->mem = guest_mem_alloc(GUEST_SIZE);
	ASSERT_NE(MAP_FAILED, self->mem);
	guest_code_load(self->mem, BSP_CODE, bsp_prog);
	guest_code_load(self->mem, AP_PAGE << 12, ap_prog);
	ASSERT_EQ(0, guest_mem_map(self->pt, 0, self->mem, GUEST_SIZE));
	self->bsp = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, self->bsp);
	self->ap = mshv_create_vp(self->pt, 1);
	ASSERT_LE(0, self->ap);
	ASSERT_EQ(0, guest_real_mode(self->bsp, 0, BSP_CODE, 0));
}

FIXTURE_TEARDOWN(startup)
{
	if (self->ap >= 0)
		close(self->ap);
	if (self->bsp >= 0)
		close(self->bsp);
	if (self->pt >= 0)
		close(self->pt);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, GUEST_SIZE);
	if (self->dev >= 0)
		close(self->dev);
}

/* The AP stopped at its OUT, in real mode at the page of the SIPI. */
static void check_ap_started(struct __test_metadata *_metadata,
			     const struct mshv_vp_run *run)
{
	EXPECT_EQ(0, run->err);
	ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, run->msg.header.message_type);
	EXPECT_EQ((__u16)AP_PORT, run->msg.io.port);
	EXPECT_EQ((__u64)AP_PAGE << 8, run->msg.io.rax & 0xffff);
}

/*
 * MSHV_RUN_VP of an AP waits while the AP waits for a startup IPI; the
 * bootstrap processor's INIT and SIPI through its ICR start it.
 */
TEST_F(startup, init_sipi_through_icr)
{
	struct mshv_vp_run run = { .vp = self->ap };
	struct hv_msg msg;
	pthread_t tid;

	ASSERT_EQ(0, pthread_create(&tid, NULL, mshv_vp_run_thread, &run));
	usleep(20000);		/* let the AP reach its wait */
	ASSERT_EQ(0, ioctl(self->bsp, MSHV_RUN_VP, &msg));
	EXPECT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg.header.message_type);
	ASSERT_EQ(0, pthread_join(tid, NULL));
	check_ap_started(_metadata, &run);
}

/* HvAssertVirtualInterrupt of @type with @vector to APIC id 1. */
static __u16 assert_irq(int pt, __u32 type, __u32 vector)
{
	__u16 status = 0;

	if (mshv_assert_interrupt(pt, type, 0, 1, vector, &status) && !status)
		return 0xffff;		/* refused by the driver */
	return status;
}

/* The VMM starts the AP itself with INIT and SIPI hypercalls. */
TEST_F(startup, init_sipi_through_hypercalls)
{
	struct mshv_vp_run run = { .vp = self->ap };
	struct hv_reg_value got;

	ASSERT_EQ(HV_STATUS_SUCCESS,
		  assert_irq(self->pt, HV_X64_INTERRUPT_TYPE_INIT, 0));
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(self->ap, 1, HV_REGISTER_INTERNAL_ACTIVITY_STATE,
			  &got));
	EXPECT_EQ(1ULL, got.lo);
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  assert_irq(self->pt, HV_X64_INTERRUPT_TYPE_SIPI, AP_PAGE));
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  get_reg(self->ap, 1, HV_REGISTER_INTERNAL_ACTIVITY_STATE,
			  &got));
	EXPECT_EQ(0ULL, got.lo);
	mshv_vp_run_thread(&run);
	check_ap_started(_metadata, &run);
}

/*
 * A VMM that sets an AP's registers itself starts it by clearing its
 * internal activity state, as on Hyper-V.
 */
TEST_F(startup, vmm_starts_ap)
{
	struct hv_reg_value cs = {
		.lo = AP_PAGE << 12,
		.hi = 0xffff | (__u64)(AP_PAGE << 8) << 32 | 0x9bULL << 48,
	};
	struct hv_reg_value zero = {};
	struct mshv_vp_run run = { .vp = self->ap };

	ASSERT_EQ(HV_STATUS_SUCCESS,
		  set_reg(self->ap, 1, HV_X64_REGISTER_CS, cs));
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  set_reg(self->ap, 1, HV_X64_REGISTER_RIP, zero));
	ASSERT_EQ(HV_STATUS_SUCCESS,
		  set_reg(self->ap, 1, HV_REGISTER_INTERNAL_ACTIVITY_STATE,
			  zero));
	mshv_vp_run_thread(&run);
	check_ap_started(_metadata, &run);
}

TEST_HARNESS_MAIN
