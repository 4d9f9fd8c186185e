#!/bin/bash
# discfs on a blank CD-RW (and DVD-RW) behind the kernel's sg driver: the
# first commit formats the disc for writing in place (CD-RW: fixed
# packets, FORMAT UNIT 10h; DVD-RW: restricted overwrite) and writes UDF
# with a space bitmap; the block device writes whole packets, reading the
# rest of a partly written packet first.  A tree copied in with cp -a is
# committed, then changed (add, change, remove, rename) and committed
# again.  After each commit the tray is cycled and the kernel's own udf
# driver mounts /dev/sr0 and must show exactly the expected tree, with
# modes, symlinks and hard links.
# vm-timeout: 600
. "$DISCFS_SRC/tests/vm/lib.sh"
need fusermount3 cp diff python3
[ -e /dev/fuse ] || fail "no /dev/fuse in the guest"

make_src() {
	mkdir -p src/docs/notes src/photos
	printf 'hello from discfs on a rewritable CD\n' > src/readme.txt
	head -c 2000000 /dev/urandom > src/photos/big.raw
	head -c 70000 /dev/urandom > src/photos/small.raw
	: > src/docs/empty
	printf 'note\n' > src/docs/notes/n1.txt
	ln -s ../readme.txt src/docs/link
	ln src/photos/small.raw src/docs/same.raw # a hard link
	chmod 600 src/readme.txt
	chmod 750 src/docs/notes
	touch -d '2003-04-05 06:07:08' src/docs/notes/n1.txt
}


# The drive says: formatted for overwriting, one fixed-packet track.
check_formatted() { # DEV PROFILE_NAME
	discctl info --json "$1" > info.json || fail "discctl info $1"
	local got
	got=$(python3 -c '
import json, sys
m = json.load(open("info.json"))["medium"]
t = m["tracks"]
print(m["profile_name"], m["formatted"], len(t), t[0]["fixed_packet"], t[0]["packet_size"])' )
	case $got in
	"$2 True 1 True "[1-9]*) echo "drive reports: $got" ;;
	*) fail "not formatted for writing in place: $got" ;;
	esac
}

kernel_reads() { # NAME
	discemu eject --name "$1" > /dev/null || fail "discemu eject"
	discemu load --name "$1" "$PWD/$1.img" > /dev/null || fail "discemu load"
	mkdir -p kmnt
	mount -t udf -o ro "$SR" kmnt || { dmesg | tail -5; fail "mount -t udf $SR"; }
	local ok=1
	diff -r src kmnt > k.diff 2>&1 || ok=0
	(cd src && find . -type f -exec stat -c '%h %n' {} + | sort) > links.src
	(cd kmnt && find . -type f -exec stat -c '%h %n' {} + | sort) > links.k
	diff links.src links.k >> k.diff 2>&1 || ok=0
	[ "$(stat -c %a kmnt/readme.txt)" = 600 ] || ok=0
	[ "$(readlink kmnt/docs/link)" = ../readme.txt ] || ok=0
	[ "$(stat -c %Y kmnt/docs/notes/n1.txt)" = "$(stat -c %Y src/docs/notes/n1.txt)" ] || ok=0
	umount kmnt
	[ $ok = 1 ] || { cat k.diff; fail "the kernel's tree differs from the source"; }
}

one() { # MEDIA BLOCKS PROFILE_NAME
	local m=$1 name=d${1//[^a-z0-9]/}
	emu_start "$name" "$m" "$2"
	rm -rf src mnt stage; mkdir mnt stage
	make_src
	step "$m: first commit through $SG (formats the blank disc)"
	mount_discfs "$SG"
	cp -a src/. mnt/
	discctl commit mnt || { cat daemon.log; fail "first commit"; }
	unmount_discfs
	check_formatted "$SG" "$3"
	kernel_reads "$name"
	step "$m: second commit, in place (add, change, remove, rename)"
	mount_discfs "$SG"
	diff -r src mnt > m.diff 2>&1 || { cat m.diff; fail "the remount's tree differs"; }
	printf 'added later\n' > src/added.txt; cp -p src/added.txt mnt/
	printf 'changed\n' >> src/docs/notes/n1.txt; cp -p src/docs/notes/n1.txt mnt/docs/notes/
	rm src/photos/small.raw mnt/photos/small.raw
	mv src/photos src/pictures; mv mnt/photos mnt/pictures
	discctl commit mnt || { cat daemon.log; fail "second commit"; }
	unmount_discfs
	check_formatted "$SG" "$3"
	kernel_reads "$name"
	emu_stop "$name"
}
run_case cd-rw one cd-rw 30000 CD-RW
run_case dvd-rw one dvd-rw 30000 "DVD-RW restricted overwrite"
finish_cases
