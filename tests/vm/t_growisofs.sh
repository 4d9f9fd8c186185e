#!/bin/bash
# growisofs through sr: -Z (first session, from an ISO image) then -M (a
# second session made by genisoimage over the first) on DVD+R, DVD-R and
# BD-R, and on the overwritable DVD+RW and BD-RE.  The first burn is
# bit-exact in the image and through sr; after -M the iso9660 mount shows
# the files of both sessions.
# vm-timeout: 900
. "$DISCFS_SRC/tests/vm/lib.sh"
need discemu growisofs genisoimage sg_raw
mkiso first.iso 1 GROWISOFS
mkdir -p add; echo "added by -M" > add/second.txt; head -c 512K /dev/urandom > add/second.bin
zm() { # medium
	local n=g${1//+/p} ok=1
	emu_start "$n" "$1" 16384
	run_logged "$n.z" growisofs -Z "$SR=first.iso"
	verify_burn first.iso "$n.img"
	run_logged "$n.m" growisofs -M "$SR" -R -J add
	mkdir -p mnt
	mount -t iso9660 -o ro "$SR" mnt || fail "mount -t iso9660 $SR after -M"
	[ "$(cat mnt/hello.txt 2>/dev/null)" = "hello from GROWISOFS" ] || ok=0
	cmp -s mnt/second.bin add/second.bin || ok=0
	umount mnt
	[ $ok = 1 ] || fail "$1: after -M the mounted disc does not hold both sessions' files"
	emu_stop "$n"
}
for m in dvd+r dvd-r bd-r dvd+rw bd-re; do run_case "growisofs-$m" zm "$m"; done
finish_cases
