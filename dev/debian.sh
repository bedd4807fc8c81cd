#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the series, at its last patch (build/linux), the way Debian would
# ship it: Debian's amd64 config (package linux-config-6.12, the version
# of linux-source-6.12) with CONFIG_MSHV_ROOT=m, and check that the hv
# modules link and that modpost finds every symbol they use.
#
# A full Debian vmlinux is out of reach on a 2-core machine within make
# check's budget (see README.md: Debian's config builds several thousand
# objects into vmlinux alone). So this builds:
#
#   1. in-tree, in Debian's config (build/obj-debian), every built-in
#      object of the files the series adds or changes, and every object
#      that includes a base header the series changes (found by their
#      #include lines, directly or through another header), that Debian's
#      config builds into vmlinux or a module;
#   2. drivers/hv as modules, the way an out-of-tree module is built
#      against a kernel (make M=), from a copy of build/linux/drivers/hv:
#      hv_vmbus, hv_utils, hv_balloon and mshv_root, linked into .ko
#      files. modpost checks them against Debian's own Module.symvers
#      (from linux-headers-ABI-amd64 of the same version), in which the
#      exports of the built-in files the series changes are replaced:
#      the exports those files had in the pristine tree are taken out,
#      and the ones the objects built in step 1 carry are put in. So an
#      undefined or unexported symbol, or an export the series takes
#      away from vmlinux while a hv module still uses it, fails the check;
#   3. a source check that no file of the pristine tree outside those
#      built in steps 1-2 uses a symbol the series stops exporting.
#
# W=1 findings in our files from steps 1-2 count too (the Debian config
# has no simulator and no KUnit, so helpers only tests call show up).
#
# What it does NOT prove: that Debian's whole vmlinux links (a duplicate
# or missing symbol between a changed built-in object and an object we do
# not build would go unseen), that every other Debian module still loads
# (their CRCs come from Debian's build, not ours: modversions are not
# compared), BTF (CONFIG_DEBUG_INFO_BTF is turned off: it needs the full
# vmlinux), module signing (Debian's signing keys are not public), and
# objects that include a changed header through a macro or generated
# file rather than a plain #include line.
#
# Logs: build/logs/static-debian.log; times: build/logs/debian-times.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DEB=$BUILD/debian
ODEB=$BUILD/obj-debian
# The copy of drivers/hv keeps its path, so diagnostics name drivers/hv.
EXT=$DEB/ext/drivers/hv
LOG=$LOGS/static-debian.log
TIMES=$LOGS/debian-times.txt
CONFIG_PKG=linux-config-6.12
FLAVOUR=amd64

dmake() {
	make -C "$TREE" O="$ODEB" ARCH=x86_64 -j"$JOBS" CC="ccache gcc" \
		HOSTCC="ccache gcc" LOCALVERSION= "$@"
}

now() { date +%s; }
oneline() { tr '\n' ' '; }

# headers_package UPSTREAM VERSION: the arch headers package of VERSION.
headers_package() {
	apt-cache pkgnames "linux-headers-$1+" |
		grep -E "^linux-headers-$1\+[a-z0-9]+-$FLAVOUR\$" |
		while read -r p; do
			apt-cache madison "$p" | grep -qF "| $2 |" && echo "$p"
		done | head -1
}

apt_update() {
	local sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -qq > /dev/null 2>&1 || true
}

find_symvers() {
	find "$DEB/root/usr/src" -maxdepth 2 \
		-path "*-$FLAVOUR/Module.symvers" 2>/dev/null | head -1 || true
}

# Debian's config and Module.symvers for the installed source version.
# The config comes from linux-config-6.12 (installed by dev/setup.sh);
# Module.symvers from linux-headers-ABI-amd64, only downloaded and
# unpacked under build/debian: installing it would pull in the matching
# linux-image and the initramfs tools.
fetch_debian() {
	local ver upstream pkg cfgver
	ver=$(dpkg-query -W -f='${Version}' "$BASE_PKG")
	cfgver=$(dpkg-query -W -f='${Version}' "$CONFIG_PKG" 2>/dev/null || true)
	[ "$cfgver" = "$ver" ] ||
		die "$CONFIG_PKG $cfgver installed, $ver wanted (run dev/setup.sh)"
	DEB_CONFIG=/usr/src/$CONFIG_PKG/config.${FLAVOUR}_none_$FLAVOUR.xz
	[ -f "$DEB_CONFIG" ] || die "$DEB_CONFIG missing"
	mkdir -p "$DEB"
	SYMVERS=$(find_symvers)
	if [ -z "$SYMVERS" ] || [ "$(cat "$DEB/headers-version" 2>/dev/null)" != "$ver" ]; then
		upstream=${ver%%-*}
		pkg=$(headers_package "$upstream" "$ver")
		if [ -z "$pkg" ]; then
			# Package lists older than the installed source.
			apt_update
			pkg=$(headers_package "$upstream" "$ver")
		fi
		[ -n "$pkg" ] ||
			die "no linux-headers-*-$FLAVOUR package of version $ver"
		say "debian: fetching $pkg $ver (for Module.symvers)"
		rm -rf "$DEB/root" "$DEB"/*.deb
		(cd "$DEB" && apt-get download -q "$pkg=$ver" > /dev/null 2>&1) ||
			die "apt-get download $pkg=$ver failed"
		dpkg-deb -x "$DEB"/"${pkg}"_*.deb "$DEB/root"
		echo "$ver" > "$DEB/headers-version"
		SYMVERS=$(find_symvers)
		[ -n "$SYMVERS" ] || die "$pkg has no Module.symvers"
	fi
}

# Debian's config plus MSHV_ROOT=m; what cannot be reproduced here off.
configure() {
	local want cfg=$DEB/config
	xz -dc "$DEB_CONFIG" > "$cfg"
	"$TREE/scripts/config" --file "$cfg" \
		--module MSHV_ROOT \
		--set-str SYSTEM_TRUSTED_KEYS "" \
		--set-str SYSTEM_REVOCATION_KEYS "" \
		--disable DEBUG_INFO_BTF
	mkdir -p "$ODEB"
	if ! cmp -s "$cfg" "$DEB/config.used"; then
		cp "$cfg" "$ODEB/.config"
		cp "$cfg" "$DEB/config.used"
	fi
	dmake olddefconfig >> "$LOG" 2>&1 || return 1
	for want in MSHV_ROOT=m HYPERV=m; do
		grep -qx "CONFIG_$want" "$ODEB/.config" ||
			{ echo "debian: CONFIG_$want did not survive olddefconfig" \
				>> "$LOG"; return 1; }
	done
	for want in MSHV_SIM KUNIT; do
		! grep -q "^CONFIG_$want=" "$ODEB/.config" ||
			{ echo "debian: CONFIG_$want is set" >> "$LOG"; return 1; }
	done
}

# Files the series adds or changes, and deletes (base..HEAD of build/linux).
changed_files() {
	git -C "$TREE" diff --name-only --diff-filter="$1" base HEAD
}

# .c files that include one of the base headers the series changes,
# directly or through another header (plain #include lines, x86 and
# generic code only).
header_consumers() {
	# shellcheck disable=SC2046
	python3 - "$TREE" $(changed_files M | grep -E '\.h$') <<'PY'
import os
import re
import sys

top, changed = sys.argv[1], sys.argv[2:]
inc = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
roots = ('include/', 'arch/x86/include/', 'include/uapi/',
         'arch/x86/include/uapi/')
skip = ('tools/', 'Documentation/', 'scripts/', 'samples/', 'usr/')
files = {}
for d, dirs, names in os.walk(top):
    rel = os.path.relpath(d, top)
    rel = '' if rel == '.' else rel + '/'
    if rel.startswith(skip) or rel.startswith('.git') or \
       (rel.startswith('arch/') and rel != 'arch/' and
            not rel.startswith('arch/x86/')):
        dirs[:] = []
        continue
    for n in names:
        if n.endswith(('.c', '.h')):
            p = rel + n
            with open(os.path.join(top, p), errors='replace') as f:
                files[p] = inc.findall(f.read())


def resolve(src, kind, name):
    cands = [os.path.normpath(os.path.join(os.path.dirname(src), name))] \
        if kind == '"' else []
    cands += [r + name for r in roots]
    return [c for c in cands if c in files]


users = {}
for p, incs in files.items():
    for kind, name in incs:
        for h in resolve(p, kind, name):
            users.setdefault(h, set()).add(p)
seen, todo = set(changed), list(changed)
while todo:
    for u in users.get(todo.pop(), ()):
        if u not in seen:
            seen.add(u)
            if u.endswith('.h'):
                todo.append(u)
for p in sorted(seen):
    if p.endswith('.c'):
        print(p)
PY
}

# The objects of $@ (.c files) that Debian's config builds, as "OBJ y"
# (built into vmlinux) or "OBJ m" (part of a module): each file's
# directory Makefile must list it under an enabled config symbol (or
# obj-y), or under a composite object that is itself enabled.
configured_objects() {
	python3 - "$TREE" "$ODEB/.config" "$@" <<'PY'
import os
import re
import sys

top, cfgpath, srcs = sys.argv[1], sys.argv[2], sys.argv[3:]
cfg = {}
for line in open(cfgpath):
    m = re.match(r'(CONFIG_\w+)=(.*)', line)
    if m:
        cfg[m.group(1)] = m.group(2)


def makefile_lines(d):
    for name in ('Kbuild', 'Makefile'):
        p = os.path.join(top, d, name)
        if os.path.exists(p):
            text = open(p).read().replace('\\\n', ' ')
            return text.splitlines()
    return []


def value(var):
    # $(CONFIG_X), $(subst m,y,$(CONFIG_X)), or plain y/m.
    m = re.search(r'\$\((CONFIG_\w+)\)', var)
    if m:
        v = cfg.get(m.group(1), '')
        return 'y' if 'subst m,y' in var and v == 'm' else v
    return var


def lower(a, b):
    """The weaker of two states: y beats m, m beats off."""
    order = {'y': 2, 'm': 1}
    return a if order.get(a, 0) <= order.get(b, 0) else b


def enabled(d, obj, depth=0):
    """How obj (a path relative to d) is built under d: y, m or ''."""
    if depth > 4:
        return ''
    best = ''
    for line in makefile_lines(d):
        m = re.match(r'\s*([\w-]+?)-(\$\(.*?\)\)*|[ym]|objs)\s*[:+]?=(.*)',
                     line)
        if not m or not re.search(r'(^|\s)' + re.escape(obj) + r'(\s|$)',
                                  m.group(3)):
            continue
        target, cond = m.group(1), m.group(2)
        v = 'y' if cond == 'objs' else value(cond)
        if v not in ('y', 'm'):
            continue
        if target in ('obj', 'lib', 'core', 'drivers'):
            v = lower(v, parent_enabled(d, depth))
        else:
            v = lower(v, enabled(d, target + '.o', depth + 1))
            # A composite module's parts are module code.
        if v == 'y' or (v == 'm' and not best):
            best = v
    return best


def parent_enabled(d, depth):
    """How directory d is descended into from its parent: y, m or ''."""
    if d in ('', '.'):
        return 'y'
    parent, base = os.path.split(d)
    if parent in ('', 'arch'):
        return 'y'
    if d in ('arch/x86/kvm', 'arch/x86/hyperv'):
        # Listed in arch/x86/Kbuild.
        sym = {'arch/x86/kvm': 'CONFIG_KVM',
               'arch/x86/hyperv': 'CONFIG_HYPERV'}[d]
        return 'y' if cfg.get(sym, '') in ('y', 'm') else ''
    for line in makefile_lines(parent):
        m = re.match(r'\s*[\w-]+?-(\$\(.*?\)\)*|[ym])\s*[:+]?=(.*)', line)
        if m and re.search(r'(^|\s)' + re.escape(base) + r'/(\s|$)',
                           m.group(2)) and value(m.group(1)) in ('y', 'm'):
            # A directory entered for modules only still builds its
            # obj-y objects into nothing: treat m as m.
            return lower(value(m.group(1)), parent_enabled(parent, depth))
    return ''


for src in srcs:
    d, f = os.path.split(src)
    obj = f[:-2] + '.o'
    # Objects in a subdirectory of their composite's directory
    # (kvm-intel-y += vmx/vmx.o).
    how = enabled(d, obj)
    if not how and os.path.dirname(d):
        how = enabled(os.path.dirname(d), os.path.basename(d) + '/' + obj)
    if how:
        print(src[:-2] + '.o', how)
PY
}

# Exports in the pristine tree's version of each changed built-in file.
base_exports() {
	local f
	for f in "$@"; do
		git -C "$TREE" show "base:$f" 2>/dev/null || true
	done | sed -n 's/^EXPORT_SYMBOL[A-Z_]*(\([A-Za-z0-9_]*\).*/\1/p' | sort -u
}

# Exports that built objects carry (the __export_symbol_ labels of
# include/linux/export.h), as "symbol license" lines.
object_exports() {
	local o
	for o in "$@"; do
		nm "$ODEB/$o" 2>/dev/null | sed -n 's/.* __export_symbol_\(.*\)$/\1/p'
	done | sort -u
}

main() {
	local t0 t1 objs builtin srcs removed added users rc=0 f
	: > "$LOG"
	: > "$TIMES"
	t0=$(now)
	fetch_debian
	configure || { say "debian: configuration failed"; return 1; }
	t1=$(now); echo "configure $((t1 - t0))" >> "$TIMES"

	# 1. Built-in objects and consumers of changed headers.
	srcs=$( { changed_files AM | grep -E '\.c$' |
		  grep -vE '^(tools|samples|Documentation)/'
		  header_consumers; } | sort -u)
	# shellcheck disable=SC2086
	configured_objects $srcs > "$DEB/objects"
	# drivers/hv's module objects are built in step 2.
	objs=$(grep -v '^drivers/hv/[^ ]* m$' "$DEB/objects" | cut -d' ' -f1)
	echo "debian: objects built in-tree: $(oneline <<< "$objs")" >> "$LOG"
	t0=$(now)
	# shellcheck disable=SC2086
	dmake W=1 modules_prepare $objs >> "$LOG" 2>&1 || rc=1
	t1=$(now); echo "objects($(echo "$objs" | wc -w)) $((t1 - t0))" >> "$TIMES"
	[ $rc -eq 0 ] || { say "debian: in-tree objects do not build"; return 1; }

	# 2. drivers/hv as modules against Debian's symbols.
	t0=$(now)
	# The built-in objects of the files the series adds or changes.
	builtin=$(awk '$2 == "y" { print $1 }' "$DEB/objects" |
		while read -r f; do
			changed_files AM | grep -qx "${f%.o}.c" && echo "$f"
		done)
	# shellcheck disable=SC2046
	removed=$(base_exports $(changed_files AMD | grep -E '\.c$'))
	# shellcheck disable=SC2086
	added=$(object_exports $builtin)
	echo "debian: exports taken out of Debian's vmlinux: $(oneline <<< "$removed")" >> "$LOG"
	echo "debian: exports of our built-in objects: $(oneline <<< "$added")" >> "$LOG"
	{
		awk -v rm="$(oneline <<< "$removed")" '
			BEGIN { n = split(rm, a, " ")
				for (i = 1; i <= n; i++) gone[a[i]] = 1 }
			$3 !~ /^drivers\/hv\// && !($2 in gone)' "$SYMVERS"
		for f in $added; do
			printf '0x00000000\t%s\tvmlinux\tEXPORT_SYMBOL_GPL\t\n' "$f"
		done
	} > "$ODEB/Module.symvers"
	rm -rf "$DEB/ext"
	mkdir -p "$EXT"
	cp -a "$TREE/drivers/hv/." "$EXT/"
	make -C "$TREE" O="$ODEB" ARCH=x86_64 -j"$JOBS" CC="ccache gcc" \
		HOSTCC="ccache gcc" LOCALVERSION= W=1 M="$EXT" modules \
		> "$DEB/modules.raw" 2>&1 || rc=1
	cat "$DEB/modules.raw" >> "$LOG"
	t1=$(now); echo "hv-modules $((t1 - t0))" >> "$TIMES"
	if grep -E 'ERROR: modpost|WARNING: modpost' "$DEB/modules.raw"; then
		rc=1
	fi
	for f in hv_vmbus hv_utils hv_balloon mshv_root; do
		[ -f "$EXT/$f.ko" ] ||
			{ echo "debian: $f.ko was not linked" | tee -a "$LOG"; rc=1; }
	done

	# 3. Users elsewhere (x86 and generic code) of the exports the
	# series takes away.
	for f in $(comm -23 <(echo "$removed" | tr ' ' '\n' | sort -u) \
			    <( { echo "$added"; cut -f2 "$EXT/Module.symvers"; } |
			       tr ' ' '\n' | sort -u)); do
		users=$(git -C "$TREE" grep -lw "$f" base -- '*.c' '*.h' |
			sed 's/^base://' | grep -vE '^(arch/[^x]|arch/x[^8]|tools/)' |
			grep -vxF -f <(changed_files AMD) || true)
		if [ -n "$users" ]; then
			echo "debian: $f is no longer exported, but used by: $users" | tee -a "$LOG"
			rc=1
		fi
	done

	# W=1 findings in our files.
	grep -E "($(project_files | grep -E '\.(c|h)$' | sed 's/[.]/\\./g' |
		paste -sd'|'))(:[0-9]+)*: (warning|error)" "$LOG" && rc=1
	return $rc
}

main "$@"
