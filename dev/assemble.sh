#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Assemble build/linux: the pristine base (committed and tagged "base"),
# then our files and our patches to base files. Only files whose content
# changed are rewritten, so make rebuilds only what depends on them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base_version() {
	dpkg-query -W -f='${Version}' "$BASE_PKG"
}

make_base_tree() {
	local tmp=$BUILD/base.tmp ver
	ver=$(base_version)
	say "unpacking $BASE_PKG $ver into $TREE"
	rm -rf "$tmp" "$TREE"
	mkdir -p "$tmp"
	tar -xJf "$BASE_TAR" -C "$tmp"
	mv "$tmp/$BASE_PKG" "$TREE"
	rmdir "$tmp"
	git -C "$TREE" init -q -b project
	git -C "$TREE" config user.name "mshv build"
	git -C "$TREE" config user.email "build@mshv.invalid"
	git -C "$TREE" config core.autocrlf false
	git -C "$TREE" config gc.auto 0
	git -C "$TREE" add -A -f .
	git -C "$TREE" commit -q -m "base: Debian $BASE_PKG $ver"
	git -C "$TREE" tag base
	echo "$BASE_PKG $ver" > "$BUILD/base-version"
}

# Build the overlay: our files plus patched copies of base files. Our
# files are already final here; the patches that build them up step by
# step (project patches) matter only to dev/series.sh.
make_stage() {
	local stage=$1 p f
	rm -rf "$stage"
	mkdir -p "$stage"
	project_files | while read -r f; do
		mkdir -p "$stage/$(dirname "$f")"
		cp -p "$TOP/$f" "$stage/$f"
	done
	: > "$BUILD/deleted.new"
	for p in $(series_patches); do
		project_patch "$p" && continue
		for f in $(patch_targets "$p"); do
			grep -qxF "$f" "$BUILD/deleted.new" &&
				die "${p#"$TOP"/} touches $f, deleted before"
			[ -f "$stage/$f" ] && continue
			mkdir -p "$stage/$(dirname "$f")"
			git -C "$TREE" show "base:$f" > "$stage/$f"
		done
		deleted_files "$p" >> "$BUILD/deleted.new"
		# -E: a file the patch deletes leaves the stage.
		patch -s -E -p1 -d "$stage" --no-backup-if-mismatch < "$p" ||
			die "patch ${p#"$TOP"/} does not apply"
	done
	sort -u -o "$BUILD/deleted.new" "$BUILD/deleted.new"
}

# Base files a patch deletes: "--- a/FILE" followed by "+++ /dev/null".
deleted_files() {
	awk '/^--- a\// { f = substr($2, 3); next }
	     /^\+\+\+ \/dev\/null/ && f != "" { print f }
	     { f = "" }' "$1"
}

# Put back the base files an earlier assembly deleted and this one does
# not, unless the new overlay provides them anyway. Before the rsync.
restore_undeleted() {
	local old=$BUILD/deleted new=$BUILD/deleted.new f
	[ -f "$old" ] || return 0
	comm -23 "$old" "$new" | comm -23 - "$BUILD/manifest.new" |
		while read -r f; do
			git -C "$TREE" checkout -q base -- "$f"
		done
}

# Remove the base files the series deletes. After the rsync.
apply_deletions() {
	local f
	while read -r f; do
		rm -f "$TREE/$f"
	done < "$BUILD/deleted.new"
	mv "$BUILD/deleted.new" "$BUILD/deleted"
}

# Put back base content for files the previous assembly overlaid but this
# one does not.
restore_dropped() {
	local old=$BUILD/manifest new=$BUILD/manifest.new f
	[ -f "$old" ] || return 0
	comm -23 "$old" "$new" | while read -r f; do
		if git -C "$TREE" cat-file -e "base:$f" 2>/dev/null; then
			git -C "$TREE" checkout -q base -- "$f"
		else
			rm -f "$TREE/$f"
		fi
	done
}

main() {
	local stage=$BUILD/stage
	if ! git -C "$TREE" rev-parse -q --verify base >/dev/null 2>&1; then
		make_base_tree
	fi
	make_stage "$stage"
	(cd "$stage" && find . -type f | sed 's|^\./||' | sort) \
		> "$BUILD/manifest.new"
	restore_dropped
	restore_undeleted
	# -c: compare content, so unchanged files keep their mtimes.
	rsync -rc "$stage/" "$TREE/"
	apply_deletions
	mv "$BUILD/manifest.new" "$BUILD/manifest"
	git -C "$TREE" add -A -f .
	if ! git -C "$TREE" diff --cached --quiet base; then
		git -C "$TREE" reset -q --soft base
		git -C "$TREE" commit -q -m "project: assembled from $(git -C "$TOP" describe --always --dirty 2>/dev/null || echo worktree)"
	else
		git -C "$TREE" reset -q --soft base
	fi
}

main "$@"
