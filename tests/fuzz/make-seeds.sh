#!/bin/sh
# tests/fuzz/make-seeds.sh - regenerates the seed corpora in tests/fuzz/corpus/
# from the real producers:
#   mmc_* , emu_exec, emu_state, staging_journal   seedgen.c (emulated drive
#                                                   replies and sessions,
#                                                   its state files, journals
#                                                   of a real staging store)
#   udf_read (udf_fsck links to it)                images of a small tree made
#                                                   by discctl mkimage and by
#                                                   mkudffs, in sparse_src.h form
# Seeds are named by content (duplicates collapse).  Needs: make lib progs,
# cc, python3, mkudffs.  Usage: sh tests/fuzz/make-seeds.sh [BUILD]
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
OUT=$ROOT/tests/fuzz/corpus
TMP=$(mktemp -d /tmp/make-seeds-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# ------------------------------------------------ emulator and staging
cc -std=gnu11 -O1 -g -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 \
	-I"$ROOT" -I"$ROOT/include" -o "$TMP/seedgen" \
	"$ROOT/tests/fuzz/seedgen.c" "$ROOT"/fused/staging*.c "$ROOT/fused/crc32c.c" \
	"$BUILD/libdiscfs.a" $(pkg-config --libs liburing) -lsgutils2 -lpthread
mkdir -p "$TMP/raw"
"$TMP/seedgen" "$TMP/raw"

# ------------------------------------------------ UDF images
mkdir -p "$TMP/tree/dir/sub" "$TMP/img" "$TMP/raw/udf_read"
printf 'hello, world\n' > "$TMP/tree/hello.txt"
: > "$TMP/tree/empty"
head -c 5000 /dev/zero | tr '\0' 'x' > "$TMP/tree/dir/sub/deep.txt"
ln -s ../hello.txt "$TMP/tree/dir/link"
ln "$TMP/tree/hello.txt" "$TMP/tree/dir/hard.txt"
n=0
for spec in "hdd 1.02" "hdd 1.50" "hdd 2.01" "hdd 2.60" "cd-r 1.50" \
	    "cd-r 2.01" "cd-rw 2.01" "dvd-ram 2.01" "bd-r 2.50" "bd-re 2.50" \
	    "bd-re 2.60"; do
	set -- $spec
	n=$((n + 1))
	"$BUILD/discctl" mkimage "$TMP/tree" -o "$TMP/img/mk-$1-$2.udf" \
		--media "$1" --udf "$2" --time 1700000000 >/dev/null
done
if command -v mkudffs >/dev/null; then
	for spec in "hd 2048 2.01" "hd 512 2.01" "hd 4096 2.01" "hd 2048 2.50" \
		    "cdrw 2048 2.01" "cdr 2048 1.50" "hd 1024 1.02"; do
		set -- $spec
		mkudffs --new-file -b "$2" -m "$1" -r "$3" \
			"$TMP/img/mkudffs-$1-$2-$3.udf" 700 >/dev/null 2>&1 || true
	done
fi
python3 - "$TMP/img" "$TMP/raw/udf_read" <<'PY'
import os, struct, sys
src, dst = sys.argv[1], sys.argv[2]
codes = {2048: 0, 512: 2, 1024: 4, 4096: 6}
for name in sorted(os.listdir(src)):
    data = open(os.path.join(src, name), 'rb').read()
    bs = 2048
    for b in (512, 1024, 2048, 4096):   # block size from the name
        if '-%d-' % b in name:
            bs = b
    n = len(data) // bs
    out = bytearray([1 | codes[bs]]) + struct.pack('<II', n, n - 1)
    for lba in range(n):
        blk = data[lba * bs:(lba + 1) * bs]
        if any(blk):
            out += struct.pack('<I', lba) + blk
    open(os.path.join(dst, name + '.sparse'), 'wb').write(out)
PY

# ------------------------------------------------ install, deduplicated
rm -rf "$OUT"
mkdir -p "$OUT"
for d in "$TMP"/raw/*; do
	h=$(basename "$d")
	mkdir -p "$OUT/$h"
	for f in "$d"/*; do
		sum=$(sha1sum "$f" | cut -c1-16)
		[ -e "$OUT/$h/$sum" ] || cp "$f" "$OUT/$h/$sum"
	done
done
ln -s udf_read "$OUT/udf_fsck"
ln -s udf_read "$OUT/udf_update"
du -sh "$OUT"
