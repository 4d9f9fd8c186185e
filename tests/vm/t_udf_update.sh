#!/bin/bash
# The kernel's udf driver reads discs written incrementally by the update
# engine: a first commit on a blank emulated disc, then increments (add,
# change, rename, remove, chmod) on CD-R, DVD+R, DVD-R, BD-R (VAT), and
# DVD+RW, BD-RE, DVD-RAM, and blank CD-RW and DVD-RW once formatted for
# overwriting (in place); and, made by mkudffs and continued, a UDF 1.50
# VAT volume on a CD-R (in its own VAT format) and a sparable CD-RW; and,
# mastered by mkimage and continued, metadata-partition volumes (BD-RE
# 2.50, and 2.60 whose metadata file grew a second extent, main and
# mirror).  Each image, cut where a drive would
# say the disc ends (after the VAT / at the formatted capacity), is
# loop-mounted read-only and must hold exactly the expected tree.
# vm-timeout: 600
. "$DISCFS_SRC/tests/vm/lib.sh"
T="$DISCFS_BUILD/tests/test_udf_update_emu"
[ -x "$T" ] || fail "$T not built"
mkdir keep
step "writing the discs"
DFS_UPDATE_KEEP="$PWD/keep" "$T" > unit.log 2>&1 || { tail -20 unit.log; fail "test_udf_update_emu"; }
# and a UDF 1.50 VAT volume made by mkudffs, continued (test_udf_update)
DFS_UPDATE_KEEP="$PWD/keep" "$DISCFS_BUILD/tests/test_udf_update" > unit150.log 2>&1 ||
	{ tail -20 unit150.log; fail "test_udf_update"; }
DFS_UPDATE_KEEP="$PWD/keep" "$DISCFS_BUILD/tests/test_udf_update_meta" > unitmeta.log 2>&1 ||
	{ tail -20 unitmeta.log; fail "test_udf_update_meta"; }
one() { # medium
	local m=$1 blocks
	blocks=$(cat "keep/$m.blocks")
	cp --sparse=always "keep/$m.img" "$m.cut"
	truncate -s $((blocks * 2048)) "$m.cut"
	mkdir -p "mnt-$m"
	mount -t udf -o ro,loop "$m.cut" "mnt-$m" || fail "$m: mount -t udf"
	local ok=1
	diff -r "keep/$m.src" "mnt-$m" > "$m.diff" 2>&1 || ok=0
	# modes as written
	[ -e "keep/$m.vat" ] && [ "$(stat -c %a "mnt-$m/readme")" != 600 ] && ok=0
	umount "mnt-$m"
	[ $ok = 1 ] || { cat "$m.diff"; fail "$m: the mounted tree differs"; }
}
for m in cd-r dvd+r dvd-r bd-r cd-rw dvd-rw dvd+rw bd-re dvd-ram cd-r-150 cd-rw-sparable \
	bd-re-meta hdd-260-meta; do run_case "update-$m" one "$m"; done
finish_cases
