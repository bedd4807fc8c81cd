#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make run: build, boot the test kernel with the hypervisor simulator and
# run the /dev/mshv sample; print what it shows and the driver's messages.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$TOP/dev/guest.sh"

main() {
	local qrc=0
	"$TOP/dev/build.sh"
	install_headers
	build_selftests
	build_sample
	build_initramfs
	say "booting the test kernel under QEMU (TCG); this takes a minute"
	boot_guest run 600 || qrc=$?
	echo "---- kernel messages from mshv ----"
	grep -E '(mshv_root|mshv_sim|misc mshv)' "$TESTDIR/console.log" |
		sed 's/^\[[ 0-9.]*\] //' || echo "(none)"
	echo "---- guest output ----"
	grep -v '^###' "$TESTDIR/results.log" || true
	if ! grep -q '^### DONE' "$TESTDIR/results.log"; then
		tail -30 "$TESTDIR/console.log"
		die "the guest did not finish (qemu status $qrc)"
	fi
}

main "$@"
