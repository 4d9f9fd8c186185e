#!/bin/sh
# tests/sh/test_discfs_crash.sh - kill -9 of the discfs daemon: everything
# that completed before the kill is there after the next mount, byte for
# byte (journal replay); what was in flight is either wholly there or
# absent (a partly copied file holds a prefix of its source, never
# garbage); and the store takes new changes after the recovery.
set -eu
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "no FUSE here"; exit 77; }
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
W=$(mktemp -d /tmp/discfs-crash.XXXXXX)
M="$W/mnt" S="$W/staging"
PID=""
cleanup() {
	fusermount3 -u -z "$M" 2>/dev/null || true
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

mount_it() {
	"$BUILD/discfs" none "$M" -f -o "staging=$S,capacity=1G" 2>>"$W/daemon.log" &
	PID=$!
	for _ in $(seq 100); do
		mountpoint -q "$M" && return 0
		kill -0 "$PID" 2>/dev/null || { cat "$W/daemon.log"; fail "discfs exited"; }
		sleep 0.05
	done
	fail "mount did not appear"
}
crash_it() {
	kill -9 "$PID"
	wait "$PID" 2>/dev/null || true
	PID=""
	fusermount3 -u -z "$M" 2>/dev/null || umount -l "$M"
}

mkdir -p "$M" "$W/a" "$W/b"
for i in $(seq 1 300); do printf 'file a%d\n' "$i" >"$W/a/f$i"; done
head -c 3000000 /dev/urandom >"$W/a/big"
for i in $(seq 1 1000); do printf 'file b%d\n' "$i" >"$W/b/f$i"; done
head -c 20000000 /dev/urandom >"$W/b/huge"

# Round 1: tree a is fully copied, then the daemon dies.
mount_it
cp -a "$W/a" "$M/a"
mkdir "$M/dir-made-last"
crash_it
mount_it
grep -q "recovered" "$W/daemon.log" || fail "no recovery after kill -9"
diff -r "$W/a" "$M/a" || fail "completed copy damaged by kill -9"
[ -d "$M/dir-made-last" ] || fail "the last completed change was lost"

# Round 2: the daemon dies in the middle of copying tree b.
cp -a "$W/b" "$M/b" 2>/dev/null &
CP=$!
sleep 0.4
crash_it
wait "$CP" 2>/dev/null || true
mount_it
diff -r "$W/a" "$M/a" || fail "earlier copy damaged by the second kill"
n=0
for f in "$M"/b/*; do
	[ -e "$f" ] || continue
	name=$(basename "$f")
	size=$(stat -c %s "$f")
	cmp -s -n "$size" "$f" "$W/b/$name" || fail "b/$name is not a prefix of its source"
	n=$((n + 1))
done
echo "after the kill in the middle: $n entries of b recovered"
[ "$n" -gt 0 ] || fail "nothing of the interrupted copy was staged (too fast a kill?)"

# The recovered store takes new changes, and they survive too.
cp -a "$W/b/." "$M/b/"
diff -r "$W/b" "$M/b" || fail "finishing the copy after recovery"
crash_it
mount_it
diff -r "$W/b" "$M/b" || fail "finished copy lost at the third kill"
fusermount3 -u "$M"
wait "$PID" || true
PID=""
echo ok
