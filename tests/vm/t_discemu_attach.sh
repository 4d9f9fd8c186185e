#!/bin/bash
# discemu attaches an emulated BD-R through TCMU + tcm_loop: the kernel
# binds sr and sg, INQUIRY says CD/DVD device (type 5) with our identity,
# the drive can be stopped and leaves no configfs entry behind, and two
# drives of different names coexist.
# vm-timeout: 180
. "$DISCFS_SRC/tests/vm/lib.sh"
need discemu sg_inq sg_turs
step "attach"
emu_start burner bd-r 16384
inq=$(sg_inq "$SG")
echo "$inq" | grep -q 'Peripheral device type: cd/dvd' || fail "INQUIRY not type 5: $inq"
[ "$(cat /sys/block/${SR#/dev/}/device/type)" = 5 ] || fail "sysfs type not 5"
grep -q "${SR#/dev/}" /proc/sys/dev/cdrom/info || fail "cdrom layer does not list ${SR#/dev/}"
step "status"
discemu status --name burner | tee status.txt
grep -qx "sr=$SR" status.txt || fail "status does not name $SR"
step "second drive"
emu_start other dvd+r 4096
[ "$SR" != "$(grep '^sr=' status.txt | cut -d= -f2)" ] || fail "two drives on one node"
step "stop both"
emu_stop other
emu_stop burner
[ ! -e /sys/kernel/config/target/core/user_0/burner ] || fail "backstore left behind"
ls /sys/kernel/config/target/loopback/ | grep -q naa && fail "loopback target left behind"
[ ! -e /run/discemu/burner.pid ] || fail "pid file left behind"
[ ! -b "$SR" ] || fail "$SR still there after stop"
echo "attach/detach ok"
