#!/bin/bash
# discfs -o import through a real drive path: an ISO9660 tree (xorriso
# -R -J) is burnt with `discctl burn --multisession` onto an emulated disc
# attached through TCMU, then mounted with `discfs /dev/sgN -o import`,
# changed (add, change, remove, rename, mkdir) and committed: the commit
# adds a UDF session whose files point at the ISO's data.  After the tray
# is cycled the kernel's udf driver mounts /dev/sr0 - it finds the last
# session through the drive's TOC - and must show the whole expected
# tree, old files and new, with modes and the symlink.  A second commit
# (without -o import) is read by the kernel too, and so is the disc once
# closed (the second commit's session, the last one then, starts with a
# copy of the volume's descriptors).  On CD-R and BD-R.
# vm-timeout: 600
. "$DISCFS_SRC/tests/vm/lib.sh"
need fusermount3 xorriso diff
[ -e /dev/fuse ] || fail "no /dev/fuse in the guest"

make_src() {
	rm -rf src exp
	mkdir -p src/docs/notes
	printf 'hello from an ISO9660 disc\n' > src/readme.txt
	head -c 2000000 /dev/urandom > src/big.raw
	head -c 70000 /dev/urandom > src/docs/small.raw
	printf 'note\n' > src/docs/notes/n1.txt
	printf 'to go\n' > src/gone.txt
	ln -s ../readme.txt src/docs/link
	chmod 600 src/readme.txt
	chmod 750 src/docs/notes
	xorriso -as mkisofs -quiet -R -J -V IMPORTED -o src.iso src > /dev/null 2>&1 ||
		fail "xorriso"
	cp -a src exp
}


kernel_reads() { # NAME
	discemu eject --name "$1" > /dev/null || fail "discemu eject"
	discemu load --name "$1" "$PWD/$1.img" > /dev/null || fail "discemu load"
	mkdir -p kmnt
	mount -t udf -o ro "$SR" kmnt || { dmesg | tail -5; fail "mount -t udf $SR"; }
	local ok=1
	diff -r exp kmnt > k.diff 2>&1 || ok=0
	[ "$(stat -c %a kmnt/readme.txt)" = 600 ] || ok=0
	[ "$(stat -c %a kmnt/docs/notes)" = 750 ] || ok=0
	[ "$(readlink kmnt/docs/link)" = ../readme.txt ] || ok=0
	umount kmnt
	[ $ok = 1 ] || { cat k.diff; fail "the kernel's tree differs from the expected one"; }
}

one() { # MEDIA BLOCKS
	local m=$1 name=i${1//[^a-z0-9]/}
	emu_start "$name" "$m" "$2"
	fusermount3 -u -z mnt 2>/dev/null || true # left by a failed case
	rm -rf mnt stage; mkdir mnt stage
	make_src
	step "$m: burn the ISO9660 image as an appendable session"
	discctl burn "$SG" src.iso --multisession > burn.log 2>&1 || { cat burn.log; fail "burn"; }
	step "$m: import through $SG, with changes"
	mount_discfs "$SG" import
	diff -r src mnt > m.diff 2>&1 || { cat m.diff; fail "the imported tree differs from the ISO's"; }
	for d in exp mnt; do
		printf 'added\n' > $d/added.txt
		mkdir $d/newdir
		printf 'in newdir\n' > $d/newdir/n.txt
		# rewritten whole: the unchanged part of a partly changed file
		# would be read from the disc while the commit holds the drive
		# open exclusively, which fails through sg (a limit of every
		# commit on a real drive, not of the import)
		printf 'note\nchanged\n' > $d/docs/notes/n1.txt
		rm $d/gone.txt
		mv $d/docs/small.raw $d/docs/renamed.raw
	done
	discctl commit mnt || { cat daemon.log; fail "import commit"; }
	unmount_discfs
	kernel_reads "$name"
	step "$m: a second commit, without -o import"
	mount_discfs "$SG"
	for d in exp mnt; do
		printf 'second\n' > $d/second.txt
		rm $d/big.raw
	done
	discctl commit mnt || { cat daemon.log; fail "second commit"; }
	unmount_discfs
	kernel_reads "$name"
	step "$m: closed (finalized)"
	discctl close "$SG" > close.log 2>&1 || { cat close.log; fail "discctl close"; }
	kernel_reads "$name"
	emu_stop "$name"
}
run_case cd-r one cd-r 40000
run_case bd-r one bd-r 40000
finish_cases
