#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: build the test kernel (the same one make check boots), boot it
# once under QEMU with more memory, run the VP and interrupt benchmark and
# the guest memory benchmark (tools/testing/selftests/mshv/mshv_irq_bench,
# mshv_mem_bench) with the simulator as the hypervisor, and print their
# tables and the profiles of the rows not met. The output is kept in
# build/bench/results.txt (console: build/bench/console.log).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$TOP/dev/guest.sh"

# Guest memory in MiB: enough for 8 GiB of guest memory plus the kernel
# (KASAN's shadow alone takes an eighth of it).
BENCH_MEM=${BENCH_MEM:-12288}
# About 6 minutes on a quiet host; a host busy with other guests (load
# average near 10 on 2 CPUs) took 22 minutes, the profiled runs included.
BENCH_TIMEOUT=${BENCH_TIMEOUT:-2700}
# The bench guest has its own directory, so that make check's logs stay.
TESTDIR=$BUILD/bench

main() {
	local qrc=0 start load_start load_end
	start=$(date +%s)
	"$TOP/dev/build.sh"
	install_headers
	build_selftests
	build_sample
	[ -x "$TESTDIR/bench/mshv_mem_bench" ] ||
		die "mshv_mem_bench was not built (TEST_GEN_PROGS_EXTENDED)"
	build_initramfs
	say "booting the test kernel with $BENCH_MEM MiB (timeout ${BENCH_TIMEOUT}s)"
	load_start=$(cut -d' ' -f1-3 /proc/loadavg)
	boot_guest bench "$BENCH_TIMEOUT" "$BENCH_MEM" off || qrc=$?
	load_end=$(cut -d' ' -f1-3 /proc/loadavg)
	{
		sed -n '/^### BEGIN bench/,/^### END/p' "$TESTDIR/results.log" |
			grep -v '^###'
		echo
		echo "host: $(nproc) CPUs, load average $load_start at the start, $load_end at the end;"
		echo "guest finished after $(( $(date +%s) - start ))s (qemu status $qrc), $(date -u '+%F %H:%M UTC')"
	} > "$TESTDIR/results.txt" || true
	say "guest finished after $(( $(date +%s) - start ))s (qemu status $qrc)"
	cat "$TESTDIR/results.txt"
	if ! grep -q '^### DONE' "$TESTDIR/results.log" ||
	   ! grep -q '^summary:' "$TESTDIR/results.txt"; then
		tail -30 "$TESTDIR/console.log"
		die "the benchmark did not finish (build/bench/console.log)"
	fi
}

main "$@"
