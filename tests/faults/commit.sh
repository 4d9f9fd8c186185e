# tests/faults/commit.sh - the "commit" column of the fault matrix (sourced
# by cell.sh).  A copy of base/MEDIA.img (data/tree committed through
# discfs) is mounted with a fresh staging area; files are changed; the
# fault is armed; `discctl commit` must fail with the documented status
# and one clear line.  Then: the daemon holds no more descriptors than
# before the commit (fds and io_uring rings released on the error path);
# with the fault cleared our reader lists the disc and the committed tree
# extracts intact; at the next mount the changes are still there (staged,
# or committed) and the disc passes fsck.

M="$T/mnt"
PID=""

fx_umount() {
	[ -n "$PID" ] || return 0
	fusermount3 -u "$M" 2>/dev/null || fusermount3 -u -z "$M" 2>/dev/null
	_i=0
	while kill -0 "$PID" 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	kill -0 "$PID" 2>/dev/null && { kill -9 "$PID"; fail "discfs did not exit after unmount"; }
	wait "$PID" 2>/dev/null
	PID=""
}
trap 'fx_umount 2>/dev/null; [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null' EXIT

# Mounts DEV; returns 1 (with MRC = the daemon's exit status) when the
# daemon refuses the disc.
fx_mount() { # DEV
	mkdir -p "$M"
	"$DISCFS" "$1" "$M" -f -o "staging=$T/stg,no_commit_on_unmount" \
		>>"$T/daemon.log" 2>&1 </dev/null &
	PID=$!
	_i=0
	while [ $_i -lt 300 ]; do
		mountpoint -q "$M" && return 0
		if ! kill -0 "$PID" 2>/dev/null; then
			MRC=0
			wait "$PID" || MRC=$?
			PID=""
			return 1
		fi
		sleep 0.05
		_i=$((_i + 1))
	done
	fail "the mount did not appear in 15 s"
}

fds_of() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

same_files() { # FROM TO: every regular file of FROM equal in TO
	(cd "$1" && find . -type f) | while IFS= read -r _f; do
		cmp -s "$1/$_f" "$2/$_f" || { echo "$_f"; return 0; }
	done
}

# The changes staged before the faulty commit.
stage_changes() {
	cp "$DATA/new.bin" "$M/new.bin" 2>"$T/stage.err" ||
		fail "staging new.bin failed: $(head -n 1 "$T/stage.err")"
	printf 'changed\n' 2>"$T/stage.err" >"$M/one.txt" ||
		fail "staging one.txt failed: $(head -n 1 "$T/stage.err")"
}

changes_present() { # DIR
	cmp -s "$DATA/new.bin" "$1/new.bin" || fail "staged new.bin lost"
	[ "$(cat "$1/one.txt" 2>/dev/null)" = changed ] || fail "staged change of one.txt lost"
}

# The committed tree as our reader extracts it: every file of data/tree
# but one.txt (which may hold the old or the new content) is intact.
committed_intact() { # DEV
	must ls ls "$1" -R
	rm -rf "$T/x"
	must extract extract "$1" -o "$T/x"
	_bad=$(same_files "$DATA/tree" "$T/x" | grep -v '^\./one\.txt$' | head -n 1)
	[ -z "$_bad" ] || fail "committed file $_bad lost or changed"
	case "$(cat "$T/x/one.txt" 2>/dev/null)" in
	changed|"first file") ;;
	*) fail "one.txt is neither its committed nor its staged content" ;;
	esac
}

fx_write_error_lba() {
	WLBA=$(cat "$FX_WORK/base/$MEDIA.wlba")
}

fx_used() { # DEV: blocks recorded (the emulated drive's count)
	"$FX_BIN/discctl" emu show "$1" | awk '/^used:/ { print $2 }'
}

fsck_ok() { # DEV
	must fsck fsck "$1"
}

commit_clean() {
	new_disc "$MEDIA" "$D"
	fx_mount "$D" || fail "mount of a blank disc refused (exit $MRC): $(tail -n 1 "$T/daemon.log")"
	cp -R "$DATA/tree/." "$M/" || fail "copy into the mount"
	op commit "$M"
	expect_ok
	stage_changes
	op commit "$M"
	expect_ok
	fx_umount
	committed_intact "$D"
	fsck_ok "$D"
	fx_mount "$D" || fail "remount refused (exit $MRC)"
	changes_present "$M"
	fx_umount
	san_check
	finish ok
}

# A disc our commit must refuse: the mount refuses it (daemon exit status
# and message are the verdict), or the commit does, keeping the changes.
commit_refused() { # DEV
	if ! fx_mount "$1"; then
		RC=$MRC
		cp "$T/daemon.log" "$T/op.err"
		sed -i 's/^discfs: /discctl: /' "$T/op.err" # same report rules
		expect "$WANT"
		return 0
	fi
	# a read-only mount (a pressed disc) refuses the change itself
	if ! cp "$DATA/new.bin" "$M/new.bin" 2>"$T/write.err"; then
		grep -q "Read-only file system" "$T/write.err" ||
			fail "staging on a refused disc: $(head -n 1 "$T/write.err")"
		fx_umount
		return 0
	fi
	stage_changes
	op commit "$M"
	expect "$WANT"
	fx_umount
	fx_mount "$1" || fail "remount refused (exit $MRC)"
	changes_present "$M"
	fx_umount
}

cell_commit() {
	[ -x "$DISCFS" ] || finish "not built"
	command -v fusermount3 >/dev/null && [ -e /dev/fuse ] ||
		fail "no FUSE on this machine"
	case $FAULT in
	none) commit_clean ;;
	wrong-medium)
		rom_disc "$MEDIA" "$D"
		commit_refused "$D"
		rom_intact "$D"
		san_check
		finish ok ;;
	not-blank) # data that is not a UDF volume
		new_disc "$MEDIA" "$D"
		must first burn "$D" "$DATA/img"
		commit_refused "$D"
		disc_starts_with "$D" "$DATA/img"
		san_check
		finish ok ;;
	esac
	[ -f "$FX_WORK/base/$MEDIA.img" ] ||
		fail "no base disc: $(cat "$FX_WORK/base/$MEDIA.why" 2>/dev/null)"
	cp --sparse=always "$FX_WORK/base/$MEDIA.img" "$D"
	cp "$FX_WORK/base/$MEDIA.img.state" "$D.state"
	fx_mount "$D" || fail "mount of the committed disc refused (exit $MRC)"
	ls -R "$M" >/dev/null || fail "the committed tree does not list"
	fd0=$(fds_of "$PID")
	if [ "$FAULT" = disc-full ]; then
		# more than the disc holds: refused when written, or at commit
		if head -c 48000000 /dev/zero >"$M/big.bin" 2>"$T/write.err"; then
			op commit "$M"
			expect "$WANT"
		else
			grep -q "No space left" "$T/write.err" ||
				fail "writing past the disc's space: $(head -n 1 "$T/write.err")"
		fi
		rm -f "$M/big.bin"
	else
		stage_changes
		case $FAULT in
		write-error) fx_write_error_lba; arm "$D" write-error=$WLBA ;;
		# every recorded block unreadable: the commit reads the
		# volume (anchor, VAT or bitmap, directories) before it writes
		unreadable) arm "$D" unreadable=0-$(($(fx_used "$D") + 1)) ;;
		power-loss) arm "$D" power-loss-after=3 ;;
		media-changed) # in the commit's second half: while it writes
			arm "$D" media-change-after=$(($(cat "$FX_WORK/base/$MEDIA.cmds") / 2)) ;;
		*) FX_AFTER=6 arm_counted "$D" "$FAULT" ;;
		esac
		op commit "$M"
		# A 6/28 says only that the medium MAY have changed (cell.sh):
		# a commit that waits it out must then have done its job.
		if [ "$FAULT" = media-changed ] && [ "$RC" = 0 ]; then
			MC_DONE=1
		else
			expect "$WANT"
		fi
		disarm "$D"
	fi
	fd1=$(fds_of "$PID")
	[ "$fd1" -le "$fd0" ] || fail "daemon holds $fd1 descriptors after the failed commit, $fd0 before"
	fx_umount
	committed_intact "$D"
	if [ "${MC_DONE:-0}" = 1 ]; then
		cmp -s "$DATA/new.bin" "$T/x/new.bin" &&
			[ "$(cat "$T/x/one.txt")" = changed ] ||
			fail "the commit succeeded despite the medium change, but the disc lacks the changes"
	fi
	# An in-place commit cut mid-way leaves the disc partly committed:
	# the staged changes are replayed over it (fused/staging.h).
	fx_mount "$D" ||
		fail "remount after the fault refused (exit $MRC): $(tail -n 1 "$T/daemon.log")"

	[ "$FAULT" = disc-full ] || changes_present "$M"
	fx_umount
	fsck_ok "$D"
	san_check
	finish ok
}
