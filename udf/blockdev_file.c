/*
 * udf/blockdev_file.c - a block device on an image file (udf/blockdev.h).
 *
 * Sequential mode treats the file as a write-once disc: the next writable
 * block is the one after the last data region of the (sparse) file, found
 * with SEEK_DATA/SEEK_HOLE, the way the reader finds the last recorded
 * block.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "udf/blockdev.h"
#include "util/err.h"

struct file_bdev {
	int fd;
	uint32_t bs;
};

static int f_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		  discfs_error *err)
{
	struct file_bdev *f = ctx;
	size_t len = (size_t)count * f->bs, done = 0;
	while (done < len) {
		ssize_t n = pread(f->fd, (uint8_t *)buf + done, len - done,
				  (off_t)(lba * f->bs + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dfs_fail_errno(err, DISCFS_EIO, errno,
					      "read of block %llu",
					      (unsigned long long)lba);
		if (n == 0) { /* past the end of a growing image: zeros */
			memset((uint8_t *)buf + done, 0, len - done);
			break;
		}
		done += (size_t)n;
	}
	return 0;
}

static int f_write(void *ctx, uint64_t lba, uint32_t count, const void *buf,
		   discfs_error *err)
{
	struct file_bdev *f = ctx;
	size_t len = (size_t)count * f->bs, done = 0;
	while (done < len) {
		ssize_t n = pwrite(f->fd, (const uint8_t *)buf + done, len - done,
				   (off_t)(lba * f->bs + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return dfs_fail_errno(err, DISCFS_EIO, n < 0 ? errno : EIO,
					      "write of block %llu",
					      (unsigned long long)lba);
		done += (size_t)n;
	}
	return 0;
}

static int f_sync(void *ctx, discfs_error *err)
{
	struct file_bdev *f = ctx;
	if (fdatasync(f->fd) < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "fdatasync");
	return 0;
}

static void f_close(void *ctx)
{
	struct file_bdev *f = ctx;
	close(f->fd);
	free(f);
}

/* End in bytes of the last data region of a sparse file. */
static uint64_t data_end(int fd)
{
	off_t pos = 0, end = 0;
	for (;;) {
		off_t d = lseek(fd, pos, SEEK_DATA);
		if (d < 0)
			break;
		off_t h = lseek(fd, d, SEEK_HOLE);
		if (h <= d)
			break;
		end = pos = h;
	}
	return (uint64_t)end;
}

/* Whether block lba of the file is all zeros (unreadable counts as not). */
static bool zero_block(struct file_bdev *f, uint64_t lba, uint8_t *buf)
{
	if (f_read(f, lba, 1, buf, NULL))
		return false;
	for (uint32_t i = 0; i < f->bs; i++)
		if (buf[i])
			return false;
	return true;
}

static int f_refresh(struct udf_bdev *bd, discfs_error *err)
{
	struct file_bdev *f = bd->ctx;
	uint64_t end = data_end(f->fd);
	uint64_t blocks = (end + f->bs - 1) / f->bs;
	/* data regions have the file system's granularity (4 KiB or more):
	 * their zero tail was never written as a block of the medium */
	uint8_t *buf = malloc(f->bs);
	if (!buf)
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	for (unsigned i = 0; i < 64 && blocks && zero_block(f, blocks - 1, buf); i++)
		blocks--;
	free(buf);
	bd->last_recorded = blocks ? blocks - 1 : UINT64_MAX;
	bd->nwa = blocks;
	return 0;
}

int udf_bdev_open_file(const char *path, enum udf_bdev_kind kind,
		       uint64_t capacity_blocks, struct udf_bdev *out,
		       discfs_error *err)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return dfs_fail_errno(err, errno == ENOENT ? DISCFS_ENOENT : DISCFS_EIO,
				      errno, "%s", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return dfs_fail(err, DISCFS_EINVAL, "%s: not an image file", path);
	}
	struct file_bdev *f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	f->fd = fd;
	f->bs = DISCFS_BLOCK_SIZE;
	*out = (struct udf_bdev){
		.ctx = f,
		.block_size = f->bs,
		.kind = kind,
		.capacity = capacity_blocks ? capacity_blocks
					    : (uint64_t)st.st_size / f->bs,
		.write_unit = 1,
		.read = f_read,
		.write = f_write,
		.sync = f_sync,
		.refresh = f_refresh,
		.close = f_close,
	};
	f_refresh(out, NULL);
	if (kind == UDF_BDEV_RANDOM && out->capacity &&
	    (out->last_recorded == UINT64_MAX || out->last_recorded < out->capacity - 1))
		out->last_recorded = out->capacity - 1; /* every block is readable */
	return 0;
}
