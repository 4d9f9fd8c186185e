/*
 * tools/discemu/lio.h - the kernel side of an emulated burner: a TCMU
 * (target_core_user) backstore and a tcm_loop LUN made through configfs,
 * so that the SCSI midlayer attaches sr + sg to it.
 *
 * Made for a drive NAME:
 *   target/core/user_0/NAME              backstore (enable => /dev/uioN)
 *   target/loopback/naa.W/tpgt_1         loopback target port group
 *       lun/lun_0 -> the backstore       (link => scsi_add_device)
 * W is derived from NAME, so two drives of different names coexist and a
 * stale set left by a killed discemu is found again by name.
 *
 * Order matters (see daemon.c): the backstore's ring must be served before
 * the LUN is linked (the kernel's first INQUIRY goes to it) and until the
 * LUN is gone (removal sends SYNCHRONIZE CACHE).  lio_remove() undoes
 * whatever was made, in reverse, and can be called on a half-made target or
 * on one found stale.  Errors: DISCFS_ENOTSUP when configfs/TCMU/tcm_loop
 * are missing, DISCFS_EBUSY when NAME is taken, DISCFS_EIO otherwise.
 */
#ifndef DFS_DISCEMU_LIO_H
#define DFS_DISCEMU_LIO_H

#include <stdbool.h>
#include <stdint.h>

#include "discfs.h"

#define LIO_NAME_MAX 32

struct lio_target {
	char name[LIO_NAME_MAX + 1];
	char backstore[160]; /* configfs dir of the backstore */
	char wwn[160];       /* configfs dir of the loopback WWN */
	char uio[32];        /* "uio0" */
	char addr[32];       /* SCSI address "H:C:T:L" once linked */
	char sr[32];         /* "/dev/sr0" once attached */
	char sg[32];         /* "/dev/sg1" */
};

/* True when NAME is 1..32 of [A-Za-z0-9_-]. */
bool lio_name_ok(const char *name);

/* Fills the configfs paths of NAME (nothing is created). */
void lio_init(struct lio_target *t, const char *name);

/* Loads the modules if needed, mounts configfs if needed. */
int lio_prepare(discfs_error *err);

/* True when a backstore of this name exists. */
bool lio_exists(const struct lio_target *t);

/* Creates and enables the backstore (dev_bytes: size it announces) and
 * finds its UIO node. */
int lio_backstore_create(struct lio_target *t, uint64_t dev_bytes,
			 discfs_error *err);

/* Creates the loopback port and links the LUN; waits (up to timeout_ms)
 * for the midlayer to attach block (sr) and sg nodes. */
int lio_lun_create(struct lio_target *t, int timeout_ms, discfs_error *err);

/* Removes the LUN and the loopback port (keep serving the ring meanwhile). */
void lio_lun_remove(struct lio_target *t);

/* Removes the backstore (after the ring is closed). */
void lio_backstore_remove(struct lio_target *t);

/* Makes the block layer check the drive for media events now, so sr sees
 * a new disc (and re-reads its capacity) without waiting for an open.
 * Blocks while a check is in flight: never call it from the ring thread. */
int lio_poke_media_check(const struct lio_target *t);

#endif
