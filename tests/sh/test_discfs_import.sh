#!/bin/sh
# tests/sh/test_discfs_import.sh - `discfs DEV MNT -o import`: an ISO9660
# disc (xorriso -R -J, burnt by `discctl burn --multisession`) gets a new
# UDF session at its first commit (fused/commit_import.h).
# On emulated CD-R, DVD+R, DVD-R and BD-R (time scale 0):
#  1. mounted without -o import: read-only, and the notice names -o import;
#  2. mounted with -o import: the ISO tree (Rock Ridge names, modes,
#     symlink) is writable; a file is added, one changed, one removed, one
#     renamed, a directory made; committed; unmounted;
#  3. the disc: the new session is closed, the disc appendable;
#     `discctl ls -R` lists the expected tree, `discctl fsck`
#     finds no error, a remount (without -o import) shows the expected tree
#     (types, modes, sizes, mtimes to the second, symlink targets) and its
#     contents; udfinfo (udftools) finds the session's volume, its label
#     and the expected counts;
#  4. nothing was copied: the disc grew by far less than the ISO's data;
#  5. a second commit (no -o import) works and reads back; its session
#     starts with a copy of the volume's descriptors, so once the disc is
#     closed (7.) udfinfo, fsck and ls find the volume in the last session.
#  On BD-R, an import cut short (discfs killed after the new session was
#  laid out, before the commit): the disc still shows the ISO tree (the
#  open session is not looked at) with the staged changes, read-only; a
#  mount with -o import commits them.
#  6. -o import on a closed disc and on a rewritable one: a one-line
#     error and a non-zero exit; on a UDF disc it changes nothing.
set -eu
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "no FUSE here"; exit 77; }
command -v getfattr >/dev/null || { echo "attr tools missing (scripts/deps.sh)"; exit 77; }
for c in xorriso udfinfo python3; do
	command -v $c >/dev/null || { echo "$c missing (scripts/deps.sh)"; exit 77; }
done
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
SRC=$(cd "${DISCFS_SRC:-.}" && pwd)
[ -x "$BUILD/discctl" ] && [ -x "$BUILD/discfs" ] || { echo "not built"; exit 77; }
SCRATCH=discfs-import
. "$SRC/tests/lib/discfs_mount.sh"

listing() ( # DIR: type, mode, size (not of directories), mtime, target
	cd "$1"
	find . -mindepth 1 -printf '%P %y %m %Ts %l ' -a \( -type d -printf '-\n' -o -printf '%s\n' \) | LC_ALL=C sort
)
medium() { # IMG KEY: a field of "medium" in discctl info --json
	"$BUILD/discctl" info --json "$1" | python3 -c '
import json, sys
m = json.load(sys.stdin)["medium"]
k = sys.argv[1]
if k == "last_recorded_end":
    print(max(t["last_recorded"] for t in m["tracks"]
              if t["last_recorded"] is not None) + 1)
elif k == "last_session_start":
    print(min(t["start"] for t in m["tracks"]
              if not t["blank"] and t["session"] ==
              max(u["session"] for u in m["tracks"] if not u["blank"])))
else:
    print(m[k])' "$2"
}
new_disc() { # MEDIA IMAGE
	"$BUILD/discctl" emu create --media "$1" --capacity 40000 "$2" >/dev/null
	"$BUILD/discctl" emu time-scale "$2" 0 >/dev/null
}

# The source: 0pad (1 MiB, removed by the changes), 2 MiB of random data,
# a small file with mode 0640 and an old mtime, a subdirectory with a file
# and a symlink, files to change and to remove.
mkdir -p "$W/src/sub"
python3 -c 'import sys; sys.stdout.write("P" * 1048576)' > "$W/src/0pad"
head -c 2097152 /dev/urandom > "$W/src/big.bin"
printf 'hello\n' > "$W/src/hello.txt"
chmod 640 "$W/src/hello.txt"
printf 'deep\n' > "$W/src/sub/deep.txt"
printf 'to change\n' > "$W/src/change.txt"
printf 'to remove\n' > "$W/src/gone.txt"
ln -s ../hello.txt "$W/src/sub/link"
touch -d '2003-04-05 06:07:08' "$W/src/hello.txt" "$W/src/sub/deep.txt"
xorriso -as mkisofs -quiet -R -J -V IMPORTME -o "$W/src.iso" "$W/src" >/dev/null 2>&1 ||
	fail "xorriso"
iso_blocks=$(( $(stat -c %s "$W/src.iso") / 2048 ))

# The changes, made on the expected tree and on the mount alike.
change() { # DIR
	printf 'added\n' > "$1/added.txt"
	mkdir "$1/newdir"
	printf 'new in newdir\n' > "$1/newdir/n.txt"
	printf 'changed, longer than before\n' > "$1/change.txt"
	rm "$1/gone.txt" "$1/0pad"
	mv "$1/sub/deep.txt" "$1/sub/deeper.txt"
	chmod 600 "$1/sub/deeper.txt"
	# the same times on both sides (the listings compare them)
	touch -d '2020-02-02 02:02:02' "$1/added.txt" "$1/newdir/n.txt" \
		"$1/newdir" "$1/change.txt" "$1/sub"
}

# udfinfo (udftools, not ours) on the disc cut where the drive says the
# data ends (the VAT last), told where the last session starts (as Linux
# finds it): the counts of the VAT header must be the expected tree's.
# (tests/lib/crosscheck.sh looks for the anchor at block 256 only, and for
# a VAT volume udfinfo is the one reader it runs, so it is called here.)
udfinfo_agrees() { # IMG EXPECTED-DIR LABEL
	s=$(medium "$1" last_session_start)
	end=$(medium "$1" last_recorded_end)
	cp --sparse=always "$1" "$W/cut.img"
	truncate -s $((end * 2048)) "$W/cut.img"
	udfinfo --startblock="$s" "$W/cut.img" > "$W/udfinfo.out" 2>&1 ||
		{ cat "$W/udfinfo.out"; fail "udfinfo"; }
	rm -f "$W/cut.img"
	nf=$(cd "$2" && find . -mindepth 1 ! -type d | wc -l)
	nd=$(cd "$2" && find . -type d | wc -l)
	for kv in "numfiles=$nf" "numdirs=$nd" "label=$3" "startblock=$s" \
		  "vatblock=$((end - 1))" "accesstype=writeonce"; do
		grep -qx "$kv" "$W/udfinfo.out" || { cat "$W/udfinfo.out"; fail "udfinfo: no $kv"; }
	done
}

for media in cd-r dvd+r dvd-r bd-r; do
	img="$W/$media.img" stg="$W/$media.stg"
	new_disc "$media" "$img"
	"$BUILD/discctl" burn "$img" "$W/src.iso" --multisession >"$W/burn.log" 2>&1 ||
		{ cat "$W/burn.log"; fail "$media: burn"; }
	used_before=$(medium "$img" used_blocks)

	# 1. without -o import: read-only, and the notice says what to do
	FRESH_LOG=1 mount_it "$img" "$stg"
	grep -q 'ISO9660 disc: mounted read-only.*-o import' "$W/daemon.log" ||
		fail "$media: no read-only notice naming -o import"
	if touch "$M/x" 2>/dev/null; then fail "$media: ISO9660 mount is writable"; fi
	unmount_it

	# 2. with -o import: the ISO tree, writable; changes; commit
	rm -rf "$W/exp"
	cp -a "$W/src" "$W/exp"
	mount_it "$img" "$stg" import
	listing "$W/src" > "$W/src.lst"
	listing "$M" > "$W/iso.lst"
	diff "$W/src.lst" "$W/iso.lst" || fail "$media: the imported tree differs from the source"
	change "$W/exp"
	change "$M"
	"$BUILD/discctl" commit "$M" >"$W/commit.out" 2>&1 || { cat "$W/commit.out"; fail "$media: commit"; }
	listing "$M" > "$W/staged.lst"
	unmount_it

	# 3. the disc holds the expected tree, in a closed session (where
	# Linux looks) of a disc still appendable
	[ "$(medium "$img" disc_status)" = appendable ] && [ "$(medium "$img" last_session)" = empty ] ||
		fail "$media: the import session is not closed, or the disc not appendable"
	listing "$W/exp" > "$W/exp.lst"
	diff "$W/exp.lst" "$W/staged.lst" || fail "$media: the mount differs from the expected tree"
	"$BUILD/discctl" ls -R "$img" | LC_ALL=C sort > "$W/ls.out" || fail "$media: discctl ls"
	(cd "$W/exp" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) > "$W/exp.names"
	diff "$W/exp.names" "$W/ls.out" || fail "$media: discctl ls -R differs"
	"$BUILD/discctl" fsck "$img" > "$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "$media: fsck"; }
	grep -q '^error' "$W/fsck.out" && { cat "$W/fsck.out"; fail "$media: fsck errors"; }
	FRESH_LOG=1 mount_it "$img" "$stg"
	grep -q 'read-only' "$W/daemon.log" && fail "$media: the imported disc mounts read-only"
	listing "$M" > "$W/disc.lst"
	diff "$W/exp.lst" "$W/disc.lst" || fail "$media: the disc differs from the expected tree"
	diff -r "$W/exp" "$M" || fail "$media: contents differ"
	udfinfo_agrees "$img" "$W/exp" IMPORTME

	# 4. nothing copied: the disc grew by the new session only
	used_after=$(medium "$img" used_blocks)
	grow=$((used_after - used_before))
	echo "$media: ISO of $iso_blocks blocks; the import commit added $grow blocks"
	[ "$grow" -lt $((iso_blocks / 3)) ] || fail "$media: the disc grew by $grow blocks"

	# 5. a second commit, without -o import
	for d in "$W/exp" "$M"; do
		printf 'second\n' > "$d/second.txt"
		rm "$d/big.bin"
		touch -d '2021-03-03 03:03:03' "$d/second.txt"
	done
	"$BUILD/discctl" commit "$M" >"$W/commit.out" 2>&1 || { cat "$W/commit.out"; fail "$media: second commit"; }
	unmount_it
	mount_it "$img" "$stg"
	listing "$W/exp" > "$W/exp.lst"
	listing "$M" > "$W/disc.lst"
	diff "$W/exp.lst" "$W/disc.lst" || fail "$media: the second commit differs"
	diff -r "$W/exp" "$M" || fail "$media: contents differ after the second commit"
	unmount_it
	"$BUILD/discctl" fsck "$img" > "$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "$media: fsck 2"; }
	grep -q '^error' "$W/fsck.out" && { cat "$W/fsck.out"; fail "$media: fsck errors 2"; }

	# 6a. -o import on a UDF disc changes nothing
	mount_it "$img" "$stg" import
	[ -f "$M/second.txt" ] || fail "$media: -o import on a UDF disc"
	unmount_it

	# 7. closed: the second commit's session, now the last closed one,
	# holds the volume's descriptors too (where Linux looks)
	"$BUILD/discctl" close "$img" > /dev/null 2>&1 || fail "$media: discctl close"
	[ "$(medium "$img" disc_status)" = complete ] || fail "$media: not closed"
	udfinfo_agrees "$img" "$W/exp" IMPORTME
	"$BUILD/discctl" ls -R "$img" | LC_ALL=C sort > "$W/ls.out" || fail "$media: discctl ls (closed)"
	(cd "$W/exp" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) > "$W/exp.names"
	diff "$W/exp.names" "$W/ls.out" || fail "$media: discctl ls -R differs (closed)"
	"$BUILD/discctl" fsck "$img" > "$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "$media: fsck 3"; }
	grep -q '^error' "$W/fsck.out" && { cat "$W/fsck.out"; fail "$media: fsck errors 3"; }
	rm -rf "$img" "$stg"
	echo "ok: $media"
done

# 5b. an import cut short
img="$W/crash.img" stg="$W/crash.stg"
new_disc bd-r "$img"
"$BUILD/discctl" burn "$img" "$W/src.iso" --multisession >/dev/null 2>&1 || fail "crash: burn"
rm -rf "$W/exp"
cp -a "$W/src" "$W/exp"
DISCFS_CRASH_AT=before-commit
export DISCFS_CRASH_AT # for the daemon: killed just before the commit
mount_it "$img" "$stg" import
unset DISCFS_CRASH_AT
change "$W/exp"
change "$M"
listing "$M" > "$W/staged.lst"
"$BUILD/discctl" commit "$M" >/dev/null 2>&1 && fail "crash: the commit was not cut short"
wait "$PID" 2>/dev/null || true
PID=""
fusermount3 -u -z "$M" 2>/dev/null || true
[ "$(medium "$img" last_session)" = incomplete ] || fail "crash: nothing was written"
FRESH_LOG=1 mount_it "$img" "$stg"
grep -q 'ISO9660 disc: mounted read-only' "$W/daemon.log" || fail "crash: not the ISO9660 view"
listing "$M" > "$W/disc.lst"
diff "$W/staged.lst" "$W/disc.lst" || fail "crash: the staged changes are not shown"
unmount_it
mount_it "$img" "$stg" import
"$BUILD/discctl" commit "$M" >"$W/commit.out" 2>&1 || { cat "$W/commit.out"; fail "crash: commit"; }
unmount_it
mount_it "$img" "$stg"
listing "$M" > "$W/disc.lst"
diff "$W/staged.lst" "$W/disc.lst" || fail "crash: the disc differs from what was staged"
diff -r "$W/exp" "$M" || fail "crash: contents differ"
unmount_it
"$BUILD/discctl" fsck "$img" > "$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "crash: fsck"; }
grep -q '^error' "$W/fsck.out" && { cat "$W/fsck.out"; fail "crash: fsck errors"; }
echo "ok: an import cut short is committed by the next mount with -o import"

# 6b. refusals: a closed CD-R, a rewritable DVD+RW, both holding ISO9660
refused() { # IMG WHAT
	rc=0
	"$BUILD/discfs" "$1" "$M" -f -o "staging=$W/refused.stg,import" 2>"$W/err" || rc=$?
	mountpoint -q "$M" && { fusermount3 -u "$M"; fail "$2: mounted"; }
	[ "$rc" != 0 ] || fail "$2: -o import accepted"
	[ "$(wc -l < "$W/err")" = 1 ] || { cat "$W/err"; fail "$2: not a one-line error"; }
	grep -q "$3" "$W/err" || { cat "$W/err"; fail "$2: said $(cat "$W/err")"; }
	echo "ok: $2 refused: $(cat "$W/err")"
}
img="$W/closed.img"
new_disc cd-r "$img"
"$BUILD/discctl" burn "$img" "$W/src.iso" --close >/dev/null 2>&1 || fail "burn --close"
refused "$img" "closed CD-R" "closed"
img="$W/rw.img"
new_disc dvd+rw "$img"
"$BUILD/discctl" format "$img" >/dev/null 2>&1 || fail "format dvd+rw"
"$BUILD/discctl" burn "$img" "$W/src.iso" >"$W/burn.log" 2>&1 || { cat "$W/burn.log"; fail "burn dvd+rw"; }
refused "$img" "DVD+RW" "rewritable"
echo "all ok"
