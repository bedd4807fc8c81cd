// SPDX-License-Identifier: GPL-2.0
/*
 * What a child partition's VP sees of the hypervisor's synthetic
 * interface, and the root's direct access to its SynIC.
 *
 * The enlightenments follow the synthetic processor features the parent
 * set (HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES): CPUID leaf
 * 0x40000001 says "Hv#1" with the hv1 feature, leaf 0x40000003 reports the
 * privileges the access_* features grant, and the guest's RDMSR and WRMSR
 * reach the synthetic MSRs of those privileges (guest OS id, hypercall,
 * VP index, reference counter and TSC page, SynIC, synthetic timers),
 * which are registers of the VP's register file. The hypercall page and
 * the reference TSC page are written, and the synthetic timers fire
 * (stimer.c). The guest's hypercalls reach no hypercall: each gets
 * HV_STATUS_INVALID_HYPERCALL_CODE.
 *
 * The SynIC's two pages, the synthetic interrupt event flags page (SIEF,
 * 16 SINTs x 2048 flags) and the synthetic interrupt message page (SIM,
 * one 256-byte slot per SINT), are the very pages HvGetVpState and
 * HvSetVpState transfer (HV_GET_SET_VP_STATE_SIEF_PAGE, _SIM_PAGE), and
 * the targets of HvSignalEventDirect and HvPostMessageDirect. Once the
 * guest enables SIMP or SIEFP, the page overlays guest memory at the GPA
 * the register names, as on Hyper-V: the guest's accesses there reach it.
 * A message or newly set event flag raises the SINT's vector in the
 * guest's local APIC when the guest enabled its SynIC (SCONTROL), the page
 * and the SINT (unmasked, not polled); the root may post and signal
 * whether or not it did. Auto-EOI is not modelled, nor is the
 * message-pending redelivery on EOM, but for the synthetic timers'
 * messages.
 *
 * Everything here runs with sim->lock held and IRQs disabled.
 */
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>
#include <asm/hyperv-tlfs.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

/* The VP's SIEF or SIM page, allocated (zeroed) on first use. */
void *mshv_sim_vp_synic_page(struct mshv_sim_vp *vp, unsigned int idx)
{
	if (!vp->state[idx])
		vp->state[idx] = kzalloc(HV_HYP_PAGE_SIZE, GFP_ATOMIC);
	return vp->state[idx];
}

/* SINTx bit 18: the guest polls the SINT, it takes no interrupt. */
#define MSHV_SIM_SINT_POLLING		BIT_ULL(18)

/*
 * Raise SINT @sint in the guest, as Hyper-V does once a message or event
 * reaches it: with the SynIC enabled (SCONTROL), the page in question
 * (@page_reg, SIMP or SIEFP) enabled and the SINT unmasked and not
 * polled, its vector goes to the local APIC as a fixed, edge-triggered
 * interrupt.
 */
void mshv_sim_vp_sint_raise(struct mshv_sim_vp *vp, u32 sint, u64 page_reg)
{
	u64 reg = vp->msrs.sint[sint];

	if (!(vp->msrs.scontrol & HV_SYNIC_CONTROL_ENABLE) || !(page_reg & 1) ||
	    (reg & (HV_SYNIC_SINT_MASKED | MSHV_SIM_SINT_POLLING)))
		return;
	mshv_sim_lapic_accept(vp, reg & HV_SYNIC_SINT_VECTOR_MASK, false);
}

/**
 * mshv_sim_signal_event_direct() - HvSignalEventDirect
 * @sim: the instance
 * @call: the decoded call
 *
 * Sets event flag @flag_number of SINT @target_sint in the VP's SIEF page
 * and reports whether it was clear before. A VTL other than 0, a SINT
 * above 15 or a flag above 2047 is HV_STATUS_INVALID_PARAMETER.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_signal_event_direct(struct mshv_sim *sim,
				 struct mshv_sim_call *call)
{
	const struct hv_input_signal_event_direct *in = call->in;
	struct hv_output_signal_event_direct *out = call->out;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	unsigned long *flags;
	u8 *page;
	u16 status;

	status = mshv_sim_target_vp(sim, in->target_partition, in->target_vp,
				    &pt, &vp);
	if (status)
		return status;
	if (in->target_vtl || in->target_sint >= HV_SYNIC_SINT_COUNT ||
	    in->flag_number >= HV_EVENT_FLAGS_COUNT)
		return HV_STATUS_INVALID_PARAMETER;

	page = mshv_sim_vp_synic_page(vp, MSHV_SIM_VP_STATE_SIEFP);
	if (!page)
		return HV_STATUS_NO_RESOURCES;
	flags = (unsigned long *)(page + in->target_sint *
				  sizeof(union hv_synic_event_flags));
	memset(out, 0, sizeof(*out));
	out->newly_signaled = !__test_and_set_bit_le(in->flag_number, flags);
	if (out->newly_signaled)
		mshv_sim_vp_sint_raise(vp, in->target_sint, vp->msrs.siefp);
	return HV_STATUS_SUCCESS;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_signal_event_direct);

/**
 * mshv_sim_post_message_direct() - HvPostMessageDirect
 * @sim: the instance
 * @call: the decoded call
 *
 * Copies the message into SINT @sint_index's slot of the VP's SIM page.
 * A slot that still holds a message (its type is not HVMSG_NONE) is busy:
 * its message-pending flag is set, so that the guest's end-of-message
 * asks for more, and the call fails with HV_STATUS_INSUFFICIENT_BUFFERS.
 * A VTL other than 0, a SINT above 15, non-zero padding, a message of
 * type HVMSG_NONE or with a payload above 240 bytes is
 * HV_STATUS_INVALID_PARAMETER.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_post_message_direct(struct mshv_sim *sim,
				 struct mshv_sim_call *call)
{
	const struct hv_input_post_message_direct *in = call->in;
	const struct hv_message *msg = (const void *)in->message;
	struct hv_message *slot;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	u8 *page;
	u16 status;

	status = mshv_sim_target_vp(sim, in->partition_id, in->vp_index, &pt,
				    &vp);
	if (status)
		return status;
	if (in->vtl || memchr_inv(in->padding, 0, sizeof(in->padding)) ||
	    in->padding2 || in->sint_index >= HV_SYNIC_SINT_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	if (msg->header.message_type == HVMSG_NONE ||
	    msg->header.payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return HV_STATUS_INVALID_PARAMETER;

	page = mshv_sim_vp_synic_page(vp, MSHV_SIM_VP_STATE_SIMP);
	if (!page)
		return HV_STATUS_NO_RESOURCES;
	slot = (struct hv_message *)page + in->sint_index;
	if (slot->header.message_type != HVMSG_NONE) {
		slot->header.message_flags.msg_pending = 1;
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	}
	memcpy(slot, msg, sizeof(*slot));
	slot->header.message_flags.msg_pending = 0;
	mshv_sim_vp_sint_raise(vp, in->sint_index, vp->msrs.simp);
	return HV_STATUS_SUCCESS;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_post_message_direct);

/* "Hv#1": the interface signature of CPUID leaf 0x40000001 EAX. */
#define MSHV_SIM_HV1_SIGNATURE		0x31237648

static u64 mshv_sim_synthetic_features(const struct mshv_sim_partition *pt)
{
	return mshv_sim_property(pt, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES);
}

/**
 * mshv_sim_hv_cpuid() - the hypervisor leaves that follow the synthetic
 *	processor features of @pt
 * @pt: the partition
 * @leaf: CPUID leaf, 0x40000001 or 0x40000003
 * @regs: EAX, EBX, ECX, EDX, as the simulated processor answered
 *
 * Leaf 0x40000001: the "Hv#1" interface with the hv1 feature. Leaf
 * 0x40000003: EAX the privileges (bits 0-11) the access_* features grant,
 * EDX direct synthetic timers (bit 19) and the frequency MSRs (bit 8).
 *
 * Context: sim->lock held.
 */
void mshv_sim_hv_cpuid(const struct mshv_sim_partition *pt, u32 leaf,
		       u32 regs[4])
{
	u64 features = mshv_sim_synthetic_features(pt);

	switch (leaf) {
	case HYPERV_CPUID_INTERFACE:
		if (features & HV_SYNTHETIC_PROC_FEATURE_HV1)
			regs[0] = MSHV_SIM_HV1_SIGNATURE;
		break;
	case HYPERV_CPUID_FEATURES:
		regs[0] = FIELD_GET(HV_SYNTHETIC_PROC_FEATURES_PRIVILEGES_LOW,
				    features) |
			  (features & HV_SYNTHETIC_PROC_FEATURES_PRIVILEGES_HIGH);
		if (features & HV_SYNTHETIC_PROC_FEATURE_DIRECT_SYNTHETIC_TIMERS)
			regs[3] |= HV_STIMER_DIRECT_MODE_AVAILABLE;
		if (features & HV_SYNTHETIC_PROC_FEATURE_ACCESS_FREQUENCY_REGS)
			regs[3] |= HV_FEATURE_FREQUENCY_MSRS_AVAILABLE;
		break;
	}
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_hv_cpuid);

/* The register of synthetic MSR @index and the feature that grants it. */
static bool mshv_sim_synthetic_msr_reg(u32 index, u32 *name, u64 *feature)
{
	if (index >= HV_X64_MSR_SINT0 && index <= HV_X64_MSR_SINT15) {
		*name = HV_REGISTER_SINT0 + index - HV_X64_MSR_SINT0;
		*feature = HV_SYNTHETIC_PROC_FEATURE_ACCESS_SYNIC_REGS;
		return true;
	}
	if (index >= HV_X64_MSR_STIMER0_CONFIG &&
	    index <= HV_X64_MSR_STIMER3_COUNT) {
		*name = HV_REGISTER_STIMER0_CONFIG + index -
			HV_X64_MSR_STIMER0_CONFIG;
		*feature = HV_SYNTHETIC_PROC_FEATURE_ACCESS_SYNTHETIC_TIMER_REGS;
		return true;
	}
	*feature = HV_SYNTHETIC_PROC_FEATURE_ACCESS_SYNIC_REGS;
	switch (index) {
	case HV_X64_MSR_SCONTROL:
		*name = HV_REGISTER_SCONTROL;
		return true;
	case HV_X64_MSR_SIEFP:
		*name = HV_REGISTER_SIEFP;
		return true;
	case HV_X64_MSR_SIMP:
		*name = HV_REGISTER_SIMP;
		return true;
	case HV_X64_MSR_EOM:
		*name = HV_REGISTER_EOM;
		return true;
	}
	*feature = HV_SYNTHETIC_PROC_FEATURE_ACCESS_HYPERCALL_REGS;
	switch (index) {
	case HV_X64_MSR_GUEST_OS_ID:
		*name = HV_REGISTER_GUEST_OS_ID;
		return true;
	case HV_X64_MSR_HYPERCALL:
		*name = HV_X64_REGISTER_HYPERCALL;
		return true;
	case HV_X64_MSR_VP_INDEX:
		*name = HV_REGISTER_VP_INDEX;
		*feature = HV_SYNTHETIC_PROC_FEATURE_ACCESS_VP_INDEX;
		return true;
	case HV_X64_MSR_REFERENCE_TSC:
		*name = HV_REGISTER_REFERENCE_TSC;
		*feature = HV_SYNTHETIC_PROC_FEATURE_ACCESS_PARTITION_REFERENCE_TSC;
		return true;
	}
	return false;
}

/**
 * mshv_sim_vp_synthetic_msr() - the guest's RDMSR or WRMSR of a synthetic
 *	MSR
 * @vp: the VP
 * @index: the MSR
 * @write: WRMSR of *@value, else RDMSR into *@value
 * @value: the value written, or where the value read goes
 *
 * The synthetic MSRs of the privileges the partition's synthetic features
 * grant are registers of @vp's register file, with their checks: a value
 * the register refuses, a write to the VP index, the reference counter or
 * SVERSION raises #GP. SVERSION reads 1 and the reference counter the
 * partition's reference time.
 *
 * Context: sim->lock held.
 * Return: 0 if done, -1 for #GP, 1 if @index is no synthetic MSR the
 * partition has.
 */
int mshv_sim_vp_synthetic_msr(struct mshv_sim_vp *vp, u32 index, bool write,
			      u64 *value)
{
	u64 features = mshv_sim_synthetic_features(vp->pt), feature;
	union hv_register_value val = {};
	u32 name;

	if (index == HV_X64_MSR_TIME_REF_COUNT ||
	    index == HV_X64_MSR_SVERSION) {
		feature = index == HV_X64_MSR_SVERSION ?
			  HV_SYNTHETIC_PROC_FEATURE_ACCESS_SYNIC_REGS :
			  HV_SYNTHETIC_PROC_FEATURE_ACCESS_PARTITION_REFERENCE_COUNTER;
		if (!(features & feature))
			return 1;
		if (write)
			return -1;
		*value = index == HV_X64_MSR_SVERSION ? HV_SYNIC_VERSION_1 :
			 mshv_sim_reference_time(vp->pt);
		return 0;
	}
	if (!mshv_sim_synthetic_msr_reg(index, &name, &feature) ||
	    !(features & feature))
		return 1;
	if (!write) {
		mshv_sim_vp_get_reg(vp, name, &val);
		*value = val.reg64;
		return 0;
	}
	if (name == HV_REGISTER_VP_INDEX)
		return -1;
	val.reg64 = *value;
	return mshv_sim_vp_set_reg(vp, name, &val) ? -1 : 0;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_vp_synthetic_msr);

/* The SynIC page overlaying guest page @gfn for @vp, if any. */
static void *mshv_sim_vp_overlay(struct mshv_sim_vp *vp, u64 gfn)
{
	const struct mshv_sim_vp_msrs *m = &vp->msrs;

	if ((m->simp & HV_SYNIC_SIMP_ENABLE) &&
	    m->simp >> HV_HYP_PAGE_SHIFT == gfn)
		return mshv_sim_vp_synic_page(vp, MSHV_SIM_VP_STATE_SIMP);
	if ((m->siefp & HV_SYNIC_SIEFP_ENABLE) &&
	    m->siefp >> HV_HYP_PAGE_SHIFT == gfn)
		return mshv_sim_vp_synic_page(vp, MSHV_SIM_VP_STATE_SIEFP);
	return NULL;
}

/**
 * mshv_sim_vp_synic_access() - a guest access to an enabled SIM or SIEF
 *	page
 * @vp: the VP
 * @gpa: the guest physical address
 * @buf: the data, read into or written from
 * @len: its length; the access stays within one page
 * @write: a write
 *
 * Context: sim->lock held.
 * Return: true if @gpa is in one of @vp's enabled SynIC pages and the
 * access was done there.
 */
bool mshv_sim_vp_synic_access(struct mshv_sim_vp *vp, u64 gpa, void *buf,
			      u32 len, bool write)
{
	u32 off = gpa & (HV_HYP_PAGE_SIZE - 1);
	u8 *page;

	if (off + len > HV_HYP_PAGE_SIZE)
		return false;
	page = mshv_sim_vp_overlay(vp, gpa >> HV_HYP_PAGE_SHIFT);
	if (!page)
		return false;
	if (write)
		memcpy(page + off, buf, len);
	else
		memcpy(buf, page + off, len);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_vp_synic_access);

/* Reference time runs at 10 MHz (100 ns units). */
#define MSHV_SIM_REF_TIME_HZ		10000000ULL

/**
 * mshv_sim_vp_ref_tsc_update() - write the reference TSC page @vp enabled
 * @vp: the VP whose HV_X64_MSR_REFERENCE_TSC (the register) was written,
 *	or whose TSC or partition's time changed
 *
 * With the enable bit set, the page at the register's GPA gets a valid
 * TLFS reference TSC page: a new non-zero tsc_sequence, and tsc_scale and
 * tsc_offset such that ((TSC * tsc_scale) >> 64) + tsc_offset is the
 * partition's reference time for the TSC this VP's RDTSC reads. While the
 * partition's time is frozen no TSC gives it, and tsc_sequence is 0
 * (HV_REFERENCE_TSC_SEQUENCE_INVALID): the guest falls back to
 * HV_X64_MSR_TIME_REF_COUNT. The page is written through the SLAT like
 * guest memory; a GPA with no RAM mapped there gets nothing.
 *
 * Context: sim->lock held.
 */
void mshv_sim_vp_ref_tsc_update(struct mshv_sim_vp *vp)
{
	struct mshv_sim_partition *pt = vp->pt;
	u64 msr = vp->msrs.reference_tsc, tsc, ref;
	struct mshv_sim_gpa_fault fault;
	struct ms_hyperv_tsc_page page = {};

	if (!(msr & HV_X64_MSR_TSC_REFERENCE_ENABLE))
		return;
	if (!pt->time_frozen) {
		/* 2^64 / (TSC ticks per 100 ns) */
		page.tsc_scale = mul_u64_u64_div_u64(1ULL << 63,
						     2 * MSHV_SIM_REF_TIME_HZ,
						     MSHV_SIM_CLOCK_FREQUENCY);
		tsc = mshv_sim_vp_tsc(vp);
		ref = mshv_sim_reference_time(pt);
		page.tsc_offset = ref - mul_u64_u64_shr(tsc, page.tsc_scale,
							64);
		/* 0 and U32_MAX mean "not valid". */
		if (++pt->ref_tsc_sequence == U32_MAX)
			pt->ref_tsc_sequence = 1;
		page.tsc_sequence = pt->ref_tsc_sequence;
	}
	mshv_sim_slat_access(pt, msr & HV_HYP_PAGE_MASK, &page, sizeof(page),
			     MSHV_SIM_ACCESS_WRITE, &fault);
}

/**
 * mshv_sim_pt_ref_tsc_update() - rewrite the reference TSC pages of @pt's
 *	VPs, after its time froze, thawed or was set
 * @pt: the partition
 *
 * Context: sim->lock held.
 */
void mshv_sim_pt_ref_tsc_update(struct mshv_sim_partition *pt)
{
	struct mshv_sim_vp *vp;
	unsigned long index;

	xa_for_each(&pt->vps, index, vp)
		mshv_sim_vp_ref_tsc_update(vp);
}

/* What the hypercall page holds on Intel processors: VMCALL; RET. */
static const u8 mshv_sim_hypercall_code[] = { 0x0f, 0x01, 0xc1, 0xc3 };

/**
 * mshv_sim_vp_hypercall_page() - write the hypercall page @vp enabled
 * @vp: the VP whose HV_X64_MSR_HYPERCALL (the register) was written
 *
 * With the enable bit set, the page at the register's GPA starts with the
 * hypercall sequence of the simulated (Intel) processor, VMCALL then RET,
 * written through the SLAT into the guest's memory; a GPA with no RAM
 * mapped gets nothing.
 *
 * Context: sim->lock held.
 */
void mshv_sim_vp_hypercall_page(struct mshv_sim_vp *vp)
{
	u64 msr = vp->msrs.hypercall;
	struct mshv_sim_gpa_fault fault;

	if (!(msr & HV_X64_MSR_HYPERCALL_ENABLE))
		return;
	mshv_sim_slat_access(vp->pt, msr & HV_HYP_PAGE_MASK,
			     (void *)mshv_sim_hypercall_code,
			     sizeof(mshv_sim_hypercall_code),
			     MSHV_SIM_ACCESS_WRITE, &fault);
}

/**
 * mshv_sim_vp_hypercall() - the guest's VMCALL
 * @vp: the VP, with RIP still at the instruction
 *
 * The input value is RCX in 64-bit mode, EDX:EAX otherwise; the result
 * value goes to RAX, or EDX:EAX. The simulator implements no hypercall
 * for guests: whatever the call code, the result is
 * HV_STATUS_INVALID_HYPERCALL_CODE with no rep completed, as Hyper-V
 * answers a code it does not know.
 *
 * Context: sim->lock held.
 */
void mshv_sim_vp_hypercall(struct mshv_sim_vp *vp)
{
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	u64 result = HV_STATUS_INVALID_HYPERCALL_CODE;

	if (mshv_sim_x86_mode(cpu) == MSHV_SIM_X86_MODE_LONG64) {
		cpu->gpr[MSHV_SIM_X86_RAX] = result;
	} else {
		cpu->gpr[MSHV_SIM_X86_RAX] = (u32)result;
		cpu->gpr[MSHV_SIM_X86_RDX] = result >> 32;
	}
}
