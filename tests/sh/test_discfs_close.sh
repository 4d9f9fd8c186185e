#!/bin/sh
# tests/sh/test_discfs_close.sh - `discctl close` and -o close_on_unmount.
#  A. On emulated DVD+R, BD-R and CD-R (time scale 0, small): mount, copy a
#     tree, commit, `discctl close MOUNTPOINT`: the mount turns read-only
#     (status says so); after unmounting, `discctl info` says complete,
#     `discctl ls`/`extract` give the tree back, independent readers
#     (tests/lib/crosscheck.sh: udfinfo, udfclient, libudfread; 7-Zip
#     reads no VAT volume) agree with the source; writes, appends and
#     renames fail with EROFS; mounting again is read-only with a
#     one-line notice; `discctl close` again (image or mount) says the disc
#     is already closed, exit 6.
#  B. `discctl close IMAGE` on a disc burnt by `discctl burn` (appendable,
#     multisession): complete afterwards, the burnt data reads back.
#  C. `discctl close IMAGE` on DVD+RW: success, nothing to finalize; on a
#     blank disc: a clear refusal.
#  D. -o close_on_unmount: the unmount commits and closes.
set -eu
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "no FUSE here"; exit 77; }
command -v getfattr >/dev/null || { echo "attr tools missing (scripts/deps.sh)"; exit 77; }
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
SRC=$(cd "${DISCFS_SRC:-.}" && pwd)
[ -x "$BUILD/discctl" ] && [ -x "$BUILD/discfs" ] || { echo "discctl/discfs not built"; exit 77; }
SCRATCH=discfs-close FRESH_LOG=1 STRICT_UNMOUNT=1
. "$SRC/tests/lib/discfs_mount.sh"
status() { getfattr --absolute-names --only-values -n user.discfs.status "$M"; }
new_disc() { # MEDIA IMAGE [CAPACITY]
	"$BUILD/discctl" emu create --media "$1" --capacity "${3:-20000}" "$2" >/dev/null
	"$BUILD/discctl" emu time-scale "$2" 0
}
info_has() { # IMAGE PATTERN
	"$BUILD/discctl" info "$1" >"$W/info.log" 2>&1 || { cat "$W/info.log"; fail "discctl info $1"; }
	grep -q "$2" "$W/info.log" || { sed -n '/Medium/,$p' "$W/info.log"; fail "info of $1 lacks '$2'"; }
}
tree_back() { # IMAGE: ls and extract give the source tree back
	"$BUILD/discctl" ls "$1" -R >"$W/ls.log" 2>&1 || { cat "$W/ls.log"; fail "discctl ls $1"; }
	grep -qx "sub/deeper/d.txt" "$W/ls.log" || { cat "$W/ls.log"; fail "ls of $1 lacks a file"; }
	rm -rf "$W/out"
	"$BUILD/discctl" extract "$1" -o "$W/out" >/dev/null 2>&1 || fail "discctl extract $1"
	diff -r "$W/src" "$W/out" >/dev/null || fail "extracted tree of $1 differs"
}
readers() { # IMAGE: independent readers on the disc's data
	# (CD TAO: the run-out and pregap between tracks are unreadable and
	# come back zero-filled, which read reports with a non-zero exit)
	"$BUILD/discctl" read "$1" --disc -o "$W/disc-data.img" >"$W/read.log" 2>&1 ||
		grep -q "with unreadable blocks" "$W/read.log" ||
		{ cat "$W/read.log"; fail "discctl read $1"; }
	# the project's own check with readers nobody here wrote (udfinfo,
	# udfclient, libudfread, 7-Zip with its known VAT limit applied)
	sh "$SRC/tests/lib/crosscheck.sh" --readers udfinfo,7z,udfclient,udfread \
		"$W/disc-data.img" "$W/src" >"$W/crosscheck.log" 2>&1 ||
		{ cat "$W/crosscheck.log"; fail "independent readers on the closed disc $1"; }
}

mkdir -p "$M" "$W/src/sub/deeper"
printf 'first file\n' >"$W/src/one.txt"
head -c 150000 /dev/urandom >"$W/src/sub/random.bin"
printf 'deep\n' >"$W/src/sub/deeper/d.txt"

# ---- A: close through the mount, per write-once medium
for media in dvd+r bd-r cd-r; do
	D="$W/$media.img"
	new_disc "$media" "$D"
	mount_it "$D" "$W/stg-$media"
	cp -a "$W/src/." "$M/"
	"$BUILD/discctl" commit "$M" || fail "$media: commit: $(status)"
	"$BUILD/discctl" close "$M" >"$W/out.log" 2>&1 || { cat "$W/out.log"; fail "$media: close of the mount: $(status)"; }
	grep -q "closed" "$W/out.log" || fail "$media: close printed nothing useful"
	status | grep -q "closed (finalized)" || fail "$media: status after close: $(status)"
	status | grep -q "read-only" || fail "$media: status does not say read-only: $(status)"
	err=$( (echo x >"$M/late.txt") 2>&1 ) && fail "$media: a write after the close succeeded"
	echo "$err" | grep -q "Read-only file system" || fail "$media: write after the close is not EROFS: $err"
	# (dd, not echo: dash's echo reports every failed write as an I/O error)
	err=$(printf x | dd of="$M/one.txt" oflag=append conv=notrunc 2>&1) &&
		fail "$media: appending after the close succeeded"
	echo "$err" | grep -q "Read-only file system" || fail "$media: append after the close is not EROFS: $err"
	err=$(mv "$M/one.txt" "$M/two.txt" 2>&1) && fail "$media: a rename after the close succeeded"
	echo "$err" | grep -q "Read-only file system" || fail "$media: rename after the close is not EROFS: $err"
	"$BUILD/discctl" commit "$M" 2>/dev/null && fail "$media: a commit after the close succeeded"
	cmp -s "$W/src/sub/random.bin" "$M/sub/random.bin" || fail "$media: files after the close"
	unmount_it
	info_has "$D" "disc status: *complete"
	tree_back "$D"
	readers "$D"
	# Mounting again: read-only with a notice, not refused.
	mount_it "$D" "$W/stg-$media"
	grep -q "closed (finalized) disc: mounted read-only" "$W/daemon.log" ||
		fail "$media: no read-only notice at mount: $(cat "$W/daemon.log")"
	[ "$(cat "$M/sub/deeper/d.txt")" = deep ] || fail "$media: file on the read-only mount"
	err=$( (echo x >"$M/late.txt") 2>&1 ) && fail "$media: write on a closed disc's mount succeeded"
	echo "$err" | grep -q "Read-only file system" || fail "$media: write error is not EROFS: $err"
	rc=0; "$BUILD/discctl" close "$M" 2>"$W/err" || rc=$?
	[ "$rc" = 6 ] || fail "$media: close of a closed mount: exit $rc"
	grep -q "already closed" "$W/err" || fail "$media: close of a closed mount: $(cat "$W/err")"
	unmount_it
	rc=0; "$BUILD/discctl" close "$D" 2>"$W/err" || rc=$?
	[ "$rc" = 6 ] || fail "$media: second close exit $rc"
	grep -q "the disc is already closed" "$W/err" || fail "$media: second close said: $(cat "$W/err")"
	echo "ok: $media closed through the mount"
done

# ---- B: a multisession disc burnt by discctl burn
for media in dvd+r cd-r; do
	D="$W/burnt-$media.img"
	new_disc "$media" "$D"
	"$BUILD/discctl" burn "$D" "$W/src" >"$W/burn.log" 2>&1 || { cat "$W/burn.log"; fail "$media: burn"; }
	info_has "$D" "disc status: *appendable"
	"$BUILD/discctl" close "$D" >/dev/null 2>"$W/err" || fail "$media: close of a burnt disc: $(cat "$W/err")"
	info_has "$D" "disc status: *complete"
	tree_back "$D"
	echo "ok: $media burnt multisession disc closed"
done

# ---- C: rewritable (nothing to finalize) and blank
D="$W/rw.img"
new_disc dvd+rw "$D"
"$BUILD/discctl" format "$D" >/dev/null 2>&1 || fail "format dvd+rw"
"$BUILD/discctl" close "$D" >/dev/null 2>"$W/err" || fail "close of a DVD+RW: $(cat "$W/err")"
D="$W/blank.img"
new_disc bd-r "$D"
rc=0; "$BUILD/discctl" close "$D" 2>"$W/err" || rc=$?
[ "$rc" = 6 ] && grep -q "blank" "$W/err" || fail "close of a blank disc: exit $rc, $(cat "$W/err")"
rc=0; "$BUILD/discctl" close /tmp 2>"$W/err" || rc=$?
[ "$rc" = 2 ] && grep -q "not the root of a discfs mount" "$W/err" || fail "close of a plain directory: exit $rc"
rc=0; "$BUILD/discctl" close "$W/no-such.img" 2>"$W/err" || rc=$?
[ "$rc" != 0 ] && [ "$(wc -l <"$W/err")" = 1 ] || fail "close of a missing image: exit $rc, $(cat "$W/err")"
echo "ok: rewritable and blank"

# ---- D: close_on_unmount
D="$W/cou.img"
new_disc dvd+r "$D"
mount_it "$D" "$W/stg-cou" close_on_unmount
cp -a "$W/src/." "$M/"
unmount_it
info_has "$D" "disc status: *complete"
tree_back "$D"
# and off by default: an unmount leaves the disc appendable
D="$W/default.img"
new_disc dvd+r "$D"
mount_it "$D" "$W/stg-default"
cp -a "$W/src/." "$M/"
unmount_it
info_has "$D" "disc status: *appendable"
echo "ok: close_on_unmount"
echo ok
