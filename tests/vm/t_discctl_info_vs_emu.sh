#!/bin/bash
# `discctl info` on /dev/srN (SG_IO through the kernel's sr driver to the
# emulated drive behind discemu) agrees with `discctl info` on the same
# disc image opened directly (the emulated transport, no kernel): drive
# identity, profiles, features, and the medium's status, sessions, tracks
# and capacities - for a blank BD-R, a DVD+R and a CD-R with a burned
# session, a formatted BD-RE and a DVD-RAM.
# vm-timeout: 600
. "$DISCFS_SRC/tests/vm/lib.sh"
need discemu discctl jq xorriso
mkiso small.iso 1 INFO
# Only the device path may differ.
norm() { jq -S 'del(.device)' "$1"; }
compare() { # medium how-to-prepare
	local n=i${1//+/p} blocks=16384
	case $1 in cd-*) blocks=20000 ;; esac
	emu_start "$n" "$1" "$blocks"
	case $2 in
	burn) run_logged "$n.burn" xorriso -as cdrecord dev="$SR" -tao small.iso ;;
	format) run_logged "$n.fmt" xorriso -outdev "$SR" -format as_needed ;;
	esac
	discctl info "$SR" --json > kernel.json 2> kernel.err || { cat kernel.err; fail "discctl info $SR"; }
	emu_stop "$n"
	discctl info "$n.img" --json > direct.json 2> direct.err || { cat direct.err; fail "discctl info $n.img"; }
	norm kernel.json > k.json; norm direct.json > d.json
	if ! diff -u d.json k.json > info.diff; then
		echo "differences (- direct on the image, + through $SR):"; cat info.diff
		fail "$1: discctl info through the kernel disagrees with the image"
	fi
	jq -c '.medium | {profile_name, disc_status, sessions, capacity_blocks, used_blocks}' d.json
}
run_case blank-bd-r compare bd-r none
run_case burned-dvd+r compare dvd+r burn
run_case burned-cd-r compare cd-r burn
run_case formatted-bd-re compare bd-re format
run_case dvd-ram compare dvd-ram none
finish_cases
