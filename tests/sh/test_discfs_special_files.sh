#!/bin/sh
# tests/sh/test_discfs_special_files.sh - FIFOs, sockets and (as root)
# block and character devices through discfs: staged with mkfifo, bind()
# and mknod, committed to blank emulated discs (BD-R: VAT; DVD+RW: in
# place) as entries without content (a device's numbers in a Device
# Specification EA); after a remount each has its type, mode and numbers;
# renamed and removed in a second commit; fsck finds no error; `discctl
# extract` recreates them.
set -eu
SCRATCH=discfs-special
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "SKIP: no FUSE"; exit 77; }
. "${DISCFS_SRC:-.}/tests/lib/discfs_mount.sh"
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

kinds() { # DIR: "name type major:minor mode" of its special files
	find "$1" -mindepth 1 \( -type p -o -type s -o -type b -o -type c \) \
		-printf '%P %y %m\n' | LC_ALL=C sort | while read -r n y a; do
		echo "$n $y $(stat -c '%t:%T' "$1/$n") $a"
	done
}

# Commits what the mount shows; after fsck and a remount it shows the same.
commit_compare() { # LABEL
	kinds "$M" >"$W/want"
	"$BUILD/discctl" commit "$M" >/dev/null || fail "$1: commit"
	unmount_it
	"$BUILD/discctl" fsck "$img" >"$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "$1: fsck"; }
	mount_it "$img" "$stg"
	kinds "$M" >"$W/got"
	cmp -s "$W/want" "$W/got" || { diff "$W/want" "$W/got"; fail "$1: remounted"; }
}

for media in bd-r dvd+rw; do
	img="$W/$media.img" stg="$W/$media.stg"
	"$BUILD/discctl" emu create --media "$media" --capacity 20000 "$img" >/dev/null
	"$BUILD/discctl" emu time-scale "$img" 0
	mount_it "$img" "$stg"
	mkdir "$M/dev"
	mkfifo -m 640 "$M/dev/pipe"
	python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$M/dev/sock"
	if [ $ROOT = 1 ]; then
		mknod -m 600 "$M/dev/null" c 1 3
		mknod "$M/dev/loop9" b 7 9
	fi
	commit_compare "$media, first commit"
	mv "$M/dev/pipe" "$M/pipe2"
	rm "$M/dev/sock"
	commit_compare "$media, second commit"
	unmount_it
	rm -rf "$W/out"
	"$BUILD/discctl" extract "$img" -o "$W/out" >/dev/null 2>&1 || fail "$media: extract"
	kinds "$W/out" >"$W/got"
	cmp -s "$W/want" "$W/got" || { diff "$W/want" "$W/got"; fail "$media: extracted"; }
	echo "ok: $media"
done
echo "ok"
