// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics pages of the simulated hypervisor: the counters Hyper-V keeps
 * for each child partition and VP, in the layout of struct hv_stats_page,
 * which the root maps with HvMapStatsPage (the hypervisor provides the
 * page and returns its frame) or HvMapStatsPage2 (the root provides a page
 * and the hypervisor overlays it), for the SELF and PARENT areas, and
 * unmaps with HvUnmapStatsPage.
 *
 * Both areas show the same counters here, the ones the simulator models:
 * for a partition its VPs, deposited pages and mapped GPA pages, updated
 * after every hypercall that names it; for a VP its dispatches, run time
 * and intercept messages by kind, updated as they happen. The hypervisor
 * and logical processor objects are not modelled.
 *
 * Everything here runs with sim->lock held.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

/* Add @delta to counter @index of every area of @obj that is mapped. */
void mshv_sim_stat_add(struct mshv_sim_stats_obj *obj, unsigned int index,
		       u64 delta)
{
	unsigned int a;

	for (a = 0; a < MSHV_SIM_STATS_AREAS; a++)
		if (obj->area[a])
			WRITE_ONCE(obj->area[a][index],
				   obj->area[a][index] + delta);
}

static void mshv_sim_stat_set(struct mshv_sim_stats_obj *obj,
			      unsigned int index, u64 value)
{
	unsigned int a;

	for (a = 0; a < MSHV_SIM_STATS_AREAS; a++)
		if (obj->area[a])
			WRITE_ONCE(obj->area[a][index], value);
}

static bool mshv_sim_stats_mapped(const struct mshv_sim_stats_obj *obj)
{
	unsigned int a;

	for (a = 0; a < MSHV_SIM_STATS_AREAS; a++)
		if (obj->area[a])
			return true;
	return false;
}

/* Write @pt's state counters into its mapped areas. */
static void mshv_sim_pt_stats_refresh(struct mshv_sim_partition *pt)
{
	struct mshv_sim_stats_obj *obj = &pt->stats;
	u64 large = pt->slat.nr_large * HV_PAGES_PER_LARGE;

	if (!mshv_sim_stats_mapped(obj))
		return;
	mshv_sim_stat_set(obj, HV_STATS_PT_VIRTUAL_PROCESSORS, pt->nr_vps);
	mshv_sim_stat_set(obj, HV_STATS_PT_DEPOSITED_PAGES, pt->pool.nr_pages);
	mshv_sim_stat_set(obj, HV_STATS_PT_GPA_PAGES, pt->slat.nr_mapped);
	mshv_sim_stat_set(obj, HV_STATS_PT_GPA_PAGES_4K,
			  pt->slat.nr_mapped - min(large, pt->slat.nr_mapped));
	mshv_sim_stat_set(obj, HV_STATS_PT_GPA_PAGES_2M, pt->slat.nr_large);
	mshv_sim_stat_set(obj, HV_STATS_PT_PARTITION_ID, pt->id);
}

/**
 * mshv_sim_stats_after_call() - update the counters a hypercall changed
 * @sim: the instance
 * @call: the call, executed or refused
 *
 * The partition a call names (its first operand) gets its counters
 * written anew; a call naming none, or one that is gone, changes nothing.
 *
 * Context: sim->lock held.
 */
void mshv_sim_stats_after_call(struct mshv_sim *sim,
			       const struct mshv_sim_call *call)
{
	struct mshv_sim_partition *pt;
	u64 id;

	if (call->fast)
		id = call->fast_input;
	else if (call->in)
		id = *(const u64 *)call->in;
	else
		return;
	pt = xa_load(&sim->partitions, id);
	if (pt)
		mshv_sim_pt_stats_refresh(pt);
}

/**
 * mshv_sim_stats_release() - free what an object's statistics hold
 * @obj: the object's statistics, of a partition or VP being deleted
 *
 * Context: sim->lock held.
 */
void mshv_sim_stats_release(struct mshv_sim_stats_obj *obj)
{
	unsigned int a;

	for (a = 0; a < MSHV_SIM_STATS_AREAS; a++) {
		if (obj->own[a])
			__free_page(obj->own[a]);
		obj->own[a] = NULL;
		obj->area[a] = NULL;
	}
}

/*
 * The object and area a statistics call names, from the input's type,
 * padding and identity, which HvMapStatsPage, HvMapStatsPage2 and
 * HvUnmapStatsPage share. Only child partitions and their VPs have
 * statistics here.
 */
static u16 mshv_sim_stats_find(struct mshv_sim *sim, u32 type, u32 padding,
			       const union hv_stats_object_identity *id,
			       struct mshv_sim_partition **ptp,
			       struct mshv_sim_stats_obj **objp,
			       unsigned int *area)
{
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;

	if (padding)
		return HV_STATUS_INVALID_PARAMETER;
	switch (type) {
	case HV_STATS_OBJECT_PARTITION:
		if (memchr_inv(id->partition.reserved, 0,
			       sizeof(id->partition.reserved)))
			return HV_STATUS_INVALID_PARAMETER;
		pt = mshv_sim_find(sim, id->partition.partition_id, false);
		if (!pt)
			return HV_STATUS_INVALID_PARTITION_ID;
		*objp = &pt->stats;
		*area = id->partition.stats_area_type;
		break;
	case HV_STATS_OBJECT_VP:
		if (id->vp.flags || id->vp.reserved)
			return HV_STATUS_INVALID_PARAMETER;
		pt = mshv_sim_find(sim, id->vp.partition_id, false);
		if (!pt)
			return HV_STATUS_INVALID_PARTITION_ID;
		vp = xa_load(&pt->vps, id->vp.vp_index);
		if (!vp)
			return HV_STATUS_INVALID_VP_INDEX;
		*objp = &vp->stats;
		*area = id->vp.stats_area_type;
		break;
	default:
		return HV_STATUS_INVALID_PARAMETER;
	}
	if (*area >= MSHV_SIM_STATS_AREAS)
		return HV_STATUS_INVALID_PARAMETER;
	*ptp = pt;
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_map_stats_page() - HvMapStatsPage
 * @sim: the instance
 * @call: the decoded call
 *
 * Maps the area with a page of the simulator's, whose frame is returned;
 * mapping an area that is mapped already returns the same page.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_map_stats_page(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_map_stats_page *in = call->in;
	struct hv_output_map_stats_page *out = call->out;
	struct mshv_sim_stats_obj *obj;
	struct mshv_sim_partition *pt;
	unsigned int area;
	struct page *page;
	u16 status;

	status = mshv_sim_stats_find(sim, in->type, in->padding, &in->identity,
				     &pt, &obj, &area);
	if (status)
		return status;
	if (obj->area[area] && !obj->own[area])
		return HV_STATUS_INVALID_PARAMETER;
	if (!obj->own[area]) {
		page = alloc_page(GFP_ATOMIC | __GFP_ZERO);
		if (!page)
			return HV_STATUS_INSUFFICIENT_MEMORY;
		obj->own[area] = page;
		obj->area[area] = page_address(page);
	}
	out->map_location = page_to_pfn(obj->own[area]);
	mshv_sim_pt_stats_refresh(pt);
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_map_stats_page2() - HvMapStatsPage2
 * @sim: the instance
 * @call: the decoded call
 *
 * Overlays the root's page at map_location with the area's counters.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result; HV_STATUS_INVALID_PARAMETER for an area
 * mapped already or a frame that is not ordinary memory.
 */
u16 mshv_sim_map_stats_page2(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_map_stats_page2 *in = call->in;
	struct mshv_sim_stats_obj *obj;
	struct mshv_sim_partition *pt;
	unsigned int area;
	struct page *page;
	u16 status;

	status = mshv_sim_stats_find(sim, in->type, in->padding, &in->identity,
				     &pt, &obj, &area);
	if (status)
		return status;
	if (obj->area[area])
		return HV_STATUS_INVALID_PARAMETER;
	page = pfn_to_online_page(in->map_location);
	if (!page || PageReserved(page))
		return HV_STATUS_INVALID_PARAMETER;
	obj->area[area] = page_address(page);
	memset(obj->area[area], 0, HV_HYP_PAGE_SIZE);
	mshv_sim_pt_stats_refresh(pt);
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_unmap_stats_page() - HvUnmapStatsPage
 * @sim: the instance
 * @call: the decoded call
 *
 * The simulator's page of an area mapped with HvMapStatsPage is freed; a
 * page the root provided is the root's again.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result; HV_STATUS_INVALID_PARAMETER for an area
 * that is not mapped.
 */
u16 mshv_sim_unmap_stats_page(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_unmap_stats_page *in = call->in;
	struct mshv_sim_stats_obj *obj;
	struct mshv_sim_partition *pt;
	unsigned int area;
	u16 status;

	status = mshv_sim_stats_find(sim, in->type, in->padding, &in->identity,
				     &pt, &obj, &area);
	if (status)
		return status;
	if (!obj->area[area])
		return HV_STATUS_INVALID_PARAMETER;
	if (obj->own[area])
		__free_page(obj->own[area]);
	obj->own[area] = NULL;
	obj->area[area] = NULL;
	return HV_STATUS_SUCCESS;
}
