// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual processors of /dev/mshv: MSHV_CREATE_VP on the partition fd, and
 * the VP fd it returns, whose MSHV_RUN_VP runs the VP until it stops at an
 * intercept for the VMM, and whose mmap shares the hypervisor's register
 * and intercept message pages. With the root scheduler the calling thread
 * dispatches the VP with HvDispatchVp; with the hypervisor's scheduler it
 * lifts the VP's suspensions and sleeps until the SynIC handler reports
 * the intercept (mshv_synic.c).
 *
 * A VP fd holds a reference to its partition, so the partition, and the
 * VP, live until the last of the partition fd and its VP fds is closed.
 * Closing a VP fd does not delete the VP: as in the mainline driver, its
 * index stays taken for the partition's lifetime.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/numa.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/stddef.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>
#include <hyperv/hv_proc.h>
#include <hyperv/hv_seam.h>
#include <hyperv/hvhdk.h>
#include <trace/events/mshv.h>
#include <uapi/linux/mshv.h>

#include "mshv_root.h"

static_assert(sizeof(struct mshv_create_vp) == 4);
static_assert(sizeof(struct mshv_run_vp) == 256);
static_assert(sizeof(struct hv_message) == MSHV_RUN_VP_BUF_SZ);
static_assert(sizeof(struct mshv_get_set_vp_state) == 16);

/* Largest VP state the driver transfers (an xsave area of 64 KiB). */
#define MSHV_VP_STATE_MAX_BYTES		SZ_64K

/* The page behind a page frame the hypervisor gave us, or NULL. */
static struct page *mshv_vp_hv_page(u64 pfn)
{
	return pfn_valid(pfn) ? pfn_to_page(pfn) : NULL;
}

/* Have the hypervisor share one of @vp's state pages with the root. */
static int mshv_vp_map_page(struct mshv_vp *vp, u16 type, struct page **page)
{
	u64 pt_id = vp->vp_partition->pt_id;
	u64 pfn;
	int ret;

	ret = mshv_hvcall_map_vp_state_page(pt_id, vp->vp_index, type, &pfn);
	if (ret)
		return ret;
	*page = mshv_vp_hv_page(pfn);
	if (!*page) {
		mshv_hvcall_unmap_vp_state_page(pt_id, vp->vp_index, type);
		return -EIO;
	}
	return 0;
}

static void mshv_vp_unmap_page(struct mshv_vp *vp, u16 type,
			       struct page **page)
{
	if (!*page)
		return;
	mshv_hvcall_unmap_vp_state_page(vp->vp_partition->pt_id,
					vp->vp_index, type);
	*page = NULL;
}

static void mshv_vp_unmap_pages(struct mshv_vp *vp)
{
	mshv_vp_unmap_page(vp, HV_VP_STATE_PAGE_REGISTERS,
			   &vp->vp_register_page);
	mshv_vp_unmap_page(vp, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE,
			   &vp->vp_intercept_msg_page);
}

/**
 * mshv_partition_release_vps() - give back the VPs' hypervisor pages
 * @pt: the partition, which no fd refers to any more
 *
 * Unmaps the VPs' state pages and frees the VPs, before the partition is
 * finalized. The VPs themselves go with the partition.
 */
void mshv_partition_release_vps(struct mshv_partition *pt)
{
	struct mshv_vp *vp;
	unsigned long index;

	xa_for_each(&pt->pt_vps, index, vp) {
		xa_erase(&pt->pt_vps, index);
		mshv_vp_unmap_pages(vp);
		mutex_destroy(&vp->vp_mutex);
		/* The SynIC handler may still be looking at it. */
		kfree_rcu(vp, vp_rcu);
	}
	xa_destroy(&pt->pt_vps);
}

/* ---- Interrupts through the register page ------------------------------ */

/*
 * With the root scheduler, a hypervisor that reports
 * HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE takes vectors from the VP's
 * register page when HvDispatchVp is asked to scan them. The count and
 * the seven vectors form one naturally aligned 8-byte word, the count in
 * its low byte: the root adds and removes vectors with cmpxchg, the
 * hypervisor takes them all at once.
 */
#define MSHV_VECTORS_COUNT	GENMASK_ULL(7, 0)
/* Vectors 0-15 are the exceptions' and reserved: never queued. */
#define MSHV_FIRST_VECTOR	16

static u64 *mshv_vp_vectors(struct mshv_vp *vp)
{
	return page_address(vp->vp_register_page) +
	       offsetof(struct hv_vp_register_page, interrupt_vector_count);
}

/* Are vectors queued in @vp's register page? */
static bool mshv_vp_vectors_pending(struct mshv_vp *vp)
{
	return vp->vp_register_page &&
	       (READ_ONCE(*mshv_vp_vectors(vp)) & MSHV_VECTORS_COUNT);
}

/* Slot of @vector among the @count vectors queued in @word, or -1. */
static int mshv_vectors_find(u64 word, unsigned int count, u8 vector)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		if (((word >> (8 * (i + 1))) & 0xff) == vector)
			return i;
	return -1;
}

/**
 * mshv_vectors_add() - queue a vector in a register page's vector word
 * @word: the word: the count in its low byte, then the vectors
 * @vector: the vector
 *
 * A vector queued already is not queued again.
 *
 * Context: any context; lockless.
 * Return: 0, or -ENOSPC if the word is full (or its count is invalid).
 */
VISIBLE_IF_KUNIT int mshv_vectors_add(u64 *word, u8 vector)
{
	u64 old = READ_ONCE(*word), new;
	unsigned int count;

	do {
		count = old & MSHV_VECTORS_COUNT;
		if (count > HV_VP_REGISTER_PAGE_MAX_VECTORS)
			return -ENOSPC;
		if (mshv_vectors_find(old, count, vector) >= 0)
			return 0;
		if (count == HV_VP_REGISTER_PAGE_MAX_VECTORS)
			return -ENOSPC;
		new = old & ~(MSHV_VECTORS_COUNT | (0xffULL << (8 * (count + 1))));
		new |= (count + 1) | ((u64)vector << (8 * (count + 1)));
	} while (!try_cmpxchg64(word, &old, new));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_vectors_add);

/**
 * mshv_vectors_remove() - take a vector back out of a vector word
 * @word: the word
 * @vector: the vector
 *
 * The vectors queued after it move down one slot.
 *
 * Context: any context; lockless.
 * Return: false if @vector is not queued (the hypervisor took it).
 */
VISIBLE_IF_KUNIT bool mshv_vectors_remove(u64 *word, u8 vector)
{
	u64 old = READ_ONCE(*word), new, above;
	unsigned int count, shift;
	int slot;

	do {
		count = old & MSHV_VECTORS_COUNT;
		if (count > HV_VP_REGISTER_PAGE_MAX_VECTORS)
			return false;
		slot = mshv_vectors_find(old, count, vector);
		if (slot < 0)
			return false;
		shift = 8 * (slot + 1);
		above = shift + 8 < 64 ? old >> (shift + 8) << shift : 0;
		new = (old & GENMASK_ULL(shift - 1, 0) & ~MSHV_VECTORS_COUNT) |
		      (count - 1) | above;
	} while (!try_cmpxchg64(word, &old, new));
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_vectors_remove);

/**
 * mshv_vp_inject_fast() - raise an interrupt through the register page
 * @pt: the partition
 * @irq: the interrupt
 *
 * Only for a fixed, edge-triggered interrupt of vector 16 to 255 with a
 * physical destination, whose APIC id is taken as the VP index (the
 * register page holds only vectors). The vector is queued in the VP's
 * register page and the VP's MSHV_RUN_VP woken: its next HvDispatchVp
 * asks the hypervisor to take it. If the VP is being dispatched, that
 * dispatch may not look at the page: the vector is taken back, if the
 * hypervisor did not take it already, and the caller must assert it by
 * hypercall, so that the interrupt is neither late nor raised twice.
 *
 * Context: any context (eventfd wake-ups, IRQs off).
 * Return: 0 if the VP takes the interrupt; -EOPNOTSUPP if the hypervisor
 * or the interrupt does not allow the fast path, -ENOENT if no VP with a
 * register page has the destination's index, -ENOSPC if the page's queue
 * is full, or -EBUSY if the VP is being dispatched: for all of them the
 * caller uses HvAssertVirtualInterrupt instead.
 */
int mshv_vp_inject_fast(struct mshv_partition *pt,
			const struct mshv_lapic_irq *irq)
{
	struct mshv_vp *vp;
	u64 *word;
	int ret;

	if (!mshv_fast_injection || irq->type != HV_X64_INTERRUPT_TYPE_FIXED ||
	    irq->level || irq->logical || irq->vector < MSHV_FIRST_VECTOR ||
	    irq->vector > U8_MAX)
		return -EOPNOTSUPP;

	rcu_read_lock();
	vp = xa_load(&pt->pt_vps, irq->dest);
	if (!vp || !vp->vp_register_page) {
		ret = -ENOENT;
		goto unlock;
	}
	word = mshv_vp_vectors(vp);
	ret = mshv_vectors_add(word, irq->vector);
	if (ret)
		goto unlock;
	/* Queued before vp_dispatching is read: see mshv_vp_dispatch_begin(). */
	smp_mb();
	if (READ_ONCE(vp->vp_dispatching)) {
		if (mshv_vectors_remove(word, irq->vector))
			ret = -EBUSY;
		goto unlock;
	}
	wake_up(&vp->vp_run_wq);
unlock:
	rcu_read_unlock();
	return ret;
}

/*
 * Root scheduler: say that @vp is being dispatched, from now until
 * mshv_vp_dispatch_end(), then return the dispatch flag that has the
 * hypervisor take the vectors queued until now. A vector queued later is
 * taken back by mshv_vp_inject_fast(), which then uses the hypercall.
 */
static u32 mshv_vp_dispatch_begin(struct mshv_vp *vp)
{
	if (!mshv_fast_injection)
		return 0;
	WRITE_ONCE(vp->vp_dispatching, true);
	/* Pairs with the barrier in mshv_vp_inject_fast(). */
	smp_mb();
	return mshv_vp_vectors_pending(vp) ?
	       HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION : 0;
}

static void mshv_vp_dispatch_end(struct mshv_vp *vp)
{
	WRITE_ONCE(vp->vp_dispatching, false);
}

/* ---- Running ------------------------------------------------------------ */

/* Count and trace a dispatch of @vp that returned @ret and @out. */
static void mshv_vp_count_dispatch(struct mshv_vp *vp, u32 flags,
				   const struct hv_output_dispatch_vp *out,
				   int ret)
{
	mshv_vp_stat_inc(vp, MSHV_VP_STAT_DISPATCHES);
	trace_mshv_hvcall_dispatch_vp(vp->vp_partition->pt_id, vp->vp_index,
				      flags, ret ? 0 : out->dispatch_state,
				      ret ? 0 : out->dispatch_event,
				      vp->vp_register_page ?
				      READ_ONCE(*mshv_vp_vectors(vp)) : 0,
				      ret);
}

/*
 * An access to memory the kernel manages but has not mapped (a movable
 * region not faulted in yet, or taken away by an invalidation) is handled
 * here: the chunk is faulted in and mapped, and the VP runs again. Return
 * true if so. A GPA intercept (an access the mapping does not allow, such
 * as a write to a read-only region or an instruction fetch from memory
 * that is not executable) is always the VMM's to handle: mapping the page
 * again would not change the access rights, and the VP would stop there
 * forever.
 */
static bool mshv_vp_handle_gpa_intercept(struct mshv_vp *vp,
					 const struct hv_message *msg)
{
	const struct hv_x64_memory_intercept_message *mem;
	u64 gfn;
	bool handled;
	u8 access;

	if (msg->header.message_type != HVMSG_UNMAPPED_GPA)
		return false;
	mem = (const struct hv_x64_memory_intercept_message *)msg->u.payload;
	access = mem->header.intercept_access_type;
	gfn = mem->guest_physical_address >> HV_HYP_PAGE_SHIFT;
	handled = !mshv_region_handle_gpa_fault(vp->vp_partition, gfn,
						access == HV_INTERCEPT_ACCESS_WRITE);
	trace_mshv_handle_gpa_intercept(vp->vp_partition->pt_id, vp->vp_index,
					gfn, access, handled);
	if (handled)
		mshv_vp_stat_inc(vp, MSHV_VP_STAT_GPA_FAULTS);
	return handled;
}

/*
 * Root scheduler: a dispatch found @vp blocked (halted, waiting for a
 * startup IPI) or suspended. Sleep until the hypervisor signals that it
 * can run (mshv_vp_kick(), from its scheduler message; when messages were
 * lost, mshv_partition_kick_vps() wakes every VP), until an interrupt for
 * it is queued in its register page, or until a signal. No dispatch
 * happens meanwhile.
 */
static int mshv_vp_wait_runnable(struct mshv_vp *vp)
{
	if (wait_event_interruptible(vp->vp_run_wq,
				     READ_ONCE(vp->vp_kicked) ||
				     mshv_vp_vectors_pending(vp)))
		return -EINTR;
	return 0;
}

/*
 * Root scheduler: the hypervisor found @vp suspended. The hypervisor
 * creates every VP explicitly suspended, and the VMM does not suspend VPs
 * itself, so the suspension is lifted here, as the first MSHV_RUN_VP
 * should; the hypervisor then signals that the VP can run.
 */
static int mshv_vp_lift_explicit_suspend(struct mshv_vp *vp)
{
	static const u32 name = HV_REGISTER_EXPLICIT_SUSPEND;
	static const u64 zero;

	return mshv_hvcall_set_vp_reg64(vp->vp_partition->pt_id, vp->vp_index,
					&name, &zero, 1);
}

/*
 * Root scheduler: dispatch @vp once, with the flags the VP's state asks
 * for. Before the dispatch the thread does what the kernel expects of a
 * thread about to enter a guest (hv_guest_entry_work()): a pending signal
 * ends MSHV_RUN_VP with -EINTR, anything else is handled here and the VP
 * runs.
 */
static int mshv_vp_dispatch(struct mshv_vp *vp,
			    struct hv_output_dispatch_vp *out)
{
	u32 flags;
	int ret;

	ret = hv_guest_entry_work();
	if (ret)
		return ret;

	flags = vp->vp_intercept_suspended ?
		HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND : 0;
	/* A signal from now on is about this dispatch. */
	WRITE_ONCE(vp->vp_kicked, false);
	flags |= mshv_vp_dispatch_begin(vp);
	ret = mshv_hvcall_dispatch_vp(vp->vp_partition->pt_id, vp->vp_index,
				      flags, out);
	mshv_vp_dispatch_end(vp);
	mshv_vp_count_dispatch(vp, flags, out, ret);
	if (ret)
		return ret;
	vp->vp_intercept_suspended = false;
	return 0;
}

/*
 * Root scheduler: dispatch @vp until it stops at an intercept the VMM
 * must handle, and copy that message to @msg. A dispatch that ends with
 * the VP ready (its time slice ended, or the root had an interrupt to
 * handle) is followed by the next; a blocked or suspended VP is slept on.
 * Only a pending signal ends the loop early, with -EINTR; an intercept
 * already taken is never lost, because the VP stays intercept-suspended
 * until the next MSHV_RUN_VP.
 */
static long mshv_vp_run_root(struct mshv_vp *vp, struct hv_message *msg)
{
	struct hv_output_dispatch_vp out;
	int ret;

	for (;;) {
		ret = mshv_vp_dispatch(vp, &out);
		if (ret)
			return ret;

		if (out.dispatch_event == HV_VP_DISPATCH_EVENT_INTERCEPT) {
			vp->vp_intercept_suspended = true;
			memcpy(msg, page_address(vp->vp_intercept_msg_page),
			       sizeof(*msg));
			if (!mshv_vp_handle_gpa_intercept(vp, msg))
				return 0;
			continue;
		}
		if (out.dispatch_state != HV_VP_DISPATCH_STATE_BLOCKED)
			continue;
		if (out.dispatch_event == HV_VP_DISPATCH_EVENT_SUSPEND) {
			ret = mshv_vp_lift_explicit_suspend(vp);
			if (ret)
				return ret;
		}
		ret = mshv_vp_wait_runnable(vp);
		if (ret)
			return ret;
	}
}

/*
 * Hypervisor scheduler: let the hypervisor run @vp again. The hypervisor
 * writes the registers in order: the intercept suspension goes first, so
 * that one the VP enters as soon as it runs is not cleared by mistake.
 */
static int mshv_vp_resume(struct mshv_vp *vp)
{
	static const u32 names[] = {
		HV_REGISTER_INTERCEPT_SUSPEND, HV_REGISTER_EXPLICIT_SUSPEND,
	};
	static const u64 values[] = { 0, 0 };

	/* Before the VP can run: a kick from now on is for this run. */
	WRITE_ONCE(vp->vp_kicked, false);
	return mshv_hvcall_set_vp_reg64(vp->vp_partition->pt_id, vp->vp_index,
					names, values, ARRAY_SIZE(names));
}

/*
 * Hypervisor scheduler: stop @vp, after a signal. @in_flight tells whether
 * it had already stopped at an intercept, whose announcement the handler
 * is then about to receive, if it has not already.
 */
static int mshv_vp_suspend(struct mshv_vp *vp, bool *in_flight)
{
	static const u32 name = HV_REGISTER_EXPLICIT_SUSPEND;
	static const u64 one = 1;
	u64 pt_id = vp->vp_partition->pt_id;
	u64 value;
	int ret;

	ret = mshv_hvcall_set_vp_reg64(pt_id, vp->vp_index, &name, &one, 1);
	if (ret)
		return ret;
	ret = mshv_hvcall_get_vp_reg64(pt_id, vp->vp_index,
				       HV_REGISTER_INTERCEPT_SUSPEND, &value);
	if (ret)
		return ret;
	*in_flight = value & 1;
	return 0;
}

/*
 * Hypervisor scheduler: the hypervisor runs @vp once its suspensions are
 * lifted; wait until the SynIC handler says it stopped at an intercept,
 * and copy the message from the VP's intercept message page to @msg. On a
 * signal the VP is suspended and the call ends with -EINTR, unless an
 * intercept was already on its way: that one is waited for and returned,
 * so it is not lost.
 */
static long mshv_vp_run_hv(struct mshv_vp *vp, struct hv_message *msg)
{
	bool in_flight;
	int ret;

	for (;;) {
		ret = mshv_vp_resume(vp);
		if (ret)
			return ret;
		if (wait_event_interruptible(vp->vp_run_wq,
					     READ_ONCE(vp->vp_kicked))) {
			ret = mshv_vp_suspend(vp, &in_flight);
			if (ret)
				return ret;
			if (!in_flight)
				return -EINTR;
			if (wait_event_killable(vp->vp_run_wq,
						READ_ONCE(vp->vp_kicked)))
				return -EINTR;
		}
		/* The message was written before the kick was sent. */
		smp_rmb();
		memcpy(msg, page_address(vp->vp_intercept_msg_page),
		       sizeof(*msg));
		if (!mshv_vp_handle_gpa_intercept(vp, msg))
			return 0;
	}
}

/* Wake the thread waiting for @vp in MSHV_RUN_VP. */
static void mshv_vp_signal(struct mshv_vp *vp)
{
	WRITE_ONCE(vp->vp_kicked, true);
	wake_up(&vp->vp_run_wq);
}

/**
 * mshv_vp_kick() - the hypervisor signalled a VP
 * @partition_id: the hypervisor's id of the VP's partition
 * @vp_index: the VP
 *
 * With the hypervisor's scheduler: the VP stopped at an intercept. With
 * the root's: the VP, which a dispatch found blocked, can run again.
 * Wakes the thread waiting for the VP in MSHV_RUN_VP. An unknown VP is
 * ignored: its partition is being torn down.
 *
 * Context: the SynIC interrupt handler.
 */
void mshv_vp_kick(u64 partition_id, u32 vp_index)
{
	struct mshv_partition *pt;
	struct mshv_vp *vp = NULL;

	rcu_read_lock();
	pt = mshv_partition_find_rcu(partition_id);
	if (pt)
		vp = xa_load(&pt->pt_vps, vp_index);
	if (vp)
		mshv_vp_signal(vp);
	rcu_read_unlock();
}

/**
 * mshv_partition_kick_vps() - the hypervisor may have signalled any VP
 * @partition_id: the hypervisor's id of the partition
 *
 * Wakes the MSHV_RUN_VP of every VP of the partition, as mshv_vp_kick()
 * does for one: when signals were lost, each VP dispatches again and
 * finds out whether it can run.
 *
 * Context: the SynIC interrupt handler.
 */
void mshv_partition_kick_vps(u64 partition_id)
{
	struct mshv_partition *pt;
	unsigned long index;
	struct mshv_vp *vp;

	rcu_read_lock();
	pt = mshv_partition_find_rcu(partition_id);
	if (pt)
		xa_for_each(&pt->pt_vps, index, vp)
			mshv_vp_signal(vp);
	rcu_read_unlock();
}

/* Count an exit of MSHV_RUN_VP to the VMM with @msg by its type. */
static void mshv_vp_count_exit(struct mshv_vp *vp, const struct hv_message *msg)
{
	enum mshv_vp_stat i;

	switch (msg->header.message_type) {
	case HVMSG_X64_IOPORT_INTERCEPT:
		i = MSHV_VP_STAT_EXIT_IO_PORT;
		break;
	case HVMSG_UNMAPPED_GPA:
		i = MSHV_VP_STAT_EXIT_UNMAPPED_GPA;
		break;
	case HVMSG_GPA_INTERCEPT:
		i = MSHV_VP_STAT_EXIT_GPA_INTERCEPT;
		break;
	case HVMSG_X64_MSR_INTERCEPT:
		i = MSHV_VP_STAT_EXIT_MSR;
		break;
	case HVMSG_X64_CPUID_INTERCEPT:
		i = MSHV_VP_STAT_EXIT_CPUID;
		break;
	case HVMSG_X64_HALT:
		i = MSHV_VP_STAT_EXIT_HALT;
		break;
	case HVMSG_X64_EXCEPTION_INTERCEPT:
		i = MSHV_VP_STAT_EXIT_EXCEPTION;
		break;
	default:
		i = MSHV_VP_STAT_EXIT_OTHER;
		break;
	}
	mshv_vp_stat_inc(vp, i);
}

static long mshv_vp_run(struct mshv_vp *vp, struct hv_message *msg)
{
	u64 pt_id = vp->vp_partition->pt_id;
	long ret;

	mshv_vp_stat_inc(vp, MSHV_VP_STAT_RUNS);
	trace_mshv_run_vp_entry(pt_id, vp->vp_index);
	if (mshv_scheduler_type == HV_SCHEDULER_TYPE_ROOT)
		ret = mshv_vp_run_root(vp, msg);
	else
		ret = mshv_vp_run_hv(vp, msg);
	if (!ret)
		mshv_vp_count_exit(vp, msg);
	trace_mshv_run_vp_exit(pt_id, vp->vp_index,
			       ret ? 0 : msg->header.message_type, ret);
	return ret;
}

/*
 * The exit's message is kept on the stack: it is 256 bytes, and an
 * allocation for every MSHV_RUN_VP would cost more than the copy.
 */
static long mshv_vp_ioctl_run(struct mshv_vp *vp, void __user *arg)
{
	struct hv_message msg;
	long ret;

	ret = mshv_vp_run(vp, &msg);
	if (!ret && copy_to_user(arg, &msg, sizeof(msg)))
		ret = -EFAULT;
	return ret;
}

/* ---- VP state ----------------------------------------------------------- */

/*
 * What MSHV_GET_VP_STATE and MSHV_SET_VP_STATE transfer for @type: the
 * hypervisor's state descriptor and the size of the state. The xsave area
 * is as large, and has the components, the partition's properties say.
 */
static int mshv_vp_state_desc(struct mshv_vp *vp, u8 type,
			      struct hv_vp_state_data *data, u32 *size)
{
	u64 pt_id = vp->vp_partition->pt_id, value;
	int ret;

	memset(data, 0, sizeof(*data));
	*size = HV_HYP_PAGE_SIZE;
	switch (type) {
	case MSHV_VP_STATE_LAPIC:
		data->type = HV_GET_SET_VP_STATE_LAPIC_STATE;
		return 0;
	case MSHV_VP_STATE_XSAVE:
		data->type = HV_GET_SET_VP_STATE_XSAVE;
		ret = mshv_hvcall_get_partition_property(pt_id,
							 HV_PARTITION_PROPERTY_XSAVE_STATES,
							 &data->xsave_states);
		if (ret)
			return ret;
		ret = mshv_hvcall_get_partition_property(pt_id,
							 HV_PARTITION_PROPERTY_MAX_XSAVE_DATA_SIZE,
							 &value);
		if (ret)
			return ret;
		if (!value || value > MSHV_VP_STATE_MAX_BYTES)
			return -EIO;
		*size = value;
		return 0;
	case MSHV_VP_STATE_SIMP:
		data->type = HV_GET_SET_VP_STATE_SIM_PAGE;
		return 0;
	case MSHV_VP_STATE_SIEFP:
		data->type = HV_GET_SET_VP_STATE_SIEF_PAGE;
		return 0;
	case MSHV_VP_STATE_SYNTHETIC_TIMERS:
		data->type = HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS;
		*size = sizeof(struct hv_synthetic_timers_state);
		return 0;
	default:
		return -EINVAL;
	}
}

/* Transfer a page-sized state through the user's pinned buffer. */
static int mshv_vp_state_pages(struct mshv_vp *vp,
			       const struct hv_vp_state_data *data,
			       u64 uaddr, u32 size, bool set)
{
	unsigned int nr_pages = DIV_ROUND_UP(size, PAGE_SIZE);
	struct page **pages;
	int pinned, ret;

	pages = kcalloc(nr_pages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	pinned = pin_user_pages_fast(uaddr, nr_pages, set ? 0 : FOLL_WRITE,
				     pages);
	if (pinned != nr_pages) {
		ret = pinned < 0 ? pinned : -EFAULT;
		goto unpin;
	}
	ret = mshv_hvcall_vp_state(vp->vp_partition->pt_id, vp->vp_index,
				   data, pages, nr_pages, NULL, 0, set);
unpin:
	if (pinned > 0)
		unpin_user_pages_dirty_lock(pages, pinned, !set && !ret);
	kfree(pages);
	return ret;
}

/* Transfer a small state (the synthetic timers) through a copy. */
static int mshv_vp_state_inline(struct mshv_vp *vp,
				const struct hv_vp_state_data *data,
				void __user *ubuf, u32 size, bool set)
{
	void *buf;
	int ret;

	buf = kzalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = -EFAULT;
	if (set && copy_from_user(buf, ubuf, size))
		goto free;
	ret = mshv_hvcall_vp_state(vp->vp_partition->pt_id, vp->vp_index,
				   data, NULL, 0, buf, size, set);
	if (!ret && !set && copy_to_user(ubuf, buf, size))
		ret = -EFAULT;
free:
	kfree(buf);
	return ret;
}

/*
 * MSHV_GET_VP_STATE and MSHV_SET_VP_STATE: the buffer must be page
 * aligned and large enough; its size is written back in any case once the
 * type is known, so that a VMM can ask for it with a too-small buffer.
 */
static long mshv_vp_ioctl_state(struct mshv_vp *vp,
				struct mshv_get_set_vp_state __user *uargs,
				bool set)
{
	struct mshv_get_set_vp_state args;
	struct hv_vp_state_data data;
	u32 size;
	int ret;

	lockdep_assert_held(&vp->vp_mutex);

	if (copy_from_user(&args, uargs, sizeof(args)))
		return -EFAULT;
	if (memchr_inv(args.rsvd, 0, sizeof(args.rsvd)) ||
	    args.type >= MSHV_VP_STATE_COUNT)
		return -EINVAL;
	ret = mshv_vp_state_desc(vp, args.type, &data, &size);
	if (ret)
		return ret;
	if (put_user(size, &uargs->buf_sz))
		return -EFAULT;
	if (args.buf_sz < size || !PAGE_ALIGNED(args.buf_ptr))
		return -EINVAL;

	if (data.type & HV_GET_SET_VP_STATE_TYPE_PFN)
		return mshv_vp_state_pages(vp, &data, args.buf_ptr, size, set);
	return mshv_vp_state_inline(vp, &data, u64_to_user_ptr(args.buf_ptr),
				    size, set);
}

static long mshv_vp_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	struct mshv_vp *vp = filp->private_data;
	long ret;

	if (vp->vp_partition->pt_mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case MSHV_RUN_VP:
		if (mutex_lock_interruptible(&vp->vp_mutex))
			return -EINTR;
		ret = mshv_vp_ioctl_run(vp, (void __user *)arg);
		mutex_unlock(&vp->vp_mutex);
		return ret;
	case MSHV_GET_VP_STATE:
	case MSHV_SET_VP_STATE:
		if (mutex_lock_interruptible(&vp->vp_mutex))
			return -EINTR;
		ret = mshv_vp_ioctl_state(vp, (void __user *)arg,
					  ioctl == MSHV_SET_VP_STATE);
		mutex_unlock(&vp->vp_mutex);
		return ret;
	case MSHV_ROOT_HVCALL:
		return mshv_ioctl_root_hvcall(vp->vp_partition, false,
					      (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

/* ---- mmap of the state pages -------------------------------------------- */

static struct page *mshv_vp_mmap_page(struct mshv_vp *vp, unsigned long pgoff)
{
	switch (pgoff) {
	case MSHV_VP_MMAP_OFFSET_REGISTERS:
		return vp->vp_register_page;
	case MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE:
		return vp->vp_intercept_msg_page;
	default:
		return NULL;
	}
}

static vm_fault_t mshv_vp_fault(struct vm_fault *vmf)
{
	struct mshv_vp *vp = vmf->vma->vm_file->private_data;
	struct page *page;

	page = mshv_vp_mmap_page(vp, vmf->pgoff);
	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct mshv_vp_vm_ops = {
	.fault = mshv_vp_fault,
};

/*
 * One page per mapping, at the offset of the state page wanted. As in
 * mainline, an offset that names no state page is -EINVAL, and a known
 * page the VP does not have (the GHCB of an unencrypted partition) is
 * -ENODEV, so that VMMs fall back to hypercalls.
 */
static int mshv_vp_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct mshv_vp *vp = filp->private_data;

	if (vma_pages(vma) != 1)
		return -EINVAL;
	switch (vma->vm_pgoff) {
	case MSHV_VP_MMAP_OFFSET_REGISTERS:
	case MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE:
	case MSHV_VP_MMAP_OFFSET_GHCB:
		break;
	default:
		return -EINVAL;
	}
	if (!mshv_vp_mmap_page(vp, vma->vm_pgoff))
		return -ENODEV;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &mshv_vp_vm_ops;
	return 0;
}

static int mshv_vp_release(struct inode *inode, struct file *filp)
{
	struct mshv_vp *vp = filp->private_data;

	mshv_partition_put(vp->vp_partition);
	return 0;
}

static const struct file_operations mshv_vp_fops = {
	.owner = THIS_MODULE,
	.release = mshv_vp_release,
	.unlocked_ioctl = mshv_vp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mshv_vp_mmap,
	.llseek = noop_llseek,
};

/* ---- Creation ----------------------------------------------------------- */

/* Create the VP in the hypervisor and map its state pages. */
static int mshv_vp_create_hv(struct mshv_vp *vp)
{
	u64 pt_id = vp->vp_partition->pt_id;
	int ret;

	ret = hv_call_create_vp(NUMA_NO_NODE, pt_id, vp->vp_index, 0);
	if (ret)
		return ret;
	ret = mshv_vp_map_page(vp, HV_VP_STATE_PAGE_INTERCEPT_MESSAGE,
			       &vp->vp_intercept_msg_page);
	if (ret)
		goto delete_vp;
	ret = mshv_vp_map_page(vp, HV_VP_STATE_PAGE_REGISTERS,
			       &vp->vp_register_page);
	if (ret)
		goto unmap_pages;
	return 0;

unmap_pages:
	mshv_vp_unmap_pages(vp);
delete_vp:
	mshv_hvcall_delete_vp(pt_id, vp->vp_index);
	return ret;
}

/**
 * mshv_partition_ioctl_create_vp() - MSHV_CREATE_VP
 * @pt: the partition
 * @arg: user pointer to a struct mshv_create_vp
 *
 * Context: process context; pt_mutex held.
 * Return: the new VP fd; -EINVAL for an index out of bounds, -EEXIST for
 * an index already used, or the error of the hypervisor or of fd creation
 * (nothing is left behind).
 */
long mshv_partition_ioctl_create_vp(struct mshv_partition *pt,
				    void __user *arg)
{
	struct mshv_create_vp args;
	struct file *file;
	struct mshv_vp *vp;
	unsigned int index;
	int fd, ret;

	lockdep_assert_held(&pt->pt_mutex);

	if (copy_from_user(&args, arg, sizeof(args)))
		return -EFAULT;
	if (args.vp_index >= MSHV_MAX_VPS)
		return -EINVAL;
	index = array_index_nospec(args.vp_index, MSHV_MAX_VPS);
	if (xa_load(&pt->pt_vps, index))
		return -EEXIST;

	vp = kzalloc(sizeof(*vp), GFP_KERNEL_ACCOUNT);
	if (!vp)
		return -ENOMEM;
	vp->vp_partition = pt;
	vp->vp_index = index;
	mutex_init(&vp->vp_mutex);
	init_waitqueue_head(&vp->vp_run_wq);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto free_vp;
	}
	/* Room for the entry first: nothing can fail once the VP exists. */
	ret = xa_reserve(&pt->pt_vps, index, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto put_fd;
	ret = mshv_vp_create_hv(vp);
	if (ret)
		goto release_entry;
	file = anon_inode_getfile("mshv_vp", &mshv_vp_fops, vp, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto destroy_hv_vp;
	}

	/* The VP fd's reference; the partition fd holds one, so not 0. */
	refcount_inc(&pt->pt_ref);
	xa_store(&pt->pt_vps, index, vp, GFP_KERNEL_ACCOUNT);
	mshv_stats_vp_add(vp);
	fd_install(fd, file);
	return fd;

destroy_hv_vp:
	mshv_vp_unmap_pages(vp);
	mshv_hvcall_delete_vp(pt->pt_id, index);
release_entry:
	xa_release(&pt->pt_vps, index);
put_fd:
	put_unused_fd(fd);
free_vp:
	mutex_destroy(&vp->vp_mutex);
	kfree(vp);
	return ret;
}
