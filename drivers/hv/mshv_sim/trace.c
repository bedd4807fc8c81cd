// SPDX-License-Identifier: GPL-2.0
/*
 * A trace of what the simulated hypervisor was asked and what it answered,
 * to debug a VMM against it: the last MSHV_SIM_TRACE_LEN hypercalls (code,
 * reps, status and the first words of the input) and intercept messages
 * posted to VPs (partition, VP, message type and the first words of the
 * payload), in the order they happened. Tracing is off until debugfs
 * "trace" is written "on"; "off" stops it, "clear" empties it; reading it
 * lists the records, oldest first.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include "sim.h"

/* Records kept; older ones are overwritten. */
#define MSHV_SIM_TRACE_LEN	2048

/* Whether records are taken; READ_ONCE()/WRITE_ONCE(), no lock. */
static bool mshv_sim_trace_on;
/* Guards the ring, @mshv_sim_trace_next and @mshv_sim_trace_seq. */
static DEFINE_SPINLOCK(mshv_sim_trace_lock);
static struct mshv_sim_trace_rec *mshv_sim_trace_ring;
/* Slot of the next record, and the sequence number it gets. */
static unsigned int mshv_sim_trace_next;
static u64 mshv_sim_trace_seq;

static void mshv_sim_trace_add(const struct mshv_sim_trace_rec *rec)
{
	unsigned long flags;

	spin_lock_irqsave(&mshv_sim_trace_lock, flags);
	if (mshv_sim_trace_ring) {
		mshv_sim_trace_ring[mshv_sim_trace_next] = *rec;
		mshv_sim_trace_ring[mshv_sim_trace_next].seq =
			++mshv_sim_trace_seq;
		mshv_sim_trace_next = (mshv_sim_trace_next + 1) %
				      MSHV_SIM_TRACE_LEN;
	}
	spin_unlock_irqrestore(&mshv_sim_trace_lock, flags);
}

/**
 * mshv_sim_trace_call() - record a hypercall, if tracing is on
 * @call: the decoded call (its input mapped if @call->in is set)
 * @input: the input GPA, or the first operand of a fast call
 * @output: the output GPA, or the second operand of a fast call
 * @status: the status it returns
 *
 * Context: Any context.
 */
void mshv_sim_trace_call(const struct mshv_sim_call *call, u64 input,
			 u64 output, u16 status)
{
	struct mshv_sim_trace_rec rec = {
		.kind = MSHV_SIM_TRACE_CALL,
		.code = call->code,
		.status = status,
		.reps = call->reps_done,
		.rep_count = call->rep_count,
	};
	size_t len;

	if (!READ_ONCE(mshv_sim_trace_on))
		return;
	if (call->in) {
		len = min_t(size_t, sizeof(rec.words),
			    PAGE_SIZE - offset_in_page(call->in));
		memcpy(rec.words, call->in, len);
	} else {
		rec.words[0] = input;
		rec.words[1] = output;
	}
	mshv_sim_trace_add(&rec);
}

/**
 * mshv_sim_trace_msg() - record an intercept message, if tracing is on
 * @vp: the VP it is posted to
 * @msg: the message
 *
 * Context: Any context.
 */
void mshv_sim_trace_msg(const struct mshv_sim_vp *vp,
			const struct hv_message *msg)
{
	struct mshv_sim_trace_rec rec = {
		.kind = MSHV_SIM_TRACE_MSG,
		.partition = vp->pt->id,
		.vp = vp->index,
		.msg_type = msg->header.message_type,
	};

	if (!READ_ONCE(mshv_sim_trace_on))
		return;
	memcpy(rec.words, msg->u.payload,
	       min_t(size_t, sizeof(rec.words), sizeof(msg->u.payload)));
	mshv_sim_trace_add(&rec);
}

/**
 * mshv_sim_trace_get() - copy the trace, oldest record first
 * @out: where to put the records
 * @max: room in @out
 *
 * Context: Any context.
 * Return: the number of records copied (the newest @max of them).
 */
unsigned int mshv_sim_trace_get(struct mshv_sim_trace_rec *out,
				unsigned int max)
{
	unsigned int n = 0, i, slot;
	unsigned long flags;

	spin_lock_irqsave(&mshv_sim_trace_lock, flags);
	if (!mshv_sim_trace_ring)
		goto out;
	for (i = 0; i < MSHV_SIM_TRACE_LEN; i++) {
		slot = (mshv_sim_trace_next + i) % MSHV_SIM_TRACE_LEN;
		if (mshv_sim_trace_ring[slot].seq)
			n++;
	}
	n = min(n, max);
	for (i = 0; i < n; i++) {
		slot = (mshv_sim_trace_next + MSHV_SIM_TRACE_LEN - n + i) %
		       MSHV_SIM_TRACE_LEN;
		out[i] = mshv_sim_trace_ring[slot];
	}
out:
	spin_unlock_irqrestore(&mshv_sim_trace_lock, flags);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_trace_get);

/**
 * mshv_sim_trace_set() - start, stop or empty the trace
 * @on: take records from now on
 * @clear: drop the records taken so far
 *
 * Context: Process context (the first start allocates the ring).
 * Return: 0, or -ENOMEM.
 */
int mshv_sim_trace_set(bool on, bool clear)
{
	struct mshv_sim_trace_rec *ring = NULL;
	unsigned long flags;

	if (on && !READ_ONCE(mshv_sim_trace_ring)) {
		ring = kvcalloc(MSHV_SIM_TRACE_LEN, sizeof(*ring), GFP_KERNEL);
		if (!ring)
			return -ENOMEM;
	}
	spin_lock_irqsave(&mshv_sim_trace_lock, flags);
	if (ring && !mshv_sim_trace_ring) {
		mshv_sim_trace_ring = ring;
		ring = NULL;
	}
	if (clear && mshv_sim_trace_ring) {
		memset(mshv_sim_trace_ring, 0,
		       MSHV_SIM_TRACE_LEN * sizeof(*mshv_sim_trace_ring));
		mshv_sim_trace_next = 0;
	}
	WRITE_ONCE(mshv_sim_trace_on, on);
	spin_unlock_irqrestore(&mshv_sim_trace_lock, flags);
	kvfree(ring);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_trace_set);

/**
 * mshv_sim_trace_free() - stop tracing and free the ring
 *
 * Context: Process context; at module unload, when no hypercall runs.
 */
void mshv_sim_trace_free(void)
{
	WRITE_ONCE(mshv_sim_trace_on, false);
	kvfree(mshv_sim_trace_ring);
	mshv_sim_trace_ring = NULL;
}

static void mshv_sim_trace_show_rec(struct seq_file *m,
				    const struct mshv_sim_trace_rec *r)
{
	unsigned int i;

	if (r->kind == MSHV_SIM_TRACE_CALL)
		seq_printf(m, "%llu call 0x%04x reps %u/%u status 0x%x:",
			   r->seq, r->code, r->reps, r->rep_count, r->status);
	else
		seq_printf(m, "%llu msg pt %llu vp %u type 0x%08x:", r->seq,
			   r->partition, r->vp, r->msg_type);
	for (i = 0; i < ARRAY_SIZE(r->words); i++)
		seq_printf(m, " %016llx", r->words[i]);
	seq_putc(m, '\n');
}

static int mshv_sim_trace_show(struct seq_file *m, void *unused)
{
	struct mshv_sim_trace_rec *recs;
	unsigned int i, n;

	recs = kvcalloc(MSHV_SIM_TRACE_LEN, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return -ENOMEM;
	n = mshv_sim_trace_get(recs, MSHV_SIM_TRACE_LEN);
	for (i = 0; i < n; i++)
		mshv_sim_trace_show_rec(m, &recs[i]);
	kvfree(recs);
	return 0;
}

static int mshv_sim_trace_open(struct inode *inode, struct file *file)
{
	return single_open(file, mshv_sim_trace_show, NULL);
}

static ssize_t mshv_sim_trace_write(struct file *file, const char __user *ubuf,
				    size_t len, loff_t *ppos)
{
	char cmd[8] = {};
	int ret;

	if (!len || len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	strim(cmd);
	if (!strcmp(cmd, "on"))
		ret = mshv_sim_trace_set(true, false);
	else if (!strcmp(cmd, "off"))
		ret = mshv_sim_trace_set(false, false);
	else if (!strcmp(cmd, "clear"))
		ret = mshv_sim_trace_set(READ_ONCE(mshv_sim_trace_on), true);
	else
		return -EINVAL;
	return ret ? ret : len;
}

static const struct file_operations mshv_sim_trace_fops = {
	.owner = THIS_MODULE,
	.open = mshv_sim_trace_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = mshv_sim_trace_write,
};

/**
 * mshv_sim_trace_debugfs() - create the "trace" file
 * @dir: the simulator's debugfs directory
 */
void mshv_sim_trace_debugfs(struct dentry *dir)
{
	debugfs_create_file("trace", 0644, dir, NULL, &mshv_sim_trace_fops);
}
