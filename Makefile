# SPDX-License-Identifier: GPL-2.0
# Developer entry points. The kernel's own Makefile lives in build/linux.
#
#   make run     build, boot the test kernel in QEMU with the simulator,
#                and show /dev/mshv at work
#   make check   build, run every KUnit suite and kselftest in one QEMU
#                boot, scan the kernel log for splats, run the static
#                checks; ends with "N passed, N failed"
#   make bench   boot the test kernel with more memory and run the guest
#                memory benchmark; prints a table (build/bench/results.txt)
#   make series  export the patch series to build/series/
#   make build   assemble build/linux and build the kernel and modules

SHELL := /bin/bash
LOCK := flock build/.lock

.PHONY: all build check run bench series static clean distclean

all: build

build:
	@mkdir -p build && $(LOCK) dev/build.sh

check:
	@mkdir -p build && $(LOCK) dev/check.sh

run:
	@mkdir -p build && $(LOCK) dev/run.sh

bench:
	@mkdir -p build && $(LOCK) dev/bench.sh

series:
	@mkdir -p build && $(LOCK) dev/series.sh

static:
	@mkdir -p build && $(LOCK) dev/static.sh

clean:
	rm -rf build/obj build/obj-matrix-* build/obj-debian build/debian \
		build/matrix build/series build/series-tip build/test build/logs \
		build/bench

distclean:
	rm -rf build
