#!/bin/sh
# tests/sh/test_burn_profiles.sh - discctl burn + verify + read on every
# emulated medium (small discs, instant time scale): the image read back is
# the image burned; --json gives one valid JSON object per line with the
# IMAPI-like actions; stdin and several drives at once work too.
set -u
BUILD=${DISCFS_BUILD:-build}
DISCCTL="$BUILD/discctl"
[ -x "$DISCCTL" ] || { echo "no $DISCCTL"; exit 77; }
W=$(mktemp -d /tmp/burn-prof.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# new_disc MEDIA PATH [CAPACITY]: a small emulated disc, instant time scale
new_disc() {
	"$DISCCTL" emu create --media "$1" --capacity "${3:-20000}" "$2" \
		>/dev/null 2>"$W/err" || fail "emu create $1: $(cat "$W/err")"
	"$DISCCTL" emu time-scale "$2" 0 2>"$W/err" || fail "time-scale: $(cat "$W/err")"
}

# a 1.5 MB image whose size is not a multiple of any write unit
head -c 1572999 /dev/urandom >"$W/img"
size=$(wc -c <"$W/img")

for m in cd-r cd-rw dvd-r dvd-r-dl dvd-rw dvd+r dvd+r-dl dvd+rw dvd-ram bd-r bd-re; do
	d="$W/$m.img"
	new_disc "$m" "$d"
	"$DISCCTL" burn "$d" "$W/img" --verify=full >"$W/out" 2>"$W/err" ||
		fail "burn $m: $(cat "$W/err")"
	grep -q "burned" "$W/err" || fail "burn $m says: $(cat "$W/err")"
	"$DISCCTL" verify "$d" "$W/img" >"$W/out" 2>"$W/err" ||
		fail "verify $m: $(cat "$W/err" "$W/out")"
	"$DISCCTL" verify "$d" "$W/img" --quick >"$W/out" 2>"$W/err" ||
		fail "quick verify $m: $(cat "$W/err" "$W/out")"
	"$DISCCTL" read "$d" -o "$W/back" >"$W/out" 2>"$W/err" ||
		fail "read $m: $(cat "$W/err")"
	cmp -n "$size" "$W/img" "$W/back" || fail "$m: read back differs"
	echo "ok $m"
done

# CD session at once (cue sheet, pregap from LBA -150) and DVD-R disc at once
for m in cd-r dvd-r; do
	d="$W/dao-$m.img"
	new_disc "$m" "$d"
	"$DISCCTL" burn "$d" "$W/img" --dao --verify=full >"$W/out" 2>"$W/err" ||
		fail "--dao $m: $(cat "$W/err")"
	"$DISCCTL" read "$d" -o "$W/back" >/dev/null 2>"$W/err" || fail "read dao $m"
	cmp -n "$size" "$W/img" "$W/back" || fail "--dao $m: read back differs"
	echo "ok $m --dao"
done

# --json: every line is one JSON object; the actions come in IMAPI order
d="$W/json.img"
new_disc bd-r "$d"
"$DISCCTL" burn "$d" "$W/img" --json --verify=quick >"$W/json" 2>"$W/err" ||
	fail "json burn: $(cat "$W/err")"
if command -v python3 >/dev/null; then
	python3 - "$W/json" <<'PY' || fail "json stream: $(cat "$W/json")"
import json, sys
acts = []
last = None
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["event"] == "progress" and o["action"] != (acts[-1] if acts else None):
        acts.append(o["action"])
    last = o
want = ["validating", "calibrating power", "writing", "finalizing",
        "verifying", "completed"]
assert acts == want, acts
assert last["event"] == "result" and last["ok"] is True, last
assert last["written_blocks"] == 800, last
assert last["closed"] is True, last
PY
fi

# standard input of unknown length
d="$W/stdin.img"
new_disc dvd+r "$d"
cat "$W/img" | "$DISCCTL" burn "$d" - 2>"$W/err" || fail "stdin: $(cat "$W/err")"
"$DISCCTL" verify "$d" "$W/img" >/dev/null 2>&1 || fail "stdin burn differs"

# several drives at once from one ring, mixed media
new_disc bd-r "$W/m1.img"; new_disc dvd+r "$W/m2.img"; new_disc cd-r "$W/m3.img"
"$DISCCTL" burn "$W/m1.img,$W/m2.img,$W/m3.img" "$W/img" --verify=full \
	2>"$W/err" || fail "multi: $(cat "$W/err")"
[ "$(grep -c burned "$W/err")" = 3 ] || fail "multi: $(cat "$W/err")"

# appending a second session, then finalizing
d="$W/app.img"
new_disc bd-r "$d"
"$DISCCTL" burn "$d" "$W/img" 2>/dev/null || fail "session 1"
"$DISCCTL" burn "$d" "$W/img" --close 2>"$W/err" || fail "session 2: $(cat "$W/err")"
grep -q "finalized" "$W/err" || fail "not finalized: $(cat "$W/err")"
"$DISCCTL" verify "$d" "$W/img" >/dev/null 2>&1 || fail "session 2 differs"
exit 0
