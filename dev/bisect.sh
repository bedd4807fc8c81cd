#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The per-patch build matrix, as a maintainer's build bots would run it,
# over the series that dev/series.sh exported to build/series-tree:
#
#   test  dev/config/test.config (MSHV_ROOT=m, MSHV_SIM=m, KUnit=y)
#   prod  the test config without the simulator and KUnit
#         (MSHV_ROOT=m, MSHV_SIM=n, KUNIT=n): what a distribution ships
#   y     the test config with the driver built in (MSHV_ROOT=y, the
#         simulator and the KUnit suites stay modules)
#
# The prod and y configs keep the test config's debug options (KASAN,
# lockdep, ...), so the compiler flags of unchanged files stay the same
# and ccache serves them from the test build.
#
# Each config has its own object tree (build/obj-matrix-CONFIG), kept
# between runs, so each step is incremental. Per config and patch:
#   - the directories of the files the patch adds or changes (make dir/:
#     kbuild builds what the config enables there), and the directories
#     of every object that depends on a header the patch changes (from
#     kbuild's .cmd files of this config's and the test config's trees);
#   - W=1 and sparse (C=2) on the C files the patch adds or changes and
#     on our objects that depend on a header it changes, when the config
#     builds them; only findings in our files count (base files the
#     series edits have W=1 findings of their own);
#   - in full (bzImage + modules: vmlinux link, modpost for undefined or
#     unexported symbols and section mismatches, .ko links): the test
#     config at its first and last patch, the y config at the last patch.
#     The prod config is not linked here (see full_build below): Debian's
#     config, also MSHV_SIM=n and KUNIT=n, is, by dev/debian.sh.
# Patches that change only documentation, selftests, samples or
# MAINTAINERS are not built (none of these is part of the kernel image).
#
# What this leaves out: an intermediate patch is not linked, so a link
# error that a later patch fixes goes unseen (the compile of every
# changed object is still checked); an intermediate Kconfig change is
# checked only through the objects of the touched directories; and the
# prod config's own vmlinux link (its objects are all compiled, where
# touched, at every patch).
#
# Arguments: the configs to build (default: test prod y).
# Logs: build/logs/static-matrix-CONFIG.log, build/logs/static-w1-sparse.log
# Times: build/logs/matrix-times.txt ("config part seconds" per line).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

WT=$BUILD/series-tree
MDIR=$BUILD/matrix
TIMES=$LOGS/matrix-times.txt
W1LOG=$LOGS/static-w1-sparse.log
FRAG=$TOP/dev/config/test.config

# Kernel-image files: everything but these paths.
NONKERNEL_RE='^(Documentation/|tools/|samples/|MAINTAINERS$)'

# write_fragment CONFIG: the Kconfig fragment of a matrix config.
write_fragment() {
	local c=$1 out=$MDIR/$1.config
	mkdir -p "$MDIR"
	case $c in
	test)
		cp "$FRAG" "$out" ;;
	prod)
		grep -vE '^CONFIG_(MSHV_SIM|KUNIT[A-Z_]*|[A-Z_]*_KUNIT_TEST)=' \
			"$FRAG" > "$out"
		printf '%s\n' 'CONFIG_MSHV_SIM=n' 'CONFIG_KUNIT=n' >> "$out" ;;
	y)
		sed 's/^CONFIG_MSHV_ROOT=m$/CONFIG_MSHV_ROOT=y/' "$FRAG" > "$out" ;;
	*)
		die "unknown matrix config $c" ;;
	esac
}

mmake() {
	local c=$1
	shift
	make -C "$WT" O="$BUILD/obj-matrix-$c" ARCH=x86_64 -j"$JOBS" \
		CC="ccache gcc" HOSTCC="ccache gcc" LOCALVERSION= "$@"
}

# Options of the fragment that Kconfig dropped (at the last patch every
# option must exist and survive).
verify_config() {
	local c=$1 line sym want got bad=0
	while read -r line; do
		case "$line" in CONFIG_*=*) ;; *) continue ;; esac
		sym=${line%%=*}
		want=${line#*=}
		got=$(grep -E "^$sym=" "$BUILD/obj-matrix-$c/.config" |
			cut -d= -f2- || true)
		[ -n "$got" ] || got=n
		if [ "$want" != "$got" ]; then
			echo "config $c: $sym wanted $want, got $got"
			bad=1
		fi
	done < "$MDIR/$c.config"
	return $bad
}

# Objects (relative to an object tree) whose recorded dependencies name
# one of the headers in $@ (paths relative to the source tree), in the
# config's own object tree and in the test config's, which is built in
# full first.
header_dependants() {
	local c=$1 o h
	shift
	[ $# -gt 0 ] || return 0
	for h in "$@"; do
		printf '%s\n' "$WT/$h"
	done > "$MDIR/$c.headers"
	for o in "$BUILD/obj-matrix-$c" "$BUILD/obj-matrix-test"; do
		[ -d "$o" ] || continue
		find "$o" -name '.*.o.cmd' -print0 |
			xargs -0r grep -lF -f "$MDIR/$c.headers" 2>/dev/null |
			sed -e "s|^$o/||" -e 's|/\.\([^/]*\)\.cmd$|/\1|' \
			    -e 's|^\.\([^/]*\)\.cmd$|\1|' || true
	done | sort -u
}

# Our C files (added by the series), as a regex of paths.
ours_re() {
	project_files | grep -E '\.(c|h)$' | sed 's/[.]/\\./g' | paste -sd'|'
}

now() { date +%s; }

# add_time CONFIG PART SECONDS
add_time() {
	echo "$1 $2 $3" >> "$TIMES"
}

# Which cells build bzImage + modules in full: the test config at its
# first patch (ccache has nearly all of it from make build; the header
# dependencies it records serve the other configs) and at the last; the
# y config at the last. The prod config is never linked here: its full
# build shares nothing with the test config in ccache (CONFIG_KUNIT
# changes struct task_struct, so every object differs) and would cost a
# cold kernel build on every cold run; the production link and modpost
# check is Debian's config, which dev/debian.sh builds at the last patch.
full_build() {
	local c=$1 first=$2 last=$3
	case $c in
	test) [ "$first" = 1 ] || [ "$last" = 1 ] ;;
	y) [ "$last" = 1 ] ;;
	*) false ;;
	esac
}

# build_patch CONFIG N COMMIT FIRST LAST: one cell of the matrix.
build_patch() {
	local c=$1 n=$2 commit=$3 first=$4 last=$5
	local o=$BUILD/obj-matrix-$c log=$LOGS/static-matrix-$c.log
	local changed headers dirs objs t0 f rc=0
	t0=$(now)
	mkdir -p "$o"
	changed=$(git -C "$WT" diff-tree --no-commit-id --name-only -r \
		--diff-filter=d "$commit")
	# The configuration changes only where a Kconfig file does since
	# the commit it was last made at.
	if [ "$first" = 1 ] || [ ! -f "$o/.config" ] ||
	   [ ! -f "$MDIR/$c.configured" ] ||
	   git -C "$WT" diff --name-only "$(cat "$MDIR/$c.configured")" \
		"$commit" | grep -q 'Kconfig'; then
		mmake "$c" KCONFIG_ALLCONFIG="$MDIR/$c.config" allnoconfig \
			>> "$log" 2>&1 || return 1
		echo "$commit" > "$MDIR/$c.configured"
	fi
	if full_build "$c" "$first" "$last"; then
		echo "--- $c, patch $n: full build (bzImage modules)" >> "$log"
		mmake "$c" bzImage modules > "$MDIR/$c.full.raw" 2>&1 || rc=1
		cat "$MDIR/$c.full.raw" >> "$log"
		if [ $rc -eq 0 ] && grep -q 'WARNING: modpost' "$MDIR/$c.full.raw"; then
			echo "config $c, patch $n: modpost warnings" >> "$log"
			rc=1
		fi
		add_time "$c" full $(($(now) - t0))
	else
		# shellcheck disable=SC2086
		headers=$(printf '%s\n' $changed | grep -E '\.h$' || true)
		# shellcheck disable=SC2086
		dirs=$( { printf '%s\n' $changed |
			  grep -vE "$NONKERNEL_RE" | grep -vE '(^|/)include/' |
			  xargs -r -n1 dirname
			  header_dependants "$c" $headers | xargs -r -n1 dirname
			} | grep -v '^\.$' | sort -u | sed 's|$|/|' | paste -sd' ')
		echo "--- $c, patch $n: make $dirs" >> "$log"
		if [ -n "$dirs" ]; then
			# shellcheck disable=SC2086
			mmake "$c" $dirs >> "$log" 2>&1 || rc=1
		fi
		add_time "$c" dirs $(($(now) - t0))
	fi
	[ $rc -eq 0 ] || return 1
	if [ "$last" = 1 ]; then
		verify_config "$c" >> "$log" || return 1
	fi

	# W=1 and sparse: the changed C files and our objects that depend
	# on a changed header, that this config builds.
	t0=$(now)
	# shellcheck disable=SC2086
	headers=$(printf '%s\n' $changed | grep -E '\.h$' || true)
	# shellcheck disable=SC2086
	objs=$( { printf '%s\n' $changed | grep -E '\.c$' |
		  grep -vE "$NONKERNEL_RE" | sed 's/\.c$/.o/'
		  header_dependants "$c" $headers |
		  grep -E "^($(project_files | grep -E '\.c$' |
			sed -e 's/\.c$/.o/' -e 's/[.]/\\./g' | paste -sd'|'))$"
		} | sort -u |
		while read -r f; do [ -f "$o/$f" ] && echo "$f"; done |
		paste -sd' ')
	if [ -n "$objs" ]; then
		echo "--- $c, patch $n: W=1 C=2 $objs" >> "$log"
		# shellcheck disable=SC2086
		mmake "$c" W=1 C=2 $objs > "$MDIR/$c.w1.raw" 2>&1 || rc=1
		cat "$MDIR/$c.w1.raw" >> "$log"
		grep -E "($(ours_re))(:[0-9]+)*: (warning|error|note)" \
			"$MDIR/$c.w1.raw" | sed "s|^|$c, patch $n: |" >> "$W1LOG" ||
			true
	fi
	add_time "$c" w1-sparse $(($(now) - t0))
	return $rc
}

main() {
	local configs=${*:-test prod y} c commits commit n total first last
	local subject failed=0 built
	local -a pids
	if [ ! -d "$WT" ] || [ ! -f "$BUILD/series-tip" ]; then
		die "run dev/series.sh first"
	fi
	mkdir -p "$MDIR"
	: > "$TIMES"
	: > "$W1LOG"
	rm -f "$MDIR/failed" "$MDIR/status"
	commits=$(git -C "$WT" rev-list --reverse "base..$(cat "$BUILD/series-tip")")
	total=$(echo "$commits" | wc -l)
	for c in $configs; do
		write_fragment "$c"
		: > "$LOGS/static-matrix-$c.log"
	done
	n=0
	built=""
	for commit in $commits; do
		n=$((n + 1))
		subject=$(git -C "$WT" log -1 --format=%s "$commit")
		if ! git -C "$WT" diff-tree --no-commit-id --name-only -r "$commit" |
		     grep -qvE "$NONKERNEL_RE"; then
			for c in $configs; do
				echo "=== patch $n/$total: $subject (no kernel change)" \
					>> "$LOGS/static-matrix-$c.log"
			done
			[ "$n" -lt "$total" ] && continue
		fi
		git -C "$WT" checkout -q --detach "$commit"
		last=0
		[ "$n" -eq "$total" ] && last=1
		# The configs of one patch build side by side: each has its
		# own object tree, and much of a directory build is make's
		# own serial work, which leaves a core idle. The test config's
		# first, full build goes alone: it records the header
		# dependencies that the other configs look up.
		pids=()
		for c in $configs; do
			case " $built " in *" $c "*) first=0 ;; *) first=1 ;; esac
			built="$built $c"
			echo "=== patch $n/$total: $subject" >> "$LOGS/static-matrix-$c.log"
			say "matrix: patch $n/$total, $c config: $subject"
			build_patch "$c" "$n" "$commit" "$first" "$last" \
				&& echo 0 > "$MDIR/$c.rc" || echo 1 > "$MDIR/$c.rc" &
			pids+=($!)
			if [ "$c" = test ] && [ "$first" = 1 ]; then
				wait "$!"
			fi
		done
		wait "${pids[@]}"
		for c in $configs; do
			if [ "$(cat "$MDIR/$c.rc")" != 0 ]; then
				say "matrix: patch $n ($subject) fails in the" \
					"$c config (build/logs/static-matrix-$c.log)"
				echo "FAILED: patch $n/$total: $subject" \
					>> "$LOGS/static-matrix-$c.log"
				echo "$c" >> "$MDIR/failed"
				failed=1
			fi
		done
	done
	if [ -s "$W1LOG" ]; then
		say "matrix: W=1/sparse findings:"
		cat "$W1LOG" >&2
		failed=1
	fi
	# One status per config and one for W=1/sparse, for dev/static.sh.
	for c in $configs; do
		grep -qx "$c" "$MDIR/failed" 2>/dev/null && echo "matrix-$c=1" ||
			echo "matrix-$c=0"
	done > "$MDIR/status"
	[ -s "$W1LOG" ] && echo "w1-sparse=1" >> "$MDIR/status" ||
		echo "w1-sparse=0" >> "$MDIR/status"
	return $failed
}

main "$@"
