#!/bin/sh
# scripts/demo.sh BUILD - the main job, on an emulated drive (make demo).
#
# The whole story of discfs: a blank emulated BD-R in an emulated burner is
# mounted as a folder, a sample tree is rsynced onto it, committed, the
# folder is unmounted; then a second session adds, changes and deletes
# files; then independent readers confirm every file: the project's own
# cross-check (udfinfo, udfclient) and, when QEMU and Debian's kernel are
# installed (scripts/deps.sh installs them), the Linux kernel's own UDF
# driver reading the disc through a loop device.
set -eu
BUILD=${1:-build}
BUILD=$(cd "$BUILD" && pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PATH="$BUILD:$PATH"
# The demo's files live under the build directory, which the guest of the
# kernel check sees (the host's root is shared with it read-only).
WORK="$BUILD/demo"
rm -rf "$WORK"
mkdir -p "$WORK"
DISC="$WORK/disc.img" MNT="$WORK/mnt" SRC="$WORK/sample" PID=""
cleanup() {
	if [ -n "$PID" ]; then
		fusermount3 -u "$MNT" 2>/dev/null || true
		kill "$PID" 2>/dev/null || true
	fi
}
trap cleanup EXIT INT TERM
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

mount_disc() {
	printf '$ discfs %s %s -o staging=%s\n' "$DISC" "$MNT" "$WORK/staging"
	discfs "$DISC" "$MNT" -f -o "staging=$WORK/staging" 2>>"$WORK/discfs.log" &
	PID=$!
	i=0
	until mountpoint -q "$MNT"; do
		i=$((i + 1))
		[ $i -lt 200 ] || { cat "$WORK/discfs.log"; echo "demo: discfs did not mount"; exit 1; }
		kill -0 "$PID" 2>/dev/null || { cat "$WORK/discfs.log"; echo "demo: discfs exited"; exit 1; }
		sleep 0.05
	done
}
unmount_disc() {
	run fusermount3 -u "$MNT"
	wait "$PID" || { cat "$WORK/discfs.log"; echo "demo: discfs failed at unmount"; exit 1; }
	PID=""
}

step "1. A blank BD-R (25 GB, sparse image) in an emulated burner"
run discctl emu create --media bd-r "$DISC"
# Real BD 16x timing would make the demo wait for the drive; 0 = no waiting
# (the speed model still runs; make bench measures it at real time).
run discctl emu time-scale "$DISC" 0
run discctl info "$DISC"

step "2. A sample tree: text, binaries, nested folders, a symlink, a hard link, non-ASCII names"
mkdir -p "$SRC/docs" "$SRC/photos/2026/summer" "$SRC/music/Céline" "$SRC/日本語"
cp "$ROOT"/docs/*.md "$SRC/docs/"
cp "$ROOT"/README.md "$SRC/"
for i in 1 2 3 4 5; do head -c $((i * 300000)) /dev/urandom > "$SRC/photos/2026/summer/img_$i.raw"; done
head -c 4000000 /dev/urandom > "$SRC/music/Céline/track01.flac"
echo "こんにちは" > "$SRC/日本語/挨拶.txt"
: > "$SRC/empty-file"
ln -s docs/architecture.md "$SRC/architecture-link.md"
ln "$SRC/README.md" "$SRC/README-hardlink.md"
chmod 600 "$SRC/photos/2026/summer/img_1.raw"
find "$SRC" | sort | sed "s|^$SRC|sample|" | head -30

step "3. Mount the blank disc as a folder and rsync the tree onto it"
mkdir -p "$MNT"
mount_disc
run rsync -aH "$SRC/" "$MNT/"
run df -h "$MNT"
echo "(staged on local disk; nothing written to the disc yet)"

step "4. Commit: the first session is written to the disc"
run discctl commit "$MNT"
unmount_disc
run discctl info "$DISC"

step "5. A week later: mount again, add, change, delete, rename; commit again"
mount_disc
run diff -r "$SRC" "$MNT" && echo "the disc's tree equals the source"
nwa1=$(discctl info --json "$DISC" | python3 -c 'import json,sys; print(json.load(sys.stdin)["medium"]["next_writable"])')
echo "new notes" > "$SRC/notes.txt"; cp -p "$SRC/notes.txt" "$MNT/notes.txt"
echo "changed" >> "$SRC/docs/architecture.md"; cp -p "$SRC/docs/architecture.md" "$MNT/docs/architecture.md"
rm "$SRC/photos/2026/summer/img_5.raw"; rm "$MNT/photos/2026/summer/img_5.raw"
mv "$SRC/music" "$SRC/audio"; mv "$MNT/music" "$MNT/audio"
run discctl commit "$MNT"
echo "(only the new and changed files, their directories and a new VAT were appended)"
unmount_disc
run discctl info "$DISC"
nwa2=$(discctl info --json "$DISC" | python3 -c 'import json,sys; print(json.load(sys.stdin)["medium"]["next_writable"])')
echo "the second commit appended $((nwa2 - nwa1)) blocks ($(( (nwa2 - nwa1) * 2 )) KiB) of the disc"

step "6. Our own reader and checker"
run discctl ls -R "$DISC" | head -40
run discctl fsck "$DISC"
rm -rf "$WORK/extracted"
run discctl extract "$DISC" -o "$WORK/extracted"
run diff -r "$SRC" "$WORK/extracted" && echo "extracted tree equals the source"

step "7. Independent readers (nobody here wrote them)"
# A reader of an image file has no drive to ask where the disc ends: cut
# the image at the last recorded block, as the drive reports it.
end=$(discctl info --json "$DISC" | python3 -c 'import json,sys; d=json.load(sys.stdin); m=d["medium"]; print(m.get("last_lba", 0) + 1)')
cp --sparse=always "$DISC" "$WORK/session.img"
truncate -s $((end * 2048)) "$WORK/session.img"
run sh "$ROOT/tests/lib/crosscheck.sh" --readers udfinfo,udfclient "$WORK/session.img" "$SRC"
if [ -x "$ROOT/tests/vm/run-lane.sh" ] && command -v qemu-system-x86_64 >/dev/null; then
	echo "The Linux kernel's UDF driver, in QEMU, mounts the disc and compares every file:"
	mkdir -p "$WORK/vmtest"
	cat > "$WORK/vmtest/t_demo_kernel_mount.sh" <<EOT
#!/bin/bash
# vm-timeout: 600
set -eu
losetup -r -f --show "$WORK/session.img" > loopdev
mkdir m && mount -t udf -o ro "\$(cat loopdev)" m
(cd "$SRC" && find . -type f -exec sha256sum {} + | sort -k2) > want
(cd m && find . -type f -exec sha256sum {} + | sort -k2) > got
diff want got
echo "kernel: \$(wc -l < got) files, every sha256 equal"
umount m
EOT
	VM_SKIP_DEPS=1 sh "$ROOT/tests/vm/run-lane.sh" --tests "$WORK/vmtest" --no-selftest 2>&1 | grep -E '^(PASS|FAIL|SKIP)|kernel:' || true
else
	echo "(QEMU or Debian's kernel is missing: the kernel check is left out; run scripts/deps.sh)"
fi
step "Done: the disc holds $(discctl ls -R "$DISC" | wc -l) entries"
