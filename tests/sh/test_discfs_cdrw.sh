#!/bin/sh
# tests/sh/test_discfs_cdrw.sh - discfs on an emulated blank CD-RW: the
# first commit formats it for packet writing (FORMAT UNIT 10h, fixed
# packets of the size the drive gives) and writes UDF in place (space
# bitmap, no VAT), like a DVD+RW; later commits rewrite it in place
# (the block device turns every write into whole packets, reading the
# rest of a partly written packet first).
#  1. a tree (modes, symlinks, a hard link, dates, an empty and a big
#     file) copied in with cp -a is committed; the drive then reports one
#     fixed-packet track and no next writable address; after a remount the
#     mount shows exactly what was staged and the source's contents;
#  2. files changed, deleted, renamed, a directory moved, a mode changed:
#     committed; remount: the same;
#  (1 and 2 also on a blank DVD-RW: formatted to restricted overwrite,
#  16-block packets);
#  after every commit `discctl fsck` finds nothing and independent UDF
#  readers (tests/lib/crosscheck.sh) agree with the source, on the image
#  cut at the formatted capacity;
#  3. an in-place commit cut short (the daemon killed before / after the
#     increment, the drive losing power after N writes) loses nothing
#     committed before; committing again gives the expected tree, fsck
#     clean;
#  4. a sparable volume mkudffs made (as Windows does on CD-RW), put on a
#     packet-formatted CD-RW, is continued in place.
set -eu
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "no FUSE here"; exit 77; }
command -v getfattr >/dev/null || { echo "attr tools missing (scripts/deps.sh)"; exit 77; }
for c in udfinfo udfclient python3; do
	command -v $c >/dev/null || { echo "$c missing (scripts/deps.sh)"; exit 77; }
done
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
SRC=$(cd "${DISCFS_SRC:-.}" && pwd)
[ -x "$BUILD/discctl" ] && [ -x "$BUILD/discfs" ] || { echo "not built"; exit 77; }
SCRATCH=discfs-cdrw
. "$SRC/tests/lib/discfs_mount.sh"

listing() ( # type, mode, size, mtime (s), symlink target per name
	cd "$1"
	find . -mindepth 1 -printf '%P %y %m %Ts %l ' -a \( -type d -printf '-\n' -o -printf '%s\n' \) | LC_ALL=C sort
)
medium() { # IMG EXPR: a Python expression on m = the "medium" of info --json
	"$BUILD/discctl" info --json "$1" | python3 -c '
import json, sys
m = json.load(sys.stdin)["medium"]
print(eval(sys.argv[1]))' "$2"
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
status() { getfattr --absolute-names --only-values -n user.discfs.status "$M"; }
check_disc() { # IMG SRCDIR WHAT
	"$BUILD/discctl" fsck "$1" > "$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "$3: fsck"; }
	grep -q ' 0 errors, 0 warnings' "$W/fsck.out" || { cat "$W/fsck.out"; fail "$3: fsck findings"; }
	blocks=$(medium "$1" 'm["capacity_blocks"]')
	cp --sparse=always "$1" "$W/cut.img"
	truncate -s $((blocks * 2048)) "$W/cut.img"
	sh "$SRC/tests/lib/crosscheck.sh" --readers udfinfo,udfclient,udfread \
		"$W/cut.img" "$2" > "$W/cross.out" 2>&1 || symlinks_only "$2" ||
		{ cat "$W/cross.out"; fail "$3: crosscheck"; }
	grep -q 'udfinfo    ok' "$W/cross.out" || { cat "$W/cross.out"; fail "$3: udfinfo"; }
	rm -f "$W/cut.img"
}
commit_and_compare() { # IMG STAGING WHAT
	"$BUILD/discctl" commit "$M" > "$W/commit.out" 2>&1 || { cat "$W/commit.out"; fail "$3: commit"; }
	status | grep -q 'staged: nothing' || fail "$3: something still staged after the commit"
	listing "$M" > "$W/staged.lst"
	unmount_it
	# packet-formatted, written in place: one fixed-packet track, no NWA
	[ "$(medium "$1" '(m["profile_name"], m["formatted"], len(m["tracks"]), m["tracks"][0]["fixed_packet"], m["tracks"][0]["packet_size"], m["next_writable"])')" = \
	  "$WANT_MEDIUM" ] ||
		fail "$3: not formatted for writing in place: $(medium "$1" m)"
	check_disc "$1" "$W/src" "$3"
	mount_it "$1" "$2"
	listing "$M" > "$W/disc.lst"
	diff "$W/staged.lst" "$W/disc.lst" || fail "$3: the disc differs from what was staged"
	diff -r --no-dereference "$W/src" "$M" || fail "$3: contents differ from the source"
	[ "$(stat -c %i "$M/hard1")" = "$(stat -c %i "$M/sub/hard2")" ] || fail "$3: hard link lost"
}
new_disc() { # IMG MEDIA
	rm -f "$1" "$1.state"
	"$BUILD/discctl" emu create --media "$2" --capacity 20000 "$1" > /dev/null
	"$BUILD/discctl" emu time-scale "$1" 0 > /dev/null
}
new_cd_rw() { new_disc "$1" cd-rw; }

# ------------------------------------------------ 1-2: commits, remounts
commits() { # MEDIA
	img="$W/$1.img" stg="$W/$1.stg"
	rm -rf "$W/src"
	mkdir -p "$W/src/sub/deeper" "$W/src/other"
	printf 'first file\n' > "$W/src/one.txt"
	head -c 300000 /dev/urandom > "$W/src/sub/random.bin"
	: > "$W/src/sub/empty"
	printf 'deep\n' > "$W/src/sub/deeper/d.txt"
	ln -s ../one.txt "$W/src/sub/link"
	ln -s /nowhere/at/all "$W/src/dangling"
	printf 'linked\n' > "$W/src/hard1"
	ln "$W/src/hard1" "$W/src/sub/hard2"
	chmod 600 "$W/src/sub/deeper/d.txt"
	chmod 750 "$W/src/other"
	chmod 4755 "$W/src/one.txt"
	touch -d '2001-02-03 04:05:06' "$W/src/one.txt" "$W/src/sub"
	touch -h -d '1999-12-31 23:59:58' "$W/src/sub/link"
	new_disc "$img" "$1"
	[ "$(medium "$img" 'm["disc_status"]')" = blank ] || fail "the new $1 is not blank"

	mount_it "$img" "$stg"
	# the blank disc's size as statfs shows it before anything is staged
	blank_size=$(stat -f -c '%b' "$M")
	cp -a "$W/src/." "$M/"
	commit_and_compare "$img" "$stg" "$1: first commit"
	# ... is what it holds once formatted for writing in place (a CD-RW
	# loses a fifth to its packets' link blocks: promised space must be
	# there, or a commit would fail after cp had succeeded)
	formatted=$(medium "$img" 'm["capacity_blocks"]')
	[ "$blank_size" = "$formatted" ] ||
		fail "$1: blank, statfs showed $blank_size blocks; formatted it holds $formatted"

	for d in "$W/src" "$M"; do
		mkdir "$d/new"
		printf 'new file\n' > "$d/new/n.txt"
		printf 'more\n' >> "$d/one.txt"
		rm "$d/sub/link" "$d/sub/empty"
		mv "$d/sub/random.bin" "$d/random-moved.bin"
		mv "$d/other" "$d/new/other"
		chmod 644 "$d/sub/deeper/d.txt"
		touch -d '2010-01-01 00:00:00' "$d/new/n.txt" "$d/one.txt"
	done
	commit_and_compare "$img" "$stg" "$1: second commit"
	# a third, small change: one block rewritten inside its packet
	for d in "$W/src" "$M"; do printf 'x' > "$d/new/n.txt"; touch -d '2011-01-01' "$d/new/n.txt"; done
	commit_and_compare "$img" "$stg" "$1: third commit"
	unmount_it
	echo "ok: commits on a $1 written in place"
}
WANT_MEDIUM="('CD-RW', True, 1, True, 32, None)" commits cd-rw
WANT_MEDIUM="('DVD-RW restricted overwrite', True, 1, True, 16, None)" commits dvd-rw

# ---------------------------------------- 3: in-place commits cut short
changes() { # DIR: the increment, the same on both sides
	mkdir "$1/added"
	cp "$W/blob" "$1/added/blob.bin"
	printf 'changed\n' >> "$1/keep/a.txt"
	rm "$1/gone.txt"
	mv "$1/old.txt" "$1/keep/new.txt"
	touch -d '2012-12-12 12:12:12' "$1/added/blob.bin" "$1/keep/a.txt"
}
expect_tree() { # WHAT
	diff -r "$W/want" "$M" > "$W/diff" || { cat "$W/diff"; fail "$1: tree differs"; }
}
head -c 200000 /dev/urandom > "$W/blob"
cut_short() { # HOW
	how=$1 img="$W/crash.img" stg="$W/crash.stg"
	rm -rf "$stg" "$W/want" "$W/before"
	mkdir -p "$W/before/keep"
	printf 'a\n' > "$W/before/keep/a.txt"
	head -c 100000 /dev/urandom > "$W/before/keep/big.bin"
	printf 'gone\n' > "$W/before/gone.txt"
	printf 'old\n' > "$W/before/old.txt"
	new_cd_rw "$img"
	mount_it "$img" "$stg" no_commit_on_unmount
	cp -a "$W/before/." "$M/"
	"$BUILD/discctl" commit "$M" > /dev/null || fail "$how: first commit"
	cp -a "$W/before" "$W/want"
	changes "$W/want"
	changes "$M"
	case $how in
	kill-*)
		unmount_it
		DISCFS_CRASH_AT=${how#kill-}
		export DISCFS_CRASH_AT
		mount_it "$img" "$stg" no_commit_on_unmount
		unset DISCFS_CRASH_AT
		"$BUILD/discctl" commit "$M" 2>/dev/null && fail "$how: commit reported success though the daemon died"
		unmount_it ;;
	power-*)
		"$BUILD/discctl" emu fault "$img" "power-loss-after=${how#power-}" > /dev/null
		"$BUILD/discctl" commit "$M" 2>"$W/err" && fail "$how: commit succeeded through a power loss"
		grep -q "stay staged" "$W/err" || fail "$how: unclear error: $(cat "$W/err")"
		unmount_it
		"$BUILD/discctl" emu fault "$img" clear > /dev/null ;;
	esac
	mount_it "$img" "$stg" no_commit_on_unmount
	expect_tree "$how, remounted"
	"$BUILD/discctl" commit "$M" >/dev/null 2>"$W/err" || fail "$how: commit again: $(cat "$W/err")"
	unmount_it
	mount_it "$img" "$stg" no_commit_on_unmount
	status | grep -q "staged: nothing" || fail "$how: still staged: $(status)"
	expect_tree "$how, committed"
	unmount_it
	"$BUILD/discctl" fsck "$img" > "$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "$how: fsck"; }
	grep -q ' 0 errors' "$W/fsck.out" || { cat "$W/fsck.out"; fail "$how: fsck errors"; }
	echo "ok: CD-RW commit cut short: $how"
}
for how in kill-before-commit kill-after-commit power-1 power-3 power-8 power-20 power-40 power-100; do
	cut_short "$how"
done

# ------------------- 4: a CD-RW packet-written by another tool (sparable)
# mkudffs lays out a CD-RW as Windows does: UDF 2.01 on a sparable
# partition (a sparing table, spare packets).  Its volume, put on a CD-RW
# formatted with fixed packets, is continued in place.
if command -v mkudffs >/dev/null; then
	img="$W/sp.img" stg="$W/sp.stg"
	new_cd_rw "$img"
	"$BUILD/discctl" format "emu:$img" > /dev/null || fail "sparable: format"
	truncate -s 16M "$W/mk.udf"
	mkudffs -b 2048 --media-type=cdrw --udfrev=2.01 --label=OTHER "$W/mk.udf" > /dev/null
	dd if="$W/mk.udf" of="$img" bs=2048 conv=notrunc status=none
	rm -rf "$W/src"
	mkdir -p "$W/src/dir"
	printf 'from discfs\n' > "$W/src/a.txt"
	head -c 200000 /dev/urandom > "$W/src/dir/big"
	mount_it "$img" "$stg"
	cp -a "$W/src/." "$M/"
	"$BUILD/discctl" commit "$M" > /dev/null || fail "sparable: commit"
	unmount_it
	mount_it "$img" "$stg"
	diff -r "$W/src" "$M" || fail "sparable: the disc differs from the source"
	printf 'more\n' >> "$W/src/a.txt"; printf 'more\n' >> "$M/a.txt"
	rm "$W/src/dir/big" "$M/dir/big"
	"$BUILD/discctl" commit "$M" > /dev/null || fail "sparable: second commit"
	unmount_it
	mount_it "$img" "$stg"
	diff -r "$W/src" "$M" || fail "sparable: the disc differs after the second commit"
	unmount_it
	"$BUILD/discctl" fsck "$img" > "$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "sparable: fsck"; }
	grep -q ' 0 errors, 0 warnings' "$W/fsck.out" || { cat "$W/fsck.out"; fail "sparable: fsck findings"; }
	udfinfo "$img" 2>/dev/null | grep -q 'STABLE' || fail "sparable: no longer a sparable volume"
	echo "ok: a sparable CD-RW made by mkudffs continued in place"
else
	fail "mkudffs missing (scripts/deps.sh)"
fi
echo "all ok"
