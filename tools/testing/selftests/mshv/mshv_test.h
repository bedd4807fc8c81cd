/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixture helpers of the /dev/mshv selftests that use the kselftest
 * harness: they mark the running test skipped or failed, so they are
 * inline here rather than in the library (mshv_util.c), which does not
 * depend on the harness.
 */
#ifndef SELFTEST_MSHV_TEST_H
#define SELFTEST_MSHV_TEST_H

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "mshv_util.h"

/* Close @fd if it is one (an ioctl may have wrongly succeeded). */
static inline void close_valid(int fd)
{
	if (fd >= 0)
		close(fd);
}

/*
 * Open /dev/mshv into @dev, or mark the test skipped where there is none.
 * Returns false if the caller must return: SKIP() only leaves this helper.
 */
static inline bool mshv_open_or_skip(struct __test_metadata *_metadata,
				     int *dev)
{
	*dev = mshv_open();
	if (*dev < 0 && mshv_absent(*dev))
		SKIP(return false, "%s: %s", MSHV_DEV_PATH, strerror(-*dev));
	EXPECT_LE(0, *dev);
	return *dev >= 0;
}

/*
 * Can the hypervisor run VPs at all? Run VP @vp of a partition with no
 * memory yet: it stops at once at the reset vector with an unmapped-GPA
 * intercept. A hypervisor without HvDispatchVp fails with EOPNOTSUPP, and
 * the test is marked skipped. Returns false if the caller must return.
 */
static inline bool mshv_vp_runs_or_skip(struct __test_metadata *_metadata,
					int vp)
{
	struct hv_msg msg;
	int ret;

	ret = mshv_run_vp(vp, &msg);
	if (ret == -EOPNOTSUPP)
		SKIP(return false, "the hypervisor cannot run VPs");
	EXPECT_EQ(0, ret);
	EXPECT_EQ(HVMSG_UNMAPPED_GPA, msg.header.message_type);
	return !ret && msg.header.message_type == HVMSG_UNMAPPED_GPA;
}

#endif /* SELFTEST_MSHV_TEST_H */
