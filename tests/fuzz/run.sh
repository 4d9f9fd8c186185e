#!/bin/sh
# tests/fuzz/run.sh BUILD SECONDS - run every fuzz harness for SECONDS each.
# Seeds come from tests/fuzz/corpus/NAME/ (read-only); what libFuzzer finds
# goes to BUILD/corpus/NAME/.  A crash leaves BUILD/crash-NAME-* and fails.
# Saved crash inputs (tests/fuzz/regress/NAME/*) are replayed first.
# Prints per harness: executions, coverage (edges) and features.
set -u
BUILD=$1 SECONDS_EACH=${2:-60}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
rc=0 n=0
for h in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$h" ] || continue
	name=$(basename "$h"); name=${name#fuzz_}
	n=$((n + 1))
	mkdir -p "$BUILD/corpus/$name"
	seeds="$ROOT/tests/fuzz/corpus/$name"
	[ -d "$seeds" ] || seeds=""
	log="$BUILD/fuzz-$name.log"
	# crashes found before (tests/fuzz/regress/NAME/) must stay fixed
	reg="$ROOT/tests/fuzz/regress/$name"
	if [ -d "$reg" ] && [ -n "$(ls "$reg")" ]; then
		if ! "$h" -runs=1 "$reg"/* >"$log" 2>&1; then
			echo "FAIL fuzz/$name: a saved crash input fails again: see $log"
			tail -n 30 "$log" | sed 's/^/    /'
			rc=1
			continue
		fi
	fi
	"$h" -max_total_time="$SECONDS_EACH" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$BUILD/crash-$name-" \
		"$BUILD/corpus/$name" $seeds >"$log" 2>&1
	r=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	if [ $r = 0 ]; then
		echo "PASS fuzz/$name: ${execs:-?} execs, cov ${cov:-?}, ft ${ft:-?} in ${SECONDS_EACH}s"
	else
		echo "FAIL fuzz/$name (rc=$r): see $log"; tail -n 30 "$log" | sed 's/^/    /'
		rc=1
	fi
done
[ $n -gt 0 ] || { echo "no fuzz harnesses built"; exit 1; }
exit $rc
