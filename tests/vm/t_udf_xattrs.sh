#!/bin/bash
# The kernel's udf driver reads volumes whose file entries carry our
# extended attribute space (udf/ea_space.h: Linux xattrs as
# Implementation Use EAs), written by the update engine on DVD+R (VAT)
# and DVD+RW (in place), with xattrs set, replaced and removed
# (tests/unit/test_udf_update_xattr.c): each image, cut where a drive
# would say the disc ends, is loop-mounted read-only and must hold
# exactly the expected tree, byte for byte.  (The kernel does not show
# the attributes; it must find the data behind them.)  Then the same for
# images mastered by `discctl mkimage` from a tree with xattrs (on an
# ext4 loop file system: the guest's tmpfs root holds no user xattrs),
# for five layouts: plain, VAT (CD-R), plain in place (DVD+RW), VAT with
# UDF 2.50 (BD-R) and the metadata partition (BD-RE).
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
	loop_compare "$m.cut" "keep/$m.src" "$m"
}
for m in dvd+r dvd+rw; do run_case "xattrs-$m" one "$m"; done

step "mastering images of a tree with xattrs"
truncate -s 64M ext4.img
mkfs.ext4 -q -F ext4.img || fail "mkfs.ext4"
mkdir -p x
mount -o loop ext4.img x || fail "mount ext4"
S="$PWD/x/src"
mkdir -p "$S/dir"
printf 'alpha\n' > "$S/a"
head -c 70000 /dev/urandom > "$S/dir/big"
setfattr -n user.color -v blue "$S/a" || fail "setfattr"
setfattr -n user.bin -v 0x00ff0001 "$S/a"
setfattr -n user.kind -v folder "$S/dir"
setfattr -n user.top -v root "$S"
mastered() { # media
	local m=$1 opt=""
	[ "$m" = generic ] || opt="--media $m"
	discctl mkimage "$S" -o "mk-$m.img" $opt > /dev/null || fail "mkimage $m"
	loop_compare "mk-$m.img" "$S" "mk-$m"
}
for m in generic cd-r dvd+rw bd-r bd-re; do run_case "mastered-xattrs-$m" mastered "$m"; done
umount x
finish_cases
