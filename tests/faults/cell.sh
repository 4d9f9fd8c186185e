#!/bin/sh
# tests/faults/cell.sh OP MEDIA FAULT - runs one cell of the fault matrix
# and writes its verdict (one line: ok, FAIL reason, -, not built) to
# $FX_WORK/res/OP.MEDIA.FAULT.  Environment (set by matrix.sh): FX_BIN
# (discctl and discfs under test), FX_WORK (holding data/: img, img2, big, tree/, rom.udf, new.bin, and
# base/MEDIA.img: a disc with data/tree committed through discfs),
# FX_HAVE_CLOSE (1 when discctl has the close command).
#
# Each cell: set up the disc (time scale 0, 20000 blocks), arm the fault,
# run the operation, check its exit status and error report, clear the
# fault, then check the disc still reads and that what was committed before
# the operation is intact.  See lib.sh for the common checks.
set -u
OP=$1 MEDIA=$2 FAULT=$3
FX_DIR=$(dirname "$0")
. "$FX_DIR/cells.sh"
. "$FX_DIR/lib.sh"
RES="$FX_WORK/res/$OP.$MEDIA.$FAULT"
T="$FX_WORK/cells/$OP.$MEDIA.$FAULT"
D="$T/d.img"
DATA="$FX_WORK/data"
rm -rf "$T"
mkdir -p "$T"
fx_applies "$OP" "$MEDIA" "$FAULT" || na
WANT=$(fx_want "$FAULT" "$OP")

# NWA = the next writable address of the disc (from `discctl info`).
nwa_of() { # IMAGE
	must nwa info "$1"
	NWA=$(sed -n 's/^ *next writable: *\([0-9][0-9]*\).*/\1/p' "$T/nwa.out" | head -n 1)
	[ -n "$NWA" ] || fail "discctl info shows no next writable address"
}

# Faults that count commands or sectors: armed so that they strike in the
# middle of the operation (the burn of data/img2 issues about 32 WRITEs
# of 32 blocks, after some 15 commands that probe the drive and the disc).
arm_counted() { # IMAGE FAULT
	case $2 in
	power-loss) arm "$1" power-loss-after=100 ;;
	drive-gone) arm "$1" vanish-after="${FX_AFTER:-30}" ;;
	media-changed) arm "$1" media-change-after="${FX_AFTER:-30}" ;;
	never-ready) arm "$1" never-ready ;;
	esac
}

# ------------------------------------------------------- media changed
# A medium change (6/28/00) reported at any command of the second half of
# an operation (past opening the drive and probing the disc, where an
# attention is legitimately cleared) must fail it with the documented
# status; up to 8 of those commands, evenly spread, are tried (the last
# one always).  The op's functions: setup_OP
# makes the disc, run_OP runs the operation, after_OP checks the disc
# with the fault cleared, done_OP checks that the operation did its job.
# A 6/28/00 unit attention says only that the medium MAY have changed:
# drives post it when a long operation (format, blank, close, the end of
# a burn) finishes, and the kernel's own media polling may consume it
# before the burner sees it, so careful burners (libburn) retry it in
# their wait loops and cannot rely on it to detect a swap (mmc-notes
# 5.4 and the sense table); they lock the tray against swaps instead,
# as discctl does (PREVENT MEDIUM REMOVAL around burn, format, erase and
# close; tests/unit/test_tray_hold.c).
# The knob raises the attention without swapping the disc, so each
# point passes when the operation either fails with a clear error and
# the expected exit code, or succeeds having done its job completely
# (done_OP) -- never a success that did not happen.
sweep_media_change() { # OP
	"setup_$1"
	arm "$D" media-change-after=1000000
	"run_$1"
	expect_ok
	must show emu show "$D"
	mc_left=$(sed -n 's/.*media-change-after=\([0-9]*\).*/\1/p' "$T/show.out")
	[ -n "$mc_left" ] || fail "the operation used up the media-change count"
	mc_k=$((1000000 - mc_left))
	# at most 8 points, evenly spread, the last command included
	mc_step=$(( (mc_k / 2 + 7) / 8 ))
	[ "$mc_step" -ge 1 ] || mc_step=1
	mc_n=$((mc_k - 1))
	while [ "$mc_n" -ge $((mc_k / 2)) ]; do
		rm -f "$D" "$D.state"
		"setup_$1"
		arm "$D" media-change-after=$mc_n
		"run_$1"
		CTX="medium change at command $((mc_n + 1)) of $mc_k: "
		if [ "$RC" = 0 ]; then
			disarm "$D"
			"done_$1"
		else
			expect "$WANT"
			disarm "$D"
		fi
		"after_$1"
		CTX=
		mc_n=$((mc_n - mc_step))
	done
	finish ok
}

setup_burn() { new_disc "$MEDIA" "$D"; }
run_burn() { op burn "$D" "$DATA/img2"; }
after_burn() { info_ok "$D"; prefix_of "$D" "$DATA/img2"; }
done_burn() { disc_starts_with "$D" "$DATA/img2"; }
setup_append() { new_disc "$MEDIA" "$D"; must first burn "$D" "$DATA/img" --multisession; }
run_append() { op burn "$D" "$DATA/img2" --multisession; }
after_append() { info_ok "$D"; disc_starts_with "$D" "$DATA/img"; }
done_append() { must done verify "$D" "$DATA/img2"; }
setup_format() { new_disc "$MEDIA" "$D"; }
run_format() { op format "$D"; }
after_format() { info_ok "$D"; }
done_format() {
	info_ok "$D"
	grep -q "formatted: *yes" "$T/info.out" || fail "not formatted, yet format succeeded"
}
setup_erase() { new_disc "$MEDIA" "$D"; must first burn "$D" "$DATA/img"; }
run_erase() { op erase "$D"; }
after_erase() { info_ok "$D"; }
done_erase() {
	info_ok "$D"
	grep -q "disc status: *blank" "$T/info.out" || fail "not blank, yet erase succeeded"
}
setup_close() { new_disc "$MEDIA" "$D"; must first burn "$D" "$DATA/img" --multisession; }
run_close() { op close "$D"; }
after_close() { info_ok "$D"; disc_starts_with "$D" "$DATA/img"; }
done_close() {
	info_ok "$D"
	grep -q "disc status: *\(complete\|finalized\|closed\)" "$T/info.out" ||
		fail "not finalized, yet close succeeded"
}
setup_verify() { new_disc "$MEDIA" "$D"; must first burn "$D" "$DATA/img2"; }
run_verify() { op verify "$D" "$DATA/img2"; }
after_verify() { info_ok "$D"; disc_starts_with "$D" "$DATA/img2"; }
done_verify() { :; }

# ------------------------------------------------------------------ burn
cell_burn() {
	if [ "$FAULT" = wrong-medium ]; then
		rom_disc "$MEDIA" "$D"
		op burn "$D" "$DATA/img"
		expect "$WANT"
		rom_intact "$D"
		finish ok
	fi
	new_disc "$MEDIA" "$D"
	case $FAULT in
	none)
		op burn "$D" "$DATA/img2" --verify
		expect_ok
		disc_starts_with "$D" "$DATA/img2" ;;
	write-error)
		arm "$D" write-error=100
		op burn "$D" "$DATA/img2"
		expect "$WANT"
		disarm "$D"; info_ok "$D"; prefix_of "$D" "$DATA/img2" ;;
	unreadable)
		arm "$D" unreadable=100-103
		op burn "$D" "$DATA/img2" --verify
		expect "$WANT"
		disarm "$D"; info_ok "$D"; disc_starts_with "$D" "$DATA/img2" ;;
	disc-full)
		cp --sparse=always "$D" "$T/before.img"
		op burn "$D" "$DATA/big"
		expect "$WANT"
		info_ok "$D"
		cmp -s "$D" "$T/before.img" || fail "the refused burn changed the disc" ;;
	not-blank)
		must first burn "$D" "$DATA/img" --close
		op burn "$D" "$DATA/img2"
		expect "$WANT"
		info_ok "$D"; disc_starts_with "$D" "$DATA/img" ;;
	*)
		arm_counted "$D" "$FAULT"
		op burn "$D" "$DATA/img2"
		expect "$WANT"
		disarm "$D"; info_ok "$D"; prefix_of "$D" "$DATA/img2" ;;
	esac
	finish ok
}

# ---------------------------------------------------------------- append
# A first session (data/img) is on the disc; the second one meets the fault.
cell_append() {
	if [ "$FAULT" = wrong-medium ]; then
		rom_disc "$MEDIA" "$D"
		op burn "$D" "$DATA/img" --multisession
		expect "$WANT"
		rom_intact "$D"
		finish ok
	fi
	new_disc "$MEDIA" "$D"
	must first burn "$D" "$DATA/img" --multisession
	case $FAULT in
	none)
		op burn "$D" "$DATA/img2" --multisession --verify
		expect_ok ;;
	write-error)
		nwa_of "$D"
		arm "$D" write-error=$((NWA + 100))
		op burn "$D" "$DATA/img2" --multisession
		expect "$WANT" ;;
	unreadable)
		nwa_of "$D"
		_a=$((NWA + 100))
		arm "$D" unreadable=$_a-$((_a + 3))
		op burn "$D" "$DATA/img2" --multisession --verify
		expect "$WANT" ;;
	disc-full)
		op burn "$D" "$DATA/big" --multisession
		expect "$WANT" ;;
	*)
		arm_counted "$D" "$FAULT"
		op burn "$D" "$DATA/img2" --multisession
		expect "$WANT" ;;
	esac
	disarm "$D"
	info_ok "$D"
	disc_starts_with "$D" "$DATA/img"
	finish ok
}

# ---------------------------------------------------------------- format
cell_format() {
	if [ "$FAULT" = wrong-medium ]; then
		if fx_formattable "$MEDIA"; then
			rom_disc "$MEDIA" "$D"
			op format "$D"
			expect "$WANT"
			rom_intact "$D"
		else # the row's own medium, holding data that must survive
			new_disc "$MEDIA" "$D"
			must first burn "$D" "$DATA/img"
			op format "$D"
			expect "$WANT"
			disc_starts_with "$D" "$DATA/img"
		fi
		finish ok
	fi
	new_disc "$MEDIA" "$D"
	case $FAULT in
	none)
		op format "$D"
		expect_ok
		info_ok "$D"
		grep -q "formatted: *yes" "$T/info.out" || fail "not formatted after format" ;;
	not-blank)
		must first burn "$D" "$DATA/img"
		op format "$D"
		expect "$WANT"
		disc_starts_with "$D" "$DATA/img" ;;
	*)
		FX_AFTER=8 arm_counted "$D" "$FAULT"
		op format "$D"
		expect "$WANT"
		disarm "$D"
		info_ok "$D" ;;
	esac
	finish ok
}

# ----------------------------------------------------------------- erase
cell_erase() {
	if [ "$FAULT" = wrong-medium ]; then
		if fx_erasable "$MEDIA"; then
			rom_disc "$MEDIA" "$D"
			op erase "$D"
			expect "$WANT"
			rom_intact "$D"
		else
			new_disc "$MEDIA" "$D"
			must first burn "$D" "$DATA/img"
			op erase "$D"
			expect "$WANT"
			disc_starts_with "$D" "$DATA/img"
		fi
		finish ok
	fi
	new_disc "$MEDIA" "$D"
	must first burn "$D" "$DATA/img"
	case $FAULT in
	none)
		op erase "$D"
		expect_ok
		info_ok "$D"
		grep -q "disc status: *blank" "$T/info.out" || fail "not blank after erase" ;;
	*)
		FX_AFTER=8 arm_counted "$D" "$FAULT"
		op erase "$D"
		expect "$WANT"
		disarm "$D"
		info_ok "$D"
		# refused before it started: nothing may be gone
		[ "$FAULT" = never-ready ] && disc_starts_with "$D" "$DATA/img" ;;
	esac
	finish ok
}

# ----------------------------------------------------------------- close
cell_close() {
	[ "${FX_HAVE_CLOSE:-0}" = 1 ] || finish "not built"
	if [ "$FAULT" = wrong-medium ]; then
		rom_disc "$MEDIA" "$D"
		op close "$D"
		expect "$WANT"
		rom_intact "$D"
		finish ok
	fi
	new_disc "$MEDIA" "$D"
	must first burn "$D" "$DATA/img" --multisession
	case $FAULT in
	none)
		op close "$D"
		expect_ok
		info_ok "$D"
		grep -q "disc status: *\(complete\|finalized\|closed\)" "$T/info.out" ||
			fail "disc not finalized after close: $(grep 'disc status' "$T/info.out")" ;;
	*)
		FX_AFTER=8 arm_counted "$D" "$FAULT"
		op close "$D"
		expect "$WANT"
		disarm "$D"
		info_ok "$D" ;;
	esac
	disc_starts_with "$D" "$DATA/img"
	finish ok
}

# ---------------------------------------------------------------- verify
cell_verify() {
	new_disc "$MEDIA" "$D"
	must first burn "$D" "$DATA/img2"
	case $FAULT in
	none)
		op verify "$D" "$DATA/img2"
		expect_ok ;;
	unreadable)
		arm "$D" unreadable=100-103
		op verify "$D" "$DATA/img2"
		expect "$WANT"
		grep -q "100-103" "$T/op.out" "$T/op.err" || fail "verify does not name the bad range" ;;
	*)
		arm_counted "$D" "$FAULT"
		op verify "$D" "$DATA/img2"
		expect "$WANT" ;;
	esac
	disarm "$D"
	info_ok "$D"
	disc_starts_with "$D" "$DATA/img2"
	finish ok
}

case $OP in
burn|append|format|erase|close|verify)
	[ "$OP" = close ] && [ "${FX_HAVE_CLOSE:-0}" != 1 ] && finish "not built"
	[ "$FAULT" = media-changed ] && sweep_media_change "$OP"
	"cell_$OP" ;;
commit) . "$FX_DIR/commit.sh"; cell_commit ;;
*) fail "unknown operation $OP" ;;
esac
