# tests/faults/lib.sh - helpers for one cell of the fault matrix (sourced
# by tests/faults/cell.sh).  A cell ends by writing ONE line to $RES:
#   ok | FAIL <reason> | GAP <reason> (a known gap, named in the closing
#   notes: shown, not counted as a failure) | - (n/a) | not built
# and every check that fails ends the cell with its reason.
#
# Conventions of every cell:
#  - every program runs under `timeout`: a hang is a failure, not a wait;
#  - an exit status >= 128 (a signal: crash, abort) is a failure, and so is
#    any sanitizer report on stderr of any program the cell ran;
#  - the error report of a failed command is its stderr without the
#    progress lines ("discctl: drive N: writing"): 1 to 3 lines, the first
#    starting with the program's name and saying what failed.

DISCCTL="$FX_BIN/discctl"
DISCFS="$FX_BIN/discfs"
: "${FX_TIMEOUT:=60}"

finish() { # STATUS...
	printf '%s\n' "$*" >"$RES"
	exit 0
}
fail() { finish "FAIL ${CTX:-}$*"; }
na() { finish "-"; }

# The first error line of a file (progress lines skipped), shortened.
first_err() {
	grep -v -E '^discctl: drive [0-9]+: [a-z ]+$' "$1" 2>/dev/null |
		head -n 1 | cut -c 1-160
}

# Any sanitizer or crash report in what the cell's programs printed.
san_check() {
	cat "$T"/*.err "$T"/daemon.log 2>/dev/null |
		grep -m 1 -E 'Sanitizer|runtime error:|Segmentation fault|core dumped|Assertion .* failed' \
			>"$T/san.txt" || true
	[ -s "$T/san.txt" ] && fail "sanitizer/crash report: $(cut -c 1-160 "$T/san.txt")"
	return 0
}

# dc NAME ARGS...: runs discctl with stdout/stderr in $T/NAME.out/.err;
# sets RC.  Never fails the cell by itself.
dc() {
	_n=$1
	shift
	RC=0
	timeout -k 5 "$FX_TIMEOUT" "$DISCCTL" "$@" >"$T/$_n.out" 2>"$T/$_n.err" </dev/null ||
		RC=$?
	return 0
}

# must NAME ARGS...: a set-up or check step that has to succeed.
must() {
	_n=$1
	dc "$@"
	[ "$RC" = 0 ] || fail "$_n failed (exit $RC): $(first_err "$T/$_n.err")"
}

new_disc() { # MEDIA IMAGE [CAPACITY]
	must create emu create --media "$1" --capacity "${3:-20000}" "$2"
	must scale emu time-scale "$2" 0
}

# A pressed disc of the same family as MEDIA, holding the UDF image $FX_ROM
# (the "wrong medium" for every writing operation).
rom_disc() { # MEDIA IMAGE
	case $1 in
	cd-*) _r=cd-rom ;; bd-*) _r=bd-rom ;; *) _r=dvd-rom ;;
	esac
	cp "$FX_ROM" "$2"
	must create emu create --media "$_r" "$2"
	must scale emu time-scale "$2" 0
	cp "$2" "$T/rom.before"
}

arm() { must arm emu fault "$1" "$2"; }
disarm() { must disarm emu fault "$1" clear; }

# op NAME ARGS...: the operation under test (discctl); sets RC.
op() { dc op "$@"; }

# The verdict on the operation's exit status and error report.
# WANT is an exit status or several separated by | (e.g. "6|8").
expect() { # WANT
	san_check
	[ "$RC" = 124 ] || [ "$RC" = 137 ] && fail "hung (killed after ${FX_TIMEOUT}s)"
	[ "$RC" -ge 128 ] && [ "$RC" != 130 ] && fail "crashed (exit $RC)"
	[ "$RC" = 0 ] && fail "succeeded despite the fault (want exit $1)"
	case "|$1|" in
	*"|$RC|"*) ;;
	*) fail "exit $RC, want $1: $(first_err "$T/op.err")" ;;
	esac
	check_report "$T/op.err"
}

check_report() { # FILE
	grep -v -E '^discctl: drive [0-9]+: [a-z ]+$' "$1" >"$T/report" || true
	_l=$(wc -l <"$T/report")
	[ "$_l" -ge 1 ] || fail "exit $RC with no error message"
	[ "$_l" -le 3 ] || fail "error report of $_l lines: $(head -n 1 "$T/report" | cut -c 1-120)"
	head -n 1 "$T/report" | grep -q -E '^discctl: .*[a-z]{3,} .*[a-z]{3,}' ||
		fail "unclear first error line: $(head -n 1 "$T/report" | cut -c 1-120)"
	return 0
}

# The clean run of an operation (the "none" column) must succeed.
expect_ok() {
	san_check
	[ "$RC" = 0 ] || fail "exit $RC without a fault: $(first_err "$T/op.err")"
}

# After the fault is cleared: the drive still answers for the disc.
info_ok() { # IMAGE
	must info info "$1"
}

# The disc holds FILE from its first block on (read of the whole disc;
# the unreadable gaps between CD sessions come back zero-filled with exit
# 9, which is fine as long as FILE's blocks read back).
disc_starts_with() { # IMAGE FILE
	dc readback read "$1" -o "$T/back.bin" --disc
	if [ "$RC" = 9 ] && grep -q "zero-filled" "$T/readback.out"; then
		RC=0
	fi
	[ "$RC" = 0 ] || fail "read of the disc failed (exit $RC): $(first_err "$T/readback.err")"
	_n=$(wc -c <"$2")
	[ "$(wc -c <"$T/back.bin")" -ge "$_n" ] ||
		fail "disc holds $(wc -c <"$T/back.bin") bytes, committed data is $_n"
	cmp -s -n "$_n" "$2" "$T/back.bin" || fail "data committed before the fault differs"
}

# Whatever was recorded is FILE's data in its place (a burn cut short):
# a read may fail (nothing recorded); every byte it returns is FILE's byte
# at that offset or a zero (a block never written: rewritable media read
# back their whole formatted area, and WRITEs queued behind a failed one
# may have landed after a hole).
prefix_of() { # IMAGE FILE
	dc readback read "$1" -o "$T/back.bin" --disc
	[ "$RC" -ge 128 ] && fail "read crashed after the fault (exit $RC)"
	[ "$RC" = 0 ] || return 0
	_n=$(wc -c <"$T/back.bin")
	[ "$_n" -le "$(wc -c <"$2")" ] || _n=$(wc -c <"$2")
	_d=$(cmp -l -n "$_n" "$2" "$T/back.bin" 2>/dev/null |
		awk '$3 != 0 { print $1; exit }')
	[ -z "$_d" ] || fail "recorded data differs from the image at byte $_d"
}

# The pressed disc is unchanged by the refused operation.
rom_intact() { # IMAGE
	cmp -s "$1" "$T/rom.before" || fail "the pressed disc's image changed"
}
