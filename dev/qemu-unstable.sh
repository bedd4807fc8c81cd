#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian unstable's qemu-system-x86 with the packages it depends on
# (libraries, SeaBIOS) and unpack them under build/qemu-unstable/root,
# without touching the machine's own apt or dpkg state: apt runs with a
# private state directory under build/ and a sources list naming the
# archive the machine's own apt configuration already uses, with the suite
# changed to unstable. Nothing is installed; packages are unpacked with
# dpkg-deb -x.
#
# Idempotent: once unpacked, later runs only check the result. QEMU_REFRESH=1
# fetches the package lists again. On failure it writes the reason to
# build/qemu-unstable/unavailable (the QEMU cases of make check then skip
# with it) and exits 0: not having the package is not a test failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

QDIR=$BUILD/qemu-unstable
APTDIR=$QDIR/apt
ROOT=$QDIR/root
STAMP=$QDIR/unpacked
REASON=$QDIR/unavailable
PKG=qemu-system-x86

# Print "URI KEYRING" of the first Debian archive (not the security archive)
# the machine's apt uses: deb822 .sources files first, then the one-line
# format. Only the first URI of a stanza counts.
debian_archive() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && uri ~ /\/debian\/?$/ &&
				    suites !~ /-security/) {
					print uri, (key == "" ? "-" : key)
					found = 1
					exit
				}
				types = uri = suites = key = ""
			}
			/^[ \t]*#/ { next }
			/^[ \t]*$/ { flush(); next }
			tolower($1) == "types:" { types = $0; sub(/^[^:]*:[ \t]*/, "", types) }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" { suites = $0 }
			tolower($1) == "signed-by:" { key = $2 }
			END { if (!found) flush() }
		' "$f" | head -1
	done | head -1 | grep . && return 0
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk '
			$1 != "deb" { next }
			{
				key = "-"; i = 2
				if ($2 ~ /^\[/) {
					for (; i <= NF; i++) {
						if ($i ~ /^\[?signed-by=/) {
							key = $i
							sub(/^\[?signed-by=/, "", key)
							sub(/\]$/, "", key)
						}
						if ($i ~ /\]$/) { i++; break }
					}
				}
				if ($i ~ /\/debian\/?$/ && $(i + 1) !~ /-security/) {
					print $i, key
					exit
				}
			}
		' "$f"
	done | head -1 | grep .
}

unavailable() {
	say "qemu-unstable: $*"
	mkdir -p "$QDIR"
	printf '%s\n' "$*" > "$REASON"
	exit 0
}

aptopts() {
	printf '%s\n' \
		-o "Dir::State=$APTDIR/state" \
		-o "Dir::State::Lists=$APTDIR/state/lists" \
		-o "Dir::State::Status=$APTDIR/state/status" \
		-o "Dir::Cache=$APTDIR/cache" \
		-o "Dir::Etc::SourceList=/dev/null" \
		-o "Dir::Etc::SourceParts=$APTDIR/sources.list.d" \
		-o "Dir::Etc::Preferences=/dev/null" \
		-o "Dir::Etc::PreferencesParts=$APTDIR/preferences.d" \
		-o "Debug::NoLocking=1" \
		-o "APT::Architecture=amd64" \
		-o "APT::Architectures=amd64" \
		-o "APT::Install-Recommends=0" \
		-o "Acquire::Languages=none" \
		-o "Acquire::Retries=2" \
		-o "Acquire::http::Timeout=60"
}

fetch() {
	local archive uri key opts start
	archive=$(debian_archive) ||
		unavailable "no Debian archive in the machine's apt sources"
	uri=${archive% *}
	key=${archive#* }
	if [ "$key" = - ] || [ ! -r "$key" ]; then
		key=/usr/share/keyrings/debian-archive-keyring.gpg
	fi
	[ -r "$key" ] || unavailable "no Debian archive keyring ($key)"
	mkdir -p "$APTDIR"/state/lists/partial "$APTDIR"/cache/archives/partial \
		"$APTDIR"/sources.list.d "$APTDIR"/preferences.d
	touch "$APTDIR/state/status"
	printf 'Types: deb\nURIs: %s\nSuites: unstable\nComponents: main\nSigned-By: %s\n' \
		"$uri" "$key" > "$APTDIR/sources.list.d/unstable.sources"
	mapfile -t opts < <(aptopts)
	start=$(date +%s)
	if [ "${QEMU_REFRESH:-0}" = 1 ] ||
	   ! ls "$APTDIR"/state/lists/*_Packages > /dev/null 2>&1; then
		say "qemu-unstable: fetching the unstable package lists"
		apt-get "${opts[@]}" -q update > "$LOGS/qemu-unstable.log" 2>&1 ||
			unavailable "apt-get update of the unstable archive failed (build/logs/qemu-unstable.log)"
	fi
	say "qemu-unstable: $PKG $(apt-cache "${opts[@]}" policy "$PKG" |
		sed -n 's/^ *Candidate: //p') and what it depends on"
	# As root apt-get would also want the machine's dpkg lock; with
	# Debug::NoLocking the download-only run touches only our state.
	apt-get "${opts[@]}" -q -y --download-only install "$PKG" \
		>> "$LOGS/qemu-unstable.log" 2>&1 ||
		unavailable "downloading $PKG from unstable failed (build/logs/qemu-unstable.log)"
	say "qemu-unstable: $(ls "$APTDIR"/cache/archives/*.deb | wc -l) packages," \
		"$(du -ck "$APTDIR"/cache/archives/*.deb | tail -1 | cut -f1) KiB," \
		"fetched in $(( $(date +%s) - start ))s"
}

unpack() {
	local deb start
	start=$(date +%s)
	rm -rf "$ROOT"
	mkdir -p "$ROOT"
	for deb in "$APTDIR"/cache/archives/*.deb; do
		dpkg-deb -x "$deb" "$ROOT" ||
			unavailable "unpacking $(basename "$deb") failed"
	done
	say "qemu-unstable: unpacked in $(( $(date +%s) - start ))s" \
		"($(du -sk "$ROOT" | cut -f1) KiB)"
}

# The unpacked QEMU must start with its own loader and offer -accel mshv.
verify() {
	local lib=$ROOT/usr/lib/x86_64-linux-gnu accels
	[ -x "$ROOT/usr/bin/qemu-system-x86_64" ] ||
		unavailable "$PKG has no qemu-system-x86_64"
	accels=$("$lib/ld-linux-x86-64.so.2" --library-path "$lib" \
		"$ROOT/usr/bin/qemu-system-x86_64" -accel help 2>/dev/null) ||
		unavailable "the unpacked qemu-system-x86_64 does not start"
	echo "$accels" | grep -qx mshv ||
		unavailable "the unpacked qemu-system-x86_64 has no mshv accelerator"
}

main() {
	if [ ! -f "$STAMP" ]; then
		rm -f "$REASON"
		fetch
		unpack
		verify
		ls "$APTDIR"/cache/archives/ > "$STAMP"
	else
		verify
	fi
	rm -f "$REASON"
}

main "$@"
