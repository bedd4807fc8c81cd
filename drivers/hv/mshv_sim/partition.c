// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated hypervisor of mshv_sim: partition life cycle, memory pools
 * and partition properties, reached through one entry point that takes a
 * hypercall exactly as Hyper-V does (control word, input and output page
 * GPAs or register operands) and returns the TLFS result value.
 *
 * The GPA map of child partitions (the SLAT) lives in memory.c;
 * this file owns the call table and hands those hypercalls to it.
 *
 * Nothing here knows about modules or debugfs, so that KUnit can run a
 * private instance. Hypercalls arrive with IRQs disabled: the instance
 * state is guarded by a spinlock and no path below sleeps.
 *
 * Deposited pages belong to the simulator until they are withdrawn. It
 * links them into its pools through a small header written at the start of
 * each page, so pool bookkeeping never allocates memory.
 */
#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/limits.h>
#include <linux/list.h>
#include <linux/memory_hotplug.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

/* Call code field of the hypercall input control word. */
#define MSHV_SIM_CALL_CODE_MASK		GENMASK_ULL(15, 0)

/* Properties of a simulated hypercall (struct mshv_sim_call_desc.flags). */
#define MSHV_SIM_CALL_REP		BIT(0)	/* rep hypercall */
#define MSHV_SIM_CALL_FAST		BIT(1)	/* may also be issued fast */
#define MSHV_SIM_CALL_VARHEAD		BIT(2)	/* has a variable header */

/* Creation flags HvCreatePartition accepts. */
#define MSHV_SIM_CREATION_FLAGS					\
	(HV_PARTITION_CREATION_FLAG_SMT_ENABLED_GUEST |		\
	 HV_PARTITION_CREATION_FLAG_NESTED_VIRTUALIZATION_CAPABLE |	\
	 HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED |	\
	 HV_PARTITION_CREATION_FLAG_EXO_PARTITION |		\
	 HV_PARTITION_CREATION_FLAG_LAPIC_ENABLED |		\
	 HV_PARTITION_CREATION_FLAG_INTERCEPT_MESSAGE_PAGE_ENABLED | \
	 HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE)

/* Tag of a page held by the simulator, mixed with the page's own PFN. */
#define MSHV_SIM_PAGE_MAGIC		0x6d73687673696d50ULL

/**
 * struct mshv_sim_page - header the simulator keeps in each page it holds
 * @node: link in a pool's page list or the leaked list
 * @owner: the holding instance
 * @tag: MSHV_SIM_PAGE_MAGIC ^ PFN; with @owner, marks the page as held.
 *	Cleared before the page leaves the simulator, so stale copies in
 *	freed pages cannot match.
 */
struct mshv_sim_page {
	struct list_head node;
	const struct mshv_sim *owner;
	u64 tag;
};

static_assert(sizeof(struct mshv_sim_page) <= HV_HYP_PAGE_SIZE);

/**
 * struct mshv_sim_call_desc - a simulated hypercall
 * @code: call code
 * @flags: MSHV_SIM_CALL_* flags
 * @in_size: bytes of fixed-size input (memory form)
 * @in_elem: bytes of each input rep element
 * @out_size: bytes of fixed-size output
 * @out_elem: bytes of each output rep element
 * @handler: executes the call with the instance lock held and returns
 *	the HV_STATUS_* result; updates reps_done for rep calls
 */
struct mshv_sim_call_desc {
	u16 code;
	unsigned int flags;
	u16 in_size;
	u16 in_elem;
	u16 out_size;
	u16 out_elem;
	u16 (*handler)(struct mshv_sim *sim, struct mshv_sim_call *call);
};

/* Pages and pools */

u64 mshv_sim_pool_free(const struct mshv_sim_pool *pool)
{
	return pool->nr_pages - pool->nr_in_use;
}

bool mshv_sim_page_held(const struct mshv_sim *sim, struct page *page)
{
	const struct mshv_sim_page *hdr = page_address(page);

	return hdr->owner == sim &&
	       hdr->tag == (MSHV_SIM_PAGE_MAGIC ^ page_to_pfn(page));
}

/*
 * Return the page of @pfn if the caller may give it to the simulator: an
 * online, allocated, order-0 kernel page that is not already held.
 */
static struct page *mshv_sim_depositable_page(const struct mshv_sim *sim,
					      u64 pfn)
{
	struct page *page = pfn_to_online_page(pfn);

	/* PageCompound() first: PageReserved() is not defined on those. */
	if (!page || PageCompound(page) || PageReserved(page) ||
	    PageSlab(page) || !page_ref_count(page))
		return NULL;
	if (mshv_sim_page_held(sim, page))
		return NULL;
	return page;
}

static bool mshv_sim_is_child(const struct mshv_sim *sim,
			      const struct mshv_sim_partition *pt)
{
	return pt != &sim->root;
}

static void mshv_sim_pool_add(struct mshv_sim *sim,
			      struct mshv_sim_partition *pt, struct page *page)
{
	struct mshv_sim_page *hdr = page_address(page);

	hdr->owner = sim;
	hdr->tag = MSHV_SIM_PAGE_MAGIC ^ page_to_pfn(page);
	list_add_tail(&hdr->node, &pt->pool.pages);
	pt->pool.nr_pages++;
	if (mshv_sim_is_child(sim, pt))
		sim->child_pages++;
}

/* Unlink one page from @pt's pool, forget it and return its PFN. */
static u64 mshv_sim_pool_take(struct mshv_sim *sim,
			      struct mshv_sim_partition *pt)
{
	struct mshv_sim_page *hdr;
	struct page *page;

	hdr = list_first_entry(&pt->pool.pages, struct mshv_sim_page, node);
	page = virt_to_page(hdr);
	list_del(&hdr->node);
	memset(hdr, 0, sizeof(*hdr));
	pt->pool.nr_pages--;
	if (mshv_sim_is_child(sim, pt))
		sim->child_pages--;
	return page_to_pfn(page);
}

/* Free every page on @pages; return how many were freed. */
static unsigned long mshv_sim_free_pages(struct list_head *pages)
{
	struct mshv_sim_page *hdr, *tmp;
	unsigned long nr = 0;
	struct page *page;

	list_for_each_entry_safe(hdr, tmp, pages, node) {
		page = virt_to_page(hdr);
		list_del(&hdr->node);
		memset(hdr, 0, sizeof(*hdr));
		__free_page(page);
		nr++;
	}
	return nr;
}

/* Partitions */

static void mshv_sim_partition_init(struct mshv_sim_partition *pt, u64 id)
{
	pt->id = id;
	pt->state = MSHV_SIM_PT_CREATED;
	INIT_LIST_HEAD(&pt->pool.pages);
	mshv_sim_vps_init(pt);
	xa_init(&pt->connections);
}

/**
 * mshv_sim_find() - look a partition up
 * @sim: the instance
 * @id: the partition id
 * @self_ok: HV_PARTITION_ID_SELF stands for the root partition
 *
 * Context: sim->lock held.
 * Return: the partition, or NULL.
 */
struct mshv_sim_partition *mshv_sim_find(struct mshv_sim *sim, u64 id,
					 bool self_ok)
{
	lockdep_assert_held(&sim->lock);

	if (id == HV_PARTITION_ID_SELF)
		return self_ok ? &sim->root : NULL;
	if (id > U32_MAX)
		return NULL;
	return xa_load(&sim->partitions, id);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_find);

/* Move the pages left in a deleted child's pool to the leaked list. */
static void mshv_sim_leak_pool(struct mshv_sim *sim,
			       struct mshv_sim_partition *pt)
{
	list_splice_tail_init(&pt->pool.pages, &sim->leaked);
	sim->nr_leaked += pt->pool.nr_pages;
	sim->child_pages -= pt->pool.nr_pages;
	pt->pool.nr_pages = 0;
	pt->pool.nr_in_use = 0;
}

/* Forget @pt's asynchronous call, whatever its state: @pt is going. */
static void mshv_sim_async_release(struct mshv_sim_partition *pt)
{
	if (!pt->async)
		return;
	mshv_sim_synic_cancel(&pt->async->msg);
	kfree(pt->async);
	pt->async = NULL;
}

/* Hypercall handlers; called with sim->lock held */

/* Partition id operand of the fast or memory form of a lifecycle call. */
static u64 mshv_sim_call_partition_id(const struct mshv_sim_call *call)
{
	const u64 *partition_id = call->in;

	return call->fast ? call->fast_input : *partition_id;
}

/* One past the last rep this call may execute (honours max_reps). */
unsigned int mshv_sim_rep_end(const struct mshv_sim *sim,
			      const struct mshv_sim_call *call)
{
	u32 max_reps = READ_ONCE(sim->knobs[MSHV_SIM_KNOB_MAX_REPS]);
	unsigned int todo = call->rep_count - call->rep_start;

	if (max_reps)
		todo = min(todo, max_reps);
	return call->rep_start + todo;
}

static bool
mshv_sim_create_input_valid(const struct hv_input_create_partition *in)
{
	if (in->flags & ~MSHV_SIM_CREATION_FLAGS)
		return false;
	if (in->padding)
		return false;
	/*
	 * Only unisolated partitions are simulated. The host type and the
	 * shared GPA boundary mean nothing without isolation, so the whole
	 * isolation word must be zero.
	 */
	return in->isolation_properties == 0;
}

static u16 mshv_sim_create_partition(struct mshv_sim *sim,
				     struct mshv_sim_call *call)
{
	u64 need = READ_ONCE(sim->knobs[MSHV_SIM_KNOB_CREATE_PAGES]);
	const struct hv_input_create_partition *in = call->in;
	struct hv_output_create_partition *out = call->out;
	struct mshv_sim_partition *pt;
	u32 id;

	if (!mshv_sim_create_input_valid(in))
		return HV_STATUS_INVALID_PARAMETER;
	if (mshv_sim_pool_free(&sim->root.pool) < need)
		return HV_STATUS_INSUFFICIENT_MEMORY;

	pt = kzalloc(sizeof(*pt), GFP_ATOMIC);
	if (!pt)
		return HV_STATUS_NO_RESOURCES;
	mshv_sim_partition_init(pt, 0);
	mshv_sim_slat_init(&pt->slat);
	pt->flags = in->flags;
	pt->isolation = in->isolation_properties;
	pt->compat_version = in->compatibility_version;
	mshv_sim_props_init(pt, &sim->root, &in->partition_creation_properties);
	pt->root_pages = need;

	if (xa_alloc_cyclic(&sim->partitions, &id, pt, XA_LIMIT(1, U32_MAX),
			    &sim->next_id, GFP_ATOMIC) < 0) {
		kfree(pt);
		return HV_STATUS_NO_RESOURCES;
	}
	pt->id = id;
	sim->nr_partitions++;
	sim->root.pool.nr_in_use += need;
	out->partition_id = id;
	return HV_STATUS_SUCCESS;
}

static u16 mshv_sim_initialize_partition(struct mshv_sim *sim,
					 struct mshv_sim_call *call)
{
	u64 need = READ_ONCE(sim->knobs[MSHV_SIM_KNOB_INIT_PAGES]);
	struct mshv_sim_partition *pt;

	pt = mshv_sim_find(sim, mshv_sim_call_partition_id(call), false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (pt->state != MSHV_SIM_PT_CREATED)
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (mshv_sim_pool_free(&pt->pool) < need)
		return HV_STATUS_INSUFFICIENT_MEMORY;

	pt->pool.nr_in_use += need;
	pt->init_pages = need;
	pt->state = MSHV_SIM_PT_INITIALIZED;
	return HV_STATUS_SUCCESS;
}

static u16 mshv_sim_finalize_partition(struct mshv_sim *sim,
				       struct mshv_sim_call *call)
{
	struct mshv_sim_partition *pt;

	pt = mshv_sim_find(sim, mshv_sim_call_partition_id(call), false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (pt->state == MSHV_SIM_PT_FINALIZED)
		return HV_STATUS_INVALID_PARTITION_STATE;

	pt->pool.nr_in_use -= pt->init_pages;
	pt->init_pages = 0;
	/* A finalized partition never runs again: its VPs are gone. */
	mshv_sim_vps_release(sim, pt);
	pt->state = MSHV_SIM_PT_FINALIZED;
	return HV_STATUS_SUCCESS;
}

static u16 mshv_sim_delete_partition(struct mshv_sim *sim,
				     struct mshv_sim_call *call)
{
	struct mshv_sim_partition *pt;

	pt = mshv_sim_find(sim, mshv_sim_call_partition_id(call), false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (pt->state != MSHV_SIM_PT_FINALIZED)
		return HV_STATUS_INVALID_PARTITION_STATE;

	xa_erase(&sim->partitions, pt->id);
	sim->nr_partitions--;
	sim->root.pool.nr_in_use -= pt->root_pages;
	mshv_sim_vps_release(sim, pt);
	mshv_sim_slat_release(sim, pt);
	mshv_sim_connections_release(sim, pt);
	mshv_sim_leak_pool(sim, pt);
	mshv_sim_async_release(pt);
	mshv_sim_stats_release(&pt->stats);
	kfree(pt);
	return HV_STATUS_SUCCESS;
}

/*
 * Start an asynchronous HvSetPartitionProperty: it completes @delay_ms
 * later, from async_work. One call of a partition may be pending; a
 * second one, or one made before the root took the completion message of
 * the previous one, is refused.
 */
static u16 mshv_sim_set_property_async(struct mshv_sim *sim,
				       struct mshv_sim_partition *pt,
				       u32 code, u64 value, u32 delay_ms)
{
	if (!pt->async) {
		pt->async = kzalloc(sizeof(*pt->async), GFP_ATOMIC);
		if (!pt->async)
			return HV_STATUS_NO_RESOURCES;
		INIT_LIST_HEAD(&pt->async->msg.node);
	}
	if (pt->async->pending || !list_empty(&pt->async->msg.node))
		return HV_STATUS_INVALID_PARTITION_STATE;

	pt->async->pending = true;
	pt->async->code = code;
	pt->async->value = value;
	schedule_delayed_work(&sim->async_work, msecs_to_jiffies(delay_ms));
	return HV_STATUS_CALL_PENDING;
}

static u16 mshv_sim_set_property(struct mshv_sim *sim,
				 struct mshv_sim_call *call)
{
	u32 delay_ms = READ_ONCE(sim->knobs[MSHV_SIM_KNOB_ASYNC_MS]);
	const struct hv_input_set_partition_property *in = call->in;
	struct mshv_sim_partition *pt;

	if (in->padding)
		return HV_STATUS_INVALID_PARAMETER;
	pt = mshv_sim_find(sim, in->partition_id, true);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	/* Whatever makes the call fail fails it at once, not later. */
	if (delay_ms && !mshv_sim_property_check(sim, pt, in->property_code))
		return mshv_sim_set_property_async(sim, pt, in->property_code,
						   in->property_value,
						   delay_ms);
	return mshv_sim_property_write(sim, pt, in->property_code,
				       in->property_value);
}

/* Complete @pt's pending call and tell the root on this CPU's SINT0. */
static void mshv_sim_async_complete(struct mshv_sim *sim,
				    struct mshv_sim_partition *pt)
{
	struct hv_async_call_completion_message done = {
		.partition_id = pt->id,
		.completion_count = 1,
	};
	struct mshv_sim_async *async = pt->async;

	done.status = mshv_sim_property_write(sim, pt, async->code,
					      async->value);
	async->pending = false;
	async->msg.type = HVMSG_ASYNC_CALL_COMPLETION;
	async->msg.sender = HV_PARTITION_ID_SELF;
	async->msg.size = sizeof(done);
	memcpy(async->msg.payload, &done, sizeof(done));
	mshv_sim_synic_post(sim, &async->msg);
}

/* async_work: complete every pending asynchronous call. */
static void mshv_sim_async_work(struct work_struct *work)
{
	struct mshv_sim *sim = container_of(to_delayed_work(work),
					    struct mshv_sim, async_work);
	struct mshv_sim_partition *pt;
	unsigned long id, flags;

	spin_lock_irqsave(&sim->lock, flags);
	xa_for_each(&sim->partitions, id, pt)
		if (pt->async && pt->async->pending)
			mshv_sim_async_complete(sim, pt);
	spin_unlock_irqrestore(&sim->lock, flags);
}

static u16 mshv_sim_deposit_memory(struct mshv_sim *sim,
				   struct mshv_sim_call *call)
{
	const struct hv_deposit_memory *in = call->in;
	struct mshv_sim_partition *pt;
	unsigned int i, end;
	struct page *page;

	pt = mshv_sim_find(sim, in->partition_id, true);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;

	end = mshv_sim_rep_end(sim, call);
	for (i = call->rep_start; i < end; i++) {
		page = mshv_sim_depositable_page(sim, in->gpa_page_list[i]);
		if (!page)
			return HV_STATUS_INVALID_PARAMETER;
		mshv_sim_pool_add(sim, pt, page);
		call->reps_done++;
	}
	return HV_STATUS_SUCCESS;
}

static u16 mshv_sim_withdraw_memory(struct mshv_sim *sim,
				    struct mshv_sim_call *call)
{
	const struct hv_input_withdraw_memory *in = call->in;
	struct mshv_sim_partition *pt;
	u64 *pfns = call->out;
	unsigned int i, end;

	pt = mshv_sim_find(sim, in->partition_id, true);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;

	end = mshv_sim_rep_end(sim, call);
	for (i = call->rep_start; i < end; i++) {
		if (!mshv_sim_pool_free(&pt->pool))
			return HV_STATUS_NO_RESOURCES;
		pfns[i] = mshv_sim_pool_take(sim, pt);
		call->reps_done++;
	}
	return HV_STATUS_SUCCESS;
}

/*
 * HvGetSystemProperty: only the scheduler type, which the knob sets (the
 * simulator runs VPs in HvDispatchVp, the root scheduler's way, whatever
 * it reports).
 */
static u16 mshv_sim_get_system_property(struct mshv_sim *sim,
					struct mshv_sim_call *call)
{
	const struct hv_input_get_system_property *in = call->in;
	struct hv_output_get_system_property *out = call->out;

	if (in->reserved || in->argument ||
	    in->property_id != HV_SYSTEM_PROPERTY_SCHEDULER_TYPE)
		return HV_STATUS_INVALID_PARAMETER;
	out->scheduler_type = READ_ONCE(sim->knobs[MSHV_SIM_KNOB_SCHEDULER]);
	return HV_STATUS_SUCCESS;
}

static const struct mshv_sim_call_desc mshv_sim_calls[] = {
	{
		.code = HVCALL_CREATE_PARTITION,
		.in_size = sizeof(struct hv_input_create_partition),
		.out_size = sizeof(struct hv_output_create_partition),
		.handler = mshv_sim_create_partition,
	}, {
		.code = HVCALL_INITIALIZE_PARTITION,
		.flags = MSHV_SIM_CALL_FAST,
		.in_size = sizeof(u64),
		.handler = mshv_sim_initialize_partition,
	}, {
		.code = HVCALL_FINALIZE_PARTITION,
		.flags = MSHV_SIM_CALL_FAST,
		.in_size = sizeof(u64),
		.handler = mshv_sim_finalize_partition,
	}, {
		.code = HVCALL_DELETE_PARTITION,
		.flags = MSHV_SIM_CALL_FAST,
		.in_size = sizeof(u64),
		.handler = mshv_sim_delete_partition,
	}, {
		.code = HVCALL_GET_PARTITION_PROPERTY,
		.in_size = sizeof(struct hv_input_get_partition_property),
		.out_size = sizeof(struct hv_output_get_partition_property),
		.handler = mshv_sim_get_property,
	}, {
		.code = HVCALL_GET_PARTITION_PROPERTY_EX,
		.in_size = sizeof(struct hv_input_get_partition_property_ex),
		.out_size = sizeof(struct hv_partition_property_vmm_capabilities),
		.handler = mshv_sim_get_property_ex,
	}, {
		.code = HVCALL_SET_PARTITION_PROPERTY,
		.in_size = sizeof(struct hv_input_set_partition_property),
		.handler = mshv_sim_set_property,
	}, {
		.code = HVCALL_DEPOSIT_MEMORY,
		.flags = MSHV_SIM_CALL_REP,
		.in_size = sizeof(struct hv_deposit_memory),
		.in_elem = sizeof(u64),
		.handler = mshv_sim_deposit_memory,
	}, {
		.code = HVCALL_WITHDRAW_MEMORY,
		.flags = MSHV_SIM_CALL_REP,
		.in_size = sizeof(struct hv_input_withdraw_memory),
		.out_elem = sizeof(u64),
		.handler = mshv_sim_withdraw_memory,
	}, {
		.code = HVCALL_MAP_GPA_PAGES,
		.flags = MSHV_SIM_CALL_REP,
		.in_size = sizeof(struct hv_input_map_gpa_pages),
		.in_elem = sizeof(u64),
		.handler = mshv_sim_map_gpa_pages,
	}, {
		.code = HVCALL_UNMAP_GPA_PAGES,
		.flags = MSHV_SIM_CALL_REP,
		.in_size = sizeof(struct hv_input_unmap_gpa_pages),
		.handler = mshv_sim_unmap_gpa_pages,
	}, {
		.code = HVCALL_GET_GPA_PAGES_ACCESS_STATES,
		.flags = MSHV_SIM_CALL_REP,
		.in_size = sizeof(struct hv_input_get_gpa_pages_access_states),
		.out_elem = sizeof(u8),
		.handler = mshv_sim_get_gpa_access_states,
	}, {
		.code = HVCALL_MAP_STATS_PAGE,
		.in_size = sizeof(struct hv_input_map_stats_page),
		.out_size = sizeof(struct hv_output_map_stats_page),
		.handler = mshv_sim_map_stats_page,
	}, {
		.code = HVCALL_UNMAP_STATS_PAGE,
		.in_size = sizeof(struct hv_input_unmap_stats_page),
		.handler = mshv_sim_unmap_stats_page,
	}, {
		.code = HVCALL_MAP_STATS_PAGE2,
		.in_size = sizeof(struct hv_input_map_stats_page2),
		.handler = mshv_sim_map_stats_page2,
	}, {
		.code = HVCALL_GET_SYSTEM_PROPERTY,
		.in_size = sizeof(struct hv_input_get_system_property),
		.out_size = sizeof(struct hv_output_get_system_property),
		.handler = mshv_sim_get_system_property,
	}, {
		.code = HVCALL_CREATE_VP,
		.in_size = sizeof(struct hv_input_create_vp),
		.handler = mshv_sim_create_vp,
	}, {
		.code = HVCALL_ADD_LOGICAL_PROCESSOR,
		.in_size = sizeof(struct hv_input_add_logical_processor),
		.out_size = sizeof(struct hv_output_add_logical_processor),
		.handler = mshv_sim_add_logical_processor,
	}, {
		.code = HVCALL_DELETE_VP,
		.in_size = sizeof(struct hv_input_delete_vp),
		.handler = mshv_sim_delete_vp,
	}, {
		.code = HVCALL_GET_VP_REGISTERS,
		.flags = MSHV_SIM_CALL_REP,
		.in_size = sizeof(struct hv_input_get_vp_registers),
		.in_elem = sizeof(u32),
		.out_elem = sizeof(union hv_register_value),
		.handler = mshv_sim_get_vp_registers,
	}, {
		.code = HVCALL_SET_VP_REGISTERS,
		.flags = MSHV_SIM_CALL_REP,
		.in_size = sizeof(struct hv_input_set_vp_registers),
		.in_elem = sizeof(struct hv_register_assoc),
		.handler = mshv_sim_set_vp_registers,
	}, {
		.code = HVCALL_MAP_VP_STATE_PAGE,
		.in_size = sizeof(struct hv_input_map_vp_state_page),
		.out_size = sizeof(struct hv_output_map_vp_state_page),
		.handler = mshv_sim_map_vp_state_page,
	}, {
		.code = HVCALL_UNMAP_VP_STATE_PAGE,
		.in_size = sizeof(struct hv_input_unmap_vp_state_page),
		.handler = mshv_sim_unmap_vp_state_page,
	}, {
		.code = HVCALL_INSTALL_INTERCEPT,
		.in_size = sizeof(struct hv_input_install_intercept),
		.handler = mshv_sim_install_intercept,
	}, {
		.code = HVCALL_GET_VP_STATE,
		.flags = MSHV_SIM_CALL_VARHEAD,
		.in_size = sizeof(struct hv_input_get_vp_state),
		.out_size = sizeof(struct hv_synthetic_timers_state),
		.handler = mshv_sim_get_vp_state,
	}, {
		.code = HVCALL_SET_VP_STATE,
		.flags = MSHV_SIM_CALL_VARHEAD,
		.in_size = sizeof(struct hv_input_set_vp_state),
		.handler = mshv_sim_set_vp_state,
	}, {
		.code = HVCALL_ASSERT_VIRTUAL_INTERRUPT,
		.in_size = sizeof(struct hv_input_assert_virtual_interrupt),
		.handler = mshv_sim_assert_virtual_interrupt,
	}, {
		.code = HVCALL_CLEAR_VIRTUAL_INTERRUPT,
		.flags = MSHV_SIM_CALL_FAST,
		.in_size = sizeof(u64),
		.handler = mshv_sim_clear_virtual_interrupt,
	}, {
		.code = HVCALL_DISPATCH_VP,
		.in_size = sizeof(struct hv_input_dispatch_vp),
		.out_size = sizeof(struct hv_output_dispatch_vp),
		.handler = mshv_sim_dispatch_vp,
	}, {
		.code = HVCALL_CREATE_PORT,
		.in_size = sizeof(struct hv_input_create_port),
		.handler = mshv_sim_create_port,
	}, {
		.code = HVCALL_CONNECT_PORT,
		.in_size = sizeof(struct hv_input_connect_port),
		.handler = mshv_sim_connect_port,
	}, {
		.code = HVCALL_DISCONNECT_PORT,
		.in_size = sizeof(struct hv_input_disconnect_port),
		.handler = mshv_sim_disconnect_port,
	}, {
		.code = HVCALL_DELETE_PORT,
		.in_size = sizeof(struct hv_input_delete_port),
		.handler = mshv_sim_delete_port,
	}, {
		.code = HVCALL_NOTIFY_PORT_RING_EMPTY,
		.flags = MSHV_SIM_CALL_FAST,
		.in_size = sizeof(struct hv_input_notify_port_ring_empty),
		.handler = mshv_sim_notify_port_ring_empty,
	}, {
		.code = HVCALL_TRANSLATE_VIRTUAL_ADDRESS,
		.in_size = sizeof(struct hv_input_translate_virtual_address),
		.out_size = sizeof(struct hv_output_translate_virtual_address),
		.handler = mshv_sim_translate_virtual_address,
	}, {
		.code = HVCALL_REGISTER_INTERCEPT_RESULT,
		.in_size = sizeof(struct hv_input_register_intercept_result),
		.handler = mshv_sim_register_intercept_result,
	}, {
		.code = HVCALL_GET_VP_CPUID_VALUES,
		.flags = MSHV_SIM_CALL_REP,
		.in_size = sizeof(struct hv_input_get_vp_cpuid_values),
		.in_elem = sizeof(struct hv_cpuid_leaf_info),
		.out_elem = sizeof(struct hv_output_get_vp_cpuid_values),
		.handler = mshv_sim_get_vp_cpuid_values,
	}, {
		.code = HVCALL_SIGNAL_EVENT_DIRECT,
		.in_size = sizeof(struct hv_input_signal_event_direct),
		.out_size = sizeof(struct hv_output_signal_event_direct),
		.handler = mshv_sim_signal_event_direct,
	}, {
		.code = HVCALL_POST_MESSAGE_DIRECT,
		.in_size = sizeof(struct hv_input_post_message_direct),
		.handler = mshv_sim_post_message_direct,
	},
};

/* Decoding and validation */

static const struct mshv_sim_call_desc *mshv_sim_find_desc(u16 code)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mshv_sim_calls); i++)
		if (mshv_sim_calls[i].code == code)
			return &mshv_sim_calls[i];
	return NULL;
}

static void mshv_sim_decode(u64 control, struct mshv_sim_call *call)
{
	call->code = FIELD_GET(MSHV_SIM_CALL_CODE_MASK, control);
	call->fast = control & HV_HYPERCALL_FAST_BIT;
	call->rep_count = FIELD_GET(HV_HYPERCALL_REP_COMP_MASK, control);
	call->rep_start = FIELD_GET(HV_HYPERCALL_REP_START_MASK, control);
	call->varhead = FIELD_GET(HV_HYPERCALL_VARHEAD_MASK, control);
}

/* Check the control word of a decoded call against the call's rules. */
static u16 mshv_sim_check_control(const struct mshv_sim_call_desc *desc,
				  u64 control,
				  const struct mshv_sim_call *call)
{
	if (control & HV_HYPERCALL_RSVD_MASK)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (!desc)
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	if (call->varhead && !(desc->flags & MSHV_SIM_CALL_VARHEAD))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (call->fast && !(desc->flags & MSHV_SIM_CALL_FAST))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (desc->flags & MSHV_SIM_CALL_REP) {
		if (!call->rep_count)
			return HV_STATUS_INVALID_HYPERCALL_INPUT;
	} else if (call->rep_count) {
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	}
	if (call->rep_start > call->rep_count)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	return HV_STATUS_SUCCESS;
}

/*
 * Turn the GPA of a @size byte argument buffer into a kernel pointer after
 * checking that it is aligned, stays inside its page and is ordinary RAM.
 */
static u16 mshv_sim_map_buffer(u64 gpa, size_t size, void **buf)
{
	struct page *page;

	if (!IS_ALIGNED(gpa, sizeof(u64)))
		return HV_STATUS_INVALID_ALIGNMENT;
	if ((gpa & ~HV_HYP_PAGE_MASK) + size > HV_HYP_PAGE_SIZE)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	/* The seam passes 0 for a missing page. */
	page = gpa ? pfn_to_online_page(PHYS_PFN(gpa)) : NULL;
	if (!page || (!PageCompound(page) && PageReserved(page)))
		return HV_STATUS_INVALID_PARAMETER;

	*buf = phys_to_virt(gpa);
	return HV_STATUS_SUCCESS;
}

static u16 mshv_sim_map_args(const struct mshv_sim_call_desc *desc,
			     struct mshv_sim_call *call, u64 input, u64 output)
{
	u16 status;

	if (call->fast) {
		call->fast_input = input;
		return HV_STATUS_SUCCESS;
	}

	status = mshv_sim_map_buffer(input, desc->in_size +
				     (size_t)call->varhead * sizeof(u64) +
				     (size_t)call->rep_count * desc->in_elem,
				     &call->in);
	if (status || (!desc->out_size && !desc->out_elem))
		return status;
	return mshv_sim_map_buffer(output, desc->out_size +
				   (size_t)call->rep_count * desc->out_elem,
				   &call->out);
}

/* Call counters and faults; called with sim->lock held */

/* Index of @code in the sorted counter table, or where it belongs. */
static unsigned int mshv_sim_counter_slot(const struct mshv_sim *sim,
					  u16 code)
{
	unsigned int i = 0;

	while (i < sim->nr_codes && sim->calls[i].code < code)
		i++;
	return i;
}

/*
 * Count a call of @code; return its counter, or NULL when the table is
 * full. The counter stays where it is until the lock is released.
 */
static struct mshv_sim_call_count *mshv_sim_count_call(struct mshv_sim *sim,
						       u16 code)
{
	unsigned int i = mshv_sim_counter_slot(sim, code);

	sim->hv_time.hypercalls++;
	if (i < sim->nr_codes && sim->calls[i].code == code) {
		sim->calls[i].calls++;
		return &sim->calls[i];
	}
	/* Calls of codes beyond the table's capacity are not counted. */
	if (sim->nr_codes == ARRAY_SIZE(sim->calls))
		return NULL;
	memmove(&sim->calls[i + 1], &sim->calls[i],
		(sim->nr_codes - i) * sizeof(sim->calls[0]));
	sim->calls[i].code = code;
	sim->calls[i].calls = 1;
	sim->calls[i].ns = 0;
	sim->nr_codes++;
	return &sim->calls[i];
}

/* Charge the time since @start_ns to @counter and to the instance. */
static void mshv_sim_charge_call(struct mshv_sim *sim,
				 struct mshv_sim_call_count *counter,
				 u64 start_ns)
{
	u64 ns = ktime_get_ns() - start_ns;

	sim->hv_time.hypercall_ns += ns;
	if (counter)
		counter->ns += ns;
}

static void mshv_sim_fault_remove(struct mshv_sim *sim, unsigned int i)
{
	sim->nr_faults--;
	memmove(&sim->faults[i], &sim->faults[i + 1],
		(sim->nr_faults - i) * sizeof(sim->faults[0]));
}

/*
 * Count this call of @code against every fault armed for it. Faults that
 * reach their call are disarmed; if any did, the first armed one's status
 * is stored in @status and true is returned.
 */
static bool mshv_sim_fault_fire(struct mshv_sim *sim, u16 code, u16 *status)
{
	struct mshv_sim_fault *fault;
	bool fired = false;
	unsigned int i = 0;

	while (i < sim->nr_faults) {
		fault = &sim->faults[i];
		if (fault->code != code || --fault->remaining) {
			i++;
			continue;
		}
		if (!fired)
			*status = fault->status;
		fired = true;
		mshv_sim_fault_remove(sim, i);
	}
	return fired;
}

static u64 mshv_sim_result(u16 status, u16 reps_done)
{
	return status | FIELD_PREP(HV_HYPERCALL_REP_COMP_MASK, reps_done);
}

/**
 * mshv_sim_hypercall() - execute one hypercall on a simulator instance
 * @sim: the instance
 * @control: TLFS hypercall input control word
 * @input: GPA of the input buffer, or the first operand of a fast call
 * @output: GPA of the output buffer, or the second operand of a fast call
 *
 * The call is counted and timed (the time from entry to return is
 * charged to its code), then an armed fault for its code may end it
 * without side effects; otherwise the control word and the argument
 * buffers are validated and the call is executed. Rep calls
 * execute at most max_reps reps and report the reps completed so far.
 *
 * Context: Any context, including IRQs disabled. Takes sim->lock.
 * Return: the TLFS result value: status in bits 15:0, reps completed in
 * bits 43:32.
 */
u64 mshv_sim_hypercall(struct mshv_sim *sim, u64 control, u64 input,
		       u64 output)
{
	u64 start_ns = ktime_get_ns();
	const struct mshv_sim_call_desc *desc;
	struct mshv_sim_call_count *counter;
	struct mshv_sim_call call = {};
	u16 status = HV_STATUS_SUCCESS;
	unsigned long flags;
	u16 ctl_status;

	mshv_sim_decode(control, &call);
	desc = mshv_sim_find_desc(call.code);

	spin_lock_irqsave(&sim->lock, flags);
	counter = mshv_sim_count_call(sim, call.code);
	ctl_status = mshv_sim_check_control(desc, control, &call);
	/* Reps before rep_start were completed by earlier calls. */
	if (!ctl_status)
		call.reps_done = call.rep_start;
	if (mshv_sim_fault_fire(sim, call.code, &status))
		goto out_unlock;
	status = ctl_status;
	if (status)
		goto out_unlock;
	status = mshv_sim_map_args(desc, &call, input, output);
	if (status)
		goto out_unlock;
	status = desc->handler(sim, &call);
	mshv_sim_stats_after_call(sim, &call);
out_unlock:
	mshv_sim_trace_call(&call, input, output, status);
	mshv_sim_charge_call(sim, counter, start_ns);
	spin_unlock_irqrestore(&sim->lock, flags);
	return mshv_sim_result(status, call.reps_done);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_hypercall);

/* Instances */

/**
 * mshv_sim_create() - create a simulated hypervisor
 *
 * The new instance has no partitions, an empty root pool and the default
 * knob values.
 *
 * Context: Process context; may sleep.
 * Return: the instance, or NULL if out of memory.
 */
struct mshv_sim *mshv_sim_create(void)
{
	struct mshv_sim *sim;

	sim = kzalloc(sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return NULL;

	spin_lock_init(&sim->lock);
	xa_init_flags(&sim->partitions, XA_FLAGS_ALLOC1);
	xa_init(&sim->ports);
	xa_init(&sim->state_pfns);
	mshv_sim_partition_init(&sim->root, HV_PARTITION_ID_SELF);
	mshv_sim_props_init(&sim->root, NULL, NULL);
	INIT_LIST_HEAD(&sim->leaked);
	sim->knobs[MSHV_SIM_KNOB_CREATE_PAGES] = MSHV_SIM_DEFAULT_CREATE_PAGES;
	sim->knobs[MSHV_SIM_KNOB_INIT_PAGES] = MSHV_SIM_DEFAULT_INIT_PAGES;
	sim->knobs[MSHV_SIM_KNOB_MAX_REPS] = MSHV_SIM_DEFAULT_MAX_REPS;
	sim->knobs[MSHV_SIM_KNOB_VP_PAGES] = MSHV_SIM_DEFAULT_VP_PAGES;
	sim->knobs[MSHV_SIM_KNOB_SCHEDULER] = MSHV_SIM_DEFAULT_SCHEDULER;
	sim->knobs[MSHV_SIM_KNOB_VMM_CAPS] = MSHV_SIM_DEFAULT_VMM_CAPS;
	sim->knobs[MSHV_SIM_KNOB_FAST_INJECTION] = 1;
	sim->knobs[MSHV_SIM_KNOB_LP_PAGES] = MSHV_SIM_DEFAULT_LP_PAGES;
	/* The boot processor and the root's VP on it exist from the start. */
	__set_bit(0, sim->lps);
	__set_bit(0, sim->root_vps);
	INIT_DELAYED_WORK(&sim->async_work, mshv_sim_async_work);
	mshv_sim_stimer_init(sim);
	INIT_LIST_HEAD(&sim->runnable);
	init_waitqueue_head(&sim->sched_wq);
	if (mshv_sim_synic_init(sim)) {
		kfree(sim);
		return NULL;
	}
	return sim;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_create);

/**
 * mshv_sim_destroy() - destroy a simulated hypervisor
 * @sim: the instance, or NULL
 *
 * Frees every page the instance still holds: the pools of partitions that
 * were never deleted, the root pool and the pages leaked by deletions.
 *
 * Context: Process context; no hypercall on @sim may be running or follow.
 * Return: the number of pages freed.
 */
unsigned long mshv_sim_destroy(struct mshv_sim *sim)
{
	unsigned long id, flags, freed = 0;
	struct mshv_sim_partition *pt;

	if (!sim)
		return 0;
	cancel_delayed_work_sync(&sim->async_work);
	mshv_sim_stimer_stop(sim);

	/*
	 * As in the hypercalls, with sim->lock held and IRQs off: the
	 * xarrays' locks are taken inside sim->lock, which IRQ handlers
	 * (eventfd wake-ups that inject interrupts) take too.
	 */
	spin_lock_irqsave(&sim->lock, flags);
	xa_for_each(&sim->partitions, id, pt) {
		xa_erase(&sim->partitions, id);
		mshv_sim_vps_release(sim, pt);
		freed += mshv_sim_free_pages(&pt->pool.pages);
		mshv_sim_slat_free(&pt->slat);
		mshv_sim_connections_release(sim, pt);
		mshv_sim_async_release(pt);
		mshv_sim_stats_release(&pt->stats);
		kfree(pt);
	}
	xa_destroy(&sim->partitions);
	xa_destroy(&sim->state_pfns);
	mshv_sim_ports_release(sim);
	spin_unlock_irqrestore(&sim->lock, flags);
	freed += mshv_sim_free_pages(&sim->root.pool.pages);
	freed += mshv_sim_free_pages(&sim->leaked);
	mshv_sim_synic_free(sim);
	kfree(sim);
	return freed;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_destroy);

/* Introspection for debugfs and tests */

/**
 * mshv_sim_get_stats() - take a snapshot of an instance's counters
 * @sim: the instance
 * @stats: filled with the snapshot
 *
 * Context: Any context. Takes sim->lock.
 */
void mshv_sim_get_stats(struct mshv_sim *sim, struct mshv_sim_stats *stats)
{
	unsigned long flags;

	spin_lock_irqsave(&sim->lock, flags);
	stats->partitions = sim->nr_partitions;
	stats->deposited_pages = sim->child_pages;
	stats->root_pool_pages = sim->root.pool.nr_pages;
	stats->root_pool_in_use = sim->root.pool.nr_in_use;
	stats->leaked_pages = sim->nr_leaked;
	stats->mapped_pages = sim->mapped_pages;
	stats->vps = sim->nr_vps;
	stats->state_pages = sim->state_pages;
	stats->ports = sim->nr_ports;
	stats->connections = sim->nr_connections;
	stats->doorbells = sim->doorbells;
	stats->scanned_vectors = sim->scanned_vectors;
	stats->lps = bitmap_weight(sim->lps, MSHV_SIM_MAX_LPS);
	stats->root_vps = bitmap_weight(sim->root_vps, MSHV_SIM_MAX_LPS);
	spin_unlock_irqrestore(&sim->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_get_stats);

/**
 * mshv_sim_get_partition_info() - take a snapshot of one child partition
 * @sim: the instance
 * @id: partition id
 * @info: filled with the snapshot
 *
 * Context: Any context. Takes sim->lock.
 * Return: 0, or -ENOENT if there is no child partition @id.
 */
int mshv_sim_get_partition_info(struct mshv_sim *sim, u64 id,
				struct mshv_sim_pt_info *info)
{
	struct mshv_sim_partition *pt;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&sim->lock, flags);
	pt = mshv_sim_find(sim, id, false);
	if (!pt) {
		ret = -ENOENT;
		goto out_unlock;
	}
	info->state = pt->state;
	info->flags = pt->flags;
	info->pool_pages = pt->pool.nr_pages;
	info->pool_in_use = pt->pool.nr_in_use;
out_unlock:
	spin_unlock_irqrestore(&sim->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_get_partition_info);

/**
 * mshv_sim_call_count() - number of calls of one hypercall code
 * @sim: the instance
 * @code: hypercall code
 *
 * Context: Any context. Takes sim->lock.
 * Return: calls of @code seen by @sim (0 if none).
 */
u64 mshv_sim_call_count(struct mshv_sim *sim, u16 code)
{
	unsigned long flags;
	unsigned int i;
	u64 calls = 0;

	spin_lock_irqsave(&sim->lock, flags);
	i = mshv_sim_counter_slot(sim, code);
	if (i < sim->nr_codes && sim->calls[i].code == code)
		calls = sim->calls[i].calls;
	spin_unlock_irqrestore(&sim->lock, flags);
	return calls;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_call_count);

/**
 * mshv_sim_get_hv_time() - where the instance spent its time so far
 * @sim: the instance
 * @t: filled with the totals
 *
 * Context: Any context. Takes sim->lock.
 */
void mshv_sim_get_hv_time(struct mshv_sim *sim, struct mshv_sim_hv_time *t)
{
	unsigned long flags;

	spin_lock_irqsave(&sim->lock, flags);
	*t = sim->hv_time;
	spin_unlock_irqrestore(&sim->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_get_hv_time);

/**
 * mshv_sim_get_call_counts() - copy the per-code call counters
 * @sim: the instance
 * @counts: receives up to @max counters, sorted by code
 * @max: capacity of @counts
 *
 * Context: Any context. Takes sim->lock.
 * Return: the number of counters copied.
 */
unsigned int mshv_sim_get_call_counts(struct mshv_sim *sim,
				      struct mshv_sim_call_count *counts,
				      unsigned int max)
{
	unsigned long flags;
	unsigned int nr;

	spin_lock_irqsave(&sim->lock, flags);
	nr = min(max, sim->nr_codes);
	memcpy(counts, sim->calls, nr * sizeof(*counts));
	spin_unlock_irqrestore(&sim->lock, flags);
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_get_call_counts);

/**
 * mshv_sim_fault_arm() - make a future hypercall fail
 * @sim: the instance
 * @code: hypercall code, 0 to 0xffff
 * @nth: which of the following calls of @code fails (1 = the next one)
 * @status: HV_STATUS_* value it returns, 1 to 0xffff
 *
 * The fault is one-shot: the failing call has no other effect and the
 * fault is disarmed.
 *
 * Context: Any context. Takes sim->lock.
 * Return: 0, -EINVAL for an out-of-range argument, or -ENOSPC if
 * MSHV_SIM_MAX_FAULTS faults are already armed.
 */
int mshv_sim_fault_arm(struct mshv_sim *sim, u32 code, u32 nth, u32 status)
{
	struct mshv_sim_fault *fault;
	unsigned long flags;
	int ret = 0;

	if (code > U16_MAX || !nth || !status || status > U16_MAX)
		return -EINVAL;

	spin_lock_irqsave(&sim->lock, flags);
	if (sim->nr_faults == ARRAY_SIZE(sim->faults)) {
		ret = -ENOSPC;
		goto out_unlock;
	}
	fault = &sim->faults[sim->nr_faults++];
	fault->code = code;
	fault->status = status;
	fault->remaining = nth;
out_unlock:
	spin_unlock_irqrestore(&sim->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_fault_arm);

/**
 * mshv_sim_fault_clear() - disarm every armed fault
 * @sim: the instance
 *
 * Context: Any context. Takes sim->lock.
 */
void mshv_sim_fault_clear(struct mshv_sim *sim)
{
	unsigned long flags;

	spin_lock_irqsave(&sim->lock, flags);
	sim->nr_faults = 0;
	spin_unlock_irqrestore(&sim->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_fault_clear);

/**
 * mshv_sim_get_faults() - copy the armed faults
 * @sim: the instance
 * @faults: receives up to @max faults, in arming order
 * @max: capacity of @faults
 *
 * Context: Any context. Takes sim->lock.
 * Return: the number of faults copied.
 */
unsigned int mshv_sim_get_faults(struct mshv_sim *sim,
				 struct mshv_sim_fault *faults,
				 unsigned int max)
{
	unsigned long flags;
	unsigned int nr;

	spin_lock_irqsave(&sim->lock, flags);
	nr = min(max, sim->nr_faults);
	memcpy(faults, sim->faults, nr * sizeof(*faults));
	spin_unlock_irqrestore(&sim->lock, flags);
	return nr;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_get_faults);

/**
 * mshv_sim_get_knob() - read a knob
 * @sim: the instance
 * @knob: which knob
 *
 * Context: Any context.
 * Return: the knob's value.
 */
u32 mshv_sim_get_knob(struct mshv_sim *sim, enum mshv_sim_knob knob)
{
	if (WARN_ON_ONCE(knob >= MSHV_SIM_NR_KNOBS))
		return 0;
	return READ_ONCE(sim->knobs[knob]);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_get_knob);

/**
 * mshv_sim_set_knob() - change a knob
 * @sim: the instance
 * @knob: which knob
 * @value: new value; takes effect from the next hypercall
 *
 * Context: Any context.
 */
void mshv_sim_set_knob(struct mshv_sim *sim, enum mshv_sim_knob knob,
		       u32 value)
{
	if (WARN_ON_ONCE(knob >= MSHV_SIM_NR_KNOBS))
		return;
	WRITE_ONCE(sim->knobs[knob], value);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_set_knob);
