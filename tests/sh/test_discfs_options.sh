#!/bin/sh
# tests/sh/test_discfs_options.sh - discfs's own -o options: bad values
# are refused with one line and exit 2 before anything is mounted; the
# request loop serves the same with and without spinning for requests
# (-o spin=0, the default 50 us, 2000 us): a small tree copied in reads
# back byte for byte.
set -eu
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "no FUSE here"; exit 77; }
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
[ -x "$BUILD/discfs" ] || { echo "not built"; exit 77; }
W=$(mktemp -d /tmp/discfs-options.XXXXXX)
M="$W/mnt"
mkdir -p "$M"
cleanup() {
	fusermount3 -u -z "$M" 2>/dev/null || true
	sleep 0.2
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

for bad in spin=-1 spin=10001 spin=abc commit_idle=x threads=0 threads=65 capacity=lots; do
	rc=0
	"$BUILD/discfs" none "$M" -f -o "staging=$W/stg,$bad" > "$W/out" 2> "$W/err" || rc=$?
	[ "$rc" = 2 ] || fail "-o $bad: exit $rc (want 2)"
	[ "$(wc -l < "$W/err")" = 1 ] || fail "-o $bad: not one line: $(cat "$W/err")"
	mountpoint -q "$M" && fail "-o $bad: mounted anyway"
done
echo "ok: bad option values refused (one line, exit 2)"

mkdir -p "$W/src/d"
for i in $(seq 200); do printf 'file %s\n' "$i" > "$W/src/d/f$i"; done
head -c 3000000 /dev/urandom > "$W/src/big"
for spin in "spin=0" "" "spin=2000"; do
	rm -rf "$W/stg"
	"$BUILD/discfs" none "$M" -f -o "staging=$W/stg,no_commit_on_unmount${spin:+,$spin}" 2> "$W/daemon.log" &
	pid=$!
	for _ in $(seq 200); do mountpoint -q "$M" && break; sleep 0.05; done
	mountpoint -q "$M" || fail "${spin:-default}: no mount"
	cp -a "$W/src" "$M/copy"
	diff -r "$W/src" "$M/copy" || fail "${spin:-default}: the copy reads back different"
	fusermount3 -u "$M"
	wait "$pid" || fail "${spin:-default}: the daemon ended with an error"
	echo "ok: ${spin:-spin default}: a tree copied in reads back"
done
echo "all ok"
