#!/bin/bash
# The kernel's udf driver reads files whose allocation descriptors continue
# in chains of Allocation Extent Descriptors: images mastered with small
# extents (plain 2.01, 1.02 + ISO9660 bridge, VAT, metadata partition:
# tests/unit/test_udf_mkimage_aed.c) and a DVD+RW image where the update
# engine wrote a file into fragmented free space
# and a DVD+R (VAT) image with one-block extents
# (tests/unit/test_udf_update_aed.c).  Each is loop-mounted read-only and
# must hold exactly the source tree, byte for byte.
# vm-timeout: 600
. "$DISCFS_SRC/tests/vm/lib.sh"
mkdir keep
for t in test_udf_mkimage_aed test_udf_update_aed; do
	T="$DISCFS_BUILD/tests/$t"
	[ -x "$T" ] || fail "$T not built"
	step "$t"
	DFS_AED_KEEP="$PWD/keep" "$T" > "$t.log" 2>&1 || { tail -20 "$t.log"; fail "$t"; }
done
one() { # name
	local n=$1
	[ -f "keep/$n.img" ] || fail "$n: no image kept"
	loop_compare "keep/$n.img" "keep/$n.src" "$n"
}
for n in plain bridge vat metadata update-dvd+rw update-dvd+r; do run_case "aed-$n" one "$n"; done
finish_cases
