// SPDX-License-Identifier: GPL-2.0
/*
 * The create path of a real VMM against /dev/mshv, in the order QEMU's
 * mshv accelerator and Cloud Hypervisor (rust-vmm mshv-ioctls) follow:
 * read the root's features, VMM capabilities and assignable synthetic
 * features, create a v2 partition that hides some processor features,
 * set the early properties (the synthetic features it may assign),
 * initialize, freeze and thaw time, set the late properties, create a VP
 * with registered CPUID results, load the reset register file and the
 * LAPIC and XSAVE state, and run a guest that checks what it sees.
 *
 * Each step logs its name first, so a failure says which step failed.
 * Nothing here needs the simulator; the few checks only the simulator
 * makes exact are marked.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mshv_test.h"

/* Short names of the properties the steps use. */
#define PROP_FEATURES0		HV_PARTITION_PROPERTY_PROCESSOR_FEATURES0
#define PROP_XSAVE		HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES
#define PROP_SYNTHETIC		HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES
#define PROP_MSR_ACTION		HV_PARTITION_PROPERTY_UNIMPLEMENTED_MSR_ACTION
#define PROP_FREEZE		HV_PARTITION_PROPERTY_TIME_FREEZE
#define PROP_REF_TIME		HV_PARTITION_PROPERTY_REFERENCE_TIME
#define MSR_IGNORE		HV_UNIMPLEMENTED_MSR_ACTION_IGNORE_WRITE_READ_ZERO

/* Synthetic processor features bits 0-9: what a VMM gives a guest. */
#define VMM_SYNTHETIC_FEATURES			0x3ffULL

#define PAGE_4K				4096
#define GUEST_SIZE			0x10000
#define GUEST_CODE			0x1000ULL
#define XSAVE_BUF_SIZE			(16 * PAGE_4K)

/* Values the VMM loads at reset and the guest reads back. */
#define VMM_PAT				0x0007010600070106ULL
#define VMM_APIC_BASE			0xfee00900ULL	/* enabled, BSP */
#define VMM_MTRR_DEF_TYPE		0xc06ULL	/* E, FE, WB */
#define UNIMPLEMENTED_MSR		0x00001234U

/* Offsets in the LAPIC state page and the XSAVE area. */
#define LAPIC_ID			0x20
#define LAPIC_SPURIOUS			0xf0
#define LAPIC_LVT_LINT0			0x350
#define XSAVE_FCW			0
#define XSAVE_MXCSR			24
#define XSAVE_XMM0			160
#define XSAVE_XSTATE_BV			512
#define XSTATE_X87			0x1ULL
#define XSTATE_SSE			0x2ULL

/* Leaf 0's vendor string the VMM registers: "VmmTestCpuId". */
#define VENDOR_EBX			0x546d6d56U	/* "VmmT" */
#define VENDOR_EDX			0x43747365U	/* "estC" */
#define VENDOR_ECX			0x64497570U	/* "puId" */

#define STEP(n, what)	ksft_print_msg("step %d: %s\n", n, what)

FIXTURE(vmm) {
	int dev;
	int pt;
	int vp;
	__u8 *mem;
	__u8 *lapic;
	__u8 *xsave;
};

FIXTURE_SETUP(vmm)
{
	self->pt = -1;
	self->vp = -1;
	self->mem = MAP_FAILED;
	self->lapic = MAP_FAILED;
	self->xsave = MAP_FAILED;
	if (!mshv_open_or_skip(_metadata, &self->dev))
		return;
	self->mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	self->lapic = mmap(NULL, PAGE_4K, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->lapic);
	self->xsave = mmap(NULL, XSAVE_BUF_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->xsave);
}

FIXTURE_TEARDOWN(vmm)
{
	if (self->vp >= 0)
		close(self->vp);
	if (self->pt >= 0)
		close(self->pt);
	if (self->mem != MAP_FAILED)
		munmap(self->mem, GUEST_SIZE);
	if (self->lapic != MAP_FAILED)
		munmap(self->lapic, PAGE_4K);
	if (self->xsave != MAP_FAILED)
		munmap(self->xsave, XSAVE_BUF_SIZE);
	if (self->dev >= 0)
		close(self->dev);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_nsec = ms * 1000000L };

	nanosleep(&ts, NULL);
}

static int register_cpuid(int pt, __u32 vp_index, __u32 leaf,
			  const __u32 result[8], __u16 *status)
{
	return mshv_register_intercept_result(pt, vp_index,
					      HV_INTERCEPT_TYPE_X64_CPUID,
					      leaf, 0, 0, 1, result, status);
}

/* HvGetVpCpuidValues of one leaf; @out: EAX, EBX, ECX, EDX. */
static int cpuid_values(int vp, __u32 flags, __u32 leaf, __u32 out[4],
			__u16 *status)
{
	return mshv_vp_cpuid_values(vp, 0, flags, leaf, 0, out, status);
}

/*
 * The guest, in real mode at GUEST_CODE: CPUID leaf 0 (EBX, EDX, ECX as
 * reports 0-2), leaf 0x80000001 EDX (report 3), RDMSR of the PAT (EAX,
 * EDX: reports 4, 5) and of an MSR no processor implements (6, 7), then
 * a write to the port of report 8 that ends the run (a hypervisor with
 * local APICs handles HLT itself: the VMM would not see it).
 */
GUEST_CODE16(guest_prog,
	     "xor %eax, %eax\n\t"
	     "xor %ecx, %ecx\n\t"
	     "cpuid\n\t"
	     "mov %ebx, %eax\n\t"
	     "guest_report 0\n\t"
	     "mov %edx, %eax\n\t"
	     "guest_report 1\n\t"
	     "mov %ecx, %eax\n\t"
	     "guest_report 2\n\t"
	     "mov $0x80000001, %eax\n\t"
	     "cpuid\n\t"
	     "mov %edx, %eax\n\t"
	     "guest_report 3\n\t"
	     "mov $0x277, %ecx\n\t"
	     "rdmsr\n\t"
	     "guest_report 4\n\t"
	     "mov %edx, %eax\n\t"
	     "guest_report 5\n\t"
	     "mov $0x1234, %ecx\n\t"
	     "mov $0xdead, %eax\n\t"
	     "mov %eax, %edx\n\t"
	     "rdmsr\n\t"
	     "guest_report 6\n\t"
	     "mov %edx, %eax\n\t"
	     "guest_report 7\n\t"
	     "out %al, $0x88");

#define GUEST_PORTS	8

TEST_F(vmm, create_path)
{
	__u64 root[2], xroot, disabled[2], child[2], xchild, value, t1, t2;
	__u64 vmm_caps[2], assignable = ~0ULL, synthetic;
	__u32 cpuid[4], got_port[GUEST_PORTS];
	static const __u32 vendor[8] = {
		0, 0, VENDOR_EBX, 0xffffffff, VENDOR_ECX, 0xffffffff,
		VENDOR_EDX, 0xffffffff,
	};
	struct mshv_vp_reg regs[MSHV_VP_REGS_MAX], back[MSHV_VP_REGS_MAX];
	bool sim = sim_present();
	struct hv_msg msg;
	unsigned int i, n, bank, outs;
	int nr;
	__u32 size;
	__u16 status;
	int ret;

	STEP(1, "root processor features and VMM capabilities");
	for (bank = 0; bank < 2; bank++) {
		ASSERT_EQ(0, mshv_get_property(self->dev, PROP_FEATURES0 + bank,
					       &root[bank], &status))
			TH_LOG("root PROCESSOR_FEATURES%u: status 0x%x", bank,
			       status);
	}
	EXPECT_NE(0ULL, root[0]);
	ASSERT_EQ(0, mshv_get_property(self->dev, PROP_XSAVE, &xroot, &status))
		TH_LOG("root PROCESSOR_XSAVE_FEATURES: status 0x%x", status);
	ret = mshv_get_property_ex(self->dev,
				   HV_PARTITION_PROPERTY_VMM_CAPABILITIES,
				   vmm_caps, sizeof(vmm_caps), &status);
	/* Older hypervisors do not know the property; VMMs carry on. */
	if (ret && status == HV_STATUS_UNKNOWN_PROPERTY) {
		ksft_print_msg("no VMM capabilities property\n");
	} else {
		ASSERT_EQ(0, ret)
			TH_LOG("VMM_CAPABILITIES: status 0x%x", status);
		EXPECT_LE(1ULL, vmm_caps[0] & 0xffff)
			TH_LOG("VMM capabilities: no bank");
	}
	/* The synthetic features the hypervisor can give, if it says. */
	if (!ret && (vmm_caps[1] & HV_VMM_CAP_ASSIGNABLE_SYNTHETIC)) {
		ASSERT_EQ(0, mshv_get_property_ex(self->dev,
						  HV_PARTITION_PROPERTY_ASSIGNABLE_SYNTHETIC,
						  &assignable,
						  sizeof(assignable), &status))
			TH_LOG("ASSIGNABLE_SYNTHETIC_PROC_FEATURES: status 0x%x",
			       status);
		/* At least the hypervisor and its "Hv#1" interface. */
		EXPECT_EQ(0x3ULL, assignable & 0x3ULL)
			TH_LOG("assignable 0x%llx",
			       (unsigned long long)assignable);
	} else if (sim) {
		EXPECT_NE(0ULL, vmm_caps[1] & HV_VMM_CAP_ASSIGNABLE_SYNTHETIC)
			TH_LOG("the simulator announces no assignable features");
	}
	synthetic = VMM_SYNTHETIC_FEATURES & assignable;

	STEP(2, "MSHV_CREATE_PARTITION v2 with disabled feature banks");
	/*
	 * As the VMMs do: the banks hold the complement of what the VMM
	 * supports. This one supports everything the root has except 1 GiB
	 * pages, and every xsave feature of the root.
	 */
	disabled[0] = ~(root[0] & ~HV_X64_PROC_FEATURE0_PAGE_1GB);
	disabled[1] = ~root[1];
	self->pt = mshv_create_partition_v2(self->dev,
					    1ULL << MSHV_PT_BIT_LAPIC |
					    1ULL << MSHV_PT_BIT_X2APIC |
					    1ULL << MSHV_PT_BIT_GPA_SUPER_PAGES,
					    disabled, ~xroot);
	ASSERT_LE(0, self->pt) TH_LOG("create: %s", strerror(-self->pt));
	for (bank = 0; bank < 2; bank++) {
		ASSERT_EQ(0, mshv_get_property(self->pt, PROP_FEATURES0 + bank,
					       &child[bank], &status))
			TH_LOG("child PROCESSOR_FEATURES%u: status 0x%x", bank,
			       status);
		/* Hyper-V may hide more; the simulator hides exactly these. */
		EXPECT_EQ(0ULL, child[bank] & disabled[bank])
			TH_LOG("bank %u: child 0x%llx has disabled bits", bank,
			       (unsigned long long)child[bank]);
		if (sim)
			EXPECT_EQ(root[bank] & ~disabled[bank], child[bank])
				TH_LOG("bank %u", bank);
	}
	ASSERT_EQ(0, mshv_get_property(self->pt, PROP_XSAVE, &xchild, &status));
	EXPECT_EQ(0ULL, xchild & ~xroot);
	if (sim)
		EXPECT_EQ(xroot, xchild);

	STEP(3, "early properties: synthetic processor features");
	ASSERT_EQ(0, mshv_set_property(self->pt, PROP_SYNTHETIC, synthetic,
				       &status))
		TH_LOG("set SYNTHETIC_PROC_FEATURES: status 0x%x", status);
	ASSERT_EQ(0, mshv_get_property(self->pt, PROP_SYNTHETIC, &value,
				       &status));
	EXPECT_EQ(synthetic, value);

	STEP(4, "MSHV_INITIALIZE_PARTITION");
	ASSERT_EQ(0, mshv_initialize_partition(self->pt));
	/* The early property is fixed once the partition is initialized. */
	ret = mshv_set_property(self->pt, PROP_SYNTHETIC, 0x3ULL, &status);
	EXPECT_NE(0, ret) TH_LOG("an early property changed after init");
	if (sim)
		EXPECT_EQ(HV_STATUS_INVALID_PARTITION_STATE, status);
	ASSERT_EQ(0, mshv_get_property(self->pt, PROP_SYNTHETIC, &value,
				       &status));
	EXPECT_EQ(synthetic, value);

	STEP(5, "freeze and thaw time");
	ASSERT_EQ(0, mshv_set_property(self->pt, PROP_FREEZE, 1, &status))
		TH_LOG("freeze: status 0x%x", status);
	ASSERT_EQ(0, mshv_get_property(self->pt, PROP_FREEZE, &value, &status));
	EXPECT_EQ(1ULL, value);
	ASSERT_EQ(0, mshv_get_property(self->pt, PROP_REF_TIME, &t1, &status))
		TH_LOG("REFERENCE_TIME: status 0x%x", status);
	sleep_ms(30);
	ASSERT_EQ(0, mshv_get_property(self->pt, PROP_REF_TIME, &t2, &status));
	EXPECT_EQ(t1, t2) TH_LOG("reference time moved while frozen");
	ASSERT_EQ(0, mshv_set_property(self->pt, PROP_FREEZE, 0, &status))
		TH_LOG("thaw: status 0x%x", status);
	sleep_ms(30);
	ASSERT_EQ(0, mshv_get_property(self->pt, PROP_REF_TIME, &t2, &status));
	/* 100 ns units: at least 10 ms passed. */
	EXPECT_LE(t1 + 100000, t2) TH_LOG("reference time stands after thaw");

	STEP(6, "late properties: unimplemented MSR action");
	ASSERT_EQ(0, mshv_set_property(self->pt, PROP_MSR_ACTION, MSR_IGNORE,
				       &status))
		TH_LOG("set UNIMPLEMENTED_MSR_ACTION: status 0x%x", status);
	ASSERT_EQ(0, mshv_get_property(self->pt, PROP_MSR_ACTION, &value,
				       &status));
	EXPECT_EQ(MSR_IGNORE, value);

	STEP(7, "create VP 0, register CPUID results, read them back");
	self->vp = mshv_create_vp(self->pt, 0);
	ASSERT_LE(0, self->vp) TH_LOG("create VP: %s", strerror(-self->vp));
	ASSERT_EQ(0, register_cpuid(self->pt, HV_ANY_VP, 0, vendor, &status))
		TH_LOG("HvRegisterInterceptResult: status 0x%x", status);
	ASSERT_EQ(0, cpuid_values(self->vp,
				  HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED, 0,
				  cpuid, &status))
		TH_LOG("HvGetVpCpuidValues: status 0x%x", status);
	EXPECT_EQ(VENDOR_EBX, cpuid[1]);
	EXPECT_EQ(VENDOR_ECX, cpuid[2]);
	EXPECT_EQ(VENDOR_EDX, cpuid[3]);
	EXPECT_LE(1U, cpuid[0]) TH_LOG("leaf 0 EAX (max leaf) overridden");
	/* Without the flag: the processor's own vendor. */
	ASSERT_EQ(0, cpuid_values(self->vp, 0, 0, cpuid, &status));
	EXPECT_FALSE(cpuid[1] == VENDOR_EBX && cpuid[2] == VENDOR_ECX &&
		     cpuid[3] == VENDOR_EDX)
		TH_LOG("registered vendor without APPLY_REGISTERED_VALUES");
	/* The 1 GiB page feature the VMM disabled is not reported. */
	ASSERT_EQ(0, cpuid_values(self->vp,
				  HV_GET_VP_CPUID_VALUES_APPLY_REGISTERED,
				  0x80000001, cpuid, &status));
	EXPECT_EQ(0U, cpuid[3] & (1U << 26))
		TH_LOG("CPUID 0x80000001 EDX 0x%x reports 1 GiB pages",
		       cpuid[3]);

	STEP(8, "the reset register file through HvSetVpRegisters");
	n = 0;
	memset(regs, 0, sizeof(regs));
#define SET(nm, l, h) do {					\
		regs[n].name = (nm);				\
		regs[n].lo = (l);				\
		regs[n].hi = (h);				\
		n++;						\
	} while (0)
	for (i = 0; i < 16; i++)
		SET(HV_X64_REGISTER_RAX + i,
		    0x0101010101010101ULL * (i + 1), 0);
	SET(HV_X64_REGISTER_RIP, GUEST_CODE, 0);
	SET(HV_X64_REGISTER_RFLAGS, 0x2, 0);
	SET(HV_X64_REGISTER_CS, 0, MSHV_SEG_HI(0xffff, 0, 0x9b));
	SET(HV_X64_REGISTER_DS, 0, MSHV_SEG_HI(0xffff, 0, 0x93));
	SET(HV_X64_REGISTER_ES, 0, MSHV_SEG_HI(0xffff, 0, 0x93));
	SET(HV_X64_REGISTER_FS, 0, MSHV_SEG_HI(0xffff, 0, 0x93));
	SET(HV_X64_REGISTER_GS, 0, MSHV_SEG_HI(0xffff, 0, 0x93));
	SET(HV_X64_REGISTER_SS, 0, MSHV_SEG_HI(0xffff, 0, 0x93));
	SET(HV_X64_REGISTER_TR, 0, MSHV_SEG_HI(0xffff, 0, 0x8b));
	SET(HV_X64_REGISTER_LDTR, 0, MSHV_SEG_HI(0xffff, 0, 0x82));
	/* A table register: the limit in bits 63:48, then the base. */
	SET(HV_X64_REGISTER_GDTR, 0xffffULL << 48, 0);
	SET(HV_X64_REGISTER_IDTR, 0xffffULL << 48, 0);
	SET(HV_X64_REGISTER_CR0, 0x60000010ULL, 0);	/* CD, NW, ET */
	SET(HV_X64_REGISTER_CR2, 0, 0);
	SET(HV_X64_REGISTER_CR3, 0, 0);
	SET(HV_X64_REGISTER_CR4, 0, 0);
	SET(HV_X64_REGISTER_CR8, 0, 0);
	SET(HV_X64_REGISTER_EFER, 0, 0);
	SET(HV_X64_REGISTER_APIC_BASE, VMM_APIC_BASE, 0);
	SET(HV_X64_REGISTER_PAT, VMM_PAT, 0);
	SET(HV_X64_REGISTER_MSR_MTRR_DEF_TYPE, VMM_MTRR_DEF_TYPE, 0);
	SET(HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0, 0x6ULL, 0);	/* WB at 0 */
	SET(HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0, 0xf80000800ULL, 0);	/* 2 GiB */
	SET(HV_X64_REGISTER_MSR_MTRR_FIX64K00000, 0x0606060606060606ULL, 0);
	SET(HV_X64_REGISTER_SYSENTER_CS, 0, 0);
	SET(HV_X64_REGISTER_SYSENTER_EIP, 0, 0);
	SET(HV_X64_REGISTER_SYSENTER_ESP, 0, 0);
	SET(HV_X64_REGISTER_STAR, 0, 0);
	SET(HV_X64_REGISTER_LSTAR, 0, 0);
	SET(HV_X64_REGISTER_CSTAR, 0, 0);
	SET(HV_X64_REGISTER_SFMASK, 0, 0);
	SET(HV_X64_REGISTER_KERNEL_GS_BASE, 0, 0);
	SET(HV_X64_REGISTER_TSC_AUX, 0, 0);
	SET(HV_X64_REGISTER_FP_CONTROL_STATUS, 0x37f, 0);	/* FCW */
	SET(HV_X64_REGISTER_XMM_CONTROL_STATUS, 0, 0x1f80);	/* MXCSR */
	SET(HV_X64_REGISTER_XFEM, 1, 0);			/* x87 */
#undef SET
	ASSERT_EQ(0, mshv_vp_set_regs(self->vp, 0, regs, n, &status))
		TH_LOG("HvSetVpRegisters: status 0x%x", status);
	memcpy(back, regs, sizeof(back));
	for (i = 0; i < n; i++) {
		back[i].lo = 0x5a5a5a5a5a5a5a5aULL;
		back[i].hi = back[i].lo;
	}
	ASSERT_EQ(0, mshv_vp_get_regs(self->vp, 0, back, n, &status))
		TH_LOG("HvGetVpRegisters: status 0x%x", status);
	for (i = 0; i < n; i++) {
		__u64 hi_mask = ~0ULL;

		/* The MXCSR mask is the processor's, not the VMM's. */
		if (regs[i].name == HV_X64_REGISTER_XMM_CONTROL_STATUS)
			hi_mask = 0xffffffffULL;
		EXPECT_EQ(regs[i].lo, back[i].lo)
			TH_LOG("register 0x%x low", regs[i].name);
		EXPECT_EQ(regs[i].hi & hi_mask, back[i].hi & hi_mask)
			TH_LOG("register 0x%x high", regs[i].name);
	}

	STEP(9, "LAPIC and XSAVE state");
	size = PAGE_4K;
	ASSERT_EQ(0, mshv_vp_state(self->vp, MSHV_GET_VP_STATE,
				   MSHV_VP_STATE_LAPIC, self->lapic, &size));
	EXPECT_EQ((__u32)PAGE_4K, size);
	EXPECT_EQ(0U, *(__u32 *)(self->lapic + LAPIC_ID) >> 24)
		TH_LOG("VP 0's APIC ID");
	*(__u32 *)(self->lapic + LAPIC_SPURIOUS) = 0x1ff;	/* enabled */
	*(__u32 *)(self->lapic + LAPIC_LVT_LINT0) = 0x700;	/* ExtINT */
	ASSERT_EQ(0, mshv_vp_state(self->vp, MSHV_SET_VP_STATE,
				   MSHV_VP_STATE_LAPIC, self->lapic, &size));
	memset(self->lapic, 0, PAGE_4K);
	ASSERT_EQ(0, mshv_vp_state(self->vp, MSHV_GET_VP_STATE,
				   MSHV_VP_STATE_LAPIC, self->lapic, &size));
	EXPECT_EQ(0x1ffU, *(__u32 *)(self->lapic + LAPIC_SPURIOUS));
	EXPECT_EQ(0x700U, *(__u32 *)(self->lapic + LAPIC_LVT_LINT0));

	size = XSAVE_BUF_SIZE;
	ASSERT_EQ(0, mshv_vp_state(self->vp, MSHV_GET_VP_STATE,
				   MSHV_VP_STATE_XSAVE, self->xsave, &size))
		TH_LOG("get XSAVE state: size %u", size);
	ASSERT_LE(512U + 64U, size);
	/* The XSAVE area agrees with the registers set in step 8. */
	EXPECT_EQ(0x37f, *(__u16 *)(self->xsave + XSAVE_FCW));
	EXPECT_EQ(0x1f80U, *(__u32 *)(self->xsave + XSAVE_MXCSR));
	/* XMM0 takes its new value only if the SSE component is not init. */
	for (i = 0; i < 16; i++)
		self->xsave[XSAVE_XMM0 + i] = 0xa0 + i;
	*(__u64 *)(self->xsave + XSAVE_XSTATE_BV) |= XSTATE_X87 | XSTATE_SSE;
	*(__u16 *)(self->xsave + XSAVE_FCW) = 0x27f;	/* double precision */
	ASSERT_EQ(0, mshv_vp_state(self->vp, MSHV_SET_VP_STATE,
				   MSHV_VP_STATE_XSAVE, self->xsave, &size));
	/* The registers agree with the XSAVE area just set. */
	memset(back, 0, sizeof(back));
	back[0].name = HV_X64_REGISTER_XMM0;
	back[1].name = HV_X64_REGISTER_FP_CONTROL_STATUS;
	ASSERT_EQ(0, mshv_vp_get_regs(self->vp, 0, back, 2, &status));
	EXPECT_EQ(0xa7a6a5a4a3a2a1a0ULL, back[0].lo);
	EXPECT_EQ(0xafaeadacabaaa9a8ULL, back[0].hi);
	EXPECT_EQ(0x27fULL, back[1].lo & 0xffff);

	STEP(10, "run a guest that reads CPUID and MSRs");
	memset(self->mem, GUEST_HLT, GUEST_SIZE);
	guest_code_load(self->mem, GUEST_CODE, guest_prog);
	ASSERT_EQ(0, guest_mem_map(self->pt, 0, self->mem, GUEST_SIZE));
	memset(got_port, 0, sizeof(got_port));
	for (outs = 0; outs <= GUEST_PORTS; outs++) {
		struct mshv_vp_reg rip = { .name = HV_X64_REGISTER_RIP };

		ret = mshv_run_vp(self->vp, &msg);
		if (ret == -EOPNOTSUPP)
			SKIP(return, "the hypervisor cannot run VPs");
		ASSERT_EQ(0, ret) TH_LOG("MSHV_RUN_VP: %s", strerror(-ret));
		ASSERT_EQ(HVMSG_X64_IO_PORT_INTERCEPT, msg.header.message_type)
			TH_LOG("exit %u at rip 0x%llx", outs,
			       (unsigned long long)msg.io.h.rip);
		nr = guest_report_nr(msg.io.port);
		if (nr == GUEST_PORTS)
			break;
		ASSERT_LE(0, nr);
		ASSERT_GT(GUEST_PORTS, nr);
		got_port[nr] = (__u32)msg.io.rax;
		rip.lo = msg.io.h.rip + (msg.io.h.instruction_length & 0xf);
		ASSERT_EQ(0, mshv_vp_set_regs(self->vp, 0, &rip, 1, &status));
	}
	ASSERT_EQ(GUEST_PORTS, guest_report_nr(msg.io.port));
	EXPECT_EQ((unsigned int)GUEST_PORTS, outs);
	EXPECT_EQ(VENDOR_EBX, got_port[0]);
	EXPECT_EQ(VENDOR_EDX, got_port[1]);
	EXPECT_EQ(VENDOR_ECX, got_port[2]);
	EXPECT_EQ(0U, got_port[3] & (1U << 26))
		TH_LOG("the guest sees 1 GiB pages");
	EXPECT_EQ((__u32)VMM_PAT, got_port[4]);
	EXPECT_EQ((__u32)(VMM_PAT >> 32), got_port[5]);
	EXPECT_EQ(0U, got_port[6]) TH_LOG("unimplemented MSR, low");
	EXPECT_EQ(0U, got_port[7]) TH_LOG("unimplemented MSR, high");
}

TEST_HARNESS_MAIN
