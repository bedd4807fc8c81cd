// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory benchmark of /dev/mshv, run by "make bench" of the
 * development tree (not by the selftest run). It reports ratios and counts
 * rather than absolute times, each against its target:
 *
 * - HvMapGpaPages calls to map 1 GiB of pinned memory backed by 2 MiB
 *   (transparent huge) pages and by 4 KiB pages;
 * - the driver's time to map N GiB of pinned memory (wall time less the
 *   time the hypervisor spent in the hypercalls, which the simulator
 *   reports and Hyper-V spends outside the root's kernel) divided by the
 *   time to pin it alone with pin_user_pages() (the simulator's
 *   pin_baseline), for N = 1, 2, 4, 8 as memory allows with 2 MiB pages
 *   and N = 1, 2 with 4 KiB pages, sequentially; and how that ratio grows
 *   with N;
 * - the driver's time to tear down a partition with N GiB mapped, per GiB;
 * - the time to register N GiB of movable memory;
 * - the bytes the driver uses to track each GiB of guest memory.
 *
 * It needs the hypervisor simulator (hypercall counts, pin_baseline) and
 * the driver's debugfs statistics; what it cannot measure it reports as
 * "n/a". It prints a table and a one-line summary, and exits with 0 unless
 * it could not run at all: targets are reported, not enforced.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mshv_bench_table.h"
#include "mshv_util.h"

#define SZ_4K		4096ULL
#define SZ_2M		(2ULL << 20)
#define SZ_1G		0x40000000ULL

/*
 * Largest size mapped with 4 KiB pages: touching and pinning every 4 KiB
 * page takes minutes per GiB in the TCG guest.
 */
#define MAX_4K_GIB	2

/* Memory left to the rest of the guest when sizing the largest run. */
#define HEADROOM	(768ULL << 20)

/* Repetitions of each timed operation; the fastest one counts. */
#define PINNED_RUNS	3
#define MOVABLE_RUNS	5

/* Targets. */
#define TARGET_CALLS_2M		2
#define TARGET_CALLS_4K		516
#define TARGET_MAP_PIN		1.05
#define TARGET_REGISTER_NS	1000000ULL
#define TARGET_TRACK_2M		16384ULL

#define MAX_SIZES	4
#define MAX_PARTITIONS	256

static const unsigned int gib_sizes[MAX_SIZES] = { 1, 2, 4, 8 };

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* MemAvailable of /proc/meminfo in bytes, 0 if unknown. */
static __u64 mem_available(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb << 10;
}

/*
 * Map @size bytes of 2 MiB-aligned anonymous memory, in huge pages or not,
 * and touch every 4 KiB page of it so that it is all present.
 */
static unsigned char *vmm_alloc(__u64 size, bool huge)
{
	__u64 span = size + SZ_2M, off;
	unsigned char *p, *start;

	p = mmap(NULL, span, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	start = (unsigned char *)(((uintptr_t)p + SZ_2M - 1) &
				  ~(uintptr_t)(SZ_2M - 1));
	if (start > p)
		munmap(p, start - p);
	munmap(start + size, p + span - (start + size));
	if (madvise(start, size, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		munmap(start, size);
		return NULL;
	}
	for (off = 0; off < size; off += SZ_4K)
		start[off] = (unsigned char)(off >> 12);
	return start;
}

/* New partitions pin their memory (else it is movable). */
static bool pin_memory;

/* Create and initialize a partition; *@id is its hypervisor id or 0. */
static int new_partition(int dev, __u64 *id)
{
	int pt;

	pt = mshv_create_partition_mem(dev, 1ULL << MSHV_PT_BIT_GPA_SUPER_PAGES,
				       pin_memory, id);
	if (pt < 0)
		return pt;
	if (mshv_initialize_partition(pt)) {
		close(pt);
		return -EIO;
	}
	return pt;
}

/* HvMapGpaPages calls so far, or -1 without the simulator. */
static long long map_calls(void)
{
	__u64 n;

	if (!sim_present() || sim_hypercall_count(HVCALL_MAP_GPA_PAGES, &n))
		return -1;
	return n;
}

/* Tracking bytes per GiB of a partition holding @gib GiB, or -1. */
static long long tracking_per_gib(__u64 id, unsigned int gib)
{
	struct mshv_dbg_stats st;

	if (!id || mshv_dbg_stats(id, &st))
		return -1;
	return st.tracking_bytes / gib;
}

static void set_calls_row(struct bench_row *r, long long calls, long long target,
			  bool exact)
{
	if (calls < 0)
		return;
	snprintf(r->value, sizeof(r->value), "%lld", calls);
	if (exact)
		r->verdict = calls == target ? V_MET : V_NOT_MET;
	else
		r->verdict = calls <= target ? V_MET : V_NOT_MET;
}

static void set_bytes(char *buf, size_t len, long long bytes)
{
	if (bytes >= 10 << 20)
		snprintf(buf, len, "%.1f MiB", bytes / 1048576.0);
	else if (bytes >= 10 << 10)
		snprintf(buf, len, "%.1f KiB", bytes / 1024.0);
	else
		snprintf(buf, len, "%lld B", bytes);
}

/* Results kept for the summary line. */
static long long calls_2m = -1, calls_4k = -1;
static long long track_2m = -1, track_4k = -1, track_movable = -1;
static double worst_ratio = -1;
static double worst_register_ms = -1;
static unsigned int largest_gib;

/*
 * Measurement 1 and part of 4: map 1 GiB of pinned memory, count the
 * HvMapGpaPages calls, read the driver's tracking bytes.
 */
static void bench_map_calls(int dev, bool huge)
{
	struct bench_row *calls_row, *track_row;
	unsigned char *buf;
	long long before, after, track;
	char why[40] = "";
	__u64 id;
	int pt;

	calls_row = bench_add_row(huge ? "HvMapGpaPages calls, 1 GiB pinned, 2 MiB pages" :
				  "HvMapGpaPages calls, 1 GiB pinned, 4 KiB pages",
				  huge ? "2" : "<= 516");
	track_row = bench_add_row(huge ? "tracking bytes per GiB, pinned, 2 MiB pages" :
				  "tracking bytes per GiB, pinned, 4 KiB pages",
				  huge ? "<= 16 KiB" : "-");

	buf = vmm_alloc(SZ_1G, huge);
	if (!buf) {
		snprintf(calls_row->detail, sizeof(calls_row->detail),
			 "no memory");
		return;
	}
	if (huge && mshv_thp_kb(buf) < (long)(SZ_1G >> 10))
		snprintf(why, sizeof(why), "only %ld MiB in THP",
			 mshv_thp_kb(buf) >> 10);
	pt = new_partition(dev, &id);
	if (pt < 0) {
		snprintf(calls_row->detail, sizeof(calls_row->detail),
			 "partition: %s", strerror(-pt));
		goto free_buf;
	}
	before = map_calls();
	if (mshv_map_memory(pt, 0, buf, SZ_1G, 1 << MSHV_SET_MEM_BIT_WRITABLE)) {
		snprintf(calls_row->detail, sizeof(calls_row->detail),
			 "map: %s", strerror(errno));
		goto close_pt;
	}
	after = map_calls();
	if (before >= 0 && after >= 0)
		set_calls_row(calls_row, after - before,
			      huge ? TARGET_CALLS_2M : TARGET_CALLS_4K, huge);
	snprintf(calls_row->detail, sizeof(calls_row->detail), "%s", why);

	track = tracking_per_gib(id, 1);
	if (track >= 0) {
		set_bytes(track_row->value, sizeof(track_row->value), track);
		if (huge)
			track_row->verdict = track <= (long long)TARGET_TRACK_2M ?
					     V_MET : V_NOT_MET;
		else
			track_row->verdict = V_INFO;
		if (huge)
			track_2m = track;
		else
			track_4k = track;
	}
	if (huge)
		calls_2m = after - before;
	else
		calls_4k = after - before;
	mshv_unmap_memory(pt, 0, buf, SZ_1G);
close_pt:
	close(pt);
free_buf:
	munmap(buf, SZ_1G);
}

/*
 * Map @size bytes at @buf pinned into a new partition and tear it down.
 * Record the driver's time of the map (wall time less the hypervisor's)
 * in @map and that of the teardown (closing the partition with the region
 * still mapped) in @down.
 */
static int time_pinned_map(int dev, unsigned char *buf, __u64 size,
			   struct bench_result *map, struct bench_result *down)
{
	struct hv_sample a, b;
	__u64 id;
	int pt, ret;

	pt = new_partition(dev, &id);
	if (pt < 0)
		return pt;
	hv_sample(&a);
	ret = mshv_map_memory(pt, 0, buf, size, 1 << MSHV_SET_MEM_BIT_WRITABLE);
	hv_sample(&b);
	if (ret) {
		close(pt);
		return ret;
	}
	bench_record(map, &a, &b, 1, false);
	hv_sample(&a);
	close(pt);
	hv_sample(&b);
	bench_record(down, &a, &b, 1, false);
	return 0;
}

/*
 * Profiles of one more map and pinning of each size, with 4 KiB and
 * 2 MiB pages, shown under a row that is not met.
 */
static struct bench_prof map_prof[2][MAX_SIZES], pin_prof[2][MAX_SIZES];

/* Map @size bytes at @buf into a new partition, profiled into @prof. */
static void profile_map(int dev, unsigned char *buf, __u64 size,
			struct bench_prof *prof, const char *title)
{
	__u64 id;
	int pt;

	pt = new_partition(dev, &id);
	if (pt < 0)
		return;
	bench_prof_start(prof, 0, title);
	mshv_map_memory(pt, 0, buf, size, 1 << MSHV_SET_MEM_BIT_WRITABLE);
	bench_prof_stop(prof, 1);
	close(pt);
}

/* Driver map time over pin time of each size, for the flatness row. */
static double map_pin_ratio[2][MAX_SIZES];
/* Driver teardown time per GiB of each size, 2 MiB pages. */
static double teardown_per_gib[MAX_SIZES];

/*
 * Measurement 2: the driver's time to map N GiB of pinned memory (wall
 * time less the hypervisor's, which on Hyper-V is spent outside the
 * root's kernel) over the time to pin the same memory with
 * pin_user_pages(), sequentially. The maps and the pinnings alone
 * alternate, PINNED_RUNS of each; the medians count, the minima are
 * shown.
 */
static void bench_map_vs_pin(int dev, unsigned char *buf, unsigned int gib,
			     unsigned int idx, bool huge)
{
	struct bench_result map, down;
	double pin_ns[PINNED_RUNS];
	unsigned int run;
	char what[56];
	struct bench_row *r;
	double ratio;
	__u64 ns;
	int ret;

	snprintf(what, sizeof(what), "map driver time / pin, %u GiB, %s", gib,
		 huge ? "2 MiB" : "4 KiB");
	r = bench_add_row(what, "<= 1.05");
	bench_result_init(&map);
	bench_result_init(&down);
	for (run = 0; run < PINNED_RUNS; run++) {
		ret = time_pinned_map(dev, buf, gib * SZ_1G, &map, &down);
		if (ret) {
			snprintf(r->detail, sizeof(r->detail), "map: %s",
				 strerror(-ret));
			return;
		}
		ret = sim_pin_baseline(buf, gib * SZ_1G, &ns);
		if (ret || !ns) {
			snprintf(r->detail, sizeof(r->detail),
				 "pin_baseline: %s",
				 ret ? strerror(-ret) : "0 ns");
			return;
		}
		pin_ns[run] = ns;
	}
	ratio = bench_median(map.driver_ns, map.runs) /
		bench_median(pin_ns, PINNED_RUNS);
	snprintf(r->value, sizeof(r->value), "%.3f", ratio);
	snprintf(r->detail, sizeof(r->detail),
		 "map %.1f/%.1f pin %.1f/%.1f ms, %.2f calls",
		 bench_min(map.driver_ns, map.runs) / 1e6,
		 bench_median(map.driver_ns, map.runs) / 1e6,
		 bench_min(pin_ns, PINNED_RUNS) / 1e6,
		 bench_median(pin_ns, PINNED_RUNS) / 1e6,
		 bench_median(map.calls, map.runs));
	if (!map.hv_valid)
		snprintf(r->detail + strlen(r->detail),
			 sizeof(r->detail) - strlen(r->detail), " (incl. hv)");
	r->verdict = ratio <= TARGET_MAP_PIN ? V_MET : V_NOT_MET;
	if (r->verdict == V_NOT_MET) {
		snprintf(what, sizeof(what), "map of %u GiB, %s pages", gib,
			 huge ? "2 MiB" : "4 KiB");
		profile_map(dev, buf, gib * SZ_1G, &map_prof[huge][idx], what);
		bench_row_add_prof(r, &map_prof[huge][idx]);
		snprintf(what, sizeof(what),
			 "pin_user_pages of %u GiB, %s pages", gib,
			 huge ? "2 MiB" : "4 KiB");
		bench_prof_start(&pin_prof[huge][idx], 0, what);
		sim_pin_baseline(buf, gib * SZ_1G, &ns);
		bench_prof_stop(&pin_prof[huge][idx], 1);
		bench_row_add_prof(r, &pin_prof[huge][idx]);
	}
	/* Progress, in case the guest is stopped before the table. */
	printf("  %s: %s (%s)\n", r->what, r->value, r->detail);
	fflush(stdout);
	if (ratio > worst_ratio)
		worst_ratio = ratio;
	map_pin_ratio[huge][idx] = ratio;
	if (huge)
		teardown_per_gib[idx] = bench_median(down.driver_ns,
						     down.runs) / gib;
}

/* Largest over smallest map/pin ratio of the sizes run: flat is <= 1.05. */
static void add_map_flatness(bool huge)
{
	double lo = 0, hi = 0, v;
	struct bench_row *r;
	unsigned int i;

	r = bench_add_row(huge ? "map/pin growth, largest / smallest, 2 MiB" :
			  "map/pin growth, largest / smallest, 4 KiB",
			  "<= 1.05");
	for (i = 0; i < MAX_SIZES && gib_sizes[i] <= largest_gib &&
	     (huge || gib_sizes[i] <= MAX_4K_GIB); i++) {
		v = map_pin_ratio[huge][i];
		if (v <= 0)
			return;
		if (!lo || v < lo)
			lo = v;
		if (v > hi)
			hi = v;
	}
	if (!lo)
		return;
	snprintf(r->value, sizeof(r->value), "%.3f", hi / lo);
	r->verdict = hi / lo <= TARGET_MAP_PIN ? V_MET : V_NOT_MET;
}

/* Teardown time per GiB of pinned memory, and its growth. */
static void add_teardown_rows(void)
{
	struct bench_row *r = bench_add_row("teardown driver time per GiB, pinned 2 MiB",
					    "linear");
	unsigned int i, last = 0;

	for (i = 0; i < MAX_SIZES && gib_sizes[i] <= largest_gib; i++)
		if (teardown_per_gib[i] > 0)
			last = i;
	if (teardown_per_gib[0] <= 0)
		return;
	snprintf(r->value, sizeof(r->value), "%.0f us",
		 teardown_per_gib[last] / 1e3);
	snprintf(r->detail, sizeof(r->detail),
		 "%u GiB: %.0f us/GiB, %u GiB: %.0f us/GiB", gib_sizes[0],
		 teardown_per_gib[0] / 1e3, gib_sizes[last],
		 teardown_per_gib[last] / 1e3);
	/* Linear: the cost per GiB grows by at most a fifth. */
	r->verdict = teardown_per_gib[last] <= 1.2 * teardown_per_gib[0] ?
		     V_MET : V_NOT_MET;
}

/*
 * Measurement 3 (and 4 for movable memory): register N GiB of movable
 * memory, fastest of MOVABLE_RUNS.
 */
static void bench_register(int dev, unsigned char *buf, unsigned int gib)
{
	__u64 id, t0, t, best = ~0ULL;
	long long track = -1;
	unsigned int run;
	char what[56];
	struct bench_row *r;
	int pt, ret = 0;

	snprintf(what, sizeof(what), "register time, %u GiB movable", gib);
	r = bench_add_row(what, "< 1 ms");
	for (run = 0; run < MOVABLE_RUNS && !ret; run++) {
		pt = new_partition(dev, &id);
		if (pt < 0) {
			ret = pt;
			break;
		}
		t0 = now_ns();
		ret = mshv_map_memory(pt, 0, buf, gib * SZ_1G,
				      1 << MSHV_SET_MEM_BIT_WRITABLE);
		t = now_ns() - t0;
		if (!ret) {
			if (t < best)
				best = t;
			if (track < 0)
				track = tracking_per_gib(id, gib);
			mshv_unmap_memory(pt, 0, buf, gib * SZ_1G);
		}
		close(pt);
	}
	if (ret) {
		snprintf(r->detail, sizeof(r->detail), "map: %s",
			 strerror(-ret));
		return;
	}
	snprintf(r->value, sizeof(r->value), "%.3f ms", best / 1e6);
	r->verdict = best < TARGET_REGISTER_NS ? V_MET : V_NOT_MET;
	if (best / 1e6 > worst_register_ms)
		worst_register_ms = best / 1e6;
	if (gib == largest_gib && track >= 0) {
		r = bench_add_row("tracking bytes per GiB, movable", "-");
		set_bytes(r->value, sizeof(r->value), track);
		snprintf(r->detail, sizeof(r->detail), "%u GiB region", gib);
		r->verdict = V_INFO;
		track_movable = track;
	}
}

/* Register time of the largest size over that of 1 GiB: flat is <= 2. */
static void add_register_growth(void)
{
	double first = -1, last = -1, v;
	struct bench_row *r;
	unsigned int i;

	for (i = 0; i < bench_nrows; i++) {
		if (strncmp(bench_rows[i].what, "register time,", 14) ||
		    bench_rows[i].verdict == V_NA)
			continue;
		v = atof(bench_rows[i].value);
		if (first < 0)
			first = v;
		last = v;
	}
	r = bench_add_row("register time growth, largest / 1 GiB", "<= 2 (flat)");
	if (first <= 0 || last < 0)
		return;
	snprintf(r->value, sizeof(r->value), "%.2f", last / first);
	r->verdict = last / first <= 2.0 ? V_MET : V_NOT_MET;
}

static void print_table(void)
{
	char worst[96];

	snprintf(worst, sizeof(worst), "%.3f", worst_ratio);
	bench_print_table();
	printf("map calls per GiB %lld (2 MiB) / %lld (4 KiB); ", calls_2m,
	       calls_4k);
	printf("map driver time/pin <= %s up to %u GiB; ",
	       worst_ratio < 0 ? "n/a" : worst, largest_gib);
	printf("movable register <= %.3f ms up to %u GiB; ", worst_register_ms,
	       largest_gib);
	printf("tracking per GiB %lld B (2 MiB) / %lld B (4 KiB) / %lld B (movable)\n",
	       track_2m, track_4k, track_movable);
}

int main(void)
{
	__u64 avail = mem_available(), need;
	unsigned int small_gib;
	unsigned char *buf;
	unsigned int i;
	int dev;

	dev = mshv_open();
	if (dev < 0) {
		printf("mshv_mem_bench: %s: %s\n", MSHV_DEV_PATH,
		       strerror(-dev));
		return 1;
	}
	if (!mshv_pin_memory_present()) {
		printf("mshv_mem_bench: %s not found\n", MSHV_DBG_PIN_MEMORY);
		return 1;
	}
	for (i = 0; i < MAX_SIZES; i++) {
		need = gib_sizes[i] * SZ_1G + HEADROOM;
		if (need <= avail)
			largest_gib = gib_sizes[i];
	}
	printf("mshv_mem_bench: hypervisor %s (%s), driver statistics %s, ",
	       sim_present() ? "mshv_sim" : "Hyper-V",
	       sim_present() ? "its time is subtracted" :
	       "reports no time: driver time includes it",
	       mshv_dbg_present() ? "present" : "absent");
	printf("%.1f GiB available, runs up to %u GiB\n\n",
	       avail / (double)SZ_1G, largest_gib);
	if (!largest_gib) {
		printf("mshv_mem_bench: not enough memory for 1 GiB\n");
		return 1;
	}

	/* Pinned memory. */
	pin_memory = true;
	bench_map_calls(dev, false);
	bench_map_calls(dev, true);

	small_gib = largest_gib < MAX_4K_GIB ? largest_gib : MAX_4K_GIB;
	buf = vmm_alloc(small_gib * SZ_1G, false);
	if (!buf) {
		printf("mshv_mem_bench: cannot allocate %u GiB\n", small_gib);
		return 1;
	}
	for (i = 0; i < MAX_SIZES && gib_sizes[i] <= small_gib; i++)
		bench_map_vs_pin(dev, buf, gib_sizes[i], i, false);
	add_map_flatness(false);
	munmap(buf, small_gib * SZ_1G);

	buf = vmm_alloc(largest_gib * SZ_1G, true);
	if (!buf) {
		printf("mshv_mem_bench: cannot allocate %u GiB\n",
		       largest_gib);
		return 1;
	}
	for (i = 0; i < MAX_SIZES && gib_sizes[i] <= largest_gib; i++)
		bench_map_vs_pin(dev, buf, gib_sizes[i], i, true);
	add_map_flatness(true);
	add_teardown_rows();

	/* Movable memory. */
	pin_memory = false;
	for (i = 0; i < MAX_SIZES && gib_sizes[i] <= largest_gib; i++)
		bench_register(dev, buf, gib_sizes[i]);
	add_register_growth();

	printf("THP: %ld of %u MiB of the large buffer in huge pages\n\n",
	       mshv_thp_kb(buf) >> 10, largest_gib * 1024);
	munmap(buf, largest_gib * SZ_1G);
	close(dev);
	print_table();
	return 0;
}
