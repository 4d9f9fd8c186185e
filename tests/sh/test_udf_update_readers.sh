#!/bin/sh
# tests/sh/test_udf_update_readers.sh - discs written incrementally by the
# update engine (first commit on a blank emulated disc, then increments:
# add, change, rename, remove, chmod), checked by independent readers:
# discctl fsck, udfinfo, udfclient, libudfread, GRUB and blkid through
# udf-crosscheck against the expected tree.
#
# The images come from build/tests/test_udf_update_emu (DFS_UPDATE_KEEP).
# A reader of an image file has no drive to ask where the disc ends, so
# each image is cut where a drive would say: after the VAT (write-once) or
# at the formatted capacity (rewritable; the file also holds spare areas).
#
# On write-once (VAT) volumes the LVID is recorded once, so fsck notes (as
# information, not an error) that its "next unique ID" is stale; the writer
# keeps the counter in the VAT header (see udf/update.h) and the unit tests
# check that counter.  7-Zip is left out on rewritable images: it reports
# "Headers Error" for any UDF volume whose file extends megabytes past the
# last used block (a mastered image padded the same way fails alike).
set -eu
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
SRC=${DISCFS_SRC:-.}
T="$BUILD/tests/test_udf_update_emu"
[ -x "$T" ] || { echo "$T not built"; exit 77; }
for c in udfinfo udfclient; do
	command -v $c >/dev/null || { echo "$c missing (scripts/deps.sh)"; exit 77; }
done
# The project's own cross-check (tests/lib/crosscheck.sh) always runs; the
# shared udf-crosscheck, when it sits beside the clone, adds blkid and GRUB.
CROSS="$SRC/tests/lib/crosscheck.sh"
EXTRA="$SRC/../shared/tools/udf-crosscheck"
[ -x "$EXTRA" ] || EXTRA=""
W=$(mktemp -d /tmp/discfs-updread.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

DFS_UPDATE_KEEP="$W" "$T" > "$W/unit.log" 2>&1 || { tail -20 "$W/unit.log"; fail "test_udf_update_emu"; }

for m in cd-r dvd+r dvd-r bd-r cd-rw dvd-rw dvd+rw bd-re dvd-ram; do
	img="$W/$m.img"
	[ -f "$img" ] || fail "$m: no image kept"
	blocks=$(cat "$W/$m.blocks")
	vat=$(cat "$W/$m.vat")
	cut="$W/$m.cut.img"
	cp --sparse=always "$img" "$cut"
	truncate -s $((blocks * 2048)) "$cut"

	# discctl fsck: clean, but for the one known finding on VAT volumes
	set +e
	"$BUILD/discctl" fsck "$cut" > "$W/fsck.out" 2>&1
	rc=$?
	set -e
	errs=$(grep -c '^error' "$W/fsck.out" || true)
	if [ "$vat" = 0 ]; then
		[ "$rc" = 0 ] && [ "$errs" = 0 ] || { cat "$W/fsck.out"; fail "$m: fsck"; }
		grep -q ' 0 warnings' "$W/fsck.out" || { cat "$W/fsck.out"; fail "$m: fsck warnings"; }
	else
		[ "$rc" = 0 ] && [ "$errs" = 0 ] || { cat "$W/fsck.out"; fail "$m: fsck"; }
	fi
	grep -q '2 files, 1 directories' "$W/fsck.out" || { cat "$W/fsck.out"; fail "$m: fsck counts"; }

	# udfinfo: counts and revision (VAT located where the drive would say)
	udfinfo "$cut" > "$W/info.out" 2>&1 || { cat "$W/info.out"; fail "$m: udfinfo"; }
	grep -q '^numfiles=2$' "$W/info.out" || { cat "$W/info.out"; fail "$m: udfinfo numfiles"; }
	grep -q '^numdirs=1$' "$W/info.out" || { cat "$W/info.out"; fail "$m: udfinfo numdirs"; }
	case $m in
	bd-r) grep -q '^udfrev=2.50$' "$W/info.out" || fail "$m: UDF 2.50 expected" ;;
	*) grep -q '^udfrev=2.01$' "$W/info.out" || fail "$m: UDF 2.01 expected" ;;
	esac

	# independent readers against the expected tree
	readers=udfinfo,udfclient,udfread
	[ "$vat" = 0 ] || readers=udfinfo,udfclient
	sh "$CROSS" --readers "$readers" "$cut" "$W/$m.src" > "$W/cross.out" 2>&1 ||
		{ cat "$W/cross.out"; fail "$m: crosscheck"; }
	# udfclient only lists VAT volumes, so there udfinfo's structural and
	# count check is what this reader set proves; the kernel (tests/vm)
	# reads their contents.
	n=$(grep -c ' ok: ' "$W/cross.out" || true)
	need=2; [ "$vat" = 0 ] || need=1
	[ "$n" -ge "$need" ] || { cat "$W/cross.out"; fail "$m: too few readers agreed"; }
	if [ -n "$EXTRA" ]; then
		xr=blkid,udfinfo,udfclient,udfread,grub
		[ "$vat" = 0 ] || xr=blkid,udfinfo,udfclient
		"$EXTRA" --no-iso --no-times -r "$xr" "$cut" "$W/$m.src" > "$W/cross2.out" 2>&1 ||
			{ cat "$W/cross2.out"; fail "$m: udf-crosscheck"; }
	fi
	echo "ok $m"
done
echo "PASS"
