/* fused/commit_import.c - see commit_import.h */
#include "fused/commit_import.h"

#include <stdio.h>
#include <syslog.h>

#include "mmc/drive_query.h"
#include "mmc/mmc_defs.h"
#include "util/err.h"

/*
 * Blocks the import costs besides the data: the new session's descriptors
 * and VAT, the next session's copy of them, and on CD the lead-out and
 * lead-in the session close leaves between sessions (about 6900 blocks
 * measured on the emulated CD-R; DVD±R and BD-R leave a few dozen).
 */
static uint64_t overhead_blocks(uint16_t profile)
{
	bool cd = profile == MMC_PROF_CD_R || profile == MMC_PROF_CD_RW;

	return 2 * 300 + (cd ? 7000 : 100);
}

static int free_blocks_of(const char *dev, uint64_t *out, discfs_error *err)
{
	discfs_drive *drive;
	discfs_media_info mi;
	int rc = discfs_open(dev, &drive, err);

	if (rc < 0)
		return rc;
	rc = discfs_media_info_get(drive, &mi, err);
	discfs_close(drive);
	if (rc < 0)
		return rc;
	*out = mi.free_blocks;
	discfs_media_info_free(&mi);
	return 0;
}

int dfs_disc_enable_import(struct dfs_disc *d, discfs_error *err)
{
	uint64_t free_blocks = 0;
	int rc;

	if (d->none || d->blank || !d->iso_only)
		return 0; /* nothing to import: writable (or not) as it is */
	if (d->closed)
		return dfs_fail(err, DISCFS_EPROTECT, "%s: -o import: the disc is "
				"closed (finalized); no session can be added",
				d->dev);
	if (d->erasable || mmc_profile_random_access(d->profile))
		return dfs_fail(err, DISCFS_ENOTSUP, "%s: -o import works on "
				"appendable write-once discs (CD-R, DVD±R, BD-R), "
				"not on rewritable %s", d->dev,
				discfs_profile_name(d->profile));
	if ((rc = free_blocks_of(d->dev, &free_blocks, err)) < 0)
		return rc;
	if (free_blocks <= overhead_blocks(d->profile))
		return dfs_fail(err, DISCFS_ENOSPC, "%s: -o import: no room for "
				"a new session (%llu blocks free)", d->dev,
				(unsigned long long)free_blocks);
	d->read_only = NULL;
	d->import = true;
	d->free_bytes = (free_blocks - overhead_blocks(d->profile)) *
			DISCFS_BLOCK_SIZE;
	snprintf(d->desc, sizeof(d->desc), "%s, ISO9660, importing into UDF at "
		 "the first commit, %llu bytes free",
		 discfs_profile_name(d->profile),
		 (unsigned long long)d->free_bytes);
	return 0;
}

int dfs_import_continue_session(discfs_drive *drive, struct udf_update *u,
				struct udf_bdev *bd, uint64_t udf_session,
				discfs_error *err)
{
	discfs_media_info mi;
	bool empty;
	int rc;

	if (!udf_session || bd->kind != UDF_BDEV_SEQUENTIAL)
		return 0;
	rc = discfs_media_info_get(drive, &mi, err);
	if (rc < 0)
		return rc;
	empty = mi.disc_status == DISCFS_DISC_APPENDABLE &&
		mi.last_session_state == DISCFS_SESSION_EMPTY;
	discfs_media_info_free(&mi);
	if (!empty)
		return 0;
	rc = udf_update_continue_session(u, udf_session, err);
	return rc < 0 ? dfs_wrap(err, rc, "starting a new session of the volume") : 0;
}

void dfs_import_close_session(discfs_drive *drive)
{
	discfs_error err = { 0 };

	if (discfs_close_session(drive, &err) < 0)
		syslog(LOG_WARNING, "discfs: the imported disc's UDF session "
		       "could not be closed (Linux will not see it until the "
		       "disc is closed): %s", err.msg);
}

int dfs_import_open(discfs_drive *drive, struct udf_bdev *bd,
		    struct udf_update **u, discfs_error *err)
{
	struct udf_update_opts uo = { 0 };
	uint64_t iso_session = discfs_last_session_start(drive);
	int rc = udf_bdev_open_drive(drive, bd, err);

	if (rc < 0)
		return rc;
	rc = udf_update_import_open(bd, &uo, iso_session, u, err);
	if (rc < 0) {
		udf_bdev_close(bd);
		return dfs_wrap(err, rc, "importing the ISO9660 disc into UDF");
	}
	return 0;
}
