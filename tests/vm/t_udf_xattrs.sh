#!/bin/bash
# The kernel's udf driver reads volumes whose file entries carry our
# extended attribute space (udf/ea_space.h: Linux xattrs as
# Implementation Use EAs), written by the update engine on DVD+R (VAT)
# and DVD+RW (in place), with xattrs set, replaced and removed
# (tests/unit/test_udf_update_xattr.c): each image, cut where a drive
# would say the disc ends, is loop-mounted read-only and must hold
# exactly the expected tree, byte for byte.  (The kernel does not show
# the attributes; it must find the data behind them.)
# vm-timeout: 300
. "$DISCFS_SRC/tests/vm/lib.sh"
T="$DISCFS_BUILD/tests/test_udf_update_xattr"
[ -x "$T" ] || fail "$T not built"
mkdir keep
step "writing the images"
DFS_XATTR_KEEP="$PWD/keep" "$T" > unit.log 2>&1 || { tail -20 unit.log; fail "test_udf_update_xattr"; }
one() { # medium
	local m=$1 blocks
	blocks=$(cat "keep/$m.blocks")
	cp --sparse=always "keep/$m.img" "$m.cut"
	truncate -s $((blocks * 2048)) "$m.cut"
	mkdir -p "mnt-$m"
	mount -t udf -o ro,loop "$m.cut" "mnt-$m" || fail "$m: mount -t udf"
	local ok=1
	diff -r "keep/$m.src" "mnt-$m" > "$m.diff" 2>&1 || ok=0
	umount "mnt-$m"
	[ $ok = 1 ] || { head -20 "$m.diff"; fail "$m: the mounted tree differs"; }
}
for m in dvd+r dvd+rw; do run_case "xattrs-$m" one "$m"; done
finish_cases
