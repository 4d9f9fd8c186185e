#!/bin/bash
# xorriso's cdrecord emulation burns onto blank write-once media through
# sr: TAO (-tao) and SAO/DAO (-sao) on CD-R, DVD-R, DVD+R and BD-R.  What
# it wrote (an image that does not fill its last ECC unit) is bit-exact in
# the disc image and when read back through sr, and mounts as ISO 9660.
# vm-timeout: 600
. "$DISCFS_SRC/tests/vm/lib.sh"
need discemu xorriso sg_raw
mkiso small.iso 1 XORRISO
# Most images are not a whole number of 16-block ECC units; make sure this
# one is not either, so DVD DAO covers the drive padding the last unit.
while [ $(( $(stat -c %s small.iso) / 2048 % 16 )) = 0 ]; do head -c 2048 /dev/zero >> small.iso; done
burn() { # medium mode
	local n=x${1//+/p}${2#-} blocks=16384
	case $1 in cd-*) blocks=20000 ;; esac
	emu_start "$n" "$1" "$blocks"
	run_logged "$n.burn" xorriso -as cdrecord -v dev="$SR" "$2" small.iso
	verify_burn small.iso "$n.img"
	emu_stop "$n"
}
for m in cd-r dvd-r dvd+r bd-r; do
	for mode in -tao -sao; do
		run_case "$m$mode" burn "$m" "$mode"
	done
done
finish_cases
