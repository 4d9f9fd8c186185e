#!/bin/bash
# fixture: crashes the guest kernel
echo 1 > /proc/sys/kernel/sysrq
sync
echo c > /proc/sysrq-trigger
sleep 30
