# tests/lib/discfs_mount.sh - sourced by shell tests that mount discfs.
# Before sourcing, set SCRATCH (a name for the scratch directory) and
# BUILD (the build directory).  It gives:
#   W          the scratch directory (removed at exit, mount undone first)
#   M          the mount point, $W/mnt (created)
#   fail MSG   prints FAIL and the daemon log's tail, exits 1
#   mount_it DEV STAGING [OPTIONS]   starts discfs in the foreground
#              (stderr to $W/daemon.log) and waits for the mount; with
#              FRESH_LOG=1 the log is emptied first
#   unmount_it unmounts and waits for the daemon; with STRICT_UNMOUNT=1
#              a daemon that ends with an error fails the test
W=$(mktemp -d "/tmp/$SCRATCH.XXXXXX")
M="$W/mnt"
PID=""
mkdir -p "$M"
cleanup() {
	fusermount3 -u -z "$M" 2>/dev/null || true
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -f "$W/daemon.log" ] && tail -5 "$W/daemon.log"; exit 1; }

mount_it() { # DEV STAGING [OPTIONS]
	[ "${FRESH_LOG:-0}" = 1 ] && : >"$W/daemon.log"
	"$BUILD/discfs" "$1" "$M" -f -o "staging=$2${3:+,$3}" 2>>"$W/daemon.log" &
	PID=$!
	for _ in $(seq 200); do
		mountpoint -q "$M" && return 0
		kill -0 "$PID" 2>/dev/null || fail "discfs exited"
		sleep 0.05
	done
	fail "mount did not appear"
}
unmount_it() {
	fusermount3 -u "$M"
	if ! wait "$PID" && [ "${STRICT_UNMOUNT:-0}" = 1 ]; then
		fail "discfs exited with an error"
	fi
	PID=""
}
