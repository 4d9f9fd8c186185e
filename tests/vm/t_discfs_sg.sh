#!/bin/bash
# discfs on a real drive: the emulated drive is attached through TCMU, so
# discfs reaches it only through the kernel's sg driver (SG_IO), as it
# would a USB burner; it is given /dev/sgN, or /dev/srN (which it maps to
# its sg node) on DVD+R.  On blank BD-R, DVD+R and BD-RE a tree is copied in
# with cp -a and committed, then changed (add, change, append, remove,
# rename, a FIFO and a device node) and
# committed again.  After each commit the tray is cycled (the kernel learns
# of the new contents the way it would after a reinsert) and the kernel's
# own udf driver mounts /dev/sr0 and must show exactly the expected tree,
# with modes, symlinks and hard links (link counts).
# vm-timeout: 600
. "$DISCFS_SRC/tests/vm/lib.sh"
need fusermount3 cp diff
[ -e /dev/fuse ] || fail "no /dev/fuse in the guest"

# The expected tree: a few files of different sizes, a subdirectory, a
# symlink, a hard link, an empty file, modes that are not the default.
make_src() {
	mkdir -p src/docs/notes src/photos
	printf 'hello from discfs over sg\n' > src/readme.txt
	head -c 3000000 /dev/urandom > src/photos/big.raw
	head -c 70000 /dev/urandom > src/photos/small.raw
	: > src/docs/empty
	printf 'note\n' > src/docs/notes/n1.txt
	ln -s ../readme.txt src/docs/link
	ln src/photos/small.raw src/docs/same.raw # a hard link
	chmod 600 src/readme.txt
	chmod 750 src/docs/notes
}


# The kernel sees the disc as a reader would after the tray is cycled:
# sr re-reads the capacity and the last written block (where the VAT is).
kernel_reads() { # NAME
	discemu eject --name "$1" > /dev/null || fail "discemu eject"
	discemu load --name "$1" "$PWD/$1.img" > /dev/null || fail "discemu load"
	mkdir -p kmnt
	mount -t udf -o ro "$SR" kmnt || { dmesg | tail -5; fail "mount -t udf $SR"; }
	local ok=1
	diff -r -x pipe -x null src kmnt > k.diff 2>&1 || ok=0
	# special files (second commit): type and device numbers
	if [ -e src/.specials ]; then
		[ "$(stat -c %F kmnt/pipe)" = fifo ] || { echo "pipe: $(stat -c %F kmnt/pipe)" >> k.diff; ok=0; }
		[ "$(stat -c '%F %t:%T' kmnt/null)" = "character special file 1:3" ] ||
			{ echo "null: $(stat -c '%F %t:%T' kmnt/null)" >> k.diff; ok=0; }
	fi
	# hard links: the same link count for every name as in the source
	(cd src && find . -type f -exec stat -c '%h %n' {} + | sort) > links.src
	(cd kmnt && find . -type f -exec stat -c '%h %n' {} + | sort) > links.k
	diff links.src links.k >> k.diff 2>&1 || ok=0
	[ "$(stat -c %a kmnt/readme.txt)" = 600 ] || ok=0
	[ "$(readlink kmnt/docs/link)" = ../readme.txt ] || ok=0
	umount kmnt
	[ $ok = 1 ] || { cat k.diff; fail "the kernel's tree differs from the source"; }
}

one() { # MEDIA BLOCKS sg|sr
	local m=$1 name=d${1//[^a-z0-9]/} dev
	emu_start "$name" "$m" "$2"
	dev=$SG; [ "$3" = sr ] && dev=$SR
	rm -rf src mnt stage; mkdir mnt stage
	make_src
	step "$m: first commit through $dev"
	mount_discfs "$dev"
	cp -a src/. mnt/
	discctl commit mnt || { cat daemon.log; fail "first commit"; }
	unmount_discfs
	kernel_reads "$name"
	step "$m: second commit (add, change, remove, rename)"
	mount_discfs "$dev"
	diff -r src mnt > m.diff 2>&1 || { cat m.diff; fail "the remount's tree differs"; }
	printf 'added later\n' > src/added.txt; cp -p src/added.txt mnt/
	printf 'changed\n' >> src/docs/notes/n1.txt; cp -p src/docs/notes/n1.txt mnt/docs/notes/
	# changed in part: the commit reads the unchanged 3 MB from the disc
	# while it holds the drive (fused/disc.c, udf_update_read_committed)
	head -c 5000 /dev/urandom > tail.bin
	cat tail.bin >> src/photos/big.raw; cat tail.bin >> mnt/photos/big.raw
	touch -r src/photos/big.raw mnt/photos/big.raw
	# a FIFO and a character device (with its numbers in a device EA)
	mkfifo mnt/pipe; mknod mnt/null c 1 3; : > src/.specials; : > mnt/.specials
	rm src/photos/small.raw mnt/photos/small.raw
	mv src/photos src/pictures; mv mnt/photos mnt/pictures
	discctl commit mnt || { cat daemon.log; fail "second commit"; }
	unmount_discfs
	kernel_reads "$name"
	emu_stop "$name"
}
# A tree burned with discctl burn (the session closed, the disc left
# appendable), then added to with discfs: the kernel reads the burned
# tree, and the same volume with the addition.
burned_then_added() { # MEDIA BLOCKS
	local m=$1 name=b${1//[^a-z0-9]/}
	emu_start "$name" "$m" "$2"
	rm -rf src mnt stage; mkdir mnt stage
	make_src
	step "$m: discctl burn of the tree, then discfs adds to it"
	run_logged "burn-$m.log" discctl burn "$SG" src
	kernel_reads "$name"
	mount_discfs "$SG"
	diff -r src mnt > m.diff 2>&1 || { cat m.diff; fail "discfs shows another tree"; }
	printf 'added later\n' > src/added.txt; cp -p src/added.txt mnt/
	printf 'changed\n' >> src/docs/notes/n1.txt; cp -p src/docs/notes/n1.txt mnt/docs/notes/
	discctl commit mnt || { cat daemon.log; fail "commit after the burn"; }
	unmount_discfs
	kernel_reads "$name"
	emu_stop "$name"
}
run_case bd-r one bd-r 40000 sg
run_case dvd+r one dvd+r 40000 sr
run_case bd-re one bd-re 40000 sg
run_case burned-bd-r burned_then_added bd-r 40000
run_case burned-dvd+r burned_then_added dvd+r 40000
run_case burned-cd-r burned_then_added cd-r 60000
finish_cases
