#!/bin/sh
# scripts/bench_memory.sh [BUILD] - memory with a million files (issue 7:
# "memory stays bounded with a million files staged or on disc").
#   1. on disc: a tree of BENCH_MEM_FILES empty files (1,000 per directory)
#      mastered with `discctl mkimage`, then read by `discctl ls -R`,
#      `discctl fsck`, and mounted by discfs (which loads the committed
#      tree's names and attributes at mount);
#   2. staged: the same number of files created in a discfs mount of no
#      disc (DEV none) through the kernel, as cp would.
# Prints each program's peak resident memory (VmHWM / ru_maxrss) and the
# bytes per file, against the size of the tree's names (the floor any
# program that holds the tree must pay).  Never passes or fails.
# Environment: BENCH_DIR=/tmp, BENCH_MEM_FILES=1000000,
# BENCH_MEM_STAGED=200000 (files staged through FUSE: each costs several
# kernel round trips, so fewer by default; set it to 1000000 for the full run).
set -eu
command -v python3 >/dev/null || { echo "bench_memory: needs python3" >&2; exit 1; }
BUILD=$(cd "${1:-build}" && pwd)
N=${BENCH_MEM_FILES:-1000000}
NS=${BENCH_MEM_STAGED:-200000}
W=$(mktemp -d "${BENCH_DIR:-/tmp}/mem-bench.XXXXXX")
MNT="$W/mnt"
cleanup() {
	fusermount3 -u -z "$MNT" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
mkdir -p "$MNT"

# peak RSS (KiB) of a command, which must succeed; its output is dropped
peak() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if r.returncode:
    sys.stderr.write(r.stderr.decode(errors="replace"))
    sys.exit(r.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
}
per_file() { echo "$1 $2" | awk '{ printf "%.0f", $1 * 1024 / $2 }'; }
report() { # label kib files
	printf '  %-34s %8d KiB peak  %6s bytes/file\n' "$1" "$2" "$(per_file "$2" "$3")"
}

# a tree of $2 empty files, 1,000 per directory, names like d0042/f000123
make_tree() {
	python3 - "$1" "$2" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "d%04d" % (i // 1000))
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    os.close(os.open(os.path.join(d, "f%06d" % i), os.O_CREAT | os.O_WRONLY, 0o644))
PY
}

echo "bench_memory: $N files on disc, $NS staged"
make_tree "$W/tree" "$N"
names=$(echo "$N" | awk '{ printf "%.0f", $1 * 14 }') # "d0042/f000123"+NUL
echo "  names alone: $((names / 1024)) KiB ($(per_file $((names / 1024)) "$N") bytes/file)"

kib=$(peak "$BUILD/discctl" mkimage "$W/tree" -o "$W/m.img" --media bd-r --time 1700000000)
report "discctl mkimage" "$kib" "$N"
rm -rf "$W/tree"
kib=$(peak "$BUILD/discctl" ls -R "$W/m.img")
report "discctl ls -R" "$kib" "$N"
kib=$(peak "$BUILD/discctl" fsck "$W/m.img")
report "discctl fsck" "$kib" "$N"

# discfs on the mastered image as a pressed BD-ROM: the tree is loaded at
# mount; the daemon's peak after listing every directory
"$BUILD/discctl" emu create --media bd-rom "$W/m.img" >/dev/null
"$BUILD/discfs" "$W/m.img" "$MNT" -f -o "staging=$W/stg" 2>"$W/daemon.log" &
pid=$!
for _ in $(seq 600); do mountpoint -q "$MNT" && break; sleep 0.1; done
mountpoint -q "$MNT" || { cat "$W/daemon.log"; echo "bench_memory: mount failed" >&2; exit 1; }
seen=$(find "$MNT" -type f | wc -l)
kib=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
report "discfs, disc with $seen files" "$kib" "$N"
fusermount3 -u "$MNT"; wait "$pid" || true
rm -f "$W/m.img" "$W/m.img.state"

# staged: DEV none, files created through the kernel like cp does
"$BUILD/discfs" none "$MNT" -f -o "staging=$W/stg2,capacity=64G" 2>"$W/daemon2.log" &
pid=$!
for _ in $(seq 600); do mountpoint -q "$MNT" && break; sleep 0.1; done
mountpoint -q "$MNT" || { cat "$W/daemon2.log"; echo "bench_memory: mount failed" >&2; exit 1; }
t0=$(date +%s.%N)
make_tree "$MNT" "$NS"
t1=$(date +%s.%N)
kib=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
report "discfs, $NS files staged" "$kib" "$NS"
echo "  ($(echo "$t0 $t1 $NS" | awk '{ printf "%.0f", $3 / ($2 - $1) }') files/s created through FUSE)"
fusermount3 -u "$MNT"; wait "$pid" || true
