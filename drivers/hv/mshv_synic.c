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
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <kunit/visibility.h>
#include <asm/irq_vectors.h>
#include <hyperv/hv_seam.h>
#include <hyperv/hvhdk.h>

#include "mshv_root.h"

/* This CPU's SynIC message page, mapped while the CPU is online. */
static DEFINE_PER_CPU(struct hv_message_page *, mshv_synic_page);
/* cpuhp state of the per-CPU set-up, for its removal. */
static enum cpuhp_state mshv_synic_cpuhp;

/* Root scheduler: VPs that a dispatch found blocked can run again. */
static void
mshv_synic_vp_signals(const struct hv_vp_signal_pair_scheduler_message *pair)
{
	unsigned int i, count;

	count = min_t(unsigned int, pair->vp_count,
		      HV_SCHEDULER_MESSAGE_PAIR_COUNT);
	for (i = 0; i < count; i++)
		mshv_vp_kick(pair->partition_ids[i], pair->vp_indexes[i]);
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
 * Map the message page the hypervisor chose (the root does not provide
 * its own), enable it if VMBus has not, and unmask SINT0 on the SynIC
 * callback vector. A message left in the slot while the CPU was offline
 * is handled at once.
 */
static int mshv_synic_cpu_online(unsigned int cpu)
{
	union hv_synic_scontrol sctrl;
	union hv_synic_simp simp;
	union hv_synic_sint sint;
	void *page;

	local_irq_disable();
	simp.as_uint64 = hv_seam_get_msr(HV_MSR_SIMP);
	local_irq_enable();
	page = memremap(simp.base_simp_gpa << HV_HYP_PAGE_SHIFT,
			HV_HYP_PAGE_SIZE, MEMREMAP_WB);
	if (!page) {
		pr_err("cannot map the SynIC message page of CPU %u\n", cpu);
		return -EFAULT;
	}
	this_cpu_write(mshv_synic_page, page);

	sint.as_uint64 = 0;
	sint.vector = HYPERVISOR_CALLBACK_VECTOR;
	sint.masked = 0;
	sint.auto_eoi = !(ms_hyperv.hints & HV_DEPRECATING_AEOI_RECOMMENDED);

	local_irq_disable();
	if (!simp.simp_enabled) {
		simp.simp_enabled = 1;
		hv_seam_set_msr(HV_MSR_SIMP, simp.as_uint64);
	}
	hv_seam_set_msr(HV_MSR_SINT0 + HV_SYNIC_INTERCEPTION_SINT_INDEX,
			sint.as_uint64);
	sctrl.as_uint64 = hv_seam_get_msr(HV_MSR_SCONTROL);
	if (!sctrl.enable) {
		sctrl.enable = 1;
		hv_seam_set_msr(HV_MSR_SCONTROL, sctrl.as_uint64);
	}
	local_irq_enable();

	mshv_synic_poll();
	return 0;
}

/*
 * Mask SINT0, handle what is left in its slot, and unmap the page. The
 * message page and the SynIC stay enabled: VMBus shares them in the root
 * partition.
 */
static int mshv_synic_cpu_offline(unsigned int cpu)
{
	union hv_synic_sint sint;
	void *page;

	sint.as_uint64 = 0;
	sint.masked = 1;
	local_irq_disable();
	hv_seam_set_msr(HV_MSR_SINT0 + HV_SYNIC_INTERCEPTION_SINT_INDEX,
			sint.as_uint64);
	local_irq_enable();
	/* No VP waits forever for a message that arrived just before. */
	mshv_synic_poll();

	page = this_cpu_read(mshv_synic_page);
	this_cpu_write(mshv_synic_page, NULL);
	/* A handler running on this CPU has finished with the page. */
	synchronize_rcu();
	memunmap(page);
	return 0;
}

/**
 * mshv_synic_init() - take SINT0 of every CPU
 *
 * Installs the SynIC handler, then enables the message page and SINT0 on
 * every online CPU and on each CPU that comes online later.
 *
 * Return: 0, or a negative errno with nothing left installed.
 */
int mshv_synic_init(void)
{
	int ret;

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
 * mshv_synic_exit() - give SINT0 back on every CPU
 *
 * Masks SINT0 and unmaps the message pages, then removes the handler and
 * waits until no CPU runs it any more.
 */
void mshv_synic_exit(void)
{
	cpuhp_remove_state(mshv_synic_cpuhp);
	hv_seam_set_handler(NULL);
	synchronize_rcu();
}
