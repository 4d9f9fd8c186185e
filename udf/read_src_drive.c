/*
 * udf/read_src_drive.c - a reader block source on an optical drive, for
 * paths that name one (/dev/sgN, /dev/srN).
 *
 * Why not read /dev/srN as a block device: the kernel learns the size of
 * an sr device only when a medium arrives, so after a session was added
 * through sg (by discfs, a burner) the block device still shows the old
 * size, and it cannot say where a sequential disc's last recorded block
 * (its VAT) is.  The drive itself knows both (READ TRACK INFORMATION, via
 * the block-device layer of udf/blockdev.h), and the blocks are read with
 * READ(10) through the public drive API.
 *
 * Why the drive is opened for each read and closed after it: burners open
 * a drive exclusively (O_EXCL), so a source holding it open for as long as
 * a volume is open would lock out the writer that appends the next session
 * (discfs keeps its volume open while it commits).  An open costs a system
 * call; reads come in large runs.  A mutex keeps this source's own readers
 * from locking each other out.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "udf/blockdev.h"
#include "udf/read_src.h"
#include "util/err.h"

#define SCSI_CDROM_MAJOR 11 /* sr block devices (Linux devices.txt) */

struct drive_src {
	pthread_mutex_t mu;
	char path[256];
};

bool udf_path_is_drive(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return false;
	if (S_ISCHR(st.st_mode))
		return true; /* sg (or bsg): only drives have one here */
	return S_ISBLK(st.st_mode) && major(st.st_rdev) == SCSI_CDROM_MAJOR;
}

static int ds_io(struct drive_src *s, uint64_t lba, uint32_t count, void *rbuf,
		 const void *wbuf, discfs_error *err)
{
	discfs_drive *d;
	int rc;

	pthread_mutex_lock(&s->mu);
	rc = discfs_open(s->path, &d, err);
	if (!rc) {
		rc = rbuf ? discfs_read_blocks(d, lba, count, rbuf, err)
			  : discfs_write_blocks(d, lba, count, wbuf, err);
		if (!rc && wbuf)
			rc = discfs_sync(d, err);
		discfs_close(d);
	}
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int ds_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		   discfs_error *err)
{
	return ds_io(ctx, lba, count, buf, NULL, err);
}

static int ds_write(void *ctx, uint64_t lba, uint32_t count, const void *buf,
		    discfs_error *err)
{
	return ds_io(ctx, lba, count, NULL, buf, err);
}

static void ds_close(void *ctx)
{
	struct drive_src *s = ctx;
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* What the disc holds, asked once: readable blocks and the last one. */
static int geometry(const char *path, struct udf_bsrc *g, discfs_error *err)
{
	discfs_drive *d;
	struct udf_bdev bd;
	int rc = discfs_open(path, &d, err);
	if (rc)
		return rc;
	rc = udf_bdev_open_drive(d, &bd, err);
	if (!rc) {
		udf_bdev_as_bsrc(&bd, g);
		udf_bdev_close(&bd);
	}
	discfs_close(d);
	return rc;
}

int udf_bsrc_open_drive(const char *path, uint32_t block_size, bool writable,
			struct udf_bsrc *out, discfs_error *err)
{
	struct udf_bsrc g;
	struct drive_src *s;
	int rc;

	if (block_size && block_size != DISCFS_BLOCK_SIZE)
		return dfs_fail(err, DISCFS_EFORMAT, "%s: an optical drive reads "
				"%u-byte blocks only", path, DISCFS_BLOCK_SIZE);
	if (snprintf(NULL, 0, "%s", path) >= (int)sizeof(s->path))
		return dfs_fail(err, DISCFS_EINVAL, "device path too long");
	rc = geometry(path, &g, err);
	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	pthread_mutex_init(&s->mu, NULL);
	snprintf(s->path, sizeof(s->path), "%s", path);
	*out = (struct udf_bsrc){
		.ctx = s,
		.block_size = DISCFS_BLOCK_SIZE,
		.n_blocks = g.n_blocks,
		.last_recorded = g.last_recorded,
		.read = ds_read,
		.write = writable ? ds_write : NULL,
		.close = ds_close,
	};
	return 0;
}
