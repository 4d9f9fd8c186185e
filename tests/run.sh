#!/bin/sh
# tests/run.sh - run the test lanes and print one summary line.
#   --build DIR       where the normal build is (programs, tests/)
#   --san-build DIR   also run the unit tests built with ASan+UBSan there
#   --only LANE       unit | sh | vm
#   --filter WORD     only tests whose name contains WORD
# Each test is a program or script; exit 0 = pass, 77 = skipped (counted and
# printed; CI treats a skip of a required lane as failure), else fail.
# Logs of failing tests are printed; all logs stay in $BUILD/test-logs/.
set -u
BUILD=build SAN_BUILD="" ONLY="" FILTER=""
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=$2; shift 2 ;;
	--san-build) SAN_BUILD=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	--filter) FILTER=$2; shift 2 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
LOGS="$BUILD/test-logs"
mkdir -p "$LOGS"
pass=0 fail=0 skip=0 failed=""

run_one() { # name logfile command...
	name=$1 log=$2
	shift 2
	case "$name" in *"$FILTER"*) ;; *) return ;; esac
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc = 0 ]; then
		pass=$((pass + 1)); echo "PASS $name (${secs}s)"
	elif [ $rc = 77 ]; then
		skip=$((skip + 1)); echo "SKIP $name: $(tail -n 1 "$log")"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "FAIL $name (rc=$rc, ${secs}s) -- last lines of $log:"
		tail -n 40 "$log" | sed 's/^/    /'
	fi
}

unit_lane() { # builddir tag
	for t in "$1"/tests/test_*; do
		[ -x "$t" ] || continue
		n=$(basename "$t")
		run_one "unit$2/$n" "$LOGS/unit$2-$n.log" env DISCFS_SRC="$ROOT" DISCFS_BUILD="$BUILD" "$t"
	done
}

if [ -z "$ONLY" ] || [ "$ONLY" = unit ]; then
	unit_lane "$BUILD" ""
	[ -n "$SAN_BUILD" ] && unit_lane "$(cd "$SAN_BUILD" && pwd)" "-san"
fi
if [ -z "$ONLY" ] || [ "$ONLY" = sh ]; then
	for t in "$ROOT"/tests/sh/test_*.sh; do
		[ -f "$t" ] || continue
		n=$(basename "$t" .sh)
		run_one "sh/$n" "$LOGS/sh-$n.log" env DISCFS_SRC="$ROOT" DISCFS_BUILD="$BUILD" \
			PATH="$BUILD:$PATH" sh "$t"
	done
fi
if [ -z "$ONLY" ] || [ "$ONLY" = vm ]; then
	if [ -x "$ROOT/tests/vm/run-lane.sh" ]; then
		run_one "vm/lane" "$LOGS/vm-lane.log" env DISCFS_SRC="$ROOT" DISCFS_BUILD="$BUILD" \
			sh "$ROOT/tests/vm/run-lane.sh"
		[ -f "$LOGS/vm-lane.log" ] && grep -E '^(PASS|FAIL|SKIP) ' "$LOGS/vm-lane.log" | sed 's/^/    vm: /'
	fi
fi

echo
[ -n "$failed" ] && echo "failed:$failed"
if [ -n "${CI:-}" ] && [ $skip -gt 0 ]; then
	echo "CI: $skip test(s) skipped; a skip fails CI"
	fail=$((fail + skip))
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
