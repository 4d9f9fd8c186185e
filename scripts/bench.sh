#!/bin/sh
# scripts/bench.sh BUILD - runs every benchmark, scripts/bench_*.sh, in
# turn (`make bench`).  Benchmarks print ratios; none passes or fails on
# time.  A benchmark that cannot run (missing tool) says so and the others
# still run; the exit status is that of the last failing one, else 0.
set -u
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
rc=0
for b in "$ROOT"/scripts/bench_*.sh; do
	[ -f "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	sh "$b" "$BUILD" || { echo "$(basename "$b"): failed (status $?)"; rc=1; }
	echo
done
exit $rc
