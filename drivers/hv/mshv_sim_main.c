// SPDX-License-Identifier: GPL-2.0
/*
 * mshv_sim: a test-only Hyper-V hypervisor simulator.
 *
 * Loading this module makes one simulator instance the backend of the
 * Hyper-V root partition seam, so that /dev/mshv can be exercised on any
 * x86-64 machine. The instance is observed and steered through
 * /sys/kernel/debug/mshv_sim/:
 *
 *   partitions       r   live child partitions
 *   deposited_pages  r   pages held in all child pools
 *   root_pool_pages  r   pages held in the root pool
 *   leaked_pages     r   pages left in child pools at deletion
 *   hypercalls       r   "0x%04x %llu" per hypercall code seen
 *   fault            rw  "CODE NTH STATUS" arms a one-shot fault,
 *                        "clear" disarms all; reading lists armed faults
 *                        as "CODE REMAINING STATUS"
 *   create_pages     rw  root-pool pages HvCreatePartition needs
 *   init_pages       rw  child-pool pages HvInitializePartition needs
 *   max_reps         rw  most reps per rep hypercall (0: no limit)
 *   root             rw  1: report a root partition, 0: do not
 */
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <hyperv/hv_seam.h>

#include "mshv_sim.h"

/* Longest command accepted by the fault file, including the newline. */
#define MSHV_SIM_FAULT_CMD_MAX	64

/* The instance behind the seam; set before registration, never changed. */
static struct mshv_sim *mshv_sim_global;
/* Value reported by ->root_partition(); READ_ONCE/WRITE_ONCE, no lock. */
static u32 mshv_sim_root = 1;
static struct dentry *mshv_sim_dir;

/* Hypercall argument pages; each CPU only touches its own, IRQs off. */
static DEFINE_PER_CPU(void *, mshv_sim_input_page);
static DEFINE_PER_CPU(void *, mshv_sim_output_page);

/* Seam callbacks */

static u64 mshv_sim_ops_hypercall(u64 control, u64 input, u64 output)
{
	return mshv_sim_hypercall(mshv_sim_global, control, input, output);
}

static void *mshv_sim_ops_input_page(void)
{
	return this_cpu_read(mshv_sim_input_page);
}

static void *mshv_sim_ops_output_page(void)
{
	return this_cpu_read(mshv_sim_output_page);
}

static bool mshv_sim_ops_root_partition(void)
{
	return READ_ONCE(mshv_sim_root);
}

static const struct hv_sim_ops mshv_sim_ops = {
	.owner = THIS_MODULE,
	.hypercall = mshv_sim_ops_hypercall,
	.input_page = mshv_sim_ops_input_page,
	.output_page = mshv_sim_ops_output_page,
	.root_partition = mshv_sim_ops_root_partition,
};

/* Per-CPU hypercall pages */

static void mshv_sim_free_cpu_pages(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(mshv_sim_input_page, cpu));
		free_page((unsigned long)per_cpu(mshv_sim_output_page, cpu));
		per_cpu(mshv_sim_input_page, cpu) = NULL;
		per_cpu(mshv_sim_output_page, cpu) = NULL;
	}
}

static void *mshv_sim_alloc_cpu_page(unsigned int cpu)
{
	struct page *page;

	page = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO, 0);
	return page ? page_address(page) : NULL;
}

static int mshv_sim_alloc_cpu_pages(void)
{
	unsigned int cpu;
	void *in, *out;

	for_each_possible_cpu(cpu) {
		in = mshv_sim_alloc_cpu_page(cpu);
		out = mshv_sim_alloc_cpu_page(cpu);
		per_cpu(mshv_sim_input_page, cpu) = in;
		per_cpu(mshv_sim_output_page, cpu) = out;
		if (!in || !out)
			goto err_free_pages;
	}
	return 0;

err_free_pages:
	mshv_sim_free_cpu_pages();
	return -ENOMEM;
}

/* debugfs: counters */

/**
 * struct mshv_sim_stat_file - a read-only debugfs counter
 * @name: file name
 * @offset: offset of the counter in struct mshv_sim_stats
 */
struct mshv_sim_stat_file {
	const char *name;
	size_t offset;
};

static struct mshv_sim_stat_file mshv_sim_stat_files[] = {
	{ "partitions", offsetof(struct mshv_sim_stats, partitions) },
	{ "deposited_pages", offsetof(struct mshv_sim_stats, deposited_pages) },
	{ "root_pool_pages", offsetof(struct mshv_sim_stats, root_pool_pages) },
	{ "leaked_pages", offsetof(struct mshv_sim_stats, leaked_pages) },
};

static int mshv_sim_stat_get(void *data, u64 *val)
{
	const struct mshv_sim_stat_file *file = data;
	struct mshv_sim_stats stats;

	mshv_sim_get_stats(mshv_sim_global, &stats);
	memcpy(val, (u8 *)&stats + file->offset, sizeof(*val));
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(mshv_sim_stat_fops, mshv_sim_stat_get, NULL,
			 "%llu\n");

/* debugfs: knobs */

/**
 * struct mshv_sim_knob_file - a read-write debugfs knob
 * @name: file name
 * @knob: the instance knob it shows and sets
 */
struct mshv_sim_knob_file {
	const char *name;
	enum mshv_sim_knob knob;
};

static struct mshv_sim_knob_file mshv_sim_knob_files[] = {
	{ "create_pages", MSHV_SIM_KNOB_CREATE_PAGES },
	{ "init_pages", MSHV_SIM_KNOB_INIT_PAGES },
	{ "max_reps", MSHV_SIM_KNOB_MAX_REPS },
};

static int mshv_sim_knob_get(void *data, u64 *val)
{
	const struct mshv_sim_knob_file *file = data;

	*val = mshv_sim_get_knob(mshv_sim_global, file->knob);
	return 0;
}

static int mshv_sim_knob_set(void *data, u64 val)
{
	const struct mshv_sim_knob_file *file = data;

	if (val > U32_MAX)
		return -EINVAL;
	mshv_sim_set_knob(mshv_sim_global, file->knob, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(mshv_sim_knob_fops, mshv_sim_knob_get,
			 mshv_sim_knob_set, "%llu\n");

static int mshv_sim_root_get(void *data, u64 *val)
{
	*val = READ_ONCE(mshv_sim_root);
	return 0;
}

static int mshv_sim_root_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(mshv_sim_root, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(mshv_sim_root_fops, mshv_sim_root_get,
			 mshv_sim_root_set, "%llu\n");

/* debugfs: hypercall counters */

static int mshv_sim_hypercalls_show(struct seq_file *m, void *unused)
{
	struct mshv_sim_call_count *counts;
	unsigned int i, nr;

	counts = kmalloc_array(MSHV_SIM_MAX_COUNTED_CODES, sizeof(*counts),
			       GFP_KERNEL);
	if (!counts)
		return -ENOMEM;

	nr = mshv_sim_get_call_counts(m->private, counts,
				      MSHV_SIM_MAX_COUNTED_CODES);
	for (i = 0; i < nr; i++)
		seq_printf(m, "0x%04x %llu\n", counts[i].code, counts[i].calls);
	kfree(counts);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_sim_hypercalls);

/* debugfs: fault injection */

static int mshv_sim_fault_show(struct seq_file *m, void *unused)
{
	struct mshv_sim_fault faults[MSHV_SIM_MAX_FAULTS];
	unsigned int i, nr;

	nr = mshv_sim_get_faults(m->private, faults, ARRAY_SIZE(faults));
	for (i = 0; i < nr; i++)
		seq_printf(m, "0x%04x %u 0x%04x\n", faults[i].code,
			   faults[i].remaining, faults[i].status);
	return 0;
}

static int mshv_sim_fault_open(struct inode *inode, struct file *file)
{
	return single_open(file, mshv_sim_fault_show, inode->i_private);
}

/* Parse a number written as 0x-prefixed hexadecimal or as decimal. */
static int mshv_sim_parse_u32(const char *s, u32 *val)
{
	if (!strncasecmp(s, "0x", 2))
		return kstrtou32(s, 16, val);
	return kstrtou32(s, 10, val);
}

/* Split @cmd into exactly @nr whitespace-separated words. */
static int mshv_sim_split_words(char *cmd, char **words, unsigned int nr)
{
	unsigned int n = 0;
	char *word;

	while ((word = strsep(&cmd, " \t\n"))) {
		if (!*word)
			continue;
		if (n == nr)
			return -EINVAL;
		words[n++] = word;
	}
	return n == nr ? 0 : -EINVAL;
}

/* Execute "clear" or "CODE NTH STATUS" on @sim. */
static int mshv_sim_fault_command(struct mshv_sim *sim, char *cmd)
{
	u32 code, nth, status;
	char *words[3];
	int ret;

	if (sysfs_streq(cmd, "clear")) {
		mshv_sim_fault_clear(sim);
		return 0;
	}

	ret = mshv_sim_split_words(cmd, words, ARRAY_SIZE(words));
	if (ret)
		return ret;
	if (mshv_sim_parse_u32(words[0], &code) ||
	    mshv_sim_parse_u32(words[1], &nth) ||
	    mshv_sim_parse_u32(words[2], &status))
		return -EINVAL;
	return mshv_sim_fault_arm(sim, code, nth, status);
}

static ssize_t mshv_sim_fault_write(struct file *file, const char __user *ubuf,
				    size_t len, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	char cmd[MSHV_SIM_FAULT_CMD_MAX];
	int ret;

	if (!len || len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = '\0';

	ret = mshv_sim_fault_command(m->private, cmd);
	return ret ? ret : len;
}

static const struct file_operations mshv_sim_fault_fops = {
	.owner = THIS_MODULE,
	.open = mshv_sim_fault_open,
	.read = seq_read,
	.write = mshv_sim_fault_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static void mshv_sim_debugfs_init(struct mshv_sim *sim)
{
	unsigned int i;

	mshv_sim_dir = debugfs_create_dir("mshv_sim", NULL);

	for (i = 0; i < ARRAY_SIZE(mshv_sim_stat_files); i++)
		debugfs_create_file_unsafe(mshv_sim_stat_files[i].name, 0444,
					   mshv_sim_dir,
					   &mshv_sim_stat_files[i],
					   &mshv_sim_stat_fops);
	for (i = 0; i < ARRAY_SIZE(mshv_sim_knob_files); i++)
		debugfs_create_file_unsafe(mshv_sim_knob_files[i].name, 0644,
					   mshv_sim_dir,
					   &mshv_sim_knob_files[i],
					   &mshv_sim_knob_fops);
	debugfs_create_file_unsafe("root", 0644, mshv_sim_dir, NULL,
				   &mshv_sim_root_fops);
	debugfs_create_file("hypercalls", 0444, mshv_sim_dir, sim,
			    &mshv_sim_hypercalls_fops);
	debugfs_create_file("fault", 0644, mshv_sim_dir, sim,
			    &mshv_sim_fault_fops);
}

/* Module */

static int __init mshv_sim_init(void)
{
	int ret;

	ret = mshv_sim_alloc_cpu_pages();
	if (ret)
		return ret;

	mshv_sim_global = mshv_sim_create();
	if (!mshv_sim_global) {
		ret = -ENOMEM;
		goto err_free_cpu_pages;
	}

	ret = hv_sim_register(&mshv_sim_ops);
	if (ret)
		goto err_destroy_sim;

	mshv_sim_debugfs_init(mshv_sim_global);
	return 0;

err_destroy_sim:
	mshv_sim_destroy(mshv_sim_global);
err_free_cpu_pages:
	mshv_sim_free_cpu_pages();
	return ret;
}
module_init(mshv_sim_init);

static void __exit mshv_sim_exit(void)
{
	hv_sim_unregister(&mshv_sim_ops);
	debugfs_remove_recursive(mshv_sim_dir);
	mshv_sim_destroy(mshv_sim_global);
	mshv_sim_free_cpu_pages();
}
module_exit(mshv_sim_exit);

MODULE_DESCRIPTION("Test-only Hyper-V hypervisor simulator for /dev/mshv");
MODULE_LICENSE("GPL");
