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
# The series' author: the developer's git identity, if any.
AUTHOR_NAME=$(git -C "$TOP" config user.name || echo "mshv developers")
AUTHOR_EMAIL=$(git -C "$TOP" config user.email || echo "mshv@localhost")

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

write_cover() {
	local cover=$OUT/0000-cover-letter.patch subject
	subject=$(head -1 "$SERIES/cover-letter")
	python3 - "$cover" "$subject" "$SERIES/cover-letter" <<'PY'
import sys
path, subject, src = sys.argv[1:4]
blurb = open(src).read().split('\n', 2)[2].rstrip('\n')
text = open(path).read()
text = text.replace('*** SUBJECT HERE ***', subject)
text = text.replace('*** BLURB HERE ***', blurb)
open(path, 'w').write(text)
PY
}

# The exported patches must apply to the base with git am and give
# exactly the tree that the tests ran on.
verify_series() {
	local am=$BUILD/series-am
	rm -rf "$am"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach -f "$am" base
	git -C "$am" -c user.name=am -c user.email=am@mshv.invalid \
		am -q $(ls "$OUT"/*.patch | grep -v /0000-cover-letter) ||
		die "the series does not apply with git am"
	if ! git -C "$TREE" diff --quiet "$(git -C "$am" rev-parse HEAD)" HEAD; then
		git -C "$TREE" diff --stat "$(git -C "$am" rev-parse HEAD)" HEAD >&2
		die "the series differs from the assembled tree"
	fi
	git -C "$TREE" worktree remove --force "$am"
}

main() {
	local e n
	"$TOP/dev/assemble.sh"
	check_ownership || die "fix the series layout"
	reset_worktree
	for e in "$SERIES"/*/; do
		commit_entry "${e%/}"
	done
	rm -rf "$OUT"
	n=$(git -C "$WT" rev-list --count base..HEAD)
	git -C "$WT" -c user.name="$AUTHOR_NAME" -c user.email="$AUTHOR_EMAIL" \
		format-patch -q --cover-letter --base=base \
		--subject-prefix="PATCH" -o "$OUT" base..HEAD
	write_cover
	verify_series
	say "wrote $n patches and a cover letter to build/series/"
}

main "$@"
