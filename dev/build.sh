#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure (when the inputs changed) and build the test kernel and modules.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FRAG=$TOP/dev/config/test.config

# The fragment and the base-file patches (Kconfig lives in base files).
config_inputs_hash() {
	local p
	{
		cat "$FRAG"
		for p in $(series_patches); do
			project_patch "$p" || cat "$p"
		done
	} | sha256sum | cut -d' ' -f1
}

# Every option of the fragment must survive Kconfig's dependency rules.
verify_config() {
	local line sym want got bad=0
	while read -r line; do
		case "$line" in CONFIG_*=*) ;; *) continue ;; esac
		sym=${line%%=*}
		want=${line#*=}
		got=$(grep -E "^$sym=" "$OBJ/.config" | cut -d= -f2- || true)
		[ -n "$got" ] || got=n
		if [ "$want" != "$got" ]; then
			say "config: $sym wanted $want, got $got"
			bad=1
		fi
	done < "$FRAG"
	return $bad
}

configure() {
	local hash
	hash=$(config_inputs_hash)
	if [ -f "$OBJ/.config" ] && [ "$(cat "$OBJ/.config.inputs" 2>/dev/null)" = "$hash" ]; then
		return 0
	fi
	say "configuring $OBJ"
	mkdir -p "$OBJ"
	kmake KCONFIG_ALLCONFIG="$FRAG" allnoconfig > "$LOGS/config.log" 2>&1 ||
		{ tail -20 "$LOGS/config.log"; die "kernel configuration failed"; }
	verify_config || die "test.config options were dropped by Kconfig"
	echo "$hash" > "$OBJ/.config.inputs"
}

main() {
	"$TOP/dev/setup.sh"
	"$TOP/dev/assemble.sh"
	configure
	say "building kernel and modules (log: build/logs/build.log)"
	if ! kmake bzImage modules > "$LOGS/build.log" 2>&1; then
		grep -E 'error|Error' "$LOGS/build.log" | head -40 >&2
		die "kernel build failed"
	fi
	say "built $(cat "$OBJ/include/config/kernel.release")"
}

main "$@"
