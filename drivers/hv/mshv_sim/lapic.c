// SPDX-License-Identifier: GPL-2.0
/*
 * The virtual local APIC of the simulated hypervisor, for the VPs of
 * partitions created with HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED.
 *
 * Interrupts come in through HvAssertVirtualInterrupt, through the vectors
 * the root leaves in a VP's register page for HvDispatchVp, and through
 * the guest's own interprocessor interrupts. A fixed or lowest priority
 * interrupt is accepted into the IRR of the VPs it is addressed to; an
 * NMI waits for delivery; an ExtINT waits at the bootstrap processor;
 * INIT and SIPI drive the MP start-up protocol (an application processor
 * waits for a startup IPI after INIT, and from its creation). Before
 * every instruction a VP executes, mshv_sim_lapic_next() says which
 * interrupt may interrupt it; the dispatch loop of vp.c then delivers it
 * through the guest's IVT or IDT, and a fixed vector moves to the ISR.
 * An EOI ends the highest in-service vector; for a level-triggered one the
 * root learns of it from an HVMSG_X64_APIC_EOI message on its SINT0.
 *
 * A VP that executes HLT waits here, in the hypervisor, until an
 * interrupt can be delivered (with interrupts disabled, until an NMI or
 * INIT): HvDispatchVp returns BLOCKED for it (the root scheduler), or the
 * simulator's scheduling thread leaves it alone; so does a VP waiting for
 * a startup IPI. The
 * interrupt (or SIPI) that ends the wait makes it runnable again, and the
 * root scheduler is told with an HVMSG_SCHEDULER_VP_SIGNAL_PAIR message
 * on its SINT0, as it is when the root lifts a suspension that made
 * HvDispatchVp return BLOCKED.
 *
 * The guest reaches its APIC through the xAPIC page at IA32_APIC_BASE or,
 * in x2APIC mode, through MSRs 0x800-0x8ff; the simulator handles both
 * itself. Of the APIC's registers it implements the ID, version, TPR,
 * PPR, EOI, LDR, DFR, SVR, ISR, TMR, IRR and ICR (fixed, lowest
 * priority, NMI, INIT and SIPI IPIs) and the x2APIC SELF IPI; the others
 * (LVT entries, timer, error status) read as zero and ignore writes.
 *
 * Everything here runs with sim->lock held and IRQs disabled.
 */
#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>
#include <asm/msr-index.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

/* xAPIC register offsets in the APIC page (x2APIC MSR = 0x800 + off / 16) */
#define MSHV_SIM_APIC_ID		0x020
#define MSHV_SIM_APIC_LVR		0x030
#define MSHV_SIM_APIC_TPR		0x080
#define MSHV_SIM_APIC_PPR		0x0a0
#define MSHV_SIM_APIC_EOI		0x0b0
#define MSHV_SIM_APIC_LDR		0x0d0
#define MSHV_SIM_APIC_DFR		0x0e0
#define MSHV_SIM_APIC_SVR		0x0f0
#define MSHV_SIM_APIC_ISR		0x100
#define MSHV_SIM_APIC_TMR		0x180
#define MSHV_SIM_APIC_IRR		0x200
#define MSHV_SIM_APIC_ICR		0x300
#define MSHV_SIM_APIC_ICR2		0x310
#define MSHV_SIM_APIC_SELF_IPI		0x3f0
#define MSHV_SIM_APIC_PAGE		0x1000

/* The x2APIC MSR range */
#define MSHV_SIM_X2APIC_MSR_FIRST	0x800
#define MSHV_SIM_X2APIC_MSR_LAST	0x8ff

/* SVR bits the guest may write: vector, APIC software enable, no EOI bcast */
#define MSHV_SIM_APIC_SVR_ENABLE	BIT(8)
#define MSHV_SIM_APIC_SVR_MASK		(GENMASK(8, 0) | BIT(12))

/* ICR fields */
#define MSHV_SIM_ICR_VECTOR		GENMASK(7, 0)
#define MSHV_SIM_ICR_DELIVERY		GENMASK(10, 8)
#define MSHV_SIM_ICR_LOGICAL		BIT(11)
#define MSHV_SIM_ICR_SHORTHAND		GENMASK(19, 18)
/* The writable ICR bits: vector, modes, level, trigger, shorthand */
#define MSHV_SIM_ICR_LOW_MASK		(GENMASK(11, 0) | GENMASK(15, 14) | \
					 MSHV_SIM_ICR_SHORTHAND)
#define MSHV_SIM_ICR_LEVEL_ASSERT	BIT(14)
#define MSHV_SIM_ICR_TRIGGER_LEVEL	BIT(15)
#define MSHV_SIM_ICR_SH_NONE		0
#define MSHV_SIM_ICR_SH_SELF		1
#define MSHV_SIM_ICR_SH_ALL		2
#define MSHV_SIM_ICR_SH_OTHERS		3

/* Destination formats (DFR bits 31:28) and broadcast destinations */
#define MSHV_SIM_DFR_FLAT		0xf
#define MSHV_SIM_XAPIC_BROADCAST	0xff
#define MSHV_SIM_X2APIC_BROADCAST	0xffffffff

/* The first vector a fixed interrupt may use; 0-15 are illegal. */
#define MSHV_SIM_APIC_FIRST_VECTOR	16

static_assert(sizeof(struct hv_vp_signal_pair_scheduler_message) <=
	      MSHV_SIM_SINT_PAYLOAD);

/**
 * struct mshv_sim_lapic_irq - an interrupt on its way to local APICs
 * @dest: destination (APIC id or logical destination)
 * @type: HV_X64_INTERRUPT_TYPE_*; the ICR's delivery modes have the same
 *	values
 * @vector: the vector (fixed, lowest priority, ExtINT) or the start page
 *	(SIPI)
 * @logical: @dest is a logical destination
 * @level: level-triggered
 */
struct mshv_sim_lapic_irq {
	u32 dest;
	u32 type;
	u8 vector;
	bool logical;
	bool level;
};

/**
 * mshv_sim_lapic_active() - does @vp have a virtual local APIC?
 * @vp: the VP
 *
 * Return: true if its partition was created with the LAPIC flag.
 */
bool mshv_sim_lapic_active(const struct mshv_sim_vp *vp)
{
	return vp->pt->flags & HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_lapic_active);

static bool mshv_sim_lapic_x2apic(const struct mshv_sim_vp *vp)
{
	return (vp->apic_base & (MSR_IA32_APICBASE_ENABLE | X2APIC_ENABLE)) ==
	       (MSR_IA32_APICBASE_ENABLE | X2APIC_ENABLE);
}

/* The APIC is enabled in IA32_APIC_BASE and in software (SVR). */
static bool mshv_sim_lapic_enabled(const struct mshv_sim_vp *vp)
{
	return (vp->apic_base & MSR_IA32_APICBASE_ENABLE) &&
	       (vp->lapic.svr & MSHV_SIM_APIC_SVR_ENABLE);
}

/* The APIC's registers and pending events after RESET or INIT. */
static void mshv_sim_lapic_reset_regs(struct mshv_sim_lapic *apic)
{
	bitmap_zero(apic->irr, MSHV_SIM_APIC_VECTORS);
	bitmap_zero(apic->isr, MSHV_SIM_APIC_VECTORS);
	bitmap_zero(apic->tmr, MSHV_SIM_APIC_VECTORS);
	apic->tpr = 0;
	apic->svr = MSHV_SIM_APIC_SPURIOUS;
	apic->ldr = 0;
	apic->dfr = U32_MAX;
	apic->icr_low = 0;
	apic->icr_high = 0;
	apic->halted = false;
	apic->nmi_pending = false;
}

/**
 * mshv_sim_lapic_reset() - put a new VP's local APIC in its reset state
 * @vp: the VP; its index and partition are set
 */
void mshv_sim_lapic_reset(struct mshv_sim_vp *vp)
{
	struct mshv_sim_lapic *apic = &vp->lapic;

	mshv_sim_lapic_reset_regs(apic);
	apic->blocked = false;
	apic->extint_vector = -1;
	apic->extint_acked = false;
	bitmap_zero(apic->eoi_queue, MSHV_SIM_APIC_VECTORS);
	INIT_LIST_HEAD(&apic->signal.node);
	INIT_LIST_HEAD(&apic->eoi.node);
}

/* The highest vector set in @bits, or -1. */
static int mshv_sim_lapic_highest(const unsigned long *bits)
{
	unsigned long v = find_last_bit(bits, MSHV_SIM_APIC_VECTORS);

	return v < MSHV_SIM_APIC_VECTORS ? v : -1;
}

/*
 * The TPR; the guest may have changed it through CR8 (its bits 7:4), so
 * CR8 wins when the two disagree.
 */
static u32 mshv_sim_lapic_tpr(struct mshv_sim_vp *vp)
{
	if ((vp->lapic.tpr >> 4) != (vp->cpu.cr8 & 0xf))
		vp->lapic.tpr = (vp->cpu.cr8 & 0xf) << 4;
	return vp->lapic.tpr;
}

static void mshv_sim_lapic_set_tpr(struct mshv_sim_vp *vp, u32 tpr)
{
	vp->lapic.tpr = tpr & 0xff;
	vp->cpu.cr8 = vp->lapic.tpr >> 4;
}

/**
 * mshv_sim_lapic_ppr() - the processor priority of @vp
 * @vp: the VP
 *
 * The TPR if its priority class is at least that of the highest
 * in-service vector, else that vector's class (SDM 11.8.3.1).
 *
 * Return: the PPR.
 */
u32 mshv_sim_lapic_ppr(struct mshv_sim_vp *vp)
{
	int isrv = mshv_sim_lapic_highest(vp->lapic.isr);
	u32 tpr = mshv_sim_lapic_tpr(vp);

	if (isrv < 0 || (tpr & 0xf0) >= (isrv & 0xf0))
		return tpr;
	return isrv & 0xf0;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_lapic_ppr);

/* The highest requested vector whose class is above the PPR, or -1. */
static int mshv_sim_lapic_pending(struct mshv_sim_vp *vp)
{
	int irrv = mshv_sim_lapic_highest(vp->lapic.irr);

	if (irrv < 0 || !mshv_sim_lapic_enabled(vp))
		return -1;
	if ((irrv & 0xf0) <= (mshv_sim_lapic_ppr(vp) & 0xf0))
		return -1;
	return irrv;
}

/* An ExtINT waits for @vp (the bootstrap processor) to take it. */
static bool mshv_sim_lapic_extint(const struct mshv_sim_vp *vp)
{
	return vp->lapic.extint_vector >= 0 &&
	       (vp->apic_base & MSR_IA32_APICBASE_ENABLE);
}

/**
 * mshv_sim_lapic_next() - the interrupt @vp must take before its next
 *	instruction
 * @vp: the VP
 * @kind: what it is
 *
 * An NMI is due unless NMIs are masked (one is being handled) or an
 * interrupt shadow is in effect. Otherwise, with RFLAGS.IF set and no
 * shadow, an ExtINT is due if one waits, then the highest requested
 * fixed vector if the APIC is enabled and its priority class is above
 * the PPR. A VP waiting for a startup IPI takes none.
 *
 * Return: the vector, or -1 if none is due.
 */
int mshv_sim_lapic_next(struct mshv_sim_vp *vp, enum mshv_sim_lapic_kind *kind)
{
	const struct mshv_sim_x86_cpu *cpu = &vp->cpu;

	if (!mshv_sim_lapic_active(vp) || vp->startup_suspend ||
	    cpu->interrupt_shadow)
		return -1;
	if (vp->lapic.nmi_pending && !cpu->nmi_masked) {
		*kind = MSHV_SIM_LAPIC_NMI;
		return MSHV_SIM_NMI_VECTOR;
	}
	if (!(cpu->rflags & MSHV_SIM_X86_FLAG_IF))
		return -1;
	if (mshv_sim_lapic_extint(vp)) {
		*kind = MSHV_SIM_LAPIC_EXTINT;
		return vp->lapic.extint_vector;
	}
	*kind = MSHV_SIM_LAPIC_FIXED;
	return mshv_sim_lapic_pending(vp);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_lapic_next);

/**
 * mshv_sim_lapic_ack() - @vector was delivered to @vp's guest
 * @vp: the VP
 * @kind: what mshv_sim_lapic_next() said it is
 * @vector: the vector mshv_sim_lapic_next() returned
 *
 * A fixed vector moves from the IRR to the ISR; an NMI masks NMIs until
 * the next IRET; an ExtINT is acknowledged (see
 * mshv_sim_clear_virtual_interrupt()). A halted VP runs again.
 */
void mshv_sim_lapic_ack(struct mshv_sim_vp *vp, enum mshv_sim_lapic_kind kind,
			u8 vector)
{
	switch (kind) {
	case MSHV_SIM_LAPIC_FIXED:
		clear_bit(vector, vp->lapic.irr);
		set_bit(vector, vp->lapic.isr);
		break;
	case MSHV_SIM_LAPIC_NMI:
		vp->lapic.nmi_pending = false;
		vp->cpu.nmi_masked = true;
		break;
	case MSHV_SIM_LAPIC_EXTINT:
		vp->lapic.extint_vector = -1;
		vp->lapic.extint_acked = true;
		break;
	}
	vp->lapic.halted = false;
	vp->lapic.blocked = false;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_lapic_ack);

/* The signal of mshv_sim_lapic_signal() as a one-VP sparse VP set. */
static void mshv_sim_lapic_signal_bitset(struct mshv_sim_vp *vp,
					 struct mshv_sim_sint_msg *msg)
{
	struct hv_vp_signal_bitset_scheduler_message set = {
		.partition_id = vp->pt->id,
		.vp_count = 1,
		.format = HV_GENERIC_SET_SPARSE_4K,
		.valid_bank_mask = BIT_ULL(vp->index / 64),
		.bank_contents[0] = BIT_ULL(vp->index % 64),
	};

	msg->type = HVMSG_SCHEDULER_VP_SIGNAL_BITSET;
	msg->size = sizeof(set);
	memcpy(msg->payload, &set, sizeof(set));
}

/* The signal of mshv_sim_lapic_signal() as one partition and VP pair. */
static void mshv_sim_lapic_signal_pair(struct mshv_sim_vp *vp,
				       struct mshv_sim_sint_msg *msg)
{
	struct hv_vp_signal_pair_scheduler_message pair = {
		.vp_count = 1,
		.partition_ids[0] = vp->pt->id,
		.vp_indexes[0] = vp->index,
	};

	msg->type = HVMSG_SCHEDULER_VP_SIGNAL_PAIR;
	msg->size = sizeof(pair);
	memcpy(msg->payload, &pair, sizeof(pair));
}

/* Tell the root scheduler that @vp, which it saw BLOCKED, can run. */
static void mshv_sim_lapic_signal(struct mshv_sim_vp *vp)
{
	struct mshv_sim_sint_msg *msg = &vp->lapic.signal;

	msg->sender = HV_PARTITION_ID_SELF;
	if (READ_ONCE(vp->sim->knobs[MSHV_SIM_KNOB_SIGNAL_BITSET]))
		mshv_sim_lapic_signal_bitset(vp, msg);
	else
		mshv_sim_lapic_signal_pair(vp, msg);
	mshv_sim_synic_post(vp->sim, msg);
}

/*
 * Has a halted @vp something that ends the halt? An NMI that is not
 * masked, or with RFLAGS.IF set, an ExtINT or a fixed interrupt above
 * the PPR (INIT ends it too, see mshv_sim_lapic_init()).
 */
static bool mshv_sim_lapic_wakes(struct mshv_sim_vp *vp)
{
	if (vp->lapic.nmi_pending && !vp->cpu.nmi_masked)
		return true;
	if (!(vp->cpu.rflags & MSHV_SIM_X86_FLAG_IF))
		return false;
	return mshv_sim_lapic_extint(vp) || mshv_sim_lapic_pending(vp) >= 0;
}

/**
 * mshv_sim_lapic_wake() - let a waiting @vp run again if it can
 * @vp: the VP
 *
 * Called when an interrupt was accepted, and when the root changed the
 * VP's registers (CR8 may have unmasked an interrupt, a suspension or
 * the wait for a startup IPI may have been lifted). A halted VP with an
 * interrupt to take stops halting. With the root scheduler, a VP that
 * HvDispatchVp returned BLOCKED is signalled to the root once nothing
 * holds it any more: not a halt, the wait for a startup IPI, nor an
 * explicit or dispatch suspension.
 */
void mshv_sim_lapic_wake(struct mshv_sim_vp *vp)
{
	if (vp->lapic.halted && mshv_sim_lapic_wakes(vp))
		vp->lapic.halted = false;
	if (vp->lapic.blocked && !mshv_sim_lapic_blocked(vp) &&
	    !vp->explicit_suspend && !vp->dispatch_suspend) {
		vp->lapic.blocked = false;
		mshv_sim_lapic_signal(vp);
	}
	mshv_sim_vp_sched_update(vp->sim, vp);
}

/**
 * mshv_sim_lapic_accept() - @vp's local APIC accepts a fixed interrupt
 * @vp: the VP
 * @vector: the vector, 16 to 255
 * @level: level-triggered (its EOI is reported to the root)
 *
 * A disabled APIC (in IA32_APIC_BASE or in software) drops it, as an
 * APIC does. A vector already requested stays requested once.
 *
 * Return: true if it was accepted.
 */
bool mshv_sim_lapic_accept(struct mshv_sim_vp *vp, u8 vector, bool level)
{
	if (!mshv_sim_lapic_enabled(vp) || vector < MSHV_SIM_APIC_FIRST_VECTOR)
		return false;
	set_bit(vector, vp->lapic.irr);
	if (level)
		set_bit(vector, vp->lapic.tmr);
	else
		clear_bit(vector, vp->lapic.tmr);
	mshv_sim_lapic_wake(vp);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_lapic_accept);

/* The logical destination register, as x2APIC derives it or xAPIC holds it */
static u32 mshv_sim_lapic_ldr(const struct mshv_sim_vp *vp)
{
	if (mshv_sim_lapic_x2apic(vp))
		return ((vp->index >> 4) << 16) | BIT(vp->index & 0xf);
	return vp->lapic.ldr;
}

/* Does logical destination @dest address @vp? */
static bool mshv_sim_lapic_logical_match(const struct mshv_sim_vp *vp,
					 u32 dest)
{
	u32 ldr = mshv_sim_lapic_ldr(vp);

	if (mshv_sim_lapic_x2apic(vp))
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	dest &= 0xff;
	ldr >>= 24;
	if ((vp->lapic.dfr >> 28) == MSHV_SIM_DFR_FLAT)
		return dest & ldr;
	/* cluster model: cluster id in bits 7:4, members in bits 3:0 */
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

static bool mshv_sim_lapic_match(const struct mshv_sim_vp *vp,
				 const struct mshv_sim_lapic_irq *irq)
{
	if (irq->logical)
		return mshv_sim_lapic_logical_match(vp, irq->dest);
	if (irq->dest == MSHV_SIM_X2APIC_BROADCAST)
		return true;
	if (irq->dest == MSHV_SIM_XAPIC_BROADCAST && !mshv_sim_lapic_x2apic(vp))
		return true;
	return irq->dest == vp->index;
}

/* The APIC is enabled in IA32_APIC_BASE: it takes NMI, INIT and SIPI. */
static bool mshv_sim_lapic_hw_enabled(const struct mshv_sim_vp *vp)
{
	return vp->apic_base & MSR_IA32_APICBASE_ENABLE;
}

/* An NMI for @vp; one waiting for a startup IPI ignores it. */
static bool mshv_sim_lapic_nmi(struct mshv_sim_vp *vp)
{
	if (!mshv_sim_lapic_hw_enabled(vp) || vp->startup_suspend)
		return false;
	vp->lapic.nmi_pending = true;
	mshv_sim_lapic_wake(vp);
	return true;
}

/*
 * INIT: @vp's processor and APIC go to their INIT state (the APIC keeps
 * its id and IA32_APIC_BASE); an application processor then waits for a
 * startup IPI, the bootstrap processor starts at the reset vector.
 */
static bool mshv_sim_lapic_init(struct mshv_sim_vp *vp)
{
	if (!mshv_sim_lapic_hw_enabled(vp))
		return false;
	mshv_sim_vp_init_signal(vp);
	mshv_sim_lapic_reset_regs(&vp->lapic);
	mshv_sim_lapic_wake(vp);
	return true;
}

/* A startup IPI: a VP waiting for one starts at @vector's page. */
static bool mshv_sim_lapic_sipi(struct mshv_sim_vp *vp, u8 vector)
{
	if (!mshv_sim_lapic_hw_enabled(vp) || !mshv_sim_vp_startup(vp, vector))
		return false;
	mshv_sim_lapic_wake(vp);
	return true;
}

/* Deliver @irq to @vp, which it addresses; true if @vp accepted it. */
static bool mshv_sim_lapic_deliver(struct mshv_sim_vp *vp,
				   const struct mshv_sim_lapic_irq *irq)
{
	switch (irq->type) {
	case HV_X64_INTERRUPT_TYPE_FIXED:
	case HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY:
		return mshv_sim_lapic_accept(vp, irq->vector, irq->level);
	case HV_X64_INTERRUPT_TYPE_NMI:
		return mshv_sim_lapic_nmi(vp);
	case HV_X64_INTERRUPT_TYPE_INIT:
		return mshv_sim_lapic_init(vp);
	case HV_X64_INTERRUPT_TYPE_SIPI:
		return mshv_sim_lapic_sipi(vp, irq->vector);
	default:
		return false;
	}
}

/*
 * Give @irq to every VP of @pt it addresses but @skip (may be NULL); a
 * lowest-priority interrupt goes to the first of them (lowest VP index)
 * that accepts it only.
 */
static void mshv_sim_lapic_route(struct mshv_sim_partition *pt,
				 const struct mshv_sim_lapic_irq *irq,
				 const struct mshv_sim_vp *skip)
{
	struct mshv_sim_vp *vp;
	unsigned long index;

	xa_for_each(&pt->vps, index, vp) {
		if (vp == skip || !mshv_sim_lapic_match(vp, irq))
			continue;
		if (mshv_sim_lapic_deliver(vp, irq) &&
		    irq->type == HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY)
			return;
	}
}

/*
 * Check the input of HvAssertVirtualInterrupt; fill @irq from it. Fixed
 * and lowest priority interrupts need a vector of 16 to 255, an ExtINT
 * any 8-bit vector and destination 0 (it goes to the bootstrap
 * processor), a SIPI an 8-bit vector (the start page); NMI and INIT take
 * no vector, which must be 0. SMI, remote read and the LINT0/LINT1 types
 * are not modelled and refused like the types past
 * HV_X64_INTERRUPT_TYPE_MAXIMUM.
 */
static u16
mshv_sim_assert_check(const struct hv_input_assert_virtual_interrupt *in,
		      struct mshv_sim_lapic_irq *irq)
{
	u32 flags = in->control.flags;
	u32 type = in->control.interrupt_type;

	if (in->target_vtl || in->rsvd_z0 || in->rsvd_z1 ||
	    flags & ~(HV_INTERRUPT_CONTROL_LEVEL_TRIGGERED |
		      HV_INTERRUPT_CONTROL_LOGICAL_DEST) ||
	    in->dest_addr > U32_MAX)
		return HV_STATUS_INVALID_PARAMETER;
	switch (type) {
	case HV_X64_INTERRUPT_TYPE_FIXED:
	case HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY:
		if (in->vector < MSHV_SIM_APIC_FIRST_VECTOR ||
		    in->vector >= MSHV_SIM_APIC_VECTORS)
			return HV_STATUS_INVALID_PARAMETER;
		break;
	case HV_X64_INTERRUPT_TYPE_EXTINT:
		if (in->dest_addr || (flags & HV_INTERRUPT_CONTROL_LOGICAL_DEST))
			return HV_STATUS_INVALID_PARAMETER;
		fallthrough;
	case HV_X64_INTERRUPT_TYPE_SIPI:
		if (in->vector >= MSHV_SIM_APIC_VECTORS)
			return HV_STATUS_INVALID_PARAMETER;
		break;
	case HV_X64_INTERRUPT_TYPE_NMI:
	case HV_X64_INTERRUPT_TYPE_INIT:
		if (in->vector)
			return HV_STATUS_INVALID_PARAMETER;
		break;
	default:
		return HV_STATUS_INVALID_PARAMETER;
	}

	irq->dest = in->dest_addr;
	irq->type = type;
	irq->vector = in->vector;
	irq->logical = flags & HV_INTERRUPT_CONTROL_LOGICAL_DEST;
	irq->level = flags & HV_INTERRUPT_CONTROL_LEVEL_TRIGGERED;
	return HV_STATUS_SUCCESS;
}

/*
 * An ExtINT for the bootstrap processor, VP 0: it waits there until the
 * guest takes it with interrupts enabled, and is then acknowledged. A
 * second one is refused until the root has seen the first acknowledged
 * (HvClearVirtualInterrupt).
 */
static u16 mshv_sim_lapic_assert_extint(struct mshv_sim_partition *pt, u8 vector)
{
	struct mshv_sim_vp *bsp = xa_load(&pt->vps, 0);

	if (!bsp)
		return HV_STATUS_SUCCESS;	/* lost, as on an APIC bus */
	if (bsp->lapic.extint_vector >= 0 || bsp->lapic.extint_acked)
		return HV_STATUS_INVALID_VP_STATE;
	bsp->lapic.extint_vector = vector;
	mshv_sim_lapic_wake(bsp);
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_assert_virtual_interrupt() - HvAssertVirtualInterrupt
 * @sim: the instance
 * @call: the decoded call
 *
 * The target partition must be initialized and have local APICs
 * (HV_STATUS_INVALID_PARTITION_STATE otherwise); the input is checked by
 * mshv_sim_assert_check() (HV_STATUS_INVALID_PARAMETER). The destination
 * is an APIC id (the VP index; 0xffffffff, or 0xff for an xAPIC, is every
 * VP) or, with the logical destination flag, a logical destination
 * matched against each VP's LDR. A fixed interrupt is requested in the
 * IRR of each VP addressed, a lowest priority one in the first that
 * accepts it; an NMI is delivered before the next instruction whatever
 * RFLAGS.IF; INIT resets the VPs addressed (the bootstrap processor
 * starts again at the reset vector, the others wait for a startup IPI);
 * a SIPI starts the VPs that wait for one at the page of its vector; an
 * ExtINT goes to VP 0 (see mshv_sim_lapic_assert_extint()). As on an
 * APIC bus, an interrupt that addresses no VP, or only APICs that
 * cannot take it, is lost without an error.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_assert_virtual_interrupt(struct mshv_sim *sim,
				      struct mshv_sim_call *call)
{
	const struct hv_input_assert_virtual_interrupt *in = call->in;
	struct mshv_sim_partition *pt;
	struct mshv_sim_lapic_irq irq;
	u16 status;

	pt = mshv_sim_find(sim, in->partition_id, false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (pt->state != MSHV_SIM_PT_INITIALIZED ||
	    !(pt->flags & HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED))
		return HV_STATUS_INVALID_PARTITION_STATE;
	status = mshv_sim_assert_check(in, &irq);
	if (status)
		return status;
	if (irq.type == HV_X64_INTERRUPT_TYPE_EXTINT)
		return mshv_sim_lapic_assert_extint(pt, irq.vector);
	mshv_sim_lapic_route(pt, &irq, NULL);
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_clear_virtual_interrupt() - HvClearVirtualInterrupt
 * @sim: the instance
 * @call: the decoded call (the partition id only; fast or not)
 *
 * Tells the root whether the ExtINT it asserted was acknowledged, that
 * is delivered to the bootstrap processor, since the last call, and
 * clears that state so that the next ExtINT may be asserted.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_SUCCESS if one was acknowledged,
 * HV_STATUS_NOT_ACKNOWLEDGED if not, HV_STATUS_INVALID_PARTITION_ID or
 * HV_STATUS_INVALID_PARTITION_STATE for a partition that is not an
 * initialized child.
 */
u16 mshv_sim_clear_virtual_interrupt(struct mshv_sim *sim,
				     struct mshv_sim_call *call)
{
	u64 id = call->fast ? call->fast_input : *(u64 *)call->in;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *bsp;

	pt = mshv_sim_find(sim, id, false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (pt->state != MSHV_SIM_PT_INITIALIZED)
		return HV_STATUS_INVALID_PARTITION_STATE;
	bsp = xa_load(&pt->vps, 0);
	if (!bsp || !bsp->lapic.extint_acked)
		return HV_STATUS_NOT_ACKNOWLEDGED;
	bsp->lapic.extint_acked = false;
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_lapic_scan() - take the vectors the root left in @vp's
 *	register page
 * @vp: the VP, dispatched with HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION
 *
 * Each of the first interrupt_vector_count vectors (at most
 * HV_VP_REGISTER_PAGE_MAX_VECTORS) is accepted as a fixed, edge-triggered
 * interrupt. The count and the vectors form one 8-byte word, which the
 * root updates with cmpxchg while the VP runs elsewhere: it is taken and
 * cleared in one atomic exchange, so that no vector queued meanwhile is
 * lost.
 */
void mshv_sim_lapic_scan(struct mshv_sim_vp *vp)
{
	struct hv_vp_register_page *rp;
	unsigned int i, count;
	u64 *word, queued;

	if (!mshv_sim_lapic_active(vp) ||
	    !vp->pages[HV_VP_STATE_PAGE_REGISTERS])
		return;
	rp = page_address(vp->pages[HV_VP_STATE_PAGE_REGISTERS]);
	/* At offset 688 of the page: the word is naturally aligned. */
	word = (void *)rp + offsetof(struct hv_vp_register_page,
				     interrupt_vector_count);
	queued = xchg(word, 0);
	count = min_t(unsigned int, queued & 0xff,
		      HV_VP_REGISTER_PAGE_MAX_VECTORS);
	for (i = 0; i < count; i++)
		mshv_sim_lapic_accept(vp, (queued >> (8 * (i + 1))) & 0xff,
				      false);
	vp->sim->scanned_vectors += count;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_lapic_scan);

/**
 * mshv_sim_lapic_halt() - @vp executed HLT
 * @vp: the VP; RIP is past the HLT
 *
 * With a local APIC the hypervisor handles HLT, as Hyper-V does: the VP
 * waits until something ends the halt (at once if something already
 * does; see mshv_sim_lapic_wakes()). With RFLAGS.IF clear only an NMI or
 * INIT does, so ``cli; hlt`` keeps the VP halted, and the root sees no
 * intercept. Without a local APIC the root must see the HLT.
 *
 * Return: true if the hypervisor handles the HLT, false if the root gets
 * an HVMSG_X64_HALT intercept.
 */
bool mshv_sim_lapic_halt(struct mshv_sim_vp *vp)
{
	if (!mshv_sim_lapic_active(vp))
		return false;
	vp->lapic.halted = !mshv_sim_lapic_wakes(vp);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_lapic_halt);

/**
 * mshv_sim_lapic_blocked() - is @vp waiting for an interrupt?
 * @vp: the VP
 *
 * Return: true while it is halted in the hypervisor or waits for a
 * startup IPI.
 */
bool mshv_sim_lapic_blocked(const struct mshv_sim_vp *vp)
{
	return vp->lapic.halted || vp->startup_suspend;
}

/**
 * mshv_sim_lapic_dispatch_blocked() - HvDispatchVp returns BLOCKED for @vp
 * @vp: the VP: halted, waiting for a startup IPI, or suspended
 *
 * Whatever lets it run again (an interrupt, a startup IPI, the root
 * lifting the suspension) also signals the root.
 */
void mshv_sim_lapic_dispatch_blocked(struct mshv_sim_vp *vp)
{
	vp->lapic.blocked = true;
}

/* EOI: end the highest in-service vector; queue a level-triggered one. */
static void mshv_sim_lapic_eoi(struct mshv_sim_vp *vp)
{
	int isrv = mshv_sim_lapic_highest(vp->lapic.isr);

	if (isrv < 0)
		return;
	clear_bit(isrv, vp->lapic.isr);
	if (!test_and_clear_bit(isrv, vp->lapic.tmr))
		return;
	set_bit(isrv, vp->lapic.eoi_queue);
}

/**
 * mshv_sim_lapic_take_eoi() - the level-triggered EOI to report, if any
 * @vp: the VP
 * @eoi: where to put the HVMSG_X64_APIC_EOI payload
 *
 * The lowest queued vector is reported first.
 *
 * Return: true if @eoi was filled; the report is then consumed.
 */
bool mshv_sim_lapic_take_eoi(struct mshv_sim_vp *vp,
			     struct hv_x64_apic_eoi_message *eoi)
{
	unsigned long vector;

	vector = find_first_bit(vp->lapic.eoi_queue, MSHV_SIM_APIC_VECTORS);
	if (vector >= MSHV_SIM_APIC_VECTORS)
		return false;
	clear_bit(vector, vp->lapic.eoi_queue);
	eoi->vp_index = vp->index;
	eoi->interrupt_vector = vector;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_lapic_take_eoi);

/*
 * An interprocessor interrupt: the ICR was written. Fixed, lowest
 * priority, NMI, INIT and SIPI IPIs are delivered; an INIT with the
 * level-triggered de-assert encoding (level bit clear, trigger mode
 * level) does nothing, as on processors after the 486; SMI and the
 * reserved modes are ignored.
 */
static void mshv_sim_lapic_ipi(struct mshv_sim_vp *vp, u32 low, u32 dest)
{
	struct mshv_sim_lapic_irq irq = {
		.dest = dest,
		.type = FIELD_GET(MSHV_SIM_ICR_DELIVERY, low),
		.vector = FIELD_GET(MSHV_SIM_ICR_VECTOR, low),
		.logical = low & MSHV_SIM_ICR_LOGICAL,
	};
	const struct mshv_sim_vp *skip = NULL;

	switch (irq.type) {
	case HV_X64_INTERRUPT_TYPE_FIXED:
	case HV_X64_INTERRUPT_TYPE_LOWESTPRIORITY:
	case HV_X64_INTERRUPT_TYPE_NMI:
	case HV_X64_INTERRUPT_TYPE_SIPI:
		break;
	case HV_X64_INTERRUPT_TYPE_INIT:
		if ((low & MSHV_SIM_ICR_TRIGGER_LEVEL) &&
		    !(low & MSHV_SIM_ICR_LEVEL_ASSERT))
			return;
		break;
	default:
		return;
	}
	switch (FIELD_GET(MSHV_SIM_ICR_SHORTHAND, low)) {
	case MSHV_SIM_ICR_SH_SELF:
		mshv_sim_lapic_deliver(vp, &irq);
		return;
	case MSHV_SIM_ICR_SH_ALL:
		irq.logical = false;
		irq.dest = MSHV_SIM_X2APIC_BROADCAST;
		break;
	case MSHV_SIM_ICR_SH_OTHERS:
		irq.logical = false;
		irq.dest = MSHV_SIM_X2APIC_BROADCAST;
		skip = vp;
		break;
	}
	mshv_sim_lapic_route(vp->pt, &irq, skip);
}

/* Read 32 bits of a 256-bit register (ISR, TMR, IRR) at @off from @base. */
static u32 mshv_sim_lapic_word(const unsigned long *bits, u32 off, u32 base)
{
	return bitmap_read(bits, ((off - base) >> 4) * 32, 32);
}

/*
 * Read the 32-bit register at xAPIC offset @off. Unimplemented and
 * reserved registers read as 0.
 */
static u32 mshv_sim_lapic_read(struct mshv_sim_vp *vp, u32 off)
{
	struct mshv_sim_lapic *apic = &vp->lapic;
	bool x2apic = mshv_sim_lapic_x2apic(vp);

	if (off >= MSHV_SIM_APIC_ISR && off < MSHV_SIM_APIC_TMR)
		return mshv_sim_lapic_word(apic->isr, off, MSHV_SIM_APIC_ISR);
	if (off >= MSHV_SIM_APIC_TMR && off < MSHV_SIM_APIC_IRR)
		return mshv_sim_lapic_word(apic->tmr, off, MSHV_SIM_APIC_TMR);
	if (off >= MSHV_SIM_APIC_IRR && off < MSHV_SIM_APIC_IRR + 0x80)
		return mshv_sim_lapic_word(apic->irr, off, MSHV_SIM_APIC_IRR);
	switch (off) {
	case MSHV_SIM_APIC_ID:
		return x2apic ? vp->index : vp->index << 24;
	case MSHV_SIM_APIC_LVR:
		return MSHV_SIM_APIC_VERSION;
	case MSHV_SIM_APIC_TPR:
		return mshv_sim_lapic_tpr(vp);
	case MSHV_SIM_APIC_PPR:
		return mshv_sim_lapic_ppr(vp);
	case MSHV_SIM_APIC_LDR:
		return mshv_sim_lapic_ldr(vp);
	case MSHV_SIM_APIC_DFR:
		return x2apic ? 0 : apic->dfr;
	case MSHV_SIM_APIC_SVR:
		return apic->svr;
	case MSHV_SIM_APIC_ICR:
		return apic->icr_low;
	case MSHV_SIM_APIC_ICR2:
		return x2apic ? 0 : apic->icr_high;
	default:
		return 0;
	}
}

/*
 * Write the 32-bit register at xAPIC offset @off (@high: bits 63:32 of an
 * x2APIC ICR write). Read-only and unimplemented registers ignore it.
 */
static void mshv_sim_lapic_write(struct mshv_sim_vp *vp, u32 off, u32 val,
				 u32 high)
{
	struct mshv_sim_lapic *apic = &vp->lapic;
	bool x2apic = mshv_sim_lapic_x2apic(vp);

	switch (off) {
	case MSHV_SIM_APIC_TPR:
		mshv_sim_lapic_set_tpr(vp, val);
		break;
	case MSHV_SIM_APIC_EOI:
		mshv_sim_lapic_eoi(vp);
		break;
	case MSHV_SIM_APIC_LDR:
		if (!x2apic)
			apic->ldr = val & GENMASK(31, 24);
		break;
	case MSHV_SIM_APIC_DFR:
		if (!x2apic)
			apic->dfr = val | GENMASK(27, 0);
		break;
	case MSHV_SIM_APIC_SVR:
		apic->svr = val & MSHV_SIM_APIC_SVR_MASK;
		break;
	case MSHV_SIM_APIC_ICR:
		apic->icr_low = val & MSHV_SIM_ICR_LOW_MASK;
		if (x2apic)
			apic->icr_high = high;
		mshv_sim_lapic_ipi(vp, apic->icr_low,
				   x2apic ? high : apic->icr_high >> 24);
		break;
	case MSHV_SIM_APIC_ICR2:
		if (!x2apic)
			apic->icr_high = val & GENMASK(31, 24);
		break;
	case MSHV_SIM_APIC_SELF_IPI:
		if (x2apic)
			mshv_sim_lapic_accept(vp, val & 0xff, false);
		break;
	}
}

/**
 * mshv_sim_lapic_mmio() - a guest access to physical memory that may hit
 *	the xAPIC page
 * @vp: the VP
 * @gpa: the address
 * @buf: the data read or written
 * @len: its length (the access never crosses a page)
 * @write: a write
 *
 * While the APIC is enabled in xAPIC mode, the page at IA32_APIC_BASE is
 * the APIC's: a read returns the bytes of the 32-bit register at the
 * 16-byte aligned offset (bytes past it read 0), and only an aligned
 * 32-bit write changes a register. The SLAT is not consulted.
 *
 * Return: true if the access was the APIC's and is done.
 */
bool mshv_sim_lapic_mmio(struct mshv_sim_vp *vp, u64 gpa, void *buf, u32 len,
			 bool write)
{
	u64 base = vp->apic_base & MSR_IA32_APICBASE_BASE;
	u32 off = gpa - base, reg, val, part;
	u8 bytes[16] = {};
	u8 *data = buf;

	if (!mshv_sim_lapic_active(vp) ||
	    !(vp->apic_base & MSR_IA32_APICBASE_ENABLE) ||
	    mshv_sim_lapic_x2apic(vp) ||
	    gpa < base || gpa >= base + MSHV_SIM_APIC_PAGE)
		return false;
	reg = off & ~0xf;
	if (write) {
		if (len == sizeof(val) && !(off & 0xf)) {
			memcpy(&val, buf, sizeof(val));
			mshv_sim_lapic_write(vp, reg, val, 0);
		}
		return true;
	}
	val = mshv_sim_lapic_read(vp, reg);
	memcpy(bytes, &val, sizeof(val));
	part = min_t(u32, len, sizeof(bytes) - (off & 0xf));
	memcpy(data, bytes + (off & 0xf), part);
	memset(data + part, 0, len - part);
	return true;
}

/**
 * mshv_sim_lapic_set_base() - write IA32_APIC_BASE
 * @vp: the VP
 * @value: the new value
 *
 * The x2APIC enable bit needs an x2APIC-capable partition and the APIC
 * enabled, and the reserved bits stay clear.
 *
 * Return: 0, or -EINVAL if @value is refused.
 */
int mshv_sim_lapic_set_base(struct mshv_sim_vp *vp, u64 value)
{
	u64 allowed = MSR_IA32_APICBASE_BASE | MSR_IA32_APICBASE_ENABLE |
		      MSR_IA32_APICBASE_BSP | X2APIC_ENABLE;

	if (value & ~allowed & GENMASK_ULL(51, 0))
		return -EINVAL;
	if (value & GENMASK_ULL(63, 52))
		return -EINVAL;
	if ((value & X2APIC_ENABLE) &&
	    (!(vp->pt->flags & HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE) ||
	     !(value & MSR_IA32_APICBASE_ENABLE)))
		return -EINVAL;
	vp->apic_base = value;
	return 0;
}

/**
 * mshv_sim_lapic_msr() - RDMSR or WRMSR of an APIC MSR
 * @vp: the VP
 * @index: the MSR
 * @write: WRMSR
 * @value: the value written, or where the value read goes
 *
 * Handles IA32_APIC_BASE and, in x2APIC mode, MSRs 0x800-0x8ff (the ICR
 * is one 64-bit MSR there). Only for VPs with a local APIC.
 *
 * Return: 0 if done, -EINVAL if the access raises #GP, -ENOENT if the
 * MSR is not the APIC's (the caller handles it as before).
 */
int mshv_sim_lapic_msr(struct mshv_sim_vp *vp, u32 index, bool write,
		       u64 *value)
{
	u32 off;

	if (!mshv_sim_lapic_active(vp))
		return -ENOENT;
	if (index == MSR_IA32_APICBASE) {
		if (write)
			return mshv_sim_lapic_set_base(vp, *value);
		*value = vp->apic_base;
		return 0;
	}
	if (index < MSHV_SIM_X2APIC_MSR_FIRST ||
	    index > MSHV_SIM_X2APIC_MSR_LAST || !mshv_sim_lapic_x2apic(vp))
		return -ENOENT;
	off = (index - MSHV_SIM_X2APIC_MSR_FIRST) << 4;
	if (write)
		mshv_sim_lapic_write(vp, off, *value, *value >> 32);
	else if (off == MSHV_SIM_APIC_ICR)
		*value = (u64)vp->lapic.icr_high << 32 | vp->lapic.icr_low;
	else
		*value = mshv_sim_lapic_read(vp, off);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_lapic_msr);

/**
 * mshv_sim_lapic_save() - show @vp's local APIC in an HvGetVpState page
 * @vp: the VP
 * @state: the LAPIC state page, already holding what HvSetVpState last
 *	stored (or the reset values)
 *
 * Overwrites the registers the simulator models with their live values:
 * id, version, LDR, DFR, SVR, ISR, TMR, IRR and ICR.
 */
void mshv_sim_lapic_save(struct mshv_sim_vp *vp,
			 struct hv_local_interrupt_controller_state *state)
{
	struct mshv_sim_lapic *apic = &vp->lapic;
	unsigned int i;

	if (!mshv_sim_lapic_active(vp))
		return;
	state->apic_id = mshv_sim_lapic_read(vp, MSHV_SIM_APIC_ID);
	state->apic_version = MSHV_SIM_APIC_VERSION;
	state->apic_ldr = mshv_sim_lapic_ldr(vp);
	state->apic_dfr = apic->dfr;
	state->apic_spurious = apic->svr;
	for (i = 0; i < ARRAY_SIZE(state->apic_isr); i++) {
		state->apic_isr[i] = bitmap_read(apic->isr, i * 32, 32);
		state->apic_tmr[i] = bitmap_read(apic->tmr, i * 32, 32);
		state->apic_irr[i] = bitmap_read(apic->irr, i * 32, 32);
	}
	state->apic_icr_low = apic->icr_low;
	state->apic_icr_high = apic->icr_high;
}

/**
 * mshv_sim_lapic_restore() - load @vp's local APIC from an HvSetVpState
 *	page
 * @vp: the VP
 * @state: the LAPIC state page
 *
 * Takes the LDR, DFR, SVR, ISR, TMR, IRR and ICR (the id and version are
 * the simulator's); vectors 0-15 stay clear. A halted VP wakes if an
 * interrupt became deliverable.
 */
void mshv_sim_lapic_restore(struct mshv_sim_vp *vp,
			    const struct hv_local_interrupt_controller_state *state)
{
	struct mshv_sim_lapic *apic = &vp->lapic;
	unsigned int i;

	if (!mshv_sim_lapic_active(vp))
		return;
	apic->ldr = state->apic_ldr & GENMASK(31, 24);
	apic->dfr = state->apic_dfr | GENMASK(27, 0);
	apic->svr = state->apic_spurious & MSHV_SIM_APIC_SVR_MASK;
	for (i = 0; i < ARRAY_SIZE(state->apic_isr); i++) {
		bitmap_write(apic->isr, state->apic_isr[i], i * 32, 32);
		bitmap_write(apic->tmr, state->apic_tmr[i], i * 32, 32);
		bitmap_write(apic->irr, state->apic_irr[i], i * 32, 32);
	}
	bitmap_clear(apic->isr, 0, MSHV_SIM_APIC_FIRST_VECTOR);
	bitmap_clear(apic->tmr, 0, MSHV_SIM_APIC_FIRST_VECTOR);
	bitmap_clear(apic->irr, 0, MSHV_SIM_APIC_FIRST_VECTOR);
	apic->icr_low = state->apic_icr_low & MSHV_SIM_ICR_LOW_MASK;
	apic->icr_high = state->apic_icr_high;
	mshv_sim_lapic_wake(vp);
}
