#!/bin/sh
# tests/sh/test_discfs_incremental.sh - every commit through discfs is an
# increment of the UDF update engine (fused/commit_update.h).
# On emulated blank CD-R, DVD+R, DVD-R, BD-R, DVD+RW, BD-RE and CD-RW, and
# a BD-RE holding a mastered UDF 2.50 volume with a metadata partition:
#  1. a tree copied in with cp -a (files, an empty file, a symlink, a
#     file with three hard links in three directories) is committed onto
#     the blank disc; after a remount the mount shows exactly what was
#     staged (names, types, sizes, modes, mtimes to the second, symlink
#     targets), the contents of the source, and its hard links (the names
#     of one file share an inode number and its link count);
#  2. then names are added, a file changed, a symlink removed, a directory
#     and a file renamed, two files swapped, a directory moved away and
#     one of its files moved back into a new directory of the old name, a
#     mode changed, a committed (and changed, renamed) file hard-linked;
#     committed; remount: the same;
#  3. one name of each linked file removed (the other names keep the
#     data); committed; remount: the same;
#  3. after every commit `discctl fsck` finds no error and independent UDF
#     readers (tests/lib/crosscheck.sh) agree with the source tree, on the
#     image cut where the drive says the disc ends;
#     (a blank CD-RW is formatted with fixed packets and written in place)
#  4. on write-once media a one-file change appends a few blocks only (NWA
#     before/after, from `discctl info --json`).
set -eu
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "no FUSE here"; exit 77; }
command -v getfattr >/dev/null || { echo "attr tools missing (scripts/deps.sh)"; exit 77; }
for c in udfinfo udfclient python3; do
	command -v $c >/dev/null || { echo "$c missing (scripts/deps.sh)"; exit 77; }
done
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
SRC=$(cd "${DISCFS_SRC:-.}" && pwd)
[ -x "$BUILD/discctl" ] && [ -x "$BUILD/discfs" ] || { echo "not built"; exit 77; }
SCRATCH=discfs-incr
. "$SRC/tests/lib/discfs_mount.sh"
# What a tree looks like: type, mode, size (not of directories), mtime in
# seconds (UDF keeps microseconds), symlink target; one line per name.
listing() (
	cd "$1"
	find . -mindepth 1 -printf '%P %y %m %Ts %l ' -a \( -type d -printf '-\n' -o -printf '%s\n' \) | LC_ALL=C sort
)
medium() { # IMG KEY: a field of "medium" in discctl info --json
	"$BUILD/discctl" info --json "$1" | python3 -c '
import json, sys
m = json.load(sys.stdin)["medium"]
k = sys.argv[1]
if k == "last_recorded_end":  # where a drive says the recorded data ends
    print(max(t["last_recorded"] for t in m["tracks"]
              if t["last_recorded"] is not None) + 1)
else:
    print(m[k])' "$2"
}
# crosscheck.sh leaves symlinks out of the source's manifest, while
# udfclient and libudfread list a symlink of a plain volume as a file: a
# failure whose only mismatches are EXTRA names that are symlinks in the
# source is that, and nothing else (the remount listing checks symlinks).
symlinks_only() { # SRCDIR
	grep 'FAIL' "$W/cross.out" | grep -Ev 'FAIL [0-9]+ mismatches$|RESULT FAIL$' && return 1
	grep -E '^    (MISSING|DIFFERS|EXTRA)' "$W/cross.out" | while read -r what p; do
		[ "$what" = EXTRA ] && [ -L "$1/$p" ] || exit 1
	done
}
# Hard links of a tree: "nlink name name..." per file with several names.
links_of() (
	cd "$1"
	find . -type f -links +1 -printf '%i %n %P\n' | LC_ALL=C sort -k3 |
		awk '{ g[$1] = g[$1] " " $3; n[$1] = $2 } END { for (i in g) print n[i] g[i] }' |
		LC_ALL=C sort
)
check_disc() { # IMG MEDIA SRCDIR
	"$BUILD/discctl" fsck "$1" > "$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "$2: fsck"; }
	grep -q '^error' "$W/fsck.out" && { cat "$W/fsck.out"; fail "$2: fsck errors"; }
	case $2 in
	cd-r|dvd+r|dvd-r|bd-r) blocks=$(medium "$1" last_recorded_end); readers=udfinfo,udfclient ;;
	*) blocks=$(medium "$1" capacity_blocks); readers=udfinfo,udfclient,udfread ;;
	esac
	cp --sparse=always "$1" "$W/cut.img"
	truncate -s $((blocks * 2048)) "$W/cut.img"
	sh "$SRC/tests/lib/crosscheck.sh" --readers "$readers" "$W/cut.img" "$3" \
		> "$W/cross.out" 2>&1 || symlinks_only "$3" || { cat "$W/cross.out"; fail "$2: crosscheck"; }
	rm -f "$W/cut.img"
}
commit_and_compare() { # IMG STAGING MEDIA
	"$BUILD/discctl" commit "$M" > "$W/commit.out" 2>&1 || { cat "$W/commit.out"; fail "$3: commit"; }
	getfattr --absolute-names --only-values -n user.discfs.status "$M" | grep -q 'staged: nothing' ||
		fail "$3: something still staged after the commit"
	listing "$M" > "$W/staged.lst"
	unmount_it
	check_disc "$1" "$3" "$W/src"
	mount_it "$1" "$2"
	listing "$M" > "$W/disc.lst"
	diff "$W/staged.lst" "$W/disc.lst" || fail "$3: the disc differs from what was staged"
	diff -r "$W/src" "$M" || fail "$3: contents differ from the source"
	links_of "$W/src" > "$W/src.links"
	links_of "$M" > "$W/disc.links"
	diff "$W/src.links" "$W/disc.links" || fail "$3: hard links differ from the source"
}

for media in cd-r dvd+r dvd-r bd-r dvd+rw bd-re cd-rw bd-re-meta; do
	img="$W/$media.img" stg="$W/$media.stg"
	rm -rf "$W/src"
	mkdir -p "$M" "$W/src/sub/deeper" "$W/src/other"
	printf 'first file\n' > "$W/src/one.txt"
	head -c 150000 /dev/urandom > "$W/src/sub/random.bin"
	: > "$W/src/sub/empty"
	printf 'deep\n' > "$W/src/sub/deeper/d.txt"
	ln -s ../one.txt "$W/src/sub/link"
	printf 'linked\n' > "$W/src/hard1"
	printf 'p\n' > "$W/src/p.txt"
	printf 'q\n' > "$W/src/q.txt"
	mkdir "$W/src/box"
	printf 'in box\n' > "$W/src/box/item"
	printf 'stays\n' > "$W/src/box/stays"
	ln "$W/src/hard1" "$W/src/sub/hard2"
	ln "$W/src/hard1" "$W/src/other/hard3"
	chmod 600 "$W/src/sub/deeper/d.txt"
	chmod 750 "$W/src/other"
	touch -d '2001-02-03 04:05:06' "$W/src/one.txt" "$W/src/sub"
	case $media in cd-r|cd-rw) cap=20000 ;; *) cap=40000 ;; esac
	"$BUILD/discctl" emu create --media "${media%-meta}" --capacity $cap "$img" > /dev/null
	"$BUILD/discctl" emu time-scale "$img" 0 > /dev/null
	if [ "$media" = bd-re-meta ]; then
		# a BD-RE holding an empty UDF 2.50 volume with a metadata
		# partition and mirror, as mkimage (and Windows) lay it out
		"$BUILD/discctl" format "emu:$img" > /dev/null || fail "$media: format"
		fcap=$(medium "$img" capacity_blocks)
		mkdir -p "$W/empty"
		"$BUILD/discctl" mkimage "$W/empty" -o "$W/meta.udf" --media bd-re \
			--size "$fcap" > /dev/null || fail "$media: mkimage --size $fcap"
		dd if="$W/meta.udf" of="$img" bs=2048 conv=sparse,notrunc status=none
		rm -f "$W/meta.udf"
	fi

	# 1. first commit onto the blank disc
	mount_it "$img" "$stg"
	cp -a "$W/src/." "$M/"
	commit_and_compare "$img" "$stg" "$media"

	# 2. add, change, remove, rename, chmod - the same on both sides
	for d in "$W/src" "$M"; do
		mkdir "$d/new"
		printf 'new file\n' > "$d/new/n.txt"
		printf 'more\n' >> "$d/one.txt"
		rm "$d/sub/link"
		mv "$d/sub" "$d/moved"
		mv "$d/other" "$d/new/other"
		mv "$d/one.txt" "$d/two.txt"
		chmod 644 "$d/moved/deeper/d.txt"
		touch -d '2010-01-01 00:00:00' "$d/new/n.txt"
		mv "$d/p.txt" "$d/swap"; mv "$d/q.txt" "$d/p.txt"; mv "$d/swap" "$d/q.txt"
		mv "$d/box" "$d/box2"; mkdir "$d/box"; mv "$d/box2/item" "$d/box/item"
		ln "$d/two.txt" "$d/new/two-link"
	done
	commit_and_compare "$img" "$stg" "$media"
	[ "$(stat -c %h "$M/new/two-link")" = 2 ] || fail "$media: ln of a committed file"

	# 3. one name of each linked file goes; the others keep the data
	for d in "$W/src" "$M"; do
		rm "$d/moved/hard2" "$d/two.txt"
	done
	commit_and_compare "$img" "$stg" "$media"
	[ "$(stat -c %h "$M/hard1")" = 2 ] && [ "$(stat -c %h "$M/new/two-link")" = 1 ] ||
		fail "$media: link counts after rm"

	# 4. a one-file change appends few blocks on write-once media
	case $media in dvd+r|dvd-r|bd-r)
		before=$(medium "$img" next_writable)
		printf 'x\n' >> "$W/src/new/n.txt"
		printf 'x\n' >> "$M/new/n.txt"
		commit_and_compare "$img" "$stg" "$media"
		after=$(medium "$img" next_writable)
		# its data, its file entry, the VAT ICB (3 measured); a margin
		# for VAT blocks
		grow=$((after - before))
		echo "$media: one-file change appended $grow blocks"
		[ "$grow" -gt 0 ] && [ "$grow" -le 16 ] || fail "$media: appended $grow blocks"
	esac
	unmount_it
	rm -rf "$stg" "$img"
	echo "ok: $media"
done
echo "all media ok"
