// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the mshv_sim hypervisor model. Each test case drives a
 * private simulator instance (not the one registered with the hypervisor
 * seam) through mshv_sim_hypercall(), with input and output pages of its
 * own, exactly as the root partition driver would.
 */
#include <kunit/test.h>
#include <linux/bitfield.h>
#include <linux/gfp.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <asm/mshyperv.h>
#include <hyperv/hvhdk.h>

#include "mshv_sim.h"

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
	{ HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES, U64_MAX },
	{ HV_PARTITION_PROPERTY_XSAVE_STATES, U64_MAX },
	{ HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE, 4096 },
	{ HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY, 2500000000ULL },
};

static void test_expect_prop(struct kunit *test, u64 id, u32 code, u64 want)
{
	u64 value;

	KUNIT_ASSERT_EQ(test, hv_result(test_get_prop(test, id, code, &value)),
			HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, value, want);
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
			KUNIT_EXPECT_EQ(test, value, p->value);
	}
	/* The root partition has the same table. */
	test_expect_prop(test, HV_PARTITION_ID_SELF,
			 HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY,
			 2500000000ULL);
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
					 0xdeadbeefULL),
			   HV_STATUS_SUCCESS);
	test_expect_prop(test, a, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
			 0xdeadbeefULL);
	test_expect_prop(test, b, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
			 0);

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

	/* Read-only properties refuse writes and keep their value. */
	KUNIT_ASSERT_EQ(test,
			hv_result(test_get_prop(test, a,
						HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
						&privileges)),
			HV_STATUS_SUCCESS);
	test_expect_status(test,
			   test_set_prop(test, a,
					 HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
					 0),
			   HV_STATUS_ACCESS_DENIED);
	test_expect_prop(test, a, HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
			 privileges);
	test_expect_status(test,
			   test_set_prop(test, a,
					 HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
					 8192),
			   HV_STATUS_ACCESS_DENIED);

	/* Unknown codes, unknown partitions, reserved bits. */
	test_expect_status(test, test_get_prop(test, a, 0x12345, &value),
			   HV_STATUS_UNKNOWN_PROPERTY);
	test_expect_status(test, test_set_prop(test, a, 0x12345, 0),
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

/* Suite */

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
	KUNIT_CASE(mshv_sim_test_fault_oneshot),
	KUNIT_CASE(mshv_sim_test_fault_several),
	KUNIT_CASE(mshv_sim_test_fault_arm_limits),
	KUNIT_CASE(mshv_sim_test_call_counters),
	{}
};

static struct kunit_suite mshv_sim_test_suite = {
	.name = "mshv_sim_partition",
	.init = mshv_sim_test_init,
	.exit = mshv_sim_test_exit,
	.test_cases = mshv_sim_test_cases,
};

kunit_test_suite(mshv_sim_test_suite);

MODULE_DESCRIPTION("KUnit tests of the mshv_sim Hyper-V simulator");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
