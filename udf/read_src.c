/* udf/read_src.c - block sources: bounds-checked access and image files. */
#include "udf/read_src.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

struct file_src {
	int fd;
	uint32_t bs;
};

static int file_read(void *ctx, uint64_t lba, uint32_t count, void *buf,
		     discfs_error *err)
{
	struct file_src *f = ctx;
	size_t want = (size_t)count * f->bs;
	size_t done = 0;
	while (done < want) {
		ssize_t n = pread(f->fd, (char *)buf + done, want - done,
				  (off_t)(lba * f->bs + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return dfs_fail_errno(err, DISCFS_EIO, errno,
					      "read block %llu",
					      (unsigned long long)lba);
		if (n == 0)
			return dfs_fail(err, DISCFS_EFORMAT,
					"image ends before block %llu",
					(unsigned long long)(lba + done / f->bs));
		done += (size_t)n;
	}
	return 0;
}

static int file_write(void *ctx, uint64_t lba, uint32_t count, const void *buf,
		      discfs_error *err)
{
	struct file_src *f = ctx;
	size_t want = (size_t)count * f->bs;
	size_t done = 0;
	while (done < want) {
		ssize_t n = pwrite(f->fd, (const char *)buf + done, want - done,
				   (off_t)(lba * f->bs + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return dfs_fail_errno(err, DISCFS_EIO, n < 0 ? errno : EIO,
					      "write block %llu",
					      (unsigned long long)lba);
		done += (size_t)n;
	}
	return 0;
}

static void file_close(void *ctx)
{
	struct file_src *f = ctx;
	close(f->fd);
	free(f);
}

/* End of the last data region of a (possibly sparse) file, in bytes. */
static uint64_t last_data_end(int fd, uint64_t size)
{
	off_t pos = 0, end = 0;
	for (;;) {
		off_t d = lseek(fd, pos, SEEK_DATA);
		if (d < 0)
			break;
		off_t h = lseek(fd, d, SEEK_HOLE);
		if (h < 0) {
			end = (off_t)size;
			break;
		}
		end = h;
		pos = h;
		if ((uint64_t)h >= size)
			break;
	}
	return (uint64_t)end;
}

int udf_bsrc_open_file(const char *path, uint32_t block_size, bool writable,
		       struct udf_bsrc *out, discfs_error *err)
{
	struct stat st;
	struct file_src *f;
	uint32_t bs = block_size ? block_size : DISCFS_BLOCK_SIZE;
	int fd;

	if (bs < 512 || bs > 32768 || (bs & (bs - 1)))
		return dfs_fail(err, DISCFS_EINVAL, "block size %u", bs);
	if (udf_path_is_drive(path))
		return udf_bsrc_open_drive(path, bs, writable, out, err);
	fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return dfs_fail_errno(err, errno == ENOENT ? DISCFS_ENOENT
							   : DISCFS_EIO,
				      errno, "%s", path);
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
		close(fd);
		return dfs_fail(err, DISCFS_EINVAL,
				"%s: not an image file or block device", path);
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		close(fd);
		return dfs_fail(err, DISCFS_ENOMEM, "out of memory");
	}
	f->fd = fd;
	f->bs = bs;
	uint64_t size = (uint64_t)st.st_size;
	if (S_ISBLK(st.st_mode)) {
		off_t e = lseek(fd, 0, SEEK_END);
		size = e > 0 ? (uint64_t)e : 0;
	}
	*out = (struct udf_bsrc){
		.ctx = f,
		.block_size = bs,
		.n_blocks = size / bs,
		.last_recorded = UINT64_MAX,
		.read = file_read,
		.write = writable ? file_write : NULL,
		.close = file_close,
	};
	if (S_ISREG(st.st_mode)) {
		uint64_t end = last_data_end(fd, size);
		if (end > size)
			end = size;
		/* Holes read as zeros: the last recorded block is at or before
		 * the end of the last data region. */
		out->last_recorded = end >= bs ? end / bs - (end % bs ? 0 : 1)
					       : UINT64_MAX;
		if (out->last_recorded >= out->n_blocks)
			out->last_recorded = out->n_blocks ? out->n_blocks - 1
							   : UINT64_MAX;
	}
	return 0;
}

int udf_bsrc_read(const struct udf_bsrc *src, uint64_t lba, uint32_t count,
		  void *buf, discfs_error *err)
{
	if (lba >= src->n_blocks || count > src->n_blocks - lba)
		return dfs_fail(err, DISCFS_EFORMAT,
				"block %llu+%u is past the end of the volume "
				"(%llu blocks)", (unsigned long long)lba, count,
				(unsigned long long)src->n_blocks);
	return src->read(src->ctx, lba, count, buf, err);
}

int udf_bsrc_write(const struct udf_bsrc *src, uint64_t lba, uint32_t count,
		   const void *buf, discfs_error *err)
{
	if (!src->write)
		return dfs_fail(err, DISCFS_EPROTECT, "volume opened read-only");
	int rc = src->write(src->ctx, lba, count, buf, err);
	return rc;
}

void udf_bsrc_close(struct udf_bsrc *src)
{
	if (src && src->close)
		src->close(src->ctx);
	if (src)
		*src = (struct udf_bsrc){ 0 };
}
