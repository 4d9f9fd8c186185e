#!/bin/sh
# scripts/bench_commit.sh [BUILD] - what committing one changed file costs
# on a disc that already holds many files (the discfs issue's benchmark):
#   1. discfs on an emulated BD-R: BENCH_COMMIT_FILES small files (default
#      100,000, in directories of 1,000) are copied in and committed; the
#      disc is mounted again, one file is changed and committed.  Measured:
#      the blocks that second commit appended (the emulated drive's "used"
#      count, before and after) and its wall time, against the target of
#      1 MiB (the file, its directory and the VAT).
#   2. Beside it, xorriso: the same tree as an ISO9660 image, then the same
#      one-file change appended as a new session (-dev IMAGE -update_r,
#      which writes only what changed, -commit):
#      the bytes it appended and its time.
# Prints numbers and ratios; never passes or fails on them.
set -eu
BUILD=$(cd "${1:-build}" && pwd)
FILES=${BENCH_COMMIT_FILES:-100000}
W=$(mktemp -d "${BENCH_DIR:-/tmp}/commit-bench.XXXXXX")
M="$W/mnt"
PID=""
cleanup() {
	fusermount3 -u -z "$M" 2>/dev/null || true
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
[ -e /dev/fuse ] || { echo "bench_commit: no /dev/fuse" >&2; exit 1; }

now() { date +%s.%N; }
elapsed() { echo "$(now) $1" | awk '{ printf "%.2f", $1 - $2 }'; }
used() { "$BUILD/discctl" emu show "$W/disc.img" | awk '/^used:/ { print $2 }'; }

mount_disc() {
	mkdir -p "$M"
	"$BUILD/discfs" "emu:$W/disc.img" "$M" -f -o "staging=$W/staging" 2>>"$W/daemon.log" &
	PID=$!
	for _ in $(seq 600); do
		mountpoint -q "$M" && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench_commit: mount failed" >&2
	tail -3 "$W/daemon.log" >&2
	exit 1
}
unmount_disc() {
	fusermount3 -u "$M"
	wait "$PID" || true
	PID=""
}

echo "== a tree of $FILES small files"
python3 - "$W/src" "$FILES" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = f"{root}/d{i // 1000:03d}"
    if i % 1000 == 0:
        os.makedirs(d)
    with open(f"{d}/f{i % 1000:03d}", "wb") as f:
        f.write(bytes([i % 251]) * (200 + i % 1800))
PY

# The file that changes: one in the middle of the tree.
CHANGED=$(printf 'd%03d/f%03d' $((FILES / 2 / 1000)) $((FILES / 2 % 1000)))

# ---- 1. discfs on a BD-R
"$BUILD/discctl" emu create --media bd-r "$W/disc.img" >/dev/null
"$BUILD/discctl" emu time-scale "$W/disc.img" 0
mount_disc
t=$(now)
cp -a "$W/src/." "$M/"
"$BUILD/discctl" commit "$M" >/dev/null
echo "first commit of $FILES files (cp + commit): $(elapsed "$t")s, $(used) blocks used"
unmount_disc

t=$(now)
mount_disc
echo "mount of the $FILES-file disc: $(elapsed "$t")s"
before=$(used)
echo "changed" >>"$M/$CHANGED"
t=$(now)
"$BUILD/discctl" commit "$M" >/dev/null
ours_t=$(elapsed "$t")
after=$(used)
unmount_disc
ours_b=$(( (after - before) * 2048 ))
echo "discfs: one changed file committed in ${ours_t}s, $((after - before)) blocks = $ours_b bytes appended" \
     "($(awk -v b="$ours_b" 'BEGIN { printf "%.3f", b / 1048576 }') of the 1 MiB target)"

# ---- 2. xorriso, a multi-session ISO9660 append of the same change
if command -v xorriso >/dev/null 2>&1; then
	xorriso -dev "$W/xo.iso" -map "$W/src" / -commit >/dev/null 2>&1
	s1=$(stat -c %s "$W/xo.iso")
	echo "changed" >>"$W/src/$CHANGED"
	t=$(now)
	xorriso -dev "$W/xo.iso" -update_r "$W/src" / -commit >/dev/null 2>&1
	xo_t=$(elapsed "$t")
	xo_b=$(( $(stat -c %s "$W/xo.iso") - s1 ))
	echo "xorriso: the same change as a new session in ${xo_t}s, $xo_b bytes appended"
	echo "RESULT commit_bytes=$ours_b xorriso_bytes=$xo_b bytes_ratio=$(awk -v a="$xo_b" -v b="$ours_b" 'BEGIN { printf "%.1f", a / b }')" \
	     "time_ratio=$(awk -v a="$xo_t" -v b="$ours_t" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }') (xorriso / discfs)"
else
	echo "xorriso: not installed"
	echo "RESULT commit_bytes=$ours_b"
fi
