// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the mshv_sim hypervisor model. Each test case drives a
 * private simulator instance (not the one registered with the hypervisor
 * seam) through mshv_sim_hypercall(), with input and output pages of its
 * own, exactly as the root partition driver would.
 */
#include <kunit/test-bug.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/bitfield.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/irq_work.h>
#include <linux/math.h>
#include <linux/math64.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/numa.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <asm/irq_vectors.h>
#include <asm/mshyperv.h>
#include <hyperv/hv_proc.h>
#include <hyperv/hv_seam.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

/* Creation flags the root partition driver sends for a typical VM. */
#define TEST_CREATION_FLAGS					\
	(HV_PARTITION_CREATION_FLAG_EXO_PARTITION |		\
	 HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED |		\
	 HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE |		\
	 HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED)

/* A hypercall code the simulator does not implement. */
#define TEST_UNKNOWN_CODE	0x7fff
/* A partition id that is never allocated. */
#define TEST_BAD_ID		0x12345678ULL
/* Processor feature bank 0 of the simulated processor. */
#define TEST_FEATURES0						\
	(HV_X64_PROC_FEATURE0_LAHF_SAHF | HV_X64_PROC_FEATURE0_PAGE_1GB | \
	 HV_X64_PROC_FEATURE0_SMEP | HV_X64_PROC_FEATURE0_SMAP)

/**
 * struct mshv_sim_test - per-test state
 * @sim: the private simulator instance
 * @in: hypercall input page
 * @out: hypercall output page
 */
struct mshv_sim_test {
	struct mshv_sim *sim;
	void *in;
	void *out;
};

static struct mshv_sim_test *test_ctx(struct kunit *test)
{
	return test->priv;
}

/* A hypercall control word; usable in constant initializers. */
#define TEST_CTL(code, reps, start)					\
	((u64)(code) | ((u64)(reps) << HV_HYPERCALL_REP_COMP_OFFSET) |	\
	 ((u64)(start) << HV_HYPERCALL_REP_START_OFFSET))

/* Issue a memory-form hypercall with the test's own pages. */
static u64 test_call(struct kunit *test, u64 control)
{
	struct mshv_sim_test *ctx = test_ctx(test);

	return mshv_sim_hypercall(ctx->sim, control, virt_to_phys(ctx->in),
				  virt_to_phys(ctx->out));
}

/* Issue a fast hypercall taking a partition id. */
static u64 test_fast(struct kunit *test, u16 code, u64 partition_id)
{
	return mshv_sim_hypercall(test_ctx(test)->sim,
				  code | HV_HYPERCALL_FAST_BIT, partition_id, 0);
}

/* Issue the memory form of a call taking a partition id. */
static u64 test_slow(struct kunit *test, u16 code, u64 partition_id)
{
	u64 *in = test_ctx(test)->in;

	in[0] = partition_id;
	return test_call(test, TEST_CTL(code, 0, 0));
}

static void test_alloc_pfns(struct kunit *test, u64 *pfns, unsigned int nr)
{
	struct page *page;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		page = alloc_page(GFP_KERNEL);
		if (!page)
			break;
		pfns[i] = page_to_pfn(page);
	}
	if (i == nr)
		return;
	while (i--)
		__free_page(pfn_to_page(pfns[i]));
	KUNIT_FAIL_AND_ABORT(test, "out of pages");
}

static void test_free_pfns(const u64 *pfns, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		__free_page(pfn_to_page(pfns[i]));
}

static u64 *test_pfn_array(struct kunit *test, unsigned int nr)
{
	u64 *pfns = kunit_kcalloc(test, nr, sizeof(*pfns), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, pfns);
	return pfns;
}

/* One DepositMemory call of @nr PFNs starting at rep @start. */
static u64 test_deposit_call(struct kunit *test, u64 partition_id,
			     const u64 *pfns, unsigned int nr,
			     unsigned int start)
{
	struct hv_deposit_memory *in = test_ctx(test)->in;

	in->partition_id = partition_id;
	memcpy(in->gpa_page_list, pfns, nr * sizeof(*pfns));
	return test_call(test, TEST_CTL(HVCALL_DEPOSIT_MEMORY, nr, start));
}

/* Deposit @pfns, which must all be accepted in one call. */
static void test_deposit_pfns(struct kunit *test, u64 partition_id,
			      const u64 *pfns, unsigned int nr)
{
	u64 ret = test_deposit_call(test, partition_id, pfns, nr, 0);

	if (hv_result(ret) != HV_STATUS_SUCCESS || hv_repcomp(ret) != nr)
		test_free_pfns(pfns + hv_repcomp(ret), nr - hv_repcomp(ret));
	KUNIT_ASSERT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), nr);
}

/* Deposit @nr fresh pages; record their PFNs in @pfns unless NULL. */
static void test_deposit(struct kunit *test, u64 partition_id,
			 unsigned int nr, u64 *pfns)
{
	if (!pfns)
		pfns = test_pfn_array(test, nr);
	test_alloc_pfns(test, pfns, nr);
	test_deposit_pfns(test, partition_id, pfns, nr);
}

/* One WithdrawMemory call; the PFNs land in the output page. */
static u64 test_withdraw(struct kunit *test, u64 partition_id,
			 unsigned int nr, unsigned int start)
{
	struct hv_input_withdraw_memory *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->partition_id = partition_id;
	return test_call(test, TEST_CTL(HVCALL_WITHDRAW_MEMORY, nr, start));
}

/* Withdraw exactly @nr pages, check them and free them. */
static void test_withdraw_all(struct kunit *test, u64 partition_id,
			      unsigned int nr)
{
	u64 ret = test_withdraw(test, partition_id, nr, 0);

	KUNIT_ASSERT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), nr);
	test_free_pfns(test_ctx(test)->out, nr);
}

static u64 test_create(struct kunit *test, u64 flags, u64 *partition_id)
{
	struct hv_input_create_partition *in = test_ctx(test)->in;
	struct hv_output_create_partition *out = test_ctx(test)->out;
	u64 ret;

	memset(in, 0, sizeof(*in));
	in->flags = flags;
	in->compatibility_version = HV_COMPATIBILITY_21_H2;
	out->partition_id = 0;
	ret = test_call(test, TEST_CTL(HVCALL_CREATE_PARTITION, 0, 0));
	*partition_id = out->partition_id;
	return ret;
}

/* Give the root pool what creation needs, then create a partition. */
static u64 test_new_partition(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u32 need = mshv_sim_get_knob(sim, MSHV_SIM_KNOB_CREATE_PAGES);
	u64 id, ret;

	if (need)
		test_deposit(test, HV_PARTITION_ID_SELF, need, NULL);
	ret = test_create(test, TEST_CREATION_FLAGS, &id);
	KUNIT_ASSERT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_ASSERT_NE(test, id, 0);
	return id;
}

static u64 test_get_prop(struct kunit *test, u64 partition_id, u32 code,
			 u64 *value)
{
	struct hv_input_get_partition_property *in = test_ctx(test)->in;
	struct hv_output_get_partition_property *out = test_ctx(test)->out;
	u64 ret;

	memset(in, 0, sizeof(*in));
	in->partition_id = partition_id;
	in->property_code = code;
	out->property_value = U64_MAX;
	ret = test_call(test,
			TEST_CTL(HVCALL_GET_PARTITION_PROPERTY, 0, 0));
	*value = out->property_value;
	return ret;
}

/* HvGetPartitionPropertyEx of a 64-bit property. */
static u64 test_get_prop_ex(struct kunit *test, u64 partition_id, u32 code,
			    u64 *value)
{
	struct hv_input_get_partition_property_ex *in = test_ctx(test)->in;
	u64 *out = test_ctx(test)->out;
	u64 ret;

	memset(in, 0, sizeof(*in));
	in->partition_id = partition_id;
	in->property_code = code;
	*out = U64_MAX;
	ret = test_call(test,
			TEST_CTL(HVCALL_GET_PARTITION_PROPERTY_EX, 0, 0));
	*value = *out;
	return ret;
}

static u64 test_set_prop(struct kunit *test, u64 partition_id, u32 code,
			 u64 value)
{
	struct hv_input_set_partition_property *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->partition_id = partition_id;
	in->property_code = code;
	in->property_value = value;
	return test_call(test,
			 TEST_CTL(HVCALL_SET_PARTITION_PROPERTY, 0, 0));
}

static void test_expect_stats(struct kunit *test, u64 partitions,
			      u64 deposited, u64 root_pages, u64 root_in_use,
			      u64 leaked)
{
	struct mshv_sim_stats stats;

	mshv_sim_get_stats(test_ctx(test)->sim, &stats);
	KUNIT_EXPECT_EQ(test, stats.partitions, partitions);
	KUNIT_EXPECT_EQ(test, stats.deposited_pages, deposited);
	KUNIT_EXPECT_EQ(test, stats.root_pool_pages, root_pages);
	KUNIT_EXPECT_EQ(test, stats.root_pool_in_use, root_in_use);
	KUNIT_EXPECT_EQ(test, stats.leaked_pages, leaked);
}

static void test_expect_pool(struct kunit *test, u64 partition_id,
			     enum mshv_sim_pt_state state, u64 pages,
			     u64 in_use)
{
	struct mshv_sim_pt_info info;

	KUNIT_ASSERT_EQ(test, mshv_sim_get_partition_info(test_ctx(test)->sim,
							  partition_id, &info),
			0);
	KUNIT_EXPECT_EQ(test, info.state, state);
	KUNIT_EXPECT_EQ(test, info.pool_pages, pages);
	KUNIT_EXPECT_EQ(test, info.pool_in_use, in_use);
}

static int test_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Expect @got to hold the same PFNs as @want, in any order. */
static void test_expect_same_pfns(struct kunit *test, u64 *want, u64 *got,
				  unsigned int nr)
{
	sort(want, nr, sizeof(*want), test_cmp_u64, NULL);
	sort(got, nr, sizeof(*got), test_cmp_u64, NULL);
	KUNIT_EXPECT_MEMEQ(test, want, got, nr * sizeof(*want));
}

/* A GPA that is not backed by online memory, or 0 if none was found. */
static u64 test_bogus_gpa(void)
{
	unsigned long pfn = 1UL << (50 - PAGE_SHIFT);

	return pfn_to_online_page(pfn) ? 0 : PFN_PHYS(pfn);
}

/* Control word validation, table driven */

enum test_gpa {
	TEST_GPA_PAGE,	/* the test's page plus an offset */
	TEST_GPA_NONE,	/* 0: no page */
	TEST_GPA_BOGUS,	/* not RAM */
};

/**
 * struct test_control_case - one control word check
 * @name: description
 * @control: control word
 * @in_off: offset added to the input page GPA
 * @out_off: offset added to the output page GPA
 * @in: kind of input GPA
 * @out: kind of output GPA
 * @status: expected status
 * @reps: expected reps completed
 */
struct test_control_case {
	const char *name;
	u64 control;
	u64 in_off;
	u64 out_off;
	enum test_gpa in;
	enum test_gpa out;
	u16 status;
	u16 reps;
};

#define GET_PROP	HVCALL_GET_PARTITION_PROPERTY

static const struct test_control_case test_control_cases[] = {
	{ .name = "valid get property", .control = GET_PROP,
	  .status = HV_STATUS_SUCCESS },
	{ .name = "reserved bit 27", .control = GET_PROP | BIT_ULL(27),
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "nested bit 31", .control = GET_PROP | BIT_ULL(31),
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "reserved bit 44", .control = GET_PROP | BIT_ULL(44),
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "reserved bit 63", .control = GET_PROP | BIT_ULL(63),
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "unknown code", .control = TEST_UNKNOWN_CODE,
	  .status = HV_STATUS_INVALID_HYPERCALL_CODE },
	{ .name = "variable header on fixed call",
	  .control = GET_PROP | BIT_ULL(HV_HYPERCALL_VARHEAD_OFFSET),
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "rep count on simple call",
	  .control = TEST_CTL(GET_PROP, 1, 0),
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "rep start on simple call",
	  .control = TEST_CTL(GET_PROP, 0, 1),
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "zero reps on rep call",
	  .control = TEST_CTL(HVCALL_DEPOSIT_MEMORY, 0, 0),
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "rep start past rep count",
	  .control = TEST_CTL(HVCALL_DEPOSIT_MEMORY, 2, 3),
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "rep start equal to rep count",
	  .control = TEST_CTL(HVCALL_DEPOSIT_MEMORY, 2, 2),
	  .status = HV_STATUS_SUCCESS, .reps = 2 },
	{ .name = "fast memory-only call",
	  .control = GET_PROP | HV_HYPERCALL_FAST_BIT,
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "fast rep call",
	  .control = TEST_CTL(HVCALL_DEPOSIT_MEMORY, 1, 0) |
		     HV_HYPERCALL_FAST_BIT,
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "fast call reaches handler",
	  .control = HVCALL_INITIALIZE_PARTITION | HV_HYPERCALL_FAST_BIT,
	  .status = HV_STATUS_INVALID_PARTITION_ID },
	{ .name = "misaligned input", .control = GET_PROP, .in_off = 4,
	  .status = HV_STATUS_INVALID_ALIGNMENT },
	{ .name = "misaligned output", .control = GET_PROP, .out_off = 4,
	  .status = HV_STATUS_INVALID_ALIGNMENT },
	{ .name = "input crosses page end", .control = GET_PROP,
	  .in_off = HV_HYP_PAGE_SIZE - 8,
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "deposit list fills page",
	  .control = TEST_CTL(HVCALL_DEPOSIT_MEMORY,
				  HV_DEPOSIT_MAX_PAGES,
				  HV_DEPOSIT_MAX_PAGES),
	  .status = HV_STATUS_SUCCESS, .reps = HV_DEPOSIT_MAX_PAGES },
	{ .name = "deposit list overflows page",
	  .control = TEST_CTL(HVCALL_DEPOSIT_MEMORY,
				  HV_DEPOSIT_MAX_PAGES + 1, 0),
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "withdraw list fills page",
	  .control = TEST_CTL(HVCALL_WITHDRAW_MEMORY,
				  HV_WITHDRAW_MAX_PAGES, 0),
	  .status = HV_STATUS_NO_RESOURCES },
	{ .name = "withdraw list overflows page",
	  .control = TEST_CTL(HVCALL_WITHDRAW_MEMORY,
				  HV_WITHDRAW_MAX_PAGES, 0),
	  .out_off = 8, .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "map list fills page",
	  .control = TEST_CTL(HVCALL_MAP_GPA_PAGES, HV_MAP_GPA_MAX_PAGES,
			      HV_MAP_GPA_MAX_PAGES),
	  .status = HV_STATUS_INVALID_PARTITION_ID,
	  .reps = HV_MAP_GPA_MAX_PAGES },
	{ .name = "map list overflows page",
	  .control = TEST_CTL(HVCALL_MAP_GPA_PAGES, HV_MAP_GPA_MAX_PAGES + 1,
			      0),
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "zero reps on unmap",
	  .control = TEST_CTL(HVCALL_UNMAP_GPA_PAGES, 0, 0),
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "unmap of 4095 pages has a fixed input",
	  .control = TEST_CTL(HVCALL_UNMAP_GPA_PAGES,
			      HV_GET_GPA_ACCESS_STATES_MAX, 0),
	  .in_off = HV_HYP_PAGE_SIZE - 24,
	  .status = HV_STATUS_INVALID_PARTITION_ID },
	{ .name = "access states fill output page",
	  .control = TEST_CTL(HVCALL_GET_GPA_PAGES_ACCESS_STATES,
			      HV_GET_GPA_ACCESS_STATES_MAX, 0),
	  .status = HV_STATUS_INVALID_PARTITION_ID },
	{ .name = "access states overflow output page",
	  .control = TEST_CTL(HVCALL_GET_GPA_PAGES_ACCESS_STATES,
			      HV_GET_GPA_ACCESS_STATES_MAX, 0),
	  .out_off = 8, .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "fast map", .control = TEST_CTL(HVCALL_MAP_GPA_PAGES, 1, 0) |
					 HV_HYPERCALL_FAST_BIT,
	  .status = HV_STATUS_INVALID_HYPERCALL_INPUT },
	{ .name = "missing output page", .control = GET_PROP,
	  .out = TEST_GPA_NONE, .status = HV_STATUS_INVALID_PARAMETER },
	{ .name = "missing input page", .control = GET_PROP,
	  .in = TEST_GPA_NONE, .status = HV_STATUS_INVALID_PARAMETER },
	{ .name = "input page not RAM", .control = GET_PROP,
	  .in = TEST_GPA_BOGUS, .status = HV_STATUS_INVALID_PARAMETER },
};

KUNIT_ARRAY_PARAM_DESC(test_control, test_control_cases, name);

static u64 test_case_gpa(struct kunit *test, enum test_gpa kind, void *page,
			 u64 off)
{
	u64 gpa;

	switch (kind) {
	case TEST_GPA_NONE:
		return 0;
	case TEST_GPA_BOGUS:
		gpa = test_bogus_gpa();
		if (!gpa)
			kunit_skip(test, "no unbacked physical address found");
		return gpa;
	default:
		return virt_to_phys(page) + off;
	}
}

static void mshv_sim_test_control_word(struct kunit *test)
{
	const struct test_control_case *tc = test->param_value;
	struct hv_input_get_partition_property *in = test_ctx(test)->in;
	struct mshv_sim *sim = test_ctx(test)->sim;
	u16 code = tc->control & 0xffff;
	u64 in_gpa, out_gpa, ret;

	/* A valid input for the calls that get as far as their handler. */
	in->partition_id = HV_PARTITION_ID_SELF;
	in->property_code = HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS;
	in->padding = 0;

	in_gpa = test_case_gpa(test, tc->in, test_ctx(test)->in, tc->in_off);
	out_gpa = test_case_gpa(test, tc->out, test_ctx(test)->out,
				tc->out_off);
	ret = mshv_sim_hypercall(sim, tc->control, in_gpa, out_gpa);

	KUNIT_EXPECT_EQ(test, hv_result(ret), tc->status);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), tc->reps);
	KUNIT_EXPECT_EQ(test, ret & ~(HV_HYPERCALL_RESULT_MASK |
				      HV_HYPERCALL_REP_COMP_MASK), 0);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, code), 1);
	test_expect_stats(test, 0, 0, 0, 0, 0);
}

/* Instance defaults */

static void mshv_sim_test_defaults(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_fault fault;
	u64 id;

	KUNIT_EXPECT_EQ(test, mshv_sim_get_knob(sim, MSHV_SIM_KNOB_CREATE_PAGES),
			4);
	KUNIT_EXPECT_EQ(test, mshv_sim_get_knob(sim, MSHV_SIM_KNOB_INIT_PAGES),
			216);
	KUNIT_EXPECT_EQ(test, mshv_sim_get_knob(sim, MSHV_SIM_KNOB_MAX_REPS),
			0);
	KUNIT_EXPECT_EQ(test, mshv_sim_get_faults(sim, &fault, 1), 0);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_CREATE_PARTITION),
			0);
	test_expect_stats(test, 0, 0, 0, 0, 0);

	/* An empty root pool cannot pay for a partition. */
	KUNIT_EXPECT_EQ(test, hv_result(test_create(test, 0, &id)),
			HV_STATUS_INSUFFICIENT_MEMORY);
	test_expect_stats(test, 0, 0, 0, 0, 0);
}

/*
 * Every hypercall is counted and timed: the per-code times add up to the
 * instance's hypercall time, which a synthetic MSR access does not touch.
 */
static void mshv_sim_test_hv_time(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_call_count counts[4];
	struct mshv_sim_hv_time t;
	unsigned int i, nr;
	u64 value, sum = 0;

	mshv_sim_get_hv_time(sim, &t);
	KUNIT_EXPECT_EQ(test, t.hypercalls, 0);
	KUNIT_EXPECT_EQ(test, t.hypercall_ns, 0);

	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test,
				hv_result(test_get_prop(test,
							HV_PARTITION_ID_SELF,
				HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, &value)),
				HV_STATUS_SUCCESS);
	/* Refused calls take time too. */
	KUNIT_EXPECT_EQ(test, hv_result(test_fast(test, HVCALL_DELETE_PARTITION,
						  12345)),
			HV_STATUS_INVALID_PARTITION_ID);

	mshv_sim_get_hv_time(sim, &t);
	KUNIT_EXPECT_EQ(test, t.hypercalls, 4);
	KUNIT_EXPECT_GT(test, t.hypercall_ns, 0);
	nr = mshv_sim_get_call_counts(sim, counts, ARRAY_SIZE(counts));
	KUNIT_ASSERT_EQ(test, nr, 2);
	for (i = 0; i < nr; i++) {
		KUNIT_EXPECT_GT(test, counts[i].ns, 0);
		sum += counts[i].ns;
	}
	KUNIT_EXPECT_EQ(test, counts[0].code, HVCALL_DELETE_PARTITION);
	KUNIT_EXPECT_EQ(test, counts[0].calls, 1);
	KUNIT_EXPECT_EQ(test, counts[1].code, HVCALL_GET_PARTITION_PROPERTY);
	KUNIT_EXPECT_EQ(test, counts[1].calls, 3);
	KUNIT_EXPECT_EQ(test, sum, t.hypercall_ns);

	preempt_disable();
	mshv_sim_get_msr(sim, HV_MSR_SVERSION);
	preempt_enable();
	mshv_sim_get_hv_time(sim, &t);
	KUNIT_EXPECT_EQ(test, t.msr_accesses, 1);
	KUNIT_EXPECT_EQ(test, t.hypercalls, 4);
	KUNIT_EXPECT_EQ(test, t.sched_runs, 0);
}

/* HvMapStatsPage(2) or HvUnmapStatsPage of a partition's area. */
static u16 test_stats_call(struct kunit *test, u16 code, u32 type,
			   u64 partition_id, u8 area, u64 pfn)
{
	struct hv_input_map_stats_page2 *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->type = type;
	in->identity.partition.partition_id = partition_id;
	in->identity.partition.stats_area_type = area;
	in->map_location = pfn;
	return hv_result(test_call(test, TEST_CTL(code, 0, 0)));
}

/*
 * A partition's statistics pages, mapped by the hypervisor's page or over
 * the root's, show its id and deposited pages and follow the deposits.
 */
static void mshv_sim_test_stats_pages(struct kunit *test)
{
	struct hv_output_map_stats_page *out = test_ctx(test)->out;
	struct hv_stats_page *self, *parent;
	unsigned long root_page;
	u64 id = test_new_partition(test);
	u16 status;
	u64 ppfn;

	test_deposit(test, id, 3, NULL);
	status = test_stats_call(test, HVCALL_MAP_STATS_PAGE,
				 HV_STATS_OBJECT_PARTITION, id,
				 HV_STATS_AREA_SELF, 0);
	KUNIT_ASSERT_EQ(test, status, HV_STATUS_SUCCESS);
	self = pfn_to_kaddr(out->map_location);
	KUNIT_EXPECT_EQ(test, self->data[HV_STATS_PT_PARTITION_ID], id);
	KUNIT_EXPECT_EQ(test, self->data[HV_STATS_PT_DEPOSITED_PAGES], 3);
	KUNIT_EXPECT_EQ(test, self->data[HV_STATS_PT_VIRTUAL_PROCESSORS], 0);

	root_page = get_zeroed_page(GFP_KERNEL);
	KUNIT_ASSERT_NE(test, root_page, 0);
	parent = (struct hv_stats_page *)root_page;
	ppfn = PHYS_PFN(virt_to_phys(parent));
	status = test_stats_call(test, HVCALL_MAP_STATS_PAGE2,
				 HV_STATS_OBJECT_PARTITION, id,
				 HV_STATS_AREA_PARENT, ppfn);
	KUNIT_EXPECT_EQ(test, status, HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, parent->data[HV_STATS_PT_PARTITION_ID], id);
	/* Mapped already, whichever way. */
	status = test_stats_call(test, HVCALL_MAP_STATS_PAGE2,
				 HV_STATS_OBJECT_PARTITION, id,
				 HV_STATS_AREA_PARENT, ppfn);
	KUNIT_EXPECT_EQ(test, status, HV_STATUS_INVALID_PARAMETER);

	test_deposit(test, id, 2, NULL);
	KUNIT_EXPECT_EQ(test, self->data[HV_STATS_PT_DEPOSITED_PAGES], 5);
	KUNIT_EXPECT_EQ(test, parent->data[HV_STATS_PT_DEPOSITED_PAGES], 5);

	/* Areas and objects the simulator does not have. */
	status = test_stats_call(test, HVCALL_MAP_STATS_PAGE,
				 HV_STATS_OBJECT_PARTITION, id,
				 HV_STATS_AREA_INTERNAL, 0);
	KUNIT_EXPECT_EQ(test, status, HV_STATUS_INVALID_PARAMETER);
	status = test_stats_call(test, HVCALL_MAP_STATS_PAGE,
				 HV_STATS_OBJECT_HYPERVISOR, 0,
				 HV_STATS_AREA_SELF, 0);
	KUNIT_EXPECT_EQ(test, status, HV_STATUS_INVALID_PARAMETER);
	status = test_stats_call(test, HVCALL_MAP_STATS_PAGE,
				 HV_STATS_OBJECT_PARTITION, id + 1,
				 HV_STATS_AREA_SELF, 0);
	KUNIT_EXPECT_EQ(test, status, HV_STATUS_INVALID_PARTITION_ID);

	status = test_stats_call(test, HVCALL_UNMAP_STATS_PAGE,
				 HV_STATS_OBJECT_PARTITION, id,
				 HV_STATS_AREA_PARENT, 0);
	KUNIT_EXPECT_EQ(test, status, HV_STATUS_SUCCESS);
	/* The root's page is its own again: no longer written. */
	test_deposit(test, id, 1, NULL);
	KUNIT_EXPECT_EQ(test, parent->data[HV_STATS_PT_DEPOSITED_PAGES], 5);
	KUNIT_EXPECT_EQ(test, self->data[HV_STATS_PT_DEPOSITED_PAGES], 6);
	status = test_stats_call(test, HVCALL_UNMAP_STATS_PAGE,
				 HV_STATS_OBJECT_PARTITION, id,
				 HV_STATS_AREA_SELF, 0);
	KUNIT_EXPECT_EQ(test, status, HV_STATUS_SUCCESS);
	status = test_stats_call(test, HVCALL_UNMAP_STATS_PAGE,
				 HV_STATS_OBJECT_PARTITION, id,
				 HV_STATS_AREA_SELF, 0);
	KUNIT_EXPECT_EQ(test, status, HV_STATUS_INVALID_PARAMETER);
	free_page(root_page);
}

/* Partition life cycle */

static void mshv_sim_test_lifecycle(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_pt_info info;
	u64 id, ret;

	test_deposit(test, HV_PARTITION_ID_SELF, 4, NULL);
	test_expect_stats(test, 0, 0, 4, 0, 0);

	ret = test_create(test, TEST_CREATION_FLAGS, &id);
	KUNIT_ASSERT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
	KUNIT_ASSERT_NE(test, id, 0);
	KUNIT_ASSERT_EQ(test, mshv_sim_get_partition_info(sim, id, &info), 0);
	KUNIT_EXPECT_EQ(test, info.flags, TEST_CREATION_FLAGS);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 0, 0);
	test_expect_stats(test, 1, 0, 4, 4, 0);

	/* The driver's first deposit of 208 is not enough: 216 are. */
	test_deposit(test, id, 208, NULL);
	KUNIT_EXPECT_EQ(test,
			hv_result(test_fast(test, HVCALL_INITIALIZE_PARTITION,
					    id)),
			HV_STATUS_INSUFFICIENT_MEMORY);
	test_deposit(test, id, 8, NULL);
	KUNIT_ASSERT_EQ(test,
			hv_result(test_fast(test, HVCALL_INITIALIZE_PARTITION,
					    id)),
			HV_STATUS_SUCCESS);
	test_expect_pool(test, id, MSHV_SIM_PT_INITIALIZED, 216, 216);
	test_expect_stats(test, 1, 216, 4, 4, 0);

	/* Pages in use cannot be withdrawn. */
	ret = test_withdraw(test, id, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_NO_RESOURCES);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);

	KUNIT_ASSERT_EQ(test,
			hv_result(test_fast(test, HVCALL_FINALIZE_PARTITION,
					    id)),
			HV_STATUS_SUCCESS);
	test_expect_pool(test, id, MSHV_SIM_PT_FINALIZED, 216, 0);

	test_withdraw_all(test, id, 216);
	test_expect_pool(test, id, MSHV_SIM_PT_FINALIZED, 0, 0);

	KUNIT_ASSERT_EQ(test,
			hv_result(test_fast(test, HVCALL_DELETE_PARTITION, id)),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, mshv_sim_get_partition_info(sim, id, &info),
			-ENOENT);
	test_expect_stats(test, 0, 0, 4, 0, 0);

	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_CREATE_PARTITION),
			1);
	KUNIT_EXPECT_EQ(test,
			mshv_sim_call_count(sim, HVCALL_INITIALIZE_PARTITION),
			2);
	KUNIT_EXPECT_EQ(test,
			mshv_sim_call_count(sim, HVCALL_FINALIZE_PARTITION), 1);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_DELETE_PARTITION),
			1);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_DEPOSIT_MEMORY),
			3);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_WITHDRAW_MEMORY),
			2);

	/* The root pool pages are free again. */
	test_withdraw_all(test, HV_PARTITION_ID_SELF, 4);
	test_expect_stats(test, 0, 0, 0, 0, 0);
}

static void mshv_sim_test_create_invalid(struct kunit *test)
{
	static const u64 bad_flags[] = { BIT_ULL(2), BIT_ULL(63) };
	struct hv_input_create_partition *in = test_ctx(test)->in;
	unsigned int i;
	u64 id;

	test_deposit(test, HV_PARTITION_ID_SELF, 4, NULL);

	for (i = 0; i < ARRAY_SIZE(bad_flags); i++)
		KUNIT_EXPECT_EQ(test,
				hv_result(test_create(test, bad_flags[i], &id)),
				HV_STATUS_INVALID_PARAMETER);

	memset(in, 0, sizeof(*in));
	in->isolation_properties = HV_PARTITION_ISOLATION_TYPE_SNP;
	KUNIT_EXPECT_EQ(test, hv_result(test_call(test,
						  HVCALL_CREATE_PARTITION)),
			HV_STATUS_INVALID_PARAMETER);

	memset(in, 0, sizeof(*in));
	in->isolation_properties =
		FIELD_PREP(HV_PARTITION_ISOLATION_HOST_TYPE_MASK, 1);
	KUNIT_EXPECT_EQ(test, hv_result(test_call(test,
						  HVCALL_CREATE_PARTITION)),
			HV_STATUS_INVALID_PARAMETER);

	memset(in, 0, sizeof(*in));
	in->padding = 1;
	KUNIT_EXPECT_EQ(test, hv_result(test_call(test,
						  HVCALL_CREATE_PARTITION)),
			HV_STATUS_INVALID_PARAMETER);

	/* Nothing was created or consumed; a valid request still works. */
	test_expect_stats(test, 0, 0, 4, 0, 0);
	KUNIT_EXPECT_EQ(test, hv_result(test_create(test, TEST_CREATION_FLAGS,
						    &id)),
			HV_STATUS_SUCCESS);
	test_expect_stats(test, 1, 0, 4, 4, 0);
}

static void mshv_sim_test_insufficient_memory(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u64 id, id2;

	test_deposit(test, HV_PARTITION_ID_SELF, 3, NULL);
	KUNIT_EXPECT_EQ(test, hv_result(test_create(test, 0, &id)),
			HV_STATUS_INSUFFICIENT_MEMORY);
	test_expect_stats(test, 0, 0, 3, 0, 0);

	test_deposit(test, HV_PARTITION_ID_SELF, 1, NULL);
	KUNIT_ASSERT_EQ(test, hv_result(test_create(test, 0, &id)),
			HV_STATUS_SUCCESS);
	test_expect_stats(test, 1, 0, 4, 4, 0);

	/* Every root page is in use now. */
	KUNIT_EXPECT_EQ(test, hv_result(test_create(test, 0, &id2)),
			HV_STATUS_INSUFFICIENT_MEMORY);
	test_deposit(test, HV_PARTITION_ID_SELF, 4, NULL);
	KUNIT_EXPECT_EQ(test, hv_result(test_create(test, 0, &id2)),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_NE(test, id, id2);
	test_expect_stats(test, 2, 0, 8, 8, 0);

	/* Initialization waits for init_pages free pages. */
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_INIT_PAGES, 8);
	test_deposit(test, id, 7, NULL);
	KUNIT_EXPECT_EQ(test,
			hv_result(test_fast(test, HVCALL_INITIALIZE_PARTITION,
					    id)),
			HV_STATUS_INSUFFICIENT_MEMORY);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 7, 0);
	test_deposit(test, id, 1, NULL);
	KUNIT_EXPECT_EQ(test,
			hv_result(test_fast(test, HVCALL_INITIALIZE_PARTITION,
					    id)),
			HV_STATUS_SUCCESS);
	test_expect_pool(test, id, MSHV_SIM_PT_INITIALIZED, 8, 8);
}

static void test_expect_status(struct kunit *test, u64 ret, u16 status)
{
	KUNIT_EXPECT_EQ(test, hv_result(ret), status);
}

static void mshv_sim_test_state_machine(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u64 id, id2;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_CREATE_PAGES, 1);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_INIT_PAGES, 0);
	id = test_new_partition(test);

	test_expect_status(test, test_fast(test, HVCALL_DELETE_PARTITION, id),
			   HV_STATUS_INVALID_PARTITION_STATE);
	test_expect_status(test,
			   test_fast(test, HVCALL_INITIALIZE_PARTITION, id),
			   HV_STATUS_SUCCESS);
	test_expect_status(test,
			   test_fast(test, HVCALL_INITIALIZE_PARTITION, id),
			   HV_STATUS_INVALID_PARTITION_STATE);
	test_expect_status(test, test_fast(test, HVCALL_DELETE_PARTITION, id),
			   HV_STATUS_INVALID_PARTITION_STATE);
	test_expect_pool(test, id, MSHV_SIM_PT_INITIALIZED, 0, 0);

	test_expect_status(test, test_fast(test, HVCALL_FINALIZE_PARTITION, id),
			   HV_STATUS_SUCCESS);
	test_expect_status(test, test_fast(test, HVCALL_FINALIZE_PARTITION, id),
			   HV_STATUS_INVALID_PARTITION_STATE);
	test_expect_status(test,
			   test_fast(test, HVCALL_INITIALIZE_PARTITION, id),
			   HV_STATUS_INVALID_PARTITION_STATE);
	test_expect_status(test, test_fast(test, HVCALL_DELETE_PARTITION, id),
			   HV_STATUS_SUCCESS);

	/* A deleted partition is gone for every call. */
	test_expect_status(test, test_fast(test, HVCALL_DELETE_PARTITION, id),
			   HV_STATUS_INVALID_PARTITION_ID);
	test_expect_status(test, test_fast(test, HVCALL_FINALIZE_PARTITION, id),
			   HV_STATUS_INVALID_PARTITION_ID);

	/* Ids that never existed, and the root, are not children. */
	test_expect_status(test,
			   test_fast(test, HVCALL_FINALIZE_PARTITION,
				     TEST_BAD_ID),
			   HV_STATUS_INVALID_PARTITION_ID);
	test_expect_status(test,
			   test_fast(test, HVCALL_INITIALIZE_PARTITION, 0),
			   HV_STATUS_INVALID_PARTITION_ID);
	test_expect_status(test,
			   test_fast(test, HVCALL_INITIALIZE_PARTITION,
				     HV_PARTITION_ID_SELF),
			   HV_STATUS_INVALID_PARTITION_ID);
	test_expect_status(test,
			   test_fast(test, HVCALL_DELETE_PARTITION,
				     BIT_ULL(40) | id),
			   HV_STATUS_INVALID_PARTITION_ID);

	/* Memory form; finalize straight from CREATED; ids are not reused. */
	id2 = test_new_partition(test);
	KUNIT_EXPECT_NE(test, id2, id);
	test_expect_status(test,
			   test_slow(test, HVCALL_FINALIZE_PARTITION, id2),
			   HV_STATUS_SUCCESS);
	test_expect_pool(test, id2, MSHV_SIM_PT_FINALIZED, 0, 0);
	test_expect_status(test,
			   test_slow(test, HVCALL_INITIALIZE_PARTITION, id2),
			   HV_STATUS_INVALID_PARTITION_STATE);
	test_expect_status(test, test_slow(test, HVCALL_DELETE_PARTITION, id2),
			   HV_STATUS_SUCCESS);
	test_expect_status(test, test_slow(test, HVCALL_DELETE_PARTITION, id2),
			   HV_STATUS_INVALID_PARTITION_ID);
	test_expect_stats(test, 0, 0, 2, 0, 0);
}

/* Memory pools */

static void mshv_sim_test_deposit_invalid(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u64 pfns[4], held[3], list[4];
	struct page *compound;
	u64 id, ret, bogus;

	bogus = test_bogus_gpa();
	if (!bogus)
		kunit_skip(test, "no unbacked physical address found");

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_CREATE_PAGES, 0);
	id = test_new_partition(test);

	/* Unknown partition: nothing taken. */
	test_alloc_pfns(test, pfns, 1);
	ret = test_deposit_call(test, TEST_BAD_ID, pfns, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARTITION_ID);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
	test_free_pfns(pfns, 1);

	/* Stops at the first PFN that is not RAM, keeping the ones before. */
	test_alloc_pfns(test, pfns, 3);
	list[0] = pfns[0];
	list[1] = pfns[1];
	list[2] = PHYS_PFN(bogus);
	list[3] = pfns[2];
	ret = test_deposit_call(test, id, list, 4, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 2);
	test_free_pfns(&pfns[2], 1);
	held[0] = pfns[0];
	held[1] = pfns[1];

	/* A page the simulator already holds. */
	test_alloc_pfns(test, pfns, 1);
	list[0] = pfns[0];
	list[1] = held[0];
	ret = test_deposit_call(test, id, list, 2, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 1);
	held[2] = pfns[0];

	/* The same page twice in one list. */
	test_alloc_pfns(test, pfns, 1);
	list[0] = pfns[0];
	list[1] = pfns[0];
	ret = test_deposit_call(test, HV_PARTITION_ID_SELF, list, 2, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 1);

	/* Part of a compound page. */
	compound = alloc_pages(GFP_KERNEL | __GFP_COMP, 1);
	KUNIT_ASSERT_NOT_NULL(test, compound);
	list[0] = page_to_pfn(compound);
	ret = test_deposit_call(test, id, list, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
	__free_pages(compound, 1);

	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 3, 0);
	test_expect_stats(test, 1, 3, 1, 0, 0);

	/* Exactly the accepted pages come back. */
	KUNIT_ASSERT_EQ(test, hv_result(test_fast(test,
						  HVCALL_FINALIZE_PARTITION,
						  id)),
			HV_STATUS_SUCCESS);
	ret = test_withdraw(test, id, 3, 0);
	KUNIT_ASSERT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 3);
	test_expect_same_pfns(test, held, test_ctx(test)->out, 3);
	test_free_pfns(test_ctx(test)->out, 3);
}

static void mshv_sim_test_withdraw_exact(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u64 *pfns, *root_pfns, id, ret;

	pfns = test_pfn_array(test, 37);
	root_pfns = test_pfn_array(test, 5);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_CREATE_PAGES, 2);
	id = test_new_partition(test);

	test_deposit(test, id, 37, pfns);
	test_expect_stats(test, 1, 37, 2, 2, 0);
	ret = test_withdraw(test, id, 37, 0);
	KUNIT_ASSERT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 37);
	test_expect_same_pfns(test, pfns, test_ctx(test)->out, 37);
	test_free_pfns(test_ctx(test)->out, 37);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 0, 0);
	test_expect_stats(test, 1, 0, 2, 2, 0);

	/* The root pool gives back only what the partition does not use. */
	test_deposit(test, HV_PARTITION_ID_SELF, 5, root_pfns);
	ret = test_withdraw(test, HV_PARTITION_ID_SELF, 8, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_NO_RESOURCES);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 5);
	test_free_pfns(test_ctx(test)->out, 5);
	test_expect_stats(test, 1, 0, 2, 2, 0);
}

static void mshv_sim_test_withdraw_no_resources(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u64 pfns[5], got[5];
	u64 *out = test_ctx(test)->out;
	u64 id, ret;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_CREATE_PAGES, 1);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_INIT_PAGES, 3);
	id = test_new_partition(test);
	test_deposit(test, id, 5, pfns);
	KUNIT_ASSERT_EQ(test, hv_result(test_fast(test,
						  HVCALL_INITIALIZE_PARTITION,
						  id)),
			HV_STATUS_SUCCESS);

	/* Two pages are free: the third rep finds the pool empty. */
	ret = test_withdraw(test, id, 8, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_NO_RESOURCES);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 2);
	memcpy(got, out, 2 * sizeof(*got));
	test_expect_pool(test, id, MSHV_SIM_PT_INITIALIZED, 3, 3);

	ret = test_withdraw(test, id, 8, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_NO_RESOURCES);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);

	/* Finalizing releases the pages initialization was using. */
	KUNIT_ASSERT_EQ(test, hv_result(test_fast(test,
						  HVCALL_FINALIZE_PARTITION,
						  id)),
			HV_STATUS_SUCCESS);
	ret = test_withdraw(test, id, 8, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_NO_RESOURCES);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 3);
	memcpy(&got[2], out, 3 * sizeof(*got));

	test_expect_same_pfns(test, pfns, got, 5);
	test_free_pfns(got, 5);
	test_expect_stats(test, 1, 0, 1, 1, 0);
}

static void mshv_sim_test_max_reps(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u64 pfns[8], more[4], got[8];
	u64 *out = test_ctx(test)->out;
	u64 id, ret;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_CREATE_PAGES, 1);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_MAX_REPS, 3);
	id = test_new_partition(test);

	/* Deposit of 8 in three calls: 3, 6, then 8 reps completed. */
	test_alloc_pfns(test, pfns, 8);
	ret = test_deposit_call(test, id, pfns, 8, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 3);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 3, 0);
	ret = test_deposit_call(test, id, pfns, 8, 3);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 6);
	ret = test_deposit_call(test, id, pfns, 8, 6);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 8);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 8, 0);

	/* Withdrawal continues the same way, filling out[start...]. */
	memset(out, 0, 8 * sizeof(*out));
	ret = test_withdraw(test, id, 8, 0);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 3);
	KUNIT_EXPECT_EQ(test, out[3], 0);
	ret = test_withdraw(test, id, 8, 3);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 6);
	ret = test_withdraw(test, id, 8, 6);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 8);
	memcpy(got, out, sizeof(got));
	test_expect_same_pfns(test, pfns, got, 8);
	test_free_pfns(got, 8);

	/* Running dry mid-continuation reports the cumulative count. */
	test_alloc_pfns(test, more, 4);
	ret = test_deposit_call(test, id, more, 4, 0);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 3);
	ret = test_deposit_call(test, id, more, 4, 3);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 4);
	ret = test_withdraw(test, id, 8, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 3);
	ret = test_withdraw(test, id, 8, 3);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_NO_RESOURCES);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 4);
	memcpy(got, out, 4 * sizeof(*got));
	test_expect_same_pfns(test, more, got, 4);
	test_free_pfns(got, 4);

	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_DEPOSIT_MEMORY),
			6);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_WITHDRAW_MEMORY),
			5);
	test_expect_stats(test, 1, 0, 1, 1, 0);
}

static void mshv_sim_test_delete_leaks_pages(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u64 pfns[6], id, ret;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_CREATE_PAGES, 1);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_INIT_PAGES, 0);
	id = test_new_partition(test);
	test_deposit(test, id, 6, pfns);
	KUNIT_ASSERT_EQ(test, hv_result(test_fast(test,
						  HVCALL_FINALIZE_PARTITION,
						  id)),
			HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_result(test_fast(test,
						  HVCALL_DELETE_PARTITION,
						  id)),
			HV_STATUS_SUCCESS);
	test_expect_stats(test, 0, 0, 1, 0, 6);

	/* Leaked pages stay held: they cannot be deposited again. */
	ret = test_deposit_call(test, HV_PARTITION_ID_SELF, pfns, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
}

static void mshv_sim_test_destroy_frees_pages(struct kunit *test)
{
	struct mshv_sim_test *ctx = test_ctx(test);
	struct mshv_sim *sim = ctx->sim;
	u64 root[7], kept[5], gone[4];
	u64 *all[] = { root, kept, gone };
	unsigned int nr[] = { 7, 5, 4 };
	unsigned int i, j;
	u64 id_kept, id_gone;
	unsigned long freed;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_CREATE_PAGES, 2);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_INIT_PAGES, 3);

	/* An extra reference keeps each page alive to look at afterwards. */
	for (i = 0; i < ARRAY_SIZE(all); i++) {
		test_alloc_pfns(test, all[i], nr[i]);
		for (j = 0; j < nr[i]; j++)
			get_page(pfn_to_page(all[i][j]));
	}

	test_deposit_pfns(test, HV_PARTITION_ID_SELF, root, 7);
	KUNIT_ASSERT_EQ(test, hv_result(test_create(test, 0, &id_kept)),
			HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_result(test_create(test, 0, &id_gone)),
			HV_STATUS_SUCCESS);
	test_deposit_pfns(test, id_kept, kept, 5);
	KUNIT_ASSERT_EQ(test, hv_result(test_fast(test,
						  HVCALL_INITIALIZE_PARTITION,
						  id_kept)),
			HV_STATUS_SUCCESS);
	test_deposit_pfns(test, id_gone, gone, 4);
	KUNIT_ASSERT_EQ(test, hv_result(test_fast(test,
						  HVCALL_FINALIZE_PARTITION,
						  id_gone)),
			HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_result(test_fast(test,
						  HVCALL_DELETE_PARTITION,
						  id_gone)),
			HV_STATUS_SUCCESS);
	test_expect_stats(test, 1, 5, 7, 2, 4);

	freed = mshv_sim_destroy(sim);
	ctx->sim = NULL;
	KUNIT_EXPECT_EQ(test, freed, 16);

	/* Each page dropped exactly the simulator's reference. */
	for (i = 0; i < ARRAY_SIZE(all); i++) {
		for (j = 0; j < nr[i]; j++) {
			struct page *page = pfn_to_page(all[i][j]);

			KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
			put_page(page);
		}
	}
}

/* Properties */

/**
 * struct test_property - expected initial value of a property
 * @code: property code
 * @value: expected value, or U64_MAX for "any non-zero value"
 */
struct test_property {
	u32 code;
	u64 value;
};

static const struct test_property test_properties[] = {
	{ HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, U64_MAX },
	{ HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, 0 },
	{ HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING, 0 },
	{ HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, 0 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_VENDOR, HV_PROCESSOR_VENDOR_INTEL },
	{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0, TEST_FEATURES0 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1, HV_X64_PROC_FEATURE1_LA57 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES, 0 },
	{ HV_PARTITION_PROPERTY_XSAVE_STATES, 0x3 },	/* x87, SSE */
	{ HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE, 512 + 64 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY, 2500000000ULL },
	{ HV_PARTITION_PROPERTY_PROCESSOR_CL_FLUSH_SIZE, 8 },
	{ HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH, 52 },
	{ HV_PARTITION_PROPERTY_IMPLEMENTED_PHYSICAL_ADDRESS_BITS, 52 },
	{ HV_PARTITION_PROPERTY_COMPATIBILITY_VERSION, HV_COMPATIBILITY_21_H2 },
	{ HV_PARTITION_PROPERTY_TIME_FREEZE, 0 },
	{ HV_PARTITION_PROPERTY_CPU_WEIGHT, 100 },
	{ HV_PARTITION_PROPERTY_ISOLATION_STATE, 0 },
	{ HV_PARTITION_PROPERTY_GUEST_OS_ID, 0 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_VIRTUALIZATION_FEATURES, 0 },
};

static void test_expect_prop(struct kunit *test, u64 id, u32 code, u64 want)
{
	u64 value;

	KUNIT_ASSERT_EQ(test, hv_result(test_get_prop(test, id, code, &value)),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ_MSG(test, value, want, "property %#x", code);
}

static void mshv_sim_test_property_defaults(struct kunit *test)
{
	const struct test_property *p;
	unsigned int i;
	u64 id, value;

	mshv_sim_set_knob(test_ctx(test)->sim, MSHV_SIM_KNOB_CREATE_PAGES, 0);
	id = test_new_partition(test);

	for (i = 0; i < ARRAY_SIZE(test_properties); i++) {
		p = &test_properties[i];
		KUNIT_ASSERT_EQ(test,
				hv_result(test_get_prop(test, id, p->code,
							&value)),
				HV_STATUS_SUCCESS);
		if (p->value == U64_MAX)
			KUNIT_EXPECT_NE(test, value, 0);
		else
			KUNIT_EXPECT_EQ_MSG(test, value, p->value,
					    "property %#x", p->code);
	}
	/* The root partition has the same processor. */
	test_expect_prop(test, HV_PARTITION_ID_SELF,
			 HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY,
			 2500000000ULL);
	test_expect_prop(test, HV_PARTITION_ID_SELF,
			 HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0,
			 TEST_FEATURES0);
}

/* HvInitializePartition of @id, which must succeed. */
static void test_initialize(struct kunit *test, u64 id)
{
	mshv_sim_set_knob(test_ctx(test)->sim, MSHV_SIM_KNOB_INIT_PAGES, 0);
	KUNIT_ASSERT_EQ(test,
			hv_result(test_fast(test, HVCALL_INITIALIZE_PARTITION,
					    id)),
			HV_STATUS_SUCCESS);
}

static void mshv_sim_test_property_set(struct kunit *test)
{
	struct hv_input_get_partition_property *in = test_ctx(test)->in;
	u64 a, b, value, privileges;

	mshv_sim_set_knob(test_ctx(test)->sim, MSHV_SIM_KNOB_CREATE_PAGES, 0);
	a = test_new_partition(test);
	b = test_new_partition(test);

	/* Read-write values are per partition. */
	test_expect_status(test,
			   test_set_prop(test, a,
					 HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
					 0x1bULL),
			   HV_STATUS_SUCCESS);
	test_expect_prop(test, a, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
			 0x1bULL);
	test_expect_prop(test, b, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
			 0);
	/* Reserved synthetic features and added privileges are refused. */
	test_expect_status(test,
			   test_set_prop(test, a,
					 HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
					 BIT_ULL(63)),
			   HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	KUNIT_ASSERT_EQ(test,
			hv_result(test_get_prop(test, a,
						HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
						&privileges)),
			HV_STATUS_SUCCESS);
	test_expect_status(test,
			   test_set_prop(test, a,
					 HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
					 privileges | BIT_ULL(62)),
			   HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	test_expect_prop(test, a, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			 privileges);
	test_initialize(test, a);

	/* Boolean properties take 0 or 1 only. */
	test_expect_status(test,
			   test_set_prop(test, a,
					 HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
					 1),
			   HV_STATUS_SUCCESS);
	test_expect_status(test,
			   test_set_prop(test, a,
					 HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
					 2),
			   HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	test_expect_prop(test, a, HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
			 1);
	test_expect_status(test,
			   test_set_prop(test, a,
					 HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
					 U64_MAX),
			   HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	test_expect_prop(test, a, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
			 0);
	test_expect_status(test,
			   test_set_prop(test, a, HV_PARTITION_PROPERTY_CPU_WEIGHT,
					 0),
			   HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);

	/* Read-only properties refuse writes and keep their value. */
	test_expect_status(test,
			   test_set_prop(test, a,
					 HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
					 8192),
			   HV_STATUS_ACCESS_DENIED);
	test_expect_status(test,
			   test_set_prop(test, a,
					 HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0,
					 0),
			   HV_STATUS_ACCESS_DENIED);
	test_expect_prop(test, a, HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0,
			 TEST_FEATURES0);
	/* So do all of the root's. */
	test_expect_status(test,
			   test_set_prop(test, HV_PARTITION_ID_SELF,
					 HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
					 1),
			   HV_STATUS_ACCESS_DENIED);

	/* Unknown codes, unknown partitions, reserved bits. */
	test_expect_status(test, test_get_prop(test, a, 0x12345, &value),
			   HV_STATUS_UNKNOWN_PROPERTY);
	test_expect_status(test, test_set_prop(test, a, 0x12345, 0),
			   HV_STATUS_UNKNOWN_PROPERTY);
	/* ARM64's GIC and the retired codes are unknown on x64. */
	test_expect_status(test,
			   test_get_prop(test, a,
					 HV_PARTITION_PROPERTY_GICD_BASE_ADDRESS,
					 &value),
			   HV_STATUS_UNKNOWN_PROPERTY);
	test_expect_status(test,
			   test_get_prop(test, a,
					 HV_PARTITION_PROPERTY_PROCESSOR_FEATURES_DEPRECATED,
					 &value),
			   HV_STATUS_UNKNOWN_PROPERTY);
	test_expect_status(test,
			   test_get_prop(test, TEST_BAD_ID,
					 HV_PARTITION_PROPERTY_XSAVE_STATES,
					 &value),
			   HV_STATUS_INVALID_PARTITION_ID);
	in->partition_id = a;
	in->property_code = HV_PARTITION_PROPERTY_XSAVE_STATES;
	in->padding = 1;
	test_expect_status(test,
			   test_call(test, HVCALL_GET_PARTITION_PROPERTY),
			   HV_STATUS_INVALID_PARAMETER);
}

/* The synthetic features mshv_sim can give a child, by name. */
#define TEST_ASSIGNABLE_SYNTHETIC					\
	(HV_SYNTHETIC_PROC_FEATURE_HYPERVISOR_PRESENT |			\
	 HV_SYNTHETIC_PROC_FEATURE_HV1 |				\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_PARTITION_REFERENCE_COUNTER |	\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_SYNIC_REGS |			\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_SYNTHETIC_TIMER_REGS |	\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_INTR_CTRL_REGS |		\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_HYPERCALL_REGS |		\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_VP_INDEX |			\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_PARTITION_REFERENCE_TSC |	\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_GUEST_IDLE_REG |		\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_FREQUENCY_REGS |		\
	 HV_SYNTHETIC_PROC_FEATURE_DIRECT_SYNTHETIC_TIMERS |		\
	 HV_SYNTHETIC_PROC_FEATURE_TB_FLUSH_HYPERCALLS |		\
	 HV_SYNTHETIC_PROC_FEATURE_SYNTHETIC_CLUSTER_IPI |		\
	 HV_SYNTHETIC_PROC_FEATURE_ACCESS_VP_REGS)

/*
 * ASSIGNABLE_SYNTHETIC_PROC_FEATURES: an extended property of the root,
 * announced by the VMM capabilities, read-only; a child's synthetic
 * features must be among them.
 */
static void mshv_sim_test_property_assignable(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	const u32 code = HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC_PROC_FEATURES;
	u64 id, value, caps;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_CREATE_PAGES, 0);
	id = test_new_partition(test);

	/* The root reads it with HvGetPartitionPropertyEx only. */
	KUNIT_ASSERT_EQ(test,
			hv_result(test_get_prop_ex(test, HV_PARTITION_ID_SELF,
						   code, &value)),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, value, TEST_ASSIGNABLE_SYNTHETIC);
	KUNIT_EXPECT_EQ(test, value & HV_SYNTHETIC_PROC_FEATURES_RESERVED, 0);
	test_expect_status(test,
			   test_get_prop(test, HV_PARTITION_ID_SELF, code,
					 &value),
			   HV_STATUS_UNKNOWN_PROPERTY);
	/* It describes the hypervisor, not a child. */
	test_expect_status(test, test_get_prop_ex(test, id, code, &value),
			   HV_STATUS_UNKNOWN_PROPERTY);

	/* Read-only, as the VMM capabilities are. */
	test_expect_status(test, test_set_prop(test, id, code, 0),
			   HV_STATUS_ACCESS_DENIED);
	test_expect_status(test,
			   test_set_prop(test, HV_PARTITION_ID_SELF, code, 0),
			   HV_STATUS_ACCESS_DENIED);
	test_expect_status(test,
			   test_set_prop(test, id,
					 HV_PARTITION_PROPERTY_VMM_CAPABILITIES,
					 0),
			   HV_STATUS_ACCESS_DENIED);

	/* A hypervisor that does not announce it does not have it. */
	caps = sim->knobs[MSHV_SIM_KNOB_VMM_CAPS];
	KUNIT_EXPECT_TRUE(test,
			  caps & HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_VMM_CAPS,
			  caps & ~HV_VMM_CAP_ASSIGNABLE_SYNTHETIC_PROC_FEATURES);
	test_expect_status(test,
			   test_get_prop_ex(test, HV_PARTITION_ID_SELF, code,
					    &value),
			   HV_STATUS_UNKNOWN_PROPERTY);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_VMM_CAPS, caps);

	/* A child may have all of them, and nothing else. */
	test_expect_status(test,
			   test_set_prop(test, id,
					 HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
					 TEST_ASSIGNABLE_SYNTHETIC),
			   HV_STATUS_SUCCESS);
	test_expect_status(test,
			   test_set_prop(test, id,
					 HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
					 TEST_ASSIGNABLE_SYNTHETIC |
					 HV_SYNTHETIC_PROC_FEATURE_ACCESS_VP_RUN_TIME_REG),
			   HV_STATUS_INVALID_PARAMETER);
	test_expect_status(test,
			   test_set_prop(test, id,
					 HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
					 BIT_ULL(53)),
			   HV_STATUS_INVALID_PARAMETER);
	test_expect_status(test,
			   test_set_prop(test, id,
					 HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
					 BIT_ULL(54)),
			   HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	test_expect_prop(test, id, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
			 TEST_ASSIGNABLE_SYNTHETIC);
}

/**
 * struct test_timed_property - a writable property and a value it takes
 * @code: property code
 * @early: may be written before HvInitializePartition only (else after)
 * @value: a valid value
 */
struct test_timed_property {
	u32 code;
	bool early;
	u64 value;
};

static const struct test_timed_property test_timed_properties[] = {
	{ HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS, true, 0 },
	{ HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES, true, 0x3 },
	{ HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH, true, 40 },
	{ HV_PARTITION_PROPERTY_HYPERCALL_DOORBELL_PAGE, true, 0x100 },
	{ HV_PARTITION_PROPERTY_PARTITION_DIAG_BUFFER_CONFIG, true, 1 },
	{ HV_PARTITION_PROPERTY_SUSPEND, false, 1 },
	{ HV_PARTITION_PROPERTY_CPU_RESERVE, false, 5 },
	{ HV_PARTITION_PROPERTY_CPU_CAP, false, 5 },
	{ HV_PARTITION_PROPERTY_CPU_WEIGHT, false, 200 },
	{ HV_PARTITION_PROPERTY_CPU_GROUP_ID, false, 7 },
	{ HV_PARTITION_PROPERTY_TIME_FREEZE, false, 1 },
	{ HV_PARTITION_PROPERTY_VIRTUAL_TLB_PAGE_COUNT, false, 64 },
	{ HV_PARTITION_PROPERTY_ZERO_MEMORY_ON_RESET, false, 1 },
	{ HV_PARTITION_PROPERTY_PROCESSORS_PER_SOCKET, false, 4 },
	{ HV_PARTITION_PROPERTY_NESTED_TLB_SIZE, false, 16 },
	{ HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING, false, 1 },
	{ HV_PARTITION_PROPERTY_ALLOCATION_ID, false, 9 },
	{ HV_PARTITION_PROPERTY_MONITORING_ID, false, 9 },
	{ HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION, false, 1 },
	{ HV_PARTITION_PROPERTY_ENLIGHTENMENT_MODIFICATIONS, false, 1 },
};

/*
 * Early properties are written between creation and initialization, the
 * others after initialization; at the wrong time a write fails with
 * HV_STATUS_INVALID_PARTITION_STATE and changes nothing. Nothing may be
 * read or written once the partition is finalized.
 */
static void mshv_sim_test_property_early_late(struct kunit *test)
{
	const struct test_timed_property *p;
	u64 id, before, value;
	unsigned int i, pass;

	mshv_sim_set_knob(test_ctx(test)->sim, MSHV_SIM_KNOB_CREATE_PAGES, 0);
	id = test_new_partition(test);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < ARRAY_SIZE(test_timed_properties); i++) {
			p = &test_timed_properties[i];
			KUNIT_ASSERT_EQ(test,
					hv_result(test_get_prop(test, id,
								p->code,
								&before)),
					HV_STATUS_SUCCESS);
			if (p->early == !pass) {
				KUNIT_EXPECT_EQ_MSG(test,
						    hv_result(test_set_prop(test, id, p->code,
									    p->value)),
						    HV_STATUS_SUCCESS,
						    "property %#x, pass %u",
						    p->code, pass);
				test_expect_prop(test, id, p->code, p->value);
			} else {
				KUNIT_EXPECT_EQ_MSG(test,
						    hv_result(test_set_prop(test, id, p->code,
									    p->value)),
						    HV_STATUS_INVALID_PARTITION_STATE,
						    "property %#x, pass %u",
						    p->code, pass);
				test_expect_prop(test, id, p->code, before);
			}
		}
		if (!pass)
			test_initialize(test, id);
	}

	KUNIT_ASSERT_EQ(test,
			hv_result(test_fast(test, HVCALL_FINALIZE_PARTITION,
					    id)),
			HV_STATUS_SUCCESS);
	test_expect_status(test,
			   test_get_prop(test, id,
					 HV_PARTITION_PROPERTY_XSAVE_STATES,
					 &value),
			   HV_STATUS_INVALID_PARTITION_STATE);
	test_expect_status(test,
			   test_set_prop(test, id,
					 HV_PARTITION_PROPERTY_TIME_FREEZE, 0),
			   HV_STATUS_INVALID_PARTITION_STATE);
}

/* HvCreatePartition of a child with processor features disabled. */
static u64 test_create_disabled(struct kunit *test, u64 bank0, u64 bank1,
				u64 xsave)
{
	struct hv_input_create_partition *in = test_ctx(test)->in;
	struct hv_output_create_partition *out = test_ctx(test)->out;
	struct hv_partition_creation_properties *cr;

	memset(in, 0, sizeof(*in));
	in->flags = TEST_CREATION_FLAGS;
	in->compatibility_version = HV_COMPATIBILITY_21_H2;
	cr = &in->partition_creation_properties;
	cr->disabled_processor_features[0] = bank0;
	cr->disabled_processor_features[1] = bank1;
	cr->disabled_processor_xsave_features = xsave;
	KUNIT_ASSERT_EQ(test,
			hv_result(test_call(test,
					    TEST_CTL(HVCALL_CREATE_PARTITION,
						     0, 0))),
			HV_STATUS_SUCCESS);
	return out->partition_id;
}

/*
 * A child has the root's processor less the features its creation
 * disabled; bits the root lacks, reserved ones included, may be disabled
 * too. The accessor the other hypercalls use agrees with the properties.
 */
static void mshv_sim_test_property_processor(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_partition *pt;
	u64 all, some, value;
	unsigned long flags;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_CREATE_PAGES, 0);
	all = test_create_disabled(test, 0, 0, 0);
	some = test_create_disabled(test,
				    HV_X64_PROC_FEATURE0_LAHF_SAHF |
				    HV_X64_PROC_FEATURE0_RESERVED |
				    HV_X64_PROC_FEATURE0_SSE3,
				    U64_MAX, U64_MAX);

	test_expect_prop(test, all, HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0,
			 TEST_FEATURES0);
	test_expect_prop(test, some, HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0,
			 TEST_FEATURES0 & ~HV_X64_PROC_FEATURE0_LAHF_SAHF);
	test_expect_prop(test, some, HV_PARTITION_PROPERTY_PROCESSOR_FEATURES1,
			 0);
	test_expect_prop(test, some,
			 HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES, 0);
	test_expect_prop(test, some, HV_PARTITION_PROPERTY_XSAVE_STATES, 0x3);
	test_expect_prop(test, HV_PARTITION_ID_SELF,
			 HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0,
			 TEST_FEATURES0);

	spin_lock_irqsave(&sim->lock, flags);
	pt = mshv_sim_find(sim, some, false);
	KUNIT_EXPECT_EQ(test, mshv_sim_processor_features(pt, 0),
			TEST_FEATURES0 & ~HV_X64_PROC_FEATURE0_LAHF_SAHF);
	KUNIT_EXPECT_EQ(test, mshv_sim_processor_features(pt, 2), 0);
	KUNIT_EXPECT_EQ(test,
			mshv_sim_processor_features(mshv_sim_find(sim, HV_PARTITION_ID_SELF,
								  true), 0),
			TEST_FEATURES0);
	spin_unlock_irqrestore(&sim->lock, flags);

	/* A child's address space may be narrower, not wider. */
	test_expect_status(test,
			   test_set_prop(test, some,
					 HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH,
					 53),
			   HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	test_expect_status(test,
			   test_set_prop(test, some,
					 HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH,
					 31),
			   HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	test_expect_prop(test, some,
			 HV_PARTITION_PROPERTY_PHYSICAL_ADDRESS_WIDTH, 52);

	/* HvGetPartitionPropertyEx reads the same values. */
	KUNIT_ASSERT_EQ(test,
			hv_result(test_get_prop_ex(test, some,
						   HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0,
						   &value)),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, value,
			TEST_FEATURES0 & ~HV_X64_PROC_FEATURE0_LAHF_SAHF);
	test_expect_status(test,
			   test_get_prop_ex(test, some,
					    HV_PARTITION_PROPERTY_VMM_CAPABILITIES,
					    &value),
			   HV_STATUS_UNKNOWN_PROPERTY);
}

/*
 * The reference time runs, stands still while TIME_FREEZE is set, may be
 * set then, and runs on from there when the partition thaws.
 */
static void mshv_sim_test_property_time_freeze(struct kunit *test)
{
	u64 id, t1, t2, t3, t4;

	mshv_sim_set_knob(test_ctx(test)->sim, MSHV_SIM_KNOB_CREATE_PAGES, 0);
	id = test_new_partition(test);
	test_expect_status(test,
			   test_set_prop(test, id,
					 HV_PARTITION_PROPERTY_TIME_FREEZE, 1),
			   HV_STATUS_INVALID_PARTITION_STATE);
	test_initialize(test, id);

	KUNIT_ASSERT_EQ(test,
			hv_result(test_get_prop(test, id,
						HV_PARTITION_PROPERTY_REFERENCE_TIME,
						&t1)),
			HV_STATUS_SUCCESS);
	usleep_range(2000, 3000);
	KUNIT_ASSERT_EQ(test,
			hv_result(test_get_prop(test, id,
						HV_PARTITION_PROPERTY_REFERENCE_TIME,
						&t2)),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_GE(test, t2 - t1, 20000);	/* 2 ms in 100 ns units */

	/* Only frozen time may be set. */
	test_expect_status(test,
			   test_set_prop(test, id,
					 HV_PARTITION_PROPERTY_REFERENCE_TIME,
					 t1),
			   HV_STATUS_INVALID_PARTITION_STATE);
	test_expect_status(test,
			   test_set_prop(test, id,
					 HV_PARTITION_PROPERTY_TIME_FREEZE, 2),
			   HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE);
	test_expect_status(test,
			   test_set_prop(test, id,
					 HV_PARTITION_PROPERTY_TIME_FREEZE, 1),
			   HV_STATUS_SUCCESS);
	test_expect_prop(test, id, HV_PARTITION_PROPERTY_TIME_FREEZE, 1);
	KUNIT_ASSERT_EQ(test,
			hv_result(test_get_prop(test, id,
						HV_PARTITION_PROPERTY_REFERENCE_TIME,
						&t3)),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_GE(test, t3, t2);
	usleep_range(2000, 3000);
	test_expect_prop(test, id, HV_PARTITION_PROPERTY_REFERENCE_TIME, t3);
	/* The root's time is not the child's: it still runs. */
	KUNIT_ASSERT_EQ(test,
			hv_result(test_get_prop(test, HV_PARTITION_ID_SELF,
						HV_PARTITION_PROPERTY_REFERENCE_TIME,
						&t4)),
			HV_STATUS_SUCCESS);
	usleep_range(2000, 3000);
	KUNIT_ASSERT_EQ(test,
			hv_result(test_get_prop(test, HV_PARTITION_ID_SELF,
						HV_PARTITION_PROPERTY_REFERENCE_TIME,
						&t1)),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_GT(test, t1, t4);

	/* Set while frozen, it runs on from the new value. */
	test_expect_status(test,
			   test_set_prop(test, id,
					 HV_PARTITION_PROPERTY_REFERENCE_TIME,
					 1000000000ULL),
			   HV_STATUS_SUCCESS);
	test_expect_prop(test, id, HV_PARTITION_PROPERTY_REFERENCE_TIME,
			 1000000000ULL);
	test_expect_status(test,
			   test_set_prop(test, id,
					 HV_PARTITION_PROPERTY_TIME_FREEZE, 0),
			   HV_STATUS_SUCCESS);
	usleep_range(2000, 3000);
	KUNIT_ASSERT_EQ(test,
			hv_result(test_get_prop(test, id,
						HV_PARTITION_PROPERTY_REFERENCE_TIME,
						&t4)),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_GE(test, t4, 1000000000ULL + 20000);
	/* ...and not from where it would be had it never stopped. */
	KUNIT_EXPECT_LT(test, t4, 1000000000ULL + 10ULL * 1000 * 1000 * 10);
}

/* Fault injection */

static void mshv_sim_test_fault_oneshot(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_fault faults[2];
	u64 pfns[2], id, value, ret;

	KUNIT_ASSERT_EQ(test, mshv_sim_fault_arm(sim, GET_PROP, 2,
						 HV_STATUS_ACCESS_DENIED), 0);
	KUNIT_ASSERT_EQ(test, mshv_sim_get_faults(sim, faults, 2), 1);
	KUNIT_EXPECT_EQ(test, faults[0].code, GET_PROP);
	KUNIT_EXPECT_EQ(test, faults[0].remaining, 2);
	KUNIT_EXPECT_EQ(test, faults[0].status, HV_STATUS_ACCESS_DENIED);

	test_expect_status(test,
			   test_get_prop(test, HV_PARTITION_ID_SELF,
					 HV_PARTITION_PROPERTY_XSAVE_STATES,
					 &value),
			   HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, mshv_sim_get_faults(sim, faults, 2), 1);
	KUNIT_EXPECT_EQ(test, faults[0].remaining, 1);
	test_expect_status(test,
			   test_get_prop(test, HV_PARTITION_ID_SELF,
					 HV_PARTITION_PROPERTY_XSAVE_STATES,
					 &value),
			   HV_STATUS_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, value, U64_MAX);	/* no output written */
	KUNIT_EXPECT_EQ(test, mshv_sim_get_faults(sim, faults, 2), 0);
	test_expect_status(test,
			   test_get_prop(test, HV_PARTITION_ID_SELF,
					 HV_PARTITION_PROPERTY_XSAVE_STATES,
					 &value),
			   HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, GET_PROP), 3);

	/* A failed creation has no side effect. */
	test_deposit(test, HV_PARTITION_ID_SELF, 4, NULL);
	KUNIT_ASSERT_EQ(test,
			mshv_sim_fault_arm(sim, HVCALL_CREATE_PARTITION, 1,
					   HV_STATUS_INSUFFICIENT_MEMORY), 0);
	test_expect_status(test, test_create(test, 0, &id),
			   HV_STATUS_INSUFFICIENT_MEMORY);
	test_expect_stats(test, 0, 0, 4, 0, 0);
	test_expect_status(test, test_create(test, 0, &id), HV_STATUS_SUCCESS);
	test_expect_stats(test, 1, 0, 4, 4, 0);

	/* A failed deposit takes no page. */
	KUNIT_ASSERT_EQ(test,
			mshv_sim_fault_arm(sim, HVCALL_DEPOSIT_MEMORY, 1,
					   HV_STATUS_INVALID_PARAMETER), 0);
	test_alloc_pfns(test, pfns, 2);
	ret = test_deposit_call(test, id, pfns, 2, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
	test_expect_stats(test, 1, 0, 4, 4, 0);

	/* A continued rep call that fails still reports the earlier reps. */
	KUNIT_ASSERT_EQ(test,
			mshv_sim_fault_arm(sim, HVCALL_DEPOSIT_MEMORY, 1,
					   HV_STATUS_INVALID_PARAMETER), 0);
	ret = test_deposit_call(test, id, pfns, 2, 1);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 1);
	test_expect_stats(test, 1, 0, 4, 4, 0);
	test_deposit_pfns(test, id, pfns, 2);
	test_expect_stats(test, 1, 2, 4, 4, 0);

	/* Faults fire before the call is validated. */
	KUNIT_ASSERT_EQ(test, mshv_sim_fault_arm(sim, TEST_UNKNOWN_CODE, 1,
						 HV_STATUS_OPERATION_DENIED),
			0);
	test_expect_status(test, test_call(test, TEST_UNKNOWN_CODE),
			   HV_STATUS_OPERATION_DENIED);
	test_expect_status(test, test_call(test, TEST_UNKNOWN_CODE),
			   HV_STATUS_INVALID_HYPERCALL_CODE);
}

static void mshv_sim_test_fault_several(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u16 code = HVCALL_FINALIZE_PARTITION;

	/* Interleaved faults on one code fire at their own call. */
	KUNIT_ASSERT_EQ(test, mshv_sim_fault_arm(sim, code, 1,
						 HV_STATUS_ACCESS_DENIED), 0);
	KUNIT_ASSERT_EQ(test, mshv_sim_fault_arm(sim, code, 3,
						 HV_STATUS_TIME_OUT), 0);
	test_expect_status(test, test_fast(test, code, TEST_BAD_ID),
			   HV_STATUS_ACCESS_DENIED);
	test_expect_status(test, test_fast(test, code, TEST_BAD_ID),
			   HV_STATUS_INVALID_PARTITION_ID);
	test_expect_status(test, test_fast(test, code, TEST_BAD_ID),
			   HV_STATUS_TIME_OUT);

	/* Two faults due on the same call: the first armed one wins. */
	KUNIT_ASSERT_EQ(test, mshv_sim_fault_arm(sim, code, 1,
						 HV_STATUS_NOT_FOUND), 0);
	KUNIT_ASSERT_EQ(test, mshv_sim_fault_arm(sim, code, 1,
						 HV_STATUS_OPERATION_FAILED),
			0);
	test_expect_status(test, test_fast(test, code, TEST_BAD_ID),
			   HV_STATUS_NOT_FOUND);
	test_expect_status(test, test_fast(test, code, TEST_BAD_ID),
			   HV_STATUS_INVALID_PARTITION_ID);

	/* Faults on other codes are not counted down. */
	KUNIT_ASSERT_EQ(test, mshv_sim_fault_arm(sim, code, 1,
						 HV_STATUS_NOT_FOUND), 0);
	test_expect_status(test,
			   test_fast(test, HVCALL_DELETE_PARTITION,
				     TEST_BAD_ID),
			   HV_STATUS_INVALID_PARTITION_ID);
	test_expect_status(test, test_fast(test, code, TEST_BAD_ID),
			   HV_STATUS_NOT_FOUND);
}

static void mshv_sim_test_fault_arm_limits(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_fault faults[MSHV_SIM_MAX_FAULTS + 1];
	unsigned int i;

	KUNIT_EXPECT_EQ(test, mshv_sim_fault_arm(sim, 0x10000, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, mshv_sim_fault_arm(sim, GET_PROP, 0, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, mshv_sim_fault_arm(sim, GET_PROP, 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, mshv_sim_fault_arm(sim, GET_PROP, 1, 0x10000),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mshv_sim_get_faults(sim, faults, 1), 0);

	for (i = 0; i < MSHV_SIM_MAX_FAULTS; i++)
		KUNIT_ASSERT_EQ(test, mshv_sim_fault_arm(sim, i, i + 1, 0x71),
				0);
	KUNIT_EXPECT_EQ(test, mshv_sim_fault_arm(sim, GET_PROP, 1, 0x71),
			-ENOSPC);
	KUNIT_ASSERT_EQ(test, mshv_sim_get_faults(sim, faults,
						  ARRAY_SIZE(faults)),
			MSHV_SIM_MAX_FAULTS);
	for (i = 0; i < MSHV_SIM_MAX_FAULTS; i++) {
		KUNIT_EXPECT_EQ(test, faults[i].code, i);
		KUNIT_EXPECT_EQ(test, faults[i].remaining, i + 1);
	}

	mshv_sim_fault_clear(sim);
	KUNIT_EXPECT_EQ(test, mshv_sim_get_faults(sim, faults, 1), 0);
	KUNIT_EXPECT_EQ(test, mshv_sim_fault_arm(sim, GET_PROP, 1, 0x71), 0);
}

/* Call counters */

static void mshv_sim_test_call_counters(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_call_count *counts;
	unsigned int i, nr;

	counts = kunit_kcalloc(test, MSHV_SIM_MAX_COUNTED_CODES,
			       sizeof(*counts), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, counts);

	/* Counted even when rejected; listed in code order. */
	test_call(test, HVCALL_DELETE_PARTITION);
	test_call(test, HVCALL_CREATE_PARTITION | BIT_ULL(63));
	test_call(test, HVCALL_DELETE_PARTITION);
	nr = mshv_sim_get_call_counts(sim, counts, MSHV_SIM_MAX_COUNTED_CODES);
	KUNIT_ASSERT_EQ(test, nr, 2);
	KUNIT_EXPECT_EQ(test, counts[0].code, HVCALL_CREATE_PARTITION);
	KUNIT_EXPECT_EQ(test, counts[0].calls, 1);
	KUNIT_EXPECT_EQ(test, counts[1].code, HVCALL_DELETE_PARTITION);
	KUNIT_EXPECT_EQ(test, counts[1].calls, 2);

	/* Codes beyond the table's capacity are still answered. */
	for (i = 0; i < MSHV_SIM_MAX_COUNTED_CODES; i++)
		test_expect_status(test, test_call(test, 0x1000 + i),
				   HV_STATUS_INVALID_HYPERCALL_CODE);
	nr = mshv_sim_get_call_counts(sim, counts, MSHV_SIM_MAX_COUNTED_CODES);
	KUNIT_EXPECT_EQ(test, nr, MSHV_SIM_MAX_COUNTED_CODES);
	for (i = 1; i < nr; i++)
		KUNIT_EXPECT_LT(test, counts[i - 1].code, counts[i].code);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, 0x1000), 1);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, 0x1000 +
						  MSHV_SIM_MAX_COUNTED_CODES -
						  1), 0);
}

/* Guest memory (SLAT) */

#define TEST_RW		(HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE)
#define TEST_LARGE	HV_PAGES_PER_LARGE_PAGE
/* Guest page frames in 1 GiB. */
#define TEST_DIR_PAGES	(TEST_LARGE * 512ULL)

/* One HvMapGpaPages call of @nr PFNs starting at rep @start. */
static u64 test_map(struct kunit *test, u64 partition_id, u64 gfn, u32 flags,
		    const u64 *pfns, unsigned int nr, unsigned int start)
{
	struct hv_input_map_gpa_pages *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->target_partition_id = partition_id;
	in->target_gpa_base = gfn;
	in->map_flags = flags;
	memcpy(in->source_gpa_page_list, pfns, nr * sizeof(*pfns));
	return test_call(test, TEST_CTL(HVCALL_MAP_GPA_PAGES, nr, start));
}

/* Map @nr pages from @gfn in one call that must complete. */
static void test_map_ok(struct kunit *test, u64 partition_id, u64 gfn,
			u32 flags, const u64 *pfns, unsigned int nr)
{
	u64 ret = test_map(test, partition_id, gfn, flags, pfns, nr, 0);

	KUNIT_ASSERT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), nr);
}

static u64 test_unmap(struct kunit *test, u64 partition_id, u64 gfn,
		      u32 flags, unsigned int nr, unsigned int start)
{
	struct hv_input_unmap_gpa_pages *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->target_partition_id = partition_id;
	in->target_gpa_base = gfn;
	in->unmap_flags = flags;
	return test_call(test, TEST_CTL(HVCALL_UNMAP_GPA_PAGES, nr, start));
}

static void test_unmap_ok(struct kunit *test, u64 partition_id, u64 gfn,
			  u32 flags, unsigned int nr)
{
	u64 ret = test_unmap(test, partition_id, gfn, flags, nr, 0);

	KUNIT_ASSERT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), nr);
}

/* One HvGetGpaPagesAccessStates call; the states land in the out page. */
static u64 test_states(struct kunit *test, u64 partition_id, u64 gfn,
		       u64 flags, unsigned int nr, unsigned int start)
{
	struct hv_input_get_gpa_pages_access_states *in = test_ctx(test)->in;

	in->partition_id = partition_id;
	in->flags = flags;
	in->hv_gpa_page_number = gfn;
	return test_call(test, TEST_CTL(HVCALL_GET_GPA_PAGES_ACCESS_STATES, nr,
					start));
}

/* Get the states of @nr pages into @got in one complete call. */
static void test_states_ok(struct kunit *test, u64 partition_id, u64 gfn,
			   u64 flags, unsigned int nr, u8 *got)
{
	u64 ret;

	memset(test_ctx(test)->out, 0xee, nr);
	ret = test_states(test, partition_id, gfn, flags, nr, 0);
	KUNIT_ASSERT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), nr);
	memcpy(got, test_ctx(test)->out, nr);
}

/* A child with a pool of @pool free pages and no initialization cost. */
static u64 test_mem_partition(struct kunit *test, u64 flags, unsigned int pool)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u64 id;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_CREATE_PAGES, 0);
	KUNIT_ASSERT_EQ(test, hv_result(test_create(test, flags, &id)),
			HV_STATUS_SUCCESS);
	if (pool)
		test_deposit(test, id, pool, NULL);
	return id;
}

static void test_free_order0(void *page)
{
	__free_page(page);
}

static void test_free_order9(void *page)
{
	__free_pages(page, 9);
}

/* @nr zeroed source pages, freed when the test ends. */
static void test_source_pfns(struct kunit *test, u64 *pfns, unsigned int nr)
{
	struct page *page;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, page);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
								test_free_order0,
								page), 0);
		pfns[i] = page_to_pfn(page);
	}
}

/* First PFN of 512 zeroed, 2 MiB-aligned source pages; may skip. */
static u64 test_source_large(struct kunit *test)
{
	struct page *page;

	page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, 9);
	if (!page)
		kunit_skip(test, "no free 2 MiB block");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_free_order9,
							page), 0);
	return page_to_pfn(page);
}

static void test_expect_slat(struct kunit *test, u64 id, u64 mapped,
			     u64 large, u64 noaccess, u64 slat_pages,
			     u64 intercepts)
{
	struct mshv_sim_slat_info info;

	KUNIT_ASSERT_EQ(test, mshv_sim_next_slat_info(test_ctx(test)->sim, id,
						      &info), 0);
	KUNIT_ASSERT_EQ(test, info.id, id);
	KUNIT_EXPECT_EQ(test, info.mapped_pages, mapped);
	KUNIT_EXPECT_EQ(test, info.large_entries, large);
	KUNIT_EXPECT_EQ(test, info.noaccess_pages, noaccess);
	KUNIT_EXPECT_EQ(test, info.slat_pages, slat_pages);
	KUNIT_EXPECT_EQ(test, info.intercepts, intercepts);
}

static void test_expect_mapped_total(struct kunit *test, u64 pages)
{
	struct mshv_sim_stats stats;

	mshv_sim_get_stats(test_ctx(test)->sim, &stats);
	KUNIT_EXPECT_EQ(test, stats.mapped_pages, pages);
}

static void test_expect_entry(struct kunit *test, u64 id, u64 gfn, u64 pfn,
			      u32 access, u8 state, bool large)
{
	struct mshv_sim_gpa_entry entry;

	KUNIT_ASSERT_EQ(test, mshv_sim_lookup_gpa(test_ctx(test)->sim, id, gfn,
						  &entry), 0);
	KUNIT_EXPECT_EQ(test, entry.pfn, pfn);
	KUNIT_EXPECT_EQ(test, entry.access, access);
	KUNIT_EXPECT_EQ(test, entry.state, state);
	KUNIT_EXPECT_EQ(test, entry.large, large);
}

static void test_expect_unmapped(struct kunit *test, u64 id, u64 gfn)
{
	struct mshv_sim_gpa_entry entry;

	KUNIT_EXPECT_EQ(test, mshv_sim_lookup_gpa(test_ctx(test)->sim, id, gfn,
						  &entry), -ENODATA);
}

static int test_guest(struct kunit *test, u64 id, u64 gpa, void *buf, u32 len,
		      enum mshv_sim_access acc, struct mshv_sim_gpa_fault *fault)
{
	return mshv_sim_guest_access(test_ctx(test)->sim, id, gpa, buf, len, acc,
				     fault);
}

static void test_expect_fault(struct kunit *test,
			      const struct mshv_sim_gpa_fault *fault, u64 gpa,
			      enum mshv_sim_access acc,
			      enum mshv_sim_fault_reason reason)
{
	KUNIT_EXPECT_EQ(test, fault->gpa, gpa);
	KUNIT_EXPECT_EQ(test, fault->access, acc);
	KUNIT_EXPECT_EQ(test, fault->reason, reason);
}

static void mshv_sim_test_map_unmap(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u64 pfns[3], id, ret;

	id = test_mem_partition(test, TEST_CREATION_FLAGS, 8);
	test_source_pfns(test, pfns, 3);

	test_map_ok(test, id, 0x100, TEST_RW, pfns, 3);
	test_expect_entry(test, id, 0x100, pfns[0], TEST_RW, 0, false);
	test_expect_entry(test, id, 0x102, pfns[2], TEST_RW, 0, false);
	test_expect_unmapped(test, id, 0xff);
	test_expect_unmapped(test, id, 0x103);
	/* One page for the 2 MiB table, one for the 1 GiB directory. */
	test_expect_slat(test, id, 3, 0, 0, 2, 0);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 8, 2);
	test_expect_mapped_total(test, 3);

	test_unmap_ok(test, id, 0x100, 0, 2);
	test_expect_unmapped(test, id, 0x101);
	test_expect_entry(test, id, 0x102, pfns[2], TEST_RW, 0, false);
	test_expect_slat(test, id, 1, 0, 0, 2, 0);

	/* Unmapping an unmapped page is no error; empty ranges free pages. */
	test_unmap_ok(test, id, 0x102, 0, 2);
	test_expect_slat(test, id, 0, 0, 0, 0, 0);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 8, 0);
	test_expect_mapped_total(test, 0);

	/* Unmap is allowed after finalization, map is not. */
	test_map_ok(test, id, 0x100, TEST_RW, pfns, 1);
	KUNIT_ASSERT_EQ(test, hv_result(test_fast(test,
						  HVCALL_FINALIZE_PARTITION,
						  id)),
			HV_STATUS_SUCCESS);
	ret = test_map(test, id, 0x101, TEST_RW, pfns, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret),
			HV_STATUS_INVALID_PARTITION_STATE);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
	test_unmap_ok(test, id, 0x100, 0, 1);
	test_expect_slat(test, id, 0, 0, 0, 0, 0);
	test_withdraw_all(test, id, 8);

	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_MAP_GPA_PAGES),
			3);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_UNMAP_GPA_PAGES),
			3);
}

/**
 * struct test_map_case - an HvMapGpaPages input that is rejected
 * @name: description
 * @gfn: target_gpa_base
 * @flags: map_flags
 * @padding: padding
 * @status: expected status (no rep completes)
 */
struct test_map_case {
	const char *name;
	u64 gfn;
	u32 flags;
	u32 padding;
	u16 status;
};

static const struct test_map_case test_map_cases[] = {
	{ "unknown flag", 0, TEST_RW | BIT(4), 0,
	  HV_STATUS_INVALID_PARAMETER },
	{ "flag bit 30", 0, TEST_RW | BIT(30), 0,
	  HV_STATUS_INVALID_PARAMETER },
	{ "padding", 0, TEST_RW, 1, HV_STATUS_INVALID_PARAMETER },
	{ "no access bit", 0, 0, 0, HV_STATUS_INVALID_PARAMETER },
	{ "write without read", 0, HV_MAP_GPA_WRITABLE, 0,
	  HV_STATUS_INVALID_PARAMETER },
	{ "execute without read", 0, HV_MAP_GPA_EXECUTABLE, 0,
	  HV_STATUS_INVALID_PARAMETER },
	{ "no access with read", 0,
	  HV_MAP_GPA_NO_ACCESS | HV_MAP_GPA_READABLE, 0,
	  HV_STATUS_INVALID_PARAMETER },
	{ "large at unaligned GPA", 0x100,
	  TEST_RW | HV_MAP_GPA_LARGE_PAGE, 0, HV_STATUS_INVALID_PARAMETER },
	{ "GPA at 2^52", MSHV_SIM_GPA_LIMIT_PFN, TEST_RW, 0,
	  HV_STATUS_INVALID_PARAMETER },
	{ "GPA far out", U64_MAX, TEST_RW, 0, HV_STATUS_INVALID_PARAMETER },
};

static void mshv_sim_test_map_invalid(struct kunit *test)
{
	u64 pfns[2], list[3], bogus, id, plain, ret;
	unsigned int i;

	id = test_mem_partition(test, TEST_CREATION_FLAGS, 4);
	test_source_pfns(test, pfns, 2);

	for (i = 0; i < ARRAY_SIZE(test_map_cases); i++) {
		const struct test_map_case *tc = &test_map_cases[i];
		struct hv_input_map_gpa_pages *in = test_ctx(test)->in;

		memset(in, 0, sizeof(*in));
		in->target_partition_id = id;
		in->target_gpa_base = tc->gfn;
		in->map_flags = tc->flags;
		in->padding = tc->padding;
		in->source_gpa_page_list[0] = pfns[0];
		ret = test_call(test, TEST_CTL(HVCALL_MAP_GPA_PAGES, 1, 0));
		KUNIT_EXPECT_EQ_MSG(test, hv_result(ret), tc->status, "%s",
				    tc->name);
		KUNIT_EXPECT_EQ_MSG(test, hv_repcomp(ret), 0, "%s", tc->name);
	}
	test_expect_slat(test, id, 0, 0, 0, 0, 0);

	ret = test_map(test, TEST_BAD_ID, 0, TEST_RW, pfns, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARTITION_ID);
	ret = test_map(test, HV_PARTITION_ID_SELF, 0, TEST_RW, pfns, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARTITION_ID);

	/* The last page below 2^52 maps; the next rep stops. */
	ret = test_map(test, id, MSHV_SIM_GPA_LIMIT_PFN - 1, TEST_RW, pfns, 2,
		       0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 1);
	test_expect_entry(test, id, MSHV_SIM_GPA_LIMIT_PFN - 1, pfns[0],
			  TEST_RW, 0, false);
	test_unmap_ok(test, id, MSHV_SIM_GPA_LIMIT_PFN - 1, 0, 1);
	ret = test_unmap(test, id, MSHV_SIM_GPA_LIMIT_PFN - 1, 0, 2, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 1);

	/* Source PFNs: not RAM, or a page the simulator holds. */
	bogus = test_bogus_gpa();
	list[0] = pfns[0];
	list[1] = bogus ? PHYS_PFN(bogus) : pfns[1];
	list[2] = pfns[1];
	if (bogus) {
		ret = test_map(test, id, 0x10, TEST_RW, list, 3, 0);
		KUNIT_EXPECT_EQ(test, hv_result(ret),
				HV_STATUS_INVALID_PARAMETER);
		KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 1);
		test_expect_unmapped(test, id, 0x11);
	} else {
		test_map_ok(test, id, 0x10, TEST_RW, list, 1);
	}
	test_expect_entry(test, id, 0x10, pfns[0], TEST_RW, 0, false);
	test_withdraw_all(test, id, 4 - 2);
	KUNIT_ASSERT_EQ(test, hv_result(test_withdraw(test, id, 1, 0)),
			HV_STATUS_NO_RESOURCES);
	test_deposit(test, id, 1, list);
	test_deposit(test, id, 2, NULL);
	ret = test_map(test, id, 0x20, TEST_RW, list, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
	/* ... though a no-access mapping only records its PFN. */
	ret = test_map(test, id, 0x20, HV_MAP_GPA_NO_ACCESS, list, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);

	/* Large pages need the partition's consent and aligned PFNs. */
	plain = test_mem_partition(test, 0, 2);
	ret = test_map(test, plain, 0, TEST_RW | HV_MAP_GPA_LARGE_PAGE, pfns,
		       1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	list[0] = round_up(pfns[0], TEST_LARGE) + 1;
	ret = test_map(test, id, 0, HV_MAP_GPA_NO_ACCESS |
		       HV_MAP_GPA_LARGE_PAGE, list, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);

	/* Unmap and access-state inputs. */
	ret = test_unmap(test, id, 0, BIT(0), 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	ret = test_unmap(test, id, 0x100, HV_UNMAP_GPA_LARGE_PAGE, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	((struct hv_input_unmap_gpa_pages *)test_ctx(test)->in)->padding = 1;
	ret = test_call(test, TEST_CTL(HVCALL_UNMAP_GPA_PAGES, 1, 0));
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	ret = test_unmap(test, TEST_BAD_ID, 0, 0, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARTITION_ID);
	ret = test_states(test, id, 0, BIT(4), 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	ret = test_states(test, id, 0, HV_GPA_ACCESS_STATE_CLEAR_ACCESSED |
			  HV_GPA_ACCESS_STATE_SET_ACCESSED, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	ret = test_states(test, id, 0, HV_GPA_ACCESS_STATE_CLEAR_DIRTY |
			  HV_GPA_ACCESS_STATE_SET_DIRTY, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	ret = test_states(test, TEST_BAD_ID, 0, 0, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARTITION_ID);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);

	test_expect_slat(test, id, 1, 0, 1, 2, 0);
	test_expect_mapped_total(test, 2);
}

static void mshv_sim_test_remap(struct kunit *test)
{
	struct mshv_sim_gpa_fault fault;
	u64 pfns[2], id, gpa;
	u8 byte = 0;

	id = test_mem_partition(test, TEST_CREATION_FLAGS, 2);
	test_source_pfns(test, pfns, 2);
	gpa = PFN_PHYS(0x40);

	/* Read-only: a read sets accessed, a write is denied. */
	test_map_ok(test, id, 0x40, HV_MAP_GPA_READABLE, pfns, 1);
	KUNIT_EXPECT_EQ(test, test_guest(test, id, gpa, &byte, 1,
					 MSHV_SIM_ACCESS_READ, &fault), 0);
	KUNIT_EXPECT_EQ(test, byte, 0);
	KUNIT_EXPECT_EQ(test, test_guest(test, id, gpa, &byte, 1,
					 MSHV_SIM_ACCESS_WRITE, &fault),
			-EFAULT);
	test_expect_fault(test, &fault, gpa, MSHV_SIM_ACCESS_WRITE,
			  MSHV_SIM_GPA_DENIED);
	test_expect_entry(test, id, 0x40, pfns[0], HV_MAP_GPA_READABLE,
			  HV_GPA_PAGE_ACCESSED, false);

	/* No access keeps the PFN given and the page's state. */
	test_map_ok(test, id, 0x40, HV_MAP_GPA_NO_ACCESS |
		    HV_MAP_GPA_ADJUSTABLE, &pfns[1], 1);
	test_expect_entry(test, id, 0x40, pfns[1], 0, HV_GPA_PAGE_ACCESSED,
			  false);
	test_expect_slat(test, id, 0, 0, 1, 2, 1);
	KUNIT_EXPECT_EQ(test, test_guest(test, id, gpa + 8, &byte, 1,
					 MSHV_SIM_ACCESS_READ, &fault),
			-EFAULT);
	test_expect_fault(test, &fault, gpa + 8, MSHV_SIM_ACCESS_READ,
			  MSHV_SIM_GPA_NO_ACCESS);

	/* Accessible again, on another page: writes land there. */
	test_map_ok(test, id, 0x40, TEST_RW | HV_MAP_GPA_ADJUSTABLE, &pfns[1],
		    1);
	byte = 0x5a;
	KUNIT_EXPECT_EQ(test, test_guest(test, id, gpa + 8, &byte, 1,
					 MSHV_SIM_ACCESS_WRITE, &fault), 0);
	KUNIT_EXPECT_EQ(test, ((u8 *)page_address(pfn_to_page(pfns[1])))[8],
			0x5a);
	KUNIT_EXPECT_EQ(test, ((u8 *)page_address(pfn_to_page(pfns[0])))[8],
			0);
	test_expect_entry(test, id, 0x40, pfns[1], TEST_RW,
			  HV_GPA_PAGE_ACCESSED | HV_GPA_PAGE_DIRTY, false);
	test_expect_slat(test, id, 1, 0, 0, 2, 2);
	test_expect_mapped_total(test, 1);

	/* An unmap forgets the state; a new map starts clean. */
	test_unmap_ok(test, id, 0x40, 0, 1);
	test_map_ok(test, id, 0x40, TEST_RW, pfns, 1);
	test_expect_entry(test, id, 0x40, pfns[0], TEST_RW, 0, false);
}

static void mshv_sim_test_large(struct kunit *test)
{
	struct mshv_sim_gpa_fault fault;
	u64 pfns[2], big, list[2], id;
	u32 magic = 0xfeedf00d, got = 0;

	id = test_mem_partition(test, TEST_CREATION_FLAGS, 4);
	big = test_source_large(test);
	test_source_pfns(test, pfns, 1);

	list[0] = big;
	test_map_ok(test, id, 3 * TEST_LARGE, TEST_RW | HV_MAP_GPA_LARGE_PAGE,
		    list, 1);
	test_expect_entry(test, id, 3 * TEST_LARGE, big, TEST_RW, 0, true);
	test_expect_entry(test, id, 4 * TEST_LARGE - 1, big + TEST_LARGE - 1,
			  TEST_RW, 0, true);
	test_expect_unmapped(test, id, 4 * TEST_LARGE);
	/* A large entry needs the 1 GiB directory only. */
	test_expect_slat(test, id, TEST_LARGE, 1, 0, 1, 0);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 4, 1);

	/* The guest reaches page 100 of it at PFN big + 100. */
	KUNIT_EXPECT_EQ(test, test_guest(test, id, PFN_PHYS(3 * TEST_LARGE +
							    100) + 12,
					 &magic, sizeof(magic),
					 MSHV_SIM_ACCESS_WRITE, &fault), 0);
	KUNIT_EXPECT_EQ(test, *(u32 *)(page_address(pfn_to_page(big + 100)) +
				       12), magic);

	/* A large map over 4 KiB entries replaces them and frees a table. */
	test_map_ok(test, id, 4 * TEST_LARGE + 7, TEST_RW, pfns, 1);
	test_expect_slat(test, id, TEST_LARGE + 1, 1, 0, 2, 0);
	test_map_ok(test, id, 4 * TEST_LARGE, HV_MAP_GPA_READABLE |
		    HV_MAP_GPA_LARGE_PAGE, list, 1);
	test_expect_entry(test, id, 4 * TEST_LARGE + 7, big + 7,
			  HV_MAP_GPA_READABLE, 0, true);
	test_expect_slat(test, id, 2 * TEST_LARGE, 2, 0, 1, 0);
	KUNIT_EXPECT_EQ(test, test_guest(test, id, PFN_PHYS(4 * TEST_LARGE +
							    100) + 12,
					 &got, sizeof(got),
					 MSHV_SIM_ACCESS_READ, &fault), 0);
	KUNIT_EXPECT_EQ(test, got, magic);

	/* Large no-access entries; then unmap everything, large. */
	list[0] = 0;
	list[1] = 0;
	test_map_ok(test, id, 0, HV_MAP_GPA_NO_ACCESS | HV_MAP_GPA_LARGE_PAGE,
		    list, 2);
	test_expect_slat(test, id, 2 * TEST_LARGE, 4, 2 * TEST_LARGE, 1, 0);
	test_expect_mapped_total(test, 4 * TEST_LARGE);
	test_unmap_ok(test, id, 0, HV_UNMAP_GPA_LARGE_PAGE, 5);
	test_expect_slat(test, id, 0, 0, 0, 0, 0);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 4, 0);
	test_expect_mapped_total(test, 0);
}

/*
 * Large reps in a partition without 4 KiB entries, several per call: a
 * remap keeps each entry's accessed and dirty bits, and a rep that starts
 * a 1 GiB range stops the call when the pool has no page for it.
 */
static void mshv_sim_test_large_reps(struct kunit *test)
{
	const u64 base = TEST_DIR_PAGES - 2 * TEST_LARGE;
	struct mshv_sim_gpa_fault fault;
	u32 magic = 0x600dcafe;
	u64 big, id, ret;
	u64 list[3];

	id = test_mem_partition(test, TEST_CREATION_FLAGS, 1);
	big = test_source_large(test);
	list[0] = big;
	list[1] = big;
	list[2] = big;

	test_map_ok(test, id, 0, TEST_RW | HV_MAP_GPA_LARGE_PAGE, list, 2);
	test_expect_slat(test, id, 2 * TEST_LARGE, 2, 0, 1, 0);
	KUNIT_EXPECT_EQ(test, test_guest(test, id, PFN_PHYS(TEST_LARGE + 3),
					 &magic, sizeof(magic),
					 MSHV_SIM_ACCESS_WRITE, &fault), 0);

	/* Both remapped read-only: the second stays accessed and dirty. */
	test_map_ok(test, id, 0, HV_MAP_GPA_READABLE | HV_MAP_GPA_LARGE_PAGE,
		    list, 2);
	test_expect_entry(test, id, 0, big, HV_MAP_GPA_READABLE, 0, true);
	test_expect_entry(test, id, TEST_LARGE + 3, big + 3,
			  HV_MAP_GPA_READABLE,
			  HV_GPA_PAGE_ACCESSED | HV_GPA_PAGE_DIRTY, true);
	test_expect_slat(test, id, 2 * TEST_LARGE, 2, 0, 1, 0);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 1, 1);

	/* The third rep needs a directory: the first two are done. */
	ret = test_map(test, id, base, TEST_RW | HV_MAP_GPA_LARGE_PAGE, list,
		       3, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INSUFFICIENT_MEMORY);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 2);
	test_expect_entry(test, id, base + TEST_LARGE, big, TEST_RW, 0, true);
	test_expect_unmapped(test, id, TEST_DIR_PAGES);
	test_expect_slat(test, id, 4 * TEST_LARGE, 4, 0, 1, 0);

	test_deposit(test, id, 1, NULL);
	ret = test_map(test, id, base, TEST_RW | HV_MAP_GPA_LARGE_PAGE, list,
		       3, 2);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 3);
	test_expect_entry(test, id, TEST_DIR_PAGES, big, TEST_RW, 0, true);
	test_expect_slat(test, id, 5 * TEST_LARGE, 5, 0, 2, 0);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 2, 2);

	test_unmap_ok(test, id, 0, HV_UNMAP_GPA_LARGE_PAGE, 2);
	test_unmap_ok(test, id, base, HV_UNMAP_GPA_LARGE_PAGE, 3);
	test_expect_slat(test, id, 0, 0, 0, 0, 0);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 2, 0);
}

static void mshv_sim_test_split(struct kunit *test)
{
	u64 pfns[1], list[1], big, id, ret, gfn;

	id = test_mem_partition(test, TEST_CREATION_FLAGS, 1);
	big = test_source_large(test);
	test_source_pfns(test, pfns, 1);
	list[0] = big;
	test_map_ok(test, id, 0, TEST_RW | HV_MAP_GPA_LARGE_PAGE, list, 1);
	test_map_ok(test, id, TEST_LARGE, TEST_RW | HV_MAP_GPA_LARGE_PAGE,
		    list, 1);
	test_expect_slat(test, id, 2 * TEST_LARGE, 2, 0, 1, 0);

	/* A split needs a table page; the pool has none free. */
	ret = test_map(test, id, 5, HV_MAP_GPA_READABLE, pfns, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INSUFFICIENT_MEMORY);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
	ret = test_unmap(test, id, 5, 0, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INSUFFICIENT_MEMORY);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
	test_expect_entry(test, id, 5, big + 5, TEST_RW, 0, true);

	/* Mapping one 4 KiB page splits: the other 511 keep PFN, access. */
	test_deposit(test, id, 1, NULL);
	test_map_ok(test, id, 5, HV_MAP_GPA_READABLE, pfns, 1);
	test_expect_entry(test, id, 5, pfns[0], HV_MAP_GPA_READABLE, 0, false);
	test_expect_entry(test, id, 4, big + 4, TEST_RW, 0, false);
	test_expect_entry(test, id, 511, big + 511, TEST_RW, 0, false);
	test_expect_slat(test, id, 2 * TEST_LARGE, 1, 0, 2, 0);

	/* Unmapping one 4 KiB page of a large entry splits it too. */
	test_deposit(test, id, 1, NULL);
	gfn = TEST_LARGE + 10;
	test_unmap_ok(test, id, gfn, 0, 1);
	test_expect_unmapped(test, id, gfn);
	test_expect_entry(test, id, gfn + 1, big + 11, TEST_RW, 0, false);
	test_expect_slat(test, id, 2 * TEST_LARGE - 1, 0, 0, 3, 0);

	/* 4 KiB unmaps covering a whole large entry need no split. */
	test_map_ok(test, id, TEST_LARGE, TEST_RW | HV_MAP_GPA_LARGE_PAGE,
		    list, 1);
	test_expect_slat(test, id, 2 * TEST_LARGE, 1, 0, 2, 0);
	test_withdraw_all(test, id, 1);
	test_unmap_ok(test, id, 0, 0, 2 * TEST_LARGE);
	test_expect_slat(test, id, 0, 0, 0, 0, 0);
	test_expect_mapped_total(test, 0);
}

static void mshv_sim_test_map_insufficient_memory(struct kunit *test)
{
	u64 pfns[4], list[4], id, ret;

	id = test_mem_partition(test, TEST_CREATION_FLAGS, 0);
	test_source_pfns(test, pfns, 4);

	ret = test_map(test, id, 0, TEST_RW, pfns, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INSUFFICIENT_MEMORY);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
	test_deposit(test, id, 1, NULL);
	ret = test_map(test, id, 0, TEST_RW, pfns, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INSUFFICIENT_MEMORY);
	test_expect_slat(test, id, 0, 0, 0, 0, 0);

	/* Crossing into a new 2 MiB range stops at that rep. */
	test_deposit(test, id, 1, NULL);
	ret = test_map(test, id, TEST_LARGE - 2, TEST_RW, pfns, 4, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INSUFFICIENT_MEMORY);
	KUNIT_ASSERT_EQ(test, hv_repcomp(ret), 2);
	test_expect_unmapped(test, id, TEST_LARGE);
	test_deposit(test, id, 1, NULL);
	ret = test_map(test, id, TEST_LARGE - 2, TEST_RW, pfns, 4, 2);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 4);
	test_expect_entry(test, id, TEST_LARGE + 1, pfns[3], TEST_RW, 0,
			  false);
	test_expect_slat(test, id, 4, 0, 0, 3, 0);

	/* A new 1 GiB range needs a table and a directory. */
	list[0] = pfns[0];
	test_deposit(test, id, 1, NULL);
	ret = test_map(test, id, TEST_DIR_PAGES, TEST_RW, list, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INSUFFICIENT_MEMORY);
	test_deposit(test, id, 1, NULL);
	test_map_ok(test, id, TEST_DIR_PAGES, TEST_RW, list, 1);
	test_expect_slat(test, id, 5, 0, 0, 5, 0);

	/* Pages in use by the SLAT cannot be withdrawn until unmapped. */
	ret = test_withdraw(test, id, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_NO_RESOURCES);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
	test_unmap_ok(test, id, TEST_LARGE - 2, 0, 4);
	test_expect_slat(test, id, 1, 0, 0, 2, 0);
	test_unmap_ok(test, id, TEST_DIR_PAGES, 0, 1);
	test_withdraw_all(test, id, 5);
	test_expect_pool(test, id, MSHV_SIM_PT_CREATED, 0, 0);
}

static void mshv_sim_test_map_max_reps(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u8 *out = test_ctx(test)->out;
	u64 pfns[5], id, ret;
	unsigned int i;

	id = test_mem_partition(test, TEST_CREATION_FLAGS, 2);
	test_source_pfns(test, pfns, 5);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_MAX_REPS, 2);

	ret = test_map(test, id, 0x10, TEST_RW, pfns, 5, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 2);
	test_expect_unmapped(test, id, 0x12);
	ret = test_map(test, id, 0x10, TEST_RW, pfns, 5, 2);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 4);
	ret = test_map(test, id, 0x10, TEST_RW, pfns, 5, 4);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 5);
	for (i = 0; i < 5; i++)
		test_expect_entry(test, id, 0x10 + i, pfns[i], TEST_RW, 0,
				  false);

	/* Access states fill out[start...] only. */
	memset(out, 0xee, 8);
	ret = test_states(test, id, 0x10, HV_GPA_ACCESS_STATE_SET_DIRTY, 5, 0);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 2);
	KUNIT_EXPECT_EQ(test, out[1], 0);
	KUNIT_EXPECT_EQ(test, out[2], 0xee);
	ret = test_states(test, id, 0x10, HV_GPA_ACCESS_STATE_SET_DIRTY, 5, 2);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 4);
	KUNIT_EXPECT_EQ(test, out[3], 0);
	KUNIT_EXPECT_EQ(test, out[4], 0xee);
	test_expect_entry(test, id, 0x13, pfns[3], TEST_RW, HV_GPA_PAGE_DIRTY,
			  false);
	test_expect_entry(test, id, 0x14, pfns[4], TEST_RW, 0, false);

	ret = test_unmap(test, id, 0x10, 0, 5, 0);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 2);
	ret = test_unmap(test, id, 0x10, 0, 5, 2);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 4);
	test_expect_entry(test, id, 0x14, pfns[4], TEST_RW, 0, false);
	ret = test_unmap(test, id, 0x10, 0, 5, 4);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 5);
	test_expect_slat(test, id, 0, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_MAP_GPA_PAGES),
			3);
}

static void mshv_sim_test_access_states(struct kunit *test)
{
	static const u8 none[5] = { 0, 0, 0, 0, 0 };
	struct mshv_sim_gpa_fault fault;
	u64 pfns[4], list[1], big, id;
	unsigned int i;
	u8 *got, byte = 1;

	got = kunit_kzalloc(test, TEST_LARGE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	id = test_mem_partition(test, TEST_CREATION_FLAGS, 2);
	test_source_pfns(test, pfns, 4);
	test_map_ok(test, id, 0x20, TEST_RW, pfns, 4);
	KUNIT_ASSERT_EQ(test, test_guest(test, id, PFN_PHYS(0x20), &byte, 1,
					 MSHV_SIM_ACCESS_WRITE, &fault), 0);
	KUNIT_ASSERT_EQ(test, test_guest(test, id, PFN_PHYS(0x21), &byte, 1,
					 MSHV_SIM_ACCESS_READ, &fault), 0);

	/* Reported before the flags apply; unmapped pages report 0. */
	test_states_ok(test, id, 0x20, 0, 5, got);
	KUNIT_EXPECT_MEMEQ(test, got, ((u8 []){ 3, 1, 0, 0, 0 }), 5);
	test_states_ok(test, id, 0x20, HV_GPA_ACCESS_STATE_CLEAR_DIRTY, 5, got);
	KUNIT_EXPECT_MEMEQ(test, got, ((u8 []){ 3, 1, 0, 0, 0 }), 5);
	test_states_ok(test, id, 0x20, HV_GPA_ACCESS_STATE_CLEAR_ACCESSED |
		       HV_GPA_ACCESS_STATE_SET_DIRTY, 5, got);
	KUNIT_EXPECT_MEMEQ(test, got, ((u8 []){ 1, 1, 0, 0, 0 }), 5);
	test_states_ok(test, id, 0x20, HV_GPA_ACCESS_STATE_CLEAR_DIRTY, 5, got);
	KUNIT_EXPECT_MEMEQ(test, got, ((u8 []){ 2, 2, 2, 2, 0 }), 5);
	test_states_ok(test, id, 0x20, 0, 5, got);
	KUNIT_EXPECT_MEMEQ(test, got, none, 5);
	test_expect_entry(test, id, 0x24 - 1, pfns[3], TEST_RW, 0, false);

	/* A large entry reports its bits for each of its 512 pages. */
	big = test_source_large(test);
	list[0] = big;
	test_map_ok(test, id, TEST_LARGE, TEST_RW | HV_MAP_GPA_LARGE_PAGE,
		    list, 1);
	KUNIT_ASSERT_EQ(test, test_guest(test, id, PFN_PHYS(TEST_LARGE + 3),
					 &byte, 1, MSHV_SIM_ACCESS_WRITE,
					 &fault), 0);

	/* Clearing takes effect at the last page: no page is missed. */
	test_states_ok(test, id, TEST_LARGE, HV_GPA_ACCESS_STATE_CLEAR_DIRTY,
		       256, got);
	for (i = 0; i < 256; i++)
		KUNIT_EXPECT_EQ(test, got[i], 3);
	test_states_ok(test, id, TEST_LARGE + 256,
		       HV_GPA_ACCESS_STATE_CLEAR_DIRTY, 256, got);
	for (i = 0; i < 256; i++)
		KUNIT_EXPECT_EQ(test, got[i], 3);
	test_states_ok(test, id, TEST_LARGE, 0, TEST_LARGE, got);
	for (i = 0; i < TEST_LARGE; i++)
		KUNIT_EXPECT_EQ(test, got[i], 1);
	test_expect_entry(test, id, TEST_LARGE, big, TEST_RW,
			  HV_GPA_PAGE_ACCESSED, true);
}

static void mshv_sim_test_guest_access(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_gpa_fault fault;
	u8 buf[32], want[32];
	u64 pfns[3], id, gpa;
	u8 *page0, *page1;

	id = test_mem_partition(test, TEST_CREATION_FLAGS, 2);
	test_source_pfns(test, pfns, 3);
	test_map_ok(test, id, 0x30, TEST_RW, pfns, 2);
	test_map_ok(test, id, 0x32, HV_MAP_GPA_READABLE |
		    HV_MAP_GPA_KERNEL_EXECUTABLE, &pfns[2], 1);
	page0 = page_address(pfn_to_page(pfns[0]));
	page1 = page_address(pfn_to_page(pfns[1]));

	/* A write across a page boundary lands in both source pages. */
	memset(want, 0xa5, sizeof(want));
	gpa = PFN_PHYS(0x31) - 16;
	KUNIT_EXPECT_EQ(test, test_guest(test, id, gpa, want, 32,
					 MSHV_SIM_ACCESS_WRITE, &fault), 0);
	KUNIT_EXPECT_EQ(test, page0[PAGE_SIZE - 16], 0xa5);
	KUNIT_EXPECT_EQ(test, page0[PAGE_SIZE - 17], 0);
	KUNIT_EXPECT_EQ(test, page1[15], 0xa5);
	KUNIT_EXPECT_EQ(test, page1[16], 0);
	memset(buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, test_guest(test, id, gpa, buf, 32,
					 MSHV_SIM_ACCESS_READ, &fault), 0);
	KUNIT_EXPECT_MEMEQ(test, buf, want, 32);

	/* Execute needs an executable mapping. */
	KUNIT_EXPECT_EQ(test, test_guest(test, id, gpa, buf, 4,
					 MSHV_SIM_ACCESS_EXECUTE, &fault),
			-EFAULT);
	test_expect_fault(test, &fault, gpa, MSHV_SIM_ACCESS_EXECUTE,
			  MSHV_SIM_GPA_DENIED);
	KUNIT_EXPECT_EQ(test, test_guest(test, id, PFN_PHYS(0x32), buf, 4,
					 MSHV_SIM_ACCESS_EXECUTE, &fault), 0);
	KUNIT_EXPECT_EQ(test, test_guest(test, id, PFN_PHYS(0x32), buf, 4,
					 MSHV_SIM_ACCESS_WRITE, &fault),
			-EFAULT);
	test_expect_fault(test, &fault, PFN_PHYS(0x32), MSHV_SIM_ACCESS_WRITE,
			  MSHV_SIM_GPA_DENIED);

	/* Stops at the first unmapped page, after copying what it could. */
	memset(buf, 0, sizeof(buf));
	gpa = PFN_PHYS(0x33) - 8;
	KUNIT_EXPECT_EQ(test, test_guest(test, id, gpa, buf, 16,
					 MSHV_SIM_ACCESS_READ, &fault),
			-EFAULT);
	test_expect_fault(test, &fault, PFN_PHYS(0x33), MSHV_SIM_ACCESS_READ,
			  MSHV_SIM_GPA_UNMAPPED);
	KUNIT_EXPECT_EQ(test, test_guest(test, id, PFN_PHYS(0x33), buf, 1,
					 MSHV_SIM_ACCESS_WRITE, &fault),
			-EFAULT);
	test_expect_fault(test, &fault, PFN_PHYS(0x33), MSHV_SIM_ACCESS_WRITE,
			  MSHV_SIM_GPA_UNMAPPED);
	KUNIT_EXPECT_EQ(test, test_guest(test, id, U64_MAX, buf, 1,
					 MSHV_SIM_ACCESS_READ, &fault),
			-EFAULT);
	test_expect_fault(test, &fault, U64_MAX, MSHV_SIM_ACCESS_READ,
			  MSHV_SIM_GPA_UNMAPPED);
	test_expect_slat(test, id, 3, 0, 0, 2, 5);

	/* Accessed and dirty bits follow the accesses. */
	test_expect_entry(test, id, 0x30, pfns[0], TEST_RW,
			  HV_GPA_PAGE_ACCESSED | HV_GPA_PAGE_DIRTY, false);
	test_expect_entry(test, id, 0x32, pfns[2], HV_MAP_GPA_READABLE |
			  HV_MAP_GPA_KERNEL_EXECUTABLE, HV_GPA_PAGE_ACCESSED,
			  false);

	/* Arguments that are no access at all. */
	KUNIT_EXPECT_EQ(test, test_guest(test, TEST_BAD_ID, gpa, buf, 1,
					 MSHV_SIM_ACCESS_READ, &fault),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, test_guest(test, HV_PARTITION_ID_SELF, gpa, buf,
					 1, MSHV_SIM_ACCESS_READ, &fault),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, test_guest(test, id, gpa, buf, 0,
					 MSHV_SIM_ACCESS_READ, &fault),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mshv_sim_guest_access(sim, id, gpa, buf, 1, 3,
						    &fault), -EINVAL);
	test_expect_slat(test, id, 3, 0, 0, 2, 5);
}

static void mshv_sim_test_delete_drops_slat(struct kunit *test)
{
	struct mshv_sim_slat_info info;
	u64 pfns[2], id, keep;

	keep = test_mem_partition(test, TEST_CREATION_FLAGS, 2);
	id = test_mem_partition(test, TEST_CREATION_FLAGS, 4);
	test_source_pfns(test, pfns, 2);
	test_map_ok(test, keep, 0, TEST_RW, pfns, 1);
	test_map_ok(test, id, 0, TEST_RW, pfns, 2);
	test_map_ok(test, id, TEST_DIR_PAGES, HV_MAP_GPA_NO_ACCESS, pfns, 1);
	test_expect_mapped_total(test, 4);

	/* Walking the partitions in id order. */
	KUNIT_ASSERT_EQ(test, mshv_sim_next_slat_info(test_ctx(test)->sim, 0,
						      &info), 0);
	KUNIT_EXPECT_EQ(test, info.id, keep);
	KUNIT_ASSERT_EQ(test, mshv_sim_next_slat_info(test_ctx(test)->sim,
						      keep + 1, &info), 0);
	KUNIT_EXPECT_EQ(test, info.id, id);
	KUNIT_EXPECT_EQ(test, mshv_sim_next_slat_info(test_ctx(test)->sim,
						      id + 1, &info), -ENOENT);

	/* Deleting with mappings drops them; its pool pages leak. */
	KUNIT_ASSERT_EQ(test, hv_result(test_fast(test,
						  HVCALL_FINALIZE_PARTITION,
						  id)),
			HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, hv_result(test_fast(test,
						  HVCALL_DELETE_PARTITION,
						  id)),
			HV_STATUS_SUCCESS);
	test_expect_mapped_total(test, 1);
	test_expect_stats(test, 1, 2, 0, 0, 4);
	test_expect_slat(test, keep, 1, 0, 0, 2, 0);
	KUNIT_EXPECT_EQ(test, mshv_sim_lookup_gpa(test_ctx(test)->sim, id, 0,
						  NULL), -ENOENT);
}

/* Suite */

/**
 * struct test_split_block - a 2 MiB block split into 512 order-0 pages
 * @first: its first page
 * @held: index of the page deposited into the simulator, which frees it
 *	itself, or TEST_LARGE for none
 */
struct test_split_block {
	struct page *first;
	unsigned int held;
};

static void test_free_split_block(void *data)
{
	struct test_split_block *block = data;
	unsigned int i;

	for (i = 0; i < TEST_LARGE; i++)
		if (i != block->held)
			__free_page(nth_page(block->first, i));
}

/* A 2 MiB-aligned block of 512 separate order-0 pages; may skip. */
static struct test_split_block *test_split_block(struct kunit *test)
{
	struct test_split_block *block;
	struct page *page;

	block = kunit_kzalloc(test, sizeof(*block), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, block);
	page = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, 9);
	if (!page)
		kunit_skip(test, "no free 2 MiB block");
	split_page(page, 9);
	block->first = page;
	block->held = TEST_LARGE;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							test_free_split_block,
							block), 0);
	return block;
}

static void test_folio_put(void *folio)
{
	folio_put(folio);
}

/*
 * The source of a large rep: 512 frames of one large folio are accepted
 * at once; 512 frames that are not one folio are checked one by one, so
 * that a frame the simulator holds makes the rep fail; and the first frame
 * must be 512-aligned either way.
 */
static void mshv_sim_test_large_source(struct kunit *test)
{
	const u32 flags = TEST_RW | HV_MAP_GPA_LARGE_PAGE;
	struct test_split_block *block;
	struct folio *folio;
	u64 id, list[1], held, ret;

	/*
	 * The pool starts empty, so that a rep whose source passes the check
	 * fails for memory instead.
	 */
	id = test_mem_partition(test, TEST_CREATION_FLAGS, 0);

	block = test_split_block(test);
	list[0] = page_to_pfn(block->first);
	held = list[0] + 100;
	block->held = 100;
	test_deposit_pfns(test, id, &held, 1);
	/* The held page is in the pool: memory is not what is missing. */
	ret = test_map(test, id, TEST_LARGE, flags, list, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
	test_expect_unmapped(test, id, TEST_LARGE);

	/* Given back, the page may be mapped again; the pool is empty. */
	ret = test_withdraw(test, id, 1, 0);
	KUNIT_ASSERT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test, ((u64 *)test_ctx(test)->out)[0], held);
	block->held = TEST_LARGE;
	ret = test_map(test, id, TEST_LARGE, flags, list, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INSUFFICIENT_MEMORY);
	test_deposit(test, id, 1, NULL);
	test_map_ok(test, id, TEST_LARGE, flags, list, 1);
	test_expect_entry(test, id, TEST_LARGE + 100, held, TEST_RW, 0, true);
	list[0]++;
	ret = test_map(test, id, 2 * TEST_LARGE, flags, list, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	test_unmap_ok(test, id, TEST_LARGE, HV_UNMAP_GPA_LARGE_PAGE, 1);

	/* A large folio, from its first frame only. */
	folio = folio_alloc(GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN, 9);
	if (!folio)
		kunit_skip(test, "no free 2 MiB folio");
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_folio_put,
							folio), 0);
	list[0] = folio_pfn(folio) + 1;
	ret = test_map(test, id, 0, flags, list, 1, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
	test_expect_unmapped(test, id, 0);
	list[0] = folio_pfn(folio);
	test_map_ok(test, id, 0, flags, list, 1);
	test_expect_entry(test, id, TEST_LARGE - 1, list[0] + TEST_LARGE - 1,
			  TEST_RW, 0, true);
	test_unmap_ok(test, id, 0, HV_UNMAP_GPA_LARGE_PAGE, 1);
	test_expect_slat(test, id, 0, 0, 0, 0, 0);
}

/* ---- The root's processors ------------------------------------------------ */

/* One HvAddLogicalProcessor; the output is checked on success. */
static u16 test_add_lp(struct kunit *test, u32 lp_index, u32 apic_id)
{
	struct hv_input_add_logical_processor *in = test_ctx(test)->in;
	struct hv_output_add_logical_processor *out = test_ctx(test)->out;
	u16 status;

	memset(in, 0, sizeof(*in));
	memset(out, 0xff, sizeof(*out));
	in->lp_index = lp_index;
	in->apic_id = apic_id;
	status = hv_result(test_call(test,
				     TEST_CTL(HVCALL_ADD_LOGICAL_PROCESSOR, 0,
					      0)));
	if (status == HV_STATUS_SUCCESS)
		KUNIT_EXPECT_EQ(test, out->startup_status.hv_status,
				HV_STATUS_SUCCESS);
	return status;
}

/* One HvCreateVp of the root's VP @vp_index on logical processor @lp. */
static u16 test_add_root_vp(struct kunit *test, u32 vp_index, u64 lp)
{
	struct hv_input_create_vp *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->partition_id = HV_PARTITION_ID_SELF;
	in->vp_index = vp_index;
	in->flags = lp;
	return hv_result(test_call(test, TEST_CTL(HVCALL_CREATE_VP, 0, 0)));
}

/*
 * A logical processor needs a new index, an unused APIC id and root-pool
 * pages; the boot processor is there from the start.
 */
static void mshv_sim_test_add_lp(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_stats stats;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_LP_PAGES, 2);
	KUNIT_EXPECT_EQ(test, test_add_lp(test, 1, 1),
			HV_STATUS_INSUFFICIENT_MEMORY);
	test_deposit(test, HV_PARTITION_ID_SELF, 3, NULL);
	KUNIT_EXPECT_EQ(test, test_add_lp(test, 1, 1), HV_STATUS_SUCCESS);
	/* One page left: not enough for another. */
	KUNIT_EXPECT_EQ(test, test_add_lp(test, 2, 2),
			HV_STATUS_INSUFFICIENT_MEMORY);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_LP_PAGES, 0);
	KUNIT_EXPECT_EQ(test, test_add_lp(test, 0, 7),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, test_add_lp(test, 1, 7),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, test_add_lp(test, 3, 1),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, test_add_lp(test, MSHV_SIM_MAX_LPS, 9),
			HV_STATUS_INVALID_LP_INDEX);
	KUNIT_EXPECT_EQ(test, test_add_lp(test, MSHV_SIM_MAX_LPS - 1, 9),
			HV_STATUS_SUCCESS);

	mshv_sim_get_stats(sim, &stats);
	KUNIT_EXPECT_EQ(test, stats.lps, 3);
	KUNIT_EXPECT_EQ(test, stats.root_pool_pages, 3);
	KUNIT_EXPECT_EQ(test, stats.root_pool_in_use, 2);
}

/*
 * The root's own VPs: each on a logical processor that was added, once,
 * with root-pool pages.
 */
static void mshv_sim_test_root_vp(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct hv_input_create_vp *in = test_ctx(test)->in;
	struct mshv_sim_stats stats;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_LP_PAGES, 0);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_VP_PAGES, 4);
	KUNIT_EXPECT_EQ(test, test_add_root_vp(test, 1, 1),
			HV_STATUS_INVALID_LP_INDEX);
	KUNIT_ASSERT_EQ(test, test_add_lp(test, 1, 1), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_add_root_vp(test, 1, 1),
			HV_STATUS_INSUFFICIENT_MEMORY);
	test_deposit(test, HV_PARTITION_ID_SELF, 4, NULL);
	KUNIT_EXPECT_EQ(test, test_add_root_vp(test, 1, 1), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_add_root_vp(test, 1, 1),
			HV_STATUS_INVALID_VP_STATE);
	KUNIT_EXPECT_EQ(test, test_add_root_vp(test, 0, 0),
			HV_STATUS_INVALID_VP_STATE);
	KUNIT_EXPECT_EQ(test, test_add_root_vp(test, MSHV_SIM_MAX_LPS, 1),
			HV_STATUS_INVALID_VP_INDEX);
	KUNIT_EXPECT_EQ(test, test_add_root_vp(test, 2, MSHV_SIM_MAX_LPS),
			HV_STATUS_INVALID_LP_INDEX);
	/* Reserved input is rejected before anything is used. */
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_VP_PAGES, 0);
	memset(in, 0, sizeof(*in));
	in->partition_id = HV_PARTITION_ID_SELF;
	in->vp_index = 2;
	in->flags = 1;
	in->subnode_id = 1;
	KUNIT_EXPECT_EQ(test,
			hv_result(test_call(test, TEST_CTL(HVCALL_CREATE_VP,
							   0, 0))),
			HV_STATUS_INVALID_PARAMETER);

	mshv_sim_get_stats(sim, &stats);
	KUNIT_EXPECT_EQ(test, stats.root_vps, 2);
	KUNIT_EXPECT_EQ(test, stats.root_pool_in_use, 4);
	/* They are not VPs of a child partition. */
	KUNIT_EXPECT_EQ(test, stats.vps, 0);
}

static int mshv_sim_test_init(struct kunit *test)
{
	struct mshv_sim_test *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;

	ctx->sim = mshv_sim_create();
	ctx->in = (void *)get_zeroed_page(GFP_KERNEL);
	ctx->out = (void *)get_zeroed_page(GFP_KERNEL);
	if (!ctx->sim || !ctx->in || !ctx->out)
		return -ENOMEM;
	return 0;
}

static void mshv_sim_test_exit(struct kunit *test)
{
	struct mshv_sim_test *ctx = test->priv;

	if (!ctx)
		return;
	mshv_sim_destroy(ctx->sim);
	free_page((unsigned long)ctx->in);
	free_page((unsigned long)ctx->out);
}

static struct kunit_case mshv_sim_test_cases[] = {
	KUNIT_CASE_PARAM(mshv_sim_test_control_word, test_control_gen_params),
	KUNIT_CASE(mshv_sim_test_defaults),
	KUNIT_CASE(mshv_sim_test_hv_time),
	KUNIT_CASE(mshv_sim_test_stats_pages),
	KUNIT_CASE(mshv_sim_test_lifecycle),
	KUNIT_CASE(mshv_sim_test_create_invalid),
	KUNIT_CASE(mshv_sim_test_insufficient_memory),
	KUNIT_CASE(mshv_sim_test_state_machine),
	KUNIT_CASE(mshv_sim_test_deposit_invalid),
	KUNIT_CASE(mshv_sim_test_withdraw_exact),
	KUNIT_CASE(mshv_sim_test_withdraw_no_resources),
	KUNIT_CASE(mshv_sim_test_max_reps),
	KUNIT_CASE(mshv_sim_test_delete_leaks_pages),
	KUNIT_CASE(mshv_sim_test_destroy_frees_pages),
	KUNIT_CASE(mshv_sim_test_property_defaults),
	KUNIT_CASE(mshv_sim_test_property_set),
	KUNIT_CASE(mshv_sim_test_property_assignable),
	KUNIT_CASE(mshv_sim_test_property_early_late),
	KUNIT_CASE(mshv_sim_test_property_processor),
	KUNIT_CASE(mshv_sim_test_property_time_freeze),
	KUNIT_CASE(mshv_sim_test_fault_oneshot),
	KUNIT_CASE(mshv_sim_test_fault_several),
	KUNIT_CASE(mshv_sim_test_fault_arm_limits),
	KUNIT_CASE(mshv_sim_test_call_counters),
	KUNIT_CASE(mshv_sim_test_map_unmap),
	KUNIT_CASE(mshv_sim_test_map_invalid),
	KUNIT_CASE(mshv_sim_test_remap),
	KUNIT_CASE(mshv_sim_test_large),
	KUNIT_CASE(mshv_sim_test_large_reps),
	KUNIT_CASE(mshv_sim_test_split),
	KUNIT_CASE(mshv_sim_test_map_insufficient_memory),
	KUNIT_CASE(mshv_sim_test_map_max_reps),
	KUNIT_CASE(mshv_sim_test_access_states),
	KUNIT_CASE(mshv_sim_test_guest_access),
	KUNIT_CASE(mshv_sim_test_delete_drops_slat),
	KUNIT_CASE(mshv_sim_test_large_source),
	KUNIT_CASE(mshv_sim_test_add_lp),
	KUNIT_CASE(mshv_sim_test_root_vp),
	{}
};

static struct kunit_suite mshv_sim_test_suite = {
	.name = "mshv_sim_partition",
	.init = mshv_sim_test_init,
	.exit = mshv_sim_test_exit,
	.test_cases = mshv_sim_test_cases,
};

/* ---- The root's SynIC ---------------------------------------------------- */

/* Calls of test_synic_handler(), in interrupt context. */
static atomic_t test_synic_calls;

static void test_synic_handler(void)
{
	atomic_inc(&test_synic_calls);
}

/*
 * One SynIC operation: an MSR read or write, as the seam makes it (IRQs
 * off), or posting or cancelling a message, as the scheduler does (IRQs
 * off, simulator lock held).
 */
struct test_synic_op {
	unsigned int reg;
	u64 value;
	bool write;
	struct mshv_sim_sint_msg *post;
	struct mshv_sim_sint_msg *cancel;
};

static u64 test_synic_do(struct mshv_sim *sim, const struct test_synic_op *op)
{
	unsigned long flags;
	u64 value = 0;

	local_irq_save(flags);
	if (op->post || op->cancel) {
		spin_lock(&sim->lock);
		if (op->post)
			mshv_sim_synic_post(sim, op->post);
		if (op->cancel)
			mshv_sim_synic_cancel(op->cancel);
		spin_unlock(&sim->lock);
	} else if (op->write) {
		mshv_sim_set_msr(sim, op->reg, op->value);
	} else {
		value = mshv_sim_get_msr(sim, op->reg);
	}
	local_irq_restore(flags);
	return value;
}

static u64 test_rdmsr(struct mshv_sim *sim, unsigned int reg)
{
	struct test_synic_op op = { .reg = reg };

	return test_synic_do(sim, &op);
}

static void test_wrmsr(struct mshv_sim *sim, unsigned int reg, u64 value)
{
	struct test_synic_op op = { .reg = reg, .value = value, .write = true };

	test_synic_do(sim, &op);
}

static void test_post(struct mshv_sim *sim, struct mshv_sim_sint_msg *msg)
{
	struct test_synic_op op = { .post = msg };

	test_synic_do(sim, &op);
}

static void test_cancel(struct mshv_sim *sim, struct mshv_sim_sint_msg *msg)
{
	struct test_synic_op op = { .cancel = msg };

	test_synic_do(sim, &op);
}

/* This CPU's SINT0 slot; the test stays on one CPU (see test_synic_init). */
static struct hv_message *test_slot(struct mshv_sim *sim)
{
	struct hv_message_page *page;
	u64 simp = test_rdmsr(sim, HV_MSR_SIMP);

	page = phys_to_virt(simp & HV_HYP_PAGE_MASK);
	return &page->sint_message[HV_SYNIC_INTERCEPTION_SINT_INDEX];
}

static void test_msg_init(struct mshv_sim_sint_msg *msg, u64 sender, u32 vp)
{
	memset(msg, 0, sizeof(*msg));
	INIT_LIST_HEAD(&msg->node);
	msg->type = HVMSG_OPAQUE_INTERCEPT;
	msg->sender = sender;
	msg->size = sizeof(vp);
	memcpy(msg->payload, &vp, sizeof(vp));
}

static void test_synic_enable(struct mshv_sim *sim)
{
	test_wrmsr(sim, HV_MSR_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	test_wrmsr(sim, HV_MSR_SIMP, test_rdmsr(sim, HV_MSR_SIMP) |
		   HV_SYNIC_SIMP_ENABLE);
	test_wrmsr(sim, HV_MSR_SINT0, HYPERVISOR_CALLBACK_VECTOR);
}

/* Wait for the simulated SynIC interrupts raised on this CPU. */
static int test_synic_calls_now(struct mshv_sim *sim)
{
	irq_work_sync(&sim->synic[raw_smp_processor_id()].irq);
	return atomic_read(&test_synic_calls);
}

/* The registers after reset, and what the root may change. */
static void mshv_sim_test_synic_registers(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u64 simp = test_rdmsr(sim, HV_MSR_SIMP);

	KUNIT_EXPECT_EQ(test, simp & HV_SYNIC_SIMP_ENABLE, 0);
	KUNIT_EXPECT_NE(test, simp & HV_HYP_PAGE_MASK, 0);
	KUNIT_EXPECT_EQ(test, test_rdmsr(sim, HV_MSR_SVERSION), 1);
	KUNIT_EXPECT_EQ(test, test_rdmsr(sim, HV_MSR_SCONTROL), 0);
	KUNIT_EXPECT_EQ(test, test_rdmsr(sim, HV_MSR_SINT0),
			HV_SYNIC_SINT_MASKED);

	/* The page stays where the simulator put it. */
	test_wrmsr(sim, HV_MSR_SIMP, 0x1000 | HV_SYNIC_SIMP_ENABLE);
	KUNIT_EXPECT_EQ(test, test_rdmsr(sim, HV_MSR_SIMP),
			simp | HV_SYNIC_SIMP_ENABLE);
	test_wrmsr(sim, HV_MSR_SINT0, 0x20000 | HYPERVISOR_CALLBACK_VECTOR);
	KUNIT_EXPECT_EQ(test, test_rdmsr(sim, HV_MSR_SINT0),
			0x20000 | HYPERVISOR_CALLBACK_VECTOR);
}

/* A message in a free slot, with the interrupt. */
static void mshv_sim_test_synic_deliver(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_sint_msg msg;
	struct hv_message *slot;
	u32 vp;

	test_synic_enable(sim);
	slot = test_slot(sim);
	test_msg_init(&msg, 42, 7);
	test_post(sim, &msg);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 1);
	KUNIT_EXPECT_EQ(test, slot->header.message_type,
			HVMSG_OPAQUE_INTERCEPT);
	KUNIT_EXPECT_EQ(test, slot->header.payload_size, 4);
	KUNIT_EXPECT_EQ(test, slot->header.sender, 42);
	KUNIT_EXPECT_EQ(test, (int)slot->header.message_flags.msg_pending, 0);
	memcpy(&vp, slot->u.payload, sizeof(vp));
	KUNIT_EXPECT_EQ(test, vp, 7);
	KUNIT_EXPECT_TRUE(test, list_empty(&msg.node));
}

/* A busy slot: the next message waits until EOM. */
static void mshv_sim_test_synic_pending(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_sint_msg a, b;
	struct hv_message *slot;

	test_synic_enable(sim);
	slot = test_slot(sim);
	test_msg_init(&a, 1, 0);
	test_msg_init(&b, 2, 1);
	test_post(sim, &a);
	test_post(sim, &b);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 1);
	KUNIT_EXPECT_EQ(test, slot->header.sender, 1);
	KUNIT_EXPECT_EQ(test, (int)slot->header.message_flags.msg_pending, 1);
	KUNIT_EXPECT_FALSE(test, list_empty(&b.node));

	/* EOM with the slot still busy changes nothing. */
	test_wrmsr(sim, HV_MSR_EOM, 0);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 1);
	KUNIT_EXPECT_EQ(test, slot->header.sender, 1);

	/* The root frees the slot and asks for more. */
	WRITE_ONCE(slot->header.message_type, HVMSG_NONE);
	test_wrmsr(sim, HV_MSR_EOM, 0);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 2);
	KUNIT_EXPECT_EQ(test, slot->header.message_type,
			HVMSG_OPAQUE_INTERCEPT);
	KUNIT_EXPECT_EQ(test, slot->header.sender, 2);
	KUNIT_EXPECT_EQ(test, (int)slot->header.message_flags.msg_pending, 0);
	KUNIT_EXPECT_TRUE(test, list_empty(&b.node));
}

/* Nothing is delivered to a masked SINT; unmasking delivers it. */
static void mshv_sim_test_synic_masked(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_sint_msg msg;
	struct hv_message *slot;

	test_synic_enable(sim);
	test_wrmsr(sim, HV_MSR_SINT0, HV_SYNIC_SINT_MASKED);
	slot = test_slot(sim);
	test_msg_init(&msg, 5, 3);
	test_post(sim, &msg);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 0);
	KUNIT_EXPECT_EQ(test, slot->header.message_type, HVMSG_NONE);

	test_wrmsr(sim, HV_MSR_SINT0, HYPERVISOR_CALLBACK_VECTOR);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 1);
	KUNIT_EXPECT_EQ(test, slot->header.sender, 5);
}

/* A message still in the slot interrupts again when SINT0 is unmasked. */
static void mshv_sim_test_synic_unmask_full(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_sint_msg msg;
	struct hv_message *slot;

	test_synic_enable(sim);
	slot = test_slot(sim);
	test_msg_init(&msg, 9, 4);
	test_post(sim, &msg);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 1);
	test_wrmsr(sim, HV_MSR_SINT0, HV_SYNIC_SINT_MASKED);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 1);
	test_wrmsr(sim, HV_MSR_SINT0, HYPERVISOR_CALLBACK_VECTOR);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 2);
	KUNIT_EXPECT_EQ(test, slot->header.sender, 9);
	/* Unmasking what is already unmasked does not. */
	test_wrmsr(sim, HV_MSR_SINT0, HYPERVISOR_CALLBACK_VECTOR);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 2);
}

/* A cancelled message is never delivered. */
static void mshv_sim_test_synic_cancel(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_sint_msg a, b;
	struct hv_message *slot;

	test_synic_enable(sim);
	slot = test_slot(sim);
	test_msg_init(&a, 1, 0);
	test_msg_init(&b, 2, 1);
	test_post(sim, &a);
	test_post(sim, &b);
	test_cancel(sim, &b);
	KUNIT_EXPECT_TRUE(test, list_empty(&b.node));
	WRITE_ONCE(slot->header.message_type, HVMSG_NONE);
	test_wrmsr(sim, HV_MSR_EOM, 0);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 1);
	KUNIT_EXPECT_EQ(test, slot->header.message_type, HVMSG_NONE);
}

/* ---- Doorbell ports ---- */

#define TEST_DB_GPA	0xfe000000ULL

static u64 test_create_port(struct kunit *test, u64 owner, u32 port_id,
			    u64 peer, u32 type)
{
	struct hv_input_create_port *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->port_partition_id = owner;
	in->port_id = port_id;
	in->connection_partition_id = peer;
	in->port_info.port_type = type;
	in->port_info.target_sint = HV_SYNIC_DOORBELL_SINT_INDEX;
	in->port_info.target_vp = HV_ANY_VP;
	return test_call(test, TEST_CTL(HVCALL_CREATE_PORT, 0, 0));
}

static u64 test_connect(struct kunit *test, u64 child, u32 conn_id,
			u32 port_id, u64 value, u64 flags)
{
	struct hv_input_connect_port *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->connection_partition_id = child;
	in->connection_id = conn_id;
	in->port_partition_id = HV_PARTITION_ID_SELF;
	in->port_id = port_id;
	in->connection_info.port_type = HV_PORT_TYPE_DOORBELL;
	in->connection_info.doorbell_gpa = TEST_DB_GPA;
	in->connection_info.trigger_value = value;
	in->connection_info.doorbell_flags = flags;
	return test_call(test, TEST_CTL(HVCALL_CONNECT_PORT, 0, 0));
}

static u64 test_port_op(struct kunit *test, u16 code, u64 id, u32 port_id,
			u32 flags)
{
	struct hv_input_disconnect_port *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->connection_partition_id = id;
	in->connection_id = port_id;
	in->flags = flags;
	return test_call(test, TEST_CTL(code, 0, 0));
}

static void test_expect_ports(struct kunit *test, u64 ports, u64 conns)
{
	struct mshv_sim_stats stats;

	mshv_sim_get_stats(test_ctx(test)->sim, &stats);
	KUNIT_EXPECT_EQ(test, stats.ports, ports);
	KUNIT_EXPECT_EQ(test, stats.connections, conns);
}

/* HvCreatePort and HvConnectPort check what they are given. */
static void mshv_sim_test_port_checks(struct kunit *test)
{
	u64 id = test_new_partition(test), other = test_new_partition(test);
	const u64 dword = HV_DOORBELL_FLAG_TRIGGER_SIZE_DWORD;

	test_expect_status(test, test_create_port(test, id, 1, id,
						  HV_PORT_TYPE_DOORBELL),
			   HV_STATUS_INVALID_PARTITION_ID);
	test_expect_status(test, test_create_port(test, HV_PARTITION_ID_SELF,
						  1, 12345,
						  HV_PORT_TYPE_DOORBELL),
			   HV_STATUS_INVALID_PARTITION_ID);
	test_expect_status(test, test_create_port(test, HV_PARTITION_ID_SELF,
						  1, id, 1),
			   HV_STATUS_INVALID_PARAMETER);
	test_expect_status(test, test_create_port(test, HV_PARTITION_ID_SELF,
						  0, id,
						  HV_PORT_TYPE_DOORBELL),
			   HV_STATUS_INVALID_PORT_ID);
	test_expect_status(test, test_create_port(test, HV_PARTITION_ID_SELF,
						  HV_PORT_ID_MAX + 1, id,
						  HV_PORT_TYPE_DOORBELL),
			   HV_STATUS_INVALID_PORT_ID);
	test_expect_status(test, test_create_port(test, HV_PARTITION_ID_SELF,
						  1, id,
						  HV_PORT_TYPE_DOORBELL),
			   HV_STATUS_SUCCESS);
	test_expect_status(test, test_create_port(test, HV_PARTITION_ID_SELF,
						  1, other,
						  HV_PORT_TYPE_DOORBELL),
			   HV_STATUS_INVALID_PORT_ID);

	test_expect_status(test, test_connect(test, id, 5, 2, 0, dword),
			   HV_STATUS_INVALID_PORT_ID);
	test_expect_status(test, test_connect(test, other, 5, 1, 0, dword),
			   HV_STATUS_ACCESS_DENIED);
	test_expect_status(test, test_connect(test, id, 5, 1, 0, 5),
			   HV_STATUS_INVALID_PARAMETER);
	test_expect_status(test, test_connect(test, id, 5, 1, 0, BIT(8)),
			   HV_STATUS_INVALID_PARAMETER);
	test_expect_status(test, test_connect(test, id, 0, 1, 0, dword),
			   HV_STATUS_INVALID_CONNECTION_ID);
	test_expect_status(test, test_connect(test, id, 5, 1, 0, dword),
			   HV_STATUS_SUCCESS);
	test_expect_status(test, test_connect(test, id, 5, 1, 0, dword),
			   HV_STATUS_INVALID_CONNECTION_ID);
	test_expect_status(test, test_connect(test, id, 6, 1, 0, dword),
			   HV_STATUS_SUCCESS);
	test_expect_ports(test, 1, 2);

	test_expect_status(test, test_port_op(test, HVCALL_DISCONNECT_PORT, id,
					      7, 0),
			   HV_STATUS_INVALID_CONNECTION_ID);
	test_expect_status(test, test_port_op(test, HVCALL_DISCONNECT_PORT, id,
					      6, 2),
			   HV_STATUS_INVALID_PARAMETER);
	test_expect_status(test, test_port_op(test, HVCALL_DISCONNECT_PORT, id,
					      6,
					      HV_DISCONNECT_PORT_IS_DOORBELL),
			   HV_STATUS_SUCCESS);
	test_expect_ports(test, 1, 1);
	/* Deleting the port takes the connection left with it. */
	test_expect_status(test, test_port_op(test, HVCALL_DELETE_PORT,
					      HV_PARTITION_ID_SELF, 2, 0),
			   HV_STATUS_INVALID_PORT_ID);
	test_expect_status(test, test_port_op(test, HVCALL_DELETE_PORT,
					      HV_PARTITION_ID_SELF, 1, 0),
			   HV_STATUS_SUCCESS);
	test_expect_ports(test, 0, 0);
}

/* Connect a doorbell of 4 bytes of @value (or any value) at TEST_DB_GPA. */
static void test_doorbell(struct kunit *test, u64 id, u32 port_id,
			  u64 value, bool any)
{
	u64 flags = HV_DOORBELL_FLAG_TRIGGER_SIZE_DWORD;

	if (any)
		flags |= HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE;
	test_expect_status(test, test_create_port(test, HV_PARTITION_ID_SELF,
						  port_id, id,
						  HV_PORT_TYPE_DOORBELL),
			   HV_STATUS_SUCCESS);
	test_expect_status(test, test_connect(test, id, port_id, port_id,
					      value, flags),
			   HV_STATUS_SUCCESS);
}

/* Enable this CPU's event rings and SINT5 as the root driver does. */
static struct hv_synic_event_ring *test_rings_enable(struct mshv_sim *sim)
{
	struct hv_synic_event_ring_page *page;
	u64 sirbp = test_rdmsr(sim, HV_MSR_SIRBP);

	test_synic_enable(sim);
	test_wrmsr(sim, HV_MSR_SIRBP, sirbp | HV_SYNIC_SIRBP_ENABLE);
	test_wrmsr(sim, HV_MSR_SINT0 + HV_SYNIC_DOORBELL_SINT_INDEX,
		   HYPERVISOR_CALLBACK_VECTOR | HV_SYNIC_SINT_AS_INTERCEPT);
	page = phys_to_virt(sirbp & HV_HYP_PAGE_MASK);
	return &page->sint_event_ring[HV_SYNIC_DOORBELL_SINT_INDEX];
}

static int test_ring_write(struct kunit *test, u64 id, u32 value)
{
	struct mshv_sim_gpa_fault fault;

	return test_guest(test, id, TEST_DB_GPA, &value, sizeof(value),
			  MSHV_SIM_ACCESS_WRITE, &fault);
}

/*
 * A matching write queues the port id and posts one notification; more
 * writes only queue while the root has not unmasked the ring. A write of
 * another value or size is an ordinary write, which faults here.
 */
static void mshv_sim_test_doorbell_ring(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct hv_synic_event_ring *ring = test_rings_enable(sim);
	struct hv_notification_message_payload note;
	struct mshv_sim_gpa_fault fault;
	struct hv_message *slot = test_slot(sim);
	u64 id = test_new_partition(test);
	u16 word = 7;

	test_doorbell(test, id, 9, 7, false);
	KUNIT_EXPECT_EQ(test, test_ring_write(test, id, 8), -EFAULT);
	KUNIT_EXPECT_EQ(test, test_guest(test, id, TEST_DB_GPA, &word,
					 sizeof(word), MSHV_SIM_ACCESS_WRITE,
					 &fault), -EFAULT);
	KUNIT_EXPECT_EQ(test, ring->data[0], 0);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 0);

	KUNIT_ASSERT_EQ(test, test_ring_write(test, id, 7), 0);
	KUNIT_EXPECT_EQ(test, ring->data[0], 9);
	KUNIT_EXPECT_EQ(test, ring->signal_masked, 1);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 1);
	KUNIT_EXPECT_EQ(test, slot->header.message_type,
			HVMSG_SYNIC_SINT_INTERCEPT);
	memcpy(&note, slot->u.payload, sizeof(note));
	KUNIT_EXPECT_EQ(test, note.sint_index, HV_SYNIC_DOORBELL_SINT_INDEX);

	/* The root is at it: the next signal only queues. */
	slot->header.message_type = HVMSG_NONE;
	KUNIT_ASSERT_EQ(test, test_ring_write(test, id, 7), 0);
	KUNIT_EXPECT_EQ(test, ring->data[1], 9);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 1);
	KUNIT_EXPECT_EQ(test, slot->header.message_type, HVMSG_NONE);

	/* Unmasked, a signal is announced again. */
	ring->signal_masked = 0;
	KUNIT_ASSERT_EQ(test, test_ring_write(test, id, 7), 0);
	KUNIT_EXPECT_EQ(test, ring->data[2], 9);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 2);
	KUNIT_EXPECT_EQ(test, sim->doorbells, 3);
}

/*
 * A full ring says so and keeps the signal; HvNotifyPortRingEmpty puts
 * it in the entry the root freed.
 */
static void mshv_sim_test_doorbell_ring_full(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct hv_synic_event_ring *ring = test_rings_enable(sim);
	u64 id = test_new_partition(test);
	unsigned int i;
	u64 ret;

	test_doorbell(test, id, 3, 0, true);
	for (i = 0; i < HV_SYNIC_EVENT_RING_MESSAGE_COUNT; i++)
		KUNIT_ASSERT_EQ(test, test_ring_write(test, id, i), 0);
	KUNIT_EXPECT_EQ(test, ring->ring_full, 0);
	KUNIT_ASSERT_EQ(test, test_ring_write(test, id, 0), 0);
	KUNIT_EXPECT_EQ(test, ring->ring_full, 1);

	/* The root consumes the first entry, then asks for more. */
	ring->data[0] = 0;
	ring->ring_full = 0;
	ret = mshv_sim_hypercall(sim, HVCALL_NOTIFY_PORT_RING_EMPTY |
				 HV_HYPERCALL_FAST_BIT,
				 HV_SYNIC_DOORBELL_SINT_INDEX, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, ring->data[0], 3);
	KUNIT_EXPECT_EQ(test, ring->ring_full, 0);
	ret = mshv_sim_hypercall(sim, HVCALL_NOTIFY_PORT_RING_EMPTY |
				 HV_HYPERCALL_FAST_BIT, 16, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INVALID_PARAMETER);
}

/*
 * The SynIC is per CPU: the test stays on the CPU it starts on, and its
 * handler counts the interrupts.
 */
static int mshv_sim_test_synic_init(struct kunit *test)
{
	int ret = mshv_sim_test_init(test);

	if (ret)
		return ret;
	ret = set_cpus_allowed_ptr(current, cpumask_of(raw_smp_processor_id()));
	if (ret)
		return ret;
	atomic_set(&test_synic_calls, 0);
	mshv_sim_set_handler(test_ctx(test)->sim, test_synic_handler);
	return 0;
}

static void mshv_sim_test_synic_exit(struct kunit *test)
{
	struct mshv_sim_test *ctx = test->priv;

	if (ctx && ctx->sim)
		mshv_sim_set_handler(ctx->sim, NULL);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	mshv_sim_test_exit(test);
}

static struct kunit_case mshv_sim_synic_test_cases[] = {
	KUNIT_CASE(mshv_sim_test_synic_registers),
	KUNIT_CASE(mshv_sim_test_synic_deliver),
	KUNIT_CASE(mshv_sim_test_synic_pending),
	KUNIT_CASE(mshv_sim_test_synic_masked),
	KUNIT_CASE(mshv_sim_test_synic_unmask_full),
	KUNIT_CASE(mshv_sim_test_synic_cancel),
	KUNIT_CASE(mshv_sim_test_port_checks),
	KUNIT_CASE(mshv_sim_test_doorbell_ring),
	KUNIT_CASE(mshv_sim_test_doorbell_ring_full),
	{}
};

static struct kunit_suite mshv_sim_synic_test_suite = {
	.name = "mshv_sim_synic",
	.init = mshv_sim_test_synic_init,
	.exit = mshv_sim_test_synic_exit,
	.test_cases = mshv_sim_synic_test_cases,
};

/* ---- The virtual local APIC ---------------------------------------------- */

/* Guest memory of the LAPIC tests: pages at GPA 0, programs at TEST_CODE. */
#define TEST_GUEST_PAGES	8
#define TEST_CODE		0x1000
#define TEST_HANDLER		0x1100	/* counts, returns without EOI */
#define TEST_HANDLER_EOI	0x1200	/* counts, writes EOI, returns */
#define TEST_COUNTER		0x500	/* what the handlers count */
#define TEST_SCRATCH		0x504	/* what a program stores */
#define TEST_STACK		0x800
#define TEST_PML4		0x2000
#define TEST_PDPT		0x3000
#define TEST_PD			0x4000
#define TEST_GDT		0x5000
#define TEST_IDT		0x6000
#define TEST_PD_APIC		0x7000	/* maps 3 GiB to 4 GiB */
#define TEST_APIC_GPA		0xfee00000ULL

/**
 * struct test_guest - a child partition with VPs and guest memory
 * @id: partition id
 * @vp: the VP the helpers act on (0 unless test_add_vp() made another)
 * @mem: kernel addresses of the guest pages, GPA 0 up
 * @msg: the intercept message page of @vp
 * @regs: the register page of @vp
 */
struct test_guest {
	u64 id;
	u32 vp;
	u8 *mem[TEST_GUEST_PAGES];
	struct hv_message *msg;
	struct hv_vp_register_page *regs;
};

static void test_free_page(void *page)
{
	free_page((unsigned long)page);
}

/* Map the state page @type of @g's VP; its kernel address. */
static void *test_vp_page(struct kunit *test, struct test_guest *g, u16 type)
{
	struct hv_input_map_vp_state_page *in = test_ctx(test)->in;
	struct hv_output_map_vp_state_page *out = test_ctx(test)->out;

	memset(in, 0, sizeof(*in));
	in->partition_id = g->id;
	in->vp_index = g->vp;
	in->type = type;
	KUNIT_ASSERT_EQ(test,
			hv_result(test_call(test, TEST_CTL(HVCALL_MAP_VP_STATE_PAGE,
							   0, 0))),
			HV_STATUS_SUCCESS);
	return page_address(pfn_to_page(out->map_location));
}

static void test_set_reg64(struct kunit *test, struct test_guest *g, u32 name,
			   u64 value);

/*
 * Create VP @index of @g, with its state pages; the helpers now act on
 * it. Like every new VP it is explicitly suspended, and waits for a
 * startup IPI if it is an application processor with a local APIC.
 */
static void test_new_vp(struct kunit *test, struct test_guest *g, u32 index)
{
	struct hv_input_create_vp *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->partition_id = g->id;
	in->vp_index = index;
	KUNIT_ASSERT_EQ(test,
			hv_result(test_call(test, TEST_CTL(HVCALL_CREATE_VP,
							   0, 0))),
			HV_STATUS_SUCCESS);
	g->vp = index;
	g->msg = test_vp_page(test, g, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE);
	g->regs = test_vp_page(test, g, HV_VP_STATE_PAGE_REGISTERS);
}

/*
 * test_new_vp(), then lift the explicit suspension and the wait for a
 * startup IPI, as a VMM does that sets up the VP's state itself.
 */
static void test_add_vp(struct kunit *test, struct test_guest *g, u32 index)
{
	test_new_vp(test, g, index);
	test_set_reg64(test, g, HV_REGISTER_EXPLICIT_SUSPEND, 0);
	test_set_reg64(test, g, HV_REGISTER_INTERNAL_ACTIVITY_STATE, 0);
}

/*
 * An initialized partition with @flags, the synthetic processor features
 * @synthetic (not set if 0), guest memory and VP 0.
 */
static void test_guest_init_synthetic(struct kunit *test, struct test_guest *g,
				      u64 flags, u64 synthetic)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	u64 pfns[TEST_GUEST_PAGES];
	unsigned int i;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_INIT_PAGES, 0);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_VP_PAGES, 0);
	g->id = test_mem_partition(test, flags, 8);
	if (synthetic)
		test_expect_status(test,
				   test_set_prop(test, g->id,
						 HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
						 synthetic),
				   HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test,
			hv_result(test_fast(test, HVCALL_INITIALIZE_PARTITION,
					    g->id)),
			HV_STATUS_SUCCESS);
	test_source_pfns(test, pfns, TEST_GUEST_PAGES);
	for (i = 0; i < TEST_GUEST_PAGES; i++)
		g->mem[i] = page_address(pfn_to_page(pfns[i]));
	test_map_ok(test, g->id, 0, TEST_RW | HV_MAP_GPA_EXECUTABLE, pfns,
		    TEST_GUEST_PAGES);

	test_add_vp(test, g, 0);
}

/* An initialized partition with @flags, guest memory and VP 0. */
static void test_guest_init(struct kunit *test, struct test_guest *g,
			    u64 flags)
{
	test_guest_init_synthetic(test, g, flags, 0);
}

/* Copy @len bytes to guest physical address @gpa (within one page). */
static void test_poke(struct test_guest *g, u64 gpa, const void *buf,
		      size_t len)
{
	memcpy(g->mem[gpa >> PAGE_SHIFT] + (gpa & ~PAGE_MASK), buf, len);
}

static u64 test_peek64(struct test_guest *g, u64 gpa)
{
	u64 val;

	memcpy(&val, g->mem[gpa >> PAGE_SHIFT] + (gpa & ~PAGE_MASK),
	       sizeof(val));
	return val;
}

static void test_poke64(struct test_guest *g, u64 gpa, u64 val)
{
	test_poke(g, gpa, &val, sizeof(val));
}

static u32 test_counter(struct test_guest *g)
{
	return (u32)test_peek64(g, TEST_COUNTER);
}

/* HvSetVpRegisters of @n registers of @g's VP. */
static void test_set_regs(struct kunit *test, struct test_guest *g,
			  const struct hv_register_assoc *regs, unsigned int n)
{
	struct hv_input_set_vp_registers *in = test_ctx(test)->in;
	u64 ret;

	memset(in, 0, sizeof(*in));
	in->partition_id = g->id;
	in->vp_index = g->vp;
	memcpy(in->elements, regs, n * sizeof(*regs));
	ret = test_call(test, TEST_CTL(HVCALL_SET_VP_REGISTERS, n, 0));
	KUNIT_ASSERT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
}

static void test_set_reg64(struct kunit *test, struct test_guest *g, u32 name,
			   u64 value)
{
	struct hv_register_assoc reg = { .name = name, .value.reg64 = value };

	test_set_regs(test, g, &reg, 1);
}

static struct hv_register_assoc test_seg(u32 name, u16 sel, u32 limit,
					 u16 attr)
{
	struct hv_register_assoc reg = { .name = name };

	reg.value.segment.selector = sel;
	reg.value.segment.limit = limit;
	reg.value.segment.attributes = attr;
	return reg;
}

/* Real mode, CS:IP = 0:TEST_CODE, SS:SP = 0:TEST_STACK. */
static void test_real_mode(struct kunit *test, struct test_guest *g)
{
	struct hv_register_assoc regs[3] = {
		test_seg(HV_X64_REGISTER_ES + MSHV_SIM_X86_CS, 0, 0xffff, 0x9b),
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = TEST_CODE },
		{ .name = HV_X64_REGISTER_RAX + MSHV_SIM_X86_RSP,
		  .value.reg64 = TEST_STACK },
	};

	test_set_regs(test, g, regs, ARRAY_SIZE(regs));
}

/* Point real-mode vector @vector at @handler. */
static void test_ivt(struct test_guest *g, u8 vector, u16 handler)
{
	u32 entry = handler;	/* segment 0 */

	test_poke(g, vector * 4, &entry, sizeof(entry));
}

/*
 * Real mode: switch the APIC to x2APIC mode and enable it in software,
 * STI, then HLT forever. The handlers count in TEST_COUNTER; the second
 * one also writes the x2APIC EOI MSR.
 */
static const u8 test_prog_real[] = {
	0x66, 0xb9, 0x1b, 0x00, 0x00, 0x00,	/* mov ecx, IA32_APIC_BASE */
	0x0f, 0x32,				/* rdmsr */
	0x0d, 0x00, 0x0c,			/* or ax, EN | EXTD */
	0x0f, 0x30,				/* wrmsr */
	0x66, 0xb9, 0x0f, 0x08, 0x00, 0x00,	/* mov ecx, x2APIC SVR */
	0x66, 0xb8, 0xff, 0x01, 0x00, 0x00,	/* mov eax, 0x1ff */
	0x66, 0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x30,				/* wrmsr */
	0xfb,					/* sti */
	0xf4,					/* 1: hlt */
	0xeb, 0xfd,				/* jmp 1b */
};

static const u8 test_handler_real[] = {
	0xff, 0x06, 0x00, 0x05,			/* inc word [TEST_COUNTER] */
	0xcf,					/* iret */
};

static const u8 test_handler_real_eoi[] = {
	0xff, 0x06, 0x00, 0x05,			/* inc word [TEST_COUNTER] */
	0x66, 0xb9, 0x0b, 0x08, 0x00, 0x00,	/* mov ecx, x2APIC EOI */
	0x66, 0x31, 0xc0,			/* xor eax, eax */
	0x66, 0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x30,				/* wrmsr */
	0xcf,					/* iret */
};

/* A LAPIC partition whose real-mode VP 0 runs test_prog_real. */
static void test_real_guest(struct kunit *test, struct test_guest *g)
{
	test_guest_init(test, g, TEST_CREATION_FLAGS);
	test_poke(g, TEST_CODE, test_prog_real, sizeof(test_prog_real));
	test_poke(g, TEST_HANDLER, test_handler_real,
		  sizeof(test_handler_real));
	test_poke(g, TEST_HANDLER_EOI, test_handler_real_eoi,
		  sizeof(test_handler_real_eoi));
	test_real_mode(test, g);
}

/* HvDispatchVp of @g's VP, which must succeed. */
static void test_dispatch(struct kunit *test, struct test_guest *g, u32 flags,
			  struct hv_output_dispatch_vp *out)
{
	struct hv_input_dispatch_vp *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->partition_id = g->id;
	in->vp_index = g->vp;
	in->flags = flags;
	KUNIT_ASSERT_EQ(test,
			hv_result(test_call(test, TEST_CTL(HVCALL_DISPATCH_VP,
							   0, 0))),
			HV_STATUS_SUCCESS);
	memcpy(out, test_ctx(test)->out, sizeof(*out));
}

/*
 * A root interrupt (the tick) ends a dispatch at any instruction, READY
 * with no event, as on Hyper-V: dispatch @g's VP again while that is so,
 * up to a bound, for a test that expects it to stop at a given point.
 */
static void test_dispatch_past_root_irqs(struct kunit *test,
					 struct test_guest *g, u32 flags,
					 struct hv_output_dispatch_vp *out)
{
	unsigned int tries = 100;

	do {
		test_dispatch(test, g, flags, out);
	} while (out->dispatch_state == HV_VP_DISPATCH_STATE_READY &&
		 out->dispatch_event == HV_VP_DISPATCH_EVENT_NONE && --tries);
}

/* Dispatch @g's VP and expect it to end halted in the hypervisor. */
static void test_expect_blocked(struct kunit *test, struct test_guest *g,
				u32 flags)
{
	struct hv_output_dispatch_vp out;

	test_dispatch_past_root_irqs(test, g, flags, &out);
	KUNIT_EXPECT_EQ(test, out.dispatch_state, HV_VP_DISPATCH_STATE_BLOCKED);
	KUNIT_EXPECT_EQ(test, out.dispatch_event, HV_VP_DISPATCH_EVENT_NONE);
}

/* Dispatch @g's VP and expect it to stop at an intercept of @type. */
static void test_expect_intercept(struct kunit *test, struct test_guest *g,
				  u32 flags, u32 type)
{
	struct hv_output_dispatch_vp out;

	test_dispatch_past_root_irqs(test, g, flags, &out);
	KUNIT_EXPECT_EQ(test, out.dispatch_state, HV_VP_DISPATCH_STATE_READY);
	KUNIT_EXPECT_EQ(test, out.dispatch_event,
			HV_VP_DISPATCH_EVENT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, g->msg->header.message_type, type);
}

/* HvAssertVirtualInterrupt of what the input page holds; the status. */
static u16 test_assert_raw(struct kunit *test)
{
	return hv_result(test_call(test,
				   TEST_CTL(HVCALL_ASSERT_VIRTUAL_INTERRUPT,
					    0, 0)));
}

/* HvAssertVirtualInterrupt; the status. */
static u16 test_assert_irq(struct kunit *test, u64 id, u32 type, u32 flags,
			   u64 dest, u32 vector)
{
	struct hv_input_assert_virtual_interrupt *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->partition_id = id;
	in->control.interrupt_type = type;
	in->control.flags = flags;
	in->dest_addr = dest;
	in->vector = vector;
	return test_assert_raw(test);
}

/* A fixed edge-triggered interrupt for VP 0 (APIC id 0). */
static void test_fixed(struct kunit *test, u64 id, u32 vector)
{
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, id,
					      HV_X64_INTERRUPT_TYPE_FIXED, 0,
					      0, vector),
			HV_STATUS_SUCCESS);
}

/* Every way HvAssertVirtualInterrupt input can be wrong, and its status. */
static void mshv_sim_test_lapic_assert_invalid(struct kunit *test)
{
	struct hv_input_assert_virtual_interrupt *in = test_ctx(test)->in;
	struct test_guest g, plain;
	const u32 fixed = HV_X64_INTERRUPT_TYPE_FIXED;
	u64 fresh;

	test_real_guest(test, &g);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, TEST_BAD_ID, fixed, 0, 0,
					      0x40),
			HV_STATUS_INVALID_PARTITION_ID);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, HV_PARTITION_ID_SELF, fixed,
					      0, 0, 0x40),
			HV_STATUS_INVALID_PARTITION_ID);
	/* Created, not initialized. */
	KUNIT_ASSERT_EQ(test, hv_result(test_create(test, TEST_CREATION_FLAGS,
						    &fresh)),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, fresh, fixed, 0, 0, 0x40),
			HV_STATUS_INVALID_PARTITION_STATE);
	/* No local APICs. */
	test_guest_init(test, &plain, TEST_CREATION_FLAGS &
			~HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, plain.id, fixed, 0, 0,
					      0x40),
			HV_STATUS_INVALID_PARTITION_STATE);

	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id,
					      HV_X64_INTERRUPT_TYPE_NMI, 0, 0,
					      2),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id,
					      HV_X64_INTERRUPT_TYPE_MAXIMUM, 0,
					      0, 0x40),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, fixed, BIT(2), 0,
					      0x40),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, fixed, 0, 0, 15),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, fixed, 0, 0, 256),
			HV_STATUS_INVALID_PARAMETER);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, fixed, 0,
					      BIT_ULL(32), 0x40),
			HV_STATUS_INVALID_PARAMETER);

	/* The VTL and the reserved fields, one at a time. */
	memset(in, 0, sizeof(*in));
	in->partition_id = g.id;
	in->vector = 0x40;
	in->target_vtl = 1;
	KUNIT_EXPECT_EQ(test, test_assert_raw(test),
			HV_STATUS_INVALID_PARAMETER);
	in->target_vtl = 0;
	in->rsvd_z0 = 1;
	KUNIT_EXPECT_EQ(test, test_assert_raw(test),
			HV_STATUS_INVALID_PARAMETER);
	in->rsvd_z0 = 0;
	in->rsvd_z1 = 1;
	KUNIT_EXPECT_EQ(test, test_assert_raw(test),
			HV_STATUS_INVALID_PARAMETER);

	/* Valid: to VP 0, to a VP that does not exist (lost, no error). */
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, fixed, 0, 0, 0x40),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id,
					      HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY,
					      HV_INTERRUPT_CONTROL_LEVEL_TRIGGERED,
					      9, 0xff),
			HV_STATUS_SUCCESS);
}

/*
 * HLT with interrupts enabled waits in the hypervisor: HvDispatchVp says
 * BLOCKED until an interrupt arrives, which signals the root and runs the
 * real-mode handler from the IVT.
 */
static void mshv_sim_test_lapic_hlt_wakes(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct hv_vp_signal_pair_scheduler_message pair;
	struct hv_message *slot;
	struct test_guest g;

	test_synic_enable(sim);
	slot = test_slot(sim);
	test_real_guest(test, &g);
	test_ivt(&g, 0x40, TEST_HANDLER);

	/* Asserted before the guest enabled its APIC: dropped. */
	test_fixed(test, g.id, 0x40);
	test_expect_blocked(test, &g, 0);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 0);
	KUNIT_EXPECT_EQ(test, slot->header.message_type, HVMSG_NONE);

	test_fixed(test, g.id, 0x40);
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 1);
	KUNIT_ASSERT_EQ(test, slot->header.message_type,
			HVMSG_SCHEDULER_VP_SIGNAL_PAIR);
	memcpy(&pair, slot->u.payload, sizeof(pair));
	KUNIT_EXPECT_EQ(test, pair.vp_count, 1);
	KUNIT_EXPECT_EQ(test, pair.partition_ids[0], g.id);
	KUNIT_EXPECT_EQ(test, pair.vp_indexes[0], 0);
	WRITE_ONCE(slot->header.message_type, HVMSG_NONE);

	/* The handler ran once and the VP halted again. */
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);
	KUNIT_EXPECT_EQ(test, g.regs->rip, TEST_CODE + sizeof(test_prog_real) - 2);
}

/* Synthetic timers */

static u64 test_get_reg64(struct kunit *test, struct test_guest *g, u32 name);

#define TEST_STIMER_ENABLE		BIT_ULL(0)
#define TEST_STIMER_PERIODIC		BIT_ULL(1)
#define TEST_STIMER_AUTO_ENABLE		BIT_ULL(3)
#define TEST_STIMER_VECTOR(v)		((u64)(v) << 4)
#define TEST_STIMER_DIRECT		BIT_ULL(12)
#define TEST_STIMER_SINT(s)		((u64)(s) << 16)
/* The SINT the timers' messages go to, its vector, the SIM page's GPA. */
#define TEST_STIMER_SINTX		2
#define TEST_STIMER_SIMP		0x10000ULL
/* 200 us of reference time, in 100 ns units */
#define TEST_STIMER_SOON		2000

/* The partition's reference time now. */
static u64 test_ref_now(struct kunit *test, struct test_guest *g)
{
	u64 now;

	KUNIT_ASSERT_EQ(test,
			hv_result(test_get_prop(test, g->id,
						HV_PARTITION_PROPERTY_REFERENCE_TIME,
						&now)),
			HV_STATUS_SUCCESS);
	return now;
}

/*
 * A LAPIC partition whose VP halted with its APIC and IF enabled (see
 * test_prog_real), vector 0x40 counting in TEST_COUNTER, and the guest's
 * SynIC ready for timer messages on SINT TEST_STIMER_SINTX (vector 0x40).
 */
static void test_stimer_guest(struct kunit *test, struct test_guest *g)
{
	test_real_guest(test, g);
	test_ivt(g, 0x40, TEST_HANDLER);
	test_expect_blocked(test, g, 0);
	test_set_reg64(test, g, HV_REGISTER_SCONTROL, HV_SYNIC_CONTROL_ENABLE);
	test_set_reg64(test, g, HV_REGISTER_SIMP,
		       TEST_STIMER_SIMP | HV_SYNIC_SIMP_ENABLE);
	test_set_reg64(test, g, HV_REGISTER_SINT0 + TEST_STIMER_SINTX, 0x40);
}

/* Start timer @n of @g's VP with @config and @count. */
static void test_stimer_set(struct kunit *test, struct test_guest *g,
			    unsigned int n, u64 config, u64 count)
{
	test_set_reg64(test, g, HV_REGISTER_STIMER0_COUNT + 2 * n, count);
	test_set_reg64(test, g, HV_REGISTER_STIMER0_CONFIG + 2 * n, config);
}

/* Give the hrtimer time to fire: 3 ms, many times TEST_STIMER_SOON. */
static void test_stimer_wait(void)
{
	usleep_range(3000, 4000);
}

/* How long a test waits for an expiry: the hrtimer may run late. */
#define TEST_STIMER_PATIENCE_MS		2000

/* Wait until one-shot timer @n of @g's VP expired, which disables it. */
static void test_stimer_wait_expired(struct kunit *test, struct test_guest *g,
				     unsigned int n)
{
	unsigned int ms;

	for (ms = 0; ms < TEST_STIMER_PATIENCE_MS; ms++) {
		if (!(test_get_reg64(test, g, HV_REGISTER_STIMER0_CONFIG +
				     2 * n) & TEST_STIMER_ENABLE))
			return;
		usleep_range(1000, 1100);
	}
}

static void test_stimer_slot(struct kunit *test, struct test_guest *g,
			     struct hv_message *msg, bool clear);

/*
 * Wait until the timers' slot of @g's SIM page holds a message and, with
 * @pending, has its message-pending flag set.
 */
static void test_stimer_wait_msg(struct kunit *test, struct test_guest *g,
				 bool pending)
{
	struct hv_message msg;
	unsigned int ms;

	for (ms = 0; ms < TEST_STIMER_PATIENCE_MS; ms++) {
		test_stimer_slot(test, g, &msg, false);
		if (msg.header.message_type != HVMSG_NONE &&
		    (!pending || msg.header.message_flags.msg_pending))
			return;
		usleep_range(1000, 1100);
	}
}

/*
 * The timer slot of @g's SIM page, copied to @msg; with @clear, the slot
 * is emptied after.
 */
static void test_stimer_slot(struct kunit *test, struct test_guest *g,
			     struct hv_message *msg, bool clear)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp = NULL;
	struct hv_message *slot;
	unsigned long flags;

	memset(msg, 0, sizeof(*msg));
	spin_lock_irqsave(&sim->lock, flags);
	pt = mshv_sim_find(sim, g->id, false);
	if (pt)
		vp = xa_load(&pt->vps, g->vp);
	if (vp && vp->state[MSHV_SIM_VP_STATE_SIMP]) {
		slot = (struct hv_message *)vp->state[MSHV_SIM_VP_STATE_SIMP] +
		       TEST_STIMER_SINTX;
		*msg = *slot;
		if (clear)
			slot->header.message_type = HVMSG_NONE;
	}
	spin_unlock_irqrestore(&sim->lock, flags);
	KUNIT_ASSERT_NOT_NULL(test, vp);
}

/* Expect an expiration message of timer @n that expired at @expiration. */
static void test_expect_stimer_msg(struct kunit *test,
				   const struct hv_message *msg, unsigned int n,
				   u64 expiration)
{
	struct hv_timer_message_payload payload;

	KUNIT_ASSERT_EQ(test, msg->header.message_type, HVMSG_TIMER_EXPIRED);
	KUNIT_EXPECT_EQ(test, msg->header.payload_size, sizeof(payload));
	memcpy(&payload, msg->u.payload, sizeof(payload));
	KUNIT_EXPECT_EQ(test, payload.timer_index, n);
	if (expiration)
		KUNIT_EXPECT_EQ(test, payload.expiration_time, expiration);
	KUNIT_EXPECT_GE(test, payload.delivery_time, payload.expiration_time);
}

/*
 * A one-shot timer in message mode puts HVMSG_TIMER_EXPIRED (its index,
 * its expiration time, the delivery time) into its SINT's slot of the
 * SIM page, raises the SINT's vector in the halted VP, and disables
 * itself.
 */
static void mshv_sim_test_stimer_one_shot(struct kunit *test)
{
	struct hv_message msg;
	struct test_guest g;
	u64 due;

	test_stimer_guest(test, &g);
	due = test_ref_now(test, &g) + TEST_STIMER_SOON;
	test_stimer_set(test, &g, 1, TEST_STIMER_ENABLE |
			TEST_STIMER_SINT(TEST_STIMER_SINTX), due);
	test_stimer_wait_expired(test, &g, 1);

	test_stimer_slot(test, &g, &msg, false);
	test_expect_stimer_msg(test, &msg, 1, due);
	KUNIT_EXPECT_FALSE(test, msg.header.message_flags.msg_pending);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_STIMER0_CONFIG + 2) &
			TEST_STIMER_ENABLE, 0);
	/* The SINT's vector woke the VP, whose handler ran once. */
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);
}

/* A timer in direct mode asserts its vector in the VP's local APIC. */
static void mshv_sim_test_stimer_direct(struct kunit *test)
{
	struct hv_message msg;
	struct test_guest g;

	test_stimer_guest(test, &g);
	test_stimer_set(test, &g, 0, TEST_STIMER_ENABLE | TEST_STIMER_DIRECT |
			TEST_STIMER_VECTOR(0x40),
			test_ref_now(test, &g) + TEST_STIMER_SOON);
	test_stimer_wait_expired(test, &g, 0);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);
	/* No message. */
	test_stimer_slot(test, &g, &msg, false);
	KUNIT_EXPECT_EQ(test, msg.header.message_type, HVMSG_NONE);
}

/*
 * A periodic timer expires again and again; while its message waits in
 * the slot the slot's message-pending flag is set, and the guest's end
 * of message brings the next one.
 */
static void mshv_sim_test_stimer_periodic(struct kunit *test)
{
	struct hv_timer_message_payload first, second;
	struct hv_message msg;
	struct test_guest g;
	u64 start;

	test_stimer_guest(test, &g);
	start = test_ref_now(test, &g);
	/* Every 100 us. */
	test_stimer_set(test, &g, 2, TEST_STIMER_ENABLE | TEST_STIMER_PERIODIC |
			TEST_STIMER_SINT(TEST_STIMER_SINTX), 1000);
	test_stimer_wait_msg(test, &g, true);

	test_stimer_slot(test, &g, &msg, true);
	test_expect_stimer_msg(test, &msg, 2, 0);
	KUNIT_EXPECT_TRUE(test, msg.header.message_flags.msg_pending);
	memcpy(&first, msg.u.payload, sizeof(first));
	KUNIT_EXPECT_GE(test, first.expiration_time, start + 1000);

	/* EOM: the waiting expiration is delivered at once. */
	test_set_reg64(test, &g, HV_REGISTER_EOM, 0);
	test_stimer_slot(test, &g, &msg, true);
	test_expect_stimer_msg(test, &msg, 2, 0);
	memcpy(&second, msg.u.payload, sizeof(second));
	KUNIT_EXPECT_GT(test, second.expiration_time, first.expiration_time);
	/* Still enabled, and it goes on. */
	KUNIT_EXPECT_NE(test, test_get_reg64(test, &g,
					     HV_REGISTER_STIMER0_CONFIG + 4) &
			TEST_STIMER_ENABLE, 0);
	test_stimer_wait_msg(test, &g, false);
	test_stimer_slot(test, &g, &msg, true);
	test_expect_stimer_msg(test, &msg, 2, 0);

	test_stimer_set(test, &g, 2, 0, 0);
}

/*
 * A disabled timer never fires; nor does one enabled with no SINT in
 * message mode, which the write disables. Writing the count of a timer
 * with auto_enable enables it.
 */
static void mshv_sim_test_stimer_disabled(struct kunit *test)
{
	struct hv_message msg;
	struct test_guest g;
	u64 due;

	test_stimer_guest(test, &g);
	due = test_ref_now(test, &g) + TEST_STIMER_SOON;
	test_stimer_set(test, &g, 3, TEST_STIMER_SINT(TEST_STIMER_SINTX), due);
	test_stimer_set(test, &g, 0, TEST_STIMER_ENABLE, due);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_STIMER0_CONFIG) &
			TEST_STIMER_ENABLE, 0);
	test_stimer_wait();
	test_stimer_slot(test, &g, &msg, false);
	KUNIT_EXPECT_EQ(test, msg.header.message_type, HVMSG_NONE);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 0);

	/* auto_enable: the count write enables it, and it fires. */
	test_set_reg64(test, &g, HV_REGISTER_STIMER0_CONFIG + 6,
		       TEST_STIMER_AUTO_ENABLE |
		       TEST_STIMER_SINT(TEST_STIMER_SINTX));
	due = test_ref_now(test, &g) + TEST_STIMER_SOON;
	test_set_reg64(test, &g, HV_REGISTER_STIMER0_COUNT + 6, due);
	KUNIT_EXPECT_NE(test, test_get_reg64(test, &g,
					     HV_REGISTER_STIMER0_CONFIG + 6) &
			TEST_STIMER_ENABLE, 0);
	test_stimer_wait_expired(test, &g, 3);
	test_stimer_slot(test, &g, &msg, false);
	test_expect_stimer_msg(test, &msg, 3, due);
}

/*
 * A VP halted in the hypervisor (HvDispatchVp: BLOCKED) is woken by its
 * timer's expiry with no dispatch: the root gets the scheduler signal.
 */
static void mshv_sim_test_stimer_wakes_halted(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct hv_vp_signal_pair_scheduler_message pair;
	struct hv_message *slot;
	struct test_guest g;
	unsigned int ms;

	test_synic_enable(sim);
	slot = test_slot(sim);
	test_stimer_guest(test, &g);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, slot->header.message_type, HVMSG_NONE);

	test_stimer_set(test, &g, 0, TEST_STIMER_ENABLE | TEST_STIMER_DIRECT |
			TEST_STIMER_VECTOR(0x40),
			test_ref_now(test, &g) + TEST_STIMER_SOON);
	for (ms = 0; ms < TEST_STIMER_PATIENCE_MS &&
	     READ_ONCE(slot->header.message_type) == HVMSG_NONE; ms++)
		usleep_range(1000, 1100);
	KUNIT_EXPECT_GE(test, test_synic_calls_now(sim), 1);
	KUNIT_ASSERT_EQ(test, slot->header.message_type,
			HVMSG_SCHEDULER_VP_SIGNAL_PAIR);
	memcpy(&pair, slot->u.payload, sizeof(pair));
	KUNIT_EXPECT_EQ(test, pair.partition_ids[0], g.id);
	KUNIT_EXPECT_EQ(test, pair.vp_indexes[0], 0);
	WRITE_ONCE(slot->header.message_type, HVMSG_NONE);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);
}

/*
 * Priority: an in-service vector masks its own class and those below it;
 * the TPR (CR8) masks its class and below.
 */
static void mshv_sim_test_lapic_priority(struct kunit *test)
{
	struct test_guest g;

	test_real_guest(test, &g);
	test_ivt(&g, 0x40, TEST_HANDLER);
	test_ivt(&g, 0x45, TEST_HANDLER);
	test_ivt(&g, 0x51, TEST_HANDLER);
	test_ivt(&g, 0x61, TEST_HANDLER);
	test_expect_blocked(test, &g, 0);

	test_fixed(test, g.id, 0x40);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);
	/* 0x40 stays in service (no EOI): class 4 is masked, 5 is not. */
	test_fixed(test, g.id, 0x45);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);
	test_fixed(test, g.id, 0x51);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 2);

	/* TPR class 7 masks 0x61 until the root lowers CR8. */
	test_set_reg64(test, &g, HV_X64_REGISTER_CR8, 7);
	test_fixed(test, g.id, 0x61);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 2);
	test_set_reg64(test, &g, HV_X64_REGISTER_CR8, 0);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 3);
}

/* A copy of the APIC EOI message VP 0 of @g posted last. */
static void test_eoi_msg(struct kunit *test, struct test_guest *g,
			 struct mshv_sim_sint_msg *msg)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp = NULL;
	unsigned long flags;

	spin_lock_irqsave(&sim->lock, flags);
	pt = mshv_sim_find(sim, g->id, false);
	if (pt)
		vp = xa_load(&pt->vps, g->vp);
	if (vp)
		*msg = vp->lapic.eoi;
	spin_unlock_irqrestore(&sim->lock, flags);
	KUNIT_ASSERT_NOT_NULL(test, vp);
}

/*
 * The EOI of a level-triggered interrupt is reported to the root with an
 * APIC EOI message on its SINT0, and the VP goes on running (here back
 * to HLT); the EOI of an edge-triggered one reports nothing.
 */
static void mshv_sim_test_lapic_eoi_level(struct kunit *test)
{
	struct hv_x64_apic_eoi_message eoi;
	struct mshv_sim_sint_msg msg;
	struct test_guest g;

	test_real_guest(test, &g);
	test_ivt(&g, 0x42, TEST_HANDLER_EOI);
	test_ivt(&g, 0x43, TEST_HANDLER_EOI);
	test_expect_blocked(test, &g, 0);
	test_eoi_msg(test, &g, &msg);
	KUNIT_EXPECT_EQ(test, msg.type, 0);

	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id,
					      HV_X64_INTERRUPT_TYPE_FIXED,
					      HV_INTERRUPT_CONTROL_LEVEL_TRIGGERED,
					      0, 0x42),
			HV_STATUS_SUCCESS);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);
	test_eoi_msg(test, &g, &msg);
	KUNIT_EXPECT_EQ(test, msg.type, HVMSG_X64_APIC_EOI);
	KUNIT_EXPECT_EQ(test, msg.sender, g.id);
	KUNIT_EXPECT_EQ(test, msg.size, sizeof(eoi));
	memcpy(&eoi, msg.payload, sizeof(eoi));
	KUNIT_EXPECT_EQ(test, eoi.vp_index, 0);
	KUNIT_EXPECT_EQ(test, eoi.interrupt_vector, 0x42);

	/* Edge-triggered: taken and ended, no new message. */
	test_fixed(test, g.id, 0x43);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 2);
	test_eoi_msg(test, &g, &msg);
	memcpy(&eoi, msg.payload, sizeof(eoi));
	KUNIT_EXPECT_EQ(test, eoi.interrupt_vector, 0x42);
}

/* The root takes VP 0's APIC EOI message off its SINT0 queue. */
static void test_take_eoi_msg(struct kunit *test, struct test_guest *g)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp = NULL;
	unsigned long flags;

	spin_lock_irqsave(&sim->lock, flags);
	pt = mshv_sim_find(sim, g->id, false);
	if (pt)
		vp = xa_load(&pt->vps, g->vp);
	if (vp)
		mshv_sim_synic_cancel(&vp->lapic.eoi);
	spin_unlock_irqrestore(&sim->lock, flags);
	KUNIT_ASSERT_NOT_NULL(test, vp);
}

static u32 test_eoi_vector(struct kunit *test, struct test_guest *g)
{
	struct hv_x64_apic_eoi_message eoi;
	struct mshv_sim_sint_msg msg;

	test_eoi_msg(test, g, &msg);
	KUNIT_EXPECT_EQ(test, msg.type, HVMSG_X64_APIC_EOI);
	memcpy(&eoi, msg.payload, sizeof(eoi));
	return eoi.interrupt_vector;
}

/*
 * Two level-triggered interrupts ended before the root took the first
 * report: the second EOI waits in the local APIC and is reported once
 * the message is free again, none is lost.
 */
static void mshv_sim_test_lapic_eoi_queue(struct kunit *test)
{
	struct test_guest g;
	u32 vector;

	test_real_guest(test, &g);
	test_ivt(&g, 0x42, TEST_HANDLER_EOI);
	test_ivt(&g, 0x44, TEST_HANDLER_EOI);
	test_expect_blocked(test, &g, 0);
	for (vector = 0x42; vector <= 0x44; vector += 2)
		KUNIT_EXPECT_EQ(test,
				test_assert_irq(test, g.id,
						HV_X64_INTERRUPT_TYPE_FIXED,
						HV_INTERRUPT_CONTROL_LEVEL_TRIGGERED,
						0, vector),
				HV_STATUS_SUCCESS);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 2);
	/* The higher vector was delivered, and ended, first. */
	KUNIT_EXPECT_EQ(test, test_eoi_vector(test, &g), 0x44);

	test_take_eoi_msg(test, &g);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_eoi_vector(test, &g), 0x42);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 2);
}

/*
 * Vectors in the register page are taken as fixed edge interrupts when the
 * root asks for the scan, and only then.
 */
/*
 * A VP's state pages belong to the hypervisor: HvMapGpaPages refuses them
 * as guest memory, of the VP's own partition or another, with any access,
 * while the root's own pages still map.
 */
static void mshv_sim_test_state_pages_not_guest_memory(struct kunit *test)
{
	static const u32 flags[] = { TEST_RW, HV_MAP_GPA_READABLE,
				     HV_MAP_GPA_NO_ACCESS };
	struct test_guest g;
	u64 other, pfns[2], ret;
	unsigned int i, j;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	other = test_mem_partition(test, TEST_CREATION_FLAGS, 4);
	pfns[0] = page_to_pfn(virt_to_page(g.regs));
	pfns[1] = page_to_pfn(virt_to_page(g.msg));

	for (i = 0; i < ARRAY_SIZE(pfns); i++) {
		for (j = 0; j < ARRAY_SIZE(flags); j++) {
			ret = test_map(test, g.id, 0x200, flags[j], &pfns[i], 1,
				       0);
			KUNIT_EXPECT_EQ(test, hv_result(ret),
					HV_STATUS_ACCESS_DENIED);
			KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 0);
			ret = test_map(test, other, 0x200, flags[j], &pfns[i],
				       1, 0);
			KUNIT_EXPECT_EQ(test, hv_result(ret),
					HV_STATUS_ACCESS_DENIED);
		}
	}
	/* The refusal stops a call at the rep that names such a page. */
	test_source_pfns(test, pfns, 1);
	pfns[1] = page_to_pfn(virt_to_page(g.regs));
	ret = test_map(test, other, 0x200, TEST_RW, pfns, 2, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 1);
}

static void mshv_sim_test_lapic_register_page(struct kunit *test)
{
	struct test_guest g;

	test_real_guest(test, &g);
	test_ivt(&g, 0x40, TEST_HANDLER_EOI);
	test_ivt(&g, 0x51, TEST_HANDLER_EOI);
	test_expect_blocked(test, &g, 0);

	g.regs->interrupt_vectors[0] = 0x40;
	g.regs->interrupt_vectors[1] = 0x51;
	g.regs->interrupt_vector_count = 2;
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, g.regs->interrupt_vector_count, 2);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 0);

	test_expect_blocked(test, &g,
			    HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION);
	KUNIT_EXPECT_EQ(test, g.regs->interrupt_vector_count, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 2);
}

/*
 * Long mode with the xAPIC page: enable the APIC in the SVR, read the
 * version, STI, HLT; the handler is reached through a 64-bit interrupt
 * gate and ends each interrupt with an MMIO EOI.
 */
static const u8 test_prog_long[] = {
	0xbb, 0x00, 0x00, 0xe0, 0xfe,		/* mov ebx, 0xfee00000 */
	0xc7, 0x83, 0xf0, 0x00, 0x00, 0x00,	/* mov dword [rbx + SVR], */
	0xff, 0x01, 0x00, 0x00,			/*	0x1ff */
	0x8b, 0x43, 0x30,			/* mov eax, [rbx + VERSION] */
	0x89, 0x04, 0x25, 0x04, 0x05, 0x00, 0x00, /* mov [TEST_SCRATCH], eax */
	0xfb,					/* sti */
	0xf4,					/* 1: hlt */
	0xeb, 0xfd,				/* jmp 1b */
};

static const u8 test_handler_long[] = {
	0xff, 0x04, 0x25, 0x00, 0x05, 0x00, 0x00, /* inc dword [TEST_COUNTER] */
	0xc7, 0x83, 0xb0, 0x00, 0x00, 0x00,	/* mov dword [rbx + EOI], 0 */
	0x00, 0x00, 0x00, 0x00,
	0x48, 0xcf,				/* iretq */
};

/* Identity-map 0-2 MiB and the APIC's 2 MiB; a GDT; an IDT gate. */
static void test_long_tables(struct test_guest *g, u8 vector)
{
	const u64 present_rw = 0x3, large = 0x80;

	test_poke64(g, TEST_PML4, TEST_PDPT | present_rw);
	test_poke64(g, TEST_PDPT, TEST_PD | present_rw);
	test_poke64(g, TEST_PDPT + 3 * 8, TEST_PD_APIC | present_rw);
	test_poke64(g, TEST_PD, large | present_rw);
	test_poke64(g, TEST_PD_APIC + ((TEST_APIC_GPA >> 21) & 511) * 8,
		    TEST_APIC_GPA | large | present_rw);
	test_poke64(g, TEST_GDT + 8, 0x00209a0000000000ULL);	/* code64 */
	test_poke64(g, TEST_GDT + 16, 0x0000920000000000ULL);	/* data */
	/* 64-bit interrupt gate, present, selector 8 */
	test_poke64(g, TEST_IDT + vector * 16,
		    TEST_HANDLER | 8ULL << 16 | 0x8eULL << 40);
	test_poke64(g, TEST_IDT + vector * 16 + 8, 0);
}

static void test_long_mode(struct kunit *test, struct test_guest *g)
{
	struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_CR0, .value.reg64 = 0x80000011 },
		{ .name = HV_X64_REGISTER_CR3, .value.reg64 = TEST_PML4 },
		{ .name = HV_X64_REGISTER_CR4, .value.reg64 = 0x20 },
		{ .name = HV_X64_REGISTER_EFER, .value.reg64 = 0x500 },
		test_seg(HV_X64_REGISTER_ES + MSHV_SIM_X86_CS, 8, U32_MAX,
			 0xa09b),
		test_seg(HV_X64_REGISTER_ES + MSHV_SIM_X86_SS, 16, U32_MAX,
			 0xc093),
		test_seg(HV_X64_REGISTER_ES + MSHV_SIM_X86_DS, 16, U32_MAX,
			 0xc093),
		{ .name = HV_X64_REGISTER_RIP, .value.reg64 = TEST_CODE },
		{ .name = HV_X64_REGISTER_RAX + MSHV_SIM_X86_RSP,
		  .value.reg64 = TEST_STACK },
		{ .name = HV_X64_REGISTER_IDTR,
		  .value.table = { .limit = 0xfff, .base = TEST_IDT } },
		{ .name = HV_X64_REGISTER_GDTR,
		  .value.table = { .limit = 0x17, .base = TEST_GDT } },
	};

	test_set_regs(test, g, regs, ARRAY_SIZE(regs));
}

static void mshv_sim_test_lapic_long_mode(struct kunit *test)
{
	struct test_guest g;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_poke(&g, TEST_CODE, test_prog_long, sizeof(test_prog_long));
	test_poke(&g, TEST_HANDLER, test_handler_long,
		  sizeof(test_handler_long));
	test_long_tables(&g, 0x40);
	test_long_mode(test, &g);

	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, (u32)test_peek64(&g, TEST_SCRATCH),
			MSHV_SIM_APIC_VERSION);
	/* Each EOI unmasks class 4 again: every interrupt is taken. */
	test_fixed(test, g.id, 0x40);
	test_expect_blocked(test, &g, 0);
	test_fixed(test, g.id, 0x40);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 2);
	KUNIT_EXPECT_EQ(test, g.regs->rip, TEST_CODE + sizeof(test_prog_long) - 2);
}

static void test_expect_signal(struct kunit *test, struct hv_message *slot,
			       u64 id, u32 vp);
static u64 test_get_reg64(struct kunit *test, struct test_guest *g, u32 name);

/*
 * 64-bit mode: enable the hypercall page at GPA 0 with WRMSR, call it
 * with call code 0x99 (no hypercall the simulator gives guests) and store
 * the result value in TEST_SCRATCH.
 */
static const u8 test_prog_hypercall[] = {
	0xb9, 0x01, 0x00, 0x00, 0x40,		/* mov ecx, HV_X64_MSR_HYPERCALL */
	0xb8, 0x01, 0x00, 0x00, 0x00,		/* mov eax, 0 | ENABLE */
	0x31, 0xd2,				/* xor edx, edx */
	0x0f, 0x30,				/* wrmsr */
	0xb9, 0x99, 0x00, 0x00, 0x00,		/* mov ecx, 0x99 */
	0x31, 0xc0,				/* xor eax, eax */
	0xff, 0xd0,				/* call rax */
	0x48, 0x89, 0x04, 0x25, 0x04, 0x05, 0x00, 0x00, /* mov [TEST_SCRATCH], rax */
	0xe6, 0x80,				/* out 0x80, al */
};

/*
 * The guest's write of HV_X64_MSR_HYPERCALL with the enable bit makes the
 * hypervisor write VMCALL; RET at the page's start; the guest's call
 * through it of a hypercall the simulator does not implement for guests
 * returns HV_STATUS_INVALID_HYPERCALL_CODE in RAX. VMCALL in real mode
 * raises #UD.
 */
static void mshv_sim_test_guest_hypercall_page(struct kunit *test)
{
	static const u8 vmcall_ret[] = { 0x0f, 0x01, 0xc1, 0xc3 };
	static const u8 real_vmcall[] = { 0x0f, 0x01, 0xc1 };
	struct test_guest g, r;

	test_guest_init_synthetic(test, &g, TEST_CREATION_FLAGS,
				  HV_SYNTHETIC_PROC_FEATURE_HYPERVISOR_PRESENT |
				  HV_SYNTHETIC_PROC_FEATURE_HV1 |
				  HV_SYNTHETIC_PROC_FEATURE_ACCESS_HYPERCALL_REGS);
	test_poke(&g, TEST_CODE, test_prog_hypercall,
		  sizeof(test_prog_hypercall));
	test_poke64(&g, TEST_SCRATCH, U64_MAX);
	test_long_tables(&g, 0x40);
	test_long_mode(test, &g);
	test_set_reg64(test, &g, HV_REGISTER_INTERCEPT_SUSPEND, 0);
	test_expect_intercept(test, &g, 0, HVMSG_X64_IOPORT_INTERCEPT);

	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_X64_REGISTER_HYPERCALL),
			HV_X64_MSR_HYPERCALL_ENABLE);
	KUNIT_EXPECT_MEMEQ(test, g.mem[0], vmcall_ret, sizeof(vmcall_ret));
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TEST_SCRATCH),
			HV_STATUS_INVALID_HYPERCALL_CODE);
	/* At the OUT: the call returned to the instruction after it. */
	KUNIT_EXPECT_EQ(test, g.regs->rip,
			TEST_CODE + sizeof(test_prog_hypercall) - 2);

	/* Real mode has no hypercalls: #UD, whose handler does an OUT. */
	test_guest_init(test, &r, TEST_CREATION_FLAGS);
	test_poke(&r, TEST_CODE, real_vmcall, sizeof(real_vmcall));
	test_ivt(&r, 6, TEST_CODE + 0x40);
	test_poke(&r, TEST_CODE + 0x40, (const u8[]){ 0xe6, 0x80 }, 2);
	test_real_mode(test, &r);
	test_set_reg64(test, &r, HV_REGISTER_INTERCEPT_SUSPEND, 0);
	test_expect_intercept(test, &r, 0, HVMSG_X64_IOPORT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, r.regs->rip, TEST_CODE + 0x40);
}

/*
 * With a local APIC the hypervisor handles HLT with interrupts disabled
 * too: the VP stays halted (INTERNAL_ACTIVITY_STATE: halt suspend) and
 * HvDispatchVp returns BLOCKED, with no message, through a fixed
 * interrupt, until an NMI ends the halt. A partition without local APICs
 * posts the HLT intercept.
 */
static void mshv_sim_test_lapic_hlt_intercept(struct kunit *test)
{
	static const u8 cli_hlt[] = {
		0xfa,				/* cli */
		0xf4,				/* hlt */
		0xe6, 0x80,			/* out 0x80, al */
	};
	static const u8 sti_hlt[] = { 0xfb, 0xf4 };
	/* test_prog_real up to its STI: the x2APIC enabled */
	const size_t apic_on = sizeof(test_prog_real) - 4;
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct test_guest g, plain;
	struct hv_message *slot;

	test_synic_enable(sim);
	slot = test_slot(sim);
	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_poke(&g, TEST_CODE, test_prog_real, apic_on);
	test_poke(&g, TEST_CODE + apic_on, cli_hlt, sizeof(cli_hlt));
	test_poke(&g, TEST_HANDLER, test_handler_real,
		  sizeof(test_handler_real));
	test_ivt(&g, MSHV_SIM_NMI_VECTOR, TEST_HANDLER);
	test_ivt(&g, 0x40, TEST_HANDLER);
	test_real_mode(test, &g);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, g.msg->header.message_type, HVMSG_NONE);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_INTERNAL_ACTIVITY_STATE),
			HV_INTERNAL_ACTIVITY_HALT_SUSPEND);
	KUNIT_EXPECT_EQ(test, g.regs->rip, TEST_CODE + apic_on + 2);

	/* A maskable interrupt does not end it with IF clear. */
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id,
					      HV_X64_INTERRUPT_TYPE_FIXED, 0,
					      0, 0x40),
			HV_STATUS_SUCCESS);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, slot->header.message_type, HVMSG_NONE);

	/* An NMI does: the root is signalled, the handler runs once. */
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id,
					      HV_X64_INTERRUPT_TYPE_NMI, 0, 0,
					      0),
			HV_STATUS_SUCCESS);
	test_expect_signal(test, slot, g.id, 0);
	test_expect_intercept(test, &g, 0, HVMSG_X64_IOPORT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_INTERNAL_ACTIVITY_STATE),
			0);

	test_guest_init(test, &plain, TEST_CREATION_FLAGS &
			~HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED);
	test_poke(&plain, TEST_CODE, sti_hlt, sizeof(sti_hlt));
	test_real_mode(test, &plain);
	test_expect_intercept(test, &plain, 0, HVMSG_X64_HALT);
}

/*
 * Real mode: read MSR @msr, store EDX:EAX at TEST_SCRATCH, then write port
 * 0x80 (the I/O intercept ends the dispatch).
 */
static void test_rdmsr_prog(struct test_guest *g, u32 msr)
{
	u8 prog[] = {
		0x66, 0xb9, 0, 0, 0, 0,		/* mov ecx, msr */
		0x0f, 0x32,			/* rdmsr */
		0x66, 0xa3, 0x04, 0x05,		/* mov [TEST_SCRATCH], eax */
		0x66, 0x89, 0x16, 0x08, 0x05,	/* mov [TEST_SCRATCH + 4], edx */
		0xe6, 0x80,			/* out 0x80, al */
	};

	memcpy(&prog[2], &msr, sizeof(msr));
	test_poke(g, TEST_CODE, prog, sizeof(prog));
}

/* Run @g's VP from TEST_CODE to the OUT; what it read from the MSR. */
static u64 test_run_rdmsr(struct kunit *test, struct test_guest *g)
{
	test_poke64(g, TEST_SCRATCH, U64_MAX);
	test_real_mode(test, g);
	test_set_reg64(test, g, HV_REGISTER_INTERCEPT_SUSPEND, 0);
	test_expect_intercept(test, g, 0, HVMSG_X64_IOPORT_INTERCEPT);
	return test_peek64(g, TEST_SCRATCH);
}

/* Where the reference TSC page test keeps its page and what it read. */
#define TEST_TSC_PAGE		0x6000ULL
#define TEST_TSC_READ		0x600	/* the TSC, then the counter */

/*
 * Real mode: enable the reference TSC page at TEST_TSC_PAGE with WRMSR,
 * then read the TSC and the reference counter, one right after the
 * other, into TEST_TSC_READ.
 */
static const u8 test_prog_ref_tsc[] = {
	0x66, 0xb9, 0x21, 0x00, 0x00, 0x40,	/* mov ecx, REFERENCE_TSC */
	0x66, 0xb8, 0x01, 0x60, 0x00, 0x00,	/* mov eax, TSC_PAGE | 1 */
	0x66, 0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x30,				/* wrmsr */
	0x0f, 0x31,				/* rdtsc */
	0x66, 0xa3, 0x00, 0x06,			/* mov [0x600], eax */
	0x66, 0x89, 0x16, 0x04, 0x06,		/* mov [0x604], edx */
	0x66, 0xb9, 0x20, 0x00, 0x00, 0x40,	/* mov ecx, TIME_REF_COUNT */
	0x0f, 0x32,				/* rdmsr */
	0x66, 0xa3, 0x08, 0x06,			/* mov [0x608], eax */
	0x66, 0x89, 0x16, 0x0c, 0x06,		/* mov [0x60c], edx */
	0xe6, 0x80,				/* out 0x80, al */
};

/* The reference time the TSC page of @g gives for @tsc. */
static u64 test_ref_tsc_time(struct kunit *test, struct test_guest *g,
			     u64 tsc)
{
	struct ms_hyperv_tsc_page page;

	memcpy(&page, g->mem[TEST_TSC_PAGE >> PAGE_SHIFT], sizeof(page));
	KUNIT_EXPECT_NE(test, page.tsc_sequence, 0);
	KUNIT_EXPECT_NE(test, page.tsc_sequence, U32_MAX);
	return mul_u64_u64_shr(tsc, page.tsc_scale, 64) + page.tsc_offset;
}

/*
 * The guest's WRMSR of HV_X64_MSR_REFERENCE_TSC with the enable bit makes
 * the hypervisor write a valid reference TSC page there: the time it
 * gives for the guest's RDTSC is the reference counter the guest reads
 * next, here and after the root moved the TSC. While the partition's time
 * is frozen the page is marked invalid (sequence 0).
 */
static void mshv_sim_test_guest_reference_tsc_page(struct kunit *test)
{
	/* Within 1 ms: an interpreted RDTSC and RDMSR are microseconds apart. */
	const u64 tolerance = 10000;
	struct ms_hyperv_tsc_page page;
	struct test_guest g;
	u64 tsc, ref, est;

	test_guest_init_synthetic(test, &g, TEST_CREATION_FLAGS,
				  HV_SYNTHETIC_PROC_FEATURE_HYPERVISOR_PRESENT |
				  HV_SYNTHETIC_PROC_FEATURE_HV1 |
				  HV_SYNTHETIC_PROC_FEATURE_ACCESS_PARTITION_REFERENCE_COUNTER |
				  HV_SYNTHETIC_PROC_FEATURE_ACCESS_PARTITION_REFERENCE_TSC);
	/* A TSC far from the reference time: the offset must make up for it. */
	test_set_reg64(test, &g, HV_X64_REGISTER_TSC, 1ULL << 44);
	test_poke(&g, TEST_CODE, test_prog_ref_tsc, sizeof(test_prog_ref_tsc));
	test_real_mode(test, &g);
	test_set_reg64(test, &g, HV_REGISTER_INTERCEPT_SUSPEND, 0);
	test_expect_intercept(test, &g, 0, HVMSG_X64_IOPORT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_REFERENCE_TSC),
			TEST_TSC_PAGE | HV_X64_MSR_TSC_REFERENCE_ENABLE);

	tsc = test_peek64(&g, TEST_TSC_READ);
	ref = test_peek64(&g, TEST_TSC_READ + 8);
	KUNIT_EXPECT_GE(test, tsc, 1ULL << 44);
	est = test_ref_tsc_time(test, &g, tsc);
	KUNIT_EXPECT_LT(test, abs_diff(est, ref), tolerance);

	/* The root sets another TSC: the page follows. */
	test_set_reg64(test, &g, HV_X64_REGISTER_TSC, 12345);
	test_real_mode(test, &g);
	test_set_reg64(test, &g, HV_REGISTER_INTERCEPT_SUSPEND, 0);
	test_expect_intercept(test, &g, 0, HVMSG_X64_IOPORT_INTERCEPT);
	tsc = test_peek64(&g, TEST_TSC_READ);
	ref = test_peek64(&g, TEST_TSC_READ + 8);
	KUNIT_EXPECT_LT(test, tsc, 1ULL << 40);
	est = test_ref_tsc_time(test, &g, tsc);
	KUNIT_EXPECT_LT(test, abs_diff(est, ref), tolerance);

	/* Frozen time has no TSC page; thawed, it has one again. */
	test_expect_status(test,
			   test_set_prop(test, g.id,
					 HV_PARTITION_PROPERTY_TIME_FREEZE, 1),
			   HV_STATUS_SUCCESS);
	memcpy(&page, g.mem[TEST_TSC_PAGE >> PAGE_SHIFT], sizeof(page));
	KUNIT_EXPECT_EQ(test, page.tsc_sequence, 0);
	test_expect_status(test,
			   test_set_prop(test, g.id,
					 HV_PARTITION_PROPERTY_TIME_FREEZE, 0),
			   HV_STATUS_SUCCESS);
	memcpy(&page, g.mem[TEST_TSC_PAGE >> PAGE_SHIFT], sizeof(page));
	KUNIT_EXPECT_NE(test, page.tsc_sequence, 0);
}

/*
 * The guest reads the partition reference counter (HV_X64_MSR_TIME_REF_
 * COUNT) when its synthetic processor features allow it: the counter is
 * the REFERENCE_TIME property, and stands still while the partition's
 * time is frozen.
 */
static void mshv_sim_test_guest_reference_counter(struct kunit *test)
{
	u64 r1, r2, r3, t;
	struct test_guest g;

	test_guest_init_synthetic(test, &g, TEST_CREATION_FLAGS,
				  HV_SYNTHETIC_PROC_FEATURE_HYPERVISOR_PRESENT |
				  HV_SYNTHETIC_PROC_FEATURE_HV1 |
				  HV_SYNTHETIC_PROC_FEATURE_ACCESS_PARTITION_REFERENCE_COUNTER);
	test_rdmsr_prog(&g, HV_X64_MSR_TIME_REF_COUNT);

	r1 = test_run_rdmsr(test, &g);
	usleep_range(2000, 3000);
	r2 = test_run_rdmsr(test, &g);
	KUNIT_EXPECT_GE(test, r2 - r1, 20000);	/* 2 ms in 100 ns units */

	test_expect_status(test,
			   test_set_prop(test, g.id,
					 HV_PARTITION_PROPERTY_TIME_FREEZE, 1),
			   HV_STATUS_SUCCESS);
	KUNIT_ASSERT_EQ(test,
			hv_result(test_get_prop(test, g.id,
						HV_PARTITION_PROPERTY_REFERENCE_TIME,
						&t)),
			HV_STATUS_SUCCESS);
	r1 = test_run_rdmsr(test, &g);
	usleep_range(2000, 3000);
	r2 = test_run_rdmsr(test, &g);
	KUNIT_EXPECT_EQ(test, r1, t);
	KUNIT_EXPECT_EQ(test, r2, t);

	test_expect_status(test,
			   test_set_prop(test, g.id,
					 HV_PARTITION_PROPERTY_TIME_FREEZE, 0),
			   HV_STATUS_SUCCESS);
	usleep_range(2000, 3000);
	r3 = test_run_rdmsr(test, &g);
	KUNIT_EXPECT_GE(test, r3 - t, 20000);
}

/*
 * With the frequency-registers feature the guest reads the TSC's and the
 * local APIC timer's rates from HV_X64_MSR_TSC_FREQUENCY and
 * HV_X64_MSR_APIC_FREQUENCY. Neither can be written.
 */
static void mshv_sim_test_guest_frequency_msrs(struct kunit *test)
{
	struct test_guest g;

	test_guest_init_synthetic(test, &g, TEST_CREATION_FLAGS,
				  HV_SYNTHETIC_PROC_FEATURE_HYPERVISOR_PRESENT |
				  HV_SYNTHETIC_PROC_FEATURE_HV1 |
				  HV_SYNTHETIC_PROC_FEATURE_ACCESS_FREQUENCY_REGS);
	test_rdmsr_prog(&g, HV_X64_MSR_TSC_FREQUENCY);
	KUNIT_EXPECT_EQ(test, test_run_rdmsr(test, &g),
			MSHV_SIM_CLOCK_FREQUENCY);
	test_rdmsr_prog(&g, HV_X64_MSR_APIC_FREQUENCY);
	KUNIT_EXPECT_EQ(test, test_run_rdmsr(test, &g),
			MSHV_SIM_APIC_FREQUENCY);

	/* WRMSR: #GP, whose handler returns to it, and it faults again. */
	test_rdmsr_prog(&g, HV_X64_MSR_TSC_FREQUENCY);
	test_poke(&g, TEST_CODE + 6, (const u8[]){ 0x0f, 0x30 }, 2);
	test_poke(&g, TEST_HANDLER, test_handler_real,
		  sizeof(test_handler_real));
	test_ivt(&g, 13, TEST_HANDLER);
	test_poke64(&g, TEST_COUNTER, 0);
	test_real_mode(test, &g);
	test_set_reg64(test, &g, HV_REGISTER_INTERCEPT_SUSPEND, 0);
	test_dispatch(test, &g, 0, &(struct hv_output_dispatch_vp){});
	KUNIT_EXPECT_GT(test, test_counter(&g), 0);
}

/*
 * Without the synthetic feature the reference counter is an MSR like any
 * unimplemented one: #GP(0), or, with UNIMPLEMENTED_MSR_ACTION set to
 * ignore, it reads as zero.
 */
static void mshv_sim_test_guest_unimplemented_msr(struct kunit *test)
{
	struct test_guest g;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_rdmsr_prog(&g, HV_X64_MSR_TIME_REF_COUNT);
	/* Real mode #GP goes through the IVT: vector 13 -> TEST_HANDLER. */
	test_poke(&g, TEST_HANDLER, test_handler_real,
		  sizeof(test_handler_real));
	test_ivt(&g, 13, TEST_HANDLER);
	test_poke64(&g, TEST_COUNTER, 0);
	test_expect_status(test,
			   test_set_prop(test, g.id,
					 HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
					 HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO),
			   HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_run_rdmsr(test, &g), 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 0);

	test_expect_status(test,
			   test_set_prop(test, g.id,
					 HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
					 HV_UNIMPLEMENTED_MSR_ACTION_FAULT),
			   HV_STATUS_SUCCESS);
	/* The handler counts and returns to the RDMSR: it faults again. */
	test_poke64(&g, TEST_SCRATCH, U64_MAX);
	test_real_mode(test, &g);
	test_set_reg64(test, &g, HV_REGISTER_INTERCEPT_SUSPEND, 0);
	test_dispatch(test, &g, 0, &(struct hv_output_dispatch_vp){});
	KUNIT_EXPECT_GT(test, test_counter(&g), 0);
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TEST_SCRATCH), U64_MAX);
}

/* HvGetVpState or HvSetVpState of VP 0's local APIC through @page. */
static void test_lapic_state(struct kunit *test, u64 id, u16 code, void *page)
{
	struct hv_input_get_vp_state *in = test_ctx(test)->in;
	u64 ret;

	memset(in, 0, sizeof(*in) + sizeof(u64));
	in->partition_id = id;
	in->state_data.type = HV_GET_SET_VP_STATE_LAPIC_STATE;
	in->output_data_pfns[0] = page_to_pfn(virt_to_page(page));
	ret = test_call(test, TEST_CTL(code, 0, 0) |
			1ULL << HV_HYPERCALL_VARHEAD_OFFSET);
	KUNIT_ASSERT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
}

/*
 * HvGetVpState shows the live APIC (enabled by the guest, a requested
 * level-triggered vector); HvSetVpState loads it: a cleared IRR takes the
 * request back.
 */
static void mshv_sim_test_lapic_state(struct kunit *test)
{
	struct hv_local_interrupt_controller_state *state;
	struct test_guest g;

	state = (void *)get_zeroed_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, state);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_free_page,
							state), 0);
	test_real_guest(test, &g);
	test_ivt(&g, 0x42, TEST_HANDLER);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id,
					      HV_X64_INTERRUPT_TYPE_FIXED,
					      HV_INTERRUPT_CONTROL_LEVEL_TRIGGERED,
					      0, 0x42),
			HV_STATUS_SUCCESS);

	test_lapic_state(test, g.id, HVCALL_GET_VP_STATE, state);
	KUNIT_EXPECT_EQ(test, state->apic_spurious, 0x1ff);
	KUNIT_EXPECT_EQ(test, state->apic_version, MSHV_SIM_APIC_VERSION);
	KUNIT_EXPECT_EQ(test, state->apic_irr[2], BIT(2));
	KUNIT_EXPECT_EQ(test, state->apic_tmr[2], BIT(2));
	KUNIT_EXPECT_EQ(test, state->apic_isr[2], 0);
	/* x2APIC: the LDR is derived from the id, cluster 0, member 0. */
	KUNIT_EXPECT_EQ(test, state->apic_ldr, 1);

	state->apic_irr[2] = 0;
	state->apic_tmr[2] = 0;
	test_lapic_state(test, g.id, HVCALL_SET_VP_STATE, state);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 0);
}

/*
 * Real mode, at TEST_IPI_CODE: enable the x2APIC, send vector 0x40 to APIC
 * id 1 through the ICR and vector 0x51 to itself through SELF IPI, STI,
 * HLT forever.
 */
#define TEST_IPI_CODE		0x1300

static const u8 test_prog_ipi[] = {
	0x66, 0xb9, 0x1b, 0x00, 0x00, 0x00,	/* mov ecx, IA32_APIC_BASE */
	0x0f, 0x32,				/* rdmsr */
	0x0d, 0x00, 0x0c,			/* or ax, EN | EXTD */
	0x0f, 0x30,				/* wrmsr */
	0x66, 0xb9, 0x0f, 0x08, 0x00, 0x00,	/* mov ecx, x2APIC SVR */
	0x66, 0xb8, 0xff, 0x01, 0x00, 0x00,	/* mov eax, 0x1ff */
	0x66, 0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x30,				/* wrmsr */
	0x66, 0xb9, 0x30, 0x08, 0x00, 0x00,	/* mov ecx, x2APIC ICR */
	0x66, 0xb8, 0x40, 0x00, 0x00, 0x00,	/* mov eax, fixed, 0x40 */
	0x66, 0xba, 0x01, 0x00, 0x00, 0x00,	/* mov edx, APIC id 1 */
	0x0f, 0x30,				/* wrmsr */
	0x66, 0xb9, 0x3f, 0x08, 0x00, 0x00,	/* mov ecx, x2APIC SELF IPI */
	0x66, 0xb8, 0x51, 0x00, 0x00, 0x00,	/* mov eax, 0x51 */
	0x66, 0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x30,				/* wrmsr */
	0xfb,					/* sti */
	0xf4,					/* 1: hlt */
	0xeb, 0xfd,				/* jmp 1b */
};

/*
 * IPIs: VP 0 interrupts halted VP 1 through the ICR (which signals the
 * root, since HvDispatchVp returned VP 1 BLOCKED) and itself through
 * SELF IPI.
 */
static void mshv_sim_test_lapic_ipi(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct hv_vp_signal_pair_scheduler_message pair;
	struct hv_vp_register_page *regs0;
	struct hv_message *slot, *msg0;
	struct test_guest g;

	test_synic_enable(sim);
	slot = test_slot(sim);
	test_real_guest(test, &g);
	test_poke(&g, TEST_IPI_CODE, test_prog_ipi, sizeof(test_prog_ipi));
	test_ivt(&g, 0x40, TEST_HANDLER);
	test_ivt(&g, 0x51, TEST_HANDLER);
	test_set_reg64(test, &g, HV_X64_REGISTER_RIP, TEST_IPI_CODE);
	msg0 = g.msg;
	regs0 = g.regs;

	/* VP 1 runs test_prog_real on a stack of its own, and halts. */
	test_add_vp(test, &g, 1);
	test_real_mode(test, &g);
	test_set_reg64(test, &g, HV_X64_REGISTER_RAX + MSHV_SIM_X86_RSP,
		       TEST_STACK - 0x100);
	test_expect_blocked(test, &g, 0);

	g.vp = 0;
	g.msg = msg0;
	g.regs = regs0;
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);	/* the self IPI */
	KUNIT_EXPECT_EQ(test, test_synic_calls_now(sim), 1);
	KUNIT_ASSERT_EQ(test, slot->header.message_type,
			HVMSG_SCHEDULER_VP_SIGNAL_PAIR);
	memcpy(&pair, slot->u.payload, sizeof(pair));
	KUNIT_EXPECT_EQ(test, pair.partition_ids[0], g.id);
	KUNIT_EXPECT_EQ(test, pair.vp_indexes[0], 1);

	g.vp = 1;
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 2);	/* VP 1's */
}

/* ---- The register file, start-up and interrupt types -------------------- */

/* HvGetVpRegisters of one register of @g's VP, which must succeed. */
static union hv_register_value test_get_reg(struct kunit *test,
					    struct test_guest *g, u32 name)
{
	struct hv_input_get_vp_registers *in = test_ctx(test)->in;
	union hv_register_value val;

	memset(in, 0, sizeof(*in));
	in->partition_id = g->id;
	in->vp_index = g->vp;
	in->names[0] = name;
	KUNIT_EXPECT_EQ(test,
			hv_result(test_call(test,
					    TEST_CTL(HVCALL_GET_VP_REGISTERS,
						     1, 0))),
			HV_STATUS_SUCCESS);
	memcpy(&val, test_ctx(test)->out, sizeof(val));
	return val;
}

static u64 test_get_reg64(struct kunit *test, struct test_guest *g, u32 name)
{
	return test_get_reg(test, g, name).reg64;
}

#define TEST_HANDLER_GP		0x1400	/* skips a faulting 2-byte insn */
#define TEST_HANDLER_LOOP	0x1500	/* counts, never returns */
#define TEST_AP_PAGE		3	/* where the AP starts: 0x3000 */
#define TEST_AP_PAGE2		4

/* Real mode #GP handler: skip the faulting WRMSR, count, return. */
static const u8 test_handler_gp[] = {
	0x55,					/* push bp */
	0x89, 0xe5,				/* mov bp, sp */
	0x83, 0x46, 0x02, 0x02,			/* add word [bp+2], 2 */
	0x5d,					/* pop bp */
	0xff, 0x06, 0x00, 0x05,			/* inc word [TEST_COUNTER] */
	0xcf,					/* iret */
};

/* Counts in TEST_COUNTER and spins: an NMI handler that never IRETs. */
static const u8 test_handler_loop[] = {
	0xff, 0x06, 0x00, 0x05,			/* inc word [TEST_COUNTER] */
	0xeb, 0xfe,				/* jmp $ */
};

/*
 * Real mode: WRMSR of PAT, STAR and MTRRphysBase0, RDMSR of LSTAR (which
 * the root set) to TEST_SCRATCH, a WRMSR of an invalid PAT (#GP, which
 * the handler skips), MOV DR0 and MOV from DR7 (to TEST_SCRATCH + 8),
 * CR4.OSXSAVE and XSETBV of XCR0 = 3, HLT with interrupts off.
 */
static const u8 test_prog_msr[] = {
	0x66, 0xb9, 0x77, 0x02, 0x00, 0x00,	/* mov ecx, IA32_PAT */
	0x66, 0xb8, 0x06, 0x04, 0x07, 0x00,	/* mov eax, 0x00070406 */
	0x66, 0xba, 0x06, 0x06, 0x06, 0x06,	/* mov edx, 0x06060606 */
	0x0f, 0x30,				/* wrmsr */
	0x66, 0xb9, 0x81, 0x00, 0x00, 0xc0,	/* mov ecx, IA32_STAR */
	0x66, 0x31, 0xc0,			/* xor eax, eax */
	0x66, 0xba, 0x10, 0x00, 0x23, 0x00,	/* mov edx, 0x00230010 */
	0x0f, 0x30,				/* wrmsr */
	0x66, 0xb9, 0x00, 0x02, 0x00, 0x00,	/* mov ecx, MTRRphysBase0 */
	0x66, 0xb8, 0x06, 0x00, 0x00, 0x80,	/* mov eax, 0x80000006 */
	0x66, 0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x30,				/* wrmsr */
	0x66, 0xb9, 0x82, 0x00, 0x00, 0xc0,	/* mov ecx, IA32_LSTAR */
	0x0f, 0x32,				/* rdmsr */
	0x66, 0xa3, 0x04, 0x05,			/* mov [TEST_SCRATCH], eax */
	0x66, 0x89, 0x16, 0x08, 0x05,		/* mov [TEST_SCRATCH + 4], edx */
	0x66, 0xb9, 0x77, 0x02, 0x00, 0x00,	/* mov ecx, IA32_PAT */
	0x66, 0xb8, 0x02, 0x00, 0x00, 0x00,	/* mov eax, 2 (reserved type) */
	0x66, 0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x30,				/* wrmsr: #GP */
	0x66, 0xb8, 0x34, 0x12, 0x00, 0x00,	/* mov eax, 0x1234 */
	0x0f, 0x23, 0xc0,			/* mov dr0, eax */
	0x0f, 0x21, 0xf8,			/* mov eax, dr7 */
	0x66, 0xa3, 0x0c, 0x05,			/* mov [TEST_SCRATCH + 8], eax */
	0x0f, 0x20, 0xe0,			/* mov eax, cr4 */
	0x66, 0x0d, 0x00, 0x00, 0x04, 0x00,	/* or eax, CR4.OSXSAVE */
	0x0f, 0x22, 0xe0,			/* mov cr4, eax */
	0x66, 0x31, 0xc9,			/* xor ecx, ecx */
	0x66, 0xb8, 0x03, 0x00, 0x00, 0x00,	/* mov eax, 3 */
	0x66, 0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x01, 0xd1,			/* xsetbv */
	0xe6, 0x80,				/* out 0x80, al */
};

/*
 * Guest RDMSR and WRMSR reach the register file the root sees through
 * HvGetVpRegisters and HvSetVpRegisters, with its checks: a value the
 * register refuses raises #GP. MOV DRn and XSETBV reach it too.
 */
static void mshv_sim_test_msr_register_file(struct kunit *test)
{
	struct test_guest g;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_poke(&g, TEST_CODE, test_prog_msr, sizeof(test_prog_msr));
	test_poke(&g, TEST_HANDLER_GP, test_handler_gp,
		  sizeof(test_handler_gp));
	test_ivt(&g, MSHV_SIM_X86_GP, TEST_HANDLER_GP);
	test_real_mode(test, &g);
	test_set_reg64(test, &g, HV_X64_REGISTER_LSTAR, 0xffffffff81234567ULL);

	test_expect_intercept(test, &g, 0, HVMSG_X64_IOPORT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g, HV_X64_REGISTER_PAT),
			0x0606060600070406ULL);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g, HV_X64_REGISTER_STAR),
			0x0023001000000000ULL);
	KUNIT_EXPECT_EQ(test,
			test_get_reg64(test, &g,
				       HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0),
			0x80000006ULL);
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TEST_SCRATCH),
			0xffffffff81234567ULL);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);	/* the #GP */
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g, HV_X64_REGISTER_DR0),
			0x1234);
	KUNIT_EXPECT_EQ(test, (u32)test_peek64(&g, TEST_SCRATCH + 8), 0x400);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g, HV_X64_REGISTER_XFEM),
			3);
	KUNIT_EXPECT_EQ(test, g.regs->xfem, 3);
}

/*
 * The register page shows XMM0-5 of the register file, and the root's
 * changes to them count once it marks the XMM class dirty.
 */
static void mshv_sim_test_register_page_xmm(struct kunit *test)
{
	struct hv_register_assoc reg = {
		.name = HV_X64_REGISTER_XMM0 + 3,
		.value.reg128 = { .low = 0x1122334455667788ULL,
				  .high = 0x99aabbccddeeff00ULL },
	};
	union hv_register_value val;
	struct test_guest g;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_set_regs(test, &g, &reg, 1);
	KUNIT_EXPECT_EQ(test, g.regs->xmm[3][0], reg.value.reg128.low);
	KUNIT_EXPECT_EQ(test, g.regs->xmm[3][1], reg.value.reg128.high);

	g.regs->xmm[5][0] = 0x5555;
	g.regs->xmm[5][1] = 0xaaaa;
	val = test_get_reg(test, &g, HV_X64_REGISTER_XMM0 + 5);
	KUNIT_EXPECT_EQ(test, val.reg128.low, 0);	/* not marked dirty */
	g.regs->xmm[5][0] = 0x5555;
	g.regs->xmm[5][1] = 0xaaaa;
	g.regs->dirty = HV_X64_REGISTER_CLASS_XMM;
	val = test_get_reg(test, &g, HV_X64_REGISTER_XMM0 + 5);
	KUNIT_EXPECT_EQ(test, val.reg128.low, 0x5555);
	KUNIT_EXPECT_EQ(test, val.reg128.high, 0xaaaa);
	val = test_get_reg(test, &g, HV_X64_REGISTER_XMM0 + 3);
	KUNIT_EXPECT_EQ(test, val.reg128.high, reg.value.reg128.high);
}

/*
 * Real mode, at TEST_IPI_CODE: enable the x2APIC, send INIT and then a
 * startup IPI for page TEST_AP_PAGE to APIC id 1 through the ICR, write
 * port 0x80.
 */
static const u8 test_prog_init_sipi[] = {
	0x66, 0xb9, 0x1b, 0x00, 0x00, 0x00,	/* mov ecx, IA32_APIC_BASE */
	0x0f, 0x32,				/* rdmsr */
	0x0d, 0x00, 0x0c,			/* or ax, EN | EXTD */
	0x0f, 0x30,				/* wrmsr */
	0x66, 0xb9, 0x30, 0x08, 0x00, 0x00,	/* mov ecx, x2APIC ICR */
	0x66, 0xb8, 0x00, 0x45, 0x00, 0x00,	/* mov eax, INIT, assert */
	0x66, 0xba, 0x01, 0x00, 0x00, 0x00,	/* mov edx, APIC id 1 */
	0x0f, 0x30,				/* wrmsr */
	0x66, 0xb8, TEST_AP_PAGE, 0x46, 0x00, 0x00, /* mov eax, SIPI */
	0x0f, 0x30,				/* wrmsr */
	0xe6, 0x80,				/* out 0x80, al */
};

/* What an AP runs: store CS in TEST_SCRATCH, write port 0x80. */
static const u8 test_prog_ap[] = {
	0x8c, 0xc8,				/* mov ax, cs */
	0xa3, 0x04, 0x05,			/* mov [TEST_SCRATCH], ax */
	0xe6, 0x80,				/* out 0x80, al */
};

/* Make @g's helpers act on VP @index again, whose pages are @saved. */
static void test_switch_vp(struct test_guest *g, u32 index,
			   const struct test_guest *saved)
{
	g->vp = index;
	g->msg = saved->msg;
	g->regs = saved->regs;
}

/* Expect the root's SINT0 slot to hold a signal for VP @vp; take it. */
static void test_expect_signal(struct kunit *test, struct hv_message *slot,
			       u64 id, u32 vp)
{
	struct hv_vp_signal_pair_scheduler_message pair;

	KUNIT_ASSERT_EQ(test, slot->header.message_type,
			HVMSG_SCHEDULER_VP_SIGNAL_PAIR);
	memcpy(&pair, slot->u.payload, sizeof(pair));
	KUNIT_EXPECT_EQ(test, pair.partition_ids[0], id);
	KUNIT_EXPECT_EQ(test, pair.vp_indexes[0], vp);
	WRITE_ONCE(slot->header.message_type, HVMSG_NONE);
}

/* Expect @g's VP's CS to be the real-mode segment of page @page. */
static void test_expect_cs_page(struct kunit *test, struct test_guest *g,
				u8 page)
{
	union hv_register_value cs;

	cs = test_get_reg(test, g, HV_X64_REGISTER_ES + MSHV_SIM_X86_CS);

	KUNIT_EXPECT_EQ(test, cs.segment.selector, page << 8);
	KUNIT_EXPECT_EQ(test, cs.segment.base, (u64)page << 12);
}

/*
 * The MP protocol through the guest's ICR: VP 1, an application
 * processor, waits for a startup IPI (HvDispatchVp: BLOCKED) until VP 0
 * sends it INIT and SIPI; the root is signalled, and VP 1 runs at the
 * page of the SIPI vector in real mode.
 */
static void mshv_sim_test_init_sipi_icr(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct test_guest g, bsp;
	struct hv_message *slot;

	test_synic_enable(sim);
	slot = test_slot(sim);
	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_poke(&g, TEST_IPI_CODE, test_prog_init_sipi,
		  sizeof(test_prog_init_sipi));
	test_poke(&g, TEST_AP_PAGE << 12, test_prog_ap, sizeof(test_prog_ap));
	test_real_mode(test, &g);
	test_set_reg64(test, &g, HV_X64_REGISTER_RIP, TEST_IPI_CODE);
	bsp = g;

	test_new_vp(test, &g, 1);
	test_set_reg64(test, &g, HV_REGISTER_EXPLICIT_SUSPEND, 0);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_INTERNAL_ACTIVITY_STATE),
			HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND);
	test_expect_blocked(test, &g, 0);
	KUNIT_EXPECT_EQ(test, slot->header.message_type, HVMSG_NONE);

	test_switch_vp(&g, 0, &bsp);
	test_expect_intercept(test, &g, 0, HVMSG_X64_IOPORT_INTERCEPT);
	test_expect_signal(test, slot, g.id, 1);

	g.vp = 1;
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_INTERNAL_ACTIVITY_STATE),
			0);
	test_expect_cs_page(test, &g, TEST_AP_PAGE);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g, HV_X64_REGISTER_RIP), 0);
	g.msg = test_vp_page(test, &g, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE);
	test_expect_intercept(test, &g, 0, HVMSG_X64_IOPORT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, (u16)test_peek64(&g, TEST_SCRATCH),
			TEST_AP_PAGE << 8);
}

/*
 * The MP protocol through HvAssertVirtualInterrupt: a SIPI starts the
 * waiting AP, INIT puts it back to its wait (reset state), a SIPI for a
 * running VP does nothing, and INIT to the bootstrap processor restarts
 * it at the reset vector.
 */
static void mshv_sim_test_init_sipi_assert(struct kunit *test)
{
	const u32 init = HV_X64_INTERRUPT_TYPE_INIT;
	const u32 sipi = HV_X64_INTERRUPT_TYPE_SIPI;
	struct test_guest g;
	union hv_register_value cs;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_poke(&g, TEST_AP_PAGE << 12, test_prog_ap, sizeof(test_prog_ap));
	test_poke(&g, TEST_AP_PAGE2 << 12, test_prog_ap, sizeof(test_prog_ap));
	test_set_reg64(test, &g, HV_X64_REGISTER_RIP, 0x1234);
	test_new_vp(test, &g, 1);
	test_set_reg64(test, &g, HV_REGISTER_EXPLICIT_SUSPEND, 0);

	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, sipi, 0, 1,
					      TEST_AP_PAGE),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_INTERNAL_ACTIVITY_STATE),
			0);
	test_expect_cs_page(test, &g, TEST_AP_PAGE);
	test_expect_intercept(test, &g, 0, HVMSG_X64_IOPORT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, (u16)test_peek64(&g, TEST_SCRATCH),
			TEST_AP_PAGE << 8);

	/* A running VP ignores a SIPI. */
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, sipi, 0, 1,
					      TEST_AP_PAGE2),
			HV_STATUS_SUCCESS);
	test_expect_cs_page(test, &g, TEST_AP_PAGE);

	/* INIT: the reset state, waiting again. */
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, init, 0, 1, 0),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_INTERNAL_ACTIVITY_STATE),
			HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g, HV_X64_REGISTER_RIP),
			0xfff0);
	cs = test_get_reg(test, &g, HV_X64_REGISTER_ES + MSHV_SIM_X86_CS);
	KUNIT_EXPECT_EQ(test, cs.segment.base, 0xffff0000ULL);
	test_expect_blocked(test, &g, HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND);

	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, sipi, 0, 1,
					      TEST_AP_PAGE2),
			HV_STATUS_SUCCESS);
	test_expect_intercept(test, &g, 0, HVMSG_X64_IOPORT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, (u16)test_peek64(&g, TEST_SCRATCH),
			TEST_AP_PAGE2 << 8);

	/* INIT to the bootstrap processor: the reset vector, running. */
	g.vp = 0;
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, init, 0, 0, 0),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_INTERNAL_ACTIVITY_STATE),
			0);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g, HV_X64_REGISTER_RIP),
			0xfff0);
}

/*
 * The hand-over of a spin lock at TEST_SCRATCH, as SeaBIOS gives its
 * stack to the application processors: the bootstrap processor holds
 * the lock, and until TEST_COUNTER is 1 releases it and takes it back
 * at once, with a PAUSE in between: eight instructions a round, a
 * divisor of the dispatch budget. Then it leaves through port 0x80.
 */
static const u8 test_prog_lock_bsp[] = {
	0x83, 0x3e, 0x00, 0x05, 0x01,		/* 0: cmp word [COUNTER], 1 */
	0x74, 0x14,				/* je 27 */
	0xc7, 0x06, 0x04, 0x05, 0x00, 0x00,	/* mov word [SCRATCH], 0 */
	0x90,					/* nop */
	0xf3, 0x90,				/* 14: pause */
	0xf0, 0x0f, 0xba, 0x2e, 0x04, 0x05, 0x00, /* lock bts [SCRATCH], 0 */
	0x72, 0xf5,				/* jc 14 */
	0xeb, 0xe5,				/* jmp 0 */
	0xe6, 0x80,				/* 27: out 0x80, al */
};

/* The AP: take the lock, count, release it, leave through port 0x80. */
static const u8 test_prog_lock_ap[] = {
	0xf3, 0x90,				/* 0: pause */
	0xf0, 0x0f, 0xba, 0x2e, 0x04, 0x05, 0x00, /* lock bts [SCRATCH], 0 */
	0x72, 0xf5,				/* jc 0 */
	0xff, 0x06, 0x00, 0x05,			/* inc word [COUNTER] */
	0xc7, 0x06, 0x04, 0x05, 0x00, 0x00,	/* mov word [SCRATCH], 0 */
	0xe6, 0x80,				/* out 0x80, al */
};

/*
 * A VP spinning on PAUSE ends its time slice: the bootstrap processor,
 * which only lets go of the lock for a PAUSE, stops there, so the AP
 * dispatched next takes the lock. Without pause-loop exiting every
 * slice of the bootstrap processor ends with the lock held and the AP
 * spins forever, unless a root interrupt happens to end one where the
 * lock is free; since those end slices anywhere, the test allows a few
 * more rounds than pause-loop exits alone need.
 */
static void mshv_sim_test_pause_loop(struct kunit *test)
{
	struct test_guest g, bsp, ap;
	struct hv_output_dispatch_vp out;
	unsigned int round;
	bool ap_done = false;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_poke(&g, TEST_CODE, test_prog_lock_bsp,
		  sizeof(test_prog_lock_bsp));
	test_poke(&g, TEST_AP_PAGE << 12, test_prog_lock_ap,
		  sizeof(test_prog_lock_ap));
	test_poke64(&g, TEST_SCRATCH, 1);	/* held by the BSP */
	test_real_mode(test, &g);
	bsp = g;
	test_add_vp(test, &g, 1);
	test_real_mode(test, &g);
	test_set_reg64(test, &g, HV_X64_REGISTER_RIP, TEST_AP_PAGE << 12);
	ap = g;

	for (round = 0; round < 32 && !ap_done; round++) {
		test_switch_vp(&g, 0, &bsp);
		test_dispatch(test, &g, 0, &out);
		KUNIT_ASSERT_EQ(test, out.dispatch_event,
				HV_VP_DISPATCH_EVENT_NONE);
		test_switch_vp(&g, 1, &ap);
		test_dispatch(test, &g, 0, &out);
		ap_done = out.dispatch_event == HV_VP_DISPATCH_EVENT_INTERCEPT;
	}
	KUNIT_ASSERT_TRUE(test, ap_done);
	KUNIT_EXPECT_EQ(test, g.msg->header.message_type,
			HVMSG_X64_IOPORT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);
	/* The BSP takes the lock back, sees the count and leaves. */
	test_switch_vp(&g, 0, &bsp);
	test_expect_intercept(test, &g, 0, HVMSG_X64_IOPORT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TEST_SCRATCH) & 0xffff, 1);
}

/* Real mode: CLI, then spin. */
static const u8 test_prog_spin_cli[] = {
	0xfa,					/* cli */
	0xeb, 0xfe,				/* jmp $ */
};

/* Real mode: STI, then spin. */
static const u8 test_prog_spin_sti[] = {
	0xfb,					/* sti */
	0xeb, 0xfe,				/* jmp $ */
};

/*
 * Dispatch @g's VP, which keeps running, twice: a root interrupt may end
 * the first dispatch at any instruction, and the second then runs until
 * the next one, or to the end of its time slice.
 */
static void test_expect_running(struct kunit *test, struct test_guest *g)
{
	struct hv_output_dispatch_vp out;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		test_dispatch(test, g,
			      HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND, &out);
		KUNIT_EXPECT_EQ(test, out.dispatch_state,
				HV_VP_DISPATCH_STATE_READY);
		KUNIT_EXPECT_EQ(test, out.dispatch_event,
				HV_VP_DISPATCH_EVENT_NONE);
	}
}

/*
 * An NMI is delivered through vector 2 with interrupts disabled, and
 * masks NMIs until the handler's IRET: a second one waits.
 */
static void mshv_sim_test_nmi(struct kunit *test)
{
	const u32 nmi = HV_X64_INTERRUPT_TYPE_NMI;
	struct test_guest g;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_poke(&g, TEST_CODE, test_prog_spin_cli,
		  sizeof(test_prog_spin_cli));
	test_poke(&g, TEST_HANDLER, test_handler_real,
		  sizeof(test_handler_real));
	test_poke(&g, TEST_HANDLER_LOOP, test_handler_loop,
		  sizeof(test_handler_loop));
	test_ivt(&g, MSHV_SIM_NMI_VECTOR, TEST_HANDLER);
	test_real_mode(test, &g);
	test_expect_running(test, &g);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 0);

	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, nmi, 0, 0, 0),
			HV_STATUS_SUCCESS);
	test_expect_running(test, &g);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_INTERRUPT_STATE), 0);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, nmi, 0, 0, 0),
			HV_STATUS_SUCCESS);
	test_expect_running(test, &g);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 2);

	/* A handler that never returns keeps NMIs masked. */
	test_ivt(&g, MSHV_SIM_NMI_VECTOR, TEST_HANDLER_LOOP);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, nmi, 0, 0, 0),
			HV_STATUS_SUCCESS);
	test_expect_running(test, &g);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 3);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_INTERRUPT_STATE),
			HV_X64_INTERRUPT_STATE_NMI_MASKED);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, nmi, 0, 0, 0),
			HV_STATUS_SUCCESS);
	test_expect_running(test, &g);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 3);
}

/* HvClearVirtualInterrupt of @id, issued fast or not; the status. */
static u16 test_clear_irq(struct kunit *test, u64 id, bool fast)
{
	return hv_result(fast ? test_fast(test, HVCALL_CLEAR_VIRTUAL_INTERRUPT,
					  id) :
			 test_slow(test, HVCALL_CLEAR_VIRTUAL_INTERRUPT, id));
}

/*
 * An ExtINT goes to the bootstrap processor and is taken with interrupts
 * enabled, whatever the APIC's software enable; HvClearVirtualInterrupt
 * reports it acknowledged once, and another ExtINT may be asserted only
 * after that.
 */
static void mshv_sim_test_extint(struct kunit *test)
{
	const u32 extint = HV_X64_INTERRUPT_TYPE_EXTINT;
	struct test_guest g;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_poke(&g, TEST_CODE, test_prog_spin_sti,
		  sizeof(test_prog_spin_sti));
	test_poke(&g, TEST_HANDLER, test_handler_real,
		  sizeof(test_handler_real));
	test_ivt(&g, 0x30, TEST_HANDLER);
	test_real_mode(test, &g);

	KUNIT_EXPECT_EQ(test, test_clear_irq(test, g.id, true),
			HV_STATUS_NOT_ACKNOWLEDGED);
	KUNIT_EXPECT_EQ(test, test_clear_irq(test, TEST_BAD_ID, true),
			HV_STATUS_INVALID_PARTITION_ID);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, extint, 0, 0, 0x30),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, extint, 0, 0, 0x30),
			HV_STATUS_INVALID_VP_STATE);
	KUNIT_EXPECT_EQ(test, test_clear_irq(test, g.id, false),
			HV_STATUS_NOT_ACKNOWLEDGED);
	test_expect_running(test, &g);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, extint, 0, 0, 0x30),
			HV_STATUS_INVALID_VP_STATE);
	KUNIT_EXPECT_EQ(test, test_clear_irq(test, g.id, false),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_clear_irq(test, g.id, true),
			HV_STATUS_NOT_ACKNOWLEDGED);
	KUNIT_EXPECT_EQ(test, test_assert_irq(test, g.id, extint, 0, 0, 0x30),
			HV_STATUS_SUCCESS);
	test_expect_running(test, &g);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 2);
}

/**
 * struct test_irq_case - one HvAssertVirtualInterrupt input and its status
 * @type: interrupt type
 * @flags: HV_INTERRUPT_CONTROL_* flags
 * @dest: destination
 * @vector: vector
 * @status: the status Hyper-V gives
 */
struct test_irq_case {
	u32 type;
	u32 flags;
	u64 dest;
	u32 vector;
	u16 status;
};

#define TEST_IRQ(t, f, d, v, s)						\
	{ .type = HV_X64_INTERRUPT_TYPE_##t, .flags = (f), .dest = (d),	\
	  .vector = (v), .status = HV_STATUS_##s }

static const struct test_irq_case test_irq_cases[] = {
	TEST_IRQ(FIXED, 0, 0, 15, INVALID_PARAMETER),
	TEST_IRQ(FIXED, 0, 0, 16, SUCCESS),
	TEST_IRQ(FIXED, HV_INTERRUPT_CONTROL_LOGICAL_DEST, 1, 0x40, SUCCESS),
	TEST_IRQ(LOWESTPRIORITY, 0, 0, 255, SUCCESS),
	TEST_IRQ(LOWESTPRIORITY, 0, 0, 256, INVALID_PARAMETER),
	TEST_IRQ(SMI, 0, 0, 0, INVALID_PARAMETER),
	TEST_IRQ(REMOTEREAD, 0, 0, 0, INVALID_PARAMETER),
	TEST_IRQ(NMI, 0, 0, 0, SUCCESS),
	TEST_IRQ(NMI, 0, 0, 2, INVALID_PARAMETER),
	TEST_IRQ(INIT, 0, 1, 0, SUCCESS),
	TEST_IRQ(INIT, 0, 1, 1, INVALID_PARAMETER),
	TEST_IRQ(SIPI, 0, 1, 0, SUCCESS),
	TEST_IRQ(SIPI, 0, 1, 0xff, SUCCESS),
	TEST_IRQ(SIPI, 0, 1, 0x100, INVALID_PARAMETER),
	TEST_IRQ(EXTINT, 0, 1, 0x20, INVALID_PARAMETER),
	TEST_IRQ(EXTINT, HV_INTERRUPT_CONTROL_LOGICAL_DEST, 0, 0x20,
		 INVALID_PARAMETER),
	TEST_IRQ(EXTINT, 0, 0, 0x100, INVALID_PARAMETER),
	TEST_IRQ(EXTINT, 0, 0, 0x08, SUCCESS),
	TEST_IRQ(LOCALINT0, 0, 0, 0, INVALID_PARAMETER),
	TEST_IRQ(LOCALINT1, 0, 0, 0, INVALID_PARAMETER),
	TEST_IRQ(MAXIMUM, 0, 0, 0x40, INVALID_PARAMETER),
	{ .type = U32_MAX, .vector = 0x40,
	  .status = HV_STATUS_INVALID_PARAMETER },
	TEST_IRQ(NMI, BIT(2), 0, 0, INVALID_PARAMETER),
	TEST_IRQ(INIT, 0, BIT_ULL(32), 0, INVALID_PARAMETER),
};

/* Every interrupt type with valid and invalid vectors and destinations. */
static void mshv_sim_test_assert_types(struct kunit *test)
{
	const struct test_irq_case *c;
	struct test_guest g;
	unsigned int i;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_new_vp(test, &g, 1);
	for (i = 0; i < ARRAY_SIZE(test_irq_cases); i++) {
		c = &test_irq_cases[i];
		KUNIT_EXPECT_EQ_MSG(test, test_assert_irq(test, g.id, c->type,
							  c->flags, c->dest,
							  c->vector),
				    c->status, "case %u", i);
	}
}

/*
 * Every new VP is explicitly suspended, under either scheduler.
 * HvDispatchVp finds it suspended; when the root lifts the suspension it
 * gets a scheduler signal, and the VP runs.
 */
static void mshv_sim_test_explicit_suspend(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct hv_output_dispatch_vp out;
	struct test_guest g;
	struct hv_message *slot;

	test_synic_enable(sim);
	slot = test_slot(sim);
	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_SCHEDULER,
			  HV_SCHEDULER_TYPE_CORE_SMT);
	test_new_vp(test, &g, 2);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_EXPLICIT_SUSPEND), 1);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_SCHEDULER, HV_SCHEDULER_TYPE_ROOT);
	test_new_vp(test, &g, 1);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_EXPLICIT_SUSPEND), 1);
	test_set_reg64(test, &g, HV_REGISTER_INTERNAL_ACTIVITY_STATE, 0);
	test_poke(&g, TEST_CODE, test_prog_spin_cli,
		  sizeof(test_prog_spin_cli));
	test_real_mode(test, &g);

	test_dispatch(test, &g, 0, &out);
	KUNIT_EXPECT_EQ(test, out.dispatch_state, HV_VP_DISPATCH_STATE_BLOCKED);
	KUNIT_EXPECT_EQ(test, out.dispatch_event, HV_VP_DISPATCH_EVENT_SUSPEND);
	KUNIT_EXPECT_EQ(test, slot->header.message_type, HVMSG_NONE);
	test_set_reg64(test, &g, HV_REGISTER_EXPLICIT_SUSPEND, 0);
	test_expect_signal(test, slot, g.id, 1);
	test_expect_running(test, &g);
}

/* Two NOPs, then CLI and spin: where injection tests start. */
static const u8 test_prog_nops_spin[] = {
	0x90, 0x90,				/* nop; nop */
	0xfa,					/* cli */
	0xeb, 0xfe,				/* jmp $ */
};

/* HV_REGISTER_PENDING_INTERRUPTION: pending, @type, @vector, @len. */
static u64 test_pending(u8 type, u8 vector, u8 len)
{
	return BIT_ULL(0) | (u64)type << 1 | (u64)len << 5 | (u64)vector << 16;
}

/*
 * HvDispatchVp injects what the root left in PENDING_INTERRUPTION before
 * the next instruction, whatever RFLAGS.IF, and clears it: a hardware
 * exception, a software interrupt (returning past the instruction length
 * given) and an NMI (masking NMIs).
 */
static void mshv_sim_test_pending_interruption(struct kunit *test)
{
	struct test_guest g;

	test_guest_init(test, &g, TEST_CREATION_FLAGS &
			~HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED);
	test_poke(&g, TEST_CODE, test_prog_nops_spin,
		  sizeof(test_prog_nops_spin));
	test_poke(&g, TEST_HANDLER, test_handler_real,
		  sizeof(test_handler_real));
	test_poke(&g, TEST_HANDLER_LOOP, test_handler_loop,
		  sizeof(test_handler_loop));
	test_ivt(&g, MSHV_SIM_X86_UD, TEST_HANDLER);
	test_ivt(&g, 0x21, TEST_HANDLER);
	test_ivt(&g, MSHV_SIM_NMI_VECTOR, TEST_HANDLER_LOOP);
	test_real_mode(test, &g);

	test_set_reg64(test, &g, HV_REGISTER_PENDING_INTERRUPTION,
		       test_pending(HV_X64_PENDING_EXCEPTION, MSHV_SIM_X86_UD,
				    0));
	test_expect_running(test, &g);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 1);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_PENDING_INTERRUPTION),
			0);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g, HV_X64_REGISTER_RIP),
			TEST_CODE + 3);

	/* INT 0x21 of length 2 at TEST_CODE: returns past the NOPs. */
	test_set_reg64(test, &g, HV_X64_REGISTER_RIP, TEST_CODE);
	test_set_reg64(test, &g, HV_REGISTER_PENDING_INTERRUPTION,
		       test_pending(4, 0x21, 2));
	test_expect_running(test, &g);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 2);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g, HV_X64_REGISTER_RIP),
			TEST_CODE + 3);

	test_set_reg64(test, &g, HV_REGISTER_PENDING_INTERRUPTION,
		       test_pending(HV_X64_PENDING_NMI, MSHV_SIM_NMI_VECTOR, 0));
	test_expect_running(test, &g);
	KUNIT_EXPECT_EQ(test, test_counter(&g), 3);
	KUNIT_EXPECT_EQ(test, test_get_reg64(test, &g,
					     HV_REGISTER_INTERRUPT_STATE),
			HV_X64_INTERRUPT_STATE_NMI_MASKED);
}

/* CLI, two NOPs, STI, spin. */
static const u8 test_prog_cli_sti[] = {
	0xfa,					/* cli */
	0x90, 0x90,				/* nop; nop */
	0xfb,					/* sti */
	0xeb, 0xfe,				/* jmp $ */
};

/*
 * DELIVERABILITY_NOTIFICATIONS: the VP stops with
 * HVMSG_X64_INTERRUPTION_DELIVERABLE once it can take an external
 * interrupt (after STI and its shadow) or an NMI, and the notification
 * is cleared.
 */
static void mshv_sim_test_deliverability(struct kunit *test)
{
	struct hv_x64_interruption_deliverable_message d;
	struct test_guest g;

	test_guest_init(test, &g, TEST_CREATION_FLAGS &
			~HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED);
	test_poke(&g, TEST_CODE, test_prog_cli_sti, sizeof(test_prog_cli_sti));
	test_real_mode(test, &g);
	test_set_reg64(test, &g, HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS,
		       BIT(1));

	test_expect_intercept(test, &g, 0, HVMSG_X64_INTERRUPTION_DELIVERABLE);
	memcpy(&d, g.msg->u.payload, sizeof(d));
	KUNIT_EXPECT_EQ(test, d.deliverable_type, HV_X64_PENDING_INTERRUPT);
	KUNIT_EXPECT_EQ(test, d.header.rip, TEST_CODE + 4);
	KUNIT_EXPECT_TRUE(test, d.header.rflags & MSHV_SIM_X86_FLAG_IF);
	KUNIT_EXPECT_EQ(test,
			test_get_reg64(test, &g,
				       HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS),
			0);
	test_expect_running(test, &g);		/* without a notification */

	test_set_reg64(test, &g, HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS,
		       BIT(0));
	test_expect_intercept(test, &g,
			      HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND,
			      HVMSG_X64_INTERRUPTION_DELIVERABLE);
	memcpy(&d, g.msg->u.payload, sizeof(d));
	KUNIT_EXPECT_EQ(test, d.deliverable_type, HV_X64_PENDING_NMI);
}

/*
 * The time stamp counter: RDTSC, RDMSR of IA32_TSC and the TSC register
 * read one counter, which starts from the value last written and keeps
 * counting.
 */
static void mshv_sim_test_vp_tsc(struct kunit *test)
{
	static const u8 code[] = {
		0x0f, 0x31,			/* rdtsc */
		0x66, 0xa3, 0x00, 0x06,		/* mov [0x600], eax */
		0x66, 0x89, 0x16, 0x04, 0x06,	/* mov [0x604], edx */
		0x66, 0xb9, 0x10, 0x00, 0x00, 0x00, /* mov ecx, IA32_TSC */
		0x0f, 0x32,			/* rdmsr */
		0x66, 0xa3, 0x08, 0x06,		/* mov [0x608], eax */
		0x66, 0x89, 0x16, 0x0c, 0x06,	/* mov [0x60c], edx */
		0xe6, 0xf4,			/* out 0xf4, al */
	};
	const u64 start = BIT_ULL(40);
	struct test_guest g;
	u64 first, second;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_poke(&g, TEST_CODE, code, sizeof(code));
	test_real_mode(test, &g);
	test_set_reg64(test, &g, HV_X64_REGISTER_TSC, start);
	test_expect_intercept(test, &g, 0, HVMSG_X64_IOPORT_INTERCEPT);
	first = test_peek64(&g, 0x600);
	second = test_peek64(&g, 0x608);
	KUNIT_EXPECT_GE(test, first, start);
	KUNIT_EXPECT_GT(test, second, first);
	/* not a wild value: less than an hour at the processor clock */
	KUNIT_EXPECT_LT(test, second - start, 3600 * 2500000000ULL);
	KUNIT_EXPECT_GT(test, test_get_reg64(test, &g, HV_X64_REGISTER_TSC),
			second);
}

/*
 * The trace: once on, it records a memory call with its input, a fast call
 * with its operands and the intercept a VP posts, in order; off, nothing.
 */
static void mshv_sim_test_trace(struct kunit *test)
{
	static const u8 code[] = { 0xb0, 0x5a, 0xe6, 0xf4 }; /* out 0xf4, 0x5a */
	struct mshv_sim_trace_rec *recs;
	struct test_guest g;
	unsigned int n;
	u64 value;

	recs = kunit_kcalloc(test, 4, sizeof(*recs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, recs);
	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_poke(&g, TEST_CODE, code, sizeof(code));
	test_real_mode(test, &g);
	KUNIT_ASSERT_EQ(test, mshv_sim_trace_set(true, true), 0);

	test_get_prop(test, TEST_BAD_ID, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
		      &value);
	test_fast(test, HVCALL_FINALIZE_PARTITION, TEST_BAD_ID);
	test_expect_intercept(test, &g, 0, HVMSG_X64_IOPORT_INTERCEPT);
	mshv_sim_trace_set(false, false);
	test_fast(test, HVCALL_FINALIZE_PARTITION, TEST_BAD_ID);

	n = mshv_sim_trace_get(recs, 4);
	mshv_sim_trace_set(false, true);
	/* the property call, the fast call, the dispatch, its intercept */
	KUNIT_ASSERT_EQ(test, n, 4);
	KUNIT_EXPECT_EQ(test, recs[0].kind, MSHV_SIM_TRACE_CALL);
	KUNIT_EXPECT_EQ(test, recs[0].code, HVCALL_GET_PARTITION_PROPERTY);
	KUNIT_EXPECT_EQ(test, recs[0].status, HV_STATUS_INVALID_PARTITION_ID);
	KUNIT_EXPECT_EQ(test, recs[0].words[0], TEST_BAD_ID);
	KUNIT_EXPECT_EQ(test, (u32)recs[0].words[1],
			HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS);
	KUNIT_EXPECT_EQ(test, recs[1].code, HVCALL_FINALIZE_PARTITION);
	KUNIT_EXPECT_EQ(test, recs[1].words[0], TEST_BAD_ID);
	KUNIT_EXPECT_EQ(test, recs[1].seq, recs[0].seq + 1);
	/* the message is posted while the dispatch runs */
	KUNIT_EXPECT_EQ(test, recs[2].kind, MSHV_SIM_TRACE_MSG);
	KUNIT_EXPECT_EQ(test, recs[2].partition, g.id);
	KUNIT_EXPECT_EQ(test, recs[2].vp, 0);
	KUNIT_EXPECT_EQ(test, recs[2].msg_type, HVMSG_X64_IOPORT_INTERCEPT);
	KUNIT_EXPECT_EQ(test, recs[3].kind, MSHV_SIM_TRACE_CALL);
	KUNIT_EXPECT_EQ(test, recs[3].code, HVCALL_DISPATCH_VP);
	KUNIT_EXPECT_EQ(test, recs[3].status, HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, mshv_sim_trace_get(recs, 4), 0);
}

/* How long the root's timer waits, and the slice the dispatches ask for. */
#define TEST_ROOT_TIMER_MS	100
#define TEST_LONG_SLICE		(10ULL * NSEC_PER_SEC / 100)

/**
 * struct test_root_timer - a timer of the root's, on the dispatching CPU
 * @timer: the timer, which expires in hard IRQ context
 * @fired: its handler ran
 */
struct test_root_timer {
	struct hrtimer timer;
	bool fired;
};

static enum hrtimer_restart test_root_timer_fn(struct hrtimer *timer)
{
	struct test_root_timer *rt = container_of(timer, struct test_root_timer,
						  timer);

	WRITE_ONCE(rt->fired, true);
	return HRTIMER_NORESTART;
}

/* Real mode: CLI, then count in TEST_COUNTER forever. */
static const u8 test_prog_count_cli[] = {
	0xfa,					/* cli */
	0x66, 0xff, 0x06, 0x00, 0x05,		/* 1: inc dword [TEST_COUNTER] */
	0xeb, 0xf9,				/* jmp 1b */
};

/*
 * A dispatch of a counting VP ends, READY with no event, when the root
 * has an interrupt pending on its CPU, long before the 10 s time slice
 * it asked for; the VP goes on from where it was at the next dispatch.
 * A timer of the root's is handled while the guest counts: only the
 * root's interrupts (its tick and this timer) end the dispatches until
 * then, so there are about as many dispatches as ticks. They end where
 * the interrupts arrive, not where a budget of instructions ends: some
 * dispatch ran a number of loops (two instructions each) that is not a
 * multiple of half a budget.
 */
static void mshv_sim_test_dispatch_root_timer(struct kunit *test)
{
	struct hv_input_dispatch_vp *in = test_ctx(test)->in;
	struct hv_output_dispatch_vp *out = test_ctx(test)->out;
	const unsigned int most = TEST_ROOT_TIMER_MS * HZ / MSEC_PER_SEC + 20;
	unsigned int dispatches = 0, bad = 0, inside = 0;
	struct test_root_timer rt = {};
	u32 count, loops, most_loops = 0;
	struct test_guest g;
	ktime_t start;
	s64 elapsed;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_poke(&g, TEST_CODE, test_prog_count_cli,
		  sizeof(test_prog_count_cli));
	test_real_mode(test, &g);
	test_expect_running(test, &g);

	hrtimer_init(&rt.timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	rt.timer.function = test_root_timer_fn;
	/* On this CPU, which dispatches the VP until the timer is handled. */
	preempt_disable();
	start = ktime_get();
	hrtimer_start(&rt.timer, ms_to_ktime(TEST_ROOT_TIMER_MS),
		      HRTIMER_MODE_REL_PINNED_HARD);
	while (!READ_ONCE(rt.fired) && dispatches <= most) {
		memset(in, 0, sizeof(*in));
		in->partition_id = g.id;
		in->vp_index = g.vp;
		in->time_slice = TEST_LONG_SLICE;
		count = test_counter(&g);
		if (hv_result(test_call(test, TEST_CTL(HVCALL_DISPATCH_VP,
						       0, 0))) ||
		    out->dispatch_state != HV_VP_DISPATCH_STATE_READY ||
		    out->dispatch_event != HV_VP_DISPATCH_EVENT_NONE)
			bad++;
		loops = test_counter(&g) - count;
		most_loops = max(most_loops, loops);
		if (loops % (MSHV_SIM_DISPATCH_BUDGET / 2))
			inside++;
		dispatches++;
	}
	elapsed = ktime_ms_delta(ktime_get(), start);
	preempt_enable();
	hrtimer_cancel(&rt.timer);

	kunit_info(test,
		   "%u dispatches in %lld ms, %u ended inside a budget, at most %u loops\n",
		   dispatches, elapsed, inside, most_loops);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(rt.fired));
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_GT(test, inside, 0);
	KUNIT_EXPECT_GE(test, dispatches, 1);
	KUNIT_EXPECT_LE(test, dispatches, most);
	KUNIT_EXPECT_GE(test, elapsed, TEST_ROOT_TIMER_MS);
	KUNIT_EXPECT_LT(test, elapsed, 5 * MSEC_PER_SEC);
	/* Still counting, in its loop. */
	count = test_counter(&g);
	test_expect_running(test, &g);
	KUNIT_EXPECT_GT(test, test_counter(&g), count);
}

/**
 * struct test_root_ipi - an IPI the root sends itself
 * @work: the irq_work whose queueing sends it
 * @handled: its handler ran
 */
struct test_root_ipi {
	struct irq_work work;
	bool handled;
};

static void test_root_ipi_fn(struct irq_work *work)
{
	struct test_root_ipi *ipi = container_of(work, struct test_root_ipi,
						 work);

	WRITE_ONCE(ipi->handled, true);
}

/*
 * An IPI the root sent itself is pending when HvDispatchVp starts (the
 * root's IRQs are off): the dispatch returns READY with no event as soon
 * as the simulator looks for root interrupts, after the
 * MSHV_SIM_ROOT_IRQ_MIN_RUN instructions a VP always runs, not after a
 * budget of instructions (which a
 * simulator that looks only between budgets would run) nor at the end of
 * the 10 s time slice it asked for, and the IPI is handled when the
 * root's IRQs are back on. The VP then goes on counting from where it
 * was.
 */
static void mshv_sim_test_dispatch_root_ipi(struct kunit *test)
{
	struct hv_input_dispatch_vp *in = test_ctx(test)->in;
	struct hv_output_dispatch_vp *out = test_ctx(test)->out;
	struct test_root_ipi ipi = {};
	unsigned long flags;
	struct test_guest g;
	u32 count, ran;
	u64 ret;

	if (!arch_irq_work_has_interrupt())
		kunit_skip(test, "no self-IPI for irq_work");
	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_poke(&g, TEST_CODE, test_prog_count_cli,
		  sizeof(test_prog_count_cli));
	test_real_mode(test, &g);
	test_expect_running(test, &g);

	ipi.work = IRQ_WORK_INIT_HARD(test_root_ipi_fn);
	memset(in, 0, sizeof(*in));
	in->partition_id = g.id;
	in->vp_index = g.vp;
	in->time_slice = TEST_LONG_SLICE;
	count = test_counter(&g);
	local_irq_save(flags);
	irq_work_queue(&ipi.work);
	ret = test_call(test, TEST_CTL(HVCALL_DISPATCH_VP, 0, 0));
	ran = test_counter(&g) - count;
	local_irq_restore(flags);
	irq_work_sync(&ipi.work);

	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, out->dispatch_state, HV_VP_DISPATCH_STATE_READY);
	KUNIT_EXPECT_EQ(test, out->dispatch_event, HV_VP_DISPATCH_EVENT_NONE);
	/* Two instructions a loop: far fewer than a budget ran. */
	kunit_info(test, "%u loops with a root interrupt pending\n", ran);
	KUNIT_EXPECT_GT(test, ran, 0);
	KUNIT_EXPECT_LE(test, ran, MSHV_SIM_ROOT_IRQ_MIN_RUN / 2);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(ipi.handled));

	count = test_counter(&g);
	test_expect_running(test, &g);
	KUNIT_EXPECT_GT(test, test_counter(&g), count);
}

static struct kunit_case mshv_sim_lapic_test_cases[] = {
	KUNIT_CASE(mshv_sim_test_lapic_assert_invalid),
	KUNIT_CASE(mshv_sim_test_lapic_hlt_wakes),
	KUNIT_CASE(mshv_sim_test_stimer_one_shot),
	KUNIT_CASE(mshv_sim_test_stimer_direct),
	KUNIT_CASE(mshv_sim_test_stimer_periodic),
	KUNIT_CASE(mshv_sim_test_stimer_disabled),
	KUNIT_CASE(mshv_sim_test_stimer_wakes_halted),
	KUNIT_CASE(mshv_sim_test_lapic_priority),
	KUNIT_CASE(mshv_sim_test_lapic_eoi_level),
	KUNIT_CASE(mshv_sim_test_lapic_eoi_queue),
	KUNIT_CASE(mshv_sim_test_lapic_register_page),
	KUNIT_CASE(mshv_sim_test_state_pages_not_guest_memory),
	KUNIT_CASE(mshv_sim_test_lapic_long_mode),
	KUNIT_CASE(mshv_sim_test_lapic_hlt_intercept),
	KUNIT_CASE(mshv_sim_test_guest_reference_counter),
	KUNIT_CASE(mshv_sim_test_guest_frequency_msrs),
	KUNIT_CASE(mshv_sim_test_guest_reference_tsc_page),
	KUNIT_CASE(mshv_sim_test_guest_hypercall_page),
	KUNIT_CASE(mshv_sim_test_guest_unimplemented_msr),
	KUNIT_CASE(mshv_sim_test_lapic_state),
	KUNIT_CASE(mshv_sim_test_lapic_ipi),
	KUNIT_CASE(mshv_sim_test_msr_register_file),
	KUNIT_CASE(mshv_sim_test_register_page_xmm),
	KUNIT_CASE(mshv_sim_test_init_sipi_icr),
	KUNIT_CASE(mshv_sim_test_init_sipi_assert),
	KUNIT_CASE(mshv_sim_test_pause_loop),
	KUNIT_CASE(mshv_sim_test_nmi),
	KUNIT_CASE(mshv_sim_test_dispatch_root_timer),
	KUNIT_CASE(mshv_sim_test_dispatch_root_ipi),
	KUNIT_CASE(mshv_sim_test_extint),
	KUNIT_CASE(mshv_sim_test_assert_types),
	KUNIT_CASE(mshv_sim_test_explicit_suspend),
	KUNIT_CASE(mshv_sim_test_pending_interruption),
	KUNIT_CASE(mshv_sim_test_deliverability),
	KUNIT_CASE(mshv_sim_test_vp_tsc),
	KUNIT_CASE(mshv_sim_test_trace),
	{}
};

/* Pinned to one CPU like the SynIC suite: the wake signal goes there. */
static struct kunit_suite mshv_sim_lapic_test_suite = {
	.name = "mshv_sim_lapic",
	.init = mshv_sim_test_synic_init,
	.exit = mshv_sim_test_synic_exit,
	.test_cases = mshv_sim_lapic_test_cases,
};

/* ---- HvTranslateVirtualAddress ------------------------------------------- */

/*
 * The guest of test_guest_init() (8 pages at GPA 0), with its paging
 * structures in its own pages: PML5 0x1000, PML4 TEST_PML4, PDPT 0x3000,
 * PD 0x4000, PT 0x5000; the page they map is 0x6000. GFN 0x10 is mapped
 * readable only; nothing else is mapped.
 */
#define TR_PML5			0x1000
#define TR_PDPT			0x3000
#define TR_PD			0x4000
#define TR_PT			0x5000
#define TR_DATA			0x6000
#define TR_RO_GFN		0x10
#define TR_P			BIT_ULL(0)
#define TR_RW			BIT_ULL(1)
#define TR_US			BIT_ULL(2)
#define TR_A			BIT_ULL(5)
#define TR_D			BIT_ULL(6)
#define TR_PS			BIT_ULL(7)
#define TR_NX			BIT_ULL(63)
#define TR_TABLE		(TR_P | TR_RW | TR_US)
#define TR_READ			HV_TRANSLATE_GVA_VALIDATE_READ
#define TR_WRITE		HV_TRANSLATE_GVA_VALIDATE_WRITE
#define TR_EXEC			HV_TRANSLATE_GVA_VALIDATE_EXECUTE
#define TR_CR0_PG_WP		(MSHV_SIM_X86_CR0_PE | MSHV_SIM_X86_CR0_WP | \
				 MSHV_SIM_X86_CR0_PG)
#define TR_EFER_LONG		(MSHV_SIM_X86_EFER_LME | MSHV_SIM_X86_EFER_LMA | \
				 MSHV_SIM_X86_EFER_NXE)

/* Issue HvTranslateVirtualAddress; the raw hypercall result. */
static u64 test_translate_call(struct kunit *test, u64 id, u32 vp, u64 gva,
			       u64 flags)
{
	struct hv_input_translate_virtual_address *in = test_ctx(test)->in;

	memset(in, 0, sizeof(*in));
	in->partition_id = id;
	in->vp_index = vp;
	in->control_flags = flags;
	in->gva_page = gva >> HV_HYP_PAGE_SHIFT;
	memset(test_ctx(test)->out, 0xee, 16);
	return test_call(test, TEST_CTL(HVCALL_TRANSLATE_VIRTUAL_ADDRESS, 0, 0));
}

/* Translate @gva; the result code, the GPA page in *@gpa_page. */
static u32 test_translate(struct kunit *test, struct test_guest *g, u64 gva,
			  u64 flags, u64 *gpa_page)
{
	struct hv_output_translate_virtual_address *out = test_ctx(test)->out;

	KUNIT_EXPECT_EQ(test,
			hv_result(test_translate_call(test, g->id, g->vp, gva,
						      flags)),
			HV_STATUS_SUCCESS);
	*gpa_page = out->gpa_page;
	if (out->translation_result.result_code == HV_TRANSLATE_GVA_SUCCESS)
		KUNIT_EXPECT_EQ(test, (u32)out->translation_result.cache_type,
				HV_CACHE_TYPE_WRITE_BACK);
	return out->translation_result.result_code;
}

/* Expect @gva to translate to GPA page @want with @flags. */
static void test_expect_gpa(struct kunit *test, struct test_guest *g, u64 gva,
			    u64 flags, u64 want)
{
	u64 gpa_page = 0;

	KUNIT_EXPECT_EQ_MSG(test, test_translate(test, g, gva, flags, &gpa_page),
			    HV_TRANSLATE_GVA_SUCCESS, "gva %#llx", gva);
	KUNIT_EXPECT_EQ_MSG(test, gpa_page, want, "gva %#llx", gva);
}

/* Expect translating @gva with @flags to fail with @result. */
static void test_expect_result(struct kunit *test, struct test_guest *g,
			       u64 gva, u64 flags, u32 result)
{
	u64 gpa_page;

	KUNIT_EXPECT_EQ_MSG(test, test_translate(test, g, gva, flags, &gpa_page),
			    result, "gva %#llx flags %#llx", gva, flags);
}

static void test_paging_regs(struct kunit *test, struct test_guest *g,
			     u64 cr0, u64 cr3, u64 cr4, u64 efer)
{
	struct hv_register_assoc regs[] = {
		{ .name = HV_X64_REGISTER_CR0, .value.reg64 = cr0 },
		{ .name = HV_X64_REGISTER_CR3, .value.reg64 = cr3 },
		{ .name = HV_X64_REGISTER_CR4, .value.reg64 = cr4 },
		{ .name = HV_X64_REGISTER_EFER, .value.reg64 = efer },
		test_seg(HV_X64_REGISTER_ES + MSHV_SIM_X86_CS, 8, U32_MAX,
			 0xa09b),
		{ .name = HV_X64_REGISTER_RFLAGS, .value.reg64 = 2 },
	};

	test_set_regs(test, g, regs, ARRAY_SIZE(regs));
}

/* Run at CPL 3 (CS.DPL 3), or at CPL 0. */
static void test_cpl(struct kunit *test, struct test_guest *g, bool user)
{
	struct hv_register_assoc cs =
		test_seg(HV_X64_REGISTER_ES + MSHV_SIM_X86_CS, user ? 0x2b : 8,
			 U32_MAX, user ? 0xa0fb : 0xa09b);

	test_set_regs(test, g, &cs, 1);
}

/*
 * A guest with 4-level tables: PML4[0] -> PDPT; PDPT[0] -> PD, PDPT[1]
 * a 1 GiB page at GPA 0, PDPT[2] one at GPA 1 GiB (not in the SLAT);
 * PD[0] -> PT, PD[1] a 2 MiB page at GPA 0; PT[6] maps TR_DATA for user
 * and supervisor, read and write.
 */
static void test_translate_guest(struct kunit *test, struct test_guest *g)
{
	u64 pfn;

	test_guest_init(test, g, TEST_CREATION_FLAGS);
	test_source_pfns(test, &pfn, 1);
	test_map_ok(test, g->id, TR_RO_GFN, HV_MAP_GPA_READABLE, &pfn, 1);

	test_poke64(g, TR_PML5, TEST_PML4 | TR_TABLE);
	test_poke64(g, TEST_PML4, TR_PDPT | TR_TABLE);
	test_poke64(g, TR_PDPT, TR_PD | TR_TABLE);
	test_poke64(g, TR_PDPT + 8, TR_TABLE | TR_PS);
	test_poke64(g, TR_PDPT + 16, SZ_1G | TR_TABLE | TR_PS);
	test_poke64(g, TR_PD, TR_PT | TR_TABLE);
	test_poke64(g, TR_PD + 8, TR_TABLE | TR_PS);
	test_poke64(g, TR_PT + 6 * 8, TR_DATA | TR_TABLE);
	test_paging_regs(test, g, TR_CR0_PG_WP, TEST_PML4,
			 MSHV_SIM_X86_CR4_PAE, TR_EFER_LONG);
}

/* 4 KiB, 2 MiB and 1 GiB pages; not present; non-canonical; reserved. */
static void mshv_sim_test_translate_4level(struct kunit *test)
{
	struct test_guest g;
	u64 gpa_page;

	test_translate_guest(test, &g);

	test_expect_gpa(test, &g, TR_DATA, 0, TR_DATA >> 12);
	test_expect_gpa(test, &g, TR_DATA, TR_READ | TR_WRITE | TR_EXEC,
			TR_DATA >> 12);
	test_expect_gpa(test, &g, SZ_2M + TR_DATA, TR_READ, TR_DATA >> 12);
	test_expect_gpa(test, &g, SZ_1G + TR_DATA, TR_READ, TR_DATA >> 12);

	/* The 1 GiB page at GPA 1 GiB: the walk works, the SLAT does not. */
	KUNIT_EXPECT_EQ(test,
			test_translate(test, &g, 2ULL * SZ_1G + TR_DATA, TR_READ,
				       &gpa_page),
			HV_TRANSLATE_GVA_GPA_UNMAPPED);
	KUNIT_EXPECT_EQ(test, gpa_page, (SZ_1G + TR_DATA) >> 12);

	/* Not present at the PT, the PDPT and the PML4 levels. */
	test_expect_result(test, &g, TR_DATA + 0x1000, TR_READ,
			   HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	test_expect_result(test, &g, 3ULL * SZ_1G, 0,
			   HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	test_expect_result(test, &g, 0x8000000000ULL, TR_READ,
			   HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	/* Beyond 48 bits and not canonical. */
	test_expect_result(test, &g, 0x800000000000ULL, TR_READ,
			   HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);

	/* Reserved bits: in a 2 MiB page, and PS in a PML4E. */
	test_poke64(&g, TR_PD + 16, TR_TABLE | TR_PS | BIT_ULL(13));
	test_expect_result(test, &g, 2ULL * SZ_2M, TR_READ,
			   HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	test_poke64(&g, TEST_PML4 + 8, TR_TABLE | TR_PS);
	test_expect_result(test, &g, 0x8000000000ULL, 0,
			   HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	/* NX without EFER.NXE is reserved too. */
	test_poke64(&g, TR_PT + 2 * 8, TR_DATA | TR_TABLE | TR_NX);
	test_expect_gpa(test, &g, 0x2000, TR_READ, TR_DATA >> 12);
	test_paging_regs(test, &g, TR_CR0_PG_WP, TEST_PML4,
			 MSHV_SIM_X86_CR4_PAE,
			 TR_EFER_LONG & ~MSHV_SIM_X86_EFER_NXE);
	test_expect_result(test, &g, 0x2000, TR_READ,
			   HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
}

/* Five levels: the PML5 on top, 57-bit addresses. */
static void mshv_sim_test_translate_5level(struct kunit *test)
{
	struct test_guest g;

	test_translate_guest(test, &g);
	test_paging_regs(test, &g, TR_CR0_PG_WP, TR_PML5,
			 MSHV_SIM_X86_CR4_PAE | MSHV_SIM_X86_CR4_LA57,
			 TR_EFER_LONG);

	test_expect_gpa(test, &g, TR_DATA, TR_READ | TR_WRITE, TR_DATA >> 12);
	test_expect_gpa(test, &g, SZ_1G + TR_DATA, TR_READ, TR_DATA >> 12);
	/* PML5 index 1: not present, then the same PML4 again. */
	test_expect_result(test, &g, BIT_ULL(48) + TR_DATA, TR_READ,
			   HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	test_poke64(&g, TR_PML5 + 8, TEST_PML4 | TR_TABLE);
	test_expect_gpa(test, &g, BIT_ULL(48) + TR_DATA, TR_READ,
			TR_DATA >> 12);
	/* Bit 56 set, bits 63:57 clear: not canonical with 57 bits. */
	test_expect_result(test, &g, BIT_ULL(56), TR_READ,
			   HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	/* PS in a PML5E is reserved. */
	test_poke64(&g, TR_PML5 + 16, TEST_PML4 | TR_TABLE | TR_PS);
	test_expect_result(test, &g, 2 * BIT_ULL(48), 0,
			   HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
}

/* Write protection, user/supervisor, NX, SMEP and SMAP. */
static void mshv_sim_test_translate_access(struct kunit *test)
{
	u64 cr4 = MSHV_SIM_X86_CR4_PAE;
	struct test_guest g;

	test_translate_guest(test, &g);
	/* PT[1]: read-only user page; PT[2]: supervisor page; PT[3]: NX. */
	test_poke64(&g, TR_PT + 1 * 8, TR_DATA | TR_P | TR_US);
	test_poke64(&g, TR_PT + 2 * 8, TR_DATA | TR_P | TR_RW);
	test_poke64(&g, TR_PT + 3 * 8, TR_DATA | TR_TABLE | TR_NX);

	/* Supervisor writes to read-only pages: refused only with CR0.WP. */
	test_expect_result(test, &g, 0x1000, TR_WRITE,
			   HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	test_expect_gpa(test, &g, 0x1000, TR_READ, TR_DATA >> 12);
	test_paging_regs(test, &g, TR_CR0_PG_WP & ~MSHV_SIM_X86_CR0_WP,
			 TEST_PML4, cr4, TR_EFER_LONG);
	test_expect_gpa(test, &g, 0x1000, TR_WRITE, TR_DATA >> 12);

	/* At CPL 3: no write to a read-only page, no supervisor page. */
	test_cpl(test, &g, true);
	test_expect_result(test, &g, 0x1000, TR_WRITE,
			   HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	test_expect_result(test, &g, 0x2000, TR_READ,
			   HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	/* Unless the caller names the mode or exempts it. */
	test_expect_gpa(test, &g, 0x2000,
			TR_READ | HV_TRANSLATE_GVA_SUPERVISOR_ACCESS,
			TR_DATA >> 12);
	test_expect_gpa(test, &g, 0x2000,
			TR_READ | HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT,
			TR_DATA >> 12);
	test_cpl(test, &g, false);
	test_expect_result(test, &g, 0x2000,
			   TR_READ | HV_TRANSLATE_GVA_USER_ACCESS,
			   HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);

	/* No fetch from an NX page; reading it is fine. */
	test_expect_result(test, &g, 0x3000, TR_EXEC,
			   HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	test_expect_gpa(test, &g, 0x3000, TR_READ | TR_WRITE, TR_DATA >> 12);

	/* SMEP: no supervisor fetch from a user page. */
	test_expect_gpa(test, &g, TR_DATA, TR_EXEC, TR_DATA >> 12);
	cr4 |= MSHV_SIM_X86_CR4_SMEP;
	test_paging_regs(test, &g, TR_CR0_PG_WP, TEST_PML4, cr4, TR_EFER_LONG);
	test_expect_result(test, &g, TR_DATA, TR_EXEC,
			   HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	test_expect_gpa(test, &g, TR_DATA,
			TR_EXEC | HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT,
			TR_DATA >> 12);

	/* SMAP: no supervisor data access to a user page unless AC is set. */
	test_expect_gpa(test, &g, TR_DATA, TR_READ, TR_DATA >> 12);
	cr4 |= MSHV_SIM_X86_CR4_SMAP;
	test_paging_regs(test, &g, TR_CR0_PG_WP, TEST_PML4, cr4, TR_EFER_LONG);
	test_expect_result(test, &g, TR_DATA, TR_READ,
			   HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	test_expect_gpa(test, &g, TR_DATA,
			TR_READ | HV_TRANSLATE_GVA_OVERRIDE_SMAP,
			TR_DATA >> 12);
	test_expect_gpa(test, &g, 0x2000, TR_READ, TR_DATA >> 12);
	test_set_reg64(test, &g, HV_X64_REGISTER_RFLAGS,
		       2 | MSHV_SIM_X86_FLAG_AC);
	test_expect_gpa(test, &g, TR_DATA, TR_WRITE, TR_DATA >> 12);
	test_expect_result(test, &g, TR_DATA,
			   TR_WRITE | HV_TRANSLATE_GVA_ENFORCE_SMAP,
			   HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
}

/* The SLAT: unmapped tables and pages, pages without the access asked. */
static void mshv_sim_test_translate_slat(struct kunit *test)
{
	struct test_guest g;
	u64 gpa_page, no_pfn = 0;

	test_translate_guest(test, &g);
	/* PT[1] maps the read-only GFN; PD[3] has its PT in unmapped 0x9000. */
	test_poke64(&g, TR_PT + 8, (TR_RO_GFN << 12) | TR_TABLE);
	test_poke64(&g, TR_PD + 3 * 8, 0x9000 | TR_TABLE);
	test_poke64(&g, TR_PT + 4 * 8, 0x8000 | TR_TABLE);

	test_expect_gpa(test, &g, 0x1000, TR_READ, TR_RO_GFN);
	KUNIT_EXPECT_EQ(test, test_translate(test, &g, 0x1000, TR_WRITE,
					     &gpa_page),
			HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS);
	KUNIT_EXPECT_EQ(test, gpa_page, TR_RO_GFN);
	KUNIT_EXPECT_EQ(test, test_translate(test, &g, 0x1000, TR_EXEC,
					     &gpa_page),
			HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS);

	/* The page itself is not in the SLAT, even without checks. */
	KUNIT_EXPECT_EQ(test, test_translate(test, &g, 0x4000, 0, &gpa_page),
			HV_TRANSLATE_GVA_GPA_UNMAPPED);
	KUNIT_EXPECT_EQ(test, gpa_page, 8);

	/* A page table that is not in the SLAT. */
	KUNIT_EXPECT_EQ(test, test_translate(test, &g, 3 * SZ_2M, TR_READ,
					     &gpa_page),
			HV_TRANSLATE_GVA_GPA_UNMAPPED);
	KUNIT_EXPECT_EQ(test, gpa_page, 9);

	/* Paging structures mapped without access: no read access. */
	test_unmap_ok(test, g.id, TR_PD >> 12, 0, 1);
	test_map_ok(test, g.id, TR_PD >> 12, HV_MAP_GPA_NO_ACCESS, &no_pfn, 1);
	KUNIT_EXPECT_EQ(test, test_translate(test, &g, TR_DATA, TR_READ,
					     &gpa_page),
			HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS);
	KUNIT_EXPECT_EQ(test, gpa_page, TR_PD >> 12);
}

/* HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS sets A, and D for a write. */
static void mshv_sim_test_translate_set_bits(struct kunit *test)
{
	struct test_guest g;

	test_translate_guest(test, &g);
	test_expect_gpa(test, &g, TR_DATA, TR_READ | TR_WRITE, TR_DATA >> 12);
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TR_PT + 6 * 8),
			TR_DATA | TR_TABLE);
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TEST_PML4), TR_PDPT | TR_TABLE);

	test_expect_gpa(test, &g, TR_DATA,
			TR_READ | HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS,
			TR_DATA >> 12);
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TR_PT + 6 * 8),
			TR_DATA | TR_TABLE | TR_A);
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TR_PD), TR_PT | TR_TABLE | TR_A);
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TR_PDPT),
			TR_PD | TR_TABLE | TR_A);
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TEST_PML4),
			TR_PDPT | TR_TABLE | TR_A);

	test_expect_gpa(test, &g, TR_DATA,
			TR_WRITE | HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS,
			TR_DATA >> 12);
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TR_PT + 6 * 8),
			TR_DATA | TR_TABLE | TR_A | TR_D);
	/* A failed translation sets nothing. */
	test_poke64(&g, TR_PT + 5 * 8, TR_DATA | TR_P);
	test_expect_result(test, &g, 0x5000,
			   TR_WRITE | HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS,
			   HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION);
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TR_PT + 5 * 8), TR_DATA | TR_P);
}

/* 32-bit paging with 4 MiB pages, PAE, and no paging at all. */
static void mshv_sim_test_translate_legacy(struct kunit *test)
{
	u64 cr0 = MSHV_SIM_X86_CR0_PE | MSHV_SIM_X86_CR0_PG;
	struct test_guest g;

	test_translate_guest(test, &g);

	/* 32-bit: PD at TR_PD (4-byte entries), PT at TR_PT. */
	memset(g.mem[TR_PD >> 12], 0, PAGE_SIZE);
	memset(g.mem[TR_PT >> 12], 0, PAGE_SIZE);
	test_poke(&g, TR_PD, &(u32){ TR_PT | TR_TABLE }, 4);
	test_poke(&g, TR_PT + 4 * 5, &(u32){ TR_DATA | TR_TABLE }, 4);
	test_poke(&g, TR_PD + 4, &(u32){ TR_TABLE | TR_PS }, 4);
	test_paging_regs(test, &g, cr0, TR_PD, MSHV_SIM_X86_CR4_PSE, 0);
	test_expect_gpa(test, &g, 0x5000, TR_READ | TR_WRITE, TR_DATA >> 12);
	test_expect_gpa(test, &g, SZ_4M + TR_DATA, TR_READ, TR_DATA >> 12);
	test_expect_result(test, &g, 0x4000, TR_READ,
			   HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	test_expect_result(test, &g, SZ_4G, 0,
			   HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	/* Without CR4.PSE, PS is ignored: PD[1] points to a table at 0. */
	test_paging_regs(test, &g, cr0, TR_PD, 0, 0);
	test_expect_result(test, &g, SZ_4M + TR_DATA, TR_READ,
			   HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);

	/* PAE: a PDPT of 4 entries at 0x7000, then 8-byte PD and PT. */
	memset(g.mem[TR_PD >> 12], 0, PAGE_SIZE);
	memset(g.mem[TR_PT >> 12], 0, PAGE_SIZE);
	test_poke64(&g, 0x7000, TR_PD | TR_P);
	test_poke64(&g, TR_PD, TR_PT | TR_TABLE);
	test_poke64(&g, TR_PD + 8, TR_TABLE | TR_PS);
	test_poke64(&g, TR_PT + 8 * 5, TR_DATA | TR_TABLE);
	test_paging_regs(test, &g, cr0, 0x7000, MSHV_SIM_X86_CR4_PAE, 0);
	test_expect_gpa(test, &g, 0x5000, TR_READ, TR_DATA >> 12);
	test_expect_gpa(test, &g, SZ_2M + TR_DATA, TR_READ, TR_DATA >> 12);
	test_expect_result(test, &g, SZ_1G, TR_READ,
			   HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
	/* A reserved bit in the PDPTE. */
	test_poke64(&g, 0x7000, TR_PD | TR_P | TR_RW);
	test_expect_result(test, &g, 0x5000, TR_READ,
			   HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);

	/* No paging: the GVA is the GPA, within 4 GiB. */
	test_paging_regs(test, &g, MSHV_SIM_X86_CR0_PE, 0, 0, 0);
	test_expect_gpa(test, &g, TR_DATA, TR_READ | TR_WRITE, TR_DATA >> 12);
	test_expect_result(test, &g, 0x9000, TR_READ,
			   HV_TRANSLATE_GVA_GPA_UNMAPPED);
	test_expect_result(test, &g, SZ_4G + TR_DATA, TR_READ,
			   HV_TRANSLATE_GVA_PAGE_NOT_PRESENT);
}

/* Inputs the hypervisor refuses. */
static void mshv_sim_test_translate_invalid(struct kunit *test)
{
	static const u64 bad_flags[] = {
		BIT_ULL(11),
		HV_TRANSLATE_GVA_SHADOW_STACK,
		HV_TRANSLATE_GVA_USER_ACCESS |
			HV_TRANSLATE_GVA_SUPERVISOR_ACCESS,
		HV_TRANSLATE_GVA_ENFORCE_SMAP | HV_TRANSLATE_GVA_OVERRIDE_SMAP,
		2ULL << 56,
	};
	struct hv_input_translate_virtual_address *in = test_ctx(test)->in;
	struct test_guest g;
	unsigned int i;

	test_translate_guest(test, &g);
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    hv_result(test_translate_call(test, g.id, 0,
								  TR_DATA,
								  bad_flags[i])),
				    HV_STATUS_INVALID_PARAMETER,
				    "flags %#llx", bad_flags[i]);
	/* VTL 0 named explicitly is fine. */
	KUNIT_EXPECT_EQ(test,
			hv_result(test_translate_call(test, g.id, 0, TR_DATA,
						      0x10ULL << 56)),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test,
			hv_result(test_translate_call(test, g.id, 5, TR_DATA,
						      0)),
			HV_STATUS_INVALID_VP_INDEX);
	KUNIT_EXPECT_EQ(test,
			hv_result(test_translate_call(test, TEST_BAD_ID, 0,
						      TR_DATA, 0)),
			HV_STATUS_INVALID_PARTITION_ID);
	test_translate_call(test, g.id, 0, TR_DATA, 0);
	in->padding = 1;
	KUNIT_EXPECT_EQ(test,
			hv_result(test_call(test,
					    TEST_CTL(HVCALL_TRANSLATE_VIRTUAL_ADDRESS,
						     0, 0))),
			HV_STATUS_INVALID_PARAMETER);
}

static struct kunit_case mshv_sim_translate_test_cases[] = {
	KUNIT_CASE(mshv_sim_test_translate_4level),
	KUNIT_CASE(mshv_sim_test_translate_5level),
	KUNIT_CASE(mshv_sim_test_translate_access),
	KUNIT_CASE(mshv_sim_test_translate_slat),
	KUNIT_CASE(mshv_sim_test_translate_set_bits),
	KUNIT_CASE(mshv_sim_test_translate_legacy),
	KUNIT_CASE(mshv_sim_test_translate_invalid),
	{}
};

static struct kunit_suite mshv_sim_translate_test_suite = {
	.name = "mshv_sim_translate",
	.init = mshv_sim_test_init,
	.exit = mshv_sim_test_exit,
	.test_cases = mshv_sim_translate_test_cases,
};

/* ---- CPUID results and values -------------------------------------------- */

/* Register a CPUID result for @vp of @leaf (and @subleaf if specific). */
static u64 test_cpuid_result(struct kunit *test, u64 id, u32 vp, u32 leaf,
			     bool specific, u32 subleaf, unsigned int reg,
			     u32 mask, u32 value)
{
	struct hv_input_register_intercept_result *in = test_ctx(test)->in;
	u32 *res = &in->parameters.cpuid.result.eax;

	memset(in, 0, sizeof(*in));
	in->partition_id = id;
	in->vp_index = vp;
	in->intercept_type = HV_INTERCEPT_TYPE_X64_CPUID;
	in->parameters.cpuid.input.eax = leaf;
	in->parameters.cpuid.input.ecx = subleaf;
	in->parameters.cpuid.input.subleaf_specific = specific;
	res[2 * reg] = value;
	res[2 * reg + 1] = mask;
	return test_call(test, TEST_CTL(HVCALL_REGISTER_INTERCEPT_RESULT, 0, 0));
}

/* Register @reg (0 EAX .. 3 EDX) of leaf/subleaf on @vp, as reported. */
static u32 test_cpuid_value(struct kunit *test, u64 id, u32 vp, u32 leaf,
			    u32 subleaf, bool registered, unsigned int reg)
{
	struct hv_input_get_vp_cpuid_values *in = test_ctx(test)->in;
	struct hv_output_get_vp_cpuid_values *out = test_ctx(test)->out;
	u64 ret;

	memset(in, 0, sizeof(*in) + sizeof(in->cpuid_leaf_info[0]));
	in->partition_id = id;
	in->vp_index = vp;
	in->flags = registered ?
		    HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES : 0;
	in->cpuid_leaf_info[0].eax = leaf;
	in->cpuid_leaf_info[0].ecx = subleaf;
	ret = test_call(test, TEST_CTL(HVCALL_GET_VP_CPUID_VALUES, 1, 0));
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv_repcomp(ret), 1);
	return reg == 0 ? out->eax : reg == 1 ? out->ebx :
	       reg == 2 ? out->ecx : out->edx;
}

#define TEST_HV_LEAF	0x40000000
#define TEST_EBX	1
#define TEST_ECX	2

/*
 * Results for any VP apply before those for one VP, whole-leaf ones
 * before subleaf ones; a new result for the same VP and leaf replaces
 * the old one; the table of results for any VP holds
 * MSHV_SIM_MAX_CPUID_RESULTS.
 */
static void mshv_sim_test_cpuid_results(struct kunit *test)
{
	struct test_guest g;
	u32 base, i;
	u64 ret;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	test_add_vp(test, &g, 1);
	base = test_cpuid_value(test, g.id, 0, TEST_HV_LEAF, 0, false,
				TEST_EBX);
	KUNIT_EXPECT_EQ(test, base, 0x7263694d);	/* "Micr" */

	ret = test_cpuid_result(test, g.id, HV_ANY_VP, TEST_HV_LEAF, false, 0,
				TEST_EBX, 0xff, 0x11);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	ret = test_cpuid_result(test, g.id, 1, TEST_HV_LEAF, false, 0,
				TEST_EBX, 0xff, 0x22);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	ret = test_cpuid_result(test, g.id, HV_ANY_VP, TEST_HV_LEAF, false, 0,
				TEST_EBX, 0xf0ff, 0x3033);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 0, TEST_HV_LEAF, 0,
					       true, TEST_EBX),
			(base & ~0xf0ffU) | 0x3033);
	/* VP 1's own result wins over the any-VP one in its bits. */
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 1, TEST_HV_LEAF, 0,
					       true, TEST_EBX),
			(base & ~0xf0ffU) | 0x3022);
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 1, TEST_HV_LEAF, 0,
					       false, TEST_EBX), base);

	/* A subleaf result: only for its subleaf, over the leaf's result. */
	ret = test_cpuid_result(test, g.id, HV_ANY_VP, 7, true, 1, TEST_ECX,
				0xf, 5);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	ret = test_cpuid_result(test, g.id, HV_ANY_VP, 7, false, 0, TEST_ECX,
				0xf, 9);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 0, 7, 1, true,
					       TEST_ECX) & 0xf, 5);
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 0, 7, 0, true,
					       TEST_ECX),
			BIT(16) | 9);	/* LA57, then the leaf's result */

	/* Three results for any VP so far; fill their table, then one more. */
	for (i = 3; i < MSHV_SIM_MAX_CPUID_RESULTS; i++)
		KUNIT_ASSERT_EQ(test,
				hv_result(test_cpuid_result(test, g.id,
							    HV_ANY_VP,
							    0x80000100 + i,
							    false, 0, TEST_EBX,
							    1, 1)),
				HV_STATUS_SUCCESS);
	ret = test_cpuid_result(test, g.id, HV_ANY_VP, 0x80000200, false, 0,
				TEST_EBX, 1, 1);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INSUFFICIENT_BUFFERS);
	/* Replacing one still works. */
	ret = test_cpuid_result(test, g.id, HV_ANY_VP, TEST_HV_LEAF, false, 0,
				TEST_EBX, 0, 0);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
}

#define TEST_SIEF_GPA	0x3000

/*
 * The enlightenments follow the synthetic processor features: CPUID leaf
 * 0x40000001 says Hv#1 and leaf 0x40000003 the privileges granted; the
 * guest reads SVERSION and its VP index; SIEFP enabled at a GPA overlays
 * guest memory there with the SIEF page HvSignalEventDirect writes.
 * Without the features the synthetic MSRs are unimplemented ones.
 */
static void mshv_sim_test_guest_synic(struct kunit *test)
{
	static const u8 prog[] = {
		0x66, 0xa1, 0x00, 0x30,		/* mov eax, [TEST_SIEF_GPA] */
		0x66, 0xa3, 0x04, 0x05,		/* mov [TEST_SCRATCH], eax */
		0xe6, 0x80,			/* out 0x80, al */
	};
	struct hv_input_signal_event_direct *in;
	struct test_guest g, h;

	test_guest_init_synthetic(test, &g, TEST_CREATION_FLAGS,
				  HV_SYNTHETIC_PROC_FEATURE_HYPERVISOR_PRESENT |
				  HV_SYNTHETIC_PROC_FEATURE_HV1 |
				  HV_SYNTHETIC_PROC_FEATURE_ACCESS_SYNIC_REGS |
				  HV_SYNTHETIC_PROC_FEATURE_ACCESS_VP_INDEX |
				  HV_SYNTHETIC_PROC_FEATURE_DIRECT_SYNTHETIC_TIMERS);
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 0, 0x40000001, 0,
					       false, 0), 0x31237648);
	/* SynIC (bit 2) and VP index (bit 6) privileges; direct timers */
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 0, 0x40000003, 0,
					       false, 0), 0x44);
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 0, 0x40000003, 0,
					       false, 3), BIT(19));

	test_rdmsr_prog(&g, HV_X64_MSR_SVERSION);
	KUNIT_EXPECT_EQ(test, test_run_rdmsr(test, &g), 1);
	test_rdmsr_prog(&g, HV_X64_MSR_VP_INDEX);
	KUNIT_EXPECT_EQ(test, test_run_rdmsr(test, &g), 0);

	/* Event flag 3 of SINT0, seen through the SIEF page at 0x3000. */
	test_set_reg64(test, &g, HV_REGISTER_SIEFP, TEST_SIEF_GPA | 1);
	in = test_ctx(test)->in;
	memset(in, 0, sizeof(*in));
	in->target_partition = g.id;
	in->flag_number = 3;
	test_expect_status(test,
			   test_call(test,
				     TEST_CTL(HVCALL_SIGNAL_EVENT_DIRECT, 0, 0)),
			   HV_STATUS_SUCCESS);
	/* The program stores EAX only: the low half of what it read. */
	test_poke(&g, TEST_CODE, prog, sizeof(prog));
	KUNIT_EXPECT_EQ(test, (u32)test_run_rdmsr(test, &g), BIT(3));
	/* The RAM beneath is not the SIEF page. */
	KUNIT_EXPECT_EQ(test, test_peek64(&g, TEST_SIEF_GPA), 0);
	/* Disabled, the GPA is RAM again. */
	test_set_reg64(test, &g, HV_REGISTER_SIEFP, TEST_SIEF_GPA);
	KUNIT_EXPECT_EQ(test, (u32)test_run_rdmsr(test, &g), 0);

	/* No features: leaf 0x40000003 is empty, SVERSION unimplemented. */
	test_guest_init(test, &h, TEST_CREATION_FLAGS);
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, h.id, 0, 0x40000003, 0,
					       false, 0), 0);
	test_expect_status(test,
			   test_set_prop(test, h.id,
					 HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION,
					 HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO),
			   HV_STATUS_SUCCESS);
	test_rdmsr_prog(&h, HV_X64_MSR_SVERSION);
	KUNIT_EXPECT_EQ(test, test_run_rdmsr(test, &h), 0);
}

#define TEST_CPUID_VPS		8
#define TEST_CPUID_PER_VP	86	/* what QEMU 11 registers */

/*
 * Results are kept per VP: each of TEST_CPUID_VPS VPs takes the 86
 * results QEMU registers for a VP, and sees its own; a VP's table holds
 * MSHV_SIM_MAX_CPUID_RESULTS, and a full one leaves the others alone.
 */
static void mshv_sim_test_cpuid_results_per_vp(struct kunit *test)
{
	struct test_guest g;
	u32 vp, i;
	u64 ret;

	test_guest_init(test, &g, TEST_CREATION_FLAGS);
	for (vp = 1; vp < TEST_CPUID_VPS; vp++)
		test_add_vp(test, &g, vp);
	for (vp = 0; vp < TEST_CPUID_VPS; vp++)
		for (i = 0; i < TEST_CPUID_PER_VP; i++)
			KUNIT_ASSERT_EQ(test,
					hv_result(test_cpuid_result(test, g.id,
								    vp, 0xd,
								    true, i,
								    TEST_EBX,
								    ~0U,
								    vp << 8 | i)),
					HV_STATUS_SUCCESS);
	for (vp = 0; vp < TEST_CPUID_VPS; vp++) {
		KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, vp, 0xd, 0,
						       true, TEST_EBX),
				vp << 8);
		KUNIT_EXPECT_EQ(test,
				test_cpuid_value(test, g.id, vp, 0xd,
						 TEST_CPUID_PER_VP - 1, true,
						 TEST_EBX),
				vp << 8 | (TEST_CPUID_PER_VP - 1));
	}

	/* Fill VP 0's table: one more is refused there, not on VP 1. */
	for (i = TEST_CPUID_PER_VP; i < MSHV_SIM_MAX_CPUID_RESULTS; i++)
		KUNIT_ASSERT_EQ(test,
				hv_result(test_cpuid_result(test, g.id, 0,
							    0x80000100 + i,
							    false, 0, TEST_EBX,
							    1, 1)),
				HV_STATUS_SUCCESS);
	ret = test_cpuid_result(test, g.id, 0, 0x80000400, false, 0, TEST_EBX,
				1, 1);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_INSUFFICIENT_BUFFERS);
	ret = test_cpuid_result(test, g.id, 1, 0x80000400, false, 0, TEST_EBX,
				1, 1);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	/* Replacing one of a full table still works. */
	ret = test_cpuid_result(test, g.id, 0, 0xd, true, 0, TEST_EBX, ~0U, 7);
	KUNIT_EXPECT_EQ(test, hv_result(ret), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 0, 0xd, 0, true,
					       TEST_EBX), 7);
}

/*
 * The processor features follow the creation properties: a partition
 * without 1 GiB pages has no CPUID bit for them, and its translations
 * take a 1 GiB entry for a reserved-bit error.
 */
static void mshv_sim_test_cpuid_features(struct kunit *test)
{
	struct hv_output_create_partition *out = test_ctx(test)->out;
	struct hv_input_create_partition *in = test_ctx(test)->in;
	u64 pfns[TEST_GUEST_PAGES], gpa_page;
	struct test_guest g;
	unsigned int i;

	test_translate_guest(test, &g);
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 0, 0x80000001, 0,
					       false, 3) & BIT(26),
			BIT(26));
	/* LAHF/SAHF in 64-bit mode, from bank 0 too. */
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 0, 0x80000001, 0,
					       false, TEST_ECX) & BIT(0),
			BIT(0));
	KUNIT_EXPECT_EQ(test, test_translate(test, &g, SZ_1G + TR_DATA, 0,
					     &gpa_page),
			HV_TRANSLATE_GVA_SUCCESS);

	/* The same guest memory in a partition created without them. */
	for (i = 0; i < TEST_GUEST_PAGES; i++)
		pfns[i] = page_to_pfn(virt_to_page(g.mem[i]));
	memset(in, 0, sizeof(*in));
	in->flags = TEST_CREATION_FLAGS;
	in->compatibility_version = HV_COMPATIBILITY_21_H2;
	in->partition_creation_properties.disabled_processor_features[0] =
		HV_X64_PROC_FEATURE0_PAGE_1GB | HV_X64_PROC_FEATURE0_LAHF_SAHF;
	KUNIT_ASSERT_EQ(test,
			hv_result(test_call(test,
					    TEST_CTL(HVCALL_CREATE_PARTITION,
						     0, 0))),
			HV_STATUS_SUCCESS);
	g.id = out->partition_id;
	test_deposit(test, g.id, 8, NULL);
	KUNIT_ASSERT_EQ(test,
			hv_result(test_fast(test, HVCALL_INITIALIZE_PARTITION,
					    g.id)),
			HV_STATUS_SUCCESS);
	test_map_ok(test, g.id, 0, TEST_RW | HV_MAP_GPA_EXECUTABLE, pfns,
		    TEST_GUEST_PAGES);
	test_add_vp(test, &g, 0);
	test_paging_regs(test, &g, TR_CR0_PG_WP, TEST_PML4,
			 MSHV_SIM_X86_CR4_PAE, TR_EFER_LONG);
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 0, 0x80000001, 0,
					       false, 3) & BIT(26), 0);
	KUNIT_EXPECT_EQ(test, test_cpuid_value(test, g.id, 0, 0x80000001, 0,
					       false, TEST_ECX) & BIT(0), 0);
	test_expect_result(test, &g, SZ_1G + TR_DATA, 0,
			   HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS);
	test_expect_gpa(test, &g, SZ_2M + TR_DATA, 0, TR_DATA >> 12);
}

static struct kunit_case mshv_sim_cpuid_test_cases[] = {
	KUNIT_CASE(mshv_sim_test_cpuid_results),
	KUNIT_CASE(mshv_sim_test_guest_synic),
	KUNIT_CASE(mshv_sim_test_cpuid_results_per_vp),
	KUNIT_CASE(mshv_sim_test_cpuid_features),
	{}
};

static struct kunit_suite mshv_sim_cpuid_test_suite = {
	.name = "mshv_sim_cpuid",
	.init = mshv_sim_test_init,
	.exit = mshv_sim_test_exit,
	.test_cases = mshv_sim_cpuid_test_cases,
};

/* ---- The root partition's shared hypercall helpers ------------------------ */

/*
 * The "hv_proc" suite runs the helpers of <hyperv/hv_proc.h>, which the
 * root partition's bring-up and /dev/mshv share, against the test's
 * private simulator: a static stub sends the hypercalls of the test's task
 * to it instead of to the registered simulator. That redirect point is
 * reached only while the simulator is registered with the seam, so without
 * it the suite is skipped.
 */
static u64 test_seam_hypercall(u64 control, u64 input, u64 output)
{
	struct kunit *test = kunit_get_current_test();

	return mshv_sim_hypercall(test_ctx(test)->sim, control, input, output);
}

static int hv_proc_test_init(struct kunit *test)
{
	int ret;

	if (!hv_seam_simulated())
		kunit_skip(test, "the hypervisor simulator is not loaded");
	ret = mshv_sim_test_init(test);
	if (ret)
		return ret;
	return hv_seam_kunit_fake(test, test_seam_hypercall, NULL);
}

/*
 * Bring up three more processors the way the root partition does at boot:
 * add each logical processor, then create the root's VP on it, feeding the
 * root pool whenever the hypervisor runs short.
 */
static void hv_proc_test_bring_up(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_stats stats;
	u32 cpu;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_LP_PAGES, 3);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_VP_PAGES, 5);
	for (cpu = 1; cpu <= 3; cpu++)
		KUNIT_ASSERT_EQ(test, hv_call_add_logical_proc(NUMA_NO_NODE, cpu,
							       0x10 + cpu), 0);
	for (cpu = 1; cpu <= 3; cpu++)
		KUNIT_ASSERT_EQ(test, hv_call_create_vp(NUMA_NO_NODE,
							HV_PARTITION_ID_SELF,
							cpu, cpu), 0);

	mshv_sim_get_stats(sim, &stats);
	KUNIT_EXPECT_EQ(test, stats.lps, 4);
	KUNIT_EXPECT_EQ(test, stats.root_vps, 4);
	KUNIT_EXPECT_EQ(test, stats.root_pool_in_use, 3 * 3 + 3 * 5);
	/* Deposits of HV_RETRY_DEPOSIT_PAGES, only when short: 24 pages. */
	KUNIT_EXPECT_EQ(test, stats.root_pool_pages, 3 * HV_RETRY_DEPOSIT_PAGES);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_DEPOSIT_MEMORY),
			3);
	KUNIT_EXPECT_EQ(test,
			mshv_sim_call_count(sim, HVCALL_ADD_LOGICAL_PROCESSOR),
			3 + 2);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_CREATE_VP),
			3 + 1);
}

/* Bad requests fail with an errno and cost no memory. */
static void hv_proc_test_bring_up_errors(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_stats stats;

	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_LP_PAGES, 0);
	mshv_sim_set_knob(sim, MSHV_SIM_KNOB_VP_PAGES, 0);
	KUNIT_EXPECT_EQ(test, hv_call_add_logical_proc(NUMA_NO_NODE, 0, 5),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hv_call_add_logical_proc(NUMA_NO_NODE,
						       MSHV_SIM_MAX_LPS, 5),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hv_call_create_vp(NUMA_NO_NODE,
						HV_PARTITION_ID_SELF, 2, 2),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hv_call_create_vp(NUMA_NO_NODE,
						HV_PARTITION_ID_SELF, 0, 0),
			-EBADFD);

	mshv_sim_get_stats(sim, &stats);
	KUNIT_EXPECT_EQ(test, stats.lps, 1);
	KUNIT_EXPECT_EQ(test, stats.root_vps, 1);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_DEPOSIT_MEMORY),
			0);
}

/*
 * A deposit larger than one input page holds goes in full batches into the
 * child's pool, and withdrawing gives every page back.
 */
static void hv_proc_test_deposit_withdraw(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_pt_info info;
	struct mshv_sim_stats stats;
	u64 id = test_new_partition(test);
	u64 calls = mshv_sim_call_count(sim, HVCALL_DEPOSIT_MEMORY);

	KUNIT_ASSERT_EQ(test, hv_call_deposit_pages(NUMA_NO_NODE, id,
						    HV_DEPOSIT_MAX_PAGES + 89),
			0);
	KUNIT_ASSERT_EQ(test, mshv_sim_get_partition_info(sim, id, &info), 0);
	KUNIT_EXPECT_EQ(test, info.pool_pages, HV_DEPOSIT_MAX_PAGES + 89);
	KUNIT_EXPECT_EQ(test, mshv_sim_call_count(sim, HVCALL_DEPOSIT_MEMORY),
			calls + 2);

	KUNIT_EXPECT_EQ(test, hv_call_withdraw_all(id), 0);
	KUNIT_ASSERT_EQ(test, mshv_sim_get_partition_info(sim, id, &info), 0);
	KUNIT_EXPECT_EQ(test, info.pool_pages, 0);
	mshv_sim_get_stats(sim, &stats);
	KUNIT_EXPECT_EQ(test, stats.deposited_pages, 0);
	/* The partition was never initialized: nothing of it is in use. */
	KUNIT_EXPECT_EQ(test, hv_call_withdraw_all(id), 0);
}

/* A failing deposit returns the errno of the hypervisor's status. */
static void hv_proc_test_deposit_error(struct kunit *test)
{
	struct mshv_sim *sim = test_ctx(test)->sim;
	struct mshv_sim_stats stats;

	KUNIT_EXPECT_EQ(test, hv_call_deposit_pages(NUMA_NO_NODE,
						    TEST_BAD_ID, 10),
			-EINVAL);
	mshv_sim_get_stats(sim, &stats);
	KUNIT_EXPECT_EQ(test, stats.deposited_pages, 0);
	KUNIT_EXPECT_EQ(test, stats.root_pool_pages, 0);
}

static struct kunit_case hv_proc_test_cases[] = {
	KUNIT_CASE(hv_proc_test_bring_up),
	KUNIT_CASE(hv_proc_test_bring_up_errors),
	KUNIT_CASE(hv_proc_test_deposit_withdraw),
	KUNIT_CASE(hv_proc_test_deposit_error),
	{}
};

static struct kunit_suite hv_proc_test_suite = {
	.name = "hv_proc",
	.init = hv_proc_test_init,
	.exit = mshv_sim_test_exit,
	.test_cases = hv_proc_test_cases,
};

kunit_test_suites(&mshv_sim_test_suite, &mshv_sim_synic_test_suite,
		  &mshv_sim_lapic_test_suite, &hv_proc_test_suite,
		  &mshv_sim_translate_test_suite, &mshv_sim_cpuid_test_suite);

MODULE_DESCRIPTION("KUnit tests of the mshv_sim Hyper-V simulator");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
