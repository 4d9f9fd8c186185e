/*
 * udf/blockdev_drive.c - a block device on an open drive (udf/blockdev.h),
 * through the public API only: discfs_media_info_get for the profile,
 * capacity, next writable address and last recorded block;
 * discfs_read_blocks / discfs_write_blocks / discfs_sync for the data.
 */
#include <stdio.h>
#include <string.h>

#include "udf/blockdev.h"
#include "util/err.h"

/* Profiles written in place (MMC profile numbers). */
static bool profile_random(uint16_t p)
{
	switch (p) {
	case 0x0003: /* MO */
	case 0x0012: /* DVD-RAM */
	case 0x0013: /* DVD-RW restricted overwrite */
	case 0x001A: /* DVD+RW */
	case 0x002A: /* DVD+RW DL */
	case 0x0042: /* BD-R RRM */
	case 0x0043: /* BD-RE */
		return true;
	default:
		return false;
	}
}

/* ECC unit / cluster of a profile in blocks. */
static uint32_t profile_unit(uint16_t p)
{
	if (p >= 0x40 && p <= 0x43)
		return 32;
	if (p >= 0x10 && p <= 0x2B)
		return 16;
	return 1;
}

static int d_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		  discfs_error *err)
{
	return discfs_read_blocks(ctx, lba, count, buf, err);
}

static int d_write(void *ctx, uint64_t lba, uint32_t count, const void *buf,
		   discfs_error *err)
{
	return discfs_write_blocks(ctx, lba, count, buf, err);
}

static int d_sync(void *ctx, discfs_error *err)
{
	return discfs_sync(ctx, err);
}

static int d_refresh(struct udf_bdev *bd, discfs_error *err)
{
	discfs_media_info mi;
	int rc = discfs_media_info_get(bd->ctx, &mi, err);
	if (rc)
		return rc;
	if (!mi.present) {
		discfs_media_info_free(&mi);
		return dfs_fail(err, DISCFS_ENOMEDIUM, "no medium in the drive");
	}
	bd->kind = profile_random(mi.profile) ? UDF_BDEV_RANDOM : UDF_BDEV_SEQUENTIAL;
	bd->write_unit = profile_unit(mi.profile);
	snprintf(bd->media, sizeof(bd->media), "%s", discfs_profile_name(mi.profile));
	bd->capacity = mi.capacity_blocks;
	bd->last_recorded = UINT64_MAX;
	if (bd->kind == UDF_BDEV_RANDOM) {
		bd->nwa = 0;
		bd->last_recorded = bd->capacity ? bd->capacity - 1 : UINT64_MAX;
	} else {
		bool complete = mi.disc_status == DISCFS_DISC_COMPLETE;
		bd->nwa = mi.next_writable_valid ? mi.next_writable : bd->capacity;
		for (size_t i = 0; i < mi.n_tracks; i++) {
			const discfs_track_info *t = &mi.tracks[i];
			uint64_t last = t->lra_valid ? t->last_recorded
				      : t->nwa_valid && t->nwa > t->start ? t->nwa - 1
				      : !t->blank && t->size ? (uint64_t)t->start + t->size - 1
				      : UINT64_MAX;
			if (last != UINT64_MAX &&
			    (bd->last_recorded == UINT64_MAX || last > bd->last_recorded))
				bd->last_recorded = last;
		}
		if (complete)
			bd->nwa = bd->capacity; /* finalized: nothing more fits */
	}
	discfs_media_info_free(&mi);
	return 0;
}

int udf_bdev_open_drive(discfs_drive *drive, struct udf_bdev *out,
			discfs_error *err)
{
	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "no drive given");
	*out = (struct udf_bdev){
		.ctx = drive,
		.block_size = DISCFS_BLOCK_SIZE,
		.read = d_read,
		.write = d_write,
		.sync = d_sync,
		.refresh = d_refresh,
		.close = NULL, /* the drive stays the caller's */
	};
	return d_refresh(out, err);
}
