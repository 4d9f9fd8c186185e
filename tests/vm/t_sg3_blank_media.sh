#!/bin/bash
# Every recordable medium of the emulated drive, blank, seen through the
# kernel's sg driver by sg3_utils: INQUIRY is a type-5 MMC device,
# GET CONFIGURATION's current profile is the medium's, the profile list
# holds it, READ DISC INFORMATION gives the state of a blank disc of that
# kind (disc status, erasable bit, one session, last possible lead-out
# within the capacity) and READ TRACK INFORMATION on track 1 of a
# sequential medium gives the blank invisible track (Blank, NWA_V, NWA 0,
# free blocks = the whole capacity at most).
# vm-timeout: 400
. "$DISCFS_SRC/tests/vm/lib.sh"
need discemu sg_inq sg_get_config sg_raw sg_readcap
BLOCKS=16384
bad=""
check() { # medium condition message
	if ! eval "$2"; then echo "FAIL: $1: $3"; bad="$bad $1"; fi
}
for m in cd-r cd-rw dvd-r dvd-r-dl dvd-rw dvd+r dvd+r-dl dvd+rw dvd-ram bd-r bd-re; do
	step "$m"
	blocks=$BLOCKS
	case $m in cd-*) blocks=20000 ;; esac
	emu_start "d${m//+/p}" "$m" "$blocks"
	want=$(profile_of "$m")
	sg_inq "$SG" | grep -q 'Peripheral device type: cd/dvd' || { echo "FAIL: $m: INQUIRY"; bad="$bad $m"; }
	mmc_in cfg.bin 65532 46 00 00 00 00 00 00 ff fc 00
	cur=$(be16 6)
	check "$m" '[ "$cur" = "$want" ]' "current profile $cur, want $want"
	sg_get_config "$SG" > cfg.txt 2>&1 || true
	check "$m" 'grep -q "Current profile" cfg.txt' "sg_get_config has no current profile"
	mmc_in di.bin 34 51 00 00 00 00 00 00 00 22 00
	b2=$(u8 2)
	status=$((b2 & 3)) erasable=$(((b2 >> 4) & 1)) sessions=$(u8 4)
	leadout=$(be32 20)
	echo "$m: profile $cur disc-status $status erasable $erasable sessions $sessions lead-out $leadout"
	case $m in
	dvd-ram) check "$m" '[ $status = 3 ]' "disc status $status, want 3 (random access)" ;;
	*) check "$m" '[ $status = 0 ]' "disc status $status, want 0 (blank)" ;;
	esac
	case $m in
	cd-rw|dvd-rw) check "$m" '[ $erasable = 1 ]' "erasable bit clear on a rewritable" ;;
	cd-r|dvd-r|dvd-r-dl|dvd+r|dvd+r-dl|bd-r) check "$m" '[ $erasable = 0 ]' "erasable bit set on write-once" ;;
	esac
	check "$m" '[ "$sessions" = 1 ]' "sessions $sessions, want 1"
	case $m in
	cd-r|cd-rw|dvd-r|dvd-r-dl|dvd-rw|dvd+r|dvd+r-dl|bd-r)
		mmc_in ti.bin 48 52 01 00 00 00 01 00 00 30 00
		b6=$(u8 6) b7=$(u8 7)
		nwa=$(be32 12) free=$(be32 16)
		echo "$m: track 1 blank $(((b6 >> 6) & 1)) nwa_v $((b7 & 1)) nwa $nwa free $free"
		check "$m" '[ $(((b6 >> 6) & 1)) = 1 ]' "track 1 not blank"
		check "$m" '[ $((b7 & 1)) = 1 ]' "track 1 NWA not valid"
		check "$m" '[ "$nwa" = 0 ]' "NWA $nwa, want 0"
		check "$m" '[ "$free" -gt 0 ] && [ "$free" -le "$blocks" ]' "free blocks $free not in 1..$blocks"
		;;
	esac
	emu_stop "d${m//+/p}"
done
[ -z "$bad" ] || fail "media with wrong answers:$bad"
echo "all media answer consistently"
