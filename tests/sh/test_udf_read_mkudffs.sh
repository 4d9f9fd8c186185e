#!/bin/sh
# tests/sh/test_udf_read_mkudffs.sh - our reader against volumes made by
# udftools' mkudffs (every media type and UDF revision it formats) and
# filled by udfclient (also hard-disk volumes with 512, 1024 and 4096-byte
# blocks): discctl extract gives back the source tree exactly
# (names, sizes, sha256), discctl ls lists it, discctl fsck finds them
# clean.  mkudffs' write-once (VAT) volumes, which udfclient cannot fill,
# are opened, listed and checked empty.
set -eu
command -v mkudffs >/dev/null && command -v udfclient >/dev/null ||
	{ echo "mkudffs/udfclient missing (scripts/deps.sh)"; exit 77; }
BUILD=$(cd "${DISCFS_BUILD:-build}" && pwd)
DISCCTL="${DISCCTL:-$BUILD/discctl}"
W=$(mktemp -d /tmp/discfs-udfmk.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# source tree: empty file, one byte, one block, many blocks, spaces, depth
S="$W/src"
mkdir -p "$S/a b/c/d" "$S/e"
printf 'hi\n' > "$S/a b/one.txt"
: > "$S/empty"
head -c 1 /dev/urandom > "$S/e/byte"
head -c 2048 /dev/urandom > "$S/a b/c/blk"
head -c 3000000 /dev/urandom > "$S/a b/c/d/big"
printf 'deep\n' > "$S/a b/c/d/x.txt"
sums() { (cd "$1" && find . -type f | LC_ALL=C sort | while read -r f; do sha256sum "$f"; done); }
sums "$S" > "$W/want"

fill() { # image [blocksize]: copy the tree in with udfclient
	bs=${2:-2048}
	vol=$(printf 'ls\nquit\n' | udfclient -b "$bs" "$1" 2>/dev/null | awk '/^drwx/{print $NF; exit}')
	[ -n "$vol" ] || fail "udfclient cannot open $1"
	printf 'cd "%s"\nlcd %s\nmput "a b" e empty\nsync\nquit\n' "$vol" "$S" |
		udfclient -b "$bs" -W "$1" >"$1.log" 2>&1
}

# udfclient spends most of its time waiting: fill all images at once
RW="hd:1.02 hd:1.50 hd:2.00 hd:2.01 dvdram:2.01 dvd:1.02 cd:1.02 cdrw:1.50 cdrw:2.01 dvdrw:1.50 dvdrw:2.01 hd512:2.01 hd1024:1.50 hd4096:2.01"
for t in $RW; do
	m=${t%:*} r=${t#*:} img="$W/$m-$r.udf" bs=2048
	case $m in hd[0-9]*) bs=${m#hd}; m=hd ;; esac
	truncate -s 64M "$img"
	mkudffs -b "$bs" --media-type="$m" --udfrev="$r" "$img" >/dev/null 2>&1 ||
		fail "mkudffs $t"
	fill "$img" "$bs" &
done
wait
n=0
for t in $RW; do
	m=${t%:*} r=${t#*:} img="$W/$m-$r.udf"
	rm -rf "$W/out"
	"$DISCCTL" extract "$img" -o "$W/out" || fail "extract $t"
	sums "$W/out" > "$W/got"
	cmp -s "$W/want" "$W/got" || { diff "$W/want" "$W/got"; fail "content differs: $t"; }
	"$DISCCTL" ls "$img" "/a b/c/d" > "$W/ls"
	[ "$(LC_ALL=C sort "$W/ls" | tr '\n' ' ')" = "big x.txt " ] || fail "ls $t: $(cat "$W/ls")"
	"$DISCCTL" fsck "$img" > "$W/fsck" || { cat "$W/fsck"; fail "fsck $t"; }
	grep -q ' 0 errors' "$W/fsck" || fail "fsck summary $t"
	n=$((n + 1))
done

for t in cdr:1.50 cdr:2.01 dvdr:2.01 bdr:2.50 bdr:2.60; do
	m=${t%:*} r=${t#*:} img="$W/$m-$r.udf"
	truncate -s 16M "$img"
	mkudffs -b 2048 --media-type="$m" --udfrev="$r" "$img" >/dev/null 2>&1 ||
		fail "mkudffs $t"
	[ -z "$("$DISCCTL" ls "$img")" ] || fail "VAT volume $t not empty"
	"$DISCCTL" fsck "$img" > "$W/fsck" || { cat "$W/fsck"; fail "fsck $t"; }
	n=$((n + 1))
done
echo "ok: $n mkudffs volumes read"
