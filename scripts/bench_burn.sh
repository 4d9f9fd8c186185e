#!/bin/sh
# scripts/bench_burn.sh [BUILD] - the streaming burn engine on emulated
# drives running in real time (time scale 1):
#   1. a 2 GiB image to a BD-R at 16x (72 MB/s)
#   2. the same image to a DVD+R at 24x (33.2 MB/s)
#   3. the same image to 4 BD-Rs at 16x at once (one ring, one thread)
# For each: achieved / rated speed (the target is >= 0.99), times the drive
# said "buffer full" (pacing, harmless), polls that found the drive buffer
# empty while data was left (underrun risk; the target is 0), and CPU
# seconds per GB of the whole process (engine + the emulated drives, which
# run in the same process and copy every byte into their image files).
# 4. (when QEMU is there) in the real-kernel lane, discctl, growisofs and
#    xorriso on the same TCMU-attached emulated BD-R: wall-time ratios.
# Environment: BENCH_DIR=/tmp, BENCH_BURN_MB=2048, BENCH_DRIVES=4,
#   BENCH_VM=0|1, BENCH_VM_MB=64.
set -eu
BUILD=$(cd "${1:-build}" && pwd)
DISCCTL="$BUILD/discctl"
MB=${BENCH_BURN_MB:-2048}
N=${BENCH_DRIVES:-4}
W=$(mktemp -d "${BENCH_DIR:-/tmp}/burn-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
[ -x "$DISCCTL" ] || { echo "bench_burn: no $DISCCTL" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench_burn: needs python3" >&2; exit 1; }

head -c $((MB * 1048576)) /dev/urandom >"$W/img"
new_disc() { # MEDIA PATH
	"$DISCCTL" emu create --media "$1" "$2" >/dev/null
	"$DISCCTL" emu time-scale "$2" 1
}

# rated DEV ASKED_MB_S: the speed the drive will really run at, MB/s:
# what was asked, capped by the fastest speed the drive offers for the disc
rated() {
	"$DISCCTL" info --json "$1" 2>/dev/null | python3 -c '
import json, sys
asked = float(sys.argv[1])
s = json.load(sys.stdin)["drive"].get("write_speeds_kbps") or [0]
top = max(s) / 1000.0
print(min(asked, top) if top else asked)' "$2"
}

# run NAME ASKED_MB_S SPEEDX DEVLIST: burns, then summarises the JSON
run() {
	name=$1 x=$3 devs=$4
	rated=$(rated "${devs%%,*}" "$2")
	[ "$rated" = "$2" ] || echo "$name: the emulated drive offers at most $rated MB/s for this disc; measured against that"
	/usr/bin/time -f "%e %U %S" -o "$W/time" \
		"$DISCCTL" burn "$devs" "$W/img" --speed "$x" --json >"$W/json" \
		2>"$W/err" || { echo "$name: burn failed: $(cat "$W/err")"; return 1; }
	python3 - "$name" "$rated" "$MB" "$W/json" "$W/time" <<'PY'
import json, sys
name, rated, mb, jpath, tpath = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]
res = [o for o in map(json.loads, open(jpath)) if o.get("event") == "result"]
wall, user, sys_ = map(float, open(tpath).read().split()[-3:])
gb = mb * 1048576 / 1e9 * len(res)
for r in res:
    ach = r["bytes_per_s"] / 1e6
    print(f"{name}: {r['drive'].split('/')[-1]}: {ach:.1f} MB/s of {rated:.1f} rated "
          f"= {ach / rated:.3f}; busy replies {r['busy_stalls']}, "
          f"buffer found empty {r['buffer_empty_seen']} times")
print(f"{name}: {len(res)} drive(s), wall {wall:.1f} s, CPU {user + sys_:.1f} s "
      f"= {(user + sys_) / gb:.2f} CPU s per GB written")
PY
}

new_disc bd-r "$W/bd.img"
run "BD-R 16x" 72.0 16 "$W/bd.img"
rm -f "$W/bd.img" "$W/bd.img.state"

new_disc dvd+r "$W/dvd.img"
run "DVD+R 24x" 33.24 24 "$W/dvd.img"
rm -f "$W/dvd.img" "$W/dvd.img.state"

devs=""
i=1
while [ $i -le "$N" ]; do
	new_disc bd-r "$W/bd$i.img"
	devs="${devs:+$devs,}$W/bd$i.img"
	i=$((i + 1))
done
run "$N x BD-R 16x" 72.0 16 "$devs"

# Lane 4: the real kernel (tests/vm): the same emulated BD-R attached
# through TCMU as /dev/sr0, burned by discctl, growisofs and xorriso; our
# wall time as a ratio to theirs (below 1.0 = we are faster).
# BENCH_VM=0 skips it; BENCH_VM_MB sets the image size (default 64: the
# guest runs under TCG, so its CPU, not the drive, sets the pace).
lane="$(cd "$(dirname "$0")/.." && pwd)/tests/vm/run-lane.sh"
if [ "${BENCH_VM:-1}" = 0 ] || [ ! -f "$lane" ] ||
   ! command -v qemu-system-x86_64 >/dev/null; then
	echo "growisofs/xorriso ratio: VM lane not run (BENCH_VM=0 or no QEMU)"
	exit 0
fi
mkdir -p "$W/vmt"
cat >"$W/vmt/t_bench_burn.sh" <<'GUEST'
#!/bin/bash
# vm-timeout: 900
. "$DISCFS_SRC/tests/vm/lib.sh"
need discemu discctl growisofs xorriso
head -c $((__MB__ * 1048576)) /dev/urandom > img
wall() { local s e; s=$(date +%s%N); "$@" > run.log 2>&1 || { tail run.log; fail "$1"; }
	e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
emu_start d bd-r 262144; echo "WALL discctl $(wall discctl burn "$SR" img)"; emu_stop d
emu_start g bd-r 262144; echo "WALL growisofs $(wall growisofs -Z "$SR"=img)"; emu_stop g
emu_start x bd-r 262144; echo "WALL xorriso $(wall xorriso -as cdrecord dev="$SR" img)"; emu_stop x
GUEST
sed -i "s/__MB__/${BENCH_VM_MB:-64}/" "$W/vmt/t_bench_burn.sh"
VM_WORK="$W/vmwork" DISCFS_BUILD="$BUILD" bash "$lane" --tests "$W/vmt" \
	--no-selftest >"$W/vm.log" 2>&1 || true
log=$(find "$W/vmwork" -name t_bench_burn.log 2>/dev/null | head -n 1 || true)
ours=$(sed -n 's/^WALL discctl //p' "$log" 2>/dev/null || true)
gi=$(sed -n 's/^WALL growisofs //p' "$log" 2>/dev/null || true)
xo=$(sed -n 's/^WALL xorriso //p' "$log" 2>/dev/null || true)
if [ -n "$ours" ] && [ -n "$gi" ] && [ -n "$xo" ]; then
	python3 -c "import sys; o,g,x=map(float,sys.argv[1:])
print(f'real kernel: discctl {o/1000:.1f} s, growisofs {g/1000:.1f} s, xorriso {x/1000:.1f} s')
print(f'real kernel: discctl/growisofs = {o/g:.3f}, discctl/xorriso = {o/x:.3f}')" \
		"$ours" "$gi" "$xo"
else
	echo "growisofs/xorriso ratio: the VM lane did not give all three times:"
	tail -n 5 "$W/vm.log"
fi
