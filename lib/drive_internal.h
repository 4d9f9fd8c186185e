/*
 * lib/drive_internal.h - what an open discfs_drive is, for the library's
 * own modules (burn engine, image writer): not part of the public API.
 *
 * A drive owns exactly one transport (SG_IO on a real device, or an
 * emulated drive) for its whole life; discfs_close() destroys it.  Commands
 * are sent one at a time by whoever holds the drive: the library does not
 * lock, so one drive is used from one thread at a time (separate drives
 * are independent).
 */
#ifndef DFS_LIB_DRIVE_INTERNAL_H
#define DFS_LIB_DRIVE_INTERNAL_H

#include <stdbool.h>

#include "discfs.h"
#include "mmc/transport.h"

struct discfs_drive {
	struct mmc_transport *t; /* owned */
	bool emulated;
	char path[256];          /* as given to discfs_open(), for messages */
};

/* The transport of an open drive (borrowed: valid until discfs_close). */
struct mmc_transport *discfs_drive_transport(discfs_drive *drive);

/* The path the drive was opened with. */
const char *discfs_drive_path(const discfs_drive *drive);

/*
 * How discfs_open() reads dev: "emu:PATH" -> emulated, PATH; a regular
 * file -> emulated, dev; anything else -> real device, dev.  Exposed for
 * tests.  Returns the path part (inside dev).
 */
const char *discfs_dev_classify(const char *dev, bool *emulated);

/*
 * Locks (hold) or unlocks the tray around a long operation (burn, format,
 * erase, close), as careful burners do, so the disc cannot be swapped
 * under it: a medium-changed attention then cannot mean a swap.  Best
 * effort: a drive that refuses PREVENT (or is gone) is left as it is.
 * The unlock also undoes a lock the user set before (`discctl lock`).
 */
void dfs_tray_hold(discfs_drive *drive, bool hold);

#endif
