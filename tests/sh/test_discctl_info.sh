#!/bin/sh
# tests/sh/test_discctl_info.sh - `discctl info` on every emulated medium
# shows what a real drive reports for it (mmc-notes §2.2 "Blank" column,
# §2.6-2.7 for rewritables, §2.9 capacities), in JSON and in text.
set -eu
BUILD=${DISCFS_BUILD:-build}
DISCCTL="$BUILD/discctl"
[ -x "$DISCCTL" ] || { echo "no $DISCCTL"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing (scripts/deps.sh)"; exit 77; }
W=$(mktemp -d /tmp/discctl-info.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# medium profile disc_status last_session erasable formatted sessions
#   tracks start nwa track_free capacity used free
GOLDEN='
cd-r     9  blank         empty    false false 1 1 0 0    359849   359849   0 359849
cd-rw    10 blank         empty    true  false 1 1 0 0    359849   359849   0 359849
dvd-r    17 blank         empty    false false 1 1 0 0    2298496  2298496  0 2298496
dvd-rw   20 blank         empty    true  false 1 1 0 0    2297888  2297888  0 2297888
dvd-r-dl 21 blank         empty    false false 1 1 0 0    4171712  4171712  0 4171712
dvd+r    27 blank         empty    false false 1 1 0 0    2295104  2295104  0 2295104
dvd+r-dl 43 blank         empty    false false 1 1 0 0    4173824  4173824  0 4173824
bd-r     65 blank         empty    false false 1 1 0 0    12219392 12219392 0 12219392
dvd+rw   26 blank         empty    true  false 1 1 0 null 2295104  2295104  0 2295104
bd-re    67 blank         empty    true  false 1 1 0 null 12219392 12219392 0 12219392
dvd-ram  18 random-access complete true  true  1 1 0 null 0        2236704  0 2236704
'

check_json() { # file medium profile status last erasable formatted sessions tracks start nwa tfree cap used free
	python3 - "$@" <<'PY'
import json, sys
(f, medium, profile, status, last, erasable, formatted, sessions, tracks,
 start, nwa, tfree, cap, used, free) = sys.argv[1:]
d = json.load(open(f))
m = d["medium"]
def eq(what, got, want):
    if str(got).lower() != want:
        sys.exit(f"{medium}: {what} is {got}, a real drive reports {want}")
eq("present", m["present"], "true")
eq("profile", m["profile"], profile)
eq("disc status", m["disc_status"], status)
eq("last session", m["last_session"], last)
eq("erasable", m["erasable"], erasable)
eq("formatted", m["formatted"], formatted)
eq("sessions", m["sessions"], sessions)
eq("number of tracks", len(m["tracks"]), tracks)
t = m["tracks"][0]
eq("track 1 start", t["start"], start)
eq("track 1 NWA", "null" if t["nwa"] is None else t["nwa"], nwa)
eq("track 1 free", t["free_blocks"], tfree)
eq("capacity", m["capacity_blocks"], cap)
eq("used", m["used_blocks"], used)
eq("free", m["free_blocks"], free)
dr = d["drive"]
if not dr["vendor"] or not dr["model"]:
    sys.exit(f"{medium}: drive without identity")
codes = [p["code"] for p in dr["profiles"]]
if int(profile) not in codes:
    sys.exit(f"{medium}: profile {profile} missing from the drive's list")
if not dr["write_speeds_kbps"] or dr["write_speeds_kbps"] != sorted(dr["write_speeds_kbps"], reverse=True):
    sys.exit(f"{medium}: write speeds {dr['write_speeds_kbps']} not fastest first")
if dr["buffer_bytes"] <= 0:
    sys.exit(f"{medium}: no buffer size")
PY
}

echo "$GOLDEN" | while read -r medium profile status last erasable formatted sessions tracks start nwa tfree cap used free; do
	[ -n "$medium" ] || continue
	img="$W/$medium.img"
	"$DISCCTL" emu create --media "$medium" "$img" >/dev/null ||
		fail "emu create $medium"
	"$DISCCTL" info --json "$img" >"$W/$medium.json" ||
		fail "info --json $medium"
	check_json "$W/$medium.json" "$medium" "$profile" "$status" "$last" \
		"$erasable" "$formatted" "$sessions" "$tracks" "$start" "$nwa" \
		"$tfree" "$cap" "$used" "$free" || fail "$medium JSON"
	# emu: prefix and the text form say the same
	"$DISCCTL" info "emu:$img" >"$W/$medium.txt" || fail "info $medium"
	hex=$(printf '%04X' "$profile")
	grep -q "^  profile: .*(${hex}h)\$" "$W/$medium.txt" ||
		fail "$medium: text profile line"
	grep -q "^  disc status: *$status\$" "$W/$medium.txt" ||
		fail "$medium: text disc status"
	grep -q "^  capacity: *$cap blocks" "$W/$medium.txt" ||
		fail "$medium: text capacity"
	echo "ok $medium"
done

# A pressed disc (from a file): complete, one closed track, nothing free.
head -c 1048576 /dev/zero >"$W/rom.img"
"$DISCCTL" emu create --media dvd-rom "$W/rom.img" >/dev/null || fail "emu create dvd-rom"
"$DISCCTL" info --json "$W/rom.img" >"$W/rom.json" || fail "info dvd-rom"
python3 - "$W/rom.json" <<'PY' || fail "dvd-rom JSON"
import json, sys
m = json.load(open(sys.argv[1]))["medium"]
assert m["profile"] == 0x10, m["profile"]
assert m["disc_status"] == "complete", m["disc_status"]
assert m["last_session"] == "complete", m["last_session"]
assert m["next_writable"] is None
assert len(m["tracks"]) == 1 and m["tracks"][0]["nwa"] is None
assert m["tracks"][0]["size"] == 512, m["tracks"][0]
assert m["capacity_blocks"] == 512 and m["used_blocks"] == 512
assert m["free_blocks"] == 0
PY
echo "ok dvd-rom"
