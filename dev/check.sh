#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: build, boot the test kernel once under QEMU, run every KUnit
# suite and kselftest, scan for splats, run the static checks, and end with
# "N passed, N failed, N skipped". SKIP_STATIC=1 (a shortcut while
# developing, never used by CI) leaves the static checks out.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$TOP/dev/guest.sh"

BOOT_TIMEOUT=${BOOT_TIMEOUT:-1500}

main() {
	local qrc=0 static start
	start=$(date +%s)
	"$TOP/dev/build.sh"
	install_headers
	build_selftests
	build_sample
	build_initramfs qemu
	say "booting the test kernel (timeout ${BOOT_TIMEOUT}s; console: build/test/console.log)"
	boot_guest check "$BOOT_TIMEOUT" || qrc=$?
	static=
	if [ "${SKIP_STATIC:-0}" = 1 ]; then
		say "guest finished after $(( $(date +%s) - start ))s (qemu status $qrc); SKIP_STATIC=1: no static checks"
	else
		say "guest finished after $(( $(date +%s) - start ))s (qemu status $qrc); static checks"
		static=$("$TOP/dev/static.sh")
	fi
	say "total $(( $(date +%s) - start ))s"
	# shellcheck disable=SC2086
	python3 "$TOP/dev/results.py" "$TESTDIR/results.log" \
		"$TESTDIR/console.log" "$qrc" $static
}

main "$@"
