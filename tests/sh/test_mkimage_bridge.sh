#!/bin/sh
# tests/sh/test_mkimage_bridge.sh - the UDF + ISO9660 (+ Rock Ridge, +
# Joliet) bridge with El Torito: both file systems show the same tree,
# the boot catalog has a BIOS and a UEFI no-emulation entry, and each
# entry's load address holds exactly the boot image's bytes.
set -u
SRC=${DISCFS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/test_mkimage_bridge.XXXXXX)
trap 'rm -rf "$T"' EXIT
S=$T/src
mkdir -p "$S/boot/efi" "$S/data/sub"
head -c 2048 /dev/urandom > "$S/boot/bios.bin"
head -c 1474560 /dev/urandom > "$S/boot/efi/efiboot.img"
head -c 300000 /dev/urandom > "$S/data/sub/payload.dat"
echo readme > "$S/README.TXT"
echo lower > "$S/data/a name with spaces and a long tail to be cut by iso.text"
fail=0

discctl mkimage "$S" -o "$T/img" --iso9660 --joliet --boot boot/bios.bin \
	--efi-boot boot/efi/efiboot.img --label BOOTDISC --time 1700000000 || exit 1
sh "$SRC/tests/lib/crosscheck.sh" "$T/img" "$S" || fail=1

info=$(isoinfo -d -i "$T/img")
echo "$info" | grep -q "Joliet with UCS level 3 found" || { echo "FAIL: no Joliet"; fail=1; }
echo "$info" | grep -q "Rock Ridge signatures version 1 found" || { echo "FAIL: no Rock Ridge"; fail=1; }
echo "$info" | grep -q "El Torito VD version 1 found" || { echo "FAIL: no El Torito"; fail=1; }
isoinfo -J -f -i "$T/img" | grep -q "^/data/sub/payload.dat$" || { echo "FAIL: Joliet tree"; fail=1; }

dumpet -i "$T/img" > "$T/dumpet" || { echo "FAIL: dumpet"; fail=1; }
grep -q "PlatformId: 0x00 (80x86)" "$T/dumpet" || { echo "FAIL: no BIOS platform"; fail=1; }
grep -q "PlatformId: 0xef (EFI)" "$T/dumpet" || { echo "FAIL: no EFI section"; fail=1; }
[ "$(grep -c 'no emulation' "$T/dumpet")" = 2 ] || { echo "FAIL: want 2 no-emulation entries"; fail=1; }
n=0
for lba in $(sed -n 's/.*Load LBA: \([0-9]*\).*/\1/p' "$T/dumpet"); do
	n=$((n + 1))
	f=$S/boot/bios.bin
	[ $n = 2 ] && f=$S/boot/efi/efiboot.img
	size=$(stat -c %s "$f")
	if dd if="$T/img" bs=2048 skip="$lba" count=$(( (size + 2047) / 2048 )) 2>/dev/null |
		head -c "$size" | cmp -s - "$f"; then
		echo "ok boot entry $n at LBA $lba holds $(basename "$f")"
	else
		echo "FAIL boot entry $n at LBA $lba does not hold $(basename "$f")"; fail=1
	fi
done
[ $n = 2 ] || { echo "FAIL: $n load addresses"; fail=1; }
exit $fail
