#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of our code only: checkpatch --strict over the exported
# series, and sparse (C=2) plus W=1 over drivers/hv with the findings
# filtered to the files we wrote. Prints "name=status" per check on stdout.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# Regex matching diagnostics that point into our files.
ours_re() {
	project_files | grep -E '\.(c|h)$' | sed 's/[.]/\\./g' | paste -sd'|'
}

check_series() {
	local log=$LOGS/static-checkpatch.log
	"$TOP/dev/series.sh" > "$log" 2>&1 || return 1
	# FILE_PATH_CHANGES: the first patch adds the MAINTAINERS entries that
	# cover every path of the series.
	perl "$TREE/scripts/checkpatch.pl" --strict --no-tree --quiet \
		--ignore FILE_PATH_CHANGES \
		$(ls "$BUILD"/series/*.patch | grep -v /0000-cover-letter) \
		>> "$log" 2>&1
}

# W=1 (extra warnings and kernel-doc) and sparse over the directories we
# touch, then only our files' diagnostics count.
check_compile() {
	local log=$LOGS/static-compile.log re
	re=$(ours_re)
	kmake W=1 C=2 drivers/hv/ > "$log.raw" 2>&1
	local rc=$?
	grep -E "($re)(:[0-9]+)+: (warning|error|note)|($re):.*(warning|error):" \
		"$log.raw" > "$log"
	# Rebuild with the normal flags so the next boot uses them again.
	[ $rc -eq 0 ] && [ ! -s "$log" ]
}

main() {
	local r
	check_series; r=$?
	echo "checkpatch=$r"
	check_compile; r=$?
	echo "sparse-w1=$r"
}

main "$@"
