#!/bin/bash
# tests/vm/selftest.sh - proves the lane's harness on fixtures
# (tests/vm/selftest/t_*.sh) whose outcomes are known: a pass, the promised
# environment, a failure, a skip, a test past its timeout, a stray process
# ended between tests, a kernel crash (the test running is failed, the
# remaining ones run in a new boot), and a guest that cannot boot at all.
# Exit 0 when every fixture is reported as expected.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${DISCFS_SRC:-$(cd "$HERE/../.." && pwd)}
BUILD=${DISCFS_BUILD:-$SRC/build}
WORK=${VM_SELFTEST_WORK:-$(cd "$BUILD" && pwd)/vm/selftest}
bad=0
expect() { # output-file regex what
	if grep -Eq "$2" "$1"; then echo "ok: $3"; else echo "NOT OK: $3 (no line matching: $2)"; bad=1; fi
}
lane() { # output-file [env...]
	local out=$1; shift
	env "$@" VM_WORK="$WORK" VM_SKIP_DEPS=1 DISCFS_SRC="$SRC" DISCFS_BUILD="$BUILD" \
		bash "$HERE/run-lane.sh" --no-selftest --tests "$HERE/selftest" > "$out" 2>&1
	echo $?
}
mkdir -p "$WORK"

rc=$(lane "$WORK/fixtures.out")
sed 's/^/  | /' "$WORK/fixtures.out"
[ "$rc" = 1 ] && echo "ok: lane exit status 1" || { echo "NOT OK: lane exit status $rc, want 1"; bad=1; }
O=$WORK/fixtures.out
expect "$O" '^PASS t_a_pass \(' "a passing test passes"
expect "$O" '^PASS t_b_env \(' "guest environment as documented"
expect "$O" '^FAIL t_c_fail: exit status 3' "a failing test fails with its status"
expect "$O" '^    about to fail' "a failing test's log is shown"
expect "$O" '^SKIP t_d_skip: fixture skip reason' "a skip shows its reason"
expect "$O" '^FAIL t_e_timeout: timed out' "a hung test times out and fails"
expect "$O" '^PASS t_f_stray \(' "a test leaving a process behind still passes"
expect "$O" '^PASS t_g_nostray \(' "the runner ends a test's strays before the next"
expect "$O" '^FAIL t_h_panic: the guest died' "a kernel crash fails the test that caused it"
expect "$O" '^PASS t_i_after \(' "tests after a crash run in a new boot"
expect "$O" '2 boot\(s\)' "exactly two boots"
[ "$(grep -cE '^(PASS|FAIL|SKIP) ' "$O")" = 9 ] && echo "ok: one line per fixture" ||
	{ echo "NOT OK: not one line per fixture"; bad=1; }

rc=$(lane "$WORK/noboot.out" VM_KERNEL=/dev/null)
sed 's/^/  | /' "$WORK/noboot.out"
[ "$rc" = 1 ] && echo "ok: boot failure exits 1" || { echo "NOT OK: boot failure exit status $rc"; bad=1; }
expect "$WORK/noboot.out" '^FAIL t_a_pass: guest did not boot' "a boot failure fails the tests"
expect "$WORK/noboot.out" 'FAILED: the guest did not boot' "a boot failure is loud"
exit $bad
