/*
 * lib/blockio.c - raw block reads and writes on an open drive
 * (discfs_read_blocks, discfs_write_blocks, discfs_sync): READ(10),
 * WRITE(10) and SYNCHRONIZE CACHE on the drive's transport, in chunks the
 * size of a BD cluster.  What the drive refuses comes back as its sense
 * (an unrecorded block, a write away from the NWA of a write-once disc).
 */
#include <string.h>

#include "lib/drive_internal.h"
#include "mmc/cdb.h"
#include "mmc/exec.h"
#include "util/err.h"

#define BLOCKIO_CHUNK 32u /* blocks per command: one 64 KiB BD cluster */

/*
 * Runs one READ or WRITE.  A power-on or reset unit attention (6/29/xx)
 * says nothing about the medium, only that the drive (or the bus) started
 * afresh, which happens to the first command after a reset or, on an
 * emulated drive, after every open: the command is sent once more.  A
 * medium-changed attention (6/28/00) stays an error: the caller must know
 * the disc may not be the one it was reading.
 */
static int run_io(struct mmc_transport *t, struct mmc_cmd *c,
		  discfs_error *err)
{
	discfs_error e = { 0 };
	int rc = mmc_run(t, c, &e);
	if (rc < 0 && e.sense_key == 0x06 && e.asc == 0x29) {
		memset(&e, 0, sizeof(e));
		rc = mmc_run(t, c, &e);
	}
	if (rc < 0 && err)
		*err = e;
	return rc;
}

/* Blocks per command: a BD cluster, or less when the adapter says so. */
static uint32_t chunk_of(const struct mmc_transport *t)
{
	uint32_t adapter = t && t->max_xfer ? t->max_xfer / DISCFS_BLOCK_SIZE : 0;
	if (adapter && adapter < BLOCKIO_CHUNK)
		return adapter;
	return BLOCKIO_CHUNK;
}

static int check_range(discfs_drive *drive, uint64_t lba, uint64_t count,
		       const void *buf, discfs_error *err)
{
	if (!drive || (!buf && count))
		return dfs_fail(err, DISCFS_EINVAL, "no drive or buffer given");
	if (lba + count > 0x100000000ull)
		return dfs_fail(err, DISCFS_EINVAL,
				"blocks %llu+%llu are past 32-bit LBAs",
				(unsigned long long)lba, (unsigned long long)count);
	return 0;
}

int discfs_read_blocks(discfs_drive *drive, uint64_t lba, uint32_t count,
		       void *buf, discfs_error *err)
{
	int rc = check_range(drive, lba, count, buf, err);
	struct mmc_transport *t = rc ? NULL : discfs_drive_transport(drive);
	for (uint32_t done = 0; !rc && done < count;) {
		uint32_t chunk = chunk_of(t);
		uint32_t n = count - done < chunk ? count - done : chunk;
		struct mmc_cmd c;
		uint8_t *p = (uint8_t *)buf + (size_t)done * DISCFS_BLOCK_SIZE;
		rc = mmc_cdb_read10(&c, (uint32_t)(lba + done), (uint16_t)n,
				    DISCFS_BLOCK_SIZE, p, err);
		if (!rc)
			rc = run_io(t, &c, err);
		done += n;
	}
	return rc;
}

int discfs_write_blocks(discfs_drive *drive, uint64_t lba, uint32_t count,
			const void *buf, discfs_error *err)
{
	int rc = check_range(drive, lba, count, buf, err);
	struct mmc_transport *t = rc ? NULL : discfs_drive_transport(drive);
	for (uint32_t done = 0; !rc && done < count;) {
		uint32_t chunk = chunk_of(t);
		uint32_t n = count - done < chunk ? count - done : chunk;
		struct mmc_cmd c;
		const uint8_t *p = (const uint8_t *)buf + (size_t)done * DISCFS_BLOCK_SIZE;
		rc = mmc_cdb_write10(&c, (uint32_t)(lba + done), (uint16_t)n,
				     DISCFS_BLOCK_SIZE, 0, p, err);
		if (!rc)
			rc = run_io(t, &c, err);
		done += n;
	}
	return rc;
}

int discfs_sync(discfs_drive *drive, discfs_error *err)
{
	struct mmc_cmd c;
	if (!drive)
		return dfs_fail(err, DISCFS_EINVAL, "no drive given");
	mmc_cdb_synchronize_cache(&c, false);
	return mmc_run(discfs_drive_transport(drive), &c, err);
}
