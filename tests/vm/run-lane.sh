#!/bin/sh
# tests/vm/run-lane.sh - the real-kernel lane: boots Debian's kernel under
# QEMU with the host's root shared read-only (9p + tmpfs overlay), runs the
# guest tests tests/vm/t_*.sh as root inside, several per boot, and prints
# one line per test:
#   PASS NAME (Ns) | FAIL NAME: why | SKIP NAME: why
# followed by a summary.  Exit status: 0 all passed; 1 something failed
# (including a guest that did not boot); 77 nothing failed but something
# was skipped (tests/run.sh counts that as a skip, and CI as a failure).
#
# Usage: run-lane.sh [--tests DIR] [--no-selftest] [WORD...]
#   WORD...        run only the tests whose name contains one of the words
#   --tests DIR    take t_*.sh from DIR instead of tests/vm
#   --no-selftest  do not run the harness self-test (tests/vm/selftest.sh)
# Env: DISCFS_SRC (repo root), DISCFS_BUILD (build dir, on the guest's PATH),
#   VM_WORK (work dir shared read-write with the guest; $DISCFS_BUILD/vm;
#   each run writes to VM_WORK/run-DATE-XXXX/boot-N, VM_WORK/last = newest),
#   VM_TEST_TIMEOUT (s per test, default 300; a test may say
#   "# vm-timeout: N" in its first lines), VM_MEM (MiB, 2048), VM_SMP (2),
#   VM_KVER (kernel; newest *-amd64 in /lib/modules), ACCEL (tcg|kvm),
#   VM_SKIP_DEPS=1 (do not run scripts/deps.sh).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${DISCFS_SRC:-$(cd "$HERE/../.." && pwd)}
BUILD=$(cd "${DISCFS_BUILD:-$SRC/build}" 2>/dev/null && pwd) ||
	{ echo "FAIL vm-lane: build directory ${DISCFS_BUILD:-$SRC/build} missing (run make)"; exit 1; }
TESTS_DIR=$HERE SELFTEST=1 WORDS=()
while [ $# -gt 0 ]; do
	case $1 in
	--tests) TESTS_DIR=$(cd "$2" && pwd) || exit 2; shift 2 ;;
	--no-selftest) SELFTEST=0; shift ;;
	-h|--help) sed -n '2,21s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "run-lane: unknown option $1" >&2; exit 2 ;;
	*) WORDS+=("$1"); shift ;;
	esac
done
WORK=${VM_WORK:-$BUILD/vm}
mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd) || exit 1
LANE_START=$(date +%s)

loud() { # a banner nobody scrolls past
	echo "========================================================================"
	echo "vm-lane: $*"
	echo "========================================================================"
}

# ------------------------------------------------------------ prerequisites
if [ "$(id -u)" != 0 ]; then
	loud "SKIPPED: the real-kernel lane needs root (QEMU 9p passthrough of /)"
	echo "SKIP vm-lane: needs root"
	exit 77
fi
if [ "${VM_SKIP_DEPS:-0}" != 1 ] && ! sh "$SRC/scripts/deps.sh"; then
	loud "FAILED: scripts/deps.sh could not install the lane's packages"
	echo "FAIL vm-lane: packages missing"
	exit 1
fi
KVER=${VM_KVER:-$(ls -d /lib/modules/*-amd64 2>/dev/null | sort -V | tail -n 1 | xargs -r basename)}
KERNEL=/boot/vmlinuz-$KVER
if [ -z "$KVER" ] || [ ! -r "$KERNEL" ]; then
	loud "FAILED: no Debian kernel (linux-image-amd64) in /boot and /lib/modules"
	echo "FAIL vm-lane: no guest kernel"
	exit 1
fi
case "$WORK$SRC$BUILD" in *[[:space:],]*)
	echo "FAIL vm-lane: paths must not contain blanks or commas ($WORK, $SRC)"; exit 1 ;;
esac
INITRD=$WORK/initramfs-$KVER.cpio.gz
if [ ! -s "$INITRD" ] || [ "$HERE/mkinitramfs.sh" -nt "$INITRD" ]; then
	bash "$HERE/mkinitramfs.sh" "$KVER" "$INITRD" ||
		{ echo "FAIL vm-lane: building the initramfs failed"; exit 1; }
fi

# ------------------------------------------------------------ the test list
PENDING=()
for t in "$TESTS_DIR"/t_*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	if [ ${#WORDS[@]} -gt 0 ]; then
		hit=0; for w in "${WORDS[@]}"; do case $n in *"$w"*) hit=1 ;; esac; done
		[ $hit = 1 ] || continue
	fi
	PENDING+=("$t")
done

npass=0 nfail=0 nskip=0 boots=0
declare -A SECS=()
report() { # verdict name detail [log]
	case $1 in
	PASS) npass=$((npass + 1)); echo "PASS $2 ($3)" ;;
	SKIP) nskip=$((nskip + 1)); echo "SKIP $2: $3" ;;
	FAIL) nfail=$((nfail + 1)); echo "FAIL $2: $3"
	      if [ -n "${4:-}" ] && [ -f "$4" ]; then
		      echo "    --- last lines of $4:"; tail -n 30 "$4" | sed 's/^/    /'
	      fi ;;
	esac
}
timeout_of() {
	local t
	t=$(head -n 20 "$1" | sed -n 's/^# vm-timeout: *\([0-9][0-9]*\).*/\1/p' | head -n 1)
	echo "${t:-${VM_TEST_TIMEOUT:-300}}"
}

# Boots one guest on the tests in PENDING; afterwards PENDING holds the
# tests that did not get to run.  Returns 1 when the guest did not boot.
boot_once() {
	boots=$((boots + 1))
	local dir=$RUN/boot-$boots t n budget=120 rc
	mkdir -p "$dir"
	printf 'DISCFS_SRC=%q\nDISCFS_BUILD=%q\nVM_TEST_TIMEOUT=%q\n' \
		"$SRC" "$BUILD" "${VM_TEST_TIMEOUT:-300}" > "$dir/env"
	printf '%s\n' "${PENDING[@]}" > "$dir/tests"
	for t in "${PENDING[@]}"; do budget=$((budget + $(timeout_of "$t") + 15)); done
	local accel=(-accel "tcg,thread=multi" -cpu max)
	[ "${ACCEL:-tcg}" = kvm ] && accel=(-accel kvm -cpu host)
	echo "vm-lane: boot $boots: ${#PENDING[@]} test(s), console $dir/console.log"
	timeout -k 10 "$budget" qemu-system-x86_64 "${accel[@]}" -M q35 \
		-m "${VM_MEM:-2048}" -smp "${VM_SMP:-2}" -nodefaults -display none \
		-no-reboot -serial "file:$dir/console.log" -monitor none \
		-kernel "$VM_KERNEL_ARG" -initrd "$INITRD" \
		-append "console=ttyS0 panic=-1 loglevel=4 mitigations=off no_timer_check dfs.work=$WORK dfs.init=$HERE/guest-init.sh dfs.boot=$dir" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$WORK,mount_tag=vmwork,security_model=none,multidevs=remap" \
		> "$dir/qemu.log" 2>&1 < /dev/null
	rc=$?
	[ $rc = 0 ] || echo "vm-lane: qemu exited with status $rc$([ $rc = 124 ] && echo ' (lane timeout)')"
	if ! grep -q '^VM-BOOTED' "$dir/console.log" 2>/dev/null && [ "$VM_KERNEL_ARG" = "$KERNEL" ] &&
	   [ "${retried:-0}" = 0 ]; then
		# an emulated machine on an overloaded host can miss the kernel's
		# early timer checks: one more try, said out loud
		retried=1
		echo "vm-lane: boot $boots did not reach the tests (last console line: $(tail -n 1 "$dir/console.log" 2>/dev/null)); retrying once"
		boot_once
		return $?
	fi
	if ! grep -q '^VM-BOOTED' "$dir/console.log" 2>/dev/null; then
		loud "FAILED: the guest did not boot (qemu status $rc)"
		echo "--- qemu: $(tail -n 5 "$dir/qemu.log" 2>/dev/null)"
		echo "--- last console lines ($dir/console.log):"
		tail -n 25 "$dir/console.log" 2>/dev/null | sed 's/^/    /'
		for t in "${PENDING[@]}"; do report FAIL "$(basename "$t" .sh)" "guest did not boot"; done
		PENDING=()
		return 1
	fi
	local left=()
	for t in "${PENDING[@]}"; do
		n=$(basename "$t" .sh)
		if [ -f "$dir/$n.rc" ]; then
			verdict "$n" "$(cat "$dir/$n.rc")" "$dir"
		elif [ -f "$dir/$n.started" ]; then
			report FAIL "$n" "the guest died or hung during this test (console: $dir/console.log)" "$dir/$n.log"
			grep -E 'Kernel panic|BUG:|Oops|hung_task|blocked for more' "$dir/console.log" | head -n 5 | sed 's/^/    console: /'
		else
			left+=("$t")
		fi
	done
	PENDING=("${left[@]}")
	return 0
}
verdict() { # name rc dir
	local secs
	secs=$(sed -n "s/^VM-TEST $1 rc=[0-9]* secs=\([0-9]*\).*/\1/p" "$3/console.log" | tail -n 1)
	case $2 in
	0) report PASS "$1" "${secs:-?}s" ;;
	77) report SKIP "$1" "$(tail -n 1 "$3/$1.log")" ;;
	124|137) report FAIL "$1" "timed out after ${secs:-?}s" "$3/$1.log" ;;
	*) report FAIL "$1" "exit status $2 (log $3/$1.log)" "$3/$1.log" ;;
	esac
}

# ------------------------------------------------------------ run
VM_KERNEL_ARG=${VM_KERNEL:-$KERNEL}
# Each run has its own directory, so that lanes run at the same time (by
# other engineers, or CI jobs) do not share results; "last" points to it.
RUN=$(mktemp -d "$WORK/run-$(date +%Y%m%d-%H%M%S)-XXXX") || exit 1
ln -sfn "$(basename "$RUN")" "$WORK/last"
echo "vm-lane: results in $RUN"
if [ ${#PENDING[@]} = 0 ]; then
	echo "vm-lane: no guest test matches"
else
	max=$(( ${#PENDING[@]} + 1 ))
	while [ ${#PENDING[@]} -gt 0 ] && [ $boots -lt $max ]; do
		boot_once || break
	done
	for t in "${PENDING[@]}"; do report FAIL "$(basename "$t" .sh)" "never ran (too many guest deaths)"; done
fi

if [ $SELFTEST = 1 ] && [ ${#WORDS[@]} = 0 ]; then
	st=$(date +%s)
	if VM_SELFTEST_WORK=$RUN/selftest bash "$HERE/selftest.sh" > "$RUN/selftest.log" 2>&1; then
		report PASS harness_selftest "$(( $(date +%s) - st ))s"
	else
		report FAIL harness_selftest "the harness misreported its own fixtures" "$RUN/selftest.log"
	fi
fi

echo "vm-lane: $npass passed, $nfail failed, $nskip skipped; $boots boot(s), $(( $(date +%s) - LANE_START ))s"
[ $nfail = 0 ] || exit 1
if [ $nskip -gt 0 ]; then
	loud "$nskip guest test(s) SKIPPED: the lane is incomplete (CI fails on this)"
	exit 77
fi
exit 0
