#!/bin/bash
# discemu load and eject while running: the kernel learns of each change
# by itself.  A DVD-ROM made from one ISO is attached; loading a bigger
# ISO shows sr the new capacity and the new files; eject opens the tray
# (sg sees no medium); loading the first disc into the open tray shows it
# again; loading a blank BD-R and burning it with xorriso makes sr see the
# burned size (the media event after CLOSE SESSION).
# vm-timeout: 300
. "$DISCFS_SRC/tests/vm/lib.sh"
need discemu xorriso sg_turs
mkiso a.iso 1 FIRSTDISC
mkiso b.iso 3 SECONDDISC
step "start with a DVD-ROM of a.iso"
out=$(discemu start --name swap --create dvd-rom --time-scale 0 --trace "$PWD/swap.trace" "$PWD/a.iso") ||
	fail "discemu start"
eval "$out"
EMU_TRACES=" $PWD/swap.trace"; trap emu_on_exit EXIT
a=$(( $(stat -c %s a.iso) / 2048 )) b=$(( $(stat -c %s b.iso) / 2048 ))
[ "$(sr_blocks "$SR")" = "$a" ] || fail "sr shows $(sr_blocks "$SR") blocks, want $a"
mount_check iso9660 FIRSTDISC
step "load b.iso"
discemu load --name swap --create dvd-rom b.iso
[ "$(sr_blocks "$SR")" = "$b" ] || fail "after load sr shows $(sr_blocks "$SR") blocks, want $b"
mount_check iso9660 SECONDDISC
step "eject"
discemu eject --name swap
# through sg (no autoclose): the tray is open, no medium (2/3A/02)
if sg_turs "$SG" > turs.txt 2>&1; then fail "TEST UNIT READY good after eject"; fi
grep -qi 'not ready\|medium not present' turs.txt || fail "after eject: $(cat turs.txt)"
step "load a.iso again into the open tray"
discemu load --name swap a.iso
[ "$(sr_blocks "$SR")" = "$a" ] || fail "after reload sr shows $(sr_blocks "$SR") blocks, want $a"
mount_check iso9660 FIRSTDISC
step "load a blank BD-R and burn it"
discemu load --name swap --create bd-r --blocks 8192 bd.img
xorriso -as cdrecord dev="$SR" -tao b.iso > burn.log 2>&1 || { tail burn.log; fail "burn"; }
verify_burn b.iso bd.img
discemu stop --name swap
echo "media changes seen by the kernel"
