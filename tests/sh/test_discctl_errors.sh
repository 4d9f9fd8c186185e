#!/bin/sh
# tests/sh/test_discctl_errors.sh - bad devices, bad arguments and empty
# drives give one clear line on stderr and the documented exit status
# (discctl(1) EXIT STATUS), never a crash.
set -u
BUILD=${DISCFS_BUILD:-build}
DISCCTL="$BUILD/discctl"
[ -x "$DISCCTL" ] || { echo "no $DISCCTL"; exit 77; }
W=$(mktemp -d /tmp/discctl-err.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

expect() { # exit-status pattern-in-stderr command...
	want=$1 pat=$2
	shift 2
	"$@" >"$W/out" 2>"$W/err"
	rc=$?
	[ "$rc" = "$want" ] || fail "$* exited $rc, want $want: $(cat "$W/err")"
	[ "$(wc -l <"$W/err")" = 1 ] || fail "$*: stderr is not one line: $(cat "$W/err")"
	grep -q -- "$pat" "$W/err" || fail "$*: stderr '$(cat "$W/err")' lacks '$pat'"
}

expect 3 "no such drive\|No such file" "$DISCCTL" info /nonexistent/sr9
expect 2 "usage" "$DISCCTL" info
expect 2 "unknown option" "$DISCCTL" info --bogus x
expect 2 "unexpected argument" "$DISCCTL" list extra
expect 2 "usage" "$DISCCTL" eject
expect 2 "unknown command" "$DISCCTL" frobnicate
expect 2 "emu:" "$DISCCTL" info emu:

# An image without its state file is not an emulated disc.
printf 'not a disc' >"$W/lonely.img"
"$DISCCTL" info "$W/lonely.img" >/dev/null 2>"$W/err"
rc=$?
[ "$rc" != 0 ] || fail "info on an image without state succeeded"
[ "$(wc -l <"$W/err")" = 1 ] || fail "lonely image: $(cat "$W/err")"

# A damaged state file is refused as malformed data (exit 11).
"$DISCCTL" emu create --media dvd+r "$W/d.img" >/dev/null || fail "emu create"
printf '\377\376garbage\n' >"$W/d.img.state"
expect 11 "" "$DISCCTL" info "$W/d.img"

# A drive that vanishes mid-query (unplugged): "no such drive", exit 3.
"$DISCCTL" emu create --media dvd+r "$W/v.img" >/dev/null || fail "emu create"
"$DISCCTL" emu fault "$W/v.img" vanish-after=5 || fail "emu fault"
expect 3 "vanished" "$DISCCTL" info "$W/v.img"

# Tray: eject leaves the drive empty, load brings the disc back.
"$DISCCTL" emu create --media bd-r "$W/t.img" >/dev/null || fail "emu create"
"$DISCCTL" eject "$W/t.img" || fail "eject"
"$DISCCTL" info --json "$W/t.img" >"$W/out" 2>"$W/err" || fail "info after eject: $(cat "$W/err")"
grep -q '"medium":{"present":false}' "$W/out" || fail "medium still present after eject"
"$DISCCTL" info "$W/t.img" | grep -q '^  none$' || fail "text shows a medium after eject"
"$DISCCTL" load "$W/t.img" || fail "load"
"$DISCCTL" info --json "$W/t.img" | grep -q '"present":true' || fail "no medium after load"
"$DISCCTL" lock "$W/t.img" || fail "lock"
"$DISCCTL" unlock "$W/t.img" || fail "unlock"

# list works on a machine without optical drives too.
"$DISCCTL" list >/dev/null || fail "list"
"$DISCCTL" list --json | grep -q '^\[' || fail "list --json is not an array"
echo ok
