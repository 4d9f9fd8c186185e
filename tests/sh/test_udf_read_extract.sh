#!/bin/sh
# tests/sh/test_udf_read_extract.sh - discctl extract round trip on our own
# images (discctl mkimage) of every layout: file contents, symlinks (as
# symlinks, targets intact), permission bits, modification times, hard
# links (extracted as hard links), an odd UTF-8 name; extract of one file
# and of a subtree; ls -l and -R; extracting never writes through a symlink
# that is already in the output directory.
set -eu
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
DISCCTL="${DISCCTL:-$BUILD/discctl}"
"$DISCCTL" --help 2>/dev/null | grep -q mkimage || { echo "discctl mkimage not built"; exit 77; }
W=$(mktemp -d /tmp/discfs-udfex.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

S="$W/src"
mkdir -p "$S/dir/sub" "$S/ro"
printf 'hello\n' > "$S/hello.txt"
head -c 250000 /dev/urandom > "$S/dir/big"
head -c 9 /dev/urandom > "$S/dir/sub/small"
printf 'x' > "$S/grüße €.txt"
ln -s dir/big "$S/link"
ln -s /nowhere/at/all "$S/dangling"
ln "$S/hello.txt" "$S/hard"
chmod 0640 "$S/dir/big"
chmod 0700 "$S/dir/sub"
chmod 0555 "$S/ro"
touch -h -d '2001-02-03 04:05:06' "$S/link"
touch -d '2011-12-13 14:15:16' "$S/dir/big" "$S/dir/sub"

sums() { (cd "$1" && find . -type f | LC_ALL=C sort | while read -r f; do sha256sum "$f"; done); }
meta() { (cd "$1" && find . -mindepth 1 ! -type l -printf '%p %y %m %TY-%Tm-%Td %TH:%TM\n' | LC_ALL=C sort;
	  find . -type l -printf '%p -> %l %TY-%Tm-%Td\n' | LC_ALL=C sort); }

for spec in "2.01:" "1.02:" "2.01:dvd-r" "2.50:bd-r" "1.50:cd-rw" "2.50:" "2.60:bd-re"; do
	rev=${spec%%:*} media=${spec#*:}
	img="$W/img-$rev-$media.udf"
	"$DISCCTL" mkimage "$S" -o "$img" --udf "$rev" ${media:+--media "$media"} >/dev/null ||
		fail "mkimage $spec"
	rm -rf "$W/out"
	"$DISCCTL" extract "$img" -o "$W/out" || fail "extract $spec"
	[ "$(sums "$S")" = "$(sums "$W/out")" ] || fail "contents $spec"
	[ "$(meta "$S")" = "$(meta "$W/out")" ] || { meta "$S" > "$W/a"; meta "$W/out" > "$W/b"; diff "$W/a" "$W/b"; fail "metadata $spec"; }
done

[ "$(stat -c %i "$W/out/hard")" = "$(stat -c %i "$W/out/hello.txt")" ] || fail "hard link"

# one file, one subtree
"$DISCCTL" extract "$img" /dir/sub/small -o "$W/one" || fail "extract one file"
cmp "$S/dir/sub/small" "$W/one/small" || fail "single file"
"$DISCCTL" extract "$img" /dir -o "$W/sub" || fail "extract subtree"
cmp "$S/dir/big" "$W/sub/big" && cmp "$S/dir/sub/small" "$W/sub/sub/small" || fail "subtree"

# ls
"$DISCCTL" ls "$img" -l | grep -q '^lrwxrwxrwx .* link -> dir/big$' || fail "ls -l symlink"
"$DISCCTL" ls "$img" / -l | grep -q '^-rw-r--r-- *2 ' || fail "ls -l hard link count"
[ "$("$DISCCTL" ls "$img" -R | LC_ALL=C sort | tr '\n' ' ')" = \
  "dangling dir dir/big dir/sub dir/sub/small grüße €.txt hard hello.txt link ro " ] ||
	fail "ls -R: $("$DISCCTL" ls "$img" -R | tr '\n' ' ')"
set +e
"$DISCCTL" ls "$img" /nope 2>"$W/err"; c=$?
set -e
[ $c = 3 ] && grep -q 'no such file' "$W/err" || fail "ls of a missing path ($c)"

# a symlink planted in the output directory is not written through
rm -rf "$W/trap" "$W/victim"
mkdir -p "$W/trap" "$W/victim"
ln -s "$W/victim" "$W/trap/dir"
set +e
"$DISCCTL" extract "$img" -o "$W/trap" 2>"$W/err"; c=$?
set -e
[ $c != 0 ] || fail "extract over a planted symlink should report it"
[ -z "$(ls -A "$W/victim")" ] || fail "wrote through a symlink"
echo ok
