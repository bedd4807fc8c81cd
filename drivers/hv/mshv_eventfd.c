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
 *
 * An ioeventfd is the other direction: a guest write to an MMIO address
 * signals an eventfd, with no exit to the VMM. The hypervisor does the
 * matching: each ioeventfd is a doorbell, a root-owned port that the
 * child partition is connected to with the address, size and value to
 * watch. A write that matches queues the port id in the root's doorbell
 * event ring; the SynIC handler drains the ring and signals the eventfd
 * of each port id, which it looks up under RCU in a table of all
 * doorbells of all partitions.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/list.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <hyperv/hvhdk.h>
#include <trace/events/mshv.h>

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

	bool fast;

	if (!mshv_partition_irq_route(pt, irqfd->gsi, &irq))
		return;
	/* Through the VP's register page if possible, else by hypercall. */
	fast = !mshv_vp_inject_fast(pt, &irq);
	if (!fast)
		mshv_hvcall_assert_interrupt(pt->pt_id, &irq);
	mshv_pt_stat_inc(pt, fast ? MSHV_PT_STAT_IRQFD_FAST :
				    MSHV_PT_STAT_IRQFD_SLOW);
	trace_mshv_irqfd_inject(pt->pt_id, irqfd->gsi, irq.vector, irq.dest,
				fast);
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
 * struct mshv_ioeventfd - an eventfd that guest writes to an address signal
 * @eventfd: the eventfd
 * @addr: the guest physical address
 * @len: the size of a write that matches, or 0 for any size
 * @datamatch: the value of a write that matches, unless @wildcard
 * @wildcard: writes of any value match
 * @port_id: the doorbell's port id (and connection id); its key in
 *	mshv_doorbells
 * @port_left: the hypervisor kept the doorbell's port (and maybe its
 *	connection): once its eventfd is put, the ioeventfd stays on the
 *	partition's pt_ports_left, for the partition's teardown to delete
 *	the port
 * @node: entry in the partition's pt_ioeventfds, or pt_ports_left
 * @free_node: entry in a list of ioeventfds being freed
 */
struct mshv_ioeventfd {
	struct eventfd_ctx *eventfd;
	u64 addr;
	u32 len;
	u64 datamatch;
	bool wildcard;
	u32 port_id;
	bool port_left;
	struct list_head node;
	struct list_head free_node;
};

/*
 * The doorbells of all partitions (struct mshv_ioeventfd), by port id. An
 * id is allocated (as a reserved, NULL entry) before its port is created
 * and the ioeventfd is stored once the doorbell works; the SynIC handler
 * looks port ids up under RCU. The xarray's own lock serialises changes.
 */
static DEFINE_XARRAY_ALLOC1(mshv_doorbells);
/* Doorbells that signalled an ioeventfd; atomic, no lock. */
static atomic64_t mshv_doorbell_count;
/* Next port id to try: ids are reused as late as possible. */
static u32 mshv_doorbell_next;
/* Port ids tried for one doorbell whose ports exist already. */
#define MSHV_DOORBELL_ID_TRIES	16
/* Attempts of each hypercall that takes a doorbell out of the hypervisor. */
#define MSHV_DOORBELL_REMOVE_TRIES	3

/* Whether @a and @b would claim the same writes. */
static bool mshv_ioeventfd_collide(const struct mshv_ioeventfd *a,
				   const struct mshv_ioeventfd *b)
{
	return a->addr == b->addr && a->len == b->len &&
	       (a->wildcard || b->wildcard || a->datamatch == b->datamatch);
}

/* The HV_DOORBELL_FLAG_* bits of @p. */
static u64 mshv_ioeventfd_flags(const struct mshv_ioeventfd *p)
{
	u64 flags = p->len ? ilog2(p->len) + HV_DOORBELL_FLAG_TRIGGER_SIZE_BYTE :
			     HV_DOORBELL_FLAG_TRIGGER_SIZE_ANY;

	if (p->wildcard)
		flags |= HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE;
	return flags;
}

/*
 * Delete the port of @p's doorbell, trying a few times. If the hypervisor
 * keeps it, the id stays reserved (a NULL entry), so that it is never
 * given out again, @p is marked port_left and false is returned.
 */
static bool mshv_ioeventfd_delete_port(struct mshv_ioeventfd *p)
{
	unsigned int tries;

	for (tries = 0; tries < MSHV_DOORBELL_REMOVE_TRIES; tries++) {
		if (!mshv_hvcall_delete_port(p->port_id)) {
			xa_erase(&mshv_doorbells, p->port_id);
			p->port_left = false;
			return true;
		}
	}
	xa_store(&mshv_doorbells, p->port_id, NULL, GFP_KERNEL);
	p->port_left = true;
	return false;
}

/*
 * Give @p a port id and create its port. An id whose port exists in the
 * hypervisor already (left by an earlier instance of the driver) stays
 * reserved, and the next one is tried.
 */
static int mshv_ioeventfd_create_port(struct mshv_partition *pt,
				      struct mshv_ioeventfd *p)
{
	unsigned int tries;
	int ret;

	for (tries = 0; tries < MSHV_DOORBELL_ID_TRIES; tries++) {
		ret = xa_alloc_cyclic(&mshv_doorbells, &p->port_id, NULL,
				      XA_LIMIT(1, HV_PORT_ID_MAX),
				      &mshv_doorbell_next, GFP_KERNEL_ACCOUNT);
		if (ret < 0)
			return ret == -EBUSY ? -ENOSPC : ret;
		ret = mshv_hvcall_create_doorbell_port(pt->pt_id, p->port_id);
		if (ret != -EADDRINUSE)
			break;
		pr_warn("doorbell port %u is taken in the hypervisor\n",
			p->port_id);
	}
	if (ret == -EADDRINUSE)
		return -ENOSPC;
	if (ret)
		xa_erase(&mshv_doorbells, p->port_id);
	return ret;
}

/*
 * Register @p's doorbell with the hypervisor and publish it. On failure
 * @p's port is gone, or @p is marked port_left.
 */
static int mshv_ioeventfd_register(struct mshv_partition *pt,
				   struct mshv_ioeventfd *p)
{
	int ret;

	ret = mshv_ioeventfd_create_port(pt, p);
	if (ret)
		return ret;
	ret = mshv_hvcall_connect_doorbell(pt->pt_id, p->port_id, p->addr,
					   p->wildcard ? 0 : p->datamatch,
					   mshv_ioeventfd_flags(p));
	if (ret)
		goto delete_port;
	/* Replaces the reserved entry: no allocation, cannot fail. */
	xa_store(&mshv_doorbells, p->port_id, p, GFP_KERNEL);
	return 0;

delete_port:
	mshv_ioeventfd_delete_port(p);
	return ret;
}

/*
 * Take @p's doorbell out of mshv_doorbells and out of the hypervisor,
 * trying each hypercall a few times. The caller frees @p after an RCU
 * grace period. If the connection cannot be removed, the port is kept too
 * (it is still connected) with its id, and @p is marked port_left: the
 * partition's teardown deletes the port once the partition, and with it
 * the connection, is gone.
 */
static void mshv_ioeventfd_unregister(struct mshv_partition *pt,
				      struct mshv_ioeventfd *p)
{
	unsigned int tries;
	int ret;

	/* The doorbell may ring until it is disconnected: ignore it. */
	xa_store(&mshv_doorbells, p->port_id, NULL, GFP_KERNEL);
	for (tries = 0; tries < MSHV_DOORBELL_REMOVE_TRIES; tries++) {
		ret = mshv_hvcall_disconnect_doorbell(pt->pt_id, p->port_id);
		if (!ret)
			break;
	}
	if (ret) {
		p->port_left = true;
		return;
	}
	mshv_ioeventfd_delete_port(p);
}

/*
 * Free ioeventfds (on their free_node) once no handler can see them; those
 * whose port the hypervisor kept move to @pt's pt_ports_left instead, with
 * their eventfd put.
 */
static void mshv_ioeventfds_free(struct mshv_partition *pt,
				 struct list_head *list)
{
	struct mshv_ioeventfd *p, *next;

	if (list_empty(list))
		return;
	synchronize_rcu();
	list_for_each_entry_safe(p, next, list, free_node) {
		eventfd_ctx_put(p->eventfd);
		p->eventfd = NULL;
		if (p->port_left) {
			pr_warn("doorbell port %u of partition %llu is left until the partition is deleted\n",
				p->port_id, pt->pt_id);
			list_add_tail(&p->node, &pt->pt_ports_left);
			continue;
		}
		kfree(p);
	}
}

static int mshv_ioeventfd_assign(struct mshv_partition *pt,
				 const struct mshv_user_ioeventfd *args)
{
	struct mshv_ioeventfd *p, *other;
	struct eventfd_ctx *eventfd;
	int ret;

	if (args->len != 0 && args->len != 1 && args->len != 2 &&
	    args->len != 4 && args->len != 8)
		return -EINVAL;
	if (args->addr + args->len < args->addr)
		return -EINVAL;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p) {
		ret = -ENOMEM;
		goto put;
	}
	p->eventfd = eventfd;
	p->addr = args->addr;
	p->len = args->len;
	p->wildcard = !(args->flags & BIT(MSHV_IOEVENTFD_BIT_DATAMATCH));
	if (!p->wildcard)
		p->datamatch = args->datamatch;

	list_for_each_entry(other, &pt->pt_ioeventfds, node) {
		if (mshv_ioeventfd_collide(p, other)) {
			ret = -EEXIST;
			goto free;
		}
	}
	ret = mshv_ioeventfd_register(pt, p);
	if (ret)
		goto free;
	list_add_tail(&p->node, &pt->pt_ioeventfds);
	return 0;

free:
	if (p->port_left) {
		/* Nothing saw it: no grace period to wait for. */
		p->eventfd = NULL;
		list_add_tail(&p->node, &pt->pt_ports_left);
	} else {
		kfree(p);
	}
put:
	eventfd_ctx_put(eventfd);
	return ret;
}

static int mshv_ioeventfd_deassign(struct mshv_partition *pt,
				   const struct mshv_user_ioeventfd *args)
{
	bool wildcard = !(args->flags & BIT(MSHV_IOEVENTFD_BIT_DATAMATCH));
	struct eventfd_ctx *eventfd;
	struct mshv_ioeventfd *p;
	LIST_HEAD(dead);
	int ret = -ENOENT;

	eventfd = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(eventfd))
		return PTR_ERR(eventfd);

	list_for_each_entry(p, &pt->pt_ioeventfds, node) {
		if (p->eventfd != eventfd || p->addr != args->addr ||
		    p->len != args->len || p->wildcard != wildcard ||
		    (!wildcard && p->datamatch != args->datamatch))
			continue;
		list_del(&p->node);
		mshv_ioeventfd_unregister(pt, p);
		list_add(&p->free_node, &dead);
		ret = 0;
		break;
	}
	eventfd_ctx_put(eventfd);
	mshv_ioeventfds_free(pt, &dead);
	return ret;
}

/**
 * mshv_partition_ioctl_ioeventfd() - MSHV_IOEVENTFD
 * @pt: the partition
 * @user_args: the struct mshv_user_ioeventfd, from the user
 *
 * Context: process context, pt->pt_mutex held.
 * Return: 0; -EFAULT; -EINVAL for unknown flags, non-zero reserved bytes,
 * a length other than 0, 1, 2, 4 or 8, a range that wraps, or a file that
 * is not an eventfd; -EOPNOTSUPP for port I/O; -EBADF for a bad fd;
 * -EEXIST if another ioeventfd claims the same writes; -ENOENT when
 * deassigning one that does not exist; -ENOSPC when the doorbell ids run
 * out; -ENOMEM; or the errno of a failed hypercall.
 */
long mshv_partition_ioctl_ioeventfd(struct mshv_partition *pt,
				    struct mshv_user_ioeventfd __user *user_args)
{
	struct mshv_user_ioeventfd args;

	lockdep_assert_held(&pt->pt_mutex);

	if (copy_from_user(&args, user_args, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~MSHV_IOEVENTFD_FLAGS_MASK ||
	    memchr_inv(args.rsvd, 0, sizeof(args.rsvd)))
		return -EINVAL;
	if (args.flags & BIT(MSHV_IOEVENTFD_BIT_PIO))
		return -EOPNOTSUPP;
	if (args.flags & BIT(MSHV_IOEVENTFD_BIT_DEASSIGN))
		return mshv_ioeventfd_deassign(pt, &args);
	return mshv_ioeventfd_assign(pt, &args);
}

/**
 * mshv_partition_release_ioeventfds() - remove every ioeventfd of a partition
 * @pt: the partition, whose fd is being released
 *
 * Context: process context; returns once no ioeventfd can be signalled.
 */
void mshv_partition_release_ioeventfds(struct mshv_partition *pt)
{
	struct mshv_ioeventfd *p, *next;
	LIST_HEAD(dead);

	list_for_each_entry_safe(p, next, &pt->pt_ioeventfds, node) {
		list_del(&p->node);
		mshv_ioeventfd_unregister(pt, p);
		list_add(&p->free_node, &dead);
	}
	mshv_ioeventfds_free(pt, &dead);
}

/**
 * mshv_partition_release_ports() - delete the doorbell ports left behind
 * @pt: the partition, which the hypervisor deleted (or refused to)
 *
 * Deletes the ports of the doorbells the hypervisor failed to disconnect
 * or delete earlier. The partition's connections went with the partition,
 * so this normally succeeds; a port that still cannot be deleted keeps its
 * id reserved for good.
 *
 * Context: process context, the partition's last reference dropped.
 */
void mshv_partition_release_ports(struct mshv_partition *pt)
{
	struct mshv_ioeventfd *p, *next;

	list_for_each_entry_safe(p, next, &pt->pt_ports_left, node) {
		list_del(&p->node);
		if (!mshv_ioeventfd_delete_port(p))
			pr_err("doorbell port %u is left in the hypervisor\n",
			       p->port_id);
		kfree(p);
	}
}

/**
 * mshv_doorbell_ring() - a doorbell rang: signal its ioeventfd
 * @port_id: the port id the hypervisor queued
 *
 * An id that is no doorbell's (any more) is ignored.
 *
 * Context: any context (the SynIC handler).
 */
void mshv_doorbell_ring(u32 port_id)
{
	struct mshv_ioeventfd *p;

	rcu_read_lock();
	p = xa_load(&mshv_doorbells, port_id);
	if (p) {
		eventfd_signal(p->eventfd);
		atomic64_inc(&mshv_doorbell_count);
	}
	trace_mshv_doorbell_signal(port_id, p);
	rcu_read_unlock();
}

/**
 * mshv_doorbell_signals() - doorbells that signalled an ioeventfd so far
 *
 * Return: the count, over all partitions.
 */
u64 mshv_doorbell_signals(void)
{
	return atomic64_read(&mshv_doorbell_count);
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
	/*
	 * Only reservations are left: ids of ports the hypervisor kept. A
	 * later instance of the driver skips those ids when the hypervisor
	 * reports them in use.
	 */
	xa_destroy(&mshv_doorbells);
}
