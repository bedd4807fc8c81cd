// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of guest memory on /dev/mshv: MSHV_SET_GUEST_MEMORY (map and unmap
 * of regions, pinned and movable) and MSHV_GET_GPAP_ACCESS_BITMAP.
 *
 * Everything is skipped when /dev/mshv does not exist. Checks that need the
 * test-only hypervisor simulator (/sys/kernel/debug/mshv_sim) are skipped on
 * a real Hyper-V root; there, the guest's view of its memory comes from the
 * simulator's "guest_access" file, which makes the simulated guest read,
 * write or execute its memory through the simulated SLAT exactly as the
 * hypervisor would.
 *
 * The "mem" tests run twice, with partitions whose memory is pinned (chosen
 * through the driver's debugfs "pin_memory") and movable (the default). A
 * movable region is not mapped in the hypervisor at all until the guest
 * faults on it, and nothing in this test makes the driver fault memory
 * in, so the guest always meets an unmapped-GPA intercept there, and
 * registering a movable region makes no hypercall.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "mshv_test.h"

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB		(21 << 26)
#endif

#define PAGE_4K			4096ULL
#define SIZE_2M			(2ULL << 20)
#define PAGES(bytes)		((bytes) / PAGE_4K)
#define GPA(gfn)		((gfn) * PAGE_4K)

/* Region flags of MSHV_SET_GUEST_MEMORY. */
enum {
	MEM_W = 1 << MSHV_SET_MEM_BIT_WRITABLE,
	MEM_X = 1 << MSHV_SET_MEM_BIT_EXECUTABLE,
	MEM_RW = MEM_W,
	MEM_RWX = MEM_W | MEM_X,
};

/* The lowest guest page frame the hypervisor cannot map (GPA 2^52). */
#define GFN_LIMIT		0x10000000000ULL

/* Most partitions the tests expect to see at once. */
#define MAX_PARTITIONS		256

/* Longest guest access the tests compare byte for byte. */
#define CMP_MAX			SIM_GUEST_ACCESS_MAX
#define RESULT_MAX		(2 * CMP_MAX + 64)

/* The simulator's tunables as they were when the program started. */
static struct sim_knobs start_knobs;
static bool start_knobs_saved;

static void restore_start_state(void)
{
	if (start_knobs_saved) {
		sim_fault_clear();
		sim_restore_knobs(&start_knobs);
	}
}

enum backing {
	BACKING_4K,	/* anonymous memory, never huge */
	BACKING_THP,	/* anonymous memory in transparent huge pages */
	BACKING_HUGETLB,	/* 2 MiB hugetlbfs pages */
};

/* VMM memory that backs guest memory. */
struct vmm_mem {
	unsigned char *addr;
	size_t size;
};

/* Fill @len bytes at @p with bytes that depend on @seed. */
static void fill_pattern(unsigned char *p, size_t len, unsigned int seed)
{
	__u32 x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = x >> 16;
	}
}

/*
 * Map @size bytes of VMM memory, 2 MiB-aligned, of the given backing, and
 * fill it with a pattern (which also faults it in). Returns false, with
 * errno set, if the memory could not be had.
 */
static bool vmm_alloc(struct vmm_mem *m, size_t size, enum backing backing,
		      unsigned int seed)
{
	size_t span = size + SIZE_2M;
	unsigned char *p, *start;

	m->addr = NULL;
	m->size = size;
	if (backing == BACKING_HUGETLB) {
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			 MAP_HUGE_2MB, -1, 0);
		if (p == MAP_FAILED)
			return false;
		m->addr = p;
		goto fill;
	}

	p = mmap(NULL, span, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return false;
	start = (unsigned char *)(((uintptr_t)p + SIZE_2M - 1) &
				  ~(uintptr_t)(SIZE_2M - 1));
	if (start > p)
		munmap(p, start - p);
	munmap(start + size, p + span - (start + size));
	if (madvise(start, size, backing == BACKING_THP ? MADV_HUGEPAGE :
		    MADV_NOHUGEPAGE)) {
		munmap(start, size);
		return false;
	}
	m->addr = start;
fill:
	fill_pattern(m->addr, size, seed);
	return true;
}

static void vmm_free(struct vmm_mem *m)
{
	if (m->addr)
		munmap(m->addr, m->size);
	m->addr = NULL;
}

/*
 * Pins taken and not yet released, system-wide, from /proc/vmstat. The
 * counters are folded from the per-CPU ones first, so that they are exact;
 * false if that cannot be done.
 */
static bool outstanding_pins(__s64 *pins)
{
	unsigned long long acquired = 0, released = 0, v;
	int have = 0, fd;
	char name[64];
	FILE *f;

	fd = open("/proc/sys/vm/stat_refresh", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (write(fd, "1\n", 2) != 2) {
		close(fd);
		return false;
	}
	close(fd);
	f = fopen("/proc/vmstat", "r");
	if (!f)
		return false;
	while (fscanf(f, "%63s %llu", name, &v) == 2) {
		if (!strcmp(name, "nr_foll_pin_acquired")) {
			acquired = v;
			have++;
		} else if (!strcmp(name, "nr_foll_pin_released")) {
			released = v;
			have++;
		}
	}
	fclose(f);
	*pins = (__s64)(acquired - released);
	return have == 2;
}

static void to_hex(const unsigned char *p, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * len] = '\0';
}

/*
 * Create a partition and find out its hypervisor id, the one new id in the
 * simulator's (or the driver's) list of partitions. *@id is 0 when neither
 * list is available.
 */
static int create_partition_id(struct __test_metadata *_metadata, int dev,
			       __u64 flags, __u64 *id)
{
	__u64 before[MAX_PARTITIONS], after[MAX_PARTITIONS];
	int nb = -1, na, i, j, pt;

	*id = 0;
	if (sim_present() || mshv_dbg_present()) {
		nb = mshv_partition_ids(before, MAX_PARTITIONS);
		EXPECT_LE(0, nb) TH_LOG("listing partitions: %s",
					strerror(-nb));
	}
	pt = mshv_create_partition(dev, flags, MSHV_PT_ISOLATION_NONE);
	if (pt < 0 || nb < 0)
		return pt;
	na = mshv_partition_ids(after, MAX_PARTITIONS);
	EXPECT_EQ(nb + 1, na);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j == nb)
			*id = after[i];
	}
	EXPECT_NE(0ULL, *id);
	return pt;
}

/* The simulator's count of mapped 4 KiB pages, over all partitions. */
static __u64 sim_mapped(struct __test_metadata *_metadata)
{
	__u64 n = 0;

	EXPECT_EQ(0, sim_read_u64("mapped_pages", &n));
	return n;
}

static bool sim_has_mapped_pages(void)
{
	return !access(MSHV_SIM_DIR "/mapped_pages", R_OK);
}

/* The driver's statistics of partition @id; all zero if it is not listed. */
static struct mshv_dbg_stats dbg_stats(struct __test_metadata *_metadata,
				       __u64 id)
{
	struct mshv_dbg_stats st = { 0 };
	int ret = mshv_dbg_stats(id, &st);

	if (ret != -ENOENT)
		EXPECT_EQ(0, ret) TH_LOG("driver statistics: %s",
					 strerror(-ret));
	return st;
}

static struct sim_gpa_map gpa_map(struct __test_metadata *_metadata, __u64 id)
{
	struct sim_gpa_map map = { 0 };
	int ret = sim_gpa_map(id, &map);

	EXPECT_EQ(0, ret) TH_LOG("GPA map of partition %llu: %s",
				 (unsigned long long)id, strerror(-ret));
	return map;
}

/* Hypercalls of @code the simulator has seen so far. */
static __u64 hypercalls(struct __test_metadata *_metadata, unsigned int code)
{
	__u64 count = 0;

	EXPECT_EQ(0, sim_hypercall_count(code, &count));
	return count;
}

/* The guest reads @len bytes at @gpa and must see @expect. */
static void expect_guest_sees(struct __test_metadata *_metadata, __u64 id,
			      __u64 gpa, const unsigned char *expect,
			      unsigned int len)
{
	static char res[RESULT_MAX], hex[2 * CMP_MAX + 1];

	ASSERT_GE((unsigned int)CMP_MAX, len);
	ASSERT_EQ(0, sim_guest_access(id, gpa, len, 'r', 0, res, sizeof(res)));
	to_hex(expect, len, hex);
	ASSERT_EQ(0, strncmp(res, "ok ", 3)) TH_LOG("read at %#llx: %s",
						    (unsigned long long)gpa,
						    res);
	EXPECT_STREQ(hex, res + 3) TH_LOG("read at %#llx",
					  (unsigned long long)gpa);
}

/* A guest access of kind @op at @gpa must raise an intercept for @reason. */
static void expect_intercept(struct __test_metadata *_metadata, __u64 id,
			     __u64 gpa, char op, const char *reason)
{
	char res[RESULT_MAX], want[96];

	snprintf(want, sizeof(want), "intercept 0x%llx %c %s",
		 (unsigned long long)gpa, op, reason);
	ASSERT_EQ(0, sim_guest_access(id, gpa, 8, op, 0x5a, res, sizeof(res)));
	EXPECT_STREQ(want, res);
}

/* Outcome of a one-byte guest access of kind @op at @gpa. */
static void guest_access(struct __test_metadata *_metadata, __u64 id,
			 __u64 gpa, unsigned int len, char op,
			 unsigned char byte, char *res, size_t size)
{
	ASSERT_EQ(0, sim_guest_access(id, gpa, len, op, byte, res, size));
}

/*
 * State shared by the fixtures: the partition under test, its id, and the
 * baselines that every test must get back to once the partition is gone.
 */
struct pt_state {
	int dev;
	int pt;
	__u64 id;
	bool sim;
	bool dbg;
	bool have_pins;
	__s64 pins;
	__u64 mapped;
	struct sim_counts counts;
};

/*
 * Common set-up: open the device, select pinned or movable memory, take the
 * baselines, create (and initialize) the partition. Returns false if the
 * test was skipped.
 */
static bool pt_setup(struct __test_metadata *_metadata, struct pt_state *s,
		     bool movable, __u64 pt_flags, bool initialize)
{
	s->pt = -1;
	s->dev = -1;
	if (!mshv_open_or_skip(_metadata, &s->dev))
		return false;
	if (!movable && !mshv_pin_memory_present())
		SKIP(return false, "%s not found", MSHV_DBG_PIN_MEMORY);
	s->sim = sim_present();
	s->dbg = mshv_dbg_present();
	if (s->sim) {
		ASSERT_TRUE(start_knobs_saved);
		ASSERT_EQ(0, sim_fault_clear());
		ASSERT_EQ(0, sim_restore_knobs(&start_knobs));
		ASSERT_EQ(0, sim_read_counts(&s->counts));
		if (sim_has_mapped_pages())
			s->mapped = sim_mapped(_metadata);
	}
	s->have_pins = outstanding_pins(&s->pins);

	s->pt = create_partition_id(_metadata, s->dev, pt_flags, &s->id);
	ASSERT_LE(0, s->pt);
	if (!movable)
		ASSERT_EQ(0, mshv_pin_memory(s->id));
	if (initialize)
		ASSERT_EQ(0, mshv_initialize_partition(s->pt));
	return true;
}

/* Close the partition of @s if the test has not done so already. */
static void pt_close(struct pt_state *s)
{
	close_valid(s->pt);
	s->pt = -1;
}

/*
 * Closing the partition must give everything back: no page mapped in the
 * hypervisor, no pool page held, no pin left, and the driver no longer
 * lists the partition.
 */
static void expect_all_released(struct __test_metadata *_metadata,
				const struct pt_state *s)
{
	struct mshv_dbg_stats st;
	struct sim_counts now;
	__s64 pins;

	if (s->sim) {
		if (sim_has_mapped_pages())
			EXPECT_EQ(s->mapped, sim_mapped(_metadata));
		EXPECT_EQ(0, sim_read_counts(&now));
		EXPECT_EQ(s->counts.partitions, now.partitions);
		EXPECT_EQ(s->counts.deposited_pages, now.deposited_pages);
		EXPECT_EQ(s->counts.leaked_pages, now.leaked_pages);
	}
	if (s->dbg && s->id)
		EXPECT_EQ(-ENOENT, mshv_dbg_stats(s->id, &st));
	if (s->have_pins && outstanding_pins(&pins))
		EXPECT_EQ(s->pins, pins);
}

static void pt_teardown(struct __test_metadata *_metadata, struct pt_state *s)
{
	pt_close(s);
	if (s->sim) {
		EXPECT_EQ(0, sim_fault_clear());
		EXPECT_EQ(0, sim_restore_knobs(&start_knobs));
	}
	expect_all_released(_metadata, s);
	close_valid(s->dev);
}

/*
 * A failed or undone request left nothing behind in partition @s: no region
 * in the driver, no page pinned, and (simulator) no page mapped.
 */
static void expect_no_memory(struct __test_metadata *_metadata,
			     const struct pt_state *s)
{
	struct mshv_dbg_stats st;
	struct sim_gpa_map map;
	__s64 pins;

	if (s->dbg && s->id) {
		st = dbg_stats(_metadata, s->id);
		EXPECT_EQ(0ULL, st.regions);
		EXPECT_EQ(0ULL, st.pinned_pages);
		EXPECT_EQ(0ULL, st.movable_pages);
	}
	if (s->sim && s->id) {
		map = gpa_map(_metadata, s->id);
		EXPECT_EQ(0ULL, map.mapped);
		EXPECT_EQ(0ULL, map.large);
		EXPECT_EQ(0ULL, map.noaccess);
		if (sim_has_mapped_pages())
			EXPECT_EQ(s->mapped, sim_mapped(_metadata));
	}
	if (s->have_pins && outstanding_pins(&pins))
		EXPECT_EQ(s->pins, pins);
}

/* Pages of partition @s that the simulator has mapped with any access. */
static __u64 sim_pages_of(struct __test_metadata *_metadata,
			  const struct pt_state *s)
{
	struct sim_gpa_map map = gpa_map(_metadata, s->id);

	return map.mapped + map.noaccess;
}

/* Skip the test unless the simulator is there. */
static bool need_sim(struct __test_metadata *_metadata,
		     const struct pt_state *s)
{
	if (!s->sim)
		SKIP(return false, "%s not found (needs mshv_sim and debugfs)",
		     MSHV_SIM_DIR);
	EXPECT_NE(0ULL, s->id);
	return s->id != 0;
}

/* Skip the test unless the driver publishes its statistics. */
static bool need_dbg(struct __test_metadata *_metadata,
		     const struct pt_state *s)
{
	if (!s->dbg || !s->id)
		SKIP(return false, "%s not found", MSHV_DBG_PARTITIONS);
	return true;
}

/*
 * An initialized partition that may use large pages, with pinned or movable
 * guest memory.
 */
FIXTURE(mem) {
	struct pt_state s;
};

FIXTURE_VARIANT(mem) {
	bool movable;
};

FIXTURE_VARIANT_ADD(mem, pinned) {
	.movable = false,
};

FIXTURE_VARIANT_ADD(mem, movable) {
	.movable = true,
};

FIXTURE_SETUP(mem)
{
	pt_setup(_metadata, &self->s, variant->movable,
		 1ULL << MSHV_PT_BIT_GPA_SUPER_PAGES, true);
}

FIXTURE_TEARDOWN(mem)
{
	pt_teardown(_metadata, &self->s);
}

TEST_F(mem, map_size_zero)
{
	struct vmm_mem m;

	ASSERT_TRUE(vmm_alloc(&m, 4 * PAGE_4K, BACKING_4K, 1));
	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, 0, m.addr, 0, MEM_RW));
	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, 0, m.addr, 0, 0));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

TEST_F(mem, map_size_unaligned)
{
	static const __u64 sizes[] = { 1, 100, PAGE_4K - 1, PAGE_4K + 1,
				       3 * PAGE_4K + 512 };
	struct vmm_mem m;
	unsigned int i;

	ASSERT_TRUE(vmm_alloc(&m, 4 * PAGE_4K, BACKING_4K, 1));
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, 0, m.addr,
						   sizes[i], MEM_RW))
			TH_LOG("size %llu", (unsigned long long)sizes[i]);
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

TEST_F(mem, map_uaddr_unaligned)
{
	static const unsigned int offsets[] = { 1, 8, 512, PAGE_4K - 1 };
	struct vmm_mem m;
	unsigned int i;

	ASSERT_TRUE(vmm_alloc(&m, 4 * PAGE_4K, BACKING_4K, 1));
	for (i = 0; i < ARRAY_SIZE(offsets); i++)
		EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, 0,
						   m.addr + offsets[i],
						   2 * PAGE_4K, MEM_RW))
			TH_LOG("offset %u", offsets[i]);
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

TEST_F(mem, map_unknown_flags)
{
	struct vmm_mem m;
	unsigned int bit;

	ASSERT_TRUE(vmm_alloc(&m, 4 * PAGE_4K, BACKING_4K, 1));
	for (bit = MSHV_SET_MEM_BIT_COUNT; bit < 8; bit++) {
		EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, 0, m.addr,
						   PAGE_4K, 1 << bit))
			TH_LOG("flag bit %u", bit);
		EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, 0, m.addr,
						   PAGE_4K,
						   MEM_RWX | 1 << bit))
			TH_LOG("flag bit %u", bit);
	}
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

TEST_F(mem, map_rsvd_nonzero)
{
	struct mshv_user_mem_region r;
	struct vmm_mem m;
	unsigned int i;

	ASSERT_TRUE(vmm_alloc(&m, 4 * PAGE_4K, BACKING_4K, 1));
	for (i = 0; i < sizeof(r.rsvd); i++) {
		memset(&r, 0, sizeof(r));
		r.size = PAGE_4K;
		r.userspace_addr = (uintptr_t)m.addr;
		r.flags = MEM_RW;
		r.rsvd[i] = 1;
		EXPECT_EQ(-1, ioctl(self->s.pt, MSHV_SET_GUEST_MEMORY, &r))
			TH_LOG("rsvd[%u]", i);
		EXPECT_EQ(EINVAL, errno);
	}
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

TEST_F(mem, map_gfn_wraps)
{
	struct vmm_mem m;

	ASSERT_TRUE(vmm_alloc(&m, 4 * PAGE_4K, BACKING_4K, 1));
	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, ~0ULL, m.addr,
					   PAGE_4K, MEM_RW));
	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, ~0ULL - 1, m.addr,
					   3 * PAGE_4K, MEM_RW));
	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, ~0ULL >> 12, m.addr,
					   2 * PAGE_4K, MEM_RW));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

/* GPAs stop at 2^52: neither a region there nor one crossing it is valid. */
TEST_F(mem, map_gfn_too_high)
{
	struct vmm_mem m;

	ASSERT_TRUE(vmm_alloc(&m, 4 * PAGE_4K, BACKING_4K, 1));
	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, GFN_LIMIT, m.addr,
					   PAGE_4K, MEM_RW));
	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, GFN_LIMIT - 1, m.addr,
					   2 * PAGE_4K, MEM_RW));
	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, 1ULL << 51, m.addr,
					   PAGE_4K, MEM_RW));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

TEST_F(mem, map_uaddr_wraps)
{
	void *top = (void *)(uintptr_t)(~0ULL & ~(PAGE_4K - 1));

	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, 0, top, 2 * PAGE_4K,
					   MEM_RW));
	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, 0, top, 1ULL << 40,
					   MEM_RW));
	expect_no_memory(_metadata, &self->s);
}

/* Memory the process does not have, wholly or in part. */
TEST_F(mem, map_not_in_process)
{
	struct vmm_mem m;

	ASSERT_TRUE(vmm_alloc(&m, 64 * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, munmap(m.addr + 32 * PAGE_4K, 32 * PAGE_4K));

	/* All gone. */
	EXPECT_EQ(-EFAULT, mshv_map_memory(self->s.pt, 0, m.addr + 32 * PAGE_4K,
					   16 * PAGE_4K, MEM_RW));
	/* The first half is there, the second is not. */
	EXPECT_EQ(-EFAULT, mshv_map_memory(self->s.pt, 0, m.addr,
					   64 * PAGE_4K, MEM_RW));
	/* Only the last page is missing. */
	EXPECT_EQ(-EFAULT, mshv_map_memory(self->s.pt, 0, m.addr + PAGE_4K,
					   32 * PAGE_4K, MEM_RW));
	expect_no_memory(_metadata, &self->s);

	/* The part that exists can be mapped. */
	EXPECT_EQ(0, mshv_map_memory(self->s.pt, 0, m.addr, 32 * PAGE_4K,
				     MEM_RW));
	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 0, m.addr, 32 * PAGE_4K));
	expect_no_memory(_metadata, &self->s);
	munmap(m.addr, 32 * PAGE_4K);
}

/* A writable region needs memory the VMM may write. */
TEST_F(mem, map_writable_readonly_memory)
{
	struct vmm_mem m;

	ASSERT_TRUE(vmm_alloc(&m, 16 * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, mprotect(m.addr, m.size, PROT_READ));
	EXPECT_EQ(-EFAULT, mshv_map_memory(self->s.pt, 0, m.addr, m.size,
					   MEM_RW));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

/* A read-only region may be backed by memory the VMM may only read. */
TEST_F(mem, map_readonly_memory)
{
	struct vmm_mem m;

	ASSERT_TRUE(vmm_alloc(&m, 16 * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, mprotect(m.addr, m.size, PROT_READ));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, m.addr, m.size, 0));
	if (self->s.sim) {
		if (variant->movable)
			expect_intercept(_metadata, self->s.id, GPA(3), 'r',
					 "unmapped");
		else
			expect_guest_sees(_metadata, self->s.id, GPA(3),
					  m.addr + 3 * PAGE_4K, 64);
	}
	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 0, m.addr, m.size));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

TEST_F(mem, map_overlap)
{
	static const struct {
		__u64 gfn, pages;
	} clash[] = {
		{ 16, 16 },	/* the same range */
		{ 8, 16 },	/* overlaps the start */
		{ 31, 4 },	/* overlaps the last page */
		{ 20, 2 },	/* inside */
		{ 0, 64 },	/* around */
		{ 16, 1 },	/* the first page */
	};
	struct vmm_mem a, b;
	unsigned int i;

	ASSERT_TRUE(vmm_alloc(&a, 16 * PAGE_4K, BACKING_4K, 1));
	ASSERT_TRUE(vmm_alloc(&b, 64 * PAGE_4K, BACKING_4K, 2));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 16, a.addr, a.size, MEM_RW));

	for (i = 0; i < ARRAY_SIZE(clash); i++)
		EXPECT_EQ(-EEXIST, mshv_map_memory(self->s.pt, clash[i].gfn,
						   b.addr,
						   clash[i].pages * PAGE_4K,
						   MEM_RW))
			TH_LOG("gfn %llu, %llu pages",
			       (unsigned long long)clash[i].gfn,
			       (unsigned long long)clash[i].pages);
	if (self->s.dbg)
		EXPECT_EQ(1ULL, dbg_stats(_metadata, self->s.id).regions);

	/* Neighbours on both sides are fine. */
	EXPECT_EQ(0, mshv_map_memory(self->s.pt, 0, b.addr, 16 * PAGE_4K,
				     MEM_RW));
	EXPECT_EQ(0, mshv_map_memory(self->s.pt, 32, b.addr + 16 * PAGE_4K,
				     16 * PAGE_4K, MEM_RW));
	if (self->s.dbg)
		EXPECT_EQ(3ULL, dbg_stats(_metadata, self->s.id).regions);
	if (self->s.sim)
		EXPECT_EQ(variant->movable ? 0 : 48ULL,
			  sim_pages_of(_metadata, &self->s));

	/* A gap between two regions can be filled exactly. */
	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 16, a.addr, a.size));
	EXPECT_EQ(0, mshv_map_memory(self->s.pt, 16, a.addr, a.size, MEM_RW));

	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 0, b.addr, 16 * PAGE_4K));
	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 32, b.addr + 16 * PAGE_4K,
				       16 * PAGE_4K));
	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 16, a.addr, a.size));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&a);
	vmm_free(&b);
}

/* Unmap removes only a region that matches in size, GPA and address. */
TEST_F(mem, unmap_not_matching)
{
	struct vmm_mem m, other;

	ASSERT_TRUE(vmm_alloc(&m, 16 * PAGE_4K, BACKING_4K, 1));
	ASSERT_TRUE(vmm_alloc(&other, 16 * PAGE_4K, BACKING_4K, 2));

	/* Nothing mapped at all. */
	EXPECT_EQ(-EINVAL, mshv_unmap_memory(self->s.pt, 16, m.addr, m.size));

	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 16, m.addr, m.size, MEM_RW));
	EXPECT_EQ(-EINVAL, mshv_unmap_memory(self->s.pt, 16, m.addr,
					     8 * PAGE_4K));
	EXPECT_EQ(-EINVAL, mshv_unmap_memory(self->s.pt, 16, m.addr,
					     32 * PAGE_4K));
	EXPECT_EQ(-EINVAL, mshv_unmap_memory(self->s.pt, 17, m.addr, m.size));
	EXPECT_EQ(-EINVAL, mshv_unmap_memory(self->s.pt, 15, m.addr, m.size));
	EXPECT_EQ(-EINVAL, mshv_unmap_memory(self->s.pt, 16, m.addr + PAGE_4K,
					     15 * PAGE_4K));
	EXPECT_EQ(-EINVAL, mshv_unmap_memory(self->s.pt, 16, other.addr,
					     m.size));
	EXPECT_EQ(-EINVAL, mshv_unmap_memory(self->s.pt, 1000, m.addr,
					     m.size));

	/* The region is still there, whole. */
	if (self->s.dbg)
		EXPECT_EQ(1ULL, dbg_stats(_metadata, self->s.id).regions);
	if (self->s.sim)
		EXPECT_EQ(variant->movable ? 0 : 16ULL,
			  sim_pages_of(_metadata, &self->s));
	EXPECT_EQ(-EEXIST, mshv_map_memory(self->s.pt, 16, other.addr,
					   PAGE_4K, MEM_RW));

	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 16, m.addr, m.size));
	EXPECT_EQ(-EINVAL, mshv_unmap_memory(self->s.pt, 16, m.addr, m.size));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
	vmm_free(&other);
}

/* With UNMAP the other flag bits do not matter. */
TEST_F(mem, unmap_ignores_access_flags)
{
	struct vmm_mem m;

	ASSERT_TRUE(vmm_alloc(&m, 8 * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, m.addr, m.size, 0));
	EXPECT_EQ(0, mshv_map_memory(self->s.pt, 0, m.addr, m.size,
				     MEM_RWX | 1 << MSHV_SET_MEM_BIT_UNMAP));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

TEST_F(mem, bad_arg_pointer)
{
	void *none = mmap(NULL, PAGE_4K, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(-1, ioctl(self->s.pt, MSHV_SET_GUEST_MEMORY, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->s.pt, MSHV_SET_GUEST_MEMORY, none));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->s.pt, MSHV_GET_GPAP_ACCESS_BITMAP, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->s.pt, MSHV_GET_GPAP_ACCESS_BITMAP, none));
	EXPECT_EQ(EFAULT, errno);
	munmap(none, PAGE_4K);
}

/* Map, check, unmap, over and over, with different access flags. */
TEST_F(mem, map_unmap_cycles)
{
	static const __u8 flags[] = { MEM_RW, 0, MEM_RWX, MEM_X };
	struct vmm_mem m;
	unsigned int i;

	ASSERT_TRUE(vmm_alloc(&m, 32 * PAGE_4K, BACKING_4K, 1));
	for (i = 0; i < 40; i++) {
		ASSERT_EQ(0, mshv_map_memory(self->s.pt, 64, m.addr, m.size,
					     flags[i % ARRAY_SIZE(flags)]))
			TH_LOG("cycle %u", i);
		if (self->s.sim && i % 8 == 0) {
			EXPECT_EQ(variant->movable ? 0 : 32ULL,
				  sim_pages_of(_metadata, &self->s));
			if (!variant->movable)
				expect_guest_sees(_metadata, self->s.id,
						  GPA(64 + i % 32),
						  m.addr + i % 32 * PAGE_4K,
						  32);
		}
		ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 64, m.addr, m.size))
			TH_LOG("cycle %u", i);
	}
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

/* After an unmap, the same GPAs can be backed by other memory. */
TEST_F(mem, remap_other_memory)
{
	struct vmm_mem a, b;

	ASSERT_TRUE(vmm_alloc(&a, 8 * PAGE_4K, BACKING_4K, 1));
	ASSERT_TRUE(vmm_alloc(&b, 8 * PAGE_4K, BACKING_4K, 2));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 8, a.addr, a.size, MEM_RW));
	if (self->s.sim && !variant->movable)
		expect_guest_sees(_metadata, self->s.id, GPA(9),
				  a.addr + PAGE_4K, 64);
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 8, a.addr, a.size));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 8, b.addr, b.size, MEM_RW));
	if (self->s.sim && !variant->movable)
		expect_guest_sees(_metadata, self->s.id, GPA(9),
				  b.addr + PAGE_4K, 64);
	/* The same memory may also back two regions at once. */
	EXPECT_EQ(0, mshv_map_memory(self->s.pt, 100, b.addr, b.size, MEM_RW));
	if (self->s.sim && !variant->movable)
		expect_guest_sees(_metadata, self->s.id, GPA(101),
				  b.addr + PAGE_4K, 64);
	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 8, b.addr, b.size));
	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 100, b.addr, b.size));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&a);
	vmm_free(&b);
}

#define MANY_REGIONS	64

TEST_F(mem, many_regions)
{
	struct vmm_mem m;
	__u64 pages = 0;
	unsigned int i;

	ASSERT_TRUE(vmm_alloc(&m, MANY_REGIONS * 4 * PAGE_4K, BACKING_4K, 1));
	for (i = 0; i < MANY_REGIONS; i++) {
		/* 1 to 4 pages, with holes between the regions. */
		ASSERT_EQ(0, mshv_map_memory(self->s.pt, 8 * i,
					     m.addr + 4 * i * PAGE_4K,
					     (i % 4 + 1) * PAGE_4K, MEM_RW))
			TH_LOG("region %u", i);
		pages += i % 4 + 1;
	}
	if (self->s.dbg) {
		struct mshv_dbg_stats st = dbg_stats(_metadata, self->s.id);

		EXPECT_EQ((__u64)MANY_REGIONS, st.regions);
		EXPECT_EQ(variant->movable ? 0 : pages, st.pinned_pages);
	}
	if (self->s.sim) {
		EXPECT_EQ(variant->movable ? 0 : pages,
			  sim_pages_of(_metadata, &self->s));
		if (!variant->movable)
			expect_guest_sees(_metadata, self->s.id,
					  GPA(8 * 13 + 1),
					  m.addr + (4 * 13 + 1) * PAGE_4K, 64);
		expect_intercept(_metadata, self->s.id, GPA(8 * 13 + 2), 'r',
				 "unmapped");
	}
	/* Odd ones first, then even ones from the top. */
	for (i = 1; i < MANY_REGIONS; i += 2)
		EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 8 * i,
					       m.addr + 4 * i * PAGE_4K,
					       (i % 4 + 1) * PAGE_4K));
	if (self->s.dbg)
		EXPECT_EQ((__u64)MANY_REGIONS / 2,
			  dbg_stats(_metadata, self->s.id).regions);
	for (i = MANY_REGIONS; i >= 2; i -= 2)
		EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 8 * (i - 2),
					       m.addr + 4 * (i - 2) * PAGE_4K,
					       ((i - 2) % 4 + 1) * PAGE_4K));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

/* The driver's statistics follow the regions of the partition. */
TEST_F(mem, driver_stats)
{
	struct mshv_dbg_stats st;
	struct vmm_mem m;

	if (!need_dbg(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, 256 * PAGE_4K, BACKING_4K, 1));
	st = dbg_stats(_metadata, self->s.id);
	EXPECT_EQ(0ULL, st.regions);

	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, m.addr, m.size, MEM_RW));
	st = dbg_stats(_metadata, self->s.id);
	EXPECT_EQ(1ULL, st.regions);
	EXPECT_EQ(variant->movable ? 0ULL : 256ULL, st.pinned_pages);
	/* Nothing has been faulted in. */
	EXPECT_EQ(0ULL, st.movable_pages);
	EXPECT_LT(0ULL, st.tracking_bytes);

	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 0, m.addr, m.size));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

/* Pinned regions hold one pin per page, and give them all back. */
TEST_F(mem, pins_follow_regions)
{
	struct vmm_mem m;
	__s64 before, during, after;

	if (!outstanding_pins(&before))
		SKIP(return, "no pin counters in /proc/vmstat");
	ASSERT_TRUE(vmm_alloc(&m, 128 * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, m.addr, m.size, MEM_RW));
	ASSERT_TRUE(outstanding_pins(&during));
	EXPECT_EQ(variant->movable ? 0 : 128, during - before);
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 0, m.addr, m.size));
	ASSERT_TRUE(outstanding_pins(&after));
	EXPECT_EQ(before, after);
	vmm_free(&m);
}

/*
 * The simulator counts exactly the pages of a pinned region as mapped; a
 * movable region is registered without any hypercall and maps nothing.
 */
TEST_F(mem, hypervisor_mapping)
{
	static const unsigned int codes[] = { HVCALL_MAP_GPA_PAGES,
					      HVCALL_UNMAP_GPA_PAGES,
					      HVCALL_DEPOSIT_MEMORY };
	__u64 calls[ARRAY_SIZE(codes)];
	struct sim_gpa_map map;
	struct vmm_mem m;
	unsigned int i;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(sim_has_mapped_pages());
	ASSERT_TRUE(vmm_alloc(&m, 300 * PAGE_4K, BACKING_4K, 1));
	for (i = 0; i < ARRAY_SIZE(codes); i++)
		calls[i] = hypercalls(_metadata, codes[i]);
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 5, m.addr, m.size, MEM_RW));
	map = gpa_map(_metadata, self->s.id);
	EXPECT_EQ(0ULL, map.noaccess);
	if (variant->movable) {
		EXPECT_EQ(self->s.mapped, sim_mapped(_metadata));
		EXPECT_EQ(0ULL, map.mapped);
		EXPECT_EQ(0ULL, map.slat);
		for (i = 0; i < ARRAY_SIZE(codes); i++)
			EXPECT_EQ(calls[i], hypercalls(_metadata, codes[i]))
				TH_LOG("hypercall %#x", codes[i]);
	} else {
		EXPECT_EQ(self->s.mapped + 300, sim_mapped(_metadata));
		EXPECT_EQ(300ULL, map.mapped);
		EXPECT_LT(0ULL, map.slat);
	}
	/* 4 KiB pages: no large entry. */
	EXPECT_EQ(0ULL, map.large);

	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 5, m.addr, m.size));
	EXPECT_EQ(self->s.mapped, sim_mapped(_metadata));
	map = gpa_map(_metadata, self->s.id);
	EXPECT_EQ(0ULL, map.slat);
	vmm_free(&m);
}

/*
 * Registering a movable region makes no hypercall, so a hypervisor that
 * would fail the first map call cannot fail it: the fault stays armed.
 * Returns true if the test is done (movable variant).
 */
static bool movable_registers_without_map(struct __test_metadata *_metadata,
					  const struct pt_state *s,
					  bool movable, const struct vmm_mem *m,
					  __u64 gfn)
{
	__u64 maps;

	if (!movable)
		return false;
	maps = hypercalls(_metadata, HVCALL_MAP_GPA_PAGES);
	EXPECT_EQ(0, mshv_map_memory(s->pt, gfn, m->addr, m->size, MEM_RW));
	EXPECT_EQ(maps, hypercalls(_metadata, HVCALL_MAP_GPA_PAGES));
	EXPECT_EQ(0ULL, sim_pages_of(_metadata, s));
	EXPECT_EQ(0, mshv_unmap_memory(s->pt, gfn, m->addr, m->size));
	expect_no_memory(_metadata, s);
	return true;
}

/* A hypervisor failure on the first map call leaves nothing behind. */
TEST_F(mem, fault_map_rejected)
{
	struct vmm_mem m;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, 64 * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, sim_fault(HVCALL_MAP_GPA_PAGES, 1,
			       HV_STATUS_INVALID_PARAMETER));
	if (movable_registers_without_map(_metadata, &self->s,
					  variant->movable, &m, 0)) {
		vmm_free(&m);
		return;
	}
	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, 0, m.addr, m.size,
					   MEM_RW));
	expect_no_memory(_metadata, &self->s);

	/* Nothing was left registered: the same region maps now. */
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, m.addr, m.size, MEM_RW));
	EXPECT_EQ(64ULL, sim_pages_of(_metadata, &self->s));
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 0, m.addr, m.size));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

/*
 * The map fails in the middle (the third of several calls): what the first
 * calls mapped must be unmapped again.
 */
TEST_F(mem, fault_map_midway)
{
	struct vmm_mem m;
	__u64 unmaps;

	if (!need_sim(_metadata, &self->s))
		return;
	/* 256 pages, not 2 MiB-aligned in GPA: 4 KiB entries, 16 a call. */
	ASSERT_TRUE(vmm_alloc(&m, 256 * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, sim_set_knob("max_reps", 16));
	ASSERT_EQ(0, sim_fault(HVCALL_MAP_GPA_PAGES, 3,
			       HV_STATUS_INVALID_PARAMETER));
	if (movable_registers_without_map(_metadata, &self->s,
					  variant->movable, &m, 1)) {
		vmm_free(&m);
		return;
	}
	unmaps = hypercalls(_metadata, HVCALL_UNMAP_GPA_PAGES);
	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, 1, m.addr, m.size,
					   MEM_RW));
	EXPECT_LT(unmaps, hypercalls(_metadata, HVCALL_UNMAP_GPA_PAGES));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

/*
 * 64 MiB: the driver pins a region this large in two halves at once, one
 * on another CPU, so failures can come from either half.
 */
#define TWO_HALVES	(16384 * PAGE_4K)

/* A map call late in the region fails: nothing stays mapped or pinned. */
TEST_F(mem, fault_map_late)
{
	struct vmm_mem m;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, TWO_HALVES, BACKING_4K, 1));
	/* 509 reps a call: the 25th call maps pages of the second half. */
	ASSERT_EQ(0, sim_fault(HVCALL_MAP_GPA_PAGES, 25,
			       HV_STATUS_INVALID_PARAMETER));
	if (movable_registers_without_map(_metadata, &self->s,
					  variant->movable, &m, 0)) {
		vmm_free(&m);
		return;
	}
	EXPECT_EQ(-EINVAL, mshv_map_memory(self->s.pt, 0, m.addr, m.size,
					   MEM_RW));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

/*
 * A page is missing at the end of the region (in the half the other CPU
 * pins) or near its start (the caller's half): everything pinned by either
 * is unpinned again.
 */
TEST_F(mem, map_hole_in_either_half)
{
	unsigned char *first, *second;
	struct vmm_mem m;

	/* Pages 1 and 16385 are missing. */
	ASSERT_TRUE(vmm_alloc(&m, TWO_HALVES + 2 * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, munmap(m.addr + PAGE_4K, PAGE_4K));
	ASSERT_EQ(0, munmap(m.addr + TWO_HALVES + PAGE_4K, PAGE_4K));
	first = m.addr;			/* missing its second page */
	second = m.addr + 2 * PAGE_4K;	/* missing its last page */

	EXPECT_EQ(-EFAULT, mshv_map_memory(self->s.pt, 0, second, TWO_HALVES,
					   MEM_RW));
	expect_no_memory(_metadata, &self->s);
	EXPECT_EQ(-EFAULT, mshv_map_memory(self->s.pt, 0, first, TWO_HALVES,
					   MEM_RW));
	expect_no_memory(_metadata, &self->s);

	/* Without the missing page it maps. */
	EXPECT_EQ(0, mshv_map_memory(self->s.pt, 0, second,
				     TWO_HALVES - PAGE_4K, MEM_RW));
	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 0, second,
				       TWO_HALVES - PAGE_4K));
	expect_no_memory(_metadata, &self->s);
	munmap(m.addr, m.size);
}

/*
 * Memory not faulted in yet, but for the start of the second half: the
 * other CPU pins only pages that are present, and the caller the rest.
 */
TEST_F(mem, map_half_faulted)
{
	unsigned char *p;

	p = mmap(NULL, TWO_HALVES, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, madvise(p, TWO_HALVES, MADV_NOHUGEPAGE));
	memset(p + TWO_HALVES / 2, 0x5a, TWO_HALVES / 8);
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, p, TWO_HALVES, MEM_RW));
	if (self->s.sim && !variant->movable) {
		EXPECT_EQ(TWO_HALVES / PAGE_4K, sim_pages_of(_metadata,
							     &self->s));
		expect_guest_sees(_metadata, self->s.id,
				  GPA(TWO_HALVES / PAGE_4K / 2), p +
				  TWO_HALVES / 2, 16);
	}
	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 0, p, TWO_HALVES));
	expect_no_memory(_metadata, &self->s);
	munmap(p, TWO_HALVES);
}

/* Out of SLAT memory in the middle of a map: deposit and carry on. */
TEST_F(mem, fault_map_insufficient_memory)
{
	__u64 deposits, maps;
	struct vmm_mem m;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, 256 * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, sim_set_knob("max_reps", 16));
	ASSERT_EQ(0, sim_fault(HVCALL_MAP_GPA_PAGES, 2,
			       HV_STATUS_INSUFFICIENT_MEMORY));
	if (movable_registers_without_map(_metadata, &self->s,
					  variant->movable, &m, 1)) {
		vmm_free(&m);
		return;
	}
	deposits = hypercalls(_metadata, HVCALL_DEPOSIT_MEMORY);
	maps = hypercalls(_metadata, HVCALL_MAP_GPA_PAGES);
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 1, m.addr, m.size, MEM_RW));
	EXPECT_LT(deposits, hypercalls(_metadata, HVCALL_DEPOSIT_MEMORY));
	/* 16 calls for 256 reps, and one more for the failed one. */
	EXPECT_LE(maps + 17, hypercalls(_metadata, HVCALL_MAP_GPA_PAGES));
	EXPECT_EQ(256ULL, sim_pages_of(_metadata, &self->s));
	expect_guest_sees(_metadata, self->s.id, GPA(1 + 20),
			  m.addr + 20 * PAGE_4K, 64);
	expect_guest_sees(_metadata, self->s.id, GPA(1 + 255),
			  m.addr + 255 * PAGE_4K, 64);
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 1, m.addr, m.size));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

/* The hypervisor completes 7 reps per call: the driver continues. */
TEST_F(mem, partial_rep_completion)
{
	static const unsigned int pages[] = { 0, 6, 7, 8, 300, 510, 511 };
	struct vmm_mem m;
	unsigned int i;
	__u64 maps;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, 512 * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, sim_set_knob("max_reps", 7));
	if (movable_registers_without_map(_metadata, &self->s,
					  variant->movable, &m, 3)) {
		vmm_free(&m);
		return;
	}
	maps = hypercalls(_metadata, HVCALL_MAP_GPA_PAGES);
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 3, m.addr, m.size, MEM_RW));
	EXPECT_LE(maps + 512 / 7, hypercalls(_metadata, HVCALL_MAP_GPA_PAGES));
	EXPECT_EQ(512ULL, sim_pages_of(_metadata, &self->s));
	for (i = 0; i < ARRAY_SIZE(pages); i++)
		expect_guest_sees(_metadata, self->s.id, GPA(3 + pages[i]),
				  m.addr + pages[i] * PAGE_4K, 16);
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 3, m.addr, m.size));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

/*
 * The guest reads what the VMM wrote, so the hypervisor maps the very pages
 * of the VMM; and it sees later writes of the VMM. In a movable region
 * nothing is faulted in yet: the guest gets an unmapped-GPA intercept.
 */
TEST_F(mem, guest_reads_vmm_data)
{
	struct sim_gpa_map before, after;
	struct vmm_mem m;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, 16 * PAGE_4K, BACKING_4K, 7));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 32, m.addr, m.size, MEM_RW));
	before = gpa_map(_metadata, self->s.id);
	if (variant->movable) {
		expect_intercept(_metadata, self->s.id, GPA(32), 'r',
				 "unmapped");
		expect_intercept(_metadata, self->s.id, GPA(47), 'r',
				 "unmapped");
		after = gpa_map(_metadata, self->s.id);
		EXPECT_EQ(before.intercepts + 2, after.intercepts);
	} else {
		expect_guest_sees(_metadata, self->s.id, GPA(32), m.addr, 64);
		expect_guest_sees(_metadata, self->s.id, GPA(37) + 100,
				  m.addr + 5 * PAGE_4K + 100, 64);
		expect_guest_sees(_metadata, self->s.id, GPA(47),
				  m.addr + 15 * PAGE_4K, PAGE_4K);
		/* Across a page boundary. */
		expect_guest_sees(_metadata, self->s.id, GPA(40) - 32,
				  m.addr + 8 * PAGE_4K - 32, 64);
		memset(m.addr + 5 * PAGE_4K + 100, 0xc3, 64);
		expect_guest_sees(_metadata, self->s.id, GPA(37) + 100,
				  m.addr + 5 * PAGE_4K + 100, 64);
		after = gpa_map(_metadata, self->s.id);
		EXPECT_EQ(before.intercepts, after.intercepts);
	}
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 32, m.addr, m.size));
	vmm_free(&m);
}

/* What the guest writes lands in the VMM's memory, and only there. */
TEST_F(mem, guest_writes_reach_vmm)
{
	unsigned char copy[3 * 4096];
	char res[RESULT_MAX];
	struct vmm_mem m;
	unsigned int i;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, 3 * PAGE_4K, BACKING_4K, 3));
	memcpy(copy, m.addr, sizeof(copy));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 4, m.addr, m.size, MEM_RW));
	guest_access(_metadata, self->s.id, GPA(5) + 10, 32, 'w', 0xa7, res,
		     sizeof(res));
	if (variant->movable) {
		EXPECT_STREQ("intercept 0x500a w unmapped", res);
		EXPECT_EQ(0, memcmp(copy, m.addr, sizeof(copy)));
	} else {
		EXPECT_STREQ("ok", res);
		for (i = 0; i < 32; i++)
			copy[PAGE_4K + 10 + i] = 0xa7;
		EXPECT_EQ(0, memcmp(copy, m.addr, sizeof(copy)));
	}
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 4, m.addr, m.size));
	vmm_free(&m);
}

/* Without WRITABLE the guest may read but not write. */
TEST_F(mem, readonly_region)
{
	unsigned char copy[4 * 4096];
	struct vmm_mem m;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, 4 * PAGE_4K, BACKING_4K, 4));
	memcpy(copy, m.addr, sizeof(copy));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, m.addr, m.size, 0));
	if (variant->movable) {
		expect_intercept(_metadata, self->s.id, GPA(2), 'w',
				 "unmapped");
	} else {
		expect_guest_sees(_metadata, self->s.id, GPA(2),
				  m.addr + 2 * PAGE_4K, 64);
		expect_intercept(_metadata, self->s.id, GPA(2), 'w', "denied");
		expect_intercept(_metadata, self->s.id, GPA(3), 'x', "denied");
	}
	EXPECT_EQ(0, memcmp(copy, m.addr, sizeof(copy)));
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 0, m.addr, m.size));
	vmm_free(&m);
}

/*
 * Run a new VP 0 of partition @pt in real mode from GPA @ip until it
 * halts. The guest's accesses fault in the movable memory they touch.
 */
static void run_real_mode(struct __test_metadata *_metadata, int pt,
			  __u16 ip)
{
	struct mshv_create_vp create = { .vp_index = 0 };
	__u64 msg[256 / 8];
	int vp, ret, i;

	vp = ioctl(pt, MSHV_CREATE_VP, &create);
	ASSERT_LE(0, vp);
	ASSERT_EQ(0, guest_real_mode(vp, 0, ip, 0));
	/* A VP the hypervisor cannot run is skipped by the caller. */
	for (i = 0; i < 16; i++) {
		ret = ioctl(vp, MSHV_RUN_VP, msg) < 0 ? -errno : 0;
		if (ret != -EINTR && ret != -EAGAIN)
			break;
	}
	ASSERT_EQ(0, ret);
	EXPECT_EQ(HVMSG_X64_HALT, (__u32)msg[0]);
	close(vp);
}

GUEST_CODE16(execute_permission_code,
	     "mov 0x1000, %al\n\t"
	     "hlt");

/*
 * EXECUTABLE grants instruction fetches, and only it does, to memory
 * mapped at once (pinned) as to memory faulted in when the guest touches
 * it (movable): a guest that runs code in the executable region and reads
 * the other one faults both in, with the permissions of their regions.
 */
TEST_F(mem, execute_permission)
{
	char res[RESULT_MAX], hex[64];
	struct vmm_mem m;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, 8 * PAGE_4K, BACKING_4K, 5));
	guest_code_load(m.addr, 5 * PAGE_4K, execute_permission_code);
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, m.addr, 4 * PAGE_4K,
				     MEM_RW));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 4, m.addr + 4 * PAGE_4K,
				     4 * PAGE_4K, MEM_X));
	if (variant->movable) {
		expect_intercept(_metadata, self->s.id, GPA(5), 'x',
				 "unmapped");
		expect_intercept(_metadata, self->s.id, GPA(1), 'r',
				 "unmapped");
		run_real_mode(_metadata, self->s.pt, GPA(5));
	}
	/* Read-write, not executable. */
	expect_intercept(_metadata, self->s.id, GPA(1), 'x', "denied");
	expect_guest_sees(_metadata, self->s.id, GPA(1), m.addr + PAGE_4K,
			  16);
	/* Executable and readable, not writable. */
	guest_access(_metadata, self->s.id, GPA(5), 16, 'x', 0, res,
		     sizeof(res));
	to_hex(m.addr + 5 * PAGE_4K, 16, hex);
	EXPECT_EQ(0, strncmp(res, "ok ", 3)) TH_LOG("%s", res);
	EXPECT_STREQ(hex, res + 3);
	expect_guest_sees(_metadata, self->s.id, GPA(6), m.addr + 6 * PAGE_4K,
			  16);
	expect_intercept(_metadata, self->s.id, GPA(6), 'w', "denied");
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 0, m.addr, 4 * PAGE_4K));
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 4, m.addr + 4 * PAGE_4K,
				       4 * PAGE_4K));
	vmm_free(&m);
}

/* GPAs outside every region are not mapped at all. */
TEST_F(mem, unmapped_gpa_intercept)
{
	struct sim_gpa_map before, after;
	struct vmm_mem m;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, 4 * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 16, m.addr, m.size, MEM_RW));
	before = gpa_map(_metadata, self->s.id);
	expect_intercept(_metadata, self->s.id, GPA(15), 'r', "unmapped");
	expect_intercept(_metadata, self->s.id, GPA(20), 'w', "unmapped");
	expect_intercept(_metadata, self->s.id, GPA(1ULL << 30), 'x',
			 "unmapped");
	after = gpa_map(_metadata, self->s.id);
	EXPECT_EQ(before.intercepts + 3, after.intercepts);
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 16, m.addr, m.size));
	vmm_free(&m);
}

TEST_F(mem, unmap_revokes_access)
{
	struct vmm_mem m;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, 8 * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 8, m.addr, m.size, MEM_RW));
	if (variant->movable)
		expect_intercept(_metadata, self->s.id, GPA(10), 'r',
				 "unmapped");
	else
		expect_guest_sees(_metadata, self->s.id, GPA(10),
				  m.addr + 2 * PAGE_4K, 16);
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 8, m.addr, m.size));
	expect_intercept(_metadata, self->s.id, GPA(8), 'r', "unmapped");
	expect_intercept(_metadata, self->s.id, GPA(10), 'r', "unmapped");
	expect_intercept(_metadata, self->s.id, GPA(15), 'w', "unmapped");
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

/*
 * The VMM unmaps the memory behind a region. Pinned pages stay with the
 * guest (the pins keep them), with their contents; a movable region must
 * leave the hypervisor without any accessible mapping of memory that is
 * gone. Either way the region can still be removed.
 */
TEST_F(mem, munmap_backing)
{
	unsigned char copy[64];
	struct sim_gpa_map map;
	char res[RESULT_MAX];
	struct vmm_mem m;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, 32 * PAGE_4K, BACKING_4K, 9));
	memcpy(copy, m.addr + 20 * PAGE_4K, sizeof(copy));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, m.addr, m.size, MEM_RW));
	ASSERT_EQ(0, munmap(m.addr, m.size));

	map = gpa_map(_metadata, self->s.id);
	if (variant->movable) {
		EXPECT_EQ(0ULL, map.mapped);
		guest_access(_metadata, self->s.id, GPA(20), 16, 'r', 0, res,
			     sizeof(res));
		EXPECT_EQ(0, strncmp(res, "intercept 0x14000 r ", 20))
			TH_LOG("%s", res);
	} else {
		EXPECT_EQ(32ULL, map.mapped);
		expect_guest_sees(_metadata, self->s.id, GPA(20), copy,
				  sizeof(copy));
	}
	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 0, m.addr, m.size));
	expect_no_memory(_metadata, &self->s);
}

/* Closing the partition with regions still mapped releases them all. */
TEST_F(mem, close_with_regions)
{
	struct vmm_mem a, b;

	ASSERT_TRUE(vmm_alloc(&a, 64 * PAGE_4K, BACKING_4K, 1));
	ASSERT_TRUE(vmm_alloc(&b, 2 * SIZE_2M, BACKING_THP, 2));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 1, a.addr, a.size, MEM_RW));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 1024, b.addr, b.size,
				     MEM_RWX));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 4096, a.addr, a.size, 0));
	if (self->s.dbg)
		EXPECT_EQ(3ULL, dbg_stats(_metadata, self->s.id).regions);
	if (self->s.sim)
		EXPECT_EQ(variant->movable ? 0 : 128ULL + 1024,
			  sim_pages_of(_metadata, &self->s));
	pt_close(&self->s);
	expect_all_released(_metadata, &self->s);
	vmm_free(&a);
	vmm_free(&b);
}

/*
 * The hypervisor fails every attempt to unmap a pinned region when the
 * partition is closed. The pages stay pinned while the partition lives,
 * since the guest may still reach them; the driver unmaps them again once
 * the partition is finalized, so that the memory of the mapping can be
 * withdrawn, and unpins them once the partition is deleted: no partition,
 * no mapped, deposited, leaked or pinned page is left.
 */
TEST(pinned_unmap_fails_at_close)
{
	struct sim_counts now;
	struct pt_state s;
	struct vmm_mem m;
	unsigned int i;
	__s64 pins;

	if (!pt_setup(_metadata, &s, false, 0, true))
		return;
	if (!s.sim || !s.id || !s.have_pins) {
		pt_close(&s);
		close_valid(s.dev);
		SKIP(return, "needs the simulator and the pin counters");
	}
	ASSERT_TRUE(vmm_alloc(&m, 16 * PAGE_4K, BACKING_4K, 3));
	ASSERT_EQ(0, mshv_map_memory(s.pt, 0, m.addr, m.size, MEM_RW));
	ASSERT_EQ(16ULL, gpa_map(_metadata, s.id).mapped);
	for (i = 1; i <= 3; i++)
		ASSERT_EQ(0, sim_fault(HVCALL_UNMAP_GPA_PAGES, i,
				       HV_STATUS_ACCESS_DENIED));
	pt_close(&s);
	EXPECT_EQ(0, sim_fault_clear());

	ASSERT_EQ(0, sim_read_counts(&now));
	EXPECT_EQ(s.counts.partitions, now.partitions);
	EXPECT_EQ(s.counts.deposited_pages, now.deposited_pages);
	EXPECT_EQ(s.counts.leaked_pages, now.leaked_pages);
	if (sim_has_mapped_pages())
		EXPECT_EQ(s.mapped, sim_mapped(_metadata));
	ASSERT_TRUE(outstanding_pins(&pins));
	EXPECT_EQ(s.pins, pins);
	vmm_free(&m);
	close_valid(s.dev);
}

/* The locked_vm of this process in KiB (VmLck), or -1. */
static long vm_locked_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Drop CAP_IPC_LOCK from this process's effective set. */
static int drop_ipc_lock(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &hdr, data);
}

/* Size of the RLIMIT_MEMLOCK of pinned_memlock_limit. */
#define MEMLOCK_LIMIT		(256 * 1024)

/*
 * The body of pinned_memlock_limit, in a child process of its own (with
 * a partition of its own, since only a partition's creator may use it).
 * Returns a bit mask of the checks that failed.
 */
static int memlock_child(void)
{
	struct rlimit lim = { MEMLOCK_LIMIT, MEMLOCK_LIMIT };
	size_t big = 4 * MEMLOCK_LIMIT, small = MEMLOCK_LIMIT / 2;
	int dev, pt, bad = 0;
	void *mem;

	if (drop_ipc_lock() || setrlimit(RLIMIT_MEMLOCK, &lim))
		return 0x80;
	dev = mshv_open();
	pt = mshv_create_partition_mem(dev, 0, true, NULL);
	if (pt < 0 || mshv_initialize_partition(pt))
		return 0x40;
	mem = mmap(NULL, big, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return 0x20;
	memset(mem, 1, big);

	/* Beyond the limit: ENOMEM, and nothing charged or pinned. */
	if (mshv_map_memory(pt, 0, mem, big, MEM_RW) != -ENOMEM)
		bad |= 1;
	if (vm_locked_kib() != 0)
		bad |= 2;
	/* Within it: charged while the region exists. */
	if (mshv_map_memory(pt, 0, mem, small, MEM_RW))
		bad |= 4;
	if (vm_locked_kib() != (long)(small / 1024))
		bad |= 8;
	if (mshv_unmap_memory(pt, 0, mem, small))
		bad |= 16;
	if (vm_locked_kib() != 0)
		bad |= 32;
	close(pt);
	close(dev);
	return bad;
}

/*
 * Partitions get movable memory; debugfs "pin_memory" makes one that has
 * no region yet pin its memory, and no other: not one with regions
 * (EBUSY), not an unknown one (ENOENT).
 */
TEST(pin_memory_per_partition)
{
	struct mshv_dbg_stats st;
	struct pt_state a, b;
	struct vmm_mem m;

	if (!pt_setup(_metadata, &a, true, 0, true))
		return;
	if (!mshv_pin_memory_present() || !a.id) {
		pt_close(&a);
		close_valid(a.dev);
		SKIP(return, "%s not found", MSHV_DBG_PIN_MEMORY);
	}
	ASSERT_TRUE(pt_setup(_metadata, &b, false, 0, true));
	ASSERT_TRUE(vmm_alloc(&m, 16 * PAGE_4K, BACKING_4K, 1));

	/* a: movable, b: pinned (pt_setup), with the same memory. */
	ASSERT_EQ(0, mshv_map_memory(a.pt, 0, m.addr, m.size, MEM_RW));
	ASSERT_EQ(0, mshv_map_memory(b.pt, 0, m.addr, m.size, MEM_RW));
	ASSERT_EQ(0, mshv_dbg_stats(a.id, &st));
	EXPECT_EQ(0ULL, st.pinned_pages);
	ASSERT_EQ(0, mshv_dbg_stats(b.id, &st));
	EXPECT_EQ(16ULL, st.pinned_pages);

	EXPECT_EQ(-EBUSY, mshv_pin_memory(a.id));
	EXPECT_EQ(-ENOENT, mshv_pin_memory(~0ULL));
	ASSERT_EQ(0, mshv_unmap_memory(a.pt, 0, m.addr, m.size));
	/* Once a has no region, it may pin the memory it gets next. */
	EXPECT_EQ(0, mshv_pin_memory(a.id));
	ASSERT_EQ(0, mshv_map_memory(a.pt, 0, m.addr, m.size, MEM_RW));
	ASSERT_EQ(0, mshv_dbg_stats(a.id, &st));
	EXPECT_EQ(16ULL, st.pinned_pages);

	/* Checked against a's baseline, taken before either partition. */
	pt_close(&b);
	close_valid(b.dev);
	pt_teardown(_metadata, &a);
	vmm_free(&m);
}

/*
 * Pinned guest memory is charged to the VMM's locked_vm: without
 * CAP_IPC_LOCK, a pinned region beyond RLIMIT_MEMLOCK fails with ENOMEM
 * and leaves nothing behind, and the charge goes with the region.
 */
TEST(pinned_memlock_limit)
{
	int dev, wstatus;
	pid_t pid;

	dev = mshv_open();
	if (mshv_absent(dev))
		SKIP(return, "%s: %s", MSHV_DEV_PATH, strerror(-dev));
	close(dev);
	if (!mshv_pin_memory_present())
		SKIP(return, "pinned memory cannot be chosen");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(memlock_child());
	ASSERT_EQ(pid, waitpid(pid, &wstatus, 0));
	ASSERT_TRUE(WIFEXITED(wstatus));
	EXPECT_EQ(0, WEXITSTATUS(wstatus));
}

/*
 * Guest memory of different backings, in a pinned region of a partition
 * with or without large GPA pages.
 */
FIXTURE(backing) {
	struct pt_state s;
	struct vmm_mem m;
	bool huge;
};

FIXTURE_VARIANT(backing) {
	enum backing backing;
	bool super_pages;
};

FIXTURE_VARIANT_ADD(backing, small_pages) {
	.backing = BACKING_4K,
	.super_pages = true,
};

FIXTURE_VARIANT_ADD(backing, thp) {
	.backing = BACKING_THP,
	.super_pages = true,
};

FIXTURE_VARIANT_ADD(backing, thp_no_super_pages) {
	.backing = BACKING_THP,
	.super_pages = false,
};

FIXTURE_VARIANT_ADD(backing, hugetlb) {
	.backing = BACKING_HUGETLB,
	.super_pages = true,
};

/* 8 MiB: four large pages. */
#define BACKING_SIZE	(4 * SIZE_2M)

FIXTURE_SETUP(backing)
{
	self->m.addr = NULL;
	if (!vmm_alloc(&self->m, BACKING_SIZE, variant->backing, 11)) {
		if (variant->backing == BACKING_HUGETLB)
			SKIP(return, "no 2 MiB hugetlb pages: %s",
			     strerror(errno));
		ASSERT_TRUE(false) TH_LOG("mmap: %s", strerror(errno));
	}
	if (variant->backing == BACKING_THP &&
	    mshv_thp_kb(self->m.addr) < (long)(BACKING_SIZE >> 10)) {
		vmm_free(&self->m);
		SKIP(return, "the buffer did not get transparent huge pages");
	}
	self->huge = variant->backing != BACKING_4K;
	pt_setup(_metadata, &self->s, false,
		 variant->super_pages ? 1ULL << MSHV_PT_BIT_GPA_SUPER_PAGES : 0,
		 true);
}

FIXTURE_TEARDOWN(backing)
{
	pt_teardown(_metadata, &self->s);
	vmm_free(&self->m);
}

/* Expected large entries for @pages mapped at a 2 MiB-aligned GPA. */
static __u64 large_entries(bool huge, bool super_pages, __u64 pages)
{
	return huge && super_pages ? pages / HV_PAGES_PER_LARGE_PAGE : 0;
}

TEST_F(backing, guest_reads)
{
	static const __u64 offsets[] = { 0, 4096 + 8, SIZE_2M - 64, SIZE_2M,
					 3 * SIZE_2M + 123456,
					 BACKING_SIZE - 64 };
	const __u64 pages = PAGES(BACKING_SIZE);
	struct sim_gpa_map map;
	unsigned int i;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 1024, self->m.addr,
				     BACKING_SIZE, MEM_RW));
	map = gpa_map(_metadata, self->s.id);
	EXPECT_EQ(pages, map.mapped);
	EXPECT_EQ(large_entries(self->huge, variant->super_pages, pages),
		  map.large);
	for (i = 0; i < ARRAY_SIZE(offsets); i++)
		expect_guest_sees(_metadata, self->s.id,
				  GPA(1024) + offsets[i],
				  self->m.addr + offsets[i], 64);
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 1024, self->m.addr,
				       BACKING_SIZE));
	expect_no_memory(_metadata, &self->s);
}

/* Writes of the guest reach the VMM through large mappings as well. */
TEST_F(backing, guest_writes)
{
	char res[RESULT_MAX];

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, self->m.addr,
				     BACKING_SIZE, MEM_RW));
	guest_access(_metadata, self->s.id, SIZE_2M + 4000, 200, 'w', 0x3c,
		     res, sizeof(res));
	EXPECT_STREQ("ok", res);
	EXPECT_EQ(0x3c, self->m.addr[SIZE_2M + 4000]);
	EXPECT_EQ(0x3c, self->m.addr[SIZE_2M + 4199]);
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 0, self->m.addr,
				       BACKING_SIZE));
}

/* A GPA that is not 2 MiB-aligned rules large entries out. */
TEST_F(backing, unaligned_gpa)
{
	struct sim_gpa_map map;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 1, self->m.addr,
				     BACKING_SIZE, MEM_RW));
	map = gpa_map(_metadata, self->s.id);
	EXPECT_EQ(PAGES(BACKING_SIZE), map.mapped);
	EXPECT_EQ(0ULL, map.large);
	expect_guest_sees(_metadata, self->s.id, GPA(1) + SIZE_2M + 64,
			  self->m.addr + SIZE_2M + 64, 64);
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 1, self->m.addr,
				       BACKING_SIZE));
	expect_no_memory(_metadata, &self->s);
}

/*
 * HvMapGpaPages calls for 8 MiB: one call of four large pages, or 2048
 * PFNs in calls of at most 509.
 */
TEST_F(backing, map_hypercalls)
{
	const __u64 pages = PAGES(BACKING_SIZE);
	__u64 before, calls;

	if (!need_sim(_metadata, &self->s))
		return;
	before = hypercalls(_metadata, HVCALL_MAP_GPA_PAGES);
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, self->m.addr,
				     BACKING_SIZE, MEM_RW));
	calls = hypercalls(_metadata, HVCALL_MAP_GPA_PAGES) - before;
	if (large_entries(self->huge, variant->super_pages, pages)) {
		EXPECT_EQ(1ULL, calls);
	} else {
		EXPECT_EQ((pages + HV_MAP_GPA_MAX_PAGES - 1) /
			  HV_MAP_GPA_MAX_PAGES, calls);
	}

	before = hypercalls(_metadata, HVCALL_UNMAP_GPA_PAGES);
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 0, self->m.addr,
				       BACKING_SIZE));
	calls = hypercalls(_metadata, HVCALL_UNMAP_GPA_PAGES) - before;
	EXPECT_LE(1ULL, calls);
	EXPECT_GE(pages / HV_PAGES_PER_LARGE_PAGE, calls);
	expect_no_memory(_metadata, &self->s);
}

/*
 * Dirty pages under access tracking: a large entry has one dirty bit, which
 * the simulator reports for each of its 512 pages; 4 KiB entries are
 * tracked page by page.
 */
TEST_F(backing, dirty_granularity)
{
	const __u64 pages = PAGES(BACKING_SIZE);
	struct mshv_gpap_access_bitmap args;
	unsigned char bits[2048 / 8];
	char res[RESULT_MAX];
	unsigned int i, set = 0;
	bool large;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_EQ(0, mshv_set_property(self->s.pt,
				       HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
				       1, NULL));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, self->m.addr,
				     BACKING_SIZE, MEM_RW));
	memset(&args, 0, sizeof(args));
	args.access_type = MSHV_GPAP_ACCESS_TYPE_DIRTY;
	args.access_op = MSHV_GPAP_ACCESS_OP_CLEAR;
	args.page_count = pages;
	args.bitmap_ptr = (uintptr_t)bits;
	ASSERT_EQ(0, mshv_access_bitmap(self->s.pt, &args));

	guest_access(_metadata, self->s.id, GPA(700) + 8, 4, 'w', 1, res,
		     sizeof(res));
	ASSERT_STREQ("ok", res);
	args.access_op = MSHV_GPAP_ACCESS_OP_NOOP;
	args.page_count = pages;
	ASSERT_EQ(0, mshv_access_bitmap(self->s.pt, &args));
	EXPECT_EQ(pages, args.page_count);

	large = large_entries(self->huge, variant->super_pages, pages);
	for (i = 0; i < pages; i++) {
		bool dirty = bits[i / 8] >> (i % 8) & 1;
		bool want = large ? i / 512 == 1 : i == 700;

		set += dirty;
		EXPECT_EQ(want, dirty) TH_LOG("page %u", i);
		if (want != dirty)
			break;
	}
	EXPECT_EQ(large ? 512u : 1u, set);
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, 0, self->m.addr,
				       BACKING_SIZE));
}

/*
 * MSHV_GET_GPAP_ACCESS_BITMAP on a partition with access tracking on and
 * 64 pinned pages mapped at GFN 0 (4 KiB entries: no large pages).
 */
FIXTURE(bitmap) {
	struct pt_state s;
	struct vmm_mem m;
};

#define BITMAP_PAGES	64

FIXTURE_SETUP(bitmap)
{
	self->m.addr = NULL;
	if (!pt_setup(_metadata, &self->s, false, 0, true))
		return;
	ASSERT_EQ(0, mshv_set_property(self->s.pt,
				       HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
				       1, NULL));
	ASSERT_TRUE(vmm_alloc(&self->m, BITMAP_PAGES * PAGE_4K, BACKING_4K,
			      13));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 0, self->m.addr,
				     self->m.size, MEM_RW));
}

FIXTURE_TEARDOWN(bitmap)
{
	pt_teardown(_metadata, &self->s);
	vmm_free(&self->m);
}

static void bitmap_args(struct mshv_gpap_access_bitmap *args, __u8 type,
			__u8 op, __u64 base, __u64 count, void *bits)
{
	memset(args, 0, sizeof(*args));
	args->access_type = type;
	args->access_op = op;
	args->gpap_base = base;
	args->page_count = count;
	args->bitmap_ptr = (uintptr_t)bits;
}

/* Read (and apply @op to) the @type bits of @count pages from @base. */
static void get_bits(struct __test_metadata *_metadata, int pt, __u8 type,
		     __u8 op, __u64 base, __u64 count, unsigned char *bits)
{
	struct mshv_gpap_access_bitmap args;

	bitmap_args(&args, type, op, base, count, bits);
	ASSERT_EQ(0, mshv_access_bitmap(pt, &args));
	EXPECT_EQ(count, args.page_count);
}

/* Bit @i of @bits must be set exactly when page @i is one of @want. */
static void expect_bits(struct __test_metadata *_metadata,
			const unsigned char *bits, unsigned int count,
			const unsigned int *want, unsigned int nwant)
{
	unsigned int i, j;
	bool in;

	for (i = 0; i < count; i++) {
		for (in = false, j = 0; j < nwant; j++)
			in |= want[j] == i;
		EXPECT_EQ(in, bits[i / 8] >> (i % 8) & 1) TH_LOG("page %u", i);
	}
}

/*
 * The access bitmap of guest memory nothing touched yet is all zeros, and
 * reading it succeeds; for a movable region that is not mapped in the
 * hypervisor at all. Setting bits changes what a pinned region's pages
 * report, but not an unmapped page's: it has no state to keep them in.
 */
TEST_F(mem, access_bitmap_untouched)
{
	unsigned int want[16], i;
	unsigned char bits[4];
	struct vmm_mem m;

	if (!need_sim(_metadata, &self->s))
		return;
	ASSERT_TRUE(vmm_alloc(&m, 16 * PAGE_4K, BACKING_4K, 3));
	ASSERT_EQ(0, mshv_set_property(self->s.pt,
				       HV_PARTITION_PROPERTY_GPA_PAGE_ACCESS_TRACKING,
				       1, NULL));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, 8, m.addr, m.size, MEM_RW));
	for (i = 0; i < 16; i++)
		want[i] = 8 + i;

	memset(bits, 0xff, sizeof(bits));
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_NOOP, 0, 32, bits);
	expect_bits(_metadata, bits, 32, NULL, 0);
	memset(bits, 0xff, sizeof(bits));
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_ACCESSED,
		 MSHV_GPAP_ACCESS_OP_SET, 0, 32, bits);
	expect_bits(_metadata, bits, 32, NULL, 0);
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_ACCESSED,
		 MSHV_GPAP_ACCESS_OP_NOOP, 0, 32, bits);
	expect_bits(_metadata, bits, 32, want, variant->movable ? 0 : 16);
	if (variant->movable)
		expect_intercept(_metadata, self->s.id, GPA(8), 'r',
				 "unmapped");

	EXPECT_EQ(0, mshv_unmap_memory(self->s.pt, 8, m.addr, m.size));
	expect_no_memory(_metadata, &self->s);
	vmm_free(&m);
}

TEST_F(bitmap, bad_args)
{
	struct mshv_gpap_access_bitmap args;
	unsigned char bits[16];
	unsigned int i;
	void *none;

	bitmap_args(&args, MSHV_GPAP_ACCESS_TYPE_COUNT,
		    MSHV_GPAP_ACCESS_OP_NOOP, 0, 8, bits);
	EXPECT_EQ(-EINVAL, mshv_access_bitmap(self->s.pt, &args));
	bitmap_args(&args, 0xff, MSHV_GPAP_ACCESS_OP_NOOP, 0, 8, bits);
	EXPECT_EQ(-EINVAL, mshv_access_bitmap(self->s.pt, &args));
	bitmap_args(&args, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		    MSHV_GPAP_ACCESS_OP_COUNT, 0, 8, bits);
	EXPECT_EQ(-EINVAL, mshv_access_bitmap(self->s.pt, &args));
	bitmap_args(&args, MSHV_GPAP_ACCESS_TYPE_DIRTY, 0xff, 0, 8, bits);
	EXPECT_EQ(-EINVAL, mshv_access_bitmap(self->s.pt, &args));
	for (i = 0; i < sizeof(args.rsvd); i++) {
		bitmap_args(&args, MSHV_GPAP_ACCESS_TYPE_DIRTY,
			    MSHV_GPAP_ACCESS_OP_NOOP, 0, 8, bits);
		args.rsvd[i] = 1;
		EXPECT_EQ(-EINVAL, mshv_access_bitmap(self->s.pt, &args))
			TH_LOG("rsvd[%u]", i);
	}
	bitmap_args(&args, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		    MSHV_GPAP_ACCESS_OP_NOOP, 0, 0, bits);
	EXPECT_EQ(-EINVAL, mshv_access_bitmap(self->s.pt, &args));
	bitmap_args(&args, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		    MSHV_GPAP_ACCESS_OP_NOOP, 0, 8, NULL);
	EXPECT_EQ(-EINVAL, mshv_access_bitmap(self->s.pt, &args));
	/* Ranges that wrap around or reach GPA 2^52. */
	bitmap_args(&args, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		    MSHV_GPAP_ACCESS_OP_NOOP, ~0ULL, 8, bits);
	EXPECT_EQ(-EINVAL, mshv_access_bitmap(self->s.pt, &args));
	bitmap_args(&args, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		    MSHV_GPAP_ACCESS_OP_NOOP, GFN_LIMIT - 4, 8, bits);
	EXPECT_EQ(-EINVAL, mshv_access_bitmap(self->s.pt, &args));

	none = mmap(NULL, PAGE_4K, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	bitmap_args(&args, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		    MSHV_GPAP_ACCESS_OP_NOOP, 0, 8, none);
	EXPECT_EQ(-EFAULT, mshv_access_bitmap(self->s.pt, &args));
	bitmap_args(&args, MSHV_GPAP_ACCESS_TYPE_ACCESSED,
		    MSHV_GPAP_ACCESS_OP_NOOP, 0, 8, (void *)8);
	EXPECT_EQ(-EFAULT, mshv_access_bitmap(self->s.pt, &args));
	munmap(none, PAGE_4K);
}

/*
 * OP_SET marks every mapped page; pages that are not mapped report 0. Bits
 * past page_count in the last byte are 0 and later bytes are not written.
 */
TEST_F(bitmap, set_then_read)
{
	unsigned char bits[32];
	unsigned int want[BITMAP_PAGES], i;

	for (i = 0; i < BITMAP_PAGES; i++)
		want[i] = i;
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_SET, 0, 2 * BITMAP_PAGES, bits);
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_NOOP, 0, 2 * BITMAP_PAGES, bits);
	expect_bits(_metadata, bits, 2 * BITMAP_PAGES, want, BITMAP_PAGES);

	/* 13 pages from GFN 60: 4 mapped, 9 not. */
	memset(bits, 0xee, sizeof(bits));
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_NOOP, 60, 13, bits);
	EXPECT_EQ(0x0f, bits[0]);
	EXPECT_EQ(0x00, bits[1]);
	EXPECT_EQ(0xee, bits[2]);

	/* All 64 set, in an odd count: the tail bits are 0. */
	memset(bits, 0xee, sizeof(bits));
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_NOOP, 0, 13, bits);
	EXPECT_EQ(0xff, bits[0]);
	EXPECT_EQ(0x1f, bits[1]);
	EXPECT_EQ(0xee, bits[2]);

	/* Clear returns the state before clearing, then all is clear. */
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_CLEAR, 0, BITMAP_PAGES, bits);
	expect_bits(_metadata, bits, BITMAP_PAGES, want, BITMAP_PAGES);
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_NOOP, 0, BITMAP_PAGES, bits);
	expect_bits(_metadata, bits, BITMAP_PAGES, NULL, 0);
}

/* The accessed and dirty bits are separate. */
TEST_F(bitmap, accessed_and_dirty_separate)
{
	unsigned char bits[8];
	unsigned int all[BITMAP_PAGES], i;

	for (i = 0; i < BITMAP_PAGES; i++)
		all[i] = i;
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_CLEAR, 0, BITMAP_PAGES, bits);
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_ACCESSED,
		 MSHV_GPAP_ACCESS_OP_SET, 0, BITMAP_PAGES, bits);
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_NOOP, 0, BITMAP_PAGES, bits);
	expect_bits(_metadata, bits, BITMAP_PAGES, NULL, 0);
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_ACCESSED,
		 MSHV_GPAP_ACCESS_OP_CLEAR, 0, BITMAP_PAGES, bits);
	expect_bits(_metadata, bits, BITMAP_PAGES, all, BITMAP_PAGES);
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_ACCESSED,
		 MSHV_GPAP_ACCESS_OP_NOOP, 0, BITMAP_PAGES, bits);
	expect_bits(_metadata, bits, BITMAP_PAGES, NULL, 0);
}

/* Dirty logging: the guest writes, the VMM collects and clears. */
TEST_F(bitmap, dirty_after_guest_writes)
{
	static const unsigned int written[] = { 0, 5, 9, 33, 63 };
	unsigned char bits[8];
	char res[RESULT_MAX];
	unsigned int i;

	if (!need_sim(_metadata, &self->s))
		return;
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_CLEAR, 0, BITMAP_PAGES, bits);
	for (i = 0; i < ARRAY_SIZE(written); i++) {
		guest_access(_metadata, self->s.id, GPA(written[i]) + 100, 8,
			     'w', 0x11, res, sizeof(res));
		EXPECT_STREQ("ok", res);
	}
	/* Reads do not dirty. */
	expect_guest_sees(_metadata, self->s.id, GPA(20),
			  self->m.addr + 20 * PAGE_4K, 16);

	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_NOOP, 0, BITMAP_PAGES, bits);
	expect_bits(_metadata, bits, BITMAP_PAGES, written,
		    ARRAY_SIZE(written));
	/* From GFN 5: pages 5 and 9 are bits 0 and 4. */
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_NOOP, 5, 5, bits);
	EXPECT_EQ(0x11, bits[0]);
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_CLEAR, 0, BITMAP_PAGES, bits);
	expect_bits(_metadata, bits, BITMAP_PAGES, written,
		    ARRAY_SIZE(written));
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_NOOP, 0, BITMAP_PAGES, bits);
	expect_bits(_metadata, bits, BITMAP_PAGES, NULL, 0);

	/* A new write after the clear is seen again. */
	guest_access(_metadata, self->s.id, GPA(9), 1, 'w', 0x22, res,
		     sizeof(res));
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_NOOP, 0, BITMAP_PAGES, bits);
	expect_bits(_metadata, bits, BITMAP_PAGES, &written[2], 1);
}

TEST_F(bitmap, accessed_after_guest_reads)
{
	static const unsigned int read[] = { 1, 2, 40 };
	unsigned char bits[8];
	unsigned int i;

	if (!need_sim(_metadata, &self->s))
		return;
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_ACCESSED,
		 MSHV_GPAP_ACCESS_OP_CLEAR, 0, BITMAP_PAGES, bits);
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_CLEAR, 0, BITMAP_PAGES, bits);
	for (i = 0; i < ARRAY_SIZE(read); i++)
		expect_guest_sees(_metadata, self->s.id, GPA(read[i]),
				  self->m.addr + read[i] * PAGE_4K, 8);
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_ACCESSED,
		 MSHV_GPAP_ACCESS_OP_NOOP, 0, BITMAP_PAGES, bits);
	expect_bits(_metadata, bits, BITMAP_PAGES, read, ARRAY_SIZE(read));
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_NOOP, 0, BITMAP_PAGES, bits);
	expect_bits(_metadata, bits, BITMAP_PAGES, NULL, 0);
}

/* More pages than one hypercall reports, over mapped and unmapped GPAs. */
TEST_F(bitmap, large_page_count)
{
	const __u64 base = 8192, mapped = 5000, count = 10000;
	struct mshv_gpap_access_bitmap args;
	static unsigned char bits[10000 / 8 + 8];
	struct vmm_mem m;
	unsigned int i, bad = 0;

	ASSERT_TRUE(vmm_alloc(&m, mapped * PAGE_4K, BACKING_4K, 1));
	ASSERT_EQ(0, mshv_map_memory(self->s.pt, base + 100, m.addr, m.size,
				     MEM_RW));
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_SET, base, count, bits);
	memset(bits, 0xee, sizeof(bits));
	get_bits(_metadata, self->s.pt, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		 MSHV_GPAP_ACCESS_OP_NOOP, base, count, bits);
	for (i = 0; i < count; i++) {
		bool want = i >= 100 && i < 100 + mapped;

		if (want != (bool)(bits[i / 8] >> (i % 8) & 1))
			bad++;
	}
	EXPECT_EQ(0u, bad);
	EXPECT_EQ(0xee, bits[count / 8]);

	bitmap_args(&args, MSHV_GPAP_ACCESS_TYPE_DIRTY,
		    MSHV_GPAP_ACCESS_OP_CLEAR, base, count, bits);
	ASSERT_EQ(0, mshv_access_bitmap(self->s.pt, &args));
	EXPECT_EQ(count, args.page_count);
	ASSERT_EQ(0, mshv_unmap_memory(self->s.pt, base + 100, m.addr,
				       m.size));
	vmm_free(&m);
}

int main(int argc, char **argv)
{
	if (sim_present() && !sim_save_knobs(&start_knobs))
		start_knobs_saved = true;
	atexit(restore_start_state);
	return test_harness_run(argc, argv);
}
