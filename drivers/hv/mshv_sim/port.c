// SPDX-License-Identifier: GPL-2.0
/*
 * Ports and doorbells of the simulated hypervisor.
 *
 * The root creates a doorbell port (HvCreatePort) that names the child
 * partition allowed to connect to it and the root SINT it signals, then
 * connects the child to it (HvConnectPort) with a guest physical address,
 * a write size and a value. From then on a write by one of the child's
 * VPs to that address, of that size and value, does not stop the VP: it
 * signals the port instead. The signal queues the port id in the event
 * ring of the port's SINT on the current processor (the page the root
 * found in SIRBP). If the ring's signal_masked byte is clear, the
 * simulator sets it and, the SINT being programmed "as intercept", posts
 * HVMSG_SYNIC_SINT_INTERCEPT naming the SINT to the root's SINT0. A ring
 * whose next entry is still in use is full: the simulator sets ring_full
 * and remembers that the port has a signal to deliver, and puts it in the
 * ring when the root calls HvNotifyPortRingEmpty (or with the next signal
 * of a port of that SINT that finds room). A signal on a CPU whose ring
 * is disabled waits the same way.
 *
 * Only what /dev/mshv uses is modelled: doorbell ports owned by the root
 * that signal any processor, and SINTs programmed as intercepts (on
 * another SINT the ring fills but no message is posted). Deleting a port
 * also removes the connections to it.
 *
 * sim->lock protects everything here; allocations are GFP_ATOMIC.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <asm/hyperv-tlfs.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

/* The doorbell flags the simulator knows. */
#define MSHV_SIM_DOORBELL_FLAGS	(HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK | \
				 HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE)

/**
 * struct mshv_sim_port - a port owned by the root partition
 * @id: the port id
 * @peer_id: the partition that may connect to the port
 * @sint: the root SINT whose event ring the port's signals go to
 * @pending: a signal waits to be queued: the ring was full or disabled
 */
struct mshv_sim_port {
	u32 id;
	u64 peer_id;
	u32 sint;
	bool pending;
};

/**
 * struct mshv_sim_connection - a child partition's connection to a port
 * @id: the connection id
 * @port_id: the port it signals
 * @gpa: doorbell: the guest physical address watched
 * @value: doorbell: the value a write must have, unless any value matches
 * @flags: doorbell: HV_DOORBELL_FLAG_* bits
 */
struct mshv_sim_connection {
	u32 id;
	u32 port_id;
	u64 gpa;
	u64 value;
	u64 flags;
};

static struct hv_synic_event_ring *
mshv_sim_ring(struct mshv_sim_synic *synic, u32 sint)
{
	struct hv_synic_event_ring_page *page = page_address(synic->rings);

	return &page->sint_event_ring[sint];
}

/*
 * Queue @port's id in this CPU's ring of its SINT. Return false if the
 * ring is full, which the ring then says.
 */
static bool mshv_sim_ring_push(struct mshv_sim_synic *synic,
			       const struct mshv_sim_port *port)
{
	struct hv_synic_event_ring *ring = mshv_sim_ring(synic, port->sint);
	unsigned int head = synic->ring_head[port->sint];

	if (READ_ONCE(ring->data[head])) {
		WRITE_ONCE(ring->ring_full, 1);
		return false;
	}
	WRITE_ONCE(ring->data[head], port->id);
	synic->ring_head[port->sint] = (head + 1) %
				       HV_SYNIC_EVENT_RING_MESSAGE_COUNT;
	return true;
}

/* Tell the root about its ring of @sint, unless it is already told. */
static void mshv_sim_ring_notify(struct mshv_sim *sim,
				 struct mshv_sim_synic *synic, u32 sint)
{
	struct hv_synic_event_ring *ring = mshv_sim_ring(synic, sint);
	struct mshv_sim_sint_msg *msg = &synic->notify[sint];
	struct hv_notification_message_payload payload = {
		.sint_index = sint,
	};

	/* The entry is in the ring before signal_masked is looked at. */
	smp_mb();
	if (READ_ONCE(ring->signal_masked) ||
	    (synic->sint[sint] & HV_SYNIC_SINT_MASKED) ||
	    !(synic->sint[sint] & HV_SYNIC_SINT_AS_INTERCEPT))
		return;
	WRITE_ONCE(ring->signal_masked, 1);

	msg->type = HVMSG_SYNIC_SINT_INTERCEPT;
	msg->sender = 0;
	msg->size = sizeof(payload);
	memcpy(msg->payload, &payload, sizeof(payload));
	mshv_sim_synic_post(sim, msg);
}

/*
 * Queue the pending signals of the ports of @sint in this CPU's ring, as
 * long as there is room, and tell the root if any was queued.
 */
static void mshv_sim_ring_refill(struct mshv_sim *sim,
				 struct mshv_sim_synic *synic, u32 sint)
{
	struct mshv_sim_port *port;
	bool queued = false;
	unsigned long id;

	if (!(synic->sirbp & HV_SYNIC_SIRBP_ENABLE))
		return;
	xa_for_each(&sim->ports, id, port) {
		if (!port->pending || port->sint != sint)
			continue;
		if (!mshv_sim_ring_push(synic, port))
			break;
		port->pending = false;
		queued = true;
	}
	if (queued)
		mshv_sim_ring_notify(sim, synic, sint);
}

/*
 * Signal @port on this CPU. The signal waits in the port while the ring
 * is full or disabled, merged with later ones.
 */
static void mshv_sim_port_signal(struct mshv_sim *sim,
				 struct mshv_sim_port *port)
{
	sim->doorbells++;
	port->pending = true;
	mshv_sim_ring_refill(sim, &sim->synic[smp_processor_id()],
			     port->sint);
}

/**
 * mshv_sim_synic_rings_reset() - empty a CPU's event rings
 * @synic: the CPU's SynIC, whose SIRBP the root just enabled
 *
 * Context: sim->lock held.
 */
void mshv_sim_synic_rings_reset(struct mshv_sim_synic *synic)
{
	memset(page_address(synic->rings), 0, PAGE_SIZE);
	memset(synic->ring_head, 0, sizeof(synic->ring_head));
}

/* Whether a write of @len bytes of @value to @gpa rings @conn. */
static bool mshv_sim_doorbell_matches(const struct mshv_sim_connection *conn,
				      u64 gpa, u32 len, u64 value)
{
	u64 size = conn->flags & HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK;

	if (conn->gpa != gpa)
		return false;
	if (size != HV_DOORBELL_FLAG_TRIGGER_SIZE_ANY &&
	    len != 1U << (size - HV_DOORBELL_FLAG_TRIGGER_SIZE_BYTE))
		return false;
	return (conn->flags & HV_DOORBELL_FLAG_TRIGGER_ANY_VALUE) ||
	       conn->value == value;
}

/**
 * mshv_sim_doorbell_write() - a guest write that may ring a doorbell
 * @sim: the instance
 * @pt: the child partition whose VP writes
 * @gpa: guest physical address of the first byte
 * @buf: the bytes written
 * @len: number of bytes
 *
 * Context: sim->lock held, IRQs disabled.
 * Return: true if the write rang a doorbell: the write is done, nothing
 * else sees it; false if it is an ordinary write.
 */
bool mshv_sim_doorbell_write(struct mshv_sim *sim,
			     struct mshv_sim_partition *pt, u64 gpa,
			     const void *buf, u32 len)
{
	struct mshv_sim_connection *conn;
	struct mshv_sim_port *port;
	unsigned long id;
	u64 value = 0;

	if (xa_empty(&pt->connections) || len > sizeof(value))
		return false;
	/* x86 is little-endian: the bytes are the value, zero-extended. */
	memcpy(&value, buf, len);
	xa_for_each(&pt->connections, id, conn) {
		if (!mshv_sim_doorbell_matches(conn, gpa, len, value))
			continue;
		port = xa_load(&sim->ports, conn->port_id);
		if (!port)
			continue;
		mshv_sim_port_signal(sim, port);
		return true;
	}
	return false;
}

/* The root partition, if @id names it; ports belong to it alone. */
static bool mshv_sim_is_root(struct mshv_sim *sim, u64 id)
{
	return mshv_sim_find(sim, id, true) == &sim->root;
}

/**
 * mshv_sim_create_port() - HvCreatePort
 * @sim: the instance
 * @call: the call
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_*.
 */
u16 mshv_sim_create_port(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_create_port *in = call->in;
	const struct hv_port_info *info = &in->port_info;
	struct mshv_sim_port *port;

	if (!mshv_sim_is_root(sim, in->port_partition_id) ||
	    !mshv_sim_find(sim, in->connection_partition_id, false))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (in->port_vtl || in->min_connection_vtl || in->reserved ||
	    info->reserved || info->rsvdz ||
	    info->port_type != HV_PORT_TYPE_DOORBELL ||
	    info->target_sint >= MSHV_SIM_SINT_COUNT ||
	    info->target_vp != HV_ANY_VP)
		return HV_STATUS_INVALID_PARAMETER;
	if (!in->port_id || in->port_id > HV_PORT_ID_MAX ||
	    xa_load(&sim->ports, in->port_id))
		return HV_STATUS_INVALID_PORT_ID;

	port = kzalloc(sizeof(*port), GFP_ATOMIC);
	if (!port)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	port->id = in->port_id;
	port->peer_id = in->connection_partition_id;
	port->sint = info->target_sint;
	if (xa_insert(&sim->ports, port->id, port, GFP_ATOMIC)) {
		kfree(port);
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	sim->nr_ports++;
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_connect_port() - HvConnectPort
 * @sim: the instance
 * @call: the call
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_*.
 */
u16 mshv_sim_connect_port(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_connect_port *in = call->in;
	const struct hv_connection_info *info = &in->connection_info;
	struct mshv_sim_connection *conn;
	struct mshv_sim_partition *pt;
	struct mshv_sim_port *port;

	pt = mshv_sim_find(sim, in->connection_partition_id, false);
	if (!pt || !mshv_sim_is_root(sim, in->port_partition_id))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (in->connection_vtl ||
	    memchr_inv(in->reserved1, 0, sizeof(in->reserved1)) ||
	    in->reserved2 || info->reserved ||
	    info->port_type != HV_PORT_TYPE_DOORBELL ||
	    info->doorbell_flags & ~MSHV_SIM_DOORBELL_FLAGS ||
	    (info->doorbell_flags & HV_DOORBELL_FLAG_TRIGGER_SIZE_MASK) >
	    HV_DOORBELL_FLAG_TRIGGER_SIZE_QWORD)
		return HV_STATUS_INVALID_PARAMETER;
	port = xa_load(&sim->ports, in->port_id);
	if (!port)
		return HV_STATUS_INVALID_PORT_ID;
	if (port->peer_id != pt->id)
		return HV_STATUS_ACCESS_DENIED;
	if (!in->connection_id || in->connection_id > HV_PORT_ID_MAX ||
	    xa_load(&pt->connections, in->connection_id))
		return HV_STATUS_INVALID_CONNECTION_ID;

	conn = kzalloc(sizeof(*conn), GFP_ATOMIC);
	if (!conn)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	conn->id = in->connection_id;
	conn->port_id = port->id;
	conn->gpa = info->doorbell_gpa;
	conn->value = info->trigger_value;
	conn->flags = info->doorbell_flags;
	if (xa_insert(&pt->connections, conn->id, conn, GFP_ATOMIC)) {
		kfree(conn);
		return HV_STATUS_INSUFFICIENT_MEMORY;
	}
	sim->nr_connections++;
	return HV_STATUS_SUCCESS;
}

static void mshv_sim_connection_free(struct mshv_sim *sim,
				     struct mshv_sim_partition *pt,
				     struct mshv_sim_connection *conn)
{
	xa_erase(&pt->connections, conn->id);
	sim->nr_connections--;
	kfree(conn);
}

/**
 * mshv_sim_disconnect_port() - HvDisconnectPort
 * @sim: the instance
 * @call: the call
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_*.
 */
u16 mshv_sim_disconnect_port(struct mshv_sim *sim,
			     struct mshv_sim_call *call)
{
	const struct hv_input_disconnect_port *in = call->in;
	struct mshv_sim_connection *conn;
	struct mshv_sim_partition *pt;

	pt = mshv_sim_find(sim, in->connection_partition_id, false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (in->flags & ~HV_DISCONNECT_PORT_IS_DOORBELL)
		return HV_STATUS_INVALID_PARAMETER;
	conn = xa_load(&pt->connections, in->connection_id);
	if (!conn)
		return HV_STATUS_INVALID_CONNECTION_ID;
	mshv_sim_connection_free(sim, pt, conn);
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_delete_port() - HvDeletePort
 * @sim: the instance
 * @call: the call
 *
 * The connections to the port go with it.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_*.
 */
u16 mshv_sim_delete_port(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_delete_port *in = call->in;
	struct mshv_sim_connection *conn;
	struct mshv_sim_partition *pt;
	struct mshv_sim_port *port;
	unsigned long id;

	if (!mshv_sim_is_root(sim, in->port_partition_id))
		return HV_STATUS_INVALID_PARTITION_ID;
	if (in->reserved)
		return HV_STATUS_INVALID_PARAMETER;
	port = xa_erase(&sim->ports, in->port_id);
	if (!port)
		return HV_STATUS_INVALID_PORT_ID;

	pt = mshv_sim_find(sim, port->peer_id, false);
	if (pt) {
		xa_for_each(&pt->connections, id, conn)
			if (conn->port_id == port->id)
				mshv_sim_connection_free(sim, pt, conn);
	}
	sim->nr_ports--;
	kfree(port);
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_notify_port_ring_empty() - HvNotifyPortRingEmpty
 * @sim: the instance
 * @call: the call
 *
 * Queues, in this CPU's ring of the SINT, the signals that waited in
 * their ports (whichever CPU they came from), as long as there is room.
 *
 * Context: sim->lock held, IRQs disabled.
 * Return: HV_STATUS_*.
 */
u16 mshv_sim_notify_port_ring_empty(struct mshv_sim *sim,
				    struct mshv_sim_call *call)
{
	u64 arg = call->fast ? call->fast_input : *(const u64 *)call->in;
	const struct hv_input_notify_port_ring_empty *in = (const void *)&arg;

	if (in->reserved || in->sint_index >= MSHV_SIM_SINT_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	mshv_sim_ring_refill(sim, &sim->synic[smp_processor_id()],
			     in->sint_index);
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_connections_release() - drop a deleted partition's connections
 * @sim: the instance
 * @pt: the partition
 *
 * Context: sim->lock held.
 */
void mshv_sim_connections_release(struct mshv_sim *sim,
				  struct mshv_sim_partition *pt)
{
	struct mshv_sim_connection *conn;
	unsigned long id;

	xa_for_each(&pt->connections, id, conn)
		mshv_sim_connection_free(sim, pt, conn);
	xa_destroy(&pt->connections);
}

/**
 * mshv_sim_ports_release() - delete the ports the root left behind
 * @sim: the instance, being destroyed
 *
 * Context: sim->lock held.
 */
void mshv_sim_ports_release(struct mshv_sim *sim)
{
	struct mshv_sim_port *port;
	unsigned long id;

	xa_for_each(&sim->ports, id, port) {
		xa_erase(&sim->ports, id);
		kfree(port);
	}
	sim->nr_ports = 0;
	xa_destroy(&sim->ports);
}
