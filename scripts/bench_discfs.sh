#!/bin/sh
# scripts/bench_discfs.sh [BUILD] - how fast cp -a runs into a discfs mount
# compared with the same cp -a into a plain directory on the same disk.
# Prints ratios (plain time / mount time: 1.0 = as fast, above = faster);
# never passes or fails on time.  The mount is DEV "none" (staging only):
# what is measured is the FUSE daemon and its staging store.  Beside it,
# the same copy into discfs with -o spin=0 (no looking for the next
# request before sleeping: fused/loop.h) and into bindfs, a generic FUSE
# passthrough, when it is installed.
#
# Environment:
#   BENCH_DIR=/tmp          where sources, copies and staging live
#   BENCH_LARGE_MB=1024     total size of the large files (8 files)
#   BENCH_SMALL_FILES=100000  number of small files (1000 per directory)
#   BENCH_SMALL_BYTES=1000  size of each small file
#   BENCH_RUNS=1            runs of each copy; the best time counts
set -eu
BUILD=$(cd "${1:-build}" && pwd)
BENCH_DIR=${BENCH_DIR:-/tmp}
LARGE_MB=${BENCH_LARGE_MB:-1024}
SMALL=${BENCH_SMALL_FILES:-100000}
SMALL_BYTES=${BENCH_SMALL_BYTES:-1000}
RUNS=${BENCH_RUNS:-1}
W=$(mktemp -d "$BENCH_DIR/discfs-bench.XXXXXX")
M="$W/mnt"
PID=""
cleanup() {
	fusermount3 -u -z "$M" 2>/dev/null || true
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
[ -e /dev/fuse ] || { echo "bench_discfs: no /dev/fuse" >&2; exit 1; }

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

mount_fresh() { # KIND: mount | nospin | bindfs
	rm -rf "$W/staging" "$W/bindsrc"
	mkdir -p "$M"
	case $1 in
	bindfs)
		mkdir -p "$W/bindsrc"
		bindfs -f "$W/bindsrc" "$M" 2>"$W/daemon.log" & ;;
	nospin)
		"$BUILD/discfs" none "$M" -f -o "staging=$W/staging,capacity=64G,no_commit_on_unmount,spin=0" \
			2>"$W/daemon.log" & ;;
	*)
		"$BUILD/discfs" none "$M" -f -o "staging=$W/staging,capacity=64G,no_commit_on_unmount" \
			2>"$W/daemon.log" & ;;
	esac
	PID=$!
	for _ in $(seq 200); do
		mountpoint -q "$M" && return 0
		sleep 0.05
	done
	echo "bench_discfs: mount failed" >&2
	cat "$W/daemon.log" >&2
	exit 1
}
unmount() {
	fusermount3 -u "$M"
	wait "$PID" || true
	PID=""
}

# time_copy SRC DEST-KIND -> seconds (best of RUNS)
time_copy() {
	best=""
	for _ in $(seq "$RUNS"); do
		if [ "$2" != plain ]; then
			mount_fresh "$2"
			dest="$M/copy"
		else
			rm -rf "$W/plain"
			mkdir -p "$W/plain"
			dest="$W/plain/copy"
		fi
		sync
		t0=$(now)
		cp -a "$1" "$dest"
		t1=$(now)
		[ "$2" != plain ] && unmount
		t=$(secs "$t0" "$t1")
		if [ -z "$best" ] || less "$t" "$best"; then
			best=$t
		fi
	done
	rm -rf "$W/plain"
	echo "$best"
}

echo "== preparing sources in $W"
mkdir -p "$W/large" "$W/small"
per=$((LARGE_MB / 8))
for i in 1 2 3 4 5 6 7 8; do
	head -c $((per * 1048576)) /dev/urandom >"$W/large/file$i"
done
d=0 left=$SMALL
while [ "$left" -gt 0 ]; do
	n=$((left < 1000 ? left : 1000))
	mkdir -p "$W/small/d$d"
	head -c $((n * SMALL_BYTES)) /dev/urandom |
		(cd "$W/small/d$d" && split -b "$SMALL_BYTES" -a 4 - f)
	left=$((left - n))
	d=$((d + 1))
done
cat "$W"/large/* >/dev/null # both copies read from the page cache

HAVE_BINDFS=0
command -v bindfs >/dev/null 2>&1 && HAVE_BINDFS=1
# peers SRC -> prints the times and ratios of the other copies, sets R
peers() {
	tp=$(time_copy "$1" plain)
	tm=$(time_copy "$1" mount)
	tn=$(time_copy "$1" nospin)
	R=$(ratio "$tp" "$tm")
	printf 'plain %.2fs  discfs %.2fs  ratio %.2f\n' "$tp" "$tm" "$R"
	printf '  discfs -o spin=0 %.2fs  ratio %.2f (the default is %.2fx as fast)\n' \
		"$tn" "$(ratio "$tp" "$tn")" "$(ratio "$tn" "$tm")"
	if [ "$HAVE_BINDFS" = 1 ]; then
		tb=$(time_copy "$1" bindfs)
		printf '  bindfs %.2fs  ratio %.2f (discfs/bindfs speed %.2f)\n' \
			"$tb" "$(ratio "$tp" "$tb")" "$(ratio "$tb" "$tm")"
	else
		echo "  bindfs: not installed (scripts/deps.sh installs it)"
	fi
}

# Each copy is timed BENCH_RUNS times (best counts); page-cache writeback
# of the previous copy can still be running, so the first copy of a kind
# may pay for it: compare runs with BENCH_RUNS=2 or more.
echo "== large files: $LARGE_MB MiB in 8 files (target >= 0.9)"
peers "$W/large"
rl=$R
echo "== small files: $SMALL files of $SMALL_BYTES bytes in $d directories (target >= 0.8, aim > 1.0)"
peers "$W/small"
rs=$R
printf 'RESULT large_ratio=%.2f small_ratio=%.2f\n' "$rl" "$rs"
