/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private interfaces of the /dev/mshv root partition driver: the partition
 * object and the hypercall layer (mshv_root_hv_call.c) used by the ioctl
 * layer (mshv_root_main.c) and by the KUnit tests.
 */
#ifndef _MSHV_ROOT_H
#define _MSHV_ROOT_H

#include <linux/mutex.h>
#include <linux/types.h>

/* Pages deposited into a new partition before HvInitializePartition. */
#define MSHV_INIT_DEPOSIT_PAGES		208
/* Pages deposited each time a hypercall fails for lack of memory. */
#define MSHV_RETRY_DEPOSIT_PAGES	8
/* Most pages deposited on behalf of one hypercall (32 MiB). */
#define MSHV_MAX_RETRY_DEPOSIT_PAGES	8192

/**
 * struct mshv_partition - a child partition, owned by one partition fd
 * @pt_id: the hypervisor's identifier of the partition; set at creation
 * @pt_mutex: serialises the ioctls of the partition fd and protects
 *	@pt_initialized
 * @pt_initialized: HvInitializePartition has succeeded
 */
struct mshv_partition {
	u64 pt_id;
	struct mutex pt_mutex;	/* ioctls; protects pt_initialized */
	bool pt_initialized;
};

/**
 * struct mshv_passthru_call - a simple hypercall issued for user space
 * @partition_id: target partition; replaces the first 8 bytes of the
 *	input and receives the deposits if the hypervisor runs out of memory
 * @code: hypercall code of a simple (not rep, not fast) hypercall
 * @in_sz: size of @input in bytes, 8 to HV_HYP_PAGE_SIZE
 * @out_sz: size of @output in bytes, at most HV_HYP_PAGE_SIZE; 0 when
 *	@output is NULL
 * @input: kernel copy of the input parameters
 * @output: kernel buffer that receives the output on success, or NULL
 * @status: out: result value of the last hypercall issued
 */
struct mshv_passthru_call {
	u64 partition_id;
	u16 code;
	u16 in_sz;
	u16 out_sz;
	const void *input;
	void *output;
	u64 status;
};

/* mshv_root_hv_call.c */
#if IS_ENABLED(CONFIG_KUNIT)
u64 mshv_hvcall_control(u16 code, u16 rep_count, u16 varhead_size,
			u16 rep_start);
#endif
int mshv_hvcall_status_to_errno(u64 status);
u64 mshv_hvcall_rep(u16 code, u16 rep_count, u16 varhead_size,
		    void *input, void *output);
int mshv_hvcall_deposit_pages(u64 partition_id, unsigned int nr_pages);
int mshv_hvcall_withdraw_all(u64 partition_id);
int mshv_hvcall_with_deposit(u64 (*hvcall)(void *ctx), void *ctx,
			     u64 pool_id, u64 *status);
int mshv_hvcall_create_partition(u64 flags, u64 *partition_id);
int mshv_hvcall_initialize_partition(u64 partition_id);
int mshv_hvcall_finalize_partition(u64 partition_id);
int mshv_hvcall_delete_partition(u64 partition_id);
int mshv_hvcall_get_partition_property(u64 partition_id, u32 code,
				       u64 *value);
int mshv_hvcall_set_partition_property(u64 partition_id, u32 code,
				       u64 value);
int mshv_hvcall_passthru(struct mshv_passthru_call *call);

#endif /* _MSHV_ROOT_H */
