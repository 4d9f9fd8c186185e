#!/bin/bash
# fixture: the environment a guest test is promised (tests/vm/README.md)
set -eu
[ "$(id -u)" = 0 ]
[ -d "$DISCFS_SRC/tests/vm" ] && [ -d "$DISCFS_BUILD" ]
case ":$PATH:" in *":$DISCFS_BUILD:"*) ;; *) echo "build dir not on PATH"; exit 1 ;; esac
[ -z "$(ls -A .)" ] && [ "$PWD" = "$TMPDIR" ]
echo scratch > file && [ "$(cat file)" = scratch ]
for m in sr_mod sg target_core_user tcm_loop udf isofs; do grep -q "^$m " /proc/modules || { echo "no $m"; exit 1; }; done
mountpoint -q /sys/kernel/config
! touch /usr/lib/should-not-reach-host 2>/dev/null || [ ! -e /usr/lib/should-not-reach-host ] || rm /usr/lib/should-not-reach-host
echo "environment ok"
