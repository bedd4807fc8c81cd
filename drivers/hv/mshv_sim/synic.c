// SPDX-License-Identifier: GPL-2.0
/*
 * The root partition's synthetic interrupt controller in the simulated
 * hypervisor: per CPU, the SynIC MSRs the root programs (SCONTROL, SIMP,
 * SIEFP, SIRBP, SINT0-15, EOM), the message page the hypervisor provides
 * (the root reads its GPA from SIMP and maps it, as on Hyper-V), and the
 * delivery of messages to SINT0 with the TLFS slot protocol: a message is
 * written to the slot only when the slot is free (HVMSG_NONE); otherwise
 * it waits, the message in the slot is flagged "message pending", and the
 * root's write of EOM brings the next one. Each delivery raises the
 * interrupt: an irq_work on the CPU calls the handler the root installed
 * through the seam, in hard interrupt context, as the SynIC vector would.
 *
 * The event ring page (SIRBP) is provided the same way; port.c
 * fills its rings.
 *
 * Everything here runs with sim->lock held and IRQs disabled, except the
 * irq_work, which calls the handler without the lock.
 */
#include <kunit/visibility.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/irq_work.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/hyperv-tlfs.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

/* The SynIC version SVERSION reports. */
#define MSHV_SIM_SYNIC_VERSION		1

/* Charge an MSR access begun at @start_ns; sim->lock held. */
static void mshv_sim_charge_msr(struct mshv_sim *sim, u64 start_ns)
{
	sim->hv_time.msr_accesses++;
	sim->hv_time.msr_ns += ktime_get_ns() - start_ns;
}

static void mshv_sim_synic_irq(struct irq_work *work)
{
	struct mshv_sim_synic *synic = container_of(work, struct mshv_sim_synic,
						    irq);
	void (*handler)(void);

	handler = READ_ONCE(synic->sim->handler);
	if (handler)
		handler();
}

/**
 * mshv_sim_synic_init() - give an instance a SynIC per possible CPU
 * @sim: the instance
 *
 * Context: process context.
 * Return: 0 or -ENOMEM (nothing allocated).
 */
int mshv_sim_synic_init(struct mshv_sim *sim)
{
	struct mshv_sim_synic *synic;
	unsigned int cpu, i;

	sim->synic = kcalloc(nr_cpu_ids, sizeof(*sim->synic), GFP_KERNEL);
	if (!sim->synic)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		synic = &sim->synic[cpu];
		synic->sim = sim;
		synic->cpu = cpu;
		INIT_LIST_HEAD(&synic->waiting);
		for (i = 0; i < MSHV_SIM_SINT_COUNT; i++)
			INIT_LIST_HEAD(&synic->notify[i].node);
		init_irq_work(&synic->irq, mshv_sim_synic_irq);
		synic->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		synic->rings = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!synic->page || !synic->rings)
			goto err_free;
		synic->simp = page_to_pfn(synic->page) << HV_HYP_PAGE_SHIFT;
		synic->sirbp = page_to_pfn(synic->rings) << HV_HYP_PAGE_SHIFT;
		synic->sint[0] = HV_SYNIC_SINT_MASKED;
	}
	return 0;

err_free:
	mshv_sim_synic_free(sim);
	return -ENOMEM;
}

/**
 * mshv_sim_synic_free() - free an instance's SynICs
 * @sim: the instance; no handler may be installed any more
 *
 * Context: process context.
 */
void mshv_sim_synic_free(struct mshv_sim *sim)
{
	unsigned int cpu;

	if (!sim->synic)
		return;
	for_each_possible_cpu(cpu) {
		irq_work_sync(&sim->synic[cpu].irq);
		if (sim->synic[cpu].page)
			__free_page(sim->synic[cpu].page);
		if (sim->synic[cpu].rings)
			__free_page(sim->synic[cpu].rings);
	}
	kfree(sim->synic);
	sim->synic = NULL;
}

static struct hv_message *mshv_sim_synic_slot(struct mshv_sim_synic *synic)
{
	struct hv_message_page *page = page_address(synic->page);

	return &page->sint_message[HV_SYNIC_INTERCEPTION_SINT_INDEX];
}

/* Whether SINT0 of @synic accepts messages. */
static bool mshv_sim_synic_enabled(const struct mshv_sim_synic *synic)
{
	return (synic->scontrol & HV_SYNIC_CONTROL_ENABLE) &&
	       (synic->simp & HV_SYNIC_SIMP_ENABLE) &&
	       !(synic->sint[HV_SYNIC_INTERCEPTION_SINT_INDEX] &
		 HV_SYNIC_SINT_MASKED);
}

/*
 * Move the next waiting message into SINT0's slot if it is free, and raise
 * the interrupt for it.
 */
static void mshv_sim_synic_deliver(struct mshv_sim_synic *synic)
{
	struct hv_message *slot = mshv_sim_synic_slot(synic);
	struct mshv_sim_sint_msg *msg;

	if (!mshv_sim_synic_enabled(synic) ||
	    READ_ONCE(slot->header.message_type) != HVMSG_NONE)
		return;
	msg = list_first_entry_or_null(&synic->waiting,
				       struct mshv_sim_sint_msg, node);
	if (!msg)
		return;
	list_del_init(&msg->node);

	memset(&slot->header, 0, sizeof(slot->header));
	slot->header.payload_size = msg->size;
	slot->header.sender = msg->sender;
	slot->header.message_flags.msg_pending = !list_empty(&synic->waiting);
	memcpy(slot->u.payload, msg->payload, msg->size);
	/* The message is complete before its type says it is there. */
	smp_wmb();
	WRITE_ONCE(slot->header.message_type, msg->type);
	/* Only ever called for this CPU's SynIC, with IRQs off. */
	irq_work_queue(&synic->irq);
}

/**
 * mshv_sim_synic_post() - post a message to this CPU's SINT0
 * @sim: the instance
 * @msg: the message; it must stay valid until delivered or cancelled
 *
 * The message goes into the slot if it is free and SINT0 is enabled and
 * unmasked; otherwise it waits, and the message in the slot is flagged so
 * that the root asks for the next one. Posting a message that already
 * waits does nothing.
 *
 * Context: sim->lock held, IRQs disabled.
 */
void mshv_sim_synic_post(struct mshv_sim *sim, struct mshv_sim_sint_msg *msg)
{
	struct mshv_sim_synic *synic = &sim->synic[smp_processor_id()];
	struct hv_message *slot = mshv_sim_synic_slot(synic);

	if (!list_empty(&msg->node))
		return;
	list_add_tail(&msg->node, &synic->waiting);
	if (READ_ONCE(slot->header.message_type) != HVMSG_NONE)
		slot->header.message_flags.msg_pending = 1;
	mshv_sim_synic_deliver(synic);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_synic_post);

/**
 * mshv_sim_synic_cancel() - withdraw a message that was not delivered
 * @msg: the message
 *
 * Context: sim->lock held.
 */
void mshv_sim_synic_cancel(struct mshv_sim_sint_msg *msg)
{
	list_del_init(&msg->node);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_synic_cancel);

/**
 * mshv_sim_get_msr() - the root reads one of this CPU's SynIC MSRs
 * @sim: the instance
 * @reg: HV_MSR_*
 *
 * Context: IRQs disabled (the CPU does not change). Takes sim->lock.
 * Return: the value; 0 for a register the simulator does not model.
 */
u64 mshv_sim_get_msr(struct mshv_sim *sim, unsigned int reg)
{
	struct mshv_sim_synic *synic = &sim->synic[smp_processor_id()];
	u64 start_ns = ktime_get_ns();
	unsigned long flags;
	u64 value = 0;

	spin_lock_irqsave(&sim->lock, flags);
	switch (reg) {
	case HV_MSR_SCONTROL:
		value = synic->scontrol;
		break;
	case HV_MSR_SVERSION:
		value = MSHV_SIM_SYNIC_VERSION;
		break;
	case HV_MSR_SIMP:
		value = synic->simp;
		break;
	case HV_MSR_SIEFP:
		value = synic->siefp;
		break;
	case HV_MSR_SIRBP:
		value = synic->sirbp;
		break;
	default:
		if (reg >= HV_MSR_SINT0 &&
		    reg < HV_MSR_SINT0 + MSHV_SIM_SINT_COUNT)
			value = synic->sint[reg - HV_MSR_SINT0];
		break;
	}
	mshv_sim_charge_msr(sim, start_ns);
	spin_unlock_irqrestore(&sim->lock, flags);
	return value;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_get_msr);

/**
 * mshv_sim_set_msr() - the root writes one of this CPU's SynIC MSRs
 * @sim: the instance
 * @reg: HV_MSR_*
 * @value: the value
 *
 * SIMP and SIRBP keep the pages the simulator chose: only their enable
 * bits change.
 * Writing EOM, or enabling or unmasking SINT0, delivers the next waiting
 * message if the slot is free; enabling or unmasking SINT0 while a
 * message is still in the slot raises the interrupt again.
 *
 * Context: IRQs disabled (the CPU does not change). Takes sim->lock.
 */
void mshv_sim_set_msr(struct mshv_sim *sim, unsigned int reg, u64 value)
{
	struct mshv_sim_synic *synic = &sim->synic[smp_processor_id()];
	u64 start_ns = ktime_get_ns();
	unsigned long flags;
	bool was_enabled;

	spin_lock_irqsave(&sim->lock, flags);
	was_enabled = mshv_sim_synic_enabled(synic);
	switch (reg) {
	case HV_MSR_SCONTROL:
		synic->scontrol = value & HV_SYNIC_CONTROL_ENABLE;
		break;
	case HV_MSR_SIMP:
		synic->simp = (synic->simp & HV_HYP_PAGE_MASK) |
			      (value & HV_SYNIC_SIMP_ENABLE);
		break;
	case HV_MSR_SIEFP:
		synic->siefp = value;
		break;
	case HV_MSR_SIRBP:
		/* A ring starts empty each time it is enabled. */
		if (value & ~synic->sirbp & HV_SYNIC_SIRBP_ENABLE)
			mshv_sim_synic_rings_reset(synic);
		synic->sirbp = (synic->sirbp & HV_HYP_PAGE_MASK) |
			       (value & HV_SYNIC_SIRBP_ENABLE);
		break;
	case HV_MSR_EOM:
		break;
	default:
		if (reg >= HV_MSR_SINT0 &&
		    reg < HV_MSR_SINT0 + MSHV_SIM_SINT_COUNT)
			synic->sint[reg - HV_MSR_SINT0] = value;
		break;
	}
	/* A message left in the slot interrupts again once SINT0 is enabled. */
	if (!was_enabled && mshv_sim_synic_enabled(synic) &&
	    READ_ONCE(mshv_sim_synic_slot(synic)->header.message_type) !=
	    HVMSG_NONE)
		irq_work_queue(&synic->irq);
	mshv_sim_synic_deliver(synic);
	mshv_sim_charge_msr(sim, start_ns);
	spin_unlock_irqrestore(&sim->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_set_msr);

/**
 * mshv_sim_set_handler() - install the root's SynIC handler
 * @sim: the instance
 * @handler: the handler, or NULL to remove it
 *
 * When removing, waits until no CPU runs the previous handler.
 *
 * Context: process context.
 */
void mshv_sim_set_handler(struct mshv_sim *sim, void (*handler)(void))
{
	unsigned int cpu;

	WRITE_ONCE(sim->handler, handler);
	if (handler)
		return;
	for_each_possible_cpu(cpu)
		irq_work_sync(&sim->synic[cpu].irq);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_set_handler);
