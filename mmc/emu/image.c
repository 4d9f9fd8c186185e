/*
 * mmc/emu/image.c - the sparse image: user data of LBA n at byte n * 2048.
 * Whole transfers go through one pwrite/pread (looping only on short
 * transfers), so the write path allocates nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mmc/emu/emu_int.h"
#include "util/err.h"

int emu_image_create(const char *image, uint64_t bytes, discfs_error *err)
{
	int fd = open(image, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return dfs_fail_errno(err, DISCFS_EIO, errno, "create %s", image);
	if (ftruncate(fd, (off_t)bytes) < 0) {
		int e = errno;
		close(fd);
		return dfs_fail_errno(err, DISCFS_EIO, e, "size %s", image);
	}
	close(fd);
	return 0;
}

int emu_image_open(struct emu_disc *disc, discfs_error *err)
{
	bool rom = disc->media->flags & EMU_M_ROM;
	int fd = open(disc->image, (rom ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0 && errno == EISDIR)
		return dfs_fail(err, DISCFS_EFORMAT, "%s: not a regular file",
				disc->image);
	if (fd < 0)
		return dfs_fail_errno(err, errno == ENOENT ? DISCFS_ENOENT
							  : DISCFS_EIO,
				      errno, "open image %s", disc->image);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return dfs_fail(err, DISCFS_EFORMAT, "%s: not a regular file",
				disc->image);
	}
	uint64_t want = disc->capacity * EMU_BLOCK;
	bool ok = rom ? ((uint64_t)st.st_size <= want &&
			 (uint64_t)st.st_size + EMU_BLOCK > want)
		      : (uint64_t)st.st_size == want;
	if (!ok) {
		close(fd);
		return dfs_fail(err, DISCFS_EFORMAT,
				"%s: image is %lld bytes, the state file says "
				"%llu blocks", disc->image,
				(long long)st.st_size,
				(unsigned long long)disc->capacity);
	}
	disc->fd = fd;
	return 0;
}

int emu_image_write(struct emu_disc *disc, uint32_t lba, const void *buf,
		    uint32_t blocks)
{
	const char *p = buf;
	size_t left = (size_t)blocks * EMU_BLOCK;
	off_t off = (off_t)lba * EMU_BLOCK;
	while (left) {
		ssize_t n = pwrite(disc->fd, p, left, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		off += n;
		left -= (size_t)n;
	}
	return 0;
}

int emu_image_read(struct emu_disc *disc, uint32_t lba, void *buf,
		   uint32_t blocks)
{
	char *p = buf;
	size_t left = (size_t)blocks * EMU_BLOCK;
	off_t off = (off_t)lba * EMU_BLOCK;
	while (left) {
		ssize_t n = pread(disc->fd, p, left, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) { /* ROM image shorter than its last block */
			for (size_t i = 0; i < left; i++)
				p[i] = 0;
			return 0;
		}
		p += n;
		off += n;
		left -= (size_t)n;
	}
	return 0;
}

int emu_image_erase(struct emu_disc *disc)
{
	off_t size = (off_t)(disc->capacity * EMU_BLOCK);
	if (ftruncate(disc->fd, 0) < 0 || ftruncate(disc->fd, size) < 0)
		return -1;
	return 0;
}
