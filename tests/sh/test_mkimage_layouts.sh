#!/bin/sh
# tests/sh/test_mkimage_layouts.sh - `discctl mkimage` makes every layout
# (plain 1.02/1.50/2.01, metadata partition 2.50/2.60, VAT, sparable,
# bitmap, and the ISO9660/Joliet bridge) from one tree, each image is read
# back by the independent readers of tests/lib/crosscheck.sh, and the
# output is byte-identical when mastered twice with a fixed time.
set -u
SRC=${DISCFS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/test_mkimage_layouts.XXXXXX)
trap 'rm -rf "$T"' EXIT
S=$T/src
mkdir -p "$S/docs/deeper/deepest" "$S/empty_dir" "$S/Ünïcödé/漢字"
echo "tiny" > "$S/tiny.txt"
head -c 1000000 /dev/urandom > "$S/docs/one_mb.bin"
head -c 5000 /dev/urandom > "$S/docs/deeper/five_k"
: > "$S/docs/empty"
printf 'wide' > "$S/Ünïcödé/漢字/名前.txt"
printf 'latin' > "$S/Ünïcödé/café"
ln "$S/tiny.txt" "$S/docs/tiny_hardlink"
echo deep > "$S/docs/deeper/deepest/leaf"
fail=0

check() { # label args...
	label=$1; shift
	if ! discctl mkimage "$S" -o "$T/img" --time 1700000000 "$@" > "$T/out" 2>&1; then
		echo "FAIL $label: mkimage: $(cat "$T/out")"; fail=1; return
	fi
	# before the readers run: reading the tree changes its atimes (input)
	discctl mkimage "$S" -o "$T/img2" --time 1700000000 "$@" > /dev/null 2>&1
	if ! cmp -s "$T/img" "$T/img2"; then
		echo "FAIL $label: two runs with the same input differ"; fail=1; return
	fi
	if ! sh "$SRC/tests/lib/crosscheck.sh" "$T/img" "$S" > "$T/cc" 2>&1; then
		echo "FAIL $label:"; sed 's/^/    /' "$T/cc"; fail=1; return
	fi
	echo "ok $label: $(cat "$T/out")"
	sed 's/^/    /' "$T/cc"
}

check "generic 2.01"
check "UDF 1.02" --udf 1.02
check "UDF 1.50" --udf 1.50
check "UDF 2.50 metadata" --udf 2.50
check "UDF 2.60 metadata" --udf 2.60
check "CD-R VAT" --media cd-r
check "BD-R VAT 2.50" --media bd-r
check "CD-RW sparable" --media cd-rw
check "DVD-RW sparable 1.50" --media dvd-rw --udf 1.50
check "DVD+RW bitmap" --media dvd+rw
check "BD-RE metadata" --media bd-re
check "bridge 1.02 + ISO9660" --iso9660
check "bridge 2.01 + ISO9660 + Joliet" --iso9660 --joliet --udf 2.01 --label "Bridge Vol"
exit $fail
