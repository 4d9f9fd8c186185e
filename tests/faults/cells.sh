# tests/faults/cells.sh - the shape of the fault matrix (sourced): which
# media, operations and faults there are, which cells make sense, and the
# exit status each fault must give (man/discctl.1, EXIT STATUS).

FX_MEDIA="cd-r cd-rw dvd-r dvd-r-dl dvd-rw dvd+r dvd+r-dl dvd+rw dvd-ram bd-r bd-re"
FX_OPS="burn append format erase commit close verify"
# "none" is the clean run: the operation must work before its faults mean
# anything.
FX_FAULTS="none write-error unreadable power-loss drive-gone media-changed disc-full wrong-medium not-blank never-ready"

fx_in() { # WORD LIST...
	_w=$1
	shift
	for _x in "$@"; do [ "$_x" = "$_w" ] && return 0; done
	return 1
}

fx_sequential() { fx_in "$1" cd-r cd-rw dvd-r dvd-r-dl dvd-rw dvd+r dvd+r-dl bd-r; }
# DVD-R DL is written disc-at-once only: its first burn finalizes it (as
# with libburn and growisofs), so there is no second session to append
# and no open session to close.
fx_appendable() { fx_sequential "$1" && [ "$1" != dvd-r-dl ]; }
fx_formattable() { fx_in "$1" dvd+rw dvd-rw dvd-ram bd-re bd-r; }
fx_erasable() { fx_in "$1" cd-rw dvd-rw; }

# Does the cell make sense?  (A fault that cannot happen during the
# operation on the emulator -- a write error where nothing is written, a
# power loss where no sector is written -- is n/a.)
fx_applies() { # OP MEDIA FAULT
	case $1 in
	burn)
		case $3 in
		not-blank) fx_sequential "$2" ;; # a finalized disc
		*) return 0 ;;
		esac ;;
	append)
		fx_appendable "$2" && ! fx_in "$3" not-blank ;;
	format)
		if fx_formattable "$2"; then
			case $3 in
			none|drive-gone|media-changed|wrong-medium|never-ready) return 0 ;;
			not-blank) [ "$2" = bd-r ] ;; # BD-R with data: no (re)format
			*) return 1 ;;
			esac
		else
			[ "$3" = wrong-medium ] # the row's own medium cannot be formatted
		fi ;;
	erase)
		if fx_erasable "$2"; then
			fx_in "$3" none drive-gone media-changed wrong-medium never-ready
		else
			[ "$3" = wrong-medium ] # the row's own medium cannot be erased
		fi ;;
	commit) return 0 ;;
	close)
		fx_appendable "$2" &&
			fx_in "$3" none drive-gone media-changed wrong-medium never-ready ;;
	verify)
		fx_in "$3" none unreadable drive-gone media-changed never-ready ;;
	*) return 1 ;;
	esac
}

# The exit status(es) a fault must give.  A medium change has no status of
# its own in the table: "1 any other failure".  A disc holding data that
# is no UDF volume is refused by discfs as malformed disc structures (11).
fx_want() { # FAULT [OP]
	case $1 in
	not-blank) [ "${2:-}" = commit ] && echo "6|11" || echo 6 ;;
	write-error|unreadable) echo 9 ;;
	power-loss|drive-gone) echo 3 ;;
	media-changed) echo 1 ;;
	disc-full) echo 7 ;;
	wrong-medium) echo "6|8" ;;
	not-blank) echo 6 ;;
	never-ready) echo 5 ;;
	none) echo 0 ;;
	esac
}
