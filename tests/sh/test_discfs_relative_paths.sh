#!/bin/sh
# discfs started as a daemon (no -f) leaves its working directory, so the
# relative paths it was given (emu:IMAGE, staging=DIR) must be made
# absolute first: the commit must reach the image named on the command
# line, and the staging must live where the user said, not under /.
set -eu
BUILD=${DISCFS_BUILD:-build}
BUILD=$(cd "$BUILD" && pwd)
W=$(mktemp -d /tmp/discfs-relpath.XXXXXX)
cleanup() {
	fusermount3 -u -z "$W/mnt" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ -e /dev/fuse ] || { echo "SKIP: no /dev/fuse"; exit 77; }

cd "$W"
mkdir mnt
"$BUILD/discctl" emu create --media bd-r --capacity 20000 d.img >/dev/null
"$BUILD/discctl" emu time-scale d.img 0
name="stg-$$-rel" # unique: a stray copy under / would be ours
"$BUILD/discfs" emu:d.img mnt -o "staging=$name" 2>daemon.log ||
	fail "discfs did not start: $(cat daemon.log)"
mountpoint -q mnt || fail "not mounted"
echo hello >mnt/a
"$BUILD/discctl" commit mnt >/dev/null || fail "commit failed"
fusermount3 -u mnt
for _ in $(seq 100); do pgrep -f "discfs emu:d.img" >/dev/null || break; sleep 0.05; done
[ -d "$W/$name" ] || fail "staging not in the working directory"
[ ! -e "/$name" ] || { rm -rf "/$name"; fail "staging created under /"; }
[ "$("$BUILD/discctl" ls d.img)" = a ] || fail "the image does not hold the commit"
echo "PASS: relative emu: image and staging paths survive daemonizing"
