#!/bin/bash
# The classic CD burners through sr: cdrskin and wodim write TAO and SAO
# (wodim: -dao) onto blank CD-R and CD-RW, and blank a written CD-RW
# (blank=fast); what they wrote is bit-exact in the image and through sr
# and mounts as ISO 9660; the blanked disc reads back as blank.
# vm-timeout: 900
. "$DISCFS_SRC/tests/vm/lib.sh"
need discemu cdrskin wodim sg_raw
mkiso cd.iso 1 CDBURN
cdburn() { # tool medium mode
	local n=$1${2//-/}${3#-} st ses
	emu_start "$n" "$2" 20000
	run_logged "$n.burn" "$1" -v dev="$SR" "$3" cd.iso
	verify_burn cd.iso "$n.img"
	if [ "$2" = cd-rw ]; then
		run_logged "$n.blank" "$1" -v dev="$SR" blank=fast
		read -r st ses <<< "$(disc_status)"
		[ "$st" = 0 ] || fail "$1 blank=fast: disc status $st, want 0 (blank)"
	fi
	emu_stop "$n"
}
for m in cd-r cd-rw; do
	run_case "cdrskin-tao-$m" cdburn cdrskin "$m" -tao
	run_case "cdrskin-sao-$m" cdburn cdrskin "$m" -sao
	run_case "wodim-tao-$m" cdburn wodim "$m" -tao
	run_case "wodim-dao-$m" cdburn wodim "$m" -dao
done
finish_cases
