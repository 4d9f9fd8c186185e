# tests/vm/lib.sh - helpers for guest tests (source it: . "$DISCFS_SRC/tests/vm/lib.sh").
# Guest tests run as root in the guest, in an empty scratch directory
# ($TMPDIR, on tmpfs), with $DISCFS_BUILD first on PATH.  See README.md.
set -euo pipefail

# Prints a step so that a failure's log shows where it happened.
step() { echo "--- $*"; }
# Fails the test with a one-line reason.
fail() { echo "FAIL: $*"; exit 1; }
# Skips the test (the lane counts it, CI fails on it): last line = reason.
skip() { echo "SKIP: $*"; exit 77; }
need() { for c in "$@"; do command -v "$c" > /dev/null || fail "$c is not installed (scripts/deps.sh)"; done; }

# emu_start NAME MEDIA BLOCKS [discemu-options...]: attaches an emulated
# burner holding a new blank disc $PWD/NAME.img; sets SR and SG.  Every
# command the drive answers is traced to $PWD/NAME.trace (shown on failure).
emu_start() {
	local name=$1 media=$2 blocks=$3
	shift 3
	local out
	out=$(discemu start --name "$name" --create "$media" --blocks "$blocks" \
		--time-scale 0 --trace "$PWD/$name.trace" --log "$PWD/$name.log" \
		"$@" "$PWD/$name.img") || { cat "$PWD/$name.log" 2>/dev/null; fail "discemu start $name ($media)"; }
	eval "$out"
	[ -b "$SR" ] && [ -c "$SG" ] || fail "discemu gave SR=$SR SG=$SG"
	EMU_TRACES="${EMU_TRACES:-} $PWD/$name.trace"
	trap emu_on_exit EXIT
	echo "emulated $media ($blocks blocks) on $SR / $SG"
}
emu_stop() {
	discemu stop --name "$1"
	EMU_TRACES=${EMU_TRACES/ $PWD\/$1.trace/}
}

# On exit: on failure show the last commands each emulated drive answered
# (and keep its whole trace in $VM_BOOT); stop the drives still attached.
emu_on_exit() {
	local rc=$? t
	if [ $rc != 0 ] && [ $rc != 77 ]; then
		for t in ${EMU_TRACES:-}; do
			[ -f "$t" ] || continue
			echo "--- last commands of $(basename "$t" .trace) (whole trace: $VM_BOOT/${VM_TEST:-t}-$(basename "$t")):"
			tail -n 25 "$t"
			cp "$t" "$VM_BOOT/${VM_TEST:-t}-$(basename "$t")" 2>/dev/null || true
		done
	fi
	for t in ${EMU_TRACES:-}; do
		discemu stop --name "$(basename "$t" .trace)" > /dev/null 2>&1 || true
	done
	return $rc
}

# Several cases in one test: run_case LABEL FUNCTION ARGS... runs the
# function in a subshell (a fail there ends only that case, its drives are
# stopped); finish_cases fails the test if any case failed.
CASES_FAILED=""
run_case() {
	local label=$1
	shift
	echo "=== case $label"
	if ( EMU_TRACES=""; "$@" ); then
		echo "=== ok: $label"
	else
		echo "=== FAILED: $label"
		CASES_FAILED="$CASES_FAILED $label"
	fi
}
finish_cases() {
	[ -z "$CASES_FAILED" ] || fail "failed cases:$CASES_FAILED"
	echo "all cases passed"
}

# sha256 of the first BYTES bytes of a device or file.
sha_head() { head -c "$2" "$1" | sha256sum | cut -d' ' -f1; }
sha_file() { sha256sum < "$1" | cut -d' ' -f1; }

# A small ISO 9660 image of random content: mkiso OUT MIB [LABEL]
mkiso() {
	local out=$1 mib=$2 label=${3:-DISCFS} d
	d=$(mktemp -d)
	head -c "$((mib * 1024 * 1024))" /dev/urandom > "$d/random.bin"
	echo "hello from $label" > "$d/hello.txt"
	xorriso -as mkisofs -quiet -V "$label" -o "$out" "$d" 2>/dev/null
	rm -rf "$d"
}

# The current size of the block device in 2048-byte blocks, as sr sees it.
sr_blocks() { echo $(( $(blockdev --getsize64 "$1") / 2048 )); }

# cdb_hex CDB... -> runs sg_raw reading up to 256 bytes; prints hex dump.
sg_read() { sg_raw -r 256 "$@" 2>/dev/null; }

# MMC answers as bytes: mmc_in FILE LEN CDB-BYTES... runs the CDB through sg
# (sg_raw), stores the data-in in FILE and loads it into the array B;
# fails the test on CHECK CONDITION.  u8/be16/be32 OFFSET read B (forks
# are dear under TCG, so the file is read once).
mmc_in() {
	local f=$1 n=$2
	shift 2
	rm -f "$f"
	sg_raw -r "$n" -o "$f" "$SG" "$@" > /dev/null 2> "$f.err" && [ -f "$f" ] ||
		fail "sg_raw $* on $SG: $(tr '\n' ' ' < "$f.err")"
	read -ra B <<< "$(od -An -tu1 -v "$f" | tr '\n' ' ')"
}
u8() { echo "${B[$1]:-0}"; }
be16() { echo $(( ${B[$1]:-0} << 8 | ${B[$1 + 1]:-0} )); }
be32() { echo $(( ${B[$1]:-0} << 24 | ${B[$1 + 1]:-0} << 16 | ${B[$1 + 2]:-0} << 8 | ${B[$1 + 3]:-0} )); }

# MMC profile number of a media name (mmc/emu names).
profile_of() {
	case $1 in
	cd-rom) echo 8 ;; cd-r) echo 9 ;; cd-rw) echo 10 ;; dvd-rom) echo 16 ;;
	dvd-r) echo 17 ;; dvd-ram) echo 18 ;; dvd-rw) echo 20 ;; dvd-r-dl) echo 21 ;;
	dvd+rw) echo 26 ;; dvd+r) echo 27 ;; dvd+r-dl) echo 43 ;; bd-rom) echo 64 ;;
	bd-r) echo 65 ;; bd-re) echo 67 ;; *) fail "unknown medium $1" ;;
	esac
}

# verify_burn ISO IMAGE: what was burned is bit-exact in the emulated disc's
# image file and when read back through $SR, and mounts as ISO 9660 with
# the content mkiso put in.
verify_burn() {
	local iso=$1 img=$2 n want got
	n=$(stat -c %s "$iso")
	want=$(sha_file "$iso")
	got=$(sha_head "$img" "$n")
	[ "$got" = "$want" ] || fail "the disc image differs from $iso (first $n bytes)"
	[ "$(sr_blocks "$SR")" -ge $((n / 2048)) ] ||
		fail "$SR shows $(sr_blocks "$SR") blocks after the burn, want >= $((n / 2048)) (no media-change seen?)"
	got=$(dd if="$SR" bs=2048 count=$((n / 2048)) 2>/dev/null | sha256sum | cut -d' ' -f1)
	[ "$got" = "$want" ] || fail "reading $SR back differs from $iso"
	mount_check iso9660 "$(isoinfo_label "$iso")"
	echo "burn verified: $n bytes bit-exact in the image and through $SR, iso9660 mounts"
}
isoinfo_label() { xorriso -indev "$1" -pvd_info 2>/dev/null | sed -n 's/^Volume Id *: *//p'; }

# mount_check FSTYPE LABEL: mounts $SR read-only, checks hello.txt says
# "hello from LABEL" (mkiso's marker), unmounts.
mount_check() {
	local fs=$1 label=$2
	mkdir -p mnt
	mount -t "$fs" -o ro "$SR" mnt || fail "mount -t $fs $SR"
	local txt
	txt=$(cat mnt/hello.txt 2>/dev/null || true)
	umount mnt
	[ "$txt" = "hello from $label" ] || fail "$fs mount of $SR: hello.txt is '$txt', want 'hello from $label'"
}

# loop_compare IMAGE SRCDIR NAME: the kernel's udf driver mounts IMAGE
# read-only through a loop device, and the tree must be SRCDIR's exactly
# (diff -r); NAME labels the mount point, the diff and the failure.
loop_compare() {
	local img=$1 src=$2 n=$3 ok=1
	mkdir -p "mnt-$n"
	mount -t udf -o ro,loop "$img" "mnt-$n" || fail "$n: mount -t udf"
	diff -r "$src" "mnt-$n" > "$n.diff" 2>&1 || ok=0
	umount "mnt-$n"
	[ $ok = 1 ] || { head -20 "$n.diff"; fail "$n: the mounted tree differs"; }
}

# disc_status: READ DISC INFORMATION disc status (0 blank, 1 appendable,
# 2 complete, 3 other) and number of sessions, as "STATUS SESSIONS".
disc_status() {
	mmc_in di.bin 34 51 00 00 00 00 00 00 00 22 00
	echo "$(( B[2] & 3 )) $(( B[9] << 8 | B[4] ))"
}

# run_logged LOGNAME CMD...: runs a burner, keeping its output; on failure
# shows its last lines and fails.
run_logged() {
	local log=$1
	shift
	echo "+ $*"
	local rc=0
	"$@" > "$log" 2>&1 || rc=$?
	[ $rc = 0 ] || { tail -n 25 "$log"; fail "$1 failed (exit $rc)"; }
}

# discfs on DEV at ./mnt in the foreground (staging ./stage, log
# ./daemon.log, pid in DPID), extra -o OPTIONS if given; fails the test
# when the mount does not appear.  unmount_discfs fails it when discfs
# ends with an error.
mount_discfs() { # DEV [OPTIONS]
	discfs "$1" mnt -f -o "staging=$PWD/stage${2:+,$2}" 2>> daemon.log &
	DPID=$!
	local i
	for i in $(seq 200); do
		mountpoint -q mnt && return 0
		kill -0 "$DPID" 2>/dev/null || { cat daemon.log; fail "discfs exited"; }
		sleep 0.1
	done
	fail "the discfs mount did not appear"
}
unmount_discfs() {
	fusermount3 -u mnt || fail "fusermount3 -u"
	wait "$DPID" || { cat daemon.log; fail "discfs ended with an error"; }
}
