#!/bin/sh
# scripts/demo.sh BUILD - the main job on an emulated drive.
# Shows a blank emulated BD-R through discctl, then as much of the story as
# the build supports: mastering a sample tree into UDF, burning it, verifying
# it, reading it back, and checking it with an independent reader.
set -eu
BUILD=${1:-build}
BUILD=$(cd "$BUILD" && pwd)
PATH="$BUILD:$PATH"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/discfs-demo.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
step() { printf '\n== %s\n' "$*"; }

step "A blank emulated BD-R (25 GB, sparse image) in an emulated burner"
discctl emu create --media bd-r "$WORK/disc.img"
ls -ls "$WORK/disc.img"

step "discctl info on it"
discctl info "$WORK/disc.img"

step "The same as JSON, for scripts"
discctl info --json "$WORK/disc.img" | head -c 600; echo " ..."

step "Tray: eject, then load again"
discctl eject "$WORK/disc.img"
discctl info "$WORK/disc.img" || true
discctl load "$WORK/disc.img"
discctl info "$WORK/disc.img" | head -n 4

if [ -f "$ROOT/scripts/demo_more.sh" ]; then
	. "$ROOT/scripts/demo_more.sh"
fi
step "Done"
