#!/bin/sh
# tests/sh/test_discfs_names.sh - names through discfs and discctl
# (udf/safe_name.h): names with "%" escapes created in discfs are
# committed and read back exactly as given (discfs after a remount,
# discctl ls, discctl extract), an extracted tree mastered again with
# mkimage keeps its names, and names UDF cannot record are refused at
# create time (ENAMETOOLONG, EINVAL), not at commit.
set -eu
[ -e /dev/fuse ] && command -v fusermount3 >/dev/null || { echo "no FUSE here"; exit 77; }
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
[ -x "$BUILD/discctl" ] && [ -x "$BUILD/discfs" ] || { echo "not built"; exit 77; }
SRC=$(cd "${DISCFS_SRC:-.}" && pwd)
SCRATCH=discfs-names
. "$SRC/tests/lib/discfs_mount.sh"

mkdir -p "$M"
img="$W/disc.img"
"$BUILD/discctl" emu create --media dvd+rw --capacity 20000 "$img" > /dev/null
"$BUILD/discctl" emu time-scale "$img" 0 > /dev/null
mount_it "$img" "$W/stg"

for n in plain 100% a%2Fb a%252Fb %252E; do
	echo "$n" > "$M/$n" || fail "create '$n'"
done
mkdir "$M/d%2Fe" && echo in > "$M/d%2Fe/f%2Fg"

long="$(printf 'a%.0s' $(seq 250))$(printf '\346\227\245')"
if touch "$M/$long" 2> "$W/err"; then fail "250 letters + CJK accepted"; fi
grep -q "File name too long" "$W/err" || fail "no ENAMETOOLONG: $(cat "$W/err")"
for bad in '%2E' '%2E%2E' '%~' 'x%00y' 'n%~0123ABCD'; do
	if touch "$M/$bad" 2> "$W/err"; then fail "'$bad' accepted"; fi
	grep -q "Invalid argument" "$W/err" || fail "'$bad': $(cat "$W/err")"
done
if mv "$M/plain" "$M/$long" 2> "$W/err"; then fail "rename to an overlong name accepted"; fi

"$BUILD/discctl" commit "$M" > "$W/commit.out" 2>&1 || { cat "$W/commit.out"; fail "commit"; }
(cd "$M" && find . -mindepth 1 | LC_ALL=C sort) > "$W/staged.lst"
unmount_it
mount_it "$img" "$W/stg"
(cd "$M" && find . -mindepth 1 | LC_ALL=C sort) > "$W/disc.lst"
diff "$W/staged.lst" "$W/disc.lst" || fail "names differ after the remount"
[ "$(cat "$M/a%2Fb")" = "a%2Fb" ] || fail "content of a%2Fb"
[ "$(cat "$M/d%2Fe/f%2Fg")" = in ] || fail "content of d%2Fe/f%2Fg"
unmount_it

# discctl ls shows the same names, and takes them as paths
"$BUILD/discctl" ls "$img" / > "$W/ls.out" || fail "discctl ls"
[ "$(wc -l < "$W/ls.out")" -eq 6 ] || fail "ls: $(cat "$W/ls.out")"
for n in plain 100% a%2Fb a%252Fb %252E d%2Fe; do
	grep -qxF "$n" "$W/ls.out" || grep -qF " $n" "$W/ls.out" ||
		fail "ls lacks '$n': $(cat "$W/ls.out")"
done
"$BUILD/discctl" ls "$img" "/d%2Fe/f%2Fg" > /dev/null || fail "ls of an escaped path"

# extract, then master the extracted tree: the names survive both ways
"$BUILD/discctl" extract "$img" -o "$W/out" > /dev/null || fail "extract"
[ -f "$W/out/a%2Fb" ] && [ -f "$W/out/d%2Fe/f%2Fg" ] || fail "extracted names: $(ls "$W/out")"
"$BUILD/discctl" mkimage "$W/out" -o "$W/again.udf" > /dev/null 2>&1 || fail "mkimage of the extracted tree"
"$BUILD/discctl" extract "$W/again.udf" -o "$W/out2" > /dev/null || fail "extract again"
diff -r "$W/out" "$W/out2" || fail "mastered again, the names changed"
cat "$W/ls.out" && echo "ok"
