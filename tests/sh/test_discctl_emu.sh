#!/bin/sh
# tests/sh/test_discctl_emu.sh - `discctl emu`: creating, showing, loading,
# ejecting emulated discs, setting faults and the time scale; every bad
# input gets one line on stderr and a non-zero exit.
set -eu
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
PATH="$BUILD:$PATH"
W=$(mktemp -d /tmp/discfs-emu.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
refuses() { # EXPECTED-RC CMD... : fails with that code and one stderr line
	want=$1; shift
	rc=0; "$@" >"$W/out" 2>"$W/err" || rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, want $want: $(cat "$W/err")"
	[ "$(wc -l <"$W/err")" = 1 ] || fail "'$*' did not print exactly one line: $(cat "$W/err")"
}

# Every medium the emulator knows can be created, and is blank (or, for
# DVD-RAM, formatted as sold).
discctl emu media >"$W/media"
[ "$(wc -l <"$W/media")" -ge 14 ] || fail "fewer than 14 media: $(cat "$W/media")"
while read -r m; do
	case $m in *-rom) continue ;; esac # ROM discs are made from an image
	discctl emu create --media "$m" --capacity 4096 "$W/$m.img" || fail "create $m"
	discctl emu show --json "$W/$m.img" >"$W/show.json"
	python3 - "$W/show.json" "$m" <<'EOP' || fail "show $m"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["media"] == sys.argv[2], d
assert d["capacity_blocks"] == 4096, d
# DVD-RAM is sold formatted: random access, disc status "other" (11b).
assert d["status"] == ("other" if sys.argv[2] == "dvd-ram" else "blank"), d
assert d["tray_open"] is False, d
EOP
done <"$W/media"

# The image is sparse: a real-capacity BD-R costs (almost) nothing on disk.
discctl emu create --media bd-r "$W/big.img"
[ "$(stat -c %s "$W/big.img")" = $((12219392 * 2048)) ] || fail "BD-R image size"
[ "$(stat -c %b "$W/big.img")" -lt 1024 ] || fail "BD-R image is not sparse"

# Tray: eject shows no medium, load brings it back.
discctl emu eject "$W/dvd+r.img"
discctl emu show --json "$W/dvd+r.img" | grep -q '"tray_open":true' || fail "eject"
discctl info "$W/dvd+r.img" | grep -A1 '^Medium' | grep -q none || fail "info after eject"
discctl emu load "$W/dvd+r.img"
discctl info "$W/dvd+r.img" | grep -q 'DVD+R' || fail "info after load"

# Faults and time scale are kept in the disc's state.
discctl emu fault "$W/cd-r.img" write-error=100 unreadable=5-9
discctl emu show "$W/cd-r.img" | grep faults: | grep -q 100 || fail "fault not shown"
discctl emu fault "$W/cd-r.img" clear
discctl emu show "$W/cd-r.img" | grep -q 'faults: *none' || fail "fault not cleared"
discctl emu time-scale "$W/cd-r.img" 0
discctl emu show --json "$W/cd-r.img" | grep -q '"time_scale":0' || fail "time scale"

# Bad input
refuses 2 discctl emu create --media nosuch "$W/x.img"
refuses 2 discctl emu create --media bd-r --capacity abc "$W/x.img"
refuses 2 discctl emu create --media dvd+rw --capacity 10 "$W/x.img"
refuses 5 discctl emu create --media bd-r "$W/big.img"
refuses 2 discctl emu fault "$W/cd-r.img" bogus=1
refuses 2 discctl emu time-scale "$W/cd-r.img" -1
refuses 3 discctl emu show "$W/nothing.img"
echo junk >"$W/junk.img.state"; : >"$W/junk.img"
refuses 11 discctl emu show "$W/junk.img"
refuses 11 discctl info "$W/junk.img"
echo PASS
