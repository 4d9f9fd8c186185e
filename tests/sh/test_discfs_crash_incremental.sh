#!/bin/sh
# tests/sh/test_discfs_crash_incremental.sh - an incremental commit cut
# short through the daemon.  A disc holds a committed tree; then names are
# added, a file changed, one removed, one renamed, and the commit is cut
# short: the daemon killed (-9) before or after the increment is written,
# or the emulated drive losing power after N writes.  After a remount
# everything committed before is intact and the staged changes are shown
# (committed or still staged); committing again and remounting shows the
# expected tree read from the disc, and `discctl fsck` finds no error.
# Media: BD-R and DVD+R (VAT increments); DVD+RW and BD-RE (in place).
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
	mv "$1/old.txt" "$1/keep/new.txt"
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
	head -c 300000 /dev/urandom > "$W/blob"
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
		"$BUILD/discctl" commit "$M" 2>"$W/err" && fail "$media $how: commit succeeded through a power loss"
		grep -q "stay staged" "$W/err" || fail "$media $how: unclear error: $(cat "$W/err")"
		unmount_it
		"$BUILD/discctl" emu fault "$img" clear > /dev/null ;;
	esac
	mount_it "$img" "$stg"
	expect_tree "$media $how, remounted"
	"$BUILD/discctl" commit "$M" 2>"$W/err" || fail "$media $how: commit again: $(cat "$W/err")"
	unmount_it
	mount_it "$img" "$stg"
	status | grep -q "staged: nothing" || fail "$media $how: still staged: $(status)"
	expect_tree "$media $how, committed"
	unmount_it
	"$BUILD/discctl" fsck "$img" > "$W/fsck.out" 2>&1 || { cat "$W/fsck.out"; fail "$media $how: fsck"; }
	echo "ok: $media $how"
}
for media in bd-r dvd+r; do
	for how in kill-before-commit kill-after-commit power-1 power-5 power-40 power-150; do
		run "$media" "$how"
	done
done
for media in dvd+rw bd-re; do
	for how in kill-before-commit kill-after-commit power-1 power-3 power-8 power-40; do
		run "$media" "$how"
	done
done
echo "all ok"
