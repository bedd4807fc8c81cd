// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt remapping of the Hyper-V root partition's devices.
 *
 * In the root partition the hypervisor, not Linux, owns the interrupt
 * remapping tables. Linux names the device that raises an interrupt (a PCI
 * requester ID or an IOAPIC), the vector, the virtual processors it should
 * reach and the trigger mode, and the hypervisor answers with an interrupt
 * entry: the MSI address and data, or the IOAPIC redirection entry, that
 * the device must be programmed with. This file is the one place that
 * talks to the hypervisor about it, for the IOAPIC remapping domain
 * (drivers/iommu/hyperv-iommu.c) and the PCI MSI parent domain
 * (irqdomain.c) alike.
 *
 * Every hypercall and every CPU to virtual processor translation goes
 * through the root partition's hypervisor seam (<hyperv/hv_seam.h>), so
 * that KUnit can run this code against a fake hypervisor, as it does the
 * rest of the root partition's code.
 */

#define pr_fmt(fmt) "Hyper-V: irq remap: " fmt

#include <linux/bitops.h>
#include <linux/irq.h>
#include <linux/irqflags.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <kunit/visibility.h>
#include <asm/hw_irq.h>
#include <asm/hyperv_irq_remap.h>
#include <asm/io_apic.h>
#include <asm/mshyperv.h>
#include <hyperv/hv_proc.h>
#include <hyperv/hv_seam.h>

/* Banks of 64 VPs a target set may use (the VP set format's limit) */
#define HV_IRQ_REMAP_MAX_BANKS	HV_MAX_SPARSE_VCPU_BANKS

/* Room for the map input with the largest VP set, in 64-bit words */
#define HV_IRQ_REMAP_MAP_WORDS						\
	(sizeof(struct hv_input_map_device_interrupt) / sizeof(u64) +	\
	 HV_IRQ_REMAP_MAX_BANKS)

/*
 * Issue one interrupt remapping hypercall: copy @input (@input_size bytes,
 * at most a page) to this CPU's hypercall input page, and the output page
 * to @output (@output_size bytes) if there is one. Callable in any
 * context. Returns the hypercall's result value (status in bits 15:0).
 */
static u64 hv_irq_remap_hypercall(u64 control, const void *input,
				  size_t input_size, void *output,
				  size_t output_size)
{
	unsigned long flags;
	void *in, *out;
	u64 status;

	if (input_size > HV_HYP_PAGE_SIZE || output_size > HV_HYP_PAGE_SIZE)
		return HV_STATUS_INVALID_PARAMETER;

	local_irq_save(flags);
	in = hv_seam_input_page();
	out = output ? hv_seam_output_page() : NULL;
	if (!in || (output && !out)) {
		/* Not a root partition: no hypercall pages for this */
		local_irq_restore(flags);
		return HV_STATUS_ACCESS_DENIED;
	}

	memcpy(in, input, input_size);
	status = hv_seam_hypercall(control, in, out);
	if (output)
		memcpy(output, out, output_size);
	local_irq_restore(flags);

	return status;
}

/* The errno for a failed hypercall's status */
static int hv_irq_remap_errno(u64 status)
{
	switch (hv_result(status)) {
	case HV_STATUS_SUCCESS:
		return 0;
	case HV_STATUS_INSUFFICIENT_MEMORY:
	case HV_STATUS_INSUFFICIENT_BUFFERS:
		return -ENOMEM;
	case HV_STATUS_INVALID_HYPERCALL_INPUT:
	case HV_STATUS_INVALID_ALIGNMENT:
	case HV_STATUS_INVALID_PARAMETER:
		return -EINVAL;
	case HV_STATUS_ACCESS_DENIED:
	case HV_STATUS_OPERATION_DENIED:
		return -EACCES;
	case HV_STATUS_INVALID_HYPERCALL_CODE:
		return -EOPNOTSUPP;
	case HV_STATUS_TIME_OUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

/**
 * hv_irq_remap_ioapic_id() - the hypervisor's name for an IOAPIC
 * @ioapic_id: the IOAPIC's ID, as the ACPI MADT gives it
 *
 * Return: the device ID that maps and unmaps the IOAPIC's interrupts.
 */
union hv_device_id hv_irq_remap_ioapic_id(u8 ioapic_id)
{
	union hv_device_id id = { .as_uint64 = 0 };

	id.device_type = HV_DEVICE_TYPE_IOAPIC;
	id.ioapic.ioapic_id = ioapic_id;
	return id;
}
EXPORT_SYMBOL_IF_KUNIT(hv_irq_remap_ioapic_id);

#ifdef CONFIG_PCI
/*
 * The requester ID that reaches the remapping hardware, and the bridge
 * that replaced the device's own ID on the way, if any.
 */
struct hv_irq_remap_rid {
	struct pci_dev *bridge;
	u16 rid;
};

static int hv_irq_remap_rid_step(struct pci_dev *pdev, u16 alias, void *data)
{
	struct hv_irq_remap_rid *r = data;
	u8 bus = PCI_BUS_NUM(r->rid);

	/*
	 * An alias on the bus of the ID found so far (a quirky function
	 * using a sibling's ID) changes nothing: the hypervisor matches
	 * the whole slot. An alias from another bus is a bridge taking
	 * over the transactions, and its ID is what arrives upstream.
	 */
	if (pdev->bus->number == bus && PCI_BUS_NUM(alias) == bus)
		return 0;

	r->bridge = pdev;
	r->rid = alias;
	return 0;
}

/*
 * A bridge whose secondary interface runs in PCI-X mode may forward
 * transactions with any requester ID of its secondary bus range; the
 * hypervisor then needs that range. The bridge's PCI-X secondary status
 * gives the mode: a non-zero bus frequency field means PCI-X.
 */
static void hv_irq_remap_bridge_range(struct pci_dev *bridge,
				      union hv_device_id *id)
{
	u8 secondary, subordinate;
	u16 status;
	int pos;

	pos = pci_find_capability(bridge, PCI_CAP_ID_PCIX);
	if (!pos)
		return;

	if (pci_read_config_word(bridge, pos + PCI_X_BRIDGE_SSTATUS, &status))
		return;
	if (!(status & PCI_X_SSTATUS_FREQ))
		return;

	if (pci_read_config_byte(bridge, PCI_SECONDARY_BUS, &secondary) ||
	    pci_read_config_byte(bridge, PCI_SUBORDINATE_BUS, &subordinate))
		return;

	id->pci.source_shadow = HV_SOURCE_SHADOW_BRIDGE_BUS_RANGE;
	id->pci.shadow_bus_range.secondary_bus = secondary;
	id->pci.shadow_bus_range.subordinate_bus = subordinate;
}

/**
 * hv_irq_remap_pci_id() - the hypervisor's name for a PCI device
 * @dev: the device whose interrupts are mapped
 *
 * The hypervisor identifies a PCI device's interrupts by the requester ID
 * they arrive with, which is the device's own unless a bridge on the way
 * aliases it (see pci_for_each_dma_alias()). Behind a bridge in PCI-X mode
 * the ID also carries the bridge's secondary bus range.
 *
 * Return: the device ID that maps and unmaps @dev's interrupts.
 */
union hv_device_id hv_irq_remap_pci_id(struct pci_dev *dev)
{
	struct hv_irq_remap_rid r = { .rid = pci_dev_id(dev) };
	union hv_device_id id = { .as_uint64 = 0 };

	pci_for_each_dma_alias(dev, hv_irq_remap_rid_step, &r);

	id.device_type = HV_DEVICE_TYPE_PCI;
	id.pci.segment = pci_domain_nr(dev->bus);
	id.pci.bdf.bus = PCI_BUS_NUM(r.rid);
	id.pci.bdf.device = PCI_SLOT(r.rid);
	id.pci.bdf.function = PCI_FUNC(r.rid);
	id.pci.source_shadow = HV_SOURCE_SHADOW_NONE;

	if (r.bridge)
		hv_irq_remap_bridge_range(r.bridge, &id);

	return id;
}
EXPORT_SYMBOL_IF_KUNIT(hv_irq_remap_pci_id);
#endif /* CONFIG_PCI */

/**
 * hv_irq_remap_irq_target() - where the vector domain sends an interrupt
 * @d: the interrupt, at any level of an x86 hierarchy
 * @dest: set to the one CPU the vector domain assigned
 * @vector: set to the vector it assigned there
 *
 * Return: 0, or -EINVAL if the vector domain has not assigned a target.
 */
int hv_irq_remap_irq_target(struct irq_data *d, const struct cpumask **dest,
			    u8 *vector)
{
	struct irq_cfg *cfg = irqd_cfg(d);
	unsigned int cpu;

	if (!cfg)
		return -EINVAL;

	cpu = cpumask_first(irq_data_get_effective_affinity_mask(d));
	if (cpu >= nr_cpu_ids)
		return -EINVAL;

	*dest = cpumask_of(cpu);
	*vector = cfg->vector;
	return 0;
}

/*
 * Fill in the sparse VP set of @dest's virtual processors; the banks must
 * be zero. Returns the number of banks used, or -EINVAL for an empty set
 * or a CPU the hypervisor has no VP number for.
 */
static int hv_irq_remap_vpset(struct hv_vpset *set, const struct cpumask *dest)
{
	unsigned int cpu, bank;
	int nr_banks = 0;
	u32 vp;

	for_each_cpu(cpu, dest) {
		vp = hv_seam_vp_index(cpu);
		if (vp >= HV_IRQ_REMAP_MAX_BANKS * HV_VCPUS_PER_SPARSE_BANK)
			return -EINVAL;

		bank = vp / HV_VCPUS_PER_SPARSE_BANK;
		set->bank_contents[bank] |=
			BIT_ULL(vp % HV_VCPUS_PER_SPARSE_BANK);
		nr_banks = max_t(int, nr_banks, bank + 1);
	}
	if (!nr_banks)
		return -EINVAL;

	set->format = HV_GENERIC_SET_SPARSE_4K;
	set->valid_bank_mask = GENMASK_ULL(nr_banks - 1, 0);
	return nr_banks;
}

/*
 * Ask the hypervisor to map @id's interrupt with @vector, @level trigger
 * mode, to the VPs of @dest, and return its interrupt entry in @entry.
 */
static int hv_irq_remap_map_entry(union hv_device_id id,
				  const struct cpumask *dest, u8 vector,
				  bool level, struct hv_interrupt_entry *entry)
{
	u64 buf[HV_IRQ_REMAP_MAP_WORDS] = { 0 };
	struct hv_input_map_device_interrupt *in = (void *)buf;
	struct hv_device_interrupt_descriptor *desc = &in->interrupt_descriptor;
	struct hv_output_map_device_interrupt out;
	int nr_banks, err;
	u64 control, status;

	nr_banks = hv_irq_remap_vpset(&desc->target.vp_set, dest);
	if (nr_banks < 0)
		return nr_banks;

	in->partition_id = hv_current_partition_id;
	in->device_id = id.as_uint64;
	desc->interrupt_type = HV_X64_INTERRUPT_TYPE_FIXED;
	desc->trigger_mode = level ? HV_INTERRUPT_TRIGGER_MODE_LEVEL :
				     HV_INTERRUPT_TRIGGER_MODE_EDGE;
	desc->vector_count = 1;
	desc->target.vector = vector;
	desc->target.flags = HV_DEVICE_INTERRUPT_TARGET_PROCESSOR_SET;

	/*
	 * The variable header is the VP set past its format: the valid bank
	 * mask and the banks, in 64-bit words.
	 */
	control = HVCALL_MAP_DEVICE_INTERRUPT |
		  (u64)(nr_banks + 1) << HV_HYPERCALL_VARHEAD_OFFSET;
	status = hv_irq_remap_hypercall(control, in,
					sizeof(*in) + nr_banks * sizeof(u64),
					&out, sizeof(out));
	err = hv_irq_remap_errno(status);
	if (err) {
		pr_err_ratelimited("mapping an interrupt of device %#llx failed: %s (%#x)\n",
				   id.as_uint64, hv_status_name(status),
				   hv_result(status));
		return err;
	}

	*entry = out.interrupt_entry;
	return 0;
}

/* Ask the hypervisor to release @id's interrupt @entry */
static int hv_irq_remap_unmap_entry(union hv_device_id id,
				    const struct hv_interrupt_entry *entry)
{
	struct hv_input_unmap_device_interrupt in = {
		.partition_id = hv_current_partition_id,
		.device_id = id.as_uint64,
		.interrupt_entry = *entry,
	};
	u64 status;
	int err;

	status = hv_irq_remap_hypercall(HVCALL_UNMAP_DEVICE_INTERRUPT, &in,
					sizeof(in), NULL, 0);
	err = hv_irq_remap_errno(status);
	if (err)
		pr_err_ratelimited("unmapping an interrupt of device %#llx failed: %s (%#x)\n",
				   id.as_uint64, hv_status_name(status),
				   hv_result(status));
	return err;
}

/**
 * hv_irq_remap_map() - map a device interrupt that has no mapping yet
 * @map: the interrupt, with its device ID and trigger mode set
 * @dest: the CPUs the interrupt may reach; each needs a VP number
 * @vector: the vector the interrupt raises on them
 *
 * Callable in any context.
 *
 * Return: 0 with @map->entry set, -EBUSY if @map is already mapped, or the
 * error the hypercall failed with; on error @map is left unchanged.
 */
int hv_irq_remap_map(struct hv_irq_mapping *map, const struct cpumask *dest,
		     u8 vector)
{
	int err;

	if (map->mapped)
		return -EBUSY;

	err = hv_irq_remap_map_entry(map->device_id, dest, vector, map->level,
				     &map->entry);
	if (err)
		return err;

	map->mapped = true;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hv_irq_remap_map);

/**
 * hv_irq_remap_unmap() - release a device interrupt's mapping
 * @map: the interrupt
 *
 * Does nothing if @map is not mapped. @map is not mapped afterwards even if
 * the hypervisor refuses to release the mapping: the interrupt is going
 * away, and asking again cannot help. Callable in any context.
 *
 * Return: 0, or the error the hypercall failed with.
 */
int hv_irq_remap_unmap(struct hv_irq_mapping *map)
{
	if (!map->mapped)
		return 0;

	map->mapped = false;
	return hv_irq_remap_unmap_entry(map->device_id, &map->entry);
}
EXPORT_SYMBOL_IF_KUNIT(hv_irq_remap_unmap);

/**
 * hv_irq_remap_retarget() - move a device interrupt to new CPUs or a new vector
 * @map: the interrupt; mapped if it is not yet
 * @dest: the CPUs the interrupt may reach from now on
 * @vector: the vector it raises on them
 *
 * The hypervisor cannot change the vector of a mapping in place, so the new
 * target is mapped first and the old mapping released after. If the new
 * mapping fails, the old one is kept. If the old mapping cannot be released,
 * the new one is released again and the old one kept. Either way the
 * interrupt keeps a working mapping, which the caller must keep programmed
 * in the device. The caller masks the interrupt, as the irq core does when
 * it moves one, so that the device sends nothing while it changes.
 * Callable in any context.
 *
 * Return: 0 with @map->entry the new target's entry, to be programmed into
 * the device, or the error the hypercalls failed with; @map->entry is then
 * the old, still mapped, entry.
 */
int hv_irq_remap_retarget(struct hv_irq_mapping *map,
			  const struct cpumask *dest, u8 vector)
{
	struct hv_interrupt_entry entry;
	int err;

	if (!map->mapped)
		return hv_irq_remap_map(map, dest, vector);

	err = hv_irq_remap_map_entry(map->device_id, dest, vector, map->level,
				     &entry);
	if (err)
		return err;

	err = hv_irq_remap_unmap_entry(map->device_id, &map->entry);
	if (err)
		goto roll_back;

	map->entry = entry;
	return 0;

roll_back:
	if (hv_irq_remap_unmap_entry(map->device_id, &entry))
		pr_err_ratelimited("device %#llx keeps a stale interrupt mapping\n",
				   map->device_id.as_uint64);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(hv_irq_remap_retarget);

/**
 * hv_irq_remap_msi_msg() - the MSI message for a mapped interrupt
 * @entry: the hypervisor's entry for an MSI or MSI-X interrupt
 * @msg: the message to program into the device
 *
 * The hypervisor gives the complete 32-bit address and data; the address
 * is always below 4 GiB.
 */
void hv_irq_remap_msi_msg(const struct hv_interrupt_entry *entry,
			  struct msi_msg *msg)
{
	msg->address_hi = 0;
	msg->address_lo = entry->msi_entry.address.as_uint32;
	msg->data = entry->msi_entry.data.as_uint32;
}
EXPORT_SYMBOL_IF_KUNIT(hv_irq_remap_msi_msg);

/**
 * hv_irq_remap_ioapic_msg() - the message the IOAPIC code expects
 * @entry: the hypervisor's entry for an IOAPIC pin
 * @msg: the message that the IOAPIC domain turns into a redirection entry
 *
 * The IOAPIC domain builds a pin's redirection entry from the MSI message
 * of its parent domain (see ioapic_setup_msg_from_msi()). Carry the fields
 * of the hypervisor's entry that it takes over: vector, delivery mode,
 * destination mode (remapping index bit 15), remapping format and index
 * bits 0-14, which in the compatibility format hold the destination. The
 * IOAPIC domain sets mask, polarity and trigger mode itself.
 */
void hv_irq_remap_ioapic_msg(const struct hv_interrupt_entry *entry,
			     struct msi_msg *msg)
{
	struct IO_APIC_route_entry rte = {
		.w1 = entry->ioapic_rte.low_uint32,
		.w2 = entry->ioapic_rte.high_uint32,
	};

	memset(msg, 0, sizeof(*msg));
	msg->arch_data.vector = rte.vector;
	msg->arch_data.delivery_mode = rte.delivery_mode;
	msg->arch_addr_lo.dest_mode_logical = rte.dest_mode_logical;
	msg->arch_addr_lo.dmar_format = rte.ir_format;
	msg->arch_addr_lo.dmar_index_0_14 = rte.ir_index_0_14;
}
EXPORT_SYMBOL_IF_KUNIT(hv_irq_remap_ioapic_msg);
