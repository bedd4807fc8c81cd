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

/* Bit numbers of mshv_create_partition.pt_flags. */
enum {
	MSHV_PT_BIT_LAPIC,
	MSHV_PT_BIT_X2APIC,
	MSHV_PT_BIT_GPA_SUPER_PAGES,
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

/* ioctls on /dev/mshv */
#define MSHV_CREATE_PARTITION	_IOW(MSHV_IOCTL, 0x00, struct mshv_create_partition)

/* ioctls on a partition file descriptor */
#define MSHV_INITIALIZE_PARTITION	_IO(MSHV_IOCTL, 0x00)
#define MSHV_SET_GUEST_MEMORY	_IOW(MSHV_IOCTL, 0x02, struct mshv_user_mem_region)
#define MSHV_GET_GPAP_ACCESS_BITMAP \
	_IOWR(MSHV_IOCTL, 0x06, struct mshv_gpap_access_bitmap)
#define MSHV_ROOT_HVCALL	_IOWR(MSHV_IOCTL, 0x07, struct mshv_root_hvcall)

#endif /* _UAPI_LINUX_MSHV_H */
