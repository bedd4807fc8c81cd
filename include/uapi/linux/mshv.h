/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * User-space interface of /dev/mshv, the Microsoft Hyper-V root partition
 * driver. A virtual machine monitor opens /dev/mshv, creates a partition
 * (a file descriptor), and drives it with the ioctls below. Numbers and
 * layouts are those of the mainline Linux driver, so existing VMMs work
 * unchanged. See Documentation/virt/mshv/api.rst.
 */
#ifndef _UAPI_LINUX_MSHV_H
#define _UAPI_LINUX_MSHV_H

#include <linux/types.h>

/* The ioctl type, registered in Documentation/userspace-api/ioctl. */
#define MSHV_IOCTL	0xB8

/*
 * Bit numbers of mshv_create_partition.pt_flags. CPU_AND_XSAVE_FEATURES
 * says that the argument is a struct mshv_create_partition_v2.
 */
enum {
	MSHV_PT_BIT_LAPIC,
	MSHV_PT_BIT_X2APIC,
	MSHV_PT_BIT_GPA_SUPER_PAGES,
	MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES,
	MSHV_PT_BIT_NESTED_VIRTUALIZATION,
	MSHV_PT_BIT_SMT_ENABLED_GUEST,
	MSHV_PT_BIT_COUNT,
};

#define MSHV_PT_FLAGS_MASK ((1 << MSHV_PT_BIT_COUNT) - 1)

/* Values of mshv_create_partition.pt_isolation. */
enum {
	MSHV_PT_ISOLATION_NONE,
	MSHV_PT_ISOLATION_COUNT,
};

/**
 * struct mshv_create_partition - argument of %MSHV_CREATE_PARTITION
 * @pt_flags: bitmask of 1 << MSHV_PT_BIT_*; other bits must be 0
 * @pt_isolation: one of MSHV_PT_ISOLATION_*
 *
 * The ioctl returns a new partition file descriptor (close-on-exec).
 */
struct mshv_create_partition {
	__u64 pt_flags;
	__u64 pt_isolation;
};

/* Processor feature banks of mshv_create_partition_v2 (x86). */
#define MSHV_NUM_CPU_FEATURES_BANKS	2

/**
 * struct mshv_create_partition_v2 - argument of %MSHV_CREATE_PARTITION
 *	when pt_flags has 1 << MSHV_PT_BIT_CPU_AND_XSAVE_FEATURES
 * @pt_flags: as in struct mshv_create_partition
 * @pt_isolation: as in struct mshv_create_partition
 * @pt_num_cpu_fbanks: number of banks in @pt_cpu_fbanks; must be
 *	%MSHV_NUM_CPU_FEATURES_BANKS
 * @pt_rsvd: reserved, must be 0
 * @pt_cpu_fbanks: processor features to hide from the partition, in the
 *	hypervisor's processor feature bank layout
 * @pt_rsvd1: reserved, must be 0
 * @pt_disabled_xsave: xsave features to hide from the partition
 *
 * The ioctl number is the same: the kernel reads the first 16 bytes, and
 * the rest only when the flag is set.
 */
struct mshv_create_partition_v2 {
	__u64 pt_flags;
	__u64 pt_isolation;
	__u16 pt_num_cpu_fbanks;
	__u8 pt_rsvd[6];
	__u64 pt_cpu_fbanks[MSHV_NUM_CPU_FEATURES_BANKS];
	__u64 pt_rsvd1[2];
	__u64 pt_disabled_xsave;
};

/**
 * struct mshv_root_hvcall - argument of %MSHV_ROOT_HVCALL
 * @code: hypercall code; must be in the driver's allowlist
 * @reps: in: rep count for a rep hypercall (0 otherwise);
 *	out: reps completed
 * @in_sz: size of the input buffer in bytes, 8 to 4096
 * @out_sz: size of the output buffer in bytes, 1 to 4096 if @out_ptr is set
 * @status: in: must be 0; out: the hypervisor status (HV_STATUS_*)
 * @rsvd: reserved, must be 0
 * @in_ptr: user address of the input buffer; its first 8 bytes are
 *	replaced by the target partition id
 * @out_ptr: user address of the output buffer, or 0
 *
 * @status and @reps are written back even when the hypercall fails.
 */
struct mshv_root_hvcall {
	__u16 code;
	__u16 reps;
	__u16 in_sz;
	__u16 out_sz;
	__u16 status;
	__u8 rsvd[6];
	__u64 in_ptr;
	__u64 out_ptr;
};

/* Bit numbers of mshv_user_mem_region.flags. */
enum {
	MSHV_SET_MEM_BIT_WRITABLE,
	MSHV_SET_MEM_BIT_EXECUTABLE,
	MSHV_SET_MEM_BIT_UNMAP,
	MSHV_SET_MEM_BIT_COUNT,
};

#define MSHV_SET_MEM_FLAGS_MASK ((1 << MSHV_SET_MEM_BIT_COUNT) - 1)

/* The hypervisor's page size: guest_pfn and gpap_base count these pages. */
#define MSHV_HV_PAGE_SIZE	0x1000

/**
 * struct mshv_user_mem_region - argument of %MSHV_SET_GUEST_MEMORY
 * @size: length of the region in bytes; a non-zero multiple of the page size
 * @guest_pfn: first guest page frame (in MSHV_HV_PAGE_SIZE units) it backs
 * @userspace_addr: page-aligned start of the VMM memory that backs it
 * @flags: bitmask of 1 << MSHV_SET_MEM_BIT_*. The guest may always read a
 *	mapped region; WRITABLE and EXECUTABLE grant the other accesses.
 *	With UNMAP the region whose @size, @guest_pfn and @userspace_addr are
 *	exactly these is removed instead, and the other bits are ignored.
 * @rsvd: reserved, must be 0
 */
struct mshv_user_mem_region {
	__u64 size;
	__u64 guest_pfn;
	__u64 userspace_addr;
	__u8 flags;
	__u8 rsvd[7];
};

/* Values of mshv_gpap_access_bitmap.access_type. */
enum {
	MSHV_GPAP_ACCESS_TYPE_ACCESSED,
	MSHV_GPAP_ACCESS_TYPE_DIRTY,
	MSHV_GPAP_ACCESS_TYPE_COUNT,
};

/* Values of mshv_gpap_access_bitmap.access_op. */
enum {
	MSHV_GPAP_ACCESS_OP_NOOP,
	MSHV_GPAP_ACCESS_OP_CLEAR,
	MSHV_GPAP_ACCESS_OP_SET,
	MSHV_GPAP_ACCESS_OP_COUNT,
};

/**
 * struct mshv_gpap_access_bitmap - argument of %MSHV_GET_GPAP_ACCESS_BITMAP
 * @access_type: which bit to report, one of MSHV_GPAP_ACCESS_TYPE_*
 * @access_op: what to do to that bit once it is read, one of
 *	MSHV_GPAP_ACCESS_OP_*
 * @rsvd: reserved, must be 0
 * @page_count: in: number of guest pages to report, at least 1;
 *	out: number of pages whose bit was reported (also on failure)
 * @gpap_base: first guest page frame, in MSHV_HV_PAGE_SIZE units
 * @bitmap_ptr: user address of a buffer of (@page_count + 7) / 8 bytes;
 *	bit i (of byte i / 8, least significant first) is set if page
 *	@gpap_base + i had the bit set. Bits past the pages reported are 0.
 */
struct mshv_gpap_access_bitmap {
	__u8 access_type;
	__u8 access_op;
	__u8 rsvd[6];
	__u64 page_count;
	__u64 gpap_base;
	__u64 bitmap_ptr;
};

/**
 * struct mshv_create_vp - argument of %MSHV_CREATE_VP
 * @vp_index: index of the new virtual processor, below 256 and not yet
 *	used in the partition
 *
 * The ioctl returns a new VP file descriptor (close-on-exec).
 */
struct mshv_create_vp {
	__u32 vp_index;
};

/* Size of one SynIC message, the result of %MSHV_RUN_VP. */
#define MSHV_RUN_VP_BUF_SZ	256

/**
 * struct mshv_run_vp - argument of %MSHV_RUN_VP
 * @msg_buf: receives the hypervisor message (struct hv_message of the
 *	Hyper-V TLFS) that stopped the virtual processor
 */
struct mshv_run_vp {
	__u8 msg_buf[MSHV_RUN_VP_BUF_SZ];
};

/* Bit numbers of mshv_user_irqfd.flags. */
enum {
	MSHV_IRQFD_BIT_DEASSIGN,
	MSHV_IRQFD_BIT_RESAMPLE,
	MSHV_IRQFD_BIT_COUNT,
};

#define MSHV_IRQFD_FLAGS_MASK	((1 << MSHV_IRQFD_BIT_COUNT) - 1)

/**
 * struct mshv_user_irqfd - argument of %MSHV_IRQFD
 * @fd: an eventfd; each write to it injects the interrupt that the MSI
 *	routing table gives for @gsi
 * @resamplefd: with RESAMPLE, an eventfd the kernel signals when the guest
 *	acknowledges (EOIs) the level-triggered interrupt of @gsi; else unused
 * @gsi: the guest interrupt, an index into the MSI routing table
 * @flags: bitmask of 1 << MSHV_IRQFD_BIT_*. DEASSIGN removes the irqfd of
 *	@fd and @gsi instead of adding one.
 */
struct mshv_user_irqfd {
	__s32 fd;
	__s32 resamplefd;
	__u32 gsi;
	__u32 flags;
};

/* Bit numbers of mshv_user_ioeventfd.flags. */
enum {
	MSHV_IOEVENTFD_BIT_DATAMATCH,
	MSHV_IOEVENTFD_BIT_PIO,
	MSHV_IOEVENTFD_BIT_DEASSIGN,
	MSHV_IOEVENTFD_BIT_COUNT,
};

#define MSHV_IOEVENTFD_FLAGS_MASK	((1 << MSHV_IOEVENTFD_BIT_COUNT) - 1)

/**
 * struct mshv_user_ioeventfd - argument of %MSHV_IOEVENTFD
 * @datamatch: with DATAMATCH, only a write of this value signals @fd
 * @addr: guest physical address of the doorbell
 * @len: size of the write that signals @fd: 1, 2, 4 or 8 bytes, or 0 for
 *	any size
 * @fd: the eventfd to signal
 * @flags: bitmask of 1 << MSHV_IOEVENTFD_BIT_*; PIO (port I/O) is not
 *	supported. DEASSIGN removes the matching ioeventfd instead.
 * @rsvd: reserved, must be 0
 */
struct mshv_user_ioeventfd {
	__u64 datamatch;
	__u64 addr;
	__u32 len;
	__s32 fd;
	__u32 flags;
	__u8 rsvd[4];
};

/**
 * struct mshv_user_irq_entry - one route of the MSI routing table
 * @gsi: the guest interrupt routed, below 4096
 * @address_lo: low half of the MSI address: destination APIC id in bits
 *	19:12, logical destination mode in bit 2
 * @address_hi: high half of the MSI address; must be 0
 * @data: MSI data: vector in bits 7:0, delivery mode in bits 10:8,
 *	level trigger in bit 15
 */
struct mshv_user_irq_entry {
	__u32 gsi;
	__u32 address_lo;
	__u32 address_hi;
	__u32 data;
};

/**
 * struct mshv_user_irq_table - argument of %MSHV_SET_MSI_ROUTING
 * @nr: number of entries, at most 4096; 0 removes every
 *	route
 * @rsvd: reserved, must be 0
 * @entries: the routes, each GSI at most once; they replace the whole
 *	table
 */
struct mshv_user_irq_table {
	__u32 nr;
	__u32 rsvd;
	struct mshv_user_irq_entry entries[];
};

/* Values of mshv_get_set_vp_state.type. */
enum {
	MSHV_VP_STATE_LAPIC,
	MSHV_VP_STATE_XSAVE,
	MSHV_VP_STATE_SIMP,
	MSHV_VP_STATE_SIEFP,
	MSHV_VP_STATE_SYNTHETIC_TIMERS,
	MSHV_VP_STATE_COUNT,
};

/**
 * struct mshv_get_set_vp_state - argument of %MSHV_GET_VP_STATE and
 *	%MSHV_SET_VP_STATE
 * @type: one of MSHV_VP_STATE_*
 * @rsvd: reserved, must be 0
 * @buf_sz: in: size of the buffer; out: size of the state. If the buffer
 *	is too small the ioctl fails with EINVAL and sets the size needed.
 * @buf_ptr: user address of the buffer, aligned to %MSHV_HV_PAGE_SIZE
 */
struct mshv_get_set_vp_state {
	__u8 type;
	__u8 rsvd[3];
	__u32 buf_sz;
	__u64 buf_ptr;
};

/*
 * mmap() offsets of a VP file descriptor, in pages: the hypervisor pages
 * shared with the root for this virtual processor, one page each.
 */
#define MSHV_VP_MMAP_OFFSET_REGISTERS		0
#define MSHV_VP_MMAP_OFFSET_INTERCEPT_MESSAGE	1
#define MSHV_VP_MMAP_OFFSET_GHCB		2
#define MSHV_VP_MMAP_OFFSET_COUNT		3

/* ioctls on /dev/mshv */
#define MSHV_CREATE_PARTITION	_IOW(MSHV_IOCTL, 0x00, struct mshv_create_partition)

/* ioctls on a partition file descriptor */
#define MSHV_INITIALIZE_PARTITION	_IO(MSHV_IOCTL, 0x00)
#define MSHV_CREATE_VP		_IOW(MSHV_IOCTL, 0x01, struct mshv_create_vp)
#define MSHV_SET_GUEST_MEMORY	_IOW(MSHV_IOCTL, 0x02, struct mshv_user_mem_region)
#define MSHV_IRQFD		_IOW(MSHV_IOCTL, 0x03, struct mshv_user_irqfd)
#define MSHV_IOEVENTFD		_IOW(MSHV_IOCTL, 0x04, struct mshv_user_ioeventfd)
#define MSHV_SET_MSI_ROUTING	_IOW(MSHV_IOCTL, 0x05, struct mshv_user_irq_table)
#define MSHV_GET_GPAP_ACCESS_BITMAP \
	_IOWR(MSHV_IOCTL, 0x06, struct mshv_gpap_access_bitmap)
#define MSHV_ROOT_HVCALL	_IOWR(MSHV_IOCTL, 0x07, struct mshv_root_hvcall)

/* ioctls on a VP file descriptor (and MSHV_ROOT_HVCALL, scoped to the VP) */
#define MSHV_RUN_VP		_IOR(MSHV_IOCTL, 0x00, struct mshv_run_vp)
#define MSHV_GET_VP_STATE	_IOWR(MSHV_IOCTL, 0x01, struct mshv_get_set_vp_state)
#define MSHV_SET_VP_STATE	_IOWR(MSHV_IOCTL, 0x02, struct mshv_get_set_vp_state)

#endif /* _UAPI_LINUX_MSHV_H */
