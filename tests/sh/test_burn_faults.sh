#!/bin/sh
# tests/sh/test_burn_faults.sh - faults during a burn on the emulated drive:
# a write error at an LBA, the drive vanishing, power loss, unreadable
# ranges on read, and Ctrl-C (SIGINT) mid-burn.  Each ends with a clear
# message, the documented exit status, and a disc that is consistent and
# readable up to what was written.
set -u
BUILD=${DISCFS_BUILD:-build}
DISCCTL="$BUILD/discctl"
[ -x "$DISCCTL" ] || { echo "no $DISCCTL"; exit 77; }
W=$(mktemp -d /tmp/burn-flt.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

new_disc() {
	"$DISCCTL" emu create --media "$1" --capacity "${3:-40000}" "$2" \
		>/dev/null 2>"$W/err" || fail "emu create $1: $(cat "$W/err")"
	"$DISCCTL" emu time-scale "$2" 0 2>"$W/err" || fail "time-scale: $(cat "$W/err")"
}
add_fault() { "$DISCCTL" emu fault "$1" "$2" 2>"$W/err" || fail "fault $2: $(cat "$W/err")"; }
clear_faults() { "$DISCCTL" emu fault "$1" clear 2>"$W/err" || fail "clear: $(cat "$W/err")"; }

head -c 4000000 /dev/urandom >"$W/img"

# write error at LBA 500: 32-block WRITEs, so 480 blocks made it
d="$W/we.img"
new_disc dvd+r "$d"
add_fault "$d" write-error=500
"$DISCCTL" burn "$d" "$W/img" >"$W/out" 2>"$W/err"
rc=$?
[ "$rc" = 9 ] || fail "write error: exit $rc: $(cat "$W/err")"
grep -q "WRITE at LBA 480" "$W/err" || fail "no failing LBA: $(cat "$W/err")"
grep -q "480 blocks written at LBA 0" "$W/err" || fail "no count: $(cat "$W/err")"
grep -q "appendable" "$W/err" || fail "no disc state: $(cat "$W/err")"
clear_faults "$d"
"$DISCCTL" read "$d" -o "$W/back" >/dev/null 2>"$W/err" || fail "read after error: $(cat "$W/err")"
[ "$(wc -c <"$W/back")" = $((480 * 2048)) ] || fail "read back $(wc -c <"$W/back") bytes"
cmp -n $((480 * 2048)) "$W/img" "$W/back" || fail "written part differs"

# the drive vanishes mid-burn
d="$W/va.img"
new_disc bd-r "$d"
add_fault "$d" vanish-after=40
"$DISCCTL" burn "$d" "$W/img" >"$W/out" 2>"$W/err"
rc=$?
[ "$rc" = 3 ] || fail "vanish: exit $rc: $(cat "$W/err")"
grep -q "NOT flushed" "$W/err" || fail "vanish: no state: $(cat "$W/err")"

# power loss after 1000 written sectors: the disc keeps a readable prefix
d="$W/pl.img"
new_disc bd-r "$d"
add_fault "$d" power-loss-after=1000
"$DISCCTL" burn "$d" "$W/img" >"$W/out" 2>"$W/err" && fail "power loss burn succeeded"
clear_faults "$d"
if "$DISCCTL" read "$d" -o "$W/back" --disc >/dev/null 2>"$W/err"; then
	n=$(wc -c <"$W/back")
	[ "$n" -le $((1000 * 2048)) ] || fail "power loss: $n bytes on disc"
	cmp -n "$n" "$W/img" "$W/back" || fail "power loss: prefix differs"
fi

# unreadable range: read maps it, verify names it
d="$W/ur.img"
new_disc bd-r "$d"
"$DISCCTL" burn "$d" "$W/img" 2>/dev/null || fail "burn for read test"
add_fault "$d" unreadable=100-103
"$DISCCTL" read "$d" -o "$W/back" >"$W/out" 2>"$W/err"
[ $? = 9 ] || fail "read with bad range: $(cat "$W/err")"
grep -q "unreadable LBA 100-103 (4 blocks" "$W/out" || fail "read map: $(cat "$W/out")"
[ "$(wc -c <"$W/back")" = $((1984 * 2048)) ] || fail "read did not go on past the bad range"
"$DISCCTL" verify "$d" "$W/img" >"$W/out" 2>"$W/err"
[ $? = 9 ] || fail "verify with bad range passed"
grep -q "bad LBA 100-103 (4 blocks): unreadable" "$W/out" || fail "verify map: $(cat "$W/out")"

# Ctrl-C mid-burn: the slowest DVD+R speed on a clock 10 times faster than
# real time (the drive buffer takes the first 4 MiB at once, the rest of
# the 64 MB would take about a second); closing the session then takes a
# fraction of a second
head -c 64000000 /dev/urandom >"$W/img"
d="$W/int.img"
new_disc dvd+r "$d"
"$DISCCTL" emu time-scale "$d" 10 || fail "time-scale 10"
"$DISCCTL" burn "$d" "$W/img" --speed 1 >"$W/out" 2>"$W/err" &
pid=$!
sleep 0.4
kill -INT $pid
wait $pid
rc=$?
[ "$rc" = 130 ] || fail "SIGINT: exit $rc: $(cat "$W/err")"
grep -q "interrupted" "$W/err" || fail "SIGINT: $(cat "$W/err")"
grep -q "track and session closed; disc appendable" "$W/err" ||
	fail "SIGINT: disc state not said: $(cat "$W/err")"
"$DISCCTL" emu time-scale "$d" 0 || fail "time-scale 0"
"$DISCCTL" read "$d" -o "$W/back" >/dev/null 2>"$W/err" || fail "read after SIGINT: $(cat "$W/err")"
n=$(wc -c <"$W/back")
[ "$n" -gt 0 ] && [ "$n" -lt 64000000 ] || fail "SIGINT: $n bytes on disc"
cmp -n "$n" "$W/img" "$W/back" || fail "SIGINT: written part differs"
exit 0
