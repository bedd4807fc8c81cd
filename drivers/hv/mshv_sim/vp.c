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
 * IRQs disabled. A dispatch holds the lock for at most
 * MSHV_SIM_DISPATCH_BUDGET instructions at a time: between two budgets it
 * lets the other CPUs in. It ends when the root has an interrupt pending
 * on its CPU, as Hyper-V's does (looked for every MSHV_SIM_ROOT_IRQ_POLL
 * instructions after the first MSHV_SIM_ROOT_IRQ_MIN_RUN of a budget), or
 * when its time slice ends. A
 * VP that spins on PAUSE ends its time slice early, as the hardware's
 * pause-loop exiting makes it end on Hyper-V: the VPs of the simulator
 * take turns instead of running at once, and a spin lock another VP
 * holds is released only while that VP runs.
 */
#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/cpufeature.h>
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
#include <kunit/visibility.h>
#include <asm/apic.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <asm/hyperv-tlfs.h>
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

/* Dispatch flags the simulator understands. */
#define MSHV_SIM_DISPATCH_FLAGS					\
	(HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND |		\
	 HV_DISPATCH_VP_FLAG_ENABLE_CALLER_INTERRUPTS |		\
	 HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION)

/* Reset values of the local APIC and the xsave area. */
#define MSHV_SIM_APIC_LVT_MASKED	BIT(16)
#define MSHV_SIM_FPU_CW			0x037f
#define MSHV_SIM_MXCSR			0x1f80
#define MSHV_SIM_MXCSR_MASK		0xffff
#define MSHV_SIM_XSAVE_MXCSR_OFFSET	24
#define MSHV_SIM_XSAVE_XCOMP_BV_OFFSET	520
#define MSHV_SIM_XCOMP_BV_COMPACTED	BIT_ULL(63)

/* Physical address width of the simulated processor (the SLAT's) */
#define MSHV_SIM_PHYS_RSVD		GENMASK_ULL(63, 52)
#define MSHV_SIM_HIGH32			GENMASK_ULL(63, 32)

/* Bits of the registers the simulated processor implements */
#define MSHV_SIM_RFLAGS_RSVD		(GENMASK_ULL(63, 22) | BIT_ULL(15) | \
					 BIT_ULL(5) | BIT_ULL(3))
#define MSHV_SIM_CR0_VALID		(GENMASK_ULL(5, 0) | BIT_ULL(16) | \
					 BIT_ULL(18) | GENMASK_ULL(31, 29))
#define MSHV_SIM_CR4_VALID		(GENMASK_ULL(11, 0) | \
					 GENMASK_ULL(18, 16) | \
					 GENMASK_ULL(23, 20))
#define MSHV_SIM_EFER_VALID		(EFER_SCE | EFER_LME | EFER_LMA | \
					 EFER_NX)
#define MSHV_SIM_DR6_FIXED1		0xffff0ff0ULL
#define MSHV_SIM_DR7_RSVD		(MSHV_SIM_HIGH32 | BIT_ULL(11) | \
					 BIT_ULL(12) | BIT_ULL(14) | BIT_ULL(15))
#define MSHV_SIM_XFEM_X87		BIT_ULL(0)
#define MSHV_SIM_XFEM_SSE		BIT_ULL(1)
#define MSHV_SIM_XFEM_AVX		BIT_ULL(2)
#define MSHV_SIM_XSS_CET		(BIT_ULL(11) | BIT_ULL(12))
#define MSHV_SIM_CET_RSVD		GENMASK_ULL(9, 6)
#define MSHV_SIM_SINT_MASKED		BIT_ULL(16)
#define MSHV_SIM_SINT_RSVD		(GENMASK_ULL(63, 21) | \
					 GENMASK_ULL(15, 8))
#define MSHV_SIM_STIMER_RSVD		(GENMASK_ULL(63, 20) | \
					 GENMASK_ULL(15, 13))
#define MSHV_SIM_GPA_PAGE_RSVD		GENMASK_ULL(11, 1)
#define MSHV_SIM_HYPERCALL_RSVD		GENMASK_ULL(11, 2)
#define MSHV_SIM_DELIVERABILITY_RSVD	GENMASK_ULL(47, 6)
#define MSHV_SIM_FP_RSVD_HIGH		GENMASK_ULL(63, 16)
#define MSHV_SIM_MXCSR_RSVD		GENMASK_ULL(31, 16)
/* MTRRcap: 8 variable ranges, fixed ranges, write combining */
#define MSHV_SIM_MTRR_CAP		(MSHV_SIM_MTRR_VARIABLE | BIT_ULL(8) | \
					 BIT_ULL(10))
#define MSHV_SIM_MTRR_DEF_RSVD		(GENMASK_ULL(63, 12) | \
					 GENMASK_ULL(9, 8))
#define MSHV_SIM_MTRR_BASE_RSVD		(MSHV_SIM_PHYS_RSVD | \
					 GENMASK_ULL(11, 8))
#define MSHV_SIM_MTRR_MASK_RSVD		(MSHV_SIM_PHYS_RSVD | \
					 GENMASK_ULL(10, 0))

/* The xsave components the partition's VPs have. */
static u64 mshv_sim_xsave_states(const struct mshv_sim_partition *pt)
{
	return mshv_sim_property(pt, HV_PARTITION_PROPERTY_XSAVE_STATES);
}

/* ---- Life cycle --------------------------------------------------------- */

/**
 * mshv_sim_vps_init() - set up a partition's empty set of VPs
 * @pt: the partition
 */
void mshv_sim_vps_init(struct mshv_sim_partition *pt)
{
	xa_init(&pt->vps);
}

/*
 * The architectural state after RESET or, with @init, after INIT, which
 * keeps CR0.CD and CR0.NW, XCR0, the x87/SSE registers and the MSRs (SDM
 * "Processor State After Reset").
 */
static void mshv_sim_vp_reset_cpu(struct mshv_sim_vp *vp, bool init)
{
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	u64 xcr0 = cpu->xcr0, xcr0_supported = cpu->xcr0_supported;
	u64 cache = cpu->cr0 & (X86_CR0_CD | X86_CR0_NW);
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
	cpu->gpr[MSHV_SIM_X86_RDX] = MSHV_SIM_RESET_RDX;
	cpu->dr6 = MSHV_SIM_DR6_FIXED1;
	cpu->dr7 = MSHV_SIM_RESET_DR7;
	cpu->xcr0 = MSHV_SIM_XFEM_X87;
	cpu->xcr0_supported = MSHV_SIM_XFEM_X87 | MSHV_SIM_XFEM_SSE |
			      (mshv_sim_xsave_states(vp->pt) & ~MSHV_SIM_XSS_CET);
	if (init) {
		cpu->cr0 = (cpu->cr0 & ~(X86_CR0_CD | X86_CR0_NW)) | cache;
		cpu->xcr0 = xcr0;
		cpu->xcr0_supported = xcr0_supported;
	}
}

/* The whole register file after RESET. */
static void mshv_sim_vp_reset(struct mshv_sim_vp *vp)
{
	struct mshv_sim_vp_fpu *fpu = &vp->fpu;
	unsigned int i;

	mshv_sim_vp_reset_cpu(vp, false);
	vp->apic_base = MSHV_SIM_APIC_BASE;
	if (!vp->index)
		vp->apic_base |= MSR_IA32_APICBASE_BSP;
	vp->pat = MSHV_SIM_RESET_PAT;
	vp->tsc = 0;
	vp->tsc_ns = ktime_get_ns();
	for (i = 0; i < MSHV_SIM_SINT_COUNT; i++)
		vp->msrs.sint[i] = MSHV_SIM_SINT_MASKED;
	/* FCW at its FINIT value; MXCSR and its mask in the high quadword */
	fpu->fp_control_status[0] = MSHV_SIM_FPU_CW;
	fpu->xmm_control_status[1] = MSHV_SIM_MXCSR |
				     (u64)MSHV_SIM_MXCSR_MASK << 32;
}

/**
 * mshv_sim_vp_init_signal() - INIT: @vp to its reset state
 * @vp: the VP
 *
 * The architectural state goes to its INIT values (see
 * mshv_sim_vp_reset_cpu()); pending events are dropped. The bootstrap
 * processor starts again at the reset vector, any other VP waits for a
 * startup IPI. The caller resets the local APIC.
 *
 * Context: sim->lock held.
 */
void mshv_sim_vp_init_signal(struct mshv_sim_vp *vp)
{
	mshv_sim_vp_reset_cpu(vp, true);
	vp->pending_interruption = 0;
	memset(vp->pending_event, 0, sizeof(vp->pending_event));
	vp->idle_suspend = false;
	vp->startup_suspend = !(vp->apic_base & MSR_IA32_APICBASE_BSP);
}

/**
 * mshv_sim_vp_startup() - a startup IPI with @vector reached @vp
 * @vp: the VP
 * @vector: the SIPI vector: the page the VP starts at
 *
 * A VP waiting for a startup IPI runs real-mode code at CS:IP =
 * (@vector << 8):0, CS.base = @vector << 12; any other VP ignores it.
 *
 * Context: sim->lock held.
 * Return: true if the VP started.
 */
bool mshv_sim_vp_startup(struct mshv_sim_vp *vp, u8 vector)
{
	struct mshv_sim_x86_seg *cs = &vp->cpu.seg[MSHV_SIM_X86_CS];

	if (!vp->startup_suspend)
		return false;
	cs->selector = vector << 8;
	cs->base = (u64)vector << 12;
	cs->limit = 0xffff;
	cs->attributes = MSHV_SIM_SEG_CODE;
	vp->cpu.rip = 0;
	vp->startup_suspend = false;
	return true;
}

static void mshv_sim_vp_free_page(struct mshv_sim *sim, struct mshv_sim_vp *vp,
				  unsigned int type)
{
	if (!vp->pages[type])
		return;
	xa_erase(&sim->state_pfns, page_to_pfn(vp->pages[type]));
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
	kfree(vp->cpuid.results);
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
	mshv_sim_stats_release(&vp->stats);
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
 * pages in its pool; the new VP is in the architectural reset state and
 * explicitly suspended: it runs once the root clears
 * HV_REGISTER_EXPLICIT_SUSPEND. In a partition with local APICs, VP 0 is
 * the bootstrap processor and starts at the reset vector; the others wait
 * for INIT and a startup IPI (HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND), or
 * for the root to clear HV_REGISTER_INTERNAL_ACTIVITY_STATE. With
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
	/*
	 * As on Hyper-V, under either scheduler: a new VP runs once the root
	 * lifts the explicit suspension; with a local APIC, any VP but the
	 * bootstrap processor then waits for a startup IPI.
	 */
	vp->explicit_suspend = 1;
	vp->startup_suspend = mshv_sim_lapic_active(vp) && vp->index;
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
 * The register file. HvGetVpRegisters and HvSetVpRegisters reach every
 * register below by its TLFS name; guest RDMSR and WRMSR reach the MSRs
 * among them (mshv_sim_msr_reg()), with the same checks. As the TLFS says
 * of HvSetVpRegisters, a new value must leave reserved bits clear, set the
 * bits that always read as 1, fit the register's architectural size, and
 * may not go to a read-only register: HV_STATUS_INVALID_PARAMETER
 * otherwise, as for a name that is not a register. Side effects of a
 * write (TLB flushes, exceptions) are not performed.
 */

/* How a new value of a 64-bit register is checked, beyond reserved bits */
enum mshv_sim_reg_check {
	MSHV_SIM_CHECK_NONE,
	MSHV_SIM_CHECK_CANONICAL,	/* a canonical linear address */
	MSHV_SIM_CHECK_PAT,		/* eight PAT memory types */
	MSHV_SIM_CHECK_MTRR_FIXED,	/* eight MTRR memory types */
	MSHV_SIM_CHECK_MTRR_TYPE,	/* bits 7:0 an MTRR memory type */
	MSHV_SIM_CHECK_SINT,		/* an unmasked SINT needs vector >= 16 */
};

/**
 * struct mshv_sim_reg - a plain 64-bit register of the register file
 * @val: its storage
 * @rsvd: the bits a new value must leave clear
 * @check: what else a new value must satisfy
 */
struct mshv_sim_reg {
	u64 *val;
	u64 rsvd;
	enum mshv_sim_reg_check check;
};

/* HV_REGISTER_PENDING_INTERRUPTION fields; types from 4 on are software */
#define MSHV_SIM_PENDING_SW_INT			4
#define MSHV_SIM_PENDING			BIT_ULL(0)
#define MSHV_SIM_PENDING_TYPE			GENMASK_ULL(3, 1)
#define MSHV_SIM_PENDING_ERROR_CODE		BIT_ULL(4)
#define MSHV_SIM_PENDING_INSN_LEN		GENMASK_ULL(8, 5)
#define MSHV_SIM_PENDING_VECTOR			GENMASK_ULL(31, 16)
#define MSHV_SIM_PENDING_RSVD			(GENMASK_ULL(15, 10) | \
						 GENMASK_ULL(31, 24))

/* The MTRR and shadow-stack MSRs of the register file */
#define MSHV_SIM_MSR_MTRR_CAP		0x0fe
#define MSHV_SIM_MSR_MTRR_PHYS_BASE0	0x200
#define MSHV_SIM_MSR_MTRR_FIX64K_00000	0x250
#define MSHV_SIM_MSR_MTRR_FIX4K_C0000	0x268
#define MSHV_SIM_MSR_MTRR_DEF_TYPE	0x2ff
#define MSHV_SIM_MSR_MTRR_FIX16K_80000	0x258
#define MSHV_SIM_MSR_MTRR_FIX16K_A0000	0x259
#define MSHV_SIM_MSR_MTRR_FIX4K_F8000	0x26f
#define MSHV_SIM_MSR_PL3_SSP		0x6a7

static bool mshv_sim_in(u32 name, u32 first, u32 count)
{
	return name >= first && name - first < count;
}

/* A plain 64-bit register of @vp's register file. */
static bool mshv_sim_vp_reg64(struct mshv_sim_vp *vp, u32 name,
			      struct mshv_sim_reg *r)
{
	struct mshv_sim_vp_msrs *m = &vp->msrs;
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	unsigned int n;

	*r = (struct mshv_sim_reg){};
	if (mshv_sim_in(name, HV_X64_REGISTER_RAX, MSHV_SIM_X86_NR_GPRS)) {
		r->val = &cpu->gpr[name - HV_X64_REGISTER_RAX];
		return true;
	}
	if (mshv_sim_in(name, HV_X64_REGISTER_DR0, 4)) {
		r->val = &cpu->dr[name - HV_X64_REGISTER_DR0];
		return true;
	}
	if (mshv_sim_in(name, HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0,
			MSHV_SIM_MTRR_VARIABLE)) {
		n = name - HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0;
		*r = (struct mshv_sim_reg){ &m->mtrr_base[n],
					    MSHV_SIM_MTRR_BASE_RSVD,
					    MSHV_SIM_CHECK_MTRR_TYPE };
		return true;
	}
	if (mshv_sim_in(name, HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0,
			MSHV_SIM_MTRR_VARIABLE)) {
		n = name - HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0;
		*r = (struct mshv_sim_reg){ &m->mtrr_mask[n],
					    MSHV_SIM_MTRR_MASK_RSVD };
		return true;
	}
	if (mshv_sim_in(name, HV_X64_REGISTER_MSR_MTRR_FIX64K00000,
			MSHV_SIM_MTRR_FIXED)) {
		n = name - HV_X64_REGISTER_MSR_MTRR_FIX64K00000;
		*r = (struct mshv_sim_reg){ &m->mtrr_fixed[n], 0,
					    MSHV_SIM_CHECK_MTRR_FIXED };
		return true;
	}
	if (mshv_sim_in(name, HV_X64_REGISTER_PL0_SSP, 4)) {
		n = name - HV_X64_REGISTER_PL0_SSP;
		*r = (struct mshv_sim_reg){ &m->pl_ssp[n], GENMASK_ULL(1, 0),
					    MSHV_SIM_CHECK_CANONICAL };
		return true;
	}
	if (mshv_sim_in(name, HV_REGISTER_SINT0, MSHV_SIM_SINT_COUNT)) {
		*r = (struct mshv_sim_reg){ &m->sint[name - HV_REGISTER_SINT0],
					    MSHV_SIM_SINT_RSVD,
					    MSHV_SIM_CHECK_SINT };
		return true;
	}
	if (mshv_sim_in(name, HV_REGISTER_STIMER0_CONFIG,
			2 * HV_SYNIC_STIMER_COUNT)) {
		n = (name - HV_REGISTER_STIMER0_CONFIG) / 2;
		if (name & 1) {
			r->val = &vp->stimers.timers[n].count;
		} else {
			r->val = &vp->stimers.timers[n].config;
			r->rsvd = MSHV_SIM_STIMER_RSVD;
		}
		return true;
	}

	switch (name) {
	case HV_X64_REGISTER_RIP:
		r->val = &cpu->rip;
		break;
	case HV_X64_REGISTER_CR2:
		r->val = &cpu->cr2;
		break;
	case HV_X64_REGISTER_CR3:
		*r = (struct mshv_sim_reg){ &cpu->cr3, MSHV_SIM_PHYS_RSVD };
		break;
	case HV_X64_REGISTER_DR6:
		*r = (struct mshv_sim_reg){ &cpu->dr6, MSHV_SIM_HIGH32 };
		break;
	case HV_X64_REGISTER_INTERMEDIATE_CR0:
		r->val = &m->intermediate_cr0;
		break;
	case HV_X64_REGISTER_INTERMEDIATE_CR4:
		r->val = &m->intermediate_cr4;
		break;
	case HV_X64_REGISTER_INTERMEDIATE_CR8:
		*r = (struct mshv_sim_reg){ &m->intermediate_cr8,
					    ~GENMASK_ULL(3, 0) };
		break;
	case HV_X64_REGISTER_TSC:
		r->val = &vp->tsc;
		break;
	case HV_X64_REGISTER_PAT:
		*r = (struct mshv_sim_reg){ &vp->pat, 0, MSHV_SIM_CHECK_PAT };
		break;
	case HV_X64_REGISTER_KERNEL_GS_BASE:
		*r = (struct mshv_sim_reg){ &m->kernel_gs_base, 0,
					    MSHV_SIM_CHECK_CANONICAL };
		break;
	case HV_X64_REGISTER_SYSENTER_CS:
		*r = (struct mshv_sim_reg){ &m->sysenter_cs, MSHV_SIM_HIGH32 };
		break;
	case HV_X64_REGISTER_SYSENTER_EIP:
		*r = (struct mshv_sim_reg){ &m->sysenter_eip, 0,
					    MSHV_SIM_CHECK_CANONICAL };
		break;
	case HV_X64_REGISTER_SYSENTER_ESP:
		*r = (struct mshv_sim_reg){ &m->sysenter_esp, 0,
					    MSHV_SIM_CHECK_CANONICAL };
		break;
	case HV_X64_REGISTER_STAR:
		r->val = &m->star;
		break;
	case HV_X64_REGISTER_LSTAR:
		*r = (struct mshv_sim_reg){ &m->lstar, 0,
					    MSHV_SIM_CHECK_CANONICAL };
		break;
	case HV_X64_REGISTER_CSTAR:
		*r = (struct mshv_sim_reg){ &m->cstar, 0,
					    MSHV_SIM_CHECK_CANONICAL };
		break;
	case HV_X64_REGISTER_SFMASK:
		*r = (struct mshv_sim_reg){ &m->sfmask, MSHV_SIM_HIGH32 };
		break;
	case HV_X64_REGISTER_MSR_MTRR_DEF_TYPE:
		*r = (struct mshv_sim_reg){ &m->mtrr_def_type,
					    MSHV_SIM_MTRR_DEF_RSVD,
					    MSHV_SIM_CHECK_MTRR_TYPE };
		break;
	case HV_X64_REGISTER_TSC_AUX:
		*r = (struct mshv_sim_reg){ &m->tsc_aux, MSHV_SIM_HIGH32 };
		break;
	case HV_X64_REGISTER_DEBUG_CTL:
		/* LBR and BTF */
		*r = (struct mshv_sim_reg){ &m->debug_ctl, ~GENMASK_ULL(1, 0) };
		break;
	case HV_X64_REGISTER_SPEC_CTRL:
		/* IBRS, STIBP, SSBD */
		*r = (struct mshv_sim_reg){ &m->spec_ctrl, ~GENMASK_ULL(2, 0) };
		break;
	case HV_X64_REGISTER_TSC_ADJUST:
		r->val = &m->tsc_adjust;
		break;
	case HV_X64_REGISTER_U_XSS:
		*r = (struct mshv_sim_reg){ &m->xss, ~MSHV_SIM_XSS_CET };
		break;
	case HV_X64_REGISTER_U_CET:
		*r = (struct mshv_sim_reg){ &m->u_cet, MSHV_SIM_CET_RSVD };
		break;
	case HV_X64_REGISTER_S_CET:
		*r = (struct mshv_sim_reg){ &m->s_cet, MSHV_SIM_CET_RSVD };
		break;
	case HV_X64_REGISTER_SSP:
		*r = (struct mshv_sim_reg){ &m->ssp, GENMASK_ULL(1, 0),
					    MSHV_SIM_CHECK_CANONICAL };
		break;
	case HV_X64_REGISTER_INTERRUPT_SSP_TABLE_ADDR:
		*r = (struct mshv_sim_reg){ &m->ssp_table, 0,
					    MSHV_SIM_CHECK_CANONICAL };
		break;
	case HV_X64_REGISTER_HYPERCALL:
		*r = (struct mshv_sim_reg){ &m->hypercall,
					    MSHV_SIM_HYPERCALL_RSVD };
		break;
	case HV_REGISTER_GUEST_OS_ID:
		r->val = &m->guest_os_id;
		break;
	case HV_REGISTER_REFERENCE_TSC:
		*r = (struct mshv_sim_reg){ &m->reference_tsc,
					    MSHV_SIM_GPA_PAGE_RSVD };
		break;
	case HV_REGISTER_SCONTROL:
		*r = (struct mshv_sim_reg){ &m->scontrol, ~BIT_ULL(0) };
		break;
	case HV_REGISTER_SIEFP:
		*r = (struct mshv_sim_reg){ &m->siefp, MSHV_SIM_GPA_PAGE_RSVD };
		break;
	case HV_REGISTER_SIMP:
		*r = (struct mshv_sim_reg){ &m->simp, MSHV_SIM_GPA_PAGE_RSVD };
		break;
	case HV_REGISTER_EXPLICIT_SUSPEND:
		*r = (struct mshv_sim_reg){ &vp->explicit_suspend, ~1ULL };
		break;
	case HV_REGISTER_INTERCEPT_SUSPEND:
		*r = (struct mshv_sim_reg){ &vp->intercept_suspend, ~1ULL };
		break;
	case HV_REGISTER_DISPATCH_SUSPEND:
		*r = (struct mshv_sim_reg){ &vp->dispatch_suspend, ~1ULL };
		break;
	case HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS:
		*r = (struct mshv_sim_reg){ &vp->deliverability,
					    MSHV_SIM_DELIVERABILITY_RSVD };
		break;
	default:
		return false;
	}
	return true;
}

/* A memory type PAT (@pat) or an MTRR may hold: not 2 or 3, at most 6/7. */
static bool mshv_sim_memtype_ok(u8 type, bool pat)
{
	return type != 2 && type != 3 && type <= (pat ? 7 : 6);
}

static bool mshv_sim_memtypes_ok(u64 val, bool pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++, val >>= 8)
		if (!mshv_sim_memtype_ok(val & 0xff, pat))
			return false;
	return true;
}

static bool mshv_sim_canonical(u64 addr)
{
	return (u64)((s64)(addr << 16) >> 16) == addr;
}

static bool mshv_sim_reg_ok(const struct mshv_sim_reg *r, u64 val)
{
	if (val & r->rsvd)
		return false;
	switch (r->check) {
	case MSHV_SIM_CHECK_CANONICAL:
		return mshv_sim_canonical(val);
	case MSHV_SIM_CHECK_PAT:
		return mshv_sim_memtypes_ok(val, true);
	case MSHV_SIM_CHECK_MTRR_FIXED:
		return mshv_sim_memtypes_ok(val, false);
	case MSHV_SIM_CHECK_MTRR_TYPE:
		return mshv_sim_memtype_ok(val & 0xff, false);
	case MSHV_SIM_CHECK_SINT:
		return (val & MSHV_SIM_SINT_MASKED) ||
		       (val & 0xff) >= HV_SYNIC_FIRST_VALID_VECTOR;
	default:
		return true;
	}
}

/* The 128-bit register @name of @vp, or NULL if it is not one. */
static u64 *mshv_sim_vp_reg128(struct mshv_sim_vp *vp, u32 name)
{
	struct mshv_sim_vp_fpu *fpu = &vp->fpu;

	if (mshv_sim_in(name, HV_X64_REGISTER_XMM0, 16))
		return fpu->xmm[name - HV_X64_REGISTER_XMM0];
	if (mshv_sim_in(name, HV_X64_REGISTER_FP_MMX0, 8))
		return fpu->fp_mmx[name - HV_X64_REGISTER_FP_MMX0];
	switch (name) {
	case HV_X64_REGISTER_FP_CONTROL_STATUS:
		return fpu->fp_control_status;
	case HV_X64_REGISTER_XMM_CONTROL_STATUS:
		return fpu->xmm_control_status;
	case HV_REGISTER_PENDING_EVENT0:
		return vp->pending_event[0];
	case HV_REGISTER_PENDING_EVENT1:
		return vp->pending_event[1];
	default:
		return NULL;
	}
}

/* Does @val fit the 128-bit register @name? */
static bool mshv_sim_reg128_ok(u32 name, const u64 *val)
{
	if (mshv_sim_in(name, HV_X64_REGISTER_FP_MMX0, 8))
		return !(val[1] & MSHV_SIM_FP_RSVD_HIGH);	/* 80 bits */
	if (name == HV_X64_REGISTER_XMM_CONTROL_STATUS)
		return !(val[1] & MSHV_SIM_MXCSR_RSVD);
	return true;
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

static u64 mshv_sim_vp_interrupt_state(const struct mshv_sim_vp *vp)
{
	return (vp->cpu.interrupt_shadow ? HV_X64_INTERRUPT_STATE_SHADOW : 0) |
	       (vp->cpu.nmi_masked ? HV_X64_INTERRUPT_STATE_NMI_MASKED : 0);
}

static u64 mshv_sim_vp_activity(const struct mshv_sim_vp *vp)
{
	return (vp->startup_suspend ? HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND :
				      0) |
	       (vp->lapic.halted ? HV_INTERNAL_ACTIVITY_HALT_SUSPEND : 0) |
	       (vp->idle_suspend ? HV_INTERNAL_ACTIVITY_IDLE_SUSPEND : 0);
}

/* The 64-bit registers whose value is computed or checked specially. */
static bool mshv_sim_vp_get_special(struct mshv_sim_vp *vp, u32 name,
				    u64 *val)
{
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;

	switch (name) {
	case HV_X64_REGISTER_RFLAGS:
		*val = cpu->rflags;
		return true;
	case HV_X64_REGISTER_CR0:
		*val = cpu->cr0;
		return true;
	case HV_X64_REGISTER_CR4:
		*val = cpu->cr4;
		return true;
	case HV_X64_REGISTER_CR8:
		*val = cpu->cr8;
		return true;
	case HV_X64_REGISTER_EFER:
		*val = cpu->efer;
		return true;
	case HV_X64_REGISTER_XFEM:
		*val = cpu->xcr0;
		return true;
	case HV_X64_REGISTER_DR7:
		*val = cpu->dr7;
		return true;
	case HV_X64_REGISTER_APIC_BASE:
		*val = vp->apic_base;
		return true;
	case HV_X64_REGISTER_MSR_MTRR_CAP:
		*val = MSHV_SIM_MTRR_CAP;
		return true;
	case HV_REGISTER_VP_INDEX:
		*val = vp->index;
		return true;
	case HV_REGISTER_EOM:
		*val = 0;	/* write-only */
		return true;
	case HV_REGISTER_INTERRUPT_STATE:
		*val = mshv_sim_vp_interrupt_state(vp);
		return true;
	case HV_REGISTER_INTERNAL_ACTIVITY_STATE:
		*val = mshv_sim_vp_activity(vp);
		return true;
	case HV_REGISTER_PENDING_INTERRUPTION:
		*val = vp->pending_interruption;
		return true;
	default:
		return false;
	}
}

/* A pending interruption the VP could take (TLFS HV_X64_PENDING_*). */
static bool mshv_sim_pending_ok(u64 val)
{
	u8 type = FIELD_GET(MSHV_SIM_PENDING_TYPE, val);

	if (val & MSHV_SIM_PENDING_RSVD)
		return false;
	/* 1 and 7 are not interruption types */
	return !(val & MSHV_SIM_PENDING) || (type != 1 && type != 7);
}

/* HV_REGISTER_INTERNAL_ACTIVITY_STATE: the VP waits, or runs again. */
static void mshv_sim_vp_set_activity(struct mshv_sim_vp *vp, u64 val)
{
	vp->startup_suspend = val & HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND;
	vp->lapic.halted = val & HV_INTERNAL_ACTIVITY_HALT_SUSPEND;
	vp->idle_suspend = val & HV_INTERNAL_ACTIVITY_IDLE_SUSPEND;
}

/* Set one of the registers mshv_sim_vp_get_special() reads. */
static u16 mshv_sim_vp_set_special(struct mshv_sim_vp *vp, u32 name, u64 val)
{
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;

	switch (name) {
	case HV_X64_REGISTER_RFLAGS:
		if ((val & MSHV_SIM_RFLAGS_RSVD) ||
		    !(val & MSHV_SIM_X86_FLAG_FIXED))
			return HV_STATUS_INVALID_PARAMETER;
		cpu->rflags = val;
		break;
	case HV_X64_REGISTER_CR0:
		/* ET always reads as 1; PG needs PE; NW needs CD */
		if ((val & ~MSHV_SIM_CR0_VALID) ||
		    ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
		    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)))
			return HV_STATUS_INVALID_PARAMETER;
		cpu->cr0 = val | X86_CR0_ET;
		break;
	case HV_X64_REGISTER_CR4:
		/* LA57 with the 5-level paging feature (bank 1) */
		if (val & ~MSHV_SIM_CR4_VALID &
		    ~(vp->pt->proc_features[1] & HV_X64_PROC_FEATURE1_LA57 ?
		      X86_CR4_LA57 : 0))
			return HV_STATUS_INVALID_PARAMETER;
		cpu->cr4 = val;
		break;
	case HV_X64_REGISTER_CR8:
		if (val & ~GENMASK_ULL(3, 0))
			return HV_STATUS_INVALID_PARAMETER;
		cpu->cr8 = val;
		break;
	case HV_X64_REGISTER_EFER:
		if (val & ~MSHV_SIM_EFER_VALID)
			return HV_STATUS_INVALID_PARAMETER;
		cpu->efer = val;
		break;
	case HV_X64_REGISTER_XFEM:
		if (!(val & MSHV_SIM_XFEM_X87) ||
		    (val & ~cpu->xcr0_supported) ||
		    ((val & MSHV_SIM_XFEM_AVX) && !(val & MSHV_SIM_XFEM_SSE)))
			return HV_STATUS_INVALID_PARAMETER;
		cpu->xcr0 = val;
		break;
	case HV_X64_REGISTER_DR7:
		if (val & MSHV_SIM_DR7_RSVD || !(val & MSHV_SIM_RESET_DR7))
			return HV_STATUS_INVALID_PARAMETER;
		cpu->dr7 = val;
		break;
	case HV_X64_REGISTER_APIC_BASE:
		if (mshv_sim_lapic_set_base(vp, val))
			return HV_STATUS_INVALID_PARAMETER;
		break;
	case HV_REGISTER_EOM:
		/* A timer's message may wait for its slot. */
		mshv_sim_stimer_poll(vp);
		break;
	case HV_REGISTER_INTERRUPT_STATE:
		if (val & ~(HV_X64_INTERRUPT_STATE_SHADOW |
			    HV_X64_INTERRUPT_STATE_NMI_MASKED))
			return HV_STATUS_INVALID_PARAMETER;
		cpu->interrupt_shadow = val & HV_X64_INTERRUPT_STATE_SHADOW;
		cpu->nmi_masked = val & HV_X64_INTERRUPT_STATE_NMI_MASKED;
		break;
	case HV_REGISTER_INTERNAL_ACTIVITY_STATE:
		if (val & ~(HV_INTERNAL_ACTIVITY_STARTUP_SUSPEND |
			    HV_INTERNAL_ACTIVITY_HALT_SUSPEND |
			    HV_INTERNAL_ACTIVITY_IDLE_SUSPEND))
			return HV_STATUS_INVALID_PARAMETER;
		mshv_sim_vp_set_activity(vp, val);
		break;
	case HV_REGISTER_PENDING_INTERRUPTION:
		if (!mshv_sim_pending_ok(val))
			return HV_STATUS_INVALID_PARAMETER;
		vp->pending_interruption = val;
		break;
	default:
		/* MTRRcap and the VP index are read-only. */
		return HV_STATUS_INVALID_PARAMETER;
	}
	return HV_STATUS_SUCCESS;
}

/*
 * The time stamp counter, read by RDTSC and through the TSC register (and
 * so the TSC MSR): it counts at the processor clock frequency from the
 * value last written.
 */
u64 mshv_sim_vp_tsc(const struct mshv_sim_vp *vp)
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

/**
 * mshv_sim_vp_get_reg() - read one register of @vp's register file
 * @vp: the VP
 * @name: its TLFS name
 * @val: the value, zero-extended to 128 bits
 *
 * Return: HV_STATUS_SUCCESS, or HV_STATUS_INVALID_PARAMETER for a name
 * that is not a register.
 */
u16 mshv_sim_vp_get_reg(struct mshv_sim_vp *vp, u32 name,
			union hv_register_value *val)
{
	struct mshv_sim_x86_table *table;
	struct mshv_sim_x86_seg *seg;
	struct mshv_sim_reg r;
	u64 *reg128;

	memset(val, 0, sizeof(*val));
	if (name == HV_X64_REGISTER_TSC) {
		val->reg64 = mshv_sim_vp_tsc(vp);
		return HV_STATUS_SUCCESS;
	}
	if (mshv_sim_vp_reg64(vp, name, &r)) {
		val->reg64 = *r.val;
		return HV_STATUS_SUCCESS;
	}
	if (mshv_sim_vp_get_special(vp, name, &val->reg64))
		return HV_STATUS_SUCCESS;
	reg128 = mshv_sim_vp_reg128(vp, name);
	if (reg128) {
		val->reg128.low = reg128[0];
		val->reg128.high = reg128[1];
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
	return HV_STATUS_INVALID_PARAMETER;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_vp_get_reg);

/**
 * mshv_sim_vp_set_reg() - write one register of @vp's register file
 * @vp: the VP
 * @name: its TLFS name
 * @val: the new value
 *
 * A rejected value leaves the register as it was.
 *
 * Return: HV_STATUS_SUCCESS, or HV_STATUS_INVALID_PARAMETER for a name
 * that is not a register, a read-only register or a value the register
 * cannot hold.
 */
u16 mshv_sim_vp_set_reg(struct mshv_sim_vp *vp, u32 name,
			const union hv_register_value *val)
{
	struct mshv_sim_x86_table *table;
	struct mshv_sim_x86_seg *seg;
	struct mshv_sim_reg r;
	u64 *reg128, dummy;

	if (name == HV_X64_REGISTER_TSC) {
		if (val->reg128.high)
			return HV_STATUS_INVALID_PARAMETER;
		mshv_sim_vp_set_tsc(vp, val->reg64);
		/* The reference TSC page follows the new TSC. */
		mshv_sim_vp_ref_tsc_update(vp);
		return HV_STATUS_SUCCESS;
	}
	if (mshv_sim_vp_reg64(vp, name, &r)) {
		if (val->reg128.high || !mshv_sim_reg_ok(&r, val->reg64))
			return HV_STATUS_INVALID_PARAMETER;
		*r.val = val->reg64;
		if (mshv_sim_in(name, HV_REGISTER_STIMER0_CONFIG,
				2 * HV_SYNIC_STIMER_COUNT))
			mshv_sim_stimer_write(vp, name);
		if (name == HV_REGISTER_REFERENCE_TSC)
			mshv_sim_vp_ref_tsc_update(vp);
		if (name == HV_X64_REGISTER_HYPERCALL)
			mshv_sim_vp_hypercall_page(vp);
		return HV_STATUS_SUCCESS;
	}
	if (mshv_sim_vp_get_special(vp, name, &dummy)) {
		if (val->reg128.high)
			return HV_STATUS_INVALID_PARAMETER;
		return mshv_sim_vp_set_special(vp, name, val->reg64);
	}
	reg128 = mshv_sim_vp_reg128(vp, name);
	if (reg128) {
		u64 v[2] = { val->reg128.low, val->reg128.high };

		if (!mshv_sim_reg128_ok(name, v))
			return HV_STATUS_INVALID_PARAMETER;
		memcpy(reg128, v, sizeof(v));
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
	return HV_STATUS_INVALID_PARAMETER;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_vp_set_reg);

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
	memcpy(rp->xmm, vp->fpu.xmm, sizeof(rp->xmm));
	for (i = 0; i < MSHV_SIM_X86_NR_SREGS; i++)
		mshv_sim_seg_to_hv(&cpu->seg[i], &rp->segment[i]);
	rp->cr0 = cpu->cr0;
	rp->cr3 = cpu->cr3;
	rp->cr4 = cpu->cr4;
	rp->cr8 = cpu->cr8;
	rp->efer = cpu->efer;
	rp->dr7 = cpu->dr7;
	rp->pending_interruption = vp->pending_interruption;
	rp->interrupt_state = mshv_sim_vp_interrupt_state(vp);
	rp->xfem = cpu->xcr0;
	rp->dirty = 0;
	rp->isvalid = 1;
}

/*
 * Take the register classes the root marked dirty in the register page
 * into @vp's state (the XMM class: XMM0-5 of the register file).
 */
void mshv_sim_vp_load_page(struct mshv_sim_vp *vp)
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
	if (dirty & HV_X64_REGISTER_CLASS_XMM)
		memcpy(vp->fpu.xmm, rp->xmm, sizeof(rp->xmm));
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
 * returns the same page. The hypervisor owns the page for as long as the
 * VP has it: HvMapGpaPages refuses it as guest memory of any partition.
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
		/* Never guest memory: see mshv_sim_source_ok(). */
		if (xa_err(xa_store(&sim->state_pfns, page_to_pfn(page), page,
				    GFP_ATOMIC))) {
			__free_page(page);
			return HV_STATUS_NO_RESOURCES;
		}
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
 * The legacy region of the xsave area (its first 416 bytes) holds the same
 * values as the x87/SSE registers, in the same order: FCW..FIP is the
 * FP_CONTROL_STATUS register, FDP..MXCSR_MASK XMM_CONTROL_STATUS, then
 * ST0-7 and XMM0-15.
 */
#define MSHV_SIM_XSAVE_FP_CONTROL	0
#define MSHV_SIM_XSAVE_XMM_CONTROL	16
#define MSHV_SIM_XSAVE_ST0		32
#define MSHV_SIM_XSAVE_XMM0		160
#define MSHV_SIM_XSAVE_XSTATE_BV	512
#define MSHV_SIM_XSTATE_X87		BIT_ULL(0)
#define MSHV_SIM_XSTATE_SSE		BIT_ULL(1)

/* Show @vp's x87 and SSE registers in an HvGetVpState xsave page. */
static void mshv_sim_xsave_save(const struct mshv_sim_vp *vp, u8 *buf)
{
	const struct mshv_sim_vp_fpu *fpu = &vp->fpu;
	u64 xstate_bv;

	memcpy(buf + MSHV_SIM_XSAVE_FP_CONTROL, fpu->fp_control_status,
	       sizeof(fpu->fp_control_status));
	memcpy(buf + MSHV_SIM_XSAVE_XMM_CONTROL, fpu->xmm_control_status,
	       sizeof(fpu->xmm_control_status));
	memcpy(buf + MSHV_SIM_XSAVE_ST0, fpu->fp_mmx, sizeof(fpu->fp_mmx));
	memcpy(buf + MSHV_SIM_XSAVE_XMM0, fpu->xmm, sizeof(fpu->xmm));
	memcpy(&xstate_bv, buf + MSHV_SIM_XSAVE_XSTATE_BV, sizeof(xstate_bv));
	xstate_bv |= MSHV_SIM_XSTATE_X87 | MSHV_SIM_XSTATE_SSE;
	memcpy(buf + MSHV_SIM_XSAVE_XSTATE_BV, &xstate_bv, sizeof(xstate_bv));
}

/* Does the xsave page @buf hold an MXCSR the processor accepts? */
static bool mshv_sim_xsave_ok(const u8 *buf)
{
	u32 mxcsr;

	memcpy(&mxcsr, buf + MSHV_SIM_XSAVE_MXCSR_OFFSET, sizeof(mxcsr));
	return !(mxcsr & MSHV_SIM_MXCSR_RSVD);
}

/*
 * Load @vp's x87 and SSE registers from an HvSetVpState xsave page, as
 * XRSTOR does: a component whose XSTATE_BV bit is clear gets its initial
 * state; MXCSR is always loaded, and MXCSR_MASK is the processor's.
 */
static void mshv_sim_xsave_restore(struct mshv_sim_vp *vp, const u8 *buf)
{
	struct mshv_sim_vp_fpu *fpu = &vp->fpu;
	u64 xstate_bv, mxcsr_mask;
	u32 mxcsr;

	memcpy(&xstate_bv, buf + MSHV_SIM_XSAVE_XSTATE_BV, sizeof(xstate_bv));
	memcpy(&mxcsr, buf + MSHV_SIM_XSAVE_MXCSR_OFFSET, sizeof(mxcsr));
	mxcsr_mask = fpu->xmm_control_status[1] & GENMASK_ULL(63, 32);
	if (xstate_bv & MSHV_SIM_XSTATE_X87) {
		memcpy(fpu->fp_control_status, buf + MSHV_SIM_XSAVE_FP_CONTROL,
		       sizeof(fpu->fp_control_status));
		memcpy(&fpu->xmm_control_status[0],
		       buf + MSHV_SIM_XSAVE_XMM_CONTROL, sizeof(u64));
		memcpy(fpu->fp_mmx, buf + MSHV_SIM_XSAVE_ST0,
		       sizeof(fpu->fp_mmx));
	} else {
		memset(fpu->fp_control_status, 0,
		       sizeof(fpu->fp_control_status));
		fpu->fp_control_status[0] = MSHV_SIM_FPU_CW;
		fpu->xmm_control_status[0] = 0;
		memset(fpu->fp_mmx, 0, sizeof(fpu->fp_mmx));
	}
	if (xstate_bv & MSHV_SIM_XSTATE_SSE)
		memcpy(fpu->xmm, buf + MSHV_SIM_XSAVE_XMM0, sizeof(fpu->xmm));
	else
		memset(fpu->xmm, 0, sizeof(fpu->xmm));
	fpu->xmm_control_status[1] = mxcsr | mxcsr_mask;
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
	if (idx == MSHV_SIM_VP_STATE_XSAVE)
		mshv_sim_xsave_save(vp, buf);
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
		mshv_sim_stimer_restart(vp);
		return HV_STATUS_SUCCESS;
	}
	if (!call->varhead)
		return HV_STATUS_INVALID_PARAMETER;
	buf = mshv_sim_root_page(in->data[0]);
	if (!buf)
		return HV_STATUS_INVALID_PARAMETER;
	if (idx == MSHV_SIM_VP_STATE_XSAVE && !mshv_sim_xsave_ok(buf))
		return HV_STATUS_INVALID_PARAMETER;
	if (!vp->state[idx]) {
		vp->state[idx] = kmalloc(HV_HYP_PAGE_SIZE, GFP_ATOMIC);
		if (!vp->state[idx])
			return HV_STATUS_NO_RESOURCES;
	}
	memcpy(vp->state[idx], buf, HV_HYP_PAGE_SIZE);
	if (idx == MSHV_SIM_VP_STATE_XSAVE)
		mshv_sim_xsave_restore(vp, buf);
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
 * if it has one, and its enabled SynIC pages in front of the partition's
 * SLAT.
 */
static int mshv_sim_vp_read(void *ctx, u64 gpa, void *buf, u32 len,
			    enum mshv_sim_access acc,
			    struct mshv_sim_gpa_fault *fault)
{
	struct mshv_sim_vp *vp = ctx;

	if (acc == MSHV_SIM_ACCESS_READ &&
	    (mshv_sim_lapic_mmio(vp, gpa, buf, len, false) ||
	     mshv_sim_vp_synic_access(vp, gpa, buf, len, false)))
		return 0;
	return mshv_sim_slat_access(vp->pt, gpa, buf, len, acc, fault);
}

static int mshv_sim_vp_write(void *ctx, u64 gpa, const void *buf, u32 len,
			     struct mshv_sim_gpa_fault *fault)
{
	struct mshv_sim_vp *vp = ctx;

	/* With MSHV_SIM_ACCESS_WRITE the buffer is only read. */
	if (mshv_sim_lapic_mmio(vp, gpa, (void *)buf, len, true) ||
	    mshv_sim_vp_synic_access(vp, gpa, (void *)buf, len, true) ||
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
		struct hv_x64_interruption_deliverable_message deliverable;
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
/* Count an intercept message of @vp in its statistics. */
static void mshv_sim_vp_count_message(struct mshv_sim_vp *vp, u32 type)
{
	struct mshv_sim_stats_obj *s = &vp->stats;

	switch (type) {
	case HVMSG_X64_IOPORT_INTERCEPT:
		mshv_sim_stat_add(s, HV_STATS_VP_IO_INSTRUCTIONS, 1);
		mshv_sim_stat_add(s, HV_STATS_VP_IO_INTERCEPT_MESSAGES, 1);
		break;
	case HVMSG_UNMAPPED_GPA:
	case HVMSG_GPA_INTERCEPT:
		mshv_sim_stat_add(s, HV_STATS_VP_MEMORY_INTERCEPT_MESSAGES, 1);
		break;
	case HVMSG_X64_HALT:
		mshv_sim_stat_add(s, HV_STATS_VP_HLT_INSTRUCTIONS, 1);
		mshv_sim_stat_add(s, HV_STATS_VP_OTHER_MESSAGES, 1);
		break;
	case HVMSG_X64_CPUID_INTERCEPT:
		mshv_sim_stat_add(s, HV_STATS_VP_CPUID_INSTRUCTIONS, 1);
		mshv_sim_stat_add(s, HV_STATS_VP_OTHER_MESSAGES, 1);
		break;
	case HVMSG_X64_MSR_INTERCEPT:
		mshv_sim_stat_add(s, HV_STATS_VP_MSR_ACCESSES, 1);
		mshv_sim_stat_add(s, HV_STATS_VP_OTHER_MESSAGES, 1);
		break;
	default:
		mshv_sim_stat_add(s, HV_STATS_VP_OTHER_MESSAGES, 1);
		break;
	}
}

static void mshv_sim_post(struct mshv_sim_vp *vp, const struct mshv_sim_msg *msg)
{
	struct hv_message *hvmsg;

	hvmsg = page_address(vp->pages[HV_VP_STATE_PAGE_INTERCEPT_MESSAGE]);
	memset(hvmsg, 0, sizeof(*hvmsg));
	hvmsg->header.message_type = msg->type;
	hvmsg->header.payload_size = msg->size;
	memcpy(hvmsg->u.payload, &msg->payload, msg->size);
	vp->intercept_suspend = 1;
	mshv_sim_vp_count_message(vp, msg->type);
	mshv_sim_trace_msg(vp, hvmsg);
}

/*
 * The processor this simulator models, as CPUID reports it: a 64-bit
 * family 6 processor with a local APIC, running under a hypervisor that
 * identifies itself as Hyper-V. Leaves not listed read as zero. The
 * partition's processor features and registered results are applied on
 * top of it by mshv_sim_vp_cpuid_values() (cpuid.c).
 */
void mshv_sim_cpuid(const struct mshv_sim_vp *vp, u32 leaf, u32 *eax,
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
	case HYPERV_CPUID_INTERFACE:
	case HYPERV_CPUID_FEATURES: {
		u32 regs[4] = {};

		mshv_sim_hv_cpuid(vp->pt, leaf, regs);
		*eax = regs[0];
		*ebx = regs[1];
		*ecx = regs[2];
		*edx = regs[3];
		break;
	}
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
	u32 leaf = cpu->gpr[0], a, b, cx, d, regs[4];

	mshv_sim_vp_cpuid_values(vp, leaf, cpu->gpr[1], true, regs);
	a = regs[0];
	b = regs[1];
	cx = regs[2];
	d = regs[3];
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

/*
 * The register of the register file that MSR @index is, for the MSRs the
 * simulated processor implements itself. The synthetic MSRs the partition
 * has are mshv_sim_vp_synthetic_msr()'s (vpsynic.c).
 */
static bool mshv_sim_msr_reg(u32 index, u32 *name)
{
	static const struct {
		u32 msr;
		u32 name;
	} map[] = {
		{ MSR_IA32_TSC, HV_X64_REGISTER_TSC },
		{ MSR_IA32_TSC_ADJUST, HV_X64_REGISTER_TSC_ADJUST },
		{ MSR_IA32_SPEC_CTRL, HV_X64_REGISTER_SPEC_CTRL },
		{ MSR_IA32_APICBASE, HV_X64_REGISTER_APIC_BASE },
		{ MSHV_SIM_MSR_MTRR_CAP, HV_X64_REGISTER_MSR_MTRR_CAP },
		{ MSR_IA32_SYSENTER_CS, HV_X64_REGISTER_SYSENTER_CS },
		{ MSR_IA32_SYSENTER_ESP, HV_X64_REGISTER_SYSENTER_ESP },
		{ MSR_IA32_SYSENTER_EIP, HV_X64_REGISTER_SYSENTER_EIP },
		{ MSR_IA32_DEBUGCTLMSR, HV_X64_REGISTER_DEBUG_CTL },
		{ MSHV_SIM_MSR_MTRR_FIX64K_00000,
		  HV_X64_REGISTER_MSR_MTRR_FIX64K00000 },
		{ MSHV_SIM_MSR_MTRR_FIX16K_80000,
		  HV_X64_REGISTER_MSR_MTRR_FIX64K00000 + 1 },
		{ MSHV_SIM_MSR_MTRR_FIX16K_A0000,
		  HV_X64_REGISTER_MSR_MTRR_FIX64K00000 + 2 },
		{ MSR_IA32_CR_PAT, HV_X64_REGISTER_PAT },
		{ MSHV_SIM_MSR_MTRR_DEF_TYPE, HV_X64_REGISTER_MSR_MTRR_DEF_TYPE },
		{ MSR_IA32_U_CET, HV_X64_REGISTER_U_CET },
		{ MSR_IA32_S_CET, HV_X64_REGISTER_S_CET },
		{ MSR_IA32_INT_SSP_TAB,
		  HV_X64_REGISTER_INTERRUPT_SSP_TABLE_ADDR },
		{ MSR_IA32_XSS, HV_X64_REGISTER_U_XSS },
		{ MSR_EFER, HV_X64_REGISTER_EFER },
		{ MSR_STAR, HV_X64_REGISTER_STAR },
		{ MSR_LSTAR, HV_X64_REGISTER_LSTAR },
		{ MSR_CSTAR, HV_X64_REGISTER_CSTAR },
		{ MSR_SYSCALL_MASK, HV_X64_REGISTER_SFMASK },
		{ MSR_KERNEL_GS_BASE, HV_X64_REGISTER_KERNEL_GS_BASE },
		{ MSR_TSC_AUX, HV_X64_REGISTER_TSC_AUX },
	};
	unsigned int i;

	if (mshv_sim_in(index, MSHV_SIM_MSR_MTRR_PHYS_BASE0,
			2 * MSHV_SIM_MTRR_VARIABLE)) {
		i = index - MSHV_SIM_MSR_MTRR_PHYS_BASE0;
		*name = (i & 1 ? HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0 :
				 HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0) + i / 2;
		return true;
	}
	if (index >= MSHV_SIM_MSR_MTRR_FIX4K_C0000 &&
	    index <= MSHV_SIM_MSR_MTRR_FIX4K_F8000) {
		*name = HV_X64_REGISTER_MSR_MTRR_FIX64K00000 + 3 +
			index - MSHV_SIM_MSR_MTRR_FIX4K_C0000;
		return true;
	}
	if (index >= MSR_IA32_PL0_SSP && index <= MSHV_SIM_MSR_PL3_SSP) {
		*name = HV_X64_REGISTER_PL0_SSP + index - MSR_IA32_PL0_SSP;
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (map[i].msr == index) {
			*name = map[i].name;
			return true;
		}
	}
	return false;
}

/*
 * RDMSR or WRMSR (@write) of MSR @index, which the processor implements,
 * with *@value: the register file's register, or the FS or GS base. A
 * write the register refuses raises #GP, as do writes to EFER.LMA (which
 * the processor keeps) and to EFER.LME while paging is on. Return 0 if
 * done, -1 for #GP, 1 if the MSR is not implemented.
 */
static int mshv_sim_vp_msr(struct mshv_sim_vp *vp, u32 index, bool write,
			   u64 *value)
{
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	union hv_register_value val = {};
	struct mshv_sim_x86_seg *seg;
	u32 name;
	int ret;

	if (index == MSR_FS_BASE || index == MSR_GS_BASE) {
		seg = &cpu->seg[index == MSR_FS_BASE ? MSHV_SIM_X86_FS :
						       MSHV_SIM_X86_GS];
		if (!write) {
			*value = seg->base;
			return 0;
		}
		if (!mshv_sim_canonical(*value))
			return -1;
		seg->base = *value;
		return 0;
	}
	ret = mshv_sim_vp_synthetic_msr(vp, index, write, value);
	if (ret <= 0)
		return ret;
	if (!mshv_sim_msr_reg(index, &name))
		return 1;
	if (!write) {
		mshv_sim_vp_get_reg(vp, name, &val);
		*value = val.reg64;
		return 0;
	}
	val.reg64 = *value;
	if (name == HV_X64_REGISTER_EFER) {
		if ((*value ^ cpu->efer) & EFER_LMA ||
		    ((*value ^ cpu->efer) & EFER_LME &&
		     cpu->cr0 & X86_CR0_PG))
			return -1;
	}
	return mshv_sim_vp_set_reg(vp, name, &val) ? -1 : 0;
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
	u64 value = (cpu->gpr[2] << 32) | (u32)cpu->gpr[0];
	int ret;

	if (mshv_sim_intercepted(pt, HV_INTERCEPT_TYPE_X64_MSR_INDEX, mask,
				 index, false)) {
		mshv_sim_msg_msr(vp, exit, msg);
		return 1;
	}
	ret = mshv_sim_vp_apic_msr(vp, exit, write);
	if (ret <= 0)
		return ret;
	ret = mshv_sim_vp_msr(vp, index, write, &value);
	if (ret < 0)
		return ret;
	if (!ret) {
		if (!write) {
			cpu->gpr[0] = (u32)value;
			cpu->gpr[2] = value >> 32;
		}
		mshv_sim_x86_skip(cpu, exit);
		return 0;
	}
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
	case MSHV_SIM_X86_EXIT_VMCALL:
		mshv_sim_vp_hypercall(vp);
		mshv_sim_x86_skip(&vp->cpu, exit);
		return false;
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
 * The intercept for an interrupt or exception the guest's tables could
 * not take (see mshv_sim_x86_deliver()), into @msg.
 */
static void mshv_sim_msg_delivery(const struct mshv_sim_vp *vp,
				  const struct mshv_sim_x86_exit *dexit,
				  struct mshv_sim_msg *msg)
{
	switch (dexit->reason) {
	case MSHV_SIM_X86_EXIT_GPA:
		mshv_sim_msg_gpa(vp, dexit, msg);
		break;
	case MSHV_SIM_X86_EXIT_UNSUPPORTED:
		mshv_sim_msg_unsupported(vp, dexit, msg);
		break;
	default:
		msg->type = HVMSG_UNRECOVERABLE_EXCEPTION;
		msg->size = sizeof(msg->payload.header);
		mshv_sim_msg_header(vp, dexit, HV_INTERCEPT_ACCESS_EXECUTE,
				    msg);
		break;
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
	enum mshv_sim_lapic_kind kind;
	int vector = mshv_sim_lapic_next(vp, &kind);

	if (vector < 0)
		return false;
	if (!mshv_sim_x86_deliver(&vp->cpu, &mshv_sim_vp_mem_ops, vp, vector,
				  false, 0, &dexit)) {
		mshv_sim_lapic_ack(vp, kind, vector);
		return false;
	}
	mshv_sim_msg_delivery(vp, &dexit, msg);
	return true;
}

/*
 * Inject the interruption the root left in HV_REGISTER_PENDING_INTERRUPTION
 * before @vp's next instruction, whatever RFLAGS.IF (the root asked for
 * it): an external interrupt or NMI (which masks NMIs until IRET), or a
 * hardware exception with its error code, or a software interrupt or
 * exception, after which the VP returns past the instruction length the
 * root gave. The register is then clear. A VP waiting for a startup IPI
 * takes nothing; a halted one wakes. Return true if the delivery failed
 * and an intercept was built in @msg.
 */
static bool mshv_sim_vp_inject(struct mshv_sim_vp *vp, struct mshv_sim_msg *msg)
{
	u64 pending = vp->pending_interruption;
	u8 type = FIELD_GET(MSHV_SIM_PENDING_TYPE, pending);
	struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	struct mshv_sim_x86_exit dexit = {};

	if (!(pending & MSHV_SIM_PENDING) || vp->startup_suspend)
		return false;
	vp->pending_interruption = 0;
	vp->lapic.halted = false;
	if (type >= MSHV_SIM_PENDING_SW_INT)
		cpu->rip += FIELD_GET(MSHV_SIM_PENDING_INSN_LEN, pending);
	if (type == HV_X64_PENDING_NMI)
		cpu->nmi_masked = true;
	if (!mshv_sim_x86_deliver(cpu, &mshv_sim_vp_mem_ops, vp,
				  FIELD_GET(MSHV_SIM_PENDING_VECTOR, pending),
				  type == HV_X64_PENDING_EXCEPTION &&
				  (pending & MSHV_SIM_PENDING_ERROR_CODE),
				  pending >> 32, &dexit))
		return false;
	mshv_sim_msg_delivery(vp, &dexit, msg);
	return true;
}

/* The notifications of HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS */
#define MSHV_SIM_NOTIFY_NMI		BIT_ULL(0)
#define MSHV_SIM_NOTIFY_INTERRUPT	BIT_ULL(1)

/*
 * The root asked to know when @vp can take an NMI (no NMI being handled)
 * or an external interrupt (RFLAGS.IF set); neither while an interrupt
 * shadow is in effect. When it can, build the
 * HVMSG_X64_INTERRUPTION_DELIVERABLE intercept in @msg and clear that
 * notification, as Hyper-V does. Return true if a message was built.
 */
static bool mshv_sim_vp_deliverable(struct mshv_sim_vp *vp,
				    struct mshv_sim_msg *msg)
{
	struct hv_x64_interruption_deliverable_message *d =
		&msg->payload.deliverable;
	const struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	struct mshv_sim_x86_exit exit = {};
	u64 notify = vp->deliverability;
	u32 type;

	if (cpu->interrupt_shadow || vp->startup_suspend)
		return false;
	if ((notify & MSHV_SIM_NOTIFY_NMI) && !cpu->nmi_masked) {
		vp->deliverability &= ~MSHV_SIM_NOTIFY_NMI;
		type = HV_X64_PENDING_NMI;
	} else if ((notify & MSHV_SIM_NOTIFY_INTERRUPT) &&
		   (cpu->rflags & MSHV_SIM_X86_FLAG_IF)) {
		vp->deliverability &= ~MSHV_SIM_NOTIFY_INTERRUPT;
		type = HV_X64_PENDING_INTERRUPT;
	} else {
		return false;
	}
	msg->type = HVMSG_X64_INTERRUPTION_DELIVERABLE;
	msg->size = sizeof(*d);
	mshv_sim_msg_header(vp, &exit, HV_INTERCEPT_ACCESS_EXECUTE, msg);
	d->deliverable_type = type;
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

/**
 * struct mshv_sim_ple - the spin loop a VP may be in, within one time slice
 * @first: instructions retired in the slice at the first PAUSE of the loop
 * @last: the same at its latest PAUSE
 * @spinning: a loop was seen
 */
struct mshv_sim_ple {
	u32 first;
	u32 last;
	bool spinning;
};

/*
 * The VP executed PAUSE after retiring @now instructions of its slice.
 * PAUSEs at most MSHV_SIM_PLE_GAP instructions apart continue a spin loop;
 * return true once it has spun for MSHV_SIM_PLE_WINDOW instructions:
 * the pause-loop exit that ends the slice, with RIP past the PAUSE.
 */
static bool mshv_sim_ple_exit(struct mshv_sim_ple *ple, u32 now)
{
	if (!ple->spinning || now - ple->last > MSHV_SIM_PLE_GAP) {
		ple->spinning = true;
		ple->first = now;
	}
	ple->last = now;
	return now - ple->first >= MSHV_SIM_PLE_WINDOW;
}

/*
 * Does the root have an interrupt pending on this CPU? The simulator runs
 * guest code on the root's own CPU with IRQs disabled, so an interrupt
 * for the root (its tick, an IPI, a device's) waits in the local APIC's
 * request register, where Hyper-V would see it arrive and stop the guest
 * at once: the root's VP must run its handler.
 */
static bool mshv_sim_root_irq_pending(void)
{
#ifdef CONFIG_X86_LOCAL_APIC
	unsigned int i;

	lockdep_assert_irqs_disabled();
	if (!boot_cpu_has(X86_FEATURE_APIC))
		return false;
	for (i = 0; i < APIC_ISR_NR; i++)
		if (apic->read(APIC_IRR + i * 0x10))
			return true;
#endif
	return false;
}

/* How one budget of a VP's instructions ended. */
enum mshv_sim_budget_end {
	MSHV_SIM_BUDGET_SPENT,		/* or the VP halted */
	MSHV_SIM_BUDGET_INTERCEPT,	/* an intercept was posted */
	MSHV_SIM_BUDGET_PAUSE_LOOP,	/* a pause-loop exit ends the slice */
	MSHV_SIM_BUDGET_ROOT_IRQ,	/* the root has an interrupt pending */
};

/*
 * Run @vp for one budget. A VP with a local APIC runs one instruction at
 * a time, so that an interrupt is taken, and a level-triggered EOI
 * reported, at the right instruction boundary; it stops early when it
 * halts waiting for an interrupt, and when it has spun on PAUSE for
 * MSHV_SIM_PLE_WINDOW instructions. With @root_irqs (a dispatch by the
 * root), a root interrupt stops it at the first instruction boundary
 * where it is seen, within
 * MSHV_SIM_ROOT_IRQ_POLL instructions of its arrival; the VP goes on from
 * there when it next runs. The first look comes only after
 * MSHV_SIM_ROOT_IRQ_MIN_RUN instructions (a pause-loop window), so that
 * the VP makes progress, and a VP spinning on PAUSE is seen as such, even
 * when the root's interrupts arrive back to back.
 */
static enum mshv_sim_budget_end
mshv_sim_vp_run_budget(struct mshv_sim_partition *pt, struct mshv_sim_vp *vp,
		       bool root_irqs)
{
	bool apic = mshv_sim_lapic_active(vp), step;
	u32 budget = MSHV_SIM_DISPATCH_BUDGET;
	struct mshv_sim_ple ple = {};
	struct mshv_sim_x86_exit exit;
	u32 poll = MSHV_SIM_ROOT_IRQ_MIN_RUN, ran;
	struct mshv_sim_msg msg;
	int done;

	/* Timers that expired while the VP did not run. */
	mshv_sim_stimer_poll(vp);
	for (;;) {
		memset(&msg, 0, sizeof(msg));
		if (mshv_sim_vp_inject(vp, &msg) ||
		    mshv_sim_vp_deliverable(vp, &msg))
			break;
		if (apic && mshv_sim_vp_apic_step(vp, &msg))
			break;
		if (!budget || mshv_sim_lapic_blocked(vp))
			return MSHV_SIM_BUDGET_SPENT;
		if (!poll) {
			if (root_irqs && mshv_sim_root_irq_pending())
				return MSHV_SIM_BUDGET_ROOT_IRQ;
			poll = MSHV_SIM_ROOT_IRQ_POLL;
		}
		/* Notifications are looked for at every instruction too. */
		step = apic || (vp->deliverability & (MSHV_SIM_NOTIFY_NMI |
						      MSHV_SIM_NOTIFY_INTERRUPT));
		memset(&exit, 0, sizeof(exit));
		done = mshv_sim_x86_run(&vp->cpu, &mshv_sim_vp_mem_ops, vp,
					step ? 1 : min(budget, poll), &exit);
		ran = min_t(u32, max(done, 0), budget);
		budget -= ran;
		poll -= min(ran, poll);
		if (exit.reason == MSHV_SIM_X86_EXIT_BUDGET)
			continue;
		if (exit.reason == MSHV_SIM_X86_EXIT_PAUSE) {
			if (mshv_sim_ple_exit(&ple, MSHV_SIM_DISPATCH_BUDGET -
						    budget))
				return MSHV_SIM_BUDGET_PAUSE_LOOP;
			continue;
		}
		if (mshv_sim_vp_exit(pt, vp, &exit, &msg))
			break;
		/* What was handled here counts as one instruction. */
		if (budget)
			budget--;
		if (poll)
			poll--;
	}
	mshv_sim_post(vp, &msg);
	return MSHV_SIM_BUDGET_INTERCEPT;
}

/*
 * Run @vp for at most MSHV_SIM_DISPATCH_BUDGET instructions, taking in
 * what the root changed in its register page first and showing it the
 * result after. Return true if it stopped at an intercept, posted in its
 * message page.
 */
/* Count a dispatch of @vp that began at @start (ns) in its statistics. */
static void mshv_sim_vp_count_dispatch(struct mshv_sim_vp *vp, u64 start)
{
	/* Statistics times are in 100 ns units. */
	u64 ticks = div_u64(ktime_get_ns() - start, 100);

	mshv_sim_stat_add(&vp->stats, HV_STATS_VP_LOGICAL_PROCESSOR_DISPATCHES,
			  1);
	mshv_sim_stat_add(&vp->stats, HV_STATS_VP_TOTAL_RUN_TIME, ticks);
	mshv_sim_stat_add(&vp->stats, HV_STATS_VP_HYPERVISOR_RUN_TIME, ticks);
}

static bool mshv_sim_vp_run(struct mshv_sim_partition *pt,
			    struct mshv_sim_vp *vp)
{
	u64 start = ktime_get_ns();
	bool intercepted;

	mshv_sim_vp_load_page(vp);
	intercepted = mshv_sim_vp_run_budget(pt, vp, false) ==
		      MSHV_SIM_BUDGET_INTERCEPT;
	mshv_sim_vp_store_page(vp);
	mshv_sim_vp_count_dispatch(vp, start);
	return intercepted;
}

/*
 * Let the other CPUs at the simulator between two budgets of a dispatch,
 * then find the VP again: the root may have deleted it, or its partition,
 * meanwhile. IRQs stay disabled, so that a root interrupt that arrives
 * now stays pending and ends the dispatch. Return -ENOENT if the VP is
 * gone, -EAGAIN if it may no longer run (its partition is being torn
 * down, or the simulator now schedules VPs itself), else 0.
 */
static int mshv_sim_dispatch_yield(struct mshv_sim *sim,
				   const struct hv_input_dispatch_vp *in,
				   struct mshv_sim_vp *vp)
{
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *found;

	spin_unlock(&sim->lock);
	cpu_relax();
	spin_lock(&sim->lock);
	if (mshv_sim_find_vp(sim, in->partition_id, in->vp_index, &pt,
			     &found) || found != vp)
		return -ENOENT;
	if (mshv_sim_hv_scheduler(sim) || pt->state != MSHV_SIM_PT_INITIALIZED)
		return -EAGAIN;
	return 0;
}

/* Is @vp suspended, so that it may not run? */
static bool mshv_sim_vp_suspended(const struct mshv_sim_vp *vp)
{
	return vp->explicit_suspend || vp->intercept_suspend ||
	       vp->dispatch_suspend;
}

/*
 * Run @vp for one dispatch: budget after budget, until it stops at an
 * intercept (true), blocks, is suspended, spins on PAUSE (a pause-loop
 * exit), the root has an interrupt pending, or @end passes. @out has the
 * VP's state when it stops. Return false if the VP was deleted meanwhile.
 */
static bool mshv_sim_dispatch_run(struct mshv_sim *sim,
				  const struct hv_input_dispatch_vp *in,
				  struct mshv_sim_vp *vp, ktime_t end,
				  struct hv_output_dispatch_vp *out)
{
	enum mshv_sim_budget_end ran;
	u64 start = ktime_get_ns();
	bool intercepted = false;
	int ret;

	vp->dispatched = true;
	mshv_sim_vp_load_page(vp);
	for (;;) {
		ran = mshv_sim_vp_run_budget(vp->pt, vp, true);
		if (ran == MSHV_SIM_BUDGET_INTERCEPT) {
			intercepted = true;
			break;
		}
		if (ran == MSHV_SIM_BUDGET_PAUSE_LOOP ||
		    ran == MSHV_SIM_BUDGET_ROOT_IRQ ||
		    mshv_sim_lapic_blocked(vp))
			break;
		if (mshv_sim_root_irq_pending() || ktime_after(ktime_get(), end))
			break;
		ret = mshv_sim_dispatch_yield(sim, in, vp);
		if (ret == -ENOENT)
			return false;
		if (ret || mshv_sim_vp_suspended(vp))
			break;
	}
	mshv_sim_vp_store_page(vp);
	vp->dispatched = false;
	mshv_sim_vp_count_dispatch(vp, start);

	if (intercepted) {
		out->dispatch_event = HV_VP_DISPATCH_EVENT_INTERCEPT;
	} else if (mshv_sim_vp_suspended(vp)) {
		/* Suspended while it ran: lifting it will signal the root. */
		out->dispatch_state = HV_VP_DISPATCH_STATE_BLOCKED;
		out->dispatch_event = HV_VP_DISPATCH_EVENT_SUSPEND;
		mshv_sim_lapic_dispatch_blocked(vp);
	} else if (mshv_sim_lapic_blocked(vp)) {
		/* Halted: it waits for an interrupt, which will signal. */
		out->dispatch_state = HV_VP_DISPATCH_STATE_BLOCKED;
		mshv_sim_lapic_dispatch_blocked(vp);
	}
	return true;
}

/**
 * mshv_sim_dispatch_vp() - HvDispatchVp, for the root scheduler
 * @sim: the instance
 * @call: the decoded call
 *
 * Runs the VP until it stops at an intercept (posted in its intercept
 * message page: dispatch state READY, event INTERCEPT), until the root
 * has an interrupt pending on the calling CPU, until it spins on PAUSE
 * (a pause-loop exit), or until its time slice ends (the input's, in
 * 100 ns units, or MSHV_SIM_DEFAULT_TIME_SLICE_NS for 0); the last three
 * return READY with no event, and the VP goes on
 * from there at its next dispatch. A suspended VP does not run (BLOCKED,
 * event SUSPEND), and the root gets a scheduler signal once the
 * suspension is lifted; HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND
 * lifts the intercept suspension first. A VP halted in the hypervisor
 * (HLT with interrupts enabled and a local APIC) or waiting for a startup
 * IPI returns BLOCKED with no event until an interrupt or a startup IPI
 * lets it run; the root then gets an HVMSG_SCHEDULER_VP_SIGNAL_PAIR
 * message. With
 * HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION the vectors the root left
 * in the register page are accepted first. The partition must be
 * initialized and the VP's intercept message page mapped, and the VP
 * not dispatched on another CPU (HV_STATUS_INVALID_VP_STATE). When the
 * simulator schedules VPs itself, the root may not dispatch them
 * (HV_STATUS_ACCESS_DENIED).
 *
 * The VP runs MSHV_SIM_DISPATCH_BUDGET instructions at a time; between
 * two, sim->lock is dropped for the other CPUs. The root's pending
 * interrupts are looked for between budgets and, after the first
 * MSHV_SIM_ROOT_IRQ_MIN_RUN instructions of one, every
 * MSHV_SIM_ROOT_IRQ_POLL instructions. IRQs stay disabled throughout, as
 * the simulator runs
 * on the root's CPU. A root that deletes the VP, or its
 * partition, while it dispatches it gets HV_STATUS_INVALID_VP_STATE.
 *
 * Context: sim->lock held, IRQs disabled; drops and retakes sim->lock.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_dispatch_vp(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_dispatch_vp *in = call->in;
	struct hv_output_dispatch_vp *out = call->out;
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	ktime_t end;
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
	if (!vp->pages[HV_VP_STATE_PAGE_INTERCEPT_MESSAGE] || vp->dispatched)
		return HV_STATUS_INVALID_VP_STATE;

	if (in->flags & HV_DISPATCH_VP_FLAG_SCAN_INTERRUPT_INJECTION)
		mshv_sim_lapic_scan(vp);
	if (in->flags & HV_DISPATCH_VP_FLAG_CLEAR_INTERCEPT_SUSPEND)
		vp->intercept_suspend = 0;
	if (mshv_sim_vp_suspended(vp)) {
		/* Lifting the suspension will signal the root. */
		mshv_sim_lapic_dispatch_blocked(vp);
		out->dispatch_state = HV_VP_DISPATCH_STATE_BLOCKED;
		out->dispatch_event = HV_VP_DISPATCH_EVENT_SUSPEND;
		return HV_STATUS_SUCCESS;
	}

	/* The root dispatched it: no signal is owed for an earlier BLOCKED. */
	vp->lapic.blocked = false;
	out->dispatch_state = HV_VP_DISPATCH_STATE_READY;
	out->dispatch_event = HV_VP_DISPATCH_EVENT_NONE;
	/* A slice longer than 2^32 units (7 minutes) is as good as endless. */
	end = ktime_add_ns(ktime_get(),
			   in->time_slice ?
			   (u64)min_t(u64, in->time_slice, U32_MAX) * 100 :
			   MSHV_SIM_DEFAULT_TIME_SLICE_NS);
	if (!mshv_sim_dispatch_run(sim, in, vp, end, out))
		return HV_STATUS_INVALID_VP_STATE;
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
	u64 start_ns = ktime_get_ns();
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
	sim->hv_time.sched_runs++;
	sim->hv_time.sched_ns += ktime_get_ns() - start_ns;
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
