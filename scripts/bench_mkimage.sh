#!/bin/sh
# scripts/bench_mkimage.sh [BUILD] - mastering speed, side by side with
# genisoimage -udf and xorriso -as mkisofs on the same trees:
#   1. 100,000 small files (100 directories of 1,000 files, 1-2 KiB each)
#   2. a few large files (4 files, BENCH_MKIMAGE_MB MiB in all, default 2048)
# Prints wall times and ratios (other tool / discctl: > 1 means discctl is
# faster), and for the large files discctl's bandwidth against a plain
# copy of the same files on the same disk (target >= 0.9).  Never passes or
# fails on time.  Every timing includes a final sync (data on the disk).
# Environment: BENCH_DIR=/tmp, BENCH_MKIMAGE_MB=2048.
set -eu
command -v python3 >/dev/null || { echo "bench_mkimage: needs python3" >&2; exit 1; }
BUILD=$(cd "${1:-build}" && pwd)
DISCCTL="$BUILD/discctl"
MB=${BENCH_MKIMAGE_MB:-2048}
W=$(mktemp -d "${BENCH_DIR:-/tmp}/mkimage-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
[ -x "$DISCCTL" ] || { echo "bench_mkimage: no $DISCCTL" >&2; exit 1; }

now() { date +%s.%N; }
elapsed() { echo "$(now) $1" | awk '{ printf "%.2f", $1 - $2 }'; }
ratio() { echo "$1 $2" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2; else print "n/a" }'; }

run_tools() { # label tree
	label=$1 tree=$2
	sync
	t=$(now); "$DISCCTL" mkimage "$tree" -o "$W/ours.img" --time 1700000000 >/dev/null; sync
	ours=$(elapsed "$t"); rm -f "$W/ours.img"; sync
	gen=n/a xor=n/a
	if command -v genisoimage >/dev/null; then
		t=$(now); genisoimage -quiet -udf -R -o "$W/gen.img" "$tree" 2>/dev/null; sync
		gen=$(elapsed "$t"); rm -f "$W/gen.img"; sync
	fi
	if command -v xorriso >/dev/null; then
		t=$(now); xorriso -as mkisofs -quiet -R -o "$W/xor.img" "$tree" 2>/dev/null; sync
		xor=$(elapsed "$t"); rm -f "$W/xor.img"; sync
	fi
	echo "$label: discctl ${ours}s, genisoimage -udf ${gen}s (ratio $(ratio "$gen" "$ours")), xorriso -as mkisofs ${xor}s (ratio $(ratio "$xor" "$ours"))"
	LAST_OURS=$ours
}

# ---- 1. many small files
python3 - "$W/small" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(100):
    os.makedirs(f"{root}/d{d}")
    for n in range(1000):
        with open(f"{root}/d{d}/f{n}", "wb") as f:
            f.write(bytes([n % 251]) * (1024 + n))
PY
find "$W/small" -type f -exec cat {} + > /dev/null # warm the cache for every tool alike
run_tools "100,000 small files" "$W/small"
rm -rf "$W/small"

# ---- 2. a few large files
mkdir -p "$W/large"
for n in 1 2 3 4; do head -c $((MB / 4 * 1048576)) /dev/urandom > "$W/large/big$n.bin"; done
cat "$W"/large/* > /dev/null
t=$(now); cat "$W"/large/* > "$W/copy.bin"; sync; copy=$(elapsed "$t"); rm -f "$W/copy.bin"
run_tools "4 large files, $MB MiB" "$W/large"
echo "large files: plain copy ${copy}s; discctl bandwidth / copy bandwidth = $(ratio "$copy" "$LAST_OURS") (target >= 0.9)"
