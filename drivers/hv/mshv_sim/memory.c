// SPDX-License-Identifier: GPL-2.0
/*
 * The GPA map (SLAT) of mshv_sim's child partitions: HvMapGpaPages,
 * HvUnmapGpaPages and HvGetGpaPagesAccessStates, and the guest-access
 * entry point through which the simulator reads and writes guest memory
 * the way a virtual processor of the partition would.
 *
 * A partition's SLAT is two xarrays of value entries: 4 KiB entries
 * indexed by guest page frame number, and 2 MiB (large) entries indexed by
 * guest page frame number / 512. A 2 MiB range holds either one large
 * entry or any number of 4 KiB entries. Each entry is one word: the source
 * page frame (the first of 512 for a large entry), the HV_MAP_GPA_* access
 * bits it was mapped with (none for a no-access mapping) and the accessed
 * and dirty bits, which a large entry keeps once for its 2 MiB.
 *
 * Like the hypervisor, the simulator pays for the SLAT from the child's
 * pool: one page for each 2 MiB range holding 4 KiB entries and one for
 * each 1 GiB range holding any entry. The pages are only counted as in
 * use; the xarrays allocate their own nodes with GFP_ATOMIC.
 *
 * Everything here runs with sim->lock held (IRQs disabled) and never
 * sleeps. The xarrays' internal locks nest inside it.
 */
#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/highmem.h>
#include <linux/memory_hotplug.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/xarray.h>
#include <kunit/visibility.h>
#include <hyperv/hvhdk.h>

#include "sim.h"

/* Fields of a SLAT entry (an xarray value, so below bit 63). */
#define MSHV_SIM_PTE_ACCESS	(HV_MAP_GPA_READABLE | HV_MAP_GPA_WRITABLE | \
				 HV_MAP_GPA_EXECUTABLE)
#define MSHV_SIM_PTE_ACCESSED	BIT(4)
#define MSHV_SIM_PTE_DIRTY	BIT(5)
#define MSHV_SIM_PTE_STATE	(MSHV_SIM_PTE_ACCESSED | MSHV_SIM_PTE_DIRTY)
#define MSHV_SIM_PTE_PFN	GENMASK_ULL(51, 12)

static_assert(!(MSHV_SIM_PTE_ACCESS & ~GENMASK(3, 0)));
/* FIELD_GET(MSHV_SIM_PTE_STATE, pte) gives the HV_GPA_PAGE_* bits. */
static_assert(MSHV_SIM_PTE_ACCESSED >> 4 == HV_GPA_PAGE_ACCESSED);
static_assert(MSHV_SIM_PTE_DIRTY >> 4 == HV_GPA_PAGE_DIRTY);

/* Map flags HvMapGpaPages accepts. */
#define MSHV_SIM_MAP_FLAGS						\
	(MSHV_SIM_PTE_ACCESS | HV_MAP_GPA_ADJUSTABLE | HV_MAP_GPA_NO_ACCESS | \
	 HV_MAP_GPA_NOT_CACHED | HV_MAP_GPA_LARGE_PAGE)

/* Flags HvGetGpaPagesAccessStates accepts. */
#define MSHV_SIM_ACCESS_STATE_FLAGS					\
	(HV_GPA_ACCESS_STATE_CLEAR_ACCESSED |				\
	 HV_GPA_ACCESS_STATE_SET_ACCESSED |				\
	 HV_GPA_ACCESS_STATE_CLEAR_DIRTY | HV_GPA_ACCESS_STATE_SET_DIRTY)

#define MSHV_SIM_LARGE_PAGES	HV_PAGES_PER_LARGE_PAGE
/* 2 MiB ranges in a 1 GiB range. */
#define MSHV_SIM_LARGE_PER_DIR	512
/* 4 KiB pages in a 1 GiB range. */
#define MSHV_SIM_DIR_PAGES	(MSHV_SIM_LARGE_PAGES * MSHV_SIM_LARGE_PER_DIR)

/**
 * struct mshv_sim_slat_use - SLAT tables a 2 MiB range makes necessary
 * @table: the range holds 4 KiB entries
 * @dir: its 1 GiB range holds some entry
 */
struct mshv_sim_slat_use {
	bool table;
	bool dir;
};

/**
 * struct mshv_sim_slat_ref - the entry that maps one guest page
 * @xa: the xarray holding it
 * @index: its index in @xa
 * @pte: its value
 * @pfn: the source page frame of the guest page itself
 * @large: the entry is a large one
 */
struct mshv_sim_slat_ref {
	struct xarray *xa;
	unsigned long index;
	unsigned long pte;
	u64 pfn;
	bool large;
};

/* Entries */

static unsigned long mshv_sim_pte(u64 pfn, u32 access)
{
	return FIELD_PREP(MSHV_SIM_PTE_PFN, pfn) | (access & MSHV_SIM_PTE_ACCESS);
}

static u64 mshv_sim_pte_pfn(unsigned long pte)
{
	return FIELD_GET(MSHV_SIM_PTE_PFN, pte);
}

/* Read the entry at @index of @xa into *@pte; false if there is none. */
static bool mshv_sim_slat_get(struct xarray *xa, unsigned long index,
			      unsigned long *pte)
{
	void *entry = xa_load(xa, index);

	if (!entry)
		return false;
	*pte = xa_to_value(entry);
	return true;
}

/* Store @pte at @index of @xa; only a new index allocates memory. */
static int mshv_sim_slat_set(struct xarray *xa, unsigned long index,
			     unsigned long pte)
{
	return xa_err(xa_store(xa, index, xa_mk_value(pte), GFP_ATOMIC));
}

/* Replace an existing entry; that never allocates, so it cannot fail. */
static void mshv_sim_slat_update(struct xarray *xa, unsigned long index,
				 unsigned long pte)
{
	WARN_ON_ONCE(mshv_sim_slat_set(xa, index, pte));
}

static bool mshv_sim_xa_any(struct xarray *xa, unsigned long first,
			    unsigned long last)
{
	return xa_find(xa, &first, last, XA_PRESENT);
}

/* Add (@pages > 0) or remove the @pages pages mapped by @pte in counters. */
static void mshv_sim_slat_count(struct mshv_sim *sim,
				struct mshv_sim_slat *slat, unsigned long pte,
				long pages)
{
	if (pte & MSHV_SIM_PTE_ACCESS)
		slat->nr_mapped += pages;
	else
		slat->nr_noaccess += pages;
	sim->mapped_pages += pages;
}

/* Find the entry mapping guest page @gfn; false if it is unmapped. */
static bool mshv_sim_slat_lookup(struct mshv_sim_slat *slat, u64 gfn,
				 struct mshv_sim_slat_ref *ref)
{
	if (mshv_sim_slat_get(&slat->small, gfn, &ref->pte)) {
		ref->xa = &slat->small;
		ref->index = gfn;
		ref->pfn = mshv_sim_pte_pfn(ref->pte);
		ref->large = false;
		return true;
	}
	if (mshv_sim_slat_get(&slat->large, gfn / MSHV_SIM_LARGE_PAGES,
			      &ref->pte)) {
		ref->xa = &slat->large;
		ref->index = gfn / MSHV_SIM_LARGE_PAGES;
		ref->pfn = mshv_sim_pte_pfn(ref->pte) +
			   gfn % MSHV_SIM_LARGE_PAGES;
		ref->large = true;
		return true;
	}
	return false;
}

/* Pool pages for SLAT tables */

/* Whether the 1 GiB range of the 2 MiB range @lidx holds any entry. */
static bool mshv_sim_slat_dir_used(struct mshv_sim_slat *slat, u64 lidx)
{
	u64 first = rounddown(lidx, MSHV_SIM_LARGE_PER_DIR);
	u64 last = first + MSHV_SIM_LARGE_PER_DIR - 1;

	return mshv_sim_xa_any(&slat->large, first, last) ||
	       (!xa_empty(&slat->small) &&
		mshv_sim_xa_any(&slat->small, first * MSHV_SIM_LARGE_PAGES,
				(last + 1) * MSHV_SIM_LARGE_PAGES - 1));
}

/* Whether the 2 MiB range @lidx holds 4 KiB entries. */
static bool mshv_sim_slat_table_used(struct mshv_sim_slat *slat, u64 lidx)
{
	u64 gfn = lidx * MSHV_SIM_LARGE_PAGES;

	return !xa_empty(&slat->small) &&
	       mshv_sim_xa_any(&slat->small, gfn,
			       gfn + MSHV_SIM_LARGE_PAGES - 1);
}

/* Which tables the 2 MiB range @lidx and its 1 GiB range need now. */
static void mshv_sim_slat_use(struct mshv_sim_slat *slat, u64 lidx,
			      struct mshv_sim_slat_use *use)
{
	use->table = mshv_sim_slat_table_used(slat, lidx);
	use->dir = use->table || mshv_sim_slat_dir_used(slat, lidx);
}

/*
 * Whether @pt's pool has the pages a range that uses @before needs to
 * hold a new entry: a 4 KiB one if @small, a large one otherwise.
 */
static bool mshv_sim_slat_affordable(const struct mshv_sim_partition *pt,
				     const struct mshv_sim_slat_use *before,
				     bool small)
{
	u64 need = !before->dir + (small && !before->table);

	return mshv_sim_pool_free(&pt->pool) >= need;
}

static void mshv_sim_slat_charge(struct mshv_sim_partition *pt, u64 *nr,
				 bool before, bool after)
{
	if (after && !before) {
		(*nr)++;
		pt->pool.nr_in_use++;
	} else if (before && !after) {
		(*nr)--;
		pt->pool.nr_in_use--;
	}
}

/* Put pool pages in use, or free them, after range @lidx changed. */
static void mshv_sim_slat_settle(struct mshv_sim_partition *pt, u64 lidx,
				 const struct mshv_sim_slat_use *before)
{
	struct mshv_sim_slat_use after;

	mshv_sim_slat_use(&pt->slat, lidx, &after);
	mshv_sim_slat_charge(pt, &pt->slat.nr_tables, before->table,
			     after.table);
	mshv_sim_slat_charge(pt, &pt->slat.nr_dirs, before->dir, after.dir);
}

/* Changing the map */

/*
 * Replace the large entry @pte of range @lidx by 512 4 KiB entries with
 * the same access and state. On failure nothing has changed.
 */
static int mshv_sim_slat_split(struct mshv_sim_slat *slat, u64 lidx,
			       unsigned long pte)
{
	u64 gfn = lidx * MSHV_SIM_LARGE_PAGES;
	unsigned int i;
	int ret;

	for (i = 0; i < MSHV_SIM_LARGE_PAGES; i++) {
		ret = mshv_sim_slat_set(&slat->small, gfn + i,
					pte + FIELD_PREP(MSHV_SIM_PTE_PFN, i));
		if (ret)
			goto err_erase;
	}
	xa_erase(&slat->large, lidx);
	slat->nr_large--;
	return 0;

err_erase:
	while (i--)
		xa_erase(&slat->small, gfn + i);
	return ret;
}

/* Accessed and dirty bits of all 4 KiB entries of range @lidx, or'ed. */
static unsigned long mshv_sim_slat_small_state(struct mshv_sim_slat *slat,
					       u64 lidx)
{
	unsigned long first = lidx * MSHV_SIM_LARGE_PAGES;
	unsigned long last = first + MSHV_SIM_LARGE_PAGES - 1;
	unsigned long gfn, state = 0;
	void *entry;

	xa_for_each_range(&slat->small, gfn, entry, first, last)
		state |= xa_to_value(entry) & MSHV_SIM_PTE_STATE;
	return state;
}

/* Remove every 4 KiB entry of range @lidx. */
static void mshv_sim_slat_clear_small(struct mshv_sim *sim,
				      struct mshv_sim_slat *slat, u64 lidx)
{
	unsigned long first = lidx * MSHV_SIM_LARGE_PAGES;
	unsigned long last = first + MSHV_SIM_LARGE_PAGES - 1;
	unsigned long gfn;
	void *entry;

	xa_for_each_range(&slat->small, gfn, entry, first, last) {
		xa_erase(&slat->small, gfn);
		mshv_sim_slat_count(sim, slat, xa_to_value(entry), -1);
	}
}

/* Remove whatever maps range @lidx. */
static void mshv_sim_slat_clear_range(struct mshv_sim *sim,
				      struct mshv_sim_slat *slat, u64 lidx)
{
	void *entry = xa_erase(&slat->large, lidx);

	if (entry) {
		mshv_sim_slat_count(sim, slat, xa_to_value(entry),
				    -MSHV_SIM_LARGE_PAGES);
		slat->nr_large--;
	}
	mshv_sim_slat_clear_small(sim, slat, lidx);
}

/*
 * Map the 2 MiB range @lidx with the large entry @pte, replacing whatever
 * mapped it. The range keeps the accessed and dirty bits of its pages.
 * @dir_used says the caller knows that the range's 1 GiB range holds an
 * entry, which saves looking for one.
 *
 * Afterwards the range holds its large entry only, so it needs no table
 * for 4 KiB entries and its 1 GiB range needs one.
 */
static u16 mshv_sim_map_large(struct mshv_sim *sim,
			      struct mshv_sim_partition *pt, u64 lidx,
			      unsigned long pte, bool dir_used)
{
	struct mshv_sim_slat *slat = &pt->slat;
	struct mshv_sim_slat_use before;
	unsigned long old;
	void *entry;

	/* A range holds one large entry or 4 KiB entries, never both. */
	before.table = mshv_sim_slat_table_used(slat, lidx);
	before.dir = before.table || dir_used ||
		     mshv_sim_slat_dir_used(slat, lidx);
	if (!mshv_sim_slat_affordable(pt, &before, false))
		return HV_STATUS_INSUFFICIENT_MEMORY;

	if (before.table)
		pte |= mshv_sim_slat_small_state(slat, lidx);
	entry = xa_store(&slat->large, lidx, xa_mk_value(pte), GFP_ATOMIC);
	if (xa_is_err(entry))
		return HV_STATUS_NO_RESOURCES;

	if (entry) {
		old = xa_to_value(entry);
		if (old & MSHV_SIM_PTE_STATE) {
			pte |= old & MSHV_SIM_PTE_STATE;
			mshv_sim_slat_update(&slat->large, lidx, pte);
		}
		mshv_sim_slat_count(sim, slat, old, -MSHV_SIM_LARGE_PAGES);
		slat->nr_large--;
	}
	if (before.table)
		mshv_sim_slat_clear_small(sim, slat, lidx);
	mshv_sim_slat_count(sim, slat, pte, MSHV_SIM_LARGE_PAGES);
	slat->nr_large++;
	mshv_sim_slat_charge(pt, &slat->nr_tables, before.table, false);
	mshv_sim_slat_charge(pt, &slat->nr_dirs, before.dir, true);
	return HV_STATUS_SUCCESS;
}

/*
 * Map guest page @gfn with the 4 KiB entry @pte, splitting a large entry
 * that covers it. The page keeps its accessed and dirty bits.
 */
static u16 mshv_sim_map_small(struct mshv_sim *sim,
			      struct mshv_sim_partition *pt, u64 gfn,
			      unsigned long pte)
{
	u64 lidx = gfn / MSHV_SIM_LARGE_PAGES;
	struct mshv_sim_slat *slat = &pt->slat;
	struct mshv_sim_slat_use before;
	unsigned long old;
	bool had;

	mshv_sim_slat_use(slat, lidx, &before);
	if (!mshv_sim_slat_affordable(pt, &before, true))
		return HV_STATUS_INSUFFICIENT_MEMORY;
	if (mshv_sim_slat_get(&slat->large, lidx, &old) &&
	    mshv_sim_slat_split(slat, lidx, old))
		return HV_STATUS_NO_RESOURCES;

	had = mshv_sim_slat_get(&slat->small, gfn, &old);
	if (had)
		pte |= old & MSHV_SIM_PTE_STATE;
	/* After a split @gfn has an entry, so only a new one can fail. */
	if (mshv_sim_slat_set(&slat->small, gfn, pte))
		return HV_STATUS_NO_RESOURCES;
	if (had)
		mshv_sim_slat_count(sim, slat, old, -1);
	mshv_sim_slat_count(sim, slat, pte, 1);
	/* A range that had 4 KiB entries already has all its tables. */
	if (!before.table)
		mshv_sim_slat_settle(pt, lidx, &before);
	return HV_STATUS_SUCCESS;
}

/*
 * Unmap guest page @gfn, or the whole large entry covering it when @gfn is
 * its first page and @left >= 512 reps remain. *@done is set to the reps
 * this took.
 */
static u16 mshv_sim_unmap_small(struct mshv_sim *sim,
				struct mshv_sim_partition *pt, u64 gfn,
				unsigned int left, unsigned int *done)
{
	u64 lidx = gfn / MSHV_SIM_LARGE_PAGES;
	struct mshv_sim_slat *slat = &pt->slat;
	struct mshv_sim_slat_use before;
	unsigned long large;
	void *entry;

	*done = 1;
	mshv_sim_slat_use(slat, lidx, &before);
	if (mshv_sim_slat_get(&slat->large, lidx, &large)) {
		if (IS_ALIGNED(gfn, MSHV_SIM_LARGE_PAGES) &&
		    left >= MSHV_SIM_LARGE_PAGES) {
			mshv_sim_slat_clear_range(sim, slat, lidx);
			*done = MSHV_SIM_LARGE_PAGES;
			goto out_settle;
		}
		if (!mshv_sim_slat_affordable(pt, &before, true))
			return HV_STATUS_INSUFFICIENT_MEMORY;
		if (mshv_sim_slat_split(slat, lidx, large))
			return HV_STATUS_NO_RESOURCES;
	}

	entry = xa_erase(&slat->small, gfn);
	if (entry)
		mshv_sim_slat_count(sim, slat, xa_to_value(entry), -1);
out_settle:
	mshv_sim_slat_settle(pt, lidx, &before);
	return HV_STATUS_SUCCESS;
}

/* Unmap the 2 MiB range @lidx, whatever maps it. */
static void mshv_sim_unmap_large(struct mshv_sim *sim,
				 struct mshv_sim_partition *pt, u64 lidx)
{
	struct mshv_sim_slat_use before;

	mshv_sim_slat_use(&pt->slat, lidx, &before);
	mshv_sim_slat_clear_range(sim, &pt->slat, lidx);
	mshv_sim_slat_settle(pt, lidx, &before);
}

/* Hypercalls */

/*
 * Guest page frame of rep @i of a call starting at @base, each rep
 * covering @step pages; false if it lies at or past the GPA limit.
 */
static bool mshv_sim_rep_gfn(u64 base, unsigned int i, unsigned int step,
			     u64 *gfn)
{
	u64 off = (u64)i * step;

	if (base >= MSHV_SIM_GPA_LIMIT_PFN ||
	    off >= MSHV_SIM_GPA_LIMIT_PFN - base)
		return false;
	*gfn = base + off;
	return true;
}

/* Whether the page of @pfn is RAM that the simulator does not hold. */
static bool mshv_sim_source_page_ok(const struct mshv_sim *sim, u64 pfn)
{
	struct page *page = pfn_to_online_page(pfn);

	if (!page)
		return false;
	/*
	 * Only order-0, unreserved pages can be deposited, so only those can
	 * carry a header. PageCompound() first: PageReserved() is not
	 * defined on those.
	 */
	if (PageCompound(page) || PageReserved(page))
		return true;
	return !mshv_sim_page_held(sim, page);
}

/*
 * Whether the @nr pages from @pfn all belong to one large folio. Such pages
 * are online RAM and compound, which no deposited page is, so checking the
 * folio once stands for checking each of its pages.
 */
static bool mshv_sim_source_in_folio(u64 pfn, unsigned int nr)
{
	struct page *page = pfn_to_online_page(pfn);
	struct folio *folio;
	u64 first;

	if (!page)
		return false;
	folio = page_folio(page);
	if (!folio_test_large(folio))
		return false;
	first = folio_pfn(folio);
	return pfn >= first && pfn + nr <= first + folio_nr_pages(folio);
}

/*
 * Whether @pfn may back one rep of HvMapGpaPages with @flags: its status.
 * A page the hypervisor owns as a VP's state page (register, intercept
 * message) is not the root's to give: HV_STATUS_ACCESS_DENIED, as for any
 * page the caller does not own. Other pages that are no RAM the root may
 * map, or are held in a pool, are HV_STATUS_INVALID_PARAMETER.
 */
static u16 mshv_sim_source_ok(struct mshv_sim *sim, u64 pfn, u32 flags)
{
	unsigned int i, nr = 1;

	if (flags & HV_MAP_GPA_LARGE_PAGE)
		nr = MSHV_SIM_LARGE_PAGES;
	if (pfn >= MSHV_SIM_GPA_LIMIT_PFN || !IS_ALIGNED(pfn, nr))
		return HV_STATUS_INVALID_PARAMETER;
	/* State pages are order 0: no large folio holds one. */
	if (nr > 1 && mshv_sim_source_in_folio(pfn, nr))
		return HV_STATUS_SUCCESS;
	for (i = 0; i < nr; i++) {
		if (xa_load(&sim->state_pfns, pfn + i))
			return HV_STATUS_ACCESS_DENIED;
		/* A no-access mapping only records its PFN; nothing reads it. */
		if (!(flags & HV_MAP_GPA_NO_ACCESS) &&
		    !mshv_sim_source_page_ok(sim, pfn + i))
			return HV_STATUS_INVALID_PARAMETER;
	}
	return HV_STATUS_SUCCESS;
}

/* Checks of HvMapGpaPages that do not depend on the reps. */
static u16 mshv_sim_map_check(const struct mshv_sim_partition *pt,
			      const struct hv_input_map_gpa_pages *in)
{
	u32 flags = in->map_flags;

	if ((flags & ~MSHV_SIM_MAP_FLAGS) || in->padding)
		return HV_STATUS_INVALID_PARAMETER;
	/* No access excludes every access bit; otherwise read is needed. */
	if (flags & HV_MAP_GPA_NO_ACCESS) {
		if (flags & MSHV_SIM_PTE_ACCESS)
			return HV_STATUS_INVALID_PARAMETER;
	} else if (!(flags & HV_MAP_GPA_READABLE)) {
		return HV_STATUS_INVALID_PARAMETER;
	}
	if ((flags & HV_MAP_GPA_LARGE_PAGE) &&
	    (!(pt->flags & HV_PARTITION_CREATION_FLAG_GPA_SUPER_PAGES_ENABLED) ||
	     !IS_ALIGNED(in->target_gpa_base, MSHV_SIM_LARGE_PAGES)))
		return HV_STATUS_INVALID_PARAMETER;
	if (pt->state == MSHV_SIM_PT_FINALIZED)
		return HV_STATUS_INVALID_PARTITION_STATE;
	return HV_STATUS_SUCCESS;
}

/*
 * Store the large entry @pte at the index @xas is set to, keeping the
 * accessed and dirty bits of the entry it replaces, which is returned
 * (NULL if there was none). On failure, for lack of memory, @xas is in an
 * error state and nothing has changed.
 */
static void *mshv_sim_large_store(struct xa_state *xas, unsigned long pte)
{
	void *old = xas_load(xas);

	if (old)
		pte |= xa_to_value(old) & MSHV_SIM_PTE_STATE;
	do {
		xas_store(xas, xa_mk_value(pte));
	} while (xas_nomem(xas, GFP_ATOMIC));
	return old;
}

/*
 * The reps from @call->rep_start to @end of an HvMapGpaPages call with
 * HV_MAP_GPA_LARGE_PAGE, in a partition without 4 KiB entries: what
 * mshv_sim_map_large() does for each, with the large entries' xarray
 * locked once for them all and walked from one index to the next, and no
 * 4 KiB entries to look for or to clear.
 */
static u16 mshv_sim_map_large_reps(struct mshv_sim *sim,
				   struct mshv_sim_partition *pt,
				   struct mshv_sim_call *call, unsigned int end)
{
	const struct hv_input_map_gpa_pages *in = call->in;
	struct mshv_sim_slat *slat = &pt->slat;
	XA_STATE(xas, &slat->large, 0);
	u64 gfn, pfn, dir, used_dir = U64_MAX;
	u16 status = HV_STATUS_SUCCESS;
	unsigned long pte;
	unsigned int i;
	bool dir_used;
	void *old;

	xas_lock(&xas);
	for (i = call->rep_start; i < end; i++) {
		pfn = in->source_gpa_page_list[i];
		if (!mshv_sim_rep_gfn(in->target_gpa_base, i,
				      MSHV_SIM_LARGE_PAGES, &gfn)) {
			status = HV_STATUS_INVALID_PARAMETER;
			break;
		}
		status = mshv_sim_source_ok(sim, pfn, in->map_flags);
		if (status)
			break;
		/* Once a rep is mapped, its 1 GiB range holds an entry. */
		dir = gfn / MSHV_SIM_DIR_PAGES;
		dir_used = dir == used_dir ||
			   mshv_sim_xa_any(&slat->large,
					   dir * MSHV_SIM_LARGE_PER_DIR,
					   (dir + 1) * MSHV_SIM_LARGE_PER_DIR - 1);
		if (!dir_used && !mshv_sim_pool_free(&pt->pool)) {
			status = HV_STATUS_INSUFFICIENT_MEMORY;
			break;
		}

		/* Consecutive reps are neighbours in the xarray. */
		if (i > call->rep_start)
			xas_next(&xas);
		else
			xas_set(&xas, gfn / MSHV_SIM_LARGE_PAGES);
		pte = mshv_sim_pte(pfn, in->map_flags);
		old = mshv_sim_large_store(&xas, pte);
		if (xas_error(&xas)) {
			status = HV_STATUS_NO_RESOURCES;
			break;
		}
		if (old) {
			mshv_sim_slat_count(sim, slat, xa_to_value(old),
					    -MSHV_SIM_LARGE_PAGES);
			slat->nr_large--;
		}
		mshv_sim_slat_count(sim, slat, pte, MSHV_SIM_LARGE_PAGES);
		slat->nr_large++;
		mshv_sim_slat_charge(pt, &slat->nr_dirs, dir_used, true);
		used_dir = dir;
		call->reps_done++;
	}
	xas_unlock(&xas);
	return status;
}

/**
 * mshv_sim_map_gpa_pages() - HvMapGpaPages
 * @sim: the instance
 * @call: the decoded call
 *
 * Maps one guest page (or 2 MiB with HV_MAP_GPA_LARGE_PAGE) per rep,
 * replacing what mapped it before. Stops at the first rep whose GPA or
 * PFN is invalid, or for which the pool lacks a page.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result; @call->reps_done counts the reps done.
 */
u16 mshv_sim_map_gpa_pages(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_map_gpa_pages *in = call->in;
	unsigned int i, end, step = 1;
	u64 gfn, pfn, used_dir = U64_MAX;
	struct mshv_sim_partition *pt;
	unsigned long pte;
	u16 status;

	pt = mshv_sim_find(sim, in->target_partition_id, false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	status = mshv_sim_map_check(pt, in);
	if (status)
		return status;
	if (in->map_flags & HV_MAP_GPA_LARGE_PAGE)
		step = MSHV_SIM_LARGE_PAGES;

	end = mshv_sim_rep_end(sim, call);
	if (step != 1 && xa_empty(&pt->slat.small))
		return mshv_sim_map_large_reps(sim, pt, call, end);

	/*
	 * The reps are consecutive: once one is mapped, its 1 GiB range is
	 * known to hold an entry for the reps that follow in that range.
	 */
	for (i = call->rep_start; i < end; i++) {
		pfn = in->source_gpa_page_list[i];
		if (!mshv_sim_rep_gfn(in->target_gpa_base, i, step, &gfn))
			return HV_STATUS_INVALID_PARAMETER;
		status = mshv_sim_source_ok(sim, pfn, in->map_flags);
		if (status)
			return status;
		pte = mshv_sim_pte(pfn, in->map_flags);
		if (step == 1)
			status = mshv_sim_map_small(sim, pt, gfn, pte);
		else
			status = mshv_sim_map_large(sim, pt, gfn / step, pte,
						    gfn / MSHV_SIM_DIR_PAGES ==
						    used_dir);
		if (status)
			return status;
		used_dir = gfn / MSHV_SIM_DIR_PAGES;
		call->reps_done++;
	}
	return HV_STATUS_SUCCESS;
}

/**
 * mshv_sim_unmap_gpa_pages() - HvUnmapGpaPages
 * @sim: the instance
 * @call: the decoded call
 *
 * Unmaps one guest page (or 2 MiB with HV_UNMAP_GPA_LARGE_PAGE) per rep;
 * unmapping an unmapped page does nothing. Allowed in any partition state.
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result; @call->reps_done counts the reps done.
 */
u16 mshv_sim_unmap_gpa_pages(struct mshv_sim *sim, struct mshv_sim_call *call)
{
	const struct hv_input_unmap_gpa_pages *in = call->in;
	bool large = in->unmap_flags & HV_UNMAP_GPA_LARGE_PAGE;
	unsigned int end, done, step = 1;
	struct mshv_sim_partition *pt;
	u16 status;
	u64 gfn;

	pt = mshv_sim_find(sim, in->target_partition_id, false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	if ((in->unmap_flags & ~HV_UNMAP_GPA_LARGE_PAGE) || in->padding)
		return HV_STATUS_INVALID_PARAMETER;
	if (large) {
		if (!IS_ALIGNED(in->target_gpa_base, MSHV_SIM_LARGE_PAGES))
			return HV_STATUS_INVALID_PARAMETER;
		step = MSHV_SIM_LARGE_PAGES;
	}

	end = mshv_sim_rep_end(sim, call);
	while (call->reps_done < end) {
		if (!mshv_sim_rep_gfn(in->target_gpa_base, call->reps_done,
				      step, &gfn))
			return HV_STATUS_INVALID_PARAMETER;
		done = 1;
		status = HV_STATUS_SUCCESS;
		if (large)
			mshv_sim_unmap_large(sim, pt, gfn / step);
		else
			status = mshv_sim_unmap_small(sim, pt, gfn,
						      end - call->reps_done,
						      &done);
		if (status)
			return status;
		call->reps_done += done;
	}
	return HV_STATUS_SUCCESS;
}

/* Turn the access-state flags into entry bits to clear and to set. */
static bool mshv_sim_state_flags(u64 flags, unsigned long *clear,
				 unsigned long *set)
{
	*clear = 0;
	*set = 0;
	if (flags & ~MSHV_SIM_ACCESS_STATE_FLAGS)
		return false;
	if (flags & HV_GPA_ACCESS_STATE_CLEAR_ACCESSED)
		*clear |= MSHV_SIM_PTE_ACCESSED;
	if (flags & HV_GPA_ACCESS_STATE_SET_ACCESSED)
		*set |= MSHV_SIM_PTE_ACCESSED;
	if (flags & HV_GPA_ACCESS_STATE_CLEAR_DIRTY)
		*clear |= MSHV_SIM_PTE_DIRTY;
	if (flags & HV_GPA_ACCESS_STATE_SET_DIRTY)
		*set |= MSHV_SIM_PTE_DIRTY;
	return !(*clear & *set);
}

/*
 * Report the accessed and dirty bits of guest page @gfn, then clear and
 * set bits in its entry. A large entry keeps its bits for all 512 pages
 * and changes them only at its last page, so that every page of it, in
 * this call or a later one walking upwards, reports them.
 */
static u8 mshv_sim_access_state(struct mshv_sim_slat *slat, u64 gfn,
				unsigned long clear, unsigned long set)
{
	struct mshv_sim_slat_ref ref;
	unsigned long pte;

	if (!mshv_sim_slat_lookup(slat, gfn, &ref))
		return 0;
	pte = (ref.pte & ~clear) | set;
	if (pte != ref.pte &&
	    (!ref.large || gfn % MSHV_SIM_LARGE_PAGES ==
			   MSHV_SIM_LARGE_PAGES - 1))
		mshv_sim_slat_update(ref.xa, ref.index, pte);
	return FIELD_GET(MSHV_SIM_PTE_STATE, ref.pte);
}

/**
 * mshv_sim_get_gpa_access_states() - HvGetGpaPagesAccessStates
 * @sim: the instance
 * @call: the decoded call
 *
 * Writes one byte per rep: the HV_GPA_PAGE_* bits of the guest page
 * before the flags were applied to it (0 for an unmapped page).
 *
 * Context: sim->lock held.
 * Return: HV_STATUS_* result; @call->reps_done counts the reps done.
 */
u16 mshv_sim_get_gpa_access_states(struct mshv_sim *sim,
				   struct mshv_sim_call *call)
{
	const struct hv_input_get_gpa_pages_access_states *in = call->in;
	struct mshv_sim_partition *pt;
	unsigned long clear, set;
	u8 *states = call->out;
	unsigned int i, end;
	u64 gfn;

	pt = mshv_sim_find(sim, in->partition_id, false);
	if (!pt)
		return HV_STATUS_INVALID_PARTITION_ID;
	if (!mshv_sim_state_flags(in->flags, &clear, &set))
		return HV_STATUS_INVALID_PARAMETER;

	end = mshv_sim_rep_end(sim, call);
	for (i = call->rep_start; i < end; i++) {
		if (!mshv_sim_rep_gfn(in->hv_gpa_page_number, i, 1, &gfn))
			return HV_STATUS_INVALID_PARAMETER;
		states[i] = mshv_sim_access_state(&pt->slat, gfn, clear, set);
		call->reps_done++;
	}
	return HV_STATUS_SUCCESS;
}

/* SLAT life cycle */

/**
 * mshv_sim_slat_init() - initialize an empty SLAT
 * @slat: the SLAT
 */
void mshv_sim_slat_init(struct mshv_sim_slat *slat)
{
	memset(slat, 0, sizeof(*slat));
	xa_init(&slat->small);
	xa_init(&slat->large);
}

/**
 * mshv_sim_slat_free() - free the memory of a SLAT
 * @slat: the SLAT; empty and unusable afterwards
 *
 * Context: Any context.
 */
void mshv_sim_slat_free(struct mshv_sim_slat *slat)
{
	xa_destroy(&slat->small);
	xa_destroy(&slat->large);
}

/**
 * mshv_sim_slat_release() - drop a deleted partition's SLAT
 * @sim: the instance
 * @pt: the partition being deleted
 *
 * Frees the SLAT and takes its pages out of the instance's mapped-page
 * count and out of use in the partition's pool.
 *
 * Context: sim->lock held.
 */
void mshv_sim_slat_release(struct mshv_sim *sim,
			   struct mshv_sim_partition *pt)
{
	struct mshv_sim_slat *slat = &pt->slat;

	lockdep_assert_held(&sim->lock);

	sim->mapped_pages -= slat->nr_mapped + slat->nr_noaccess;
	pt->pool.nr_in_use -= slat->nr_tables + slat->nr_dirs;
	mshv_sim_slat_free(slat);
	mshv_sim_slat_init(slat);
}

/* Guest access */

/* Access bits a mapping needs for @acc. */
static u32 mshv_sim_access_needed(enum mshv_sim_access acc)
{
	switch (acc) {
	case MSHV_SIM_ACCESS_READ:
		return HV_MAP_GPA_READABLE;
	case MSHV_SIM_ACCESS_WRITE:
		return HV_MAP_GPA_WRITABLE;
	default:
		return HV_MAP_GPA_EXECUTABLE;
	}
}

static void mshv_sim_copy_page(u64 pfn, unsigned int offset, void *buf,
			       unsigned int len, bool write)
{
	void *va = kmap_local_page(pfn_to_page(pfn));

	if (write)
		memcpy(va + offset, buf, len);
	else
		memcpy(buf, va + offset, len);
	kunmap_local(va);
}

/*
 * Access @len bytes at @gpa, all in one guest page. Return true if done,
 * else false with the reason in *@reason.
 */
static bool mshv_sim_access_page(struct mshv_sim_slat *slat, u64 gpa,
				 void *buf, unsigned int len,
				 enum mshv_sim_access acc,
				 enum mshv_sim_fault_reason *reason)
{
	bool write = acc == MSHV_SIM_ACCESS_WRITE;
	struct mshv_sim_slat_ref ref;
	unsigned long pte;

	if (!mshv_sim_slat_lookup(slat, PHYS_PFN(gpa), &ref)) {
		*reason = MSHV_SIM_GPA_UNMAPPED;
		return false;
	}
	if (!(ref.pte & MSHV_SIM_PTE_ACCESS)) {
		*reason = MSHV_SIM_GPA_NO_ACCESS;
		return false;
	}
	if (!(ref.pte & mshv_sim_access_needed(acc))) {
		*reason = MSHV_SIM_GPA_DENIED;
		return false;
	}

	mshv_sim_copy_page(ref.pfn, offset_in_page(gpa), buf, len, write);
	pte = ref.pte | MSHV_SIM_PTE_ACCESSED;
	if (write)
		pte |= MSHV_SIM_PTE_DIRTY;
	if (pte != ref.pte)
		mshv_sim_slat_update(ref.xa, ref.index, pte);
	return true;
}

/**
 * mshv_sim_slat_access() - access a child's memory through its SLAT
 * @pt: the child partition
 * @gpa: guest physical address of the first byte
 * @buf: the bytes to write, or room for the bytes read or fetched
 * @len: number of bytes
 * @acc: kind of access
 * @fault: filled when the access stops at the SLAT
 *
 * The walk mshv_sim_guest_access() describes, for a caller that holds
 * the lock (a virtual processor running guest code).
 *
 * Context: sim->lock held.
 * Return: 0 if all @len bytes were accessed, -EFAULT if the SLAT stopped
 * the access.
 */
int mshv_sim_slat_access(struct mshv_sim_partition *pt, u64 gpa, void *buf,
			 u32 len, enum mshv_sim_access acc,
			 struct mshv_sim_gpa_fault *fault)
{
	enum mshv_sim_fault_reason reason;
	unsigned int chunk;

	while (len) {
		chunk = min_t(u64, len, PAGE_SIZE - offset_in_page(gpa));
		if (!mshv_sim_access_page(&pt->slat, gpa, buf, chunk, acc,
					  &reason)) {
			fault->gpa = gpa;
			fault->access = acc;
			fault->reason = reason;
			pt->slat.intercepts++;
			return -EFAULT;
		}
		gpa += chunk;
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

/**
 * mshv_sim_slat_query() - how a guest page of a child is mapped, for a
 *	caller that holds the lock
 * @pt: the child partition
 * @gfn: the guest page frame number
 * @access: filled with the HV_MAP_GPA_READABLE, _WRITABLE and _*_EXECUTABLE
 *	bits it is mapped with (0 for a no-access mapping)
 *
 * Unlike an access, a query neither sets the page's accessed bit nor
 * counts an intercept.
 *
 * Context: sim->lock held.
 * Return: true if the page is mapped, false if not.
 */
bool mshv_sim_slat_query(struct mshv_sim_partition *pt, u64 gfn, u32 *access)
{
	struct mshv_sim_slat_ref ref;

	if (!mshv_sim_slat_lookup(&pt->slat, gfn, &ref))
		return false;
	*access = ref.pte & MSHV_SIM_PTE_ACCESS;
	return true;
}

/**
 * mshv_sim_guest_access() - access guest memory as a virtual processor
 * @sim: the instance
 * @pt_id: child partition id
 * @gpa: guest physical address of the first byte
 * @buf: the bytes to write, or room for the bytes read or fetched
 * @len: number of bytes, at least 1
 * @acc: kind of access
 * @fault: filled when the access stops at the SLAT
 *
 * Walks the SLAT page by page. Each page mapped with the access needed is
 * copied from or to @buf and gets its accessed bit set (and its dirty bit
 * for a write). The first page that is unmapped, mapped with no access or
 * mapped without the access needed stops the walk: the bytes before it
 * have been accessed, *@fault describes it, and the partition's intercept
 * counter grows by one. The copy is done under the instance lock, so an
 * unmap cannot race with it. A write that rings one of the partition's
 * doorbells signals its port instead and reaches no memory.
 *
 * Context: Any context. Takes sim->lock.
 * Return: 0 if all @len bytes were accessed, -EFAULT if the SLAT stopped
 * the access, -ENOENT if there is no child partition @pt_id, -EINVAL for
 * @len 0 or an unknown @acc.
 */
int mshv_sim_guest_access(struct mshv_sim *sim, u64 pt_id, u64 gpa, void *buf,
			  u32 len, enum mshv_sim_access acc,
			  struct mshv_sim_gpa_fault *fault)
{
	struct mshv_sim_partition *pt;
	unsigned long flags;
	int ret;

	if (!len || acc > MSHV_SIM_ACCESS_EXECUTE)
		return -EINVAL;

	spin_lock_irqsave(&sim->lock, flags);
	pt = mshv_sim_find(sim, pt_id, false);
	if (!pt)
		ret = -ENOENT;
	else if (acc == MSHV_SIM_ACCESS_WRITE &&
		 mshv_sim_doorbell_write(sim, pt, gpa, buf, len))
		ret = 0;
	else
		ret = mshv_sim_slat_access(pt, gpa, buf, len, acc, fault);
	spin_unlock_irqrestore(&sim->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_guest_access);

/* Introspection for debugfs and tests */

/**
 * mshv_sim_lookup_gpa() - how a guest page of a child partition is mapped
 * @sim: the instance
 * @pt_id: child partition id
 * @gfn: guest page frame number
 * @entry: filled with the mapping if there is one
 *
 * Context: Any context. Takes sim->lock.
 * Return: 0 if @gfn is mapped, -ENODATA if it is not, -ENOENT if there is
 * no child partition @pt_id.
 */
int mshv_sim_lookup_gpa(struct mshv_sim *sim, u64 pt_id, u64 gfn,
			struct mshv_sim_gpa_entry *entry)
{
	struct mshv_sim_partition *pt;
	struct mshv_sim_slat_ref ref;
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&sim->lock, flags);
	pt = mshv_sim_find(sim, pt_id, false);
	if (!pt) {
		ret = -ENOENT;
		goto out_unlock;
	}
	if (!mshv_sim_slat_lookup(&pt->slat, gfn, &ref)) {
		ret = -ENODATA;
		goto out_unlock;
	}
	entry->pfn = ref.pfn;
	entry->access = ref.pte & MSHV_SIM_PTE_ACCESS;
	entry->state = FIELD_GET(MSHV_SIM_PTE_STATE, ref.pte);
	entry->large = ref.large;
out_unlock:
	spin_unlock_irqrestore(&sim->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_lookup_gpa);

/**
 * mshv_sim_next_slat_info() - snapshot of a child partition's SLAT
 * @sim: the instance
 * @min_id: lowest partition id of interest
 * @info: filled with the snapshot of the child partition with the lowest
 *	id >= @min_id
 *
 * Calling it again with @info->id + 1 walks all child partitions.
 *
 * Context: Any context. Takes sim->lock.
 * Return: 0, or -ENOENT if there is no such child partition.
 */
int mshv_sim_next_slat_info(struct mshv_sim *sim, u64 min_id,
			    struct mshv_sim_slat_info *info)
{
	struct mshv_sim_partition *pt;
	unsigned long index = min_id;
	unsigned long flags;
	int ret = 0;

	if (min_id > U32_MAX)
		return -ENOENT;

	spin_lock_irqsave(&sim->lock, flags);
	pt = xa_find(&sim->partitions, &index, U32_MAX, XA_PRESENT);
	if (!pt) {
		ret = -ENOENT;
		goto out_unlock;
	}
	info->id = pt->id;
	info->mapped_pages = pt->slat.nr_mapped;
	info->large_entries = pt->slat.nr_large;
	info->noaccess_pages = pt->slat.nr_noaccess;
	info->slat_pages = pt->slat.nr_tables + pt->slat.nr_dirs;
	info->intercepts = pt->slat.intercepts;
out_unlock:
	spin_unlock_irqrestore(&sim->lock, flags);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mshv_sim_next_slat_info);
