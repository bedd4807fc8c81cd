// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory of /dev/mshv partitions: regions of the VMM's memory that
 * back ranges of a child partition's guest physical address space.
 *
 * A pinned region pins its pages for as long as it exists and maps them
 * all when it is created. It remembers its pages as runs of physically
 * contiguous page frames, not as a pointer per page, so that huge pages
 * cost a few bytes per 2 MiB.
 *
 * A movable region pins nothing and is not mapped in the hypervisor when
 * it is created, so that registering it takes the same time whatever its
 * size. When the guest touches it, the hypervisor reports an unmapped GPA
 * and mshv_region_handle_gpa_fault() faults the 2 MiB chunk around the page
 * in and maps it; an MMU interval notifier unmaps chunks from the guest
 * again whenever the kernel changes the memory behind them (reclaim,
 * migration, munmap). Mainline maps a new movable region with no access
 * instead, which costs a hypercall rep per 2 MiB at registration; the VMM
 * sees no difference, since either way the first access of each chunk
 * ends in the kernel.
 *
 * Wherever the partition allows it, a 2 MiB-aligned guest range backed by
 * 2 MiB of aligned, physically contiguous memory is mapped with one large
 * page.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/container_of.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/hmm.h>
#include <linux/jiffies.h>
#include <linux/kref.h>
#include <linux/kmemleak.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/numa.h>
#include <linux/overflow.h>
#include <linux/rbtree.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <kunit/visibility.h>
#include <asm/mshyperv.h>
#include <hyperv/hvhdk.h>

#include "mshv_root.h"

static_assert(MSHV_LARGE_PAGES == HV_PAGES_PER_LARGE_PAGE);

/* A run packs a page frame number and a length (minus one). */
#define MSHV_RUN_PFN_MASK	GENMASK_ULL(39, 0)
#define MSHV_RUN_LEN_MASK	GENMASK_ULL(63, 40)
#define MSHV_RUN_MAX_PAGES	(FIELD_MAX(MSHV_RUN_LEN_MASK) + 1)
/* Runs allocated at first; the array doubles when full. */
#define MSHV_RUNS_MIN		16
/* Attempts of each teardown unmap before giving up on it. */
#define MSHV_UNMAP_TRIES	3
/* Deposits a fault-in may make before giving up. */
#define MSHV_FAULT_MAX_DEPOSITS	(HV_MAX_RETRY_DEPOSIT_PAGES / \
				 HV_RETRY_DEPOSIT_PAGES)

/* ---- Runs of pinned pages ---------------------------------------------- */

/**
 * mshv_run_pack() - encode a run of physically contiguous pages
 * @pfn: first page frame, below 2^40
 * @nr_pages: length, 1 to 2^24
 *
 * Return: the run.
 */
VISIBLE_IF_KUNIT u64 mshv_run_pack(u64 pfn, u64 nr_pages)
{
	return FIELD_PREP(MSHV_RUN_PFN_MASK, pfn) |
	       FIELD_PREP(MSHV_RUN_LEN_MASK, nr_pages - 1);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_run_pack);

/**
 * mshv_run_pfn() - first page frame of a run
 * @run: the run
 *
 * Return: the page frame number.
 */
VISIBLE_IF_KUNIT u64 mshv_run_pfn(u64 run)
{
	return FIELD_GET(MSHV_RUN_PFN_MASK, run);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_run_pfn);

/**
 * mshv_run_len() - length of a run
 * @run: the run
 *
 * Return: the number of pages.
 */
VISIBLE_IF_KUNIT u64 mshv_run_len(u64 run)
{
	return FIELD_GET(MSHV_RUN_LEN_MASK, run) + 1;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_run_len);

/* Make room for @max runs in all. */
static int mshv_runs_reserve(struct mshv_pinned *pinned, unsigned long max)
{
	u64 *runs;

	if (max <= pinned->max_runs)
		return 0;
	runs = kvrealloc(pinned->runs, array_size(max, sizeof(*runs)),
			 GFP_KERNEL_ACCOUNT);
	if (!runs)
		return -ENOMEM;
	pinned->runs = runs;
	pinned->max_runs = max;
	return 0;
}

static int mshv_runs_grow(struct mshv_pinned *pinned)
{
	return mshv_runs_reserve(pinned,
				 max(pinned->max_runs * 2, MSHV_RUNS_MIN));
}

/*
 * Number of page frames from @pfn on whose struct pages follow each other
 * in the memory map: the rest of @pfn's memory section where the map is
 * kept per section, else all of them.
 */
static unsigned long mshv_memmap_contiguous(unsigned long pfn)
{
#if defined(CONFIG_SPARSEMEM) && !defined(CONFIG_SPARSEMEM_VMEMMAP)
	return PAGES_PER_SECTION - (pfn & (PAGES_PER_SECTION - 1));
#else
	return ULONG_MAX;
#endif
}

/*
 * Number of pages from @pages[0], whose frame is @pfn, on that are
 * consecutive page frames, up to @count. Within the span of the memory map
 * where struct pages follow each other, the page of frame @pfn + n is
 * @pages[0] + n, so each page is checked by comparing its pointer, without
 * computing its frame.
 */
static unsigned int mshv_pages_contiguous(struct page *const *pages,
					  unsigned long pfn,
					  unsigned int count)
{
	struct page *first = pages[0];
	unsigned int n = 1;

	count = min_t(unsigned long, count, mshv_memmap_contiguous(pfn));
	while (n < count && pages[n] == first + n)
		n++;
	return n;
}

/**
 * mshv_runs_add() - add physically contiguous pages to a pinned region's runs
 * @pinned: the runs
 * @pfn: first page frame, below 2^40
 * @nr_pages: number of pages
 *
 * Pages that follow the last run physically extend it, up to the longest
 * run encodable; the others start new runs.
 *
 * Return: 0, or -ENOMEM with part of the pages added.
 */
VISIBLE_IF_KUNIT int mshv_runs_add(struct mshv_pinned *pinned, u64 pfn,
				   u64 nr_pages)
{
	u64 *last, len, add;
	int ret;

	while (nr_pages) {
		last = pinned->nr_runs ? &pinned->runs[pinned->nr_runs - 1] :
					 NULL;
		len = last ? mshv_run_len(*last) : 0;
		if (last && len < MSHV_RUN_MAX_PAGES &&
		    mshv_run_pfn(*last) + len == pfn) {
			add = min(nr_pages, MSHV_RUN_MAX_PAGES - len);
			*last = mshv_run_pack(mshv_run_pfn(*last), len + add);
		} else {
			if (pinned->nr_runs == pinned->max_runs) {
				ret = mshv_runs_grow(pinned);
				if (ret)
					return ret;
			}
			add = min(nr_pages, MSHV_RUN_MAX_PAGES);
			pinned->runs[pinned->nr_runs++] = mshv_run_pack(pfn, add);
		}
		pfn += add;
		nr_pages -= add;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_runs_add);

/**
 * mshv_runs_append() - add pages to the end of a pinned region's runs
 * @pinned: the runs
 * @pages: the next pages of the region, in order
 * @count: number of entries in @pages
 *
 * A page that follows the last run physically extends it. Every page is
 * checked to be the frame its run says; stretches of contiguous frames are
 * then added at once, and only their first page (and the first of each
 * memory section, where the memory map is kept per section) is turned into
 * a frame number.
 *
 * Return: 0, -ENOMEM, or -EINVAL for a frame a run cannot encode. On
 * failure the runs are as they were before the call.
 */
VISIBLE_IF_KUNIT int mshv_runs_append(struct mshv_pinned *pinned,
				      struct page *const *pages,
				      unsigned int count)
{
	unsigned long nr_runs = pinned->nr_runs;
	u64 last = nr_runs ? pinned->runs[nr_runs - 1] : 0;
	unsigned int i, n;
	u64 pfn;
	int ret;

	for (i = 0; i < count; i += n) {
		pfn = page_to_pfn(pages[i]);
		n = mshv_pages_contiguous(pages + i, pfn, count - i);
		/* The stretch ascends: its last frame is its largest. */
		if (WARN_ON_ONCE(pfn + n - 1 > MSHV_RUN_PFN_MASK)) {
			ret = -EINVAL;
			goto restore;
		}
		ret = mshv_runs_add(pinned, pfn, n);
		if (ret)
			goto restore;
	}
	return 0;

restore:
	/* Only the last run was extended and runs were added after it. */
	pinned->nr_runs = nr_runs;
	if (nr_runs)
		pinned->runs[nr_runs - 1] = last;
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_runs_append);

/*
 * Give back the slack of the runs array once the region is complete. Only
 * an attempt: without memory for a smaller copy, the array stays as it is.
 */
static void mshv_runs_trim(struct mshv_pinned *pinned)
{
	u64 *runs;

	if (pinned->nr_runs == pinned->max_runs)
		return;
	runs = kvmalloc_array(pinned->nr_runs, sizeof(*runs),
			      GFP_KERNEL_ACCOUNT);
	if (!runs)
		return;
	memcpy(runs, pinned->runs, pinned->nr_runs * sizeof(*runs));
	kvfree(pinned->runs);
	pinned->runs = runs;
	pinned->max_runs = pinned->nr_runs;
}

/* ---- Walking a region as the hypervisor maps it ------------------------ */

/**
 * mshv_extent_iter_init() - start walking part of a pinned region
 * @it: the iterator
 * @region: the region, pinned
 * @gfn: first guest page frame; the start of the region or of a 2 MiB
 *	chunk, so that large extents come out as they were mapped
 * @nr_pages: number of pages to walk
 */
VISIBLE_IF_KUNIT void mshv_extent_iter_init(struct mshv_extent_iter *it,
					    const struct mshv_mem_region *region,
					    u64 gfn, u64 nr_pages)
{
	u64 off = gfn - region->start_gfn;

	it->region = region;
	it->gfn = gfn;
	it->end = gfn + nr_pages;
	it->run = 0;
	while (it->run < region->pinned.nr_runs &&
	       off >= mshv_run_len(region->pinned.runs[it->run])) {
		off -= mshv_run_len(region->pinned.runs[it->run]);
		it->run++;
	}
	it->run_off = off;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_extent_iter_init);

/**
 * mshv_extent_next() - the next extent of a region walk
 * @it: the iterator
 * @ext: receives the extent
 *
 * An extent is either one large page (512 pages, guest frame and page frame
 * both 512-aligned, physically contiguous, in a partition with GPA super
 * pages) or up to 512 pages mapped one by one, never crossing a 2 MiB guest
 * boundary.
 *
 * Return: false when the walk is over.
 */
VISIBLE_IF_KUNIT bool mshv_extent_next(struct mshv_extent_iter *it,
				       struct mshv_extent *ext)
{
	const struct mshv_mem_region *region = it->region;
	u64 left, pfn, run;

	if (it->gfn >= it->end)
		return false;
	if (WARN_ON_ONCE(it->run >= region->pinned.nr_runs))
		return false;
	run = region->pinned.runs[it->run];
	pfn = mshv_run_pfn(run) + it->run_off;
	left = min(it->end - it->gfn, mshv_run_len(run) - it->run_off);

	ext->gfn = it->gfn;
	ext->pfn = pfn;
	ext->large = region->partition->pt_super_pages &&
		     IS_ALIGNED(it->gfn, MSHV_LARGE_PAGES) &&
		     IS_ALIGNED(pfn, MSHV_LARGE_PAGES) &&
		     left >= MSHV_LARGE_PAGES;
	ext->nr_pages = ext->large ? MSHV_LARGE_PAGES :
		min(left, MSHV_LARGE_PAGES - (it->gfn % MSHV_LARGE_PAGES));

	it->gfn += ext->nr_pages;
	it->run_off += ext->nr_pages;
	if (it->run_off == mshv_run_len(run)) {
		it->run++;
		it->run_off = 0;
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_extent_next);

/*
 * Pool pages the hypervisor needs to map @nr_pages pages of a pinned region
 * from @gfn (see mshv_region_slat_pages()) once the region's pages below
 * @gfn are mapped: the tables those pages use are not counted again.
 */
static u64 mshv_region_slat_pages_range(const struct mshv_mem_region *region,
					u64 gfn, u64 nr_pages)
{
	u64 pages = 0, last_2m = U64_MAX, last_1g = U64_MAX;
	struct mshv_extent_iter it;
	struct mshv_extent ext;

	if (gfn > region->start_gfn) {
		last_1g = (gfn - 1) / MSHV_GIB_PAGES;
		/* Only 4 KiB extents end inside a 2 MiB range. */
		if (!IS_ALIGNED(gfn, MSHV_LARGE_PAGES))
			last_2m = (gfn - 1) / MSHV_LARGE_PAGES;
	}
	mshv_extent_iter_init(&it, region, gfn, nr_pages);
	while (mshv_extent_next(&it, &ext)) {
		if (!ext.large && ext.gfn / MSHV_LARGE_PAGES != last_2m) {
			last_2m = ext.gfn / MSHV_LARGE_PAGES;
			pages++;
		}
		if (ext.gfn / MSHV_GIB_PAGES != last_1g) {
			last_1g = ext.gfn / MSHV_GIB_PAGES;
			pages++;
		}
	}
	return pages;
}

/* Used by the KUnit tests only. */
#if IS_ENABLED(CONFIG_KUNIT)
/**
 * mshv_region_slat_pages() - pool pages the hypervisor needs to map a region
 * @region: the region, pinned
 *
 * The hypervisor's second level address translation takes a page for each
 * 2 MiB guest range that holds 4 KiB mappings and one for each 1 GiB range
 * that holds any mapping.
 *
 * Return: the number of pages to deposit before mapping @region.
 */
VISIBLE_IF_KUNIT u64 mshv_region_slat_pages(const struct mshv_mem_region *region)
{
	return mshv_region_slat_pages_range(region, region->start_gfn,
					    region->nr_pages);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_region_slat_pages);
#endif

/* ---- Batching extents into hypercalls ---------------------------------- */

/**
 * struct mshv_gpa_batch - reps collected for one map or unmap hypercall
 * @pt_id: the partition
 * @flags: HV_MAP_GPA_* flags, without HV_MAP_GPA_LARGE_PAGE
 * @unmap: the reps are unmapped instead of mapped
 * @pfns: page frame of each rep (a map with page frames), else NULL
 * @large: the reps are large pages
 * @gfn: first guest page frame of the batch
 * @nr: number of reps collected
 */
struct mshv_gpa_batch {
	u64 pt_id;
	u32 flags;
	bool unmap;
	u64 *pfns;
	bool large;
	u64 gfn;
	unsigned int nr;
};

static u64 mshv_batch_stride(const struct mshv_gpa_batch *batch)
{
	return batch->large ? MSHV_LARGE_PAGES : 1;
}

/* Guest page frame after the last one the batch covers. */
static u64 mshv_batch_end(const struct mshv_gpa_batch *batch)
{
	return batch->gfn + batch->nr * mshv_batch_stride(batch);
}

static int mshv_batch_flush(struct mshv_gpa_batch *batch)
{
	int ret;

	if (!batch->nr)
		return 0;
	if (batch->unmap)
		ret = mshv_hvcall_unmap_gpa_pages(batch->pt_id, batch->gfn,
						  batch->large ?
						  HV_UNMAP_GPA_LARGE_PAGE : 0,
						  batch->nr);
	else
		ret = mshv_hvcall_map_gpa_pages_deposit(batch->pt_id,
							batch->gfn,
							batch->flags |
							(batch->large ?
							 HV_MAP_GPA_LARGE_PAGE :
							 0),
							batch->pfns,
							batch->nr);
	if (!ret)
		batch->nr = 0;
	return ret;
}

/* Add an extent, issuing the batch whenever it cannot take more. */
static int mshv_batch_add(struct mshv_gpa_batch *batch,
			  const struct mshv_extent *ext)
{
	unsigned int max = batch->unmap ? HV_UNMAP_GPA_MAX_PAGES :
					  HV_MAP_GPA_MAX_PAGES;
	u64 stride = ext->large ? MSHV_LARGE_PAGES : 1;
	u64 reps = ext->nr_pages / stride, i = 0;
	int ret;

	while (i < reps) {
		if (batch->nr && (batch->large != ext->large ||
				  mshv_batch_end(batch) != ext->gfn + i * stride ||
				  batch->nr == max)) {
			ret = mshv_batch_flush(batch);
			if (ret)
				return ret;
		}
		if (!batch->nr) {
			batch->large = ext->large;
			batch->gfn = ext->gfn + i * stride;
		}
		for (; i < reps && batch->nr < max; i++) {
			if (batch->pfns)
				batch->pfns[batch->nr] = ext->pfn + i * stride;
			batch->nr++;
		}
	}
	return 0;
}

/**
 * mshv_region_unmap_range() - unmap part of a pinned region
 * @region: the region, pinned
 * @gfn: first guest page frame; the region's first or 2 MiB-aligned
 * @nr_pages: number of pages
 *
 * Large pages are unmapped as large pages, so that nothing is split. Keeps
 * going after a failure so that as much as possible is unmapped.
 *
 * Context: any context; never allocates.
 * Return: 0, or the first error.
 */
VISIBLE_IF_KUNIT int mshv_region_unmap_range(struct mshv_mem_region *region,
					     u64 gfn, u64 nr_pages)
{
	struct mshv_gpa_batch batch = {
		.pt_id = region->partition->pt_id,
		.unmap = true,
	};
	struct mshv_extent_iter it;
	struct mshv_extent ext;
	int ret = 0, err;

	mshv_extent_iter_init(&it, region, gfn, nr_pages);
	while (mshv_extent_next(&it, &ext)) {
		err = mshv_batch_add(&batch, &ext);
		if (err) {
			ret = ret ?: err;
			/* Drop the failed batch and go on with the rest. */
			batch.nr = 0;
			err = mshv_batch_add(&batch, &ext);
			ret = ret ?: err;
		}
	}
	err = mshv_batch_flush(&batch);
	return ret ?: err;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_region_unmap_range);

/*
 * Map @nr_pages pages of a pinned region from @gfn, the region's first
 * page or the first of a 2 MiB guest range, all of whose pages below @gfn
 * are mapped already. On failure unmap the region's pages below the end
 * of the failed batch, those of earlier calls included; *@undo_err is the
 * result of that (0 if nothing needed undoing): pages the hypervisor
 * failed to unmap must stay pinned.
 */
static int mshv_region_map_range(struct mshv_mem_region *region, u64 gfn,
				 u64 nr_pages, int *undo_err)
{
	struct mshv_gpa_batch batch = {
		.pt_id = region->partition->pt_id,
		.flags = region->hv_map_flags,
		.gfn = gfn,
	};
	struct mshv_extent_iter it;
	struct mshv_extent ext;
	int ret;

	*undo_err = 0;
	ret = hv_call_deposit_pages(NUMA_NO_NODE, region->partition->pt_id,
				    mshv_region_slat_pages_range(region, gfn,
								 nr_pages));
	if (ret)
		goto unmap;

	batch.pfns = kmalloc_array(HV_MAP_GPA_MAX_PAGES, sizeof(*batch.pfns),
				   GFP_KERNEL);
	if (!batch.pfns) {
		ret = -ENOMEM;
		goto unmap;
	}

	mshv_extent_iter_init(&it, region, gfn, nr_pages);
	while (mshv_extent_next(&it, &ext)) {
		ret = mshv_batch_add(&batch, &ext);
		if (ret)
			goto unmap;
		cond_resched();
	}
	ret = mshv_batch_flush(&batch);
	if (ret)
		goto unmap;

	kfree(batch.pfns);
	return 0;

unmap:
	/* The failed batch may have been done in part. */
	if (mshv_batch_end(&batch) > region->start_gfn)
		*undo_err = mshv_region_unmap_range(region, region->start_gfn,
						    mshv_batch_end(&batch) -
						    region->start_gfn);
	kfree(batch.pfns);
	return ret;
}

/* Used by the KUnit tests only. */
#if IS_ENABLED(CONFIG_KUNIT)
/**
 * mshv_region_map_pinned() - map every page of a pinned region
 * @region: the region, pinned
 *
 * Deposits the memory the mapping takes first, then maps the region in
 * batches of HV_MAP_GPA_MAX_PAGES reps. On failure nothing stays mapped.
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno.
 */
VISIBLE_IF_KUNIT int mshv_region_map_pinned(struct mshv_mem_region *region)
{
	int undo_err;

	return mshv_region_map_range(region, region->start_gfn,
				     region->nr_pages, &undo_err);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_region_map_pinned);
#endif

/* ---- Pinned regions ---------------------------------------------------- */

static void mshv_pinned_unpin(struct mshv_pinned *pinned, bool dirty)
{
	unsigned long i;

	for (i = 0; i < pinned->nr_runs; i++) {
		unpin_user_page_range_dirty_lock(pfn_to_page(mshv_run_pfn(pinned->runs[i])),
						 mshv_run_len(pinned->runs[i]),
						 dirty);
		cond_resched();
	}
	pinned->nr_runs = 0;
}

/* Pin one batch of pages and add them to @pinned. */
static int mshv_region_pin_batch(struct mshv_mem_region *region,
				 struct mshv_pinned *pinned, u64 offset,
				 unsigned int count, struct page **pages)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	int ret, nr;

	if (region->writable)
		gup_flags |= FOLL_WRITE;
	nr = pin_user_pages_fast(region->start_uaddr + offset * PAGE_SIZE,
				 count, gup_flags, pages);
	if (nr < 0)
		return nr == -ENOMEM || nr == -EINTR ? nr : -EFAULT;
	if (nr < count) {
		unpin_user_pages(pages, nr);
		return -EFAULT;
	}

	ret = mshv_runs_append(pinned, pages, count);
	if (ret)
		unpin_user_pages(pages, count);
	return ret == -EINVAL ? -EFAULT : ret;
}

/*
 * Pin @nr_pages pages from page @first of the region and add them to
 * @pinned, in batches of MSHV_PIN_BATCH pages. On failure every page in
 * @pinned is unpinned.
 */
static int mshv_region_pin_range(struct mshv_mem_region *region,
				 struct mshv_pinned *pinned, u64 first,
				 u64 nr_pages)
{
	struct page **pages;
	unsigned int count;
	u64 done;
	int ret;

	pages = kvmalloc_array(MSHV_PIN_BATCH, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	for (done = 0; done < nr_pages; done += count) {
		count = min_t(u64, nr_pages - done, MSHV_PIN_BATCH);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto unpin;
		}
		ret = mshv_region_pin_batch(region, pinned, first + done, count,
					    pages);
		if (ret)
			goto unpin;
		cond_resched();
	}
	ret = 0;
	goto free;

unpin:
	/* A failed batch unpinned its own pages; these are the earlier ones. */
	mshv_pinned_unpin(pinned, false);
free:
	kvfree(pages);
	return ret;
}

/*
 * Unpin a region whose setup failed, unless the hypervisor may still map
 * its pages (@undo_err: unmapping them failed), in which case they stay
 * pinned (leaked).
 */
static void mshv_region_setup_undo(struct mshv_mem_region *region,
				   int undo_err)
{
	if (undo_err) {
		pr_err("partition %llu: leaking %llu pinned pages at GPA %#llx: %d\n",
		       region->partition->pt_id, region->nr_pages,
		       region->start_gfn << HV_HYP_PAGE_SHIFT, undo_err);
		return;
	}
	/* The guest may have written to what was mapped for a moment. */
	mshv_pinned_unpin(&region->pinned, region->writable);
}

/*
 * Pin a region, then map it: all of it is pinned first, so that the map
 * calls can carry HV_MAP_GPA_MAX_PAGES reps each. On failure nothing stays
 * mapped, and nothing stays pinned unless the hypervisor may still map it.
 */
static int mshv_region_setup_pinned(struct mshv_mem_region *region)
{
	struct mm_struct *mm = current->mm;
	int ret, undo_err;

	/*
	 * Long-term pins are charged as VFIO charges them: to the VMM's
	 * locked_vm, within RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK.
	 */
	ret = account_locked_vm(mm, region->nr_pages, true);
	if (ret)
		goto free_runs;
	ret = mshv_region_pin_range(region, &region->pinned, 0,
				    region->nr_pages);
	if (ret)
		goto uncharge;
	ret = mshv_region_map_range(region, region->start_gfn,
				    region->nr_pages, &undo_err);
	if (ret)
		goto undo;

	mmgrab(mm);
	region->locked_mm = mm;
	mshv_runs_trim(&region->pinned);
	region->tracking_bytes += region->pinned.max_runs *
				  sizeof(*region->pinned.runs);
	return 0;

undo:
	mshv_region_setup_undo(region, undo_err);
	/* Pages the hypervisor may still map stay pinned, and charged. */
	if (undo_err)
		goto free_runs;
uncharge:
	account_locked_vm(mm, region->nr_pages, false);
free_runs:
	kvfree(region->pinned.runs);
	region->pinned.runs = NULL;
	return ret;
}

/* ---- Movable regions --------------------------------------------------- */

static u64 mshv_chunk_base(const struct mshv_mem_region *region)
{
	return ALIGN_DOWN(region->start_gfn, MSHV_LARGE_PAGES);
}

static unsigned long mshv_region_nr_chunks(const struct mshv_mem_region *region)
{
	return (ALIGN(region->start_gfn + region->nr_pages, MSHV_LARGE_PAGES) -
		mshv_chunk_base(region)) / MSHV_LARGE_PAGES;
}

/* The guest pages of @chunk that belong to the region. */
static void mshv_chunk_range(const struct mshv_mem_region *region,
			     unsigned long chunk, u64 *gfn, u64 *nr_pages)
{
	u64 first = mshv_chunk_base(region) + (u64)chunk * MSHV_LARGE_PAGES;
	u64 end = first + MSHV_LARGE_PAGES;

	first = max(first, region->start_gfn);
	end = min(end, region->start_gfn + region->nr_pages);
	*gfn = first;
	*nr_pages = end - first;
}

static unsigned long mshv_gfn_chunk(const struct mshv_mem_region *region,
				    u64 gfn)
{
	return (gfn - mshv_chunk_base(region)) / MSHV_LARGE_PAGES;
}

/*
 * Unmap the region's pages of a mapped chunk from the hypervisor, the way
 * they were mapped: one large rep for a large page, so that nothing is
 * split. Unmapping never needs memory from the pool, so this only fails if
 * the hypervisor refuses the call; the chunk then stays marked mapped, for
 * a later attempt.
 */
static int mshv_movable_unmap_chunk(struct mshv_mem_region *region,
				    unsigned long chunk)
{
	struct mshv_movable *movable = &region->movable;
	bool large = test_bit(chunk, movable->large);
	u64 gfn, nr_pages;
	int ret, try;

	lockdep_assert_held(&movable->lock);

	mshv_chunk_range(region, chunk, &gfn, &nr_pages);
	for (try = 0; try < MSHV_UNMAP_TRIES; try++) {
		ret = mshv_hvcall_unmap_gpa_pages(region->partition->pt_id,
						  gfn,
						  large ?
						  HV_UNMAP_GPA_LARGE_PAGE : 0,
						  large ? 1 : nr_pages);
		if (!ret)
			break;
	}
	if (ret)
		return ret;
	__clear_bit(chunk, movable->chunks);
	__clear_bit(chunk, movable->large);
	atomic64_sub(nr_pages, &region->partition->pt_movable_mapped);
	return 0;
}

/*
 * Unmap every mapped chunk of the region in [first, last]. For an
 * invalidation (@save_dirty), the hypervisor's dirty bits go with the
 * mapping, and the VP may write to a chunk until its unmap is done, so a
 * query first could miss a write: each writable chunk counts as dirty
 * (see struct mshv_movable), whatever the hypervisor would say.
 */
static int mshv_movable_unmap_chunks(struct mshv_mem_region *region,
				     unsigned long first, unsigned long last,
				     bool save_dirty)
{
	unsigned long chunk = first;
	int ret = 0, err;

	lockdep_assert_held(&region->movable.lock);

	for_each_set_bit_from(chunk, region->movable.chunks, last + 1) {
		if (save_dirty && region->writable)
			set_bit(chunk, region->movable.lost_dirty);
		err = mshv_movable_unmap_chunk(region, chunk);
		ret = ret ?: err;
	}
	return ret;
}

static bool mshv_region_invalidate(struct mmu_interval_notifier *mni,
				   const struct mmu_notifier_range *range,
				   unsigned long cur_seq)
{
	struct mshv_mem_region *region =
		container_of(mni, struct mshv_mem_region, movable.mni);
	u64 size = region->nr_pages << HV_HYP_PAGE_SHIFT;
	struct mshv_partition *pt = region->partition;
	unsigned long start, end;
	int ret = 0;

	if (mmu_notifier_range_blockable(range))
		mutex_lock(&region->movable.lock);
	else if (!mutex_trylock(&region->movable.lock))
		return false;

	mmu_interval_set_seq(mni, cur_seq);

	start = max(range->start, region->start_uaddr);
	end = min(range->end, region->start_uaddr + size);
	if (start < end)
		ret = mshv_movable_unmap_chunks(region,
						mshv_gfn_chunk(region, region->start_gfn +
							       ((start - region->start_uaddr) >>
								HV_HYP_PAGE_SHIFT)),
						mshv_gfn_chunk(region, region->start_gfn +
							       ((end - 1 - region->start_uaddr) >>
								HV_HYP_PAGE_SHIFT)),
						true);
	WARN_ONCE(ret, "mshv: partition %llu keeps access to memory at GPA %#llx that the kernel takes away: %d\n",
		  pt->pt_id, region->start_gfn << HV_HYP_PAGE_SHIFT, ret);

	mutex_unlock(&region->movable.lock);
	return true;
}

static const struct mmu_interval_notifier_ops mshv_region_mni_ops = {
	.invalidate = mshv_region_invalidate,
};

/* Map up to one chunk, @nr_pages guest pages from @gfn, with 4 KiB reps. */
static u64 mshv_movable_map_small(struct mshv_mem_region *region, u64 gfn,
				  u64 nr_pages, const u64 *pfns)
{
	u64 done, status = HV_STATUS_SUCCESS;
	unsigned int count;

	for (done = 0; done < nr_pages; done += count) {
		count = min_t(u64, nr_pages - done, HV_MAP_GPA_MAX_PAGES);
		status = mshv_hvcall_map_gpa_pages(region->partition->pt_id,
						   gfn + done,
						   region->hv_map_flags,
						   pfns + done, count);
		if (!hv_result_success(status))
			break;
	}
	return status;
}

/*
 * Map a faulted-in chunk whose frames are @pfns: as one large page if the
 * partition allows it and the chunk is a whole aligned 2 MiB of aligned,
 * contiguous frames, else page by page. Called with the region's lock held.
 */
static u64 mshv_movable_map_chunk(struct mshv_mem_region *region,
				  unsigned long chunk, const u64 *pfns)
{
	struct mshv_movable *movable = &region->movable;
	u64 gfn, nr_pages, i, status;
	bool large;

	lockdep_assert_held(&movable->lock);

	mshv_chunk_range(region, chunk, &gfn, &nr_pages);
	for (i = 1; i < nr_pages; i++)
		if (pfns[i] != pfns[0] + i)
			break;
	large = region->partition->pt_super_pages && i == MSHV_LARGE_PAGES &&
		IS_ALIGNED(gfn, MSHV_LARGE_PAGES) &&
		IS_ALIGNED(pfns[0], MSHV_LARGE_PAGES);
	if (large)
		status = mshv_hvcall_map_gpa_pages(region->partition->pt_id,
						   gfn,
						   region->hv_map_flags |
						   HV_MAP_GPA_LARGE_PAGE,
						   pfns, 1);
	else
		status = mshv_movable_map_small(region, gfn, nr_pages, pfns);

	__set_bit(chunk, movable->chunks);
	__assign_bit(chunk, movable->large, large);
	atomic64_add(nr_pages, &region->partition->pt_movable_mapped);
	/*
	 * A failure after the first batch leaves part of the chunk mapped:
	 * take the whole chunk back, or an invalidation would miss it. Pages
	 * that were not mapped are unmapped too, which does nothing.
	 */
	if (!hv_result_success(status) &&
	    mshv_movable_unmap_chunk(region, chunk))
		pr_err("partition %llu: a failed fault-in left GPA %#llx mapped\n",
		       region->partition->pt_id, gfn << HV_HYP_PAGE_SHIFT);
	return status;
}

/*
 * Fault in the pages of @range that are missing, or that are not writable
 * although @write asks for it. Unlike hmm_range_fault(), which never lets
 * a fault drop mmap_lock, fixup_user_fault() lets a userfaultfd handler or
 * a blocking file system resolve the fault, and lets a fatal signal end
 * the wait. Called with mmap_lock held for read; returns with it held.
 *
 * Return: the number of pages faulted in, or a negative errno.
 */
static long mshv_movable_fault_missing(struct mm_struct *mm,
				       const struct hmm_range *range,
				       bool write)
{
	unsigned long addr, need, done = 0;
	bool unlocked;
	int ret;

	need = HMM_PFN_VALID | (write ? HMM_PFN_WRITE : 0);
	for (addr = range->start; addr < range->end; addr += PAGE_SIZE) {
		if ((range->hmm_pfns[(addr - range->start) >> PAGE_SHIFT] &
		     need) == need)
			continue;
		unlocked = false;
		ret = fixup_user_fault(mm, addr, write ? FAULT_FLAG_WRITE : 0,
				       &unlocked);
		if (ret)
			return ret;
		done++;
	}
	return done;
}

/*
 * Fault in one chunk of a movable region and map it, retrying while the
 * memory changes underneath. The region's lock is only held to map, so
 * that faulting the pages in may reclaim memory (and invalidate), and so
 * that a fault the VMM resolves itself (userfaultfd) blocks nobody but
 * this thread. A region removed meanwhile is not mapped again.
 */
static int mshv_movable_fault_chunk(struct mshv_mem_region *region,
				    unsigned long chunk)
{
	struct mmu_interval_notifier *mni = &region->movable.mni;
	unsigned long timeout, *hmm_pfns;
	unsigned int deposits = 0;
	struct hmm_range range = {
		.notifier = mni,
	};
	struct mm_struct *mm = mni->mm;
	u64 gfn, nr_pages, status, i;
	bool write = region->writable, looked = false;
	long faulted;
	u64 *pfns;
	int ret;

	mshv_chunk_range(region, chunk, &gfn, &nr_pages);
	range.start = region->start_uaddr +
		      ((gfn - region->start_gfn) << HV_HYP_PAGE_SHIFT);
	range.end = range.start + (nr_pages << HV_HYP_PAGE_SHIFT);

	hmm_pfns = kmalloc_array(nr_pages, sizeof(*hmm_pfns), GFP_KERNEL);
	pfns = kmalloc_array(nr_pages, sizeof(*pfns), GFP_KERNEL);
	ret = -ENOMEM;
	if (!hmm_pfns || !pfns)
		goto free;
	range.hmm_pfns = hmm_pfns;

	ret = -EFAULT;
	if (!mmget_not_zero(mm))
		goto free;

	timeout = jiffies + msecs_to_jiffies(HMM_RANGE_DEFAULT_TIMEOUT);
	for (;;) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (READ_ONCE(region->movable.removed)) {
			ret = -ENOENT;
			break;
		}
		/*
		 * First look at the pages without faulting and fault in the
		 * missing ones with mmap_lock droppable; then take the range
		 * with hmm_range_fault(), which faults whatever went missing
		 * again meanwhile.
		 */
		range.notifier_seq = mmu_interval_read_begin(mni);
		range.default_flags = 0;
		if (looked)
			range.default_flags = HMM_PFN_REQ_FAULT |
					      (write ? HMM_PFN_REQ_WRITE : 0);
		mmap_read_lock(mm);
		ret = hmm_range_fault(&range);
		faulted = 0;
		if (!ret && !looked)
			faulted = mshv_movable_fault_missing(mm, &range, write);
		mmap_read_unlock(mm);
		if (ret == -EBUSY && time_before(jiffies, timeout))
			continue;
		if (ret)
			break;
		if (faulted < 0) {
			ret = faulted;
			break;
		}
		if (faulted) {
			looked = true;
			continue;
		}
		for (i = 0; i < nr_pages; i++)
			pfns[i] = page_to_pfn(hmm_pfn_to_page(hmm_pfns[i]));

		mutex_lock(&region->movable.lock);
		if (region->movable.removed) {
			mutex_unlock(&region->movable.lock);
			ret = -ENOENT;
			break;
		}
		if (mmu_interval_read_retry(mni, range.notifier_seq)) {
			mutex_unlock(&region->movable.lock);
			looked = false;
			continue;
		}
		/* Another virtual processor may have mapped it meanwhile. */
		status = HV_STATUS_SUCCESS;
		if (!test_bit(chunk, region->movable.chunks))
			status = mshv_movable_map_chunk(region, chunk, pfns);
		mutex_unlock(&region->movable.lock);

		ret = hv_status_to_errno(status);
		if (!hv_status_needs_memory(status))
			break;
		/* Feed the pool with the lock dropped, then fault again. */
		if (++deposits > MSHV_FAULT_MAX_DEPOSITS)
			break;
		ret = hv_call_deposit_for_status(NUMA_NO_NODE,
						 region->partition->pt_id,
						 status);
		if (ret < 0)
			break;
		ret = 0;
	}
	mmput(mm);
free:
	kfree(pfns);
	kfree(hmm_pfns);
	return ret;
}

/*
 * The region's memory must be mapped in the process, writable if the
 * region is, and not be I/O memory, which is not supported.
 */
static int mshv_region_check_vmas(const struct mshv_mem_region *region)
{
	unsigned long addr = region->start_uaddr;
	unsigned long end = addr + (region->nr_pages << HV_HYP_PAGE_SHIFT);
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	int ret = 0;

	mmap_read_lock(mm);
	while (addr < end) {
		vma = vma_lookup(mm, addr);
		if (!vma || (vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
		    (region->writable && !(vma->vm_flags & VM_WRITE))) {
			ret = -EFAULT;
			break;
		}
		addr = vma->vm_end;
	}
	mmap_read_unlock(mm);
	return ret;
}

/*
 * Set a movable region up without any hypercall: its chunks are mapped as
 * the guest faults on them, so registering takes the same time whatever
 * the size of the region.
 */
static int mshv_region_setup_movable(struct mshv_mem_region *region)
{
	unsigned long longs = BITS_TO_LONGS(mshv_region_nr_chunks(region));
	int ret;

	mutex_init(&region->movable.lock);
	/* One allocation holds the three bitmaps. */
	region->movable.chunks = bitmap_zalloc(3 * longs * BITS_PER_LONG,
					       GFP_KERNEL_ACCOUNT);
	if (!region->movable.chunks) {
		ret = -ENOMEM;
		goto destroy_lock;
	}
	region->movable.large = region->movable.chunks + longs;
	region->movable.lost_dirty = region->movable.chunks + 2 * longs;

	ret = mshv_region_check_vmas(region);
	if (ret)
		goto free_chunks;

	ret = mmu_interval_notifier_insert(&region->movable.mni, current->mm,
					   region->start_uaddr,
					   region->nr_pages << HV_HYP_PAGE_SHIFT,
					   &mshv_region_mni_ops);
	if (ret)
		goto free_chunks;

	region->tracking_bytes += 3 * longs * sizeof(unsigned long);
	return 0;

free_chunks:
	bitmap_free(region->movable.chunks);
destroy_lock:
	mutex_destroy(&region->movable.lock);
	return ret;
}

/* ---- Regions of a partition -------------------------------------------- */

/**
 * mshv_partition_regions_init() - set up a partition's empty region tree
 * @pt: the partition
 */
void mshv_partition_regions_init(struct mshv_partition *pt)
{
	spin_lock_init(&pt->pt_regions_lock);
	pt->pt_regions = RB_ROOT;
	pt->pt_nr_regions = 0;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_partition_regions_init);

/* The region with the highest start below @end_gfn, if any. */
static struct mshv_mem_region *mshv_region_below(struct mshv_partition *pt,
						 u64 end_gfn)
{
	struct rb_node *node = pt->pt_regions.rb_node;
	struct mshv_mem_region *found = NULL, *region;

	lockdep_assert(lockdep_is_held(&pt->pt_mutex) ||
		       lockdep_is_held(&pt->pt_regions_lock));

	while (node) {
		region = rb_entry(node, struct mshv_mem_region, node);
		if (region->start_gfn < end_gfn) {
			found = region;
			node = node->rb_right;
		} else {
			node = node->rb_left;
		}
	}
	return found;
}

/* The region that holds @gfn; caller holds pt_mutex or pt_regions_lock. */
static struct mshv_mem_region *mshv_region_find(struct mshv_partition *pt,
						u64 gfn)
{
	struct mshv_mem_region *region;

	if (gfn == U64_MAX)
		return NULL;
	region = mshv_region_below(pt, gfn + 1);
	if (region && gfn - region->start_gfn < region->nr_pages)
		return region;
	return NULL;
}

/**
 * mshv_region_lookup() - find the region holding a guest page and hold it
 * @pt: the partition
 * @gfn: the guest page frame
 *
 * The region stays valid until mshv_region_put(), even if it is removed
 * from the partition meanwhile: its removal does not wait for the holder,
 * which may then be the one to free it.
 *
 * Context: any context but atomic; takes pt_regions_lock.
 * Return: the region, or NULL.
 */
VISIBLE_IF_KUNIT struct mshv_mem_region *
mshv_region_lookup(struct mshv_partition *pt, u64 gfn)
{
	struct mshv_mem_region *region;

	spin_lock(&pt->pt_regions_lock);
	region = mshv_region_find(pt, gfn);
	if (region)
		kref_get(&region->refs);
	spin_unlock(&pt->pt_regions_lock);
	return region;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_region_lookup);

static void mshv_region_destroy(struct mshv_mem_region *region);

static void mshv_region_release(struct kref *kref)
{
	mshv_region_destroy(container_of(kref, struct mshv_mem_region, refs));
}

/**
 * mshv_region_put() - drop a reference to a region
 * @region: the region
 *
 * The last reference goes once the region is out of the tree and out of
 * the hypervisor; dropping it unpins or stops watching the region's memory
 * and frees the region.
 *
 * Context: process context, may sleep; no lock of the region held.
 */
VISIBLE_IF_KUNIT void mshv_region_put(struct mshv_mem_region *region)
{
	kref_put(&region->refs, mshv_region_release);
}
EXPORT_SYMBOL_IF_KUNIT(mshv_region_put);

/**
 * mshv_region_insert() - add a region to its partition's tree
 * @pt: the partition
 * @region: the region
 *
 * Context: pt_mutex held.
 * Return: 0, or -EEXIST if it overlaps a region of the tree.
 */
VISIBLE_IF_KUNIT int mshv_region_insert(struct mshv_partition *pt,
					struct mshv_mem_region *region)
{
	u64 end = region->start_gfn + region->nr_pages;
	struct rb_node **link = &pt->pt_regions.rb_node, *parent = NULL;
	struct mshv_mem_region *below, *other;

	lockdep_assert_held(&pt->pt_mutex);

	below = mshv_region_below(pt, end);
	if (below && below->start_gfn + below->nr_pages > region->start_gfn)
		return -EEXIST;

	while (*link) {
		parent = *link;
		other = rb_entry(parent, struct mshv_mem_region, node);
		if (region->start_gfn < other->start_gfn)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}

	spin_lock(&pt->pt_regions_lock);
	rb_link_node(&region->node, parent, link);
	rb_insert_color(&region->node, &pt->pt_regions);
	spin_unlock(&pt->pt_regions_lock);
	WRITE_ONCE(pt->pt_nr_regions, pt->pt_nr_regions + 1);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_region_insert);

/*
 * Take a region out of the tree, so that no new lookup finds it. The tree's
 * reference stays with the caller; holders from earlier lookups may keep
 * using the region, and are not waited for.
 */
static void mshv_region_erase(struct mshv_partition *pt,
			      struct mshv_mem_region *region)
{
	spin_lock(&pt->pt_regions_lock);
	rb_erase(&region->node, &pt->pt_regions);
	spin_unlock(&pt->pt_regions_lock);
	WRITE_ONCE(pt->pt_nr_regions, pt->pt_nr_regions - 1);
}

/*
 * Validate a user's region; only the page count is derived from it.
 * Fields are checked in the order of the structure.
 */
static int mshv_region_check(const struct mshv_user_mem_region *mem,
			     u64 *nr_pages)
{
	u64 end;

	if (!mem->size || !PAGE_ALIGNED(mem->size) ||
	    !PAGE_ALIGNED(mem->userspace_addr))
		return -EINVAL;
	*nr_pages = mem->size >> HV_HYP_PAGE_SHIFT;
	if (check_add_overflow(mem->guest_pfn, *nr_pages, &end) ||
	    end > MSHV_GFN_LIMIT)
		return -EINVAL;
	if (check_add_overflow(mem->userspace_addr, mem->size, &end) ||
	    end > TASK_SIZE)
		return -EINVAL;
	return 0;
}

static struct mshv_mem_region *
mshv_region_alloc(struct mshv_partition *pt,
		  const struct mshv_user_mem_region *mem, u64 nr_pages,
		  bool movable)
{
	struct mshv_mem_region *region;

	region = kzalloc(sizeof(*region), GFP_KERNEL_ACCOUNT);
	if (!region)
		return NULL;
	kref_init(&region->refs);
	region->partition = pt;
	region->start_gfn = mem->guest_pfn;
	region->nr_pages = nr_pages;
	region->start_uaddr = mem->userspace_addr;
	region->type = movable ? MSHV_REGION_MOVABLE : MSHV_REGION_PINNED;
	region->writable = mem->flags & BIT(MSHV_SET_MEM_BIT_WRITABLE);
	region->hv_map_flags = HV_MAP_GPA_READABLE | HV_MAP_GPA_ADJUSTABLE;
	if (region->writable)
		region->hv_map_flags |= HV_MAP_GPA_WRITABLE;
	if (mem->flags & BIT(MSHV_SET_MEM_BIT_EXECUTABLE))
		region->hv_map_flags |= HV_MAP_GPA_EXECUTABLE;
	region->tracking_bytes = sizeof(*region);
	return region;
}

static void mshv_region_account(struct mshv_mem_region *region, int sign)
{
	struct mshv_partition *pt = region->partition;

	atomic64_add(sign * (s64)region->tracking_bytes,
		     &pt->pt_tracking_bytes);
	if (region->type == MSHV_REGION_PINNED)
		atomic64_add(sign * (s64)region->nr_pages,
			     &pt->pt_pinned_pages);
}

/**
 * mshv_partition_map_region() - add guest memory to a partition
 * @pt: the partition
 * @mem: the region, as given by user space (MSHV_SET_GUEST_MEMORY)
 * @movable: back it by movable memory rather than pinning it
 *
 * Context: process context of the VMM; pt_mutex held.
 * Return: 0 or a negative errno; on failure nothing is left pinned,
 * mapped or registered.
 */
int mshv_partition_map_region(struct mshv_partition *pt,
			      const struct mshv_user_mem_region *mem,
			      bool movable)
{
	struct mshv_mem_region *region, *below;
	u64 nr_pages;
	int ret;

	lockdep_assert_held(&pt->pt_mutex);

	ret = mshv_region_check(mem, &nr_pages);
	if (ret)
		return ret;
	below = mshv_region_below(pt, mem->guest_pfn + nr_pages);
	if (below && below->start_gfn + below->nr_pages > mem->guest_pfn)
		return -EEXIST;

	region = mshv_region_alloc(pt, mem, nr_pages, movable);
	if (!region)
		return -ENOMEM;

	if (movable)
		ret = mshv_region_setup_movable(region);
	else
		ret = mshv_region_setup_pinned(region);
	if (ret)
		goto free_region;

	/* Cannot fail: the overlap was checked under the same pt_mutex. */
	ret = mshv_region_insert(pt, region);
	if (WARN_ON_ONCE(ret))
		goto free_region;
	mshv_region_account(region, 1);
	return 0;

free_region:
	kfree(region);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_partition_map_region);

/*
 * Remove a region from the hypervisor: all of a pinned region, only the
 * mapped chunks of a movable one.
 */
static int mshv_region_unmap(struct mshv_mem_region *region)
{
	int ret, try;

	if (region->type == MSHV_REGION_MOVABLE) {
		mutex_lock(&region->movable.lock);
		ret = mshv_movable_unmap_chunks(region, 0,
						mshv_region_nr_chunks(region) - 1,
						false);
		/* A fault-in still holding the region must not map it again. */
		if (!ret)
			region->movable.removed = true;
		mutex_unlock(&region->movable.lock);
		return ret;
	}
	for (try = 0; try < MSHV_UNMAP_TRIES; try++) {
		ret = mshv_region_unmap_range(region, region->start_gfn,
					      region->nr_pages);
		if (!ret)
			break;
	}
	return ret;
}

/*
 * Free a region that is out of the tree and out of the hypervisor, once
 * its last reference is gone.
 */
static void mshv_region_destroy(struct mshv_mem_region *region)
{
	if (region->type == MSHV_REGION_PINNED) {
		mshv_pinned_unpin(&region->pinned, region->writable);
		kvfree(region->pinned.runs);
		if (region->locked_mm) {
			account_locked_vm(region->locked_mm, region->nr_pages,
					  false);
			mmdrop(region->locked_mm);
		}
	} else {
		mmu_interval_notifier_remove(&region->movable.mni);
		bitmap_free(region->movable.chunks);
		mutex_destroy(&region->movable.lock);
	}
	kfree(region);
}

/**
 * mshv_partition_unmap_region() - remove guest memory from a partition
 * @pt: the partition
 * @mem: the region, as given by user space; its guest_pfn, size and
 *	userspace_addr must be exactly those of an existing region
 *
 * Context: process context; pt_mutex held.
 * Return: 0, -EINVAL if no such region exists, or the error of the
 * hypervisor, in which case the region stays in place.
 */
int mshv_partition_unmap_region(struct mshv_partition *pt,
				const struct mshv_user_mem_region *mem)
{
	struct mshv_mem_region *region;
	int ret;

	lockdep_assert_held(&pt->pt_mutex);

	region = mshv_region_find(pt, mem->guest_pfn);
	if (!region || region->start_gfn != mem->guest_pfn ||
	    region->nr_pages << HV_HYP_PAGE_SHIFT != mem->size ||
	    region->start_uaddr != mem->userspace_addr)
		return -EINVAL;

	mshv_region_erase(pt, region);
	ret = mshv_region_unmap(region);
	if (ret) {
		/* Still (partly) mapped: keep it, the VMM may try again. */
		WARN_ON_ONCE(mshv_region_insert(pt, region));
		return ret;
	}
	mshv_region_account(region, -1);
	mshv_region_put(region);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_partition_unmap_region);

/**
 * mshv_partition_release_regions() - remove every region of a partition
 * @pt: the partition, being destroyed
 *
 * Unmaps each region, then unpins it or stops watching its memory. A
 * pinned region that the hypervisor failed to unmap stays in the tree,
 * pinned, for mshv_partition_release_kept_regions(): the guest may still
 * reach its pages until the partition is deleted.
 *
 * Context: process context; no ioctl of the partition can run any more.
 */
void mshv_partition_release_regions(struct mshv_partition *pt)
{
	struct mshv_mem_region *region;
	struct rb_node *node;
	int ret;

	node = rb_first(&pt->pt_regions);
	while (node) {
		region = rb_entry(node, struct mshv_mem_region, node);
		node = rb_next(node);
		if (region->type == MSHV_REGION_PINNED) {
			/* Nothing else holds it: unmap before taking it out. */
			ret = mshv_region_unmap(region);
			if (ret) {
				pr_warn("partition %llu: %llu pinned pages at GPA %#llx stay pinned until the partition is deleted: %d\n",
					pt->pt_id, region->nr_pages,
					region->start_gfn << HV_HYP_PAGE_SHIFT,
					ret);
				continue;
			}
			mshv_region_erase(pt, region);
		} else {
			mshv_region_erase(pt, region);
			mshv_region_unmap(region);
		}
		mshv_region_account(region, -1);
		mshv_region_put(region);
		cond_resched();
	}
}
EXPORT_SYMBOL_IF_KUNIT(mshv_partition_release_regions);

/**
 * mshv_partition_unmap_kept_regions() - try again to unmap kept regions
 * @pt: the partition, finalized
 *
 * Asks the hypervisor once more to unmap the pinned regions
 * mshv_partition_release_regions() left, so that it frees the SLAT
 * memory of their mappings before the partition's pool is withdrawn.
 * The regions stay pinned until the partition is deleted either way.
 *
 * Context: process context; no ioctl of the partition can run any more.
 */
void mshv_partition_unmap_kept_regions(struct mshv_partition *pt)
{
	struct mshv_mem_region *region;
	struct rb_node *node;

	for (node = rb_first(&pt->pt_regions); node; node = rb_next(node)) {
		region = rb_entry(node, struct mshv_mem_region, node);
		mshv_region_unmap(region);
	}
}

/**
 * mshv_partition_release_kept_regions() - free the regions the hypervisor
 *	kept mapped
 * @pt: the partition, after its deletion was attempted
 * @deleted: the hypervisor deleted the partition, and its mappings with it
 *
 * Unpins and frees the pinned regions mshv_partition_release_regions()
 * left. If the partition could not be deleted, the hypervisor may still
 * map their pages: they stay pinned for good, which is safer than letting
 * a guest reach freed memory.
 *
 * Context: process context; no ioctl of the partition can run any more.
 */
void mshv_partition_release_kept_regions(struct mshv_partition *pt,
					 bool deleted)
{
	struct mshv_mem_region *region;
	struct rb_node *node;

	while ((node = rb_first(&pt->pt_regions))) {
		region = rb_entry(node, struct mshv_mem_region, node);
		mshv_region_erase(pt, region);
		mshv_region_account(region, -1);
		if (!deleted) {
			pr_err("partition %llu: leaking %llu pinned pages at GPA %#llx\n",
			       pt->pt_id, region->nr_pages,
			       region->start_gfn << HV_HYP_PAGE_SHIFT);
			/* Kept on purpose, with what it points to. */
			kmemleak_not_leak(region);
			continue;
		}
		mshv_region_put(region);
		cond_resched();
	}
}
EXPORT_SYMBOL_IF_KUNIT(mshv_partition_release_kept_regions);

/*
 * Mark accessed and dirty, in @states (from @gfn to @end), the pages of
 * @chunk; when @consume, first forget the chunk's kept state if all of its
 * pages in the region lie in the range, and mark nothing if another query
 * already did.
 */
static void mshv_lost_dirty_mark(struct mshv_mem_region *region,
				 unsigned long chunk, u64 gfn, u64 end,
				 u8 *states, bool consume)
{
	u64 first, nr_pages, page;

	mshv_chunk_range(region, chunk, &first, &nr_pages);
	if (consume && gfn <= first && first + nr_pages <= end &&
	    !test_and_clear_bit(chunk, region->movable.lost_dirty))
		return;
	for (page = max(first, gfn); page < min(first + nr_pages, end); page++)
		states[page - gfn] |= HV_GPA_PAGE_ACCESSED | HV_GPA_PAGE_DIRTY;
}

/**
 * mshv_partition_add_lost_dirty() - report the dirty state invalidations kept
 * @pt: the partition
 * @gfn: first guest page of @states
 * @count: number of pages in @states
 * @states: HV_GPA_PAGE_* bytes from HvGetGpaPagesAccessStates
 * @consume: the query clears the dirty bits: forget the kept state of each
 *	chunk whose pages in its region all lie in the range
 *
 * Marks accessed and dirty the pages of movable chunks that were unmapped
 * while writable (see struct mshv_movable). A chunk's kept state is
 * consumed with an atomic test-and-clear, after the hypervisor's bits
 * were read, so that an invalidation racing with the query is either
 * reported now or by the next query.
 *
 * Context: pt_mutex held.
 */
void mshv_partition_add_lost_dirty(struct mshv_partition *pt, u64 gfn,
				   unsigned int count, u8 *states, bool consume)
{
	u64 end = gfn + count, from, to;
	struct mshv_mem_region *region;
	unsigned long chunk, last;
	struct rb_node *node;

	lockdep_assert_held(&pt->pt_mutex);

	region = mshv_region_below(pt, end);
	for (node = region ? &region->node : NULL; node; node = rb_prev(node)) {
		region = rb_entry(node, struct mshv_mem_region, node);
		if (region->start_gfn + region->nr_pages <= gfn)
			break;
		if (region->type != MSHV_REGION_MOVABLE)
			continue;
		from = max(gfn, region->start_gfn);
		to = min(end, region->start_gfn + region->nr_pages);
		chunk = mshv_gfn_chunk(region, from);
		last = mshv_gfn_chunk(region, to - 1);
		for_each_set_bit_from(chunk, region->movable.lost_dirty,
				      last + 1)
			mshv_lost_dirty_mark(region, chunk, from, to,
					     states + (from - gfn), consume);
	}
}

/**
 * mshv_region_handle_gpa_fault() - give the guest access to a guest page
 * @pt: the partition
 * @gfn: the guest page frame the guest could not access
 * @write: the access was a write
 *
 * For both intercepts the guest's access to a movable region raises: the
 * unmapped-GPA intercept (HVMSG_UNMAPPED_GPA) of a chunk that was never
 * mapped or was unmapped by an invalidation, and the GPA intercept
 * (HVMSG_GPA_INTERCEPT) of a mapped page the access is not allowed on.
 * Faults in and maps the 2 MiB chunk of the movable region around @gfn
 * (clamped to the region), as one large page where the memory allows; a
 * chunk that is mapped already is left as it is.
 *
 * Context: process context of the VMM, may sleep; pt_mutex not needed.
 * Return: 0 if the page is now mapped (run the guest again), -ENOENT if
 * no region holds @gfn, -EACCES if the region does not allow the access
 * (forward the intercept to the VMM), or another negative errno.
 */
int mshv_region_handle_gpa_fault(struct mshv_partition *pt, u64 gfn,
				 bool write)
{
	struct mshv_mem_region *region;
	int ret;

	region = mshv_region_lookup(pt, gfn);
	if (!region)
		return -ENOENT;

	if ((write && !region->writable) ||
	    region->type != MSHV_REGION_MOVABLE)
		ret = -EACCES;
	else
		ret = mshv_movable_fault_chunk(region,
					       mshv_gfn_chunk(region, gfn));

	mshv_region_put(region);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_region_handle_gpa_fault);
