/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor seam of the Hyper-V root partition driver.
 *
 * Every interaction of /dev/mshv with the hypervisor goes through the
 * functions in this file: hypercalls (control word plus the GPAs of the
 * input and output pages, or register values for fast calls), the per-CPU
 * hypercall argument pages, the partition-type query, the synthetic
 * interrupt controller's registers (whose message page the hypervisor
 * provides) and the interrupt that announces a SynIC message.
 *
 * In a kernel built without CONFIG_MSHV_SIM each function is an inline
 * wrapper around the existing Hyper-V helpers. With CONFIG_MSHV_SIM a
 * test-only simulator module may register itself as the backend; the switch
 * is a static key, so a kernel whose simulator is not loaded pays one
 * patched-out jump per call.
 *
 * A user of the seam holds hv_seam_get() for as long as it may call it, so
 * that the backend cannot change or go away underneath it.
 *
 * Tests reach the hypervisor through the seam as well: a KUnit test may
 * answer its own task's hypercalls, and choose the VP indexes of the
 * root's CPUs, with hv_seam_kunit_fake(), while a backend is registered.
 * No other code has a test hook of its own.
 */
#ifndef _HYPERV_HV_SEAM_H
#define _HYPERV_HV_SEAM_H

#include <linux/cpumask.h>
#include <linux/errno.h>
#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <asm/mshyperv.h>

struct module;

/**
 * struct hv_sim_ops - a software hypervisor standing in for Hyper-V
 * @owner: module implementing the backend; pinned while the seam is in use
 * @hypercall: execute a hypercall. @control is the TLFS input control word;
 *	for a memory-based call @input and @output are the guest physical
 *	addresses of the input and output pages (0 when absent), for a fast
 *	call they are the first two register operands. Returns the TLFS
 *	result value (status in bits 15:0, reps completed in bits 43:32).
 * @input_page: this CPU's hypercall input page (caller has IRQs off)
 * @output_page: this CPU's hypercall output page (caller has IRQs off)
 * @root_partition: true if the running partition may create partitions
 * @get_msr: read this CPU's synthetic MSR @reg (HV_MSR_*); IRQs off
 * @set_msr: write this CPU's synthetic MSR @reg; IRQs off
 * @set_handler: install (or remove, with NULL) the function the backend
 *	calls in interrupt context, on the CPU concerned, when it posts a
 *	message to an unmasked SINT; it must not return while a previous
 *	handler may still run
 * @features_ecx: the feature bits the hypervisor reports in ECX of CPUID
 *	leaf HYPERV_CPUID_FEATURES (0x40000003)
 * @hints: the recommendations the hypervisor reports in EAX of CPUID leaf
 *	HYPERV_CPUID_ENLIGHTMENT_INFO (0x40000004), HV_*_RECOMMENDED
 * @vp_index: the hypervisor's virtual processor index of a CPU of the
 *	root partition, or VP_INVAL
 */
struct hv_sim_ops {
	struct module *owner;
	u64 (*hypercall)(u64 control, u64 input, u64 output);
	void *(*input_page)(void);
	void *(*output_page)(void);
	bool (*root_partition)(void);
	u64 (*get_msr)(unsigned int reg);
	void (*set_msr)(unsigned int reg, u64 value);
	void (*set_handler)(void (*handler)(void));
	u32 (*features_ecx)(void);
	u32 (*hints)(void);
	u32 (*vp_index)(unsigned int cpu);
};

#if IS_ENABLED(CONFIG_MSHV_SIM)

DECLARE_STATIC_KEY_FALSE(hv_sim_active);

int hv_sim_register(const struct hv_sim_ops *ops);
void hv_sim_unregister(const struct hv_sim_ops *ops);
u64 hv_sim_hypercall(u64 control, u64 input, u64 output);
void *hv_sim_input_page(void);
void *hv_sim_output_page(void);
bool hv_sim_root_partition(void);
u64 hv_sim_get_msr(unsigned int reg);
void hv_sim_set_msr(unsigned int reg, u64 value);
void hv_sim_set_handler(void (*handler)(void));
u32 hv_sim_features_ecx(void);
u32 hv_sim_hints(void);
u32 hv_sim_vp_index(unsigned int cpu);
int hv_seam_get(void);
void hv_seam_put(void);

static inline bool hv_seam_simulated(void)
{
	return static_branch_unlikely(&hv_sim_active);
}

#else /* !CONFIG_MSHV_SIM */

static inline bool hv_seam_simulated(void)
{
	return false;
}

static inline u64 hv_sim_hypercall(u64 control, u64 input, u64 output)
{
	return HV_STATUS_INVALID_HYPERCALL_CODE;
}

static inline void *hv_sim_input_page(void)
{
	return NULL;
}

static inline void *hv_sim_output_page(void)
{
	return NULL;
}

static inline bool hv_sim_root_partition(void)
{
	return false;
}

static inline u64 hv_sim_get_msr(unsigned int reg)
{
	return 0;
}

static inline void hv_sim_set_msr(unsigned int reg, u64 value)
{
}

static inline void hv_sim_set_handler(void (*handler)(void))
{
}

static inline u32 hv_sim_features_ecx(void)
{
	return 0;
}

static inline u32 hv_sim_hints(void)
{
	return 0;
}

static inline u32 hv_sim_vp_index(unsigned int cpu)
{
	return VP_INVAL;
}

static inline int hv_seam_get(void)
{
	return 0;
}

static inline void hv_seam_put(void)
{
}

#endif /* CONFIG_MSHV_SIM */

struct kunit;

#if IS_ENABLED(CONFIG_MSHV_SIM) && IS_REACHABLE(CONFIG_KUNIT)
int hv_seam_kunit_fake(struct kunit *test,
		       u64 (*hypercall)(u64 control, u64 input, u64 output),
		       u32 (*vp_index)(unsigned int cpu));
#else
static inline int
hv_seam_kunit_fake(struct kunit *test,
		   u64 (*hypercall)(u64 control, u64 input, u64 output),
		   u32 (*vp_index)(unsigned int cpu))
{
	return -ENODEV;
}
#endif

/**
 * hv_seam_hypercall() - issue a memory-based hypercall
 * @control: TLFS input control word
 * @input: this CPU's input page, or NULL
 * @output: this CPU's output page, or NULL
 *
 * Context: IRQs disabled when @input or @output is a per-CPU page.
 * Return: the TLFS hypercall result value.
 */
static inline u64 hv_seam_hypercall(u64 control, void *input, void *output)
{
	if (hv_seam_simulated())
		return hv_sim_hypercall(control,
					input ? virt_to_phys(input) : 0,
					output ? virt_to_phys(output) : 0);
	return hv_do_hypercall(control, input, output);
}

/**
 * hv_seam_fast_hypercall8() - issue a fast hypercall with one operand
 * @code: hypercall code
 * @input1: the operand, passed in a register
 *
 * Return: the TLFS hypercall result value.
 */
static inline u64 hv_seam_fast_hypercall8(u16 code, u64 input1)
{
	if (hv_seam_simulated())
		return hv_sim_hypercall((u64)code | HV_HYPERCALL_FAST_BIT,
					input1, 0);
	return hv_do_fast_hypercall8(code, input1);
}

/**
 * hv_seam_input_page() - this CPU's hypercall input page
 *
 * Only valid where hv_seam_root_partition() is true: the root partition
 * always has its per-CPU hypercall pages.
 *
 * Context: IRQs disabled until the page is no longer used.
 * Return: a page-sized, page-aligned buffer.
 */
static inline void *hv_seam_input_page(void)
{
	if (hv_seam_simulated())
		return hv_sim_input_page();
	if (!hyperv_pcpu_input_arg)
		return NULL;
	return *this_cpu_ptr(hyperv_pcpu_input_arg);
}

/**
 * hv_seam_output_page() - this CPU's hypercall output page
 *
 * Only valid where hv_seam_root_partition() is true.
 *
 * Context: IRQs disabled until the page is no longer used.
 * Return: a page-sized, page-aligned buffer.
 */
static inline void *hv_seam_output_page(void)
{
	if (hv_seam_simulated())
		return hv_sim_output_page();
	if (!hyperv_pcpu_output_arg)
		return NULL;
	return *this_cpu_ptr(hyperv_pcpu_output_arg);
}

/**
 * hv_seam_root_partition() - may this partition create child partitions?
 *
 * Without the simulator this is hv_parent_partition(): both the Hyper-V root
 * partition and a nested root (L1VH) partition may create child partitions,
 * so /dev/mshv is offered in either.
 *
 * Return: true in the root or a nested root partition (or under the
 * simulator), false in a guest partition.
 */
static inline bool hv_seam_root_partition(void)
{
	if (hv_seam_simulated())
		return hv_sim_root_partition();
	return hv_parent_partition();
}

/**
 * hv_seam_get_msr() - read one of this CPU's synthetic MSRs
 * @reg: HV_MSR_* (SynIC registers)
 *
 * Context: preemption disabled, so that the CPU does not change.
 * Return: the register's value.
 */
static inline u64 hv_seam_get_msr(unsigned int reg)
{
	if (hv_seam_simulated())
		return hv_sim_get_msr(reg);
	return hv_get_msr(reg);
}

/**
 * hv_seam_set_msr() - write one of this CPU's synthetic MSRs
 * @reg: HV_MSR_* (SynIC registers)
 * @value: the new value
 *
 * Context: preemption disabled, so that the CPU does not change.
 */
static inline void hv_seam_set_msr(unsigned int reg, u64 value)
{
	if (hv_seam_simulated())
		hv_sim_set_msr(reg, value);
	else
		hv_set_msr(reg, value);
}

/**
 * hv_seam_set_handler() - install the root partition's SynIC handler
 * @handler: called in interrupt context, on the CPU whose SynIC message
 *	page received a message, whenever the hypervisor raises the SynIC
 *	interrupt; NULL removes the handler
 *
 * After removing the handler, the caller waits for running instances with
 * synchronize_rcu() before its code may go away.
 */
static inline void hv_seam_set_handler(void (*handler)(void))
{
	if (hv_seam_simulated())
		hv_sim_set_handler(handler);
	else
		hv_setup_mshv_handler(handler);
}

/**
 * hv_seam_features_ecx() - the hypervisor's features in CPUID 0x40000003 ECX
 *
 * Hyper-V reports some of the features of the root partition's interface
 * there, such as HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE. Executing
 * CPUID costs a trip to the hypervisor: callers read it once.
 *
 * Return: the ECX bits (0 outside x86).
 */
static inline u32 hv_seam_features_ecx(void)
{
	if (hv_seam_simulated())
		return hv_sim_features_ecx();
#if IS_ENABLED(CONFIG_X86)
	return cpuid_ecx(HYPERV_CPUID_FEATURES);
#else
	return 0;
#endif
}

/**
 * hv_seam_hints() - the hypervisor's recommendations to the root partition
 *
 * Return: the HV_*_RECOMMENDED bits of CPUID 0x40000004 EAX.
 */
static inline u32 hv_seam_hints(void)
{
	if (hv_seam_simulated())
		return hv_sim_hints();
	return ms_hyperv.hints;
}

/**
 * hv_seam_vp_index() - the hypervisor's number for a CPU of the root
 * @cpu: Linux CPU number
 *
 * Return: the virtual processor index of @cpu, or VP_INVAL if unknown.
 */
static inline u32 hv_seam_vp_index(unsigned int cpu)
{
	if (hv_seam_simulated())
		return hv_sim_vp_index(cpu);
	if (!hv_vp_index || cpu >= nr_cpu_ids)
		return VP_INVAL;
	return hv_vp_index[cpu];
}

#endif /* _HYPERV_HV_SEAM_H */
