// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercall helpers of a Hyper-V root partition: memory deposits into the
 * hypervisor's per-partition pools and their withdrawal, the
 * deposit-and-retry protocol, and the hypercalls that bring up the root's
 * own processors. The architecture's bring-up code and the /dev/mshv
 * driver share them; see <hyperv/hv_proc.h>. Also here, because it must be
 * built in: the work /dev/mshv does before it enters a guest.
 *
 * Memory-based hypercalls pass their parameters in the per-CPU input and
 * output pages, so interrupts stay disabled from filling the input page
 * until the output has been read back; anything that may sleep (page
 * allocation) happens before.
 */
#define pr_fmt(fmt) "Hyper-V: " fmt

#include <linux/bitfield.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/irqflags.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/overflow.h>
#include <linux/resume_user_mode.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/atomic.h>
#include <hyperv/hv_proc.h>
#include <hyperv/hv_seam.h>
#include <hyperv/hvhdk.h>

/*
 * The mshv tracepoints are created here, in the built-in part of the
 * root's code, so that deposits and withdrawals can be traced; the
 * /dev/mshv module uses the others.
 */
#define CREATE_TRACE_POINTS
#include <trace/events/mshv.h>

EXPORT_TRACEPOINT_SYMBOL_GPL(mshv_run_vp_entry);
EXPORT_TRACEPOINT_SYMBOL_GPL(mshv_run_vp_exit);
EXPORT_TRACEPOINT_SYMBOL_GPL(mshv_hvcall_dispatch_vp);
EXPORT_TRACEPOINT_SYMBOL_GPL(mshv_handle_gpa_intercept);
EXPORT_TRACEPOINT_SYMBOL_GPL(mshv_irqfd_inject);
EXPORT_TRACEPOINT_SYMBOL_GPL(mshv_doorbell_signal);

/* Counters of struct hv_proc_stats; atomic, no lock. */
static atomic64_t hv_deposits, hv_deposited_pages;
static atomic64_t hv_withdrawals, hv_withdrawn_pages;

/* Deposited and withdrawn PFNs are in units of the kernel's pages. */
static_assert(PAGE_SIZE == HV_HYP_PAGE_SIZE);
/* A contiguous deposit fits one DepositMemory call. */
static_assert(HV_DEPOSIT_MAX_PAGES >= 1U << HV_CONTIGUOUS_DEPOSIT_ORDER);

/**
 * hv_call_control() - build a hypercall input control word
 * @code: hypercall code
 * @rep_count: number of reps, 0 for a simple hypercall (12 bits)
 * @varhead_size: size of the variable header in 8-byte units (10 bits)
 * @rep_start: index of the first rep to execute (12 bits)
 *
 * Return: the control word of a memory-based hypercall.
 */
u64 hv_call_control(u16 code, u16 rep_count, u16 varhead_size,
		    u16 rep_start)
{
	WARN_ON_ONCE(rep_count > FIELD_MAX(HV_HYPERCALL_REP_COMP_MASK) ||
		     rep_start > FIELD_MAX(HV_HYPERCALL_REP_START_MASK) ||
		     varhead_size > FIELD_MAX(HV_HYPERCALL_VARHEAD_MASK));
	return (u64)code |
	       FIELD_PREP(HV_HYPERCALL_VARHEAD_MASK, varhead_size) |
	       FIELD_PREP(HV_HYPERCALL_REP_COMP_MASK, rep_count) |
	       FIELD_PREP(HV_HYPERCALL_REP_START_MASK, rep_start);
}
EXPORT_SYMBOL_GPL(hv_call_control);

/* Names of the TLFS statuses, for the log. */
static const char *const hv_status_names[] = {
	[HV_STATUS_SUCCESS] = "SUCCESS",
	[HV_STATUS_INVALID_HYPERCALL_CODE] = "INVALID_HYPERCALL_CODE",
	[HV_STATUS_INVALID_HYPERCALL_INPUT] = "INVALID_HYPERCALL_INPUT",
	[HV_STATUS_INVALID_ALIGNMENT] = "INVALID_ALIGNMENT",
	[HV_STATUS_INVALID_PARAMETER] = "INVALID_PARAMETER",
	[HV_STATUS_ACCESS_DENIED] = "ACCESS_DENIED",
	[HV_STATUS_INVALID_PARTITION_STATE] = "INVALID_PARTITION_STATE",
	[HV_STATUS_OPERATION_DENIED] = "OPERATION_DENIED",
	[HV_STATUS_UNKNOWN_PROPERTY] = "UNKNOWN_PROPERTY",
	[HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE] = "PROPERTY_VALUE_OUT_OF_RANGE",
	[HV_STATUS_INSUFFICIENT_MEMORY] = "INSUFFICIENT_MEMORY",
	[HV_STATUS_INVALID_PARTITION_ID] = "INVALID_PARTITION_ID",
	[HV_STATUS_INVALID_VP_INDEX] = "INVALID_VP_INDEX",
	[HV_STATUS_NOT_FOUND] = "NOT_FOUND",
	[HV_STATUS_INVALID_PORT_ID] = "INVALID_PORT_ID",
	[HV_STATUS_INVALID_CONNECTION_ID] = "INVALID_CONNECTION_ID",
	[HV_STATUS_INSUFFICIENT_BUFFERS] = "INSUFFICIENT_BUFFERS",
	[HV_STATUS_NOT_ACKNOWLEDGED] = "NOT_ACKNOWLEDGED",
	[HV_STATUS_INVALID_VP_STATE] = "INVALID_VP_STATE",
	[HV_STATUS_NO_RESOURCES] = "NO_RESOURCES",
	[HV_STATUS_PROCESSOR_FEATURE_NOT_SUPPORTED] = "PROCESSOR_FEATURE_NOT_SUPPORTED",
	[HV_STATUS_INVALID_LP_INDEX] = "INVALID_LP_INDEX",
	[HV_STATUS_INVALID_REGISTER_VALUE] = "INVALID_REGISTER_VALUE",
	[HV_STATUS_OPERATION_FAILED] = "OPERATION_FAILED",
	[HV_STATUS_INSUFFICIENT_ROOT_MEMORY] = "INSUFFICIENT_ROOT_MEMORY",
	[HV_STATUS_INSUFFICIENT_CONTIGUOUS_MEMORY] = "INSUFFICIENT_CONTIGUOUS_MEMORY",
	[HV_STATUS_TIME_OUT] = "TIME_OUT",
	[HV_STATUS_CALL_PENDING] = "CALL_PENDING",
	[HV_STATUS_INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY] = "INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY",
	[HV_STATUS_VTL_ALREADY_ENABLED] = "VTL_ALREADY_ENABLED",
};

/**
 * hv_status_name() - the TLFS name of a hypercall status
 * @status: hypercall result value; only the status field is looked at
 *
 * Return: the name without the HV_STATUS_ prefix, or "UNKNOWN".
 */
const char *hv_status_name(u64 status)
{
	unsigned int code = hv_result(status);

	if (code >= ARRAY_SIZE(hv_status_names) || !hv_status_names[code])
		return "UNKNOWN";
	return hv_status_names[code];
}
EXPORT_SYMBOL_GPL(hv_status_name);

/**
 * hv_status_to_errno() - translate a hypercall result
 * @status: hypercall result value; only the status field is looked at
 *
 * Return: 0 for HV_STATUS_SUCCESS, otherwise a negative errno.
 */
int hv_status_to_errno(u64 status)
{
	switch (hv_result(status)) {
	case HV_STATUS_SUCCESS:
		return 0;
	case HV_STATUS_INSUFFICIENT_MEMORY:
	case HV_STATUS_INSUFFICIENT_CONTIGUOUS_MEMORY:
	case HV_STATUS_INSUFFICIENT_ROOT_MEMORY:
	case HV_STATUS_INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY:
	case HV_STATUS_INSUFFICIENT_BUFFERS:
	case HV_STATUS_NO_RESOURCES:
		return -ENOMEM;
	case HV_STATUS_ACCESS_DENIED:
	case HV_STATUS_OPERATION_DENIED:
		return -EACCES;
	case HV_STATUS_INVALID_PARTITION_STATE:
	case HV_STATUS_INVALID_VP_STATE:
		return -EBADFD;
	case HV_STATUS_INVALID_PARAMETER:
	case HV_STATUS_INVALID_HYPERCALL_INPUT:
	case HV_STATUS_INVALID_ALIGNMENT:
	case HV_STATUS_UNKNOWN_PROPERTY:
	case HV_STATUS_PROPERTY_VALUE_OUT_OF_RANGE:
	case HV_STATUS_INVALID_PARTITION_ID:
	case HV_STATUS_INVALID_VP_INDEX:
	case HV_STATUS_INVALID_LP_INDEX:
	case HV_STATUS_INVALID_REGISTER_VALUE:
		return -EINVAL;
	case HV_STATUS_INVALID_HYPERCALL_CODE:
		return -EOPNOTSUPP;
	case HV_STATUS_NOT_FOUND:
		return -ENOENT;
	case HV_STATUS_TIME_OUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}
EXPORT_SYMBOL_GPL(hv_status_to_errno);

/**
 * hv_call_rep() - issue a rep hypercall until every rep is done
 * @code: hypercall code
 * @rep_count: number of reps, at most 4095
 * @varhead_size: size of the variable header in 8-byte units
 * @input: this CPU's input page, or NULL
 * @output: this CPU's output page, or NULL
 *
 * The hypervisor may return after completing only some of the reps; the
 * call is then issued again starting at the first rep not yet done. An
 * error status ends the loop.
 *
 * Context: IRQs disabled if @input or @output is a per-CPU page.
 * Return: the last hypercall result. Its rep count, hv_repcomp(), is the
 * total number of reps completed.
 */
u64 hv_call_rep(u16 code, u16 rep_count, u16 varhead_size, void *input,
		void *output)
{
	unsigned int rep_start = 0;
	u64 control, status;

	for (;;) {
		control = hv_call_control(code, rep_count, varhead_size,
					  rep_start);
		status = hv_seam_hypercall(control, input, output);
		/*
		 * No more reps than asked for can be done; a result that says
		 * so (U64_MAX when there is no hypercall page) made none.
		 */
		if (hv_repcomp(status) > rep_count)
			status = (status & ~HV_HYPERCALL_REP_COMP_MASK) |
				 FIELD_PREP(HV_HYPERCALL_REP_COMP_MASK,
					    rep_start);
		if (!hv_result_success(status)) {
			/* Reps before rep_start are done whatever it says. */
			if (WARN_ONCE(hv_repcomp(status) < rep_start,
				      "hypercall %#x lost completed reps\n",
				      code))
				status = (status & ~HV_HYPERCALL_REP_COMP_MASK) |
					 FIELD_PREP(HV_HYPERCALL_REP_COMP_MASK,
						    rep_start);
			return status;
		}
		if (hv_repcomp(status) >= rep_count)
			return status;

		/* A hypervisor that stops making progress would hang us. */
		if (hv_repcomp(status) <= rep_start) {
			pr_warn_ratelimited("hypercall %#x stalled at rep %u\n",
					    code, rep_start);
			return HV_STATUS_OPERATION_FAILED |
			       FIELD_PREP(HV_HYPERCALL_REP_COMP_MASK, rep_start);
		}
		rep_start = hv_repcomp(status);
	}
}
EXPORT_SYMBOL_GPL(hv_call_rep);

static void hv_free_pfns(const u64 *pfns, unsigned int nr)
{
	while (nr--)
		__free_page(pfn_to_page(pfns[nr]));
}

/*
 * Allocate @nr pages near @node into @pfns, as few blocks as the
 * allocator readily gives, none smaller than 2^@min_order pages. Each
 * block is split, so that the pages come back one at a time.
 */
static int hv_alloc_deposit(int node, gfp_t gfp, u64 *pfns, unsigned int nr,
			    unsigned int min_order)
{
	unsigned int done = 0, order, i;
	struct page *page;
	gfp_t extra;

	while (done < nr) {
		order = max_t(unsigned int, ilog2(nr - done), min_order);
		order = min_t(unsigned int, order, MAX_PAGE_ORDER);
		for (;;) {
			/* Only the smallest block is worth a hard try. */
			extra = order > min_order ? __GFP_NORETRY | __GFP_NOWARN :
						    0;
			page = alloc_pages_node(node, gfp | extra, order);
			if (page || order <= min_order)
				break;
			order--;
		}
		if (!page || WARN_ON_ONCE(done + (1U << order) > nr))
			goto free;
		split_page(page, order);
		for (i = 0; i < 1U << order; i++)
			pfns[done++] = page_to_pfn(page) + i;
	}
	return 0;

free:
	if (page)
		__free_pages(page, order);
	hv_free_pfns(pfns, done);
	return -ENOMEM;
}

/*
 * Deposit @nr (at most HV_DEPOSIT_MAX_PAGES) new pages into the pool of
 * @partition_id, in blocks of at least 2^@min_order pages.
 */
static int hv_deposit_batch(int node, u64 partition_id, unsigned int nr,
			    unsigned int min_order)
{
	struct hv_deposit_memory *input;
	unsigned long flags;
	unsigned int taken;
	u64 *pfns, status;
	gfp_t gfp;
	int ret;

	/*
	 * A child's pages come back when it is destroyed, so they are charged
	 * to the caller's memory cgroup; the caller's own pool
	 * (HV_PARTITION_ID_SELF) is never withdrawn, so its pages are not.
	 * The root creates its own VPs at boot under its numeric id, when
	 * there is no cgroup to charge.
	 */
	gfp = partition_id == HV_PARTITION_ID_SELF ? GFP_KERNEL :
						      GFP_KERNEL_ACCOUNT;

	pfns = kmalloc_array(nr, sizeof(*pfns), GFP_KERNEL);
	if (!pfns)
		return -ENOMEM;
	ret = hv_alloc_deposit(node, gfp, pfns, nr, min_order);
	if (ret)
		goto out;

	local_irq_save(flags);
	input = hv_seam_input_page();
	memset(input, 0, struct_size(input, gpa_page_list, nr));
	input->partition_id = partition_id;
	memcpy(input->gpa_page_list, pfns, nr * sizeof(*pfns));
	status = hv_call_rep(HVCALL_DEPOSIT_MEMORY, nr, 0, input, NULL);
	local_irq_restore(flags);

	/* Pages the hypervisor took are its own, even if it failed later. */
	ret = hv_call_result(HVCALL_DEPOSIT_MEMORY, status);
	taken = ret ? min_t(unsigned int, hv_repcomp(status), nr) : nr;
	hv_free_pfns(pfns + taken, nr - taken);
	atomic64_inc(&hv_deposits);
	atomic64_add(taken, &hv_deposited_pages);
	trace_mshv_deposit_memory(partition_id, taken, ret);
out:
	kfree(pfns);
	return ret;
}

/**
 * hv_call_deposit_pages() - add pages to a partition's memory pool
 * @node: NUMA node to take the pages from, or NUMA_NO_NODE
 * @partition_id: the partition, or HV_PARTITION_ID_SELF for the caller's
 *	own pool
 * @num_pages: number of pages to deposit
 *
 * The pages are allocated here, in as large blocks as are readily
 * available, and deposited HV_DEPOSIT_MAX_PAGES at a time. Once deposited
 * they belong to the hypervisor until they are withdrawn (see
 * hv_call_withdraw_all()). On failure the pages the hypervisor did not take
 * are freed again; those of earlier batches stay deposited.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, -ENOMEM if pages cannot be allocated, or the errno
 * of the hypervisor's status.
 */
int hv_call_deposit_pages(int node, u64 partition_id, u32 num_pages)
{
	unsigned int batch;
	int ret;

	while (num_pages) {
		batch = min_t(u32, num_pages, HV_DEPOSIT_MAX_PAGES);
		ret = hv_deposit_batch(node, partition_id, batch, 0);
		if (ret)
			return ret;
		num_pages -= batch;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(hv_call_deposit_pages);

/**
 * hv_status_needs_memory() - does a failed hypercall ask for memory?
 * @status: hypercall result value; only the status field is looked at
 *
 * Return: true for the statuses hv_call_deposit_for_status() answers.
 */
bool hv_status_needs_memory(u64 status)
{
	switch (hv_result(status)) {
	case HV_STATUS_INSUFFICIENT_MEMORY:
	case HV_STATUS_INSUFFICIENT_CONTIGUOUS_MEMORY:
	case HV_STATUS_INSUFFICIENT_ROOT_MEMORY:
	case HV_STATUS_INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY:
		return true;
	default:
		return false;
	}
}
EXPORT_SYMBOL_GPL(hv_status_needs_memory);

/**
 * hv_call_deposit_for_status() - deposit what a failed hypercall asks for
 * @node: NUMA node to take the pages from, or NUMA_NO_NODE
 * @partition_id: the partition whose pool the failed call allocates from
 * @status: the result of the failed hypercall
 *
 * The status says what the hypervisor lacks:
 *
 * - HV_STATUS_INSUFFICIENT_MEMORY: HV_RETRY_DEPOSIT_PAGES pages for
 *   @partition_id;
 * - HV_STATUS_INSUFFICIENT_CONTIGUOUS_MEMORY: one physically contiguous
 *   block of 2^HV_CONTIGUOUS_DEPOSIT_ORDER pages for @partition_id;
 * - HV_STATUS_INSUFFICIENT_ROOT_MEMORY and
 *   HV_STATUS_INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY: the same, for the
 *   caller's own pool (HV_PARTITION_ID_SELF), whatever @partition_id is.
 *
 * Context: process context, may sleep.
 * Return: the number of pages deposited, -EINVAL if @status asks for no
 * memory, else the errno of the failed deposit.
 */
int hv_call_deposit_for_status(int node, u64 partition_id, u64 status)
{
	const unsigned int block = 1U << HV_CONTIGUOUS_DEPOSIT_ORDER;
	int ret;

	switch (hv_result(status)) {
	case HV_STATUS_INSUFFICIENT_ROOT_MEMORY:
		partition_id = HV_PARTITION_ID_SELF;
		fallthrough;
	case HV_STATUS_INSUFFICIENT_MEMORY:
		ret = hv_call_deposit_pages(node, partition_id,
					    HV_RETRY_DEPOSIT_PAGES);
		return ret ?: HV_RETRY_DEPOSIT_PAGES;
	case HV_STATUS_INSUFFICIENT_CONTIGUOUS_ROOT_MEMORY:
		partition_id = HV_PARTITION_ID_SELF;
		fallthrough;
	case HV_STATUS_INSUFFICIENT_CONTIGUOUS_MEMORY:
		ret = hv_deposit_batch(node, partition_id, block,
				       HV_CONTIGUOUS_DEPOSIT_ORDER);
		return ret ?: block;
	default:
		return -EINVAL;
	}
}
EXPORT_SYMBOL_GPL(hv_call_deposit_for_status);

static void hv_free_withdrawn_page(u64 pfn)
{
	if (WARN_ON_ONCE(!pfn_valid(pfn)))
		return;
	__free_page(pfn_to_page(pfn));
}

/* Withdraw up to HV_WITHDRAW_MAX_PAGES pages and free them. */
static u64 hv_withdraw_batch(u64 partition_id)
{
	struct hv_input_withdraw_memory *input;
	unsigned int i, nr_pages;
	unsigned long flags;
	u64 *pfns, status;

	local_irq_save(flags);
	input = hv_seam_input_page();
	pfns = hv_seam_output_page();
	memset(input, 0, sizeof(*input));
	input->partition_id = partition_id;
	status = hv_call_rep(HVCALL_WITHDRAW_MEMORY, HV_WITHDRAW_MAX_PAGES, 0,
			     input, pfns);
	nr_pages = min_t(unsigned int, hv_repcomp(status),
			 HV_WITHDRAW_MAX_PAGES);
	for (i = 0; i < nr_pages; i++)
		hv_free_withdrawn_page(pfns[i]);
	local_irq_restore(flags);

	atomic64_inc(&hv_withdrawals);
	atomic64_add(nr_pages, &hv_withdrawn_pages);
	trace_mshv_hvcall_withdraw_memory(partition_id, nr_pages, status);
	return status;
}

/*
 * Answers of HV_STATUS_NO_RESOURCES with no page in a row that mean the
 * pool is empty (see hv_call_withdraw_all()).
 */
#define HV_WITHDRAW_EMPTY_ANSWERS	2

/**
 * hv_proc_get_stats() - what the root deposited and withdrew so far
 * @stats: receives the counters, summed over all partitions
 *
 * Context: any context.
 */
void hv_proc_get_stats(struct hv_proc_stats *stats)
{
	stats->deposits = atomic64_read(&hv_deposits);
	stats->deposited_pages = atomic64_read(&hv_deposited_pages);
	stats->withdrawals = atomic64_read(&hv_withdrawals);
	stats->withdrawn_pages = atomic64_read(&hv_withdrawn_pages);
}
EXPORT_SYMBOL_GPL(hv_proc_get_stats);

/**
 * hv_call_withdraw_all() - take back every free page of a partition's pool
 * @partition_id: the partition whose memory pool is drained
 *
 * Withdraws batches of pages, freeing each one, until the pool is empty.
 * The hypervisor returns the pages one at a time, in no particular order,
 * which is why deposits split their blocks.
 *
 * HV_STATUS_NO_RESOURCES is what the hypervisor answers when the pool has
 * no free page left, but the TLFS does not make it the only reason for
 * that status. The pool is taken as empty when a batch that handed back
 * pages ends with it (the pool ran dry under the batch), or when
 * HV_WITHDRAW_EMPTY_ANSWERS batches in a row hand back nothing: a lone
 * HV_STATUS_NO_RESOURCES with no page is asked again, so that a passing
 * shortage of the hypervisor does not get a partition deleted with pages
 * still in its pool.
 *
 * Context: process context, may sleep.
 * Return: 0 once the pool is empty, else the errno of the failure.
 */
int hv_call_withdraw_all(u64 partition_id)
{
	unsigned int empty = 0;
	u64 status;

	for (;;) {
		status = hv_withdraw_batch(partition_id);
		cond_resched();
		if (hv_result(status) == HV_STATUS_NO_RESOURCES) {
			if (hv_repcomp(status) ||
			    ++empty == HV_WITHDRAW_EMPTY_ANSWERS)
				return 0;
			continue;
		}
		if (!hv_result_success(status))
			break;
		empty = 0;
	}
	return hv_call_result(HVCALL_WITHDRAW_MEMORY, status);
}
EXPORT_SYMBOL_GPL(hv_call_withdraw_all);

/**
 * hv_call_with_deposit() - issue a hypercall, feeding it memory
 * @node: NUMA node to take deposited pages from, or NUMA_NO_NODE
 * @hvcall: issues the hypercall once and returns its result value
 * @ctx: argument of @hvcall
 * @pool_id: partition whose pool the hypervisor allocates from, or
 *	HV_PARTITION_ID_SELF
 * @status: if not NULL, receives the result of the last hypercall
 *
 * While the hypervisor answers that it lacks memory, deposit what its
 * status asks for (see hv_call_deposit_for_status()) and try again, up to
 * HV_MAX_RETRY_DEPOSIT_PAGES pages in all.
 *
 * Context: process context, may sleep.
 * Return: the errno of the last hypercall's status, the error of a
 * failed deposit, -ENOMEM once the limit is reached, or -EINTR if the
 * caller was killed meanwhile.
 */
int hv_call_with_deposit(int node, u64 (*hvcall)(void *ctx), void *ctx,
			 u64 pool_id, u64 *status)
{
	unsigned int deposited = 0;
	u64 hv_status;
	int ret;

	for (;;) {
		hv_status = hvcall(ctx);
		if (status)
			*status = hv_status;
		if (!hv_status_needs_memory(hv_status))
			return hv_status_to_errno(hv_status);
		/* A dying process gives up instead of feeding the pool. */
		if (fatal_signal_pending(current))
			return -EINTR;
		/* Nor does a hypervisor get memory without end. */
		if (deposited >= HV_MAX_RETRY_DEPOSIT_PAGES)
			return -ENOMEM;

		ret = hv_call_deposit_for_status(node, pool_id, hv_status);
		if (ret < 0)
			return ret;
		deposited += ret;
		cond_resched();
	}
}
EXPORT_SYMBOL_GPL(hv_call_with_deposit);

struct hv_add_lp_ctx {
	int node;
	u32 lp_index;
	u32 apic_id;
};

static u64 hv_add_logical_proc_once(void *data)
{
	struct hv_output_add_logical_processor *output;
	struct hv_input_add_logical_processor *input;
	struct hv_add_lp_ctx *ctx = data;
	unsigned long flags;
	u64 status;

	local_irq_save(flags);
	input = hv_seam_input_page();
	output = hv_seam_output_page();
	memset(input, 0, sizeof(*input));
	input->lp_index = ctx->lp_index;
	input->apic_id = ctx->apic_id;
	input->proximity_domain_info = hv_numa_node_to_pxm_info(ctx->node);
	status = hv_seam_hypercall(HVCALL_ADD_LOGICAL_PROCESSOR, input,
				   output);
	local_irq_restore(flags);

	return status;
}

/**
 * hv_call_add_logical_proc() - hand a physical processor to the hypervisor
 * @node: NUMA node of the processor
 * @lp_index: the logical processor index it gets (Linux's CPU number)
 * @apic_id: its APIC id
 *
 * The root partition calls this for each processor before it starts it.
 * The hypervisor takes the memory it needs from the root's own pool.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, else a negative errno.
 */
int hv_call_add_logical_proc(int node, u32 lp_index, u32 apic_id)
{
	struct hv_add_lp_ctx ctx = {
		.node = node,
		.lp_index = lp_index,
		.apic_id = apic_id,
	};
	u64 status = HV_STATUS_SUCCESS;
	int ret;

	ret = hv_call_with_deposit(node, hv_add_logical_proc_once, &ctx,
				   HV_PARTITION_ID_SELF, &status);
	if (ret)
		pr_err("cannot add logical processor %u (APIC id %u): %d, %s\n",
		       lp_index, apic_id, ret, hv_status_name(status));
	return ret;
}
EXPORT_SYMBOL_GPL(hv_call_add_logical_proc);

struct hv_create_vp_ctx {
	int node;
	u64 partition_id;
	u32 vp_index;
	u32 flags;
};

static u64 hv_create_vp_once(void *data)
{
	struct hv_create_vp_ctx *ctx = data;
	struct hv_input_create_vp *input;
	unsigned long flags;
	u64 status;

	local_irq_save(flags);
	input = hv_seam_input_page();
	memset(input, 0, sizeof(*input));
	input->partition_id = ctx->partition_id;
	input->vp_index = ctx->vp_index;
	input->proximity_domain_info = hv_numa_node_to_pxm_info(ctx->node);
	input->flags = ctx->flags;
	status = hv_seam_hypercall(HVCALL_CREATE_VP, input, NULL);
	local_irq_restore(flags);

	return status;
}

/**
 * hv_call_create_vp() - create a virtual processor
 * @node: NUMA node whose memory the hypervisor should prefer for the VP,
 *	or NUMA_NO_NODE
 * @partition_id: the partition: a child, or the root itself when it
 *	creates the VPs of its own processors at boot
 * @vp_index: index of the new VP
 * @flags: creation flags; for the root's own VPs, the index of the
 *	logical processor the VP belongs to
 *
 * The hypervisor takes the VP's memory from the partition's pool, so that
 * is where pages are deposited when it runs short.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, else a negative errno.
 */
int hv_call_create_vp(int node, u64 partition_id, u32 vp_index, u32 flags)
{
	struct hv_create_vp_ctx ctx = {
		.node = node,
		.partition_id = partition_id,
		.vp_index = vp_index,
		.flags = flags,
	};

	return hv_call_with_deposit(node, hv_create_vp_once, &ctx,
				    partition_id, NULL);
}
EXPORT_SYMBOL_GPL(hv_call_create_vp);

/*
 * Work a thread owes the kernel before it enters a guest, as before it
 * returns to user mode: a pending signal, a reschedule, and the
 * notify-resume work (task_work, rseq, memcg and blkcg throttling).
 */
#define HV_GUEST_ENTRY_WORK						\
	(_TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL | _TIF_NEED_RESCHED |	\
	 _TIF_NOTIFY_RESUME)

/**
 * hv_guest_entry_work() - do the kernel's work before entering a guest
 *
 * What KVM's xfer_to_guest_mode_handle_work() does for a vCPU, for a
 * thread about to run a virtual processor with HvDispatchVp: reschedule
 * if asked, run the notify-resume work (task_work queued against the
 * thread, rseq updates), and stop at a pending signal so that the caller
 * returns to user space, where it is delivered. It is built in because
 * the notify-resume work uses helpers that are not exported to modules.
 *
 * Context: process context, may sleep; IRQs and preemption enabled.
 * Return: 0 when the thread may enter the guest, -EINTR if a signal is
 * pending.
 */
int hv_guest_entry_work(void)
{
	unsigned long work = read_thread_flags();

	while ((work & HV_GUEST_ENTRY_WORK) || need_resched()) {
		if (work & (_TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL))
			return -EINTR;
		if (need_resched())
			schedule();
		if (work & _TIF_NOTIFY_RESUME)
			resume_user_mode_work(NULL);
		work = read_thread_flags();
	}
	return 0;
}
EXPORT_SYMBOL_GPL(hv_guest_entry_work);
