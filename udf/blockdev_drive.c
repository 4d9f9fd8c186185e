/*
 * udf/blockdev_drive.c - a block device on an open drive (udf/blockdev.h),
 * through the public API only: discfs_media_info_get for the profile,
 * capacity, next writable address, last recorded block and fixed packets;
 * discfs_read_blocks / discfs_write_blocks / discfs_sync for the data.
 * Media written in whole fixed packets go through udf/packet_rmw.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udf/blockdev.h"
#include "udf/packet_rmw.h"
#include "util/err.h"

/*
 * discfs_write_blocks sends at most 32 blocks per WRITE, each command
 * starting where the previous one ended: a packet that divides 32 keeps
 * every command whole packets, aligned.
 */
#define DRIVE_CHUNK 32u

struct drive_bdev {
	discfs_drive *drive;
	struct udf_packet_io pk; /* pk.packet 0: writes go straight through */
};

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

/* A CD-RW formatted with fixed packets (FORMAT UNIT 10h): one track, FP. */
static bool cd_rw_packets(const discfs_media_info *mi)
{
	return mi->profile == 0x000A && mi->n_tracks == 1 &&
	       mi->tracks[0].fixed_packet;
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

/*
 * Blocks per fixed packet the drive demands, 0 for none: the packet size
 * READ TRACK INFORMATION gives for a fixed-packet track; a DVD-RW in
 * restricted overwrite that does not say is written in its 16-block ECC
 * blocks (mmc-notes: restricted overwrite takes whole ECC blocks).
 */
static int fixed_packet(const discfs_media_info *mi, uint32_t *packet,
			discfs_error *err)
{
	uint32_t p = 0;

	if (mi->profile != 0x000A /* CD-RW */ &&
	    mi->profile != 0x0013 /* DVD-RW restricted overwrite */) {
		*packet = 0;
		return 0;
	}
	for (size_t i = 0; i < mi->n_tracks && !p; i++)
		if (mi->tracks[i].fixed_packet)
			p = mi->tracks[i].packet_size;
	if (!p && mi->profile == 0x0013)
		p = 16;
	if (p > DRIVE_CHUNK || (p && DRIVE_CHUNK % p))
		return dfs_fail(err, DISCFS_ENOTSUP,
				"fixed packets of %u blocks are not supported "
				"(a divisor of %u is)", p, DRIVE_CHUNK);
	*packet = p > 1 ? p : 0;
	return 0;
}

static int raw_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		    discfs_error *err)
{
	return discfs_read_blocks(ctx, lba, count, buf, err);
}

static int raw_write(void *ctx, uint64_t lba, uint32_t count,
		     const void *buf, discfs_error *err)
{
	return discfs_write_blocks(ctx, lba, count, buf, err);
}

static int d_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		  discfs_error *err)
{
	struct drive_bdev *d = ctx;
	if (d->pk.packet)
		return udf_packet_read(&d->pk, lba, count, buf, err);
	return discfs_read_blocks(d->drive, lba, count, buf, err);
}

static int d_write(void *ctx, uint64_t lba, uint32_t count, const void *buf,
		   discfs_error *err)
{
	struct drive_bdev *d = ctx;
	if (d->pk.packet)
		return udf_packet_write(&d->pk, lba, count, buf, err);
	return discfs_write_blocks(d->drive, lba, count, buf, err);
}

/* The packet held back (packet_rmw.h) goes down first. */
static int d_sync(void *ctx, discfs_error *err)
{
	struct drive_bdev *d = ctx;
	int rc = d->pk.packet ? udf_packet_flush(&d->pk, err) : 0;
	return rc ? rc : discfs_sync(d->drive, err);
}

/* Writers sync before they close; a packet still held back is written
 * here all the same (close cannot report a failure). */
static void d_close(void *ctx)
{
	struct drive_bdev *d = ctx;
	discfs_error ignored;
	if (d && d->pk.packet)
		udf_packet_flush(&d->pk, &ignored);
	if (d)
		free(d->pk.scratch);
	free(d);
}

/* Sets the packet size, with scratch room for 3 packets; the cache is
 * forgotten (the medium may have changed). */
static int set_packet(struct drive_bdev *d, uint32_t packet,
		      discfs_error *err)
{
	udf_packet_forget(&d->pk);
	if (packet == d->pk.packet)
		return 0;
	free(d->pk.scratch);
	d->pk.scratch = NULL;
	d->pk.packet = 0;
	if (!packet)
		return 0;
	d->pk.scratch = malloc((size_t)3 * packet * DISCFS_BLOCK_SIZE);
	if (!d->pk.scratch)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	d->pk.packet = packet;
	return 0;
}

static void sequential_geometry(struct udf_bdev *bd,
				const discfs_media_info *mi)
{
	bool complete = mi->disc_status == DISCFS_DISC_COMPLETE;

	bd->nwa = mi->next_writable_valid ? mi->next_writable : bd->capacity;
	for (size_t i = 0; i < mi->n_tracks; i++) {
		const discfs_track_info *t = &mi->tracks[i];
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

static int d_refresh(struct udf_bdev *bd, discfs_error *err)
{
	struct drive_bdev *d = bd->ctx;
	discfs_media_info mi;
	uint32_t packet = 0;
	int rc = d->pk.packet ? udf_packet_flush(&d->pk, err) : 0;
	if (!rc)
		rc = discfs_media_info_get(d->drive, &mi, err);
	if (rc)
		return rc;
	if (!mi.present) {
		discfs_media_info_free(&mi);
		return dfs_fail(err, DISCFS_ENOMEDIUM, "no medium in the drive");
	}
	bool random = profile_random(mi.profile) || cd_rw_packets(&mi);
	if (random)
		rc = fixed_packet(&mi, &packet, err);
	if (!rc)
		rc = set_packet(d, packet, err);
	if (rc) {
		discfs_media_info_free(&mi);
		return rc;
	}
	bd->kind = random ? UDF_BDEV_RANDOM : UDF_BDEV_SEQUENTIAL;
	bd->write_unit = packet ? packet : profile_unit(mi.profile);
	bd->packet = packet;
	snprintf(bd->media, sizeof(bd->media), "%s", discfs_profile_name(mi.profile));
	bd->capacity = mi.capacity_blocks;
	bd->last_recorded = UINT64_MAX;
	if (random) {
		bd->nwa = 0;
		bd->last_recorded = bd->capacity ? bd->capacity - 1 : UINT64_MAX;
	} else {
		sequential_geometry(bd, &mi);
	}
	discfs_media_info_free(&mi);
	return 0;
}

int udf_bdev_open_drive(discfs_drive *drive, struct udf_bdev *out,
			discfs_error *err)
{
	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "no drive given");
	struct drive_bdev *d = calloc(1, sizeof(*d));
	if (!d)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	d->drive = drive;
	d->pk = (struct udf_packet_io){
		.ctx = drive,
		.block_size = DISCFS_BLOCK_SIZE,
		.read = raw_read,
		.write = raw_write,
	};
	*out = (struct udf_bdev){
		.ctx = d,
		.block_size = DISCFS_BLOCK_SIZE,
		.read = d_read,
		.write = d_write,
		.sync = d_sync,
		.refresh = d_refresh,
		.close = d_close, /* the drive stays the caller's */
	};
	int rc = d_refresh(out, err);
	if (rc)
		udf_bdev_close(out);
	return rc;
}
