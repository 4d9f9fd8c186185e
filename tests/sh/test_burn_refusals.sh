#!/bin/sh
# tests/sh/test_burn_refusals.sh - what discctl burn/erase/format/verify/
# read refuse, before writing anything: one clear line on stderr and the
# documented exit status (2 usage, 3 no such file, 6 wrong medium,
# 7 no space), and the disc stays as it was.
set -u
BUILD=${DISCFS_BUILD:-build}
DISCCTL="$BUILD/discctl"
[ -x "$DISCCTL" ] || { echo "no $DISCCTL"; exit 77; }
W=$(mktemp -d /tmp/burn-ref.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

new_disc() {
	"$DISCCTL" emu create --media "$1" --capacity "${3:-20000}" "$2" \
		>/dev/null 2>"$W/err" || fail "emu create $1: $(cat "$W/err")"
	"$DISCCTL" emu time-scale "$2" 0 2>"$W/err" || fail "time-scale: $(cat "$W/err")"
}

expect() { # exit-status pattern command...
	want=$1 pat=$2
	shift 2
	"$@" >"$W/out" 2>"$W/err" </dev/null
	rc=$?
	[ "$rc" = "$want" ] || fail "$* exited $rc, want $want: $(cat "$W/err")"
	grep -q -- "$pat" "$W/err" || fail "$*: stderr '$(cat "$W/err")' lacks '$pat'"
}

head -c 300000 /dev/urandom >"$W/img"

# usage errors
expect 2 "usage" "$DISCCTL" burn
expect 2 "usage" "$DISCCTL" burn "$W/x.img"
expect 2 "unknown option" "$DISCCTL" burn "$W/x.img" "$W/img" --frob
expect 2 "verify needs an image file" "$DISCCTL" burn "$W/x.img" - --verify=full
expect 2 "positive number" "$DISCCTL" burn "$W/x.img" "$W/img" --speed x
expect 2 "spare" "$DISCCTL" format "$W/x.img" --spare=lots
expect 2 "usage" "$DISCCTL" read "$W/x.img"
expect 2 "usage" "$DISCCTL" verify "$W/x.img"

# a missing image is refused (the drive is fine)
new_disc bd-r "$W/b.img"
expect 3 "nonexistent" "$DISCCTL" burn "$W/b.img" "$W/nonexistent.iso"

# an image larger than the free space: refused before writing
truncate -s 900M "$W/big.iso"
expect 7 "needs" "$DISCCTL" burn "$W/b.img" "$W/big.iso"
"$DISCCTL" info "$W/b.img" 2>/dev/null | grep -qi "blank" ||
	fail "BD-R not blank after refused burn"

# a finalized disc: nothing more can be written
new_disc dvd+r "$W/f.img"
"$DISCCTL" burn "$W/f.img" "$W/img" --close 2>/dev/null || fail "first burn"
expect 6 "finalized" "$DISCCTL" burn "$W/f.img" "$W/img"

# disc at once on a disc that is not blank
new_disc dvd-r "$W/r.img"
"$DISCCTL" burn "$W/r.img" "$W/img" 2>/dev/null || fail "first dvd-r burn"
expect 6 "needs a blank disc" "$DISCCTL" burn "$W/r.img" "$W/img" --dao

# test write where the medium has none; erase where nothing can be erased
new_disc bd-r "$W/t.img"
expect 6 "dummy" "$DISCCTL" burn "$W/t.img" "$W/img" --dummy
expect 6 "cannot be erased" "$DISCCTL" erase "$W/t.img"
expect 6 "cannot be formatted" "$DISCCTL" format "$W/f.img"

# verify and read of a blank disc: nothing recorded
expect 9 "blank" "$DISCCTL" verify "$W/t.img" "$W/img"
expect 9 "blank" "$DISCCTL" read "$W/t.img" -o "$W/out.iso"
exit 0
