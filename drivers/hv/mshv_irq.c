// SPDX-License-Identifier: GPL-2.0
/*
 * The MSI routing table of a /dev/mshv partition: which interrupt each
 * guest interrupt number (GSI) raises in the partition's local APICs.
 *
 * MSHV_SET_MSI_ROUTING replaces the whole table. The new table is built
 * and checked aside and then published with RCU, so that an irqfd, which
 * looks its route up each time it fires (possibly in interrupt context),
 * never waits for an update and always sees either the old table or the
 * new one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/err.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>
#include <asm/hyperv-tlfs.h>

#include "mshv_root.h"

/* Fields of an x86 MSI address (low half) and data, as the guest sees them. */
#define MSHV_MSI_ADDR_DEST_ID		GENMASK(19, 12)
#define MSHV_MSI_ADDR_DEST_LOGICAL	BIT(2)
#define MSHV_MSI_DATA_VECTOR		GENMASK(7, 0)
#define MSHV_MSI_DATA_DELIVERY		GENMASK(10, 8)
#define MSHV_MSI_DATA_LEVEL		BIT(15)

/**
 * struct mshv_irq_route - one slot of a routing table
 * @valid: the GSI has a route
 * @irq: the interrupt it raises
 */
struct mshv_irq_route {
	bool valid;
	struct mshv_lapic_irq irq;
};

/**
 * struct mshv_irq_table - a partition's MSI routes, indexed by GSI
 * @rcu: frees the table once no reader can see it
 * @nr: number of slots: the highest GSI routed plus one
 * @routes: the slots
 */
struct mshv_irq_table {
	struct rcu_head rcu;
	u32 nr;
	struct mshv_irq_route routes[] __counted_by(nr);
};

/**
 * mshv_msi_to_irq() - decode an MSI message into a local APIC interrupt
 * @address_lo: low half of the MSI address
 * @data: MSI data
 * @irq: receives the interrupt
 *
 * The redirection hint and the level-assert bit have no equivalent in the
 * hypervisor's interface and are ignored.
 */
VISIBLE_IF_KUNIT void mshv_msi_to_irq(u32 address_lo, u32 data,
				      struct mshv_lapic_irq *irq)
{
	irq->vector = FIELD_GET(MSHV_MSI_DATA_VECTOR, data);
	irq->dest = FIELD_GET(MSHV_MSI_ADDR_DEST_ID, address_lo);
	irq->type = FIELD_GET(MSHV_MSI_DATA_DELIVERY, data);
	irq->level = FIELD_GET(MSHV_MSI_DATA_LEVEL, data);
	irq->logical = FIELD_GET(MSHV_MSI_ADDR_DEST_LOGICAL, address_lo);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_msi_to_irq);

/*
 * Check the entries of a new table; return the number of slots it needs,
 * or a negative errno. Each GSI is below MSHV_MAX_GUEST_IRQS and only
 * the low half of the address is used (no extended destination ids).
 */
static int mshv_irq_table_slots(const struct mshv_user_irq_entry *entries,
				u32 nr)
{
	u32 i, slots = 0;

	for (i = 0; i < nr; i++) {
		if (entries[i].gsi >= MSHV_MAX_GUEST_IRQS ||
		    entries[i].address_hi)
			return -EINVAL;
		slots = max(slots, entries[i].gsi + 1);
	}
	return slots;
}

/**
 * mshv_irq_table_free() - free a routing table nobody can see any more
 * @table: the table, or NULL
 */
VISIBLE_IF_KUNIT void mshv_irq_table_free(struct mshv_irq_table *table)
{
	kfree(table);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_irq_table_free);

/**
 * mshv_irq_table_build() - build a routing table from user entries
 * @entries: the routes
 * @nr: number of @entries, at most MSHV_MAX_GUEST_IRQS
 *
 * Return: the table, NULL for an empty one, or an ERR_PTR(): -EINVAL for
 * a GSI out of range, an address above 4 GiB or a GSI routed twice,
 * -ENOMEM.
 */
VISIBLE_IF_KUNIT struct mshv_irq_table *
mshv_irq_table_build(const struct mshv_user_irq_entry *entries, u32 nr)
{
	struct mshv_irq_table *table;
	struct mshv_irq_route *route;
	int slots;
	u32 i;

	slots = mshv_irq_table_slots(entries, nr);
	if (slots <= 0)
		return slots ? ERR_PTR(slots) : NULL;
	table = kzalloc(struct_size(table, routes, slots), GFP_KERNEL_ACCOUNT);
	if (!table)
		return ERR_PTR(-ENOMEM);
	table->nr = slots;

	for (i = 0; i < nr; i++) {
		route = &table->routes[entries[i].gsi];
		if (route->valid) {
			mshv_irq_table_free(table);
			return ERR_PTR(-EINVAL);
		}
		route->valid = true;
		mshv_msi_to_irq(entries[i].address_lo, entries[i].data,
				&route->irq);
	}
	return table;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_irq_table_build);

/**
 * mshv_irq_table_lookup() - the route of a GSI in a table
 * @table: the table, or NULL
 * @gsi: the GSI, from the user
 * @irq: receives the interrupt the GSI raises
 *
 * Return: true if @gsi has a route.
 */
VISIBLE_IF_KUNIT bool mshv_irq_table_lookup(const struct mshv_irq_table *table,
					    u32 gsi, struct mshv_lapic_irq *irq)
{
	const struct mshv_irq_route *route;

	if (!table || gsi >= table->nr)
		return false;
	route = &table->routes[array_index_nospec(gsi, table->nr)];
	if (!route->valid)
		return false;
	*irq = route->irq;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_irq_table_lookup);

/**
 * mshv_partition_irq_route() - the current route of a GSI
 * @pt: the partition
 * @gsi: the GSI
 * @irq: receives the interrupt the GSI raises
 *
 * Context: any context.
 * Return: true if @gsi has a route.
 */
bool mshv_partition_irq_route(struct mshv_partition *pt, u32 gsi,
			      struct mshv_lapic_irq *irq)
{
	bool found;

	rcu_read_lock();
	found = mshv_irq_table_lookup(rcu_dereference(pt->pt_irq_table), gsi,
				      irq);
	rcu_read_unlock();
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_partition_irq_route);

/**
 * mshv_partition_ioctl_set_msi_routing() - MSHV_SET_MSI_ROUTING
 * @pt: the partition
 * @user_table: the new table, from the user
 *
 * Replaces the routing table as a whole, or changes nothing on failure.
 *
 * Context: process context, pt->pt_mutex held.
 * Return: 0, -EFAULT, -ENOMEM, or -EINVAL for more than
 * MSHV_MAX_GUEST_IRQS entries, a reserved field set or a bad entry.
 */
long mshv_partition_ioctl_set_msi_routing(struct mshv_partition *pt,
					  struct mshv_user_irq_table __user *user_table)
{
	struct mshv_user_irq_entry *entries = NULL;
	struct mshv_irq_table *table, *old;
	struct mshv_user_irq_table head;

	lockdep_assert_held(&pt->pt_mutex);

	if (copy_from_user(&head, user_table, sizeof(head)))
		return -EFAULT;
	if (head.nr > MSHV_MAX_GUEST_IRQS || head.rsvd)
		return -EINVAL;
	if (head.nr) {
		entries = vmemdup_array_user(user_table->entries, head.nr,
					     sizeof(*entries));
		if (IS_ERR(entries))
			return PTR_ERR(entries);
	}

	table = mshv_irq_table_build(entries, head.nr);
	kvfree(entries);
	if (IS_ERR(table))
		return PTR_ERR(table);

	old = rcu_replace_pointer(pt->pt_irq_table, table,
				  lockdep_is_held(&pt->pt_mutex));
	/* Readers copy the route they look up: the old table can go. */
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_partition_ioctl_set_msi_routing);

/**
 * mshv_partition_release_irq_table() - free a dying partition's routes
 * @pt: the partition, which no ioctl or irqfd can reach any more
 */
void mshv_partition_release_irq_table(struct mshv_partition *pt)
{
	struct mshv_irq_table *table;

	/* The SynIC handler may still be looking at it. */
	table = rcu_replace_pointer(pt->pt_irq_table, NULL, true);
	if (table)
		kfree_rcu(table, rcu);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_partition_release_irq_table);
