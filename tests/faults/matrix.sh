#!/bin/sh
# tests/faults/matrix.sh [BUILD] - the fault matrix (make faults).
#
# Every writable medium x operation (burn, append, format, erase, commit,
# close, verify) x fault (write error, unreadable sector, power loss in the
# middle, drive gone, media changed, disc full, wrong medium, non-blank
# disc, never ready) on the emulated drive; one table per operation (rows
# media, columns faults), cells: ok, FAIL (reason below the table), gap (a
# known gap, reason below the table, not a failure), - (n/a), not built.  What a cell checks: tests/faults/lib.sh and cell.sh.
# Written to BUILD/faults/matrix.txt as well.  Exit 0 only if no cell failed.
#
# Environment: FX_JOBS (cells at once, default 3), FX_ONLY_OP, FX_ONLY_MEDIA,
# FX_ONLY_FAULT (run a part only), FX_KEEP=1 (keep the work directory).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
FX_BUILD=$(cd "${1:-${DISCFS_BUILD:-build}}" && pwd) || exit 2
FX_DIR="$SRC/tests/faults"
. "$FX_DIR/cells.sh"
[ -x "$FX_BUILD/discctl" ] || { echo "faults: $FX_BUILD/discctl not built" >&2; exit 2; }
: "${FX_JOBS:=3}"
[ -n "${FX_ONLY_OP:-}" ] && FX_OPS=$FX_ONLY_OP
[ -n "${FX_ONLY_MEDIA:-}" ] && FX_MEDIA=$FX_ONLY_MEDIA
[ -n "${FX_ONLY_FAULT:-}" ] && FX_FAULTS="$FX_ONLY_FAULT"
FX_WORK=$(mktemp -d /tmp/faults.XXXXXX)
export FX_BUILD FX_WORK
cleanup() {
	# a cell killed half-way may leave a mount behind
	for m in "$FX_WORK"/cells/*/mnt; do
		mountpoint -q "$m" 2>/dev/null && fusermount3 -u -z "$m" 2>/dev/null
	done
	[ "${FX_KEEP:-0}" = 1 ] && echo "faults: work directory kept: $FX_WORK" ||
		rm -rf "$FX_WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
t0=$(date +%s)
# The programs under test, copied: one consistent build for the whole run
# even if the build directory is relinked meanwhile.
FX_BIN="$FX_WORK/bin"
mkdir -p "$FX_BIN"
cp "$FX_BUILD/discctl" "$FX_BIN/"
[ -x "$FX_BUILD/discfs" ] && cp "$FX_BUILD/discfs" "$FX_BIN/"
export FX_BIN
DC="$FX_BIN/discctl"
mkdir -p "$FX_WORK/data/tree/sub/deeper" "$FX_WORK/res" "$FX_WORK/base" "$FX_WORK/cells"
D="$FX_WORK/data"

# ---- the data
head -c 614400 /dev/urandom >"$D/img"          # 300 blocks
head -c 2048000 /dev/urandom >"$D/img2"        # 1000 blocks
truncate -s 60M "$D/big"                       # more than 20000 blocks
head -c 100000 /dev/urandom >"$D/new.bin"
printf 'first file\n' >"$D/tree/one.txt"
head -c 150000 /dev/urandom >"$D/tree/sub/random.bin"
: >"$D/tree/sub/empty"
printf 'deep\n' >"$D/tree/sub/deeper/d.txt"
"$DC" mkimage "$D/tree" -o "$D/rom.udf" >/dev/null 2>"$D/mkimage.err" ||
	{ echo "faults: mkimage failed: $(cat "$D/mkimage.err")" >&2; exit 1; }
export FX_ROM="$D/rom.udf"

# does discctl have the close command yet?
"$DC" close >/dev/null 2>"$D/close.err"
grep -q "unknown command" "$D/close.err" && FX_HAVE_CLOSE=0 || FX_HAVE_CLOSE=1
export FX_HAVE_CLOSE

# ---- base discs for the commit column: data/tree committed via discfs
# (a cell of its own, "base"), in parallel
base_needed=0
fx_in commit $FX_OPS && [ -x "$FX_BIN/discfs" ] && base_needed=1
if [ "$base_needed" = 1 ]; then
	for m in $FX_MEDIA; do echo "$m"; done |
		xargs -P "$FX_JOBS" -I{} sh "$FX_DIR/base.sh" {}
fi

# ---- the cells; the never-ready ones wait out the drive's 20 s, so they
# all run at once in the background, the rest FX_JOBS at a time
list="$FX_WORK/cells.txt"
: >"$list"
: >"$list.slow"
for op in $FX_OPS; do
	for m in $FX_MEDIA; do
		for f in $FX_FAULTS; do
			if ! fx_applies "$op" "$m" "$f"; then
				echo "-" >"$FX_WORK/res/$op.$m.$f"
			elif [ "$f" = never-ready ]; then
				echo "$op $m $f" >>"$list.slow"
			else
				echo "$op $m $f" >>"$list"
			fi
		done
	done
done
xargs -r -P 64 -L 1 sh "$FX_DIR/cell.sh" <"$list.slow" &
slow=$!
xargs -r -P "$FX_JOBS" -L 1 sh "$FX_DIR/cell.sh" <"$list"
wait "$slow"

# ---- the tables
short() {
	case $1 in
	none) echo none ;; write-error) echo wr-err ;; unreadable) echo unread ;;
	power-loss) echo power ;; drive-gone) echo gone ;;
	media-changed) echo changed ;; disc-full) echo full ;;
	wrong-medium) echo wrong ;; not-blank) echo notblank ;;
	never-ready) echo notready ;;
	esac
}
OUT="$FX_BUILD/faults"
mkdir -p "$OUT"
n_ok=0 n_fail=0 n_na=0 n_nb=0 n_gap=0
{
	for op in $FX_OPS; do
		echo "== $op"
		printf '%-9s' media
		for f in $FX_FAULTS; do printf ' %-9s' "$(short "$f")"; done
		echo
		: >"$FX_WORK/reasons"
		for m in $FX_MEDIA; do
			printf '%-9s' "$m"
			for f in $FX_FAULTS; do
				r=$(head -n 1 "$FX_WORK/res/$op.$m.$f" 2>/dev/null)
				[ -n "$r" ] || r="FAIL the cell left no verdict"
				case $r in
				ok) c=ok ;;
				-) c=- ;;
				"not built") c="not built" ;;
				GAP*) c=gap
				   echo "  $op $m $f: known gap: ${r#GAP }" >>"$FX_WORK/reasons" ;;
				*) c=FAIL
				   echo "  $op $m $f: ${r#FAIL }" >>"$FX_WORK/reasons" ;;
				esac
				printf ' %-9s' "$c"
			done
			echo
		done
		cat "$FX_WORK/reasons"
		echo
	done
} >"$OUT/matrix.txt"
for r in "$FX_WORK"/res/*; do
	case $(head -n 1 "$r") in
	ok) n_ok=$((n_ok + 1)) ;;
	-) n_na=$((n_na + 1)) ;;
	"not built") n_nb=$((n_nb + 1)) ;;
	GAP*) n_gap=$((n_gap + 1)) ;;
	*) n_fail=$((n_fail + 1)) ;;
	esac
done
t1=$(date +%s)
summary="faults: $n_ok cells ok, $n_fail failed, $n_na n/a"
[ "$n_gap" -gt 0 ] && summary="$summary, $n_gap known gaps"
[ "$n_nb" -gt 0 ] && summary="$summary, $n_nb not built"
summary="$summary ($((t1 - t0)) s)"
echo "$summary" >>"$OUT/matrix.txt"
cat "$OUT/matrix.txt"
[ "$n_fail" = 0 ]
