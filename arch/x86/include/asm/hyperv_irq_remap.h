/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt remapping of the Hyper-V root partition's devices.
 *
 * The hypervisor owns the interrupt remapping hardware. The root partition
 * asks it to map each interrupt of a device it drives and programs the
 * device (MSI address and data, or IOAPIC redirection entry) with what the
 * hypervisor answers. See Documentation/virt/mshv/root-partition.rst.
 */
#ifndef _ASM_X86_HYPERV_IRQ_REMAP_H
#define _ASM_X86_HYPERV_IRQ_REMAP_H

#include <linux/cpumask.h>
#include <linux/types.h>
#include <asm/hyperv-tlfs.h>

struct irq_data;
struct msi_msg;
struct pci_dev;

/**
 * struct hv_irq_mapping - one device interrupt as the hypervisor maps it
 * @device_id: the device that raises the interrupt
 * @entry: the hypervisor's interrupt entry for the current target; valid
 *	only while @mapped is set
 * @level: the interrupt is level-triggered (IOAPIC only)
 * @mapped: the hypervisor holds a mapping for @entry, which must be
 *	released with hv_irq_remap_unmap()
 *
 * The owner serializes all calls on one mapping; for an irq domain the
 * interrupt descriptor's lock does.
 */
struct hv_irq_mapping {
	union hv_device_id device_id;
	struct hv_interrupt_entry entry;
	bool level;
	bool mapped;
};

union hv_device_id hv_irq_remap_ioapic_id(u8 ioapic_id);
#ifdef CONFIG_PCI
union hv_device_id hv_irq_remap_pci_id(struct pci_dev *dev);
#endif

int hv_irq_remap_irq_target(struct irq_data *d, const struct cpumask **dest,
			    u8 *vector);
int hv_irq_remap_map(struct hv_irq_mapping *map, const struct cpumask *dest,
		     u8 vector);
int hv_irq_remap_unmap(struct hv_irq_mapping *map);
int hv_irq_remap_retarget(struct hv_irq_mapping *map,
			  const struct cpumask *dest, u8 vector);

void hv_irq_remap_msi_msg(const struct hv_interrupt_entry *entry,
			  struct msi_msg *msg);
void hv_irq_remap_ioapic_msg(const struct hv_interrupt_entry *entry,
			     struct msi_msg *msg);

#endif /* _ASM_X86_HYPERV_IRQ_REMAP_H */
