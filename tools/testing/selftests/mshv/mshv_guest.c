// SPDX-License-Identifier: GPL-2.0
/*
 * Guest set-up for the /dev/mshv selftests: guest memory filled with HLT
 * and mapped into a partition, and a VP pointed at real-mode code. The
 * programs themselves are assembly source in the tests (mshv_guest.h).
 */
#include <sys/mman.h>

#include "mshv_util.h"

/**
 * guest_mem_alloc() - anonymous memory for a guest, every byte HLT
 * @size: bytes, a multiple of 4 KiB
 *
 * A guest that runs past its program, or jumps where it should not, halts
 * instead of running whatever the memory held.
 *
 * Return: the memory, or MAP_FAILED.
 */
void *guest_mem_alloc(size_t size)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (mem != MAP_FAILED)
		memset(mem, GUEST_HLT, size);
	return mem;
}

/**
 * guest_mem_map() - map guest memory readable, writable and executable
 * @pt: partition file descriptor
 * @gfn: guest page frame number of the first page
 * @mem: the memory (from guest_mem_alloc())
 * @size: bytes, a multiple of 4 KiB
 *
 * Return: 0 or a negative errno.
 */
int guest_mem_map(int pt, __u64 gfn, void *mem, size_t size)
{
	return mshv_map_memory(pt, gfn, mem, size,
			       (1 << MSHV_SET_MEM_BIT_WRITABLE) |
			       (1 << MSHV_SET_MEM_BIT_EXECUTABLE));
}

/**
 * guest_real_mode() - point a VP at real-mode code
 * @fd: VP (or partition) file descriptor
 * @vp_index: the VP
 * @rip: guest address of the code; CS is 0 with a 64 KiB limit
 * @rsp: the stack pointer, or 0 to leave RSP as it is
 *
 * Sets CS and RIP (and RSP) with HvSetVpRegisters; the VP's other state is
 * the reset state a new VP has.
 *
 * Return: 0 or a negative errno.
 */
int guest_real_mode(int fd, __u32 vp_index, __u64 rip, __u64 rsp)
{
	struct mshv_vp_reg regs[3] = {
		{ .name = HV_X64_REGISTER_CS,
		  .hi = MSHV_SEG_HI(0xffff, 0, GUEST_REAL_MODE_CS_ATTR) },
		{ .name = HV_X64_REGISTER_RIP, .lo = rip },
		{ .name = HV_X64_REGISTER_RSP, .lo = rsp },
	};

	return mshv_vp_set_regs(fd, vp_index, regs, rsp ? 3 : 2, NULL);
}
