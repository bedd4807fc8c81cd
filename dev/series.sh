#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Export the patch series to build/series/ with git format-patch.
#
# dev/series/NN-name/ declares one patch: "message" (subject line, blank
# line, changelog), "files" (globs of the project files the patch adds, each
# file owned by exactly one patch) and *.patch (edits of base files, applied
# in name order, on top of the earlier patches' edits). dev/series/cover-letter
# is the cover letter (subject line, blank line, text).
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
		cp "$TOP/$f" "$WT/$f"
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
	reset_worktree
	for e in "$SERIES"/*/; do
		commit_entry "${e%/}"
	done
	rm -rf "$OUT"
	n=$(git -C "$WT" rev-list --count base..HEAD)
	# The tip, for dev/bisect.sh, which moves the work tree around.
	git -C "$WT" rev-parse HEAD > "$BUILD/series-tip"
	git -C "$WT" -c user.name="$AUTHOR_NAME" -c user.email="$AUTHOR_EMAIL" \
		format-patch -q --cover-letter --base=base \
		--subject-prefix="PATCH" -o "$OUT" base..HEAD
	write_cover
	verify_signoffs
	verify_series
	say "wrote $n patches and a cover letter to build/series/"
}

main "$@"
