#!/bin/sh
# tests/sh/test_mkimage_xattrs_devices.sh - what mkimage records beyond
# names and data comes back out: extended attributes (on files,
# directories and the root, binary values, in every layout) through
# discctl extract; device nodes (as root) with their numbers; FIFOs.  The
# independent readers accept the images (tests/lib/crosscheck.sh): they
# skip EAs they do not know.  --no-xattrs leaves the attributes out; an
# attribute too big for a file entry is refused with the file's name.
set -eu
SRC=${DISCFS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
DC="$BUILD/discctl"
W=$(mktemp -d /tmp/discfs-mkxattr.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v setfattr >/dev/null || { echo "SKIP: no setfattr (package attr)"; exit 77; }

S="$W/src"
mkdir -p "$S/dir"
printf 'alpha\n' >"$S/a"
printf 'beta\n' >"$S/dir/b"
setfattr -n user.probe -v 1 "$S/a" 2>/dev/null ||
	{ echo "SKIP: $W holds no user xattrs"; exit 77; }
setfattr -x user.probe "$S/a"
setfattr -n user.color -v blue "$S/a"
setfattr -n user.bin -v 0x00ff0001 "$S/a"
setfattr -n user.kind -v folder "$S/dir"
setfattr -n user.top -v root "$S"

xattrs_of() { # DIR: every entry's user.* xattrs, one line each
	(cd "$1" && getfattr -R -d -m '^user\.' -e hex . 2>/dev/null) | grep -v '^$'
}

for media in generic cd-r dvd+rw bd-r bd-re; do
	opt=""
	[ $media = generic ] || opt="--media $media"
	"$DC" mkimage "$S" -o "$W/$media.img" $opt >/dev/null ||
		fail "mkimage $media"
	rm -rf "$W/out"
	"$DC" extract "$W/$media.img" -o "$W/out" 2>"$W/ex.err" ||
		fail "extract $media: $(head -n 1 "$W/ex.err")"
	[ "$(xattrs_of "$S")" = "$(xattrs_of "$W/out")" ] ||
		fail "$media: extended attributes differ after extract"
	sh "$SRC/tests/lib/crosscheck.sh" "$W/$media.img" "$S" >"$W/cc.log" 2>&1 ||
		fail "$media: crosscheck: $(grep -i fail "$W/cc.log" | head -n 2)"
done

"$DC" mkimage "$S" -o "$W/n.img" --no-xattrs >/dev/null || fail "mkimage --no-xattrs"
rm -rf "$W/out"
"$DC" extract "$W/n.img" -o "$W/out" >/dev/null 2>&1 || fail "extract --no-xattrs image"
[ -z "$(xattrs_of "$W/out")" ] || fail "--no-xattrs recorded attributes"

head -c 1500 /dev/zero | tr '\0' x >"$W/big"
setfattr -n user.big -v "$(cat "$W/big")" "$S/dir/b"
if "$DC" mkimage "$S" -o "$W/big.img" 2>"$W/big.err"; then
	fail "an attribute bigger than a file entry was accepted"
fi
grep -q "dir/b" "$W/big.err" && grep -q -- "--no-xattrs" "$W/big.err" ||
	fail "unclear refusal: $(cat "$W/big.err")"
setfattr -x user.big "$S/dir/b"

if [ "$(id -u)" = 0 ]; then
	mknod "$S/null" c 1 3
	mknod "$S/loop" b 7 0
	mkfifo "$S/pipe"
	"$DC" mkimage "$S" -o "$W/dev.img" >/dev/null || fail "mkimage with devices"
	rm -rf "$W/out"
	"$DC" extract "$W/dev.img" -o "$W/out" 2>"$W/ex.err" ||
		fail "extract of devices: $(head -n 1 "$W/ex.err")"
	[ "$(stat -c '%F %t:%T' "$W/out/null")" = "character special file 1:3" ] ||
		fail "character device: $(stat -c '%F %t:%T' "$W/out/null")"
	[ "$(stat -c '%F %t:%T' "$W/out/loop")" = "block special file 7:0" ] ||
		fail "block device: $(stat -c '%F %t:%T' "$W/out/loop")"
	[ -p "$W/out/pipe" ] || fail "FIFO not extracted"
fi
echo "ok"
