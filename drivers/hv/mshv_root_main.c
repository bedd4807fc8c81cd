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
#include <linux/errno.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <hyperv/hv_seam.h>
#include <hyperv/hvhdk.h>
#include <uapi/linux/mshv.h>

#include "mshv_root.h"

/* The uapi layouts are fixed; these sizes are encoded in the ioctl numbers. */
static_assert(sizeof(struct mshv_create_partition) == 16);
static_assert(sizeof(struct mshv_root_hvcall) == 32);

/* Hypercalls MSHV_ROOT_HVCALL may issue; none of them is a rep hypercall. */
static const u16 mshv_passthru_hvcalls[] = {
	HVCALL_GET_PARTITION_PROPERTY,
	HVCALL_SET_PARTITION_PROPERTY,
};

static struct miscdevice mshv_dev;

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
 * deposited into it, then delete it. A partition whose memory could not
 * be withdrawn is not deleted, so that the hypervisor keeps those pages
 * accounted to it instead of losing track of them.
 */
static void mshv_partition_destroy_hv(u64 pt_id)
{
	mshv_teardown_step(mshv_hvcall_finalize_partition, pt_id,
			   "finalizing");
	if (mshv_teardown_step(mshv_hvcall_withdraw_all, pt_id,
			       "withdrawing memory of"))
		return;
	mshv_teardown_step(mshv_hvcall_delete_partition, pt_id, "deleting");
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
		mshv_teardown_step(mshv_hvcall_withdraw_all, partition->pt_id,
				   "withdrawing memory of");
		return ret;
	}

	partition->pt_initialized = true;
	return 0;
}

static bool mshv_passthru_allowed(u16 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mshv_passthru_hvcalls); i++)
		if (mshv_passthru_hvcalls[i] == code)
			return true;
	return false;
}

static int mshv_root_hvcall_check(const struct mshv_root_hvcall *args)
{
	if (args->status || memchr_inv(args->rsvd, 0, sizeof(args->rsvd)))
		return -EINVAL;
	if (!args->in_ptr || args->in_sz < sizeof(u64) ||
	    args->in_sz > HV_HYP_PAGE_SIZE)
		return -EINVAL;
	if (args->out_ptr && (!args->out_sz || args->out_sz > HV_HYP_PAGE_SIZE))
		return -EINVAL;
	if (!mshv_passthru_allowed(args->code))
		return -EINVAL;
	/* Only simple hypercalls are allowed. */
	if (args->reps)
		return -EINVAL;
	return 0;
}

static long
mshv_partition_ioctl_root_hvcall(struct mshv_partition *partition,
				 struct mshv_root_hvcall __user *user_args)
{
	struct mshv_passthru_call call = { .partition_id = partition->pt_id };
	struct mshv_root_hvcall args;
	void *output = NULL;
	void *input;
	long ret;

	lockdep_assert_held(&partition->pt_mutex);

	if (copy_from_user(&args, user_args, sizeof(args)))
		return -EFAULT;

	ret = mshv_root_hvcall_check(&args);
	if (ret)
		return ret;

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

static long mshv_partition_ioctl(struct file *filp, unsigned int ioctl,
				 unsigned long arg)
{
	struct mshv_partition *partition = filp->private_data;
	long ret;

	mutex_lock(&partition->pt_mutex);
	switch (ioctl) {
	case MSHV_INITIALIZE_PARTITION:
		ret = mshv_partition_ioctl_initialize(partition);
		break;
	case MSHV_ROOT_HVCALL:
		ret = mshv_partition_ioctl_root_hvcall(partition,
						       (void __user *)arg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&partition->pt_mutex);

	return ret;
}

static int mshv_partition_release(struct inode *inode, struct file *filp)
{
	struct mshv_partition *partition = filp->private_data;

	mshv_partition_destroy_hv(partition->pt_id);
	mutex_destroy(&partition->pt_mutex);
	kfree(partition);
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

	return flags;
}

static long
mshv_dev_ioctl_create_partition(struct mshv_create_partition __user *user_args)
{
	struct mshv_create_partition args;
	struct mshv_partition *partition;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&args, user_args, sizeof(args)))
		return -EFAULT;

	if ((args.pt_flags & ~MSHV_PT_FLAGS_MASK) ||
	    args.pt_isolation != MSHV_PT_ISOLATION_NONE)
		return -EINVAL;

	/* Cheap failures first, before the hypervisor does any work. */
	partition = kzalloc(sizeof(*partition), GFP_KERNEL_ACCOUNT);
	if (!partition)
		return -ENOMEM;
	mutex_init(&partition->pt_mutex);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto free_partition;
	}

	ret = mshv_hvcall_create_partition(mshv_pt_creation_flags(args.pt_flags),
					   &partition->pt_id);
	if (ret)
		goto put_fd;

	file = anon_inode_getfile("mshv_partition", &mshv_partition_fops,
				  partition, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto destroy_hv_partition;
	}

	/* From here on the file's release owns the partition. */
	fd_install(fd, file);
	return fd;

destroy_hv_partition:
	mshv_partition_destroy_hv(partition->pt_id);
put_fd:
	put_unused_fd(fd);
free_partition:
	mutex_destroy(&partition->pt_mutex);
	kfree(partition);
	return ret;
}

static long mshv_dev_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	switch (ioctl) {
	case MSHV_CREATE_PARTITION:
		return mshv_dev_ioctl_create_partition((void __user *)arg);
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

	ret = misc_register(&mshv_dev);
	if (ret)
		goto put_seam;

	return 0;

put_seam:
	hv_seam_put();
	return ret;
}

static void __exit mshv_root_exit(void)
{
	misc_deregister(&mshv_dev);
	hv_seam_put();
}

module_init(mshv_root_init);
module_exit(mshv_root_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Microsoft Hyper-V root partition VMM interface /dev/mshv");
