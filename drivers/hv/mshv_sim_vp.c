// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual processors of the simulated hypervisor: their architectural
 * state under the TLFS register names, the state pages the hypervisor
 * shares with the root (register page, intercept message page), their
 * saved state (local APIC, xsave, SynIC pages, synthetic timers) and the
 * intercepts a parent installs. Running them (HvDispatchVp) is not
 * simulated yet.
 *
 * Like every simulated hypercall, all of it runs with sim->lock held and
 * IRQs disabled.
 */
#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <hyperv/hvhdk.h>

#include "mshv_sim.h"
#include "mshv_sim_x86.h"

/* Architectural reset values (SDM "Processor State After Reset"). */
#define MSHV_SIM_RESET_CS_SELECTOR	0xf000
#define MSHV_SIM_RESET_CS_BASE		0xffff0000ULL
#define MSHV_SIM_RESET_RIP		0xfff0
#define MSHV_SIM_RESET_RFLAGS		X86_EFLAGS_FIXED
#define MSHV_SIM_RESET_CR0		(X86_CR0_CD | X86_CR0_NW | X86_CR0_ET)
#define MSHV_SIM_RESET_RDX		0x600	/* family 6 signature */
#define MSHV_SIM_RESET_PAT		0x0007040600070406ULL
#define MSHV_SIM_RESET_DR7		0x400
/* Segment attributes after reset: present, code or data, accessed. */
#define MSHV_SIM_SEG_CODE		0x9b
#define MSHV_SIM_SEG_DATA		0x93
#define MSHV_SIM_SEG_LDT		0x82
#define MSHV_SIM_SEG_TSS		0x8b

/* The local APIC base MSR: enabled, at the architectural address. */
#define MSHV_SIM_APIC_ADDR		0xfee00000ULL
#define MSHV_SIM_APIC_BASE		(MSHV_SIM_APIC_ADDR | \
					 MSR_IA32_APICBASE_ENABLE)

/* HV_REGISTER_INTERRUPT_STATE bits */
#define MSHV_SIM_INTERRUPT_SHADOW	BIT_ULL(0)

/*
 * The page-sized states HvGetVpState and HvSetVpState transfer through
 * page frames; the index is the type without HV_GET_SET_VP_STATE_TYPE_PFN.
 */
enum {
	MSHV_SIM_VP_STATE_LAPIC,
	MSHV_SIM_VP_STATE_XSAVE,
	MSHV_SIM_VP_STATE_SIMP,
	MSHV_SIM_VP_STATE_SIEFP,
	MSHV_SIM_VP_NR_STATES,
};

/* Reset values of the local APIC and the xsave area. */
#define MSHV_SIM_APIC_VERSION		0x00050014	/* 6 LVT entries */
#define MSHV_SIM_APIC_SPURIOUS		0xff
#define MSHV_SIM_APIC_LVT_MASKED	BIT(16)
#define MSHV_SIM_FPU_CW			0x037f
#define MSHV_SIM_MXCSR			0x1f80
#define MSHV_SIM_XSAVE_MXCSR_OFFSET	24
#define MSHV_SIM_XSAVE_XCOMP_BV_OFFSET	520
#define MSHV_SIM_XCOMP_BV_COMPACTED	BIT_ULL(63)

/**
 * struct mshv_sim_vp - one simulated virtual processor
 * @index: VP index in its partition
 * @cpu: the architectural state the interpreter runs on
 * @explicit_suspend: HV_REGISTER_EXPLICIT_SUSPEND
 * @intercept_suspend: HV_REGISTER_INTERCEPT_SUSPEND; set when an
 *	intercept is posted, cleared by the root when it dispatches again
 * @dispatch_suspend: HV_REGISTER_DISPATCH_SUSPEND
 * @pending_interruption: HV_REGISTER_PENDING_INTERRUPTION (kept, not
 *	acted on)
 * @apic_base: IA32_APIC_BASE
 * @pat: IA32_PAT
 * @tsc: the time stamp counter's last written value
 * @pages: state pages shared with the root, by HV_VP_STATE_PAGE_*
 * @pool_pages: pages of the partition's pool in use for this VP
 * @state: page-sized state HvSetVpState stored, by MSHV_SIM_VP_STATE_*;
 *	NULL while it has its reset value
 * @stimers: the synthetic timers' state
 */
struct mshv_sim_vp {
	u32 index;
	struct mshv_sim_x86_cpu cpu;
	u64 explicit_suspend;
	u64 intercept_suspend;
	u64 dispatch_suspend;
	u64 pending_interruption;
	u64 apic_base;
	u64 pat;
	u64 tsc;
	struct page *pages[HV_VP_STATE_PAGE_COUNT];
	u64 pool_pages;
	void *state[MSHV_SIM_VP_NR_STATES];
	struct hv_synthetic_timers_state stimers;
};

/* ---- Life cycle --------------------------------------------------------- */

/**
 * mshv_sim_vps_init() - set up a partition's empty set of VPs
 * @pt: the partition
 */
void mshv_sim_vps_init(struct mshv_sim_partition *pt)
{
	xa_init(&pt->vps);
}

static void mshv_sim_vp_reset(struct mshv_sim_vp *vp)
{
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	unsigned int i;

	memset(cpu, 0, sizeof(*cpu));
	for (i = 0; i < MSHV_SIM_X86_NR_SREGS; i++) {
		cpu->seg[i].limit = 0xffff;
		cpu->seg[i].attributes = MSHV_SIM_SEG_DATA;
	}
	cpu->seg[MSHV_SIM_X86_CS].selector = MSHV_SIM_RESET_CS_SELECTOR;
	cpu->seg[MSHV_SIM_X86_CS].base = MSHV_SIM_RESET_CS_BASE;
	cpu->seg[MSHV_SIM_X86_CS].attributes = MSHV_SIM_SEG_CODE;
	cpu->ldtr.limit = 0xffff;
	cpu->ldtr.attributes = MSHV_SIM_SEG_LDT;
	cpu->tr.limit = 0xffff;
	cpu->tr.attributes = MSHV_SIM_SEG_TSS;
	cpu->gdtr.limit = 0xffff;
	cpu->idtr.limit = 0xffff;
	cpu->rip = MSHV_SIM_RESET_RIP;
	cpu->rflags = MSHV_SIM_RESET_RFLAGS;
	cpu->cr0 = MSHV_SIM_RESET_CR0;
	cpu->gpr[2] = MSHV_SIM_RESET_RDX;

	vp->apic_base = MSHV_SIM_APIC_BASE;
	if (!vp->index)
		vp->apic_base |= MSR_IA32_APICBASE_BSP;
	vp->pat = MSHV_SIM_RESET_PAT;
}

static void mshv_sim_vp_free_page(struct mshv_sim *sim, struct mshv_sim_vp *vp,
				  unsigned int type)
{
	if (!vp->pages[type])
		return;
	/* A root mapping of the page keeps it alive until it goes away. */
	__free_page(vp->pages[type]);
	vp->pages[type] = NULL;
	sim->state_pages--;
}

static void mshv_sim_vp_free(struct mshv_sim *sim,
			     struct mshv_sim_partition *pt,
			     struct mshv_sim_vp *vp)
{
	unsigned int type;

	for (type = 0; type < HV_VP_STATE_PAGE_COUNT; type++)
		mshv_sim_vp_free_page(sim, vp, type);
	for (type = 0; type < MSHV_SIM_VP_NR_STATES; type++)
		kfree(vp->state[type]);
	pt->pool.nr_in_use -= vp->pool_pages;
	pt->nr_vps--;
	sim->nr_vps--;
	kfree(vp);
}

/**
 * mshv_sim_vps_release() - delete every VP of a partition
 * @sim: the instance
 * @pt: the partition; finalized, being deleted or the instance destroyed
 *
 * Frees the VPs and their state pages and puts their pool pages back to
 * free, so that they can be withdrawn.
 *
 * Context: sim->lock held, or the instance is being destroyed.
 */
void mshv_sim_vps_release(struct mshv_sim *sim, struct mshv_sim_partition *pt)
{
	struct mshv_sim_vp *vp;
	unsigned long index;

	xa_for_each(&pt->vps, index, vp) {
		xa_erase(&pt->vps, index);
		mshv_sim_vp_free(sim, pt, vp);
	}
	xa_destroy(&pt->vps);
}

/* The VP @vp_index of child partition @pt_id, with its partition. */
static u16 mshv_sim_find_vp(struct mshv_sim *sim, u64 pt_id, u32 vp_index,
			    struct mshv_sim_partition **ptp,
			    struct mshv_sim_vp **vpp)
{
	struct mshv_sim_partition *pt;

	pt = mshv_sim_find(sim, pt_id, false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	*vpp = xa_load(&pt->vps, vp_index);
	if (!*vpp)
		return HV_STATUS_INVALID_VP_INDEX;
	*ptp = pt;
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_create_vp() - HvCreateVp
 * @sim: the instance
 * @call: the decoded call
 *
 * The partition must be initialized and have MSHV_SIM_KNOB_VP_PAGES free
 * pages in its pool; the new VP is in the architectural reset state.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_create_vp(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_create_vp *in = call->in;
	u32 need = READ_ONCE(sim->knobs[MSHV_SIM_KNOB_VP_PAGES]);
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;

	pt = mshv_sim_find(sim, in->partition_id, false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (pt->state != MSHV_SIM_PT_INITIALIZED)
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (in->vp_index >= MSHV_SIM_MAX_VPS)
		return HV_STATUS_INVALID_VP_INDEX;
	if (memchr_inv(in->padding, 0, sizeof(in->padding)) ||
	    in->subnode_type || in->subnode_id || in->flags)
		return HV_STATUS_INVALID_PARAMETER;
	if (xa_load(&pt->vps, in->vp_index))
		return HV_STATUS_INVALID_VP_STATE;
	if (mshv_sim_pool_free(&pt->pool) < need)
		return HV_STATUS_INSUFFICIENT_MEMORY;

	vp = kzalloc(sizeof(*vp), GFP_ATOMIC);
	if (!vp)
		return HV_STATUS_NO_RESOURCES;
	vp->index = in->vp_index;
	mshv_sim_vp_reset(vp);
	if (xa_err(xa_store(&pt->vps, vp->index, vp, GFP_ATOMIC))) {
		kfree(vp);
		return HV_STATUS_NO_RESOURCES;
	}
	vp->pool_pages = need;
	pt->pool.nr_in_use += need;
	pt->nr_vps++;
	sim->nr_vps++;
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_delete_vp() - HvDeleteVp
 * @sim: the instance
 * @call: the decoded call
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_delete_vp(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_delete_vp *in = call->in;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	u16 status;

	if (memchr_inv(in->reserved, 0, sizeof(in->reserved)))
		return HV_STATUS_INVALID_PARAMETER;
	status = mshv_sim_find_vp(sim, in->partition_id, in->vp_index, &pt,
				  &vp);
	if (status)
		return status;
	xa_erase(&pt->vps, vp->index);
	mshv_sim_vp_free(sim, pt, vp);
	return HV_STATUS_SUCCESS;
}

/* ---- Registers ---------------------------------------------------------- */

/* The 64-bit register @name of @vp, or NULL if it is not one. */
static u64 *mshv_sim_vp_reg64(struct mshv_sim_vp *vp, u32 name)
{
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;

	if (name >= HV_X64_REGISTER_RAX && name <= HV_X64_REGISTER_R15)
		return &cpu->gpr[name - HV_X64_REGISTER_RAX];
	switch (name) {
	case HV_X64_REGISTER_RIP:
		return &cpu->rip;
	case HV_X64_REGISTER_RFLAGS:
		return &cpu->rflags;
	case HV_X64_REGISTER_CR0:
		return &cpu->cr0;
	case HV_X64_REGISTER_CR2:
		return &cpu->cr2;
	case HV_X64_REGISTER_CR3:
		return &cpu->cr3;
	case HV_X64_REGISTER_CR4:
		return &cpu->cr4;
	case HV_X64_REGISTER_CR8:
		return &cpu->cr8;
	case HV_X64_REGISTER_EFER:
		return &cpu->efer;
	case HV_X64_REGISTER_APIC_BASE:
		return &vp->apic_base;
	case HV_X64_REGISTER_PAT:
		return &vp->pat;
	case HV_X64_REGISTER_TSC:
		return &vp->tsc;
	case HV_REGISTER_EXPLICIT_SUSPEND:
		return &vp->explicit_suspend;
	case HV_REGISTER_INTERCEPT_SUSPEND:
		return &vp->intercept_suspend;
	case HV_REGISTER_DISPATCH_SUSPEND:
		return &vp->dispatch_suspend;
	case HV_REGISTER_PENDING_INTERRUPTION:
		return &vp->pending_interruption;
	default:
		return NULL;
	}
}

/* The segment register @name of @cpu, or NULL if it is not one. */
static struct mshv_sim_x86_seg *mshv_sim_vp_seg(struct mshv_sim_x86_cpu *cpu,
						u32 name)
{
	if (name >= HV_X64_REGISTER_ES && name <= HV_X64_REGISTER_GS)
		return &cpu->seg[name - HV_X64_REGISTER_ES];
	if (name == HV_X64_REGISTER_LDTR)
		return &cpu->ldtr;
	if (name == HV_X64_REGISTER_TR)
		return &cpu->tr;
	return NULL;
}

/* The descriptor-table register @name of @cpu, or NULL. */
static struct mshv_sim_x86_table *
mshv_sim_vp_table(struct mshv_sim_x86_cpu *cpu, u32 name)
{
	if (name == HV_X64_REGISTER_IDTR)
		return &cpu->idtr;
	if (name == HV_X64_REGISTER_GDTR)
		return &cpu->gdtr;
	return NULL;
}

static void mshv_sim_seg_to_hv(const struct mshv_sim_x86_seg *seg,
			       struct hv_x64_segment_register *hv)
{
	hv->base = seg->base;
	hv->limit = seg->limit;
	hv->selector = seg->selector;
	hv->attributes = seg->attributes;
}

static void mshv_sim_seg_from_hv(const struct hv_x64_segment_register *hv,
				 struct mshv_sim_x86_seg *seg)
{
	seg->base = hv->base;
	seg->limit = hv->limit;
	seg->selector = hv->selector;
	seg->attributes = hv->attributes;
}

static u16 mshv_sim_vp_get_reg(struct mshv_sim_vp *vp, u32 name,
			       union hv_register_value *val)
{
	struct mshv_sim_x86_table *table;
	struct mshv_sim_x86_seg *seg;
	u64 *reg;

	memset(val, 0, sizeof(*val));
	reg = mshv_sim_vp_reg64(vp, name);
	if (reg) {
		val->reg64 = *reg;
		return HV_STATUS_SUCCESS;
	}
	seg = mshv_sim_vp_seg(&vp->cpu, name);
	if (seg) {
		mshv_sim_seg_to_hv(seg, &val->segment);
		return HV_STATUS_SUCCESS;
	}
	table = mshv_sim_vp_table(&vp->cpu, name);
	if (table) {
		val->table.limit = table->limit;
		val->table.base = table->base;
		return HV_STATUS_SUCCESS;
	}
	if (name == HV_REGISTER_INTERRUPT_STATE) {
		val->reg64 = vp->cpu.interrupt_shadow ?
			     MSHV_SIM_INTERRUPT_SHADOW : 0;
		return HV_STATUS_SUCCESS;
	}
	return HV_STATUS_INVALID_PARAMETER;
}

static bool mshv_sim_is_suspend_reg(u32 name)
{
	return name == HV_REGISTER_EXPLICIT_SUSPEND ||
	       name == HV_REGISTER_INTERCEPT_SUSPEND ||
	       name == HV_REGISTER_DISPATCH_SUSPEND;
}

static u16 mshv_sim_vp_set_reg(struct mshv_sim_vp *vp, u32 name,
			       const union hv_register_value *val)
{
	struct mshv_sim_x86_table *table;
	struct mshv_sim_x86_seg *seg;
	u64 *reg;

	reg = mshv_sim_vp_reg64(vp, name);
	if (reg) {
		/* The suspend registers hold a single bit. */
		if (mshv_sim_is_suspend_reg(name) && val->reg64 > 1)
			return HV_STATUS_INVALID_PARAMETER;
		*reg = val->reg64;
		return HV_STATUS_SUCCESS;
	}
	seg = mshv_sim_vp_seg(&vp->cpu, name);
	if (seg) {
		mshv_sim_seg_from_hv(&val->segment, seg);
		return HV_STATUS_SUCCESS;
	}
	table = mshv_sim_vp_table(&vp->cpu, name);
	if (table) {
		table->limit = val->table.limit;
		table->base = val->table.base;
		return HV_STATUS_SUCCESS;
	}
	if (name == HV_REGISTER_INTERRUPT_STATE) {
		if (val->reg64 & ~MSHV_SIM_INTERRUPT_SHADOW)
			return HV_STATUS_INVALID_PARAMETER;
		vp->cpu.interrupt_shadow = val->reg64;
		return HV_STATUS_SUCCESS;
	}
	return HV_STATUS_INVALID_PARAMETER;
}

/* ---- The register page -------------------------------------------------- */

/* Write @vp's state into its register page, if it has one. */
static void mshv_sim_vp_store_page(struct mshv_sim_vp *vp)
{
	const struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	struct hv_vp_register_page *rp;
	unsigned int i;

	if (!vp->pages[HV_VP_STATE_PAGE_REGISTERS])
		return;
	rp = page_address(vp->pages[HV_VP_STATE_PAGE_REGISTERS]);
	rp->version = HV_VP_REGISTER_PAGE_VERSION_1;
	memcpy(rp->gp_registers, cpu->gpr, sizeof(rp->gp_registers));
	rp->rip = cpu->rip;
	rp->rflags = cpu->rflags;
	for (i = 0; i < MSHV_SIM_X86_NR_SREGS; i++)
		mshv_sim_seg_to_hv(&cpu->seg[i], &rp->segment[i]);
	rp->cr0 = cpu->cr0;
	rp->cr3 = cpu->cr3;
	rp->cr4 = cpu->cr4;
	rp->cr8 = cpu->cr8;
	rp->efer = cpu->efer;
	rp->dr7 = MSHV_SIM_RESET_DR7;
	rp->pending_interruption = vp->pending_interruption;
	rp->interrupt_state = cpu->interrupt_shadow ?
			      MSHV_SIM_INTERRUPT_SHADOW : 0;
	rp->dirty = 0;
	rp->isvalid = 1;
}

/*
 * Take the register classes the root marked dirty in the register page
 * into @vp's state. The XMM class is accepted and ignored: the simulated
 * processor has no vector registers.
 */
static void mshv_sim_vp_load_page(struct mshv_sim_vp *vp)
{
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	struct hv_vp_register_page *rp;
	unsigned int i;
	u32 dirty;

	if (!vp->pages[HV_VP_STATE_PAGE_REGISTERS])
		return;
	rp = page_address(vp->pages[HV_VP_STATE_PAGE_REGISTERS]);
	dirty = READ_ONCE(rp->dirty);
	if (!rp->isvalid || !dirty)
		return;
	if (dirty & HV_X64_REGISTER_CLASS_GENERAL)
		memcpy(cpu->gpr, rp->gp_registers, sizeof(cpu->gpr));
	if (dirty & HV_X64_REGISTER_CLASS_IP)
		cpu->rip = rp->rip;
	if (dirty & HV_X64_REGISTER_CLASS_FLAGS)
		cpu->rflags = rp->rflags | X86_EFLAGS_FIXED;
	if (dirty & HV_X64_REGISTER_CLASS_SEGMENT)
		for (i = 0; i < MSHV_SIM_X86_NR_SREGS; i++)
			mshv_sim_seg_from_hv(&rp->segment[i], &cpu->seg[i]);
	rp->dirty = 0;
}

/**
 * mshv_sim_get_vp_registers() - HvGetVpRegisters
 * @sim: the instance
 * @call: the decoded call
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result; @call->reps_done counts the registers read.
 */
u16 mshv_sim_get_vp_registers(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_get_vp_registers *in = call->in;
	union hv_register_value *out = call->out;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	unsigned int i, end;
	u16 status;

	if (in->input_vtl || in->rsvd_z8 || in->rsvd_z16)
		return HV_STATUS_INVALID_PARAMETER;
	status = mshv_sim_find_vp(sim, in->partition_id, in->vp_index, &pt,
				  &vp);
	if (status)
		return status;
	mshv_sim_vp_load_page(vp);

	end = mshv_sim_rep_end(sim, call);
	for (i = call->rep_start; i < end; i++) {
		status = mshv_sim_vp_get_reg(vp, in->names[i], &out[i]);
		if (status)
			return status;
		call->reps_done++;
	}
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_set_vp_registers() - HvSetVpRegisters
 * @sim: the instance
 * @call: the decoded call
 *
 * The register page, if mapped, shows the new values at once.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result; @call->reps_done counts the registers set.
 */
u16 mshv_sim_set_vp_registers(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_set_vp_registers *in = call->in;
	const struct hv_register_assoc *elem;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	unsigned int i, end;
	u16 status;

	if (in->input_vtl || in->rsvd_z8 || in->rsvd_z16)
		return HV_STATUS_INVALID_PARAMETER;
	status = mshv_sim_find_vp(sim, in->partition_id, in->vp_index, &pt,
				  &vp);
	if (status)
		return status;
	mshv_sim_vp_load_page(vp);

	end = mshv_sim_rep_end(sim, call);
	for (i = call->rep_start; i < end; i++) {
		elem = &in->elements[i];
		if (elem->reserved1 || elem->reserved2) {
			status = HV_STATUS_INVALID_PARAMETER;
			break;
		}
		status = mshv_sim_vp_set_reg(vp, elem->name, &elem->value);
		if (status)
			break;
		call->reps_done++;
	}
	mshv_sim_vp_store_page(vp);
	return status;
}

/* ---- State pages -------------------------------------------------------- */

/**
 * mshv_sim_map_vp_state_page() - HvMapVpStatePage
 * @sim: the instance
 * @call: the decoded call
 *
 * The simulator provides the register and intercept message pages itself,
 * as Hyper-V does for the root; a caller-provided location and the GHCB
 * page (isolated partitions only) are refused. Mapping a page twice
 * returns the same page.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_map_vp_state_page(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_map_vp_state_page *in = call->in;
	struct hv_output_map_vp_state_page *out = call->out;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	struct page *page;
	u16 status;

	if (in->input_vtl || in->flags || in->requested_map_location)
		return HV_STATUS_INVALID_PARAMETER;
	if (in->type != HV_VP_STATE_PAGE_REGISTERS &&
	    in->type != HV_VP_STATE_PAGE_INTERCEPT_MESSAGE)
		return HV_STATUS_INVALID_PARAMETER;
	status = mshv_sim_find_vp(sim, in->partition_id, in->vp_index, &pt,
				  &vp);
	if (status)
		return status;

	page = vp->pages[in->type];
	if (!page) {
		page = alloc_page(GFP_ATOMIC | __GFP_ZERO);
		if (!page)
			return HV_STATUS_NO_RESOURCES;
		vp->pages[in->type] = page;
		sim->state_pages++;
		if (in->type == HV_VP_STATE_PAGE_REGISTERS)
			mshv_sim_vp_store_page(vp);
	}
	out->map_location = page_to_pfn(page);
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_unmap_vp_state_page() - HvUnmapVpStatePage
 * @sim: the instance
 * @call: the decoded call
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_unmap_vp_state_page(struct mshv_sim *sim,
				 struct mshv_sim_call *call)
{
	const struct hv_input_unmap_vp_state_page *in = call->in;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	u16 status;

	if (in->input_vtl || in->reserved || in->type >= HV_VP_STATE_PAGE_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	status = mshv_sim_find_vp(sim, in->partition_id, in->vp_index, &pt,
				  &vp);
	if (status)
		return status;
	if (!vp->pages[in->type])
		return HV_STATUS_INVALID_PARAMETER;
	mshv_sim_vp_free_page(sim, vp, in->type);
	return HV_STATUS_SUCCESS;
}

/* ---- VP state transfers ------------------------------------------------- */

/* The xsave components the partition's VPs have. */
static u64 mshv_sim_xsave_states(const struct mshv_sim_partition *pt)
{
	return mshv_sim_property(pt, HV_PARTITION_PROPERTY_XSAVE_STATES);
}

/* The root's page @pfn, if it is ordinary RAM the simulator may touch. */
static void *mshv_sim_root_page(u64 pfn)
{
	struct page *page = pfn_to_online_page(pfn);

	if (!page || (!PageCompound(page) && PageReserved(page)))
		return NULL;
	return page_address(page);
}

/* The reset value of page-sized state @idx, into @buf (one page). */
static void mshv_sim_vp_state_reset(const struct mshv_sim_partition *pt,
				    const struct mshv_sim_vp *vp,
				    unsigned int idx, void *buf)
{
	struct hv_local_interrupt_controller_state *lapic = buf;
	u64 xcomp_bv;
	u32 mxcsr;
	u16 fcw;

	memset(buf, 0, HV_HYP_PAGE_SIZE);
	switch (idx) {
	case MSHV_SIM_VP_STATE_LAPIC:
		lapic->apic_id = vp->index << 24;
		lapic->apic_version = MSHV_SIM_APIC_VERSION;
		lapic->apic_dfr = U32_MAX;
		lapic->apic_spurious = MSHV_SIM_APIC_SPURIOUS;
		lapic->apic_lvt_timer = MSHV_SIM_APIC_LVT_MASKED;
		lapic->apic_lvt_thermal = MSHV_SIM_APIC_LVT_MASKED;
		lapic->apic_lvt_perfmon = MSHV_SIM_APIC_LVT_MASKED;
		lapic->apic_lvt_lint0 = MSHV_SIM_APIC_LVT_MASKED;
		lapic->apic_lvt_lint1 = MSHV_SIM_APIC_LVT_MASKED;
		lapic->apic_lvt_error = MSHV_SIM_APIC_LVT_MASKED;
		lapic->apic_lvt_cmci = MSHV_SIM_APIC_LVT_MASKED;
		break;
	case MSHV_SIM_VP_STATE_XSAVE:
		/* The compacted form, with the x87 and SSE reset values. */
		fcw = MSHV_SIM_FPU_CW;
		mxcsr = MSHV_SIM_MXCSR;
		xcomp_bv = MSHV_SIM_XCOMP_BV_COMPACTED |
			   mshv_sim_xsave_states(pt);
		memcpy(buf, &fcw, sizeof(fcw));
		memcpy(buf + MSHV_SIM_XSAVE_MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
		memcpy(buf + MSHV_SIM_XSAVE_XCOMP_BV_OFFSET, &xcomp_bv,
		       sizeof(xcomp_bv));
		break;
	}
}

/*
 * Check the state descriptor of a get or set: the index of a page-sized
 * state in *@idx, or MSHV_SIM_VP_NR_STATES for the synthetic timers.
 */
static u16 mshv_sim_vp_state_check(const struct mshv_sim_partition *pt,
				   const struct hv_vp_state_data *data,
				   unsigned int *idx)
{
	if (data->rsvd || data->xsave_flags)
		return HV_STATUS_INVALID_PARAMETER;
	switch (data->type) {
	case HV_GET_SET_VP_STATE_XSAVE:
		if (data->xsave_states & ~mshv_sim_xsave_states(pt))
			return HV_STATUS_INVALID_PARAMETER;
		*idx = MSHV_SIM_VP_STATE_XSAVE;
		return HV_STATUS_SUCCESS;
	case HV_GET_SET_VP_STATE_LAPIC_STATE:
	case HV_GET_SET_VP_STATE_SIM_PAGE:
	case HV_GET_SET_VP_STATE_SIEF_PAGE:
		*idx = data->type & ~HV_GET_SET_VP_STATE_TYPE_PFN;
		break;
	case HV_GET_SET_VP_STATE_SYNTHETIC_TIMERS:
		*idx = MSHV_SIM_VP_NR_STATES;
		break;
	default:
		return HV_STATUS_INVALID_PARAMETER;
	}
	return data->xsave_states ? HV_STATUS_INVALID_PARAMETER :
				    HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_get_vp_state() - HvGetVpState
 * @sim: the instance
 * @call: the decoded call
 *
 * A page-sized state (local APIC, xsave area, SynIC message and event
 * flags pages) is written to the first page frame of the variable header;
 * the synthetic timers go to the output page. State never set reads as
 * its reset value.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_get_vp_state(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_get_vp_state *in = call->in;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	unsigned int idx;
	void *buf;
	u16 status;

	if (in->input_vtl || in->rsvd0 || in->rsvd1)
		return HV_STATUS_INVALID_PARAMETER;
	status = mshv_sim_find_vp(sim, in->partition_id, in->vp_index, &pt,
				  &vp);
	if (!status)
		status = mshv_sim_vp_state_check(pt, &in->state_data, &idx);
	if (status)
		return status;

	if (idx == MSHV_SIM_VP_NR_STATES) {
		if (call->varhead)
			return HV_STATUS_INVALID_PARAMETER;
		memcpy(call->out, &vp->stimers, sizeof(vp->stimers));
		return HV_STATUS_SUCCESS;
	}
	if (!call->varhead)
		return HV_STATUS_INVALID_PARAMETER;
	buf = mshv_sim_root_page(in->output_data_pfns[0]);
	if (!buf)
		return HV_STATUS_INVALID_PARAMETER;
	if (vp->state[idx])
		memcpy(buf, vp->state[idx], HV_HYP_PAGE_SIZE);
	else
		mshv_sim_vp_state_reset(pt, vp, idx, buf);
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_set_vp_state() - HvSetVpState
 * @sim: the instance
 * @call: the decoded call
 *
 * A page-sized state is read from the first page frame of the variable
 * header and kept; the synthetic timers are read from the variable header
 * itself (25 units).
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_set_vp_state(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_set_vp_state *in = call->in;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	unsigned int idx;
	void *buf;
	u16 status;

	if (in->input_vtl || in->rsvd0 || in->rsvd1)
		return HV_STATUS_INVALID_PARAMETER;
	status = mshv_sim_find_vp(sim, in->partition_id, in->vp_index, &pt,
				  &vp);
	if (!status)
		status = mshv_sim_vp_state_check(pt, &in->state_data, &idx);
	if (status)
		return status;

	if (idx == MSHV_SIM_VP_NR_STATES) {
		if (call->varhead * sizeof(u64) < sizeof(vp->stimers))
			return HV_STATUS_INVALID_PARAMETER;
		memcpy(&vp->stimers, in->data, sizeof(vp->stimers));
		return HV_STATUS_SUCCESS;
	}
	if (!call->varhead)
		return HV_STATUS_INVALID_PARAMETER;
	buf = mshv_sim_root_page(in->data[0]);
	if (!buf)
		return HV_STATUS_INVALID_PARAMETER;
	if (!vp->state[idx]) {
		vp->state[idx] = kmalloc(HV_HYP_PAGE_SIZE, GFP_ATOMIC);
		if (!vp->state[idx])
			return HV_STATUS_NO_RESOURCES;
	}
	memcpy(vp->state[idx], buf, HV_HYP_PAGE_SIZE);
	return HV_STATUS_SUCCESS;
}

/* ---- Intercepts --------------------------------------------------------- */

static bool mshv_sim_intercept_type_ok(u32 type, u64 parameter)
{
	switch (type) {
	case HV_INTERCEPT_TYPE_X64_IO_PORT:
		return parameter <= U16_MAX;
	case HV_INTERCEPT_TYPE_X64_CPUID:
	case HV_INTERCEPT_TYPE_X64_MSR_INDEX:
		return parameter <= U32_MAX;
	case HV_INTERCEPT_TYPE_EXCEPTION:
		return parameter < 32;
	case HV_INTERCEPT_TYPE_X64_MSR:
	case HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID:
		return true;
	default:
		return false;
	}
}

/**
 * mshv_sim_install_intercept() - HvInstallIntercept
 * @sim: the instance
 * @call: the decoded call
 *
 * Installing an intercept that exists replaces its access mask; a mask of
 * 0 is refused. I/O ports are always intercepted (the simulator emulates
 * no device), so an I/O port intercept changes nothing but is recorded.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_install_intercept(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_install_intercept *in = call->in;
	struct mshv_sim_intercept *icpt;
	struct mshv_sim_partition *pt;
	unsigned int i;

	pt = mshv_sim_find(sim, in->partition_id, false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (!in->access_type_mask ||
	    in->access_type_mask & ~(HV_INTERCEPT_ACCESS_MASK_READ |
				     HV_INTERCEPT_ACCESS_MASK_WRITE |
				     HV_INTERCEPT_ACCESS_MASK_EXECUTE) ||
	    !mshv_sim_intercept_type_ok(in->intercept_type,
					in->intercept_parameter))
		return HV_STATUS_INVALID_PARAMETER;

	for (i = 0; i < pt->nr_intercepts; i++) {
		icpt = &pt->intercepts[i];
		if (icpt->type == in->intercept_type &&
		    icpt->parameter == in->intercept_parameter) {
			icpt->access_mask = in->access_type_mask;
			return HV_STATUS_SUCCESS;
		}
	}
	if (pt->nr_intercepts == MSHV_SIM_MAX_INTERCEPTS)
		return HV_STATUS_NO_RESOURCES;
	icpt = &pt->intercepts[pt->nr_intercepts++];
	icpt->type = in->intercept_type;
	icpt->access_mask = in->access_type_mask;
	icpt->parameter = in->intercept_parameter;
	return HV_STATUS_SUCCESS;
}
