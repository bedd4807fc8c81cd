// SPDX-License-Identifier: GPL-2.0
/*
 * The synthetic timers of mshv_sim's VPs (TLFS, "Synthetic Timers").
 *
 * Each VP has four, STIMER0-3, each a configuration and a count register
 * (HV_REGISTER_STIMERn_CONFIG/COUNT, which the guest reaches as MSRs).
 * The count is in 100 ns units of the partition's reference time: the
 * absolute expiration time of a one-shot timer, the period of a periodic
 * one, which first expires a period after it was enabled. Writing a
 * non-zero count to a timer with auto_enable set enables it; writing zero
 * disables it, as does enabling a timer that has neither direct mode nor
 * a SINT. An expired timer, in direct mode, asserts its APIC vector in
 * the VP's local APIC (fixed, edge-triggered); otherwise it puts an
 * HVMSG_TIMER_EXPIRED message (the timer's index, its expiration time and
 * the time of delivery) into its SINT's slot of the VP's SIM page and
 * raises the SINT. A slot that still holds a message gets its
 * message-pending flag, and the timer's message waits in the timer
 * (undelivered_msg_pending) until the guest's end of message, or the next
 * dispatch, finds the slot free; later expirations of a timer whose
 * message waits are lost. A one-shot timer is disabled when it expires; a
 * periodic one expires again a period later (a period after now if it
 * fell behind, lazy or not).
 *
 * Time stands still in a frozen partition (TIME_FREEZE): its timers do
 * not expire meanwhile. One hrtimer per instance, at the earliest
 * expiration of all timers, notices expiry while no VP runs and so wakes
 * a VP halted in the hypervisor (the interrupt it gets ends the halt and
 * signals the root, as any interrupt does); a dispatch also looks for
 * expired timers before it runs a VP.
 *
 * Called with sim->lock held, except the hrtimer's callback and
 * mshv_sim_stimer_stop().
 */
#include <linux/bitfield.h>
#include <linux/hrtimer.h>
#include <linux/string.h>
#include <asm/hyperv-tlfs.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

#define MSHV_SIM_STIMER_ENABLE		BIT_ULL(0)
#define MSHV_SIM_STIMER_PERIODIC	BIT_ULL(1)
#define MSHV_SIM_STIMER_AUTO_ENABLE	BIT_ULL(3)
#define MSHV_SIM_STIMER_VECTOR		GENMASK_ULL(11, 4)
#define MSHV_SIM_STIMER_DIRECT		BIT_ULL(12)
#define MSHV_SIM_STIMER_SINTX		GENMASK_ULL(19, 16)
/* struct hv_stimer_state.flags: an expiration message waits for its slot */
#define MSHV_SIM_STIMER_UNDELIVERED	BIT(0)

/* A timer that can expire: enabled with a non-zero count. */
static bool mshv_sim_stimer_armed(const struct hv_stimer_state *t)
{
	return (t->config & MSHV_SIM_STIMER_ENABLE) && t->count;
}

/*
 * Start timer @n of @vp from now: its next expiration is its count
 * (one-shot) or a period from now (periodic).
 */
static void mshv_sim_stimer_start(struct mshv_sim_vp *vp, unsigned int n)
{
	struct hv_stimer_state *t = &vp->stimers.timers[n];

	if (!mshv_sim_stimer_armed(t))
		return;
	vp->stimer_expiry[n] = t->count;
	if (t->config & MSHV_SIM_STIMER_PERIODIC)
		vp->stimer_expiry[n] += mshv_sim_reference_time(vp->pt);
}

/**
 * mshv_sim_stimer_write() - a timer register of @vp was written
 * @vp: the VP
 * @name: HV_REGISTER_STIMERn_CONFIG or _COUNT
 *
 * Applies the side effects of the write (auto-enable, disable) and
 * restarts the timer.
 */
void mshv_sim_stimer_write(struct mshv_sim_vp *vp, u32 name)
{
	unsigned int n = (name - HV_REGISTER_STIMER0_CONFIG) / 2;
	struct hv_stimer_state *t = &vp->stimers.timers[n];

	if (name & 1) {
		if (!t->count)
			t->config &= ~MSHV_SIM_STIMER_ENABLE;
		else if (t->config & MSHV_SIM_STIMER_AUTO_ENABLE)
			t->config |= MSHV_SIM_STIMER_ENABLE;
	} else if (!(t->config & MSHV_SIM_STIMER_DIRECT) &&
		   !FIELD_GET(MSHV_SIM_STIMER_SINTX, t->config)) {
		t->config &= ~MSHV_SIM_STIMER_ENABLE;
	}
	t->flags &= ~MSHV_SIM_STIMER_UNDELIVERED;
	mshv_sim_stimer_start(vp, n);
	mshv_sim_stimer_rearm(vp->sim);
}

/**
 * mshv_sim_stimer_restart() - @vp's timers were replaced (HvSetVpState)
 * @vp: the VP
 */
void mshv_sim_stimer_restart(struct mshv_sim_vp *vp)
{
	unsigned int n;

	for (n = 0; n < HV_SYNIC_STIMER_COUNT; n++)
		mshv_sim_stimer_start(vp, n);
	mshv_sim_stimer_rearm(vp->sim);
}

/*
 * Put timer @n's expiration message into its SINT's slot of @vp's SIM
 * page. Return false if the slot is busy (its message-pending flag is
 * then set).
 */
static bool mshv_sim_stimer_post(struct mshv_sim_vp *vp, unsigned int n,
				 u64 expiration)
{
	struct hv_stimer_state *t = &vp->stimers.timers[n];
	u32 sint = FIELD_GET(MSHV_SIM_STIMER_SINTX, t->config);
	struct hv_timer_message_payload payload = {
		.timer_index = n,
		.expiration_time = expiration,
		.delivery_time = mshv_sim_reference_time(vp->pt),
	};
	struct hv_message *slot;
	u8 *page;

	page = mshv_sim_vp_synic_page(vp, MSHV_SIM_VP_STATE_SIMP);
	if (!page)
		return false;
	slot = (struct hv_message *)page + sint;
	if (slot->header.message_type != HVMSG_NONE) {
		slot->header.message_flags.msg_pending = 1;
		return false;
	}
	memset(slot, 0, sizeof(*slot));
	slot->header.payload_size = sizeof(payload);
	memcpy(slot->u.payload, &payload, sizeof(payload));
	/* The type last: it tells the guest the slot is full. */
	slot->header.message_type = HVMSG_TIMER_EXPIRED;
	mshv_sim_vp_sint_raise(vp, sint, vp->msrs.simp);
	return true;
}

/* Timer @n of @vp expired at @expiration: deliver it. */
static void mshv_sim_stimer_fire(struct mshv_sim_vp *vp, unsigned int n,
				 u64 expiration)
{
	struct hv_stimer_state *t = &vp->stimers.timers[n];

	if (t->config & MSHV_SIM_STIMER_DIRECT) {
		mshv_sim_lapic_accept(vp, FIELD_GET(MSHV_SIM_STIMER_VECTOR,
						    t->config), false);
		return;
	}
	if (t->flags & MSHV_SIM_STIMER_UNDELIVERED)
		return;		/* the waiting message stands for this one */
	if (!mshv_sim_stimer_post(vp, n, expiration)) {
		t->flags |= MSHV_SIM_STIMER_UNDELIVERED;
		t->undelivered_exp_time = expiration;
	}
}

/**
 * mshv_sim_stimer_poll() - deliver what @vp's timers have for it now
 * @vp: the VP
 *
 * Fires the timers whose expiration time has come, and delivers the
 * messages that waited for a free slot. Called before a dispatch runs
 * the VP, when the guest ends a message (EOM), and by the instance's
 * hrtimer.
 *
 * Return: the reference time of the VP's next expiration, or U64_MAX.
 */
u64 mshv_sim_stimer_poll(struct mshv_sim_vp *vp)
{
	u64 now, next = U64_MAX;
	struct hv_stimer_state *t;
	unsigned int n;

	if (vp->pt->time_frozen)
		return U64_MAX;
	now = mshv_sim_reference_time(vp->pt);
	for (n = 0; n < HV_SYNIC_STIMER_COUNT; n++) {
		t = &vp->stimers.timers[n];
		if ((t->flags & MSHV_SIM_STIMER_UNDELIVERED) &&
		    mshv_sim_stimer_post(vp, n, t->undelivered_exp_time))
			t->flags &= ~MSHV_SIM_STIMER_UNDELIVERED;
		if (!mshv_sim_stimer_armed(t))
			continue;
		if (vp->stimer_expiry[n] <= now) {
			mshv_sim_stimer_fire(vp, n, vp->stimer_expiry[n]);
			if (t->config & MSHV_SIM_STIMER_PERIODIC) {
				vp->stimer_expiry[n] += t->count;
				if (vp->stimer_expiry[n] <= now)
					vp->stimer_expiry[n] = now + t->count;
			} else {
				t->config &= ~MSHV_SIM_STIMER_ENABLE;
				continue;
			}
		}
		next = min(next, vp->stimer_expiry[n]);
	}
	return next;
}

/*
 * Fire every expired timer of every VP, and return when the next one
 * expires (0: none does).
 */
static ktime_t mshv_sim_stimer_scan(struct mshv_sim *sim)
{
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	unsigned long id, index;
	u64 next, first = U64_MAX;

	xa_for_each(&sim->partitions, id, pt) {
		if (pt->state != MSHV_SIM_PT_INITIALIZED)
			continue;
		xa_for_each(&pt->vps, index, vp) {
			next = mshv_sim_stimer_poll(vp);
			if (next == U64_MAX)
				continue;
			/* The reference time runs from ref_time_base_ns. */
			next = pt->ref_time_base_ns + next * 100;
			first = min(first, next);
		}
	}
	return first == U64_MAX ? 0 : ns_to_ktime(first);
}

/**
 * mshv_sim_stimer_rearm() - set the instance's hrtimer to the earliest
 *	expiration of all timers
 * @sim: the instance
 *
 * Called when a timer changed, a partition froze or thawed, or its
 * reference time was set. Timers already expired fire now.
 */
void mshv_sim_stimer_rearm(struct mshv_sim *sim)
{
	ktime_t first = mshv_sim_stimer_scan(sim);

	if (first)
		hrtimer_start(&sim->stimer, first, HRTIMER_MODE_ABS);
	else
		hrtimer_try_to_cancel(&sim->stimer);
}

static enum hrtimer_restart mshv_sim_stimer_expired(struct hrtimer *timer)
{
	struct mshv_sim *sim = container_of(timer, struct mshv_sim, stimer);
	unsigned long flags;
	ktime_t first;

	spin_lock_irqsave(&sim->lock, flags);
	first = mshv_sim_stimer_scan(sim);
	/*
	 * A rearm on another CPU, while this callback waited for the lock,
	 * queued the timer again: its expiry must not change under the
	 * queue, and it is no later than anything this scan found.
	 */
	if (hrtimer_is_queued(timer))
		first = 0;
	if (first)
		hrtimer_set_expires(timer, first);
	spin_unlock_irqrestore(&sim->lock, flags);
	return first ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

/**
 * mshv_sim_stimer_init() - prepare the instance's hrtimer
 * @sim: the instance
 */
void mshv_sim_stimer_init(struct mshv_sim *sim)
{
	hrtimer_init(&sim->stimer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	sim->stimer.function = mshv_sim_stimer_expired;
}

/**
 * mshv_sim_stimer_stop() - stop the instance's hrtimer for good
 * @sim: the instance, which no hypercall uses any more
 *
 * Context: process context, sim->lock not held.
 */
void mshv_sim_stimer_stop(struct mshv_sim *sim)
{
	hrtimer_cancel(&sim->stimer);
}
