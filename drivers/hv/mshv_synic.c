// SPDX-License-Identifier: GPL-2.0
/*
 * The root partition's synthetic interrupt controller, as /dev/mshv uses
 * it: on every CPU the driver enables the message page the hypervisor
 * provides and unmasks SINT0, on which the hypervisor posts intercept and
 * scheduler messages about the root's child partitions. When the
 * hypervisor schedules the virtual processors itself, an
 * HVMSG_OPAQUE_INTERCEPT there is how the driver learns that a VP stopped
 * at an intercept; the handler wakes the thread waiting in MSHV_RUN_VP.
 * An HVMSG_X64_APIC_EOI says that a guest ended a level-triggered
 * interrupt, which resampling irqfds pass on to the VMM.
 *
 * Doorbells (ioeventfds) use SINT5, programmed "as intercept" on the same
 * vector: when a guest write rings a doorbell, the hypervisor queues its
 * port id in this CPU's SINT5 event ring (the page SIRBP points to) and,
 * unless the ring's signal_masked byte says the root is already at it,
 * posts HVMSG_SYNIC_SINT_INTERCEPT for SINT5 in the SINT0 slot. The
 * handler consumes the ring in order, zeroing each entry, then unmasks
 * the ring and looks once more, so that no entry is stranded.
 *
 * A guest that rings without pause must not hold a root CPU in interrupt
 * context: the handler rings at most MSHV_DOORBELL_BUDGET doorbells and
 * leaves the rest, with the ring still masked, to a work item on the same
 * CPU, which drains it in batches of the same size with interrupts
 * enabled in between. When the ring overflowed, the handler asks the
 * hypervisor to queue the signals it kept (HvNotifyPortRingEmpty); if
 * that fails, the ring stays masked and marked full and the work item
 * asks again a little later, until the hypervisor complies.
 *
 * The message slot protocol is the TLFS one: the handler consumes the
 * message in its slot, frees the slot by writing HVMSG_NONE, and if the
 * hypervisor flagged more messages as pending, asks for the next one by
 * writing the end-of-message register.
 */
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/cpuhotplug.h>
#include <linux/io.h>
#include <linux/irqflags.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>
#include <asm/irq_vectors.h>
#include <hyperv/hv_seam.h>
#include <hyperv/hvhdk.h>

#include "mshv_root.h"

/* This CPU's SynIC message page, mapped while the CPU is online. */
static DEFINE_PER_CPU(struct hv_message_page *, mshv_synic_page);
/* This CPU's SynIC event ring page, mapped while the CPU is online. */
static DEFINE_PER_CPU(struct hv_synic_event_ring_page *, mshv_synic_rings);
/*
 * Next entry of this CPU's doorbell ring to consume; used with interrupts
 * disabled, by the handler and the CPU's ring work.
 */
static DEFINE_PER_CPU(unsigned int, mshv_synic_ring_tail);
/* Drains this CPU's doorbell ring when the handler left work to do. */
static DEFINE_PER_CPU(struct delayed_work, mshv_synic_ring_work);
/* Doorbells the SynIC handler rings per interrupt; the ring work the rest. */
#define MSHV_DOORBELL_BUDGET	32
/* Delay before the hypervisor is asked again to refill a ring. */
#define MSHV_RING_RETRY_MS	10

/* cpuhp state of the per-CPU set-up, for its removal. */
static enum cpuhp_state mshv_synic_cpuhp;

/**
 * mshv_synic_vp_signals() - handle an HVMSG_SCHEDULER_VP_SIGNAL_PAIR
 * @pair: the message's payload
 *
 * Root scheduler: VPs that a dispatch found blocked can run again. When
 * signals were lost (the message was full), nothing says whose: every VP
 * of every partition looks again, since a blocked VP is not dispatched
 * until it is signalled.
 *
 * Context: the SynIC interrupt handler.
 */
VISIBLE_IF_KUNIT void
mshv_synic_vp_signals(const struct hv_vp_signal_pair_scheduler_message *pair)
{
	unsigned int i, count;

	if (pair->overflow_count)
		mshv_kick_all_vps();
	count = min_t(unsigned int, pair->vp_count,
		      HV_SCHEDULER_MESSAGE_PAIR_COUNT);
	for (i = 0; i < count; i++)
		mshv_vp_kick(pair->partition_ids[i], pair->vp_indexes[i]);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_synic_vp_signals);

/* Take the next port id out of @ring, or return 0 if there is none. */
static u32 mshv_synic_ring_pop(struct hv_synic_event_ring *ring,
			       unsigned int *tail)
{
	u32 port_id = READ_ONCE(ring->data[*tail]);

	if (!port_id)
		return 0;
	WRITE_ONCE(ring->data[*tail], 0);
	*tail = (*tail + 1) % HV_SYNIC_EVENT_RING_MESSAGE_COUNT;
	return port_id;
}

/**
 * mshv_synic_drain_ring() - ring the doorbells an event ring holds
 * @ring: the doorbell SINT's event ring of this CPU
 * @tail: the ring's next entry to consume; advanced
 * @budget: the most doorbells to ring (and refills to ask for)
 *
 * Consumes @ring in order. When it is empty, first lets the hypervisor
 * refill it if it overflowed (ring_full), then unmasks it and looks again:
 * an entry queued before the unmask raised no message.
 *
 * Context: interrupts disabled, on the CPU that owns @ring.
 * Return: MSHV_RING_EMPTY once the ring is empty and unmasked;
 * MSHV_RING_MORE when @budget ran out first; MSHV_RING_RETRY when the
 * hypervisor refused to refill the overflowed ring. In the last two
 * cases the ring stays masked, with ring_full still set for a retry.
 */
VISIBLE_IF_KUNIT enum mshv_ring_drain
mshv_synic_drain_ring(struct hv_synic_event_ring *ring, unsigned int *tail,
		      unsigned int budget)
{
	unsigned int done;
	u32 port_id;

	for (done = 0; done < budget; done++) {
		port_id = mshv_synic_ring_pop(ring, tail);
		if (port_id) {
			mshv_doorbell_ring(port_id);
			continue;
		}
		if (READ_ONCE(ring->ring_full)) {
			WRITE_ONCE(ring->ring_full, 0);
			if (mshv_hvcall_notify_port_ring_empty(HV_SYNIC_DOORBELL_SINT_INDEX)) {
				/* The signals wait in the hypervisor. */
				WRITE_ONCE(ring->ring_full, 1);
				return MSHV_RING_RETRY;
			}
			continue;
		}
		WRITE_ONCE(ring->signal_masked, 0);
		mb();	/* unmasked before the last look */
		port_id = mshv_synic_ring_pop(ring, tail);
		if (!port_id)
			return MSHV_RING_EMPTY;
		WRITE_ONCE(ring->signal_masked, 1);
		mshv_doorbell_ring(port_id);
	}
	return MSHV_RING_MORE;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_synic_drain_ring);

/* Ring at most MSHV_DOORBELL_BUDGET doorbells of this CPU's ring. */
static enum mshv_ring_drain mshv_synic_drain_this_cpu(void)
{
	struct hv_synic_event_ring_page *rings;

	rings = this_cpu_read(mshv_synic_rings);
	if (!rings)
		return MSHV_RING_EMPTY;
	return mshv_synic_drain_ring(&rings->sint_event_ring[HV_SYNIC_DOORBELL_SINT_INDEX],
				     this_cpu_ptr(&mshv_synic_ring_tail),
				     MSHV_DOORBELL_BUDGET);
}

/*
 * Ring at most MSHV_DOORBELL_BUDGET doorbells of this CPU's doorbell
 * event ring, and have the CPU's ring work do the rest.
 */
static void mshv_synic_drain_doorbells(void)
{
	struct delayed_work *work = this_cpu_ptr(&mshv_synic_ring_work);
	unsigned int cpu = smp_processor_id();

	switch (mshv_synic_drain_this_cpu()) {
	case MSHV_RING_EMPTY:
		break;
	case MSHV_RING_MORE:
		mod_delayed_work_on(cpu, system_highpri_wq, work, 0);
		break;
	case MSHV_RING_RETRY:
		pr_warn_ratelimited("the hypervisor did not refill the doorbell ring of CPU %u; retrying\n",
				    cpu);
		queue_delayed_work_on(cpu, system_highpri_wq, work,
				      msecs_to_jiffies(MSHV_RING_RETRY_MS));
		break;
	}
}

/* The CPU's ring work: go on where the handler stopped. */
static void mshv_synic_ring_work_fn(struct work_struct *work)
{
	local_irq_disable();
	mshv_synic_drain_doorbells();
	local_irq_enable();
}

static void mshv_synic_doorbells(const struct hv_notification_message_payload *n)
{
	if (n->sint_index == HV_SYNIC_DOORBELL_SINT_INDEX)
		mshv_synic_drain_doorbells();
}

/* An asynchronous hypercall of a partition completed. */
static void
mshv_synic_async_completion(const struct hv_async_call_completion_message *c)
{
	mshv_partition_async_complete(c->partition_id, c->status);
}

/**
 * mshv_synic_bitset_vps() - the VPs an HVMSG_SCHEDULER_VP_SIGNAL_BITSET
 *	message names
 * @msg: the message's payload
 * @vps: a bitmap of MSHV_MAX_VPS bits; receives the VPs
 *
 * VPs from MSHV_MAX_VPS on, which no partition has, are left out, as are
 * banks past the room the message has for them.
 *
 * Context: any context.
 * Return: the number of VPs in @vps, or -EINVAL for a set of another
 * format than HV_GENERIC_SET_SPARSE_4K or an empty one.
 */
VISIBLE_IF_KUNIT int
mshv_synic_bitset_vps(const struct hv_vp_signal_bitset_scheduler_message *msg,
		      unsigned long *vps)
{
	unsigned int bank, word = 0;
	u64 bits;

	bitmap_zero(vps, MSHV_MAX_VPS);
	if (msg->format != HV_GENERIC_SET_SPARSE_4K || !msg->vp_count)
		return -EINVAL;
	for (bank = 0; bank < BITS_PER_TYPE(u64); bank++) {
		if (!(msg->valid_bank_mask & BIT_ULL(bank)))
			continue;
		if (word == HV_SCHEDULER_BITSET_BANKS)
			break;
		bits = msg->bank_contents[word++];
		for (; bits && bank < MSHV_MAX_VPS / 64; bits &= bits - 1)
			__set_bit(bank * 64 + __ffs64(bits), vps);
	}
	return bitmap_weight(vps, MSHV_MAX_VPS);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_synic_bitset_vps);

/*
 * Root scheduler: VPs of one partition can run again. Signals the
 * hypervisor could not post are lost: then every VP of the partition
 * looks again, as the message cannot say which.
 */
static void
mshv_synic_vp_bitset(const struct hv_vp_signal_bitset_scheduler_message *msg)
{
	DECLARE_BITMAP(vps, MSHV_MAX_VPS);
	unsigned int index;

	if (msg->overflow_count) {
		mshv_partition_kick_vps(msg->partition_id);
		return;
	}
	if (mshv_synic_bitset_vps(msg, vps) < 0) {
		pr_warn_ratelimited("malformed VP set in a scheduler message\n");
		return;
	}
	for_each_set_bit(index, vps, MSHV_MAX_VPS)
		mshv_vp_kick(msg->partition_id, index);
}

static void mshv_synic_handle(const struct hv_message *msg)
{
	const struct hv_opaque_intercept_message *opaque;
	const struct hv_x64_apic_eoi_message *eoi;

	/* The lookups below rely on it as an RCU read side. */
	lockdep_assert_irqs_disabled();

	switch (msg->header.message_type) {
	case HVMSG_OPAQUE_INTERCEPT:
		/* Only the hypervisor's scheduler stops VPs on its own. */
		if (mshv_scheduler_type == HV_SCHEDULER_TYPE_ROOT)
			break;
		opaque = (const void *)msg->u.payload;
		mshv_vp_kick(msg->header.sender, opaque->vp_index);
		break;
	case HVMSG_SCHEDULER_VP_SIGNAL_PAIR:
		/* Only the root scheduler dispatches VPs it found blocked. */
		if (mshv_scheduler_type != HV_SCHEDULER_TYPE_ROOT)
			break;
		mshv_synic_vp_signals((const void *)msg->u.payload);
		break;
	case HVMSG_SYNIC_SINT_INTERCEPT:
		mshv_synic_doorbells((const void *)msg->u.payload);
		break;
	case HVMSG_SCHEDULER_VP_SIGNAL_BITSET:
		if (mshv_scheduler_type != HV_SCHEDULER_TYPE_ROOT)
			break;
		mshv_synic_vp_bitset((const void *)msg->u.payload);
		break;
	case HVMSG_X64_APIC_EOI:
		eoi = (const void *)msg->u.payload;
		mshv_irqfd_eoi(msg->header.sender, eoi->interrupt_vector);
		break;
	case HVMSG_ASYNC_CALL_COMPLETION:
		mshv_synic_async_completion((const void *)msg->u.payload);
		break;
	default:
		pr_warn_ratelimited("unexpected SynIC message type %#x\n",
				    msg->header.message_type);
		break;
	}
}

/*
 * The handler of the hypervisor's SynIC interrupt, in interrupt context
 * on the CPU whose message page holds the message.
 */
static void mshv_synic_isr(void)
{
	struct hv_message_page *page = this_cpu_read(mshv_synic_page);
	struct hv_message *msg;

	/* This CPU's slot and ring are only ever touched with IRQs off. */
	lockdep_assert_irqs_disabled();
	if (!page)
		return;
	msg = &page->sint_message[HV_SYNIC_INTERCEPTION_SINT_INDEX];
	if (READ_ONCE(msg->header.message_type) == HVMSG_NONE)
		return;

	mshv_synic_handle(msg);

	/* Free the slot before looking for more, as the TLFS asks. */
	WRITE_ONCE(msg->header.message_type, HVMSG_NONE);
	mb();	/* the slot is free before the hypervisor is asked */
	if (msg->header.message_flags.msg_pending)
		hv_seam_set_msr(HV_MSR_EOM, 0);
}

/* Handle what is in this CPU's slot now, as the interrupt would. */
static void mshv_synic_poll(void)
{
	local_irq_disable();
	mshv_synic_isr();
	local_irq_enable();
}

/*
 * Map the hypervisor's page whose GPA the SynIC MSR @msr holds; a
 * hypervisor that provides none (GPA 0) gets no mapping.
 */
static void *mshv_synic_map(unsigned int msr, u64 *value)
{
	local_irq_disable();
	*value = hv_seam_get_msr(msr);
	local_irq_enable();
	if (!(*value & HV_HYP_PAGE_MASK))
		return NULL;
	return memremap(*value & HV_HYP_PAGE_MASK, HV_HYP_PAGE_SIZE,
			MEMREMAP_WB);
}

/*
 * Start this CPU's event rings empty and consumed from their first entry.
 * A ring left enabled (by a kernel before kexec) is disabled first, so
 * that the hypervisor does not fill it meanwhile.
 */
static void mshv_synic_rings_reset(void *rings, u64 sirbp)
{
	if (sirbp & HV_SYNIC_SIRBP_ENABLE) {
		local_irq_disable();
		hv_seam_set_msr(HV_MSR_SIRBP, sirbp & ~HV_SYNIC_SIRBP_ENABLE);
		local_irq_enable();
	}
	memset(rings, 0, HV_HYP_PAGE_SIZE);
	this_cpu_write(mshv_synic_ring_tail, 0);
}

/*
 * Map the message page and the event ring page the hypervisor chose (the
 * root does not provide its own), enable them (the message page only if
 * VMBus has not), and unmask SINT0 and the doorbell SINT on the SynIC
 * callback vector. A message left in the slot while the CPU was offline
 * is handled at once.
 */
static int mshv_synic_cpu_online(unsigned int cpu)
{
	union hv_synic_scontrol sctrl;
	union hv_synic_simp simp;
	union hv_synic_sint sint;
	void *page, *rings;
	u64 sirbp;

	page = mshv_synic_map(HV_MSR_SIMP, &simp.as_uint64);
	if (!page)
		goto err_map;
	rings = mshv_synic_map(HV_MSR_SIRBP, &sirbp);
	if (!rings) {
		memunmap(page);
		goto err_map;
	}
	mshv_synic_rings_reset(rings, sirbp);
	sirbp &= ~HV_SYNIC_SIRBP_ENABLE;
	this_cpu_write(mshv_synic_page, page);
	this_cpu_write(mshv_synic_rings, rings);

	sint.as_uint64 = 0;
	sint.vector = HYPERVISOR_CALLBACK_VECTOR;
	sint.masked = 0;
	sint.auto_eoi = !(hv_seam_hints() & HV_DEPRECATING_AEOI_RECOMMENDED);

	local_irq_disable();
	if (!simp.simp_enabled) {
		simp.simp_enabled = 1;
		hv_seam_set_msr(HV_MSR_SIMP, simp.as_uint64);
	}
	hv_seam_set_msr(HV_MSR_SIRBP, sirbp | HV_SYNIC_SIRBP_ENABLE);
	hv_seam_set_msr(HV_MSR_SINT0 + HV_SYNIC_INTERCEPTION_SINT_INDEX,
			sint.as_uint64);
	hv_seam_set_msr(HV_MSR_SINT0 + HV_SYNIC_DOORBELL_SINT_INDEX,
			sint.as_uint64 | HV_SYNIC_SINT_AS_INTERCEPT);
	sctrl.as_uint64 = hv_seam_get_msr(HV_MSR_SCONTROL);
	if (!sctrl.enable) {
		sctrl.enable = 1;
		hv_seam_set_msr(HV_MSR_SCONTROL, sctrl.as_uint64);
	}
	local_irq_enable();

	mshv_synic_poll();
	return 0;

err_map:
	pr_err("cannot map the SynIC pages of CPU %u\n", cpu);
	return -EFAULT;
}

/*
 * Mask SINT0 and the doorbell SINT, handle what is left in the slot,
 * disable the event ring and ring the doorbells still in it, then unmap
 * the pages. The message page and the SynIC stay enabled: VMBus shares
 * them in the root partition.
 */
static int mshv_synic_cpu_offline(unsigned int cpu)
{
	void *page, *rings;
	bool more;
	u64 sirbp;

	local_irq_disable();
	hv_seam_set_msr(HV_MSR_SINT0 + HV_SYNIC_DOORBELL_SINT_INDEX,
			HV_SYNIC_SINT_MASKED);
	hv_seam_set_msr(HV_MSR_SINT0 + HV_SYNIC_INTERCEPTION_SINT_INDEX,
			HV_SYNIC_SINT_MASKED);
	local_irq_enable();
	/* No VP waits forever for a message that arrived just before. */
	mshv_synic_poll();

	local_irq_disable();
	sirbp = hv_seam_get_msr(HV_MSR_SIRBP);
	hv_seam_set_msr(HV_MSR_SIRBP, sirbp & ~HV_SYNIC_SIRBP_ENABLE);
	local_irq_enable();
	/* Queued before the ring was disabled, announced or not. */
	do {
		local_irq_disable();
		more = mshv_synic_drain_this_cpu() == MSHV_RING_MORE;
		local_irq_enable();
		cond_resched();
	} while (more);
	cancel_delayed_work_sync(per_cpu_ptr(&mshv_synic_ring_work, cpu));

	page = this_cpu_read(mshv_synic_page);
	rings = this_cpu_read(mshv_synic_rings);
	this_cpu_write(mshv_synic_page, NULL);
	this_cpu_write(mshv_synic_rings, NULL);
	/* A handler running on this CPU has finished with the pages. */
	synchronize_rcu();
	memunmap(rings);
	memunmap(page);
	return 0;
}

/**
 * mshv_synic_init() - take SINT0 and the doorbell SINT of every CPU
 *
 * Installs the SynIC handler, then enables the message page, the event
 * ring page, SINT0 and the doorbell SINT on every online CPU and on each
 * CPU that comes online later.
 *
 * Return: 0, or a negative errno with nothing left installed.
 */
int mshv_synic_init(void)
{
	unsigned int cpu;
	int ret;

	for_each_possible_cpu(cpu)
		INIT_DELAYED_WORK(per_cpu_ptr(&mshv_synic_ring_work, cpu),
				  mshv_synic_ring_work_fn);
	hv_seam_set_handler(mshv_synic_isr);
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "mshv/synic:online",
				mshv_synic_cpu_online, mshv_synic_cpu_offline);
	if (ret < 0) {
		hv_seam_set_handler(NULL);
		synchronize_rcu();
		return ret;
	}
	mshv_synic_cpuhp = ret;
	return 0;
}

/**
 * mshv_synic_exit() - give the SINTs back on every CPU
 *
 * Masks the SINTs and unmaps the pages, then removes the handler and
 * waits until no CPU runs it any more.
 */
void mshv_synic_exit(void)
{
	cpuhp_remove_state(mshv_synic_cpuhp);
	hv_seam_set_handler(NULL);
	synchronize_rcu();
}
