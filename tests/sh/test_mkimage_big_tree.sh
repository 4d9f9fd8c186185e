#!/bin/sh
# tests/sh/test_mkimage_big_tree.sh - a directory of 100,000 entries and a
# chain of directories 100 deep are mastered and read back completely by
# independent readers: LVID counts (udfinfo), every name and size (7-Zip);
# the content of the one non-empty file is compared byte for byte.
set -u
SRC=${DISCFS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/test_mkimage_big.XXXXXX)
trap 'rm -rf "$T"' EXIT
S=$T/src
mkdir -p "$S/many"
(cd "$S/many" && seq -f 'entry_%06g' 100000 | xargs touch) || exit 1
echo "not empty" > "$S/many/entry_050000"
d=$S/deep
for i in $(seq 100); do d=$d/level$i; done
mkdir -p "$d" && echo bottom > "$d/leaf.txt"
start=$(date +%s)
discctl mkimage "$S" -o "$T/img" --time 1700000000 || exit 1
echo "mastered 100,100 entries in $(( $(date +%s) - start ))s"
# LVID counts through udfinfo, then every name and size as 7-Zip lists them
# (listing, not extracting: 100,000 extractions take minutes on a busy disk)
sh "$SRC/tests/lib/crosscheck.sh" --readers udfinfo "$T/img" "$S" || exit 1
(cd "$S" && find . -mindepth 1 \( -type f -printf '%P %s\n' \) -o \( -type d -printf '%P D\n' \)) |
	LC_ALL=C sort > "$T/want"
7zz l -slt -tudf "$T/img" | awk '
	/^----------/ { body = 1 }
	!body { next }
	/^Path = / { p = substr($0, 8) }
	/^Folder = / { d = ($3 == "+") }
	/^Size = / { s = $3 }
	/^$/ && p != "" { print p, (d ? "D" : s); p = "" }' | LC_ALL=C sort > "$T/got"
if ! cmp -s "$T/want" "$T/got"; then
	echo "FAIL: 7-Zip's listing differs from the source:"; diff "$T/want" "$T/got" | head; exit 1
fi
echo "ok: 7-Zip lists all $(wc -l < "$T/want") entries with their sizes"
7zz x -tudf -y -o"$T/x" "$T/img" many/entry_050000 "$(cd "$S" && find deep -name leaf.txt)" > /dev/null || exit 1
cmp "$T/x/many/entry_050000" "$S/many/entry_050000" &&
	cmp "$T/x/$(cd "$S" && find deep -name leaf.txt)" "$d/leaf.txt" || exit 1
echo "ok: content at the middle of the big directory and 100 levels deep"
