#!/bin/sh
# tests/sh/test_burn_tree.sh - `discctl burn DEV DIR`: a directory is
# mastered as UDF in the layout the medium needs and streamed to the drive
# as it is produced (no intermediate image); the disc then reads back as
# the tree (our reader), checks clean (no errors), and on plain layouts an
# independent reader agrees.
set -eu
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
SRC=$(cd "${DISCFS_SRC:-.}" && pwd)
PATH="$BUILD:$PATH"
W=$(mktemp -d /tmp/discfs-burntree.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$W/src/sub/deeper"
echo "hello" >"$W/src/a.txt"
head -c 3000000 /dev/urandom >"$W/src/sub/b.bin"
: >"$W/src/sub/empty"
echo "deep" >"$W/src/sub/deeper/ünïcode.txt"

for m in cd-r dvd+r dvd-r bd-r dvd+rw bd-re; do
	img="$W/$m.img"
	discctl emu create --media "$m" --capacity 65536 "$img"
	discctl emu time-scale "$img" 0
	discctl burn "$img" "$W/src" >"$W/out" 2>"$W/err" || { cat "$W/err"; fail "$m: burn"; }
	rm -rf "$W/x"
	discctl extract "$img" -o "$W/x" >/dev/null || fail "$m: extract"
	diff -r "$W/src" "$W/x" || fail "$m: tree differs"
	discctl fsck "$img" >"$W/fsck" || { cat "$W/fsck"; fail "$m: fsck"; }
	grep -q ' 0 errors' "$W/fsck" || { cat "$W/fsck"; fail "$m: fsck errors"; }
	echo "ok $m"
done

# DVD+RW gets a plain partition.  The burned session has the size mkimage
# gives the same tree for that medium (the session ends there), and
# independent readers compare it with the tree.
discctl mkimage "$W/src" -o "$W/ref.img" --media dvd+rw >/dev/null
size=$(stat -c %s "$W/ref.img")
cp --sparse=always "$W/dvd+rw.img" "$W/cut.img"
truncate -s "$size" "$W/cut.img"
sh "$SRC/tests/lib/crosscheck.sh" --readers udfinfo,udfread "$W/cut.img" "$W/src" >"$W/cross" 2>&1 ||
	{ cat "$W/cross"; fail "dvd+rw: independent readers"; }

# Several drives take an image file, not a directory.
rc=0; discctl burn "$W/bd-r.img,$W/cd-r.img" "$W/src" 2>"$W/err" || rc=$?
[ "$rc" = 2 ] && grep -q 'one drive at a time' "$W/err" || fail "multi-drive directory burn: rc=$rc $(cat "$W/err")"
echo PASS
