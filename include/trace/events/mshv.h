/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the Hyper-V root partition driver (/dev/mshv) and of the
 * root's hypercall helpers it shares (deposits and withdrawals). The
 * events with a mainline counterpart have its name and fields; see
 * Documentation/virt/mshv/stats.rst.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mshv

#if !defined(_TRACE_MSHV_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_MSHV_H

#include <linux/tracepoint.h>

/* MSHV_RUN_VP starts. */
TRACE_EVENT(mshv_run_vp_entry,
	    TP_PROTO(u64 partition_id, u32 vp_index),
	    TP_ARGS(partition_id, vp_index),
	    TP_STRUCT__entry(__field(u64, partition_id)
			     __field(u32, vp_index)
	    ),
	    TP_fast_assign(__entry->partition_id = partition_id;
			   __entry->vp_index = vp_index;
	    ),
	    TP_printk("partition_id=%llu vp_index=%u", __entry->partition_id,
		      __entry->vp_index)
);

/* MSHV_RUN_VP returns: the message type of the exit, or 0 with an error. */
TRACE_EVENT(mshv_run_vp_exit,
	    TP_PROTO(u64 partition_id, u32 vp_index, u64 hv_message_type,
		     long ret),
	    TP_ARGS(partition_id, vp_index, hv_message_type, ret),
	    TP_STRUCT__entry(__field(u64, partition_id)
			     __field(u32, vp_index)
			     __field(u64, hv_message_type)
			     __field(long, ret)
	    ),
	    TP_fast_assign(__entry->partition_id = partition_id;
			   __entry->vp_index = vp_index;
			   __entry->hv_message_type = hv_message_type;
			   __entry->ret = ret;
	    ),
	    TP_printk("partition_id=%llu vp_index=%u hv_message_type=%#llx ret=%ld",
		      __entry->partition_id, __entry->vp_index,
		      __entry->hv_message_type, __entry->ret)
);

/* One HvDispatchVp of the root scheduler, after it returned. */
TRACE_EVENT(mshv_hvcall_dispatch_vp,
	    TP_PROTO(u64 partition_id, u32 vp_index, u32 flags, u32 dispatch_state,
		     u32 dispatch_event, u64 irq_vectors, u64 status),
	    TP_ARGS(partition_id, vp_index, flags, dispatch_state, dispatch_event,
		    irq_vectors, status),
	    TP_STRUCT__entry(__field(u64, partition_id)
			     __field(u32, vp_index)
			     __field(u32, flags)
			     __field(u32, dispatch_state)
			     __field(u32, dispatch_event)
			     __field(u64, irq_vectors)
			     __field(u64, status)
	    ),
	    TP_fast_assign(__entry->partition_id = partition_id;
			   __entry->vp_index = vp_index;
			   __entry->flags = flags;
			   __entry->dispatch_state = dispatch_state;
			   __entry->dispatch_event = dispatch_event;
			   __entry->irq_vectors = irq_vectors;
			   __entry->status = status;
	    ),
	    TP_printk("partition_id=%llu vp_index=%u flags=%#x dispatch_state=%#x dispatch_event=%#x irq_vectors=%#018llx status=%#llx",
		      __entry->partition_id, __entry->vp_index, __entry->flags,
		      __entry->dispatch_state, __entry->dispatch_event,
		      __entry->irq_vectors, __entry->status)
);

/*
 * A GPA intercept the driver looked at: handled in the kernel (a movable
 * region faulted in) or left to the VMM.
 */
TRACE_EVENT(mshv_handle_gpa_intercept,
	    TP_PROTO(u64 partition_id, u32 vp_index, u64 gfn, u8 access_type,
		     bool handled),
	    TP_ARGS(partition_id, vp_index, gfn, access_type, handled),
	    TP_STRUCT__entry(__field(u64, partition_id)
			     __field(u32, vp_index)
			     __field(u64, gfn)
			     __field(u8, access_type)
			     __field(bool, handled)
	    ),
	    TP_fast_assign(__entry->partition_id = partition_id;
			   __entry->vp_index = vp_index;
			   __entry->gfn = gfn;
			   __entry->access_type = access_type;
			   __entry->handled = handled;
	    ),
	    TP_printk("partition_id=%llu vp_index=%u gfn=0x%llx access_type=%c handled=%d",
		      __entry->partition_id, __entry->vp_index, __entry->gfn,
		      __entry->access_type == 0 ? 'R' :
		      __entry->access_type == 1 ? 'W' :
		      __entry->access_type == 2 ? 'X' : '?',
		      __entry->handled)
);

/*
 * An irqfd raised its interrupt: through the VP's register page (fast) or
 * with HvAssertVirtualInterrupt.
 */
TRACE_EVENT(mshv_irqfd_inject,
	    TP_PROTO(u64 partition_id, u32 gsi, u32 vector, u32 dest, bool fast),
	    TP_ARGS(partition_id, gsi, vector, dest, fast),
	    TP_STRUCT__entry(__field(u64, partition_id)
			     __field(u32, gsi)
			     __field(u32, vector)
			     __field(u32, dest)
			     __field(bool, fast)
	    ),
	    TP_fast_assign(__entry->partition_id = partition_id;
			   __entry->gsi = gsi;
			   __entry->vector = vector;
			   __entry->dest = dest;
			   __entry->fast = fast;
	    ),
	    TP_printk("partition_id=%llu gsi=%u vector=%u dest=%u fast=%d",
		      __entry->partition_id, __entry->gsi, __entry->vector,
		      __entry->dest, __entry->fast)
);

/* A guest write rang the doorbell of an ioeventfd's port. */
TRACE_EVENT(mshv_doorbell_signal,
	    TP_PROTO(u32 port_id, bool known),
	    TP_ARGS(port_id, known),
	    TP_STRUCT__entry(__field(u32, port_id)
			     __field(bool, known)
	    ),
	    TP_fast_assign(__entry->port_id = port_id;
			   __entry->known = known;
	    ),
	    TP_printk("port_id=%u known=%d", __entry->port_id, __entry->known)
);

/* Pages deposited into a partition's pool (HvDepositMemory). */
TRACE_EVENT(mshv_deposit_memory,
	    TP_PROTO(u64 partition_id, u32 pages, int ret),
	    TP_ARGS(partition_id, pages, ret),
	    TP_STRUCT__entry(__field(u64, partition_id)
			     __field(u32, pages)
			     __field(int, ret)
	    ),
	    TP_fast_assign(__entry->partition_id = partition_id;
			   __entry->pages = pages;
			   __entry->ret = ret;
	    ),
	    TP_printk("partition_id=%llu pages=%u ret=%d", __entry->partition_id,
		      __entry->pages, __entry->ret)
);

/* A partition's pool withdrawn (HvWithdrawMemory until it is empty). */
TRACE_EVENT(mshv_hvcall_withdraw_memory,
	    TP_PROTO(u64 partition_id, u64 withdrawn, u64 status),
	    TP_ARGS(partition_id, withdrawn, status),
	    TP_STRUCT__entry(__field(u64, partition_id)
			     __field(u64, withdrawn)
			     __field(u64, status)
	    ),
	    TP_fast_assign(__entry->partition_id = partition_id;
			   __entry->withdrawn = withdrawn;
			   __entry->status = status;
	    ),
	    TP_printk("partition_id=%llu withdrawn=%llu status=%#llx",
		      __entry->partition_id, __entry->withdrawn, __entry->status)
);

#endif /* _TRACE_MSHV_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
