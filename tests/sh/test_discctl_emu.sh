#!/bin/sh
# tests/sh/test_discctl_emu.sh - `discctl emu`: creating, showing, loading,
# ejecting emulated discs, setting faults, the time scale and quirk
# switches; every bad input gets one line on stderr and a non-zero exit.
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

# Quirk switches: none by default, set by name, shown, cleared with none.
discctl emu show "$W/cd-r.img" | grep -q '^quirks: *none$' || fail "quirks not none by default"
discctl emu show --json "$W/cd-r.img" | grep -q '"quirks":"none"' || fail "json quirks default"
discctl emu quirk "$W/cd-r.img" cd-nwa-150,close-track-sim-error
discctl emu show "$W/cd-r.img" | grep -q '^quirks: *cd-nwa-150,close-track-sim-error$' || fail "quirks not shown"
discctl emu show --json "$W/cd-r.img" >"$W/show.json"
python3 - "$W/show.json" <<'EOP' || fail "json quirks"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["quirks"] == "cd-nwa-150,close-track-sim-error", d
EOP
grep -q '^quirks cd-nwa-150,close-track-sim-error$' "$W/cd-r.img.state" || fail "quirks not stored"
refuses 2 discctl emu quirk "$W/cd-r.img" cd-nwa-150,nosuch
grep -q "nosuch" "$W/err" || fail "unknown quirk not named: $(cat "$W/err")"
discctl emu show "$W/cd-r.img" | grep -q '^quirks: *cd-nwa-150,close-track-sim-error$' || fail "refused quirk changed the disc"
discctl emu quirk "$W/cd-r.img" none
discctl emu show "$W/cd-r.img" | grep -q '^quirks: *none$' || fail "quirks not cleared"
grep -q '^quirks' "$W/cd-r.img.state" && fail "state keeps a quirks line after none"
refuses 2 discctl emu quirk "$W/cd-r.img" ""
refuses 3 discctl emu quirk "$W/nothing.img" none

# CD-RW fixed packets: `discctl format` formats a blank CD-RW (FORMAT 10h,
# 32-block packets); one holding data is refused and keeps it.
discctl emu create --media cd-rw --capacity 4096 "$W/pk.img"
discctl emu time-scale "$W/pk.img" 0
discctl format "$W/pk.img" 2>/dev/null || fail "format cd-rw"
discctl emu show --json "$W/pk.img" >"$W/show.json"
python3 - "$W/show.json" <<'EOP' || fail "cd-rw not formatted"
import json, sys
d = json.load(open(sys.argv[1]))
# (4096 - 150) / 39 packets of 32 user blocks
assert d["formatted_blocks"] == 3232 and d["profile"] == 10, d
EOP
discctl info "$W/pk.img" | grep -q 'Restricted Overwrite\*' || fail "feature 0026h not current"
mkdir -p "$W/tree"; echo hello >"$W/tree/f"
discctl emu create --media cd-rw --capacity 20000 "$W/pw.img"
discctl emu time-scale "$W/pw.img" 0
discctl burn "$W/pw.img" "$W/tree" 2>/dev/null || fail "burn cd-rw"
rc=0; discctl format "$W/pw.img" 2>"$W/err" || rc=$?
[ "$rc" = 6 ] || fail "format of a written CD-RW exited $rc: $(cat "$W/err")"
# (progress lines come first; the error is the last line)
tail -n 1 "$W/err" | grep -q "only a blank CD-RW" || fail "format refusal: $(cat "$W/err")"
discctl emu show --json "$W/pw.img" | grep -q '"formatted_blocks":0' || fail "refused format changed the disc"

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
