/*
 * mmc/sg_linux.h - the Linux SG_IO transport and the sr/sg device map.
 *
 * mmc_sg_open() opens /dev/srN or /dev/sgN as real burners do:
 * O_RDWR|O_NONBLOCK (no tray auto-close, no medium checks, and the kernel
 * lets write-class commands through only on a writable fd) plus O_EXCL
 * (exclusive against other burners and mounts); EBUSY is retried a few
 * times, since udev probes hold the device briefly after a media change.
 * A node we may not write is opened read-only instead (no O_EXCL: sg
 * refuses it read-only): queries work, writing commands are refused by
 * the kernel's SG_IO filter and reported as such.
 * The transport then carries one command at a time with the SG_IO ioctl
 * (sg v3 header): direction, buffer, timeout in ms; it returns the SCSI
 * status, up to MMC_SENSE_MAX bytes of sense and the residual.  Host and
 * driver status (adapter lost the device, timeout, reset) become
 * DISCFS_ENODEV / DISCFS_EIO / DISCFS_ECHANGED errors, as transport.h says.
 *
 * The device map reads sysfs below a root given by the caller ("/sys" on a
 * real system, a directory built by a test otherwise):
 *   ROOT/block/srN/device/scsi_generic/sgM     sr -> sg
 *   ROOT/class/scsi_generic/sgM/device/block/srN   sg -> sr
 *   ROOT/block/srN/device/{vendor,model,rev}    identification
 * and never opens a device, so listing does not disturb a burner.
 */
#ifndef DFS_MMC_SG_LINUX_H
#define DFS_MMC_SG_LINUX_H

#include <stdbool.h>
#include <stddef.h>

#include "discfs.h"
#include "mmc/transport.h"

#define MMC_SYSFS_ROOT "/sys"

/* Opens path exclusively (see above); *out is owned by the caller
 * (mmc_transport_destroy closes it). */
int mmc_sg_open(const char *path, struct mmc_transport **out,
		discfs_error *err);

/* "sr0" -> "sg1" (name only).  DISCFS_ENOENT when there is no sibling. */
int mmc_sg_sr_to_sg(const char *sysfs_root, const char *sr, char *out,
		    size_t n, discfs_error *err);
/* "sg1" -> "sr0".  DISCFS_ENOENT when the sg node is not an sr device. */
int mmc_sg_sg_to_sr(const char *sysfs_root, const char *sg, char *out,
		    size_t n, discfs_error *err);

/* The other node of the same drive: "/dev/sr0" (or a symlink to it) ->
 * "/dev/sg1", "/dev/sg1" -> "/dev/sr0" (out holds n bytes).  mmc_sg_open()
 * holds it exclusively too, so no other burner reaches the drive through
 * it.  DISCFS_ENOENT when there is none. */
int mmc_sg_sibling(const char *sysfs_root, const char *dev, char *out,
		   size_t n, discfs_error *err);

struct mmc_sg_dev {
	char sr[32];        /* "sr0" */
	char sg[32];        /* "sg1", "" when the sg driver is not loaded */
	char vendor[9];
	char model[17];
	char revision[5];
};
/* The sr devices under ROOT/block, sorted by number.  Fills at most max,
 * sets *count to how many exist.  No ROOT/block: 0 devices, not an error. */
int mmc_sg_list(const char *sysfs_root, struct mmc_sg_dev *out, size_t max,
		size_t *count, discfs_error *err);

/* Maps an sg v3 result (status bytes from the kernel) to the transport
 * contract; exposed for tests.  Returns 0 when the command came back
 * (status holds the SCSI status), else -code with err filled. */
int mmc_sg_map_result(unsigned host_status, unsigned driver_status,
		      const char *what, discfs_error *err);

#endif
