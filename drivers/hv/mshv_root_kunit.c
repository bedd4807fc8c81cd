// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the /dev/mshv hypercall layer (mshv_root_hv_call.c) and
 * of the root partition's shared hypercall helpers it uses (hv_proc.c).
 *
 * The "mshv_hvcall" suite checks pure encodings. The "mshv_hvcall_fake"
 * suite replaces the hypervisor with a small fake for the test's task only,
 * through the seam's hv_seam_kunit_fake(); that works only while the
 * simulator (mshv_sim) is registered, so without it these tests are
 * skipped. The fake keeps the pages deposited into it, and
 * gives them back on withdrawal; whatever it still holds when a test ends
 * is freed then.
 */
#include <linux/bitfield.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmap_lock.h>
#include <linux/mmu_context.h>
#include <linux/numa.h>
#include <linux/preempt.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <kunit/test-bug.h>
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

	control = hv_call_control(c->code, c->rep_count, c->varhead_size,
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
	STATUS_CASE(INSUFFICIENT_CONTIGUOUS_MEMORY, -ENOMEM),
	STATUS_CASE(INSUFFICIENT_ROOT_MEMORY, -ENOMEM),
	STATUS_CASE(INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY, -ENOMEM),
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
	STATUS_CASE(INVALID_LP_INDEX, -EINVAL),
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

	KUNIT_EXPECT_EQ(test, hv_status_to_errno(c->status), c->err);
}

/* Status names for the log: the TLFS name, rep bits ignored. */
static void mshv_test_status_name(struct kunit *test)
{
	u64 reps = FIELD_PREP(HV_HYPERCALL_REP_COMP_MASK, 7);

	KUNIT_EXPECT_STREQ(test, hv_status_name(HV_STATUS_SUCCESS),
			   "SUCCESS");
	KUNIT_EXPECT_STREQ(test,
			   hv_status_name(HV_STATUS_INSUFFICIENT_MEMORY |
					  reps),
			   "INSUFFICIENT_MEMORY");
	KUNIT_EXPECT_STREQ(test,
			   hv_status_name(HV_STATUS_INVALID_VP_STATE),
			   "INVALID_VP_STATE");
	KUNIT_EXPECT_STREQ(test,
			   hv_status_name(HV_STATUS_VTL_ALREADY_ENABLED),
			   "VTL_ALREADY_ENABLED");
	/* 1 is not a status; 0xffff is beyond every status. */
	KUNIT_EXPECT_STREQ(test, hv_status_name(1), "UNKNOWN");
	KUNIT_EXPECT_STREQ(test, hv_status_name(0xffff), "UNKNOWN");
}

static struct kunit_case mshv_hvcall_cases[] = {
	KUNIT_CASE_PARAM(mshv_test_hvcall_control, mshv_control_gen_params),
	KUNIT_CASE_PARAM(mshv_test_status_to_errno, mshv_errno_gen_params),
	KUNIT_CASE(mshv_test_status_name),
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
#define FAKE_POOL_PAGES		(HV_MAX_RETRY_DEPOSIT_PAGES + 2048)

/* What the fake's SLAT records of a guest page, besides the frame. */
#define FAKE_GPA_R		BIT(0)
#define FAKE_GPA_W		BIT(1)
#define FAKE_GPA_X		BIT(2)
#define FAKE_GPA_NA		BIT(3)
#define FAKE_GPA_LARGE		BIT(4)
#define FAKE_GPA_BITS		8
#define FAKE_MAP_FLAGS		(HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE | \
				 HV_MAP_GPA_EXECUTABLE | HV_MAP_GPA_ADJUSTABLE | \
				 HV_MAP_GPA_NO_ACCESS | HV_MAP_GPA_LARGE_PAGE)

/**
 * struct fake_call - one hypercall seen by the fake
 * @code: hypercall code
 * @control: the whole control word
 * @partition_id: first input u64 (memory call) or first operand (fast call)
 * @gfn: map and unmap calls: the first guest page frame of the input
 * @flags: map and unmap calls: the map or unmap flags of the input
 */
struct fake_call {
	u16 code;
	u64 control;
	u64 partition_id;
	u64 gfn;
	u32 flags;
};

/**
 * struct fake_hv - state of the fake hypervisor of one test
 * @max_reps: most reps completed per rep hypercall, 0 for no limit
 * @stall_at: from this rep index on, rep calls succeed without progress
 *	(0: never)
 * @no_page: rep calls fail with U64_MAX, as hv_do_hypercall() does without
 *	a hypercall page, without doing anything
 * @fail_status: status a rep call fails with on reaching rep @fail_at
 *	(0: never)
 * @fail_at: see @fail_status
 * @nomem_code: hypercall answered with HV_STATUS_INSUFFICIENT_MEMORY (or
 *	@nomem_status, if set) ...
 * @nomem_left: ... this many more times
 * @nomem_status: the status of those answers, if not 0
 * @init_status: status of HvInitializePartition once it has memory
 * @new_partition_id: id HvCreatePartition returns
 * @property_value: value of FAKE_PROPERTY, the only property known
 * @has_vmm_caps: the fake knows HvGetPartitionPropertyEx
 * @vmm_caps: the VMM capabilities it then reports for the root
 * @async: when set, HvSetPartitionProperty delivers its status as the
 *	completion of this call before it returns, as a completion message
 *	handled on another CPU may, and itself returns @async_return
 * @async_return: HV_STATUS_CALL_PENDING, or another status to model a
 *	stray completion message arriving during a call that completed
 * @async_nomem_left: this many completions first carry
 *	HV_STATUS_INSUFFICIENT_MEMORY, without setting the property
 * @log: the first FAKE_MAX_LOG hypercalls
 * @nr_calls: number of hypercalls seen
 * @input_copy: the input page of the last create/get/set call
 * @pool: PFNs of the pages deposited and not withdrawn
 * @pool_len: number of entries in @pool
 * @slat: guest page frame -> xa_mk_value(frame << FAKE_GPA_BITS | FAKE_GPA_*)
 * @map_reps: HvMapGpaPages reps done
 * @unmap_reps: HvUnmapGpaPages reps done
 * @map_nomem_at: when @map_reps reaches this minus one, one map rep fails
 *	with HV_STATUS_INSUFFICIENT_MEMORY (0: never)
 * @map_fail_at: when @map_reps reaches this minus one, map reps fail
 *	with HV_STATUS_INVALID_PARAMETER (0: never)
 * @dispatch_irqs_off: HvDispatchVp was issued with IRQs disabled
 * @dispatch_preemptible: HvDispatchVp was issued preemptible
 * @dispatch_shared_pages: HvDispatchVp used the CPU's shared hypercall
 *	input or output page
 */
struct fake_hv {
	unsigned int max_reps;
	unsigned int stall_at;
	bool no_page;
	u16 fail_status;
	unsigned int fail_at;
	u16 nomem_code;
	unsigned int nomem_left;
	u16 nomem_status;
	u16 init_status;
	u64 new_partition_id;
	u64 property_value;
	bool has_vmm_caps;
	u64 vmm_caps;
	struct mshv_async_call *async;
	u16 async_return;
	unsigned int async_nomem_left;

	struct fake_call log[FAKE_MAX_LOG];
	unsigned int nr_calls;
	u8 *input_copy;
	u64 *pool;
	unsigned int pool_len;
	struct xarray slat;
	unsigned int map_reps;
	unsigned int unmap_reps;
	unsigned int map_nomem_at;
	unsigned int map_fail_at;
	bool dispatch_irqs_off;
	bool dispatch_preemptible;
	bool dispatch_shared_pages;
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
		if (call->code == HVCALL_MAP_GPA_PAGES ||
		    call->code == HVCALL_UNMAP_GPA_PAGES) {
			struct hv_input_map_gpa_pages *in = phys_to_virt(input);

			call->gfn = in->target_gpa_base;
			call->flags = in->map_flags;
		}
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

static u8 fake_gpa_bits(u32 flags)
{
	u8 bits = 0;

	if (flags & HV_MAP_GPA_READABLE)
		bits |= FAKE_GPA_R;
	if (flags & HV_MAP_GPA_WRITABLE)
		bits |= FAKE_GPA_W;
	if (flags & HV_MAP_GPA_EXECUTABLE)
		bits |= FAKE_GPA_X;
	if (flags & HV_MAP_GPA_NO_ACCESS)
		bits |= FAKE_GPA_NA;
	if (flags & HV_MAP_GPA_LARGE_PAGE)
		bits |= FAKE_GPA_LARGE;
	return bits;
}

static u16 fake_map_rep(struct fake_hv *hv, u64 input, u64 output,
			unsigned int i)
{
	struct hv_input_map_gpa_pages *in = phys_to_virt(input);
	bool large = in->map_flags & HV_MAP_GPA_LARGE_PAGE;
	unsigned int n = large ? HV_PAGES_PER_LARGE_PAGE : 1, j;
	u64 gfn = in->target_gpa_base + (u64)i * n;
	u64 pfn = in->source_gpa_page_list[i];
	u8 bits = fake_gpa_bits(in->map_flags);

	if ((in->map_flags & ~FAKE_MAP_FLAGS) || in->padding)
		return HV_STATUS_INVALID_PARAMETER;
	if (!(in->map_flags & (HV_MAP_GPA_READABLE | HV_MAP_GPA_NO_ACCESS)))
		return HV_STATUS_INVALID_PARAMETER;
	if (large && (gfn % n || pfn % n))
		return HV_STATUS_INVALID_PARAMETER;
	if (hv->map_fail_at && hv->map_reps >= hv->map_fail_at - 1)
		return HV_STATUS_INVALID_PARAMETER;
	if (hv->map_nomem_at && hv->map_reps == hv->map_nomem_at - 1) {
		hv->map_nomem_at = 0;
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}

	for (j = 0; j < n; j++)
		if (xa_is_err(xa_store(&hv->slat, gfn + j,
				       xa_mk_value((pfn + j) << FAKE_GPA_BITS |
						   bits), GFP_ATOMIC)))
			return HV_STATUS_INSUFFICIENT_BUFFERS;
	hv->map_reps++;
	return HV_STATUS_SUCCESS;
}

static u16 fake_unmap_rep(struct fake_hv *hv, u64 input, u64 output,
			  unsigned int i)
{
	struct hv_input_unmap_gpa_pages *in = phys_to_virt(input);
	bool large = in->unmap_flags & HV_UNMAP_GPA_LARGE_PAGE;
	unsigned int n = large ? HV_PAGES_PER_LARGE_PAGE : 1, j;
	u64 gfn = in->target_gpa_base + (u64)i * n;

	if ((in->unmap_flags & ~HV_UNMAP_GPA_LARGE_PAGE) || in->padding ||
	    (large && gfn % n))
		return HV_STATUS_INVALID_PARAMETER;
	for (j = 0; j < n; j++)
		xa_erase(&hv->slat, gfn + j);
	hv->unmap_reps++;
	return HV_STATUS_SUCCESS;
}

/* Page g reports (g & 3): accessed if odd, dirty if bit 1 is set. */
static u16 fake_access_rep(struct fake_hv *hv, u64 input, u64 output,
			   unsigned int i)
{
	struct hv_input_get_gpa_pages_access_states *in = phys_to_virt(input);
	u8 *out = phys_to_virt(output);

	if (in->flags & ~GENMASK_ULL(3, 0))
		return HV_STATUS_INVALID_PARAMETER;
	out[i] = (in->hv_gpa_page_number + i) & 3;
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

	if (hv->no_page)
		return U64_MAX;
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

/* HvGetPartitionPropertyEx, if the fake is set to know it. */
static u64 fake_get_property_ex(struct fake_hv *hv, u64 input, u64 output)
{
	struct hv_input_get_partition_property_ex *in = phys_to_virt(input);
	struct hv_partition_property_vmm_capabilities *caps;

	if (!hv->has_vmm_caps)
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	memcpy(hv->input_copy, in, HV_HYP_PAGE_SIZE);
	if (in->property_code != HV_PARTITION_PROPERTY_VMM_CAPABILITIES)
		return HV_STATUS_UNKNOWN_PROPERTY;
	caps = phys_to_virt(output);
	caps->bank_count = 1;
	caps->bank0 = hv->vmm_caps;
	return HV_STATUS_SUCCESS;
}

static u16
fake_write_property(struct fake_hv *hv,
		    const struct hv_input_set_partition_property *in)
{
	if (in->property_code != FAKE_PROPERTY)
		return HV_STATUS_UNKNOWN_PROPERTY;
	hv->property_value = in->property_value;
	return HV_STATUS_SUCCESS;
}

static u64 fake_set_property(struct fake_hv *hv, u64 input)
{
	struct hv_input_set_partition_property *in = phys_to_virt(input);
	u16 status;

	memcpy(hv->input_copy, in, HV_HYP_PAGE_SIZE);
	if (!hv->async)
		return fake_write_property(hv, in);

	if (hv->async_nomem_left) {
		hv->async_nomem_left--;
		status = HV_STATUS_INSUFFICIENT_MEMORY;
	} else {
		status = fake_write_property(hv, in);
	}
	mshv_async_call_complete(hv->async, status);
	return hv->async_return;
}

/*
 * HvDispatchVp: note the context it is issued in, and whether it uses the
 * CPU's shared hypercall pages; the VP stops at an intercept.
 */
static u64 fake_dispatch_vp(struct fake_hv *hv, u64 input, u64 output)
{
	struct hv_output_dispatch_vp *out = phys_to_virt(output);

	memcpy(hv->input_copy, phys_to_virt(input), HV_HYP_PAGE_SIZE);
	hv->dispatch_irqs_off = irqs_disabled();
	hv->dispatch_preemptible = preemptible();
	hv->dispatch_shared_pages =
		input == virt_to_phys(hv_seam_input_page()) ||
		output == virt_to_phys(hv_seam_output_page());
	out->dispatch_state = HV_VP_DISPATCH_STATE_READY;
	out->dispatch_event = HV_VP_DISPATCH_EVENT_INTERCEPT;
	return HV_STATUS_SUCCESS;
}

/* Stands in for the hypervisor in the task running the test. */
static u64 fake_hypercall(u64 control, u64 input, u64 output)
{
	struct kunit *test = kunit_get_current_test();
	struct fake_hv *hv = test->priv;
	u16 code = lower_16_bits(control);

	fake_log(hv, control, input);

	if (code == hv->nomem_code && hv->nomem_left) {
		hv->nomem_left--;
		return hv->nomem_status ?: HV_STATUS_INSUFFICIENT_MEMORY;
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
	case HVCALL_MAP_GPA_PAGES:
		return fake_rep_call(hv, control, input, output, fake_map_rep);
	case HVCALL_UNMAP_GPA_PAGES:
		return fake_rep_call(hv, control, input, output,
				     fake_unmap_rep);
	case HVCALL_GET_GPA_PAGES_ACCESS_STATES:
		return fake_rep_call(hv, control, input, output,
				     fake_access_rep);
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
	case HVCALL_GET_PARTITION_PROPERTY_EX:
		return fake_get_property_ex(hv, input, output);
	case HVCALL_NOTIFY_PORT_RING_EMPTY:
		return HV_STATUS_SUCCESS;
	case HVCALL_DISPATCH_VP:
		return fake_dispatch_vp(hv, input, output);
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

static void fake_destroy_slat(void *data)
{
	struct fake_hv *hv = data;

	xa_destroy(&hv->slat);
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
	xa_init(&hv->slat);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							fake_destroy_slat,
							hv), 0);

	test->priv = hv;
	KUNIT_ASSERT_EQ(test, hv_seam_kunit_fake(test, fake_hypercall, NULL),
			0);
	return 0;
}

/* ---- Doorbell event ring ----------------------------------------------- */

static enum mshv_ring_drain test_drain(struct hv_synic_event_ring *ring,
				       unsigned int *tail, unsigned int budget)
{
	enum mshv_ring_drain ret;

	local_irq_disable();
	ret = mshv_synic_drain_ring(ring, tail, budget);
	local_irq_enable();
	return ret;
}

/*
 * A drain rings at most its budget of doorbells and leaves the rest, the
 * ring still masked, for the next one; only the drain that empties the
 * ring unmasks it.
 */
static void mshv_test_doorbell_drain_budget(struct kunit *test)
{
	struct hv_synic_event_ring *ring;
	unsigned int tail = 0, i;

	ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring);
	/* Port ids that are no doorbell's: ringing them does nothing. */
	for (i = 0; i < 40; i++)
		ring->data[i] = HV_PORT_ID_MAX - i;
	ring->signal_masked = 1;

	KUNIT_EXPECT_EQ(test, test_drain(ring, &tail, 16), MSHV_RING_MORE);
	KUNIT_EXPECT_EQ(test, tail, 16);
	KUNIT_EXPECT_EQ(test, ring->data[15], 0);
	KUNIT_EXPECT_EQ(test, ring->data[16], HV_PORT_ID_MAX - 16);
	KUNIT_EXPECT_EQ(test, ring->signal_masked, 1);
	KUNIT_EXPECT_EQ(test, test_drain(ring, &tail, 16), MSHV_RING_MORE);
	KUNIT_EXPECT_EQ(test, tail, 32);
	KUNIT_EXPECT_EQ(test, ring->signal_masked, 1);
	KUNIT_EXPECT_EQ(test, test_drain(ring, &tail, 16), MSHV_RING_EMPTY);
	KUNIT_EXPECT_EQ(test, tail, 40);
	KUNIT_EXPECT_EQ(test, ring->signal_masked, 0);
	KUNIT_EXPECT_EQ(test, ring->data[39], 0);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_NOTIFY_PORT_RING_EMPTY),
			0);

	/* The ring wraps around. */
	for (i = 0; i < HV_SYNIC_EVENT_RING_MESSAGE_COUNT; i++)
		ring->data[(40 + i) % HV_SYNIC_EVENT_RING_MESSAGE_COUNT] = i + 1;
	ring->signal_masked = 1;
	KUNIT_EXPECT_EQ(test, test_drain(ring, &tail,
					 HV_SYNIC_EVENT_RING_MESSAGE_COUNT),
			MSHV_RING_MORE);
	KUNIT_EXPECT_EQ(test, tail, 40);
	KUNIT_EXPECT_EQ(test, test_drain(ring, &tail, 1), MSHV_RING_EMPTY);
	KUNIT_EXPECT_EQ(test, ring->signal_masked, 0);
}

/*
 * An overflowed ring is refilled by the hypervisor; when it refuses, the
 * ring stays masked and marked full, and the next drain asks again.
 */
static void mshv_test_doorbell_refill_retry(struct kunit *test)
{
	struct fake_hv *hv = test->priv;
	struct hv_synic_event_ring *ring;
	unsigned int tail = 0;

	ring = kunit_kzalloc(test, sizeof(*ring), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ring);
	ring->signal_masked = 1;
	ring->ring_full = 1;
	hv->nomem_code = HVCALL_NOTIFY_PORT_RING_EMPTY;
	hv->nomem_status = HV_STATUS_INVALID_PARAMETER;
	hv->nomem_left = 1;

	KUNIT_EXPECT_EQ(test, test_drain(ring, &tail, 8), MSHV_RING_RETRY);
	KUNIT_EXPECT_EQ(test, ring->ring_full, 1);
	KUNIT_EXPECT_EQ(test, ring->signal_masked, 1);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_NOTIFY_PORT_RING_EMPTY),
			1);

	KUNIT_EXPECT_EQ(test, test_drain(ring, &tail, 8), MSHV_RING_EMPTY);
	KUNIT_EXPECT_EQ(test, ring->ring_full, 0);
	KUNIT_EXPECT_EQ(test, ring->signal_masked, 0);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_NOTIFY_PORT_RING_EMPTY),
			2);
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
	status = hv_call_rep(FAKE_REP_CODE, REP_TEST_COUNT, 2, NULL, NULL);

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
	status = hv_call_rep(FAKE_REP_CODE, REP_TEST_COUNT, 0, NULL, NULL);

	KUNIT_EXPECT_EQ(test, hv_result(status), HV_STATUS_ACCESS_DENIED);
	KUNIT_EXPECT_EQ(test, hv_repcomp(status), 10);
	KUNIT_EXPECT_EQ(test, hv->nr_calls, 3);
	KUNIT_EXPECT_EQ(test, hv_status_to_errno(status), -EACCES);
}

/* A hypervisor that stops making progress must not hang the caller. */
static void mshv_test_rep_stalled(struct kunit *test)
{
	struct fake_hv *hv = test->priv;
	u64 status;

	hv->max_reps = 5;
	hv->stall_at = 10;
	status = hv_call_rep(FAKE_REP_CODE, REP_TEST_COUNT, 0, NULL, NULL);

	KUNIT_EXPECT_NE(test, hv_result(status), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv_repcomp(status), 10);
	KUNIT_EXPECT_EQ(test, hv->nr_calls, 3);
}

/* A result claiming more reps than asked for counts as none done. */
static void mshv_test_rep_no_page(struct kunit *test)
{
	struct fake_hv *hv = test->priv;
	u64 status;

	hv->no_page = true;
	status = hv_call_rep(FAKE_REP_CODE, REP_TEST_COUNT, 0, NULL, NULL);
	KUNIT_EXPECT_FALSE(test, hv_result_success(status));
	KUNIT_EXPECT_EQ(test, hv_repcomp(status), 0);

	/* So a withdrawal frees nothing and a deposit keeps its pages. */
	KUNIT_EXPECT_EQ(test, hv_call_withdraw_all(7), -EIO);
	KUNIT_EXPECT_EQ(test, hv_call_deposit_pages(NUMA_NO_NODE, 7, 4), -EIO);
	KUNIT_EXPECT_EQ(test, hv->pool_len, 0);
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
	KUNIT_ASSERT_EQ(test, hv_call_deposit_pages(NUMA_NO_NODE, 42, 1000), 0);

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

	KUNIT_EXPECT_EQ(test, hv_call_deposit_pages(NUMA_NO_NODE, 42, 20), -ENOMEM);
	KUNIT_EXPECT_EQ(test, hv->pool_len, 5);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 1);
}

/* Withdrawal frees batch after batch until the pool runs dry. */
static void mshv_test_withdraw_all(struct kunit *test)
{
	struct fake_hv *hv = test->priv;

	KUNIT_ASSERT_EQ(test, hv_call_deposit_pages(NUMA_NO_NODE, 7, 600), 0);
	KUNIT_ASSERT_EQ(test, hv->pool_len, 600);

	hv->nr_calls = 0;
	hv->max_reps = 200;
	KUNIT_EXPECT_EQ(test, hv_call_withdraw_all(7), 0);

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

	KUNIT_ASSERT_EQ(test, hv_call_deposit_pages(NUMA_NO_NODE, 7, 100), 0);

	hv->nr_calls = 0;
	hv->fail_at = 30;
	hv->fail_status = HV_STATUS_ACCESS_DENIED;
	KUNIT_EXPECT_EQ(test, hv_call_withdraw_all(7), -EACCES);

	KUNIT_EXPECT_EQ(test, hv->pool_len, 70);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_WITHDRAW_MEMORY), 1);
}

/*
 * HV_STATUS_NO_RESOURCES with no page handed back may be a passing
 * shortage: the pool is asked again, and only a second such answer in a
 * row means that it is empty.
 */
static void mshv_test_withdraw_no_resources(struct kunit *test)
{
	struct fake_hv *hv = test->priv;

	KUNIT_ASSERT_EQ(test, hv_call_deposit_pages(NUMA_NO_NODE, 7, 100), 0);

	hv->nr_calls = 0;
	hv->nomem_code = HVCALL_WITHDRAW_MEMORY;
	hv->nomem_status = HV_STATUS_NO_RESOURCES;
	hv->nomem_left = 1;
	KUNIT_EXPECT_EQ(test, hv_call_withdraw_all(7), 0);
	KUNIT_EXPECT_EQ(test, hv->pool_len, 0);
	/* The refused call, then 100 pages and the end of the pool. */
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_WITHDRAW_MEMORY), 2);

	/* An empty pool answers twice with nothing. */
	hv->nr_calls = 0;
	KUNIT_EXPECT_EQ(test, hv_call_withdraw_all(7), 0);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_WITHDRAW_MEMORY), 2);

	/* A pool of exactly one batch: the batch, then two empty answers. */
	KUNIT_ASSERT_EQ(test, hv_call_deposit_pages(NUMA_NO_NODE, 7,
						    HV_WITHDRAW_MAX_PAGES), 0);
	hv->nr_calls = 0;
	KUNIT_EXPECT_EQ(test, hv_call_withdraw_all(7), 0);
	KUNIT_EXPECT_EQ(test, hv->pool_len, 0);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_WITHDRAW_MEMORY), 3);
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

	KUNIT_ASSERT_EQ(test, mshv_hvcall_create_partition(flags, NULL,
							   &partition_id), 0);
	KUNIT_EXPECT_EQ(test, partition_id, 0x1234);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_CREATE_PARTITION), 3);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 2);
	KUNIT_EXPECT_TRUE(test, fake_all_target(test, HVCALL_DEPOSIT_MEMORY,
						HV_PARTITION_ID_SELF));
	KUNIT_EXPECT_EQ(test, hv->pool_len, 2 * HV_RETRY_DEPOSIT_PAGES);

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
			MSHV_INIT_DEPOSIT_PAGES + 3 * HV_RETRY_DEPOSIT_PAGES);
}

/*
 * What is deposited follows what the hypervisor says it lacks: pages for
 * the partition, one contiguous block, or pages for the root's own pool.
 */
struct mshv_need_case {
	const char *desc;
	u16 status;
	u64 target;
	bool contiguous;
};

static const struct mshv_need_case mshv_need_cases[] = {
	{ "memory", HV_STATUS_INSUFFICIENT_MEMORY, 7, false },
	{ "contiguous memory", HV_STATUS_INSUFFICIENT_CONTIGUOUS_MEMORY, 7,
	  true },
	{ "root memory", HV_STATUS_INSUFFICIENT_ROOT_MEMORY,
	  HV_PARTITION_ID_SELF, false },
	{ "contiguous root memory",
	  HV_STATUS_INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY, HV_PARTITION_ID_SELF,
	  true },
};

static void mshv_need_desc(const struct mshv_need_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mshv_need, mshv_need_cases, mshv_need_desc);

static void mshv_test_deposit_for_status(struct kunit *test)
{
	const struct mshv_need_case *c = test->param_value;
	const unsigned int block = 1U << HV_CONTIGUOUS_DEPOSIT_ORDER;
	struct fake_hv *hv = test->priv;
	unsigned int i;

	hv->nomem_code = HVCALL_SET_PARTITION_PROPERTY;
	hv->nomem_left = 2;
	hv->nomem_status = c->status;

	KUNIT_EXPECT_EQ(test, mshv_hvcall_set_partition_property(7,
								 FAKE_PROPERTY,
								 3), 0);
	KUNIT_EXPECT_EQ(test, hv->property_value, 3);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_SET_PARTITION_PROPERTY),
			3);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 2);
	KUNIT_EXPECT_TRUE(test, fake_all_target(test, HVCALL_DEPOSIT_MEMORY,
						c->target));
	KUNIT_ASSERT_EQ(test, hv->pool_len,
			2 * (c->contiguous ? block : HV_RETRY_DEPOSIT_PAGES));
	if (!c->contiguous)
		return;
	/* Each deposit is one naturally aligned block, in order. */
	for (i = 0; i < hv->pool_len; i++) {
		KUNIT_EXPECT_EQ(test, hv->pool[i] % block == 0, i % block == 0);
		if (i % block)
			KUNIT_EXPECT_EQ(test, hv->pool[i], hv->pool[i - 1] + 1);
	}
}

/* A status that asks for no memory deposits nothing. */
static void mshv_test_deposit_for_other_status(struct kunit *test)
{
	struct fake_hv *hv = test->priv;

	KUNIT_EXPECT_EQ(test,
			hv_call_deposit_for_status(NUMA_NO_NODE, 7,
						   HV_STATUS_ACCESS_DENIED),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hv->nr_calls, 0);
	KUNIT_EXPECT_EQ(test, hv->pool_len, 0);
}

/* A hypervisor that never has enough stops getting memory at the limit. */
static void mshv_test_deposit_limit(struct kunit *test)
{
	struct fake_hv *hv = test->priv;

	hv->nomem_code = HVCALL_SET_PARTITION_PROPERTY;
	hv->nomem_left = UINT_MAX;
	hv->nomem_status = HV_STATUS_INSUFFICIENT_CONTIGUOUS_MEMORY;

	KUNIT_EXPECT_EQ(test, mshv_hvcall_set_partition_property(7,
								 FAKE_PROPERTY,
								 3), -ENOMEM);
	KUNIT_EXPECT_EQ(test, hv->property_value, 0);
	/* One block per refusal, until the pages deposited reach the limit. */
	KUNIT_EXPECT_EQ(test, hv->nr_calls,
			2 * HV_MAX_RETRY_DEPOSIT_PAGES / HV_RETRY_DEPOSIT_PAGES +
			1);
	KUNIT_EXPECT_EQ(test, hv->pool_len,
			HV_MAX_RETRY_DEPOSIT_PAGES / HV_RETRY_DEPOSIT_PAGES *
			(1U << HV_CONTIGUOUS_DEPOSIT_ORDER));
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

/*
 * The root's VMM capabilities come from HvGetPartitionPropertyEx; a
 * hypervisor without the call leaves the caller's value alone.
 */
static void mshv_test_get_vmm_caps(struct kunit *test)
{
	struct hv_input_get_partition_property_ex expected = {
		.partition_id = HV_PARTITION_ID_SELF,
		.property_code = HV_PARTITION_PROPERTY_VMM_CAPABILITIES,
	};
	struct fake_hv *hv = test->priv;
	u64 caps = 7;

	KUNIT_EXPECT_EQ(test, mshv_hvcall_get_vmm_caps(&caps), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, caps, 7);

	hv->has_vmm_caps = true;
	hv->vmm_caps = HV_VMM_CAP_MAP_GPA_PRESERVE_ADJUSTABLE |
		       HV_VMM_CAP_INTEGRATED_SCHEDULER;
	KUNIT_EXPECT_EQ(test, mshv_hvcall_get_vmm_caps(&caps), 0);
	KUNIT_EXPECT_EQ(test, caps, hv->vmm_caps);
	KUNIT_EXPECT_MEMEQ(test, hv->input_copy, &expected, sizeof(expected));
	KUNIT_EXPECT_EQ(test,
			fake_count(test, HVCALL_GET_PARTITION_PROPERTY_EX), 2);
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

/* Passthrough of HvSetPartitionProperty, as an asynchronous call. */
static int passthru_set_async(struct mshv_async_call *ac, u32 code,
			      u64 value, u64 *status)
{
	struct hv_input_set_partition_property in = {
		.property_code = code,
		.property_value = value,
	};
	struct mshv_passthru_call call = {
		.partition_id = 9,
		.code = HVCALL_SET_PARTITION_PROPERTY,
		.in_sz = sizeof(in),
		.input = &in,
		.async = ac,
	};
	int ret;

	ret = mshv_hvcall_passthru(&call);
	*status = call.status;
	return ret;
}

/*
 * A pending call takes the status of its completion, even one that arrives
 * before the hypercall returns; a completion saying the hypervisor needs
 * memory is answered with a deposit and the call is issued again.
 */
static void mshv_test_passthru_async(struct kunit *test)
{
	struct fake_hv *hv = test->priv;
	struct mshv_async_call ac;
	u64 status;

	mshv_async_call_init(&ac);
	hv->async = &ac;
	hv->async_return = HV_STATUS_CALL_PENDING;
	hv->async_nomem_left = 1;

	KUNIT_EXPECT_EQ(test, passthru_set_async(&ac, FAKE_PROPERTY, 42,
						 &status), 0);
	KUNIT_EXPECT_EQ(test, hv_result(status), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_EQ(test, hv->property_value, 42);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_SET_PARTITION_PROPERTY),
			2);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 1);
	KUNIT_EXPECT_TRUE(test, fake_all_target(test, HVCALL_DEPOSIT_MEMORY,
						9));
	KUNIT_EXPECT_FALSE(test, completion_done(&ac.done));
	KUNIT_EXPECT_EQ(test, atomic_read(&ac.armed), 0);
}

/* A failed completion fails the call with the completion's status. */
static void mshv_test_passthru_async_failure(struct kunit *test)
{
	struct fake_hv *hv = test->priv;
	struct mshv_async_call ac;
	u64 status;

	mshv_async_call_init(&ac);
	hv->async = &ac;
	hv->async_return = HV_STATUS_CALL_PENDING;
	hv->property_value = 7;

	KUNIT_EXPECT_EQ(test, passthru_set_async(&ac, FAKE_PROPERTY + 1, 1,
						 &status), -EINVAL);
	KUNIT_EXPECT_EQ(test, hv_result(status), HV_STATUS_UNKNOWN_PROPERTY);
	KUNIT_EXPECT_EQ(test, hv->property_value, 7);
	KUNIT_EXPECT_FALSE(test, completion_done(&ac.done));
}

/*
 * A completion message that arrives while a call that completed at once
 * is armed is taken and dropped, so that the next pending call waits for
 * its own; with nothing armed, one is ignored.
 */
static void mshv_test_passthru_async_stray(struct kunit *test)
{
	struct fake_hv *hv = test->priv;
	struct mshv_async_call ac;
	u64 status;

	mshv_async_call_init(&ac);
	hv->async = &ac;
	hv->async_return = HV_STATUS_SUCCESS;

	KUNIT_EXPECT_EQ(test, passthru_set_async(&ac, FAKE_PROPERTY, 5,
						 &status), 0);
	KUNIT_EXPECT_EQ(test, hv_result(status), HV_STATUS_SUCCESS);
	KUNIT_EXPECT_FALSE(test, completion_done(&ac.done));
	KUNIT_EXPECT_EQ(test, atomic_read(&ac.armed), 0);

	KUNIT_EXPECT_FALSE(test, mshv_async_call_complete(&ac,
							  HV_STATUS_SUCCESS));
	KUNIT_EXPECT_FALSE(test, completion_done(&ac.done));
}

/* HV_STATUS_CALL_PENDING from a call that cannot complete later. */
static void mshv_test_passthru_pending_not_async(struct kunit *test)
{
	struct fake_hv *hv = test->priv;
	struct mshv_async_call ac;
	u64 status;

	mshv_async_call_init(&ac);
	hv->async = &ac;
	hv->async_return = HV_STATUS_CALL_PENDING;

	KUNIT_EXPECT_EQ(test, passthru_set_async(NULL, FAKE_PROPERTY, 5,
						 &status), -EBADFD);
	KUNIT_EXPECT_EQ(test, hv_result(status), HV_STATUS_CALL_PENDING);
}

/* ---- Guest memory regions: pure logic ---------------------------------- */

static void test_free_block(void *page)
{
	__free_pages(page, 2);
}

/* Four physically contiguous pages, freed when the test ends. */
static struct page *test_block(struct kunit *test)
{
	struct page *page = alloc_pages(GFP_KERNEL, 2);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, test_free_block,
							page), 0);
	return page;
}

/* Runs merge physically contiguous pages, also across calls. */
static void mshv_test_run_packing(struct kunit *test)
{
	struct page *a = test_block(test), *b = test_block(test);
	struct page *c = test_block(test), *d = test_block(test);
	struct page *first[] = { a, a + 1, a + 2, b };
	struct page *second[] = { b + 1, c, c + 1, c + 2, d };
	struct mshv_pinned pinned = {};

	KUNIT_ASSERT_EQ(test, mshv_runs_append(&pinned, first,
					       ARRAY_SIZE(first)), 0);
	KUNIT_ASSERT_EQ(test, mshv_runs_append(&pinned, second,
					       ARRAY_SIZE(second)), 0);

	KUNIT_ASSERT_EQ(test, pinned.nr_runs, 4);
	KUNIT_EXPECT_EQ(test, mshv_run_pfn(pinned.runs[0]), page_to_pfn(a));
	KUNIT_EXPECT_EQ(test, mshv_run_len(pinned.runs[0]), 3);
	KUNIT_EXPECT_EQ(test, mshv_run_pfn(pinned.runs[1]), page_to_pfn(b));
	KUNIT_EXPECT_EQ(test, mshv_run_len(pinned.runs[1]), 2);
	KUNIT_EXPECT_EQ(test, mshv_run_pfn(pinned.runs[2]), page_to_pfn(c));
	KUNIT_EXPECT_EQ(test, mshv_run_len(pinned.runs[2]), 3);
	KUNIT_EXPECT_EQ(test, mshv_run_pfn(pinned.runs[3]), page_to_pfn(d));
	KUNIT_EXPECT_EQ(test, mshv_run_len(pinned.runs[3]), 1);
	kvfree(pinned.runs);
}

/* A run that reached the longest length encodable starts a new one. */
static void mshv_test_run_split(struct kunit *test)
{
	const u64 max = 1ULL << 24, pfn = 0x123456789ULL;
	struct mshv_pinned pinned = {};

	KUNIT_EXPECT_EQ(test, mshv_run_len(mshv_run_pack(pfn, max)), max);
	KUNIT_EXPECT_EQ(test, mshv_run_pfn(mshv_run_pack(pfn, max)), pfn);
	KUNIT_EXPECT_EQ(test, mshv_run_len(mshv_run_pack(pfn, 1)), 1);

	KUNIT_ASSERT_EQ(test, mshv_runs_add(&pinned, pfn, max - 1), 0);
	KUNIT_ASSERT_EQ(test, mshv_runs_add(&pinned, pfn + max - 1, 3), 0);

	KUNIT_ASSERT_EQ(test, pinned.nr_runs, 2);
	KUNIT_EXPECT_EQ(test, mshv_run_len(pinned.runs[0]), max);
	KUNIT_EXPECT_EQ(test, mshv_run_pfn(pinned.runs[1]), pfn + max);
	KUNIT_EXPECT_EQ(test, mshv_run_len(pinned.runs[1]), 2);
	kvfree(pinned.runs);
}

static struct mshv_mem_region *test_region(struct kunit *test,
					   struct mshv_partition *pt,
					   u64 gfn, u64 nr_pages)
{
	struct mshv_mem_region *region;

	region = kunit_kzalloc(test, sizeof(*region), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, region);
	kref_init(&region->refs);
	region->partition = pt;
	region->start_gfn = gfn;
	region->nr_pages = nr_pages;
	region->type = MSHV_REGION_MOVABLE;
	return region;
}

/* Lookups find the region holding a page; overlaps are refused. */
static void mshv_test_region_lookup(struct kunit *test)
{
	struct mshv_mem_region *a, *b, *c, *found;
	struct mshv_partition pt = {};

	mshv_partition_regions_init(&pt);
	mutex_init(&pt.pt_mutex);
	/* The tree changes under pt_mutex only; lookups need not hold it. */
	mutex_lock(&pt.pt_mutex);
	a = test_region(test, &pt, 100, 10);
	b = test_region(test, &pt, 200, 50);
	c = test_region(test, &pt, 0, 1);
	KUNIT_ASSERT_EQ(test, mshv_region_insert(&pt, a), 0);
	KUNIT_ASSERT_EQ(test, mshv_region_insert(&pt, b), 0);
	KUNIT_ASSERT_EQ(test, mshv_region_insert(&pt, c), 0);
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 3);

	KUNIT_EXPECT_PTR_EQ(test, mshv_region_lookup(&pt, 0), c);
	KUNIT_EXPECT_PTR_EQ(test, mshv_region_lookup(&pt, 100), a);
	KUNIT_EXPECT_PTR_EQ(test, mshv_region_lookup(&pt, 109), a);
	KUNIT_EXPECT_PTR_EQ(test, mshv_region_lookup(&pt, 249), b);
	KUNIT_EXPECT_NULL(test, mshv_region_lookup(&pt, 1));
	KUNIT_EXPECT_NULL(test, mshv_region_lookup(&pt, 99));
	KUNIT_EXPECT_NULL(test, mshv_region_lookup(&pt, 110));
	KUNIT_EXPECT_NULL(test, mshv_region_lookup(&pt, 250));
	KUNIT_EXPECT_NULL(test, mshv_region_lookup(&pt, U64_MAX));
	/* Each successful lookup took a reference. */
	KUNIT_EXPECT_EQ(test, kref_read(&a->refs), 3);
	mshv_region_put(a);
	mshv_region_put(a);
	mshv_region_put(b);
	mshv_region_put(c);
	KUNIT_EXPECT_EQ(test, kref_read(&a->refs), 1);

	/* Overlapping the start, the end, or all of a region. */
	found = test_region(test, &pt, 95, 6);
	KUNIT_EXPECT_EQ(test, mshv_region_insert(&pt, found), -EEXIST);
	found = test_region(test, &pt, 109, 1);
	KUNIT_EXPECT_EQ(test, mshv_region_insert(&pt, found), -EEXIST);
	found = test_region(test, &pt, 50, 500);
	KUNIT_EXPECT_EQ(test, mshv_region_insert(&pt, found), -EEXIST);
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 3);

	/* Touching is fine. */
	found = test_region(test, &pt, 1, 99);
	KUNIT_EXPECT_EQ(test, mshv_region_insert(&pt, found), 0);
	found = test_region(test, &pt, 110, 90);
	KUNIT_EXPECT_EQ(test, mshv_region_insert(&pt, found), 0);
	KUNIT_EXPECT_PTR_EQ(test, mshv_region_lookup(&pt, 199), found);
	mshv_region_put(found);
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 5);
	mutex_unlock(&pt.pt_mutex);
	mutex_destroy(&pt.pt_mutex);
}

/* Runs of a test region: 2 MiB aligned, then unaligned, then short. */
static const u64 test_runs[][2] = {
	{ 0x10000, 512 },
	{ 0x20001, 512 },
	{ 0x30000, 100 },
};

#define TEST_GFN	0x200
#define TEST_PAGES	(512 + 512 + 100)

static struct mshv_mem_region *test_pinned_region(struct kunit *test,
						  struct mshv_partition *pt)
{
	struct mshv_mem_region *region;
	unsigned int i;

	region = test_region(test, pt, TEST_GFN, TEST_PAGES);
	region->type = MSHV_REGION_PINNED;
	region->writable = true;
	region->hv_map_flags = HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE |
			       HV_MAP_GPA_ADJUSTABLE;
	region->pinned.runs = kunit_kcalloc(test, ARRAY_SIZE(test_runs),
					    sizeof(u64), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, region->pinned.runs);
	for (i = 0; i < ARRAY_SIZE(test_runs); i++)
		region->pinned.runs[i] = mshv_run_pack(test_runs[i][0],
						       test_runs[i][1]);
	region->pinned.nr_runs = ARRAY_SIZE(test_runs);
	region->pinned.max_runs = ARRAY_SIZE(test_runs);
	return region;
}

static void expect_extent(struct kunit *test, struct mshv_extent_iter *it,
			  u64 gfn, u64 pfn, u64 nr_pages, bool large)
{
	struct mshv_extent ext;

	KUNIT_ASSERT_TRUE(test, mshv_extent_next(it, &ext));
	KUNIT_EXPECT_EQ(test, ext.gfn, gfn);
	KUNIT_EXPECT_EQ(test, ext.pfn, pfn);
	KUNIT_EXPECT_EQ(test, ext.nr_pages, nr_pages);
	KUNIT_EXPECT_EQ(test, ext.large, large);
}

/* Only aligned, contiguous 2 MiB becomes a large page, with super pages. */
static void mshv_test_extents(struct kunit *test)
{
	struct mshv_partition pt = { .pt_super_pages = true };
	struct mshv_mem_region *region = test_pinned_region(test, &pt);
	struct mshv_extent_iter it;
	struct mshv_extent ext;

	mshv_extent_iter_init(&it, region, TEST_GFN, TEST_PAGES);
	expect_extent(test, &it, 0x200, 0x10000, 512, true);
	expect_extent(test, &it, 0x400, 0x20001, 512, false);
	expect_extent(test, &it, 0x600, 0x30000, 100, false);
	KUNIT_EXPECT_FALSE(test, mshv_extent_next(&it, &ext));
	/* A 2 MiB block of 4 KiB pages each, plus the 1 GiB range. */
	KUNIT_EXPECT_EQ(test, mshv_region_slat_pages(region), 3);

	/* Starting in the middle of the second run. */
	mshv_extent_iter_init(&it, region, 0x500, 0x100 + 0x40);
	expect_extent(test, &it, 0x500, 0x20101, 256, false);
	expect_extent(test, &it, 0x600, 0x30000, 0x40, false);
	KUNIT_EXPECT_FALSE(test, mshv_extent_next(&it, &ext));

	pt.pt_super_pages = false;
	mshv_extent_iter_init(&it, region, TEST_GFN, TEST_PAGES);
	expect_extent(test, &it, 0x200, 0x10000, 512, false);
	KUNIT_EXPECT_EQ(test, mshv_region_slat_pages(region), 4);
}

static struct kunit_case mshv_regions_cases[] = {
	KUNIT_CASE(mshv_test_run_packing),
	KUNIT_CASE(mshv_test_run_split),
	KUNIT_CASE(mshv_test_region_lookup),
	KUNIT_CASE(mshv_test_extents),
	{}
};

static struct kunit_suite mshv_regions_suite = {
	.name = "mshv_regions",
	.test_cases = mshv_regions_cases,
};

/* ---- Guest memory regions against the fake hypervisor ------------------ */

#define TEST_PT_ID	7

/* The fake's SLAT entry of @gfn: frame and FAKE_GPA_* bits, or false. */
static bool slat_entry(struct kunit *test, u64 gfn, u64 *pfn, u8 *bits)
{
	struct fake_hv *hv = test->priv;
	void *entry = xa_load(&hv->slat, gfn);

	if (!entry)
		return false;
	*pfn = xa_to_value(entry) >> FAKE_GPA_BITS;
	*bits = xa_to_value(entry) & (BIT(FAKE_GPA_BITS) - 1);
	return true;
}

/* Every page of the test region maps the frame its run says. */
static void expect_test_region_mapped(struct kunit *test)
{
	u64 gfn = TEST_GFN, pfn, i;
	unsigned int r, bad = 0;
	u8 bits, want;

	for (r = 0; r < ARRAY_SIZE(test_runs); r++) {
		want = FAKE_GPA_R | FAKE_GPA_W | (r ? 0 : FAKE_GPA_LARGE);
		for (i = 0; i < test_runs[r][1]; i++, gfn++)
			if (!slat_entry(test, gfn, &pfn, &bits) ||
			    pfn != test_runs[r][0] + i || bits != want)
				bad++;
	}
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_FALSE(test, slat_entry(test, TEST_GFN - 1, &pfn, &bits));
	KUNIT_EXPECT_FALSE(test, slat_entry(test, gfn, &pfn, &bits));
}

static bool slat_empty(struct kunit *test)
{
	struct fake_hv *hv = test->priv;

	return xa_empty(&hv->slat);
}

/*
 * The SLAT memory is deposited first, then the region is mapped in full
 * batches: one large rep, then 612 pages in 509 + 103 reps.
 */
static void mshv_test_map_pinned(struct kunit *test)
{
	struct mshv_partition pt = { .pt_id = TEST_PT_ID,
				     .pt_super_pages = true };
	struct mshv_mem_region *region = test_pinned_region(test, &pt);
	struct fake_hv *hv = test->priv;
	unsigned int i, map = 0;

	KUNIT_ASSERT_EQ(test, mshv_region_map_pinned(region), 0);

	KUNIT_EXPECT_EQ(test, hv->pool_len, 3);
	KUNIT_EXPECT_EQ(test, hv->map_reps, 1 + 612);
	KUNIT_ASSERT_EQ(test, fake_count(test, HVCALL_MAP_GPA_PAGES), 3);
	KUNIT_EXPECT_TRUE(test, fake_all_target(test, HVCALL_MAP_GPA_PAGES,
						TEST_PT_ID));
	KUNIT_EXPECT_EQ(test, hv->log[0].code, HVCALL_DEPOSIT_MEMORY);
	for (i = 0; i < hv->nr_calls; i++) {
		const struct fake_call *call = &hv->log[i];
		static const u64 gfns[] = { 0x200, 0x400, 0x400 + 509 };
		static const u32 reps[] = { 1, 509, 103 };

		if (call->code != HVCALL_MAP_GPA_PAGES)
			continue;
		KUNIT_EXPECT_EQ(test, call->gfn, gfns[map]);
		KUNIT_EXPECT_EQ(test,
				FIELD_GET(HV_HYPERCALL_REP_COMP_MASK,
					  call->control), reps[map]);
		KUNIT_EXPECT_EQ(test, call->flags,
				HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE |
				HV_MAP_GPA_ADJUSTABLE |
				(map ? 0 : HV_MAP_GPA_LARGE_PAGE));
		map++;
	}
	expect_test_region_mapped(test);

	/* Unmapped as mapped: the large page as one large rep. */
	hv->nr_calls = 0;
	KUNIT_EXPECT_EQ(test, mshv_region_unmap_range(region, TEST_GFN,
						      TEST_PAGES), 0);
	KUNIT_EXPECT_TRUE(test, slat_empty(test));
	KUNIT_ASSERT_EQ(test, fake_count(test, HVCALL_UNMAP_GPA_PAGES), 3);
	KUNIT_EXPECT_EQ(test, hv->log[0].flags, HV_UNMAP_GPA_LARGE_PAGE);
	KUNIT_EXPECT_EQ(test, hv->log[1].flags, 0);
	KUNIT_EXPECT_EQ(test, hv->log[1].gfn, 0x400);
	KUNIT_EXPECT_EQ(test, hv->log[2].gfn, 0x400 + 512);
	KUNIT_EXPECT_EQ(test, hv->unmap_reps, 1 + 612);
}

/* Running out of SLAT memory part-way: deposit, and go on where it was. */
static void mshv_test_map_nomem_continues(struct kunit *test)
{
	struct mshv_partition pt = { .pt_id = TEST_PT_ID,
				     .pt_super_pages = true };
	struct mshv_mem_region *region = test_pinned_region(test, &pt);
	struct fake_hv *hv = test->priv;

	hv->max_reps = 100;
	hv->map_nomem_at = 300;
	KUNIT_ASSERT_EQ(test, mshv_region_map_pinned(region), 0);

	/* No rep was done twice. */
	KUNIT_EXPECT_EQ(test, hv->map_reps, 1 + 612);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY), 2);
	KUNIT_EXPECT_EQ(test, hv->pool_len, 3 + HV_RETRY_DEPOSIT_PAGES);
	expect_test_region_mapped(test);
}

/* A failing map leaves nothing mapped. */
static void mshv_test_map_failure_unmaps(struct kunit *test)
{
	struct mshv_partition pt = { .pt_id = TEST_PT_ID,
				     .pt_super_pages = true };
	struct mshv_mem_region *region = test_pinned_region(test, &pt);
	struct fake_hv *hv = test->priv;

	hv->map_fail_at = 600;
	KUNIT_EXPECT_EQ(test, mshv_region_map_pinned(region), -EINVAL);
	KUNIT_EXPECT_EQ(test, hv->map_reps, 599);
	KUNIT_EXPECT_TRUE(test, slat_empty(test));
	KUNIT_EXPECT_GT(test, fake_count(test, HVCALL_UNMAP_GPA_PAGES), 0);
}

/* Access states come back in one byte per page, across continuations. */
static void mshv_test_access_states(struct kunit *test)
{
	const unsigned int count = HV_GET_GPA_ACCESS_STATES_MAX;
	struct fake_hv *hv = test->priv;
	unsigned int i, done = 0, bad = 0;
	u8 *states;
	int ret;

	states = kunit_kzalloc(test, count, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, states);
	hv->max_reps = 1000;

	ret = mshv_hvcall_get_gpa_access_states(TEST_PT_ID, 0x101, 0, count,
						states, &done);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, done, count);
	KUNIT_EXPECT_EQ(test, fake_count(test,
					 HVCALL_GET_GPA_PAGES_ACCESS_STATES),
			5);
	for (i = 0; i < count; i++)
		bad += states[i] != ((0x101 + i) & 3);
	KUNIT_EXPECT_EQ(test, bad, 0);

	/* A failure reports the pages done before it. */
	hv->fail_at = 2500;
	hv->fail_status = HV_STATUS_ACCESS_DENIED;
	ret = mshv_hvcall_get_gpa_access_states(TEST_PT_ID, 0, 0, count,
						states, &done);
	KUNIT_EXPECT_EQ(test, ret, -EACCES);
	KUNIT_EXPECT_EQ(test, done, 2500);
}

#define TEST_MEM_PAGES	256

static unsigned long test_user_memory(struct kunit *test, u64 nr_pages)
{
	unsigned long uaddr;

	uaddr = kunit_vm_mmap(test, NULL, 0, nr_pages * PAGE_SIZE,
			      PROT_READ | PROT_WRITE,
			      MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(uaddr) || !uaddr)
		kunit_skip(test, "no user memory for the test: %ld",
			   (long)uaddr);
	return uaddr;
}

static void test_partition_init(struct mshv_partition *pt, bool super)
{
	pt->pt_id = TEST_PT_ID;
	pt->pt_super_pages = super;
	mutex_init(&pt->pt_mutex);
	mshv_partition_regions_init(pt);
}

/* The byte the guest would read at @gfn, through the fake's SLAT. */
static int slat_read_byte(struct kunit *test, u64 gfn, u8 *byte)
{
	u64 pfn;
	u8 bits, *va;

	if (!slat_entry(test, gfn, &pfn, &bits) || (bits & FAKE_GPA_NA))
		return -EFAULT;
	va = kmap_local_page(pfn_to_page(pfn));
	*byte = *va;
	kunmap_local(va);
	return 0;
}

static int map_region(struct mshv_partition *pt,
		      struct mshv_user_mem_region *mem, bool movable)
{
	int ret;

	mutex_lock(&pt->pt_mutex);
	ret = mshv_partition_map_region(pt, mem, movable);
	mutex_unlock(&pt->pt_mutex);
	return ret;
}

static int unmap_region(struct mshv_partition *pt,
			struct mshv_user_mem_region *mem)
{
	int ret;

	mutex_lock(&pt->pt_mutex);
	ret = mshv_partition_unmap_region(pt, mem);
	mutex_unlock(&pt->pt_mutex);
	return ret;
}

/* A pinned region maps the very pages the VMM wrote, and unpins them. */
static void mshv_test_pinned_user_memory(struct kunit *test)
{
	unsigned long uaddr = test_user_memory(test, TEST_MEM_PAGES);
	struct mshv_user_mem_region mem = {
		.size = TEST_MEM_PAGES * PAGE_SIZE,
		.guest_pfn = 0x1000,
		.userspace_addr = uaddr,
		.flags = BIT(MSHV_SET_MEM_BIT_WRITABLE),
	};
	struct mshv_partition pt = {};
	u8 marker = 0x5a, byte = 0;
	u64 pfn;
	u8 bits;

	test_partition_init(&pt, false);
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)uaddr +
					   7 * PAGE_SIZE, &marker, 1), 0);

	KUNIT_ASSERT_EQ(test, map_region(&pt, &mem, false), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_pinned_pages),
			TEST_MEM_PAGES);
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 1);
	KUNIT_EXPECT_GT(test, atomic64_read(&pt.pt_tracking_bytes), 0);
	KUNIT_ASSERT_TRUE(test, slat_entry(test, 0x1000 + 7, &pfn, &bits));
	KUNIT_EXPECT_EQ(test, bits, FAKE_GPA_R | FAKE_GPA_W);
	KUNIT_ASSERT_EQ(test, slat_read_byte(test, 0x1000 + 7, &byte), 0);
	KUNIT_EXPECT_EQ(test, byte, marker);
	KUNIT_EXPECT_TRUE(test, slat_entry(test, 0x1000 + TEST_MEM_PAGES - 1,
					   &pfn, &bits));

	/* An overlapping region is refused before anything is pinned. */
	mem.guest_pfn = 0x1000 + TEST_MEM_PAGES - 1;
	KUNIT_EXPECT_EQ(test, map_region(&pt, &mem, false), -EEXIST);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_pinned_pages),
			TEST_MEM_PAGES);

	/* Unmapping needs the exact region. */
	mem.guest_pfn = 0x1000;
	mem.size -= PAGE_SIZE;
	mem.flags = BIT(MSHV_SET_MEM_BIT_UNMAP);
	KUNIT_EXPECT_EQ(test, unmap_region(&pt, &mem), -EINVAL);
	mem.size += PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, unmap_region(&pt, &mem), 0);
	KUNIT_EXPECT_TRUE(test, slat_empty(test));
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_pinned_pages), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_tracking_bytes), 0);
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 0);
	KUNIT_EXPECT_EQ(test, unmap_region(&pt, &mem), -EINVAL);
}

/*
 * A pinned region the hypervisor fails to unmap at teardown stays pinned
 * until the partition is deleted, then is unpinned; if the partition
 * cannot be deleted, it stays pinned.
 */
static void mshv_test_pinned_kept_until_deleted(struct kunit *test)
{
	unsigned long uaddr = test_user_memory(test, TEST_MEM_PAGES);
	struct mshv_user_mem_region mem = {
		.size = TEST_MEM_PAGES * PAGE_SIZE,
		.guest_pfn = 0x1000,
		.userspace_addr = uaddr,
		.flags = BIT(MSHV_SET_MEM_BIT_WRITABLE),
	};
	struct fake_hv *hv = test->priv;
	struct mshv_partition pt = {};
	struct page *page;
	u64 pfn;
	u8 bits;

	test_partition_init(&pt, false);
	KUNIT_ASSERT_EQ(test, map_region(&pt, &mem, false), 0);
	KUNIT_ASSERT_TRUE(test, slat_entry(test, 0x1000 + 3, &pfn, &bits));
	page = pfn_to_page(pfn);
	KUNIT_ASSERT_TRUE(test, folio_maybe_dma_pinned(page_folio(page)));

	/* Every unmap attempt fails: the region stays, pinned. */
	hv->nomem_code = HVCALL_UNMAP_GPA_PAGES;
	hv->nomem_status = HV_STATUS_INVALID_PARAMETER;
	hv->nomem_left = 100;
	mshv_partition_release_regions(&pt);
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_pinned_pages),
			TEST_MEM_PAGES);
	KUNIT_EXPECT_TRUE(test, folio_maybe_dma_pinned(page_folio(page)));

	/* The partition is deleted: its mappings are gone, unpin. */
	hv->nomem_left = 0;
	mshv_partition_release_kept_regions(&pt, true);
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_pinned_pages), 0);
	KUNIT_EXPECT_FALSE(test, folio_maybe_dma_pinned(page_folio(page)));
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&pt.pt_regions));
}

/* Memory that is not all there fails with EFAULT and leaves nothing. */
static void mshv_test_pinned_hole(struct kunit *test)
{
	unsigned long uaddr = test_user_memory(test, TEST_MEM_PAGES);
	struct mshv_user_mem_region mem = {
		.size = TEST_MEM_PAGES * PAGE_SIZE,
		.guest_pfn = 0x1000,
		.userspace_addr = uaddr,
	};
	struct mshv_partition pt = {};

	test_partition_init(&pt, false);
	KUNIT_ASSERT_EQ(test, vm_munmap(uaddr + 100 * PAGE_SIZE, PAGE_SIZE),
			0);

	KUNIT_EXPECT_EQ(test, map_region(&pt, &mem, false), -EFAULT);
	KUNIT_EXPECT_EQ(test, map_region(&pt, &mem, true), -EFAULT);
	KUNIT_EXPECT_TRUE(test, slat_empty(test));
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_pinned_pages), 0);
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 0);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_MAP_GPA_PAGES), 0);
}

/* Where the user address of a bad region case points. */
enum test_uaddr {
	UADDR_MAPPED,		/* test memory plus the offset */
	UADDR_ABSOLUTE,		/* the offset itself */
	UADDR_TOP,		/* the last page of user space */
};

struct mshv_bad_region_case {
	const char *desc;
	u64 size;
	u64 guest_pfn;
	u64 uaddr_offset;
	enum test_uaddr where;
	int err;
};

static const struct mshv_bad_region_case mshv_bad_region_cases[] = {
	{ "size 0", 0, 0x1000, 0, UADDR_MAPPED, -EINVAL },
	{ "unaligned size", PAGE_SIZE + 1, 0x1000, 0, UADDR_MAPPED, -EINVAL },
	{ "unaligned address", PAGE_SIZE, 0x1000, 8, UADDR_MAPPED, -EINVAL },
	{ "beyond the GPA limit", 2 * PAGE_SIZE, MSHV_GFN_LIMIT - 1, 0,
	  UADDR_MAPPED, -EINVAL },
	{ "wrapping guest range", 2 * PAGE_SIZE, U64_MAX, 0, UADDR_MAPPED,
	  -EINVAL },
	{ "wrapping user range", 2 * PAGE_SIZE, 0x1000, U64_MAX & PAGE_MASK,
	  UADDR_ABSOLUTE, -EINVAL },
	{ "beyond user space", 2 * PAGE_SIZE, 0x1000, 0, UADDR_TOP, -EINVAL },
	{ "not mapped", 2 * PAGE_SIZE, 0x1000, 0x1000, UADDR_ABSOLUTE,
	  -EFAULT },
};

static void mshv_bad_region_desc(const struct mshv_bad_region_case *c,
				 char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mshv_bad_region, mshv_bad_region_cases,
		  mshv_bad_region_desc);

/* Bad arguments fail with the precise errno, for both kinds of region. */
static void mshv_test_bad_region(struct kunit *test)
{
	const struct mshv_bad_region_case *c = test->param_value;
	unsigned long uaddr = test_user_memory(test, 4);
	struct mshv_user_mem_region mem = {
		.size = c->size,
		.guest_pfn = c->guest_pfn,
	};
	struct mshv_partition pt = {};

	if (c->where == UADDR_MAPPED)
		mem.userspace_addr = uaddr + c->uaddr_offset;
	else if (c->where == UADDR_ABSOLUTE)
		mem.userspace_addr = c->uaddr_offset;
	else
		mem.userspace_addr = TASK_SIZE - PAGE_SIZE;

	test_partition_init(&pt, true);
	KUNIT_EXPECT_EQ(test, map_region(&pt, &mem, false), c->err);
	KUNIT_EXPECT_EQ(test, map_region(&pt, &mem, true), c->err);
	KUNIT_EXPECT_EQ(test, ((struct fake_hv *)test->priv)->nr_calls, 0);
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 0);
}

/*
 * A movable region is registered without any hypercall; a fault maps the
 * chunk's pages, and munmap of the memory unmaps them again.
 */
static void mshv_test_movable_fault_invalidate(struct kunit *test)
{
	unsigned long uaddr = test_user_memory(test, TEST_MEM_PAGES);
	struct mshv_user_mem_region mem = {
		.size = TEST_MEM_PAGES * PAGE_SIZE,
		.guest_pfn = 0x1100,
		.userspace_addr = uaddr,
		.flags = BIT(MSHV_SET_MEM_BIT_WRITABLE),
	};
	struct fake_hv *hv = test->priv;
	struct mshv_partition pt = {};
	u8 marker = 0xa7, byte = 0;
	unsigned int i, bad = 0;
	u64 pfn;
	u8 bits;

	test_partition_init(&pt, false);
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)uaddr +
					   5 * PAGE_SIZE, &marker, 1), 0);

	KUNIT_ASSERT_EQ(test, map_region(&pt, &mem, true), 0);
	KUNIT_EXPECT_EQ(test, ((struct fake_hv *)test->priv)->nr_calls, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_pinned_pages), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_movable_mapped), 0);
	KUNIT_EXPECT_TRUE(test, slat_empty(test));
	KUNIT_EXPECT_EQ(test, slat_read_byte(test, 0x1105, &byte), -EFAULT);

	/* Pages out of any region, or written in a read-only way. */
	KUNIT_EXPECT_EQ(test, mshv_region_handle_gpa_fault(&pt, 0x10ff, false),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, mshv_region_handle_gpa_fault(&pt, 0x1200, true),
			-ENOENT);

	KUNIT_ASSERT_EQ(test, mshv_region_handle_gpa_fault(&pt, 0x1105, true),
			0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_movable_mapped),
			TEST_MEM_PAGES);
	bad = 0;
	for (i = 0; i < TEST_MEM_PAGES; i++)
		if (!slat_entry(test, 0x1100 + i, &pfn, &bits) ||
		    bits != (FAKE_GPA_R | FAKE_GPA_W))
			bad++;
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_ASSERT_EQ(test, slat_read_byte(test, 0x1105, &byte), 0);
	KUNIT_EXPECT_EQ(test, byte, marker);

	/* Faulting on a mapped chunk again maps nothing more. */
	hv->nr_calls = 0;
	KUNIT_EXPECT_EQ(test, mshv_region_handle_gpa_fault(&pt, 0x11ff, false),
			0);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_MAP_GPA_PAGES), 0);

	/* The kernel takes the memory away: the hypervisor unmaps it. */
	KUNIT_ASSERT_EQ(test, vm_munmap(uaddr + 3 * PAGE_SIZE, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_movable_mapped), 0);
	KUNIT_EXPECT_TRUE(test, slat_empty(test));
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_UNMAP_GPA_PAGES), 1);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_MAP_GPA_PAGES), 0);
	/* The hole cannot be faulted in. */
	KUNIT_EXPECT_EQ(test, mshv_region_handle_gpa_fault(&pt, 0x1103, true),
			-EFAULT);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_movable_mapped), 0);

	mem.flags = BIT(MSHV_SET_MEM_BIT_UNMAP);
	KUNIT_EXPECT_EQ(test, unmap_region(&pt, &mem), 0);
	KUNIT_EXPECT_TRUE(test, slat_empty(test));
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_tracking_bytes), 0);
}

/*
 * A VP thread faulting a movable region in, in the test's address space,
 * or (with @mem) the VMM's thread unmapping the region.
 */
struct region_thread {
	struct kunit *test;
	struct mshv_partition *pt;
	struct mm_struct *mm;
	struct mshv_user_mem_region *mem;
	u64 gfn;
	int ret;
	struct completion done;
};

static int region_thread_fn(void *data)
{
	struct region_thread *t = data;

	/* The fake hypervisor answers this thread as well. */
	current->kunit_test = t->test;
	if (t->mem) {
		t->ret = unmap_region(t->pt, t->mem);
	} else {
		kthread_use_mm(t->mm);
		t->ret = mshv_region_handle_gpa_fault(t->pt, t->gfn, true);
		kthread_unuse_mm(t->mm);
	}
	current->kunit_test = NULL;
	kthread_complete_and_exit(&t->done, 0);
}

static struct task_struct *region_thread_start(struct region_thread *t)
{
	init_completion(&t->done);
	t->ret = 1;
	return kthread_run(region_thread_fn, t, "mshv-region-test");
}

/*
 * Unmapping a movable region that a VP thread is faulting in returns at
 * once: the fault (held here on mmap_lock, as a userfaultfd handler would
 * hold it) keeps its reference, maps nothing once it goes on, and frees
 * the region itself. KASAN reports a region freed under the fault.
 */
static void mshv_test_movable_unmap_during_fault(struct kunit *test)
{
	unsigned long uaddr = test_user_memory(test, TEST_MEM_PAGES);
	struct mshv_user_mem_region mem = {
		.size = TEST_MEM_PAGES * PAGE_SIZE,
		.guest_pfn = 0x1400,
		.userspace_addr = uaddr,
		.flags = BIT(MSHV_SET_MEM_BIT_UNMAP),
	};
	struct mshv_partition pt = {};
	struct region_thread fault = {
		.test = test, .pt = &pt, .mm = current->mm, .gfn = 0x1405,
	};
	struct region_thread unmap = { .test = test, .pt = &pt, .mem = &mem };
	struct task_struct *task;
	unsigned long timeout;
	bool unmapped = false;

	test_partition_init(&pt, false);
	mem.flags = BIT(MSHV_SET_MEM_BIT_WRITABLE);
	KUNIT_ASSERT_EQ(test, map_region(&pt, &mem, true), 0);
	mem.flags = BIT(MSHV_SET_MEM_BIT_UNMAP);

	mmap_write_lock(fault.mm);
	task = region_thread_start(&fault);
	if (IS_ERR(task)) {
		mmap_write_unlock(fault.mm);
		KUNIT_FAIL(test, "no fault thread: %ld", PTR_ERR(task));
		return;
	}
	/* Wait until the fault holds the region and waits for mmap_lock. */
	timeout = jiffies + 10 * HZ;
	while (!mmap_lock_is_contended(fault.mm) &&
	       time_before(jiffies, timeout))
		usleep_range(1000, 2000);
	KUNIT_EXPECT_TRUE(test, mmap_lock_is_contended(fault.mm));

	/* Another thread unmaps: it must not wait for the held fault. */
	task = region_thread_start(&unmap);
	if (!IS_ERR(task))
		unmapped = wait_for_completion_timeout(&unmap.done, 10 * HZ);
	mmap_write_unlock(fault.mm);
	if (IS_ERR(task)) {
		KUNIT_FAIL(test, "no unmap thread: %ld", PTR_ERR(task));
		wait_for_completion(&fault.done);
		return;
	}
	KUNIT_EXPECT_TRUE_MSG(test, unmapped,
			      "the unmap waited for the fault it races with");
	if (!unmapped)
		wait_for_completion(&unmap.done);
	wait_for_completion(&fault.done);
	KUNIT_EXPECT_EQ(test, unmap.ret, 0);
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_tracking_bytes), 0);
	/* The region was gone by then: nothing was mapped for it. */
	KUNIT_EXPECT_EQ(test, fault.ret, -ENOENT);
	KUNIT_EXPECT_TRUE(test, slat_empty(test));
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_movable_mapped), 0);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_MAP_GPA_PAGES), 0);
}

/*
 * A fault-in that runs out of SLAT memory deposits with the region's lock
 * dropped and tries again; an unmap the hypervisor refuses is tried again,
 * and a region it stays refused for is kept, so that the VMM can retry.
 */
static void mshv_test_movable_retries(struct kunit *test)
{
	unsigned long uaddr = test_user_memory(test, 2 * 512);
	struct mshv_user_mem_region mem = {
		.size = 2 * 512 * PAGE_SIZE,
		.guest_pfn = 0x3000,
		.userspace_addr = uaddr,
		.flags = BIT(MSHV_SET_MEM_BIT_WRITABLE),
	};
	struct fake_hv *hv = test->priv;
	struct mshv_partition pt = {};
	unsigned int deposits;
	u64 pfn;
	u8 bits;

	test_partition_init(&pt, false);
	KUNIT_ASSERT_EQ(test, map_region(&pt, &mem, true), 0);

	deposits = fake_count(test, HVCALL_DEPOSIT_MEMORY);
	hv->map_nomem_at = hv->map_reps + 10;
	KUNIT_ASSERT_EQ(test, mshv_region_handle_gpa_fault(&pt, 0x3000, false),
			0);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DEPOSIT_MEMORY),
			deposits + 1);
	KUNIT_ASSERT_TRUE(test, slat_entry(test, 0x31ff, &pfn, &bits));
	KUNIT_EXPECT_EQ(test, bits, FAKE_GPA_R | FAKE_GPA_W);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_movable_mapped), 512);

	/* The first two unmaps of the invalidation fail, the third works. */
	hv->nomem_code = HVCALL_UNMAP_GPA_PAGES;
	hv->nomem_left = 2;
	KUNIT_ASSERT_EQ(test, vm_munmap(uaddr, PAGE_SIZE), 0);
	KUNIT_EXPECT_EQ(test, hv->nomem_left, 0);
	KUNIT_EXPECT_TRUE(test, slat_empty(test));
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_movable_mapped), 0);

	/* Every unmap fails: the region stays, mapped, and can be retried. */
	KUNIT_ASSERT_EQ(test, mshv_region_handle_gpa_fault(&pt, 0x3280, true),
			0);
	hv->nomem_left = 3;
	mem.flags = BIT(MSHV_SET_MEM_BIT_UNMAP);
	KUNIT_EXPECT_EQ(test, unmap_region(&pt, &mem), -ENOMEM);
	KUNIT_EXPECT_EQ(test, hv->nomem_left, 0);
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 1);
	KUNIT_EXPECT_TRUE(test, slat_entry(test, 0x3280, &pfn, &bits));
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_movable_mapped), 512);
	KUNIT_EXPECT_EQ(test, unmap_region(&pt, &mem), 0);
	KUNIT_EXPECT_TRUE(test, slat_empty(test));
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_movable_mapped), 0);
}

/* A read-only movable region refuses writes and maps read-only. */
static void mshv_test_movable_read_only(struct kunit *test)
{
	unsigned long uaddr = test_user_memory(test, 16);
	struct mshv_user_mem_region mem = {
		.size = 16 * PAGE_SIZE,
		.guest_pfn = 0x2000,
		.userspace_addr = uaddr,
		.flags = BIT(MSHV_SET_MEM_BIT_EXECUTABLE),
	};
	struct mshv_partition pt = {};
	u64 pfn;
	u8 bits;

	test_partition_init(&pt, true);
	KUNIT_ASSERT_EQ(test, map_region(&pt, &mem, true), 0);
	KUNIT_EXPECT_EQ(test, mshv_region_handle_gpa_fault(&pt, 0x2001, true),
			-EACCES);
	KUNIT_ASSERT_EQ(test, mshv_region_handle_gpa_fault(&pt, 0x2001, false),
			0);
	KUNIT_ASSERT_TRUE(test, slat_entry(test, 0x200f, &pfn, &bits));
	KUNIT_EXPECT_EQ(test, bits, FAKE_GPA_R | FAKE_GPA_X);

	/* Release takes every region away. */
	mshv_partition_release_regions(&pt);
	KUNIT_EXPECT_TRUE(test, slat_empty(test));
	KUNIT_EXPECT_EQ(test, pt.pt_nr_regions, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_movable_mapped), 0);
}

/*
 * Registration makes no hypercall, whatever the size; a fault maps its own
 * chunk only, and removal unmaps that chunk only, the way it was mapped
 * (one large rep if the memory was a huge page, else page by page).
 */
static void mshv_test_movable_lazy(struct kunit *test)
{
	unsigned long uaddr = test_user_memory(test, 3 * 512);
	struct mshv_user_mem_region mem = {
		.size = 3 * 512 * PAGE_SIZE,
		.guest_pfn = 0x200,
		.userspace_addr = uaddr,
		.flags = BIT(MSHV_SET_MEM_BIT_WRITABLE),
	};
	struct mshv_partition pt = {};
	struct fake_hv *hv = test->priv;
	unsigned int i, bad = 0;
	bool large;
	u64 pfn;
	u8 bits;

	test_partition_init(&pt, true);
	KUNIT_ASSERT_EQ(test, map_region(&pt, &mem, true), 0);
	KUNIT_EXPECT_EQ(test, hv->nr_calls, 0);

	KUNIT_ASSERT_EQ(test, mshv_region_handle_gpa_fault(&pt, 0x4ab, true),
			0);
	KUNIT_EXPECT_FALSE(test, slat_entry(test, 0x3ff, &pfn, &bits));
	KUNIT_EXPECT_FALSE(test, slat_entry(test, 0x600, &pfn, &bits));
	KUNIT_ASSERT_TRUE(test, slat_entry(test, 0x400, &pfn, &bits));
	large = bits & FAKE_GPA_LARGE;
	for (i = 0; i < 512; i++)
		if (!slat_entry(test, 0x400 + i, &pfn, &bits) ||
		    (bits & ~FAKE_GPA_LARGE) != (FAKE_GPA_R | FAKE_GPA_W) ||
		    !!(bits & FAKE_GPA_LARGE) != large)
			bad++;
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, hv->map_reps, large ? 1 : 512);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_movable_mapped), 512);

	hv->nr_calls = 0;
	mshv_partition_release_regions(&pt);
	KUNIT_EXPECT_TRUE(test, slat_empty(test));
	KUNIT_ASSERT_EQ(test, fake_count(test, HVCALL_UNMAP_GPA_PAGES), 1);
	KUNIT_EXPECT_EQ(test, hv->log[0].gfn, 0x400);
	KUNIT_EXPECT_EQ(test, hv->log[0].flags,
			large ? HV_UNMAP_GPA_LARGE_PAGE : 0);
	KUNIT_EXPECT_EQ(test, hv->unmap_reps, large ? 1 : 512);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pt.pt_movable_mapped), 0);
}

/*
 * HvDispatchVp runs with interrupts enabled, so that the root's interrupts
 * end the dispatch, and preemption disabled, on dispatch pages of its own
 * rather than the CPU's shared hypercall pages, which an interrupt handler
 * may use meanwhile. No time slice is asked for.
 */
#define TEST_DISPATCH_PT	7

static void mshv_test_dispatch_irqs_enabled(struct kunit *test)
{
	struct fake_hv *hv = test->priv;
	const struct hv_input_dispatch_vp *in = (const void *)hv->input_copy;
	const u32 flags = HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND;
	struct hv_output_dispatch_vp out = {};

	if (mshv_scheduler_type != HV_SCHEDULER_TYPE_ROOT)
		kunit_skip(test, "the hypervisor schedules the VPs");

	hv->dispatch_irqs_off = true;
	hv->dispatch_preemptible = true;
	hv->dispatch_shared_pages = true;
	KUNIT_ASSERT_EQ(test, mshv_hvcall_dispatch_vp(TEST_DISPATCH_PT, 3,
						      flags, &out), 0);
	KUNIT_EXPECT_EQ(test, fake_count(test, HVCALL_DISPATCH_VP), 1);
	KUNIT_EXPECT_FALSE(test, hv->dispatch_irqs_off);
	KUNIT_EXPECT_FALSE(test, hv->dispatch_preemptible);
	KUNIT_EXPECT_FALSE(test, hv->dispatch_shared_pages);
	KUNIT_EXPECT_EQ(test, in->partition_id, TEST_DISPATCH_PT);
	KUNIT_EXPECT_EQ(test, in->vp_index, 3);
	KUNIT_EXPECT_EQ(test, in->flags, flags);
	KUNIT_EXPECT_EQ(test, in->time_slice, 0);
	KUNIT_EXPECT_EQ(test, out.dispatch_state, HV_VP_DISPATCH_STATE_READY);
	KUNIT_EXPECT_EQ(test, out.dispatch_event,
			HV_VP_DISPATCH_EVENT_INTERCEPT);
}

static struct kunit_case mshv_hvcall_fake_cases[] = {
	KUNIT_CASE(mshv_test_dispatch_irqs_enabled),
	KUNIT_CASE_PARAM(mshv_test_rep_continues, mshv_rep_gen_params),
	KUNIT_CASE(mshv_test_rep_stops_on_error),
	KUNIT_CASE(mshv_test_rep_stalled),
	KUNIT_CASE(mshv_test_rep_no_page),
	KUNIT_CASE(mshv_test_deposit_batches),
	KUNIT_CASE(mshv_test_deposit_partial),
	KUNIT_CASE(mshv_test_withdraw_all),
	KUNIT_CASE(mshv_test_withdraw_error),
	KUNIT_CASE(mshv_test_withdraw_no_resources),
	KUNIT_CASE(mshv_test_create_deposits_self),
	KUNIT_CASE(mshv_test_initialize_retries),
	KUNIT_CASE(mshv_test_initialize_error),
	KUNIT_CASE_PARAM(mshv_test_deposit_for_status, mshv_need_gen_params),
	KUNIT_CASE(mshv_test_deposit_for_other_status),
	KUNIT_CASE(mshv_test_deposit_limit),
	KUNIT_CASE(mshv_test_get_property),
	KUNIT_CASE(mshv_test_get_vmm_caps),
	KUNIT_CASE(mshv_test_set_property),
	KUNIT_CASE(mshv_test_passthru),
	KUNIT_CASE(mshv_test_passthru_failure),
	KUNIT_CASE(mshv_test_passthru_async),
	KUNIT_CASE(mshv_test_passthru_async_failure),
	KUNIT_CASE(mshv_test_passthru_async_stray),
	KUNIT_CASE(mshv_test_passthru_pending_not_async),
	KUNIT_CASE(mshv_test_doorbell_drain_budget),
	KUNIT_CASE(mshv_test_doorbell_refill_retry),
	{}
};

static struct kunit_suite mshv_hvcall_fake_suite = {
	.name = "mshv_hvcall_fake",
	.init = mshv_fake_init,
	.test_cases = mshv_hvcall_fake_cases,
};

static struct kunit_case mshv_regions_fake_cases[] = {
	KUNIT_CASE(mshv_test_map_pinned),
	KUNIT_CASE(mshv_test_map_nomem_continues),
	KUNIT_CASE(mshv_test_map_failure_unmaps),
	KUNIT_CASE(mshv_test_access_states),
	KUNIT_CASE(mshv_test_pinned_user_memory),
	KUNIT_CASE(mshv_test_pinned_kept_until_deleted),
	KUNIT_CASE(mshv_test_pinned_hole),
	KUNIT_CASE_PARAM(mshv_test_bad_region, mshv_bad_region_gen_params),
	KUNIT_CASE(mshv_test_movable_fault_invalidate),
	KUNIT_CASE(mshv_test_movable_unmap_during_fault),
	KUNIT_CASE(mshv_test_movable_retries),
	KUNIT_CASE(mshv_test_movable_read_only),
	KUNIT_CASE(mshv_test_movable_lazy),
	{}
};

static struct kunit_suite mshv_regions_fake_suite = {
	.name = "mshv_regions_fake",
	.init = mshv_fake_init,
	.test_cases = mshv_regions_fake_cases,
};

/* ---- MSI routing ------------------------------------------------------- */

/* An MSI address (low half) for an APIC id, physical or logical. */
static u32 test_msi_addr(u32 dest, bool logical)
{
	return 0xfee00000 | dest << 12 | (logical ? BIT(2) : 0);
}

/* The fields of an MSI message land in the interrupt they raise. */
static void mshv_test_msi_decode(struct kunit *test)
{
	struct mshv_lapic_irq irq;

	/* Vector 0x31, fixed, edge, physical APIC 5. */
	mshv_msi_to_irq(test_msi_addr(5, false), 0x31, &irq);
	KUNIT_EXPECT_EQ(test, irq.vector, 0x31);
	KUNIT_EXPECT_EQ(test, irq.dest, 5);
	KUNIT_EXPECT_EQ(test, irq.type, HV_X64_INTERRUPT_TYPE_FIXED);
	KUNIT_EXPECT_FALSE(test, irq.level);
	KUNIT_EXPECT_FALSE(test, irq.logical);

	/*
	 * Vector 0xfe, lowest priority, level with the assert bit, logical
	 * destination 0xff, redirection hint: the hint and the assert bit
	 * do not matter.
	 */
	mshv_msi_to_irq(test_msi_addr(0xff, true) | BIT(3),
			0xfe | 1 << 8 | BIT(14) | BIT(15), &irq);
	KUNIT_EXPECT_EQ(test, irq.vector, 0xfe);
	KUNIT_EXPECT_EQ(test, irq.dest, 0xff);
	KUNIT_EXPECT_EQ(test, irq.type, HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY);
	KUNIT_EXPECT_TRUE(test, irq.level);
	KUNIT_EXPECT_TRUE(test, irq.logical);

	/* NMI delivery mode passes through as the interrupt type. */
	mshv_msi_to_irq(test_msi_addr(0, false), 4 << 8, &irq);
	KUNIT_EXPECT_EQ(test, irq.type, HV_X64_INTERRUPT_TYPE_NMI);
}

static void test_irq_table_free(void *table)
{
	mshv_irq_table_free(table);
}

/* A table is indexed by GSI; unrouted and out-of-range GSIs miss. */
static void mshv_test_irq_table_lookup(struct kunit *test)
{
	static const struct mshv_user_irq_entry entries[] = {
		{ .gsi = 7, .address_lo = 0xfee03000, .data = 0x40 },
		{ .gsi = 2, .address_lo = 0xfee01000, .data = 0x8021 },
		{ .gsi = 0, .address_lo = 0xfee00000, .data = 0x22 },
	};
	struct mshv_irq_table *table;
	struct mshv_lapic_irq irq;

	table = mshv_irq_table_build(entries, ARRAY_SIZE(entries));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, table);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							test_irq_table_free,
							table), 0);

	KUNIT_ASSERT_TRUE(test, mshv_irq_table_lookup(table, 7, &irq));
	KUNIT_EXPECT_EQ(test, irq.vector, 0x40);
	KUNIT_EXPECT_EQ(test, irq.dest, 3);
	KUNIT_ASSERT_TRUE(test, mshv_irq_table_lookup(table, 2, &irq));
	KUNIT_EXPECT_EQ(test, irq.vector, 0x21);
	KUNIT_EXPECT_TRUE(test, irq.level);
	KUNIT_ASSERT_TRUE(test, mshv_irq_table_lookup(table, 0, &irq));
	KUNIT_EXPECT_EQ(test, irq.vector, 0x22);

	KUNIT_EXPECT_FALSE(test, mshv_irq_table_lookup(table, 1, &irq));
	KUNIT_EXPECT_FALSE(test, mshv_irq_table_lookup(table, 6, &irq));
	KUNIT_EXPECT_FALSE(test, mshv_irq_table_lookup(table, 8, &irq));
	KUNIT_EXPECT_FALSE(test, mshv_irq_table_lookup(table, U32_MAX, &irq));
	/* No table: nothing is routed. */
	KUNIT_EXPECT_FALSE(test, mshv_irq_table_lookup(NULL, 0, &irq));
}

/* Bad entries fail the whole table; an empty one is no table at all. */
static void mshv_test_irq_table_bad(struct kunit *test)
{
	struct mshv_user_irq_entry entries[3] = {
		{ .gsi = 1, .address_lo = 0xfee00000, .data = 0x30 },
		{ .gsi = 4095, .address_lo = 0xfee00000, .data = 0x31 },
		{ .gsi = 3, .address_lo = 0xfee00000, .data = 0x32 },
	};
	struct mshv_irq_table *table;

	KUNIT_EXPECT_NULL(test, mshv_irq_table_build(entries, 0));

	/* The largest GSI is fine. */
	table = mshv_irq_table_build(entries, 3);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, table);
	if (!IS_ERR(table))
		mshv_irq_table_free(table);

	entries[1].gsi = 4096;
	KUNIT_EXPECT_EQ(test, PTR_ERR(mshv_irq_table_build(entries, 3)),
			-EINVAL);
	entries[1].gsi = 1;	/* routed twice */
	KUNIT_EXPECT_EQ(test, PTR_ERR(mshv_irq_table_build(entries, 3)),
			-EINVAL);
	entries[1].gsi = 0;
	entries[2].gsi = 0;	/* GSI 0 twice */
	KUNIT_EXPECT_EQ(test, PTR_ERR(mshv_irq_table_build(entries, 3)),
			-EINVAL);
	entries[2].gsi = 2;
	entries[2].address_hi = 1;	/* no extended destination ids */
	KUNIT_EXPECT_EQ(test, PTR_ERR(mshv_irq_table_build(entries, 3)),
			-EINVAL);
}

/*
 * The register page's vector word: a count byte, then up to seven
 * vectors. Adding skips a queued vector and stops when full; removing
 * closes the gap; bytes beyond the count are ignored.
 */
static void mshv_test_register_page_vectors(struct kunit *test)
{
	u64 word = 0;
	u8 vector;

	KUNIT_EXPECT_EQ(test, mshv_vectors_add(&word, 0x30), 0);
	KUNIT_EXPECT_EQ(test, mshv_vectors_add(&word, 0x31), 0);
	KUNIT_EXPECT_EQ(test, mshv_vectors_add(&word, 0x30), 0);
	KUNIT_EXPECT_EQ(test, word, 0x313002ULL);
	for (vector = 0x32; vector <= 0x36; vector++)
		KUNIT_EXPECT_EQ(test, mshv_vectors_add(&word, vector), 0);
	KUNIT_EXPECT_EQ(test, word, 0x3635343332313007ULL);
	KUNIT_EXPECT_EQ(test, mshv_vectors_add(&word, 0x40), -ENOSPC);
	KUNIT_EXPECT_EQ(test, mshv_vectors_add(&word, 0x36), 0);

	KUNIT_EXPECT_TRUE(test, mshv_vectors_remove(&word, 0x30));
	KUNIT_EXPECT_EQ(test, word, 0x36353433323106ULL);
	KUNIT_EXPECT_TRUE(test, mshv_vectors_remove(&word, 0x36));
	KUNIT_EXPECT_EQ(test, word, 0x353433323105ULL);
	KUNIT_EXPECT_TRUE(test, mshv_vectors_remove(&word, 0x33));
	KUNIT_EXPECT_EQ(test, word, 0x3534323104ULL);
	KUNIT_EXPECT_FALSE(test, mshv_vectors_remove(&word, 0x33));
	KUNIT_EXPECT_EQ(test, word, 0x3534323104ULL);

	/* A stale vector past the count is neither found nor kept. */
	word = 0x424101ULL;
	KUNIT_EXPECT_FALSE(test, mshv_vectors_remove(&word, 0x42));
	KUNIT_EXPECT_EQ(test, mshv_vectors_add(&word, 0x50), 0);
	KUNIT_EXPECT_EQ(test, word, 0x504102ULL);

	/* A count the hypervisor would not write: nothing is touched. */
	word = 0x08;
	KUNIT_EXPECT_EQ(test, mshv_vectors_add(&word, 0x30), -ENOSPC);
	KUNIT_EXPECT_FALSE(test, mshv_vectors_remove(&word, 0x30));
	KUNIT_EXPECT_EQ(test, word, 0x08ULL);
}

/*
 * A sparse VP set: one word per bank in the mask, in order; VPs the driver
 * cannot have and banks past the message's room are left out.
 */
static void mshv_test_bitset_vps(struct kunit *test)
{
	struct hv_vp_signal_bitset_scheduler_message msg = {
		.partition_id = 3,
		.vp_count = 4,
		.format = HV_GENERIC_SET_SPARSE_4K,
		.valid_bank_mask = BIT_ULL(0) | BIT_ULL(2) | BIT_ULL(5),
		.bank_contents = { 0x3, BIT_ULL(5) | BIT_ULL(63), 0x1 },
	};
	DECLARE_BITMAP(vps, MSHV_MAX_VPS);
	unsigned int i;

	KUNIT_EXPECT_EQ(test, mshv_synic_bitset_vps(&msg, vps), 4);
	KUNIT_EXPECT_TRUE(test, test_bit(0, vps));
	KUNIT_EXPECT_TRUE(test, test_bit(1, vps));
	KUNIT_EXPECT_TRUE(test, test_bit(133, vps));
	KUNIT_EXPECT_TRUE(test, test_bit(191, vps));

	/* Every bank valid: only the first 16 have a word, 4 are VPs. */
	msg.valid_bank_mask = ~0ULL;
	for (i = 0; i < HV_SCHEDULER_BITSET_BANKS; i++)
		msg.bank_contents[i] = BIT_ULL(i);
	KUNIT_EXPECT_EQ(test, mshv_synic_bitset_vps(&msg, vps), 4);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_TRUE(test, test_bit(i * 64 + i, vps));

	msg.vp_count = 0;
	KUNIT_EXPECT_EQ(test, mshv_synic_bitset_vps(&msg, vps), -EINVAL);
	msg.vp_count = 1;
	msg.format = 1;
	KUNIT_EXPECT_EQ(test, mshv_synic_bitset_vps(&msg, vps), -EINVAL);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(vps, MSHV_MAX_VPS));
}

/* ---- RCU: what the SynIC handler and irqfd wakeups look up ------------- */

/* How long a reader holds the RCU read lock at most, in milliseconds. */
#define RCU_HOLD_MS	200

/**
 * struct rcu_reader - a reader that keeps an old routing table
 * @pt: the partition whose routing table it reads
 * @holding: the reader holds the RCU read lock and the table
 * @done: the reader is done
 * @replaced: the test replaced the table
 * @found: the old table still routed TEST_RCU_GSI
 * @irq: the interrupt it routed it to
 */
struct rcu_reader {
	struct mshv_partition *pt;
	struct completion holding;
	struct completion done;
	bool replaced;
	bool found;
	struct mshv_lapic_irq irq;
};

#define TEST_RCU_GSI	5

/*
 * On another CPU, as the SynIC handler or an irqfd wakeup would: take the
 * table under rcu_read_lock(), wait until the test replaced it (or a
 * while), then look the GSI up in the old table. Freed before a grace
 * period, the table would be a use after free that KASAN reports.
 */
static int rcu_table_reader(void *data)
{
	struct rcu_reader *r = data;
	struct mshv_irq_table *old;
	unsigned long end;

	rcu_read_lock();
	old = rcu_dereference(r->pt->pt_irq_table);
	complete(&r->holding);
	end = jiffies + msecs_to_jiffies(RCU_HOLD_MS);
	while (!READ_ONCE(r->replaced) && time_before(jiffies, end))
		cpu_relax();
	r->found = mshv_irq_table_lookup(old, TEST_RCU_GSI, &r->irq);
	rcu_read_unlock();
	kthread_complete_and_exit(&r->done, 0);
}

/* Route TEST_RCU_GSI to @vector, through MSHV_SET_MSI_ROUTING. */
static int test_route(struct kunit *test, struct mshv_partition *pt,
		      unsigned long uaddr, u32 vector)
{
	struct {
		struct mshv_user_irq_table head;
		struct mshv_user_irq_entry entry;
	} t = {
		.head.nr = 1,
		.entry = { .gsi = TEST_RCU_GSI, .address_lo = 0xfee00000,
			   .data = vector },
	};
	long ret;

	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)uaddr, &t,
					   sizeof(t)), 0);
	mutex_lock(&pt->pt_mutex);
	ret = mshv_partition_ioctl_set_msi_routing(pt, (void __user *)uaddr);
	mutex_unlock(&pt->pt_mutex);
	return ret;
}

static void test_release_irq_table(void *pt)
{
	mshv_partition_release_irq_table(pt);
}

/*
 * A reader that took the routing table under RCU can still read it after
 * MSHV_SET_MSI_ROUTING replaced it: the old table is freed only after a
 * grace period.
 */
static void mshv_test_rcu_irq_table(struct kunit *test)
{
	unsigned long uaddr = test_user_memory(test, 1);
	struct task_struct *task;
	struct mshv_partition *pt;
	struct rcu_reader *r;
	unsigned int cpu;

	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	if (cpu >= nr_cpu_ids)
		kunit_skip(test, "needs a second CPU");
	pt = kunit_kzalloc(test, sizeof(*pt), GFP_KERNEL);
	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pt);
	KUNIT_ASSERT_NOT_NULL(test, r);
	mutex_init(&pt->pt_mutex);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							test_release_irq_table,
							pt), 0);
	KUNIT_ASSERT_EQ(test, test_route(test, pt, uaddr, 0x40), 0);

	r->pt = pt;
	init_completion(&r->holding);
	init_completion(&r->done);
	task = kthread_create(rcu_table_reader, r, "mshv-rcu-reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	kthread_bind(task, cpu);
	wake_up_process(task);
	wait_for_completion(&r->holding);

	KUNIT_EXPECT_EQ(test, test_route(test, pt, uaddr, 0x41), 0);
	WRITE_ONCE(r->replaced, true);
	wait_for_completion(&r->done);

	KUNIT_EXPECT_TRUE(test, r->found);
	KUNIT_EXPECT_EQ(test, r->irq.vector, 0x40);
	/* The partition now routes the GSI to the new vector. */
	KUNIT_EXPECT_TRUE(test, mshv_partition_irq_route(pt, TEST_RCU_GSI,
							 &r->irq));
	KUNIT_EXPECT_EQ(test, r->irq.vector, 0x41);
}

/**
 * struct rcu_obj_reader - a reader that keeps what it looked up under RCU
 * @lookup: finds the object, as the SynIC handler would, under RCU
 * @read: reads a field of the object
 * @ctx: argument of @lookup
 * @holding: the reader holds the RCU read lock and the object
 * @done: the reader is done
 * @released: the test dropped the object's last reference
 * @found: @lookup found the object
 * @value: what @read returned, after the release
 */
struct rcu_obj_reader {
	void *(*lookup)(void *ctx);
	u64 (*read)(const void *obj);
	void *ctx;
	struct completion holding;
	struct completion done;
	bool released;
	bool found;
	u64 value;
};

static int rcu_obj_reader_fn(void *data)
{
	struct rcu_obj_reader *r = data;
	unsigned long end;
	void *obj;

	rcu_read_lock();
	obj = r->lookup(r->ctx);
	complete(&r->holding);
	end = jiffies + msecs_to_jiffies(RCU_HOLD_MS);
	while (!READ_ONCE(r->released) && time_before(jiffies, end))
		cpu_relax();
	r->found = obj;
	if (obj)
		r->value = r->read(obj);
	rcu_read_unlock();
	kthread_complete_and_exit(&r->done, 0);
}

/* Start @r on another CPU and wait until it holds its object. */
static void rcu_obj_reader_start(struct kunit *test, struct rcu_obj_reader *r)
{
	struct task_struct *task;
	unsigned int cpu;

	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	if (cpu >= nr_cpu_ids)
		kunit_skip(test, "needs a second CPU");
	init_completion(&r->holding);
	init_completion(&r->done);
	task = kthread_create(rcu_obj_reader_fn, r, "mshv-rcu-reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	kthread_bind(task, cpu);
	wake_up_process(task);
	wait_for_completion(&r->holding);
}

/* Close @fd of this task and run its release now. */
static void test_close_now(int fd)
{
	close_fd(fd);
	flush_delayed_fput();
}

/* Create a partition through /dev/mshv; return its fd. */
static int test_create_partition(struct kunit *test, unsigned long uaddr)
{
	struct mshv_create_partition args = {
		.pt_isolation = MSHV_PT_ISOLATION_NONE,
	};
	struct file *dev;
	long fd;

	dev = filp_open("/dev/mshv", O_RDWR, 0);
	if (IS_ERR(dev))
		kunit_skip(test, "no /dev/mshv: %ld", PTR_ERR(dev));
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)uaddr, &args,
					   sizeof(args)), 0);
	fd = dev->f_op->unlocked_ioctl(dev, MSHV_CREATE_PARTITION, uaddr);
	filp_close(dev, NULL);
	KUNIT_ASSERT_GE(test, fd, 0);
	return fd;
}

static void *test_lookup_partition(void *ctx)
{
	return mshv_partition_find_rcu(*(u64 *)ctx);
}

static u64 test_read_partition(const void *obj)
{
	return ((const struct mshv_partition *)obj)->pt_id;
}

/*
 * The SynIC handler may hold a partition it looked up under RCU while the
 * partition's last fd is closed: it is freed only after a grace period.
 */
static void mshv_test_rcu_partition(struct kunit *test)
{
	unsigned long uaddr = test_user_memory(test, 1);
	struct rcu_obj_reader *r;
	struct file *file;
	u64 id;
	int fd;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	fd = test_create_partition(test, uaddr);
	file = fget(fd);
	KUNIT_ASSERT_NOT_NULL(test, file);
	id = ((struct mshv_partition *)file->private_data)->pt_id;
	fput(file);

	r->lookup = test_lookup_partition;
	r->read = test_read_partition;
	r->ctx = &id;
	rcu_obj_reader_start(test, r);
	test_close_now(fd);
	WRITE_ONCE(r->released, true);
	wait_for_completion(&r->done);

	KUNIT_EXPECT_TRUE(test, r->found);
	KUNIT_EXPECT_EQ(test, r->value, id);
	/* Gone for later lookups. */
	rcu_read_lock();
	KUNIT_EXPECT_NULL(test, mshv_partition_find_rcu(id));
	rcu_read_unlock();
}

static void *test_lookup_vp(void *ctx)
{
	struct mshv_partition *pt = mshv_partition_find_rcu(*(u64 *)ctx);

	return pt ? xa_load(&pt->pt_vps, 0) : NULL;
}

static u64 test_read_vp(const void *obj)
{
	return ((const struct mshv_vp *)obj)->vp_index + 1;
}

/*
 * The SynIC handler (a scheduler message, an intercept) or an irqfd
 * wakeup may hold a VP it looked up under RCU while the partition is
 * torn down: the VP is freed only after a grace period.
 */
static void mshv_test_rcu_vp(struct kunit *test)
{
	unsigned long uaddr = test_user_memory(test, 1);
	struct mshv_create_vp vp_args = { .vp_index = 0 };
	struct rcu_obj_reader *r;
	struct file *file;
	int fd, vp_fd;
	u64 id;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	fd = test_create_partition(test, uaddr);
	file = fget(fd);
	KUNIT_ASSERT_NOT_NULL(test, file);
	id = ((struct mshv_partition *)file->private_data)->pt_id;
	if (file->f_op->unlocked_ioctl(file, MSHV_INITIALIZE_PARTITION, 0)) {
		fput(file);
		test_close_now(fd);
		KUNIT_FAIL(test, "cannot initialize the partition");
		return;
	}
	KUNIT_ASSERT_EQ(test, copy_to_user((void __user *)uaddr, &vp_args,
					   sizeof(vp_args)), 0);
	vp_fd = file->f_op->unlocked_ioctl(file, MSHV_CREATE_VP, uaddr);
	fput(file);
	if (vp_fd < 0) {
		test_close_now(fd);
		KUNIT_FAIL(test, "cannot create VP 0: %d", vp_fd);
		return;
	}

	/* The VPs go with the partition, when its last fd is closed. */
	test_close_now(vp_fd);
	r->lookup = test_lookup_vp;
	r->read = test_read_vp;
	r->ctx = &id;
	rcu_obj_reader_start(test, r);
	test_close_now(fd);
	WRITE_ONCE(r->released, true);
	wait_for_completion(&r->done);

	KUNIT_EXPECT_TRUE(test, r->found);
	KUNIT_EXPECT_EQ(test, r->value, 1);
}

/* Create a partition and its VP 0 through /dev/mshv; their fds. */
static int test_create_vp(struct kunit *test, unsigned long uaddr, int *vp_fd)
{
	struct mshv_create_vp vp_args = { .vp_index = 0 };
	struct file *file;
	int fd;

	fd = test_create_partition(test, uaddr);
	file = fget(fd);
	KUNIT_ASSERT_NOT_NULL(test, file);
	*vp_fd = -EIO;
	if (!file->f_op->unlocked_ioctl(file, MSHV_INITIALIZE_PARTITION, 0) &&
	    !copy_to_user((void __user *)uaddr, &vp_args, sizeof(vp_args)))
		*vp_fd = file->f_op->unlocked_ioctl(file, MSHV_CREATE_VP,
						    uaddr);
	fput(file);
	return fd;
}

/*
 * Root scheduler: a blocked VP is not dispatched until it is signalled.
 * A scheduler message that lost signals (its overflow count set) cannot
 * say whose they were, so every VP looks again; a plain one wakes only
 * the VPs it names.
 */
static void mshv_test_pair_overflow_kicks_all(struct kunit *test)
{
	unsigned long uaddr = test_user_memory(test, 1);
	struct hv_vp_signal_pair_scheduler_message *pair;
	struct mshv_vp *vp;
	struct file *file;
	int fd, vp_fd;

	pair = kunit_kzalloc(test, sizeof(*pair), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pair);
	fd = test_create_vp(test, uaddr, &vp_fd);
	if (vp_fd < 0) {
		test_close_now(fd);
		KUNIT_FAIL(test, "cannot create VP 0: %d", vp_fd);
		return;
	}
	file = fget(vp_fd);
	KUNIT_ASSERT_NOT_NULL(test, file);
	vp = file->private_data;

	/* Another partition's VP: this one is not woken. */
	WRITE_ONCE(vp->vp_kicked, false);
	pair->vp_count = 1;
	pair->partition_ids[0] = vp->vp_partition->pt_id + 1000;
	mshv_synic_vp_signals(pair);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(vp->vp_kicked));

	pair->overflow_count = 1;
	mshv_synic_vp_signals(pair);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(vp->vp_kicked));

	fput(file);
	test_close_now(vp_fd);
	test_close_now(fd);
}

static struct kunit_case mshv_irq_cases[] = {
	KUNIT_CASE(mshv_test_msi_decode),
	KUNIT_CASE(mshv_test_irq_table_lookup),
	KUNIT_CASE(mshv_test_irq_table_bad),
	KUNIT_CASE(mshv_test_register_page_vectors),
	KUNIT_CASE(mshv_test_bitset_vps),
	KUNIT_CASE(mshv_test_rcu_irq_table),
	KUNIT_CASE(mshv_test_rcu_partition),
	KUNIT_CASE(mshv_test_rcu_vp),
	KUNIT_CASE(mshv_test_pair_overflow_kicks_all),
	{}
};

static struct kunit_suite mshv_irq_suite = {
	.name = "mshv_irq",
	.test_cases = mshv_irq_cases,
};

/* ---- The driver's use of the hypervisor seam -------------------------- */

/* This CPU's SINT0 register (work_on_cpu() callback). */
static long test_sint0(void *unused)
{
	long value;

	local_irq_disable();
	value = hv_seam_get_msr(HV_MSR_SINT0 +
				HV_SYNIC_INTERCEPTION_SINT_INDEX);
	local_irq_enable();
	return value;
}

/*
 * The SynIC set-up takes the hypervisor's recommendations through the
 * seam: the simulator recommends against auto-EOI, so SINT0 is programmed
 * without it on every CPU, whatever the CPUID of the machine says.
 */
static void mshv_test_seam_hints(struct kunit *test)
{
	union hv_synic_sint sint;
	unsigned int cpu;

	if (!hv_seam_simulated())
		kunit_skip(test, "the hypervisor simulator is not loaded");
	KUNIT_ASSERT_TRUE(test, hv_seam_hints() &
			  HV_DEPRECATING_AEOI_RECOMMENDED);
	for_each_online_cpu(cpu) {
		sint.as_uint64 = work_on_cpu(cpu, test_sint0, NULL);
		KUNIT_EXPECT_EQ(test, (u32)sint.vector, HYPERVISOR_CALLBACK_VECTOR);
		KUNIT_EXPECT_FALSE(test, (bool)sint.masked);
		KUNIT_EXPECT_FALSE(test, (bool)sint.auto_eoi);
	}
}

/* Without a fake, VP indexes come from the backend: the CPU numbers. */
static void mshv_test_seam_vp_index(struct kunit *test)
{
	if (!hv_seam_simulated())
		kunit_skip(test, "the hypervisor simulator is not loaded");
	KUNIT_EXPECT_EQ(test, hv_seam_vp_index(0), 0);
	KUNIT_EXPECT_EQ(test, hv_seam_vp_index(nr_cpu_ids - 1),
			nr_cpu_ids - 1);
	KUNIT_EXPECT_EQ(test, hv_seam_vp_index(nr_cpu_ids), VP_INVAL);
}

static struct kunit_case mshv_seam_cases[] = {
	KUNIT_CASE(mshv_test_seam_hints),
	KUNIT_CASE(mshv_test_seam_vp_index),
	{}
};

static struct kunit_suite mshv_seam_suite = {
	.name = "mshv_seam",
	.test_cases = mshv_seam_cases,
};

kunit_test_suites(&mshv_hvcall_suite, &mshv_hvcall_fake_suite,
		  &mshv_regions_suite, &mshv_regions_fake_suite,
		  &mshv_irq_suite, &mshv_seam_suite);

MODULE_DESCRIPTION("KUnit tests for the /dev/mshv hypercall layer");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
