#!/bin/sh
# tests/sh/test_api_mount.sh - the public mount API (discfs_mount,
# discfs_mount_commit, discfs_mount_status, discfs_unmount), as a program
# linked against the library uses it (tests/lib/mount_client.c): a blank
# emulated BD-R mounted, a file written into the folder, the status
# showing it staged, committed and unmounted; the disc then holds it.
# An unmount whose commit fails (the drive loses power) leaves the folder
# mounted with the change staged.  Errors are one line: no such disc, a
# daemon program that does not exist, a folder that is not a mount.
set -eu
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "no FUSE here"; exit 77; }
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
[ -x "$BUILD/discfs" ] && [ -f "$BUILD/libdiscfs.a" ] || { echo "not built"; exit 77; }
W=$(mktemp -d /tmp/discfs-apimount.XXXXXX)
M="$W/mnt"
mkdir -p "$M"
cleanup() {
	fusermount3 -u -z "$M" 2>/dev/null || true
	sleep 0.3 # the daemon lets go of its staging directory
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
C="$W/mount_client"
cc -std=c99 -Wall -Werror -I"$SRC/include" -o "$C" "$SRC/tests/lib/mount_client.c" \
	"$BUILD/libdiscfs.a" $(pkg-config --libs liburing) -lsgutils2 -lpthread ||
	fail "the client does not build against the library"
IMG="$W/disc.img"
"$BUILD/discctl" emu create --media bd-r --capacity 50000 "$IMG" > /dev/null
"$BUILD/discctl" emu time-scale "$IMG" 0 > /dev/null

# mounted, written, staged, committed, unmounted
"$C" mount "emu:$IMG" "$M" "$W/stg" "$BUILD/discfs" > "$W/out" || fail "mount: $(cat "$W/out")"
mountpoint -q "$M" || fail "discfs_mount returned before the folder was mounted"
printf 'through the API\n' > "$M/hello.txt"
"$C" status "$M" > "$W/status" || fail "status: $(cat "$W/status")"
grep -q "staged: yes" "$W/status" || fail "status does not show the staged file: $(cat "$W/status")"
pid=$("$C" status "$M" | sed -n 's/.*; daemon: pid \([0-9]*\);.*/\1/p')
"$C" unmount "$M" > "$W/out" || fail "unmount: $(cat "$W/out")"
mountpoint -q "$M" && fail "still mounted after discfs_unmount"
kill -0 "$pid" 2>/dev/null && fail "discfs_unmount returned before the daemon ended"
"$BUILD/discctl" extract "$IMG" -o "$W/out.d" > /dev/null || fail "the disc does not read back"
[ "$(cat "$W/out.d/hello.txt")" = "through the API" ] || fail "the file is not on the disc"
echo "ok: mount, write, status, unmount (committed)"

# an unmount whose commit fails: still mounted, still staged
"$C" mount "emu:$IMG" "$M" "$W/stg" "$BUILD/discfs" > "$W/out" || fail "remount: $(cat "$W/out")"
printf 'second\n' > "$M/second.txt"
"$BUILD/discctl" emu fault "$IMG" power-loss-after=1 > /dev/null
"$C" unmount "$M" > "$W/out" && fail "discfs_unmount succeeded though its commit failed"
[ "$(wc -l < "$W/out")" = 1 ] || fail "not one line: $(cat "$W/out")"
mountpoint -q "$M" || fail "a failed commit unmounted the folder"
[ -f "$M/second.txt" ] || fail "the staged file is gone"
"$C" status "$M" | grep -q "staged: yes" || fail "the change is no longer staged"
echo "ok: a failed commit leaves the folder mounted, the change staged ($(cut -c1-70 "$W/out"))"
pid=$("$C" status "$M" | sed -n 's/.*; daemon: pid \([0-9]*\);.*/\1/p')
[ -n "$pid" ] || fail "the status line names no daemon pid"
fusermount3 -u "$M"
# the daemon ends after the unmount (it still owns the emulated drive)
for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$pid" 2>/dev/null && fail "the daemon did not end after the unmount"
"$BUILD/discctl" emu fault "$IMG" clear > /dev/null

# errors: one line each, non-zero
"$C" mount "emu:$W/none.img" "$M" "$W/stg2" "$BUILD/discfs" > "$W/out" && fail "mounted a disc that does not exist"
[ "$(wc -l < "$W/out")" = 1 ] && grep -q "^error " "$W/out" || fail "no clear error: $(cat "$W/out")"
"$C" mount "emu:$IMG" "$M" "$W/stg3" "$W/no-such-daemon" > "$W/out" && fail "ran a daemon that does not exist"
grep -q "cannot run" "$W/out" || fail "unclear error for a missing daemon: $(cat "$W/out")"
"$C" commit "$W" > "$W/out" && fail "committed a folder that is not a mount"
grep -q "not a discfs mount" "$W/out" || fail "unclear error for a plain folder: $(cat "$W/out")"
echo "ok: errors are one line"
echo "all ok"
