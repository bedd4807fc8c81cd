// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual processors of the simulated hypervisor: their architectural
 * state under the TLFS register names, the state pages the hypervisor
 * shares with the root (register page, intercept message page), the
 * intercepts a parent installs, and HvDispatchVp, which runs guest code
 * with the interpreter of x86.c through the partition's SLAT and
 * turns whatever stops it into the intercept message Hyper-V would post.
 *
 * Like every simulated hypercall, all of it runs with sim->lock held and
 * IRQs disabled. One dispatch executes at most MSHV_SIM_DISPATCH_BUDGET
 * instructions, so the lock is never held for long: when the budget runs
 * out the dispatch returns as if the time slice had ended, and the root
 * dispatches again.
 */
#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/memory_hotplug.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <hyperv/hvhdk.h>

#include "sim.h"
#include "x86.h"

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

/* Memory type reported in memory intercepts: write-back. */
#define MSHV_SIM_CACHE_TYPE_WB		6

/* HV_REGISTER_INTERRUPT_STATE bits */
#define MSHV_SIM_INTERRUPT_SHADOW	BIT_ULL(0)

/* Dispatch flags the simulator understands. */
#define MSHV_SIM_DISPATCH_FLAGS					\
	(HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND |		\
	 HV_DISPATCH_VP_FLAG_ENABLE_CALLER_INTERRUPTS |		\
	 HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION)

/* Reset values of the local APIC and the xsave area. */
#define MSHV_SIM_APIC_LVT_MASKED	BIT(16)
#define MSHV_SIM_FPU_CW			0x037f
#define MSHV_SIM_MXCSR			0x1f80
#define MSHV_SIM_XSAVE_MXCSR_OFFSET	24
#define MSHV_SIM_XSAVE_XCOMP_BV_OFFSET	520
#define MSHV_SIM_XCOMP_BV_COMPACTED	BIT_ULL(63)

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
	vp->tsc = 0;
	vp->tsc_ns = ktime_get_ns();
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
	if (!list_empty(&vp->run_node)) {
		list_del(&vp->run_node);
		sim->nr_runnable--;
	}
	mshv_sim_synic_cancel(&vp->notify);
	mshv_sim_synic_cancel(&vp->lapic.signal);
	mshv_sim_synic_cancel(&vp->lapic.eoi);
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

/* Processors of the root partition */

/**
 * mshv_sim_add_logical_processor() - HvAddLogicalProcessor
 * @sim: the instance
 * @call: the decoded call
 *
 * The root hands the hypervisor one more physical processor. The index
 * must be new and below MSHV_SIM_MAX_LPS, the APIC id must not be in use,
 * and the root pool must have MSHV_SIM_KNOB_LP_PAGES free pages for the
 * hypervisor's per-processor state. The output reports a successful
 * start-up.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_add_logical_processor(struct mshv_sim *sim,
				   struct mshv_sim_call *call)
{
	const struct hv_input_add_logical_processor *in = call->in;
	struct hv_output_add_logical_processor *out = call->out;
	u32 need = READ_ONCE(sim->knobs[MSHV_SIM_KNOB_LP_PAGES]);
	unsigned int lp;

	if (in->lp_index >= MSHV_SIM_MAX_LPS)
		return HV_STATUS_INVALID_LP_INDEX;
	if (test_bit(in->lp_index, sim->lps))
		return HV_STATUS_INVALID_PARAMETER;
	for_each_set_bit(lp, sim->lps, MSHV_SIM_MAX_LPS)
		if (sim->lp_apic_ids[lp] == in->apic_id)
			return HV_STATUS_INVALID_PARAMETER;
	if (mshv_sim_pool_free(&sim->root.pool) < need)
		return HV_STATUS_INSUFFICIENT_MEMORY;

	__set_bit(in->lp_index, sim->lps);
	sim->lp_apic_ids[in->lp_index] = in->apic_id;
	sim->root.pool.nr_in_use += need;
	memset(out, 0, sizeof(*out));
	out->startup_status.hv_status = HV_STATUS_SUCCESS;
	return HV_STATUS_SUCCESS;
}

/*
 * HvCreateVp for one of the root's own VPs. As the root partition creates
 * them, VP n runs on logical processor n, which the flags name and which
 * must have been added; the VP's state stays with the root, so only the
 * root pool's pages are accounted.
 */
static u16 mshv_sim_create_root_vp(struct mshv_sim *sim,
				   const struct hv_input_create_vp *in)
{
	u32 need = READ_ONCE(sim->knobs[MSHV_SIM_KNOB_VP_PAGES]);

	if (in->vp_index >= MSHV_SIM_MAX_LPS)
		return HV_STATUS_INVALID_VP_INDEX;
	if (in->flags >= MSHV_SIM_MAX_LPS || !test_bit(in->flags, sim->lps))
		return HV_STATUS_INVALID_LP_INDEX;
	if (memchr_inv(in->padding, 0, sizeof(in->padding)) ||
	    in->subnode_type || in->subnode_id)
		return HV_STATUS_INVALID_PARAMETER;
	if (test_bit(in->vp_index, sim->root_vps))
		return HV_STATUS_INVALID_VP_STATE;
	if (mshv_sim_pool_free(&sim->root.pool) < need)
		return HV_STATUS_INSUFFICIENT_MEMORY;

	__set_bit(in->vp_index, sim->root_vps);
	sim->root.pool.nr_in_use += need;
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_create_vp() - HvCreateVp
 * @sim: the instance
 * @call: the decoded call
 *
 * The partition must be initialized and have MSHV_SIM_KNOB_VP_PAGES free
 * pages in its pool; the new VP is in the architectural reset state. When
 * the simulator schedules VPs itself, the new VP is explicitly suspended:
 * it runs once the root clears HV_REGISTER_EXPLICIT_SUSPEND. With
 * HV_PARTITION_ID_SELF the root creates one of its own VPs instead.
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

	if (in->partition_id == HV_PARTITION_ID_SELF)
		return mshv_sim_create_root_vp(sim, in);
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
	vp->pt = pt;
	vp->sim = sim;
	INIT_LIST_HEAD(&vp->run_node);
	INIT_LIST_HEAD(&vp->notify.node);
	mshv_sim_vp_reset(vp);
	mshv_sim_lapic_reset(vp);
	/* The simulator's scheduler runs a VP once the root resumes it. */
	vp->explicit_suspend = mshv_sim_hv_scheduler(sim);
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

/*
 * The time stamp counter, shared by RDTSC, the TSC MSR and the TSC
 * register: it counts at the processor clock frequency from the value
 * last written.
 */
static u64 mshv_sim_vp_tsc(const struct mshv_sim_vp *vp)
{
	return vp->tsc + mul_u64_u64_div_u64(ktime_get_ns() - vp->tsc_ns,
					     MSHV_SIM_CLOCK_FREQUENCY,
					     NSEC_PER_SEC);
}

static void mshv_sim_vp_set_tsc(struct mshv_sim_vp *vp, u64 value)
{
	vp->tsc = value;
	vp->tsc_ns = ktime_get_ns();
}

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
	if (name == HV_X64_REGISTER_TSC) {
		val->reg64 = mshv_sim_vp_tsc(vp);
		return HV_STATUS_SUCCESS;
	}
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

	if (name == HV_X64_REGISTER_TSC) {
		mshv_sim_vp_set_tsc(vp, val->reg64);
		return HV_STATUS_SUCCESS;
	}
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
	mshv_sim_lapic_wake(vp);
	mshv_sim_vp_sched_update(sim, vp);
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
	mshv_sim_vp_sched_update(sim, vp);
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
	if (idx == MSHV_SIM_VP_STATE_LAPIC)
		mshv_sim_lapic_save(vp, buf);
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
	if (idx == MSHV_SIM_VP_STATE_LAPIC) {
		mshv_sim_lapic_restore(vp, buf);
		mshv_sim_vp_sched_update(sim, vp);
	}
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

/* Whether @pt's parent intercepts an access of kind @mask to @parameter. */
static bool mshv_sim_intercepted(const struct mshv_sim_partition *pt,
				 u32 type, u32 mask, u64 parameter,
				 bool any_parameter)
{
	const struct mshv_sim_intercept *icpt;
	unsigned int i;

	for (i = 0; i < pt->nr_intercepts; i++) {
		icpt = &pt->intercepts[i];
		if (icpt->type == type && (icpt->access_mask & mask) &&
		    (any_parameter || icpt->parameter == parameter))
			return true;
	}
	return false;
}

/* ---- Running guest code ------------------------------------------------- */

/*
 * Guest physical memory as the VP @ctx sees it: its local APIC's page,
 * if it has one, in front of the partition's SLAT.
 */
static int mshv_sim_vp_read(void *ctx, u64 gpa, void *buf, u32 len,
			    enum mshv_sim_access acc,
			    struct mshv_sim_gpa_fault *fault)
{
	struct mshv_sim_vp *vp = ctx;

	if (acc == MSHV_SIM_ACCESS_READ &&
	    mshv_sim_lapic_mmio(vp, gpa, buf, len, false))
		return 0;
	return mshv_sim_slat_access(vp->pt, gpa, buf, len, acc, fault);
}

static int mshv_sim_vp_write(void *ctx, u64 gpa, const void *buf, u32 len,
			     struct mshv_sim_gpa_fault *fault)
{
	struct mshv_sim_vp *vp = ctx;

	/* With MSHV_SIM_ACCESS_WRITE the buffer is only read. */
	if (mshv_sim_lapic_mmio(vp, gpa, (void *)buf, len, true) ||
	    mshv_sim_doorbell_write(vp->sim, vp->pt, gpa, buf, len))
		return 0;
	return mshv_sim_slat_access(vp->pt, gpa, (void *)buf, len,
				    MSHV_SIM_ACCESS_WRITE, fault);
}

static const struct mshv_sim_x86_mem_ops mshv_sim_vp_mem_ops = {
	.read = mshv_sim_vp_read,
	.write = mshv_sim_vp_write,
};

/**
 * struct mshv_sim_msg - an intercept message being built
 * @type: HVMSG_* type
 * @size: bytes of @payload used
 * @payload: the payload
 */
struct mshv_sim_msg {
	u32 type;
	u32 size;
	union {
		struct hv_x64_intercept_message_header header;
		struct hv_x64_io_port_intercept_message io;
		struct hv_x64_memory_intercept_message mem;
		struct hv_x64_msr_intercept_message msr;
		struct hv_x64_cpuid_intercept_message cpuid;
		struct hv_x64_exception_intercept_message exc;
		struct hv_unsupported_feature_message unsupported;
	} payload;
};

static_assert(sizeof_field(struct mshv_sim_msg, payload) <=
	      HV_MESSAGE_PAYLOAD_BYTE_COUNT);

static void mshv_sim_msg_header(const struct mshv_sim_vp *vp,
				const struct mshv_sim_x86_exit *exit,
				u8 access, struct mshv_sim_msg *msg)
{
	const struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	struct hv_x64_intercept_message_header *h = &msg->payload.header;
	u16 cs_attr = cpu->seg[MSHV_SIM_X86_CS].attributes;
	u16 state = FIELD_PREP(HV_X64_EXEC_STATE_CPL, (cs_attr >> 5) & 3);

	if (cpu->cr0 & X86_CR0_PE)
		state |= HV_X64_EXEC_STATE_CR0_PE;
	if (cpu->cr0 & X86_CR0_AM)
		state |= HV_X64_EXEC_STATE_CR0_AM;
	if (cpu->efer & EFER_LMA)
		state |= HV_X64_EXEC_STATE_EFER_LMA;
	if (cpu->interrupt_shadow)
		state |= HV_X64_EXEC_STATE_INTERRUPT_SHADOW;

	h->vp_index = vp->index;
	h->instruction_length = (exit->insn_len & 0xf) | ((cpu->cr8 & 0xf) << 4);
	h->intercept_access_type = access;
	h->execution_state = state;
	mshv_sim_seg_to_hv(&cpu->seg[MSHV_SIM_X86_CS], &h->cs);
	h->rip = cpu->rip;
	h->rflags = cpu->rflags;
}

static void mshv_sim_msg_io(const struct mshv_sim_vp *vp,
			    const struct mshv_sim_x86_exit *exit,
			    struct mshv_sim_msg *msg)
{
	const struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	struct hv_x64_io_port_intercept_message *io = &msg->payload.io;

	msg->type = HVMSG_X64_IOPORT_INTERCEPT;
	msg->size = sizeof(*io);
	mshv_sim_msg_header(vp, exit, exit->io.write ?
			    HV_INTERCEPT_ACCESS_WRITE :
			    HV_INTERCEPT_ACCESS_READ, msg);
	io->port_number = exit->io.port;
	io->access_info = FIELD_PREP(HV_X64_IO_ACCESS_SIZE, exit->io.size);
	if (exit->io.string)
		io->access_info |= HV_X64_IO_STRING_OP;
	if (exit->io.rep)
		io->access_info |= HV_X64_IO_REP_PREFIX;
	io->instruction_byte_count = exit->insn_byte_count;
	io->rax = cpu->gpr[0];
	memcpy(io->instruction_bytes, exit->insn_bytes,
	       sizeof(io->instruction_bytes));
	mshv_sim_seg_to_hv(&cpu->seg[MSHV_SIM_X86_DS], &io->ds);
	mshv_sim_seg_to_hv(&cpu->seg[MSHV_SIM_X86_ES], &io->es);
	io->rcx = cpu->gpr[1];
	io->rsi = cpu->gpr[6];
	io->rdi = cpu->gpr[7];
}

static u8 mshv_sim_access_type(enum mshv_sim_access acc)
{
	switch (acc) {
	case MSHV_SIM_ACCESS_WRITE:
		return HV_INTERCEPT_ACCESS_WRITE;
	case MSHV_SIM_ACCESS_EXECUTE:
		return HV_INTERCEPT_ACCESS_EXECUTE;
	default:
		return HV_INTERCEPT_ACCESS_READ;
	}
}

static void mshv_sim_msg_gpa(const struct mshv_sim_vp *vp,
			     const struct mshv_sim_x86_exit *exit,
			     struct mshv_sim_msg *msg)
{
	struct hv_x64_memory_intercept_message *mem = &msg->payload.mem;

	msg->type = exit->gpa.reason == MSHV_SIM_GPA_UNMAPPED ?
		    HVMSG_UNMAPPED_GPA : HVMSG_GPA_INTERCEPT;
	msg->size = sizeof(*mem);
	mshv_sim_msg_header(vp, exit, mshv_sim_access_type(exit->gpa.access),
			    msg);
	mem->cache_type = MSHV_SIM_CACHE_TYPE_WB;
	mem->instruction_byte_count = exit->insn_byte_count;
	if (exit->gpa.gva_valid) {
		mem->memory_access_info = HV_X64_MEMORY_GVA_VALID |
					  HV_X64_MEMORY_GVA_GPA_VALID;
		mem->guest_virtual_address = exit->gpa.gva;
	}
	mem->guest_physical_address = exit->gpa.gpa;
	memcpy(mem->instruction_bytes, exit->insn_bytes,
	       sizeof(mem->instruction_bytes));
}

static void mshv_sim_msg_msr(const struct mshv_sim_vp *vp,
			     const struct mshv_sim_x86_exit *exit,
			     struct mshv_sim_msg *msg)
{
	struct hv_x64_msr_intercept_message *msr = &msg->payload.msr;

	msg->type = HVMSG_X64_MSR_INTERCEPT;
	msg->size = sizeof(*msr);
	mshv_sim_msg_header(vp, exit,
			    exit->reason == MSHV_SIM_X86_EXIT_WRMSR ?
			    HV_INTERCEPT_ACCESS_WRITE :
			    HV_INTERCEPT_ACCESS_READ, msg);
	msr->msr_number = vp->cpu.gpr[1];
	msr->rdx = vp->cpu.gpr[2];
	msr->rax = vp->cpu.gpr[0];
}

static void mshv_sim_msg_exception(const struct mshv_sim_vp *vp,
				   const struct mshv_sim_x86_exit *exit,
				   struct mshv_sim_msg *msg)
{
	const struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	struct hv_x64_exception_intercept_message *exc = &msg->payload.exc;

	msg->type = HVMSG_X64_EXCEPTION_INTERCEPT;
	msg->size = sizeof(*exc);
	mshv_sim_msg_header(vp, exit, HV_INTERCEPT_ACCESS_EXECUTE, msg);
	exc->exception_vector = exit->exception.vector;
	if (exit->exception.has_error_code) {
		exc->exception_info = HV_X64_EXCEPTION_ERROR_CODE_VALID;
		exc->error_code = exit->exception.error_code;
	}
	exc->instruction_byte_count = exit->insn_byte_count;
	exc->exception_parameter = exit->exception.cr2;
	memcpy(exc->instruction_bytes, exit->insn_bytes,
	       sizeof(exc->instruction_bytes));
	mshv_sim_seg_to_hv(&cpu->seg[MSHV_SIM_X86_DS], &exc->ds);
	mshv_sim_seg_to_hv(&cpu->seg[MSHV_SIM_X86_SS], &exc->ss);
	memcpy(exc->gprs, cpu->gpr, sizeof(exc->gprs));
}

/*
 * An instruction the interpreter cannot execute: report it as an
 * unsupported feature, with the first eight instruction bytes (little
 * endian) as the parameter, rather than guess.
 */
static void mshv_sim_msg_unsupported(const struct mshv_sim_vp *vp,
				     const struct mshv_sim_x86_exit *exit,
				     struct mshv_sim_msg *msg)
{
	struct hv_unsupported_feature_message *uf = &msg->payload.unsupported;
	unsigned int i;

	msg->type = HVMSG_UNSUPPORTED_FEATURE;
	msg->size = sizeof(*uf);
	uf->vp_index = vp->index;
	uf->feature_code = HV_UNSUPPORTED_FEATURE_INTERCEPT;
	for (i = 0; i < min_t(unsigned int, exit->insn_byte_count, 8); i++)
		uf->feature_parameter |= (u64)exit->insn_bytes[i] << (8 * i);
}

/* Post @msg in @vp's intercept message page and suspend the VP. */
static void mshv_sim_post(struct mshv_sim_vp *vp, const struct mshv_sim_msg *msg)
{
	struct hv_message *hvmsg;

	hvmsg = page_address(vp->pages[HV_VP_STATE_PAGE_INTERCEPT_MESSAGE]);
	memset(hvmsg, 0, sizeof(*hvmsg));
	hvmsg->header.message_type = msg->type;
	hvmsg->header.payload_size = msg->size;
	memcpy(hvmsg->u.payload, &msg->payload, msg->size);
	vp->intercept_suspend = 1;
	mshv_sim_trace_msg(vp, hvmsg);
}

/*
 * The processor this simulator models, as CPUID reports it: a 64-bit
 * family 6 processor with a local APIC, running under a hypervisor that
 * identifies itself as Hyper-V. Leaves not listed read as zero.
 */
static void mshv_sim_cpuid(const struct mshv_sim_vp *vp, u32 leaf, u32 *eax,
			   u32 *ebx, u32 *ecx, u32 *edx)
{
	*eax = *ebx = *ecx = *edx = 0;
	switch (leaf) {
	case 0:
		*eax = 1;
		*ebx = 0x7668734d;	/* "MshvSimCpu  " */
		*edx = 0x436d6953;
		*ecx = 0x20207570;
		break;
	case 1:
		*eax = 0x000006f1;
		*ebx = vp->index << 24;
		*ecx = BIT(31);			/* hypervisor present */
		if (vp->pt->flags & HV_PARTITION_CREATION_FLAG_X2APIC_CAPABLE)
			*ecx |= BIT(21);	/* x2APIC */
		*edx = BIT(0) | BIT(4) | BIT(5) | BIT(6) | BIT(9) | BIT(15);
		break;
	case 0x40000000:
		*eax = 0x40000005;
		*ebx = 0x7263694d;	/* "Microsoft Hv" */
		*ecx = 0x666f736f;
		*edx = 0x76482074;
		break;
	case 0x80000000:
		*eax = 0x80000001;
		break;
	case 0x80000001:
		*edx = BIT(20) | BIT(29);	/* NX, long mode */
		break;
	}
}

/* CPUID: answer it, or post an intercept with the answer as default. */
static bool mshv_sim_vp_cpuid(const struct mshv_sim_partition *pt,
			      struct mshv_sim_vp *vp,
			      const struct mshv_sim_x86_exit *exit,
			      struct mshv_sim_msg *msg)
{
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	struct hv_x64_cpuid_intercept_message *c = &msg->payload.cpuid;
	u32 leaf = cpu->gpr[0], a, b, cx, d;

	mshv_sim_cpuid(vp, leaf, &a, &b, &cx, &d);
	if (!mshv_sim_intercepted(pt, HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID,
				  HV_INTERCEPT_ACCESS_MASK_EXECUTE, 0, true) &&
	    !mshv_sim_intercepted(pt, HV_INTERCEPT_TYPE_X64_CPUID,
				  HV_INTERCEPT_ACCESS_MASK_EXECUTE, leaf,
				  false)) {
		cpu->gpr[0] = a;
		cpu->gpr[3] = b;
		cpu->gpr[1] = cx;
		cpu->gpr[2] = d;
		mshv_sim_x86_skip(cpu, exit);
		return false;
	}
	msg->type = HVMSG_X64_CPUID_INTERCEPT;
	msg->size = sizeof(*c);
	mshv_sim_msg_header(vp, exit, HV_INTERCEPT_ACCESS_EXECUTE, msg);
	c->rax = cpu->gpr[0];
	c->rcx = cpu->gpr[1];
	c->rdx = cpu->gpr[2];
	c->rbx = cpu->gpr[3];
	c->default_result_rax = a;
	c->default_result_rcx = cx;
	c->default_result_rdx = d;
	c->default_result_rbx = b;
	return true;
}

/* The MSRs the simulated processor implements itself. */
static u64 *mshv_sim_vp_msr(struct mshv_sim_vp *vp, u32 index)
{
	switch (index) {
	case MSR_IA32_APICBASE:
		return &vp->apic_base;
	case MSR_IA32_CR_PAT:
		return &vp->pat;
	case MSR_EFER:
		return &vp->cpu.efer;
	default:
		return NULL;
	}
}

/*
 * RDMSR/WRMSR of a local APIC MSR. Return 0 if it completed, -1 if it
 * must fault, 1 if the MSR is not the APIC's.
 */
static int mshv_sim_vp_apic_msr(struct mshv_sim_vp *vp,
				const struct mshv_sim_x86_exit *exit, bool write)
{
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	u64 value = (cpu->gpr[2] << 32) | (u32)cpu->gpr[0];

	switch (mshv_sim_lapic_msr(vp, cpu->gpr[1], write, &value)) {
	case 0:
		if (!write) {
			cpu->gpr[0] = (u32)value;
			cpu->gpr[2] = value >> 32;
		}
		mshv_sim_x86_skip(cpu, exit);
		return 0;
	case -EINVAL:
		return -1;
	default:
		return 1;
	}
}

/*
 * RDMSR/WRMSR of a synthetic MSR: the partition reference counter, which
 * the guest may read if its synthetic processor features grant access to
 * it (it stands still while the partition's time is frozen). Return 0
 * if it completed, -1 if it must fault, 1 if the MSR is not one of these.
 */
static int mshv_sim_vp_synthetic_msr(const struct mshv_sim_partition *pt,
				     struct mshv_sim_vp *vp,
				     const struct mshv_sim_x86_exit *exit,
				     bool write)
{
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	u64 value;

	if (cpu->gpr[1] != HV_X64_MSR_TIME_REF_COUNT ||
	    !(mshv_sim_property(pt, HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES) &
	      HV_SYNTHETIC_PROC_FEATURE_ACCESS_PARTITION_REFERENCE_COUNTER))
		return 1;
	if (write)
		return -1;
	value = mshv_sim_reference_time(pt);
	cpu->gpr[0] = (u32)value;
	cpu->gpr[2] = value >> 32;
	mshv_sim_x86_skip(cpu, exit);
	return 0;
}

/*
 * RDMSR/WRMSR: an implemented MSR is read or written here (the local
 * APIC's by lapic.c); any other is intercepted if the parent
 * asked for it, and otherwise raises #GP(0) or is ignored, as the
 * partition's UNIMPLEMENTED_MSR_ACTION property says. Return 1 if an
 * intercept was built, 0 if the instruction completed, -1 if it must fault.
 */
static int mshv_sim_vp_msr_access(const struct mshv_sim_partition *pt,
				  struct mshv_sim_vp *vp,
				  const struct mshv_sim_x86_exit *exit,
				  struct mshv_sim_msg *msg)
{
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	bool write = exit->reason == MSHV_SIM_X86_EXIT_WRMSR;
	u32 mask = write ? HV_INTERCEPT_ACCESS_MASK_WRITE :
			   HV_INTERCEPT_ACCESS_MASK_READ;
	u32 index = cpu->gpr[1];
	u64 *msr, tsc;
	int ret;

	if (mshv_sim_intercepted(pt, HV_INTERCEPT_TYPE_X64_MSR_INDEX, mask,
				 index, false)) {
		mshv_sim_msg_msr(vp, exit, msg);
		return 1;
	}
	ret = mshv_sim_vp_apic_msr(vp, exit, write);
	if (ret <= 0)
		return ret;
	if (index == MSR_IA32_TSC) {
		if (write) {
			mshv_sim_vp_set_tsc(vp, (cpu->gpr[2] << 32) |
					    (u32)cpu->gpr[0]);
		} else {
			tsc = mshv_sim_vp_tsc(vp);
			cpu->gpr[0] = (u32)tsc;
			cpu->gpr[2] = tsc >> 32;
		}
		mshv_sim_x86_skip(cpu, exit);
		return 0;
	}
	msr = mshv_sim_vp_msr(vp, index);
	if (msr) {
		if (write) {
			*msr = (cpu->gpr[2] << 32) | (u32)cpu->gpr[0];
		} else {
			cpu->gpr[0] = (u32)*msr;
			cpu->gpr[2] = *msr >> 32;
		}
		mshv_sim_x86_skip(cpu, exit);
		return 0;
	}
	ret = mshv_sim_vp_synthetic_msr(pt, vp, exit, write);
	if (ret <= 0)
		return ret;
	if (mshv_sim_intercepted(pt, HV_INTERCEPT_TYPE_X64_MSR, mask, 0,
				 true)) {
		mshv_sim_msg_msr(vp, exit, msg);
		return 1;
	}
	/* Not implemented: the partition's property says what happens. */
	if (mshv_sim_property(pt, HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION) !=
	    HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO)
		return -1;
	if (!write) {
		cpu->gpr[0] = 0;
		cpu->gpr[2] = 0;
	}
	mshv_sim_x86_skip(cpu, exit);
	return 0;
}

/*
 * An exception the guest raised: post an exception intercept if the
 * parent installed one for the vector, otherwise deliver it to the guest.
 * A delivery the guest's own tables make impossible is reported as an
 * unrecoverable exception (what a triple fault is to Hyper-V), or as a
 * memory intercept if it touched memory the SLAT does not map.
 */
static bool mshv_sim_vp_exception(struct mshv_sim_partition *pt,
				  struct mshv_sim_vp *vp,
				  struct mshv_sim_x86_exit *exit,
				  struct mshv_sim_msg *msg)
{
	struct mshv_sim_x86_exit dexit = {};

	if (mshv_sim_intercepted(pt, HV_INTERCEPT_TYPE_EXCEPTION,
				 HV_INTERCEPT_ACCESS_MASK_EXECUTE,
				 exit->exception.vector, false)) {
		mshv_sim_msg_exception(vp, exit, msg);
		return true;
	}
	if (exit->exception.vector == X86_TRAP_PF)
		vp->cpu.cr2 = exit->exception.cr2;
	if (!mshv_sim_x86_deliver(&vp->cpu, &mshv_sim_vp_mem_ops, vp,
				  exit->exception.vector,
				  exit->exception.has_error_code,
				  exit->exception.error_code, &dexit))
		return false;
	if (dexit.reason == MSHV_SIM_X86_EXIT_GPA) {
		mshv_sim_msg_gpa(vp, &dexit, msg);
		return true;
	}
	msg->type = HVMSG_UNRECOVERABLE_EXCEPTION;
	msg->size = sizeof(msg->payload.header);
	mshv_sim_msg_header(vp, exit, HV_INTERCEPT_ACCESS_EXECUTE, msg);
	return true;
}

/* #GP(0) raised by the current instruction. */
static void mshv_sim_gp0(struct mshv_sim_x86_exit *exit)
{
	exit->reason = MSHV_SIM_X86_EXIT_EXCEPTION;
	exit->exception.vector = X86_TRAP_GP;
	exit->exception.has_error_code = true;
	exit->exception.error_code = 0;
	exit->exception.cr2 = 0;
}

/*
 * Act on what stopped the interpreter. Return true if an intercept
 * message was built in @msg, false if the VP may go on running.
 */
static bool mshv_sim_vp_exit(struct mshv_sim_partition *pt,
			     struct mshv_sim_vp *vp,
			     struct mshv_sim_x86_exit *exit,
			     struct mshv_sim_msg *msg)
{
	u64 tsc;

	switch (exit->reason) {
	case MSHV_SIM_X86_EXIT_IO:
		mshv_sim_msg_io(vp, exit, msg);
		return true;
	case MSHV_SIM_X86_EXIT_GPA:
		mshv_sim_msg_gpa(vp, exit, msg);
		return true;
	case MSHV_SIM_X86_EXIT_HLT:
		if (mshv_sim_lapic_halt(vp))
			return false;
		msg->type = HVMSG_X64_HALT;
		msg->size = sizeof(msg->payload.header);
		mshv_sim_msg_header(vp, exit, HV_INTERCEPT_ACCESS_EXECUTE, msg);
		return true;
	case MSHV_SIM_X86_EXIT_CPUID:
		return mshv_sim_vp_cpuid(pt, vp, exit, msg);
	case MSHV_SIM_X86_EXIT_RDMSR:
	case MSHV_SIM_X86_EXIT_WRMSR:
		switch (mshv_sim_vp_msr_access(pt, vp, exit, msg)) {
		case 1:
			return true;
		case 0:
			return false;
		}
		mshv_sim_gp0(exit);
		return mshv_sim_vp_exception(pt, vp, exit, msg);
	case MSHV_SIM_X86_EXIT_EXCEPTION:
		return mshv_sim_vp_exception(pt, vp, exit, msg);
	case MSHV_SIM_X86_EXIT_RDTSC:
		tsc = mshv_sim_vp_tsc(vp);
		vp->cpu.gpr[0] = (u32)tsc;
		vp->cpu.gpr[2] = tsc >> 32;
		mshv_sim_x86_skip(&vp->cpu, exit);
		return false;
	case MSHV_SIM_X86_EXIT_UNSUPPORTED:
		mshv_sim_msg_unsupported(vp, exit, msg);
		return true;
	default:
		return false;
	}
}

/*
 * Deliver the interrupt @vp's local APIC has for it now, if any. A
 * delivery the guest's tables make impossible stops the VP like a failed
 * exception delivery does. Return true if an intercept was built in @msg.
 */
static bool mshv_sim_vp_interrupt(struct mshv_sim_vp *vp,
				  struct mshv_sim_msg *msg)
{
	struct mshv_sim_x86_exit dexit = {};
	int vector = mshv_sim_lapic_next(vp);

	if (vector < 0)
		return false;
	if (!mshv_sim_x86_deliver(&vp->cpu, &mshv_sim_vp_mem_ops, vp, vector,
				  false, 0, &dexit)) {
		mshv_sim_lapic_ack(vp, vector);
		return false;
	}
	switch (dexit.reason) {
	case MSHV_SIM_X86_EXIT_GPA:
		mshv_sim_msg_gpa(vp, &dexit, msg);
		break;
	case MSHV_SIM_X86_EXIT_UNSUPPORTED:
		mshv_sim_msg_unsupported(vp, &dexit, msg);
		break;
	default:
		msg->type = HVMSG_UNRECOVERABLE_EXCEPTION;
		msg->size = sizeof(msg->payload.header);
		mshv_sim_msg_header(vp, &dexit, HV_INTERCEPT_ACCESS_EXECUTE,
				    msg);
		break;
	}
	return true;
}

/*
 * Tell the root, on its SINT0, that @vp ended a level-triggered interrupt.
 * The VP goes on running. One such message is on its way at a time; the
 * EOIs of other vectors wait in the local APIC's queue until the root
 * has taken it, and are reported one by one.
 */
static void mshv_sim_vp_post_eoi(struct mshv_sim_vp *vp)
{
	struct mshv_sim_sint_msg *msg = &vp->lapic.eoi;
	struct hv_x64_apic_eoi_message eoi;

	if (!list_empty(&msg->node) || !mshv_sim_lapic_take_eoi(vp, &eoi))
		return;
	msg->type = HVMSG_X64_APIC_EOI;
	msg->sender = vp->pt->id;
	msg->size = sizeof(eoi);
	memcpy(msg->payload, &eoi, sizeof(eoi));
	mshv_sim_synic_post(vp->sim, msg);
}

/*
 * What @vp's local APIC does between two instructions: report the EOI of
 * a level-triggered interrupt to the root, and deliver an interrupt.
 * Return true if an intercept was built in @msg.
 */
static bool mshv_sim_vp_apic_step(struct mshv_sim_vp *vp,
				  struct mshv_sim_msg *msg)
{
	mshv_sim_vp_post_eoi(vp);
	return mshv_sim_vp_interrupt(vp, msg);
}

/*
 * Run @vp for one budget; true if it stopped at a posted intercept. A VP
 * with a local APIC runs one instruction at a time, so that an interrupt
 * is taken, and a level-triggered EOI reported, at the right instruction
 * boundary; it stops early when it halts waiting for an interrupt.
 */
static bool mshv_sim_vp_run_budget(struct mshv_sim_partition *pt,
				   struct mshv_sim_vp *vp)
{
	bool apic = mshv_sim_lapic_active(vp);
	u32 budget = MSHV_SIM_DISPATCH_BUDGET;
	struct mshv_sim_x86_exit exit;
	struct mshv_sim_msg msg;
	int done;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		if (apic && mshv_sim_vp_apic_step(vp, &msg))
			break;
		if (!budget || mshv_sim_lapic_blocked(vp))
			return false;
		memset(&exit, 0, sizeof(exit));
		done = mshv_sim_x86_run(&vp->cpu, &mshv_sim_vp_mem_ops, vp,
					apic ? 1 : budget, &exit);
		budget -= min_t(u32, max(done, 0), budget);
		if (exit.reason == MSHV_SIM_X86_EXIT_BUDGET)
			continue;
		if (mshv_sim_vp_exit(pt, vp, &exit, &msg))
			break;
		/* What was handled here counts as one instruction. */
		if (budget)
			budget--;
	}
	mshv_sim_post(vp, &msg);
	return true;
}

/*
 * Run @vp for at most MSHV_SIM_DISPATCH_BUDGET instructions, taking in
 * what the root changed in its register page first and showing it the
 * result after. Return true if it stopped at an intercept, posted in its
 * message page.
 */
static bool mshv_sim_vp_run(struct mshv_sim_partition *pt,
			    struct mshv_sim_vp *vp)
{
	bool intercepted;

	mshv_sim_vp_load_page(vp);
	intercepted = mshv_sim_vp_run_budget(pt, vp);
	mshv_sim_vp_store_page(vp);
	return intercepted;
}

/**
 * mshv_sim_dispatch_vp() - HvDispatchVp, for the root scheduler
 * @sim: the instance
 * @call: the decoded call
 *
 * Runs the VP until it stops at an intercept (posted in its intercept
 * message page: dispatch state READY, event INTERCEPT) or its budget of
 * instructions ends (READY, no event). A suspended VP does not run
 * (BLOCKED, event SUSPEND); HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND
 * lifts the intercept suspension first. A VP halted in the hypervisor
 * (HLT with interrupts enabled and a local APIC) returns BLOCKED with no
 * event until an interrupt wakes it; the root then gets an
 * HVMSG_SCHEDULER_VP_SIGNAL_PAIR message. With
 * HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION the vectors the root left
 * in the register page are accepted first. The partition must be
 * initialized and the VP's intercept message page mapped. When the
 * simulator schedules VPs itself, the root may not dispatch them
 * (HV_STATUS_ACCESS_DENIED).
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_dispatch_vp(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_dispatch_vp *in = call->in;
	struct hv_output_dispatch_vp *out = call->out;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	u16 status;

	if (mshv_sim_hv_scheduler(sim))
		return HV_STATUS_ACCESS_DENIED;
	if (in->flags & ~MSHV_SIM_DISPATCH_FLAGS)
		return HV_STATUS_INVALID_PARAMETER;
	status = mshv_sim_find_vp(sim, in->partition_id, in->vp_index, &pt,
				  &vp);
	if (status)
		return status;
	if (pt->state != MSHV_SIM_PT_INITIALIZED)
		return HV_STATUS_INVALID_PARTITION_STATE;
	if (!vp->pages[HV_VP_STATE_PAGE_INTERCEPT_MESSAGE])
		return HV_STATUS_INVALID_VP_STATE;

	if (in->flags & HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION)
		mshv_sim_lapic_scan(vp);
	if (in->flags & HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND)
		vp->intercept_suspend = 0;
	if (vp->explicit_suspend || vp->intercept_suspend ||
	    vp->dispatch_suspend) {
		out->dispatch_state = HV_VP_DISPATCH_STATE_BLOCKED;
		out->dispatch_event = HV_VP_DISPATCH_EVENT_SUSPEND;
		return HV_STATUS_SUCCESS;
	}

	out->dispatch_state = HV_VP_DISPATCH_STATE_READY;
	out->dispatch_event = HV_VP_DISPATCH_EVENT_NONE;
	if (mshv_sim_vp_run(pt, vp)) {
		out->dispatch_event = HV_VP_DISPATCH_EVENT_INTERCEPT;
	} else if (mshv_sim_lapic_blocked(vp)) {
		/* Halted: it waits for an interrupt, which will signal. */
		out->dispatch_state = HV_VP_DISPATCH_STATE_BLOCKED;
		mshv_sim_lapic_dispatch_blocked(vp);
	}
	return HV_STATUS_SUCCESS;
}

/* ---- The hypervisor's own scheduler ------------------------------------- */

/**
 * mshv_sim_hv_scheduler() - does the simulator schedule VPs itself?
 * @sim: the instance
 *
 * It does whenever its scheduler_type knob reports anything but the root
 * scheduler: HvDispatchVp is then refused, and a VP runs on the
 * simulator's scheduling thread whenever nothing suspends it.
 *
 * Return: true if so.
 */
bool mshv_sim_hv_scheduler(const struct mshv_sim *sim)
{
	return READ_ONCE(sim->knobs[MSHV_SIM_KNOB_SCHEDULER]) !=
	       HV_SCHEDULER_TYPE_ROOT;
}

/* Whether the simulator's scheduler may run @vp now. */
static bool mshv_sim_vp_runnable(const struct mshv_sim *sim,
				 const struct mshv_sim_vp *vp)
{
	return mshv_sim_hv_scheduler(sim) && sim->sched_task &&
	       vp->pt->state == MSHV_SIM_PT_INITIALIZED &&
	       vp->pages[HV_VP_STATE_PAGE_INTERCEPT_MESSAGE] &&
	       !vp->explicit_suspend && !vp->intercept_suspend &&
	       !vp->dispatch_suspend && !mshv_sim_lapic_blocked(vp);
}

/**
 * mshv_sim_vp_sched_update() - put @vp on the run queue or take it off
 * @sim: the instance
 * @vp: the VP
 *
 * Called after something that may have changed whether the simulator's
 * scheduler can run it (its suspend registers, its pages, a halt or the
 * interrupt that ends it). Does nothing with the root scheduler.
 *
 * Context: sim->lock held.
 */
void mshv_sim_vp_sched_update(struct mshv_sim *sim, struct mshv_sim_vp *vp)
{
	bool queued = !list_empty(&vp->run_node);

	if (mshv_sim_vp_runnable(sim, vp) == queued)
		return;
	if (queued) {
		list_del_init(&vp->run_node);
		sim->nr_runnable--;
		return;
	}
	list_add_tail(&vp->run_node, &sim->runnable);
	sim->nr_runnable++;
	wake_up(&sim->sched_wq);
}

/* Announce @vp's intercept to the root on this CPU's SINT0. */
static void mshv_sim_vp_notify(struct mshv_sim *sim, struct mshv_sim_vp *vp)
{
	struct hv_opaque_intercept_message opaque = { .vp_index = vp->index };

	vp->notify.type = HVMSG_OPAQUE_INTERCEPT;
	vp->notify.sender = vp->pt->id;
	vp->notify.size = sizeof(opaque);
	memcpy(vp->notify.payload, &opaque, sizeof(opaque));
	mshv_sim_synic_post(sim, &vp->notify);
}

/*
 * Run the first VP of the run queue for one budget of instructions, then
 * put it at the back, or take it off if it stopped at an intercept.
 * Return false if there was nothing to run.
 */
static bool mshv_sim_sched_step(struct mshv_sim *sim)
{
	struct mshv_sim_vp *vp;
	unsigned long flags;

	spin_lock_irqsave(&sim->lock, flags);
	vp = list_first_entry_or_null(&sim->runnable, struct mshv_sim_vp,
				      run_node);
	if (!vp) {
		spin_unlock_irqrestore(&sim->lock, flags);
		return false;
	}
	if (mshv_sim_vp_runnable(sim, vp)) {
		list_move_tail(&vp->run_node, &sim->runnable);
		if (mshv_sim_vp_run(vp->pt, vp))
			mshv_sim_vp_notify(sim, vp);
	}
	mshv_sim_vp_sched_update(sim, vp);
	spin_unlock_irqrestore(&sim->lock, flags);
	return true;
}

static int mshv_sim_sched_thread(void *data)
{
	struct mshv_sim *sim = data;

	while (!kthread_should_stop()) {
		if (!mshv_sim_sched_step(sim))
			wait_event_interruptible(sim->sched_wq,
						 READ_ONCE(sim->nr_runnable) ||
						 kthread_should_stop());
		cond_resched();
	}
	return 0;
}

/**
 * mshv_sim_sched_start() - start the thread that runs VPs
 * @sim: the instance
 *
 * Only the instance behind the seam has one; without it VPs only run
 * through HvDispatchVp.
 *
 * Context: process context.
 * Return: 0 or a negative errno.
 */
int mshv_sim_sched_start(struct mshv_sim *sim)
{
	struct task_struct *task;

	task = kthread_run(mshv_sim_sched_thread, sim, "mshv_sim_sched");
	if (IS_ERR(task))
		return PTR_ERR(task);
	WRITE_ONCE(sim->sched_task, task);
	return 0;
}

/**
 * mshv_sim_sched_stop() - stop the thread that runs VPs
 * @sim: the instance
 *
 * Context: process context.
 */
void mshv_sim_sched_stop(struct mshv_sim *sim)
{
	if (!sim->sched_task)
		return;
	kthread_stop(sim->sched_task);
	WRITE_ONCE(sim->sched_task, NULL);
}
