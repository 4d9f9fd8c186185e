#!/bin/sh
# tests/sh/test_discfs_xattrs.sh - extended attributes through discfs:
# cp -a of a tree holding user.* attributes (files, directories, the
# root) onto blank emulated discs (BD-R: VAT increments; DVD+RW: in
# place); committed; after a remount every attribute reads back; then one
# replaced, one removed, one added with a mode change, committed and
# remounted: exactly the new set.  An attribute that could not be
# recorded in the file entry is refused when set (ENOSPC), not dropped at
# the commit.  fsck finds no error after each commit.
set -eu
SCRATCH=discfs-xattrs
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "SKIP: no FUSE"; exit 77; }
command -v setfattr >/dev/null || { echo "SKIP: no setfattr (package attr)"; exit 77; }
. "${DISCFS_SRC:-.}/tests/lib/discfs_mount.sh"

dump() { # DIR: user.* attributes of everything below DIR, hex, sorted
	(cd "$1" && getfattr -R -d -m '^user\.' -e hex . 2>/dev/null) |
		awk '/^# file:/ { f = $3; next } NF { print f " " $0 }' | LC_ALL=C sort
}
S="$W/src"
mkdir -p "$S/dir/sub"
printf 'alpha\n' >"$S/a"
head -c 70000 /dev/urandom >"$S/dir/big"
printf 'deep\n' >"$S/dir/sub/c"
setfattr -n user.probe -v 1 "$S/a" 2>/dev/null || { echo "SKIP: $W holds no user xattrs"; exit 77; }
setfattr -x user.probe "$S/a"
setfattr -n user.color -v blue "$S/a"
setfattr -n user.bin -v 0x00ff0001 "$S/dir/big"
setfattr -n user.kind -v folder "$S/dir"
setfattr -n user.empty "$S/dir/sub/c"

for media in bd-r dvd+rw; do
	img="$W/$media.img" stg="$W/$media.stg"
	"$BUILD/discctl" emu create --media "$media" --capacity 20000 "$img" >/dev/null
	"$BUILD/discctl" emu time-scale "$img" 0
	mount_it "$img" "$stg"
	cp -a "$S/." "$M/" || fail "$media: cp -a"
	setfattr -n user.top -v root "$M"
	"$BUILD/discctl" commit "$M" >/dev/null || fail "$media: commit"
	unmount_it
	mount_it "$img" "$stg"
	{ dump "$S"; echo ". user.top=0x726f6f74"; } | LC_ALL=C sort >"$W/want"
	dump "$M" >"$W/got"
	cmp -s "$W/want" "$W/got" || { diff "$W/want" "$W/got"; fail "$media: attributes after the first commit"; }

	setfattr -n user.color -v green "$M/a"
	setfattr -x user.bin "$M/dir/big"
	setfattr -n user.new -v x "$M/dir/sub/c"
	chmod 600 "$M/dir/sub/c"
	head -c 1500 /dev/zero | tr '\0' x >"$W/big"
	if setfattr -n user.huge -v "$(cat "$W/big")" "$M/a" 2>"$W/set.err"; then
		fail "$media: an attribute too big for a file entry was accepted"
	fi
	grep -q "No space left" "$W/set.err" || fail "$media: unclear refusal: $(cat "$W/set.err")"
	"$BUILD/discctl" commit "$M" >/dev/null || fail "$media: second commit"
	unmount_it
	"$BUILD/discctl" fsck "$img" >"$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "$media: fsck"; }
	mount_it "$img" "$stg"
	sed -e 's/^a user.color=.*/a user.color=0x677265656e/' \
	    -e '/^dir\/big user.bin=/d' "$W/want" >"$W/want2"
	echo "dir/sub/c user.new=0x78" >>"$W/want2"
	LC_ALL=C sort -o "$W/want2" "$W/want2"
	dump "$M" >"$W/got"
	cmp -s "$W/want2" "$W/got" || { diff "$W/want2" "$W/got"; fail "$media: attributes after the second commit"; }
	[ "$(stat -c %a "$M/dir/sub/c")" = 600 ] || fail "$media: mode lost"
	cmp -s "$S/dir/big" "$M/dir/big" || fail "$media: content changed"
	unmount_it
	"$BUILD/discctl" fsck "$img" >"$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "$media: fsck"; }
	echo "ok: $media"
done
echo "ok"
