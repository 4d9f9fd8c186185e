#!/bin/sh
# tests/sh/test_discfs_crash_incremental.sh - an incremental commit cut
# short through the daemon.  A disc holds a committed tree; then names are
# added, a file changed, one removed, files and directories renamed and
# linked (changes()), and the commit is cut short: the daemon killed (-9)
# before or after the increment is written, or the emulated drive losing
# power after N writes.  After a remount
# everything committed before is intact and the staged changes are shown
# (committed or still staged); committing again and remounting shows the
# expected tree read from the disc, and `discctl fsck` finds no error.
# Media: BD-R and DVD+R (VAT increments); DVD+RW and BD-RE (in place).
# On the rewritable media the power is cut after every write of the
# commit in turn (1, 2, ... until the commit gets through), with a smaller
# file so the sweep stays short: the in-place phase (file entries
# rewritten, bitmap, LVID) leaves the disc partly old and partly committed,
# and the staged changes must still be shown (replayed over it), also at a
# second mount, and after the next commit is cut too.  Last, names moved
# both ways between two directories (a file moved up out of keep/ while
# another moves into it): every cut recovers too.  Should a remount ever
# refuse, the staged changes must be kept.
set -eu
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "no FUSE here"; exit 77; }
command -v getfattr >/dev/null || { echo "attr tools missing (scripts/deps.sh)"; exit 77; }
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
[ -x "$BUILD/discctl" ] && [ -x "$BUILD/discfs" ] || { echo "not built"; exit 77; }
W=$(mktemp -d /tmp/discfs-crashinc.XXXXXX)
M="$W/mnt"
PID=""
cleanup() {
	fusermount3 -u -z "$M" 2>/dev/null || true
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -5 "$W/daemon.log" 2>/dev/null; exit 1; }

mount_it() { # IMG STAGING [ENV]
	env ${3:-} "$BUILD/discfs" "$1" "$M" -f -o "staging=$2,no_commit_on_unmount" 2>>"$W/daemon.log" &
	PID=$!
	for _ in $(seq 200); do
		mountpoint -q "$M" && return 0
		kill -0 "$PID" 2>/dev/null || fail "discfs exited"
		sleep 0.05
	done
	fail "mount did not appear"
}
# As mount_it, but returns 1 (mount.err says why) when discfs refuses.
mount_or_refused() { # IMG STAGING
	"$BUILD/discfs" "$1" "$M" -f -o "staging=$2,no_commit_on_unmount" 2>"$W/mount.err" &
	PID=$!
	for _ in $(seq 200); do
		mountpoint -q "$M" && return 0
		if ! kill -0 "$PID" 2>/dev/null; then
			wait "$PID" 2>/dev/null || true
			PID=""
			return 1
		fi
		sleep 0.05
	done
	fail "mount did not appear"
}
unmount_it() {
	fusermount3 -u "$M" 2>/dev/null || fusermount3 -u -z "$M" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=""
}
status() { getfattr --absolute-names --only-values -n user.discfs.status "$M"; }
changes() { # DIR: the increment, the same on both sides
	mkdir "$1/added"
	cp "$W/blob" "$1/added/blob.bin"
	printf 'changed\n' >> "$1/keep/a.txt"
	rm "$1/gone.txt"
	[ "$upmove" = 2 ] || mv "$1/old.txt" "$1/keep/new.txt"
	# an older file moved into a new directory, a hard link, a name that
	# changes type, a symbolic link, a new directory renamed and a file
	# moved out of it; with upmove, an older file moved up out of keep/
	# (a cycle with old.txt moving in).  Not (an in-place engine gap,
	# udf/update.h order): an older directory moved (its ".." rewritten
	# before the parent that names it).
	mv "$1/moved.txt" "$1/added/moved.txt"
	[ "$upmove" = 0 ] || mv "$1/keep/big.bin" "$1/big.bin"
	[ "$dirmove" = 0 ] || mv "$1/olddir" "$1/keep/olddir"
	ln "$1/keep/a.txt" "$1/keep/a-link.txt"
	mkdir "$1/gone.txt"
	ln -s keep/a.txt "$1/sym"
	mkdir "$1/tmpd"
	printf 'hi\n' > "$1/tmpd/f"
	mv "$1/tmpd" "$1/final"
	mv "$1/final/f" "$1/keep/f2"
	touch -d '2012-12-12 12:12:12' "$1/added/blob.bin" "$1/keep/a.txt"
}
expect_tree() { # WHAT
	diff -r "$W/want" "$M" > "$W/diff" || { cat "$W/diff"; fail "$1: tree differs"; }
}

mkdir -p "$M"
run() { # MEDIA HOW
	media=$1 how=$2
	img="$W/$media.img" stg="$W/$media.stg"
	rm -rf "$img" "$img.state" "$stg" "$W/want" "$W/before"
	mkdir -p "$W/before/keep"
	printf 'a\n' > "$W/before/keep/a.txt"
	head -c 100000 /dev/urandom > "$W/before/keep/big.bin"
	printf 'gone\n' > "$W/before/gone.txt"
	printf 'old\n' > "$W/before/old.txt"
	printf 'moved\n' > "$W/before/moved.txt"
	mkdir -p "$W/before/olddir/sub"
	printf 'inner\n' > "$W/before/olddir/sub/inner.txt"
	head -c "$blob_size" /dev/urandom > "$W/blob"
	"$BUILD/discctl" emu create --media "$media" --capacity 30000 "$img" > /dev/null
	"$BUILD/discctl" emu time-scale "$img" 0 > /dev/null
	mount_it "$img" "$stg"
	cp -a "$W/before/." "$M/"
	"$BUILD/discctl" commit "$M" > /dev/null || fail "$media: first commit"
	cp -a "$W/before" "$W/want"
	changes "$W/want"
	changes "$M"
	case $how in
	kill-*)
		unmount_it
		mount_it "$img" "$stg" "DISCFS_CRASH_AT=${how#kill-}"
		"$BUILD/discctl" commit "$M" 2>/dev/null && fail "$media $how: commit reported success though the daemon died"
		unmount_it ;;
	power-*)
		"$BUILD/discctl" emu fault "$img" "power-loss-after=${how#power-}"
		if "$BUILD/discctl" commit "$M" 2>"$W/err" >/dev/null; then
			# a sweep ends when the commit needs fewer writes
			[ "$sweep" = 1 ] || fail "$media $how: commit succeeded through a power loss"
			through=1
		else
			grep -q "stay staged" "$W/err" || fail "$media $how: unclear error: $(cat "$W/err")"
		fi
		unmount_it
		"$BUILD/discctl" emu fault "$img" clear > /dev/null ;;
	esac
	if [ "$repaircut" = 1 ]; then
		# the mount repairs the disc, then dies before the store has
		# recorded how it replayed over it: the mark says so
		env DISCFS_CRASH_AT=after-repair "$BUILD/discfs" "$img" "$M" -f \
			-o "staging=$stg,no_commit_on_unmount" 2>>"$W/daemon.log" &&
			fail "$media $how: discfs lived past its crash point"
		mountpoint -q "$M" && fail "$media $how: mounted though killed"
		[ -e "$stg/repairing" ] || fail "$media $how: no repair mark left"
	fi
	# a mark left by a mount that died before it repaired anything
	[ "$stalemark" = 1 ] && : > "$stg/repairing"
	if [ "$upmove" = 1 ] || [ "$dirmove" = 1 ]; then
		sum=$(cksum < "$stg/journal")
		if ! mount_or_refused "$img" "$stg"; then
			grep -q "does not give back the staged tree ('big.bin' is missing)" "$W/mount.err" ||
				fail "$media $how: refused unclearly: $(cat "$W/mount.err")"
			[ "$(cksum < "$stg/journal")" = "$sum" ] ||
				fail "$media $how: the refused mount changed the staged changes"
			# the volume reads as closed now: refused again, not
			# taken for a finished commit
			! mount_or_refused "$img" "$stg" &&
				grep -q "does not give back the staged tree" "$W/mount.err" &&
				[ "$(cksum < "$stg/journal")" = "$sum" ] ||
				fail "$media $how: the second mount did not refuse the same way"
			refused=$((refused + 1))
			echo "ok: $media $how: refused, the changes kept"
			return 0
		fi
	else
		mount_it "$img" "$stg"
	fi
	expect_tree "$media $how, remounted"
	[ -e "$stg/repairing" ] && fail "$media $how: the repair mark outlived the mount"
	# and again: the volume reads as put in order by now (rewritable: the
	# LVID closed; write-once: the last VAT copied to the end), which
	# must not pass for a finished commit
	unmount_it
	mount_it "$img" "$stg"
	expect_tree "$media $how, remounted twice"
	# the disc was partly committed: the journal was replayed over it
	[ -e "$stg/tolerated" ] && tolerated=$((tolerated + 1))
	if [ -n "$second" ]; then # the commit after the replay is cut too
		"$BUILD/discctl" emu fault "$img" "power-loss-after=$second"
		"$BUILD/discctl" commit "$M" >/dev/null 2>&1 && through=1
		unmount_it
		"$BUILD/discctl" emu fault "$img" clear > /dev/null
		mount_it "$img" "$stg"
		expect_tree "$media $how, then cut after $second"
	fi
	"$BUILD/discctl" commit "$M" 2>"$W/err" || fail "$media $how: commit again: $(cat "$W/err")"
	unmount_it
	mount_it "$img" "$stg"
	status | grep -q "staged: nothing" || fail "$media $how: still staged: $(status)"
	expect_tree "$media $how, committed"
	unmount_it
	"$BUILD/discctl" fsck "$img" > "$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "$media $how: fsck"; }
	echo "ok: $media $how"
}
sweep=0 through=0 blob_size=300000 tolerated=0 upmove=0 dirmove=0 second=""
repaircut=0 stalemark=0
for media in bd-r dvd+r; do
	for how in kill-before-commit kill-after-commit power-1 power-5 power-40 power-150; do
		run "$media" "$how"
	done
done
for media in dvd+rw bd-re; do
	for how in kill-before-commit kill-after-commit power-40; do
		run "$media" "$how"
	done
	sweep=1 through=0 blob_size=20000 n=1 tolerated=0
	while [ "$through" = 0 ]; do
		[ "$n" -le 1000 ] || fail "$media: the commit never got through"
		run "$media" "power-$n"
		n=$((n + 1))
	done
	[ "$n" -gt 10 ] || fail "$media: the commit got through after $((n - 2)) writes: nothing swept"
	# the cuts inside the in-place phase (file entries rewritten)
	[ "$tolerated" -ge 3 ] || fail "$media: only $tolerated cut(s) left a partly committed disc"
	echo "ok: $media cut after each of the commit's $((n - 2)) writes ($tolerated partly committed)"
	writes=$((n - 2))
	sweep=0 blob_size=300000
done
# A cut in the in-place phase (the small file: the sweep's count of
# writes holds), then the commit after the tolerant replay cut after
# every 2nd of its writes: each replay starts from what the last found.
first=$((writes - 3)) second=1 through=0 blob_size=20000 tolerated=0
while [ "$through" = 0 ]; do
	[ "$second" -le 1000 ] || fail "bd-re: the second commit never got through"
	run bd-re "power-$first"
	second=$((second + 2))
done
[ "$tolerated" -ge 1 ] || fail "bd-re power-$first: the disc was not partly committed"
echo "ok: bd-re power-$first, then the next commit cut after every 2nd of its writes"
second="" blob_size=300000
# The mount after a cut repairs the disc and is killed before the store
# records its replay (the mark, fused/staging_mark.c, keeps that known);
# and a mark with nothing repaired (a finished commit) is harmless.
# (The small file: the cuts fall among the in-place writes, where the
# disc is partly committed and must not be taken for a finished commit.)
repaircut=1 blob_size=20000 tolerated=0
for k in $((writes - 6)) $((writes - 4)) $((writes - 2)); do
	run bd-re "power-$k"
	run dvd+rw "power-$k"
done
[ "$tolerated" -ge 3 ] || fail "only $tolerated of the killed mounts' discs were partly committed"
repaircut=0 stalemark=1
run bd-re kill-after-commit
run bd-re "power-$((writes - 4))"
stalemark=0 blob_size=300000
echo "ok: mounts killed after their repair ($tolerated partly committed discs), and a stale repair mark"
# sweep_bd_re: run() on BD-RE with the power cut after write 1, 2, ...
# until the commit gets through; $swept is then the number of cuts.
sweep_bd_re() {
	sweep=1 through=0 blob_size=20000 n=1 refused=0
	while [ "$through" = 0 ]; do
		[ "$n" -le 1000 ] || fail "bd-re: the commit never got through"
		run bd-re "power-$n"
		n=$((n + 1))
	done
	swept=$((n - 2))
}
# Names moved both ways: a file moves up out of keep/ while another moves
# down into it, a cycle, so no order of the two rewrites keeps both named;
# the engine writes one directory twice (an interim version that keeps
# the waiting name, udf/update_interim.c), and every cut must recover.
upmove=1
sweep_bd_re
[ "$refused" = 0 ] || fail "bd-re: $refused cut(s) left a moved file nameless"
echo "ok: bd-re names moved both ways: every one of $swept cuts recovered"
# Without the move the other way there is no cycle: the root is rewritten
# before keep/, and big.bin keeps a name at every cut.
upmove=2
sweep_bd_re
echo "ok: bd-re file moved up alone: every cut recovered"
# An older directory moved into another (its ".." changes too): between
# the rewrites of the two directories it shows in both.
upmove=0 dirmove=1
sweep_bd_re
[ "$refused" = 0 ] || fail "bd-re: $refused cut(s) refused after a directory move"
echo "ok: bd-re older directory moved: every one of $swept cuts recovered"
echo "all ok"
