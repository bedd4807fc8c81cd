// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the interrupt remapping of the Hyper-V root partition's
 * devices (hv_irq_remap.c).
 *
 * A fake hypervisor answers the test's hypercalls through the root
 * partition's hypervisor seam (hv_seam_kunit_fake(), which needs the
 * simulator registered as the seam's backend; the tests are skipped
 * without it): it checks and logs every HvMapDeviceInterrupt and
 * HvUnmapDeviceInterrupt call, answers a map with an interrupt entry of its
 * own making, keeps the entries that are mapped and fails the call a test
 * picks with the status it picks. The seam's VP indexes are replaced too,
 * with VP numbers that are not the CPU numbers, so that the VP set the
 * hypercall carries is checked.
 * PCI device IDs are built on fake buses whose configuration space reads
 * come from arrays, with bridges of every kind pci_for_each_dma_alias()
 * knows.
 */

#include <kunit/test-bug.h>
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <asm/hyperv_irq_remap.h>
#include <asm/io_apic.h>
#include <asm/mshyperv.h>
#include <hyperv/hv_seam.h>

#define FAKE_MAX_CALLS	8
#define FAKE_MAX_LIVE	8
#define FAKE_MAX_FNS	4

/* One hypercall as the fake hypervisor saw it */
struct fake_call {
	u16 code;
	u16 status;
	u64 device_id;
	u32 vector;
	u32 trigger_mode;
	u64 valid_bank_mask;
	u64 banks[2];
	/* The entry a map returned or an unmap was given */
	struct hv_interrupt_entry entry;
};

/* An interrupt entry the fake hypervisor holds mapped */
struct fake_live {
	u64 device_id;
	struct hv_interrupt_entry entry;
};

/* A PCI function with its configuration space */
struct fake_fn {
	struct pci_dev *dev;
	u8 cfg[PCI_CFG_SPACE_SIZE];
};

struct fake_hv {
	struct fake_call calls[FAKE_MAX_CALLS];
	unsigned int nr_calls;
	/* Fail call number fail_call (counting from 1) with fail_status */
	unsigned int fail_call;
	u16 fail_status;
	/* hv_seam_vp_index() knows no CPU */
	bool no_vps;
	struct fake_live live[FAKE_MAX_LIVE];
	unsigned int nr_live;
	/* Unmaps of entries that were not mapped */
	unsigned int bad_unmaps;
	unsigned int serial;
	struct fake_fn fns[FAKE_MAX_FNS];
	unsigned int nr_fns;
};

static struct fake_hv *fake_hv(void)
{
	return kunit_get_current_test()->priv;
}

/* VP numbers unlike the CPU numbers, a bank apart */
static u32 fake_vp_index(unsigned int cpu)
{
	if (fake_hv()->no_vps)
		return VP_INVAL;
	return cpu * (HV_VCPUS_PER_SPARSE_BANK + 1) + 1;
}

/* The entry the fake hypervisor makes up for a map */
static void fake_make_entry(struct fake_hv *hv, union hv_device_id id,
			    const struct hv_device_interrupt_descriptor *desc,
			    struct hv_interrupt_entry *entry)
{
	struct IO_APIC_route_entry rte = { };

	memset(entry, 0, sizeof(*entry));
	hv->serial++;

	if (id.device_type == HV_DEVICE_TYPE_IOAPIC) {
		entry->source = HV_INTERRUPT_SOURCE_IOAPIC;
		rte.vector = desc->target.vector;
		rte.ir_format = 1;
		rte.ir_index_0_14 = 0x100 + hv->serial;
		entry->ioapic_rte.low_uint32 = rte.w1;
		entry->ioapic_rte.high_uint32 = rte.w2;
		return;
	}

	entry->source = HV_INTERRUPT_SOURCE_MSI;
	entry->msi_entry.address.msi_base = 0xfee;
	entry->msi_entry.address.destination_id = hv->serial;
	entry->msi_entry.data.vector = desc->target.vector;
	entry->msi_entry.data.trigger_mode = desc->trigger_mode;
}

static u16 fake_map(struct kunit *test, struct fake_hv *hv,
		    struct fake_call *call, unsigned int varhead,
		    const void *input, void *output)
{
	const struct hv_input_map_device_interrupt *in = input;
	const struct hv_device_interrupt_descriptor *desc =
		&in->interrupt_descriptor;
	struct hv_output_map_device_interrupt *out = output;
	union hv_device_id id = { .as_uint64 = in->device_id };
	unsigned int nr_banks = varhead - 1, i;

	KUNIT_EXPECT_GE(test, varhead, 2);
	KUNIT_EXPECT_NOT_NULL(test, output);
	if (!output)
		return HV_STATUS_INVALID_PARAMETER;
	KUNIT_EXPECT_EQ(test, in->partition_id, hv_current_partition_id);
	KUNIT_EXPECT_EQ(test, desc->interrupt_type, HV_X64_INTERRUPT_TYPE_FIXED);
	KUNIT_EXPECT_EQ(test, desc->vector_count, 1);
	KUNIT_EXPECT_EQ(test, desc->target.flags,
			HV_DEVICE_INTERRUPT_TARGET_PROCESSOR_SET);
	KUNIT_EXPECT_EQ(test, desc->target.vp_set.format,
			HV_GENERIC_SET_SPARSE_4K);

	call->device_id = in->device_id;
	call->vector = desc->target.vector;
	call->trigger_mode = desc->trigger_mode;
	call->valid_bank_mask = desc->target.vp_set.valid_bank_mask;
	for (i = 0; i < min_t(unsigned int, nr_banks, ARRAY_SIZE(call->banks)); i++)
		call->banks[i] = desc->target.vp_set.bank_contents[i];

	if (hv->nr_live == FAKE_MAX_LIVE)
		return HV_STATUS_INSUFFICIENT_MEMORY;

	fake_make_entry(hv, id, desc, &out->interrupt_entry);
	call->entry = out->interrupt_entry;
	hv->live[hv->nr_live].device_id = in->device_id;
	hv->live[hv->nr_live].entry = out->interrupt_entry;
	hv->nr_live++;
	return HV_STATUS_SUCCESS;
}

static u16 fake_unmap(struct kunit *test, struct fake_hv *hv,
		      struct fake_call *call, const void *input, void *output)
{
	const struct hv_input_unmap_device_interrupt *in = input;
	unsigned int i;

	KUNIT_EXPECT_NULL(test, output);
	KUNIT_EXPECT_EQ(test, in->partition_id, hv_current_partition_id);

	call->device_id = in->device_id;
	call->entry = in->interrupt_entry;

	for (i = 0; i < hv->nr_live; i++) {
		if (hv->live[i].device_id != in->device_id ||
		    memcmp(&hv->live[i].entry, &in->interrupt_entry,
			   sizeof(in->interrupt_entry)))
			continue;
		hv->live[i] = hv->live[--hv->nr_live];
		return HV_STATUS_SUCCESS;
	}

	hv->bad_unmaps++;
	return HV_STATUS_INVALID_PARAMETER;
}

/* Stands in for the hypervisor: @input and @output are page GPAs, or 0. */
static u64 fake_hypercall(u64 control, u64 input_gpa, u64 output_gpa)
{
	const void *input = input_gpa ? phys_to_virt(input_gpa) : NULL;
	void *output = output_gpa ? phys_to_virt(output_gpa) : NULL;
	struct kunit *test = kunit_get_current_test();
	struct fake_hv *hv = test->priv;
	unsigned int varhead = (control >> HV_HYPERCALL_VARHEAD_OFFSET) & 0x3ff;
	struct fake_call *call;
	u16 code = control & 0xffff;

	if (hv->nr_calls == FAKE_MAX_CALLS) {
		KUNIT_FAIL(test, "more than %d hypercalls", FAKE_MAX_CALLS);
		return HV_STATUS_INVALID_PARAMETER;
	}

	call = &hv->calls[hv->nr_calls++];
	call->code = code;

	if (hv->fail_call == hv->nr_calls) {
		call->status = hv->fail_status;
		return call->status;
	}

	switch (code) {
	case HVCALL_MAP_DEVICE_INTERRUPT:
		call->status = fake_map(test, hv, call, varhead, input,
					output);
		break;
	case HVCALL_UNMAP_DEVICE_INTERRUPT:
		KUNIT_EXPECT_EQ(test, varhead, 0);
		call->status = fake_unmap(test, hv, call, input, output);
		break;
	default:
		KUNIT_FAIL(test, "unexpected hypercall %#x", code);
		call->status = HV_STATUS_INVALID_HYPERCALL_CODE;
	}

	return call->status;
}

static int fake_cfg_read(struct pci_bus *bus, unsigned int devfn, int where,
			 int size, u32 *val)
{
	struct fake_hv *hv = fake_hv();
	unsigned int i;

	for (i = 0; i < hv->nr_fns; i++) {
		struct fake_fn *fn = &hv->fns[i];

		if (fn->dev->bus != bus || fn->dev->devfn != devfn)
			continue;
		*val = 0;
		memcpy(val, &fn->cfg[where], size);
		return PCIBIOS_SUCCESSFUL;
	}

	*val = ~0;
	return PCIBIOS_DEVICE_NOT_FOUND;
}

static int fake_cfg_write(struct pci_bus *bus, unsigned int devfn, int where,
			  int size, u32 val)
{
	return PCIBIOS_SET_FAILED;
}

static struct pci_ops fake_pci_ops = {
	.read = fake_cfg_read,
	.write = fake_cfg_write,
};

static struct pci_bus *fake_bus(struct kunit *test, struct pci_bus *parent,
				u8 number, int segment)
{
	struct pci_sysdata *sd = kunit_kzalloc(test, sizeof(*sd), GFP_KERNEL);
	struct pci_bus *bus = kunit_kzalloc(test, sizeof(*bus), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sd);
	KUNIT_ASSERT_NOT_NULL(test, bus);
	sd->domain = segment;
	bus->sysdata = sd;
	bus->number = number;
	bus->parent = parent;
	bus->ops = &fake_pci_ops;
	return bus;
}

/* A function at @bus/@devfn; a PCIe one if @pcie_type is not negative */
static struct fake_fn *fake_fn(struct kunit *test, struct pci_bus *bus,
			       unsigned int devfn, int pcie_type)
{
	struct fake_hv *hv = test->priv;
	struct fake_fn *fn;

	KUNIT_ASSERT_LT(test, hv->nr_fns, FAKE_MAX_FNS);
	fn = &hv->fns[hv->nr_fns++];
	fn->dev = kunit_kzalloc(test, sizeof(*fn->dev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fn->dev);
	fn->dev->bus = bus;
	fn->dev->devfn = devfn;
	fn->dev->hdr_type = PCI_HEADER_TYPE_NORMAL;
	if (pcie_type >= 0) {
		fn->dev->pcie_cap = 0x80;
		fn->dev->pcie_flags_reg = pcie_type << 4;
	}
	return fn;
}

/* A bridge at @bus/@devfn whose secondary bus is @number */
static struct fake_fn *fake_bridge(struct kunit *test, struct pci_bus *bus,
				   unsigned int devfn, int pcie_type,
				   u8 number, u8 subordinate)
{
	struct fake_fn *fn = fake_fn(test, bus, devfn, pcie_type);

	fn->dev->hdr_type = PCI_HEADER_TYPE_BRIDGE;
	fn->dev->subordinate = fake_bus(test, bus, number,
					pci_domain_nr(bus));
	fn->dev->subordinate->self = fn->dev;
	fn->cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_BRIDGE;
	fn->cfg[PCI_PRIMARY_BUS] = bus->number;
	fn->cfg[PCI_SECONDARY_BUS] = number;
	fn->cfg[PCI_SUBORDINATE_BUS] = subordinate;
	return fn;
}

/* Give @fn a PCI-X bridge capability with secondary status @sstatus */
static void fake_pcix_cap(struct fake_fn *fn, u16 sstatus)
{
	const u8 pos = 0x40;

	fn->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	fn->cfg[PCI_CAPABILITY_LIST] = pos;
	fn->cfg[pos + PCI_CAP_LIST_ID] = PCI_CAP_ID_PCIX;
	fn->cfg[pos + PCI_CAP_LIST_NEXT] = 0;
	fn->cfg[pos + PCI_X_BRIDGE_SSTATUS] = sstatus & 0xff;
	fn->cfg[pos + PCI_X_BRIDGE_SSTATUS + 1] = sstatus >> 8;
}

static int hv_irq_remap_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct fake_hv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, test->priv);

	if (hv_seam_kunit_fake(test, fake_hypercall, fake_vp_index))
		kunit_skip(test, "no hypervisor backend behind the seam");
	return 0;
}

static void expect_pci_id(struct kunit *test, union hv_device_id id,
			  int segment, u8 bus, u8 dev, u8 fn)
{
	KUNIT_EXPECT_EQ(test, (u32)id.device_type, HV_DEVICE_TYPE_PCI);
	KUNIT_EXPECT_EQ(test, id.pci.segment, segment);
	KUNIT_EXPECT_EQ(test, id.pci.bdf.bus, bus);
	KUNIT_EXPECT_EQ(test, (u32)id.pci.bdf.device, dev);
	KUNIT_EXPECT_EQ(test, (u32)id.pci.bdf.function, fn);
	KUNIT_EXPECT_EQ(test, (u32)id.pci.phantom_function_bits, 0);
}

static void expect_no_shadow(struct kunit *test, union hv_device_id id)
{
	KUNIT_EXPECT_EQ(test, (u32)id.pci.source_shadow, HV_SOURCE_SHADOW_NONE);
	KUNIT_EXPECT_EQ(test, id.pci.shadow_bus_range.secondary_bus, 0);
	KUNIT_EXPECT_EQ(test, id.pci.shadow_bus_range.subordinate_bus, 0);
}

/* A device on a root bus is named by its own requester ID */
static void pci_id_plain(struct kunit *test)
{
	struct pci_bus *root = fake_bus(test, NULL, 0x40, 3);
	struct fake_fn *dev = fake_fn(test, root, PCI_DEVFN(3, 1), -1);
	union hv_device_id id = hv_irq_remap_pci_id(dev->dev);

	expect_pci_id(test, id, 3, 0x40, 3, 1);
	expect_no_shadow(test, id);
}

/* A DMA alias on the device's own bus keeps the device's requester ID */
static void pci_id_dma_alias_same_bus(struct kunit *test)
{
	struct pci_bus *root = fake_bus(test, NULL, 0, 0);
	struct fake_fn *dev = fake_fn(test, root, PCI_DEVFN(4, 0), -1);
	union hv_device_id id;

	dev->dev->dma_alias_mask = kunit_kcalloc(test,
						 BITS_TO_LONGS(256),
						 sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dev->dev->dma_alias_mask);
	__set_bit(PCI_DEVFN(4, 1), dev->dev->dma_alias_mask);

	id = hv_irq_remap_pci_id(dev->dev);
	expect_pci_id(test, id, 0, 0, 4, 0);
	expect_no_shadow(test, id);
}

/* PCIe ports forward requester IDs unchanged */
static void pci_id_behind_root_port(struct kunit *test)
{
	struct pci_bus *root = fake_bus(test, NULL, 0, 1);
	struct fake_fn *port = fake_bridge(test, root, PCI_DEVFN(0x1c, 0),
					   PCI_EXP_TYPE_ROOT_PORT, 2, 2);
	struct fake_fn *dev = fake_fn(test, port->dev->subordinate,
				      PCI_DEVFN(0, 2), PCI_EXP_TYPE_ENDPOINT);
	union hv_device_id id = hv_irq_remap_pci_id(dev->dev);

	expect_pci_id(test, id, 1, 2, 0, 2);
	expect_no_shadow(test, id);
}

/*
 * A PCIe-to-PCI bridge forwards its secondary bus's transactions with
 * device 0 function 0 of that bus; in conventional PCI mode (no PCI-X
 * capability) the hypervisor needs no bus range.
 */
static void pci_id_pcie_to_pci_bridge(struct kunit *test)
{
	struct pci_bus *root = fake_bus(test, NULL, 0, 0);
	struct fake_fn *bridge = fake_bridge(test, root, PCI_DEVFN(0x1e, 0),
					     PCI_EXP_TYPE_PCI_BRIDGE, 5, 7);
	struct fake_fn *dev = fake_fn(test, bridge->dev->subordinate,
				      PCI_DEVFN(2, 0), -1);
	union hv_device_id id = hv_irq_remap_pci_id(dev->dev);

	expect_pci_id(test, id, 0, 5, 0, 0);
	expect_no_shadow(test, id);
}

/* Behind a bridge in PCI-X mode the ID carries its secondary bus range */
static void pci_id_pcie_to_pcix_bridge(struct kunit *test)
{
	struct pci_bus *root = fake_bus(test, NULL, 0, 2);
	struct fake_fn *bridge = fake_bridge(test, root, PCI_DEVFN(0x1e, 0),
					     PCI_EXP_TYPE_PCI_BRIDGE, 5, 7);
	struct fake_fn *dev = fake_fn(test, bridge->dev->subordinate,
				      PCI_DEVFN(2, 0), -1);
	union hv_device_id id;

	/* 133 MHz PCI-X mode 1 on the secondary interface */
	fake_pcix_cap(bridge, 0x0100);

	id = hv_irq_remap_pci_id(dev->dev);
	expect_pci_id(test, id, 2, 5, 0, 0);
	KUNIT_EXPECT_EQ(test, (u32)id.pci.source_shadow,
			HV_SOURCE_SHADOW_BRIDGE_BUS_RANGE);
	KUNIT_EXPECT_EQ(test, id.pci.shadow_bus_range.secondary_bus, 5);
	KUNIT_EXPECT_EQ(test, id.pci.shadow_bus_range.subordinate_bus, 7);
}

/* A PCI-X capable bridge running its secondary bus as conventional PCI */
static void pci_id_pcix_bridge_in_pci_mode(struct kunit *test)
{
	struct pci_bus *root = fake_bus(test, NULL, 0, 0);
	struct fake_fn *bridge = fake_bridge(test, root, PCI_DEVFN(0x1e, 0),
					     PCI_EXP_TYPE_PCI_BRIDGE, 5, 7);
	struct fake_fn *dev = fake_fn(test, bridge->dev->subordinate,
				      PCI_DEVFN(2, 0), -1);
	union hv_device_id id;

	/* Frequency field zero, other secondary status bits set */
	fake_pcix_cap(bridge, (u16)~PCI_X_SSTATUS_FREQ);

	id = hv_irq_remap_pci_id(dev->dev);
	expect_pci_id(test, id, 0, 5, 0, 0);
	expect_no_shadow(test, id);
}

/* A conventional PCI-to-PCI bridge forwards with its own requester ID */
static void pci_id_pci_bridge(struct kunit *test)
{
	struct pci_bus *root = fake_bus(test, NULL, 0, 0);
	struct fake_fn *bridge = fake_bridge(test, root, PCI_DEVFN(0x1e, 1),
					     -1, 6, 6);
	struct fake_fn *dev = fake_fn(test, bridge->dev->subordinate,
				      PCI_DEVFN(3, 0), -1);
	union hv_device_id id = hv_irq_remap_pci_id(dev->dev);

	expect_pci_id(test, id, 0, 0, 0x1e, 1);
	expect_no_shadow(test, id);
}

static void ioapic_id(struct kunit *test)
{
	union hv_device_id id = hv_irq_remap_ioapic_id(9);

	/* The IOAPIC ID in bits 7:0, the device type in bits 63:62 */
	KUNIT_EXPECT_EQ(test, id.as_uint64,
			(u64)HV_DEVICE_TYPE_IOAPIC << 62 | 9);
}

static void msi_msg_from_entry(struct kunit *test)
{
	struct hv_interrupt_entry entry = {
		.source = HV_INTERRUPT_SOURCE_MSI,
		.msi_entry.address.as_uint32 = 0xfee0300c,
		.msi_entry.data.as_uint32 = 0x4051,
	};
	struct msi_msg msg;

	memset(&msg, 0xa5, sizeof(msg));
	hv_irq_remap_msi_msg(&entry, &msg);
	KUNIT_EXPECT_EQ(test, msg.address_hi, 0);
	KUNIT_EXPECT_EQ(test, msg.address_lo, 0xfee0300c);
	KUNIT_EXPECT_EQ(test, msg.data, 0x4051);
}

/* The redirection entry the IOAPIC domain builds from @msg */
static struct IO_APIC_route_entry ioapic_rte_from_msg(const struct msi_msg *msg)
{
	struct IO_APIC_route_entry rte = { };

	rte.vector = msg->arch_data.vector;
	rte.delivery_mode = msg->arch_data.delivery_mode;
	rte.dest_mode_logical = msg->arch_addr_lo.dest_mode_logical;
	rte.ir_format = msg->arch_addr_lo.dmar_format;
	rte.ir_index_0_14 = msg->arch_addr_lo.dmar_index_0_14;
	return rte;
}

/* An entry in remapping format: index bits 0-14 and bit 15 survive */
static void ioapic_msg_remapped(struct kunit *test)
{
	struct hv_interrupt_entry entry = {
		.source = HV_INTERRUPT_SOURCE_IOAPIC,
	};
	struct IO_APIC_route_entry want = { }, got;
	struct msi_msg msg;

	/* Fields of both layouts of the union: assign, do not initialize */
	want.vector = 0x41;
	want.ir_index_15 = 1;
	want.ir_format = 1;
	want.ir_index_0_14 = 0x1234;
	entry.ioapic_rte.low_uint32 = want.w1;
	entry.ioapic_rte.high_uint32 = want.w2;

	memset(&msg, 0xa5, sizeof(msg));
	hv_irq_remap_ioapic_msg(&entry, &msg);
	KUNIT_EXPECT_EQ(test, msg.address_hi, 0);
	KUNIT_EXPECT_EQ(test, (u32)msg.arch_data.vector, 0x41);
	KUNIT_EXPECT_EQ(test, (u32)msg.arch_addr_lo.dmar_format, 1);

	got = ioapic_rte_from_msg(&msg);
	KUNIT_EXPECT_EQ(test, (u32)got.w1, (u32)want.w1);
	KUNIT_EXPECT_EQ(test, (u32)got.w2, (u32)want.w2);
}

/* An entry in compatibility format: the destination survives */
static void ioapic_msg_compatible(struct kunit *test)
{
	struct IO_APIC_route_entry want = {
		.vector = 0x33,
		.delivery_mode = APIC_DELIVERY_MODE_LOWESTPRIO,
		.dest_mode_logical = 1,
		.destid_0_7 = 0x07,
	};
	struct hv_interrupt_entry entry = {
		.source = HV_INTERRUPT_SOURCE_IOAPIC,
		.ioapic_rte.low_uint32 = want.w1,
		.ioapic_rte.high_uint32 = want.w2,
	};
	struct IO_APIC_route_entry got;
	struct msi_msg msg;

	hv_irq_remap_ioapic_msg(&entry, &msg);
	KUNIT_EXPECT_EQ(test, (u32)msg.arch_addr_lo.dmar_format, 0);

	got = ioapic_rte_from_msg(&msg);
	KUNIT_EXPECT_EQ(test, (u32)got.w1, (u32)want.w1);
	KUNIT_EXPECT_EQ(test, (u32)got.w2, (u32)want.w2);
	KUNIT_EXPECT_EQ(test, (u32)got.destid_0_7, 0x07);
}

static struct hv_irq_mapping pci_mapping(void)
{
	struct hv_irq_mapping map = { };

	map.device_id.device_type = HV_DEVICE_TYPE_PCI;
	map.device_id.pci.bdf.bus = 3;
	map.device_id.pci.bdf.device = 1;
	return map;
}

static void expect_entry(struct kunit *test, const struct hv_interrupt_entry *a,
			 const struct hv_interrupt_entry *b)
{
	KUNIT_EXPECT_MEMEQ(test, a, b, sizeof(*a));
}

/* Map an edge MSI to CPU 0 and release it */
static void map_and_unmap(struct kunit *test)
{
	struct hv_irq_mapping map = pci_mapping();
	struct fake_hv *hv = test->priv;
	struct msi_msg msg;

	KUNIT_ASSERT_EQ(test, hv_irq_remap_map(&map, cpumask_of(0), 0x30), 0);
	KUNIT_ASSERT_EQ(test, hv->nr_calls, 1);
	KUNIT_EXPECT_EQ(test, hv->calls[0].code, HVCALL_MAP_DEVICE_INTERRUPT);
	KUNIT_EXPECT_EQ(test, hv->calls[0].device_id, map.device_id.as_uint64);
	KUNIT_EXPECT_EQ(test, hv->calls[0].vector, 0x30);
	KUNIT_EXPECT_EQ(test, hv->calls[0].trigger_mode,
			HV_INTERRUPT_TRIGGER_MODE_EDGE);
	/* CPU 0 is VP 1 */
	KUNIT_EXPECT_EQ(test, hv->calls[0].valid_bank_mask, 1);
	KUNIT_EXPECT_EQ(test, hv->calls[0].banks[0], BIT_ULL(1));
	KUNIT_EXPECT_TRUE(test, map.mapped);
	expect_entry(test, &map.entry, &hv->calls[0].entry);
	KUNIT_EXPECT_EQ(test, hv->nr_live, 1);

	hv_irq_remap_msi_msg(&map.entry, &msg);
	KUNIT_EXPECT_EQ(test, msg.address_lo, map.entry.msi_entry.address.as_uint32);
	KUNIT_EXPECT_EQ(test, msg.address_lo >> 20, 0xfee);
	KUNIT_EXPECT_EQ(test, msg.data & 0xff, 0x30);

	KUNIT_EXPECT_EQ(test, hv_irq_remap_unmap(&map), 0);
	KUNIT_ASSERT_EQ(test, hv->nr_calls, 2);
	KUNIT_EXPECT_EQ(test, hv->calls[1].code, HVCALL_UNMAP_DEVICE_INTERRUPT);
	expect_entry(test, &hv->calls[1].entry, &hv->calls[0].entry);
	KUNIT_EXPECT_FALSE(test, map.mapped);
	KUNIT_EXPECT_EQ(test, hv->nr_live, 0);
	KUNIT_EXPECT_EQ(test, hv->bad_unmaps, 0);

	/* Nothing is left to release */
	KUNIT_EXPECT_EQ(test, hv_irq_remap_unmap(&map), 0);
	KUNIT_EXPECT_EQ(test, hv->nr_calls, 2);
}

/* A level-triggered IOAPIC pin */
static void map_ioapic_level(struct kunit *test)
{
	struct hv_irq_mapping map = {
		.device_id = hv_irq_remap_ioapic_id(2),
		.level = true,
	};
	struct fake_hv *hv = test->priv;
	struct msi_msg msg;

	KUNIT_ASSERT_EQ(test, hv_irq_remap_map(&map, cpumask_of(0), 0x39), 0);
	KUNIT_EXPECT_EQ(test, hv->calls[0].device_id, map.device_id.as_uint64);
	KUNIT_EXPECT_EQ(test, hv->calls[0].trigger_mode,
			HV_INTERRUPT_TRIGGER_MODE_LEVEL);
	KUNIT_EXPECT_EQ(test, map.entry.source, HV_INTERRUPT_SOURCE_IOAPIC);

	hv_irq_remap_ioapic_msg(&map.entry, &msg);
	KUNIT_EXPECT_EQ(test, (u32)msg.arch_data.vector, 0x39);
	KUNIT_EXPECT_EQ(test, (u32)msg.arch_addr_lo.dmar_format, 1);
	KUNIT_EXPECT_EQ(test, (u32)msg.arch_addr_lo.dmar_index_0_14, 0x101);

	KUNIT_EXPECT_EQ(test, hv_irq_remap_unmap(&map), 0);
	KUNIT_EXPECT_EQ(test, hv->nr_live, 0);
}

/* Two CPUs whose VPs sit in different banks */
static void map_vp_set_two_banks(struct kunit *test)
{
	struct hv_irq_mapping map = pci_mapping();
	struct fake_hv *hv = test->priv;
	struct cpumask dest;

	if (nr_cpu_ids < 2)
		kunit_skip(test, "needs two possible CPUs");

	cpumask_clear(&dest);
	cpumask_set_cpu(0, &dest);
	cpumask_set_cpu(1, &dest);

	KUNIT_ASSERT_EQ(test, hv_irq_remap_map(&map, &dest, 0x31), 0);
	/* CPU 0 is VP 1, CPU 1 is VP 66: bit 2 of bank 1 */
	KUNIT_EXPECT_EQ(test, hv->calls[0].valid_bank_mask, 3);
	KUNIT_EXPECT_EQ(test, hv->calls[0].banks[0], BIT_ULL(1));
	KUNIT_EXPECT_EQ(test, hv->calls[0].banks[1], BIT_ULL(2));
	KUNIT_EXPECT_EQ(test, hv_irq_remap_unmap(&map), 0);
}

/* Failed map hypercalls give the errno of their status and map nothing */
static void map_failure(struct kunit *test)
{
	static const struct {
		u16 status;
		int err;
	} cases[] = {
		{ HV_STATUS_INSUFFICIENT_MEMORY, -ENOMEM },
		{ HV_STATUS_INVALID_PARAMETER, -EINVAL },
		{ HV_STATUS_ACCESS_DENIED, -EACCES },
		{ HV_STATUS_INVALID_HYPERCALL_CODE, -EOPNOTSUPP },
		{ 0x77, -EIO },
	};
	struct fake_hv *hv = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct hv_irq_mapping map = pci_mapping();

		hv->nr_calls = 0;
		hv->fail_call = 1;
		hv->fail_status = cases[i].status;
		KUNIT_EXPECT_EQ_MSG(test,
				    hv_irq_remap_map(&map, cpumask_of(0), 0x30),
				    cases[i].err, "status %#x", cases[i].status);
		KUNIT_EXPECT_EQ(test, hv->nr_calls, 1);
		KUNIT_EXPECT_FALSE(test, map.mapped);
	}
	KUNIT_EXPECT_EQ(test, hv->nr_live, 0);
}

/* No hypercall for an empty target or one without a VP number */
static void map_without_vp(struct kunit *test)
{
	struct hv_irq_mapping map = pci_mapping();
	struct fake_hv *hv = test->priv;

	KUNIT_EXPECT_EQ(test, hv_irq_remap_map(&map, cpu_none_mask, 0x30),
			-EINVAL);
	hv->no_vps = true;
	KUNIT_EXPECT_EQ(test, hv_irq_remap_map(&map, cpumask_of(0), 0x30),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, hv->nr_calls, 0);
	KUNIT_EXPECT_FALSE(test, map.mapped);
}

/* A second map would lose the first entry */
static void map_twice(struct kunit *test)
{
	struct hv_irq_mapping map = pci_mapping();
	struct fake_hv *hv = test->priv;

	KUNIT_ASSERT_EQ(test, hv_irq_remap_map(&map, cpumask_of(0), 0x30), 0);
	KUNIT_EXPECT_EQ(test, hv_irq_remap_map(&map, cpumask_of(0), 0x31),
			-EBUSY);
	KUNIT_EXPECT_EQ(test, hv->nr_calls, 1);
	KUNIT_EXPECT_EQ(test, hv_irq_remap_unmap(&map), 0);
}

/* A failed unmap still forgets the mapping */
static void unmap_failure(struct kunit *test)
{
	struct hv_irq_mapping map = pci_mapping();
	struct fake_hv *hv = test->priv;

	KUNIT_ASSERT_EQ(test, hv_irq_remap_map(&map, cpumask_of(0), 0x30), 0);
	hv->fail_call = 2;
	hv->fail_status = HV_STATUS_OPERATION_DENIED;
	KUNIT_EXPECT_EQ(test, hv_irq_remap_unmap(&map), -EACCES);
	KUNIT_EXPECT_FALSE(test, map.mapped);
	KUNIT_EXPECT_EQ(test, hv_irq_remap_unmap(&map), 0);
	KUNIT_EXPECT_EQ(test, hv->nr_calls, 2);
}

/* Retargeting an unmapped interrupt maps it */
static void retarget_unmapped(struct kunit *test)
{
	struct hv_irq_mapping map = pci_mapping();
	struct fake_hv *hv = test->priv;

	KUNIT_ASSERT_EQ(test, hv_irq_remap_retarget(&map, cpumask_of(0), 0x30),
			0);
	KUNIT_EXPECT_EQ(test, hv->nr_calls, 1);
	KUNIT_EXPECT_EQ(test, hv->calls[0].code, HVCALL_MAP_DEVICE_INTERRUPT);
	KUNIT_EXPECT_TRUE(test, map.mapped);
	KUNIT_EXPECT_EQ(test, hv_irq_remap_unmap(&map), 0);
}

/* The new target is mapped before the old one is released */
static void retarget_success(struct kunit *test)
{
	struct hv_irq_mapping map = pci_mapping();
	struct fake_hv *hv = test->priv;

	KUNIT_ASSERT_EQ(test, hv_irq_remap_map(&map, cpumask_of(0), 0x30), 0);
	KUNIT_ASSERT_EQ(test, hv_irq_remap_retarget(&map, cpumask_of(0), 0x52),
			0);

	KUNIT_ASSERT_EQ(test, hv->nr_calls, 3);
	KUNIT_EXPECT_EQ(test, hv->calls[1].code, HVCALL_MAP_DEVICE_INTERRUPT);
	KUNIT_EXPECT_EQ(test, hv->calls[1].vector, 0x52);
	KUNIT_EXPECT_EQ(test, hv->calls[2].code, HVCALL_UNMAP_DEVICE_INTERRUPT);
	expect_entry(test, &hv->calls[2].entry, &hv->calls[0].entry);

	KUNIT_EXPECT_TRUE(test, map.mapped);
	expect_entry(test, &map.entry, &hv->calls[1].entry);
	KUNIT_ASSERT_EQ(test, hv->nr_live, 1);
	expect_entry(test, &hv->live[0].entry, &map.entry);

	KUNIT_EXPECT_EQ(test, hv_irq_remap_unmap(&map), 0);
	KUNIT_EXPECT_EQ(test, hv->nr_live, 0);
	KUNIT_EXPECT_EQ(test, hv->bad_unmaps, 0);
}

/* If the new target cannot be mapped, the old entry stays in use */
static void retarget_map_failure(struct kunit *test)
{
	struct hv_irq_mapping map = pci_mapping();
	struct fake_hv *hv = test->priv;
	struct hv_interrupt_entry old;

	KUNIT_ASSERT_EQ(test, hv_irq_remap_map(&map, cpumask_of(0), 0x30), 0);
	old = map.entry;

	hv->fail_call = 2;
	hv->fail_status = HV_STATUS_INSUFFICIENT_MEMORY;
	KUNIT_EXPECT_EQ(test, hv_irq_remap_retarget(&map, cpumask_of(0), 0x52),
			-ENOMEM);

	KUNIT_EXPECT_EQ(test, hv->nr_calls, 2);
	KUNIT_EXPECT_TRUE(test, map.mapped);
	expect_entry(test, &map.entry, &old);
	KUNIT_ASSERT_EQ(test, hv->nr_live, 1);
	expect_entry(test, &hv->live[0].entry, &old);

	KUNIT_EXPECT_EQ(test, hv_irq_remap_unmap(&map), 0);
	KUNIT_EXPECT_EQ(test, hv->nr_live, 0);
}

/*
 * If the old entry cannot be released, the new one is released again and
 * the old one stays in use: one mapping, the one the device holds.
 */
static void retarget_unmap_failure_rolls_back(struct kunit *test)
{
	struct hv_irq_mapping map = pci_mapping();
	struct fake_hv *hv = test->priv;
	struct hv_interrupt_entry old;

	KUNIT_ASSERT_EQ(test, hv_irq_remap_map(&map, cpumask_of(0), 0x30), 0);
	old = map.entry;

	hv->fail_call = 3;
	hv->fail_status = HV_STATUS_ACCESS_DENIED;
	KUNIT_EXPECT_EQ(test, hv_irq_remap_retarget(&map, cpumask_of(0), 0x52),
			-EACCES);

	KUNIT_ASSERT_EQ(test, hv->nr_calls, 4);
	KUNIT_EXPECT_EQ(test, hv->calls[1].code, HVCALL_MAP_DEVICE_INTERRUPT);
	KUNIT_EXPECT_EQ(test, hv->calls[2].code, HVCALL_UNMAP_DEVICE_INTERRUPT);
	KUNIT_EXPECT_EQ(test, hv->calls[3].code, HVCALL_UNMAP_DEVICE_INTERRUPT);
	expect_entry(test, &hv->calls[3].entry, &hv->calls[1].entry);
	KUNIT_EXPECT_EQ(test, hv->calls[3].status, HV_STATUS_SUCCESS);

	KUNIT_EXPECT_TRUE(test, map.mapped);
	expect_entry(test, &map.entry, &old);
	KUNIT_ASSERT_EQ(test, hv->nr_live, 1);
	expect_entry(test, &hv->live[0].entry, &old);

	KUNIT_EXPECT_EQ(test, hv_irq_remap_unmap(&map), 0);
	KUNIT_EXPECT_EQ(test, hv->nr_live, 0);
	KUNIT_EXPECT_EQ(test, hv->bad_unmaps, 0);
}

static struct kunit_case hv_irq_remap_test_cases[] = {
	KUNIT_CASE(pci_id_plain),
	KUNIT_CASE(pci_id_dma_alias_same_bus),
	KUNIT_CASE(pci_id_behind_root_port),
	KUNIT_CASE(pci_id_pcie_to_pci_bridge),
	KUNIT_CASE(pci_id_pcie_to_pcix_bridge),
	KUNIT_CASE(pci_id_pcix_bridge_in_pci_mode),
	KUNIT_CASE(pci_id_pci_bridge),
	KUNIT_CASE(ioapic_id),
	KUNIT_CASE(msi_msg_from_entry),
	KUNIT_CASE(ioapic_msg_remapped),
	KUNIT_CASE(ioapic_msg_compatible),
	KUNIT_CASE(map_and_unmap),
	KUNIT_CASE(map_ioapic_level),
	KUNIT_CASE(map_vp_set_two_banks),
	KUNIT_CASE(map_failure),
	KUNIT_CASE(map_without_vp),
	KUNIT_CASE(map_twice),
	KUNIT_CASE(unmap_failure),
	KUNIT_CASE(retarget_unmapped),
	KUNIT_CASE(retarget_success),
	KUNIT_CASE(retarget_map_failure),
	KUNIT_CASE(retarget_unmap_failure_rolls_back),
	{}
};

static struct kunit_suite hv_irq_remap_suite = {
	.name = "hv_irq_remap",
	.init = hv_irq_remap_test_init,
	.test_cases = hv_irq_remap_test_cases,
};

kunit_test_suite(hv_irq_remap_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for Hyper-V root partition interrupt remapping");
MODULE_LICENSE("GPL");
