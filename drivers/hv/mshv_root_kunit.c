// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the /dev/mshv hypercall layer (mshv_root_hv_call.c).
 *
 * The "mshv_hvcall" suite checks pure encodings. The "mshv_hvcall_fake"
 * suite replaces the hypervisor with a small fake for the test's task only,
 * through the static stub in hv_sim_hypercall(); that redirect point is
 * reached only while the simulator (mshv_sim) is registered, so without it
 * these tests are skipped. The fake keeps the pages deposited into it, and
 * gives them back on withdrawal; whatever it still holds when a test ends
 * is freed then.
 */
#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <hyperv/hv_seam.h>
#include <hyperv/hvhdk.h>

#include "mshv_root.h"

/* ---- Encodings ---------------------------------------------------------- */

struct mshv_control_case {
	const char *desc;
	u16 code;
	u16 rep_count;
	u16 varhead_size;
	u16 rep_start;
	u64 expected;
};

/* Expected values are spelled out so they do not depend on the masks. */
static const struct mshv_control_case mshv_control_cases[] = {
	{ "all zero", 0, 0, 0, 0, 0 },
	{ "code only", HVCALL_CREATE_PARTITION, 0, 0, 0, 0x0040 },
	{ "largest code", 0xffff, 0, 0, 0, 0xffff },
	{ "variable header", 0x00e3, 0, 3, 0, 0x00000000000600e3ULL },
	{ "largest variable header", 0, 0, 0x3ff, 0, 0x0000000007fe0000ULL },
	{ "rep count", HVCALL_DEPOSIT_MEMORY, 511, 0, 0,
	  0x000001ff00000048ULL },
	{ "rep start", HVCALL_WITHDRAW_MEMORY, 512, 0, 100,
	  0x0064020000000049ULL },
	{ "largest rep count and start", 0, 0xfff, 0, 0xfff,
	  0x0fff0fff00000000ULL },
	{ "every field", 0xffff, 0xfff, 0x3ff, 0xfff, 0x0fff0fff07feffffULL },
};

static void mshv_control_desc(const struct mshv_control_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mshv_control, mshv_control_cases, mshv_control_desc);

static void mshv_test_hvcall_control(struct kunit *test)
{
	const struct mshv_control_case *c = test->param_value;
	u64 control;

	control = mshv_hvcall_control(c->code, c->rep_count, c->varhead_size,
				      c->rep_start);

	KUNIT_EXPECT_EQ(test, control, c->expected);
	KUNIT_EXPECT_EQ(test, lower_16_bits(control), c->code);
	KUNIT_EXPECT_EQ(test, FIELD_GET(HV_HYPERCALL_VARHEAD_MASK, control),
			c->varhead_size);
	KUNIT_EXPECT_EQ(test, FIELD_GET(HV_HYPERCALL_REP_COMP_MASK, control),
			c->rep_count);
	KUNIT_EXPECT_EQ(test, FIELD_GET(HV_HYPERCALL_REP_START_MASK, control),
			c->rep_start);
	/* Never a fast or nested call, never a reserved bit. */
	KUNIT_EXPECT_EQ(test, control & (HV_HYPERCALL_FAST_BIT |
					 HV_HYPERCALL_RSVD_MASK), 0ULL);
}

struct mshv_errno_case {
	const char *name;
	u64 status;
	int err;
};

#define STATUS_CASE(status, err) { #status, HV_STATUS_##status, err }

static const struct mshv_errno_case mshv_errno_cases[] = {
	STATUS_CASE(SUCCESS, 0),
	STATUS_CASE(INSUFFICIENT_MEMORY, -ENOMEM),
	STATUS_CASE(INSUFFICIENT_BUFFERS, -ENOMEM),
	STATUS_CASE(NO_RESOURCES, -ENOMEM),
	STATUS_CASE(ACCESS_DENIED, -EACCES),
	STATUS_CASE(OPERATION_DENIED, -EACCES),
	STATUS_CASE(INVALID_PARTITION_STATE, -EBADFD),
	STATUS_CASE(INVALID_VP_STATE, -EBADFD),
	STATUS_CASE(INVALID_PARAMETER, -EINVAL),
	STATUS_CASE(INVALID_HYPERCALL_INPUT, -EINVAL),
	STATUS_CASE(INVALID_ALIGNMENT, -EINVAL),
	STATUS_CASE(UNKNOWN_PROPERTY, -EINVAL),
	STATUS_CASE(PROPERTY_VALUE_OUT_OF_RANGE, -EINVAL),
	STATUS_CASE(INVALID_PARTITION_ID, -EINVAL),
	STATUS_CASE(INVALID_VP_INDEX, -EINVAL),
	STATUS_CASE(INVALID_REGISTER_VALUE, -EINVAL),
	STATUS_CASE(INVALID_HYPERCALL_CODE, -EOPNOTSUPP),
	STATUS_CASE(NOT_FOUND, -ENOENT),
	STATUS_CASE(TIME_OUT, -ETIMEDOUT),
	STATUS_CASE(INVALID_PORT_ID, -EIO),
	STATUS_CASE(OPERATION_FAILED, -EIO),
	STATUS_CASE(CALL_PENDING, -EIO),
	{ "undefined status", 0xfffe, -EIO },
	/* Only the status field counts, not the rep count above it. */
	{ "ACCESS_DENIED after 5 reps",
	  HV_STATUS_ACCESS_DENIED |
	  FIELD_PREP_CONST(HV_HYPERCALL_REP_COMP_MASK, 5),
	  -EACCES },
	{ "SUCCESS after 4095 reps",
	  FIELD_PREP_CONST(HV_HYPERCALL_REP_COMP_MASK, 0xfff), 0 },
};

static void mshv_errno_desc(const struct mshv_errno_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mshv_errno, mshv_errno_cases, mshv_errno_desc);

static void mshv_test_status_to_errno(struct kunit *test)
{
	const struct mshv_errno_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, mshv_hvcall_status_to_errno(c->status), c->err);
}

static struct kunit_case mshv_hvcall_cases[] = {
	KUNIT_CASE_PARAM(mshv_test_hvcall_control, mshv_control_gen_params),
	KUNIT_CASE_PARAM(mshv_test_status_to_errno, mshv_errno_gen_params),
	{}
};

static struct kunit_suite mshv_hvcall_suite = {
	.name = "mshv_hvcall",
	.test_cases = mshv_hvcall_cases,
};

/* ---- A fake hypervisor ------------------------------------------------- */

/* Not a real hypercall: a rep call the fake completes without side effect. */
#define FAKE_REP_CODE		0x7fff
#define FAKE_PROPERTY		HV_PARTITION_PROPERTY_PROCESSOR_CLOCK_FREQUENCY
#define FAKE_MAX_LOG		64
#define FAKE_POOL_PAGES		2048

/**
 * struct fake_call - one hypercall seen by the fake
 * @code: hypercall code
 * @control: the whole control word
 * @partition_id: first input u64 (memory call) or first operand (fast call)
 */
struct fake_call {
	u16 code;
	u64 control;
	u64 partition_id;
};

/**
 * struct fake_hv - state of the fake hypervisor of one test
 * @max_reps: most reps completed per rep hypercall, 0 for no limit
 * @stall_at: from this rep index on, rep calls succeed without progress
 *	(0: never)
 * @fail_status: status a rep call fails with on reaching rep @fail_at
 *	(0: never)
 * @fail_at: see @fail_status
 * @nomem_code: hypercall answered with HV_STATUS_INSUFFICIENT_MEMORY ...
 * @nomem_left: ... this many more times
 * @init_status: status of HvInitializePartition once it has memory
 * @new_partition_id: id HvCreatePartition returns
 * @property_value: value of FAKE_PROPERTY, the only property known
 * @log: the first FAKE_MAX_LOG hypercalls
 * @nr_calls: number of hypercalls seen
 * @input_copy: the input page of the last create/get/set call
 * @pool: PFNs of the pages deposited and not withdrawn
 * @pool_len: number of entries in @pool
 */
struct fake_hv {
	unsigned int max_reps;
	unsigned int stall_at;
	u16 fail_status;
	unsigned int fail_at;
	u16 nomem_code;
	unsigned int nomem_left;
	u16 init_status;
	u64 new_partition_id;
	u64 property_value;

	struct fake_call log[FAKE_MAX_LOG];
	unsigned int nr_calls;
	u8 *input_copy;
	u64 *pool;
	unsigned int pool_len;
};

static u64 fake_result(u16 status, unsigned int reps)
{
	return status | FIELD_PREP(HV_HYPERCALL_REP_COMP_MASK, reps);
}

static void fake_log(struct fake_hv *hv, u64 control, u64 input)
{
	struct fake_call *call;

	if (hv->nr_calls < FAKE_MAX_LOG) {
		call = &hv->log[hv->nr_calls];
		call->code = lower_16_bits(control);
		call->control = control;
		if (control & HV_HYPERCALL_FAST_BIT)
			call->partition_id = input;
		else if (input)
			call->partition_id = *(u64 *)phys_to_virt(input);
	}
	hv->nr_calls++;
}

static u16 fake_deposit_rep(struct fake_hv *hv, u64 input, u64 output,
			    unsigned int i)
{
	struct hv_deposit_memory *in = phys_to_virt(input);

	if (hv->pool_len == FAKE_POOL_PAGES)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	hv->pool[hv->pool_len++] = in->gpa_page_list[i];
	return HV_STATUS_SUCCESS;
}

static u16 fake_withdraw_rep(struct fake_hv *hv, u64 input, u64 output,
			     unsigned int i)
{
	u64 *pfns = phys_to_virt(output);

	if (!hv->pool_len)
		return HV_STATUS_NO_RESOURCES;
	pfns[i] = hv->pool[--hv->pool_len];
	return HV_STATUS_SUCCESS;
}

/* Execute the reps this call gets to do, as the TLFS describes. */
static u64 fake_rep_call(struct fake_hv *hv, u64 control, u64 input,
			 u64 output,
			 u16 (*rep)(struct fake_hv *hv, u64 input, u64 output,
				    unsigned int i))
{
	unsigned int start = FIELD_GET(HV_HYPERCALL_REP_START_MASK, control);
	unsigned int end = FIELD_GET(HV_HYPERCALL_REP_COMP_MASK, control);
	unsigned int i;
	u16 status;

	if (hv->max_reps)
		end = min(end, start + hv->max_reps);
	if (hv->stall_at && start >= hv->stall_at)
		end = start;

	for (i = start; i < end; i++) {
		if (hv->fail_status && i == hv->fail_at)
			return fake_result(hv->fail_status, i);
		status = rep ? rep(hv, input, output, i) : HV_STATUS_SUCCESS;
		if (status != HV_STATUS_SUCCESS)
			return fake_result(status, i);
	}
	return fake_result(HV_STATUS_SUCCESS, end);
}

static u64 fake_create_partition(struct fake_hv *hv, u64 input, u64 output)
{
	struct hv_output_create_partition *out = phys_to_virt(output);

	memcpy(hv->input_copy, phys_to_virt(input), HV_HYP_PAGE_SIZE);
	out->partition_id = hv->new_partition_id;
	return HV_STATUS_SUCCESS;
}

static u64 fake_get_property(struct fake_hv *hv, u64 input, u64 output)
{
	struct hv_input_get_partition_property *in = phys_to_virt(input);
	struct hv_output_get_partition_property *out;

	memcpy(hv->input_copy, in, HV_HYP_PAGE_SIZE);
	if (in->property_code != FAKE_PROPERTY)
		return HV_STATUS_UNKNOWN_PROPERTY;
	if (!output)
		return HV_STATUS_INVALID_PARAMETER;
	out = phys_to_virt(output);
	out->property_value = hv->property_value;
	return HV_STATUS_SUCCESS;
}

static u64 fake_set_property(struct fake_hv *hv, u64 input)
{
	struct hv_input_set_partition_property *in = phys_to_virt(input);

	memcpy(hv->input_copy, in, HV_HYP_PAGE_SIZE);
	if (in->property_code != FAKE_PROPERTY)
		return HV_STATUS_UNKNOWN_PROPERTY;
	hv->property_value = in->property_value;
	return HV_STATUS_SUCCESS;
}

/* Stands in for hv_sim_hypercall() in the task running the test. */
static u64 fake_hypercall(u64 control, u64 input, u64 output)
{
	struct kunit *test = kunit_get_current_test();
	struct fake_hv *hv = test->priv;
	u16 code = lower_16_bits(control);

	fake_log(hv, control, input);

	if (code == hv->nomem_code && hv->nomem_left) {
		hv->nomem_left--;
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}

	switch (code) {
	case FAKE_REP_CODE:
		return fake_rep_call(hv, control, input, output, NULL);
	case HVCALL_DEPOSIT_MEMORY:
		return fake_rep_call(hv, control, input, output,
				     fake_deposit_rep);
	case HVCALL_WITHDRAW_MEMORY:
		return fake_rep_call(hv, control, input, output,
				     fake_withdraw_rep);
	case HVCALL_CREATE_PARTITION:
		return fake_create_partition(hv, input, output);
	case HVCALL_INITIALIZE_PARTITION:
		if (!(control & HV_HYPERCALL_FAST_BIT))
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
		return hv->init_status;
	case HVCALL_GET_PARTITION_PROPERTY:
		return fake_get_property(hv, input, output);
	case HVCALL_SET_PARTITION_PROPERTY:
		return fake_set_property(hv, input);
	default:
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	}
}

/* Free the pages deposited into the fake and never withdrawn. */
static void fake_free_pool(void *data)
{
	struct fake_hv *hv = data;

	while (hv->pool_len)
		__free_page(pfn_to_page(hv->pool[--hv->pool_len]));
}

/* Number of logged calls of @code; fails the test if the log overflowed. */
static unsigned int fake_count(struct kunit *test, u16 code)
{
	struct fake_hv *hv = test->priv;
	unsigned int i, n = 0;

	KUNIT_ASSERT_LE(test, hv->nr_calls, FAKE_MAX_LOG);
	for (i = 0; i < hv->nr_calls; i++)
		n += hv->log[i].code == code;
	return n;
}

/* Do all logged calls of @code target @partition_id? */
static bool fake_all_target(struct kunit *test, u16 code, u64 partition_id)
{
	struct fake_hv *hv = test->priv;
	unsigned int i;

	for (i = 0; i < min(hv->nr_calls, FAKE_MAX_LOG); i++)
		if (hv->log[i].code == code &&
		    hv->log[i].partition_id != partition_id)
			return false;
	return true;
}

static int mshv_fake_init(struct kunit *test)
{
	struct fake_hv *hv;

	if (!hv_seam_simulated())
		kunit_skip(test, "the hypervisor simulator is not loaded");

	hv = kunit_kzalloc(test, sizeof(*hv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hv);
	hv->input_copy = kunit_kzalloc(test, HV_HYP_PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hv->input_copy);
	hv->pool = kunit_kcalloc(test, FAKE_POOL_PAGES, sizeof(*hv->pool),
				 GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, hv->pool);
	/* Registered after the pool array, so it runs before that is freed. */
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fake_free_pool,
							hv), 0);

	test->priv = hv;
	kunit_activate_static_stub(test, hv_sim_hypercall, fake_hypercall);
	return 0;
}

/* ---- Rep hypercalls ---------------------------------------------------- */

#define REP_TEST_COUNT	20

struct mshv_rep_case {
	const char *desc;
	unsigned int max_reps;
};

static const struct mshv_rep_case mshv_rep_cases[] = {
	{ "one rep per call", 1 },
	{ "three reps per call", 3 },
	{ "seven reps per call", 7 },
	{ "all reps in one call", REP_TEST_COUNT },
	{ "no limit", 0 },
};

static void mshv_rep_desc(const struct mshv_rep_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mshv_rep, mshv_rep_cases, mshv_rep_desc);

/* Each continuation starts where the previous call stopped. */
static void mshv_test_rep_continues(struct kunit *test)
{
	const struct mshv_rep_case *c = test->param_value;
	unsigned int step = c->max_reps ?: REP_TEST_COUNT;
	struct fake_hv *hv = test->priv;
	unsigned int i;
	u64 status;

	hv->max_reps = c->max_reps;
	status = mshv_hvcall_rep(FAKE_REP_CODE, REP_TEST_COUNT, 2, NULL, NULL);

	KUNIT_EXPECT_EQ(test, hv_result(status), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv_repcomp(status), REP_TEST_COUNT);
	KUNIT_ASSERT_EQ(test, hv->nr_calls,
			DIV_ROUND_UP(REP_TEST_COUNT, step));
	for (i = 0; i < hv->nr_calls; i++) {
		u64 control = hv->log[i].control;

		KUNIT_EXPECT_EQ(test, hv->log[i].code, FAKE_REP_CODE);
		KUNIT_EXPECT_EQ(test,
				FIELD_GET(HV_HYPERCALL_REP_START_MASK, control),
				i * step);
		KUNIT_EXPECT_EQ(test,
				FIELD_GET(HV_HYPERCALL_REP_COMP_MASK, control),
				REP_TEST_COUNT);
		KUNIT_EXPECT_EQ(test,
				FIELD_GET(HV_HYPERCALL_VARHEAD_MASK, control),
				2);
	}
}

/* An error after some reps ends the loop and reports the reps done. */
static void mshv_test_rep_stops_on_error(struct kunit *test)
{
	struct fake_hv *hv = test->priv;
	u64 status;

	hv->max_reps = 4;
	hv->fail_at = 10;
	hv->fail_status = HV_STATUS_ACCESS_DENIED;
	status = mshv_hvcall_rep(FAKE_REP_CODE, REP_TEST_COUNT, 0, NULL, NULL);

	KUNIT_EXPECT_EQ(test, hv_result(status), HV_STATUS_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, hv_repcomp(status), 10);
	KUNIT_EXPECT_EQ(test, hv->nr_calls, 3);
	KUNIT_EXPECT_EQ(test, mshv_hvcall_status_to_errno(status), -EACCES);
}

/* A hypervisor that stops making progress must not hang the caller. */
static void mshv_test_rep_stalled(struct kunit *test)
{
	struct fake_hv *hv = test->priv;
	u64 status;

	hv->max_reps = 5;
	hv->stall_at = 10;
	status = mshv_hvcall_rep(FAKE_REP_CODE, REP_TEST_COUNT, 0, NULL, NULL);

	KUNIT_EXPECT_NE(test, hv_result(status), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv_repcomp(status), 10);
	KUNIT_EXPECT_EQ(test, hv->nr_calls, 3);
}

/* ---- Deposit and withdrawal -------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Large deposits are split into batches that fit one input page. */
static void mshv_test_deposit_batches(struct kunit *test)
{
	struct fake_hv *hv = test->priv;
	unsigned int i, batches = 0;
	u64 *pfns;

	hv->max_reps = 100;
	KUNIT_ASSERT_EQ(test, mshv_hvcall_deposit_pages(42, 1000), 0);

	KUNIT_EXPECT_EQ(test, hv->pool_len, 1000);
	/* 511 + 489 pages, 100 reps per call: 6 + 5 calls. */
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 11);
	KUNIT_EXPECT_TRUE(test, fake_all_target(test, HVCALL_DEPOSIT_MEMORY,
						42));
	for (i = 0; i < hv->nr_calls; i++) {
		u64 control = hv->log[i].control;

		KUNIT_EXPECT_LE(test,
				FIELD_GET(HV_HYPERCALL_REP_COMP_MASK, control),
				HV_DEPOSIT_MAX_PAGES);
		batches += !FIELD_GET(HV_HYPERCALL_REP_START_MASK, control);
	}
	KUNIT_EXPECT_EQ(test, batches, 2);

	/* Every page is real and was given exactly once. */
	pfns = kunit_kmalloc_array(test, hv->pool_len, sizeof(*pfns),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pfns);
	memcpy(pfns, hv->pool, hv->pool_len * sizeof(*pfns));
	sort(pfns, hv->pool_len, sizeof(*pfns), cmp_u64, NULL);
	for (i = 0; i < hv->pool_len; i++) {
		KUNIT_EXPECT_TRUE(test, pfn_valid(pfns[i]));
		if (i)
			KUNIT_EXPECT_NE(test, pfns[i], pfns[i - 1]);
	}
}

/* A deposit failing part-way leaves the taken pages with the hypervisor. */
static void mshv_test_deposit_partial(struct kunit *test)
{
	struct fake_hv *hv = test->priv;

	hv->fail_at = 5;
	hv->fail_status = HV_STATUS_INSUFFICIENT_MEMORY;

	KUNIT_EXPECT_EQ(test, mshv_hvcall_deposit_pages(42, 20), -ENOMEM);
	KUNIT_EXPECT_EQ(test, hv->pool_len, 5);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 1);
}

/* Withdrawal frees batch after batch until the pool runs dry. */
static void mshv_test_withdraw_all(struct kunit *test)
{
	struct fake_hv *hv = test->priv;

	KUNIT_ASSERT_EQ(test, mshv_hvcall_deposit_pages(7, 600), 0);
	KUNIT_ASSERT_EQ(test, hv->pool_len, 600);

	hv->nr_calls = 0;
	hv->max_reps = 200;
	KUNIT_EXPECT_EQ(test, mshv_hvcall_withdraw_all(7), 0);

	KUNIT_EXPECT_EQ(test, hv->pool_len, 0);
	/* 512 pages in three calls, then 88 and HV_STATUS_NO_RESOURCES. */
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_WITHDRAW_MEMORY), 4);
	KUNIT_EXPECT_TRUE(test, fake_all_target(test, HVCALL_WITHDRAW_MEMORY,
						7));
}

/* A real error stops the withdrawal; what came back is still freed. */
static void mshv_test_withdraw_error(struct kunit *test)
{
	struct fake_hv *hv = test->priv;

	KUNIT_ASSERT_EQ(test, mshv_hvcall_deposit_pages(7, 100), 0);

	hv->nr_calls = 0;
	hv->fail_at = 30;
	hv->fail_status = HV_STATUS_ACCESS_DENIED;
	KUNIT_EXPECT_EQ(test, mshv_hvcall_withdraw_all(7), -EACCES);

	KUNIT_EXPECT_EQ(test, hv->pool_len, 70);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_WITHDRAW_MEMORY), 1);
}

/* ---- Deposit and retry ------------------------------------------------- */

/* HvCreatePartition takes its memory from the root's own pool. */
static void mshv_test_create_deposits_self(struct kunit *test)
{
	const u64 flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
			  HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED;
	struct hv_input_create_partition expected = {};
	struct fake_hv *hv = test->priv;
	u64 partition_id = 0;

	hv->new_partition_id = 0x1234;
	hv->nomem_code = HVCALL_CREATE_PARTITION;
	hv->nomem_left = 2;

	KUNIT_ASSERT_EQ(test, mshv_hvcall_create_partition(flags,
							   &partition_id), 0);
	KUNIT_EXPECT_EQ(test, partition_id, 0x1234);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_CREATE_PARTITION), 3);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 2);
	KUNIT_EXPECT_TRUE(test, fake_all_target(test, HVCALL_DEPOSIT_MEMORY,
						HV_PARTITION_ID_SELF));
	KUNIT_EXPECT_EQ(test, hv->pool_len, 2 * MSHV_RETRY_DEPOSIT_PAGES);

	/* Nothing but the flags and the version may be set. */
	expected.flags = flags;
	expected.compatibility_version = HV_COMPATIBILITY_21_H2;
	KUNIT_EXPECT_MEMEQ(test, hv->input_copy, &expected, sizeof(expected));
}

/* Initialization gets the initial deposit, then more while it asks. */
static void mshv_test_initialize_retries(struct kunit *test)
{
	struct fake_hv *hv = test->priv;

	hv->nomem_code = HVCALL_INITIALIZE_PARTITION;
	hv->nomem_left = 3;

	KUNIT_EXPECT_EQ(test, mshv_hvcall_initialize_partition(7), 0);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_INITIALIZE_PARTITION),
			4);
	KUNIT_EXPECT_TRUE(test, fake_all_target(test,
						HVCALL_INITIALIZE_PARTITION,
						7));
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 4);
	KUNIT_EXPECT_TRUE(test, fake_all_target(test, HVCALL_DEPOSIT_MEMORY,
						7));
	KUNIT_EXPECT_EQ(test, hv->pool_len,
			MSHV_INIT_DEPOSIT_PAGES + 3 * MSHV_RETRY_DEPOSIT_PAGES);
}

/* Any other failure is returned at once, without another deposit. */
static void mshv_test_initialize_error(struct kunit *test)
{
	struct fake_hv *hv = test->priv;

	hv->init_status = HV_STATUS_ACCESS_DENIED;

	KUNIT_EXPECT_EQ(test, mshv_hvcall_initialize_partition(7), -EACCES);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_INITIALIZE_PARTITION),
			1);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 1);
	KUNIT_EXPECT_EQ(test, hv->pool_len, MSHV_INIT_DEPOSIT_PAGES);
}

/* ---- Properties and the user-space passthrough ------------------------- */

static void mshv_test_get_property(struct kunit *test)
{
	struct hv_input_get_partition_property expected = {
		.partition_id = 5,
		.property_code = FAKE_PROPERTY,
	};
	struct fake_hv *hv = test->priv;
	u64 value = 0;
	int ret;

	hv->property_value = 2500000000ULL;
	ret = mshv_hvcall_get_partition_property(5, FAKE_PROPERTY, &value);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, value, 2500000000ULL);
	KUNIT_EXPECT_MEMEQ(test, hv->input_copy, &expected, sizeof(expected));

	ret = mshv_hvcall_get_partition_property(5, FAKE_PROPERTY + 1, &value);
	KUNIT_EXPECT_EQ(test, ret, -EINVAL);
	KUNIT_EXPECT_EQ(test, value, 2500000000ULL);
}

static void mshv_test_set_property(struct kunit *test)
{
	struct hv_input_set_partition_property expected = {
		.partition_id = 5,
		.property_code = FAKE_PROPERTY,
		.property_value = 77,
	};
	struct fake_hv *hv = test->priv;
	int ret;

	hv->nomem_code = HVCALL_SET_PARTITION_PROPERTY;
	hv->nomem_left = 1;

	ret = mshv_hvcall_set_partition_property(5, FAKE_PROPERTY, 77);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, hv->property_value, 77);
	KUNIT_EXPECT_MEMEQ(test, hv->input_copy, &expected, sizeof(expected));
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 1);
	KUNIT_EXPECT_TRUE(test, fake_all_target(test, HVCALL_DEPOSIT_MEMORY,
						5));
}

/*
 * Run a passthrough call on one CPU whose hypercall pages were filled with
 * garbage first, so that bytes the driver fails to clear show up.
 */
static int passthru_on_dirty_pages(struct mshv_passthru_call *call)
{
	unsigned long flags;
	int ret;

	migrate_disable();
	local_irq_save(flags);
	memset(hv_seam_input_page(), 0xff, HV_HYP_PAGE_SIZE);
	memset(hv_seam_output_page(), 0xff, HV_HYP_PAGE_SIZE);
	local_irq_restore(flags);
	ret = mshv_hvcall_passthru(call);
	migrate_enable();

	return ret;
}

/*
 * The first input u64 becomes the partition id, the rest of the input page
 * is zero, and output the hypervisor did not write reads as zero.
 */
static void mshv_test_passthru(struct kunit *test)
{
	u8 in[12], out[16], zero[8] = {};
	struct fake_hv *hv = test->priv;
	u32 property = FAKE_PROPERTY;
	u64 garbage = ~0ULL, value = 0x1122334455667788ULL;
	struct mshv_passthru_call call = {
		.partition_id = 9,
		.code = HVCALL_GET_PARTITION_PROPERTY,
		.in_sz = sizeof(in),
		.out_sz = sizeof(out),
		.input = in,
		.output = out,
	};

	memcpy(in, &garbage, sizeof(garbage));
	memcpy(in + 8, &property, sizeof(property));
	memset(out, 0xaa, sizeof(out));
	hv->property_value = value;
	hv->nomem_code = HVCALL_GET_PARTITION_PROPERTY;
	hv->nomem_left = 1;

	KUNIT_EXPECT_EQ(test, passthru_on_dirty_pages(&call), 0);
	KUNIT_EXPECT_EQ(test, hv_result(call.status), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_GET_PARTITION_PROPERTY),
			2);
	KUNIT_EXPECT_TRUE(test, fake_all_target(test,
						HVCALL_GET_PARTITION_PROPERTY,
						9));
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 1);
	KUNIT_EXPECT_TRUE(test, fake_all_target(test, HVCALL_DEPOSIT_MEMORY,
						9));

	KUNIT_EXPECT_MEMEQ(test, hv->input_copy + 8, &property,
			   sizeof(property));
	KUNIT_EXPECT_NULL(test, memchr_inv(hv->input_copy + sizeof(in), 0,
					   HV_HYP_PAGE_SIZE - sizeof(in)));
	KUNIT_EXPECT_MEMEQ(test, out, &value, sizeof(value));
	KUNIT_EXPECT_MEMEQ(test, out + 8, zero, sizeof(zero));
}

/* On failure the status is reported and the output left untouched. */
static void mshv_test_passthru_failure(struct kunit *test)
{
	u8 in[16] = {}, out[8], untouched[8];
	struct mshv_passthru_call call = {
		.partition_id = 9,
		.code = HVCALL_GET_PARTITION_PROPERTY,
		.in_sz = sizeof(in),
		.out_sz = sizeof(out),
		.input = in,
		.output = out,
	};

	memset(out, 0xaa, sizeof(out));
	memset(untouched, 0xaa, sizeof(untouched));

	KUNIT_EXPECT_EQ(test, passthru_on_dirty_pages(&call), -EINVAL);
	KUNIT_EXPECT_EQ(test, hv_result(call.status),
			HV_STATUS_UNKNOWN_PROPERTY);
	KUNIT_EXPECT_MEMEQ(test, out, untouched, sizeof(out));
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 0);
}

static struct kunit_case mshv_hvcall_fake_cases[] = {
	KUNIT_CASE_PARAM(mshv_test_rep_continues, mshv_rep_gen_params),
	KUNIT_CASE(mshv_test_rep_stops_on_error),
	KUNIT_CASE(mshv_test_rep_stalled),
	KUNIT_CASE(mshv_test_deposit_batches),
	KUNIT_CASE(mshv_test_deposit_partial),
	KUNIT_CASE(mshv_test_withdraw_all),
	KUNIT_CASE(mshv_test_withdraw_error),
	KUNIT_CASE(mshv_test_create_deposits_self),
	KUNIT_CASE(mshv_test_initialize_retries),
	KUNIT_CASE(mshv_test_initialize_error),
	KUNIT_CASE(mshv_test_get_property),
	KUNIT_CASE(mshv_test_set_property),
	KUNIT_CASE(mshv_test_passthru),
	KUNIT_CASE(mshv_test_passthru_failure),
	{}
};

static struct kunit_suite mshv_hvcall_fake_suite = {
	.name = "mshv_hvcall_fake",
	.init = mshv_fake_init,
	.test_cases = mshv_hvcall_fake_cases,
};

kunit_test_suites(&mshv_hvcall_suite, &mshv_hvcall_fake_suite);

MODULE_DESCRIPTION("KUnit tests for the /dev/mshv hypercall layer");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
