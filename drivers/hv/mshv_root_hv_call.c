// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls of the /dev/mshv root partition driver.
 *
 * Every function here talks to the hypervisor only through the seam in
 * <hyperv/hv_seam.h>. Memory-based hypercalls pass their parameters in the
 * per-CPU input and output pages, so they run with interrupts disabled from
 * filling the input page until the output has been read back; anything
 * that may sleep (page allocation, copies from user space) happens before.
 * HvDispatchVp is the exception: it has pages of its own and runs with
 * interrupts enabled (see mshv_hvcall_dispatch_vp()).
 * Deposits, withdrawals and the deposit-and-retry loop are the root
 * partition's shared helpers of <hyperv/hv_proc.h>.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <kunit/visibility.h>
#include <hyperv/hv_proc.h>
#include <hyperv/hv_seam.h>
#include <hyperv/hvhdk.h>

#include "mshv_root.h"

/**
 * struct mshv_hvcall_args - a hypercall whose input the caller has built
 * @code: HVCALL_* code
 * @reps: rep count of a rep hypercall, 0 for a simple one
 * @in: the input, copied to the start of this CPU's input page
 * @in_sz: size of @in, at most a page
 * @out: receives the first @out_sz bytes of the output on success, or
 *	NULL for a call without output
 * @out_sz: size of @out, at most a page
 */
struct mshv_hvcall_args {
	u16 code;
	u16 reps;
	const void *in;
	size_t in_sz;
	void *out;
	size_t out_sz;
};

/*
 * Issue one hypercall described by @data, a struct mshv_hvcall_args:
 * interrupts stay disabled from filling this CPU's input page until the
 * output has been copied out, so that nothing else on the CPU can use the
 * pages meanwhile. A rep call is continued until its reps are done or it
 * fails. Also serves as the attempt of hv_call_with_deposit().
 */
static u64 mshv_hvcall_issue(void *data)
{
	const struct mshv_hvcall_args *args = data;
	void *input, *output;
	unsigned long flags;
	u64 status;

	local_irq_save(flags);
	input = hv_seam_input_page();
	output = args->out ? hv_seam_output_page() : NULL;
	memcpy(input, args->in, args->in_sz);
	if (args->reps)
		status = hv_call_rep(args->code, args->reps, 0, input, output);
	else
		status = hv_seam_hypercall(args->code, input, output);
	if (args->out && hv_result_success(status))
		memcpy(args->out, output, args->out_sz);
	local_irq_restore(flags);

	return status;
}

/* A simple hypercall with input @in and, unless @out is NULL, output. */
static u64 mshv_hvcall(u16 code, const void *in, size_t in_sz, void *out,
		       size_t out_sz)
{
	struct mshv_hvcall_args args = {
		.code = code,
		.in = in,
		.in_sz = in_sz,
		.out = out,
		.out_sz = out_sz,
	};

	return mshv_hvcall_issue(&args);
}

/* The same, logging a failure and returning its errno. */
static int mshv_hvcall_logged(u16 code, const void *in, size_t in_sz)
{
	return hv_call_result(code, mshv_hvcall(code, in, in_sz, NULL, 0));
}

/*
 * A simple hypercall that may need memory: pages are deposited into
 * @target's pool while the hypervisor asks for them. @status, if not
 * NULL, receives the last status.
 */
static int mshv_hvcall_deposit(u16 code, const void *in, size_t in_sz,
			       void *out, size_t out_sz, u64 target,
			       u64 *status)
{
	struct mshv_hvcall_args args = {
		.code = code,
		.in = in,
		.in_sz = in_sz,
		.out = out,
		.out_sz = out_sz,
	};

	return hv_call_with_deposit(NUMA_NO_NODE, mshv_hvcall_issue, &args,
				    target, status);
}

/**
 * mshv_hvcall_create_partition() - create a child partition
 * @flags: HV_PARTITION_CREATION_FLAG_* bits
 * @props: processor and xsave features to hide from the partition, or
 *	NULL to hide none
 * @partition_id: receives the new partition's id on success
 *
 * The hypervisor takes the memory for a new partition from the root's own
 * pool, so that is where pages are deposited when it runs short.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_create_partition(u64 flags,
				 const struct hv_partition_creation_properties *props,
				 u64 *partition_id)
{
	struct hv_input_create_partition input = {
		.flags = flags,
		.compatibility_version = HV_COMPATIBILITY_21_H2,
		.isolation_properties = HV_PARTITION_ISOLATION_TYPE_NONE,
	};
	struct hv_output_create_partition output;
	int ret;

	if (props)
		input.partition_creation_properties = *props;
	ret = mshv_hvcall_deposit(HVCALL_CREATE_PARTITION, &input,
				  sizeof(input), &output, sizeof(output),
				  HV_PARTITION_ID_SELF, NULL);
	if (!ret)
		*partition_id = output.partition_id;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_create_partition);

static u64 mshv_initialize_partition_once(void *data)
{
	const u64 *partition_id = data;

	return hv_seam_fast_hypercall8(HVCALL_INITIALIZE_PARTITION,
				       *partition_id);
}

/**
 * mshv_hvcall_initialize_partition() - make a created partition usable
 * @partition_id: the partition
 *
 * Deposits MSHV_INIT_DEPOSIT_PAGES pages into the partition, then
 * initializes it, depositing more while the hypervisor asks for it. Pages
 * deposited before a failure stay in the partition's pool.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_initialize_partition(u64 partition_id)
{
	int ret;

	ret = hv_call_deposit_pages(NUMA_NO_NODE, partition_id, MSHV_INIT_DEPOSIT_PAGES);
	if (ret)
		return ret;

	return hv_call_with_deposit(NUMA_NO_NODE,
				    mshv_initialize_partition_once,
				    &partition_id, partition_id, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_initialize_partition);

/* A fast hypercall whose only operand is a partition id. */
static int mshv_hvcall_partition_op(u16 code, u64 partition_id)
{
	return hv_call_result(code, hv_seam_fast_hypercall8(code,
							       partition_id));
}

/**
 * mshv_hvcall_finalize_partition() - stop a partition for deletion
 * @partition_id: the partition
 *
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_finalize_partition(u64 partition_id)
{
	return mshv_hvcall_partition_op(HVCALL_FINALIZE_PARTITION,
					partition_id);
}

/**
 * mshv_hvcall_delete_partition() - delete a finalized partition
 * @partition_id: the partition; its pool must have been withdrawn
 *
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_delete_partition(u64 partition_id)
{
	return mshv_hvcall_partition_op(HVCALL_DELETE_PARTITION,
					partition_id);
}

/**
 * mshv_hvcall_get_partition_property() - read a partition property
 * @partition_id: the partition, or HV_PARTITION_ID_SELF
 * @code: HV_PARTITION_PROPERTY_* code
 * @value: receives the property's value on success
 *
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_get_partition_property(u64 partition_id, u32 code,
				       u64 *value)
{
	struct hv_input_get_partition_property input = {
		.partition_id = partition_id,
		.property_code = code,
	};
	struct hv_output_get_partition_property output;
	u64 status;

	status = mshv_hvcall(HVCALL_GET_PARTITION_PROPERTY, &input,
			     sizeof(input), &output, sizeof(output));
	if (hv_result_success(status))
		*value = output.property_value;
	return hv_status_to_errno(status);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_get_partition_property);

/**
 * mshv_hvcall_set_partition_property() - change a partition property
 * @partition_id: the partition
 * @code: HV_PARTITION_PROPERTY_* code
 * @value: new value
 *
 * Context: process context, may sleep (to deposit memory).
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_set_partition_property(u64 partition_id, u32 code,
				       u64 value)
{
	struct hv_input_set_partition_property input = {
		.partition_id = partition_id,
		.property_code = code,
		.property_value = value,
	};

	return mshv_hvcall_deposit(HVCALL_SET_PARTITION_PROPERTY, &input,
				   sizeof(input), NULL, 0, partition_id, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_set_partition_property);

static u64 mshv_passthru_once(void *data)
{
	struct mshv_passthru_call *call = data;
	void *input, *output;
	unsigned long flags;
	u64 status;

	local_irq_save(flags);
	input = hv_seam_input_page();
	output = hv_seam_output_page();
	memcpy(input, call->input, call->in_sz);
	memset(input + call->in_sz, 0, HV_HYP_PAGE_SIZE - call->in_sz);
	memcpy(input, &call->partition_id, sizeof(call->partition_id));
	/* What the hypervisor leaves unwritten must not leak to the caller. */
	memset(output, 0, call->out_sz);
	if (call->reps)
		status = hv_call_rep(call->code, call->reps, 0, input,
				     output);
	else
		status = hv_seam_hypercall(hv_call_control(call->code, 0,
							   0, 0),
					   input, output);
	if (hv_result_success(status) && call->output)
		memcpy(call->output, output, call->out_sz);
	local_irq_restore(flags);

	return status;
}

/**
 * mshv_async_call_init() - set up a partition's asynchronous call state
 * @ac: the state, in a new partition
 */
void mshv_async_call_init(struct mshv_async_call *ac)
{
	atomic_set(&ac->armed, 0);
	ac->outstanding = false;
	ac->status = 0;
	init_completion(&ac->done);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_async_call_init);

/**
 * mshv_async_call_complete() - an asynchronous call's completion arrived
 * @ac: the state of the partition the message names
 * @status: the final status the message carries
 *
 * Hands @status to the caller that issued the call. A message that no
 * call is armed for (a stray one, or one for a call that was not pending
 * after all) is dropped.
 *
 * Context: any context (the SynIC handler).
 * Return: true if an armed call took the message.
 */
bool mshv_async_call_complete(struct mshv_async_call *ac, u64 status)
{
	if (atomic_cmpxchg(&ac->armed, 1, 0) != 1)
		return false;
	WRITE_ONCE(ac->status, status);
	/* complete() orders the status before the waiter wakes up. */
	complete(&ac->done);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_async_call_complete);

/*
 * Get ready to take the completion of the next call: first wait for the
 * completion of a call whose caller was killed while waiting for it, so
 * that the hypervisor never has two calls of the partition pending.
 */
static int mshv_async_call_arm(struct mshv_async_call *ac)
{
	if (ac->outstanding) {
		if (wait_for_completion_killable(&ac->done))
			return -EINTR;
		ac->outstanding = false;
	}
	atomic_set(&ac->armed, 1);
	/* Armed before the hypervisor can see the call. */
	smp_mb();
	return 0;
}

/*
 * The hypercall returned @status: if the call is pending, wait for its
 * completion message and replace @status by the final status; otherwise
 * disarm, taking a completion the SynIC handler may have just claimed.
 */
static int mshv_async_call_wait(struct mshv_async_call *ac, u64 *status)
{
	if (hv_result(*status) != HV_STATUS_CALL_PENDING) {
		if (atomic_cmpxchg(&ac->armed, 1, 0) != 1)
			wait_for_completion(&ac->done);
		return 0;
	}
	if (wait_for_completion_killable(&ac->done)) {
		/* The next call of the partition waits for this one. */
		ac->outstanding = true;
		return -EINTR;
	}
	*status = READ_ONCE(ac->status);
	return 0;
}

/* One attempt at an asynchronous call, waiting for its completion. */
static u64 mshv_passthru_async_once(void *data)
{
	struct mshv_passthru_call *call = data;
	u64 status;

	call->wait_err = mshv_async_call_arm(call->async);
	if (call->wait_err)
		return HV_STATUS_CALL_PENDING;
	status = mshv_passthru_once(call);
	call->wait_err = mshv_async_call_wait(call->async, &status);
	return status;
}

/**
 * mshv_hvcall_passthru() - issue a simple hypercall on behalf of user space
 * @call: the hypercall; @call->status receives the last result value
 *
 * The input is copied into this CPU's input page, the rest of which is
 * zeroed, and its first 8 bytes are replaced by @call->partition_id. A
 * rep hypercall (@call->reps not 0) is continued until all reps are done. The
 * output is copied to @call->output only on success. Pages are deposited
 * into the target partition while the hypervisor asks for memory.
 *
 * An asynchronous call (@call->async set) that the hypervisor answers
 * with HV_STATUS_CALL_PENDING is waited for, killably: its result is the
 * status of its completion message. A caller killed meanwhile leaves the
 * call outstanding, and the partition's next asynchronous call waits for
 * it before it is issued.
 *
 * Context: process context, may sleep; for an asynchronous call, the
 * partition's pt_mutex held.
 * Return: 0 on HV_STATUS_SUCCESS, -EINTR if killed while waiting for a
 * completion, -EBADFD if a call that is not asynchronous is pending, else
 * the errno of the status.
 */
int mshv_hvcall_passthru(struct mshv_passthru_call *call)
{
	int ret;

	if (WARN_ON_ONCE(call->in_sz < sizeof(u64) ||
			 call->in_sz > HV_HYP_PAGE_SIZE ||
			 call->out_sz > HV_HYP_PAGE_SIZE))
		return -EINVAL;

	call->wait_err = 0;
	ret = hv_call_with_deposit(NUMA_NO_NODE,
				   call->async ? mshv_passthru_async_once :
						 mshv_passthru_once,
				   call, call->partition_id, &call->status);
	if (call->wait_err)
		return call->wait_err;
	/* No completion message would ever say how it ended. */
	if (hv_result(call->status) == HV_STATUS_CALL_PENDING)
		return -EBADFD;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_passthru);

/**
 * mshv_hvcall_map_gpa_pages() - issue one HvMapGpaPages call
 * @partition_id: the child partition
 * @gfn: first guest page frame; 512-aligned with HV_MAP_GPA_LARGE_PAGE
 * @flags: HV_MAP_GPA_* flags
 * @pfns: the page frame of each rep (the first of 512 with
 *	HV_MAP_GPA_LARGE_PAGE), or NULL to pass PFN 0 in every rep, as for
 *	HV_MAP_GPA_NO_ACCESS
 * @count: number of reps, 1 to HV_MAP_GPA_MAX_PAGES
 *
 * Does not deposit memory: HV_STATUS_INSUFFICIENT_MEMORY is returned to
 * the caller with the number of reps done, so that this can be used where
 * allocating memory is not allowed.
 *
 * Context: any context.
 * Return: the hypercall result; hv_repcomp() of it is the reps completed.
 */
u64 mshv_hvcall_map_gpa_pages(u64 partition_id, u64 gfn, u32 flags,
			      const u64 *pfns, unsigned int count)
{
	struct hv_input_map_gpa_pages *input;
	unsigned long irq_flags;
	u64 status;

	if (WARN_ON_ONCE(!count || count > HV_MAP_GPA_MAX_PAGES))
		return HV_STATUS_INVALID_PARAMETER;

	local_irq_save(irq_flags);
	input = hv_seam_input_page();
	memset(input, 0, sizeof(*input));
	input->target_partition_id = partition_id;
	input->target_gpa_base = gfn;
	input->map_flags = flags;
	if (pfns)
		memcpy(input->source_gpa_page_list, pfns,
		       count * sizeof(*pfns));
	else
		memset(input->source_gpa_page_list, 0, count * sizeof(u64));
	status = hv_call_rep(HVCALL_MAP_GPA_PAGES, count, 0, input, NULL);
	local_irq_restore(irq_flags);

	return status;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_map_gpa_pages);

struct mshv_map_ctx {
	u64 partition_id;
	u64 gfn;
	u32 flags;
	const u64 *pfns;
	unsigned int count;
	unsigned int done;
};

/* Map the reps not yet done; a later call continues after them. */
static u64 mshv_map_gpa_pages_once(void *data)
{
	struct mshv_map_ctx *ctx = data;
	u64 stride = ctx->flags & HV_MAP_GPA_LARGE_PAGE ?
		     HV_PAGES_PER_LARGE_PAGE : 1;
	u64 status;

	status = mshv_hvcall_map_gpa_pages(ctx->partition_id,
					   ctx->gfn + ctx->done * stride,
					   ctx->flags,
					   ctx->pfns ? ctx->pfns + ctx->done :
						       NULL,
					   ctx->count - ctx->done);
	ctx->done += min_t(unsigned int, hv_repcomp(status),
			   ctx->count - ctx->done);
	return status;
}

/**
 * mshv_hvcall_map_gpa_pages_deposit() - map guest pages, feeding the pool
 * @partition_id: the child partition
 * @gfn: first guest page frame
 * @flags: HV_MAP_GPA_* flags
 * @pfns: the page frame of each rep, or NULL for PFN 0 in every rep
 * @count: number of reps, 1 to HV_MAP_GPA_MAX_PAGES
 *
 * When the hypervisor runs out of memory for the partition's second level
 * address translation, pages are deposited into the partition's pool and
 * the call continues with the first rep not yet done.
 *
 * Context: process context, may sleep. Must not be called where the
 * allocation of a page could wait for the caller (MMU notifiers).
 * Return: 0 on success, else a negative errno; reps done before a
 * failure stay mapped.
 */
int mshv_hvcall_map_gpa_pages_deposit(u64 partition_id, u64 gfn, u32 flags,
				      const u64 *pfns, unsigned int count)
{
	struct mshv_map_ctx ctx = {
		.partition_id = partition_id,
		.gfn = gfn,
		.flags = flags,
		.pfns = pfns,
		.count = count,
	};

	return hv_call_with_deposit(NUMA_NO_NODE, mshv_map_gpa_pages_once, &ctx,
				    partition_id, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_map_gpa_pages_deposit);

/**
 * mshv_hvcall_unmap_gpa_pages() - remove guest pages from the hypervisor
 * @partition_id: the child partition
 * @gfn: first guest page frame; 512-aligned with HV_UNMAP_GPA_LARGE_PAGE
 * @flags: HV_UNMAP_GPA_* flags
 * @count: number of reps (pages, or large pages), 1 to
 *	HV_UNMAP_GPA_MAX_PAGES
 *
 * Unmapping a page that is not mapped is not an error.
 *
 * Context: any context.
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_unmap_gpa_pages(u64 partition_id, u64 gfn, u32 flags,
				unsigned int count)
{
	struct hv_input_unmap_gpa_pages input = {
		.target_partition_id = partition_id,
		.target_gpa_base = gfn,
		.unmap_flags = flags,
	};
	struct mshv_hvcall_args args = {
		.code = HVCALL_UNMAP_GPA_PAGES,
		.reps = count,
		.in = &input,
		.in_sz = sizeof(input),
	};

	if (WARN_ON_ONCE(!count || count > HV_UNMAP_GPA_MAX_PAGES))
		return -EINVAL;
	return hv_call_result(args.code, mshv_hvcall_issue(&args));
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_unmap_gpa_pages);

/**
 * mshv_hvcall_get_gpa_access_states() - read and change access bits
 * @partition_id: the child partition
 * @gfn: first guest page frame
 * @flags: HV_GPA_ACCESS_STATE_* changes applied after each page is read
 * @count: number of pages, 1 to HV_GET_GPA_ACCESS_STATES_MAX
 * @states: receives one HV_GPA_PAGE_* byte per page reported
 * @done: receives the number of pages reported, also on failure
 *
 * Context: any context.
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_get_gpa_access_states(u64 partition_id, u64 gfn, u64 flags,
				      unsigned int count, u8 *states,
				      unsigned int *done)
{
	struct hv_input_get_gpa_pages_access_states *input;
	unsigned long irq_flags;
	u8 *output;
	u64 status;

	*done = 0;
	if (WARN_ON_ONCE(!count || count > HV_GET_GPA_ACCESS_STATES_MAX))
		return -EINVAL;

	local_irq_save(irq_flags);
	input = hv_seam_input_page();
	output = hv_seam_output_page();
	memset(input, 0, sizeof(*input));
	input->partition_id = partition_id;
	input->flags = flags;
	input->hv_gpa_page_number = gfn;
	status = hv_call_rep(HVCALL_GET_GPA_PAGES_ACCESS_STATES, count, 0,
			     input, output);
	*done = min_t(unsigned int, hv_repcomp(status), count);
	memcpy(states, output, *done);
	local_irq_restore(irq_flags);

	return hv_status_to_errno(status);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_get_gpa_access_states);

/**
 * mshv_hvcall_get_scheduler_type() - ask which scheduler the hypervisor runs
 * @type: receives HV_SCHEDULER_TYPE_*
 *
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_get_scheduler_type(u32 *type)
{
	struct hv_input_get_system_property input = {
		.property_id = HV_SYSTEM_PROPERTY_SCHEDULER_TYPE,
	};
	struct hv_output_get_system_property output;
	u64 status;

	status = mshv_hvcall(HVCALL_GET_SYSTEM_PROPERTY, &input, sizeof(input),
			     &output, sizeof(output));
	if (hv_result_success(status))
		*type = output.scheduler_type;
	return hv_call_result(HVCALL_GET_SYSTEM_PROPERTY, status);
}

/**
 * mshv_hvcall_get_vmm_caps() - what the hypervisor lets the root's VMM do
 * @caps: receives the first bank of HV_VMM_CAP_* bits
 *
 * A failure is not logged: hypervisors older than the property do not
 * know it, and the caller does without.
 *
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_get_vmm_caps(u64 *caps)
{
	struct hv_input_get_partition_property_ex input = {
		.partition_id = HV_PARTITION_ID_SELF,
		.property_code = HV_PARTITION_PROPERTY_VMM_CAPABILITIES,
	};
	struct hv_partition_property_vmm_capabilities output;
	u64 status;

	status = mshv_hvcall(HVCALL_GET_PARTITION_PROPERTY_EX, &input,
			     sizeof(input), &output, sizeof(output));
	if (hv_result_success(status))
		*caps = output.bank_count ? output.bank0 : 0;
	return hv_status_to_errno(status);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_get_vmm_caps);

/**
 * mshv_hvcall_delete_vp() - delete a virtual processor
 * @partition_id: the partition
 * @vp_index: the VP
 *
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_delete_vp(u64 partition_id, u32 vp_index)
{
	struct hv_input_delete_vp input = {
		.partition_id = partition_id,
		.vp_index = vp_index,
	};

	return mshv_hvcall_logged(HVCALL_DELETE_VP, &input, sizeof(input));
}

/**
 * mshv_hvcall_map_vp_state_page() - have the hypervisor share a VP page
 * @partition_id: the partition
 * @vp_index: the VP
 * @type: HV_VP_STATE_PAGE_*
 * @pfn: receives the page frame, in the root's memory, of the page
 *
 * The hypervisor provides the page; the root only maps it.
 *
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_map_vp_state_page(u64 partition_id, u32 vp_index, u16 type,
				  u64 *pfn)
{
	/* No flag or location: the hypervisor provides the page. */
	struct hv_input_map_vp_state_page input = {
		.partition_id = partition_id,
		.vp_index = vp_index,
		.type = type,
	};
	struct hv_output_map_vp_state_page output;
	u64 status;

	status = mshv_hvcall(HVCALL_MAP_VP_STATE_PAGE, &input, sizeof(input),
			     &output, sizeof(output));
	if (hv_result_success(status))
		*pfn = output.map_location;
	return hv_call_result(HVCALL_MAP_VP_STATE_PAGE, status);
}

/**
 * mshv_hvcall_unmap_vp_state_page() - stop sharing a VP page
 * @partition_id: the partition
 * @vp_index: the VP
 * @type: HV_VP_STATE_PAGE_*
 *
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_unmap_vp_state_page(u64 partition_id, u32 vp_index, u16 type)
{
	struct hv_input_unmap_vp_state_page input = {
		.partition_id = partition_id,
		.vp_index = vp_index,
		.type = type,
	};

	return mshv_hvcall_logged(HVCALL_UNMAP_VP_STATE_PAGE, &input,
				  sizeof(input));
}

/*
 * HvDispatchVp has input and output pages of its own on each CPU. The
 * call runs the guest until something stops it, which may be the whole
 * time slice: it is issued with interrupts enabled, so that the root's
 * interrupts (its timer tick, IPIs, device interrupts) end the dispatch
 * and are handled at once. Only preemption is disabled, which keeps the
 * thread on the CPU whose pages it filled. The shared per-CPU hypercall
 * pages cannot serve: an interrupt handler on this CPU may issue a
 * hypercall through them (an irqfd raising an interrupt) while the
 * dispatch is in flight. The pages exist only with the root scheduler,
 * for every possible CPU, so that CPU hotplug needs no care.
 */

/**
 * struct mshv_dispatch_pages - one CPU's HvDispatchVp argument pages
 * @input: the input page
 * @output: the output page
 */
struct mshv_dispatch_pages {
	void *input;
	void *output;
};

static struct mshv_dispatch_pages __percpu *mshv_dispatch_pages;

/**
 * mshv_dispatch_pages_free() - free the per-CPU HvDispatchVp pages
 *
 * Context: process context; no dispatch may be running or follow.
 */
void mshv_dispatch_pages_free(void)
{
	struct mshv_dispatch_pages *pages;
	unsigned int cpu;

	if (!mshv_dispatch_pages)
		return;
	for_each_possible_cpu(cpu) {
		pages = per_cpu_ptr(mshv_dispatch_pages, cpu);
		free_page((unsigned long)pages->input);
		free_page((unsigned long)pages->output);
	}
	free_percpu(mshv_dispatch_pages);
	mshv_dispatch_pages = NULL;
}

/* A zeroed page on @cpu's node for @cpu's dispatches, or NULL. */
static void *mshv_dispatch_page_alloc(unsigned int cpu)
{
	struct page *page;

	page = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
	return page ? page_address(page) : NULL;
}

/**
 * mshv_dispatch_pages_alloc() - allocate the per-CPU HvDispatchVp pages
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM (nothing is left allocated).
 */
int mshv_dispatch_pages_alloc(void)
{
	struct mshv_dispatch_pages *pages;
	unsigned int cpu;

	mshv_dispatch_pages = alloc_percpu(struct mshv_dispatch_pages);
	if (!mshv_dispatch_pages)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		pages = per_cpu_ptr(mshv_dispatch_pages, cpu);
		pages->input = mshv_dispatch_page_alloc(cpu);
		pages->output = mshv_dispatch_page_alloc(cpu);
		if (!pages->input || !pages->output)
			goto free_pages;
	}
	return 0;

free_pages:
	mshv_dispatch_pages_free();
	return -ENOMEM;
}

/**
 * mshv_hvcall_dispatch_vp() - run a virtual processor on this CPU
 * @partition_id: the partition
 * @vp_index: the VP
 * @flags: HV_DISPATCH_VP_FLAG_* flags
 * @out: receives the dispatch state and event on success
 *
 * Returns when the VP stops: at an intercept, when it blocks or is
 * suspended, when the root has an interrupt to handle, or when the
 * hypervisor's time slice ends. No time slice is asked for: the root's
 * own interrupts, its scheduler tick among them, end the dispatch.
 *
 * Context: process context, IRQs enabled; disables preemption for the
 *	duration of the call. mshv_dispatch_pages_alloc() succeeded.
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_dispatch_vp(u64 partition_id, u32 vp_index, u32 flags,
			    struct hv_output_dispatch_vp *out)
{
	struct mshv_dispatch_pages *pages;
	struct hv_input_dispatch_vp *input;
	u64 status;

	lockdep_assert_irqs_enabled();

	preempt_disable();
	pages = this_cpu_ptr(mshv_dispatch_pages);
	input = pages->input;
	memset(input, 0, sizeof(*input));
	input->partition_id = partition_id;
	input->vp_index = vp_index;
	input->flags = flags;
	status = hv_seam_hypercall(HVCALL_DISPATCH_VP, input, pages->output);
	if (hv_result_success(status))
		memcpy(out, pages->output, sizeof(*out));
	preempt_enable();

	return hv_call_result(HVCALL_DISPATCH_VP, status);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_dispatch_vp);

/**
 * mshv_hvcall_set_vp_reg64() - set 64-bit registers of a VP
 * @partition_id: the partition
 * @vp_index: the VP
 * @names: the registers (HV_REGISTER_*)
 * @values: their new values
 * @count: number of registers, at most 16
 *
 * Return: 0, or the negative errno of the hypervisor's status.
 */
int mshv_hvcall_set_vp_reg64(u64 partition_id, u32 vp_index,
			     const u32 *names, const u64 *values,
			     unsigned int count)
{
	DEFINE_RAW_FLEX(struct hv_input_set_vp_registers, input, elements, 16);
	struct mshv_hvcall_args args = {
		.code = HVCALL_SET_VP_REGISTERS,
		.reps = count,
		.in = input,
		.in_sz = struct_size(input, elements, count),
	};
	unsigned int i;

	if (WARN_ON_ONCE(count > 16))
		return -EINVAL;
	input->partition_id = partition_id;
	input->vp_index = vp_index;
	for (i = 0; i < count; i++) {
		input->elements[i].name = names[i];
		input->elements[i].value.reg64 = values[i];
	}
	return hv_call_result(args.code, mshv_hvcall_issue(&args));
}

/**
 * mshv_hvcall_assert_interrupt() - raise an interrupt in a partition
 * @partition_id: the partition
 * @irq: the interrupt: destination, vector and how it is delivered
 *
 * Context: any context; never sleeps.
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_assert_interrupt(u64 partition_id,
				 const struct mshv_lapic_irq *irq)
{
	struct hv_input_assert_virtual_interrupt input = {
		.partition_id = partition_id,
		.control.interrupt_type = irq->type,
		.dest_addr = irq->dest,
		.vector = irq->vector,
	};

	if (irq->level)
		input.control.flags |= HV_INTERRUPT_CONTROL_LEVEL_TRIGGERED;
	if (irq->logical)
		input.control.flags |= HV_INTERRUPT_CONTROL_LOGICAL_DEST;
	return mshv_hvcall_logged(HVCALL_ASSERT_VIRTUAL_INTERRUPT, &input,
				  sizeof(input));
}

/**
 * mshv_hvcall_create_doorbell_port() - create a port for a doorbell
 * @partition_id: the child partition that may connect to it
 * @port_id: a port id (1 to HV_PORT_ID_MAX) no other port of the root
 *	uses; it is what the root finds in its doorbell event ring when
 *	the doorbell rings
 *
 * The port belongs to the root and signals the root's doorbell SINT on
 * any processor. Its memory comes from the root's pool, which is
 * deposited into when the hypervisor runs short.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, -EADDRINUSE if the hypervisor has a port
 * @port_id already (one an earlier instance of the driver could not
 * delete), else a negative errno.
 */
int mshv_hvcall_create_doorbell_port(u64 partition_id, u32 port_id)
{
	struct hv_input_create_port input = {
		.port_partition_id = HV_PARTITION_ID_SELF,
		.port_id = port_id,
		.connection_partition_id = partition_id,
		.port_info.port_type = HV_PORT_TYPE_DOORBELL,
		.port_info.target_sint = HV_SYNIC_DOORBELL_SINT_INDEX,
		.port_info.target_vp = HV_ANY_VP,
	};
	u64 status;
	int ret;

	ret = mshv_hvcall_deposit(HVCALL_CREATE_PORT, &input, sizeof(input),
				  NULL, 0, HV_PARTITION_ID_SELF, &status);
	if (ret && hv_result(status) == HV_STATUS_INVALID_PORT_ID)
		return -EADDRINUSE;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_create_doorbell_port);

/**
 * mshv_hvcall_connect_doorbell() - connect a partition to its doorbell port
 * @partition_id: the child partition
 * @port_id: the port, created by mshv_hvcall_create_doorbell_port(); the
 *	connection gets the same id
 * @gpa: the guest physical address watched
 * @value: the value a write must have, unless @flags has
 *	HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE
 * @flags: HV_DOORBELL_FLAG_* bits: the write size and whether any value
 *	matches
 *
 * From then on a matching guest write signals the port. The connection's
 * memory comes from the child's pool, which is deposited into when the
 * hypervisor runs short.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_connect_doorbell(u64 partition_id, u32 port_id, u64 gpa,
				 u64 value, u64 flags)
{
	struct hv_input_connect_port input = {
		.connection_partition_id = partition_id,
		.connection_id = port_id,
		.port_partition_id = HV_PARTITION_ID_SELF,
		.port_id = port_id,
		.connection_info.port_type = HV_PORT_TYPE_DOORBELL,
		.connection_info.doorbell_gpa = gpa,
		.connection_info.trigger_value = value,
		.connection_info.doorbell_flags = flags,
	};

	return mshv_hvcall_deposit(HVCALL_CONNECT_PORT, &input, sizeof(input),
				   NULL, 0, partition_id, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_connect_doorbell);

/**
 * mshv_hvcall_disconnect_doorbell() - undo mshv_hvcall_connect_doorbell()
 * @partition_id: the child partition
 * @port_id: the doorbell's port id, which is also its connection id
 *
 * Once this returns the hypervisor puts @port_id into no event ring any
 * more; entries it put there before may still wait to be consumed.
 *
 * Context: any context.
 * Return: 0 on success, else the negative errno of the status (logged).
 */
int mshv_hvcall_disconnect_doorbell(u64 partition_id, u32 port_id)
{
	struct hv_input_disconnect_port input = {
		.connection_partition_id = partition_id,
		.connection_id = port_id,
		.flags = HV_DISCONNECT_PORT_IS_DOORBELL,
	};

	return mshv_hvcall_logged(HVCALL_DISCONNECT_PORT, &input,
				  sizeof(input));
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_disconnect_doorbell);

/**
 * mshv_hvcall_delete_port() - delete a port of the root
 * @port_id: the port
 *
 * Context: any context.
 * Return: 0 on success, else the negative errno of the status (logged).
 */
int mshv_hvcall_delete_port(u32 port_id)
{
	struct hv_input_delete_port input = {
		.port_partition_id = HV_PARTITION_ID_SELF,
		.port_id = port_id,
	};

	return mshv_hvcall_logged(HVCALL_DELETE_PORT, &input, sizeof(input));
}
EXPORT_SYMBOL_IF_KUNIT(mshv_hvcall_delete_port);

/**
 * mshv_hvcall_notify_port_ring_empty() - the root emptied an event ring
 * @sint_index: the SINT whose ring it emptied
 *
 * The hypervisor may then put the signals it could not queue while the
 * ring was full into the ring.
 *
 * Context: any context; never sleeps.
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_notify_port_ring_empty(u32 sint_index)
{
	return hv_call_result(HVCALL_NOTIFY_PORT_RING_EMPTY,
			      hv_seam_fast_hypercall8(HVCALL_NOTIFY_PORT_RING_EMPTY,
						      sint_index));
}

/**
 * mshv_hvcall_get_vp_reg64() - read a 64-bit register of a VP
 * @partition_id: the partition
 * @vp_index: the VP
 * @name: the register (HV_REGISTER_*)
 * @value: where its value goes
 *
 * Return: 0, or the negative errno of the hypervisor's status.
 */
int mshv_hvcall_get_vp_reg64(u64 partition_id, u32 vp_index, u32 name,
			     u64 *value)
{
	DEFINE_RAW_FLEX(struct hv_input_get_vp_registers, input, names, 1);
	union hv_register_value output;
	struct mshv_hvcall_args args = {
		.code = HVCALL_GET_VP_REGISTERS,
		.reps = 1,
		.in = input,
		.in_sz = struct_size(input, names, 1),
		.out = &output,
		.out_sz = sizeof(output),
	};
	u64 status;

	input->partition_id = partition_id;
	input->vp_index = vp_index;
	input->names[0] = name;
	status = mshv_hvcall_issue(&args);
	if (hv_result_success(status))
		*value = output.reg64;
	return hv_call_result(args.code, status);
}

/**
 * struct mshv_vp_state_ctx - one HvGetVpState or HvSetVpState
 * @partition_id: the partition
 * @vp_index: the VP
 * @data: what is transferred
 * @pages: the pages holding or receiving a page-sized state, or NULL
 * @nr_pages: entries of @pages
 * @bytes: the state of an inline transfer (timers): source for a set,
 *	destination for a get
 * @nr_bytes: size of @bytes
 * @set: HvSetVpState rather than HvGetVpState
 */
struct mshv_vp_state_ctx {
	u64 partition_id;
	u32 vp_index;
	const struct hv_vp_state_data *data;
	struct page **pages;
	unsigned int nr_pages;
	void *bytes;
	u32 nr_bytes;
	bool set;
};

static u64 mshv_vp_state_once(void *data)
{
	struct mshv_vp_state_ctx *ctx = data;
	struct hv_input_get_vp_state *input;
	unsigned int i, varhead;
	unsigned long flags;
	void *output;
	u64 status;

	local_irq_save(flags);
	input = hv_seam_input_page();
	output = hv_seam_output_page();
	memset(input, 0, HV_HYP_PAGE_SIZE);
	input->partition_id = ctx->partition_id;
	input->vp_index = ctx->vp_index;
	input->state_data = *ctx->data;
	/* The same layout for both calls: the frames, or the set's bytes. */
	for (i = 0; i < ctx->nr_pages; i++)
		input->output_data_pfns[i] = page_to_pfn(ctx->pages[i]);
	varhead = ctx->nr_pages;
	if (ctx->set && !ctx->pages) {
		memcpy(input->output_data_pfns, ctx->bytes, ctx->nr_bytes);
		varhead = DIV_ROUND_UP(ctx->nr_bytes, sizeof(u64));
	}
	status = hv_seam_hypercall(hv_call_control(ctx->set ?
						   HVCALL_SET_VP_STATE :
						   HVCALL_GET_VP_STATE,
						   0, varhead, 0),
				   input, output);
	if (hv_result_success(status) && !ctx->set && !ctx->pages)
		memcpy(ctx->bytes, output, ctx->nr_bytes);
	local_irq_restore(flags);

	return status;
}

/* Most page frames, or bytes, one VP state transfer can carry. */
#define MSHV_VP_STATE_MAX_PAGES \
	((HV_HYP_PAGE_SIZE - sizeof(struct hv_input_get_vp_state)) / sizeof(u64))

/**
 * mshv_hvcall_vp_state() - read or write a part of a VP's state
 * @partition_id: the partition
 * @vp_index: the VP
 * @data: the state type (and xsave components)
 * @pages: for a page-sized state, the pages that hold (set) or receive
 *	(get) it; NULL for an inline state
 * @nr_pages: entries of @pages
 * @bytes: for an inline state: the state (set) or room for it (get)
 * @nr_bytes: size of @bytes
 * @set: write the state rather than read it
 *
 * Context: process context, may sleep.
 * Return: 0 on success, else a negative errno.
 */
int mshv_hvcall_vp_state(u64 partition_id, u32 vp_index,
			 const struct hv_vp_state_data *data,
			 struct page **pages, unsigned int nr_pages,
			 void *bytes, u32 nr_bytes, bool set)
{
	struct mshv_vp_state_ctx ctx = {
		.partition_id = partition_id,
		.vp_index = vp_index,
		.data = data,
		.pages = pages,
		.nr_pages = nr_pages,
		.bytes = bytes,
		.nr_bytes = nr_bytes,
		.set = set,
	};

	if (WARN_ON_ONCE(nr_pages > MSHV_VP_STATE_MAX_PAGES ||
			 nr_bytes > MSHV_VP_STATE_MAX_PAGES * sizeof(u64) ||
			 nr_bytes > HV_HYP_PAGE_SIZE))
		return -EINVAL;
	return hv_call_with_deposit(NUMA_NO_NODE, mshv_vp_state_once, &ctx,
				    partition_id, NULL);
}

/**
 * mshv_hvcall_map_stats_page() - map one of the hypervisor's statistics pages
 * @type: HV_STATS_OBJECT_*
 * @identity: the object and the area
 * @overlay: a page of the root's for the hypervisor to overlay with the
 *	statistics (HvMapStatsPage2), or NULL to map the hypervisor's own
 *	page (HvMapStatsPage)
 * @stats: receives the statistics as mapped in the root
 *
 * Pages are deposited into the root's pool while the hypervisor asks for
 * them.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, else a negative errno (-EINVAL for an object or
 * area the hypervisor does not have).
 */
int mshv_hvcall_map_stats_page(u32 type,
			       const union hv_stats_object_identity *identity,
			       struct page *overlay,
			       struct hv_stats_page **stats)
{
	struct hv_input_map_stats_page2 in2 = {
		.type = type,
		.identity = *identity,
	};
	struct hv_input_map_stats_page in = {
		.type = type,
		.identity = *identity,
	};
	struct hv_output_map_stats_page out;
	int ret;

	if (overlay) {
		in2.map_location = page_to_pfn(overlay);
		ret = mshv_hvcall_deposit(HVCALL_MAP_STATS_PAGE2, &in2,
					  sizeof(in2), NULL, 0,
					  HV_PARTITION_ID_SELF, NULL);
		if (!ret)
			*stats = page_address(overlay);
		return ret;
	}
	ret = mshv_hvcall_deposit(HVCALL_MAP_STATS_PAGE, &in, sizeof(in), &out,
				  sizeof(out), HV_PARTITION_ID_SELF, NULL);
	if (ret)
		return ret;
	if (!pfn_valid(out.map_location))
		return -EIO;
	*stats = page_address(pfn_to_page(out.map_location));
	return 0;
}

/**
 * mshv_hvcall_unmap_stats_page() - unmap a statistics page
 * @type: HV_STATS_OBJECT_*
 * @identity: the object and the area
 *
 * A page the root provided is its own again afterwards.
 *
 * Return: 0, or the negative errno of the hypervisor's status.
 */
int mshv_hvcall_unmap_stats_page(u32 type,
				 const union hv_stats_object_identity *identity)
{
	struct hv_input_unmap_stats_page in = {
		.type = type,
		.identity = *identity,
	};

	return mshv_hvcall_logged(HVCALL_UNMAP_STATS_PAGE, &in, sizeof(in));
}
