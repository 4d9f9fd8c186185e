/* lib/tray.c - eject, load, lock (discfs.h): START STOP UNIT and PREVENT
 * ALLOW MEDIUM REMOVAL, without Immed so the call returns when the tray
 * has moved. */
#include "lib/drive_internal.h"
#include "mmc/cdb.h"
#include "mmc/exec.h"
#include "util/err.h"

/* Runs c, retrying once past a unit attention (a fresh power-on or
 * medium-changed report is not an answer to this command). */
static int run_once_more(discfs_drive *d, struct mmc_cmd *c,
			 discfs_error *err)
{
	struct mmc_cmd copy = *c;
	int rc = mmc_run(d->t, c, err);

	if (rc == -DISCFS_ECHANGED) {
		*c = copy;
		rc = mmc_run(d->t, c, err);
	}
	return rc;
}

int discfs_eject(discfs_drive *drive, discfs_error *err)
{
	struct mmc_cmd c;

	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "discfs_eject: no drive");
	mmc_cdb_start_stop(&c, false, true, false);
	return run_once_more(drive, &c, err);
}

int discfs_load(discfs_drive *drive, discfs_error *err)
{
	struct mmc_cmd c;

	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "discfs_load: no drive");
	mmc_cdb_start_stop(&c, true, true, false);
	return run_once_more(drive, &c, err);
}

void dfs_tray_hold(discfs_drive *drive, bool hold)
{
	discfs_error ignored;
	(void)discfs_lock(drive, hold, &ignored);
}

int discfs_lock(discfs_drive *drive, bool lock, discfs_error *err)
{
	struct mmc_cmd c;

	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "discfs_lock: no drive");
	mmc_cdb_prevent_allow(&c, lock);
	return run_once_more(drive, &c, err);
}
