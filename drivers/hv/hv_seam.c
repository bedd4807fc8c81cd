// SPDX-License-Identifier: GPL-2.0
/*
 * Backend switch of the Hyper-V root partition seam (see
 * <hyperv/hv_seam.h>). Built into the kernel only with CONFIG_MSHV_SIM, so
 * that the simulator module can be loaded before the root driver and take
 * the place of the hypervisor.
 */
#include <linux/export.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <kunit/static_stub.h>
#include <hyperv/hv_seam.h>

/* Enabled while a simulator stands in for the hypervisor. */
struct static_key_false hv_sim_active = STATIC_KEY_FALSE_INIT;
EXPORT_SYMBOL_GPL(hv_sim_active);

/* Serialises backend registration against hv_seam_get()/hv_seam_put(). */
static DEFINE_MUTEX(hv_seam_lock);
/* The registered simulator; written under hv_seam_lock. */
static const struct hv_sim_ops *hv_sim_ops;
/* Number of hv_seam_get() callers holding the backend; under hv_seam_lock. */
static unsigned int hv_seam_users;

/**
 * hv_sim_register() - make a simulator the hypervisor backend
 * @ops: the simulator's callbacks; must stay valid until unregistered
 *
 * Fails if a backend is registered or if a driver is already using the
 * real hypervisor.
 *
 * Return: 0 on success, -EBUSY if the seam is taken, -EINVAL for bad @ops.
 */
int hv_sim_register(const struct hv_sim_ops *ops)
{
	int ret = 0;

	if (!ops || !ops->hypercall || !ops->input_page ||
	    !ops->output_page || !ops->root_partition || !ops->get_msr ||
	    !ops->set_msr || !ops->set_handler || !ops->features_ecx ||
	    !ops->hints || !ops->vp_index)
		return -EINVAL;

	mutex_lock(&hv_seam_lock);
	if (hv_sim_ops || hv_seam_users) {
		ret = -EBUSY;
		goto out_unlock;
	}
	WRITE_ONCE(hv_sim_ops, ops);
	static_branch_enable(&hv_sim_active);
out_unlock:
	mutex_unlock(&hv_seam_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_sim_register);

/**
 * hv_sim_unregister() - give the seam back to the real hypervisor
 * @ops: the callbacks passed to hv_sim_register()
 *
 * The caller's module reference count guarantees that no seam user is left.
 */
void hv_sim_unregister(const struct hv_sim_ops *ops)
{
	mutex_lock(&hv_seam_lock);
	if (!WARN_ON(hv_sim_ops != ops || hv_seam_users)) {
		static_branch_disable(&hv_sim_active);
		WRITE_ONCE(hv_sim_ops, NULL);
	}
	mutex_unlock(&hv_seam_lock);
}
EXPORT_SYMBOL_GPL(hv_sim_unregister);

/**
 * hv_seam_get() - pin the current backend for the caller's lifetime
 *
 * Return: 0 on success, -ENODEV if the simulator module is going away.
 */
int hv_seam_get(void)
{
	int ret = 0;

	mutex_lock(&hv_seam_lock);
	if (hv_sim_ops && !try_module_get(hv_sim_ops->owner))
		ret = -ENODEV;
	else
		hv_seam_users++;
	mutex_unlock(&hv_seam_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_seam_get);

/**
 * hv_seam_put() - release a reference taken by hv_seam_get()
 */
void hv_seam_put(void)
{
	mutex_lock(&hv_seam_lock);
	if (!WARN_ON(!hv_seam_users)) {
		hv_seam_users--;
		if (hv_sim_ops)
			module_put(hv_sim_ops->owner);
	}
	mutex_unlock(&hv_seam_lock);
}
EXPORT_SYMBOL_GPL(hv_seam_put);

/**
 * hv_sim_hypercall() - hand a hypercall to the simulator
 * @control: TLFS input control word
 * @input: input page GPA, or the first register operand of a fast call
 * @output: output page GPA, or the second register operand of a fast call
 *
 * KUnit tests may redirect this function to a fake hypervisor for the
 * task running the test only (see hv_seam_kunit_fake()).
 *
 * Return: the TLFS hypercall result value.
 */
u64 hv_sim_hypercall(u64 control, u64 input, u64 output)
{
	KUNIT_STATIC_STUB_REDIRECT(hv_sim_hypercall, control, input, output);
	return READ_ONCE(hv_sim_ops)->hypercall(control, input, output);
}
EXPORT_SYMBOL_GPL(hv_sim_hypercall);

/**
 * hv_sim_input_page() - the simulator's hypercall input page for this CPU
 *
 * Return: a page-aligned kernel buffer of one page.
 */
void *hv_sim_input_page(void)
{
	return READ_ONCE(hv_sim_ops)->input_page();
}
EXPORT_SYMBOL_GPL(hv_sim_input_page);

/**
 * hv_sim_output_page() - the simulator's hypercall output page for this CPU
 *
 * Return: a page-aligned kernel buffer of one page.
 */
void *hv_sim_output_page(void)
{
	return READ_ONCE(hv_sim_ops)->output_page();
}
EXPORT_SYMBOL_GPL(hv_sim_output_page);

/**
 * hv_sim_root_partition() - does the simulator model a root partition?
 *
 * Return: true if the simulated partition may create partitions.
 */
bool hv_sim_root_partition(void)
{
	return READ_ONCE(hv_sim_ops)->root_partition();
}
EXPORT_SYMBOL_GPL(hv_sim_root_partition);

/**
 * hv_sim_get_msr() - read a synthetic MSR of the registered simulator
 * @reg: HV_MSR_*
 *
 * Only called while the simulator is active and held (see hv_seam_get()).
 *
 * Return: the register's value on this CPU.
 */
u64 hv_sim_get_msr(unsigned int reg)
{
	return READ_ONCE(hv_sim_ops)->get_msr(reg);
}
EXPORT_SYMBOL_GPL(hv_sim_get_msr);

/**
 * hv_sim_set_msr() - write a synthetic MSR of the registered simulator
 * @reg: HV_MSR_*
 * @value: the new value
 *
 * Only called while the simulator is active and held.
 */
void hv_sim_set_msr(unsigned int reg, u64 value)
{
	READ_ONCE(hv_sim_ops)->set_msr(reg, value);
}
EXPORT_SYMBOL_GPL(hv_sim_set_msr);

/**
 * hv_sim_set_handler() - give the registered simulator the SynIC handler
 * @handler: the handler, or NULL
 *
 * Only called while the simulator is active and held.
 */
void hv_sim_set_handler(void (*handler)(void))
{
	READ_ONCE(hv_sim_ops)->set_handler(handler);
}
EXPORT_SYMBOL_GPL(hv_sim_set_handler);

/**
 * hv_sim_features_ecx() - the simulator's CPUID 0x40000003 ECX features
 *
 * Only called while the simulator is active and held.
 *
 * Return: the feature bits the simulated hypervisor offers.
 */
u32 hv_sim_features_ecx(void)
{
	return READ_ONCE(hv_sim_ops)->features_ecx();
}
EXPORT_SYMBOL_GPL(hv_sim_features_ecx);

/**
 * hv_sim_hints() - the simulator's CPUID 0x40000004 EAX recommendations
 *
 * Only called while the simulator is active and held.
 *
 * Return: the HV_*_RECOMMENDED bits the simulated hypervisor reports.
 */
u32 hv_sim_hints(void)
{
	return READ_ONCE(hv_sim_ops)->hints();
}
EXPORT_SYMBOL_GPL(hv_sim_hints);

/**
 * hv_sim_vp_index() - the simulator's VP index of a root CPU
 * @cpu: Linux CPU number
 *
 * KUnit tests may redirect this function for the task running the test
 * only (see hv_seam_kunit_fake()).
 *
 * Return: the virtual processor index, or VP_INVAL.
 */
u32 hv_sim_vp_index(unsigned int cpu)
{
	KUNIT_STATIC_STUB_REDIRECT(hv_sim_vp_index, cpu);
	return READ_ONCE(hv_sim_ops)->vp_index(cpu);
}
EXPORT_SYMBOL_GPL(hv_sim_vp_index);

#if IS_REACHABLE(CONFIG_KUNIT)
/**
 * hv_seam_kunit_fake() - stand in for the hypervisor in a KUnit test
 * @test: the running test; only its task is redirected, until it ends
 * @hypercall: answers the task's hypercalls, with the arguments of
 *	hv_sim_hypercall(); NULL leaves them to the backend
 * @vp_index: answers hv_seam_vp_index() for the task; NULL leaves it to
 *	the backend
 *
 * The redirection is the seam's own, so that code under test calls the
 * hypervisor exactly as it does outside tests. It works while a backend
 * (the simulator) is registered: without one, the seam calls Hyper-V
 * directly and nothing can be redirected.
 *
 * Return: 0, or -ENODEV if no backend is registered (skip the test).
 */
int hv_seam_kunit_fake(struct kunit *test,
		       u64 (*hypercall)(u64 control, u64 input, u64 output),
		       u32 (*vp_index)(unsigned int cpu))
{
	if (!hv_seam_simulated())
		return -ENODEV;
	/* The parameters' types already match the redirected functions'. */
	if (hypercall)
		__kunit_activate_static_stub(test, hv_sim_hypercall, hypercall);
	if (vp_index)
		__kunit_activate_static_stub(test, hv_sim_vp_index, vp_index);
	return 0;
}
EXPORT_SYMBOL_GPL(hv_seam_kunit_fake);
#endif
