#!/bin/bash
# tests/vm/guest-init.sh - PID 1 of the lane's guest, after switch_root.
#
# The root is a tmpfs overlay over the host's root (read-only 9p); the
# boot directory named by dfs.boot= on the kernel command line is on the
# read-write work share and holds what run-lane.sh prepared:
#   env        shell assignments (DISCFS_SRC, DISCFS_BUILD, VM_TEST_TIMEOUT)
#   tests      one guest test script path per line, run in that order
# For each test NAME it writes, in that directory:
#   NAME.started   before the test runs (so the host knows who was running
#                  when a guest died)
#   NAME.rc        the exit status (124 = timed out) once it finished
#   NAME.log       the test's stdout and stderr
# and prints "VM-TEST NAME rc=N secs=S" on the console.  It then powers off.
# A test is run as root by bash, in its own session (setsid), in a fresh
# empty directory under /tmp, under a timeout; whatever it left running is
# killed and its emulated drives detached before the next test starts.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8

mkdir -p /dev/pts /dev/shm
# what udev or systemd would make: growisofs -M hands genisoimage /dev/fd/3
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
hostname discfs-vm
# No udev here: load what the tests use.  Failures show in the console log
# and make the tests that need the module fail, not the boot.
for m in configfs target_core_mod target_core_user tcm_loop sr_mod sg cdrom \
	 isofs udf loop fuse; do
	modprobe "$m" 2>/dev/null || echo "guest-init: modprobe $m failed"
done
mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config

BOOT=
for arg in $(cat /proc/cmdline); do
	case $arg in dfs.boot=*) BOOT=${arg#dfs.boot=} ;; esac
done
poweroff_now() { sync; /bin/busybox poweroff -f; echo o > /proc/sysrq-trigger; sleep 30; }
[ -n "$BOOT" ] && [ -r "$BOOT/env" ] && [ -r "$BOOT/tests" ] ||
	{ echo "VM-BOOT-FAILED: no dfs.boot plan"; poweroff_now; }
# shellcheck disable=SC1091
. "$BOOT/env"
export DISCFS_SRC DISCFS_BUILD VM_BOOT=$BOOT
export PATH=$DISCFS_BUILD:$PATH
echo "VM-BOOTED uptime=$(cut -d' ' -f1 /proc/uptime) kernel=$(uname -r)"

# The timeout of one test: "# vm-timeout: SECONDS" in its first 20 lines,
# else VM_TEST_TIMEOUT.
test_timeout() {
	local t
	t=$(head -n 20 "$1" | sed -n 's/^# vm-timeout: *\([0-9][0-9]*\).*/\1/p' | head -n 1)
	echo "${t:-${VM_TEST_TIMEOUT:-300}}"
}

# Detach every emulated drive a test left behind and end its processes.
# discemu records its pid in /run/discemu/NAME.pid; ending it removes its
# configfs entries.
cleanup_after() { # session-id
	local pidf pid
	pkill_session "$1"
	for pidf in /run/discemu/*.pid; do
		[ -f "$pidf" ] || continue
		pid=$(cat "$pidf")
		kill -TERM "$pid" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.3; done
		kill -KILL "$pid" 2>/dev/null
		rm -f "$pidf"
	done
	grep -qE ' (iso9660|udf) ' /proc/mounts && umount -a -t iso9660,udf 2>/dev/null
}
# Kill by process id every process of the test's session (setsid leader).
# Pure bash: a fork costs tens of milliseconds under TCG.
pkill_session() {
	local p stat f
	for p in /proc/[0-9]*; do
		read -r stat < "$p/stat" 2>/dev/null || continue
		read -ra f <<< "${stat##*) }" # comm (field 2) may hold blanks
		[ "${f[3]}" = "$1" ] && kill -KILL "${p#/proc/}" 2>/dev/null
	done
}

while read -r test; do
	[ -n "$test" ] || continue
	name=$(basename "$test" .sh)
	tmo=$(test_timeout "$test")
	dir=$(mktemp -d "/tmp/$name.XXXXXX")
	: > "$BOOT/$name.started"
	echo "VM-TEST-START $name timeout=${tmo}s"
	start=$(date +%s)
	(cd "$dir" && exec setsid timeout -k 10 "$tmo" env TMPDIR="$dir" VM_TEST="$name" \
		bash "$test") < /dev/null > "$BOOT/$name.log" 2>&1 &
	leader=$!
	wait "$leader"; rc=$?
	secs=$(( $(date +%s) - start ))
	cleanup_after "$leader"
	rm -rf "$dir"
	echo "$rc" > "$BOOT/$name.rc"
	echo "VM-TEST $name rc=$rc secs=$secs"
done < "$BOOT/tests"

echo "VM-DONE uptime=$(cut -d' ' -f1 /proc/uptime)"
poweroff_now
