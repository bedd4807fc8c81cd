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
 *   mapped_pages     r   4 KiB guest pages mapped in all child SLATs
 *   vps              r   live virtual processors of all partitions
 *   state_pages      r   VP state pages (register, intercept message)
 *                        the simulator holds
 *   ports            r   doorbell ports the root created and did not delete
 *   connections      r   connections of child partitions to ports
 *   doorbells        r   guest writes that rang a doorbell
 *   scanned_vectors  r   vectors dispatches took from register pages
 *   lps              r   logical processors (the boot processor and those
 *                        added with HvAddLogicalProcessor)
 *   root_vps         r   the root's own virtual processors
 *   gpa_map          r   "ID MAPPED LARGE NOACCESS SLAT INTERCEPTS" header,
 *                        then one line per child partition
 *   guest_access     rw  "PT_ID GPA LEN OP [BYTE]" accesses guest memory
 *                        as a virtual processor; reading shows the outcome
 *   pin_baseline     rw  "UADDR SIZE" times pinning the writer's memory;
 *                        reading shows the nanoseconds it took
 *   hypercalls       r   "0x%04x CALLS NS" per hypercall code seen: calls
 *                        and the nanoseconds spent in them
 *   hv_time          r   "NAME VALUE" lines: the time the simulated
 *                        hypervisor spent in hypercalls, in its own
 *                        scheduler and in synthetic MSR accesses, their
 *                        counts, and total_ns, their sum (time the root
 *                        would not spend in its kernel on Hyper-V)
 *   trace            rw  "on", "off" or "clear"; reading lists the last
 *                        hypercalls and intercept messages (trace.c)
 *   fault            rw  "CODE NTH STATUS" arms a one-shot fault,
 *                        "clear" disarms all; reading lists armed faults
 *                        as "CODE REMAINING STATUS"
 *   create_pages     rw  root-pool pages HvCreatePartition needs
 *   init_pages       rw  child-pool pages HvInitializePartition needs
 *   max_reps         rw  most reps per rep hypercall (0: no limit)
 *   vp_pages         rw  pool pages HvCreateVp needs
 *   lp_pages         rw  root-pool pages HvAddLogicalProcessor needs
 *   scheduler_type   rw  scheduler type HvGetSystemProperty reports
 *   vmm_caps         rw  VMM capability bits the root is told about
 *   async_property_ms rw when not 0, HvSetPartitionProperty on a child
 *                        returns HV_STATUS_CALL_PENDING and completes
 *                        this many milliseconds later
 *   fast_injection   rw  1: offer interrupt injection through the
 *                        register page (CPUID), 0: do not
 *   signal_bitset    rw  1: signal runnable VPs with VP set scheduler
 *                        messages, 0: with VP pair messages
 *   root             rw  1: report a root partition, 0: do not
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/hypervisor.h>
#include <hyperv/hv_seam.h>

#include "sim.h"

/* Longest command accepted by a debugfs file, including the newline. */
#define MSHV_SIM_CMD_MAX	64
/* Most bytes one guest_access command reads or writes. */
#define MSHV_SIM_GUEST_ACCESS_MAX	PAGE_SIZE
/* Pages pinned per pin_user_pages_fast() call by pin_baseline. */
#define MSHV_SIM_PIN_BATCH	4096

/* The instance behind the seam; set before registration, never changed. */
static struct mshv_sim *mshv_sim_global;
/* Value reported by ->root_partition(); READ_ONCE/WRITE_ONCE, no lock. */
static u32 mshv_sim_root = 1;
static struct dentry *mshv_sim_dir;
/* Nanoseconds the last pin_baseline pinning took; READ/WRITE_ONCE. */
static u64 mshv_sim_pin_ns;

/**
 * struct mshv_sim_guest_result - outcome of the last guest_access command
 * @valid: a command has completed
 * @intercepted: the SLAT stopped it, as described by @fault
 * @acc: kind of access
 * @len: bytes accessed (all of them unless @intercepted)
 * @fault: the intercept
 * @data: the bytes read or fetched
 */
struct mshv_sim_guest_result {
	bool valid;
	bool intercepted;
	enum mshv_sim_access acc;
	u32 len;
	struct mshv_sim_gpa_fault fault;
	u8 data[MSHV_SIM_GUEST_ACCESS_MAX];
};

/* Serializes guest_access commands and guards mshv_sim_guest_last. */
static DEFINE_MUTEX(mshv_sim_guest_lock);
static struct mshv_sim_guest_result mshv_sim_guest_last;

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

static u64 mshv_sim_ops_get_msr(unsigned int reg)
{
	return mshv_sim_get_msr(mshv_sim_global, reg);
}

static void mshv_sim_ops_set_msr(unsigned int reg, u64 value)
{
	mshv_sim_set_msr(mshv_sim_global, reg, value);
}

static void mshv_sim_ops_set_handler(void (*handler)(void))
{
	mshv_sim_set_handler(mshv_sim_global, handler);
}

static u32 mshv_sim_ops_features_ecx(void)
{
	if (!mshv_sim_get_knob(mshv_sim_global, MSHV_SIM_KNOB_FAST_INJECTION))
		return 0;
	return HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE;
}

/*
 * The simulated hypervisor recommends against auto-EOI, as Hyper-V versions
 * that deprecate it do: the root then ends each SynIC interrupt itself.
 */
static u32 mshv_sim_ops_hints(void)
{
	return HV_DEPRECATING_AEOI_RECOMMENDED;
}

/* The simulated root partition runs its VP n on its CPU n. */
static u32 mshv_sim_ops_vp_index(unsigned int cpu)
{
	return cpu < nr_cpu_ids ? cpu : VP_INVAL;
}

static const struct hv_sim_ops mshv_sim_ops = {
	.owner = THIS_MODULE,
	.hypercall = mshv_sim_ops_hypercall,
	.input_page = mshv_sim_ops_input_page,
	.output_page = mshv_sim_ops_output_page,
	.root_partition = mshv_sim_ops_root_partition,
	.get_msr = mshv_sim_ops_get_msr,
	.set_msr = mshv_sim_ops_set_msr,
	.set_handler = mshv_sim_ops_set_handler,
	.features_ecx = mshv_sim_ops_features_ecx,
	.hints = mshv_sim_ops_hints,
	.vp_index = mshv_sim_ops_vp_index,
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
	{ "mapped_pages", offsetof(struct mshv_sim_stats, mapped_pages) },
	{ "vps", offsetof(struct mshv_sim_stats, vps) },
	{ "state_pages", offsetof(struct mshv_sim_stats, state_pages) },
	{ "ports", offsetof(struct mshv_sim_stats, ports) },
	{ "connections", offsetof(struct mshv_sim_stats, connections) },
	{ "doorbells", offsetof(struct mshv_sim_stats, doorbells) },
	{ "scanned_vectors", offsetof(struct mshv_sim_stats, scanned_vectors) },
	{ "lps", offsetof(struct mshv_sim_stats, lps) },
	{ "root_vps", offsetof(struct mshv_sim_stats, root_vps) },
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
	{ "vp_pages", MSHV_SIM_KNOB_VP_PAGES },
	{ "scheduler_type", MSHV_SIM_KNOB_SCHEDULER },
	{ "vmm_caps", MSHV_SIM_KNOB_VMM_CAPS },
	{ "async_property_ms", MSHV_SIM_KNOB_ASYNC_MS },
	{ "fast_injection", MSHV_SIM_KNOB_FAST_INJECTION },
	{ "signal_bitset", MSHV_SIM_KNOB_SIGNAL_BITSET },
	{ "lp_pages", MSHV_SIM_KNOB_LP_PAGES },
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

/* debugfs: the simulated processor, as the root's properties report it */

/**
 * struct mshv_sim_cpu_file - a read-only debugfs file of the processor model
 * @name: file name
 * @bank: processor feature bank it shows, or -1 for the xsave features
 */
struct mshv_sim_cpu_file {
	const char *name;
	int bank;
};

static struct mshv_sim_cpu_file mshv_sim_cpu_files[] = {
	{ "processor_features0", 0 },
	{ "processor_features1", 1 },
	{ "processor_xsave_features", -1 },
};

static int mshv_sim_cpu_get(void *data, u64 *val)
{
	const struct mshv_sim_cpu_file *file = data;
	const struct mshv_sim_partition *root = &mshv_sim_global->root;

	/* Fixed when the instance was created: no lock needed. */
	if (file->bank < 0)
		*val = mshv_sim_xsave_features(root);
	else
		*val = mshv_sim_processor_features(root, file->bank);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(mshv_sim_cpu_fops, mshv_sim_cpu_get, NULL,
			 "%#llx\n");

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
		seq_printf(m, "0x%04x %llu %llu\n", counts[i].code,
			   counts[i].calls, counts[i].ns);
	kfree(counts);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_sim_hypercalls);

static int mshv_sim_hv_time_show(struct seq_file *m, void *unused)
{
	struct mshv_sim_hv_time t;

	mshv_sim_get_hv_time(m->private, &t);
	seq_printf(m, "hypercall_ns %llu\n", t.hypercall_ns);
	seq_printf(m, "hypercalls %llu\n", t.hypercalls);
	seq_printf(m, "sched_ns %llu\n", t.sched_ns);
	seq_printf(m, "sched_runs %llu\n", t.sched_runs);
	seq_printf(m, "msr_ns %llu\n", t.msr_ns);
	seq_printf(m, "msr_accesses %llu\n", t.msr_accesses);
	seq_printf(m, "total_ns %llu\n",
		   t.hypercall_ns + t.sched_ns + t.msr_ns);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_sim_hv_time);

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

/*
 * Split @cmd into whitespace-separated words. Return how many there are,
 * or -EINVAL if there are more than @max.
 */
static int mshv_sim_split_words(char *cmd, char **words, unsigned int max)
{
	unsigned int n = 0;
	char *word;

	while ((word = strsep(&cmd, " \t\n"))) {
		if (!*word)
			continue;
		if (n == max)
			return -EINVAL;
		words[n++] = word;
	}
	return n;
}

/* Copy a command of @len bytes written to a debugfs file into @cmd. */
static int mshv_sim_copy_cmd(char *cmd, const char __user *ubuf, size_t len)
{
	if (!len || len >= MSHV_SIM_CMD_MAX)
		return -EINVAL;
	if (copy_from_user(cmd, ubuf, len))
		return -EFAULT;
	cmd[len] = '\0';
	return 0;
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
	if (ret != ARRAY_SIZE(words))
		return -EINVAL;
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
	char cmd[MSHV_SIM_CMD_MAX];
	int ret;

	ret = mshv_sim_copy_cmd(cmd, ubuf, len);
	if (ret)
		return ret;
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

/* debugfs: guest memory */

static int mshv_sim_gpa_map_show(struct seq_file *m, void *unused)
{
	struct mshv_sim_slat_info info;
	u64 id = 0;

	seq_puts(m, "ID MAPPED LARGE NOACCESS SLAT INTERCEPTS\n");
	while (!mshv_sim_next_slat_info(m->private, id, &info)) {
		seq_printf(m, "%llu %llu %llu %llu %llu %llu\n", info.id,
			   info.mapped_pages, info.large_entries,
			   info.noaccess_pages, info.slat_pages,
			   info.intercepts);
		id = info.id + 1;
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mshv_sim_gpa_map);

static const char mshv_sim_access_letters[] = { 'r', 'w', 'x' };

static const char *const mshv_sim_fault_reasons[] = {
	[MSHV_SIM_GPA_UNMAPPED] = "unmapped",
	[MSHV_SIM_GPA_NO_ACCESS] = "no_access",
	[MSHV_SIM_GPA_DENIED] = "denied",
};

static int mshv_sim_guest_access_show(struct seq_file *m, void *unused)
{
	const struct mshv_sim_guest_result *res = &mshv_sim_guest_last;
	u32 i;

	mutex_lock(&mshv_sim_guest_lock);
	if (!res->valid)
		goto out_unlock;
	if (res->intercepted) {
		seq_printf(m, "intercept 0x%llx %c %s\n", res->fault.gpa,
			   mshv_sim_access_letters[res->fault.access],
			   mshv_sim_fault_reasons[res->fault.reason]);
		goto out_unlock;
	}
	seq_puts(m, "ok");
	if (res->acc != MSHV_SIM_ACCESS_WRITE) {
		seq_putc(m, ' ');
		for (i = 0; i < res->len; i++)
			seq_printf(m, "%02x", res->data[i]);
	}
	seq_putc(m, '\n');
out_unlock:
	mutex_unlock(&mshv_sim_guest_lock);
	return 0;
}

static int mshv_sim_guest_access_open(struct inode *inode, struct file *file)
{
	return single_open(file, mshv_sim_guest_access_show, inode->i_private);
}

/**
 * struct mshv_sim_guest_cmd - a parsed guest_access command
 * @pt_id: child partition id
 * @gpa: guest physical address
 * @len: bytes to access, 1 to MSHV_SIM_GUEST_ACCESS_MAX
 * @acc: kind of access
 * @fill: byte a write stores
 */
struct mshv_sim_guest_cmd {
	u64 pt_id;
	u64 gpa;
	u32 len;
	enum mshv_sim_access acc;
	u8 fill;
};

static int mshv_sim_parse_access(const char *word, enum mshv_sim_access *acc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mshv_sim_access_letters); i++) {
		if (word[0] == mshv_sim_access_letters[i] && !word[1]) {
			*acc = i;
			return 0;
		}
	}
	return -EINVAL;
}

/* Parse "PT_ID GPA LEN OP [BYTE]"; BYTE comes with, and only with, w. */
static int mshv_sim_parse_guest_cmd(char *line, struct mshv_sim_guest_cmd *cmd)
{
	char *words[5];
	int nr;

	nr = mshv_sim_split_words(line, words, ARRAY_SIZE(words));
	if (nr < 4)
		return -EINVAL;
	if (kstrtou64(words[0], 0, &cmd->pt_id) ||
	    kstrtou64(words[1], 0, &cmd->gpa) ||
	    kstrtou32(words[2], 0, &cmd->len) ||
	    mshv_sim_parse_access(words[3], &cmd->acc))
		return -EINVAL;
	if (!cmd->len || cmd->len > MSHV_SIM_GUEST_ACCESS_MAX)
		return -EINVAL;
	cmd->fill = 0;
	if (cmd->acc != MSHV_SIM_ACCESS_WRITE)
		return nr == 4 ? 0 : -EINVAL;
	if (nr != 5 || kstrtou8(words[4], 0, &cmd->fill))
		return -EINVAL;
	return 0;
}

/* Run @cmd on @sim and record its outcome; the caller holds the mutex. */
static int mshv_sim_run_guest_cmd(struct mshv_sim *sim,
				  const struct mshv_sim_guest_cmd *cmd)
{
	struct mshv_sim_guest_result *res = &mshv_sim_guest_last;
	struct mshv_sim_gpa_fault fault = {};
	u8 *buf;
	int ret;

	lockdep_assert_held(&mshv_sim_guest_lock);

	buf = kmalloc(cmd->len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	memset(buf, cmd->fill, cmd->len);
	ret = mshv_sim_guest_access(sim, cmd->pt_id, cmd->gpa, buf, cmd->len,
				    cmd->acc, &fault);
	if (ret && ret != -EFAULT)
		goto out_free;

	res->valid = true;
	res->intercepted = ret == -EFAULT;
	res->acc = cmd->acc;
	res->len = cmd->len;
	res->fault = fault;
	if (!ret && cmd->acc != MSHV_SIM_ACCESS_WRITE)
		memcpy(res->data, buf, cmd->len);
	ret = 0;
out_free:
	kfree(buf);
	return ret;
}

static ssize_t mshv_sim_guest_access_write(struct file *file,
					   const char __user *ubuf,
					   size_t len, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	struct mshv_sim_guest_cmd cmd;
	char line[MSHV_SIM_CMD_MAX];
	int ret;

	ret = mshv_sim_copy_cmd(line, ubuf, len);
	if (ret)
		return ret;
	ret = mshv_sim_parse_guest_cmd(line, &cmd);
	if (ret)
		return ret;

	mutex_lock(&mshv_sim_guest_lock);
	ret = mshv_sim_run_guest_cmd(m->private, &cmd);
	mutex_unlock(&mshv_sim_guest_lock);
	return ret ? ret : len;
}

static const struct file_operations mshv_sim_guest_access_fops = {
	.owner = THIS_MODULE,
	.open = mshv_sim_guest_access_open,
	.read = seq_read,
	.write = mshv_sim_guest_access_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* debugfs: pinning baseline for benchmarks */

/*
 * Pin the @nr_pages pages at @uaddr of the current process in batches,
 * holding every pin, into @pages. Return how many were pinned (all of
 * them, or fewer with *@ret set to the error).
 */
static unsigned long mshv_sim_pin_range(unsigned long uaddr,
					unsigned long nr_pages,
					struct page **pages, int *ret)
{
	unsigned long done = 0;
	long n;

	*ret = 0;
	while (done < nr_pages) {
		if (fatal_signal_pending(current)) {
			*ret = -EINTR;
			break;
		}
		n = pin_user_pages_fast(uaddr + done * PAGE_SIZE,
					min(nr_pages - done,
					    (unsigned long)MSHV_SIM_PIN_BATCH),
					FOLL_WRITE | FOLL_LONGTERM,
					pages + done);
		if (n <= 0) {
			*ret = n ? n : -EFAULT;
			break;
		}
		done += n;
	}
	return done;
}

/*
 * Time pinning @size bytes at @uaddr, as a pinned memory region would,
 * then unpin them. Return 0 and the nanoseconds in *@ns, or an error.
 */
static int mshv_sim_pin_baseline(u64 uaddr, u64 size, u64 *ns)
{
	unsigned long nr_pages, pinned;
	struct page **pages;
	u64 start;
	int ret;

	if (!size || !PAGE_ALIGNED(uaddr) || !PAGE_ALIGNED(size) ||
	    uaddr + size < uaddr)
		return -EINVAL;
	nr_pages = size >> PAGE_SHIFT;
	if (nr_pages > totalram_pages())
		return -EINVAL;

	pages = kvmalloc_array(nr_pages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;
	start = ktime_get_ns();
	pinned = mshv_sim_pin_range(uaddr, nr_pages, pages, &ret);
	*ns = ktime_get_ns() - start;
	unpin_user_pages(pages, pinned);
	kvfree(pages);
	return ret;
}

static ssize_t mshv_sim_pin_baseline_write(struct file *file,
					   const char __user *ubuf,
					   size_t len, loff_t *ppos)
{
	char line[MSHV_SIM_CMD_MAX];
	u64 uaddr, size, ns;
	char *words[2];
	int ret;

	ret = mshv_sim_copy_cmd(line, ubuf, len);
	if (ret)
		return ret;
	if (mshv_sim_split_words(line, words, ARRAY_SIZE(words)) != 2 ||
	    kstrtou64(words[0], 0, &uaddr) || kstrtou64(words[1], 0, &size))
		return -EINVAL;

	ret = mshv_sim_pin_baseline(uaddr, size, &ns);
	if (ret)
		return ret;
	WRITE_ONCE(mshv_sim_pin_ns, ns);
	return len;
}

static ssize_t mshv_sim_pin_baseline_read(struct file *file, char __user *ubuf,
					  size_t len, loff_t *ppos)
{
	char text[24];
	int n;

	n = scnprintf(text, sizeof(text), "%llu\n", READ_ONCE(mshv_sim_pin_ns));
	return simple_read_from_buffer(ubuf, len, ppos, text, n);
}

static const struct file_operations mshv_sim_pin_baseline_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = mshv_sim_pin_baseline_read,
	.write = mshv_sim_pin_baseline_write,
	.llseek = default_llseek,
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
	for (i = 0; i < ARRAY_SIZE(mshv_sim_cpu_files); i++)
		debugfs_create_file_unsafe(mshv_sim_cpu_files[i].name, 0444,
					   mshv_sim_dir,
					   &mshv_sim_cpu_files[i],
					   &mshv_sim_cpu_fops);
	debugfs_create_file_unsafe("root", 0644, mshv_sim_dir, NULL,
				   &mshv_sim_root_fops);
	debugfs_create_file("hypercalls", 0444, mshv_sim_dir, sim,
			    &mshv_sim_hypercalls_fops);
	debugfs_create_file("hv_time", 0444, mshv_sim_dir, sim,
			    &mshv_sim_hv_time_fops);
	mshv_sim_trace_debugfs(mshv_sim_dir);
	debugfs_create_file("fault", 0644, mshv_sim_dir, sim,
			    &mshv_sim_fault_fops);
	debugfs_create_file("gpa_map", 0444, mshv_sim_dir, sim,
			    &mshv_sim_gpa_map_fops);
	debugfs_create_file("guest_access", 0644, mshv_sim_dir, sim,
			    &mshv_sim_guest_access_fops);
	debugfs_create_file("pin_baseline", 0644, mshv_sim_dir, NULL,
			    &mshv_sim_pin_baseline_fops);
}

/* Module */

static int __init mshv_sim_init(void)
{
	int ret;

	/*
	 * Under Hyper-V the seam belongs to the real hypervisor: a simulator
	 * taking it over would hand the root's driver a fake one.
	 */
	if (hypervisor_is_type(X86_HYPER_MS_HYPERV)) {
		pr_err("running on Hyper-V: the simulator is for machines without it\n");
		return -ENODEV;
	}

	ret = mshv_sim_alloc_cpu_pages();
	if (ret)
		return ret;

	mshv_sim_global = mshv_sim_create();
	if (!mshv_sim_global) {
		ret = -ENOMEM;
		goto err_free_cpu_pages;
	}

	ret = mshv_sim_sched_start(mshv_sim_global);
	if (ret)
		goto err_destroy_sim;

	ret = hv_sim_register(&mshv_sim_ops);
	if (ret)
		goto err_stop_sched;

	mshv_sim_debugfs_init(mshv_sim_global);
	return 0;

err_stop_sched:
	mshv_sim_sched_stop(mshv_sim_global);
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
	mshv_sim_sched_stop(mshv_sim_global);
	mshv_sim_destroy(mshv_sim_global);
	mshv_sim_trace_free();
	mshv_sim_free_cpu_pages();
}
module_exit(mshv_sim_exit);

MODULE_DESCRIPTION("Test-only Hyper-V hypervisor simulator for /dev/mshv");
/* A test module: loading it taints the kernel with TAINT_TEST. */
MODULE_INFO(test, "Y");
MODULE_LICENSE("GPL");
