#!/bin/sh
# tests/sh/test_iso_read.sh - ISO9660-only discs through the UDF-less path
# of the public reader:
#  A. genisoimage -R -J: discctl ls / extract give back the source tree
#     (names, modes, symlinks, contents: diff -r); also a tree deeper
#     than 8 levels, whose directories Rock Ridge relocates.
#  B. genisoimage -J (Joliet, no Rock Ridge): long names and contents.
#  C. xorriso, two sessions appended to one image: the last session's tree
#     is read (the first session's files, one of them replaced, and the
#     second's).
#     Two sessions burned on an emulated CD-R (the second made with
#     genisoimage -C/-M): the last one is read, found through the drive's
#     track list.
#  D. An ISO burned to an emulated CD-R mounts with discfs read-only, with
#     the notice; it shows the tree, and writing fails with EROFS.
set -eu
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
[ -x "$BUILD/discctl" ] || { echo "discctl not built"; exit 77; }
command -v genisoimage >/dev/null || { echo "genisoimage missing (scripts/deps.sh)"; exit 77; }
command -v xorriso >/dev/null || { echo "xorriso missing (scripts/deps.sh)"; exit 77; }
DISCCTL="$BUILD/discctl"
W=$(mktemp -d /tmp/iso-read.XXXXXX)
M="$W/mnt"
PID=""
cleanup() {
	if [ -n "$PID" ]; then
		fusermount3 -u -z "$M" 2>/dev/null || true
		kill "$PID" 2>/dev/null || true
	fi
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$W/src/sub/deeper" "$W/src/empty dir"
printf 'hello\n' >"$W/src/a.txt"
printf 'long\n' >"$W/src/a rather long file name, with ümlauts.text"
head -c 300000 /dev/urandom >"$W/src/sub/random.bin"
: >"$W/src/sub/empty"
printf 'deep\n' >"$W/src/sub/deeper/d.txt"
ln -s ../a.txt "$W/src/sub/link"
chmod 0640 "$W/src/a.txt"

# ---- A: Rock Ridge + Joliet
genisoimage -quiet -R -J -o "$W/rj.iso" "$W/src" 2>"$W/err" ||
	fail "genisoimage: $(cat "$W/err")"
"$DISCCTL" ls "$W/rj.iso" >"$W/ls" 2>"$W/err" || fail "ls: $(cat "$W/err")"
grep -qx "a rather long file name, with ümlauts.text" "$W/ls" ||
	fail "ls does not show the Rock Ridge name: $(cat "$W/ls")"
"$DISCCTL" extract "$W/rj.iso" -o "$W/out-rj" 2>"$W/err" ||
	fail "extract: $(cat "$W/err")"
diff -r "$W/src" "$W/out-rj" || fail "Rock Ridge image extracted differently"
[ "$(readlink "$W/out-rj/sub/link")" = ../a.txt ] || fail "symlink lost"
[ "$(stat -c %a "$W/out-rj/a.txt")" = 640 ] || fail "mode lost"
# fsck: no UDF to check; it reads the whole tree and says that is all
"$DISCCTL" fsck "$W/rj.iso" >"$W/fsck" 2>&1 || fail "fsck of an ISO9660 image: $(cat "$W/fsck")"
grep -q "ISO9660 volume without UDF" "$W/fsck" || fail "fsck did not say ISO9660: $(cat "$W/fsck")"
rc=0; "$DISCCTL" fsck --repair "$W/rj.iso" >/dev/null 2>"$W/err" || rc=$?
[ "$rc" != 0 ] && grep -q "nothing this build repairs" "$W/err" || fail "fsck --repair of ISO9660: exit $rc: $(cat "$W/err")"
echo "ok rock ridge"

# directories deeper than 8 levels: Rock Ridge relocates them (CL/RE)
mkdir -p "$W/deep/1/2/3/4/5/6/7/8/9/10"
printf 'bottom\n' >"$W/deep/1/2/3/4/5/6/7/8/9/10/f.txt"
genisoimage -quiet -R -o "$W/deep.iso" "$W/deep" 2>"$W/err" ||
	fail "genisoimage deep: $(cat "$W/err")"
"$DISCCTL" extract "$W/deep.iso" -o "$W/out-deep" 2>"$W/err" ||
	fail "extract deep: $(cat "$W/err")"
diff -r -x rr_moved "$W/deep" "$W/out-deep" || fail "relocated directories differ"
echo "ok relocated directories"

# ---- B: Joliet only (no symlinks there)
rm "$W/src/sub/link"
genisoimage -quiet -J -o "$W/j.iso" "$W/src" 2>"$W/err" ||
	fail "genisoimage -J: $(cat "$W/err")"
"$DISCCTL" extract "$W/j.iso" -o "$W/out-j" 2>"$W/err" ||
	fail "extract Joliet: $(cat "$W/err")"
diff -r "$W/src" "$W/out-j" || fail "Joliet image extracted differently"
echo "ok joliet"

# ---- C: two xorriso sessions, the last one read
mkdir -p "$W/s1" "$W/s2"
printf 'first version\n' >"$W/s1/one.txt"
printf 'stays\n' >"$W/s1/keep.txt"
xorriso -dev "$W/ms.iso" -map "$W/s1" /s1 -commit >"$W/xo" 2>&1 ||
	fail "xorriso session 1: $(cat "$W/xo")"
printf 'second version\n' >"$W/s1/one.txt"
printf 'two\n' >"$W/s2/two.txt"
xorriso -dev "$W/ms.iso" -map "$W/s1" /s1 -map "$W/s2" /s2 -commit >"$W/xo" 2>&1 ||
	fail "xorriso session 2: $(cat "$W/xo")"
xorriso -indev "$W/ms.iso" -toc 2>&1 | grep -q "2 sessions" ||
	fail "xorriso did not append a second session"
"$DISCCTL" extract "$W/ms.iso" -o "$W/out-ms" 2>"$W/err" ||
	fail "extract multi-session: $(cat "$W/err")"
diff -r "$W/s1" "$W/out-ms/s1" || fail "last session's /s1 differs"
diff -r "$W/s2" "$W/out-ms/s2" || fail "last session's /s2 differs"
echo "ok multi-session image"

"$DISCCTL" emu create --media cd-r --capacity 40000 "$W/ms-cdr.img" >/dev/null 2>"$W/err" ||
	fail "emu create: $(cat "$W/err")"
"$DISCCTL" emu time-scale "$W/ms-cdr.img" 0 2>"$W/err" || fail "time-scale: $(cat "$W/err")"
genisoimage -quiet -R -o "$W/sess1.iso" "$W/s1" 2>"$W/err" || fail "session 1: $(cat "$W/err")"
"$DISCCTL" burn "$W/ms-cdr.img" "$W/sess1.iso" >/dev/null 2>"$W/err" ||
	fail "burn session 1: $(cat "$W/err")"
nwa=$("$DISCCTL" info "$W/ms-cdr.img" | sed -n 's/^ *next writable: *//p')
[ -n "$nwa" ] || fail "no next writable address in discctl info"
genisoimage -quiet -R -C "0,$nwa" -M "$W/ms-cdr.img" -o "$W/sess2.iso" "$W/s2" \
	2>"$W/err" || fail "session 2: $(cat "$W/err")"
"$DISCCTL" burn "$W/ms-cdr.img" "$W/sess2.iso" >/dev/null 2>"$W/err" ||
	fail "burn session 2: $(cat "$W/err")"
"$DISCCTL" extract "$W/ms-cdr.img" -o "$W/out-mscd" 2>"$W/err" ||
	fail "extract two-session CD-R: $(cat "$W/err")"
cmp "$W/s2/two.txt" "$W/out-mscd/two.txt" || fail "second session not read"
cmp "$W/s1/one.txt" "$W/out-mscd/one.txt" || fail "first session's file lost"
echo "ok multi-session disc"

# ---- D: mounted read-only from an emulated CD-R
if [ ! -e /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	echo "no FUSE here: mount part skipped"
	exit 0
fi
"$DISCCTL" emu create --media cd-r --capacity 20000 "$W/cdr.img" >/dev/null 2>"$W/err" ||
	fail "emu create: $(cat "$W/err")"
"$DISCCTL" emu time-scale "$W/cdr.img" 0 2>"$W/err" || fail "time-scale: $(cat "$W/err")"
"$DISCCTL" burn "$W/cdr.img" "$W/rj.iso" >/dev/null 2>"$W/err" ||
	fail "burn: $(cat "$W/err")"
"$DISCCTL" ls "$W/cdr.img" /sub >"$W/ls" 2>"$W/err" || fail "ls disc: $(cat "$W/err")"
grep -qx random.bin "$W/ls" || fail "ls of the disc: $(cat "$W/ls")"
mkdir -p "$M"
"$BUILD/discfs" "$W/cdr.img" "$M" -f -o "staging=$W/stg" 2>"$W/daemon.log" &
PID=$!
for _ in $(seq 200); do
	mountpoint -q "$M" && break
	if ! kill -0 "$PID" 2>/dev/null; then
		rc=0; wait "$PID" || rc=$?; PID=""
		fail "discfs exited ($rc): $(cat "$W/daemon.log")"
	fi
	sleep 0.05
done
mountpoint -q "$M" || fail "mount did not appear"
grep -q "ISO9660 disc: mounted read-only" "$W/daemon.log" ||
	fail "no read-only notice: $(cat "$W/daemon.log")"
cmp "$W/src/sub/random.bin" "$M/sub/random.bin" || fail "file differs on the mount"
[ "$(cat "$M/a.txt")" = hello ] || fail "a.txt differs on the mount"
[ -L "$M/sub/link" ] || fail "symlink not shown on the mount"
if echo x 2>"$W/err" >"$M/new.txt"; then fail "a write succeeded"; fi
grep -q "Read-only file system" "$W/err" || fail "write error is not EROFS: $(cat "$W/err")"
if mkdir "$M/newdir" 2>"$W/err"; then fail "mkdir succeeded"; fi
grep -q "Read-only file system" "$W/err" || fail "mkdir error is not EROFS: $(cat "$W/err")"
fusermount3 -u "$M"
wait "$PID" || fail "discfs exited with an error: $(cat "$W/daemon.log")"
PID=""
echo "ok mount read-only"
