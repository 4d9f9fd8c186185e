#!/bin/sh
# tests/sh/test_burn_then_discfs.sh - a tree burned with `discctl burn` onto
# a blank write-once disc (CD-R, DVD+R, DVD-R, BD-R; the session closed,
# the disc left appendable, as by default) is added to later with discfs:
# the burned volume's partition runs to the end of the disc, so the next
# commit appends to the same UDF volume (a new session, its VAT referring
# to the data burned before: nothing is copied).  After two commits and a
# remount the mount shows the burned tree plus the changes; fsck finds no
# error; the burned files' blocks were not written again.
set -eu
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "no FUSE here"; exit 77; }
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
[ -x "$BUILD/discctl" ] && [ -x "$BUILD/discfs" ] || { echo "not built"; exit 77; }
SCRATCH=discfs-burnadd
. "$(cd "${DISCFS_SRC:-.}" && pwd)/tests/lib/discfs_mount.sh"

for media in cd-r dvd+r dvd-r bd-r; do
	img="$W/$media.img" stg="$W/$media.stg"
	rm -rf "$W/src"
	mkdir -p "$W/src/photos"
	printf 'burned first\n' > "$W/src/readme"
	head -c 400000 /dev/urandom > "$W/src/photos/big.jpg"
	case $media in cd-r) cap=60000 ;; *) cap=40000 ;; esac
	"$BUILD/discctl" emu create --media "$media" --capacity $cap "$img" > /dev/null
	"$BUILD/discctl" emu time-scale "$img" 0 > /dev/null
	"$BUILD/discctl" burn "emu:$img" "$W/src" > "$W/burn.out" 2>&1 ||
		{ cat "$W/burn.out"; fail "$media: burn"; }
	grep -q 'disc appendable' "$W/burn.out" || { cat "$W/burn.out"; fail "$media: not appendable"; }
	big_at=$("$BUILD/discctl" ls -l "emu:$img" /photos/big.jpg > /dev/null && echo ok)
	[ "$big_at" = ok ] || fail "$media: burned tree unreadable"
	cp "$W/src/photos/big.jpg" "$W/big.orig"
	burned=$("$BUILD/discctl" info "emu:$img" | awk '/^  used:/ { print $2 }')

	# first addition: a file, a directory, a change
	mount_it "emu:$img" "$stg"
	diff -r "$W/src" "$M" || fail "$media: the burned tree differs"
	for d in "$W/src" "$M"; do
		mkdir "$d/added"
		printf 'added later\n' > "$d/added/note"
		printf 'more\n' >> "$d/readme"
	done
	"$BUILD/discctl" commit "$M" > "$W/commit.out" 2>&1 || { cat "$W/commit.out"; fail "$media: commit"; }
	unmount_it
	# second addition, after a remount
	mount_it "emu:$img" "$stg"
	diff -r "$W/src" "$M" || fail "$media: the disc differs after the first addition"
	for d in "$W/src" "$M"; do
		rm "$d/added/note"
		printf 'second\n' > "$d/second"
	done
	"$BUILD/discctl" commit "$M" > "$W/commit.out" 2>&1 || { cat "$W/commit.out"; fail "$media: second commit"; }
	unmount_it
	mount_it "emu:$img" "$stg"
	diff -r "$W/src" "$M" || fail "$media: the disc differs after the second addition"
	unmount_it
	"$BUILD/discctl" fsck "emu:$img" > "$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "$media: fsck"; }
	grep -q ' 0 errors' "$W/fsck.out" || { cat "$W/fsck.out"; fail "$media: fsck errors"; }
	rm -rf "$W/out"
	"$BUILD/discctl" extract "emu:$img" /photos -o "$W/out" > /dev/null 2>&1 ||
		fail "$media: extract"
	cmp "$W/big.orig" "$W/out/big.jpg" || fail "$media: the burned file changed"
	used=$("$BUILD/discctl" info "emu:$img" | awk '/^  used:/ { print $2 }')
	# two small increments: never the 196 blocks of big.jpg again
	[ $((used - burned)) -lt 100 ] || fail "$media: $((used - burned)) blocks appended"
	echo "ok: $media: burned $burned blocks, then added to twice: $used used"
	rm -rf "$stg" "$img"
done
echo "all ok"
