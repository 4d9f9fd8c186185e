#!/bin/sh
# tests/sh/test_discfs_commit.sh - commits through discfs.
#  A. DEV none: `discctl commit` and fsync of the root fail with a clear
#     message, and every change stays staged (also across a remount).
#  B. A blank emulated BD-R: a tree copied in with cp -a is committed (an
#     empty UDF volume laid out, then the tree as its first increment);
#     the mount then shows it read back from the disc, as does the next
#     mount; independent UDF readers agree; a second commit (a file added,
#     one removed) is an increment, read back at the next mount, fsck clean.
#  C. The daemon killed before and after the first commit is written.
#  D. Power loss of the emulated drive in the middle of the first commit:
#     the commit fails; after the next mount every change is still staged
#     and readable; committing again succeeds and reads back, fsck clean.
#  E. A new DVD-RAM (formatted, never written) is blank; one holding
#     foreign data is refused and left untouched.
set -eu
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "no FUSE here"; exit 77; }
command -v getfattr >/dev/null || { echo "attr tools missing (scripts/deps.sh)"; exit 77; }
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
SRC=$(cd "${DISCFS_SRC:-.}" && pwd)
[ -x "$BUILD/discctl" ] || { echo "discctl not built"; exit 77; }
W=$(mktemp -d /tmp/discfs-commit.XXXXXX)
M="$W/mnt"
PID=""
cleanup() {
	fusermount3 -u -z "$M" 2>/dev/null || true
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

mount_it() { # DEV STAGING [OPTIONS]
	"$BUILD/discfs" "$1" "$M" -f -o "staging=$2,capacity=64M${3:+,$3}" 2>>"$W/daemon.log" &
	PID=$!
	for _ in $(seq 200); do
		mountpoint -q "$M" && return 0
		kill -0 "$PID" 2>/dev/null || { cat "$W/daemon.log"; fail "discfs exited"; }
		sleep 0.05
	done
	fail "mount did not appear"
}
unmount_it() {
	fusermount3 -u "$M"
	wait "$PID" || true
	PID=""
}
status() { getfattr --absolute-names --only-values -n user.discfs.status "$M"; }
same_files() ( # every regular file of $1 equal in $2
	cd "$1"
	find . -type f | while IFS= read -r f; do
		cmp -s "$f" "$2/$f" || { echo "differs: $f"; exit 1; }
	done
)

mkdir -p "$M" "$W/src/sub/deeper"
printf 'first file\n' >"$W/src/one.txt"
head -c 200000 /dev/urandom >"$W/src/sub/random.bin"
: >"$W/src/sub/empty"
ln -s ../one.txt "$W/src/sub/link"
printf 'deep\n' >"$W/src/sub/deeper/d.txt"
find "$W/src" -depth -exec touch -h -d '2021-03-04 05:06:07' {} +

# ---- A: no disc
mount_it none "$W/stg-none"
cp -a "$W/src/." "$M/"
"$BUILD/discctl" commit /tmp 2>"$W/err" && fail "discctl commit accepted a non-discfs directory"
grep -q "not the root of a discfs mount" "$W/err" || fail "wrong message: $(cat "$W/err")"
rc=0
"$BUILD/discctl" commit "$M" 2>"$W/err" || rc=$?
[ "$rc" != 0 ] || fail "commit on DEV none succeeded"
grep -q "no disc to commit to" "$W/err" || fail "unclear commit error: $(cat "$W/err")"
grep -q "stay staged" "$W/err" || fail "commit error does not say the changes stay staged"
sync "$M" 2>/dev/null && fail "fsync of the root (a commit) succeeded on DEV none"
status | grep -q "staged: yes" || fail "status lost the staged changes: $(status)"
unmount_it
mount_it none "$W/stg-none" commit_idle=1
same_files "$W/src" "$M" || fail "staged files lost after failed commits"
echo idle >"$M/idle.txt"
for _ in $(seq 60); do status | grep -q "commit failed (idle)" && break; sleep 0.1; done
status | grep -q "commit failed (idle)" || fail "no commit after commit_idle=1: $(status)"
unmount_it

# ---- B: a blank emulated BD-R
# (udf-crosscheck does not compare symlinks, but the disc counts them)
rm "$W/src/sub/link"
if ! "$BUILD/discctl" emu create --media bd-r "$W/disc.img" >"$W/emu.log" 2>&1; then
	cat "$W/emu.log"
	echo "discctl emu create is not available"
	exit 77
fi
# No simulated drive delays in a test.
"$BUILD/discctl" emu time-scale "$W/disc.img" 0
mount_it "$W/disc.img" "$W/stg-disc"
status | grep -q "blank" || fail "the blank disc is not shown as blank: $(status)"
cp -a "$W/src/." "$M/"
"$BUILD/discctl" commit "$M" || fail "commit to the blank disc: $(status)"
status | grep -q "staged: nothing" || fail "still staged after commit: $(status)"
status | grep -q "recorded" || fail "the disc is not recorded after commit: $(status)"
same_files "$W/src" "$M" || fail "files after commit (read from the disc)"
[ "$(stat -c %Y "$M/one.txt")" = "$(stat -c %Y "$W/src/one.txt")" ] || fail "mtime after commit"
unmount_it
mount_it "$W/disc.img" "$W/stg-disc"
same_files "$W/src" "$M" || fail "files at the next mount"
status | grep -q "staged: nothing" || fail "a fresh mount of the committed disc has staged changes"

# Independent readers see the same files in the session read off the disc.
"$BUILD/discctl" read "$W/disc.img" -o "$W/session.img" >"$W/read.log" 2>&1 ||
	{ cat "$W/read.log"; fail "discctl read of the committed session"; }
# (tests/lib/crosscheck.sh; udfinfo is left out: it finds the VAT before
# the BD cluster padding of the session read back and fails on that, a
# burn matter reported separately; 7-Zip reads no VAT volume.)
sh "$SRC/tests/lib/crosscheck.sh" --readers udfclient,udfread "$W/session.img" "$W/src" \
	>"$W/crosscheck.log" 2>&1 || { cat "$W/crosscheck.log"; fail "independent readers"; }

# A second commit is an increment: committed, and read back at the next mount.
printf 'second\n' >"$M/two.txt"
rm "$M/sub/empty"
"$BUILD/discctl" commit "$M" || fail "second commit: $(status)"
unmount_it
mount_it "$W/disc.img" "$W/stg-disc"
status | grep -q "staged: nothing" || fail "the second commit is still staged: $(status)"
[ "$(cat "$M/two.txt")" = second ] || fail "the committed new file was lost"
[ ! -e "$M/sub/empty" ] || fail "the committed removal was lost"
same_files "$W/src/sub/deeper" "$M/sub/deeper" || fail "committed files after remount"
"$BUILD/discctl" fsck "$W/disc.img" >"$W/fsck.log" 2>&1 || { cat "$W/fsck.log"; fail "fsck after the second commit"; }
# A FIFO is recorded as an entry without content (see also
# test_discfs_special_files.sh).
mkfifo "$M/fifo" || fail "mkfifo in the mount"
printf 'third\n' >"$M/three.txt"
"$BUILD/discctl" commit "$M" 2>"$W/err" || fail "a commit with a FIFO: $(cat "$W/err")"
unmount_it
mount_it "$W/disc.img" "$W/stg-disc"
[ -p "$M/fifo" ] && [ "$(cat "$M/three.txt")" = third ] || fail "the FIFO or three.txt after their commit"
unmount_it

# ---- C: the daemon killed in the middle of a commit
# Before the burn: the disc is still blank, everything is still staged,
# and the commit can be done again.
"$BUILD/discctl" emu create --media bd-r "$W/disc2.img" >/dev/null
"$BUILD/discctl" emu time-scale "$W/disc2.img" 0
mount_it "$W/disc2.img" "$W/stg-disc2" no_commit_on_unmount
cp -a "$W/src/." "$M/"
unmount_it
DISCFS_CRASH_AT=before-commit "$BUILD/discfs" "$W/disc2.img" "$M" -f \
	-o "staging=$W/stg-disc2,no_commit_on_unmount" 2>>"$W/daemon.log" &
PID=$!
for _ in $(seq 200); do mountpoint -q "$M" && break; sleep 0.05; done
"$BUILD/discctl" commit "$M" 2>/dev/null && fail "commit reported success though the daemon died"
wait "$PID" 2>/dev/null || true; PID=""
fusermount3 -u -z "$M" 2>/dev/null || true
mount_it "$W/disc2.img" "$W/stg-disc2" no_commit_on_unmount
same_files "$W/src" "$M" || fail "staged files lost by a crash before the burn"
unmount_it
# After the burn, before the journal learnt of it: the next mount finds the
# commit finished (write-once disc, reads back) and starts afresh.
DISCFS_CRASH_AT=after-commit "$BUILD/discfs" "$W/disc2.img" "$M" -f \
	-o "staging=$W/stg-disc2" 2>>"$W/daemon.log" &
PID=$!
for _ in $(seq 200); do mountpoint -q "$M" && break; sleep 0.05; done
"$BUILD/discctl" commit "$M" 2>/dev/null && fail "commit reported success though the daemon died"
wait "$PID" 2>/dev/null || true; PID=""
fusermount3 -u -z "$M" 2>/dev/null || true
mount_it "$W/disc2.img" "$W/stg-disc2"
grep -q "interrupted last time had finished" "$W/daemon.log" || fail "finished commit not recognised"
status | grep -q "staged: nothing" || fail "the finished commit is still staged: $(status)"
same_files "$W/src" "$M" || fail "files of the commit finished before the crash"
unmount_it

# ---- D: power loss of the drive in the middle of the first commit
# (after the empty volume is laid out, while file data is appended): the
# commit fails; at the next mount every change is still staged and
# readable, and committing again finishes the job.
"$BUILD/discctl" emu create --media bd-r --capacity 100000 "$W/disc3.img" >/dev/null
"$BUILD/discctl" emu time-scale "$W/disc3.img" 0
head -c 8000000 /dev/urandom >"$W/src/big.bin"
mount_it "$W/disc3.img" "$W/stg-disc3" no_commit_on_unmount
cp -a "$W/src/." "$M/"
"$BUILD/discctl" emu fault "$W/disc3.img" power-loss-after=300
"$BUILD/discctl" commit "$M" 2>"$W/err" && fail "commit succeeded through a power loss"
grep -q "stay staged" "$W/err" || fail "unclear power-loss error: $(cat "$W/err")"
unmount_it
"$BUILD/discctl" emu fault "$W/disc3.img" clear
mount_it "$W/disc3.img" "$W/stg-disc3" no_commit_on_unmount
same_files "$W/src" "$M" || fail "staged files after the power loss"
"$BUILD/discctl" commit "$M" 2>"$W/err" || fail "commit after the power loss: $(cat "$W/err")"
unmount_it
mount_it "$W/disc3.img" "$W/stg-disc3"
status | grep -q "staged: nothing" || fail "still staged after the second try: $(status)"
same_files "$W/src" "$M" || fail "files on the disc after the second try"
unmount_it
"$BUILD/discctl" fsck "$W/disc3.img" >"$W/fsck.log" 2>&1 || { cat "$W/fsck.log"; fail "fsck after the power loss"; }

# ---- E: a DVD-RAM as sold (formatted, never written; the drive calls it
# complete) is a blank disc: the first commit lays UDF out on it.  One
# that holds other data (non-zero blocks where file systems start) is
# refused, never overwritten.
"$BUILD/discctl" emu create --media dvd-ram --capacity 20000 "$W/ram.img" >/dev/null
"$BUILD/discctl" emu time-scale "$W/ram.img" 0
rm "$W/src/big.bin"
mount_it "$W/ram.img" "$W/stg-ram"
cp -a "$W/src/." "$M/"
"$BUILD/discctl" commit "$M" || fail "commit to a new DVD-RAM: $(status)"
unmount_it
"$BUILD/discctl" extract "$W/ram.img" -o "$W/ram-out" >/dev/null 2>&1 || fail "extract of the DVD-RAM"
same_files "$W/src" "$W/ram-out" || fail "files on the DVD-RAM"
"$BUILD/discctl" emu create --media dvd-ram --capacity 20000 "$W/ram2.img" >/dev/null
"$BUILD/discctl" emu time-scale "$W/ram2.img" 0
printf 'someone else data' | dd of="$W/ram2.img" bs=2048 seek=100 conv=notrunc 2>/dev/null
"$BUILD/discfs" "$W/ram2.img" "$M" -f -o "staging=$W/stg-ram2" 2>"$W/err" &&
	fail "a DVD-RAM holding foreign data was mounted"
grep -q "holds data (DVD-RAM) but no UDF" "$W/err" || fail "foreign DVD-RAM: $(cat "$W/err")"
cmp -s -n 17 -i 204800:0 "$W/ram2.img" - <<EOF2 || fail "the foreign data was touched"
someone else data
EOF2
echo ok
