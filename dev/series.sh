#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Export the patch series to build/series/ with git format-patch.
#
# dev/series/NN-name/ declares one patch: "message" (subject line, blank
# line, changelog), "files" (globs of the project files the patch adds, each
# file owned by exactly one patch) and *.patch, applied in name order on top
# of the earlier patches' edits. A *.patch edits either base files (of the
# package's tree) or project files that an earlier entry added, never both:
# that is how a file grows over several patches. The repository holds each
# project file's final content; the version its owner adds is the final
# one with every later patch that touches it reverse-applied (stage_files).
# dev/series/cover-letter is the cover letter (subject line, blank line,
# text).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

WT=$BUILD/series-tree
OUT=$BUILD/series
AUTHOR_NAME=
AUTHOR_EMAIL=

# The series' author and the one who signs off every patch: the git
# identity of whoever exports it (git config user.name / user.email).
# Never a made-up one: without an identity the export fails. The one
# exception is CI (CI=true), which runs in a fresh clone where nobody
# configured git: there the export is only checked, never sent, and it
# takes the identity that committed the repository's HEAD, the last
# person who certified the work it contains.
set_identity() {
	AUTHOR_NAME=$(git -C "$TOP" config user.name || true)
	AUTHOR_EMAIL=$(git -C "$TOP" config user.email || true)
	if [ -z "$AUTHOR_NAME" ] || [ -z "$AUTHOR_EMAIL" ]; then
		if [ "${CI:-}" = true ]; then
			AUTHOR_NAME=$(git -C "$TOP" log -1 --format=%cn HEAD)
			AUTHOR_EMAIL=$(git -C "$TOP" log -1 --format=%ce HEAD)
			say "series: CI without a git identity: signing off as" \
				"the committer of HEAD, $AUTHOR_NAME <$AUTHOR_EMAIL>"
		else
			die "no git identity: every patch carries your" \
				"Signed-off-by, so set it first:
  git config --global user.name 'Your Name'
  git config --global user.email you@example.org"
		fi
	fi
	case "$AUTHOR_EMAIL" in
	*@*.*) ;;
	*) die "git user.email '$AUTHOR_EMAIL' is not a mail address" ;;
	esac
}

# Every project file must belong to exactly one patch.
check_ownership() {
	local owners=$BUILD/owners bad=0 f n
	for e in "$SERIES"/*/; do
		entry_files "$e"
	done | sort > "$owners"
	while read -r n f; do
		say "series: $f is claimed by $n patches"
		bad=1
	done < <(uniq -c "$owners" | awk '$1 > 1 {print $1, $2}')
	while read -r f; do
		say "series: $f belongs to no patch (add it to a dev/series/*/files)"
		bad=1
	done < <(project_files | sort | comm -23 - "$owners")
	return $bad
}

STAGES=$BUILD/series-stages

# Index of every entry, in series order, for the ownership checks.
declare -A OWNER_AT=()
declare -a ENTRIES=()

list_entries() {
	local e i=0 f
	for e in "$SERIES"/*/; do
		ENTRIES+=("${e%/}")
		for f in $(entry_files "${e%/}"); do
			OWNER_AT[$f]=$i
		done
		i=$((i + 1))
	done
}

# A project patch of entry I may only edit files owned by an entry before I.
check_project_patch() {
	local i=$1 p=$2 f
	for f in $(patch_targets "$p"); do
		[ -n "${OWNER_AT[$f]:-}" ] ||
			die "${p#"$TOP"/}: $f belongs to no entry"
		[ "${OWNER_AT[$f]}" -lt "$i" ] ||
			die "${p#"$TOP"/} edits $f, which a later or the same entry adds"
	done
	! grep -q '^+++ /dev/null\|^--- /dev/null' "$p" ||
		die "${p#"$TOP"/} creates or deletes a project file: list it in files"
}

# The version of each project file that its owner adds: walk the series
# backwards from the final files, snapshotting each entry's own files
# and then undoing the entry's project patches, last first.
stage_files() {
	local tree=$STAGES/tree i e p f name
	rm -rf "$STAGES"
	mkdir -p "$tree"
	project_files | while read -r f; do
		mkdir -p "$tree/$(dirname "$f")"
		cp -p "$TOP/$f" "$tree/$f"
	done
	for ((i = ${#ENTRIES[@]} - 1; i >= 0; i--)); do
		e=${ENTRIES[$i]}
		name=$(basename "$e")
		for f in $(entry_files "$e"); do
			mkdir -p "$STAGES/$name/$(dirname "$f")"
			cp -p "$tree/$f" "$STAGES/$name/$f"
		done
		for p in $(find "$e" -maxdepth 1 -name '*.patch' | sort -r); do
			project_patch "$p" || continue
			check_project_patch "$i" "$p"
			patch -R -f -s -p1 --fuzz=0 --no-backup-if-mismatch \
				-d "$tree" < "$p" >&2 ||
				die "${p#"$TOP"/} does not reverse-apply to the later" \
					"version of its files: regenerate it"
		done
	done
}

reset_worktree() {
	if [ ! -d "$WT" ]; then
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q --detach -f "$WT" base
	fi
	git -C "$WT" checkout -q --detach -f base
	git -C "$WT" clean -qfdx
}

commit_entry() {
	local e=$1 f p author
	[ -f "$e/message" ] || die "${e#"$TOP"/} has no message"
	for f in $(entry_files "$e"); do
		mkdir -p "$WT/$(dirname "$f")"
		cp "$STAGES/$(basename "$e")/$f" "$WT/$f"
		git -C "$WT" add -f "$f"
	done
	for p in "$e"/*.patch; do
		[ -f "$p" ] || continue
		git -C "$WT" apply --index "$p" ||
			die "${p#"$TOP"/} does not apply in series order"
	done
	author="$AUTHOR_NAME <$AUTHOR_EMAIL>"
	{ cat "$e/message"; printf '\nSigned-off-by: %s\n' "$author"; } |
		git -C "$WT" -c user.name="$AUTHOR_NAME" \
			-c user.email="$AUTHOR_EMAIL" \
			commit -q --author="$author" -F -
}

# The cover letter names its parts as "(patches A-B)", written by hand:
# they must cover patches 1 to the last, in order, with no gap.
check_cover_parts() {
	local n next=1 a b
	n=$(git -C "$WT" rev-list --count base..HEAD)
	while read -r a b; do
		[ "$a" -eq "$next" ] ||
			die "the cover letter's parts skip or repeat patch $next"
		next=$((b + 1))
	done < <(grep -o '(patches [0-9]*-[0-9]*)' "$SERIES/cover-letter" |
		 tr -c '0-9\n' ' ')
	[ "$next" -eq $((n + 1)) ] ||
		die "the cover letter's parts end at patch $((next - 1)), the series at $n"
}

# The cover letter: our text, then the base the series applies to (the
# Debian package, as the base-commit hash is of our scratch repository),
# then git's shortlog and diffstat.
write_cover() {
	local cover=$OUT/0000-cover-letter.patch subject base
	subject=$(head -1 "$SERIES/cover-letter")
	base="Based on Debian's $BASE_PKG"
	base="$base $(dpkg-query -W -f='${Version}' "$BASE_PKG")"
	base="$base (the tree of $BASE_TAR)."
	python3 - "$cover" "$subject" "$SERIES/cover-letter" "$base" <<'PY'
import sys
path, subject, src, base = sys.argv[1:5]
blurb = open(src).read().split('\n', 2)[2].rstrip('\n')
text = open(path).read()
text = text.replace('*** SUBJECT HERE ***', subject)
text = text.replace('*** BLURB HERE ***', blurb + '\n\n' + base)
open(path, 'w').write(text)
PY
	check_cover_parts
	grep -q '^ [0-9]* files\{0,1\} changed' "$cover" ||
		die "the cover letter has no diffstat"
	grep -qF "$base" "$cover" || die "the cover letter has no base version"
}

# The exported patches must apply with git am, as a maintainer applies
# them, to the pristine package tree in a scratch repository, and give
# exactly the tree that the tests ran on. The scratch repository is a
# clone of the assembled tree's "base" commit (shared objects, its own
# refs and index): base is the package's tarball unpacked and committed
# untouched, and must be of the installed package version.
verify_series() {
	local am=$BUILD/series-am ver got p
	local -a patches=()
	ver=$(dpkg-query -W -f='${Version}' "$BASE_PKG")
	got=$(git -C "$TREE" log -1 --format=%s base)
	[ "$got" = "base: Debian $BASE_PKG $ver" ] ||
		die "build/linux's base is '$got', not $BASE_PKG $ver: make distclean"
	rm -rf "$am"
	git -C "$TREE" worktree prune
	git clone -q --shared --no-checkout "$TREE" "$am"
	git -C "$am" checkout -q --detach base
	[ -z "$(git -C "$am" status --porcelain)" ] ||
		die "the scratch checkout of the base is not clean"
	for p in "$OUT"/*.patch; do
		[[ $p == */0000-cover-letter.patch ]] || patches+=("$p")
	done
	git -C "$am" -c user.name="$AUTHOR_NAME" -c user.email="$AUTHOR_EMAIL" \
		am -q "${patches[@]}" ||
		die "the series does not apply with git am"
	git -C "$TREE" fetch -q "$am" HEAD
	if ! git -C "$TREE" diff --quiet FETCH_HEAD HEAD; then
		git -C "$TREE" diff --stat FETCH_HEAD HEAD >&2
		die "the series differs from the assembled tree"
	fi
	rm -rf "$am"
}

SIM_RE='^drivers/hv/(mshv_sim/|hv_seam\.c$)'
DRIVER_RE='^drivers/hv/mshv_[a-z_]*\.[ch]$'

# The simulator is a test-only part after the driver: no patch touches
# both, and every patch that touches the driver comes before the first
# that touches the simulator.
check_parts() {
	local c files n=0 last_drv=0 first_sim=0
	for c in $(git -C "$WT" rev-list --reverse base..HEAD); do
		n=$((n + 1))
		files=$(git -C "$WT" diff-tree --no-commit-id --name-only -r "$c")
		if grep -Eq "$SIM_RE" <<< "$files"; then
			[ $first_sim -gt 0 ] || first_sim=$n
			! grep -v '_kunit\.c$' <<< "$files" | grep -Eq "$DRIVER_RE" ||
				die "patch $n touches both the driver and the simulator"
		elif grep -v '_kunit\.c$' <<< "$files" | grep -Eq "$DRIVER_RE"; then
			last_drv=$n
		fi
	done
	[ $first_sim -eq 0 ] || [ $last_drv -lt $first_sim ] ||
		die "driver patch $last_drv comes after simulator patch $first_sim"
}

# The size of each patch, for the notes: number, lines added and removed,
# subject. In build/logs/series-sizes.txt and on stderr.
write_sizes() {
	local c n=0 stat
	for c in $(git -C "$WT" rev-list --reverse base..HEAD); do
		n=$((n + 1))
		stat=$(git -C "$WT" diff --shortstat -M "$c~1" "$c")
		printf '%04d %6d+ %6d- %s\n' $n \
			"$(grep -o '[0-9]* insertion' <<< "$stat" | cut -d' ' -f1)" \
			"$(grep -o '[0-9]* deletion' <<< "$stat" | cut -d' ' -f1)" \
			"$(git -C "$WT" log -1 --format=%s "$c")"
	done | tee "$LOGS/series-sizes.txt" >&2
}

PLACEHOLDER_RE='localhost|\.invalid|example\.(com|org)|mshv developers'

# Every patch is signed off by the author, never by a placeholder.
verify_signoffs() {
	local p want="Signed-off-by: $AUTHOR_NAME <$AUTHOR_EMAIL>"
	for p in "$OUT"/*.patch; do
		case "$p" in */0000-cover-letter.patch) continue ;; esac
		grep -qxF "$want" "$p" || die "$(basename "$p") lacks '$want'"
		! grep -qiE "^Signed-off-by: .*($PLACEHOLDER_RE)" "$p" ||
			die "$(basename "$p") has a placeholder Signed-off-by"
	done
}

main() {
	local e n
	set_identity
	"$TOP/dev/assemble.sh"
	check_ownership || die "fix the series layout"
	list_entries
	stage_files
	reset_worktree
	for e in "$SERIES"/*/; do
		commit_entry "${e%/}"
	done
	check_parts
	rm -rf "$OUT"
	n=$(git -C "$WT" rev-list --count base..HEAD)
	# The tip, for dev/bisect.sh, which moves the work tree around.
	git -C "$WT" rev-parse HEAD > "$BUILD/series-tip"
	git -C "$WT" -c user.name="$AUTHOR_NAME" -c user.email="$AUTHOR_EMAIL" \
		format-patch -q -M --cover-letter --base=base \
		--subject-prefix="PATCH" -o "$OUT" base..HEAD
	write_cover
	verify_signoffs
	verify_series
	write_sizes
	say "wrote $n patches and a cover letter to build/series/"
}

main "$@"
