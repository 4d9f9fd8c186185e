#!/bin/sh
# scripts/deps.sh - install the Debian packages discfs needs, idempotently.
#   scripts/deps.sh          install what is missing (as root, or with sudo)
#   scripts/deps.sh --check  exit 0 when everything is present, 1 otherwise
# Groups: build and run; independent readers for the cross-checks; the
# real-kernel lane (QEMU + Debian's kernel); benchmark peers.
set -eu
BUILD_PKGS="make gcc libc6-dev pkg-config libfuse3-dev fuse3 liburing-dev
 libsgutils2-dev sg3-utils libcmocka-dev rsync clang attr"
READER_PKGS="udftools udfclient 7zip libudfread-dev libcdio-dev libiso9660-dev
 libudf-dev libcdio-utils grub-common python3-pycdlib xorriso genisoimage
 libarchive-tools dumpet util-linux"
VM_PKGS="qemu-system-x86 linux-image-amd64 busybox-static kmod cpio growisofs
 wodim cdrskin jq"
BENCH_PKGS="bindfs" # a generic FUSE passthrough, the peer of the cp benchmark
PKGS="$BUILD_PKGS $READER_PKGS $VM_PKGS $BENCH_PKGS ${EXTRA_PKGS:-}"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	exit 0
fi
if [ "${1:-}" = "--check" ]; then
	echo "missing packages:$missing"
	exit 1
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "deps: installing$missing"
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
	install -y -qq --no-install-recommends $missing
