# SPDX-License-Identifier: GPL-2.0
# Shared settings of the build scripts. Sourced, never run.

# Debian tools first (e.g. its python3 with python3-ply for checkpatch).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$TOP/build
TREE=$BUILD/linux
OBJ=$BUILD/obj
LOGS=$BUILD/logs
BASE_PKG=linux-source-6.12
BASE_TAR=/usr/src/$BASE_PKG.tar.xz
SERIES=$TOP/dev/series
JOBS=${JOBS:-$(nproc)}

# Repo paths that are tooling, not kernel files.
TOOLING_RE='^(Makefile|README\.md|\.ci/|\.gitignore$|dev/|build/)'

mkdir -p "$LOGS"

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Kernel files of the project: tracked plus untracked-but-not-ignored.
project_files() {
	git -C "$TOP" ls-files --cached --others --exclude-standard |
		grep -Ev "$TOOLING_RE" | sort -u |
		while read -r f; do [ -f "$TOP/$f" ] && printf '%s\n' "$f"; done
}

# Every patch of the series (dev/series/*/*.patch), in series order.
series_patches() {
	find "$SERIES" -mindepth 2 -maxdepth 2 -name '*.patch' | sort
}

# Files a patch creates, edits or deletes (paths of its a/ and b/ sides).
patch_targets() {
	sed -n -e 's|^+++ b/\([^[:space:]]*\).*|\1|p' \
		-e 's|^--- a/\([^[:space:]]*\).*|\1|p' "$1" | sort -u
}

# project_patch PATCH: true if PATCH edits project files (files of this
# repo, added whole by the series entry that owns them), false if it edits
# base files. A patch may not mix the two.
project_patch() {
	local p=$1 n_proj=0 n_base=0 f
	for f in $(patch_targets "$p"); do
		if [ -f "$TOP/$f" ] && ! [[ $f =~ $TOOLING_RE ]]; then
			n_proj=$((n_proj + 1))
		else
			n_base=$((n_base + 1))
		fi
	done
	if [ $n_proj -gt 0 ] && [ $n_base -gt 0 ]; then
		die "${p#"$TOP"/} edits both project and base files: split it"
	fi
	[ $n_proj -gt 0 ]
}

# Files a series entry owns (globs in its "files" list), one per line.
entry_files() {
	local entry=$1 pat f
	[ -f "$entry/files" ] || return 0
	while read -r pat; do
		[ -n "$pat" ] || continue
		case "$pat" in \#*) continue ;; esac
		for f in $TOP/$pat; do
			[ -f "$f" ] && printf '%s\n' "${f#"$TOP"/}"
		done
	done < "$entry/files"
}

# kmake ARGS: make in the assembled tree; KOBJ overrides the object dir.
kmake() {
	make -C "$TREE" O="${KOBJ:-$OBJ}" ARCH=x86_64 -j"$JOBS" \
		CC="ccache gcc" HOSTCC="ccache gcc" LOCALVERSION= "$@"
}

export CCACHE_BASEDIR=$TOP
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export CCACHE_NOHASHDIR=1
