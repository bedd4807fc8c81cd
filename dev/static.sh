#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of our code only: checkpatch --strict over the exported
# series, a build of every patch of the series, sparse (C=2) plus W=1
# over our C files with the findings filtered to the files we wrote, and
# a parse of our documentation.
# Prints "name=status" per check on stdout.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

OBJ_CHECK=$BUILD/obj-check

# Regex matching diagnostics that point into our files.
ours_re() {
	project_files | grep -E '\.(c|h)$' | sed 's/[.]/\\./g' | paste -sd'|'
}

check_series() {
	local log=$LOGS/static-checkpatch.log
	"$TOP/dev/series.sh" > "$log" 2>&1 || return 1
	# FILE_PATH_CHANGES: the first patch adds the MAINTAINERS entries that
	# cover every path of the series.
	(cd "$TREE" && perl scripts/checkpatch.pl --strict --quiet \
		--ignore FILE_PATH_CHANGES \
		$(ls "$BUILD"/series/*.patch | grep -v /0000-cover-letter)) \
		>> "$log" 2>&1
}

# W=1 (extra warnings and kernel-doc) and sparse over our C files, in a
# separate object tree so the test build keeps its flags and objects.
check_compile() {
	local log=$LOGS/static-sparse-w1.log re objs rc=0
	re=$(ours_re)
	objs=$(project_files | grep -E '^(drivers|arch|kernel|mm)/.*\.c$' |
		sed 's/\.c$/.o/')
	mkdir -p "$OBJ_CHECK"
	cmp -s "$OBJ/.config" "$OBJ_CHECK/.config" ||
		cp "$OBJ/.config" "$OBJ_CHECK/.config"
	KOBJ=$OBJ_CHECK kmake olddefconfig > "$log.raw" 2>&1 || rc=1
	# shellcheck disable=SC2086
	KOBJ=$OBJ_CHECK kmake W=1 C=2 $objs >> "$log.raw" 2>&1 || rc=1
	grep -E "($re)(:[0-9]+)*: (warning|error|note)" "$log.raw" > "$log"
	[ $rc -eq 0 ] || tail -30 "$log.raw" >> "$log"
	[ $rc -eq 0 ] && [ ! -s "$log" ]
}

# Our reStructuredText must parse without a warning. Plain docutils (the
# system's, not a user's python) stands in for Sphinx: the kernel's own
# directives are not used in these files, except the index's toctree.
check_docs() {
	local log=$LOGS/static-docs.log f rc=0
	: > "$log"
	for f in "$TOP"/Documentation/virt/mshv/*.rst; do
		[ "$(basename "$f")" = index.rst ] && continue
		/usr/bin/python3 - "$f" >> "$log" 2>&1 <<'PY' || rc=1
import sys
import docutils.core
path = sys.argv[1]
docutils.core.publish_string(open(path).read(), source_path=path,
                             writer_name='null',
                             settings_overrides={'report_level': 2,
                                                 'halt_level': 2})
PY
	done
	return $rc
}

# Every patch of the series must build on its own.
check_bisect() {
	"$TOP/dev/bisect.sh" > "$LOGS/static-bisect.out" 2>&1
}

main() {
	local r
	check_series; r=$?
	echo "checkpatch=$r"
	if [ $r -eq 0 ]; then
		check_bisect; r=$?
	fi
	echo "bisect=$r"
	check_compile; r=$?
	echo "sparse-w1=$r"
	check_docs; r=$?
	echo "docs=$r"
}

main "$@"
