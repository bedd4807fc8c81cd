// SPDX-License-Identifier: GPL-2.0
/*
 * The SynIC of a child partition's VP as the root reaches it directly:
 * HvSignalEventDirect and HvPostMessageDirect.
 *
 * The simulator models a child VP's SynIC only by its two pages: the
 * synthetic interrupt event flags page (SIEF, 16 SINTs x 2048 flags) and
 * the synthetic interrupt message page (SIM, one 256-byte message slot
 * per SINT), the very pages HvGetVpState and HvSetVpState transfer
 * (HV_GET_SET_VP_STATE_SIEF_PAGE, _SIM_PAGE). The SynIC control, SIMP,
 * SIEFP and SINTx registers are not modelled: the SynIC counts as enabled
 * with every SINT unmasked, and no interrupt is raised in the guest.
 *
 * Everything here runs with sim->lock held and IRQs disabled.
 */
#include <linux/bitops.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

/* The VP's SIEF or SIM page, allocated (zeroed) on first use. */
static void *mshv_sim_vp_synic_page(struct mshv_sim_vp *vp, unsigned int idx)
{
	if (!vp->state[idx])
		vp->state[idx] = kzalloc(HV_HYP_PAGE_SIZE, GFP_ATOMIC);
	return vp->state[idx];
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
	return HV_STATUS_SUCCESS;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_post_message_direct);
