// SPDX-License-Identifier: GPL-2.0
/*
 * HvTranslateVirtualAddress of mshv_sim: translates a guest virtual page
 * of a child partition's VP as the VP's paging state would, with the
 * checks the caller asks for, then checks the resulting guest page in the
 * partition's SLAT. The page walk is the interpreter's own
 * (mshv_sim_x86_walk()), so translations and guest execution agree.
 *
 * Everything here runs with sim->lock held and IRQs disabled.
 */
#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

/* Control flags the simulator accepts (no shadow stacks: CET is absent). */
#define MSHV_SIM_TRANSLATE_FLAGS					\
	(HV_TRANSLATE_GVA_VALIDATE_READ | HV_TRANSLATE_GVA_VALIDATE_WRITE | \
	 HV_TRANSLATE_GVA_VALIDATE_EXECUTE |				\
	 HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT |				\
	 HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS |				\
	 HV_TRANSLATE_GVA_TLB_FLUSH_INHIBIT |				\
	 HV_TRANSLATE_GVA_SUPERVISOR_ACCESS |				\
	 HV_TRANSLATE_GVA_USER_ACCESS | HV_TRANSLATE_GVA_ENFORCE_SMAP |	\
	 HV_TRANSLATE_GVA_OVERRIDE_SMAP)

/* The input VTL byte: VTL 0 named explicitly (use_target_vtl, VTL 0). */
#define MSHV_SIM_INPUT_VTL0		0x10

/**
 * mshv_sim_target_vp() - find the VP an allowlisted hypercall names
 * @sim: the instance
 * @pt_id: the child partition
 * @vp_index: the VP
 * @ptp: set to the partition
 * @vpp: set to the VP
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_SUCCESS, HV_STATUS_INVALID_PARTITION_ID or
 * HV_STATUS_INVALID_VP_INDEX.
 */
u16 mshv_sim_target_vp(struct mshv_sim *sim, u64 pt_id, u32 vp_index,
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

/*
 * Guest memory for the walk: the paging structures as the SLAT lets the
 * VP reach them. A stop fills @fault but, unlike a guest access, counts
 * no intercept.
 */
static int mshv_sim_translate_mem(struct mshv_sim_partition *pt, u64 gpa,
				  void *buf, u32 len, enum mshv_sim_access acc,
				  struct mshv_sim_gpa_fault *fault)
{
	u32 need = acc == MSHV_SIM_ACCESS_WRITE ? HV_MAP_GPA_WRITABLE :
						 HV_MAP_GPA_READABLE;
	u32 access;

	fault->gpa = gpa;
	fault->access = acc;
	if (!mshv_sim_slat_query(pt, PHYS_PFN(gpa), &access))
		fault->reason = MSHV_SIM_GPA_UNMAPPED;
	else if (!access)
		fault->reason = MSHV_SIM_GPA_NO_ACCESS;
	else if (!(access & need))
		fault->reason = MSHV_SIM_GPA_DENIED;
	else
		return mshv_sim_slat_access(pt, gpa, buf, len, acc, fault);
	return -EFAULT;
}

static int mshv_sim_translate_read(void *ctx, u64 gpa, void *buf, u32 len,
				   enum mshv_sim_access acc,
				   struct mshv_sim_gpa_fault *fault)
{
	return mshv_sim_translate_mem(ctx, gpa, buf, len, acc, fault);
}

static int mshv_sim_translate_write(void *ctx, u64 gpa, const void *buf,
				    u32 len, struct mshv_sim_gpa_fault *fault)
{
	/* With MSHV_SIM_ACCESS_WRITE the buffer is only read. */
	return mshv_sim_translate_mem(ctx, gpa, (void *)buf, len,
				      MSHV_SIM_ACCESS_WRITE, fault);
}

static const struct mshv_sim_x86_mem_ops mshv_sim_translate_ops = {
	.read = mshv_sim_translate_read,
	.write = mshv_sim_translate_write,
};

/* The result code of a paging-structure access the SLAT stopped. */
static u32 mshv_sim_translate_gpa_fault(const struct mshv_sim_gpa_fault *f)
{
	if (f->reason == MSHV_SIM_GPA_UNMAPPED)
		return HV_TRANSLATE_GVA_GPA_UNMAPPED;
	return f->access == MSHV_SIM_ACCESS_WRITE ?
	       HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS :
	       HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS;
}

static u32 mshv_sim_translate_walk_result(enum mshv_sim_x86_walk_status st,
					  const struct mshv_sim_x86_walk *res,
					  u64 *gpa_page)
{
	switch (st) {
	case MSHV_SIM_X86_WALK_OK:
		return HV_TRANSLATE_GVA_SUCCESS;
	case MSHV_SIM_X86_WALK_NOT_PRESENT:
		return HV_TRANSLATE_GVA_PAGE_NOT_PRESENT;
	case MSHV_SIM_X86_WALK_RESERVED:
		return HV_TRANSLATE_GVA_INVALID_PAGE_TABLE_FLAGS;
	case MSHV_SIM_X86_WALK_PROTECTION:
		return HV_TRANSLATE_GVA_PRIVILEGE_VIOLATION;
	default:
		*gpa_page = PHYS_PFN(res->fault.gpa);
		return mshv_sim_translate_gpa_fault(&res->fault);
	}
}

/*
 * Check the translated page in the SLAT against the accesses validated:
 * a page the VP may not fetch from reads as not readable, the TLFS
 * having no result code of its own for that.
 */
static u32 mshv_sim_translate_check_gpa(struct mshv_sim_partition *pt,
					u64 gfn, u64 flags, bool user)
{
	u32 access, exec;

	if (!mshv_sim_slat_query(pt, gfn, &access))
		return HV_TRANSLATE_GVA_GPA_UNMAPPED;
	exec = user ? HV_MAP_GPA_USER_EXECUTABLE : HV_MAP_GPA_KERNEL_EXECUTABLE;
	if ((flags & HV_TRANSLATE_GVA_VALIDATE_READ) &&
	    !(access & HV_MAP_GPA_READABLE))
		return HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS;
	if ((flags & HV_TRANSLATE_GVA_VALIDATE_WRITE) &&
	    !(access & HV_MAP_GPA_WRITABLE))
		return HV_TRANSLATE_GVA_GPA_NO_WRITE_ACCESS;
	if ((flags & HV_TRANSLATE_GVA_VALIDATE_EXECUTE) && !(access & exec))
		return HV_TRANSLATE_GVA_GPA_NO_READ_ACCESS;
	return HV_TRANSLATE_GVA_SUCCESS;
}

/* Current privilege level of @cpu: CS.DPL in protected mode. */
static bool mshv_sim_translate_user(const struct mshv_sim_x86_cpu *cpu)
{
	if (!(cpu->cr0 & MSHV_SIM_X86_CR0_PE))
		return false;
	return FIELD_GET(MSHV_SIM_X86_SEG_DPL,
			 cpu->seg[MSHV_SIM_X86_CS].attributes) == 3;
}

/**
 * mshv_sim_translate() - translate a guest virtual page of a VP
 * @vp: the VP
 * @flags: HV_TRANSLATE_GVA_* flags (already validated)
 * @gva_page: the guest virtual page number
 * @gpa_page: set to the guest physical page of a success or of a
 *	HV_TRANSLATE_GVA_GPA_* result, else 0
 *
 * Each access in @flags (read, write, execute) is checked with a walk of
 * its own, in that order; the first failure is the result. Without any,
 * the walk only translates. The access mode is the VP's (user at CPL 3)
 * unless @flags names one; HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT makes it a
 * supervisor access with SMEP and SMAP off. SMAP follows RFLAGS.AC
 * unless HV_TRANSLATE_GVA_ENFORCE_SMAP or _OVERRIDE_SMAP says otherwise.
 * With HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS a successful translation sets
 * the accessed bits of the entries used (and the dirty bit for a write).
 *
 * Return: the HV_TRANSLATE_GVA_* result code.
 */
static u32 mshv_sim_translate(struct mshv_sim_vp *vp, u64 flags, u64 gva_page,
			      u64 *gpa_page)
{
	static const struct {
		u64 flag;
		enum mshv_sim_access acc;
	} kinds[] = {
		{ HV_TRANSLATE_GVA_VALIDATE_READ, MSHV_SIM_ACCESS_READ },
		{ HV_TRANSLATE_GVA_VALIDATE_WRITE, MSHV_SIM_ACCESS_WRITE },
		{ HV_TRANSLATE_GVA_VALIDATE_EXECUTE, MSHV_SIM_ACCESS_EXECUTE },
	};
	const struct mshv_sim_x86_cpu *cpu = &vp->cpu;
	bool exempt = flags & HV_TRANSLATE_GVA_PRIVILEGE_EXEMPT;
	struct mshv_sim_x86_walk_req req = {
		.la = gva_page << HV_HYP_PAGE_SHIFT,
		.smep = !exempt,
		.smap = !exempt && !(flags & HV_TRANSLATE_GVA_OVERRIDE_SMAP) &&
			(!(cpu->rflags & MSHV_SIM_X86_FLAG_AC) ||
			 (flags & HV_TRANSLATE_GVA_ENFORCE_SMAP)),
		.no_1g_pages = !(mshv_sim_processor_features(vp->pt, 0) &
				 HV_X64_PROC_FEATURE0_PAGE_1GB),
	};
	enum mshv_sim_x86_walk_status st = MSHV_SIM_X86_WALK_OK;
	struct mshv_sim_x86_walk res;
	unsigned int i;
	u32 result;

	*gpa_page = 0;
	if (gva_page >> (64 - HV_HYP_PAGE_SHIFT))
		return HV_TRANSLATE_GVA_PAGE_NOT_PRESENT;
	if (flags & HV_TRANSLATE_GVA_USER_ACCESS)
		req.user = true;
	else if (!(flags & HV_TRANSLATE_GVA_SUPERVISOR_ACCESS) && !exempt)
		req.user = mshv_sim_translate_user(cpu);
	/* Without paging, linear addresses have 32 bits. */
	if (!(cpu->cr0 & MSHV_SIM_X86_CR0_PG) && (req.la >> 32))
		return HV_TRANSLATE_GVA_PAGE_NOT_PRESENT;

	req.check = true;
	for (i = 0; i < ARRAY_SIZE(kinds) && !st; i++) {
		if (!(flags & kinds[i].flag))
			continue;
		req.acc = kinds[i].acc;
		st = mshv_sim_x86_walk(cpu, &mshv_sim_translate_ops, vp->pt,
				       &req, &res);
	}
	if (!st) {
		/* The walk that translates, and sets A/D bits if asked to. */
		req.check = false;
		req.acc = flags & HV_TRANSLATE_GVA_VALIDATE_WRITE ?
			  MSHV_SIM_ACCESS_WRITE : MSHV_SIM_ACCESS_READ;
		req.set_ad = flags & HV_TRANSLATE_GVA_SET_PAGE_TABLE_BITS;
		st = mshv_sim_x86_walk(cpu, &mshv_sim_translate_ops, vp->pt,
				       &req, &res);
	}
	result = mshv_sim_translate_walk_result(st, &res, gpa_page);
	if (result != HV_TRANSLATE_GVA_SUCCESS)
		return result;

	*gpa_page = PHYS_PFN(res.gpa);
	return mshv_sim_translate_check_gpa(vp->pt, *gpa_page, flags,
					    req.user);
}

/**
 * mshv_sim_translate_virtual_address() - HvTranslateVirtualAddress
 * @sim: the instance
 * @call: the decoded call
 *
 * Refuses unknown control flags, a shadow-stack translation, both access
 * modes or both SMAP overrides at once, and an input VTL other than 0.
 * The translation's outcome is in the output, not in the status: see
 * mshv_sim_translate(). Successful translations report write-back memory
 * and no overlay page.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result.
 */
u16 mshv_sim_translate_virtual_address(struct mshv_sim *sim,
				       struct mshv_sim_call *call)
{
	const struct hv_input_translate_virtual_address *in = call->in;
	struct hv_output_translate_virtual_address *out = call->out;
	u64 flags = in->control_flags & ~HV_TRANSLATE_GVA_INPUT_VTL_MASK;
	u8 vtl = FIELD_GET(HV_TRANSLATE_GVA_INPUT_VTL_MASK, in->control_flags);
	struct mshv_sim_partition *pt;
	struct mshv_sim_vp *vp;
	u64 gpa_page;
	u32 result;
	u16 status;

	status = mshv_sim_target_vp(sim, in->partition_id, in->vp_index, &pt,
				    &vp);
	if (status)
		return status;
	/* The root may have changed CS or RFLAGS in the register page. */
	mshv_sim_vp_load_page(vp);
	if (in->padding || (flags & ~MSHV_SIM_TRANSLATE_FLAGS) ||
	    (vtl && vtl != MSHV_SIM_INPUT_VTL0))
		return HV_STATUS_INVALID_PARAMETER;
	if ((flags & HV_TRANSLATE_GVA_SUPERVISOR_ACCESS) &&
	    (flags & HV_TRANSLATE_GVA_USER_ACCESS))
		return HV_STATUS_INVALID_PARAMETER;
	if ((flags & HV_TRANSLATE_GVA_ENFORCE_SMAP) &&
	    (flags & HV_TRANSLATE_GVA_OVERRIDE_SMAP))
		return HV_STATUS_INVALID_PARAMETER;

	result = mshv_sim_translate(vp, flags, in->gva_page, &gpa_page);
	memset(out, 0, sizeof(*out));
	out->translation_result.result_code = result;
	if (result == HV_TRANSLATE_GVA_SUCCESS)
		out->translation_result.cache_type = HV_CACHE_TYPE_WRITE_BACK;
	out->gpa_page = gpa_page;
	return HV_STATUS_SUCCESS;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_translate_virtual_address);
