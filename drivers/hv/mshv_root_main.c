// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mshv: lets a virtual machine monitor running in the Hyper-V root
 * partition create and drive child partitions.
 *
 * /dev/mshv creates partitions; each partition is an anonymous-inode file
 * whose ioctls act on it and whose release destroys it. The hypercalls
 * themselves live in mshv_root_hv_call.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/bits.h>
#include <linux/debugfs.h>
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>
#include <hyperv/hv_seam.h>
#include <hyperv/hvhdk.h>
#include <uapi/linux/mshv.h>

#include "mshv_root.h"

/* The uapi layouts are fixed; these sizes are encoded in the ioctl numbers. */
static_assert(sizeof(struct mshv_create_partition) == 16);
static_assert(sizeof(struct mshv_create_partition_v2) == 64);
static_assert(MSHV_NUM_CPU_FEATURES_BANKS ==
	      HV_PARTITION_PROCESSOR_FEATURES_BANKS);
static_assert(sizeof(struct mshv_root_hvcall) == 32);
static_assert(sizeof(struct mshv_user_mem_region) == 32);
static_assert(sizeof(struct mshv_gpap_access_bitmap) == 32);

/**
 * struct mshv_passthru_desc - a hypercall MSHV_ROOT_HVCALL may issue
 * @code: hypercall code
 * @self: also allowed on /dev/mshv, for the root partition itself
 * @async: the hypervisor may complete it later (HV_STATUS_CALL_PENDING);
 *	only allowed on the partition fd, whose pt_mutex serialises the calls
 */
struct mshv_passthru_desc {
	u16 code;
	bool self;
	bool async;
};

/*
 * The allowlist of MSHV_ROOT_HVCALL: mainline 7.x's. As there, the caller's
 * rep count decides the form of the call (a rep call when it is not 0) and
 * the hypervisor refuses a rep count a call does not take.
 */
static const struct mshv_passthru_desc mshv_passthru_hvcalls[] = {
	{ HVCALL_GET_PARTITION_PROPERTY, .self = true },
	{ HVCALL_SET_PARTITION_PROPERTY, .async = true },
	{ HVCALL_INSTALL_INTERCEPT },
	{ HVCALL_GET_VP_REGISTERS },
	{ HVCALL_SET_VP_REGISTERS },
	{ HVCALL_TRANSLATE_VIRTUAL_ADDRESS },
	{ HVCALL_CLEAR_VIRTUAL_INTERRUPT },
	{ HVCALL_REGISTER_INTERCEPT_RESULT },
	{ HVCALL_ASSERT_VIRTUAL_INTERRUPT },
	{ HVCALL_GET_GPA_PAGES_ACCESS_STATES },
	{ HVCALL_SIGNAL_EVENT_DIRECT },
	{ HVCALL_POST_MESSAGE_DIRECT },
	{ HVCALL_GET_VP_CPUID_VALUES },
	{ HVCALL_GET_PARTITION_PROPERTY_EX, .self = true },
};

static struct miscdevice mshv_dev;

/* Name of each HV_SCHEDULER_TYPE_*, for the log and debugfs. */
static const char *const mshv_scheduler_names[] = {
	[HV_SCHEDULER_TYPE_LP] = "lp",
	[HV_SCHEDULER_TYPE_LP_SMT] = "lp-smt",
	[HV_SCHEDULER_TYPE_CORE_SMT] = "core-smt",
	[HV_SCHEDULER_TYPE_ROOT] = "root",
};

/* The hypervisor's scheduler, HV_SCHEDULER_TYPE_*; set at load time. */
u32 mshv_scheduler_type;
EXPORT_SYMBOL_IF_KUNIT(mshv_scheduler_type);

/*
 * Interrupts may be queued in a VP's register page (root scheduler only);
 * set once at module init.
 */
bool mshv_fast_injection;
/* HV_VMM_CAP_* bits the hypervisor reported; set once at module init. */
u64 mshv_vmm_caps;

/*
 * Live partitions by hypervisor id, for the SynIC handler, which looks
 * them up under RCU. An entry is inserted when the partition is created
 * and erased before its teardown starts.
 */
static DEFINE_XARRAY(mshv_partition_ids);

/* Protects mshv_partitions, the partitions shown in debugfs. */
static DEFINE_MUTEX(mshv_partitions_lock);
static LIST_HEAD(mshv_partitions);
static struct dentry *mshv_debugfs;

/* Attempts of each teardown hypercall before giving up on it. */
#define MSHV_TEARDOWN_TRIES	3

/* Run a teardown step, retrying it a few times: close cannot fail. */
static int mshv_teardown_step(int (*step)(u64 pt_id), u64 pt_id,
			      const char *what)
{
	int ret, try;

	for (try = 0; try < MSHV_TEARDOWN_TRIES; try++) {
		ret = step(pt_id);
		if (!ret)
			return 0;
	}
	dev_err_ratelimited(mshv_dev.this_device,
			    "%s partition %llu failed: %d\n", what, pt_id, ret);
	return ret;
}

/*
 * Destroy a partition in the hypervisor: stop it, take back every page
 * deposited into it, then delete it. Guest memory of @partition (if
 * given) that the hypervisor failed to unmap is unmapped once more after
 * the finalization, so that the memory of its mappings can be withdrawn.
 * A partition whose memory could not be withdrawn is not deleted, so that
 * the hypervisor keeps those pages accounted to it instead of losing
 * track of them. Return whether the hypervisor deleted it, and with it its
 * mappings and connections.
 */
static bool mshv_partition_destroy_hv(u64 pt_id,
				      struct mshv_partition *partition)
{
	mshv_teardown_step(mshv_hvcall_finalize_partition, pt_id,
			   "finalizing");
	if (partition)
		mshv_partition_unmap_kept_regions(partition);
	if (mshv_teardown_step(hv_call_withdraw_all, pt_id,
			       "withdrawing memory of"))
		return false;
	return !mshv_teardown_step(mshv_hvcall_delete_partition, pt_id,
				   "deleting");
}

static long mshv_partition_ioctl_initialize(struct mshv_partition *partition)
{
	int ret;

	lockdep_assert_held(&partition->pt_mutex);

	/* As in mainline, initializing twice is not an error. */
	if (partition->pt_initialized)
		return 0;

	ret = mshv_hvcall_initialize_partition(partition->pt_id);
	if (ret) {
		/* Take back what was deposited; a new attempt deposits anew. */
		mshv_teardown_step(hv_call_withdraw_all, partition->pt_id,
				   "withdrawing memory of");
		return ret;
	}

	partition->pt_initialized = true;
	return 0;
}

static const struct mshv_passthru_desc *mshv_passthru_find(u16 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mshv_passthru_hvcalls); i++)
		if (mshv_passthru_hvcalls[i].code == code)
			return &mshv_passthru_hvcalls[i];
	return NULL;
}

static int mshv_root_hvcall_check(const struct mshv_root_hvcall *args,
				  bool self, bool pt_fd)
{
	const struct mshv_passthru_desc *desc;

	if (args->status || memchr_inv(args->rsvd, 0, sizeof(args->rsvd)))
		return -EINVAL;
	if (!args->in_ptr || args->in_sz < sizeof(u64) ||
	    args->in_sz > HV_HYP_PAGE_SIZE)
		return -EINVAL;
	if (args->out_ptr && (!args->out_sz || args->out_sz > HV_HYP_PAGE_SIZE))
		return -EINVAL;
	desc = mshv_passthru_find(args->code);
	if (!desc || (self && !desc->self) || (desc->async && !pt_fd))
		return -EINVAL;
	/* More reps than the control word holds cannot be issued. */
	if (args->reps > HV_REP_COUNT_MAX)
		return -EINVAL;
	return 0;
}

/**
 * mshv_ioctl_root_hvcall() - MSHV_ROOT_HVCALL
 * @partition: the partition the hypercall is for; NULL on /dev/mshv, for
 *	the root partition itself (HV_PARTITION_ID_SELF), where only
 *	reading its properties is allowed
 * @pt_fd: issued on the partition fd, rather than on a VP fd or
 *	/dev/mshv: only there may a call complete asynchronously
 * @user_args: user pointer to a struct mshv_root_hvcall
 *
 * An asynchronous call (HvSetPartitionProperty) returns once the
 * hypervisor has completed it, with its final status.
 *
 * Context: process context; with @pt_fd, the partition's pt_mutex held.
 * Return: 0, or a negative errno; the hypervisor's status and the reps
 * completed are copied back in both cases when the call was issued.
 */
long mshv_ioctl_root_hvcall(struct mshv_partition *partition, bool pt_fd,
			    struct mshv_root_hvcall __user *user_args)
{
	const struct mshv_passthru_desc *desc;
	struct mshv_passthru_call call = {
		.partition_id = partition ? partition->pt_id :
					    HV_PARTITION_ID_SELF,
	};
	struct mshv_root_hvcall args;
	void *output = NULL;
	void *input;
	long ret;

	if (copy_from_user(&args, user_args, sizeof(args)))
		return -EFAULT;

	ret = mshv_root_hvcall_check(&args, !partition, pt_fd);
	if (ret)
		return ret;
	desc = mshv_passthru_find(args.code);
	if (desc->async) {
		lockdep_assert_held(&partition->pt_mutex);
		call.async = &partition->pt_async;
	}

	input = memdup_user(u64_to_user_ptr(args.in_ptr), args.in_sz);
	if (IS_ERR(input))
		return PTR_ERR(input);

	if (args.out_ptr) {
		output = kzalloc(args.out_sz, GFP_KERNEL);
		if (!output) {
			ret = -ENOMEM;
			goto free_input;
		}
		call.out_sz = args.out_sz;
	}

	call.code = args.code;
	call.reps = args.reps;
	call.in_sz = args.in_sz;
	call.input = input;
	call.output = output;
	ret = mshv_hvcall_passthru(&call);

	/* User space learns the hypervisor's verdict even on failure. */
	args.status = hv_result(call.status);
	args.reps = hv_repcomp(call.status);
	if (copy_to_user(user_args, &args, sizeof(args))) {
		ret = -EFAULT;
		goto free_output;
	}

	if (!ret && output &&
	    copy_to_user(u64_to_user_ptr(args.out_ptr), output, args.out_sz))
		ret = -EFAULT;

free_output:
	kfree(output);
free_input:
	kfree(input);
	return ret;
}

static long
mshv_partition_ioctl_set_memory(struct mshv_partition *partition,
				struct mshv_user_mem_region __user *user_mem)
{
	struct mshv_user_mem_region mem;

	lockdep_assert_held(&partition->pt_mutex);

	if (copy_from_user(&mem, user_mem, sizeof(mem)))
		return -EFAULT;

	if ((mem.flags & ~MSHV_SET_MEM_FLAGS_MASK) ||
	    memchr_inv(mem.rsvd, 0, sizeof(mem.rsvd)))
		return -EINVAL;

	if (mem.flags & BIT(MSHV_SET_MEM_BIT_UNMAP))
		return mshv_partition_unmap_region(partition, &mem);
	return mshv_partition_map_region(partition, &mem,
					 !partition->pt_pin_memory);
}

/* Bytes of bitmap kept between chunks: a chunk plus a carried byte. */
#define MSHV_GPAP_BITS_BYTES	(DIV_ROUND_UP(HV_GET_GPA_ACCESS_STATES_MAX, 8) + 1)

/**
 * struct mshv_gpap_walk - state of MSHV_GET_GPAP_ACCESS_BITMAP
 * @ubits: the user's bitmap
 * @states: one HV_GPA_PAGE_* byte per page of the current chunk
 * @bits: the bitmap from byte @copied on, not yet copied out
 * @mask: HV_GPA_PAGE_* bit reported
 * @reported: pages whose bit is in @bits or was copied out
 * @copied: bytes of bitmap copied out
 */
struct mshv_gpap_walk {
	u8 __user *ubits;
	u8 *states;
	u8 *bits;
	u8 mask;
	u64 reported;
	u64 copied;
};

/* Add @count pages' states to the bitmap and copy out the full bytes. */
static int mshv_gpap_add(struct mshv_gpap_walk *walk, unsigned int count)
{
	u64 first = walk->reported - walk->copied * 8, full;
	unsigned int i;

	for (i = 0; i < count; i++)
		if (walk->states[i] & walk->mask)
			walk->bits[(first + i) / 8] |= BIT((first + i) % 8);
	walk->reported += count;

	full = walk->reported / 8 - walk->copied;
	if (!full)
		return 0;
	if (copy_to_user(walk->ubits + walk->copied, walk->bits, full))
		return -EFAULT;
	walk->copied += full;
	/* Keep the partial byte, if any, for the next chunk. */
	walk->bits[0] = walk->bits[full];
	memset(walk->bits + 1, 0, MSHV_GPAP_BITS_BYTES - 1);
	return 0;
}

/* Copy out the last, partial byte of the bitmap. */
static int mshv_gpap_finish(struct mshv_gpap_walk *walk)
{
	if (walk->reported == walk->copied * 8)
		return 0;
	if (copy_to_user(walk->ubits + walk->copied, walk->bits, 1))
		return -EFAULT;
	walk->copied++;
	return 0;
}

static u64 mshv_gpap_hv_flags(const struct mshv_gpap_access_bitmap *args)
{
	bool dirty = args->access_type == MSHV_GPAP_ACCESS_TYPE_DIRTY;

	switch (args->access_op) {
	case MSHV_GPAP_ACCESS_OP_CLEAR:
		return dirty ? HV_GPA_ACCESS_STATE_CLEAR_DIRTY :
			       HV_GPA_ACCESS_STATE_CLEAR_ACCESSED;
	case MSHV_GPAP_ACCESS_OP_SET:
		return dirty ? HV_GPA_ACCESS_STATE_SET_DIRTY :
			       HV_GPA_ACCESS_STATE_SET_ACCESSED;
	default:
		return 0;
	}
}

static int mshv_gpap_check(const struct mshv_gpap_access_bitmap *args)
{
	u64 end;

	if (args->access_type >= MSHV_GPAP_ACCESS_TYPE_COUNT ||
	    args->access_op >= MSHV_GPAP_ACCESS_OP_COUNT ||
	    memchr_inv(args->rsvd, 0, sizeof(args->rsvd)) ||
	    !args->page_count || !args->bitmap_ptr)
		return -EINVAL;
	if (check_add_overflow(args->gpap_base, args->page_count, &end) ||
	    end > MSHV_GFN_LIMIT)
		return -EINVAL;
	return 0;
}

/*
 * Pages of the next hypercall of a walk at @gfn with @left pages to go: as
 * many as one call takes, ending on a 2 MiB boundary unless it is the
 * last, so that no movable chunk is split between two calls.
 */
static unsigned int mshv_gpap_chunk(u64 gfn, u64 left)
{
	u64 end;

	if (left <= HV_GET_GPA_ACCESS_STATES_MAX)
		return left;
	end = ALIGN_DOWN(gfn + HV_GET_GPA_ACCESS_STATES_MAX, MSHV_LARGE_PAGES);
	return end > gfn ? end - gfn : HV_GET_GPA_ACCESS_STATES_MAX;
}

/*
 * Report the accessed or dirty bits of a range of guest pages, in chunks of
 * at most HV_GET_GPA_ACCESS_STATES_MAX pages through a fixed kernel buffer.
 */
static long
mshv_partition_ioctl_gpap_bitmap(struct mshv_partition *partition,
				 struct mshv_gpap_access_bitmap __user *user_args)
{
	struct mshv_gpap_access_bitmap args;
	struct mshv_gpap_walk walk = {};
	unsigned int count, done;
	u64 hv_flags, gfn;
	bool consume;
	long ret;
	int err;

	lockdep_assert_held(&partition->pt_mutex);

	if (copy_from_user(&args, user_args, sizeof(args)))
		return -EFAULT;
	ret = mshv_gpap_check(&args);
	if (ret)
		return ret;

	walk.ubits = u64_to_user_ptr(args.bitmap_ptr);
	walk.mask = args.access_type == MSHV_GPAP_ACCESS_TYPE_DIRTY ?
		    HV_GPA_PAGE_DIRTY : HV_GPA_PAGE_ACCESSED;
	walk.states = kmalloc(HV_GET_GPA_ACCESS_STATES_MAX +
			      MSHV_GPAP_BITS_BYTES, GFP_KERNEL);
	if (!walk.states)
		return -ENOMEM;
	walk.bits = walk.states + HV_GET_GPA_ACCESS_STATES_MAX;
	memset(walk.bits, 0, MSHV_GPAP_BITS_BYTES);
	hv_flags = mshv_gpap_hv_flags(&args);

	consume = args.access_type == MSHV_GPAP_ACCESS_TYPE_DIRTY &&
		  args.access_op == MSHV_GPAP_ACCESS_OP_CLEAR;
	while (walk.reported < args.page_count) {
		gfn = args.gpap_base + walk.reported;
		count = mshv_gpap_chunk(gfn, args.page_count - walk.reported);
		ret = mshv_hvcall_get_gpa_access_states(partition->pt_id, gfn,
							hv_flags, count,
							walk.states, &done);
		mshv_partition_add_lost_dirty(partition, gfn, done,
					      walk.states, consume);
		err = mshv_gpap_add(&walk, done);
		ret = ret ?: err;
		if (ret)
			break;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		cond_resched();
	}
	err = mshv_gpap_finish(&walk);
	ret = ret ?: err;
	kfree(walk.states);

	/* The pages whose bits reached the user, also on failure. */
	args.page_count = min(walk.reported, walk.copied * 8);
	if (put_user(args.page_count, &user_args->page_count))
		ret = -EFAULT;
	return ret;
}

static long mshv_partition_ioctl(struct file *filp, unsigned int ioctl,
				 unsigned long arg)
{
	struct mshv_partition *partition = filp->private_data;
	long ret;

	/* As with KVM: guest memory is the creator's, so is the partition. */
	if (partition->pt_mm != current->mm)
		return -EIO;

	mutex_lock(&partition->pt_mutex);
	switch (ioctl) {
	case MSHV_INITIALIZE_PARTITION:
		ret = mshv_partition_ioctl_initialize(partition);
		break;
	case MSHV_SET_GUEST_MEMORY:
		ret = mshv_partition_ioctl_set_memory(partition,
						      (void __user *)arg);
		break;
	case MSHV_GET_GPAP_ACCESS_BITMAP:
		ret = mshv_partition_ioctl_gpap_bitmap(partition,
						       (void __user *)arg);
		break;
	case MSHV_CREATE_VP:
		ret = mshv_partition_ioctl_create_vp(partition,
						     (void __user *)arg);
		break;
	case MSHV_ROOT_HVCALL:
		ret = mshv_ioctl_root_hvcall(partition, true,
					     (void __user *)arg);
		break;
	case MSHV_IRQFD:
		ret = mshv_partition_ioctl_irqfd(partition, (void __user *)arg);
		break;
	case MSHV_IOEVENTFD:
		ret = mshv_partition_ioctl_ioeventfd(partition,
						     (void __user *)arg);
		break;
	case MSHV_SET_MSI_ROUTING:
		ret = mshv_partition_ioctl_set_msi_routing(partition,
							   (void __user *)arg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&partition->pt_mutex);

	return ret;
}

/**
 * mshv_partition_put() - drop a reference to a partition
 * @partition: the partition
 *
 * The last reference tears the partition down: its guest memory leaves
 * the hypervisor and is unpinned, the VPs' state pages are unmapped, then
 * the partition is finalized, its memory withdrawn and it is deleted.
 * What the hypervisor failed to remove earlier (guest memory it kept
 * mapped, doorbell ports) is released once the partition is deleted.
 *
 * Context: process context, may sleep.
 */
void mshv_partition_put(struct mshv_partition *partition)
{
	bool deleted;

	if (!refcount_dec_and_test(&partition->pt_ref))
		return;

	mutex_lock(&mshv_partitions_lock);
	list_del(&partition->pt_node);
	mutex_unlock(&mshv_partitions_lock);
	mshv_stats_partition_remove(partition);
	xa_erase(&mshv_partition_ids, partition->pt_id);

	/* Out of the hypervisor and unpinned before its memory is withdrawn. */
	mshv_partition_release_regions(partition);
	mshv_partition_release_vps(partition);
	deleted = mshv_partition_destroy_hv(partition->pt_id, partition);
	mshv_partition_release_kept_regions(partition, deleted);
	mshv_partition_release_ports(partition);
	mshv_partition_release_irq_table(partition);
	mutex_destroy(&partition->pt_resamplers_lock);
	mutex_destroy(&partition->pt_mutex);
	mmdrop(partition->pt_mm);
	kfree_rcu(partition, pt_rcu);
}

/**
 * mshv_partition_find_rcu() - look a live partition up by its id
 * @partition_id: the hypervisor's partition id
 *
 * Context: rcu_read_lock() held; the partition stays valid, but may be
 * being torn down, until rcu_read_unlock().
 * Return: the partition, or NULL.
 */
struct mshv_partition *mshv_partition_find_rcu(u64 partition_id)
{
	RCU_LOCKDEP_WARN(!rcu_read_lock_any_held(),
			 "mshv partition lookup outside an RCU read side");
	return xa_load(&mshv_partition_ids, partition_id);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_partition_find_rcu);

/**
 * mshv_kick_all_vps() - the hypervisor may have signalled any VP
 *
 * Wakes the MSHV_RUN_VP of every VP of every partition, as
 * mshv_partition_kick_vps() does for one partition's.
 *
 * Context: the SynIC interrupt handler.
 */
void mshv_kick_all_vps(void)
{
	struct mshv_partition *pt;
	unsigned long id;

	rcu_read_lock();
	xa_for_each(&mshv_partition_ids, id, pt)
		mshv_partition_kick_vps(id);
	rcu_read_unlock();
}

/**
 * mshv_partition_async_complete() - an HVMSG_ASYNC_CALL_COMPLETION arrived
 * @partition_id: the partition the completed call was for
 * @status: the call's final status
 *
 * Passes @status to the MSHV_ROOT_HVCALL waiting for the call. The
 * message of a partition that is gone (torn down while its call was
 * pending) is dropped.
 *
 * Context: the SynIC interrupt handler.
 */
void mshv_partition_async_complete(u64 partition_id, u64 status)
{
	struct mshv_partition *pt;

	rcu_read_lock();
	pt = mshv_partition_find_rcu(partition_id);
	if (!pt || !mshv_async_call_complete(&pt->pt_async, status))
		pr_debug("unexpected completion for partition %llu\n",
			 partition_id);
	else
		mshv_pt_stat_inc(pt, MSHV_PT_STAT_ASYNC_COMPLETIONS);
	rcu_read_unlock();
}

static int mshv_partition_release(struct inode *inode, struct file *filp)
{
	struct mshv_partition *partition = filp->private_data;

	/* Events need the partition fd; the VP fds may outlive it. */
	mshv_partition_release_ioeventfds(partition);
	mshv_partition_release_irqfds(partition);
	mshv_partition_put(partition);
	return 0;
}

static const struct file_operations mshv_partition_fops = {
	.owner = THIS_MODULE,
	.release = mshv_partition_release,
	.unlocked_ioctl = mshv_partition_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* Translate MSHV_PT_BIT_* flags into hypervisor partition creation flags. */
static u64 mshv_pt_creation_flags(u64 pt_flags)
{
	u64 flags = HV_PARTITION_CREATION_FLAG_EXO_PARTITION |
		    HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED;

	if (pt_flags & BIT_ULL(MSHV_PT_BIT_LAPIC))
		flags |= HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED;
	if (pt_flags & BIT_ULL(MSHV_PT_BIT_X2APIC))
		flags |= HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE;
	if (pt_flags & BIT_ULL(MSHV_PT_BIT_GPA_SUPER_PAGES))
		flags |= HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED;
	if (pt_flags & BIT_ULL(MSHV_PT_BIT_NESTED_VIRTUALIZATION))
		flags |= HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE;
	if (pt_flags & BIT_ULL(MSHV_PT_BIT_SMT_ENABLED_GUEST))
		flags |= HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST;

	return flags;
}

/*
 * Read the argument of MSHV_CREATE_PARTITION: the v1 structure, or the v2
 * one when its flag says so, into @args (unused v2 fields zero).
 */
static int
mshv_create_args_get(void __user *user_args,
		     struct mshv_create_partition_v2 *args)
{
	memset(args, 0, sizeof(*args));
	if (copy_from_user(args, user_args,
			   sizeof(struct mshv_create_partition)))
		return -EFAULT;
	if ((args->pt_flags & ~MSHV_PT_FLAGS_MASK) ||
	    args->pt_isolation != MSHV_PT_ISOLATION_NONE)
		return -EINVAL;
	if (!(args->pt_flags & BIT_ULL(MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES)))
		return 0;

	if (copy_from_user(args, user_args, sizeof(*args)))
		return -EFAULT;
	/* The flags are read again: they must not have changed. */
	if ((args->pt_flags & ~MSHV_PT_FLAGS_MASK) ||
	    !(args->pt_flags & BIT_ULL(MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES)) ||
	    args->pt_isolation != MSHV_PT_ISOLATION_NONE ||
	    args->pt_num_cpu_fbanks != MSHV_NUM_CPU_FEATURES_BANKS ||
	    memchr_inv(args->pt_rsvd, 0, sizeof(args->pt_rsvd)) ||
	    memchr_inv(args->pt_rsvd1, 0, sizeof(args->pt_rsvd1)))
		return -EINVAL;
	return 0;
}

/*
 * Does the partition's memory have to stay in place, pinned, rather than
 * be faulted in on demand? As in mainline: an isolated partition's memory
 * is encrypted or otherwise handed to the guest for good, and cannot move
 * under it. Every other partition gets movable memory. The checks of the
 * creation arguments accept no isolated partition yet.
 */
static bool
mshv_partition_needs_pinning(const struct mshv_create_partition_v2 *args)
{
	return args->pt_isolation != MSHV_PT_ISOLATION_NONE;
}

static long mshv_dev_ioctl_create_partition(void __user *user_args)
{
	struct hv_partition_creation_properties props = {};
	struct mshv_create_partition_v2 args;
	struct mshv_partition *partition;
	struct file *file;
	int fd, ret;

	ret = mshv_create_args_get(user_args, &args);
	if (ret)
		return ret;
	memcpy(props.disabled_processor_features, args.pt_cpu_fbanks,
	       sizeof(props.disabled_processor_features));
	props.disabled_processor_xsave_features = args.pt_disabled_xsave;

	/* Cheap failures first, before the hypervisor does any work. */
	partition = kzalloc(sizeof(*partition), GFP_KERNEL_ACCOUNT);
	if (!partition)
		return -ENOMEM;
	refcount_set(&partition->pt_ref, 1);
	xa_init(&partition->pt_vps);
	mutex_init(&partition->pt_mutex);
	spin_lock_init(&partition->pt_irqfds_lock);
	INIT_LIST_HEAD(&partition->pt_irqfds);
	mutex_init(&partition->pt_resamplers_lock);
	INIT_LIST_HEAD(&partition->pt_resamplers);
	INIT_LIST_HEAD(&partition->pt_ioeventfds);
	INIT_LIST_HEAD(&partition->pt_ports_left);
	mshv_async_call_init(&partition->pt_async);
	mshv_partition_regions_init(partition);
	partition->pt_super_pages =
		args.pt_flags & BIT_ULL(MSHV_PT_BIT_GPA_SUPER_PAGES);
	partition->pt_pin_memory = mshv_partition_needs_pinning(&args);
	partition->pt_mm = current->mm;
	mmgrab(partition->pt_mm);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto free_partition;
	}

	ret = mshv_hvcall_create_partition(mshv_pt_creation_flags(args.pt_flags),
					   &props, &partition->pt_id);
	if (ret)
		goto put_fd;

	ret = xa_insert(&mshv_partition_ids, partition->pt_id, partition,
			GFP_KERNEL_ACCOUNT);
	if (ret)
		goto destroy_hv_partition;

	file = anon_inode_getfile("mshv_partition", &mshv_partition_fops,
				  partition, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto erase_id;
	}

	mutex_lock(&mshv_partitions_lock);
	list_add_tail(&partition->pt_node, &mshv_partitions);
	mutex_unlock(&mshv_partitions_lock);
	mshv_stats_partition_add(partition);

	/* From here on the file's release owns the partition. */
	fd_install(fd, file);
	return fd;

erase_id:
	xa_erase(&mshv_partition_ids, partition->pt_id);
destroy_hv_partition:
	mshv_partition_destroy_hv(partition->pt_id, NULL);
put_fd:
	put_unused_fd(fd);
free_partition:
	mutex_destroy(&partition->pt_resamplers_lock);
	mutex_destroy(&partition->pt_mutex);
	mmdrop(partition->pt_mm);
	/* It may have been published to the SynIC handler for a moment. */
	kfree_rcu(partition, pt_rcu);
	return ret;
}

static long mshv_dev_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	switch (ioctl) {
	case MSHV_CREATE_PARTITION:
		return mshv_dev_ioctl_create_partition((void __user *)arg);
	case MSHV_ROOT_HVCALL:
		return mshv_ioctl_root_hvcall(NULL, false, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mshv_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = mshv_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice mshv_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mshv",
	.fops = &mshv_dev_fops,
	.mode = 0600,
};

/*
 * debugfs "partitions": a header line, then one line per partition with
 * its id, number of memory regions, pages pinned for it, pages of movable
 * regions mapped accessible and bytes of kernel memory tracking them.
 */
static int mshv_debugfs_partitions_show(struct seq_file *m, void *unused)
{
	struct mshv_partition *pt;

	seq_puts(m, "ID REGIONS PINNED_PAGES MOVABLE_PAGES TRACKING_BYTES\n");
	mutex_lock(&mshv_partitions_lock);
	list_for_each_entry(pt, &mshv_partitions, pt_node)
		seq_printf(m, "%llu %u %lld %lld %lld\n", pt->pt_id,
			   READ_ONCE(pt->pt_nr_regions),
			   atomic64_read(&pt->pt_pinned_pages),
			   atomic64_read(&pt->pt_movable_mapped),
			   atomic64_read(&pt->pt_tracking_bytes));
	mutex_unlock(&mshv_partitions_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_debugfs_partitions);

/*
 * debugfs "pin_memory": writing a partition's id makes it pin the guest
 * memory it is given from then on, as an isolated partition does, rather
 * than fault it in on demand; so that pinned memory can be debugged and
 * tested with any partition. Only a partition without memory regions may
 * change: -EBUSY otherwise, -ENOENT for an unknown id.
 */
static ssize_t mshv_debugfs_pin_memory_write(struct file *file,
					     const char __user *ubuf,
					     size_t count, loff_t *ppos)
{
	struct mshv_partition *pt;
	u64 id;
	int ret;

	ret = kstrtou64_from_user(ubuf, count, 0, &id);
	if (ret)
		return ret;

	rcu_read_lock();
	pt = mshv_partition_find_rcu(id);
	if (pt && !refcount_inc_not_zero(&pt->pt_ref))
		pt = NULL;
	rcu_read_unlock();
	if (!pt)
		return -ENOENT;

	mutex_lock(&pt->pt_mutex);
	ret = -EBUSY;
	if (!pt->pt_nr_regions) {
		pt->pt_pin_memory = true;
		ret = count;
	}
	mutex_unlock(&pt->pt_mutex);
	mshv_partition_put(pt);
	return ret;
}

static const struct file_operations mshv_debugfs_pin_memory_fops = {
	.owner = THIS_MODULE,
	.write = mshv_debugfs_pin_memory_write,
	.llseek = noop_llseek,
};

static int mshv_debugfs_scheduler_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%s\n", mshv_scheduler_names[mshv_scheduler_type]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_debugfs_scheduler);

/*
 * Learn which scheduler the hypervisor runs: with the root scheduler
 * MSHV_RUN_VP dispatches the VP on the calling thread, with any other the
 * hypervisor runs the VPs and MSHV_RUN_VP waits for their intercepts.
 */
static int mshv_scheduler_init(void)
{
	u32 type;
	int ret;

	ret = mshv_hvcall_get_scheduler_type(&type);
	if (ret) {
		pr_err("cannot read the scheduler type: %d\n", ret);
		return ret;
	}
	if (type >= ARRAY_SIZE(mshv_scheduler_names) ||
	    !mshv_scheduler_names[type]) {
		pr_err("unknown scheduler type %u\n", type);
		return -ENODEV;
	}
	mshv_scheduler_type = type;
	if (type == HV_SCHEDULER_TYPE_ROOT)
		pr_info("using the root scheduler\n");
	else
		pr_info("the hypervisor runs the VPs (%s scheduler)\n",
			mshv_scheduler_names[type]);
	return 0;
}

/*
 * With the root scheduler, a hypervisor that offers it takes interrupts
 * for a VP from the VP's register page when the root dispatches the VP:
 * an irqfd then raises an interrupt without a hypercall.
 */
static void mshv_fast_injection_init(void)
{
	mshv_fast_injection = mshv_scheduler_type == HV_SCHEDULER_TYPE_ROOT &&
			      (hv_seam_features_ecx() &
			       HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE);
	if (mshv_fast_injection)
		pr_info("interrupts are injected through the register page\n");
}

/*
 * Learn what the hypervisor lets the root's VMM do. An older hypervisor
 * does not say; the driver then assumes nothing, which costs nothing
 * today: the driver relies on none of these capabilities yet, and the
 * integrated scheduler they may offer stays off.
 */
static void mshv_vmm_caps_init(void)
{
	int ret;

	ret = mshv_hvcall_get_vmm_caps(&mshv_vmm_caps);
	if (ret) {
		mshv_vmm_caps = 0;
		pr_info("the hypervisor reports no VMM capabilities (%d)\n",
			ret);
		return;
	}
	pr_info("VMM capabilities %#llx\n", mshv_vmm_caps);
}

static int mshv_debugfs_vmm_caps_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%#llx\n", mshv_vmm_caps);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_debugfs_vmm_caps);

static void mshv_debugfs_init(void)
{
	/* debugfs is a debugging aid: its failures are not the driver's. */
	mshv_debugfs = debugfs_create_dir("mshv", NULL);
	debugfs_create_file("partitions", 0400, mshv_debugfs, NULL,
			    &mshv_debugfs_partitions_fops);
	debugfs_create_file("scheduler", 0400, mshv_debugfs, NULL,
			    &mshv_debugfs_scheduler_fops);
	debugfs_create_file("vmm_capabilities", 0400, mshv_debugfs, NULL,
			    &mshv_debugfs_vmm_caps_fops);
	debugfs_create_file("pin_memory", 0200, mshv_debugfs, NULL,
			    &mshv_debugfs_pin_memory_fops);
	mshv_stats_init(mshv_debugfs);
}

static int __init mshv_root_init(void)
{
	int ret;

	ret = hv_seam_get();
	if (ret)
		return ret;

	if (!hv_seam_root_partition()) {
		pr_info("not running in a Hyper-V root partition\n");
		ret = -ENODEV;
		goto put_seam;
	}

	ret = mshv_scheduler_init();
	if (ret)
		goto put_seam;
	mshv_vmm_caps_init();
	mshv_fast_injection_init();

	if (mshv_scheduler_type == HV_SCHEDULER_TYPE_ROOT) {
		ret = mshv_dispatch_pages_alloc();
		if (ret)
			goto put_seam;
	}

	ret = mshv_irqfd_init();
	if (ret)
		goto free_dispatch_pages;

	ret = mshv_synic_init();
	if (ret)
		goto exit_irqfd;

	ret = misc_register(&mshv_dev);
	if (ret)
		goto exit_synic;

	mshv_debugfs_init();
	return 0;

exit_synic:
	mshv_synic_exit();
exit_irqfd:
	mshv_irqfd_exit();
free_dispatch_pages:
	mshv_dispatch_pages_free();
put_seam:
	hv_seam_put();
	return ret;
}

static void __exit mshv_root_exit(void)
{
	mshv_stats_exit();
	debugfs_remove_recursive(mshv_debugfs);
	misc_deregister(&mshv_dev);
	mshv_synic_exit();
	mshv_irqfd_exit();
	mshv_dispatch_pages_free();
	hv_seam_put();
}

module_init(mshv_root_init);
module_exit(mshv_root_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Microsoft Hyper-V root partition VMM interface /dev/mshv");
