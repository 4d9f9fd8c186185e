#!/bin/sh
# tests/faults/base.sh MEDIA - the base disc of the matrix's commit column:
# data/tree committed through discfs onto a blank MEDIA disc, left as
# $FX_WORK/base/MEDIA.img(.state), and base/MEDIA.wlba: an LBA that a
# commit of further changes writes file data to; base/MEDIA.cmds: how many
# commands that commit sends.  On failure base/MEDIA.why says why
# (every commit cell of the row then fails with that reason).
set -u
OP=base MEDIA=$1 FAULT=none
FX_DIR=$(dirname "$0")
. "$FX_DIR/cells.sh"
. "$FX_DIR/lib.sh"
T="$FX_WORK/cells/base.$MEDIA"
RES="$FX_WORK/base/$MEDIA.why"
D="$T/d.img"
DATA="$FX_WORK/data"
rm -rf "$T"
mkdir -p "$T"
. "$FX_DIR/commit.sh"
new_disc "$MEDIA" "$D"
fx_mount "$D" || fail "mount of a blank disc refused (exit $MRC): $(tail -n 1 "$T/daemon.log")"
cp -R "$DATA/tree/." "$M/" || fail "copy into the mount"
op commit "$M"
expect_ok
fx_umount
san_check
cp --sparse=always "$D" "$T/base.img"
cp "$D.state" "$T/base.img.state"

# Where a commit of stage_changes writes new.bin's data (the first run of
# 40 or more changed blocks): the write-error cell arms its fault there.
fx_mount "$D" || fail "remount refused (exit $MRC)"
stage_changes
# how many commands that commit sends: the media-changed cell strikes in
# its second half (past the probing, where an attention is cleared)
must count emu fault "$D" media-change-after=1000000
op commit "$M"
expect_ok
must left emu show "$D"
cmds=$((1000000 - $(sed -n 's/.*media-change-after=\([0-9]*\).*/\1/p' "$T/left.out")))
must uncount emu fault "$D" clear
fx_umount
cmp -l "$T/base.img" "$D" | awk '{ b = int(($1 - 1) / 2048)
	if (b == last) next
	if (b == last + 1) run++; else { run = 1; start = b }
	last = b
	if (run == 40) { print start + 10; exit } }' >"$T/wlba"
[ -s "$T/wlba" ] || fail "the probe commit wrote no data run"
mv "$T/wlba" "$FX_WORK/base/$MEDIA.wlba"
echo "$cmds" >"$FX_WORK/base/$MEDIA.cmds"
mv "$T/base.img" "$FX_WORK/base/$MEDIA.img"
mv "$T/base.img.state" "$FX_WORK/base/$MEDIA.img.state"
rm -f "$RES"
exit 0
