#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the test programs and the initramfs, and boot the test kernel.
# Sourced by check.sh and run.sh.

TESTDIR=$BUILD/test
HDR=$TESTDIR/usr
SELFTESTS=tools/testing/selftests/mshv

# Export the uapi headers of the assembled tree for user-space programs.
install_headers() {
	kmake headers_install INSTALL_HDR_PATH="$HDR" > "$LOGS/headers.log" 2>&1 ||
		die "headers_install failed (build/logs/headers.log)"
}

# The selftests, built by their own Makefile through the kselftest
# framework (make -C tools/testing/selftests TARGETS=mshv install), as a
# selftest maintainer or CI builds them: O=$TESTDIR makes the framework
# take the uapi headers installed in $HDR. Static, since the guest has no
# C library, and -Werror on top of the Makefile's warnings. The programs
# kselftest-list.txt names (TEST_GEN_PROGS) go to bin/ (run by make
# check), the other installed programs (TEST_GEN_PROGS_EXTENDED) to bench/
# (make bench).
KSFT_INSTALL=$TESTDIR/kselftest_install

build_selftests() {
	local p progs
	mkdir -p "$TESTDIR/bin" "$TESTDIR/bench"
	rm -f "$TESTDIR"/bin/* "$TESTDIR"/bench/*
	rm -rf "$KSFT_INSTALL"
	# The uapi headers come from install_headers, wherever TESTDIR is.
	make -C "$TREE/tools/testing/selftests" -j"$JOBS" TARGETS=mshv \
		O="$TESTDIR" KHDR_INCLUDES="-isystem $HDR/include" \
		USERCFLAGS=-Werror USERLDFLAGS=-static \
		install INSTALL_PATH="$KSFT_INSTALL" \
		> "$LOGS/selftests.log" 2>&1 ||
		{ cat "$LOGS/selftests.log" >&2; die "building the selftests failed"; }
	progs=$(sed -n 's/^mshv://p' "$KSFT_INSTALL/kselftest-list.txt")
	[ -n "$progs" ] || die "no TEST_GEN_PROGS in $SELFTESTS/Makefile"
	for p in "$KSFT_INSTALL"/mshv/*; do
		[ -f "$p" ] && [ -x "$p" ] || continue
		if echo "$progs" | grep -qx "$(basename "$p")"; then
			cp "$p" "$TESTDIR/bin/"
		else
			cp "$p" "$TESTDIR/bench/"
		fi
	done
}

# The sample programs, built the same way, and the guest programs of
# mshv-vmm: flat binaries linked for the address mshv-vmm loads them at
# (GUEST_LOAD_ADDR in mshv-vmm.c, as in samples/mshv/Makefile).
GUEST_LOAD_ADDR=0x8000

build_guest() {
	local obj=$TESTDIR/guests/$1
	gcc -nostdinc -c -o "$obj.o" "$TREE/samples/mshv/$1.S" &&
		ld -m elf_x86_64 -static -nostdlib --build-id=none \
			-z noexecstack -Ttext="$GUEST_LOAD_ADDR" -e _start \
			-o "$obj.elf" "$obj.o" &&
		objcopy -O binary -j .text "$obj.elf" "$obj.bin"
}

build_sample() {
	local log=$LOGS/selftests.log p
	mkdir -p "$TESTDIR/guests"
	rm -f "$TESTDIR"/guests/*
	for p in mshv-partition mshv-vmm; do
		gcc -static -O2 -Wall -Wextra -Werror -isystem "$HDR/include" \
			-o "$TESTDIR/$p" "$TREE/samples/mshv/$p.c" -lpthread \
			>> "$log" 2>&1 ||
			{ cat "$log" >&2; die "building $p failed"; }
	done
	for p in guest-real guest-long; do
		build_guest "$p" >> "$log" 2>&1 ||
			{ cat "$log" >&2; die "building $p failed"; }
	done
}

# QEMU for the test guest: Debian unstable's qemu-system-x86 (fetched and
# unpacked by qemu-unstable.sh), run there with its own dynamic loader, and
# the firmware images its cases boot (dev/guest/qemu/). These are inputs of
# the test harness, not of the kernel series, so they live under dev/.
QEMU_ROOT=$BUILD/qemu-unstable/root
QEMU_LIB=usr/lib/x86_64-linux-gnu
QEMU_SRC=$TOP/dev/guest/qemu

build_qemu_guests() {
	local out=$TESTDIR/qemu log=$LOGS/qemu-guests.log
	rm -rf "$out"
	mkdir -p "$out"
	: > "$log"
	# -bios: a 64 KiB image whose last 16 bytes hold the reset vector.
	{ gcc -nostdinc -c -o "$out/firmware.o" "$QEMU_SRC/firmware.S" &&
	  ld -m elf_x86_64 -static -nostdlib --build-id=none -z noexecstack \
		-Ttext=0 -e _start -o "$out/firmware.elf" "$out/firmware.o" &&
	  objcopy -O binary -j .text "$out/firmware.elf" "$out/firmware.bin" &&
	  [ "$(stat -c %s "$out/firmware.bin")" = 65536 ] &&
	# The disk: boot sector and second sector, padded to 1 MiB.
	  gcc -nostdinc -c -o "$out/bootdisk.o" "$QEMU_SRC/bootdisk.S" &&
	  ld -m elf_x86_64 -static -nostdlib --build-id=none -z noexecstack \
		-Ttext=0x7c00 -e _start -o "$out/bootdisk.elf" "$out/bootdisk.o" &&
	  objcopy -O binary -j .text "$out/bootdisk.elf" "$out/bootdisk.img" &&
	  [ "$(stat -c %s "$out/bootdisk.img")" = 1024 ] &&
	  truncate -s 1M "$out/bootdisk.img" &&
	# A slow VMM: preloaded into QEMU for the qemu-slow-vmm case.
	  gcc -shared -fPIC -O2 -Wall -Wextra -Werror -isystem "$HDR/include" \
		-o "$out/slow-vmm.so" "$QEMU_SRC/slow-vmm.c" -ldl; } \
		>> "$log" 2>&1 ||
		{ cat "$log" >&2; die "building the QEMU guest images failed"; }
}

# add_qemu ROOT: QEMU, the libraries its loader resolves for it (and only
# those), the firmware its cases use, and the images of dev/guest/qemu/.
# Without the package, /qemu/unavailable tells the guest why.
add_qemu() {
	local root=$1 lib=$QEMU_ROOT/$QEMU_LIB so
	mkdir -p "$root/qemu"
	"$TOP/dev/qemu-unstable.sh"
	if [ -f "$BUILD/qemu-unstable/unavailable" ]; then
		cp "$BUILD/qemu-unstable/unavailable" "$root/qemu/unavailable"
		return 0
	fi
	build_qemu_guests
	mkdir -p "$root/qemu/bin" "$root/qemu/lib" "$root/qemu/share"
	cp "$QEMU_ROOT/usr/bin/qemu-system-x86_64" "$root/qemu/bin/"
	cp -L "$lib/ld-linux-x86-64.so.2" "$root/qemu/lib/"
	for so in $("$lib/ld-linux-x86-64.so.2" --library-path "$lib" --list \
			"$QEMU_ROOT/usr/bin/qemu-system-x86_64" |
			awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
		cp -L "$so" "$root/qemu/lib/"
	done
	# SeaBIOS for q35/pc, and the option ROM the pc machines load.
	cp "$QEMU_ROOT/usr/share/seabios/bios-256k.bin" \
		"$QEMU_ROOT/usr/share/qemu/kvmvapic.bin" "$root/qemu/share/"
	cp "$TESTDIR/qemu/firmware.bin" "$TESTDIR/qemu/bootdisk.img" \
		"$TESTDIR/qemu/slow-vmm.so" "$root/qemu/"
	[ "${QEMU_DEBUG:-0}" = 1 ] && add_strace "$root"
	return 0
}

# QEMU_DEBUG=1 (development only): the machine's strace, with the host's
# loader and libraries, traces QEMU's ioctls in the guest.
add_strace() {
	local root=$1 strace so
	strace=$(command -v strace) || { say "QEMU_DEBUG: no strace here"; return 0; }
	mkdir -p "$root/qemu/debug"
	cp "$strace" "$root/qemu/debug/strace"
	for so in $(ldd "$strace" | awk '$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }'); do
		cp -L "$so" "$root/qemu/debug/"
	done
}

build_initramfs() {
	local root=$TESTDIR/root ko
	rm -rf "$root"
	mkdir -p "$root"/{bin,bench,dev,guests,proc,sys,tmp,tests,lib/modules/mshv}
	cp /bin/busybox "$root/bin/busybox"
	cp "$TOP/dev/guest/init" "$root/init"
	chmod +x "$root/init"
	# The modules this build made (a stale .ko of an earlier layout may
	# still lie in the object tree).
	for ko in $(sed -n 's,^\(drivers/hv/\|arch/x86/hyperv/\)\(.*\)\.o$,\1\2.ko,p' \
		    "$OBJ/modules.order"); do
		cp "$OBJ/$ko" "$root/lib/modules/mshv/"
	done
	cp "$TESTDIR"/bin/* "$root/tests/"
	cp "$TESTDIR"/bench/* "$root/bench/" 2>/dev/null || true
	cp "$TESTDIR/mshv-partition" "$TESTDIR/mshv-vmm" "$root/bin/"
	cp "$TESTDIR"/guests/*.bin "$root/guests/"
	[ "${1:-}" = qemu ] && add_qemu "$root"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) \
		> "$TESTDIR/initramfs.cpio.gz"
	say "initramfs: $(( $(stat -c %s "$TESTDIR/initramfs.cpio.gz") / 1024 )) KiB"
}

# boot_guest MODE TIMEOUT [MEMORY [KMEMLEAK]]: boot once with MEMORY MiB
# (default 2048) and kmemleak on or off (default on); console in
# $TESTDIR/console.log, results in $TESTDIR/results.log. Returns QEMU's
# status (124: timeout).
boot_guest() {
	local mode=$1 limit=$2 mem=${3:-2048} kmemleak=${4:-on}
	rm -f "$TESTDIR/console.log" "$TESTDIR/results.log"
	timeout --foreground -k 10 "$limit" qemu-system-x86_64 \
		-machine q35 -cpu max -smp 2 -m "$mem" \
		-accel tcg,thread=multi \
		-kernel "$OBJ/arch/x86/boot/bzImage" \
		-initrd "$TESTDIR/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 kmemleak=$kmemleak mshv.mode=$mode loglevel=7${ONLY:+ mshv.only=$ONLY}${QEMU_DEBUG:+ mshv.qemu_debug=$QEMU_DEBUG}" \
		-display none -monitor none -no-reboot \
		-serial "file:$TESTDIR/console.log" \
		-serial "file:$TESTDIR/results.log" < /dev/null
}
