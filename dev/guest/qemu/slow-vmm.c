// SPDX-License-Identifier: GPL-2.0
/*
 * A slow VMM for the QEMU cases: preloaded into QEMU (its loader's
 * --preload), it makes a vCPU thread that MSHV_RUN_VP stopped at an I/O
 * port intercept for port SLOW_VMM_PORT (QEMU's isa-debug-exit, 0xf4)
 * sleep SLOW_VMM_MS milliseconds before its next MSHV_ROOT_HVCALL, the
 * one that moves the VP past the OUT. The thread is then between two
 * MSHV_RUN_VP calls while QEMU's main thread, asked to exit by that OUT,
 * stops the vCPUs: the kick it sends them arrives there, for certain
 * rather than by chance, and the guest must still let QEMU exit.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <linux/mshv.h>

#define SLOW_VMM_PORT	0xf4
#define SLOW_VMM_MS	500

/* The TLFS's SynIC message: a 16-byte header, then the payload. */
#define MSG_TYPE_OFFSET		0
#define MSG_PAYLOAD_OFFSET	16
#define HVMSG_X64_IOPORT_INTERCEPT 0x80010000u
/* The I/O port intercept's port follows the 40-byte intercept header. */
#define IO_PORT_OFFSET		(MSG_PAYLOAD_OFFSET + 40)

typedef int (*ioctl_fn)(int, unsigned long, ...);

/* Set in a vCPU thread that stopped at an OUT to SLOW_VMM_PORT. */
static __thread int slow_next;

int ioctl(int fd, unsigned long request, ...)
{
	static ioctl_fn real;
	struct timespec ts = {
		.tv_sec = SLOW_VMM_MS / 1000,
		.tv_nsec = (SLOW_VMM_MS % 1000) * 1000000L,
	};
	__u32 type;
	__u16 port;
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!real)
		real = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");

	if (request == MSHV_ROOT_HVCALL && slow_next) {
		slow_next = 0;
		nanosleep(&ts, NULL);
	}
	ret = real(fd, request, arg);
	if (request == MSHV_RUN_VP && ret == 0) {
		memcpy(&type, (char *)arg + MSG_TYPE_OFFSET, sizeof(type));
		memcpy(&port, (char *)arg + IO_PORT_OFFSET, sizeof(port));
		slow_next = type == HVMSG_X64_IOPORT_INTERCEPT &&
			    port == SLOW_VMM_PORT;
	}
	return ret;
}
