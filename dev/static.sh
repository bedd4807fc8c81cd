#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks of our code only. Prints "name=status" per check on
# stdout (dev/results.py counts each) and a table of the time of each
# part on stderr (also in build/logs/static-times.txt):
#   series      dev/series.sh: export, git am onto the pristine package
#               tree in a scratch repository, equal to the assembled tree,
#               Signed-off-by from the git identity, cover letter with a
#               diffstat and the base version
#   checkpatch  checkpatch --strict on every exported patch
#   matrix-test, matrix-prod, matrix-y
#               dev/bisect.sh: every patch in the test, production
#               (MSHV_SIM=n, KUNIT=n) and MSHV_ROOT=y configs
#   w1-sparse   W=1 and sparse (C=2) per patch, on what each patch touches,
#               in the three configs (dev/bisect.sh)
#   debian      dev/debian.sh: the last patch in Debian's amd64 config
#               with MSHV_ROOT=m, hv modules linked and checked by modpost
#   docs        a parse of our documentation
#   kselftest   the selftests' conventions: TLFS values only in hv_tlfs.h,
#               no structure defined twice, no hand-assembled guest code
set -uo pipefail
. "$(dirname "$0")/lib.sh"

check_series() {
	"$TOP/dev/series.sh" > "$LOGS/static-series.log" 2>&1
}

check_checkpatch() {
	local log=$LOGS/static-checkpatch.log p
	local -a patches=()
	for p in "$BUILD"/series/*.patch; do
		[[ $p == */0000-cover-letter.patch ]] || patches+=("$p")
	done
	# FILE_PATH_CHANGES: the first patch adds the MAINTAINERS entries that
	# cover every path of the series.
	(cd "$TREE" && perl scripts/checkpatch.pl --strict --quiet \
		--ignore FILE_PATH_CHANGES "${patches[@]}") > "$log" 2>&1
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

# The kselftest conventions that a grep can check. The suite's build
# through the kselftest Makefile is checked by the test boot, which uses it.
check_kselftest() {
	local log=$LOGS/static-kselftest.log dir=$TOP/tools/testing/selftests/mshv
	local rc=0
	: > "$log"
	# TLFS names (HV_*, HVCALL_*, HVMSG_*) are defined in hv_tlfs.h only.
	if (cd "$dir" && grep -nE '^#define (HV|HVCALL|HVMSG)_' -- *.c *.h |
		grep -v '^hv_tlfs\.h:') >> "$log"; then
		echo "TLFS values defined outside hv_tlfs.h (above)" >> "$log"
		rc=1
	fi
	# One definition of each structure, in a shared header if shared.
	if (cd "$dir" && grep -hoE '^struct [a-z0-9_]+ \{' -- *.c *.h |
		sort | uniq -d | grep .) >> "$log"; then
		echo "structures defined in more than one file (above)" >> "$log"
		rc=1
	fi
	# Guest code is assembly source, not byte arrays: eight hex bytes
	# in a row on one line is machine code typed in by hand.
	if (cd "$dir" && grep -nE '(0x[0-9a-fA-F]{2}, *){7}0x[0-9a-fA-F]{2}' \
		-- *.c *.h) >> "$log"; then
		echo "hand-assembled byte arrays (above)" >> "$log"
		rc=1
	fi
	return $rc
}

# The per-patch build matrix; its statuses come from build/matrix/status.
check_matrix() {
	"$TOP/dev/bisect.sh" > "$LOGS/static-matrix.out" 2>&1
}

check_debian() {
	"$TOP/dev/debian.sh" > "$LOGS/static-debian.out" 2>&1
}

TIMES_TABLE=$LOGS/static-times.txt

# timed NAME CMD...: run CMD, record its wall time.
timed() {
	local name=$1 t0 r
	shift
	t0=$(date +%s)
	"$@"
	r=$?
	echo "$name $(($(date +%s) - t0))" >> "$TIMES_TABLE"
	return $r
}

print_times() {
	local f
	{
		echo "static checks: wall time (s), this run"
		printf '  %-28s %6s\n' part seconds
		while read -r name secs; do
			printf '  %-28s %6s\n' "$name" "$secs"
			# The matrix' and Debian's own parts, indented.
			case $name in
			matrix) f=$LOGS/matrix-times.txt ;;
			debian) f=$LOGS/debian-times.txt ;;
			*) f= ;;
			esac
			[ -n "$f" ] && [ -f "$f" ] &&
				awk 'NF == 3 { t[$1 " " $2] += $3; n[$1 " " $2]++ }
				     NF == 2 { t[$1] += $2; n[$1] = 1 }
				     END { for (k in t)
					printf "    %-26s %6d  (%d step%s)\n", k,
						t[k], n[k], (n[k] > 1 ? "s" : "") }' \
					"$f" | sort
		done < "$TIMES_TABLE"
	} | tee "$LOGS/static-times.table" >&2
	return 0
}

main() {
	local r s c
	: > "$TIMES_TABLE"
	timed series check_series; s=$?
	echo "series=$s"
	r=1
	[ $s -ne 0 ] || { timed checkpatch check_checkpatch; r=$?; }
	echo "checkpatch=$r"
	if [ $s -eq 0 ]; then
		timed matrix check_matrix
		if [ -f "$BUILD/matrix/status" ]; then
			cat "$BUILD/matrix/status"
		else
			for c in matrix-test matrix-prod matrix-y w1-sparse; do
				echo "$c=1"
			done
		fi
	else
		for c in matrix-test matrix-prod matrix-y w1-sparse; do
			echo "$c=1"
		done
	fi
	timed debian check_debian; r=$?
	echo "debian=$r"
	timed docs check_docs; r=$?
	echo "docs=$r"
	timed kselftest check_kselftest; r=$?
	echo "kselftest=$r"
	print_times
	# The statuses above are the result; dev/check.sh counts them.
	return 0
}

main "$@"
