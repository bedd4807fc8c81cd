#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the build and the test boot need (Debian bookworm).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PKGS="linux-source-6.12 build-essential bc bison flex libelf-dev libssl-dev
cpio kmod rsync ccache sparse busybox-static qemu-system-x86 python3 python3-ply python3-git git
python3-docutils gzip xz-utils perl"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing:$missing"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
[ -f "$BASE_TAR" ] || die "$BASE_TAR missing after installing $BASE_PKG"

# Debian's kernel configs (dev/debian.sh), of the same version as the
# source: a separate install, as the version is pinned to the source's.
ver=$(dpkg-query -W -f='${Version}' "$BASE_PKG")
if [ "$(dpkg-query -W -f='${Version}' linux-config-6.12 2>/dev/null)" != "$ver" ]; then
	say "installing: linux-config-6.12=$ver"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get install -y -qq --no-install-recommends \
		"linux-config-6.12=$ver" >/dev/null ||
		{ $SUDO apt-get update -qq &&
		  $SUDO apt-get install -y -qq --no-install-recommends \
			"linux-config-6.12=$ver" >/dev/null; } ||
		die "cannot install linux-config-6.12 $ver"
fi
