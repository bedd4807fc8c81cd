// SPDX-License-Identifier: GPL-2.0
/*
 * irqfds of /dev/mshv partitions: eventfds whose signal raises a guest
 * interrupt with no trip through the VMM.
 *
 * An irqfd hooks the wait queue of its eventfd. When the eventfd is
 * signalled, the hook (in whatever context signalled it) looks the GSI up
 * in the partition's MSI routing table and asks the hypervisor to assert
 * that interrupt. A GSI without a route raises nothing.
 *
 * An irqfd is on its partition's list from MSHV_IRQFD until it is
 * deassigned, its eventfd is closed or the partition fd is released.
 * Whichever comes first takes it off the list under pt_irqfds_lock and
 * queues its shutdown, which unhooks it from the eventfd and frees it;
 * deassign and release wait for the shutdowns, so that nothing is
 * injected after they return.
 *
 * A resampling irqfd is for a level-triggered interrupt. When the guest
 * ends (EOIs) such an interrupt, the hypervisor tells the root with an
 * HVMSG_X64_APIC_EOI message; every resampling irqfd whose GSI is routed
 * to that vector, level-triggered, then signals its resample eventfd, so
 * that the VMM can check its device and raise the line again if needed.
 * The irqfds of one GSI share a resampler, which the SynIC handler finds
 * under RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "mshv_root.h"

/**
 * struct mshv_irqfd_resampler - the resampling irqfds of one GSI
 * @gsi: the GSI
 * @irqfds: its irqfds (struct mshv_irqfd), an RCU list
 * @node: entry in the partition's pt_resamplers, an RCU list
 * @rcu: frees the resampler after a grace period
 *
 * Both lists change under the partition's pt_resamplers_lock.
 */
struct mshv_irqfd_resampler {
	u32 gsi;
	struct list_head irqfds;
	struct list_head node;
	struct rcu_head rcu;
};

/**
 * struct mshv_irqfd - an eventfd that raises a guest interrupt
 * @partition: the partition; outlives the irqfd (release shuts it down)
 * @eventfd: the eventfd that raises the interrupt
 * @gsi: the GSI raised
 * @resampler: with resampling: the resampler of @gsi, else NULL
 * @resamplefd: with resampling: the eventfd signalled on EOI
 * @resample_node: entry in the resampler's irqfds
 * @wait: the hook in @eventfd's wait queue
 * @poll: used to add @wait to the wait queue
 * @node: entry in the partition's pt_irqfds, under pt_irqfds_lock; empty
 *	once the irqfd is being shut down
 * @shutdown: unhooks and frees the irqfd, on mshv_irqfd_wq
 */
struct mshv_irqfd {
	struct mshv_partition *partition;
	struct eventfd_ctx *eventfd;
	u32 gsi;
	struct mshv_irqfd_resampler *resampler;
	struct eventfd_ctx *resamplefd;
	struct list_head resample_node;
	wait_queue_entry_t wait;
	poll_table poll;
	struct list_head node;
	struct work_struct shutdown;
};

/* Runs the shutdowns of irqfds; flushed by deassign and release. */
static struct workqueue_struct *mshv_irqfd_wq;

static void mshv_irqfd_inject(struct mshv_irqfd *irqfd)
{
	struct mshv_partition *pt = irqfd->partition;
	struct mshv_lapic_irq irq;

	if (!mshv_partition_irq_route(pt, irqfd->gsi, &irq))
		return;
	/* Through the VP's register page if possible, else by hypercall. */
	if (mshv_vp_inject_fast(pt, &irq))
		mshv_hvcall_assert_interrupt(pt->pt_id, &irq);
}

/* Take @irqfd off its partition's list and have it shut down. */
static void mshv_irqfd_deactivate(struct mshv_irqfd *irqfd)
{
	lockdep_assert_held(&irqfd->partition->pt_irqfds_lock);

	if (list_empty(&irqfd->node))
		return;
	list_del_init(&irqfd->node);
	queue_work(mshv_irqfd_wq, &irqfd->shutdown);
}

/* Called with the eventfd's wait queue lock held, IRQs off. */
static int mshv_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			     int sync, void *key)
{
	struct mshv_irqfd *irqfd = container_of(wait, struct mshv_irqfd,
						wait);
	struct mshv_partition *pt = irqfd->partition;
	__poll_t events = key_to_poll(key);
	unsigned long flags;
	int ret = 0;
	u64 count;

	if (events & EPOLLIN) {
		/* Signals that came together raise one interrupt. */
		eventfd_ctx_do_read(irqfd->eventfd, &count);
		mshv_irqfd_inject(irqfd);
		/* The count is consumed: other waiters would find none. */
		ret = 1;
	}
	if (events & EPOLLHUP) {
		/* The eventfd is being closed. */
		spin_lock_irqsave(&pt->pt_irqfds_lock, flags);
		mshv_irqfd_deactivate(irqfd);
		spin_unlock_irqrestore(&pt->pt_irqfds_lock, flags);
	}
	return ret;
}

static void mshv_irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
				  poll_table *poll)
{
	struct mshv_irqfd *irqfd = container_of(poll, struct mshv_irqfd,
						poll);

	/* Ahead of other waiters, so that a signal reaches the guest first. */
	add_wait_queue_priority(wqh, &irqfd->wait);
}

/* Make @irqfd one of the resampling irqfds of its GSI. */
static int mshv_irqfd_resampler_join(struct mshv_irqfd *irqfd)
{
	struct mshv_partition *pt = irqfd->partition;
	struct mshv_irqfd_resampler *rs;
	int ret = 0;

	mutex_lock(&pt->pt_resamplers_lock);
	list_for_each_entry(rs, &pt->pt_resamplers, node)
		if (rs->gsi == irqfd->gsi)
			goto join;

	rs = kzalloc(sizeof(*rs), GFP_KERNEL_ACCOUNT);
	if (!rs) {
		ret = -ENOMEM;
		goto unlock;
	}
	rs->gsi = irqfd->gsi;
	INIT_LIST_HEAD(&rs->irqfds);
	list_add_rcu(&rs->node, &pt->pt_resamplers);
join:
	list_add_rcu(&irqfd->resample_node, &rs->irqfds);
	irqfd->resampler = rs;
unlock:
	mutex_unlock(&pt->pt_resamplers_lock);
	return ret;
}

/*
 * Take @irqfd out of its resampler, freeing the resampler with its last
 * irqfd, and wait until the SynIC handler cannot see it any more.
 */
static void mshv_irqfd_resampler_leave(struct mshv_irqfd *irqfd)
{
	struct mshv_partition *pt = irqfd->partition;
	struct mshv_irqfd_resampler *rs = irqfd->resampler;

	mutex_lock(&pt->pt_resamplers_lock);
	list_del_rcu(&irqfd->resample_node);
	if (list_empty(&rs->irqfds)) {
		list_del_rcu(&rs->node);
		kfree_rcu(rs, rcu);
	}
	mutex_unlock(&pt->pt_resamplers_lock);
	irqfd->resampler = NULL;
	synchronize_rcu();
}

static void mshv_irqfd_free(struct mshv_irqfd *irqfd)
{
	if (irqfd->resampler)
		mshv_irqfd_resampler_leave(irqfd);
	if (irqfd->resamplefd)
		eventfd_ctx_put(irqfd->resamplefd);
	eventfd_ctx_put(irqfd->eventfd);
	kfree(irqfd);
}

static void mshv_irqfd_shutdown(struct work_struct *work)
{
	struct mshv_irqfd *irqfd = container_of(work, struct mshv_irqfd,
						shutdown);
	u64 count;

	eventfd_ctx_remove_wait_queue(irqfd->eventfd, &irqfd->wait, &count);
	mshv_irqfd_free(irqfd);
}

/* Put @irqfd on its partition's list, unless its eventfd already is. */
static int mshv_irqfd_add(struct mshv_irqfd *irqfd)
{
	struct mshv_partition *pt = irqfd->partition;
	struct mshv_irqfd *other;
	int ret = 0;

	spin_lock_irq(&pt->pt_irqfds_lock);
	list_for_each_entry(other, &pt->pt_irqfds, node) {
		if (other->eventfd == irqfd->eventfd) {
			ret = -EBUSY;
			goto unlock;
		}
	}
	list_add_tail(&irqfd->node, &pt->pt_irqfds);
unlock:
	spin_unlock_irq(&pt->pt_irqfds_lock);
	return ret;
}

/*
 * Set up resampling for @irqfd: the resample eventfd, and the GSI's
 * current route, which must be level-triggered.
 */
static int mshv_irqfd_setup_resample(struct mshv_irqfd *irqfd, int fd)
{
	struct mshv_lapic_irq irq;

	irqfd->resamplefd = eventfd_ctx_fdget(fd);
	if (IS_ERR(irqfd->resamplefd)) {
		int ret = PTR_ERR(irqfd->resamplefd);

		irqfd->resamplefd = NULL;
		return ret;
	}
	if (!mshv_partition_irq_route(irqfd->partition, irqfd->gsi, &irq) ||
	    !irq.level)
		return -EINVAL;
	return mshv_irqfd_resampler_join(irqfd);
}

static int mshv_irqfd_assign(struct mshv_partition *pt,
			     const struct mshv_user_irqfd *args)
{
	struct mshv_irqfd *irqfd;
	__poll_t events;
	int ret;

	CLASS(fd, f)(args->fd);
	if (fd_empty(f))
		return -EBADF;

	irqfd = kzalloc(sizeof(*irqfd), GFP_KERNEL_ACCOUNT);
	if (!irqfd)
		return -ENOMEM;
	irqfd->partition = pt;
	irqfd->gsi = args->gsi;
	INIT_LIST_HEAD(&irqfd->node);
	INIT_WORK(&irqfd->shutdown, mshv_irqfd_shutdown);
	init_waitqueue_func_entry(&irqfd->wait, mshv_irqfd_wakeup);
	init_poll_funcptr(&irqfd->poll, mshv_irqfd_queue_proc);

	irqfd->eventfd = eventfd_ctx_fileget(fd_file(f));
	if (IS_ERR(irqfd->eventfd)) {
		ret = PTR_ERR(irqfd->eventfd);
		kfree(irqfd);
		return ret;
	}
	if (args->flags & BIT(MSHV_IRQFD_BIT_RESAMPLE)) {
		ret = mshv_irqfd_setup_resample(irqfd, args->resamplefd);
		if (ret)
			goto free;
	}
	ret = mshv_irqfd_add(irqfd);
	if (ret)
		goto free;

	/* A signal that came before the hook raises the interrupt now. */
	events = vfs_poll(fd_file(f), &irqfd->poll);
	if (events & EPOLLIN)
		mshv_irqfd_inject(irqfd);
	return 0;

free:
	mshv_irqfd_free(irqfd);
	return ret;
}

/* Shut every irqfd of @eventfd and @gsi down and wait until it is gone. */
static int mshv_irqfd_deassign(struct mshv_partition *pt,
			       const struct mshv_user_irqfd *args)
{
	struct mshv_irqfd *irqfd, *next;
	struct eventfd_ctx *eventfd;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);

	spin_lock_irq(&pt->pt_irqfds_lock);
	list_for_each_entry_safe(irqfd, next, &pt->pt_irqfds, node)
		if (irqfd->eventfd == eventfd && irqfd->gsi == args->gsi)
			mshv_irqfd_deactivate(irqfd);
	spin_unlock_irq(&pt->pt_irqfds_lock);

	eventfd_ctx_put(eventfd);
	flush_workqueue(mshv_irqfd_wq);
	return 0;
}

/**
 * mshv_partition_ioctl_irqfd() - MSHV_IRQFD
 * @pt: the partition
 * @user_args: the struct mshv_user_irqfd, from the user
 *
 * Deassigning an irqfd that does not exist succeeds, as in mainline.
 *
 * Context: process context, pt->pt_mutex held.
 * Return: 0; -EFAULT; -EINVAL for unknown flags, a file that is not an
 * eventfd, or resampling of a GSI without a level-triggered route;
 * -EBADF for a bad fd; -EBUSY if the eventfd is already an irqfd of the
 * partition; -ENOMEM.
 */
long mshv_partition_ioctl_irqfd(struct mshv_partition *pt,
				struct mshv_user_irqfd __user *user_args)
{
	struct mshv_user_irqfd args;

	lockdep_assert_held(&pt->pt_mutex);

	if (copy_from_user(&args, user_args, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~MSHV_IRQFD_FLAGS_MASK)
		return -EINVAL;
	if (args.flags & BIT(MSHV_IRQFD_BIT_DEASSIGN))
		return mshv_irqfd_deassign(pt, &args);
	return mshv_irqfd_assign(pt, &args);
}

/**
 * mshv_partition_release_irqfds() - shut down every irqfd of a partition
 * @pt: the partition, whose fd is being released
 *
 * Context: process context; returns once no irqfd can inject any more.
 */
void mshv_partition_release_irqfds(struct mshv_partition *pt)
{
	struct mshv_irqfd *irqfd, *next;

	spin_lock_irq(&pt->pt_irqfds_lock);
	list_for_each_entry_safe(irqfd, next, &pt->pt_irqfds, node)
		mshv_irqfd_deactivate(irqfd);
	spin_unlock_irq(&pt->pt_irqfds_lock);
	flush_workqueue(mshv_irqfd_wq);
}

/**
 * mshv_irqfd_eoi() - a guest ended a level-triggered interrupt
 * @partition_id: the partition
 * @vector: the vector it ended
 *
 * Signals the resample eventfd of every resampling irqfd whose GSI is
 * routed, level-triggered, to @vector.
 *
 * Context: any context (the SynIC handler).
 */
void mshv_irqfd_eoi(u64 partition_id, u32 vector)
{
	struct mshv_irqfd_resampler *rs;
	struct mshv_partition *pt;
	struct mshv_irqfd *irqfd;
	struct mshv_lapic_irq irq;

	rcu_read_lock();
	pt = mshv_partition_find_rcu(partition_id);
	if (!pt)
		goto unlock;
	list_for_each_entry_rcu(rs, &pt->pt_resamplers, node) {
		if (!mshv_partition_irq_route(pt, rs->gsi, &irq) ||
		    !irq.level || irq.vector != vector)
			continue;
		list_for_each_entry_rcu(irqfd, &rs->irqfds, resample_node)
			eventfd_signal(irqfd->resamplefd);
	}
unlock:
	rcu_read_unlock();
}

/**
 * mshv_irqfd_init() - set up what irqfds of all partitions share
 *
 * Return: 0 or -ENOMEM.
 */
int mshv_irqfd_init(void)
{
	mshv_irqfd_wq = alloc_workqueue("mshv-irqfd-cleanup", 0, 0);
	return mshv_irqfd_wq ? 0 : -ENOMEM;
}

/**
 * mshv_irqfd_exit() - undo mshv_irqfd_init(), once no partition is left
 */
void mshv_irqfd_exit(void)
{
	destroy_workqueue(mshv_irqfd_wq);
}
