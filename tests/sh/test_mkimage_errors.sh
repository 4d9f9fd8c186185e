#!/bin/sh
# tests/sh/test_mkimage_errors.sh - bad input to `discctl mkimage` gets one
# clear line on stderr and the documented exit code, never a crash or an
# image left looking valid.
set -u
T=$(mktemp -d /tmp/test_mkimage_errors.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/src" && echo x > "$T/src/f"
fail=0

expect() { # want-code label args...
	want=$1 label=$2; shift 2
	discctl mkimage "$@" > "$T/out" 2> "$T/err"
	rc=$?
	lines=$(wc -l < "$T/err")
	if [ "$rc" != "$want" ] || [ "$lines" -lt 1 ] || [ "$rc" -ge 128 ]; then
		echo "FAIL $label: exit $rc (want $want), stderr: $(cat "$T/err")"; fail=1
	elif [ "$want" != 2 ] && [ "$lines" != 1 ]; then
		echo "FAIL $label: $lines lines on stderr"; fail=1
	else
		echo "ok $label: $(head -1 "$T/err")"
	fi
}

expect 2 "no arguments"
expect 2 "no output" "$T/src"
expect 2 "unknown option" "$T/src" -o "$T/i" --frobnicate
expect 2 "bad revision" "$T/src" -o "$T/i" --udf 3.00
expect 2 "bad time" "$T/src" -o "$T/i" --time soon
expect 2 "unknown media" "$T/src" -o "$T/i" --media floppy
expect 2 "VAT needs UDF 1.50" "$T/src" -o "$T/i" --media cd-r --udf 1.02
expect 2 "joliet without iso9660" "$T/src" -o "$T/i" --joliet
expect 2 "boot image missing" "$T/src" -o "$T/i" --iso9660 --boot nope.img
expect 2 "bad size" "$T/src" -o "$T/i" --size lots
expect 2 "size on a sparable layout" "$T/src" -o "$T/i" --media cd-rw --size 100000
expect 2 "size on read-only media" "$T/src" -o "$T/i" --media bd-rom --size 100000
expect 7 "size smaller than the tree" "$T/src" -o "$T/i" --media bd-re --size 300
expect 3 "missing source" "$T/nonexistent" -o "$T/i"
expect 2 "source is a file" "$T/src/f" -o "$T/i"
expect 1 "unwritable output" "$T/src" -o "$T/no/such/dir/img"
printf 'x' > "$T/src/bad$(printf '\377')name"
expect 2 "name not UTF-8" "$T/src" -o "$T/i"
rm -f "$T/src/bad"*
mkdir -p "$T/src2" && printf 'x' > "$T/src2/$(printf 'n%.0s' $(seq 255))"
expect 2 "name longer than 254 Latin-1 characters" "$T/src2" -o "$T/i"
rm -rf "$T/src2" && mkdir -p "$T/src2"
# 250 letters and one CJK character: 253 bytes, but 503 bytes of 16-bit CS0
printf 'x' > "$T/src2/$(printf 'a%.0s' $(seq 250))$(printf '\346\227\245')"
expect 2 "name of 251 characters, one above U+00FF" "$T/src2" -o "$T/i"
grep -q "too long for UDF" "$T/err" && grep -q "src2/aaaa" "$T/err" ||
	{ echo "FAIL: the error does not name the file and the reason"; fail=1; }
rm -rf "$T/src2" && mkdir -p "$T/src2" && printf 'x' > "$T/src2/x%00"
expect 2 "safe name standing for a NUL" "$T/src2" -o "$T/i"
exit $fail
