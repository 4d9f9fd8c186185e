#!/bin/bash
# tests/vm/mkinitramfs.sh - the real-kernel lane's initramfs.
#
# Usage: mkinitramfs.sh KVER OUTPUT
#
# The image holds busybox-static and the few modules needed to reach the
# host's root: virtio-pci, 9p over virtio, overlayfs (with their
# dependencies, in load order, decompressed).  Its /init mounts the host
# root read-only over 9p (tag "hostroot") under a tmpfs overlay, mounts the
# lane's work directory (tag "vmwork") read-write at the path named by
# dfs.work= on the kernel command line, and switch_roots into the program
# named by dfs.init= (tests/vm/guest-init.sh).  No path is baked in, so one
# image serves every checkout.  Everything else (sr_mod, sg, udf, TCMU...)
# is loaded later from the host's /lib/modules through the overlay.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: mkinitramfs.sh KVER OUTPUT" >&2; exit 2; }
KVER=$1 OUT=$2
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] && "$BUSYBOX" --list | grep -qx switch_root ||
	{ echo "mkinitramfs: $BUSYBOX (busybox-static) missing" >&2; exit 1; }
[ -d "/lib/modules/$KVER" ] || { echo "mkinitramfs: no /lib/modules/$KVER" >&2; exit 1; }

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/dfs-initramfs.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE"/{bin,dev,proc,sys,hostroot,overlay,root,modules}
cp "$BUSYBOX" "$STAGE/bin/busybox"

# modprobe --show-depends prints "insmod PATH" lines, dependencies first.
for mod in virtio_pci 9pnet_virtio 9p overlay; do
	modprobe -S "$KVER" --show-depends "$mod"
done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
while read -r ko; do
	name=$(basename "$ko"); name=${name%%.ko*}.ko
	case $ko in
	*.xz) xz -dc "$ko" ;;
	*.zst) zstd -dc "$ko" ;;
	*.gz) gzip -dc "$ko" ;;
	*) cat "$ko" ;;
	esac > "$STAGE/modules/$name"
	echo "$name" >> "$STAGE/modules/load-order"
done
[ -s "$STAGE/modules/load-order" ] || { echo "mkinitramfs: no modules found for $KVER" >&2; exit 1; }

cat > "$STAGE/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
die() { echo "VM-INITRAMFS-FAILED: $*"; poweroff -f; sleep 5; }
for ko in $(cat /modules/load-order); do
	insmod "/modules/$ko" || echo "initramfs: insmod $ko failed"
done
WORK= INIT=
for arg in $(cat /proc/cmdline); do
	case $arg in
	dfs.work=*) WORK=${arg#dfs.work=} ;;
	dfs.init=*) INIT=${arg#dfs.init=} ;;
	esac
done
[ -n "$WORK" ] && [ -n "$INIT" ] || die "dfs.work= or dfs.init= missing"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /hostroot ||
	die "9p mount of the host root"
mount -t tmpfs -o mode=0755 tmpfs /overlay && mkdir /overlay/upper /overlay/work
mount -t overlay -o lowerdir=/hostroot,upperdir=/overlay/upper,workdir=/overlay/work overlay /root ||
	die "overlay mount"
mkdir -p "/root$WORK"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 vmwork "/root$WORK" ||
	die "9p mount of the work directory"
for fs in proc sys dev; do mount --move "/$fs" "/root/$fs"; done
exec switch_root /root /bin/bash "$INIT"
INIT
chmod 755 "$STAGE/init"

mkdir -p "$(dirname "$OUT")"
(cd "$STAGE" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT.part.$$"
mv "$OUT.part.$$" "$OUT"
