#!/bin/bash
# discctl's own burn engine through the kernel's sg driver (SG_IO, queued
# through io_uring): what the host tests do on the in-process emulated
# drive, here on the TCMU drive as on a real burner.
#  - burn an ISO to a blank BD-R, DVD+R, DVD-R and CD-R (given /dev/sgN,
#    or /dev/srN on DVD+R): bit-exact in the image and through sr, mounts
#    as iso9660; `discctl verify --full` agrees; `discctl read` gives the
#    session back;
#  - append a second session (--multisession) on DVD+R: the kernel mounts
#    the last session;
#  - format a BD-RE and write it; erase a CD-RW after burning it;
#  - close (finalize) an appendable DVD+R: READ DISC INFORMATION says
#    complete.
# vm-timeout: 600
. "$DISCFS_SRC/tests/vm/lib.sh"
need xorriso sha256sum

mkiso a.iso 6 FIRST
mkiso b.iso 3 SECOND

burn_one() { # MEDIA sg|sr
	local m=$1 name=b${1//[^a-z0-9]/} dev
	emu_start "$name" "$m" 20000
	dev=$SG; [ "$2" = sr ] && dev=$SR
	run_logged "burn-$m.log" discctl burn "$dev" a.iso
	verify_burn a.iso "$PWD/$name.img"
	run_logged "verify-$m.log" discctl verify "$dev" a.iso --full
	run_logged "read-$m.log" discctl read "$dev" -o back.iso
	cmp -n "$(stat -c %s a.iso)" a.iso back.iso || fail "$m: discctl read gave back other bytes"
	emu_stop "$name"
}
for m in bd-r dvd-r cd-r; do run_case "burn-$m" burn_one "$m" sg; done
run_case burn-dvd+r burn_one dvd+r sr

append_and_close() {
	emu_start app dvd+r 20000
	run_logged burn1.log discctl burn "$SG" a.iso --multisession
	read -r st ses <<< "$(disc_status)"
	[ "$st" = 1 ] || fail "after a --multisession burn the disc status is $st, want 1 (appendable)"
	# the second session's ISO must refer to the first: build it with
	# xorriso against the disc as the kernel sees it
	local nwa
	nwa=$(discctl info --json "$SG" | python3 -c 'import json,sys; print(json.load(sys.stdin)["medium"]["next_writable"])')
	xorriso -as mkisofs -quiet -V SECOND -C "0,$nwa" -M "$SR" -o s2.iso b.iso 2>/dev/null ||
		fail "xorriso could not build the second session"
	run_logged burn2.log discctl burn "$SG" s2.iso --multisession
	# an appendable disc counts its empty next session too: 2 + 1
	read -r st ses <<< "$(disc_status)"
	[ "$st" = 1 ] && [ "$ses" = 3 ] || fail "after the append: status $st, $ses sessions; want 1 and 3"
	mkdir -p m2
	mount -t iso9660 -o ro "$SR" m2 || fail "mount of the two-session disc"
	[ -f m2/b.iso ] || { ls -la m2; umount m2; fail "the last session is not what the kernel mounts"; }
	umount m2
	run_logged close.log discctl close "$SG"
	read -r st ses <<< "$(disc_status)"
	[ "$st" = 2 ] && [ "$ses" = 2 ] || fail "after discctl close: status $st, $ses sessions; want 2 (complete) and 2"
	emu_stop app
}
run_case append-close-dvd+r append_and_close

format_and_erase() {
	emu_start re bd-re 20000
	run_logged format.log discctl format "$SG"
	run_logged burn-re.log discctl burn "$SG" a.iso
	verify_burn a.iso "$PWD/re.img"
	emu_stop re
	emu_start rw cd-rw 20000
	run_logged burn-rw.log discctl burn "$SG" b.iso
	run_logged erase.log discctl erase "$SG"
	read -r st ses <<< "$(disc_status)"
	[ "$st" = 0 ] || fail "after discctl erase the CD-RW status is $st, want 0 (blank)"
	emu_stop rw
}
run_case format-erase format_and_erase
finish_cases
