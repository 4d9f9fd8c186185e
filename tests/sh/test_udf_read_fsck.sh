#!/bin/sh
# tests/sh/test_udf_read_fsck.sh - discctl fsck as a command: exit codes
# (0 clean, 1 errors left, 2 usage, 3 no such image, 12 all errors
# repaired), the text report, --json, and --repair on a write-once volume
# whose last VAT write was torn (a damaged copy after the good one):
# fsck appends a copy of the good VAT so the last block is a VAT again.
set -eu
command -v mkudffs >/dev/null || { echo "mkudffs missing (scripts/deps.sh)"; exit 77; }
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
DISCCTL="${DISCCTL:-$BUILD/discctl}"
W=$(mktemp -d /tmp/discfs-udffsck.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
code() { set +e; "$@" > "$W/out" 2>"$W/err"; c=$?; set -e; echo $c; }

img="$W/dvdr.udf"
truncate -s 16M "$img"
vat=$(mkudffs -b 2048 --media-type=dvdr --udfrev=2.01 "$img" | sed -n 's/.*vatblock=\([0-9]*\).*/\1/p')
[ -n "$vat" ] || fail "mkudffs did not say where the VAT is"

[ "$(code "$DISCCTL" fsck "$img")" = 0 ] || { cat "$W/out" "$W/err"; fail "clean volume"; }
grep -q ' 0 errors' "$W/out" || fail "summary of a clean volume"
[ "$(code "$DISCCTL" fsck "$img" --json)" = 0 ] || fail "json run"
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["clean"] and d["errors"] == 0 and d["dirs"] == 1, d' "$W/out" ||
		fail "json output"
fi

# torn VAT write: a copy of the VAT ICB with one byte changed, after it
dd if="$img" of="$W/vatblk" bs=2048 skip="$vat" count=1 2>/dev/null
printf '\377' | dd of="$W/vatblk" bs=1 seek=100 conv=notrunc 2>/dev/null
dd if="$W/vatblk" of="$img" bs=2048 seek=$((vat + 1)) conv=notrunc 2>/dev/null
[ "$(code "$DISCCTL" fsck "$img")" = 1 ] || fail "torn VAT must be an error"
grep -q '^error *vat .*last recorded block' "$W/out" || { cat "$W/out"; fail "report"; }
[ "$(code "$DISCCTL" fsck "$img" --json)" = 1 ] || fail "json exit code"
grep -q '"clean": false' "$W/out" || fail "json clean flag"
[ "$(code "$DISCCTL" fsck "$img" --repair)" = 12 ] || { cat "$W/out"; fail "repair exit code"; }
grep -q 'repaired' "$W/out" || fail "repair report"
[ "$(code "$DISCCTL" fsck "$img")" = 0 ] || { cat "$W/out"; fail "clean after repair"; }
# the last block is a VAT again: readers that look only there find it
dd if="$img" bs=2048 skip=$((vat + 2)) count=1 2>/dev/null | od -An -tu2 -N2 | grep -q 266 ||
	fail "no VAT file entry appended"

[ "$(code "$DISCCTL" fsck)" = 2 ] || fail "usage"
[ "$(code "$DISCCTL" fsck "$img" --bogus)" = 2 ] || fail "unknown option"
[ "$(code "$DISCCTL" fsck "$W/none.udf")" = 3 ] || fail "missing image"
head -c 1048576 /dev/zero > "$W/zero.img"
[ "$(code "$DISCCTL" fsck "$W/zero.img")" = 1 ] || fail "not UDF"
grep -q 'anchor' "$W/out" || fail "not-UDF message"
[ "$(code "$DISCCTL" ls "$W/zero.img")" = 11 ] || fail "ls of not-UDF: malformed data"
[ -s "$W/err" ] && [ "$(wc -l < "$W/err")" = 1 ] || fail "one-line error"
echo ok
