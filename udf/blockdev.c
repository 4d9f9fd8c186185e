/*
 * udf/blockdev.c - the checked calls of udf/blockdev.h and the reader
 * source view of a block device.
 */
#include <string.h>

#include "udf/blockdev.h"
#include "util/err.h"

int udf_bdev_read(struct udf_bdev *bd, uint64_t lba, uint32_t count,
		  void *buf, discfs_error *err)
{
	if (lba >= bd->capacity || count > bd->capacity - lba)
		return dfs_fail(err, DISCFS_EINVAL,
				"read of blocks %llu+%u past the medium's %llu",
				(unsigned long long)lba, count,
				(unsigned long long)bd->capacity);
	return bd->read(bd->ctx, lba, count, buf, err);
}

int udf_bdev_write(struct udf_bdev *bd, uint64_t lba, uint32_t count,
		   const void *buf, discfs_error *err)
{
	if (lba >= bd->capacity || count > bd->capacity - lba)
		return dfs_fail(err, DISCFS_ENOSPC,
				"write of blocks %llu+%u past the medium's %llu",
				(unsigned long long)lba, count,
				(unsigned long long)bd->capacity);
	if (bd->kind == UDF_BDEV_SEQUENTIAL && lba != bd->nwa)
		return dfs_fail(err, DISCFS_EINVAL,
				"write-once medium: write at %llu, next writable "
				"address is %llu", (unsigned long long)lba,
				(unsigned long long)bd->nwa);
	int rc = bd->write(bd->ctx, lba, count, buf, err);
	if (rc)
		return rc;
	bd->blocks_written += count;
	if (bd->kind == UDF_BDEV_SEQUENTIAL)
		bd->nwa = lba + count;
	if (bd->last_recorded == UINT64_MAX || lba + count - 1 > bd->last_recorded)
		bd->last_recorded = lba + count - 1;
	return 0;
}

int udf_bdev_sync(struct udf_bdev *bd, discfs_error *err)
{
	return bd->sync ? bd->sync(bd->ctx, err) : 0;
}

void udf_bdev_close(struct udf_bdev *bd)
{
	if (bd && bd->close)
		bd->close(bd->ctx);
	if (bd)
		memset(bd, 0, sizeof(*bd));
}

static int src_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		    discfs_error *err)
{
	return udf_bdev_read(ctx, lba, count, buf, err);
}

static int src_write(void *ctx, uint64_t lba, uint32_t count, const void *buf,
		     discfs_error *err)
{
	return udf_bdev_write(ctx, lba, count, buf, err);
}

static void src_close(void *ctx)
{
	(void)ctx; /* the block device stays the caller's */
}

void udf_bdev_as_bsrc(struct udf_bdev *bd, struct udf_bsrc *out)
{
	uint64_t readable = bd->capacity;
	/* a sequential medium reads only what it recorded */
	if (bd->kind == UDF_BDEV_SEQUENTIAL)
		readable = bd->last_recorded == UINT64_MAX ? 0 : bd->last_recorded + 1;
	*out = (struct udf_bsrc){
		.ctx = bd,
		.block_size = bd->block_size,
		.n_blocks = readable,
		.last_recorded = bd->last_recorded,
		.read = src_read,
		.write = src_write,
		.close = src_close,
	};
}
