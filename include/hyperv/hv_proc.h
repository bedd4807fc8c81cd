/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hypercall helpers of a Hyper-V root (or nested root) partition, shared
 * by the architecture's bring-up code and the /dev/mshv driver.
 *
 * They reach the hypervisor only through <hyperv/hv_seam.h>, so that the
 * simulator (CONFIG_MSHV_SIM) runs them as it runs the rest of the root
 * partition's hypercalls. The helpers are built in whenever
 * CONFIG_MSHV_ROOT is set: the root partition needs them to bring up its
 * processors, long before the driver module can be loaded.
 */
#ifndef _HYPERV_HV_PROC_H
#define _HYPERV_HV_PROC_H

#include <linux/errno.h>
#include <linux/printk.h>
#include <linux/types.h>
#include <asm/mshyperv.h>

/* Pages deposited each time a hypercall fails for lack of memory. */
#define HV_RETRY_DEPOSIT_PAGES		8
/* Order of the block deposited when the hypervisor needs contiguous pages. */
#define HV_CONTIGUOUS_DEPOSIT_ORDER	3
/* Most pages deposited on behalf of one hypercall (32 MiB). */
#define HV_MAX_RETRY_DEPOSIT_PAGES	8192

/**
 * struct hv_proc_stats - memory the root moved into and out of pools
 * @deposits: HvDepositMemory calls
 * @deposited_pages: pages the hypervisor took in them
 * @withdrawals: HvWithdrawMemory calls
 * @withdrawn_pages: pages they handed back
 */
struct hv_proc_stats {
	u64 deposits;
	u64 deposited_pages;
	u64 withdrawals;
	u64 withdrawn_pages;
};

#if IS_ENABLED(CONFIG_MSHV_ROOT)
void hv_proc_get_stats(struct hv_proc_stats *stats);
u64 hv_call_control(u16 code, u16 rep_count, u16 varhead_size,
		    u16 rep_start);
const char *hv_status_name(u64 status);
int hv_status_to_errno(u64 status);
u64 hv_call_rep(u16 code, u16 rep_count, u16 varhead_size, void *input,
		void *output);
int hv_call_deposit_pages(int node, u64 partition_id, u32 num_pages);
bool hv_status_needs_memory(u64 status);
int hv_call_deposit_for_status(int node, u64 partition_id, u64 status);
int hv_call_withdraw_all(u64 partition_id);
int hv_call_with_deposit(int node, u64 (*hvcall)(void *ctx), void *ctx,
			 u64 pool_id, u64 *status);
int hv_call_add_logical_proc(int node, u32 lp_index, u32 apic_id);
int hv_call_create_vp(int node, u64 partition_id, u32 vp_index, u32 flags);
int hv_guest_entry_work(void);
#else /* !CONFIG_MSHV_ROOT: no root partition, nothing to bring up */
static inline const char *hv_status_name(u64 status)
{
	return "UNKNOWN";
}

static inline int hv_call_add_logical_proc(int node, u32 lp_index,
					   u32 apic_id)
{
	return -EOPNOTSUPP;
}

static inline int hv_call_create_vp(int node, u64 partition_id,
				    u32 vp_index, u32 flags)
{
	return -EOPNOTSUPP;
}
#endif /* CONFIG_MSHV_ROOT */

/**
 * hv_call_result() - the errno of a hypercall's result, logging a failure
 * @code: the hypercall code, for the log
 * @status: the hypercall result value
 *
 * A failure is logged with the TLFS name of its status, rate-limited
 * separately at each call site. Use it only where a failure is not the
 * caller's to expect.
 *
 * Return: 0 on success, else the errno of hv_status_to_errno().
 */
#define hv_call_result(code, status)					\
({									\
	u64 __hv_status = (status);					\
									\
	if (!hv_result_success(__hv_status))				\
		pr_err_ratelimited("hypercall %#x failed: %s (%#x)\n",	\
				   (unsigned int)(code),		\
				   hv_status_name(__hv_status),		\
				   hv_result(__hv_status));		\
	hv_status_to_errno(__hv_status);				\
})

#endif /* _HYPERV_HV_PROC_H */
