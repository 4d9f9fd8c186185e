#!/bin/sh
# tests/sh/test_udf_read_genisoimage.sh - our reader against genisoimage's
# UDF 1.02 + ISO9660 bridge: extract gives back the tree (sha256), modes
# are genisoimage's forced 444/555, fsck finds no errors (genisoimage sets
# the write-protect domain flags: a warning).
set -eu
command -v genisoimage >/dev/null || { echo "genisoimage missing"; exit 77; }
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
DISCCTL="${DISCCTL:-$BUILD/discctl}"
W=$(mktemp -d /tmp/discfs-udfgi.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

S="$W/src"
mkdir -p "$S/docs/deeper" "$S/empty dir"
printf 'readme\n' > "$S/README"
head -c 700000 /dev/urandom > "$S/docs/data.bin"
head -c 10 /dev/urandom > "$S/docs/deeper/small"
: > "$S/docs/zero"
sums() { (cd "$1" && find . -type f | LC_ALL=C sort | while read -r f; do sha256sum "$f"; done); }
dirs() { (cd "$1" && find . -type d | LC_ALL=C sort); }

genisoimage -quiet -udf -R -J -V GI_TEST -o "$W/gi.iso" "$S" || fail genisoimage
"$DISCCTL" extract "$W/gi.iso" -o "$W/out" || fail extract
[ "$(sums "$S")" = "$(sums "$W/out")" ] || fail "contents differ"
[ "$(dirs "$S")" = "$(dirs "$W/out")" ] || fail "directories differ"
[ "$(stat -c %a "$W/out/README")" = 444 ] || fail "mode of README"
"$DISCCTL" ls "$W/gi.iso" / -l | grep -q '^dr-xr-xr-x .* docs$' || fail "ls -l"
"$DISCCTL" ls "$W/gi.iso" -R | grep -qx 'docs/deeper/small' || fail "ls -R"
"$DISCCTL" fsck "$W/gi.iso" > "$W/fsck" || { cat "$W/fsck"; fail fsck; }
grep -q 'write-protected' "$W/fsck" || fail "fsck should warn about write protection"
echo ok
