#!/bin/sh
# tests/sh/test_discfs_ops.sh - discfs mounted for real (DEV "none": the
# staging layer alone): cp -a and rsync -aHX of a tree with every kind of
# entry land intact (contents, sizes, modes, owners, times, hard links,
# symlinks, xattrs); rename over an existing name, unlink, rmdir, chmod,
# chown, utimens, truncate behave as on a local disk; everything survives
# an unmount and a new mount (journal replay); statfs shrinks as data is
# staged; the mount is private to its user.
set -eu
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "no FUSE here"; exit 77; }
command -v getfattr >/dev/null || { echo "attr tools missing (scripts/deps.sh)"; exit 77; }
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
DISCFS="$BUILD/discfs"
W=$(mktemp -d /tmp/discfs-ops.XXXXXX)
chmod 755 "$W" # other users may reach the mount point; the mount decides
M="$W/mnt" S="$W/staging"
PID=""
cleanup() {
	fusermount3 -u -z "$M" 2>/dev/null || true
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

mount_it() { # extra options
	"$DISCFS" none "$M" -f -o "staging=$S,capacity=64M${1:+,$1}" 2>"$W/daemon.log" &
	PID=$!
	for _ in $(seq 100); do
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

# Metadata listing: type, mode, owner, mtime (ns), link target, and for
# files size and link count.  Directory sizes differ between file systems.
listing() (
	cd "$1"
	find . -mindepth 1 -printf '%P %y %m %U %G %T@ %l\n' | sort
	find . -mindepth 1 -type f -printf '%P %s %n\n' | sort
	find . -mindepth 1 | sort | while IFS= read -r f; do
		getfattr -h -d -m '^user\.' "$f" 2>/dev/null |
			grep -v -e '^#' -e '^$' | sed "s|^|$f |" || true
	done
)

# Byte-for-byte comparison of every regular file of $1 with $2.
same_files() (
	cd "$1"
	find . -type f | while IFS= read -r f; do
		cmp -s "$f" "$2/$f" || { echo "differs: $f"; exit 1; }
	done
)

mkdir -p "$W/src/deep/er/est" "$W/src/empty" "$M"
head -c 1048577 /dev/urandom >"$W/src/big.bin"
head -c 4095 /dev/urandom >"$W/src/deep/odd"
: >"$W/src/deep/er/zero"
printf 'hello\n' >"$W/src/hello.txt"
ln "$W/src/hello.txt" "$W/src/deep/hardlink"
ln -s ../hello.txt "$W/src/deep/rel-link"
ln -s /nonexistent/target "$W/src/dangling"
mkfifo "$W/src/fifo"
for i in $(seq 1 200); do printf 'small %d\n' "$i" >"$W/src/deep/er/est/f$i"; done
chmod 0600 "$W/src/hello.txt"
chmod 2750 "$W/src/deep"
chmod 0700 "$W/src/empty"
chown 1234:5678 "$W/src/deep/odd"
setfattr -n user.color -v blue "$W/src/big.bin"
setfattr -n user.empty "$W/src/deep/odd"
# Times in the past: rsync skips setting a time that is within the same
# second as the copy it just made (on any file system).
find "$W/src" -depth -exec touch -h -d '2020-05-06 07:08:09.987654321' {} +
touch -h -d '2001-02-03 04:05:06.123456789' "$W/src/dangling"
touch -d '1999-12-31 23:59:59.5' "$W/src/deep/er/zero" "$W/src/empty"

mount_it
df_before=$(df -B1 --output=avail "$M" | tail -n 1)
cp -a "$W/src/." "$M/cp"
rsync -aHX "$W/src/" "$M/rs/"
same_files "$W/src" "$M/cp" || fail "cp -a contents differ"
same_files "$W/src" "$M/rs" || fail "rsync -a contents differ"
listing "$W/src" >"$W/want"
listing "$M/cp" >"$W/got-cp"
listing "$M/rs" >"$W/got-rs"
diff "$W/want" "$W/got-cp" || fail "cp -a metadata differs"
diff "$W/want" "$W/got-rs" || fail "rsync -aHX metadata differs"
df_after=$(df -B1 --output=avail "$M" | tail -n 1)
[ "$df_after" -lt $((df_before - 2000000)) ] || fail "statfs did not shrink ($df_before -> $df_after)"

# A second rsync finds nothing to do (times and sizes match).
n=$(rsync -aHXi "$W/src/" "$M/rs/" | wc -l)
[ "$n" = 0 ] || fail "rsync found $n differences on a second run"

# Namespace operations.
cd "$M"
echo one >a; echo two >b
mv a b
[ "$(cat b)" = one ] && [ ! -e a ] || fail "rename over an existing file"
mkdir d1 d2; touch d2/x
mv -T d1 cp/deep 2>/dev/null && fail "rename over a non-empty dir succeeded" || true
mv -T d1 cp/empty || fail "rename of a directory over an empty one"
mv -T cp/empty d1
mkdir d3; mv d1 d3 2>/dev/null || true
[ -d d3/d1 ] || fail "rename of a directory into another"
mkdir e1; mv d3 e1/inner; [ -d e1/inner/d1 ] || fail "rename of a directory"
rm b; [ ! -e b ] || fail "unlink"
rmdir d2 2>/dev/null && fail "rmdir of a non-empty directory succeeded" || true
rm d2/x; rmdir d2; [ ! -e d2 ] || fail "rmdir"
echo data >f; chmod 0751 f; [ "$(stat -c %a f)" = 751 ] || fail "chmod"
chown 42:43 f; [ "$(stat -c %u:%g f)" = 42:43 ] || fail "chown"
touch -d '2010-01-01 00:00:00.25' f
[ "$(stat -c %Y.%y f | cut -c1-10)" = "$(date -d '2010-01-01 00:00:00' +%s)" ] || fail "utimens"
truncate -s 2 f; [ "$(cat f)" = da ] || fail "truncate down"
truncate -s 5 f; [ "$(od -An -c f | tr -d ' \n')" = 'da\0\0\0' ] || fail "truncate up reads zeros"
printf 'XY' | dd of=f bs=1 seek=1 conv=notrunc 2>/dev/null
[ "$(head -c 3 f)" = dXY ] || fail "overwrite in the middle"
ln f f2; [ "$(stat -c %h f)" = 2 ] || fail "link count"
exec 3<f2; rm f f2
[ "$(head -c 3 <&3)" = dXY ] || fail "an open unlinked file stays readable"
exec 3<&-
setfattr -n user.k -v v1 cp/big.bin; setfattr -x user.color cp/big.bin
[ "$(getfattr --only-values -n user.k cp/big.bin)" = v1 ] || fail "setxattr"
getfattr -n user.color cp/big.bin 2>/dev/null && fail "removexattr" || true
ls -la >/dev/null
cd /

# Private mount: another user cannot even look.
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups ls "$M" >/dev/null 2>&1 &&
		fail "another user could list a private mount" || true
fi

listing "$M" >"$W/before-remount"
unmount_it
mount_it
listing "$M" >"$W/after-remount"
diff "$W/before-remount" "$W/after-remount" || fail "remount lost or changed something"
same_files "$W/src" "$M/cp" || fail "contents after remount"
grep -q "recovered" "$W/daemon.log" || fail "no recovery message"

# SIGTERM unmounts cleanly and keeps everything.
kill -TERM "$PID"
wait "$PID" || fail "discfs did not exit cleanly on SIGTERM"
PID=""
mountpoint -q "$M" && fail "still mounted after SIGTERM"
mount_it
diff "$W/before-remount" "$(listing "$M" >"$W/after-term"; echo "$W/after-term")" ||
	fail "SIGTERM lost something"
unmount_it

# -o allow_other lets other users in (permissions still apply).
if command -v setpriv >/dev/null; then
	mount_it allow_other
	setpriv --reuid=65534 --regid=65534 --clear-groups ls "$M" >/dev/null 2>&1 ||
		fail "allow_other did not let another user list the mount"
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "echo x >'$M/intruder'" 2>/dev/null &&
		fail "another user wrote into a directory that is not theirs"
	unmount_it
fi

# ENOSPC comes before the disc would overfill, and the mount stays usable.
rm -rf "$S"
"$DISCFS" none "$M" -f -o "staging=$S,capacity=8M" 2>"$W/daemon.log" &
PID=$!
for _ in $(seq 100); do mountpoint -q "$M" && break; sleep 0.05; done
dd if=/dev/zero of="$M/fill" bs=1M count=20 2>"$W/dd.log" && fail "20 MiB fit on an 8 MiB disc"
grep -q "No space left" "$W/dd.log" || fail "the overfill did not fail with ENOSPC: $(cat "$W/dd.log")"
avail=$(df -B1 --output=avail "$M" | tail -n 1)
size=$(stat -c %s "$M/fill")
[ "$size" -le 8388608 ] || fail "more was staged ($size) than the disc holds"
[ "$avail" -lt 1048576 ] || fail "df shows $avail bytes free on a full disc"
rm "$M/fill"
echo small >"$M/after" || fail "the mount is not usable after ENOSPC"
[ "$(df -B1 --output=avail "$M" | tail -n 1)" -gt 4000000 ] || fail "deleting did not free space"
unmount_it
echo "ok"
