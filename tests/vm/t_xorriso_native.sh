#!/bin/bash
# xorriso's own commands through sr: multi-session (-dev, two -commit
# runs: the disc stays appendable and the kernel's iso9660 mount sees the
# files of both sessions) on CD-R, DVD+R, DVD-R and BD-R; -blank on a
# written CD-RW and DVD-RW (blank afterwards, and writable again); -format
# on DVD+RW and BD-RE, then a write that reads back bit-exact.
# vm-timeout: 900
. "$DISCFS_SRC/tests/vm/lib.sh"
need discemu xorriso sg_raw
mkdir -p s1 s2
echo "hello from SESSION1" > s1/hello.txt; head -c 256K /dev/urandom > s1/one.bin
echo "session two" > s2/two.txt; head -c 256K /dev/urandom > s2/two.bin
mkiso again.iso 1 AGAIN
mkiso fmt.iso 1 FORMATTED

multisession() { # medium
	local n=n${1//+/p} blocks=16384 st ses ok=1
	case $1 in cd-*) blocks=30000 ;; esac
	emu_start "$n" "$1" "$blocks"
	run_logged "$n.s1" xorriso -dev "$SR" -volid SESSION1 -map s1 / -commit
	read -r st ses <<< "$(disc_status)"
	[ "$st" = 1 ] || fail "$1 after session 1: disc status $st, want 1 (appendable)"
	run_logged "$n.s2" xorriso -dev "$SR" -map s2 /two -commit
	read -r st ses <<< "$(disc_status)"
	echo "$1 after session 2: disc status $st, sessions (incl. the empty one) $ses"
	[ "$st" = 1 ] || fail "$1 after session 2: disc status $st, want 1"
	mkdir -p mnt
	mount -t iso9660 -o ro "$SR" mnt || fail "mount -t iso9660 $SR after two sessions"
	cmp -s mnt/one.bin s1/one.bin || ok=0
	cmp -s mnt/two/two.bin s2/two.bin || ok=0
	umount mnt
	[ $ok = 1 ] || fail "$1: the mounted disc does not hold both sessions' files"
	emu_stop "$n"
}
blank_rewrite() { # medium
	local n=b${1//+/p} blocks=16384 st ses
	case $1 in cd-*) blocks=20000 ;; esac
	emu_start "$n" "$1" "$blocks"
	run_logged "$n.w1" xorriso -dev "$SR" -volid FIRST -map s1 / -commit
	run_logged "$n.blank" xorriso -outdev "$SR" -blank as_needed
	read -r st ses <<< "$(disc_status)"
	[ "$st" = 0 ] || fail "$1 after -blank: disc status $st, want 0"
	run_logged "$n.w2" xorriso -as cdrecord dev="$SR" -tao again.iso
	verify_burn again.iso "$n.img"
	emu_stop "$n"
}
format_write() { # medium
	local n=f${1//+/p}
	emu_start "$n" "$1" 16384
	run_logged "$n.fmt" xorriso -outdev "$SR" -format as_needed
	run_logged "$n.w" xorriso -as cdrecord dev="$SR" fmt.iso
	verify_burn fmt.iso "$n.img"
	emu_stop "$n"
}
for m in cd-r dvd+r dvd-r bd-r; do run_case "multisession-$m" multisession "$m"; done
for m in cd-rw dvd-rw; do run_case "blank-$m" blank_rewrite "$m"; done
for m in dvd+rw bd-re; do run_case "format-$m" format_write "$m"; done
finish_cases
