#!/bin/bash
# vm-timeout: 900
# tests/vm/t_udf_mount.sh - the Linux kernel's UDF driver mounts every image
# layout `discctl mkimage` makes and sees byte-identical content with the
# same names, types, sizes, permissions, owners, times (to the microsecond),
# symlink targets, hard links, FIFOs and device nodes (major:minor) as the
# source tree.
# Layouts: plain 1.02/1.50/2.01, metadata partition 2.50/2.60, VAT (CD-R 2.01,
# BD-R 2.50), sparable (CD-RW, DVD-RW), DVD+RW with bitmap.
set -u
MKIMAGE=${MKIMAGE:-discctl mkimage}
modprobe loop 2>/dev/null; modprobe udf 2>/dev/null
W=${TMPDIR:-/tmp}/udfmount.$$
mkdir -p "$W/src" "$W/mnt"
S=$W/src
fail=0

# ---- the source tree
mkdir -p "$S/dir/sub" "$S/empty_dir" "$S/Ünïcödé/漢字" "$S/deep"
echo "small in-ICB content" > "$S/small.txt"
head -c 3000000 /dev/urandom > "$S/dir/three_mb.bin"
head -c 1873 /dev/urandom > "$S/dir/just_over_icb"
: > "$S/empty"
printf 'x' > "$S/Ünïcödé/漢字/名前 😀 emoji.txt"
printf 'y' > "$S/Ünïcödé/Ελληνικά"
printf 'z' > "$S/$(printf 'L%.0s' $(seq 254))"          # 254-byte name
ln -s small.txt "$S/rel_link"
ln -s /etc/hostname "$S/abs_link"
ln -s ../dir/./sub "$S/dir/sub/dotdot_link"
ln "$S/dir/three_mb.bin" "$S/hard_link"
mkfifo "$S/fifo"
mknod "$S/blockdev" b 7 200
mknod "$S/chardev" c 1 3
chmod 0600 "$S/small.txt"; chmod 4755 "$S/dir/just_over_icb"; chmod 1777 "$S/empty_dir"
chown 1234:5678 "$S/empty"
d=$S/deep
for i in $(seq 100); do d=$d/d; done
mkdir -p "$d" && echo bottom > "$d/f"
find "$S" -exec touch -h -d '2021-03-04 05:06:07.123456' {} +

# one line per object: path type mode uid gid mtime(us) size link-target
describe() { # root
	(cd "$1" && find . -mindepth 1 -printf '%P|%y|%m|%U|%G|%TY%Tm%Td%TH%TM%TS|%s|%l\n' |
		sed -E 's/(\.[0-9]{6})[0-9]*\|/\1|/' |
		awk -F'|' -v OFS='|' '$2=="d"{$7=""} $2=="l"{$3=""} {print}' | LC_ALL=C sort)
}
describe "$S" > "$W/want"

check() { # label mkimage-args...
	local label=$1; shift
	local img=$W/img
	rm -f "$img"
	if ! $MKIMAGE "$S" -o "$img" --time 1700000000 "$@" > "$W/mk.out" 2>&1; then
		echo "FAIL $label: mkimage: $(cat "$W/mk.out")"; fail=1; return
	fi
	local loop
	loop=$(losetup -f --show -r "$img") || { echo "FAIL $label: losetup"; fail=1; return; }
	if ! mount -t udf -o ro "$loop" "$W/mnt" 2> "$W/mount.err"; then
		echo "FAIL $label: mount: $(cat "$W/mount.err"; dmesg | tail -3)"; fail=1
		losetup -d "$loop"; return
	fi
	local bad=0
	describe "$W/mnt" > "$W/got"
	if ! diff "$W/want" "$W/got" > "$W/diff"; then
		echo "FAIL $label: metadata differs:"; head -20 "$W/diff"; bad=1
	fi
	if ! (cd "$S" && find . -type f -exec cmp {} "$W/mnt/{}" \;) > "$W/cmp" 2>&1; then
		echo "FAIL $label: content differs: $(head -3 "$W/cmp")"; bad=1
	fi
	for dev in blockdev chardev; do
		if [ "$(stat -c '%F %t:%T' "$W/mnt/$dev")" != "$(stat -c '%F %t:%T' "$S/$dev")" ]; then
			echo "FAIL $label: $dev is $(stat -c '%F %t:%T' "$W/mnt/$dev")"; bad=1
		fi
	done
	if [ "$(stat -c %i "$W/mnt/hard_link")" != "$(stat -c %i "$W/mnt/dir/three_mb.bin")" ] ||
	   [ "$(stat -c %h "$W/mnt/hard_link")" != 2 ]; then
		echo "FAIL $label: hard link not one inode with 2 links"; bad=1
	fi
	umount "$W/mnt"
	losetup -d "$loop"
	[ $bad = 0 ] && echo "ok $label ($(cut -d' ' -f2 "$W/mk.out") blocks)" || fail=1
}

check "plain UDF 1.02" --udf 1.02
check "plain UDF 1.50" --udf 1.50
check "plain UDF 2.01" --udf 2.01
check "metadata partition 2.50" --udf 2.50
check "metadata partition 2.60" --udf 2.60
check "BD-RE (2.50 metadata, bitmap)" --media bd-re
check "DVD+RW (2.01 bitmap)" --media dvd+rw
check "CD-R VAT 2.01" --media cd-r
check "DVD+R VAT 2.00" --media dvd+r --udf 2.00
check "CD-R VAT 1.50 (trailer format)" --media cd-r --udf 1.50
check "BD-R VAT 2.50" --media bd-r
check "CD-RW sparable 2.01" --media cd-rw
check "DVD-RW sparable 1.50" --media dvd-rw --udf 1.50
check "CD-RW sparable + metadata 2.50" --media cd-rw --udf 2.50
check "bridge UDF 2.01 + ISO9660 + Joliet (UDF side)" --iso9660 --joliet --udf 2.01

# The ISO9660 side of the bridge, through Rock Ridge (times to the second,
# so compared without them) and through Joliet (names only).
iso_describe() { # root
	(cd "$1" && find . -mindepth 1 -printf '%P|%y|%s|%l\n' |
		awk -F'|' -v OFS='|' '$2=="d"{$3=""} {print}' | LC_ALL=C sort)
}
# Linux isofs drops the Rock Ridge NM piece that would take a name to 254
# bytes or more (rock.c), so the 254-byte name (NM pieces of 250 + 4) comes
# back as its first 250 bytes; it is compared in full through UDF above.
long=$(printf 'L%.0s' $(seq 254))
cut=$(printf 'L%.0s' $(seq 250))
iso_describe "$S" | sed "s/^$long|/$cut|/" > "$W/iso_want"
echo "note: the ISO side expects the 254-byte name cut to 250 bytes (Linux Rock Ridge limit)"
rm -f "$W/img"
$MKIMAGE "$S" -o "$W/img" --time 1700000000 --iso9660 --joliet > /dev/null 2>&1 ||
	{ echo "FAIL bridge: mkimage"; fail=1; }
loop=$(losetup -f --show -r "$W/img")
if mount -t iso9660 -o ro "$loop" "$W/mnt" 2> "$W/mount.err"; then
	iso_describe "$W/mnt" > "$W/iso_got"
	if diff "$W/iso_want" "$W/iso_got" > "$W/diff" &&
	   (cd "$S" && find . -type f) | while IFS= read -r f; do
		cmp "$S/$f" "$W/mnt/$(printf '%s' "$f" | sed "s/$long/$cut/")"; done > "$W/cmp" 2>&1 &&
	   [ ! -s "$W/cmp" ] && [ "$(stat -c %a "$W/mnt/small.txt")" = 600 ]; then
		echo "ok bridge ISO9660 + Rock Ridge side"
	else
		echo "FAIL bridge ISO9660 side:"; head -20 "$W/diff" "$W/cmp"; fail=1
	fi
	umount "$W/mnt"
else
	echo "FAIL bridge: mount iso9660: $(cat "$W/mount.err")"; fail=1
fi
if mount -t iso9660 -o ro,norock "$loop" "$W/mnt" 2> "$W/mount.err"; then
	if [ -f "$W/mnt/Ünïcödé/漢字/名前 😀 emoji.txt" ] && cmp -s "$W/mnt/dir/three_mb.bin" "$S/dir/three_mb.bin"; then
		echo "ok bridge Joliet side"
	else
		echo "FAIL bridge Joliet side: $(ls "$W/mnt" | head)"; fail=1
	fi
	umount "$W/mnt"
else
	echo "FAIL bridge: mount Joliet: $(cat "$W/mount.err")"; fail=1
fi
losetup -d "$loop"
rm -rf "$W"
exit $fail
