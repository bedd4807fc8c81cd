// SPDX-License-Identifier: GPL-2.0
/*
 * CPUID of the VPs of mshv_sim's child partitions: what a guest's CPUID
 * instruction returns, and HvGetVpCpuidValues, which reports the same.
 *
 * The answer is built in three layers: the simulated processor's base
 * leaves (mshv_sim_cpuid() in vp.c), then the processor features of the
 * partition (those the simulator supports less those its parent disabled
 * at creation, see mshv_sim_processor_features()), then the results the
 * parent registered with HvRegisterInterceptResult: in each register, the
 * bits set in a result's mask are replaced by the result's bits. Results
 * for any VP (kept with the partition) apply before those for the VP
 * itself (kept with the VP), and results for a whole leaf before those
 * for one subleaf, so the most specific one wins.
 *
 * Everything here runs with sim->lock held and IRQs disabled.
 */
#include <linux/bits.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

/* CPUID feature bits the processor features bring in. */
#define MSHV_SIM_CPUID7_EBX_SMEP	BIT(7)
#define MSHV_SIM_CPUID7_EBX_SMAP	BIT(20)
#define MSHV_SIM_CPUID7_ECX_LA57	BIT(16)
#define MSHV_SIM_CPUID_EXT1_ECX_LAHF	BIT(0)
#define MSHV_SIM_CPUID_EXT1_EDX_1GB	BIT(26)

/* HvGetVpCpuidValues flags the simulator knows. */
#define MSHV_SIM_CPUID_VALUES_FLAGS				\
	(HV_GET_VP_CPUID_VALUES_USE_VP_XFEM_XSS |		\
	 HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES)

enum { MSHV_EAX, MSHV_EBX, MSHV_ECX, MSHV_EDX };

/* The leaves the partition's processor features decide. */
static void mshv_sim_cpuid_features(const struct mshv_sim_partition *pt,
				    u32 leaf, u32 subleaf, u32 regs[4])
{
	u64 bank0 = mshv_sim_processor_features(pt, 0);
	u64 bank1 = mshv_sim_processor_features(pt, 1);

	switch (leaf) {
	case 0:
		/* Leaf 7 exists. */
		regs[MSHV_EAX] = max(regs[MSHV_EAX], 7U);
		break;
	case 7:
		memset(regs, 0, 4 * sizeof(u32));
		if (subleaf)
			break;
		if (bank0 & HV_X64_PROC_FEATURE0_SMEP)
			regs[MSHV_EBX] |= MSHV_SIM_CPUID7_EBX_SMEP;
		if (bank0 & HV_X64_PROC_FEATURE0_SMAP)
			regs[MSHV_EBX] |= MSHV_SIM_CPUID7_EBX_SMAP;
		if (bank1 & HV_X64_PROC_FEATURE1_LA57)
			regs[MSHV_ECX] |= MSHV_SIM_CPUID7_ECX_LA57;
		break;
	case 0x80000001:
		if (bank0 & HV_X64_PROC_FEATURE0_LAHF_SAHF)
			regs[MSHV_ECX] |= MSHV_SIM_CPUID_EXT1_ECX_LAHF;
		if (bank0 & HV_X64_PROC_FEATURE0_PAGE_1GB)
			regs[MSHV_EDX] |= MSHV_SIM_CPUID_EXT1_EDX_1GB;
		break;
	}
}

static bool mshv_sim_cpuid_result_matches(const struct mshv_sim_cpuid_result *r,
					  u32 leaf, u32 subleaf)
{
	return r->leaf == leaf && (!r->subleaf_specific || r->subleaf == subleaf);
}

/* Apply the results of @table (@nr of them) of the subleaf kind. */
static void mshv_sim_cpuid_apply(const struct mshv_sim_cpuid_result *table,
				 unsigned int nr, bool subleaf_specific,
				 u32 leaf, u32 subleaf, u32 regs[4])
{
	const struct mshv_sim_cpuid_result *r;
	unsigned int i, j;

	for (i = 0; i < nr; i++) {
		r = &table[i];
		if (r->subleaf_specific != subleaf_specific ||
		    !mshv_sim_cpuid_result_matches(r, leaf, subleaf))
			continue;
		for (j = 0; j < 4; j++)
			regs[j] = (regs[j] & ~r->mask[j]) |
				  (r->value[j] & r->mask[j]);
	}
}

/**
 * mshv_sim_vp_cpuid_values() - what CPUID returns on a VP
 * @vp: the VP
 * @leaf: EAX
 * @subleaf: ECX
 * @registered: apply the results registered with HvRegisterInterceptResult
 * @regs: set to EAX, EBX, ECX and EDX
 *
 * Context: sim->lock held.
 */
void mshv_sim_vp_cpuid_values(const struct mshv_sim_vp *vp, u32 leaf,
			      u32 subleaf, bool registered, u32 regs[4])
{
	const struct mshv_sim_partition *pt = vp->pt;

	mshv_sim_cpuid(vp, leaf, &regs[MSHV_EAX], &regs[MSHV_EBX],
		       &regs[MSHV_ECX], &regs[MSHV_EDX]);
	mshv_sim_cpuid_features(pt, leaf, subleaf, regs);
	if (!registered)
		return;
	mshv_sim_cpuid_apply(pt->cpuid_results, pt->nr_cpuid_results, false,
			     leaf, subleaf, regs);
	mshv_sim_cpuid_apply(pt->cpuid_results, pt->nr_cpuid_results, true,
			     leaf, subleaf, regs);
	mshv_sim_cpuid_apply(vp->cpuid.results, vp->cpuid.nr, false, leaf,
			     subleaf, regs);
	mshv_sim_cpuid_apply(vp->cpuid.results, vp->cpuid.nr, true, leaf,
			     subleaf, regs);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_vp_cpuid_values);

/* The entry of @table (@nr used) a result for the same leaf replaces. */
static struct mshv_sim_cpuid_result *
mshv_sim_cpuid_find(struct mshv_sim_cpuid_result *table, unsigned int nr,
		    const struct mshv_sim_cpuid_result *want)
{
	struct mshv_sim_cpuid_result *r;
	unsigned int i;

	for (i = 0; i < nr; i++) {
		r = &table[i];
		if (r->leaf == want->leaf &&
		    r->subleaf_specific == want->subleaf_specific &&
		    (!r->subleaf_specific || r->subleaf == want->subleaf))
			return r;
	}
	return NULL;
}

/* Entries a VP's table grows by. */
#define MSHV_SIM_CPUID_TABLE_STEP	32

/*
 * Where @new goes: the entry it replaces, else a new one of the
 * partition's table (HV_ANY_VP) or of @vp's, which grows as needed.
 */
static u16 mshv_sim_cpuid_slot(struct mshv_sim_partition *pt,
			       struct mshv_sim_vp *vp,
			       const struct mshv_sim_cpuid_result *new,
			       struct mshv_sim_cpuid_result **slot)
{
	struct mshv_sim_cpuid_table *t;
	struct mshv_sim_cpuid_result *grown;

	if (!vp) {
		*slot = mshv_sim_cpuid_find(pt->cpuid_results,
					    pt->nr_cpuid_results, new);
		if (*slot)
			return HV_STATUS_SUCCESS;
		if (pt->nr_cpuid_results == MSHV_SIM_MAX_CPUID_RESULTS)
			return HV_STATUS_INSUFFICIENT_BUFFERS;
		*slot = &pt->cpuid_results[pt->nr_cpuid_results++];
		return HV_STATUS_SUCCESS;
	}

	t = &vp->cpuid;
	*slot = mshv_sim_cpuid_find(t->results, t->nr, new);
	if (*slot)
		return HV_STATUS_SUCCESS;
	if (t->nr == MSHV_SIM_MAX_CPUID_RESULTS)
		return HV_STATUS_INSUFFICIENT_BUFFERS;
	if (t->nr == t->size) {
		grown = krealloc_array(t->results,
				       t->size + MSHV_SIM_CPUID_TABLE_STEP,
				       sizeof(*grown), GFP_ATOMIC);
		if (!grown)
			return HV_STATUS_NO_RESOURCES;
		t->results = grown;
		t->size += MSHV_SIM_CPUID_TABLE_STEP;
	}
	*slot = &t->results[t->nr++];
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_register_intercept_result() - HvRegisterInterceptResult
 * @sim: the instance
 * @call: the decoded call
 *
 * Only CPUID results are simulated (HV_INTERCEPT_TYPE_X64_CPUID); other
 * types are refused with HV_STATUS_INVALID_PARAMETER, as are flags other
 * than 0 or 1 and non-zero padding. The result is for one VP, which must
 * exist, or for every VP (HV_ANY_VP): as on Hyper-V, where the input names
 * the VP, the results are kept per VP, and those for every VP with the
 * partition. A result for the same VP, leaf and subleaf replaces the
 * earlier one; each VP, and the partition, keeps at most
 * MSHV_SIM_MAX_CPUID_RESULTS (HV_STATUS_INSUFFICIENT_BUFFERS beyond;
 * HV_STATUS_NO_RESOURCES if the simulator cannot allocate a VP's table).
 * It shapes what the guest's CPUID returns and the default result of a
 * CPUID intercept.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_register_intercept_result(struct mshv_sim *sim,
				       struct mshv_sim_call *call)
{
	const struct hv_input_register_intercept_result *in = call->in;
	const struct hv_register_x64_cpuid_result_parameters *p =
		&in->parameters.cpuid;
	struct mshv_sim_cpuid_result nr = {}, *slot;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp = NULL;
	u16 status;

	pt = mshv_sim_find(sim, in->partition_id, false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (in->vp_index != HV_ANY_VP) {
		status = mshv_sim_target_vp(sim, in->partition_id,
					    in->vp_index, &pt, &vp);
		if (status)
			return status;
	}
	if (in->intercept_type != HV_INTERCEPT_TYPE_X64_CPUID ||
	    p->input.subleaf_specific > 1 || p->input.always_override > 1 ||
	    p->input.padding)
		return HV_STATUS_INVALID_PARAMETER;

	nr.vp_index = in->vp_index;
	nr.leaf = p->input.eax;
	nr.subleaf_specific = p->input.subleaf_specific;
	nr.subleaf = nr.subleaf_specific ? p->input.ecx : 0;
	nr.always_override = p->input.always_override;
	nr.value[MSHV_EAX] = p->result.eax;
	nr.mask[MSHV_EAX] = p->result.eax_mask;
	nr.value[MSHV_EBX] = p->result.ebx;
	nr.mask[MSHV_EBX] = p->result.ebx_mask;
	nr.value[MSHV_ECX] = p->result.ecx;
	nr.mask[MSHV_ECX] = p->result.ecx_mask;
	nr.value[MSHV_EDX] = p->result.edx;
	nr.mask[MSHV_EDX] = p->result.edx_mask;

	status = mshv_sim_cpuid_slot(pt, vp, &nr, &slot);
	if (status)
		return status;
	*slot = nr;
	return HV_STATUS_SUCCESS;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_register_intercept_result);

/**
 * mshv_sim_get_vp_cpuid_values() - HvGetVpCpuidValues
 * @sim: the instance
 * @call: the decoded call
 *
 * One leaf per rep, answered as the VP's CPUID would answer it, with the
 * registered results only if the flags ask for them. The XSAVE state
 * component values (xfem, xss) only matter to leaf 0xD, which the
 * simulated processor does not have: they are not looked at.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result; @call->reps_done counts the leaves answered.
 */
u16 mshv_sim_get_vp_cpuid_values(struct mshv_sim *sim,
				 struct mshv_sim_call *call)
{
	const struct hv_input_get_vp_cpuid_values *in = call->in;
	struct hv_output_get_vp_cpuid_values *out = call->out;
	const struct hv_cpuid_leaf_info *leaf;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	unsigned int i, end;
	u32 regs[4];
	u16 status;

	status = mshv_sim_target_vp(sim, in->partition_id, in->vp_index, &pt,
				    &vp);
	if (status)
		return status;
	if ((in->flags & ~MSHV_SIM_CPUID_VALUES_FLAGS) || in->reserved ||
	    in->padding)
		return HV_STATUS_INVALID_PARAMETER;

	end = mshv_sim_rep_end(sim, call);
	for (i = call->rep_start; i < end; i++) {
		leaf = &in->cpuid_leaf_info[i];
		mshv_sim_vp_cpuid_values(vp, leaf->eax, leaf->ecx,
					 in->flags &
					 HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED_VALUES,
					 regs);
		out[i].eax = regs[MSHV_EAX];
		out[i].ebx = regs[MSHV_EBX];
		out[i].ecx = regs[MSHV_ECX];
		out[i].edx = regs[MSHV_EDX];
		call->reps_done++;
	}
	return HV_STATUS_SUCCESS;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_get_vp_cpuid_values);
