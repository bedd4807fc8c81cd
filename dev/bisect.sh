#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel and modules at every patch of the exported series
# (after dev/series.sh), incrementally in one object tree, so that each
# patch is known to build on its own (git bisect works).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

WT=$BUILD/series-tree
OBJB=$BUILD/obj-bisect
FRAG=$TOP/dev/config/test.config

bmake() {
	make -C "$WT" O="$OBJB" ARCH=x86_64 -j"$JOBS" CC="ccache gcc" \
		HOSTCC="ccache gcc" LOCALVERSION= "$@"
}

main() {
	local c subject n=0 log=$LOGS/static-bisect.log
	[ -d "$WT" ] || die "run dev/series.sh first"
	mkdir -p "$OBJB"
	: > "$log"
	for c in $(git -C "$WT" rev-list --reverse base..HEAD); do
		n=$((n + 1))
		subject=$(git -C "$WT" log -1 --format=%s "$c")
		git -C "$WT" checkout -q --detach "$c"
		# Documentation, selftests and samples are not part of the
		# test kernel: such a patch cannot break its build.
		if ! git -C "$WT" diff-tree --no-commit-id --name-only -r "$c" |
		     grep -qvE '^(Documentation/|tools/|samples/|MAINTAINERS$)'; then
			echo "=== patch $n: $subject (no kernel build change)" >> "$log"
			continue
		fi
		say "bisect: building patch $n: $subject"
		echo "=== patch $n: $subject" >> "$log"
		if ! { bmake KCONFIG_ALLCONFIG="$FRAG" allnoconfig &&
		       bmake bzImage modules; } >> "$log" 2>&1; then
			grep -E 'error|Error' "$log" | tail -20 >&2
			die "patch $n ($subject) does not build"
		fi
	done
	say "bisect: all $n patches build"
}

main "$@"
